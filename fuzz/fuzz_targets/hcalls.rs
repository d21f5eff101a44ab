//! Arbitrary HPT hcall sequences against one VM (see papr_hv::hpt::fuzz_harness).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    papr_hv::hpt::fuzz_harness::run(data);
});
