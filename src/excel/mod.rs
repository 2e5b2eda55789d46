//! Spreadsheets in and out, with no knowledge of HTTP or SQL: every upload is checked by `guard`
//! before a parser sees it, and read into a sparse `Table` whatever its format.

pub mod checksheet;
mod compound;
pub mod evaluation;
pub mod guard;
pub mod header;
pub mod inspect;
pub mod reader;
pub mod table;
pub mod template;
pub mod writer;
pub mod xls_crypto;

pub use guard::{Limits, ReadError};
pub use reader::read_tables;
pub use table::{column_letter, Cell, Row, Table};
