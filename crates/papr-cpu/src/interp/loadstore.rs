//! Fixed-point loads and stores (Power ISA 3.0B Book I 3.3.2–3.3.7): every width with D/DS,
//! X, update and indexed-update forms, sign-extending loads, byte-reversed forms, lq/stq,
//! load/store multiple and the string instructions.
//!
//! - Update forms write the effective address, truncated to 32 bits in 32-bit mode, into RA.
//! - Unaligned accesses are performed (POWER9 handles them in hardware for these
//!   instructions), including across page boundaries.
//! - lmw, stmw, lswi, lswx, stswi and stswx in little-endian mode raise the alignment interrupt
//!   (Book I 3.3.6–3.3.7). The ISA leaves DSISR undefined for it (and DAR for these
//!   instructions); papr leaves DAR unchanged and sets DSISR to the instruction's bits 6:15
//!   (RT and RA), which is what QEMU 7.2 reports (guests README fact 9).
//! - lq/stq need a quadword-aligned address (alignment interrupt, DAR = EA), and in
//!   little-endian mode RTp receives the quadword as a little-endian 128-bit value.

use papr_isa::{Insn, Opcode};

use super::{Bus, Event, EventKind, Machine, Res};
use crate::exception::Interrupt;

impl<B: Bus> Machine<'_, B> {
    /// The alignment interrupt of the multiple/string instructions in little-endian mode.
    pub(crate) fn align_le(&self, insn: Insn) -> Event {
        Event::interrupt(Interrupt::Alignment {
            dar: self.cpu.state.sprs.dar,
            dsisr: (insn.word >> 16) & 0x3ff,
        })
    }

    /// Effective address of a D-form access, and of X-form (RA|0)+RB.
    #[inline]
    fn ea_d(&self, insn: Insn) -> u64 {
        self.ra0(insn.ra()).wrapping_add(insn.d() as u64)
    }
    #[inline]
    fn ea_ds(&self, insn: Insn) -> u64 {
        self.ra0(insn.ra()).wrapping_add(insn.ds() as u64)
    }
    #[inline]
    pub(crate) fn ea_x(&self, insn: Insn) -> u64 {
        self.ra0(insn.ra())
            .wrapping_add(self.cpu.state.gpr[insn.rb()])
    }

    #[inline]
    pub(crate) fn update_ra(&mut self, insn: Insn, ea: u64) {
        self.cpu.state.gpr[insn.ra()] = self.cpu.state.mode_ea(ea);
    }

    /// Loads and stores of GPRs; `None` if `insn` is not one. Always inlined: the hot
    /// dispatch ([`super::hot`]) calls it with a constant opcode and keeps one arm.
    #[inline(always)]
    pub(crate) fn exec_loadstore(&mut self, insn: Insn) -> Option<Res> {
        let r = self.loadstore_insn(insn);
        match r {
            // The "not mine" marker (an hcall can never come from here).
            Err(e) if e.kind() == EventKind::Hypercall => None,
            r => Some(r),
        }
    }

    /// The load or store `insn`; `Err(Event::hypercall())` marks "not a load or store".
    /// Always inlined, so a constant opcode keeps only its arm.
    #[inline(always)]
    fn loadstore_insn(&mut self, insn: Insn) -> Res {
        use Opcode as O;
        let rt = insn.rt();
        match insn.op {
            O::Lbz | O::Lbzu | O::Lbzx | O::Lbzux => {
                let ea = self.ls_ea(insn);
                let v = self.load::<1>(ea)?;
                self.ld_finish(insn, rt, v, ea);
            }
            O::Lhz | O::Lhzu | O::Lhzx | O::Lhzux => {
                let ea = self.ls_ea(insn);
                let v = self.load::<2>(ea)?;
                self.ld_finish(insn, rt, v, ea);
            }
            O::Lha | O::Lhau | O::Lhax | O::Lhaux => {
                let ea = self.ls_ea(insn);
                let v = self.load::<2>(ea)? as u16 as i16 as i64 as u64;
                self.ld_finish(insn, rt, v, ea);
            }
            O::Lwz | O::Lwzu | O::Lwzx | O::Lwzux => {
                let ea = self.ls_ea(insn);
                let v = self.load::<4>(ea)?;
                self.ld_finish(insn, rt, v, ea);
            }
            O::Lwa | O::Lwax | O::Lwaux => {
                let ea = self.ls_ea(insn);
                let v = self.load::<4>(ea)? as u32 as i32 as i64 as u64;
                self.ld_finish(insn, rt, v, ea);
            }
            O::Ld | O::Ldu | O::Ldx | O::Ldux => {
                let ea = self.ls_ea(insn);
                let v = self.load::<8>(ea)?;
                self.ld_finish(insn, rt, v, ea);
            }
            O::Stb | O::Stbu | O::Stbx | O::Stbux => {
                let ea = self.ls_ea(insn);
                self.store::<1>(ea, self.cpu.state.gpr[insn.rs()])?;
                self.st_finish(insn, ea);
            }
            O::Sth | O::Sthu | O::Sthx | O::Sthux => {
                let ea = self.ls_ea(insn);
                self.store::<2>(ea, self.cpu.state.gpr[insn.rs()])?;
                self.st_finish(insn, ea);
            }
            O::Stw | O::Stwu | O::Stwx | O::Stwux => {
                let ea = self.ls_ea(insn);
                self.store::<4>(ea, self.cpu.state.gpr[insn.rs()])?;
                self.st_finish(insn, ea);
            }
            O::Std | O::Stdu | O::Stdx | O::Stdux => {
                let ea = self.ls_ea(insn);
                self.store::<8>(ea, self.cpu.state.gpr[insn.rs()])?;
                self.st_finish(insn, ea);
            }
            O::Lhbrx => {
                let v = self.load_rev::<2>(self.ea_x(insn))?;
                self.cpu.state.gpr[rt] = v;
            }
            O::Lwbrx => {
                let v = self.load_rev::<4>(self.ea_x(insn))?;
                self.cpu.state.gpr[rt] = v;
            }
            O::Ldbrx => {
                let v = self.load_rev::<8>(self.ea_x(insn))?;
                self.cpu.state.gpr[rt] = v;
            }
            O::Sthbrx => {
                self.store_rev::<2>(self.ea_x(insn), self.cpu.state.gpr[insn.rs()])?;
            }
            O::Stwbrx => {
                self.store_rev::<4>(self.ea_x(insn), self.cpu.state.gpr[insn.rs()])?;
            }
            O::Stdbrx => {
                self.store_rev::<8>(self.ea_x(insn), self.cpu.state.gpr[insn.rs()])?;
            }
            O::Lq => {
                let ea = self
                    .cpu
                    .state
                    .mode_ea(self.ra0(insn.ra()).wrapping_add(insn.dq() as u64));
                self.quad_aligned(insn, ea)?;
                let v = self.load128(ea)?;
                let rt = rt & !1;
                self.cpu.state.gpr[rt] = (v >> 64) as u64;
                self.cpu.state.gpr[rt + 1] = v as u64;
            }
            O::Stq => {
                let ea = self.cpu.state.mode_ea(self.ea_ds(insn));
                self.quad_aligned(insn, ea)?;
                let rs = insn.rs() & !1;
                let g = &self.cpu.state.gpr;
                let v = (u128::from(g[rs]) << 64) | u128::from(g[rs + 1]);
                self.store128(ea, v)?;
            }
            O::Lmw => {
                if self.le() {
                    return Err(self.align_le(insn));
                }
                let mut ea = self.ea_d(insn);
                for r in rt..32 {
                    let v = self.load::<4>(ea)?;
                    self.cpu.state.gpr[r] = v;
                    ea = ea.wrapping_add(4);
                }
            }
            O::Stmw => {
                if self.le() {
                    return Err(self.align_le(insn));
                }
                let mut ea = self.ea_d(insn);
                for r in insn.rs()..32 {
                    self.store::<4>(ea, self.cpu.state.gpr[r])?;
                    ea = ea.wrapping_add(4);
                }
            }
            O::Lswi | O::Lswx => {
                if self.le() {
                    return Err(self.align_le(insn));
                }
                let (ea, n) = if insn.op == O::Lswi {
                    let nb = insn.nb();
                    (self.ra0(insn.ra()), if nb == 0 { 32 } else { nb })
                } else {
                    (self.ea_x(insn), self.cpu.state.xer.byte_count())
                };
                self.load_string(rt, ea, n)?;
            }
            O::Stswi | O::Stswx => {
                if self.le() {
                    return Err(self.align_le(insn));
                }
                let (ea, n) = if insn.op == O::Stswi {
                    let nb = insn.nb();
                    (self.ra0(insn.ra()), if nb == 0 { 32 } else { nb })
                } else {
                    (self.ea_x(insn), self.cpu.state.xer.byte_count())
                };
                self.store_string(insn.rs(), ea, n)?;
            }
            _ => return Err(Event::hypercall()),
        }
        Ok(())
    }

    fn quad_aligned(&self, _insn: Insn, ea: u64) -> Res {
        if ea & 15 != 0 {
            return Err(Event::interrupt(Interrupt::Alignment { dar: ea, dsisr: 0 }));
        }
        Ok(())
    }

    /// EA of the D/DS/X forms by opcode.
    #[inline]
    fn ls_ea(&self, insn: Insn) -> u64 {
        use Opcode as O;
        match insn.op {
            O::Lbz
            | O::Lbzu
            | O::Lhz
            | O::Lhzu
            | O::Lha
            | O::Lhau
            | O::Lwz
            | O::Lwzu
            | O::Stb
            | O::Stbu
            | O::Sth
            | O::Sthu
            | O::Stw
            | O::Stwu => self.ea_d(insn),
            O::Ld | O::Ldu | O::Lwa | O::Std | O::Stdu => self.ea_ds(insn),
            _ => self.ea_x(insn),
        }
    }

    #[inline]
    fn is_update(op: Opcode) -> bool {
        use Opcode as O;
        matches!(
            op,
            O::Lbzu
                | O::Lbzux
                | O::Lhzu
                | O::Lhzux
                | O::Lhau
                | O::Lhaux
                | O::Lwzu
                | O::Lwzux
                | O::Lwaux
                | O::Ldu
                | O::Ldux
                | O::Stbu
                | O::Stbux
                | O::Sthu
                | O::Sthux
                | O::Stwu
                | O::Stwux
                | O::Stdu
                | O::Stdux
        )
    }

    #[inline]
    fn ld_finish(&mut self, insn: Insn, rt: usize, v: u64, ea: u64) {
        if Self::is_update(insn.op) {
            self.update_ra(insn, ea);
        }
        self.cpu.state.gpr[rt] = v;
    }

    #[inline]
    fn st_finish(&mut self, insn: Insn, ea: u64) {
        if Self::is_update(insn.op) {
            self.update_ra(insn, ea);
        }
    }

    /// lswi/lswx: `n` bytes into RT, RT+1, ... (wrapping to r0), 4 per register, left
    /// justified, the last register's unused low bytes zeroed.
    fn load_string(&mut self, rt: usize, mut ea: u64, n: u32) -> Res {
        let mut r = rt;
        let mut i = 0;
        let mut acc = 0u64;
        let mut regs: Vec<(usize, u64)> = Vec::new();
        while i < n {
            let byte = self.load::<1>(ea)?;
            acc |= byte << (24 - 8 * (i % 4));
            i += 1;
            ea = ea.wrapping_add(1);
            if i % 4 == 0 || i == n {
                regs.push((r, acc));
                acc = 0;
                r = (r + 1) % 32;
            }
        }
        for (r, v) in regs {
            self.cpu.state.gpr[r] = v;
        }
        Ok(())
    }

    /// stswi/stswx: `n` bytes from RS, RS+1, ... (wrapping), high byte of each word first.
    fn store_string(&mut self, rs: usize, mut ea: u64, n: u32) -> Res {
        let mut r = rs;
        for i in 0..n {
            let byte = self.cpu.state.gpr[r] >> (24 - 8 * (i % 4));
            self.store::<1>(ea, byte)?;
            ea = ea.wrapping_add(1);
            if i % 4 == 3 {
                r = (r + 1) % 32;
            }
        }
        Ok(())
    }
}
