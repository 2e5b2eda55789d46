//! `/api/v1/contracts/{id}/subcontractors` and `/api/v1/subcontractors/{id}/decision`: a contract's
//! chain of subcontractors, the vendor's applications and the officer's decisions.

use crate::auth::User;
use crate::domain::ids::{ContractId, SubcontractorId};
use crate::error::{AppError, AppResult};
use crate::services::subcontractors::{self, DecisionInput, SubcontractorInput};
use crate::web::guards::{Acting, Editing};
use crate::web::AppState;
use rocket::response::status::Created;
use rocket::serde::json::{json, Json, Value};
use rocket::{get, post, routes, Route, State};

/// The whole chain, each subcontractor after the one it works for, with its depth.
#[get("/contracts/<id>/subcontractors")]
async fn chain(state: &State<AppState>, user: User, id: ContractId) -> AppResult<Json<Value>> {
    let links = subcontractors::chain(
        &state.db,
        &user.contract_visibility(),
        id,
        crate::services::today(),
    )
    .await?;
    Ok(Json(json!({ "total": links.len(), "items": links })))
}

/// For a vendor: other vendors' contracts it works on as a subcontractor, each with who passed the
/// work on and its own part of the chain (itself and those below it).
#[get("/subcontracting")]
async fn parts(state: &State<AppState>, user: User) -> AppResult<Json<Value>> {
    let crate::db::contracts::Visibility::Vendor(vendor_id) = user.contract_visibility() else {
        return Err(AppError::Forbidden);
    };
    let parts = subcontractors::parts_of_vendor(&state.db, vendor_id).await?;
    Ok(Json(json!({ "total": parts.len(), "items": parts })))
}

/// An application for approval: by the contract's own vendor, or recorded by an officer who may
/// edit the contract.
#[post("/contracts/<id>/subcontractors", format = "json", data = "<input>")]
async fn apply(
    state: &State<AppState>,
    acting: Acting,
    id: ContractId,
    input: Json<SubcontractorInput>,
) -> AppResult<Created<Json<Value>>> {
    let Acting { user, actor } = acting;
    let scope = user.submission_scope().ok_or(AppError::Forbidden)?;
    let created = subcontractors::apply(&state.db, &actor, &scope, id, &input).await?;
    Ok(
        Created::new(format!("/api/v1/contracts/{id}/subcontractors"))
            .body(Json(json!({ "id": created, "status": "applied" }))),
    )
}

/// `{"decision": "approve", "approved_on": "2026-04-01"}` or `{"decision": "refuse", "reason": "…"}`.
#[post("/subcontractors/<id>/decision", format = "json", data = "<input>")]
async fn decide(
    state: &State<AppState>,
    editing: Editing,
    id: SubcontractorId,
    input: Json<DecisionInput>,
) -> AppResult<Json<Value>> {
    let Editing { actor, scope, .. } = editing;
    let contract_id =
        subcontractors::decide(&state.db, &actor, &scope.contracts, id, &input).await?;
    Ok(Json(json!({ "id": id, "contract_id": contract_id })))
}

pub fn routes() -> Vec<Route> {
    routes![parts, chain, apply, decide]
}
