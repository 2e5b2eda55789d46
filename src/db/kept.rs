//! Results kept until the data changes.
//!
//! Every change appends to the audit log in the same transaction, which increments the data version
//! (`audit::data_version`) on the row it holds locked until it commits: a value computed after reading
//! version N includes every change up to N, and is served to a reader who read N or older, on this
//! server and on any other sharing the database. A fixed number of computations run at a time across
//! keys (one unless asked), and a reader that waited for its turn takes any result at least as new as
//! the version it read, so a stream of changes cannot pile up computations: memory and connections
//! stay bounded. Nothing older than the reader's own version is ever served.

use super::{audit, locked, Db};
use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::Instant;
use tokio::sync::Semaphore;

struct Slot<V> {
    data_version: i64,
    used: Instant,
    value: V,
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

    /// The value of `key` for the data at version `wanted` or newer, which the reader has read
    /// itself (`audit::data_version`): kept, or computed by `compute`.
    pub async fn get_at<E, F, Fut>(&self, db: &Db, key: K, wanted: i64, compute: F) -> Result<V, E>
    where
        E: From<sqlx::Error>,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
    {
        if let Some(value) = self.kept(&key, wanted) {
            return Ok(value);
        }
        let _turn = self
            .computing
            .acquire()
            .await
            .expect("the semaphore is never closed");
        if let Some(value) = self.kept(&key, wanted) {
            return Ok(value);
        }
        // Read the version before the data: a change landing mid-computation then moves the version
        // past the one stored, and the next reader recomputes.
        let data_version = audit::data_version(&mut *db.acquire().await?).await?;
        let value = compute().await?;
        self.keep(key, data_version, value.clone());
        Ok(value)
    }

    fn kept(&self, key: &K, wanted: i64) -> Option<V> {
        let mut slots = locked(&self.slots);
        let slot = slots
            .get_mut(key)
            .filter(|slot| slot.data_version >= wanted)?;
        slot.used = Instant::now();
        Some(slot.value.clone())
    }

    fn keep(&self, key: K, data_version: i64, value: V) {
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
                data_version,
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

    async fn change(db: &Db) {
        sqlx::query("UPDATE audit_chain_head SET data_version = data_version + 1 WHERE id = 1")
            .execute(&mut *db.acquire().await.unwrap())
            .await
            .unwrap();
    }

    async fn version(db: &Db) -> i64 {
        audit::data_version(&mut db.acquire().await.unwrap())
            .await
            .unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_value_is_kept_while_the_version_stands_and_computed_again_after_a_change() {
        let db = Db::connect("sqlite::memory:", 1).await.unwrap();
        let kept: Kept<&str, usize> = Kept::new(4);
        let runs = Arc::new(AtomicUsize::new(0));
        let count = || async { Ok::<_, sqlx::Error>(runs.fetch_add(1, Ordering::SeqCst) + 1) };
        let first = kept
            .get_at(&db, "k", version(&db).await, count)
            .await
            .unwrap();
        let again = kept
            .get_at(&db, "k", version(&db).await, count)
            .await
            .unwrap();
        assert_eq!((first, again), (1, 1));
        change(&db).await;
        let after = kept
            .get_at(&db, "k", version(&db).await, count)
            .await
            .unwrap();
        assert_eq!(
            after, 2,
            "a reader of the newer version never gets the older value"
        );
    }
}
