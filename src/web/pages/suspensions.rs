//! 指名停止 on the pages: the suspensions in force, to come and of the last year, and the import of
//! the contract office's list (checked with 確認のみ first, every row error shown by its cell).

use crate::error::AppResult;
use crate::services::suspensions;
use crate::web::csrf;
use crate::web::guards::{Chrome, Editor, Staff};
use crate::web::pages::ledger::read_upload;
use crate::web::views::{render, SuspensionList};
use crate::web::AppState;
use rocket::form::{Form, FromForm};
use rocket::fs::TempFile;
use rocket::response::content::RawHtml;
use rocket::response::status::Custom;
use rocket::{get, post, routes, Route, State};

#[get("/suspensions")]
async fn list(
    state: &State<AppState>,
    _staff: Staff,
    chrome: Chrome,
) -> AppResult<RawHtml<String>> {
    let today = crate::services::today();
    render(&SuspensionList {
        chrome,
        today,
        suspensions: suspensions::recent(&state.db, today).await?,
        report: None,
    })
}

#[derive(FromForm)]
struct ImportUpload<'r> {
    csrf_token: String,
    file: TempFile<'r>,
    dry_run: bool,
}

#[post("/suspensions/import", data = "<form>")]
async fn import(
    state: &State<AppState>,
    editor: Editor,
    chrome: Chrome,
    form: Form<ImportUpload<'_>>,
) -> AppResult<Custom<RawHtml<String>>> {
    csrf::require(&form.csrf_token, &chrome.csrf)?;
    let bytes = read_upload(&form.file, state.settings.upload_limit_bytes).await?;
    let report = suspensions::import(
        &state.db,
        &state.settings,
        &state.sandbox,
        editor.actor(),
        &editor.0.vendor_rights(),
        &bytes,
        form.dry_run,
    )
    .await?;
    let status = crate::web::report_status(report.accepted());
    let today = crate::services::today();
    Ok(Custom(
        status,
        render(&SuspensionList {
            chrome,
            today,
            suspensions: suspensions::recent(&state.db, today).await?,
            report: Some(report),
        })?,
    ))
}

pub fn routes() -> Vec<Route> {
    routes![list, import]
}
