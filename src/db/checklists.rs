//! Check-sheet submissions and their answers.

use super::sql::Param;
use super::Conn;
use crate::domain::ids::{ContractId, SubmissionId, UserId, VendorId};
use crate::domain::Timestamp;
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct Submission {
    pub id: SubmissionId,
    pub contract_id: ContractId,
    pub version: i64,
    pub definition_id: String,
    pub file_name: String,
    pub sha256: String,
    pub size_bytes: i64,
    pub uploader: String,
    pub uploaded_at: String,
    pub vendor_name: String,
    /// The 法人番号, 登録番号 or 業者番号 the 回答者欄 gave.
    pub respondent_identifier: String,
    pub filled_on: Option<String>,
    pub filled_by: String,
    pub status: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
    pub review_comment: String,
}

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct StoredAnswer {
    pub item_id: String,
    pub answer: String,
    pub note: String,
    pub cell: String,
    pub review_comment: String,
}

pub struct NewSubmission<'a> {
    pub contract_id: ContractId,
    pub definition_id: &'a str,
    pub file_name: &'a str,
    pub content: &'a [u8],
    pub sha256: &'a str,
    pub uploaded_by: Option<UserId>,
    pub uploader: &'a str,
    pub vendor_name: &'a str,
    /// The 法人番号, 登録番号 or 業者番号 the 回答者欄 gives.
    pub respondent_identifier: &'a str,
    pub filled_on: Option<&'a str>,
    pub filled_by: &'a str,
}

const COLUMNS: &str = "id, contract_id, version, definition_id, file_name, sha256, size_bytes, uploader, uploaded_at, vendor_name,
    respondent_identifier, filled_on, filled_by, status, reviewed_by, reviewed_at, review_comment";

/// Inserts the next version for the contract (the caller holds a transaction).
pub async fn insert(
    conn: &mut Conn,
    new: &NewSubmission<'_>,
) -> Result<(SubmissionId, i64), sqlx::Error> {
    let (latest,): (Option<i64>,) =
        sqlx::query_as("SELECT MAX(version) FROM checklist_submissions WHERE contract_id = $1")
            .bind(new.contract_id)
            .fetch_one(&mut *conn)
            .await?;
    let version = latest.unwrap_or(0) + 1;
    let id = sqlx::query_scalar(
        "INSERT INTO checklist_submissions (contract_id, version, definition_id, file_name, content, sha256, size_bytes, uploaded_by,
         uploader, uploaded_at, vendor_name, respondent_identifier, filled_on, filled_by, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'submitted') RETURNING id",
    )
    .bind(new.contract_id)
    .bind(version)
    .bind(new.definition_id)
    .bind(new.file_name)
    .bind(new.content.to_vec())
    .bind(new.sha256)
    .bind(new.content.len() as i64)
    .bind(new.uploaded_by)
    .bind(new.uploader)
    .bind(Timestamp::now())
    .bind(new.vendor_name)
    .bind(new.respondent_identifier)
    .bind(new.filled_on)
    .bind(new.filled_by)
    .fetch_one(&mut *conn)
    .await?;
    super::standings::restand(conn, new.contract_id).await?;
    Ok((id, version))
}

/// One submission's answers (item, answer code, note, cell), in as few statements as the parameter
/// limit allows: one round trip instead of one per item.
pub async fn insert_answers(
    conn: &mut Conn,
    submission_id: SubmissionId,
    answers: &[(&str, &str, &str, &str)],
) -> Result<(), sqlx::Error> {
    let rows = answers
        .iter()
        .map(|(item_id, answer, note, cell)| {
            vec![
                Param::from(submission_id),
                Param::Text(item_id.to_string()),
                Param::Text(answer.to_string()),
                Param::Text(note.to_string()),
                Param::Text(cell.to_string()),
            ]
        })
        .collect();
    super::sql::insert_rows(
        conn,
        "checklist_answers",
        &["submission_id", "item_id", "answer", "note", "cell"],
        rows,
        100,
    )
    .await
}

pub async fn for_contract(
    conn: &mut Conn,
    contract_id: ContractId,
) -> Result<Vec<Submission>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM checklist_submissions WHERE contract_id = $1 ORDER BY version DESC"
    );
    sqlx::query_as(&sql).bind(contract_id).fetch_all(conn).await
}

pub async fn find(conn: &mut Conn, id: SubmissionId) -> Result<Option<Submission>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM checklist_submissions WHERE id = $1");
    sqlx::query_as(&sql).bind(id).fetch_optional(conn).await
}

pub async fn previous(
    conn: &mut Conn,
    contract_id: ContractId,
    version: i64,
) -> Result<Option<Submission>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM checklist_submissions WHERE contract_id = $1 AND version < $2 ORDER BY version DESC LIMIT 1"
    );
    sqlx::query_as(&sql)
        .bind(contract_id)
        .bind(version)
        .fetch_optional(conn)
        .await
}

pub async fn answers(
    conn: &mut Conn,
    submission_id: SubmissionId,
) -> Result<Vec<StoredAnswer>, sqlx::Error> {
    sqlx::query_as("SELECT item_id, answer, note, cell, review_comment FROM checklist_answers WHERE submission_id = $1")
        .bind(submission_id)
        .fetch_all(conn)
        .await
}

/// (submission, item, answer) of every answer to the given submissions, by submission.
pub async fn answers_of(
    conn: &mut Conn,
    submissions: &[SubmissionId],
) -> Result<Vec<(SubmissionId, String, String)>, sqlx::Error> {
    if submissions.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = super::Sql::new(
        "SELECT submission_id, item_id, answer FROM checklist_answers WHERE submission_id IN (",
    );
    for (index, id) in submissions.iter().enumerate() {
        if index > 0 {
            sql.push(", ");
        }
        sql.bind(*id);
    }
    sql.push(") ORDER BY submission_id");
    sql.query_as().fetch_all(conn).await
}

pub async fn file(
    conn: &mut Conn,
    id: SubmissionId,
) -> Result<Option<(String, Vec<u8>)>, sqlx::Error> {
    sqlx::query_as("SELECT file_name, content FROM checklist_submissions WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub async fn review(
    conn: &mut Conn,
    id: SubmissionId,
    status: &str,
    reviewer: &str,
    comment: &str,
) -> Result<(), sqlx::Error> {
    let contract: Option<ContractId> = sqlx::query_scalar(
        "UPDATE checklist_submissions SET status = $1, reviewed_by = $2, reviewed_at = $3, review_comment = $4
         WHERE id = $5 RETURNING contract_id",
    )
    .bind(status)
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

pub async fn comment_item(
    conn: &mut Conn,
    submission_id: SubmissionId,
    item_id: &str,
    comment: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE checklist_answers SET review_comment = $1 WHERE submission_id = $2 AND item_id = $3")
        .bind(comment)
        .bind(submission_id)
        .bind(item_id)
        .execute(conn)
        .await?;
    Ok(())
}

impl Submission {
    /// The identifier the 回答者欄 gave, with its kind (「法人番号 7000012050002」).
    pub fn respondent(&self) -> crate::domain::VendorIdentifier {
        crate::domain::VendorIdentifier::of_stored(&self.respondent_identifier)
    }
}

/// A vendor's most recent submission among the contracts a reader may see.
#[derive(Debug, Clone, FromRow)]
pub struct LatestSubmission {
    pub submission_id: SubmissionId,
    pub vendor_name: String,
    pub vendor_id: VendorId,
    pub contract_number: String,
    pub version: i64,
    pub status: String,
}

pub async fn latest_per_vendor(
    conn: &mut Conn,
    visibility: &super::contracts::Visibility,
) -> Result<Vec<LatestSubmission>, sqlx::Error> {
    let mut sql = super::Sql::new(
        "SELECT s.id AS submission_id, v.name AS vendor_name, v.id AS vendor_id, c.contract_number, s.version, s.status
         FROM checklist_submissions s JOIN contracts c ON c.id = s.contract_id
         JOIN departments d ON d.id = c.department_id JOIN vendors v ON v.id = c.vendor_id",
    );
    sql.append(&super::contracts::where_clause(
        visibility,
        &Default::default(),
        chrono::NaiveDate::MIN,
    ))
    .push(" ORDER BY v.name, v.id, s.uploaded_at DESC, s.id DESC");
    let rows: Vec<LatestSubmission> = sql.query_as().fetch_all(conn).await?;
    let mut seen = std::collections::HashSet::new();
    Ok(rows
        .into_iter()
        .filter(|row| seen.insert(row.vendor_id))
        .collect())
}

/// A vendor's most recently approved check sheet on any of its contracts, with the contract number.
pub async fn latest_approved_for_vendor(
    conn: &mut Conn,
    vendor_id: VendorId,
) -> Result<Option<(Submission, String)>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM checklist_submissions WHERE status = 'approved'
         AND contract_id IN (SELECT id FROM contracts WHERE vendor_id = $1) ORDER BY reviewed_at DESC, id DESC LIMIT 1"
    );
    let Some(submission): Option<Submission> = sqlx::query_as(&sql)
        .bind(vendor_id)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let number: String = sqlx::query_scalar("SELECT contract_number FROM contracts WHERE id = $1")
        .bind(submission.contract_id)
        .fetch_one(conn)
        .await?;
    Ok(Some((submission, number)))
}
