//! `itaku vendors import`: the list of qualified bidders (入札参加資格者名簿) into the vendor registry,
//! by the same service as the page and the API.

use super::outcome::Outcome;
use super::{cli_actor, list_import};
use crate::auth::policy::VendorRights;
use crate::config::Settings;
use crate::services::vendor_master;
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub enum VendorCommand {
    /// Import the list of qualified bidders (.xlsx, .xls, .ods or .csv) with the columns 業者番号,
    /// 商号又は名称, 法人番号 or 登録番号, 所在地, 代表者, 連絡先, メール: exit 0 when imported, 1 when
    /// refused, 2 on usage errors. A second import of the same list changes nothing.
    Import {
        file: PathBuf,
        /// Check and count without writing anything.
        #[arg(long)]
        dry_run: bool,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
}

pub async fn vendors(
    settings: &Settings,
    sandbox: &crate::sandbox::Sandbox,
    command: VendorCommand,
) -> Outcome {
    let VendorCommand::Import {
        file,
        dry_run,
        json,
    } = command;
    let (bytes, db) = list_import::open(settings, &file).await?;
    let result = vendor_master::import(
        &db,
        settings,
        sandbox,
        &cli_actor(),
        &VendorRights::Any,
        &bytes,
        dry_run,
    )
    .await;
    db.close().await;
    list_import::finish(&result?, json)
}
