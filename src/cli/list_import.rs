//! What every list import on the command line (ledger, certifications, vendor master) does after the
//! service has run: the report as JSON or as text, and the exit code (0 imported or importable, 1
//! refused with nothing written).

use super::outcome::{succeeded_if, Failure, Outcome};
use super::{connect, print_json, read_file};
use crate::config::Settings;
use crate::db::Db;
use crate::excel::header::RowError;
use serde::Serialize;
use std::path::Path;

/// A list import's report, as the command line prints it.
pub trait ListReport: Serialize {
    fn dry_run(&self) -> bool;
    fn errors(&self) -> &[RowError];
    /// 「新規 N 件、更新 N 件、変更なし N 件」 and what else the import counts.
    fn counts(&self) -> String;
    /// Lines after the counts: warnings, rows skipped, columns not read.
    fn notes(&self) -> Vec<String> {
        Vec::new()
    }
}

/// The file's bytes and the database, or the failure for a file that cannot be read (2) or a database
/// that cannot be reached (1).
pub async fn open(settings: &Settings, file: &Path) -> Result<(Vec<u8>, Db), Failure> {
    let bytes = read_file(file)?;
    let db = connect(settings).await?;
    Ok((bytes, db))
}

/// Prints the report; refused when it has errors.
pub fn finish(report: &impl ListReport, json: bool) -> Outcome {
    if json {
        print_json(report);
    } else if report.errors().is_empty() {
        let verb = if report.dry_run() {
            "取り込めます（確認のみ・未登録）"
        } else {
            "取り込みました"
        };
        println!("{verb}: {}", report.counts());
        report.notes().iter().for_each(|note| println!("{note}"));
    } else {
        eprintln!(
            "取り込めません（何も登録していません）。{} 件の誤りがあります:",
            report.errors().len()
        );
        for error in report.errors() {
            match &error.cell {
                Some(cell) => eprintln!("  {cell}: {error}"),
                None => eprintln!("  {error}"),
            }
        }
    }
    succeeded_if(report.errors().is_empty())
}

/// 「読み取らなかった列: …」, when any.
pub fn ignored(columns: &[String]) -> Option<String> {
    (!columns.is_empty()).then(|| format!("読み取らなかった列: {}", columns.join("、")))
}

impl ListReport for crate::services::ledger::ImportReport {
    fn dry_run(&self) -> bool {
        self.dry_run
    }
    fn errors(&self) -> &[RowError] {
        &self.errors
    }
    fn counts(&self) -> String {
        format!(
            "新規 {} 件、更新 {} 件、変更なし {} 件（新しい事業者 {} 社、所管課 {} 課、再委託先 {} 社）",
            self.imported,
            self.updated,
            self.unchanged,
            self.created_vendors,
            self.created_departments,
            self.subcontractors
        )
    }
    fn notes(&self) -> Vec<String> {
        let warnings = self.warnings.iter().map(|w| format!("注意: {w}"));
        let skipped = self.skipped.iter().map(|s| {
            format!(
                "読み飛ばした行: {} {}行目「{}」（契約ではない合計・注記の行）",
                s.sheet, s.row, s.text
            )
        });
        warnings
            .chain(skipped)
            .chain(ignored(&self.ignored_columns))
            .collect()
    }
}

impl ListReport for crate::services::certifications::ImportReport {
    fn dry_run(&self) -> bool {
        self.dry_run
    }
    fn errors(&self) -> &[RowError] {
        &self.errors
    }
    fn counts(&self) -> String {
        format!(
            "新規 {} 件、更新 {} 件、変更なし {} 件（新しい事業者 {} 社）",
            self.imported, self.updated, self.unchanged, self.created_vendors
        )
    }
    fn notes(&self) -> Vec<String> {
        ignored(&self.ignored_columns).into_iter().collect()
    }
}

impl ListReport for crate::services::vendor_master::ImportReport {
    fn dry_run(&self) -> bool {
        self.dry_run
    }
    fn errors(&self) -> &[RowError] {
        &self.errors
    }
    fn counts(&self) -> String {
        format!(
            "新規 {} 件、更新 {} 件、変更なし {} 件",
            self.imported, self.updated, self.unchanged
        )
    }
    fn notes(&self) -> Vec<String> {
        ignored(&self.ignored_columns).into_iter().collect()
    }
}

impl ListReport for crate::services::suspensions::ImportReport {
    fn dry_run(&self) -> bool {
        self.dry_run
    }
    fn errors(&self) -> &[RowError] {
        &self.errors
    }
    fn counts(&self) -> String {
        format!(
            "新規 {} 件、更新 {} 件、変更なし {} 件（うち未登録の事業者 {} 件）",
            self.imported, self.updated, self.unchanged, self.unregistered
        )
    }
    fn notes(&self) -> Vec<String> {
        ignored(&self.ignored_columns).into_iter().collect()
    }
}
