//! 特約条項 through the API: a contract's clauses and what they owe, the officer's choice of clauses,
//! the vendor's submissions and the officer's review.

use crate::auth::User;
use crate::domain::ids::{ClauseObligationId, ClauseSubmissionId, ContractId};
use crate::error::{AppError, AppResult};
use crate::services::clauses::{self, ClauseSetInput, SubmissionInput};
use crate::services::evidence::ReviewInput;
use crate::web::fields::Fields;
use crate::web::guards::{Acting, Editing};
use crate::web::pages::evidence::optional_upload;
use crate::web::AppState;
use rocket::form::{Form, FromForm};
use rocket::fs::TempFile;
use rocket::response::status::Created;
use rocket::serde::json::{json, Json, Value};
use rocket::{get, post, put, routes, Route, State};

#[get("/contracts/<id>/clauses")]
async fn show(state: &State<AppState>, user: User, id: ContractId) -> AppResult<Json<Value>> {
    let set =
        clauses::for_contract(&state.db, &state.settings, &user.contract_visibility(), id).await?;
    Ok(Json(json!(set)))
}

/// `{"catalogue": "itaku-clauses@2", "clauses": ["access-log", "多要素認証の実施確認"]}`; the deletion
/// clause is always kept.
#[put("/contracts/<id>/clauses", format = "json", data = "<input>")]
async fn set(
    state: &State<AppState>,
    editing: Editing,
    id: ContractId,
    input: Json<ClauseSetInput>,
) -> AppResult<Json<Value>> {
    let Editing { actor, scope, .. } = editing;
    clauses::set(
        &state.db,
        &state.settings,
        &actor,
        &scope.contracts,
        id,
        &input,
    )
    .await?;
    let set = clauses::for_contract(&state.db, &state.settings, &scope.contracts, id).await?;
    Ok(Json(json!(set)))
}

#[derive(FromForm)]
struct Submission<'r> {
    submission: Fields<SubmissionInput>,
    file: Option<TempFile<'r>>,
}

/// Multipart: `submission.note` and the `file`.
#[post("/clause-obligations/<id>/submissions", data = "<form>")]
async fn submit(
    state: &State<AppState>,
    acting: Acting,
    id: ClauseObligationId,
    form: Form<Submission<'_>>,
) -> AppResult<Created<Json<Value>>> {
    let Acting { user, actor } = acting;
    let scope = user.submission_scope().ok_or(AppError::Forbidden)?;
    let limit = state.settings.upload_limit_bytes;
    let upload = optional_upload(&form.file, limit).await?;
    let created = clauses::submit(
        &state.db,
        &actor,
        &scope,
        id,
        &form.submission,
        upload.as_ref(),
        limit,
    )
    .await?;
    Ok(
        Created::new(format!("/api/v1/clause-submissions/{created}"))
            .body(Json(json!({ "id": created, "status": "submitted" }))),
    )
}

/// `{"decision": "accept", "accepted_on": "2026-10-01"}` or `{"decision": "return", "comment": "…"}`.
#[post("/clause-submissions/<id>/review", format = "json", data = "<input>")]
async fn review(
    state: &State<AppState>,
    editing: Editing,
    id: ClauseSubmissionId,
    input: Json<ReviewInput>,
) -> AppResult<Json<Value>> {
    let Editing { actor, scope, .. } = editing;
    clauses::review(&state.db, &actor, &scope.contracts, id, &input).await?;
    Ok(Json(json!({ "id": id })))
}

pub fn routes() -> Vec<Route> {
    routes![show, set, submit, review]
}
