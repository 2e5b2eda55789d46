//! Data-deletion certificates (データ消去証明書) per contract.

use super::values::iso;
use super::{Conn, IntBool};
use crate::domain::ids::{ContractId, DeletionId, FileId, SubcontractorId, VendorId};
use crate::domain::Timestamp;
use chrono::NaiveDate;
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct DeletionCertificate {
    pub id: DeletionId,
    pub contract_id: ContractId,
    pub data_items: String,
    pub media: String,
    pub quantity: String,
    pub method: String,
    pub responsible_person: String,
    pub deleted_on: String,
    #[sqlx(try_from = "IntBool")]
    pub covers_subcontractors: bool,
    #[sqlx(try_from = "IntBool")]
    pub covers_backups: bool,
    #[sqlx(try_from = "IntBool")]
    pub covers_test_environments: bool,
    pub file_id: FileId,
    pub status: String,
    pub submitted_by: String,
    pub submitted_at: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
    pub accepted_on: Option<String>,
    pub review_comment: String,
}

pub struct NewDeletionCertificate<'a> {
    pub contract_id: ContractId,
    pub data_items: &'a str,
    pub media: &'a str,
    pub quantity: &'a str,
    pub method: &'a str,
    pub responsible_person: &'a str,
    pub deleted_on: NaiveDate,
    pub covers_subcontractors: bool,
    pub covers_backups: bool,
    pub covers_test_environments: bool,
    pub file_id: FileId,
    pub submitted_by: &'a str,
    /// The subcontractors whose copies it states were deleted.
    pub covers: &'a [SubcontractorId],
}

const COLUMNS: &str = "id, contract_id, data_items, media, quantity, method, responsible_person, deleted_on, covers_subcontractors,
    covers_backups, covers_test_environments, file_id, status, submitted_by, submitted_at, reviewed_by, reviewed_at,
    accepted_on, review_comment";

pub async fn insert(
    conn: &mut Conn,
    new: &NewDeletionCertificate<'_>,
) -> Result<DeletionId, sqlx::Error> {
    let id = sqlx::query_scalar(
        "INSERT INTO deletion_certificates (contract_id, data_items, media, quantity, method, responsible_person, deleted_on,
         covers_subcontractors, covers_backups, covers_test_environments, file_id, status, submitted_by, submitted_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'submitted', $12, $13) RETURNING id",
    )
    .bind(new.contract_id)
    .bind(new.data_items)
    .bind(new.media)
    .bind(new.quantity)
    .bind(new.method)
    .bind(new.responsible_person)
    .bind(iso(new.deleted_on))
    .bind(new.covers_subcontractors as i64)
    .bind(new.covers_backups as i64)
    .bind(new.covers_test_environments as i64)
    .bind(new.file_id)
    .bind(new.submitted_by)
    .bind(Timestamp::now())
    .fetch_one(&mut *conn)
    .await?;
    for subcontractor in new.covers {
        sqlx::query(
            "INSERT INTO deletion_subcontractors (deletion_id, subcontractor_id) VALUES ($1, $2)",
        )
        .bind(id)
        .bind(*subcontractor)
        .execute(&mut *conn)
        .await?;
    }
    super::standings::restand(conn, new.contract_id).await?;
    Ok(id)
}

pub async fn for_contract(
    conn: &mut Conn,
    contract_id: ContractId,
) -> Result<Vec<DeletionCertificate>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM deletion_certificates WHERE contract_id = $1 ORDER BY id DESC"
    ))
    .bind(contract_id)
    .fetch_all(conn)
    .await
}

/// The subcontractors each of a contract's deletion certificates lists: (certificate, subcontractor).
pub async fn coverage(
    conn: &mut Conn,
    contract_id: ContractId,
) -> Result<Vec<(DeletionId, SubcontractorId)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT l.deletion_id, l.subcontractor_id FROM deletion_subcontractors l
         JOIN deletion_certificates d ON d.id = l.deletion_id WHERE d.contract_id = $1
         ORDER BY l.deletion_id, l.subcontractor_id",
    )
    .bind(contract_id)
    .fetch_all(conn)
    .await
}

pub async fn find(
    conn: &mut Conn,
    id: DeletionId,
) -> Result<Option<DeletionCertificate>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM deletion_certificates WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// The deletion deadline of each of a vendor's contracts falling in `[from, until)`, with the day its
/// first certificate was accepted, if any.
pub async fn deadlines_for_vendor(
    conn: &mut Conn,
    vendor_id: VendorId,
    from: chrono::NaiveDate,
    until: chrono::NaiveDate,
) -> Result<Vec<(String, String, Option<String>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT c.contract_number, c.deletion_deadline,
            (SELECT MIN(d.accepted_on) FROM deletion_certificates d WHERE d.contract_id = c.id AND d.status = 'accepted')
         FROM contracts c WHERE c.vendor_id = $1 AND c.deletion_deadline >= $2 AND c.deletion_deadline < $3
         ORDER BY c.deletion_deadline",
    )
    .bind(vendor_id)
    .bind(from.to_string())
    .bind(until.to_string())
    .fetch_all(conn)
    .await
}
