//! Guest RAM: one host mapping covering guest-physical `0..size`, every access bounds-checked.
//!
//! This is the memslot of a KVM VM: the hypervisor owns it and the processor reaches it through
//! it. Structures the guest shares with the hypervisor (HPTEs in streams, XIVE event queues,
//! RTAS arguments) are big-endian whatever the guest's endianness, so the typed accessors name
//! the byte order.

use std::ptr::NonNull;

use thiserror::Error;

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
        Ok(GuestRam { base, size: len })
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

    /// Copies `buf` into guest RAM at `gpa`.
    pub fn write(&self, gpa: u64, buf: &[u8]) -> Result<(), RamError> {
        let off = self.check(gpa, buf.len())?;
        // SAFETY: as in `read`.
        unsafe {
            std::ptr::copy_nonoverlapping(buf.as_ptr(), self.base.as_ptr().add(off), buf.len())
        };
        Ok(())
    }

    /// Fills `len` bytes at `gpa` with zeroes.
    pub fn zero(&self, gpa: u64, len: u64) -> Result<(), RamError> {
        let n = usize::try_from(len).map_err(|_| RamError::OutOfBounds {
            gpa,
            len,
            size: self.size as u64,
        })?;
        let off = self.check(gpa, n)?;
        // SAFETY: in bounds (checked above).
        unsafe { std::ptr::write_bytes(self.base.as_ptr().add(off), 0, n) };
        Ok(())
    }

    /// Makes all of RAM read as zero again and gives its pages back to the host (for a restore
    /// or a reset that reloads everything): `MADV_DONTNEED` on the private mapping, so nothing
    /// is written.
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

    /// The host address of guest-physical 0, for the processor's TLB fast path.
    ///
    /// # Safety
    /// The caller must keep every access inside `0..size()` and must not use the pointer after
    /// this `GuestRam` is dropped.
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

    #[test]
    fn unusable_sizes_are_refused() {
        assert_eq!(GuestRam::new(0).unwrap_err(), RamError::BadSize(0));
        assert_eq!(GuestRam::new(12345).unwrap_err(), RamError::BadSize(12345));
    }
}
