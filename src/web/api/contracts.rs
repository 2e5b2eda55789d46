use crate::auth::User;
use crate::db::contracts::Contract;
use crate::domain::dates::JpDate;
use crate::domain::ids::{ContractId, DepartmentId, VendorId};
use crate::error::AppError;
use crate::error::AppResult;
use crate::services::contracts::{self, ContractInput, ContractQuery};
use crate::services::{self, Paging};
use crate::web::fields::Fields;
use crate::web::guards::Editing;
use crate::web::AppState;
use rocket::response::content::RawJson;
use rocket::response::status::Created;
use rocket::serde::json::{json, Json, Value};
use rocket::{get, post, put, routes, Route, State};
use serde::Serialize;

/// A contract as the API shows it.
#[derive(Serialize)]
pub struct ContractJson<'a> {
    id: ContractId,
    contract_number: &'a str,
    title: &'a str,
    department: Named<'a>,
    vendor: VendorRef<'a>,
    start_date: String,
    end_date: String,
    status: &'static str,
    handles_personal_data: bool,
    personal_records: Option<i64>,
    importance: &'static str,
    uses_cloud: bool,
    subcontracting_allowed: bool,
    deletion_days: i64,
    deletion_deadline: String,
    /// 契約金額 in yen, when known.
    amount: Option<i64>,
    notes: &'a str,
    created_at: &'a str,
    updated_at: &'a str,
}

#[derive(Serialize)]
struct Named<'a> {
    id: DepartmentId,
    name: &'a str,
}

#[derive(Serialize)]
struct VendorRef<'a> {
    id: VendorId,
    name: &'a str,
    /// Its 法人番号, else its 登録番号, else its 業者番号 …
    identifier: &'a str,
    /// … and which of the three it is: `corporate_number`, `invoice_number` or `vendor_code`.
    identifier_kind: &'static str,
    /// The 法人番号, or null for a sole proprietor.
    corporate_number: Option<&'a str>,
}

pub fn contract_json(c: &Contract) -> ContractJson<'_> {
    ContractJson {
        id: c.id,
        contract_number: &c.contract_number,
        title: &c.title,
        department: Named {
            id: c.department_id,
            name: &c.department_name,
        },
        vendor: VendorRef {
            id: c.vendor_id,
            name: &c.vendor_name,
            identifier: &c.vendor_identifier,
            identifier_kind: c.vendor_identifier().field(),
            corporate_number: matches!(
                c.vendor_identifier(),
                crate::domain::VendorIdentifier::Corporate(_)
            )
            .then_some(c.vendor_identifier.as_str()),
        },
        start_date: c.start_date.iso(),
        end_date: c.end_date.iso(),
        status: c.status(&services::today()).code(),
        handles_personal_data: c.handles_personal_data,
        personal_records: c.personal_records,
        importance: c.importance.as_code(),
        uses_cloud: c.uses_cloud,
        subcontracting_allowed: c.subcontracting_allowed,
        deletion_days: c.deletion_days,
        deletion_deadline: c.deletion_deadline.iso(),
        amount: c.amount,
        notes: &c.notes,
        created_at: &c.created_at,
        updated_at: &c.updated_at,
    }
}

#[get("/contracts?<query..>")]
async fn list(
    state: &State<AppState>,
    user: User,
    query: Fields<ContractQuery>,
) -> AppResult<RawJson<String>> {
    let filter = query.filter()?;
    let order = query.order()?;
    let paging = Paging::new(query.page, query.per_page, 50);
    let paged = contracts::list_continuing(
        &state.db,
        &user.contract_visibility(),
        &filter,
        paging,
        (query.after.as_deref(), order),
        services::today(),
    )
    .await?;
    // Written straight from the rows, without building a `Value` tree first: this is the busiest list.
    serde_json::to_string(&paged.view(contract_json))
        .map(RawJson)
        .map_err(|error| AppError::Internal(error.to_string()))
}

#[get("/contracts/<id>")]
async fn show(state: &State<AppState>, user: User, id: ContractId) -> AppResult<Json<Value>> {
    let contract = contracts::get(&state.db, &user.contract_visibility(), id).await?;
    Ok(Json(json!(contract_json(&contract))))
}

#[post("/contracts", format = "json", data = "<input>")]
async fn create(
    state: &State<AppState>,
    editing: Editing,
    input: Json<ContractInput>,
) -> AppResult<Created<Json<Value>>> {
    let Editing { actor, scope, .. } = editing;
    let id = contracts::create(&state.db, &state.settings, &actor, &scope, &input).await?;
    let contract = contracts::get(&state.db, &scope.contracts, id).await?;
    Ok(Created::new(format!("/api/v1/contracts/{id}")).body(Json(json!(contract_json(&contract)))))
}

#[put("/contracts/<id>", format = "json", data = "<input>")]
async fn update(
    state: &State<AppState>,
    editing: Editing,
    id: ContractId,
    input: Json<ContractInput>,
) -> AppResult<Json<Value>> {
    let Editing { actor, scope, .. } = editing;
    contracts::update(
        &state.db,
        &actor,
        &scope,
        id,
        &input,
        state.settings.default_deletion_days,
    )
    .await?;
    let contract = contracts::get(&state.db, &scope.contracts, id).await?;
    Ok(Json(json!(contract_json(&contract))))
}

pub fn routes() -> Vec<Route> {
    routes![list, show, create, update]
}
