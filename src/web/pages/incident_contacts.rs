//! インシデント連絡先 on the pages: a vendor's contacts with the form to change and confirm them (the
//! vendor itself, or staff working with it), the contract's incident scope, and the CSIRT's binder.

use crate::domain::ids::{ContractId, VendorId};
use crate::domain::incident_contact::{ContactFields, MAX_CONTACTS};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::services::incident_contacts::{self, ContactsForm};
use crate::services::{self, vendors};
use crate::web::csrf::CsrfForm;
use crate::web::fields::Fields;
use crate::web::guards::{Acting, Chrome, Editing, Staff};
use crate::web::pages::admin::XlsxDownload;
use crate::web::views::{render, IncidentContactsPage};
use crate::web::{AppState, FormOutcome};
use rocket::response::content::RawHtml;
use rocket::{get, post, routes, Route, State};

/// Rows shown in the form: those given, then blank ones up to at least three.
fn form_rows(mut rows: Vec<ContactFields>) -> Vec<ContactFields> {
    rows.retain(|r| !r.is_blank());
    let wanted = (rows.len() + 1).clamp(3, MAX_CONTACTS);
    rows.resize_with(wanted.max(rows.len()), ContactFields::default);
    rows
}

async fn page(
    state: &AppState,
    chrome: Chrome,
    vendor_id: VendorId,
    rows: Option<Vec<ContactFields>>,
    errors: FieldErrors,
    notice: Option<&'static str>,
) -> AppResult<RawHtml<String>> {
    let today = services::today();
    let contacts =
        incident_contacts::of_vendor(&state.db, chrome.user.own_vendor(), vendor_id, today).await?;
    let may_change =
        vendors::may_change(&state.db, &chrome.user.certificate_rights(), vendor_id).await?;
    let rows = rows.unwrap_or_else(|| {
        contacts
            .contacts
            .iter()
            .map(|c| ContactFields {
                name: c.name.clone(),
                role: c.role.clone(),
                phone: c.phone.clone(),
                email: c.email.clone(),
                hours: c.hours.clone(),
                around_the_clock: c.around_the_clock,
            })
            .collect()
    });
    render(&IncidentContactsPage {
        chrome,
        contacts,
        may_change,
        rows: form_rows(rows),
        errors,
        notice,
    })
}

#[get("/vendors/<id>/incident-contacts?<saved>&<confirmed>")]
async fn show(
    state: &State<AppState>,
    chrome: Chrome,
    id: VendorId,
    saved: Option<bool>,
    confirmed: Option<bool>,
) -> AppResult<RawHtml<String>> {
    let notice = match (saved, confirmed) {
        (Some(true), _) => Some("保存しました。今年度の確認も記録しました。"),
        (_, Some(true)) => Some("今年度の確認を記録しました。"),
        _ => None,
    };
    page(state, chrome, id, None, FieldErrors::new(), notice).await
}

#[post("/vendors/<id>/incident-contacts", data = "<form>")]
async fn save(
    state: &State<AppState>,
    acting: Acting,
    chrome: Chrome,
    id: VendorId,
    form: CsrfForm<Fields<ContactsForm>>,
) -> AppResult<FormOutcome> {
    let rows = form.rows();
    let rights = acting.user.certificate_rights();
    let today = services::today();
    match incident_contacts::save(&state.db, &acting.actor, &rights, id, &rows, today).await {
        Ok(()) => Ok(FormOutcome::saved(format!(
            "/vendors/{id}/incident-contacts?saved=true"
        ))),
        Err(AppError::Validation(errors)) => Ok(FormOutcome::Invalid(
            page(state, chrome, id, Some(rows), errors, None).await?,
        )),
        Err(other) => Err(other),
    }
}

#[post("/vendors/<id>/incident-contacts/confirm", data = "<_form>")]
async fn confirm(
    state: &State<AppState>,
    acting: Acting,
    chrome: Chrome,
    id: VendorId,
    _form: CsrfForm<Fields<serde_json::Value>>,
) -> AppResult<FormOutcome> {
    let rights = acting.user.certificate_rights();
    let today = services::today();
    match incident_contacts::confirm(&state.db, &acting.actor, &rights, id, today).await {
        Ok(()) => Ok(FormOutcome::saved(format!(
            "/vendors/{id}/incident-contacts?confirmed=true"
        ))),
        Err(AppError::Validation(errors)) => Ok(FormOutcome::Invalid(
            page(state, chrome, id, None, errors, None).await?,
        )),
        Err(other) => Err(other),
    }
}

#[derive(serde::Deserialize)]
struct ScopeInput {
    #[serde(default)]
    scope: String,
}

/// The officer's record of what the vendor does in an incident under the contract.
#[post("/contracts/<id>/incident-scope", data = "<form>")]
async fn set_scope(
    state: &State<AppState>,
    editing: Editing,
    chrome: Chrome,
    id: ContractId,
    form: CsrfForm<Fields<ScopeInput>>,
) -> AppResult<FormOutcome> {
    let Editing { actor, scope, .. } = editing;
    match incident_contacts::set_scope(&state.db, &actor, &scope.contracts, id, &form.scope).await {
        Ok(()) => Ok(FormOutcome::saved(format!(
            "/contracts/{id}?saved=true#incident-scope"
        ))),
        Err(AppError::Validation(errors)) => {
            crate::web::pages::contracts::refused_on_contract_page(
                state,
                chrome,
                id,
                "incident-scope".into(),
                errors,
            )
            .await
        }
        Err(other) => Err(other),
    }
}

/// `/incident-contacts.xlsx?as_of=`: every running contract's contacts, for the CSIRT's binder.
#[get("/incident-contacts.xlsx?<as_of>")]
async fn binder(
    state: &State<AppState>,
    staff: Staff,
    as_of: Option<String>,
) -> AppResult<XlsxDownload> {
    let day = services::as_of(as_of.as_deref()).map_err(AppError::Validation)?;
    let bytes = incident_contacts::binder_xlsx(
        &state.db,
        staff.actor(),
        &staff.0.contract_visibility(),
        day,
    )
    .await?;
    Ok(XlsxDownload::new(
        bytes,
        &format!("itaku-incident-contacts-{}.xlsx", day.format("%Y%m%d")),
    ))
}

pub fn routes() -> Vec<Route> {
    routes![show, save, confirm, set_scope, binder]
}
