//! What waits for someone: the latest check sheet, audit report (per fiscal year) or deletion
//! certificate of each contract in a scope, when it waits for review or was returned to the vendor.

use super::contracts::{ContractHeading, RecordScope};
use super::{Conn, Sql};
use crate::domain::ids::ContractId;
use sqlx::FromRow;
use std::collections::HashMap;

/// One record waiting, oldest first.
#[derive(Debug, Clone, serde::Serialize)]
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

/// Latest records of each kind whose status is `status`, in `scope`, oldest first, at most `limit`.
pub async fn records(
    conn: &mut Conn,
    reads: &super::kept_reads::Reads<'_>,
    scope: RecordScope<'_>,
    status: &str,
    limit: i64,
) -> Result<Vec<WorkItem>, sqlx::Error> {
    // Each kind's oldest are read by index and kept on their own, so that an upload of one kind
    // leaves the others' kept; the first `limit` of the three are then named.
    let mut waiting = Vec::new();
    for (place, kind) in KINDS.iter().enumerate() {
        let mut sql = latest_of(place, scope, status);
        sql.push(&format!(" ORDER BY t.{}, t.id LIMIT ", kind.at))
            .bind(limit);
        let oldest = super::kept_reads::fetch_all::<Waiting>(conn, reads, &sql).await?;
        waiting.extend(oldest.iter().cloned());
    }
    waiting.sort_by(|a, b| {
        (&a.submitted_at, a.record_id, a.kind).cmp(&(&b.submitted_at, b.record_id, b.kind))
    });
    waiting.truncate(usize::try_from(limit).unwrap_or(0));
    let names = names_of(conn, reads, &waiting).await?;
    Ok(waiting
        .into_iter()
        .filter_map(|record| {
            let named = names.get(&record.contract_id)?;
            Some(WorkItem {
                kind: KINDS[usize::from(record.kind)].name.to_string(),
                record_id: record.record_id,
                contract_id: ContractId::new(record.contract_id),
                contract_number: named.contract_number.clone(),
                contract_title: named.title.clone(),
                vendor_name: named.vendor_name.clone(),
                department_name: named.department_name.clone(),
                fiscal_year: record.fiscal_year,
                submitted_at: record.submitted_at,
                status: record.status,
            })
        })
        .collect())
}

/// A record waiting, before its contract is named.
#[derive(Debug, Clone, FromRow)]
struct Waiting {
    /// Its place in `KINDS`.
    #[sqlx(try_from = "i64")]
    kind: u8,
    record_id: i64,
    contract_id: i64,
    fiscal_year: i64,
    submitted_at: String,
    status: String,
}

/// The headings of the contracts of `waiting`, by contract.
async fn names_of(
    conn: &mut Conn,
    reads: &super::kept_reads::Reads<'_>,
    waiting: &[Waiting],
) -> Result<HashMap<i64, ContractHeading>, sqlx::Error> {
    let mut ids: Vec<ContractId> = waiting
        .iter()
        .map(|record| ContractId::new(record.contract_id))
        .collect();
    ids.sort_unstable_by_key(|id| id.get());
    ids.dedup();
    let headings = super::standings::judged::headings(conn, reads, &ids).await?;
    Ok(headings
        .into_iter()
        .map(|heading| (heading.id.get(), heading))
        .collect())
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
    for place in 0..KINDS.len() {
        let mut sql = Sql::new("SELECT CAST(COUNT(*) AS BIGINT) FROM (");
        sql.append(&latest_of(place, scope, status))
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

/// The latest records of one kind with that status.
fn latest_of(place: usize, scope: RecordScope<'_>, status: &str) -> Sql {
    let Kind {
        table,
        at,
        fiscal_year,
        ..
    } = &KINDS[place];
    let mut part = Sql::new(&format!(
        "SELECT CAST({place} AS BIGINT) AS kind, t.id AS record_id, t.contract_id,
                CAST({fiscal_year} AS BIGINT) AS fiscal_year, t.{at} AS submitted_at, t.status
         FROM {table} t WHERE t.status = "
    ));
    part.bind(status);
    // Marked when a later record of the same thing comes in (migration 0044).
    part.push(" AND t.superseded = 0");
    scope.restrict(&mut part, "t.contract_id");
    part
}
