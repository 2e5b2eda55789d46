//! Check sheets on the pages: the prefilled workbook, uploads, the submission and its review.

use crate::domain::ids::{ContractId, SubmissionId};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::services::checklists::{self, Decision, Submitted};
use crate::web::csrf::{self, CsrfForm};
use crate::web::download::{spreadsheet_original, FileDownload};
use crate::web::guards::{Chrome, Editing, Staff};
use crate::web::pages::admin::XlsxDownload;
use crate::web::pages::ledger::{display_name, read_upload};
use crate::web::views::{render, ChecklistRefused, ChecklistShow};
use crate::web::{AppState, FormOutcome};
use rocket::form::{Form, FromForm};
use rocket::fs::TempFile;
use rocket::http::Status;
use rocket::response::content::RawHtml;
use rocket::response::status::Custom;
use rocket::{get, post, routes, Route, State};
use std::collections::HashMap;

/// The workbook to fill, with the contract's vendor already in the respondent block.
#[get("/contracts/<id>/checklist-template.xlsx")]
async fn template(
    state: &State<AppState>,
    chrome: Chrome,
    id: ContractId,
) -> AppResult<XlsxDownload> {
    let visibility = chrome.user.contract_visibility();
    let sheet =
        crate::services::templates::for_contract(&state.db, &state.settings, &visibility, id)
            .await?;
    Ok(XlsxDownload::new(sheet.bytes, &sheet.file_name))
}

#[derive(FromForm)]
struct Upload<'r> {
    file: TempFile<'r>,
    csrf_token: String,
}

#[post("/contracts/<id>/checklists", data = "<upload>")]
async fn submit(
    state: &State<AppState>,
    chrome: Chrome,
    id: ContractId,
    upload: Form<Upload<'_>>,
) -> AppResult<FormOutcome> {
    csrf::require(&upload.csrf_token, &chrome.csrf)?;
    let scope = chrome.user.submission_scope().ok_or(AppError::Forbidden)?;
    let bytes = read_upload(&upload.file, state.settings.upload_limit_bytes).await?;
    let actor = chrome.actor.clone();
    match checklists::submit(
        &state.db,
        &actor,
        &scope,
        id,
        &display_name(&upload.file)?,
        &bytes,
        &state.settings,
        &state.sandbox,
    )
    .await?
    {
        Submitted::Accepted { submission_id, .. } => Ok(FormOutcome::saved(format!(
            "/checklists/{submission_id}?submitted=true"
        ))),
        Submitted::Refused(result) => {
            let page = render(&ChecklistRefused {
                chrome,
                back: format!("/contracts/{id}"),
                result,
            })?;
            Ok(FormOutcome::Refused(Custom(
                Status::UnprocessableEntity,
                page,
            )))
        }
    }
}

async fn page(
    state: &AppState,
    chrome: Chrome,
    id: SubmissionId,
    flags: (bool, bool),
    errors: FieldErrors,
) -> AppResult<RawHtml<String>> {
    let (v, contract) = checklists::view(
        &state.db,
        &state.settings,
        &chrome.user.contract_visibility(),
        id,
    )
    .await?;
    let may_review = chrome
        .user
        .edit_scope()
        .is_some_and(|scope| scope.may_use_department(contract.department_id));
    render(&ChecklistShow {
        chrome,
        v,
        contract,
        may_review,
        submitted: flags.0,
        reviewed: flags.1,
        errors,
    })
}

#[get("/checklists/<id>?<submitted>&<reviewed>")]
async fn show(
    state: &State<AppState>,
    chrome: Chrome,
    id: SubmissionId,
    submitted: Option<bool>,
    reviewed: Option<bool>,
) -> AppResult<RawHtml<String>> {
    page(
        state,
        chrome,
        id,
        (submitted.unwrap_or(false), reviewed.unwrap_or(false)),
        FieldErrors::new(),
    )
    .await
}

/// The original upload, byte for byte, under a name that cannot escape a download folder.
#[get("/checklists/<id>/file")]
async fn file(
    state: &State<AppState>,
    chrome: Chrome,
    id: SubmissionId,
) -> AppResult<FileDownload> {
    let actor = chrome.actor.clone();
    let visibility = chrome.user.contract_visibility();
    let (name, bytes) = checklists::file(&state.db, &actor, &visibility, id).await?;
    Ok(spreadsheet_original(
        &name,
        bytes,
        &format!("checksheet-submission-{id}"),
    ))
}

#[derive(FromForm)]
pub struct ReviewForm {
    decision: String,
    comment: Option<String>,
    items: HashMap<String, String>,
}

#[post("/checklists/<id>/review", data = "<form>")]
async fn review(
    state: &State<AppState>,
    editing: Editing,
    chrome: Chrome,
    id: SubmissionId,
    form: CsrfForm<ReviewForm>,
) -> AppResult<FormOutcome> {
    let decision = match form.decision.as_str() {
        "approve" => Decision::Approve,
        "return" => Decision::Return,
        _ => return Err(AppError::BadRequest("承認か差戻しを選んでください".into())),
    };
    let Editing { actor, scope, .. } = editing;
    let comment = form.comment.clone().unwrap_or_default();
    match checklists::review(
        &state.db,
        &actor,
        &scope,
        id,
        decision,
        &comment,
        &form.items,
    )
    .await
    {
        Ok(()) => Ok(FormOutcome::saved(format!(
            "/checklists/{id}?reviewed=true"
        ))),
        Err(AppError::Validation(errors)) => Ok(FormOutcome::Invalid(
            page(state, chrome, id, (false, false), errors).await?,
        )),
        Err(other) => Err(other),
    }
}

#[get("/checklists/<id>/export.xlsx")]
async fn export(
    state: &State<AppState>,
    chrome: Chrome,
    id: SubmissionId,
) -> AppResult<XlsxDownload> {
    let actor = chrome.actor.clone();
    let bytes = checklists::export_submission(
        &state.db,
        &state.settings,
        &actor,
        &chrome.user.contract_visibility(),
        id,
    )
    .await?;
    Ok(XlsxDownload::new(
        bytes,
        &format!("checksheet-answers-{id}.xlsx"),
    ))
}

/// All visible vendors' latest answers side by side.
#[get("/checklists/matrix.xlsx")]
async fn matrix(state: &State<AppState>, staff: Staff) -> AppResult<XlsxDownload> {
    let actor = staff.actor().clone();
    let bytes = checklists::export_matrix(
        &state.db,
        &state.settings,
        &actor,
        &staff.0.contract_visibility(),
    )
    .await?;
    Ok(XlsxDownload::new(
        bytes,
        &format!(
            "checksheet-matrix-{}.xlsx",
            crate::services::today().format("%Y%m%d")
        ),
    ))
}

pub fn routes() -> Vec<Route> {
    routes![template, submit, show, file, review, export, matrix]
}
