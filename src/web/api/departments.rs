use crate::domain::ids::DepartmentId;
use crate::error::AppResult;
use crate::services::departments::{self, DepartmentInput};
use crate::web::guards::{DepartmentAdmin, Staff};
use crate::web::AppState;
use rocket::response::status::Created;
use rocket::serde::json::{json, Json, Value};
use rocket::{get, post, put, routes, Route, State};

#[get("/departments")]
async fn list(state: &State<AppState>, _staff: Staff) -> AppResult<Json<Value>> {
    let items = departments::list(&state.db).await?;
    Ok(Json(json!({ "total": items.len(), "items": items })))
}

#[get("/departments/<id>")]
async fn show(state: &State<AppState>, _staff: Staff, id: DepartmentId) -> AppResult<Json<Value>> {
    Ok(Json(json!(departments::get(&state.db, id).await?)))
}

#[post("/departments", format = "json", data = "<input>")]
async fn create(
    state: &State<AppState>,
    admin: DepartmentAdmin,
    input: Json<DepartmentInput>,
) -> AppResult<Created<Json<Value>>> {
    let id = departments::create(&state.db, admin.actor(), &input).await?;
    let department = departments::get(&state.db, id).await?;
    Ok(Created::new(format!("/api/v1/departments/{id}")).body(Json(json!(department))))
}

#[put("/departments/<id>", format = "json", data = "<input>")]
async fn rename(
    state: &State<AppState>,
    admin: DepartmentAdmin,
    id: DepartmentId,
    input: Json<DepartmentInput>,
) -> AppResult<Json<Value>> {
    departments::rename(&state.db, admin.actor(), id, &input).await?;
    Ok(Json(json!(departments::get(&state.db, id).await?)))
}

pub fn routes() -> Vec<Route> {
    routes![list, show, create, rename]
}
