//! Evidence files kept in the database, so several app servers on one PostgreSQL share them.

use super::Conn;
use crate::domain::ids::FileId;
use crate::domain::Timestamp;

pub struct NewFile<'a> {
    pub file_name: &'a str,
    pub media_type: &'a str,
    pub sha256: &'a str,
    pub content: &'a [u8],
    pub uploaded_by: &'a str,
}

pub async fn insert(conn: &mut Conn, file: &NewFile<'_>) -> Result<FileId, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO stored_files (file_name, media_type, size_bytes, sha256, content, uploaded_by, uploaded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(file.file_name)
    .bind(file.media_type)
    .bind(file.content.len() as i64)
    .bind(file.sha256)
    .bind(file.content.to_vec())
    .bind(file.uploaded_by)
    .bind(Timestamp::now())
    .fetch_one(conn)
    .await
}

/// The file's name, media type and bytes.
pub async fn content(
    conn: &mut Conn,
    id: FileId,
) -> Result<Option<(String, String, Vec<u8>)>, sqlx::Error> {
    sqlx::query_as("SELECT file_name, media_type, content FROM stored_files WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
}
