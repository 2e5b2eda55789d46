//! The judged dashboard, kept per reader scope and day until the data changes (`db::kept`).
//!
//! Judging every visible contract reads the whole registry, which takes seconds at prefecture scale,
//! while the answer only changes when a record does. Pages take `recent`: at that scale they show the
//! previous judgement, with its time, while the next one is made (exports print that time on their
//! cover).

use super::reports::{self, Dashboard, ReportKind};
use crate::auth::Actor;
use crate::config::Settings;
use crate::db::contracts::Visibility;
use crate::db::kept::{Kept, Served};
use crate::db::Db;
use crate::error::AppResult;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub struct Dashboards {
    kept: Arc<Kept<(Visibility, NaiveDate), Arc<Dashboard>>>,
    /// Report workbooks are written one at a time, and a waiting export holds no judgement: each
    /// takes seconds of CPU at prefecture scale, and each judgement it held would be memory.
    exports: tokio::sync::Semaphore,
    /// The last workbooks written, by scope, day and report, with the judgement they show: while the
    /// judgement stands, another export of it is the same file.
    workbooks: Mutex<Workbooks>,
}

type WorkbookKey = (Visibility, NaiveDate, ReportKind);
type Workbooks = HashMap<WorkbookKey, (DateTime<Utc>, Vec<u8>)>;

/// Enough for every report of a few scopes; each is a few MB at prefecture scale.
const WORKBOOKS_KEPT: usize = 8;

impl Default for Dashboards {
    fn default() -> Self {
        Dashboards {
            kept: Arc::new(Kept::new(16)),
            exports: tokio::sync::Semaphore::new(1),
            workbooks: Mutex::new(HashMap::new()),
        }
    }
}

impl Dashboards {
    /// The dashboard of `visibility` on `as_of`: judged from the data as it is now, or, while a slow
    /// judgement of newer data is under way, the previous one marked as such.
    pub async fn recent(
        &self,
        db: &Db,
        settings: &Settings,
        visibility: &Visibility,
        as_of: NaiveDate,
    ) -> AppResult<Served<Arc<Dashboard>>> {
        // A vendor's own records are few and read by index; keeping them would push out the large
        // scopes this is for.
        if let Visibility::Vendor(_) = visibility {
            let read_at = Utc::now();
            let value = reports::dashboard(db, settings, visibility, as_of).await?;
            return Ok(Served {
                value: Arc::new(value),
                read_at,
                current: true,
            });
        }
        let (db_owned, settings, scope) = (db.clone(), settings.clone(), visibility.clone());
        let judge = move || async move {
            reports::dashboard(&db_owned, &settings, &scope, as_of)
                .await
                .map(Arc::new)
        };
        self.kept
            .recent(db, (visibility.clone(), as_of), judge)
            .await
    }

    /// A report workbook of the recent judgement, stamped with the time its data was read.
    pub async fn export(
        &self,
        db: &Db,
        settings: &Settings,
        actor: &Actor,
        visibility: &Visibility,
        as_of: NaiveDate,
        kind: ReportKind,
    ) -> AppResult<Vec<u8>> {
        let _turn = self
            .exports
            .acquire()
            .await
            .expect("the semaphore is never closed");
        let served = self.recent(db, settings, visibility, as_of).await?;
        let key = (visibility.clone(), as_of, kind);
        let bytes = match self.kept_workbook(&key, served.read_at) {
            Some(bytes) => bytes,
            None => {
                let bytes = reports::workbook_of(served.value, served.read_at, kind).await?;
                self.keep_workbook(key, served.read_at, bytes.clone());
                bytes
            }
        };
        reports::log_export(db, actor, as_of, served.read_at, kind).await?;
        Ok(bytes)
    }

    fn workbooks(&self) -> std::sync::MutexGuard<'_, Workbooks> {
        self.workbooks
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn kept_workbook(&self, key: &WorkbookKey, judged_at: DateTime<Utc>) -> Option<Vec<u8>> {
        self.workbooks()
            .get(key)
            .filter(|(at, _)| *at == judged_at)
            .map(|(_, bytes)| bytes.clone())
    }

    fn keep_workbook(&self, key: WorkbookKey, judged_at: DateTime<Utc>, bytes: Vec<u8>) {
        let mut workbooks = self.workbooks();
        if !workbooks.contains_key(&key) && workbooks.len() >= WORKBOOKS_KEPT {
            let oldest = workbooks
                .iter()
                .min_by_key(|(_, (at, _))| *at)
                .map(|(key, _)| key.clone());
            if let Some(oldest) = oldest {
                workbooks.remove(&oldest);
            }
        }
        workbooks.insert(key, (judged_at, bytes));
    }
}
