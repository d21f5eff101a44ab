//! Decode throughput (words per second) over a realistic instruction mix and over random words.
//!
//! The realistic mix is synthesised from the instruction table with the frequencies of a
//! typical kernel profile in mind (loads/stores, adds, compares, branches dominate); random
//! words stress the invalid path. Results go in docs/PERFORMANCE.md.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use papr_isa::{decode, disassemble, Opcode};

const N: usize = 64 * 1024;

fn xorshift(seed: &mut u64) -> u32 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    #[allow(clippy::cast_possible_truncation)] // low half on purpose
    let v = *seed as u32;
    v
}

/// Common POWER9 kernel instructions (ld, std, addi, mr, bl, li, beq, cmpwi, lwz, rldicl, ...).
fn kernel_mix() -> Vec<u32> {
    let common: [u32; 16] = [
        0xe8630010, // ld r3,16(r3)
        0xf8410018, // std r2,24(r1)
        0x38630001, // addi r3,r3,1
        0x7c651b78, // mr r5,r3
        0x48000001, // bl
        0x38600000, // li r3,0
        0x41820010, // beq
        0x2c030000, // cmpwi r3,0
        0x80630000, // lwz r3,0(r3)
        0x78630020, // clrldi r3,r3,32
        0x7c0802a6, // mflr r0
        0x4e800020, // blr
        0x7c632214, // add r3,r3,r4
        0x60000000, // nop
        0x7c2004ac, // lwsync
        0x7d4048a8, // ldarx r10,0,r9
    ];
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let encodings: Vec<(Opcode, u32, u32)> = papr_isa::table::encodings().collect();
    (0..N)
        .map(|i| {
            let r = xorshift(&mut seed);
            if i % 4 == 3 {
                let (_, value, mask) = encodings[r as usize % encodings.len()];
                value | (xorshift(&mut seed) & !mask)
            } else {
                common[r as usize % common.len()]
            }
        })
        .collect()
}

fn random_words() -> Vec<u32> {
    let mut seed = 0x0123_4567_89ab_cdef_u64;
    (0..N).map(|_| xorshift(&mut seed)).collect()
}

fn bench(c: &mut Criterion) {
    let mix = kernel_mix();
    let random = random_words();
    let mut g = c.benchmark_group("decode");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("kernel_mix", |b| {
        b.iter(|| {
            let mut acc = 0u32;
            for &w in &mix {
                acc = acc.wrapping_add(decode(black_box(w)).op as u32);
            }
            acc
        });
    });
    g.bench_function("random_words", |b| {
        b.iter(|| {
            let mut acc = 0u32;
            for &w in &random {
                acc = acc.wrapping_add(decode(black_box(w)).op as u32);
            }
            acc
        });
    });
    g.finish();
    let mut g = c.benchmark_group("disassemble");
    g.throughput(Throughput::Elements(1024));
    g.bench_function("kernel_mix", |b| {
        b.iter(|| {
            mix[..1024]
                .iter()
                .enumerate()
                .map(|(i, &w)| disassemble(w, i as u64 * 4).len())
                .sum::<usize>()
        });
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
