//! Sign-in by e-mail link for vendor users (who sign in a few times a year and forget passwords): a
//! link bound to the user, single use, valid 15 minutes. Asking for one answers the same whether or
//! not the address has an account, and the mail goes out in the background so the answer takes the
//! same time; asking is rate-limited per client address and per account. Passwords keep working.

use super::accounts::{open_session, SignInError, SignedIn};
use super::audit::{self, Event};
use crate::auth::throttle::Throttle;
use crate::auth::{digest, Actor};
use crate::config::Settings;
use crate::db::sessions::{self, Origin};
use crate::db::{users, Db};
use crate::domain::Timestamp;
use crate::error::AppResult;
use crate::mail::{Mailer, Outgoing};
use chrono::Duration;

const LINK_MINUTES: i64 = 15;
/// Links one account may be sent within `LINK_MINUTES`.
const LINKS_PER_WINDOW: i64 = 3;

/// Sends a sign-in link to `email` if it is an active vendor user's (and it has not had too many).
/// The answer is the same either way, unless the client is throttled.
pub async fn request(
    db: &Db,
    settings: &Settings,
    throttle: &Throttle,
    email: &str,
    origin: &Origin,
) -> AppResult<Result<(), SignInError>> {
    if let Err(refusal) = throttle.sign_in_attempt(&origin.ip) {
        return Ok(Err(SignInError::Throttled {
            retry_after_seconds: refusal.seconds(),
        }));
    }
    let Ok(Some(mailer)) = Mailer::from_settings(settings) else {
        return Ok(Ok(()));
    };
    let email = crate::domain::text::normalize(email).to_lowercase();
    let mut tx = db.begin().await?;
    let Some(user) = users::find_by_email(&mut tx, &email)
        .await?
        .filter(|u| u.active && u.role == "vendor")
    else {
        return Ok(Ok(()));
    };
    let now = Timestamp::now();
    let window = now - Duration::minutes(LINK_MINUTES);
    if sessions::sign_in_links_since(&mut tx, user.id, window).await? >= LINKS_PER_WINDOW {
        return Ok(Ok(()));
    }
    let token = crate::random_token() + &crate::random_token();
    sessions::insert_sign_in_link(
        &mut tx,
        &digest(&token),
        user.id,
        now + Duration::minutes(LINK_MINUTES),
    )
    .await?;
    let actor = Actor {
        user_id: Some(user.id),
        label: user.email.clone(),
        ip: origin.ip.clone(),
    };
    audit::record(
        &mut tx,
        &actor,
        Event::new(
            "sign_in_link",
            "user",
            user.id,
            "ログイン用リンクをメールで送信",
        ),
    )
    .await?;
    tx.commit().await?;
    let link = format!(
        "{}/login/link/{token}",
        settings.public_url.trim_end_matches('/')
    );
    let to = user.email.clone();
    tokio::spawn(async move {
        let text = format!(
            "Itaku（委託先セキュリティ管理）へのログイン用リンクです。{LINK_MINUTES}分間、一度だけ使えます。\n\n{link}\n\n心当たりがない場合は、このメールを破棄してください。パスワードは変わっていません。\n"
        );
        let html = format!(
            "<!doctype html><html lang=\"ja\"><body style=\"font-family: sans-serif; line-height: 1.7;\"><p>Itaku（委託先セキュリティ管理）へのログイン用リンクです。{LINK_MINUTES}分間、一度だけ使えます。</p><p><a href=\"{link}\">ログインする</a></p><p style=\"color: #626264;\">心当たりがない場合は、このメールを破棄してください。パスワードは変わっていません。</p></body></html>"
        );
        let sent = mailer
            .send(&Outgoing {
                to: &to,
                subject: "【Itaku】ログイン用リンク",
                text: &text,
                html: &html,
            })
            .await;
        if let Err(error) = sent {
            log::warn!("sign-in link to {to}: {error}");
        }
    });
    Ok(Ok(()))
}

/// Whether a link can still be used (the page that asks to confirm it, so that a mail scanner
/// opening the link does not use it up).
pub async fn valid(db: &Db, token: &str) -> AppResult<bool> {
    Ok(
        sessions::sign_in_link_valid(&mut *db.acquire().await?, &digest(token), Timestamp::now())
            .await?,
    )
}

/// Uses a link: a session (or the second factor's challenge when the user has one); `None` when the
/// link is unknown, used or expired.
pub async fn sign_in(
    db: &Db,
    settings: &Settings,
    token: &str,
    origin: &Origin,
) -> AppResult<Option<SignedIn>> {
    let mut tx = db.begin().await?;
    let Some(user_id) =
        sessions::use_sign_in_link(&mut tx, &digest(token), Timestamp::now()).await?
    else {
        return Ok(None);
    };
    let Some(user) = users::find(&mut tx, user_id).await?.filter(|u| u.active) else {
        return Ok(None);
    };
    let actor = Actor {
        user_id: Some(user.id),
        label: user.email.clone(),
        ip: origin.ip.clone(),
    };
    let signed_in =
        if super::mfa::needs_second_factor(&mut tx, settings, user.id, &user.role).await? {
            SignedIn::SecondFactor {
                challenge: super::mfa::open_challenge(&mut tx, user.id, origin).await?,
            }
        } else {
            SignedIn::Session(open_session(&mut tx, settings, user.id, origin).await?)
        };
    audit::record(
        &mut tx,
        &actor,
        Event::new("sign_in", "user", user.id, "サインイン（メールのリンク）"),
    )
    .await?;
    tx.commit().await?;
    Ok(Some(signed_in))
}
