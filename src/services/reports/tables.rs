//! The tables each report reads, so that a kept report stands across writes to the others
//! (`db::kept`): a check sheet uploaded leaves the report of deletions as it was.
//! `tests/report_tables.rs` catches every statement each report runs and fails when one names a table
//! not listed here.

use super::ReportKind;

/// Read by every report: the contracts' headings and their obligations' standings.
const CONTRACT_LISTS: [&str; 4] = ["contracts", "departments", "vendors", "contract_standings"];

const CERTIFICATIONS: [&str; 6] = [
    "certifications",
    "certification_confirmations",
    "contract_star_conditions",
    "incident_contact_status",
    "incident_contact_confirmations",
    "suspensions",
];

/// The tables report `kind` reads (the table versions' own bookkeeping aside).
pub fn tables_read(kind: ReportKind) -> Vec<&'static str> {
    let own: &[&str] = match kind {
        ReportKind::Retention => &[],
        ReportKind::Audits => &["audit_standings"],
        ReportKind::Certifications => &CERTIFICATIONS,
        ReportKind::Checklists => &["checklist_standings"],
        ReportKind::Subcontracting => &["subcontractors"],
        ReportKind::Corrective => &["corrective_actions"],
        ReportKind::Clauses => &["contract_clauses", "clause_obligations"],
        ReportKind::Incidents => &["incidents"],
        ReportKind::Kpi => &["audit_standings", "certifications"],
        ReportKind::All => {
            let mut all = CONTRACT_LISTS.to_vec();
            for part in ReportKind::OF_LISTS
                .into_iter()
                .chain([ReportKind::Incidents, ReportKind::Kpi])
            {
                all.extend(tables_read(part));
            }
            all.sort_unstable();
            all.dedup();
            return all;
        }
    };
    CONTRACT_LISTS.iter().chain(own).copied().collect()
}
