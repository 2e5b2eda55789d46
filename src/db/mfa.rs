//! Two-factor sign-in: each user's TOTP secret, its recovery codes, and sign-ins waiting for the
//! second factor.

use super::Conn;
use crate::domain::ids::UserId;
use crate::domain::Timestamp;
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow)]
pub struct UserMfa {
    pub secret: String,
    /// `None` while the user is setting it up (no right code yet).
    pub enabled_at: Option<String>,
    /// The last period whose code was used: the same code is not taken twice.
    pub last_step: i64,
}

pub async fn find(conn: &mut Conn, user_id: UserId) -> Result<Option<UserMfa>, sqlx::Error> {
    sqlx::query_as("SELECT secret, enabled_at, last_step FROM user_mfa WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional(conn)
        .await
}

/// Starts (or restarts) a set-up with a new secret, not yet enabled.
pub async fn begin_setup(
    conn: &mut Conn,
    user_id: UserId,
    secret: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO user_mfa (user_id, secret, enabled_at, last_step) VALUES ($1, $2, NULL, 0) \
         ON CONFLICT (user_id) DO UPDATE SET secret = $2, enabled_at = NULL, last_step = 0",
    )
    .bind(user_id)
    .bind(secret)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records the period of a code just used, only if it is newer than the last one (so two requests
/// with the same code cannot both pass); answers whether it was.
pub async fn use_step(conn: &mut Conn, user_id: UserId, step: i64) -> Result<bool, sqlx::Error> {
    Ok(
        sqlx::query("UPDATE user_mfa SET last_step = $2 WHERE user_id = $1 AND last_step < $2")
            .bind(user_id)
            .bind(step)
            .execute(conn)
            .await?
            .rows_affected()
            == 1,
    )
}

pub async fn enable(conn: &mut Conn, user_id: UserId) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE user_mfa SET enabled_at = $2 WHERE user_id = $1")
        .bind(user_id)
        .bind(Timestamp::now())
        .execute(conn)
        .await?;
    Ok(())
}

/// Removes the user's second factor and its recovery codes.
pub async fn remove(conn: &mut Conn, user_id: UserId) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM mfa_recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM user_mfa WHERE user_id = $1")
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Replaces the user's recovery codes with these digests.
pub async fn replace_recovery_codes(
    conn: &mut Conn,
    user_id: UserId,
    digests: &[String],
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM mfa_recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    for digest in digests {
        sqlx::query("INSERT INTO mfa_recovery_codes (user_id, code_hash) VALUES ($1, $2)")
            .bind(user_id)
            .bind(digest)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Uses up a recovery code; answers whether it was the user's and unused.
pub async fn use_recovery_code(
    conn: &mut Conn,
    user_id: UserId,
    digest: &str,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE mfa_recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
    )
    .bind(user_id)
    .bind(digest)
    .bind(Timestamp::now())
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

pub async fn unused_recovery_codes(conn: &mut Conn, user_id: UserId) -> Result<i64, sqlx::Error> {
    let (count,): (i64,) = sqlx::query_as(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM mfa_recovery_codes WHERE user_id = $1 AND used_at IS NULL",
    )
    .bind(user_id)
    .fetch_one(conn)
    .await?;
    Ok(count)
}

/// A sign-in that passed the password and waits for the second factor.
#[derive(Debug, Clone, FromRow)]
pub struct Challenge {
    pub user_id: UserId,
    pub expires_at: Timestamp,
    pub attempts: i64,
    pub ip: String,
    pub user_agent: String,
}

pub async fn insert_challenge(
    conn: &mut Conn,
    id_hash: &str,
    user_id: UserId,
    expires_at: Timestamp,
    ip: &str,
    user_agent: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sign_in_challenges (id_hash, user_id, expires_at, attempts, ip, user_agent) VALUES ($1, $2, $3, 0, $4, $5)",
    )
    .bind(id_hash)
    .bind(user_id)
    .bind(expires_at)
    .bind(ip)
    .bind(user_agent)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn find_challenge(
    conn: &mut Conn,
    id_hash: &str,
) -> Result<Option<Challenge>, sqlx::Error> {
    sqlx::query_as(
        "SELECT user_id, expires_at, attempts, ip, user_agent FROM sign_in_challenges WHERE id_hash = $1",
    )
    .bind(id_hash)
    .fetch_optional(conn)
    .await
}

/// Counts a wrong code against the challenge; answers the count.
pub async fn count_challenge_attempt(conn: &mut Conn, id_hash: &str) -> Result<i64, sqlx::Error> {
    let (attempts,): (i64,) = sqlx::query_as(
        "UPDATE sign_in_challenges SET attempts = attempts + 1 WHERE id_hash = $1 RETURNING attempts",
    )
    .bind(id_hash)
    .fetch_one(conn)
    .await?;
    Ok(attempts)
}

pub async fn delete_challenge(conn: &mut Conn, id_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sign_in_challenges WHERE id_hash = $1")
        .bind(id_hash)
        .execute(conn)
        .await?;
    Ok(())
}

/// Forgets sign-ins that were never finished.
pub async fn delete_stale_challenges(conn: &mut Conn, now: Timestamp) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sign_in_challenges WHERE expires_at < $1")
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}
