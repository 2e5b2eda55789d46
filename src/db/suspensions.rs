//! 指名停止 periods, kept by 法人番号 and matched to registered vendors by it.

use super::values::{iso, IsoDate};
use super::Conn;
use crate::domain::ids::{SuspensionId, VendorId};
use crate::domain::suspension::Suspension;
use crate::domain::Timestamp;
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::FromRow;

/// A stored suspension, with the registered vendor it concerns (when the company is one).
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct StoredSuspension {
    pub id: SuspensionId,
    pub corporate_number: String,
    pub company_name: String,
    #[sqlx(try_from = "IsoDate")]
    pub starts_on: NaiveDate,
    #[sqlx(try_from = "IsoDate")]
    pub ends_on: NaiveDate,
    pub reason: String,
    pub document_number: String,
    pub vendor_id: Option<VendorId>,
    pub vendor_name: Option<String>,
}

impl StoredSuspension {
    /// Whether the stored values are the ones a list row gives.
    pub fn same_as(&self, suspension: &Suspension) -> bool {
        self.ends_on == suspension.ends_on
            && self.reason == suspension.reason.as_str()
            && self.document_number == suspension.document_number
            && (suspension.company_name.is_empty() || self.company_name == suspension.company_name)
    }
}

const SELECT: &str =
    "SELECT s.id, s.corporate_number, s.company_name, s.starts_on, s.ends_on, s.reason,
    s.document_number, v.id AS vendor_id, v.name AS vendor_name
    FROM suspensions s LEFT JOIN vendors v ON v.corporate_number = s.corporate_number";

pub async fn find(
    conn: &mut Conn,
    corporate_number: &str,
    starts_on: NaiveDate,
) -> Result<Option<StoredSuspension>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE s.corporate_number = $1 AND s.starts_on = $2"
    ))
    .bind(corporate_number)
    .bind(iso(starts_on))
    .fetch_optional(conn)
    .await
}

pub async fn insert(
    conn: &mut Conn,
    suspension: &Suspension,
    recorded_by: &str,
) -> Result<SuspensionId, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO suspensions (corporate_number, company_name, starts_on, ends_on, reason, document_number,
         recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(suspension.corporate_number.as_str())
    .bind(&suspension.company_name)
    .bind(iso(suspension.starts_on))
    .bind(iso(suspension.ends_on))
    .bind(suspension.reason.as_str())
    .bind(&suspension.document_number)
    .bind(recorded_by)
    .bind(Timestamp::now())
    .fetch_one(conn)
    .await
}

/// Changes the end, reason and document of a suspension (a list names it by company and start).
pub async fn update(
    conn: &mut Conn,
    id: SuspensionId,
    suspension: &Suspension,
    recorded_by: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE suspensions SET ends_on = $1, reason = $2, document_number = $3,
         company_name = CASE WHEN $4 = '' THEN company_name ELSE $4 END, recorded_by = $5, recorded_at = $6
         WHERE id = $7",
    )
    .bind(iso(suspension.ends_on))
    .bind(suspension.reason.as_str())
    .bind(&suspension.document_number)
    .bind(&suspension.company_name)
    .bind(recorded_by)
    .bind(Timestamp::now())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Every suspension not ended before `from`, latest end first.
pub async fn ending_from(
    conn: &mut Conn,
    from: NaiveDate,
) -> Result<Vec<StoredSuspension>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE s.ends_on >= $1 ORDER BY s.ends_on DESC, s.starts_on DESC, s.id"
    ))
    .bind(iso(from))
    .fetch_all(conn)
    .await
}

/// A registered vendor's suspensions, latest first.
pub async fn for_vendor(
    conn: &mut Conn,
    vendor_id: VendorId,
) -> Result<Vec<StoredSuspension>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE v.id = $1 ORDER BY s.starts_on DESC, s.id"
    ))
    .bind(vendor_id)
    .fetch_all(conn)
    .await
}
