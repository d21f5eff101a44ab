//! The pseries (sPAPR) platform around the hypervisor: what QEMU's `spapr` machine does in user
//! space on top of KVM. Boot, device tree, Open Firmware client interface, RTAS, console, CAS,
//! reset, snapshots and live migration live here (see the open issues for what is still to come).

pub mod cas;
pub mod config;
pub mod devtree;
pub mod fuzz_harness;
pub mod initramfs;
pub mod loader;
pub mod machine;
pub mod ofci;
pub mod phcall;
pub mod rtas;
pub mod snapshot;
pub mod tree;

/// QEMU's rule for the default HPT size of a pseries machine (`spapr_hpt_shift_for_ramsize`):
/// the HPT is 1/128 of RAM rounded up to a power of two, clamped to the architected orders.
///
/// ```
/// assert_eq!(papr_machine::hpt_order_for_ram(1 << 30), 23);
/// assert_eq!(papr_machine::hpt_order_for_ram(4 << 30), 25);
/// ```
pub fn hpt_order_for_ram(ram_bytes: u64) -> u32 {
    papr_hv::hpt::order_for_ram(ram_bytes)
}
