//! The VSX vector/scalar and VMX floating-point instructions of [`super`], executed by the
//! interpreter, against independent references: the exact rational model of
//! `quad_ref_tests` (big-integer rationals rounded to binary64/binary32 in each FPSCR mode,
//! tininess before rounding) for the arithmetic, and the host's IEEE 754 comparisons,
//! conversions and round-to-integral functions for the rest. Element by element: results,
//! the FPSCR exception bits, FX/VX/FEX, and FR/FI/FPRF (unchanged by the vector forms).

use num_bigint::{BigInt, Sign};
use papr_isa::{decode, Opcode};
use proptest::prelude::*;

use super::super::quad_ref_tests::{
    any_double, classify_fprf, rat_add, round_to, Fmt, Mag, Rnd, DF, FEX, FI, FR, FX, HF, OE, OX,
    SF, UE, UX, V, VX, VXALL, VXCVI, VXIDI, VXIMZ, VXISI, VXSNAN, VXSQRT, VXVC, VXZDZ, XX, ZX,
};
use super::super::vsx_scalar_tests::one_insn;
use crate::interp::Interpreter;
use crate::state::msr;
use crate::Cpu;

const FPRF: u64 = 0x1f << 12;
const VE: u64 = 1 << 7;
const ZE: u64 = 1 << 4;
const XE: u64 = 1 << 3;

// ---------------------------------------------------------------------------------------------
// The reference.

#[derive(Clone, Copy, Debug)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Sqrt,
    /// ±(a × b ± c).
    Madd {
        sub: bool,
        neg: bool,
    },
}

fn quiet_bit(f: Fmt) -> u128 {
    1 << (f.fbits - 1)
}

fn is_nan(f: Fmt, x: u128) -> bool {
    matches!(f.decode(x), V::NaN)
}

fn is_snan(f: Fmt, x: u128) -> bool {
    is_nan(f, x) && x & quiet_bit(f) == 0
}

fn sign_of(f: Fmt, x: u128) -> bool {
    x & (1 << (f.ebits + f.fbits)) != 0
}

/// The rational of a finite value (zero included).
fn rat(v: &V) -> Option<(BigInt, BigInt)> {
    match v {
        V::Fin(n, d) => Some((n.clone(), d.clone())),
        V::Zero(_) => Some((BigInt::from(0u8), BigInt::from(1u8))),
        _ => None,
    }
}

#[allow(clippy::too_many_arguments)] // three operands, two formats, mode, UE
/// One element: operands in `fin`, rounded to `fout` in mode `rn` without OE/UE scaling.
/// Returns (result image in `fin`'s format, raised exception bits, rounding status).
fn ref_elem(
    op: Op,
    a: u128,
    b: u128,
    c: u128,
    fin: Fmt,
    fout: Fmt,
    rn: u8,
    ue: bool,
) -> (u128, u64, Rnd) {
    let none = Rnd::default();
    let dnan = fin.inf(false) | quiet_bit(fin);
    let ops: Vec<u128> = match op {
        Op::Sqrt => vec![b],
        Op::Madd { .. } => vec![a, c, b],
        _ => vec![a, b],
    };
    let (x, y) = (fin.decode(a), fin.decode(b));
    let imz = matches!(op, Op::Madd { .. })
        && matches!((&x, &y), (V::Inf(_), V::Zero(_)) | (V::Zero(_), V::Inf(_)));
    if let Some(&n) = ops.iter().find(|&&o| is_nan(fin, o)) {
        let snan = ops.iter().any(|&o| is_snan(fin, o));
        let vx = if snan { VXSNAN } else { 0 } | if imz { VXIMZ } else { 0 };
        return (n | quiet_bit(fin), vx, none);
    }
    let rm = rn == 3;
    // Rounds an exact rational (zero: `zero_sign`) to fout and back to fin's layout.
    let round = |n: BigInt, d: BigInt, zero_sign: bool| -> (u128, u64, Rnd) {
        if n.sign() == Sign::NoSign {
            return (fin.zero(zero_sign), 0, none);
        }
        let sign = n.sign() == Sign::Minus;
        let mag = Mag::Rat(n.magnitude().clone(), d.magnitude().clone());
        let (bits, r) = round_to(sign, &mag, 0, fout, rn);
        (to_fin(bits, fin, fout), raised_of(r, ue), r)
    };
    let inf = |s: bool| (fin.inf(s), 0, none);
    let zero = |s: bool| (fin.zero(s), 0, none);
    let invalid = |vx: u64| (dnan, vx, none);
    let sa = sign_of(fin, a);
    let sb = sign_of(fin, b);
    match op {
        Op::Add | Op::Sub => {
            let y = if matches!(op, Op::Sub) { neg_v(y) } else { y };
            match (x, y) {
                (V::Inf(s), V::Inf(t)) if s != t => invalid(VXISI),
                (V::Inf(s), _) | (_, V::Inf(s)) => inf(s),
                (V::Zero(s), V::Zero(t)) => zero(if s == t { s } else { rm }),
                (p, q) => {
                    let (n, d) = rat_add(rat(&p).expect("finite"), rat(&q).expect("finite"));
                    round(n, d, rm)
                }
            }
        }
        Op::Mul => match (x, y) {
            (V::Inf(_), V::Zero(_)) | (V::Zero(_), V::Inf(_)) => invalid(VXIMZ),
            (V::Inf(_), _) | (_, V::Inf(_)) => inf(sa ^ sb),
            (V::Zero(_), _) | (_, V::Zero(_)) => zero(sa ^ sb),
            (V::Fin(n1, d1), V::Fin(n2, d2)) => round(n1 * n2, d1 * d2, false),
            _ => unreachable!(),
        },
        Op::Div => match (x, y) {
            (V::Inf(_), V::Inf(_)) => invalid(VXIDI),
            (V::Zero(_), V::Zero(_)) => invalid(VXZDZ),
            (V::Inf(_), _) => inf(sa ^ sb),
            (_, V::Inf(_)) | (V::Zero(_), _) => zero(sa ^ sb),
            (_, V::Zero(_)) => (fin.inf(sa ^ sb), ZX, none),
            (V::Fin(n1, d1), V::Fin(n2, d2)) => {
                let (n, d) = (n1 * &d2, d1 * n2);
                let (n, d) = if d.sign() == Sign::Minus {
                    (-n, -d)
                } else {
                    (n, d)
                };
                round(n, d, false)
            }
            _ => unreachable!(),
        },
        Op::Sqrt => match y {
            V::Zero(s) => zero(s),
            V::Inf(false) => inf(false),
            V::Inf(true) => invalid(VXSQRT),
            V::Fin(n, _) if n.sign() == Sign::Minus => invalid(VXSQRT),
            V::Fin(n, d) => {
                let mag = Mag::Sqrt(n.magnitude().clone(), d.magnitude().clone());
                let (bits, r) = round_to(false, &mag, 0, fout, rn);
                (to_fin(bits, fin, fout), raised_of(r, ue), r)
            }
            V::NaN => unreachable!(),
        },
        Op::Madd { sub, neg } => {
            if imz {
                return invalid(VXIMZ);
            }
            let t = fin.decode(c);
            let t = if sub { neg_v(t) } else { t };
            let ps = sa ^ sb;
            let out = match (&x, &y, t) {
                (V::Inf(_), _, V::Inf(ts)) | (_, V::Inf(_), V::Inf(ts)) if ts != ps => {
                    return invalid(VXISI)
                }
                (V::Inf(_), _, _) | (_, V::Inf(_), _) => inf(ps),
                (_, _, V::Inf(ts)) => inf(ts),
                (V::Zero(_), _, V::Zero(ts)) | (_, V::Zero(_), V::Zero(ts)) => {
                    zero(if ts == ps { ps } else { rm })
                }
                (p, q, t) => {
                    let (n1, d1) = rat(p).expect("finite");
                    let (n2, d2) = rat(q).expect("finite");
                    let (n, d) = rat_add((n1 * n2, d1 * d2), rat(&t).expect("finite"));
                    round(n, d, rm)
                }
            };
            if neg {
                (out.0 ^ (1 << (fin.ebits + fin.fbits)), out.1, out.2)
            } else {
                out
            }
        }
    }
}

fn neg_v(v: V) -> V {
    match v {
        V::Inf(s) => V::Inf(!s),
        V::Zero(s) => V::Zero(!s),
        V::Fin(n, d) => V::Fin(-n, d),
        n => n,
    }
}

/// A value rounded to `fout` (image there) as an image in `fin` (binary32 → binary64).
fn to_fin(bits: u128, fin: Fmt, fout: Fmt) -> u128 {
    if fin.ebits == fout.ebits {
        return bits;
    }
    match fout.decode(bits) {
        V::Fin(n, d) => {
            let mag = Mag::Rat(n.magnitude().clone(), d.magnitude().clone());
            round_to(n.sign() == Sign::Minus, &mag, 0, fin, 0).0
        }
        V::Inf(s) => fin.inf(s),
        V::Zero(s) => fin.zero(s),
        V::NaN => unreachable!(),
    }
}

/// OX, UX (tiny and inexact, or tiny with UE = 1), XX of a rounding.
fn raised_of(r: Rnd, ue: bool) -> u64 {
    let mut x = 0;
    if r.overflow {
        x |= OX;
    }
    if r.tiny && (r.inexact || ue) {
        x |= UX;
    }
    if r.inexact {
        x |= XX;
    }
    x
}

/// FPSCR after raising `raised` from `f0` (whose exception bits are clear): FX, VX, FEX.
fn summarise(f0: u64, raised: u64) -> u64 {
    let mut f = f0 | raised;
    if raised != 0 {
        f |= FX;
    }
    if f & VXALL != 0 {
        f |= VX;
    }
    if enabled(f, f) {
        f |= FEX;
    }
    f
}

fn enabled(raised: u64, f: u64) -> bool {
    (raised & VXALL != 0 && f & VE != 0)
        || (raised & OX != 0 && f & OE != 0)
        || (raised & UX != 0 && f & UE != 0)
        || (raised & ZX != 0 && f & ZE != 0)
        || (raised & XX != 0 && f & XE != 0)
}

// ---------------------------------------------------------------------------------------------
// Running instructions.

fn encoding(op: Opcode) -> u32 {
    papr_isa::table::encodings()
        .find(|e| e.0 == op)
        .expect("encoding")
        .1
}

/// An XX3/XX2 word with VSR numbers 0..63 (XX2 forms: `a` dropped).
fn xx(op: Opcode, t: u32, a: u32, b: u32) -> u32 {
    let w = xx_raw(op, t, a, b);
    if a != 0 && decode(w).op != op {
        return xx(op, t, 0, b);
    }
    assert_eq!(decode(w).op, op, "{w:#010x}");
    w
}

fn xx_raw(op: Opcode, t: u32, a: u32, b: u32) -> u32 {
    encoding(op)
        | (t & 31) << 21
        | (a & 31) << 16
        | (b & 31) << 11
        | (a >> 5) << 2
        | (b >> 5) << 1
        | (t >> 5)
}

/// Runs `w` with the given VSRs, FPSCR and MSR extras; the CPU after one instruction.
fn run(w: u32, vsrs: &[(usize, u128)], fpscr: u64, msr_extra: u64) -> Cpu {
    let (mut cpu, mut ram) = one_insn(w, msr::SF | msr::FP | msr::VEC | msr::VSX | msr_extra);
    cpu.state.fpscr = fpscr;
    for &(r, v) in vsrs {
        cpu.state.vsr[r] = v;
    }
    Interpreter::new().run(&mut cpu, &mut ram, 1);
    cpu
}

// ---------------------------------------------------------------------------------------------
// Operands.

fn single(sign: bool, e: u32, f: u32) -> u32 {
    (u32::from(sign) << 31) | ((e & 0xff) << 23) | (f & 0x7f_ffff)
}

fn any_single() -> impl Strategy<Value = u32> {
    prop_oneof![
        any::<u32>(),
        (-1e4f32..1e4f32).prop_map(f32::to_bits),
        (any::<bool>(), 0x70u32..0x90, any::<u32>()).prop_map(|(s, e, f)| single(s, e, f >> 9)),
        (any::<bool>(), 0u32..4, any::<u32>()).prop_map(|(s, e, f)| single(s, e, f)),
        (any::<bool>(), 0xfcu32..0xff, any::<u32>()).prop_map(|(s, e, f)| single(s, e, f)),
        prop_oneof![
            Just(0u32),
            Just(0x8000_0000),
            Just(0x7f80_0000),
            Just(0xff80_0000),
            Just(0x7fc0_0000),
            Just(0x7f80_0001),
            Just(0xffa0_0000),
            Just(0x0000_0001),
            Just(0x807f_ffff),
            Just(0x7f7f_ffff),
            Just(0x0080_0000),
            Just(0x3f80_0000),
        ],
    ]
}

fn any_dp() -> impl Strategy<Value = u64> {
    prop_oneof![
        3 => any_double(),
        1 => (any::<bool>(), 0x7f0u64..0x7ff, any::<u64>())
            .prop_map(|(s, e, f)| (u64::from(s) << 63) | (e << 52) | (f >> 12)),
        1 => (any::<bool>(), 0u64..3, any::<u64>())
            .prop_map(|(s, e, f)| (u64::from(s) << 63) | (e << 52) | (f >> 12)),
        1 => prop_oneof![
            Just(0u64),
            Just(1 << 63),
            Just(0x7ff0_0000_0000_0000),
            Just(0xfff0_0000_0000_0000),
            Just(0x7ff8_0000_0000_0000),
            Just(0x7ff0_0000_0000_0001),
            Just(0xfff4_0000_0000_0000),
            Just(1),
            Just(0x7fef_ffff_ffff_ffff),
            Just(0x3ff0_0000_0000_0000),
        ],
    ]
}

/// Four elements of either format, as a VSR image.
fn any_vec(sp: bool) -> BoxedStrategy<u128> {
    if sp {
        prop::array::uniform4(any_single())
            .prop_map(|w| w.iter().fold(0u128, |v, &x| (v << 32) | u128::from(x)))
            .boxed()
    } else {
        (any_dp(), any_dp())
            .prop_map(|(x, y)| (u128::from(x) << 64) | u128::from(y))
            .boxed()
    }
}

/// FR, FI, FPRF and enable bits that the vector forms must leave alone or honour.
fn any_f0() -> impl Strategy<Value = u64> {
    (0u64..4, any::<u8>(), 0u64..0x20).prop_map(|(rn, en, fprf)| {
        rn | (u64::from(en & 0xf8)) | ((fprf << 12) & FPRF) | if en & 1 != 0 { FR | FI } else { 0 }
    })
}

fn elem(v: u128, sp: bool, i: usize) -> u128 {
    if sp {
        (v >> (96 - 32 * i)) & 0xffff_ffff
    } else {
        (v >> (64 - 64 * i)) & u128::from(u64::MAX)
    }
}

fn put(v: u128, sp: bool, i: usize, x: u128) -> u128 {
    if sp {
        let sh = 96 - 32 * i;
        (v & !(0xffff_ffff << sh)) | (x << sh)
    } else {
        let sh = 64 - 64 * i;
        (v & !(u128::from(u64::MAX) << sh)) | (x << sh)
    }
}

const VECTOR_OPS: [(Opcode, Opcode, Op, u8); 13] = {
    // (dp, sp, operation, 0 = plain, 1 = A form, 2 = M form)
    const fn m(sub: bool, neg: bool) -> Op {
        Op::Madd { sub, neg }
    }
    [
        (Opcode::Xvadddp, Opcode::Xvaddsp, Op::Add, 0),
        (Opcode::Xvsubdp, Opcode::Xvsubsp, Op::Sub, 0),
        (Opcode::Xvmuldp, Opcode::Xvmulsp, Op::Mul, 0),
        (Opcode::Xvdivdp, Opcode::Xvdivsp, Op::Div, 0),
        (Opcode::Xvsqrtdp, Opcode::Xvsqrtsp, Op::Sqrt, 0),
        (Opcode::Xvmaddadp, Opcode::Xvmaddasp, m(false, false), 1),
        (Opcode::Xvmaddmdp, Opcode::Xvmaddmsp, m(false, false), 2),
        (Opcode::Xvmsubadp, Opcode::Xvmsubasp, m(true, false), 1),
        (Opcode::Xvmsubmdp, Opcode::Xvmsubmsp, m(true, false), 2),
        (Opcode::Xvnmaddadp, Opcode::Xvnmaddasp, m(false, true), 1),
        (Opcode::Xvnmaddmdp, Opcode::Xvnmaddmsp, m(false, true), 2),
        (Opcode::Xvnmsubadp, Opcode::Xvnmsubasp, m(true, true), 1),
        (Opcode::Xvnmsubmdp, Opcode::Xvnmsubmsp, m(true, true), 2),
    ]
};

/// (a, b, c) of the reference's a × b ± c from XA, XB, XT of an A (1) or M (2) form.
fn madd_operands(form: u8, xa: u128, xb: u128, xt: u128) -> (u128, u128, u128) {
    match form {
        1 => (xa, xb, xt),
        2 => (xa, xt, xb),
        _ => (xa, xb, 0),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn vector_arithmetic(
        k in 0usize..13,
        (sp, a, b, t) in any::<bool>()
            .prop_flat_map(|sp| (Just(sp), any_vec(sp), any_vec(sp), any_vec(sp))),
        high: bool,
        f0 in any_f0(),
    ) {
        let (dp_op, sp_op, op, form) = VECTOR_OPS[k];
        let opc = if sp { sp_op } else { dp_op };
        let (xt, xa, xb) = if high { (40, 33, 63) } else { (1, 2, 3) };
        let w = xx(opc, xt, xa, xb);
        let fmt = if sp { SF } else { DF };
        let n = if sp { 4 } else { 2 };
        let (mut want, mut raised) = (t, 0);
        for i in 0..n {
            let (p, q, r) = madd_operands(form, elem(a, sp, i), elem(b, sp, i), elem(t, sp, i));
            let (v, x, _) = ref_elem(op, p, q, r, fmt, fmt, f0 as u8 & 3, f0 & UE != 0);
            want = put(want, sp, i, v);
            raised |= x;
        }
        let mut vsrs = vec![(xa as usize, a), (xb as usize, b), (xt as usize, t)];
        vsrs.dedup_by_key(|x| x.0);
        let c = run(w, &vsrs, f0, 0);
        let what = format!("{opc:?} rn={} a={a:032x} b={b:032x} t={t:032x} f0={f0:x}", f0 & 3);
        prop_assert_eq!(c.state.nip, 0x1004);
        prop_assert_eq!(c.state.vsr[xt as usize], want, "result {}", what);
        prop_assert_eq!(c.state.fpscr, summarise(f0, raised), "fpscr {}", what);
    }

    #[test]
    fn scalar_single_and_multiply_add(
        k in 0usize..21,
        a in any_dp(),
        b in any_dp(),
        t in any_dp(),
        rn in 0u8..4,
    ) {
        use Opcode as O;
        let m = |sub, neg| Op::Madd { sub, neg };
        let table = [
            (O::Xsaddsp, Op::Add, 0, true),
            (O::Xssubsp, Op::Sub, 0, true),
            (O::Xsmulsp, Op::Mul, 0, true),
            (O::Xsdivsp, Op::Div, 0, true),
            (O::Xssqrtsp, Op::Sqrt, 0, true),
            (O::Xsmaddadp, m(false, false), 1, false),
            (O::Xsmaddmdp, m(false, false), 2, false),
            (O::Xsmsubadp, m(true, false), 1, false),
            (O::Xsmsubmdp, m(true, false), 2, false),
            (O::Xsnmaddadp, m(false, true), 1, false),
            (O::Xsnmaddmdp, m(false, true), 2, false),
            (O::Xsnmsubadp, m(true, true), 1, false),
            (O::Xsnmsubmdp, m(true, true), 2, false),
            (O::Xsmaddasp, m(false, false), 1, true),
            (O::Xsmaddmsp, m(false, false), 2, true),
            (O::Xsmsubasp, m(true, false), 1, true),
            (O::Xsmsubmsp, m(true, false), 2, true),
            (O::Xsnmaddasp, m(false, true), 1, true),
            (O::Xsnmaddmsp, m(false, true), 2, true),
            (O::Xsnmsubasp, m(true, true), 1, true),
            (O::Xsnmsubmsp, m(true, true), 2, true),
        ];
        let (opc, op, form, single) = table[k];
        let w = xx(opc, 1, 2, 3);
        let (p, q, r) = madd_operands(form, a.into(), b.into(), t.into());
        let fout = if single { SF } else { DF };
        let (mut v, raised, rnd) = ref_elem(op, p, q, r, DF, fout, rn, false);
        if single && is_nan(DF, v) {
            v &= !0x1fff_ffff;
        }
        let f0 = u64::from(rn) | FR | FI;
        let mut want_f = summarise(f0 & !(FR | FI), raised);
        if raised & (VXALL | ZX) == 0 {
            if rnd.inexact { want_f |= FI; }
            if rnd.up { want_f |= FR; }
        }
        want_f |= classify_fprf(v, DF);
        let dw = |x: u64| u128::from(x) << 64;
        let c = run(w, &[(2, dw(a)), (3, dw(b)), (1, dw(t))], f0, 0);
        let what = format!("{opc:?} rn={rn} a={a:016x} b={b:016x} t={t:016x}");
        prop_assert_eq!(c.state.vsr[1], v << 64, "result {}", what);
        prop_assert_eq!(c.state.fpscr, want_f, "fpscr {}", what);
    }

    #[test]
    fn vmx_arithmetic(
        k in 0usize..4,
        a in any_vec(true),
        b in any_vec(true),
        cc in any_vec(true),
        nj: bool,
        f0 in any_f0(),
    ) {
        let ops = [
            (Opcode::Vaddfp, Op::Add),
            (Opcode::Vsubfp, Op::Sub),
            (Opcode::Vmaddfp, Op::Madd { sub: false, neg: false }),
            (Opcode::Vnmsubfp, Op::Madd { sub: true, neg: true }),
        ];
        let (opc, op) = ops[k];
        // VRT = 1, VRA = 2, VRB = 3, VRC = 4.
        let w = encoding(opc) | (1 << 21) | (2 << 16) | (3 << 11) | if k >= 2 { 4 << 6 } else { 0 };
        prop_assert_eq!(decode(w).op, opc);
        let flush = |x: u128| if nj && x & 0x7f80_0000 == 0 { x & 0x8000_0000 } else { x };
        let mut want = 0u128;
        for i in 0..4 {
            let (x, y, z) = (flush(elem(a, true, i)), flush(elem(b, true, i)), flush(elem(cc, true, i)));
            // vmaddfp: vA × vC + vB.
            let (p, q, r) = if k >= 2 { (x, z, y) } else { (x, y, 0) };
            let (mut v, _, rnd) = ref_elem(op, p, q, r, SF, SF, 0, false);
            if nj && rnd.tiny {
                v &= 0x8000_0000;
            }
            want = put(want, true, i, v);
        }
        let (mut cpu, mut ram) = one_insn(w, msr::SF | msr::VEC);
        cpu.state.fpscr = f0;
        cpu.state.vscr = if nj { crate::state::vscr::NJ } else { 0 };
        cpu.state.set_vr(2, a);
        cpu.state.set_vr(3, b);
        cpu.state.set_vr(4, cc);
        Interpreter::new().run(&mut cpu, &mut ram, 1);
        let what = format!("{opc:?} nj={nj} a={a:032x} b={b:032x} c={cc:032x}");
        prop_assert_eq!(cpu.state.vr(1), want, "{}", what);
        prop_assert_eq!(cpu.state.fpscr, f0, "FPSCR untouched {}", what);
    }

    #[test]
    fn compares_min_max_and_rounding(
        (sp, a, b) in any::<bool>().prop_flat_map(|sp| (Just(sp), any_vec(sp), any_vec(sp))),
        k in 0usize..12,
        rc: bool,
        f0 in any_f0(),
    ) {
        use Opcode as O;
        let table = [
            (O::Xvcmpeqdp, O::Xvcmpeqsp),
            (O::Xvcmpgtdp, O::Xvcmpgtsp),
            (O::Xvcmpgedp, O::Xvcmpgesp),
            (O::Xvmaxdp, O::Xvmaxsp),
            (O::Xvmindp, O::Xvminsp),
            (O::Xvrdpi, O::Xvrspi),
            (O::Xvrdpic, O::Xvrspic),
            (O::Xvrdpim, O::Xvrspim),
            (O::Xvrdpip, O::Xvrspip),
            (O::Xvrdpiz, O::Xvrspiz),
            (O::Xvredp, O::Xvresp),
            (O::Xvsqrtdp, O::Xvsqrtsp),
        ];
        let opc = if sp { table[k].1 } else { table[k].0 };
        // XX2 forms (k ≥ 5) have no XA field.
        let mut w = xx(opc, 1, if k >= 5 { 0 } else { 2 }, 3);
        if k < 3 && rc {
            w |= 1 << 10;
        }
        let f0 = f0 & !(VE | OE | UE | ZE | XE);
        let n = if sp { 4 } else { 2 };
        let fmt = if sp { SF } else { DF };
        let host = |x: u128| -> f64 {
            if sp { f64::from(f32::from_bits(x as u32)) } else { f64::from_bits(x as u64) }
        };
        let from_host = |v: f64| -> u128 {
            if sp { u128::from((v as f32).to_bits()) } else { u128::from(v.to_bits()) }
        };
        let (mut want, mut raised, mut all, mut none) = (0u128, 0u64, true, true);
        for i in 0..n {
            let (x, y) = (elem(a, sp, i), elem(b, sp, i));
            let (hx, hy) = (host(x), host(y));
            let snan = is_snan(fmt, x) || is_snan(fmt, y);
            let any_nan = is_nan(fmt, x) || is_nan(fmt, y);
            let q = quiet_bit(fmt);
            let r: u128 = match k {
                0..=2 => {
                    let t = [hx == hy, hx > hy, hx >= hy][k];
                    all &= t;
                    none &= !t;
                    if snan { raised |= VXSNAN; }
                    if k > 0 && any_nan { raised |= VXVC; }
                    if t { if sp { 0xffff_ffff } else { u128::from(u64::MAX) } } else { 0 }
                }
                3 | 4 => {
                    if snan { raised |= VXSNAN; }
                    // An SNaN: the first NaN operand quieted (QEMU 7.2's choice where the
                    // ISA tables are silent on the order); one QNaN: the other operand.
                    if snan { if is_nan(fmt, x) { x | q } else { y | q } }
                    else if is_nan(fmt, x) { y }
                    else if is_nan(fmt, y) { x }
                    else if hx == hy { if k == 3 { x & y } else { x | y } }
                    else if (hx > hy) == (k == 3) { x } else { y }
                }
                5..=9 => {
                    if is_snan(fmt, y) { raised |= VXSNAN; y | q }
                    else if is_nan(fmt, y) { y }
                    else {
                        let r = match k {
                            5 => hy.round(),
                            6 => match f0 & 3 { 0 => hy.round_ties_even(), 1 => hy.trunc(), 2 => hy.ceil(), _ => hy.floor() },
                            7 => hy.floor(),
                            8 => hy.ceil(),
                            _ => hy.trunc(),
                        };
                        if k == 6 && r != hy { raised |= XX; }
                        from_host(r)
                    }
                }
                _ => {
                    let (v, x, _) = ref_elem(if k == 10 { Op::Div } else { Op::Sqrt },
                        if sp { 0x3f80_0000 } else { 0x3ff0_0000_0000_0000 }, y, 0, fmt, fmt,
                        f0 as u8 & 3, false);
                    raised |= x;
                    v
                }
            };
            want = put(want, sp, i, r);
        }
        let c = run(w, &[(2, a), (3, b), (1, 0x5555)], f0, 0);
        let what = format!("{opc:?} a={a:032x} b={b:032x} f0={f0:x}");
        prop_assert_eq!(c.state.vsr[1], want, "result {}", what);
        prop_assert_eq!(c.state.fpscr, summarise(f0, raised), "fpscr {}", what);
        if k < 3 && rc {
            let cr6 = (u8::from(all) << 3) | (u8::from(none) << 1);
            prop_assert_eq!(c.state.cr.field(6), cr6, "CR6 {}", what);
        }
    }

    #[test]
    fn conversions(
        b in any::<bool>().prop_flat_map(any_vec),
        k in 0usize..16,
        f0 in any_f0(),
    ) {
        use Opcode as O;
        let f0 = f0 & !(VE | OE | UE | ZE | XE);
        let rn = f0 as u8 & 3;
        // (op, source is dp, dest is 64-bit, signed) for float → int; then int → float.
        let to_int = [
            (O::Xvcvdpsxds, true, true, true),
            (O::Xvcvdpuxds, true, true, false),
            (O::Xvcvdpsxws, true, false, true),
            (O::Xvcvdpuxws, true, false, false),
            (O::Xvcvspsxds, false, true, true),
            (O::Xvcvspuxds, false, true, false),
            (O::Xvcvspsxws, false, false, true),
            (O::Xvcvspuxws, false, false, false),
        ];
        let from_int = [
            (O::Xvcvsxddp, true, true, true),
            (O::Xvcvuxddp, true, true, false),
            (O::Xvcvsxwdp, false, true, true),
            (O::Xvcvuxwdp, false, true, false),
            (O::Xvcvsxdsp, true, false, true),
            (O::Xvcvuxdsp, true, false, false),
            (O::Xvcvsxwsp, false, false, true),
            (O::Xvcvuxwsp, false, false, false),
        ];
        let mut raised = 0;
        let mut want = 0u128;
        let opc;
        if k < 8 {
            let (op, src_dp, d64, signed) = to_int[k];
            opc = op;
            let n = if d64 { 2 } else { 4 };
            for i in 0..n {
                // Source element: dp → words copy doubleword i/2; sp → doubleword i takes word 2i.
                let x = match (src_dp, d64) {
                    (true, true) => f64::from_bits(elem(b, false, i) as u64),
                    (true, false) => f64::from_bits(elem(b, false, i / 2) as u64),
                    (false, true) => f64::from(f32::from_bits(elem(b, true, 2 * i) as u32)),
                    (false, false) => f64::from(f32::from_bits(elem(b, true, i) as u32)),
                };
                let snan = if src_dp {
                    let bits = x.to_bits();
                    x.is_nan() && bits & (1 << 51) == 0
                } else {
                    let w = if d64 { elem(b, true, 2 * i) } else { elem(b, true, i) };
                    is_snan(SF, w)
                };
                let (lo, hi) = match (d64, signed) {
                    (true, true) => (-(2f64.powi(63)), 2f64.powi(63)),
                    (true, false) => (0.0, 2f64.powi(64)),
                    (false, true) => (-(2f64.powi(31)), 2f64.powi(31)),
                    (false, false) => (0.0, 2f64.powi(32)),
                };
                let t = x.trunc();
                let v: i128 = if x.is_nan() {
                    raised |= VXCVI | if snan { VXSNAN } else { 0 };
                    if signed { lo as i128 } else { 0 }
                } else if t < lo {
                    raised |= VXCVI;
                    lo as i128
                } else if t >= hi {
                    raised |= VXCVI;
                    hi as i128 - 1
                } else {
                    if t != x { raised |= XX; }
                    t as i128
                };
                let bits = if d64 { v as u64 as u128 } else { v as u32 as u128 };
                want = put(want, !d64, i, bits);
            }
        } else {
            let (op, s64, ddp, signed) = from_int[k - 8];
            opc = op;
            let n = if ddp { 2 } else { 4 };
            let fmt = if ddp { DF } else { SF };
            for i in 0..n {
                let raw = match (s64, ddp) {
                    (true, true) => elem(b, false, i),
                    (true, false) => elem(b, false, i / 2),
                    (false, true) => elem(b, true, 2 * i),
                    (false, false) => elem(b, true, i),
                };
                let v: i128 = match (s64, signed) {
                    (true, true) => i128::from(raw as u64 as i64),
                    (true, false) => i128::from(raw as u64),
                    (false, true) => i128::from(raw as u32 as i32),
                    (false, false) => i128::from(raw as u32),
                };
                let r = if v == 0 {
                    0
                } else {
                    let mag = Mag::Rat(num_bigint::BigUint::from(v.unsigned_abs()), 1u8.into());
                    let (bits, r) = round_to(v < 0, &mag, 0, fmt, rn);
                    if r.inexact { raised |= XX; }
                    bits
                };
                want = put(want, !ddp, i, r);
            }
        }
        let w = xx(opc, 1, 0, 3);
        let c = run(w, &[(3, b), (1, 0)], f0, 0);
        let what = format!("{opc:?} b={b:032x} f0={f0:x}");
        prop_assert_eq!(c.state.vsr[1], want, "result {}", what);
        prop_assert_eq!(c.state.fpscr, summarise(f0, raised), "fpscr {}", what);
    }
}

#[test]
fn enabled_exception_suppresses_the_whole_vector() {
    // xvadddp with element 1 = SNaN + 1, VE = 1, MSR[FE0|FE1] on: VSR[XT] unchanged, the
    // FP-enabled program interrupt, VXSNAN set, FR/FI/FPRF untouched.
    let w = xx(Opcode::Xvadddp, 1, 2, 3);
    let one = 0x3ff0_0000_0000_0000u128;
    let snan = 0x7ff0_0000_0000_0001u128;
    let a = (one << 64) | snan;
    let b = (one << 64) | one;
    let f0 = VE | FR | (0x4 << 12);
    let c = run(w, &[(2, a), (3, b), (1, 0x1234)], f0, msr::FE0 | msr::FE1);
    assert_eq!(c.state.nip, 0x700, "FP-enabled program interrupt");
    assert_eq!(c.state.vsr[1], 0x1234, "target not written");
    assert_eq!(c.state.fpscr, f0 | FX | FEX | VX | VXSNAN);
    // With XE = 1 an inexact element also suppresses the write.
    let third = (0x3fd5_5555_5555_5555u128 << 64) | one;
    let c = run(
        w,
        &[(2, third), (3, b), (1, 0x1234)],
        XE,
        msr::FE0 | msr::FE1,
    );
    assert_eq!(c.state.nip, 0x700);
    assert_eq!(c.state.vsr[1], 0x1234);
    assert_eq!(c.state.fpscr & (XX | FI | FR), XX, "FI and FR untouched");
    // Without FE0|FE1 the target is written (papr's ignore-exceptions rule).
    let c = run(w, &[(2, a), (3, b), (1, 0x1234)], VE, 0);
    assert_eq!(c.state.nip, 0x1004);
    assert_eq!(c.state.vsr[1] >> 64, 0x4000_0000_0000_0000);
}

#[test]
fn availability() {
    let c = run(xx(Opcode::Xvmuldp, 1, 2, 3), &[], 0, 0);
    assert_eq!(c.state.nip, 0x1004, "runs");
    let (mut cpu, mut ram) = one_insn(xx(Opcode::Xvmuldp, 1, 2, 3), msr::SF | msr::FP);
    Interpreter::new().run(&mut cpu, &mut ram, 1);
    assert_eq!(cpu.state.nip, 0xf40, "VSX unavailable");
    let w = encoding(Opcode::Vaddfp) | (1 << 21);
    let (mut cpu, mut ram) = one_insn(w, msr::SF | msr::FP | msr::VSX);
    Interpreter::new().run(&mut cpu, &mut ram, 1);
    assert_eq!(cpu.state.nip, 0xf20, "VMX unavailable");
}

// ---------------------------------------------------------------------------------------------
// Half precision (xscvdphp, xscvhpdp, xvcvhpsp, xvcvsphp).

/// The reference conversion of an image in `fin` to `fout` in mode `rn` (no OE/UE scaling):
/// (image, raised bits with XX, rounding status). A NaN keeps the top fraction bits that fit
/// and is quieted (VXSNAN for an SNaN), as the ISA's bfp_CONVERT/bfp_ROUND say.
fn ref_convert(x: u128, fin: Fmt, fout: Fmt, rn: u8) -> (u128, u64, Rnd) {
    let sign = sign_of(fin, x);
    match fin.decode(x) {
        V::NaN => {
            let frac = x & ((1u128 << fin.fbits) - 1);
            let kept = if fout.fbits < fin.fbits {
                frac >> (fin.fbits - fout.fbits)
            } else {
                frac << (fout.fbits - fin.fbits)
            };
            let vx = if is_snan(fin, x) { VXSNAN } else { 0 };
            (fout.inf(sign) | kept | quiet_bit(fout), vx, Rnd::default())
        }
        V::Inf(s) => (fout.inf(s), 0, Rnd::default()),
        V::Zero(s) => (fout.zero(s), 0, Rnd::default()),
        V::Fin(n, d) => {
            let mag = Mag::Rat(n.magnitude().clone(), d.magnitude().clone());
            let (bits, r) = round_to(sign, &mag, 0, fout, rn);
            (bits, raised_of(r, false), r)
        }
    }
}

/// Doubles spread over binary16's range (subnormal to overflow), ties included.
fn any_half_range_dp() -> impl Strategy<Value = u64> {
    prop_oneof![
        (any::<bool>(), 0x3d0u64..0x3f2, any::<u64>())
            .prop_map(|(s, e, f)| (u64::from(s) << 63) | (e << 52) | (f >> 12)),
        // Exactly representable halves plus a few low bits (ties and near-ties).
        (any::<u16>(), 0u64..4, any::<u64>(), 0u32..44).prop_map(|(h, k, f, sh)| {
            let d = f64::from(f32::from_bits(half_bits_to_single(h))).to_bits();
            if d & 0x7ff0_0000_0000_0000 == 0x7ff0_0000_0000_0000 {
                d
            } else {
                d ^ ((k << 40) | ((f >> 20) >> sh))
            }
        }),
        any_dp(),
    ]
}

/// A binary16 image as a binary32 one (host arithmetic: f × 2^−24 is exact in f32).
fn half_bits_to_single(h: u16) -> u32 {
    let sign = u32::from(h >> 15) << 31;
    let (e, f) = (u32::from((h >> 10) & 0x1f), u32::from(h & 0x3ff));
    match e {
        0x1f => sign | 0x7f80_0000 | (f << 13),
        0 => sign | (f as f32 * 2f32.powi(-24)).to_bits(),
        _ => sign | ((e + 127 - 15) << 23) | (f << 13),
    }
}

fn any_half() -> impl Strategy<Value = u16> {
    prop_oneof![
        any::<u16>(),
        prop_oneof![
            Just(0u16),
            Just(0x8000),
            Just(0x7c00),
            Just(0xfc00),
            Just(0x7e00),
            Just(0x7c01),
            Just(0xfd55),
            Just(0x0001),
            Just(0x83ff),
            Just(0x0400),
            Just(0x7bff),
        ],
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn xscvdphp_against_the_model(
        b in any_half_range_dp(),
        low in any::<u64>(),
        f0 in any_f0(),
    ) {
        let f0 = f0 & !(VE | OE | UE | ZE | XE);
        let rn = f0 as u8 & 3;
        let (h, raised, r) = ref_convert(u128::from(b), DF, HF, rn);
        let w = xx(Opcode::Xscvdphp, 1, 0, 3);
        let c = run(w, &[(3, (u128::from(b) << 64) | u128::from(low)), (1, u128::MAX)], f0, 0);
        let what = format!("b={b:016x} rn={rn}");
        prop_assert_eq!(c.state.vsr[1], h << 64, "result {}", what);
        let mut want = summarise(f0 & !(FR | FI | FPRF), raised) | classify_fprf(h, HF);
        if r.up {
            want |= FR;
        }
        if r.inexact {
            want |= FI;
        }
        prop_assert_eq!(c.state.fpscr, want, "fpscr {}", what);
    }

    #[test]
    fn xscvhpdp_against_the_model(h in any_half(), high in any::<u64>(), f0 in any_f0()) {
        let f0 = f0 & !(VE | OE | UE | ZE | XE);
        let b = (high & !0xffff) | u64::from(h);
        let (d, raised, r) = ref_convert(u128::from(h), HF, DF, 0);
        prop_assert!(!r.inexact);
        let w = xx(Opcode::Xscvhpdp, 1, 0, 3);
        let c = run(w, &[(3, (u128::from(b) << 64) | 0x55), (1, u128::MAX)], f0, 0);
        let what = format!("h={h:04x}");
        prop_assert_eq!(c.state.vsr[1], d << 64, "result {}", what);
        let want = summarise(f0 & !(FR | FI | FPRF), raised) | classify_fprf(d, DF);
        prop_assert_eq!(c.state.fpscr, want, "fpscr {}", what);
    }

    #[test]
    fn xvcvsphp_and_xvcvhpsp_against_the_model(
        words in prop::array::uniform4(any_single()),
        halves in prop::array::uniform4((any_half(), any::<u16>())),
        f0 in any_f0(),
        to_half: bool,
    ) {
        let f0 = f0 & !(VE | OE | UE | ZE | XE);
        let rn = f0 as u8 & 3;
        let (mut b, mut want, mut raised) = (0u128, 0u128, 0);
        for i in 0..4 {
            let (x, fin, fout) = if to_half {
                (u128::from(words[i]), SF, HF)
            } else {
                let (h, junk) = halves[i];
                ((u128::from(junk) << 16) | u128::from(h), HF, SF)
            };
            let (r, x_raised, _) = ref_convert(x & ((1u128 << (1 + fin.ebits + fin.fbits)) - 1), fin, fout, rn);
            b = put(b, true, i, x);
            want = put(want, true, i, r);
            raised |= x_raised;
        }
        let op = if to_half { Opcode::Xvcvsphp } else { Opcode::Xvcvhpsp };
        let c = run(xx(op, 1, 0, 3), &[(3, b), (1, u128::MAX)], f0, 0);
        let what = format!("{op:?} b={b:032x} rn={rn}");
        prop_assert_eq!(c.state.vsr[1], want, "result {}", what);
        prop_assert_eq!(c.state.fpscr, summarise(f0, raised), "fpscr {}", what);
    }
}

#[test]
fn half_known_values() {
    // (double, RN, half, FPSCR bits besides FPRF): values from the binary16 definition.
    let cases: [(f64, u64, u64, u64); 10] = [
        (1.0, 0, 0x3c00, 0),
        (65504.0, 0, 0x7bff, 0),
        (65520.0, 0, 0x7c00, FX | OX | XX | FR | FI),
        (65520.0, 1, 0x7bff, FX | XX | FI),
        (65536.0, 1, 0x7bff, FX | OX | XX | FI),
        (2f64.powi(-24), 0, 0x0001, 0),
        (2f64.powi(-25), 0, 0x0000, FX | UX | XX | FI),
        (2f64.powi(-25), 2, 0x0001, FX | UX | XX | FR | FI),
        (-2f64.powi(-14), 0, 0x8400, 0),
        (1.0 + 2f64.powi(-11), 0, 0x3c00, FX | XX | FI),
    ];
    for (x, rn, h, bits) in cases {
        let c = run(
            xx(Opcode::Xscvdphp, 1, 0, 3),
            &[(3, u128::from(x.to_bits()) << 64)],
            rn,
            0,
        );
        assert_eq!(c.state.vsr[1], u128::from(h) << 64, "{x} rn={rn}");
        assert_eq!(c.state.fpscr & !FPRF, rn | bits, "{x} rn={rn}");
    }
    // SNaN with a payload only in the low bits: quieted, payload truncated away.
    let c = run(
        xx(Opcode::Xscvdphp, 1, 0, 3),
        &[(3, 0xfff0_0000_0000_0001u128 << 64)],
        0,
        0,
    );
    assert_eq!(c.state.vsr[1], 0xfe00u128 << 64);
    assert_eq!(c.state.fpscr, FX | VX | VXSNAN | (0x11 << 12));
    // An enabled SNaN with FP interrupts on: no write, FPRF kept, the interrupt.
    let c = run(
        xx(Opcode::Xscvhpdp, 1, 0, 3),
        &[(3, 0x7d00u128 << 64), (1, 7)],
        VE | (0x4 << 12),
        msr::FE0 | msr::FE1,
    );
    assert_eq!(c.state.nip, 0x700);
    assert_eq!(c.state.vsr[1], 7);
    assert_eq!(c.state.fpscr, VE | (0x4 << 12) | FX | FEX | VX | VXSNAN);
    // xscvdphp with UE: a tiny result is scaled by 2^24 (2^-30 → 2^-6 = 0x2400), UX.
    let c = run(
        xx(Opcode::Xscvdphp, 1, 0, 3),
        &[(3, u128::from(2f64.powi(-30).to_bits()) << 64)],
        UE,
        0,
    );
    assert_eq!(c.state.vsr[1], 0x2400u128 << 64);
    assert_eq!(c.state.fpscr & (UX | XX), UX);
}
