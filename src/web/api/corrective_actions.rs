//! 是正 through the API: the officer requires an action for an item, the vendor plans and reports it,
//! the officer accepts or returns the report.

use crate::auth::User;
use crate::domain::ids::{ContractId, CorrectiveActionId};
use crate::error::{AppError, AppResult};
use crate::services::corrective_actions::{self, AnswerInput, RequireInput, ReviewInput};
use crate::web::fields::Fields;
use crate::web::guards::{Acting, Editing};
use crate::web::pages::evidence::optional_upload;
use crate::web::AppState;
use rocket::form::{Form, FromForm};
use rocket::fs::TempFile;
use rocket::response::status::Created;
use rocket::serde::json::{json, Json, Value};
use rocket::{get, post, routes, Route, State};

#[get("/contracts/<id>/corrective-actions")]
async fn list(state: &State<AppState>, user: User, id: ContractId) -> AppResult<Json<Value>> {
    let items =
        corrective_actions::for_contract(&state.db, &user.contract_visibility(), id).await?;
    Ok(Json(json!({ "total": items.len(), "items": items })))
}

/// `{"item_id": "A-2", "what": "…", "due_on": "2026-09-30"}` for an item of the latest check sheet.
#[post(
    "/contracts/<id>/corrective-actions",
    format = "json",
    data = "<input>"
)]
async fn require(
    state: &State<AppState>,
    editing: Editing,
    id: ContractId,
    input: Json<RequireInput>,
) -> AppResult<Created<Json<Value>>> {
    let Editing { actor, scope, .. } = editing;
    let created =
        corrective_actions::require(&state.db, &actor, &scope.contracts, id, &input).await?;
    Ok(
        Created::new(format!("/api/v1/contracts/{id}/corrective-actions"))
            .body(Json(json!({ "id": created, "status": "open" }))),
    )
}

/// `{"text": "…"}`: the vendor's plan.
#[post("/corrective-actions/<id>/plan", format = "json", data = "<input>")]
async fn plan(
    state: &State<AppState>,
    acting: Acting,
    id: CorrectiveActionId,
    input: Json<AnswerInput>,
) -> AppResult<Json<Value>> {
    let Acting { user, actor } = acting;
    let scope = user.submission_scope().ok_or(AppError::Forbidden)?;
    corrective_actions::plan(&state.db, &actor, &scope, id, &input).await?;
    Ok(Json(json!({ "id": id, "status": "planned" })))
}

#[derive(FromForm)]
struct Report<'r> {
    report: Fields<AnswerInput>,
    file: Option<TempFile<'r>>,
}

/// Multipart: `report.text` and the evidence `file`.
#[post("/corrective-actions/<id>/report", data = "<form>")]
async fn report(
    state: &State<AppState>,
    acting: Acting,
    id: CorrectiveActionId,
    form: Form<Report<'_>>,
) -> AppResult<Json<Value>> {
    let Acting { user, actor } = acting;
    let scope = user.submission_scope().ok_or(AppError::Forbidden)?;
    let limit = state.settings.upload_limit_bytes;
    let upload = optional_upload(&form.file, limit).await?;
    corrective_actions::report(
        &state.db,
        &actor,
        &scope,
        id,
        &form.report,
        upload.as_ref(),
        limit,
    )
    .await?;
    Ok(Json(json!({ "id": id, "status": "reported" })))
}

/// `{"decision": "accept", "accepted_on": "2026-10-01"}` or `{"decision": "return", "comment": "…"}`.
#[post("/corrective-actions/<id>/review", format = "json", data = "<input>")]
async fn review(
    state: &State<AppState>,
    editing: Editing,
    id: CorrectiveActionId,
    input: Json<ReviewInput>,
) -> AppResult<Json<Value>> {
    let Editing { actor, scope, .. } = editing;
    corrective_actions::review(&state.db, &actor, &scope.contracts, id, &input).await?;
    Ok(Json(json!({ "id": id })))
}

pub fn routes() -> Vec<Route> {
    routes![list, require, plan, report, review]
}
