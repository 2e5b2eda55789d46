//! `GET /api/v1/reports/{retention,audits,certifications,checklists,kpi,all}?as_of=YYYY-MM-DD`.

use crate::auth::User;
use crate::error::{AppError, AppResult};
use crate::services::reports::{self, ReportKind};
use crate::web::pages::dashboard::as_of;
use crate::web::AppState;
use rocket::serde::json::{Json, Value};
use rocket::{get, routes, Route, State};

#[get("/reports/<name>?<as_of>")]
async fn report(
    state: &State<AppState>,
    user: User,
    name: &str,
    as_of: Option<String>,
) -> AppResult<Json<Value>> {
    let kind = ReportKind::parse(name).ok_or(AppError::NotFound)?;
    let day = self::as_of(as_of.as_deref()).map_err(AppError::Validation)?;
    Ok(Json(
        reports::json(
            &state.db,
            &state.settings,
            &user.contract_visibility(),
            kind,
            day,
        )
        .await?,
    ))
}

pub fn routes() -> Vec<Route> {
    routes![report]
}
