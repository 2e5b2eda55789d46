//! Bid evaluation through the API and the pages: each rule at its boundaries, the ISMS scope, ISMAP on
//! cloud and non-cloud work, ★ and ★★ together, disqualification, retention and audit evidence read
//! from the records, policy files and versions, the vendor portal, the 評価表, and a finalized rating
//! that does not move when a certificate is edited afterwards. Runs on SQLite and on PostgreSQL.

mod common;
use common::{Method, Reply, Role};

use common::{corporate_number, TestApp, NTA, PDF};
use rocket::http::Status;
use serde_json::{json, Value};

struct World {
    app: TestApp,
    department_id: i64,
}

async fn world() -> World {
    let app = common::spawn().await;
    let (department_id, _) = app
        .seed_department_and_vendor("情報政策課", NTA, "株式会社国税")
        .await;
    World { app, department_id }
}

impl World {
    async fn vendor(&self, seed: u64, name: &str) -> (String, i64) {
        let number = corporate_number(seed);
        let (status, vendor) = self
            .app
            .send_json(
                Method::Post,
                "/api/v1/vendors",
                &json!({"corporate_number": number, "name": name}),
            )
            .await;
        assert_eq!(status, Status::Created, "{vendor}");
        (number, vendor["id"].as_i64().unwrap())
    }

    async fn certify(&self, vendor_id: i64, certificate: Value) -> i64 {
        let (status, body) = self
            .app
            .send_json(
                Method::Post,
                &format!("/api/v1/vendors/{vendor_id}/certifications"),
                &certificate,
            )
            .await;
        assert_eq!(status, Status::Created, "{body}");
        body["id"].as_i64().unwrap()
    }

    async fn tender(&self, cloud: bool, policy: Option<&str>) -> i64 {
        let (status, tender) = self
            .app
            .send_json(
                Method::Post,
                "/api/v1/tenders",
                &json!({"title": "住民情報システム運用保守", "department_id": self.department_id,
                        "evaluation_date": "令和8年4月1日", "uses_cloud": cloud, "handles_personal_data": true,
                        "policy": policy}),
            )
            .await;
        assert_eq!(status, Status::Created, "{tender}");
        tender["id"].as_i64().unwrap()
    }

    async fn bid(&self, tender: i64, number: &str) -> i64 {
        let (status, body) = self
            .app
            .send_json(
                Method::Post,
                &format!("/api/v1/tenders/{tender}/bidders"),
                &json!({"corporate_number": number}),
            )
            .await;
        assert_eq!(status, Status::Created, "{body}");
        body["bidder_id"].as_i64().unwrap()
    }

    async fn rating(&self, tender: i64) -> Value {
        let (status, rating) = self
            .app
            .get_json(&format!("/api/v1/tenders/{tender}/rating"))
            .await;
        assert_eq!(status, Status::Ok, "{rating}");
        rating
    }

    async fn contract(&self, number: &str, vendor_id: i64, start: &str, end: &str) -> i64 {
        let (status, body) = self
            .app
            .send_json(
                Method::Post,
                "/api/v1/contracts",
                &json!({"contract_number": number, "title": "委託", "department_id": self.department_id,
                        "vendor_id": vendor_id, "start_date": start, "end_date": end, "importance": "important"}),
            )
            .await;
        assert_eq!(status, Status::Created, "{body}");
        body["id"].as_i64().unwrap()
    }
}

fn bidder<'a>(rating: &'a Value, number: &str) -> &'a Value {
    rating["bidders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["identifier"] == number)
        .unwrap_or_else(|| panic!("no bidder {number} in {rating}"))
}

fn line<'a>(bidder: &'a Value, rule: &str) -> &'a Value {
    bidder["breakdown"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rule"] == rule)
        .unwrap_or_else(|| panic!("no rule {rule} in {bidder}"))
}

fn isms(valid_until: &str, number: &str) -> Value {
    json!({"scheme": "isms", "number": number, "certification_body": "JQA", "scope": "情報システムの運用保守",
           "issued_on": "2023-04-01", "valid_until": valid_until})
}

#[rocket::async_test]
async fn certificates_count_through_their_expiry_day_and_only_as_the_policy_says() {
    let w = world().await;
    let (before, before_id) = w.vendor(101, "前日期限株式会社").await;
    let (on, on_id) = w.vendor(102, "当日期限株式会社").await;
    let (after, after_id) = w.vendor(103, "翌日期限株式会社").await;
    let (stars, stars_id) = w.vendor(104, "星二つ株式会社").await;
    w.certify(before_id, isms("2026-03-31", "IS 100")).await;
    w.certify(on_id, isms("2026-04-01", "IS 200")).await;
    w.certify(after_id, isms("2026-04-02", "IS 300")).await;
    w.certify(stars_id, json!({"scheme": "security_action", "number": "20300400001", "level": "★", "issued_on": "2020-01-01"})).await;
    w.certify(stars_id, json!({"scheme": "security_action", "number": "20300400002", "level": "★★", "issued_on": "2022-01-01"})).await;
    w.certify(stars_id, json!({"scheme": "ismap", "number": "C24-0001-1", "scope": "自治体クラウド", "issued_on": "2024-01-01", "valid_until": "2027-03-31"})).await;
    w.certify(stars_id, json!({"scheme": "meti", "number": "M-5", "level": "★5", "issued_on": "2025-10-01", "valid_until": "2027-09-30"})).await;

    let cloud = w.tender(true, None).await;
    let on_premises = w.tender(false, Some("itaku-standard@1")).await;
    for tender in [cloud, on_premises] {
        for number in [&before, &on, &after, &stars] {
            w.bid(tender, number).await;
        }
    }
    // The officer has not confirmed that the third bidder's ISMS scope covers the work.
    let (_, detail) = w.app.get_json(&format!("/api/v1/tenders/{cloud}")).await;
    let third = detail["bidders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["identifier"] == after.as_str())
        .unwrap();
    let (status, body) = w
        .app
        .send_json(
            Method::Put,
            &format!("/api/v1/bidders/{}/scope", third["id"]),
            &json!({"isms_scope_confirmed": false}),
        )
        .await;
    assert_eq!(status, Status::Ok, "{body}");

    let rating = w.rating(cloud).await;
    assert_eq!(rating["policy"], "itaku-standard@1");
    assert_eq!(rating["tender"]["evaluation_date"], "2026-04-01");
    assert_eq!(rating["finalized"], false);
    let expired = line(bidder(&rating, &before), "isms");
    assert_eq!(expired["points"], 0.0);
    assert!(
        expired["reason"]
            .as_str()
            .unwrap()
            .contains("有効期限（令和8年3月31日）が評価日（令和8年4月1日）より前"),
        "{expired}"
    );
    assert!(expired["evidence"].as_str().unwrap().contains("IS 100"));
    let on_the_day = bidder(&rating, &on);
    assert_eq!(line(on_the_day, "isms")["points"], 4.0);
    assert_eq!(on_the_day["points"], 4.0);
    assert_eq!(on_the_day["max_points"], 10.0);
    assert_eq!(on_the_day["grade"], "C");
    let unconfirmed = line(bidder(&rating, &after), "isms");
    assert_eq!(unconfirmed["points"], 0.0);
    assert!(
        unconfirmed["reason"].as_str().unwrap().contains("適用範囲"),
        "{unconfirmed}"
    );
    let starred = bidder(&rating, &stars);
    assert_eq!(
        line(starred, "security_action")["points"],
        1.0,
        "★ and ★★: the higher only"
    );
    assert_eq!(line(starred, "ismap")["points"], 2.0);
    assert_eq!(
        line(starred, "meti")["points"],
        3.0,
        "★5 earns the ★4 points"
    );
    assert_eq!(starred["points"], 6.0);
    assert_eq!(starred["rank"], 1);
    assert_eq!(on_the_day["rank"], 2);
    assert_eq!(
        rating["bidders"][0]["identifier"],
        stars.as_str(),
        "ranked best first"
    );

    let rating = w.rating(on_premises).await;
    let starred = bidder(&rating, &stars);
    let ismap = line(starred, "ismap");
    assert_eq!(
        (ismap["points"].as_f64(), ismap["applicable"].as_bool()),
        (Some(0.0), Some(false))
    );
    assert!(ismap["reason"].as_str().unwrap().starts_with("対象外"));
    assert_eq!(starred["points"], 4.0);
    assert_eq!(
        line(bidder(&rating, &after), "isms")["points"],
        4.0,
        "scope is confirmed per tender"
    );
}

/// Records an accepted third-party audit of FY2025 for the contract.
async fn accepted_audit(w: &World, contract: i64) {
    let Reply { status, body, .. } = w
        .app
        .admin
        .post_multipart(
            &format!("/api/v1/contracts/{contract}/audit-reports"),
            &[
                ("report.kind", "third_party"),
                ("report.auditor", "監査法人A"),
                ("report.audited_on", "2025-10-01"),
                ("report.findings", "0"),
                ("report.follow_up", "none"),
            ],
            Some(("audit.pdf", PDF)),
        )
        .await;
    assert_eq!(status, Status::Created, "{body}");
    let report = serde_json::from_str::<Value>(&body).unwrap()["id"]
        .as_i64()
        .unwrap();
    let (status, body) = w
        .app
        .send_json(
            Method::Post,
            &format!("/api/v1/audit-reports/{report}/review"),
            &json!({"decision": "accept", "accepted_on": "2025-11-01"}),
        )
        .await;
    assert_eq!(status, Status::Ok, "{body}");
}

/// Hands in a check sheet for the bid as the vendor; answers the status.
async fn hand_in(vendor: &common::Browser, bid: i64, sheet: Vec<u8>) -> Status {
    vendor
        .post_bytes(
            &format!("/api/v1/bids/{bid}/checklists?file_name=sheet.xlsx"),
            sheet,
        )
        .await
        .status()
}

#[rocket::async_test]
async fn an_accepted_audit_and_the_bid_sheet_earn_points_that_name_their_source() {
    let w = world().await;
    let (clean, clean_id) = w.vendor(201, "誠実データ株式会社").await;
    let contract = w
        .contract("R7-001", clean_id, "2025-04-01", "2027-03-31")
        .await;
    accepted_audit(&w, contract).await;
    let tender = w.tender(false, None).await;
    let clean_bid = w.bid(tender, &clean).await;
    // Bidders are asked for the check sheet and hand it in through the vendor portal.
    let vendor = w
        .app
        .browser_as("bid@test.itaku.example", Role::Vendor, Some(&clean), &[])
        .await;
    let (status, bids) = vendor.get_json("/api/v1/bids").await;
    assert_eq!(status, Status::Ok);
    assert_eq!(bids["total"], 1);
    let sheet = common::filled_check_sheet(&clean, |id| match id {
        "A-3" => "一部",
        "B-1" => "該当なし",
        _ => "はい",
    });
    assert_eq!(hand_in(&vendor, clean_bid, sheet).await, Status::Created);

    let rating = w.rating(tender).await;
    let good = bidder(&rating, &clean);
    let audit = line(good, "audit");
    assert_eq!(audit["points"], 2.0, "{audit}");
    assert!(
        audit["evidence"].as_str().unwrap().contains("R7-001"),
        "{audit}"
    );
    let checklist = line(good, "checklist");
    // 49 items answered はい or 一部 (A-3, weight 1) with B-1 left out: (weighted 57.5 of 58) × 3 → 2.97.
    let evidence = checklist["evidence"].as_str().unwrap();
    assert!(
        evidence.contains("入札時提出 第1版") && evidence.contains("該当なし 1"),
        "{checklist}"
    );
    let share = checklist["points"].as_f64().unwrap();
    assert!(share > 2.9 && share < 3.0, "{checklist}");
    assert_eq!(good["disqualified"], false);
    assert_eq!(line(good, "retention_violation")["points"], 0.0);
}

#[rocket::async_test]
async fn no_other_vendor_can_hand_in_see_or_rate_a_bid() {
    let w = world().await;
    let (clean, _) = w.vendor(201, "誠実データ株式会社").await;
    let (careless, _) = w.vendor(202, "保持印刷株式会社").await;
    let tender = w.tender(false, None).await;
    let clean_bid = w.bid(tender, &clean).await;
    let careless_bid = w.bid(tender, &careless).await;
    let other = w
        .app
        .browser_as(
            "other@test.itaku.example",
            Role::Vendor,
            Some(&careless),
            &[],
        )
        .await;
    let sheet = common::filled_check_sheet(&careless, |_| "はい");
    assert_eq!(hand_in(&other, clean_bid, sheet).await, Status::NotFound);
    assert_eq!(
        other.get_html(&format!("/bids/{clean_bid}")).await.0,
        Status::NotFound
    );
    assert_eq!(
        other
            .get_json(&format!("/api/v1/tenders/{tender}/rating"))
            .await
            .0,
        Status::Forbidden
    );
    // A sheet naming another company is refused, even for the vendor's own bid.
    let sheet = common::filled_check_sheet(&clean, |_| "はい");
    assert_eq!(
        hand_in(&other, careless_bid, sheet).await,
        Status::UnprocessableEntity
    );
    let (_, bids) = other.get_json("/api/v1/bids").await;
    assert_eq!(bids["total"], 1, "only its own bid: {bids}");
}

#[rocket::async_test]
async fn retained_data_and_a_mandatory_no_disqualify_a_bidder_and_rank_it_last() {
    let w = world().await;
    let (clean, _) = w.vendor(201, "誠実データ株式会社").await;
    let (careless, careless_id) = w.vendor(202, "保持印刷株式会社").await;
    // The careless vendor's contract ended 2025-03-31; its data was never certified deleted.
    w.contract("R6-009", careless_id, "2024-04-01", "2025-03-31")
        .await;
    let tender = w.tender(false, None).await;
    w.bid(tender, &clean).await;
    let careless_bid = w.bid(tender, &careless).await;
    let vendor = w
        .app
        .browser_as("v@test.itaku.example", Role::Vendor, Some(&careless), &[])
        .await;
    let sheet =
        common::filled_check_sheet(&careless, |id| if id == "A-1" { "いいえ" } else { "はい" });
    assert_eq!(hand_in(&vendor, careless_bid, sheet).await, Status::Created);

    let rating = w.rating(tender).await;
    let bad = bidder(&rating, &careless);
    assert_eq!(bad["disqualified"], true);
    assert_eq!(bad["grade"], "不適合");
    assert!(bad["rank"].is_null());
    assert!(bad["flags"][0].as_str().unwrap().contains("A-1"), "{bad}");
    let retention = line(bad, "retention_violation");
    assert_eq!(retention["points"], -3.0, "{retention}");
    assert!(
        retention["evidence"].as_str().unwrap().contains("R6-009"),
        "{retention}"
    );
    assert_eq!(
        rating["bidders"][1]["identifier"],
        careless.as_str(),
        "disqualified bidders come last"
    );

    // The tender page ranks them side by side, with the explanation per rule.
    let (status, html) = w.app.admin.get_html(&format!("/tenders/{tender}")).await;
    assert_eq!(status, Status::Ok);
    assert!(
        html.contains("誠実データ株式会社") && html.contains("不適合") && html.contains("R6-009")
    );
}

#[rocket::async_test]
async fn a_finalized_rating_keeps_its_numbers_after_the_records_change() {
    let w = world().await;
    let (number, vendor_id) = w.vendor(301, "確定前株式会社").await;
    let certificate = w.certify(vendor_id, isms("2027-03-31", "IS 400")).await;
    let tender = w.tender(false, None).await;
    w.bid(tender, &number).await;
    let (status, frozen) = w
        .app
        .send_json(
            Method::Post,
            &format!("/api/v1/tenders/{tender}/finalize"),
            &json!({}),
        )
        .await;
    assert_eq!(status, Status::Ok, "{frozen}");
    assert_eq!(frozen["finalized"], true);
    assert_eq!(bidder(&frozen, &number)["points"], 4.0);

    // The certificate is later found to have lapsed before the evaluation date.
    let (status, body) = w
        .app
        .send_json(
            Method::Put,
            &format!("/api/v1/certifications/{certificate}"),
            &isms("2026-01-31", "IS 400"),
        )
        .await;
    assert_eq!(status, Status::Ok, "{body}");
    let after = w.rating(tender).await;
    assert_eq!(
        after["bidders"], frozen["bidders"],
        "the frozen rating does not move"
    );
    assert!(line(bidder(&after, &number), "isms")["evidence"]
        .as_str()
        .unwrap()
        .contains("令和9年3月31日"));

    // It cannot be re-rated or changed, only copied into a new evaluation, which sees today's records.
    let (status, _) = w
        .app
        .send_json(
            Method::Post,
            &format!("/api/v1/tenders/{tender}/finalize"),
            &json!({}),
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    let (status, _) = w
        .app
        .send_json(
            Method::Post,
            &format!("/api/v1/tenders/{tender}/bidders"),
            &json!({"corporate_number": NTA}),
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    let (status, copy) = w
        .app
        .send_json(
            Method::Post,
            &format!("/api/v1/tenders/{tender}/copy"),
            &json!({}),
        )
        .await;
    assert_eq!(status, Status::Created, "{copy}");
    let again = w.rating(copy["id"].as_i64().unwrap()).await;
    assert_eq!(again["finalized"], false);
    let isms_line = line(bidder(&again, &number), "isms");
    assert_eq!(isms_line["points"], 0.0);
    assert!(
        isms_line["reason"]
            .as_str()
            .unwrap()
            .contains("令和8年1月31日"),
        "{isms_line}"
    );
}

fn policy_with_isms(points: u32, version: u32) -> String {
    itaku::rating::policy::BUILTIN
        .replace("version = 1", &format!("version = {version}"))
        .replace(
            "points = 4\nscope_confirmation",
            &format!("points = {points}\nscope_confirmation"),
        )
}

#[rocket::async_test]
async fn policy_files_are_checked_and_a_used_version_is_only_superseded() {
    let w = world().await;
    let admin = &w.app.admin;
    // A mistake is reported with its line and key, and nothing is stored.
    let broken = itaku::rating::policy::BUILTIN.replace("scheme = \"ismap\"", "scheme = \"isnap\"");
    let Reply {
        status, body: html, ..
    } = admin
        .post_multipart("/admin/policies", &[], Some(("p.toml", broken.as_bytes())))
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(
        html.contains("行目 rules[2].scheme") && html.contains("isnap"),
        "{html}"
    );
    let Reply {
        status, body: html, ..
    } = admin
        .post_multipart(
            "/admin/policies",
            &[],
            Some(("p.toml", b"id = \"x\"\nversion = \n")),
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(html.contains("2行目"), "{html}");

    let version_2 = policy_with_isms(5, 2);
    let Reply {
        status, location, ..
    } = admin
        .post_multipart(
            "/admin/policies",
            &[],
            Some(("v2.toml", version_2.as_bytes())),
        )
        .await;
    assert_eq!(status, Status::SeeOther);
    assert_eq!(
        location.as_deref(),
        Some("/admin/policies?added=itaku-standard@2")
    );
    let (number, vendor_id) = w.vendor(401, "方針株式会社").await;
    w.certify(vendor_id, isms("2027-03-31", "IS 500")).await;
    let latest = w.tender(false, None).await;
    w.bid(latest, &number).await;
    let rating = w.rating(latest).await;
    assert_eq!(
        rating["policy"], "itaku-standard@2",
        "a new tender takes the latest version"
    );
    assert_eq!(line(bidder(&rating, &number), "isms")["points"], 5.0);

    // Version 2 is now used: changing it in place is refused; a version 3 supersedes it.
    let changed = policy_with_isms(6, 2);
    let Reply {
        status, body: html, ..
    } = admin
        .post_multipart(
            "/admin/policies",
            &[],
            Some(("v2.toml", changed.as_bytes())),
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(html.contains("使用済み"), "{html}");
    let Reply { status, .. } = admin
        .post_multipart(
            "/admin/policies",
            &[],
            Some(("v3.toml", policy_with_isms(6, 3).as_bytes())),
        )
        .await;
    assert_eq!(status, Status::SeeOther);
    assert_eq!(
        w.rating(latest).await["policy"],
        "itaku-standard@2",
        "a tender keeps its version"
    );
    let (status, error) = w
        .app
        .send_json(Method::Post, "/api/v1/tenders", &json!({"title": "x", "department_id": w.department_id,
                                                       "evaluation_date": "2026-04-01", "policy": "itaku-standard@9"}))
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert_eq!(error["errors"][0]["field"], "policy");
}

#[rocket::async_test]
async fn the_evaluation_sheet_has_a_row_per_bidder_and_a_column_per_rule() {
    use calamine::{Reader, Xlsx};
    let w = world().await;
    let (first, first_id) = w.vendor(501, "=HYPERLINK(\"http://x\")株式会社").await;
    let (second, _) = w.vendor(502, "二番株式会社").await;
    w.certify(first_id, isms("2027-03-31", "IS 600")).await;
    let tender = w.tender(true, None).await;
    w.bid(tender, &first).await;
    w.bid(tender, &second).await;
    let response = w
        .app
        .admin
        .client
        .get(format!("/tenders/{tender}/evaluation.xlsx"))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    let bytes = response.into_bytes().await.unwrap();
    let mut workbook: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(workbook.sheet_names(), ["評価表", "内訳", "評価基準"]);
    let table = workbook.worksheet_range("評価表").unwrap();
    let rows: Vec<Vec<String>> = table
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    let header = rows
        .iter()
        .position(|r| r.first().is_some_and(|c| c == "順位"))
        .unwrap();
    let columns = &rows[header];
    assert_eq!(
        &columns[..4],
        ["順位", "法人番号等", "事業者名", "ISMS認証"]
    );
    assert!(columns.ends_with(&["合計", "満点", "評価", "判定", "備考"].map(String::from)));
    assert_eq!(columns.len(), 3 + 9 + 5);
    assert_eq!(rows[header + 1][1], first);
    assert_eq!(
        rows[header + 1][2],
        "=HYPERLINK(\"http://x\")株式会社",
        "vendor text stays text"
    );
    assert_eq!(rows[header + 1][0], "1");
    assert_eq!(rows[header + 1][3], "4");
    assert_eq!(rows[header + 2][1], second);
    let formulas = workbook.worksheet_formula("評価表").unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no formula in the sheet"
    );
    let rules = workbook.worksheet_range("評価基準").unwrap();
    let text: Vec<String> = rules
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect();
    assert!(text.iter().any(|t| t == "itaku-standard@1"));
    assert!(text.iter().any(|t| t.contains("有効期限日当日まで有効")));
}

#[rocket::async_test]
async fn officers_create_tenders_and_add_new_bidders_by_corporate_number_on_the_page() {
    let w = world().await;
    let officer = w
        .app
        .browser_as(
            "officer@test.itaku.example",
            Role::Officer,
            None,
            &[w.department_id],
        )
        .await;
    let Reply {
        status, body: html, ..
    } = officer
        .post_form(
            "/tenders",
            &[
                ("tender.title", ""),
                ("tender.evaluation_date", "令和8年13月1日"),
                ("tender.department_id", &w.department_id.to_string()),
            ],
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(
        html.contains("件名を入力してください") && html.contains("評価日"),
        "{html}"
    );
    let Reply {
        status, location, ..
    } = officer
        .post_form(
            "/tenders",
            &[
                ("tender.title", "窓口業務委託"),
                ("tender.evaluation_date", "R8.4.1"),
                ("tender.department_id", &w.department_id.to_string()),
                ("tender.uses_cloud", "true"),
            ],
        )
        .await;
    assert_eq!(status, Status::SeeOther);
    let page = location.unwrap();
    let id: i64 = page.trim_start_matches("/tenders/").parse().unwrap();
    let (_, list) = officer.get_html("/tenders").await;
    assert!(
        list.contains("Itaku 標準 情報セキュリティ加点方針（itaku-standard@1）"),
        "the policy is named by its title: {list}"
    );
    let new_number = corporate_number(601);
    let Reply {
        status, body: html, ..
    } = officer
        .post_form(
            &format!("/tenders/{id}/bidders"),
            &[("bidder.identifier", &new_number)],
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(html.contains("登録されていません"), "{html}");
    let Reply { status, .. } = officer
        .post_form(
            &format!("/tenders/{id}/bidders"),
            &[
                ("bidder.identifier", &new_number),
                ("bidder.name", "新規参入株式会社"),
            ],
        )
        .await;
    assert_eq!(status, Status::SeeOther);
    let Reply { status, .. } = officer
        .post_form(&format!("/tenders/{id}/request"), &[])
        .await;
    assert_eq!(status, Status::SeeOther);
    let (_, html) = officer.get_html(&page).await;
    assert!(
        html.contains("新規参入株式会社") && html.contains("提出依頼済み"),
        "{html}"
    );
    let (_, detail) = w.app.get_json(&format!("/api/v1/tenders/{id}")).await;
    assert_eq!(detail["tender"]["uses_cloud"], true);
    assert_eq!(detail["tender"]["evaluation_date"], "2026-04-01");
    assert!(detail["bidders"][0]["checklist_requested_at"].is_string());
    // An officer of another department sees nothing of it.
    let (other_department, _) = w
        .app
        .seed_department_and_vendor("市民課", common::TOYOTA, "株式会社B")
        .await;
    let stranger = w
        .app
        .browser_as(
            "stranger@test.itaku.example",
            Role::Officer,
            None,
            &[other_department],
        )
        .await;
    assert_eq!(stranger.get_html(&page).await.0, Status::NotFound);
    let (_, list) = stranger.get_json("/api/v1/tenders").await;
    assert_eq!(list["total"], 0);
}

/// Security finding 2: a vendor posted an ISMS and a METI ★4 certificate for itself (no file, body
/// 「自称」) and its score rose at once. Now a declared certificate earns nothing and counts in no KPI
/// until an officer of a department that works with the vendor verifies it; another department's
/// officer can neither verify it nor change the vendor; a vendor's later edit makes it declared again.
/// A ★4 certificate a bidder declared itself, with the bidder's and the tender department's browsers.
struct Declared {
    w: World,
    number: String,
    vendor_id: i64,
    tender: i64,
    vendor: common::Browser,
    officer: common::Browser,
    id: i64,
}

impl Declared {
    async fn new() -> Declared {
        let w = world().await;
        let (number, vendor_id) = w.vendor(201, "自己申告株式会社").await;
        let tender = w.tender(false, None).await;
        w.bid(tender, &number).await;
        let vendor = w
            .app
            .browser_as("self@vendor.example.jp", Role::Vendor, Some(&number), &[])
            .await;
        let officer = w
            .app
            .browser_as(
                "officer@city.example.jp",
                Role::Officer,
                None,
                &[w.department_id],
            )
            .await;
        let (status, declared) = vendor
            .send_json(
                Method::Post,
                &format!("/api/v1/vendors/{vendor_id}/certifications"),
                &json!({"scheme": "meti", "number": "M-4", "level": "★4", "certification_body": "自称",
                        "issued_on": "2025-10-01", "valid_until": "2027-09-30"}),
            )
            .await;
        assert_eq!(status, Status::Created, "{declared}");
        let id = declared["id"].as_i64().unwrap();
        Declared {
            w,
            number,
            vendor_id,
            tender,
            vendor,
            officer,
            id,
        }
    }

    /// The bidder's METI line in the tender's current rating.
    async fn meti(&self) -> Value {
        line(
            bidder(&self.w.rating(self.tender).await, &self.number),
            "meti",
        )
        .clone()
    }

    async fn verify(&self, by: &common::Browser, decision: Value) -> (Status, Value) {
        by.send_json(
            Method::Post,
            &format!("/api/v1/certifications/{}/verification", self.id),
            &decision,
        )
        .await
    }
}

fn verification() -> Value {
    json!({"decision": "verify", "note": "証明書原本"})
}

#[rocket::async_test]
async fn a_declared_certificate_earns_nothing_and_waits_for_the_officer() {
    let d = Declared::new().await;
    let unverified = d.meti().await;
    assert_eq!(unverified["points"], 0.0, "{unverified}");
    assert!(
        unverified["reason"]
            .as_str()
            .unwrap()
            .contains("未確認のため加点なし"),
        "{unverified}"
    );
    let (_, list) = d
        .vendor
        .get_json(&format!("/api/v1/vendors/{}/certifications", d.vendor_id))
        .await;
    assert_eq!(list["items"][0]["verification"], "declared");
    let (_, home) = d.officer.get_html("/").await;
    assert!(home.contains("確認待ちの認証") && home.contains("自己申告株式会社"));
}

#[rocket::async_test]
async fn neither_another_department_nor_the_vendor_may_verify_or_change_it() {
    let d = Declared::new().await;
    let (status, other_department) =
        d.w.app
            .send_json(
                Method::Post,
                "/api/v1/departments",
                &json!({"name": "市民課"}),
            )
            .await;
    assert_eq!(status, Status::Created);
    let other_officer =
        d.w.app
            .browser_as(
                "other@city.example.jp",
                Role::Officer,
                None,
                &[other_department["id"].as_i64().unwrap()],
            )
            .await;
    let (status, _) = d.verify(&other_officer, verification()).await;
    assert_eq!(status, Status::Forbidden);
    let (status, _) = other_officer
        .send_json(
            Method::Put,
            &format!("/api/v1/vendors/{}", d.vendor_id),
            &json!({"corporate_number": d.number, "name": "乗っ取り株式会社"}),
        )
        .await;
    assert_eq!(status, Status::Forbidden);
    let (status, _) = other_officer
        .send_json(
            Method::Put,
            &format!("/api/v1/certifications/{}", d.id),
            &json!({"scheme": "meti", "number": "M-5", "level": "★5", "valid_until": "2027-09-30"}),
        )
        .await;
    assert_eq!(status, Status::Forbidden);
    let (_, home) = other_officer.get_html("/").await;
    assert!(!home.contains("自己申告株式会社"));
    let (status, _) = d.verify(&d.vendor, verification()).await;
    assert_eq!(
        status,
        Status::Forbidden,
        "the vendor cannot verify its own"
    );
}

#[rocket::async_test]
async fn the_tenders_department_verifies_it_and_then_it_counts() {
    let d = Declared::new().await;
    let (status, refused) = d.verify(&d.officer, json!({"decision": "return"})).await;
    assert_eq!(
        status,
        Status::UnprocessableEntity,
        "a return needs a reason: {refused}"
    );
    let (status, verified) = d.verify(&d.officer, verification()).await;
    assert_eq!(status, Status::Ok, "{verified}");
    assert_eq!(verified["verification"], "verified");
    assert_eq!(verified["verified_by"], "officer@city.example.jp");
    assert!(d.meti().await["points"].as_f64().unwrap() > 0.0);
}

#[rocket::async_test]
async fn a_verified_certificate_the_vendor_changes_is_declared_again() {
    let d = Declared::new().await;
    let (status, _) = d.verify(&d.officer, verification()).await;
    assert_eq!(status, Status::Ok);
    let (status, _) = d
        .vendor
        .send_json(
            Method::Put,
            &format!("/api/v1/certifications/{}", d.id),
            &json!({"scheme": "meti", "number": "M-4", "level": "★5", "certification_body": "自称",
                    "issued_on": "2025-10-01", "valid_until": "2027-09-30"}),
        )
        .await;
    assert_eq!(status, Status::Ok);
    assert_eq!(d.meti().await["points"], 0.0);
    let summaries: Vec<(String,)> = sqlx::query_as(
        "SELECT summary FROM audit_log WHERE action = 'verify' AND entity_type = 'certification'",
    )
    .fetch_all(&mut *d.w.app.db.acquire().await.unwrap())
    .await
    .unwrap();
    assert_eq!(summaries.len(), 1, "only the verification that happened");
    assert!(summaries[0].0.starts_with("認証確認 自己申告株式会社"));
}
