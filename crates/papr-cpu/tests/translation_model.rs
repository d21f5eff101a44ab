//! Model check of the TLB: after any sequence of HPTE changes (each followed by the
//! hypervisor's invalidation, as the contract requires), SLB instructions, MSR changes and AMR
//! writes, `Cpu::translate` (through the TLB) gives exactly what an uncached walk of the same
//! state gives.
// Test code: the casts are on small, known values.
#![allow(clippy::cast_possible_truncation)]

use std::sync::Arc;

use papr_cpu::hpt::{npte, HptView, Hpte, HpteStorage, PartitionEntry};
use papr_cpu::state::msr;
use papr_cpu::{AccessType, Cpu, CpuConfig, InterruptLine};
use proptest::prelude::*;

struct Table(Vec<Hpte>);
impl HpteStorage for Table {
    fn entries(&self) -> &[Hpte] {
        &self.0
    }
}

const ORDER: u32 = 18;
const MASK: u64 = (1 << (ORDER - 7)) - 1;

/// Segment A: 256M, ESID 1, VSID 0x2222, 4K pages, Kp = 1.
const SEG_A_RS: u64 = (0x2222 << 12) | 0x400;
const SEG_A_RB: u64 = 0x1000_0000 | 0x0800_0000 | 1;
/// Segment B: 1T, ESID 0xc00000 (the kernel's 0xc000… map), VSID 0x345, 64K pages, Kp = 1.
const SEG_B_RS: u64 = (1 << 62) | (0x345 << 24) | 0x110 | 0x400;
const SEG_B_RB: u64 = 0xc000_0000_0000_0000 | 0x0800_0000 | 2;

/// Page `k` (0..8) of segment A or B, as an EA.
fn page_ea(seg_b: bool, k: u64) -> u64 {
    if seg_b {
        0xc000_0000_0000_0000 + k * 0x1_0000
    } else {
        0x1000_0000 + k * 0x1000
    }
}

/// Inserts (or replaces) the HPTE of page `k`, computing group and AVPN from the ISA:
/// 256M: hash = VSID ^ (EA[36:63] >> 12); 1T: VSID ^ (VSID << 25) ^ (EA[24:63] >> 16);
/// AVPN = (VSID || segment offset) >> 23.
fn insert(view: &HptView, seg_b: bool, k: u64, secondary: bool, r_low: u64) {
    let ea = page_ea(seg_b, k);
    let (hash, va_23, b, large, lp): (u64, u64, u64, u64, u64) = if seg_b {
        let off = ea & ((1 << 40) - 1);
        (
            0x345 ^ (0x345 << 25) ^ (off >> 16),
            (0x345 << 17) | (off >> 23),
            1,
            4,
            0x1000,
        )
    } else {
        let off = ea & 0x0fff_ffff;
        (0x2222 ^ (off >> 12), (0x2222 << 5) | (off >> 23), 0, 0, 0)
    };
    let group = if secondary { !hash } else { hash } & MASK;
    let v = (b << 62) | (va_23 << 7) | large | if secondary { 2 } else { 0 } | 1;
    let real = (0x100 + k + if seg_b { 0x10 } else { 0 }) << 16;
    let slot = (k % 8) as usize;
    // Clear the other group's copy first.
    let other = if secondary { hash } else { !hash } & MASK;
    view.entries()[other as usize * 8 + slot].store(0, 0);
    view.entries()[group as usize * 8 + slot].store(v, real | lp | r_low);
}

fn remove(view: &HptView, seg_b: bool, k: u64) {
    // Remove from both candidate groups.
    for secondary in [false, true] {
        let ea = page_ea(seg_b, k);
        let hash = if seg_b {
            let off = ea & ((1 << 40) - 1);
            0x345 ^ (0x345 << 25) ^ (off >> 16)
        } else {
            0x2222 ^ ((ea & 0x0fff_ffff) >> 12)
        };
        let group = if secondary { !hash } else { hash } & MASK;
        view.entries()[group as usize * 8 + (k % 8) as usize].store(0, 0);
    }
}

#[derive(Debug, Clone)]
enum Op {
    /// HPTE for page (seg, k) with PP0||PP, N, G, key bits; then invalidate.
    Insert {
        seg_b: bool,
        k: u64,
        secondary: bool,
        pp: u64,
        n: bool,
        g: bool,
        key: u64,
    },
    Remove {
        seg_b: bool,
        k: u64,
    },
    Slbmte(bool),
    Slbie(bool),
    Slbia,
    Msr {
        pr: bool,
        ir: bool,
        dr: bool,
    },
    Amr(u64),
    /// Offset within the page (bytes), access type.
    Access {
        seg_b: bool,
        k: u64,
        offset: u64,
        access: u8,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => (any::<bool>(), 0..4u64, any::<bool>(), prop_oneof![Just(0u64), Just(1), Just(2), Just(3), Just(6)],
              any::<bool>(), any::<bool>(), 0..4u64)
            .prop_map(|(seg_b, k, secondary, pp, n, g, key)| Op::Insert { seg_b, k, secondary, pp, n, g, key }),
        1 => (any::<bool>(), 0..4u64).prop_map(|(seg_b, k)| Op::Remove { seg_b, k }),
        1 => any::<bool>().prop_map(Op::Slbmte),
        1 => any::<bool>().prop_map(Op::Slbie),
        1 => Just(Op::Slbia),
        2 => (any::<bool>(), prop::bool::weighted(0.8), prop::bool::weighted(0.8))
            .prop_map(|(pr, ir, dr)| Op::Msr { pr, ir, dr }),
        1 => prop_oneof![Just(0u64), Just(0x0c00_0000_0000_0000), Just(0x0300_0000_0000_0000)].prop_map(Op::Amr),
        // A few pages and offsets, so that accesses often repeat and hit the TLB; page 4 of
        // each segment is never mapped.
        10 => (any::<bool>(), 0..5u64, prop_oneof![Just(0x10u64), Just(0x5008)], 0..3u8)
            .prop_map(|(seg_b, k, offset, access)| Op::Access { seg_b, k, offset, access }),
    ]
}

fn access_type(a: u8) -> AccessType {
    match a {
        0 => AccessType::Fetch,
        1 => AccessType::Load,
        _ => AccessType::Store,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn tlb_agrees_with_an_uncached_walk(ops in proptest::collection::vec(op(), 1..120)) {
        let view = HptView::new(
            Arc::new(Table((0..npte(ORDER)).map(|_| Hpte::default()).collect())),
            ORDER,
        );
        let pate = Arc::new(PartitionEntry::new());
        pate.set_table(Some(view.clone()));
        let mut cpu = Cpu::new(CpuConfig::default(), pate.clone(), Arc::new(InterruptLine::new()));
        cpu.set_msr(msr::SF | msr::IR | msr::DR | msr::LE);
        cpu.slbmte(SEG_A_RS, SEG_A_RB);
        cpu.slbmte(SEG_B_RS, SEG_B_RB);
        // Pages 0..4 of both segments start mapped read/write for everyone.
        for seg_b in [false, true] {
            for k in 0..4 {
                insert(&view, seg_b, k, k % 2 == 1, 0x10 | 0x2);
            }
        }
        pate.invalidate();
        for op in ops {
            match op {
                Op::Insert { seg_b, k, secondary, pp, n, g, key } => {
                    let r_low = ((pp & 4) << 61) | (pp & 3) | if n { 4 } else { 0 }
                        | if g { 8 } else { 0 } | 0x10 | (key << 9);
                    insert(&view, seg_b, k, secondary, r_low);
                    pate.invalidate();
                }
                Op::Remove { seg_b, k } => {
                    remove(&view, seg_b, k);
                    pate.invalidate_serialized();
                }
                Op::Slbmte(b) => {
                    if b { cpu.slbmte(SEG_B_RS, SEG_B_RB) } else { cpu.slbmte(SEG_A_RS, SEG_A_RB) }
                }
                Op::Slbie(b) => {
                    // RB: ESID and B (bits 37:38 = 0x0600_0000).
                    if b { cpu.slbie(0xc000_0000_0000_0000 | 0x0200_0000) } else { cpu.slbie(0x1000_0000) }
                }
                Op::Slbia => cpu.slbia(0),
                Op::Msr { pr, ir, dr } => {
                    let m = msr::SF | msr::LE
                        | if pr { msr::PR } else { 0 }
                        | if ir { msr::IR } else { 0 }
                        | if dr { msr::DR } else { 0 };
                    cpu.mtmsrd(m, false);
                }
                Op::Amr(v) => cpu.mtspr(13, v).map_err(|e| TestCaseError::fail(format!("{e:?}")))?,
                Op::Access { seg_b, k, offset, access } => {
                    let size = if seg_b { 0x1_0000 } else { 0x1000 };
                    let ea = page_ea(seg_b, k) + offset % size;
                    let a = access_type(access);
                    let uncached = cpu.translate_uncached(ea, a).map(|t| t.ra);
                    let cached = cpu.translate(ea, a);
                    prop_assert_eq!(cached, uncached, "ea {:#x} {:?}", ea, a);
                    // And again, now possibly from the TLB.
                    prop_assert_eq!(cpu.translate(ea, a), uncached);
                }
            }
        }
    }
}
