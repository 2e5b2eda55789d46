//! Sign-in, sessions, CSRF, API tokens, the audit log, the setup link and the vendor portal.

mod common;
use common::{Method, Reply, Role};

use common::{hidden_field, spawn, Browser, ADMIN, NTA, PASSWORD, TOYOTA};
use itaku::auth::throttle::Throttle;
use itaku::auth::Actor;
use itaku::services::accounts;
use rocket::http::{ContentType, Header, Status};
use serde_json::{json, Value};
use std::process::Command;

#[rocket::async_test]
async fn wrong_passwords_and_unknown_addresses_get_the_same_answer_then_a_lock() {
    let app = spawn().await;
    let browser = app.anonymous().await;
    let (_, login) = browser.get_html("/login").await;
    let token = hidden_field(&login, "csrf_token").unwrap();
    let attempt = |email: &'static str, password: &'static str| {
        let token = token.clone();
        let browser = &browser;
        async move {
            browser
                .post_form_raw(
                    "/login",
                    &[
                        ("email", email),
                        ("password", password),
                        ("csrf_token", &token),
                    ],
                )
                .await
        }
    };
    let Reply {
        status,
        body: wrong_password,
        ..
    } = attempt(ADMIN, "not the password at all").await;
    let Reply {
        status: status2,
        body: unknown,
        ..
    } = attempt("nobody@test.itaku.example", "not the password at all").await;
    assert_eq!(
        (status, status2),
        (Status::Unauthorized, Status::Unauthorized)
    );
    let message = "メールアドレスまたはパスワードが正しくありません";
    assert!(wrong_password.contains(message) && unknown.contains(message));
    for _ in 0..4 {
        attempt(ADMIN, "still not the password").await;
    }
    let Reply {
        status,
        body: locked,
        ..
    } = attempt(ADMIN, PASSWORD).await;
    assert_eq!(
        status,
        Status::Unauthorized,
        "locked even with the right password"
    );
    assert!(locked.contains("一時的にロック"));
    // An unknown address locks the same way, so the lock tells nothing about who has an account.
    for _ in 0..5 {
        attempt("nobody@test.itaku.example", "x").await;
    }
    let Reply {
        body: unknown_locked,
        ..
    } = attempt("nobody@test.itaku.example", "x").await;
    assert!(unknown_locked.contains("一時的にロック"));
    let (_, log) = app.get_html("/audit?action=sign_in_failed").await;
    assert!(log.contains("nobody@test.itaku.example") && log.contains(ADMIN));
    let Reply { status, .. } = browser
        .post_form_raw(
            "/login",
            &[
                ("email", ADMIN),
                ("password", PASSWORD),
                ("csrf_token", "forged"),
            ],
        )
        .await;
    assert_eq!(
        status,
        Status::Forbidden,
        "the sign-in form carries its own CSRF token"
    );
}

#[rocket::async_test]
async fn the_session_cookie_is_private_http_only_and_strict_and_ends_at_sign_out() {
    let app = spawn().await;
    let browser = app.anonymous().await;
    let (_, login) = browser.get_html("/login").await;
    let token = hidden_field(&login, "csrf_token").unwrap();
    let body = format!(
        "email={}&password={}&csrf_token={}",
        common::urlencode(ADMIN),
        common::urlencode(PASSWORD),
        common::urlencode(&token)
    );
    let response = browser
        .client
        .post("/login")
        .header(ContentType::Form)
        .body(body)
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    let cookie = response
        .headers()
        .get("Set-Cookie")
        .find(|c| c.starts_with("itaku_session="))
        .unwrap()
        .to_string();
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(flag), "{flag} missing in {cookie}");
    }
    assert!(!cookie.contains("Secure"), "not over TLS here");
    let value = cookie.split(';').next().unwrap().to_string();
    let (_, page) = browser.get_html("/account").await;
    let csrf = page
        .split("name=\"csrf-token\" content=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();

    // A form without its token, or with another, is refused.
    let Reply { status, .. } = browser
        .post_form_raw("/departments", &[("name", "新しい課")])
        .await;
    assert_eq!(status, Status::Forbidden);
    let Reply { status, .. } = browser
        .post_form_raw(
            "/departments",
            &[("name", "新しい課"), ("csrf_token", "0123")],
        )
        .await;
    assert_eq!(status, Status::Forbidden);
    // A cookie-authenticated API write needs the token in a header.
    let response = browser
        .client
        .post("/api/v1/departments")
        .header(ContentType::JSON)
        .body(r#"{"name":"x課"}"#)
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Forbidden);

    let Reply {
        status, location, ..
    } = browser
        .post_form_raw("/logout", &[("csrf_token", &csrf)])
        .await;
    assert_eq!(status, Status::SeeOther);
    assert_eq!(location.as_deref(), Some("/login?signed_out=true"));
    // Replaying the old cookie after sign-out gets nowhere: the server-side session is gone.
    let replay = app.anonymous().await;
    let response = replay
        .client
        .get("/account")
        .header(Header::new("Cookie", value))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    assert!(response
        .headers()
        .get_one("Location")
        .unwrap()
        .starts_with("/login?next="));
}

#[rocket::async_test]
async fn idle_sessions_expire_and_a_password_change_ends_other_sessions() {
    let app = spawn().await;
    let other = Browser::signed_in(&app.db, &app.settings, ADMIN, PASSWORD).await;
    let mut conn = app.db.acquire().await.unwrap();
    sqlx::query("UPDATE sessions SET last_seen_at = '2000-01-01T00:00:00Z'")
        .execute(&mut *conn)
        .await
        .unwrap();
    drop(conn);
    let (status, _) = other.get_html("/account").await;
    assert_eq!(status, Status::SeeOther, "an idle session has ended");

    let fresh = Browser::signed_in(&app.db, &app.settings, ADMIN, PASSWORD).await;
    let second = Browser::signed_in(&app.db, &app.settings, ADMIN, PASSWORD).await;
    let Reply {
        status, body: html, ..
    } = fresh
        .post_form(
            "/account/password",
            &[
                ("current_password", "wrong"),
                ("new_password", "short"),
                ("confirmation", "other"),
            ],
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(
        html.contains("現在のパスワードが正しくありません")
            && html.contains("12文字以上")
            && html.contains("一致しません")
    );
    let new_password = "a much longer new passphrase";
    let Reply { status, .. } = fresh
        .post_form(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", new_password),
                ("confirmation", new_password),
            ],
        )
        .await;
    assert_eq!(status, Status::SeeOther);
    let (status, _) = fresh.get_html("/account").await;
    assert_eq!(status, Status::Ok, "the changing session was renewed");
    let (status, _) = second.get_html("/account").await;
    assert_eq!(status, Status::SeeOther, "other sessions ended");
    assert_eq!(
        app.anonymous().await.sign_in(ADMIN, new_password).await,
        Status::SeeOther
    );
}

/// An officer of 税務課 with an API token for scripts, and a client without a session to send it.
struct OfficerToken {
    app: common::TestApp,
    user_id: itaku::domain::ids::UserId,
    token: String,
    client: Browser,
}

impl OfficerToken {
    async fn new() -> OfficerToken {
        let app = spawn().await;
        let (department_id, _) = app
            .seed_department_and_vendor("税務課", NTA, "株式会社A")
            .await;
        let email = "officer@test.itaku.example";
        common::add_user(&app.db, email, Role::Officer, None, &[department_id]).await;
        let user_id = accounts::find_user_id(&app.db, email).await.unwrap();
        let token = issue_token(&app, user_id, "script", 30).await;
        let client = app.anonymous().await;
        OfficerToken {
            app,
            user_id,
            token,
            client,
        }
    }

    /// Sends `body` (JSON) or nothing with `token` as the Bearer credential; answers the status.
    async fn send(&self, method: Method, path: &str, token: &str, body: Option<Value>) -> Status {
        let mut request = self
            .client
            .client
            .req(method, path.to_string())
            .header(Header::new("Authorization", format!("Bearer {token}")));
        if let Some(body) = body {
            request = request.header(ContentType::JSON).body(body.to_string());
        }
        request.dispatch().await.status()
    }
}

async fn issue_token(
    app: &common::TestApp,
    user_id: itaku::domain::ids::UserId,
    name: &str,
    days: i64,
) -> String {
    accounts::create_token(
        &app.db,
        &app.settings,
        &Actor::system("test"),
        user_id,
        name,
        Some(days),
    )
    .await
    .unwrap()
}

#[rocket::async_test]
async fn a_token_acts_as_its_user_within_its_users_rights_without_a_csrf_token() {
    let t = OfficerToken::new().await;
    let response = t
        .client
        .client
        .get("/api/v1/me")
        .header(Header::new("Authorization", format!("Bearer {}", t.token)))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    let me: Value = serde_json::from_str(&response.into_string().await.unwrap()).unwrap();
    assert_eq!(me["role"], "officer");
    let vendor = json!({"corporate_number": TOYOTA, "name": "株式会社B"});
    assert_eq!(
        t.send(Method::Post, "/api/v1/vendors", &t.token, Some(vendor))
            .await,
        Status::Created
    );
    assert_eq!(
        t.send(
            Method::Post,
            "/api/v1/departments",
            &t.token,
            Some(json!({"name": "x課"}))
        )
        .await,
        Status::Forbidden,
        "a known user without permission"
    );
}

#[rocket::async_test]
async fn a_made_up_or_missing_token_is_refused_with_www_authenticate() {
    let t = OfficerToken::new().await;
    for bad in ["itk_not-a-token", ""] {
        assert_eq!(
            t.send(Method::Get, "/api/v1/contracts", bad, None).await,
            Status::Unauthorized
        );
    }
    let response = t.client.client.get("/api/v1/contracts").dispatch().await;
    assert_eq!(response.status(), Status::Unauthorized);
    assert!(response.headers().get_one("WWW-Authenticate").is_some());
}

#[rocket::async_test]
async fn a_revoked_or_expired_token_is_refused() {
    let t = OfficerToken::new().await;
    let token_id = accounts::tokens_of(&t.app.db, t.user_id).await.unwrap()[0].id;
    let Reply { status, .. } = t
        .app
        .post_form(&format!("/tokens/{token_id}/revoke"), &[])
        .await;
    assert_eq!(status, Status::SeeOther);
    assert_eq!(
        t.send(Method::Get, "/api/v1/me", &t.token, None).await,
        Status::Unauthorized,
        "a revoked token"
    );
    let expiring = issue_token(&t.app, t.user_id, "old", 1).await;
    assert_eq!(
        t.send(Method::Get, "/api/v1/me", &expiring, None).await,
        Status::Ok
    );
    sqlx::query("UPDATE api_tokens SET expires_at = '2000-01-01T00:00:00Z' WHERE name = 'old'")
        .execute(&mut *t.app.db.acquire().await.unwrap())
        .await
        .unwrap();
    assert_eq!(
        t.send(Method::Get, "/api/v1/me", &expiring, None).await,
        Status::Unauthorized,
        "an expired token"
    );
}

#[rocket::async_test]
async fn only_a_tokens_hash_is_stored() {
    let t = OfficerToken::new().await;
    let stored: Vec<(String,)> = sqlx::query_as("SELECT token_hash FROM api_tokens")
        .fetch_all(&mut *t.app.db.acquire().await.unwrap())
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert!(
        stored
            .iter()
            .all(|(hash,)| hash.len() == 64 && !hash.contains(&t.token[4..])),
        "only hashes are stored"
    );
}

#[rocket::async_test]
async fn the_audit_log_records_changes_and_cannot_be_changed() {
    let app = spawn().await;
    let (department_id, vendor_id) = app
        .seed_department_and_vendor("税務課", NTA, "株式会社A")
        .await;
    let body = json!({"contract_number": "R7-1", "title": "旧件名", "department_id": department_id, "vendor_id": vendor_id,
                      "start_date": "2025-04-01", "end_date": "2026-03-31"});
    let (_, created) = app
        .send_json(Method::Post, "/api/v1/contracts", &body)
        .await;
    let id = created["id"].as_i64().unwrap();
    let mut changed = body.clone();
    changed["title"] = json!("新件名");
    let (status, _) = app
        .send_json(Method::Put, &format!("/api/v1/contracts/{id}"), &changed)
        .await;
    assert_eq!(status, Status::Ok);
    let (_, html) = app
        .get_html("/audit?entity_type=contract&action=update")
        .await;
    assert!(
        html.contains("契約変更 R7-1")
            && html.contains("旧件名")
            && html.contains("新件名")
            && html.contains(ADMIN)
    );

    let mut conn = app.db.acquire().await.unwrap();
    assert!(sqlx::query("UPDATE audit_log SET summary = 'rewritten'")
        .execute(&mut *conn)
        .await
        .is_err());
    assert!(sqlx::query("DELETE FROM audit_log")
        .execute(&mut *conn)
        .await
        .is_err());
    let (count,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE summary = 'rewritten'")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
    assert_eq!(count, 0);
    drop(conn);

    let response = app
        .client
        .get("/audit/export.xlsx?entity_type=contract")
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert!(response
        .headers()
        .get_one("Content-Disposition")
        .unwrap()
        .starts_with("attachment; filename=\"itaku-audit-log-"));
    let bytes = response.into_bytes().await.unwrap();
    let tables = itaku::excel::read_tables(&bytes, &itaku::excel::Limits::default()).unwrap();
    let texts: Vec<String> = tables[0]
        .rows
        .iter()
        .flat_map(|r| r.cells.iter().map(|c| c.as_text()))
        .collect();
    assert!(texts.iter().any(|t| t == "契約変更 R7-1"));
    let (_, log) = app.get_html("/audit?action=export").await;
    assert!(
        log.contains("監査ログを出力"),
        "the export itself is logged"
    );
}

#[rocket::async_test]
async fn the_first_administrator_comes_from_a_one_time_setup_link() {
    let url = common::fresh_database_url().await;
    let db = itaku::db::Db::connect(&url, 2).await.unwrap();
    let settings = itaku::config::Settings {
        database_url: url.to_string(),
        ..Default::default()
    };
    let link = accounts::setup_link_if_needed(&db)
        .await
        .unwrap()
        .expect("a link when there is no user");
    let browser = Browser::anonymous(&db, &settings).await;
    let (status, page) = browser.get_html(&link).await;
    assert_eq!(status, Status::Ok);
    let token = hidden_field(&page, "csrf_token").unwrap();
    let Reply {
        status, body: html, ..
    } = browser
        .post_form_raw(
            &link,
            &[
                ("email", "chief@city.example.jp"),
                ("password", "short"),
                ("csrf_token", &token),
            ],
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(html.contains("12文字以上"));
    let Reply {
        status, location, ..
    } = browser
        .post_form_raw(
            &link,
            &[
                ("email", "chief@city.example.jp"),
                ("password", PASSWORD),
                ("csrf_token", &token),
            ],
        )
        .await;
    assert_eq!(
        (status, location.as_deref()),
        (Status::SeeOther, Some("/login"))
    );
    let (status, _) = browser.get_html(&link).await;
    assert_eq!(status, Status::NotFound, "the link works once");
    assert_eq!(accounts::setup_link_if_needed(&db).await.unwrap(), None);
    assert_eq!(
        browser.sign_in("chief@city.example.jp", PASSWORD).await,
        Status::SeeOther
    );
}

#[rocket::async_test]
async fn a_vendor_sees_its_own_contracts_and_what_it_owes() {
    let app = spawn().await;
    let (department_id, vendor_a) = app
        .seed_department_and_vendor("税務課", NTA, "株式会社A")
        .await;
    let (_, b) = app
        .send_json(
            Method::Post,
            "/api/v1/vendors",
            &json!({"corporate_number": TOYOTA, "name": "株式会社B"}),
        )
        .await;
    let today = itaku::services::today();
    let ended = today - chrono::Days::new(40);
    for (number, vendor, end) in [
        ("A-ended", vendor_a, ended),
        ("B-ended", b["id"].as_i64().unwrap(), ended),
    ] {
        let body = json!({"contract_number": number, "title": format!("{number}の業務"), "department_id": department_id, "vendor_id": vendor,
                          "start_date": "2020-04-01", "end_date": end.to_string(), "deletion_days": 30});
        let (status, _) = app
            .send_json(Method::Post, "/api/v1/contracts", &body)
            .await;
        assert_eq!(status, Status::Created);
    }
    let vendor = app
        .browser_as("vendor@test.itaku.example", Role::Vendor, Some(NTA), &[])
        .await;
    let (status, html) = vendor.get_html("/").await;
    assert_eq!(status, Status::Ok);
    assert!(html.contains("株式会社A 様の契約") && html.contains("A-ended"));
    assert!(!html.contains("B-ended") && !html.contains("株式会社B"));
    assert!(html.contains("契約終了後のデータの返却・消去") && html.contains("期限超過"));
    assert!(
        !html.contains("href=\"/ledger\"") && !html.contains("href=\"/audit\""),
        "a vendor's menu has no staff pages"
    );
}

fn itaku(database_url: &str, args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_itaku"))
        .arg("--database-url")
        .arg(database_url)
        .args(args)
        .env_remove("DATABASE_URL")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    let output = child.wait_with_output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[rocket::async_test]
async fn the_cli_adds_users_and_creates_tokens() {
    let app = spawn().await;
    app.seed_department_and_vendor("税務課", NTA, "株式会社A")
        .await;
    let url = app.url.to_string();
    let (code, stdout, stderr) = itaku(
        &url,
        &[
            "user",
            "add",
            "--email",
            "k@city.example.jp",
            "--role",
            "officer",
            "--department",
            "税務課",
        ],
        None,
    );
    assert_eq!(code, 0, "{stderr}");
    let generated = stdout.lines().last().unwrap().trim().to_string();
    assert!(generated.len() >= 12);
    assert_eq!(
        app.anonymous()
            .await
            .sign_in("k@city.example.jp", &generated)
            .await,
        Status::SeeOther
    );
    let (code, _, stderr) = itaku(
        &url,
        &[
            "user",
            "add",
            "--email",
            "v@vendor.example.jp",
            "--role",
            "vendor",
            "--vendor",
            NTA,
            "--password-stdin",
        ],
        Some("a vendor passphrase here\n"),
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        app.anonymous()
            .await
            .sign_in("v@vendor.example.jp", "a vendor passphrase here")
            .await,
        Status::SeeOther
    );
    let (code, _, stderr) = itaku(
        &url,
        &[
            "user",
            "add",
            "--email",
            "w@vendor.example.jp",
            "--role",
            "vendor",
            "--password-stdin",
        ],
        Some("password123\n"),
    );
    assert_eq!(code, 1);
    assert!(
        stderr.contains("法人番号") && stderr.contains("パスワード"),
        "{stderr}"
    );

    let (code, stdout, _) = itaku(
        &url,
        &[
            "token",
            "create",
            "--user",
            "v@vendor.example.jp",
            "--expires-in-days",
            "7",
        ],
        None,
    );
    assert_eq!(code, 0);
    let token = stdout.lines().last().unwrap().trim().to_string();
    let script = app.anonymous().await;
    let response = script
        .client
        .get("/api/v1/contracts")
        .header(Header::new("Authorization", format!("Bearer {token}")))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    let (code, _, _) = itaku(
        &url,
        &["token", "create", "--user", "nobody@example.jp"],
        None,
    );
    assert_eq!(code, 1);
    let (code, _, _) = itaku(&url, &["user", "add", "--email", "x@example.jp"], None);
    assert_eq!(code, 2, "a missing --role is a usage error");
}

#[test]
fn release_profile_refuses_to_start_without_a_secret_key() {
    let path = std::env::temp_dir().join(format!("itaku_release_{}.db", itaku::random_token()));
    let output = Command::new(env!("CARGO_BIN_EXE_itaku"))
        .args([
            "--database-url",
            &format!("sqlite://{}", path.display()),
            "serve",
        ])
        .env("ROCKET_PROFILE", "release")
        .env_remove("ROCKET_SECRET_KEY")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("secret_key"));
}

#[rocket::async_test]
async fn every_response_carries_the_security_headers() {
    let app = spawn().await;
    for uri in ["/", "/login", "/api/v1/contracts", "/no/such/page"] {
        let response = app.client.get(uri).dispatch().await;
        let csp = response
            .headers()
            .get_one("Content-Security-Policy")
            .unwrap_or_default()
            .to_string();
        assert!(
            csp.contains("frame-ancestors 'none'")
                && csp.contains("script-src 'self'")
                && !csp.contains("unsafe-inline"),
            "{uri}"
        );
        assert_eq!(
            response.headers().get_one("X-Content-Type-Options"),
            Some("nosniff")
        );
        assert!(response.headers().get_one("Referrer-Policy").is_some());
    }
}

/// Issue 21, finding 1: 60 attempts sent at once used to be counted as 3 failures, because the count
/// was read before the slow password check and written after it.
#[rocket::async_test]
async fn sixty_attempts_at_once_are_each_counted_and_the_address_is_locked() {
    let app = spawn().await;
    let throttle = std::sync::Arc::new(Throttle::new(app.settings.throttle_limits()));
    let attempts = (0..60).map(|n| {
        let (db, settings, throttle) = (app.db.clone(), app.settings.clone(), throttle.clone());
        tokio::spawn(async move {
            accounts::sign_in(
                &db,
                &settings,
                &throttle,
                ADMIN,
                &format!("wrong {n}"),
                &local(),
            )
            .await
            .unwrap()
        })
    });
    let mut rejected = 0;
    let mut locked = 0;
    for attempt in attempts.collect::<Vec<_>>() {
        match attempt.await.unwrap() {
            Err(accounts::SignInError::Rejected) => rejected += 1,
            Err(accounts::SignInError::Locked) => locked += 1,
            Err(other) => panic!("{other:?}"),
            Ok(_) => panic!("a wrong password signed in"),
        }
    }
    assert_eq!((rejected, locked), (4, 56));
    let right = accounts::sign_in(&app.db, &app.settings, &throttle, ADMIN, PASSWORD, &local())
        .await
        .unwrap();
    assert_eq!(right.err(), Some(accounts::SignInError::Locked));
}

/// The administrator's sign-in form with the page's CSRF token and `extra` encoded fields, ready to send.
async fn admin_sign_in<'c>(
    browser: &'c Browser,
    extra: &str,
) -> rocket::local::asynchronous::LocalRequest<'c> {
    let (_, login) = browser.get_html("/login").await;
    let token = hidden_field(&login, "csrf_token").unwrap();
    let body = format!(
        "email={}&password={}&csrf_token={token}{extra}",
        ADMIN.replace('@', "%40"),
        PASSWORD.replace(' ', "+")
    );
    browser
        .client
        .post("/login")
        .header(ContentType::Form)
        .body(body)
}

/// Issue 21, finding 9: Rocket trusts `X-Real-IP` from anyone, so the audit log's address could be forged.
#[rocket::async_test]
async fn the_audit_log_takes_a_forwarded_address_only_from_a_trusted_proxy() {
    for (trusted, forwarded_shown) in [(vec![], false), (vec!["192.0.2.1".to_string()], true)] {
        let app = common::spawn_with(|settings| settings.trusted_proxies = trusted.clone()).await;
        let browser = app.anonymous().await;
        let response = admin_sign_in(&browser, "")
            .await
            .header(Header::new("X-Real-IP", "203.0.113.9"))
            .remote("192.0.2.1:40000".parse().unwrap())
            .dispatch()
            .await;
        assert_eq!(response.status(), Status::SeeOther);
        let (_, log) = app.get_html("/audit?action=sign_in").await;
        assert_eq!(log.contains("203.0.113.9"), forwarded_shown, "{trusted:?}");
        assert_eq!(log.contains("192.0.2.1"), !forwarded_shown, "{trusted:?}");
    }
}

/// Issue 21, finding 11: a `next` with a tab, a newline or an ideographic space signed in, then answered 500.
#[rocket::async_test]
async fn a_next_with_white_space_or_control_characters_falls_back_to_the_home_page() {
    let app = spawn().await;
    for next in ["/contracts%09x", "/contracts%0Ax", "/contracts%E3%80%80x"] {
        let browser = app.anonymous().await;
        let response = admin_sign_in(&browser, &format!("&next={next}"))
            .await
            .dispatch()
            .await;
        assert_eq!(response.status(), Status::SeeOther, "{next}");
        assert_eq!(response.headers().get_one("Location"), Some("/"), "{next}");
    }
}

/// Issue 21, finding 7: a token outlived a password change, an administrator's reset, and came back when
/// a deactivated user was reactivated.
/// A CISO with API tokens, and a client that tries them.
struct TokenHolder {
    app: common::TestApp,
    user_id: itaku::domain::ids::UserId,
    client: Browser,
}

impl TokenHolder {
    const EMAIL: &str = "ciso@test.itaku.example";

    async fn new() -> TokenHolder {
        let app = spawn().await;
        let user_id = common::add_user(&app.db, Self::EMAIL, Role::Ciso, None, &[]).await;
        let client = app.anonymous().await;
        TokenHolder {
            app,
            user_id: itaku::domain::ids::UserId::new(user_id),
            client,
        }
    }

    async fn issue(&self, days: Option<i64>) -> itaku::error::AppResult<String> {
        let system = Actor::system("test");
        accounts::create_token(
            &self.app.db,
            &self.app.settings,
            &system,
            self.user_id,
            "t",
            days,
        )
        .await
    }

    async fn works(&self, token: &str) -> bool {
        self.client
            .client
            .get("/api/v1/me")
            .header(Header::new("Authorization", format!("Bearer {token}")))
            .dispatch()
            .await
            .status()
            == Status::Ok
    }

    /// Saves the user as an administrator would, changing what `change` changes.
    async fn update(&self, change: impl FnOnce(&mut accounts::UserInput)) {
        let mut input = accounts::UserInput {
            email: Some(Self::EMAIL.into()),
            display_name: None,
            role: Some("ciso".into()),
            vendor_identifier: None,
            department_ids: Vec::new(),
            password: None,
            active: true,
        };
        change(&mut input);
        accounts::update_user(&self.app.db, &Actor::system("test"), self.user_id, &input)
            .await
            .unwrap();
    }
}

#[rocket::async_test]
async fn a_password_change_ends_the_users_tokens() {
    let holder = TokenHolder::new().await;
    let token = holder.issue(None).await.unwrap();
    assert!(holder.works(&token).await);
    let who = accounts::get_user(&holder.app.db, holder.user_id)
        .await
        .unwrap()
        .0;
    let me = itaku::auth::User {
        id: who.id,
        email: who.email.clone(),
        display_name: who.display_name.clone(),
        role: Role::Ciso,
        vendor_id: None,
        department_ids: Vec::new(),
    };
    let change = accounts::PasswordChange {
        current_password: common::PASSWORD.into(),
        new_password: "a brand new passphrase 2026".into(),
        confirmation: "a brand new passphrase 2026".into(),
    };
    accounts::change_password(&holder.app.db, &holder.app.settings, &me, &change, &local())
        .await
        .unwrap();
    assert!(!holder.works(&token).await);
}

#[rocket::async_test]
async fn an_administrators_password_reset_ends_the_users_tokens() {
    let holder = TokenHolder::new().await;
    let token = holder.issue(None).await.unwrap();
    accounts::reset_password(&holder.app.db, &Actor::system("test"), holder.user_id)
        .await
        .unwrap();
    assert!(!holder.works(&token).await);
}

#[rocket::async_test]
async fn a_deactivated_users_tokens_stay_ended_after_reactivation() {
    let holder = TokenHolder::new().await;
    let token = holder.issue(None).await.unwrap();
    holder.update(|input| input.active = false).await;
    holder.update(|_| {}).await;
    assert!(!holder.works(&token).await);
}

#[rocket::async_test]
async fn a_role_change_ends_the_users_tokens() {
    let holder = TokenHolder::new().await;
    let token = holder.issue(None).await.unwrap();
    assert!(holder.works(&token).await);
    holder
        .update(|input| input.role = Some("admin".into()))
        .await;
    assert!(!holder.works(&token).await);
}

#[rocket::async_test]
async fn a_token_gets_the_default_lifetime_and_none_longer_than_the_maximum() {
    let holder = TokenHolder::new().await;
    holder.issue(None).await.unwrap();
    let listed = accounts::tokens_of(&holder.app.db, holder.user_id)
        .await
        .unwrap();
    let expires = listed[0].expires_at.expect("a default lifetime");
    let in_days = (expires - itaku::domain::Timestamp::now()).num_days();
    assert!((89..=90).contains(&in_days), "{in_days}");
    assert!(matches!(
        holder.issue(Some(366)).await,
        Err(itaku::error::AppError::Validation(_))
    ));
}

/// A sign-in from `address` with the page's CSRF token.
async fn sign_in_from(
    browser: &Browser,
    address: &str,
    email: &str,
    password: &str,
) -> (Status, Option<String>) {
    let (_, login) = browser.get_html("/login").await;
    let token = hidden_field(&login, "csrf_token").unwrap();
    let body = format!(
        "email={}&password={}&csrf_token={token}",
        email.replace('@', "%40"),
        password.replace(' ', "+")
    );
    let response = browser
        .client
        .post("/login")
        .header(ContentType::Form)
        .remote(format!("{address}:40000").parse().unwrap())
        .body(body)
        .dispatch()
        .await;
    let retry_after = response
        .headers()
        .get_one("Retry-After")
        .map(str::to_string);
    (response.status(), retry_after)
}

/// Issue 21, finding 8: any account could be locked for ever, and one address could spray 20 accounts
/// in 8 s. Failures now age out of a window, one address is refused (429, `Retry-After`) once it has
/// used up its failures while others are not, made-up API tokens count as failures too, and an
/// administrator can lift an account's lock.
#[rocket::async_test]
async fn an_address_spraying_accounts_is_refused_and_an_administrator_lifts_a_lock() {
    let app = common::spawn_with(|settings| settings.sign_in_failures_per_address = 10).await;
    let browser = app.anonymous().await;
    let sprayer = "203.0.113.9";
    for n in 0..14 {
        let (status, retry_after) = sign_in_from(
            &browser,
            sprayer,
            &format!("user{n}@city.example.jp"),
            "a wrong password here",
        )
        .await;
        if n < 10 {
            assert_eq!(status, Status::Unauthorized, "attempt {n}");
        } else {
            assert_eq!(status, Status::TooManyRequests, "attempt {n}");
            let seconds: u64 = retry_after.unwrap().parse().unwrap();
            assert!((1..=900).contains(&seconds), "{seconds}");
        }
    }
    // The right password from the refused address is not even checked; from another it works.
    assert_eq!(
        sign_in_from(&browser, sprayer, ADMIN, PASSWORD).await.0,
        Status::TooManyRequests
    );
    assert_eq!(
        sign_in_from(&browser, "198.51.100.4", ADMIN, PASSWORD)
            .await
            .0,
        Status::SeeOther
    );
    let made_up = |address: &'static str| {
        let client = &browser.client;
        async move {
            client
                .get("/api/v1/me")
                .header(Header::new("Authorization", "Bearer not-a-token"))
                .remote(format!("{address}:40000").parse().unwrap())
                .dispatch()
                .await
                .status()
        }
    };
    assert_eq!(made_up("203.0.113.9").await, Status::TooManyRequests);
    assert_eq!(made_up("198.51.100.5").await, Status::Unauthorized);

    // Five failures from five addresses lock the account; the administrator lifts the lock.
    common::add_user(&app.db, "locked@city.example.jp", Role::Ciso, None, &[]).await;
    for n in 0..5 {
        let address = format!("192.0.2.{}", 10 + n);
        sign_in_from(
            &browser,
            &address,
            "locked@city.example.jp",
            "wrong password 123",
        )
        .await;
    }
    let (status, _) =
        sign_in_from(&browser, "192.0.2.50", "locked@city.example.jp", PASSWORD).await;
    assert_eq!(status, Status::Unauthorized, "locked");
    let user_id = accounts::find_user_id(&app.db, "locked@city.example.jp")
        .await
        .unwrap();
    let (_, page) = app.get_html(&format!("/admin/users/{user_id}")).await;
    assert!(page.contains("ロックされています"), "{page}");
    let Reply { status, .. } = app
        .post_form(&format!("/admin/users/{user_id}/unlock"), &[])
        .await;
    assert_eq!(status, Status::SeeOther);
    let (status, _) =
        sign_in_from(&browser, "192.0.2.50", "locked@city.example.jp", PASSWORD).await;
    assert_eq!(status, Status::SeeOther, "unlocked");
    let (_, log) = app.get_html("/audit?action=unlock").await;
    assert!(log.contains("ログインのロック解除 locked@city.example.jp"));
}

fn local() -> itaku::db::sessions::Origin {
    itaku::db::sessions::Origin {
        ip: "127.0.0.1".into(),
        user_agent: "test".into(),
    }
}

/// The account page lists the user's sessions with where they came from, and ends every other one.
#[rocket::async_test]
async fn the_account_page_lists_sessions_and_signs_out_everywhere_else() {
    let app = spawn().await;
    let laptop = Browser::signed_in(&app.db, &app.settings, ADMIN, PASSWORD).await;
    let phone = Browser::signed_in(&app.db, &app.settings, ADMIN, PASSWORD).await;
    let (_, page) = laptop.get_html("/account").await;
    assert!(page.contains("ログイン中の端末"));
    assert_eq!(page.matches("<tr><td>令和").count(), 3, "{page}");
    assert_eq!(page.matches("この端末").count(), 1);
    let Reply {
        status, location, ..
    } = laptop.post_form("/account/sessions/end-others", &[]).await;
    assert_eq!(status, Status::SeeOther);
    assert_eq!(location.as_deref(), Some("/account?signed_out_elsewhere=2"));
    let (status, _) = phone.get_html("/account").await;
    assert_eq!(status, Status::SeeOther, "the phone is signed out");
    let (status, _) = app.get_html("/account").await;
    assert_eq!(status, Status::SeeOther, "so is the first browser");
    let (status, page) = laptop.get_html("/account?signed_out_elsewhere=2").await;
    assert_eq!(status, Status::Ok, "the laptop stays");
    assert!(page.contains("ほかの端末のセッションを2件終了しました"));
}

/// With an https `public_url`, cookies are `Secure` and every response carries HSTS; without, neither.
#[rocket::async_test]
async fn an_https_public_url_makes_cookies_secure_and_sends_hsts() {
    for (public_url, tls) in [("", false), ("https://itaku.city.example.jp", true)] {
        let app = common::spawn_with(|settings| settings.public_url = public_url.into()).await;
        let browser = app.anonymous().await;
        let response = admin_sign_in(&browser, "").await.dispatch().await;
        assert_eq!(response.status(), Status::SeeOther);
        let cookies: Vec<String> = response
            .headers()
            .get("Set-Cookie")
            .map(str::to_string)
            .collect();
        assert!(!cookies.is_empty());
        assert!(
            cookies.iter().all(|c| c.contains("Secure") == tls),
            "{public_url}: {cookies:?}"
        );
        assert_eq!(
            response
                .headers()
                .get_one("Strict-Transport-Security")
                .is_some(),
            tls,
            "{public_url}"
        );
    }
}

/// What `itaku audit verify` says of the test database.
async fn verified(app: &common::TestApp) -> itaku::services::audit::ChainReport {
    itaku::services::audit::verify_chain(&app.db).await.unwrap()
}

/// Six changes logged, then the append-only triggers dropped, as someone with the database's password
/// would: the chain must name the first entry that no longer fits.
struct Tampered {
    app: common::TestApp,
    /// The entries' ids, oldest first.
    ids: Vec<i64>,
}

impl Tampered {
    async fn new() -> Tampered {
        let app = spawn().await;
        for n in 0..6 {
            let (status, _) = app
                .send_json(
                    Method::Post,
                    "/api/v1/departments",
                    &json!({"name": format!("課{n}")}),
                )
                .await;
            assert_eq!(status, Status::Created);
        }
        let unguard = match app.db.backend() {
            itaku::db::Backend::Sqlite => {
                "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete"
            }
            itaku::db::Backend::Postgres => "ALTER TABLE audit_log DISABLE TRIGGER USER",
        };
        let mut conn = app.db.acquire().await.unwrap();
        for statement in unguard.split("; ") {
            sqlx::query(statement).execute(&mut *conn).await.unwrap();
        }
        let ids: Vec<(i64,)> = sqlx::query_as("SELECT id FROM audit_log ORDER BY id")
            .fetch_all(&mut *conn)
            .await
            .unwrap();
        drop(conn);
        Tampered {
            app,
            ids: ids.into_iter().map(|(id,)| id).collect(),
        }
    }

    async fn run(&self, sql: &str) {
        sqlx::query(sql)
            .execute(&mut *self.app.db.acquire().await.unwrap())
            .await
            .unwrap();
    }

    /// `itaku audit verify` with the extra arguments: its exit code and standard output.
    fn cli(&self, extra: &[&str]) -> (Option<i32>, String) {
        let output = Command::new(env!("CARGO_BIN_EXE_itaku"))
            .args([
                "--database-url",
                &self.app.settings.database_url,
                "audit",
                "verify",
            ])
            .args(extra)
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        )
    }
}

#[rocket::async_test]
async fn an_untouched_audit_log_verifies_and_the_cli_says_so() {
    let t = Tampered::new().await;
    let intact = verified(&t.app).await;
    assert!(intact.intact(), "{intact:?}");
    assert!(intact.entries >= 7, "{intact:?}");
    let (code, stdout) = t.cli(&[]);
    assert_eq!(code, Some(0));
    assert!(stdout.contains("整合しています"), "{stdout}");
}

#[rocket::async_test]
async fn an_edited_entry_is_named_until_it_is_put_back() {
    let t = Tampered::new().await;
    let target = t.ids[3];
    let (summary,): (String,) = sqlx::query_as("SELECT summary FROM audit_log WHERE id = $1")
        .bind(target)
        .fetch_one(&mut *t.app.db.acquire().await.unwrap())
        .await
        .unwrap();
    t.run(&format!(
        "UPDATE audit_log SET summary = 'なにもなかった' WHERE id = {target}"
    ))
    .await;
    let found = verified(&t.app).await.first_break.unwrap();
    assert_eq!(found.id.get(), target);
    assert!(found.reason.contains("書き換え"), "{found:?}");
    let (code, stdout) = t.cli(&["--json"]);
    assert_eq!(code, Some(1));
    let json: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["first_break"]["id"], target);
    t.run(&format!(
        "UPDATE audit_log SET summary = '{}' WHERE id = {target}",
        summary.replace('\'', "''")
    ))
    .await;
    assert!(verified(&t.app).await.intact(), "restored");
}

#[rocket::async_test]
async fn an_entry_removed_from_the_middle_breaks_the_next_ones_link() {
    let t = Tampered::new().await;
    t.run(&format!("DELETE FROM audit_log WHERE id = {}", t.ids[2]))
        .await;
    let found = verified(&t.app).await.first_break.unwrap();
    assert_eq!(found.id.get(), t.ids[3]);
    assert!(found.reason.contains("直前の記録"), "{found:?}");
}

#[rocket::async_test]
async fn a_removed_last_entry_or_one_added_outside_the_chain_is_named() {
    let t = Tampered::new().await;
    let last = *t.ids.last().unwrap();
    t.run(&format!("DELETE FROM audit_log WHERE id = {last}"))
        .await;
    let found = verified(&t.app).await.first_break.unwrap();
    assert_eq!(found.id.get(), last);
    assert!(found.reason.contains("末尾"), "{found:?}");
    t.run("INSERT INTO audit_log (occurred_at, actor, action) VALUES ('2026-12-05T00:00:00Z', 'x', 'update')")
        .await;
    let found = verified(&t.app).await.first_break.unwrap();
    assert!(found.reason.contains("ハッシュがありません"), "{found:?}");
}
