//! Hot paths of the hashed page table: H_ENTER + H_REMOVE pairs, a resize commit of a full
//! order-24 table grown to 25, and HTAB stream save — with memcpy bandwidth measured in the same
//! run as the physical reference. Numbers go in docs/PERFORMANCE.md.
// Test and benchmark code: the casts are on small, known values.
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss
)]

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use papr_hv::hcall::{flags, nr, HcallArgs};
use papr_hv::{Vm, VmConfig};

const GIB: u64 = 1 << 30;

fn args(a: &[u64]) -> HcallArgs {
    let mut x = [0; 9];
    x[..a.len()].copy_from_slice(a);
    x
}

/// dword 0 of a 256 MB-segment, 4K-page mapping of page `page` in segment `vsid`.
fn v_4k(vsid: u64, page: u64, bolted: bool) -> u64 {
    let va23 = (vsid << 5) | (page >> 11);
    ((va23 << 7) & 0x3fff_ffff_ffff_ff80) | if bolted { 0x10 } else { 0 } | 1
}

fn memcpy_reference(c: &mut Criterion) {
    let mut g = c.benchmark_group("reference");
    let n = 8 << 20;
    let src = vec![0x5au8; n];
    let mut dst = vec![0u8; n];
    g.throughput(Throughput::Bytes(n as u64));
    // 8 MiB copied back and forth: cache-warm (the host's last-level cache may hold it).
    g.bench_function("memcpy_8MiB_warm", |b| {
        b.iter(|| {
            dst.copy_from_slice(black_box(&src));
            black_box(&dst);
        })
    });
    // 8 MiB slices of 256 MiB buffers taken in turn: the data comes from DRAM, as an HPT
    // resize's does.
    let big = 256 << 20;
    let src = vec![0x5au8; big];
    let mut dst = vec![0u8; big];
    let mut k = 0;
    g.bench_function("memcpy_8MiB_cold", |b| {
        b.iter(|| {
            let off = (k % (big / n)) * n;
            k += 7;
            dst[off..off + n].copy_from_slice(black_box(&src[off..off + n]));
            black_box(&dst);
        })
    });
    g.bench_function("empty_call", |b| b.iter(|| black_box(0u64)));
    g.finish();
}

fn enter_remove(c: &mut Criterion) {
    let vm = Vm::new(VmConfig::with_ram(GIB)).unwrap();
    let cpu = vm.create_vcpu(0).unwrap();
    vm.allocate_htab(24).unwrap();
    let mask = (1u64 << 17) - 1;
    // 4096 distinct mappings spread over the table.
    let work: Vec<(u64, u64, u64)> = (0..4096u64)
        .map(|k| {
            let vsid = k * 977;
            let page = k & 0xffff;
            let group = (vsid ^ page) & mask;
            (
                group * 8,
                v_4k(vsid, page, false),
                ((k << 12) & 0x3fff_f000) | 0x192,
            )
        })
        .collect();
    // The same mappings folded into 64 PTEGs: the table's cache lines stay hot, so this shows
    // the cost of the hcall path itself.
    let hot: Vec<(u64, u64, u64)> = (0..4096u64)
        .map(|k| {
            let page = k & 63;
            let vsid = k << 6;
            let group = (vsid ^ page) & mask;
            (
                group * 8,
                v_4k(vsid, page, false),
                ((k << 12) & 0x3fff_f000) | 0x192,
            )
        })
        .collect();
    let mut g = c.benchmark_group("hpt");
    g.throughput(Throughput::Elements(work.len() as u64));
    for (name, set) in [
        ("h_enter_h_remove_pair_spread", &work),
        ("h_enter_h_remove_pair_hot", &hot),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| {
                for &(ptex, v, r) in set {
                    let e = vm.hcall_result(&cpu, nr::H_ENTER, &args(&[0, ptex, v, r]));
                    let x = vm.hcall_result(&cpu, nr::H_REMOVE, &args(&[0, e.out[0], 0]));
                    black_box(x);
                }
            })
        });
    }
    g.finish();
}

/// An order-24 VM whose every PTEG holds four bolted entries (slots 0..3), spread over both
/// halves of an order-25 table, with a prepared resize to 25.
fn full_table_ready_to_grow() -> Vm {
    let mut cfg = VmConfig::with_ram(4 * GIB);
    cfg.reserved_pool_bytes = 0;
    let vm = Vm::new(cfg).unwrap();
    let cpu = vm.create_vcpu(0).unwrap();
    vm.allocate_htab(24).unwrap();
    let groups = 1u64 << 17;
    for g in 0..groups {
        for s in 0..4u64 {
            let high = (g.wrapping_mul(0x9e37_79b9) >> 7) & 1;
            let vsid = (g ^ s) | (high << 17);
            let v = v_4k(vsid, s, true);
            let r = ((g << 12) & 0x3fff_f000) | 0x192;
            let e = vm.hcall_result(&cpu, nr::H_ENTER, &args(&[flags::H_EXACT, g * 8 + s, v, r]));
            assert_eq!(e.rc, 0);
        }
    }
    vm.resize_hpt_prepare(0, 25).unwrap();
    vm.set_clock_ns(10_000_000_000);
    vm
}

fn resize_commit(c: &mut Criterion) {
    let mut g = c.benchmark_group("hpt");
    g.sample_size(10);
    // Bytes of HPTEs moved: 4 per PTEG of an order-24 table.
    g.throughput(Throughput::Bytes((1u64 << 17) * 4 * 16));
    g.bench_function("resize_commit_24_to_25_4_bolted_per_pteg", |b| {
        b.iter_batched(
            full_table_ready_to_grow,
            |vm| {
                vm.resize_hpt_commit(0, 25).unwrap();
                vm
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

fn stream_save(c: &mut Criterion) {
    let vm = Vm::new(VmConfig::with_ram(GIB)).unwrap();
    let cpu = vm.create_vcpu(0).unwrap();
    vm.allocate_htab(24).unwrap();
    // Half the slots valid.
    for g in 0..(1u64 << 17) {
        for s in 0..4u64 {
            let v = v_4k(g ^ s, s, s == 0);
            let r = ((g << 12) & 0x3fff_f000) | 0x192;
            vm.hcall_result(&cpu, nr::H_ENTER, &args(&[flags::H_EXACT, g * 8 + s, v, r]));
        }
    }
    let mut buf = vec![0u8; 1 << 16];
    let mut total = 0u64;
    {
        let mut fd = vm.get_htab_fd(0, 0).unwrap();
        loop {
            let n = fd.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            total += n as u64;
        }
    }
    let mut g = c.benchmark_group("hpt");
    g.sample_size(20);
    g.throughput(Throughput::Bytes(total));
    g.bench_function("htab_stream_save_first_pass_order24_half_full", |b| {
        b.iter(|| {
            let mut fd = vm.get_htab_fd(0, 0).unwrap();
            loop {
                let n = fd.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                black_box(&buf[..n]);
            }
        })
    });
    g.finish();
}

criterion_group!(
    benches,
    memcpy_reference,
    enter_remove,
    resize_commit,
    stream_save
);
criterion_main!(benches);
