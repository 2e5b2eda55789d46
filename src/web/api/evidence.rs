//! Certifications, audit reports and deletion certificates over the API. Submissions with a file are
//! `multipart/form-data` (the same fields as the pages, e.g. `curl -F report.kind=third_party -F file=@r.pdf`);
//! decisions and certification values are JSON.

use crate::auth::User;
use crate::domain::ids::{AuditReportId, CertificationId, ContractId, DeletionId, VendorId};
use crate::error::{AppError, AppResult};
use crate::services::audit_reports::{self, AuditReportInput};
use crate::services::certifications::{self, CertificationInput, VerificationInput};
use crate::services::deletions::{self, DeletionInput};
use crate::services::evidence::Upload;
use crate::services::evidence::{self, Proof, ReviewInput};
use crate::services::vendors;
use crate::web::fields::Fields;
use crate::web::guards::{Acting, Editing, Editor};
use crate::web::pages::evidence::optional_upload;
use crate::web::AppState;
use rocket::data::Data;
use rocket::form::{Form, FromForm};
use rocket::fs::TempFile;
use rocket::http::Status;
use rocket::response::status::Custom;
use rocket::serde::json::{json, Json, Value};
use rocket::{get, post, put, routes, Route, State};

fn created(id: impl serde::Serialize) -> Custom<Json<Value>> {
    Custom(Status::Created, Json(json!({ "id": id })))
}

#[get("/vendors/<id>/certifications")]
async fn list_certifications(
    state: &State<AppState>,
    user: User,
    id: VendorId,
) -> AppResult<Json<Value>> {
    let vendor = vendors::get(&state.db, user.own_vendor(), id).await?;
    let items = certifications::for_vendor(
        &state.db,
        &state.settings,
        vendor.id,
        crate::services::today(),
    )
    .await?;
    Ok(Json(json!({ "total": items.len(), "items": items })))
}

#[post("/vendors/<id>/certifications", data = "<input>")]
async fn create_certification(
    state: &State<AppState>,
    acting: Acting,
    id: VendorId,
    input: Json<CertificationInput>,
) -> AppResult<Custom<Json<Value>>> {
    let Acting { user, actor } = acting;
    let vendor = vendors::get(&state.db, user.own_vendor(), id).await?;
    let id = certifications::save(
        &state.db,
        &state.settings,
        &actor,
        &user.certificate_rights(),
        vendor.id,
        None,
        &input,
        None,
    )
    .await?;
    Ok(created(id))
}

#[put("/certifications/<id>", data = "<input>")]
async fn update_certification(
    state: &State<AppState>,
    acting: Acting,
    id: CertificationId,
    input: Json<CertificationInput>,
) -> AppResult<Json<Value>> {
    let Acting { user, actor } = acting;
    let certification = certifications::get(&state.db, user.own_vendor(), id).await?;
    let id = certifications::save(
        &state.db,
        &state.settings,
        &actor,
        &user.certificate_rights(),
        certification.vendor_id,
        Some(certification.id),
        &input,
        None,
    )
    .await?;
    Ok(Json(json!({ "id": id })))
}

/// `PUT /api/v1/certifications/{id}/file?file_name=…` with the certificate as the body.
#[put("/certifications/<id>/file?<file_name>", data = "<body>")]
async fn certification_file(
    state: &State<AppState>,
    acting: Acting,
    id: CertificationId,
    file_name: Option<String>,
    body: Data<'_>,
) -> AppResult<Json<Value>> {
    let Acting { user, actor } = acting;
    let certification = certifications::get(&state.db, user.own_vendor(), id).await?;
    let upload = Upload {
        name: crate::web::safe_file_name(file_name.as_deref().unwrap_or(""), "certificate")?,
        bytes: super::read_body(body, state.settings.upload_limit_bytes).await?,
    };
    certifications::save(
        &state.db,
        &state.settings,
        &actor,
        &user.certificate_rights(),
        certification.vendor_id,
        Some(certification.id),
        &CertificationInput::from_certification(&certification),
        Some(&upload),
    )
    .await?;
    Ok(Json(json!({ "id": certification.id })))
}

/// `POST /api/v1/certifications/{id}/verification` with `{"decision": "verify"|"return", "note": "…"}`:
/// staff who may change the vendor's certificates verify a declared one or return it with a reason.
#[post("/certifications/<id>/verification", data = "<input>")]
async fn verify_certification(
    state: &State<AppState>,
    editor: Editor,
    id: CertificationId,
    input: Json<VerificationInput>,
) -> AppResult<Json<Value>> {
    let actor = editor.actor().clone();
    certifications::decide(
        &state.db,
        &actor,
        &editor.0.certificate_rights(),
        id,
        &input,
    )
    .await?;
    let certification = certifications::get(&state.db, None, id).await?;
    Ok(Json(json!(certification)))
}

/// `POST /api/v1/certifications/import?dry_run=true` with the list as the body: 200 when imported
/// (or when the dry run would import), 422 with every row error otherwise.
#[post("/certifications/import?<dry_run>", data = "<body>")]
async fn import_certifications(
    state: &State<AppState>,
    editor: Editor,
    dry_run: Option<bool>,
    body: Data<'_>,
) -> AppResult<Custom<Json<Value>>> {
    let bytes = super::read_body(body, state.settings.upload_limit_bytes).await?;
    let actor = editor.actor().clone();
    let report = certifications::import(
        &state.db,
        &state.settings,
        &state.sandbox,
        &actor,
        &editor.0.certificate_rights(),
        &bytes,
        dry_run.unwrap_or(false),
    )
    .await?;
    let status = if report.accepted() {
        Status::Ok
    } else {
        Status::UnprocessableEntity
    };
    Ok(Custom(status, Json(json!(report))))
}

#[get("/contracts/<id>/audit-reports")]
async fn list_audit_reports(
    state: &State<AppState>,
    user: User,
    id: ContractId,
) -> AppResult<Json<Value>> {
    let items = audit_reports::for_contract(&state.db, &user.contract_visibility(), id).await?;
    Ok(Json(json!({ "total": items.len(), "items": items })))
}

#[derive(FromForm)]
struct AuditReportUpload<'r> {
    report: Fields<AuditReportInput>,
    file: Option<TempFile<'r>>,
}

#[post("/contracts/<id>/audit-reports", data = "<form>")]
async fn submit_audit_report(
    state: &State<AppState>,
    acting: Acting,
    id: ContractId,
    form: Form<AuditReportUpload<'_>>,
) -> AppResult<Custom<Json<Value>>> {
    let Acting { user, actor } = acting;
    let scope = user.submission_scope().ok_or(AppError::Forbidden)?;
    let upload = optional_upload(&form.file, state.settings.upload_limit_bytes).await?;
    let id = audit_reports::submit(
        &state.db,
        &state.settings,
        &actor,
        &scope,
        id,
        &form.report,
        upload.as_ref(),
    )
    .await?;
    Ok(created(id))
}

#[post("/audit-reports/<id>/review", data = "<form>")]
async fn review_audit_report(
    state: &State<AppState>,
    editing: Editing,
    id: AuditReportId,
    form: Json<ReviewInput>,
) -> AppResult<Json<Value>> {
    let Editing { actor, scope, .. } = editing;
    let contract_id = evidence::review(
        &state.db,
        &actor,
        &scope.contracts,
        Proof::AuditReport(id),
        &form,
    )
    .await?;
    Ok(Json(json!({ "contract_id": contract_id })))
}

#[get("/contracts/<id>/deletion-certificates")]
async fn list_deletions(
    state: &State<AppState>,
    user: User,
    id: ContractId,
) -> AppResult<Json<Value>> {
    let items = deletions::for_contract(&state.db, &user.contract_visibility(), id).await?;
    Ok(Json(json!({ "total": items.len(), "items": items })))
}

#[derive(FromForm)]
struct DeletionUpload<'r> {
    deletion: Fields<DeletionInput>,
    file: Option<TempFile<'r>>,
}

#[post("/contracts/<id>/deletion-certificates", data = "<form>")]
async fn submit_deletion(
    state: &State<AppState>,
    acting: Acting,
    id: ContractId,
    form: Form<DeletionUpload<'_>>,
) -> AppResult<Custom<Json<Value>>> {
    let Acting { user, actor } = acting;
    let scope = user.submission_scope().ok_or(AppError::Forbidden)?;
    let upload = optional_upload(&form.file, state.settings.upload_limit_bytes).await?;
    let id = deletions::submit(
        &state.db,
        &state.settings,
        &actor,
        &scope,
        id,
        &form.deletion,
        upload.as_ref(),
    )
    .await?;
    Ok(created(id))
}

#[post("/deletion-certificates/<id>/review", data = "<form>")]
async fn review_deletion(
    state: &State<AppState>,
    editing: Editing,
    id: DeletionId,
    form: Json<ReviewInput>,
) -> AppResult<Json<Value>> {
    let Editing { actor, scope, .. } = editing;
    let contract_id = evidence::review(
        &state.db,
        &actor,
        &scope.contracts,
        Proof::Deletion(id),
        &form,
    )
    .await?;
    Ok(Json(json!({ "contract_id": contract_id })))
}

/// `POST /api/v1/certifications/{id}/confirmation`: the year's confirmation that a SECURITY ACTION
/// declaration still stands; answers the vendor's certificates as they now stand.
#[post("/certifications/<id>/confirmation")]
async fn confirm_declaration(
    state: &State<AppState>,
    acting: crate::web::guards::Acting,
    id: CertificationId,
) -> AppResult<Json<Value>> {
    let today = crate::services::today();
    let vendor_id = certifications::confirm_declaration(
        &state.db,
        &acting.actor,
        &acting.user.certificate_rights(),
        id,
        today,
    )
    .await?;
    let views = certifications::for_vendor(&state.db, &state.settings, vendor_id, today).await?;
    Ok(Json(json!(views
        .into_iter()
        .find(|v| v.certification.id == id))))
}

/// `POST /api/v1/certifications/{id}/surveillances` with `{"audited_on", "result": "conforming"|"minor"|"major",
/// "note"}`: an ISMS certificate's surveillance audit; answers the certificate as it now stands (201).
#[post(
    "/certifications/<id>/surveillances",
    format = "json",
    data = "<input>"
)]
async fn record_surveillance(
    state: &State<AppState>,
    acting: crate::web::guards::Acting,
    id: CertificationId,
    input: Json<certifications::SurveillanceInput>,
) -> AppResult<Custom<Json<Value>>> {
    let today = crate::services::today();
    let rights = acting.user.certificate_rights();
    let vendor_id =
        certifications::record(&state.db, &acting.actor, &rights, id, &input, today).await?;
    let views = certifications::for_vendor(&state.db, &state.settings, vendor_id, today).await?;
    Ok(Custom(
        Status::Created,
        Json(json!(views.into_iter().find(|v| v.certification.id == id))),
    ))
}

pub fn routes() -> Vec<Route> {
    routes![
        list_certifications,
        create_certification,
        update_certification,
        certification_file,
        verify_certification,
        import_certifications,
        list_audit_reports,
        submit_audit_report,
        review_audit_report,
        list_deletions,
        submit_deletion,
        review_deletion,
        confirm_declaration,
        record_surveillance
    ]
}
