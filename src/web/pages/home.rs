use crate::db::contracts::{ContractFilter, Visibility};
use crate::domain::{ContractStatus, FiscalYear};
use crate::error::AppResult;
use crate::services::{self, contracts, Paging};
use crate::web::views::{render, Home};
use crate::web::AppState;
use rocket::response::content::RawHtml;
use rocket::{get, routes, Route, State};

#[get("/")]
async fn home(state: &State<AppState>) -> AppResult<RawHtml<String>> {
    let today = services::today();
    let horizon = today + chrono::Days::new(90);
    let visibility = Visibility::All;
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
    render(&Home {
        today,
        fiscal_year: FiscalYear::of(today),
        counts,
        ending_soon,
        horizon,
    })
}

pub fn routes() -> Vec<Route> {
    routes![home]
}
