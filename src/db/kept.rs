//! Results kept until the data changes.
//!
//! Every change appends to the audit log in the same transaction, so the newest audit-log id is the
//! version of the data: a kept result is served while that id is unchanged, on this server and on any
//! other sharing the database. Only one computation runs at a time (across keys), and a reader that
//! waited for it takes any result at least as new as the version it read, so a stream of changes
//! cannot pile up computations: memory and connections stay those of one computation.

use super::{audit, Db};
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
    /// Keeps up to `capacity` keys; the least recently used one goes first.
    pub fn new(capacity: usize) -> Self {
        Kept {
            capacity,
            slots: Mutex::new(HashMap::new()),
            computing: Semaphore::new(1),
        }
    }

    /// The value of `key` for the data as it is now: kept, or computed by `compute`.
    pub async fn get<E, F, Fut>(&self, db: &Db, key: K, compute: F) -> Result<V, E>
    where
        E: From<sqlx::Error>,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
    {
        let wanted = audit::newest_id(&mut *db.acquire().await?).await?;
        if let Some(value) = self.kept(&key, wanted) {
            return Ok(value);
        }
        let _turn = self
            .computing
            .acquire()
            .await
            .expect("the semaphore is never closed");
        // The computation this reader waited for may have read data at least as new as it wants.
        if let Some(value) = self.kept(&key, wanted) {
            return Ok(value);
        }
        // Read the version before the data: a change landing mid-computation then moves the version
        // past the one stored, and the next reader recomputes.
        let data_version = audit::newest_id(&mut *db.acquire().await?).await?;
        let value = compute().await?;
        self.keep(key, data_version, value.clone());
        Ok(value)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, Slot<V>>> {
        self.slots
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn kept(&self, key: &K, wanted: i64) -> Option<V> {
        let mut slots = self.lock();
        let slot = slots
            .get_mut(key)
            .filter(|slot| slot.data_version >= wanted)?;
        slot.used = Instant::now();
        Some(slot.value.clone())
    }

    fn keep(&self, key: K, data_version: i64, value: V) {
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
                value,
            },
        );
    }
}
