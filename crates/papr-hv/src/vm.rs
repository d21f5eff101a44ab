//! The VM: what a KVM VM file descriptor stands for.
//!
//! [`Vm`] is used by the platform the way QEMU uses `/dev/kvm`: each public method is named
//! after the KVM ioctl it stands for, with the same meaning and error cases.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use papr_cpu::hpt::{PartitionEntry, V_BOLTED, V_VALID};
use parking_lot::Mutex;
use thiserror::Error;

use crate::hcall::{rc, HcallArgs, HcallExit, HcallResult};
use crate::hpt::alloc::ReservedPool;
use crate::hpt::resize::{self, PendingResize, ResizeProgress};
use crate::hpt::stream::HtabFd;
use crate::hpt::{self, HptState};
use crate::ledger::{Ledger, LedgerReport};
use crate::ram::{GuestRam, RamError};
use crate::sync::HvLock;
use crate::vcpu::Vcpu;

/// Errors of the VM interface. Each names the errno KVM would return.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum VmError {
    /// -EINVAL.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// -EBUSY.
    #[error("busy: {0}")]
    Busy(String),
    /// -ENOMEM.
    #[error("out of memory allocating the {what}")]
    OutOfMemory {
        /// What could not be allocated.
        what: String,
    },
    /// -ENXIO from a resize commit.
    #[error("no prepared HPT resize to order {shift}")]
    NoPendingResize {
        /// Requested order.
        shift: u32,
    },
    /// -ENOSPC from a resize commit.
    #[error("HPT resize to order {shift} failed: two bolted entries collide at index {index}")]
    PtegFull {
        /// Requested order.
        shift: u32,
        /// Index in the new table.
        index: usize,
    },
    /// The VM has no HPT and none can be made (an explicit allocation failed).
    #[error("the VM has no hashed page table")]
    NoHpt,
    /// -EEXIST.
    #[error("already exists: {0}")]
    Exists(String),
    /// -ENODEV / -ENXIO for devices and attributes.
    #[error("no such device or attribute: {0}")]
    NoDevice(String),
    /// -EPERM.
    #[error("not permitted: {0}")]
    NotPermitted(String),
    /// -ENOENT (interrupt-controller attributes naming a source or server that does not exist).
    #[error("no such entry: {0}")]
    NoEntry(String),
    /// -E2BIG (an interrupt source number beyond the device's range).
    #[error("too big: {0}")]
    TooBig(String),
    /// Guest RAM.
    #[error(transparent)]
    Ram(#[from] RamError),
}

impl VmError {
    /// The errno KVM returns for this error (positive).
    pub fn errno(&self) -> i32 {
        match self {
            VmError::InvalidArgument(_) | VmError::Ram(_) => libc::EINVAL,
            VmError::Busy(_) => libc::EBUSY,
            VmError::OutOfMemory { .. } => libc::ENOMEM,
            VmError::NoPendingResize { .. } => libc::ENXIO,
            VmError::PtegFull { .. } => libc::ENOSPC,
            VmError::NoHpt => libc::ENXIO,
            VmError::Exists(_) => libc::EEXIST,
            VmError::NoDevice(_) => libc::ENXIO,
            VmError::NotPermitted(_) => libc::EPERM,
            VmError::NoEntry(_) => libc::ENOENT,
            VmError::TooBig(_) => libc::E2BIG,
        }
    }
}

/// VM settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VmConfig {
    /// Guest RAM in bytes (multiple of 64 KiB).
    pub ram_bytes: u64,
    /// Size of the VM's reserved contiguous pool for HPTs (the KVM CMA area analogue).
    pub reserved_pool_bytes: u64,
    /// Cap on host general memory the hypervisor may take for this VM (the memory-cgroup
    /// limit analogue); `None` is unlimited.
    pub general_memory_limit: Option<u64>,
    /// Whether the guest may resize its HPT (H_RESIZE_HPT_*; otherwise H_AUTHORITY).
    pub hpt_resize: bool,
}

impl VmConfig {
    /// A configuration with `ram_bytes` of RAM, a reserved pool of 5% of it (KVM's default
    /// CMA ratio, in 256 KiB chunks), no general-memory cap, and resize allowed.
    pub fn with_ram(ram_bytes: u64) -> Self {
        let pool = (ram_bytes / 20) & !((1 << 18) - 1);
        VmConfig {
            ram_bytes,
            reserved_pool_bytes: pool,
            general_memory_limit: None,
            hpt_resize: true,
        }
    }
}

/// The shared state of one VM.
#[derive(Debug)]
pub struct VmInner {
    pub(crate) config: VmConfig,
    pub(crate) ram: GuestRam,
    pub(crate) ledger: Ledger,
    pub(crate) pool: Arc<ReservedPool>,
    pub(crate) pate: Arc<PartitionEntry>,
    pub(crate) hpt: HvLock<HptState>,
    pub(crate) vcpus: Mutex<Vec<Arc<Vcpu>>>,
    pub(crate) running: AtomicUsize,
    pub(crate) clock_ns: AtomicU64,
    pub(crate) irq: crate::irq::VmIrq,
}

impl VmInner {
    pub(crate) fn running_vcpus(&self) -> usize {
        self.running.load(Ordering::Acquire)
    }

    fn refuse_if_running(&self, what: &str) -> Result<(), VmError> {
        match self.running_vcpus() {
            0 => Ok(()),
            n => Err(VmError::Busy(format!(
                "{what} while {n} vCPU(s) are running"
            ))),
        }
    }

    /// KVM_PPC_RESIZE_HPT_PREPARE.
    pub(crate) fn resize_hpt_prepare(
        &self,
        hflags: u64,
        shift: u32,
    ) -> Result<ResizeProgress, VmError> {
        if hflags != 0 {
            return Err(VmError::InvalidArgument(format!(
                "resize flags {hflags:#x}"
            )));
        }
        if shift != 0 {
            hpt::validate_order(shift)?;
        }
        let now = self.clock_ns.load(Ordering::Acquire);
        let mut hpt = self.hpt.lock();
        if hpt.table.is_none() {
            return Err(VmError::NoHpt);
        }
        if let Some(p) = &hpt.resize {
            if p.shift == shift {
                if now < p.ready_at_ns {
                    return Ok(ResizeProgress::InProgress {
                        retry_ms: resize::PREPARE_RETRY_MS,
                    });
                }
                if let Err(e) = &p.outcome {
                    let e = e.clone();
                    hpt.resize = None;
                    return Err(e);
                }
                return Ok(ResizeProgress::Ready);
            }
        }
        // A different shift replaces the pending request; shift 0 only cancels.
        hpt.resize = None;
        if shift == 0 {
            return Ok(ResizeProgress::Ready);
        }
        drop(hpt);
        let outcome = self.allocate_table(shift).map(|mut t| {
            t.prefault();
            t
        });
        let mut hpt = self.hpt.lock();
        hpt.resize = Some(PendingResize {
            shift,
            outcome,
            ready_at_ns: now + resize::prepare_duration_ns(shift),
        });
        Ok(ResizeProgress::InProgress {
            retry_ms: resize::PREPARE_RETRY_MS,
        })
    }

    /// KVM_PPC_RESIZE_HPT_COMMIT.
    pub(crate) fn resize_hpt_commit(&self, hflags: u64, shift: u32) -> Result<(), VmError> {
        if hflags != 0 {
            return Err(VmError::InvalidArgument(format!(
                "resize flags {hflags:#x}"
            )));
        }
        let now = self.clock_ns.load(Ordering::Acquire);
        let mut hpt = self.hpt.lock();
        if hpt.table.is_none() {
            return Err(VmError::NoHpt);
        }
        // The pending request is consumed whatever happens.
        let pending = hpt.resize.take();
        let Some(pending) = pending.filter(|p| p.shift == shift) else {
            return Err(VmError::NoPendingResize { shift });
        };
        if now < pending.ready_at_ns {
            return Err(VmError::Busy(format!(
                "the HPT of order {shift} is still being prepared"
            )));
        }
        let mut new = pending.outcome?;
        let old = hpt.table.as_ref().ok_or(VmError::NoHpt)?;
        resize::rehash(old, &mut new).map_err(|index| VmError::PtegFull { shift, index })?;
        self.pate.set_table(Some(new.view()));
        hpt.table = Some(new);
        Ok(())
    }
}

/// A VM. Cloning gives another handle on the same VM.
#[derive(Debug, Clone)]
pub struct Vm {
    pub(crate) inner: Arc<VmInner>,
}

/// A summary of the HPT for reports (`info hpt`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HptInfo {
    /// Current order.
    pub order: u32,
    /// Valid entries.
    pub valid: usize,
    /// Bolted entries.
    pub bolted: usize,
    /// The order a prepared resize is for, if any.
    pub pending_resize: Option<u32>,
    /// Whether the table sits in the reserved pool.
    pub reserved_pool: bool,
}

impl Vm {
    /// KVM_CREATE_VM: a VM with `config.ram_bytes` of zeroed RAM and no HPT yet.
    pub fn new(config: VmConfig) -> Result<Self, VmError> {
        let ram = GuestRam::new(config.ram_bytes)?;
        let pool =
            ReservedPool::new(config.reserved_pool_bytes).ok_or_else(|| VmError::OutOfMemory {
                what: format!("reserved pool of {} bytes", config.reserved_pool_bytes),
            })?;
        Ok(Vm {
            inner: Arc::new(VmInner {
                config,
                ram,
                ledger: Ledger::new(),
                pool: Arc::new(pool),
                pate: Arc::new(PartitionEntry::new()),
                hpt: HvLock::new(HptState::default()),
                vcpus: Mutex::new(Vec::new()),
                running: AtomicUsize::new(0),
                clock_ns: AtomicU64::new(0),
                irq: crate::irq::VmIrq::default(),
            }),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &VmConfig {
        &self.inner.config
    }

    /// Guest RAM.
    pub fn ram(&self) -> &GuestRam {
        &self.inner.ram
    }

    /// The allocation ledger.
    pub fn ledger(&self) -> LedgerReport {
        self.inner.ledger.report()
    }

    /// Bytes of the reserved pool in use.
    pub fn reserved_pool_used(&self) -> u64 {
        self.inner.pool.used()
    }

    /// The partition-table entry every vCPU translates through.
    pub fn partition_entry(&self) -> Arc<PartitionEntry> {
        Arc::clone(&self.inner.pate)
    }

    /// Sets the VM's virtual clock (ns). The platform advances it from instructions retired,
    /// so that everything timed in the hypervisor (a resize prepare) is deterministic.
    pub fn set_clock_ns(&self, ns: u64) {
        self.inner.clock_ns.store(ns, Ordering::Release);
    }

    /// The VM's virtual clock (ns).
    pub fn clock_ns(&self) -> u64 {
        self.inner.clock_ns.load(Ordering::Acquire)
    }

    /// KVM_CREATE_VCPU.
    pub fn create_vcpu(&self, id: u32) -> Result<Arc<Vcpu>, VmError> {
        let mut vcpus = self.inner.vcpus.lock();
        if vcpus.iter().any(|v| v.id() == id) {
            return Err(VmError::Exists(format!("vCPU {id}")));
        }
        let v = Arc::new(Vcpu::new(id, Arc::clone(&self.inner.pate)));
        vcpus.push(Arc::clone(&v));
        Ok(v)
    }

    /// The VM's vCPUs.
    pub fn vcpus(&self) -> Vec<Arc<Vcpu>> {
        self.inner.vcpus.lock().clone()
    }

    /// KVM_RUN: the vCPU counts as running while the returned guard lives (the platform drops
    /// it when it stops or pauses the vCPU). The first run of a VM whose HPT size was never set
    /// sizes it (order 24, smaller only if memory runs out).
    pub fn run(&self, vcpu: &Arc<Vcpu>) -> Result<RunGuard, VmError> {
        {
            let mut hpt = self.inner.hpt.lock();
            if hpt.table.is_none() {
                if hpt.explicitly_sized {
                    return Err(VmError::NoHpt);
                }
                self.inner.autosize_htab(&mut hpt)?;
            }
        }
        vcpu.set_running(true)?;
        self.inner.running.fetch_add(1, Ordering::AcqRel);
        Ok(RunGuard {
            vm: Arc::clone(&self.inner),
            vcpu: Arc::clone(vcpu),
        })
    }

    /// Number of vCPUs currently running.
    pub fn running_vcpus(&self) -> usize {
        self.inner.running_vcpus()
    }

    /// KVM_PPC_ALLOCATE_HTAB: makes the HPT exactly `2^order` bytes, cleared.
    ///
    /// `order` must be in 18..=46 (else InvalidArgument; never adjusted). With the current
    /// order the table is cleared in place; with another, the old table is freed and a new one
    /// allocated — never a smaller one if memory runs out (OutOfMemory, and the VM then has no
    /// HPT until a later call succeeds). Refused (Busy) while any vCPU runs. A prepared resize
    /// is cancelled. Every vCPU drops its cached translations.
    pub fn allocate_htab(&self, order: u32) -> Result<(), VmError> {
        hpt::validate_order(order)?;
        self.inner.refuse_if_running("KVM_PPC_ALLOCATE_HTAB")?;
        let mut hpt = self.inner.hpt.lock();
        hpt.explicitly_sized = true;
        self.inner.allocate_htab_locked(&mut hpt, order)
    }

    /// Machine reset of the HPT: cleared and returned to the size last set by
    /// [`Vm::allocate_htab`] (or chosen at first run), undoing any guest resize; a prepared
    /// resize is cancelled. Same rules as allocate_htab.
    pub fn reset_htab(&self) -> Result<(), VmError> {
        self.inner.refuse_if_running("HPT reset")?;
        let mut hpt = self.inner.hpt.lock();
        match hpt.reset_order {
            Some(order) => self.inner.allocate_htab_locked(&mut hpt, order),
            None => {
                hpt.resize = None;
                Ok(())
            }
        }
    }

    /// The current HPT order.
    pub fn hpt_order(&self) -> Option<u32> {
        self.inner.hpt.lock().table.as_ref().map(|t| t.order())
    }

    /// The order a reset returns to.
    pub fn hpt_reset_order(&self) -> Option<u32> {
        self.inner.hpt.lock().reset_order
    }

    /// A summary of the HPT.
    pub fn hpt_info(&self) -> Option<HptInfo> {
        let hpt = self.inner.hpt.lock();
        let t = hpt.table.as_ref()?;
        let (valid, bolted) = t.occupancy();
        Some(HptInfo {
            order: t.order(),
            valid,
            bolted,
            pending_resize: hpt.resize.as_ref().map(|p| p.shift),
            reserved_pool: t.memory().is_reserved(),
        })
    }

    /// Occupancy of each PTEG (valid entries, 0..=8) — for `info hpt` summaries and tests.
    pub fn hpt_group_occupancy(&self) -> Vec<u8> {
        let hpt = self.inner.hpt.lock();
        let Some(t) = hpt.table.as_ref() else {
            return Vec::new();
        };
        (0..t.npte() / 8)
            .map(|g| {
                let valid = (0..8).filter(|s| t.raw(g * 8 + s).0 & V_VALID != 0).count();
                u8::try_from(valid).unwrap_or(8)
            })
            .collect()
    }

    /// The guest view of HPTE `index` (dword 0, dword 1), as H_READ returns it.
    pub fn read_hpte(&self, index: usize) -> Option<(u64, u64)> {
        let hpt = self.inner.hpt.lock();
        let t = hpt.table.as_ref()?;
        (index < t.npte()).then(|| t.guest_view(index))
    }

    /// The guest view of every HPTE, in index order (one lock for the whole table).
    pub fn hpt_entries(&self) -> Vec<(u64, u64)> {
        let hpt = self.inner.hpt.lock();
        hpt.table.as_ref().map_or_else(Vec::new, |t| {
            (0..t.npte()).map(|i| t.guest_view(i)).collect()
        })
    }

    /// Counts bolted valid entries.
    pub fn bolted_entries(&self) -> usize {
        let hpt = self.inner.hpt.lock();
        hpt.table.as_ref().map_or(0, |t| {
            (0..t.npte())
                .filter(|&i| {
                    let v = t.raw(i).0;
                    v & V_VALID != 0 && v & V_BOLTED != 0
                })
                .count()
        })
    }

    /// KVM_PPC_RESIZE_HPT_PREPARE: starts (or polls, or with shift 0 cancels) a resize to
    /// `2^shift` bytes.
    pub fn resize_hpt_prepare(&self, flags: u64, shift: u32) -> Result<ResizeProgress, VmError> {
        self.inner.resize_hpt_prepare(flags, shift)
    }

    /// A prepared (or preparing) resize: its order and the virtual time (ns) at which it is
    /// ready — what a snapshot carries so that the destination honours the guest's request.
    pub fn pending_resize(&self) -> Option<(u32, u64)> {
        let hpt = self.inner.hpt.lock();
        hpt.resize.as_ref().map(|p| (p.shift, p.ready_at_ns))
    }

    /// Re-issues a pending resize restored from a snapshot: the new table is allocated now
    /// and is ready at `ready_at_ns` (virtual time), as it would have been on the source. A
    /// papr extension (KVM keeps no resize state across migration; QEMU 7.2 loses it).
    pub fn restore_pending_resize(&self, shift: u32, ready_at_ns: u64) -> Result<(), VmError> {
        self.inner.resize_hpt_prepare(0, shift)?;
        let mut hpt = self.inner.hpt.lock();
        if let Some(p) = hpt.resize.as_mut() {
            p.ready_at_ns = ready_at_ns;
            if let Err(e) = &p.outcome {
                let e = e.clone();
                hpt.resize = None;
                return Err(e);
            }
        }
        Ok(())
    }

    /// KVM_PPC_RESIZE_HPT_COMMIT: switches to the prepared table, carrying bolted entries.
    pub fn resize_hpt_commit(&self, flags: u64, shift: u32) -> Result<(), VmError> {
        self.inner.resize_hpt_commit(flags, shift)
    }

    /// KVM_PPC_GET_HTAB_FD: a handle that reads (or, with [`crate::hpt::stream::GET_HTAB_WRITE`],
    /// writes) the HTAB stream.
    pub fn get_htab_fd(&self, flags: u64, start_index: u64) -> Result<HtabFd, VmError> {
        HtabFd::new(Arc::clone(&self.inner), flags, start_index)
    }

    /// The guest's `sc 1`: handles the hcalls the hypervisor owns (HPT, interrupt controller)
    /// and returns [`HcallExit::ToPlatform`] for the rest.
    #[inline]
    pub fn hcall(&self, vcpu: &Vcpu, number: u64, args: &HcallArgs) -> HcallExit {
        let result = hpt::handle_hcall(&self.inner, number, args)
            .or_else(|| crate::irq::handle_hcall(&self.inner, vcpu, number, args));
        match result {
            Some(r) => {
                vcpu.count_hcall(number, r.rc != rc::H_FUNCTION);
                HcallExit::Done(r)
            }
            None => HcallExit::ToPlatform,
        }
    }

    /// Convenience for tests and tools: an hcall that must be handled here.
    #[inline]
    pub fn hcall_result(&self, vcpu: &Vcpu, number: u64, args: &HcallArgs) -> HcallResult {
        match self.hcall(vcpu, number, args) {
            HcallExit::Done(r) => r,
            HcallExit::ToPlatform => HcallResult::rc(rc::H_FUNCTION),
        }
    }
}

/// Proof that a vCPU is running (inside KVM_RUN). Dropping it stops the vCPU.
#[derive(Debug)]
pub struct RunGuard {
    vm: Arc<VmInner>,
    vcpu: Arc<Vcpu>,
}

impl RunGuard {
    /// The running vCPU.
    pub fn vcpu(&self) -> &Arc<Vcpu> {
        &self.vcpu
    }
}

impl Drop for RunGuard {
    fn drop(&mut self) {
        self.vcpu.set_running(false).ok();
        self.vm.running.fetch_sub(1, Ordering::AcqRel);
    }
}
