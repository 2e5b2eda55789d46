//! Backups and restores of the whole database.
//!
//! SQLite: `VACUUM INTO` copies the database as one read transaction, so the copy is consistent
//! while the server keeps serving (WAL mode lets writers go on). The copy is written beside its
//! destination and renamed into place, so a crash never leaves a half-written backup under the name.
//!
//! PostgreSQL: `pg_dump --format=custom` (a consistent snapshot of a running database) and
//! `pg_restore --single-transaction`, found on PATH or under /usr/lib/postgresql/*/bin.

use crate::db::maintenance::{self, FileCheck};
use crate::db::{Backend, Db};
use crate::error::AppError;
use std::path::{Path, PathBuf};

pub use crate::db::maintenance::{table_counts, table_rows};

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0}")]
    Refused(String),
    #[error("データベースのエラー: {0}")]
    Database(#[from] AppError),
    #[error("ファイルを書けません ({path}): {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// What a backup or restore produced: the file and the row count of every table in it.
#[derive(Debug, serde::Serialize)]
pub struct Snapshot {
    pub file: String,
    pub bytes: u64,
    pub tables: Vec<(String, i64)>,
}

/// Writes a consistent copy of the database at `url` to `out`, which must not exist yet.
pub async fn backup(url: &str, out: &Path) -> Result<Snapshot, BackupError> {
    if out.exists() {
        return Err(BackupError::Refused(format!(
            "{} は既にあります。別の名前を指定してください",
            out.display()
        )));
    }
    let partial = partial_path(out);
    let _ = std::fs::remove_file(&partial);
    let tables = match backend(url)? {
        Backend::Sqlite => {
            let written = maintenance::vacuum_into(&sqlite_read_url(url)?, &partial).await;
            if let Err(error) = written {
                let _ = std::fs::remove_file(&partial);
                return Err(error.into());
            }
            std::fs::rename(&partial, out).map_err(io(out))?;
            sqlite_file_tables(out).await?
        }
        Backend::Postgres => {
            let partial_name = partial.display().to_string();
            run_postgres_tool(
                "pg_dump",
                &[
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    "--file",
                    &partial_name,
                    "--dbname",
                    url,
                ],
            )
            .await?;
            std::fs::rename(&partial, out).map_err(io(out))?;
            maintenance::postgres_tables(url).await?
        }
    };
    snapshot(out, tables)
}

fn snapshot(file: &Path, tables: Vec<(String, i64)>) -> Result<Snapshot, BackupError> {
    Ok(Snapshot {
        file: file.display().to_string(),
        bytes: std::fs::metadata(file).map_err(io(file))?.len(),
        tables,
    })
}

/// Restores `file` (made by [`backup`]) into the database at `url`, then applies the migrations
/// the backup predates. An existing database with data is replaced only when `replace` is set.
pub async fn restore(url: &str, file: &Path, replace: bool) -> Result<Snapshot, BackupError> {
    if !file.is_file() {
        return Err(BackupError::Refused(format!(
            "{} が見つかりません",
            file.display()
        )));
    }
    match backend(url)? {
        Backend::Sqlite => {
            let source_tables = sqlite_file_tables(file).await?;
            if !source_tables
                .iter()
                .any(|(t, _)| t == maintenance::MIGRATIONS_TABLE)
            {
                return Err(BackupError::Refused(format!(
                    "{} は Itaku のバックアップではありません",
                    file.display()
                )));
            }
            let target = sqlite_path(url)?;
            if target.exists() && !replace {
                return Err(BackupError::Refused(format!(
                    "{} は既にあります。置き換えるときはサーバーを止めて --replace を付けてください",
                    target.display()
                )));
            }
            let staging = partial_path(&target);
            let _ = std::fs::remove_file(&staging);
            let source = format!("sqlite://{}?mode=ro", file.display());
            maintenance::vacuum_into(&source, &staging).await?;
            for suffix in ["-wal", "-shm"] {
                let side = PathBuf::from(format!("{}{suffix}", target.display()));
                if side.exists() {
                    std::fs::remove_file(&side).map_err(io(&side))?;
                }
            }
            std::fs::rename(&staging, &target).map_err(io(&target))?;
        }
        Backend::Postgres => {
            let existing: i64 = maintenance::postgres_tables(url)
                .await?
                .iter()
                .filter(|(table, _)| table != maintenance::MIGRATIONS_TABLE)
                .map(|(_, rows)| rows)
                .sum();
            if existing > 0 && !replace {
                return Err(BackupError::Refused(
                    "復元先のデータベースにデータがあります。置き換えるときはサーバーを止めて --replace を付けてください".into(),
                ));
            }
            let name = file.display().to_string();
            run_postgres_tool(
                "pg_restore",
                &[
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-privileges",
                    "--single-transaction",
                    "--exit-on-error",
                    "--dbname",
                    url,
                    &name,
                ],
            )
            .await?;
        }
    }
    let db = Db::connect(url, 1).await.map_err(AppError::from)?;
    let tables = table_counts(&db).await?;
    db.close().await;
    snapshot(file, tables)
}

fn backend(url: &str) -> Result<Backend, BackupError> {
    maintenance::install_drivers();
    Backend::of_url(url).map_err(BackupError::Refused)
}

fn partial_path(path: &Path) -> PathBuf {
    PathBuf::from(format!("{}.partial", path.display()))
}

/// The file an `sqlite:` URL names.
pub fn sqlite_path(url: &str) -> Result<PathBuf, BackupError> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path.starts_with(":memory:") {
        return Err(BackupError::Refused(
            "メモリ上のデータベースはバックアップできません".into(),
        ));
    }
    Ok(PathBuf::from(path))
}

fn sqlite_read_url(url: &str) -> Result<String, BackupError> {
    let path = sqlite_path(url)?;
    if !path.is_file() {
        return Err(BackupError::Refused(format!(
            "{} が見つかりません",
            path.display()
        )));
    }
    Ok(format!("sqlite://{}?mode=ro", path.display()))
}

/// Checks an SQLite file's integrity and counts its tables' rows.
async fn sqlite_file_tables(path: &Path) -> Result<Vec<(String, i64)>, BackupError> {
    match maintenance::check_sqlite_file(path).await? {
        FileCheck::Sound(tables) => Ok(tables),
        FileCheck::Damaged(integrity) => Err(BackupError::Refused(format!(
            "{} は壊れています: {integrity}",
            path.display()
        ))),
        FileCheck::NotADatabase => Err(BackupError::Refused(format!(
            "{} は SQLite のデータベースとして読めません",
            path.display()
        ))),
    }
}

/// Runs pg_dump or pg_restore, from PATH or the newest /usr/lib/postgresql/*/bin.
async fn run_postgres_tool(tool: &str, args: &[&str]) -> Result<(), BackupError> {
    let program = postgres_tool(tool).ok_or_else(|| {
        BackupError::Refused(format!(
            "{tool} が見つかりません。PostgreSQL のクライアント（Debian の postgresql-client）を導入してください"
        ))
    })?;
    let output = tokio::process::Command::new(&program)
        .args(args)
        .output()
        .await
        .map_err(io(&program))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(BackupError::Refused(format!(
            "{tool} が失敗しました: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )))
    }
}

fn postgres_tool(tool: &str) -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").into_iter().flat_map(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(tool))
            .collect::<Vec<_>>()
    });
    let mut installed: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path().join("bin").join(tool))
        .collect();
    installed.sort_by_key(|path| {
        path.components()
            .nth(4)
            .and_then(|c| c.as_os_str().to_str()?.parse::<u32>().ok())
    });
    on_path
        .chain(installed.into_iter().rev())
        .find(|path| path.is_file())
}
