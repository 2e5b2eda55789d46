//! What every contract owes on a given day (`as_of`): data retained past the deletion deadline,
//! audit reports overdue, certificates expired or expiring, check sheets missing or returned, and the
//! KPIs of the policy goals. The lists come from the standings (`db::standings::judged`); this module
//! words them, counts them by department and vendor, and ranks them. The dashboard, the API, the CLI
//! reports, the Excel writer and a vendor's to-do list all read the one `Dashboard` made of them.

mod certificates;
mod kpi;
mod report_kind;
mod types;

pub use certificates::{certificate_entry, current};
pub use kpi::kpi;
pub use report_kind::ReportKind;
pub use types::*;

pub use crate::db::standings::judged::By;
use crate::domain::ids::{DepartmentId, VendorId};
use std::collections::HashMap;

/// Which count of a tally a list adds to.
pub type Counter = fn(&mut Tally) -> &mut usize;

/// How many entries of one list a department or a vendor has.
#[derive(Clone, Copy)]
pub struct Count {
    pub counter: Counter,
    /// The department or vendor counted.
    pub by: By,
    pub entries: usize,
}

/// The counts by department and by vendor, those with the most retention violations and overdue
/// audits first.
pub fn tallies(
    counts: &[Count],
    department_names: &HashMap<DepartmentId, String>,
    vendor_names: &HashMap<VendorId, String>,
) -> (Vec<Tally>, Vec<Tally>) {
    let mut departments: HashMap<i64, Tally> = HashMap::new();
    let mut vendors: HashMap<i64, Tally> = HashMap::with_capacity(vendor_names.len());
    for count in counts {
        let (map, id, name) = match count.by {
            By::Department(id) => (&mut departments, id.get(), department_names.get(&id)),
            By::Vendor(id) => (&mut vendors, id.get(), vendor_names.get(&id)),
        };
        let tally = map.entry(id).or_insert_with(|| Tally {
            id,
            name: name.cloned().unwrap_or_default(),
            ..Default::default()
        });
        *(count.counter)(tally) += count.entries;
    }
    let ranked = |map: HashMap<i64, Tally>| {
        let mut tallies: Vec<Tally> = map.into_values().collect();
        tallies.sort_unstable_by(|a, b| {
            (b.retention_violations, b.audits_overdue, b.total())
                .cmp(&(a.retention_violations, a.audits_overdue, a.total()))
                .then_with(|| a.name.cmp(&b.name))
                .then(a.id.cmp(&b.id))
        });
        tallies
    };
    (ranked(departments), ranked(vendors))
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
        .chain(&dashboard.subcontracting.unapproved)
        .chain(&dashboard.corrective.overdue)
        .chain(&dashboard.corrective.due)
        .chain(&dashboard.clauses.overdue)
        .chain(&dashboard.clauses.due_soon)
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

/// The latest first, then by contract number.
fn lateness_order(a: &Entry, b: &Entry) -> std::cmp::Ordering {
    b.days_overdue
        .cmp(&a.days_overdue)
        .then_with(|| a.contract_number.cmp(&b.contract_number))
}

/// The check sheets missing as one list in order of lateness, merged as they are read: the first
/// ones in order of their start day, then this year's by contract number. Each of this year's
/// falls due on the year's last day, so none is late yet: the first ones that are late come before
/// all of them, and those that are not (contracts starting on the day) are merged with them.
#[derive(Default)]
pub(crate) struct MissingChecklists {
    not_late: std::collections::VecDeque<Entry>,
    sorted: bool,
}

impl MissingChecklists {
    /// Both lists, each in its order, as one.
    pub(crate) fn merged(first: Vec<Entry>, yearly: Vec<Entry>) -> Vec<Entry> {
        let mut merging = MissingChecklists::default();
        let mut missing: Vec<Entry> = first.into_iter().filter_map(|e| merging.first(e)).collect();
        for entry in yearly {
            missing.extend(merging.yearly(entry));
        }
        missing.extend(merging.rest());
        missing
    }

    /// A first check sheet missing: the entry to list now, or none when it waits to be merged.
    pub(crate) fn first(&mut self, entry: Entry) -> Option<Entry> {
        if entry.overdue() {
            return Some(entry);
        }
        self.not_late.push_back(entry);
        None
    }

    /// One of this year's, after every first one: the entries to list now, in order.
    pub(crate) fn yearly(&mut self, entry: Entry) -> Vec<Entry> {
        self.sort();
        let mut now = Vec::new();
        while self
            .not_late
            .front()
            .is_some_and(|first| lateness_order(first, &entry).is_le())
        {
            now.extend(self.not_late.pop_front());
        }
        now.push(entry);
        now
    }

    /// The entries still waiting, after the last of this year's.
    pub(crate) fn rest(mut self) -> std::collections::VecDeque<Entry> {
        self.sort();
        self.not_late
    }

    fn sort(&mut self) {
        if !self.sorted {
            self.not_late.make_contiguous().sort_by(lateness_order);
            self.sorted = true;
        }
    }
}
