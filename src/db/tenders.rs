//! Tenders (案件), their bidders, the check sheets bidders submit for a tender, and the frozen rating.

use super::contracts::Visibility;
use super::sql::Sql;
use super::values::{IntBool, IsoDate};
use super::Conn;
use crate::domain::ids::{BidSheetId, BidderId, DepartmentId, PolicyId, TenderId, VendorId};
use crate::domain::Timestamp;
use crate::domain::Yen;
use chrono::NaiveDate;
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct Tender {
    pub id: TenderId,
    pub title: String,
    pub department_id: Option<DepartmentId>,
    pub department_name: Option<String>,
    #[sqlx(try_from = "IsoDate")]
    pub evaluation_date: NaiveDate,
    pub policy_id: PolicyId,
    pub policy_key: String,
    pub policy_version: i64,
    #[sqlx(try_from = "IntBool")]
    pub uses_cloud: bool,
    #[sqlx(try_from = "IntBool")]
    pub handles_personal_data: bool,
    /// 予定価格 or 契約金額 in yen, when known.
    pub amount: Option<i64>,
    pub status: String,
    pub copied_from: Option<TenderId>,
    pub created_by: String,
    pub created_at: String,
    pub finalized_by: Option<String>,
    pub finalized_at: Option<String>,
    pub bidder_count: i64,
}

impl Tender {
    pub fn amount(&self) -> Option<Yen> {
        self.amount.and_then(|value| Yen::new(value).ok())
    }

    pub fn finalized(&self) -> bool {
        self.status == "finalized"
    }
    pub fn policy_reference(&self) -> String {
        format!("{}@{}", self.policy_key, self.policy_version)
    }
}

const SELECT: &str = "SELECT t.id, t.title, t.department_id, d.name AS department_name, t.evaluation_date, t.policy_id,
    p.policy_key, p.version AS policy_version, t.uses_cloud, t.handles_personal_data, t.amount, t.status, t.copied_from,
    t.created_by, t.created_at, t.finalized_by, t.finalized_at,
    (SELECT COUNT(*) FROM tender_bidders b WHERE b.tender_id = t.id) AS bidder_count
    FROM tenders t JOIN rating_policies p ON p.id = t.policy_id LEFT JOIN departments d ON d.id = t.department_id";

/// Officers see the tenders of their departments; vendors the ones they bid in.
fn visible(visibility: &Visibility) -> Sql {
    let mut sql = Sql::new(" WHERE 1 = 1");
    match visibility {
        Visibility::All => {}
        Visibility::Vendor(vendor_id) => {
            sql.push(" AND EXISTS (SELECT 1 FROM tender_bidders vb WHERE vb.tender_id = t.id AND vb.vendor_id = ")
                .bind(*vendor_id)
                .push(")");
        }
        Visibility::Departments(ids) => {
            sql.and_in("t.department_id", ids);
        }
    }
    sql
}

pub async fn list(conn: &mut Conn, visibility: &Visibility) -> Result<Vec<Tender>, sqlx::Error> {
    let mut sql = Sql::new(SELECT);
    sql.append(&visible(visibility))
        .push(" ORDER BY t.evaluation_date DESC, t.id DESC");
    sql.query_as().fetch_all(conn).await
}

pub async fn find(
    conn: &mut Conn,
    visibility: &Visibility,
    id: TenderId,
) -> Result<Option<Tender>, sqlx::Error> {
    let mut sql = Sql::new(SELECT);
    sql.append(&visible(visibility))
        .push(" AND t.id = ")
        .bind(id);
    sql.query_as().fetch_optional(conn).await
}

pub struct NewTender<'a> {
    pub title: &'a str,
    pub department_id: Option<DepartmentId>,
    pub evaluation_date: NaiveDate,
    pub policy_id: PolicyId,
    pub uses_cloud: bool,
    pub handles_personal_data: bool,
    pub amount: Option<Yen>,
    pub copied_from: Option<TenderId>,
    pub created_by: &'a str,
}

pub async fn insert(conn: &mut Conn, new: &NewTender<'_>) -> Result<TenderId, sqlx::Error> {
    let now = Timestamp::now();
    sqlx::query_scalar(
        "INSERT INTO tenders (title, department_id, evaluation_date, policy_id, uses_cloud, handles_personal_data, status,
         copied_from, created_by, created_at, updated_at, amount)
         VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $9, $9, $10) RETURNING id",
    )
    .bind(new.title)
    .bind(new.department_id)
    .bind(new.evaluation_date.to_string())
    .bind(new.policy_id)
    .bind(new.uses_cloud as i64)
    .bind(new.handles_personal_data as i64)
    .bind(new.copied_from)
    .bind(new.created_by)
    .bind(now)
    .bind(new.amount.map(Yen::value))
    .fetch_one(conn)
    .await
}

/// Changes an open tender's title, department, evaluation date, policy and flags.
pub async fn update(
    conn: &mut Conn,
    id: TenderId,
    tender: &NewTender<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE tenders SET title = $1, department_id = $2, evaluation_date = $3, policy_id = $4, uses_cloud = $5,
         handles_personal_data = $6, updated_at = $7, amount = $8 WHERE id = $9 AND status = 'open'",
    )
    .bind(tender.title)
    .bind(tender.department_id)
    .bind(tender.evaluation_date.to_string())
    .bind(tender.policy_id)
    .bind(tender.uses_cloud as i64)
    .bind(tender.handles_personal_data as i64)
    .bind(Timestamp::now())
    .bind(tender.amount.map(Yen::value))
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Freezes an open tender with its facts and rating; false when it was already finalized.
pub async fn finalize(
    conn: &mut Conn,
    id: TenderId,
    by: &str,
    facts: &str,
    rating: &str,
) -> Result<bool, sqlx::Error> {
    let now = Timestamp::now();
    let done = sqlx::query(
        "UPDATE tenders SET status = 'finalized', finalized_by = $1, finalized_at = $2, updated_at = $2, facts = $3, rating = $4
         WHERE id = $5 AND status = 'open'",
    )
    .bind(by)
    .bind(now)
    .bind(facts)
    .bind(rating)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The facts and rating JSON a finalized tender was frozen with.
pub async fn frozen(
    conn: &mut Conn,
    id: TenderId,
) -> Result<Option<(String, String)>, sqlx::Error> {
    let row: Option<(Option<String>, Option<String>)> =
        sqlx::query_as("SELECT facts, rating FROM tenders WHERE id = $1")
            .bind(id)
            .fetch_optional(conn)
            .await?;
    Ok(row.and_then(|(facts, rating)| facts.zip(rating)))
}

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct Bidder {
    pub id: BidderId,
    pub tender_id: TenderId,
    pub vendor_id: VendorId,
    /// The vendor's 法人番号, else its 登録番号, else its 業者番号.
    pub identifier: String,
    pub name: String,
    #[sqlx(try_from = "IntBool")]
    pub isms_scope_confirmed: bool,
    pub checklist_requested_at: Option<String>,
    pub sheet_version: Option<i64>,
    pub sheet_uploaded_at: Option<String>,
}

const BIDDERS: &str =
    "SELECT b.id, b.tender_id, b.vendor_id,
    COALESCE(v.corporate_number, v.invoice_number, v.vendor_code) AS identifier, v.name, b.isms_scope_confirmed,
    b.checklist_requested_at, s.version AS sheet_version, s.uploaded_at AS sheet_uploaded_at
    FROM tender_bidders b JOIN vendors v ON v.id = b.vendor_id
    LEFT JOIN bid_checklists s ON s.bidder_id = b.id
        AND s.version = (SELECT MAX(x.version) FROM bid_checklists x WHERE x.bidder_id = b.id)";

pub async fn bidders(conn: &mut Conn, tender_id: TenderId) -> Result<Vec<Bidder>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{BIDDERS} WHERE b.tender_id = $1 ORDER BY identifier"
    ))
    .bind(tender_id)
    .fetch_all(conn)
    .await
}

pub async fn find_bidder(conn: &mut Conn, id: BidderId) -> Result<Option<Bidder>, sqlx::Error> {
    sqlx::query_as(&format!("{BIDDERS} WHERE b.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub async fn add_bidder(
    conn: &mut Conn,
    tender_id: TenderId,
    vendor_id: VendorId,
    scope_confirmed: bool,
) -> Result<BidderId, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO tender_bidders (tender_id, vendor_id, isms_scope_confirmed, added_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(tender_id)
    .bind(vendor_id)
    .bind(scope_confirmed as i64)
    .bind(Timestamp::now())
    .fetch_one(conn)
    .await
}

pub async fn remove_bidder(conn: &mut Conn, id: BidderId) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM bid_checklists WHERE bidder_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM tender_bidders WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_scope_confirmed(
    conn: &mut Conn,
    id: BidderId,
    confirmed: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE tender_bidders SET isms_scope_confirmed = $1 WHERE id = $2")
        .bind(confirmed as i64)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn request_checklist(conn: &mut Conn, id: BidderId) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE tender_bidders SET checklist_requested_at = $1 WHERE id = $2")
        .bind(Timestamp::now())
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A vendor's bids, newest tender first, for the vendor portal.
#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct Bid {
    pub bidder_id: BidderId,
    pub tender_id: TenderId,
    pub title: String,
    pub department_name: Option<String>,
    #[sqlx(try_from = "IsoDate")]
    pub evaluation_date: NaiveDate,
    pub status: String,
    pub checklist_requested_at: Option<String>,
    pub sheet_version: Option<i64>,
    pub sheet_uploaded_at: Option<String>,
}

pub async fn bids_of_vendor(conn: &mut Conn, vendor_id: VendorId) -> Result<Vec<Bid>, sqlx::Error> {
    sqlx::query_as(
        "SELECT b.id AS bidder_id, t.id AS tender_id, t.title, d.name AS department_name, t.evaluation_date, t.status,
         b.checklist_requested_at, s.version AS sheet_version, s.uploaded_at AS sheet_uploaded_at
         FROM tender_bidders b JOIN tenders t ON t.id = b.tender_id LEFT JOIN departments d ON d.id = t.department_id
         LEFT JOIN bid_checklists s ON s.bidder_id = b.id
             AND s.version = (SELECT MAX(x.version) FROM bid_checklists x WHERE x.bidder_id = b.id)
         WHERE b.vendor_id = $1 ORDER BY t.evaluation_date DESC, t.id DESC",
    )
    .bind(vendor_id)
    .fetch_all(conn)
    .await
}

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct BidSheet {
    pub id: BidSheetId,
    pub bidder_id: BidderId,
    pub version: i64,
    pub definition_id: String,
    pub file_name: String,
    pub sha256: String,
    pub size_bytes: i64,
    /// The answers as JSON: `[{"id", "answer", "note", "cell"}]`.
    #[serde(skip)]
    pub answers: String,
    pub uploader: String,
    pub uploaded_at: String,
}

const SHEETS: &str = "SELECT id, bidder_id, version, definition_id, file_name, sha256, size_bytes, answers, uploader, uploaded_at
    FROM bid_checklists";

pub async fn latest_sheet(
    conn: &mut Conn,
    bidder_id: BidderId,
) -> Result<Option<BidSheet>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{SHEETS} WHERE bidder_id = $1 ORDER BY version DESC LIMIT 1"
    ))
    .bind(bidder_id)
    .fetch_optional(conn)
    .await
}

pub async fn find_sheet(conn: &mut Conn, id: BidSheetId) -> Result<Option<BidSheet>, sqlx::Error> {
    sqlx::query_as(&format!("{SHEETS} WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub async fn sheet_content(
    conn: &mut Conn,
    id: BidSheetId,
) -> Result<Option<Vec<u8>>, sqlx::Error> {
    sqlx::query_scalar("SELECT content FROM bid_checklists WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub struct NewBidSheet<'a> {
    pub bidder_id: BidderId,
    pub definition_id: &'a str,
    pub file_name: &'a str,
    pub content: &'a [u8],
    pub sha256: &'a str,
    pub answers: &'a str,
    pub uploader: &'a str,
}

/// Stores the next version of a bidder's sheet (the caller holds a transaction).
pub async fn insert_sheet(
    conn: &mut Conn,
    new: &NewBidSheet<'_>,
) -> Result<(BidSheetId, i64), sqlx::Error> {
    let (latest,): (Option<i64>,) =
        sqlx::query_as("SELECT MAX(version) FROM bid_checklists WHERE bidder_id = $1")
            .bind(new.bidder_id)
            .fetch_one(&mut *conn)
            .await?;
    let version = latest.unwrap_or(0) + 1;
    let id = sqlx::query_scalar(
        "INSERT INTO bid_checklists (bidder_id, version, definition_id, file_name, content, sha256, size_bytes, answers,
         uploader, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(new.bidder_id)
    .bind(version)
    .bind(new.definition_id)
    .bind(new.file_name)
    .bind(new.content.to_vec())
    .bind(new.sha256)
    .bind(new.content.len() as i64)
    .bind(new.answers)
    .bind(new.uploader)
    .bind(Timestamp::now())
    .fetch_one(conn)
    .await?;
    Ok((id, version))
}
