//! Loading a kernel (or a bare-metal program) and an initrd into guest RAM, the way QEMU's
//! pseries machine does for its VOF firmware.
//!
//! Facts (linux-pseries-boot.md 1.1–1.2): a `PT_LOAD` segment's physical address `p` is placed
//! at guest-physical `(p & 0x0fff_ffff) + 0x40_0000`, so the Debian vmlinux (paddr 0) lands at
//! 0x400000 and any bare-metal program at 0x400000 whatever its link address; the vCPU enters
//! at the first byte of the lowest segment (not at `e_entry`); the bytes between `p_filesz` and
//! `p_memsz` are zeroed; the initrd goes at the next 64 KiB boundary at least 128 KiB past the
//! end of the kernel image: `(end + 0x1ffff) & !0xffff`.

use object::elf::{FileHeader64, PT_LOAD};
use object::read::elf::{FileHeader, ProgramHeader};
use object::Endianness;
use papr_hv::GuestRam;
use thiserror::Error;

/// Where the kernel's lowest physical address is placed.
pub const KERNEL_LOAD_ADDR: u64 = 0x40_0000;

/// Why a kernel or initrd could not be loaded.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum LoadError {
    /// Not an ELF file at all.
    #[error("{name} is not an ELF file: {reason}")]
    NotElf {
        /// What was being loaded.
        name: String,
        /// What the parser said.
        reason: String,
    },
    /// An ELF file for another machine.
    #[error("{name} is an ELF file for machine {machine}, not 64-bit PowerPC (EM_PPC64 = 21)")]
    NotPpc64 {
        /// What was being loaded.
        name: String,
        /// Its e_machine.
        machine: u16,
    },
    /// Nothing to load.
    #[error("{name} has no loadable (PT_LOAD) segment")]
    NoLoadableSegment {
        /// What was being loaded.
        name: String,
    },
    /// A segment's file bytes lie outside the file, or memsz < filesz.
    #[error("{name}: segment {index} is malformed: {reason}")]
    BadSegment {
        /// What was being loaded.
        name: String,
        /// Program-header index.
        index: usize,
        /// What is wrong.
        reason: String,
    },
    /// The image does not fit in guest RAM.
    #[error(
        "{name} needs guest-physical {start:#x}..{end:#x} but guest RAM is only {ram:#x} bytes"
    )]
    DoesNotFit {
        /// What was being loaded.
        name: String,
        /// First byte.
        start: u64,
        /// One past the last byte.
        end: u64,
        /// RAM size.
        ram: u64,
    },
}

/// A loaded kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadedKernel {
    /// Where the vCPU starts: the first byte of the lowest segment.
    pub entry: u64,
    /// One past the last byte of the image in memory (memsz included).
    pub end: u64,
    /// Whether the ELF file is big-endian (the Debian kernel is little-endian; either way the
    /// processor starts big-endian).
    pub big_endian: bool,
}

impl LoadedKernel {
    /// Where QEMU puts the initrd after this kernel.
    pub fn initrd_address(&self) -> u64 {
        (self.end + 0x1_ffff) & !0xffff
    }
}

fn place(paddr: u64) -> u64 {
    (paddr & 0x0fff_ffff) + KERNEL_LOAD_ADDR
}

/// Loads the ELF image `elf` (called `name` in errors) into `ram`.
pub fn load_kernel(ram: &GuestRam, name: &str, elf: &[u8]) -> Result<LoadedKernel, LoadError> {
    let not_elf = |reason: String| LoadError::NotElf {
        name: name.to_owned(),
        reason,
    };
    let header = FileHeader64::<Endianness>::parse(elf).map_err(|e| not_elf(e.to_string()))?;
    let endian = header.endian().map_err(|e| not_elf(e.to_string()))?;
    let machine = header.e_machine(endian);
    if machine != object::elf::EM_PPC64 {
        return Err(LoadError::NotPpc64 {
            name: name.to_owned(),
            machine,
        });
    }
    let phdrs = header
        .program_headers(endian, elf)
        .map_err(|e| not_elf(e.to_string()))?;
    let mut low = u64::MAX;
    let mut end = 0u64;
    let mut segments = Vec::new();
    for (index, ph) in phdrs.iter().enumerate() {
        if ph.p_type(endian) != PT_LOAD {
            continue;
        }
        let bad = |reason: String| LoadError::BadSegment {
            name: name.to_owned(),
            index,
            reason,
        };
        let filesz = ph.p_filesz(endian);
        let memsz = ph.p_memsz(endian);
        if memsz < filesz {
            return Err(bad(format!("memsz {memsz:#x} < filesz {filesz:#x}")));
        }
        let data = ph
            .data(endian, elf)
            .map_err(|()| bad(format!("its {filesz:#x} file bytes lie outside the file")))?;
        let start = place(ph.p_paddr(endian));
        let seg_end = start
            .checked_add(memsz)
            .ok_or_else(|| bad(format!("memsz {memsz:#x} overflows")))?;
        if !ram.contains(start, memsz) {
            return Err(LoadError::DoesNotFit {
                name: name.to_owned(),
                start,
                end: seg_end,
                ram: ram.size(),
            });
        }
        low = low.min(start);
        end = end.max(seg_end);
        segments.push((start, data, memsz));
    }
    if segments.is_empty() {
        return Err(LoadError::NoLoadableSegment {
            name: name.to_owned(),
        });
    }
    for (start, data, memsz) in segments {
        // In RAM: checked above, so these cannot fail; map the error all the same.
        let fits = |_| LoadError::DoesNotFit {
            name: name.to_owned(),
            start,
            end: start + memsz,
            ram: ram.size(),
        };
        ram.write(start, data).map_err(fits)?;
        ram.zero(start + data.len() as u64, memsz - data.len() as u64)
            .map_err(fits)?;
    }
    Ok(LoadedKernel {
        entry: low,
        end,
        big_endian: matches!(endian, Endianness::Big),
    })
}

/// Copies an initrd to `addr`; returns its guest-physical range (start, size).
pub fn load_initrd(ram: &GuestRam, addr: u64, data: &[u8]) -> Result<(u64, u64), LoadError> {
    let size = data.len() as u64;
    ram.write(addr, data).map_err(|_| LoadError::DoesNotFit {
        name: "the initrd".into(),
        start: addr,
        end: addr.saturating_add(size),
        ram: ram.size(),
    })?;
    Ok((addr, size))
}
