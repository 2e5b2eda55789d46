//! Accounts: sign-in and sign-out, passwords, users, API tokens, the first administrator and demo users.

use super::audit;
use super::audit::Event;
use crate::auth::throttle::Throttle;
use crate::auth::{digest, password, Actor, Role, User};
use crate::config::Settings;
use crate::db::api_tokens::{self, ApiToken};
use crate::db::users::{self, NewUser, UserSummary};
use crate::db::{departments, sessions, vendors, Db};
use crate::domain::ids::{DepartmentId, TokenId, UserId, VendorId};
use crate::domain::Timestamp;
use crate::domain::{Email, VendorIdentifier};
use crate::error::{AppError, AppResult, FieldErrors};
use chrono::Duration;
use serde::{Deserialize, Serialize};
use serde_json::json;

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

/// Checks the password (against a dummy hash when there is no such account), applies the back-off and
/// lock, and on success opens a new session. Every attempt is in the audit log.
///
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
    if super::mfa::needs_second_factor(&mut *tx, settings, user.id, &user.role).await? {
        let challenge = super::mfa::open_challenge(&mut *tx, user.id, origin).await?;
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

/// Whether the user gets reminders as one daily digest.
pub async fn mail_digest(db: &Db, user_id: UserId) -> AppResult<bool> {
    Ok(users::mail_digest(&mut *db.acquire().await?, user_id).await?)
}

/// Staff choose reminders one by one or as one daily digest.
pub async fn set_mail_digest(db: &Db, actor: &Actor, user: &User, digest: bool) -> AppResult<()> {
    if user.role == Role::Vendor {
        return Err(AppError::Forbidden);
    }
    let mut tx = db.begin().await?;
    users::set_mail_digest(&mut tx, user.id, digest).await?;
    audit::record(
        &mut tx,
        actor,
        Event::new(
            "update",
            "user",
            user.id,
            if digest {
                "お知らせメールを1日1通のまとめに変更"
            } else {
                "お知らせメールを1件ずつに変更"
            },
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
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

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
    pub confirmation: String,
}

/// Changes a user's own password; every session of the user ends and a fresh one is returned.
/// Ends every way a user is signed in: its sessions and its API tokens. Run when its password is
/// changed or reset, and when it is deactivated or given another role or scope; a token used to
/// outlive all of these.
async fn end_access(conn: &mut crate::db::Conn, user_id: UserId) -> AppResult<()> {
    sessions::delete_for_user(&mut *conn, user_id).await?;
    api_tokens::revoke_for_user(conn, user_id).await?;
    Ok(())
}

pub async fn change_password(
    db: &Db,
    settings: &Settings,
    user: &User,
    change: &PasswordChange,
    origin: &sessions::Origin,
) -> AppResult<NewSession> {
    let ip = origin.ip.as_str();
    let mut errors = FieldErrors::new();
    let row = users::find(&mut *db.acquire().await?, user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !password::verify(change.current_password.clone(), Some(row.password_hash)).await? {
        errors.add("current_password", "現在のパスワードが正しくありません");
    }
    if let Err(message) = password::check_policy(&change.new_password, &user.email) {
        errors.add("new_password", message);
    }
    if change.new_password != change.confirmation {
        errors.add("confirmation", "確認用のパスワードが一致しません");
    }
    errors.into_result()?;
    let hash = password::hash(change.new_password.clone()).await?;
    let mut tx = db.begin().await?;
    users::set_password(&mut tx, user.id, &hash).await?;
    end_access(&mut tx, user.id).await?;
    let session = open_session(&mut tx, settings, user.id, origin).await?;
    audit::record(
        &mut tx,
        &Actor::user(user, ip),
        Event::new("password_change", "user", user.id, "パスワード変更"),
    )
    .await?;
    tx.commit().await?;
    Ok(session)
}

/// A user account as an administrator (or `itaku user add`) describes it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct UserInput {
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub role: Option<String>,
    /// The vendor a vendor user acts for: its 法人番号, 登録番号 or 業者番号.
    #[serde(alias = "vendor_corporate_number")]
    pub vendor_identifier: Option<String>,
    /// Departments an officer works for.
    #[serde(default)]
    pub department_ids: Vec<DepartmentId>,
    /// Blank: a password is generated and shown once.
    pub password: Option<String>,
    /// A form leaves an unticked box out, so a missing value is "not active".
    #[serde(default, deserialize_with = "super::input::flag")]
    pub active: bool,
}

struct ValidUser {
    email: String,
    display_name: String,
    role: Role,
    vendor_id: Option<VendorId>,
    department_ids: Vec<DepartmentId>,
}

async fn parse_user(db: &Db, input: &UserInput) -> AppResult<ValidUser> {
    let mut errors = FieldErrors::new();
    let email = errors.take("email", Email::parse(input.email.as_deref().unwrap_or("")));
    let role =
        errors.take(
            "role",
            input.role.as_deref().and_then(Role::parse).ok_or_else(|| {
                "役割を選んでください（admin / officer / ciso / vendor）".to_string()
            }),
        );
    let mut conn = db.acquire().await?;
    let vendor_id = match (role, super::given(&input.vendor_identifier)) {
        (Some(Role::Vendor), Some(typed)) => match VendorIdentifier::parse(typed) {
            Ok(identifier) => match vendors::find_by_identifier(&mut conn, &identifier).await? {
                Some(vendor) => Some(vendor.id),
                None => {
                    errors.add(
                        "vendor_identifier",
                        format!("この{}の事業者は登録されていません", identifier.kind()),
                    );
                    None
                }
            },
            Err(message) => {
                errors.add("vendor_identifier", message);
                None
            }
        },
        (Some(Role::Vendor), None) => {
            errors.add(
                "vendor_identifier",
                "事業者ユーザーには事業者の法人番号・登録番号・業者番号が必要です",
            );
            None
        }
        _ => None,
    };
    let mut department_ids = Vec::new();
    if role == Some(Role::Officer) {
        for id in &input.department_ids {
            if departments::find(&mut conn, *id).await?.is_some() {
                department_ids.push(*id);
            }
        }
        if department_ids.is_empty() {
            errors.add(
                "department_ids",
                "契約担当には担当する所管課を1つ以上選んでください",
            );
        }
    }
    let display_name: String = input
        .display_name
        .as_deref()
        .unwrap_or("")
        .trim()
        .chars()
        .take(100)
        .collect();
    errors.take(
        "display_name",
        crate::domain::text::visible(&display_name, "名前"),
    );
    errors.into_result()?;
    match (email, role) {
        (Some(email), Some(role)) => Ok(ValidUser {
            email: email.as_str().to_string(),
            display_name,
            role,
            vendor_id,
            department_ids,
        }),
        _ => Err(AppError::Internal("validated user without values".into())),
    }
}

/// Creates a user; returns its id and the password when one was generated (shown once, never stored).
pub async fn create_user(
    db: &Db,
    actor: &Actor,
    input: &UserInput,
) -> AppResult<(UserId, Option<String>)> {
    let parsed = parse_user(db, input).await;
    let mut errors = match &parsed {
        Err(AppError::Validation(errors)) => errors.clone(),
        _ => FieldErrors::new(),
    };
    let (password, generated) = match super::given(&input.password) {
        Some(password) => (password.to_string(), None),
        None => {
            let password = password::generate();
            (password.clone(), Some(password))
        }
    };
    if let Err(message) = password::check_policy(&password, input.email.as_deref().unwrap_or("")) {
        errors.add("password", message);
    }
    errors.into_result()?;
    let valid = parsed?;
    let hash = password::hash(password).await?;
    let mut tx = db.begin().await?;
    let new_user = NewUser {
        email: &valid.email,
        display_name: &valid.display_name,
        role: valid.role.code(),
        vendor_id: valid.vendor_id,
        password_hash: &hash,
    };
    let id = users::insert(&mut tx, &new_user)
        .await
        .map_err(|e| match AppError::from(e) {
            AppError::Duplicate(crate::error::Unique::UserEmail) => {
                let mut errors = FieldErrors::new();
                errors.add(
                    "email",
                    "このメールアドレスのユーザーは既に登録されています",
                );
                AppError::Validation(errors)
            }
            other => other,
        })?;
    users::set_departments(&mut tx, id, &valid.department_ids).await?;
    let after = json!({"email": valid.email, "role": valid.role.code(), "vendor_id": valid.vendor_id, "department_ids": valid.department_ids});
    audit::record(
        &mut tx,
        actor,
        Event::new(
            "create",
            "user",
            id,
            format!("ユーザー登録 {}", valid.email),
        )
        .changes(None, Some(after)),
    )
    .await?;
    tx.commit().await?;
    Ok((id, generated))
}

/// Changes a user's role, scope and state; a deactivated user's sessions end at once.
pub async fn update_user(db: &Db, actor: &Actor, id: UserId, input: &UserInput) -> AppResult<()> {
    let mut conn = db.acquire().await?;
    let existing = users::find(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let before_departments = users::department_ids(&mut conn, id).await?;
    drop(conn);
    let mut input = input.clone();
    input.email = Some(existing.email.clone());
    let valid = parse_user(db, &input).await?;
    if actor.user_id == Some(id) && (!input.active || valid.role != Role::Admin) {
        let mut errors = FieldErrors::new();
        errors.add(
            "role",
            "自分自身を無効にしたり、管理者でなくしたりすることはできません",
        );
        return Err(AppError::Validation(errors));
    }
    let mut tx = db.begin().await?;
    users::update_profile(
        &mut tx,
        id,
        &valid.display_name,
        valid.role.code(),
        valid.vendor_id,
        input.active,
    )
    .await?;
    users::set_departments(&mut tx, id, &valid.department_ids).await?;
    let sorted = |ids: &[DepartmentId]| {
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids
    };
    let access_changed = !input.active
        || valid.role.code() != existing.role
        || valid.vendor_id != existing.vendor_id
        || sorted(&valid.department_ids) != sorted(&before_departments);
    if access_changed {
        end_access(&mut tx, id).await?;
    }
    let before = json!({"role": existing.role, "vendor_id": existing.vendor_id, "department_ids": before_departments, "active": existing.active});
    let after = json!({"role": valid.role.code(), "vendor_id": valid.vendor_id, "department_ids": valid.department_ids, "active": input.active});
    audit::record(
        &mut tx,
        actor,
        Event::new(
            "update",
            "user",
            id,
            format!("ユーザー変更 {}", existing.email),
        )
        .changes(Some(before), Some(after)),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Until when the user's sign-in is locked after failures, if it is now (UTC, as stored).
pub async fn locked_until(db: &Db, id: UserId) -> AppResult<Option<Timestamp>> {
    let mut conn = db.acquire().await?;
    let user = users::find(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = Timestamp::now();
    Ok(sessions::throttle(&mut conn, &user.email)
        .await?
        .and_then(|t| t.locked_until)
        .filter(|until| *until > now))
}

/// Lifts a lock and forgets the user's recent failures (an administrator who has checked with the
/// user that the failures were theirs, or that the account is safe).
pub async fn unlock(db: &Db, actor: &Actor, id: UserId) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let user = users::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    sessions::clear_failures(&mut tx, &user.email).await?;
    audit::record(
        &mut tx,
        actor,
        Event::new(
            "unlock",
            "user",
            id,
            format!("ログインのロック解除 {}", user.email),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sets a new generated password for a user (shown once) and ends the user's sessions.
pub async fn reset_password(db: &Db, actor: &Actor, id: UserId) -> AppResult<String> {
    let existing = users::find(&mut *db.acquire().await?, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let password = password::generate();
    let hash = password::hash(password.clone()).await?;
    let mut tx = db.begin().await?;
    users::set_password(&mut tx, id, &hash).await?;
    end_access(&mut tx, id).await?;
    audit::record(
        &mut tx,
        actor,
        Event::new(
            "password_reset",
            "user",
            id,
            format!("パスワード再発行 {}", existing.email),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(password)
}

pub async fn list_users(db: &Db) -> AppResult<Vec<UserSummary>> {
    Ok(users::list(&mut *db.acquire().await?).await?)
}

pub async fn get_user(db: &Db, id: UserId) -> AppResult<(users::UserRow, Vec<DepartmentId>)> {
    let mut conn = db.acquire().await?;
    let user = users::find(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let departments = users::department_ids(&mut conn, id).await?;
    Ok((user, departments))
}

pub async fn find_user_id(db: &Db, email: &str) -> AppResult<UserId> {
    let email = crate::domain::text::normalize(email).to_lowercase();
    users::find_by_email(&mut *db.acquire().await?, &email)
        .await?
        .map(|u| u.id)
        .ok_or(AppError::NotFound)
}

/// Creates an API token for a user; the token itself is returned once and only its hash is kept.
/// Issues an API token; without a lifetime it expires after `token_lifetime_days`, and none may live
/// longer than `token_max_lifetime_days`.
pub async fn create_token(
    db: &Db,
    settings: &Settings,
    actor: &Actor,
    user_id: UserId,
    name: &str,
    expires_in_days: Option<i64>,
) -> AppResult<String> {
    let name: String = crate::domain::text::normalize(name)
        .chars()
        .take(100)
        .collect();
    let name = if name.is_empty() {
        "API".to_string()
    } else {
        name
    };
    let days = expires_in_days.unwrap_or(settings.token_lifetime_days);
    if !(1..=settings.token_max_lifetime_days).contains(&days) {
        let mut errors = FieldErrors::new();
        errors.add(
            "expires_in_days",
            format!(
                "有効日数は1〜{}日で指定してください",
                settings.token_max_lifetime_days
            ),
        );
        return Err(AppError::Validation(errors));
    }
    let token = format!("itk_{}{}", crate::random_token(), crate::random_token());
    let expires = Some(Timestamp::now() + Duration::days(days));
    let mut tx = db.begin().await?;
    users::find(&mut tx, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let id = api_tokens::insert(
        &mut tx,
        user_id,
        &name,
        &digest(&token),
        &token[..12],
        expires,
    )
    .await?;
    let after = json!({"user_id": user_id, "name": name, "expires_at": expires});
    audit::record(
        &mut tx,
        actor,
        Event::new(
            "token_create",
            "api_token",
            id,
            format!("APIトークン発行「{name}」"),
        )
        .changes(None, Some(after)),
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

pub async fn tokens_of(db: &Db, user_id: UserId) -> AppResult<Vec<ApiToken>> {
    Ok(api_tokens::for_user(&mut *db.acquire().await?, user_id).await?)
}

/// Revokes a token; its owner and administrators may.
pub async fn revoke_token(db: &Db, actor: &Actor, by: &User, token_id: TokenId) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let token = api_tokens::find(&mut tx, token_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if token.user_id != by.id && by.role != Role::Admin {
        return Err(AppError::NotFound);
    }
    api_tokens::revoke(&mut tx, token_id).await?;
    audit::record(
        &mut tx,
        actor,
        Event::new(
            "token_revoke",
            "api_token",
            token_id,
            format!("APIトークン失効「{}」", token.name),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// With no user at all, creates a one-time link (valid 24 hours) for setting up the first administrator.
pub async fn setup_link_if_needed(db: &Db) -> AppResult<Option<String>> {
    let mut conn = db.acquire().await?;
    if users::count(&mut conn).await? > 0 {
        return Ok(None);
    }
    let token = crate::random_token() + &crate::random_token();
    sessions::insert_setup_token(
        &mut conn,
        &digest(&token),
        Timestamp::now() + Duration::hours(24),
    )
    .await?;
    Ok(Some(format!("/setup/{token}")))
}

pub async fn setup_token_valid(db: &Db, token: &str) -> AppResult<bool> {
    let mut conn = db.acquire().await?;
    Ok(users::count(&mut conn).await? == 0
        && sessions::setup_token_valid(&mut conn, &digest(token), Timestamp::now()).await?)
}

/// Creates the first administrator through a setup link; the link works once.
pub async fn setup_first_admin(
    db: &Db,
    token: &str,
    email: &str,
    password: &str,
    ip: &str,
) -> AppResult<UserId> {
    let mut errors = FieldErrors::new();
    let email = errors.take("email", Email::parse(email));
    if let Some(email) = &email {
        errors.take("password", password::check_policy(password, email.as_str()));
    }
    errors.into_result()?;
    let email = email.ok_or_else(|| AppError::Internal("validated e-mail missing".into()))?;
    let hash = password::hash(password.to_string()).await?;
    let mut tx = db.begin().await?;
    if users::count(&mut tx).await? > 0
        || !sessions::use_setup_token(&mut tx, &digest(token), Timestamp::now()).await?
    {
        return Err(AppError::NotFound);
    }
    let id = users::insert(
        &mut tx,
        &NewUser {
            email: email.as_str(),
            display_name: "管理者",
            role: Role::Admin.code(),
            vendor_id: None,
            password_hash: &hash,
        },
    )
    .await?;
    let actor = Actor {
        user_id: Some(id),
        label: email.as_str().to_string(),
        ip: ip.to_string(),
    };
    audit::record(
        &mut tx,
        &actor,
        Event::new("create", "user", id, "初期管理者の登録"),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A demo account and its one-time password.
pub struct DemoLogin {
    pub role: Role,
    pub email: String,
    pub password: String,
    pub note: String,
}

/// Creates one user per role with random passwords (never a fixed default) when there are no users.
pub async fn create_demo_users(db: &Db) -> AppResult<Vec<DemoLogin>> {
    if users::count(&mut *db.acquire().await?).await? > 0 {
        return Ok(Vec::new());
    }
    let mut conn = db.acquire().await?;
    let departments = departments::all(&mut conn).await?;
    let officer_departments: Vec<DepartmentId> = departments
        .iter()
        .filter(|d| d.name == "税務課" || d.name == "市民課")
        .map(|d| d.id)
        .collect();
    let vendors = vendors::search(&mut conn, None, 100, 0).await?.0;
    drop(conn);
    let vendor = vendors
        .iter()
        .find(|v| v.name.contains("いろは"))
        .or(vendors.first());
    let mut specs = vec![
        (
            Role::Admin,
            "admin@demo.itaku.example",
            "システム管理者",
            None,
            Vec::new(),
            "すべての操作".to_string(),
        ),
        (
            Role::Officer,
            "officer@demo.itaku.example",
            "契約担当（税務課・市民課）",
            None,
            officer_departments,
            "税務課・市民課の契約".to_string(),
        ),
        (
            Role::Ciso,
            "ciso@demo.itaku.example",
            "CISO",
            None,
            Vec::new(),
            "すべての閲覧と監査ログ".to_string(),
        ),
    ];
    if let Some(vendor) = vendor {
        specs.push((
            Role::Vendor,
            "vendor@demo.itaku.example",
            "事業者ユーザー",
            Some(vendor.identifier.clone()),
            Vec::new(),
            format!("{}の契約のみ", vendor.name),
        ));
    }
    let actor = Actor::system("demo");
    let mut logins = Vec::new();
    for (role, email, name, corporate_number, department_ids, note) in specs {
        let input = UserInput {
            email: Some(email.into()),
            display_name: Some(name.into()),
            role: Some(role.code().into()),
            vendor_identifier: corporate_number,
            department_ids,
            password: None,
            active: true,
        };
        let (_, password) = create_user(db, &actor, &input).await?;
        logins.push(DemoLogin {
            role,
            email: email.into(),
            password: password.unwrap_or_default(),
            note,
        });
    }
    Ok(logins)
}
