//! The ★ level's three conditions on a contract's page.

use crate::domain::ids::ContractId;
use crate::error::AppResult;
use crate::services::star_level::{self, StarInput};
use crate::web::csrf::CsrfForm;
use crate::web::fields::Fields;
use crate::web::guards::Editing;
use crate::web::{AppState, FormOutcome};
use rocket::{post, routes, Route, State};

#[post("/contracts/<id>/star-level", data = "<form>")]
async fn set(
    state: &State<AppState>,
    editing: Editing,
    id: ContractId,
    form: CsrfForm<Fields<StarInput>>,
) -> AppResult<FormOutcome> {
    let Editing { actor, scope, .. } = editing;
    star_level::set(&state.db, &actor, &scope.contracts, id, &form).await?;
    Ok(FormOutcome::saved(format!(
        "/contracts/{id}?saved=true#star-level"
    )))
}

pub fn routes() -> Vec<Route> {
    routes![set]
}
