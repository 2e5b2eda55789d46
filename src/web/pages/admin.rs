//! Administration: user accounts (administrators) and the audit log (administrators and the CISO).

use crate::auth::Role;
use crate::domain::ids::UserId;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::services::accounts::{self, UserInput};
use crate::services::audit::{self, AuditQuery};
use crate::services::{Paged, Paging};
use crate::web::csrf::CsrfForm;
use crate::web::fields::Fields;
use crate::web::guards::{AuditReader, Chrome, UserAdmin};
use crate::web::pages::auth::CsrfOnly;
use crate::web::views::{self, render, AuditLog, AuditRow, UserForm, UserList};
use crate::web::{query_prefix, AppState, FormOutcome};
use rocket::http::{ContentType, Header};
use rocket::response::content::RawHtml;
use rocket::{get, post, routes, Responder, Route, State};

#[get("/admin/users")]
async fn users(
    state: &State<AppState>,
    _admin: UserAdmin,
    chrome: Chrome,
) -> AppResult<RawHtml<String>> {
    let users = accounts::list_users(&state.db).await?;
    render(&UserList { chrome, users })
}

struct UserPage {
    id: Option<UserId>,
    input: UserInput,
    errors: FieldErrors,
    shown_password: Option<String>,
    saved: bool,
}

async fn user_page(state: &AppState, chrome: Chrome, page: UserPage) -> AppResult<RawHtml<String>> {
    let departments = crate::services::contracts::departments(&state.db).await?;
    let shown_vendor = crate::services::vendors::shown(
        &state.db,
        None,
        crate::services::given(&page.input.vendor_identifier),
    )
    .await?;
    let (tokens, locked_until) = match page.id {
        Some(id) => (
            accounts::tokens_of(&state.db, id).await?,
            accounts::locked_until(&state.db, id).await?,
        ),
        None => (Vec::new(), None),
    };
    render(&UserForm {
        chrome,
        id: page.id,
        input: page.input,
        errors: page.errors,
        roles: Role::ALL,
        departments,
        shown_vendor,
        tokens,
        shown_password: page.shown_password,
        saved: page.saved,
        locked_until,
    })
}

async fn stored_input(state: &AppState, id: UserId) -> AppResult<UserInput> {
    let (user, department_ids) = accounts::get_user(&state.db, id).await?;
    let vendor_identifier = match user.vendor_id {
        Some(vendor_id) => Some(
            crate::services::vendors::get(&state.db, None, vendor_id)
                .await?
                .identifier()
                .as_str()
                .to_string(),
        ),
        None => None,
    };
    Ok(UserInput {
        email: Some(user.email),
        display_name: Some(user.display_name),
        role: Some(user.role),
        vendor_identifier,
        department_ids,
        password: None,
        active: user.active,
    })
}

#[get("/admin/users/new")]
async fn new_user(
    state: &State<AppState>,
    _admin: UserAdmin,
    chrome: Chrome,
) -> AppResult<RawHtml<String>> {
    let input = UserInput {
        role: Some("officer".into()),
        active: true,
        ..Default::default()
    };
    user_page(
        state,
        chrome,
        UserPage {
            id: None,
            input,
            errors: FieldErrors::new(),
            shown_password: None,
            saved: false,
        },
    )
    .await
}

#[post("/admin/users", data = "<input>")]
async fn create_user(
    state: &State<AppState>,
    admin: UserAdmin,
    chrome: Chrome,
    input: CsrfForm<Fields<UserInput>>,
) -> AppResult<FormOutcome> {
    let input = input.into_inner().into_inner();
    match accounts::create_user(&state.db, admin.actor(), &input).await {
        Ok((id, password)) => {
            let page = UserPage {
                id: Some(id),
                input: stored_input(state, id).await?,
                errors: FieldErrors::new(),
                shown_password: password,
                saved: true,
            };
            Ok(FormOutcome::Refused(rocket::response::status::Custom(
                rocket::http::Status::Created,
                user_page(state, chrome, page).await?,
            )))
        }
        Err(AppError::Validation(errors)) => {
            let page = UserPage {
                id: None,
                input,
                errors,
                shown_password: None,
                saved: false,
            };
            Ok(FormOutcome::Invalid(user_page(state, chrome, page).await?))
        }
        Err(other) => Err(other),
    }
}

#[get("/admin/users/<id>?<saved>")]
async fn edit_user(
    state: &State<AppState>,
    _admin: UserAdmin,
    chrome: Chrome,
    id: UserId,
    saved: Option<bool>,
) -> AppResult<RawHtml<String>> {
    let input = stored_input(state, id).await?;
    user_page(
        state,
        chrome,
        UserPage {
            id: Some(id),
            input,
            errors: FieldErrors::new(),
            shown_password: None,
            saved: saved.unwrap_or(false),
        },
    )
    .await
}

#[post("/admin/users/<id>", data = "<input>")]
async fn update_user(
    state: &State<AppState>,
    admin: UserAdmin,
    chrome: Chrome,
    id: UserId,
    input: CsrfForm<Fields<UserInput>>,
) -> AppResult<FormOutcome> {
    let input = input.into_inner().into_inner();
    match accounts::update_user(&state.db, admin.actor(), id, &input).await {
        Ok(()) => Ok(FormOutcome::saved(format!("/admin/users/{id}?saved=true"))),
        Err(AppError::Validation(errors)) => {
            let mut shown = stored_input(state, id).await?;
            shown.display_name = input.display_name;
            shown.role = input.role;
            shown.department_ids = input.department_ids;
            shown.vendor_identifier = input.vendor_identifier;
            shown.active = input.active;
            let page = UserPage {
                id: Some(id),
                input: shown,
                errors,
                shown_password: None,
                saved: false,
            };
            Ok(FormOutcome::Invalid(user_page(state, chrome, page).await?))
        }
        Err(other) => Err(other),
    }
}

#[post("/admin/users/<id>/reset-password", data = "<_form>")]
async fn reset_password(
    state: &State<AppState>,
    admin: UserAdmin,
    chrome: Chrome,
    id: UserId,
    _form: CsrfForm<CsrfOnly>,
) -> AppResult<RawHtml<String>> {
    let password = accounts::reset_password(&state.db, admin.actor(), id).await?;
    let input = stored_input(state, id).await?;
    user_page(
        state,
        chrome,
        UserPage {
            id: Some(id),
            input,
            errors: FieldErrors::new(),
            shown_password: Some(password),
            saved: false,
        },
    )
    .await
}

/// Lifts the user's sign-in lock.
#[post("/admin/users/<id>/unlock", data = "<_form>")]
async fn unlock_user(
    state: &State<AppState>,
    admin: UserAdmin,
    id: UserId,
    _form: CsrfForm<CsrfOnly>,
) -> AppResult<FormOutcome> {
    accounts::unlock(&state.db, admin.actor(), id).await?;
    Ok(FormOutcome::saved(format!("/admin/users/{id}?saved=true")))
}

fn audit_query_string(query: &AuditQuery) -> String {
    query_prefix(&[
        ("actor", query.actor.clone()),
        ("action", query.action.clone()),
        ("entity_type", query.entity_type.clone()),
        ("from", query.from.clone()),
        ("to", query.to.clone()),
    ])
}

#[get("/audit?<query..>")]
async fn audit_log(
    state: &State<AppState>,
    _reader: AuditReader,
    chrome: Chrome,
    query: Fields<AuditQuery>,
) -> AppResult<RawHtml<String>> {
    let paging = Paging::new(query.page, query.per_page, 100);
    let (paged, errors) = match query.filter() {
        Ok(filter) => (
            audit::list(&state.db, &filter, paging).await?,
            FieldErrors::new(),
        ),
        Err(AppError::Validation(errors)) => (Paged::new(Vec::new(), 0, paging), errors),
        Err(other) => return Err(other),
    };
    let page_query = audit_query_string(&query);
    let names = audit::names_in(&state.db, &paged.items).await?;
    render(&AuditLog {
        chrome,
        query: query.into_inner(),
        page_query,
        rows: paged
            .items
            .iter()
            .map(|entry| AuditRow::new(entry, &names))
            .collect(),
        paged,
        errors,
        actions: views::ACTIONS.to_vec(),
        entity_types: views::ENTITY_TYPES.to_vec(),
    })
}

/// An .xlsx download with a fixed, safe file name.
#[derive(Responder)]
pub struct XlsxDownload {
    body: crate::web::download::SharedBody,
    content_type: ContentType,
    disposition: Header<'static>,
}

impl XlsxDownload {
    pub fn new(body: impl Into<crate::web::download::SharedBody>, ascii_name: &str) -> Self {
        XlsxDownload {
            body: body.into(),
            content_type: ContentType::new(
                "application",
                "vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            disposition: Header::new(
                "Content-Disposition",
                format!("attachment; filename=\"{ascii_name}\""),
            ),
        }
    }
}

#[get("/audit/export.xlsx?<query..>")]
async fn audit_export(
    state: &State<AppState>,
    reader: AuditReader,
    query: Fields<AuditQuery>,
) -> AppResult<XlsxDownload> {
    let filter = query.filter()?;
    let body = audit::export(&state.db, reader.actor(), &filter).await?;
    let name = format!(
        "itaku-audit-log-{}.xlsx",
        crate::services::today().format("%Y%m%d")
    );
    Ok(XlsxDownload::new(body, &name))
}

pub fn routes() -> Vec<Route> {
    routes![
        users,
        new_user,
        create_user,
        edit_user,
        update_user,
        reset_password,
        unlock_user,
        audit_log,
        audit_export
    ]
}
