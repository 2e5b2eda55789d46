//! What every contract owes on a given day (`as_of`): data retained past the deletion deadline,
//! audit reports overdue, certificates expired or expiring, check sheets missing or returned, and the
//! KPIs of the policy goals. The lists come from the standings (`db::standings::judged`); this module
//! words them, counts them by department and vendor, and ranks them. The dashboard, the API, the CLI
//! reports, the Excel writer and a vendor's to-do list all read the one `Dashboard` made of them.

mod certificates;
mod kpi;
mod report_kind;
mod types;

pub use certificates::{certificate_entry, current, Certified, Counting};
pub use kpi::kpi;
pub use report_kind::ReportKind;
pub use types::*;

pub use crate::db::standings::judged::By;
use crate::domain::ids::{DepartmentId, VendorId};
use rustc_hash::FxHashMap;
use std::cmp::Reverse;

/// Which count of a tally a list adds to.
pub type Counter = fn(&mut Tally) -> &mut usize;

/// The names of the departments and vendors counted, each list sorted by id.
pub struct Names<'a> {
    pub departments: &'a [(DepartmentId, String)],
    pub vendors: &'a [(VendorId, String)],
}

/// The name of `id` in `names` (sorted by id); empty when it has none.
fn name_in<I: Ord + Copy>(names: &[(I, String)], id: I) -> &str {
    names
        .binary_search_by_key(&id, |(id, _)| *id)
        .map_or("", |at| names[at].1.as_str())
}

/// The counts by department and by vendor, gathered as the lists are counted. A tally whose counts
/// are all 0 (brought forward from one whose were not) is as if there were none.
#[derive(Default)]
pub struct Tallying {
    departments: Gathered,
    vendors: Gathered,
}

impl Tallying {
    /// The tally of the department or vendor `by`, begun when first asked for.
    pub fn of(&mut self, by: By) -> &mut Tally {
        match by {
            By::Department(id) => self.departments.of(id.get()),
            By::Vendor(id) => self.vendors.of(id.get()),
        }
    }

    /// Room for this many departments' and vendors' tallies, so that they are not copied as
    /// they come.
    pub fn reserve(&mut self, departments: usize, vendors: usize) {
        self.departments.reserve(departments);
        self.vendors.reserve(vendors);
    }

    /// A copy with room for more tallies: a copy made exactly to size was copied whole once more
    /// at the first tally added to it.
    pub fn copy_with_room(&self) -> Tallying {
        Tallying {
            departments: self.departments.copy_with_room(),
            vendors: self.vendors.copy_with_room(),
        }
    }

    /// About how many bytes the tallies take.
    pub fn size(&self) -> usize {
        self.departments.size() + self.vendors.size()
    }

    /// Every vendor tallied, once each.
    pub fn vendors(&self) -> impl Iterator<Item = VendorId> + '_ {
        self.vendors.counting().map(|t| VendorId::new(t.id))
    }

    /// The first `first` by department and of those by vendor, those with the most retention
    /// violations and overdue audits first, and how many there are.
    pub fn ranked(self, names: &Names<'_>, first: usize) -> (Vec<Tally>, Vec<Tally>, Tallied) {
        let tallied = Tallied {
            departments: self.departments.counting().count(),
            vendors: self.vendors.counting().count(),
        };
        let departments = self.departments.ranked(first, |id| {
            name_in(names.departments, DepartmentId::new(id))
        });
        let vendors = self
            .vendors
            .ranked(first, |id| name_in(names.vendors, VendorId::new(id)));
        (departments, vendors, tallied)
    }
}

/// Ids below this are found by indexing (`Gathered::dense`), the rest by hashing.
const DENSE_IDS: usize = 1 << 22;

/// Tallies gathered by id, in the order first counted.
#[derive(Default)]
struct Gathered {
    /// Where the tally of each id below `DENSE_IDS` is, plus one (0: none yet). Ids are a table's
    /// row ids, dense from 1, and counts come in id order table after table: indexing reads this
    /// and the tallies in order, where a hash map's probes missed the cache at every count.
    dense: Vec<u32>,
    sparse: FxHashMap<i64, usize>,
    tallies: Vec<Tally>,
}

impl Gathered {
    fn of(&mut self, id: i64) -> &mut Tally {
        let at = match usize::try_from(id).ok().filter(|slot| *slot < DENSE_IDS) {
            Some(slot) => {
                if slot >= self.dense.len() {
                    self.dense.resize(slot + 1, 0);
                }
                match self.dense[slot] {
                    0 => {
                        self.dense[slot] = self.tallies.len() as u32 + 1;
                        self.begin(id)
                    }
                    at => at as usize - 1,
                }
            }
            None => match self.sparse.get(&id) {
                Some(at) => *at,
                None => {
                    self.sparse.insert(id, self.tallies.len());
                    self.begin(id)
                }
            },
        };
        &mut self.tallies[at]
    }

    fn copy_with_room(&self) -> Gathered {
        let mut tallies = Vec::with_capacity(self.tallies.len() + self.tallies.len() / 4 + 16);
        tallies.extend_from_slice(&self.tallies);
        Gathered {
            dense: self.dense.clone(),
            sparse: self.sparse.clone(),
            tallies,
        }
    }

    fn size(&self) -> usize {
        let tallies = self.tallies.capacity() * std::mem::size_of::<Tally>();
        let sparse = self.sparse.capacity() * 2 * std::mem::size_of::<i64>();
        tallies + self.dense.capacity() * std::mem::size_of::<u32>() + sparse
    }

    /// The tallies that count something.
    fn counting(&self) -> impl Iterator<Item = &Tally> {
        self.tallies.iter().filter(|t| t.total() > 0)
    }

    fn reserve(&mut self, tallies: usize) {
        self.tallies
            .reserve(tallies.saturating_sub(self.tallies.len()));
    }

    /// A new tally of `id`, and where it is.
    fn begin(&mut self, id: i64) -> usize {
        self.tallies.push(Tally {
            id,
            ..Default::default()
        });
        self.tallies.len() - 1
    }

    /// The first `first`, named and ranked: by retention violations, overdue audits and everything
    /// open, most first, then by name and id. The keys are worked out once, not at each comparison;
    /// only the tallies that can be among the first are named (at prefecture scale, naming every
    /// vendor was a tenth of a dashboard), and only the first are sorted.
    fn ranked<'a>(self, first: usize, name_of: impl Fn(i64) -> &'a str) -> Vec<Tally> {
        let mut tallies = self.tallies;
        let most = |t: &Tally| Reverse([t.retention_violations, t.audits_overdue, t.total()]);
        let mut counted: Vec<_> = tallies
            .iter()
            .enumerate()
            .filter(|(_, t)| t.total() > 0)
            .map(|(at, t)| (most(t), at))
            .collect();
        if first < counted.len() {
            // Those counting fewer than the `first`-th cannot be among the first, whatever their name.
            let (_, &mut (last, _), _) = counted.select_nth_unstable(first.saturating_sub(1));
            counted.retain(|(most, _)| *most <= last);
        }
        let mut order: Vec<_> = counted
            .into_iter()
            .map(|(most, at)| (most, name_of(tallies[at].id), tallies[at].id, at))
            .collect();
        if first < order.len() {
            order.select_nth_unstable(first);
            order.truncate(first);
        }
        order.sort_unstable();
        order
            .into_iter()
            .map(|(_, name, _, at)| Tally {
                name: name.to_owned(),
                ..std::mem::take(&mut tallies[at])
            })
            .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tallies_rank_by_retention_then_audits_then_all_open_then_name_and_id() {
        // Vendors by their ids, the department by its id negated.
        let counts: [(i64, Counter, usize); 11] = [
            (1, |t| &mut t.checklists_missing, 9),
            (2, |t| &mut t.audits_overdue, 1),
            (3, |t| &mut t.retention_violations, 1),
            (4, |t| &mut t.audits_overdue, 1),
            (4, |t| &mut t.checklists_missing, 1),
            (5, |t| &mut t.checklists_missing, 9),
            (6, |t| &mut t.checklists_missing, 9),
            (6, |t| &mut t.checklists_missing, 1),
            (8, |t| &mut t.checklists_missing, 9),
            // An id too large to be indexed is hashed.
            (5_000_000_000, |t| &mut t.checklists_missing, 9),
            (-7, |t| &mut t.retention_violations, 2),
        ];
        let counts = counts.map(|(id, counter, n)| match id {
            1.. => (By::Vendor(VendorId::new(id)), counter, n),
            _ => (By::Department(DepartmentId::new(-id)), counter, n),
        });
        let vendors = [
            (1, "乙"),
            (2, "甲"),
            (3, "丙"),
            (4, "丁"),
            (5, "乙"),
            (6, "戊"),
            (8, "丁"),
            (5_000_000_000, "乙"),
        ]
        .map(|(id, name)| (VendorId::new(id), name.to_string()));
        let departments = [(DepartmentId::new(7), "総務課".to_string())];
        let names = Names {
            departments: &departments,
            vendors: &vendors,
        };
        let tallies = |first| {
            let mut tallying = Tallying::default();
            for (by, counter, n) in counts {
                *counter(tallying.of(by)) += n;
            }
            tallying.ranked(&names, first)
        };
        let (by_department, by_vendor, tallied) = tallies(usize::MAX);
        assert_eq!((tallied.departments, tallied.vendors), (1, 8));
        for first in 0..=by_vendor.len() + 1 {
            let (_, ranked, _) = tallies(first);
            let shown = first.min(by_vendor.len());
            assert_eq!(ranked[..], by_vendor[..shown], "the first {first}");
        }
        let ranked: Vec<(i64, &str, usize)> = by_vendor
            .iter()
            .map(|t| (t.id, t.name.as_str(), t.total()))
            .collect();
        assert_eq!(
            ranked,
            [
                (3, "丙", 1),
                (4, "丁", 2),
                (2, "甲", 1),
                (6, "戊", 10),
                (8, "丁", 9),
                (1, "乙", 9),
                (5, "乙", 9),
                (5_000_000_000, "乙", 9)
            ]
        );
        assert_eq!(
            (
                by_department[0].name.as_str(),
                by_department[0].retention_violations
            ),
            ("総務課", 2)
        );
    }
}
