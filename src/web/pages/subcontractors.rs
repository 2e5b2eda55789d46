//! The chain of subcontractors on a contract's page: the vendor's application, the officer's decision.

use crate::domain::ids::{ContractId, SubcontractorId};
use crate::error::{AppError, AppResult};
use crate::services::subcontractors::{self, DecisionInput, SubcontractorInput};
use crate::web::csrf::CsrfForm;
use crate::web::fields::Fields;
use crate::web::guards::{Chrome, Editing};
use crate::web::pages::contracts::contract_page;
use crate::web::views::EvidenceForms;
use crate::web::{AppState, FormOutcome};
use rocket::{post, routes, Route, State};

/// An application for approval, by the contract's vendor or recorded by an officer who may edit it.
#[post("/contracts/<id>/subcontractors", data = "<form>")]
async fn apply(
    state: &State<AppState>,
    chrome: Chrome,
    id: ContractId,
    form: CsrfForm<Fields<SubcontractorInput>>,
) -> AppResult<FormOutcome> {
    let scope = chrome.user.submission_scope().ok_or(AppError::Forbidden)?;
    let actor = chrome.actor.clone();
    match subcontractors::apply(&state.db, &actor, &scope, id, &form).await {
        Ok(_) => Ok(FormOutcome::saved(format!(
            "/contracts/{id}?saved=true#subcontractors"
        ))),
        Err(AppError::Validation(errors)) => {
            let forms = EvidenceForms {
                subcontractor: (**form).clone(),
                subcontractor_errors: errors,
                ..Default::default()
            };
            Ok(FormOutcome::Invalid(
                contract_page(state, chrome, id, false, forms).await?,
            ))
        }
        Err(other) => Err(other),
    }
}

#[post("/subcontractors/<id>/decision", data = "<form>")]
async fn decide(
    state: &State<AppState>,
    editing: Editing,
    chrome: Chrome,
    id: SubcontractorId,
    form: CsrfForm<Fields<DecisionInput>>,
) -> AppResult<FormOutcome> {
    let Editing { actor, scope, .. } = editing;
    match subcontractors::decide(&state.db, &actor, &scope.contracts, id, &form).await {
        Ok(contract_id) => Ok(FormOutcome::saved(format!(
            "/contracts/{contract_id}?saved=true#subcontractors"
        ))),
        Err(AppError::Validation(errors)) => {
            let contract_id = subcontractors::contract_of(&state.db, &scope.contracts, id).await?;
            let forms = EvidenceForms {
                review_target: format!("subcontractors/{id}"),
                review_errors: errors,
                ..Default::default()
            };
            Ok(FormOutcome::Invalid(
                contract_page(state, chrome, contract_id, false, forms).await?,
            ))
        }
        Err(other) => Err(other),
    }
}

pub fn routes() -> Vec<Route> {
    routes![apply, decide]
}
