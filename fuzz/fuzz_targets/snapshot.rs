//! The snapshot loader over arbitrary bytes (see papr_machine::fuzz_harness::snapshot).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    papr_machine::fuzz_harness::snapshot(data);
});
