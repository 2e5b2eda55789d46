//! The dashboard and report workbooks, judged from the data as of the request.
//!
//! A judgement at prefecture scale is hundreds of milliseconds of CPU (a workbook, which reads every
//! entry, seconds). Readers that ask for the same one at once share one computation, and a result is
//! served again only while the versions of the tables its report reads (`reports::tables_read`) stand
//! (`db::kept`): each is incremented by the writing transaction itself, and read before the data, so
//! a kept result is never older than what its reader has seen, and a check sheet uploaded leaves the
//! report of deletions kept. One judgement and one workbook are computed at a time; the others wait,
//! holding no judgement of their own.

use super::reports::{self, Dashboard, ReportKind, Window};
use crate::auth::Actor;
use crate::config::Settings;
use crate::db::contracts::Visibility;
use crate::db::kept::Kept;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, NaiveDate, Utc};
use std::sync::Arc;

/// Entries of each list a page shows.
pub const PAGE_ENTRIES: usize = 100;

type PageKey = (Visibility, NaiveDate, ReportKind, Window);
type WorkbookKey = (Visibility, NaiveDate, ReportKind);

pub struct Dashboards {
    pages: Kept<PageKey, Arc<Dashboard>>,
    workbooks: Kept<WorkbookKey, (DateTime<Utc>, Arc<Vec<u8>>)>,
}

impl Default for Dashboards {
    fn default() -> Self {
        Dashboards {
            pages: Kept::new(32),
            workbooks: Kept::new(8),
        }
    }
}

impl Dashboards {
    /// The dashboard of `visibility` on `as_of`, each list read in `window`, as of the request.
    pub async fn page(
        &self,
        db: &Db,
        settings: &Settings,
        visibility: &Visibility,
        as_of: NaiveDate,
        window: Window,
    ) -> AppResult<Arc<Dashboard>> {
        self.report(db, settings, visibility, as_of, ReportKind::All, window)
            .await
    }

    /// The report `kind` of `visibility` on `as_of` (only what it shows is judged), each list read in
    /// `window`, as of the request.
    pub async fn report(
        &self,
        db: &Db,
        settings: &Settings,
        visibility: &Visibility,
        as_of: NaiveDate,
        kind: ReportKind,
        window: Window,
    ) -> AppResult<Arc<Dashboard>> {
        // A vendor's own records are few and read by index; keeping them would push out the large
        // scopes this is for.
        if let Visibility::Vendor(_) = visibility {
            let judged = reports::dashboard(db, settings, visibility, as_of, kind, window).await?;
            return Ok(Arc::new(judged));
        }
        let key = (visibility.clone(), as_of, kind, window);
        self.pages
            .get(db, key, &reports::tables_read(kind), || async {
                let judged =
                    reports::dashboard(db, settings, visibility, as_of, kind, window).await?;
                Ok::<_, AppError>(Arc::new(judged))
            })
            .await
    }

    /// A report workbook of every entry, stamped with the time its data was read; the export is logged.
    pub async fn export(
        &self,
        db: &Db,
        settings: &Settings,
        actor: &Actor,
        visibility: &Visibility,
        as_of: NaiveDate,
        kind: ReportKind,
    ) -> AppResult<Arc<Vec<u8>>> {
        let key = (visibility.clone(), as_of, kind);
        let (read_at, bytes) = self
            .workbooks
            .get(db, key, &reports::tables_read(kind), || async {
                let read_at = Utc::now();
                let bytes =
                    reports::write_workbook(db, settings, visibility, as_of, kind, read_at).await?;
                Ok::<_, AppError>((read_at, Arc::new(bytes)))
            })
            .await?;
        reports::log_export(db, actor, as_of, read_at, kind).await?;
        Ok(bytes)
    }
}
