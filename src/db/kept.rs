//! Results kept until the data changes.
//!
//! Every change appends to the audit log in the same transaction, which moves the data version
//! (`audit::data_version`): a kept result is served while the version is unchanged, on this server
//! and on any other sharing the database. A fixed number of computations run at a time across keys (one unless
//! asked), and a reader that waited for its turn takes any result at least as new as the version it
//! read, so a stream of changes cannot pile up computations: memory and connections stay bounded.
//!
//! `recent` is for pages that would rather show a value a few seconds old, marked as such, than
//! make every reader wait seconds after each change: a slow key's previous value is served while
//! its next one is computed behind it.

use super::{audit, Db};
use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// A computation quicker than this is waited for; a slower key's previous value is served instead.
const WORTH_WAITING: Duration = Duration::from_millis(500);

struct Slot<V> {
    data_version: i64,
    used: Instant,
    took: Duration,
    finished: Instant,
    read_at: DateTime<Utc>,
    value: V,
}

/// A kept value and how it stands against the data as it is now.
#[derive(Debug, Clone)]
pub struct Served<V> {
    pub value: V,
    /// When the data it was computed from was read.
    pub read_at: DateTime<Utc>,
    /// False when the data has changed since and the newer value is still being computed.
    pub current: bool,
}

pub struct Kept<K, V> {
    capacity: usize,
    slots: Mutex<HashMap<K, Slot<V>>>,
    computing: Semaphore,
    refreshing: Mutex<HashSet<K>>,
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
            refreshing: Mutex::new(HashSet::new()),
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
        if let Some(served) = self.kept(&key, wanted) {
            return Ok(served.value);
        }
        Ok(self.compute_at_least(db, key, wanted, compute).await?.value)
    }

    /// Computes `key` unless a computation this one waited for already read data as new as `wanted`.
    async fn compute_at_least<E, F, Fut>(
        &self,
        db: &Db,
        key: K,
        wanted: i64,
        compute: F,
    ) -> Result<Served<V>, E>
    where
        E: From<sqlx::Error>,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
    {
        let _turn = self
            .computing
            .acquire()
            .await
            .expect("the semaphore is never closed");
        if let Some(served) = self.kept(&key, wanted) {
            return Ok(served);
        }
        // Read the version before the data: a change landing mid-computation then moves the version
        // past the one stored, and the next reader recomputes.
        let data_version = audit::data_version(&mut *db.acquire().await?).await?;
        let read_at = Utc::now();
        let started = Instant::now();
        let value = compute().await?;
        self.keep(key, data_version, read_at, started.elapsed(), value.clone());
        Ok(Served {
            value,
            read_at,
            current: true,
        })
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<K, Slot<V>>> {
        self.slots
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn refreshing(&self) -> MutexGuard<'_, HashSet<K>> {
        self.refreshing
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn kept(&self, key: &K, wanted: i64) -> Option<Served<V>> {
        let mut slots = self.lock();
        let slot = slots
            .get_mut(key)
            .filter(|slot| slot.data_version >= wanted)?;
        slot.used = Instant::now();
        Some(Served {
            value: slot.value.clone(),
            read_at: slot.read_at,
            current: true,
        })
    }

    /// The previous value of a key whose computation is slow enough not to wait for, and whether the
    /// next computation is due: at most one per the last one's duration, so that under a stream of
    /// changes recomputing takes at most half of one core's time.
    fn previous_of_slow(&self, key: &K) -> Option<(Served<V>, bool)> {
        let mut slots = self.lock();
        let slot = slots
            .get_mut(key)
            .filter(|slot| slot.took >= WORTH_WAITING)?;
        slot.used = Instant::now();
        let due = slot.finished.elapsed() >= slot.took;
        let previous = Served {
            value: slot.value.clone(),
            read_at: slot.read_at,
            current: false,
        };
        Some((previous, due))
    }

    fn keep(&self, key: K, data_version: i64, read_at: DateTime<Utc>, took: Duration, value: V) {
        let mut slots = self.lock();
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
                took,
                finished: Instant::now(),
                read_at,
                value,
            },
        );
    }
}

impl<K, V> Kept<K, V>
where
    K: Eq + Hash + Clone + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    /// Like `get`, except that when the data has changed and `key` took long to compute last time,
    /// the previous value is served at once (marked not current) while the new one is computed in
    /// the background; readers in the meantime get the same previous value without starting another.
    /// A recomputation starts only once as long as the last one took has passed since it ended.
    pub async fn recent<E, F, Fut>(
        self: &Arc<Self>,
        db: &Db,
        key: K,
        compute: F,
    ) -> Result<Served<V>, E>
    where
        E: From<sqlx::Error> + std::fmt::Display + Send + 'static,
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<V, E>> + Send + 'static,
    {
        let wanted = audit::data_version(&mut *db.acquire().await?).await?;
        if let Some(served) = self.kept(&key, wanted) {
            return Ok(served);
        }
        let Some((previous, due)) = self.previous_of_slow(&key) else {
            return self.compute_at_least(db, key, wanted, compute).await;
        };
        if due && self.refreshing().insert(key.clone()) {
            let kept = Arc::clone(self);
            let db = db.clone();
            tokio::spawn(async move {
                let outcome = kept
                    .compute_at_least(&db, key.clone(), wanted, compute)
                    .await;
                kept.refreshing().remove(&key);
                if let Err(error) = outcome {
                    log::warn!("could not recompute a kept value in the background: {error}");
                }
            });
        }
        Ok(previous)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    async fn change(db: &Db) {
        sqlx::query("UPDATE audit_chain_head SET data_version = data_version + 1 WHERE id = 1")
            .execute(&mut *db.acquire().await.unwrap())
            .await
            .unwrap();
    }

    /// A computation that takes `took` and answers how many computations have run, this one included.
    fn counting(
        runs: &Arc<AtomicUsize>,
        took: Duration,
    ) -> impl FnOnce() -> std::pin::Pin<Box<dyn Future<Output = Result<usize, sqlx::Error>> + Send>>
           + Send
           + 'static {
        let runs = Arc::clone(runs);
        move || {
            Box::pin(async move {
                tokio::time::sleep(took).await;
                Ok(runs.fetch_add(1, Ordering::SeqCst) + 1)
            })
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_quick_value_is_waited_for_after_a_change() {
        let db = Db::connect("sqlite::memory:", 1).await.unwrap();
        let kept = Arc::new(Kept::new(4));
        let runs = Arc::new(AtomicUsize::new(0));
        let quick = Duration::from_millis(1);
        let first = kept.recent(&db, "k", counting(&runs, quick)).await.unwrap();
        assert_eq!((first.value, first.current), (1, true));
        let again = kept.recent(&db, "k", counting(&runs, quick)).await.unwrap();
        assert_eq!(
            (again.value, again.current),
            (1, true),
            "kept, not recomputed"
        );
        change(&db).await;
        let after = kept.recent(&db, "k", counting(&runs, quick)).await.unwrap();
        assert_eq!((after.value, after.current), (2, true));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_slow_value_is_served_from_before_while_one_recomputation_runs() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&format!("sqlite://{}/kept.db", dir.path().display()), 2)
            .await
            .unwrap();
        let kept = Arc::new(Kept::new(4));
        let runs = Arc::new(AtomicUsize::new(0));
        let slow = WORTH_WAITING + Duration::from_millis(200);
        let first = kept.recent(&db, "k", counting(&runs, slow)).await.unwrap();
        assert_eq!(
            (first.value, first.current),
            (1, true),
            "nothing to serve yet"
        );
        change(&db).await;
        let soon = kept.recent(&db, "k", counting(&runs, slow)).await.unwrap();
        assert_eq!((soon.value, soon.current), (1, false));
        tokio::time::sleep(slow + Duration::from_millis(100)).await;
        assert_eq!(
            runs.load(Ordering::SeqCst),
            1,
            "no recomputation sooner than the last one took"
        );
        let started = Instant::now();
        for _ in 0..5 {
            let meanwhile = kept.recent(&db, "k", counting(&runs, slow)).await.unwrap();
            assert_eq!((meanwhile.value, meanwhile.current), (1, false));
            assert_eq!(meanwhile.read_at, first.read_at);
        }
        assert!(started.elapsed() < WORTH_WAITING, "served without waiting");
        // The readers above started one background computation between them.
        let now = audit::data_version(&mut db.acquire().await.unwrap())
            .await
            .unwrap();
        let fresh = kept
            .get_at(&db, "k", now, counting(&runs, slow))
            .await
            .unwrap();
        assert_eq!(fresh, 2);
        assert_eq!(runs.load(Ordering::SeqCst), 2);
        let now = kept.recent(&db, "k", counting(&runs, slow)).await.unwrap();
        assert_eq!((now.value, now.current), (2, true));
        assert!(now.read_at > first.read_at);
    }
}
