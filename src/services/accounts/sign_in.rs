//! Signing in and out: the password check with its back-off and lock, sessions opened and ended.

use crate::auth::throttle::Throttle;
use crate::auth::{digest, password, Actor};
use crate::config::Settings;
use crate::db::users;
use crate::db::{sessions, Db};
use crate::domain::ids::UserId;
use crate::domain::Timestamp;
use crate::error::AppResult;
use crate::services::audit;
use crate::services::audit::Event;
use chrono::Duration;

/// Failures before an address is locked, and how long the first lock lasts (it doubles after).
const FAILURES_BEFORE_LOCK: i64 = 5;
const LOCK_MINUTES: i64 = 15;

#[derive(Debug, PartialEq, Eq)]
pub enum SignInError {
    /// Wrong e-mail or password; the message does not say which.
    Rejected,
    /// Too many failures for this address; try again after the given time (UTC).
    Locked,
    /// Too many attempts from this client (or from everyone, or password checks at once): nothing
    /// was checked; try again after this many seconds.
    Throttled { retry_after_seconds: u64 },
}

impl SignInError {
    pub fn message(&self) -> String {
        match self {
            SignInError::Rejected => "メールアドレスまたはパスワードが正しくありません".into(),
            SignInError::Locked => "ログインの失敗が続いたため、このメールアドレスは一時的にロックされています。しばらくしてからお試しください".into(),
            SignInError::Throttled { retry_after_seconds } => format!(
                "ログインの試行が多すぎるか、混み合っています。{}秒ほど待ってからお試しください",
                retry_after_seconds
            ),
        }
    }
}

/// A new browser session: the id for the cookie (never stored as is) and its user.
pub struct NewSession {
    pub session_id: String,
    pub user_id: UserId,
}

/// A right password: a session, or (for a user with a second factor) a challenge waiting for it.
pub enum SignedIn {
    Session(NewSession),
    /// The id for the challenge cookie (never stored as is).
    SecondFactor {
        challenge: String,
    },
}

/// Opens a session for the user inside the caller's transaction.
pub(crate) async fn open_session(
    conn: &mut crate::db::Conn,
    settings: &Settings,
    user_id: UserId,
    origin: &sessions::Origin,
) -> AppResult<NewSession> {
    let session_id = crate::random_token() + &crate::random_token();
    let expires = Timestamp::now() + Duration::hours(settings.session_max_hours);
    sessions::insert(
        conn,
        &digest(&session_id),
        user_id,
        &crate::random_token(),
        expires,
        origin,
    )
    .await?;
    Ok(NewSession {
        session_id,
        user_id,
    })
}

/// Failures older than this no longer count towards a lock.
const FAILURE_WINDOW_MINUTES: i64 = 15;

/// Counts an attempt for `email` and locks it after too many; answers the failures so far, or `None`
/// when the address was already locked (audited as a failed sign-in).
async fn count_attempt(
    db: &Db,
    actor: &Actor,
    email: &str,
    now: Timestamp,
) -> AppResult<Option<i64>> {
    let mut tx = db.begin().await?;
    let locked = sessions::throttle(&mut tx, email)
        .await?
        .and_then(|t| t.locked_until)
        .is_some_and(|until| until > now);
    let failures = if locked {
        None
    } else {
        let window_start = now - Duration::minutes(FAILURE_WINDOW_MINUTES);
        let failures = sessions::count_attempt(&mut tx, email, now, window_start).await?;
        if failures >= FAILURES_BEFORE_LOCK {
            let until = now + Duration::minutes(LOCK_MINUTES);
            sessions::lock(&mut tx, email, until).await?;
        }
        Some(failures)
    };
    if locked {
        audit::record(
            &mut tx,
            actor,
            Event::new("sign_in_failed", "user", "", "サインイン失敗（ロック中）"),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(failures)
}

/// The password matched: clears the failures, then opens a session, or a second-factor challenge
/// when the user's role needs one.
async fn admit(
    tx: &mut crate::db::Conn,
    settings: &Settings,
    actor: &Actor,
    email: &str,
    user: &users::UserRow,
    origin: &sessions::Origin,
) -> AppResult<SignedIn> {
    sessions::clear_failures(&mut *tx, email).await?;
    if crate::services::mfa::needs_second_factor(&mut *tx, settings, user.id, &user.role).await? {
        let challenge = crate::services::mfa::open_challenge(&mut *tx, user.id, origin).await?;
        audit::record(
            &mut *tx,
            actor,
            Event::new(
                "sign_in_challenge",
                "user",
                user.id,
                "パスワード確認済み（二要素認証待ち）",
            ),
        )
        .await?;
        Ok(SignedIn::SecondFactor { challenge })
    } else {
        let session = open_session(&mut *tx, settings, user.id, origin).await?;
        audit::record(
            &mut *tx,
            actor,
            Event::new("sign_in", "user", user.id, "サインイン"),
        )
        .await?;
        Ok(SignedIn::Session(session))
    }
}

/// Checks the password (against a dummy hash when there is no such account), applies the back-off and
/// lock, and on success opens a new session. Every attempt is in the audit log.
///
/// Each attempt is counted as a failure before the password is checked, in one statement, and an
/// address that is locked is refused without checking anything: attempts sent at once cannot slip
/// past the count (60 at once used to be counted as 3). Success clears the count; failures decay after
/// `FAILURE_WINDOW_MINUTES` without one, so a lock does not follow an address for ever.
pub async fn sign_in(
    db: &Db,
    settings: &Settings,
    throttle: &Throttle,
    email: &str,
    password: &str,
    origin: &sessions::Origin,
) -> AppResult<Result<SignedIn, SignInError>> {
    let ip = origin.ip.as_str();
    // Before anything costs: the client's rate and recent failures, then a place for the password
    // check (an attempt that must wait for neither is not counted against the address).
    if let Err(refusal) = throttle.sign_in_attempt(ip) {
        return Ok(Err(SignInError::Throttled {
            retry_after_seconds: refusal.seconds(),
        }));
    }
    let Ok(slot) = password::slot().await else {
        return Ok(Err(SignInError::Throttled {
            retry_after_seconds: 2,
        }));
    };
    let email = crate::domain::text::normalize(email).to_lowercase();
    let now = Timestamp::now();
    let user = users::find_by_email(&mut *db.acquire().await?, &email)
        .await?
        .filter(|u| u.active);
    let actor = Actor {
        user_id: user.as_ref().map(|u| u.id),
        label: email.chars().take(254).collect(),
        ip: ip.to_string(),
    };
    let failures = count_attempt(db, &actor, &email, now).await?;
    let Some(failures) = failures else {
        throttle.failed(ip);
        return Ok(Err(SignInError::Locked));
    };
    let matched = slot
        .verify(
            password.to_string(),
            user.as_ref().map(|u| u.password_hash.clone()),
        )
        .await;
    let mut tx = db.begin().await?;
    let outcome = match (matched, user) {
        (true, Some(user)) if failures <= FAILURES_BEFORE_LOCK => {
            Ok(admit(&mut tx, settings, &actor, &email, &user, origin).await?)
        }
        _ => {
            audit::record(
                &mut tx,
                &actor,
                Event::new("sign_in_failed", "user", "", "サインイン失敗"),
            )
            .await?;
            Err(if failures >= FAILURES_BEFORE_LOCK {
                SignInError::Locked
            } else {
                SignInError::Rejected
            })
        }
    };
    tx.commit().await?;
    if outcome.is_err() {
        throttle.failed(ip);
        // Back-off: each failure for the address makes the next answer slower.
        tokio::time::sleep(std::time::Duration::from_millis(
            200 * failures.clamp(1, 10) as u64,
        ))
        .await;
    }
    Ok(outcome)
}

/// The user's open sessions, the most recent first.
pub async fn sessions_of(db: &Db, user_id: UserId) -> AppResult<Vec<sessions::OpenSession>> {
    Ok(sessions::for_user(&mut *db.acquire().await?, user_id).await?)
}

/// Signs the user out everywhere but the session it asks from (`keep`); answers how many ended.
pub async fn sign_out_elsewhere(
    db: &Db,
    actor: &Actor,
    user_id: UserId,
    keep: &str,
) -> AppResult<u64> {
    let mut tx = db.begin().await?;
    let ended = sessions::delete_others(&mut tx, user_id, keep).await?;
    audit::record(
        &mut tx,
        actor,
        Event::new(
            "sign_out",
            "user",
            user_id,
            format!("ほかの端末からサインアウト（{ended}件）"),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(ended)
}

pub async fn sign_out(db: &Db, session_id_hash: &str, actor: &Actor) -> AppResult<()> {
    let mut tx = db.begin().await?;
    sessions::delete(&mut tx, session_id_hash).await?;
    audit::record(
        &mut tx,
        actor,
        Event::new(
            "sign_out",
            "user",
            actor.user_id.map_or(0, UserId::get),
            "サインアウト",
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
