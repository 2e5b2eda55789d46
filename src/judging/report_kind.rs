//! The reports one can ask for by name, and what each is called.

use serde::Serialize;

/// The reports one can ask for by name (`itaku report <kind>`, `/api/v1/reports/<kind>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum ReportKind {
    Retention,
    Audits,
    Certifications,
    Checklists,
    /// Subcontractors at work without approval.
    Subcontracting,
    /// Corrective actions overdue and due.
    Corrective,
    /// Submissions the security clauses owe, overdue and due soon.
    Clauses,
    /// Incidents open on the day, this fiscal year's late or unreported ones, and the on-time share.
    Incidents,
    Kpi,
    /// Everything on the CISO's dashboard.
    All,
}

impl ReportKind {
    /// The reports made of lists of contracts, in the order `all` holds them.
    pub const OF_LISTS: [ReportKind; 7] = [
        ReportKind::Retention,
        ReportKind::Audits,
        ReportKind::Certifications,
        ReportKind::Checklists,
        ReportKind::Subcontracting,
        ReportKind::Corrective,
        ReportKind::Clauses,
    ];

    pub fn parse(name: &str) -> Option<Self> {
        <Self as clap::ValueEnum>::from_str(name, true).ok()
    }
    pub fn name(self) -> &'static str {
        match self {
            ReportKind::Retention => "retention",
            ReportKind::Audits => "audits",
            ReportKind::Certifications => "certifications",
            ReportKind::Checklists => "checklists",
            ReportKind::Subcontracting => "subcontracting",
            ReportKind::Corrective => "corrective",
            ReportKind::Clauses => "clauses",
            ReportKind::Incidents => "incidents",
            ReportKind::Kpi => "kpi",
            ReportKind::All => "all",
        }
    }
    pub fn title(self) -> &'static str {
        match self {
            ReportKind::Retention => "データ消去（保持期限超過・期限間近）",
            ReportKind::Audits => "監査報告書（期限超過・期限間近）",
            ReportKind::Certifications => "認証（期限切れ・期限間近）",
            ReportKind::Checklists => "チェックシート（未提出・差戻し）",
            ReportKind::Subcontracting => "再委託（無承認）",
            ReportKind::Corrective => "是正（期限超過・対応中）",
            ReportKind::Clauses => "特約条項の提出物（期限超過・期限間近）",
            ReportKind::Incidents => "インシデント（対応中・期限後の報告・報告なし）",
            ReportKind::Kpi => "重点指標（KPI）",
            ReportKind::All => "委託先セキュリティ状況",
        }
    }
}
