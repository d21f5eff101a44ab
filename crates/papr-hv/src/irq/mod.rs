//! Interrupt controllers as KVM-style devices (XICS, XIVE native). Work in progress: see the
//! interrupt-controller issue.

use crate::hcall::{HcallArgs, HcallResult};
use crate::vcpu::Vcpu;
use crate::vm::VmInner;

/// The VM's interrupt-controller state (device slots).
#[derive(Debug, Default)]
pub struct VmIrq {}

/// A vCPU's interrupt-presenter connection.
#[derive(Debug, Default)]
pub struct VcpuIrq {}

/// Handles an interrupt-controller hcall, or returns `None` if `number` is not one.
pub(crate) fn handle_hcall(
    _vm: &VmInner,
    _vcpu: &Vcpu,
    _number: u64,
    _args: &HcallArgs,
) -> Option<HcallResult> {
    None
}

/// The fuzz harness over interrupt-controller hcalls and ESB/TIMA accesses (also run by
/// `cargo test` over the fixed corpus in fuzz/corpus/irq).
pub mod fuzz_harness {
    /// Runs one input.
    pub fn run(_data: &[u8]) {}
}
