//! 情報セキュリティ特約条項: each contract's clauses as they were worded when set, the dated
//! submissions the periodic ones owe (kept in step with the contract's period in the writing
//! transaction), and the submissions themselves.

use super::values::{iso, IntBool, IsoDate};
use super::Conn;
use crate::checklist::clauses::{schedule, Clause, Terms};
use crate::domain::ids::{ClauseObligationId, ClauseSubmissionId, ContractId, FileId};
use crate::domain::Timestamp;
use chrono::NaiveDate;
use sqlx::FromRow;
use std::collections::BTreeMap;

/// A clause binding a contract.
#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct ContractClause {
    pub clause_id: String,
    /// The catalogue and edition it was set from (`itaku-clauses`, 2).
    pub catalogue: String,
    pub version: i64,
    pub title: String,
    pub summary: String,
    #[sqlx(try_from = "IntBool")]
    pub at_start: bool,
    pub every_months: Option<i64>,
    pub due_days: i64,
    #[sqlx(try_from = "IntBool")]
    pub on_change: bool,
    pub report_within_hours: Option<i64>,
    #[sqlx(try_from = "IntBool")]
    pub deletion: bool,
}

impl ContractClause {
    pub fn terms(&self) -> Terms {
        Terms {
            at_start: self.at_start,
            every_months: self.every_months.and_then(|m| u32::try_from(m).ok()),
            due_days: u32::try_from(self.due_days).unwrap_or(0),
            on_change: self.on_change,
            report_within_hours: self.report_within_hours.and_then(|h| u32::try_from(h).ok()),
            deletion: self.deletion,
        }
    }
}

/// A dated submission a clause owes, with its clause's title.
#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct ClauseObligation {
    pub id: ClauseObligationId,
    pub contract_id: ContractId,
    pub clause_id: String,
    pub title: String,
    pub period_label: String,
    #[sqlx(try_from = "IsoDate")]
    pub period_start: NaiveDate,
    #[sqlx(try_from = "IsoDate")]
    pub period_end: NaiveDate,
    #[sqlx(try_from = "IsoDate")]
    pub due_on: NaiveDate,
    /// `owed`, `submitted`, `returned` or `accepted`.
    pub status: String,
    pub accepted_on: Option<String>,
    /// No longer owed (the period moved or the clause was removed) after something was submitted.
    #[sqlx(try_from = "IntBool")]
    pub withdrawn: bool,
}

impl ClauseObligation {
    /// 「アクセスログの提出（2026年度第3四半期）」
    pub fn what(&self) -> String {
        format!("{}（{}）", self.title, self.period_label)
    }
}

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct ClauseSubmission {
    pub id: ClauseSubmissionId,
    pub obligation_id: ClauseObligationId,
    pub note: String,
    pub file_id: FileId,
    /// `submitted`, `returned` or `accepted`.
    pub status: String,
    pub submitted_by: String,
    pub submitted_at: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
    pub accepted_on: Option<String>,
    pub review_comment: String,
}

const CLAUSE_COLUMNS: &str =
    "clause_id, catalogue, version, title, summary, at_start, every_months, due_days,
    on_change, report_within_hours, deletion";
const OBLIGATION_COLUMNS: &str = "o.id, o.contract_id, o.clause_id, COALESCE(cl.title, o.clause_id) AS title, o.period_label, o.period_start,
    o.period_end, o.due_on, o.status, o.accepted_on, o.withdrawn";
const OBLIGATION_FROM: &str = "clause_obligations o
    LEFT JOIN contract_clauses cl ON cl.contract_id = o.contract_id AND cl.clause_id = o.clause_id";
const SUBMISSION_COLUMNS: &str =
    "id, obligation_id, note, file_id, status, submitted_by, submitted_at,
    reviewed_by, reviewed_at, accepted_on, review_comment";

pub async fn for_contract(
    conn: &mut Conn,
    contract_id: ContractId,
) -> Result<Vec<ContractClause>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {CLAUSE_COLUMNS} FROM contract_clauses WHERE contract_id = $1 ORDER BY position"
    ))
    .bind(contract_id)
    .fetch_all(conn)
    .await
}

/// Replaces the contract's clauses with `clauses` of catalogue `reference` (`itaku-clauses@2`), then
/// brings its obligations in step.
pub async fn set(
    conn: &mut Conn,
    contract_id: ContractId,
    catalogue: &str,
    version: u32,
    clauses: &[&Clause],
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM contract_clauses WHERE contract_id = $1")
        .bind(contract_id)
        .execute(&mut *conn)
        .await?;
    for (position, clause) in clauses.iter().enumerate() {
        let t = &clause.terms;
        sqlx::query(&format!(
            "INSERT INTO contract_clauses (contract_id, position, {CLAUSE_COLUMNS})
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        ))
        .bind(contract_id)
        .bind(position as i64)
        .bind(clause.id.as_str())
        .bind(catalogue)
        .bind(i64::from(version))
        .bind(clause.title.as_str())
        .bind(clause.summary.as_str())
        .bind(i64::from(t.at_start))
        .bind(t.every_months.map(i64::from))
        .bind(i64::from(t.due_days))
        .bind(i64::from(t.on_change))
        .bind(t.report_within_hours.map(i64::from))
        .bind(i64::from(t.deletion))
        .execute(&mut *conn)
        .await?;
    }
    sync(conn, contract_id).await
}

/// Brings the contract's obligations in step with its clauses and period: new periods are added,
/// moved ones take their new dates, and those no longer owed are deleted (withdrawn when something
/// was submitted for them). Called by every write that changes either.
pub async fn sync(conn: &mut Conn, contract_id: ContractId) -> Result<(), sqlx::Error> {
    let period: Option<(String, String)> =
        sqlx::query_as("SELECT start_date, end_date FROM contracts WHERE id = $1")
            .bind(contract_id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some((start, end)) = period else {
        return Ok(());
    };
    let (Ok(start), Ok(end)) = (start.parse::<NaiveDate>(), end.parse::<NaiveDate>()) else {
        return Ok(());
    };
    let mut wanted = BTreeMap::new();
    for clause in for_contract(conn, contract_id).await? {
        for due in schedule(&clause.terms(), start, end) {
            wanted.insert((clause.clause_id.clone(), due.key.clone()), due);
        }
    }
    let existing: Vec<(ClauseObligationId, String, String, i64)> = sqlx::query_as(
        "SELECT o.id, o.clause_id, o.period_key,
         (SELECT COUNT(*) FROM clause_submissions s WHERE s.obligation_id = o.id)
         FROM clause_obligations o WHERE o.contract_id = $1",
    )
    .bind(contract_id)
    .fetch_all(&mut *conn)
    .await?;
    for (id, clause_id, key, submissions) in existing {
        match wanted.remove(&(clause_id, key)) {
            Some(due) => {
                sqlx::query(
                    "UPDATE clause_obligations SET period_label = $1, period_start = $2, period_end = $3,
                     due_on = $4, withdrawn = 0 WHERE id = $5",
                )
                .bind(due.label)
                .bind(iso(due.period_start))
                .bind(iso(due.period_end))
                .bind(iso(due.due_on))
                .bind(id)
                .execute(&mut *conn)
                .await?;
            }
            None if submissions > 0 => {
                sqlx::query("UPDATE clause_obligations SET withdrawn = 1 WHERE id = $1")
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
            }
            None => {
                sqlx::query("DELETE FROM clause_obligations WHERE id = $1")
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
            }
        }
    }
    for ((clause_id, key), due) in wanted {
        sqlx::query(
            "INSERT INTO clause_obligations (contract_id, clause_id, period_key, period_label, period_start,
             period_end, due_on, status) VALUES ($1, $2, $3, $4, $5, $6, $7, 'owed')",
        )
        .bind(contract_id)
        .bind(clause_id)
        .bind(key)
        .bind(due.label)
        .bind(iso(due.period_start))
        .bind(iso(due.period_end))
        .bind(iso(due.due_on))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The contract's obligations still owed by its clauses, by deadline.
pub async fn obligations(
    conn: &mut Conn,
    contract_id: ContractId,
) -> Result<Vec<ClauseObligation>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {OBLIGATION_COLUMNS} FROM {OBLIGATION_FROM}
         WHERE o.contract_id = $1 AND o.withdrawn = 0 ORDER BY o.due_on, cl.position, o.id"
    ))
    .bind(contract_id)
    .fetch_all(conn)
    .await
}

pub async fn find_obligation(
    conn: &mut Conn,
    id: ClauseObligationId,
) -> Result<Option<ClauseObligation>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {OBLIGATION_COLUMNS} FROM {OBLIGATION_FROM} WHERE o.id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// The submissions for the contract's obligations, newest first.
pub async fn submissions(
    conn: &mut Conn,
    contract_id: ContractId,
) -> Result<Vec<ClauseSubmission>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {SUBMISSION_COLUMNS} FROM clause_submissions WHERE obligation_id IN
         (SELECT id FROM clause_obligations WHERE contract_id = $1) ORDER BY id DESC"
    ))
    .bind(contract_id)
    .fetch_all(conn)
    .await
}

pub async fn find_submission(
    conn: &mut Conn,
    id: ClauseSubmissionId,
) -> Result<Option<ClauseSubmission>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {SUBMISSION_COLUMNS} FROM clause_submissions WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn submit(
    conn: &mut Conn,
    obligation_id: ClauseObligationId,
    note: &str,
    file_id: FileId,
    submitted_by: &str,
) -> Result<ClauseSubmissionId, sqlx::Error> {
    let id = sqlx::query_scalar(
        "INSERT INTO clause_submissions (obligation_id, note, file_id, status, submitted_by, submitted_at)
         VALUES ($1, $2, $3, 'submitted', $4, $5) RETURNING id",
    )
    .bind(obligation_id)
    .bind(note)
    .bind(file_id)
    .bind(submitted_by)
    .bind(Timestamp::now())
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query("UPDATE clause_obligations SET status = 'submitted' WHERE id = $1")
        .bind(obligation_id)
        .execute(conn)
        .await?;
    Ok(id)
}

/// Accepted on `accepted_on`, or returned (`None`) with the comment; the obligation takes the same state.
pub async fn review(
    conn: &mut Conn,
    submission: &ClauseSubmission,
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
        "UPDATE clause_submissions SET status = $1, accepted_on = $2, review_comment = $3, reviewed_by = $4,
         reviewed_at = $5 WHERE id = $6",
    )
    .bind(status)
    .bind(accepted_on.map(iso))
    .bind(comment)
    .bind(reviewer)
    .bind(Timestamp::now())
    .bind(submission.id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE clause_obligations SET status = $1, accepted_on = $2 WHERE id = $3")
        .bind(status)
        .bind(accepted_on.map(iso))
        .bind(submission.obligation_id)
        .execute(conn)
        .await?;
    Ok(())
}
