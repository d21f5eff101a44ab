//! The host fast path of fmadd/fmsub/fnmadd/fnmsub (round to nearest, `fast_fma` with
//! Boldo and Muller's ErrFma for XX/FI/FR) against the exact path it short-cuts: every case
//! runs the instruction (Rc = 1) twice, once with the fast path and once with it switched off,
//! and the target FPR, the full FPSCR and CR1 must agree bit for bit. The operands are drawn
//! where the fast path applies (random normals, exact results, ties, cancellations), and the
//! test checks that it did apply to most of them.

use std::cell::Cell;

use proptest::prelude::*;
use proptest::strategy::ValueTree;

use super::vsx_scalar_tests::one_insn;
use crate::interp::Interpreter;
use crate::state::msr;

thread_local! {
    /// Switches the fast path off (the exact path answers).
    pub(super) static FAST_OFF: Cell<bool> = const { Cell::new(false) };
    /// Results the fast path delivered.
    pub(super) static HITS: Cell<u64> = const { Cell::new(0) };
}

/// fmadd (29), fmsub (28), fnmsub (30), fnmadd (31): FRT = 1, FRA = 2, FRB = 3, FRC = 4, Rc.
fn word(xo: u32) -> u32 {
    (63 << 26) | (1 << 21) | (2 << 16) | (3 << 11) | (4 << 6) | (xo << 1) | 1
}

/// (FRT, FPSCR, CR) after the instruction, from FPSCR = `f0`.
fn run(xo: u32, a: u64, b: u64, c: u64, f0: u64, fast: bool) -> (u64, u64, u32) {
    let (mut cpu, mut ram) = one_insn(word(xo), msr::SF | msr::FP);
    cpu.state.fpscr = f0;
    cpu.state.set_fpr(2, a);
    cpu.state.set_fpr(3, b);
    cpu.state.set_fpr(4, c);
    FAST_OFF.with(|o| o.set(!fast));
    Interpreter::new().run(&mut cpu, &mut ram, 1);
    FAST_OFF.with(|o| o.set(false));
    (cpu.state.fpr(1), cpu.state.fpscr, cpu.state.cr.0)
}

fn normal(sign: bool, exp: u64, frac: u64) -> u64 {
    (u64::from(sign) << 63) | (exp << 52) | (frac >> 12)
}

/// Normal operands over a wide exponent span (products and sums well inside the range).
fn any_normal() -> impl Strategy<Value = u64> {
    (any::<bool>(), 0x200u64..0x600, any::<u64>()).prop_map(|(s, e, f)| normal(s, e, f))
}

/// (a, b, c) triples: random; exact (small integers); ties (odd product + 2^53, which has ulp
/// 2); cancellations (b near −a·c).
fn triple() -> impl Strategy<Value = (u64, u64, u64)> {
    let scaled = |k: i32| 2f64.powi(k);
    prop_oneof![
        3 => (any_normal(), any_normal(), any_normal()),
        // Operands of similar magnitude: the addend matters to the rounding.
        2 => (any::<bool>(), 0x3f0u64..0x410, any::<[u64; 3]>(), 0u64..40).prop_map(
            |(s, e, f, d)| (normal(s, e, f[0]), normal(!s, e + d / 2, f[1]), normal(false, e, f[2]))
        ),
        1 => (1u32..1 << 20, 1u32..1 << 20, -(1i64 << 40)..1 << 40, -40i32..40).prop_map(
            move |(x, y, z, k)| {
                let s = scaled(k);
                ((f64::from(x) * s).to_bits(), (z as f64 * s * s).to_bits(), (f64::from(y) * s).to_bits())
            }
        ),
        1 => (0u32..1 << 19, 0u32..1 << 19, any::<bool>(), -40i32..40).prop_map(
            move |(x, y, neg, k)| {
                let (x, y) = (f64::from(2 * x + 1), f64::from(2 * y + 1));
                let z = if neg { -scaled(53) } else { scaled(53) };
                let s = scaled(k);
                ((x * s).to_bits(), (z * s * s).to_bits(), (y * s).to_bits())
            }
        ),
        2 => (any_normal(), any_normal(), -4i64..4).prop_map(|(a, c, d)| {
            let p = f64::from_bits(a) * f64::from_bits(c);
            let b = ((-p).to_bits() as i64 + d) as u64;
            (a, b, c)
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

    #[test]
    fn fast_fma_agrees_with_the_exact_path(
        (a, b, c) in triple(),
        xo in prop::sample::select(vec![28u32, 29, 30, 31]),
        status in any::<u8>(),
    ) {
        // Round to nearest, exceptions disabled, some stale FR/FI/FPRF and sticky bits.
        let f0 = (u64::from(status & 0xf0) << 12) | (u64::from(status & 1) << 17)
            | (u64::from(status & 2) << 17) | (u64::from(status & 4) << 23);
        let fast = run(xo, a, b, c, f0, true);
        let exact = run(xo, a, b, c, f0, false);
        prop_assert_eq!(
            fast, exact,
            "xo={} a={:016x} b={:016x} c={:016x} f0={:x}", xo, a, b, c, f0
        );
    }
}

/// The fast path is taken for the triples above (else the comparison proves nothing), and
/// declines the directed modes.
#[test]
fn fast_path_is_taken() {
    let (a, b, c) = (1.5f64.to_bits(), 0.1f64.to_bits(), 3.0f64.to_bits());
    HITS.with(|h| h.set(0));
    let _ = run(29, a, b, c, 0, true);
    assert_eq!(HITS.with(Cell::get), 1, "round to nearest: fast");
    let _ = run(29, a, b, c, 1, true);
    assert_eq!(HITS.with(Cell::get), 1, "round toward zero: exact path");
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = triple();
    let mut taken = 0;
    for _ in 0..1000 {
        let (a, b, c) = strategy.new_tree(&mut runner).expect("tree").current();
        HITS.with(|h| h.set(0));
        let _ = run(29, a, b, c, 0, true);
        taken += HITS.with(Cell::get);
    }
    assert!(taken > 900, "fast path taken {taken}/1000 times");
}
