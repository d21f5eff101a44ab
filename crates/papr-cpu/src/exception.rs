//! Interrupt delivery and the return-from-interrupt instructions.
//!
//! Power ISA 3.0B, Book III 7 ("Interrupts"): 7.2 the interrupt registers (SRR0/SRR1), 7.3
//! interrupt synchronisation, 7.4 interrupt classes, 7.5 the interrupt definitions (vector,
//! SRR1 contents and new MSR of each), 7.5.1 "Interrupt processing" and LPCR\[AIL]/\[ILE], and
//! the system call vectored interrupt (7.5.19, scv/rfscv); rfid, rfscv, mtmsr and mtmsrd are
//! in Book III 4.4.
//!
//! All of this is for an OS in a logical partition: MSR\[HV] is 0 before and after, so no
//! hypervisor interrupt (HSRR0/1) is ever delivered and rfid can never set HV.
//!
//! **SRR1.** Bits 33:36 and 42:47 carry interrupt-specific status and are zero unless the
//! interrupt sets them; bits 0:32, 37:41 and 48:63 are copied from the MSR.
//!
//! **New MSR.** SF = 1, HV and ME unchanged (ME = 0 for machine check), LE = LPCR\[ILE],
//! IR = DR = 1 only when the interrupt is relocated by AIL, everything else 0 — except scv,
//! which also keeps EE and RI.
//!
//! **AIL = 3.** An interrupt other than system reset and machine check taken while
//! MSR\[IR] = MSR\[DR] = 1 goes to 0xc000_0000_0000_4000 + vector with IR = DR = 1; scv goes to
//! 0xc000_0000_0000_3000 + 0x20·LEV instead of 0x1_7000 + 0x20·LEV. papr applies the IR/DR
//! condition to scv too (ISA 3.0B; ISA 3.1 later drops it for scv).

use crate::bits::{ibm_bit, ibm_mask};
use crate::lpcr::{Ail, Lpcr};
use crate::mmu::Fault;
use crate::state::{fscr, msr, RegisterState};

/// The AIL = 3 base of ordinary interrupts.
pub const AIL3_BASE: u64 = 0xc000_0000_0000_4000;
/// The AIL = 3 base of scv.
pub const AIL3_SCV_BASE: u64 = 0xc000_0000_0000_3000;
/// The real-mode base of scv.
pub const SCV_BASE: u64 = 0x1_7000;

/// SRR1 bits copied from the MSR (0:32, 37:41, 48:63).
pub const SRR1_MSR_BITS: u64 = ibm_mask(0, 32) | ibm_mask(37, 41) | ibm_mask(48, 63);

/// Program interrupt SRR1 bit 43: floating-point enabled exception.
pub const SRR1_PROGRAM_FP: u64 = ibm_bit(43);
/// Program interrupt SRR1 bit 44: illegal instruction.
pub const SRR1_PROGRAM_ILLEGAL: u64 = ibm_bit(44);
/// Program interrupt SRR1 bit 45: privileged instruction.
pub const SRR1_PROGRAM_PRIVILEGED: u64 = ibm_bit(45);
/// Program interrupt SRR1 bit 46: trap.
pub const SRR1_PROGRAM_TRAP: u64 = ibm_bit(46);

/// Trace interrupt SRR1 bit 33: set by every trace interrupt (Book III 7.5.15).
pub const SRR1_TRACE: u64 = ibm_bit(33);
/// Trace interrupt SRR1 bit 35: the traced instruction was a Load-type access.
pub const SRR1_TRACE_LOAD: u64 = ibm_bit(35);
/// Trace interrupt SRR1 bit 36: the traced instruction was a Store-type access.
pub const SRR1_TRACE_STORE: u64 = ibm_bit(36);

/// The cause of a program interrupt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgramCause {
    /// Floating-point enabled exception (SRR1 bit 43).
    FpEnabled,
    /// Illegal instruction (SRR1 bit 44).
    Illegal,
    /// Privileged instruction (SRR1 bit 45).
    Privileged,
    /// Trap (SRR1 bit 46).
    Trap,
}

impl ProgramCause {
    /// The SRR1 cause bit.
    pub const fn srr1(self) -> u64 {
        match self {
            ProgramCause::FpEnabled => SRR1_PROGRAM_FP,
            ProgramCause::Illegal => SRR1_PROGRAM_ILLEGAL,
            ProgramCause::Privileged => SRR1_PROGRAM_PRIVILEGED,
            ProgramCause::Trap => SRR1_PROGRAM_TRAP,
        }
    }
}

/// An interrupt a pseries guest can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interrupt {
    /// System reset (0x100).
    SystemReset,
    /// Machine check (0x200).
    MachineCheck,
    /// Data storage (0x300): sets DAR and DSISR.
    DataStorage {
        /// DAR value.
        dar: u64,
        /// DSISR value.
        dsisr: u32,
    },
    /// Data segment (0x380): sets DAR.
    DataSegment {
        /// DAR value.
        dar: u64,
    },
    /// Instruction storage (0x400) with SRR1 status bits.
    InstructionStorage {
        /// SRR1 bits 33:36 / 42.
        status: u64,
    },
    /// Instruction segment (0x480).
    InstructionSegment,
    /// External (0x500).
    External,
    /// Alignment (0x600): sets DAR and DSISR.
    Alignment {
        /// DAR value.
        dar: u64,
        /// DSISR value.
        dsisr: u32,
    },
    /// Program (0x700).
    Program(ProgramCause),
    /// Floating-point unavailable (0x800).
    FpUnavailable,
    /// Decrementer (0x900).
    Decrementer,
    /// System call, `sc` with LEV = 0 (0xc00). `sc 1` is a hypercall and never becomes an
    /// interrupt in the guest.
    SystemCall,
    /// Trace (0xd00), after a successfully completed instruction under MSR\[SE] or a branch
    /// under MSR\[BE]; SRR0 is the next instruction.
    Trace {
        /// SRR1 bits 33:36 / 42:47: [`SRR1_TRACE`], plus [`SRR1_TRACE_LOAD`] or
        /// [`SRR1_TRACE_STORE`] for a storage access.
        status: u64,
    },
    /// Performance monitor (0xf00).
    PerformanceMonitor,
    /// Vector unavailable (0xf20).
    VmxUnavailable,
    /// VSX unavailable (0xf40).
    VsxUnavailable,
    /// Facility unavailable (0xf60): FSCR\[IC] is set to `cause` (see [`fscr`]).
    FacilityUnavailable {
        /// The FSCR interrupt cause.
        cause: u8,
    },
    /// System call vectored, `scv LEV` (0x1_7000 + 0x20·LEV).
    SystemCallVectored {
        /// LEV (0..=127).
        lev: u8,
    },
}

impl Interrupt {
    /// The architected (real-mode, AIL = 0) vector.
    pub const fn vector(&self) -> u64 {
        match self {
            Interrupt::SystemReset => 0x100,
            Interrupt::MachineCheck => 0x200,
            Interrupt::DataStorage { .. } => 0x300,
            Interrupt::DataSegment { .. } => 0x380,
            Interrupt::InstructionStorage { .. } => 0x400,
            Interrupt::InstructionSegment => 0x480,
            Interrupt::External => 0x500,
            Interrupt::Alignment { .. } => 0x600,
            Interrupt::Program(_) => 0x700,
            Interrupt::FpUnavailable => 0x800,
            Interrupt::Decrementer => 0x900,
            Interrupt::SystemCall => 0xc00,
            Interrupt::Trace { .. } => 0xd00,
            Interrupt::PerformanceMonitor => 0xf00,
            Interrupt::VmxUnavailable => 0xf20,
            Interrupt::VsxUnavailable => 0xf40,
            Interrupt::FacilityUnavailable { .. } => 0xf60,
            Interrupt::SystemCallVectored { lev } => SCV_BASE + 0x20 * (*lev as u64 & 0x7f),
        }
    }

    /// The interrupt-specific SRR1 bits (33:36, 42:47).
    pub const fn srr1_status(&self) -> u64 {
        match self {
            Interrupt::InstructionStorage { status } | Interrupt::Trace { status } => {
                *status & (ibm_mask(33, 36) | ibm_mask(42, 47))
            }
            Interrupt::Program(cause) => cause.srr1(),
            _ => 0,
        }
    }

    /// Whether AIL can relocate this interrupt.
    const fn ail_applies(&self) -> bool {
        !matches!(self, Interrupt::SystemReset | Interrupt::MachineCheck)
    }
}

impl From<Fault> for Interrupt {
    fn from(f: Fault) -> Self {
        match f {
            Fault::DataStorage { dar, dsisr } => Interrupt::DataStorage { dar, dsisr },
            Fault::DataSegment { dar } => Interrupt::DataSegment { dar },
            Fault::InstructionStorage { srr1 } => Interrupt::InstructionStorage { status: srr1 },
            Fault::InstructionSegment => Interrupt::InstructionSegment,
        }
    }
}

/// Delivers `intr` (Book III 7.5): `srr0` is the address the ISA says SRR0 (or, for scv,
/// LR) receives — the faulting instruction for precise synchronous interrupts, the next
/// instruction for sc, scv, trace and the asynchronous ones. Sets SRR0/SRR1 (or LR/CTR),
/// DAR/DSISR/FSCR\[IC] where the interrupt does, the new MSR and `state.nip`. Returns the old
/// MSR so the caller can tell whether the translation mode changed.
pub fn deliver(state: &mut RegisterState, lpcr: &Lpcr, intr: Interrupt, srr0: u64) -> u64 {
    let old = state.msr();
    let relocated = lpcr.ail == Ail::Relocated
        && old & (msr::IR | msr::DR) == (msr::IR | msr::DR)
        && intr.ail_applies();
    let mut new = msr::SF | (old & (msr::HV | msr::ME));
    if lpcr.ile {
        new |= msr::LE;
    }
    if relocated {
        new |= msr::IR | msr::DR;
    }
    let nip = match intr {
        Interrupt::SystemCallVectored { lev } => {
            state.lr = srr0;
            state.ctr = old;
            new |= old & (msr::EE | msr::RI);
            let offset = 0x20 * u64::from(lev & 0x7f);
            if relocated {
                AIL3_SCV_BASE + offset
            } else {
                SCV_BASE + offset
            }
        }
        _ => {
            state.sprs.srr0 = srr0;
            state.sprs.srr1 = (old & SRR1_MSR_BITS) | intr.srr1_status();
            match intr {
                Interrupt::DataStorage { dar, dsisr } | Interrupt::Alignment { dar, dsisr } => {
                    state.sprs.dar = dar;
                    state.sprs.dsisr = dsisr;
                }
                Interrupt::DataSegment { dar } => state.sprs.dar = dar,
                Interrupt::FacilityUnavailable { cause } => {
                    state.sprs.fscr =
                        (state.sprs.fscr & !fscr::IC) | (u64::from(cause) << fscr::IC_SHIFT);
                }
                Interrupt::MachineCheck => new &= !msr::ME,
                _ => {}
            }
            if relocated {
                AIL3_BASE + intr.vector()
            } else {
                intr.vector()
            }
        }
    };
    state.set_msr_raw(new);
    state.nip = nip;
    old
}

/// The MSR a guest's rfid/rfscv/mtmsrd (L = 0) produces from `value` (Book III 4.4.2):
/// HV and ME cannot be changed outside hypervisor state; MSR\[PR] = 1 forces EE, IR and DR
/// on; TS, TM, S and the reserved bits stay 0.
#[inline]
pub const fn guest_msr(old: u64, value: u64) -> u64 {
    let mut m = (value & msr::GUEST_WRITABLE) | (old & (msr::HV | msr::ME));
    if m & msr::PR != 0 {
        m |= msr::EE | msr::IR | msr::DR;
    }
    m
}

/// The instruction address a return to `target` under `new_msr` resumes at: the low two
/// bits cleared, and in 32-bit mode the high word too.
#[inline]
pub const fn return_address(target: u64, new_msr: u64) -> u64 {
    let a = target & !3;
    if new_msr & msr::SF == 0 {
        a & 0xffff_ffff
    } else {
        a
    }
}

/// rfid (Book III 4.4.2): MSR from SRR1 under the guest rules, NIP = SRR0. Returns the old
/// MSR.
pub fn rfid(state: &mut RegisterState) -> u64 {
    let old = state.msr();
    let new = guest_msr(old, state.sprs.srr1);
    state.set_msr_raw(new);
    state.nip = return_address(state.sprs.srr0, new);
    old
}

/// rfscv (Book III 4.4.2): MSR from CTR under the guest rules, NIP = LR. Returns the old MSR.
pub fn rfscv(state: &mut RegisterState) -> u64 {
    let old = state.msr();
    let new = guest_msr(old, state.ctr);
    state.set_msr_raw(new);
    state.nip = return_address(state.lr, new);
    old
}

/// mtmsrd RS, L (Book III 4.4.4): L = 0 writes the MSR under the guest rules, L = 1 only EE
/// and RI. Returns the old MSR.
pub fn mtmsrd(state: &mut RegisterState, rs: u64, l: bool) -> u64 {
    let old = state.msr();
    let new = if l {
        (old & !(msr::EE | msr::RI)) | (rs & (msr::EE | msr::RI))
    } else {
        guest_msr(old, rs)
    };
    state.set_msr_raw(new);
    old
}

/// mtmsr RS, L (Book III 4.4.4): like mtmsrd, but L = 0 replaces only MSR bits 32:63.
pub fn mtmsr(state: &mut RegisterState, rs: u64, l: bool) -> u64 {
    if l {
        return mtmsrd(state, rs, true);
    }
    let old = state.msr();
    let low = guest_msr(old, rs) & 0xffff_ffff;
    state.set_msr_raw((old & !0xffff_ffff) | low);
    old
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(msr_value: u64) -> RegisterState {
        let mut s = RegisterState::power_on(0x004e_1200, 0);
        s.set_msr_raw(msr_value);
        s
    }

    const LE_ILE: Lpcr = Lpcr {
        ail: Ail::None,
        ile: true,
        lpes: true,
        ld: true,
    };
    const AIL3: Lpcr = Lpcr {
        ail: Ail::Relocated,
        ile: true,
        lpes: true,
        ld: true,
    };

    #[test]
    fn vectors_are_the_isa_ones() {
        let cases: [(Interrupt, u64); 18] = [
            (Interrupt::SystemReset, 0x100),
            (Interrupt::MachineCheck, 0x200),
            (Interrupt::DataStorage { dar: 0, dsisr: 0 }, 0x300),
            (Interrupt::DataSegment { dar: 0 }, 0x380),
            (Interrupt::InstructionStorage { status: 0 }, 0x400),
            (Interrupt::InstructionSegment, 0x480),
            (Interrupt::External, 0x500),
            (Interrupt::Alignment { dar: 0, dsisr: 0 }, 0x600),
            (Interrupt::Program(ProgramCause::Trap), 0x700),
            (Interrupt::FpUnavailable, 0x800),
            (Interrupt::Decrementer, 0x900),
            (Interrupt::SystemCall, 0xc00),
            (Interrupt::Trace { status: SRR1_TRACE }, 0xd00),
            (Interrupt::PerformanceMonitor, 0xf00),
            (Interrupt::VmxUnavailable, 0xf20),
            (Interrupt::VsxUnavailable, 0xf40),
            (Interrupt::FacilityUnavailable { cause: 12 }, 0xf60),
            (Interrupt::SystemCallVectored { lev: 2 }, 0x17040),
        ];
        for (i, v) in cases {
            assert_eq!(i.vector(), v, "{i:?}");
        }
    }

    #[test]
    fn program_interrupt_srr1_and_new_msr() {
        // Values from guests/expected/irq.txt: trap in SF|LE state with ILE.
        let mut s = state(0x8000_0000_0000_0001);
        deliver(
            &mut s,
            &LE_ILE,
            Interrupt::Program(ProgramCause::Trap),
            0x40_1000,
        );
        assert_eq!(s.nip, 0x700);
        assert_eq!(s.sprs.srr0, 0x40_1000);
        assert_eq!(s.sprs.srr1, 0x8000_0000_0002_0001);
        assert_eq!(s.msr(), 0x8000_0000_0000_0001);
        // Illegal 0x80000, privileged 0x40000, FP 0x100000.
        let mut s = state(0x8000_0000_0000_c031); // problem state, translated, EE
        deliver(
            &mut s,
            &LE_ILE,
            Interrupt::Program(ProgramCause::Privileged),
            0,
        );
        assert_eq!(s.sprs.srr1, 0x8000_0000_0004_c031);
        assert_eq!(s.msr(), 0x8000_0000_0000_0001);
        deliver(
            &mut s,
            &LE_ILE,
            Interrupt::Program(ProgramCause::Illegal),
            0,
        );
        assert_eq!(s.sprs.srr1 & 0xf_0000, 0x8_0000);
        let mut s = state(0x8000_0000_0280_2901);
        deliver(
            &mut s,
            &LE_ILE,
            Interrupt::Program(ProgramCause::FpEnabled),
            0,
        );
        assert_eq!(s.sprs.srr1, 0x8000_0000_0290_2901);
    }

    #[test]
    fn srr1_copies_only_the_architected_msr_ranges() {
        // Status bits 33:36 and 42:47 come from the interrupt, never from the MSR.
        let mut s = state(u64::MAX);
        deliver(&mut s, &LE_ILE, Interrupt::External, 0);
        assert_eq!(s.sprs.srr1, !(0x7800_0000 | 0x003f_0000));
        // ME survives, HV too (were it ever set), and machine check clears ME.
        assert_eq!(s.msr(), 0x8000_0000_0000_0001 | msr::ME | msr::HV);
        let mut s = state(msr::SF | msr::ME);
        deliver(&mut s, &LE_ILE, Interrupt::MachineCheck, 0);
        assert_eq!(s.msr() & msr::ME, 0);
    }

    #[test]
    fn isi_status_and_dsi_registers() {
        let mut s = state(0x8000_0000_0000_0031);
        deliver(
            &mut s,
            &LE_ILE,
            Interrupt::InstructionStorage {
                status: 0x4000_0000,
            },
            0x1000_6000,
        );
        assert_eq!(s.sprs.srr1, 0x8000_0000_4000_0031);
        assert_eq!(s.sprs.srr0, 0x1000_6000);
        deliver(
            &mut s,
            &LE_ILE,
            Interrupt::DataStorage {
                dar: 0x1000_5008,
                dsisr: 0x4200_0000,
            },
            0,
        );
        assert_eq!((s.sprs.dar, s.sprs.dsisr), (0x1000_5008, 0x4200_0000));
        // A data segment interrupt sets DAR and leaves DSISR alone.
        deliver(
            &mut s,
            &LE_ILE,
            Interrupt::DataSegment { dar: 0x3000_0010 },
            0,
        );
        assert_eq!((s.sprs.dar, s.sprs.dsisr), (0x3000_0010, 0x4200_0000));
        assert_eq!(s.nip, 0x380);
    }

    #[test]
    fn trace_srr1_status_new_msr_and_ail3() {
        // Book III 7.5.15: SRR1 bit 33 = 1, bit 36 = a Store-type traced instruction, the
        // other bits from the MSR (SE included); the new MSR clears SE/BE like every other
        // bit; AIL = 3 with IR = DR = 1 relocates 0xd00 to 0xc000000000004d00.
        let old = msr::SF | msr::EE | msr::SE | msr::IR | msr::DR | msr::RI | msr::LE;
        let mut s = state(old);
        let trace = Interrupt::Trace {
            status: SRR1_TRACE | SRR1_TRACE_STORE,
        };
        deliver(&mut s, &AIL3, trace, 0x1000_1234);
        assert_eq!(s.nip, 0xc000_0000_0000_4d00);
        assert_eq!(s.sprs.srr0, 0x1000_1234);
        assert_eq!(s.sprs.srr1, 0x8000_0000_4800_8433);
        assert_eq!(s.msr(), 0x8000_0000_0000_0031);
        // Real mode: the architected vector; a load sets bit 35 instead.
        let mut s = state(msr::SF | msr::BE);
        let trace = Interrupt::Trace {
            status: SRR1_TRACE | SRR1_TRACE_LOAD,
        };
        deliver(&mut s, &AIL3, trace, 0x2000);
        assert_eq!(s.nip, 0xd00);
        assert_eq!(s.sprs.srr1, 0x8000_0000_5000_0200);
        assert_eq!(s.msr(), msr::SF | msr::LE);
    }

    #[test]
    fn ail3_relocates_only_with_ir_and_dr() {
        // The mmu guest's AIL=3 lines.
        let mut s = state(0x8000_0000_0000_0031);
        deliver(&mut s, &AIL3, Interrupt::SystemCall, 0x1234);
        assert_eq!(s.nip, 0xc000_0000_0000_4c00);
        assert_eq!(s.msr(), 0x8000_0000_0000_0031);
        assert_eq!(s.sprs.srr1, 0x8000_0000_0000_0031);
        let mut s = state(0x8000_0000_0000_0021); // IR only
        deliver(&mut s, &AIL3, Interrupt::SystemCall, 0);
        assert_eq!(s.nip, 0xc00);
        assert_eq!(s.msr(), 0x8000_0000_0000_0001);
        let mut s = state(0x8000_0000_0000_0001); // real mode
        deliver(&mut s, &AIL3, Interrupt::SystemCall, 0);
        assert_eq!(s.nip, 0xc00);
        // Not for system reset or machine check.
        let mut s = state(0x8000_0000_0000_0031);
        deliver(&mut s, &AIL3, Interrupt::MachineCheck, 0);
        assert_eq!(s.nip, 0x200);
        assert_eq!(s.msr() & (msr::IR | msr::DR), 0);
        let mut s = state(0x8000_0000_0000_0031);
        deliver(&mut s, &AIL3, Interrupt::SystemReset, 0);
        assert_eq!(s.nip, 0x100);
    }

    #[test]
    fn ile_selects_the_interrupt_endianness_and_sf_is_set() {
        let mut s = state(msr::LE); // 32-bit LE
        let be = Lpcr::reset();
        deliver(&mut s, &be, Interrupt::Decrementer, 0x100);
        assert_eq!(s.msr(), msr::SF);
        assert_eq!(s.sprs.srr1, msr::LE);
    }

    #[test]
    fn scv_uses_lr_and_ctr_and_keeps_ee_ri() {
        // guests/expected/irq.txt: MSR in 0x8000000000000001, vector 0x17000, CTR = old MSR.
        let mut s = state(0x8000_0000_0000_8003); // SF|EE|RI|LE
        s.sprs.srr0 = 0x1111;
        s.sprs.srr1 = 0x2222;
        deliver(
            &mut s,
            &LE_ILE,
            Interrupt::SystemCallVectored { lev: 0 },
            0x40_0104,
        );
        assert_eq!(s.nip, 0x17000);
        assert_eq!(s.lr, 0x40_0104);
        assert_eq!(s.ctr, 0x8000_0000_0000_8003);
        assert_eq!(s.msr(), 0x8000_0000_0000_8003);
        assert_eq!((s.sprs.srr0, s.sprs.srr1), (0x1111, 0x2222));
        // AIL = 3 with IR = DR = 1: 0xc000000000003000 + 0x20 * LEV.
        let mut s = state(0x8000_0000_0000_c033);
        deliver(&mut s, &AIL3, Interrupt::SystemCallVectored { lev: 1 }, 0);
        assert_eq!(s.nip, 0xc000_0000_0000_3020);
        assert_eq!(s.msr(), 0x8000_0000_0000_8033);
        // rfscv: back to LR with MSR = CTR.
        rfscv(&mut s);
        assert_eq!(s.msr(), 0x8000_0000_0000_c033);
        assert_eq!(s.nip, 0);
    }

    #[test]
    fn facility_unavailable_sets_fscr_ic() {
        let mut s = state(msr::SF);
        s.sprs.fscr = 0x0500_0000_0000_0104;
        deliver(
            &mut s,
            &LE_ILE,
            Interrupt::FacilityUnavailable { cause: fscr::SCV },
            0,
        );
        assert_eq!(s.sprs.fscr, 0x0c00_0000_0000_0104);
        assert_eq!(s.nip, 0xf60);
    }

    #[test]
    fn rfid_rules() {
        let mut s = state(msr::SF | msr::ME);
        // SRR1 asks for HV, PR, no ME, reserved bits: HV and ME are not changed, PR forces
        // EE|IR|DR.
        s.sprs.srr1 = msr::HV | msr::PR | msr::SF | msr::LE | ibm_bit(1) | ibm_bit(42);
        s.sprs.srr0 = 0xc000_0000_0000_1237;
        rfid(&mut s);
        assert_eq!(
            s.msr(),
            msr::SF | msr::ME | msr::PR | msr::EE | msr::IR | msr::DR | msr::LE
        );
        assert_eq!(s.nip, 0xc000_0000_0000_1234);
        // Into 32-bit mode the address is truncated (the OF entry path).
        s.sprs.srr1 = msr::ME | msr::RI;
        s.sprs.srr0 = 0xffff_ffff_0000_010c;
        rfid(&mut s);
        assert_eq!(s.nip, 0x10c);
        assert_eq!(s.msr(), msr::ME | msr::RI);
    }

    #[test]
    fn mtmsrd_forms() {
        // guests/expected/irq.txt: "mtmsrd -1,1 -> 0x800000000280a003", "mtmsrd 0,1 ->
        // 0x8000000002802001".
        let mut s = state(0x8000_0000_0280_2001);
        mtmsrd(&mut s, u64::MAX, true);
        assert_eq!(s.msr(), 0x8000_0000_0280_a003);
        mtmsrd(&mut s, 0, true);
        assert_eq!(s.msr(), 0x8000_0000_0280_2001);
        // L = 0: the FE0|FE1 write of the irq guest.
        mtmsrd(&mut s, 0x8000_0000_0280_2901, false);
        assert_eq!(s.msr(), 0x8000_0000_0280_2901);
        // mtmsr leaves the high word alone.
        mtmsr(&mut s, 0x0000_0000_0000_0001, false);
        assert_eq!(s.msr(), 0x8000_0000_0000_0001);
        mtmsr(&mut s, msr::PR, false);
        assert_eq!(s.msr(), 0x8000_0000_0000_c030);
    }
}
