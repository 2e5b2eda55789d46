//! The ★ level a contract requires: `GET` its standing, `PUT` the three conditions.

use crate::auth::User;
use crate::domain::ids::ContractId;
use crate::error::AppResult;
use crate::services::star_level::{self, StarInput};
use crate::web::guards::Editing;
use crate::web::AppState;
use rocket::serde::json::{json, Json, Value};
use rocket::{get, put, routes, Route, State};

/// `{"conditions": {…} | null, "required": "★4", "held": "★3", "shortfall": true}`.
#[get("/contracts/<id>/star-level")]
async fn show(state: &State<AppState>, user: User, id: ContractId) -> AppResult<Json<Value>> {
    let today = crate::services::today();
    let standing = star_level::standing(&state.db, &user.contract_visibility(), id, today).await?;
    Ok(Json(json!(standing)))
}

/// `{"sensitive_data": true, "outage_critical": false, "reaches_internal": false}`.
#[put("/contracts/<id>/star-level", format = "json", data = "<input>")]
async fn set(
    state: &State<AppState>,
    editing: Editing,
    id: ContractId,
    input: Json<StarInput>,
) -> AppResult<Json<Value>> {
    let Editing { actor, scope, .. } = editing;
    star_level::set(&state.db, &actor, &scope.contracts, id, &input).await?;
    let today = crate::services::today();
    let standing = star_level::standing(&state.db, &scope.contracts, id, today).await?;
    Ok(Json(json!(standing)))
}

pub fn routes() -> Vec<Route> {
    routes![show, set]
}
