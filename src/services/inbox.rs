//! The work that comes to people: for staff who review, what waits for their review (check sheets,
//! audit reports, deletion certificates, certificates a vendor declared), what was returned and waits
//! for the vendor, and what is overdue; for everyone, unread notifications.

use super::reports::{Dashboard, Entry};
use crate::auth::{Role, User};
use crate::db::certifications::Certification;
use crate::db::contracts::RecordScope;
use crate::db::inbox::{self, WorkItem};
use crate::db::kept_reads::Reads;
use crate::db::notifications::{self, Notification};
use crate::db::Db;
use crate::domain::ids::NotificationId;
use crate::error::AppResult;
use serde::Serialize;

/// The numbers in the header.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    pub unread: i64,
    /// Records and certificates waiting for this user's review.
    pub waiting: i64,
}

/// Whether the user reviews what vendors hand in.
fn reviews(user: &User) -> bool {
    matches!(user.role, Role::Admin | Role::Officer)
}

pub async fn counts(db: &Db, user: &User) -> AppResult<Counts> {
    let mut conn = db.acquire().await?;
    let unread = notifications::unread_count(&mut conn, user.id).await?;
    drop(conn);
    let waiting = if reviews(user) {
        let visibility = user.contract_visibility();
        // Counted in a snapshot, so that the count kept between changes is read at its versions.
        let mut snapshot = db.begin_snapshot().await?;
        let reads = Reads::of(&mut snapshot, &db.reads).await?;
        let scope = RecordScope::Visible(&visibility);
        let records = inbox::count(&mut snapshot, &reads, scope, "submitted").await?;
        snapshot.rollback().await?;
        let certificates =
            super::certifications::awaiting_verification(db, &user.certificate_rights(), 100)
                .await?
                .len() as i64;
        records + certificates
    } else {
        0
    };
    Ok(Counts { unread, waiting })
}

/// An officer's (or administrator's) work list.
pub struct WorkList {
    /// Waiting for review, oldest first.
    pub to_review: Vec<WorkItem>,
    pub certificates: Vec<Certification>,
    /// Returned, waiting for the vendor.
    pub returned: Vec<WorkItem>,
    /// Overdue obligations of the user's contracts, the longest overdue first.
    pub overdue: Vec<Entry>,
}

pub async fn work_list(db: &Db, user: &User, dashboard: &Dashboard) -> AppResult<WorkList> {
    let visibility = user.contract_visibility();
    let scope = RecordScope::Visible(&visibility);
    let mut snapshot = db.begin_snapshot().await?;
    let reads = Reads::of(&mut snapshot, &db.reads).await?;
    let to_review = inbox::records(&mut snapshot, &reads, scope, "submitted", 200).await?;
    let returned = inbox::records(&mut snapshot, &reads, scope, "returned", 200).await?;
    snapshot.rollback().await?;
    let certificates =
        super::certifications::awaiting_verification(db, &user.certificate_rights(), 100).await?;
    let mut overdue: Vec<Entry> = dashboard
        .retention
        .violations
        .iter()
        .chain(&dashboard.audits.overdue)
        .chain(&dashboard.certifications.expired)
        .chain(&dashboard.checklists.missing)
        .filter(|e| e.days_overdue > 0)
        .cloned()
        .collect();
    overdue.sort_by(|a, b| {
        b.days_overdue
            .cmp(&a.days_overdue)
            .then_with(|| a.contract_number.cmp(&b.contract_number))
    });
    overdue.truncate(100);
    Ok(WorkList {
        to_review,
        certificates,
        returned,
        overdue,
    })
}

pub async fn notifications_of(db: &Db, user: &User) -> AppResult<Vec<Notification>> {
    Ok(notifications::for_user(&mut *db.acquire().await?, user.id, 200).await?)
}

/// Marks one notification (or all) read; answers how many changed.
pub async fn mark_read(db: &Db, user: &User, id: Option<NotificationId>) -> AppResult<u64> {
    Ok(notifications::mark_read(&mut *db.acquire().await?, user.id, id).await?)
}
