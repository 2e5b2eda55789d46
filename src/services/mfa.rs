//! Two-factor sign-in with an authenticator app (TOTP): required for the roles in
//! `mfa_required_roles` (administrators and the CISO by default), optional for others. A right
//! password opens a challenge; the code (or a one-time recovery code) turns it into a session. A user
//! of a required role without a second factor sets one up inside that challenge. Every step is in the
//! audit log.

use super::accounts::{open_session, NewSession};
use super::audit::{self, Event};
use crate::auth::throttle::Throttle;
use crate::auth::{digest, totp, Actor, User};
use crate::config::Settings;
use crate::db::sessions::Origin;
use crate::db::{mfa, users, Conn, Db};
use crate::domain::ids::UserId;
use crate::domain::Timestamp;
use crate::error::{AppError, AppResult, FieldErrors};
use chrono::{Duration, Utc};
use serde::Serialize;

/// How long a sign-in may wait for its second factor.
const CHALLENGE_MINUTES: i64 = 10;
/// Wrong codes a challenge takes before the sign-in must start again.
const CHALLENGE_ATTEMPTS: i64 = 5;

fn unix_now() -> u64 {
    Utc::now().timestamp().max(0) as u64
}

/// Whether the role must have a second factor.
pub fn required_for(settings: &Settings, role: &str) -> bool {
    settings.mfa_required_roles.iter().any(|r| r == role)
}

/// After a right password: whether the sign-in waits for a second factor (the user has one, or its
/// role requires one).
pub async fn needs_second_factor(
    conn: &mut Conn,
    settings: &Settings,
    user_id: UserId,
    role: &str,
) -> AppResult<bool> {
    if required_for(settings, role) {
        return Ok(true);
    }
    Ok(mfa::find(conn, user_id)
        .await?
        .is_some_and(|m| m.enabled_at.is_some()))
}

/// Opens a challenge in the caller's transaction; answers its id for the cookie.
pub async fn open_challenge(
    conn: &mut Conn,
    user_id: UserId,
    origin: &Origin,
) -> AppResult<String> {
    let id = crate::random_token() + &crate::random_token();
    let now = Timestamp::now();
    mfa::delete_stale_challenges(&mut *conn, now).await?;
    mfa::insert_challenge(
        conn,
        &digest(&id),
        user_id,
        now + Duration::minutes(CHALLENGE_MINUTES),
        &origin.ip,
        &origin.user_agent,
    )
    .await?;
    Ok(id)
}

/// What the set-up page shows: the QR code and the secret for typing.
#[derive(Debug, Clone, Serialize)]
pub struct Enrolment {
    pub qr_svg: String,
    pub secret: String,
}

/// The user's pending set-up, started when there is none (an enabled second factor is never
/// replaced here).
async fn enrolment(conn: &mut Conn, user_id: UserId, email: &str) -> AppResult<Enrolment> {
    let secret = match mfa::find(&mut *conn, user_id).await? {
        Some(existing) if existing.enabled_at.is_some() => {
            return Err(AppError::BadRequest(
                "二要素認証は既に設定されています".into(),
            ))
        }
        Some(pending) => pending.secret,
        None => {
            let secret = totp::new_secret();
            mfa::begin_setup(&mut *conn, user_id, &secret).await?;
            secret
        }
    };
    Ok(Enrolment {
        qr_svg: totp::qr_svg(&totp::otpauth_url(email, &secret)),
        secret: totp::grouped(&secret),
    })
}

/// A sign-in waiting for its second factor, as its page shows it.
pub struct Pending {
    pub email: String,
    /// `Some` when the user has no second factor yet and sets one up now.
    pub enrolment: Option<Enrolment>,
}

async fn live_challenge(conn: &mut Conn, challenge: &str) -> AppResult<Option<mfa::Challenge>> {
    Ok(mfa::find_challenge(conn, &digest(challenge))
        .await?
        .filter(|c| c.expires_at > Timestamp::now()))
}

/// The challenge behind the cookie, if it is still open.
pub async fn pending(db: &Db, challenge: &str) -> AppResult<Option<Pending>> {
    let mut tx = db.begin().await?;
    let Some(open) = live_challenge(&mut tx, challenge).await? else {
        return Ok(None);
    };
    let user = users::find(&mut tx, open.user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let enabled = mfa::find(&mut tx, user.id)
        .await?
        .is_some_and(|m| m.enabled_at.is_some());
    let enrolment = if enabled {
        None
    } else {
        Some(enrolment(&mut tx, user.id, &user.email).await?)
    };
    tx.commit().await?;
    Ok(Some(Pending {
        email: user.email,
        enrolment,
    }))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecondFactorError {
    /// The code is not right (or was used already); try again.
    Wrong,
    /// The challenge ended (time, or too many wrong codes): sign in again.
    Expired,
}

impl SecondFactorError {
    pub fn message(&self) -> &'static str {
        match self {
            SecondFactorError::Wrong => "確認コードが正しくありません。認証アプリに表示されている6桁の数字を入力してください",
            SecondFactorError::Expired => "確認の有効時間が過ぎたか、誤りが続きました。もう一度ログインしてください",
        }
    }
}

/// A finished second factor: the session, and the recovery codes to show once when it was set up now.
pub struct Finished {
    pub session: NewSession,
    pub recovery_codes: Option<Vec<String>>,
}

/// Which code was right.
enum Passed {
    Totp,
    Enrolled,
    RecoveryCode { left: i64 },
}

/// Checks a code against the user's second factor in the caller's transaction: a TOTP code (each
/// period's code once), or, when `recovery` is allowed, an unused recovery code.
async fn check_code(
    conn: &mut Conn,
    user_id: UserId,
    code: &str,
    recovery: bool,
) -> AppResult<Option<Passed>> {
    let Some(factor) = mfa::find(&mut *conn, user_id).await? else {
        return Ok(None);
    };
    if let Some(step) = totp::verify(&factor.secret, code, unix_now(), factor.last_step as u64) {
        if mfa::use_step(&mut *conn, user_id, step as i64).await? {
            if factor.enabled_at.is_none() {
                mfa::enable(&mut *conn, user_id).await?;
                return Ok(Some(Passed::Enrolled));
            }
            return Ok(Some(Passed::Totp));
        }
        return Ok(None);
    }
    if recovery && factor.enabled_at.is_some() {
        let key = totp::recovery_key(code);
        if key.len() == 10 && mfa::use_recovery_code(&mut *conn, user_id, &digest(&key)).await? {
            let left = mfa::unused_recovery_codes(conn, user_id).await?;
            return Ok(Some(Passed::RecoveryCode { left }));
        }
    }
    Ok(None)
}

/// New recovery codes for the user, replacing any it had; answers them to show once.
async fn issue_recovery_codes(conn: &mut Conn, user_id: UserId) -> AppResult<Vec<String>> {
    let codes = totp::new_recovery_codes();
    let digests: Vec<String> = codes
        .iter()
        .map(|c| digest(&totp::recovery_key(c)))
        .collect();
    mfa::replace_recovery_codes(conn, user_id, &digests).await?;
    Ok(codes)
}

/// Finishes a sign-in with its second factor: a right code opens the session; a wrong one counts
/// against the challenge (five and it ends) and against the client's address.
pub async fn finish(
    db: &Db,
    settings: &Settings,
    throttle: &Throttle,
    challenge: &str,
    code: &str,
) -> AppResult<Result<Finished, SecondFactorError>> {
    let mut tx = db.begin().await?;
    let Some(open) = live_challenge(&mut tx, challenge).await? else {
        return Ok(Err(SecondFactorError::Expired));
    };
    let user = users::find(&mut tx, open.user_id)
        .await?
        .filter(|u| u.active)
        .ok_or(AppError::NotFound)?;
    let origin = Origin {
        ip: open.ip.clone(),
        user_agent: open.user_agent.clone(),
    };
    let actor = Actor {
        user_id: Some(user.id),
        label: user.email.clone(),
        ip: open.ip.clone(),
    };
    let Some(passed) = check_code(&mut tx, user.id, code, true).await? else {
        let attempts = mfa::count_challenge_attempt(&mut tx, &digest(challenge)).await?;
        if attempts >= CHALLENGE_ATTEMPTS {
            mfa::delete_challenge(&mut tx, &digest(challenge)).await?;
        }
        audit::record(
            &mut tx,
            &actor,
            Event::new("sign_in_failed", "user", user.id, "二要素認証の失敗"),
        )
        .await?;
        tx.commit().await?;
        throttle.failed(&open.ip);
        return Ok(Err(if attempts >= CHALLENGE_ATTEMPTS {
            SecondFactorError::Expired
        } else {
            SecondFactorError::Wrong
        }));
    };
    mfa::delete_challenge(&mut tx, &digest(challenge)).await?;
    let recovery_codes = match passed {
        Passed::Enrolled => {
            audit::record(
                &mut tx,
                &actor,
                Event::new("mfa_enable", "user", user.id, "二要素認証を設定"),
            )
            .await?;
            Some(issue_recovery_codes(&mut tx, user.id).await?)
        }
        _ => None,
    };
    let summary = match passed {
        Passed::RecoveryCode { left } => {
            format!("サインイン（二要素認証: 回復コードを使用、残り{left}個）")
        }
        _ => "サインイン（二要素認証）".to_string(),
    };
    let session = open_session(&mut tx, settings, user.id, &origin).await?;
    audit::record(
        &mut tx,
        &actor,
        Event::new("sign_in", "user", user.id, summary),
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(Finished {
        session,
        recovery_codes,
    }))
}

/// The user's second factor as the account page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub enabled: bool,
    pub required: bool,
    pub recovery_codes_left: i64,
}

pub async fn status(db: &Db, settings: &Settings, user: &User) -> AppResult<Status> {
    let mut conn = db.acquire().await?;
    let enabled = mfa::find(&mut conn, user.id)
        .await?
        .is_some_and(|m| m.enabled_at.is_some());
    Ok(Status {
        enabled,
        required: required_for(settings, user.role.code()),
        recovery_codes_left: if enabled {
            mfa::unused_recovery_codes(&mut conn, user.id).await?
        } else {
            0
        },
    })
}

/// Starts setting up a second factor from the account page.
pub async fn start_setup(db: &Db, user: &User) -> AppResult<Enrolment> {
    let mut tx = db.begin().await?;
    let enrolment = enrolment(&mut tx, user.id, &user.email).await?;
    tx.commit().await?;
    Ok(enrolment)
}

fn wrong_code() -> AppError {
    let mut errors = FieldErrors::new();
    errors.add("code", SecondFactorError::Wrong.message());
    AppError::Validation(errors)
}

/// Checks the code (it must pass as `wanted` says), then issues new recovery codes, audited as
/// `action`; answers the codes to show once.
async fn recovery_codes_after(
    db: &Db,
    actor: &Actor,
    user: &User,
    code: &str,
    wanted: fn(&Passed) -> bool,
    action: &str,
    summary: &str,
) -> AppResult<Vec<String>> {
    let mut tx = db.begin().await?;
    match check_code(&mut tx, user.id, code, false).await? {
        Some(passed) if wanted(&passed) => {}
        _ => return Err(wrong_code()),
    }
    let codes = issue_recovery_codes(&mut tx, user.id).await?;
    audit::record(&mut tx, actor, Event::new(action, "user", user.id, summary)).await?;
    tx.commit().await?;
    Ok(codes)
}

/// Confirms the set-up with a first right code; answers the recovery codes to show once.
pub async fn confirm_setup(
    db: &Db,
    actor: &Actor,
    user: &User,
    code: &str,
) -> AppResult<Vec<String>> {
    let enrolled = |p: &Passed| matches!(p, Passed::Enrolled);
    recovery_codes_after(
        db,
        actor,
        user,
        code,
        enrolled,
        "mfa_enable",
        "二要素認証を設定",
    )
    .await
}

/// New recovery codes (the old ones stop working), for a user who proves the second factor.
pub async fn renew_recovery_codes(
    db: &Db,
    actor: &Actor,
    user: &User,
    code: &str,
) -> AppResult<Vec<String>> {
    let totp = |p: &Passed| matches!(p, Passed::Totp);
    recovery_codes_after(
        db,
        actor,
        user,
        code,
        totp,
        "mfa_recovery_codes",
        "回復コードを再発行",
    )
    .await
}

/// Turns the second factor off (with a right code), unless the user's role requires it.
pub async fn disable(
    db: &Db,
    settings: &Settings,
    actor: &Actor,
    user: &User,
    code: &str,
) -> AppResult<()> {
    if required_for(settings, user.role.code()) {
        return Err(AppError::BadRequest(
            "この役割では二要素認証を無効にできません".into(),
        ));
    }
    let mut tx = db.begin().await?;
    match check_code(&mut tx, user.id, code, false).await? {
        Some(Passed::Totp) => {}
        _ => return Err(wrong_code()),
    }
    mfa::remove(&mut tx, user.id).await?;
    audit::record(
        &mut tx,
        actor,
        Event::new("mfa_disable", "user", user.id, "二要素認証を無効化"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// An administrator removes a user's second factor (a lost phone): the user's sessions end, and a
/// user of a required role sets a new one up at its next sign-in.
pub async fn reset(db: &Db, actor: &Actor, user_id: UserId) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let user = users::find(&mut tx, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    mfa::remove(&mut tx, user_id).await?;
    crate::db::sessions::delete_for_user(&mut tx, user_id).await?;
    audit::record(
        &mut tx,
        actor,
        Event::new(
            "mfa_reset",
            "user",
            user_id,
            format!("二要素認証をリセット {}", user.email),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
