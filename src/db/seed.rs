//! The lookups `itaku seed` needs between its bulk inserts (the inserts use `sql::insert_rows`).

use super::Conn;
use crate::domain::ids::{ContractId, DepartmentId, SubmissionId, VendorId};
use std::collections::HashMap;

/// How many contracts have numbers starting with `prefix`.
pub async fn contracts_numbered(conn: &mut Conn, prefix: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM contracts WHERE contract_number LIKE $1")
        .bind(format!("{prefix}%"))
        .fetch_one(conn)
        .await
}

/// Department ids by name.
pub async fn departments_by_name(
    conn: &mut Conn,
) -> Result<HashMap<String, DepartmentId>, sqlx::Error> {
    let rows: Vec<(DepartmentId, String)> = sqlx::query_as("SELECT id, name FROM departments")
        .fetch_all(conn)
        .await?;
    Ok(rows.into_iter().map(|(id, name)| (name, id)).collect())
}

/// Vendor ids by 法人番号 (sole proprietors, who have none, are not among the seeded vendors).
pub async fn vendors_by_number(conn: &mut Conn) -> Result<HashMap<String, VendorId>, sqlx::Error> {
    let rows: Vec<(VendorId, String)> = sqlx::query_as(
        "SELECT id, corporate_number FROM vendors WHERE corporate_number IS NOT NULL",
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(id, number)| (number, id)).collect())
}

/// Contract ids by number, for the contracts numbered with `prefix`.
pub async fn contracts_by_number(
    conn: &mut Conn,
    prefix: &str,
) -> Result<HashMap<String, ContractId>, sqlx::Error> {
    let rows: Vec<(ContractId, String)> =
        sqlx::query_as("SELECT id, contract_number FROM contracts WHERE contract_number LIKE $1")
            .bind(format!("{prefix}%"))
            .fetch_all(conn)
            .await?;
    Ok(rows.into_iter().map(|(id, number)| (number, id)).collect())
}

/// The ids of the check-sheet submissions of contracts numbered with `prefix`, in insertion order.
pub async fn submissions_of(
    conn: &mut Conn,
    prefix: &str,
) -> Result<Vec<SubmissionId>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT s.id FROM checklist_submissions s JOIN contracts c ON c.id = s.contract_id
         WHERE c.contract_number LIKE $1 ORDER BY s.id",
    )
    .bind(format!("{prefix}%"))
    .fetch_all(conn)
    .await
}
