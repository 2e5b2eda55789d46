//! Audit reports per contract and fiscal year.

use super::values::iso;
use super::Conn;
use crate::domain::ids::{AuditReportId, ContractId, FileId, VendorId};
use crate::domain::Timestamp;
use chrono::NaiveDate;
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct AuditReport {
    pub id: AuditReportId,
    pub contract_id: ContractId,
    pub fiscal_year: i64,
    pub kind: String,
    pub auditor: String,
    pub audited_on: String,
    pub findings: i64,
    pub follow_up: String,
    pub notes: String,
    pub file_id: Option<FileId>,
    pub status: String,
    pub submitted_by: String,
    pub submitted_at: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
    pub accepted_on: Option<String>,
    pub review_comment: String,
}

pub struct NewAuditReport<'a> {
    pub contract_id: ContractId,
    pub fiscal_year: i32,
    pub kind: &'a str,
    pub auditor: &'a str,
    pub audited_on: NaiveDate,
    pub findings: i64,
    pub follow_up: &'a str,
    pub notes: &'a str,
    pub file_id: Option<FileId>,
    pub submitted_by: &'a str,
}

const COLUMNS: &str = "id, contract_id, fiscal_year, kind, auditor, audited_on, findings, follow_up, notes, file_id, status,
    submitted_by, submitted_at, reviewed_by, reviewed_at, accepted_on, review_comment";

pub async fn insert(
    conn: &mut Conn,
    new: &NewAuditReport<'_>,
) -> Result<AuditReportId, sqlx::Error> {
    let id = sqlx::query_scalar(
        "INSERT INTO audit_reports (contract_id, fiscal_year, kind, auditor, audited_on, findings, follow_up, notes, file_id,
         status, submitted_by, submitted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'submitted', $10, $11) RETURNING id",
    )
    .bind(new.contract_id)
    .bind(new.fiscal_year as i64)
    .bind(new.kind)
    .bind(new.auditor)
    .bind(iso(new.audited_on))
    .bind(new.findings)
    .bind(new.follow_up)
    .bind(new.notes)
    .bind(new.file_id)
    .bind(new.submitted_by)
    .bind(Timestamp::now())
    .fetch_one(&mut *conn)
    .await?;
    super::standings::restand(conn, new.contract_id).await?;
    Ok(id)
}

pub async fn for_contract(
    conn: &mut Conn,
    contract_id: ContractId,
) -> Result<Vec<AuditReport>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM audit_reports WHERE contract_id = $1 ORDER BY fiscal_year DESC, id DESC"
    ))
    .bind(contract_id)
    .fetch_all(conn)
    .await
}

pub async fn find(conn: &mut Conn, id: AuditReportId) -> Result<Option<AuditReport>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM audit_reports WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// An accepted report of one of a vendor's contracts, as a bid rating reads it.
#[derive(Debug, Clone, FromRow)]
pub struct AcceptedReport {
    pub contract_number: String,
    pub fiscal_year: i64,
    pub kind: String,
    pub auditor: String,
    pub accepted_on: String,
}

/// A vendor's reports accepted on or before `until`, for fiscal years from `first_year` on.
pub async fn accepted_for_vendor(
    conn: &mut Conn,
    vendor_id: VendorId,
    first_year: i32,
    until: chrono::NaiveDate,
) -> Result<Vec<AcceptedReport>, sqlx::Error> {
    sqlx::query_as(
        "SELECT c.contract_number, r.fiscal_year, r.kind, r.auditor, r.accepted_on
         FROM audit_reports r JOIN contracts c ON c.id = r.contract_id
         WHERE c.vendor_id = $1 AND r.status = 'accepted' AND r.fiscal_year >= $2 AND r.accepted_on <= $3
         ORDER BY r.fiscal_year DESC, r.accepted_on DESC",
    )
    .bind(vendor_id)
    .bind(first_year as i64)
    .bind(until.to_string())
    .fetch_all(conn)
    .await
}
