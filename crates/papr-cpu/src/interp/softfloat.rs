//! Exact IEEE 754 binary64/binary32 arithmetic with the four rounding modes and the status the
//! FPSCR needs (Power ISA 3.0B Book I 4.3 and 4.4). Results are computed exactly (a sign, a
//! 128-bit significand, an exponent and a sticky bit) and rounded once, so every rounding mode
//! gives the correctly rounded value. Single-precision results are returned in double format
//! (how the FPRs hold them). Tininess is detected before rounding, as on POWER.

pub mod quad;

/// The target precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prec {
    /// binary64.
    Double,
    /// binary32 (returned as a binary64 image).
    Single,
}

impl Prec {
    const fn p(self) -> i32 {
        match self {
            Prec::Double => 53,
            Prec::Single => 24,
        }
    }
    const fn emin(self) -> i32 {
        match self {
            Prec::Double => -1022,
            Prec::Single => -126,
        }
    }
    const fn emax(self) -> i32 {
        match self {
            Prec::Double => 1023,
            Prec::Single => 127,
        }
    }
}

/// FPSCR\[RN] rounding modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Round {
    /// Round to nearest, ties to even.
    Nearest,
    /// Toward zero.
    Zero,
    /// Toward +infinity.
    Up,
    /// Toward −infinity.
    Down,
    /// Nearest, ties away from zero (frin only).
    NearestAway,
}

impl Round {
    /// From FPSCR\[RN].
    pub fn from_rn(rn: u64) -> Self {
        match rn & 3 {
            0 => Round::Nearest,
            1 => Round::Zero,
            2 => Round::Up,
            _ => Round::Down,
        }
    }
}

/// Exception status of one rounding.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Status {
    /// The result is not exact.
    pub inexact: bool,
    /// The rounded result's magnitude exceeds the exact one (FPSCR\[FR]).
    pub rounded_up: bool,
    /// Overflow.
    pub overflow: bool,
    /// Tiny before rounding, and inexact.
    pub underflow: bool,
    /// Tiny before rounding (whether inexact or not).
    pub tiny: bool,
}

/// A finite nonzero value: (−1)^sign × mant × 2^exp, plus a sticky bit standing for nonzero
/// bits below mant's least significant bit.
#[derive(Debug, Clone, Copy)]
pub struct Exact {
    /// Sign.
    pub sign: bool,
    /// Significand (nonzero).
    pub mant: u128,
    /// Exponent of mant's least significant bit.
    pub exp: i32,
    /// Bits below mant's LSB are nonzero.
    pub sticky: bool,
}

/// The maximum finite value of `prec`, as double bits.
fn max_finite(prec: Prec, sign: bool) -> u64 {
    let s = u64::from(sign) << 63;
    match prec {
        Prec::Double => s | 0x7fef_ffff_ffff_ffff,
        Prec::Single => s | 0x47ef_ffff_e000_0000,
    }
}

const INF: u64 = 0x7ff0_0000_0000_0000;

/// Whether rounding `sign` in `mode` increments the magnitude, given the lowest kept bit,
/// the first dropped bit (`half`) and whether anything below it is nonzero (`rest`).
fn round_up(mode: Round, sign: bool, lsb: bool, half: bool, rest: bool) -> bool {
    match mode {
        Round::Nearest => half && (rest || lsb),
        Round::NearestAway => half,
        Round::Zero => false,
        Round::Up => !sign && (half || rest),
        Round::Down => sign && (half || rest),
    }
}

/// Assembles a double image from a normalized significand (`mant` < 2^53, with the implicit
/// bit at 2^52 for normals) and the exponent of its LSB.
fn pack(sign: bool, mant: u64, lsb_exp: i32) -> u64 {
    let s = u64::from(sign) << 63;
    if mant == 0 {
        return s;
    }
    let msb = 63 - mant.leading_zeros() as i32;
    let e = lsb_exp + msb; // value in [2^e, 2^(e+1))
    if e < -1022 {
        // Double subnormal: LSB exponent must be -1074.
        let shift = -1074 - lsb_exp;
        let m = if shift >= 0 {
            mant >> shift
        } else {
            mant << -shift
        };
        return s | m;
    }
    let m = if msb >= 52 {
        mant >> (msb - 52)
    } else {
        mant << (52 - msb)
    };
    s | (((e + 1023) as u64) << 52) | (m & 0x000f_ffff_ffff_ffff)
}

/// Rounds `x` to `prec` in `mode`.
pub fn round(x: Exact, prec: Prec, mode: Round) -> (u64, Status) {
    let mut st = Status::default();
    let msb = 127 - x.mant.leading_zeros() as i32;
    let e = x.exp + msb;
    st.tiny = e < prec.emin();
    // Exponent of the result's LSB.
    let q = e.max(prec.emin()) - (prec.p() - 1);
    let (mut m, half, rest) = if q > x.exp {
        let sh = (q - x.exp) as u32;
        if sh > 128 {
            (0u128, false, true)
        } else if sh == 128 {
            (0u128, x.mant >> 127 != 0, x.mant << 1 != 0 || x.sticky)
        } else {
            let kept = x.mant >> sh;
            let half = (x.mant >> (sh - 1)) & 1 != 0;
            let rest = sh > 1 && x.mant & ((1u128 << (sh - 1)) - 1) != 0;
            (kept, half, rest || x.sticky)
        }
    } else {
        (x.mant << (x.exp - q) as u32, false, x.sticky)
    };
    let inexact = half || rest;
    let mut q = q;
    if round_up(mode, x.sign, m & 1 != 0, half, rest) {
        m += 1;
        st.rounded_up = true;
        if m >> prec.p() != 0 {
            m >>= 1;
            q += 1;
        }
    }
    st.inexact = inexact;
    st.underflow = st.tiny && inexact;
    // Overflow: the rounded value's exponent beyond emax.
    if m != 0 {
        let rmsb = 127 - m.leading_zeros() as i32;
        if q + rmsb > prec.emax() {
            st.overflow = true;
            st.inexact = true;
            let to_inf = match mode {
                Round::Nearest | Round::NearestAway => true,
                Round::Zero => false,
                Round::Up => !x.sign,
                Round::Down => x.sign,
            };
            st.rounded_up = to_inf;
            let v = if to_inf {
                (u64::from(x.sign) << 63) | INF
            } else {
                max_finite(prec, x.sign)
            };
            return (v, st);
        }
    }
    (pack(x.sign, m as u64, q), st)
}

/// IEEE class of a double image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// ±0.
    Zero,
    /// Finite nonzero.
    Finite,
    /// ±∞.
    Inf,
    /// Quiet NaN.
    QNaN,
    /// Signaling NaN.
    SNaN,
}

/// The class of `bits`.
pub fn class(bits: u64) -> Class {
    let exp = (bits >> 52) & 0x7ff;
    let frac = bits & 0x000f_ffff_ffff_ffff;
    match (exp, frac) {
        (0, 0) => Class::Zero,
        (0x7ff, 0) => Class::Inf,
        (0x7ff, f) if f & (1 << 51) != 0 => Class::QNaN,
        (0x7ff, _) => Class::SNaN,
        _ => Class::Finite,
    }
}

/// Whether `bits` is a NaN.
pub fn is_nan(bits: u64) -> bool {
    matches!(class(bits), Class::QNaN | Class::SNaN)
}

/// The sign bit.
pub fn sign(bits: u64) -> bool {
    bits >> 63 != 0
}

/// A finite nonzero double as an exact value.
pub fn unpack(bits: u64) -> Exact {
    let exp = ((bits >> 52) & 0x7ff) as i32;
    let frac = bits & 0x000f_ffff_ffff_ffff;
    let (mant, e) = if exp == 0 {
        (frac, -1074)
    } else {
        (frac | (1 << 52), exp - 1075)
    };
    Exact {
        sign: sign(bits),
        mant: u128::from(mant),
        exp: e,
        sticky: false,
    }
}

/// Shifts `x` right so that its LSB exponent becomes `exp` (> x.exp), keeping a sticky bit.
fn align(x: Exact, exp: i32) -> Exact {
    let sh = exp - x.exp;
    if sh <= 0 {
        return x;
    }
    let (mant, lost) = if sh >= 128 {
        (0, x.mant != 0)
    } else {
        (x.mant >> sh, x.mant & ((1u128 << sh) - 1) != 0)
    };
    Exact {
        sign: x.sign,
        mant,
        exp,
        sticky: x.sticky || lost,
    }
}

/// Exact sum of two finite nonzero values; `None` for an exact zero.
pub fn add_exact(a: Exact, b: Exact) -> Option<Exact> {
    // Bring both to a common LSB exponent, keeping at least 3 guard bits: place the larger
    // operand's MSB at bit 124 and align the other to it.
    let top = |x: &Exact| x.exp + 127 - x.mant.leading_zeros() as i32;
    let (big, small) = if top(&a) >= top(&b) { (a, b) } else { (b, a) };
    let shift_up = 124 - (127 - big.mant.leading_zeros() as i32);
    let big = Exact {
        mant: big.mant << shift_up,
        exp: big.exp - shift_up,
        ..big
    };
    let small = if small.exp < big.exp {
        align(small, big.exp)
    } else {
        let d = (small.exp - big.exp) as u32;
        Exact {
            mant: small.mant << d,
            exp: big.exp,
            ..small
        }
    };
    if big.sign == small.sign {
        Some(Exact {
            sign: big.sign,
            mant: big.mant + small.mant,
            exp: big.exp,
            sticky: small.sticky,
        })
    } else {
        // |big| >= |small| by MSB position; compare fully.
        let (hi, lo) = if big.mant > small.mant || (big.mant == small.mant && !small.sticky) {
            (big, small)
        } else {
            (small, big)
        };
        let mut mant = hi.mant - lo.mant;
        let mut sticky = false;
        if lo.sticky {
            // Subtracting a value with nonzero bits below the LSB: borrow one and keep the
            // remainder as sticky.
            mant -= 1;
            sticky = true;
        }
        if mant == 0 && !sticky {
            return None;
        }
        if mant == 0 {
            // Only sub-LSB bits left: cannot happen with 3 guard bits (the small operand was
            // shifted by more than the guard bits only when the big one dominates).
            mant = 1;
        }
        Some(Exact {
            sign: hi.sign,
            mant,
            exp: hi.exp,
            sticky,
        })
    }
}

/// Exact product.
pub fn mul_exact(a: Exact, b: Exact) -> Exact {
    Exact {
        sign: a.sign ^ b.sign,
        mant: a.mant * b.mant,
        exp: a.exp + b.exp,
        sticky: false,
    }
}

/// Quotient to 64+ significant bits with sticky.
pub fn div_exact(a: Exact, b: Exact) -> Exact {
    // a.mant, b.mant < 2^53: shift a up so the quotient has >= 66 bits.
    let sa = 127 - (127 - a.mant.leading_zeros() as i32);
    let am = a.mant << (sa - 1);
    let q = am / b.mant;
    let r = am % b.mant;
    Exact {
        sign: a.sign ^ b.sign,
        mant: q,
        exp: a.exp - (sa - 1) - b.exp,
        sticky: r != 0,
    }
}

/// Square root of a positive value to 60+ bits with sticky.
pub fn sqrt_exact(a: Exact) -> Exact {
    // Make the exponent even and the significand large: mant * 2^exp with mant ~ 2^120.
    let lz = a.mant.leading_zeros() as i32;
    let mut sh = lz - 6; // mant up to 2^122
    let mut exp = a.exp - sh;
    if exp & 1 != 0 {
        sh -= 1;
        exp += 1;
    }
    let m = if sh >= 0 { a.mant << sh } else { a.mant >> -sh };
    // Integer square root by Newton's method on u128.
    let mut x = (m as f64).sqrt() as u128;
    if x == 0 {
        x = 1;
    }
    for _ in 0..8 {
        let y = (x + m / x) / 2;
        if y == x {
            break;
        }
        x = y;
    }
    while x * x > m {
        x -= 1;
    }
    while (x + 1) * (x + 1) <= m {
        x += 1;
    }
    Exact {
        sign: false,
        mant: x,
        exp: exp / 2,
        sticky: x * x != m,
    }
}

#[cfg(test)]
mod tests {
    //! Round-to-nearest results against the host's IEEE 754 arithmetic (an independent
    //! oracle), and the directed modes against their defining inequalities.
    use super::*;
    use proptest::prelude::*;

    fn op(a: f64, b: f64, which: u8, prec: Prec, mode: Round) -> Option<u64> {
        let (x, y) = (a.to_bits(), b.to_bits());
        if !a.is_finite() || !b.is_finite() || a == 0.0 || b == 0.0 {
            return None;
        }
        let e = match which {
            0 => add_exact(unpack(x), unpack(y))?,
            1 => mul_exact(unpack(x), unpack(y)),
            2 => div_exact(unpack(x), unpack(y)),
            _ => {
                if a < 0.0 {
                    return None;
                }
                sqrt_exact(unpack(x))
            }
        };
        Some(round(e, prec, mode).0)
    }

    fn host(a: f64, b: f64, which: u8) -> f64 {
        match which {
            0 => a + b,
            1 => a * b,
            2 => a / b,
            _ => a.sqrt(),
        }
    }

    fn host32(a: f32, b: f32, which: u8) -> f32 {
        match which {
            0 => a + b,
            1 => a * b,
            2 => a / b,
            _ => a.sqrt(),
        }
    }

    fn any_f64() -> impl Strategy<Value = f64> {
        prop_oneof![
            any::<u64>().prop_map(f64::from_bits),
            (-1e6f64..1e6f64),
            any::<u32>().prop_map(|m| f64::from_bits(u64::from(m))), // denormals
        ]
    }

    proptest! {
        #[test]
        fn nearest_double_matches_host(a in any_f64(), b in any_f64(), which in 0u8..4) {
            if let Some(r) = op(a, b, which, Prec::Double, Round::Nearest) {
                let h = host(a, b, which);
                prop_assert_eq!(r, h.to_bits(), "{} {} op {}", a, b, which);
            }
        }

        #[test]
        fn nearest_single_matches_host(a in any::<f32>(), b in any::<f32>(), which in 0u8..4) {
            if let Some(r) = op(f64::from(a), f64::from(b), which, Prec::Single, Round::Nearest) {
                let h = f64::from(host32(a, b, which));
                prop_assert_eq!(r, h.to_bits(), "{} {} op {}", a, b, which);
            }
        }

        #[test]
        fn directed_modes_bracket_the_exact_value(a in any_f64(), b in any_f64(), which in 0u8..4) {
            let (Some(rn), Some(up), Some(dn), Some(rz)) = (
                op(a, b, which, Prec::Double, Round::Nearest),
                op(a, b, which, Prec::Double, Round::Up),
                op(a, b, which, Prec::Double, Round::Down),
                op(a, b, which, Prec::Double, Round::Zero),
            ) else {
                return Ok(());
            };
            let (rn, up, dn, rz) =
                (f64::from_bits(rn), f64::from_bits(up), f64::from_bits(dn), f64::from_bits(rz));
            prop_assert!(dn <= rn && rn <= up);
            // Up and down are adjacent or equal (equal iff exact).
            if up != dn {
                prop_assert_eq!(dn.next_up(), up);
            }
            prop_assert_eq!(rz, if rn < 0.0 || (rn == 0.0 && up <= 0.0) { up } else { dn });
        }
    }

    #[test]
    fn overflow_and_tininess() {
        let max = f64::MAX.to_bits();
        let x = add_exact(unpack(max), unpack(max)).unwrap();
        let (v, st) = round(x, Prec::Double, Round::Nearest);
        assert_eq!(v, f64::INFINITY.to_bits());
        assert!(st.overflow && st.inexact);
        let (v, _) = round(x, Prec::Double, Round::Zero);
        assert_eq!(v, max);
        let tiny = mul_exact(
            unpack(f64::MIN_POSITIVE.to_bits()),
            unpack(0.5f64.to_bits()),
        );
        let (v, st) = round(tiny, Prec::Double, Round::Nearest);
        assert_eq!(f64::from_bits(v), f64::MIN_POSITIVE / 2.0);
        assert!(st.tiny && !st.underflow && !st.inexact);
    }
}
