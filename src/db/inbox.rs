//! What waits for someone: the latest check sheet, audit report (per fiscal year) or deletion
//! certificate of each contract in a scope, when it waits for review or was returned to the vendor.

use super::contracts::RecordScope;
use super::{Conn, Sql};
use crate::domain::ids::ContractId;
use sqlx::FromRow;

/// One record waiting, oldest first.
#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct WorkItem {
    /// `checklist`, `audit_report` or `deletion_certificate`.
    pub kind: String,
    pub record_id: i64,
    pub contract_id: ContractId,
    pub contract_number: String,
    pub contract_title: String,
    pub vendor_name: String,
    pub department_name: String,
    /// The audit report's fiscal year; 0 otherwise.
    pub fiscal_year: i64,
    pub submitted_at: String,
    /// `submitted` or `returned`.
    pub status: String,
}

impl WorkItem {
    pub fn kind_label(&self) -> &'static str {
        match self.kind.as_str() {
            "checklist" => "チェックシート",
            "audit_report" => "監査報告書",
            _ => "データ消去証明書",
        }
    }
}

/// Latest records of each kind whose status is `status`, in `scope`, oldest first.
pub async fn records(
    conn: &mut Conn,
    reads: &super::kept_reads::Reads<'_>,
    scope: RecordScope<'_>,
    status: &str,
    limit: i64,
) -> Result<Vec<WorkItem>, sqlx::Error> {
    // The window is taken from the records alone; only its rows are joined to their names.
    let mut sql = Sql::new(
        "SELECT w.kind, w.record_id, w.contract_id, c.contract_number, c.title AS contract_title,
                v.name AS vendor_name, d.name AS department_name, w.fiscal_year, w.submitted_at, w.status
         FROM (SELECT * FROM (",
    );
    sql.append(&waiting(scope, status))
        .push(") waiting ORDER BY submitted_at, record_id LIMIT ")
        .bind(limit)
        .push(
            ") w JOIN contracts c ON c.id = w.contract_id JOIN vendors v ON v.id = c.vendor_id
             JOIN departments d ON d.id = c.department_id ORDER BY w.submitted_at, w.record_id",
        );
    Ok(super::kept_reads::fetch_all(conn, reads, &sql)
        .await?
        .to_vec())
}

/// How many records `records` would list without a limit: each kind counted on its own, so that an
/// upload of one kind leaves the others' counts kept.
pub async fn count(
    conn: &mut Conn,
    reads: &super::kept_reads::Reads<'_>,
    scope: RecordScope<'_>,
    status: &str,
) -> Result<i64, sqlx::Error> {
    let mut total = 0;
    for kind in &KINDS {
        let mut sql = Sql::new("SELECT CAST(COUNT(*) AS BIGINT) FROM (");
        sql.append(&latest_of(kind, scope, status))
            .push(") waiting");
        let counted = super::kept_reads::fetch_all::<(i64,)>(conn, reads, &sql).await?;
        total += counted.first().map_or(0, |(count,)| *count);
    }
    Ok(total)
}

/// A kind of record that waits for review.
struct Kind {
    name: &'static str,
    table: &'static str,
    /// The column of the moment it came in.
    at: &'static str,
    fiscal_year: &'static str,
}

const KINDS: [Kind; 3] = [
    Kind {
        name: "checklist",
        table: "checklist_submissions",
        at: "uploaded_at",
        fiscal_year: "0",
    },
    Kind {
        name: "audit_report",
        table: "audit_reports",
        at: "submitted_at",
        fiscal_year: "t.fiscal_year",
    },
    Kind {
        name: "deletion_certificate",
        table: "deletion_certificates",
        at: "submitted_at",
        fiscal_year: "0",
    },
];

/// The union of the three kinds' latest records with that status, read from the record tables alone
/// (a count names no other table, so a contract's edit leaves it kept; migration 0039 indexes it).
fn waiting(scope: RecordScope<'_>, status: &str) -> Sql {
    let mut sql = Sql::new("");
    for (index, kind) in KINDS.iter().enumerate() {
        if index > 0 {
            sql.push(" UNION ALL ");
        }
        sql.append(&latest_of(kind, scope, status));
    }
    sql
}

/// The latest records of one kind with that status.
fn latest_of(kind: &Kind, scope: RecordScope<'_>, status: &str) -> Sql {
    let Kind {
        name,
        table,
        at,
        fiscal_year,
    } = kind;
    let mut part = Sql::new(&format!(
        "SELECT '{name}' AS kind, t.id AS record_id, t.contract_id,
                CAST({fiscal_year} AS BIGINT) AS fiscal_year, t.{at} AS submitted_at, t.status
         FROM {table} t WHERE t.status = "
    ));
    part.bind(status);
    // Marked when a later record of the same thing comes in (migration 0044).
    part.push(" AND t.superseded = 0");
    scope.restrict(&mut part, "t.contract_id");
    part
}
