//! What proof a contract owes and when, judged for any day: the data-deletion certificate after the
//! contract ends, and an accepted audit report for each fiscal year an important contract runs in.
//! Pure rules; the reports feed them what the database holds.

use super::FiscalYear;
use chrono::{Days, NaiveDate};
use serde::Serialize;

/// How an obligation with a deadline stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Standing {
    /// Not yet due and not close to it.
    Open,
    /// Due within the warning window; `days_left` is 0 on the deadline day itself.
    DueSoon { days_left: i64 },
    /// The deadline passed without the proof; `days_overdue` is 1 on the day after the deadline.
    Overdue { days_overdue: i64 },
    /// The proof was accepted on time.
    Met,
    /// The proof was accepted after the deadline: no longer owed, but the lateness is kept.
    MetLate { days_late: i64 },
}

impl Standing {
    /// Judges a deadline on `day`, given when (if ever) the proof was accepted. The deadline day is
    /// still on time; a proof accepted after `day` does not count yet.
    pub fn judge(
        deadline: NaiveDate,
        accepted_on: Option<NaiveDate>,
        day: NaiveDate,
        warn_days: u64,
    ) -> Self {
        match accepted_on.filter(|accepted| *accepted <= day) {
            Some(accepted) if accepted <= deadline => Standing::Met,
            Some(accepted) => Standing::MetLate {
                days_late: (accepted - deadline).num_days(),
            },
            None if day > deadline => Standing::Overdue {
                days_overdue: (day - deadline).num_days(),
            },
            None if deadline
                .checked_sub_days(Days::new(warn_days))
                .is_none_or(|from| day >= from) =>
            {
                Standing::DueSoon {
                    days_left: (deadline - day).num_days(),
                }
            }
            None => Standing::Open,
        }
    }
}

/// The settings obligations are judged by: what is due soon, which contracts owe audits and by when,
/// when a certificate is expiring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rules {
    pub deletion_warn_days: u64,
    pub audit: AuditRule,
    pub audit_warn_days: u64,
    pub expiry: super::certification::ExpiryWindows,
    /// A returned check sheet is owed again this many days after the day it was returned.
    pub resubmission_days: u64,
}

/// Which contracts owe a yearly audit report, and by when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AuditRule {
    /// Every contract owes one, not only important ones.
    pub all_contracts: bool,
    /// Days after the fiscal year's last day that the report is still on time (0: due on 3/31).
    pub due_days_after_year_end: u64,
    /// Fiscal years before this one are not checked (the year the municipality started the rule).
    pub first_fiscal_year: Option<FiscalYear>,
}

impl AuditRule {
    pub fn applies_to(&self, important: bool) -> bool {
        important || self.all_contracts
    }

    pub fn due_date(&self, year: FiscalYear) -> NaiveDate {
        year.last_day()
            .checked_add_days(Days::new(self.due_days_after_year_end))
            .unwrap_or(NaiveDate::MAX)
    }

    /// The fiscal years, begun by `day`, in which a contract running from `start` to `end` was active
    /// on at least one day: each owes a report.
    pub fn years_owed(&self, start: NaiveDate, end: NaiveDate, day: NaiveDate) -> Vec<FiscalYear> {
        let first = FiscalYear::of(start).start_year();
        let last = FiscalYear::of(end.min(day)).start_year();
        let floor = self
            .first_fiscal_year
            .map_or(i32::MIN, FiscalYear::start_year);
        if start > day {
            return Vec::new();
        }
        (first.max(floor)..=last)
            .filter_map(FiscalYear::new)
            .collect()
    }
}

/// Days into the fiscal year (or into what the confirmation is about, when it starts later) a yearly
/// confirmation is due by: インシデント連絡先 and SECURITY ACTION declarations.
pub const CONFIRMATION_DAYS: u64 = 30;

/// The day the fiscal year's confirmation is due for something in force from `since`.
pub fn yearly_confirmation_due(year: FiscalYear, since: NaiveDate) -> NaiveDate {
    let from = year.first_day().max(since);
    from.checked_add_days(Days::new(CONFIRMATION_DAYS))
        .unwrap_or(NaiveDate::MAX)
}

/// Where a yearly confirmation stands on a day.
#[derive(Debug, Clone, Serialize)]
pub struct YearlyConfirmation {
    pub last_confirmed_on: Option<NaiveDate>,
    pub confirmed_this_year: bool,
    pub due_on: NaiveDate,
    /// Not confirmed this fiscal year, past the day it was due.
    pub overdue: bool,
}

impl YearlyConfirmation {
    /// Something in force from `since` (or from before the year) and last confirmed on `last`.
    pub fn on(day: NaiveDate, since: Option<NaiveDate>, last: Option<NaiveDate>) -> Self {
        let year = FiscalYear::of(day);
        let due_on = yearly_confirmation_due(year, since.unwrap_or(year.first_day()));
        // What came into force this year was confirmed by coming into force.
        let confirmed_this_year = last
            .into_iter()
            .chain(since)
            .any(|on| on >= year.first_day() && on <= day);
        YearlyConfirmation {
            last_confirmed_on: last,
            confirmed_this_year,
            due_on,
            overdue: !confirmed_this_year && day > due_on,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_deadline_day_is_on_time_and_the_next_is_not() {
        let deadline = d(2026, 4, 30);
        assert_eq!(
            Standing::judge(deadline, None, deadline, 30),
            Standing::DueSoon { days_left: 0 }
        );
        assert_eq!(
            Standing::judge(deadline, None, d(2026, 5, 1), 30),
            Standing::Overdue { days_overdue: 1 }
        );
        assert_eq!(
            Standing::judge(deadline, None, d(2026, 3, 31), 30),
            Standing::DueSoon { days_left: 30 }
        );
        assert_eq!(
            Standing::judge(deadline, None, d(2026, 3, 30), 30),
            Standing::Open
        );
    }

    #[test]
    fn a_late_acceptance_ends_the_violation_but_stays_late() {
        let deadline = d(2026, 4, 30);
        let accepted = Some(d(2026, 6, 9));
        assert_eq!(
            Standing::judge(deadline, accepted, d(2026, 6, 8), 30),
            Standing::Overdue { days_overdue: 39 }
        );
        assert_eq!(
            Standing::judge(deadline, accepted, d(2026, 6, 9), 30),
            Standing::MetLate { days_late: 40 }
        );
        assert_eq!(
            Standing::judge(deadline, Some(deadline), d(2027, 1, 1), 30),
            Standing::Met
        );
    }

    #[test]
    fn leap_days_count() {
        assert_eq!(
            Standing::judge(d(2028, 2, 28), None, d(2028, 3, 1), 30),
            Standing::Overdue { days_overdue: 2 }
        );
    }

    #[test]
    fn years_owed_across_the_fiscal_year_boundary() {
        let rule = AuditRule::default();
        let fy = |y| FiscalYear::new(y).unwrap();
        // A contract from 2025-10-01 to 2026-09-30 runs in FY2025 and FY2026.
        let (start, end) = (d(2025, 10, 1), d(2026, 9, 30));
        assert_eq!(rule.years_owed(start, end, d(2026, 3, 31)), vec![fy(2025)]);
        assert_eq!(
            rule.years_owed(start, end, d(2026, 4, 1)),
            vec![fy(2025), fy(2026)]
        );
        assert_eq!(
            rule.years_owed(start, end, d(2030, 1, 1)),
            vec![fy(2025), fy(2026)]
        );
        assert!(rule.years_owed(start, end, d(2025, 9, 30)).is_empty());
        // A contract ending on 3/31 owes nothing for the year that starts the next day.
        assert_eq!(
            rule.years_owed(d(2025, 4, 1), d(2026, 3, 31), d(2026, 4, 1)),
            vec![fy(2025)]
        );
        assert_eq!(rule.due_date(fy(2025)), d(2026, 3, 31));
        let later = AuditRule {
            due_days_after_year_end: 30,
            first_fiscal_year: Some(fy(2026)),
            ..AuditRule::default()
        };
        assert_eq!(later.due_date(fy(2025)), d(2026, 4, 30));
        assert_eq!(later.years_owed(start, end, d(2030, 1, 1)), vec![fy(2026)]);
    }

    #[test]
    fn the_confirmation_is_due_thirty_days_into_the_year_or_the_contract() {
        let year = FiscalYear::new(2026).unwrap();
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(
            yearly_confirmation_due(year, day(2025, 4, 1)),
            day(2026, 5, 1)
        );
        assert_eq!(
            yearly_confirmation_due(year, day(2026, 10, 1)),
            day(2026, 10, 31)
        );
    }
}
