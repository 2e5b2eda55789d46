//! The command line: every subcommand calls the same service functions as the web pages.

use crate::config::{self, Settings};
use crate::db::Db;
use crate::services::{self, demo, ledger};
use clap::{Parser, Subcommand};
use rocket::figment::Figment;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "itaku",
    version,
    about = "Itaku（委託）: 委託先の情報セキュリティ管理"
)]
pub struct Cli {
    /// Database URL: sqlite://itaku.db (default) or postgres://user@host/db. Also DATABASE_URL.
    #[arg(long, global = true)]
    pub database_url: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Start the web server (127.0.0.1:8000 unless ROCKET_ADDRESS / ROCKET_PORT say otherwise).
    Serve {
        /// Load the sample data when the database is empty and allow running without a secret key.
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// The contract ledger (契約台帳).
    Ledger {
        #[command(subcommand)]
        command: LedgerCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum LedgerCommand {
    /// Import a ledger (.xlsx, .xls, .ods or .csv): exit 0 when imported, 1 when refused, 2 on usage errors.
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

/// Exit status for a command that could not be carried out as asked.
const USAGE: u8 = 2;

pub async fn run(cli: Cli) -> ExitCode {
    let mut figment = config::figment();
    if let Some(url) = &cli.database_url {
        figment = figment.merge(("database_url", url));
    }
    let settings = match Settings::from_figment(&figment) {
        Ok(settings) => settings,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(USAGE);
        }
    };
    match cli.command {
        Command::Serve { demo } => serve(figment, settings, demo).await,
        Command::Migrate => match Db::connect(&settings.database_url, 1).await {
            Ok(db) => {
                db.close().await;
                println!("migrations applied to {}", redact(&settings.database_url));
                ExitCode::SUCCESS
            }
            Err(error) => fail(&error),
        },
        Command::Ledger {
            command:
                LedgerCommand::Import {
                    file,
                    dry_run,
                    json,
                },
        } => import_ledger(&settings, &file, dry_run, json).await,
    }
}

fn fail(error: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("エラー: {error}");
    ExitCode::FAILURE
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            let user = credentials.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

async fn serve(mut figment: Figment, settings: Settings, demo: bool) -> ExitCode {
    if demo && figment.find_value("secret_key").is_err() {
        figment = figment.merge(("secret_key", crate::random_token() + &crate::random_token()));
    }
    let db = match Db::connect(&settings.database_url, settings.max_connections).await {
        Ok(db) => db,
        Err(error) => return fail(&error),
    };
    if demo {
        match demo::load_if_empty(&db, services::today(), settings.default_deletion_days).await {
            Ok(Some(report)) => println!(
                "デモデータを読み込みました: 契約 {} 件、事業者 {} 社、所管課 {} 課",
                report.imported, report.created_vendors, report.created_departments
            ),
            Ok(None) => println!("データベースに契約があるため、デモデータは読み込みませんでした"),
            Err(error) => return fail(&error),
        }
    }
    println!("データベース: {}", redact(&settings.database_url));
    let rocket = crate::app::build_with(figment, settings, db);
    match rocket.launch().await {
        Ok(_) => ExitCode::SUCCESS,
        Err(error) => fail(&error),
    }
}

async fn import_ledger(settings: &Settings, file: &PathBuf, dry_run: bool, json: bool) -> ExitCode {
    let bytes = match std::fs::read(file) {
        Ok(bytes) => bytes,
        Err(error) => {
            eprintln!("{} を読み込めません: {error}", file.display());
            return ExitCode::from(USAGE);
        }
    };
    let db = match Db::connect(&settings.database_url, 2).await {
        Ok(db) => db,
        Err(error) => return fail(&error),
    };
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} 行 ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let limits = crate::excel::Limits::with_upload_bytes(settings.upload_limit_bytes);
    let result = ledger::import(
        &db,
        &bytes,
        &limits,
        settings.default_deletion_days,
        dry_run,
        &mut |done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        },
    )
    .await;
    bar.finish_and_clear();
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

fn print_report(report: &ledger::ImportReport) {
    if !report.accepted() {
        eprintln!(
            "取り込めません（何も登録していません）。{} 件の誤りがあります:",
            report.errors.len()
        );
        for error in &report.errors {
            eprintln!("  {error}");
        }
        return;
    }
    let verb = if report.dry_run {
        "取り込めます（確認のみ・未登録）"
    } else {
        "取り込みました"
    };
    println!(
        "{verb}: 新規 {} 件、更新 {} 件、変更なし {} 件（新しい事業者 {} 社、所管課 {} 課）",
        report.imported,
        report.updated,
        report.unchanged,
        report.created_vendors,
        report.created_departments
    );
    for warning in &report.warnings {
        println!("注意: {warning}");
    }
    if !report.ignored_columns.is_empty() {
        println!("読み取らなかった列: {}", report.ignored_columns.join("、"));
    }
}
