//! The last twelve months: how many contracts held data past their deletion deadline, and how many
//! owed an overdue audit report, each judged as of the month's last day by the same standings as the
//! dashboard (the last point is the day asked for).

use crate::config::Settings;
use crate::db::contracts::{RecordScope, Visibility};
use crate::db::standings::judged::{self, List};
use crate::db::Db;
use crate::domain::dates::JpDate;
use crate::error::AppResult;
use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;

/// One month's figures.
#[derive(Debug, Clone, Serialize)]
pub struct MonthPoint {
    /// The day judged: the month's last day, or the day asked for in its own month.
    pub day: NaiveDate,
    /// `12月`, with the year on the first point and on each January (`令和8年1月`).
    pub label: String,
    pub retention_violations: i64,
    pub audits_overdue: i64,
}

pub const MONTHS: u32 = 12;

/// The days judged: the last day of each of the eleven months before `as_of`'s, then `as_of`.
pub fn days(as_of: NaiveDate) -> Vec<NaiveDate> {
    let first_of_month = as_of.with_day(1).unwrap_or(as_of);
    (1..MONTHS)
        .rev()
        .filter_map(|back| {
            let first = first_of_month.checked_sub_months(Months::new(back - 1))?;
            first.pred_opt()
        })
        .chain(std::iter::once(as_of))
        .collect()
}

fn label(day: NaiveDate, first: bool) -> String {
    if first || day.month() == 1 {
        let jp = day.jp();
        // 令和8年1月31日 → 令和8年1月
        jp.split_inclusive('月').next().unwrap_or(&jp).to_string()
    } else {
        format!("{}月", day.month())
    }
}

pub async fn trend(
    db: &Db,
    settings: &Settings,
    visibility: &Visibility,
    as_of: NaiveDate,
) -> AppResult<Vec<MonthPoint>> {
    let rules = settings.obligation_rules();
    let scope = RecordScope::Visible(visibility);
    let days = days(as_of);
    let mut snapshot = db.begin_snapshot().await?;
    let retention = judged::totals_on(
        &mut snapshot,
        scope,
        List::RetentionViolations,
        &days,
        &rules,
    )
    .await?;
    let audits =
        judged::totals_on(&mut snapshot, scope, List::AuditsOverdue, &days, &rules).await?;
    let points = days
        .iter()
        .zip(retention.into_iter().zip(audits))
        .enumerate()
        .map(
            |(at, (day, (retention_violations, audits_overdue)))| MonthPoint {
                day: *day,
                label: label(*day, at == 0),
                retention_violations,
                audits_overdue,
            },
        )
        .collect();
    snapshot.rollback().await?;
    Ok(points)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twelve_month_ends_then_the_day_asked_for() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let days = days(d(2026, 3, 15));
        assert_eq!(days.len(), 12);
        assert_eq!(days[0], d(2025, 4, 30));
        assert_eq!(days[9], d(2026, 1, 31));
        assert_eq!(days[10], d(2026, 2, 28));
        assert_eq!(days[11], d(2026, 3, 15));
        assert_eq!(label(days[0], true), "令和7年4月");
        assert_eq!(label(days[1], false), "5月");
        assert_eq!(label(days[9], false), "令和8年1月");
    }
}
