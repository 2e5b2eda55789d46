//! The judged dashboard, kept per reader scope and day until the data changes (`db::kept`).
//!
//! Judging every visible contract reads the whole registry, which takes seconds at prefecture scale,
//! while the answer only changes when a record does.

use super::reports::{self, Dashboard};
use crate::config::Settings;
use crate::db::contracts::Visibility;
use crate::db::kept::Kept;
use crate::db::Db;
use crate::error::AppResult;
use chrono::NaiveDate;
use std::sync::Arc;

pub struct Dashboards {
    kept: Kept<(Visibility, NaiveDate), Arc<Dashboard>>,
}

impl Default for Dashboards {
    fn default() -> Self {
        Dashboards {
            kept: Kept::new(16),
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
}
