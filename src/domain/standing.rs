//! A contract's standings: the facts its obligations are judged on, derived from its records. They
//! hold no rule that a setting can change (warning windows, which contracts owe audits, the days
//! allowed after a fiscal year): the reports apply those when they judge a day, so the same rows serve
//! every setting and every day.

use super::ids::{ContractId, DepartmentId, VendorId};
use super::FiscalYear;
use chrono::NaiveDate;

/// The contract fields its standings repeat, to be grouped and filtered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holder {
    pub contract_id: ContractId,
    pub department_id: DepartmentId,
    pub vendor_id: VendorId,
    pub important: bool,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
}

/// A review of proof a contract sent (a deletion certificate, an audit report), in the order sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proof {
    /// The fiscal year an audit report is for; `None` for a deletion certificate.
    pub fiscal_year: Option<i32>,
    /// `submitted`, `accepted` or `returned`.
    pub status: String,
    pub accepted_on: Option<NaiveDate>,
    /// The subcontractors whose copies a deletion certificate states were deleted (their ids).
    pub covers: Vec<i64>,
}

/// A check-sheet version as uploaded, in version order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub version: i64,
    /// The day in Japan it was uploaded.
    pub uploaded_on: NaiveDate,
    pub status: String,
    /// The day in Japan it was reviewed, if it was.
    pub reviewed_on: Option<NaiveDate>,
}

/// Everything a contract's standings are derived from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Records {
    pub holder: Holder,
    pub deletion_deadline: NaiveDate,
    pub deletions: Vec<Proof>,
    pub audits: Vec<Proof>,
    pub uploads: Vec<Upload>,
    /// The subcontractors that handled the contract's data (ids; refused applications left out):
    /// each needs an accepted deletion certificate that lists it.
    pub data_holders: Vec<i64>,
}

/// One per contract: the deletion certificate owed after the end, and the first check sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractStanding {
    pub holder: Holder,
    pub deletion_deadline: NaiveDate,
    /// The day deletion was proven: the first deletion certificate to be accepted, and for each
    /// subcontractor that handled the data, the first accepted one that lists it (the latest of these).
    pub deletion_accepted_on: Option<NaiveDate>,
    /// The latest certificate's state when it is not accepted (`submitted` or `returned`).
    pub deletion_submission: Option<String>,
    pub first_checklist_on: Option<NaiveDate>,
}

/// The audit report a contract owes for one fiscal year it runs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditStanding {
    pub holder: Holder,
    pub fiscal_year: i32,
    /// Owed from the later of the contract's start and the year's first day.
    pub owed_from: NaiveDate,
    pub year_end: NaiveDate,
    pub accepted_on: Option<NaiveDate>,
    /// Days from the year's end to the acceptance (negative when accepted before it ended).
    pub accepted_after_year_end: Option<i64>,
    pub submission: Option<String>,
}

/// A check-sheet version and the days on which it is the contract's latest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecklistStanding {
    pub holder: Holder,
    pub version: i64,
    pub uploaded_on: NaiveDate,
    /// The day the next version was uploaded.
    pub superseded_on: Option<NaiveDate>,
    pub status: String,
    /// The day it was returned for correction, when it was.
    pub returned_on: Option<NaiveDate>,
}

/// A contract's standings, as its records make them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standings {
    pub contract: ContractStanding,
    pub audits: Vec<AuditStanding>,
    pub checklists: Vec<ChecklistStanding>,
}

impl Standings {
    pub fn of(records: &Records) -> Self {
        let holder = records.holder;
        let (deletion_accepted_on, deletion_submission) = reviewed(&records.deletions);
        let deletion_accepted_on = deletion_accepted_on
            .and_then(|vendor| deletion_proven(vendor, &records.deletions, &records.data_holders));
        let first = FiscalYear::of(holder.start_date).start_year();
        let last = FiscalYear::of(holder.end_date).start_year();
        let audits = (first..=last)
            .filter_map(FiscalYear::new)
            .map(|year| {
                let of_year: Vec<Proof> = records
                    .audits
                    .iter()
                    .filter(|proof| proof.fiscal_year == Some(year.start_year()))
                    .cloned()
                    .collect();
                let (accepted_on, submission) = reviewed(&of_year);
                AuditStanding {
                    holder,
                    fiscal_year: year.start_year(),
                    owed_from: holder.start_date.max(year.first_day()),
                    year_end: year.last_day(),
                    accepted_on,
                    accepted_after_year_end: accepted_on
                        .map(|accepted| (accepted - year.last_day()).num_days()),
                    submission,
                }
            })
            .collect();
        let checklists = records
            .uploads
            .iter()
            .enumerate()
            .map(|(at, upload)| ChecklistStanding {
                holder,
                version: upload.version,
                uploaded_on: upload.uploaded_on,
                superseded_on: records.uploads.get(at + 1).map(|next| next.uploaded_on),
                status: upload.status.clone(),
                returned_on: upload.reviewed_on.filter(|_| upload.status == "returned"),
            })
            .collect();
        Standings {
            contract: ContractStanding {
                holder,
                deletion_deadline: records.deletion_deadline,
                deletion_accepted_on,
                deletion_submission,
                first_checklist_on: records.uploads.first().map(|upload| upload.uploaded_on),
            },
            audits,
            checklists,
        }
    }
}

/// The day the last of the data holders' deletions was proven (from `vendor`, the day the vendor's
/// was), or `None` while a holder has no accepted certificate listing it.
fn deletion_proven(vendor: NaiveDate, deletions: &[Proof], holders: &[i64]) -> Option<NaiveDate> {
    holders.iter().try_fold(vendor, |latest, holder| {
        deletions
            .iter()
            .filter(|proof| proof.status == "accepted" && proof.covers.contains(holder))
            .filter_map(|proof| proof.accepted_on)
            .min()
            .map(|day| latest.max(day))
    })
}

/// The earliest acceptance day of proofs sent in order, and the latest proof's state unless accepted.
fn reviewed(proofs: &[Proof]) -> (Option<NaiveDate>, Option<String>) {
    let accepted_on = proofs
        .iter()
        .filter(|proof| proof.status == "accepted")
        .filter_map(|proof| proof.accepted_on)
        .min();
    let open = proofs
        .last()
        .filter(|proof| proof.status != "accepted")
        .map(|proof| proof.status.clone());
    (accepted_on, open)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn records() -> Records {
        Records {
            holder: Holder {
                contract_id: ContractId::new(7),
                department_id: DepartmentId::new(1),
                vendor_id: VendorId::new(2),
                important: true,
                start_date: d(2025, 10, 1),
                end_date: d(2027, 3, 31),
            },
            deletion_deadline: d(2027, 4, 30),
            deletions: Vec::new(),
            audits: Vec::new(),
            uploads: Vec::new(),
            data_holders: Vec::new(),
        }
    }

    fn proof(year: Option<i32>, status: &str, accepted_on: Option<NaiveDate>) -> Proof {
        Proof {
            fiscal_year: year,
            status: status.into(),
            accepted_on,
            covers: Vec::new(),
        }
    }

    #[test]
    fn deletion_is_proven_only_when_every_subcontractor_holding_data_is_listed() {
        let mut records = records();
        records.data_holders = vec![11, 12];
        let mut vendor = proof(None, "accepted", Some(d(2027, 4, 10)));
        vendor.covers = vec![11];
        records.deletions.push(vendor);
        assert_eq!(
            Standings::of(&records).contract.deletion_accepted_on,
            None,
            "subcontractor 12 has no certificate"
        );
        let mut own = proof(None, "returned", None);
        own.covers = vec![12];
        records.deletions.push(own);
        assert_eq!(Standings::of(&records).contract.deletion_accepted_on, None);
        let mut own = proof(None, "accepted", Some(d(2027, 5, 9)));
        own.covers = vec![12];
        records.deletions.push(own);
        assert_eq!(
            Standings::of(&records).contract.deletion_accepted_on,
            Some(d(2027, 5, 9)),
            "proven when the last holder's was accepted"
        );
        records.data_holders.clear();
        assert_eq!(
            Standings::of(&records).contract.deletion_accepted_on,
            Some(d(2027, 4, 10))
        );
    }

    #[test]
    fn every_fiscal_year_the_contract_runs_in_owes_a_report_from_its_first_day_or_the_start() {
        let standings = Standings::of(&records());
        let years: Vec<(i32, NaiveDate, NaiveDate)> = standings
            .audits
            .iter()
            .map(|a| (a.fiscal_year, a.owed_from, a.year_end))
            .collect();
        assert_eq!(
            years,
            vec![
                (2025, d(2025, 10, 1), d(2026, 3, 31)),
                (2026, d(2026, 4, 1), d(2027, 3, 31)),
            ]
        );
    }

    #[test]
    fn the_first_acceptance_counts_and_a_newer_open_proof_is_shown() {
        let mut records = records();
        records.deletions = vec![
            proof(None, "returned", None),
            proof(None, "accepted", Some(d(2027, 5, 9))),
            proof(None, "submitted", None),
        ];
        records.audits = vec![
            proof(Some(2025), "accepted", Some(d(2026, 3, 1))),
            proof(Some(2026), "returned", None),
        ];
        let standings = Standings::of(&records);
        assert_eq!(standings.contract.deletion_accepted_on, Some(d(2027, 5, 9)));
        assert_eq!(
            standings.contract.deletion_submission.as_deref(),
            Some("submitted")
        );
        assert_eq!(standings.audits[0].accepted_on, Some(d(2026, 3, 1)));
        assert_eq!(standings.audits[0].submission, None);
        assert_eq!(standings.audits[1].accepted_on, None);
        assert_eq!(standings.audits[1].submission.as_deref(), Some("returned"));
    }

    #[test]
    fn a_check_sheet_version_is_the_latest_until_the_next_is_uploaded() {
        let mut records = records();
        let upload = |version, day, status: &str| Upload {
            version,
            uploaded_on: day,
            status: status.into(),
            reviewed_on: (status != "submitted").then_some(day),
        };
        records.uploads = vec![
            upload(1, d(2025, 9, 20), "returned"),
            upload(2, d(2025, 9, 25), "approved"),
        ];
        let standings = Standings::of(&records);
        assert_eq!(standings.contract.first_checklist_on, Some(d(2025, 9, 20)));
        assert_eq!(standings.checklists[0].superseded_on, Some(d(2025, 9, 25)));
        assert_eq!(standings.checklists[1].superseded_on, None);
    }
}
