//! The check-sheet workbook a vendor fills in, built in one place: blank, for a contract (the vendor
//! and the contract already in the respondent block) or for a bid.

use crate::checklist::Definition;
use crate::config::Settings;
use crate::db::contracts::{self, Visibility};
use crate::db::{tenders, Db};
use crate::domain::ids::{BidderId, ContractId};
use crate::error::{AppError, AppResult};
use crate::excel::template::{self, Prefill};

/// A workbook and the name it is downloaded under.
pub struct Template {
    pub bytes: Vec<u8>,
    pub file_name: String,
}

/// The blank workbook of `definition`, with the respondent block filled where values are given.
pub fn blank(
    definition: &Definition,
    vendor_name: Option<String>,
    identifier: Option<String>,
) -> AppResult<Vec<u8>> {
    build(
        definition,
        &Prefill {
            vendor_name,
            identifier,
            contract: None,
            ..Prefill::default()
        },
    )
}

/// The workbook for a contract the reader may see, in the definition in force.
pub async fn for_contract(
    db: &Db,
    settings: &Settings,
    visibility: &Visibility,
    id: ContractId,
) -> AppResult<Template> {
    let contract = contracts::find(&mut *db.acquire().await?, visibility, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let prefill = Prefill {
        vendor_name: Some(contract.vendor_name.clone()),
        identifier: Some(contract.vendor_identifier.clone()),
        contract: Some(format!("{} {}", contract.contract_number, contract.title)),
        ..Prefill::default()
    };
    let name: String = contract
        .contract_number
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    Ok(Template {
        bytes: build(&settings.definition(), &prefill)?,
        file_name: format!("checksheet-{name}.xlsx"),
    })
}

/// The workbook for a bid the reader may see.
pub async fn for_bid(
    db: &Db,
    settings: &Settings,
    visibility: &Visibility,
    id: BidderId,
) -> AppResult<Template> {
    let (bid, _) = super::tenders::bid(db, visibility, id).await?;
    let bidder = tenders::find_bidder(&mut *db.acquire().await?, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let prefill = Prefill {
        vendor_name: Some(bidder.name),
        identifier: Some(bidder.identifier),
        contract: Some(bid.title),
        ..Prefill::default()
    };
    Ok(Template {
        bytes: build(&settings.definition(), &prefill)?,
        file_name: format!("checksheet-bid-{id}.xlsx"),
    })
}

/// The check-sheet workbook of `definition`, with what `prefill` gives written in.
pub fn build(definition: &Definition, prefill: &Prefill) -> AppResult<Vec<u8>> {
    template::check_sheet(definition, prefill)
        .map_err(|e| AppError::Internal(format!("check-sheet template: {e}")))
}
