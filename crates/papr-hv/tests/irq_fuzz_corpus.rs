//! Runs the interrupt-controller fuzz harness over the committed corpus (fuzz/corpus/irq) and
//! over pseudo-random inputs, on stable, as part of `cargo test`.

use std::path::PathBuf;

use papr_hv::irq::fuzz_harness::{run_with_stats, Stats};

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/irq")
}

/// Every committed input runs clean, and together they reach the deep paths: both device
/// types, device interrupts and IPIs accepted through XICS, events delivered through a XIVE
/// queue and acknowledged, releases, including one held back by a mapping.
#[test]
fn committed_corpus() {
    let dir = corpus_dir();
    let mut n = 0;
    let mut total = Stats::default();
    for entry in std::fs::read_dir(&dir).expect("fuzz/corpus/irq exists") {
        let path = entry.expect("a directory entry").path();
        if path.is_file() {
            let s = run_with_stats(&std::fs::read(&path).expect("readable"));
            total.steps += s.steps;
            total.created[0] += s.created[0];
            total.created[1] += s.created[1];
            total.xics_device_accepts += s.xics_device_accepts;
            total.xics_ipi_accepts += s.xics_ipi_accepts;
            total.xive_event_acks += s.xive_event_acks;
            total.releases += s.releases;
            total.releases_by_mapping += s.releases_by_mapping;
            n += 1;
        }
    }
    assert!(n > 0, "the corpus in {} is empty", dir.display());
    assert!(total.created[0] > 0 && total.created[1] > 0, "{total:?}");
    assert!(total.xics_device_accepts > 0, "{total:?}");
    assert!(total.xics_ipi_accepts > 0, "{total:?}");
    assert!(total.xive_event_acks > 0, "{total:?}");
    assert!(total.releases > 0, "{total:?}");
    assert!(total.releases_by_mapping > 0, "{total:?}");
}

#[test]
fn random_inputs() {
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    for len in 0..400usize {
        let data: Vec<u8> = (0..len * 3)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x.to_le_bytes()[3]
            })
            .collect();
        papr_hv::irq::fuzz_harness::run(&data);
    }
}
