//! The judged dashboard, kept per reader scope and day until the data changes (`db::kept`).
//!
//! Judging every visible contract reads the whole registry, which takes seconds at prefecture scale,
//! while the answer only changes when a record does. Pages take `recent`: at that scale they show the
//! previous judgement, with its time, while the next one is made (exports print that time on their
//! cover); a vendor's to-do list takes `get`.

use super::reports::{self, Dashboard};
use crate::config::Settings;
use crate::db::contracts::Visibility;
use crate::db::kept::{Kept, Served};
use crate::db::Db;
use crate::error::AppResult;
use chrono::NaiveDate;
use std::sync::Arc;

pub struct Dashboards {
    kept: Arc<Kept<(Visibility, NaiveDate), Arc<Dashboard>>>,
}

impl Default for Dashboards {
    fn default() -> Self {
        Dashboards {
            kept: Arc::new(Kept::new(16)),
        }
    }
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
        let judge = || async {
            reports::dashboard(db, settings, visibility, as_of)
                .await
                .map(Arc::new)
        };
        match visibility {
            // A vendor's own records are few and read by index; keeping them would push out the
            // large scopes this is for.
            Visibility::Vendor(_) => judge().await,
            _ => self.kept.get(db, (visibility.clone(), as_of), judge).await,
        }
    }

    /// The dashboard of `visibility` on `as_of`: judged from the data as it is now, or, while a slow
    /// judgement of newer data is under way, the previous one marked as such.
    pub async fn recent(
        &self,
        db: &Db,
        settings: &Settings,
        visibility: &Visibility,
        as_of: NaiveDate,
    ) -> AppResult<Served<Arc<Dashboard>>> {
        if let Visibility::Vendor(_) = visibility {
            let read_at = chrono::Utc::now();
            let value = self.get(db, settings, visibility, as_of).await?;
            return Ok(Served {
                value,
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
}
