//! The dirty page log of guest RAM: KVM's `KVM_MEM_LOG_DIRTY_PAGES` memslot flag and
//! `KVM_GET_DIRTY_LOG`, which live migration's pre-copy loop uses to find the pages the guest
//! wrote since it last looked.
//!
//! One bit per 4 KiB page of guest-physical memory, in atomics so every vCPU thread and the
//! hypervisor can mark pages through a shared `&GuestRam`. While logging is off nothing is
//! recorded. Enabling starts an empty log; each take returns the pages written since the
//! previous take (or since enabling) and clears them, as `KVM_GET_DIRTY_LOG` does.
//!
//! **Who marks.** Every mutating [`crate::GuestRam`] method marks the pages it wrote, after
//! writing them (so a take racing with the write either reports the page or runs before the
//! write's mark, and then the next take reports it). The processor writes RAM through a host
//! pointer, invisible to `GuestRam`: its bus marks pages with [`crate::GuestRam::mark_dirty`]
//! when the interpreter announces a page it will store to (`papr_cpu::Bus::note_ram_store`):
//! at every real-mode store and once per store-TLB fill. So after enabling and after every
//! take, each vCPU's TLB must be flushed before it runs again (`Cpu::flush_tlb`, or one
//! `PartitionEntry::invalidate` for all of them); then its next store to any page is
//! announced again.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// log2 of the dirty-log granule.
pub const DIRTY_PAGE_SHIFT: u32 = 12;
/// The dirty-log granule: 4 KiB, whatever page sizes the guest maps.
pub const DIRTY_PAGE_SIZE: u64 = 1 << DIRTY_PAGE_SHIFT;

/// The live bitmap inside [`crate::GuestRam`].
#[derive(Debug)]
pub(crate) struct DirtyBitmap {
    logging: AtomicBool,
    words: Box<[AtomicU64]>,
    pages: u64,
}

impl DirtyBitmap {
    /// A bitmap for `bytes` of RAM (a multiple of the granule), logging off.
    pub(crate) fn new(bytes: u64) -> Self {
        let pages = bytes >> DIRTY_PAGE_SHIFT;
        let words = (0..pages.div_ceil(64)).map(|_| AtomicU64::new(0)).collect();
        DirtyBitmap {
            logging: AtomicBool::new(false),
            words,
            pages,
        }
    }

    fn clear(&self) {
        for w in self.words.iter() {
            w.store(0, Ordering::Relaxed);
        }
    }

    /// Starts logging with an empty log; a no-op if logging is on already.
    pub(crate) fn enable(&self) {
        if !self.logging.load(Ordering::Acquire) {
            self.clear();
            self.logging.store(true, Ordering::Release);
        }
    }

    /// Stops logging and forgets what was logged.
    pub(crate) fn disable(&self) {
        self.logging.store(false, Ordering::Release);
        self.clear();
    }

    /// Whether logging is on.
    #[inline]
    pub(crate) fn is_logging(&self) -> bool {
        self.logging.load(Ordering::Acquire)
    }

    /// Records a write of `len` bytes at `gpa` (clamped to RAM) if logging is on.
    #[inline]
    pub(crate) fn mark(&self, gpa: u64, len: u64) {
        if len != 0 && self.is_logging() {
            let first = gpa >> DIRTY_PAGE_SHIFT;
            let last =
                (gpa.saturating_add(len - 1) >> DIRTY_PAGE_SHIFT).min(self.pages.saturating_sub(1));
            self.mark_pages(first, last);
        }
    }

    /// Records every page if logging is on.
    pub(crate) fn mark_all(&self) {
        if self.pages != 0 && self.is_logging() {
            self.mark_pages(0, self.pages - 1);
        }
    }

    /// Sets the bits of pages `first..=last` (nothing if `first > last`).
    fn mark_pages(&self, first: u64, last: u64) {
        let mut page = first;
        while page <= last {
            let bit = page % 64;
            let n = (last - page + 1).min(64 - bit);
            let mask = if n == 64 {
                u64::MAX
            } else {
                ((1u64 << n) - 1) << bit
            };
            if let Some(w) = usize::try_from(page / 64)
                .ok()
                .and_then(|i| self.words.get(i))
            {
                // Marking a page already marked is one load: the common case for the
                // processor's real-mode stores, announced at every store.
                if w.load(Ordering::Relaxed) & mask != mask {
                    w.fetch_or(mask, Ordering::Release);
                }
            }
            page += n;
        }
    }

    /// The pages written since the last take (or since enabling), clearing them.
    pub(crate) fn take(&self) -> DirtyLog {
        DirtyLog {
            words: self
                .words
                .iter()
                .map(|w| w.swap(0, Ordering::AcqRel))
                .collect(),
            pages: self.pages,
        }
    }
}

/// The pages written between two takes: bit `p % 64` of word `p / 64` is page `p` (guest
/// physical `p << 12`), KVM's bitmap layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirtyLog {
    words: Vec<u64>,
    pages: u64,
}

impl DirtyLog {
    /// How many pages the log covers (RAM size / 4 KiB).
    pub fn pages(&self) -> u64 {
        self.pages
    }

    /// The bitmap words.
    pub fn bitmap(&self) -> &[u64] {
        &self.words
    }

    /// Whether page `page` was written.
    pub fn is_dirty(&self, page: u64) -> bool {
        usize::try_from(page / 64)
            .ok()
            .and_then(|i| self.words.get(i))
            .is_some_and(|w| w & (1 << (page % 64)) != 0)
    }

    /// The number of dirty pages.
    pub fn count(&self) -> u64 {
        self.words.iter().map(|w| u64::from(w.count_ones())).sum()
    }

    /// Whether no page was written.
    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|&w| w == 0)
    }

    /// The dirty page indices, ascending.
    pub fn iter(&self) -> impl Iterator<Item = u64> + '_ {
        (0u64..)
            .zip(&self.words)
            .flat_map(|(i, &w)| SetBits(w).map(move |b| i * 64 + b))
    }
}

/// The set bits of a word, lowest first.
struct SetBits(u64);

impl Iterator for SetBits {
    type Item = u64;

    fn next(&mut self) -> Option<u64> {
        if self.0 == 0 {
            return None;
        }
        let b = self.0.trailing_zeros();
        self.0 &= self.0 - 1;
        Some(u64::from(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_mark_whole_pages_across_words() {
        let d = DirtyBitmap::new(200 << DIRTY_PAGE_SHIFT);
        d.mark(0, 1);
        assert!(
            d.take().is_empty(),
            "nothing is logged while logging is off"
        );
        d.enable();
        d.mark(0xfff, 2); // pages 0 and 1
        d.mark(63 << 12, 3 << 12); // pages 63..=65
        d.mark(199 << 12, u64::MAX); // clamped to the last page
        d.mark(5 << 12, 0); // empty
        let log = d.take();
        assert_eq!(log.iter().collect::<Vec<_>>(), [0, 1, 63, 64, 65, 199]);
        assert_eq!(log.count(), 6);
        assert!(log.is_dirty(64) && !log.is_dirty(2) && !log.is_dirty(1 << 40));
        assert!(d.take().is_empty(), "a take clears");
        d.mark_all();
        let all = d.take();
        assert_eq!(all.count(), 200);
        assert_eq!(all.iter().last(), Some(199));
        d.disable();
        d.mark(0, 1);
        assert!(d.take().is_empty());
    }
}
