//! Translations per second through `Cpu::translate`: the TLB hit path (a working set that fits
//! the TLB), and a miss + fill each time (SLB lookup, PTEG search over a populated order-24
//! table, R/C already set, TLB fill).
// Benchmark code: the casts are on small, known values.
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss
)]

use std::sync::Arc;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use papr_cpu::hpt::{npte, HptView, Hpte, HpteStorage, PartitionEntry, Segment, SegmentSize};
use papr_cpu::state::msr;
use papr_cpu::{AccessType, Cpu, CpuConfig, InterruptLine};

struct Table(Vec<Hpte>);
impl HpteStorage for Table {
    fn entries(&self) -> &[Hpte] {
        &self.0
    }
}

/// A vCPU in 64-bit translated mode with one 1T segment (ESID 0xc00000, the Linux kernel's
/// linear map), 64K pages, and `pages` of them mapped in an order-24 table.
fn setup(pages: u64) -> (Cpu, Vec<u64>) {
    let order = 24;
    let view = HptView::new(
        Arc::new(Table((0..npte(order)).map(|_| Hpte::default()).collect())),
        order,
    );
    let mask = view.hash_mask();
    let vsid = 0x0abc_def1;
    let seg = Segment {
        size: SegmentSize::S1T,
        vsid,
        base_shift: 16,
    };
    let base = 0xc000_0000_0000_0000u64;
    let eas: Vec<u64> = (0..pages).map(|k| base + k * 0x1_0000).collect();
    for (k, &ea) in eas.iter().enumerate() {
        let secondary = k % 3 == 0;
        let hash = seg.hash(ea);
        let group = if secondary { !hash } else { hash } & mask;
        let v = (1u64 << 62)
            | ((seg.va_23(ea) << 7) & 0x3fff_ffff_ffff_ff80)
            | 0x4
            | if secondary { 0x2 } else { 0 }
            | 1;
        // 64K page (LP 1), R and C set, M, PP = 10.
        let r = ((k as u64) << 16) | 0x1000 | 0x190 | 0x2;
        let group = usize::try_from(group).expect("group fits usize");
        view.entries()[group * 8 + k % 8].store(v, r);
    }
    let pate = Arc::new(PartitionEntry::new());
    pate.set_table(Some(view));
    let mut cpu = Cpu::new(CpuConfig::default(), pate, Arc::new(InterruptLine::new()));
    cpu.set_msr(msr::SF | msr::IR | msr::DR | msr::LE);
    // 1T segment: B = 01, VSID in RS bits 2:39, L||LP = 64K; ESID 0xc00000 valid, index 0.
    cpu.slbmte((1 << 62) | (vsid << 24) | 0x110, base | 0x0800_0000);
    (cpu, eas)
}

fn translate(c: &mut Criterion) {
    let mut g = c.benchmark_group("tlb");

    // Hit path: 256 distinct 4K pages (every 4K of 16 64K pages), all resident.
    let (mut cpu, eas) = setup(16);
    let hits: Vec<u64> = eas
        .iter()
        .flat_map(|&ea| (0..16u64).map(move |sub| ea + (sub << 12) + 0x8))
        .collect();
    for &ea in &hits {
        cpu.translate(ea, AccessType::Load).expect("mapped");
    }
    g.throughput(Throughput::Elements(hits.len() as u64));
    g.bench_function("hit_load", |b| {
        b.iter(|| {
            for &ea in &hits {
                black_box(cpu.translate(black_box(ea), AccessType::Load).ok());
            }
        })
    });

    // Miss + fill: 4096 mapped pages, the TLB dropped before each translation.
    let (mut cpu, eas) = setup(4096);
    g.throughput(Throughput::Elements(eas.len() as u64));
    g.bench_function("miss_fill_load_1t_64k", |b| {
        b.iter(|| {
            for &ea in &eas {
                cpu.flush_tlb();
                black_box(cpu.translate(black_box(ea), AccessType::Load).ok());
            }
        })
    });
    g.finish();
}

criterion_group!(benches, translate);
criterion_main!(benches);
