//! 是正 on a contract's page: the officer requires an action for an item of the latest check sheet,
//! the vendor plans it and reports it done with evidence, the officer accepts or returns the report.

use crate::db::contracts::Visibility;
use crate::domain::ids::{ContractId, CorrectiveActionId};
use crate::error::{AppError, AppResult};
use crate::services::corrective_actions::{self, AnswerInput, RequireInput, ReviewInput};
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
    FormOutcome::saved(format!(
        "/contracts/{contract_id}?saved=true#corrective-actions"
    ))
}

/// The contract page after a vendor's or officer's answer to an action: saved, or again with the
/// refused form's errors.
async fn answered(
    state: &AppState,
    chrome: Chrome,
    scope: &Visibility,
    id: CorrectiveActionId,
    result: AppResult<ContractId>,
) -> AppResult<FormOutcome> {
    match result {
        Ok(contract_id) => Ok(saved(contract_id)),
        Err(AppError::Validation(errors)) => {
            let contract_id = corrective_actions::contract_of(&state.db, scope, id).await?;
            refused_on_contract_page(
                state,
                chrome,
                contract_id,
                format!("corrective-actions/{id}"),
                errors,
            )
            .await
        }
        Err(other) => Err(other),
    }
}

#[post("/contracts/<id>/corrective-actions", data = "<form>")]
async fn require(
    state: &State<AppState>,
    editing: Editing,
    chrome: Chrome,
    id: ContractId,
    form: CsrfForm<Fields<RequireInput>>,
) -> AppResult<FormOutcome> {
    let Editing { actor, scope, .. } = editing;
    match corrective_actions::require(&state.db, &actor, &scope.contracts, id, &form).await {
        Ok(_) => Ok(saved(id)),
        Err(AppError::Validation(errors)) => {
            refused_on_contract_page(state, chrome, id, "corrective-actions/new".into(), errors)
                .await
        }
        Err(other) => Err(other),
    }
}

#[post("/corrective-actions/<id>/plan", data = "<form>")]
async fn plan(
    state: &State<AppState>,
    chrome: Chrome,
    id: CorrectiveActionId,
    form: CsrfForm<Fields<AnswerInput>>,
) -> AppResult<FormOutcome> {
    let scope = chrome.user.submission_scope().ok_or(AppError::Forbidden)?;
    let actor = chrome.actor.clone();
    let result = corrective_actions::plan(&state.db, &actor, &scope, id, &form).await;
    answered(state, chrome, &scope, id, result).await
}

#[derive(FromForm)]
struct ReportForm<'r> {
    csrf_token: String,
    report: Fields<AnswerInput>,
    file: Option<TempFile<'r>>,
}

#[post("/corrective-actions/<id>/report", data = "<form>")]
async fn report(
    state: &State<AppState>,
    chrome: Chrome,
    id: CorrectiveActionId,
    form: Form<ReportForm<'_>>,
) -> AppResult<FormOutcome> {
    csrf::require(&form.csrf_token, &chrome.csrf)?;
    let scope = chrome.user.submission_scope().ok_or(AppError::Forbidden)?;
    let limit = state.settings.upload_limit_bytes;
    let upload = optional_upload(&form.file, limit).await?;
    let actor = chrome.actor.clone();
    let reported = corrective_actions::report(
        &state.db,
        &actor,
        &scope,
        id,
        &form.report,
        upload.as_ref(),
        limit,
    )
    .await;
    answered(state, chrome, &scope, id, reported).await
}

#[post("/corrective-actions/<id>/review", data = "<form>")]
async fn review(
    state: &State<AppState>,
    editing: Editing,
    chrome: Chrome,
    id: CorrectiveActionId,
    form: CsrfForm<Fields<ReviewInput>>,
) -> AppResult<FormOutcome> {
    let Editing { actor, scope, .. } = editing;
    let result = corrective_actions::review(&state.db, &actor, &scope.contracts, id, &form).await;
    answered(state, chrome, &scope.contracts, id, result).await
}

#[get("/corrective-actions/<id>/file")]
async fn file(
    state: &State<AppState>,
    acting: Acting,
    id: CorrectiveActionId,
) -> AppResult<FileDownload> {
    let Acting { user, actor } = acting;
    let file = corrective_actions::file(&state.db, &actor, &user.contract_visibility(), id).await?;
    Ok(FileDownload::new(file))
}

pub fn routes() -> Vec<Route> {
    routes![require, plan, report, review, file]
}
