//! Translation lookups per second: the architected PTEG search (primary then secondary group)
//! over a populated order-24 table — the cost of a TLB miss before any caching.
// Test and benchmark code: the casts are on small, known values.
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss
)]

use std::sync::Arc;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use papr_cpu::hpt::{npte, HptView, Hpte, HpteStorage, Segment, SegmentSize, V_VALID};

struct Table(Vec<Hpte>);
impl HpteStorage for Table {
    fn entries(&self) -> &[Hpte] {
        &self.0
    }
}

fn lookups(c: &mut Criterion) {
    let order = 24;
    let view = HptView::new(
        Arc::new(Table((0..npte(order)).map(|_| Hpte::default()).collect())),
        order,
    );
    let mask = view.hash_mask();
    let seg = Segment {
        size: SegmentSize::S1T,
        vsid: 0x0abc_def1,
        base_shift: 16,
    };
    // 4096 pages of one 1T segment with 64K pages, each placed in slot (k % 8) of its primary
    // or (every third one) secondary group.
    let eas: Vec<u64> = (0..4096u64).map(|k| k * 0x1_0000 * 37).collect();
    for (k, &ea) in eas.iter().enumerate() {
        let secondary = k % 3 == 0;
        let hash = seg.hash(ea);
        let group = if secondary { !hash } else { hash } & mask;
        let v = (1u64 << 62)
            | ((seg.va_23(ea) << 7) & 0x3fff_ffff_ffff_ff80)
            | 0x4
            | if secondary { 0x2 } else { 0 }
            | V_VALID;
        let r = ((k as u64) << 16) | 0x1000 | 0x190;
        let group = usize::try_from(group).expect("group fits usize");
        view.entries()[group * 8 + k % 8].store(v, r);
    }
    let mut g = c.benchmark_group("mmu");
    g.throughput(Throughput::Elements(eas.len() as u64));
    g.bench_function("hpt_search_1t_64k", |b| {
        b.iter(|| {
            for &ea in &eas {
                black_box(view.search(&seg, black_box(ea)).map(|m| m.real_address(ea)));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, lookups);
criterion_main!(benches);
