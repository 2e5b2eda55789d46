use crate::error::{AppError, AppResult, FieldErrors};
use crate::services::ledger;
use crate::web::csrf::{self, CsrfForm};
use crate::web::guards::{Chrome, Importer, Importing};
use crate::web::views::{render, LedgerResult, LedgerUpload};
use crate::web::AppState;
use rocket::form::{Form, FromForm};
use rocket::fs::TempFile;
use rocket::response::content::RawHtml;
use rocket::response::status::Custom;
use rocket::{get, post, routes, Route, State};
use tokio::io::AsyncReadExt;

#[get("/ledger")]
fn upload_page(
    state: &State<AppState>,
    _importer: Importer,
    chrome: Chrome,
) -> AppResult<RawHtml<String>> {
    render(&LedgerUpload {
        chrome,
        limit_mib: state.settings.upload_limit_bytes / (1024 * 1024),
    })
}

#[derive(FromForm)]
struct Upload<'r> {
    file: TempFile<'r>,
    csrf_token: String,
}

/// Reads an uploaded file, refusing more than `limit` bytes whatever Rocket's own limits say, and a
/// form sent without choosing a file (browsers send an empty part with no name).
pub async fn read_upload(file: &TempFile<'_>, limit: usize) -> AppResult<Vec<u8>> {
    if file.len() == 0
        && file
            .raw_name()
            .is_none_or(|name| name.dangerous_unsafe_unsanitized_raw().is_empty())
    {
        let mut errors = FieldErrors::new();
        errors.add(
            "file",
            "ファイルが選ばれていません。ファイルを選んでから送信してください",
        );
        return Err(AppError::Validation(errors));
    }
    if file.len() as usize > limit {
        return Err(AppError::too_large(limit));
    }
    let mut bytes = Vec::with_capacity(file.len() as usize);
    let reader = file
        .open()
        .await
        .map_err(|e| AppError::Internal(format!("upload: {e}")))?;
    reader
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .await
        .map_err(|e| AppError::Internal(format!("upload: {e}")))?;
    if bytes.len() > limit {
        return Err(AppError::too_large(limit));
    }
    Ok(bytes)
}

/// The name the user's file had, reduced to something safe to show and store.
pub fn display_name(file: &TempFile<'_>) -> AppResult<String> {
    let raw = file
        .raw_name()
        .map(|n| n.dangerous_unsafe_unsanitized_raw().as_str().to_string())
        .unwrap_or_default();
    crate::web::safe_file_name(&raw, "（名前なし）")
}

#[post("/ledger/preview", data = "<upload>")]
async fn preview(
    state: &State<AppState>,
    importing: Importing,
    chrome: Chrome,
    upload: Form<Upload<'_>>,
) -> AppResult<Custom<RawHtml<String>>> {
    // A multipart form cannot go through `CsrfForm`; its token is checked here instead.
    csrf::require(&upload.csrf_token, &chrome.csrf)?;
    let Importing { actor, scope, .. } = importing;
    let bytes = read_upload(&upload.file, state.settings.upload_limit_bytes).await?;
    let file_name = display_name(&upload.file)?;
    let (report, token) = ledger::preview(
        &state.db,
        &actor,
        &scope,
        &file_name,
        &bytes,
        &state.settings,
        &state.sandbox,
    )
    .await?;
    result_page(chrome, file_name, report, token.unwrap_or_default())
}

/// The report page: 200 when the ledger is (or would be) imported, 422 when refused.
fn result_page(
    chrome: Chrome,
    file_name: String,
    report: ledger::ImportReport,
    token: String,
) -> AppResult<Custom<RawHtml<String>>> {
    let status = crate::web::report_status(report.accepted());
    Ok(Custom(
        status,
        render(&LedgerResult {
            chrome,
            file_name,
            report,
            token,
        })?,
    ))
}

#[derive(FromForm)]
pub struct Confirm {
    token: String,
}

#[post("/ledger/import", data = "<confirm>")]
async fn import(
    state: &State<AppState>,
    importing: Importing,
    chrome: Chrome,
    confirm: CsrfForm<Confirm>,
) -> AppResult<Custom<RawHtml<String>>> {
    let Importing { actor, scope, .. } = importing;
    let (file_name, report) = ledger::confirm_staged(
        &state.db,
        &actor,
        &scope,
        &confirm.token,
        &state.settings,
        &state.sandbox,
    )
    .await?;
    result_page(chrome, file_name, report, String::new())
}

pub fn routes() -> Vec<Route> {
    routes![upload_page, preview, import]
}
