//! Synthetic data at prefecture scale for benchmarks and load tests: departments of many municipalities,
//! vendors with certifications in every state, contracts over five fiscal years (active and ended, with
//! and without deletion certificates, important and ordinary), audit reports, check-sheet submissions
//! with answers, and tenders with bidders. Deterministic for a seed, written in one transaction with
//! multi-row inserts, and recorded once in the audit log.

use super::audit::{self, Event};
use crate::auth::Actor;
use crate::config::Settings;
use crate::db::seed as db_seed;
use crate::db::seed::Bulk;
use crate::db::sql::Param;
use crate::db::{files, tenders};
use crate::db::{Conn, Db};
use crate::domain::corporate_number::with_check_digit;
use crate::domain::ids::{ContractId, DepartmentId, FileId, VendorId};
use crate::domain::FiscalYear;
use crate::domain::Timestamp;
use crate::error::{AppError, AppResult};
use chrono::{Days, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use std::collections::HashMap;
use std::time::Instant;

#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub vendors: usize,
    pub contracts: usize,
    pub seed: u64,
}

#[derive(Debug, Default, Clone, Serialize)]
pub struct Report {
    pub departments: usize,
    pub vendors: usize,
    pub certifications: usize,
    pub contracts: usize,
    pub deletion_certificates: usize,
    pub audit_reports: usize,
    pub submissions: usize,
    pub answers: usize,
    pub tenders: usize,
    pub bidders: usize,
    pub seconds: f64,
}

/// Told how far a step has come: (step, done, total).
pub type Progress<'a> = &'a mut (dyn FnMut(&str, u64, u64) + Send);

const MUNICIPALITIES: [&str; 12] = [
    "さくら市",
    "みなと市",
    "あおば町",
    "ひかり市",
    "かわせ村",
    "やまと市",
    "いずみ町",
    "みどり市",
    "しらかわ市",
    "たかはら町",
    "うみべ市",
    "もりの市",
];
const DEPARTMENTS: [&str; 10] = [
    "税務課",
    "市民課",
    "福祉課",
    "健康推進課",
    "教育総務課",
    "情報政策課",
    "総務課",
    "子育て支援課",
    "環境課",
    "会計課",
];
const NAME_HEADS: [&str; 16] = [
    "あさひ",
    "ひまわり",
    "こだま",
    "つばさ",
    "なごみ",
    "はるか",
    "みらい",
    "ゆうき",
    "わかば",
    "きずな",
    "そよかぜ",
    "たまき",
    "にじいろ",
    "ほくと",
    "まほろば",
    "やまびこ",
];
const NAME_TAILS: [&str; 10] = [
    "情報システム",
    "データ入力",
    "印刷",
    "コールセンター",
    "文書保管",
    "電算",
    "クラウド",
    "ソフト",
    "ビジネスサービス",
    "ネットワーク",
];
const WORKS: [&str; 10] = [
    "住民情報システム運用保守",
    "課税資料データ入力",
    "納税通知書印刷封入",
    "窓口受付",
    "コールセンター運営",
    "文書保管",
    "健診データ処理",
    "ホームページ運用",
    "ネットワーク保守",
    "クラウド基盤提供",
];
/// Rows generated and inserted per step (and between two progress reports).
const CHUNK: usize = 5_000;
/// The first step's rows: steps then double up to [`CHUNK`], and the table is counted for its plans
/// after each (`plan_for_rows`).
const FIRST_CHUNK: usize = 500;

fn day(date: NaiveDate, offset: i64) -> NaiveDate {
    if offset >= 0 {
        date + Days::new(offset as u64)
    } else {
        date - Days::new(offset.unsigned_abs())
    }
}

fn text(value: impl ToString) -> Param {
    Param::Text(value.to_string())
}

async fn insert(conn: &mut Conn, table: Bulk, rows: Vec<Vec<Param>>) -> AppResult<()> {
    db_seed::insert(conn, table, rows).await?;
    Ok(())
}

/// Inserts rows in chunks, telling `progress` after each.
async fn insert_all(
    conn: &mut Conn,
    table: Bulk,
    rows: Vec<Vec<Param>>,
    label: &str,
    progress: Progress<'_>,
) -> AppResult<usize> {
    let total = rows.len();
    let mut done = 0;
    let mut rows = rows.into_iter().peekable();
    progress(label, 0, total as u64);
    while rows.peek().is_some() {
        let step = done.clamp(FIRST_CHUNK, CHUNK);
        let chunk: Vec<Vec<Param>> = rows.by_ref().take(step).collect();
        done += chunk.len();
        insert(conn, table, chunk).await?;
        db_seed::plan_for_rows(conn, table).await?;
        progress(label, done as u64, total as u64);
    }
    Ok(total)
}

struct ContractRow {
    number: String,
    vendor: usize,
    start: NaiveDate,
    end: NaiveDate,
    important: bool,
}

/// What every part of one seeding run shares.
struct Seeding<'a> {
    settings: &'a Settings,
    plan: Plan,
    today: NaiveDate,
    now: String,
    marker: String,
    rng: StdRng,
    report: Report,
    progress: Progress<'a>,
}

/// Fills the database with a synthetic dataset for `plan`; refuses a seed whose data is already there.
pub async fn run(
    db: &Db,
    settings: &Settings,
    plan: Plan,
    today: NaiveDate,
    progress: Progress<'_>,
) -> AppResult<Report> {
    let started = Instant::now();
    let marker = format!("S{}-", plan.seed);
    let mut tx = db.begin().await?;
    if db_seed::contracts_numbered(&mut tx, &marker).await? > 0 {
        return Err(AppError::BadRequest(format!(
            "シード {} のデータは既にあります（別の --seed を指定してください）",
            plan.seed
        )));
    }
    let now = Timestamp::now().to_string();
    let mut s = Seeding {
        settings,
        plan,
        today,
        now,
        marker,
        rng: StdRng::seed_from_u64(plan.seed),
        report: Report::default(),
        progress,
    };
    let departments = seed_departments(&mut tx, &mut s).await?;
    let vendor_ids = seed_vendors(&mut tx, &mut s).await?;
    seed_certifications(&mut tx, &mut s, &vendor_ids).await?;
    let (contracts, contract_ids) =
        seed_contracts(&mut tx, &mut s, &departments, &vendor_ids).await?;
    let file_id = seed_file(&mut tx).await?;
    seed_deletions(&mut tx, &mut s, &contracts, &contract_ids, file_id).await?;
    seed_audit_reports(&mut tx, &mut s, &contracts, &contract_ids, file_id).await?;
    seed_check_sheets(&mut tx, &mut s, &contracts, &contract_ids).await?;
    seed_tenders(&mut tx, &mut s, &departments, &vendor_ids).await?;
    (s.progress)("判定", 0, 1);
    crate::db::standings::rebuild(&mut tx).await?;
    (s.progress)("判定", 1, 1);
    let mut report = s.report;
    report.seconds = started.elapsed().as_secs_f64();
    audit::record(
        &mut tx,
        &Actor::system("seed"),
        Event::new(
            "create",
            "seed",
            plan.seed,
            format!("合成データ（シード {}）", plan.seed),
        )
        .changes(None, Some(serde_json::json!(report))),
    )
    .await?;
    tx.commit().await?;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Ten departments per municipality, enough municipalities for the contracts; answers their ids.
async fn seed_departments(tx: &mut Conn, s: &mut Seeding<'_>) -> AppResult<Vec<DepartmentId>> {
    let (plan, now) = (s.plan, s.now.clone());
    let progress = &mut *s.progress;
    let report = &mut s.report;
    let municipalities = (plan.contracts / 2_000).clamp(1, 60);
    let mut names = Vec::new();
    for m in 0..municipalities {
        let town = MUNICIPALITIES[m % MUNICIPALITIES.len()];
        let town = if m < MUNICIPALITIES.len() {
            town.to_string()
        } else {
            format!("第{}{town}", m / MUNICIPALITIES.len() + 1)
        };
        names.extend(DEPARTMENTS.iter().map(|d| format!("{town} {d}")));
    }
    let known = db_seed::departments_by_name(&mut *tx).await?;
    let new_departments: Vec<Vec<Param>> = names
        .iter()
        .filter(|n| !known.contains_key(*n))
        .map(|n| vec![text(n), text(&now)])
        .collect();
    report.departments = insert_all(
        &mut *tx,
        Bulk::Departments,
        new_departments,
        "所管課",
        progress,
    )
    .await?;
    let departments: Vec<DepartmentId> = {
        let all = db_seed::departments_by_name(&mut *tx).await?;
        names.iter().filter_map(|n| all.get(n).copied()).collect()
    };
    Ok(departments)
}

/// Vendors, keyed by corporate numbers no other seed produces; answers their ids.
async fn seed_vendors(tx: &mut Conn, s: &mut Seeding<'_>) -> AppResult<Vec<VendorId>> {
    let (plan, now) = (s.plan, s.now.clone());
    let progress = &mut *s.progress;
    let report = &mut s.report;
    let numbers: Vec<String> = (0..plan.vendors)
        .map(|i| {
            with_check_digit(plan.seed % 10_000 * 100_000_000 + 10_000_000 + i as u64)
                .as_str()
                .to_string()
        })
        .collect();
    let rows = numbers
        .iter()
        .enumerate()
        .map(|(i, number)| {
            let name = format!(
                "株式会社{}{}{}",
                NAME_HEADS[i % NAME_HEADS.len()],
                NAME_TAILS[(i / NAME_HEADS.len()) % NAME_TAILS.len()],
                if i >= NAME_HEADS.len() * NAME_TAILS.len() {
                    format!("{}", i / (NAME_HEADS.len() * NAME_TAILS.len()) + 1)
                } else {
                    String::new()
                }
            );
            vec![text(number), text(name), text(&now), text(&now)]
        })
        .collect();
    report.vendors = insert_all(&mut *tx, Bulk::Vendors, rows, "事業者", progress).await?;
    let vendor_ids: Vec<VendorId> = {
        let by_number = db_seed::vendors_by_number(&mut *tx).await?;
        numbers.iter().map(|n| by_number[n]).collect()
    };
    Ok(vendor_ids)
}

/// Certifications in every state: valid, expiring within 90 days, expired.
async fn seed_certifications(
    tx: &mut Conn,
    s: &mut Seeding<'_>,
    vendor_ids: &[VendorId],
) -> AppResult<()> {
    let (plan, today, now) = (s.plan, s.today, s.now.clone());
    let progress = &mut *s.progress;
    let rng = &mut s.rng;
    let report = &mut s.report;
    let mut rows = Vec::new();
    for vendor in vendor_ids.iter().enumerate() {
        vendor_certificates(rng, plan, today, &now, vendor, &mut rows);
    }
    report.certifications =
        insert_all(&mut *tx, Bulk::Certifications, rows, "認証", progress).await?;
    Ok(())
}

/// The certificates of the `i`th vendor: each scheme held by a share of vendors, in any state.
fn vendor_certificates(
    rng: &mut StdRng,
    plan: Plan,
    today: NaiveDate,
    now: &str,
    (i, vendor): (usize, &VendorId),
    rows: &mut Vec<Vec<Param>>,
) {
    let validity = |rng: &mut StdRng| -> i64 {
        match rng.random_range(0..10) {
            0 => -rng.random_range(1..365),
            1 => rng.random_range(0..90),
            _ => rng.random_range(90..1_100),
        }
    };
    let mut add =
        |scheme: &str, number: String, level: &str, until: Option<NaiveDate>, issued: NaiveDate| {
            rows.push(vec![
                Param::from(*vendor),
                text(scheme),
                text(number),
                text(level),
                text(""),
                text(""),
                text(issued),
                until.map(|d| d.to_string()).into(),
                text(now),
                text(now),
                text("verified"),
                text("itaku seed"),
                text(now),
            ]);
        };
    if rng.random_bool(0.35) {
        let until = day(today, validity(rng));
        add(
            "isms",
            format!("IS {}{i:06}", plan.seed % 100),
            "",
            Some(until),
            day(until, -1_095),
        );
    }
    if rng.random_bool(0.30) {
        let until = day(today, validity(rng));
        add(
            "pmark",
            format!("{:08}(0{})", 10_000_000 + i, rng.random_range(1..9)),
            "",
            Some(until),
            day(until, -730),
        );
    }
    if rng.random_bool(0.60) {
        let level = if rng.random_bool(0.5) { "2" } else { "1" };
        add(
            "security_action",
            format!("{:011}", 20_000_000_000u64 + i as u64),
            level,
            None,
            day(today, -rng.random_range(30..2_000)),
        );
    }
    if rng.random_bool(0.05) {
        let until = day(today, validity(rng));
        add(
            "ismap",
            format!("C{:02}-{i:04}-1", plan.seed % 100),
            "",
            Some(until),
            day(until, -730),
        );
    }
    if rng.random_bool(0.05) {
        let until = day(today, validity(rng));
        add(
            "meti",
            format!("M-{i}"),
            ["3", "4", "5"][rng.random_range(0..3)],
            Some(until),
            day(until, -365),
        );
    }
}

/// Contracts over five fiscal years; a few vendors hold many contracts, most hold a few.
async fn seed_contracts(
    tx: &mut Conn,
    s: &mut Seeding<'_>,
    departments: &[DepartmentId],
    vendor_ids: &[VendorId],
) -> AppResult<(Vec<ContractRow>, HashMap<String, ContractId>)> {
    let (plan, today, now, marker) = (s.plan, s.today, s.now.clone(), s.marker.clone());
    let progress = &mut *s.progress;
    let rng = &mut s.rng;
    let report = &mut s.report;
    let this_year = FiscalYear::of(today).start_year();
    let contracts: Vec<ContractRow> = (0..plan.contracts)
        .map(|i| {
            let skew: f64 = rng.random::<f64>().powi(2);
            let vendor =
                ((skew * plan.vendors as f64) as usize).min(plan.vendors.saturating_sub(1));
            let year = this_year - rng.random_range(0..5);
            let first = FiscalYear::new(year).map_or(today, FiscalYear::first_day);
            let start = day(first, rng.random_range(0..180));
            let years = rng.random_range(1..=3);
            let end = day(start, 365 * years - 1);
            ContractRow {
                number: format!("{marker}{year}-{i:06}"),
                vendor,
                start,
                end,
                important: rng.random_bool(0.3),
            }
        })
        .collect();
    let rows = contracts
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let personal = i % 5 < 3;
            vec![
                text(&c.number),
                text(WORKS[i % WORKS.len()]),
                Param::from(departments[i % departments.len()]),
                Param::from(vendor_ids[c.vendor]),
                text(c.start),
                text(c.end),
                Param::Int(personal as i64),
                if personal {
                    Param::Int((i as i64 * 37) % 150_000)
                } else {
                    Param::NullInt
                },
                text(if c.important { "important" } else { "ordinary" }),
                Param::Int((i % 4 == 0) as i64),
                Param::Int((i % 3 == 0) as i64),
                Param::Int(30),
                text(day(c.end, 30)),
                text(&now),
                text(&now),
            ]
        })
        .collect();
    report.contracts = insert_all(&mut *tx, Bulk::Contracts, rows, "契約", progress).await?;
    let contract_ids = db_seed::contracts_by_number(&mut *tx, &marker).await?;
    Ok((contracts, contract_ids))
}

/// One stored file stands for every synthetic certificate and report.
async fn seed_file(tx: &mut Conn) -> AppResult<FileId> {
    let pdf = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n".to_vec();
    let digest = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&pdf));
    let file_id = files::insert(
        &mut *tx,
        &files::NewFile {
            file_name: "seed.pdf",
            media_type: "application/pdf",
            sha256: &digest,
            content: &pdf,
            uploaded_by: "seed",
        },
    )
    .await?;
    Ok(file_id)
}

/// Deletion certificates for most ended contracts: on time, late, waiting for review; the rest owe one.
async fn seed_deletions(
    tx: &mut Conn,
    s: &mut Seeding<'_>,
    contracts: &[ContractRow],
    contract_ids: &HashMap<String, ContractId>,
    file_id: FileId,
) -> AppResult<()> {
    let (today, now) = (s.today, s.now.clone());
    let progress = &mut *s.progress;
    let rng = &mut s.rng;
    let report = &mut s.report;
    let id_of = |c: &ContractRow| contract_ids[&c.number];
    let mut rows = Vec::new();
    for c in contracts.iter().filter(|c| day(c.end, 30) < today) {
        if !rng.random_bool(0.88) {
            continue;
        }
        let deleted = day(c.end, rng.random_range(0..40));
        let accepted = rng.random_bool(0.9);
        let accepted_on = day(deleted, rng.random_range(0..10)).min(today);
        rows.push(vec![
            Param::from(id_of(c)),
            text("委託業務で取り扱った住民データ一式"),
            text("サーバー、バックアップ媒体"),
            text("サーバー1台"),
            text("上書き消去"),
            text("情報管理責任者"),
            text(deleted.min(today)),
            Param::Int(1),
            Param::Int(1),
            Param::Int(1),
            Param::from(file_id),
            text(if accepted { "accepted" } else { "submitted" }),
            text("seed"),
            text(&now),
            if accepted {
                text("seed")
            } else {
                Param::NullText
            },
            if accepted {
                text(accepted_on)
            } else {
                Param::NullText
            },
        ]);
    }
    report.deletion_certificates = insert_all(
        &mut *tx,
        Bulk::DeletionCertificates,
        rows,
        "消去証明書",
        progress,
    )
    .await?;
    Ok(())
}

/// Audit reports for important contracts, one per fiscal year they ran in, most accepted.
async fn seed_audit_reports(
    tx: &mut Conn,
    s: &mut Seeding<'_>,
    contracts: &[ContractRow],
    contract_ids: &HashMap<String, ContractId>,
    file_id: FileId,
) -> AppResult<()> {
    let (today, now) = (s.today, s.now.clone());
    let progress = &mut *s.progress;
    let rng = &mut s.rng;
    let report = &mut s.report;
    let id_of = |c: &ContractRow| contract_ids[&c.number];
    let mut rows = Vec::new();
    for c in contracts.iter().filter(|c| c.important) {
        let (first, last) = (
            FiscalYear::of(c.start).start_year(),
            FiscalYear::of(c.end.min(today)).start_year(),
        );
        for year in first..=last {
            if !rng.random_bool(if year == FiscalYear::of(today).start_year() {
                0.3
            } else {
                0.8
            }) {
                continue;
            }
            let audited = FiscalYear::new(year)
                .map_or(today, |fy| day(fy.first_day(), rng.random_range(120..330)))
                .min(today);
            let accepted = rng.random_bool(0.85);
            rows.push(vec![
                Param::from(id_of(c)),
                Param::Int(year as i64),
                text(["third_party", "third_party", "onsite", "internal"][rng.random_range(0..4)]),
                text("監査法人さくら"),
                text(audited),
                Param::Int(rng.random_range(0..4)),
                text("completed"),
                Param::from(file_id),
                text(if accepted { "accepted" } else { "submitted" }),
                text("seed"),
                text(&now),
                if accepted {
                    text(day(audited, 20).min(today))
                } else {
                    Param::NullText
                },
            ]);
        }
    }
    report.audit_reports =
        insert_all(&mut *tx, Bulk::AuditReports, rows, "監査報告書", progress).await?;
    Ok(())
}

/// Check sheets for one contract in five, each with every item of the definition answered.
async fn seed_check_sheets(
    tx: &mut Conn,
    s: &mut Seeding<'_>,
    contracts: &[ContractRow],
    contract_ids: &HashMap<String, ContractId>,
) -> AppResult<()> {
    let (now, marker) = (s.now.clone(), s.marker.clone());
    let progress = &mut *s.progress;
    let rng = &mut s.rng;
    let report = &mut s.report;
    let id_of = |c: &ContractRow| contract_ids[&c.number];
    let definition = s.settings.definition();
    let workbook = super::templates::blank(&definition, None, None)?;
    let workbook_digest = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&workbook));
    let with_sheets: Vec<&ContractRow> =
        contracts.iter().filter(|_| rng.random_bool(0.2)).collect();
    let rows = with_sheets
        .iter()
        .map(|c| {
            let status = [
                "approved",
                "approved",
                "approved",
                "submitted",
                "submitted",
                "returned",
            ][rng.random_range(0..6)];
            vec![
                Param::from(id_of(c)),
                Param::Int(1),
                text(&definition.id),
                text("checksheet.xlsx"),
                Param::Bytes(workbook.clone()),
                text(&workbook_digest),
                Param::Int(workbook.len() as i64),
                text("seed"),
                text(&now),
                text(status),
                if status == "submitted" {
                    Param::NullText
                } else {
                    text(&now)
                },
            ]
        })
        .collect();
    report.submissions = insert_all(
        &mut *tx,
        Bulk::ChecklistSubmissions,
        rows,
        "チェックシート",
        progress,
    )
    .await?;
    let submission_ids = db_seed::submissions_of(&mut *tx, &marker).await?;
    let total_answers = (submission_ids.len() * definition.items.len()) as u64;
    progress("回答", 0, total_answers);
    for chunk in submission_ids.chunks((CHUNK / definition.items.len()).max(1)) {
        let mut rows = Vec::with_capacity(chunk.len() * definition.items.len());
        for submission in chunk {
            for item in &definition.items {
                let answer = match rng.random_range(0..100) {
                    0..85 => "yes",
                    85..92 => "partial",
                    92..96 => "no",
                    _ => "na",
                };
                rows.push(vec![Param::from(*submission), text(&item.id), text(answer)]);
            }
        }
        report.answers += rows.len();
        insert(&mut *tx, Bulk::ChecklistAnswers, rows).await?;
        progress("回答", report.answers as u64, total_answers);
    }
    Ok(())
}

/// Tenders with three to eight bidders each.
async fn seed_tenders(
    tx: &mut Conn,
    s: &mut Seeding<'_>,
    departments: &[DepartmentId],
    vendor_ids: &[VendorId],
) -> AppResult<()> {
    let (plan, today, now, marker) = (s.plan, s.today, s.now.clone(), s.marker.clone());
    let progress = &mut *s.progress;
    let rng = &mut s.rng;
    let report = &mut s.report;
    let policy = super::policies::resolve_in(&mut *tx, s.settings, None).await?;
    let tender_count = (plan.contracts / 1_000).max(1);
    for t in 0..tender_count {
        let department = departments[t % departments.len()];
        let title = format!("{} 業務委託（{marker}{t}）", WORKS[t % WORKS.len()]);
        let id = tenders::insert(
            &mut *tx,
            &tenders::NewTender {
                title: &title,
                department_id: Some(department),
                evaluation_date: day(today, rng.random_range(-200..60)),
                policy_id: policy.id,
                uses_cloud: t % 3 == 0,
                handles_personal_data: true,
                amount: None,
                copied_from: None,
                created_by: "seed",
            },
        )
        .await?;
        let mut chosen: Vec<VendorId> = (0..rng.random_range(3..=8))
            .map(|_| vendor_ids[rng.random_range(0..vendor_ids.len())])
            .collect();
        chosen.sort_unstable();
        chosen.dedup();
        report.bidders += chosen.len();
        let rows = chosen
            .into_iter()
            .map(|vendor| {
                vec![
                    Param::from(id),
                    Param::from(vendor),
                    Param::Int(1),
                    text(&now),
                ]
            })
            .collect();
        insert(&mut *tx, Bulk::TenderBidders, rows).await?;
        report.tenders += 1;
        progress("案件", report.tenders as u64, tender_count as u64);
    }
    Ok(())
}
