//! Load-and-reserve / store-conditional, synchronisation and cache management (Power ISA 3.0B
//! Book II 4.3–4.6).
//!
//! **Reservations.** `l[bhwdq]arx` records the real address and length; `st[bhwdq]cx.`
//! succeeds only if a reservation exists for exactly that real address and length (the ISA
//! leaves other combinations undefined; POWER9 and QEMU fail them), and always clears it. Any
//! store by this thread that touches the 128-byte reservation granule clears it too
//! ([`super::Machine::write_real`]), whatever the value, unlike QEMU 7.2, where a store of the
//! same value leaves the reservation in place (guests README fact 2). Stores by the other
//! threads of the partition clear it through the shared [`super::monitor`], whatever the value
//! too. Writes by the hypervisor or a device are caught at stcx. time by comparing the reserved
//! bytes with the larx's (a same-value write by them goes unseen). Both
//! larx and stcx. need an aligned address, otherwise the alignment interrupt is taken with
//! DAR = EA (Book II 4.4.2), the same DSISR rule as the other alignment interrupts.
//! `stqcx.` succeeds when it should (QEMU 7.2's never does, README fact 1).
//!
//! **Cache management.** `dcbz` zeroes the aligned 128-byte block (a store for translation
//! and protection). `dcbst`/`dcbf` translate as loads (they can take a DSI) and do nothing
//! else; `dcbt`/`dcbtst`/`icbt`/`icbi`/`dss*`/`dst*` are no-ops that never fault.

use papr_isa::{Insn, Opcode};

use super::{Bus, Event, Machine, Res, Reservation};
use crate::exception::Interrupt;
use crate::mmu::AccessType;

impl<B: Bus> Machine<'_, B> {
    fn atomic_aligned(&self, insn: Insn, ea: u64, len: u64) -> Res {
        if ea & (len - 1) != 0 {
            return Err(Event::interrupt(Interrupt::Alignment {
                dar: ea,
                dsisr: (insn.word >> 16) & 0x3ff,
            }));
        }
        Ok(())
    }

    fn larx(&mut self, insn: Insn, len: u64) -> Res {
        let ea = self.cpu.state.mode_ea(self.ea_x(insn));
        self.atomic_aligned(insn, ea, len)?;
        let real = self.xlate(ea, AccessType::Load)?;
        let mut b = [0u8; 16];
        let buf = &mut b[..len as usize];
        self.read_real(real, buf)?;
        let le = self.le();
        let rt = insn.rt();
        if len == 16 {
            let v = if le {
                u128::from_le_bytes(b)
            } else {
                u128::from_be_bytes(b)
            };
            let rt = rt & !1;
            self.cpu.state.gpr[rt] = (v >> 64) as u64;
            self.cpu.state.gpr[rt + 1] = v as u64;
        } else {
            let mut v = 0u64;
            for i in 0..len as usize {
                let x = if le { b[len as usize - 1 - i] } else { b[i] };
                v = (v << 8) | u64::from(x);
            }
            self.cpu.state.gpr[rt] = v;
        }
        self.resv = Some(Reservation {
            real,
            len: len as u8,
            bytes: b,
        });
        if let Some(m) = self.monitor {
            m.reserve(real);
        }
        Ok(())
    }

    // Out of line (as is dcbz): their store paths would otherwise widen the frame of the
    // dispatch every non-atomic instruction passes through.
    #[inline(never)]
    fn stcx(&mut self, insn: Insn, len: u64) -> Res {
        let ea = self.cpu.state.mode_ea(self.ea_x(insn));
        self.atomic_aligned(insn, ea, len)?;
        let real = self.xlate(ea, AccessType::Store)?;
        let mut ok = matches!(self.resv, Some(r) if r.real == real && u64::from(r.len) == len);
        if let (true, Some(r)) = (ok, self.resv) {
            let mut now = [0u8; 16];
            self.read_real(real, &mut now[..len as usize])?;
            ok = now == r.bytes && self.monitor.is_none_or(|m| m.holds(real));
        }
        self.drop_resv();
        if ok {
            let rs = insn.rs();
            let le = self.le();
            let g = &self.cpu.state.gpr;
            let mut b = [0u8; 16];
            if len == 16 {
                let rs = rs & !1;
                let v = (u128::from(g[rs]) << 64) | u128::from(g[rs + 1]);
                b = if le { v.to_le_bytes() } else { v.to_be_bytes() };
            } else {
                let v = g[rs];
                let n = len as usize;
                for (i, x) in b[..n].iter_mut().enumerate() {
                    let shift = if le { 8 * i } else { 8 * (n - 1 - i) };
                    *x = (v >> shift) as u8;
                }
            }
            self.write_real(real, &b[..len as usize])?;
        }
        let so = u8::from(self.cpu.state.xer.so);
        self.cpu
            .state
            .cr
            .set_field(0, if ok { 0b0010 } else { 0 } | so);
        Ok(())
    }

    /// dcbz: zeroes the aligned 128-byte block (a store).
    #[inline(never)]
    fn dcbz(&mut self, insn: Insn) -> Res {
        let ea = self.cpu.state.mode_ea(self.ea_x(insn)) & !127;
        let real = self.xlate(ea, AccessType::Store)?;
        self.write_real(real, &[0u8; 128])
    }

    /// Atomics, barriers and cache management; `None` if `insn` is not one.
    pub(crate) fn exec_atomic(&mut self, insn: Insn) -> Option<Res> {
        use Opcode as O;
        let r = match insn.op {
            O::Lbarx => self.larx(insn, 1),
            O::Lharx => self.larx(insn, 2),
            O::Lwarx => self.larx(insn, 4),
            O::Ldarx => self.larx(insn, 8),
            O::Lqarx => self.larx(insn, 16),
            O::Stbcx => self.stcx(insn, 1),
            O::Sthcx => self.stcx(insn, 2),
            O::Stwcx => self.stcx(insn, 4),
            O::Stdcx => self.stcx(insn, 8),
            O::Stqcx => self.stcx(insn, 16),
            O::Sync | O::Isync | O::Eieio => Ok(()),
            O::Dcbz => self.dcbz(insn),
            O::Dcbst | O::Dcbf => {
                let ea = self.cpu.state.mode_ea(self.ea_x(insn));
                self.xlate(ea, AccessType::Load).map(|_| ())
            }
            O::Dcbt
            | O::Dcbtst
            | O::Icbt
            | O::Icbi
            | O::Dss
            | O::Dssall
            | O::Dst
            | O::Dstt
            | O::Dstst
            | O::Dststt => Ok(()),
            _ => return None,
        };
        Some(r)
    }
}
