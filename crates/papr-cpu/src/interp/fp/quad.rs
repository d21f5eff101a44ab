//! The VSX scalar quad-precision instructions (Power ISA 3.0B Book I 7.6: xsaddqp … xsxsigqp,
//! the "VSX Scalar Quad-Precision" operations of 7.6.1.x): IEEE binary128 values in VSR 32 + VR
//! number, arithmetic computed exactly and rounded once ([`crate::interp::softfloat::quad`]) in
//! FPSCR\[RN] or, for the `o` forms (bit 31 = RO), round to odd; conversions to and from
//! binary64 and 64/32-bit integers, round to integral (xsrqpi\[x]) and to 64-bit precision
//! (xsrqpxp), compares, data-class test and the bit-field instructions.
//!
//! FPSCR effects follow each instruction's pseudocode: the exception bits (VXSNAN, VXISI, VXIMZ,
//! VXIDI, VXZDZ, VXSQRT, VXCVI, VXVC, OX, UX, ZX, XX), FR (the rounding increased the magnitude)
//! and FI (inexact), both 0 after an invalid operation; FPRF the class of the result; the
//! compares set FPCC and CR field BF. An enabled invalid-operation or zero-divide exception
//! leaves the target and FPRF alone and raises the FP-enabled program interrupt as the FP
//! instructions do ([`super`]); an enabled overflow (underflow) delivers the result scaled by
//! 2^−24576 (2^24576), 2^∓1536 for xscvqpdp (Book I 4.4.4, 4.4.5). They are VSX instructions:
//! MSR\[VSX] = 0 raises the VSX-unavailable interrupt.
//!
//! Choices where the ISA is silent or leaves a value undefined: ∞ × 0 with a QNaN addend signals
//! VXIMZ as well (as the FP multiply-add does); an exact zero sum is −0 when FPSCR\[RN] is round
//! toward −∞, also for the round-to-odd forms (RO selects the rounding, not the sign rule of the
//! addition); the conversions to integer leave FPRF unchanged; xsrqpi\[x] with R = 0 and the
//! reserved RMC values 01/10 rounds per FPSCR\[RN]; xsrqpi\[x] sets FR to 0.

use papr_isa::insn::bits;
use papr_isa::{Insn, Opcode};

use super::{fprf, fpscr as F, Prec};
use crate::interp::softfloat::quad::{self as q, QClass, QExact, QRound, QStatus, Rounded};
use crate::interp::softfloat::{self as sf, Class, Round};
use crate::interp::{Bus, Machine, Res};

/// The default quad QNaN.
const QNAN: u128 = 0x7fff_8000_0000_0000_0000_0000_0000_0000;
/// binary64's default QNaN, in doubleword 0.
const DNAN_DW0: u128 = 0x7ff8_0000_0000_0000 << 64;

/// What an operation produced.
enum QOut {
    /// A result (VSR image) with the status of its rounding.
    Value(u128, QStatus),
    /// An invalid operation (its VX bits): the default QNaN.
    Invalid(u64),
    /// A NaN operand propagated, already quieted; the VX bits it raises (VXSNAN, VXIMZ).
    Nan(u128, u64),
    /// A finite nonzero divided by zero: ±∞.
    ZeroDivide(u128),
}

/// The format of the result in the target VSR.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dest {
    /// binary128, the whole VSR.
    Quad,
    /// binary64 in doubleword 0, doubleword 1 zero (xscvqpdp).
    Double,
}

/// FPRF of a binary128 result (Book I 4.2.2 "Floating-Point Result Flags").
pub(super) fn fprf_quad(bits: u128) -> u64 {
    let neg = q::sign(bits);
    let code = match (q::class(bits), neg) {
        (QClass::QNaN | QClass::SNaN, _) => 0x11,
        (QClass::Inf, false) => 0x05,
        (QClass::Inf, true) => 0x09,
        (QClass::Zero, false) => 0x02,
        (QClass::Zero, true) => 0x12,
        (QClass::Subnormal, false) => 0x14,
        (QClass::Subnormal, true) => 0x18,
        (QClass::Normal, false) => 0x04,
        (QClass::Normal, true) => 0x08,
    };
    code << 12
}

fn exact(v: u128) -> QOut {
    QOut::Value(v, QStatus::default())
}

fn inf(sign: bool) -> u128 {
    (u128::from(sign) << 127) | (u128::from(q::EXP_MAX) << 112)
}

fn zero(sign: bool) -> u128 {
    u128::from(sign) << 127
}

/// The first NaN of `ops` quieted, and VXSNAN if any operand is signalling.
fn nan_operand(ops: &[u128]) -> Option<(u128, u64)> {
    let snan = ops.iter().any(|&x| q::class(x) == QClass::SNaN);
    ops.iter()
        .find(|&&x| q::is_nan(x))
        .map(|&x| (x | q::QUIET, if snan { F::VXSNAN } else { 0 }))
}

/// A binary64 image as binary128 (exact; a NaN keeps its payload and is not quieted here).
fn double_to_quad(d: u64) -> u128 {
    let s = u128::from(d >> 63) << 127;
    let frac = u128::from(d & 0x000f_ffff_ffff_ffff) << 60;
    match sf::class(d) {
        Class::Zero => s,
        Class::Inf | Class::QNaN | Class::SNaN => s | (u128::from(q::EXP_MAX) << 112) | frac,
        Class::Finite => {
            let (r, _) = q::round(to_qexact(sf::unpack(d)), q::QUAD, QRound::Nearest);
            q::pack_quad(r)
        }
    }
}

fn to_qexact(x: sf::Exact) -> QExact {
    QExact::new(x.sign, x.mant, x.exp)
}

/// The rounding mode of xsrqpi\[x] and xsrqpxp from R (bit 15) and RMC (bits 21:22).
fn r_rmc_mode(insn: Insn, rn: Round) -> QRound {
    match (bits(insn.word, 15, 15), bits(insn.word, 21, 22)) {
        (0, 0) => QRound::NearestAway,
        (1, m) => Round::from_rn(u64::from(m)).into(),
        _ => rn.into(),
    }
}

impl<B: Bus> Machine<'_, B> {
    /// The quad-precision instructions; `None` if `insn` is not one.
    pub(super) fn exec_quad(&mut self, insn: Insn) -> Option<Res> {
        use Opcode as O;
        let op = insn.op;
        let known = matches!(
            op,
            O::Xsaddqp
                | O::Xssubqp
                | O::Xsmulqp
                | O::Xsdivqp
                | O::Xssqrtqp
                | O::Xsmaddqp
                | O::Xsmsubqp
                | O::Xsnmaddqp
                | O::Xsnmsubqp
                | O::Xscvdpqp
                | O::Xscvqpdp
                | O::Xscvqpsdz
                | O::Xscvqpswz
                | O::Xscvqpudz
                | O::Xscvqpuwz
                | O::Xscvsdqp
                | O::Xscvudqp
                | O::Xsrqpi
                | O::Xsrqpxp
                | O::Xscmpuqp
                | O::Xscmpoqp
                | O::Xscmpexpqp
                | O::Xststdcqp
                | O::Xsabsqp
                | O::Xsnabsqp
                | O::Xsnegqp
                | O::Xscpsgnqp
                | O::Xsxexpqp
                | O::Xsxsigqp
                | O::Xsiexpqp
        );
        if !known {
            return None;
        }
        if let Err(e) = self.vsx_check() {
            return Some(Err(e));
        }
        Some(self.exec_quad_inner(insn))
    }

    fn exec_quad_inner(&mut self, insn: Insn) -> Res {
        use Opcode as O;
        let st = &self.cpu.state;
        let (a, b) = (st.vr(insn.vra()), st.vr(insn.vrb()));
        let vrt = insn.vrt();
        let rn = self.rounding();
        // Bit 31 is RO for the arithmetic: round to odd.
        let mode = if insn.rc() { QRound::Odd } else { rn.into() };
        const S: u128 = q::SIGN;
        match insn.op {
            O::Xsaddqp | O::Xssubqp => {
                let b = if insn.op == O::Xssubqp && !q::is_nan(b) {
                    b ^ S
                } else {
                    b
                };
                let out = self.qadd(a, b, mode, rn);
                self.quad_deliver(vrt, out, Dest::Quad)
            }
            O::Xsmulqp => {
                let out = self.qmul(a, b, mode);
                self.quad_deliver(vrt, out, Dest::Quad)
            }
            O::Xsdivqp => {
                let out = self.qdiv(a, b, mode);
                self.quad_deliver(vrt, out, Dest::Quad)
            }
            O::Xssqrtqp => {
                let out = self.qsqrt(b, mode);
                self.quad_deliver(vrt, out, Dest::Quad)
            }
            O::Xsmaddqp | O::Xsmsubqp | O::Xsnmaddqp | O::Xsnmsubqp => {
                let t = self.cpu.state.vr(vrt);
                let sub = matches!(insn.op, O::Xsmsubqp | O::Xsnmsubqp);
                let neg = matches!(insn.op, O::Xsnmaddqp | O::Xsnmsubqp);
                let out = self.qmadd(a, b, t, sub, neg, mode, rn);
                self.quad_deliver(vrt, out, Dest::Quad)
            }
            O::Xscvdpqp => {
                let d = self.cpu.state.vsr_dword(32 + insn.vrb(), 0);
                let v = double_to_quad(d);
                let out = if sf::class(d) == Class::SNaN {
                    QOut::Nan(v | q::QUIET, F::VXSNAN)
                } else {
                    exact(v)
                };
                self.quad_deliver(vrt, out, Dest::Quad)
            }
            O::Xscvqpdp => {
                let out = self.qcvqpdp(b, mode);
                self.quad_deliver(vrt, out, Dest::Double)
            }
            O::Xscvqpsdz => self.qcvt_int(vrt, b, 64, true),
            O::Xscvqpswz => self.qcvt_int(vrt, b, 32, true),
            O::Xscvqpudz => self.qcvt_int(vrt, b, 64, false),
            O::Xscvqpuwz => self.qcvt_int(vrt, b, 32, false),
            O::Xscvsdqp | O::Xscvudqp => {
                let d = self.cpu.state.vsr_dword(32 + insn.vrb(), 0);
                let (sign, mag) = if insn.op == O::Xscvsdqp && (d as i64) < 0 {
                    (true, (d as i64).unsigned_abs())
                } else {
                    (false, d)
                };
                let v = if mag == 0 {
                    0
                } else {
                    let x = QExact::new(sign, u128::from(mag), 0);
                    q::pack_quad(q::round(x, q::QUAD, QRound::Nearest).0)
                };
                self.quad_deliver(vrt, exact(v), Dest::Quad)
            }
            O::Xsrqpi => self.qrqpi(insn, b, r_rmc_mode(insn, rn)),
            O::Xsrqpxp => {
                let out = match q::class(b) {
                    QClass::SNaN => QOut::Nan(b | q::QUIET, F::VXSNAN),
                    QClass::QNaN | QClass::Inf | QClass::Zero => exact(b),
                    QClass::Normal | QClass::Subnormal => {
                        let (r, st) = self.qround(q::unpack(b), q::EXTENDED, r_rmc_mode(insn, rn));
                        QOut::Value(q::pack_quad(r), st)
                    }
                };
                self.quad_deliver(vrt, out, Dest::Quad)
            }
            O::Xscmpuqp | O::Xscmpoqp => {
                let c = quad_compare(a, b);
                let snan = q::class(a) == QClass::SNaN || q::class(b) == QClass::SNaN;
                self.fcmp_result(c, snan, insn.bf() as u32, insn.op == O::Xscmpoqp)
            }
            O::Xscmpexpqp => {
                let c: u8 = if q::is_nan(a) || q::is_nan(b) {
                    0b0001
                } else {
                    match q::biased_exp(a).cmp(&q::biased_exp(b)) {
                        std::cmp::Ordering::Less => 0b1000,
                        std::cmp::Ordering::Greater => 0b0100,
                        std::cmp::Ordering::Equal => 0b0010,
                    }
                };
                self.set_fpcc_cr(c, insn.bf() as u32);
                Ok(())
            }
            O::Xststdcqp => {
                let dcmx = bits(insn.word, 9, 15);
                let neg = q::sign(b);
                let want = match q::class(b) {
                    QClass::QNaN | QClass::SNaN => 0x40,
                    QClass::Inf => 0x20 >> u32::from(neg),
                    QClass::Zero => 0x08 >> u32::from(neg),
                    QClass::Subnormal => 0x02 >> u32::from(neg),
                    QClass::Normal => 0,
                };
                let hit = dcmx & want != 0;
                let c = (u8::from(neg) << 3) | (u8::from(hit) << 1);
                self.set_fpcc_cr(c, insn.bf() as u32);
                Ok(())
            }
            O::Xsabsqp => self.qmove(vrt, b & !S),
            O::Xsnabsqp => self.qmove(vrt, b | S),
            O::Xsnegqp => self.qmove(vrt, b ^ S),
            O::Xscpsgnqp => self.qmove(vrt, (a & S) | (b & !S)),
            O::Xsxexpqp => self.qmove(vrt, u128::from(q::biased_exp(b)) << 64),
            O::Xsxsigqp => {
                let implicit = !matches!(q::biased_exp(b), 0 | q::EXP_MAX);
                self.qmove(vrt, (u128::from(implicit) << 112) | (b & q::FRAC))
            }
            O::Xsiexpqp => {
                let e = u128::from(self.cpu.state.vsr_dword(32 + insn.vrb(), 0) & 0x7fff);
                self.qmove(vrt, (a & S) | (e << 112) | (a & q::FRAC))
            }
            _ => Err(super::super::illegal()),
        }
    }

    fn qmove(&mut self, vrt: usize, v: u128) -> Res {
        self.cpu.state.set_vr(vrt, v);
        Ok(())
    }

    fn set_fpcc_cr(&mut self, c: u8, bf: u32) {
        let f = &mut self.cpu.state.fpscr;
        *f = (*f & !F::FPCC) | (u64::from(c) << 12);
        self.cpu.state.cr.set_field(bf, c);
    }

    /// Rounds to `fmt`, with the enabled overflow/underflow scaling unless in QEMU compat mode.
    fn qround(&self, x: QExact, fmt: q::Format, mode: QRound) -> (Rounded, QStatus) {
        let f = self.cpu.state.fpscr;
        if self.qemu_fp_compat {
            q::round(x, fmt, mode)
        } else {
            q::round_enabled(x, fmt, mode, f & F::OE != 0, f & F::UE != 0)
        }
    }

    fn qvalue(&self, x: QExact, mode: QRound) -> QOut {
        let (r, st) = self.qround(x, q::QUAD, mode);
        QOut::Value(q::pack_quad(r), st)
    }

    /// The status, target, FPRF and interrupt of an arithmetic outcome.
    fn quad_deliver(&mut self, vrt: usize, out: QOut, dest: Dest) -> Res {
        let ue = self.cpu.state.fpscr & F::UE != 0;
        let none = QStatus::default();
        let (v, raised, st) = match out {
            QOut::Value(v, st) => {
                let mut r = 0;
                if st.overflow {
                    r |= F::OX;
                }
                if st.underflow || (st.tiny && ue) {
                    r |= F::UX;
                }
                (v, r, st)
            }
            QOut::Invalid(vx) => {
                let v = if dest == Dest::Double { DNAN_DW0 } else { QNAN };
                (v, vx, none)
            }
            QOut::Nan(v, vx) => (v, vx, none),
            QOut::ZeroDivide(v) => (v, F::ZX, none),
        };
        if self.fp_round_status(raised, st.inexact, st.rounded_up) {
            self.cpu.state.set_vr(vrt, v);
            let class = match dest {
                Dest::Quad => fprf_quad(v),
                Dest::Double => fprf((v >> 64) as u64, Prec::Double),
            };
            let f = &mut self.cpu.state.fpscr;
            *f = (*f & !F::FPRF) | class;
        }
        self.fp_interrupt_if_enabled(raised | if st.inexact { F::XX } else { 0 })
    }

    /// a + b.
    fn qadd(&self, a: u128, b: u128, mode: QRound, rn: Round) -> QOut {
        if let Some((n, vx)) = nan_operand(&[a, b]) {
            return QOut::Nan(n, vx);
        }
        let (sa, sb) = (q::sign(a), q::sign(b));
        match (q::class(a), q::class(b)) {
            (QClass::Inf, QClass::Inf) if sa != sb => QOut::Invalid(F::VXISI),
            (QClass::Inf, _) => exact(a),
            (_, QClass::Inf) => exact(b),
            (QClass::Zero, QClass::Zero) => {
                exact(zero(if sa == sb { sa } else { rn == Round::Down }))
            }
            (QClass::Zero, _) => self.qvalue(q::unpack(b), mode),
            (_, QClass::Zero) => self.qvalue(q::unpack(a), mode),
            _ => match q::add(q::unpack(a), q::unpack(b)) {
                Some(x) => self.qvalue(x, mode),
                None => exact(zero(rn == Round::Down)),
            },
        }
    }

    /// a × b.
    fn qmul(&self, a: u128, b: u128, mode: QRound) -> QOut {
        if let Some((n, vx)) = nan_operand(&[a, b]) {
            return QOut::Nan(n, vx);
        }
        let s = q::sign(a) ^ q::sign(b);
        match (q::class(a), q::class(b)) {
            (QClass::Inf, QClass::Zero) | (QClass::Zero, QClass::Inf) => QOut::Invalid(F::VXIMZ),
            (QClass::Inf, _) | (_, QClass::Inf) => exact(inf(s)),
            (QClass::Zero, _) | (_, QClass::Zero) => exact(zero(s)),
            _ => self.qvalue(q::mul(q::unpack(a), q::unpack(b)), mode),
        }
    }

    /// a ÷ b.
    fn qdiv(&self, a: u128, b: u128, mode: QRound) -> QOut {
        if let Some((n, vx)) = nan_operand(&[a, b]) {
            return QOut::Nan(n, vx);
        }
        let s = q::sign(a) ^ q::sign(b);
        match (q::class(a), q::class(b)) {
            (QClass::Inf, QClass::Inf) => QOut::Invalid(F::VXIDI),
            (QClass::Zero, QClass::Zero) => QOut::Invalid(F::VXZDZ),
            (QClass::Inf, _) => exact(inf(s)),
            (_, QClass::Inf) | (QClass::Zero, _) => exact(zero(s)),
            (_, QClass::Zero) => QOut::ZeroDivide(inf(s)),
            _ => self.qvalue(q::div(q::unpack(a), q::unpack(b)), mode),
        }
    }

    /// √b.
    fn qsqrt(&self, b: u128, mode: QRound) -> QOut {
        if let Some((n, vx)) = nan_operand(&[b]) {
            return QOut::Nan(n, vx);
        }
        match q::class(b) {
            QClass::Zero => exact(b),
            _ if q::sign(b) => QOut::Invalid(F::VXSQRT),
            QClass::Inf => exact(b),
            _ => self.qvalue(q::sqrt(q::unpack(b)), mode),
        }
    }

    /// ±(a × b ± t), rounded before the negation (as fnmadd, Book I 4.6.5.2). NaN operands
    /// are taken in the order a, t, b (the ISA's src1, src2, src3).
    #[allow(clippy::too_many_arguments)] // three operands, two variant flags, two modes
    fn qmadd(
        &self,
        a: u128,
        b: u128,
        t: u128,
        sub: bool,
        neg: bool,
        mode: QRound,
        rn: Round,
    ) -> QOut {
        let (ca, cb) = (q::class(a), q::class(b));
        let imz = matches!(
            (ca, cb),
            (QClass::Inf, QClass::Zero) | (QClass::Zero, QClass::Inf)
        );
        if let Some((n, vx)) = nan_operand(&[a, t, b]) {
            return QOut::Nan(n, vx | if imz { F::VXIMZ } else { 0 });
        }
        let t = if sub { t ^ q::SIGN } else { t };
        let ct = q::class(t);
        let ps = q::sign(a) ^ q::sign(b);
        let out = match (ca, cb) {
            _ if imz => return QOut::Invalid(F::VXIMZ),
            (QClass::Inf, _) | (_, QClass::Inf) => {
                if ct == QClass::Inf && q::sign(t) != ps {
                    return QOut::Invalid(F::VXISI);
                }
                exact(inf(ps))
            }
            _ if ct == QClass::Inf => exact(t),
            (QClass::Zero, _) | (_, QClass::Zero) => {
                if ct == QClass::Zero {
                    let s = if ps == q::sign(t) {
                        ps
                    } else {
                        rn == Round::Down
                    };
                    exact(zero(s))
                } else {
                    self.qvalue(q::unpack(t), mode)
                }
            }
            _ => {
                let p = q::mul(q::unpack(a), q::unpack(b));
                if ct == QClass::Zero {
                    self.qvalue(p, mode)
                } else {
                    match q::add(p, q::unpack(t)) {
                        Some(x) => self.qvalue(x, mode),
                        None => exact(zero(rn == Round::Down)),
                    }
                }
            }
        };
        match out {
            QOut::Value(v, st) if neg => QOut::Value(v ^ q::SIGN, st),
            o => o,
        }
    }

    /// xscvqpdp\[o]: binary128 to binary64 in doubleword 0.
    fn qcvqpdp(&self, b: u128, mode: QRound) -> QOut {
        let s = u64::from(q::sign(b)) << 63;
        let dw0 = |d: u64| u128::from(d) << 64;
        match q::class(b) {
            QClass::QNaN | QClass::SNaN => {
                let frac = ((b & q::FRAC) >> 60) as u64;
                let d = s | 0x7ff8_0000_0000_0000 | frac;
                let vx = if q::class(b) == QClass::SNaN {
                    F::VXSNAN
                } else {
                    0
                };
                if vx == 0 {
                    exact(dw0(d))
                } else {
                    QOut::Nan(dw0(d), vx)
                }
            }
            QClass::Inf => exact(dw0(s | 0x7ff0_0000_0000_0000)),
            QClass::Zero => exact(dw0(s)),
            QClass::Normal | QClass::Subnormal => {
                let (r, st) = self.qround(q::unpack(b), q::DOUBLE, mode);
                QOut::Value(dw0(q::pack(r, q::DOUBLE) as u64), st)
            }
        }
    }

    /// xscvqp\[su]\[dw]z: truncate to a `width`-bit integer in doubleword 0 (the word forms
    /// sign- or zero-extended), saturating with VXCVI.
    fn qcvt_int(&mut self, vrt: usize, b: u128, width: u32, signed: bool) -> Res {
        let (min, max): (i128, i128) = match (width, signed) {
            (32, true) => (i128::from(i32::MIN), i128::from(i32::MAX)),
            (32, false) => (0, i128::from(u32::MAX)),
            (_, true) => (i128::from(i64::MIN), i128::from(i64::MAX)),
            _ => (0, i128::from(u64::MAX)),
        };
        let neg = q::sign(b);
        let saturated = if neg { min } else { max };
        let (val, raised, inexact) = match q::class(b) {
            QClass::SNaN | QClass::QNaN => {
                let snan = if q::class(b) == QClass::SNaN {
                    F::VXSNAN
                } else {
                    0
                };
                (min, F::VXCVI | snan, false)
            }
            QClass::Inf => (saturated, F::VXCVI, false),
            QClass::Zero => (0, 0, false),
            QClass::Normal | QClass::Subnormal => {
                let x = q::unpack(b);
                if x.top() >= 64 {
                    (saturated, F::VXCVI, false)
                } else {
                    let (r, inexact, _) = q::round_to_integer(x, QRound::Zero);
                    let mag = r.map_or(0, |r| r.mant.lo << r.exp) as i128;
                    let v = if neg { -mag } else { mag };
                    if v < min || v > max {
                        (saturated, F::VXCVI, false)
                    } else {
                        (v, 0, inexact)
                    }
                }
            }
        };
        if self.fp_round_status(raised, inexact, false) {
            let d = match width {
                32 if signed => val as i32 as i64 as u64,
                32 => val as u64 & 0xffff_ffff,
                _ => val as u64,
            };
            self.cpu.state.set_vr(vrt, u128::from(d) << 64);
        }
        self.fp_interrupt_if_enabled(raised | if inexact { F::XX } else { 0 })
    }

    /// xsrqpi\[x]: round to an integral value; XX and FI only for the x form (EX = bit 31).
    fn qrqpi(&mut self, insn: Insn, b: u128, mode: QRound) -> Res {
        let ex = insn.rc();
        let (out, inexact) = match q::class(b) {
            QClass::SNaN => (QOut::Nan(b | q::QUIET, F::VXSNAN), false),
            QClass::QNaN | QClass::Inf | QClass::Zero => (exact(b), false),
            QClass::Normal | QClass::Subnormal => {
                let (r, inexact, _) = q::round_to_integer(q::unpack(b), mode);
                let v = match r {
                    None => zero(q::sign(b)),
                    Some(x) => q::pack_quad(q::round(x, q::QUAD, QRound::Nearest).0),
                };
                (exact(v), inexact)
            }
        };
        let out = match out {
            QOut::Value(v, _) => QOut::Value(
                v,
                QStatus {
                    inexact: inexact && ex,
                    ..QStatus::default()
                },
            ),
            o => o,
        };
        self.quad_deliver(insn.vrt(), out, Dest::Quad)
    }
}

/// The FL/FG/FE/FU code of comparing two binary128 values.
fn quad_compare(a: u128, b: u128) -> u8 {
    if q::is_nan(a) || q::is_nan(b) {
        return 0b0001;
    }
    // Sign-magnitude to a total order of the non-NaN values (both zeros map to 0).
    let key = |x: u128| {
        let m = (x & !q::SIGN) as i128;
        if q::sign(x) {
            -m
        } else {
            m
        }
    };
    match key(a).cmp(&key(b)) {
        std::cmp::Ordering::Less => 0b1000,
        std::cmp::Ordering::Greater => 0b0100,
        std::cmp::Ordering::Equal => 0b0010,
    }
}
