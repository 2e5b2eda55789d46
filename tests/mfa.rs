//! Two-factor sign-in: required for the CISO here (as `mfa_required_roles` says), set up inside the
//! first sign-in with the QR code's secret, a code used once and never again, recovery codes used
//! once, five wrong codes end the sign-in, an administrator's reset, and an officer who chooses it.
//! On SQLite and PostgreSQL.

mod common;
use common::Role;

use common::{hidden_field, Browser, Reply, PASSWORD};
use itaku::auth::totp;
use rocket::http::Status;

const CISO: &str = "ciso@test.itaku.example";

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Signs in with the password; answers where the sign-in form sent the browser.
async fn password_step(browser: &Browser, email: &str) -> String {
    let (_, login) = browser.get_html("/login").await;
    let token = hidden_field(&login, "csrf_token").unwrap();
    let Reply {
        status, location, ..
    } = browser
        .post_form_raw(
            "/login",
            &[
                ("email", email),
                ("password", PASSWORD),
                ("csrf_token", &token),
            ],
        )
        .await;
    assert_eq!(status, Status::SeeOther);
    location.unwrap()
}

/// Sends a code on the second-factor page; answers the status, the page and where it points.
async fn code_step(browser: &Browser, code: &str) -> Reply {
    let (_, page) = browser.get_html("/login/mfa?next=/contracts").await;
    let token = hidden_field(&page, "csrf_token").unwrap();
    browser
        .post_form_raw(
            "/login/mfa",
            &[
                ("code", code),
                ("csrf_token", &token),
                ("next", "/contracts"),
            ],
        )
        .await
}

fn secret_on(page: &str) -> String {
    page.split("id=\"mfa-secret\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("the set-up shows the secret")
        .replace(' ', "")
}

async fn signed_in(browser: &Browser) -> bool {
    browser.get_html("/account").await.0 == Status::Ok
}

#[rocket::async_test]
async fn a_required_second_factor_is_set_up_at_first_sign_in_and_asked_for_after() {
    let app = common::spawn_with(|s| s.mfa_required_roles = vec!["ciso".into()]).await;
    common::add_user(&app.db, CISO, Role::Ciso, None, &[]).await;
    let browser = app.anonymous().await;

    // The right password alone opens no session: the CISO must set up a second factor first.
    let location = password_step(&browser, CISO).await;
    assert!(location.starts_with("/login/mfa"), "{location}");
    assert!(!signed_in(&browser).await);
    let (status, page) = browser.get_html("/login/mfa").await;
    assert_eq!(status, Status::Ok);
    assert!(
        page.contains("class=\"qr\"") && page.contains("二要素認証が必要です"),
        "{page}"
    );
    let secret = secret_on(&page);
    let Reply { status, .. } = code_step(&browser, "000000").await;
    assert_eq!(status, Status::Unauthorized, "a wrong code");
    let first = totp::code_at(&secret, now()).unwrap();
    let Reply {
        status,
        body: codes_page,
        ..
    } = code_step(&browser, &first).await;
    assert_eq!(status, Status::Ok);
    let recovery: Vec<String> = codes_page
        .split("<li><code>")
        .skip(1)
        .map(|rest| rest.split('<').next().unwrap().to_string())
        .collect();
    assert_eq!(recovery.len(), 10, "{codes_page}");
    assert!(signed_in(&browser).await);

    // Next time: the same code is refused (used once), the next period's code is taken.
    let browser = app.anonymous().await;
    password_step(&browser, CISO).await;
    let (_, page) = browser.get_html("/login/mfa").await;
    assert!(
        !page.contains("class=\"qr\""),
        "set up already: no QR code again"
    );
    let Reply { status, .. } = code_step(&browser, &first).await;
    assert_eq!(status, Status::Unauthorized, "a code is used once");
    let next = totp::code_at(&secret, now() + 30).unwrap();
    let Reply {
        status, location, ..
    } = code_step(&browser, &next).await;
    assert_eq!(status, Status::SeeOther);
    assert_eq!(location.as_deref(), Some("/contracts"));
    assert!(signed_in(&browser).await);

    // A recovery code works once, typed in capitals and without its hyphen.
    for attempt in 0..2 {
        let browser = app.anonymous().await;
        password_step(&browser, CISO).await;
        let typed = recovery[0].to_uppercase().replace('-', "");
        let Reply { status, .. } = code_step(&browser, &typed).await;
        if attempt == 0 {
            assert_eq!(status, Status::SeeOther, "the recovery code signs in");
        } else {
            assert_eq!(status, Status::Unauthorized, "and only once");
        }
    }
    let (_, log) = app.get_html("/audit?action=sign_in").await;
    assert!(log.contains("回復コードを使用、残り9個"), "{log}");

    // Five wrong codes end the sign-in.
    let browser = app.anonymous().await;
    password_step(&browser, CISO).await;
    let mut last = None;
    for _ in 0..5 {
        last = Some(code_step(&browser, "123456").await);
    }
    let Reply {
        status, location, ..
    } = last.unwrap();
    assert_eq!(status, Status::SeeOther);
    assert_eq!(location.as_deref(), Some("/login?mfa_expired=true"));
    let (status, _) = browser.get_html("/login/mfa").await;
    assert_eq!(status, Status::SeeOther, "the challenge is gone");

    // The administrator resets it: the CISO sets it up again at its next sign-in.
    let ciso_id = itaku::services::accounts::find_user_id(&app.db, CISO)
        .await
        .unwrap();
    let Reply { status, .. } = app
        .post_form(&format!("/admin/users/{ciso_id}/mfa-reset"), &[])
        .await;
    assert_eq!(status, Status::SeeOther);
    let browser = app.anonymous().await;
    password_step(&browser, CISO).await;
    let (_, page) = browser.get_html("/login/mfa").await;
    assert!(
        page.contains("class=\"qr\""),
        "set up again after the reset"
    );
    assert_ne!(secret_on(&page), secret, "with a new secret");
    let (_, log) = app.get_html("/audit?action=mfa_reset").await;
    assert!(log.contains("二要素認証をリセット ciso@test.itaku.example"));
}

#[rocket::async_test]
async fn an_officer_may_choose_a_second_factor_and_turn_it_off() {
    let app = common::spawn_with(|s| s.mfa_required_roles = vec!["ciso".into()]).await;
    let (department_id, _) = app
        .seed_department_and_vendor("税務課", common::NTA, "株式会社A")
        .await;
    let officer = app
        .browser_as(
            "officer@test.itaku.example",
            Role::Officer,
            None,
            &[department_id],
        )
        .await;
    let (_, account) = officer.get_html("/account").await;
    assert!(account.contains("二要素認証を設定する"));
    let (status, setup) = officer.get_html("/account/mfa").await;
    assert_eq!(status, Status::Ok);
    let secret = secret_on(&setup);
    let Reply { status, .. } = officer
        .post_form("/account/mfa", &[("code", "999999")])
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    let code = totp::code_at(&secret, now()).unwrap();
    let Reply {
        status, body: page, ..
    } = officer.post_form("/account/mfa", &[("code", &code)]).await;
    assert_eq!(status, Status::Ok);
    assert_eq!(page.matches("<li><code>").count(), 10);
    let recovery = page
        .split("<li><code>")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap()
        .to_string();

    // From now on its sign-in asks for a code (here a recovery code).
    let browser = app.anonymous().await;
    let location = password_step(&browser, "officer@test.itaku.example").await;
    assert!(location.starts_with("/login/mfa"), "{location}");
    let Reply { status, .. } = code_step(&browser, &recovery).await;
    assert_eq!(status, Status::SeeOther);

    // Turned off with a code (the next period's: this one was used to set it up).
    let code = totp::code_at(&secret, now() + 30).unwrap();
    let Reply {
        status, location, ..
    } = officer
        .post_form("/account/mfa/disable", &[("code", &code)])
        .await;
    assert_eq!(status, Status::SeeOther);
    assert_eq!(location.as_deref(), Some("/account#mfa"));
    let browser = app.anonymous().await;
    assert_eq!(
        password_step(&browser, "officer@test.itaku.example").await,
        "/"
    );
    let (_, log) = app.get_html("/audit?action=mfa_disable").await;
    assert!(log.contains("二要素認証を無効化"));
}
