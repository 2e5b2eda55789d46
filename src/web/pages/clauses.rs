//! 特約条項 on a contract's page: the officer chooses the clauses, the vendor hands in what a clause
//! owes with its file, the officer accepts or returns it.

use crate::domain::ids::{ClauseObligationId, ClauseSubmissionId, ContractId};
use crate::error::{AppError, AppResult};
use crate::services::clauses::{self, ClauseSetInput, SubmissionInput};
use crate::services::evidence::ReviewInput;
use crate::web::csrf::{self, CsrfForm};
use crate::web::download::FileDownload;
use crate::web::fields::Fields;
use crate::web::guards::{Acting, Chrome, Editing};
use crate::web::pages::contracts::refused_on_contract_page;
use crate::web::pages::evidence::optional_upload;
use crate::web::{AppState, FormOutcome};
use rocket::form::{Form, FromForm};
use rocket::fs::TempFile;
use rocket::{get, post, routes, Route, State};

fn saved(contract_id: ContractId) -> FormOutcome {
    FormOutcome::saved(format!("/contracts/{contract_id}?saved=true#clauses"))
}

#[post("/contracts/<id>/clauses", data = "<form>")]
async fn set(
    state: &State<AppState>,
    editing: Editing,
    chrome: Chrome,
    id: ContractId,
    form: CsrfForm<Fields<ClauseSetInput>>,
) -> AppResult<FormOutcome> {
    let Editing { actor, scope, .. } = editing;
    match clauses::set(
        &state.db,
        &state.settings,
        &actor,
        &scope.contracts,
        id,
        &form,
    )
    .await
    {
        Ok(()) => Ok(saved(id)),
        Err(AppError::Validation(errors)) => {
            refused_on_contract_page(state, chrome, id, "clauses".into(), errors).await
        }
        Err(other) => Err(other),
    }
}

#[derive(FromForm)]
struct SubmissionForm<'r> {
    csrf_token: String,
    submission: Fields<SubmissionInput>,
    file: Option<TempFile<'r>>,
}

#[post("/clause-obligations/<id>/submissions", data = "<form>")]
async fn submit(
    state: &State<AppState>,
    chrome: Chrome,
    id: ClauseObligationId,
    form: Form<SubmissionForm<'_>>,
) -> AppResult<FormOutcome> {
    csrf::require(&form.csrf_token, &chrome.csrf)?;
    let scope = chrome.user.submission_scope().ok_or(AppError::Forbidden)?;
    let limit = state.settings.upload_limit_bytes;
    let upload = optional_upload(&form.file, limit).await?;
    let actor = chrome.actor.clone();
    let submitted = clauses::submit(
        &state.db,
        &actor,
        &scope,
        id,
        &form.submission,
        upload.as_ref(),
        limit,
    )
    .await;
    let contract_id = clauses::contract_of_obligation(&state.db, &scope, id).await?;
    match submitted {
        Ok(_) => Ok(saved(contract_id)),
        Err(AppError::Validation(errors)) => {
            let target = format!("clause-obligations/{id}");
            refused_on_contract_page(state, chrome, contract_id, target, errors).await
        }
        Err(other) => Err(other),
    }
}

#[post("/clause-submissions/<id>/review", data = "<form>")]
async fn review(
    state: &State<AppState>,
    editing: Editing,
    chrome: Chrome,
    id: ClauseSubmissionId,
    form: CsrfForm<Fields<ReviewInput>>,
) -> AppResult<FormOutcome> {
    let Editing { actor, scope, .. } = editing;
    match clauses::review(&state.db, &actor, &scope.contracts, id, &form).await {
        Ok(contract_id) => Ok(saved(contract_id)),
        Err(AppError::Validation(errors)) => {
            let contract_id =
                clauses::contract_of_submission(&state.db, &scope.contracts, id).await?;
            let target = format!("clause-submissions/{id}");
            refused_on_contract_page(state, chrome, contract_id, target, errors).await
        }
        Err(other) => Err(other),
    }
}

#[get("/clause-submissions/<id>/file")]
async fn file(
    state: &State<AppState>,
    acting: Acting,
    id: ClauseSubmissionId,
) -> AppResult<FileDownload> {
    let Acting { user, actor } = acting;
    let file = clauses::file(&state.db, &actor, &user.contract_visibility(), id).await?;
    Ok(FileDownload::new(file))
}

pub fn routes() -> Vec<Route> {
    routes![set, submit, review, file]
}
