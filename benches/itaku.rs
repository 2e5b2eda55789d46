//! Criterion benchmarks for the targets in BENCHMARKS.md. The data-bound ones run on a database seeded
//! by `itaku seed`'s service at `ITAKU_BENCH_CONTRACTS` contracts (default 100,000; vendors a tenth of
//! that), in a temporary SQLite file, or on the empty PostgreSQL database `ITAKU_BENCH_DATABASE_URL` names.
//!
//!     cargo bench --bench itaku                      # everything
//!     cargo bench --bench itaku -- check_sheet       # one group

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use itaku::auth::policy::EditScope;
use itaku::auth::Actor;
use itaku::checklist::Definition;
use itaku::config::Settings;
use itaku::db::contracts::Visibility;
use itaku::db::Db;
use itaku::excel::checksheet;
use itaku::excel::Limits;
use itaku::services::reports::{self, ReportKind, Window};
use itaku::services::{checklists, ledger, rating, seed, tenders};
use std::sync::OnceLock;
use std::time::Duration;
use tokio::runtime::Runtime;

fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| Runtime::new().expect("tokio runtime"))
}

/// A check sheet with every item of the built-in definition answered, as a vendor returns it.
fn filled_sheet(corporate_number: &str) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    let labels = [
        ("事業者名", "ベンチ株式会社"),
        ("法人番号", corporate_number),
        ("記入日", "R8.4.1"),
    ];
    for (row, (label, value)) in labels.iter().enumerate() {
        sheet.write_string(row as u32, 0, *label).unwrap();
        sheet.write_string(row as u32, 1, *value).unwrap();
    }
    for (column, header) in ["項番", "区分", "確認項目", "必須", "回答", "備考"]
        .iter()
        .enumerate()
    {
        sheet.write_string(4, column as u16, *header).unwrap();
    }
    for (index, item) in Definition::builtin().items.iter().enumerate() {
        let row = 5 + index as u32;
        sheet.write_string(row, 0, &item.id).unwrap();
        sheet.write_string(row, 1, &item.category).unwrap();
        sheet.write_string(row, 2, &item.requirement).unwrap();
        sheet
            .write_string(row, 3, if item.mandatory { "必須" } else { "任意" })
            .unwrap();
        sheet
            .write_string(row, 4, if index % 7 == 3 { "一部" } else { "はい" })
            .unwrap();
        sheet.write_string(row, 5, "規程第3条による").unwrap();
    }
    workbook.save_to_buffer().unwrap()
}

/// Uploads are parsed by the `itaku` binary cargo built beside this benchmark.
fn bench_settings() -> Settings {
    Settings {
        parse_worker: env!("CARGO_BIN_EXE_itaku").into(),
        ..Settings::default()
    }
}

struct Scale {
    db: Db,
    settings: Settings,
    contract_id: i64,
    corporate_number: String,
    tender_id: i64,
    _dir: tempfile::TempDir,
}

/// The seeded database, made once per run.
fn scale() -> &'static Scale {
    static SCALE: OnceLock<Scale> = OnceLock::new();
    SCALE.get_or_init(|| {
        runtime().block_on(async {
            // `cargo test --all-targets` runs each benchmark once as a smoke test, without `--bench`;
            // a small dataset keeps that quick.
            let measuring = std::env::args().any(|arg| arg == "--bench");
            let contracts: usize = std::env::var("ITAKU_BENCH_CONTRACTS")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(if measuring { 100_000 } else { 2_000 });
            let dir = tempfile::tempdir().unwrap();
            let url = std::env::var("ITAKU_BENCH_DATABASE_URL")
                .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("bench.db").display()));
            let settings = Settings {
                database_url: url.clone(),
                ..bench_settings()
            };
            let db = Db::connect(&url, 4).await.expect("connect");
            itaku::services::policies::install_shipped(&db, &settings).await.unwrap();
            let plan = seed::Plan {
                vendors: (contracts / 10).max(30),
                contracts,
                seed: 42,
            };
            let report = seed::run(&db, &settings, plan, itaku::services::today(), &mut |_, _, _| {})
                .await
                .expect("seed");
            eprintln!("seeded in {:.1} s: {report:?}", report.seconds);
            let (contract_id, corporate_number): (i64, String) = sqlx::query_as(
                "SELECT c.id, v.corporate_number FROM contracts c JOIN vendors v ON v.id = c.vendor_id ORDER BY c.id LIMIT 1",
            )
            .fetch_one(&mut *db.acquire().await.unwrap())
            .await
            .unwrap();
            // A tender with 30 bidders.
            let actor = Actor::system("bench");
            let scope = EditScope::everything();
            let input = tenders::TenderInput {
                title: Some("ベンチマーク案件".into()),
                evaluation_date: Some("2026-04-01".into()),
                uses_cloud: true,
                ..Default::default()
            };
            let tender_id = tenders::create(&db, &settings, &actor, &scope, &input).await.unwrap();
            let numbers: Vec<String> = sqlx::query_scalar("SELECT corporate_number FROM vendors ORDER BY id LIMIT 30")
                .fetch_all(&mut *db.acquire().await.unwrap())
                .await
                .unwrap();
            for number in numbers {
                let bidder = tenders::BidderInput {
                    identifier: Some(number),
                    name: None,
                };
                tenders::add_bidder(&db, &actor, &scope, tender_id, &bidder).await.unwrap();
            }
            Scale {
                db,
                settings,
                contract_id,
                corporate_number,
                tender_id: tender_id.get(),
                _dir: dir,
            }
        })
    })
}

fn check_sheet(c: &mut Criterion) {
    let definition = Definition::builtin();
    // `benches/openpyxl_compare.py` hands in the workbook openpyxl reads, so both read the same bytes.
    let bytes = match std::env::var("ITAKU_BENCH_SHEET") {
        Ok(path) => std::fs::read(path).expect("ITAKU_BENCH_SHEET"),
        Err(_) => filled_sheet("7000012050002"),
    };
    let limits = Limits::default();
    let mut group = c.benchmark_group("check_sheet");
    group.bench_function("read_and_validate_50_items", |b| {
        b.iter(|| {
            let result = checksheet::read(&bytes, &definition, &limits);
            assert!(result.accepted, "{:?}", result.errors);
        })
    });
    group.bench_function("read_tables_only", |b| {
        b.iter(|| itaku::excel::read_tables(&bytes, &limits).unwrap())
    });
    // The same read as an upload takes it: in a parse worker that is already waiting (the server
    // starts the next one after each file), the tables back over a pipe.
    let sandbox = itaku::sandbox::Sandbox::one_off(&bench_settings());
    group.bench_function("read_tables_in_sandbox", |b| {
        b.iter_batched(
            || {
                sandbox.prewarm();
                std::thread::sleep(Duration::from_millis(20));
            },
            |()| {
                runtime()
                    .block_on(sandbox.read_tables(&bytes, &limits))
                    .unwrap()
                    .unwrap()
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function("generate_template", |b| {
        b.iter(|| itaku::excel::template::check_sheet(&definition, &Default::default()).unwrap())
    });
    group.finish();
}

fn at_scale(c: &mut Criterion) {
    let scale = scale();
    let today = itaku::services::today();
    let mut group = c.benchmark_group("at_scale");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    let bytes = filled_sheet(&scale.corporate_number);
    let actor = Actor::system("bench");
    let sandbox = itaku::sandbox::Sandbox::from_settings(&scale.settings);
    group.bench_function("import_parse_validate_store", |b| {
        b.iter(|| {
            runtime().block_on(async {
                let submitted = checklists::submit(
                    &scale.db,
                    &actor,
                    &Visibility::All,
                    itaku::domain::ids::ContractId::new(scale.contract_id),
                    "sheet.xlsx",
                    &bytes,
                    &scale.settings,
                    &sandbox,
                )
                .await
                .unwrap();
                assert!(matches!(submitted, checklists::Submitted::Accepted { .. }));
            })
        })
    });

    group.bench_function("rate_tender_30_bidders", |b| {
        b.iter(|| {
            runtime()
                .block_on(rating::current(
                    &scale.db,
                    &scale.settings,
                    &Visibility::All,
                    itaku::domain::ids::TenderId::new(scale.tender_id),
                ))
                .unwrap()
        })
    });
    // Nothing is kept between requests: each of these is what any reader waits for, the first after a
    // change included. Every entry of every list, as an export or `itaku report all` reads it …
    group.bench_function("dashboard_every_entry", |b| {
        b.iter(|| {
            runtime()
                .block_on(reports::dashboard(
                    &scale.db,
                    &scale.settings,
                    &Visibility::All,
                    today,
                    ReportKind::All,
                    Window::ALL,
                ))
                .unwrap()
        })
    });
    // … and as the dashboard page and the API read it: every count, the first 100 of each list.
    let page = Window::first(100);
    group.bench_function("dashboard_page", |b| {
        b.iter(|| {
            runtime()
                .block_on(reports::dashboard(
                    &scale.db,
                    &scale.settings,
                    &Visibility::All,
                    today,
                    ReportKind::All,
                    page,
                ))
                .unwrap()
        })
    });
    for kind in [
        ReportKind::Retention,
        ReportKind::Audits,
        ReportKind::Certifications,
        ReportKind::Checklists,
        ReportKind::Kpi,
        ReportKind::All,
    ] {
        group.bench_function(format!("report_{}", kind.name()), |b| {
            b.iter(|| {
                let dashboard = runtime()
                    .block_on(reports::dashboard(
                        &scale.db,
                        &scale.settings,
                        &Visibility::All,
                        today,
                        kind,
                        page,
                    ))
                    .unwrap();
                reports::to_json(&dashboard, kind, page).unwrap()
            })
        });
    }
    group.bench_function("items_by_vendors_matrix", |b| {
        let actor = Actor::system("bench");
        b.iter(|| {
            runtime()
                .block_on(checklists::export_matrix(
                    &scale.db,
                    &scale.settings,
                    &actor,
                    &Visibility::All,
                ))
                .unwrap()
        })
    });
    group.finish();
}

/// A ledger of `rows` contracts as municipal staff keep it.
fn ledger_csv(rows: usize) -> Vec<u8> {
    let mut text = String::from(
        "契約番号,件名,所管課,事業者名,法人番号,契約開始日,契約終了日,個人情報,重要度\n",
    );
    for i in 0..rows {
        let number =
            itaku::domain::corporate_number::with_check_digit(900_000_000 + (i % 2_000) as u64);
        text.push_str(&format!(
            "L-{i:05},業務委託{i},課{},事業者{},{},R7.4.1,R8.3.31,あり,{}\n",
            i % 40,
            i % 2_000,
            number.as_str(),
            if i % 3 == 0 { "重要" } else { "通常" }
        ));
    }
    text.into_bytes()
}

fn ledger_import(c: &mut Criterion) {
    let bytes = ledger_csv(10_000);
    let settings = bench_settings();
    let sandbox = itaku::sandbox::Sandbox::from_settings(&settings);
    let mut group = c.benchmark_group("ledger");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(40));
    group.bench_function("import_10000_rows", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}", dir.path().join("l.db").display());
                let db = runtime().block_on(Db::connect(&url, 2)).unwrap();
                (dir, db)
            },
            |(_dir, db)| {
                let report = runtime()
                    .block_on(ledger::import(
                        &db,
                        &Actor::system("bench"),
                        &EditScope::everything(),
                        &bytes,
                        &settings,
                        &sandbox,
                        false,
                        &mut |_, _| {},
                    ))
                    .unwrap();
                assert_eq!(report.imported, 10_000, "{:?}", report.errors.first());
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, check_sheet, ledger_import, at_scale);
criterion_main!(benches);
