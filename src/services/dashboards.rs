//! Report workbooks, judged from the data as of the request. A workbook reads every entry (pages read
//! each list's first `PAGE_ENTRIES` and every count), so workbooks are written one at a time and a
//! waiting export holds no judgement: each is tens of MB at prefecture scale.

use super::reports::{self, ReportKind, Window};
use crate::auth::Actor;
use crate::config::Settings;
use crate::db::contracts::Visibility;
use crate::db::Db;
use crate::error::AppResult;
use chrono::{NaiveDate, Utc};

/// Entries of each list a page shows.
pub const PAGE_ENTRIES: usize = 100;

pub struct Dashboards {
    exports: tokio::sync::Semaphore,
}

impl Default for Dashboards {
    fn default() -> Self {
        Dashboards {
            exports: tokio::sync::Semaphore::new(1),
        }
    }
}

impl Dashboards {
    /// A report workbook of every entry, stamped with the time its data was read.
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
        let read_at = Utc::now();
        let all = reports::dashboard(db, settings, visibility, as_of, Window::ALL).await?;
        let bytes = reports::workbook_of(std::sync::Arc::new(all), read_at, kind).await?;
        reports::log_export(db, actor, as_of, read_at, kind).await?;
        Ok(bytes)
    }
}
