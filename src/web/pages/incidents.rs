//! Incidents on a contract's page: the vendor's report (or staff's record) and the follow-ups.

use crate::domain::ids::{ContractId, IncidentId};
use crate::error::{AppError, AppResult};
use crate::services::incidents::{self, IncidentInput, UpdateInput};
use crate::web::csrf::CsrfForm;
use crate::web::fields::Fields;
use crate::web::guards::Chrome;
use crate::web::pages::contracts::refused_on_contract_page;
use crate::web::{AppState, FormOutcome};
use rocket::{post, routes, Route, State};

#[post("/contracts/<id>/incidents", data = "<form>")]
async fn report(
    state: &State<AppState>,
    chrome: Chrome,
    id: ContractId,
    form: CsrfForm<Fields<IncidentInput>>,
) -> AppResult<FormOutcome> {
    let scope = chrome.user.submission_scope().ok_or(AppError::Forbidden)?;
    let actor = chrome.actor.clone();
    match incidents::report(&state.db, &state.settings, &actor, &scope, id, &form).await {
        Ok(received) => Ok(FormOutcome::saved(format!(
            "/contracts/{id}?saved=true#incident-{}",
            received.id
        ))),
        Err(AppError::Validation(errors)) => {
            refused_on_contract_page(state, chrome, id, "incidents/new".into(), errors).await
        }
        Err(other) => Err(other),
    }
}

#[post("/incidents/<id>/updates", data = "<form>")]
async fn update(
    state: &State<AppState>,
    chrome: Chrome,
    id: IncidentId,
    form: CsrfForm<Fields<UpdateInput>>,
) -> AppResult<FormOutcome> {
    let scope = chrome.user.submission_scope().ok_or(AppError::Forbidden)?;
    let actor = chrome.actor.clone();
    match incidents::update(&state.db, &actor, &scope, id, &form).await {
        Ok(contract_id) => Ok(FormOutcome::saved(format!(
            "/contracts/{contract_id}?saved=true#incident-{id}"
        ))),
        Err(AppError::Validation(errors)) => {
            let contract_id = incidents::contract_of(&state.db, &scope, id).await?;
            refused_on_contract_page(
                state,
                chrome,
                contract_id,
                format!("incidents/{id}"),
                errors,
            )
            .await
        }
        Err(other) => Err(other),
    }
}

pub fn routes() -> Vec<Route> {
    routes![report, update]
}
