//! The rehash of a table growing by one order, the common resize, as a fast path beside
//! [`super::rehash_reference`] (which defines the result).
//!
//! When the table doubles, an entry of old PTEG `g` whose recomputed hash agrees with where it
//! sits lands in new PTEG `g` or `g + n` (n = old PTEG count), same slot, so every new PTEG
//! receives entries from one old PTEG only: these entries cannot collide, and the new table is
//! written as two ascending streams. The path therefore:
//!
//! - recomputes the groups of a half-PTEG's four entries at once (AVX2, 64-bit lanes: the page
//!   size decoded from the same [`PAGE_SIZES`] table the processor uses), keeping only the
//!   verdict per entry: low half, high half, or elsewhere;
//! - writes each destination half-PTEG — a 64-byte cache line, since the new table is
//!   line-aligned — whole, zeros included, with streaming stores: the lines are not read
//!   first, which is most of what plain stores into a cold table cost. This relies on the new
//!   table being empty (all zero), as a prepared table is;
//! - prefetches the lines of the old table that hold bolted entries well ahead (the host's
//!   prefetchers do not follow every other line well);
//! - chooses between the two halves by index rather than by branch, since which half a PTEG's
//!   entries go to is as good as random.
//!
//! The entries whose group is anything else (a guest placed them outside their hash group) are
//! placed afterwards one by one; if one collides, the reference rehash is run again to report
//! the collision it reports. Hosts without AVX2 take the reference path.

use super::{claim, new_group, rehash_reference, HptTable};

/// Runs the fast path if the host and the tables allow it; `None` sends the caller to the
/// reference rehash.
pub(super) fn grow_by_one(old: &HptTable, new: &mut HptTable) -> Option<Result<(), usize>> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && x86::suits(old, new) {
        // SAFETY: the host has AVX2 (detected just above), the only requirement of the
        // function's target features.
        return Some(unsafe { x86::grow_by_one(old, new) });
    }
    let _ = (old, new);
    None
}

/// Places the entries the fast path set aside, in old-table order, as the reference would;
/// on a collision runs the reference to report the same one.
fn place_misplaced(
    old: &HptTable,
    new: &mut HptTable,
    misplaced: &[(usize, u64, u64)],
) -> Result<(), usize> {
    let (old_order, new_order) = (old.order(), new.order());
    let (_, old_rev) = old.parts();
    let (old_meta, _) = old_rev.parts();
    let (new_entries, new_rev) = new.parts_mut();
    let (new_meta, new_masks) = new_rev.parts_mut();
    for &(i, v, r) in misplaced {
        let slot = i % 8;
        let Some(j) = new_group(v, r, (i / 8) as u64, old_order, new_order)
            .and_then(|ng| usize::try_from(ng).ok())
            .map(|ng| ng * 8 + slot)
        else {
            continue;
        };
        let Some(&meta) = old_meta.get(i) else {
            continue;
        };
        if claim((new_entries, new_meta, new_masks), j, (v, r), meta).is_err() {
            // Report the collision the reference reports: run it on a clean slate.
            new_masks.fill(0);
            return rehash_reference(old, new);
        }
    }
    Ok(())
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    #[allow(clippy::wildcard_imports)]
    use std::arch::x86_64::*;

    use papr_cpu::hpt::{
        Hpte, PAGE_SIZES, R_RPN, V_AVPN, V_AVPN_SHIFT, V_BOLTED, V_B_MASK, V_B_SHIFT, V_LARGE,
        V_SECONDARY, V_VALID,
    };

    use super::super::{META_MODIFIED, META_WIMG};
    use super::{place_misplaced, HptTable};

    use super::super::PREFETCH_AHEAD as AHEAD;

    /// `BYTE_MASK[m]` has byte `s` set to 0xff for every bit `s` of `m`.
    const BYTE_MASK: [u64; 256] = {
        let mut t = [0u64; 256];
        let mut m = 0;
        while m < 256 {
            let mut s = 0;
            while s < 8 {
                if m & (1 << s) != 0 {
                    t[m] |= 0xff << (8 * s);
                }
                s += 1;
            }
            m += 1;
        }
        t
    };

    /// Whether the tables have the shape the fast path assumes: the new one twice the old and
    /// line-aligned (a general allocation is PTEG-aligned, a pool one page-aligned), an even
    /// number of PTEGs (any table has 2^11 or more).
    pub(super) fn suits(old: &HptTable, new: &HptTable) -> bool {
        let (old_entries, old_rev) = old.parts();
        let (new_entries, new_rev) = new.parts();
        let n = old_rev.parts().1.len();
        n % 2 == 0
            && old_entries.len() == n * 8
            && old_rev.parts().0.len() == n * 8
            && new_entries.len() == n * 16
            && new_rev.parts().0.len() == n * 16
            && new_rev.parts().1.len() == n * 2
            && new_entries.as_ptr().align_offset(64) == 0
            && old_entries.as_ptr().align_offset(16) == 0
    }

    /// All lanes set to `x`.
    #[target_feature(enable = "avx2")]
    #[allow(clippy::cast_possible_wrap)]
    fn splat(x: u64) -> __m256i {
        _mm256_set1_epi64x(x as i64)
    }

    /// Lanes of `x` with all of `bits` set.
    #[target_feature(enable = "avx2")]
    fn test(x: __m256i, bits: u64) -> __m256i {
        _mm256_cmpeq_epi64(_mm256_and_si256(x, splat(bits)), splat(bits))
    }

    /// The lanes of a comparison result as bits.
    #[target_feature(enable = "avx2")]
    fn bits(x: __m256i) -> u32 {
        _mm256_movemask_pd(_mm256_castsi256_pd(x)).cast_unsigned()
    }

    /// `if t { a } else { b }` per lane, `t` a comparison result.
    #[target_feature(enable = "avx2")]
    fn select(t: __m256i, a: __m256i, b: __m256i) -> __m256i {
        _mm256_or_si256(_mm256_and_si256(t, a), _mm256_andnot_si256(t, b))
    }

    /// The four lanes of `x`.
    #[target_feature(enable = "avx2")]
    #[allow(clippy::cast_sign_loss)]
    fn lanes_of(x: __m256i) -> [u64; 4] {
        [
            _mm256_extract_epi64::<0>(x) as u64,
            _mm256_extract_epi64::<1>(x) as u64,
            _mm256_extract_epi64::<2>(x) as u64,
            _mm256_extract_epi64::<3>(x) as u64,
        ]
    }

    /// Lanes of 1 TB segments (B = 1; anything else counts as 256 MB).
    #[target_feature(enable = "avx2")]
    fn tera(v: __m256i) -> __m256i {
        _mm256_cmpeq_epi64(
            _mm256_srli_epi64::<{ V_B_SHIFT.cast_signed() }>(v),
            splat(1),
        )
    }

    /// [`super::new_group`] for four entries of old PTEG `g`, as lane masks: carried over
    /// (valid, bolted, a page size papr offers); within the low or high half of its hash group;
    /// in the high half. With `GENERAL` false the lanes are taken to be small pages in 256 MB
    /// segments, which needs neither the page-size decode nor the segment choice.
    ///
    /// With `Q = vsid_hash ^ pteg` (pteg = the old group, complemented for a secondary entry)
    /// the new group XOR `g` is `(Q ^ (A | P)) & new_mask`, where `A` is the AVPN's page-offset
    /// bits shifted down by the base page shift and `P = Q & old_mask` for base pages below
    /// 8 MB (zero otherwise): 0 for the low half, `n` for the high one.
    #[target_feature(enable = "avx2")]
    fn classify<const GENERAL: bool>(
        v: __m256i,
        r: __m256i,
        g: u64,
        (old_mask, new_mask): (u64, u64),
    ) -> (u32, u32, u32) {
        let n = new_mask ^ old_mask;
        let zero = _mm256_setzero_si256();
        let valid_bolted = test(v, V_VALID | V_BOLTED);
        let avpn = _mm256_and_si256(
            _mm256_srli_epi64::<{ V_AVPN_SHIFT.cast_signed() }>(v),
            splat(V_AVPN >> V_AVPN_SHIFT),
        );
        let secondary = test(v, V_SECONDARY);
        let pteg = _mm256_xor_si256(splat(g), secondary);
        let (carried, a, q, p) = if GENERAL {
            // Base page shift: 12 for a small page, else as the LP encoding in dword 1 says
            // (at most one encoding matches; none = a size papr does not offer). A large page
            // ignores the AVPN bits ((1 << shift) - 1) >> 23.
            let large = test(v, V_LARGE);
            let mut large_shift = zero;
            let mut known_large = zero;
            for &(base, actual, enc) in PAGE_SIZES {
                let lp_mask = ((1u64 << actual) - 1) & R_RPN;
                let m = _mm256_cmpeq_epi64(_mm256_and_si256(r, splat(lp_mask)), splat(enc << 12));
                known_large = _mm256_or_si256(known_large, m);
                large_shift =
                    _mm256_or_si256(large_shift, _mm256_and_si256(m, splat(u64::from(base))));
            }
            let carried = _mm256_and_si256(
                valid_bolted,
                _mm256_or_si256(
                    _mm256_andnot_si256(large, _mm256_cmpeq_epi64(zero, zero)),
                    known_large,
                ),
            );
            let shift = select(large, large_shift, splat(12));
            let ignore = _mm256_srli_epi64::<23>(_mm256_sub_epi64(
                _mm256_sllv_epi64(splat(1), shift),
                splat(1),
            ));
            let avpn = _mm256_andnot_si256(ignore, avpn);
            // Segment size: the VSID starts at AVPN bit 17 (1 TB) or 5 (256 MB).
            let tera = tera(v);
            let vsid = _mm256_srlv_epi64(avpn, select(tera, splat(17), splat(5)));
            let vsid_hash =
                _mm256_xor_si256(vsid, _mm256_and_si256(tera, _mm256_slli_epi64::<25>(vsid)));
            let low = select(tera, splat(0x1_ffff), splat(0x1f));
            let offset = _mm256_slli_epi64::<23>(_mm256_and_si256(avpn, low));
            let q = _mm256_xor_si256(vsid_hash, pteg);
            let below_8m = _mm256_cmpgt_epi64(splat(23), shift);
            (
                carried,
                _mm256_srlv_epi64(offset, shift),
                q,
                _mm256_and_si256(below_8m, _mm256_and_si256(q, splat(old_mask))),
            )
        } else {
            let q = _mm256_xor_si256(_mm256_srli_epi64::<5>(avpn), pteg);
            // ((avpn & 0x1f) << 23) >> 12
            let a = _mm256_and_si256(_mm256_slli_epi64::<11>(avpn), splat(0x1f << 11));
            (valid_bolted, a, q, _mm256_and_si256(q, splat(old_mask)))
        };
        let d = _mm256_and_si256(_mm256_xor_si256(q, _mm256_or_si256(a, p)), splat(new_mask));
        (
            bits(carried),
            bits(_mm256_cmpeq_epi64(d, zero)),
            bits(_mm256_cmpeq_epi64(d, splat(n))),
        )
    }

    /// [`classify`] for the tests: `[carried, low, high]`.
    ///
    /// # Safety
    ///
    /// The host must have AVX2.
    #[cfg(test)]
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn classify_for_tests(
        general: bool,
        v: __m256i,
        r: __m256i,
        g: u64,
        masks: (u64, u64),
    ) -> [u32; 3] {
        let (carried, low, high) = if general {
            classify::<true>(v, r, g, masks)
        } else {
            classify::<false>(v, r, g, masks)
        };
        [carried, low, high]
    }

    /// A half-PTEG as loaded: entries 0 and 2 in `a`, 1 and 3 in `b` (one per 128-bit lane).
    #[derive(Clone, Copy)]
    struct Line {
        a: __m256i,
        b: __m256i,
    }

    impl Line {
        /// Loads the four HPTEs of `line`, each as one 16-byte access.
        #[target_feature(enable = "avx2")]
        fn load(line: &[Hpte; 4]) -> Line {
            let (e0, e1, e2, e3): (__m128i, __m128i, __m128i, __m128i);
            // SAFETY: `line` is 64 readable bytes, 16-byte aligned (the table is, `suits`).
            // The loads are written in assembly because vCPUs may meanwhile update the entries
            // with atomic instructions (setting R or C), and plain vector loads would be a
            // data race in Rust's model: an aligned 16-byte load reads each aligned quadword
            // atomically on x86_64 (and all 16 bytes on processors with AVX), so each is two
            // relaxed atomic loads of an entry's dwords, which is all the caller needs.
            // `Hpte` is `repr(C)` with dword 0 first; the host is little-endian.
            unsafe {
                std::arch::asm!(
                    "vmovdqa {e0}, xmmword ptr [{p}]",
                    "vmovdqa {e1}, xmmword ptr [{p} + 16]",
                    "vmovdqa {e2}, xmmword ptr [{p} + 32]",
                    "vmovdqa {e3}, xmmword ptr [{p} + 48]",
                    p = in(reg) line.as_ptr(),
                    e0 = lateout(xmm_reg) e0,
                    e1 = lateout(xmm_reg) e1,
                    e2 = lateout(xmm_reg) e2,
                    e3 = lateout(xmm_reg) e3,
                    options(nostack, preserves_flags, readonly),
                );
            }
            Line {
                a: _mm256_inserti128_si256::<1>(_mm256_castsi128_si256(e0), e2),
                b: _mm256_inserti128_si256::<1>(_mm256_castsi128_si256(e1), e3),
            }
        }

        /// The four dwords 0, lane i = entry i.
        #[target_feature(enable = "avx2")]
        fn v(self) -> __m256i {
            _mm256_unpacklo_epi64(self.a, self.b)
        }

        /// The four dwords 1, lane i = entry i.
        #[target_feature(enable = "avx2")]
        fn r(self) -> __m256i {
            _mm256_unpackhi_epi64(self.a, self.b)
        }

        /// Writes the half-PTEG `dst`: entry i as loaded for the bits i of `keep`, zero
        /// otherwise.
        #[target_feature(enable = "avx2")]
        fn write(self, dst: &[Hpte; 4], keep: u32) {
            let keep = _mm256_set1_epi64x(i64::from(keep));
            let select = |bits: __m256i, x: __m256i| {
                _mm256_and_si256(x, _mm256_cmpeq_epi64(_mm256_and_si256(keep, bits), bits))
            };
            let a = select(_mm256_set_epi64x(4, 4, 1, 1), self.a);
            let b = select(_mm256_set_epi64x(8, 8, 2, 2), self.b);
            let first = _mm256_permute2x128_si256::<0x20>(a, b);
            let second = _mm256_permute2x128_si256::<0x31>(a, b);
            let p = dst.as_ptr().cast::<__m256i>().cast_mut();
            debug_assert!(p.align_offset(32) == 0);
            // SAFETY: `p` covers the 64 bytes of `dst` (four HPTEs), 32-byte aligned since the
            // table is line-aligned (`suits`) and `dst` is a half-PTEG. Every byte of an
            // `Hpte` lies in an `AtomicU64`, so writing through a pointer derived from the
            // shared reference is allowed; the new table is reachable by no other thread
            // while it is being filled. `grow_by_one` fences these streaming stores before
            // returning.
            unsafe {
                _mm256_stream_si256(p, first);
                _mm256_stream_si256(p.add(1), second);
            }
        }
    }

    /// A PTEG as its two half-PTEGs (cache lines).
    type Pteg = [[Hpte; 4]; 2];

    /// Sets aside the entries of lanes `stray` (bit i = slot `first + i`), which belong
    /// outside both halves.
    #[cold]
    #[inline(never)]
    fn set_aside(
        misplaced: &mut Vec<(usize, u64, u64)>,
        first: usize,
        stray: u32,
        v: [u64; 4],
        r: [u64; 4],
    ) {
        for i in 0..4 {
            if stray >> i & 1 != 0 {
                misplaced.push((first + i, v[i], r[i]));
            }
        }
    }

    /// Carries the entries of half-PTEG `$q` (a literal) of old PTEG `$g` named by `$lanes`
    /// (bit i = slot `4q + i`) into `$dst` (the low and the high new PTEG). Evaluates to the
    /// slots that went to each half; sets aside the entries that belong elsewhere. A macro
    /// rather than a function so that both uses are inlined into the loop.
    macro_rules! carry_line {
        ($src:expr, $lanes:expr, $g:expr, $q:literal, $masks:expr, $dst:expr, $misplaced:expr) => {{
            let line = Line::load($src);
            let (v, r) = (line.v(), line.r());
            // The general variant if any of the four (bolted or not) may be a large page or
            // in a segment other than 256 MB.
            let plain = _mm256_testz_si256(v, splat(V_LARGE | V_B_MASK)) != 0;
            let (carried, low, high) = if plain {
                classify::<false>(v, r, $g as u64, $masks)
            } else {
                classify::<true>(v, r, $g as u64, $masks)
            };
            let carried = carried & $lanes;
            let (lo, hi) = (carried & low, carried & high);
            // One destination line, the high one if it has entries (chosen without a branch:
            // which half is as good as random); the low one as well only when both have.
            if lo | hi != 0 {
                let both = (lo != 0) & (hi != 0);
                let keep = if both { hi } else { lo | hi };
                line.write(&$dst[usize::from(hi != 0)][$q], keep);
                if both {
                    line.write(&$dst[0][$q], lo);
                }
            }
            let stray = carried & !(lo | hi);
            if stray != 0 {
                set_aside($misplaced, $g * 8 + $q * 4, stray, lanes_of(v), lanes_of(r));
            }
            (lo << (4 * $q), hi << (4 * $q))
        }};
    }

    /// The fast path proper; the caller has checked [`suits`] and AVX2.
    #[target_feature(enable = "avx2")]
    #[allow(clippy::cast_possible_truncation)] // Slot masks: 8 bits.
    pub(super) fn grow_by_one(old: &HptTable, new: &mut HptTable) -> Result<(), usize> {
        // A 32-byte aligned local whose address escapes makes the compiler align this frame,
        // and with it the slots where it keeps 32-byte vectors: unaligned, half of them would
        // straddle a cache line, and every reload of one just written would stall.
        std::hint::black_box(&mut _mm256_setzero_si256());
        let masks = (
            papr_cpu::hpt::hash_mask(old.order()),
            papr_cpu::hpt::hash_mask(new.order()),
        );
        let (old_entries, old_rev) = old.parts();
        let (old_meta, old_masks) = old_rev.parts();
        let (new_entries, new_rev) = new.parts_mut();
        let (new_meta, new_masks) = new_rev.parts_mut();
        let n = old_masks.len();
        let old_ptegs = old_entries.as_chunks::<4>().0.as_chunks::<2>().0;
        let old_meta = old_meta.as_chunks::<8>().0;
        let new_ptegs = new_entries.as_chunks::<4>().0.as_chunks::<2>().0;
        let new_meta = new_meta.as_chunks_mut::<8>().0;
        // Exact lengths, so that the indexing below needs no checks.
        let (Some(old_ptegs), Some(old_meta), Some(new_ptegs), Some(new_meta), Some(new_masks)) = (
            old_ptegs.get(..n),
            old_meta.get(..n),
            new_ptegs.get(..2 * n),
            new_meta.get_mut(..2 * n),
            new_masks.get_mut(..2 * n),
        ) else {
            return super::rehash_reference(old, new);
        };
        let (lo_ptegs, hi_ptegs) = new_ptegs.split_at(n);
        let (lo_meta, hi_meta) = new_meta.split_at_mut(n);
        let (lo_masks, hi_masks) = new_masks.split_at_mut(n);
        let mut misplaced = Vec::new();
        // One PTEG: prefetch ahead, carry its bolted entries, write its reverse map.
        macro_rules! carry_group {
            ($g:expr) => {{
                let g = $g;
                // The old lines with bolted slots, well ahead. Not kept in the outer caches:
                // each is read once.
                if let Some(&m) = old_masks.get(g + AHEAD) {
                    let p = old_entries
                        .as_ptr()
                        .wrapping_add((g + AHEAD) * 8)
                        .cast::<i8>();
                    if m & 0xf != 0 {
                        _mm_prefetch::<_MM_HINT_NTA>(p);
                    }
                    if m >> 4 != 0 {
                        _mm_prefetch::<_MM_HINT_NTA>(p.wrapping_add(64));
                    }
                }
                let mask = u32::from(old_masks[g]);
                if mask != 0 {
                    let dst: [&Pteg; 2] = [&lo_ptegs[g], &hi_ptegs[g]];
                    let [line0, line1] = &old_ptegs[g];
                    // The half-PTEGs with bolted slots.
                    let (mut low, mut high) = (0, 0);
                    if mask & 0xf != 0 {
                        (low, high) =
                            carry_line!(line0, mask & 0xf, g, 0, masks, dst, &mut misplaced);
                    }
                    if mask >> 4 != 0 {
                        let (lo, hi) =
                            carry_line!(line1, mask >> 4, g, 1, masks, dst, &mut misplaced);
                        (low, high) = (low | lo, high | hi);
                    }
                    // The reverse map: the guest's WIMG kept, marked modified, for the slots
                    // carried. Both halves are written (zeros where nothing went): no branch on
                    // where the entries went, and the lines are written anyway by
                    // neighbouring PTEGs.
                    let meta = (u64::from_le_bytes(old_meta[g])
                        & u64::from_le_bytes([META_WIMG; 8]))
                        | u64::from_le_bytes([META_MODIFIED; 8]);
                    lo_meta[g] = (meta & BYTE_MASK[(low & 0xff) as usize]).to_le_bytes();
                    hi_meta[g] = (meta & BYTE_MASK[(high & 0xff) as usize]).to_le_bytes();
                    lo_masks[g] = low as u8;
                    hi_masks[g] = high as u8;
                }
            }};
        }
        // Two PTEGs a turn (`suits`: n is even): the loop's own bookkeeping is a fair share of
        // the work.
        for g in (0..n).step_by(2) {
            carry_group!(g);
            carry_group!(g + 1);
        }
        _mm_sfence();
        place_misplaced(old, new, &misplaced)
    }
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use std::arch::x86_64::{__m256i, _mm256_set_epi64x};

    use papr_cpu::hpt::{hash_mask, PAGE_SIZES, V_BOLTED, V_B_MASK, V_LARGE, V_VALID};
    use proptest::prelude::*;

    use super::super::new_group;
    use super::x86::classify_for_tests;

    /// Four dwords as a vector, lane i = `x[i]`.
    #[target_feature(enable = "avx2")]
    #[allow(clippy::cast_possible_wrap)]
    fn vector(x: [u64; 4]) -> __m256i {
        _mm256_set_epi64x(x[3] as i64, x[2] as i64, x[1] as i64, x[0] as i64)
    }

    /// The lane verdicts of the vector code for four entries of old PTEG `g`.
    fn verdicts(general: bool, v: [u64; 4], r: [u64; 4], g: u64, orders: (u32, u32)) -> [u32; 3] {
        let masks = (hash_mask(orders.0), hash_mask(orders.1));
        // SAFETY: only called after checking that the host has AVX2.
        unsafe { classify_for_tests(general, vector(v), vector(r), g, masks) }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        /// The vector group computation agrees with `new_group`, lane by lane, for any
        /// dwords, any old group, any growth by one order.
        #[test]
        fn classify_agrees_with_new_group(
            v in proptest::array::uniform4(any::<u64>()),
            r in proptest::array::uniform4(any::<u64>()),
            lp in proptest::array::uniform4(0usize..8),
            bolted in proptest::array::uniform4(0u8..8),
            order in 18u32..=45,
            g in any::<u64>(),
        ) {
            if !std::arch::is_x86_feature_detected!("avx2") {
                return Ok(());
            }
            let orders = (order, order + 1);
            let g = g & hash_mask(order);
            let n = hash_mask(order) + 1;
            let mut r = r;
            let mut v = v;
            for i in 0..4 {
                // Mostly the LP encodings papr offers, mostly valid and bolted.
                if let Some(&(_, _, enc)) = PAGE_SIZES.get(lp[i]) {
                    r[i] = (r[i] & !0xff_f000) | (enc << 12);
                }
                if bolted[i] != 0 {
                    v[i] |= V_VALID | V_BOLTED;
                }
            }
            let plain = v.iter().all(|&v| v & (V_LARGE | V_B_MASK) == 0);
            for general in [true, false] {
                if !general && !plain {
                    continue;
                }
                let [carried, low, high] = verdicts(general, v, r, g, orders);
                for i in 0..4 {
                    let expected = (v[i] & (V_VALID | V_BOLTED) == V_VALID | V_BOLTED)
                        .then(|| new_group(v[i], r[i], g, orders.0, orders.1))
                        .flatten();
                    prop_assert_eq!(carried >> i & 1 != 0, expected.is_some(), "lane {}", i);
                    if let Some(ng) = expected {
                        prop_assert_eq!(low >> i & 1 != 0, ng == g, "lane {}", i);
                        prop_assert_eq!(high >> i & 1 != 0, ng == g + n, "lane {}", i);
                    }
                }
            }
        }

        /// The same with entries that decode to the small page in a 256 MB segment, so that the
        /// lean variant is checked on many valid inputs too.
        #[test]
        fn plain_classify_agrees_with_new_group(
            v in proptest::array::uniform4(any::<u64>()),
            order in 18u32..=45,
            g in any::<u64>(),
        ) {
            if !std::arch::is_x86_feature_detected!("avx2") {
                return Ok(());
            }
            let v = v.map(|v| (v & !(V_LARGE | V_B_MASK)) | V_VALID | V_BOLTED);
            let orders = (order, order + 1);
            let g = g & hash_mask(order);
            let n = hash_mask(order) + 1;
            for general in [true, false] {
                let [carried, low, high] = verdicts(general, v, [0; 4], g, orders);
                prop_assert_eq!(carried, 0xf);
                for (i, &v) in v.iter().enumerate() {
                    let ng = new_group(v, 0, g, orders.0, orders.1).expect("small page");
                    prop_assert_eq!(low >> i & 1 != 0, ng == g);
                    prop_assert_eq!(high >> i & 1 != 0, ng == g + n);
                }
            }
        }
    }
}
