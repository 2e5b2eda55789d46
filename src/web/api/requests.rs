//! 年度一斉依頼 over the API: `POST /api/v1/requests` (`?dry_run=true` answers the contracts it would
//! go to), `GET /api/v1/requests/{id}` with each contract's progress.

use crate::auth::User;
use crate::domain::ids::RequestId;
use crate::error::AppResult;
use crate::services::requests::{self, RequestInput};
use crate::web::guards::Acting;
use crate::web::AppState;
use rocket::http::Status;
use rocket::response::status::Custom;
use rocket::serde::json::{json, Json, Value};
use rocket::{get, post, routes, Route, State};

#[post("/requests?<dry_run>", format = "json", data = "<input>")]
async fn create(
    state: &State<AppState>,
    acting: Acting,
    dry_run: Option<bool>,
    input: Json<RequestInput>,
) -> AppResult<Custom<Json<Value>>> {
    let Acting { user, actor } = acting;
    let today = crate::services::today();
    if dry_run.unwrap_or(false) {
        let contracts = requests::preview(&state.db, &user, &input, today).await?;
        let numbers: Vec<&str> = contracts
            .iter()
            .map(|c| c.contract_number.as_str())
            .collect();
        return Ok(Custom(
            Status::Ok,
            Json(json!({"dry_run": true, "total": numbers.len(), "contracts": numbers})),
        ));
    }
    let id = requests::create(&state.db, &state.settings, &actor, &user, &input, today).await?;
    crate::services::reminders::send_soon(&state.db, &state.settings);
    let progress = requests::progress(&state.db, &user, id).await?;
    Ok(Custom(Status::Created, Json(json!(progress))))
}

#[get("/requests/<id>")]
async fn show(state: &State<AppState>, user: User, id: RequestId) -> AppResult<Json<Value>> {
    let progress = requests::progress(&state.db, &user, id).await?;
    Ok(Json(json!(progress)))
}

pub fn routes() -> Vec<Route> {
    routes![create, show]
}
