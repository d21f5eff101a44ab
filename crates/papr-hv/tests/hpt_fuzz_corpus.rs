//! Runs the HPT hcall fuzz harness over the committed corpus (fuzz/corpus/hcalls) and over
//! pseudo-random inputs, on stable, as part of `cargo test`.
// Test and benchmark code: the casts are on small, known values.
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss
)]

use std::path::PathBuf;

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/hcalls")
}

#[test]
fn committed_corpus() {
    let dir = corpus_dir();
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("fuzz/corpus/hcalls exists") {
        let path = entry.unwrap().path();
        if path.is_file() {
            papr_hv::hpt::fuzz_harness::run(&std::fs::read(&path).unwrap());
            n += 1;
        }
    }
    assert!(n > 0, "the corpus in {} is empty", dir.display());
}

#[test]
fn random_inputs() {
    let mut x = 0x2545_f491_4f6c_dd1du64;
    for len in 0..300usize {
        let data: Vec<u8> = (0..len * 4)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect();
        papr_hv::hpt::fuzz_harness::run(&data);
    }
}
