//! Scoring policies: each version stored as written, never changed once a tender used it.

use super::Conn;
use crate::domain::ids::PolicyId;
use crate::domain::Timestamp;
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct StoredPolicy {
    pub id: PolicyId,
    pub policy_key: String,
    pub version: i64,
    pub title: String,
    #[serde(skip)]
    pub source: String,
    pub sha256: String,
    pub added_by: String,
    pub added_at: String,
    /// How many tenders use this version.
    pub tenders: i64,
}

impl StoredPolicy {
    pub fn reference(&self) -> String {
        format!("{}@{}", self.policy_key, self.version)
    }
}

const SELECT: &str =
    "SELECT p.id, p.policy_key, p.version, p.title, p.source, p.sha256, p.added_by, p.added_at,
    (SELECT COUNT(*) FROM tenders t WHERE t.policy_id = p.id) AS tenders FROM rating_policies p";

pub async fn all(conn: &mut Conn) -> Result<Vec<StoredPolicy>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} ORDER BY p.policy_key, p.version DESC"))
        .fetch_all(conn)
        .await
}

pub async fn find(conn: &mut Conn, id: PolicyId) -> Result<Option<StoredPolicy>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} WHERE p.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// A version of a policy, or its latest version.
pub async fn find_by_key(
    conn: &mut Conn,
    key: &str,
    version: Option<i64>,
) -> Result<Option<StoredPolicy>, sqlx::Error> {
    match version {
        Some(version) => {
            sqlx::query_as(&format!(
                "{SELECT} WHERE p.policy_key = $1 AND p.version = $2"
            ))
            .bind(key)
            .bind(version)
            .fetch_optional(conn)
            .await
        }
        None => {
            sqlx::query_as(&format!(
                "{SELECT} WHERE p.policy_key = $1 ORDER BY p.version DESC LIMIT 1"
            ))
            .bind(key)
            .fetch_optional(conn)
            .await
        }
    }
}

pub struct NewPolicy<'a> {
    pub policy_key: &'a str,
    pub version: i64,
    pub title: &'a str,
    pub source: &'a str,
    pub sha256: &'a str,
    pub added_by: &'a str,
}

pub async fn insert(conn: &mut Conn, new: &NewPolicy<'_>) -> Result<PolicyId, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO rating_policies (policy_key, version, title, source, sha256, added_by, added_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(new.policy_key)
    .bind(new.version)
    .bind(new.title)
    .bind(new.source)
    .bind(new.sha256)
    .bind(new.added_by)
    .bind(Timestamp::now())
    .fetch_one(conn)
    .await
}

/// Rewrites a version no tender uses yet; false when one does (checked in the same statement).
pub async fn replace_unused(
    conn: &mut Conn,
    id: PolicyId,
    new: &NewPolicy<'_>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE rating_policies SET title = $1, source = $2, sha256 = $3, added_by = $4, added_at = $5
         WHERE id = $6 AND NOT EXISTS (SELECT 1 FROM tenders t WHERE t.policy_id = rating_policies.id)",
    )
    .bind(new.title)
    .bind(new.source)
    .bind(new.sha256)
    .bind(new.added_by)
    .bind(Timestamp::now())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
