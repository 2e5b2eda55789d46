//! Certifications on the pages: a vendor's list (on its page), the form to record or change one with
//! its certificate file, the file itself, and the bulk import of a certification list.

use crate::domain::ids::{CertificationId, VendorId};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::services::certifications::{self, CertificationInput, VerificationInput};
use crate::services::vendors;
use crate::web::csrf;
use crate::web::download::FileDownload;
use crate::web::fields::Fields;
use crate::web::guards::{Acting, Chrome, Editor};
use crate::web::pages::evidence::optional_upload;
use crate::web::pages::ledger::read_upload;
use crate::web::views::{render, CertificationForm, CertificationImport};
use crate::web::{AppState, FormOutcome};
use rocket::form::{Form, FromForm};
use rocket::fs::TempFile;
use rocket::response::content::RawHtml;
use rocket::response::status::Custom;
use rocket::{get, post, routes, Route, State};

/// The vendor whose certifications `chrome`'s user may record, or 404/403.
async fn recordable_vendor(
    state: &AppState,
    chrome: &Chrome,
    vendor_id: VendorId,
) -> AppResult<crate::db::vendors::Vendor> {
    let vendor = vendors::get(&state.db, chrome.user.own_vendor(), vendor_id).await?;
    vendors::authorize(
        &mut *state.db.acquire().await?,
        &chrome.user.certificate_rights(),
        vendor.id,
    )
    .await?;
    Ok(vendor)
}

#[get("/vendors/<id>/certifications/new")]
async fn new(state: &State<AppState>, chrome: Chrome, id: VendorId) -> AppResult<RawHtml<String>> {
    let vendor = recordable_vendor(state, &chrome, id).await?;
    render(&CertificationForm {
        chrome,
        vendor,
        id: None,
        input: <CertificationInput as Default>::default(),
        has_file: false,
        errors: FieldErrors::new(),
    })
}

#[get("/certifications/<id>/edit")]
async fn edit(
    state: &State<AppState>,
    chrome: Chrome,
    id: CertificationId,
) -> AppResult<RawHtml<String>> {
    let certification = certifications::get(&state.db, chrome.user.own_vendor(), id).await?;
    let vendor = recordable_vendor(state, &chrome, certification.vendor_id).await?;
    render(&CertificationForm {
        chrome,
        vendor,
        id: Some(certification.id),
        input: CertificationInput::from_certification(&certification),
        has_file: certification.file_id.is_some(),
        errors: FieldErrors::new(),
    })
}

#[derive(FromForm)]
struct CertificationUpload<'r> {
    csrf_token: String,
    certification: Fields<CertificationInput>,
    file: Option<TempFile<'r>>,
}

async fn save(
    state: &AppState,
    chrome: Chrome,
    vendor_id: VendorId,
    id: Option<CertificationId>,
    form: &CertificationUpload<'_>,
) -> AppResult<FormOutcome> {
    csrf::require(&form.csrf_token, &chrome.csrf)?;
    let vendor = recordable_vendor(state, &chrome, vendor_id).await?;
    let upload = optional_upload(&form.file, state.settings.upload_limit_bytes).await?;
    let actor = chrome.actor.clone();
    let result = certifications::save(
        &state.db,
        &state.settings,
        &actor,
        &chrome.user.certificate_rights(),
        vendor.id,
        id,
        &form.certification,
        upload.as_ref(),
    )
    .await;
    match result {
        Ok(_) => Ok(FormOutcome::saved(format!(
            "/vendors/{}?saved=true#certifications",
            vendor.id
        ))),
        Err(AppError::Validation(errors)) => {
            let has_file = match id {
                Some(id) => certifications::get(&state.db, Some(vendor.id), id)
                    .await?
                    .file_id
                    .is_some(),
                None => false,
            };
            Ok(FormOutcome::Invalid(render(&CertificationForm {
                chrome,
                vendor,
                id,
                input: form.certification.clone(),
                has_file,
                errors,
            })?))
        }
        Err(other) => Err(other),
    }
}

#[post("/vendors/<id>/certifications", data = "<form>")]
async fn create(
    state: &State<AppState>,
    chrome: Chrome,
    id: VendorId,
    form: Form<CertificationUpload<'_>>,
) -> AppResult<FormOutcome> {
    save(state, chrome, id, None, &form).await
}

#[post("/certifications/<id>", data = "<form>")]
async fn update(
    state: &State<AppState>,
    chrome: Chrome,
    id: CertificationId,
    form: Form<CertificationUpload<'_>>,
) -> AppResult<FormOutcome> {
    let certification = certifications::get(&state.db, chrome.user.own_vendor(), id).await?;
    save(state, chrome, certification.vendor_id, Some(id), &form).await
}

/// The certificate file: staff, and the vendor it belongs to.
#[get("/certifications/<id>/file")]
async fn file(
    state: &State<AppState>,
    acting: Acting,
    id: CertificationId,
) -> AppResult<FileDownload> {
    let Acting { user, actor } = acting;
    let file = certifications::file(&state.db, &actor, user.own_vendor(), id).await?;
    Ok(FileDownload::new(file))
}

#[derive(FromForm)]
struct VerificationForm {
    csrf_token: String,
    verification: Fields<VerificationInput>,
}

/// Staff verify a declared certificate or return it; back to the vendor's list with the outcome.
#[post("/certifications/<id>/verification", data = "<form>")]
async fn verify(
    state: &State<AppState>,
    editor: Editor,
    chrome: Chrome,
    id: CertificationId,
    form: Form<VerificationForm>,
) -> AppResult<FormOutcome> {
    csrf::require(&form.csrf_token, &chrome.csrf)?;
    let actor = editor.actor().clone();
    let certification = certifications::get(&state.db, None, id).await?;
    let back = format!("/vendors/{}", certification.vendor_id);
    match certifications::decide(
        &state.db,
        &actor,
        &editor.0.certificate_rights(),
        id,
        &form.verification,
    )
    .await
    {
        Ok(_) => Ok(FormOutcome::saved(format!(
            "{back}?saved=true#certifications"
        ))),
        // The form's only way to be refused is a return without a reason; the page says so there.
        Err(AppError::Validation(_)) => Ok(FormOutcome::saved(format!(
            "{back}?needs_reason={id}#certification-{id}"
        ))),
        Err(other) => Err(other),
    }
}

#[get("/certifications/import")]
fn import_page(_editor: Editor, chrome: Chrome) -> AppResult<RawHtml<String>> {
    render(&CertificationImport {
        chrome,
        report: None,
    })
}

#[derive(FromForm)]
struct ImportUpload<'r> {
    csrf_token: String,
    file: TempFile<'r>,
    dry_run: bool,
}

#[post("/certifications/import", data = "<form>")]
async fn import(
    state: &State<AppState>,
    editor: Editor,
    chrome: Chrome,
    form: Form<ImportUpload<'_>>,
) -> AppResult<Custom<RawHtml<String>>> {
    csrf::require(&form.csrf_token, &chrome.csrf)?;
    let bytes = read_upload(&form.file, state.settings.upload_limit_bytes).await?;
    let actor = editor.actor().clone();
    let report = certifications::import(
        &state.db,
        &state.settings,
        &state.sandbox,
        &actor,
        &editor.0.certificate_rights(),
        &bytes,
        form.dry_run,
    )
    .await?;
    let status = crate::web::report_status(report.accepted());
    Ok(Custom(
        status,
        render(&CertificationImport {
            chrome,
            report: Some(report),
        })?,
    ))
}

/// The year's confirmation that a SECURITY ACTION declaration still stands.
#[post("/certifications/<id>/confirmation", data = "<_form>")]
async fn confirm(
    state: &State<AppState>,
    acting: Acting,
    id: CertificationId,
    _form: crate::web::csrf::CsrfForm<Fields<serde_json::Value>>,
) -> AppResult<FormOutcome> {
    let vendor_id = certifications::confirm_declaration(
        &state.db,
        &acting.actor,
        &acting.user.certificate_rights(),
        id,
        crate::services::today(),
    )
    .await?;
    Ok(FormOutcome::saved(format!(
        "/vendors/{vendor_id}?saved=true#certifications"
    )))
}

/// An ISMS certificate's surveillance audit; a refused one is shown on the vendor's page by its row.
#[post("/certifications/<id>/surveillances", data = "<form>")]
async fn record_surveillance(
    state: &State<AppState>,
    acting: Acting,
    chrome: Chrome,
    id: CertificationId,
    form: crate::web::csrf::CsrfForm<Fields<certifications::SurveillanceInput>>,
) -> AppResult<FormOutcome> {
    let today = crate::services::today();
    let rights = acting.user.certificate_rights();
    match certifications::record(&state.db, &acting.actor, &rights, id, &form, today).await {
        Ok(vendor_id) => Ok(FormOutcome::saved(format!(
            "/vendors/{vendor_id}?saved=true#certification-{id}"
        ))),
        Err(AppError::Validation(errors)) => {
            let vendor_id = certifications::vendor_of(&state.db, id).await?;
            let shown = crate::web::pages::vendors::Shown {
                refused: Some((id, errors)),
                ..Default::default()
            };
            Ok(FormOutcome::Invalid(
                crate::web::pages::vendors::vendor_page(state, chrome, vendor_id, shown).await?,
            ))
        }
        Err(other) => Err(other),
    }
}

pub fn routes() -> Vec<Route> {
    routes![
        new,
        edit,
        create,
        update,
        file,
        verify,
        import_page,
        import,
        confirm,
        record_surveillance
    ]
}
