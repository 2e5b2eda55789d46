//! Query results kept between reads while every table they read stands. Each table has a version
//! that the writing transaction itself moves (migration 0037, `audit::insert`); a reader reads the
//! versions in its own snapshot (`Reads::of`) and reuses a result only when it was read at exactly
//! those versions, so what it gets is what its query would give in that snapshot, on every server
//! sharing the database. A query reading a table without a version, or one marked changed and not
//! yet versioned, is always run.

use super::sql::Sql;
use super::{locked, Conn};
use rustc_hash::{FxHashMap, FxHashSet};
use sqlx::any::AnyRow;
use sqlx::FromRow;
use std::any::Any;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

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

/// Query texts whose tables are remembered (`named_in`); beyond this many the memory starts again.
const MOST_TEXTS_NAMED: usize = 4096;
/// Values worked out from kept results (`Reads::take_derived`) take at most this much (a dashboard's
/// tallies are 6 MB at 30,000 vendors); when full, they start again.
const MOST_DERIVED: usize = 32 << 20;

/// The results kept by one server, by query.
#[derive(Default)]
pub struct KeptReads {
    /// Every table of the database, to find those a query text names.
    tables: BTreeSet<String>,
    /// The tables each query text read so far names: a dashboard asks three times for each of its
    /// sixty queries, whose texts run to thousands of words.
    named: Mutex<FxHashMap<String, Arc<[String]>>>,
    results: Mutex<Results>,
    /// Values worked out from kept results, by what they are of (`Reads::take_derived`).
    derived: Mutex<Derived>,
}

/// Values worked out from kept results, each with its size, and their sizes' sum.
#[derive(Default)]
struct Derived {
    by_key: FxHashMap<u64, (Box<dyn Any + Send>, usize)>,
    size: usize,
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
            .field("results", &locked(&self.results).by_query.len())
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
            named: Mutex::default(),
            results: Mutex::default(),
            derived: Mutex::default(),
        }
    }

    /// A store of no results, for the same tables.
    pub(super) fn emptied(&self) -> Self {
        KeptReads::new(self.tables.iter().cloned())
    }

    /// The tables of the database that `text` names (a column named like a table only costs a
    /// keeping): every table a query reads is named in its text, however it is joined.
    fn named_in(&self, text: &str) -> Arc<[String]> {
        if let Some(found) = locked(&self.named).get(text) {
            return found.clone();
        }
        let mut named: Vec<String> = text
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|word| self.tables.contains(*word))
            .map(str::to_string)
            .collect();
        named.sort();
        named.dedup();
        let named: Arc<[String]> = named.into();
        let mut texts = locked(&self.named);
        if texts.len() >= MOST_TEXTS_NAMED {
            texts.clear();
        }
        texts.insert(text.to_string(), named.clone());
        named
    }
}

/// A reader's view of the kept results: the table versions of its snapshot.
pub struct Reads<'a> {
    kept: Option<&'a KeptReads>,
    versions: HashMap<String, i64>,
    /// What the writes between two versions touched, by the query that reads it: many kept results
    /// ask the same (`since_kept`).
    touched: Mutex<HashMap<String, Arc<Vec<Option<i64>>>>>,
}

impl<'a> Reads<'a> {
    /// The versions in the snapshot `conn` is in; a table marked changed has none.
    pub async fn of(conn: &mut Conn, kept: &'a KeptReads) -> Result<Self, sqlx::Error> {
        let versions = sqlx::query_as::<_, (String, i64)>(
            "SELECT v.name, v.version FROM table_versions v
             WHERE NOT EXISTS (SELECT 1 FROM table_changes c WHERE c.name = v.name)",
        )
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .collect();
        Ok(Reads {
            kept: Some(kept),
            versions,
            touched: Mutex::default(),
        })
    }

    /// The value kept under `key` by `keep_derived`, taken out so that it can be brought forward in
    /// place: a reader that finds none works it out afresh. Its user checks that it was worked out
    /// from the very results it read itself.
    pub fn take_derived<T: Any + Send>(&self, key: u64) -> Option<T> {
        let kept = self.kept?;
        let mut derived = locked(&kept.derived);
        let (value, size) = derived.by_key.remove(&key)?;
        derived.size -= size;
        Some(*value.downcast::<T>().ok()?)
    }

    /// Whether results are kept for the next reader (not in a one-off command).
    pub fn keeps(&self) -> bool {
        self.kept.is_some()
    }

    /// Keeps `value`, of `size` bytes, under `key` for the next reader to take; nothing when no
    /// result is kept or it is too large.
    pub fn keep_derived<T: Any + Send>(&self, key: u64, value: T, size: usize) {
        let Some(kept) = self.kept.filter(|_| size <= MOST_DERIVED) else {
            return;
        };
        let mut derived = locked(&kept.derived);
        if let Some((_, replaced)) = derived.by_key.remove(&key) {
            derived.size -= replaced;
        }
        if derived.size + size > MOST_DERIVED {
            *derived = Derived::default();
        }
        derived.by_key.insert(key, (Box::new(value), size));
        derived.size += size;
    }

    /// Every query run, nothing kept.
    pub fn none() -> Reads<'static> {
        Reads {
            kept: None,
            versions: HashMap::new(),
            touched: Mutex::default(),
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
    if let Some(found) = locked(&kept.results).by_query.get(&key) {
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
        let mut results = locked(&kept.results);
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

/// The tables whose writes note the contracts, departments and vendors they touched
/// (`standing_touches`): the standings tables (`standings::restand`) and the contracts (triggers,
/// migration 0041).
pub const TOUCHED_TABLES: [&str; 4] = [
    "contract_standings",
    "audit_standings",
    "checklist_standings",
    "contracts",
];

/// A result kept of a query, and what the writes since touched (`touched`).
enum Since<T> {
    /// Nothing kept, or it cannot be brought forward: the query is read whole.
    Unknown,
    /// Kept at this snapshot's versions.
    Current(Arc<Vec<T>>),
    /// Kept at older versions; the writes since touched these (contracts, departments or vendors).
    Touched {
        rows: Arc<Vec<T>>,
        touched: Vec<i64>,
    },
}

/// What of `column` (`contract_id`, `department_id` or `vendor_id`) the writes since the result kept
/// of `sql` touched. Every row a query brought forward reads of a touched table is of the contract
/// the row is of, so the rows of contracts, departments or vendors not touched stand. Unknown when a
/// table moved that does not note its touches, or when they may be every one (a rebuild, a bulk
/// write, too many, or too many versions ago).
async fn since_kept<T: Send + Sync + 'static>(
    conn: &mut Conn,
    reads: &Reads<'_>,
    sql: &Sql,
    column: &str,
) -> Result<Since<T>, sqlx::Error> {
    let (Some(kept), Some(versions)) = (reads.kept, reads.versions_of_opt(sql)) else {
        return Ok(Since::Unknown);
    };
    let found = locked(&kept.results)
        .by_query
        .get(&sql.key())
        .and_then(|found| {
            let rows = found.rows.clone().downcast::<Vec<T>>().ok()?;
            Some((found.versions.clone(), rows))
        });
    let Some((kept_versions, rows)) = found else {
        return Ok(Since::Unknown);
    };
    if kept_versions == versions {
        return Ok(Since::Current(rows));
    }
    let tables = kept.named_in(sql.text());
    let mut touched = Sql::new(&format!(
        "SELECT DISTINCT {column} FROM standing_touches WHERE 1 = 0"
    ));
    for (table, (&from, &to)) in tables.iter().zip(kept_versions.iter().zip(&versions)) {
        if from == to {
            continue;
        }
        if !TOUCHED_TABLES.contains(&table.as_str()) || from > to || to - from > TOUCHED_VERSIONS {
            return Ok(Since::Unknown);
        }
        touched
            .push(" OR (name = ")
            .bind(table.as_str())
            .push(" AND version > ")
            .bind(from)
            .push(" AND version <= ")
            .bind(to)
            .push(")");
    }
    let asked = locked(&reads.touched).get(&touched.key()).cloned();
    let touched = match asked {
        Some(touched) => touched,
        None => {
            let found: Vec<(Option<i64>,)> = touched.query_as().fetch_all(conn).await?;
            let found = Arc::new(found.into_iter().map(|(id,)| id).collect::<Vec<_>>());
            locked(&reads.touched).insert(touched.key(), found.clone());
            found
        }
    };
    // A row without one is a rebuild's or a bulk write's, which touched every one.
    let touched = touched.iter().copied().collect::<Option<Vec<i64>>>();
    Ok(match touched {
        Some(touched) if touched.len() <= MOST_REGROUPED => Since::Touched { rows, touched },
        _ => Since::Unknown,
    })
}

/// Rows read by [`fetch_regrouped`], and what they were made from.
pub struct Regrouped<T> {
    pub rows: Arc<Vec<T>>,
    /// When the rows are those kept before with the rows of some groups read again (or none):
    /// what was kept, the rows of it replaced, and the rows read again. None when read whole.
    pub from: Option<Amended<T>>,
}

/// Rows brought forward: `rows` of [`Regrouped`] are `before` without `removed`, with `added`.
pub struct Amended<T> {
    pub before: Arc<Vec<T>>,
    pub removed: Vec<T>,
    pub added: Vec<T>,
}

/// Rows each of one group, a contract, a department or a vendor (`column`: `contract_id`,
/// `department_id` or `vendor_id`), the group read by `group_of`: a count by department or vendor,
/// contracts of some vendors, or contracts by id. Kept like `fetch_all`; when the tables that moved
/// since the result was kept all note their touches (`since_kept`), only the groups touched are read
/// again (`regrouped`, the same query narrowed to them, or none when the query cannot hold any of
/// them) and the kept rows of the others stand. Tells which rows changed since those kept, so that
/// what is worked out of the rows kept can be brought forward from those alone.
pub async fn fetch_regrouped<T>(
    conn: &mut Conn,
    reads: &Reads<'_>,
    sql: &Sql,
    column: &str,
    group_of: fn(&T) -> i64,
    regrouped: impl FnOnce(&[i64]) -> Option<Sql>,
) -> Result<Regrouped<T>, sqlx::Error>
where
    T: for<'r> FromRow<'r, AnyRow> + Clone + Send + Sync + Unpin + 'static,
{
    let (kept_rows, groups) = match since_kept::<T>(conn, reads, sql, column).await? {
        Since::Unknown => {
            let rows = fetch_all(conn, reads, sql).await?;
            return Ok(Regrouped { rows, from: None });
        }
        Since::Current(rows) => {
            let from = Amended {
                before: rows.clone(),
                removed: Vec::new(),
                added: Vec::new(),
            };
            return Ok(Regrouped {
                rows,
                from: Some(from),
            });
        }
        Since::Touched { rows, touched } => (rows, touched),
    };
    let narrowed = match groups.is_empty() {
        true => None,
        false => regrouped(&groups),
    };
    let added: Vec<T> = match narrowed {
        None => Vec::new(),
        Some(sql) => sql.query_as().fetch_all(&mut *conn).await?,
    };
    let mut rows = Vec::with_capacity(added.len() + kept_rows.len());
    rows.extend(added.iter().cloned());
    let groups: FxHashSet<i64> = groups.into_iter().collect();
    let mut removed = Vec::new();
    for row in kept_rows.iter() {
        match groups.contains(&group_of(row)) {
            true => removed.push(row.clone()),
            false => rows.push(row.clone()),
        }
    }
    let rows = keep_current(reads, sql, Arc::new(rows));
    let from = Amended {
        before: kept_rows,
        removed,
        added,
    };
    Ok(Regrouped {
        rows,
        from: Some(from),
    })
}

/// Keeps `rows`, brought forward to this snapshot, and hands them back.
fn keep_current<T: Send + Sync + 'static>(
    reads: &Reads<'_>,
    sql: &Sql,
    rows: Arc<Vec<T>>,
) -> Arc<Vec<T>> {
    if let (Some(kept), Some(versions)) = (reads.kept, reads.versions_of_opt(sql)) {
        keep(kept, sql.key(), versions, &rows);
    }
    rows
}

/// A row of a list: of one contract, and told apart from the list's other rows by its key.
pub trait ListRow {
    type Key: std::hash::Hash + Eq;
    fn contract(&self) -> i64;
    fn key(&self) -> Self::Key;
}

/// The first `limit` rows of `sql` in its order: a list's window. Kept like `fetch_all`; when the
/// tables that moved since the result was kept all note their touches (`since_kept`), the list is
/// asked which of the contracts touched it holds now (`holding`, its condition alone, without the
/// joins for names and order that cost more to plan than to run). When it holds none of them, the
/// kept window stands without theirs, unless it was full and lost some. Else the contracts of the
/// kept window and those touched are read again (`narrowed`, the same query and limit narrowed to
/// them), which is the window whenever it cannot hold a row of any other contract: the kept window
/// held the whole list, or it comes out full and ends no later than the kept one did (its last row
/// one kept and not touched, or a kept row not touched left out of it). Otherwise the query is read
/// whole.
pub async fn fetch_window<T>(
    conn: &mut Conn,
    reads: &Reads<'_>,
    (sql, limit): (&Sql, usize),
    narrowed: impl Fn(&[i64]) -> Sql,
    holding: impl Fn(&[i64]) -> Sql,
) -> Result<Arc<Vec<T>>, sqlx::Error>
where
    T: ListRow + for<'r> FromRow<'r, AnyRow> + Clone + Send + Sync + Unpin + 'static,
{
    let (kept_rows, touched) = match since_kept::<T>(conn, reads, sql, "contract_id").await? {
        Since::Unknown => return fetch_all(conn, reads, sql).await,
        Since::Current(rows) => return Ok(rows),
        Since::Touched { rows, touched } if touched.is_empty() => {
            return Ok(keep_current(reads, sql, rows))
        }
        Since::Touched { rows, touched } => (rows, touched),
    };
    let touched_set: FxHashSet<i64> = touched.iter().copied().collect();
    let is_touched = |row: &&T| touched_set.contains(&row.contract());
    // Most writes touch contracts the list does not hold: the list's condition alone tells.
    let theirs = holding(&touched)
        .query_as::<(i64,)>()
        .fetch_all(&mut *conn)
        .await?;
    let left = kept_rows.iter().filter(is_touched).count();
    if theirs.is_empty() && left == 0 {
        return Ok(keep_current(reads, sql, kept_rows));
    }
    if theirs.is_empty() && kept_rows.len() < limit {
        let rows = kept_rows.iter().filter(|row| !is_touched(row)).cloned();
        return Ok(keep_current(reads, sql, Arc::new(rows.collect())));
    }
    let mut candidates: Vec<i64> = kept_rows.iter().map(T::contract).collect();
    candidates.extend(&touched);
    candidates.sort_unstable();
    candidates.dedup();
    let rows: Vec<T> = match candidates.is_empty() {
        true => Vec::new(),
        false => {
            narrowed(&candidates)
                .query_as()
                .fetch_all(&mut *conn)
                .await?
        }
    };
    let stood: FxHashSet<T::Key> = kept_rows
        .iter()
        .filter(|row| !is_touched(row))
        .map(T::key)
        .collect();
    let read: FxHashSet<T::Key> = rows.iter().map(T::key).collect();
    let ends_within = rows.last().is_some_and(|last| stood.contains(&last.key()))
        || stood.iter().any(|key| !read.contains(key));
    if kept_rows.len() < limit || (rows.len() == limit && ends_within) {
        Ok(keep_current(reads, sql, Arc::new(rows)))
    } else {
        fetch_all(conn, reads, sql).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_worked_out_are_taken_once_and_kept_within_their_budget() {
        let kept = KeptReads::new(["contracts"].map(String::from));
        let reads = Reads {
            kept: Some(&kept),
            versions: HashMap::new(),
            touched: Mutex::default(),
        };
        reads.keep_derived(1, "one".to_string(), MOST_DERIVED / 2);
        reads.keep_derived(2, "two".to_string(), MOST_DERIVED / 2);
        assert_eq!(reads.take_derived::<String>(1).as_deref(), Some("one"));
        assert_eq!(reads.take_derived::<String>(1), None, "taken once");
        assert_eq!(reads.take_derived::<u64>(2), None, "of another type");
        reads.keep_derived(3, 3u64, MOST_DERIVED + 1);
        assert_eq!(reads.take_derived::<u64>(3), None, "too large to keep");
        reads.keep_derived(4, 4u64, MOST_DERIVED / 2);
        reads.keep_derived(5, 5u64, MOST_DERIVED / 2 + 1);
        assert_eq!(
            reads.take_derived::<u64>(4),
            None,
            "the budget started again"
        );
        assert_eq!(reads.take_derived::<u64>(5), Some(5));
        assert_eq!(kept.derived.lock().unwrap().size, 0);
        Reads::none().keep_derived(6, 6u64, 1);
        assert_eq!(Reads::none().take_derived::<u64>(6), None);
    }

    #[test]
    fn a_query_reads_every_table_its_text_names() {
        let kept = KeptReads::new(["contracts", "vendors", "contract_standings"].map(String::from));
        let named = kept.named_in(
            "SELECT c.id FROM contracts c, vendors v JOIN (SELECT cs.contract_id FROM contract_standings cs) x
             ON x.contract_id = c.id WHERE c.vendor_id = v.id",
        );
        assert_eq!(&named[..], ["contract_standings", "contracts", "vendors"]);
        assert!(kept
            .named_in("SELECT x.vendor_id FROM audit_standings x")
            .is_empty());
    }
}
