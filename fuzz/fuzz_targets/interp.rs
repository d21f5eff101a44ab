//! The interpreter's decoded blocks against one-instruction-at-a-time fetching, on arbitrary
//! register values, MSR and code (see papr_cpu::interp::differential): any difference in the
//! architected state or RAM, or any panic, is a finding.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = papr_cpu::interp::differential::block_vs_single(data) {
        panic!("{e}");
    }
});
