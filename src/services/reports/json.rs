//! A judged report as JSON, the shape scripts and schedulers read, each list cut to a window.

use super::RetentionReport;
use super::{AuditsReport, CertificationsReport, ChecklistsReport, Dashboard, Entry, ReportKind};
use crate::error::AppResult;
use chrono::NaiveDate;
use serde::Serialize;

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
