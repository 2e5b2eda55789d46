//! 所管課: the departments that own contracts.

use crate::db::{self, departments, Db};
use crate::domain::BoundedText;
use crate::error::{AppError, AppResult, FieldErrors};
use rocket::FromForm;
use serde::{Deserialize, Serialize};

pub use departments::{Department, DepartmentSummary};

#[derive(Debug, Clone, Default, Serialize, Deserialize, FromForm)]
pub struct DepartmentInput {
    pub name: Option<String>,
}

fn parse_name(input: &DepartmentInput) -> AppResult<BoundedText<100>> {
    let mut errors = FieldErrors::new();
    let name = errors.take(
        "name",
        BoundedText::parse(
            &crate::domain::text::normalize(input.name.as_deref().unwrap_or("")),
            "所管課名",
        ),
    );
    errors.into_result()?;
    name.ok_or(AppError::Internal("name parsed without value".into()))
}

fn duplicate_name() -> AppError {
    let mut errors = FieldErrors::new();
    errors.add("name", "同じ名前の所管課が既に登録されています");
    AppError::Validation(errors)
}

pub async fn list(db: &Db) -> AppResult<Vec<DepartmentSummary>> {
    Ok(departments::summaries(&mut *db.acquire().await?).await?)
}

pub async fn get(db: &Db, id: i64) -> AppResult<Department> {
    departments::find(&mut *db.acquire().await?, id)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn create(db: &Db, input: &DepartmentInput) -> AppResult<i64> {
    let name = parse_name(input)?;
    let mut conn = db.acquire().await?;
    departments::insert(&mut conn, name.as_str())
        .await
        .map_err(|e| match db::unique_violation(&e) {
            Some(_) => duplicate_name(),
            None => e.into(),
        })
}

pub async fn rename(db: &Db, id: i64, input: &DepartmentInput) -> AppResult<()> {
    let name = parse_name(input)?;
    let mut conn = db.acquire().await?;
    match departments::rename(&mut conn, id, name.as_str()).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(AppError::NotFound),
        Err(e) if db::unique_violation(&e).is_some() => Err(duplicate_name()),
        Err(e) => Err(e.into()),
    }
}
