//! Branch and CR-logical instructions (Power ISA 3.0B Book I 2.4 and 2.5.1).
//!
//! - BO: bit 0 (0x10) ignores the CR bit, bit 1 (0x08) is the value it must have, bit 2
//!   (0x04) leaves CTR alone, bit 3 (0x02) branches on CTR = 0 instead of CTR ≠ 0; bit 4 and
//!   the "at" bits are hints. In 32-bit mode the CTR test looks at the low word only, while
//!   the decrement is on all 64 bits (Book I 2.4).
//! - `bcctr` with BO\[2] = 0 is an invalid form; like POWER9 (and QEMU) papr tests the old
//!   CTR, decrements it only when that test passes, and branches to the old value (the
//!   behaviour Linux's Spectre-v2 count-cache flush relies on).
//! - CFAR (Book III 4.3.3) receives the address of every taken branch.

use papr_isa::{Insn, Opcode};

use super::{Bus, Machine, Res};
use crate::exception::Interrupt;
use crate::state::fscr;

/// A conditional branch whose only defect, for `papr_isa::decode`, is its BO field: the "z"
/// bits (which the ISA says are ignored, Book I 2.4 figure 40) set, or the reserved "at" = 01
/// hint. The processor executes these by BO bits 0:3 alone, as QEMU does (branch guest); the
/// decoder rejects them as objdump does. Returns the branch with the original word.
pub(crate) fn ignored_bo_bits(word: u32) -> Option<Insn> {
    let po = word >> 26;
    if po != 16 && po != 19 {
        return None;
    }
    // BO = 0b10100 (branch always) is valid in every form.
    let canonical = (word & !(0x1f << 21)) | (0x14 << 21);
    let d = papr_isa::decode(canonical);
    matches!(
        d.op,
        Opcode::Bc | Opcode::Bclr | Opcode::Bcctr | Opcode::Bctar
    )
    .then_some(Insn { op: d.op, word })
}

impl<B: Bus> Machine<'_, B> {
    /// Evaluates BO/BI, decrementing CTR if BO says so. Returns whether the branch is taken.
    #[inline]
    fn branch_cond(&mut self, bo: u32, bi: u32) -> bool {
        let ctr_ok = if bo & 0x04 == 0 {
            let ctr = self.cpu.state.ctr.wrapping_sub(1);
            self.cpu.state.ctr = ctr;
            let c = self.cpu.state.mode_ea(ctr);
            (c != 0) ^ (bo & 0x02 != 0)
        } else {
            true
        };
        let cond_ok = bo & 0x10 != 0 || self.cpu.state.cr.bit(bi) == (bo & 0x08 != 0);
        ctr_ok && cond_ok
    }

    #[inline]
    fn take_branch(&mut self, target: u64, lk: bool) {
        let next = self.cpu.state.nip;
        if lk {
            self.cpu.state.lr = next;
        }
        self.cpu.state.sprs.cfar = self.cia;
        self.cpu.state.nip = self.cpu.state.mode_ea(target);
    }

    /// b, bc, bclr, bcctr, bctar.
    #[inline]
    pub(crate) fn exec_branch(&mut self, insn: Insn) -> Res {
        let lk = insn.lk();
        match insn.op {
            Opcode::B => {
                let t = if insn.aa() {
                    insn.li() as u64
                } else {
                    self.cia.wrapping_add(insn.li() as u64)
                };
                self.take_branch(t, lk);
            }
            Opcode::Bc => {
                if self.branch_cond(insn.bo(), insn.bi()) {
                    let t = if insn.aa() {
                        insn.bd() as u64
                    } else {
                        self.cia.wrapping_add(insn.bd() as u64)
                    };
                    self.take_branch(t, lk);
                } else if lk {
                    self.cpu.state.lr = self.cpu.state.nip;
                }
            }
            Opcode::Bclr => {
                let t = self.cpu.state.lr & !3;
                if self.branch_cond(insn.bo(), insn.bi()) {
                    self.take_branch(t, lk);
                } else if lk {
                    self.cpu.state.lr = self.cpu.state.nip;
                }
            }
            Opcode::Bcctr if insn.bo() & 0x04 == 0 => {
                // The invalid "decrement" form: test-and-decrement on the old CTR, which is
                // also the target (POWER9 user manual; QEMU does the same).
                let old = self.cpu.state.ctr;
                let bo = insn.bo();
                let ctr_ok = (self.cpu.state.mode_ea(old) != 0) ^ (bo & 0x02 != 0);
                if ctr_ok {
                    self.cpu.state.ctr = old.wrapping_sub(1);
                }
                let cond_ok =
                    bo & 0x10 != 0 || self.cpu.state.cr.bit(insn.bi()) == (bo & 0x08 != 0);
                if ctr_ok && cond_ok {
                    self.take_branch(old & !3, lk);
                } else if lk {
                    self.cpu.state.lr = self.cpu.state.nip;
                }
            }
            Opcode::Bcctr | Opcode::Bctar => {
                let t = if insn.op == Opcode::Bcctr {
                    self.cpu.state.ctr & !3
                } else {
                    if self.cpu.state.problem_state() && !self.cpu.state.fscr_enabled(fscr::TAR) {
                        return Err(Interrupt::FacilityUnavailable { cause: fscr::TAR }.into());
                    }
                    self.cpu.state.sprs.tar & !3
                };
                if self.branch_cond(insn.bo(), insn.bi()) {
                    self.take_branch(t, lk);
                } else if lk {
                    self.cpu.state.lr = self.cpu.state.nip;
                }
            }
            _ => return Err(super::illegal()),
        }
        Ok(())
    }

    /// CR-logical instructions and mcrf.
    #[inline]
    pub(crate) fn exec_cr(&mut self, insn: Insn) -> Res {
        let cr = &mut self.cpu.state.cr;
        if insn.op == Opcode::Mcrf {
            let f = cr.field(insn.bfa() as u32);
            cr.set_field(insn.bf() as u32, f);
            return Ok(());
        }
        let a = cr.bit(insn.ba());
        let b = cr.bit(insn.bb());
        let v = match insn.op {
            Opcode::Crand => a & b,
            Opcode::Crandc => a & !b,
            Opcode::Creqv => !(a ^ b),
            Opcode::Crnand => !(a & b),
            Opcode::Crnor => !(a | b),
            Opcode::Cror => a | b,
            Opcode::Crorc => a | !b,
            Opcode::Crxor => a ^ b,
            _ => return Err(super::illegal()),
        };
        cr.set_bit(insn.bt(), v);
        Ok(())
    }
}
