//! What every visible contract owes on a given day (`as_of`), computed from the records and the rules:
//! data retained past the deletion deadline, audit reports overdue, certificates expired or expiring,
//! check sheets missing or returned, and the KPIs of the policy goals. The CISO's dashboard, the API,
//! the CLI reports and a vendor's to-do list are all views of this one computation.

use crate::config::Settings;
use crate::db::certifications::{self, Certification};
use crate::db::contracts::{self, Contract, RecordScope, Visibility};
use crate::db::reviews::{self, Reviewed};
use crate::db::{checklists, Conn, Db};
use crate::domain::certification::{CertStatus, Level, Scheme};
use crate::domain::obligation::Standing;
use crate::domain::{FiscalYear, Importance};
use crate::error::AppResult;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// One contract that owes something, with its deadline and how late it is.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub contract_id: i64,
    pub contract_number: String,
    pub contract_title: String,
    pub department_id: i64,
    pub department_name: String,
    pub vendor_id: i64,
    pub vendor_identifier: String,
    pub vendor_name: String,
    pub important: bool,
    /// The last day on which the proof is on time.
    pub deadline: NaiveDate,
    /// Days past the deadline (1 on the day after it); 0 when not yet late.
    pub days_overdue: i64,
    /// Days until the deadline (0 on the deadline day); 0 when already late.
    pub days_remaining: i64,
    /// What is owed, in Japanese.
    pub what: String,
    /// The latest submission when one waits for review (`submitted`) or was returned (`returned`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub submission: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fiscal_year: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fiscal_year_label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certification: Option<CertificateRef>,
    /// For a proof accepted after its deadline: when, and how many days late.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted_on: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_late: Option<i64>,
}

impl Entry {
    fn new(contract: &Contract, deadline: NaiveDate, as_of: NaiveDate, what: String) -> Self {
        let days = (as_of - deadline).num_days();
        Entry {
            contract_id: contract.id,
            contract_number: contract.contract_number.clone(),
            contract_title: contract.title.clone(),
            department_id: contract.department_id,
            department_name: contract.department_name.clone(),
            vendor_id: contract.vendor_id,
            vendor_identifier: contract.vendor_identifier.clone(),
            vendor_name: contract.vendor_name.clone(),
            important: contract.importance == Importance::Important,
            deadline,
            days_overdue: days.max(0),
            days_remaining: (-days).max(0),
            what,
            submission: None,
            fiscal_year: None,
            fiscal_year_label: None,
            certification: None,
            accepted_on: None,
            days_late: None,
        }
    }

    pub fn overdue(&self) -> bool {
        self.days_overdue > 0
    }

    /// 受理待ち / 差戻し, for the pages.
    pub fn submission_label(&self) -> &'static str {
        match self.submission.as_deref() {
            Some("submitted") => "提出済み・受理待ち",
            Some("returned") => "差戻し中",
            _ => "",
        }
    }
}

/// The certificate an entry is about.
#[derive(Debug, Clone, Serialize)]
pub struct CertificateRef {
    pub id: i64,
    pub scheme: Scheme,
    pub scheme_label: &'static str,
    pub number: String,
    pub level: Option<Level>,
    pub valid_until: Option<NaiveDate>,
    pub status: CertStatus,
}

#[derive(Debug, Clone, Serialize)]
pub struct RetentionReport {
    pub as_of: NaiveDate,
    pub violations: Vec<Entry>,
    pub due_soon: Vec<Entry>,
    /// Certificates accepted after the deadline: no longer violations, kept in the history.
    pub resolved_late: Vec<Entry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditsReport {
    pub as_of: NaiveDate,
    pub overdue: Vec<Entry>,
    pub due_soon: Vec<Entry>,
    pub resolved_late: Vec<Entry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CertificationsReport {
    pub as_of: NaiveDate,
    pub expired: Vec<Entry>,
    pub expiring: Vec<Entry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChecklistsReport {
    pub as_of: NaiveDate,
    pub missing: Vec<Entry>,
    pub returned: Vec<Entry>,
}

/// A share of important contracts meeting a goal.
#[derive(Debug, Clone, Serialize)]
pub struct Indicator {
    pub key: &'static str,
    pub label: &'static str,
    pub numerator: usize,
    pub denominator: usize,
    /// `None` when there is nothing to measure.
    pub ratio: Option<f64>,
    pub goal: Option<f64>,
    pub met: Option<bool>,
}

impl Indicator {
    fn new(
        key: &'static str,
        label: &'static str,
        numerator: usize,
        denominator: usize,
        goal: Option<f64>,
    ) -> Self {
        let ratio = (denominator > 0).then(|| numerator as f64 / denominator as f64);
        Indicator {
            key,
            label,
            numerator,
            denominator,
            ratio,
            goal,
            met: goal.zip(ratio).map(|(goal, ratio)| ratio >= goal),
        }
    }

    /// 87.5%, or － when there is nothing to measure.
    pub fn percent(&self) -> String {
        self.ratio
            .map(|r| format!("{:.1}%", r * 100.0))
            .unwrap_or_else(|| "－".into())
    }
    pub fn goal_percent(&self) -> String {
        self.goal
            .map(|g| format!("{:.0}%", g * 100.0))
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Kpi {
    pub as_of: NaiveDate,
    pub fiscal_year: i32,
    pub fiscal_year_label: String,
    /// Important contracts active on `as_of`: the population of every indicator.
    pub important_contracts: usize,
    pub indicators: Vec<Indicator>,
}

/// Counts of what is owed, for one department or vendor.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Tally {
    pub id: i64,
    pub name: String,
    pub retention_violations: usize,
    pub deletions_due_soon: usize,
    pub audits_overdue: usize,
    pub audits_due_soon: usize,
    pub certificates_expired: usize,
    pub certificates_expiring: usize,
    pub checklists_missing: usize,
    pub checklists_returned: usize,
}

impl Tally {
    pub fn total(&self) -> usize {
        self.retention_violations
            + self.deletions_due_soon
            + self.audits_overdue
            + self.audits_due_soon
            + self.certificates_expired
            + self.certificates_expiring
            + self.checklists_missing
            + self.checklists_returned
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub as_of: NaiveDate,
    pub retention: RetentionReport,
    pub audits: AuditsReport,
    pub certifications: CertificationsReport,
    pub checklists: ChecklistsReport,
    pub kpi: Kpi,
    pub by_department: Vec<Tally>,
    pub by_vendor: Vec<Tally>,
}

/// Which count of a tally a list adds to.
type Counter = fn(&mut Tally) -> &mut usize;

/// Everything the reports judge, read once.
struct Facts {
    contracts: Vec<Contract>,
    deletion_accepted: HashMap<i64, NaiveDate>,
    deletion_open: HashMap<i64, String>,
    audit_accepted: HashMap<(i64, i32), NaiveDate>,
    audit_open: HashMap<(i64, i32), String>,
    certifications: HashMap<i64, Vec<Certification>>,
    /// Per contract: (day uploaded in Japan, status), oldest first.
    checklists: HashMap<i64, Vec<(NaiveDate, String)>>,
}

fn date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()
}

/// Which contracts the facts are read for.
enum Reach<'a> {
    Visible(&'a Visibility),
    /// One contract the reader may see, for its own page.
    One(Box<Contract>),
}

async fn facts(conn: &mut Conn, reach: Reach<'_>) -> AppResult<Facts> {
    let (contracts, scope) = match reach {
        Reach::Visible(visibility) => (
            contracts::all_visible(conn, visibility).await?,
            RecordScope::Visible(visibility),
        ),
        Reach::One(contract) => {
            let id = contract.id;
            (vec![*contract], RecordScope::Contract(id))
        }
    };
    let accepted = |rows: Vec<(i64, i64, String)>| -> HashMap<(i64, i32), NaiveDate> {
        rows.into_iter()
            .filter_map(|(contract, year, day)| Some(((contract, year as i32), date(&day)?)))
            .collect()
    };
    let open = |rows: Vec<(i64, i64, String)>| -> HashMap<(i64, i32), String> {
        rows.into_iter()
            .map(|(contract, year, status)| ((contract, year as i32), status))
            .collect()
    };
    let strip =
        |map: HashMap<(i64, i32), NaiveDate>| map.into_iter().map(|((c, _), d)| (c, d)).collect();
    let deletion_accepted = strip(accepted(
        reviews::accepted_dates(conn, Reviewed::DeletionCertificates, scope).await?,
    ));
    let deletion_open =
        open(reviews::open_states(conn, Reviewed::DeletionCertificates, scope).await?)
            .into_iter()
            .map(|((c, _), s)| (c, s))
            .collect();
    let audit_accepted =
        accepted(reviews::accepted_dates(conn, Reviewed::AuditReports, scope).await?);
    let audit_open = open(reviews::open_states(conn, Reviewed::AuditReports, scope).await?);
    let held = match scope {
        RecordScope::Visible(Visibility::Vendor(vendor_id)) => {
            certifications::for_vendor(conn, *vendor_id).await?
        }
        RecordScope::Contract(_) => match contracts.first() {
            Some(contract) => certifications::for_vendor(conn, contract.vendor_id).await?,
            None => Vec::new(),
        },
        RecordScope::Visible(_) => certifications::all(conn).await?,
    };
    let mut by_vendor: HashMap<i64, Vec<Certification>> = HashMap::new();
    // Only what staff verified counts; a declared certificate is neither valid nor expiring here.
    for certification in held.into_iter().filter(|c| c.verification.counts()) {
        by_vendor
            .entry(certification.vendor_id)
            .or_default()
            .push(certification);
    }
    let mut uploads: HashMap<i64, Vec<(NaiveDate, String)>> = HashMap::new();
    for (contract, uploaded_at, status) in checklists::upload_history(conn, scope).await? {
        if let Some(day) = super::japan_date_of(&uploaded_at) {
            uploads.entry(contract).or_default().push((day, status));
        }
    }
    Ok(Facts {
        contracts,
        deletion_accepted,
        deletion_open,
        audit_accepted,
        audit_open,
        certifications: by_vendor,
        checklists: uploads,
    })
}

fn retention(facts: &Facts, settings: &Settings, as_of: NaiveDate) -> RetentionReport {
    let mut report = RetentionReport {
        as_of,
        violations: Vec::new(),
        due_soon: Vec::new(),
        resolved_late: Vec::new(),
    };
    let warn = settings.deletion_due_soon_days.max(0) as u64;
    for contract in &facts.contracts {
        let deadline = contract.deletion_deadline;
        let accepted = facts.deletion_accepted.get(&contract.id).copied();
        let standing = Standing::judge(deadline, accepted, as_of, warn);
        let mut entry = Entry::new(
            contract,
            deadline,
            as_of,
            "契約終了後のデータの返却・消去（データ消去証明書の提出）".into(),
        );
        entry.submission = facts.deletion_open.get(&contract.id).cloned();
        match standing {
            Standing::Overdue { .. } => report.violations.push(entry),
            Standing::DueSoon { .. } => report.due_soon.push(entry),
            Standing::MetLate { days_late } => {
                entry.accepted_on = accepted;
                entry.days_late = Some(days_late);
                entry.submission = None;
                report.resolved_late.push(entry);
            }
            Standing::Open | Standing::Met => {}
        }
    }
    sort_by_lateness(&mut report.violations);
    sort_by_deadline(&mut report.due_soon);
    report
}

fn audits(facts: &Facts, settings: &Settings, as_of: NaiveDate) -> AuditsReport {
    let rule = settings.audit_rule();
    let warn = settings.audit_due_soon_days.max(0) as u64;
    let mut report = AuditsReport {
        as_of,
        overdue: Vec::new(),
        due_soon: Vec::new(),
        resolved_late: Vec::new(),
    };
    for contract in &facts.contracts {
        if !rule.applies_to(contract.importance == Importance::Important) {
            continue;
        }
        for year in rule.years_owed(contract.start_date, contract.end_date, as_of) {
            let key = (contract.id, year.start_year());
            let accepted = facts.audit_accepted.get(&key).copied();
            let deadline = rule.due_date(year);
            let mut entry = Entry::new(
                contract,
                deadline,
                as_of,
                format!("{}の監査報告書の提出", year.label()),
            );
            entry.fiscal_year = Some(year.start_year());
            entry.fiscal_year_label = Some(year.label());
            entry.submission = facts.audit_open.get(&key).cloned();
            match Standing::judge(deadline, accepted, as_of, warn) {
                Standing::Overdue { .. } => report.overdue.push(entry),
                Standing::DueSoon { .. } => report.due_soon.push(entry),
                Standing::MetLate { days_late } => {
                    entry.accepted_on = accepted;
                    entry.days_late = Some(days_late);
                    entry.submission = None;
                    report.resolved_late.push(entry);
                }
                Standing::Open | Standing::Met => {}
            }
        }
    }
    sort_by_lateness(&mut report.overdue);
    sort_by_deadline(&mut report.due_soon);
    report
}

/// A vendor's certificate of a scheme that counts on a day: a valid one expiring last, else the one
/// that expired last (a renewed certificate supersedes the old one).
fn current<'a>(
    certificates: &'a [Certification],
    scheme: Scheme,
    settings: &Settings,
    as_of: NaiveDate,
) -> Option<(&'a Certification, CertStatus)> {
    let windows = settings.expiry_windows();
    certificates
        .iter()
        .filter(|c| c.scheme == scheme)
        .filter(|c| c.issued_on.is_none_or(|issued| issued <= as_of))
        .map(|c| (c, windows.status(c.scheme, c.valid_until, as_of)))
        .max_by_key(|(c, status)| {
            (
                *status != CertStatus::Expired,
                c.valid_until.unwrap_or(NaiveDate::MAX),
                c.level,
            )
        })
}

fn is_active(contract: &Contract, as_of: NaiveDate) -> bool {
    contract.start_date <= as_of && as_of <= contract.end_date
}

fn certificates(facts: &Facts, settings: &Settings, as_of: NaiveDate) -> CertificationsReport {
    let mut report = CertificationsReport {
        as_of,
        expired: Vec::new(),
        expiring: Vec::new(),
    };
    for contract in facts.contracts.iter().filter(|c| is_active(c, as_of)) {
        let held = facts
            .certifications
            .get(&contract.vendor_id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for scheme in Scheme::ALL {
            let Some((certificate, status)) = current(held, scheme, settings, as_of) else {
                continue;
            };
            let Some(valid_until) = certificate.valid_until else {
                continue;
            };
            let what = match status {
                CertStatus::Expired => format!(
                    "{}の認証が期限切れです（更新後の証明書の登録）",
                    scheme.label()
                ),
                _ => format!("{}の認証の更新", scheme.label()),
            };
            let mut entry = Entry::new(contract, valid_until, as_of, what);
            entry.certification = Some(CertificateRef {
                id: certificate.id,
                scheme,
                scheme_label: scheme.label(),
                number: certificate.number.clone(),
                level: certificate.level,
                valid_until: certificate.valid_until,
                status,
            });
            match status {
                CertStatus::Expired => report.expired.push(entry),
                CertStatus::Expiring => report.expiring.push(entry),
                CertStatus::Valid => {}
            }
        }
    }
    sort_by_lateness(&mut report.expired);
    sort_by_deadline(&mut report.expiring);
    report
}

fn check_sheets(facts: &Facts, settings: &Settings, as_of: NaiveDate) -> ChecklistsReport {
    let year = FiscalYear::of(as_of);
    let annual = settings.audit_rule();
    let mut report = ChecklistsReport {
        as_of,
        missing: Vec::new(),
        returned: Vec::new(),
    };
    for contract in facts.contracts.iter().filter(|c| is_active(c, as_of)) {
        let uploads: Vec<&(NaiveDate, String)> = facts
            .checklists
            .get(&contract.id)
            .map(|all| all.iter().filter(|(day, _)| *day <= as_of).collect())
            .unwrap_or_default();
        match uploads.last() {
            None => report.missing.push(Entry::new(
                contract,
                contract.start_date,
                as_of,
                "チェックシートの提出（契約時）".into(),
            )),
            Some((_, status)) if status == "returned" => {
                let mut entry = Entry::new(
                    contract,
                    as_of,
                    as_of,
                    "差し戻されたチェックシートの再提出".into(),
                );
                entry.submission = Some("returned".into());
                report.returned.push(entry);
            }
            Some((day, _))
                if annual.applies_to(contract.importance == Importance::Important)
                    && *day < year.first_day() =>
            {
                let mut entry = Entry::new(
                    contract,
                    year.last_day(),
                    as_of,
                    format!("{}のチェックシートの提出（年次）", year.label()),
                );
                entry.fiscal_year = Some(year.start_year());
                entry.fiscal_year_label = Some(year.label());
                report.missing.push(entry);
            }
            Some(_) => {}
        }
    }
    sort_by_lateness(&mut report.missing);
    report
}

fn kpi(facts: &Facts, settings: &Settings, as_of: NaiveDate) -> Kpi {
    let year = FiscalYear::of(as_of);
    let important: Vec<&Contract> = facts
        .contracts
        .iter()
        .filter(|c| c.importance == Importance::Important && is_active(c, as_of))
        .collect();
    let windows = settings.expiry_windows();
    let holds = |contract: &Contract, test: &dyn Fn(Scheme, Option<Level>) -> bool| {
        facts
            .certifications
            .get(&contract.vendor_id)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter(|c| test(c.scheme, c.level))
            .filter(|c| c.issued_on.is_none_or(|issued| issued <= as_of))
            .any(|c| windows.status(c.scheme, c.valid_until, as_of) != CertStatus::Expired)
    };
    let count = |test: &dyn Fn(&Contract) -> bool| important.iter().filter(|c| test(c)).count();
    let audited = count(&|c| {
        facts
            .audit_accepted
            .get(&(c.id, year.start_year()))
            .is_some_and(|day| *day <= as_of)
    });
    // ★★, or METI's ★3 and above, which build on SECURITY ACTION's two stars.
    let two_stars = count(&|c| {
        holds(c, &|scheme, level| {
            matches!(
                (scheme, level),
                (Scheme::SecurityAction, Some(Level::TwoStars)) | (Scheme::Meti, Some(_))
            )
        })
    });
    let isms = count(&|c| holds(c, &|scheme, _| scheme == Scheme::Isms));
    let pmark = count(&|c| holds(c, &|scheme, _| scheme == Scheme::Pmark));
    let either = count(&|c| {
        holds(c, &|scheme, _| {
            matches!(scheme, Scheme::Isms | Scheme::Pmark)
        })
    });
    let n = important.len();
    Kpi {
        as_of,
        fiscal_year: year.start_year(),
        fiscal_year_label: year.label(),
        important_contracts: n,
        indicators: vec![
            Indicator::new(
                "audit_report_accepted",
                "今年度の監査報告書を受理した重要契約の割合",
                audited,
                n,
                Some(1.0),
            ),
            Indicator::new(
                "security_action_two_stars",
                "委託先がSECURITY ACTION ★★以上の重要契約の割合",
                two_stars,
                n,
                Some(0.8),
            ),
            Indicator::new(
                "isms",
                "委託先がISMS認証を持つ重要契約の割合",
                isms,
                n,
                None,
            ),
            Indicator::new(
                "pmark",
                "委託先がプライバシーマークを持つ重要契約の割合",
                pmark,
                n,
                None,
            ),
            Indicator::new(
                "isms_or_pmark",
                "委託先がISMSまたはプライバシーマークを持つ重要契約の割合",
                either,
                n,
                None,
            ),
        ],
    }
}

fn sort_by_lateness(entries: &mut [Entry]) {
    entries.sort_by(|a, b| {
        b.days_overdue
            .cmp(&a.days_overdue)
            .then_with(|| a.contract_number.cmp(&b.contract_number))
    });
}

fn sort_by_deadline(entries: &mut [Entry]) {
    entries.sort_by(|a, b| {
        a.deadline
            .cmp(&b.deadline)
            .then_with(|| a.contract_number.cmp(&b.contract_number))
    });
}

/// Every report at once, with counts by department and by vendor.
pub async fn dashboard(
    db: &Db,
    settings: &Settings,
    visibility: &Visibility,
    as_of: NaiveDate,
) -> AppResult<Dashboard> {
    let facts = facts(&mut *db.acquire().await?, Reach::Visible(visibility)).await?;
    // Judging every contract is seconds of CPU at prefecture scale; a request thread would stall
    // every other request meanwhile.
    let settings = settings.clone();
    tokio::task::spawn_blocking(move || assemble(&facts, &settings, as_of))
        .await
        .map_err(|e| crate::error::AppError::Internal(e.to_string()))
}

/// What one contract owes on `as_of`, judged as the dashboard judges it but reading only its records.
pub async fn owed_by(
    db: &Db,
    settings: &Settings,
    contract: Contract,
    as_of: NaiveDate,
) -> AppResult<Vec<Entry>> {
    let facts = facts(&mut *db.acquire().await?, Reach::One(Box::new(contract))).await?;
    let dashboard = assemble(&facts, settings, as_of);
    Ok(todo_list(&dashboard).into_iter().cloned().collect())
}

fn assemble(facts: &Facts, settings: &Settings, as_of: NaiveDate) -> Dashboard {
    let retention = retention(facts, settings, as_of);
    let audits = audits(facts, settings, as_of);
    let certifications = certificates(facts, settings, as_of);
    let checklists = check_sheets(facts, settings, as_of);
    let kpi = kpi(facts, settings, as_of);
    let mut departments: BTreeMap<i64, Tally> = BTreeMap::new();
    let mut vendors: BTreeMap<i64, Tally> = BTreeMap::new();
    let lists: [(&[Entry], Counter); 8] = [
        (&retention.violations, |t| &mut t.retention_violations),
        (&retention.due_soon, |t| &mut t.deletions_due_soon),
        (&audits.overdue, |t| &mut t.audits_overdue),
        (&audits.due_soon, |t| &mut t.audits_due_soon),
        (&certifications.expired, |t| &mut t.certificates_expired),
        (&certifications.expiring, |t| &mut t.certificates_expiring),
        (&checklists.missing, |t| &mut t.checklists_missing),
        (&checklists.returned, |t| &mut t.checklists_returned),
    ];
    for (entries, counter) in lists {
        for entry in entries {
            let department = departments
                .entry(entry.department_id)
                .or_insert_with(|| Tally {
                    id: entry.department_id,
                    name: entry.department_name.clone(),
                    ..Default::default()
                });
            *counter(department) += 1;
            let vendor = vendors.entry(entry.vendor_id).or_insert_with(|| Tally {
                id: entry.vendor_id,
                name: entry.vendor_name.clone(),
                ..Default::default()
            });
            *counter(vendor) += 1;
        }
    }
    let ranked = |map: BTreeMap<i64, Tally>| {
        let mut tallies: Vec<Tally> = map.into_values().collect();
        tallies.sort_by(|a, b| {
            (b.retention_violations, b.audits_overdue, b.total())
                .cmp(&(a.retention_violations, a.audits_overdue, a.total()))
                .then_with(|| a.name.cmp(&b.name))
        });
        tallies
    };
    Dashboard {
        as_of,
        by_department: ranked(departments),
        by_vendor: ranked(vendors),
        retention,
        audits,
        certifications,
        checklists,
        kpi,
    }
}

/// What a vendor (or anyone limited to some contracts) still has to do on `as_of`, soonest first.
pub fn todo_list(dashboard: &Dashboard) -> Vec<&Entry> {
    let mut items: Vec<&Entry> = dashboard
        .retention
        .violations
        .iter()
        .chain(&dashboard.retention.due_soon)
        .chain(&dashboard.audits.overdue)
        .chain(&dashboard.audits.due_soon)
        .chain(&dashboard.certifications.expired)
        .chain(&dashboard.certifications.expiring)
        .chain(&dashboard.checklists.missing)
        .chain(&dashboard.checklists.returned)
        .collect();
    items.sort_by(|a, b| {
        a.deadline
            .cmp(&b.deadline)
            .then_with(|| a.contract_number.cmp(&b.contract_number))
    });
    // A certificate is the vendor's, not the contract's: list it once.
    let mut seen = std::collections::HashSet::new();
    items.retain(|e| match &e.certification {
        Some(c) => seen.insert(c.id),
        None => true,
    });
    items
}

/// The reports one can ask for by name (`itaku report <kind>`, `/api/v1/reports/<kind>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum ReportKind {
    Retention,
    Audits,
    Certifications,
    Checklists,
    Kpi,
    /// Everything on the CISO's dashboard.
    All,
}

impl ReportKind {
    pub fn parse(name: &str) -> Option<Self> {
        <Self as clap::ValueEnum>::from_str(name, true).ok()
    }
    pub fn name(self) -> &'static str {
        match self {
            ReportKind::Retention => "retention",
            ReportKind::Audits => "audits",
            ReportKind::Certifications => "certifications",
            ReportKind::Checklists => "checklists",
            ReportKind::Kpi => "kpi",
            ReportKind::All => "all",
        }
    }
    pub fn title(self) -> &'static str {
        match self {
            ReportKind::Retention => "データ消去（保持期限超過・期限間近）",
            ReportKind::Audits => "監査報告書（期限超過・期限間近）",
            ReportKind::Certifications => "認証（期限切れ・期限間近）",
            ReportKind::Checklists => "チェックシート（未提出・差戻し）",
            ReportKind::Kpi => "重点指標（KPI）",
            ReportKind::All => "委託先セキュリティ状況",
        }
    }
}

/// Which items of each list a JSON report carries: at prefecture scale a list holds tens of thousands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub offset: usize,
    pub limit: usize,
}

impl Window {
    pub const ALL: Window = Window {
        offset: 0,
        limit: usize::MAX,
    };

    fn cut<'a, T>(&self, list: &'a [T]) -> &'a [T] {
        let start = self.offset.min(list.len());
        &list[start..start.saturating_add(self.limit).min(list.len())]
    }
}

impl RetentionReport {
    fn lists(&self) -> Vec<(&'static str, &[Entry])> {
        vec![
            ("violations", &self.violations),
            ("due_soon", &self.due_soon),
            ("resolved_late", &self.resolved_late),
        ]
    }
}

impl AuditsReport {
    fn lists(&self) -> Vec<(&'static str, &[Entry])> {
        vec![
            ("overdue", &self.overdue),
            ("due_soon", &self.due_soon),
            ("resolved_late", &self.resolved_late),
        ]
    }
}

impl CertificationsReport {
    fn lists(&self) -> Vec<(&'static str, &[Entry])> {
        vec![("expired", &self.expired), ("expiring", &self.expiring)]
    }
}

impl ChecklistsReport {
    fn lists(&self) -> Vec<(&'static str, &[Entry])> {
        vec![("missing", &self.missing), ("returned", &self.returned)]
    }
}

type JsonResult = Result<serde_json::Value, serde_json::Error>;

/// `{as_of, <list>: [window of it]…, totals: {<list>: full length…}}`.
fn windowed<T: Serialize>(
    as_of: NaiveDate,
    lists: Vec<(&str, &[T])>,
    window: Window,
) -> JsonResult {
    let mut object = serde_json::Map::new();
    let mut totals = serde_json::Map::new();
    object.insert("as_of".into(), serde_json::to_value(as_of)?);
    for (name, list) in lists {
        object.insert(name.into(), serde_json::to_value(window.cut(list))?);
        totals.insert(name.into(), list.len().into());
    }
    object.insert("totals".into(), totals.into());
    Ok(object.into())
}

/// A report of a judged dashboard as JSON, the shape scripts and schedulers read; each list is cut
/// to `window` and `totals` gives its full length.
pub fn to_json(
    dashboard: &Dashboard,
    kind: ReportKind,
    window: Window,
) -> AppResult<serde_json::Value> {
    let d = dashboard;
    let value = match kind {
        ReportKind::Retention => windowed(d.as_of, d.retention.lists(), window),
        ReportKind::Audits => windowed(d.as_of, d.audits.lists(), window),
        ReportKind::Certifications => windowed(d.as_of, d.certifications.lists(), window),
        ReportKind::Checklists => windowed(d.as_of, d.checklists.lists(), window),
        ReportKind::Kpi => serde_json::to_value(&d.kpi),
        ReportKind::All => (|| {
            let mut all = windowed(
                d.as_of,
                vec![
                    ("by_department", &d.by_department[..]),
                    ("by_vendor", &d.by_vendor[..]),
                ],
                window,
            )?;
            let sections = [
                ("retention", windowed(d.as_of, d.retention.lists(), window)?),
                ("audits", windowed(d.as_of, d.audits.lists(), window)?),
                (
                    "certifications",
                    windowed(d.as_of, d.certifications.lists(), window)?,
                ),
                (
                    "checklists",
                    windowed(d.as_of, d.checklists.lists(), window)?,
                ),
                ("kpi", serde_json::to_value(&d.kpi)?),
            ];
            for (name, section) in sections {
                all[name] = section;
            }
            Ok(all)
        })(),
    };
    value.map_err(|e| crate::error::AppError::Internal(e.to_string()))
}

/// A report as .xlsx; the export is logged.
pub async fn export(
    db: &Db,
    actor: &crate::auth::Actor,
    all: std::sync::Arc<Dashboard>,
    judged_at: chrono::DateTime<chrono::Utc>,
    kind: ReportKind,
) -> AppResult<Vec<u8>> {
    let as_of = all.as_of;
    let bytes = workbook_of(all, judged_at, kind).await?;
    log_export(db, actor, as_of, judged_at, kind).await?;
    Ok(bytes)
}

/// A report workbook of a judgement whose data was read at `judged_at`.
pub async fn workbook_of(
    all: std::sync::Arc<Dashboard>,
    judged_at: chrono::DateTime<chrono::Utc>,
    kind: ReportKind,
) -> AppResult<Vec<u8>> {
    let stamp = super::japan_moment(judged_at);
    // Seconds of CPU at prefecture scale: off the threads that answer requests.
    tokio::task::spawn_blocking(move || workbook(&all, &stamp, kind))
        .await
        .map_err(|e| crate::error::AppError::Internal(e.to_string()))?
}

/// Records who took which report of which judgement.
pub async fn log_export(
    db: &Db,
    actor: &crate::auth::Actor,
    as_of: NaiveDate,
    judged_at: chrono::DateTime<chrono::Utc>,
    kind: ReportKind,
) -> AppResult<()> {
    let judged_at = super::japan_moment(judged_at);
    super::audit::record_alone(
        db,
        actor,
        super::audit::Event::new(
            "export",
            "report",
            kind.name(),
            format!(
                "{}を出力（基準日 {as_of}、{judged_at}時点の集計）",
                kind.title()
            ),
        ),
    )
    .await?;
    Ok(())
}

fn workbook(all: &Dashboard, judged_at: &str, kind: ReportKind) -> AppResult<Vec<u8>> {
    use crate::excel::writer::{self, ReportSheet};
    let as_of = all.as_of;
    let lists = |kind: ReportKind| -> Vec<ReportSheet> {
        match kind {
            ReportKind::Retention => vec![
                ReportSheet {
                    name: "保持期限超過",
                    entries: &all.retention.violations,
                },
                ReportSheet {
                    name: "消去期限間近",
                    entries: &all.retention.due_soon,
                },
                ReportSheet {
                    name: "消去証明 期限後受理",
                    entries: &all.retention.resolved_late,
                },
            ],
            ReportKind::Audits => vec![
                ReportSheet {
                    name: "監査報告書 期限超過",
                    entries: &all.audits.overdue,
                },
                ReportSheet {
                    name: "監査報告書 期限間近",
                    entries: &all.audits.due_soon,
                },
                ReportSheet {
                    name: "監査報告書 期限後受理",
                    entries: &all.audits.resolved_late,
                },
            ],
            ReportKind::Certifications => vec![
                ReportSheet {
                    name: "認証 期限切れ",
                    entries: &all.certifications.expired,
                },
                ReportSheet {
                    name: "認証 期限間近",
                    entries: &all.certifications.expiring,
                },
            ],
            ReportKind::Checklists => vec![
                ReportSheet {
                    name: "チェックシート未提出",
                    entries: &all.checklists.missing,
                },
                ReportSheet {
                    name: "チェックシート差戻し",
                    entries: &all.checklists.returned,
                },
            ],
            ReportKind::Kpi | ReportKind::All => Vec::new(),
        }
    };
    let sheets: Vec<ReportSheet> = match kind {
        ReportKind::All => [
            ReportKind::Retention,
            ReportKind::Audits,
            ReportKind::Certifications,
            ReportKind::Checklists,
        ]
        .into_iter()
        .flat_map(lists)
        .collect(),
        other => lists(other),
    };
    let indicators: &[Indicator] = match kind {
        ReportKind::Kpi | ReportKind::All => &all.kpi.indicators,
        _ => &[],
    };
    writer::report(kind.title(), as_of, judged_at, &sheets, indicators)
        .map_err(|e| crate::error::AppError::Internal(e.to_string()))
}
