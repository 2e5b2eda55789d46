//! The judgement of a day (`crate::judging`), assembled from the standings, served as the dashboard, a
//! contract's list of what it owes, JSON reports and logged .xlsx exports.

mod export;
mod json;
mod judged;
mod stream;
mod tables;
pub mod timeline;
pub mod trend;

pub use crate::judging::*;
pub use export::log_export;
pub use json::to_json;
pub use judged::{dashboard, owed_by};
pub use stream::{write_json, write_workbook};
pub use tables::tables_read;
