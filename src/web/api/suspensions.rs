//! 指名停止 in the API: the suspensions in force, to come and of the last year, and the import of a list.

use crate::error::AppResult;
use crate::services::suspensions;
use crate::web::guards::{Editor, Staff};
use crate::web::AppState;
use rocket::http::Status;
use rocket::response::status::Custom;
use rocket::serde::json::Json;
use rocket::{data::Data, get, post, routes, Route, State};
use serde_json::{json, Value};

/// `GET /api/v1/suspensions`: each with `in_force` (on today) and the registered vendor, if any.
#[get("/suspensions")]
async fn list(state: &State<AppState>, _staff: Staff) -> AppResult<Json<Value>> {
    let today = crate::services::today();
    let rows: Vec<Value> = suspensions::recent(&state.db, today)
        .await?
        .into_iter()
        .map(|s| {
            let in_force = crate::domain::suspension::covers(s.starts_on, s.ends_on, today);
            let mut value = json!(s);
            value["in_force"] = json!(in_force);
            value
        })
        .collect();
    Ok(Json(json!({ "as_of": today, "suspensions": rows })))
}

/// `POST /api/v1/suspensions/import?dry_run=true` with the list as the body: 200 when imported (or
/// when the dry run would import), 422 with every row error otherwise.
#[post("/suspensions/import?<dry_run>", data = "<body>")]
async fn import(
    state: &State<AppState>,
    editor: Editor,
    dry_run: Option<bool>,
    body: Data<'_>,
) -> AppResult<Custom<Json<Value>>> {
    let bytes = super::read_body(body, state.settings.upload_limit_bytes).await?;
    let report = suspensions::import(
        &state.db,
        &state.settings,
        &state.sandbox,
        editor.actor(),
        &editor.0.vendor_rights(),
        &bytes,
        dry_run.unwrap_or(false),
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
    routes![list, import]
}
