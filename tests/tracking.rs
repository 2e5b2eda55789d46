//! What a contract owes, judged for any day, on both databases: deletion deadlines (the deadline day
//! itself and the day after, an extension after the deadline passed, a certificate accepted late, leap
//! days), audit reports per fiscal year (the 3/31 → 4/1 boundary, a contract spanning two years,
//! ordinary contracts), certificate expiry (プライバシーマーク's renewal window), evidence files checked
//! by content and served only to those allowed, and a vendor seeing only its own to-dos.

mod common;
use common::{Method, Reply, Role};

use common::{Browser, TestApp, NTA, PDF, TOYOTA};
use rocket::http::Status;
use serde_json::{json, Value};

struct World {
    app: TestApp,
    department_id: i64,
    vendor_id: i64,
    other_vendor_id: i64,
}

async fn world() -> World {
    let app = common::spawn().await;
    let (department_id, vendor_id) = app
        .seed_department_and_vendor("税務課", NTA, "株式会社いろは印刷")
        .await;
    let other_vendor_id = app.seed_vendor(TOYOTA, "ほへと株式会社").await;
    World {
        app,
        department_id,
        vendor_id,
        other_vendor_id,
    }
}

impl World {
    async fn contract(&self, number: &str, start: &str, end: &str, important: bool) -> i64 {
        self.contract_for(self.vendor_id, number, start, end, important)
            .await
    }

    async fn contract_for(
        &self,
        vendor_id: i64,
        number: &str,
        start: &str,
        end: &str,
        important: bool,
    ) -> i64 {
        let body = json!({"contract_number": number, "title": "住民税通知書印刷", "department_id": self.department_id,
                          "vendor_id": vendor_id, "start_date": start, "end_date": end, "deletion_days": 30,
                          "importance": if important { "important" } else { "ordinary" }});
        let (status, created) = self
            .app
            .send_json(Method::Post, "/api/v1/contracts", &body)
            .await;
        assert_eq!(status, Status::Created, "{created}");
        created["id"].as_i64().unwrap()
    }

    async fn report(&self, kind: &str, as_of: &str) -> Value {
        let (status, value) = self
            .app
            .get_json(&format!("/api/v1/reports/{kind}?as_of={as_of}"))
            .await;
        assert_eq!(status, Status::Ok, "{value}");
        assert_eq!(value["as_of"], as_of.split('&').next().unwrap());
        value
    }

    async fn submit_deletion(&self, contract_id: i64, deleted_on: &str) -> i64 {
        let Reply { status, body, .. } = self
            .app
            .post_multipart(
                &format!("/api/v1/contracts/{contract_id}/deletion-certificates"),
                &deletion_fields(deleted_on),
                Some(("消去証明書.pdf", PDF)),
            )
            .await;
        assert_eq!(status, Status::Created, "{body}");
        serde_json::from_str::<Value>(&body).unwrap()["id"]
            .as_i64()
            .unwrap()
    }

    async fn submit_audit(&self, contract_id: i64, year: &str, audited_on: &str) -> i64 {
        let Reply { status, body, .. } = self
            .app
            .post_multipart(
                &format!("/api/v1/contracts/{contract_id}/audit-reports"),
                &[
                    ("report.fiscal_year", year),
                    ("report.kind", "third_party"),
                    ("report.auditor", "監査法人あいう"),
                    ("report.audited_on", audited_on),
                    ("report.findings", "2"),
                    ("report.follow_up", "completed"),
                ],
                Some(("audit.pdf", PDF)),
            )
            .await;
        assert_eq!(status, Status::Created, "{body}");
        serde_json::from_str::<Value>(&body).unwrap()["id"]
            .as_i64()
            .unwrap()
    }

    async fn accept(&self, path: &str, accepted_on: &str) {
        let (status, body) = self
            .app
            .send_json(
                Method::Post,
                &format!("/api/v1/{path}/review"),
                &json!({"decision": "accept", "accepted_on": accepted_on}),
            )
            .await;
        assert_eq!(status, Status::Ok, "{body}");
    }
}

fn deletion_fields(deleted_on: &str) -> Vec<(&'static str, &str)> {
    vec![
        ("deletion.data_items", "令和6年度 住民税課税データ"),
        ("deletion.media", "サーバー、バックアップテープ"),
        ("deletion.quantity", "サーバー2台、テープ4本"),
        ("deletion.method", "専用ソフトによる上書き消去"),
        ("deletion.responsible_person", "情報管理部長 山田"),
        ("deletion.deleted_on", deleted_on),
        ("deletion.covers_subcontractors", "on"),
        ("deletion.covers_backups", "on"),
        ("deletion.covers_test_environments", "on"),
    ]
}

fn numbers(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|e| e["contract_number"].as_str().unwrap().to_string())
        .collect()
}

#[rocket::async_test]
async fn the_deletion_deadline_day_is_on_time_and_the_next_day_is_a_violation() {
    let w = world().await;
    let id = w
        .contract("R6-001", "2024-04-01", "2025-03-31", false)
        .await;
    // Deadline: 2025-03-31 + 30 days = 2025-04-30.
    let on_deadline = w.report("retention", "2025-04-30").await;
    assert!(on_deadline["violations"].as_array().unwrap().is_empty());
    let soon = &on_deadline["due_soon"][0];
    assert_eq!(soon["contract_number"], "R6-001");
    assert_eq!(soon["deadline"], "2025-04-30");
    assert_eq!(soon["days_remaining"], 0);
    let after = w.report("retention", "2025-05-01").await;
    let violation = &after["violations"][0];
    assert_eq!(violation["contract_id"], id);
    assert_eq!(violation["vendor_identifier"], NTA);
    assert_eq!(violation["vendor_name"], "株式会社いろは印刷");
    assert_eq!(violation["days_overdue"], 1);
    let before_window = w.report("retention", "2025-03-30").await;
    assert!(before_window["due_soon"].as_array().unwrap().is_empty());
    assert_eq!(
        w.report("retention", "2025-03-31").await["due_soon"][0]["days_remaining"],
        30
    );
}

#[rocket::async_test]
async fn extending_a_contract_after_its_deadline_moves_the_deadline() {
    let w = world().await;
    let id = w
        .contract("R6-002", "2024-04-01", "2025-03-31", false)
        .await;
    assert_eq!(
        numbers(&w.report("retention", "2025-06-01").await["violations"]),
        ["R6-002"]
    );
    let body = json!({"contract_number": "R6-002", "title": "住民税通知書印刷", "department_id": w.department_id,
                      "vendor_id": w.vendor_id, "start_date": "2024-04-01", "end_date": "2026-03-31", "deletion_days": 30});
    let (status, updated) = w
        .app
        .send_json(Method::Put, &format!("/api/v1/contracts/{id}"), &body)
        .await;
    assert_eq!(status, Status::Ok, "{updated}");
    let report = w.report("retention", "2025-06-01").await;
    assert!(
        report["violations"].as_array().unwrap().is_empty(),
        "{report}"
    );
    let later = w.report("retention", "2026-05-01").await;
    assert_eq!(later["violations"][0]["deadline"], "2026-04-30");
    assert_eq!(later["violations"][0]["days_overdue"], 1);
}

#[rocket::async_test]
async fn a_certificate_accepted_late_ends_the_violation_and_the_history_keeps_it() {
    let w = world().await;
    let id = w
        .contract("R6-003", "2024-04-01", "2025-03-31", false)
        .await;
    let certificate = w.submit_deletion(id, "2025-04-20").await;
    // Submitted but not accepted: still a violation after the deadline, marked as waiting for review.
    let waiting = w.report("retention", "2025-05-10").await;
    assert_eq!(waiting["violations"][0]["submission"], "submitted");
    w.accept(
        &format!("deletion-certificates/{certificate}"),
        "2025-06-09",
    )
    .await;
    let day_before = w.report("retention", "2025-06-08").await;
    assert_eq!(day_before["violations"][0]["days_overdue"], 39);
    let accepted = w.report("retention", "2025-06-09").await;
    assert!(accepted["violations"].as_array().unwrap().is_empty());
    let late = &accepted["resolved_late"][0];
    assert_eq!(late["contract_number"], "R6-003");
    assert_eq!(late["accepted_on"], "2025-06-09");
    assert_eq!(late["days_late"], 40);
    // The contract page says the certificate was accepted after the deadline.
    let (_, html) = w.app.get_html(&format!("/contracts/{id}")).await;
    assert!(html.contains("期限後の受理"), "{html}");
}

#[rocket::async_test]
async fn concurrent_readers_get_the_same_judgement_and_a_new_record_is_seen_at_once() {
    let w = world().await;
    w.contract("R6-010", "2024-04-01", "2025-03-31", false)
        .await;
    let day = "2025-06-01";
    let (a, b, c, d) = tokio::join!(
        w.report("retention", day),
        w.report("retention", day),
        w.report("all", day),
        w.report("retention", day)
    );
    assert_eq!(numbers(&a["violations"]), ["R6-010"]);
    // Every answer is judged from the data as of its request, stamped with its own time.
    assert_eq!(a["current"], true);
    assert!(a["judged_at"].as_str().is_some_and(|t| t.contains('T')));
    let (mut a, mut b, mut d) = (a, b, d);
    for answer in [&mut a, &mut b, &mut d] {
        answer.as_object_mut().unwrap().remove("judged_at");
    }
    assert_eq!(a, b);
    assert_eq!(a, d);
    assert_eq!(c["retention"]["violations"], a["violations"]);
    // The contract count is kept until the data changes; a new contract changes it and the report.
    let total = || async { w.app.get_json("/api/v1/contracts").await.1["total"].clone() };
    assert_eq!(total().await, 1);
    w.contract("R6-011", "2024-04-01", "2025-03-31", false)
        .await;
    assert_eq!(total().await, 2);
    assert_eq!(
        numbers(&w.report("retention", day).await["violations"]),
        ["R6-010", "R6-011"]
    );
}

#[rocket::async_test]
async fn report_lists_come_in_pages_with_their_totals() {
    let w = world().await;
    for number in ["R6-021", "R6-022", "R6-023"] {
        w.contract(number, "2024-04-01", "2025-03-31", false).await;
    }
    let day = "2025-06-01";
    let first = w.report("retention", &format!("{day}&per_page=2")).await;
    assert_eq!(numbers(&first["violations"]), ["R6-021", "R6-022"]);
    assert_eq!(first["totals"]["violations"], 3);
    assert_eq!(first["totals"]["due_soon"], 0);
    assert_eq!(
        (first["page"].as_i64(), first["per_page"].as_i64()),
        (Some(1), Some(2))
    );
    let second = w
        .report("retention", &format!("{day}&per_page=2&page=2"))
        .await;
    assert_eq!(numbers(&second["violations"]), ["R6-023"]);
    let beyond = w
        .report("retention", &format!("{day}&per_page=2&page=9"))
        .await;
    assert!(beyond["violations"].as_array().unwrap().is_empty());
    let all = w.report("all", &format!("{day}&per_page=1")).await;
    assert_eq!(numbers(&all["retention"]["violations"]), ["R6-021"]);
    assert_eq!(all["retention"]["totals"]["violations"], 3);
    assert_eq!(all["totals"]["by_vendor"], 1);
    assert_eq!(all["by_department"][0]["retention_violations"], 3);
}

#[rocket::async_test]
async fn a_leap_day_deadline() {
    let w = world().await;
    // 2028-01-30 + 30 days = 2028-02-29.
    w.contract("R9-001", "2027-04-01", "2028-01-30", false)
        .await;
    let on = w.report("retention", "2028-02-29").await;
    assert_eq!(on["due_soon"][0]["deadline"], "2028-02-29");
    let after = w.report("retention", "2028-03-01").await;
    assert_eq!(after["violations"][0]["days_overdue"], 1);
}

#[rocket::async_test]
async fn audits_follow_the_fiscal_year_and_a_two_year_contract_owes_two_reports() {
    let w = world().await;
    let id = w.contract("R7-010", "2025-10-01", "2026-09-30", true).await;
    w.contract("R7-011", "2025-10-01", "2026-09-30", false)
        .await;
    let last_day = w.report("audits", "2026-03-31").await;
    assert!(last_day["overdue"].as_array().unwrap().is_empty());
    assert_eq!(last_day["due_soon"][0]["fiscal_year"], 2025);
    assert_eq!(last_day["due_soon"][0]["days_remaining"], 0);
    let next_day = w.report("audits", "2026-04-01").await;
    let overdue = next_day["overdue"].as_array().unwrap();
    assert_eq!(overdue.len(), 1, "{next_day}");
    assert_eq!(overdue[0]["contract_number"], "R7-010");
    assert_eq!(overdue[0]["fiscal_year"], 2025);
    assert_eq!(overdue[0]["deadline"], "2026-03-31");
    assert_eq!(overdue[0]["days_overdue"], 1);
    let both = w.report("audits", "2027-04-01").await;
    let years: Vec<i64> = both["overdue"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["fiscal_year"].as_i64().unwrap())
        .collect();
    assert_eq!(years.len(), 2, "{both}");
    assert!(years.contains(&2025) && years.contains(&2026));
    // An accepted FY2025 report clears that year only; the ordinary contract never appears.
    let report = w.submit_audit(id, "令和7年度", "2026-02-10").await;
    w.accept(&format!("audit-reports/{report}"), "2026-03-20")
        .await;
    let after = w.report("audits", "2027-04-01").await;
    assert_eq!(after["overdue"].as_array().unwrap().len(), 1);
    assert_eq!(after["overdue"][0]["fiscal_year"], 2026);
    assert!(!after.to_string().contains("R7-011"));
    // KPI: on 2026-03-31 the one important contract has this year's report.
    let kpi = w.report("kpi", "2026-03-31").await;
    assert_eq!(kpi["important_contracts"], 1);
    assert_eq!(kpi["indicators"][0]["key"], "audit_report_accepted");
    assert_eq!(kpi["indicators"][0]["numerator"], 1);
    assert_eq!(kpi["indicators"][0]["ratio"], 1.0);
    let kpi_next_year = w.report("kpi", "2026-04-01").await;
    assert_eq!(kpi_next_year["indicators"][0]["numerator"], 0);
}

#[rocket::async_test]
async fn a_returned_report_needs_a_reason_and_does_not_count() {
    let w = world().await;
    let id = w.contract("R7-012", "2025-04-01", "2026-03-31", true).await;
    let report = w.submit_audit(id, "2025", "2025-12-01").await;
    let (status, body) = w
        .app
        .send_json(
            Method::Post,
            &format!("/api/v1/audit-reports/{report}/review"),
            &json!({"decision": "return"}),
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert_eq!(body["errors"][0]["field"], "comment");
    let (status, _) = w
        .app
        .send_json(
            Method::Post,
            &format!("/api/v1/audit-reports/{report}/review"),
            &json!({"decision": "return", "comment": "指摘事項の改善報告が添付されていません"}),
        )
        .await;
    assert_eq!(status, Status::Ok);
    let overdue = w.report("audits", "2026-04-01").await;
    assert_eq!(overdue["overdue"][0]["submission"], "returned");
    // A future acceptance day is refused.
    let again = w.submit_audit(id, "2025", "2025-12-01").await;
    let (status, body) = w
        .app
        .send_json(
            Method::Post,
            &format!("/api/v1/audit-reports/{again}/review"),
            &json!({"decision": "accept", "accepted_on": "2999-01-01"}),
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert_eq!(body["errors"][0]["field"], "accepted_on");
}

#[rocket::async_test]
async fn privacy_mark_expiry_follows_the_renewal_window() {
    let w = world().await;
    w.contract("R7-020", "2025-04-01", "2027-03-31", false)
        .await;
    let (status, created) = w
        .app
        .send_json(
            Method::Post,
            &format!("/api/v1/vendors/{}/certifications", w.vendor_id),
            &json!({"scheme": "プライバシーマーク", "number": "第11820163号", "valid_until": "2026-10-31"}),
        )
        .await;
    assert_eq!(status, Status::Created, "{created}");
    // The window opens 8 months before: 2026-02-28.
    let before = w.report("certifications", "2026-02-27").await;
    assert!(
        before["expiring"].as_array().unwrap().is_empty(),
        "{before}"
    );
    let opens = w.report("certifications", "2026-02-28").await;
    let entry = &opens["expiring"][0];
    assert_eq!(entry["contract_number"], "R7-020");
    assert_eq!(entry["deadline"], "2026-10-31");
    assert_eq!(entry["certification"]["number"], "11820163");
    let last_day = w.report("certifications", "2026-10-31").await;
    assert_eq!(last_day["expiring"][0]["days_remaining"], 0);
    let expired = w.report("certifications", "2026-11-01").await;
    assert_eq!(expired["expired"][0]["days_overdue"], 1);
    // A renewed certificate supersedes the old one.
    let (status, _) = w
        .app
        .send_json(
            Method::Post,
            &format!("/api/v1/vendors/{}/certifications", w.vendor_id),
            &json!({"scheme": "pmark", "number": "11820163(02)", "valid_until": "2028-10-31"}),
        )
        .await;
    assert_eq!(status, Status::Created);
    let renewed = w.report("certifications", "2026-11-01").await;
    assert!(
        renewed["expired"].as_array().unwrap().is_empty(),
        "{renewed}"
    );
    // A malformed number is named.
    let (status, body) = w
        .app
        .send_json(
            Method::Post,
            &format!("/api/v1/vendors/{}/certifications", w.vendor_id),
            &json!({"scheme": "pmark", "number": "ABC", "valid_until": "2028-10-31"}),
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert_eq!(body["errors"][0]["field"], "number");
}

#[rocket::async_test]
async fn evidence_files_are_checked_by_content_and_served_only_to_those_allowed() {
    let w = world().await;
    let id = w
        .contract("R6-030", "2024-04-01", "2025-03-31", false)
        .await;
    // An HTML page named .pdf is refused, and nothing is stored.
    let Reply { status, body, .. } = w
        .app
        .post_multipart(
            &format!("/api/v1/contracts/{id}/deletion-certificates"),
            &deletion_fields("2025-04-10"),
            Some(("証明書.pdf", b"<html><script>alert(1)</script></html>")),
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity, "{body}");
    assert!(body.contains("\"field\":\"file\""), "{body}");
    let (_, list) = w
        .app
        .get_json(&format!("/api/v1/contracts/{id}/deletion-certificates"))
        .await;
    assert_eq!(list["total"], 0);
    let certificate = w.submit_deletion(id, "2025-04-10").await;
    let vendor = w
        .app
        .browser_as("v@test.itaku.example", Role::Vendor, Some(NTA), &[])
        .await;
    let other_vendor = w
        .app
        .browser_as("o@test.itaku.example", Role::Vendor, Some(TOYOTA), &[])
        .await;
    let response = vendor
        .client
        .get(format!("/deletion-certificates/{certificate}/file"))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(
        response.headers().get_one("Content-Type"),
        Some("application/pdf")
    );
    let disposition = response
        .headers()
        .get_one("Content-Disposition")
        .unwrap()
        .to_string();
    assert!(disposition.contains("filename*=UTF-8''"), "{disposition}");
    assert_eq!(response.into_bytes().await.unwrap(), PDF);
    let refused = other_vendor
        .client
        .get(format!("/deletion-certificates/{certificate}/file"))
        .dispatch()
        .await;
    assert_eq!(refused.status(), Status::NotFound);
    // The other vendor cannot submit for, or list, this vendor's contract either.
    let Reply { status, .. } = other_vendor
        .post_multipart(
            &format!("/api/v1/contracts/{id}/deletion-certificates"),
            &deletion_fields("2025-04-10"),
            Some(("x.pdf", PDF)),
        )
        .await;
    assert_eq!(status, Status::NotFound);
    let (status, _) = other_vendor
        .get_json(&format!("/api/v1/contracts/{id}/audit-reports"))
        .await;
    assert_eq!(status, Status::NotFound);
    // Nor record a certification for it.
    let (status, _) = other_vendor
        .send_json(
            Method::Post,
            &format!("/api/v1/vendors/{}/certifications", w.vendor_id),
            &json!({"scheme": "isms", "number": "X", "issued_on": "2025-01-01", "valid_until": "2027-01-01"}),
        )
        .await;
    assert_eq!(status, Status::NotFound);
}

#[rocket::async_test]
async fn a_vendor_sees_exactly_its_own_items_as_its_to_do_list() {
    let w = world().await;
    w.contract("R6-040", "2024-04-01", "2025-03-31", true).await;
    w.contract_for(
        w.other_vendor_id,
        "R6-041",
        "2024-04-01",
        "2025-03-31",
        true,
    )
    .await;
    let vendor: Browser = w
        .app
        .browser_as("v@test.itaku.example", Role::Vendor, Some(NTA), &[])
        .await;
    let (status, own) = vendor
        .get_json("/api/v1/reports/retention?as_of=2025-06-01")
        .await;
    assert_eq!(status, Status::Ok);
    assert_eq!(numbers(&own["violations"]), ["R6-040"]);
    let (_, staff) = w
        .app
        .get_json("/api/v1/reports/retention?as_of=2025-06-01")
        .await;
    assert_eq!(numbers(&staff["violations"]), ["R6-040", "R6-041"]);
    // Today the contract ended long ago: its portal lists the missing deletion certificate and audit.
    let (status, html) = vendor.get_html("/").await;
    assert_eq!(status, Status::Ok);
    assert!(
        html.contains("R6-040") && !html.contains("R6-041"),
        "{html}"
    );
    assert!(html.contains("データ消去証明書の提出"), "{html}");
    assert!(html.contains("監査報告書の提出"), "{html}");
    // The CISO's dashboard shows both, by department and by vendor.
    let ciso = w
        .app
        .browser_as("ciso@test.itaku.example", Role::Ciso, None, &[])
        .await;
    let (status, html) = ciso.get_html("/dashboard?as_of=2025-06-01").await;
    assert_eq!(status, Status::Ok);
    assert!(html.contains("R6-040") && html.contains("R6-041"));
    assert!(html.contains("令和7年6月1日"), "the day is shown in 和暦");
    let (status, html) = ciso
        .get_html(&format!("/dashboard?as_of={}", common::urlencode("いつか")))
        .await;
    assert_eq!(status, Status::Ok);
    assert!(html.contains("基準日"), "{html}");
    // The vendor cannot open the dashboard.
    let (status, _) = vendor.get_html("/dashboard").await;
    assert!(matches!(status.code, 403 | 404), "{status}");
}

#[rocket::async_test]
async fn reports_export_to_xlsx() {
    let w = world().await;
    w.contract("R6-050", "2024-04-01", "2025-03-31", true).await;
    for kind in [
        "retention",
        "audits",
        "certifications",
        "checklists",
        "kpi",
        "all",
    ] {
        let response = w
            .app
            .client
            .get(format!("/reports/{kind}.xlsx?as_of=2025-06-01"))
            .dispatch()
            .await;
        assert_eq!(response.status(), Status::Ok, "{kind}");
        let bytes = response.into_bytes().await.unwrap();
        // Native Excel charts on the cover: the lists' counts, the KPIs against their targets, or both.
        let has = |part: &str| bytes.windows(part.len()).any(|w| w == part.as_bytes());
        assert!(has("xl/charts/chart1.xml"), "{kind}: a chart on the cover");
        assert_eq!(
            has("xl/charts/chart2.xml"),
            kind == "all",
            "{kind}: a second chart only where there are lists and KPIs"
        );
        let mut workbook: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let names = calamine::Reader::sheet_names(&workbook);
        assert_eq!(names[0], "概要", "{kind}");
        let cover = calamine::Reader::worksheet_range(&mut workbook, "概要").unwrap();
        let judged = cover.get_value((2, 1)).map(|c| c.to_string());
        assert_eq!(
            cover.get_value((2, 0)).map(|c| c.to_string()).as_deref(),
            Some("集計時点"),
            "{kind}"
        );
        assert!(
            judged
                .as_deref()
                .is_some_and(|t| t.starts_with("令和") && t.ends_with('秒')),
            "{kind}: {judged:?}"
        );
        if kind == "retention" {
            let range = calamine::Reader::worksheet_range(&mut workbook, "保持期限超過").unwrap();
            let row: Vec<String> = range
                .rows()
                .nth(1)
                .unwrap()
                .iter()
                .map(|c| c.to_string())
                .collect();
            assert_eq!(row[0], "R6-050");
            assert!(row.contains(&"32".to_string()), "{row:?}");
        }
    }
    let response = w.app.client.get("/reports/secrets.xlsx").dispatch().await;
    assert_eq!(response.status(), Status::NotFound);
    // Each export is judged from the data as of its request: a contract added a moment ago is in it.
    let client = &w.app.client;
    let download = || async move {
        let path = "/reports/retention.xlsx?as_of=2025-06-01";
        let response = client.get(path).dispatch().await;
        assert_eq!(response.status(), Status::Ok);
        response.into_bytes().await.unwrap()
    };
    let numbers_in = |bytes: Vec<u8>| -> Vec<String> {
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let sheet = calamine::Reader::worksheet_range(&mut book, "保持期限超過").unwrap();
        sheet.rows().map(|row| row[0].to_string()).collect()
    };
    assert!(!numbers_in(download().await).contains(&"R6-051".to_string()));
    w.contract("R6-051", "2024-04-01", "2025-03-31", true).await;
    assert!(numbers_in(download().await).contains(&"R6-051".to_string()));
}

#[rocket::async_test]
async fn certification_lists_import_all_or_nothing() {
    let w = world().await;
    let list = format!(
        "取引先認証一覧,,,,,,\n法人番号,事業者名,種別,番号,区分,取得日,有効期限,適用範囲\n\
         {NTA},株式会社いろは印刷,ISMS,JQA-IM0685,,2024/4/1,R9.3.31,本社\n\
         {NTA},株式会社いろは印刷,SECURITY ACTION,123-4567-8901,★★,令和6年5月1日,,\n\
         {new},新しい株式会社,Pマーク,10820163(05),,,2027-03-31,\n",
        new = common::corporate_number(42)
    );
    let bad = list.replace("R9.3.31", "そのうち");
    let response = w
        .app
        .post_bytes("/api/v1/certifications/import", bad.into_bytes())
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let body: Value = serde_json::from_str(&response.into_string().await.unwrap()).unwrap();
    assert_eq!(body["errors"][0]["row"], 3);
    assert_eq!(body["errors"][0]["cell"], "G3");
    let (_, certs) = w
        .app
        .get_json(&format!("/api/v1/vendors/{}/certifications", w.vendor_id))
        .await;
    assert_eq!(certs["total"], 0, "nothing was written");
    let response = w
        .app
        .post_bytes("/api/v1/certifications/import", list.clone().into_bytes())
        .await;
    assert_eq!(response.status(), Status::Ok);
    let body: Value = serde_json::from_str(&response.into_string().await.unwrap()).unwrap();
    assert_eq!(body["imported"], 3);
    assert_eq!(body["created_vendors"], 1);
    let response = w
        .app
        .post_bytes("/api/v1/certifications/import", list.into_bytes())
        .await;
    let body: Value = serde_json::from_str(&response.into_string().await.unwrap()).unwrap();
    assert_eq!(body["imported"], 0);
    assert_eq!(body["unchanged"], 3);
    let (_, certs) = w
        .app
        .get_json(&format!("/api/v1/vendors/{}/certifications", w.vendor_id))
        .await;
    assert_eq!(certs["total"], 2);
}

#[rocket::async_test]
async fn the_trend_counts_each_month_end_as_the_dashboard_would_on_that_day() {
    let w = world().await;
    // Ended 2025-03-31 with 30 days to delete: held past its deadline from 2025-05-01.
    w.contract("R6-001", "2024-04-01", "2025-03-31", false)
        .await;
    // An important contract running through FY2025: its FY2024 report is overdue from 2025-04-01.
    w.contract("R6-002", "2024-04-01", "2026-03-31", true).await;
    let (status, html) = w.app.get_html("/dashboard/trend?as_of=2025-09-15").await;
    assert_eq!(status, Status::Ok);
    let row = |day: &str| table_row(&html, day);
    assert_eq!(row("2024-10-31"), ["0", "0"], "before either was owed");
    assert_eq!(
        row("2025-04-30"),
        ["0", "1"],
        "the deletion deadline day itself is on time"
    );
    assert_eq!(row("2025-05-31"), ["1", "1"]);
    assert_eq!(
        row("2025-09-15"),
        ["1", "1"],
        "the last point is the day asked for"
    );
    assert!(
        html.contains("<svg class=\"columns\""),
        "the chart is drawn"
    );
    // The same count as the dashboard's on that day.
    let report = w.report("retention", "2025-05-31").await;
    assert_eq!(report["totals"]["violations"], 1);
}

/// The numbers of a chart's table row whose day is `day`, emphasis taken off.
fn table_row(html: &str, day: &str) -> Vec<String> {
    let at = html
        .find(&format!("datetime=\"{day}\""))
        .unwrap_or_else(|| panic!("{day} missing: {html}"));
    html[at..]
        .split("</tr>")
        .next()
        .unwrap()
        .split("class=\"number\">")
        .skip(1)
        .map(|cell| {
            let cell = cell.split("</td>").next().unwrap();
            cell.replace("<strong class=\"bad\">", "")
                .replace("<strong>", "")
                .replace("</strong>", "")
        })
        .collect()
}

#[rocket::async_test]
async fn the_deadline_timeline_puts_each_coming_deadline_in_its_week() {
    let w = world().await;
    // Ends 2025-03-31 with 30 days to delete: due 2025-04-30, in the week from 2025-04-26.
    w.contract("R6-001", "2024-04-01", "2025-03-31", false)
        .await;
    // Important: its FY2024 audit report is due 2025-03-31, in the week from 2025-03-29.
    w.contract("R6-002", "2024-04-01", "2026-03-31", true).await;
    let vendor_certificates = format!("/api/v1/vendors/{}/certifications", w.vendor_id);
    let (status, created) = w
        .app
        .send_json(
            Method::Post,
            &vendor_certificates,
            &json!({"scheme": "ISMS", "number": "IS 100001", "issued_on": "2022-04-11", "valid_until": "2025-04-10"}),
        )
        .await;
    assert_eq!(status, Status::Created, "{created}");
    let (status, html) = w
        .app
        .get_html("/dashboard/deadlines?as_of=2025-03-01")
        .await;
    assert_eq!(status, Status::Ok);
    assert_eq!(table_row(&html, "2025-03-01"), ["0", "0", "0", "0", "0"]);
    assert_eq!(table_row(&html, "2025-03-29"), ["0", "1", "0", "0", "1"]);
    // Both active contracts hold the expiring certificate.
    assert_eq!(table_row(&html, "2025-04-05"), ["0", "0", "2", "0", "2"]);
    assert_eq!(table_row(&html, "2025-04-26"), ["1", "0", "0", "0", "1"]);
    assert!(
        html.contains("aria-current=\"page\">今後90日の期限"),
        "its tab is current"
    );
    assert!(
        html.contains("<svg class=\"columns\""),
        "the chart is drawn"
    );
    // A renewal supersedes the expiring certificate; an accepted audit report is no longer owed.
    let (status, _) = w
        .app
        .send_json(
            Method::Post,
            &vendor_certificates,
            &json!({"scheme": "ISMS", "number": "IS 100002", "issued_on": "2025-02-01", "valid_until": "2028-04-10"}),
        )
        .await;
    assert_eq!(status, Status::Created);
    let (_, html) = w
        .app
        .get_html("/dashboard/deadlines?as_of=2025-03-01")
        .await;
    assert_eq!(table_row(&html, "2025-04-05"), ["0", "0", "0", "0", "0"]);
    // Past the deadline, the deletion is on the dashboard, not on the timeline.
    let (_, html) = w
        .app
        .get_html("/dashboard/deadlines?as_of=2025-05-01")
        .await;
    assert!(!html.contains("<td class=\"number\">1</td>"), "{html}");
}

#[rocket::async_test]
async fn a_refused_deletion_certificate_keeps_what_was_typed_and_asks_for_the_file_again() {
    let w = world().await;
    let contract = w
        .contract("R6-001", "2024-04-01", "2025-03-31", false)
        .await;
    let Reply { status, body, .. } = w
        .app
        .post_multipart(
            &format!("/contracts/{contract}/deletion-certificates"),
            &deletion_fields("令和7年13月1日"),
            Some(("消去証明書.pdf", PDF)),
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity, "{body}");
    assert!(body.contains("提出できませんでした"), "{body}");
    assert!(body.contains("ファイルはもう一度選んでください"));
    assert!(
        body.contains("value=\"令和6年度 住民税課税データ\"")
            && body.contains("value=\"令和7年13月1日\""),
        "what was typed is kept"
    );
    assert!(
        body.contains("<details class=\"card\" open>"),
        "the form is open"
    );
}
