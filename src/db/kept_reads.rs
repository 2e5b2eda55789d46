//! Query results kept between reads while every table they read stands. Each table has a version
//! that the writing transaction itself moves (migration 0037, `audit::insert`); a reader reads the
//! versions in its own snapshot (`Reads::of`) and reuses a result only when it was read at exactly
//! those versions, so what it gets is what its query would give in that snapshot, on every server
//! sharing the database. A query reading a table without a version, or one marked changed and not
//! yet versioned, is always run.

use super::sql::Sql;
use super::Conn;
use sqlx::any::AnyRow;
use sqlx::FromRow;
use std::any::Any;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

/// A result larger than this is not kept (a report's every entry at scale, streamed anyway). Sizes
/// count each row's own bytes, not the text it points to: a listed contract's is about 400.
const LARGEST_RESULT: usize = 16 << 20;
/// The results kept take at most this much; when full, the store starts again (the day's reports
/// fill it again).
const MOST_KEPT: usize = 64 << 20;

/// How many versions back a count kept by group may be brought forward from the touches
/// (`fetch_regrouped`); older touches are removed (`audit::insert`).
pub const TOUCHED_VERSIONS: i64 = 1000;
/// Beyond this many groups touched, a count is read whole again.
const MOST_REGROUPED: usize = 256;

/// The results kept by one server, by query.
#[derive(Default)]
pub struct KeptReads {
    /// Every table of the database, to find those a query text names.
    tables: BTreeSet<String>,
    results: Mutex<Results>,
}

#[derive(Default)]
struct Results {
    by_query: HashMap<String, Kept>,
    size: usize,
}

impl std::fmt::Debug for KeptReads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeptReads")
            .field("tables", &self.tables.len())
            .field("results", &self.lock().by_query.len())
            .finish()
    }
}

struct Kept {
    versions: Vec<i64>,
    rows: Arc<dyn Any + Send + Sync>,
    size: usize,
}

impl KeptReads {
    pub(super) fn new(tables: impl IntoIterator<Item = String>) -> Self {
        KeptReads {
            tables: tables.into_iter().collect(),
            results: Mutex::default(),
        }
    }

    /// A store of no results, for the same tables.
    pub(super) fn emptied(&self) -> Self {
        KeptReads::new(self.tables.iter().cloned())
    }

    fn lock(&self) -> MutexGuard<'_, Results> {
        self.results
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The tables of the database that `text` names (a column named like a table only costs a
    /// keeping): every table a query reads is named in its text, however it is joined.
    fn named_in(&self, text: &str) -> Vec<String> {
        let mut named: Vec<String> = text
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|word| self.tables.contains(*word))
            .map(str::to_string)
            .collect();
        named.sort();
        named.dedup();
        named
    }
}

/// A reader's view of the kept results: the table versions of its snapshot.
pub struct Reads<'a> {
    kept: Option<&'a KeptReads>,
    versions: HashMap<String, i64>,
}

impl<'a> Reads<'a> {
    /// The versions in the snapshot `conn` is in; a table marked changed has none.
    pub async fn of(conn: &mut Conn, kept: &'a KeptReads) -> Result<Self, sqlx::Error> {
        let mut versions: HashMap<String, i64> =
            sqlx::query_as::<_, (String, i64)>("SELECT name, version FROM table_versions")
                .fetch_all(&mut *conn)
                .await?
                .into_iter()
                .collect();
        let marked: HashSet<String> = sqlx::query_scalar("SELECT name FROM table_changes")
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .collect();
        versions.retain(|table, _| !marked.contains(table));
        Ok(Reads {
            kept: Some(kept),
            versions,
        })
    }

    /// Every query run, nothing kept.
    pub fn none() -> Reads<'static> {
        Reads {
            kept: None,
            versions: HashMap::new(),
        }
    }

    /// The version of `table` in this snapshot, when it has one and is not marked changed.
    pub fn version(&self, table: &str) -> Option<i64> {
        self.versions.get(table).copied()
    }

    /// The versions of the tables `sql` reads, when results are kept and each table has one.
    fn versions_of_opt(&self, sql: &Sql) -> Option<Vec<i64>> {
        self.versions_of(self.kept?, sql)
    }

    /// The versions of the tables `sql` reads, when each has one.
    fn versions_of(&self, kept: &KeptReads, sql: &Sql) -> Option<Vec<i64>> {
        let tables = kept.named_in(sql.text());
        if tables.is_empty() {
            return None; // Every query reads a table: this one's are unknown here.
        }
        tables.iter().map(|table| self.version(table)).collect()
    }
}

/// The rows of `sql`: kept ones read at this snapshot's versions of every table it reads, else
/// read (and kept, unless a newer result is).
pub async fn fetch_all<T>(
    conn: &mut Conn,
    reads: &Reads<'_>,
    sql: &Sql,
) -> Result<Arc<Vec<T>>, sqlx::Error>
where
    T: for<'r> FromRow<'r, AnyRow> + Send + Sync + Unpin + 'static,
{
    let Some(kept) = reads.kept else {
        return Ok(Arc::new(sql.query_as().fetch_all(conn).await?));
    };
    let Some(versions) = reads.versions_of(kept, sql) else {
        return Ok(Arc::new(sql.query_as().fetch_all(conn).await?));
    };
    let key = sql.key();
    if let Some(found) = kept.lock().by_query.get(&key) {
        if found.versions == versions {
            if let Ok(rows) = found.rows.clone().downcast::<Vec<T>>() {
                return Ok(rows);
            }
        }
    }
    let rows: Arc<Vec<T>> = Arc::new(sql.query_as().fetch_all(conn).await?);
    keep(kept, key, versions, &rows);
    Ok(rows)
}

/// Keeps `rows` read at `versions`, unless they are too large or a newer result is kept.
fn keep<T: Send + Sync + 'static>(
    kept: &KeptReads,
    key: String,
    versions: Vec<i64>,
    rows: &Arc<Vec<T>>,
) {
    let size = key.len() + rows.len() * std::mem::size_of::<T>();
    if size <= LARGEST_RESULT {
        let mut results = kept.lock();
        let newer_kept = results
            .by_query
            .get(&key)
            .is_some_and(|found| found.versions.iter().zip(&versions).any(|(a, b)| a > b));
        if !newer_kept {
            if results.size + size > MOST_KEPT {
                *results = Results::default();
            }
            let rows: Arc<dyn Any + Send + Sync> = rows.clone();
            let replaced = results.by_query.insert(
                key,
                Kept {
                    versions,
                    rows,
                    size,
                },
            );
            results.size += size;
            results.size -= replaced.map_or(0, |kept| kept.size);
        }
    }
}

/// The groups (`column` of `standing_touches`) whose rows of `holders` the writes between the two
/// versions changed; none when they may be every group (a rebuild, or too many to read alone).
async fn touched_groups(
    conn: &mut Conn,
    (holders, column): (&str, &str),
    (from, to): (i64, i64),
) -> Result<Option<Vec<i64>>, sqlx::Error> {
    if from > to || to - from > TOUCHED_VERSIONS {
        return Ok(None);
    }
    let touched: Vec<Option<i64>> = sqlx::query_scalar(&format!(
        "SELECT DISTINCT {column} FROM standing_touches WHERE name = $1 AND version > $2 AND version <= $3"
    ))
    .bind(holders)
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await?;
    // A row without a group is a rebuild's, which touched every group.
    let groups = touched.into_iter().collect::<Option<Vec<i64>>>();
    Ok(groups.filter(|groups| groups.len() <= MOST_REGROUPED))
}

/// Rows each of one group, a department or a vendor (`column`: `department_id` or `vendor_id`) that
/// the standings table `holders` gives them, the group read by `group_of`: a count by group, or
/// contracts of some vendors. Kept like `fetch_all`; when only `holders` moved since the result kept,
/// and its writes since then touched few groups (`standing_touches`, migration 0040), only those
/// groups are read again (`regrouped`, the same query narrowed to them) and the kept rows of the
/// others stand: their rows of `holders` are the same, and so are the other tables'.
pub async fn fetch_regrouped<T>(
    conn: &mut Conn,
    reads: &Reads<'_>,
    sql: &Sql,
    (holders, column): (&str, &str),
    group_of: fn(&T) -> i64,
    regrouped: impl FnOnce(&[i64]) -> Sql,
) -> Result<Arc<Vec<T>>, sqlx::Error>
where
    T: for<'r> FromRow<'r, AnyRow> + Clone + Send + Sync + Unpin + 'static,
{
    let (Some(kept), Some(versions)) = (reads.kept, reads.versions_of_opt(sql)) else {
        return fetch_all(conn, reads, sql).await;
    };
    let key = sql.key();
    let found = kept.lock().by_query.get(&key).and_then(|found| {
        let rows = found.rows.clone().downcast::<Vec<T>>().ok()?;
        Some((found.versions.clone(), rows))
    });
    let Some((kept_versions, kept_rows)) = found else {
        return fetch_all(conn, reads, sql).await;
    };
    if kept_versions == versions {
        return Ok(kept_rows);
    }
    let tables = kept.named_in(sql.text());
    let moved: Vec<&str> = tables
        .iter()
        .zip(kept_versions.iter().zip(&versions))
        .filter(|(_, (before, now))| before != now)
        .map(|(table, _)| table.as_str())
        .collect();
    let since = tables
        .iter()
        .position(|named| named == holders)
        .map(|at| (kept_versions[at], versions[at]));
    let (Some(since), [holders_alone]) = (since, moved.as_slice()) else {
        return fetch_all(conn, reads, sql).await;
    };
    let groups = match *holders_alone == holders {
        true => touched_groups(conn, (holders, column), since).await?,
        false => None,
    };
    let Some(groups) = groups else {
        return fetch_all(conn, reads, sql).await;
    };
    let mut rows: Vec<T> = match groups.is_empty() {
        true => Vec::new(),
        false => regrouped(&groups).query_as().fetch_all(&mut *conn).await?,
    };
    let groups: HashSet<i64> = groups.into_iter().collect();
    rows.extend(
        kept_rows
            .iter()
            .filter(|row| !groups.contains(&group_of(row)))
            .cloned(),
    );
    let rows = Arc::new(rows);
    keep(kept, key, versions, &rows);
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_reads_every_table_its_text_names() {
        let kept = KeptReads::new(["contracts", "vendors", "contract_standings"].map(String::from));
        let named = kept.named_in(
            "SELECT c.id FROM contracts c, vendors v JOIN (SELECT cs.contract_id FROM contract_standings cs) x
             ON x.contract_id = c.id WHERE c.vendor_id = v.id",
        );
        assert_eq!(named, ["contract_standings", "contracts", "vendors"]);
        assert!(kept
            .named_in("SELECT x.vendor_id FROM audit_standings x")
            .is_empty());
    }
}
