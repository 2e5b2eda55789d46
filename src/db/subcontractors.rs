//! 再委託先: the companies a contract's vendor passes its work and data on to, to any depth.

use super::values::iso;
use super::{Conn, IntBool, IsoDate};
use crate::domain::ids::{ContractId, SubcontractorId};
use crate::domain::Timestamp;
use chrono::NaiveDate;
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct Subcontractor {
    pub id: SubcontractorId,
    pub contract_id: ContractId,
    /// The subcontractor that passed the work on; none for one the vendor chose (再委託).
    pub parent_id: Option<SubcontractorId>,
    pub name: String,
    pub corporate_number: Option<String>,
    #[sqlx(try_from = "IntBool")]
    pub foreign_company: bool,
    pub work: String,
    pub data_items: String,
    #[sqlx(try_from = "IntBool")]
    pub personal_data: bool,
    pub personal_records: Option<i64>,
    pub location: String,
    #[sqlx(try_from = "IntBool")]
    pub uses_cloud: bool,
    #[sqlx(try_from = "IsoDate")]
    pub start_date: NaiveDate,
    pub end_date: Option<String>,
    /// `applied`, `approved` or `refused`.
    pub status: String,
    pub applied_by: String,
    pub applied_at: String,
    pub approved_on: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub refusal_reason: String,
}

/// A subcontractor as applied for.
pub struct NewSubcontractor<'a> {
    pub contract_id: ContractId,
    pub parent_id: Option<SubcontractorId>,
    pub name: &'a str,
    pub corporate_number: Option<&'a str>,
    pub foreign_company: bool,
    pub work: &'a str,
    pub data_items: &'a str,
    pub personal_data: bool,
    pub personal_records: Option<i64>,
    pub location: &'a str,
    pub uses_cloud: bool,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub applied_by: &'a str,
}

const COLUMNS: &str = "id, contract_id, parent_id, name, corporate_number, foreign_company, work, data_items,
    personal_data, personal_records, location, uses_cloud, start_date, end_date, status, applied_by, applied_at,
    approved_on, decided_by, decided_at, refusal_reason";

pub async fn insert(
    conn: &mut Conn,
    new: &NewSubcontractor<'_>,
) -> Result<SubcontractorId, sqlx::Error> {
    let id = sqlx::query_scalar(
        "INSERT INTO subcontractors (contract_id, parent_id, name, corporate_number, foreign_company, work, data_items,
         personal_data, personal_records, location, uses_cloud, start_date, end_date, status, applied_by, applied_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'applied', $14, $15) RETURNING id",
    )
    .bind(new.contract_id)
    .bind(new.parent_id)
    .bind(new.name)
    .bind(new.corporate_number)
    .bind(new.foreign_company as i64)
    .bind(new.work)
    .bind(new.data_items)
    .bind(new.personal_data as i64)
    .bind(new.personal_records)
    .bind(new.location)
    .bind(new.uses_cloud as i64)
    .bind(iso(new.start_date))
    .bind(new.end_date.map(iso))
    .bind(new.applied_by)
    .bind(Timestamp::now())
    .fetch_one(&mut *conn)
    .await?;
    // Whose deletion the contract's end must prove.
    super::standings::restand(conn, new.contract_id).await?;
    Ok(id)
}

/// A contract's subcontractors, in the order they were applied for.
pub async fn for_contract(
    conn: &mut Conn,
    contract_id: ContractId,
) -> Result<Vec<Subcontractor>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM subcontractors WHERE contract_id = $1 ORDER BY id"
    ))
    .bind(contract_id)
    .fetch_all(conn)
    .await
}

pub async fn find(
    conn: &mut Conn,
    id: SubcontractorId,
) -> Result<Option<Subcontractor>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM subcontractors WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// The officer's decision: approved from `approved_on`, or refused with a reason.
pub async fn decide(
    conn: &mut Conn,
    contract_id: ContractId,
    id: SubcontractorId,
    approved_on: Option<NaiveDate>,
    refusal_reason: &str,
    decided_by: &str,
) -> Result<(), sqlx::Error> {
    let status = if approved_on.is_some() {
        "approved"
    } else {
        "refused"
    };
    sqlx::query(
        "UPDATE subcontractors SET status = $1, approved_on = $2, refusal_reason = $3, decided_by = $4,
         decided_at = $5 WHERE id = $6",
    )
    .bind(status)
    .bind(approved_on.map(iso))
    .bind(refusal_reason)
    .bind(decided_by)
    .bind(Timestamp::now())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    // A refused subcontractor holds none of the data.
    super::standings::restand(conn, contract_id).await
}

/// The contracts in whose chain a company with this 法人番号 is a subcontractor.
pub async fn contracts_of_company(
    conn: &mut Conn,
    corporate_number: &str,
) -> Result<Vec<ContractId>, sqlx::Error> {
    let rows: Vec<(ContractId,)> = sqlx::query_as(
        "SELECT DISTINCT contract_id FROM subcontractors WHERE corporate_number = $1 ORDER BY contract_id",
    )
    .bind(corporate_number)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}
