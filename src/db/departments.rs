use super::Conn;
use crate::domain::ids::DepartmentId;
use crate::domain::Timestamp;
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct Department {
    pub id: DepartmentId,
    pub name: String,
}

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct DepartmentSummary {
    pub id: DepartmentId,
    pub name: String,
    pub contract_count: i64,
}

pub async fn all(conn: &mut Conn) -> Result<Vec<Department>, sqlx::Error> {
    sqlx::query_as("SELECT id, name FROM departments ORDER BY name")
        .fetch_all(conn)
        .await
}

/// Every department's name by id, kept between readers until a department is written.
pub async fn names(
    conn: &mut Conn,
    reads: &super::kept_reads::Reads<'_>,
) -> Result<std::sync::Arc<Vec<(DepartmentId, String)>>, sqlx::Error> {
    let every = super::sql::Sql::new("SELECT id, name FROM departments ORDER BY id");
    super::kept_reads::fetch_all(conn, reads, &every).await
}

pub async fn summaries(conn: &mut Conn) -> Result<Vec<DepartmentSummary>, sqlx::Error> {
    sqlx::query_as(
        "SELECT d.id, d.name, (SELECT COUNT(*) FROM contracts c WHERE c.department_id = d.id) AS contract_count
         FROM departments d ORDER BY d.name",
    )
    .fetch_all(conn)
    .await
}

pub async fn find(conn: &mut Conn, id: DepartmentId) -> Result<Option<Department>, sqlx::Error> {
    sqlx::query_as("SELECT id, name FROM departments WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub async fn find_by_name(conn: &mut Conn, name: &str) -> Result<Option<Department>, sqlx::Error> {
    sqlx::query_as("SELECT id, name FROM departments WHERE name = $1")
        .bind(name)
        .fetch_optional(conn)
        .await
}

pub async fn insert(conn: &mut Conn, name: &str) -> Result<DepartmentId, sqlx::Error> {
    sqlx::query_scalar("INSERT INTO departments (name, created_at) VALUES ($1, $2) RETURNING id")
        .bind(name)
        .bind(Timestamp::now())
        .fetch_one(conn)
        .await
}

pub async fn rename(conn: &mut Conn, id: DepartmentId, name: &str) -> Result<bool, sqlx::Error> {
    let result = sqlx::query("UPDATE departments SET name = $1 WHERE id = $2")
        .bind(name)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(result.rows_affected() > 0)
}
