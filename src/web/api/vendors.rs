use crate::auth::guards::{ClientAddress, Editor};
use crate::auth::{Actor, User};
use crate::error::AppResult;
use crate::services::vendors::{self, VendorInput};
use crate::services::Paging;
use crate::web::{AppState, RecordId};
use rocket::response::status::Created;
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
async fn show(state: &State<AppState>, user: User, id: RecordId) -> AppResult<Json<Value>> {
    let id = id.get()?;
    Ok(Json(json!(
        vendors::get(&state.db, user.own_vendor(), id).await?
    )))
}

#[post("/vendors", format = "json", data = "<input>")]
async fn create(
    state: &State<AppState>,
    editor: Editor,
    ip: ClientAddress,
    input: Json<VendorInput>,
) -> AppResult<Created<Json<Value>>> {
    let id = vendors::create(&state.db, &Actor::user(&editor.0, &ip.0), &input).await?;
    let vendor = vendors::get(&state.db, None, id).await?;
    Ok(Created::new(format!("/api/v1/vendors/{id}")).body(Json(json!(vendor))))
}

#[put("/vendors/<id>", format = "json", data = "<input>")]
async fn update(
    state: &State<AppState>,
    editor: Editor,
    ip: ClientAddress,
    id: RecordId,
    input: Json<VendorInput>,
) -> AppResult<Json<Value>> {
    let id = id.get()?;
    vendors::update(
        &state.db,
        &Actor::user(&editor.0, &ip.0),
        &editor.0.vendor_rights(),
        id,
        &input,
    )
    .await?;
    Ok(Json(json!(vendors::get(&state.db, None, id).await?)))
}

pub fn routes() -> Vec<Route> {
    routes![list, show, create, update]
}
