//! A software TLB: effective page -> real page, one direct-mapped array per access type.
//!
//! Power ISA 3.0B, Book III 5.10 ("Translation Lookaside Buffer") lets an implementation keep
//! any translation it has made until software invalidates it; papr's invalidation points are
//! the architected ones a pseries guest relies on, plus its own:
//!
//! - the partition entry's generation changes (an hcall removed or changed an HPTE, a new
//!   table, a resize commit…): compared on every lookup, one atomic load;
//! - any SLB change (slbmte, slbie, slbia);
//! - an MSR change of SF, PR, IR, DR or LE, and an AMR/IAMR/UAMOR write (the cached
//!   permissions depend on them).
//!
//! Entries are 4K-grained whatever the page size (a 64K page fills up to 16 entries as it is
//! touched). An entry in the `Store` array means the page is writable *and* its C bit has been
//! set; in the `Load` array, readable with R set; in the `Fetch` array, executable. So a hit
//! needs no permission check and no R/C update.
//!
//! Flushing is O(1): every tag carries the current epoch in its (otherwise zero) low 12 bits;
//! a flush bumps the epoch, so old tags stop matching. Only when the epoch wraps (every 4095
//! flushes) are the arrays cleared.

use crate::mmu::AccessType;

/// log2 of the entries per access type.
pub const TLB_BITS: u32 = 10;
/// Entries per access type.
pub const TLB_ENTRIES: usize = 1 << TLB_BITS;
const PAGE_MASK: u64 = !0xfff;
const EPOCH_MAX: u64 = 0xfff;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[repr(C)]
struct TlbEntry {
    /// EA page | epoch; 0 (epoch 0 is never current) when empty.
    tag: u64,
    /// Real page address.
    real: u64,
}

/// The TLB of one thread.
#[derive(Debug, Clone)]
pub struct Tlb {
    entries: Box<[[TlbEntry; TLB_ENTRIES]; 3]>,
    epoch: u64,
    generation: u64,
}

impl Default for Tlb {
    fn default() -> Self {
        Self::new()
    }
}

impl Tlb {
    /// An empty TLB.
    pub fn new() -> Self {
        Tlb {
            entries: Box::new([[TlbEntry::default(); TLB_ENTRIES]; 3]),
            epoch: 1,
            generation: 0,
        }
    }

    #[inline]
    fn slot(ea: u64) -> usize {
        // Fibonacci hashing of the page number: strided working sets (every 64K page of a
        // kernel linear map, say) spread over the whole array instead of a sixteenth of it.
        let hash = (ea >> 12).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - TLB_BITS);
        // TLB_BITS < 32: the cast cannot truncate.
        #[allow(clippy::cast_possible_truncation)]
        let slot = hash as usize;
        slot
    }

    /// The real address of `ea` for `access`, if cached. `generation` is the partition
    /// entry's current generation: when it differs from the one the TLB was filled under,
    /// the TLB is flushed and the lookup misses.
    #[inline]
    pub fn lookup(&mut self, ea: u64, access: AccessType, generation: u64) -> Option<u64> {
        if generation != self.generation {
            self.generation = generation;
            self.flush();
            return None;
        }
        let e = &self.entries[access as usize][Self::slot(ea)];
        if e.tag == (ea & PAGE_MASK) | self.epoch {
            Some(e.real | (ea & !PAGE_MASK))
        } else {
            None
        }
    }

    /// Caches the translation of the 4K page holding `ea` to the page holding `ra`, made
    /// under partition `generation` (if that is not the current one, nothing is cached).
    #[inline]
    pub fn fill(&mut self, ea: u64, ra: u64, access: AccessType, generation: u64) {
        if generation != self.generation {
            return;
        }
        self.entries[access as usize][Self::slot(ea)] = TlbEntry {
            tag: (ea & PAGE_MASK) | self.epoch,
            real: ra & PAGE_MASK,
        };
    }

    /// Drops every entry.
    #[inline]
    pub fn flush(&mut self) {
        if self.epoch == EPOCH_MAX {
            self.entries
                .iter_mut()
                .for_each(|a| a.fill(TlbEntry::default()));
            self.epoch = 1;
        } else {
            self.epoch += 1;
        }
    }

    /// The partition generation the entries were made under.
    pub fn generation(&self) -> u64 {
        self.generation
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hit_after_fill_same_page_only() {
        let mut tlb = Tlb::new();
        assert_eq!(tlb.lookup(0x1000_0123, AccessType::Load, 0), None);
        tlb.fill(0x1000_0123, 0x81_0000, AccessType::Load, 0);
        assert_eq!(
            tlb.lookup(0x1000_0fff, AccessType::Load, 0),
            Some(0x81_0fff)
        );
        // Other access types and other pages miss.
        assert_eq!(tlb.lookup(0x1000_0123, AccessType::Store, 0), None);
        assert_eq!(tlb.lookup(0x1000_0123, AccessType::Fetch, 0), None);
        assert_eq!(tlb.lookup(0x1000_1000, AccessType::Load, 0), None);
        // Pages that share a slot evict each other and never alias.
        let slot = Tlb::slot(0x1000_0000);
        let other = (1..u64::MAX)
            .map(|k| 0x1000_0000 + (k << 12))
            .find(|&ea| Tlb::slot(ea) == slot)
            .unwrap();
        assert_eq!(tlb.lookup(other, AccessType::Load, 0), None);
        tlb.fill(other, 0x99_0000, AccessType::Load, 0);
        assert_eq!(tlb.lookup(other, AccessType::Load, 0), Some(0x99_0000));
        assert_eq!(tlb.lookup(0x1000_0123, AccessType::Load, 0), None);
    }

    #[test]
    fn generation_change_flushes() {
        let mut tlb = Tlb::new();
        tlb.fill(0x2000, 0x5000, AccessType::Fetch, 0);
        assert!(tlb.lookup(0x2000, AccessType::Fetch, 0).is_some());
        assert_eq!(tlb.lookup(0x2000, AccessType::Fetch, 1), None);
        assert_eq!(tlb.lookup(0x2000, AccessType::Fetch, 1), None);
        // A fill made under a stale generation is not kept.
        tlb.fill(0x2000, 0x5000, AccessType::Fetch, 0);
        assert_eq!(tlb.lookup(0x2000, AccessType::Fetch, 1), None);
        tlb.fill(0x2000, 0x5000, AccessType::Fetch, 1);
        assert_eq!(tlb.lookup(0x2000, AccessType::Fetch, 1), Some(0x5000));
    }

    #[test]
    fn flush_survives_epoch_wrap() {
        let mut tlb = Tlb::new();
        for i in 0..(3 * EPOCH_MAX) {
            tlb.fill(0x7000, 0x9000, AccessType::Store, 0);
            assert_eq!(tlb.lookup(0x7000, AccessType::Store, 0), Some(0x9000));
            tlb.flush();
            assert_eq!(tlb.lookup(0x7000, AccessType::Store, 0), None, "flush {i}");
        }
        // Page 0 with an empty slot never hits.
        assert_eq!(tlb.lookup(0, AccessType::Load, 0), None);
    }
}
