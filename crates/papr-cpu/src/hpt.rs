//! The architected hashed page table (HPT): HPTE fields, page-size encodings, the hash
//! functions, the PTEG search and the R/C update rules.
//!
//! Power ISA 3.0B, Book III, 5.7.7 ("Hashed Page Table Translation"). This is hardware: the
//! processor walks the table. The *memory* of the table and everything a hypervisor does with it
//! (hcalls, resize, migration) belongs to `papr-hv`, which hands each vCPU a [`PartitionEntry`]
//! naming the current table.
//!
//! papr keeps its table in the pre-ISA-3.0 ("old") HPTE layout, the one the hcall ABI and the
//! KVM HTAB stream use, so no conversion is ever needed at those boundaries. Values are held in
//! host order in atomics; the big-endian form only exists in the migration stream.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// Smallest HPT order (log2 of its size in bytes): 256 KiB.
pub const MIN_HPT_ORDER: u32 = 18;
/// Largest HPT order: 64 TiB.
pub const MAX_HPT_ORDER: u32 = 46;
/// Bytes in one HPTE.
pub const HPTE_BYTES: usize = 16;
/// HPTEs in one PTEG.
pub const HPTES_PER_GROUP: usize = 8;
/// Bytes in one PTEG.
pub const PTEG_BYTES: usize = 128;

// ---- dword 0 ("V") -------------------------------------------------------------------------
/// Segment size field (B): 0 = 256 MB, 1 = 1 TB.
pub const V_B_MASK: u64 = 3 << 62;
/// Shift of the B field.
pub const V_B_SHIFT: u32 = 62;
/// B value of a 1 TB segment.
pub const V_B_1T: u64 = 1 << 62;
/// Abbreviated virtual page number.
pub const V_AVPN: u64 = 0x3fff_ffff_ffff_ff80;
/// Shift of the AVPN field.
pub const V_AVPN_SHIFT: u32 = 7;
/// Software bits the MMU ignores.
pub const V_SW_MASK: u64 = 0x78;
/// Hypervisor lock bit in KVM's table: never guest-visible.
pub const V_HVLOCK: u64 = 0x40;
/// KVM's "valid but absent" bit: never guest-visible.
pub const V_ABSENT: u64 = 0x20;
/// Software bit: the guest will never evict this entry (PAPR convention).
pub const V_BOLTED: u64 = 0x10;
/// Large page (actual size given by LP in dword 1).
pub const V_LARGE: u64 = 0x04;
/// Entry lives in the secondary PTEG.
pub const V_SECONDARY: u64 = 0x02;
/// Valid.
pub const V_VALID: u64 = 0x01;

// ---- dword 1 ("R") -------------------------------------------------------------------------
/// High protection bit.
pub const R_PP0: u64 = 0x8000_0000_0000_0000;
/// Tag set.
pub const R_TS: u64 = 0x4000_0000_0000_0000;
/// Storage key bits 0:1.
pub const R_KEY_HI: u64 = 0x3000_0000_0000_0000;
/// Real page number (low bits double as the LP field of large pages).
pub const R_RPN: u64 = 0x0fff_ffff_ffff_f000;
/// Storage key bits 2:4.
pub const R_KEY_LO: u64 = 0x0000_0000_0000_0e00;
/// Referenced.
pub const R_R: u64 = 0x100;
/// Changed.
pub const R_C: u64 = 0x080;
/// Write-through.
pub const R_W: u64 = 0x40;
/// Cache-inhibited.
pub const R_I: u64 = 0x20;
/// Memory coherence required.
pub const R_M: u64 = 0x10;
/// Guarded.
pub const R_G: u64 = 0x08;
/// All four WIMG bits.
pub const R_WIMG: u64 = 0x78;
/// No-execute.
pub const R_N: u64 = 0x4;
/// PP1:PP2.
pub const R_PP: u64 = 0x3;

/// One HPTE: two doublewords, shared between the hypervisor (which writes them) and every
/// vCPU (which reads them and sets R and C).
#[derive(Debug, Default)]
#[repr(C)]
pub struct Hpte {
    v: AtomicU64,
    r: AtomicU64,
}

impl Hpte {
    /// Dword 0.
    #[inline]
    pub fn v(&self) -> u64 {
        self.v.load(Ordering::Acquire)
    }

    /// Dword 1.
    #[inline]
    pub fn r(&self) -> u64 {
        self.r.load(Ordering::Acquire)
    }

    /// Stores dword 1 then dword 0, so a reader that sees the new V sees the new R (the order
    /// PAPR's H_ENTER uses).
    #[inline]
    pub fn store(&self, v: u64, r: u64) {
        self.r.store(r, Ordering::Relaxed);
        self.v.store(v, Ordering::Release);
    }

    /// Stores dword 0 only.
    #[inline]
    pub fn store_v(&self, v: u64) {
        self.v.store(v, Ordering::Release);
    }

    /// Stores dword 1 only.
    #[inline]
    pub fn store_r(&self, r: u64) {
        self.r.store(r, Ordering::Release);
    }

    /// Sets reference/change bits the way the hardware does (a single atomic OR that cannot
    /// disturb the other fields), returning dword 1 before the update.
    #[inline]
    pub fn set_rc(&self, bits: u64) -> u64 {
        self.r.fetch_or(bits & (R_R | R_C), Ordering::AcqRel)
    }

    /// Clears bits of dword 1 atomically, returning the old value.
    #[inline]
    pub fn clear_r_bits(&self, bits: u64) -> u64 {
        self.r.fetch_and(!bits, Ordering::AcqRel)
    }
}

/// Memory that holds a hashed page table. Implemented by the hypervisor's table allocation.
pub trait HpteStorage: Send + Sync {
    /// The table's entries, `2^(order-4)` of them.
    fn entries(&self) -> &[Hpte];
}

/// The current hashed page table as a vCPU sees it: its entries and its order.
#[derive(Clone)]
pub struct HptView {
    storage: Arc<dyn HpteStorage>,
    order: u32,
}

impl std::fmt::Debug for HptView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HptView")
            .field("order", &self.order)
            .finish()
    }
}

impl HptView {
    /// A view of `storage`, a table of `2^order` bytes.
    ///
    /// # Panics
    /// If the storage does not hold exactly `2^(order-4)` entries: a hypervisor bug.
    pub fn new(storage: Arc<dyn HpteStorage>, order: u32) -> Self {
        assert!((MIN_HPT_ORDER..=MAX_HPT_ORDER).contains(&order));
        assert_eq!(storage.entries().len(), npte(order));
        HptView { storage, order }
    }

    /// log2 of the table size in bytes.
    pub fn order(&self) -> u32 {
        self.order
    }

    /// The entries.
    #[inline]
    pub fn entries(&self) -> &[Hpte] {
        self.storage.entries()
    }

    /// `HTABSIZE`/hash mask: number of PTEGs - 1.
    #[inline]
    pub fn hash_mask(&self) -> u64 {
        hash_mask(self.order)
    }

    /// Searches the primary then the secondary PTEG for the translation of `ea` in `segment`.
    ///
    /// Power ISA 3.0B Book III 5.7.7.2/5.7.7.3: the first matching valid entry wins, slots 0..7
    /// of the primary group, then of the secondary group.
    pub fn search(&self, segment: &Segment, ea: u64) -> Option<HpteMatch> {
        let hash = segment.hash(ea);
        let mask = self.hash_mask();
        let entries = self.entries();
        for (group, secondary) in [(hash & mask, false), (!hash & mask, true)] {
            let base = usize::try_from(group).ok()? * HPTES_PER_GROUP;
            for slot in 0..HPTES_PER_GROUP {
                let index = base + slot;
                let hpte = &entries[index];
                let v = hpte.v();
                if v & V_VALID == 0 || ((v & V_SECONDARY) != 0) != secondary {
                    continue;
                }
                if let Some(m) = segment.match_entry(ea, v, hpte.r(), index) {
                    return Some(m);
                }
            }
        }
        None
    }
}

/// The partition-table entry of one LPAR, as the processor reads it: which HPT is current, and
/// the invalidation generation.
///
/// The invalidation contract: every change that a processor may have cached (an HPTE removed or
/// changed, a new table) bumps [`PartitionEntry::generation`]; each vCPU compares it with the
/// value it saw when it filled its TLB and decoded-instruction cache, and drops them when it
/// differs. A pseries guest never executes tlbie; it relies on this.
///
/// The generation is the sum of two counters that only grow: one any thread may bump with an
/// atomic add, and one bumped with a plain load and store by writers that are already
/// serialised by the hypervisor's HPT lock (the hcall hot path, where a locked add would be a
/// large part of the cost of an H_REMOVE). Keeping them apart means no increment is ever lost.
#[derive(Debug, Default)]
pub struct PartitionEntry {
    generation: AtomicU64,
    serialized_generation: AtomicU64,
    table: RwLock<Option<HptView>>,
}

impl PartitionEntry {
    /// An entry with no table.
    pub fn new() -> Self {
        Self::default()
    }

    /// The current invalidation generation.
    #[inline]
    pub fn generation(&self) -> u64 {
        self.generation
            .load(Ordering::Acquire)
            .wrapping_add(self.serialized_generation.load(Ordering::Acquire))
    }

    /// Makes every vCPU drop its cached translations. Any thread may call it.
    #[inline]
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Like [`PartitionEntry::invalidate`], without a locked instruction. Only for callers that
    /// are serialised with each other (in papr: holders of the hypervisor's HPT lock); two
    /// unserialised callers could lose an increment.
    #[inline]
    pub fn invalidate_serialized(&self) {
        let g = self.serialized_generation.load(Ordering::Relaxed);
        self.serialized_generation
            .store(g.wrapping_add(1), Ordering::Release);
    }

    /// Points the partition at a new table (or none) and invalidates.
    pub fn set_table(&self, view: Option<HptView>) {
        let mut t = self.table.write().unwrap_or_else(|e| e.into_inner());
        *t = view;
        drop(t);
        self.invalidate();
    }

    /// The current table.
    pub fn table(&self) -> Option<HptView> {
        self.table.read().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// Number of HPTEs in a table of `2^order` bytes.
#[inline]
pub const fn npte(order: u32) -> usize {
    1usize << (order - 4)
}

/// Hash mask (number of PTEGs - 1) of a table of `2^order` bytes.
#[inline]
pub const fn hash_mask(order: u32) -> u64 {
    (1u64 << (order - 7)) - 1
}

/// Segment size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SegmentSize {
    /// 256 MB segment (B = 0).
    S256M,
    /// 1 TB segment (B = 1).
    S1T,
}

impl SegmentSize {
    /// The B field value.
    pub const fn b(self) -> u64 {
        match self {
            SegmentSize::S256M => 0,
            SegmentSize::S1T => 1,
        }
    }

    /// log2 of the segment size.
    pub const fn shift(self) -> u32 {
        match self {
            SegmentSize::S256M => 28,
            SegmentSize::S1T => 40,
        }
    }

    /// From the B field; 2 and 3 are reserved.
    pub const fn from_b(b: u64) -> Option<Self> {
        match b {
            0 => Some(SegmentSize::S256M),
            1 => Some(SegmentSize::S1T),
            _ => None,
        }
    }
}

/// A segment as the SLB describes it: the inputs of the hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    /// Segment size.
    pub size: SegmentSize,
    /// Virtual segment ID.
    pub vsid: u64,
    /// Base page shift from the SLB's L||LP (12, 16 or 24).
    pub base_shift: u32,
}

/// A successful search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HpteMatch {
    /// Index of the HPTE in the table.
    pub index: usize,
    /// Dword 0 at the time of the search.
    pub v: u64,
    /// Dword 1 at the time of the search.
    pub r: u64,
    /// Actual page shift of the mapping.
    pub page_shift: u32,
}

impl HpteMatch {
    /// The real address `ea` translates to.
    pub fn real_address(&self, ea: u64) -> u64 {
        let offset_mask = (1u64 << self.page_shift) - 1;
        (self.r & R_RPN & !offset_mask) | (ea & offset_mask)
    }
}

impl Segment {
    /// The primary hash of `ea` (ISA 3.0B Book III 5.7.7.3). The secondary hash is its
    /// one's complement.
    #[inline]
    pub fn hash(&self, ea: u64) -> u64 {
        let offset = ea & ((1u64 << self.size.shift()) - 1);
        match self.size {
            SegmentSize::S256M => self.vsid ^ (offset >> self.base_shift),
            SegmentSize::S1T => self.vsid ^ (self.vsid << 25) ^ (offset >> self.base_shift),
        }
    }

    /// The virtual address of `ea` divided by 2^23: the quantity the AVPN abbreviates.
    #[inline]
    pub fn va_23(&self, ea: u64) -> u64 {
        let shift = self.size.shift();
        let offset = ea & ((1u64 << shift) - 1);
        (self.vsid << (shift - 23)) | (offset >> 23)
    }

    /// Whether the HPTE `(v, r)` at `index` translates `ea` in this segment; V and H were
    /// checked by the caller.
    #[inline]
    fn match_entry(&self, ea: u64, v: u64, r: u64, index: usize) -> Option<HpteMatch> {
        if (v & V_B_MASK) >> V_B_SHIFT != self.size.b() {
            return None;
        }
        let page_shift = actual_page_shift(self.base_shift, v, r)?;
        let ignore = avpn_ignore_mask(page_shift);
        let want = (self.va_23(ea) << V_AVPN_SHIFT) & V_AVPN & !ignore;
        if v & V_AVPN & !ignore != want {
            return None;
        }
        Some(HpteMatch {
            index,
            v,
            r,
            page_shift,
        })
    }
}

/// AVPN bits (in dword-0 position) that lie inside a page of `page_shift`: they must be
/// ignored when matching (for pages of 16 MB and more).
#[inline]
pub const fn avpn_ignore_mask(page_shift: u32) -> u64 {
    if page_shift > 23 {
        (((1u64 << page_shift) - 1) >> 23) << V_AVPN_SHIFT
    } else {
        0
    }
}

/// The (base, actual) page-size combinations papr offers, with their LP encodings
/// (fact sheet 1.3; the guest learns them from `ibm,segment-page-sizes`).
pub const PAGE_SIZES: &[(u32, u32, u64)] = &[
    (12, 16, 0x7),
    (12, 24, 0x38),
    (16, 16, 0x1),
    (16, 24, 0x8),
    (24, 24, 0x0),
];

/// The SLB L||LP encoding of a base page shift.
pub const fn slb_page_encoding(base_shift: u32) -> Option<u64> {
    match base_shift {
        12 => Some(0x000),
        16 => Some(0x110),
        24 => Some(0x100),
        _ => None,
    }
}

/// The actual page shift of HPTE `(v, r)` in a segment whose base page shift is `base_shift`,
/// or `None` if the entry's L/LP encoding is not one papr offers under that base size.
#[inline]
pub fn actual_page_shift(base_shift: u32, v: u64, r: u64) -> Option<u32> {
    if v & V_LARGE == 0 {
        return (base_shift == 12).then_some(12);
    }
    PAGE_SIZES.iter().find_map(|&(base, actual, enc)| {
        let lp_mask = ((1u64 << actual) - 1) & R_RPN;
        (base == base_shift && r & lp_mask == enc << 12).then_some(actual)
    })
}

/// The (base, actual) page shifts an HPTE encodes, independent of any segment (KVM's
/// `kvmppc_hpte_page_shifts`), or `None` for an encoding papr does not offer.
#[inline]
pub fn hpte_page_shifts(v: u64, r: u64) -> Option<(u32, u32)> {
    if v & V_LARGE == 0 {
        return Some((12, 12));
    }
    // The encodings are unambiguous: every LP value differs from the others in the bits
    // below its own page size.
    PAGE_SIZES.iter().find_map(|&(base, actual, enc)| {
        let lp_mask = ((1u64 << actual) - 1) & R_RPN;
        (r & lp_mask == enc << 12).then_some((base, actual))
    })
}

/// Storage protection: the access rights that PP0||PP give for a key (ISA 3.0B Book III
/// 5.7.9.2; Linux sets Ks = 0 and Kp = 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No access.
    None,
    /// Read only.
    ReadOnly,
    /// Read and write.
    ReadWrite,
}

/// The access `r`'s PP bits grant under `key` (the SLB's Ks or Kp for the current state).
pub fn pp_access(r: u64, key: bool) -> Access {
    let pp = ((r & R_PP0) >> 61) | (r & R_PP);
    match (pp, key) {
        (0b000..=0b010, false) => Access::ReadWrite,
        (0b011 | 0b110, false) => Access::ReadOnly,
        (0b000, true) => Access::None,
        (0b001 | 0b011, true) => Access::ReadOnly,
        (0b010, true) => Access::ReadWrite,
        (0b110, true) => Access::None,
        // 0b100, 0b101, 0b111: reserved / implementation-specific; treat as no access.
        _ => Access::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Table(Vec<Hpte>);
    impl HpteStorage for Table {
        fn entries(&self) -> &[Hpte] {
            &self.0
        }
    }

    fn table(order: u32) -> HptView {
        let entries = (0..npte(order)).map(|_| Hpte::default()).collect();
        HptView::new(Arc::new(Table(entries)), order)
    }

    fn insert(view: &HptView, seg: &Segment, ea: u64, secondary: bool, slot: usize, r: u64) {
        let hash = seg.hash(ea);
        let group = if secondary { !hash } else { hash } & view.hash_mask();
        let large = if seg.base_shift == 12 && r & 0xff000 == 0 {
            0
        } else {
            V_LARGE
        };
        let v = (seg.size.b() << 62)
            | ((seg.va_23(ea) << 7) & V_AVPN)
            | large
            | if secondary { V_SECONDARY } else { 0 }
            | V_VALID;
        view.entries()[usize::try_from(group).unwrap() * 8 + slot].store(v, r);
    }

    #[test]
    fn primary_and_secondary_groups_are_searched_in_order() {
        let view = table(18);
        let seg = Segment {
            size: SegmentSize::S256M,
            vsid: 0x1234,
            base_shift: 12,
        };
        let ea = 0x0567_8000;
        assert_eq!(view.search(&seg, ea), None);
        insert(&view, &seg, ea, true, 3, 0x4000_0000 | R_M | 0x2);
        let m = view.search(&seg, ea).unwrap();
        assert_eq!(m.real_address(ea | 0x123), 0x4000_0123);
        assert_eq!(m.page_shift, 12);
        // A primary entry wins over a secondary one.
        insert(&view, &seg, ea, false, 7, 0x5000_0000 | R_M);
        assert_eq!(view.search(&seg, ea).unwrap().real_address(ea), 0x5000_0000);
        // A neighbouring page does not match.
        assert_eq!(view.search(&seg, ea + 0x1000), None);
    }

    #[test]
    fn one_tera_segments_and_64k_pages() {
        let view = table(20);
        let seg = Segment {
            size: SegmentSize::S1T,
            vsid: 0x0bad_cafe,
            base_shift: 16,
        };
        let ea = 0x0012_3456_0000;
        insert(&view, &seg, ea, false, 0, 0x10_0000 | (0x1 << 12) | R_M);
        let m = view.search(&seg, ea + 0xfff0).unwrap();
        assert_eq!(m.page_shift, 16);
        assert_eq!(m.real_address(ea + 0xfff0), 0x10_fff0);
        // Same VSID, 256M segment: B differs, no match.
        let seg256 = Segment {
            size: SegmentSize::S256M,
            ..seg
        };
        assert_eq!(view.search(&seg256, ea), None);
    }

    #[test]
    fn sixteen_meg_pages_ignore_the_avpn_bit_inside_the_page() {
        let view = table(18);
        let seg = Segment {
            size: SegmentSize::S256M,
            vsid: 0x77,
            base_shift: 24,
        };
        let ea = 0x0300_0000;
        insert(&view, &seg, ea, false, 1, 0x0100_0000 | R_M);
        // Second half of the same 16M page: EA bit 23 set, same hash (ea >> 24).
        let m = view.search(&seg, ea + 0x80_0000).unwrap();
        assert_eq!(m.page_shift, 24);
        assert_eq!(m.real_address(ea + 0x80_1234), 0x0180_1234);
    }

    #[test]
    fn page_size_decoding() {
        assert_eq!(actual_page_shift(12, 0, 0x1000), Some(12));
        assert_eq!(actual_page_shift(16, 0, 0x1000), None);
        assert_eq!(actual_page_shift(16, V_LARGE, 0x1_1000), Some(16));
        assert_eq!(actual_page_shift(12, V_LARGE, 0x1_7000), Some(16));
        assert_eq!(actual_page_shift(12, V_LARGE, 0x38000), Some(24));
        assert_eq!(actual_page_shift(16, V_LARGE, 0x8000), Some(24));
        assert_eq!(actual_page_shift(24, V_LARGE, 0x0100_0000), Some(24));
        assert_eq!(actual_page_shift(24, V_LARGE, 0x0100_1000), None);
        assert_eq!(hpte_page_shifts(V_LARGE, 0x38000), Some((12, 24)));
        assert_eq!(hpte_page_shifts(V_LARGE, 0x8000), Some((16, 24)));
        assert_eq!(hpte_page_shifts(V_LARGE, 0x1000), Some((16, 16)));
        assert_eq!(hpte_page_shifts(V_LARGE, 0x3000), None);
        assert_eq!(hpte_page_shifts(0, 0x3000), Some((12, 12)));
    }

    #[test]
    fn pp_table_matches_linux_names() {
        // PP_RWXX, PP_RWRX, PP_RWRW, PP_RXRX, PP_RXXX.
        assert_eq!(pp_access(0, false), Access::ReadWrite);
        assert_eq!(pp_access(0, true), Access::None);
        assert_eq!(pp_access(1, true), Access::ReadOnly);
        assert_eq!(pp_access(2, true), Access::ReadWrite);
        assert_eq!(pp_access(3, false), Access::ReadOnly);
        assert_eq!(pp_access(R_PP0 | 2, false), Access::ReadOnly);
        assert_eq!(pp_access(R_PP0 | 2, true), Access::None);
    }

    #[test]
    fn generation_bumps_on_every_table_change() {
        let pate = PartitionEntry::new();
        let g0 = pate.generation();
        pate.set_table(Some(table(18)));
        assert!(pate.generation() > g0);
        assert_eq!(pate.table().unwrap().order(), 18);
        let g1 = pate.generation();
        pate.invalidate();
        assert!(pate.generation() > g1);
    }
}
