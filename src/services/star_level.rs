//! The ★ level a contract requires (METI's supply-chain scheme: ★4 when any of three conditions
//! holds, else ★3) against the best valid, verified METI certificate of its vendor.

use super::audit::{self, Event};
use super::input::flag;
use crate::auth::Actor;
use crate::db::contracts::{self, Visibility};
use crate::db::{certifications, star_conditions, Conn, Db};
use crate::domain::certification::{Level, Scheme};
use crate::domain::ids::{ContractId, VendorId};
use crate::domain::star::{falls_short, meti_rank, StarConditions};
use crate::error::{AppError, AppResult};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The conditions as the officer's form (checkboxes) or the API (booleans) send them.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct StarInput {
    #[serde(deserialize_with = "flag")]
    pub sensitive_data: bool,
    #[serde(deserialize_with = "flag")]
    pub outage_critical: bool,
    #[serde(deserialize_with = "flag")]
    pub reaches_internal: bool,
}

/// Where a contract stands: its conditions (when recorded), the level they require, the vendor's.
#[derive(Debug, Clone, Default, Serialize)]
pub struct StarStanding {
    pub conditions: Option<StarConditions>,
    /// `★4`, when the conditions are recorded.
    pub required: Option<&'static str>,
    /// The vendor's best METI level valid and verified on the day, `★3` … `★5`.
    pub held: Option<&'static str>,
    /// The vendor falls short of the required level.
    pub shortfall: bool,
}

/// The vendor's best METI level valid and verified on `day`.
pub async fn held_by(
    conn: &mut Conn,
    vendor_id: VendorId,
    day: NaiveDate,
) -> AppResult<Option<Level>> {
    Ok(certifications::for_vendor(conn, vendor_id)
        .await?
        .into_iter()
        .filter(|c| c.scheme == Scheme::Meti && c.verification.counts())
        .filter(|c| c.valid_until.is_none_or(|until| until >= day))
        .filter_map(|c| c.level)
        .filter(|level| meti_rank(*level).is_some())
        .max_by_key(|level| meti_rank(*level)))
}

/// The standing of a contract within `scope` on `day`.
pub async fn standing(
    db: &Db,
    scope: &Visibility,
    contract_id: ContractId,
    day: NaiveDate,
) -> AppResult<StarStanding> {
    let mut conn = db.acquire().await?;
    let contract = contracts::find(&mut conn, scope, contract_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let conditions = star_conditions::find(&mut conn, contract_id).await?;
    let held = held_by(&mut conn, contract.vendor_id, day).await?;
    let required = conditions.map(StarConditions::required);
    Ok(StarStanding {
        conditions,
        required: required.map(Level::label),
        held: held.map(Level::label),
        shortfall: required.is_some_and(|r| falls_short(r, held)),
    })
}

impl StarInput {
    pub fn conditions(&self) -> StarConditions {
        StarConditions {
            sensitive_data: self.sensitive_data,
            outage_critical: self.outage_critical,
            reaches_internal: self.reaches_internal,
        }
    }
}

/// Records the three conditions of a contract within `scope` (the officer's).
pub async fn set(
    db: &Db,
    actor: &Actor,
    scope: &Visibility,
    contract_id: ContractId,
    input: &StarInput,
) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let contract = contracts::find(&mut tx, scope, contract_id)
        .await?
        .ok_or(AppError::NotFound)?;
    record(
        &mut tx,
        actor,
        contract_id,
        &contract.contract_number,
        input.conditions(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Writes a contract's conditions within the caller's transaction (the form, the API, the ledger),
/// audited when they change; whether they did.
pub async fn record(
    conn: &mut Conn,
    actor: &Actor,
    contract_id: ContractId,
    contract_number: &str,
    conditions: StarConditions,
) -> AppResult<bool> {
    let before = star_conditions::find(conn, contract_id).await?;
    if before == Some(conditions) {
        return Ok(false);
    }
    star_conditions::set(conn, contract_id, conditions).await?;
    let summary = format!(
        "★レベルの条件 {contract_number}（要求{}）",
        conditions.required().label()
    );
    let event = Event::new("update", "contract_star_conditions", contract_id, summary)
        .changes(before.map(|b| json!(b)), Some(json!(conditions)));
    audit::record(conn, actor, event).await?;
    Ok(true)
}
