//! A judged report as JSON, the shape scripts and schedulers read: each list as read in its window,
//! and `totals` with every list's full length.

use super::{Dashboard, Entry, ReportKind, Tally, Window};
use crate::db::standings::judged::List;
use crate::domain::certification::CertStatus;
use crate::error::AppResult;
use serde_json::{Map, Value};

type JsonResult = Result<Value, serde_json::Error>;

/// Where a list's entries are read from when every one is written (`super::stream`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Source {
    Listed(List),
    /// The check sheets missing: the first ones and this year's, in one order of lateness.
    ChecklistsMissing,
    /// Contracts whose vendor's certificate has expired, or is expiring.
    Certificates(CertStatus),
}

/// A list of a report: its name in the JSON, the entries read, its full length and its source.
pub(super) type Lists<'a> = Vec<(&'static str, &'a [Entry], usize, Source)>;
type Section = for<'a> fn(&'a Dashboard) -> Lists<'a>;

fn retention(d: &Dashboard) -> Lists<'_> {
    let (r, t) = (&d.retention, &d.totals);
    vec![
        (
            "violations",
            &r.violations,
            t.retention_violations,
            Source::Listed(List::RetentionViolations),
        ),
        (
            "due_soon",
            &r.due_soon,
            t.deletions_due_soon,
            Source::Listed(List::DeletionsDueSoon),
        ),
        (
            "resolved_late",
            &r.resolved_late,
            t.deletions_resolved_late,
            Source::Listed(List::DeletionsResolvedLate),
        ),
    ]
}

fn audits(d: &Dashboard) -> Lists<'_> {
    let (a, t) = (&d.audits, &d.totals);
    vec![
        (
            "overdue",
            &a.overdue,
            t.audits_overdue,
            Source::Listed(List::AuditsOverdue),
        ),
        (
            "due_soon",
            &a.due_soon,
            t.audits_due_soon,
            Source::Listed(List::AuditsDueSoon),
        ),
        (
            "resolved_late",
            &a.resolved_late,
            t.audits_resolved_late,
            Source::Listed(List::AuditsResolvedLate),
        ),
    ]
}

fn certifications(d: &Dashboard) -> Lists<'_> {
    let (c, t) = (&d.certifications, &d.totals);
    vec![
        (
            "expired",
            &c.expired,
            t.certificates_expired,
            Source::Certificates(CertStatus::Expired),
        ),
        (
            "expiring",
            &c.expiring,
            t.certificates_expiring,
            Source::Certificates(CertStatus::Expiring),
        ),
        (
            "unconfirmed",
            &c.unconfirmed,
            t.declarations_unconfirmed,
            Source::Listed(List::DeclarationsUnconfirmed),
        ),
    ]
}

fn checklists(d: &Dashboard) -> Lists<'_> {
    let (c, t) = (&d.checklists, &d.totals);
    vec![
        (
            "missing",
            &c.missing,
            t.checklists_missing,
            Source::ChecklistsMissing,
        ),
        (
            "returned",
            &c.returned,
            t.checklists_returned,
            Source::Listed(List::ChecklistsReturned),
        ),
    ]
}

fn subcontracting(d: &Dashboard) -> Lists<'_> {
    vec![(
        "unapproved",
        &d.subcontracting.unapproved,
        d.totals.unapproved_subcontracting,
        Source::Listed(List::UnapprovedSubcontracting),
    )]
}

fn corrective(d: &Dashboard) -> Lists<'_> {
    let (c, t) = (&d.corrective, &d.totals);
    vec![
        (
            "overdue",
            &c.overdue,
            t.corrective_overdue,
            Source::Listed(List::CorrectiveOverdue),
        ),
        (
            "due",
            &c.due,
            t.corrective_due,
            Source::Listed(List::CorrectiveDue),
        ),
    ]
}

fn clauses(d: &Dashboard) -> Lists<'_> {
    let (c, t) = (&d.clauses, &d.totals);
    vec![
        (
            "overdue",
            &c.overdue,
            t.clauses_overdue,
            Source::Listed(List::ClausesOverdue),
        ),
        (
            "due_soon",
            &c.due_soon,
            t.clauses_due_soon,
            Source::Listed(List::ClausesDueSoon),
        ),
    ]
}

fn star(d: &Dashboard) -> Lists<'_> {
    vec![(
        "shortfall",
        &d.star.shortfall,
        d.totals.star_shortfall,
        Source::Listed(List::StarShortfall),
    )]
}

fn suspensions(d: &Dashboard) -> Lists<'_> {
    vec![(
        "active",
        &d.suspensions.active,
        d.totals.suspended,
        Source::Listed(List::SuspendedVendors),
    )]
}

fn contacts(d: &Dashboard) -> Lists<'_> {
    vec![(
        "missing",
        &d.contacts.missing,
        d.totals.contacts_missing,
        Source::Listed(List::ContactsMissing),
    )]
}

/// The sections of `all` made of lists, by their key.
const SECTIONS: [(&str, Section); 10] = [
    ("retention", retention),
    ("audits", audits),
    ("certifications", certifications),
    ("checklists", checklists),
    ("subcontracting", subcontracting),
    ("corrective", corrective),
    ("clauses", clauses),
    ("star", star),
    ("suspensions", suspensions),
    ("contacts", contacts),
];

/// The report of `kind` when it is one section of lists.
fn section_of(kind: ReportKind) -> Option<Section> {
    let section: Section = match kind {
        ReportKind::Retention => retention,
        ReportKind::Audits => audits,
        ReportKind::Certifications => certifications,
        ReportKind::Checklists => checklists,
        ReportKind::Subcontracting => subcontracting,
        ReportKind::Corrective => corrective,
        ReportKind::Clauses => clauses,
        ReportKind::Incidents | ReportKind::Kpi | ReportKind::All => return None,
    };
    Some(section)
}

/// The lists the JSON of `kind` holds: the key of the section holding each (for `all`), its own
/// key, and where its entries come from.
pub(super) fn lists_in(
    kind: ReportKind,
    d: &Dashboard,
) -> Vec<(Option<&'static str>, &'static str, Source)> {
    let named = |section: Option<&'static str>, lists: Lists<'_>| {
        lists
            .into_iter()
            .map(move |(name, _, _, source)| (section, name, source))
            .collect::<Vec<_>>()
    };
    match section_of(kind) {
        Some(section) => named(None, section(d)),
        None if kind == ReportKind::All => SECTIONS
            .iter()
            .flat_map(|(key, section)| named(Some(key), section(d)))
            .collect(),
        None => Vec::new(),
    }
}

/// The full length of the list `source` reads, as `d` counted it.
pub(super) fn total_of(d: &Dashboard, source: Source) -> usize {
    SECTIONS
        .iter()
        .flat_map(|(_, section)| section(d))
        .find(|(_, _, _, listed)| *listed == source)
        .map_or(0, |(_, _, total, _)| total)
}

/// `{as_of, <list>: [entries]…, totals: {<list>: full length…}}`.
fn section(d: &Dashboard, lists: Lists<'_>) -> JsonResult {
    let mut object = Map::new();
    let mut totals = Map::new();
    object.insert("as_of".into(), serde_json::to_value(d.as_of)?);
    for (name, list, total, _) in lists {
        object.insert(name.into(), serde_json::to_value(list)?);
        totals.insert(name.into(), total.into());
    }
    object.insert("totals".into(), totals.into());
    Ok(object.into())
}

/// A report of a dashboard read in `window` as JSON; the counts by department and by vendor, which
/// are whole, are cut to the same window.
pub fn to_json(dashboard: &Dashboard, kind: ReportKind, window: Window) -> AppResult<Value> {
    let d = dashboard;
    debug_assert!(d.judged == ReportKind::All || d.judged == kind);
    let value = match (kind, section_of(kind)) {
        (_, Some(lists)) => section(d, lists(d)),
        (ReportKind::Incidents, None) => serde_json::to_value(&d.incidents),
        (ReportKind::Kpi, None) => serde_json::to_value(&d.kpi),
        (_, None) => all(d, window),
    };
    value.map_err(|e| crate::error::AppError::Internal(e.to_string()))
}

fn all(d: &Dashboard, window: Window) -> JsonResult {
    let tallies = |list: &[Tally]| window.cut(list.to_vec());
    let mut all = Map::new();
    all.insert("as_of".into(), serde_json::to_value(d.as_of)?);
    all.insert(
        "by_department".into(),
        serde_json::to_value(tallies(&d.by_department))?,
    );
    all.insert(
        "by_vendor".into(),
        serde_json::to_value(tallies(&d.by_vendor))?,
    );
    let totals = serde_json::json!({
        "by_department": d.tallied.departments,
        "by_vendor": d.tallied.vendors,
    });
    all.insert("totals".into(), totals);
    for (key, lists) in SECTIONS {
        all.insert(key.into(), section(d, lists(d))?);
    }
    all.insert("incidents".into(), serde_json::to_value(&d.incidents)?);
    all.insert("kpi".into(), serde_json::to_value(&d.kpi)?);
    Ok(all.into())
}
