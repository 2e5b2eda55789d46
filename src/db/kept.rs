//! Results kept until the data changes.
//!
//! Every change appends to the audit log in the same transaction, so the newest audit-log id is the
//! version of the data: a kept result is served while that id is unchanged, on this server and on any
//! other sharing the database. Only one computation runs per key; concurrent readers wait for it
//! instead of starting their own.

use super::{audit, Db};
use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::sync::OnceCell;

struct Slot<V> {
    data_version: i64,
    used: Instant,
    value: Arc<OnceCell<V>>,
}

pub struct Kept<K, V> {
    capacity: usize,
    slots: Mutex<HashMap<K, Slot<V>>>,
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
        }
    }

    /// The value of `key` for the data as it is now: kept, or computed by `compute`.
    pub async fn get<E, F, Fut>(&self, db: &Db, key: K, compute: F) -> Result<V, E>
    where
        E: From<sqlx::Error>,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
    {
        // Read the version before the data: a change landing mid-computation then moves the version
        // past the one stored, and the next reader recomputes.
        let data_version = audit::newest_id(&mut *db.acquire().await?).await?;
        let cell = self.slot(key, data_version);
        cell.get_or_try_init(compute).await.cloned()
    }

    fn slot(&self, key: K, data_version: i64) -> Arc<OnceCell<V>> {
        let mut slots = self
            .slots
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let now = Instant::now();
        if let Some(slot) = slots.get_mut(&key) {
            if slot.data_version >= data_version {
                slot.used = now;
                return Arc::clone(&slot.value);
            }
        }
        if !slots.contains_key(&key) && slots.len() >= self.capacity {
            let oldest = slots
                .iter()
                .min_by_key(|(_, slot)| slot.used)
                .map(|(key, _)| key.clone());
            if let Some(oldest) = oldest {
                slots.remove(&oldest);
            }
        }
        let value = Arc::new(OnceCell::new());
        slots.insert(
            key,
            Slot {
                data_version,
                used: now,
                value: Arc::clone(&value),
            },
        );
        value
    }
}
