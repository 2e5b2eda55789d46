//! What every contract owes on a given day (`as_of`), judged from facts already read: data retained
//! past the deletion deadline, audit reports overdue, certificates expired or expiring, check sheets
//! missing or returned, and the KPIs of the policy goals. Pure: the facts come from `services::reports`,
//! and the dashboard, the API, the CLI reports, the Excel writer and a vendor's to-do list all read
//! the one `Dashboard` judged here.

mod deadlines;
mod kpi;
mod types;

pub use types::*;

use crate::config::Settings;
use crate::db::certifications::Certification;
use crate::db::contracts::Contract;
use crate::domain::ids::{ContractId, VendorId};
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap};

/// Which count of a tally a list adds to.
type Counter = fn(&mut Tally) -> &mut usize;

/// Everything the reports judge, read once.
pub struct Facts {
    pub contracts: Vec<Contract>,
    pub deletion_accepted: HashMap<ContractId, NaiveDate>,
    pub deletion_open: HashMap<ContractId, String>,
    pub audit_accepted: HashMap<(ContractId, i32), NaiveDate>,
    pub audit_open: HashMap<(ContractId, i32), String>,
    pub certifications: HashMap<VendorId, Vec<Certification>>,
    /// Per contract: (day uploaded in Japan, status), oldest first.
    pub checklists: HashMap<ContractId, Vec<(NaiveDate, String)>>,
}

pub fn judge(facts: &Facts, settings: &Settings, as_of: NaiveDate) -> Dashboard {
    let retention = deadlines::retention(facts, settings, as_of);
    let audits = deadlines::audits(facts, settings, as_of);
    let certifications = deadlines::certificates(facts, settings, as_of);
    let checklists = deadlines::check_sheets(facts, settings, as_of);
    let kpi = kpi::kpi(facts, settings, as_of);
    let mut departments: BTreeMap<i64, Tally> = BTreeMap::new();
    let mut vendors: BTreeMap<i64, Tally> = BTreeMap::new();
    let lists: [(&[Entry], Counter); 8] = [
        (&retention.violations, |t| &mut t.retention_violations),
        (&retention.due_soon, |t| &mut t.deletions_due_soon),
        (&audits.overdue, |t| &mut t.audits_overdue),
        (&audits.due_soon, |t| &mut t.audits_due_soon),
        (&certifications.expired, |t| &mut t.certificates_expired),
        (&certifications.expiring, |t| &mut t.certificates_expiring),
        (&checklists.missing, |t| &mut t.checklists_missing),
        (&checklists.returned, |t| &mut t.checklists_returned),
    ];
    for (entries, counter) in lists {
        for entry in entries {
            let department = departments
                .entry(entry.department_id.get())
                .or_insert_with(|| Tally {
                    id: entry.department_id.get(),
                    name: entry.department_name.clone(),
                    ..Default::default()
                });
            *counter(department) += 1;
            let vendor = vendors
                .entry(entry.vendor_id.get())
                .or_insert_with(|| Tally {
                    id: entry.vendor_id.get(),
                    name: entry.vendor_name.clone(),
                    ..Default::default()
                });
            *counter(vendor) += 1;
        }
    }
    let ranked = |map: BTreeMap<i64, Tally>| {
        let mut tallies: Vec<Tally> = map.into_values().collect();
        tallies.sort_by(|a, b| {
            (b.retention_violations, b.audits_overdue, b.total())
                .cmp(&(a.retention_violations, a.audits_overdue, a.total()))
                .then_with(|| a.name.cmp(&b.name))
        });
        tallies
    };
    Dashboard {
        as_of,
        by_department: ranked(departments),
        by_vendor: ranked(vendors),
        retention,
        audits,
        certifications,
        checklists,
        kpi,
    }
}

/// What a vendor (or anyone limited to some contracts) still has to do on `as_of`, soonest first.
pub fn todo_list(dashboard: &Dashboard) -> Vec<&Entry> {
    let mut items: Vec<&Entry> = dashboard
        .retention
        .violations
        .iter()
        .chain(&dashboard.retention.due_soon)
        .chain(&dashboard.audits.overdue)
        .chain(&dashboard.audits.due_soon)
        .chain(&dashboard.certifications.expired)
        .chain(&dashboard.certifications.expiring)
        .chain(&dashboard.checklists.missing)
        .chain(&dashboard.checklists.returned)
        .collect();
    items.sort_by(|a, b| {
        a.deadline
            .cmp(&b.deadline)
            .then_with(|| a.contract_number.cmp(&b.contract_number))
    });
    // A certificate is the vendor's, not the contract's: list it once.
    let mut seen = std::collections::HashSet::new();
    items.retain(|e| match &e.certification {
        Some(c) => seen.insert(c.id),
        None => true,
    });
    items
}

pub(crate) fn sort_by_lateness(entries: &mut [Entry]) {
    entries.sort_by(|a, b| {
        b.days_overdue
            .cmp(&a.days_overdue)
            .then_with(|| a.contract_number.cmp(&b.contract_number))
    });
}

pub(crate) fn sort_by_deadline(entries: &mut [Entry]) {
    entries.sort_by(|a, b| {
        a.deadline
            .cmp(&b.deadline)
            .then_with(|| a.contract_number.cmp(&b.contract_number))
    });
}
