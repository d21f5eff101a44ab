//! Exact IEEE 754 binary128 arithmetic for the VSX scalar quad-precision instructions (Power
//! ISA 3.0B Book I 7.6, the bfp_* functions of 7.6.2): add, multiply, fused multiply-add,
//! divide and square root computed exactly (a 256-bit significand plus a sticky bit, enough for
//! the 226-bit product and its aligned addend), then rounded once to binary128, binary64 or the
//! 64-bit-significand "extended" precision of xsrqpxp, in the four FPSCR modes, round to
//! nearest away (xsrqpi) and round to odd (the `o` forms). Tininess is detected before
//! rounding, as on POWER. The status of each rounding gives FPSCR\[FR] (magnitude increased),
//! FI/XX, OX and UX.

use super::Round;

/// A 256-bit unsigned integer: `hi · 2^128 + lo`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct U256 {
    /// Bits 128..255.
    pub hi: u128,
    /// Bits 0..127.
    pub lo: u128,
}

impl U256 {
    /// Zero.
    pub const ZERO: U256 = U256 { hi: 0, lo: 0 };

    /// `x` widened.
    pub const fn from_u128(x: u128) -> Self {
        U256 { hi: 0, lo: x }
    }

    /// Whether the value is zero.
    pub const fn is_zero(self) -> bool {
        self.hi == 0 && self.lo == 0
    }

    /// Number of significant bits (0 for zero).
    pub const fn bit_len(self) -> u32 {
        if self.hi != 0 {
            256 - self.hi.leading_zeros()
        } else {
            128 - self.lo.leading_zeros()
        }
    }

    /// Bit `n` (0 = least significant); false past the top.
    pub const fn bit(self, n: u32) -> bool {
        if n >= 256 {
            false
        } else if n >= 128 {
            (self.hi >> (n - 128)) & 1 != 0
        } else {
            (self.lo >> n) & 1 != 0
        }
    }

    /// `self << n`, bits past 255 lost.
    pub const fn shl(self, n: u32) -> Self {
        match n {
            0 => self,
            1..=127 => U256 {
                hi: funnel(self.hi, self.lo, 128 - n),
                lo: self.lo << n,
            },
            128..=255 => U256 {
                hi: self.lo << (n - 128),
                lo: 0,
            },
            _ => U256::ZERO,
        }
    }

    /// `self >> n`.
    pub const fn shr(self, n: u32) -> Self {
        match n {
            0..=127 => U256 {
                hi: if n == 0 { self.hi } else { self.hi >> n },
                lo: funnel(self.hi, self.lo, n),
            },
            128..=255 => U256 {
                hi: 0,
                lo: self.hi >> (n - 128),
            },
            _ => U256::ZERO,
        }
    }

    /// Whether any of the low `n` bits is set.
    pub const fn low_bits_nonzero(self, n: u32) -> bool {
        if n == 0 {
            false
        } else if n >= 256 {
            !self.is_zero()
        } else {
            !self.shl(256 - n).is_zero()
        }
    }

    /// `self + o` (callers keep the sum below 2^256).
    pub const fn add(self, o: U256) -> Self {
        let (lo, c) = self.lo.overflowing_add(o.lo);
        U256 {
            hi: self.hi.wrapping_add(o.hi).wrapping_add(c as u128),
            lo,
        }
    }

    /// `self − o` (callers keep `o <= self`).
    pub const fn sub(self, o: U256) -> Self {
        let (lo, b) = self.lo.overflowing_sub(o.lo);
        U256 {
            hi: self.hi.wrapping_sub(o.hi).wrapping_sub(b as u128),
            lo,
        }
    }

    /// `self < o`.
    pub const fn lt(self, o: U256) -> bool {
        self.hi < o.hi || (self.hi == o.hi && self.lo < o.lo)
    }

    /// The full 256-bit product of two 128-bit values.
    pub const fn mul(a: u128, b: u128) -> Self {
        const M: u128 = u64::MAX as u128;
        let (a1, a0) = (a >> 64, a & M);
        let (b1, b0) = (b >> 64, b & M);
        let p00 = a0 * b0;
        let p01 = a0 * b1;
        let p10 = a1 * b0;
        let p11 = a1 * b1;
        // Middle column: the three 64-bit pieces that land at bit 64.
        let mid = (p00 >> 64) + (p01 & M) + (p10 & M);
        let lo = (p00 & M) | (mid << 64);
        let hi = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
        U256 { hi, lo }
    }
}

/// Bits n..n+127 of the 256-bit value hi:lo, for n < 128.
const fn funnel(hi: u128, lo: u128, n: u32) -> u128 {
    if n == 0 {
        lo
    } else {
        (lo >> n) | (hi << (128 - n))
    }
}

/// A rounding direction, including the two the FPSCR cannot name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QRound {
    /// Nearest, ties to even.
    Nearest,
    /// Toward zero.
    Zero,
    /// Toward +∞.
    Up,
    /// Toward −∞.
    Down,
    /// Nearest, ties away from zero (xsrqpi with R = 0, RMC = 0).
    NearestAway,
    /// Round to odd: truncate, then set the least significant bit if inexact (the `o` forms).
    Odd,
}

impl From<Round> for QRound {
    fn from(r: Round) -> Self {
        match r {
            Round::Nearest => QRound::Nearest,
            Round::Zero => QRound::Zero,
            Round::Up => QRound::Up,
            Round::Down => QRound::Down,
            Round::NearestAway => QRound::NearestAway,
        }
    }
}

/// A binary floating-point format: precision and normal exponent range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Format {
    /// Significand bits, the implicit one included.
    pub p: u32,
    /// Exponent of the smallest normal.
    pub emin: i32,
    /// Exponent of the largest finite.
    pub emax: i32,
    /// Exponent field width.
    pub ebits: u32,
    /// Exponent adjustment of an enabled overflow/underflow (Book I 4.4.4, 4.4.5: 3 · 2^(ebits−2)).
    pub alpha: i32,
}

/// binary128.
pub const QUAD: Format = Format {
    p: 113,
    emin: -16382,
    emax: 16383,
    ebits: 15,
    alpha: 24576,
};

/// binary64.
pub const DOUBLE: Format = Format {
    p: 53,
    emin: -1022,
    emax: 1023,
    ebits: 11,
    alpha: 1536,
};

/// binary32.
pub const SINGLE: Format = Format {
    p: 24,
    emin: -126,
    emax: 127,
    ebits: 8,
    alpha: 192,
};

/// xsrqpxp's target: a 64-bit significand with binary128's exponent range, held as binary128.
pub const EXTENDED: Format = Format {
    p: 64,
    emin: -16382,
    emax: 16383,
    ebits: 15,
    alpha: 24576,
};

/// Status of one rounding (the ISA's inc_flag, xx_flag, ox_flag, ux_flag).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QStatus {
    /// The result differs from the exact value.
    pub inexact: bool,
    /// The result's magnitude exceeds the exact one (FPSCR\[FR]).
    pub rounded_up: bool,
    /// The rounded value (exponent unbounded) exceeds the format's largest finite.
    pub overflow: bool,
    /// Tiny before rounding and inexact.
    pub underflow: bool,
    /// Tiny before rounding.
    pub tiny: bool,
}

/// A finite nonzero value (−1)^sign × (mant + ε) × 2^exp, where ε (0 < ε < 1) is present
/// when `sticky` is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QExact {
    /// Sign.
    pub sign: bool,
    /// Significand (nonzero).
    pub mant: U256,
    /// Exponent of mant's least significant bit.
    pub exp: i32,
    /// Nonzero bits below mant's least significant bit.
    pub sticky: bool,
}

impl QExact {
    /// An exact value from a 128-bit significand.
    pub const fn new(sign: bool, mant: u128, exp: i32) -> Self {
        QExact {
            sign,
            mant: U256::from_u128(mant),
            exp,
            sticky: false,
        }
    }

    /// Exponent of the most significant bit (the value lies in [2^e, 2^(e+1))).
    pub fn top(&self) -> i32 {
        self.exp + self.mant.bit_len() as i32 - 1
    }

    /// The value times 2^k.
    pub fn scaled(self, k: i32) -> Self {
        QExact {
            exp: self.exp + k,
            ..self
        }
    }
}

/// A rounded result before packing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rounded {
    /// (−1)^sign × sig × 2^lsb_exp, with sig < 2^p (0 for a rounded-away zero).
    Finite {
        /// Sign.
        sign: bool,
        /// Significand.
        sig: u128,
        /// Exponent of sig's least significant bit.
        lsb_exp: i32,
    },
    /// ±∞ (overflow).
    Inf(bool),
}

fn rounds_up(mode: QRound, sign: bool, lsb: bool, half: bool, rest: bool) -> bool {
    match mode {
        QRound::Nearest => half && (rest || lsb),
        QRound::NearestAway => half,
        QRound::Zero => false,
        QRound::Up => !sign && (half || rest),
        QRound::Down => sign && (half || rest),
        QRound::Odd => !lsb && (half || rest),
    }
}

/// Rounds `x` to `fmt` in `mode` (default overflow and underflow handling).
pub fn round(x: QExact, fmt: Format, mode: QRound) -> (Rounded, QStatus) {
    let mut st = QStatus::default();
    let p = fmt.p as i32;
    let e = x.top();
    st.tiny = e < fmt.emin;
    // Exponent of the result's least significant bit.
    let mut q = e.max(fmt.emin) - (p - 1);
    let (mut sig, half, rest) = if q > x.exp {
        let sh = (q - x.exp) as u32;
        let kept = x.mant.shr(sh);
        let half = x.mant.bit(sh - 1);
        let rest = x.mant.low_bits_nonzero(sh - 1) || x.sticky;
        // kept < 2^p by the choice of q.
        (kept.lo, half, rest)
    } else {
        // No bits dropped: then mant < 2^p.
        (x.mant.shl((x.exp - q) as u32).lo, false, x.sticky)
    };
    st.inexact = half || rest;
    if rounds_up(mode, x.sign, sig & 1 != 0, half, rest) {
        sig += 1;
        st.rounded_up = true;
        if sig >> p != 0 {
            sig >>= 1;
            q += 1;
        }
    }
    st.underflow = st.tiny && st.inexact;
    if sig != 0 && q + (127 - sig.leading_zeros() as i32) > fmt.emax {
        st.overflow = true;
        st.inexact = true;
        let to_inf = match mode {
            QRound::Nearest | QRound::NearestAway => true,
            QRound::Zero | QRound::Odd => false,
            QRound::Up => !x.sign,
            QRound::Down => x.sign,
        };
        st.rounded_up = to_inf;
        let r = if to_inf {
            Rounded::Inf(x.sign)
        } else {
            Rounded::Finite {
                sign: x.sign,
                sig: (1u128 << p) - 1,
                lsb_exp: fmt.emax - (p - 1),
            }
        };
        return (r, st);
    }
    (
        Rounded::Finite {
            sign: x.sign,
            sig,
            lsb_exp: q,
        },
        st,
    )
}

/// Rounds `x` as an instruction does under FPSCR\[OE] / FPSCR\[UE] (Book I 4.4.4, 4.4.5): an
/// overflow with `oe` or a tiny result with `ue` delivers the exactly scaled value
/// x · 2^∓alpha rounded instead of the default result (the status keeps the overflow, the
/// tininess and the inexactness of that rounding).
pub fn round_enabled(
    x: QExact,
    fmt: Format,
    mode: QRound,
    oe: bool,
    ue: bool,
) -> (Rounded, QStatus) {
    let (r, st) = round(x, fmt, mode);
    if st.overflow && oe {
        let (r2, st2) = round(x.scaled(-fmt.alpha), fmt, mode);
        return (
            r2,
            QStatus {
                overflow: true,
                ..st2
            },
        );
    }
    if st.tiny && ue {
        let (r2, st2) = round(x.scaled(fmt.alpha), fmt, mode);
        return (
            r2,
            QStatus {
                tiny: true,
                underflow: true,
                ..st2
            },
        );
    }
    (r, st)
}

/// Packs a rounded value into the interchange format `fmt` (the low 1 + ebits + p − 1 bits).
pub fn pack(r: Rounded, fmt: Format) -> u128 {
    let frac_bits = fmt.p - 1;
    let sign_shift = fmt.ebits + frac_bits;
    let emask = (1u128 << fmt.ebits) - 1;
    match r {
        Rounded::Inf(sign) => (u128::from(sign) << sign_shift) | (emask << frac_bits),
        Rounded::Finite { sign, sig, lsb_exp } => {
            let s = u128::from(sign) << sign_shift;
            if sig == 0 {
                return s;
            }
            let msb = 127 - sig.leading_zeros() as i32;
            let e = lsb_exp + msb;
            let bias = (1i32 << (fmt.ebits - 1)) - 1;
            if e < fmt.emin {
                // Subnormal: the least significant bit weighs 2^(emin − p + 1).
                let sh = lsb_exp - (fmt.emin - frac_bits as i32);
                let m = if sh >= 0 { sig << sh } else { sig >> -sh };
                return s | m;
            }
            let m = if msb >= frac_bits as i32 {
                sig >> (msb - frac_bits as i32)
            } else {
                sig << (frac_bits as i32 - msb)
            };
            s | (((e + bias) as u128) << frac_bits) | (m & ((1u128 << frac_bits) - 1))
        }
    }
}

/// Packs a rounded binary128 value; an [`EXTENDED`] result is also held as binary128.
pub fn pack_quad(r: Rounded) -> u128 {
    pack(r, QUAD)
}

/// IEEE class of a binary128 image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QClass {
    /// ±0.
    Zero,
    /// Subnormal.
    Subnormal,
    /// Normal.
    Normal,
    /// ±∞.
    Inf,
    /// Quiet NaN.
    QNaN,
    /// Signalling NaN.
    SNaN,
}

/// binary128 field masks.
pub const SIGN: u128 = 1 << 127;
/// Fraction field.
pub const FRAC: u128 = (1 << 112) - 1;
/// The quiet bit (most significant fraction bit).
pub const QUIET: u128 = 1 << 111;
/// Biased exponent of ∞ and NaNs.
pub const EXP_MAX: u32 = 0x7fff;

/// The biased exponent field.
pub fn biased_exp(bits: u128) -> u32 {
    ((bits >> 112) & 0x7fff) as u32
}

/// The class of `bits`.
pub fn class(bits: u128) -> QClass {
    let e = biased_exp(bits);
    let f = bits & FRAC;
    match (e, f) {
        (0, 0) => QClass::Zero,
        (0, _) => QClass::Subnormal,
        (EXP_MAX, 0) => QClass::Inf,
        (EXP_MAX, f) if f & QUIET != 0 => QClass::QNaN,
        (EXP_MAX, _) => QClass::SNaN,
        _ => QClass::Normal,
    }
}

/// Whether `bits` is a NaN.
pub fn is_nan(bits: u128) -> bool {
    matches!(class(bits), QClass::QNaN | QClass::SNaN)
}

/// The sign bit.
pub fn sign(bits: u128) -> bool {
    bits & SIGN != 0
}

/// A finite nonzero binary128 as an exact value.
pub fn unpack(bits: u128) -> QExact {
    let e = biased_exp(bits) as i32;
    let f = bits & FRAC;
    if e == 0 {
        QExact::new(sign(bits), f, -16494)
    } else {
        QExact::new(sign(bits), f | (1 << 112), e - 16495)
    }
}

/// Exact sum of two finite nonzero values; `None` for an exact zero (whose sign the caller
/// decides by the rounding mode).
pub fn add(a: QExact, b: QExact) -> Option<QExact> {
    // Put the operand with the higher top bit at bit 252 (three guard bits and room for a
    // carry) and align the other to it, collapsing what falls off into the sticky bit.
    let (big, small) = if a.top() >= b.top() { (a, b) } else { (b, a) };
    let up = 252 - (big.mant.bit_len() as i32 - 1);
    let big = shift(big, up);
    let small = shift(small, small.exp - big.exp);
    if big.sign == small.sign {
        return Some(QExact {
            sign: big.sign,
            mant: big.mant.add(small.mant),
            exp: big.exp,
            sticky: big.sticky || small.sticky,
        });
    }
    // Only one of them can carry a sticky bit: the shifted-down small one (big was shifted up
    // unless it already had more than 253 bits, which no caller produces).
    let small_first = big.mant.lt(small.mant) || (big.mant == small.mant && small.sticky);
    let (hi, lo) = if small_first {
        (small, big)
    } else {
        (big, small)
    };
    let mut mant = hi.mant.sub(lo.mant);
    let mut sticky = hi.sticky;
    if lo.sticky && !hi.sticky {
        // Subtracting mant + ε: borrow one unit, the remainder 1 − ε is a nonzero fraction.
        mant = mant.sub(U256::from_u128(1));
        sticky = true;
    }
    if mant.is_zero() && !sticky {
        return None;
    }
    if mant.is_zero() {
        // Only a fraction of the last place is left: the guard bits make this impossible
        // (a sticky operand is shifted past them only when the other dominates).
        mant = U256::from_u128(1);
    }
    Some(QExact {
        sign: hi.sign,
        mant,
        exp: hi.exp,
        sticky,
    })
}

/// Rescales `x` so that its least significant bit weighs 2^(x.exp − k): left for k > 0, right
/// with sticky collapse for k < 0.
fn shift(x: QExact, k: i32) -> QExact {
    if k >= 0 {
        QExact {
            mant: x.mant.shl(k as u32),
            exp: x.exp - k,
            ..x
        }
    } else {
        let n = k.unsigned_abs();
        QExact {
            mant: x.mant.shr(n),
            exp: x.exp - k,
            sticky: x.sticky || x.mant.low_bits_nonzero(n),
            sign: x.sign,
        }
    }
}

/// Exact product of two values with significands below 2^128 (unpacked operands).
pub fn mul(a: QExact, b: QExact) -> QExact {
    QExact {
        sign: a.sign ^ b.sign,
        mant: U256::mul(a.mant.lo, b.mant.lo),
        exp: a.exp + b.exp,
        sticky: a.sticky || b.sticky,
    }
}

/// Normalises a significand below 2^128 so that its top bit is bit `to`.
fn normalise(m: u128, exp: i32, to: u32) -> (u128, i32) {
    let top = 127 - m.leading_zeros();
    if top <= to {
        let s = to - top;
        (m << s, exp - s as i32)
    } else {
        let s = top - to;
        (m >> s, exp + s as i32)
    }
}

/// Quotient a / b of unpacked operands (significands below 2^113, nonzero) to 121 bits and a
/// sticky bit.
pub fn div(a: QExact, b: QExact) -> QExact {
    let (am, ae) = normalise(a.mant.lo, a.exp, 112);
    let (bm, be) = normalise(b.mant.lo, b.exp, 112);
    // Long division: q = floor(am · 2^120 / bm), one quotient bit per step.
    let mut r = am;
    let mut q: u128 = 0;
    for _ in 0..=120 {
        q <<= 1;
        if r >= bm {
            r -= bm;
            q |= 1;
        }
        r <<= 1;
    }
    QExact {
        sign: a.sign ^ b.sign,
        mant: U256::from_u128(q),
        exp: ae - 120 - be,
        sticky: r != 0,
    }
}

/// Square root of a positive unpacked operand (significand below 2^113) to 117 bits and a
/// sticky bit.
pub fn sqrt(a: QExact) -> QExact {
    let (mut m, mut e) = normalise(a.mant.lo, a.exp, 112);
    if e & 1 != 0 {
        m <<= 1;
        e -= 1;
    }
    // Digit-by-digit root of v = m · 2^120 (below 2^234), two bits of v per step.
    let v = U256::from_u128(m).shl(120);
    let mut root: u128 = 0;
    let mut rem: u128 = 0;
    for i in (0..117u32).rev() {
        let pair = (u128::from(v.bit(2 * i + 1)) << 1) | u128::from(v.bit(2 * i));
        rem = (rem << 2) | pair;
        let trial = (root << 2) | 1;
        if rem >= trial {
            rem -= trial;
            root = (root << 1) | 1;
        } else {
            root <<= 1;
        }
    }
    QExact {
        sign: false,
        mant: U256::from_u128(root),
        exp: (e - 120) / 2,
        sticky: rem != 0,
    }
}

/// Rounds a finite value to an integral value in `mode` (exact when already integral):
/// (the integral value, inexact, magnitude increased).
pub fn round_to_integer(x: QExact, mode: QRound) -> (Option<QExact>, bool, bool) {
    if x.exp >= 0 && !x.sticky {
        return (Some(x), false, false);
    }
    let (r, st) = round_at(x, 0, mode);
    let v = (!r.is_zero()).then_some(QExact {
        sign: x.sign,
        mant: r,
        exp: 0,
        sticky: false,
    });
    (v, st.inexact, st.rounded_up)
}

/// Rounds `x` to a multiple of 2^lsb_exp (no precision limit): the multiple's count.
fn round_at(x: QExact, lsb_exp: i32, mode: QRound) -> (U256, QStatus) {
    let mut st = QStatus::default();
    let (kept, half, rest) = if lsb_exp > x.exp {
        let sh = (lsb_exp - x.exp) as u32;
        (
            x.mant.shr(sh),
            x.mant.bit(sh - 1),
            x.mant.low_bits_nonzero(sh - 1) || x.sticky,
        )
    } else {
        (x.mant.shl((x.exp - lsb_exp) as u32), false, x.sticky)
    };
    st.inexact = half || rest;
    let mut kept = kept;
    if rounds_up(mode, x.sign, kept.bit(0), half, rest) {
        kept = kept.add(U256::from_u128(1));
        st.rounded_up = true;
    }
    (kept, st)
}

#[cfg(test)]
mod tests {
    //! The 256-bit helpers against big integers and their own inverses, and the rounding core
    //! against the host's binary64 arithmetic through [`DOUBLE`] (an independent oracle for
    //! the rounding core). The full binary128 operations are checked against an exact
    //! big-rational model in `interp::fp::quad_ref_tests`.
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn mul_matches_big_integers(x in any::<u128>(), y in any::<u128>()) {
            let p = U256::mul(x, y);
            let big = num_bigint::BigUint::from(x) * num_bigint::BigUint::from(y);
            let want = (num_bigint::BigUint::from(p.hi) << 128u32) + num_bigint::BigUint::from(p.lo);
            prop_assert_eq!(big, want);
        }

        #[test]
        fn shifts_round_trip(h in any::<u128>(), l in any::<u128>(), n in 0u32..256) {
            let x = U256 { hi: h, lo: l };
            let y = x.shl(n).shr(n);
            // What survives a left shift then right shift is the low 256 − n bits.
            let mask_kept = if n == 0 { x } else { x.shl(n).shr(n) };
            prop_assert_eq!(y, mask_kept);
            prop_assert_eq!(x.shr(n).shl(n).add(if n == 0 { U256::ZERO } else { x.shl(256 - n).shr(256 - n) }), x);
            prop_assert_eq!(x.low_bits_nonzero(n), n > 0 && !x.shl(256 - n).is_zero());
        }

        #[test]
        fn add_sub_inverse(h in any::<u128>(), l in any::<u128>(), h2 in any::<u128>(), l2 in any::<u128>()) {
            let x = U256 { hi: h >> 1, lo: l };
            let y = U256 { hi: h2 >> 1, lo: l2 };
            prop_assert_eq!(x.add(y).sub(y), x);
            prop_assert_eq!(x.lt(y), (x.hi, x.lo) < (y.hi, y.lo));
        }

        #[test]
        fn double_rounding_matches_host(a in any::<u64>(), b in any::<u64>(), which in 0u8..4) {
            let (x, y) = (f64::from_bits(a), f64::from_bits(b));
            if !x.is_finite() || !y.is_finite() || x == 0.0 || y == 0.0 {
                return Ok(());
            }
            let ua = from_double(a);
            let ub = from_double(b);
            let e = match which {
                0 => match add(ua, ub) { Some(e) => e, None => return Ok(()) },
                1 => mul(ua, ub),
                2 => div(ua, ub),
                _ => {
                    if x < 0.0 { return Ok(()); }
                    sqrt(ua)
                }
            };
            let host = match which { 0 => x + y, 1 => x * y, 2 => x / y, _ => x.sqrt() };
            let (r, _) = round(e, DOUBLE, QRound::Nearest);
            prop_assert_eq!(pack(r, DOUBLE) as u64, host.to_bits());
        }
    }

    fn from_double(bits: u64) -> QExact {
        let e = ((bits >> 52) & 0x7ff) as i32;
        let f = u128::from(bits & ((1 << 52) - 1));
        let s = bits >> 63 != 0;
        if e == 0 {
            QExact::new(s, f, -1074)
        } else {
            QExact::new(s, f | (1 << 52), e - 1075)
        }
    }

    #[test]
    fn quad_constants_round_trip() {
        for bits in [
            0x3fff_0000_0000_0000_0000_0000_0000_0000u128, // 1.0
            0x0000_0000_0000_0000_0000_0000_0000_0001,     // min subnormal
            0x0001_0000_0000_0000_0000_0000_0000_0000,     // min normal
            0x7ffe_ffff_ffff_ffff_ffff_ffff_ffff_ffff,     // max
            0x8000_ffff_ffff_ffff_ffff_ffff_ffff_ffff,     // -max subnormal
        ] {
            let (r, st) = round(unpack(bits), QUAD, QRound::Nearest);
            assert_eq!(pack_quad(r), bits);
            assert!(!st.inexact);
        }
    }

    #[test]
    fn round_to_odd_and_overflow() {
        // 1 + 2^-113 (one half-ulp): odd sets the last bit, nearest-even truncates.
        let one = unpack(0x3fff_0000_0000_0000_0000_0000_0000_0000);
        let tiny = QExact::new(false, 1, -113);
        let s = add(one, tiny).unwrap();
        let (r, st) = round(s, QUAD, QRound::Odd);
        assert_eq!(pack_quad(r), 0x3fff_0000_0000_0000_0000_0000_0000_0001);
        assert!(st.inexact && st.rounded_up);
        let (r, st) = round(s, QUAD, QRound::Nearest);
        assert_eq!(pack_quad(r), 0x3fff_0000_0000_0000_0000_0000_0000_0000);
        assert!(st.inexact && !st.rounded_up);
        let max = unpack(0x7ffe_ffff_ffff_ffff_ffff_ffff_ffff_ffff);
        let big = mul(max, unpack(0x4000_0000_0000_0000_0000_0000_0000_0000));
        let (r, st) = round(big, QUAD, QRound::Odd);
        assert_eq!(pack_quad(r), 0x7ffe_ffff_ffff_ffff_ffff_ffff_ffff_ffff);
        assert!(st.overflow && !st.rounded_up);
        let (r, _) = round(big, QUAD, QRound::Nearest);
        assert_eq!(pack_quad(r), 0x7fff_0000_0000_0000_0000_0000_0000_0000);
        // Enabled overflow: 2·max scaled by 2^-24576.
        let (r, st) = round_enabled(big, QUAD, QRound::Nearest, true, false);
        assert!(st.overflow && !st.inexact);
        assert_eq!(biased_exp(pack_quad(r)), 0x7ffe + 1 - 24576);
    }
}
