//! Runs the platform and snapshot fuzz harnesses over their committed corpora
//! (fuzz/corpus/{platform,snapshot}) and pseudo-random inputs, on stable, under `cargo test`.

use std::path::PathBuf;

fn corpus(name: &str) -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(name);
    let mut out = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let p = e.unwrap().path();
        if p.is_file() {
            out.push(std::fs::read(p).unwrap());
        }
    }
    assert!(!out.is_empty(), "the corpus in {} is empty", dir.display());
    out
}

fn pseudo_random(n: usize, seed: u64) -> Vec<Vec<u8>> {
    let mut x = seed;
    (0..n)
        .map(|len| {
            (0..len * 13)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x.to_le_bytes()[3]
                })
                .collect()
        })
        .collect()
}

#[test]
fn platform_corpus_and_random_inputs() {
    for input in corpus("platform")
        .iter()
        .chain(pseudo_random(200, 7).iter())
    {
        papr_machine::fuzz_harness::platform(input);
    }
}

#[test]
fn snapshot_corpus_and_random_inputs() {
    for input in corpus("snapshot")
        .iter()
        .chain(pseudo_random(200, 11).iter())
    {
        papr_machine::fuzz_harness::snapshot(input);
    }
}
