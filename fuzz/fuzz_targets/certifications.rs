#![no_main]
//! The certification-list parser on any bytes.
use itaku::excel::Limits;
use itaku::services::certifications::{parse_list, ImportReport};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut report = ImportReport::default();
    let _ = parse_list(data, &Limits::default(), &mut report);
});
