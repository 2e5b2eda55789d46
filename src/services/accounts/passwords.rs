//! Passwords: a user changes its own, an administrator resets one; either ends every way in.

use super::{open_session, NewSession};
use crate::auth::{password, Actor, User};
use crate::config::Settings;
use crate::db::api_tokens::{self};
use crate::db::users;
use crate::db::{sessions, Db};
use crate::domain::ids::UserId;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::services::audit;
use crate::services::audit::Event;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
    pub confirmation: String,
}

/// Ends every way a user is signed in: its sessions and its API tokens. Run when its password is
/// changed or reset, and when it is deactivated or given another role or scope; a token used to
/// outlive all of these.
pub(super) async fn end_access(conn: &mut crate::db::Conn, user_id: UserId) -> AppResult<()> {
    sessions::delete_for_user(&mut *conn, user_id).await?;
    api_tokens::revoke_for_user(conn, user_id).await?;
    Ok(())
}

/// Changes a user's own password; every session of the user ends and a fresh one is returned.
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
