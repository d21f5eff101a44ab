//! HPT resizing: KVM_PPC_RESIZE_HPT_PREPARE / _COMMIT and the guest's H_RESIZE_HPT_PREPARE /
//! _COMMIT (fact sheet section 3).
//!
//! Prepare allocates the new (zeroed) table at once but reports "in progress" until a point in
//! *virtual* time has passed, so a run is deterministic: the guest sees long-busy, sleeps, and
//! polls again. Commit carries the bolted entries over into the new table — each one's group
//! recomputed from its AVPN and its old group index, same slot — and drops the rest, which the
//! guest re-faults in. A collision between two bolted entries fails the commit with the old
//! table in use and untouched.

use papr_cpu::hpt::{
    hash_mask, hpte_page_shifts, V_AVPN, V_AVPN_SHIFT, V_BOLTED, V_B_1T, V_B_MASK, V_SECONDARY,
    V_VALID,
};

use super::alloc::{META_MODIFIED, META_WIMG};
use super::table::HptTable;
use crate::VmError;

mod grow;
#[cfg(test)]
mod tests;

/// Virtual time a prepare takes before the new table is reported ready, per MiB of table.
pub const PREPARE_NS_PER_MIB: u64 = 50_000;
/// Minimum virtual time of a prepare.
pub const PREPARE_MIN_NS: u64 = 1_000_000;
/// What a prepare still in progress tells the caller to wait (KVM's fixed estimate).
pub const PREPARE_RETRY_MS: u64 = 100;

/// A resize that was prepared and not yet committed or cancelled.
#[derive(Debug)]
pub struct PendingResize {
    /// The requested order.
    pub shift: u32,
    /// The new table, or why it could not be had.
    pub outcome: Result<HptTable, VmError>,
    /// Virtual time (ns) from which the prepare counts as complete.
    pub ready_at_ns: u64,
}

/// What a prepare reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResizeProgress {
    /// The new table is ready to be committed (or, for shift 0, the request was cancelled).
    Ready,
    /// Still preparing: ask again after this many milliseconds.
    InProgress {
        /// Suggested wait.
        retry_ms: u64,
    },
}

/// Virtual time a prepare of order `shift` takes.
pub fn prepare_duration_ns(shift: u32) -> u64 {
    let mib = (1u64 << shift) >> 20;
    PREPARE_MIN_NS.max(mib * PREPARE_NS_PER_MIB)
}

/// The group of the new table that the HPTE `v` found in group `old_group` of a table of
/// `old_order` belongs to in a table of `new_order`, or `None` if the entry's page size is not
/// one papr offers. The slot stays the same.
///
/// The hash is rebuilt from what the entry records: the AVPN gives the VSID and the top of the
/// page offset (VA bits down to 2^23); for base pages below 8 MB the rest of the offset is
/// recovered from the old group index, since `group = hash & mask` and `hash = vsid ^ offset`.
/// An entry a guest placed outside its own hash group still gets a defined group, since the
/// result is always masked to the new table.
#[inline]
pub fn new_group(v: u64, r: u64, old_group: u64, old_order: u32, new_order: u32) -> Option<u64> {
    let (base_shift, _actual) = hpte_page_shifts(v, r)?;
    let old_mask = hash_mask(old_order);
    let new_mask = hash_mask(new_order);
    let secondary = v & V_SECONDARY != 0;
    // The primary hash's low bits, as the old group gives them.
    let pteg = if secondary { !old_group } else { old_group };
    let page_ignore = ((1u64 << base_shift) - 1) >> 23;
    let avpn = ((v & V_AVPN) >> V_AVPN_SHIFT) & !page_ignore;
    let hash = if v & V_B_MASK == V_B_1T {
        let vsid = avpn >> 17;
        let mut offset = (avpn & 0x1_ffff) << 23;
        let vsid_hash = vsid ^ (vsid << 25);
        if base_shift < 23 {
            offset |= ((vsid_hash ^ pteg) & old_mask) << base_shift;
        }
        vsid_hash ^ (offset >> base_shift)
    } else {
        let vsid = avpn >> 5;
        let mut offset = (avpn & 0x1f) << 23;
        if base_shift < 23 {
            offset |= ((vsid ^ pteg) & old_mask) << base_shift;
        }
        vsid ^ (offset >> base_shift)
    };
    Some(if secondary { !hash } else { hash } & new_mask)
}

/// Copies the bolted entries of `old` into the empty (all-zero) table `new`. On a bolted
/// collision returns `Err(index)` with the new-table index; `old` is never modified, and what
/// `new` holds after an error is unspecified (the caller drops it).
///
/// Growth by one order, the common case, takes a faster path where the host allows it (module
/// `grow`); its result, including which collision is reported, is that of
/// [`rehash_reference`].
pub fn rehash(old: &HptTable, new: &mut HptTable) -> Result<(), usize> {
    if new.order() == old.order() + 1 {
        if let Some(result) = grow::grow_by_one(old, new) {
            return result;
        }
    }
    rehash_reference(old, new)
}

/// How far ahead (in PTEGs) the rehash prefetches the old table.
const PREFETCH_AHEAD: usize = 120;

/// Asks the host to bring the cache line at `p` in (a hint: never faults, changes nothing).
#[inline(always)]
fn prefetch(p: *const u8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: PREFETCHT0 has no architectural effect and never faults, whatever the address;
    // SSE is part of the x86_64 baseline.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// The plain rehash, one entry at a time: the definition the fast path must agree with, and
/// the path every other resize takes.
///
/// Only PTEGs whose bolted mask is non-zero are read, and within them only the bolted slots;
/// the work is done on the raw slices, one PTEG at a time.
pub fn rehash_reference(old: &HptTable, new: &mut HptTable) -> Result<(), usize> {
    let old_order = old.order();
    let new_order = new.order();
    let (old_entries, old_rev) = old.parts();
    let (old_meta, old_masks) = old_rev.parts();
    let (new_entries, new_rev) = new.parts_mut();
    let (new_meta, new_masks) = new_rev.parts_mut();
    let groups = old_entries
        .chunks_exact(8)
        .zip(old_meta.chunks_exact(8))
        .zip(old_masks);
    for (g, ((group, metas), &mask)) in groups.enumerate() {
        // The host's prefetchers follow every-other-line reads poorly: fetch whole PTEGs ahead.
        if old_masks.get(g + PREFETCH_AHEAD).is_some_and(|&m| m != 0) {
            if let Some(ahead) = old_entries.get((g + PREFETCH_AHEAD) * 8..) {
                prefetch(ahead.as_ptr().cast());
                prefetch(ahead.as_ptr().wrapping_add(4).cast());
            }
        }
        let mut mask = mask;
        while mask != 0 {
            let slot = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            let (Some(e), Some(&meta)) = (group.get(slot), metas.get(slot)) else {
                continue;
            };
            let (v, hw_r) = (e.v(), e.r());
            if v & (V_VALID | V_BOLTED) != V_VALID | V_BOLTED {
                continue;
            }
            let Some(ng) = new_group(v, hw_r, g as u64, old_order, new_order)
                .and_then(|x| usize::try_from(x).ok())
            else {
                // An entry with an encoding we never accept cannot be in the table; drop it.
                continue;
            };
            // Both lines of the destination PTEG: a dense pattern the host's prefetchers
            // follow, where every other line (the slots a PTEG's bolted entries usually fill)
            // is one they do not.
            if let Some(p) = new_entries.get(ng * 8..) {
                prefetch(p.as_ptr().cast());
                prefetch(p.as_ptr().wrapping_add(4).cast());
            }
            claim(
                (new_entries, new_meta, new_masks),
                ng * 8 + slot,
                (v, hw_r),
                meta,
            )?;
        }
    }
    Ok(())
}

/// Puts the bolted entry `(v, r)`, whose old reverse-map byte is `meta`, at index `j` of the
/// new table (entries, reverse-map bytes, bolted masks); `Err(j)` if a bolted entry holds
/// that slot already.
#[inline]
fn claim(
    (entries, metas, masks): (&[papr_cpu::hpt::Hpte], &mut [u8], &mut [u8]),
    j: usize,
    (v, r): (u64, u64),
    meta: u8,
) -> Result<(), usize> {
    let bit = 1 << (j % 8);
    let (Some(mask), Some(e), Some(m)) = (masks.get_mut(j / 8), entries.get(j), metas.get_mut(j))
    else {
        // Outside the table: cannot happen, the group is masked to the table's size.
        return Ok(());
    };
    if *mask & bit != 0 {
        return Err(j);
    }
    *mask |= bit;
    e.store(v, r);
    *m = META_MODIFIED | (meta & META_WIMG);
    Ok(())
}
