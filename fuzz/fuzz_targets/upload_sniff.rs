#![no_main]
//! The checks every upload passes before a parser sees it: what the bytes are, and the ZIP guard.
use itaku::domain::evidence_file;
use itaku::excel::{guard, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = evidence_file::sniff(data);
    let _ = guard::check(data, &Limits::default());
});
