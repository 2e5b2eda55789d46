//! Server-side sessions, login throttling and one-time setup links.

use super::users::{self, UserRow};
use super::Conn;
use crate::domain::ids::{DepartmentId, UserId};
use crate::domain::Timestamp;
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow)]
pub struct SessionRow {
    pub user_id: UserId,
    pub csrf_token: String,
    pub last_seen_at: Timestamp,
    pub expires_at: Timestamp,
}

/// Where a session was opened from, as the account page shows it.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub ip: String,
    pub user_agent: String,
}

pub async fn insert(
    conn: &mut Conn,
    id_hash: &str,
    user_id: UserId,
    csrf_token: &str,
    expires_at: Timestamp,
    origin: &Origin,
) -> Result<(), sqlx::Error> {
    let now = Timestamp::now();
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, ip, user_agent) \
         VALUES ($1, $2, $3, $4, $4, $5, $6, $7)",
    )
    .bind(id_hash)
    .bind(user_id)
    .bind(csrf_token)
    .bind(now)
    .bind(expires_at)
    .bind(origin.ip.as_str())
    .bind(origin.user_agent.chars().take(300).collect::<String>())
    .execute(conn)
    .await?;
    Ok(())
}

/// A user's open session, as the account page lists it.
#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct OpenSession {
    #[serde(skip)]
    pub id_hash: String,
    pub created_at: String,
    pub last_seen_at: Timestamp,
    pub ip: String,
    pub user_agent: String,
}

/// The user's sessions, the most recently used first.
pub async fn for_user(conn: &mut Conn, user_id: UserId) -> Result<Vec<OpenSession>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id_hash, created_at, last_seen_at, ip, user_agent FROM sessions WHERE user_id = $1 \
         ORDER BY last_seen_at DESC",
    )
    .bind(user_id)
    .fetch_all(conn)
    .await
}

/// Ends every session of the user but `keep`; answers how many ended.
pub async fn delete_others(
    conn: &mut Conn,
    user_id: UserId,
    keep: &str,
) -> Result<u64, sqlx::Error> {
    Ok(
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
            .bind(user_id)
            .bind(keep)
            .execute(conn)
            .await?
            .rows_affected(),
    )
}

/// A session with its user and the user's departments, in one statement: this runs on every request.
pub async fn find_signed_in(
    conn: &mut Conn,
    id_hash: &str,
) -> Result<Option<(SessionRow, UserRow, Vec<DepartmentId>)>, sqlx::Error> {
    #[derive(FromRow)]
    struct Joined {
        #[sqlx(flatten)]
        session: SessionRow,
        #[sqlx(flatten)]
        user: UserRow,
        department_id: Option<DepartmentId>,
    }
    let sql = format!(
        "SELECT s.user_id, s.csrf_token, s.last_seen_at, s.expires_at, {}
         FROM sessions s {} WHERE s.id_hash = $1 ORDER BY ud.department_id",
        users::SIGNED_IN_COLUMNS,
        users::signed_in_join("s")
    );
    let rows: Vec<Joined> = sqlx::query_as(&sql).bind(id_hash).fetch_all(conn).await?;
    Ok(users::with_departments(
        rows.into_iter()
            .map(|row| (row.session, row.user, row.department_id))
            .collect(),
    ))
}

pub async fn touch(conn: &mut Conn, id_hash: &str, now: Timestamp) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
        .bind(now)
        .bind(id_hash)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete(conn: &mut Conn, id_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(id_hash)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete_for_user(conn: &mut Conn, user_id: UserId) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Drops sessions idle since before `idle_cutoff` or past their absolute expiry.
pub async fn delete_stale(
    conn: &mut Conn,
    idle_cutoff: Timestamp,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1 OR expires_at < $2")
        .bind(idle_cutoff)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct Throttle {
    pub failures: i64,
    pub locked_until: Option<Timestamp>,
}

pub async fn throttle(conn: &mut Conn, email: &str) -> Result<Option<Throttle>, sqlx::Error> {
    sqlx::query_as("SELECT failures, locked_until FROM login_throttle WHERE email = $1")
        .bind(email)
        .fetch_optional(conn)
        .await
}

/// Counts an attempt for `email` as a failure before its password is checked, in one statement, so
/// attempts sent at once are counted one by one. Failures older than `window_start` no longer count.
/// Answers the count including this attempt.
pub async fn count_attempt(
    conn: &mut Conn,
    email: &str,
    now: Timestamp,
    window_start: Timestamp,
) -> Result<i64, sqlx::Error> {
    let (failures,): (i64,) = sqlx::query_as(
        "INSERT INTO login_throttle (email, failures, last_failure_at, locked_until) VALUES ($1, 1, $2, NULL) \
         ON CONFLICT (email) DO UPDATE SET \
         failures = CASE WHEN login_throttle.last_failure_at < $3 THEN 1 ELSE login_throttle.failures + 1 END, \
         last_failure_at = $2 \
         RETURNING failures",
    )
    .bind(email)
    .bind(now)
    .bind(window_start)
    .fetch_one(conn)
    .await?;
    Ok(failures)
}

pub async fn lock(conn: &mut Conn, email: &str, until: Timestamp) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE login_throttle SET locked_until = $2 WHERE email = $1")
        .bind(email)
        .bind(until)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn clear_failures(conn: &mut Conn, email: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_throttle WHERE email = $1")
        .bind(email)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn insert_setup_token(
    conn: &mut Conn,
    token_hash: &str,
    expires_at: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO setup_tokens (token_hash, created_at, expires_at) VALUES ($1, $2, $3)",
    )
    .bind(token_hash)
    .bind(Timestamp::now())
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks a setup token used; true only for an unused, unexpired token.
pub async fn use_setup_token(
    conn: &mut Conn,
    token_hash: &str,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query("UPDATE setup_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1")
        .bind(now)
        .bind(token_hash)
        .execute(conn)
        .await?;
    Ok(result.rows_affected() == 1)
}

pub async fn setup_token_valid(
    conn: &mut Conn,
    token_hash: &str,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT 1 FROM setup_tokens WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(conn)
    .await?;
    Ok(row.is_some())
}

/// Stores a sign-in link's digest for the user until `expires_at`.
pub async fn insert_sign_in_link(
    conn: &mut Conn,
    id_hash: &str,
    user_id: UserId,
    expires_at: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sign_in_links (id_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(id_hash)
    .bind(user_id)
    .bind(Timestamp::now())
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// How many links the user was sent since `since`.
pub async fn sign_in_links_since(
    conn: &mut Conn,
    user_id: UserId,
    since: Timestamp,
) -> Result<i64, sqlx::Error> {
    let (count,): (i64,) = sqlx::query_as(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM sign_in_links WHERE user_id = $1 AND created_at >= $2",
    )
    .bind(user_id)
    .bind(since)
    .fetch_one(conn)
    .await?;
    Ok(count)
}

/// Uses a link once: answers its user when it was unused and unexpired at `now`.
pub async fn use_sign_in_link(
    conn: &mut Conn,
    id_hash: &str,
    now: Timestamp,
) -> Result<Option<UserId>, sqlx::Error> {
    let row: Option<(UserId,)> = sqlx::query_as(
        "UPDATE sign_in_links SET used_at = $2 WHERE id_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING user_id",
    )
    .bind(id_hash)
    .bind(now)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(user,)| user))
}

/// Whether a link is unused and unexpired (for the page that asks to confirm it).
pub async fn sign_in_link_valid(
    conn: &mut Conn,
    id_hash: &str,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "SELECT user_id FROM sign_in_links WHERE id_hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(id_hash)
    .bind(now)
    .fetch_optional(conn)
    .await?
    .is_some())
}
