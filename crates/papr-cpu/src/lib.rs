//! The POWER9 core papr emulates, as a pseries guest sees it (MSR\[HV] = 0 always).
//!
//! This crate is the hardware under the hypervisor: registers, MSR, SPRs, the LPCR model,
//! exceptions, the interpreter, the SLB, the TLB and the architected hashed page table. It knows
//! nothing of the hypervisor or the platform; `papr-hv` hands it a [`hpt::PartitionEntry`]
//! naming the current hashed page table.
//!
//! | module | Power ISA 3.0B | job |
//! |---|---|---|
//! | [`state`] | Book I 2–7, Book III 4.2 | the architected registers, MSR bits |
//! | [`spr`] | Book III 4.4.4 | mfspr/mtspr numbers and privilege rules |
//! | [`lpcr`] | Book III 2.2 | the platform-controlled LPCR (AIL, ILE, LPES, LD) |
//! | [`slb`] | Book III 5.7.6, 5.9.3.2 | the SLB and its instructions |
//! | [`hpt`] | Book III 5.7.7 | HPTE format, hash, PTEG search |
//! | [`mmu`] | Book III 5.7 | effective-to-real translation, protection, R/C |
//! | [`tlb`] | Book III 5.10 | the software TLB |
//! | [`exception`] | Book III 7, 4.4 | interrupt delivery, rfid/rfscv/mtmsr(d) |
//! | [`timebase`] | Book II 5, Book III 10 | TB, DEC, PURR/SPURR/VTB |
//! | [`interp`] | Books I–III | the instruction interpreter |
//! | [`vcpu_state`] | — | the state a snapshot or migration carries (KVM_GET/SET_REGS…) |
//! | [`cpu`] | — | one thread tying them together |

pub mod bits;
pub mod cpu;
pub mod exception;
pub mod hpt;
pub mod interp;
pub mod irq_line;
pub mod lpcr;
pub mod mmu;
pub mod slb;
pub mod spr;
pub mod state;
pub mod timebase;
pub mod tlb;
pub mod vcpu_state;

pub use cpu::{Cpu, CpuConfig};
pub use exception::{Interrupt, ProgramCause};
pub use interp::{Bus, Exit, InterpStats, Interpreter, MonitorSlot, ReservationMonitor};
pub use irq_line::InterruptLine;
pub use mmu::{AccessType, Fault};
pub use spr::SprFault;
pub use vcpu_state::{VcpuState, VcpuStateError};
