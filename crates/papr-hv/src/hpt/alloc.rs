//! Memory for hashed page tables and their reverse maps.
//!
//! KVM takes an HPT from its reserved contiguous area (CMA, 256 KiB granules, naturally
//! aligned) and otherwise from the page allocator, and frees it back to the one it came from.
//! papr does the same per VM: a [`ReservedPool`] (one host mapping, a chunk bitmap) sized by
//! [`crate::VmConfig::reserved_pool_bytes`], then general memory from the global allocator,
//! limited by [`crate::VmConfig::general_memory_limit`]. Every owner carries a ledger
//! [`Charge`].

use std::alloc::Layout;
use std::ptr::NonNull;
use std::sync::Arc;

use papr_cpu::hpt::{npte, Hpte, HpteStorage, HPTE_BYTES, PTEG_BYTES};
use parking_lot::Mutex;

use crate::host_pages::{advise_huge_pages, HUGE_PAGE};
use crate::ledger::{Charge, Kind, Ledger};

/// Granule of the reserved pool: the smallest HPT (order 18, 256 KiB).
pub const POOL_CHUNK: usize = 1 << 18;

/// `bytes` (non-zero) zeroed bytes from the global allocator, aligned to `min_align` at least
/// and to a huge page when they fill one or more, then asking for huge pages (see
/// [`advise_huge_pages`]); with the layout to free them with.
fn alloc_zeroed_aligned(bytes: usize, min_align: usize) -> Option<(NonNull<u8>, Layout)> {
    let align = if bytes >= HUGE_PAGE {
        HUGE_PAGE
    } else {
        min_align
    };
    let layout = Layout::from_size_align(bytes, align).ok()?;
    if layout.size() == 0 {
        return None;
    }
    // SAFETY: the layout has a non-zero size.
    let p = NonNull::new(unsafe { std::alloc::alloc(layout) })?;
    advise_huge_pages(p.as_ptr(), bytes);
    // Zeroed here rather than by the allocator: an aligned allocation is not calloc's lazily
    // zeroed memory anyway, and the advice must come before the first touch.
    // SAFETY: `p` is a fresh allocation of `bytes` bytes.
    unsafe { std::ptr::write_bytes(p.as_ptr(), 0, bytes) };
    Some((p, layout))
}

/// The VM's reserved contiguous pool (the KVM CMA analogue).
#[derive(Debug)]
pub struct ReservedPool {
    base: Option<NonNull<u8>>,
    chunks: Mutex<Vec<bool>>,
}

// SAFETY: the mapping is only reached through `HptMemory`, which hands out atomics; the bitmap
// is behind a mutex.
unsafe impl Send for ReservedPool {}
// SAFETY: see above.
unsafe impl Sync for ReservedPool {}

impl ReservedPool {
    /// A pool of `bytes` (rounded down to whole chunks); 0 makes an empty pool. Returns `None`
    /// if the host refuses the mapping.
    pub fn new(bytes: u64) -> Option<Self> {
        let n = usize::try_from(bytes).ok()? / POOL_CHUNK;
        if n == 0 {
            return Some(ReservedPool {
                base: None,
                chunks: Mutex::new(Vec::new()),
            });
        }
        let len = n * POOL_CHUNK;
        // Mapped with a huge page of slack, then trimmed to a huge-page aligned run, so that
        // the tables in it can sit on huge pages.
        let slack = len + HUGE_PAGE;
        // SAFETY: anonymous private mapping, no hint; result checked.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                slack,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            return None;
        }
        let head = p.cast::<u8>().align_offset(HUGE_PAGE);
        // SAFETY: both ranges lie inside the mapping just made (head < HUGE_PAGE) and are
        // page-aligned (the mapping is, and HUGE_PAGE and len are page multiples); the run
        // [head, head + len) stays mapped.
        let base = unsafe {
            let base = p.cast::<u8>().add(head);
            if head > 0 {
                libc::munmap(p, head);
            }
            if slack - head - len > 0 {
                libc::munmap(base.add(len).cast(), slack - head - len);
            }
            base
        };
        advise_huge_pages(base, len);
        Some(ReservedPool {
            base: NonNull::new(base),
            chunks: Mutex::new(vec![false; n]),
        })
    }

    /// Size of the pool in bytes.
    pub fn size(&self) -> u64 {
        (self.chunks.lock().len() * POOL_CHUNK) as u64
    }

    /// Bytes currently handed out.
    pub fn used(&self) -> u64 {
        (self.chunks.lock().iter().filter(|&&c| c).count() * POOL_CHUNK) as u64
    }

    /// Takes a naturally aligned run of `bytes` (a power of two, at least one chunk).
    fn take(&self, bytes: usize) -> Option<(NonNull<u8>, usize)> {
        let base = self.base?;
        let need = bytes / POOL_CHUNK;
        let mut chunks = self.chunks.lock();
        let mut start = 0;
        while start + need <= chunks.len() {
            match chunks[start..start + need].iter().rposition(|&c| c) {
                None => {
                    chunks[start..start + need].fill(true);
                    let offset = start * POOL_CHUNK;
                    // SAFETY: offset + bytes <= pool size, inside the mapping.
                    let p = unsafe { NonNull::new_unchecked(base.as_ptr().add(offset)) };
                    return Some((p, offset));
                }
                // Skip past the busy chunk, to the next aligned start.
                Some(busy) => start = (start + busy + need) / need * need,
            }
        }
        None
    }

    /// Gives a run back: its memory is returned to the host (and reads as zero next time).
    fn give_back(&self, offset: usize, bytes: usize) {
        if let Some(base) = self.base {
            // SAFETY: offset..offset+bytes was handed out by `take` and lies inside the
            // mapping; MADV_DONTNEED on a private anonymous mapping only drops its pages.
            unsafe { libc::madvise(base.as_ptr().add(offset).cast(), bytes, libc::MADV_DONTNEED) };
        }
        let mut chunks = self.chunks.lock();
        chunks[offset / POOL_CHUNK..(offset + bytes) / POOL_CHUNK].fill(false);
    }
}

impl Drop for ReservedPool {
    fn drop(&mut self) {
        if let Some(base) = self.base {
            let len = self.chunks.get_mut().len() * POOL_CHUNK;
            // SAFETY: the mapping created in `new`, unmapped once.
            unsafe { libc::munmap(base.as_ptr().cast(), len) };
        }
    }
}

#[derive(Debug)]
enum Origin {
    Reserved {
        pool: Arc<ReservedPool>,
        offset: usize,
    },
    General {
        layout: Layout,
    },
}

/// The memory of one hashed page table: `2^order` bytes of zeroed HPTEs.
#[derive(Debug)]
pub struct HptMemory {
    ptr: NonNull<Hpte>,
    npte: usize,
    origin: Origin,
    charge: Charge,
}

// SAFETY: the memory is only reached as `&[Hpte]` (atomics).
unsafe impl Send for HptMemory {}
// SAFETY: see above.
unsafe impl Sync for HptMemory {}

impl HptMemory {
    /// Allocates a table of `2^order` bytes: from the pool if it has room, else from general
    /// memory if `general_room` allows. `None` when neither can supply it.
    pub fn allocate(
        order: u32,
        pool: &Arc<ReservedPool>,
        general_room: u64,
        ledger: &Ledger,
    ) -> Option<Self> {
        let bytes = 1usize.checked_shl(order)?;
        let n = npte(order);
        if let Some((p, offset)) = pool.take(bytes) {
            return Some(HptMemory {
                ptr: p.cast(),
                npte: n,
                origin: Origin::Reserved {
                    pool: Arc::clone(pool),
                    offset,
                },
                charge: ledger.charge(Kind::HptReserved, bytes as u64),
            });
        }
        if bytes as u64 > general_room {
            return None;
        }
        let (p, layout) = alloc_zeroed_aligned(bytes, PTEG_BYTES)?;
        let ptr = p.cast::<Hpte>();
        Some(HptMemory {
            ptr,
            npte: n,
            origin: Origin::General { layout },
            charge: ledger.charge(Kind::HptGeneral, bytes as u64),
        })
    }

    /// Bytes held.
    pub fn bytes(&self) -> u64 {
        self.charge.bytes()
    }

    /// Whether it came from the reserved pool.
    pub fn is_reserved(&self) -> bool {
        matches!(self.origin, Origin::Reserved { .. })
    }

    /// Touches every page of the table so that the host commits it now rather than on first
    /// use (a resize prepare does this, so the commit runs on ready memory, as KVM's does).
    pub fn prefault(&self) {
        for hpte in self.entries().iter().step_by(4096 / HPTE_BYTES) {
            hpte.store(0, 0);
        }
    }

    /// Sets every HPTE to zero.
    pub fn clear(&self) {
        for hpte in self.entries() {
            hpte.store(0, 0);
        }
    }
}

impl HpteStorage for HptMemory {
    #[inline]
    fn entries(&self) -> &[Hpte] {
        // SAFETY: ptr points at npte zero-initialised (hence valid) `Hpte`s owned by self.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.npte) }
    }
}

impl Drop for HptMemory {
    fn drop(&mut self) {
        let bytes = self.npte * HPTE_BYTES;
        match &self.origin {
            Origin::Reserved { pool, offset } => pool.give_back(*offset, bytes),
            // SAFETY: allocated in `allocate` with exactly this layout.
            Origin::General { layout } => unsafe {
                std::alloc::dealloc(self.ptr.as_ptr().cast(), *layout)
            },
        }
    }
}

/// The reverse map: one byte per HPTE recording what the guest sees that the processor's
/// entry does not (KVM keeps a whole `guest_rpte` per HPTE; papr's hardware dword 1 differs
/// from the guest's only in WIMG, so a byte suffices), plus a bolted-slot mask per PTEG.
///
/// Per-HPTE byte: bits 0..=3 the guest's WIMG (dword 1 bits 0x78 >> 3); bit 4 and 5 the R and C
/// last reported to an HTAB stream reader; bit 7 "modified since last streamed".
#[derive(Debug)]
pub struct RevMap {
    meta: Bytes,
    bolted: Bytes,
    _charge: Charge,
}

/// Reverse-map byte: guest WIMG field.
pub const META_WIMG: u8 = 0x0f;
/// Reverse-map byte: R last reported.
pub const META_REPORTED_R: u8 = 0x10;
/// Reverse-map byte: C last reported.
pub const META_REPORTED_C: u8 = 0x20;
/// Reverse-map byte: modified since last streamed.
pub const META_MODIFIED: u8 = 0x80;

/// Zeroed bytes owned by a reverse map: cache-line aligned, on huge pages when large.
#[derive(Debug)]
struct Bytes {
    ptr: NonNull<u8>,
    layout: Option<Layout>,
    len: usize,
}

// SAFETY: plain owned bytes, reached only through `&self` / `&mut self`.
unsafe impl Send for Bytes {}
// SAFETY: see above.
unsafe impl Sync for Bytes {}

impl Bytes {
    fn zeroed(len: usize) -> Option<Self> {
        if len == 0 {
            return Some(Bytes {
                ptr: NonNull::dangling(),
                layout: None,
                len,
            });
        }
        let (ptr, layout) = alloc_zeroed_aligned(len, 64)?;
        Some(Bytes {
            ptr,
            layout: Some(layout),
            len,
        })
    }
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        // SAFETY: `ptr` holds `len` initialised bytes owned by `self` (or is dangling with
        // `len` 0).
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl std::ops::DerefMut for Bytes {
    fn deref_mut(&mut self) -> &mut [u8] {
        // SAFETY: as in `deref`, and `&mut self` makes the access exclusive.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl Drop for Bytes {
    fn drop(&mut self) {
        if let Some(layout) = self.layout {
            // SAFETY: allocated in `zeroed` with exactly this layout.
            unsafe { std::alloc::dealloc(self.ptr.as_ptr(), layout) };
        }
    }
}

impl RevMap {
    /// Bytes a reverse map for `npte` entries holds.
    pub fn bytes_for(npte: usize) -> u64 {
        (npte + npte / 8) as u64
    }

    /// A zeroed reverse map for `npte` entries, or `None` if memory runs out.
    pub fn allocate(npte: usize, ledger: &Ledger) -> Option<Self> {
        let meta = Bytes::zeroed(npte)?;
        let bolted = Bytes::zeroed(npte / 8)?;
        let bytes = (meta.len() + bolted.len()) as u64;
        Some(RevMap {
            meta,
            bolted,
            _charge: ledger.charge(Kind::RevMap, bytes),
        })
    }

    /// The byte of entry `i`.
    #[inline]
    pub fn meta(&self, i: usize) -> u8 {
        self.meta[i]
    }

    /// Sets the byte of entry `i`.
    #[inline]
    pub fn set_meta(&mut self, i: usize, m: u8) {
        self.meta[i] = m;
    }

    /// The bolted-slot mask of PTEG `g` (bit s = slot s holds a valid bolted entry).
    #[inline]
    pub fn bolted_mask(&self, g: usize) -> u8 {
        self.bolted[g]
    }

    /// Records whether entry `i` is valid and bolted.
    #[inline]
    pub fn set_bolted(&mut self, i: usize, bolted: bool) {
        let bit = 1u8 << (i % 8);
        if bolted {
            self.bolted[i / 8] |= bit;
        } else {
            self.bolted[i / 8] &= !bit;
        }
    }

    /// The per-HPTE bytes and the per-PTEG bolted masks.
    pub fn parts(&self) -> (&[u8], &[u8]) {
        (&self.meta, &self.bolted)
    }

    /// The per-HPTE bytes and the per-PTEG bolted masks, writable.
    pub fn parts_mut(&mut self) -> (&mut [u8], &mut [u8]) {
        (&mut self.meta, &mut self.bolted)
    }

    /// Touches every page (see [`HptMemory::prefault`]).
    pub fn prefault(&mut self) {
        for x in self.meta.iter_mut().step_by(4096) {
            *x = 0;
        }
        for x in self.bolted.iter_mut().step_by(4096) {
            *x = 0;
        }
    }

    /// Clears every entry and mask.
    pub fn clear(&mut self) {
        self.meta.fill(0);
        self.bolted.fill(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_hands_out_aligned_runs_and_takes_them_back() {
        let ledger = Ledger::new();
        let pool = Arc::new(ReservedPool::new(4 << 20).unwrap());
        assert_eq!(pool.size(), 4 << 20);
        let a = HptMemory::allocate(18, &pool, 0, &ledger).unwrap();
        let b = HptMemory::allocate(20, &pool, 0, &ledger).unwrap();
        assert!(a.is_reserved() && b.is_reserved());
        // b is 1 MiB aligned within the pool even though a took the first chunk.
        let Origin::Reserved { offset, .. } = b.origin else {
            panic!()
        };
        assert_eq!(offset % (1 << 20), 0);
        assert_eq!(pool.used(), (1 << 18) + (1 << 20));
        // 4 MiB no longer fits the pool; general memory is refused by the room given.
        assert!(HptMemory::allocate(22, &pool, 0, &ledger).is_none());
        let c = HptMemory::allocate(22, &pool, 4 << 20, &ledger).unwrap();
        assert!(!c.is_reserved());
        a.entries()[3].store(1, 2);
        drop(a);
        drop(b);
        assert_eq!(pool.used(), 0);
        // Memory given back reads as zero.
        let a = HptMemory::allocate(18, &pool, 0, &ledger).unwrap();
        assert_eq!(a.entries()[3].v(), 0);
        drop((a, c));
        assert_eq!(ledger.report().total_bytes(), 0);
    }
}
