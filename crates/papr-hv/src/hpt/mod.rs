//! The guest's hashed page table as KVM Book3S HV manages it: allocation and reset
//! (KVM_PPC_ALLOCATE_HTAB), the size chosen at first run, the HPT hcalls, guest-driven resize
//! and the HTAB migration stream.
//!
//! - [`alloc`] — table memory (reserved pool, then general memory) and the reverse map.
//! - [`table`] — one table and the operations behind the hcalls.
//! - `hcalls` — argument decoding and return codes of the hcalls.
//! - [`resize`] — prepare/commit and the rehash of bolted entries.
//! - [`stream`] — KVM_PPC_GET_HTAB_FD.
//!
//! Rules (the contract, from KVM, not QEMU where they differ):
//! - An order is always explicit and validated: outside 18..=46 is an error, never fixed up.
//! - Allocation never falls back to a smaller order (both ends of a migration must agree). The
//!   only exception is the size chosen at a vCPU's first run when nobody ever asked for one:
//!   order 24, stepping down only on allocation failure.
//! - The same order clears the table; another order replaces it.
//! - Every change a processor may have cached bumps the partition entry's generation.

pub mod alloc;
pub mod fuzz_harness;
mod hcalls;
pub mod resize;
pub mod stream;
pub mod table;

pub(crate) use hcalls::handle as handle_hcall;

use papr_cpu::hpt::{npte, MAX_HPT_ORDER, MIN_HPT_ORDER};

use self::alloc::{HptMemory, RevMap};
use self::resize::PendingResize;
use self::table::HptTable;
use crate::vm::VmInner;
use crate::VmError;

pub use papr_cpu::hpt::{MAX_HPT_ORDER as MAX_ORDER, MIN_HPT_ORDER as MIN_ORDER};

/// KVM's default order, used when no one set one before the first vCPU run.
pub const DEFAULT_ORDER: u32 = 24;

/// The HPT part of a VM.
#[derive(Debug, Default)]
pub(crate) struct HptState {
    /// The current table (none before the first allocation).
    pub table: Option<HptTable>,
    /// The order the VM returns to at reset: the last one set by allocate_htab or the first run.
    pub reset_order: Option<u32>,
    /// Whether anyone ever called allocate_htab.
    pub explicitly_sized: bool,
    /// A prepared resize.
    pub resize: Option<PendingResize>,
}

/// QEMU's default HPT order for a RAM size (`spapr_hpt_shift_for_ramsize`): 1/128 of RAM
/// rounded up to a power of two, clamped to the architected range.
pub fn order_for_ram(ram_bytes: u64) -> u32 {
    let pow2 = ram_bytes.max(1).checked_next_power_of_two();
    let log2 = pow2.map_or(64, u64::trailing_zeros);
    log2.saturating_sub(7).clamp(MIN_HPT_ORDER, MAX_HPT_ORDER)
}

/// Checks an order requested by a caller.
pub fn validate_order(order: u32) -> Result<(), VmError> {
    if (MIN_HPT_ORDER..=MAX_HPT_ORDER).contains(&order) {
        Ok(())
    } else {
        Err(VmError::InvalidArgument(format!(
            "HPT order {order} is outside {MIN_HPT_ORDER}..={MAX_HPT_ORDER}"
        )))
    }
}

impl VmInner {
    /// Allocates a zeroed table of exactly `order`, or says honestly that memory ran out.
    pub(crate) fn allocate_table(&self, order: u32) -> Result<HptTable, VmError> {
        let oom = |what: &str| VmError::OutOfMemory {
            what: format!("{what} of an order-{order} HPT"),
        };
        let room = |ledger: &crate::Ledger| {
            self.config.general_memory_limit.map_or(u64::MAX, |cap| {
                cap.saturating_sub(ledger.report().general_bytes())
            })
        };
        let mem = HptMemory::allocate(order, &self.pool, room(&self.ledger), &self.ledger)
            .ok_or_else(|| oom("table memory"))?;
        if RevMap::bytes_for(npte(order)) > room(&self.ledger) {
            return Err(oom("reverse map"));
        }
        let rev = RevMap::allocate(npte(order), &self.ledger).ok_or_else(|| oom("reverse map"))?;
        Ok(HptTable::new(mem, rev, order))
    }

    /// KVM_PPC_ALLOCATE_HTAB with the lock held.
    pub(crate) fn allocate_htab_locked(
        &self,
        hpt: &mut HptState,
        order: u32,
    ) -> Result<(), VmError> {
        hpt.resize = None;
        match hpt.table.as_mut() {
            Some(t) if t.order() == order => {
                t.clear();
                self.pate.invalidate();
            }
            _ => {
                // Free the old table first, as KVM does, so its memory can be reused.
                hpt.table = None;
                self.pate.set_table(None);
                let t = self.allocate_table(order)?;
                self.pate.set_table(Some(t.view()));
                hpt.table = Some(t);
            }
        }
        hpt.reset_order = Some(order);
        Ok(())
    }

    /// The size chosen at a first run when no one set one: order 24, stepping down only when
    /// memory runs out.
    pub(crate) fn autosize_htab(&self, hpt: &mut HptState) -> Result<(), VmError> {
        let mut last = None;
        for order in (MIN_HPT_ORDER..=DEFAULT_ORDER).rev() {
            match self.allocate_table(order) {
                Ok(t) => {
                    self.pate.set_table(Some(t.view()));
                    hpt.table = Some(t);
                    hpt.reset_order = Some(order);
                    return Ok(());
                }
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or(VmError::NoHpt))
    }
}
