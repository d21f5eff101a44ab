//! The platform's guest-facing services (OF client interface, RTAS, CAS, platform hcalls)
//! over arbitrary guest memory (see papr_machine::fuzz_harness::platform).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    papr_machine::fuzz_harness::platform(data);
});
