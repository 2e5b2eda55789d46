//! `itaku certifications import` and `itaku report`: the same services as the pages, for scripts and
//! schedulers.

use super::outcome::{Failure, Outcome};
use super::{cli_actor, connect};
use crate::config::Settings;
use crate::services::certifications;
use crate::services::reports::{self, ReportKind};
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub enum CertificationCommand {
    /// Import a certification list (.xlsx, .xls, .ods or .csv) with the columns 法人番号, 種別, 番号, 区分,
    /// 取得日, 有効期限, 適用範囲 (and optionally 事業者名, 認証機関): exit 0 when imported, 1 when refused.
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

#[derive(Args, Debug)]
pub struct ReportArgs {
    #[arg(value_enum)]
    pub kind: ReportKind,
    /// The day to judge (default today in Japan): 2026-04-01, 令和8年4月1日, R8.4.1 …
    #[arg(long)]
    pub as_of: Option<String>,
    /// Print the report as JSON (the default prints a table).
    #[arg(long)]
    pub json: bool,
    /// Also write the report as an .xlsx workbook to this file.
    #[arg(long)]
    pub xlsx: Option<PathBuf>,
}

pub async fn certifications(
    settings: &Settings,
    sandbox: &crate::sandbox::Sandbox,
    command: CertificationCommand,
) -> Outcome {
    let CertificationCommand::Import {
        file,
        dry_run,
        json,
    } = command;
    let (bytes, db) = super::list_import::open(settings, &file).await?;
    let result = certifications::import(
        &db,
        settings,
        sandbox,
        &cli_actor(),
        &crate::auth::policy::VendorRights::Any,
        &bytes,
        dry_run,
    )
    .await;
    db.close().await;
    super::list_import::finish(&result?, json)
}

pub async fn report(settings: &Settings, args: ReportArgs) -> Outcome {
    let as_of = super::as_of(args.as_of.as_deref())?;
    let db = connect(settings).await?;
    let result = write_report(&db, settings, &args, as_of).await;
    db.close().await;
    result
}

/// The report on stdout, as JSON with every entry streamed (the memory it takes does not grow with
/// the registry) or as lines a person reads; its workbook written, and logged, when asked.
async fn write_report(
    db: &crate::db::Db,
    settings: &Settings,
    args: &ReportArgs,
    as_of: chrono::NaiveDate,
) -> Outcome {
    let visibility = crate::db::contracts::Visibility::All;
    if let Some(path) = &args.xlsx {
        let judged_at = chrono::Utc::now();
        let bytes = reports::write_workbook(db, settings, &visibility, as_of, args.kind, judged_at)
            .await
            .map_err(Failure::failed)?;
        reports::log_export(db, &cli_actor(), as_of, judged_at, args.kind)
            .await
            .map_err(Failure::failed)?;
        std::fs::write(path, bytes)
            .map_err(|e| Failure::failed(format!("{} に書き込めません: {e}", path.display())))?;
    }
    if args.json {
        let stdout = std::io::stdout();
        reports::write_json(db, settings, &visibility, as_of, args.kind, stdout)
            .await
            .map_err(Failure::failed)?;
        return Ok(());
    }
    let window = reports::Window::ALL;
    let dashboard = reports::dashboard(db, settings, &visibility, as_of, args.kind, window)
        .await
        .map_err(Failure::failed)?;
    print_lists(&reports::to_json(&dashboard, args.kind, window).map_err(Failure::failed)?);
    Ok(())
}

/// Each list of a report as lines a person reads: deadline, lateness, contract, vendor, what.
fn print_lists(value: &serde_json::Value) {
    let Some(object) = value.as_object() else {
        return;
    };
    println!(
        "基準日 {}",
        object.get("as_of").and_then(|v| v.as_str()).unwrap_or("")
    );
    for (name, list) in object {
        if let Some(indicators) = list.as_array().filter(|_| name == "indicators") {
            for i in indicators {
                let ratio = i["ratio"]
                    .as_f64()
                    .map(|r| format!("{:.1}%", r * 100.0))
                    .unwrap_or("－".into());
                println!(
                    "{}: {} / {}（{ratio}）",
                    i["label"].as_str().unwrap_or(""),
                    i["numerator"],
                    i["denominator"]
                );
            }
            continue;
        }
        let Some(entries) = list.as_array() else {
            if list.is_object() && name != "kpi" {
                print_lists(list);
            }
            continue;
        };
        println!("\n[{name}] {} 件", entries.len());
        for e in entries {
            if e.get("aware_at").is_some() {
                print_incident(e);
                continue;
            }
            let lateness = match e["days_overdue"].as_i64() {
                Some(n) if n > 0 => format!("{n}日超過"),
                _ => format!("あと{}日", e["days_remaining"].as_i64().unwrap_or(0)),
            };
            println!(
                "  {}  {:>8}  {}  {}（{}）  {}",
                e["deadline"].as_str().unwrap_or(""),
                lateness,
                e["contract_number"].as_str().unwrap_or(""),
                e["vendor_name"].as_str().unwrap_or(""),
                e["vendor_identifier"].as_str().unwrap_or(""),
                e["what"].as_str().unwrap_or("")
            );
        }
    }
}

/// An incident as a line: when the vendor became aware, how the report was judged, contract, vendor.
fn print_incident(e: &serde_json::Value) {
    let judged = if e["reported_by_vendor"] == false {
        "報告なし".to_string()
    } else if e["on_time"] == true {
        "期限内".to_string()
    } else {
        format!("{}分遅れ", e["minutes_late"].as_i64().unwrap_or(0))
    };
    println!(
        "  {}  {:>8}  {}  {}  {}",
        e["aware_at"].as_str().unwrap_or(""),
        judged,
        e["contract_number"].as_str().unwrap_or(""),
        e["vendor_name"].as_str().unwrap_or(""),
        e["summary"].as_str().unwrap_or("")
    );
}
