#![no_main]
//! The check-sheet reader on any bytes: it must answer accepted or refused, never panic or hang.
use itaku::checklist::Definition;
use itaku::excel::{checksheet, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = checksheet::read(data, &Definition::builtin(), &Limits::default());
});
