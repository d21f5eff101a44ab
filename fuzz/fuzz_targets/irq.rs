//! Arbitrary interrupt-controller hcall, ESB and TIMA access sequences (see
//! papr_hv::irq::fuzz_harness).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    papr_hv::irq::fuzz_harness::run(data);
});
