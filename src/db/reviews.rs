//! The review columns audit reports and deletion certificates share: submitted, then accepted (on a
//! date) or returned with a reason.

use super::values::iso;
use super::Conn;
use crate::domain::ids::{ContractId, FileId};
use crate::domain::Timestamp;
use chrono::NaiveDate;

/// A table whose rows are reviewed; the name never comes from a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reviewed {
    AuditReports,
    DeletionCertificates,
}

impl Reviewed {
    pub(super) fn table(self) -> &'static str {
        match self {
            Reviewed::AuditReports => "audit_reports",
            Reviewed::DeletionCertificates => "deletion_certificates",
        }
    }
}

/// What the reviews need of a record, whichever table holds it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReviewedRow {
    pub contract_id: ContractId,
    pub status: String,
    pub file_id: Option<FileId>,
    /// The audit report's fiscal year; 0 for a deletion certificate.
    pub fiscal_year: i64,
}

pub async fn find(
    conn: &mut Conn,
    table: Reviewed,
    id: i64,
) -> Result<Option<ReviewedRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT t.contract_id, t.status, t.file_id, {year} AS fiscal_year FROM {table} t WHERE t.id = $1",
        year = table.year("t"),
        table = table.table(),
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Records the decision; `accepted_on` is set for an acceptance, cleared for a return.
pub async fn decide(
    conn: &mut Conn,
    table: Reviewed,
    id: i64,
    accepted_on: Option<NaiveDate>,
    reviewer: &str,
    comment: &str,
) -> Result<(), sqlx::Error> {
    let status = if accepted_on.is_some() {
        "accepted"
    } else {
        "returned"
    };
    let contract: Option<ContractId> = sqlx::query_scalar(&format!(
        "UPDATE {} SET status = $1, accepted_on = $2, reviewed_by = $3, reviewed_at = $4, review_comment = $5
         WHERE id = $6 RETURNING contract_id",
        table.table()
    ))
    .bind(status)
    .bind(accepted_on.map(iso))
    .bind(reviewer)
    .bind(Timestamp::now())
    .bind(comment)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(contract) = contract {
        super::standings::restand(conn, contract).await?;
    }
    Ok(())
}

impl Reviewed {
    /// The fiscal-year column, qualified by `alias`; deletion certificates have one per contract.
    pub(super) fn year(self, alias: &str) -> String {
        match self {
            Reviewed::AuditReports => format!("{alias}.fiscal_year"),
            Reviewed::DeletionCertificates => "CAST(0 AS BIGINT)".into(),
        }
    }
}
