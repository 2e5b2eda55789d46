//! インシデント連絡先 in the API: a vendor's contacts (read, replaced, confirmed as current) and a
//! contract's agreed incident scope.

use crate::auth::User;
use crate::domain::ids::{ContractId, VendorId};
use crate::domain::incident_contact::ContactFields;
use crate::error::AppResult;
use crate::services::incident_contacts;
use crate::web::guards::{Acting, Editing};
use crate::web::AppState;
use rocket::serde::json::{json, Json, Value};
use rocket::{get, post, put, routes, Route, State};
use serde::Deserialize;

async fn contacts(state: &AppState, user: &User, id: VendorId) -> AppResult<Json<Value>> {
    let today = crate::services::today();
    let contacts = incident_contacts::of_vendor(&state.db, user.own_vendor(), id, today).await?;
    Ok(Json(json!(contacts)))
}

/// `{"contacts": [{"name", "role", "phone", "email", "hours", "around_the_clock"}], "around_the_clock",
/// "fiscal_year", "last_confirmed_on", "confirmed_this_year", …}`.
#[get("/vendors/<id>/incident-contacts")]
async fn show(state: &State<AppState>, user: User, id: VendorId) -> AppResult<Json<Value>> {
    contacts(state, &user, id).await
}

#[derive(Deserialize)]
struct ContactsInput {
    #[serde(default)]
    contacts: Vec<ContactFields>,
}

/// Replaces the contacts and records this year's confirmation; 422 names each bad field
/// (`contacts[1].phone`).
#[put("/vendors/<id>/incident-contacts", format = "json", data = "<input>")]
async fn replace(
    state: &State<AppState>,
    acting: Acting,
    id: VendorId,
    input: Json<ContactsInput>,
) -> AppResult<Json<Value>> {
    let rights = acting.user.certificate_rights();
    let today = crate::services::today();
    incident_contacts::save(
        &state.db,
        &acting.actor,
        &rights,
        id,
        &input.contacts,
        today,
    )
    .await?;
    contacts(state, &acting.user, id).await
}

/// Records that the contacts are current (連絡先の年次確認).
#[post("/vendors/<id>/incident-contacts/confirm")]
async fn confirm(state: &State<AppState>, acting: Acting, id: VendorId) -> AppResult<Json<Value>> {
    let rights = acting.user.certificate_rights();
    let today = crate::services::today();
    incident_contacts::confirm(&state.db, &acting.actor, &rights, id, today).await?;
    contacts(state, &acting.user, id).await
}

/// `{"scope": "…" | null}`: what the vendor agreed to do in an incident under the contract.
#[get("/contracts/<id>/incident-scope")]
async fn scope(state: &State<AppState>, user: User, id: ContractId) -> AppResult<Json<Value>> {
    let scope = incident_contacts::scope_of(&state.db, &user.contract_visibility(), id).await?;
    Ok(Json(json!({ "scope": scope })))
}

#[derive(Deserialize)]
struct ScopeInput {
    #[serde(default)]
    scope: String,
}

#[put("/contracts/<id>/incident-scope", format = "json", data = "<input>")]
async fn set_scope(
    state: &State<AppState>,
    editing: Editing,
    id: ContractId,
    input: Json<ScopeInput>,
) -> AppResult<Json<Value>> {
    let Editing { actor, scope, .. } = editing;
    incident_contacts::set_scope(&state.db, &actor, &scope.contracts, id, &input.scope).await?;
    let stored = incident_contacts::scope_of(&state.db, &scope.contracts, id).await?;
    Ok(Json(json!({ "scope": stored })))
}

pub fn routes() -> Vec<Route> {
    routes![show, replace, confirm, scope, set_scope]
}
