//! The half-precision conversions (Power ISA 3.0B Book I 7.6): xscvdphp, xscvhpdp, xvcvhpsp,
//! xvcvsphp. binary16 has 1 sign, 5 exponent and 10 fraction bits.
//!
//! Widening (xscvhpdp, xvcvhpsp) is exact: an SNaN is quieted with VXSNAN. Narrowing
//! (xscvdphp, xvcvsphp) rounds once per FPSCR\[RN] (tininess before rounding, as everywhere
//! in papr); a NaN keeps the top 10 bits of its fraction and is quieted (VXSNAN for an SNaN).
//! The scalar forms set FPRF (of the half result for xscvdphp, of the double for xscvhpdp),
//! FR and FI; the vector forms only the exception bits. With FPSCR\[OE] or FPSCR\[UE] set,
//! xscvdphp delivers the exact value scaled by 2^∓24 (3 · 2^(5−2), Book I 4.4.4/4.4.5 applied
//! to binary16) and rounded; the vector forms never deliver a scaled result.

use papr_isa::{Insn, Opcode};

use super::{is_snan, quiet, Fmt};
use crate::interp::fp::{double_to_single, fpscr as F, Outcome, Target};
use crate::interp::softfloat::quad::{self as q, Format, QExact, QStatus};
use crate::interp::softfloat::{self as sf, Class, Round};
use crate::interp::{Bus, Machine, Res};

/// binary16.
pub(super) const HALF: Format = Format {
    p: 11,
    emin: -14,
    emax: 15,
    ebits: 5,
    alpha: 24,
};

/// A binary16 image as the binary64 image of the same value (exact; NaNs keep their payload
/// in the top fraction bits, so an SNaN stays signalling).
pub(super) fn half_to_double(h: u16) -> u64 {
    let sign = u64::from(h >> 15) << 63;
    let e = u64::from((h >> 10) & 0x1f);
    let f = u64::from(h & 0x3ff);
    match e {
        0x1f => sign | 0x7ff0_0000_0000_0000 | (f << 42),
        0 if f == 0 => sign,
        0 => {
            // f × 2^−24 with f < 2^10: normalise so the leading one is the implicit bit.
            let lz = f.leading_zeros() - 53; // zeros above the leading one in 11 bits (≥ 1)
            let frac = (f << (lz + 42)) & 0x000f_ffff_ffff_ffff;
            let exp = 1023 - 14 - u64::from(lz);
            sign | (exp << 52) | frac
        }
        _ => sign | ((e + 1023 - 15) << 52) | (f << 42),
    }
}

/// A binary64 image rounded to binary16 in `mode` (OE/UE: the enabled-exception scaling):
/// (result image, raised exception bits without XX, rounding status).
pub(super) fn double_to_half(x: u64, mode: Round, oe: bool, ue: bool) -> (u16, u64, QStatus) {
    let sign = u16::from(sf::sign(x)) << 15;
    let none = QStatus::default();
    match sf::class(x) {
        Class::SNaN | Class::QNaN => {
            let raised = if is_snan(x) { F::VXSNAN } else { 0 };
            let payload = ((x >> 42) & 0x3ff) as u16;
            (sign | 0x7c00 | 0x200 | payload, raised, none)
        }
        Class::Inf => (sign | 0x7c00, 0, none),
        Class::Zero => (sign, 0, none),
        Class::Finite => {
            let e = sf::unpack(x);
            let (r, st) = q::round_enabled(
                QExact::new(e.sign, e.mant, e.exp),
                HALF,
                mode.into(),
                oe,
                ue,
            );
            let mut raised = 0;
            if st.overflow {
                raised |= F::OX;
            }
            if st.underflow {
                raised |= F::UX;
            }
            (q::pack(r, HALF) as u16, raised, st)
        }
    }
}

/// FPRF of a binary16 result (Book I 4.4, the class in binary16).
fn fprf_half(h: u16) -> u64 {
    let neg = h & 0x8000 != 0;
    let (e, f) = ((h >> 10) & 0x1f, h & 0x3ff);
    let code: u64 = match (e, f) {
        (0x1f, 0) => {
            if neg {
                0x09
            } else {
                0x05
            }
        }
        (0x1f, _) => 0x11,
        (0, 0) => {
            if neg {
                0x12
            } else {
                0x02
            }
        }
        (0, _) => {
            if neg {
                0x18
            } else {
                0x14
            }
        }
        _ => {
            if neg {
                0x08
            } else {
                0x04
            }
        }
    };
    code << 12
}

impl<B: Bus> Machine<'_, B> {
    /// xscvdphp, xscvhpdp.
    pub(super) fn xs_cvt_half(&mut self, insn: Insn) -> Res {
        let b = self.cpu.state.vsr_dword(insn.xb(), 0);
        let xt = insn.xt();
        if insn.op == Opcode::Xscvhpdp {
            // Halfword 3 of doubleword 0, widened exactly.
            let d = half_to_double(b as u16);
            let out = if is_snan(d) {
                Outcome::Nan(d, true)
            } else {
                Outcome::Value(d, sf::Status::default())
            };
            return self.fp_deliver_to(Target::Vsr(xt), false, out, sf::Prec::Double, true);
        }
        let f0 = self.cpu.state.fpscr;
        let (h, raised, st) = double_to_half(b, self.rounding(), f0 & F::OE != 0, f0 & F::UE != 0);
        if self.fp_round_status(raised, st.inexact, st.rounded_up) {
            // Zero-extended into doubleword 0; doubleword 1 zeroed.
            self.cpu.state.set_vsr_dword(xt, 0, u64::from(h));
            self.cpu.state.set_vsr_dword(xt, 1, 0);
            let f = &mut self.cpu.state.fpscr;
            *f = (*f & !F::FPRF) | fprf_half(h);
        }
        self.fp_interrupt_if_enabled(raised | if st.inexact { F::XX } else { 0 })
    }

    /// xvcvhpsp, xvcvsphp: word i ↔ the low halfword of word i (the high halfword zeroed).
    pub(super) fn xv_cvt_half(&mut self, insn: Insn) -> Res {
        let b = self.cpu.state.vsr[insn.xb()];
        if insn.op == Opcode::Xvcvhpsp {
            return self.vector_op_raw(insn, 4, Fmt::Sp, |i| {
                let d = half_to_double(Fmt::Sp.raw(b, i) as u16);
                if is_snan(d) {
                    (u64::from(double_to_single(quiet(d))), F::VXSNAN)
                } else {
                    (u64::from(double_to_single(d)), 0)
                }
            });
        }
        let mode = self.rounding();
        let ue = self.cpu.state.fpscr & F::UE != 0;
        self.vector_op_raw(insn, 4, Fmt::Sp, |i| {
            let (h, mut raised, st) = double_to_half(Fmt::Sp.get(b, i), mode, false, false);
            if st.inexact {
                raised |= F::XX;
            }
            if st.tiny && ue {
                raised |= F::UX;
            }
            (u64::from(h), raised)
        })
    }
}
