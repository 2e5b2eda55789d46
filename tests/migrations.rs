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
