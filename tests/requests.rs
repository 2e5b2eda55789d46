//! 年度一斉依頼: an officer previews and sends a request to the vendors of its department's contracts;
//! each vendor gets one e-mail naming all its contracts in it (and no other's), sees them on its home
//! page, and hands in; the request page counts 提出済 / 確認待ち / 差戻し / 未提出 and exports; another
//! department's officer and vendors cannot send one for contracts they do not hold; reminders chase
//! what is not handed in. Both databases, through a real SMTP server.

mod common;
use common::Reply;
use common::{Method, Role};

use common::smtp::{SmtpSink, VENDOR_A, VENDOR_B};
use common::{TestApp, NTA};
use rocket::http::Status;
use serde_json::json;

struct World {
    app: TestApp,
    sink: SmtpSink,
    officer: common::Browser,
    other_officer: common::Browser,
    vendor_a: common::Browser,
    zeimu: i64,
    contracts: Vec<i64>,
}

async fn world() -> World {
    let sink = SmtpSink::start();
    let (app, ids) = common::smtp::app_with_two_vendors(&sink).await;
    let (zeimu, shimin, vendor_a, vendor_b) = (ids.zeimu, ids.shimin, ids.vendor_a, ids.vendor_b);
    let mut contracts = Vec::new();
    for (number, department, vendor, important) in [
        ("A-1", zeimu, vendor_a, "important"),
        ("A-2", zeimu, vendor_a, "important"),
        ("B-1", zeimu, vendor_b, "important"),
        ("B-2", shimin, vendor_b, "important"),
        ("A-3", zeimu, vendor_a, "通常"),
    ] {
        let (status, created) = app
            .send_json(
                Method::Post,
                "/api/v1/contracts",
                &json!({"contract_number": number, "title": format!("{number}の業務"), "department_id": department,
                        "vendor_id": vendor, "start_date": "2025-04-01", "end_date": "2028-03-31",
                        "importance": important, "handles_personal_data": true}),
            )
            .await;
        assert_eq!(status, Status::Created, "{created}");
        contracts.push(created["id"].as_i64().unwrap());
    }
    let officer = app
        .browser_as("zeimu@city.example.jp", Role::Officer, None, &[zeimu])
        .await;
    let other_officer = app
        .browser_as("shimin@city.example.jp", Role::Officer, None, &[shimin])
        .await;
    let vendor_a = app
        .browser_as("staff@vendor-a.example.jp", Role::Vendor, Some(NTA), &[])
        .await;
    World {
        app,
        sink,
        officer,
        other_officer,
        vendor_a,
        zeimu,
        contracts,
    }
}

fn form(department: i64, confirm: bool) -> Vec<(String, String)> {
    let mut fields = vec![
        (
            "request.title",
            "令和8年度 セキュリティチェックシートの提出",
        ),
        ("request.fiscal_year", "令和8年度"),
        ("request.important_only", "true"),
        ("request.wants_checklist", "true"),
        ("request.due_on", "2027-05-31"),
        ("request.message", "年度初めの確認にご協力ください。"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect::<Vec<_>>();
    fields.push(("request.department_id".into(), department.to_string()));
    if confirm {
        fields.push(("confirm".into(), "true".into()));
    }
    fields
}

async fn post(browser: &common::Browser, fields: &[(String, String)]) -> Reply {
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    browser.post_form("/requests", &pairs).await
}

async fn wait_for_mail(sink: &SmtpSink, count: usize) -> Vec<common::smtp::Received> {
    for _ in 0..100 {
        let received = sink.received();
        if received.len() >= count {
            return received;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    sink.received()
}

#[rocket::async_test]
async fn a_request_reaches_each_vendor_once_and_shows_its_progress() {
    let w = world().await;
    // Preview: the important contracts of 税務課 active in FY2026, not yet sent.
    let Reply {
        status, body: page, ..
    } = post(&w.officer, &form(w.zeimu, false)).await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("依頼先（3件）"), "{page}");
    assert!(page.contains("A-1") && page.contains("B-1") && !page.contains("A-3"));
    assert!(w.sink.received().is_empty(), "a preview sends nothing");

    // Another department's officer cannot send for 税務課; a vendor cannot send at all.
    let Reply { status, .. } = post(&w.other_officer, &form(w.zeimu, true)).await;
    assert_eq!(status, Status::UnprocessableEntity);
    let (status, _) = w
        .vendor_a
        .send_json(
            Method::Post,
            "/api/v1/requests",
            &json!({"title": "x", "fiscal_year": "2026", "wants_checklist": true, "due_on": "2027-05-31"}),
        )
        .await;
    assert_eq!(status, Status::Forbidden);

    let Reply {
        status, location, ..
    } = post(&w.officer, &form(w.zeimu, true)).await;
    assert_eq!(status, Status::SeeOther);
    let location = location.unwrap();
    assert!(location.starts_with("/requests/"), "{location}");

    // One message per vendor address (vendor A's contact and its user, vendor B's contact), each
    // naming only its own contracts.
    let received = wait_for_mail(&w.sink, 3).await;
    assert_eq!(received.len(), 3, "{received:?}");
    let to_a = received.iter().find(|m| m.to == [VENDOR_A]).unwrap();
    let to_b = received.iter().find(|m| m.to == [VENDOR_B]).unwrap();
    assert!(to_a.text.contains("A-1") && to_a.text.contains("A-2") && !to_a.text.contains("B-1"));
    assert!(to_b.text.contains("B-1") && !to_b.text.contains("A-1") && !to_b.text.contains("B-2"));
    assert!(to_a.subject.contains("令和8年度") && to_a.subject.contains("令和9年5月31日"));
    assert!(to_a.text.contains("年度初めの確認にご協力ください。"));

    // The vendor sees the request on its home page.
    let (_, portal) = w.vendor_a.get_html("/").await;
    assert!(portal.contains("令和8年度 セキュリティチェックシートの提出"));
    assert!(portal.contains("A-1の業務") && portal.contains("未提出"));

    // It hands one in; the officer returns it; then hands in again and it is approved.
    let sheet = common::filled_check_sheet(NTA, |_| "はい");
    let submission = w.app.submit_check_sheet(w.contracts[0], sheet).await;
    let (status, progress) = w.officer.get_json(&format!("/api/v1{location}")).await;
    assert_eq!(status, Status::Ok);
    assert_eq!(progress["tally"]["waiting"], 1);
    assert_eq!(progress["tally"]["missing"], 2);
    let (status, _) = w
        .officer
        .send_json(
            Method::Post,
            &format!("/api/v1/checklists/{submission}/review"),
            &json!({"decision": "approve"}),
        )
        .await;
    assert_eq!(status, Status::Ok);
    let (_, page) = w.officer.get_html(&location).await;
    assert!(
        page.contains("提出済 <strong>1</strong>") && page.contains("未提出 <strong>2</strong>"),
        "{page}"
    );
    assert!(page.contains("<progress"));

    // The workbook, and its export in the audit log.
    let response = w
        .officer
        .client
        .get(format!("{location}/export.xlsx"))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert!(response.into_bytes().await.unwrap().starts_with(b"PK"));
    let (_, log) = w.app.get_html("/audit?action=export").await;
    assert!(log.contains("一斉依頼の状況を出力"));

    // A week before the due date, the vendors are reminded of what is not handed in.
    let mailer = itaku::mail::Mailer::from_settings(&w.app.settings)
        .unwrap()
        .unwrap();
    let report = itaku::services::reminders::run(
        &w.app.db,
        &w.app.settings,
        Some(&mailer),
        "2027-05-24".parse().unwrap(),
        false,
    )
    .await
    .unwrap();
    let mut chased: Vec<String> = report
        .messages
        .iter()
        .filter(|m| m.obligation.starts_with("request:") && m.status == "sent")
        .map(|m| format!("{} {}", m.to, m.contract_number))
        .collect();
    chased.sort();
    assert_eq!(
        chased,
        [
            format!("{VENDOR_A} A-2"),
            format!("{VENDOR_B} B-1"),
            "staff@vendor-a.example.jp A-2".to_string()
        ],
        "{report:?}"
    );
}
