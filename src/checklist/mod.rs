//! The outsourcing security check sheet: definitions as data and answers as people write them.
//! Pure: no HTTP, no SQL, no spreadsheets (those live in `excel::checksheet` and `excel::template`).

pub mod answer;
pub mod clauses;
pub mod definition;

pub use answer::{parse_answer, Answer};
pub use definition::{Asked, Definition, Item};
