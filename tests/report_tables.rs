//! The tables each report reads, as its kept judgement and workbook stand while their versions do:
//! every statement a report runs is caught as sqlx logs it, and every table it names must be one the
//! report says it reads (`reports::tables_read`), else a write to that table would leave the kept
//! report standing, stale.

mod common;

use chrono::Utc;
use itaku::auth::policy::Visibility;
use itaku::auth::Actor;
use itaku::db::Db;
use itaku::domain::ids::{DepartmentId, VendorId};
use itaku::services::dashboards::Dashboards;
use itaku::services::reports::{self, ReportKind, Window};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Every statement sqlx ran since the last `take`.
static STATEMENTS: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Statements;

struct Text(String);

impl Visit for Text {
    fn record_str(&mut self, _: &Field, value: &str) {
        self.0.push(' ');
        self.0.push_str(value);
    }
    fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
}

impl Subscriber for Statements {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.target() == "sqlx::query"
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        // The summary holds a short statement whole; `db.statement` a longer one.
        let mut text = Text(String::new());
        event.record(&mut text);
        STATEMENTS.lock().unwrap().push(text.0);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

fn take() -> Vec<String> {
    std::mem::take(&mut *STATEMENTS.lock().unwrap())
}

/// The tables the statements run since the last `take` name, the table versions' bookkeeping aside.
fn tables_named(tables: &BTreeSet<String>) -> BTreeSet<String> {
    take()
        .iter()
        .flat_map(|text| text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')))
        .filter(|word| tables.contains(*word))
        .filter(|word| !matches!(*word, "table_versions" | "table_changes"))
        .map(str::to_string)
        .collect()
}

/// A server that logs every statement; the statements of its start are dropped.
async fn logging(url: &str) -> Db {
    let db = Db::connect_logging_statements(url, 2).await.unwrap();
    take();
    db
}

fn kinds() -> Vec<ReportKind> {
    let mut kinds = ReportKind::OF_LISTS.to_vec();
    kinds.extend([ReportKind::Incidents, ReportKind::Kpi, ReportKind::All]);
    kinds
}

// Only the servers this test starts with `logging` log their statements (the other test's logs
// none), so what is caught is the one report being made.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_table_a_report_reads_is_one_it_says_it_reads() {
    tracing::subscriber::set_global_default(Statements).unwrap();
    let app = common::spawn().await;
    app.seed_synthetic(40, 400, 7).await;
    let tables: BTreeSet<String> = app.db.tables().await.unwrap().into_iter().collect();
    let as_of = itaku::services::today();
    let department = Visibility::Departments(vec![DepartmentId::new(1)]);
    let vendor = Visibility::Vendor(VendorId::new(1));
    for kind in kinds() {
        let said: BTreeSet<String> = reports::tables_read(kind)
            .into_iter()
            .map(str::to_string)
            .collect();
        for visibility in [&Visibility::All, &department, &vendor] {
            // Each on a server of its own: a result kept from an earlier one runs no statement.
            let db = logging(&app.url).await;
            reports::write_workbook(&db, &app.settings, visibility, as_of, kind, Utc::now())
                .await
                .unwrap();
            let workbook = tables_named(&tables);
            let mut judged = BTreeSet::new();
            for window in [Window::first(100), Window::ALL] {
                let db = logging(&app.url).await;
                reports::dashboard(&db, &app.settings, visibility, as_of, kind, window)
                    .await
                    .unwrap();
                judged.extend(tables_named(&tables));
            }
            assert!(
                !workbook.is_empty() && !judged.is_empty(),
                "{kind:?} {visibility:?}: statements caught"
            );
            for (what, read) in [("workbook", workbook), ("judgement", judged)] {
                let unsaid: Vec<&String> = read.difference(&said).collect();
                assert!(
                    unsaid.is_empty(),
                    "the {what} of {kind:?} for {visibility:?} reads {unsaid:?}"
                );
            }
        }
    }
}

/// A kept workbook is the one sent again after a write to a table it does not read, and made again
/// after a write to one it reads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kept_report_stands_across_writes_to_tables_it_does_not_read() {
    let app = common::spawn().await;
    let (department, vendor) = app
        .seed_department_and_vendor("税務課", common::NTA, "株式会社いろは印刷")
        .await;
    let contract = app.create_contract("R7-001", department, vendor).await;
    let dashboards = Dashboards::default();
    let actor = Actor::system("test");
    let as_of = itaku::services::today();
    let export = |kind| {
        dashboards.export(
            &app.db,
            &app.settings,
            &actor,
            &Visibility::All,
            as_of,
            kind,
        )
    };
    // The contract's first check sheet changes its standing (one is now in); a later one does not.
    let sheet = || common::filled_check_sheet(common::NTA, |_| "はい");
    app.submit_check_sheet(contract, sheet()).await;
    let retention = export(ReportKind::Retention).await.unwrap();
    let checklists = export(ReportKind::Checklists).await.unwrap();
    assert!(Arc::ptr_eq(
        &retention,
        &export(ReportKind::Retention).await.unwrap()
    ));
    app.submit_check_sheet(contract, sheet()).await;
    let after_sheet = export(ReportKind::Retention).await.unwrap();
    assert!(
        Arc::ptr_eq(&retention, &after_sheet),
        "a check sheet leaves the report of deletions standing"
    );
    let checklists_after = export(ReportKind::Checklists).await.unwrap();
    assert!(
        !Arc::ptr_eq(&checklists, &checklists_after),
        "the report of check sheets is made again"
    );
    app.create_contract("R7-002", department, vendor).await;
    let after_contract = export(ReportKind::Retention).await.unwrap();
    assert!(
        !Arc::ptr_eq(&retention, &after_contract),
        "a contract added is in the report at once"
    );
}
