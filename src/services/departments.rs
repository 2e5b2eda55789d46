//! 所管課: the departments that own contracts.

use crate::auth::Actor;
use crate::db::{departments, Db};
use crate::domain::ids::DepartmentId;
use crate::domain::BoundedText;
use crate::error::{AppError, AppResult, FieldErrors, Unique};
use crate::services::audit;
use crate::services::audit::Event;
use serde::{Deserialize, Serialize};
use serde_json::json;

pub use departments::{Department, DepartmentSummary};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DepartmentInput {
    pub name: Option<String>,
}

fn parse_name(input: &DepartmentInput) -> AppResult<BoundedText<100>> {
    let mut errors = FieldErrors::new();
    let name = errors.take(
        "name",
        crate::domain::fields::department_name(input.name.as_deref().unwrap_or("")),
    );
    errors.into_result()?;
    name.ok_or(AppError::Internal("name parsed without value".into()))
}

fn duplicate_name() -> AppError {
    let mut errors = FieldErrors::new();
    errors.add("name", "同じ名前の所管課が既に登録されています");
    AppError::Validation(errors)
}

/// The department a person names (in any width of characters), refused by name when there is none.
pub async fn named(db: &Db, name: &str) -> AppResult<DepartmentId> {
    let normal = crate::domain::text::normalize(name.trim());
    departments::find_by_name(&mut *db.acquire().await?, &normal)
        .await?
        .map(|department| department.id)
        .ok_or_else(|| {
            AppError::BadRequest(format!("所管課「{}」は登録されていません", name.trim()))
        })
}

pub async fn list(db: &Db) -> AppResult<Vec<DepartmentSummary>> {
    Ok(departments::summaries(&mut *db.acquire().await?).await?)
}

pub async fn get(db: &Db, id: DepartmentId) -> AppResult<Department> {
    departments::find(&mut *db.acquire().await?, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// A department name already in use is the user's mistake, named on its field.
fn name_taken(error: AppError) -> AppError {
    match error {
        AppError::Duplicate(Unique::DepartmentName) => duplicate_name(),
        other => other,
    }
}

pub async fn create(db: &Db, actor: &Actor, input: &DepartmentInput) -> AppResult<DepartmentId> {
    let name = parse_name(input)?;
    let mut tx = db.begin().await?;
    let id = departments::insert(&mut tx, name.as_str())
        .await
        .map_err(|e| name_taken(e.into()))?;
    let after = Some(json!({"name": name.as_str()}));
    audit::record(
        &mut tx,
        actor,
        Event::new("create", "department", id, format!("所管課登録 {name}")).changes(None, after),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn rename(
    db: &Db,
    actor: &Actor,
    id: DepartmentId,
    input: &DepartmentInput,
) -> AppResult<()> {
    let name = parse_name(input)?;
    let mut tx = db.begin().await?;
    let before = departments::find(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    departments::rename(&mut tx, id, name.as_str())
        .await
        .map_err(|e| name_taken(e.into()))?;
    let (old, new) = (
        Some(json!({"name": before.name})),
        Some(json!({"name": name.as_str()})),
    );
    audit::record(
        &mut tx,
        actor,
        Event::new("update", "department", id, format!("所管課名変更 {name}")).changes(old, new),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
