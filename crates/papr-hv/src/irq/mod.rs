//! Interrupt controllers as KVM-style devices: XICS and XIVE native ("exploitation mode"), with
//! the lifecycle KVM Book3S HV gives them (fact sheet sections 6 to 8).
//!
//! - [`device`]: the device framework — [`Vm::create_device`](crate::Vm::create_device)
//!   (KVM_CREATE_DEVICE), [`DeviceFd`] with `set_attr / get_attr / has_attr`
//!   (KVM_{SET,GET,HAS}_DEVICE_ATTR) and `mmap` ([`Mapping`]s of the XIVE ESB pages and TIMA),
//!   vCPU connection ([`Vcpu::enable_cap`](crate::Vcpu::enable_cap), KVM_ENABLE_CAP) and the
//!   per-vCPU one-regs (ICP_STATE, VP_STATE).
//! - [`xics`]: the XICS engine — ICS sources, one ICP per vCPU, H_CPPR / H_EOI / H_IPI /
//!   H_IPOLL / H_XIRR / H_XIRR_X, the RTAS ibm,set-xive family, the XICS attributes.
//! - [`xive`]: the XIVE native engine — ESB pages and their PQ state machine, event queues in
//!   guest RAM, one END per (vCPU, priority), the TIMA OS ring, the H_INT_* hcalls and the XIVE
//!   attribute groups.
//! - [`fuzz_harness`]: hcall + ESB/TIMA access sequences from fuzz bytes (cargo-fuzz target
//!   `irq`, also run by `cargo test` over fuzz/corpus/irq).
//!
//! # Lifecycle
//!
//! *Create.* [`Vm::create_device`](crate::Vm::create_device) makes an XICS or a XIVE device and
//! returns its [`DeviceFd`]. One interrupt controller per VM: while a device of either type
//! exists — that is, until its release has run — creating another of either type is refused
//! with [`VmError::Exists`](crate::VmError::Exists) (-EEXIST).
//!
//! *Release, by ownership.* A [`DeviceFd`] and every [`Mapping`] made from it hold one
//! reference on a single open-device object. That object's `Drop` is the device's `release`,
//! so release runs exactly once, when the fd is closed (dropped) **and** every mapping is gone
//! — never while the guest can still reach the pages. Release first disconnects every vCPU
//! presenter attached to the device (each vCPU goes back to "no interrupt controller" and its
//! external-interrupt line is lowered), then frees the device's per-open state (sources, ENDs,
//! presenters, registered queue pages), marks the VM as having no interrupt controller and bumps
//! the partition entry's invalidation generation, so no vCPU keeps a translation to the
//! released pages. A released device cannot be named any more: nothing hands out a reference
//! to it, so "connect to a released device" cannot even be written.
//!
//! *Slot array.* The engine objects (KVM's cached `kvmppc_xive` / XICS structure) live in the
//! VM's slot array, one slot per device type ([`VmIrq`]). A slot is allocated the first time a
//! device of its type is created, reused (its per-open state re-initialised) by every later
//! device of that type, and freed only when the `Vm` drops. This is the one fixed allocation a
//! mode switch leaves behind: after a first XICS -> XIVE cycle, further cycles return the
//! ledger and the allocator to the same totals.
//!
//! *Release versus destroy.* XICS and XIVE native have a `release` and therefore **never get a
//! `destroy`**: by the time the VM can drop, every device fd and mapping is gone (each holds a
//! reference on the VM) and release has already run. The framework still supports a type
//! without release (kept on the VM's device list, destroyed when the VM drops); only a
//! test-only device type uses it.
//!
//! *Mappings.* [`DeviceFd::mmap`] hands out the XIVE regions the platform places in the
//! guest-physical map: the ESB pages (2 pages of 64 KiB per source: trigger, then management)
//! and the TIMA (4 pages of 64 KiB, only the OS page backed). The platform forwards guest MMIO
//! in those ranges to [`Mapping::read`] / [`Mapping::write`], naming the accessing vCPU (the
//! TIMA shows the accessing thread's context). The guest-physical bases are the platform's
//! choice; it tells the device through the papr platform attribute group (defaults: QEMU's
//! placement) so that H_INT_GET_SOURCE_INFO can answer guest-physical page addresses.
//!
//! # Accounting
//! Every per-open object embeds a ledger [`Charge`](crate::ledger::Charge): the open device,
//! each block of 1024 sources, each presenter ([`LedgerKind::DeviceState`](crate::LedgerKind)),
//! and each event queue the guest registered ([`LedgerKind::QueuePages`](crate::LedgerKind):
//! guest RAM, counted, not allocated). The slot objects are charged as device state too, for
//! as long as the VM lives.

pub mod device;
pub mod fuzz_harness;
pub mod xics;
pub mod xive;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, Weak};

use parking_lot::Mutex;

pub use device::{
    AttrValue, DeviceFd, DeviceType, IrqCap, MapRegion, Mapping, MmioError, RtasError,
};
pub use xive::XiveEq;

use crate::hcall::{nr, HcallArgs, HcallResult};
use crate::vcpu::Vcpu;
use crate::vm::VmInner;

/// Which presenter a vCPU is connected to (KVM's `vcpu->arch.irq_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IrqType {
    /// Not connected (KVMPPC_IRQ_DEFAULT).
    #[default]
    None,
    /// An XICS ICP (KVMPPC_IRQ_XICS).
    Xics,
    /// A XIVE native thread context (KVMPPC_IRQ_XIVE).
    Xive,
}

/// The VM's interrupt-controller state: the slot array (one engine object per device type,
/// allocated on first use, freed when the VM drops) and the "one irqchip" record.
#[derive(Debug, Default)]
pub struct VmIrq {
    pub(crate) xics: OnceLock<Arc<xics::XicsEngine>>,
    pub(crate) xive: OnceLock<Arc<xive::XiveEngine>>,
    pub(crate) chip: Mutex<ChipState>,
    /// How many releases have run (for tests and reports).
    pub(crate) releases: AtomicU64,
}

/// The device list part of [`VmIrq`].
#[derive(Debug, Default)]
pub(crate) struct ChipState {
    /// The interrupt controller that exists (created, release not yet run): type and instance.
    pub active: Option<(DeviceType, u64)>,
    /// Instance numbers, never reused within a VM.
    pub next_instance: u64,
    /// Devices of types without a release: destroyed when the VM drops.
    pub without_release: Vec<device::NoReleaseDevice>,
}

/// A vCPU's interrupt-presenter connection.
#[derive(Debug, Default)]
pub struct VcpuIrq {
    pub(crate) conn: Mutex<Option<Connection>>,
}

/// What a connected vCPU records: the device instance and its server number. The presenter
/// state itself lives in the device's per-open state, keyed by server, so that release frees it.
#[derive(Debug, Clone)]
pub(crate) struct Connection {
    pub kind: IrqType,
    pub instance: u64,
    pub server: u32,
    pub engine: EngineRef,
}

/// A weak reference to the slot engine a vCPU is connected to (for the one-reg interface,
/// which only has the vCPU). Weak, so that the slot is freed with the VM whatever holds vCPUs.
#[derive(Debug, Clone)]
pub(crate) enum EngineRef {
    Xics(Weak<xics::XicsEngine>),
    Xive(Weak<xive::XiveEngine>),
}

/// The first step of a device's release: every vCPU presenter connected to instance
/// `instance` of `kind` is disconnected and its interrupt line lowered, before the per-open
/// state the presenters point into is freed.
pub(crate) fn disconnect_presenters(vm: &VmInner, kind: IrqType, instance: u64) {
    for v in vm.vcpus.lock().iter() {
        let mut c = v.irq.conn.lock();
        if c.as_ref()
            .is_some_and(|c| c.kind == kind && c.instance == instance)
        {
            *c = None;
            v.interrupt_line().lower();
        }
    }
}

impl VcpuIrq {
    /// The connection, copied out (the lock is never held while an engine lock is taken).
    pub(crate) fn connection(&self) -> Option<Connection> {
        self.conn.lock().clone()
    }

    /// (instance, server) if connected with `kind`.
    pub(crate) fn target(&self, kind: IrqType) -> Option<(u64, u32)> {
        let c = self.conn.lock();
        c.as_ref()
            .filter(|c| c.kind == kind)
            .map(|c| (c.instance, c.server))
    }
}

impl Vcpu {
    /// The interrupt presenter this vCPU is connected to.
    pub fn irq_type(&self) -> IrqType {
        self.irq
            .conn
            .lock()
            .as_ref()
            .map_or(IrqType::None, |c| c.kind)
    }

    /// Its interrupt server number, if connected.
    pub fn irq_server(&self) -> Option<u32> {
        self.irq.conn.lock().as_ref().map(|c| c.server)
    }
}

impl crate::Vm {
    /// The interrupt controller that currently exists (created and not yet released).
    pub fn irqchip(&self) -> Option<DeviceType> {
        self.inner.irq.chip.lock().active.map(|(t, _)| t)
    }

    /// How many device releases have run in this VM.
    pub fn irq_release_count(&self) -> u64 {
        self.inner.irq.releases.load(Ordering::Acquire)
    }
}

/// Handles an interrupt-controller hcall, or returns `None` if `number` is not one.
///
/// XICS hcalls answer H_FUNCTION when no XICS device exists, H_INT_* when no XIVE device
/// exists (the guest did not negotiate that mode).
pub(crate) fn handle_hcall(
    vm: &VmInner,
    vcpu: &Vcpu,
    number: u64,
    args: &HcallArgs,
) -> Option<HcallResult> {
    match number {
        nr::H_EOI | nr::H_CPPR | nr::H_IPI | nr::H_IPOLL | nr::H_XIRR | nr::H_XIRR_X => {
            Some(xics::hcall(vm, vcpu, number, args))
        }
        nr::H_INT_GET_SOURCE_INFO..=nr::H_INT_RESET if number.is_multiple_of(4) => {
            Some(xive::hcall(vm, vcpu, number, args))
        }
        _ => None,
    }
}

/// Interrupt server numbers are below this (KVM_MAX_VCPU_IDS analogue): the default and the
/// largest NR_SERVERS.
pub const MAX_SERVERS: u32 = 2048;

/// The low byte of a guest register (KVM stores hcall arguments into u8 fields this way).
#[inline]
pub(crate) fn low_u8(v: u64) -> u8 {
    v.to_le_bytes()[0]
}

/// A guest register as a u32, or `None` if it does not fit.
#[inline]
pub(crate) fn fit_u32(v: u64) -> Option<u32> {
    u32::try_from(v).ok()
}

/// The timebase (512 MHz on POWER9) at the VM's virtual clock.
pub(crate) fn timebase(vm: &VmInner) -> u64 {
    let ns = u128::from(vm.clock_ns.load(Ordering::Acquire));
    u64::try_from(ns * 512 / 1000).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests;
