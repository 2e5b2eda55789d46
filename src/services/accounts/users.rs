//! Users as administrators keep them: role, vendor, departments, active, lock; and a user's mail preference.

use super::end_access;
use crate::auth::{password, Actor, Role, User};
use crate::db::users::{self, NewUser, UserSummary};
use crate::db::{departments, sessions, Db};
use crate::domain::ids::{DepartmentId, UserId, VendorId};
use crate::domain::Email;
use crate::domain::Timestamp;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::services::audit;
use crate::services::audit::Event;
use serde::{Deserialize, Serialize};
use serde_json::json;

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
    #[serde(default, deserialize_with = "crate::services::input::flag")]
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
    let vendor_id = match (role, crate::services::given(&input.vendor_identifier)) {
        (Some(Role::Vendor), Some(typed)) => {
            match crate::services::vendors::typed_in(&mut conn, typed).await? {
                Ok(id) => Some(id),
                Err(message) => {
                    errors.add("vendor_identifier", message);
                    None
                }
            }
        }
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
    let (password, generated) = match crate::services::given(&input.password) {
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
