//! A whole machine restored from a fuzzed snapshot and run for a while
//! (see papr_machine::fuzz_harness::machine_snapshot).
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use papr_machine::fuzz_harness::{machine_snapshot, SnapshotSeeds};

static SEEDS: OnceLock<SnapshotSeeds> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let seeds = SEEDS.get_or_init(|| {
        SnapshotSeeds::build(include_bytes!("../../guests/bin/mmu.elf"))
            .expect("the seed guest runs and saves")
    });
    machine_snapshot(seeds, data);
});
