//! mfspr/mtspr: which SPR number reaches which register, in which state.
//!
//! Power ISA 3.0B, Book III 4.4.4 ("Move To/From System Register Instructions") with the SPR
//! table of Book III 4.4.4 figure "SPR encodings", FSCR (4.5.1), AMR/IAMR/UAMOR/AMOR (5.7.9.3)
//! and PPR (Book II 3.2). `spr` is the SPR *number* (the decoder has already swapped the two
//! 5-bit halves of the instruction field).
//!
//! The rules, in order, for a guest (MSR\[HV] = 0, LPCR\[EVIRT] = 0 as KVM runs it):
//!
//! 1. A hypervisor-privileged SPR (LPCR, HSRR0/1, HDEC, SDR1, TB writes, PURR/SPURR/VTB
//!    writes, …) in any state: privileged-instruction program interrupt (SRR1 0x40000).
//! 2. Problem state and bit 0x10 of the SPR number set (the ISA's spr\[0] = 1, "privileged"
//!    numbers): privileged-instruction program interrupt.
//! 3. A defined SPR: the access, after the problem-state facility checks (FSCR\[DSCR] for SPR
//!    3, FSCR\[TAR], FSCR\[EBB], MMCR0\[PMCC] for the problem-state PMU numbers) which raise a
//!    facility unavailable interrupt with the FSCR cause. Writing a read-only SPR that exists
//!    (PVR, PIR) is a privileged-instruction program interrupt, as QEMU does.
//! 4. An SPR number not defined for this direction: SPRs 0, 4, 5 and 6 give an illegal
//!    instruction program interrupt; any other gives one in problem state and is a **no-op**
//!    (mfspr leaves RT unchanged) in privileged state. This is what a KVM guest sees on POWER9:
//!    with LPCR\[EVIRT] = 0 the hardware treats privileged accesses to undefined SPRs as no-ops
//!    except for SPRs 0 and 4–6, and problem-state ones reach KVM as a hypervisor emulation
//!    assistance interrupt, which it reflects as an illegal-instruction program interrupt.
//!
//! 32-bit registers (DSISR, CTRL, PSPB, VRSAVE, the PMCs) keep the low word of what is
//! written and read back zero-extended. See docs/CPU.md for where QEMU 7.2 differs.

use crate::cpu::Cpu;
use crate::exception::{Interrupt, ProgramCause};
use crate::state::{fscr, low_word};

/// SPR numbers.
#[allow(missing_docs)]
pub mod sprn {
    pub const XER: u32 = 1;
    pub const DSCR_USER: u32 = 3;
    pub const LR: u32 = 8;
    pub const CTR: u32 = 9;
    pub const AMR_USER: u32 = 13;
    pub const DSCR: u32 = 17;
    pub const DSISR: u32 = 18;
    pub const DAR: u32 = 19;
    pub const DEC: u32 = 22;
    pub const SRR0: u32 = 26;
    pub const SRR1: u32 = 27;
    pub const CFAR: u32 = 28;
    pub const AMR: u32 = 29;
    pub const PIDR: u32 = 48;
    pub const IAMR: u32 = 61;
    pub const CTRL_READ: u32 = 136;
    pub const TIDR: u32 = 144;
    pub const CTRL_WRITE: u32 = 152;
    pub const FSCR: u32 = 153;
    pub const UAMOR: u32 = 157;
    pub const PSPB: u32 = 159;
    pub const VRSAVE: u32 = 256;
    pub const SPRG3_USER: u32 = 259;
    pub const TB: u32 = 268;
    pub const TBU: u32 = 269;
    pub const SPRG0: u32 = 272;
    pub const SPRG3: u32 = 275;
    pub const PVR: u32 = 287;
    pub const SPURR: u32 = 308;
    pub const PURR: u32 = 309;
    pub const LPCR: u32 = 318;
    pub const SIER_USER: u32 = 768;
    pub const MMCR2_USER: u32 = 769;
    pub const MMCRA_USER: u32 = 770;
    pub const PMC1_USER: u32 = 771;
    pub const PMC6_USER: u32 = 776;
    pub const MMCR0_USER: u32 = 779;
    pub const SIAR_USER: u32 = 780;
    pub const SDAR_USER: u32 = 781;
    pub const MMCR1_USER: u32 = 782;
    pub const SIER: u32 = 784;
    pub const MMCR2: u32 = 785;
    pub const MMCRA: u32 = 786;
    pub const PMC1: u32 = 787;
    pub const PMC6: u32 = 792;
    pub const MMCR0: u32 = 795;
    pub const SIAR: u32 = 796;
    pub const SDAR: u32 = 797;
    pub const MMCR1: u32 = 798;
    pub const EBBHR: u32 = 804;
    pub const EBBRR: u32 = 805;
    pub const BESCR: u32 = 806;
    pub const TAR: u32 = 815;
    pub const VTB: u32 = 849;
    pub const TRIG0: u32 = 880;
    pub const TRIG2: u32 = 882;
    pub const PPR: u32 = 896;
    pub const PPR32: u32 = 898;
    pub const PIR: u32 = 1023;
}

/// Hypervisor-privileged SPR numbers a guest might name: SDR1, TBL/TBU/TBU40 (write), HSPRG0/1,
/// HDSISR, HDAR, SPURR/PURR (write), HDEC, HRMOR, HSRR0/1, MMCRH, TFMR, LPCR, LPIDR, HMER,
/// HMEER, PCR, HEIR, AMOR, DPDES, DHDES, DAWR0/1, RPR, CIABR, DAWRX0/1, HFSCR, PTCR, URMOR,
/// SMFCTRL, ASDR, VTB (write), LDBAR, PSSCR (hypervisor number), HID0.
fn hypervisor_spr(spr: u32, write: bool) -> bool {
    match spr {
        25
        | 176
        | 177
        | 180
        | 181
        | 186..=189
        | 190
        | 304..=307
        | 310
        | 313..=319
        | 336..=339
        | 349
        | 464
        | 505
        | 511
        | 816
        | 850
        | 855
        | 1008 => true,
        // Writable only by the hypervisor, readable by the OS.
        284..=286 | sprn::SPURR | sprn::PURR | sprn::VTB => write,
        _ => false,
    }
}

/// Why an mfspr/mtspr did not complete: the interrupt to take (SRR0 = the instruction).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SprFault {
    /// Illegal-instruction program interrupt.
    Illegal,
    /// Privileged-instruction program interrupt.
    Privileged,
    /// Facility unavailable interrupt with this FSCR cause.
    FacilityUnavailable(u8),
}

impl From<SprFault> for Interrupt {
    fn from(f: SprFault) -> Self {
        match f {
            SprFault::Illegal => Interrupt::Program(ProgramCause::Illegal),
            SprFault::Privileged => Interrupt::Program(ProgramCause::Privileged),
            SprFault::FacilityUnavailable(cause) => Interrupt::FacilityUnavailable { cause },
        }
    }
}

/// MMCR0\[PMCC], bits 44:45: problem-state access to the PMU registers when non-zero.
const MMCR0_PMCC: u64 = 0x3 << (63 - 45);

impl Cpu {
    /// Common privilege checks; `Ok(())` means "go on and look the number up".
    fn spr_access_check(&self, spr: u32, write: bool) -> Result<(), SprFault> {
        if hypervisor_spr(spr, write) {
            return Err(SprFault::Privileged);
        }
        if self.state.problem_state() && spr & 0x10 != 0 {
            return Err(SprFault::Privileged);
        }
        Ok(())
    }

    /// Problem-state facility check for `facility` (an FSCR cause number).
    fn fscr_check(&self, facility: u8) -> Result<(), SprFault> {
        if self.state.problem_state() && !self.state.fscr_enabled(facility) {
            Err(SprFault::FacilityUnavailable(facility))
        } else {
            Ok(())
        }
    }

    /// Problem-state PMU check (MMCR0\[PMCC] = 0 hides the PMU from problem state).
    fn pmu_check(&self) -> Result<(), SprFault> {
        if self.state.problem_state() && self.state.sprs.pmu.mmcr0 & MMCR0_PMCC == 0 {
            Err(SprFault::FacilityUnavailable(fscr::PM))
        } else {
            Ok(())
        }
    }

    /// The rule for a number that names nothing in this direction.
    fn undefined_spr(&self, spr: u32) -> Result<(), SprFault> {
        if matches!(spr, 0 | 4 | 5 | 6) || self.state.problem_state() {
            Err(SprFault::Illegal)
        } else {
            Ok(())
        }
    }

    /// mfspr RT, SPR: `Ok(Some(value))` to write RT, `Ok(None)` for a no-op (RT unchanged).
    pub fn mfspr(&mut self, spr: u32) -> Result<Option<u64>, SprFault> {
        let spr = spr & 0x3ff;
        self.spr_access_check(spr, false)?;
        let s = &self.state.sprs;
        let v = match spr {
            sprn::XER => self.state.xer.value(),
            sprn::DSCR_USER => {
                self.fscr_check(fscr::DSCR)?;
                s.dscr
            }
            sprn::LR => self.state.lr,
            sprn::CTR => self.state.ctr,
            sprn::AMR_USER | sprn::AMR => s.amr,
            sprn::DSCR => s.dscr,
            sprn::DSISR => u64::from(s.dsisr),
            sprn::DAR => s.dar,
            sprn::DEC => self.timebase.read_dec(self.lpcr().ld),
            sprn::SRR0 => s.srr0,
            sprn::SRR1 => s.srr1,
            sprn::CFAR => s.cfar,
            sprn::PIDR => s.pidr,
            sprn::IAMR => s.iamr,
            sprn::CTRL_READ => u64::from(s.ctrl),
            sprn::TIDR => s.tidr,
            sprn::FSCR => s.fscr,
            sprn::UAMOR => s.uamor,
            sprn::PSPB => u64::from(s.pspb),
            sprn::VRSAVE => u64::from(self.state.vrsave),
            sprn::SPRG3_USER => s.sprg[3],
            sprn::TB => self.timebase.tb(),
            sprn::TBU => self.timebase.tb() >> 32,
            sprn::SPRG0..=sprn::SPRG3 => s.sprg[(spr - sprn::SPRG0) as usize],
            sprn::PVR => s.pvr,
            sprn::SPURR => self.timebase.spurr(),
            sprn::PURR => self.timebase.purr(),
            sprn::SIER_USER..=sprn::MMCR1_USER => {
                self.pmu_check()?;
                match self.pmu_read(spr + (sprn::SIER - sprn::SIER_USER)) {
                    Some(v) => v,
                    None => return self.undefined_spr(spr).map(|()| None),
                }
            }
            sprn::SIER..=sprn::MMCR1 => match self.pmu_read(spr) {
                Some(v) => v,
                None => return self.undefined_spr(spr).map(|()| None),
            },
            sprn::EBBHR | sprn::EBBRR | sprn::BESCR => {
                self.fscr_check(fscr::EBB)?;
                match spr {
                    sprn::EBBHR => s.ebbhr,
                    sprn::EBBRR => s.ebbrr,
                    _ => s.bescr,
                }
            }
            sprn::TAR => {
                self.fscr_check(fscr::TAR)?;
                s.tar
            }
            sprn::VTB => self.timebase.vtb(),
            sprn::PPR => s.ppr,
            sprn::PPR32 => s.ppr >> 32,
            sprn::PIR => s.pir,
            _ => return self.undefined_spr(spr).map(|()| None),
        };
        Ok(Some(v))
    }

    fn pmu_read(&self, spr: u32) -> Option<u64> {
        let p = &self.state.sprs.pmu;
        Some(match spr {
            sprn::SIER => p.sier,
            sprn::MMCR2 => p.mmcr2,
            sprn::MMCRA => p.mmcra,
            sprn::PMC1..=sprn::PMC6 => u64::from(p.pmc[(spr - sprn::PMC1) as usize]),
            sprn::MMCR0 => p.mmcr0,
            sprn::SIAR => p.siar,
            sprn::SDAR => p.sdar,
            sprn::MMCR1 => p.mmcr1,
            _ => return None,
        })
    }

    fn pmu_write(&mut self, spr: u32, value: u64) -> bool {
        let p = &mut self.state.sprs.pmu;
        match spr {
            sprn::SIER => p.sier = value,
            sprn::MMCR2 => p.mmcr2 = value,
            sprn::MMCRA => p.mmcra = value,
            sprn::PMC1..=sprn::PMC6 => p.pmc[(spr - sprn::PMC1) as usize] = low_word(value),
            sprn::MMCR0 => p.mmcr0 = value,
            sprn::SIAR => p.siar = value,
            sprn::SDAR => p.sdar = value,
            sprn::MMCR1 => p.mmcr1 = value,
            _ => return false,
        }
        true
    }

    /// mtspr SPR, RS. A no-op write returns `Ok(())` too.
    pub fn mtspr(&mut self, spr: u32, value: u64) -> Result<(), SprFault> {
        let spr = spr & 0x3ff;
        self.spr_access_check(spr, true)?;
        let problem = self.state.problem_state();
        match spr {
            sprn::XER => self.state.xer.set(value),
            sprn::DSCR_USER => {
                self.fscr_check(fscr::DSCR)?;
                self.state.sprs.dscr = value;
            }
            sprn::LR => self.state.lr = value,
            sprn::CTR => self.state.ctr = value,
            sprn::AMR_USER | sprn::AMR => {
                // Problem state may change only the keys UAMOR allows, the OS those AMOR
                // allows (5.7.9.3).
                let s = &mut self.state.sprs;
                let mask = if problem { s.uamor } else { s.amor };
                s.amr = (value & mask) | (s.amr & !mask);
                self.flush_tlb();
            }
            sprn::DSCR => self.state.sprs.dscr = value,
            sprn::DSISR => self.state.sprs.dsisr = low_word(value),
            sprn::DAR => self.state.sprs.dar = value,
            sprn::DEC => {
                let large = self.lpcr().ld;
                self.timebase.write_dec(value, large);
            }
            sprn::SRR0 => self.state.sprs.srr0 = value,
            sprn::SRR1 => self.state.sprs.srr1 = value,
            sprn::CFAR => self.state.sprs.cfar = value,
            sprn::PIDR => self.state.sprs.pidr = value,
            sprn::IAMR => {
                let s = &mut self.state.sprs;
                s.iamr = (value & s.amor) | (s.iamr & !s.amor);
                self.flush_tlb();
            }
            sprn::TIDR => self.state.sprs.tidr = value,
            sprn::CTRL_WRITE => self.state.sprs.ctrl = low_word(value),
            sprn::FSCR => self.state.sprs.fscr = value,
            sprn::UAMOR => {
                let s = &mut self.state.sprs;
                s.uamor = value & s.amor;
            }
            sprn::PSPB => self.state.sprs.pspb = low_word(value),
            sprn::VRSAVE => self.state.vrsave = low_word(value),
            sprn::SPRG0..=sprn::SPRG3 => self.state.sprs.sprg[(spr - sprn::SPRG0) as usize] = value,
            sprn::PVR | sprn::PIR => return Err(SprFault::Privileged),
            sprn::SIER_USER..=sprn::MMCR1_USER => {
                self.pmu_check()?;
                if !self.pmu_write(spr + (sprn::SIER - sprn::SIER_USER), value) {
                    return self.undefined_spr(spr);
                }
            }
            sprn::SIER..=sprn::MMCR1 => {
                if !self.pmu_write(spr, value) {
                    return self.undefined_spr(spr);
                }
            }
            sprn::EBBHR | sprn::EBBRR | sprn::BESCR => {
                self.fscr_check(fscr::EBB)?;
                let s = &mut self.state.sprs;
                match spr {
                    sprn::EBBHR => s.ebbhr = value,
                    sprn::EBBRR => s.ebbrr = value,
                    _ => s.bescr = value,
                }
            }
            sprn::TAR => {
                self.fscr_check(fscr::TAR)?;
                self.state.sprs.tar = value;
            }
            // Trigger registers: accepted and ignored (Linux writes TRIG2 for the count-cache
            // flush workaround the characteristics hcall asks for).
            sprn::TRIG0..=sprn::TRIG2 => {}
            sprn::PPR => self.state.sprs.ppr = value,
            sprn::PPR32 => {
                let s = &mut self.state.sprs;
                s.ppr = (value << 32) | (s.ppr & 0xffff_ffff);
            }
            _ => return self.undefined_spr(spr),
        }
        Ok(())
    }

    /// The priority-setting no-ops (`or 31,31,31` … `or 7,7,7`, Book II 3.2): sets
    /// PPR\[PRI] to `priority` (1 very low … 7 very high) if the current state may: problem
    /// state 2–4, privileged state 1–6; otherwise PPR is unchanged.
    pub fn set_program_priority(&mut self, priority: u8) {
        let allowed = if self.state.problem_state() {
            (2..=4).contains(&priority)
        } else {
            (1..=6).contains(&priority)
        };
        if allowed {
            let s = &mut self.state.sprs;
            s.ppr = (s.ppr & !crate::state::PPR_PRI) | (u64::from(priority) << (63 - 13));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::CpuConfig;
    use crate::hpt::PartitionEntry;
    use crate::irq_line::InterruptLine;
    use crate::state::msr;
    use std::sync::Arc;

    fn cpu(msr_value: u64) -> Cpu {
        let mut c = Cpu::new(
            CpuConfig::default(),
            Arc::new(PartitionEntry::new()),
            Arc::new(InterruptLine::new()),
        );
        c.set_msr(msr_value);
        c
    }

    const SUP: u64 = 0x8000_0000_0000_0001; // SF|LE
    const USER: u64 = 0x8000_0000_0000_c031; // SF|EE|PR|IR|DR|LE

    #[test]
    fn plain_storage_round_trips() {
        // The spr guest's list: writing -1 reads back -1.
        let mut c = cpu(SUP);
        for spr in [
            17, 29, 61, 157, 19, 26, 27, 28, 144, 272, 273, 274, 275, 896, 815, 804, 805, 806, 785,
            786, 796, 797, 8, 9,
        ] {
            c.mtspr(spr, u64::MAX).unwrap();
            assert_eq!(c.mfspr(spr), Ok(Some(u64::MAX)), "spr {spr}");
            c.mtspr(spr, 0x1234_5678_9abc_def0).unwrap();
            assert_eq!(c.mfspr(spr), Ok(Some(0x1234_5678_9abc_def0)), "spr {spr}");
        }
        // SPRG3 through its user number.
        assert_eq!(c.mfspr(259), Ok(Some(0x1234_5678_9abc_def0)));
    }

    #[test]
    fn thirty_two_bit_registers_are_truncated() {
        let mut c = cpu(SUP);
        for (w, r) in [(18, 18), (152, 136), (159, 159), (256, 256), (787, 787)] {
            c.mtspr(w, u64::MAX).unwrap();
            assert_eq!(c.mfspr(r), Ok(Some(0xffff_ffff)), "spr {w}");
        }
        // XER keeps its low word.
        c.mtspr(1, u64::MAX).unwrap();
        assert_eq!(c.mfspr(1), Ok(Some(0xffff_ffff)));
    }

    #[test]
    fn problem_state_gets_privileged_for_spr0_numbers() {
        let mut c = cpu(USER);
        // DSISR 18, SRR0 26, DEC 22, undefined 1022: all have bit 0x10 set.
        for spr in [18, 22, 26, 1022, 287] {
            assert_eq!(c.mfspr(spr), Err(SprFault::Privileged), "spr {spr}");
            assert_eq!(c.mtspr(spr, 0), Err(SprFault::Privileged), "spr {spr}");
        }
        // Problem-state numbers work.
        c.mtspr(256, 7).unwrap();
        assert_eq!(c.mfspr(256), Ok(Some(7)));
        assert!(c.mfspr(268).unwrap().is_some());
        // An undefined number without bit 0x10 is illegal.
        assert_eq!(c.mfspr(2), Err(SprFault::Illegal));
        assert_eq!(c.mtspr(268, 0), Err(SprFault::Illegal)); // TB is not writable via 268
    }

    #[test]
    fn supervisor_undefined_is_a_no_op_except_0_4_5_6() {
        let mut c = cpu(SUP);
        assert_eq!(c.mfspr(1022), Ok(None));
        assert_eq!(c.mtspr(1022, 5), Ok(()));
        assert_eq!(c.mtspr(268, 5), Ok(())); // TB via its read number
        for spr in [0, 4, 5, 6] {
            assert_eq!(c.mfspr(spr), Err(SprFault::Illegal));
            assert_eq!(c.mtspr(spr, 0), Err(SprFault::Illegal));
        }
    }

    #[test]
    fn hypervisor_sprs_are_privileged_for_the_guest() {
        let mut c = cpu(SUP);
        for spr in [318, 315, 314, 310, 25, 1008, 349, 464] {
            assert_eq!(c.mfspr(spr), Err(SprFault::Privileged), "spr {spr}");
            assert_eq!(c.mtspr(spr, 0), Err(SprFault::Privileged), "spr {spr}");
        }
        // Readable by the OS, writable only by the hypervisor.
        for spr in [308, 309, 849] {
            assert!(c.mfspr(spr).unwrap().is_some());
            assert_eq!(c.mtspr(spr, 0), Err(SprFault::Privileged));
        }
        assert_eq!(c.mtspr(284, 0), Err(SprFault::Privileged)); // TBL
        assert_eq!(c.mtspr(287, 0), Err(SprFault::Privileged)); // PVR
        assert_eq!(c.mtspr(1023, 0), Err(SprFault::Privileged)); // PIR
        assert_eq!(c.mfspr(287), Ok(Some(0x004e_1200)));
        assert_eq!(c.mfspr(1023), Ok(Some(0)));
        assert_eq!(
            Interrupt::from(SprFault::Privileged),
            Interrupt::Program(ProgramCause::Privileged)
        );
    }

    #[test]
    fn facility_checks_in_problem_state() {
        let mut c = cpu(USER);
        assert_eq!(c.mfspr(815), Err(SprFault::FacilityUnavailable(8)));
        assert_eq!(c.mtspr(804, 0), Err(SprFault::FacilityUnavailable(7)));
        assert_eq!(c.mfspr(3), Err(SprFault::FacilityUnavailable(2)));
        assert_eq!(c.mfspr(779), Err(SprFault::FacilityUnavailable(3)));
        // FSCR[TAR] is bit 55 (1 << 8), FSCR[EBB] bit 56, FSCR[DSCR] bit 61.
        c.state.sprs.fscr = (1 << 8) | (1 << 7) | (1 << 2);
        c.mtspr(815, 0x40).unwrap();
        assert_eq!(c.mfspr(815), Ok(Some(0x40)));
        assert!(c.mtspr(804, 0).is_ok());
        assert!(c.mfspr(3).is_ok());
        // Privileged state ignores FSCR.
        let mut c = cpu(SUP);
        assert!(c.mfspr(815).is_ok());
        assert!(c.mfspr(779).is_ok());
    }

    #[test]
    fn amr_writes_are_masked() {
        let mut c = cpu(SUP);
        c.mtspr(157, 0xf000_0000_0000_0000).unwrap(); // UAMOR: keys 0 and 1
        c.mtspr(29, 0x0000_0000_0000_00ff).unwrap(); // AMOR is all ones: full write
        assert_eq!(c.mfspr(13), Ok(Some(0xff)));
        c.set_msr(USER);
        c.mtspr(13, u64::MAX).unwrap();
        assert_eq!(c.mfspr(13), Ok(Some(0xf000_0000_0000_00ff)));
    }

    #[test]
    fn dec_and_timebase_numbers() {
        let mut c = cpu(SUP);
        c.mtspr(22, 1000).unwrap();
        assert_eq!(c.mfspr(22), Ok(Some(1000)));
        c.mtspr(22, u64::MAX).unwrap();
        assert_eq!(c.mfspr(22), Ok(Some(u64::MAX)));
        c.timebase.retire(1 << 40);
        let tb = c.mfspr(268).unwrap().unwrap();
        assert_eq!(c.mfspr(269), Ok(Some(tb >> 32)));
        assert!(tb > 0);
    }

    #[test]
    fn ppr32_and_priority_nops() {
        let mut c = cpu(SUP);
        c.mtspr(896, 0x1234_5678_9abc_def0).unwrap();
        assert_eq!(c.mfspr(898), Ok(Some(0x1234_5678)));
        c.mtspr(898, 0x0008_0000).unwrap();
        assert_eq!(c.mfspr(896), Ok(Some(0x0008_0000_9abc_def0)));
        // The spr guest: PPR 0x123456789abcdef0, `or 31,31,31` (priority 1) gives
        // 0x122456789abcdef0, priority 7 is ignored in privileged state.
        c.mtspr(896, 0x1234_5678_9abc_def0).unwrap();
        c.set_program_priority(1);
        assert_eq!(c.state.sprs.ppr, 0x1224_5678_9abc_def0);
        c.set_program_priority(6);
        assert_eq!(c.state.sprs.ppr, 0x1238_5678_9abc_def0);
        c.set_program_priority(7);
        assert_eq!(c.state.sprs.ppr, 0x1238_5678_9abc_def0);
        c.set_msr(USER | msr::PR);
        c.set_program_priority(5);
        assert_eq!(c.state.sprs.ppr, 0x1238_5678_9abc_def0);
        c.set_program_priority(3);
        assert_eq!(c.state.sprs.ppr, 0x122c_5678_9abc_def0);
    }
}
