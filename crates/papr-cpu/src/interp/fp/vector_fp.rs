//! The VSX vector floating-point instructions and the VSX scalar double/single ones not in
//! [`super`] (Power ISA 3.0B Book I 7.6: xv\*dp / xv\*sp arithmetic, multiply-add, square
//! root, estimates, min/max, compares, round to integral, conversions, data-class tests,
//! exponent/significand extraction and insertion, software divide/square-root tests; the
//! scalar multiply-add forms xs\[n]m\[add|sub]\[a|m]\[dp|sp], the single-precision scalar
//! arithmetic xs\*sp, xsmax/xsmin (plain, type C and type J), xsrdpi\*, xscmp\[eq|gt|ge]dp,
//! xscmpexpdp, xststdc\[dp|sp], xsxexpdp, xsxsigdp, xsiexpdp, xstdivdp, xstsqrtdp; the
//! half-precision conversions xscvdphp, xscvhpdp, xvcvhpsp, xvcvsphp in [`half`]).
//!
//! Every element is computed as its scalar counterpart (exactly, rounded once in FPSCR\[RN],
//! single-precision elements rounded to binary32) with the same special-value rules and NaN
//! order (multiply-add: XA, the addend, the multiplicand). The vector forms then differ from
//! the scalar ones as their "Special Registers Altered" lists say: only the exception bits (and
//! FX, VX, FEX) change — never FPRF, FR or FI — and when any element raises an enabled
//! exception (VE with a VX\* bit, OE with OX, UE with UX, ZE with ZX, XE with XX) VSR\[XT] is
//! not written at all (the `ex_flag` of 7.6's pseudocode), so enabled overflow/underflow never
//! deliver a scaled result. As everywhere in papr, with MSR\[FE0] = MSR\[FE1] = 0 the target is
//! written anyway (QEMU 7.2's behaviour, [`super`]). The compares' Rc forms set CR6 to
//! all-true ‖ 0 ‖ none-true ‖ 0 whether or not the target is written.
//!
//! The VMX floating-point instructions (Book I 6.9) are in [`vmx_fp`]: binary32 in the four
//! words of a VR, round to nearest, no FPSCR, VSCR\[NJ] flushing denormals.
//!
//! Choices where the ISA is silent or leaves a value undefined (QEMU 7.2's choices, so the
//! `vfp` guest's recording stays a complete oracle): the estimates are the correctly rounded
//! 1/x and 1/√x (the latter rounded twice, as frsqrte); words 1 and 3 of xvcvdpsp and the
//! word-result conversions from double (xvcvdp\[s|u]xws) are copies of words 0 and 2;
//! xsrdpic sets XX and FI when inexact and FR to 0.

mod half;
#[cfg(test)]
mod tests;
mod vmx_fp;

use papr_isa::insn::bits;
use papr_isa::{Insn, Opcode};

use super::{
    double_to_single, fprf, fpscr as F, round_integral, single_to_double, to_int, Outcome, Target,
};
use crate::interp::softfloat::{self as sf, Class, Exact, Prec, Round};
use crate::interp::{Bus, Machine, Res};

const SIGN: u64 = 1 << 63;

/// Element format of a vector operation.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Fmt {
    /// Two binary64 doublewords.
    Dp,
    /// Four binary32 words.
    Sp,
}

impl Fmt {
    fn n(self) -> usize {
        match self {
            Fmt::Dp => 2,
            Fmt::Sp => 4,
        }
    }
    fn prec(self) -> Prec {
        match self {
            Fmt::Dp => Prec::Double,
            Fmt::Sp => Prec::Single,
        }
    }
    /// Element `i`'s raw bits.
    fn raw(self, v: u128, i: usize) -> u64 {
        match self {
            Fmt::Dp => (v >> (64 - 64 * i)) as u64,
            Fmt::Sp => u64::from((v >> (96 - 32 * i)) as u32),
        }
    }
    /// Element `i` as a binary64 image (binary32 elements converted exactly).
    fn get(self, v: u128, i: usize) -> u64 {
        match self {
            Fmt::Dp => self.raw(v, i),
            Fmt::Sp => single_to_double(self.raw(v, i) as u32),
        }
    }
    /// Places raw bits `x` in element `i` of `v`.
    fn put_raw(self, v: u128, i: usize, x: u64) -> u128 {
        match self {
            Fmt::Dp => {
                let sh = 64 - 64 * i;
                (v & !(u128::from(u64::MAX) << sh)) | (u128::from(x) << sh)
            }
            Fmt::Sp => {
                let sh = 96 - 32 * i;
                (v & !(u128::from(u32::MAX) << sh)) | (u128::from(x as u32) << sh)
            }
        }
    }
    /// Places the binary64 image `x` in element `i` (converted to binary32 by bit selection
    /// for single elements: `x` is already a single-precision value).
    fn put(self, v: u128, i: usize, x: u64) -> u128 {
        match self {
            Fmt::Dp => self.put_raw(v, i, x),
            Fmt::Sp => self.put_raw(v, i, u64::from(double_to_single(x))),
        }
    }
}

/// Whether `raised` contains an exception `f` enables (the vector forms' `ex_flag`).
fn enabled(raised: u64, f: u64) -> bool {
    (raised & F::VX_ALL != 0 && f & F::VE != 0)
        || (raised & F::OX != 0 && f & F::OE != 0)
        || (raised & F::UX != 0 && f & F::UE != 0)
        || (raised & F::ZX != 0 && f & F::ZE != 0)
        || (raised & F::XX != 0 && f & F::XE != 0)
}

/// The arithmetic of a vector or scalar operation on (A, B, T) elements.
#[derive(Clone, Copy)]
enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    Sqrt,
    /// Multiply-add: `m` = the M form (XT is the multiplicand), `sub`, `neg`.
    Madd {
        m: bool,
        sub: bool,
        neg: bool,
    },
    Re,
    Rsqrte,
    /// 1/√b with the square root rounded to single first (xvrsqrtesp, vrsqrtefp).
    RsqrteSp,
}

/// Maximum/minimum flavours.
#[derive(Clone, Copy, PartialEq, Eq)]
enum MinMax {
    /// xsmaxdp, xvmaxdp: IEEE maxNum/minNum.
    Num,
    /// Type C: (a > b) ? a : b.
    C,
    /// Type J (Java).
    J,
}

fn is_snan(x: u64) -> bool {
    sf::class(x) == Class::SNaN
}

fn quiet(x: u64) -> u64 {
    x | (1 << 51)
}

/// max/min of two binary64 images (`max`), and VXSNAN if an operand is an SNaN (Book I 7.6
/// xsmaxdp, xsmaxcdp, xsmaxjdp tables).
fn min_max(a: u64, b: u64, max: bool, kind: MinMax) -> (u64, u64) {
    let vx = if is_snan(a) || is_snan(b) {
        F::VXSNAN
    } else {
        0
    };
    let (na, nb) = (sf::is_nan(a), sf::is_nan(b));
    let (x, y) = (f64::from_bits(a), f64::from_bits(b));
    let r = match kind {
        MinMax::C => {
            let pick_a = !na && !nb && if max { x > y } else { x < y };
            if pick_a {
                a
            } else {
                b
            }
        }
        MinMax::J | MinMax::Num if na || nb => {
            if kind == MinMax::J {
                if na {
                    a
                } else {
                    b
                }
            } else if vx != 0 {
                // An SNaN: the first NaN operand, quieted.
                quiet(if na { a } else { b })
            } else if na {
                b
            } else {
                a
            }
        }
        _ => {
            if x == y {
                // Equal values: only ±0 differ; max prefers +0, min −0.
                if max {
                    a & b
                } else {
                    a | b
                }
            } else if (x > y) == max {
                a
            } else {
                b
            }
        }
    };
    (r, vx)
}

/// The unbiased exponent of a finite binary64 image (denormals: −1022).
fn exp_of(x: u64) -> i32 {
    let e = ((x >> 52) & 0x7ff) as i32;
    if e == 0 {
        -1022
    } else {
        e - 1023
    }
}

/// Whether a binary64 image is a denormal of the format whose minimum exponent is `emin`
/// (binary32 elements are held as exact binary64 images, normal there).
fn is_denormal(x: u64, emin: i32) -> bool {
    let e = ((x >> 52) & 0x7ff) as i32;
    sf::class(x) == Class::Finite && (e == 0 || e - 1023 < emin)
}

/// xstdivdp / xvtdiv\*: (fe, fg) for a ÷ b with the format's limits (Book I 7.6 xstdivdp).
fn test_div(a: u64, b: u64, fmt: Fmt) -> (bool, bool) {
    // The format's exponent range and stored fraction bits.
    let (emin, emax, nbits) = match fmt {
        Fmt::Dp => (-1022, 1023, 52),
        Fmt::Sp => (-126, 127, 23),
    };
    let (ca, cb) = (sf::class(a), sf::class(b));
    let special = |c: Class| matches!(c, Class::Inf | Class::QNaN | Class::SNaN);
    let (ea, eb) = (exp_of(a), exp_of(b));
    let b_denorm = is_denormal(b, emin);
    let mut fe = special(ca) || special(cb) || cb == Class::Zero;
    let fg = ca == Class::Inf || cb == Class::Inf || cb == Class::Zero || b_denorm;
    if !fe {
        fe = eb <= emin || eb >= emax - 2;
        if ca != Class::Zero {
            let d = ea - eb;
            fe |= d >= emax || d <= emin + 1 || ea <= emin + nbits;
        }
    }
    (fe, fg)
}

/// xstsqrtdp / xvtsqrt\*: (fe, fg).
fn test_sqrt(b: u64, fmt: Fmt) -> (bool, bool) {
    let (emin, nbits) = match fmt {
        Fmt::Dp => (-1022, 52),
        Fmt::Sp => (-126, 23),
    };
    let cb = sf::class(b);
    let eb = exp_of(b);
    let denorm = is_denormal(b, emin);
    let fe = cb != Class::Finite || sf::sign(b) || eb <= emin + nbits;
    let fg = matches!(cb, Class::Inf | Class::Zero) || denorm;
    (fe, fg)
}

/// The data-class bits of a binary64 image as DCMX tests them (Book I 7.6 xststdcdp: NaN,
/// +∞, −∞, +0, −0, +denormal, −denormal); `emin` is the format's (−126 for the sp forms,
/// whose operands are single-precision values).
fn data_class(x: u64, emin: i32) -> u32 {
    let neg = sf::sign(x);
    match sf::class(x) {
        Class::QNaN | Class::SNaN => 0x40,
        Class::Inf => {
            if neg {
                0x10
            } else {
                0x20
            }
        }
        Class::Zero => {
            if neg {
                0x04
            } else {
                0x08
            }
        }
        Class::Finite => {
            let e = ((x >> 52) & 0x7ff) as i32 - 1023;
            if e < emin {
                if neg {
                    0x01
                } else {
                    0x02
                }
            } else {
                0
            }
        }
    }
}

/// Whether a binary64 image converts to binary32 and back unchanged.
fn single_exact(x: u64) -> bool {
    match sf::class(x) {
        Class::Finite => {
            let (_, st) = sf::round(sf::unpack(x), Prec::Single, Round::Nearest);
            !st.inexact && !st.overflow
        }
        Class::QNaN | Class::SNaN => x & 0x1fff_ffff == 0,
        _ => true,
    }
}

/// A vector compare's condition on two elements (NaN: false) and its VX bits.
fn compare(a: u64, b: u64, op: Cmp) -> (bool, u64) {
    let (x, y) = (f64::from_bits(a), f64::from_bits(b));
    let nan = sf::is_nan(a) || sf::is_nan(b);
    let mut vx = if is_snan(a) || is_snan(b) {
        F::VXSNAN
    } else {
        0
    };
    if nan && op != Cmp::Eq {
        vx |= F::VXVC;
    }
    let t = match op {
        Cmp::Eq => x == y,
        Cmp::Gt => x > y,
        Cmp::Ge => x >= y,
    };
    (t, vx)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Eq,
    Gt,
    Ge,
}

/// Integer → floating conversions: the source element width and signedness.
fn int_to_exact(v: u64, width: u32, signed: bool) -> Option<Exact> {
    let (sign, mag) = match (width, signed) {
        (32, true) => {
            let s = v as u32 as i32;
            (s < 0, u64::from(s.unsigned_abs()))
        }
        (32, false) => (false, v & 0xffff_ffff),
        (_, true) => ((v as i64) < 0, (v as i64).unsigned_abs()),
        _ => (false, v),
    };
    (mag != 0).then_some(Exact {
        sign,
        mant: u128::from(mag),
        exp: 0,
        sticky: false,
    })
}

impl<B: Bus> Machine<'_, B> {
    /// One element (or scalar) of an arithmetic operation.
    fn arith(&self, op: Arith, a: u64, b: u64, t: u64, prec: Prec, mode: Round) -> Outcome {
        match op {
            Arith::Add => self.fadd(a, b, prec, mode),
            Arith::Sub => {
                let b = if sf::is_nan(b) { b } else { b ^ SIGN };
                self.fadd(a, b, prec, mode)
            }
            Arith::Mul => self.fmul(a, b, prec, mode),
            Arith::Div => self.fdiv(a, b, prec, mode),
            Arith::Sqrt => self.fsqrt(b, prec, mode),
            Arith::Madd { m, sub, neg } => {
                // A form: XA × XB + XT; M form: XA × XT + XB.
                let (c, addend) = if m { (t, b) } else { (b, t) };
                self.fmadd(a, c, addend, sub, neg, prec, mode)
            }
            Arith::Re => self.recip_estimate(b, prec, mode),
            Arith::Rsqrte => self.rsqrt_estimate(b, prec, Prec::Double, mode),
            Arith::RsqrteSp => self.rsqrt_estimate(b, prec, Prec::Single, mode),
        }
    }

    /// Runs `f` on each element with FPSCR\[OE|UE] hidden (the vector forms never deliver a
    /// scaled result) and collects (result image, raised bits including XX) per element.
    fn elementwise(
        &mut self,
        n: usize,
        mut f: impl FnMut(&Self, usize) -> (u64, u64),
    ) -> ([(u64, u64); 4], u64) {
        let saved = self.cpu.state.fpscr;
        self.cpu.state.fpscr &= !(F::OE | F::UE);
        let mut out = [(0, 0); 4];
        for (i, o) in out.iter_mut().enumerate().take(n) {
            *o = f(self, i);
        }
        self.cpu.state.fpscr = saved;
        (out, saved)
    }

    /// The settled result image of an outcome and its raised bits (XX included; UX also for a
    /// tiny exact result when UE = 1), with FPSCR\[UE] taken from `f` (the FPSCR before the
    /// instruction: [`Machine::elementwise`] hides UE while computing).
    fn settle_elem(&self, out: Outcome, prec: Prec, f: u64) -> (u64, u64) {
        let (v, mut raised, st) = self.settle(out, prec);
        if st.inexact {
            raised |= F::XX;
        }
        if st.tiny && f & F::UE != 0 {
            raised |= F::UX;
        }
        (v, raised)
    }

    /// Finishes a vector instruction: the exception bits of all elements, VSR\[XT] unless an
    /// element raised an enabled exception (and FP interrupts are on), the interrupt.
    fn vector_finish(&mut self, xt: usize, result: u128, raised: u64, ex: bool) -> Res {
        self.fpscr_raise(raised);
        if !(ex && self.fp_interrupts_on()) {
            self.cpu.state.vsr[xt] = result;
        }
        self.fp_interrupt_if_enabled(raised)
    }

    /// An element-wise vector operation: `f(machine, element)` → (result image, raised).
    fn vector_op(
        &mut self,
        insn: Insn,
        fmt: Fmt,
        out_fmt: Fmt,
        f: impl FnMut(&Self, usize) -> (u64, u64),
    ) -> Res {
        let n = fmt.n().max(out_fmt.n());
        let (res, f0) = self.elementwise(n, f);
        let mut v = self.cpu.state.vsr[insn.xt()];
        let (mut raised, mut ex) = (0, false);
        for (i, &(r, x)) in res.iter().enumerate().take(n) {
            v = out_fmt.put(v, i, r);
            raised |= x;
            ex |= enabled(x, f0);
        }
        self.vector_finish(insn.xt(), v, raised, ex)
    }

    fn xv_arith(&mut self, insn: Insn, fmt: Fmt, op: Arith) -> Res {
        let st = &self.cpu.state;
        let (a, b, t) = (st.vsr[insn.xa()], st.vsr[insn.xb()], st.vsr[insn.xt()]);
        let mode = self.rounding();
        let prec = fmt.prec();
        let f0 = self.cpu.state.fpscr;
        self.vector_op(insn, fmt, fmt, |m, i| {
            let out = m.arith(op, fmt.get(a, i), fmt.get(b, i), fmt.get(t, i), prec, mode);
            m.settle_elem(out, prec, f0)
        })
    }

    /// A scalar arithmetic instruction on doubleword 0 (results in double format).
    fn xs_arith(&mut self, insn: Insn, prec: Prec, op: Arith) -> Res {
        let st = &self.cpu.state;
        let a = st.vsr_dword(insn.xa(), 0);
        let b = st.vsr_dword(insn.xb(), 0);
        let t = st.vsr_dword(insn.xt(), 0);
        let out = self.arith(op, a, b, t, prec, self.rounding());
        self.fp_deliver_to(Target::Vsr(insn.xt()), false, out, prec, true)
    }

    /// A result (and its VX bits) of a selection or compare: written unless VE enables one of
    /// the VX bits and FP interrupts are on; FPRF, FR and FI unchanged.
    fn xs_select(&mut self, xt: usize, r: u64, vx: u64) -> Res {
        let f0 = self.cpu.state.fpscr;
        self.fpscr_raise(vx);
        if !(vx != 0 && f0 & F::VE != 0 && self.fp_interrupts_on()) {
            self.write_target(Target::Vsr(xt), r);
        }
        self.fp_interrupt_if_enabled(vx)
    }

    /// Sets CR field `bf` and FPSCR\[FPCC] to `c`.
    fn set_cc(&mut self, bf: u32, c: u8) {
        let f = &mut self.cpu.state.fpscr;
        *f = (*f & !F::FPCC) | (u64::from(c) << 12);
        self.cpu.state.cr.set_field(bf, c);
    }

    /// The VSX floating-point instructions of this module; `None` if `insn` is not one.
    pub(super) fn exec_vsx_fp(&mut self, insn: Insn) -> Option<Res> {
        let op = insn.op;
        let r = if let Some(r) = self.exec_vmx_fp(insn) {
            r
        } else if let Some((fmt, a)) = vector_arith(op) {
            self.vsx_check().and_then(|()| self.xv_arith(insn, fmt, a))
        } else if let Some((prec, a)) = scalar_arith(op) {
            self.vsx_check().and_then(|()| self.xs_arith(insn, prec, a))
        } else {
            let known = self.exec_vsx_other(insn)?;
            match self.vsx_check() {
                Ok(()) => known(self, insn),
                Err(e) => Err(e),
            }
        };
        Some(r)
    }

    /// The remaining instructions: the function executing `insn`, or `None`.
    #[allow(clippy::type_complexity)]
    fn exec_vsx_other(&self, insn: Insn) -> Option<fn(&mut Self, Insn) -> Res> {
        use Opcode as O;
        Some(match insn.op {
            O::Xsmaxdp | O::Xsmindp | O::Xsmaxcdp | O::Xsmincdp | O::Xsmaxjdp | O::Xsminjdp => {
                Self::xs_min_max
            }
            O::Xvmaxdp | O::Xvmindp | O::Xvmaxsp | O::Xvminsp => Self::xv_min_max,
            O::Xsrdpi | O::Xsrdpic | O::Xsrdpim | O::Xsrdpip | O::Xsrdpiz => Self::xs_round,
            O::Xvrdpi
            | O::Xvrdpic
            | O::Xvrdpim
            | O::Xvrdpip
            | O::Xvrdpiz
            | O::Xvrspi
            | O::Xvrspic
            | O::Xvrspim
            | O::Xvrspip
            | O::Xvrspiz => Self::xv_round,
            O::Xscvsxdsp | O::Xscvuxdsp => Self::xs_cvt_int_sp,
            O::Xscmpeqdp | O::Xscmpgtdp | O::Xscmpgedp => Self::xs_cmp,
            O::Xvcmpeqdp
            | O::Xvcmpgtdp
            | O::Xvcmpgedp
            | O::Xvcmpeqsp
            | O::Xvcmpgtsp
            | O::Xvcmpgesp => Self::xv_cmp,
            O::Xscmpexpdp => Self::xs_cmpexp,
            O::Xststdcdp | O::Xststdcsp => Self::xs_tstdc,
            O::Xvtstdcdp | O::Xvtstdcsp => Self::xv_tstdc,
            O::Xsxexpdp | O::Xsxsigdp => Self::xs_extract,
            O::Xsiexpdp => Self::xs_iexp,
            O::Xvxexpdp | O::Xvxsigdp | O::Xviexpdp | O::Xvxexpsp | O::Xvxsigsp | O::Xviexpsp => {
                Self::xv_bits
            }
            O::Xstdivdp | O::Xstsqrtdp => Self::xs_tdiv,
            O::Xvtdivdp | O::Xvtsqrtdp | O::Xvtdivsp | O::Xvtsqrtsp => Self::xv_tdiv,
            O::Xvcvdpsp | O::Xvcvspdp => Self::xv_cvt_fp,
            O::Xscvdphp | O::Xscvhpdp => Self::xs_cvt_half,
            O::Xvcvhpsp | O::Xvcvsphp => Self::xv_cvt_half,
            O::Xvcvdpsxds
            | O::Xvcvdpuxds
            | O::Xvcvdpsxws
            | O::Xvcvdpuxws
            | O::Xvcvspsxds
            | O::Xvcvspuxds
            | O::Xvcvspsxws
            | O::Xvcvspuxws => Self::xv_cvt_to_int,
            O::Xvcvsxddp
            | O::Xvcvuxddp
            | O::Xvcvsxwdp
            | O::Xvcvuxwdp
            | O::Xvcvsxdsp
            | O::Xvcvuxdsp
            | O::Xvcvsxwsp
            | O::Xvcvuxwsp => Self::xv_cvt_from_int,
            _ => return None,
        })
    }

    fn xs_min_max(&mut self, insn: Insn) -> Res {
        use Opcode as O;
        let (max, kind) = match insn.op {
            O::Xsmaxdp => (true, MinMax::Num),
            O::Xsmindp => (false, MinMax::Num),
            O::Xsmaxcdp => (true, MinMax::C),
            O::Xsmincdp => (false, MinMax::C),
            O::Xsmaxjdp => (true, MinMax::J),
            _ => (false, MinMax::J),
        };
        let a = self.cpu.state.vsr_dword(insn.xa(), 0);
        let b = self.cpu.state.vsr_dword(insn.xb(), 0);
        let (r, vx) = min_max(a, b, max, kind);
        self.xs_select(insn.xt(), r, vx)
    }

    fn xv_min_max(&mut self, insn: Insn) -> Res {
        use Opcode as O;
        let fmt = if matches!(insn.op, O::Xvmaxdp | O::Xvmindp) {
            Fmt::Dp
        } else {
            Fmt::Sp
        };
        let max = matches!(insn.op, O::Xvmaxdp | O::Xvmaxsp);
        let (a, b) = (self.cpu.state.vsr[insn.xa()], self.cpu.state.vsr[insn.xb()]);
        self.vector_op(insn, fmt, fmt, |_, i| {
            min_max(fmt.get(a, i), fmt.get(b, i), max, MinMax::Num)
        })
    }

    /// Round to integral: (mode, sets XX when inexact).
    fn round_mode(&self, op: Opcode) -> (Round, bool) {
        use Opcode as O;
        match op {
            O::Xsrdpi | O::Xvrdpi | O::Xvrspi => (Round::NearestAway, false),
            O::Xsrdpic | O::Xvrdpic | O::Xvrspic => (self.rounding(), true),
            O::Xsrdpim | O::Xvrdpim | O::Xvrspim => (Round::Down, false),
            O::Xsrdpip | O::Xvrdpip | O::Xvrspip => (Round::Up, false),
            _ => (Round::Zero, false),
        }
    }

    fn xs_round(&mut self, insn: Insn) -> Res {
        let b = self.cpu.state.vsr_dword(insn.xb(), 0);
        let (mode, xx) = self.round_mode(insn.op);
        let (r, raised, inexact) = round_elem(b, mode, xx);
        let write = self.fp_round_status(raised, inexact, false);
        if write {
            self.write_target(Target::Vsr(insn.xt()), r);
            let f = &mut self.cpu.state.fpscr;
            *f = (*f & !F::FPRF) | fprf(r, Prec::Double);
        }
        self.fp_interrupt_if_enabled(raised | if inexact { F::XX } else { 0 })
    }

    fn xv_round(&mut self, insn: Insn) -> Res {
        use Opcode as O;
        let fmt = if matches!(
            insn.op,
            O::Xvrdpi | O::Xvrdpic | O::Xvrdpim | O::Xvrdpip | O::Xvrdpiz
        ) {
            Fmt::Dp
        } else {
            Fmt::Sp
        };
        let b = self.cpu.state.vsr[insn.xb()];
        let (mode, xx) = self.round_mode(insn.op);
        self.vector_op(insn, fmt, fmt, |_, i| {
            let (r, raised, inexact) = round_elem(fmt.get(b, i), mode, xx);
            (r, raised | if inexact { F::XX } else { 0 })
        })
    }

    fn xs_cvt_int_sp(&mut self, insn: Insn) -> Res {
        let b = self.cpu.state.vsr_dword(insn.xb(), 0);
        let signed = insn.op == Opcode::Xscvsxdsp;
        self.fcfid_to(Target::Vsr(insn.xt()), false, b, signed, Prec::Single)
    }

    fn cmp_kind(op: Opcode) -> Cmp {
        use Opcode as O;
        match op {
            O::Xscmpeqdp | O::Xvcmpeqdp | O::Xvcmpeqsp => Cmp::Eq,
            O::Xscmpgtdp | O::Xvcmpgtdp | O::Xvcmpgtsp => Cmp::Gt,
            _ => Cmp::Ge,
        }
    }

    fn xs_cmp(&mut self, insn: Insn) -> Res {
        let a = self.cpu.state.vsr_dword(insn.xa(), 0);
        let b = self.cpu.state.vsr_dword(insn.xb(), 0);
        let (t, vx) = compare(a, b, Self::cmp_kind(insn.op));
        self.xs_select(insn.xt(), if t { u64::MAX } else { 0 }, vx)
    }

    fn xv_cmp(&mut self, insn: Insn) -> Res {
        use Opcode as O;
        let fmt = if matches!(insn.op, O::Xvcmpeqdp | O::Xvcmpgtdp | O::Xvcmpgedp) {
            Fmt::Dp
        } else {
            Fmt::Sp
        };
        let kind = Self::cmp_kind(insn.op);
        let (a, b) = (self.cpu.state.vsr[insn.xa()], self.cpu.state.vsr[insn.xb()]);
        let f0 = self.cpu.state.fpscr;
        let (mut v, mut vx, mut all, mut none) = (0u128, 0, true, true);
        for i in 0..fmt.n() {
            let (t, x) = compare(fmt.get(a, i), fmt.get(b, i), kind);
            v = fmt.put_raw(v, i, if t { u64::MAX } else { 0 });
            vx |= x;
            all &= t;
            none &= !t;
        }
        if insn.rc_vx() {
            let c = (u8::from(all) << 3) | (u8::from(none) << 1);
            self.cpu.state.cr.set_field(6, c);
        }
        self.vector_finish(insn.xt(), v, vx, enabled(vx, f0))
    }

    fn xs_cmpexp(&mut self, insn: Insn) -> Res {
        let a = self.cpu.state.vsr_dword(insn.xa(), 0);
        let b = self.cpu.state.vsr_dword(insn.xb(), 0);
        let c = if sf::is_nan(a) || sf::is_nan(b) {
            0b0001
        } else {
            let (ea, eb) = ((a >> 52) & 0x7ff, (b >> 52) & 0x7ff);
            match ea.cmp(&eb) {
                std::cmp::Ordering::Less => 0b1000,
                std::cmp::Ordering::Greater => 0b0100,
                std::cmp::Ordering::Equal => 0b0010,
            }
        };
        self.set_cc(insn.bf() as u32, c);
        Ok(())
    }

    fn xs_tstdc(&mut self, insn: Insn) -> Res {
        let b = self.cpu.state.vsr_dword(insn.xb(), 0);
        let dcmx = bits(insn.word, 9, 15);
        let emin = if insn.op == Opcode::Xststdcsp {
            -126
        } else {
            -1022
        };
        let m = data_class(b, emin) & dcmx != 0;
        // xststdcsp's last bit: the operand is not representable in single precision.
        let not_sp = insn.op == Opcode::Xststdcsp && !single_exact(b);
        let c = (u8::from(sf::sign(b)) << 3) | (u8::from(m) << 1) | u8::from(not_sp);
        self.set_cc(insn.bf() as u32, c);
        Ok(())
    }

    fn xv_tstdc(&mut self, insn: Insn) -> Res {
        let w = insn.word;
        let dcmx = (w & 0x40) | ((w << 3) & 0x20) | bits(w, 11, 15);
        let (fmt, emin) = if insn.op == Opcode::Xvtstdcdp {
            (Fmt::Dp, -1022)
        } else {
            (Fmt::Sp, -126)
        };
        let b = self.cpu.state.vsr[insn.xb()];
        let mut v = 0u128;
        for i in 0..fmt.n() {
            let m = data_class(fmt.get(b, i), emin) & dcmx != 0;
            v = fmt.put_raw(v, i, if m { u64::MAX } else { 0 });
        }
        self.cpu.state.vsr[insn.xt()] = v;
        Ok(())
    }

    fn xs_extract(&mut self, insn: Insn) -> Res {
        let b = self.cpu.state.vsr_dword(insn.xb(), 0);
        let e = (b >> 52) & 0x7ff;
        self.cpu.state.gpr[insn.rt()] = if insn.op == Opcode::Xsxexpdp {
            e
        } else {
            let implicit = u64::from(e != 0 && e != 0x7ff) << 52;
            (b & 0x000f_ffff_ffff_ffff) | implicit
        };
        Ok(())
    }

    fn xs_iexp(&mut self, insn: Insn) -> Res {
        let (a, b) = (self.cpu.state.gpr[insn.ra()], self.cpu.state.gpr[insn.rb()]);
        let v = (a & 0x800f_ffff_ffff_ffff) | ((b & 0x7ff) << 52);
        self.write_target(Target::Vsr(insn.xt()), v);
        Ok(())
    }

    fn xv_bits(&mut self, insn: Insn) -> Res {
        use Opcode as O;
        let (fmt, ebits, fbits) = match insn.op {
            O::Xvxexpdp | O::Xvxsigdp | O::Xviexpdp => (Fmt::Dp, 11, 52),
            _ => (Fmt::Sp, 8, 23),
        };
        let (a, b) = (self.cpu.state.vsr[insn.xa()], self.cpu.state.vsr[insn.xb()]);
        let emask = (1u64 << ebits) - 1;
        let fmask = (1u64 << fbits) - 1;
        let mut v = 0u128;
        for i in 0..fmt.n() {
            let x = fmt.raw(b, i);
            let e = (x >> fbits) & emask;
            let r = match insn.op {
                O::Xvxexpdp | O::Xvxexpsp => e,
                O::Xvxsigdp | O::Xvxsigsp => {
                    (x & fmask) | (u64::from(e != 0 && e != emask) << fbits)
                }
                _ => {
                    let s = fmt.raw(a, i);
                    (s & !(emask << fbits)) | ((x & emask) << fbits)
                }
            };
            v = fmt.put_raw(v, i, r);
        }
        self.cpu.state.vsr[insn.xt()] = v;
        Ok(())
    }

    fn xs_tdiv(&mut self, insn: Insn) -> Res {
        let a = self.cpu.state.vsr_dword(insn.xa(), 0);
        let b = self.cpu.state.vsr_dword(insn.xb(), 0);
        let (fe, fg) = if insn.op == Opcode::Xstdivdp {
            test_div(a, b, Fmt::Dp)
        } else {
            test_sqrt(b, Fmt::Dp)
        };
        let c = 0b1000 | (u8::from(fg) << 2) | (u8::from(fe) << 1);
        self.cpu.state.cr.set_field(insn.bf() as u32, c);
        Ok(())
    }

    fn xv_tdiv(&mut self, insn: Insn) -> Res {
        use Opcode as O;
        let fmt = if matches!(insn.op, O::Xvtdivdp | O::Xvtsqrtdp) {
            Fmt::Dp
        } else {
            Fmt::Sp
        };
        let div = matches!(insn.op, O::Xvtdivdp | O::Xvtdivsp);
        let (a, b) = (self.cpu.state.vsr[insn.xa()], self.cpu.state.vsr[insn.xb()]);
        let (mut fe, mut fg) = (false, false);
        for i in 0..fmt.n() {
            let (e, g) = if div {
                test_div(fmt.get(a, i), fmt.get(b, i), fmt)
            } else {
                test_sqrt(fmt.get(b, i), fmt)
            };
            fe |= e;
            fg |= g;
        }
        let c = 0b1000 | (u8::from(fg) << 2) | (u8::from(fe) << 1);
        self.cpu.state.cr.set_field(insn.bf() as u32, c);
        Ok(())
    }

    fn xv_cvt_fp(&mut self, insn: Insn) -> Res {
        let b = self.cpu.state.vsr[insn.xb()];
        let mode = self.rounding();
        let f0 = self.cpu.state.fpscr;
        if insn.op == Opcode::Xvcvdpsp {
            // Doubleword i → word 2i, copied into word 2i + 1.
            self.vector_op(insn, Fmt::Sp, Fmt::Sp, |m, i| {
                let out = m.frsp(Fmt::Dp.get(b, i / 2), mode);
                m.settle_elem(out, Prec::Single, f0)
            })
        } else {
            // Word 2i → doubleword i, exact; an SNaN is quieted with VXSNAN.
            self.vector_op(insn, Fmt::Dp, Fmt::Dp, |_, i| {
                let d = Fmt::Sp.get(b, 2 * i);
                if is_snan(d) {
                    (quiet(d), F::VXSNAN)
                } else {
                    (d, 0)
                }
            })
        }
    }

    fn xv_cvt_to_int(&mut self, insn: Insn) -> Res {
        use Opcode as O;
        let op = insn.op;
        let src = if matches!(
            op,
            O::Xvcvdpsxds | O::Xvcvdpuxds | O::Xvcvdpsxws | O::Xvcvdpuxws
        ) {
            Fmt::Dp
        } else {
            Fmt::Sp
        };
        let width = if matches!(
            op,
            O::Xvcvdpsxds | O::Xvcvdpuxds | O::Xvcvspsxds | O::Xvcvspuxds
        ) {
            64
        } else {
            32
        };
        let signed = matches!(
            op,
            O::Xvcvdpsxds | O::Xvcvdpsxws | O::Xvcvspsxds | O::Xvcvspsxws
        );
        let dst = if width == 64 { Fmt::Dp } else { Fmt::Sp };
        let b = self.cpu.state.vsr[insn.xb()];
        let n = dst.n();
        self.vector_op_raw(insn, n, dst, |i| {
            // Source element of result element i: dp → words take doubleword i/2 (copied
            // into both words), sp → doublewords take word 2i.
            let x = match (src, dst) {
                (Fmt::Dp, Fmt::Sp) => src.get(b, i / 2),
                (Fmt::Sp, Fmt::Dp) => src.get(b, 2 * i),
                _ => src.get(b, i),
            };
            let (v, raised, inexact, _) = to_int(x, Round::Zero, width, signed);
            (v as u64, raised | if inexact { F::XX } else { 0 })
        })
    }

    fn xv_cvt_from_int(&mut self, insn: Insn) -> Res {
        use Opcode as O;
        let op = insn.op;
        let (src_w, signed) = match op {
            O::Xvcvsxddp | O::Xvcvsxdsp => (64, true),
            O::Xvcvuxddp | O::Xvcvuxdsp => (64, false),
            O::Xvcvsxwdp | O::Xvcvsxwsp => (32, true),
            _ => (32, false),
        };
        let dst = if matches!(
            op,
            O::Xvcvsxddp | O::Xvcvuxddp | O::Xvcvsxwdp | O::Xvcvuxwdp
        ) {
            Fmt::Dp
        } else {
            Fmt::Sp
        };
        let b = self.cpu.state.vsr[insn.xb()];
        let mode = self.rounding();
        let prec = dst.prec();
        let f0 = self.cpu.state.fpscr;
        self.vector_op(insn, dst, dst, |m, i| {
            let x = match (src_w, dst) {
                (64, Fmt::Sp) => Fmt::Dp.raw(b, i / 2),
                (64, _) => Fmt::Dp.raw(b, i),
                (_, Fmt::Dp) => Fmt::Sp.raw(b, 2 * i),
                _ => Fmt::Sp.raw(b, i),
            };
            let out = match int_to_exact(x, src_w, signed) {
                Some(e) => m.round_value(e, prec, mode),
                None => Outcome::Value(0, sf::Status::default()),
            };
            m.settle_elem(out, prec, f0)
        })
    }

    /// An element-wise operation producing raw element bits (integer results).
    fn vector_op_raw(
        &mut self,
        insn: Insn,
        n: usize,
        fmt: Fmt,
        mut f: impl FnMut(usize) -> (u64, u64),
    ) -> Res {
        let f0 = self.cpu.state.fpscr;
        let mut v = self.cpu.state.vsr[insn.xt()];
        let (mut raised, mut ex) = (0, false);
        for i in 0..n {
            let (r, x) = f(i);
            v = fmt.put_raw(v, i, r);
            raised |= x;
            ex |= enabled(x, f0);
        }
        self.vector_finish(insn.xt(), v, raised, ex)
    }
}

/// One element of a round-to-integral instruction: (result, raised bits, inexact) — XX only
/// for the `c` forms (`xx`).
fn round_elem(b: u64, mode: Round, xx: bool) -> (u64, u64, bool) {
    match sf::class(b) {
        Class::SNaN => (quiet(b), F::VXSNAN, false),
        Class::Finite => {
            let (r, inexact) = round_integral(b, mode);
            (r, 0, inexact && xx)
        }
        _ => (b, 0, false),
    }
}

/// The element format and arithmetic of the vector arithmetic instructions.
fn vector_arith(op: Opcode) -> Option<(Fmt, Arith)> {
    use Opcode as O;
    let madd = |m, sub, neg| Arith::Madd { m, sub, neg };
    Some(match op {
        O::Xvadddp => (Fmt::Dp, Arith::Add),
        O::Xvsubdp => (Fmt::Dp, Arith::Sub),
        O::Xvmuldp => (Fmt::Dp, Arith::Mul),
        O::Xvdivdp => (Fmt::Dp, Arith::Div),
        O::Xvsqrtdp => (Fmt::Dp, Arith::Sqrt),
        O::Xvredp => (Fmt::Dp, Arith::Re),
        O::Xvrsqrtedp => (Fmt::Dp, Arith::Rsqrte),
        O::Xvmaddadp => (Fmt::Dp, madd(false, false, false)),
        O::Xvmaddmdp => (Fmt::Dp, madd(true, false, false)),
        O::Xvmsubadp => (Fmt::Dp, madd(false, true, false)),
        O::Xvmsubmdp => (Fmt::Dp, madd(true, true, false)),
        O::Xvnmaddadp => (Fmt::Dp, madd(false, false, true)),
        O::Xvnmaddmdp => (Fmt::Dp, madd(true, false, true)),
        O::Xvnmsubadp => (Fmt::Dp, madd(false, true, true)),
        O::Xvnmsubmdp => (Fmt::Dp, madd(true, true, true)),
        O::Xvaddsp => (Fmt::Sp, Arith::Add),
        O::Xvsubsp => (Fmt::Sp, Arith::Sub),
        O::Xvmulsp => (Fmt::Sp, Arith::Mul),
        O::Xvdivsp => (Fmt::Sp, Arith::Div),
        O::Xvsqrtsp => (Fmt::Sp, Arith::Sqrt),
        O::Xvresp => (Fmt::Sp, Arith::Re),
        O::Xvrsqrtesp => (Fmt::Sp, Arith::RsqrteSp),
        O::Xvmaddasp => (Fmt::Sp, madd(false, false, false)),
        O::Xvmaddmsp => (Fmt::Sp, madd(true, false, false)),
        O::Xvmsubasp => (Fmt::Sp, madd(false, true, false)),
        O::Xvmsubmsp => (Fmt::Sp, madd(true, true, false)),
        O::Xvnmaddasp => (Fmt::Sp, madd(false, false, true)),
        O::Xvnmaddmsp => (Fmt::Sp, madd(true, false, true)),
        O::Xvnmsubasp => (Fmt::Sp, madd(false, true, true)),
        O::Xvnmsubmsp => (Fmt::Sp, madd(true, true, true)),
        _ => return None,
    })
}

/// The precision and arithmetic of the scalar arithmetic instructions of this module.
fn scalar_arith(op: Opcode) -> Option<(Prec, Arith)> {
    use Opcode as O;
    let madd = |m, sub, neg| Arith::Madd { m, sub, neg };
    let (d, s) = (Prec::Double, Prec::Single);
    Some(match op {
        O::Xsaddsp => (s, Arith::Add),
        O::Xssubsp => (s, Arith::Sub),
        O::Xsmulsp => (s, Arith::Mul),
        O::Xsdivsp => (s, Arith::Div),
        O::Xssqrtsp => (s, Arith::Sqrt),
        O::Xsresp => (s, Arith::Re),
        O::Xsrsqrtesp => (s, Arith::Rsqrte),
        O::Xsredp => (d, Arith::Re),
        O::Xsrsqrtedp => (d, Arith::Rsqrte),
        O::Xsmaddadp => (d, madd(false, false, false)),
        O::Xsmaddmdp => (d, madd(true, false, false)),
        O::Xsmsubadp => (d, madd(false, true, false)),
        O::Xsmsubmdp => (d, madd(true, true, false)),
        O::Xsnmaddadp => (d, madd(false, false, true)),
        O::Xsnmaddmdp => (d, madd(true, false, true)),
        O::Xsnmsubadp => (d, madd(false, true, true)),
        O::Xsnmsubmdp => (d, madd(true, true, true)),
        O::Xsmaddasp => (s, madd(false, false, false)),
        O::Xsmaddmsp => (s, madd(true, false, false)),
        O::Xsmsubasp => (s, madd(false, true, false)),
        O::Xsmsubmsp => (s, madd(true, true, false)),
        O::Xsnmaddasp => (s, madd(false, false, true)),
        O::Xsnmaddmsp => (s, madd(true, false, true)),
        O::Xsnmsubasp => (s, madd(false, true, true)),
        O::Xsnmsubmsp => (s, madd(true, true, true)),
        _ => return None,
    })
}
