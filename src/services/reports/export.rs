//! A judged report as a logged .xlsx workbook.

use super::{Dashboard, Indicator, ReportKind};
use crate::db::Db;
use crate::error::AppResult;
use chrono::NaiveDate;

/// A report as .xlsx; the export is logged.
pub async fn export(
    db: &Db,
    actor: &crate::auth::Actor,
    all: std::sync::Arc<Dashboard>,
    judged_at: chrono::DateTime<chrono::Utc>,
    kind: ReportKind,
) -> AppResult<Vec<u8>> {
    let as_of = all.as_of;
    let bytes = workbook_of(all, judged_at, kind).await?;
    log_export(db, actor, as_of, judged_at, kind).await?;
    Ok(bytes)
}

/// A report workbook of a judgement whose data was read at `judged_at`.
pub async fn workbook_of(
    all: std::sync::Arc<Dashboard>,
    judged_at: chrono::DateTime<chrono::Utc>,
    kind: ReportKind,
) -> AppResult<Vec<u8>> {
    let stamp = crate::services::japan_moment_to_the_second(judged_at);
    // Seconds of CPU at prefecture scale: off the threads that answer requests.
    tokio::task::spawn_blocking(move || workbook(&all, &stamp, kind))
        .await
        .map_err(|e| crate::error::AppError::Internal(e.to_string()))?
}

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

/// The sheets of one kind's lists, each named as the dashboard names it.
fn sheets_of(all: &Dashboard, kind: ReportKind) -> Vec<crate::excel::writer::ReportSheet<'_>> {
    use crate::excel::writer::ReportSheet;
    match kind {
        ReportKind::Retention => vec![
            ReportSheet {
                name: "保持期限超過",
                entries: &all.retention.violations,
            },
            ReportSheet {
                name: "消去期限間近",
                entries: &all.retention.due_soon,
            },
            ReportSheet {
                name: "消去証明 期限後受理",
                entries: &all.retention.resolved_late,
            },
        ],
        ReportKind::Audits => vec![
            ReportSheet {
                name: "監査報告書 期限超過",
                entries: &all.audits.overdue,
            },
            ReportSheet {
                name: "監査報告書 期限間近",
                entries: &all.audits.due_soon,
            },
            ReportSheet {
                name: "監査報告書 期限後受理",
                entries: &all.audits.resolved_late,
            },
        ],
        ReportKind::Certifications => vec![
            ReportSheet {
                name: "認証 期限切れ",
                entries: &all.certifications.expired,
            },
            ReportSheet {
                name: "認証 期限間近",
                entries: &all.certifications.expiring,
            },
            ReportSheet {
                name: "SECURITY ACTION 年次確認なし",
                entries: &all.certifications.unconfirmed,
            },
            ReportSheet {
                name: "★レベル不足",
                entries: &all.star.shortfall,
            },
            ReportSheet {
                name: "指名停止中の委託先",
                entries: &all.suspensions.active,
            },
            ReportSheet {
                name: "インシデント連絡先の不備",
                entries: &all.contacts.missing,
            },
        ],
        ReportKind::Checklists => vec![
            ReportSheet {
                name: "チェックシート未提出",
                entries: &all.checklists.missing,
            },
            ReportSheet {
                name: "チェックシート差戻し",
                entries: &all.checklists.returned,
            },
        ],
        ReportKind::Subcontracting => vec![ReportSheet {
            name: "無承認の再委託",
            entries: &all.subcontracting.unapproved,
        }],
        ReportKind::Corrective => vec![
            ReportSheet {
                name: "是正 期限超過",
                entries: &all.corrective.overdue,
            },
            ReportSheet {
                name: "是正 対応中",
                entries: &all.corrective.due,
            },
        ],
        ReportKind::Clauses => vec![
            ReportSheet {
                name: "特約条項 期限超過",
                entries: &all.clauses.overdue,
            },
            ReportSheet {
                name: "特約条項 期限間近",
                entries: &all.clauses.due_soon,
            },
        ],
        ReportKind::Incidents | ReportKind::Kpi | ReportKind::All => Vec::new(),
    }
}

fn workbook(all: &Dashboard, judged_at: &str, kind: ReportKind) -> AppResult<Vec<u8>> {
    use crate::excel::writer::{self, ReportSheet};
    let as_of = all.as_of;
    if kind == ReportKind::Incidents {
        return incidents_workbook(&all.incidents, judged_at);
    }
    let lists = |kind: ReportKind| sheets_of(all, kind);
    let sheets: Vec<ReportSheet> = match kind {
        ReportKind::All => [
            ReportKind::Retention,
            ReportKind::Audits,
            ReportKind::Certifications,
            ReportKind::Checklists,
            ReportKind::Subcontracting,
            ReportKind::Corrective,
            ReportKind::Clauses,
        ]
        .into_iter()
        .flat_map(lists)
        .collect(),
        other => lists(other),
    };
    let indicators: &[Indicator] = match kind {
        ReportKind::Kpi | ReportKind::All => &all.kpi.indicators,
        _ => &[],
    };
    writer::report(kind.title(), as_of, judged_at, &sheets, indicators)
        .map_err(|e| crate::error::AppError::Internal(e.to_string()))
}

/// The incidents report as one sheet: the fiscal year's figures on top, then each open incident and
/// each one reported late or not by the vendor.
fn incidents_workbook(
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
