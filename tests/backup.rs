//! `itaku backup` and `itaku restore` on the suite's database (SQLite, or PostgreSQL through pg_dump and
//! pg_restore): a backup taken while check sheets stream in restores to a consistent earlier state of
//! every table, and a backup of a quiet database restores to an exact copy.

mod common;

use common::NTA;
use itaku::db::Db;
use itaku::services::backup;

const UPLOADS: usize = 24;

async fn rows_of_every_table(db: &Db) -> Vec<(String, Vec<String>)> {
    let mut tables = Vec::new();
    for (table, _) in backup::table_counts(db).await.unwrap() {
        let rows = backup::table_rows(db, &table).await.unwrap();
        tables.push((table, rows));
    }
    tables
}

/// The record tables whose rows carry a mark that the insert of a later record of the same thing
/// sets in place (`superseded`, migration 0044, their last column), and what makes it the same.
const MARKED: [(&str, &str); 3] = [
    ("checklist_submissions", ""),
    ("audit_reports", " AND u.fiscal_year = t.fiscal_year"),
    ("deletion_certificates", ""),
];

/// A row's text without its last column (SQLite's `a|b|c`, PostgreSQL's `(a,b,c)`).
fn without_last_column(row: &str) -> &str {
    match row.strip_suffix(')') {
        Some(inner) => inner.rsplit_once(',').map_or(row, |(rest, _)| rest),
        None => row.rsplit_once('|').map_or(row, |(rest, _)| rest),
    }
}

async fn count(db: &Db, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&mut *db.acquire().await.unwrap())
        .await
        .unwrap()
}

#[rocket::async_test]
async fn a_backup_taken_during_uploads_restores_every_table_consistently() {
    let app = common::spawn().await;
    let (department_id, vendor_id) = app
        .seed_department_and_vendor("税務課", NTA, "株式会社A")
        .await;
    let contract_id = app.create_contract("B-1", department_id, vendor_id).await;
    let directory = tempfile::tempdir().unwrap();
    let during = directory.path().join("during.backup");

    let uploads = async {
        for n in 0..UPLOADS {
            let sheet = common::filled_check_sheet(NTA, |id| {
                if (id.len() + n) % 4 == 0 {
                    "一部"
                } else {
                    "はい"
                }
            });
            app.submit_check_sheet(contract_id, sheet).await;
        }
    };
    let taken = async {
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
        backup::backup(&app.url, &during).await
    };
    let ((), taken) = tokio::join!(uploads, taken);
    let taken = taken.expect("backup while uploading");
    assert!(taken.bytes > 0);

    // Restored into a fresh database: every row it holds is the live database's row, unchanged
    // (uploads only add rows), and no upload is there in part.
    let restored_url = common::fresh_database_url().await;
    backup::restore(&restored_url, &during, false)
        .await
        .expect("restore");
    let restored = Db::connect(&restored_url, 2).await.unwrap();
    let rejudged = itaku::services::standings::rejudge(&restored, false)
        .await
        .unwrap();
    assert!(rejudged.agrees(), "{:#?}", rejudged.examples);
    let live_tables = rows_of_every_table(&app.db).await;
    let restored_tables = rows_of_every_table(&restored).await;
    assert_eq!(
        live_tables.iter().map(|(t, _)| t).collect::<Vec<_>>(),
        restored_tables.iter().map(|(t, _)| t).collect::<Vec<_>>(),
        "the same tables"
    );
    for ((table, live), (_, copy)) in live_tables.iter().zip(&restored_tables) {
        if table == "audit_chain_head" || table == "table_versions" {
            // Rows that change in place: the chain's head (the chain check below covers it) and
            // the tables' versions.
            continue;
        }
        if table.ends_with("_standings") {
            // Derived rows that later writes rewrite; the rejudge below checks them against the copy.
            continue;
        }
        let marked = MARKED.iter().any(|(name, _)| name == table);
        let text = |row: &'_ String| match marked {
            true => without_last_column(row).to_string(),
            false => row.clone(),
        };
        let live: std::collections::HashSet<String> = live.iter().map(text).collect();
        let foreign: Vec<&String> = copy
            .iter()
            .filter(|row| !live.contains(&text(row)))
            .collect();
        assert!(
            foreign.is_empty(),
            "{table}: rows the live database never had: {:?}",
            &foreign[..foreign.len().min(3)]
        );
    }
    for (table, same) in MARKED {
        let wrongly_marked = count(
            &restored,
            &format!(
                "SELECT COUNT(*) FROM {table} t WHERE t.superseded <> CASE WHEN EXISTS
                 (SELECT 1 FROM {table} u WHERE u.contract_id = t.contract_id{same} AND u.id > t.id)
                 THEN 1 ELSE 0 END"
            ),
        )
        .await;
        assert_eq!(
            wrongly_marked, 0,
            "{table}: marked as its later records say"
        );
    }
    let chain = itaku::services::audit::verify_chain(&restored)
        .await
        .unwrap();
    assert!(
        chain.intact(),
        "the restored audit log is one whole chain: {chain:?}"
    );
    let submissions = count(&restored, "SELECT COUNT(*) FROM checklist_submissions").await;
    let items = itaku::checklist::Definition::builtin().items.len() as i64;
    assert_eq!(
        count(&restored, "SELECT COUNT(*) FROM checklist_answers").await,
        submissions * items,
        "every submission in the backup has all its answers"
    );
    assert!(
        submissions > 0 && submissions < UPLOADS as i64,
        "the backup was taken while uploads went on ({submissions} of {UPLOADS} in it)"
    );
    eprintln!(
        "backup during {UPLOADS} uploads: {} bytes, {submissions} submissions in it",
        taken.bytes
    );

    // Quiet: an exact copy, which the server can go on writing to.
    let quiet = directory.path().join("quiet.backup");
    backup::backup(&app.url, &quiet).await.unwrap();
    assert!(
        backup::backup(&app.url, &quiet).await.is_err(),
        "never overwrites"
    );
    let exact_url = common::fresh_database_url().await;
    backup::restore(&exact_url, &quiet, false).await.unwrap();
    let exact = Db::connect(&exact_url, 2).await.unwrap();
    assert_eq!(rows_of_every_table(&exact).await, live_tables);
    assert_eq!(
        count(&exact, "SELECT COUNT(*) FROM checklist_submissions").await,
        UPLOADS as i64
    );
    exact.close().await;
    let refused = backup::restore(&exact_url, &quiet, false).await;
    assert!(
        refused.is_err(),
        "a database with data is replaced only with --replace"
    );
    backup::restore(&exact_url, &quiet, true).await.unwrap();
    let exact = Db::connect(&exact_url, 2).await.unwrap();
    let actor = itaku::auth::Actor::system("test");
    let input = itaku::services::departments::DepartmentInput {
        name: Some("復元後の課".into()),
    };
    itaku::services::departments::create(&exact, &actor, &input)
        .await
        .expect("the restored database takes new rows (its sequences came along)");
}

#[rocket::async_test]
async fn restore_refuses_what_is_not_an_itaku_backup() {
    let directory = tempfile::tempdir().unwrap();
    let junk = directory.path().join("junk.backup");
    std::fs::write(&junk, b"not a database at all").unwrap();
    let url = common::fresh_database_url().await;
    assert!(backup::restore(&url, &junk, false).await.is_err());
    assert!(
        backup::restore(&url, &directory.path().join("missing"), false)
            .await
            .is_err()
    );
}

fn itaku(database_url: &str, args: &[&str]) -> (bool, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_itaku"))
        .arg("--database-url")
        .arg(database_url)
        .args(args)
        .output()
        .expect("run itaku");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[rocket::async_test]
async fn the_cli_backs_up_and_restores() {
    let app = common::spawn().await;
    app.seed_department_and_vendor("税務課", NTA, "株式会社A")
        .await;
    let directory = tempfile::tempdir().unwrap();
    let file = directory.path().join("itaku.backup");
    let file = file.to_str().unwrap();
    let (ok, text) = itaku(&app.url, &["backup", "--out", file, "--json"]);
    assert!(ok, "{text}");
    let snapshot: serde_json::Value = serde_json::from_str(&text).unwrap();
    let vendors = snapshot["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t[0] == "vendors")
        .unwrap()[1]
        .clone();
    assert_eq!(vendors, 1);
    let (ok, text) = itaku(&app.url, &["backup", "--out", file]);
    assert!(!ok && text.contains("既にあります"), "{text}");

    let target = common::fresh_database_url().await;
    let (ok, text) = itaku(&target, &["restore", file]);
    assert!(ok && text.contains("vendors: 1"), "{text}");
    let (ok, text) = itaku(&target, &["restore", file]);
    assert!(!ok && text.contains("--replace"), "{text}");
    let (ok, text) = itaku(&target, &["restore", file, "--replace"]);
    assert!(ok, "{text}");
}
