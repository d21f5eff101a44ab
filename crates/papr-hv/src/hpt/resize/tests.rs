//! The fast rehash of a table growing by one order against the one-entry-at-a-time reference:
//! the same result (including which collision is reported) and the same new table, for tables
//! of every page size and segment size, entries in their hash group or anywhere, and reverse
//! maps that claim more than the entries say.
// Test code: the casts are on small, known values.
#![allow(clippy::cast_possible_truncation)]

use std::sync::Arc;

use papr_cpu::hpt::{npte, PAGE_SIZES, R_M, V_BOLTED, V_LARGE, V_SECONDARY, V_VALID};
use proptest::prelude::*;

use super::{grow, rehash, rehash_reference, HptTable};
use crate::hpt::alloc::{HptMemory, ReservedPool, RevMap};
use crate::Ledger;

fn table(order: u32, ledger: &Ledger) -> HptTable {
    let pool = Arc::new(ReservedPool::new(0).expect("pool"));
    let mem = HptMemory::allocate(order, &pool, u64::MAX, ledger).expect("table");
    let rev = RevMap::allocate(npte(order), ledger).expect("reverse map");
    HptTable::new(mem, rev, order)
}

/// (base, actual, LP encoding) of every size papr offers, the small page first.
fn sizes() -> Vec<(u32, u32, u64)> {
    let mut s = vec![(12, 12, 0)];
    s.extend_from_slice(PAGE_SIZES);
    s
}

/// A translation a guest entered in its own hash group (the ISA's hash, computed here from the
/// virtual address), at PTEG `g` and `slot` of a table of `order`. `page` and `vsid` are
/// random bits, adjusted so that the hash lands in `g`.
fn clean_entry(
    order: u32,
    (g, slot): (u64, u64),
    (tera, size, secondary): (bool, usize, bool),
    (vsid, page): (u64, u64),
) -> (usize, u64, u64) {
    let (base, actual, enc) = sizes()[size % sizes().len()];
    let mask = (1u64 << (order - 7)) - 1;
    let segment = if tera { 40 } else { 28 };
    // Page index in base pages, aligned to the actual page.
    let page = page & ((1 << (segment - base)) - 1) & !((1 << (actual - base)) - 1);
    let target = if secondary { !g & mask } else { g };
    // The VSID's low bits fix the hash's low bits (the 1 TB fold only moves bits up by 25).
    let vsid = vsid & ((1 << 36) - 1) & !mask;
    let vsid = vsid | ((target ^ page) & mask);
    let vsid_hash = if tera { vsid ^ (vsid << 25) } else { vsid };
    debug_assert_eq!((vsid_hash ^ page) & mask, target);
    let va23 = (vsid << (segment - 23)) | ((page << base) >> 23);
    let mut v = (u64::from(tera) << 62) | ((va23 << 7) & 0x3fff_ffff_ffff_ff80);
    if base == 24 {
        // The AVPN bit inside a 16M page is zero.
        v &= !(1 << 7);
    }
    if actual > 12 {
        v |= V_LARGE;
    }
    if secondary {
        v |= V_SECONDARY;
    }
    let rpn = (g << actual) & 0x0fff_ffff_ffff_f000;
    let r = rpn | (enc << 12) | R_M | 0x2;
    ((g * 8 + slot) as usize, v | V_BOLTED | V_VALID, r)
}

/// Builds the old table, grows it by the fast path and by the reference into two fresh
/// tables, and checks that both agree.
fn check(
    order: u32,
    clean: &[(usize, u64, u64, u8)],
    raw: &[(usize, u64, u64, u8)],
    liars: &[usize],
) {
    let ledger = Ledger::new();
    let mut old = table(order, &ledger);
    let n = old.npte();
    for &(i, v, r, wimg) in clean.iter().chain(raw) {
        let i = i % n;
        old.install(i, v, r, u64::from(wimg & 0xf) << 3);
    }
    // Reverse maps that claim a bolted entry the table does not hold.
    for &i in liars {
        let i = i % n;
        if !old.is_valid(i) {
            old.parts_mut().1.set_bolted(i, true);
        }
    }
    let mut fast = table(order + 1, &ledger);
    let mut reference = table(order + 1, &ledger);
    let expected = rehash_reference(&old, &mut reference);
    let got = match grow::grow_by_one(&old, &mut fast) {
        Some(result) => result,
        None => {
            // The fast path must be taken wherever the host allows it.
            #[cfg(target_arch = "x86_64")]
            assert!(
                !std::arch::is_x86_feature_detected!("avx2"),
                "fast path not taken"
            );
            rehash(&old, &mut fast)
        }
    };
    assert_eq!(got, expected);
    if expected.is_ok() {
        for i in 0..fast.npte() {
            assert_eq!(fast.raw(i), reference.raw(i), "entry {i}");
        }
        assert_eq!(
            fast.parts().1.parts(),
            reference.parts().1.parts(),
            "reverse map"
        );
    }
}

/// A clean entry's parameters: PTEG, slot, segment, size, secondary, random VSID and page bits.
fn clean_strategy(order: u32) -> impl Strategy<Value = (usize, u64, u64, u8)> {
    (
        0u64..(1 << (order - 7)),
        0u64..8,
        any::<bool>(),
        0usize..6,
        any::<bool>(),
        any::<u64>(),
        any::<u64>(),
        any::<u8>(),
    )
        .prop_map(move |(g, slot, tera, size, secondary, vsid, page, wimg)| {
            let (i, v, r) = clean_entry(order, (g, slot), (tera, size, secondary), (vsid, page));
            (i, v, r, wimg)
        })
}

/// Anything anywhere: random dwords, mostly valid and bolted, LP fields often meaningful.
fn raw_strategy() -> impl Strategy<Value = (usize, u64, u64, u8)> {
    (
        any::<usize>(),
        any::<u64>(),
        any::<u64>(),
        0usize..8,
        0u8..10,
        any::<u8>(),
    )
        .prop_map(|(i, v, r, lp, flags, wimg)| {
            let v = if flags < 9 { v | V_VALID | V_BOLTED } else { v };
            let r = match lp {
                0..=5 => (r & !0xff_f000) | (sizes()[lp].2 << 12),
                _ => r,
            };
            (i, v & !0x60, r, wimg)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Mostly entries in their own hash group, a few anywhere, a few slots the reverse map
    /// wrongly calls bolted.
    #[test]
    fn fast_growth_matches_the_reference(
        clean in proptest::collection::vec(clean_strategy(18), 0..600),
        raw in proptest::collection::vec(raw_strategy(), 0..8),
        liars in proptest::collection::vec(any::<usize>(), 0..4),
    ) {
        check(18, &clean, &raw, &liars);
    }

    /// Entries anywhere: most land outside both halves and collide often.
    #[test]
    fn fast_growth_matches_the_reference_for_misplaced_entries(
        raw in proptest::collection::vec(raw_strategy(), 0..200),
    ) {
        check(18, &[], &raw, &[]);
    }
}

/// Every slot of every PTEG bolted, of one kind per run: both half-PTEGs, both halves of the
/// new table, every page and segment size.
#[test]
fn fast_growth_of_full_tables_matches_the_reference() {
    for (kind, (tera, size)) in [false, true]
        .into_iter()
        .flat_map(|t| (0..6).map(move |s| (t, s)))
        .enumerate()
    {
        let order = 18;
        let clean: Vec<_> = (0..1u64 << (order - 7))
            .flat_map(|g| (0..8).map(move |slot| (g, slot)))
            .map(|(g, slot)| {
                let mix = g.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ slot ^ kind as u64;
                let (i, v, r) = clean_entry(
                    order,
                    (g, slot),
                    (tera, size, slot % 3 == 1),
                    (mix, mix >> 17),
                );
                (i, v, r, slot as u8)
            })
            .collect();
        check(order, &clean, &[], &[]);
    }
}

/// A table big enough to sit on huge pages.
#[test]
fn fast_growth_of_a_large_table_matches_the_reference() {
    let order = 22;
    let clean: Vec<_> = (0..1u64 << (order - 7))
        .step_by(3)
        .map(|g| {
            let mix = g.wrapping_mul(0x9e37_79b9_7f4a_7c15);
            let (i, v, r) = clean_entry(
                order,
                (g, mix % 8),
                (mix & 1 != 0, (mix >> 8) as usize % 6, false),
                (mix, mix >> 9),
            );
            (i, v, r, 2)
        })
        .collect();
    check(order, &clean, &[], &[]);
}

/// A bolted entry outside its hash group (earlier in the old table) lands on the slot of an
/// entry in its own group: the fast path places the latter first, yet reports the collision
/// the reference reports.
#[test]
fn collision_with_a_misplaced_entry_is_the_one_the_reference_reports() {
    let order = 18;
    // A 16M page: its group comes from the AVPN alone, wherever the entry sits.
    let (a, v, r) = clean_entry(order, (5, 2), (false, 5, false), (0x1234_5678, 0x3));
    let b = 3 * 8 + 2;
    let ledger = Ledger::new();
    let mut only_a = table(order, &ledger);
    only_a.install(a, v, r, 0);
    let mut probe = table(order + 1, &ledger);
    rehash_reference(&only_a, &mut probe).expect("one entry");
    let target = (0..probe.npte())
        .find(|&i| probe.is_valid(i))
        .expect("placed");
    let clean = [(a, v, r, 0), (b, v, r, 0)];
    check(order, &clean, &[], &[]);
    let mut old = table(order, &ledger);
    for &(i, v, r, _) in &clean {
        old.install(i, v, r, 0);
    }
    let mut new = table(order + 1, &ledger);
    assert_eq!(rehash(&old, &mut new), Err(target));
}
