//! Audit reports per contract and fiscal year: the vendor (or the officer, for the municipality's own
//! on-site inspection) submits one with its file; the officer accepts or returns it.

use super::audit::{self, Event};
use super::evidence::{self, Upload};
use crate::auth::Actor;
use crate::config::Settings;
use crate::db::audit_reports::{self, AuditReport, NewAuditReport};
use crate::db::contracts::{self, Contract, Visibility};
use crate::db::Db;
use crate::domain::ids::{AuditReportId, ContractId};
use crate::domain::{parse_date, text::parse_count, FiscalYear};
use crate::error::{AppError, AppResult, FieldErrors};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;

pub const KINDS: [(&str, &str); 3] = [
    ("third_party", "第三者監査"),
    ("internal", "内部監査"),
    (ONSITE, "本市による実地検査"),
];

pub const FOLLOW_UPS: [(&str, &str); 3] = [
    ("none", "指摘なし・対応不要"),
    ("in_progress", "改善対応中"),
    ("completed", "改善完了"),
];

pub fn kind_label(code: &str) -> &'static str {
    KINDS
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("", |(_, l)| l)
}

pub fn follow_up_label(code: &str) -> &'static str {
    FOLLOW_UPS
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("", |(_, l)| l)
}

/// A report as typed on the form or sent to the API.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AuditReportInput {
    /// 2025, 令和7年度 …; blank means the fiscal year of the audit date.
    pub fiscal_year: String,
    pub kind: String,
    pub auditor: String,
    pub audited_on: String,
    pub findings: String,
    pub follow_up: String,
    pub notes: String,
}

struct Checked {
    fiscal_year: FiscalYear,
    audited_on: NaiveDate,
    findings: i64,
}

impl AuditReportInput {
    fn check(
        &self,
        contract: &Contract,
        file: Option<&Upload>,
        limit: usize,
        today: NaiveDate,
    ) -> AppResult<Checked> {
        let mut errors = FieldErrors::new();
        if !KINDS.iter().any(|(code, _)| *code == self.kind) {
            errors.add("kind", "監査の種類を選んでください");
        }
        let auditor = self.auditor.trim();
        if auditor.is_empty() || auditor.chars().count() > 200 {
            errors.add(
                "auditor",
                "監査人（監査機関・担当者）を200文字以内で入力してください",
            );
        }
        let audited_on = errors.take(
            "audited_on",
            parse_date(&self.audited_on).map_err(|e| format!("監査実施日: {}", e.0)),
        );
        if audited_on.is_some_and(|d| d > today) {
            errors.add("audited_on", "監査実施日に未来の日付は指定できません");
        }
        let findings = errors.take(
            "findings",
            if self.findings.trim().is_empty() {
                Ok(0)
            } else {
                parse_count(&self.findings, "指摘件数")
            },
        );
        if !FOLLOW_UPS.iter().any(|(code, _)| *code == self.follow_up) {
            errors.add("follow_up", "指摘事項への対応状況を選んでください");
        }
        if findings.is_some_and(|n| n > 0) && self.follow_up == "none" {
            errors.add(
                "follow_up",
                "指摘があるときは「改善対応中」か「改善完了」を選んでください",
            );
        }
        if self.notes.chars().count() > 2000 {
            errors.add("notes", "備考は2000文字以内で入力してください");
        }
        let fiscal_year = if self.fiscal_year.trim().is_empty() {
            audited_on.map(FiscalYear::of)
        } else {
            errors.take("fiscal_year", FiscalYear::parse(&self.fiscal_year))
        };
        if let Some(year) = fiscal_year {
            if year.first_day() > contract.end_date || year.last_day() < contract.start_date {
                errors.add(
                    "fiscal_year",
                    format!(
                        "{}は契約期間（{}〜{}）に含まれません",
                        year.label(),
                        crate::domain::wareki(contract.start_date),
                        crate::domain::wareki(contract.end_date)
                    ),
                );
            }
        }
        match file {
            Some(upload) => evidence::check_upload(upload, "file", limit, &mut errors),
            None if self.kind != "onsite" => {
                errors.add("file", "監査報告書のファイルを添付してください")
            }
            None => {}
        }
        errors.into_result()?;
        Ok(Checked {
            fiscal_year: fiscal_year.expect("checked"),
            audited_on: audited_on.expect("checked"),
            findings: findings.expect("checked"),
        })
    }
}

/// The kind of report only staff record.
const ONSITE: &str = "onsite";

/// Stores a report for a contract within `scope` (the vendor's own, or the officer's).
pub async fn submit(
    db: &Db,
    settings: &Settings,
    actor: &Actor,
    scope: &Visibility,
    contract_id: ContractId,
    input: &AuditReportInput,
    file: Option<&Upload>,
) -> AppResult<AuditReportId> {
    let mut tx = db.begin().await?;
    let contract = contracts::find(&mut tx, scope, contract_id)
        .await?
        .ok_or(AppError::NotFound)?;
    // The municipality's own on-site inspection is the municipality's record, never the vendor's.
    if input.kind == ONSITE && matches!(scope, Visibility::Vendor(_)) {
        let mut errors = FieldErrors::new();
        errors.add("kind", "本市による実地検査は本市の職員が登録します");
        return Err(AppError::Validation(errors));
    }
    let checked = input.check(&contract, file, settings.upload_limit_bytes, super::today())?;
    let file_id = match file {
        Some(upload) => Some(evidence::store(&mut tx, actor, upload).await?),
        None => None,
    };
    let id = audit_reports::insert(
        &mut tx,
        &NewAuditReport {
            contract_id,
            fiscal_year: checked.fiscal_year.start_year(),
            kind: &input.kind,
            auditor: input.auditor.trim(),
            audited_on: checked.audited_on,
            findings: checked.findings,
            follow_up: &input.follow_up,
            notes: input.notes.trim(),
            file_id,
            submitted_by: &actor.label,
        },
    )
    .await?;
    let summary = format!(
        "監査報告書提出 {} {}（{}）",
        contract.contract_number,
        checked.fiscal_year.label(),
        kind_label(&input.kind)
    );
    let after = json!({
        "fiscal_year": checked.fiscal_year.start_year(), "kind": input.kind, "auditor": input.auditor.trim(),
        "audited_on": checked.audited_on.to_string(), "findings": checked.findings, "follow_up": input.follow_up,
        "file_id": file_id,
    });
    crate::db::notifications::notify_contract_officers(
        &mut tx,
        contract.id,
        &summary,
        &format!("/contracts/{}#audit-reports", contract.id),
    )
    .await?;
    audit::record(
        &mut tx,
        actor,
        Event::new("create", "audit_report", id, summary).changes(None, Some(after)),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A contract's reports, newest fiscal year first.
pub async fn for_contract(
    db: &Db,
    visibility: &Visibility,
    contract_id: ContractId,
) -> AppResult<Vec<AuditReport>> {
    let mut conn = db.acquire().await?;
    contracts::find(&mut conn, visibility, contract_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(audit_reports::for_contract(&mut conn, contract_id).await?)
}
