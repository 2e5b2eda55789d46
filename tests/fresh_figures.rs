//! Figures are never wrong after writes settle: with writers racing readers on two app servers that
//! share one database, every count and list page read once a burst of writes has committed equals a
//! fresh read.

mod common;

use itaku::auth::policy::{EditScope, Visibility};
use itaku::auth::Actor;
use itaku::db::contracts::ContractFilter;
use itaku::db::Db;
use itaku::domain::ids::{DepartmentId, VendorId};
use itaku::services::contracts::{self, ContractInput};
use itaku::services::Paging;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

const BURSTS: usize = 60;
const WRITERS: usize = 6;

/// Contracts on a page of the list: a burst's six land on one page or two.
const PER_PAGE: i64 = 4;

/// The count of every contract and the numbers of the list's first page, read afresh.
async fn fresh_list(db: &Db) -> (i64, Vec<String>) {
    let mut conn = db.acquire().await.unwrap();
    let (count,): (i64,) = sqlx::query_as("SELECT CAST(COUNT(*) AS BIGINT) FROM contracts")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    let numbers: Vec<String> = sqlx::query_scalar(
        "SELECT contract_number FROM contracts ORDER BY end_date DESC, contract_number LIMIT $1",
    )
    .bind(PER_PAGE)
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    (count, numbers)
}

/// The list's total and the numbers of its first page, as the server shows them.
async fn listed(db: &Db) -> (i64, Vec<String>) {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
    let paging = Paging {
        page: 1,
        per_page: PER_PAGE,
    };
    let paged = contracts::list(
        db,
        &Visibility::All,
        &ContractFilter::default(),
        paging,
        today,
    )
    .await
    .unwrap();
    let numbers = paged
        .items
        .into_iter()
        .map(|contract| contract.heading.contract_number)
        .collect();
    (paged.total, numbers)
}

/// Contract `number` of a burst; a later burst's end a day later, so that it leads the list.
fn contract(
    number: String,
    burst: usize,
    department: DepartmentId,
    vendor: VendorId,
) -> ContractInput {
    let end =
        chrono::NaiveDate::from_ymd_opt(2027, 3, 31).unwrap() + chrono::Days::new(burst as u64);
    ContractInput {
        contract_number: Some(number),
        title: Some("業務".into()),
        department_id: Some(department),
        vendor_id: Some(vendor),
        start_date: Some("2025-04-01".into()),
        end_date: Some(end.to_string()),
        ..Default::default()
    }
}

/// Reads the list on every server until told to stop, so that counts are computed mid-burst.
fn keep_reading(servers: &[Db], stop: &Arc<AtomicBool>) -> Vec<tokio::task::JoinHandle<()>> {
    servers
        .iter()
        .cloned()
        .map(|db| {
            let stop = stop.clone();
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    listed(&db).await;
                }
            })
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn counts_and_pages_read_after_concurrent_writes_equal_a_fresh_read_on_both_servers() {
    let app = common::spawn().await;
    let second = Db::connect(&app.url, 4).await.unwrap();
    let servers = [app.db.clone(), second];
    let (department, vendor) = app
        .seed_department_and_vendor("税務課", common::NTA, "株式会社いろは印刷")
        .await;
    let (department, vendor) = (DepartmentId::new(department), VendorId::new(vendor));
    for burst in 0..BURSTS {
        let stop = Arc::new(AtomicBool::new(false));
        let readers = keep_reading(&servers, &stop);
        let writers: Vec<_> = (0..WRITERS)
            .map(|writer| {
                let db = servers[writer % servers.len()].clone();
                let input = contract(format!("B{burst}-{writer}"), burst, department, vendor);
                tokio::spawn(async move {
                    let actor = Actor::system("test");
                    contracts::create(
                        &db,
                        &itaku::config::Settings::default(),
                        &actor,
                        &EditScope::everything(),
                        &input,
                    )
                    .await
                    .unwrap();
                })
            })
            .collect();
        for writer in writers {
            writer.await.unwrap();
        }
        stop.store(true, Ordering::Relaxed);
        for reader in readers {
            reader.await.unwrap();
        }
        let fresh = fresh_list(&servers[0]).await;
        assert_eq!(fresh.0, ((burst + 1) * WRITERS) as i64);
        for (index, server) in servers.iter().enumerate() {
            assert_eq!(
                listed(server).await,
                fresh,
                "server {index} after burst {burst}"
            );
        }
    }
}

/// The share of important contracts whose vendor holds an ISMS certificate, as `server` judges it.
async fn isms_share(server: &Db, settings: &itaku::config::Settings) -> serde_json::Value {
    use itaku::services::reports::{dashboard, ReportKind, Window};
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
    let kpi = dashboard(
        server,
        settings,
        &Visibility::All,
        as_of,
        ReportKind::Kpi,
        Window::first(1),
    )
    .await
    .unwrap()
    .kpi;
    let isms = kpi.indicators.iter().find(|i| i.key == "isms").unwrap();
    serde_json::json!([isms.numerator, isms.denominator])
}

/// Certificates are kept in memory between judgements while their table stands: a certificate
/// recorded, verified or changed through one server counts at once on another sharing the database.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_written_on_one_server_counts_at_once_on_the_other() {
    use common::Method;
    let app = common::spawn().await;
    let second = Db::connect(&app.url, 2).await.unwrap();
    let (department_id, vendor_id) = app
        .seed_department_and_vendor("税務課", common::NTA, "株式会社いろは印刷")
        .await;
    let contract = serde_json::json!({"contract_number": "K-1", "title": "印刷",
        "department_id": department_id, "vendor_id": vendor_id, "start_date": "2026-04-01",
        "end_date": "2027-03-31", "importance": "重要"});
    let (status, _) = app
        .send_json(Method::Post, "/api/v1/contracts", &contract)
        .await;
    assert!(status.code < 300);
    assert_eq!(
        isms_share(&second, &app.settings).await,
        serde_json::json!([0, 1])
    );

    let uri = format!("/api/v1/vendors/{vendor_id}/certifications");
    let isms = serde_json::json!({"scheme": "isms", "number": "IS 700001", "issued_on": "2024-02-01", "valid_until": "2027-01-31", "standard": "2022"});
    let (status, created) = app.send_json(Method::Post, &uri, &isms).await;
    assert!(status.code < 300, "{created}");
    let id = created["id"].as_i64().unwrap();
    let verify = serde_json::json!({"decision": "verify"});
    let uri = format!("/api/v1/certifications/{id}/verification");
    let (status, body) = app.send_json(Method::Post, &uri, &verify).await;
    assert!(status.code < 300, "{body}");
    assert_eq!(
        isms_share(&second, &app.settings).await,
        serde_json::json!([1, 1])
    );

    // Expired before the day judged, changed on the second server's database directly.
    sqlx::query("UPDATE certifications SET valid_until = '2026-05-31' WHERE id = $1")
        .bind(id)
        .execute(&mut *app.db.acquire().await.unwrap())
        .await
        .unwrap();
    assert_eq!(
        isms_share(&second, &app.settings).await,
        serde_json::json!([0, 1])
    );
}

/// The records waiting for review that the menu counts on every staff page: 0 when it shows none.
async fn waiting_in_menu(app: &common::TestApp) -> usize {
    let (_, html) = app.get_html("/dashboard").await;
    waiting_in(&html)
}

fn waiting_in(html: &str) -> usize {
    html.split("aria-label=\"確認待ち")
        .nth(1)
        .and_then(|rest| rest.split('件').next())
        .map_or(0, |n| n.replace(',', "").parse().unwrap())
}

/// The records the home page lists as waiting for review (its heading counts them).
async fn waiting_on_home(app: &common::TestApp) -> usize {
    let (_, html) = app.get_html("/").await;
    html.split("確認待ち（")
        .nth(1)
        .and_then(|rest| rest.split('件').next())
        .map(|n| n.parse().unwrap())
        .expect("the home page's list of records waiting")
}

/// The menu's count and the home page's list, kept between changes, follow every upload and review at
/// once.
#[rocket::async_test]
async fn the_menus_waiting_count_follows_each_upload_and_review() {
    let app = common::spawn().await;
    let number = common::corporate_number(7_300);
    let (department, vendor) = app
        .seed_department_and_vendor("情報政策課", &number, "株式会社確認待ち")
        .await;
    let contracts = [
        app.create_contract("W-1", department, vendor).await,
        app.create_contract("W-2", department, vendor).await,
    ];
    assert_eq!(waiting_in_menu(&app).await, 0);
    assert_eq!(waiting_on_home(&app).await, 0);
    let mut submissions = Vec::new();
    for (at, contract) in contracts.into_iter().enumerate() {
        let sheet = common::filled_check_sheet(&number, |_| "はい");
        submissions.push(app.submit_check_sheet(contract, sheet).await);
        assert_eq!(waiting_in_menu(&app).await, at + 1, "after upload {at}");
        assert_eq!(waiting_in_menu(&app).await, at + 1, "read again, kept");
        assert_eq!(waiting_on_home(&app).await, at + 1, "after upload {at}");
    }
    for (at, submission) in submissions.into_iter().enumerate() {
        let (status, _) = app
            .send_json(
                rocket::http::Method::Post,
                &format!("/api/v1/checklists/{submission}/review"),
                &serde_json::json!({"decision": "approve", "comment": "確認しました"}),
            )
            .await;
        assert_eq!(status, rocket::http::Status::Ok);
        assert_eq!(waiting_in_menu(&app).await, 1 - at, "after review {at}");
        assert_eq!(waiting_on_home(&app).await, 1 - at, "after review {at}");
    }
}

/// An officer's count is of its departments' contracts: it follows a contract moved out of them and
/// back at once, and counts a contract's latest check sheet only.
#[rocket::async_test]
async fn an_officers_waiting_count_follows_a_contract_moved_between_departments() {
    let app = common::spawn().await;
    let number = common::corporate_number(7_400);
    let (ours, vendor) = app
        .seed_department_and_vendor("税務課", &number, "株式会社異動")
        .await;
    let (theirs, _) = app
        .seed_department_and_vendor("福祉課", &common::corporate_number(7_401), "他社")
        .await;
    let officer = app
        .browser_as("tax@example.jp", common::Role::Officer, None, &[ours])
        .await;
    let officer_waiting = || async { waiting_in(&officer.get_html("/contracts").await.1) };
    let contract = app.create_contract("M-1", ours, vendor).await;
    for upload in 1..=2 {
        let sheet = common::filled_check_sheet(&number, |_| "はい");
        app.submit_check_sheet(contract, sheet).await;
        assert_eq!(
            officer_waiting().await,
            1,
            "upload {upload}: the latest sheet only"
        );
    }
    for (department, expected) in [(theirs, 0), (ours, 1)] {
        let body = serde_json::json!({"contract_number": "M-1", "title": "業務",
            "department_id": department, "vendor_id": vendor,
            "start_date": "2025-04-01", "end_date": "2030-03-31"});
        let (status, updated) = app
            .send_json(
                rocket::http::Method::Put,
                &format!("/api/v1/contracts/{contract}"),
                &body,
            )
            .await;
        assert_eq!(status, rocket::http::Status::Ok, "{updated}");
        assert_eq!(officer_waiting().await, expected, "moved to {department}");
        assert_eq!(
            waiting_in_menu(&app).await,
            1,
            "the administrator sees every department"
        );
    }
}

/// Audit reports of one contract's fiscal year inserted at once, each in its own transaction: the
/// review queue counts the latest alone, the one with the largest id, whatever order they commit in
/// (migration 0044 marks the others as they come; on PostgreSQL ids are not handed out in commit
/// order).
#[tokio::test]
async fn the_queue_counts_only_the_latest_of_records_inserted_at_once() {
    use itaku::db::audit_reports::{self, NewAuditReport};
    use itaku::db::contracts::RecordScope;
    use itaku::domain::ids::ContractId;
    let app = common::spawn().await;
    let (department, vendor) = app
        .seed_department_and_vendor("税務課", common::NTA, "株式会社いろは印刷")
        .await;
    let contract = app.create_contract("R-7-1", department, vendor).await;
    let insert = |db: Db, pause: u64| async move {
        for _ in 0..4 {
            let mut tx = db.begin().await.unwrap();
            let report = NewAuditReport {
                contract_id: ContractId::new(contract),
                fiscal_year: 2025,
                kind: "third_party",
                auditor: "監査法人",
                audited_on: "2026-03-01".parse().unwrap(),
                findings: 0,
                follow_up: "none",
                notes: "",
                file_id: None,
                submitted_by: "vendor@example.jp",
            };
            audit_reports::insert(&mut tx, &report).await.unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
            tx.commit().await.unwrap();
        }
    };
    let writers: Vec<_> = (0..WRITERS as u64)
        .map(|writer| tokio::spawn(insert(app.db.clone(), writer % 3 * 5)))
        .collect();
    for writer in writers {
        writer.await.unwrap();
    }
    let marks: Vec<(i64, i64)> =
        sqlx::query_as("SELECT id, superseded FROM audit_reports ORDER BY id")
            .fetch_all(&mut *app.db.acquire().await.unwrap())
            .await
            .unwrap();
    assert_eq!(marks.len(), WRITERS * 4);
    let latest: Vec<i64> = marks
        .iter()
        .filter(|(_, s)| *s == 0)
        .map(|(id, _)| *id)
        .collect();
    assert_eq!(latest, [marks.last().unwrap().0], "{marks:?}");
    let mut conn = app.db.acquire().await.unwrap();
    let reads = itaku::db::kept_reads::Reads::none();
    let scope = RecordScope::Visible(&Visibility::All);
    let waiting = itaku::db::inbox::count(&mut conn, &reads, scope, "submitted").await;
    assert_eq!(waiting.unwrap(), 1);
}

/// The work list's records in the order a person works through them: what `inbox::records` gives,
/// against every current record of the three kinds read whole and sorted, for several windows,
/// both statuses and a department's scope; kept or not, and again after a newer record came in.
#[tokio::test]
async fn the_work_list_takes_the_oldest_records_of_every_kind_in_order() {
    use itaku::db::contracts::RecordScope;
    use itaku::db::kept_reads::Reads;
    let app = common::spawn().await;
    app.seed_synthetic(40, 400, 3).await;
    let mut conn = app.db.acquire().await.unwrap();
    // Arrival times shuffled across the kinds, each moment used once.
    let mut moment = 0u64;
    for (table, at) in [
        ("checklist_submissions", "uploaded_at"),
        ("audit_reports", "submitted_at"),
        ("deletion_certificates", "submitted_at"),
    ] {
        let ids: Vec<(i64,)> = sqlx::query_as(&format!("SELECT id FROM {table}"))
            .fetch_all(&mut *conn)
            .await
            .unwrap();
        for (id,) in ids {
            moment += 1;
            let second = moment * 7919 % 1_000_003;
            let stamp = chrono::DateTime::from_timestamp(1_750_000_000 + second as i64, 0).unwrap();
            let stamp = stamp.format("%Y-%m-%dT%H:%M:%SZ").to_string();
            sqlx::query(&format!("UPDATE {table} SET {at} = $1 WHERE id = $2"))
                .bind(stamp)
                .bind(id)
                .execute(&mut *conn)
                .await
                .unwrap();
        }
    }
    let (department,): (i64,) = sqlx::query_as("SELECT MIN(department_id) FROM contracts")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    let departments =
        Visibility::Departments(vec![itaku::domain::ids::DepartmentId::new(department)]);
    let expected = |status: &'static str, visibility: &Visibility| {
        let narrowed = match visibility {
            Visibility::Departments(_) => format!(" AND c.department_id = {department}"),
            _ => String::new(),
        };
        let sql = format!(
            "SELECT kind, record_id FROM (
               SELECT 'checklist' AS kind, t.id AS record_id, t.uploaded_at AS at, t.contract_id
                 FROM checklist_submissions t WHERE t.status = '{status}' AND NOT EXISTS
                 (SELECT 1 FROM checklist_submissions l WHERE l.contract_id = t.contract_id AND l.id > t.id)
               UNION ALL
               SELECT 'audit_report', t.id, t.submitted_at, t.contract_id
                 FROM audit_reports t WHERE t.status = '{status}' AND NOT EXISTS
                 (SELECT 1 FROM audit_reports l WHERE l.contract_id = t.contract_id
                  AND l.fiscal_year = t.fiscal_year AND l.id > t.id)
               UNION ALL
               SELECT 'deletion_certificate', t.id, t.submitted_at, t.contract_id
                 FROM deletion_certificates t WHERE t.status = '{status}' AND NOT EXISTS
                 (SELECT 1 FROM deletion_certificates l WHERE l.contract_id = t.contract_id AND l.id > t.id)
             ) w JOIN contracts c ON c.id = w.contract_id WHERE 1 = 1{narrowed} ORDER BY at, record_id"
        );
        sql
    };
    let check = |round: &'static str| {
        let db = app.db.clone();
        let expected = &expected;
        let departments = departments.clone();
        async move {
            let mut conn = db.acquire().await.unwrap();
            let mut kinds_seen = std::collections::BTreeSet::new();
            for status in ["submitted", "returned"] {
                for visibility in [Visibility::All, departments.clone()] {
                    let all: Vec<(String, i64)> = sqlx::query_as(&expected(status, &visibility))
                        .fetch_all(&mut *conn)
                        .await
                        .unwrap();
                    kinds_seen.extend(all.iter().map(|(kind, _)| kind.clone()));
                    for limit in [1usize, 7, 50, 200] {
                        let want: Vec<(String, i64)> = all.iter().take(limit).cloned().collect();
                        let kept = Reads::of(&mut conn, db.kept_reads()).await.unwrap();
                        for reads in [Reads::none(), kept] {
                            let scope = RecordScope::Visible(&visibility);
                            let got = itaku::db::inbox::records(
                                &mut conn,
                                &reads,
                                scope,
                                status,
                                limit as i64,
                            )
                            .await
                            .unwrap();
                            let got: Vec<(String, i64)> =
                                got.into_iter().map(|w| (w.kind, w.record_id)).collect();
                            assert_eq!(
                                got, want,
                                "{round}: {status}, {visibility:?}, first {limit}"
                            );
                        }
                    }
                }
            }
            assert_eq!(
                kinds_seen.len(),
                3,
                "{round}: every kind waits: {kinds_seen:?}"
            );
        }
    };
    check("seeded").await;
    // A newer check sheet of the contract whose check sheet waits longest takes its place.
    let (oldest,): (i64,) = sqlx::query_as(
        "SELECT contract_id FROM checklist_submissions WHERE status = 'submitted' AND superseded = 0
         ORDER BY uploaded_at, id LIMIT 1",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO checklist_submissions (contract_id, version, definition_id, file_name, content, sha256,
           size_bytes, uploader, uploaded_at, vendor_name, respondent_identifier, filled_on, filled_by, status)
         SELECT contract_id, version + 1, definition_id, file_name, content, sha256, size_bytes, uploader,
           '2027-01-01T00:00:00Z', vendor_name, respondent_identifier, filled_on, filled_by, 'submitted'
         FROM checklist_submissions WHERE contract_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(oldest)
    .execute(&mut *conn)
    .await
    .unwrap();
    // As a write does: its entry versions the tables its triggers marked changed.
    let entry = itaku::db::audit::NewEntry {
        actor_user_id: None,
        actor: "test",
        ip: "",
        action: "create",
        entity_type: "checklist_submission",
        entity_id: "",
        summary: "",
        before_json: None,
        after_json: None,
    };
    itaku::db::audit::insert(&mut conn, &entry).await.unwrap();
    check("after a newer check sheet").await;
}
