//! What the standings owe on a day, as indexed queries: the rows of each list the reports show, the
//! counts by department and vendor, and the KPIs' counts. The settings (`Rules`) enter as values the
//! query compares with, so no row is read that cannot be listed.

use super::super::contracts::{ContractHeading, RecordScope, Visibility};
use super::super::kept_reads::{self, Reads, Regrouped};
use super::super::sql::Sql;
use super::super::values::iso;
use super::super::Conn;
use crate::domain::ids::{ContractId, DepartmentId, VendorId};
use crate::domain::obligation::Rules;
use crate::domain::FiscalYear;
use chrono::{Days, NaiveDate};
use sqlx::FromRow;

/// A list of what is owed, as the reports name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum List {
    RetentionViolations,
    DeletionsDueSoon,
    DeletionsResolvedLate,
    AuditsOverdue,
    AuditsDueSoon,
    AuditsResolvedLate,
    /// Active contracts without a check sheet uploaded by the day.
    ChecklistsMissing,
    /// Contracts owing this fiscal year's check sheet, whose latest is from an earlier year.
    YearlyChecklistsMissing,
    ChecklistsReturned,
    /// Subcontractors at work on the day without an approval by then (無承認の再委託).
    UnapprovedSubcontracting,
    /// Corrective actions past their due day, neither accepted nor closed by then.
    CorrectiveOverdue,
    /// Corrective actions required and not yet due.
    CorrectiveDue,
    /// Submissions a contract's clauses owe, past their deadline and not accepted by the day.
    ClausesOverdue,
    /// Submissions a contract's clauses owe within the audit warning window.
    ClausesDueSoon,
    /// Running contracts whose vendor lacks the METI ★ level their three conditions require.
    StarShortfall,
    /// Running contracts whose vendor is suspended from bidding (指名停止) on the day.
    SuspendedVendors,
    /// Important running contracts whose vendor has no incident contact, none reachable around the
    /// clock, or has not confirmed them in the fiscal year past the day it was due.
    ContactsMissing,
    /// Running contracts whose vendor's SECURITY ACTION declaration was not confirmed in the fiscal
    /// year, past the day it was due.
    DeclarationsUnconfirmed,
}

impl List {
    pub const ALL: [List; 18] = [
        List::RetentionViolations,
        List::DeletionsDueSoon,
        List::DeletionsResolvedLate,
        List::AuditsOverdue,
        List::AuditsDueSoon,
        List::AuditsResolvedLate,
        List::ChecklistsMissing,
        List::YearlyChecklistsMissing,
        List::ChecklistsReturned,
        List::UnapprovedSubcontracting,
        List::CorrectiveOverdue,
        List::CorrectiveDue,
        List::ClausesOverdue,
        List::ClausesDueSoon,
        List::StarShortfall,
        List::SuspendedVendors,
        List::ContactsMissing,
        List::DeclarationsUnconfirmed,
    ];
}

/// A contract on a list, with what the list says of it.
#[derive(Debug, Clone, FromRow)]
pub struct Listed {
    #[sqlx(flatten)]
    pub contract: ContractHeading,
    /// The last day on time.
    #[sqlx(skip)]
    pub deadline: NaiveDate,
    #[sqlx(rename = "listed_deadline")]
    raw_deadline: String,
    #[sqlx(rename = "listed_accepted_on")]
    raw_accepted_on: Option<String>,
    #[sqlx(skip)]
    pub accepted_on: Option<NaiveDate>,
    /// The latest proof's state when it waits for review or was returned.
    #[sqlx(rename = "listed_submission")]
    pub submission: Option<String>,
    #[sqlx(rename = "listed_fiscal_year")]
    pub fiscal_year: Option<i64>,
    /// What within the contract the entry is about: a subcontractor's name, or a corrective action's
    /// item and what it requires.
    #[sqlx(rename = "listed_subject")]
    pub subject: Option<String>,
}

/// The tables, columns and conditions of a list on a day.
struct Query {
    table: &'static str,
    /// The column of `x` the deadline is read from (before `deadline_shift`).
    deadline: &'static str,
    /// The deadline, acceptance day, open state and fiscal year, as columns of `x`.
    columns: &'static str,
    condition: Sql,
    order: &'static str,
    /// Days to add to the deadline column (the days allowed after a fiscal year's end, or after a
    /// check sheet's return).
    deadline_shift: u64,
}

fn plus(day: NaiveDate, days: u64) -> String {
    iso(day
        .checked_add_days(Days::new(days))
        .unwrap_or(NaiveDate::MAX))
}

fn minus(day: NaiveDate, days: u64) -> String {
    iso(day
        .checked_sub_days(Days::new(days))
        .unwrap_or(NaiveDate::MIN))
}

const DELETION_COLUMNS: &str =
    "x.deletion_deadline AS listed_deadline, x.deletion_accepted_on AS listed_accepted_on,
    x.deletion_submission AS listed_submission, CAST(NULL AS BIGINT) AS listed_fiscal_year, CAST(NULL AS TEXT) AS listed_subject";
const AUDIT_COLUMNS: &str = "x.year_end AS listed_deadline, x.accepted_on AS listed_accepted_on,
    x.submission AS listed_submission, x.fiscal_year AS listed_fiscal_year, CAST(NULL AS TEXT) AS listed_subject";
const FIRST_CHECKLIST_COLUMNS: &str =
    "x.start_date AS listed_deadline, CAST(NULL AS TEXT) AS listed_accepted_on,
    CAST(NULL AS TEXT) AS listed_submission, CAST(NULL AS BIGINT) AS listed_fiscal_year, CAST(NULL AS TEXT) AS listed_subject";
const CHECKLIST_COLUMNS: &str =
    "x.uploaded_on AS listed_deadline, CAST(NULL AS TEXT) AS listed_accepted_on,
    x.status AS listed_submission, CAST(NULL AS BIGINT) AS listed_fiscal_year, CAST(NULL AS TEXT) AS listed_subject";

const RETURNED_CHECKLIST_COLUMNS: &str =
    "COALESCE(x.returned_on, x.uploaded_on) AS listed_deadline, CAST(NULL AS TEXT) AS listed_accepted_on,
    x.status AS listed_submission, CAST(NULL AS BIGINT) AS listed_fiscal_year, CAST(NULL AS TEXT) AS listed_subject";

/// Each subcontractor with its contract's standing: department, vendor and period.
const SUBCONTRACTING: &str =
    "(SELECT s.contract_id, cs.department_id, cs.vendor_id, cs.start_date, cs.end_date,
    s.start_date AS sub_start, s.end_date AS sub_end, s.status, s.approved_on, s.name
    FROM subcontractors s JOIN contract_standings cs ON cs.contract_id = s.contract_id)";
const SUBCONTRACTING_COLUMNS: &str = "x.sub_start AS listed_deadline, x.approved_on AS listed_accepted_on,
    CAST(NULL AS TEXT) AS listed_submission, CAST(NULL AS BIGINT) AS listed_fiscal_year, x.name AS listed_subject";

/// Each corrective action with its contract's standing.
const CORRECTIVE: &str = "(SELECT a.contract_id, cs.department_id, cs.vendor_id, cs.start_date, cs.end_date,
    a.due_on, a.required_on, a.accepted_on, a.closed_on, a.status, a.item_id || '：' || a.what AS subject
    FROM corrective_actions a JOIN contract_standings cs ON cs.contract_id = a.contract_id)";
const CORRECTIVE_COLUMNS: &str = "x.due_on AS listed_deadline, x.accepted_on AS listed_accepted_on,
    CASE x.status WHEN 'reported' THEN 'submitted' WHEN 'returned' THEN 'returned' ELSE CAST(NULL AS TEXT) END
    AS listed_submission, CAST(NULL AS BIGINT) AS listed_fiscal_year, x.subject AS listed_subject";

/// Each obligation of a contract's clauses still owed, with its contract's standing; the subject
/// names the clause and the period (「アクセスログの提出（2026年度第3四半期）」).
const CLAUSES: &str = "(SELECT o.contract_id, cs.department_id, cs.vendor_id, cs.start_date, cs.end_date,
    o.due_on, o.accepted_on, o.status, cl.title || '（' || o.period_label || '）' AS subject
    FROM clause_obligations o JOIN contract_clauses cl ON cl.contract_id = o.contract_id AND cl.clause_id = o.clause_id
    JOIN contract_standings cs ON cs.contract_id = o.contract_id WHERE o.withdrawn = 0)";
const CLAUSE_COLUMNS: &str = "x.due_on AS listed_deadline, x.accepted_on AS listed_accepted_on,
    CASE x.status WHEN 'submitted' THEN 'submitted' WHEN 'returned' THEN 'returned' ELSE CAST(NULL AS TEXT) END
    AS listed_submission, CAST(NULL AS BIGINT) AS listed_fiscal_year, x.subject AS listed_subject";

/// Each contract with METI's three conditions recorded, and the level (3 or 4) they require.
const STAR: &str = "(SELECT s.contract_id, cs.department_id, cs.vendor_id, cs.start_date, cs.end_date,
    CASE WHEN s.sensitive_data = 1 OR s.outage_critical = 1 OR s.reaches_internal = 1 THEN 4 ELSE 3 END AS required_rank
    FROM contract_star_conditions s JOIN contract_standings cs ON cs.contract_id = s.contract_id)";
const STAR_COLUMNS: &str =
    "x.start_date AS listed_deadline, CAST(NULL AS TEXT) AS listed_accepted_on,
    CAST(NULL AS TEXT) AS listed_submission, CAST(NULL AS BIGINT) AS listed_fiscal_year,
    '要求★' || CAST(x.required_rank AS TEXT) AS listed_subject";

/// Each contract with a suspension of its vendor (matched by 法人番号).
const SUSPENDED: &str =
    "(SELECT cs.contract_id, cs.department_id, cs.vendor_id, cs.start_date, cs.end_date,
    s.starts_on, s.ends_on, s.reason
    FROM contract_standings cs JOIN vendors v ON v.id = cs.vendor_id
    JOIN suspensions s ON s.corporate_number = v.corporate_number)";
const SUSPENDED_COLUMNS: &str =
    "x.ends_on AS listed_deadline, CAST(NULL AS TEXT) AS listed_accepted_on,
    CAST(NULL AS TEXT) AS listed_submission, CAST(NULL AS BIGINT) AS listed_fiscal_year,
    x.reason AS listed_subject";

/// Each contract with its vendor's incident contacts counted.
const CONTACTS: &str = "(SELECT cs.contract_id, cs.department_id, cs.vendor_id, cs.start_date, cs.end_date,
    cs.important, COALESCE(k.contacts, 0) AS contacts, COALESCE(k.around_the_clock, 0) AS around_the_clock
    FROM contract_standings cs LEFT JOIN incident_contact_status k ON k.vendor_id = cs.vendor_id)";
/// The subject is what is missing (`domain::incident_contact::Gap`'s code); the deadline the
/// contract's start, from which `services::reports` dates the yearly confirmation.
const CONTACTS_COLUMNS: &str =
    "x.start_date AS listed_deadline, CAST(NULL AS TEXT) AS listed_accepted_on,
    CAST(NULL AS TEXT) AS listed_submission, CAST(NULL AS BIGINT) AS listed_fiscal_year,
    CASE WHEN x.contacts = 0 THEN 'none' WHEN x.around_the_clock = 0 THEN 'no24h' ELSE 'unconfirmed' END
    AS listed_subject";

/// Each contract with each SECURITY ACTION declaration of its vendor.
const DECLARATIONS: &str =
    "(SELECT cs.contract_id, cs.department_id, cs.vendor_id, cs.start_date, cs.end_date,
    m.id AS certification_id, m.number, m.issued_on
    FROM contract_standings cs JOIN certifications m ON m.vendor_id = cs.vendor_id
    AND m.scheme = 'security_action')";
const DECLARATIONS_COLUMNS: &str =
    "x.start_date AS listed_deadline, CAST(NULL AS TEXT) AS listed_accepted_on,
    CAST(NULL AS TEXT) AS listed_submission, CAST(NULL AS BIGINT) AS listed_fiscal_year,
    x.number AS listed_subject";

/// `AND (column IS NULL OR column > day)`: not accepted by the day.
fn not_accepted_by(sql: &mut Sql, column: &str, day: &str) {
    sql.push(&format!(" AND ({column} IS NULL OR {column} > "))
        .bind(day)
        .push(")");
}

impl Query {
    fn of(list: List, as_of: NaiveDate, rules: &Rules) -> Query {
        match list {
            List::RetentionViolations | List::DeletionsDueSoon | List::DeletionsResolvedLate => {
                Self::deletion(list, as_of, rules)
            }
            List::AuditsOverdue | List::AuditsDueSoon | List::AuditsResolvedLate => {
                Self::audit(list, as_of, rules)
            }
            List::ChecklistsMissing | List::YearlyChecklistsMissing | List::ChecklistsReturned => {
                Self::checklist(list, as_of, rules)
            }
            List::UnapprovedSubcontracting => Self::subcontracting(as_of),
            List::CorrectiveOverdue | List::CorrectiveDue => Self::corrective(list, as_of),
            List::ClausesOverdue | List::ClausesDueSoon => Self::clauses(list, as_of, rules),
            List::StarShortfall => Self::star(as_of),
            List::SuspendedVendors => Self::suspended(as_of),
            List::ContactsMissing => Self::contacts(as_of),
            List::DeclarationsUnconfirmed => Self::declarations(as_of),
        }
    }

    /// Contracts running on the day whose vendor holds no valid, verified METI certificate of the
    /// level required (or higher).
    fn star(as_of: NaiveDate) -> Query {
        let day = iso(as_of);
        let mut condition = Sql::new("");
        active(&mut condition, as_of);
        condition
            .push(
                " AND COALESCE((SELECT MAX(CAST(m.level AS BIGINT)) FROM certifications m
                 WHERE m.vendor_id = x.vendor_id AND m.scheme = 'meti' AND m.verification = 'verified'
                 AND m.level IN ('3', '4', '5') AND (m.valid_until IS NULL OR m.valid_until >= ",
            )
            .bind(day.as_str())
            .push(")), 0) < x.required_rank");
        Query {
            table: STAR,
            deadline: "x.start_date",
            columns: STAR_COLUMNS,
            condition,
            order: "c.contract_number",
            deadline_shift: 0,
        }
    }

    /// Important contracts running on the day whose vendor's incident contacts are missing, lack one
    /// reachable around the clock, or were not confirmed in the fiscal year once the confirmation was
    /// due (`domain::obligation::yearly_confirmation_due`).
    fn contacts(as_of: NaiveDate) -> Query {
        let day = iso(as_of);
        let year = FiscalYear::of(as_of);
        let cut = minus(as_of, crate::domain::obligation::CONFIRMATION_DAYS);
        let mut condition = Sql::new("");
        active(&mut condition, as_of);
        condition.push(" AND x.important = 1 AND (x.contacts = 0 OR x.around_the_clock = 0");
        if iso(year.first_day()) < cut {
            condition
                .push(" OR (x.start_date < ")
                .bind(cut.as_str())
                .push(
                    " AND NOT EXISTS (SELECT 1 FROM incident_contact_confirmations f
                     WHERE f.vendor_id = x.vendor_id AND f.confirmed_on >= ",
                )
                .bind(iso(year.first_day()))
                .push(" AND f.confirmed_on <= ")
                .bind(day)
                .push("))");
        }
        condition.push(")");
        Query {
            table: CONTACTS,
            deadline: "x.start_date",
            columns: CONTACTS_COLUMNS,
            condition,
            order: "c.contract_number",
            deadline_shift: 0,
        }
    }

    /// Contracts running on the day whose vendor's SECURITY ACTION declaration, made before the fiscal
    /// year, was not confirmed in it by the day, once the confirmation was due
    /// (`domain::obligation::yearly_confirmation_due`).
    fn declarations(as_of: NaiveDate) -> Query {
        let day = iso(as_of);
        let first = iso(FiscalYear::of(as_of).first_day());
        let cut = minus(as_of, crate::domain::obligation::CONFIRMATION_DAYS);
        let mut condition = Sql::new("");
        active(&mut condition, as_of);
        if first >= cut {
            condition.push(" AND 1 = 0");
        }
        condition
            .push(" AND (x.issued_on IS NULL OR x.issued_on < ")
            .bind(first.as_str())
            .push(
                ") AND NOT EXISTS (SELECT 1 FROM certification_confirmations f
                 WHERE f.certification_id = x.certification_id AND f.confirmed_on >= ",
            )
            .bind(first)
            .push(" AND f.confirmed_on <= ")
            .bind(day)
            .push(")");
        Query {
            table: DECLARATIONS,
            deadline: "x.start_date",
            columns: DECLARATIONS_COLUMNS,
            condition,
            order: "c.contract_number",
            deadline_shift: 0,
        }
    }

    /// Contracts running on the day whose vendor's suspension covers it; the deadline is the
    /// suspension's last day.
    fn suspended(as_of: NaiveDate) -> Query {
        let day = iso(as_of);
        let mut condition = Sql::new("");
        active(&mut condition, as_of);
        condition
            .push(" AND x.starts_on <= ")
            .bind(day.as_str())
            .push(" AND x.ends_on >= ")
            .bind(day.as_str())
            // The same condition again, as the few vendors suspended on the day: without it SQLite
            // reads every running contract to look for a suspension (100 ms at 100k contracts).
            .push(
                " AND x.vendor_id IN (SELECT v.id FROM suspensions s JOIN vendors v
                 ON v.corporate_number = s.corporate_number WHERE s.starts_on <= ",
            )
            .bind(day.as_str())
            .push(" AND s.ends_on >= ")
            .bind(day)
            .push(")");
        Query {
            table: SUSPENDED,
            deadline: "x.ends_on",
            columns: SUSPENDED_COLUMNS,
            condition,
            order: "c.contract_number",
            deadline_shift: 0,
        }
    }

    /// Clause submissions not accepted by the day: past their deadline (overdue), or due within the
    /// audit reports' warning window.
    fn clauses(list: List, as_of: NaiveDate, rules: &Rules) -> Query {
        let day = iso(as_of);
        let mut condition = Sql::new("");
        if list == List::ClausesOverdue {
            condition.push(" AND x.due_on < ").bind(day.as_str());
        } else {
            condition
                .push(" AND x.due_on >= ")
                .bind(day.as_str())
                .push(" AND x.due_on <= ")
                .bind(plus(as_of, rules.audit_warn_days));
        }
        not_accepted_by(&mut condition, "x.accepted_on", &day);
        Query {
            table: CLAUSES,
            deadline: "x.due_on",
            columns: CLAUSE_COLUMNS,
            condition,
            order: "x.due_on, c.contract_number, x.subject",
            deadline_shift: 0,
        }
    }

    /// Corrective actions required by the day and neither accepted nor closed by then: past their due
    /// day (overdue), or not yet (due).
    fn corrective(list: List, as_of: NaiveDate) -> Query {
        let day = iso(as_of);
        let mut condition = Sql::new("");
        condition.push(" AND x.required_on <= ").bind(day.as_str());
        condition.push(if list == List::CorrectiveOverdue {
            " AND x.due_on < "
        } else {
            " AND x.due_on >= "
        });
        condition
            .bind(day.as_str())
            .push(" AND (x.closed_on IS NULL OR x.closed_on > ")
            .bind(day.as_str())
            .push(")");
        not_accepted_by(&mut condition, "x.accepted_on", &day);
        Query {
            table: CORRECTIVE,
            deadline: "x.due_on",
            columns: CORRECTIVE_COLUMNS,
            condition,
            order: "x.due_on, c.contract_number, x.subject",
            deadline_shift: 0,
        }
    }

    /// Subcontractors of contracts running on the day, themselves at work on it, not refused and
    /// not approved by then; the deadline is the day each started.
    fn subcontracting(as_of: NaiveDate) -> Query {
        let day = iso(as_of);
        let mut condition = Sql::new("");
        active(&mut condition, as_of);
        condition
            .push(" AND x.sub_start <= ")
            .bind(day.as_str())
            .push(" AND (x.sub_end IS NULL OR x.sub_end >= ")
            .bind(day.as_str())
            .push(") AND x.status <> 'refused'");
        not_accepted_by(&mut condition, "x.approved_on", &day);
        Query {
            table: SUBCONTRACTING,
            deadline: "x.sub_start",
            columns: SUBCONTRACTING_COLUMNS,
            condition,
            order: "x.sub_start, c.contract_number, x.name",
            deadline_shift: 0,
        }
    }

    fn deletion(list: List, as_of: NaiveDate, rules: &Rules) -> Query {
        let day = iso(as_of);
        let mut condition = Sql::new("");
        let mut order = "x.deletion_deadline, c.contract_number";
        match list {
            List::RetentionViolations => {
                condition
                    .push(" AND x.deletion_deadline < ")
                    .bind(day.as_str());
                not_accepted_by(&mut condition, "x.deletion_accepted_on", &day);
            }
            List::DeletionsDueSoon => {
                condition
                    .push(" AND x.deletion_deadline >= ")
                    .bind(day.as_str())
                    .push(" AND x.deletion_deadline <= ")
                    .bind(plus(as_of, rules.deletion_warn_days));
                not_accepted_by(&mut condition, "x.deletion_accepted_on", &day);
            }
            _ => {
                condition
                    .push(" AND x.deletion_accepted_on <= ")
                    .bind(day.as_str())
                    .push(" AND x.deletion_accepted_on > x.deletion_deadline");
                order = "c.contract_number";
            }
        }
        Query {
            table: "contract_standings",
            deadline: "x.deletion_deadline",
            columns: DELETION_COLUMNS,
            condition,
            order,
            deadline_shift: 0,
        }
    }

    fn audit(list: List, as_of: NaiveDate, rules: &Rules) -> Query {
        let day = iso(as_of);
        let shift = rules.audit.due_days_after_year_end;
        let mut condition = Sql::new("");
        condition.push(" AND x.owed_from <= ").bind(day.as_str());
        if let Some(first) = rules.audit.first_fiscal_year {
            condition
                .push(" AND x.fiscal_year >= ")
                .bind(i64::from(first.start_year()));
        }
        if !rules.audit.all_contracts {
            condition.push(" AND x.important = 1");
        }
        let mut order = "x.year_end, c.contract_number, x.fiscal_year";
        match list {
            List::AuditsOverdue => {
                condition
                    .push(" AND x.year_end < ")
                    .bind(minus(as_of, shift));
                not_accepted_by(&mut condition, "x.accepted_on", &day);
            }
            List::AuditsDueSoon => {
                let last_warned = as_of
                    .checked_add_days(Days::new(rules.audit_warn_days))
                    .unwrap_or(NaiveDate::MAX);
                condition
                    .push(" AND x.year_end >= ")
                    .bind(minus(as_of, shift))
                    .push(" AND x.year_end <= ")
                    .bind(minus(last_warned, shift));
                not_accepted_by(&mut condition, "x.accepted_on", &day);
            }
            _ => {
                condition
                    .push(" AND x.accepted_on <= ")
                    .bind(day.as_str())
                    .push(" AND x.accepted_after_year_end > ")
                    .bind(shift as i64);
                order = "c.contract_number, x.fiscal_year";
            }
        }
        Query {
            table: "audit_standings",
            deadline: "x.year_end",
            columns: AUDIT_COLUMNS,
            condition,
            order,
            deadline_shift: shift,
        }
    }

    fn checklist(list: List, as_of: NaiveDate, rules: &Rules) -> Query {
        let day = iso(as_of);
        let mut condition = Sql::new("");
        active(&mut condition, as_of);
        if list == List::ChecklistsMissing {
            not_accepted_by(&mut condition, "x.first_checklist_on", &day);
            return Query {
                table: "contract_standings",
                deadline: "x.start_date",
                columns: FIRST_CHECKLIST_COLUMNS,
                condition,
                order: "x.start_date, c.contract_number",
                deadline_shift: 0,
            };
        }
        // The version that is the contract's latest on the day.
        condition
            .push(" AND x.uploaded_on <= ")
            .bind(day.as_str())
            .push(" AND (x.superseded_on IS NULL OR x.superseded_on > ")
            .bind(day.as_str())
            .push(")");
        if list == List::ChecklistsReturned {
            // Returned on or before the day: until then the version was waiting for review.
            condition
                .push(" AND x.status = 'returned' AND (x.returned_on IS NULL OR x.returned_on <= ")
                .bind(day.as_str())
                .push(")");
            return Query {
                table: "checklist_standings",
                deadline: "COALESCE(x.returned_on, x.uploaded_on)",
                columns: RETURNED_CHECKLIST_COLUMNS,
                condition,
                order: "x.returned_on, c.contract_number",
                deadline_shift: rules.resubmission_days,
            };
        } else {
            condition
                .push(" AND x.status <> 'returned' AND x.uploaded_on < ")
                .bind(iso(FiscalYear::of(as_of).first_day()));
            if !rules.audit.all_contracts {
                condition.push(" AND x.important = 1");
            }
        }
        Query {
            table: "checklist_standings",
            deadline: "x.uploaded_on",
            columns: CHECKLIST_COLUMNS,
            condition,
            order: "c.contract_number",
            deadline_shift: 0,
        }
    }

    fn restricted(&self, scope: RecordScope<'_>) -> Sql {
        let mut condition = self.condition.clone();
        restrict(&mut condition, scope);
        condition
    }
}

/// Keeps rows of contracts running on `as_of`.
fn active(sql: &mut Sql, as_of: NaiveDate) {
    let day = iso(as_of);
    sql.push(" AND x.start_date <= ")
        .bind(day.as_str())
        .push(" AND x.end_date >= ")
        .bind(day);
}

/// Narrows a query of a standings table (`x`) to what the scope covers.
fn restrict(sql: &mut Sql, scope: RecordScope<'_>) {
    match scope {
        RecordScope::Contract(id) => {
            sql.push(" AND x.contract_id = ").bind(id);
        }
        RecordScope::Visible(Visibility::All) => {}
        RecordScope::Visible(Visibility::Vendor(vendor_id)) => {
            sql.push(" AND x.vendor_id = ").bind(*vendor_id);
        }
        RecordScope::Visible(Visibility::Departments(ids)) => {
            sql.and_in("x.department_id", ids);
        }
    }
}

fn day_of(text: &str) -> Result<NaiveDate, sqlx::Error> {
    super::day(text)
}

/// The contracts on `list` on `as_of`, in the list's order; at most `limit` when given.
pub async fn listed(
    conn: &mut Conn,
    reads: &Reads<'_>,
    scope: RecordScope<'_>,
    list: List,
    as_of: NaiveDate,
    rules: &Rules,
    limit: Option<i64>,
) -> Result<Vec<Listed>, sqlx::Error> {
    let query = ListedQuery::new(scope, list, as_of, rules, limit);
    let rows: std::sync::Arc<Vec<Listed>> = match limit.and_then(|n| usize::try_from(n).ok()) {
        Some(window) => {
            let narrowed =
                |ids: &[i64]| ListedQuery::of(scope, list, as_of, rules, limit, Some(ids));
            let window = (&query.sql, window);
            let holding = |ids: &[i64]| ListedQuery::holding(scope, list, as_of, rules, ids);
            kept_reads::fetch_window(conn, reads, window, |ids| narrowed(ids).sql, holding).await?
        }
        None => kept_reads::fetch_all(conn, reads, &query.sql).await?,
    };
    rows.iter().cloned().map(|row| query.dated(row)).collect()
}

impl kept_reads::ListRow for Listed {
    /// A contract has one entry per fiscal year, subcontractor, corrective action or clause
    /// submission at most.
    type Key = (i64, String, Option<i64>, Option<String>);

    fn contract(&self) -> i64 {
        self.contract.id.get()
    }

    fn key(&self) -> Self::Key {
        let raw = (&self.raw_deadline, self.fiscal_year, &self.subject);
        (self.contract.id.get(), raw.0.clone(), raw.1, raw.2.clone())
    }
}

/// The query of the contracts on a list, to read them one by one (`rows`).
pub struct ListedQuery {
    sql: Sql,
    deadline_shift: u64,
}

impl ListedQuery {
    /// The contracts on `list` on `as_of`, in the list's order; at most `limit` when given.
    pub fn new(
        scope: RecordScope<'_>,
        list: List,
        as_of: NaiveDate,
        rules: &Rules,
        limit: Option<i64>,
    ) -> Self {
        Self::of(scope, list, as_of, rules, limit, None)
    }

    /// The same, of these contracts alone when given.
    fn of(
        scope: RecordScope<'_>,
        list: List,
        as_of: NaiveDate,
        rules: &Rules,
        limit: Option<i64>,
        contracts: Option<&[i64]>,
    ) -> Self {
        let query = Query::of(list, as_of, rules);
        let mut sql = Sql::new(&format!(
            "SELECT {}, {} {} JOIN {} x ON x.contract_id = c.id WHERE 1 = 1",
            super::super::contracts::HEADING_COLUMNS,
            query.columns,
            super::super::contracts::FROM,
            query.table
        ));
        sql.append(&query.restricted(scope));
        if let Some(ids) = contracts {
            sql.and_in("x.contract_id", ids);
        }
        sql.push(&format!(" ORDER BY {}", query.order));
        if let Some(limit) = limit {
            sql.push(" LIMIT ").bind(limit);
        }
        ListedQuery {
            sql,
            deadline_shift: query.deadline_shift,
        }
    }

    /// Which of these contracts are on the list: its condition alone, without the names.
    fn holding(
        scope: RecordScope<'_>,
        list: List,
        as_of: NaiveDate,
        rules: &Rules,
        contracts: &[i64],
    ) -> Sql {
        let query = Query::of(list, as_of, rules);
        let mut sql = Sql::new(&format!(
            "SELECT DISTINCT x.contract_id FROM {} x WHERE 1 = 1",
            query.table
        ));
        sql.append(&query.restricted(scope));
        sql.and_in("x.contract_id", contracts);
        sql
    }

    /// The rows as the database sends them, each decoded when it arrives.
    pub fn rows<'q>(
        &'q self,
        conn: &'q mut Conn,
    ) -> impl futures_util::Stream<Item = Result<Listed, sqlx::Error>> + Send + 'q {
        use futures_util::StreamExt;
        self.sql.query_as().fetch(conn).map(|row| self.dated(row?))
    }

    /// The row with its deadline and acceptance day read.
    fn dated(&self, row: Listed) -> Result<Listed, sqlx::Error> {
        dated(row, self.deadline_shift)
    }
}

/// `row` with its deadline (moved on by `deadline_shift` days) and acceptance day read.
fn dated(mut row: Listed, deadline_shift: u64) -> Result<Listed, sqlx::Error> {
    row.deadline = day_of(&row.raw_deadline)?
        .checked_add_days(Days::new(deadline_shift))
        .unwrap_or(NaiveDate::MAX);
    row.accepted_on = row.raw_accepted_on.as_deref().map(day_of).transpose()?;
    Ok(row)
}

/// One contract's rows on each of `lists` on `as_of`, each list in its order, read in one
/// statement: a contract's page asks every list about one contract, and a statement for each was a
/// round trip for each.
pub async fn listed_for_contract(
    conn: &mut Conn,
    contract: ContractId,
    lists: &[List],
    as_of: NaiveDate,
    rules: &Rules,
) -> Result<Vec<(List, Vec<Listed>)>, sqlx::Error> {
    use sqlx::Row;
    if lists.is_empty() {
        return Ok(Vec::new());
    }
    let queries: Vec<Query> = lists
        .iter()
        .map(|&list| Query::of(list, as_of, rules))
        .collect();
    let mut sql = Sql::new("");
    for (index, query) in queries.iter().enumerate() {
        sql.push(if index == 0 { "" } else { " UNION ALL " })
            .push(&format!(
                "SELECT CAST({index} AS BIGINT) AS list_index,
                        ROW_NUMBER() OVER (ORDER BY {}) AS list_rank, {}, {} {} JOIN {} x
                        ON x.contract_id = c.id WHERE 1 = 1",
                query.order,
                super::super::contracts::HEADING_COLUMNS,
                query.columns,
                super::super::contracts::FROM,
                query.table
            ))
            .append(&query.restricted(RecordScope::Contract(contract)));
    }
    sql.push(" ORDER BY list_index, list_rank");
    let mut listed: Vec<(List, Vec<Listed>)> = lists.iter().map(|&l| (l, Vec::new())).collect();
    for row in sql.query().fetch_all(conn).await? {
        let index = usize::try_from(row.try_get::<i64, _>("list_index")?)
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        let (Some((_, rows)), Some(query)) = (listed.get_mut(index), queries.get(index)) else {
            return Err(sqlx::Error::RowNotFound);
        };
        rows.push(dated(Listed::from_row(&row)?, query.deadline_shift)?);
    }
    Ok(listed)
}

/// How many contracts are on `list` on each of `days`: one pass over the list's standings table, a
/// count per day (twelve separate counts would each walk an index, and cost seconds at scale).
pub async fn totals_on(
    conn: &mut Conn,
    scope: RecordScope<'_>,
    list: List,
    days: &[NaiveDate],
    rules: &Rules,
) -> Result<Vec<i64>, sqlx::Error> {
    let Some(first) = days.first() else {
        return Ok(Vec::new());
    };
    let table = Query::of(list, *first, rules).table;
    let mut sql = Sql::new("SELECT ");
    for (at, day) in days.iter().enumerate() {
        sql.push(if at == 0 { "" } else { ", " })
            .push("CAST(SUM(CASE WHEN 1 = 1")
            .append(&Query::of(list, *day, rules).condition)
            .push(" THEN 1 ELSE 0 END) AS BIGINT)");
    }
    sql.push(&format!(" FROM {table} x WHERE 1 = 1"));
    restrict(&mut sql, scope);
    let row: sqlx::any::AnyRow = sql.query().fetch_one(conn).await?;
    (0..days.len())
        .map(|at| {
            use sqlx::Row;
            Ok(row.try_get::<Option<i64>, _>(at)?.unwrap_or(0))
        })
        .collect()
}

/// How many contracts on `list` on `as_of` fall due on each day (after the list's shift), earliest
/// first: the counts a deadline timeline draws.
pub async fn due_by_day(
    conn: &mut Conn,
    scope: RecordScope<'_>,
    list: List,
    as_of: NaiveDate,
    rules: &Rules,
) -> Result<Vec<(NaiveDate, i64)>, sqlx::Error> {
    let query = Query::of(list, as_of, rules);
    let mut sql = Sql::new(&format!(
        "SELECT {deadline}, COUNT(*) FROM {table} x WHERE 1 = 1",
        deadline = query.deadline,
        table = query.table
    ));
    sql.append(&query.restricted(scope));
    sql.push(&format!(" GROUP BY {0} ORDER BY {0}", query.deadline));
    let rows: Vec<(String, i64)> = sql.query_as().fetch_all(conn).await?;
    rows.into_iter()
        .map(|(day, n)| {
            let due = day_of(&day)?
                .checked_add_days(Days::new(query.deadline_shift))
                .unwrap_or(NaiveDate::MAX);
            Ok((due, n))
        })
        .collect()
}

/// How many contracts active on `as_of` each of `vendors` holds.
pub async fn active_by_vendor(
    conn: &mut Conn,
    scope: RecordScope<'_>,
    as_of: NaiveDate,
    vendors: &[VendorId],
) -> Result<Vec<(VendorId, i64)>, sqlx::Error> {
    let mut counts = Vec::with_capacity(vendors.len());
    for chunk in vendors.chunks(500) {
        let mut sql =
            Sql::new("SELECT x.vendor_id, COUNT(*) FROM contract_standings x WHERE 1 = 1");
        active(&mut sql, as_of);
        restrict(&mut sql, scope);
        sql.and_in("x.vendor_id", chunk);
        sql.push(" GROUP BY x.vendor_id");
        let rows: Vec<(VendorId, i64)> = sql.query_as().fetch_all(&mut *conn).await?;
        counts.extend(rows);
    }
    Ok(counts)
}

/// Whom a count is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    Department(DepartmentId),
    Vendor(VendorId),
}

/// How many contracts are on each list on `as_of`, by department and by vendor: for each standings
/// table, one pass per grouping, counting every list that reads the table. (Grouped by the pair, the
/// answer is a row per contract or so at prefecture scale: 60,000 rows at 100k contracts.) A count
/// kept of a standings table is brought forward by counting again only the groups written since.
pub async fn counted(
    conn: &mut Conn,
    reads: &Reads<'_>,
    scope: RecordScope<'_>,
    as_of: NaiveDate,
    rules: &Rules,
) -> Result<Counted, sqlx::Error> {
    use std::hash::{Hash, Hasher};
    let mut tables = Vec::new();
    let mut key = rustc_hash::FxHasher::default();
    for (table, queries) in by_table(&List::ALL, as_of, rules) {
        summed(table, &queries, "department_id", None, scope)
            .key()
            .hash(&mut key);
        tables.push(TableCounts {
            by_department: grouped(conn, reads, scope, table, &queries, "department_id").await?,
            by_vendor: grouped(conn, reads, scope, table, &queries, "vendor_id").await?,
            lists: queries.into_iter().map(|(list, _)| list).collect(),
        });
    }
    Ok(Counted {
        tables,
        key: key.finish(),
    })
}

/// The counts of every list by department and by vendor, as [`counted`] reads them.
pub struct Counted {
    tables: Vec<TableCounts>,
    key: u64,
}

/// The counts of the lists of one standings table.
struct TableCounts {
    lists: Vec<List>,
    by_department: Regrouped<Numbers>,
    by_vendor: Regrouped<Numbers>,
}

impl TableCounts {
    fn groupings(&self) -> [(&Regrouped<Numbers>, bool); 2] {
        [(&self.by_department, true), (&self.by_vendor, false)]
    }
}

/// Counts handed on: one department's or vendor's counts of some lists, none of them 0.
type Each<'a> = &'a mut dyn FnMut(By, &[(List, i64)]);

impl Counted {
    /// What the counts are of (the scope, the day and the rules), as a number; counts of the same
    /// key may still be of other versions of the tables.
    pub fn key(&self) -> u64 {
        self.key
    }

    /// At most how many departments and how many vendors have a count: the most rows of one table.
    pub fn most_groups(&self) -> (usize, usize) {
        let most = |rows: fn(&TableCounts) -> usize| self.tables.iter().map(rows).max();
        let departments = most(|table| table.by_department.rows.len());
        let vendors = most(|table| table.by_vendor.rows.len());
        (departments.unwrap_or(0), vendors.unwrap_or(0))
    }

    /// Hands `each` a department or vendor with its counts of the lists of one table, none of them
    /// 0. Returns how many contracts are on each list: the sums of the departments' counts, as
    /// [`totals`].
    pub fn each(&self, mut each: impl FnMut(By, &[(List, i64)])) -> Vec<(List, i64)> {
        let mut totals = zeroes(&List::ALL);
        for table in &self.tables {
            for (grouping, of_department) in table.groupings() {
                let rows = grouping.rows.iter();
                hand_on(rows, &table.lists, of_department, 1, &mut totals, &mut each);
            }
        }
        totals
    }

    /// When these counts were brought forward from `before`'s (each table's, read at other
    /// versions or the same), hands `each` what changed: the counts of a department or vendor
    /// that are gone, negated, and those that came, and adds the changes to `totals`, the totals
    /// of `before`. Otherwise false, and nothing is handed on.
    pub fn since(
        &self,
        before: &Counted,
        totals: &mut [(List, i64)],
        mut each: impl FnMut(By, &[(List, i64)]),
    ) -> bool {
        let tables = self.tables.iter().zip(&before.tables);
        let brought_forward = self.tables.len() == before.tables.len()
            && tables.clone().all(|(now, then)| {
                let pairs = now.groupings().into_iter().zip(then.groupings());
                now.lists == then.lists
                    && pairs.into_iter().all(|((now, _), (then, _))| {
                        now.from
                            .as_ref()
                            .is_some_and(|from| std::sync::Arc::ptr_eq(&from.before, &then.rows))
                    })
            });
        if !brought_forward {
            return false;
        }
        for table in &self.tables {
            for (grouping, of_department) in table.groupings() {
                let Some(from) = &grouping.from else { continue };
                for (rows, sign) in [(&from.added, 1), (&from.removed, -1)] {
                    let lists = &table.lists;
                    hand_on(rows.iter(), lists, of_department, sign, totals, &mut each);
                }
            }
        }
        true
    }
}

/// Hands `each` the counts of `rows` (of `lists`, by department or by vendor), times `sign`,
/// adding those by department to `totals`.
fn hand_on<'r>(
    rows: impl Iterator<Item = &'r Numbers>,
    lists: &[List],
    of_department: bool,
    sign: i64,
    totals: &mut [(List, i64)],
    each: Each<'_>,
) {
    let mut counts = Vec::new();
    for numbers in rows {
        let (id, row) = (numbers.group(), &numbers.0);
        let by = if of_department {
            add_to(totals, lists, numbers, sign);
            By::Department(DepartmentId::new(id))
        } else {
            By::Vendor(VendorId::new(id))
        };
        counts.clear();
        for (n, list) in row[1..].iter().zip(lists) {
            if let Some(n @ 1..) = n {
                counts.push((*list, *n * sign));
            }
        }
        if !counts.is_empty() {
            each(by, &counts);
        }
    }
}

/// The counts of the lists `queries` of `table` by `column`, brought forward from those kept by
/// counting again only the groups written since.
async fn grouped(
    conn: &mut Conn,
    reads: &Reads<'_>,
    scope: RecordScope<'_>,
    table: &str,
    queries: &[(List, Query)],
    column: &str,
) -> Result<Regrouped<Numbers>, sqlx::Error> {
    let sql = summed(table, queries, column, None, scope);
    let only = |ids: &[i64]| Some(summed(table, queries, column, Some(ids), scope));
    kept_reads::fetch_regrouped(conn, reads, &sql, column, Numbers::group, only).await
}

/// A row of integers, as many as the query selects; shared, since a count brought forward hands
/// on every row of the groups not touched.
#[derive(Clone)]
struct Numbers(std::sync::Arc<[Option<i64>]>);

impl Numbers {
    /// The group a grouped count's row is of (its first column).
    fn group(&self) -> i64 {
        self.0.first().copied().flatten().unwrap_or_default()
    }
}

impl<'r> FromRow<'r, sqlx::any::AnyRow> for Numbers {
    fn from_row(row: &'r sqlx::any::AnyRow) -> Result<Self, sqlx::Error> {
        use sqlx::Row;
        (0..row.len())
            .map(|at| row.try_get::<Option<i64>, _>(at))
            .collect::<Result<std::sync::Arc<[Option<i64>]>, _>>()
            .map(Numbers)
    }
}

/// How many contracts are on each of `lists` on `as_of`: the sums of the counts by department that
/// [`counted`] reads (every contract is in one department), so that after a write only the
/// departments it touched are counted again, and a report and the dashboard share one count.
pub async fn totals(
    conn: &mut Conn,
    reads: &Reads<'_>,
    scope: RecordScope<'_>,
    lists: &[List],
    as_of: NaiveDate,
    rules: &Rules,
) -> Result<Vec<(List, i64)>, sqlx::Error> {
    let mut totals = zeroes(lists);
    for (table, queries) in by_table(&List::ALL, as_of, rules) {
        if !queries.iter().any(|(list, _)| lists.contains(list)) {
            continue;
        }
        let rows = grouped(conn, reads, scope, table, &queries, "department_id").await?;
        let of_table: Vec<List> = queries.iter().map(|(list, _)| *list).collect();
        for numbers in rows.rows.iter() {
            add_to(&mut totals, &of_table, numbers, 1);
        }
    }
    Ok(totals)
}

/// Each of `lists` with a count of 0.
fn zeroes(lists: &[List]) -> Vec<(List, i64)> {
    lists.iter().map(|list| (*list, 0)).collect()
}

/// Adds a department's counts (a row of [`summed`] over `lists`), times `sign`, to the totals of
/// the lists kept.
fn add_to(totals: &mut [(List, i64)], lists: &[List], department: &Numbers, sign: i64) {
    for (n, list) in department.0[1..].iter().zip(lists) {
        if let Some((_, total)) = totals.iter_mut().find(|(of, _)| of == list) {
            *total += n.unwrap_or(0) * sign;
        }
    }
}

/// The queries of `lists` on `as_of`, gathered by the standings table each reads.
fn by_table(
    lists: &[List],
    as_of: NaiveDate,
    rules: &Rules,
) -> Vec<(&'static str, Vec<(List, Query)>)> {
    let mut tables: Vec<(&'static str, Vec<(List, Query)>)> = Vec::new();
    for list in lists {
        let query = Query::of(*list, as_of, rules);
        match tables.iter_mut().find(|(table, _)| *table == query.table) {
            Some((_, queries)) => queries.push((*list, query)),
            None => tables.push((query.table, vec![(*list, query)])),
        }
    }
    tables
}

/// `SELECT x.column, SUM(CASE WHEN <a list's condition> THEN 1 ELSE 0 END), … FROM table x` over
/// the rows any of the lists may hold that `scope` covers, grouped by `column` (and only of the
/// groups `only` names, if given).
fn summed(
    table: &str,
    queries: &[(List, Query)],
    column: &str,
    only: Option<&[i64]>,
    scope: RecordScope<'_>,
) -> Sql {
    let mut sql = Sql::new(&format!("SELECT x.{column}, "));
    for (at, (_, query)) in queries.iter().enumerate() {
        sql.push(if at == 0 { "" } else { ", " })
            .push("CAST(SUM(CASE WHEN 1 = 1")
            .append(&query.condition)
            .push(" THEN 1 ELSE 0 END) AS BIGINT)");
    }
    sql.push(&format!(" FROM {table} x WHERE ("));
    for (at, (_, query)) in queries.iter().enumerate() {
        sql.push(if at == 0 { "(1 = 1" } else { " OR (1 = 1" })
            .append(&query.condition)
            .push(")");
    }
    sql.push(")");
    restrict(&mut sql, scope);
    if let Some(ids) = only {
        sql.and_in(&format!("x.{column}"), ids);
    }
    sql.push(&format!(" GROUP BY x.{column}"));
    sql
}

/// An active contract of a vendor whose certificate is ending, in as few columns as a count needs.
#[derive(Debug, Clone, FromRow)]
pub struct Holding {
    pub contract_id: ContractId,
    /// Shared, as a kept read brought forward hands on every row of the vendors not touched.
    #[sqlx(try_from = "String")]
    pub contract_number: std::sync::Arc<str>,
    pub department_id: DepartmentId,
    pub vendor_id: VendorId,
}

/// The active contracts of vendors one of whose certificates expires by `until` (or has expired):
/// those a certificate report may list.
pub async fn active_with_certificates_ending(
    conn: &mut Conn,
    reads: &Reads<'_>,
    scope: RecordScope<'_>,
    as_of: NaiveDate,
    until: NaiveDate,
) -> Result<std::sync::Arc<Vec<Holding>>, sqlx::Error> {
    let holdings = |vendors: Option<&[i64]>| {
        let mut sql = Sql::new(
            "SELECT x.contract_id, c.contract_number, x.department_id, x.vendor_id
             FROM contract_standings x JOIN contracts c ON c.id = x.contract_id WHERE 1 = 1",
        );
        active(&mut sql, as_of);
        sql.push(
            " AND x.vendor_id IN (SELECT vendor_id FROM certifications WHERE verification = 'verified'
             AND (valid_until <= ",
        )
        .bind(iso(until))
        // An ISMS certificate against the 2013 edition counts only to the transition's end, whatever
        // its printed expiry.
        .push(" OR (scheme = 'isms' AND standard = '2013'))");
        // Narrowed here too, so that a few vendors' certificates are found by index (SQLite would
        // otherwise list every verified certificate for one contract's page: 10 ms at 300k).
        if let Some(vendors) = vendors {
            sql.and_in("vendor_id", vendors);
        }
        match scope {
            RecordScope::Contract(id) => {
                sql.push(" AND vendor_id = (SELECT s.vendor_id FROM contract_standings s WHERE s.contract_id = ")
                    .bind(id)
                    .push(")");
            }
            RecordScope::Visible(Visibility::Vendor(vendor_id)) => {
                sql.push(" AND vendor_id = ").bind(*vendor_id);
            }
            RecordScope::Visible(_) => {}
        }
        sql.push(")");
        restrict(&mut sql, scope);
        of_vendors(&mut sql, vendors);
        sql
    };
    let of_vendor = |holding: &Holding| holding.vendor_id.get();
    by_vendor(conn, reads, holdings, of_vendor).await
}

/// Narrows a query of contract standings (`x`) to these vendors, when given.
fn of_vendors(sql: &mut Sql, vendors: Option<&[i64]>) {
    if let Some(vendors) = vendors {
        sql.and_in("x.vendor_id", vendors);
    }
}

/// The rows of `query`, each of the vendor `vendor_of` reads from it as `contract_standings` gives
/// it: kept, and after a write read again for the vendors it touched alone (`query(Some(vendors))`).
async fn by_vendor<T>(
    conn: &mut Conn,
    reads: &Reads<'_>,
    query: impl Fn(Option<&[i64]>) -> Sql,
    vendor_of: fn(&T) -> i64,
) -> Result<std::sync::Arc<Vec<T>>, sqlx::Error>
where
    T: for<'r> FromRow<'r, sqlx::any::AnyRow> + Clone + Send + Sync + Unpin + 'static,
{
    let whole = query(None);
    let touched = |vendors: &[i64]| Some(query(Some(vendors)));
    let read = kept_reads::fetch_regrouped(conn, reads, &whole, "vendor_id", vendor_of, touched);
    Ok(read.await?.rows)
}

/// The headings of the contracts with these ids (already within the reader's scope).
pub async fn headings(
    conn: &mut Conn,
    reads: &Reads<'_>,
    ids: &[ContractId],
) -> Result<Vec<ContractHeading>, sqlx::Error> {
    let mut found = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let of = |ids: &[ContractId]| {
            let mut sql = Sql::new(&format!(
                "SELECT {} {} WHERE 1 = 1",
                super::super::contracts::HEADING_COLUMNS,
                super::super::contracts::FROM
            ));
            sql.and_in("c.id", ids);
            sql
        };
        // After a write, only those of the contracts it touched are read again; none, when it
        // touched none of these.
        let touched = |touched: &[i64]| {
            let touched: Vec<ContractId> = chunk
                .iter()
                .filter(|id| touched.contains(&id.get()))
                .copied()
                .collect();
            (!touched.is_empty()).then(|| of(&touched))
        };
        let id_of = |contract: &ContractHeading| contract.id.get();
        let rows =
            kept_reads::fetch_regrouped(conn, reads, &of(chunk), "contract_id", id_of, touched)
                .await?;
        found.extend(rows.rows.iter().cloned());
    }
    Ok(found)
}

/// The counts behind the KPIs: important contracts active on `as_of` (all, and with this fiscal
/// year's audit report accepted by then), and the former by vendor.
#[derive(Debug, Clone, Default)]
pub struct ImportantActive {
    pub contracts: i64,
    pub audited: i64,
    pub by_vendor: Vec<(VendorId, i64)>,
}

pub async fn important_active(
    conn: &mut Conn,
    reads: &Reads<'_>,
    scope: RecordScope<'_>,
    as_of: NaiveDate,
) -> Result<ImportantActive, sqlx::Error> {
    let counted = |vendors: Option<&[i64]>| {
        let mut sql = Sql::new(
            "SELECT x.vendor_id, COUNT(*) FROM contract_standings x WHERE x.important = 1",
        );
        active(&mut sql, as_of);
        restrict(&mut sql, scope);
        of_vendors(&mut sql, vendors);
        sql.push(" GROUP BY x.vendor_id");
        sql
    };
    let of_vendor = |(vendor, _): &(VendorId, i64)| vendor.get();
    let by_vendor = by_vendor(conn, reads, counted, of_vendor).await?;
    // Counted by vendor too, so that after an audit report only its vendor is counted again: a
    // count of the whole year read every important contract's standing of it (40 ms at 300k).
    let audited = |vendors: Option<&[i64]>| {
        let mut sql =
            Sql::new("SELECT x.vendor_id, COUNT(*) FROM audit_standings x WHERE x.important = 1");
        active(&mut sql, as_of);
        sql.push(" AND x.fiscal_year = ")
            .bind(i64::from(FiscalYear::of(as_of).start_year()))
            .push(" AND x.accepted_on <= ")
            .bind(iso(as_of));
        restrict(&mut sql, scope);
        of_vendors(&mut sql, vendors);
        sql.push(" GROUP BY x.vendor_id");
        sql
    };
    let audited = self::by_vendor(conn, reads, audited, of_vendor).await?;
    Ok(ImportantActive {
        contracts: by_vendor.iter().map(|(_, n)| n).sum(),
        audited: audited.iter().map(|(_, n)| n).sum(),
        by_vendor: by_vendor.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_contract_on_no_list_is_no_statement_and_on_every_list_is_one() {
        let db = crate::db::Db::connect("sqlite::memory:", 1).await.unwrap();
        let mut conn = db.acquire().await.unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 12, 8).unwrap();
        let (contract, rules) = (ContractId::new(1), Rules::default());
        let none = listed_for_contract(&mut conn, contract, &[], day, &rules).await;
        assert!(none.unwrap().is_empty());
        let every = listed_for_contract(&mut conn, contract, &List::ALL, day, &rules).await;
        let every = every.unwrap();
        assert_eq!(every.len(), List::ALL.len());
        assert!(every.iter().all(|(_, rows)| rows.is_empty()));
    }
}
