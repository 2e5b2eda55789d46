//! API tokens: issued with a bounded lifetime, listed, revoked.

use crate::auth::{digest, Actor, Role, User};
use crate::config::Settings;
use crate::db::api_tokens::{self, ApiToken};
use crate::db::users;
use crate::db::Db;
use crate::domain::ids::{TokenId, UserId};
use crate::domain::Timestamp;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::services::audit;
use crate::services::audit::Event;
use chrono::Duration;
use serde_json::json;

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
