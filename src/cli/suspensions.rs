//! `itaku suspensions import`: the contract office's list of suspensions from bidding (指名停止), by the
//! same service as the page and the API.

use super::outcome::Outcome;
use super::{cli_actor, list_import};
use crate::auth::policy::VendorRights;
use crate::config::Settings;
use crate::services::suspensions;
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub enum SuspensionCommand {
    /// Import a list of suspensions (.xlsx, .xls, .ods or .csv) with the columns 法人番号, 開始日,
    /// 終了日 (or one 指名停止期間 column), 理由 and optionally 事業者名 and 文書番号: exit 0 when
    /// imported, 1 when refused (nothing written), 2 on usage errors. Importing the same list again
    /// changes nothing.
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

pub async fn suspensions(
    settings: &Settings,
    sandbox: &crate::sandbox::Sandbox,
    command: SuspensionCommand,
) -> Outcome {
    let SuspensionCommand::Import {
        file,
        dry_run,
        json,
    } = command;
    let (bytes, db) = list_import::open(settings, &file).await?;
    let result = suspensions::import(
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
