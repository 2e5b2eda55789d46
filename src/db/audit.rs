//! The append-only audit log: rows are only ever inserted (triggers refuse UPDATE and DELETE).

use super::sql::{contains_pattern, Sql};
use super::Conn;
use crate::domain::ids::{AuditEntryId, UserId};
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct AuditEntry {
    pub id: AuditEntryId,
    pub occurred_at: String,
    pub actor_user_id: Option<UserId>,
    pub actor: String,
    pub ip: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub summary: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
}

pub struct NewEntry<'a> {
    pub actor_user_id: Option<UserId>,
    pub actor: &'a str,
    pub ip: &'a str,
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: &'a str,
    pub summary: &'a str,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
}

/// The hash that starts the chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// SHA-256 in hex over an entry's canonical content: a JSON array of the previous entry's hash and
/// every column but the id, in a fixed order. Any change to any of them changes the hash.
pub fn entry_hash(prev_hash: &str, occurred_at: &str, entry: &NewEntry<'_>) -> String {
    use sha2::Digest;
    let canonical = serde_json::json!([
        prev_hash,
        occurred_at,
        entry.actor_user_id,
        entry.actor,
        entry.ip,
        entry.action,
        entry.entity_type,
        entry.entity_id,
        entry.summary,
        entry.before_json,
        entry.after_json,
    ]);
    hex::encode(sha2::Sha256::digest(canonical.to_string().as_bytes()))
}

/// Actions that record a reading, a sign-in or a message sent: they change no data, so they leave the
/// data version alone (an export must not make every kept judgement stale).
pub const READING_ACTIONS: [&str; 8] = [
    "export",
    "download",
    "sign_in",
    "sign_in_challenge",
    "sign_in_failed",
    "sign_in_link",
    "sign_out",
    "mail",
];

/// Appends an entry to the chain. Taking the head row first (an UPDATE, so PostgreSQL locks it until
/// the transaction ends) puts concurrent writers one after another, so each links to the last; an
/// entry that records a change also moves the data version, in the same transaction as the change.
pub async fn insert(conn: &mut Conn, entry: &NewEntry<'_>) -> Result<(), sqlx::Error> {
    let changes_data = i64::from(!READING_ACTIONS.contains(&entry.action));
    let (prev_hash,): (String,) = sqlx::query_as(
        "UPDATE audit_chain_head SET entries = entries + 1, data_version = data_version + $1
         WHERE id = 1 RETURNING last_hash",
    )
    .bind(changes_data)
    .fetch_one(&mut *conn)
    .await?;
    version_changed_tables(conn).await?;
    let occurred_at = chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    let hash = entry_hash(&prev_hash, &occurred_at, entry);
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO audit_log (occurred_at, actor_user_id, actor, ip, action, entity_type, entity_id, summary, before_json, after_json,
         prev_hash, entry_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(&occurred_at)
    .bind(entry.actor_user_id)
    .bind(entry.actor)
    .bind(entry.ip)
    .bind(entry.action)
    .bind(entry.entity_type)
    .bind(entry.entity_id)
    .bind(entry.summary)
    .bind(entry.before_json.as_deref())
    .bind(entry.after_json.as_deref())
    .bind(&prev_hash)
    .bind(&hash)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query("UPDATE audit_chain_head SET last_id = $1, last_hash = $2 WHERE id = 1")
        .bind(id)
        .bind(&hash)
        .execute(conn)
        .await?;
    Ok(())
}

/// Moves the version of every table marked changed (migration 0037), under the chain's lock so
/// that versions commit in order. One statement takes the marks, so a mark committed meanwhile by a
/// transaction without an entry is either versioned here or left for the next entry.
async fn version_changed_tables(conn: &mut Conn) -> Result<(), sqlx::Error> {
    let mut changed: Vec<String> = sqlx::query_scalar("DELETE FROM table_changes RETURNING name")
        .fetch_all(&mut *conn)
        .await?;
    changed.sort();
    changed.dedup();
    if changed.is_empty() {
        return Ok(());
    }
    let mut versioned =
        super::sql::Sql::new("UPDATE table_versions SET version = version + 1 WHERE 1 = 1");
    let changed: Vec<&str> = changed.iter().map(String::as_str).collect();
    versioned.and_in("name", &changed);
    versioned.query().execute(&mut *conn).await?;
    label_touches(conn, &changed).await
}

/// Labels the touches (migrations 0040, 0041) of the `changed` tables with their new versions, and
/// removes those older than the versions a kept result may be brought forward over
/// (`kept_reads::TOUCHED_VERSIONS`).
async fn label_touches(conn: &mut Conn, changed: &[&str]) -> Result<(), sqlx::Error> {
    use super::kept_reads::TOUCHED_TABLES;
    for table in changed
        .iter()
        .filter(|table| TOUCHED_TABLES.contains(table))
    {
        let version = "(SELECT version FROM table_versions WHERE name = $1)";
        sqlx::query(&format!(
            "UPDATE standing_touches SET version = {version} WHERE name = $1 AND version IS NULL"
        ))
        .bind(table)
        .execute(&mut *conn)
        .await?;
        sqlx::query(&format!(
            "DELETE FROM standing_touches WHERE name = $1 AND version <= {version} - $2"
        ))
        .bind(table)
        .bind(super::kept_reads::TOUCHED_VERSIONS)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// An entry with its links, as the chain check reads it.
#[derive(Debug, Clone, FromRow)]
pub struct ChainedEntry {
    #[sqlx(flatten)]
    pub entry: AuditEntry,
    pub prev_hash: Option<String>,
    pub entry_hash: Option<String>,
}

impl ChainedEntry {
    /// The hash its content gives after `prev_hash`.
    pub fn computed_hash(&self, prev_hash: &str) -> String {
        let e = &self.entry;
        entry_hash(
            prev_hash,
            &e.occurred_at,
            &NewEntry {
                actor_user_id: e.actor_user_id,
                actor: &e.actor,
                ip: &e.ip,
                action: &e.action,
                entity_type: &e.entity_type,
                entity_id: &e.entity_id,
                summary: &e.summary,
                before_json: e.before_json.clone(),
                after_json: e.after_json.clone(),
            },
        )
    }
}

/// Up to `limit` entries after `after_id`, in id order.
pub async fn chain_page(
    conn: &mut Conn,
    after_id: AuditEntryId,
    limit: i64,
) -> Result<Vec<ChainedEntry>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, occurred_at, actor_user_id, actor, ip, action, entity_type, entity_id, summary, before_json, after_json,
         prev_hash, entry_hash FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2",
    )
    .bind(after_id)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// The head: the last entry's id and hash, and how many entries the chain holds.
pub async fn chain_head(conn: &mut Conn) -> Result<(AuditEntryId, String, i64), sqlx::Error> {
    sqlx::query_as("SELECT last_id, last_hash, entries FROM audit_chain_head WHERE id = 1")
        .fetch_one(conn)
        .await
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub entity_type: Option<String>,
    /// Inclusive bounds on the day (UTC) an entry was written, as `YYYY-MM-DD`.
    pub from: Option<String>,
    pub to: Option<String>,
}

fn where_clause(filter: &AuditFilter) -> Sql {
    let mut sql = Sql::new(" WHERE 1 = 1");
    if let Some(actor) = &filter.actor {
        sql.push(" AND LOWER(actor) LIKE ")
            .bind(contains_pattern(actor))
            .push(" ESCAPE '\\'");
    }
    if let Some(action) = &filter.action {
        sql.push(" AND action = ").bind(action.as_str());
    }
    if let Some(entity_type) = &filter.entity_type {
        sql.push(" AND entity_type = ").bind(entity_type.as_str());
    }
    if let Some(from) = &filter.from {
        sql.push(" AND occurred_at >= ").bind(from.as_str());
    }
    if let Some(to) = &filter.to {
        sql.push(" AND occurred_at < ").bind(format!("{to}T99"));
    }
    sql
}

pub async fn list(
    conn: &mut Conn,
    filter: &AuditFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<AuditEntry>, i64), sqlx::Error> {
    let condition = where_clause(filter);
    let mut count = Sql::new("SELECT COUNT(*) FROM audit_log");
    count.append(&condition);
    let total = count.query_as::<(i64,)>().fetch_one(&mut *conn).await?.0;
    let mut page = Sql::new(
        "SELECT id, occurred_at, actor_user_id, actor, ip, action, entity_type, entity_id, summary, before_json, after_json FROM audit_log",
    );
    page.append(&condition)
        .push(" ORDER BY id DESC LIMIT ")
        .bind(limit)
        .push(" OFFSET ")
        .bind(offset);
    Ok((page.query_as().fetch_all(conn).await?, total))
}

/// The data version: how many changes have been committed (see `insert`). Read before the data it
/// stands for: a later statement sees at least those changes, so a value kept under this version is
/// never older than the version says, on any server sharing the database.
pub async fn data_version(conn: &mut Conn) -> Result<i64, sqlx::Error> {
    let (version,): (i64,) =
        sqlx::query_as("SELECT data_version FROM audit_chain_head WHERE id = 1")
            .fetch_one(conn)
            .await?;
    Ok(version)
}
