//! Incidents at contractors: a vendor's report judged against the contract's reporting clause by the
//! server's receipt time (59 minutes on time, 61 late), a staff-recorded incident (not reported by
//! the vendor), the officer and the CISO told at once through a real SMTP server, the timeline of
//! follow-ups, the dashboard's count, and a vendor refused another vendor's contract.

mod common;
use common::smtp::SmtpSink;
use common::{Method, Role, NTA, TOYOTA};
use rocket::http::Status;
use serde_json::{json, Value};

const OFFICER: &str = "zeimu@city.example.jp";
const CISO: &str = "ciso@city.example.jp";

struct World {
    app: common::TestApp,
    sink: SmtpSink,
    vendor: common::Browser,
    officer: common::Browser,
    contract_id: i64,
}

async fn world() -> World {
    let sink = SmtpSink::start();
    let (app, ids) = common::smtp::app_with_two_vendors(&sink).await;
    let (status, created) = app
        .send_json(
            Method::Post,
            "/api/v1/contracts",
            &json!({"contract_number": "R8-501", "title": "住民税通知書の印刷", "department_id": ids.zeimu,
                    "vendor_id": ids.vendor_a, "start_date": "2026-04-01", "end_date": "2027-03-31",
                    "importance": "重要"}),
        )
        .await;
    assert_eq!(status, Status::Created, "{created}");
    common::add_user(&app.db, CISO, Role::Ciso, None, &[]).await;
    let vendor = app
        .browser_as("staff@vendor-a.example.jp", Role::Vendor, Some(NTA), &[])
        .await;
    let officer = app
        .browser_as(OFFICER, Role::Officer, None, &[ids.zeimu])
        .await;
    World {
        contract_id: created["id"].as_i64().unwrap(),
        app,
        sink,
        vendor,
        officer,
    }
}

/// An RFC 3339 time `minutes` ago.
fn minutes_ago(minutes: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::minutes(minutes)).to_rfc3339()
}

impl World {
    async fn report(&self, who: &common::Browser, aware_minutes_ago: i64) -> (Status, Value) {
        who.send_json(
            Method::Post,
            &format!("/api/v1/contracts/{}/incidents", self.contract_id),
            &json!({"occurred_at": minutes_ago(aware_minutes_ago + 30), "aware_at": minutes_ago(aware_minutes_ago),
                    "summary": "委託先の作業用PCがランサムウェアに感染した", "personal_data": true,
                    "records": 152000, "actions": "PCをネットワークから切り離した"}),
        )
        .await
    }
}

#[rocket::async_test]
async fn a_report_59_minutes_after_awareness_is_on_time_and_61_is_late_by_a_minute() {
    let w = world().await;
    let (status, on_time) = w.report(&w.vendor, 59).await;
    assert_eq!(status, Status::Created, "{on_time}");
    assert_eq!(on_time["on_time"], true, "{on_time}");
    assert_eq!(on_time["minutes_late"], 0);
    assert_eq!(on_time["reported_by_vendor"], true);
    let (status, late) = w.report(&w.vendor, 61).await;
    assert_eq!(status, Status::Created, "{late}");
    assert_eq!(late["on_time"], false, "{late}");
    assert_eq!(late["minutes_late"], 1, "{late}");
    let reported: chrono::DateTime<chrono::Utc> =
        late["reported_at"].as_str().unwrap().parse().unwrap();
    let deadline: chrono::DateTime<chrono::Utc> =
        late["deadline"].as_str().unwrap().parse().unwrap();
    assert!((reported - deadline).num_seconds() >= 60);

    // Times typed in 和暦, and bad ones named by field.
    let (status, typed) = w
        .vendor
        .send_json(
            Method::Post,
            &format!("/api/v1/contracts/{}/incidents", w.contract_id),
            &json!({"aware_at": "令和8年4月1日 9時00分", "summary": "誤送付"}),
        )
        .await;
    assert_eq!(status, Status::Created, "{typed}");
    assert_eq!(typed["deadline"], "2026-04-01T01:00:00Z");
    let (status, refused) = w
        .vendor
        .send_json(
            Method::Post,
            &format!("/api/v1/contracts/{}/incidents", w.contract_id),
            &json!({"aware_at": "あした", "occurred_at": "2999-01-01 10:00", "summary": ""}),
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity, "{refused}");
    let fields = common::error_fields(&refused);
    for field in ["aware_at", "occurred_at", "summary"] {
        assert!(fields.contains(&field), "{field}: {refused}");
    }

    let (_, all) = w.app.get_json("/api/v1/reports/all").await;
    let incidents = &all["incidents"];
    assert_eq!(
        incidents["open"].as_array().unwrap().len(),
        3,
        "{incidents}"
    );
    assert_eq!(incidents["on_time"], 1, "{incidents}");
    assert_eq!(incidents["late"], 2, "{incidents}");

    let (status, report) = w.app.get_json("/api/v1/reports/incidents").await;
    assert_eq!(status, Status::Ok);
    assert_eq!(
        report["late_reports"].as_array().unwrap().len(),
        2,
        "{report}"
    );
    let response = w.app.client.get("/reports/incidents.xlsx").dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    let bytes = response.into_bytes().await.unwrap();
    let mut workbook = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = calamine::Reader::worksheet_range(&mut workbook, "インシデント").unwrap();
    let text: Vec<String> = sheet.used_cells().map(|(_, _, v)| v.to_string()).collect();
    assert!(
        text.iter()
            .any(|t| t.contains("期限内 1件") && t.contains("期限後 2件")),
        "{text:?}"
    );
    assert_eq!(
        text.iter().filter(|t| t.ends_with("分遅れ")).count(),
        2,
        "{text:?}"
    );
}

#[rocket::async_test]
async fn the_officer_and_the_ciso_hear_at_once_and_the_timeline_follows_to_the_final_report() {
    let w = world().await;
    let (status, received) = w.report(&w.vendor, 10).await;
    assert_eq!(status, Status::Created, "{received}");
    let id = received["id"].as_i64().unwrap();
    let mut mail = Vec::new();
    for _ in 0..100 {
        mail = w.sink.received();
        if mail.len() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let recipients: Vec<&str> = mail
        .iter()
        .flat_map(|m| m.to.iter())
        .map(String::as_str)
        .collect();
    assert!(recipients.contains(&OFFICER), "{recipients:?}");
    assert!(recipients.contains(&CISO), "{recipients:?}");
    assert!(
        !recipients.contains(&"staff@vendor-a.example.jp"),
        "the vendor is not mailed its own report"
    );
    let to_ciso = mail.iter().find(|m| m.to == [CISO]).unwrap();
    assert!(
        to_ciso.subject.contains("至急") && to_ciso.subject.contains("R8-501"),
        "{}",
        to_ciso.subject
    );
    assert!(
        to_ciso.text.contains("ランサムウェア") && to_ciso.text.contains("152,000件"),
        "{}",
        to_ciso.text
    );
    let (_, inbox) = w.officer.get_html("/notifications").await;
    assert!(inbox.contains("事故報告 R8-501"), "{inbox}");

    let (status, body) = w
        .vendor
        .send_json(
            Method::Post,
            &format!("/api/v1/incidents/{id}/updates"),
            &json!({"kind": "note", "body": "事業者は本市の記録を書けない"}),
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity, "{body}");
    for (who, kind, text) in [
        (&w.vendor, "follow_up", "感染端末は1台、外部送信の痕跡なし"),
        (&w.officer, "note", "CSIRT に共有、県へ第一報"),
        (&w.vendor, "final", "復旧し、再発防止策を実施した"),
    ] {
        let (status, body) = who
            .send_json(
                Method::Post,
                &format!("/api/v1/incidents/{id}/updates"),
                &json!({"kind": kind, "body": text}),
            )
            .await;
        assert_eq!(status, Status::Ok, "{kind}: {body}");
    }
    let (_, list) = w
        .vendor
        .get_json(&format!("/api/v1/contracts/{}/incidents", w.contract_id))
        .await;
    let incident = &list["items"][0];
    assert_eq!(incident["status"], "closed", "a final report closes it");
    let kinds: Vec<&str> = incident["updates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["first", "follow_up", "note", "final"]);
    let (_, all) = w.app.get_json("/api/v1/reports/all").await;
    assert!(
        all["incidents"]["open"].as_array().unwrap().is_empty(),
        "{all}"
    );
    assert_eq!(all["incidents"]["this_year"], 1);
}

#[rocket::async_test]
async fn an_incident_staff_learnt_of_elsewhere_is_not_reported_by_the_vendor() {
    let w = world().await;
    let (status, recorded) = w.report(&w.officer, 5).await;
    assert_eq!(status, Status::Created, "{recorded}");
    assert_eq!(recorded["reported_by_vendor"], false);
    assert_eq!(recorded["on_time"], false, "{recorded}");
    let (_, all) = w.app.get_json("/api/v1/reports/all").await;
    assert_eq!(all["incidents"]["unreported"], 1, "{all}");
    let (_, page) = w
        .officer
        .get_html(&format!("/contracts/{}", w.contract_id))
        .await;
    assert!(page.contains("事業者からの報告なし"), "{page}");
    let (_, dashboard) = w.app.get_html("/dashboard").await;
    assert!(dashboard.contains("対応中の事故（1件）"), "{dashboard}");
}

#[rocket::async_test]
async fn a_vendor_cannot_report_against_another_vendors_contract() {
    let w = world().await;
    let other = w
        .app
        .browser_as("staff@vendor-b.example.jp", Role::Vendor, Some(TOYOTA), &[])
        .await;
    let (status, _) = w.report(&other, 5).await;
    assert_eq!(status, Status::NotFound);
    let (status, _) = other
        .get_json(&format!("/api/v1/contracts/{}/incidents", w.contract_id))
        .await;
    assert_eq!(status, Status::NotFound);
    let (_, received) = w.report(&w.vendor, 5).await;
    let (status, _) = other
        .send_json(
            Method::Post,
            &format!("/api/v1/incidents/{}/updates", received["id"]),
            &json!({"kind": "follow_up", "body": "なりすまし"}),
        )
        .await;
    assert_eq!(status, Status::NotFound);
    let (status, _) = w
        .app
        .browser_as("ciso2@city.example.jp", Role::Ciso, None, &[])
        .await
        .send_json(
            Method::Post,
            &format!("/api/v1/contracts/{}/incidents", w.contract_id),
            &json!({"aware_at": minutes_ago(1), "summary": "x"}),
        )
        .await;
    assert_eq!(
        status,
        Status::Forbidden,
        "the CISO reads, the officer records"
    );
}
