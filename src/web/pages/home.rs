use crate::db::contracts::ContractFilter;
use crate::domain::{ContractStatus, FiscalYear};
use crate::error::AppResult;
use crate::services::{self, contracts, reports, vendors, Paging};
use crate::web::guards::Chrome;
use crate::web::views::{render, Home, Portal};
use crate::web::AppState;
use rocket::response::content::RawHtml;
use rocket::{get, routes, Route, State};

/// The work comes to people: an officer's home is its work list, a vendor's what it owes (including
/// bid sheets asked of it), the CISO's the dashboard.
#[get("/")]
async fn home(
    state: &State<AppState>,
    chrome: Chrome,
) -> AppResult<Result<RawHtml<String>, rocket::response::Redirect>> {
    if chrome.user.role == crate::auth::Role::Ciso {
        return Ok(Err(rocket::response::Redirect::to("/dashboard")));
    }
    let today = services::today();
    let visibility = chrome.user.contract_visibility();
    if let Some(vendor_id) = chrome.user.own_vendor() {
        return vendor_portal(state, chrome, vendor_id, today).await.map(Ok);
    }
    let dashboard = state
        .dashboards
        .page(
            &state.db,
            &state.settings,
            &visibility,
            today,
            reports::Window::first(services::dashboards::PAGE_ENTRIES),
        )
        .await?;
    let work = services::inbox::work_list(&state.db, &chrome.user, &dashboard).await?;
    let horizon = today + chrono::Days::new(90);
    let counts = contracts::count_by_status(&state.db, &visibility, today).await?;
    let filter = ContractFilter {
        status: Some(ContractStatus::Active),
        end_to: Some(horizon),
        ..Default::default()
    };
    let mut ending_soon = contracts::list(
        &state.db,
        &visibility,
        &filter,
        Paging::new(None, Some(200), 200),
        today,
    )
    .await?;
    ending_soon
        .items
        .sort_by_key(|c| (c.end_date, c.contract_number.clone()));
    ending_soon.items.truncate(20);
    let system = if chrome.may_manage_users() {
        Some(services::system::status(&state.db, &state.settings).await?)
    } else {
        None
    };
    render(&Home {
        chrome,
        today,
        fiscal_year: FiscalYear::of(today),
        counts,
        ending_soon,
        horizon,
        work,
        system,
    })
    .map(Ok)
}

/// A vendor's home: its contracts, what it owes, bid sheets and yearly requests asked of it.
async fn vendor_portal(
    state: &AppState,
    chrome: Chrome,
    vendor_id: crate::domain::ids::VendorId,
    today: chrono::NaiveDate,
) -> AppResult<RawHtml<String>> {
    let visibility = chrome.user.contract_visibility();
    let vendor = vendors::get(&state.db, Some(vendor_id), vendor_id).await?;
    let contracts = contracts::list(
        &state.db,
        &visibility,
        &ContractFilter::default(),
        Paging::new(None, Some(200), 200),
        today,
    )
    .await?;
    let dashboard = state
        .dashboards
        .page(
            &state.db,
            &state.settings,
            &visibility,
            today,
            reports::Window::ALL,
        )
        .await?;
    let owed = reports::todo_list(&dashboard)
        .into_iter()
        .cloned()
        .collect();
    let bids_asked = services::tenders::bids_of_vendor(&state.db, vendor_id)
        .await?
        .into_iter()
        .filter(|b| {
            b.status == "open" && b.checklist_requested_at.is_some() && b.sheet_version.is_none()
        })
        .collect();
    let requests = services::requests::open_for_vendor(&state.db, vendor_id).await?;
    let subcontracting = services::subcontractors::parts_of_vendor(&state.db, vendor_id).await?;
    let incident_contacts =
        services::incident_contacts::of_vendor(&state.db, Some(vendor_id), vendor_id, today)
            .await?;
    let declarations_to_confirm =
        services::certifications::for_vendor(&state.db, &state.settings, vendor_id, today)
            .await?
            .iter()
            .filter(|c| {
                c.confirmation
                    .as_ref()
                    .is_some_and(|k| !k.confirmed_this_year)
            })
            .count();
    render(&Portal {
        declarations_to_confirm,
        incident_contacts,
        chrome,
        today,
        vendor,
        contracts,
        owed,
        bids_asked,
        requests,
        subcontracting,
    })
}

pub fn routes() -> Vec<Route> {
    routes![home]
}
