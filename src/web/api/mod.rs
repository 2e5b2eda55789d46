//! The JSON API under `/api/v1`.

pub mod contracts;
pub mod departments;
pub mod ledger;
pub mod vendors;

use rocket::Route;

pub fn routes() -> Vec<Route> {
    let mut all = Vec::new();
    all.extend(contracts::routes());
    all.extend(vendors::routes());
    all.extend(departments::routes());
    all.extend(ledger::routes());
    all
}
