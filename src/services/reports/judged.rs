//! The dashboard of a day, assembled from the standings (`db::standings::judged`): every list is an
//! indexed query of the rows its day can list, read in one snapshot of the data, so a figure is the
//! data's as of the request on every server sharing the database.

use super::{
    AuditsReport, By, CertificationsReport, ChecklistsReport, ClausesReport, ContactsReport,
    CorrectiveReport, Counter, Dashboard, Entry, IncidentsReport, MissingChecklists, ReportKind,
    RetentionReport, StarReport, SubcontractingReport, SuspensionsReport, Tallied, Tally, Tallying,
    Totals, Window,
};
use crate::config::Settings;
use crate::db::certifications::{self, Certification};
use crate::db::contracts::{Contract, ContractHeading, RecordScope, Visibility};
use crate::db::kept_reads::Reads;
use crate::db::standings::judged::{self, List, Listed};
use crate::db::{Conn, Db};
use crate::domain::certification::CertStatus;
use crate::domain::obligation::Rules;
use crate::domain::FiscalYear;
use crate::error::AppResult;
use crate::judging;
use chrono::{Days, NaiveDate};
use std::collections::HashMap;
use std::sync::Arc;

/// The report `kind` for what `visibility` may see, each of its lists read in `window` with its full
/// length. Only what the report shows is judged: `ReportKind::All` is every report at once with the
/// counts by department and by vendor (the dashboard); another kind leaves the other reports empty.
pub async fn dashboard(
    db: &Db,
    settings: &Settings,
    visibility: &Visibility,
    as_of: NaiveDate,
    kind: ReportKind,
    window: Window,
) -> AppResult<Dashboard> {
    let mut snapshot = db.begin_snapshot().await?;
    let kept = Kept::of(&mut snapshot, db).await?;
    let part = Part::of(kind, window);
    let dashboard = judge_visible(&mut snapshot, &kept, settings, visibility, as_of, part).await?;
    snapshot.rollback().await?;
    Ok(dashboard)
}

/// What a reader may reuse: the kept certificates and query results, as of its snapshot.
pub(super) struct Kept<'a> {
    certifications: &'a certifications::KeptAll,
    reads: Reads<'a>,
}

impl<'a> Kept<'a> {
    /// What is kept at the versions of the snapshot `conn` is in.
    pub(super) async fn of(conn: &mut Conn, db: &'a Db) -> AppResult<Kept<'a>> {
        Ok(Kept {
            certifications: &db.certifications,
            reads: Reads::of(conn, &db.reads).await?,
        })
    }

    pub(super) fn reads(&self) -> &Reads<'a> {
        &self.reads
    }
}

/// `dashboard`, read in the snapshot `conn` is in.
pub(super) async fn judge_visible(
    conn: &mut Conn,
    kept: &Kept<'_>,
    settings: &Settings,
    visibility: &Visibility,
    as_of: NaiveDate,
    part: Part,
) -> AppResult<Dashboard> {
    let held = match reads_certificates(part.kind) {
        true => held_by(conn, kept, visibility).await?,
        false => Arc::default(),
    };
    let certified = certified(kept, held, &settings.obligation_rules(), as_of);
    let scope = RecordScope::Visible(visibility);
    judge(conn, &kept.reads, settings, scope, &certified, as_of, part).await
}

/// The certificates `held` as judged on `as_of`: the judgement kept with them when they are the ones
/// kept, else made (and kept, when they are).
pub(super) fn certified(
    kept: &Kept<'_>,
    held: Arc<Vec<Certification>>,
    rules: &Rules,
    as_of: NaiveDate,
) -> Arc<judging::Certified> {
    let windows = rules.expiry;
    if let Some(certified) = kept.certifications.derived::<judging::Certified>() {
        if certified.judges(&held, &windows, as_of) {
            return certified;
        }
    }
    let certified = Arc::new(judging::Certified::on(held.clone(), windows, as_of));
    kept.certifications.keep_derived(&held, certified.clone());
    certified
}

/// The certificates of the vendors `visibility` covers.
pub(super) async fn held_by(
    conn: &mut Conn,
    kept: &Kept<'_>,
    visibility: &Visibility,
) -> AppResult<Arc<Vec<Certification>>> {
    Ok(match visibility {
        Visibility::Vendor(vendor_id) => {
            Arc::new(certifications::for_vendor(conn, *vendor_id).await?)
        }
        _ => certifications::all_kept(conn, kept.certifications, &kept.reads).await?,
    })
}

/// What one contract owes on `as_of`, judged as the dashboard judges it.
pub async fn owed_by(
    db: &Db,
    settings: &Settings,
    contract: Contract,
    as_of: NaiveDate,
) -> AppResult<Vec<Entry>> {
    let mut snapshot = db.begin_snapshot().await?;
    let held = certifications::for_vendor(&mut snapshot, contract.vendor_id).await?;
    let windows = settings.obligation_rules().expiry;
    let certified = judging::Certified::on(Arc::new(held), windows, as_of);
    let scope = RecordScope::Contract(contract.id);
    let part = Part::entries_alone();
    let reads = Reads::none();
    let dashboard = judge(
        &mut snapshot,
        &reads,
        settings,
        scope,
        &certified,
        as_of,
        part,
    )
    .await?;
    snapshot.rollback().await?;
    Ok(judging::todo_list(&dashboard)
        .into_iter()
        .cloned()
        .collect())
}

/// What of the dashboard is judged: the lists of one report (or all of them), each read in a window,
/// and how many of the tallies by department and vendor are ranked.
#[derive(Clone, Copy)]
pub(super) struct Part {
    kind: ReportKind,
    window: Window,
    ranked: usize,
}

impl Part {
    /// The lists in `window`, and the tallies as far as it reaches.
    pub(super) fn of(kind: ReportKind, window: Window) -> Self {
        let ranked = window.end();
        Part {
            kind,
            window,
            ranked,
        }
    }

    /// Every count and every tally, no list's entry: the frame a report's entries are streamed into.
    pub(super) fn frame(kind: ReportKind) -> Self {
        Part {
            kind,
            window: Window::first(0),
            ranked: usize::MAX,
        }
    }

    /// Every entry of every list, and no tally: what one contract owes, where counting by
    /// department and vendor (twenty grouped statements) would tell nothing.
    fn entries_alone() -> Self {
        Part {
            kind: ReportKind::All,
            window: Window::ALL,
            ranked: 0,
        }
    }

    fn whole(self) -> bool {
        self.kind == ReportKind::All
    }
    /// Whether every entry is read and no tally ranked: each list's length is then its total, and
    /// nothing needs counting.
    fn entries_only(self) -> bool {
        self.window == Window::ALL && self.ranked == 0
    }
    fn shows(self, kind: ReportKind) -> bool {
        self.whole() || self.kind == kind
    }
}

/// The lists a report shows (its workbook's sheets).
fn lists_of(kind: ReportKind) -> &'static [List] {
    match kind {
        ReportKind::Retention => &[
            List::RetentionViolations,
            List::DeletionsDueSoon,
            List::DeletionsResolvedLate,
        ],
        ReportKind::Audits => &[
            List::AuditsOverdue,
            List::AuditsDueSoon,
            List::AuditsResolvedLate,
        ],
        ReportKind::Certifications => &[
            List::DeclarationsUnconfirmed,
            List::StarShortfall,
            List::SuspendedVendors,
            List::ContactsMissing,
        ],
        ReportKind::Checklists => &[
            List::ChecklistsMissing,
            List::YearlyChecklistsMissing,
            List::ChecklistsReturned,
        ],
        ReportKind::Subcontracting => &[List::UnapprovedSubcontracting],
        ReportKind::Corrective => &[List::CorrectiveOverdue, List::CorrectiveDue],
        ReportKind::Clauses => &[List::ClausesOverdue, List::ClausesDueSoon],
        ReportKind::Incidents | ReportKind::Kpi => &[],
        ReportKind::All => &List::ALL,
    }
}

/// Whether the report reads the vendors' certificates (their lists, or the KPIs' shares).
fn reads_certificates(kind: ReportKind) -> bool {
    matches!(
        kind,
        ReportKind::All | ReportKind::Certifications | ReportKind::Kpi
    )
}

/// The tally count each list adds to; resolved-late lists are history and add to none.
fn counter(list: List) -> Option<Counter> {
    let counter: Counter = match list {
        List::RetentionViolations => |t| &mut t.retention_violations,
        List::DeletionsDueSoon => |t| &mut t.deletions_due_soon,
        List::AuditsOverdue => |t| &mut t.audits_overdue,
        List::AuditsDueSoon => |t| &mut t.audits_due_soon,
        List::ChecklistsMissing | List::YearlyChecklistsMissing => |t| &mut t.checklists_missing,
        List::ChecklistsReturned => |t| &mut t.checklists_returned,
        List::UnapprovedSubcontracting => |t| &mut t.unapproved_subcontracting,
        List::CorrectiveOverdue => |t| &mut t.corrective_overdue,
        List::CorrectiveDue => |t| &mut t.corrective_due,
        List::ClausesOverdue => |t| &mut t.clauses_overdue,
        List::ClausesDueSoon => |t| &mut t.clauses_due_soon,
        List::StarShortfall => |t| &mut t.star_shortfall,
        List::SuspendedVendors => |t| &mut t.suspended,
        List::ContactsMissing => |t| &mut t.contacts_missing,
        List::DeclarationsUnconfirmed => |t| &mut t.declarations_unconfirmed,
        List::DeletionsResolvedLate | List::AuditsResolvedLate => return None,
    };
    Some(counter)
}

/// Each list's window of entries and its full length; for the whole dashboard, its counts by
/// department and vendor too.
async fn read_lists(
    conn: &mut Conn,
    reads: &Reads<'_>,
    scope: RecordScope<'_>,
    rules: &Rules,
    as_of: NaiveDate,
    part: Part,
    tallying: &mut Tallying,
) -> AppResult<HashMap<List, (Vec<Entry>, usize)>> {
    if let (RecordScope::Contract(id), true) = (scope, part.entries_only()) {
        let read = judged::listed_for_contract(conn, id, lists_of(part.kind), as_of, rules).await?;
        return Ok(read
            .into_iter()
            .map(|(list, rows)| {
                let entries: Vec<Entry> = rows.into_iter().map(|r| entry(list, r, as_of)).collect();
                let total = entries.len();
                (list, (entries, total))
            })
            .collect());
    }
    let limit = i64::try_from(part.window.end()).ok();
    let mut lists: HashMap<List, (Vec<Entry>, usize)> = HashMap::new();
    for &list in lists_of(part.kind) {
        let rows = judged::listed(conn, reads, scope, list, as_of, rules, limit).await?;
        let entries = rows
            .into_iter()
            .map(|row| entry(list, row, as_of))
            .collect();
        lists.insert(list, (entries, 0));
    }
    if part.entries_only() {
        for (entries, total) in lists.values_mut() {
            *total = entries.len();
        }
        return Ok(lists);
    }
    let totals = if part.whole() {
        tally(conn, reads, scope, rules, as_of, tallying).await?
    } else {
        judged::totals(conn, reads, scope, lists_of(part.kind), as_of, rules).await?
    };
    for (list, n) in totals {
        if let Some((_, total)) = lists.get_mut(&list) {
            *total = n as usize;
        }
    }
    Ok(lists)
}

/// The counts by department and vendor of what `counted` counted, and the lists' totals: kept
/// between dashboards, so that after a write only the departments and vendors it touched are
/// counted again, not every vendor's counts walked.
struct KeptTallies {
    counted: judged::Counted,
    tallying: Tallying,
    totals: Vec<(List, i64)>,
}

/// Counts each department's and vendor's contracts on each list into `tallying`; returns how many
/// contracts are on each list.
async fn tally(
    conn: &mut Conn,
    reads: &Reads<'_>,
    scope: RecordScope<'_>,
    rules: &Rules,
    as_of: NaiveDate,
    tallying: &mut Tallying,
) -> AppResult<Vec<(List, i64)>> {
    let counted = judged::counted(conn, reads, scope, as_of, rules).await?;
    let key = counted.key();
    let brought_forward = reads.take_derived::<KeptTallies>(key).and_then(|mut kept| {
        let tallying = &mut kept.tallying;
        let add = |by, counts: &[(List, i64)]| add_counts(tallying, by, counts);
        let since = counted.since(&kept.counted, &mut kept.totals, add);
        since.then_some(kept)
    });
    let kept = match brought_forward {
        Some(kept) => KeptTallies { counted, ..kept },
        None => {
            let mut counting = Tallying::default();
            let (departments, vendors) = counted.most_groups();
            counting.reserve(departments, vendors);
            let totals = counted.each(|by, counts| add_counts(&mut counting, by, counts));
            KeptTallies {
                counted,
                tallying: counting,
                totals,
            }
        }
    };
    if !reads.keeps() {
        *tallying = kept.tallying;
        return Ok(kept.totals);
    }
    *tallying = kept.tallying.copy_with_room();
    let totals = kept.totals.clone();
    let size = kept.tallying.size();
    reads.keep_derived(key, kept, size);
    Ok(totals)
}

/// Adds a department's or vendor's counts of some lists (negative: taken away) to its tally.
fn add_counts(tallying: &mut Tallying, by: By, counts: &[(List, i64)]) {
    let mut tallied = (counts.iter())
        .filter_map(|&(list, n)| Some((counter(list)?, n as isize)))
        .peekable();
    // Resolved-late lists add to no count: a department or vendor with only those has no tally.
    if tallied.peek().is_some() {
        let tally = tallying.of(by);
        for (counter, n) in tallied {
            let count = counter(tally);
            *count = count.saturating_add_signed(n);
        }
    }
}

async fn judge(
    conn: &mut Conn,
    reads: &Reads<'_>,
    settings: &Settings,
    scope: RecordScope<'_>,
    certified: &judging::Certified,
    as_of: NaiveDate,
    part: Part,
) -> AppResult<Dashboard> {
    let rules = settings.obligation_rules();
    let window = part.window;
    let mut tallying = Tallying::default();
    let mut lists = read_lists(conn, reads, scope, &rules, as_of, part, &mut tallying).await?;
    let mut take = |list| lists.remove(&list).unwrap_or_default();
    let (violations, retention_violations) = take(List::RetentionViolations);
    let (due_soon, deletions_due_soon) = take(List::DeletionsDueSoon);
    let (resolved_late, deletions_resolved_late) = take(List::DeletionsResolvedLate);
    let retention = RetentionReport {
        as_of,
        violations: window.cut(violations),
        due_soon: window.cut(due_soon),
        resolved_late: window.cut(resolved_late),
    };
    let (overdue, audits_overdue) = take(List::AuditsOverdue);
    let (due_soon, audits_due_soon) = take(List::AuditsDueSoon);
    let (resolved_late, audits_resolved_late) = take(List::AuditsResolvedLate);
    let audits = AuditsReport {
        as_of,
        overdue: window.cut(overdue),
        due_soon: window.cut(due_soon),
        resolved_late: window.cut(resolved_late),
    };
    let (first, first_missing) = take(List::ChecklistsMissing);
    let (yearly, yearly_missing) = take(List::YearlyChecklistsMissing);
    let missing = MissingChecklists::merged(first, yearly);
    let (returned, checklists_returned) = take(List::ChecklistsReturned);
    let checklists = ChecklistsReport {
        as_of,
        missing: window.cut(missing),
        returned: window.cut(returned),
    };
    let (certifications, certificates_expired, certificates_expiring) =
        if part.shows(ReportKind::Certifications) {
            let holdings = holdings(conn, reads, scope, &rules, as_of).await?;
            let ending = ending(&holdings, certified, window.end());
            certificates(conn, reads, ending, window, as_of, &mut tallying).await?
        } else {
            (CertificationsReport::empty(as_of), 0, 0)
        };
    let mut totals = Totals {
        retention_violations,
        deletions_due_soon,
        deletions_resolved_late,
        audits_overdue,
        audits_due_soon,
        audits_resolved_late,
        certificates_expired,
        certificates_expiring,
        checklists_missing: first_missing + yearly_missing,
        checklists_returned,
        ..Totals::default()
    };
    let custody = custody(&mut take, &mut totals, window, as_of);
    let incidents = match part.shows(ReportKind::Incidents) {
        true => incidents_on(conn, scope, as_of).await?,
        false => IncidentsReport::of(Vec::new(), as_of),
    };
    let important = match part.shows(ReportKind::Kpi) {
        true => judged::important_active(conn, reads, scope, as_of).await?,
        false => judged::ImportantActive::default(),
    };
    let kpi = judging::kpi(&important, certified, as_of);
    let (by_department, by_vendor, tallied) = tallied(conn, reads, tallying, part.ranked).await?;
    Ok(Dashboard {
        as_of,
        judged: part.kind,
        totals,
        retention,
        audits,
        certifications: CertificationsReport {
            unconfirmed: custody.declarations,
            ..certifications
        },
        checklists,
        subcontracting: custody.subcontracting,
        corrective: custody.corrective,
        clauses: custody.clauses,
        incidents,
        star: custody.star,
        suspensions: custody.suspensions,
        contacts: custody.contacts,
        kpi,
        by_department,
        by_vendor,
        tallied,
    })
}

/// The lists of the chain of custody: subcontractors, corrective actions, the clauses' submissions
/// and the ★ level.
struct Custody {
    subcontracting: SubcontractingReport,
    corrective: CorrectiveReport,
    clauses: ClausesReport,
    star: StarReport,
    suspensions: SuspensionsReport,
    contacts: ContactsReport,
    declarations: Vec<Entry>,
}

/// Takes the custody lists out of those read, adding their full lengths to `totals`.
fn custody(
    take: &mut impl FnMut(List) -> (Vec<Entry>, usize),
    totals: &mut Totals,
    window: Window,
    as_of: NaiveDate,
) -> Custody {
    let (unapproved, count) = take(List::UnapprovedSubcontracting);
    totals.unapproved_subcontracting = count;
    let (overdue, count) = take(List::CorrectiveOverdue);
    totals.corrective_overdue = count;
    let (due, count) = take(List::CorrectiveDue);
    totals.corrective_due = count;
    let corrective = CorrectiveReport {
        as_of,
        overdue: window.cut(overdue),
        due: window.cut(due),
    };
    let (overdue, count) = take(List::ClausesOverdue);
    totals.clauses_overdue = count;
    let (due_soon, count) = take(List::ClausesDueSoon);
    totals.clauses_due_soon = count;
    let clauses = ClausesReport {
        as_of,
        overdue: window.cut(overdue),
        due_soon: window.cut(due_soon),
    };
    let (shortfall, count) = take(List::StarShortfall);
    totals.star_shortfall = count;
    let (suspended, count) = take(List::SuspendedVendors);
    totals.suspended = count;
    let (missing, count) = take(List::ContactsMissing);
    totals.contacts_missing = count;
    let (declarations, count) = take(List::DeclarationsUnconfirmed);
    totals.declarations_unconfirmed = count;
    Custody {
        subcontracting: SubcontractingReport {
            as_of,
            unapproved: window.cut(unapproved),
        },
        corrective,
        clauses,
        star: StarReport {
            as_of,
            shortfall: window.cut(shortfall),
        },
        suspensions: SuspensionsReport {
            as_of,
            active: window.cut(suspended),
        },
        contacts: ContactsReport {
            as_of,
            missing: window.cut(missing),
        },
        declarations: window.cut(declarations),
    }
}

/// The incidents reported by the end of `as_of` that `scope` covers (none for a single contract's list).
async fn incidents_on(
    conn: &mut Conn,
    scope: RecordScope<'_>,
    as_of: NaiveDate,
) -> AppResult<IncidentsReport> {
    let reported = match scope {
        RecordScope::Visible(visibility) => {
            let until = crate::domain::incident::end_of_day(as_of);
            crate::db::incidents::reported_by(conn, visibility, until).await?
        }
        RecordScope::Contract(_) => Vec::new(),
    };
    Ok(IncidentsReport::of(reported, as_of))
}

/// The first `first` of the counts by department and of those by vendor, named and ranked, and how
/// many there are.
async fn tallied(
    conn: &mut Conn,
    reads: &Reads<'_>,
    tallying: Tallying,
    first: usize,
) -> AppResult<(Vec<Tally>, Vec<Tally>, Tallied)> {
    let departments = crate::db::departments::names(conn, reads).await?;
    let vendors = crate::db::vendors::names_of(conn, reads, tallying.vendors()).await?;
    let names = judging::Names {
        departments: &departments,
        vendors: &vendors,
    };
    Ok(tallying.ranked(&names, first))
}

/// The entry a row of `list` makes, in the words the reports use.
pub(super) fn entry(list: List, row: Listed, as_of: NaiveDate) -> Entry {
    let year = row
        .fiscal_year
        .and_then(|year| FiscalYear::new(year as i32));
    let (deadline, what) = match list {
        List::RetentionViolations | List::DeletionsDueSoon | List::DeletionsResolvedLate => (
            row.deadline,
            "契約終了後のデータの返却・消去（データ消去証明書の提出）".to_string(),
        ),
        List::AuditsOverdue | List::AuditsDueSoon | List::AuditsResolvedLate => (
            row.deadline,
            format!(
                "{}の監査報告書の提出",
                year.map(FiscalYear::label).unwrap_or_default()
            ),
        ),
        List::ChecklistsMissing => (row.deadline, "チェックシートの提出（契約時）".to_string()),
        List::YearlyChecklistsMissing => {
            let this_year = FiscalYear::of(as_of);
            (
                this_year.last_day(),
                format!("{}のチェックシートの提出（年次）", this_year.label()),
            )
        }
        List::ChecklistsReturned => (
            row.deadline,
            "差し戻されたチェックシートの再提出".to_string(),
        ),
        List::UnapprovedSubcontracting => (
            row.deadline,
            format!(
                "無承認の再委託（{}）",
                row.subject.as_deref().unwrap_or_default()
            ),
        ),
        List::StarShortfall => (
            row.deadline,
            format!(
                "★レベル不足（{}）",
                row.subject.as_deref().unwrap_or_default()
            ),
        ),
        List::ContactsMissing => {
            use crate::domain::incident_contact::Gap;
            use crate::domain::obligation::yearly_confirmation_due;
            let year = FiscalYear::of(as_of);
            match row.subject.as_deref().and_then(Gap::from_code) {
                Some(Gap::Unconfirmed) | None => (
                    yearly_confirmation_due(year, row.deadline),
                    Gap::Unconfirmed.label(year),
                ),
                Some(gap) => (row.deadline, gap.label(year)),
            }
        }
        List::DeclarationsUnconfirmed => {
            let year = FiscalYear::of(as_of);
            (
                crate::domain::obligation::yearly_confirmation_due(year, year.first_day()),
                format!(
                    "SECURITY ACTION 自己宣言の年次確認（{}、{}）",
                    year.label(),
                    row.subject.as_deref().unwrap_or_default()
                ),
            )
        }
        List::SuspendedVendors => (
            row.deadline,
            format!(
                "委託先が指名停止中（{}）",
                row.subject.as_deref().unwrap_or_default()
            ),
        ),
        List::ClausesOverdue | List::ClausesDueSoon => {
            (row.deadline, row.subject.clone().unwrap_or_default())
        }
        List::CorrectiveOverdue | List::CorrectiveDue => (
            row.deadline,
            format!("是正（{}）", row.subject.as_deref().unwrap_or_default()),
        ),
    };
    let mut entry = Entry::new(row.contract, deadline, as_of, what);
    entry.fiscal_year = year.map(FiscalYear::start_year);
    entry.fiscal_year_label = year.map(FiscalYear::label);
    match list {
        List::DeletionsResolvedLate | List::AuditsResolvedLate => {
            entry.accepted_on = row.accepted_on;
            entry.days_late = row.accepted_on.map(|day| (day - deadline).num_days());
        }
        List::YearlyChecklistsMissing => {
            let this_year = FiscalYear::of(as_of);
            entry.fiscal_year = Some(this_year.start_year());
            entry.fiscal_year_label = Some(this_year.label());
        }
        _ => entry.submission = row.submission,
    }
    entry
}

/// An active contract whose vendor's current certificate of a scheme has expired or is expiring.
pub(super) struct Ending<'a> {
    valid_until: Option<NaiveDate>,
    holding: &'a judged::Holding,
    certificate: &'a Certification,
    status: CertStatus,
}

impl Ending<'_> {
    /// By expiry day, then contract number; a contract's certificates by scheme.
    fn order(&self, other: &Self) -> std::cmp::Ordering {
        let key = |e: &Self| (e.holding.contract_id, e.certificate.scheme);
        (self.valid_until, &self.holding.contract_number)
            .cmp(&(other.valid_until, &other.holding.contract_number))
            .then_with(|| key(self).cmp(&key(other)))
    }
}

/// The active contracts of vendors one of whose certificates may be ending on `as_of`: those
/// [`ending`] judges.
pub(super) async fn holdings(
    conn: &mut Conn,
    reads: &Reads<'_>,
    scope: RecordScope<'_>,
    rules: &Rules,
    as_of: NaiveDate,
) -> AppResult<Arc<Vec<judged::Holding>>> {
    let windows = rules.expiry;
    // No certificate expiring later than this is expiring yet (プライバシーマーク's window is in months).
    let horizon = windows
        .days
        .max(u64::from(windows.pmark_opens_months) * 31 + 31);
    let until = as_of
        .checked_add_days(Days::new(horizon))
        .unwrap_or(NaiveDate::MAX);
    Ok(judged::active_with_certificates_ending(conn, reads, scope, as_of, until).await?)
}

/// Of `holdings`, the active contracts whose vendor's current certificate of a scheme has expired,
/// and those whose one is expiring. The first `first` of each list are in its order (the expired
/// longest ago first, the expiring soonest first: both by expiry day, then contract number), the
/// rest after them in no order: a dashboard shows a window and counts the rest.
pub(super) fn ending<'a>(
    holdings: &'a [judged::Holding],
    certified: &'a judging::Certified,
    first: usize,
) -> (Vec<Ending<'a>>, Vec<Ending<'a>>) {
    let (mut expired, mut expiring) = (Vec::new(), Vec::new());
    // A vendor's contracts mostly come one after another: its certificates are looked up once.
    let mut last = None;
    let mut of_vendor = Vec::new();
    for holding in holdings.iter() {
        if last != Some(holding.vendor_id) {
            last = Some(holding.vendor_id);
            of_vendor.clear();
            of_vendor.extend(certified.ending_of(holding.vendor_id));
        }
        for &(certificate, status) in &of_vendor {
            let list = if status == CertStatus::Expired {
                &mut expired
            } else {
                &mut expiring
            };
            list.push(Ending {
                valid_until: certificate.valid_until,
                holding,
                certificate,
                status,
            });
        }
    }
    for list in [&mut expired, &mut expiring] {
        let ordered = first.min(list.len());
        if ordered < list.len() {
            to_front(list, ordered, |e| e.valid_until, Ending::order);
        }
        list[..ordered].sort_unstable_by(Ending::order);
    }
    (expired, expiring)
}

/// Moves the first `first` (fewer than `list` holds) of `list` in `order` to its front, in no
/// order, the rest after them. By `lead`, the order's leading key, alone first: for certificates
/// ending, a tie on the day compares contract numbers, each read through a pointer, and every
/// contract of a vendor shares its certificate's day.
fn to_front<T, K: Ord>(
    list: &mut [T],
    first: usize,
    lead: impl Fn(&T) -> K,
    order: impl FnMut(&T, &T) -> std::cmp::Ordering,
) {
    let (_, nth, _) = list.select_nth_unstable_by_key(first, &lead);
    let last = lead(nth);
    // Past the `first`-th, only those level with it can still be among the first.
    let mut candidates = first + 1;
    for at in first + 1..list.len() {
        if lead(&list[at]) == last {
            list.swap(at, candidates);
            candidates += 1;
        }
    }
    list[..candidates].select_nth_unstable_by(first, order);
}

/// The entries of contracts whose certificate is ending, their contracts read in full.
pub(super) async fn ending_entries(
    conn: &mut Conn,
    reads: &Reads<'_>,
    ending: &[Ending<'_>],
    as_of: NaiveDate,
) -> AppResult<Vec<Entry>> {
    let ids: Vec<_> = ending.iter().map(|e| e.holding.contract_id).collect();
    let contracts: HashMap<_, ContractHeading> = judged::headings(conn, reads, &ids)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    Ok(ending
        .iter()
        .filter_map(|e| {
            let contract = contracts.get(&e.holding.contract_id)?;
            Some(judging::certificate_entry(
                contract,
                e.certificate,
                e.status,
                as_of,
            ))
        })
        .collect())
}

/// Active contracts whose vendor's current certificate of a scheme has expired or is expiring: the
/// entries in `window` of each list, every entry counted by department and vendor, and the lists'
/// full lengths (expired, expiring).
async fn certificates(
    conn: &mut Conn,
    reads: &Reads<'_>,
    (expired, expiring): (Vec<Ending<'_>>, Vec<Ending<'_>>),
    window: Window,
    as_of: NaiveDate,
    tallying: &mut Tallying,
) -> AppResult<(CertificationsReport, usize, usize)> {
    for e in expired.iter().chain(&expiring) {
        let counter: Counter = if e.status == CertStatus::Expired {
            |t| &mut t.certificates_expired
        } else {
            |t| &mut t.certificates_expiring
        };
        for by in [
            By::Department(e.holding.department_id),
            By::Vendor(e.holding.vendor_id),
        ] {
            *counter(tallying.of(by)) += 1;
        }
    }
    let totals = (expired.len(), expiring.len());
    let report = CertificationsReport {
        expired: ending_entries(conn, reads, &window.cut(expired), as_of).await?,
        expiring: ending_entries(conn, reads, &window.cut(expiring), as_of).await?,
        ..CertificationsReport::empty(as_of)
    };
    Ok((report, totals.0, totals.1))
}

#[cfg(test)]
mod tests {
    use super::to_front;

    #[test]
    fn the_first_moved_to_the_front_are_those_a_sort_puts_first() {
        // (day, number): many share a day, as a vendor's contracts share its certificate's.
        let mut seed = 7u64;
        let mut next = move |below: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % below
        };
        for round in 0..200 {
            let len = 2 + next(60) as usize;
            let days = 1 + next(if round % 2 == 0 { 3 } else { 40 });
            let list: Vec<(u64, u64)> = (0..len).map(|_| (next(days), next(1000))).collect();
            let mut sorted = list.clone();
            sorted.sort();
            for first in 0..len {
                let mut moved = list.clone();
                to_front(&mut moved, first, |e| e.0, |a, b| a.cmp(b));
                let mut front = moved[..first].to_vec();
                front.sort();
                assert_eq!(front, sorted[..first], "{list:?}, first {first}");
                let mut all = moved.clone();
                all.sort();
                assert_eq!(all, sorted, "nothing lost or added");
            }
        }
    }
}
