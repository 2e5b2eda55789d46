//! One function per use case; pages, the API and the CLI all call these. Transactions begin and end here.

pub mod accounts;
pub mod audit;
pub mod audit_reports;
pub mod backup;
pub mod certifications;
pub mod checklists;
pub mod clauses;
pub mod context;
pub mod contracts;
pub mod corrective_actions;
pub mod dashboards;
pub mod deletions;
pub mod demo;
pub mod departments;
pub mod evidence;
pub mod inbox;
pub mod incident_contacts;
pub mod incidents;
pub mod input;
pub mod ledger;
pub mod mfa;
pub mod policies;
pub mod rating;
pub mod reminders;
pub mod reports;
pub mod requests;
pub mod seed;
pub mod sign_in_links;
pub mod signed_in;
pub mod standings;
pub mod star_level;
pub mod subcontractors;
pub mod suspensions;
pub mod system;
pub mod templates;
pub mod tenders;
pub mod vendor_master;
pub mod vendors;

use crate::domain::dates::JpDate;
use crate::domain::Timestamp;
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::Serialize;

pub fn japan() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("UTC+9 is a valid offset")
}

/// Now in Japan, whatever the server's clock zone.
pub fn japan_now() -> DateTime<FixedOffset> {
    Utc::now().with_timezone(&japan())
}

/// Today in Japan, whatever the server's clock zone.
pub fn today() -> NaiveDate {
    Utc::now().with_timezone(&japan()).date_naive()
}

/// A moment as people in Japan read it: 令和8年11月23日 15:04.
pub fn japan_moment(moment: DateTime<Utc>) -> String {
    japan_moment_as(moment, "%-H:%M")
}

/// A moment to the second, for the record a report keeps of when it was judged: 令和8年11月23日 15時04分05秒.
pub fn japan_moment_to_the_second(moment: DateTime<Utc>) -> String {
    japan_moment_as(moment, "%-H時%M分%S秒")
}

fn japan_moment_as(moment: DateTime<Utc>, time: &str) -> String {
    let local = moment.with_timezone(&japan());
    format!("{} {}", local.date_naive().jp(), local.format(time))
}

/// A stored UTC timestamp (text or [`Timestamp`]) as people in Japan read it; the text itself when it
/// is not one.
pub fn japan_moment_of(stored: impl std::fmt::Display) -> String {
    let text = stored.to_string();
    text.parse::<Timestamp>()
        .map(|t| japan_moment(t.instant()))
        .unwrap_or(text)
}

/// The day in Japan of a stored UTC timestamp (`2026-03-31T15:30:00Z` is 2026-04-01).
pub fn japan_date_of(timestamp: &str) -> Option<NaiveDate> {
    crate::domain::time::japan_day_of(timestamp)
}

/// A page request, kept within bounds: page ≥ 1, 1 ≤ per_page ≤ 200.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub page: i64,
    pub per_page: i64,
}

impl Paging {
    pub const MAX_PER_PAGE: i64 = 200;

    pub fn new(page: Option<i64>, per_page: Option<i64>, default_per_page: i64) -> Self {
        Paging {
            page: page.unwrap_or(1).clamp(1, 1_000_000),
            per_page: per_page
                .unwrap_or(default_per_page)
                .clamp(1, Self::MAX_PER_PAGE),
        }
    }
    pub fn offset(self) -> i64 {
        (self.page - 1) * self.per_page
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    /// Where the following page starts (`?after=`), for lists that can continue from a row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

impl<T> Paged<T> {
    pub fn new(items: Vec<T>, total: i64, paging: Paging) -> Self {
        Paged {
            items,
            total,
            page: paging.page,
            per_page: paging.per_page,
            next: None,
        }
    }
    /// The same page with each item seen through `view`.
    pub fn view<'a, U>(&'a self, view: impl Fn(&'a T) -> U) -> Paged<U> {
        Paged {
            items: self.items.iter().map(view).collect(),
            total: self.total,
            page: self.page,
            per_page: self.per_page,
            next: self.next.clone(),
        }
    }
    pub fn pages(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page).max(1)
    }
    pub fn has_previous(&self) -> bool {
        self.page > 1
    }
    pub fn has_next(&self) -> bool {
        self.page < self.pages()
    }
}

/// Blank text, missing text and white space alone all mean "not given".
pub fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// The `as_of` of a request: blank is today; a date in any form people type it.
pub fn as_of(text: Option<&str>) -> Result<NaiveDate, crate::error::FieldErrors> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(today()),
        Some(text) => crate::domain::parse_date(text).map_err(|e| {
            let mut errors = crate::error::FieldErrors::new();
            errors.add("as_of", format!("基準日: {}", e.0));
            errors
        }),
    }
}
