//! Each role's working pages: home, the vendor's portal, the dashboard, notifications, 一斉依頼.

use crate::db::contracts::Contract;
use crate::db::vendors::Vendor;
use crate::domain::dates::JpDate;
use crate::domain::ids::DepartmentId;
use crate::domain::{ContractStatus, FiscalYear};
use crate::error::FieldErrors;
use crate::services::Paged;
use crate::web::guards::Chrome;
use askama::Template;
use chrono::NaiveDate;

#[derive(Template)]
#[template(path = "home.html")]
pub struct Home {
    pub chrome: Chrome,
    pub today: NaiveDate,
    pub fiscal_year: FiscalYear,
    pub counts: Vec<(ContractStatus, i64)>,
    pub ending_soon: Paged<Contract>,
    pub horizon: NaiveDate,
    /// What waits for this user: to review, returned to vendors, overdue.
    pub work: crate::services::inbox::WorkList,
    /// For administrators: users, mail, database and rules.
    pub system: Option<crate::services::system::SystemStatus>,
}

#[derive(Template)]
#[template(path = "portal.html")]
pub struct Portal {
    pub chrome: Chrome,
    pub today: NaiveDate,
    pub vendor: Vendor,
    pub contracts: Paged<Contract>,
    /// What the vendor owes, soonest deadline first.
    pub owed: Vec<crate::services::reports::Entry>,
    /// Open tenders that asked this vendor for a check sheet it has not handed in.
    pub bids_asked: Vec<crate::db::tenders::Bid>,
    /// 年度一斉依頼 naming this vendor's contracts, with where each stands.
    pub requests: Vec<crate::services::requests::Progress>,
    /// Other vendors' contracts this vendor works on as a subcontractor: its part of each chain.
    pub subcontracting: Vec<crate::services::subcontractors::PartOfChain>,
    /// The vendor's incident contacts and this fiscal year's confirmation.
    pub incident_contacts: crate::services::incident_contacts::Contacts,
    /// SECURITY ACTION declarations not yet confirmed this fiscal year.
    pub declarations_to_confirm: usize,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
pub struct DashboardPage {
    pub chrome: Chrome,
    pub today: NaiveDate,
    /// Each list's first entries, with every list's full length in `d.totals`.
    pub d: std::sync::Arc<crate::services::reports::Dashboard>,
    pub errors: FieldErrors,
    /// For administrators: no SMTP server is configured, so nobody is reminded of anything.
    pub mail_off: bool,
}

#[derive(Template)]
#[template(path = "dashboard_trend.html")]
pub struct TrendPage {
    pub chrome: Chrome,
    pub today: NaiveDate,
    pub as_of: NaiveDate,
    pub points: Vec<crate::services::reports::trend::MonthPoint>,
    pub errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "dashboard_deadlines.html")]
pub struct DeadlinesPage {
    pub chrome: Chrome,
    pub today: NaiveDate,
    pub as_of: NaiveDate,
    pub weeks: Vec<crate::services::reports::timeline::WeekPoint>,
    pub errors: FieldErrors,
}

/// One of the dashboard's views, as a tab.
pub struct Tab {
    pub href: String,
    pub title: &'static str,
    pub current: bool,
}

/// The dashboard's views for the day shown (today's carry no day), the one at `path` current.
pub fn dashboard_tabs(path: &str, day: &NaiveDate, today: &NaiveDate) -> Vec<Tab> {
    [
        ("/dashboard", "現在の状況"),
        ("/dashboard/deadlines", "今後90日の期限"),
        ("/dashboard/trend", "12か月の推移"),
    ]
    .into_iter()
    .map(|(page, title)| Tab {
        href: if day == today {
            page.to_string()
        } else {
            format!("{page}?as_of={day}")
        },
        title,
        current: path == page,
    })
    .collect()
}

#[derive(Template)]
#[template(path = "notifications.html")]
pub struct NotificationList {
    pub chrome: Chrome,
    pub items: Vec<crate::db::notifications::Notification>,
}

#[derive(Template)]
#[template(path = "requests/list.html")]
pub struct RequestList {
    pub chrome: Chrome,
    pub items: Vec<crate::services::requests::Progress>,
}

#[derive(Template)]
#[template(path = "requests/form.html")]
pub struct RequestForm {
    pub chrome: Chrome,
    pub input: crate::services::requests::RequestInput,
    /// The departments the user may ask for: (id, name).
    pub departments: Vec<(DepartmentId, String)>,
    pub errors: FieldErrors,
    /// The contracts the request would go to, before it is sent.
    pub preview: Option<Vec<Contract>>,
}

#[derive(Template)]
#[template(path = "requests/show.html")]
pub struct RequestShow {
    pub chrome: Chrome,
    pub p: crate::services::requests::Progress,
}
