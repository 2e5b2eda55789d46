#![no_main]
//! The contract-ledger parser (.xlsx/.xls/.ods/.csv in any encoding) on any bytes.
use itaku::excel::Limits;
use itaku::services::ledger;
use libfuzzer_sys::fuzz_target;

// `excel::reader` turns a panic inside calamine into a refusal; libFuzzer's abort-on-panic hook would
// count those as crashes, so the default hook is put back. A panic that escapes still aborts.
fuzz_target!(init: drop(std::panic::take_hook()), |data: &[u8]| {
    let _ = ledger::parse(data, &Limits::default());
});
