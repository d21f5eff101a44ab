//! The HTAB stream: KVM_PPC_GET_HTAB_FD (fact sheet section 5).
//!
//! A read handle produces KVM's records: a header (`index: u32`, `n_valid: u16`,
//! `n_invalid: u16`, little-endian as the host's kernel writes them) followed by `n_valid` HPTEs
//! of 16 bytes (two big-endian doublewords, old format, guest view). Entries `index ..
//! index+n_valid` have those contents; the `n_invalid` after them are invalid. The first pass
//! reports every entry from the start index to the end of the table; later passes report only
//! entries modified since they were last reported (a removed entry shows as invalid). A read
//! that returns 0 bytes means a full sweep found nothing modified.
//!
//! A write handle takes the same records and restores the table. The records carry no size:
//! the caller first allocates a table of the source's order; a record reaching outside it is
//! refused.

use std::sync::Arc;

use papr_cpu::hpt::{V_BOLTED, V_VALID};

use crate::hcall::flags;
use crate::vm::VmInner;
use crate::VmError;

/// `KVM_GET_HTAB_BOLTED_ONLY`: report non-bolted entries as invalid.
pub const GET_HTAB_BOLTED_ONLY: u64 = 0x1;
/// `KVM_GET_HTAB_WRITE`: the handle restores instead of saving.
pub const GET_HTAB_WRITE: u64 = 0x2;

/// Bytes of a record header.
pub const HEADER_BYTES: usize = 8;
/// Bytes of one HPTE in a record.
pub const HPTE_RECORD_BYTES: usize = 16;

/// A record header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkHeader {
    /// First HPTE index.
    pub index: u32,
    /// Valid entries that follow.
    pub n_valid: u16,
    /// Invalid entries after them.
    pub n_invalid: u16,
}

impl ChunkHeader {
    /// Encodes the header.
    pub fn to_bytes(self) -> [u8; HEADER_BYTES] {
        let mut b = [0; HEADER_BYTES];
        b[0..4].copy_from_slice(&self.index.to_le_bytes());
        b[4..6].copy_from_slice(&self.n_valid.to_le_bytes());
        b[6..8].copy_from_slice(&self.n_invalid.to_le_bytes());
        b
    }

    /// Decodes a header from the first 8 bytes of `b`.
    pub fn from_bytes(b: &[u8]) -> Option<Self> {
        Some(ChunkHeader {
            index: u32::from_le_bytes(b.get(0..4)?.try_into().ok()?),
            n_valid: u16::from_le_bytes(b.get(4..6)?.try_into().ok()?),
            n_invalid: u16::from_le_bytes(b.get(6..8)?.try_into().ok()?),
        })
    }
}

#[derive(Debug)]
enum Mode {
    Read { index: usize, first_pass: bool },
    Write,
}

/// A handle on the VM's HTAB stream.
#[derive(Debug)]
pub struct HtabFd {
    vm: Arc<VmInner>,
    bolted_only: bool,
    mode: Mode,
}

impl HtabFd {
    pub(crate) fn new(vm: Arc<VmInner>, hflags: u64, start_index: u64) -> Result<Self, VmError> {
        if hflags & !(GET_HTAB_BOLTED_ONLY | GET_HTAB_WRITE) != 0 {
            return Err(VmError::InvalidArgument(format!(
                "unknown HTAB fd flags {hflags:#x}"
            )));
        }
        let mode = if hflags & GET_HTAB_WRITE != 0 {
            Mode::Write
        } else {
            let index = usize::try_from(start_index).map_err(|_| {
                VmError::InvalidArgument(format!("start index {start_index} out of range"))
            })?;
            Mode::Read {
                index,
                first_pass: true,
            }
        };
        Ok(HtabFd {
            vm,
            bolted_only: hflags & GET_HTAB_BOLTED_ONLY != 0,
            mode,
        })
    }

    /// Reads records into `buf`; returns the bytes written (0: nothing modified in a sweep).
    pub fn read(&mut self, buf: &mut [u8]) -> Result<usize, VmError> {
        let Mode::Read { index, first_pass } = &mut self.mode else {
            return Err(VmError::InvalidArgument(
                "this HTAB handle was opened for writing".into(),
            ));
        };
        let mut hpt = self.vm.hpt.lock();
        let Some(table) = hpt.table.as_mut() else {
            return Ok(0);
        };
        let npte = table.npte();
        let bolted_only = self.bolted_only;
        let mut i = (*index).min(npte);
        let mut nb = 0;
        // What the stream says entry i is: Some((v, r)) valid, None invalid.
        let shown_valid = |table: &super::table::HptTable, i: usize| -> bool {
            let (v, _) = table.raw(i);
            v & V_VALID != 0 && (!bolted_only || v & V_BOLTED != 0)
        };
        while nb + HEADER_BYTES + HPTE_RECORD_BYTES <= buf.len() {
            if !*first_pass {
                while i < npte && !table.is_dirty(i) {
                    i += 1;
                }
            }
            let start = i;
            let header_at = nb;
            nb += HEADER_BYTES;
            let mut n_valid: u16 = 0;
            while i < npte
                && n_valid < u16::MAX
                && nb + HPTE_RECORD_BYTES <= buf.len()
                && (*first_pass || table.is_dirty(i))
                && shown_valid(table, i)
            {
                let (v, r) = table.take_for_stream(i);
                buf[nb..nb + 8].copy_from_slice(&v.to_be_bytes());
                buf[nb + 8..nb + 16].copy_from_slice(&r.to_be_bytes());
                nb += HPTE_RECORD_BYTES;
                n_valid += 1;
                i += 1;
            }
            let mut n_invalid: u16 = 0;
            while i < npte
                && n_invalid < u16::MAX
                && (*first_pass || table.is_dirty(i))
                && !shown_valid(table, i)
            {
                table.take_for_stream(i);
                n_invalid += 1;
                i += 1;
            }
            if n_valid == 0 && n_invalid == 0 {
                nb = header_at;
            } else {
                let h = ChunkHeader {
                    index: u32::try_from(start).map_err(|_| {
                        VmError::InvalidArgument("HPTE index beyond the stream's range".into())
                    })?,
                    n_valid,
                    n_invalid,
                };
                buf[header_at..header_at + HEADER_BYTES].copy_from_slice(&h.to_bytes());
            }
            if i >= npte {
                i = 0;
                *first_pass = false;
                break;
            }
        }
        *index = i;
        Ok(nb)
    }

    /// Restores records from `buf`; returns the bytes consumed (a record cut off at the end
    /// of `buf` is left for the next call, as with KVM).
    pub fn write(&mut self, buf: &[u8]) -> Result<usize, VmError> {
        if !matches!(self.mode, Mode::Write) {
            return Err(VmError::InvalidArgument(
                "this HTAB handle was opened for reading".into(),
            ));
        }
        if self.vm.running_vcpus() > 0 {
            return Err(VmError::Busy("vCPUs are running".into()));
        }
        let ram_size = self.vm.ram.size();
        let mut hpt = self.vm.hpt.lock();
        let Some(table) = hpt.table.as_mut() else {
            return Err(VmError::InvalidArgument(
                "no HPT to restore into: allocate one of the source's order first".into(),
            ));
        };
        let npte = table.npte();
        let mut nb = 0;
        let mut changed = false;
        let result = loop {
            let Some(h) = buf.get(nb..).and_then(ChunkHeader::from_bytes) else {
                break Ok(nb);
            };
            let n_valid = usize::from(h.n_valid);
            let n_invalid = usize::from(h.n_invalid);
            let body = n_valid * HPTE_RECORD_BYTES;
            if nb + HEADER_BYTES + body > buf.len() {
                break Ok(nb);
            }
            let index = h.index as usize;
            if index >= npte || n_valid + n_invalid > npte - index {
                break Err(VmError::InvalidArgument(format!(
                    "HTAB record at index {index} with {n_valid} valid and {n_invalid} invalid \
                     entries reaches outside the table of {npte} entries"
                )));
            }
            let mut p = nb + HEADER_BYTES;
            let mut failed = None;
            for k in 0..n_valid {
                let i = index + k;
                let v = u64::from_be_bytes(buf[p..p + 8].try_into().unwrap_or([0; 8]));
                let r = u64::from_be_bytes(buf[p + 8..p + 16].try_into().unwrap_or([0; 8]));
                p += HPTE_RECORD_BYTES;
                if v & V_VALID == 0 {
                    failed = Some(VmError::InvalidArgument(format!(
                        "HTAB record entry {i} is listed as valid but has V clear ({v:#018x})"
                    )));
                    break;
                }
                if table.is_valid(i) {
                    table.invalidate_entry(i);
                }
                changed = true;
                if let Err(rc) = table.enter(flags::H_EXACT, i as u64, v, r, ram_size) {
                    failed = Some(VmError::InvalidArgument(format!(
                        "HTAB record entry {i} ({v:#018x}, {r:#018x}) cannot be entered: \
                         hcall status {rc}"
                    )));
                    break;
                }
            }
            if let Some(e) = failed {
                break Err(e);
            }
            for i in index + n_valid..index + n_valid + n_invalid {
                if table.is_valid(i) {
                    table.invalidate_entry(i);
                    changed = true;
                }
            }
            nb = p;
        };
        drop(hpt);
        if changed {
            self.vm.pate.invalidate();
        }
        result
    }
}

/// Writes a whole stream (as produced by [`HtabFd::read`] calls) into a write handle,
/// refusing a stream that ends in the middle of a record.
pub fn restore_all(fd: &mut HtabFd, stream: &[u8]) -> Result<(), VmError> {
    let used = fd.write(stream)?;
    if used != stream.len() {
        return Err(VmError::InvalidArgument(format!(
            "HTAB stream is truncated: {} trailing bytes at offset {used} do not form a whole \
             record",
            stream.len() - used
        )));
    }
    Ok(())
}
