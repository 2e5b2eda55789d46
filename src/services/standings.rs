//! `itaku rejudge`: rebuilds every contract's standings from its records and compares them with the
//! ones kept write by write; with `repair`, replaces the kept ones by the rebuilt ones.

use super::audit::{self, Event};
use crate::auth::Actor;
use crate::db::{standings, Db};
use crate::error::AppResult;
use serde::Serialize;

/// Differences listed by `rejudge`; the count is always whole.
const LISTED: usize = 20;

#[derive(Debug, Clone, Serialize)]
pub struct Rejudged {
    pub contracts: usize,
    /// Contracts whose kept standings differ from the rebuilt ones (0 for contracts no longer there).
    pub differing: usize,
    /// The first few of them, with both versions.
    pub examples: Vec<String>,
    /// Whether the kept standings were replaced by the rebuilt ones.
    pub repaired: bool,
}

impl Rejudged {
    pub fn agrees(&self) -> bool {
        self.differing == 0
    }
}

/// Compares the kept standings with those the records make, in one snapshot of the data; with
/// `repair` and a difference, rebuilds them all in one transaction and logs it.
pub async fn rejudge(db: &Db, repair: bool) -> AppResult<Rejudged> {
    let mut snapshot = db.begin_snapshot().await?;
    let (contracts, differences) = standings::differences(&mut snapshot).await?;
    snapshot.rollback().await?;
    let mut rejudged = Rejudged {
        contracts,
        differing: differences.len(),
        examples: differences
            .iter()
            .take(LISTED)
            .map(|d| {
                format!(
                    "契約ID {}: 保持 {:?} / 再判定 {:?}",
                    d.contract_id.get(),
                    d.kept,
                    d.derived
                )
            })
            .collect(),
        repaired: false,
    };
    if repair && !rejudged.agrees() {
        let mut tx = db.begin().await?;
        standings::rebuild(&mut tx).await?;
        let summary = format!(
            "判定の再構築（{}件の契約のうち{}件が記録と不一致）",
            contracts, rejudged.differing
        );
        audit::record(
            &mut tx,
            &Actor::system("rejudge"),
            Event::new("rebuild", "standings", "", summary),
        )
        .await?;
        tx.commit().await?;
        rejudged.repaired = true;
    }
    Ok(rejudged)
}
