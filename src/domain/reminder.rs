//! When people are reminded of a deadline: the vendor before it, on the day and while it is overdue;
//! the contract's officers once it is overdue; the CISO once it is long overdue. A run sends, for each
//! obligation and recipient, the latest stage reached: a missed day is caught up by the next run, and a
//! stage is never sent twice (the outbox is unique on obligation, deadline, stage and recipient, so a
//! moved deadline starts its stages again).

use chrono::NaiveDate;
use serde::Serialize;

/// Who a reminder is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    Vendor,
    Officer,
    Ciso,
}

impl Audience {
    pub const ALL: [Audience; 3] = [Audience::Vendor, Audience::Officer, Audience::Ciso];

    pub fn code(self) -> &'static str {
        match self {
            Audience::Vendor => "vendor",
            Audience::Officer => "officer",
            Audience::Ciso => "ciso",
        }
    }
}

/// The days reminders are sent on (the defaults: 30, 7 and 1 days before, on the day, and weekly
/// while overdue to the vendor; weekly from the first day overdue to officers; weekly from 14 days
/// overdue to the CISO).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub vendor_days_before: Vec<i64>,
    pub vendor_overdue_every: i64,
    pub officer_overdue_every: i64,
    pub ciso_after: i64,
    pub ciso_every: i64,
}

/// A point in an obligation's schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "days")]
pub enum Stage {
    /// This many days before the deadline (0: the deadline day).
    Before(i64),
    /// Overdue since this many days (the day the stage began).
    Overdue(i64),
}

impl Stage {
    /// The stage as the outbox keys it: `before-7`, `before-0`, `overdue-8`.
    pub fn code(self) -> String {
        match self {
            Stage::Before(days) => format!("before-{days}"),
            Stage::Overdue(days) => format!("overdue-{days}"),
        }
    }
}

fn overdue_stage(days_overdue: i64, from: i64, every: i64) -> Option<Stage> {
    if days_overdue < from {
        return None;
    }
    let every = every.max(1);
    Some(Stage::Overdue(from + (days_overdue - from) / every * every))
}

impl Schedule {
    /// The latest stage `audience` has reached on `as_of` for a deadline, if any.
    pub fn stage(
        &self,
        audience: Audience,
        deadline: NaiveDate,
        as_of: NaiveDate,
    ) -> Option<Stage> {
        let days_overdue = (as_of - deadline).num_days();
        match audience {
            Audience::Vendor if days_overdue <= 0 => {
                let remaining = -days_overdue;
                self.vendor_days_before
                    .iter()
                    .filter(|before| **before >= remaining)
                    .min()
                    .map(|before| Stage::Before(*before))
            }
            Audience::Vendor => overdue_stage(days_overdue, 1, self.vendor_overdue_every),
            Audience::Officer => overdue_stage(days_overdue, 1, self.officer_overdue_every),
            Audience::Ciso => overdue_stage(days_overdue, self.ciso_after, self.ciso_every),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule() -> Schedule {
        Schedule {
            vendor_days_before: vec![30, 7, 1, 0],
            vendor_overdue_every: 7,
            officer_overdue_every: 7,
            ciso_after: 14,
            ciso_every: 7,
        }
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn the_vendor_is_reminded_before_on_the_day_and_weekly_after() {
        let deadline = day("2026-03-31");
        let at = |d: &str| schedule().stage(Audience::Vendor, deadline, day(d));
        assert_eq!(at("2026-02-28"), None, "31 days before");
        assert_eq!(at("2026-03-01"), Some(Stage::Before(30)));
        assert_eq!(
            at("2026-03-23"),
            Some(Stage::Before(30)),
            "the day before the 7-day stage"
        );
        assert_eq!(at("2026-03-24"), Some(Stage::Before(7)));
        assert_eq!(at("2026-03-30"), Some(Stage::Before(1)));
        assert_eq!(at("2026-03-31"), Some(Stage::Before(0)));
        assert_eq!(at("2026-04-01"), Some(Stage::Overdue(1)));
        assert_eq!(at("2026-04-07"), Some(Stage::Overdue(1)));
        assert_eq!(at("2026-04-08"), Some(Stage::Overdue(8)));
        assert_eq!(at("2026-04-15"), Some(Stage::Overdue(15)));
    }

    #[test]
    fn officers_from_the_first_day_overdue_and_the_ciso_from_fourteen() {
        let deadline = day("2026-03-31");
        let officer = |d: &str| schedule().stage(Audience::Officer, deadline, day(d));
        let ciso = |d: &str| schedule().stage(Audience::Ciso, deadline, day(d));
        assert_eq!(officer("2026-03-31"), None);
        assert_eq!(officer("2026-04-01"), Some(Stage::Overdue(1)));
        assert_eq!(officer("2026-04-08"), Some(Stage::Overdue(8)));
        assert_eq!(ciso("2026-04-13"), None, "13 days overdue");
        assert_eq!(ciso("2026-04-14"), Some(Stage::Overdue(14)));
        assert_eq!(ciso("2026-04-20"), Some(Stage::Overdue(14)));
        assert_eq!(ciso("2026-04-21"), Some(Stage::Overdue(21)));
        assert_eq!(Stage::Overdue(21).code(), "overdue-21");
        assert_eq!(Stage::Before(0).code(), "before-0");
    }

    #[test]
    fn a_leap_day_deadline() {
        let deadline = day("2028-02-29");
        let at = |d: &str| schedule().stage(Audience::Vendor, deadline, day(d));
        assert_eq!(at("2028-02-22"), Some(Stage::Before(7)));
        assert_eq!(at("2028-03-01"), Some(Stage::Overdue(1)));
    }
}
