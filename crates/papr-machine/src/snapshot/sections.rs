//! Sections the hypervisor state needs: guest RAM (zero pages elided) and the HPT (its order,
//! then the HTAB stream).
//!
//! The HPT rule is the reason KVM_PPC_ALLOCATE_HTAB never falls back to a smaller table: the
//! destination allocates exactly the order the source sends — the order the source runs on
//! now, after any guest resize — and refuses the snapshot with a clear error if it cannot.

use papr_hv::hpt::stream::{restore_all, GET_HTAB_WRITE};
use papr_hv::Vm;

use super::SnapshotError;

/// Tag of the RAM section.
pub const RAM: [u8; 4] = *b"RAM.";
/// Tag of the HPT section.
pub const HPT: [u8; 4] = *b"HPT.";
/// Granule of the RAM section.
pub const RAM_PAGE: usize = 4 << 10;

fn section_err(tag: &str, what: impl Into<String>) -> SnapshotError {
    SnapshotError::Section {
        tag: tag.into(),
        what: what.into(),
    }
}

/// The RAM section: RAM size (u64), then (page index u64, 4 KiB) for every non-zero page.
pub fn save_ram(vm: &Vm) -> Vec<u8> {
    let ram = vm.ram();
    let mut out = ram.size().to_le_bytes().to_vec();
    let mut page = vec![0u8; RAM_PAGE];
    let pages = ram.size() / RAM_PAGE as u64;
    for p in 0..pages {
        let gpa = p * RAM_PAGE as u64;
        if ram.is_zero(gpa, RAM_PAGE as u64).unwrap_or(true) || ram.read(gpa, &mut page).is_err() {
            continue;
        }
        out.extend_from_slice(&p.to_le_bytes());
        out.extend_from_slice(&page);
    }
    out
}

/// Restores a RAM section into `vm`, whose RAM must be the same size.
pub fn restore_ram(vm: &Vm, payload: &[u8]) -> Result<(), SnapshotError> {
    let size = payload
        .get(..8)
        .and_then(|b| b.try_into().ok())
        .map(u64::from_le_bytes)
        .ok_or_else(|| section_err("RAM.", "no RAM size"))?;
    let ram = vm.ram();
    if size != ram.size() {
        return Err(SnapshotError::Incompatible(format!(
            "the snapshot's guest has {size:#x} bytes of RAM, this machine {:#x}",
            ram.size()
        )));
    }
    let body = &payload[8..];
    let rec = 8 + RAM_PAGE;
    if !body.len().is_multiple_of(rec) {
        return Err(section_err(
            "RAM.",
            format!(
                "{} bytes of page records are not a whole number of pages",
                body.len()
            ),
        ));
    }
    ram.discard_all();
    for r in body.chunks_exact(rec) {
        let mut ib = [0u8; 8];
        ib.copy_from_slice(&r[..8]);
        let index = u64::from_le_bytes(ib);
        let gpa = index
            .checked_mul(RAM_PAGE as u64)
            .filter(|&a| ram.contains(a, RAM_PAGE as u64))
            .ok_or_else(|| section_err("RAM.", format!("page {index} lies outside guest RAM")))?;
        ram.write(gpa, &r[8..])
            .map_err(|e| section_err("RAM.", e.to_string()))?;
    }
    Ok(())
}

/// The HPT section: the order (u32; 0 = no HPT), then the whole HTAB stream.
pub fn save_hpt(vm: &Vm) -> Result<Vec<u8>, SnapshotError> {
    let Some(order) = vm.hpt_order() else {
        return Ok(0u32.to_le_bytes().to_vec());
    };
    let mut out = order.to_le_bytes().to_vec();
    let mut fd = vm
        .get_htab_fd(0, 0)
        .map_err(|e| section_err("HPT.", e.to_string()))?;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = fd
            .read(&mut buf)
            .map_err(|e| section_err("HPT.", e.to_string()))?;
        if n == 0 {
            return Ok(out);
        }
        out.extend_from_slice(&buf[..n]);
    }
}

/// Restores an HPT section: allocates exactly the source's order (no fallback), then replays
/// the stream. An order above `max_order` (what this machine's configuration hosts, see
/// [`crate::config::MachineConfig::max_hpt_order`]) is refused before anything is allocated.
/// vCPUs must be stopped.
pub fn restore_hpt(vm: &Vm, payload: &[u8], max_order: u32) -> Result<(), SnapshotError> {
    let order = payload
        .get(..4)
        .and_then(|b| b.try_into().ok())
        .map(u32::from_le_bytes)
        .ok_or_else(|| section_err("HPT.", "no HPT order"))?;
    if order == 0 {
        return Err(SnapshotError::Incompatible(
            "the source had no hashed page table (a radix guest); papr runs hash guests only"
                .into(),
        ));
    }
    if order > max_order {
        return Err(SnapshotError::Incompatible(format!(
            "the snapshot's HPT has order {order}; this machine hosts at most order {max_order} \
             (from its RAM size and --hpt-order)"
        )));
    }
    vm.allocate_htab(order).map_err(|e| {
        SnapshotError::Incompatible(format!(
            "cannot allocate the source's HPT of order {order} ({e}); a smaller table would not \
             hold the guest's entries, so the restore stops here"
        ))
    })?;
    let mut w = vm
        .get_htab_fd(GET_HTAB_WRITE, 0)
        .map_err(|e| section_err("HPT.", e.to_string()))?;
    restore_all(&mut w, &payload[4..]).map_err(|e| section_err("HPT.", e.to_string()))
}
