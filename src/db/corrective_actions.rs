//! 是正: corrective actions required of a vendor for check-sheet items answered いいえ or 一部.

use super::values::iso;
use super::{Conn, IsoDate};
use crate::domain::ids::{ContractId, CorrectiveActionId, FileId, SubmissionId};
use chrono::NaiveDate;
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct CorrectiveAction {
    pub id: CorrectiveActionId,
    pub contract_id: ContractId,
    pub submission_id: SubmissionId,
    pub item_id: String,
    pub what: String,
    #[sqlx(try_from = "IsoDate")]
    pub due_on: NaiveDate,
    pub required_on: String,
    pub required_by: String,
    /// `open`, `planned`, `reported`, `returned`, `accepted` or `closed`.
    pub status: String,
    pub plan: String,
    pub planned_on: Option<String>,
    pub report: String,
    pub file_id: Option<FileId>,
    pub reported_on: Option<String>,
    pub review_comment: String,
    pub reviewed_by: Option<String>,
    pub accepted_on: Option<String>,
    pub closed_on: Option<String>,
    pub closed_by_submission_id: Option<SubmissionId>,
}

const COLUMNS: &str = "id, contract_id, submission_id, item_id, what, due_on, required_on, required_by, status,
    plan, planned_on, report, file_id, reported_on, review_comment, reviewed_by, accepted_on, closed_on,
    closed_by_submission_id";

pub struct NewAction<'a> {
    pub contract_id: ContractId,
    pub submission_id: SubmissionId,
    pub item_id: &'a str,
    pub what: &'a str,
    pub due_on: NaiveDate,
    pub required_on: NaiveDate,
    pub required_by: &'a str,
}

pub async fn insert(
    conn: &mut Conn,
    new: &NewAction<'_>,
) -> Result<CorrectiveActionId, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO corrective_actions (contract_id, submission_id, item_id, what, due_on, required_on,
         required_by, status) VALUES ($1, $2, $3, $4, $5, $6, $7, 'open') RETURNING id",
    )
    .bind(new.contract_id)
    .bind(new.submission_id)
    .bind(new.item_id)
    .bind(new.what)
    .bind(iso(new.due_on))
    .bind(iso(new.required_on))
    .bind(new.required_by)
    .fetch_one(conn)
    .await
}

pub async fn for_contract(
    conn: &mut Conn,
    contract_id: ContractId,
) -> Result<Vec<CorrectiveAction>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM corrective_actions WHERE contract_id = $1 ORDER BY due_on, id"
    ))
    .bind(contract_id)
    .fetch_all(conn)
    .await
}

pub async fn find(
    conn: &mut Conn,
    id: CorrectiveActionId,
) -> Result<Option<CorrectiveAction>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM corrective_actions WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Whether an action was already required for this item of this version.
pub async fn exists(
    conn: &mut Conn,
    submission_id: SubmissionId,
    item_id: &str,
) -> Result<bool, sqlx::Error> {
    let found: Option<(i64,)> = sqlx::query_as(
        "SELECT id FROM corrective_actions WHERE submission_id = $1 AND item_id = $2",
    )
    .bind(submission_id)
    .bind(item_id)
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}

pub async fn set_plan(
    conn: &mut Conn,
    id: CorrectiveActionId,
    plan: &str,
    day: NaiveDate,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE corrective_actions SET status = 'planned', plan = $1, planned_on = $2 WHERE id = $3")
        .bind(plan)
        .bind(iso(day))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_report(
    conn: &mut Conn,
    id: CorrectiveActionId,
    report: &str,
    file_id: FileId,
    day: NaiveDate,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE corrective_actions SET status = 'reported', report = $1, file_id = $2, reported_on = $3
         WHERE id = $4",
    )
    .bind(report)
    .bind(file_id)
    .bind(iso(day))
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Accepted on `accepted_on`, or returned (`None`) with the comment.
pub async fn review(
    conn: &mut Conn,
    id: CorrectiveActionId,
    accepted_on: Option<NaiveDate>,
    comment: &str,
    reviewer: &str,
) -> Result<(), sqlx::Error> {
    let status = if accepted_on.is_some() {
        "accepted"
    } else {
        "returned"
    };
    sqlx::query(
        "UPDATE corrective_actions SET status = $1, accepted_on = $2, review_comment = $3, reviewed_by = $4
         WHERE id = $5",
    )
    .bind(status)
    .bind(accepted_on.map(iso))
    .bind(comment)
    .bind(reviewer)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Closes the contract's open actions on `items` (now answered はい) as of `day`; the ids closed.
pub async fn close_answered(
    conn: &mut Conn,
    contract_id: ContractId,
    items: &[&str],
    submission_id: SubmissionId,
    day: NaiveDate,
) -> Result<Vec<(CorrectiveActionId, String)>, sqlx::Error> {
    let open: Vec<(CorrectiveActionId, String)> = sqlx::query_as(
        "SELECT id, item_id FROM corrective_actions WHERE contract_id = $1
         AND status NOT IN ('accepted', 'closed') ORDER BY id",
    )
    .bind(contract_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut closed = Vec::new();
    for (id, item) in open
        .into_iter()
        .filter(|(_, item)| items.contains(&item.as_str()))
    {
        sqlx::query(
            "UPDATE corrective_actions SET status = 'closed', closed_on = $1, closed_by_submission_id = $2
             WHERE id = $3",
        )
        .bind(iso(day))
        .bind(submission_id)
        .bind(id)
        .execute(&mut *conn)
        .await?;
        closed.push((id, item));
    }
    Ok(closed)
}

/// A vendor's actions over all its contracts: (contract number, item, due day, accepted on, closed on).
pub async fn for_vendor(
    conn: &mut Conn,
    vendor_id: crate::domain::ids::VendorId,
) -> Result<Vec<(String, String, String, Option<String>, Option<String>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT c.contract_number, a.item_id, a.due_on, a.accepted_on, a.closed_on
         FROM corrective_actions a JOIN contracts c ON c.id = a.contract_id
         WHERE c.vendor_id = $1 ORDER BY a.due_on, c.contract_number, a.item_id",
    )
    .bind(vendor_id)
    .fetch_all(conn)
    .await
}
