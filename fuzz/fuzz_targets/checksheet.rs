#![no_main]
//! The check-sheet reader on any bytes: it must answer accepted or refused, never panic or hang.
use itaku::checklist::Definition;
use itaku::excel::{checksheet, Limits};
use libfuzzer_sys::fuzz_target;

// `excel::reader` turns a panic inside calamine into a refusal; libFuzzer's abort-on-panic hook would
// count those as crashes, so the default hook is put back. A panic that escapes still aborts.
fuzz_target!(init: drop(std::panic::take_hook()), |data: &[u8]| {
    let _ = checksheet::read(data, &Definition::builtin(), &Limits::default());
});
