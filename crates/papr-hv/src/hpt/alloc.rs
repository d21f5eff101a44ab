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

use parking_lot::Mutex;
use papr_cpu::hpt::{npte, Hpte, HpteStorage, HPTE_BYTES};

use crate::ledger::{Charge, Kind, Ledger};

/// Granule of the reserved pool: the smallest HPT (order 18, 256 KiB).
pub const POOL_CHUNK: usize = 1 << 18;

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
        // SAFETY: anonymous private mapping, no hint; result checked.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                n * POOL_CHUNK,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            return None;
        }
        Some(ReservedPool {
            base: NonNull::new(p.cast()),
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
    Reserved { pool: Arc<ReservedPool>, offset: usize },
    General { layout: Layout },
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
        let layout = Layout::from_size_align(bytes, 16).ok()?;
        // SAFETY: the layout has a non-zero size.
        let p = unsafe { std::alloc::alloc_zeroed(layout) };
        let ptr = NonNull::new(p.cast::<Hpte>())?;
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

/// The reverse map: per HPTE, the guest's own view of dword 1 (KVM's `guest_rpte`: the WIMG
/// it asked for, and the R/C bits last reported), plus one "modified since last streamed" bit.
#[derive(Debug)]
pub struct RevMap {
    guest_r: Vec<u64>,
    modified: Vec<u64>,
    _charge: Charge,
}

fn zeroed_vec(n: usize) -> Option<Vec<u64>> {
    if n == 0 {
        return Some(Vec::new());
    }
    let layout = Layout::array::<u64>(n).ok()?;
    // SAFETY: non-zero size.
    let p = unsafe { std::alloc::alloc_zeroed(layout) };
    if p.is_null() {
        return None;
    }
    // SAFETY: p was allocated by the global allocator with the layout of [u64; n] and holds n
    // zero (valid) u64s; capacity equals length.
    Some(unsafe { Vec::from_raw_parts(p.cast::<u64>(), n, n) })
}

impl RevMap {
    /// Bytes a reverse map for `npte` entries holds.
    pub fn bytes_for(npte: usize) -> u64 {
        (npte * 8 + npte.div_ceil(64) * 8) as u64
    }

    /// A zeroed reverse map for `npte` entries, or `None` if memory runs out.
    pub fn allocate(npte: usize, ledger: &Ledger) -> Option<Self> {
        let guest_r = zeroed_vec(npte)?;
        let modified = zeroed_vec(npte.div_ceil(64))?;
        let bytes = ((guest_r.capacity() + modified.capacity()) * 8) as u64;
        Some(RevMap {
            guest_r,
            modified,
            _charge: ledger.charge(Kind::RevMap, bytes),
        })
    }

    /// The guest's dword 1 of entry `i`.
    #[inline]
    pub fn guest_r(&self, i: usize) -> u64 {
        self.guest_r[i]
    }

    /// Sets the guest's dword 1 of entry `i` and marks it modified.
    #[inline]
    pub fn set_guest_r(&mut self, i: usize, r: u64) {
        self.guest_r[i] = r;
        self.mark(i);
    }

    /// Marks entry `i` modified.
    #[inline]
    pub fn mark(&mut self, i: usize) {
        self.modified[i / 64] |= 1 << (i % 64);
    }

    /// Whether entry `i` is marked modified.
    #[inline]
    pub fn is_modified(&self, i: usize) -> bool {
        self.modified[i / 64] & (1 << (i % 64)) != 0
    }

    /// Clears the modified mark of entry `i`.
    #[inline]
    pub fn unmark(&mut self, i: usize) {
        self.modified[i / 64] &= !(1 << (i % 64));
    }

    /// Touches every page (see [`HptMemory::prefault`]).
    pub fn prefault(&mut self) {
        for x in self.guest_r.iter_mut().step_by(512) {
            *x = 0;
        }
        for x in self.modified.iter_mut().step_by(512) {
            *x = 0;
        }
    }

    /// Clears every entry and mark.
    pub fn clear(&mut self) {
        self.guest_r.fill(0);
        self.modified.fill(0);
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
