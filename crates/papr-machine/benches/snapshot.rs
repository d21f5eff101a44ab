//! Snapshot save and restore of a 1 GiB machine whose RAM holds what a booted Debian guest's
//! does (11 264 non-zero 4 KiB pages, 44 MiB, in the same regions), to and from memory — with
//! a memcpy of those 44 MiB from DRAM as the physical reference in the same run.
//! Numbers go in docs/PERFORMANCE.md; scripts/bench-migration.py measures the same paths
//! end to end beside QEMU.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use papr_machine::config::MachineConfig;
use papr_machine::machine::save::Host;
use papr_machine::machine::{BootImages, Machine};
use papr_machine::snapshot::stream::SectionReader;

const RAM: u64 = 1 << 30;
/// Non-zero page runs of a Debian 6.1 guest at its shell prompt (MiB offset, pages).
const USED: &[(u64, u64)] = &[
    (0, 4062),
    (16, 319),
    (32, 2482),
    (48, 1162),
    (64, 1968),
    (752, 407),
    (1008, 818),
];

fn machine() -> Machine {
    let elf = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../guests/bin/hello.elf"
    ))
    .expect("guests/bin/hello.elf");
    let cfg = MachineConfig {
        ram_bytes: RAM,
        ..MachineConfig::default()
    };
    let images = BootImages {
        kernel_name: "hello.elf".into(),
        kernel: elf,
        initrd: None,
        bios: None,
    };
    let mut m = Machine::new(cfg, images, Box::new(std::io::sink())).expect("machine");
    let _ = m.run(Some(10_000));
    let mut page = [0u8; 4096];
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    for &(mib, pages) in USED {
        for p in 0..pages {
            for w in page.chunks_mut(8) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                w.copy_from_slice(&x.to_le_bytes());
            }
            m.vm()
                .ram()
                .write((mib << 20) + p * 4096, &page)
                .expect("in RAM");
        }
    }
    m
}

fn used_bytes() -> u64 {
    USED.iter().map(|&(_, p)| p * 4096).sum()
}

fn snapshot(c: &mut Criterion) {
    let mut m = machine();
    let bytes = m.save_snapshot(Vec::new()).expect("save");
    let mut g = c.benchmark_group("snapshot");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(RAM));
    g.bench_function("save_1GiB_44MiB_used", |b| {
        b.iter(|| {
            black_box(
                m.save_snapshot(Vec::with_capacity(bytes.len()))
                    .expect("save"),
            )
        })
    });
    g.bench_function("restore_1GiB_44MiB_used", |b| {
        b.iter(|| {
            let mut r = SectionReader::new(&bytes[..]).expect("header");
            let m = Machine::restore_snapshot(&mut r, &Host::default(), Box::new(std::io::sink()))
                .expect("restore");
            black_box(m.retired())
        })
    });
    g.finish();

    // The reference: the same 44 MiB copied from DRAM (slices of a 1 GiB buffer in turn).
    let mut g = c.benchmark_group("reference");
    let n = usize::try_from(used_bytes()).expect("fits");
    g.throughput(Throughput::Bytes(used_bytes()));
    let big = 1 << 30;
    let src = vec![0x5au8; big];
    let mut dst = vec![0u8; n];
    let mut k = 0;
    g.bench_function("memcpy_44MiB_cold", |b| {
        b.iter(|| {
            let off = (k % (big / n)) * n;
            k += 7;
            dst.copy_from_slice(black_box(&src[off..off + n]));
            black_box(&dst);
        })
    });
    g.finish();
}

criterion_group!(benches, snapshot);
criterion_main!(benches);
