//! The SQLite and PostgreSQL migrations stay in step: same versions, same tables and columns.

mod common;

use sqlx::Row;
use std::collections::BTreeSet;

fn versions(folder: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(format!(
        "{}/migrations/{folder}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
    .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
    .collect();
    names.sort();
    names
}

#[test]
fn both_folders_have_the_same_versions() {
    assert_eq!(versions("sqlite"), versions("postgres"));
    assert!(!versions("sqlite").is_empty());
}

async fn sqlite_columns() -> BTreeSet<(String, String)> {
    let path = std::env::temp_dir().join(format!("itaku_schema_{}.db", itaku::random_token()));
    let db = itaku::db::Db::connect(&format!("sqlite://{}", path.display()), 1)
        .await
        .unwrap();
    let mut conn = db.acquire().await.unwrap();
    let rows = sqlx::query(
        "SELECT m.name AS t, p.name AS c FROM sqlite_master m JOIN pragma_table_info(m.name) p
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    rows.iter()
        .map(|r| (r.get::<String, _>("t"), r.get::<String, _>("c")))
        .collect()
}

#[rocket::async_test]
async fn both_databases_get_the_same_tables_and_columns() {
    let sqlite = sqlite_columns().await;
    assert!(sqlite.contains(&("contracts".into(), "deletion_deadline".into())));
    let Some(_) = common::postgres_base_url() else {
        return; // The PostgreSQL run of the suite compares against a real server.
    };
    let url = common::fresh_database_url().await;
    let db = itaku::db::Db::connect(&url, 1).await.unwrap();
    let mut conn = db.acquire().await.unwrap();
    let rows = sqlx::query(
        "SELECT table_name::text AS t, column_name::text AS c FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%'",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    let postgres: BTreeSet<(String, String)> = rows
        .iter()
        .map(|r| (r.get::<String, _>("t"), r.get::<String, _>("c")))
        .collect();
    assert_eq!(sqlite, postgres);
}

/// How many triggers mark `table` changed (`table_changes`) on `event` (INSERT, UPDATE or DELETE).
async fn marking_triggers(db: &itaku::db::Db, postgres: bool, table: &str, event: &str) -> i64 {
    let sql = if postgres {
        "SELECT COUNT(*) FROM information_schema.triggers WHERE event_object_table = $1
         AND event_manipulation = $2 AND action_timing = 'AFTER'
         AND action_statement = 'EXECUTE FUNCTION table_changed(''' || $1 || ''')'"
    } else {
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = $1
         AND sql LIKE '% AFTER ' || $2 || ' ON ' || $1 || ' %'
         AND sql LIKE '%INSERT OR IGNORE INTO table_changes (name) VALUES (''' || $1 || ''')%'"
    };
    sqlx::query_scalar(sql)
        .bind(table)
        .bind(event)
        .fetch_one(&mut *db.acquire().await.unwrap())
        .await
        .unwrap()
}

/// A result is kept while the versions of the tables it reads stand (`db::kept_reads`): every table
/// with a version is marked changed by each kind of write, on both databases.
#[rocket::async_test]
async fn every_versioned_table_is_marked_by_each_kind_of_write() {
    let sqlite = std::env::temp_dir().join(format!("itaku_marks_{}.db", itaku::random_token()));
    let mut urls = vec![format!("sqlite://{}", sqlite.display())];
    let postgres = match common::postgres_base_url() {
        Some(_) => Some(common::fresh_database_url().await),
        None => None,
    };
    urls.extend(postgres.as_ref().map(|url| url.to_string()));
    for url in urls {
        let db = itaku::db::Db::connect(&url, 1).await.unwrap();
        let tables: Vec<String> =
            sqlx::query_scalar("SELECT name FROM table_versions ORDER BY name")
                .fetch_all(&mut *db.acquire().await.unwrap())
                .await
                .unwrap();
        assert!(tables.len() >= 19, "{tables:?}");
        for table in &tables {
            for event in ["INSERT", "UPDATE", "DELETE"] {
                let found = marking_triggers(&db, url.starts_with("postgres"), table, event).await;
                assert_eq!(found, 1, "{url}: {table} on {event}");
            }
        }
    }
}

/// SQLite migrates with foreign-key enforcement off (a table is rebuilt to change its columns), so
/// a database a migration has just brought up to date is checked for rows whose foreign keys point
/// nowhere, and refused when it has any. One already up to date is not read whole at every start.
#[rocket::async_test]
async fn a_database_migrated_with_a_row_pointing_nowhere_is_refused() {
    use sqlx::{Connection, Executor};
    let mut all = versions("sqlite");
    all.pop();
    let earlier = tempfile::tempdir().unwrap();
    for name in &all {
        let from = format!("{}/migrations/sqlite/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::copy(from, earlier.path().join(name)).unwrap();
    }
    let path = std::env::temp_dir().join(format!("itaku_fk_{}.db", itaku::random_token()));
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let migrator = sqlx::migrate::Migrator::new(earlier.path()).await.unwrap();
    migrator.run(&mut conn).await.unwrap();
    conn.execute(
        "PRAGMA foreign_keys = OFF; INSERT INTO sessions (id_hash, user_id, csrf_token, created_at,
         last_seen_at, expires_at) VALUES ('h', 999999, 't', '2026-12-01', '2026-12-01', '2026-12-02')",
    )
    .await
    .unwrap();
    conn.close().await.unwrap();

    let refused = itaku::db::Db::connect(&url, 1)
        .await
        .err()
        .map(|e| e.to_string());
    assert!(
        refused
            .as_deref()
            .unwrap_or_default()
            .contains("1 rows whose foreign keys point nowhere"),
        "{refused:?}"
    );
    let reopened = itaku::db::Db::connect(&url, 1).await;
    assert!(reopened.is_ok(), "{:?}", reopened.err());
}
