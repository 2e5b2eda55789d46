//! The ids of stored records, one type per table, so that a vendor's id cannot be passed where a
//! contract's is expected. `db::ids` reads and writes them as integers; `web::ids` reads them from
//! paths, answering 404 for anything that is not a positive number.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A path segment or field that is not a record id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotAnId;

impl fmt::Display for NotAnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("正の整数で指定してください")
    }
}

impl std::error::Error for NotAnId {}

/// Applies a macro to every record id type: here to define them, in `db` and `web` to implement the
/// traits of those layers.
#[macro_export]
#[doc(hidden)]
macro_rules! for_each_record_id {
    ($apply:ident) => {
        $apply!(ContractId);
        $apply!(VendorId);
        $apply!(DepartmentId);
        $apply!(UserId);
        $apply!(SubmissionId);
        $apply!(CertificationId);
        $apply!(AuditReportId);
        $apply!(DeletionId);
        $apply!(FileId);
        $apply!(TenderId);
        $apply!(BidderId);
        $apply!(RequestId);
        $apply!(NotificationId);
        $apply!(TokenId);
        $apply!(LedgerUploadId);
        $apply!(PolicyId);
        $apply!(BidSheetId);
        $apply!(AuditEntryId);
        $apply!(SubcontractorId);
        $apply!(CorrectiveActionId);
        $apply!(ClauseObligationId);
        $apply!(ClauseSubmissionId);
        $apply!(IncidentId);
        $apply!(SuspensionId);
    };
}

macro_rules! record_id {
    ($name:ident) => {
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(i64);

        impl $name {
            /// An id as the database issued it.
            pub const fn new(raw: i64) -> Self {
                $name(raw)
            }

            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = NotAnId;

            fn from_str(text: &str) -> Result<Self, NotAnId> {
                match text.parse::<i64>() {
                    Ok(raw) if raw > 0 => Ok($name(raw)),
                    _ => Err(NotAnId),
                }
            }
        }
    };
}

for_each_record_id!(record_id);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_positive_number_is_an_id() {
        assert_eq!("12".parse::<ContractId>(), Ok(ContractId::new(12)));
        for junk in ["0", "-3", "abc", "", "1e3", "99999999999999999999"] {
            assert_eq!(junk.parse::<ContractId>(), Err(NotAnId), "{junk}");
        }
    }

    #[test]
    fn an_id_is_a_plain_number_in_json() {
        assert_eq!(serde_json::to_string(&VendorId::new(7)).unwrap(), "7");
        assert_eq!(
            serde_json::from_str::<VendorId>("7").unwrap(),
            VendorId::new(7)
        );
    }
}
