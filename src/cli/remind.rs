//! `itaku remind`: the day's reminders from cron (the server also sends them itself at `remind_at`).

use super::outcome::{succeeded_if, Failure, Outcome};
use super::{connect, print_json};
use crate::config::Settings;
use crate::mail::Mailer;
use crate::services::reminders::{self, RunReport};
use clap::Args;

#[derive(Args, Debug)]
pub struct RemindArgs {
    /// The day to judge (default today in Japan): 2026-04-01, 令和8年4月1日, R8.4.1 …
    #[arg(long)]
    pub as_of: Option<String>,
    /// Say what would be sent; write and send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the run as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Exit 0 when nothing failed, 1 when a message could not be sent (it stays queued), 2 on usage errors.
pub async fn remind(settings: &Settings, args: RemindArgs) -> Outcome {
    let as_of = super::as_of(args.as_of.as_deref())?;
    let mailer = Mailer::from_settings(settings).map_err(Failure::Usage)?;
    let db = connect(settings).await?;
    let result = reminders::run(&db, settings, mailer.as_ref(), as_of, args.dry_run).await;
    db.close().await;
    let report = result.map_err(Failure::failed)?;
    if args.json {
        print_json(&report);
    } else {
        print_summary(&report);
    }
    succeeded_if(report.failed == 0)
}

fn print_summary(report: &RunReport) {
    if !report.mail_configured {
        println!(
            "smtp_url が設定されていないため、送信しません（送信されるはずのものを表示します）"
        );
    }
    for line in &report.messages {
        println!(
            "{}\t{}\t{}\t{}\t{}{}",
            line.status,
            line.to,
            line.contract_number,
            line.stage,
            line.what,
            if line.error.is_empty() {
                String::new()
            } else {
                format!("\t{}", line.error)
            }
        );
    }
    println!(
        "{}: 新規 {} 件、送信 {} 件、失敗 {} 件、未送信 {} 件",
        report.as_of, report.queued, report.sent, report.failed, report.pending
    );
}
