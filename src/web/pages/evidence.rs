//! Audit reports and deletion certificates on a contract's page: the vendor submits with the file,
//! the officer accepts (on a date) or returns; files are served only to those who may see the contract.

use crate::domain::ids::{AuditReportId, ContractId, DeletionId};
use crate::error::{AppError, AppResult};
use crate::services::audit_reports::{self, AuditReportInput};
use crate::services::deletions::{self, DeletionInput};
use crate::services::evidence::{self, Proof, ReviewInput, Upload};
use crate::web::csrf::{self, CsrfForm};
use crate::web::download::FileDownload;
use crate::web::fields::Fields;
use crate::web::guards::{Acting, Chrome, Editing};
use crate::web::pages::contracts::contract_page;
use crate::web::pages::ledger::{display_name, read_upload};
use crate::web::views::EvidenceForms;
use crate::web::{AppState, FormOutcome};
use rocket::form::{Form, FromForm};
use rocket::fs::TempFile;
use rocket::{get, post, routes, Route, State};

/// The file of a multipart form, `None` when the field was left empty.
pub async fn optional_upload(
    file: &Option<TempFile<'_>>,
    limit: usize,
) -> AppResult<Option<Upload>> {
    match file {
        Some(file) if file.len() > 0 => Ok(Some(Upload {
            name: display_name(file)?,
            bytes: read_upload(file, limit).await?,
        })),
        _ => Ok(None),
    }
}

#[derive(FromForm)]
struct AuditReportForm<'r> {
    csrf_token: String,
    report: Fields<AuditReportInput>,
    file: Option<TempFile<'r>>,
}

#[post("/contracts/<id>/audit-reports", data = "<form>")]
async fn submit_audit_report(
    state: &State<AppState>,
    chrome: Chrome,
    id: ContractId,
    form: Form<AuditReportForm<'_>>,
) -> AppResult<FormOutcome> {
    csrf::require(&form.csrf_token, &chrome.csrf)?;
    let scope = chrome.user.submission_scope().ok_or(AppError::Forbidden)?;
    let upload = optional_upload(&form.file, state.settings.upload_limit_bytes).await?;
    let actor = chrome.actor.clone();
    match audit_reports::submit(
        &state.db,
        &state.settings,
        &actor,
        &scope,
        id,
        &form.report,
        upload.as_ref(),
    )
    .await
    {
        Ok(_) => Ok(FormOutcome::saved(format!(
            "/contracts/{id}?saved=true#audit-reports"
        ))),
        Err(AppError::Validation(errors)) => {
            let forms = EvidenceForms {
                audit: form.report.clone(),
                audit_errors: errors,
                ..Default::default()
            };
            Ok(FormOutcome::Invalid(
                contract_page(state, chrome, id, false, forms).await?,
            ))
        }
        Err(other) => Err(other),
    }
}

#[derive(FromForm)]
struct DeletionForm<'r> {
    csrf_token: String,
    deletion: Fields<DeletionInput>,
    file: Option<TempFile<'r>>,
}

#[post("/contracts/<id>/deletion-certificates", data = "<form>")]
async fn submit_deletion(
    state: &State<AppState>,
    chrome: Chrome,
    id: ContractId,
    form: Form<DeletionForm<'_>>,
) -> AppResult<FormOutcome> {
    csrf::require(&form.csrf_token, &chrome.csrf)?;
    let scope = chrome.user.submission_scope().ok_or(AppError::Forbidden)?;
    let upload = optional_upload(&form.file, state.settings.upload_limit_bytes).await?;
    let actor = chrome.actor.clone();
    match deletions::submit(
        &state.db,
        &state.settings,
        &actor,
        &scope,
        id,
        &form.deletion,
        upload.as_ref(),
    )
    .await
    {
        Ok(_) => Ok(FormOutcome::saved(format!(
            "/contracts/{id}?saved=true#deletion-certificates"
        ))),
        Err(AppError::Validation(errors)) => {
            let forms = EvidenceForms {
                deletion: form.deletion.clone(),
                deletion_errors: errors,
                ..Default::default()
            };
            Ok(FormOutcome::Invalid(
                contract_page(state, chrome, id, false, forms).await?,
            ))
        }
        Err(other) => Err(other),
    }
}

async fn review(
    state: &AppState,
    editing: Editing,
    chrome: Chrome,
    proof: Proof,
    input: &ReviewInput,
) -> AppResult<FormOutcome> {
    let Editing { actor, scope, .. } = editing;
    let (path, id) = match proof {
        Proof::AuditReport(id) => ("audit-reports", id.get()),
        Proof::Deletion(id) => ("deletion-certificates", id.get()),
    };
    match evidence::review(&state.db, &actor, &scope.contracts, proof, input).await {
        Ok(contract_id) => Ok(FormOutcome::saved(format!(
            "/contracts/{contract_id}?saved=true#{path}"
        ))),
        Err(AppError::Validation(errors)) => {
            let contract_id = evidence::contract_of(&state.db, &scope.contracts, proof).await?;
            let forms = EvidenceForms {
                review_target: format!("{path}/{id}"),
                review_errors: errors,
                ..Default::default()
            };
            Ok(FormOutcome::Invalid(
                contract_page(state, chrome, contract_id, false, forms).await?,
            ))
        }
        Err(other) => Err(other),
    }
}

#[post("/audit-reports/<id>/review", data = "<form>")]
async fn review_audit_report(
    state: &State<AppState>,
    editing: Editing,
    chrome: Chrome,
    id: AuditReportId,
    form: CsrfForm<Fields<ReviewInput>>,
) -> AppResult<FormOutcome> {
    review(state, editing, chrome, Proof::AuditReport(id), &form).await
}

#[post("/deletion-certificates/<id>/review", data = "<form>")]
async fn review_deletion(
    state: &State<AppState>,
    editing: Editing,
    chrome: Chrome,
    id: DeletionId,
    form: CsrfForm<Fields<ReviewInput>>,
) -> AppResult<FormOutcome> {
    review(state, editing, chrome, Proof::Deletion(id), &form).await
}

#[get("/audit-reports/<id>/file")]
async fn audit_report_file(
    state: &State<AppState>,
    acting: Acting,
    id: AuditReportId,
) -> AppResult<FileDownload> {
    let Acting { user, actor } = acting;
    let visibility = user.contract_visibility();
    let file = evidence::file(&state.db, &actor, &visibility, Proof::AuditReport(id)).await?;
    Ok(FileDownload::new(file))
}

#[get("/deletion-certificates/<id>/file")]
async fn deletion_file(
    state: &State<AppState>,
    acting: Acting,
    id: DeletionId,
) -> AppResult<FileDownload> {
    let Acting { user, actor } = acting;
    let visibility = user.contract_visibility();
    let file = evidence::file(&state.db, &actor, &visibility, Proof::Deletion(id)).await?;
    Ok(FileDownload::new(file))
}

pub fn routes() -> Vec<Route> {
    routes![
        submit_audit_report,
        submit_deletion,
        review_audit_report,
        review_deletion,
        audit_report_file,
        deletion_file
    ]
}
