//! The JSON API under `/api/v1`.

pub mod checklists;
pub mod contracts;
pub mod departments;
pub mod ledger;
pub mod vendors;

use crate::auth::User;
use rocket::get;
use rocket::serde::json::{json, Json, Value};

/// Who the caller is, with its role and scope.
#[get("/me")]
fn me(user: User) -> Json<Value> {
    Json(json!(user))
}

use rocket::Route;

pub fn routes() -> Vec<Route> {
    let mut all = rocket::routes![me];
    all.extend(contracts::routes());
    all.extend(checklists::routes());
    all.extend(vendors::routes());
    all.extend(departments::routes());
    all.extend(ledger::routes());
    all
}
