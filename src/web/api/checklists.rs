use crate::auth::User;
use crate::domain::ids::{ContractId, SubmissionId};
use crate::error::{AppError, AppResult};
use crate::services::checklists::{self, Decision, Submitted};
use crate::web::guards::{Acting, Editing};
use crate::web::AppState;
use rocket::data::Data;
use rocket::http::Status;
use rocket::response::status::Custom;
use rocket::serde::json::{json, Json, Value};
use rocket::{get, post, routes, Route, State};
use std::collections::HashMap;

#[get("/contracts/<id>/checklists")]
async fn list(state: &State<AppState>, user: User, id: ContractId) -> AppResult<Json<Value>> {
    let items = checklists::for_contract(&state.db, &user.contract_visibility(), id).await?;
    Ok(Json(json!({ "total": items.len(), "items": items })))
}

/// `POST /api/v1/contracts/{id}/checklists?file_name=…` with the workbook as the body: 201 with the
/// parse result when stored, 422 with every error when refused.
#[post("/contracts/<id>/checklists?<file_name>", data = "<body>")]
async fn submit(
    state: &State<AppState>,
    acting: Acting,
    id: ContractId,
    file_name: Option<String>,
    body: Data<'_>,
) -> AppResult<Custom<Json<Value>>> {
    let Acting { user, actor } = acting;
    let scope = user.submission_scope().ok_or(AppError::Forbidden)?;
    let bytes = super::read_body(body, state.settings.upload_limit_bytes).await?;
    let name = crate::web::safe_file_name(file_name.as_deref().unwrap_or(""), "checksheet.xlsx")?;
    let submitted = checklists::submit(
        &state.db,
        &actor,
        &scope,
        id,
        &name,
        &bytes,
        &state.settings,
        &state.sandbox,
    )
    .await?;
    Ok(submitted_response(submitted, "submission_id"))
}

/// 201 with the stored id (under `id_key`), version and parse result; 422 with every error.
pub fn submitted_response<Id: serde::Serialize>(
    submitted: Submitted<Id>,
    id_key: &str,
) -> Custom<Json<Value>> {
    match submitted {
        Submitted::Accepted {
            submission_id,
            version,
            result,
        } => Custom(
            Status::Created,
            Json(json!({id_key: submission_id, "version": version, "result": result})),
        ),
        Submitted::Refused(result) => Custom(Status::UnprocessableEntity, Json(json!(result))),
    }
}

#[get("/checklists/<id>")]
async fn show(state: &State<AppState>, user: User, id: SubmissionId) -> AppResult<Json<Value>> {
    let (view, _) =
        checklists::view(&state.db, &state.settings, &user.contract_visibility(), id).await?;
    Ok(Json(json!(view)))
}

#[derive(serde::Deserialize)]
struct ReviewBody {
    decision: Decision,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    items: HashMap<String, String>,
}

#[post("/checklists/<id>/review", format = "json", data = "<body>")]
async fn review(
    state: &State<AppState>,
    editing: Editing,
    id: SubmissionId,
    body: Json<ReviewBody>,
) -> AppResult<Json<Value>> {
    let Editing { actor, scope, .. } = editing;
    checklists::review(
        &state.db,
        &actor,
        &scope,
        id,
        body.decision,
        &body.comment,
        &body.items,
    )
    .await?;
    let (view, _) = checklists::view(&state.db, &state.settings, &scope.contracts, id).await?;
    Ok(Json(json!(view)))
}

pub fn routes() -> Vec<Route> {
    routes![list, submit, show, review]
}
