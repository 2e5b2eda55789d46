//! Reminders through a real SMTP server (aiosmtpd, `tests/smtp/smtp_sink.py`): who gets which message on
//! which day, in Japanese, naming only the recipient's own contracts; a run repeated on the same day
//! sends nothing; a missed run is caught up with the latest stage; a moved deadline starts its stages
//! again; an obligation met in time is not chased; with the SMTP server down nothing is lost; two
//! servers running at once send each message once; the CLI's JSON and exit codes. Both databases.

mod common;
use common::{Method, Reply, Role};

use common::smtp::{SmtpSink, VENDOR_A, VENDOR_B};
use common::{TestApp, NTA};
use itaku::mail::Mailer;
use itaku::services::reminders::{self, RunReport};
use rocket::http::Status;
use serde_json::json;

const VENDOR_A_USER: &str = "staff@vendor-a.example.jp";
const OFFICER_A: &str = "zeimu@city.example.jp";
const OFFICER_B: &str = "shimin@city.example.jp";
const CISO: &str = "ciso@city.example.jp";

struct World {
    app: TestApp,
    sink: SmtpSink,
    contract_a: i64,
    contract_b: i64,
    zeimu: i64,
}

async fn world() -> World {
    let sink = SmtpSink::start();
    let (app, ids) = common::smtp::app_with_two_vendors(&sink).await;
    let (zeimu, shimin, vendor_a, vendor_b) = (ids.zeimu, ids.shimin, ids.vendor_a, ids.vendor_b);
    common::add_user(&app.db, VENDOR_A_USER, Role::Vendor, Some(NTA), &[]).await;
    common::add_user(&app.db, OFFICER_A, Role::Officer, None, &[zeimu]).await;
    common::add_user(&app.db, OFFICER_B, Role::Officer, None, &[shimin]).await;
    common::add_user(&app.db, CISO, Role::Ciso, None, &[]).await;
    let contract = |number: &str, title: &str, department: i64, vendor: i64| {
        json!({"contract_number": number, "title": title, "department_id": department, "vendor_id": vendor,
               "start_date": "2025-04-01", "end_date": "2026-03-31", "deletion_days": "30",
               "handles_personal_data": true})
    };
    let mut ids = Vec::new();
    for body in [
        contract("A-1", "住民税通知書の印刷", zeimu, vendor_a),
        contract("B-1", "証明書の配送", shimin, vendor_b),
    ] {
        let (status, created) = app
            .send_json(Method::Post, "/api/v1/contracts", &body)
            .await;
        assert_eq!(status, Status::Created, "{created}");
        ids.push(created["id"].as_i64().unwrap());
    }
    World {
        app,
        sink,
        contract_a: ids[0],
        contract_b: ids[1],
        zeimu,
    }
}

impl World {
    async fn run(&self, as_of: &str) -> RunReport {
        let mailer = Mailer::from_settings(&self.app.settings).unwrap().unwrap();
        reminders::run(
            &self.app.db,
            &self.app.settings,
            Some(&mailer),
            as_of.parse().unwrap(),
            false,
        )
        .await
        .unwrap()
    }
}

/// The (recipient, stage) pairs of a run's messages about data deletion, sorted.
fn deletion(report: &RunReport, status: &str) -> Vec<(String, String)> {
    let mut lines: Vec<(String, String)> = report
        .messages
        .iter()
        .filter(|m| m.obligation.starts_with("deletion:") && m.status == status)
        .map(|m| (m.to.clone(), m.stage.clone()))
        .collect();
    lines.sort();
    lines
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = list
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    pairs.sort();
    pairs
}

#[rocket::async_test]
async fn each_vendor_is_reminded_30_days_ahead_of_its_own_contracts_only() {
    let w = world().await;
    // 29 days before the deletion deadline (令和8年4月30日): the vendors' 30-day reminder.
    let first = w.run("2026-04-01").await;
    assert_eq!(first.failed, 0, "{first:?}");
    assert_eq!(
        deletion(&first, "sent"),
        pairs(&[
            (VENDOR_A, "before-30"),
            (VENDOR_A_USER, "before-30"),
            (VENDOR_B, "before-30")
        ])
    );
    let received = w.sink.received();
    let to_a: Vec<_> = received
        .iter()
        .filter(|m| m.to.iter().any(|t| t == VENDOR_A || t == VENDOR_A_USER))
        .collect();
    assert!(!to_a.is_empty());
    for message in &to_a {
        assert!(
            !message.text.contains("B-1") && !message.text.contains("にほへ"),
            "vendor A is told only of its own contracts: {}",
            message.text
        );
    }
    let deletion_mail = to_a
        .iter()
        .find(|m| m.to == [VENDOR_A] && m.subject.contains("データ"))
        .expect("the deletion reminder to vendor A");
    assert!(
        deletion_mail.subject.contains("A-1"),
        "{}",
        deletion_mail.subject
    );
    assert!(deletion_mail.from.contains("itaku@city.example.jp"));
    for needle in [
        "株式会社いろは印刷 ご担当者様",
        "契約番号: A-1",
        "件名: 住民税通知書の印刷",
        "令和8年4月30日（2026-04-30）",
        "期限まであと29日です",
        &format!("https://itaku.city.example.jp/contracts/{}", w.contract_a),
    ] {
        assert!(
            deletion_mail.text.contains(needle),
            "{needle}: {}",
            deletion_mail.text
        );
    }
    assert!(
        deletion_mail.html.contains("令和8年4月30日") && deletion_mail.html.contains("<a href=")
    );
}

#[rocket::async_test]
async fn a_stage_is_sent_once_and_only_from_its_day() {
    let w = world().await;
    w.run("2026-04-01").await;
    // The same day again: nothing new. The day before the 7-day stage: nothing. Its day: the stage.
    let again = w.run("2026-04-01").await;
    assert_eq!((again.queued, again.sent), (0, 0), "{again:?}");
    assert!(deletion(&w.run("2026-04-22").await, "sent").is_empty());
    assert_eq!(
        deletion(&w.run("2026-04-23").await, "sent"),
        pairs(&[
            (VENDOR_A, "before-7"),
            (VENDOR_A_USER, "before-7"),
            (VENDOR_B, "before-7")
        ])
    );
}

#[rocket::async_test]
async fn an_accepted_certificate_ends_the_reminders_and_missed_runs_send_the_latest_stage() {
    let w = world().await;
    w.run("2026-04-01").await;
    // Vendor B hands its certificate in and it is accepted: it is not chased any more.
    let Reply { status, body, .. } = w
        .app
        .post_multipart(
            &format!("/api/v1/contracts/{}/deletion-certificates", w.contract_b),
            &[
                ("deletion.data_items", "住民データ"),
                ("deletion.media", "サーバー"),
                ("deletion.quantity", "1台"),
                ("deletion.method", "上書き消去"),
                ("deletion.responsible_person", "情報太郎"),
                ("deletion.deleted_on", "2026-04-20"),
                ("deletion.covers_backups", "on"),
            ],
            Some(("deletion.pdf", common::PDF)),
        )
        .await;
    assert_eq!(status, Status::Created, "{body}");
    let certificate: serde_json::Value = serde_json::from_str(&body).unwrap();
    let (status, _) = w
        .app
        .send_json(
            Method::Post,
            &format!("/api/v1/deletion-certificates/{}/review", certificate["id"]),
            &json!({"decision": "accept", "accepted_on": "2026-04-24"}),
        )
        .await;
    assert_eq!(status, Status::Ok);

    // Runs missed from 4/24 to 5/2: the latest stage only, to the vendor and now the officer; not
    // yet the CISO (2 days overdue).
    let caught_up = w.run("2026-05-02").await;
    assert_eq!(
        deletion(&caught_up, "sent"),
        pairs(&[
            (VENDOR_A, "overdue-1"),
            (VENDOR_A_USER, "overdue-1"),
            (OFFICER_A, "overdue-1")
        ])
    );
    let officer_mail = w
        .sink
        .received()
        .into_iter()
        .find(|m| m.to == [OFFICER_A] && m.subject.contains("A-1"))
        .unwrap();
    assert!(officer_mail.text.contains("期限を2日過ぎています"));
    assert!(officer_mail.text.contains("税務課 ご担当者様"));

    // 14 days overdue: the CISO too.
    let long_overdue = w.run("2026-05-14").await;
    assert!(deletion(&long_overdue, "sent").contains(&(CISO.to_string(), "overdue-14".to_string())));
}

#[rocket::async_test]
async fn an_extended_contract_starts_its_stages_again_and_every_message_is_audited() {
    let w = world().await;
    w.run("2026-05-14").await;
    // The contract is extended: the deadline moves and its stages start again.
    let (status, body) = w
        .app
        .send_json(
            Method::Put,
            &format!("/api/v1/contracts/{}", w.contract_a),
            &json!({"contract_number": "A-1", "title": "住民税通知書の印刷",
                    "department_id": w.zeimu,
                    "vendor_identifier": NTA, "start_date": "2025-04-01", "end_date": "2026-05-31",
                    "deletion_days": "30", "handles_personal_data": true}),
        )
        .await;
    assert_eq!(status, Status::Ok, "{body}");
    let after = w.run("2026-06-01").await;
    let mut about_a: Vec<(String, String)> = after
        .messages
        .iter()
        .filter(|m| m.obligation.starts_with("deletion:") && m.status == "sent")
        .filter(|m| m.contract_number == "A-1")
        .map(|m| (m.to.clone(), m.stage.clone()))
        .collect();
    about_a.sort();
    assert_eq!(
        about_a,
        pairs(&[(VENDOR_A, "before-30"), (VENDOR_A_USER, "before-30")]),
        "A-1 is due again, 30 days ahead: {after:?}"
    );

    let (_, log) = w.app.get_html("/audit?action=mail").await;
    assert!(
        log.contains("リマインダー送信"),
        "every message sent is in the audit log"
    );
}

#[rocket::async_test]
async fn with_the_smtp_server_down_nothing_is_lost_and_the_next_run_sends_it() {
    let mut w = world().await;
    w.sink.stop();
    let down = w.run("2026-04-01").await;
    assert!(down.failed > 0 && down.sent == 0, "{down:?}");
    assert!(down.pending >= down.failed as i64);
    assert!(down
        .messages
        .iter()
        .all(|m| m.status == "failed" && !m.error.is_empty()));
    w.sink.restart();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let up = w.run("2026-04-01").await;
    assert_eq!(up.failed, 0, "{up:?}");
    assert_eq!(up.queued, 0, "nothing new was decided");
    assert!(up.sent >= 3, "{up:?}");
    assert_eq!(up.pending, 0);
    assert_eq!(
        deletion(&up, "sent"),
        pairs(&[
            (VENDOR_A, "before-30"),
            (VENDOR_A_USER, "before-30"),
            (VENDOR_B, "before-30")
        ])
    );
}

#[rocket::async_test]
async fn two_servers_running_at_once_send_each_message_once() {
    let w = world().await;
    let second = itaku::db::Db::connect(&w.app.url, 4).await.unwrap();
    let mailer = Mailer::from_settings(&w.app.settings).unwrap().unwrap();
    let day = "2026-05-02".parse().unwrap();
    let (one, two) = tokio::join!(
        reminders::run(&w.app.db, &w.app.settings, Some(&mailer), day, false),
        reminders::run(&second, &w.app.settings, Some(&mailer), day, false),
    );
    let (one, two) = (one.unwrap(), two.unwrap());
    let received = w.sink.received();
    assert_eq!(one.sent + two.sent, received.len(), "{one:?} {two:?}");
    let mut keys: Vec<(Vec<String>, String)> = received
        .iter()
        .map(|m| (m.to.clone(), m.subject.clone()))
        .collect();
    let total = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), total, "no message twice");
    assert!(total >= 4);
}

#[rocket::async_test]
async fn the_cli_runs_dry_or_for_real_with_json_and_exit_codes() {
    let mut w = world().await;
    let smtp_url = w.sink.url();
    let database_url = w.app.settings.database_url.clone();
    let remind = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_itaku"))
            .args(["--database-url", &database_url, "remind"])
            .args(args)
            .env("ITAKU_SMTP_URL", &smtp_url)
            .env("ITAKU_MAIL_FROM", "itaku@city.example.jp")
            .env("ITAKU_PUBLIC_URL", "https://itaku.city.example.jp")
            .output()
            .unwrap()
    };
    let dry = remind(&["--as-of", "令和8年4月1日", "--dry-run", "--json"]);
    assert_eq!(dry.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&dry.stdout).unwrap();
    assert_eq!(json["as_of"], "2026-04-01");
    assert_eq!(json["sent"], 0);
    assert!(json["messages"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["to"] == VENDOR_A
            && m["status"] == "would_send"
            && m["contract_number"] == "A-1"));
    assert!(w.sink.received().is_empty(), "a dry run sends nothing");

    w.sink.stop();
    let failed = remind(&["--as-of", "2026-04-01", "--json"]);
    assert_eq!(
        failed.status.code(),
        Some(1),
        "some message could not be sent"
    );
    w.sink.restart();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let sent = remind(&["--as-of", "2026-04-01", "--json"]);
    assert_eq!(sent.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&sent.stdout).unwrap();
    assert!(json["sent"].as_u64().unwrap() >= 3);
    assert_eq!(json["pending"], 0);

    let usage = remind(&["--as-of", "not a day"]);
    assert_eq!(usage.status.code(), Some(2));
}

#[rocket::async_test]
async fn staff_who_choose_a_digest_get_one_message_a_day_listing_everything() {
    let w = world().await;
    let officer =
        common::Browser::signed_in(&w.app.db, &w.app.settings, OFFICER_A, common::PASSWORD).await;
    let Reply { status, .. } = officer
        .post_form("/account/mail-digest", &[("digest", "true")])
        .await;
    assert_eq!(status, Status::SeeOther);
    let (_, account) = officer.get_html("/account").await;
    assert!(
        account.contains(r#"value="true" checked"#),
        "the choice is kept"
    );

    let report = w.run("2026-05-02").await;
    let to_officer: Vec<_> = w
        .sink
        .received()
        .into_iter()
        .filter(|m| m.to == [OFFICER_A])
        .collect();
    assert_eq!(
        to_officer.len(),
        1,
        "one digest, no single messages: {to_officer:?}"
    );
    let digest = &to_officer[0];
    assert!(
        digest.subject.contains("本日の期限のお知らせ") && digest.subject.contains("令和8年5月2日")
    );
    assert!(digest.text.contains("A-1 住民税通知書の印刷") && digest.text.contains("2日超過"));
    assert!(
        !digest.text.contains("B-1"),
        "only its department's contracts"
    );
    assert!(report
        .messages
        .iter()
        .any(|m| m.to == OFFICER_A && m.obligation == "digest" && m.status == "sent"));
    // The same day again: no second digest; the vendor still gets its own single messages.
    let again = w.run("2026-05-02").await;
    assert_eq!(again.sent, 0);
    assert!(w.sink.received().iter().any(|m| m.to == [VENDOR_A]));
}

#[rocket::async_test]
async fn a_clause_submission_is_reminded_like_any_other_obligation() {
    let w = world().await;
    let (status, created) = w
        .app
        .send_json(
            Method::Post,
            "/api/v1/contracts",
            &json!({"contract_number": "A-9", "title": "住民情報システム運用", "department_id": w.zeimu,
                    "vendor_id": w.app.get_json(&format!("/api/v1/contracts/{}", w.contract_a)).await.1["vendor"]["id"],
                    "start_date": "2026-04-01", "end_date": "2027-03-31", "importance": "重要"}),
        )
        .await;
    assert_eq!(status, Status::Created, "{created}");
    let report = w.run("2026-07-07").await;
    let clause: Vec<_> = report
        .messages
        .iter()
        .filter(|m| m.obligation.starts_with("clause:"))
        .collect();
    assert!(
        clause.iter().any(|m| m.to == VENDOR_A_USER
            && m.contract_number == "A-9"
            && m.what.contains("アクセスログの提出（2026年度第1四半期）")),
        "{:?}",
        report.messages
    );
    assert!(
        clause.iter().all(|m| m.contract_number == "A-9"),
        "only the contract with the clause"
    );
}
