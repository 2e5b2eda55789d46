//! Bid evaluation over the API: tenders, bidders, the rating and its freezing, and a bidder's check sheet.

use crate::auth::{Actor, User};
use crate::domain::ids::{BidderId, TenderId};
use crate::error::{AppError, AppResult};
use crate::services::rating;
use crate::services::tenders::{self, BidderInput, Submitter, TenderInput};
use crate::web::guards::{ClientAddress, Editor};
use crate::web::AppState;
use rocket::data::Data;
use rocket::response::status::{Created, Custom};
use rocket::serde::json::{json, Json, Value};
use rocket::{get, post, put, routes, Route, State};

fn visibility(user: &User) -> AppResult<crate::db::contracts::Visibility> {
    user.tender_visibility().ok_or(AppError::Forbidden)
}

#[get("/tenders")]
async fn list(state: &State<AppState>, user: User) -> AppResult<Json<Value>> {
    let items = tenders::list(&state.db, &visibility(&user)?).await?;
    Ok(Json(json!({"total": items.len(), "items": items})))
}

#[post("/tenders", format = "json", data = "<input>")]
async fn create(
    state: &State<AppState>,
    editor: Editor,
    ip: ClientAddress,
    input: Json<TenderInput>,
) -> AppResult<Created<Json<Value>>> {
    let scope = editor.0.edit_scope().ok_or(AppError::Forbidden)?;
    let id = tenders::create(
        &state.db,
        &state.settings,
        &Actor::user(&editor.0, &ip.0),
        &scope,
        &input,
    )
    .await?;
    let tender = tenders::get(&state.db, &scope.contracts, id).await?;
    Ok(Created::new(format!("/api/v1/tenders/{id}")).body(Json(json!(tender))))
}

#[get("/tenders/<id>")]
async fn show(state: &State<AppState>, user: User, id: TenderId) -> AppResult<Json<Value>> {
    let visibility = visibility(&user)?;
    let tender = tenders::get(&state.db, &visibility, id).await?;
    let bidders = tenders::bidders(&state.db, &visibility, id).await?;
    Ok(Json(json!({"tender": tender, "bidders": bidders})))
}

#[put("/tenders/<id>", format = "json", data = "<input>")]
async fn update(
    state: &State<AppState>,
    editor: Editor,
    ip: ClientAddress,
    id: TenderId,
    input: Json<TenderInput>,
) -> AppResult<Json<Value>> {
    let scope = editor.0.edit_scope().ok_or(AppError::Forbidden)?;
    tenders::update(
        &state.db,
        &state.settings,
        &Actor::user(&editor.0, &ip.0),
        &scope,
        id,
        &input,
    )
    .await?;
    Ok(Json(json!(
        tenders::get(&state.db, &scope.contracts, id).await?
    )))
}

#[post("/tenders/<id>/bidders", format = "json", data = "<input>")]
async fn add_bidder(
    state: &State<AppState>,
    editor: Editor,
    ip: ClientAddress,
    id: TenderId,
    input: Json<BidderInput>,
) -> AppResult<Created<Json<Value>>> {
    let scope = editor.0.edit_scope().ok_or(AppError::Forbidden)?;
    let bidder = tenders::add_bidder(
        &state.db,
        &Actor::user(&editor.0, &ip.0),
        &scope,
        id,
        &input,
    )
    .await?;
    Ok(Created::new(format!("/api/v1/tenders/{id}")).body(Json(json!({"bidder_id": bidder}))))
}

#[derive(serde::Deserialize)]
struct ScopeInput {
    isms_scope_confirmed: bool,
}

#[put("/bidders/<id>/scope", format = "json", data = "<input>")]
async fn confirm_scope(
    state: &State<AppState>,
    editor: Editor,
    ip: ClientAddress,
    id: BidderId,
    input: Json<ScopeInput>,
) -> AppResult<Json<Value>> {
    let scope = editor.0.edit_scope().ok_or(AppError::Forbidden)?;
    let actor = Actor::user(&editor.0, &ip.0);
    let bidder = id;
    tenders::confirm_scope(
        &state.db,
        &actor,
        &scope,
        bidder,
        input.isms_scope_confirmed,
    )
    .await?;
    Ok(Json(
        json!({"bidder_id": bidder, "isms_scope_confirmed": input.isms_scope_confirmed}),
    ))
}

#[get("/tenders/<id>/rating")]
async fn show_rating(state: &State<AppState>, user: User, id: TenderId) -> AppResult<Json<Value>> {
    let view = rating::current(&state.db, &state.settings, &visibility(&user)?, id).await?;
    Ok(Json(rating::to_json(&view)))
}

#[post("/tenders/<id>/finalize")]
async fn finalize(
    state: &State<AppState>,
    editor: Editor,
    ip: ClientAddress,
    id: TenderId,
) -> AppResult<Json<Value>> {
    let scope = editor.0.edit_scope().ok_or(AppError::Forbidden)?;
    rating::finalize(
        &state.db,
        &state.settings,
        &Actor::user(&editor.0, &ip.0),
        &scope,
        id,
    )
    .await?;
    let view = rating::current(&state.db, &state.settings, &scope.contracts, id).await?;
    Ok(Json(rating::to_json(&view)))
}

#[post("/tenders/<id>/copy")]
async fn copy(
    state: &State<AppState>,
    editor: Editor,
    ip: ClientAddress,
    id: TenderId,
) -> AppResult<Created<Json<Value>>> {
    let scope = editor.0.edit_scope().ok_or(AppError::Forbidden)?;
    let new_id = rating::copy(&state.db, &Actor::user(&editor.0, &ip.0), &scope, id).await?;
    Ok(Created::new(format!("/api/v1/tenders/{new_id}")).body(Json(json!({"id": new_id}))))
}

#[get("/bids")]
async fn bids(state: &State<AppState>, user: User) -> AppResult<Json<Value>> {
    let vendor = user.own_vendor().ok_or(AppError::Forbidden)?;
    let items = tenders::bids_of_vendor(&state.db, vendor).await?;
    Ok(Json(json!({"total": items.len(), "items": items})))
}

/// `POST /api/v1/bids/{bidder_id}/checklists?file_name=…` with the workbook as the body: the bidding
/// vendor, or an editor of the tender on its behalf.
#[post("/bids/<id>/checklists?<file_name>", data = "<body>")]
async fn submit_sheet(
    state: &State<AppState>,
    user: User,
    ip: ClientAddress,
    id: BidderId,
    file_name: Option<String>,
    body: Data<'_>,
) -> AppResult<Custom<Json<Value>>> {
    let who = Submitter::of(&user)?;
    let bytes = super::read_body(body, state.settings.upload_limit_bytes).await?;
    let name = crate::web::safe_file_name(file_name.as_deref().unwrap_or(""), "checksheet.xlsx")?;
    let actor = Actor::user(&user, &ip.0);
    let submitted = tenders::submit_sheet(
        &state.db,
        &state.settings,
        &state.sandbox,
        &actor,
        &who,
        id,
        &name,
        &bytes,
    )
    .await?;
    Ok(super::checklists::submitted_response(submitted, "sheet_id"))
}

pub fn routes() -> Vec<Route> {
    routes![
        list,
        create,
        show,
        update,
        add_bidder,
        confirm_scope,
        show_rating,
        finalize,
        copy,
        bids,
        submit_sheet
    ]
}
