use super::Conn;
use crate::domain::ids::{TokenId, UserId};
use crate::domain::Timestamp;
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct ApiToken {
    pub id: TokenId,
    pub user_id: UserId,
    pub name: String,
    pub prefix: String,
    pub created_at: String,
    pub expires_at: Option<Timestamp>,
    pub revoked_at: Option<String>,
    pub last_used_at: Option<Timestamp>,
}

pub async fn insert(
    conn: &mut Conn,
    user_id: UserId,
    name: &str,
    token_hash: &str,
    prefix: &str,
    expires_at: Option<Timestamp>,
) -> Result<TokenId, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(user_id)
    .bind(name)
    .bind(token_hash)
    .bind(prefix)
    .bind(Timestamp::now())
    .bind(expires_at)
    .fetch_one(conn)
    .await
}

/// The user a live token belongs to: not revoked, not expired at `now`.
/// The live token with this hash: its id, its user and when it was last used.
pub async fn user_for(
    conn: &mut Conn,
    token_hash: &str,
    now: Timestamp,
) -> Result<Option<(TokenId, UserId, Option<Timestamp>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, user_id, last_used_at FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(conn)
    .await
}

pub async fn mark_used(conn: &mut Conn, id: TokenId, now: Timestamp) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn for_user(conn: &mut Conn, user_id: UserId) -> Result<Vec<ApiToken>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, user_id, name, prefix, created_at, expires_at, revoked_at, last_used_at FROM api_tokens
         WHERE user_id = $1 ORDER BY created_at DESC, id DESC",
    )
    .bind(user_id)
    .fetch_all(conn)
    .await
}

pub async fn find(conn: &mut Conn, id: TokenId) -> Result<Option<ApiToken>, sqlx::Error> {
    sqlx::query_as("SELECT id, user_id, name, prefix, created_at, expires_at, revoked_at, last_used_at FROM api_tokens WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub async fn revoke(conn: &mut Conn, id: TokenId) -> Result<bool, sqlx::Error> {
    let result =
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(Timestamp::now())
            .bind(id)
            .execute(conn)
            .await?;
    Ok(result.rows_affected() > 0)
}

/// Revokes every live token of a user (its password, role or access changed).
pub async fn revoke_for_user(conn: &mut Conn, user_id: UserId) -> Result<u64, sqlx::Error> {
    let result = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
    )
    .bind(Timestamp::now())
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(result.rows_affected())
}
