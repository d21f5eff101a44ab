//! The VMX floating-point instructions (Power ISA 3.0B Book I 6.9: vaddfp, vsubfp, vmaddfp,
//! vnmsubfp, vmaxfp, vminfp, vrefp, vrsqrtefp, vlogefp, vexptefp, vrfin/vrfiz/vrfip/vrfim,
//! vcfux/vcfsx, vctuxs/vctsxs, vcmpeqfp/vcmpgtfp/vcmpgefp/vcmpbfp\[.]): binary32 in the four
//! words of a VR, always rounded to nearest even, no FPSCR effects (6.9.1). With VSCR\[NJ] = 1
//! (non-Java mode) a denormal operand is taken as a zero of its sign and a result that is
//! tiny (before rounding) is delivered as a zero of its sign. A NaN result is the first NaN
//! operand (vA, vB, vC) quieted, or the default QNaN 0x7FC0_0000 for an invalid operation.
//! vmaddfp/vnmsubfp round once (fused); vnmsubfp negates the rounded vA × vC − vB.
//! vctuxs/vctsxs saturate (NaN → 0) and set VSCR\[SAT]. The Rc forms of the compares set CR6:
//! all-true ‖ 0 ‖ none-true ‖ 0 (vcmpbfp.: bit 2 = every element within its bounds).
//!
//! Estimates (the ISA allows 1/4096 relative error for vrefp/vrsqrtefp, an absolute 1/32 for
//! vlogefp/vexptefp): papr returns the correctly rounded 1/x, 1/√x rounded twice, and log2/exp2
//! rounded from the host's binary64 results, which is what QEMU 7.2 computes.

use papr_isa::insn::bits;
use papr_isa::{Insn, Opcode};

use super::super::{double_to_single, round_integral, single_to_double, to_int, Outcome};
use super::{min_max, Arith, MinMax};
use crate::interp::softfloat::{self as sf, Class, Exact, Prec, Round};
use crate::interp::{Bus, Machine, Res};
use crate::state::vscr::{NJ, SAT};

/// The default single QNaN.
const QNAN_SP: u32 = 0x7fc0_0000;

fn word(v: u128, i: usize) -> u32 {
    (v >> (96 - 32 * i)) as u32
}

fn is_nan_sp(w: u32) -> bool {
    w & 0x7f80_0000 == 0x7f80_0000 && w & 0x7f_ffff != 0
}

/// An element after non-Java flushing of a denormal operand.
fn flush_in(w: u32, nj: bool) -> u32 {
    if nj && w & 0x7f80_0000 == 0 {
        w & 0x8000_0000
    } else {
        w
    }
}

/// The first NaN of `ops`, quieted.
fn nan_of(ops: &[u32]) -> Option<u32> {
    ops.iter().find(|&&w| is_nan_sp(w)).map(|&w| w | 0x40_0000)
}

impl<B: Bus> Machine<'_, B> {
    /// The VMX floating-point instructions; `None` if `insn` is not one.
    pub(in crate::interp::fp) fn exec_vmx_fp(&mut self, insn: Insn) -> Option<Res> {
        use Opcode as O;
        let known = matches!(
            insn.op,
            O::Vaddfp
                | O::Vsubfp
                | O::Vmaddfp
                | O::Vnmsubfp
                | O::Vmaxfp
                | O::Vminfp
                | O::Vrefp
                | O::Vrsqrtefp
                | O::Vlogefp
                | O::Vexptefp
                | O::Vrfin
                | O::Vrfiz
                | O::Vrfip
                | O::Vrfim
                | O::Vcfux
                | O::Vcfsx
                | O::Vctuxs
                | O::Vctsxs
                | O::Vcmpeqfp
                | O::Vcmpgtfp
                | O::Vcmpgefp
                | O::Vcmpbfp
        );
        if !known {
            return None;
        }
        if let Err(e) = self.vec_check() {
            return Some(Err(e));
        }
        self.vmx_fp(insn);
        Some(Ok(()))
    }

    fn vmx_fp(&mut self, insn: Insn) {
        use Opcode as O;
        let st = &self.cpu.state;
        let nj = st.vscr & NJ != 0;
        let (a, b, c) = (st.vr(insn.vra()), st.vr(insn.vrb()), st.vr(insn.vrc()));
        let uim = bits(insn.word, 11, 15);
        let op = insn.op;
        let mut v = 0u128;
        let mut sat = false;
        let (mut all, mut none) = (true, true);
        for i in 0..4 {
            let (x, y, z) = (
                flush_in(word(a, i), nj),
                flush_in(word(b, i), nj),
                flush_in(word(c, i), nj),
            );
            let r: u32 = match op {
                O::Vaddfp | O::Vsubfp | O::Vmaddfp | O::Vnmsubfp | O::Vrefp | O::Vrsqrtefp => {
                    let arith = match op {
                        O::Vaddfp => Arith::Add,
                        O::Vsubfp => Arith::Sub,
                        O::Vrefp => Arith::Re,
                        O::Vrsqrtefp => Arith::RsqrteSp,
                        O::Vmaddfp => Arith::Madd {
                            m: false,
                            sub: false,
                            neg: false,
                        },
                        _ => Arith::Madd {
                            m: false,
                            sub: true,
                            neg: true,
                        },
                    };
                    // vmx_arith(A, B, T): the multiply-add A form is A × B + T, so
                    // vA × vC + vB passes vC as B and vB as T; the estimates take vB alone.
                    let (o, p, q) = match op {
                        O::Vmaddfp | O::Vnmsubfp => (x, z, y),
                        O::Vrefp | O::Vrsqrtefp => (y, 0, 0),
                        _ => (x, y, 0),
                    };
                    self.vmx_arith(arith, o, p, q, nj)
                }
                O::Vmaxfp | O::Vminfp => match nan_of(&[x, y]) {
                    Some(n) => n,
                    None => {
                        let (dx, dy) = (single_to_double(x), single_to_double(y));
                        let r = min_max(dx, dy, op == O::Vmaxfp, MinMax::Num).0;
                        double_to_single(r)
                    }
                },
                O::Vlogefp => flush_out(log2_est(y), nj),
                O::Vexptefp => flush_out(exp2_est(y), nj),
                O::Vrfin | O::Vrfiz | O::Vrfip | O::Vrfim => {
                    let mode = match op {
                        O::Vrfin => Round::Nearest,
                        O::Vrfiz => Round::Zero,
                        O::Vrfip => Round::Up,
                        _ => Round::Down,
                    };
                    let d = single_to_double(y);
                    match sf::class(d) {
                        Class::Finite => double_to_single(round_integral(d, mode).0),
                        Class::QNaN | Class::SNaN => y | 0x40_0000,
                        _ => y,
                    }
                }
                O::Vcfux | O::Vcfsx => {
                    let w = word(b, i);
                    let (sign, mag) = if op == O::Vcfsx && (w as i32) < 0 {
                        (true, (w as i32).unsigned_abs())
                    } else {
                        (false, w)
                    };
                    if mag == 0 {
                        0
                    } else {
                        let e = Exact {
                            sign,
                            mant: u128::from(mag),
                            exp: -(uim as i32),
                            sticky: false,
                        };
                        double_to_single(sf::round(e, Prec::Single, Round::Nearest).0)
                    }
                }
                O::Vctuxs | O::Vctsxs => {
                    let signed = op == O::Vctsxs;
                    if is_nan_sp(y) {
                        sat = true;
                        0
                    } else {
                        let d = f64::from(f32::from_bits(y)) * f64::from(1u32 << uim.min(31));
                        let (r, raised, ..) = to_int(d.to_bits(), Round::Zero, 32, signed);
                        sat |= raised != 0;
                        r as u32
                    }
                }
                _ => {
                    let (fx, fy) = (f32::from_bits(x), f32::from_bits(y));
                    let t = match op {
                        O::Vcmpeqfp => u32::from(fx == fy) * u32::MAX,
                        O::Vcmpgtfp => u32::from(fx > fy) * u32::MAX,
                        O::Vcmpgefp => u32::from(fx >= fy) * u32::MAX,
                        _ => {
                            // Bounds: bit 0 = not (x ≤ y), bit 1 = not (x ≥ −y); NaN: both.
                            let (le, ge) = (fx <= fy, fx >= -fy);
                            (u32::from(!le) << 31) | (u32::from(!ge) << 30)
                        }
                    };
                    all &= t == u32::MAX;
                    none &= t == 0;
                    t
                }
            };
            v |= u128::from(r) << (96 - 32 * i);
        }
        self.cpu.state.set_vr(insn.vrt(), v);
        if sat {
            self.cpu.state.vscr |= SAT;
        }
        if matches!(op, O::Vcmpeqfp | O::Vcmpgtfp | O::Vcmpgefp | O::Vcmpbfp) && insn.rc_vx() {
            let f = if op == O::Vcmpbfp {
                u8::from(none) << 1
            } else {
                (u8::from(all) << 3) | (u8::from(none) << 1)
            };
            self.cpu.state.cr.set_field(6, f);
        }
    }

    /// One element of a VMX arithmetic operation on (A, B, T) as [`Machine::arith`] takes them
    /// (the estimates: A alone), computed by the FP unit's arithmetic in round-to-nearest with
    /// FPSCR\[OE|UE] hidden; NaNs per VMX rules (vA, vB, vC).
    fn vmx_arith(&mut self, op: Arith, x: u32, y: u32, z: u32, nj: bool) -> u32 {
        let ops: &[u32] = match op {
            Arith::Re | Arith::Rsqrte | Arith::RsqrteSp => &[x],
            Arith::Madd { .. } => &[x, z, y],
            _ => &[x, y],
        };
        let single = |w: u32| single_to_double(w);
        // The unary estimates take their operand as B.
        let (a, b) = match op {
            Arith::Re | Arith::Rsqrte | Arith::RsqrteSp => (0, single(x)),
            _ => (single(x), single(y)),
        };
        let t = single(z);
        let saved = self.cpu.state.fpscr;
        self.cpu.state.fpscr &= !(super::F::OE | super::F::UE);
        let out = self.arith(op, a, b, t, Prec::Single, Round::Nearest);
        self.cpu.state.fpscr = saved;
        if let Some(n) = nan_of(ops) {
            return n;
        }
        match out {
            Outcome::Value(v, st) => {
                if nj && st.tiny {
                    double_to_single(v) & 0x8000_0000
                } else {
                    double_to_single(v)
                }
            }
            Outcome::ZeroDivide(v) => double_to_single(v),
            _ => QNAN_SP,
        }
    }
}

/// A non-Java-mode result: a denormal becomes a zero of its sign.
fn flush_out(w: u32, nj: bool) -> u32 {
    flush_in(w, nj)
}

/// log2 estimate of a binary32 (vlogefp).
fn log2_est(w: u32) -> u32 {
    if is_nan_sp(w) {
        return w | 0x40_0000;
    }
    let x = f32::from_bits(w);
    if x == 0.0 {
        return f32::NEG_INFINITY.to_bits();
    }
    if x < 0.0 {
        return QNAN_SP;
    }
    (f64::from(x).log2() as f32).to_bits()
}

/// 2^x estimate of a binary32 (vexptefp).
fn exp2_est(w: u32) -> u32 {
    if is_nan_sp(w) {
        return w | 0x40_0000;
    }
    (f64::from(f32::from_bits(w)).exp2() as f32).to_bits()
}
