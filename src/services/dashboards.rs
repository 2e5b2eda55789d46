//! The dashboard as pages and report workbooks show it, judged from the data as of the request.
//!
//! Pages read each list's first entries and every count (a few indexed queries at any scale); a
//! workbook reads every entry, so workbooks are written one at a time and a waiting export holds no
//! judgement: each is tens of MB at prefecture scale.

use super::reports::{self, Dashboard, ReportKind, Window};
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
    /// The dashboard of `visibility` on `as_of` with each list read in `window`.
    pub async fn judge(
        &self,
        db: &Db,
        settings: &Settings,
        visibility: &Visibility,
        as_of: NaiveDate,
        window: Window,
    ) -> AppResult<Dashboard> {
        reports::dashboard(db, settings, visibility, as_of, window).await
    }

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
