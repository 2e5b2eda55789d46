//! The JSON API under `/api/v1`.

pub mod checklists;
pub mod clauses;
pub mod contracts;
pub mod corrective_actions;
pub mod departments;
pub mod evidence;
mod incident_contacts;
pub mod incidents;
pub mod ledger;
pub mod reports;
pub mod requests;
pub mod star_level;
pub mod subcontractors;
mod suspensions;
pub mod tenders;
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
    all.extend(reports::routes());
    all.extend(evidence::routes());
    all.extend(tenders::routes());
    all.extend(requests::routes());
    all.extend(subcontractors::routes());
    all.extend(corrective_actions::routes());
    all.extend(clauses::routes());
    all.extend(incidents::routes());
    all.extend(incident_contacts::routes());
    all.extend(star_level::routes());
    all.extend(suspensions::routes());
    all
}

/// Reads a raw request body, refusing more than `limit` bytes with 413.
pub async fn read_body(
    body: rocket::data::Data<'_>,
    limit: usize,
) -> crate::error::AppResult<Vec<u8>> {
    use rocket::data::ToByteUnit;
    let capped = body
        .open((limit as u64 + 1).bytes())
        .into_bytes()
        .await
        .map_err(|e| {
            crate::error::AppError::BadRequest(format!("アップロードを読み取れません: {e}"))
        })?;
    if !capped.is_complete() || capped.len() > limit {
        return Err(crate::error::AppError::too_large(limit));
    }
    Ok(capped.into_inner())
}
