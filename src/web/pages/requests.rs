//! 年度一斉依頼 on the pages: the list with each request's progress, the form (with a preview of the
//! contracts it will go to), the request page and its workbook.

use crate::domain::ids::RequestId;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::services::{self, requests, requests::RequestInput};
use crate::web::csrf;
use crate::web::fields::Fields;
use crate::web::guards::Chrome;
use crate::web::pages::admin::XlsxDownload;
use crate::web::views::{render, RequestForm, RequestList, RequestShow};
use crate::web::{AppState, FormOutcome};
use rocket::form::{Form, FromForm};
use rocket::response::content::RawHtml;
use rocket::{get, post, routes, Route, State};

#[get("/requests")]
async fn list(state: &State<AppState>, chrome: Chrome) -> AppResult<RawHtml<String>> {
    let items = requests::list(&state.db, &chrome.user).await?;
    render(&RequestList { chrome, items })
}

async fn form_page(
    state: &AppState,
    chrome: Chrome,
    input: RequestInput,
    errors: FieldErrors,
    preview: Option<Vec<crate::db::contracts::Contract>>,
) -> AppResult<RawHtml<String>> {
    let visibility = chrome.user.contract_visibility();
    let departments = services::departments::list(&state.db)
        .await?
        .into_iter()
        .filter(|d| match &visibility {
            crate::db::contracts::Visibility::Departments(own) => own.contains(&d.id),
            _ => true,
        })
        .map(|d| (d.id, d.name))
        .collect();
    render(&RequestForm {
        chrome,
        input,
        departments,
        errors,
        preview,
    })
}

#[get("/requests/new")]
async fn new(state: &State<AppState>, chrome: Chrome) -> AppResult<RawHtml<String>> {
    let input = requests::blank(&chrome.user, services::today())?;
    form_page(state, chrome, input, FieldErrors::new(), None).await
}

#[derive(FromForm)]
struct RequestSubmission {
    csrf_token: String,
    request: Fields<RequestInput>,
    /// Set by the preview's confirm button; without it the form only shows the contracts.
    #[field(default = false)]
    confirm: bool,
}

#[post("/requests", data = "<form>")]
async fn create(
    state: &State<AppState>,
    chrome: Chrome,
    form: Form<RequestSubmission>,
) -> AppResult<Result<FormOutcome, rocket::response::status::Custom<RawHtml<String>>>> {
    csrf::require(&form.csrf_token, &chrome.csrf)?;
    let today = services::today();
    let input = form.request.clone();
    let invalid = |page| {
        Ok(Err(rocket::response::status::Custom(
            rocket::http::Status::UnprocessableEntity,
            page,
        )))
    };
    if !form.confirm {
        return match requests::preview(&state.db, &chrome.user, &input, today).await {
            Ok(contracts) => Ok(Err(rocket::response::status::Custom(
                rocket::http::Status::Ok,
                form_page(state, chrome, input, FieldErrors::new(), Some(contracts)).await?,
            ))),
            Err(AppError::Validation(errors)) => {
                invalid(form_page(state, chrome, input, errors, None).await?)
            }
            Err(other) => Err(other),
        };
    }
    let actor = chrome.actor.clone();
    match requests::create(
        &state.db,
        &state.settings,
        &actor,
        &chrome.user,
        &input,
        today,
    )
    .await
    {
        Ok(id) => {
            crate::services::reminders::send_soon(&state.db, &state.settings);
            Ok(Ok(FormOutcome::saved(format!("/requests/{id}"))))
        }
        Err(AppError::Validation(errors)) => {
            invalid(form_page(state, chrome, input, errors, None).await?)
        }
        Err(other) => Err(other),
    }
}

#[get("/requests/<id>")]
async fn show(
    state: &State<AppState>,
    chrome: Chrome,
    id: RequestId,
) -> AppResult<RawHtml<String>> {
    let p = requests::progress(&state.db, &chrome.user, id).await?;
    render(&RequestShow { chrome, p })
}

#[get("/requests/<id>/export.xlsx")]
async fn export(state: &State<AppState>, chrome: Chrome, id: RequestId) -> AppResult<XlsxDownload> {
    let actor = chrome.actor.clone();
    let bytes = requests::export(&state.db, &actor, &chrome.user, id).await?;
    Ok(XlsxDownload::new(bytes, &format!("request-{id}.xlsx")))
}

pub fn routes() -> Vec<Route> {
    routes![list, new, create, show, export]
}
