//! `GET /api/v1/reports/{retention,audits,certifications,checklists,kpi,all}?as_of=YYYY-MM-DD&page=1&per_page=100`.
//! Each list carries one page (100 items unless asked, at most 200); `totals` gives every list's length.
//! `judged_at` is when the data was read; `current` is false while a newer judgement is being made
//! (see `services::dashboards`).

use crate::auth::User;
use crate::error::{AppError, AppResult};
use crate::services::reports::{self, ReportKind, Window};
use crate::services::Paging;
use crate::web::AppState;
use rocket::serde::json::{Json, Value};
use rocket::{get, routes, Route, State};

#[get("/reports/<name>?<as_of>&<page>&<per_page>")]
async fn report(
    state: &State<AppState>,
    user: User,
    name: &str,
    as_of: Option<String>,
    page: Option<i64>,
    per_page: Option<i64>,
) -> AppResult<Json<Value>> {
    let kind = ReportKind::parse(name).ok_or(AppError::NotFound)?;
    let day = crate::services::as_of(as_of.as_deref()).map_err(AppError::Validation)?;
    let served = state
        .dashboards
        .recent(&state.db, &state.settings, &user.contract_visibility(), day)
        .await?;
    let dashboard = served.value;
    let paging = Paging::new(page, per_page, 100);
    let window = Window {
        offset: paging.offset() as usize,
        limit: paging.per_page as usize,
    };
    let mut value = reports::to_json(&dashboard, kind, window)?;
    if kind != ReportKind::Kpi {
        value["page"] = paging.page.into();
        value["per_page"] = paging.per_page.into();
    }
    value["judged_at"] = served.read_at.to_rfc3339().into();
    value["current"] = served.current.into();
    Ok(Json(value))
}

pub fn routes() -> Vec<Route> {
    routes![report]
}
