//! The quad-precision instructions, executed by the interpreter, against an independent
//! reference model: exact rational arithmetic on big integers (`num-bigint`) computing the
//! exact result of each operation, rounded to binary128 (binary64 for xscvqpdp) per mode by
//! comparing the remainder with half a unit in the last place, and the FPSCR bits the ISA
//! derives from it (Book I 4.3.6 rounding, 4.4 exceptions, 7.6 each instruction): FR = the
//! rounded magnitude exceeds the exact one, FI/XX = inexact, OX/UX (tininess before rounding),
//! the VX* bits, FPRF. Nothing here calls the implementation's arithmetic.

use std::cmp::Ordering;

use num_bigint::{BigInt, BigUint, Sign};
use papr_isa::{decode, Opcode};
use proptest::prelude::*;

use super::vsx_scalar_tests::one_insn;
use crate::interp::Interpreter;
use crate::state::msr;
use crate::Cpu;

// ---------------------------------------------------------------------------------------------
// The reference model.

pub(super) const FX: u64 = 1 << 31;
pub(super) const FEX: u64 = 1 << 30;
pub(super) const VX: u64 = 1 << 29;
pub(super) const OX: u64 = 1 << 28;
pub(super) const UX: u64 = 1 << 27;
pub(super) const ZX: u64 = 1 << 26;
pub(super) const XX: u64 = 1 << 25;
pub(super) const VXSNAN: u64 = 1 << 24;
pub(super) const VXISI: u64 = 1 << 23;
pub(super) const VXIDI: u64 = 1 << 22;
pub(super) const VXZDZ: u64 = 1 << 21;
pub(super) const VXIMZ: u64 = 1 << 20;
pub(super) const VXVC: u64 = 1 << 19;
pub(super) const FR: u64 = 1 << 18;
pub(super) const FI: u64 = 1 << 17;
pub(super) const VXSQRT: u64 = 1 << 9;
pub(super) const VXCVI: u64 = 1 << 8;
pub(super) const OE: u64 = 1 << 6;
pub(super) const UE: u64 = 1 << 5;
pub(super) const VXALL: u64 = VXSNAN | VXISI | VXIDI | VXZDZ | VXIMZ | VXVC | VXSQRT | VXCVI;

/// A value as the reference sees it.
#[derive(Clone, Debug)]
pub(super) enum V {
    /// A NaN (its image is the operand's).
    NaN,
    Inf(bool),
    Zero(bool),
    /// A nonzero finite rational num / den (den > 0), the sign in num.
    Fin(BigInt, BigInt),
}

fn pow2(k: u64) -> BigInt {
    BigInt::from(1u8) << k
}

/// A binary format: total width, exponent bits.
#[derive(Clone, Copy)]
pub(super) struct Fmt {
    pub(super) ebits: u32,
    pub(super) fbits: u32,
    /// Precision rounded to (fbits + 1, or 64 for xsrqpxp).
    prec: u32,
}

const QF: Fmt = Fmt {
    ebits: 15,
    fbits: 112,
    prec: 113,
};
pub(super) const DF: Fmt = Fmt {
    ebits: 11,
    fbits: 52,
    prec: 53,
};
/// binary32 (the single-precision instructions round to it and deliver its binary64 image).
pub(super) const SF: Fmt = Fmt {
    ebits: 8,
    fbits: 23,
    prec: 24,
};
/// binary16 (the half-precision conversions).
pub(super) const HF: Fmt = Fmt {
    ebits: 5,
    fbits: 10,
    prec: 11,
};
/// binary128 rounded to a 64-bit significand.
const XF: Fmt = Fmt {
    ebits: 15,
    fbits: 112,
    prec: 64,
};

impl Fmt {
    fn bias(self) -> i64 {
        (1 << (self.ebits - 1)) - 1
    }
    fn emax(self) -> i64 {
        self.bias()
    }
    fn emin(self) -> i64 {
        1 - self.bias()
    }
    fn p(self) -> i64 {
        i64::from(self.prec)
    }
    pub(super) fn decode(self, bits: u128) -> V {
        let sign = bits >> (self.ebits + self.fbits) & 1 != 0;
        let e = ((bits >> self.fbits) & ((1 << self.ebits) - 1)) as i64;
        let f = bits & ((1u128 << self.fbits) - 1);
        let emask = (1i64 << self.ebits) - 1;
        if e == emask {
            return if f == 0 { V::Inf(sign) } else { V::NaN };
        }
        if e == 0 && f == 0 {
            return V::Zero(sign);
        }
        let (m, exp) = if e == 0 {
            (BigInt::from(f), self.emin() - i64::from(self.fbits))
        } else {
            (
                BigInt::from(f | (1u128 << self.fbits)),
                e - self.bias() - i64::from(self.fbits),
            )
        };
        let m = if sign { -m } else { m };
        if exp >= 0 {
            V::Fin(m * pow2(exp as u64), BigInt::from(1u8))
        } else {
            V::Fin(m, pow2((-exp) as u64))
        }
    }
    fn sign_bit(self) -> u128 {
        1 << (self.ebits + self.fbits)
    }
    pub(super) fn inf(self, sign: bool) -> u128 {
        (if sign { self.sign_bit() } else { 0 }) | (((1u128 << self.ebits) - 1) << self.fbits)
    }
    fn max_finite(self, sign: bool) -> u128 {
        self.inf(sign) - 1
    }
    pub(super) fn zero(self, sign: bool) -> u128 {
        if sign {
            self.sign_bit()
        } else {
            0
        }
    }
}

fn qd(bits: u128) -> V {
    QF.decode(bits)
}

/// What a rounding produced.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Rnd {
    pub(super) inexact: bool,
    pub(super) up: bool,
    pub(super) overflow: bool,
    pub(super) tiny: bool,
}

/// Rounding modes of the model: 0..3 are FPSCR\[RN]; 4 nearest-away; 5 odd.
type Mode = u8;
const ODD: Mode = 5;
const AWAY: Mode = 4;

/// The exact magnitude being rounded: either a rational, or the square root of one.
pub(super) enum Mag {
    Rat(BigUint, BigUint),
    Sqrt(BigUint, BigUint),
}

fn ucmp_ratio(a: &BigUint, b: &BigUint, c: &BigUint, d: &BigUint) -> Ordering {
    (a * d).cmp(&(c * b))
}

impl Mag {
    /// floor(log2(value)).
    fn top(&self) -> i64 {
        match self {
            Mag::Rat(n, d) => {
                let mut e = n.bits() as i64 - d.bits() as i64;
                // 2^e <= n/d ?
                loop {
                    let (l, r) = shifted(n, d, e);
                    if l < r {
                        e -= 1;
                        continue;
                    }
                    let (l2, r2) = shifted(n, d, e + 1);
                    if l2 >= r2 {
                        e += 1;
                        continue;
                    }
                    return e;
                }
            }
            Mag::Sqrt(n, d) => Mag::Rat(n.clone(), d.clone()).top().div_euclid(2),
        }
    }
    /// (floor(value / 2^q), comparison of the remainder with half of 2^q, exact).
    fn digits(&self, q: i64) -> (BigUint, Ordering, bool) {
        match self {
            Mag::Rat(n, d) => {
                // value / 2^q = n / (d · 2^q)
                let (nn, dd) = if q >= 0 {
                    (n.clone(), d << q as u64)
                } else {
                    (n << (-q) as u64, d.clone())
                };
                let k = &nn / &dd;
                let rem = &nn - &k * &dd;
                let half = (&rem << 1u8).cmp(&dd);
                (k, half, rem == BigUint::from(0u8))
            }
            Mag::Sqrt(n, d) => {
                // sqrt(n/d) / 2^q = sqrt(y), y = n / (d · 4^q)
                let (yn, yd) = if q >= 0 {
                    (n.clone(), d << (2 * q) as u64)
                } else {
                    (n << (-2 * q) as u64, d.clone())
                };
                let k = (&yn / &yd).sqrt();
                let k2 = &k * &k;
                let exact = ucmp_ratio(&yn, &yd, &k2, &BigUint::from(1u8)) == Ordering::Equal;
                // sqrt(y) vs k + 1/2  <=>  4y vs (2k+1)^2
                let t = (&k << 1u8) + 1u8;
                let half = ucmp_ratio(&(&yn << 2u8), &yd, &(&t * &t), &BigUint::from(1u8));
                (k, half, exact)
            }
        }
    }
}

fn shifted(n: &BigUint, d: &BigUint, e: i64) -> (BigUint, BigUint) {
    if e >= 0 {
        (n.clone(), d << e as u64)
    } else {
        (n << (-e) as u64, d.clone())
    }
}

/// Whether rounding in `mode` moves the truncated magnitude (of parity `odd`) up one unit, from
/// the remainder's comparison with half a unit and whether it is zero.
fn increments(mode: Mode, sign: bool, odd: bool, half: Ordering, exact: bool) -> bool {
    match mode {
        0 => half == Ordering::Greater || (half == Ordering::Equal && odd),
        AWAY => half != Ordering::Less,
        1 => false,
        2 => !sign && !exact,
        3 => sign && !exact,
        _ => !exact && !odd,
    }
}

/// Rounds sign × mag × 2^scale to `f` in `mode`.
pub(super) fn round_to(sign: bool, mag: &Mag, scale: i64, f: Fmt, mode: Mode) -> (u128, Rnd) {
    let mut r = Rnd::default();
    let e = mag.top() + scale;
    r.tiny = e < f.emin();
    let q = e.max(f.emin()) - (f.p() - 1);
    let (mut k, half, exact) = mag.digits(q - scale);
    r.inexact = !exact;
    let inc = increments(mode, sign, k.bit(0), half, exact);
    let mut q = q;
    if inc {
        k += 1u8;
        r.up = true;
        if k.bits() as i64 > f.p() {
            k >>= 1u8;
            q += 1;
        }
    }
    let zero = BigUint::from(0u8);
    if k != zero && q + k.bits() as i64 - 1 > f.emax() {
        r.overflow = true;
        r.inexact = true;
        let to_inf = match mode {
            0 | AWAY => true,
            2 => !sign,
            3 => sign,
            _ => false,
        };
        r.up = to_inf;
        return (
            if to_inf {
                f.inf(sign)
            } else {
                f.max_finite(sign)
            },
            r,
        );
    }
    let s = f.zero(sign);
    if k == zero {
        return (s, r);
    }
    let msb = k.bits() as i64 - 1;
    let e = q + msb;
    let kv = k
        .to_u64_digits()
        .iter()
        .rev()
        .fold(0u128, |acc, &dg| (acc << 64) | u128::from(dg));
    let bits = if e < f.emin() {
        // A subnormal: the encoding's LSB weighs 2^(emin - fbits).
        s | (kv << (q - (f.emin() - i64::from(f.fbits))))
    } else {
        let frac = (kv << (i64::from(f.fbits) - msb)) & ((1u128 << f.fbits) - 1);
        s | (((e + f.bias()) as u128) << f.fbits) | frac
    };
    (bits, r)
}

/// The model of one FPSCR-updating arithmetic instruction: (result image, FPSCR after).
struct Out {
    result: Option<u128>,
    fpscr: u64,
}

/// FPRF = C FL FG FE FU from the value's class (Book I figure "Floating-Point Result Flags").
pub(super) fn classify_fprf(bits: u128, f: Fmt) -> u64 {
    let neg = bits & f.sign_bit() != 0;
    let (c, mag) = match f.decode(bits) {
        V::NaN => return 0x11 << 12,
        // Infinities: FL or FG with FU.
        V::Inf(_) => (false, 0b01),
        // Zeros: FE, and C for −0.
        V::Zero(_) => return (u64::from(neg) << 16) | (0b0010 << 12),
        V::Fin(..) => ((bits >> f.fbits) & ((1 << f.ebits) - 1) == 0, 0b00),
    };
    let order = if neg { 0b1000 } else { 0b0100 };
    (u64::from(c) << 16) | ((order | mag) << 12)
}

/// Builds the FPSCR after an instruction that started from `f0` (status bits clear).
fn finish(f0: u64, raised: u64, rnd: Rnd, result: u128, fmt: Fmt) -> Out {
    let mut f = f0 | raised;
    if raised != 0 {
        f |= FX;
    }
    if f & VXALL != 0 {
        f |= VX;
    }
    if raised & VXALL == 0 && raised & ZX == 0 {
        if rnd.inexact {
            f |= FI;
        }
        if rnd.up {
            f |= FR;
        }
    }
    let en = (f & VX != 0 && f & (1 << 7) != 0)
        || (f & OX != 0 && f & OE != 0)
        || (f & UX != 0 && f & UE != 0)
        || (f & ZX != 0 && f & (1 << 4) != 0)
        || (f & XX != 0 && f & (1 << 3) != 0);
    if en {
        f |= FEX;
    }
    let img = if fmt.ebits == DF.ebits {
        result >> 64
    } else {
        result
    };
    f |= classify_fprf(img, fmt);
    Out {
        result: Some(result),
        fpscr: f,
    }
}

/// Rounds an exact value as an instruction does: default results, or with OE/UE the scaled
/// ones (Book I 4.4.4, 4.4.5); returns (image, raised bits, rounding status).
fn deliver(sign: bool, mag: Mag, f: Fmt, mode: Mode, f0: u64) -> (u128, u64, Rnd) {
    let (bits, r) = round_to(sign, &mag, 0, f, mode);
    let alpha = 3 * (1i64 << (f.ebits - 2));
    if r.overflow && f0 & OE != 0 {
        let (b2, r2) = round_to(sign, &mag, -alpha, f, mode);
        return (b2, OX | if r2.inexact { XX } else { 0 }, r2);
    }
    if r.tiny && f0 & UE != 0 {
        let (b2, r2) = round_to(sign, &mag, alpha, f, mode);
        return (b2, UX | if r2.inexact { XX } else { 0 }, r2);
    }
    let mut raised = 0;
    if r.overflow {
        raised |= OX;
    }
    if r.tiny && r.inexact {
        raised |= UX;
    }
    if r.inexact {
        raised |= XX;
    }
    (bits, raised, r)
}

const QNAN: u128 = 0x7fff_8000_0000_0000_0000_0000_0000_0000;
const QUIET: u128 = 1 << 111;

fn is_snan(b: u128) -> bool {
    matches!(qd(b), V::NaN) && b & QUIET == 0
}

/// The ISA's NaN rule: the first NaN operand, quieted; VXSNAN if any operand signals.
fn nan_rule(ops: &[u128]) -> Option<(u128, u64)> {
    let snan = ops.iter().any(|&b| is_snan(b));
    ops.iter()
        .find(|&&b| matches!(qd(b), V::NaN))
        .map(|&b| (b | QUIET, if snan { VXSNAN } else { 0 }))
}

fn neg_ratio(v: V) -> V {
    match v {
        V::Inf(s) => V::Inf(!s),
        V::Zero(s) => V::Zero(!s),
        V::Fin(n, d) => V::Fin(-n, d),
        n => n,
    }
}

pub(super) fn rat_add(a: (BigInt, BigInt), b: (BigInt, BigInt)) -> (BigInt, BigInt) {
    (&a.0 * &b.1 + &b.0 * &a.1, a.1 * b.1)
}

/// Delivers an exact rational (possibly zero) result.
fn rational_result(n: BigInt, d: BigInt, zero_sign: bool, mode: Mode, f0: u64, f: Fmt) -> Out {
    if n.sign() == Sign::NoSign {
        return finish(f0, 0, Rnd::default(), f.zero(zero_sign), f);
    }
    let sign = n.sign() == Sign::Minus;
    let mag = Mag::Rat(n.magnitude().clone(), d.magnitude().clone());
    let (bits, raised, r) = deliver(sign, mag, f, mode, f0);
    finish(f0, raised, r, bits, f)
}

fn invalid(f0: u64, vx: u64) -> Out {
    finish(f0, vx, Rnd::default(), QNAN, QF)
}

/// a ⊕ b for add (op 0), multiply (1), divide (2).
fn ref_binary(op: u8, a: u128, b: u128, mode: Mode, rn: u8, f0: u64) -> Out {
    if let Some((n, vx)) = nan_rule(&[a, b]) {
        return finish(f0, vx, Rnd::default(), n, QF);
    }
    let (x, y) = (qd(a), qd(b));
    let rm = rn == 3;
    match op {
        0 => match (x, y) {
            (V::Inf(s), V::Inf(t)) if s != t => invalid(f0, VXISI),
            (V::Inf(s), _) | (_, V::Inf(s)) => finish(f0, 0, Rnd::default(), QF.inf(s), QF),
            (V::Zero(s), V::Zero(t)) => finish(
                f0,
                0,
                Rnd::default(),
                QF.zero(if s == t { s } else { rm }),
                QF,
            ),
            (V::Zero(_), V::Fin(n, d)) | (V::Fin(n, d), V::Zero(_)) => {
                rational_result(n, d, false, mode, f0, QF)
            }
            (V::Fin(n1, d1), V::Fin(n2, d2)) => {
                let (n, d) = rat_add((n1, d1), (n2, d2));
                rational_result(n, d, rm, mode, f0, QF)
            }
            _ => unreachable!(),
        },
        1 => {
            let s = q_sign(a) ^ q_sign(b);
            match (x, y) {
                (V::Inf(_), V::Zero(_)) | (V::Zero(_), V::Inf(_)) => invalid(f0, VXIMZ),
                (V::Inf(_), _) | (_, V::Inf(_)) => finish(f0, 0, Rnd::default(), QF.inf(s), QF),
                (V::Zero(_), _) | (_, V::Zero(_)) => finish(f0, 0, Rnd::default(), QF.zero(s), QF),
                (V::Fin(n1, d1), V::Fin(n2, d2)) => {
                    rational_result(n1 * n2, d1 * d2, false, mode, f0, QF)
                }
                _ => unreachable!(),
            }
        }
        _ => {
            let s = q_sign(a) ^ q_sign(b);
            match (x, y) {
                (V::Inf(_), V::Inf(_)) => invalid(f0, VXIDI),
                (V::Zero(_), V::Zero(_)) => invalid(f0, VXZDZ),
                (V::Inf(_), _) => finish(f0, 0, Rnd::default(), QF.inf(s), QF),
                (_, V::Inf(_)) | (V::Zero(_), _) => finish(f0, 0, Rnd::default(), QF.zero(s), QF),
                (_, V::Zero(_)) => finish(f0, ZX, Rnd::default(), QF.inf(s), QF),
                (V::Fin(n1, d1), V::Fin(n2, d2)) => {
                    // (n1/d1) / (n2/d2) with a positive denominator.
                    let (n, d) = (n1 * &d2, d1 * n2);
                    let (n, d) = if d.sign() == Sign::Minus {
                        (-n, -d)
                    } else {
                        (n, d)
                    };
                    rational_result(n, d, false, mode, f0, QF)
                }
                _ => unreachable!(),
            }
        }
    }
}

fn q_sign(b: u128) -> bool {
    b >> 127 != 0
}

fn ref_sqrt(b: u128, mode: Mode, f0: u64) -> Out {
    if let Some((n, vx)) = nan_rule(&[b]) {
        return finish(f0, vx, Rnd::default(), n, QF);
    }
    match qd(b) {
        V::Zero(s) => finish(f0, 0, Rnd::default(), QF.zero(s), QF),
        V::Inf(false) => finish(f0, 0, Rnd::default(), QF.inf(false), QF),
        V::Inf(true) => invalid(f0, VXSQRT),
        V::Fin(n, _) if n.sign() == Sign::Minus => invalid(f0, VXSQRT),
        V::Fin(n, d) => {
            let mag = Mag::Sqrt(n.magnitude().clone(), d.magnitude().clone());
            let (bits, raised, r) = deliver(false, mag, QF, mode, f0);
            finish(f0, raised, r, bits, QF)
        }
        V::NaN => unreachable!(),
    }
}

/// ±(a·b ± t).
#[allow(clippy::too_many_arguments)] // three operands, two variant flags, two modes, FPSCR
fn ref_madd(a: u128, b: u128, t: u128, sub: bool, neg: bool, mode: Mode, rn: u8, f0: u64) -> Out {
    let imz = matches!(
        (qd(a), qd(b)),
        (V::Inf(_), V::Zero(_)) | (V::Zero(_), V::Inf(_))
    );
    if let Some((n, vx)) = nan_rule(&[a, t, b]) {
        return finish(f0, vx | if imz { VXIMZ } else { 0 }, Rnd::default(), n, QF);
    }
    if imz {
        return invalid(f0, VXIMZ);
    }
    let tv = if sub { neg_ratio(qd(t)) } else { qd(t) };
    let ps = q_sign(a) ^ q_sign(b);
    let rm = rn == 3;
    let out = match (qd(a), qd(b), tv) {
        (V::Inf(_), _, V::Inf(ts)) | (_, V::Inf(_), V::Inf(ts)) if ts != ps => invalid(f0, VXISI),
        (V::Inf(_), _, _) | (_, V::Inf(_), _) => finish(f0, 0, Rnd::default(), QF.inf(ps), QF),
        (_, _, V::Inf(ts)) => finish(f0, 0, Rnd::default(), QF.inf(ts), QF),
        (V::Zero(_), _, V::Zero(ts)) | (_, V::Zero(_), V::Zero(ts)) => finish(
            f0,
            0,
            Rnd::default(),
            QF.zero(if ts == ps { ps } else { rm }),
            QF,
        ),
        (V::Zero(_), _, V::Fin(n, d)) | (_, V::Zero(_), V::Fin(n, d)) => {
            rational_result(n, d, false, mode, f0, QF)
        }
        (V::Fin(n1, d1), V::Fin(n2, d2), V::Zero(_)) => {
            rational_result(n1 * n2, d1 * d2, false, mode, f0, QF)
        }
        (V::Fin(n1, d1), V::Fin(n2, d2), V::Fin(n3, d3)) => {
            let (n, d) = rat_add((n1 * n2, d1 * d2), (n3, d3));
            rational_result(n, d, rm, mode, f0, QF)
        }
        _ => unreachable!(),
    };
    if neg && out.fpscr & VX == 0 {
        let r = out.result.map(|r| r ^ (1 << 127));
        // FPRF follows the negated value.
        let f = (out.fpscr & !(0x1f << 12)) | classify_fprf(r.unwrap_or(0), QF);
        return Out {
            result: r,
            fpscr: f,
        };
    }
    out
}

fn ref_cvqpdp(b: u128, mode: Mode, f0: u64) -> Out {
    let dw0 = |d: u128| d << 64;
    let s = q_sign(b);
    match qd(b) {
        V::NaN => {
            let d = (u128::from(s) << 63) | 0x7ff8_0000_0000_0000 | ((b & ((1 << 112) - 1)) >> 60);
            finish(
                f0,
                if is_snan(b) { VXSNAN } else { 0 },
                Rnd::default(),
                dw0(d),
                DF,
            )
        }
        V::Inf(s) => finish(f0, 0, Rnd::default(), dw0(DF.inf(s)), DF),
        V::Zero(s) => finish(f0, 0, Rnd::default(), dw0(DF.zero(s)), DF),
        V::Fin(n, d) => {
            let mag = Mag::Rat(n.magnitude().clone(), d.magnitude().clone());
            let (bits, raised, r) = deliver(s, mag, DF, mode, f0);
            finish(f0, raised, r, dw0(bits), DF)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Running one instruction.

/// The word for a quad instruction: VRT (or BF << 2), VRA, VRB, and bit 31.
fn qword(op: Opcode, t: u32, a: u32, b: u32, bit31: bool) -> u32 {
    let (_, value, _) = papr_isa::table::encodings()
        .find(|e| e.0 == op)
        .expect("encoding");
    let w = value | (t & 31) << 21 | (a & 31) << 16 | (b & 31) << 11 | u32::from(bit31);
    assert_eq!(decode(w).op, op, "{w:#010x}");
    w
}

fn exec(w: u32, vrs: &[(usize, u128)], fpscr: u64, msr_extra: u64) -> Cpu {
    let (mut cpu, mut ram) = one_insn(w, msr::SF | msr::FP | msr::VEC | msr_extra);
    cpu.state.fpscr = fpscr;
    for &(r, v) in vrs {
        cpu.state.set_vr(r, v);
    }
    let mut i = Interpreter::new();
    i.run(&mut cpu, &mut ram, 1);
    cpu
}

fn run_q(w: u32, vrs: &[(usize, u128)], fpscr: u64) -> (u128, u64) {
    let c = exec(w, vrs, fpscr, msr::VSX);
    assert_eq!(c.state.nip, 0x1004, "no interrupt");
    (c.state.vr(1), c.state.fpscr)
}

fn check(what: &str, got: (u128, u64), want: &Out) {
    let want_r = want.result.expect("result");
    assert!(
        got.0 == want_r && got.1 == want.fpscr,
        "{what}: got {:032x} fpscr {:08x}, want {:032x} fpscr {:08x}",
        got.0,
        got.1,
        want_r,
        want.fpscr
    );
}

// ---------------------------------------------------------------------------------------------
// Operands.

fn quad(sign: bool, e: u32, f: u128) -> u128 {
    (u128::from(sign) << 127) | (u128::from(e & 0x7fff) << 112) | (f & ((1 << 112) - 1))
}

/// Edge-heavy binary128 operands: specials, subnormals, extreme exponents, short significands
/// (exact results and ties), and random images.
fn any_quad() -> impl Strategy<Value = u128> {
    let special = prop_oneof![
        Just(0u128),
        Just(1u128 << 127),
        Just(quad(false, 0x7fff, 0)),
        Just(quad(true, 0x7fff, 0)),
        Just(QNAN),
        Just(quad(false, 0x7fff, 1)),
        Just(quad(true, 0x7fff, 0x4000_0000_0000_0000_0000_0000_1234)),
        Just(quad(false, 0x7ffe, u128::MAX)),
        Just(quad(false, 1, 0)),
        Just(1u128),
    ];
    prop_oneof![
        2 => special,
        3 => any::<u128>(),
        2 => (any::<bool>(), 0x3f00u32..0x4100, any::<u128>()).prop_map(|(s, e, f)| quad(s, e, f)),
        2 => (any::<bool>(), 0x3ff0u32..0x4010, any::<u8>()).prop_map(|(s, e, f)| quad(s, e, u128::from(f) << 104)),
        2 => (any::<bool>(), prop_oneof![0u32..80, 0x7f80u32..0x7fff], any::<u128>()).prop_map(|(s, e, f)| quad(s, e, f)),
        1 => (any::<bool>(), any::<u128>()).prop_map(|(s, f)| quad(s, 0, f >> (f & 127))),
    ]
}

/// FPSCR before the instruction: RN, and OE/UE from the two bits of `oeue`.
fn fpscr_in(rn: u8, oeue: u64) -> u64 {
    u64::from(rn) | ((oeue & 1) * OE) | ((oeue >> 1) * UE)
}

fn mode_of(rn: u8, ro: bool) -> Mode {
    if ro {
        ODD
    } else {
        rn
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn add_sub_mul_div(a in any_quad(), b in any_quad(), op in 0u8..4, rn in 0u8..4, ro: bool, oeue in 0u64..4) {
        let opc = [Opcode::Xsaddqp, Opcode::Xssubqp, Opcode::Xsmulqp, Opcode::Xsdivqp][op as usize];
        let f0 = fpscr_in(rn, oeue);
        let bb = if op == 1 && !matches!(qd(b), V::NaN) { b ^ (1 << 127) } else { b };
        let want = ref_binary([0, 0, 1, 2][op as usize], a, bb, mode_of(rn, ro), rn, f0);
        let got = run_q(qword(opc, 1, 2, 3, ro), &[(2, a), (3, b)], f0);
        check(&format!("{opc:?} ro={ro} rn={rn} {a:032x} {b:032x}"), got, &want);
    }

    #[test]
    fn multiply_add(a in any_quad(), b in any_quad(), t in any_quad(), k in 0usize..4, rn in 0u8..4, ro: bool, oeue in 0u64..4) {
        let opc = [Opcode::Xsmaddqp, Opcode::Xsmsubqp, Opcode::Xsnmaddqp, Opcode::Xsnmsubqp][k];
        let f0 = fpscr_in(rn, oeue);
        let want = ref_madd(a, b, t, k & 1 == 1, k >= 2, mode_of(rn, ro), rn, f0);
        let got = run_q(qword(opc, 1, 2, 3, ro), &[(1, t), (2, a), (3, b)], f0);
        check(&format!("{opc:?} ro={ro} rn={rn} {a:032x} {b:032x} {t:032x}"), got, &want);
    }

    #[test]
    fn square_root(b in any_quad(), rn in 0u8..4, ro: bool) {
        let f0 = u64::from(rn);
        let want = ref_sqrt(b, mode_of(rn, ro), f0);
        let got = run_q(qword(Opcode::Xssqrtqp, 1, 0, 3, ro), &[(3, b)], f0);
        check(&format!("xssqrtqp ro={ro} rn={rn} {b:032x}"), got, &want);
    }

    #[test]
    fn quad_to_double(b in any_quad(), rn in 0u8..4, ro: bool, oeue in 0u64..4) {
        let f0 = fpscr_in(rn, oeue);
        let want = ref_cvqpdp(b, mode_of(rn, ro), f0);
        let got = run_q(qword(Opcode::Xscvqpdp, 1, 0, 3, ro), &[(3, b)], f0);
        check(&format!("xscvqpdp ro={ro} rn={rn} {b:032x}"), got, &want);
    }
}

// ---------------------------------------------------------------------------------------------
// Conversions, rounding to integral / to 64 bits, compares and the bit-field instructions.

fn ref_cvt_int(b: u128, width: u32, signed: bool, f0: u64) -> Out {
    let (min, max): (i128, i128) = match (width, signed) {
        (32, true) => (i32::MIN.into(), i32::MAX.into()),
        (32, false) => (0, u32::MAX.into()),
        (_, true) => (i64::MIN.into(), i64::MAX.into()),
        _ => (0, u64::MAX.into()),
    };
    let nan_val: u64 = match (width, signed) {
        (32, true) => 0xffff_ffff_8000_0000,
        (_, true) => 0x8000_0000_0000_0000,
        _ => 0,
    };
    let enc = |v: i128| -> u128 {
        let d = if width == 32 && signed {
            v as i32 as i64 as u64
        } else {
            v as u64
        };
        u128::from(d) << 64
    };
    let (r, raised, inexact) = match qd(b) {
        V::NaN => (
            u128::from(nan_val) << 64,
            VXCVI | if is_snan(b) { VXSNAN } else { 0 },
            false,
        ),
        V::Inf(s) => (enc(if s { min } else { max }), VXCVI, false),
        V::Zero(_) => (0, 0, false),
        V::Fin(n, d) => {
            let t = &n / &d; // truncates toward zero
            let inexact = &t * &d != n;
            if t < BigInt::from(min) {
                (enc(min), VXCVI, false)
            } else if t > BigInt::from(max) {
                (enc(max), VXCVI, false)
            } else {
                let v: i128 = t.try_into().expect("in range");
                (enc(v), if inexact { XX } else { 0 }, inexact)
            }
        }
    };
    let mut f = f0 | raised;
    if raised != 0 {
        f |= FX;
    }
    if raised & VXALL != 0 {
        f |= VX;
    } else if inexact {
        f |= FI;
    }
    Out {
        result: Some(r),
        fpscr: f,
    }
}

/// The operands xsrqpi[x] and xsrqpxp pass through: a NaN (quieted, VXSNAN if signalling), an
/// infinity or a zero; None for a finite nonzero one.
fn passes_through(b: u128, f0: u64) -> Option<Out> {
    let raised = if is_snan(b) { VXSNAN } else { 0 };
    match qd(b) {
        V::NaN => Some(finish(f0, raised, Rnd::default(), b | QUIET, QF)),
        V::Inf(_) | V::Zero(_) => Some(finish(f0, 0, Rnd::default(), b, QF)),
        V::Fin(..) => None,
    }
}

/// xsrqpi[x] with the rounding mode already decoded.
fn ref_rqpi(b: u128, mode: Mode, ex: bool, f0: u64) -> Out {
    if let Some(o) = passes_through(b, f0) {
        return o;
    }
    match qd(b) {
        V::Fin(n, d) => {
            let sign = n.sign() == Sign::Minus;
            let (k, half, exact) = Mag::Rat(n.magnitude().clone(), d.magnitude().clone()).digits(0);
            let inc = increments(mode, sign, k.bit(0), half, exact);
            let k = if inc { k + 1u8 } else { k };
            let r = if k == BigUint::from(0u8) {
                QF.zero(sign)
            } else {
                round_to(sign, &Mag::Rat(k, BigUint::from(1u8)), 0, QF, 0).0
            };
            let rnd = Rnd {
                inexact: ex && !exact,
                ..Rnd::default()
            };
            finish(f0, if ex && !exact { XX } else { 0 }, rnd, r, QF)
        }
        _ => unreachable!(),
    }
}

fn ref_rqpxp(b: u128, mode: Mode, f0: u64) -> Out {
    if let Some(o) = passes_through(b, f0) {
        return o;
    }
    match qd(b) {
        V::Fin(n, d) => {
            let sign = n.sign() == Sign::Minus;
            let mag = Mag::Rat(n.magnitude().clone(), d.magnitude().clone());
            let (bits, raised, r) = deliver(sign, mag, XF, mode, f0);
            finish(f0, raised, r, bits, QF)
        }
        _ => unreachable!(),
    }
}

/// FL/FG/FE/FU of a compare.
fn ref_cmp(a: u128, b: u128) -> u8 {
    let key = |x: u128| -> Option<(BigInt, BigInt, i8)> {
        match qd(x) {
            V::NaN => None,
            V::Inf(s) => Some((BigInt::from(0u8), BigInt::from(1u8), if s { -1 } else { 1 })),
            V::Zero(_) => Some((BigInt::from(0u8), BigInt::from(1u8), 0)),
            V::Fin(n, d) => Some((n, d, 0)),
        }
    };
    match (key(a), key(b)) {
        (Some((n1, d1, i1)), Some((n2, d2, i2))) => {
            let o = i1.cmp(&i2).then_with(|| (n1 * &d2).cmp(&(n2 * &d1)));
            match o {
                Ordering::Less => 8,
                Ordering::Greater => 4,
                Ordering::Equal => 2,
            }
        }
        _ => 1,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn quad_to_integer(b in any_quad(), k in 0usize..4, int_range in any::<bool>(), i in any::<i64>(), sh in 0u32..70) {
        // Also values near the integer ranges: i / 2^sh.
        let b = if int_range && i != 0 {
            let (r, _) = round_to(i < 0, &Mag::Rat(BigUint::from(i.unsigned_abs()), BigUint::from(1u8) << sh), 0, QF, 0);
            r
        } else {
            b
        };
        let (opc, width, signed) = [
            (Opcode::Xscvqpsdz, 64, true),
            (Opcode::Xscvqpswz, 32, true),
            (Opcode::Xscvqpudz, 64, false),
            (Opcode::Xscvqpuwz, 32, false),
        ][k];
        let want = ref_cvt_int(b, width, signed, 0);
        let got = run_q(qword(opc, 1, 0, 3, false), &[(3, b)], 0);
        check(&format!("{opc:?} {b:032x}"), got, &want);
    }

    #[test]
    fn integer_and_double_to_quad(v in any::<u64>(), d in any::<u64>(), signed: bool) {
        let opc = if signed { Opcode::Xscvsdqp } else { Opcode::Xscvudqp };
        let n = if signed { BigInt::from(v as i64) } else { BigInt::from(v) };
        let want = rational_result(n, BigInt::from(1u8), false, 0, 0, QF);
        let got = run_q(qword(opc, 1, 0, 3, false), &[(3, u128::from(v) << 64)], 0);
        check(&format!("{opc:?} {v:016x}"), got, &want);
        // binary64 -> binary128 is exact; an SNaN is quieted with VXSNAN.
        let dv = DF.decode(u128::from(d));
        let want = match dv {
            V::NaN => {
                let q = (u128::from(d >> 63) << 127) | (0x7fffu128 << 112) | (u128::from(d & ((1 << 52) - 1)) << 60);
                let snan = d & (1 << 51) == 0;
                finish(0, if snan { VXSNAN } else { 0 }, Rnd::default(), q | QUIET, QF)
            }
            V::Inf(s) => finish(0, 0, Rnd::default(), QF.inf(s), QF),
            V::Zero(s) => finish(0, 0, Rnd::default(), QF.zero(s), QF),
            V::Fin(n, dd) => rational_result(n, dd, false, 0, 0, QF),
        };
        let got = run_q(qword(Opcode::Xscvdpqp, 1, 0, 3, false), &[(3, u128::from(d) << 64 | 0xdead)], 0);
        check(&format!("xscvdpqp {d:016x}"), got, &want);
    }

    #[test]
    fn round_to_integral_and_to_64_bits(b in any_quad(), r in 0u32..2, rmc in 0u32..4, ex: bool, rn in 0u8..4) {
        // R=0 with RMC 01/10 is reserved: not tested.
        prop_assume!(r == 1 || rmc == 0 || rmc == 3);
        let mode = match (r, rmc) {
            (0, 0) => AWAY,
            (0, _) => rn,
            (_, m) => m as u8,
        };
        let field = (r << 16) | (rmc << 9);
        let f0 = u64::from(rn);
        let want = ref_rqpi(b, mode, ex, f0);
        let got = run_q(qword(Opcode::Xsrqpi, 1, 0, 3, ex) | field, &[(3, b)], f0);
        check(&format!("xsrqpi r={r} rmc={rmc} ex={ex} rn={rn} {b:032x}"), got, &want);
        let want = ref_rqpxp(b, mode, f0);
        let got = run_q(qword(Opcode::Xsrqpxp, 1, 0, 3, false) | field, &[(3, b)], f0);
        check(&format!("xsrqpxp r={r} rmc={rmc} rn={rn} {b:032x}"), got, &want);
    }

    #[test]
    fn compares_and_tests(a in any_quad(), b in any_quad(), ordered: bool, bf in 0u32..8, dcmx in 0u32..128) {
        let opc = if ordered { Opcode::Xscmpoqp } else { Opcode::Xscmpuqp };
        let c = exec(qword(opc, bf << 2, 2, 3, false), &[(2, a), (3, b)], 0, msr::VSX);
        let cc = ref_cmp(a, b);
        let snan = is_snan(a) || is_snan(b);
        let mut raised = if snan { VXSNAN } else { 0 };
        if ordered && (snan || cc == 1) {
            raised |= VXVC;
        }
        let want_f = if raised != 0 { FX | VX | raised } else { 0 } | (u64::from(cc) << 12);
        prop_assert_eq!(c.state.cr.field(bf), cc);
        prop_assert_eq!(c.state.fpscr, want_f, "{:?} {:032x} {:032x}", opc, a, b);
        // Exponent compare.
        let c = exec(qword(Opcode::Xscmpexpqp, bf << 2, 2, 3, false), &[(2, a), (3, b)], 0, msr::VSX);
        let (ea, eb) = ((a >> 112) & 0x7fff, (b >> 112) & 0x7fff);
        let nan = |x: u128| matches!(qd(x), V::NaN);
        let want = if nan(a) || nan(b) { 1 } else { match ea.cmp(&eb) { Ordering::Less => 8, Ordering::Greater => 4, Ordering::Equal => 2 } };
        prop_assert_eq!(c.state.cr.field(bf), want);
        prop_assert_eq!(c.state.fpscr, u64::from(want) << 12);
        // Data class: bits NaN, +inf, -inf, +0, -0, +subnormal, -subnormal.
        let w = qword(Opcode::Xststdcqp, bf << 2, 0, 3, false) | (dcmx << 16);
        let c = exec(w, &[(3, b)], 0, msr::VSX);
        let neg = b >> 127 != 0;
        let e = (b >> 112) & 0x7fff;
        let fz = b & ((1 << 112) - 1) == 0;
        let class_bit = match (e, fz) {
            (0x7fff, false) => 0x40,
            (0x7fff, true) => if neg { 0x10 } else { 0x20 },
            (0, true) => if neg { 0x04 } else { 0x08 },
            (0, false) => if neg { 0x01 } else { 0x02 },
            _ => 0,
        };
        let want = (u8::from(neg) << 3) | (u8::from(dcmx & class_bit != 0) << 1);
        prop_assert_eq!(c.state.cr.field(bf), want);
        prop_assert_eq!(c.state.fpscr, u64::from(want) << 12);
    }

    #[test]
    fn bit_field_instructions(a in any::<u128>(), b in any::<u128>()) {
        let one = |op, a: u128, b: u128| {
            // The unary ones keep a sub-opcode in the VRA field.
            let ra = if matches!(op, Opcode::Xscpsgnqp | Opcode::Xsiexpqp) { 2 } else { 0 };
            run_q(qword(op, 1, ra, 3, false), &[(2, a), (3, b)], 0)
        };
        let s = 1u128 << 127;
        prop_assert_eq!(one(Opcode::Xsabsqp, 0, b), (b & !s, 0));
        prop_assert_eq!(one(Opcode::Xsnabsqp, 0, b), (b | s, 0));
        prop_assert_eq!(one(Opcode::Xsnegqp, 0, b), (b ^ s, 0));
        prop_assert_eq!(one(Opcode::Xscpsgnqp, a, b), ((a & s) | (b & !s), 0));
        let e = (b >> 112) & 0x7fff;
        prop_assert_eq!(one(Opcode::Xsxexpqp, 0, b), (e << 64, 0));
        let implicit = u128::from(e != 0 && e != 0x7fff) << 112;
        prop_assert_eq!(one(Opcode::Xsxsigqp, 0, b), (implicit | (b & ((1 << 112) - 1)), 0));
        let want = (a & s) | (((b >> 64) & 0x7fff) << 112) | (a & ((1 << 112) - 1));
        prop_assert_eq!(one(Opcode::Xsiexpqp, a, b), (want, 0));
    }
}

#[test]
fn unavailable_without_msr_vsx() {
    for (op, rt, ra) in [
        (Opcode::Xsaddqp, 1, 2),
        (Opcode::Xsabsqp, 1, 0),
        (Opcode::Xscmpuqp, 4, 2),
        (Opcode::Xscvdpqp, 1, 0),
    ] {
        let c = exec(qword(op, rt, ra, 3, false), &[], 0, 0);
        assert_eq!(c.state.nip, 0xf40, "{op:?}: VSX unavailable");
    }
}

#[test]
fn enabled_invalid_keeps_the_target_and_interrupts() {
    // VE=1 and MSR[FE0|FE1] on: ∞ − ∞ leaves VRT and FPRF, sets VXISI/FEX, program interrupt.
    let inf = quad(false, 0x7fff, 0);
    let c = exec(
        qword(Opcode::Xssubqp, 1, 2, 3, false),
        &[(1, 0x1234), (2, inf), (3, inf)],
        1 << 7,
        msr::VSX | msr::FE0 | msr::FE1,
    );
    assert_eq!(c.state.nip, 0x700);
    assert_eq!(c.state.vr(1), 0x1234);
    assert_eq!(c.state.fpscr, (1 << 7) | FX | FEX | VX | VXISI);
    // The same with FE0 = FE1 = 0: target written (papr's ignore-exceptions rule).
    let c = exec(
        qword(Opcode::Xssubqp, 1, 2, 3, false),
        &[(1, 0x1234), (2, inf), (3, inf)],
        1 << 7,
        msr::VSX,
    );
    assert_eq!(c.state.nip, 0x1004);
    assert_eq!(c.state.vr(1), QNAN);
    // ZE=1: x / 0.
    let one = quad(false, 0x3fff, 0);
    let c = exec(
        qword(Opcode::Xsdivqp, 1, 2, 3, false),
        &[(1, 0x1234), (2, one), (3, 0)],
        1 << 4,
        msr::VSX | msr::FE0,
    );
    assert_eq!(c.state.nip, 0x700);
    assert_eq!(c.state.vr(1), 0x1234);
    assert_eq!(c.state.fpscr, (1 << 4) | FX | FEX | ZX);
    // OE=1: overflow delivers the scaled result and interrupts.
    let max = quad(false, 0x7ffe, u128::MAX);
    let c = exec(
        qword(Opcode::Xsmulqp, 1, 2, 3, false),
        &[(2, max), (3, max)],
        OE,
        msr::VSX | msr::FE0,
    );
    assert_eq!(c.state.nip, 0x700);
    let want = ref_binary(1, max, max, 0, 0, OE);
    assert_eq!(Some(c.state.vr(1)), want.result);
    assert_eq!(c.state.fpscr, want.fpscr);
    // max² lies just below 2^32768: unbiased exponent 32767 - 24576.
    assert_eq!((c.state.vr(1) >> 112) & 0x7fff, 16383 + 32767 - 24576);
}

// ---------------------------------------------------------------------------------------------
// FR and FI of the binary64 instructions (the host fast path in round to nearest included),
// against the same exact model rounded to binary64.

/// The exact rational of a finite binary64 image, or None.
pub(super) fn dv(bits: u64) -> Option<(BigInt, BigInt)> {
    match DF.decode(u128::from(bits)) {
        V::Fin(n, d) => Some((n, d)),
        V::Zero(_) => Some((BigInt::from(0u8), BigInt::from(1u8))),
        _ => None,
    }
}

/// A binary32 image as the binary64 image of the same value (exact).
fn single_as_double(bits: u128) -> u128 {
    match SF.decode(bits) {
        V::Fin(n, d) => {
            let sign = n.sign() == Sign::Minus;
            let mag = Mag::Rat(n.magnitude().clone(), d.magnitude().clone());
            round_to(sign, &mag, 0, DF, 0).0
        }
        V::Inf(s) => DF.inf(s),
        V::Zero(s) => DF.zero(s),
        V::NaN => unreachable!("no NaN results here"),
    }
}

pub(super) fn any_double() -> impl Strategy<Value = u64> {
    prop_oneof![
        any::<u64>(),
        (-1e6f64..1e6f64).prop_map(f64::to_bits),
        (any::<bool>(), 0x3f0u64..0x410, any::<u64>())
            .prop_map(|(s, e, f)| (u64::from(s) << 63) | (e << 52) | (f >> 12)),
        any::<u32>().prop_map(u64::from),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn double_and_single_rounding_status(
        a in any_double(),
        b in any_double(),
        c in any_double(),
        k in 0usize..5,
        single: bool,
        rn in 0u8..4,
        oeue in 0u64..4,
    ) {
        let ops = if single {
            [Opcode::Fadds, Opcode::Fsubs, Opcode::Fmuls, Opcode::Fdivs, Opcode::Fmadds]
        } else {
            [Opcode::Fadd, Opcode::Fsub, Opcode::Fmul, Opcode::Fdiv, Opcode::Fmadd]
        };
        let op = ops[k];
        let (_, value, _) = papr_isa::table::encodings().find(|e| e.0 == op).expect("encoding");
        // FRT=1, FRA=2, FRB=3, FRC=4.
        let w = value
            | (1 << 21)
            | (2 << 16)
            | if k == 2 { 0 } else { 3 << 11 }
            | if k == 2 || k == 4 { 4 << 6 } else { 0 };
        assert_eq!(decode(w).op, op);
        let (Some(x), Some(y), Some(z)) = (dv(a), dv(b), dv(c)) else { return Ok(()); };
        let exact = match k {
            0 => rat_add(x, y),
            1 => rat_add(x, (-y.0, y.1)),
            2 => (x.0 * z.0, x.1 * z.1),
            3 => {
                if y.0.sign() == Sign::NoSign { return Ok(()); }
                let (n, d) = (x.0 * &y.1, x.1 * y.0);
                if d.sign() == Sign::Minus { (-n, -d) } else { (n, d) }
            }
            _ => rat_add((x.0 * z.0, x.1 * z.1), y),
        };
        if exact.0.sign() == Sign::NoSign {
            return Ok(());
        }
        let f0 = fpscr_in(rn, oeue);
        let sign = exact.0.sign() == Sign::Minus;
        let mag = Mag::Rat(exact.0.magnitude().clone(), exact.1.magnitude().clone());
        let (want, raised, r) = deliver(sign, mag, if single { SF } else { DF }, rn, f0);
        let want = if single { single_as_double(want) } else { want };
        let (mut cpu, mut ram) = one_insn(w, msr::SF | msr::FP);
        cpu.state.fpscr = f0;
        cpu.state.set_fpr(2, a);
        cpu.state.set_fpr(3, b);
        cpu.state.set_fpr(4, c);
        Interpreter::new().run(&mut cpu, &mut ram, 1);
        let f = cpu.state.fpscr;
        let what = format!("{op:?} rn={rn} OE/UE={oeue} {a:016x} {b:016x} {c:016x}");
        prop_assert_eq!(cpu.state.nip, 0x1004);
        prop_assert_eq!(u128::from(cpu.state.fpr(1)), want, "{}", what);
        prop_assert_eq!(f & FR != 0, r.up, "FR {}", what);
        prop_assert_eq!(f & FI != 0, r.inexact, "FI {}", what);
        prop_assert_eq!(f & (OX | UX | XX), raised, "OX/UX/XX {}", what);
    }
}
