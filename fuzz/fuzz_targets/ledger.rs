#![no_main]
//! The contract-ledger parser (.xlsx/.xls/.ods/.csv in any encoding) on any bytes.
use itaku::excel::Limits;
use itaku::services::ledger;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = ledger::parse(data, &Limits::default());
});
