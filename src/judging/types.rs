//! The judged lists and counts, as the pages, the API and the workbooks show them.

use crate::db::contracts::ContractHeading;
use crate::domain::certification::{CertStatus, Level, Scheme};
use crate::domain::ids::{CertificationId, ContractId, DepartmentId, VendorId};
use crate::domain::Importance;
use chrono::NaiveDate;
use serde::Serialize;

/// One contract that owes something, with its deadline and how late it is.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub contract_id: ContractId,
    pub contract_number: String,
    pub contract_title: String,
    pub department_id: DepartmentId,
    pub department_name: String,
    pub vendor_id: VendorId,
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
    pub(crate) fn new(
        contract: ContractHeading,
        deadline: NaiveDate,
        as_of: NaiveDate,
        what: String,
    ) -> Self {
        let days = (as_of - deadline).num_days();
        Entry {
            contract_id: contract.id,
            contract_number: contract.contract_number,
            contract_title: contract.title,
            department_id: contract.department_id,
            department_name: contract.department_name,
            vendor_id: contract.vendor_id,
            vendor_identifier: contract.vendor_identifier,
            vendor_name: contract.vendor_name,
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
    pub id: CertificationId,
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
    /// SECURITY ACTION declarations not confirmed this fiscal year, per running contract.
    pub unconfirmed: Vec<Entry>,
}

impl CertificationsReport {
    pub fn empty(as_of: NaiveDate) -> Self {
        CertificationsReport {
            as_of,
            expired: Vec::new(),
            expiring: Vec::new(),
            unconfirmed: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ChecklistsReport {
    pub as_of: NaiveDate,
    pub missing: Vec<Entry>,
    pub returned: Vec<Entry>,
}

/// Corrective actions (是正) past their due day, and those not yet due.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CorrectiveReport {
    pub as_of: NaiveDate,
    pub overdue: Vec<Entry>,
    pub due: Vec<Entry>,
}

/// Submissions the contracts' security clauses owe (特約条項): past their deadline, and due soon.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ClausesReport {
    pub as_of: NaiveDate,
    pub overdue: Vec<Entry>,
    pub due_soon: Vec<Entry>,
}

/// Running contracts whose vendor lacks the METI ★ level the contract requires.
#[derive(Debug, Clone, Default, Serialize)]
pub struct StarReport {
    pub as_of: NaiveDate,
    pub shortfall: Vec<Entry>,
}

/// Running contracts of vendors suspended from bidding (指名停止) on the day.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SuspensionsReport {
    pub as_of: NaiveDate,
    pub active: Vec<Entry>,
}

/// Important running contracts whose vendor's incident contacts are missing or unconfirmed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ContactsReport {
    pub as_of: NaiveDate,
    pub missing: Vec<Entry>,
}

/// Incidents at contractors: those open on the day, and this fiscal year's reports by timeliness.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IncidentsReport {
    pub as_of: NaiveDate,
    pub open: Vec<crate::db::incidents::Incident>,
    /// Incidents reported (or recorded by staff) in the fiscal year up to the day.
    pub this_year: usize,
    /// Of those, reported by the vendor within the contract's deadline …
    pub on_time: usize,
    /// … reported by the vendor after it …
    pub late: usize,
    /// … and learnt of elsewhere (not reported by the vendor).
    pub unreported: usize,
    /// `on_time / this_year` as a percentage, when there was any.
    pub on_time_share: Option<f64>,
    /// This fiscal year's incidents reported after their deadline or not by the vendor, newest first.
    pub late_reports: Vec<crate::db::incidents::Incident>,
}

impl IncidentsReport {
    /// Judges the incidents reported by the end of `as_of`.
    pub fn of(all: Vec<crate::db::incidents::Incident>, as_of: NaiveDate) -> Self {
        let year = crate::domain::FiscalYear::of(as_of);
        let this_year: Vec<&crate::db::incidents::Incident> = all
            .iter()
            .filter(|i| {
                crate::domain::time::japan_day_of(&i.reported_at.to_string())
                    .is_some_and(|day| day >= year.first_day())
            })
            .collect();
        let on_time = this_year.iter().filter(|i| i.on_time).count();
        let unreported = this_year.iter().filter(|i| !i.reported_by_vendor).count();
        let late = this_year.len() - on_time - unreported;
        let end = crate::domain::incident::end_of_day(as_of);
        let late_reports = this_year
            .iter()
            .filter(|i| !i.on_time)
            .map(|i| (*i).clone())
            .collect();
        IncidentsReport {
            late_reports,
            as_of,
            this_year: this_year.len(),
            on_time,
            late,
            unreported,
            on_time_share: (!this_year.is_empty())
                .then(|| on_time as f64 * 100.0 / this_year.len() as f64),
            open: all
                .into_iter()
                .filter(|i| i.closed_at.is_none_or(|at| at > end))
                .collect(),
        }
    }
}

/// Subcontractors at work without the municipality's approval (無承認の再委託).
#[derive(Debug, Clone, Default, Serialize)]
pub struct SubcontractingReport {
    pub as_of: NaiveDate,
    pub unapproved: Vec<Entry>,
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
    pub fn new(
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
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Tally {
    /// The department's or the vendor's id.
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
    pub unapproved_subcontracting: usize,
    pub corrective_overdue: usize,
    pub corrective_due: usize,
    pub clauses_overdue: usize,
    pub clauses_due_soon: usize,
    pub star_shortfall: usize,
    pub suspended: usize,
    pub contacts_missing: usize,
    pub declarations_unconfirmed: usize,
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
            + self.unapproved_subcontracting
            + self.corrective_overdue
            + self.corrective_due
            + self.clauses_overdue
            + self.clauses_due_soon
            + self.star_shortfall
            + self.suspended
            + self.contacts_missing
            + self.declarations_unconfirmed
    }
}

/// How many entries each list holds in full, whatever window of it was read.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Totals {
    pub retention_violations: usize,
    pub deletions_due_soon: usize,
    pub deletions_resolved_late: usize,
    pub audits_overdue: usize,
    pub audits_due_soon: usize,
    pub audits_resolved_late: usize,
    pub certificates_expired: usize,
    pub certificates_expiring: usize,
    pub checklists_missing: usize,
    pub checklists_returned: usize,
    pub unapproved_subcontracting: usize,
    pub corrective_overdue: usize,
    pub corrective_due: usize,
    pub clauses_overdue: usize,
    pub clauses_due_soon: usize,
    pub star_shortfall: usize,
    pub suspended: usize,
    pub contacts_missing: usize,
    pub declarations_unconfirmed: usize,
}

/// Which entries of each list are read: at prefecture scale a list holds tens of thousands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Window {
    pub offset: usize,
    pub limit: usize,
}

impl Window {
    pub const ALL: Window = Window {
        offset: 0,
        limit: usize::MAX,
    };

    /// The first `limit` entries.
    pub fn first(limit: usize) -> Self {
        Window { offset: 0, limit }
    }

    /// The entries of `list` in the window.
    pub fn cut<T>(&self, mut list: Vec<T>) -> Vec<T> {
        list.drain(..self.offset.min(list.len()));
        list.truncate(self.limit);
        list
    }

    /// How many entries from the start a list must be read to fill the window.
    pub fn end(&self) -> usize {
        self.offset.saturating_add(self.limit)
    }
}

/// The lists of a day, each read in a window, with their full lengths (`totals`).
#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub as_of: NaiveDate,
    /// The report judged (`ReportKind::All`: every one, with the counts by department and vendor);
    /// the others' lists are empty.
    #[serde(skip)]
    pub judged: super::ReportKind,
    pub totals: Totals,
    pub retention: RetentionReport,
    pub audits: AuditsReport,
    pub certifications: CertificationsReport,
    pub checklists: ChecklistsReport,
    pub subcontracting: SubcontractingReport,
    pub corrective: CorrectiveReport,
    pub clauses: ClausesReport,
    pub incidents: IncidentsReport,
    pub star: StarReport,
    pub suspensions: SuspensionsReport,
    pub contacts: ContactsReport,
    pub kpi: Kpi,
    /// The counts by department and by vendor, ranked (`tallies`): the first of them, as far as
    /// the window reaches.
    pub by_department: Vec<Tally>,
    pub by_vendor: Vec<Tally>,
    /// How many departments and vendors have a count.
    pub tallied: Tallied,
}

/// How many tallies there are by department and by vendor.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Tallied {
    pub departments: usize,
    pub vendors: usize,
}
