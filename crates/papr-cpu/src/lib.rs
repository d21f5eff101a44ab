//! The POWER9 core papr emulates, as a pseries guest sees it (MSR[HV] = 0 always).
//!
//! This crate is the hardware under the hypervisor: registers, MSR, SPRs, the LPCR model,
//! exceptions, the interpreter, the SLB, the TLB and the architected hashed page table. It knows
//! nothing of the hypervisor or the platform; `papr-hv` hands it a [`hpt::PartitionEntry`]
//! naming the current hashed page table.

pub mod bits;
pub mod hpt;
pub mod irq_line;

pub use irq_line::InterruptLine;
