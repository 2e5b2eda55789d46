//! `itaku vendors import`: the list of qualified bidders (入札参加資格者名簿) into the vendor registry,
//! by the same service as the page and the API.

use super::{cli_actor, connect, fail, read_file};
use crate::auth::policy::VendorRights;
use crate::config::Settings;
use crate::services::vendor_master::{self, ImportReport};
use clap::Subcommand;
use std::path::PathBuf;
use std::process::ExitCode;

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
) -> ExitCode {
    let VendorCommand::Import {
        file,
        dry_run,
        json,
    } = command;
    let bytes = match read_file(&file) {
        Ok(bytes) => bytes,
        Err(code) => return code,
    };
    let db = match connect(settings).await {
        Ok(db) => db,
        Err(code) => return code,
    };
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
    let report = match result {
        Ok(report) => report,
        Err(error) => return fail(&error),
    };
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
    } else {
        print_report(&report);
    }
    if report.accepted() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn print_report(report: &ImportReport) {
    if !report.accepted() {
        eprintln!(
            "取り込めません（何も登録していません）。{} 件の誤りがあります:",
            report.errors.len()
        );
        for error in &report.errors {
            match &error.cell {
                Some(cell) => eprintln!("  {cell}: {error}"),
                None => eprintln!("  {error}"),
            }
        }
        return;
    }
    let verb = if report.dry_run {
        "取り込めます（確認のみ・未登録）"
    } else {
        "取り込みました"
    };
    println!(
        "{verb}: 新規 {} 件、更新 {} 件、変更なし {} 件",
        report.imported, report.updated, report.unchanged
    );
    if !report.ignored_columns.is_empty() {
        println!("読み取らなかった列: {}", report.ignored_columns.join("、"));
    }
}
