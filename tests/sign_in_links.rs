//! Sign-in by e-mail link for vendor users, through a real SMTP server: the same answer whether or not
//! the address has an account (and no mail for staff or unknown addresses), a link used once, an
//! expired link refused, at most three links per account in 15 minutes. Both databases.

mod common;
use common::Role;

use common::smtp::SmtpSink;
use common::{hidden_field, Browser, Reply, NTA};
use rocket::http::Status;

const VENDOR: &str = "staff@vendor-a.example.jp";

async fn ask(browser: &Browser, email: &str) -> (Status, String) {
    let (_, page) = browser.get_html("/login/link").await;
    let token = hidden_field(&page, "csrf_token").unwrap();
    let Reply { status, body, .. } = browser
        .post_form_raw("/login/link", &[("email", email), ("csrf_token", &token)])
        .await;
    (status, body)
}

async fn wait_for(sink: &SmtpSink, count: usize) -> Vec<common::smtp::Received> {
    for _ in 0..100 {
        if sink.received().len() >= count {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    sink.received()
}

fn link_path(text: &str) -> String {
    let start = text
        .find("/login/link/")
        .expect("the mail carries the link");
    text[start..].split_whitespace().next().unwrap().to_string()
}

#[rocket::async_test]
async fn a_vendor_user_signs_in_once_with_a_link_sent_by_mail() {
    let sink = SmtpSink::start();
    let url = sink.url();
    let app = common::spawn_with(|s| {
        s.smtp_url = url;
        s.mail_from = "itaku@city.example.jp".into();
        s.public_url = "https://itaku.city.example.jp".into();
    })
    .await;
    app.seed_department_and_vendor("税務課", NTA, "株式会社いろは印刷")
        .await;
    common::add_user(&app.db, VENDOR, Role::Vendor, Some(NTA), &[]).await;
    common::add_user(&app.db, "chief@city.example.jp", Role::Ciso, None, &[]).await;
    let browser = app.anonymous().await;

    // The same answer for a vendor user, a staff address and an unknown one; mail only for the first.
    let mut answers = Vec::new();
    for email in [VENDOR, "chief@city.example.jp", "nobody@example.jp"] {
        let (status, page) = ask(&browser, email).await;
        assert_eq!(status, Status::Ok);
        answers.push(page.replace(&hidden_field(&page, "csrf_token").unwrap(), ""));
    }
    assert!(
        answers.iter().all(|a| a == &answers[0]),
        "the same page each time"
    );
    assert!(answers[0].contains("ログイン用のリンクを送りました"));
    let received = wait_for(&sink, 1).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(sink.received().len(), 1, "{received:?}");
    assert_eq!(received[0].to, [VENDOR]);
    assert!(received[0].text.contains("15分間、一度だけ使えます"));
    let path = link_path(&received[0].text);
    assert!(received[0]
        .text
        .contains(&format!("https://itaku.city.example.jp{path}")));

    // Opening the link asks for a press (a mail scanner does not use it up); the press signs in.
    let (status, page) = browser.get_html(&path).await;
    assert_eq!(status, Status::Ok);
    let token = hidden_field(&page, "csrf_token").unwrap();
    let Reply {
        status, location, ..
    } = browser
        .post_form_raw(&path, &[("csrf_token", &token)])
        .await;
    assert_eq!(status, Status::SeeOther);
    assert_eq!(location.as_deref(), Some("/"));
    assert_eq!(browser.get_html("/account").await.0, Status::Ok);

    // Once only.
    let other = app.anonymous().await;
    let (_, page) = other.get_html(&path).await;
    assert!(page.contains("このリンクは使えません"));
    let token = hidden_field(&page, "csrf_token").unwrap();
    let Reply { location, .. } = other.post_form_raw(&path, &[("csrf_token", &token)]).await;
    assert_ne!(location.as_deref(), Some("/"));
    assert_eq!(other.get_html("/account").await.0, Status::SeeOther);

    // An expired link is refused.
    let fresh = app.anonymous().await;
    ask(&fresh, VENDOR).await;
    let received = wait_for(&sink, 2).await;
    let second = received
        .iter()
        .map(|m| link_path(&m.text))
        .find(|p| p != &path)
        .expect("a second link");
    sqlx::query(
        "UPDATE sign_in_links SET expires_at = '2000-01-01T00:00:00Z' WHERE used_at IS NULL",
    )
    .execute(&mut *app.db.acquire().await.unwrap())
    .await
    .unwrap();
    let (_, page) = fresh.get_html(&second).await;
    assert!(page.contains("このリンクは使えません"), "{second}");

    // At most three links per account in 15 minutes (two were sent; the fourth ask sends nothing).
    ask(&fresh, VENDOR).await;
    ask(&fresh, VENDOR).await;
    wait_for(&sink, 3).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(sink.received().len(), 3);

    let (_, log) = app.get_html("/audit?action=sign_in").await;
    assert!(log.contains("サインイン（メールのリンク）"));
    let (_, log) = app.get_html("/audit?action=sign_in_link").await;
    assert!(log.contains("ログイン用リンクをメールで送信"));
}
