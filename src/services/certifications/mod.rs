//! Certifications per vendor: recorded by the vendor itself or by staff, one at a time with its
//! certificate file, or in bulk from the vendor list a municipality keeps in Excel.

mod import;
mod list;
mod records;
mod surveillance;

pub use import::*;
pub use list::*;
pub use records::*;
pub use surveillance::*;
