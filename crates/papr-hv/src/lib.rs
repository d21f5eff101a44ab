//! The hypervisor papr emulates: the equivalent of Linux KVM Book3S HV for one pseries guest.
//!
//! - [`vm`]: the VM (KVM VM fd) — RAM, vCPUs, run state, and the ioctl-named interface.
//! - [`ram`]: guest RAM, one host mapping, bounds-checked.
//! - [`dirty_log`]: the dirty page log of guest RAM (KVM_GET_DIRTY_LOG).
//! - [`hpt`]: the hashed page table — allocation, hcalls, resize, HTAB stream.
//! - [`irq`]: interrupt-controller devices (XICS, XIVE native) with their lifecycle.
//! - [`hcall`]: the PAPR hypercall ABI.
//! - [`ledger`]: every byte the hypervisor holds, by kind.
//!
//! ARCHITECTURE.md at the repository root tells how these fit with the processor and the
//! platform.

pub mod dirty_log;
pub mod hcall;
mod host_pages;
pub mod hpt;
pub mod irq;
pub mod ledger;
pub mod ram;
pub mod sync;
pub mod vcpu;
pub mod vm;

pub use dirty_log::{DirtyLog, DIRTY_PAGE_SIZE};
pub use hcall::{HcallArgs, HcallExit, HcallResult};
pub use ledger::{Kind as LedgerKind, Ledger, LedgerReport};
pub use ram::{GuestRam, RamError};
pub use vcpu::Vcpu;
pub use vm::{HptInfo, RunGuard, Vm, VmConfig, VmError};
