//! Incidents through the API: a vendor reports one against its own contract (staff record one they
//! learnt of elsewhere), and either adds follow-ups to its timeline.

use crate::auth::User;
use crate::domain::ids::{ContractId, IncidentId};
use crate::error::{AppError, AppResult};
use crate::services::incidents::{self, IncidentInput, UpdateInput};
use crate::web::guards::Acting;
use crate::web::AppState;
use rocket::response::status::Created;
use rocket::serde::json::{json, Json, Value};
use rocket::{get, post, routes, Route, State};

#[get("/contracts/<id>/incidents")]
async fn list(state: &State<AppState>, user: User, id: ContractId) -> AppResult<Json<Value>> {
    let items = incidents::for_contract(&state.db, &user.contract_visibility(), id).await?;
    Ok(Json(json!({ "total": items.len(), "items": items })))
}

/// `{"occurred_at", "aware_at", "summary", "personal_data": bool, "records": n, "actions"}`; answers
/// `201 {"id", "reported_at", "deadline", "on_time", "minutes_late", "reported_by_vendor"}`.
#[post("/contracts/<id>/incidents", format = "json", data = "<input>")]
async fn report(
    state: &State<AppState>,
    acting: Acting,
    id: ContractId,
    input: Json<IncidentInput>,
) -> AppResult<Created<Json<Value>>> {
    let Acting { user, actor } = acting;
    let scope = user.submission_scope().ok_or(AppError::Forbidden)?;
    let received =
        incidents::report(&state.db, &state.settings, &actor, &scope, id, &input).await?;
    Ok(Created::new(format!("/api/v1/contracts/{id}/incidents")).body(Json(json!(received))))
}

/// `{"kind": "follow_up"|"final"|"note", "body": "…", "status": "responding"|"contained"|"closed"}`.
#[post("/incidents/<id>/updates", format = "json", data = "<input>")]
async fn update(
    state: &State<AppState>,
    acting: Acting,
    id: IncidentId,
    input: Json<UpdateInput>,
) -> AppResult<Json<Value>> {
    let Acting { user, actor } = acting;
    let scope = user.submission_scope().ok_or(AppError::Forbidden)?;
    incidents::update(&state.db, &actor, &scope, id, &input).await?;
    Ok(Json(json!({ "id": id })))
}

pub fn routes() -> Vec<Route> {
    routes![list, report, update]
}
