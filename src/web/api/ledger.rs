use crate::error::AppResult;
use crate::services::ledger;
use crate::web::guards::Importing;
use crate::web::AppState;
use rocket::data::Data;
use rocket::http::Status;
use rocket::response::status::Custom;
use rocket::serde::json::{json, Json, Value};
use rocket::{post, routes, Route, State};

/// `POST /api/v1/ledger/import?dry_run=true` with the file as the request body
/// (`curl --data-binary @台帳.xlsx`). 200 when imported (or importable), 422 with every bad row when refused.
#[post("/ledger/import?<dry_run>", data = "<body>")]
async fn import(
    state: &State<AppState>,
    importing: Importing,
    dry_run: Option<bool>,
    body: Data<'_>,
) -> AppResult<Custom<Json<Value>>> {
    let Importing { actor, scope, .. } = importing;
    let bytes = super::read_body(body, state.settings.upload_limit_bytes).await?;
    let report = ledger::import(
        &state.db,
        &actor,
        &scope,
        &bytes,
        &state.settings,
        &state.sandbox,
        dry_run.unwrap_or(false),
        &mut |_, _| {},
    )
    .await?;
    let status = if report.accepted() {
        Status::Ok
    } else {
        Status::UnprocessableEntity
    };
    Ok(Custom(status, Json(json!(report))))
}

pub fn routes() -> Vec<Route> {
    routes![import]
}
