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
