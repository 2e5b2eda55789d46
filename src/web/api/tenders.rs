//! Bid evaluation over the API: tenders, bidders, the rating and its freezing, and a bidder's check sheet.

use crate::auth::User;
use crate::domain::ids::{BidderId, TenderId};
use crate::error::{AppError, AppResult};
use crate::services::rating;
use crate::services::tenders::{self, BidderInput, Submitter, TenderInput};
use crate::web::guards::{Acting, Editing};
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
    editing: Editing,
    input: Json<TenderInput>,
) -> AppResult<Created<Json<Value>>> {
    let Editing { actor, scope, .. } = editing;
    let id = tenders::create(&state.db, &state.settings, &actor, &scope, &input).await?;
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
    editing: Editing,
    id: TenderId,
    input: Json<TenderInput>,
) -> AppResult<Json<Value>> {
    let Editing { actor, scope, .. } = editing;
    tenders::update(&state.db, &state.settings, &actor, &scope, id, &input).await?;
    Ok(Json(json!(
        tenders::get(&state.db, &scope.contracts, id).await?
    )))
}

#[post("/tenders/<id>/bidders", format = "json", data = "<input>")]
async fn add_bidder(
    state: &State<AppState>,
    editing: Editing,
    id: TenderId,
    input: Json<BidderInput>,
) -> AppResult<Created<Json<Value>>> {
    let Editing { actor, scope, .. } = editing;
    let bidder = tenders::add_bidder(&state.db, &actor, &scope, id, &input).await?;
    Ok(Created::new(format!("/api/v1/tenders/{id}")).body(Json(json!({"bidder_id": bidder}))))
}

#[derive(serde::Deserialize)]
struct ScopeInput {
    isms_scope_confirmed: bool,
}

#[put("/bidders/<id>/scope", format = "json", data = "<input>")]
async fn confirm_scope(
    state: &State<AppState>,
    editing: Editing,
    id: BidderId,
    input: Json<ScopeInput>,
) -> AppResult<Json<Value>> {
    let Editing { actor, scope, .. } = editing;
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
    editing: Editing,
    id: TenderId,
) -> AppResult<Json<Value>> {
    let Editing { actor, scope, .. } = editing;
    rating::finalize(&state.db, &state.settings, &actor, &scope, id).await?;
    let view = rating::current(&state.db, &state.settings, &scope.contracts, id).await?;
    Ok(Json(rating::to_json(&view)))
}

#[post("/tenders/<id>/copy")]
async fn copy(
    state: &State<AppState>,
    editing: Editing,
    id: TenderId,
) -> AppResult<Created<Json<Value>>> {
    let Editing { actor, scope, .. } = editing;
    let new_id = rating::copy(&state.db, &actor, &scope, id).await?;
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
    acting: Acting,
    id: BidderId,
    file_name: Option<String>,
    body: Data<'_>,
) -> AppResult<Custom<Json<Value>>> {
    let Acting { user, actor } = acting;
    let who = Submitter::of(&user)?;
    let bytes = super::read_body(body, state.settings.upload_limit_bytes).await?;
    let name = crate::web::safe_file_name(file_name.as_deref().unwrap_or(""), "checksheet.xlsx")?;
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
