use super::users::{self, UserRow};
use super::Conn;
use crate::domain::ids::{DepartmentId, TokenId, UserId};
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

/// A live token's id and last use, with its user and the user's departments, in one statement: this
/// runs on every API request.
pub async fn find_signed_in(
    conn: &mut Conn,
    token_hash: &str,
    now: Timestamp,
) -> Result<Option<(TokenUse, UserRow, Vec<DepartmentId>)>, sqlx::Error> {
    #[derive(FromRow)]
    struct Joined {
        #[sqlx(flatten)]
        token: TokenUse,
        #[sqlx(flatten)]
        user: UserRow,
        department_id: Option<DepartmentId>,
    }
    let sql = format!(
        "SELECT t.id AS token_id, t.last_used_at, {}
         FROM api_tokens t {}
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2)
         ORDER BY ud.department_id",
        users::SIGNED_IN_COLUMNS,
        users::signed_in_join("t")
    );
    let rows: Vec<Joined> = sqlx::query_as(&sql)
        .bind(token_hash)
        .bind(now)
        .fetch_all(conn)
        .await?;
    Ok(users::with_departments(
        rows.into_iter()
            .map(|row| (row.token, row.user, row.department_id))
            .collect(),
    ))
}

/// A token as a request uses it: which one, and when it was last used.
#[derive(Debug, Clone, FromRow)]
pub struct TokenUse {
    pub token_id: TokenId,
    pub last_used_at: Option<Timestamp>,
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
