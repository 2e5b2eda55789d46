use crate::auth::User;
use crate::domain::ids::VendorId;
use crate::error::AppResult;
use crate::services::vendor_master;
use crate::services::vendors::{self, VendorInput};
use crate::services::Paging;
use crate::web::guards::Editor;
use crate::web::AppState;
use rocket::data::Data;
use rocket::http::Status;
use rocket::response::status::{Created, Custom};
use rocket::serde::json::{json, Json, Value};
use rocket::{get, post, put, routes, Route, State};

#[get("/vendors?<q>&<page>&<per_page>")]
async fn list(
    state: &State<AppState>,
    user: User,
    q: Option<String>,
    page: Option<i64>,
    per_page: Option<i64>,
) -> AppResult<Json<Value>> {
    let paged = vendors::search(
        &state.db,
        user.own_vendor(),
        q.as_deref(),
        Paging::new(page, per_page, 50),
    )
    .await?;
    Ok(Json(json!(paged)))
}

#[get("/vendors/<id>")]
async fn show(state: &State<AppState>, user: User, id: VendorId) -> AppResult<Json<Value>> {
    Ok(Json(json!(
        vendors::get(&state.db, user.own_vendor(), id).await?
    )))
}

#[post("/vendors", format = "json", data = "<input>")]
async fn create(
    state: &State<AppState>,
    editor: Editor,
    input: Json<VendorInput>,
) -> AppResult<Created<Json<Value>>> {
    let id = vendors::create(&state.db, editor.actor(), &input).await?;
    let vendor = vendors::get(&state.db, None, id).await?;
    Ok(Created::new(format!("/api/v1/vendors/{id}")).body(Json(json!(vendor))))
}

#[put("/vendors/<id>", format = "json", data = "<input>")]
async fn update(
    state: &State<AppState>,
    editor: Editor,
    id: VendorId,
    input: Json<VendorInput>,
) -> AppResult<Json<Value>> {
    vendors::update(
        &state.db,
        editor.actor(),
        &editor.0.vendor_rights(),
        id,
        &input,
    )
    .await?;
    Ok(Json(json!(vendors::get(&state.db, None, id).await?)))
}

/// `POST /api/v1/vendors/import?dry_run=true` with the list of qualified bidders (入札参加資格者名簿) as
/// the body: 200 when imported (or when the dry run would import), 422 with every row error otherwise.
#[post("/vendors/import?<dry_run>", data = "<body>")]
async fn import(
    state: &State<AppState>,
    editor: Editor,
    dry_run: Option<bool>,
    body: Data<'_>,
) -> AppResult<Custom<Json<Value>>> {
    let bytes = super::read_body(body, state.settings.upload_limit_bytes).await?;
    let report = vendor_master::import(
        &state.db,
        &state.settings,
        &state.sandbox,
        editor.actor(),
        &editor.0.vendor_rights(),
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

pub fn routes() -> Vec<Route> {
    routes![list, show, create, update, import]
}
