//! A vCPU as the hypervisor sees it (what a KVM vCPU file descriptor stands for): its id, its
//! run state, its external-interrupt line, its interrupt-presenter connection, and per-vCPU
//! hcall counters.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use papr_cpu::hpt::PartitionEntry;
use papr_cpu::InterruptLine;

use crate::VmError;

/// Hcall numbers are multiples of 4 below this bound get their own counter.
const COUNTED_HCALLS: usize = 0x400 / 4;

/// A vCPU.
#[derive(Debug)]
pub struct Vcpu {
    id: u32,
    pate: Arc<PartitionEntry>,
    running: AtomicBool,
    line: Arc<InterruptLine>,
    counters: Box<[AtomicU64]>,
    unknown_hcalls: AtomicU64,
    pub(crate) irq: crate::irq::VcpuIrq,
}

impl Vcpu {
    pub(crate) fn new(id: u32, pate: Arc<PartitionEntry>) -> Self {
        Vcpu {
            id,
            pate,
            running: AtomicBool::new(false),
            line: Arc::new(InterruptLine::new()),
            counters: (0..COUNTED_HCALLS).map(|_| AtomicU64::new(0)).collect(),
            unknown_hcalls: AtomicU64::new(0),
            irq: crate::irq::VcpuIrq::default(),
        }
    }

    /// The vCPU id (its interrupt server number on pseries).
    pub fn id(&self) -> u32 {
        self.id
    }

    /// The partition-table entry it translates through.
    pub fn partition_entry(&self) -> &Arc<PartitionEntry> {
        &self.pate
    }

    /// Its external-interrupt line, which the processor polls.
    pub fn interrupt_line(&self) -> &Arc<InterruptLine> {
        &self.line
    }

    /// Whether it is inside a run.
    pub fn is_running(&self) -> bool {
        self.running.load(Ordering::Acquire)
    }

    pub(crate) fn set_running(&self, running: bool) -> Result<(), VmError> {
        if self.running.swap(running, Ordering::AcqRel) == running && running {
            return Err(VmError::Busy(format!(
                "vCPU {} is already running",
                self.id
            )));
        }
        Ok(())
    }

    /// Counts one hcall handled by the hypervisor (or refused with H_FUNCTION).
    pub(crate) fn count_hcall(&self, number: u64, implemented: bool) {
        let slot = usize::try_from(number / 4)
            .ok()
            .filter(|&s| s < COUNTED_HCALLS);
        let c = match (slot, implemented, number % 4) {
            (Some(s), true, 0) => &self.counters[s],
            _ => &self.unknown_hcalls,
        };
        // Only this vCPU's thread counts into its counters: a plain load and store suffice.
        c.store(c.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
    }

    /// Hcalls this vCPU made that the hypervisor handled: (number, count), non-zero only.
    pub fn hcall_counts(&self) -> Vec<(u64, u64)> {
        self.counters
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let n = c.load(Ordering::Relaxed);
                (n > 0).then_some((i as u64 * 4, n))
            })
            .collect()
    }

    /// Hcalls that were answered H_FUNCTION or had no counter.
    pub fn unknown_hcall_count(&self) -> u64 {
        self.unknown_hcalls.load(Ordering::Relaxed)
    }
}
