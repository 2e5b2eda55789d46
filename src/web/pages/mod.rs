//! The Japanese HTML pages, one module per feature.

pub mod admin;
pub mod auth;
pub mod certifications;
pub mod checklists;
pub mod clauses;
pub mod contracts;
pub mod corrective_actions;
pub mod dashboard;
pub mod departments;
pub mod evidence;
pub mod home;
mod incident_contacts;
pub mod incidents;
pub mod ledger;
pub mod mfa;
pub mod notifications;
pub mod requests;
pub mod sign_in_links;
pub mod star_level;
pub mod subcontractors;
mod suspensions;
pub mod tenders;
pub mod vendors;

use rocket::Route;

pub fn routes() -> Vec<Route> {
    let mut all = Vec::new();
    all.extend(auth::routes());
    all.extend(mfa::routes());
    all.extend(notifications::routes());
    all.extend(requests::routes());
    all.extend(sign_in_links::routes());
    all.extend(admin::routes());
    all.extend(home::routes());
    all.extend(contracts::routes());
    all.extend(checklists::routes());
    all.extend(evidence::routes());
    all.extend(subcontractors::routes());
    all.extend(corrective_actions::routes());
    all.extend(clauses::routes());
    all.extend(incidents::routes());
    all.extend(incident_contacts::routes());
    all.extend(star_level::routes());
    all.extend(suspensions::routes());
    all.extend(certifications::routes());
    all.extend(dashboard::routes());
    all.extend(vendors::routes());
    all.extend(departments::routes());
    all.extend(ledger::routes());
    all.extend(tenders::routes());
    all
}
