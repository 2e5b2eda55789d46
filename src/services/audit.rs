//! The audit log: who changed what, when, from where, with the values before and after.

use super::{given, Paged, Paging};
use crate::auth::Actor;
use crate::db::audit::{self, AuditEntry, AuditFilter, NewEntry};
use crate::db::{Conn, Db};
use crate::domain::ids::{AuditEntryId, VendorId};
use crate::error::AppResult;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};

/// One thing that happened, as the audit log keeps it.
pub struct Event<'a> {
    action: &'a str,
    entity_type: &'a str,
    entity_id: String,
    summary: String,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
}

impl<'a> Event<'a> {
    pub fn new(
        action: &'a str,
        entity_type: &'a str,
        entity_id: impl ToString,
        summary: impl Into<String>,
    ) -> Self {
        Event {
            action,
            entity_type,
            entity_id: entity_id.to_string(),
            summary: summary.into(),
            before: None,
            after: None,
        }
    }

    /// The values before and after the change.
    pub fn changes(
        mut self,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    ) -> Self {
        self.before = before;
        self.after = after;
        self
    }
}

/// Records that a file left the system: who took which file of which record, with its size and digest.
/// Downloads change nothing, so they do not move the data version (`db::audit::data_version`).
pub async fn downloaded(
    db: &Db,
    actor: &Actor,
    entity_type: &str,
    entity_id: impl ToString,
    file_name: &str,
    bytes: &[u8],
) -> AppResult<()> {
    let digest = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(bytes));
    let summary = format!("ダウンロード「{file_name}」");
    let file = serde_json::json!({"file_name": file_name, "size": bytes.len(), "sha256": digest});
    record_alone(
        db,
        actor,
        Event::new("download", entity_type, entity_id, summary).changes(None, Some(file)),
    )
    .await
}

/// Appends one entry in a transaction of its own: for what changes nothing else (an export, a
/// download). The chain needs every append inside a transaction, so that its head stays locked from
/// reading the last hash to writing the new one.
pub async fn record_alone(db: &Db, actor: &Actor, event: Event<'_>) -> AppResult<()> {
    let mut tx = db.begin().await?;
    record(&mut tx, actor, event).await?;
    tx.commit().await?;
    Ok(())
}

/// Appends one entry, inside the caller's transaction so it stands or falls with the change.
pub async fn record(conn: &mut Conn, actor: &Actor, event: Event<'_>) -> AppResult<()> {
    audit::insert(
        conn,
        &NewEntry {
            actor_user_id: actor.user_id,
            actor: &actor.label,
            ip: &actor.ip,
            action: event.action,
            entity_type: event.entity_type,
            entity_id: &event.entity_id,
            summary: &event.summary,
            before_json: event.before.map(|v| v.to_string()),
            after_json: event.after.map(|v| v.to_string()),
        },
    )
    .await?;
    Ok(())
}

/// The audit log filter as typed in a query string.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub entity_type: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

impl AuditQuery {
    pub fn filter(&self) -> AppResult<AuditFilter> {
        let mut errors = crate::error::FieldErrors::new();
        let mut date = |field: &str, value: &Option<String>| {
            errors
                .take(
                    field,
                    crate::domain::text::optional(given(value), |v| {
                        crate::domain::parse_date(v)
                            .map(|d| d.format("%Y-%m-%d").to_string())
                            .map_err(|e| e.0)
                    }),
                )
                .flatten()
        };
        let from = date("from", &self.from);
        let to = date("to", &self.to);
        errors.into_result()?;
        Ok(AuditFilter {
            actor: given(&self.actor).map(|a| a.to_lowercase()),
            action: given(&self.action).map(str::to_string),
            entity_type: given(&self.entity_type).map(str::to_string),
            from,
            to,
        })
    }
}

/// The names of the departments and vendors that the changes of some entries refer to by id, so that
/// the log reads 「税務課」 rather than 3.
#[derive(Debug, Default)]
pub struct RecordNames {
    pub departments: HashMap<i64, String>,
    pub vendors: HashMap<i64, String>,
}

/// Every id under one of `keys` in a change's values.
fn ids_under(value: &Value, keys: &[&str], found: &mut BTreeSet<i64>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                if keys.contains(&key.as_str()) {
                    let ids = match inner {
                        Value::Array(items) => items.iter().filter_map(Value::as_i64).collect(),
                        single => single.as_i64().into_iter().collect::<Vec<_>>(),
                    };
                    found.extend(ids);
                } else {
                    ids_under(inner, keys, found);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| ids_under(item, keys, found)),
        _ => {}
    }
}

pub async fn names_in(db: &Db, entries: &[AuditEntry]) -> AppResult<RecordNames> {
    let values: Vec<Value> = entries
        .iter()
        .flat_map(|e| [e.before_json.as_deref(), e.after_json.as_deref()])
        .flatten()
        .filter_map(|text| serde_json::from_str(text).ok())
        .collect();
    let (mut departments, mut vendors) = (BTreeSet::new(), BTreeSet::new());
    for value in &values {
        ids_under(
            value,
            &["department_id", "department_ids"],
            &mut departments,
        );
        ids_under(value, &["vendor_id"], &mut vendors);
    }
    let mut names = RecordNames::default();
    let mut conn = db.acquire().await?;
    if !departments.is_empty() {
        names.departments = crate::db::departments::all(&mut conn)
            .await?
            .into_iter()
            .filter(|d| departments.contains(&d.id.get()))
            .map(|d| (d.id.get(), d.name))
            .collect();
    }
    let vendor_ids = vendors.into_iter().map(VendorId::new);
    let reads = crate::db::kept_reads::Reads::none();
    names.vendors = crate::db::vendors::names_of(&mut conn, &reads, vendor_ids)
        .await?
        .iter()
        .map(|(id, name)| (id.get(), name.clone()))
        .collect();
    Ok(names)
}

pub async fn list(db: &Db, filter: &AuditFilter, paging: Paging) -> AppResult<Paged<AuditEntry>> {
    let (items, total) = audit::list(
        &mut *db.acquire().await?,
        filter,
        paging.per_page,
        paging.offset(),
    )
    .await?;
    Ok(Paged::new(items, total, paging))
}

/// Every entry matching the filter, newest first, as an .xlsx workbook; the export itself is logged.
pub async fn export(db: &Db, actor: &Actor, filter: &AuditFilter) -> AppResult<Vec<u8>> {
    const MAX_ROWS: i64 = 1_000_000;
    let (entries, total) = audit::list(&mut *db.acquire().await?, filter, MAX_ROWS, 0).await?;
    let bytes = crate::excel::writer::audit_log(&entries)
        .map_err(|e| crate::error::AppError::Internal(e.to_string()))?;
    let summary = format!("監査ログを出力（{total}件）");
    record_alone(db, actor, Event::new("export", "audit_log", "", summary)).await?;
    Ok(bytes)
}

/// The first entry that does not fit the chain, and why.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ChainBreak {
    pub id: AuditEntryId,
    pub occurred_at: String,
    pub summary: String,
    pub reason: String,
}

/// What `itaku audit verify` found.
#[derive(Debug, Clone, Serialize)]
pub struct ChainReport {
    /// Entries checked along the chain.
    pub entries: i64,
    /// Entries written before the chain began (they carry no hash and are not covered).
    pub before_chain: i64,
    /// The last entry's hash: note it somewhere else, and a rewrite of the whole chain shows too.
    pub head_hash: String,
    pub first_break: Option<ChainBreak>,
}

impl ChainReport {
    pub fn intact(&self) -> bool {
        self.first_break.is_none()
    }
}

/// Walks the audit log in id order, recomputing each entry's hash from its content and the previous
/// entry's hash, and compares the end with the head row. An entry edited in the database, one removed
/// from the middle, the start or the end, or one inserted without the chain, is named.
pub async fn verify_chain(db: &Db) -> AppResult<ChainReport> {
    const PAGE: i64 = 5_000;
    let mut conn = db.acquire().await?;
    let mut report = ChainReport {
        entries: 0,
        before_chain: 0,
        head_hash: String::new(),
        first_break: None,
    };
    let mut previous = audit::GENESIS.to_string();
    let mut last_id = AuditEntryId::new(0);
    let mut after = AuditEntryId::new(0);
    let broken = |chained: &audit::ChainedEntry, reason: &str| ChainBreak {
        id: chained.entry.id,
        occurred_at: chained.entry.occurred_at.clone(),
        summary: chained.entry.summary.clone(),
        reason: reason.to_string(),
    };
    'walk: loop {
        let page = audit::chain_page(&mut conn, after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.entry.id;
        for entry in &page {
            match (&entry.prev_hash, &entry.entry_hash) {
                (None, None) if report.entries == 0 => report.before_chain += 1,
                (Some(prev), Some(hash)) => {
                    if *prev != previous {
                        report.first_break = Some(broken(
                            entry,
                            "直前の記録のハッシュと一致しません（この前の記録が削除・挿入・書き換えられています）",
                        ));
                        break 'walk;
                    }
                    if entry.computed_hash(prev) != *hash {
                        report.first_break = Some(broken(
                            entry,
                            "内容が記録時のハッシュと一致しません（この記録が書き換えられています）",
                        ));
                        break 'walk;
                    }
                    previous = hash.clone();
                    last_id = entry.entry.id;
                    report.entries += 1;
                }
                _ => {
                    report.first_break = Some(broken(
                        entry,
                        "ハッシュがありません（監査ログの外から直接追加された記録です）",
                    ));
                    break 'walk;
                }
            }
        }
    }
    let (head_id, head_hash, head_entries) = audit::chain_head(&mut conn).await?;
    report.head_hash = head_hash.clone();
    if report.first_break.is_none()
        && (head_hash != previous || head_id != last_id || head_entries != report.entries)
    {
        report.first_break = Some(ChainBreak {
            id: head_id,
            occurred_at: String::new(),
            summary: String::new(),
            reason: format!(
                "最後の記録（番号 {head_id}、全{head_entries}件）が見つかりません: 末尾の記録が削除されています（確認できたのは番号 {last_id} まで、{}件）",
                report.entries
            ),
        });
    }
    Ok(report)
}
