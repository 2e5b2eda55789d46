//! `GET /api/v1/reports/{retention,audits,certifications,checklists,kpi,all}?as_of=YYYY-MM-DD&page=1&per_page=100`.
//! Each list carries one page (100 items unless asked, at most 200); `totals` gives every list's length.
//! `judged_at` is when the data was read: the request's own time, since every answer is judged from
//! the data as it is (`current` is always true, kept for clients that read it).

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
    let paging = Paging::new(page, per_page, 100);
    let window = Window {
        offset: paging.offset() as usize,
        limit: paging.per_page as usize,
    };
    let read_at = chrono::Utc::now();
    let dashboard = state
        .dashboards
        .report(
            &state.db,
            &state.settings,
            &user.contract_visibility(),
            day,
            kind,
            window,
        )
        .await?;
    let mut value = reports::to_json(&dashboard, kind, window)?;
    if kind != ReportKind::Kpi {
        value["page"] = paging.page.into();
        value["per_page"] = paging.per_page.into();
    }
    value["judged_at"] = read_at.to_rfc3339().into();
    value["current"] = true.into();
    Ok(Json(value))
}

pub fn routes() -> Vec<Route> {
    routes![report]
}
