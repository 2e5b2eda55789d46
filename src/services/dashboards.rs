//! The judged dashboard, kept per reader scope and day until the data changes.
//!
//! Judging every visible contract reads the whole registry, which takes seconds at prefecture scale,
//! while the answer only changes when a record does. Every change appends to the audit log in the same
//! transaction, so the newest audit-log id is the version of the data: a cached dashboard is served
//! while that id is unchanged, on this server and on any other sharing the database. Only one
//! computation runs per scope and day; concurrent readers wait for it instead of starting their own.

use super::reports::{self, Dashboard};
use crate::config::Settings;
use crate::db::contracts::Visibility;
use crate::db::{audit, Db};
use crate::error::AppResult;
use chrono::NaiveDate;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::sync::OnceCell;

/// How many scope-and-day results are kept; the least recently used one goes first.
const CAPACITY: usize = 16;

type Key = (Visibility, NaiveDate);

struct Slot {
    data_version: i64,
    used: Instant,
    dashboard: Arc<OnceCell<Arc<Dashboard>>>,
}

#[derive(Default)]
pub struct Dashboards {
    slots: Mutex<HashMap<Key, Slot>>,
}

impl Dashboards {
    /// The dashboard of `visibility` on `as_of`, judged from the data as it is now.
    pub async fn get(
        &self,
        db: &Db,
        settings: &Settings,
        visibility: &Visibility,
        as_of: NaiveDate,
    ) -> AppResult<Arc<Dashboard>> {
        if let Visibility::Vendor(_) = visibility {
            // A vendor's own records are few and read by index; keeping them would push out the
            // large scopes the cache is for.
            return Ok(Arc::new(
                reports::dashboard(db, settings, visibility, as_of).await?,
            ));
        }
        // Read the version before the data: a change landing mid-computation then moves the version
        // past the one stored, and the next reader recomputes.
        let data_version = audit::newest_id(&mut *db.acquire().await?).await?;
        let cell = self.slot((visibility.clone(), as_of), data_version);
        let dashboard = cell
            .get_or_try_init(|| async {
                reports::dashboard(db, settings, visibility, as_of)
                    .await
                    .map(Arc::new)
            })
            .await?;
        Ok(Arc::clone(dashboard))
    }

    fn slot(&self, key: Key, data_version: i64) -> Arc<OnceCell<Arc<Dashboard>>> {
        let mut slots = self
            .slots
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let now = Instant::now();
        if let Some(slot) = slots.get_mut(&key) {
            if slot.data_version >= data_version {
                slot.used = now;
                return Arc::clone(&slot.dashboard);
            }
        }
        if !slots.contains_key(&key) && slots.len() >= CAPACITY {
            let oldest = slots
                .iter()
                .min_by_key(|(_, slot)| slot.used)
                .map(|(key, _)| key.clone());
            if let Some(oldest) = oldest {
                slots.remove(&oldest);
            }
        }
        let dashboard = Arc::new(OnceCell::new());
        slots.insert(
            key,
            Slot {
                data_version,
                used: now,
                dashboard: Arc::clone(&dashboard),
            },
        );
        dashboard
    }
}
