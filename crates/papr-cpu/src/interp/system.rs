//! System instructions (Power ISA 3.0B Book III 4.3–4.4, 5.9.3; Book I 3.3.11 traps): sc and
//! scv, rfid/rfscv, mtmsr(d)/mfmsr, mfspr/mtspr, traps, the SLB instructions.
//!
//! - `sc 0`: system call interrupt (SRR0 = next instruction). `sc 1`: a hypercall, handed to
//!   the caller ([`super::Exit::Hypercall`]); from problem state it does not interrupt and
//!   returns H_PRIVILEGE (−3) in r3, as KVM does. Other LEV values are reserved (illegal).
//! - `scv LEV`: facility unavailable (FSCR\[IC] = 12) unless FSCR\[SCV], in any state.
//! - The hypervisor instructions (hrfid, tlbie, tlbiel, slbieg, slbiag, msgsnd, stop...)
//!   are privileged program interrupts in a guest, like a POWER9 LPAR under KVM.
//! - mtmsrd with MSR\[FE0|FE1] newly set while FPSCR\[FEX] is pending raises nothing (as QEMU
//!   7.2 does; the ISA would take the FP-enabled program interrupt).

use papr_isa::{Insn, Opcode};

use super::{illegal, privileged_instruction, Bus, Event, Machine, Res};
use crate::exception::{Interrupt, ProgramCause};
use crate::state::fscr;

/// H_PRIVILEGE, returned for `sc 1` from problem state.
const H_PRIVILEGE: i64 = -3;

/// Whether a trap with TO condition `to` fires for signed values `a`, `b` (and their unsigned
/// images `ua`, `ub`).
fn trap_fires(to: u32, a: i64, b: i64, ua: u64, ub: u64) -> bool {
    (to & 0x10 != 0 && a < b)
        || (to & 0x08 != 0 && a > b)
        || (to & 0x04 != 0 && a == b)
        || (to & 0x02 != 0 && ua < ub)
        || (to & 0x01 != 0 && ua > ub)
}

impl<B: Bus> Machine<'_, B> {
    /// System instructions; `None` if `insn` is not one.
    pub(crate) fn exec_system(&mut self, insn: Insn) -> Option<Res> {
        use Opcode as O;
        if matches!(
            insn.op,
            O::Mtspr | O::Slbmte | O::Slbie | O::Slbia | O::Slbieg | O::Slbiag
        ) {
            self.drop_fetch_page();
        }
        let r = match insn.op {
            // Transactional memory (Book II 5): papr has none, MSR[TM] stays 0, so every TM
            // instruction takes the facility unavailable interrupt with FSCR[IC] = TM (Book
            // III 7.5.21), after the privilege check of the privileged ones. Linux answers
            // user space with SIGILL, as on a POWER9 partition without TM.
            O::Tbegin
            | O::Tend
            | O::Tabort
            | O::Tabortwc
            | O::Tabortdc
            | O::Tabortwci
            | O::Tabortdci
            | O::Tcheck
            | O::Tsr => Err(tm_unavailable()),
            O::Treclaim | O::Trechkpt => self.privileged().and_then(|()| Err(tm_unavailable())),
            O::Sc => match insn.lev() {
                0 => Err(Event::after(Interrupt::SystemCall)),
                1 => {
                    if self.cpu.state.problem_state() {
                        self.cpu.state.gpr[3] = H_PRIVILEGE as u64;
                        Ok(())
                    } else {
                        Err(Event::hypercall())
                    }
                }
                _ => Err(illegal()),
            },
            O::Scv => {
                if self.cpu.state.fscr_enabled(fscr::SCV) {
                    Err(Event::after(Interrupt::SystemCallVectored {
                        lev: insn.lev() as u8 & 0x7f,
                    }))
                } else {
                    Err(Event::interrupt(Interrupt::FacilityUnavailable {
                        cause: fscr::SCV,
                    }))
                }
            }
            O::Rfid => self.privileged().map(|()| {
                self.cpu.state.sprs.cfar = self.cia;
                self.cpu.rfid();
            }),
            O::Rfscv => self.privileged().map(|()| {
                self.cpu.state.sprs.cfar = self.cia;
                self.cpu.rfscv();
            }),
            O::Hrfid
            | O::Tlbie
            | O::Tlbiel
            | O::Tlbia
            | O::Tlbsync
            | O::Slbieg
            | O::Slbiag
            | O::Msgsnd
            | O::Msgclr
            | O::Msgsndp
            | O::Msgclrp
            | O::Msgsync
            | O::Stop
            | O::Rfebb
            | O::Urfid
            | O::Rfi
            | O::Slbsync => Err(privileged_instruction()),
            O::Mfmsr => self.privileged().map(|()| {
                self.cpu.state.gpr[insn.rt()] = self.cpu.msr();
            }),
            O::Mtmsrd => self.privileged().map(|()| {
                let rs = self.cpu.state.gpr[insn.rs()];
                self.cpu.mtmsrd(rs, insn.l15() & 1 != 0);
            }),
            O::Mtmsr => self.privileged().map(|()| {
                let rs = self.cpu.state.gpr[insn.rs()];
                self.cpu.mtmsr(rs, insn.l15() & 1 != 0);
            }),
            O::Mfspr => match self.cpu.mfspr(insn.spr()) {
                Ok(Some(v)) => {
                    self.cpu.state.gpr[insn.rt()] = v;
                    Ok(())
                }
                Ok(None) => Ok(()),
                Err(f) => Err(Event::interrupt(f.into())),
            },
            O::Mtspr => {
                let v = self.cpu.state.gpr[insn.rs()];
                self.cpu
                    .mtspr(insn.spr(), v)
                    .map_err(|f| Event::interrupt(f.into()))
            }
            O::Tw | O::Twi => {
                let a = self.cpu.state.gpr[insn.ra()] as u32;
                let b = if insn.op == O::Tw {
                    self.cpu.state.gpr[insn.rb()] as u32
                } else {
                    insn.si() as u32
                };
                if trap_fires(
                    insn.to(),
                    i64::from(a as i32),
                    i64::from(b as i32),
                    u64::from(a),
                    u64::from(b),
                ) {
                    Err(Event::interrupt(Interrupt::Program(ProgramCause::Trap)))
                } else {
                    Ok(())
                }
            }
            O::Td | O::Tdi => {
                let a = self.cpu.state.gpr[insn.ra()];
                let b = if insn.op == O::Td {
                    self.cpu.state.gpr[insn.rb()]
                } else {
                    insn.si() as u64
                };
                if trap_fires(insn.to(), a as i64, b as i64, a, b) {
                    Err(Event::interrupt(Interrupt::Program(ProgramCause::Trap)))
                } else {
                    Ok(())
                }
            }
            O::Slbmte => self.privileged().map(|()| {
                let (rs, rb) = (self.cpu.state.gpr[insn.rs()], self.cpu.state.gpr[insn.rb()]);
                self.cpu.slbmte(rs, rb);
            }),
            O::Slbie => self.privileged().map(|()| {
                let rb = self.cpu.state.gpr[insn.rb()];
                self.cpu.slbie(rb);
            }),
            O::Slbia => self.privileged().map(|()| {
                self.cpu.slbia((insn.word >> 21) & 7);
            }),
            O::Slbmfee => self.privileged().map(|()| {
                let rb = self.cpu.state.gpr[insn.rb()];
                self.cpu.state.gpr[insn.rt()] = self.cpu.slbmfee(rb);
            }),
            O::Slbmfev => self.privileged().map(|()| {
                let rb = self.cpu.state.gpr[insn.rb()];
                self.cpu.state.gpr[insn.rt()] = self.cpu.slbmfev(rb);
            }),
            O::Slbfee => self.privileged().map(|()| {
                let rb = self.cpu.state.gpr[insn.rb()];
                let so = u8::from(self.cpu.state.xer.so);
                match self.cpu.slbfee(rb) {
                    Some(v) => {
                        self.cpu.state.gpr[insn.rt()] = v;
                        self.cpu.state.cr.set_field(0, 0b0010 | so);
                    }
                    None => {
                        self.cpu.state.gpr[insn.rt()] = 0;
                        self.cpu.state.cr.set_field(0, so);
                    }
                }
            }),
            O::Wait => Ok(()),
            _ => return None,
        };
        Some(r)
    }
}

/// The facility unavailable interrupt of a TM instruction.
#[cold]
fn tm_unavailable() -> Event {
    Event::interrupt(Interrupt::FacilityUnavailable { cause: fscr::TM })
}
