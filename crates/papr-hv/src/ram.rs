//! Guest RAM: one host mapping covering guest-physical `0..size`, every access bounds-checked.
//!
//! This is the memslot of a KVM VM: the hypervisor owns it and the processor reaches it through
//! it. Structures the guest shares with the hypervisor (HPTEs in streams, XIVE event queues,
//! RTAS arguments) are big-endian whatever the guest's endianness, so the typed accessors name
//! the byte order.
//!
//! **Dirty logging** (KVM_MEM_LOG_DIRTY_PAGES / KVM_GET_DIRTY_LOG, see [`crate::dirty_log`]):
//! while it is on, every method that changes RAM marks the 4 KiB pages it wrote. Writes through
//! [`GuestRam::host_base`] are not seen: whoever writes that way (the processor's bus) reports
//! them with [`GuestRam::mark_dirty`]. The interpreter announces a page once per store-TLB
//! fill (and at every real-mode store), so after [`GuestRam::enable_dirty_log`] and after each [`GuestRam::take_dirty_log`]
//! the platform flushes every vCPU's TLB before it runs again.

use std::ptr::NonNull;

use thiserror::Error;

use crate::dirty_log::{DirtyBitmap, DirtyLog};

/// Guest RAM errors.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum RamError {
    /// The access does not lie entirely inside guest RAM.
    #[error("guest-physical access {gpa:#x}+{len:#x} is outside guest RAM (size {size:#x})")]
    OutOfBounds {
        /// First byte.
        gpa: u64,
        /// Length.
        len: u64,
        /// RAM size.
        size: u64,
    },
    /// The RAM size is unusable.
    #[error("unusable guest RAM size {0:#x}: it must be a non-zero multiple of 64 KiB")]
    BadSize(u64),
    /// The host could not map the RAM.
    #[error("could not map {size:#x} bytes of guest RAM: {reason}")]
    MapFailed {
        /// Requested size.
        size: u64,
        /// The host's reason.
        reason: String,
    },
}

/// Guest RAM.
#[derive(Debug)]
pub struct GuestRam {
    base: NonNull<u8>,
    size: usize,
    dirty: DirtyBitmap,
}

// SAFETY: the mapping is plain memory owned by this object; concurrent guest accesses from
// several vCPUs are races the guest itself is responsible for, exactly as on hardware, and all
// our accessors go through raw-pointer copies, never through Rust references to the bytes.
unsafe impl Send for GuestRam {}
// SAFETY: see above.
unsafe impl Sync for GuestRam {}

impl GuestRam {
    /// Maps `size` bytes of zeroed guest RAM (lazily committed by the host).
    pub fn new(size: u64) -> Result<Self, RamError> {
        if size == 0 || !size.is_multiple_of(64 << 10) {
            return Err(RamError::BadSize(size));
        }
        let len = usize::try_from(size).map_err(|_| RamError::BadSize(size))?;
        // SAFETY: an anonymous private mapping with no address hint has no preconditions; the
        // result is checked before use.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            return Err(RamError::MapFailed {
                size,
                reason: std::io::Error::last_os_error().to_string(),
            });
        }
        let base = NonNull::new(p.cast::<u8>()).ok_or(RamError::MapFailed {
            size,
            reason: "null mapping".into(),
        })?;
        // Huge pages: fewer host TLB misses for the interpreter, and a snapshot's or a
        // migration's scan over untouched RAM faults the huge zero page once per 2 MiB.
        crate::host_pages::advise_huge_pages(p.cast(), len);
        Ok(GuestRam {
            base,
            size: len,
            dirty: DirtyBitmap::new(size),
        })
    }

    /// Size in bytes.
    pub fn size(&self) -> u64 {
        self.size as u64
    }

    /// Whether `gpa..gpa+len` lies inside RAM.
    #[inline]
    pub fn contains(&self, gpa: u64, len: u64) -> bool {
        gpa.checked_add(len)
            .is_some_and(|end| end <= self.size as u64)
    }

    #[inline]
    fn check(&self, gpa: u64, len: usize) -> Result<usize, RamError> {
        let inside = self.contains(gpa, len as u64);
        match usize::try_from(gpa) {
            Ok(off) if inside => Ok(off),
            _ => Err(RamError::OutOfBounds {
                gpa,
                len: len as u64,
                size: self.size as u64,
            }),
        }
    }

    /// [`GuestRam::check`] for a length given as u64: the host offset and length.
    fn check_range(&self, gpa: u64, len: u64) -> Result<(usize, usize), RamError> {
        let n = usize::try_from(len).map_err(|_| RamError::OutOfBounds {
            gpa,
            len,
            size: self.size as u64,
        })?;
        Ok((self.check(gpa, n)?, n))
    }

    /// Copies guest bytes at `gpa` into `buf`.
    pub fn read(&self, gpa: u64, buf: &mut [u8]) -> Result<(), RamError> {
        let off = self.check(gpa, buf.len())?;
        // SAFETY: off..off+len is inside the live mapping (checked above) and `buf` is a
        // distinct host buffer.
        unsafe {
            std::ptr::copy_nonoverlapping(self.base.as_ptr().add(off), buf.as_mut_ptr(), buf.len())
        };
        Ok(())
    }

    /// Whether the `len` bytes at `gpa` all read as zero, tested in place (snapshots and
    /// migration elide zero pages; this is their hot loop, eight words at a time).
    pub fn is_zero(&self, gpa: u64, len: u64) -> Result<bool, RamError> {
        let (off, n) = self.check_range(gpa, len)?;
        // SAFETY: off..off+n is inside the live mapping (checked above); the reads are raw
        // and unaligned-tolerant, no reference into guest RAM is formed.
        let word = |i: usize| unsafe {
            std::ptr::read_unaligned(self.base.as_ptr().add(off + i).cast::<u64>())
        };
        let mut i = 0;
        while i + 64 <= n {
            let acc = (0..8).fold(0u64, |a, k| a | word(i + 8 * k));
            if acc != 0 {
                return Ok(false);
            }
            i += 64;
        }
        while i < n {
            // SAFETY: as above, one byte inside the checked range.
            if unsafe { *self.base.as_ptr().add(off + i) } != 0 {
                return Ok(false);
            }
            i += 1;
        }
        Ok(true)
    }

    /// Copies `buf` into guest RAM at `gpa`.
    pub fn write(&self, gpa: u64, buf: &[u8]) -> Result<(), RamError> {
        let off = self.check(gpa, buf.len())?;
        // SAFETY: as in `read`.
        unsafe {
            std::ptr::copy_nonoverlapping(buf.as_ptr(), self.base.as_ptr().add(off), buf.len())
        };
        self.dirty.mark(gpa, buf.len() as u64);
        Ok(())
    }

    /// Fills `len` bytes at `gpa` with zeroes.
    pub fn zero(&self, gpa: u64, len: u64) -> Result<(), RamError> {
        let (off, n) = self.check_range(gpa, len)?;
        // SAFETY: in bounds (checked above).
        unsafe { std::ptr::write_bytes(self.base.as_ptr().add(off), 0, n) };
        self.dirty.mark(gpa, len);
        Ok(())
    }

    /// Makes all of RAM read as zero again and gives its pages back to the host (for a restore
    /// or a reset that reloads everything): `MADV_DONTNEED` on the private mapping, so nothing
    /// is written. With dirty logging on, every page is dirty afterwards.
    pub fn discard_all(&self) {
        // SAFETY: base/size describe our own private anonymous mapping; MADV_DONTNEED only
        // drops its pages, which then read as zero. No Rust reference into RAM exists.
        let rc =
            unsafe { libc::madvise(self.base.as_ptr().cast(), self.size, libc::MADV_DONTNEED) };
        if rc != 0 {
            // Fall back to writing zeroes (cannot fail: the range is the whole mapping).
            // SAFETY: in bounds by construction.
            unsafe { std::ptr::write_bytes(self.base.as_ptr(), 0, self.size) };
        }
        self.dirty.mark_all();
    }

    /// Reads a big-endian u32.
    pub fn read_be32(&self, gpa: u64) -> Result<u32, RamError> {
        let mut b = [0; 4];
        self.read(gpa, &mut b)?;
        Ok(u32::from_be_bytes(b))
    }

    /// Writes a big-endian u32.
    pub fn write_be32(&self, gpa: u64, value: u32) -> Result<(), RamError> {
        self.write(gpa, &value.to_be_bytes())
    }

    /// Reads a big-endian u64.
    pub fn read_be64(&self, gpa: u64) -> Result<u64, RamError> {
        let mut b = [0; 8];
        self.read(gpa, &mut b)?;
        Ok(u64::from_be_bytes(b))
    }

    /// Writes a big-endian u64.
    pub fn write_be64(&self, gpa: u64, value: u64) -> Result<(), RamError> {
        self.write(gpa, &value.to_be_bytes())
    }

    /// Starts logging dirty pages (KVM_MEM_LOG_DIRTY_PAGES set on the memslot) with an empty
    /// log; a no-op if logging is on already. The first [`GuestRam::take_dirty_log`] returns
    /// the pages written since. Flush every vCPU's TLB before it runs again.
    pub fn enable_dirty_log(&self) {
        self.dirty.enable();
    }

    /// Stops logging dirty pages and forgets the log.
    pub fn disable_dirty_log(&self) {
        self.dirty.disable();
    }

    /// Whether dirty pages are being logged.
    #[inline]
    pub fn is_dirty_logging(&self) -> bool {
        self.dirty.is_logging()
    }

    /// The 4 KiB pages written since the previous take or since enabling, and starts a new
    /// log (KVM_GET_DIRTY_LOG); empty while logging is off. Flush every vCPU's TLB before it
    /// runs again, so its next store to any page is announced again.
    pub fn take_dirty_log(&self) -> DirtyLog {
        self.dirty.take()
    }

    /// Records that `len` bytes at `gpa` were or are about to be written through
    /// [`GuestRam::host_base`] (what the processor's bus does when the interpreter announces a
    /// store page). A no-op while logging is off; clamped to RAM.
    #[inline]
    pub fn mark_dirty(&self, gpa: u64, len: u64) {
        self.dirty.mark(gpa, len);
    }

    /// The host address of guest-physical 0, for the processor's TLB fast path.
    ///
    /// # Safety
    /// The caller must keep every access inside `0..size()` and must not use the pointer after
    /// this `GuestRam` is dropped. Writes through it are not dirty-logged unless reported with
    /// [`GuestRam::mark_dirty`].
    pub unsafe fn host_base(&self) -> NonNull<u8> {
        self.base
    }
}

impl Drop for GuestRam {
    fn drop(&mut self) {
        // SAFETY: base/size describe the mapping created in `new`, unmapped exactly once.
        unsafe { libc::munmap(self.base.as_ptr().cast(), self.size) };
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn accesses_are_bounds_checked() {
        let ram = GuestRam::new(1 << 20).unwrap();
        ram.write_be64(0x1000, 0x0102_0304_0506_0708).unwrap();
        let mut b = [0u8; 2];
        ram.read(0x1000, &mut b).unwrap();
        assert_eq!(b, [1, 2]);
        assert_eq!(ram.read_be32(0x1004).unwrap(), 0x0506_0708);
        assert!(ram.read_be64((1 << 20) - 4).is_err());
        assert!(ram.write(u64::MAX - 1, &[0; 4]).is_err());
        assert!(ram.read_be32(1 << 20).is_err());
        assert_eq!(ram.read_be32((1 << 20) - 4).unwrap(), 0);
    }

    #[test]
    fn discard_all_zeroes_ram() {
        let ram = GuestRam::new(1 << 20).unwrap();
        ram.write_be64(0x8000, u64::MAX).unwrap();
        ram.discard_all();
        assert_eq!(ram.read_be64(0x8000).unwrap(), 0);
        ram.write_be32(0, 7).unwrap();
        assert_eq!(ram.read_be32(0).unwrap(), 7, "still usable");
    }

    proptest! {
        /// `is_zero` agrees with reading the bytes out and looking at each, for any range
        /// (unaligned ends, lengths around the 64-byte stride) and any one non-zero byte; out
        /// of bounds is an error like `read`'s.
        #[test]
        fn is_zero_agrees_with_the_bytes(
            gpa in 0u64..(64 << 10) + 16,
            len in 0u64..9000,
            poke in prop::option::of((0u64..(64 << 10), 1u8..=255)),
        ) {
            let ram = GuestRam::new(64 << 10).unwrap();
            if let Some((at, v)) = poke {
                ram.write(at, &[v]).unwrap();
            }
            let mut buf = vec![0u8; usize::try_from(len).unwrap()];
            match ram.read(gpa, &mut buf) {
                Ok(()) => prop_assert_eq!(ram.is_zero(gpa, len), Ok(buf.iter().all(|&b| b == 0))),
                Err(e) => prop_assert_eq!(ram.is_zero(gpa, len), Err(e)),
            }
        }
    }

    /// One way of changing (or logging) RAM.
    #[derive(Debug, Clone)]
    enum Op {
        Enable,
        Disable,
        Take,
        Write(u64, Vec<u8>),
        Zero(u64, u64),
        Be32(u64, u32),
        Be64(u64, u64),
        DiscardAll,
        Mark(u64, u64),
    }

    const SIZE: u64 = 256 << 10;

    fn addr() -> impl Strategy<Value = u64> {
        // Mostly inside, sometimes straddling the end or beyond it.
        prop_oneof![8 => 0..SIZE, 1 => SIZE - 16..SIZE + 16, 1 => any::<u64>()]
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            1 => Just(Op::Enable),
            1 => Just(Op::Disable),
            2 => Just(Op::Take),
            6 => (addr(), prop::collection::vec(any::<u8>(), 0..9000)).prop_map(|(a, d)| Op::Write(a, d)),
            2 => (addr(), 0u64..20_000).prop_map(|(a, n)| Op::Zero(a, n)),
            2 => (addr(), any::<u32>()).prop_map(|(a, v)| Op::Be32(a, v)),
            2 => (addr(), any::<u64>()).prop_map(|(a, v)| Op::Be64(a, v)),
            1 => Just(Op::DiscardAll),
            1 => (addr(), 0u64..10_000).prop_map(|(a, n)| Op::Mark(a, n)),
        ]
    }

    fn snapshot(ram: &GuestRam) -> Vec<u8> {
        let mut b = vec![0u8; usize::try_from(SIZE).unwrap()];
        ram.read(0, &mut b).unwrap();
        b
    }

    /// The 4 KiB pages `gpa..gpa+len` covers, counted the slow way.
    fn pages_of(gpa: u64, len: u64, out: &mut std::collections::BTreeSet<u64>) {
        for byte in (gpa..gpa + len)
            .step_by(512)
            .chain((len > 0).then(|| gpa + len - 1))
        {
            out.insert(byte / 4096);
        }
    }

    proptest! {
        /// Every way of writing RAM, with logging switched on and off and logs taken at random:
        /// a take reports exactly the pages the successful writes since the previous take (or
        /// the enable) covered, and at least every page whose bytes changed (the RAM diff
        /// oracle); nothing while logging is off.
        #[test]
        fn dirty_log_reports_exactly_the_written_pages(ops in prop::collection::vec(op(), 1..60)) {
            let ram = GuestRam::new(SIZE).unwrap();
            let mut logging = false;
            let mut written = std::collections::BTreeSet::new();
            // RAM at the last take or enable, and whether logging stayed on since.
            let mut base = snapshot(&ram);
            for op in ops.iter().chain([Op::Take].iter()) {
                let mut covered = |gpa: u64, len: u64, ok: bool| {
                    if logging && ok {
                        pages_of(gpa, len, &mut written);
                    }
                };
                match op {
                    Op::Enable => {
                        if !logging {
                            written.clear();
                            base = snapshot(&ram);
                        }
                        logging = true;
                        ram.enable_dirty_log();
                    }
                    Op::Disable => {
                        logging = false;
                        ram.disable_dirty_log();
                    }
                    Op::Take => {
                        let log = ram.take_dirty_log();
                        prop_assert_eq!(log.pages(), SIZE / 4096);
                        let got: Vec<u64> = log.iter().collect();
                        if logging {
                            let want: Vec<u64> = written.iter().copied().collect();
                            prop_assert_eq!(&got, &want);
                            let now = snapshot(&ram);
                            for (p, (a, b)) in now.chunks(4096).zip(base.chunks(4096)).enumerate() {
                                if a != b {
                                    prop_assert!(log.is_dirty(p as u64), "page {} changed", p);
                                }
                            }
                            base = now;
                        } else {
                            prop_assert!(got.is_empty());
                        }
                        prop_assert_eq!(log.count(), got.len() as u64);
                        written.clear();
                    }
                    Op::Write(a, d) => covered(*a, d.len() as u64, ram.write(*a, d).is_ok()),
                    Op::Zero(a, n) => covered(*a, *n, ram.zero(*a, *n).is_ok()),
                    Op::Be32(a, v) => covered(*a, 4, ram.write_be32(*a, *v).is_ok()),
                    Op::Be64(a, v) => covered(*a, 8, ram.write_be64(*a, *v).is_ok()),
                    Op::DiscardAll => {
                        ram.discard_all();
                        covered(0, SIZE, true);
                    }
                    Op::Mark(a, n) => {
                        ram.mark_dirty(*a, *n);
                        let end = a.saturating_add(*n).min(SIZE);
                        if *a < SIZE {
                            covered(*a, end - a, true);
                        }
                    }
                }
                prop_assert_eq!(ram.is_dirty_logging(), logging);
            }
        }
    }

    #[test]
    fn unusable_sizes_are_refused() {
        assert_eq!(GuestRam::new(0).unwrap_err(), RamError::BadSize(0));
        assert_eq!(GuestRam::new(12345).unwrap_err(), RamError::BadSize(12345));
    }
}
