//! What `itaku seed` writes in bulk (the tables and their columns) and the lookups it needs between
//! its inserts.

use super::sql::{insert_rows, Param};
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

/// The tables the seed fills in bulk; each row gives the values of [`Bulk::columns`] in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bulk {
    Departments,
    Vendors,
    Certifications,
    Contracts,
    DeletionCertificates,
    AuditReports,
    ChecklistSubmissions,
    ChecklistAnswers,
    TenderBidders,
}

impl Bulk {
    fn table(self) -> &'static str {
        match self {
            Bulk::Departments => "departments",
            Bulk::Vendors => "vendors",
            Bulk::Certifications => "certifications",
            Bulk::Contracts => "contracts",
            Bulk::DeletionCertificates => "deletion_certificates",
            Bulk::AuditReports => "audit_reports",
            Bulk::ChecklistSubmissions => "checklist_submissions",
            Bulk::ChecklistAnswers => "checklist_answers",
            Bulk::TenderBidders => "tender_bidders",
        }
    }

    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Bulk::Departments => &["name", "created_at"],
            Bulk::Vendors => &["corporate_number", "name", "created_at", "updated_at"],
            Bulk::Certifications => &[
                "vendor_id",
                "scheme",
                "number",
                "level",
                "certification_body",
                "scope",
                "issued_on",
                "valid_until",
                "created_at",
                "updated_at",
                "verification",
                "verified_by",
                "verified_at",
            ],
            Bulk::Contracts => &[
                "contract_number",
                "title",
                "department_id",
                "vendor_id",
                "start_date",
                "end_date",
                "handles_personal_data",
                "personal_records",
                "importance",
                "uses_cloud",
                "subcontracting_allowed",
                "deletion_days",
                "deletion_deadline",
                "created_at",
                "updated_at",
            ],
            Bulk::DeletionCertificates => &[
                "contract_id",
                "data_items",
                "media",
                "quantity",
                "method",
                "responsible_person",
                "deleted_on",
                "covers_subcontractors",
                "covers_backups",
                "covers_test_environments",
                "file_id",
                "status",
                "submitted_by",
                "submitted_at",
                "reviewed_by",
                "accepted_on",
            ],
            Bulk::AuditReports => &[
                "contract_id",
                "fiscal_year",
                "kind",
                "auditor",
                "audited_on",
                "findings",
                "follow_up",
                "file_id",
                "status",
                "submitted_by",
                "submitted_at",
                "accepted_on",
            ],
            Bulk::ChecklistSubmissions => &[
                "contract_id",
                "version",
                "definition_id",
                "file_name",
                "content",
                "sha256",
                "size_bytes",
                "uploader",
                "uploaded_at",
                "status",
                "reviewed_at",
            ],
            Bulk::ChecklistAnswers => &["submission_id", "item_id", "answer"],
            Bulk::TenderBidders => &["tender_id", "vendor_id", "isms_scope_confirmed", "added_at"],
        }
    }
}

/// Parameters per statement: binding gets slower per parameter as a statement grows (measured: 10k
/// contracts take 1.5 s at 500, 3.8 s at 4,000 and 26 s at 30,000 on SQLite).
const MAX_PARAMETERS: usize = 500;

/// Has PostgreSQL count the rows `table` holds so far, this transaction's own included. The triggers'
/// statements (0044's) are planned for the table's last known size: planned while it was nearly empty,
/// they read the whole table again for every row inserted after, and 100,000 contracts took minutes.
pub async fn plan_for_rows(conn: &mut Conn, table: Bulk) -> Result<(), sqlx::Error> {
    if conn.backend_name() == "PostgreSQL" {
        sqlx::query(&format!("ANALYZE {}", table.table()))
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Inserts the rows, as many per statement as `MAX_PARAMETERS` allows.
pub async fn insert(
    conn: &mut Conn,
    table: Bulk,
    rows: Vec<Vec<Param>>,
) -> Result<(), sqlx::Error> {
    let columns = table.columns();
    insert_rows(
        conn,
        table.table(),
        columns,
        rows,
        MAX_PARAMETERS / columns.len(),
    )
    .await?;
    Ok(())
}
