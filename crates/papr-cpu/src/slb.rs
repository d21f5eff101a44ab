//! The Segment Lookaside Buffer: 32 entries mapping effective segments to virtual segments.
//!
//! Power ISA 3.0B, Book III 5.7.6 ("Segment Translation"), 5.7.6.1 (SLB entry format) and
//! 5.9.3.2 (the SLB management instructions slbmte, slbie, slbia, slbmfee, slbmfev, slbfee.).
//! The methods take the register values the instructions take and return what they return;
//! the interpreter decodes, checks privilege and sets CR0.
//!
//! Register formats:
//!
//! | register | bits | field |
//! |---|---|---|
//! | ESID word (slbmte RB, slbmfee RT) | 0:35 | ESID |
//! | | 36 | V |
//! | | 52:63 | index (slbmte/slbmfee RB only) |
//! | VSID word (slbmte RS, slbmfev RT) | 0:1 | B (segment size) |
//! | | 2:51 | VSID |
//! | | 52, 53, 54 | Ks, Kp, N |
//! | | 55, 58:59 | L, LP (base page size) |
//! | | 56 | C (class) |
//!
//! **Unsupported encodings.** slbmte stores whatever it is given, as POWER9 hardware does under
//! KVM: a reserved segment size (B = 2, 3) or a base page size papr does not offer (L||LP other
//! than 4K, 64K, 16M) is kept and read back by slbmfev. A translation through such an entry
//! finds no page: H_ENTER cannot have inserted one, so the guest gets the storage interrupt it
//! would get under KVM. QEMU instead raises an illegal-instruction program interrupt at the
//! slbmte (and, with its default caps, also for 16M). See docs/CPU.md.

use crate::bits::{ibm_bit, ibm_mask};
use crate::hpt::{Segment, SegmentSize};

/// Number of SLB entries on POWER9.
pub const SLB_ENTRIES: usize = 32;

/// ESID word: the effective segment id, bits 0:35.
pub const ESID_MASK: u64 = ibm_mask(0, 35);
/// ESID bits that name a 1 TB segment, bits 0:23.
pub const ESID_1T_MASK: u64 = ibm_mask(0, 23);
/// ESID word: valid, bit 36.
pub const ESID_V: u64 = ibm_bit(36);
/// slbmte/slbmfee RB: entry index, bits 52:63.
pub const INDEX_MASK: u64 = ibm_mask(52, 63);
/// slbie RB: class, bit 36.
pub const SLBIE_C: u64 = ibm_bit(36);
/// slbie RB: segment size, bits 37:38.
pub const SLBIE_B_MASK: u64 = ibm_mask(37, 38);

/// VSID word: segment size, bits 0:1.
pub const VSID_B_MASK: u64 = ibm_mask(0, 1);
/// VSID word: VSID, bits 2:51.
pub const VSID_MASK: u64 = ibm_mask(2, 51);
/// VSID word: supervisor key.
pub const VSID_KS: u64 = ibm_bit(52);
/// VSID word: problem-state key.
pub const VSID_KP: u64 = ibm_bit(53);
/// VSID word: no-execute segment.
pub const VSID_N: u64 = ibm_bit(54);
/// VSID word: large base page.
pub const VSID_L: u64 = ibm_bit(55);
/// VSID word: class.
pub const VSID_C: u64 = ibm_bit(56);
/// VSID word: LP, bits 58:59.
pub const VSID_LP: u64 = ibm_mask(58, 59);
/// The bits of the VSID word an entry holds (57 and 60:63 are reserved).
pub const VSID_WORD_MASK: u64 =
    VSID_B_MASK | VSID_MASK | VSID_KS | VSID_KP | VSID_N | VSID_L | VSID_C | VSID_LP;

/// The protection and class attributes of a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentAttrs {
    /// Supervisor-state storage key.
    pub ks: bool,
    /// Problem-state storage key.
    pub kp: bool,
    /// No-execute segment.
    pub n: bool,
    /// Class (used by slbia IH = 3 and the TLB-invalidation hints).
    pub class: bool,
}

/// The result of looking an effective address up in the SLB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlbHit {
    /// Index of the matching entry.
    pub index: usize,
    /// The segment, or `None` if the entry's segment size or base page size is one papr does
    /// not offer (translation through it finds no page).
    pub segment: Option<Segment>,
    /// Ks, Kp, N, C.
    pub attrs: SegmentAttrs,
    /// The entry's VSID word (B, VSID, Ks, Kp, N, L, C, LP as written).
    pub vsid_word: u64,
}

/// One SLB entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct SlbEntry {
    /// ESID || V as written (bits 37:63 zero).
    esid_word: u64,
    /// The VSID word as written, reserved bits dropped.
    vsid_word: u64,
    /// EA bits compared for this entry (0:35 or 0:23); 0 when invalid.
    match_mask: u64,
    /// The value EA & `match_mask` must have; 1 (never an EA & mask) when invalid.
    match_value: u64,
}

impl SlbEntry {
    const INVALID: SlbEntry = SlbEntry {
        esid_word: 0,
        vsid_word: 0,
        match_mask: 0,
        match_value: 1,
    };

    fn new(esid_word: u64, vsid_word: u64) -> Self {
        let mut e = SlbEntry {
            esid_word: esid_word & (ESID_MASK | ESID_V),
            vsid_word: vsid_word & VSID_WORD_MASK,
            ..Self::INVALID
        };
        e.update_match();
        e
    }

    fn valid(&self) -> bool {
        self.esid_word & ESID_V != 0
    }

    fn b(&self) -> u64 {
        self.vsid_word >> 62
    }

    fn update_match(&mut self) {
        if self.valid() {
            // A reserved B compares like a 256M segment (the ISA leaves it undefined).
            self.match_mask = if self.b() == 1 {
                ESID_1T_MASK
            } else {
                ESID_MASK
            };
            self.match_value = self.esid_word & self.match_mask;
        } else {
            self.match_mask = 0;
            self.match_value = 1;
        }
    }

    fn invalidate(&mut self) {
        self.esid_word &= !ESID_V;
        self.update_match();
    }

    fn attrs(&self) -> SegmentAttrs {
        SegmentAttrs {
            ks: self.vsid_word & VSID_KS != 0,
            kp: self.vsid_word & VSID_KP != 0,
            n: self.vsid_word & VSID_N != 0,
            class: self.vsid_word & VSID_C != 0,
        }
    }

    fn segment(&self) -> Option<Segment> {
        let size = SegmentSize::from_b(self.b())?;
        let base_shift = base_page_shift(self.vsid_word)?;
        let vsid = match size {
            SegmentSize::S256M => (self.vsid_word & VSID_MASK) >> 12,
            SegmentSize::S1T => (self.vsid_word & VSID_MASK) >> 24,
        };
        Some(Segment {
            size,
            vsid,
            base_shift,
        })
    }
}

/// The base page shift an SLB VSID word's L||LP selects among the sizes papr offers
/// (4K: L = 0; 64K: L||LP = 1||01; 16M: 1||00), or `None`.
pub fn base_page_shift(vsid_word: u64) -> Option<u32> {
    if vsid_word & VSID_L == 0 {
        // LP is only meaningful with L = 1.
        return Some(12);
    }
    let enc = vsid_word & (VSID_L | VSID_LP);
    [12u32, 16, 24]
        .into_iter()
        .find(|&shift| crate::hpt::slb_page_encoding(shift) == Some(enc))
}

/// The SLB of one thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slb {
    entries: [SlbEntry; SLB_ENTRIES],
}

impl Default for Slb {
    fn default() -> Self {
        Self::new()
    }
}

impl Slb {
    /// An SLB with every entry invalid (the state at reset).
    pub fn new() -> Self {
        Slb {
            entries: [SlbEntry::INVALID; SLB_ENTRIES],
        }
    }

    /// `slbmte RS, RB`: writes entry `RB[52:63]` with ESID||V from `rb` and the VSID word
    /// `rs`. An index beyond the 32 entries is a no-op (the ISA leaves it undefined). Returns
    /// whether an entry was written.
    pub fn slbmte(&mut self, rs: u64, rb: u64) -> bool {
        let Ok(index) = usize::try_from(rb & INDEX_MASK) else {
            return false;
        };
        match self.entries.get_mut(index) {
            Some(e) => {
                *e = SlbEntry::new(rb, rs);
                true
            }
            None => false,
        }
    }

    /// `slbie RB`: invalidates the entry that translates the effective address `RB[0:35]`
    /// (compared over bits 0:23 for a 1 TB segment) if its class equals `RB[36]` and its
    /// segment size `RB[37:38]` (ISA 3.0B 5.9.3.2: the SLB is searched for an entry matching
    /// the effective address, the class and the segment size). Linux passes both (C = 1 for
    /// its user segments). Returns whether an entry was invalidated.
    pub fn slbie(&mut self, rb: u64) -> bool {
        let b = (rb & SLBIE_B_MASK) >> (63 - 38);
        let class = rb & SLBIE_C != 0;
        let mut changed = false;
        for e in &mut self.entries {
            if e.valid()
                && e.b() == b
                && (e.vsid_word & VSID_C != 0) == class
                && rb & e.match_mask == e.match_value
            {
                e.invalidate();
                changed = true;
            }
        }
        changed
    }

    /// `slbia IH`: invalidates entries according to the invalidation hint (ISA 3.0B 5.9.3.2):
    ///
    /// - IH = 3: every entry except entry 0 whose class is 1 (Linux uses it on context switch:
    ///   its user segments have C = 1, its kernel segments C = 0);
    /// - IH = 7: no SLB entry (only lookaside information, i.e. papr's TLB);
    /// - any other IH: every entry except entry 0.
    pub fn slbia(&mut self, ih: u32) {
        match ih & 7 {
            7 => {}
            3 => {
                for e in self.entries.iter_mut().skip(1) {
                    if e.vsid_word & VSID_C != 0 {
                        e.invalidate();
                    }
                }
            }
            _ => {
                for e in self.entries.iter_mut().skip(1) {
                    e.invalidate();
                }
            }
        }
    }

    /// `slbmfee RT, RB`: the ESID word (ESID || V, bits 37:63 zero) of entry `RB[52:63]`;
    /// 0 for an index beyond the SLB.
    pub fn slbmfee(&self, rb: u64) -> u64 {
        usize::try_from(rb & INDEX_MASK)
            .ok()
            .and_then(|i| self.entries.get(i))
            .map_or(0, |e| e.esid_word)
    }

    /// `slbmfev RT, RB`: the VSID word of entry `RB[52:63]`; 0 for an index beyond the SLB.
    pub fn slbmfev(&self, rb: u64) -> u64 {
        usize::try_from(rb & INDEX_MASK)
            .ok()
            .and_then(|i| self.entries.get(i))
            .map_or(0, |e| e.vsid_word)
    }

    /// `slbfee. RT, RB`: the VSID word of the entry translating effective address `rb`, or
    /// `None` (RT = 0, CR0\[EQ] = 0).
    pub fn slbfee(&self, rb: u64) -> Option<u64> {
        self.find(rb).map(|i| self.entries[i].vsid_word)
    }

    #[inline]
    fn find(&self, ea: u64) -> Option<usize> {
        self.entries
            .iter()
            .position(|e| ea & e.match_mask == e.match_value)
    }

    /// Looks effective address `ea` up (Book III 5.7.6.1: the first valid entry whose ESID
    /// matches over the entry's segment size). `None` is a segment fault.
    #[inline]
    pub fn lookup(&self, ea: u64) -> Option<SlbHit> {
        let index = self.find(ea)?;
        let e = &self.entries[index];
        Some(SlbHit {
            index,
            segment: e.segment(),
            attrs: e.attrs(),
            vsid_word: e.vsid_word,
        })
    }

    /// The (ESID word, VSID word) of every entry, for snapshots.
    pub fn save(&self) -> [(u64, u64); SLB_ENTRIES] {
        let mut out = [(0, 0); SLB_ENTRIES];
        for (o, e) in out.iter_mut().zip(&self.entries) {
            *o = (e.esid_word, e.vsid_word);
        }
        out
    }

    /// Restores entries saved by [`Slb::save`].
    pub fn restore(&mut self, words: &[(u64, u64); SLB_ENTRIES]) {
        for (e, &(esid, vsid)) in self.entries.iter_mut().zip(words) {
            *e = SlbEntry::new(esid, vsid);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Register images written from the ISA's field positions, not from this module's masks.
    const V: u64 = 0x0800_0000; // RB bit 36
    const KS: u64 = 0x800; // RS bit 52
    const KP: u64 = 0x400; // RS bit 53
    const N: u64 = 0x200; // RS bit 54
    const C: u64 = 0x80; // RS bit 56
    const LLP_64K: u64 = 0x110;
    const B_1T: u64 = 1 << 62;

    #[test]
    fn slbmte_then_lookup_256m_4k() {
        let mut slb = Slb::new();
        // ESID 1 (EA 0x1000_0000..0x1fff_ffff), VSID 0x2222, index 1, Kp.
        assert!(slb.slbmte((0x2222 << 12) | KP, 0x1000_0000 | V | 1));
        let hit = slb.lookup(0x1000_0123).unwrap();
        assert_eq!(hit.index, 1);
        assert_eq!(
            hit.segment,
            Some(Segment {
                size: SegmentSize::S256M,
                vsid: 0x2222,
                base_shift: 12
            })
        );
        assert!(hit.attrs.kp && !hit.attrs.ks && !hit.attrs.n && !hit.attrs.class);
        assert!(slb.lookup(0x2000_0000).is_none());
        assert!(slb.lookup(0x1_1000_0000).is_none()); // ESID compares all 36 bits
                                                      // The values the mmu guest reads back (guests/expected/mmu.txt).
        assert_eq!(slb.slbmfee(1), 0x0000_0000_1800_0000);
        assert_eq!(slb.slbmfev(1), 0x0000_0000_0222_2400);
        assert_eq!(slb.slbmfee(3), 0);
    }

    #[test]
    fn one_tera_segments_with_64k_pages() {
        let mut slb = Slb::new();
        // VSID 0x345 in a 1T segment: VSID occupies RS bits 2:39, i.e. value << 24.
        let rs = B_1T | (0x345 << 24) | LLP_64K;
        assert!(slb.slbmte(rs, 0x0000_0100_0000_0000 | V | 2));
        assert_eq!(slb.slbmfev(2), 0x4000_0003_4500_0110);
        // Any EA with ESID bits 0:23 = 1 matches, whatever bits 24:35 hold.
        let hit = slb.lookup(0x0000_01ff_ffff_fff0).unwrap();
        assert_eq!(
            hit.segment,
            Some(Segment {
                size: SegmentSize::S1T,
                vsid: 0x345,
                base_shift: 16
            })
        );
        assert!(slb.lookup(0x0000_0200_0000_0000).is_none());
        assert_eq!(slb.slbfee(0x0000_0100_1234_5678), Some(rs));
        assert_eq!(slb.slbfee(0x0000_0300_0000_0000), None);
    }

    #[test]
    fn slbie_needs_the_segment_size_and_class_to_match() {
        let mut slb = Slb::new();
        slb.slbmte(B_1T | (0x345 << 24), 0x0000_0100_0000_0000 | V | 2);
        slb.slbmte(0x123 << 12, 0x3000_0000 | V | 3);
        // B = 0 in RB does not name the 1T entry.
        assert!(!slb.slbie(0x0000_0100_0000_0000));
        assert!(slb.lookup(0x0000_0100_0000_0000).is_some());
        // B = 01 (RB bits 37:38 = 0b01 -> 0x0200_0000) does.
        assert!(slb.slbie(0x0000_0100_0000_0000 | 0x0200_0000));
        assert!(slb.lookup(0x0000_0100_0000_0000).is_none());
        // Nor does a class (RB bit 36 = 0x0800_0000) the entry does not have.
        assert!(!slb.slbie(0x3000_0000 | 0x0800_0000));
        assert!(slb.lookup(0x3000_0000).is_some());
        assert!(slb.slbie(0x3000_0000));
        assert!(slb.lookup(0x3000_0000).is_none());
        // A class-1 entry needs C = 1 in RB.
        slb.slbmte((0x124 << 12) | C, 0x4000_0000 | V | 4);
        assert!(!slb.slbie(0x4000_0000));
        assert!(slb.slbie(0x4000_0000 | 0x0800_0000));
        assert!(slb.lookup(0x4000_0000).is_none());
        // The VSID word survives invalidation; V is clear.
        assert_eq!(slb.slbmfee(3), 0x3000_0000);
        assert_eq!(slb.slbmfev(3), 0x123 << 12);
    }

    #[test]
    fn slbia_hints() {
        let fill = |slb: &mut Slb| {
            for i in 0..4u64 {
                let class = if i % 2 == 1 { C } else { 0 };
                slb.slbmte((0x100 + i) << 12 | KS | class, (i << 28) | V | i);
            }
        };
        let valid = |slb: &Slb| {
            (0..4u64)
                .map(|i| slb.slbmfee(i) & V != 0)
                .collect::<Vec<_>>()
        };
        let mut slb = Slb::new();
        fill(&mut slb);
        slb.slbia(0);
        assert_eq!(valid(&slb), [true, false, false, false]);
        fill(&mut slb);
        slb.slbia(3); // class-1 entries (1 and 3) only
        assert_eq!(valid(&slb), [true, false, true, false]);
        fill(&mut slb);
        slb.slbia(7);
        assert_eq!(valid(&slb), [true, true, true, true]);
    }

    #[test]
    fn page_size_encodings() {
        assert_eq!(base_page_shift(0), Some(12));
        assert_eq!(base_page_shift(0x110), Some(16));
        assert_eq!(base_page_shift(0x100), Some(24));
        assert_eq!(base_page_shift(0x120), None); // 16G: not offered
        assert_eq!(base_page_shift(0x130), None); // LP = 11: reserved
        assert_eq!(base_page_shift(0x030), Some(12)); // LP ignored when L = 0
        let mut slb = Slb::new();
        slb.slbmte((0x77 << 12) | 0x120 | N, V);
        let hit = slb.lookup(0x0fff_ffff).unwrap();
        assert_eq!(hit.segment, None);
        assert!(hit.attrs.n);
        // A reserved segment size is kept and read back, and translates nothing.
        slb.slbmte((2 << 62) | (0x77 << 12), 0x1000_0000 | V | 1);
        assert_eq!(slb.slbmfev(1) >> 62, 2);
        assert_eq!(slb.lookup(0x1000_0000).unwrap().segment, None);
    }

    #[test]
    fn out_of_range_indices_are_harmless() {
        let mut slb = Slb::new();
        assert!(!slb.slbmte(0x1000, V | 32));
        assert!(!slb.slbmte(0x1000, V | 0xfff));
        assert_eq!(slb.slbmfee(0xfff), 0);
        assert_eq!(slb.slbmfev(40), 0);
        assert!(slb.lookup(0).is_none());
    }

    #[test]
    fn save_restore_round_trip() {
        let mut slb = Slb::new();
        slb.slbmte((0x2222 << 12) | KP, 0x1000_0000 | V | 1);
        slb.slbmte(
            B_1T | (0x345 << 24) | LLP_64K,
            0x0000_0100_0000_0000 | V | 31,
        );
        let words = slb.save();
        let mut other = Slb::new();
        other.restore(&words);
        assert_eq!(other, slb);
    }
}
