#![no_main]
//! The certification-list parser on any bytes.
use itaku::excel::Limits;
use itaku::services::certifications::{parse_list, ImportReport};
use libfuzzer_sys::fuzz_target;

// `excel::reader` turns a panic inside calamine into a refusal; libFuzzer's abort-on-panic hook would
// count those as crashes, so the default hook is put back. A panic that escapes still aborts.
fuzz_target!(init: drop(std::panic::take_hook()), |data: &[u8]| {
    let mut report = ImportReport::default();
    let _ = parse_list(data, &Limits::default(), &mut report);
});
