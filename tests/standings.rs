//! The standings kept write by write equal the ones the records make (`itaku rejudge`), after random
//! sequences of every write that changes one: contracts created and edited, audit reports and deletion
//! certificates sent and reviewed, check sheets uploaded and reviewed. On SQLite and PostgreSQL.

mod common;

use common::{corporate_number, filled_check_sheet, spawn, Method, Reply, TestApp, PDF};
use itaku::db::contracts::Visibility;
use itaku::services::reports::{
    dashboard, to_json, write_json, Dashboard, Entry, ReportKind, Tally, Window,
};
use itaku::services::standings::rejudge;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rocket::http::Status;
use serde_json::{json, Value};

/// Writes per run: enough for each kind to follow each other many times over a few contracts.
const WRITES: usize = 120;

struct World {
    app: TestApp,
    /// Contracts are written to and moved between these, so that counts by department and by
    /// vendor kept across writes are brought forward for some groups and kept for the others.
    departments: Vec<i64>,
    vendors: Vec<(i64, String)>,
    contracts: Vec<i64>,
    audit_reports: Vec<i64>,
    deletions: Vec<i64>,
    check_sheets: Vec<i64>,
}

fn day(rng: &mut StdRng, from_year: i32, years: i32) -> String {
    let year = from_year + rng.random_range(0..years);
    format!(
        "{year}-{:02}-{:02}",
        rng.random_range(1..=12),
        rng.random_range(1..=28)
    )
}

fn contract_body(world: &World, rng: &mut StdRng, number: &str, vendor_id: i64) -> Value {
    let start = day(rng, 2022, 4);
    let end = day(rng, 2026, 3);
    let (start, end) = if start <= end {
        (start, end)
    } else {
        (end, start)
    };
    let department_id = world.departments[rng.random_range(0..world.departments.len())];
    let title = format!("無作為の業務{}", rng.random_range(0..3));
    json!({"contract_number": number, "title": title, "department_id": department_id,
           "vendor_id": vendor_id, "start_date": start, "end_date": end,
           "importance": if rng.random_bool(0.5) { "important" } else { "ordinary" },
           "deletion_days": rng.random_range(0..60).to_string()})
}

fn id_of(body: &str) -> Option<i64> {
    serde_json::from_str::<Value>(body).ok()?["id"].as_i64()
}

fn pick(rng: &mut StdRng, ids: &[i64]) -> Option<i64> {
    (!ids.is_empty()).then(|| ids[rng.random_range(0..ids.len())])
}

/// One random write; answers whether it was accepted (a refused one changes nothing).
async fn write(world: &mut World, rng: &mut StdRng, step: usize) -> bool {
    let admin = &world.app.admin;
    match rng.random_range(0..9) {
        0 => {
            let (vendor_id, _) = world.vendors[rng.random_range(0..world.vendors.len())];
            let body = contract_body(world, rng, &format!("R-{step}"), vendor_id);
            let (status, created) = admin
                .send_json(Method::Post, "/api/v1/contracts", &body)
                .await;
            let accepted = status == Status::Created;
            if accepted {
                world.contracts.push(created["id"].as_i64().unwrap());
            }
            accepted
        }
        1 => {
            let Some(id) = pick(rng, &world.contracts) else {
                return false;
            };
            let (_, current) = admin.get_json(&format!("/api/v1/contracts/{id}")).await;
            let vendor_id = match rng.random_bool(0.3) {
                true => world.vendors[rng.random_range(0..world.vendors.len())].0,
                false => current["vendor"]["id"].as_i64().unwrap(),
            };
            // Renumbered now and then, which moves it within the lists' order.
            let number = match rng.random_bool(0.3) {
                true => format!("R-{step}"),
                false => current["contract_number"].as_str().unwrap().to_string(),
            };
            let mut body = contract_body(world, rng, &number, vendor_id);
            if rng.random_bool(0.4) {
                // Its title or number alone: its standings stay as they were.
                for field in ["start_date", "end_date", "importance"] {
                    body[field] = current[field].clone();
                }
                body["department_id"] = current["department"]["id"].clone();
                body["deletion_days"] = json!(current["deletion_days"].to_string());
            }
            let (status, _) = admin
                .send_json(Method::Put, &format!("/api/v1/contracts/{id}"), &body)
                .await;
            status == Status::Ok
        }
        2 => {
            let Some(id) = pick(rng, &world.contracts) else {
                return false;
            };
            let audited_on = day(rng, 2022, 4);
            let Reply { status, body, .. } = admin
                .post_multipart(
                    &format!("/api/v1/contracts/{id}/audit-reports"),
                    &[
                        ("report.kind", "third_party"),
                        ("report.auditor", "監査法人A"),
                        ("report.audited_on", &audited_on),
                        ("report.findings", "0"),
                        ("report.follow_up", "none"),
                    ],
                    Some(("report.pdf", PDF)),
                )
                .await;
            let accepted = status == Status::Created;
            if let Some(id) = id_of(&body).filter(|_| accepted) {
                world.audit_reports.push(id);
            }
            accepted
        }
        3 => {
            let Some(id) = pick(rng, &world.contracts) else {
                return false;
            };
            let deleted_on = day(rng, 2023, 3);
            let Reply { status, body, .. } = admin
                .post_multipart(
                    &format!("/api/v1/contracts/{id}/deletion-certificates"),
                    &[
                        ("deletion.data_items", "住民データ"),
                        ("deletion.media", "サーバー"),
                        ("deletion.quantity", "1台"),
                        ("deletion.method", "上書き消去"),
                        ("deletion.responsible_person", "情報太郎"),
                        ("deletion.deleted_on", &deleted_on),
                    ],
                    Some(("deletion.pdf", PDF)),
                )
                .await;
            let accepted = status == Status::Created;
            if let Some(id) = id_of(&body).filter(|_| accepted) {
                world.deletions.push(id);
            }
            accepted
        }
        kind @ (4 | 5) => {
            let (ids, path) = if kind == 4 {
                (&world.audit_reports, "audit-reports")
            } else {
                (&world.deletions, "deletion-certificates")
            };
            let Some(id) = pick(rng, ids) else {
                return false;
            };
            let decision = if rng.random_bool(0.6) {
                json!({"decision": "accept", "accepted_on": day(rng, 2023, 3)})
            } else {
                json!({"decision": "return", "comment": "記載が不足しています"})
            };
            let (status, _) = admin
                .send_json(
                    Method::Post,
                    &format!("/api/v1/{path}/{id}/review"),
                    &decision,
                )
                .await;
            status == Status::Ok
        }
        6 => {
            let Some(id) = pick(rng, &world.contracts) else {
                return false;
            };
            let (_, current) = admin.get_json(&format!("/api/v1/contracts/{id}")).await;
            let vendor_id = current["vendor"]["id"].as_i64().unwrap();
            let number = &world
                .vendors
                .iter()
                .find(|(v, _)| *v == vendor_id)
                .unwrap()
                .1;
            let response = admin
                .post_bytes(
                    &format!("/api/v1/contracts/{id}/checklists"),
                    filled_check_sheet(number, |_| "はい"),
                )
                .await;
            let accepted = response.status() == Status::Created;
            let body: Value =
                serde_json::from_str(&response.into_string().await.unwrap_or_default())
                    .unwrap_or_default();
            if let Some(id) = body["submission_id"].as_i64().filter(|_| accepted) {
                world.check_sheets.push(id);
            }
            accepted
        }
        8 => {
            // A vendor's certificate renewed (or lapsed): the one counting changes.
            let (vendor_id, _) = world.vendors[rng.random_range(0..world.vendors.len())];
            let scheme = ["isms", "pmark"][rng.random_range(0..2)];
            let registration = match scheme {
                "isms" => format!("IS 8{step:05}"),
                _ => format!("108{step:05}(01)"),
            };
            let valid_until = day(rng, 2023, 5);
            record_verified(&world.app, vendor_id, scheme, &registration, &valid_until).await
        }
        _ => {
            let Some(id) = pick(rng, &world.check_sheets) else {
                return false;
            };
            let decision = if rng.random_bool(0.5) {
                json!({"decision": "approve", "comment": "確認しました"})
            } else {
                json!({"decision": "return", "comment": "回答が不足しています"})
            };
            let (status, _) = admin
                .send_json(
                    Method::Post,
                    &format!("/api/v1/checklists/{id}/review"),
                    &decision,
                )
                .await;
            status == Status::Ok
        }
    }
}

/// Records a certificate of `vendor` issued on 2022-04-01 and verifies it, so that it counts; whether
/// both were accepted.
async fn record_verified(
    app: &TestApp,
    vendor: i64,
    scheme: &str,
    registration: &str,
    valid_until: &str,
) -> bool {
    let (status, created) = app
        .send_json(
            Method::Post,
            &format!("/api/v1/vendors/{vendor}/certifications"),
            &json!({"scheme": scheme, "number": registration,
                    "issued_on": "2022-04-01", "valid_until": valid_until}),
        )
        .await;
    if status != Status::Created {
        return false;
    }
    let (status, _) = app
        .send_json(
            Method::Post,
            &format!("/api/v1/certifications/{}/verification", created["id"]),
            &json!({"decision": "verify", "note": "原本確認"}),
        )
        .await;
    status == Status::Ok
}

/// A list's name, its entries (contract, what is owed) and its total.
type Listing = (&'static str, Vec<(i64, String)>, usize);

fn lists(d: &Dashboard) -> Vec<Listing> {
    let keys = |entries: &[Entry]| {
        entries
            .iter()
            .map(|e| (e.contract_id.get(), e.what.clone()))
            .collect::<Vec<_>>()
    };
    let t = &d.totals;
    vec![
        (
            "violations",
            keys(&d.retention.violations),
            t.retention_violations,
        ),
        (
            "deletions due",
            keys(&d.retention.due_soon),
            t.deletions_due_soon,
        ),
        (
            "deletions late",
            keys(&d.retention.resolved_late),
            t.deletions_resolved_late,
        ),
        ("audits overdue", keys(&d.audits.overdue), t.audits_overdue),
        ("audits due", keys(&d.audits.due_soon), t.audits_due_soon),
        (
            "audits late",
            keys(&d.audits.resolved_late),
            t.audits_resolved_late,
        ),
        (
            "expired",
            keys(&d.certifications.expired),
            t.certificates_expired,
        ),
        (
            "expiring",
            keys(&d.certifications.expiring),
            t.certificates_expiring,
        ),
        ("missing", keys(&d.checklists.missing), t.checklists_missing),
        (
            "returned",
            keys(&d.checklists.returned),
            t.checklists_returned,
        ),
    ]
}

/// The dashboard read whole and read two entries per list agree on every count, the first entries
/// and the tallies; each total is its whole list's length and the tallies add up to it.
async fn a_window_changes_which_entries_are_read_not_the_counts(
    app: &TestApp,
    day: &str,
    seed: u64,
) {
    let as_of = day.parse().unwrap();
    let read = |window| {
        dashboard(
            &app.db,
            &app.settings,
            &Visibility::All,
            as_of,
            ReportKind::All,
            window,
        )
    };
    let (whole, page) = (
        read(Window::ALL).await.unwrap(),
        read(Window::first(2)).await.unwrap(),
    );
    for ((name, all, total), (_, first, page_total)) in lists(&whole).into_iter().zip(lists(&page))
    {
        assert_eq!(all.len(), total, "seed {seed}, {day}: {name}");
        assert_eq!(page_total, total, "seed {seed}, {day}: {name}");
        assert_eq!(first, all[..all.len().min(2)], "seed {seed}, {day}: {name}");
    }
    let tallied = |pick: fn(&Tally) -> usize| whole.by_department.iter().map(pick).sum::<usize>();
    let t = &whole.totals;
    assert_eq!(
        [
            tallied(|t| t.retention_violations),
            tallied(|t| t.audits_overdue),
            tallied(|t| t.certificates_expired),
            tallied(|t| t.checklists_missing),
        ],
        [
            t.retention_violations,
            t.audits_overdue,
            t.certificates_expired,
            t.checklists_missing
        ],
        "seed {seed}, {day}"
    );
    let first = |tallies: &[Tally]| format!("{:?}", &tallies[..tallies.len().min(2)]);
    assert_eq!(
        (first(&whole.by_department), first(&whole.by_vendor)),
        (
            format!("{:?}", page.by_department),
            format!("{:?}", page.by_vendor)
        ),
        "seed {seed}, {day}: a window ranks its first tallies as the whole does"
    );
    let tallied = |d: &Dashboard| (d.tallied.departments, d.tallied.vendors);
    let whole_lengths = (whole.by_department.len(), whole.by_vendor.len());
    assert_eq!(tallied(&whole), whole_lengths, "seed {seed}, {day}");
    assert_eq!(tallied(&page), whole_lengths, "seed {seed}, {day}");
    each_report_judged_alone_is_the_dashboards(app, as_of, &page, seed).await;
    every_report_streamed_is_the_dashboards_whole(app, as_of, &whole, seed).await;
    the_workbook_holds_every_entry_in_the_dashboards_order(app, as_of, &whole, seed).await;
}

/// The report workbook, written entry by entry as it is read, has a sheet per list with the
/// dashboard's entries in its order, and the cover counts them.
async fn the_workbook_holds_every_entry_in_the_dashboards_order(
    app: &TestApp,
    as_of: chrono::NaiveDate,
    whole: &Dashboard,
    seed: u64,
) {
    use calamine::Reader;
    let bytes = itaku::services::reports::write_workbook(
        &app.db,
        &app.settings,
        &Visibility::All,
        as_of,
        ReportKind::All,
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let numbers = |rows: calamine::Range<calamine::Data>| -> Vec<String> {
        rows.rows().skip(1).map(|row| row[0].to_string()).collect()
    };
    let d = whole;
    let c = &d.certifications;
    for (sheet, entries) in [
        ("保持期限超過", &d.retention.violations),
        ("消去期限間近", &d.retention.due_soon),
        ("消去証明 期限後受理", &d.retention.resolved_late),
        ("監査報告書 期限超過", &d.audits.overdue),
        ("監査報告書 期限後受理", &d.audits.resolved_late),
        ("認証 期限切れ", &c.expired),
        ("認証 期限間近", &c.expiring),
        ("チェックシート未提出", &d.checklists.missing),
        ("チェックシート差戻し", &d.checklists.returned),
    ] {
        let expected: Vec<String> = entries.iter().map(|e| e.contract_number.clone()).collect();
        let rows = book.worksheet_range(sheet).unwrap();
        assert_eq!(numbers(rows), expected, "seed {seed}, {as_of}: {sheet}");
    }
    let cover = book.worksheet_range("概要").unwrap();
    let counted: Vec<String> = cover
        .rows()
        .filter(|row| row[0] == "認証 期限切れ")
        .map(|row| row[1].to_string())
        .collect();
    assert_eq!(
        counted,
        [c.expired.len().to_string()],
        "seed {seed}, {as_of}"
    );
}

/// A report written entry by entry as it is read (`itaku report --json`) is the whole dashboard's.
async fn every_report_streamed_is_the_dashboards_whole(
    app: &TestApp,
    as_of: chrono::NaiveDate,
    whole: &Dashboard,
    seed: u64,
) {
    let others = [ReportKind::Incidents, ReportKind::Kpi, ReportKind::All];
    for kind in ReportKind::OF_LISTS.into_iter().chain(others) {
        let streamed = write_json(
            &app.db,
            &app.settings,
            &Visibility::All,
            as_of,
            kind,
            Vec::new(),
        )
        .await
        .unwrap();
        let expected = to_json(whole, kind, Window::ALL).unwrap();
        assert_eq!(
            String::from_utf8(streamed).unwrap(),
            serde_json::to_string_pretty(&expected).unwrap() + "\n",
            "seed {seed}, {as_of}: {kind:?}"
        );
    }
}

/// What a contract's page says it owes (judged for that contract alone, without tallies) is what the
/// whole dashboard lists of it. Its certificates ending are those the certificates report lists under
/// it (the dashboard's to-do list names each of a vendor's once, under one of its contracts).
async fn each_contract_owes_what_the_dashboard_lists_of_it(world: &World, day: &str, seed: u64) {
    let app = &world.app;
    let as_of = day.parse().unwrap();
    let whole = dashboard(
        &app.db,
        &app.settings,
        &Visibility::All,
        as_of,
        ReportKind::All,
        Window::ALL,
    )
    .await
    .unwrap();
    let listed = itaku::judging::todo_list(&whole);
    for &id in &world.contracts {
        let id = itaku::domain::ids::ContractId::new(id);
        let contract = itaku::services::contracts::get(&app.db, &Visibility::All, id)
            .await
            .unwrap();
        let owed = itaku::services::reports::owed_by(&app.db, &app.settings, contract, as_of)
            .await
            .unwrap();
        let of_contract = |entries: Vec<&itaku::judging::Entry>| {
            let entries = entries.into_iter().filter(|e| e.certification.is_none());
            serde_json::to_value(entries.collect::<Vec<_>>()).unwrap()
        };
        let on_dashboard = of_contract(
            listed
                .iter()
                .copied()
                .filter(|e| e.contract_id == id)
                .collect(),
        );
        assert_eq!(
            of_contract(owed.iter().collect()),
            on_dashboard,
            "seed {seed}, {day}, contract {id:?}"
        );
        let certificates = |entries: Vec<&itaku::judging::Entry>| {
            let mut entries: Vec<String> = entries
                .into_iter()
                .filter(|e| e.certification.is_some())
                .map(|e| serde_json::to_string(e).unwrap())
                .collect();
            entries.sort();
            entries
        };
        let ending = whole.certifications.expired.iter();
        let ending = ending.chain(&whole.certifications.expiring);
        assert_eq!(
            certificates(owed.iter().collect()),
            certificates(ending.filter(|e| e.contract_id == id).collect()),
            "certificates ending: seed {seed}, {day}, contract {id:?}"
        );
    }
}

/// Report `kind` on `as_of` as the test server judges it from the results it kept (keeping what it
/// reads), and as a server that kept nothing judges it.
async fn kept_and_afresh(
    app: &TestApp,
    kind: ReportKind,
    as_of: chrono::NaiveDate,
    window: Window,
) -> (Value, Value) {
    let judged = |db| dashboard(db, &app.settings, &Visibility::All, as_of, kind, window);
    let kept = judged(&app.db).await.unwrap();
    let afresh = judged(&app.db.with_nothing_kept()).await.unwrap();
    let json = |d| to_json(d, kind, window).unwrap();
    (json(&kept), json(&afresh))
}

/// The dashboard a server judges from the results it kept across the writes so far is the one a
/// server that kept nothing judges, on days around those written; so is each report judged alone,
/// whose totals are brought forward from the counts by department. The last day is the first: what
/// was kept of it before the write is asked for again after it. After every other write the reports
/// alone come first: their totals bring the counts by department forward before the dashboard's
/// tallies kept of the older counts are.
async fn kept_results_are_those_read_afresh(app: &TestApp, seed: u64, step: usize) {
    for day in ["2026-12-05", "2024-04-01", "2026-12-05"] {
        let as_of = day.parse().unwrap();
        let alone_first = step % 2 == 1;
        if alone_first {
            each_alone_kept_is_afresh(app, as_of, seed, step).await;
        }
        for window in [Window::first(3), Window::ALL] {
            let (kept, afresh) = kept_and_afresh(app, ReportKind::All, as_of, window).await;
            assert_eq!(kept, afresh, "seed {seed}, after write {step}, {day}");
        }
        if !alone_first {
            each_alone_kept_is_afresh(app, as_of, seed, step).await;
        }
        contracts_by_status_kept_are_afresh(app, as_of, seed, step).await;
    }
}

/// The home page's counts of contracts by status, brought forward by department, are those a server
/// that kept nothing counts, for everyone and for one department.
async fn contracts_by_status_kept_are_afresh(
    app: &TestApp,
    as_of: chrono::NaiveDate,
    seed: u64,
    step: usize,
) {
    use itaku::services::contracts::count_by_status;
    let (department,): (i64,) = sqlx::query_as("SELECT MIN(id) FROM departments")
        .fetch_one(&mut *app.db.acquire().await.unwrap())
        .await
        .unwrap();
    let one = Visibility::Departments(vec![itaku::domain::ids::DepartmentId::new(department)]);
    for visibility in [Visibility::All, one] {
        let kept = count_by_status(&app.db, &visibility, as_of).await.unwrap();
        let nothing_kept = app.db.with_nothing_kept();
        let afresh = count_by_status(&nothing_kept, &visibility, as_of);
        let afresh = afresh.await.unwrap();
        assert_eq!(
            kept, afresh,
            "seed {seed}, after write {step}, {as_of}: {visibility:?}"
        );
    }
}

async fn each_alone_kept_is_afresh(
    app: &TestApp,
    as_of: chrono::NaiveDate,
    seed: u64,
    step: usize,
) {
    for kind in ReportKind::OF_LISTS {
        let (kept, afresh) = kept_and_afresh(app, kind, as_of, Window::first(3)).await;
        assert_eq!(
            kept, afresh,
            "seed {seed}, after write {step}, {as_of}: {kind:?}"
        );
    }
}

/// A report judged on its own (the API's and the workbooks' way) says what the dashboard says of it.
async fn each_report_judged_alone_is_the_dashboards(
    app: &TestApp,
    as_of: chrono::NaiveDate,
    page: &Dashboard,
    seed: u64,
) {
    let window = Window::first(2);
    let others = [ReportKind::Incidents, ReportKind::Kpi];
    for kind in ReportKind::OF_LISTS.into_iter().chain(others) {
        let alone = dashboard(
            &app.db,
            &app.settings,
            &Visibility::All,
            as_of,
            kind,
            window,
        )
        .await
        .unwrap();
        assert_eq!(
            to_json(&alone, kind, window).unwrap(),
            to_json(page, kind, window).unwrap(),
            "seed {seed}, {as_of}: {kind:?}"
        );
        if kind == ReportKind::Certifications {
            // The certifications workbook's other sheets.
            let sheets = |d: &Dashboard| {
                format!(
                    "{:?} {:?} {:?}",
                    d.star.shortfall, d.suspensions.active, d.contacts.missing
                )
            };
            assert_eq!(sheets(&alone), sheets(page), "seed {seed}, {as_of}");
        }
    }
}

#[rocket::async_test]
async fn rejudging_finds_the_kept_standings_equal_to_the_records_after_random_writes() {
    let seed = std::env::var("ITAKU_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random::<u64>);
    let mut rng = StdRng::seed_from_u64(seed);
    let app = spawn().await;
    let mut vendors = Vec::new();
    let mut departments = Vec::new();
    for n in 0..3u64 {
        let number = corporate_number(7_100 + n);
        let (department, vendor) = app
            .seed_department_and_vendor(&format!("課{n}"), &number, &format!("事業者{n}"))
            .await;
        departments.push(department);
        vendors.push((vendor, number));
        // Certificates expiring and expired across the days judged, verified so that they count.
        let certificates = [
            ("isms", format!("IS 7{n}0001"), day(&mut rng, 2023, 5)),
            ("pmark", format!("1082016{n}(01)"), day(&mut rng, 2023, 5)),
        ];
        for (scheme, registration, valid_until) in certificates {
            let verified = record_verified(&app, vendor, scheme, &registration, &valid_until).await;
            assert!(verified, "{scheme} {registration}");
        }
    }
    let mut world = World {
        app,
        departments,
        vendors,
        contracts: Vec::new(),
        audit_reports: Vec::new(),
        deletions: Vec::new(),
        check_sheets: Vec::new(),
    };
    let mut accepted = 0;
    for step in 0..WRITES {
        if write(&mut world, &mut rng, step).await {
            accepted += 1;
        }
        if step % 2 == 1 {
            kept_results_are_those_read_afresh(&world.app, seed, step).await;
        }
    }
    assert!(
        accepted >= WRITES / 3,
        "seed {seed}: only {accepted} of {WRITES} writes were accepted"
    );
    for (kind, sent) in [
        ("audit reports", &world.audit_reports),
        ("deletion certificates", &world.deletions),
        ("check sheets", &world.check_sheets),
    ] {
        assert!(!sent.is_empty(), "seed {seed}: no {kind} were accepted");
    }
    for day in [
        "2023-03-31",
        "2024-04-01",
        "2025-06-15",
        "2026-12-05",
        "2028-01-01",
    ] {
        a_window_changes_which_entries_are_read_not_the_counts(&world.app, day, seed).await;
        each_contract_owes_what_the_dashboard_lists_of_it(&world, day, seed).await;
    }
    let rejudged = rejudge(&world.app.db, false).await.unwrap();
    assert_eq!(rejudged.contracts, world.contracts.len(), "seed {seed}");
    assert!(
        rejudged.agrees(),
        "seed {seed}: kept standings differ from the records: {:#?}",
        rejudged.examples
    );
}

#[rocket::async_test]
async fn rejudging_names_a_standing_that_no_longer_fits_its_records_and_repairs_it() {
    let app = spawn().await;
    let number = corporate_number(7_200);
    let (department_id, vendor_id) = app
        .seed_department_and_vendor("総務課", &number, "株式会社正")
        .await;
    let contract_id = app.create_contract("T-1", department_id, vendor_id).await;
    app.create_contract("T-2", department_id, vendor_id).await;
    common::seed_evidence(&app, vendor_id, contract_id).await;
    assert!(rejudge(&app.db, false).await.unwrap().agrees());

    // A row changed behind the application's back, as a faulty write would leave it.
    let mut conn = app.db.acquire().await.unwrap();
    sqlx::query("UPDATE audit_standings SET accepted_on = '2025-05-01' WHERE contract_id = $1")
        .bind(contract_id)
        .execute(&mut *conn)
        .await
        .unwrap();
    drop(conn);
    let found = rejudge(&app.db, false).await.unwrap();
    assert_eq!((found.contracts, found.differing), (2, 1));
    assert!(found.examples[0].contains(&format!("契約ID {contract_id}")));
    assert!(!found.repaired);

    let repaired = rejudge(&app.db, true).await.unwrap();
    assert!(repaired.repaired);
    assert!(rejudge(&app.db, false).await.unwrap().agrees());
    let (_, log) = app
        .get_html("/audit?entity_type=standings&action=rebuild")
        .await;
    assert!(log.contains("判定の再構築（2件の契約のうち1件が記録と不一致）"));
}

/// A contract's title or number edited alone leaves its standings as they were; the lists' windows
/// kept across the edit show it all the same (the write to `contracts` notes the contract), and
/// one renumbered out of a full window or into it moves the window.
#[rocket::async_test]
async fn a_contract_renamed_or_renumbered_shows_in_the_windows_kept_across_the_edit() {
    let app = spawn().await;
    let (department_id, vendor_id) = app
        .seed_department_and_vendor("総務課", &corporate_number(7_300), "株式会社窓")
        .await;
    let body = |number: &str, title: &str| {
        json!({"contract_number": number, "title": title, "department_id": department_id,
               "vendor_id": vendor_id, "start_date": "2026-04-01", "end_date": "2027-03-31",
               "importance": "important", "deletion_days": "30"})
    };
    let mut ids = Vec::new();
    for n in 0..5 {
        let (status, created) = app
            .send_json(
                Method::Post,
                "/api/v1/contracts",
                &body(&format!("W-{n}"), "業務"),
            )
            .await;
        assert_eq!(status, Status::Created, "{created}");
        ids.push(created["id"].as_i64().unwrap());
    }
    let as_of = "2026-12-05".parse().unwrap();
    let window = Window::first(3);
    let mut shown = Value::Null;
    kept_and_afresh(&app, ReportKind::All, as_of, window).await;
    for (at, number, title) in [
        (0, "W-0", "改名した業務"),
        (1, "W-9", "業務"),
        (4, "W-00", "業務"),
    ] {
        let (status, edited) = app
            .send_json(
                Method::Put,
                &format!("/api/v1/contracts/{}", ids[at]),
                &body(number, title),
            )
            .await;
        assert_eq!(status, Status::Ok, "{edited}");
        let (kept, afresh) = kept_and_afresh(&app, ReportKind::All, as_of, window).await;
        assert_eq!(kept, afresh, "after {number} {title}");
        shown = kept;
    }
    assert!(shown.to_string().contains("改名した業務"), "{shown}");
    let missing = &shown["checklists"]["missing"];
    let numbers: Vec<&str> = missing
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["contract_number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers, ["W-0", "W-00", "W-2"]);
}

/// Contracts written one by one are noted each (migration 0041); a write of more than fit in the
/// notes (a ledger's import, a seed) is noted as touching every contract, department and vendor.
#[rocket::async_test]
async fn contracts_written_are_noted_one_by_one_or_as_every_one() {
    let app = spawn().await;
    let (department_id, vendor_id) = app
        .seed_department_and_vendor("総務課", &corporate_number(7_400), "株式会社束")
        .await;
    let insert = |count: i64, prefix: &'static str| {
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
             INSERT INTO contracts (contract_number, title, department_id, vendor_id, start_date,
             end_date, handles_personal_data, importance, uses_cloud, subcontracting_allowed,
             deletion_days, deletion_deadline, notes, created_at, updated_at)
             SELECT $2 || CAST(i AS TEXT), '業務', $3, $4, '2026-04-01', '2027-03-31', 0, 'ordinary',
             0, 0, 30, '2027-04-30', '', '2026-04-01T00:00:00Z', '2026-04-01T00:00:00Z' FROM n",
        )
        .bind(count)
        .bind(prefix)
        .bind(department_id)
        .bind(vendor_id)
    };
    let noted = "SELECT contract_id, department_id, vendor_id FROM standing_touches
                 WHERE name = 'contracts' AND version IS NULL";
    let mut tx = app.db.begin().await.unwrap();
    insert(2, "A-").execute(&mut *tx).await.unwrap();
    sqlx::query("UPDATE contracts SET title = '改名' WHERE contract_number = 'A-1'")
        .execute(&mut *tx)
        .await
        .unwrap();
    let rows: Vec<(Option<i64>, Option<i64>, Option<i64>)> =
        sqlx::query_as(noted).fetch_all(&mut *tx).await.unwrap();
    assert!(rows.len() >= 2, "{rows:?}");
    assert!(rows
        .iter()
        .all(|row| row.0.is_some() && *row == (row.0, Some(department_id), Some(vendor_id))));
    insert(400, "B-").execute(&mut *tx).await.unwrap();
    let rows: Vec<(Option<i64>, Option<i64>, Option<i64>)> =
        sqlx::query_as(noted).fetch_all(&mut *tx).await.unwrap();
    assert!(rows.len() <= 300, "{} rows noted", rows.len());
    assert!(rows.contains(&(None, None, None)), "{rows:?}");
    tx.rollback().await.unwrap();
}

/// Each tally is named after its department or vendor, whether the dashboard counts many vendors
/// (every vendor's name is read) or a few (theirs alone).
#[rocket::async_test]
async fn every_tally_carries_its_own_name_for_many_vendors_or_a_few() {
    let app = spawn().await;
    app.seed_synthetic(900, 4_000, 3).await;
    let today = itaku::services::today();
    let named = |sql: &'static str| async {
        let mut conn = app.db.acquire().await.unwrap();
        let rows = sqlx::query_as::<_, (i64, String)>(sql).fetch_all(&mut *conn);
        rows.await
            .unwrap()
            .into_iter()
            .collect::<std::collections::HashMap<_, _>>()
    };
    let vendors = named("SELECT id, name FROM vendors").await;
    let departments = named("SELECT id, name FROM departments").await;
    let judged = |visibility: Visibility| {
        let app = &app;
        async move {
            let kind = ReportKind::All;
            let d = dashboard(
                &app.db,
                &app.settings,
                &visibility,
                today,
                kind,
                Window::ALL,
            );
            d.await.unwrap()
        }
    };
    let whole = judged(Visibility::All).await;
    assert!(
        whole.by_vendor.len() > 500,
        "{} vendors counted",
        whole.by_vendor.len()
    );
    let department = whole.by_department.last().unwrap().id;
    let department = itaku::domain::ids::DepartmentId::new(department);
    let few = judged(Visibility::Departments(vec![department])).await;
    assert!(
        (2..=500).contains(&few.by_vendor.len()),
        "{}",
        few.by_vendor.len()
    );
    for tally in whole.by_vendor.iter().chain(&few.by_vendor) {
        assert_eq!(
            Some(&tally.name),
            vendors.get(&tally.id),
            "vendor {}",
            tally.id
        );
    }
    for tally in &whole.by_department {
        assert_eq!(
            Some(&tally.name),
            departments.get(&tally.id),
            "department {}",
            tally.id
        );
    }
    // The page ranks its first hundred and says how many there are.
    let (_, page) = app.get_html("/dashboard").await;
    let by_vendor = &page[page.find("<h2>事業者別</h2>").unwrap()..];
    let vendors_shown = by_vendor.matches(r#"<td class="chart">"#).count();
    assert_eq!(vendors_shown, 100);
    let note = format!(
        "多い順に100件を表示しています（全{}件）",
        whole.tallied.vendors
    );
    assert!(
        whole.tallied.vendors < 1000 && page.contains(&note),
        "{note}"
    );
}
