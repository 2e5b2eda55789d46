//! A judged report as a logged .xlsx workbook: which lists it holds, and how an export is logged.

use super::json::Source;
use super::ReportKind;
use crate::db::standings::judged::List;
use crate::db::Db;
use crate::domain::certification::CertStatus;
use crate::error::AppResult;
use chrono::NaiveDate;

/// Records who took which report of which judgement.
pub async fn log_export(
    db: &Db,
    actor: &crate::auth::Actor,
    as_of: NaiveDate,
    judged_at: chrono::DateTime<chrono::Utc>,
    kind: ReportKind,
) -> AppResult<()> {
    let judged_at = crate::services::japan_moment_to_the_second(judged_at);
    crate::services::audit::record_alone(
        db,
        actor,
        crate::services::audit::Event::new(
            "export",
            "report",
            kind.name(),
            format!(
                "{}を出力（基準日 {as_of}、{judged_at}時点の集計）",
                kind.title()
            ),
        ),
    )
    .await?;
    Ok(())
}

/// The sheets of a report's workbook, each named as the dashboard names its list, with the list.
pub(super) fn sheets_of(kind: ReportKind) -> Vec<(&'static str, Source)> {
    let listed = |name, list| (name, Source::Listed(list));
    match kind {
        ReportKind::Retention => vec![
            listed("保持期限超過", List::RetentionViolations),
            listed("消去期限間近", List::DeletionsDueSoon),
            listed("消去証明 期限後受理", List::DeletionsResolvedLate),
        ],
        ReportKind::Audits => vec![
            listed("監査報告書 期限超過", List::AuditsOverdue),
            listed("監査報告書 期限間近", List::AuditsDueSoon),
            listed("監査報告書 期限後受理", List::AuditsResolvedLate),
        ],
        ReportKind::Certifications => vec![
            ("認証 期限切れ", Source::Certificates(CertStatus::Expired)),
            ("認証 期限間近", Source::Certificates(CertStatus::Expiring)),
            listed(
                "SECURITY ACTION 年次確認なし",
                List::DeclarationsUnconfirmed,
            ),
            listed("★レベル不足", List::StarShortfall),
            listed("指名停止中の委託先", List::SuspendedVendors),
            listed("インシデント連絡先の不備", List::ContactsMissing),
        ],
        ReportKind::Checklists => vec![
            ("チェックシート未提出", Source::ChecklistsMissing),
            listed("チェックシート差戻し", List::ChecklistsReturned),
        ],
        ReportKind::Subcontracting => {
            vec![listed("無承認の再委託", List::UnapprovedSubcontracting)]
        }
        ReportKind::Corrective => vec![
            listed("是正 期限超過", List::CorrectiveOverdue),
            listed("是正 対応中", List::CorrectiveDue),
        ],
        ReportKind::Clauses => vec![
            listed("特約条項 期限超過", List::ClausesOverdue),
            listed("特約条項 期限間近", List::ClausesDueSoon),
        ],
        ReportKind::Kpi | ReportKind::Incidents => Vec::new(),
        ReportKind::All => ReportKind::OF_LISTS
            .into_iter()
            .flat_map(sheets_of)
            .collect(),
    }
}

/// The incidents report as one sheet: the fiscal year's figures on top, then each open incident and
/// each one reported late or not by the vendor.
pub(super) fn incidents_workbook(
    report: &crate::judging::IncidentsReport,
    judged_at: &str,
) -> AppResult<Vec<u8>> {
    use crate::domain::incident::{moment_label, status_label};
    let year = crate::domain::FiscalYear::of(report.as_of);
    let share = report
        .on_time_share
        .map_or("－".to_string(), |s| format!("{s:.1}%"));
    let title = [
        format!(
            "インシデント（{}現在、集計 {judged_at}）",
            crate::domain::wareki(report.as_of)
        ),
        format!(
            "{}の報告 {}件：期限内 {}件（{share}）・期限後 {}件・委託先から報告なし {}件。対応中 {}件",
            year.label(),
            report.this_year,
            report.on_time,
            report.late,
            report.unreported,
            report.open.len()
        ),
    ];
    let mut seen = std::collections::HashSet::new();
    let rows: Vec<Vec<String>> = report
        .open
        .iter()
        .map(|i| ("対応中", i))
        .chain(report.late_reports.iter().map(|i| ("期限後・報告なし", i)))
        .filter(|(_, i)| seen.insert(i.id))
        .map(|(group, i)| {
            vec![
                group.to_string(),
                i.contract_number.clone(),
                i.contract_title.clone(),
                i.vendor_name.clone(),
                moment_label(i.aware_at),
                moment_label(i.reported_at),
                moment_label(i.deadline_at),
                if !i.reported_by_vendor {
                    "委託先から報告なし".to_string()
                } else if i.on_time {
                    "期限内".to_string()
                } else {
                    format!("{}分遅れ", i.minutes_late)
                },
                if i.personal_data { "あり" } else { "なし" }.to_string(),
                i.records.map(|n| n.to_string()).unwrap_or_default(),
                status_label(&i.status).to_string(),
                i.summary.clone(),
            ]
        })
        .collect();
    crate::excel::writer::table(
        "インシデント",
        &title,
        &[
            "区分",
            "契約番号",
            "件名",
            "委託先",
            "認知",
            "報告",
            "報告期限",
            "判定",
            "個人情報",
            "件数",
            "状況",
            "概要",
        ],
        &rows,
        &[
            14.0, 12.0, 28.0, 24.0, 18.0, 18.0, 18.0, 16.0, 8.0, 10.0, 8.0, 48.0,
        ],
    )
    .map_err(|e| crate::error::AppError::Internal(e.to_string()))
}
