//! A judged report as JSON, the shape scripts and schedulers read: each list as read in its window,
//! and `totals` with every list's full length.

use super::{Dashboard, Entry, ReportKind, Tally, Window};
use crate::error::AppResult;
use serde_json::{Map, Value};

type JsonResult = Result<Value, serde_json::Error>;
type Lists<'a> = Vec<(&'static str, &'a [Entry], usize)>;

fn retention(d: &Dashboard) -> Lists<'_> {
    let (r, t) = (&d.retention, &d.totals);
    vec![
        ("violations", &r.violations, t.retention_violations),
        ("due_soon", &r.due_soon, t.deletions_due_soon),
        ("resolved_late", &r.resolved_late, t.deletions_resolved_late),
    ]
}

fn audits(d: &Dashboard) -> Lists<'_> {
    let (a, t) = (&d.audits, &d.totals);
    vec![
        ("overdue", &a.overdue, t.audits_overdue),
        ("due_soon", &a.due_soon, t.audits_due_soon),
        ("resolved_late", &a.resolved_late, t.audits_resolved_late),
    ]
}

fn certifications(d: &Dashboard) -> Lists<'_> {
    let (c, t) = (&d.certifications, &d.totals);
    vec![
        ("expired", &c.expired, t.certificates_expired),
        ("expiring", &c.expiring, t.certificates_expiring),
        ("unconfirmed", &c.unconfirmed, t.declarations_unconfirmed),
    ]
}

fn checklists(d: &Dashboard) -> Lists<'_> {
    let (c, t) = (&d.checklists, &d.totals);
    vec![
        ("missing", &c.missing, t.checklists_missing),
        ("returned", &c.returned, t.checklists_returned),
    ]
}

fn subcontracting(d: &Dashboard) -> Lists<'_> {
    vec![(
        "unapproved",
        &d.subcontracting.unapproved,
        d.totals.unapproved_subcontracting,
    )]
}

fn corrective(d: &Dashboard) -> Lists<'_> {
    let (c, t) = (&d.corrective, &d.totals);
    vec![
        ("overdue", &c.overdue, t.corrective_overdue),
        ("due", &c.due, t.corrective_due),
    ]
}

fn clauses(d: &Dashboard) -> Lists<'_> {
    let (c, t) = (&d.clauses, &d.totals);
    vec![
        ("overdue", &c.overdue, t.clauses_overdue),
        ("due_soon", &c.due_soon, t.clauses_due_soon),
    ]
}

/// `{as_of, <list>: [entries]…, totals: {<list>: full length…}}`.
fn section(d: &Dashboard, lists: Lists<'_>) -> JsonResult {
    let mut object = Map::new();
    let mut totals = Map::new();
    object.insert("as_of".into(), serde_json::to_value(d.as_of)?);
    for (name, list, total) in lists {
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
    let value = match kind {
        ReportKind::Retention => section(d, retention(d)),
        ReportKind::Audits => section(d, audits(d)),
        ReportKind::Certifications => section(d, certifications(d)),
        ReportKind::Checklists => section(d, checklists(d)),
        ReportKind::Subcontracting => section(d, subcontracting(d)),
        ReportKind::Corrective => section(d, corrective(d)),
        ReportKind::Clauses => section(d, clauses(d)),
        ReportKind::Incidents => serde_json::to_value(&d.incidents),
        ReportKind::Kpi => serde_json::to_value(&d.kpi),
        ReportKind::All => all(d, window),
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
        "by_department": d.by_department.len(),
        "by_vendor": d.by_vendor.len(),
    });
    all.insert("totals".into(), totals);
    all.insert("retention".into(), section(d, retention(d))?);
    all.insert("audits".into(), section(d, audits(d))?);
    all.insert("certifications".into(), section(d, certifications(d))?);
    all.insert("checklists".into(), section(d, checklists(d))?);
    all.insert("subcontracting".into(), section(d, subcontracting(d))?);
    all.insert("corrective".into(), section(d, corrective(d))?);
    all.insert("clauses".into(), section(d, clauses(d))?);
    all.insert("incidents".into(), serde_json::to_value(&d.incidents)?);
    all.insert(
        "star".into(),
        section(
            d,
            vec![("shortfall", &d.star.shortfall, d.totals.star_shortfall)],
        )?,
    );
    all.insert(
        "suspensions".into(),
        section(
            d,
            vec![("active", &d.suspensions.active, d.totals.suspended)],
        )?,
    );
    all.insert(
        "contacts".into(),
        section(
            d,
            vec![("missing", &d.contacts.missing, d.totals.contacts_missing)],
        )?,
    );
    all.insert("kpi".into(), serde_json::to_value(&d.kpi)?);
    Ok(all.into())
}
