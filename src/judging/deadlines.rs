//! The four deadline rules: deletion after the contract ends, the yearly audit report, certificates'
//! validity, and the check sheet at contract time and yearly.

use super::{
    sort_by_deadline, sort_by_lateness, AuditsReport, CertificateRef, CertificationsReport,
};
use super::{ChecklistsReport, Entry, Facts, RetentionReport};
use crate::config::Settings;
use crate::db::certifications::Certification;
use crate::db::contracts::Contract;
use crate::domain::certification::{CertStatus, Scheme};
use crate::domain::obligation::Standing;
use crate::domain::{FiscalYear, Importance};
use chrono::NaiveDate;

pub(super) fn retention(facts: &Facts, settings: &Settings, as_of: NaiveDate) -> RetentionReport {
    let mut report = RetentionReport {
        as_of,
        violations: Vec::new(),
        due_soon: Vec::new(),
        resolved_late: Vec::new(),
    };
    let warn = settings.deletion_due_soon_days.max(0) as u64;
    for contract in &facts.contracts {
        let deadline = contract.deletion_deadline;
        let accepted = facts.deletion_accepted.get(&contract.id).copied();
        let standing = Standing::judge(deadline, accepted, as_of, warn);
        let mut entry = Entry::new(
            contract,
            deadline,
            as_of,
            "契約終了後のデータの返却・消去（データ消去証明書の提出）".into(),
        );
        entry.submission = facts.deletion_open.get(&contract.id).cloned();
        let lists = [
            &mut report.violations,
            &mut report.due_soon,
            &mut report.resolved_late,
        ];
        file_by_standing(standing, entry, accepted, lists);
    }
    sort_by_lateness(&mut report.violations);
    sort_by_deadline(&mut report.due_soon);
    report
}

/// Files an entry in the list its standing puts it in: late, due soon, or accepted late (kept in the history
/// with when and how late, no longer waiting for review). Open and met obligations are listed nowhere.
fn file_by_standing(
    standing: Standing,
    mut entry: Entry,
    accepted: Option<NaiveDate>,
    [late, due_soon, resolved_late]: [&mut Vec<Entry>; 3],
) {
    match standing {
        Standing::Overdue { .. } => late.push(entry),
        Standing::DueSoon { .. } => due_soon.push(entry),
        Standing::MetLate { days_late } => {
            entry.accepted_on = accepted;
            entry.days_late = Some(days_late);
            entry.submission = None;
            resolved_late.push(entry);
        }
        Standing::Open | Standing::Met => {}
    }
}

pub(super) fn audits(facts: &Facts, settings: &Settings, as_of: NaiveDate) -> AuditsReport {
    let rule = settings.audit_rule();
    let warn = settings.audit_due_soon_days.max(0) as u64;
    let mut report = AuditsReport {
        as_of,
        overdue: Vec::new(),
        due_soon: Vec::new(),
        resolved_late: Vec::new(),
    };
    for contract in &facts.contracts {
        if !rule.applies_to(contract.importance == Importance::Important) {
            continue;
        }
        for year in rule.years_owed(contract.start_date, contract.end_date, as_of) {
            let key = (contract.id, year.start_year());
            let accepted = facts.audit_accepted.get(&key).copied();
            let deadline = rule.due_date(year);
            let mut entry = Entry::new(
                contract,
                deadline,
                as_of,
                format!("{}の監査報告書の提出", year.label()),
            );
            entry.fiscal_year = Some(year.start_year());
            entry.fiscal_year_label = Some(year.label());
            entry.submission = facts.audit_open.get(&key).cloned();
            let standing = Standing::judge(deadline, accepted, as_of, warn);
            let lists = [
                &mut report.overdue,
                &mut report.due_soon,
                &mut report.resolved_late,
            ];
            file_by_standing(standing, entry, accepted, lists);
        }
    }
    sort_by_lateness(&mut report.overdue);
    sort_by_deadline(&mut report.due_soon);
    report
}

/// A vendor's certificate of a scheme that counts on a day: a valid one expiring last, else the one
/// that expired last (a renewed certificate supersedes the old one).
fn current<'a>(
    certificates: &'a [Certification],
    scheme: Scheme,
    settings: &Settings,
    as_of: NaiveDate,
) -> Option<(&'a Certification, CertStatus)> {
    let windows = settings.expiry_windows();
    certificates
        .iter()
        .filter(|c| c.scheme == scheme)
        .filter(|c| c.issued_on.is_none_or(|issued| issued <= as_of))
        .map(|c| (c, windows.status(c.scheme, c.valid_until, as_of)))
        .max_by_key(|(c, status)| {
            (
                *status != CertStatus::Expired,
                c.valid_until.unwrap_or(NaiveDate::MAX),
                c.level,
            )
        })
}

pub(super) fn is_active(contract: &Contract, as_of: NaiveDate) -> bool {
    contract.start_date <= as_of && as_of <= contract.end_date
}

pub(super) fn certificates(
    facts: &Facts,
    settings: &Settings,
    as_of: NaiveDate,
) -> CertificationsReport {
    let mut report = CertificationsReport {
        as_of,
        expired: Vec::new(),
        expiring: Vec::new(),
    };
    for contract in facts.contracts.iter().filter(|c| is_active(c, as_of)) {
        let held = facts
            .certifications
            .get(&contract.vendor_id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for scheme in Scheme::ALL {
            let Some((certificate, status)) = current(held, scheme, settings, as_of) else {
                continue;
            };
            let Some(valid_until) = certificate.valid_until else {
                continue;
            };
            let what = match status {
                CertStatus::Expired => format!(
                    "{}の認証が期限切れです（更新後の証明書の登録）",
                    scheme.label()
                ),
                _ => format!("{}の認証の更新", scheme.label()),
            };
            let mut entry = Entry::new(contract, valid_until, as_of, what);
            entry.certification = Some(CertificateRef {
                id: certificate.id,
                scheme,
                scheme_label: scheme.label(),
                number: certificate.number.clone(),
                level: certificate.level,
                valid_until: certificate.valid_until,
                status,
            });
            match status {
                CertStatus::Expired => report.expired.push(entry),
                CertStatus::Expiring => report.expiring.push(entry),
                CertStatus::Valid => {}
            }
        }
    }
    sort_by_lateness(&mut report.expired);
    sort_by_deadline(&mut report.expiring);
    report
}

pub(super) fn check_sheets(
    facts: &Facts,
    settings: &Settings,
    as_of: NaiveDate,
) -> ChecklistsReport {
    let year = FiscalYear::of(as_of);
    let annual = settings.audit_rule();
    let mut report = ChecklistsReport {
        as_of,
        missing: Vec::new(),
        returned: Vec::new(),
    };
    for contract in facts.contracts.iter().filter(|c| is_active(c, as_of)) {
        let uploads: Vec<&(NaiveDate, String)> = facts
            .checklists
            .get(&contract.id)
            .map(|all| all.iter().filter(|(day, _)| *day <= as_of).collect())
            .unwrap_or_default();
        match uploads.last() {
            None => report.missing.push(Entry::new(
                contract,
                contract.start_date,
                as_of,
                "チェックシートの提出（契約時）".into(),
            )),
            Some((_, status)) if status == "returned" => {
                let mut entry = Entry::new(
                    contract,
                    as_of,
                    as_of,
                    "差し戻されたチェックシートの再提出".into(),
                );
                entry.submission = Some("returned".into());
                report.returned.push(entry);
            }
            Some((day, _))
                if annual.applies_to(contract.importance == Importance::Important)
                    && *day < year.first_day() =>
            {
                let mut entry = Entry::new(
                    contract,
                    year.last_day(),
                    as_of,
                    format!("{}のチェックシートの提出（年次）", year.label()),
                );
                entry.fiscal_year = Some(year.start_year());
                entry.fiscal_year_label = Some(year.label());
                report.missing.push(entry);
            }
            Some(_) => {}
        }
    }
    sort_by_lateness(&mut report.missing);
    report
}
