//! Uploaded ledgers kept between the dry-run preview and the confirmed import.

use super::Conn;
use crate::domain::Timestamp;

pub struct LedgerUpload {
    pub file_name: String,
    pub content: Vec<u8>,
}

pub async fn insert(
    conn: &mut Conn,
    token: &str,
    file_name: &str,
    content: &[u8],
    sha256: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO ledger_uploads (token, file_name, content, sha256, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(token)
        .bind(file_name)
        .bind(content.to_vec())
        .bind(sha256)
        .bind(Timestamp::now())
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn find(conn: &mut Conn, token: &str) -> Result<Option<LedgerUpload>, sqlx::Error> {
    let row: Option<(String, Vec<u8>)> =
        sqlx::query_as("SELECT file_name, content FROM ledger_uploads WHERE token = $1")
            .bind(token)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|(file_name, content)| LedgerUpload { file_name, content }))
}

pub async fn delete(conn: &mut Conn, token: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM ledger_uploads WHERE token = $1")
        .bind(token)
        .execute(conn)
        .await?;
    Ok(())
}

/// Drops previews older than `cutoff` (an RFC 3339 UTC timestamp) that were never confirmed.
pub async fn delete_older_than(conn: &mut Conn, cutoff: Timestamp) -> Result<u64, sqlx::Error> {
    let result = sqlx::query("DELETE FROM ledger_uploads WHERE created_at < $1")
        .bind(cutoff)
        .execute(conn)
        .await?;
    Ok(result.rows_affected())
}
