//! Runs the platform and snapshot fuzz harnesses over their committed corpora
//! (fuzz/corpus/{platform,snapshot,machine_snapshot,interp}) and pseudo-random inputs, on stable,
//! under `cargo test`.

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

#[test]
fn machine_snapshot_corpus_and_random_inputs() {
    let elf =
        std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../guests/bin/mmu.elf"))
            .unwrap();
    let seeds = papr_machine::fuzz_harness::SnapshotSeeds::build(&elf).unwrap();
    // The unedited seeds restore and run (odd first byte, no edits): the harness reaches the
    // machine, not only the container checks.
    for i in 0..2u8 {
        let stream = seeds.stream(usize::from(i));
        let mut r = papr_machine::snapshot::stream::SectionReader::new(&stream[..]).unwrap();
        let host = papr_machine::machine::save::Host::default();
        papr_machine::machine::Machine::restore_snapshot(&mut r, &host, Box::new(std::io::sink()))
            .unwrap_or_else(|e| panic!("seed {i}: {e}"));
        papr_machine::fuzz_harness::machine_snapshot(&seeds, &[1 + 2 * i]);
    }
    let mut inputs = corpus("machine_snapshot");
    // Raw streams: a seed cut short and with bytes flipped (even first byte: taken as is).
    let whole = seeds.stream(0);
    for cut in [0, 5, 17, 40, whole.len() / 3, whole.len() - 1] {
        inputs.push(whole[..cut].to_vec());
    }
    // Edits of the seeds: pseudo-random ops, with an odd first byte.
    for mut ops in pseudo_random(120, 13) {
        if let Some(b) = ops.first_mut() {
            *b |= 1;
        }
        inputs.push(ops);
    }
    for input in &inputs {
        papr_machine::fuzz_harness::machine_snapshot(&seeds, input);
    }
}

#[test]
fn interp_corpus_blocks_match_single_fetch() {
    for input in corpus("interp") {
        if let Err(e) = papr_cpu::interp::differential::block_vs_single(&input) {
            panic!("{e}");
        }
    }
}
