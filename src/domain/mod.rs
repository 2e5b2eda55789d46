//! Pure domain values that cannot hold an invalid value; no HTTP, no SQL.

pub mod corporate_number;
pub mod dates;
pub mod email;
pub mod flags;
pub mod ids;
pub mod money;
pub mod text;
pub mod time;
pub mod vendor_identity;

pub use corporate_number::CorporateNumber;
pub use dates::{parse_date, wareki, FiscalYear};
pub use email::Email;
pub use flags::{parse_yes_no, Importance};
pub use ids::*;
pub use money::Yen;
pub use text::BoundedText;
pub use time::Timestamp;
pub use vendor_identity::{InvoiceNumber, VendorCode, VendorIdentifier, VendorIdentity};
pub mod contract;

pub use contract::{ContractDraft, ContractStatus, Period};
pub mod certification;
pub mod evidence_file;
pub mod fields;
pub mod incident;
pub mod incident_contact;
pub mod obligation;
pub mod reminder;
pub mod standing;
pub mod star;
pub mod suspension;
