//! The dashboard of a day, assembled from the standings (`db::standings::judged`): every list is an
//! indexed query of the rows its day can list, read in one snapshot of the data, so a figure is the
//! data's as of the request on every server sharing the database.

use super::{
    sort_by_lateness, AuditsReport, By, CertificationsReport, ChecklistsReport, ClausesReport,
    ContactsReport, CorrectiveReport, Count, Counter, Dashboard, Entry, RetentionReport,
    StarReport, SubcontractingReport, SuspensionsReport, Totals, Window,
};
use crate::config::Settings;
use crate::db::certifications::{self, Certification};
use crate::db::contracts::{Contract, RecordScope, Visibility};
use crate::db::standings::judged::{self, List, Listed};
use crate::db::{Conn, Db};
use crate::domain::certification::{CertStatus, Scheme};
use crate::domain::ids::{DepartmentId, VendorId};
use crate::domain::obligation::Rules;
use crate::domain::FiscalYear;
use crate::error::AppResult;
use crate::judging;
use chrono::{Days, NaiveDate};
use std::collections::HashMap;

/// Every report at once, each list read in `window`, with every list's full length and the counts
/// by department and by vendor, for what `visibility` may see.
pub async fn dashboard(
    db: &Db,
    settings: &Settings,
    visibility: &Visibility,
    as_of: NaiveDate,
    window: Window,
) -> AppResult<Dashboard> {
    let mut snapshot = db.begin_snapshot().await?;
    let held = match visibility {
        Visibility::Vendor(vendor_id) => {
            certifications::for_vendor(&mut snapshot, *vendor_id).await?
        }
        _ => certifications::all(&mut snapshot).await?,
    };
    let scope = RecordScope::Visible(visibility);
    let dashboard = judge(&mut snapshot, settings, scope, held, as_of, window).await?;
    snapshot.rollback().await?;
    Ok(dashboard)
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
    let scope = RecordScope::Contract(contract.id);
    let dashboard = judge(&mut snapshot, settings, scope, held, as_of, Window::ALL).await?;
    snapshot.rollback().await?;
    Ok(judging::todo_list(&dashboard)
        .into_iter()
        .cloned()
        .collect())
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

/// Each list's window of entries and its full length, and its counts by department and vendor.
async fn read_lists(
    conn: &mut Conn,
    scope: RecordScope<'_>,
    rules: &Rules,
    as_of: NaiveDate,
    window: Window,
    counts: &mut Vec<Count>,
) -> AppResult<HashMap<List, (Vec<Entry>, usize)>> {
    let limit = i64::try_from(window.end()).ok();
    let mut lists: HashMap<List, (Vec<Entry>, usize)> = HashMap::new();
    for list in List::ALL {
        let rows = judged::listed(conn, scope, list, as_of, rules, limit).await?;
        let entries = rows
            .into_iter()
            .map(|row| entry(list, row, as_of))
            .collect();
        lists.insert(list, (entries, 0));
    }
    for (list, by, n) in judged::counted(conn, scope, as_of, rules).await? {
        // Every contract is in one department: the departments' counts add up to the list's length.
        if let (Some((_, total)), By::Department(_)) = (lists.get_mut(&list), by) {
            *total += n as usize;
        }
        if let Some(counter) = counter(list) {
            counts.push(Count {
                counter,
                by,
                entries: n as usize,
            });
        }
    }
    Ok(lists)
}

async fn judge(
    conn: &mut Conn,
    settings: &Settings,
    scope: RecordScope<'_>,
    held: Vec<Certification>,
    as_of: NaiveDate,
    window: Window,
) -> AppResult<Dashboard> {
    let rules = settings.obligation_rules();
    let mut counts = Vec::new();
    let mut lists = read_lists(conn, scope, &rules, as_of, window, &mut counts).await?;
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
    let (mut missing, first_missing) = take(List::ChecklistsMissing);
    let (yearly, yearly_missing) = take(List::YearlyChecklistsMissing);
    missing.extend(yearly);
    sort_by_lateness(&mut missing);
    let (returned, checklists_returned) = take(List::ChecklistsReturned);
    let checklists = ChecklistsReport {
        as_of,
        missing: window.cut(missing),
        returned: window.cut(returned),
    };
    let counting = counting_certificates(held, as_of);
    let (certifications, certificates_expired, certificates_expiring) =
        certificates(conn, scope, &counting, &rules, as_of, window, &mut counts).await?;
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
    let incidents = incidents_on(conn, scope, as_of).await?;
    let important = judged::important_active(conn, scope, as_of).await?;
    let kpi = judging::kpi(&important, &counting, &rules, as_of);
    let (department_names, vendor_names) = names(conn, &counts).await?;
    let (by_department, by_vendor) = judging::tallies(&counts, &department_names, &vendor_names);
    Ok(Dashboard {
        as_of,
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
) -> AppResult<crate::judging::IncidentsReport> {
    let reported = match scope {
        RecordScope::Visible(visibility) => {
            let until = crate::domain::incident::end_of_day(as_of);
            crate::db::incidents::reported_by(conn, visibility, until).await?
        }
        RecordScope::Contract(_) => Vec::new(),
    };
    Ok(crate::judging::IncidentsReport::of(reported, as_of))
}

/// The names of the departments and vendors counted.
async fn names(
    conn: &mut Conn,
    counts: &[Count],
) -> AppResult<(HashMap<DepartmentId, String>, HashMap<VendorId, String>)> {
    let departments = crate::db::departments::all(&mut *conn)
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    let mut vendor_ids: Vec<VendorId> = counts
        .iter()
        .filter_map(|c| match c.by {
            By::Vendor(id) => Some(id),
            By::Department(_) => None,
        })
        .collect();
    vendor_ids.sort();
    vendor_ids.dedup();
    let vendors = crate::db::vendors::names_of(conn, &vendor_ids)
        .await?
        .into_iter()
        .collect();
    Ok((departments, vendors))
}

/// The entry a row of `list` makes, in the words the reports use.
fn entry(list: List, row: Listed, as_of: NaiveDate) -> Entry {
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
    let mut entry = Entry::new(&row.contract, deadline, as_of, what);
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

/// The certificates that count on `as_of` (verified, issued by then), by vendor.
pub(super) fn counting_certificates(
    held: Vec<Certification>,
    as_of: NaiveDate,
) -> HashMap<VendorId, Vec<Certification>> {
    let mut by_vendor: HashMap<VendorId, Vec<Certification>> = HashMap::new();
    for certificate in held
        .into_iter()
        .filter(|c| c.verification.counts())
        .filter(|c| c.issued_on.is_none_or(|issued| issued <= as_of))
    {
        by_vendor
            .entry(certificate.vendor_id)
            .or_default()
            .push(certificate);
    }
    by_vendor
}

/// Active contracts whose vendor's current certificate of a scheme has expired or is expiring: the
/// entries in `window` of each list, every entry counted by department and vendor, and the lists'
/// full lengths (expired, expiring).
async fn certificates(
    conn: &mut Conn,
    scope: RecordScope<'_>,
    counting: &HashMap<VendorId, Vec<Certification>>,
    rules: &Rules,
    as_of: NaiveDate,
    window: Window,
    counts: &mut Vec<Count>,
) -> AppResult<(CertificationsReport, usize, usize)> {
    let windows = rules.expiry;
    let mut ending: HashMap<VendorId, Vec<(&Certification, CertStatus)>> = HashMap::new();
    for (vendor_id, held) in counting {
        for scheme in Scheme::ALL {
            if let Some((certificate, status)) = judging::current(held, scheme, &windows, as_of) {
                if status != CertStatus::Valid && certificate.valid_until.is_some() {
                    ending
                        .entry(*vendor_id)
                        .or_default()
                        .push((certificate, status));
                }
            }
        }
    }
    let mut report = CertificationsReport {
        as_of,
        expired: Vec::new(),
        expiring: Vec::new(),
        unconfirmed: Vec::new(),
    };
    if ending.is_empty() {
        return Ok((report, 0, 0));
    }
    // No certificate expiring later than this is expiring yet (プライバシーマーク's window is in months).
    let horizon = windows
        .days
        .max(u64::from(windows.pmark_opens_months) * 31 + 31);
    let until = as_of
        .checked_add_days(Days::new(horizon))
        .unwrap_or(NaiveDate::MAX);
    let holdings = judged::active_with_certificates_ending(conn, scope, as_of, until).await?;
    // Each list in its order (the expired longest ago first, the expiring soonest first; both are
    // by expiry day), counted whole, then read in full for the window only.
    let mut expired = Vec::new();
    let mut expiring = Vec::new();
    for holding in &holdings {
        for (certificate, status) in ending.get(&holding.vendor_id).into_iter().flatten() {
            let counter: Counter = if *status == CertStatus::Expired {
                |t| &mut t.certificates_expired
            } else {
                |t| &mut t.certificates_expiring
            };
            for by in [
                By::Department(holding.department_id),
                By::Vendor(holding.vendor_id),
            ] {
                counts.push(Count {
                    counter,
                    by,
                    entries: 1,
                });
            }
            let list = if *status == CertStatus::Expired {
                &mut expired
            } else {
                &mut expiring
            };
            list.push((certificate.valid_until, holding, *certificate, *status));
        }
    }
    let totals = (expired.len(), expiring.len());
    for (list, into) in [
        (expired, &mut report.expired),
        (expiring, &mut report.expiring),
    ] {
        let mut list = list;
        list.sort_by(|a, b| (a.0, &a.1.contract_number).cmp(&(b.0, &b.1.contract_number)));
        let shown = window.cut(list);
        let ids: Vec<_> = shown.iter().map(|(_, h, _, _)| h.contract_id).collect();
        let contracts: HashMap<_, Contract> = judged::contracts(conn, &ids)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
        for (_, holding, certificate, status) in shown {
            if let Some(contract) = contracts.get(&holding.contract_id) {
                into.push(judging::certificate_entry(
                    contract,
                    certificate,
                    status,
                    as_of,
                ));
            }
        }
    }
    Ok((report, totals.0, totals.1))
}
