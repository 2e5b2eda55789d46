//! The CISO's dashboard for any day, and every report as .xlsx.

use crate::error::{AppError, AppResult, FieldErrors};
use crate::services;
use crate::services::dashboards::PAGE_ENTRIES;
use crate::services::reports::{ReportKind, Window};
use crate::web::guards::Chrome;
use crate::web::guards::{Acting, Staff};
use crate::web::pages::admin::XlsxDownload;
use crate::web::views::{render, DashboardPage, DeadlinesPage, TrendPage};
use crate::web::AppState;
use rocket::response::content::RawHtml;
use rocket::{get, routes, Route, State};

/// The day a page is asked for; today, with the field's error, when it cannot be read.
fn day_asked(as_of: Option<&str>, today: chrono::NaiveDate) -> (chrono::NaiveDate, FieldErrors) {
    match services::as_of(as_of) {
        Ok(day) => (day, FieldErrors::new()),
        Err(errors) => (today, errors),
    }
}

#[get("/dashboard?<as_of>")]
async fn dashboard(
    state: &State<AppState>,
    staff: Staff,
    chrome: Chrome,
    as_of: Option<String>,
) -> AppResult<RawHtml<String>> {
    let today = services::today();
    let chrome_is_admin = chrome.user.role == crate::auth::Role::Admin;
    let (day, errors) = day_asked(as_of.as_deref(), today);
    let d = state
        .dashboards
        .page(
            &state.db,
            &state.settings,
            &staff.0.contract_visibility(),
            day,
            Window::first(PAGE_ENTRIES),
        )
        .await?;
    render(&DashboardPage {
        chrome,
        today,
        d,
        errors,
        mail_off: chrome_is_admin && state.settings.smtp_url.trim().is_empty(),
    })
}

/// Month by month over the last year, judged as of each month's end.
#[get("/dashboard/trend?<as_of>")]
async fn trend(
    state: &State<AppState>,
    staff: Staff,
    chrome: Chrome,
    as_of: Option<String>,
) -> AppResult<RawHtml<String>> {
    let today = services::today();
    let (day, errors) = day_asked(as_of.as_deref(), today);
    let points = crate::services::reports::trend::trend(
        &state.db,
        &state.settings,
        &staff.0.contract_visibility(),
        day,
    )
    .await?;
    render(&TrendPage {
        chrome,
        today,
        as_of: day,
        points,
        errors,
    })
}

/// Week by week over the coming 90 days, what falls due.
#[get("/dashboard/deadlines?<as_of>")]
async fn deadlines(
    state: &State<AppState>,
    staff: Staff,
    chrome: Chrome,
    as_of: Option<String>,
) -> AppResult<RawHtml<String>> {
    let today = services::today();
    let (day, errors) = day_asked(as_of.as_deref(), today);
    let weeks = crate::services::reports::timeline::timeline(
        &state.db,
        &state.settings,
        &staff.0.contract_visibility(),
        day,
    )
    .await?;
    render(&DeadlinesPage {
        chrome,
        today,
        as_of: day,
        weeks,
        errors,
    })
}

/// `/reports/retention.xlsx?as_of=2026-04-01`, for whoever may see the contracts it lists.
#[get("/reports/<name>?<as_of>")]
async fn export(
    state: &State<AppState>,
    acting: Acting,
    name: &str,
    as_of: Option<String>,
) -> AppResult<XlsxDownload> {
    let Acting { user, actor } = acting;
    let kind = name
        .strip_suffix(".xlsx")
        .and_then(ReportKind::parse)
        .ok_or(AppError::NotFound)?;
    let day = services::as_of(as_of.as_deref()).map_err(AppError::Validation)?;
    let bytes = state
        .dashboards
        .export(
            &state.db,
            &state.settings,
            &actor,
            &user.contract_visibility(),
            day,
            kind,
        )
        .await?;
    Ok(XlsxDownload::new(
        bytes,
        &format!("itaku-{}-{}.xlsx", kind.name(), day.format("%Y%m%d")),
    ))
}

pub fn routes() -> Vec<Route> {
    routes![dashboard, deadlines, trend, export]
}
