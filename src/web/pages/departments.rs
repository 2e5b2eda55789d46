use crate::domain::ids::DepartmentId;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::services::departments::{self, DepartmentInput};
use crate::web::csrf::CsrfForm;
use crate::web::fields::Fields;
use crate::web::guards::{Chrome, DepartmentAdmin, Staff};
use crate::web::views::{render, DepartmentList};
use crate::web::{AppState, FormOutcome};
use rocket::response::content::RawHtml;
use rocket::{get, post, routes, Route, State};

async fn page(
    state: &AppState,
    chrome: Chrome,
    errors: FieldErrors,
    new_name: String,
    saved: bool,
) -> AppResult<RawHtml<String>> {
    let departments = departments::list(&state.db).await?;
    render(&DepartmentList {
        chrome,
        departments,
        errors,
        new_name,
        saved,
    })
}

#[get("/departments?<saved>")]
async fn list(
    state: &State<AppState>,
    _staff: Staff,
    chrome: Chrome,
    saved: Option<bool>,
) -> AppResult<RawHtml<String>> {
    page(
        state,
        chrome,
        FieldErrors::new(),
        String::new(),
        saved.unwrap_or(false),
    )
    .await
}

#[post("/departments", data = "<input>")]
async fn create(
    state: &State<AppState>,
    admin: DepartmentAdmin,
    chrome: Chrome,
    input: CsrfForm<Fields<DepartmentInput>>,
) -> AppResult<FormOutcome> {
    match departments::create(&state.db, admin.actor(), &input).await {
        Ok(_) => Ok(FormOutcome::saved("/departments?saved=true".into())),
        Err(AppError::Validation(errors)) => Ok(FormOutcome::Invalid(
            page(
                state,
                chrome,
                errors,
                input.name.clone().unwrap_or_default(),
                false,
            )
            .await?,
        )),
        Err(other) => Err(other),
    }
}

#[post("/departments/<id>", data = "<input>")]
async fn rename(
    state: &State<AppState>,
    admin: DepartmentAdmin,
    chrome: Chrome,
    id: DepartmentId,
    input: CsrfForm<Fields<DepartmentInput>>,
) -> AppResult<FormOutcome> {
    match departments::rename(&state.db, admin.actor(), id, &input).await {
        Ok(()) => Ok(FormOutcome::saved("/departments?saved=true".into())),
        Err(AppError::Validation(errors)) => Ok(FormOutcome::Invalid(
            page(state, chrome, errors, String::new(), false).await?,
        )),
        Err(other) => Err(other),
    }
}

pub fn routes() -> Vec<Route> {
    routes![list, create, rename]
}
