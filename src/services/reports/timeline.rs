//! The coming 90 days week by week: how many deletion certificates, audit reports, certificate
//! renewals and returned check sheets fall due, judged by the same standings as the dashboard (what is
//! already overdue is on the dashboard, not here).

use crate::config::Settings;
use crate::db::contracts::{RecordScope, Visibility};
use crate::db::standings::judged::{self, List};
use crate::db::Db;
use crate::domain::certification::Scheme;
use crate::domain::dates::JpDate;
use crate::domain::ids::VendorId;
use crate::domain::obligation::Rules;
use crate::error::AppResult;
use chrono::{Datelike, Days, NaiveDate};
use serde::Serialize;
use std::collections::HashMap;

/// Days ahead, counting the day asked for as the first.
pub const DAYS: u64 = 91;
const WEEK: u64 = 7;

/// One week's deadlines.
#[derive(Debug, Clone, Default, Serialize)]
pub struct WeekPoint {
    pub first: NaiveDate,
    pub last: NaiveDate,
    /// `12/6〜`, the first day of the week.
    pub label: String,
    pub deletions: i64,
    pub audits: i64,
    pub certificates: i64,
    pub checklists: i64,
}

impl WeekPoint {
    pub fn total(&self) -> i64 {
        self.deletions + self.audits + self.certificates + self.checklists
    }

    /// 令和8年12月6日〜12月12日
    pub fn span(&self) -> String {
        format!(
            "{}〜{}月{}日",
            self.first.jp(),
            self.last.month(),
            self.last.day()
        )
    }
}

/// The weeks from `as_of`: thirteen of seven days, the first starting on `as_of`.
pub fn weeks(as_of: NaiveDate) -> Vec<WeekPoint> {
    (0..DAYS / WEEK)
        .filter_map(|n| {
            let first = as_of.checked_add_days(Days::new(n * WEEK))?;
            let last = first.checked_add_days(Days::new(WEEK - 1))?;
            Some(WeekPoint {
                first,
                last,
                label: format!("{}/{}〜", first.month(), first.day()),
                ..WeekPoint::default()
            })
        })
        .collect()
}

/// Adds each day's count to the week that holds it; days outside the weeks are left out.
fn add(weeks: &mut [WeekPoint], due: &[(NaiveDate, i64)], read: fn(&mut WeekPoint) -> &mut i64) {
    for (day, n) in due {
        if let Some(week) = weeks.iter_mut().find(|w| w.first <= *day && *day <= w.last) {
            *read(week) += n;
        }
    }
}

/// How many active contracts have a vendor whose current certificate of a scheme (as the dashboard
/// judges it: verified, issued by then, the one expiring last) expires on each day to `last`.
async fn certificates_ending(
    conn: &mut crate::db::Conn,
    kept: &super::judged::Kept<'_>,
    visibility: &Visibility,
    as_of: NaiveDate,
    last: NaiveDate,
    rules: &Rules,
) -> AppResult<Vec<(NaiveDate, i64)>> {
    let held = super::judged::held_by(conn, kept, visibility).await?;
    let counting = crate::judging::Counting::on(&held, as_of);
    let mut ending: Vec<(VendorId, NaiveDate)> = Vec::new();
    for (vendor_id, certificates) in counting.by_vendor() {
        for scheme in Scheme::ALL {
            let current = crate::judging::current(certificates, scheme, &rules.expiry, as_of);
            if let Some(until) = current.and_then(|(c, _)| c.valid_until) {
                if as_of <= until && until <= last {
                    ending.push((vendor_id, until));
                }
            }
        }
    }
    let mut vendors: Vec<VendorId> = ending.iter().map(|(v, _)| *v).collect();
    vendors.sort();
    vendors.dedup();
    let active: HashMap<VendorId, i64> =
        judged::active_by_vendor(conn, RecordScope::Visible(visibility), as_of, &vendors)
            .await?
            .into_iter()
            .collect();
    Ok(ending
        .into_iter()
        .filter_map(|(vendor, until)| active.get(&vendor).map(|n| (until, *n)))
        .collect())
}

pub async fn timeline(
    db: &Db,
    settings: &Settings,
    visibility: &Visibility,
    as_of: NaiveDate,
) -> AppResult<Vec<WeekPoint>> {
    let mut weeks = weeks(as_of);
    let last = weeks.last().map(|w| w.last).unwrap_or(as_of);
    let ahead = (last - as_of).num_days().max(0) as u64;
    // The "due soon" lists, widened to the whole timeline.
    let rules = Rules {
        deletion_warn_days: ahead,
        audit_warn_days: ahead,
        ..settings.obligation_rules()
    };
    let scope = RecordScope::Visible(visibility);
    let mut snapshot = db.begin_snapshot().await?;
    let deletions =
        judged::due_by_day(&mut snapshot, scope, List::DeletionsDueSoon, as_of, &rules).await?;
    let audits =
        judged::due_by_day(&mut snapshot, scope, List::AuditsDueSoon, as_of, &rules).await?;
    let checklists = judged::due_by_day(
        &mut snapshot,
        scope,
        List::ChecklistsReturned,
        as_of,
        &rules,
    )
    .await?;
    let kept = super::judged::Kept::of(&mut snapshot, db).await?;
    let certificates =
        certificates_ending(&mut snapshot, &kept, visibility, as_of, last, &rules).await?;
    snapshot.rollback().await?;
    add(&mut weeks, &deletions, |w| &mut w.deletions);
    add(&mut weeks, &audits, |w| &mut w.audits);
    add(&mut weeks, &certificates, |w| &mut w.certificates);
    add(&mut weeks, &checklists, |w| &mut w.checklists);
    Ok(weeks)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn thirteen_weeks_from_the_day_asked_and_counts_land_in_their_week() {
        let mut weeks = weeks(day(2026, 12, 6));
        assert_eq!(weeks.len(), 13);
        assert_eq!(weeks[0].first, day(2026, 12, 6));
        assert_eq!(weeks[0].last, day(2026, 12, 12));
        assert_eq!(weeks[12].last, day(2027, 3, 6));
        assert_eq!(weeks[4].label, "1/3〜");
        assert_eq!(weeks[0].span(), "令和8年12月6日〜12月12日");
        add(
            &mut weeks,
            &[
                (day(2026, 12, 5), 9),
                (day(2026, 12, 12), 2),
                (day(2026, 12, 13), 3),
                (day(2027, 3, 7), 9),
            ],
            |w| &mut w.audits,
        );
        assert_eq!(weeks[0].audits, 2);
        assert_eq!(weeks[1].audits, 3);
        assert_eq!(weeks.iter().map(WeekPoint::total).sum::<i64>(), 5);
    }
}
