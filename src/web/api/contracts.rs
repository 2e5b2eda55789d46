use crate::db::contracts::{Contract, Visibility};
use crate::domain::dates::JpDate;
use crate::error::AppResult;
use crate::services::contracts::{self, ContractInput, ContractQuery};
use crate::services::{self, Paging};
use crate::web::{AppState, RecordId};
use rocket::response::status::Created;
use rocket::serde::json::{json, Json, Value};
use rocket::{get, post, put, routes, Route, State};

/// A contract as the API shows it.
pub fn contract_json(c: &Contract) -> Value {
    let today = services::today();
    json!({
        "id": c.id,
        "contract_number": c.contract_number,
        "title": c.title,
        "department": {"id": c.department_id, "name": c.department_name},
        "vendor": {"id": c.vendor_id, "name": c.vendor_name, "corporate_number": c.vendor_corporate_number},
        "start_date": c.start_date.iso(),
        "end_date": c.end_date.iso(),
        "status": c.status(&today).code(),
        "handles_personal_data": c.handles_personal_data,
        "personal_records": c.personal_records,
        "importance": c.importance.as_code(),
        "uses_cloud": c.uses_cloud,
        "subcontracting_allowed": c.subcontracting_allowed,
        "deletion_days": c.deletion_days,
        "deletion_deadline": c.deletion_deadline.iso(),
        "notes": c.notes,
        "created_at": c.created_at,
        "updated_at": c.updated_at,
    })
}

#[get("/contracts?<query..>")]
async fn list(state: &State<AppState>, query: ContractQuery) -> AppResult<Json<Value>> {
    let filter = query.filter()?;
    let paging = Paging::new(query.page, query.per_page, 50);
    let paged = contracts::list(
        &state.db,
        &Visibility::All,
        &filter,
        paging,
        services::today(),
    )
    .await?;
    Ok(Json(json!({
        "items": paged.items.iter().map(contract_json).collect::<Vec<_>>(),
        "total": paged.total,
        "page": paged.page,
        "per_page": paged.per_page,
    })))
}

#[get("/contracts/<id>")]
async fn show(state: &State<AppState>, id: RecordId) -> AppResult<Json<Value>> {
    let id = id.get()?;
    Ok(Json(contract_json(
        &contracts::get(&state.db, &Visibility::All, id).await?,
    )))
}

#[post("/contracts", format = "json", data = "<input>")]
async fn create(
    state: &State<AppState>,
    input: Json<ContractInput>,
) -> AppResult<Created<Json<Value>>> {
    let id = contracts::create(&state.db, &input, state.settings.default_deletion_days).await?;
    let contract = contracts::get(&state.db, &Visibility::All, id).await?;
    Ok(Created::new(format!("/api/v1/contracts/{id}")).body(Json(contract_json(&contract))))
}

#[put("/contracts/<id>", format = "json", data = "<input>")]
async fn update(
    state: &State<AppState>,
    id: RecordId,
    input: Json<ContractInput>,
) -> AppResult<Json<Value>> {
    let id = id.get()?;
    contracts::update(
        &state.db,
        &Visibility::All,
        id,
        &input,
        state.settings.default_deletion_days,
    )
    .await?;
    Ok(Json(contract_json(
        &contracts::get(&state.db, &Visibility::All, id).await?,
    )))
}

pub fn routes() -> Vec<Route> {
    routes![list, show, create, update]
}
