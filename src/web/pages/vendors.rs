use crate::db::contracts::ContractFilter;
use crate::domain::ids::{CertificationId, VendorId};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::services::vendor_master;
use crate::services::vendors::{self, VendorInput};
use crate::services::{self, contracts, Paging};
use crate::web::csrf;
use crate::web::csrf::CsrfForm;
use crate::web::fields::Fields;
use crate::web::guards::{Chrome, Editor, Staff};
use crate::web::pages::ledger::read_upload;
use crate::web::views::{render, VendorForm, VendorImport, VendorList, VendorShow};
use crate::web::{query_prefix, AppState, FormOutcome};
use rocket::form::{Form, FromForm};
use rocket::fs::TempFile;
use rocket::response::content::RawHtml;
use rocket::response::status::Custom;
use rocket::serde::json::Json;
use rocket::{get, post, routes, Route, State};

#[get("/vendors?<q>&<page>&<per_page>")]
async fn list(
    state: &State<AppState>,
    chrome: Chrome,
    q: Option<String>,
    page: Option<i64>,
    per_page: Option<i64>,
) -> AppResult<RawHtml<String>> {
    let paged = vendors::search(
        &state.db,
        chrome.user.own_vendor(),
        q.as_deref(),
        Paging::new(page, per_page, 50),
    )
    .await?;
    let page_query = query_prefix(&[
        ("q", q.clone()),
        ("per_page", per_page.map(|v| v.to_string())),
    ]);
    render(&VendorList {
        chrome,
        q: q.unwrap_or_default(),
        paged,
        page_query,
    })
}

#[get("/vendors/new")]
fn new(_editor: Editor, chrome: Chrome) -> AppResult<RawHtml<String>> {
    render(&VendorForm::new(
        chrome,
        None,
        &<VendorInput as Default>::default(),
        FieldErrors::new(),
    ))
}

#[post("/vendors", data = "<input>")]
async fn create(
    state: &State<AppState>,
    editor: Editor,
    chrome: Chrome,
    input: CsrfForm<Fields<VendorInput>>,
) -> AppResult<FormOutcome> {
    match vendors::create(&state.db, editor.actor(), &input).await {
        Ok(id) => Ok(FormOutcome::saved(format!("/vendors/{id}?saved=true"))),
        Err(AppError::Validation(errors)) => Ok(FormOutcome::Invalid(render(&VendorForm::new(
            chrome, None, &input, errors,
        ))?)),
        Err(other) => Err(other),
    }
}

#[get("/vendors/<id>?<saved>&<needs_reason>")]
async fn show(
    state: &State<AppState>,
    chrome: Chrome,
    id: VendorId,
    saved: Option<bool>,
    needs_reason: Option<CertificationId>,
) -> AppResult<RawHtml<String>> {
    let shown = Shown {
        saved: saved.unwrap_or(false),
        needs_reason,
        refused: None,
    };
    vendor_page(state, chrome, id, shown).await
}

/// What the vendor page shows besides the vendor: a saved notice, or a form on it refused.
#[derive(Default)]
pub struct Shown {
    pub saved: bool,
    /// The certificate whose return was refused for want of a reason.
    pub needs_reason: Option<CertificationId>,
    /// A certificate's form refused, with why.
    pub refused: Option<(CertificationId, crate::error::FieldErrors)>,
}

/// A vendor with its contracts and certifications.
pub async fn vendor_page(
    state: &AppState,
    chrome: Chrome,
    id: VendorId,
    shown: Shown,
) -> AppResult<RawHtml<String>> {
    let v = vendors::get(&state.db, chrome.user.own_vendor(), id).await?;
    let today = services::today();
    let filter = ContractFilter {
        vendor_id: Some(id),
        ..Default::default()
    };
    let visibility = chrome.user.contract_visibility();
    let contracts = contracts::list(
        &state.db,
        &visibility,
        &filter,
        Paging::new(None, Some(100), 100),
        today,
    )
    .await?;
    let certifications =
        crate::services::certifications::for_vendor(&state.db, &state.settings, id, today).await?;
    let may_record_certifications =
        vendors::may_change(&state.db, &chrome.user.certificate_rights(), id).await?;
    let may_verify_certifications =
        may_record_certifications && chrome.user.certificate_rights().is_staff();
    let may_edit_vendor = vendors::may_change(&state.db, &chrome.user.vendor_rights(), id).await?;
    render(&VendorShow {
        chrome,
        today,
        v,
        contracts,
        saved: shown.saved,
        certifications,
        may_record_certifications,
        may_verify_certifications,
        may_edit_vendor,
        needs_reason: shown.needs_reason,
        refused: shown.refused,
        suspensions: crate::services::suspensions::of_vendor(&state.db, id).await?,
    })
}

#[get("/vendors/<id>/edit")]
async fn edit(
    state: &State<AppState>,
    editor: Editor,
    chrome: Chrome,
    id: VendorId,
) -> AppResult<RawHtml<String>> {
    let vendor = vendors::get(&state.db, None, id).await?;
    vendors::authorize(
        &mut *state.db.acquire().await?,
        &editor.0.vendor_rights(),
        id,
    )
    .await?;
    render(&VendorForm::new(
        chrome,
        Some(id),
        &VendorInput::from_vendor(&vendor),
        FieldErrors::new(),
    ))
}

#[post("/vendors/<id>", data = "<input>")]
async fn update(
    state: &State<AppState>,
    editor: Editor,
    chrome: Chrome,
    id: VendorId,
    input: CsrfForm<Fields<VendorInput>>,
) -> AppResult<FormOutcome> {
    let actor = editor.actor().clone();
    match vendors::update(&state.db, &actor, &editor.0.vendor_rights(), id, &input).await {
        Ok(()) => Ok(FormOutcome::saved(format!("/vendors/{id}?saved=true"))),
        Err(AppError::Validation(errors)) => Ok(FormOutcome::Invalid(render(&VendorForm::new(
            chrome,
            Some(id),
            &input,
            errors,
        ))?)),
        Err(other) => Err(other),
    }
}

#[get("/vendors/import")]
fn import_page(_editor: Editor, chrome: Chrome) -> AppResult<RawHtml<String>> {
    render(&VendorImport {
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

/// 入札参加資格者名簿: checked (with 確認のみ) or imported, every row error shown by its cell.
#[post("/vendors/import", data = "<form>")]
async fn import(
    state: &State<AppState>,
    editor: Editor,
    chrome: Chrome,
    form: Form<ImportUpload<'_>>,
) -> AppResult<Custom<RawHtml<String>>> {
    csrf::require(&form.csrf_token, &chrome.csrf)?;
    let bytes = read_upload(&form.file, state.settings.upload_limit_bytes).await?;
    let report = vendor_master::import(
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
    Ok(Custom(
        status,
        render(&VendorImport {
            chrome,
            report: Some(report),
        })?,
    ))
}

/// What a vendor field suggests as it is typed in (`static/forms.js`), for staff only: a vendor user
/// learns of no other vendor.
#[get("/vendors/suggestions?<q>")]
async fn suggestions(
    state: &State<AppState>,
    _staff: Staff,
    q: Option<String>,
) -> AppResult<Json<Vec<vendors::VendorChoice>>> {
    Ok(Json(vendors::suggest(&state.db, q.as_deref()).await?))
}

pub fn routes() -> Vec<Route> {
    routes![
        list,
        new,
        create,
        show,
        edit,
        update,
        import_page,
        import,
        suggestions
    ]
}
