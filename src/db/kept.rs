//! Results kept until the data they read changes.
//!
//! Every change appends to the audit log in the same transaction, which increments the data version
//! (`audit::data_version`) on the row it holds locked until it commits, and the versions of the tables
//! it wrote (`table_versions`, migration 0037): a value computed after reading version N includes
//! every change up to N, and is served to a reader who read N or older, on this server and on any
//! other sharing the database. A value whose tables are named is stamped with their versions instead,
//! and stands across writes to other tables. A fixed number of computations run at a time across
//! keys (one unless asked), and a reader that waited for its turn takes any result at least as new as
//! the version it read, so a stream of changes cannot pile up computations: memory and connections
//! stay bounded. Nothing older than the reader's own version is ever served.

use super::{audit, locked, Db, Sql};
use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::Instant;
use tokio::sync::Semaphore;

struct Slot<V> {
    stamp: Stamp,
    used: Instant,
    value: V,
}

/// What a kept value was computed from: the data version, or the sum of the versions of the tables
/// it reads (`table_versions`, each moved by the writing transaction itself). Every version only
/// grows, so a sum read later is never smaller, and equal only when none of those tables moved: a
/// value then stands across writes to other tables (a report of deletions across check sheets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stamp {
    Data(i64),
    Tables(i64),
}

impl Stamp {
    /// The stamp of the data now: by `tables` when each has a version, else by the data version;
    /// none while one of them is marked changed and not yet versioned (its result is not kept).
    async fn now(db: &Db, tables: &[&str]) -> Result<Option<Stamp>, sqlx::Error> {
        let mut conn = db.acquire().await?;
        if !tables.is_empty() {
            let mut sql = Sql::new(
                "SELECT CAST(COUNT(*) AS BIGINT), CAST(COUNT(c.name) AS BIGINT),
                        CAST(COALESCE(SUM(v.version), 0) AS BIGINT)
                 FROM table_versions v LEFT JOIN table_changes c ON c.name = v.name
                 WHERE 1 = 1",
            );
            sql.and_in("v.name", tables);
            let (versioned, marked, sum): (i64, i64, i64) =
                sql.query_as().fetch_one(&mut *conn).await?;
            if marked > 0 {
                return Ok(None);
            }
            if versioned == tables.len() as i64 {
                return Ok(Some(Stamp::Tables(sum)));
            }
        }
        Ok(Some(Stamp::Data(audit::data_version(&mut conn).await?)))
    }

    /// Whether a value of this stamp is at least as new as `wanted`.
    fn covers(self, wanted: Stamp) -> bool {
        match (self, wanted) {
            (Stamp::Data(kept), Stamp::Data(wanted))
            | (Stamp::Tables(kept), Stamp::Tables(wanted)) => kept >= wanted,
            _ => false,
        }
    }
}

pub struct Kept<K, V> {
    capacity: usize,
    slots: Mutex<HashMap<K, Slot<V>>>,
    computing: Semaphore,
}

impl<K, V> std::fmt::Debug for Kept<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kept")
            .field("capacity", &self.capacity)
            .finish_non_exhaustive()
    }
}

impl<K: Eq + Hash + Clone, V: Clone> Kept<K, V> {
    /// Keeps up to `capacity` keys; the least recently used one goes first. One computation runs at
    /// a time: for values whose computation is large in memory.
    pub fn new(capacity: usize) -> Self {
        Self::computing_at_once(capacity, 1)
    }

    /// Like `new`, with up to `computations` running at once: for values cheap in memory, where a
    /// quick one should not wait behind a slow one of another key.
    pub fn computing_at_once(capacity: usize, computations: usize) -> Self {
        Kept {
            capacity,
            slots: Mutex::new(HashMap::new()),
            computing: Semaphore::new(computations),
        }
    }

    /// The value of `key` for the data as of now: kept, or computed by `compute`. `reads` names every
    /// table `compute` reads (none: unknown): the value is kept while they stand, else while no
    /// write at all lands.
    pub async fn get<E, F, Fut>(&self, db: &Db, key: K, reads: &[&str], compute: F) -> Result<V, E>
    where
        E: From<sqlx::Error>,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
    {
        let wanted = Stamp::now(db, reads).await?;
        if let Some(value) = wanted.and_then(|wanted| self.kept(&key, wanted)) {
            return Ok(value);
        }
        let _turn = self
            .computing
            .acquire()
            .await
            .expect("the semaphore is never closed");
        if let Some(value) = wanted.and_then(|wanted| self.kept(&key, wanted)) {
            return Ok(value);
        }
        // Read the versions before the data: a change landing mid-computation then moves them past
        // those stored, and the next reader recomputes.
        let stamp = Stamp::now(db, reads).await?;
        let value = compute().await?;
        if let Some(stamp) = stamp {
            self.keep(key, stamp, value.clone());
        }
        Ok(value)
    }

    fn kept(&self, key: &K, wanted: Stamp) -> Option<V> {
        let mut slots = locked(&self.slots);
        let slot = slots
            .get_mut(key)
            .filter(|slot| slot.stamp.covers(wanted))?;
        slot.used = Instant::now();
        Some(slot.value.clone())
    }

    fn keep(&self, key: K, stamp: Stamp, value: V) {
        let mut slots = locked(&self.slots);
        if !slots.contains_key(&key) && slots.len() >= self.capacity {
            let oldest = slots
                .iter()
                .min_by_key(|(_, slot)| slot.used)
                .map(|(key, _)| key.clone());
            if let Some(oldest) = oldest {
                slots.remove(&oldest);
            }
        }
        slots.insert(
            key,
            Slot {
                stamp,
                used: Instant::now(),
                value,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    async fn run(db: &Db, statement: &str) {
        sqlx::query(statement)
            .execute(&mut *db.acquire().await.unwrap())
            .await
            .unwrap();
    }

    /// A write to `table` as an audited write commits it: its version and the data version move.
    async fn write(db: &Db, table: &str) {
        run(
            db,
            &format!("UPDATE table_versions SET version = version + 1 WHERE name = '{table}'"),
        )
        .await;
        run(
            db,
            "UPDATE audit_chain_head SET data_version = data_version + 1 WHERE id = 1",
        )
        .await;
    }

    /// Each call counts one computation.
    fn counter() -> impl Fn() -> std::future::Ready<Result<usize, sqlx::Error>> {
        let runs = Arc::new(AtomicUsize::new(0));
        move || std::future::ready(Ok(runs.fetch_add(1, Ordering::SeqCst) + 1))
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_value_is_kept_while_the_version_stands_and_computed_again_after_a_change() {
        let db = Db::connect("sqlite::memory:", 1).await.unwrap();
        let kept: Kept<&str, usize> = Kept::new(4);
        let count = counter();
        let first = kept.get(&db, "k", &[], &count).await.unwrap();
        let again = kept.get(&db, "k", &[], &count).await.unwrap();
        assert_eq!((first, again), (1, 1));
        write(&db, "checklist_standings").await;
        let after = kept.get(&db, "k", &[], &count).await.unwrap();
        assert_eq!(
            after, 2,
            "a reader of the newer version never gets the older value"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_value_of_named_tables_stands_across_writes_to_others_and_no_longer() {
        let db = Db::connect("sqlite::memory:", 1).await.unwrap();
        let kept: Kept<&str, usize> = Kept::new(4);
        let count = counter();
        let reads = ["contracts", "vendors"];
        let get = || kept.get(&db, "k", &reads, &count);
        assert_eq!(get().await.unwrap(), 1);
        write(&db, "checklist_standings").await;
        assert_eq!(
            get().await.unwrap(),
            1,
            "a write to another table leaves it standing"
        );
        write(&db, "vendors").await;
        assert_eq!(get().await.unwrap(), 2, "a write to a table it reads");
        run(&db, "INSERT INTO table_changes (name) VALUES ('contracts')").await;
        assert_eq!(
            get().await.unwrap(),
            3,
            "a table written and not yet versioned"
        );
        assert_eq!(get().await.unwrap(), 4, "… is read afresh each time");
        run(&db, "DELETE FROM table_changes").await;
        write(&db, "contracts").await;
        assert_eq!(get().await.unwrap(), 5);
        assert_eq!(get().await.unwrap(), 5);
        // A table without a version: the value stands only while no write at all lands.
        let unversioned = ["contracts", "incidents"];
        let get = || kept.get(&db, "u", &unversioned, &count);
        assert_eq!(get().await.unwrap(), 6);
        assert_eq!(get().await.unwrap(), 6);
        write(&db, "checklist_standings").await;
        assert_eq!(get().await.unwrap(), 7);
    }
}
