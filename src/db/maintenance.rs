//! The SQL of backups and restores: SQLite's `VACUUM INTO` and integrity check, and the catalogue
//! queries that list and count every table. Table names come from the catalogue, never from input.

use super::{Backend, Db};
use crate::error::AppResult;
use sqlx::{AnyConnection, Connection, Row};
use std::path::Path;

/// The table in which the migrator records the migrations applied; every Itaku database has it.
pub const MIGRATIONS_TABLE: &str = "_sqlx_migrations";

/// Registers the SQLite and PostgreSQL drivers before a connection is opened by URL.
pub fn install_drivers() {
    sqlx::any::install_default_drivers();
}

/// Copies the SQLite database at `source_url` into a new file `into`, as one read transaction.
pub async fn vacuum_into(source_url: &str, into: &Path) -> AppResult<()> {
    let mut conn = AnyConnection::connect(source_url).await?;
    let written = sqlx::query("VACUUM INTO $1")
        .bind(into.display().to_string())
        .execute(&mut conn)
        .await;
    conn.close().await?;
    written?;
    Ok(())
}

/// What an SQLite file is, read without writing to it.
pub enum FileCheck {
    NotADatabase,
    Damaged(String),
    Sound(Vec<(String, i64)>),
}

/// Checks an SQLite file's integrity and counts its tables' rows.
pub async fn check_sqlite_file(path: &Path) -> AppResult<FileCheck> {
    let url = format!("sqlite://{}?mode=ro", path.display());
    let Ok(mut conn) = AnyConnection::connect(&url).await else {
        return Ok(FileCheck::NotADatabase);
    };
    let Ok(integrity) = sqlx::query_scalar::<_, String>("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
    else {
        return Ok(FileCheck::NotADatabase);
    };
    if integrity != "ok" {
        return Ok(FileCheck::Damaged(integrity));
    }
    let tables = counts(&mut conn, Backend::Sqlite).await?;
    conn.close().await?;
    Ok(FileCheck::Sound(tables))
}

/// Every table of the database with its row count, by name.
pub async fn table_counts(db: &Db) -> AppResult<Vec<(String, i64)>> {
    let mut conn = db.acquire().await?;
    counts(&mut conn, db.backend()).await
}

/// The row counts of a PostgreSQL database, read without applying migrations to it.
pub async fn postgres_tables(url: &str) -> AppResult<Vec<(String, i64)>> {
    let mut conn = AnyConnection::connect(url).await?;
    let tables = counts(&mut conn, Backend::Postgres).await?;
    conn.close().await?;
    Ok(tables)
}

async fn counts(conn: &mut AnyConnection, backend: Backend) -> AppResult<Vec<(String, i64)>> {
    let mut counted = Vec::new();
    for table in table_names(conn, backend).await? {
        let rows: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM \"{table}\""))
            .fetch_one(&mut *conn)
            .await?;
        counted.push((table, rows));
    }
    Ok(counted)
}

/// The application's tables.
async fn table_names(conn: &mut AnyConnection, backend: Backend) -> AppResult<Vec<String>> {
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        }
    };
    let names = sqlx::query(sql)
        .fetch_all(conn)
        .await?
        .iter()
        .map(|row| row.try_get::<String, _>(0))
        .collect::<Result<_, _>>()?;
    Ok(names)
}

/// Every row of a table as text, in a stable order, for comparing two databases.
pub async fn table_rows(db: &Db, table: &str) -> AppResult<Vec<String>> {
    let mut conn = db.acquire().await?;
    let sql = match db.backend() {
        Backend::Sqlite => {
            let columns: Vec<String> =
                sqlx::query_scalar("SELECT name FROM pragma_table_info($1) ORDER BY cid")
                    .bind(table)
                    .fetch_all(&mut *conn)
                    .await?;
            let quoted: Vec<String> = columns.iter().map(|c| format!("quote(\"{c}\")")).collect();
            format!(
                "SELECT {} FROM \"{table}\" ORDER BY 1",
                quoted.join(" || '|' || ")
            )
        }
        Backend::Postgres => format!("SELECT t::text FROM \"{table}\" t ORDER BY 1"),
    };
    Ok(sqlx::query_scalar(&sql).fetch_all(&mut *conn).await?)
}
