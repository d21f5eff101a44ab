//! vCPU save/restore (`Cpu::save_state` / `Cpu::restore_state`) judged by behaviour: a
//! bare-metal guest is stopped at an instruction boundary, moved to a new VM (RAM and HPT
//! through their snapshot sections, a fresh processor and interpreter restored from the saved
//! `VcpuState`) and run to its end there. The oracle is the same guest run once without
//! interruption: the moved guest must print exactly the same console output and end in exactly
//! the same processor state, RAM and HPT.
//!
//! Save points are spread over each run, plus the first boundary at which a state that is easy
//! to lose holds: a larx reservation (ldst), a decrementer exception pending under MSR\[EE] = 0
//! and problem state (irq), translation through the SLB and HPT (mmu), a written decrementer
//! still counting (spr).

mod guests_common;

use std::path::PathBuf;

use guests_common::Guest;
use papr_cpu::state::msr;
use papr_machine::snapshot::sections::save_ram;

/// Every guest finishes well within this many instructions.
const MAX_STEPS: u64 = 400_000_000;
/// How far a targeted save point is looked for.
const SCAN_LIMIT: u64 = 50_000_000;

fn elf(guest: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../guests/bin")
        .join(format!("{guest}.elf"));
    std::fs::read(path).expect("guest ELF")
}

/// A state worth saving at.
type Predicate = fn(&Guest) -> bool;

fn reservation_held(g: &Guest) -> bool {
    g.cpu.save_state(&g.interp).reservation.is_some()
}

fn decrementer_latched_under_ee0(g: &Guest) -> bool {
    g.cpu.timebase.dec_pending() && g.cpu.msr() & msr::EE == 0
}

fn problem_state(g: &Guest) -> bool {
    g.cpu.msr() & msr::PR != 0
}

fn translating(g: &Guest) -> bool {
    g.cpu.msr() & (msr::IR | msr::DR) == msr::IR | msr::DR
}

fn decrementer_counting(g: &Guest) -> bool {
    g.cpu.timebase.ticks_until_dec().is_some_and(|t| t > 0)
}

/// What must be identical at the end: console, processor state, RAM, HPT.
fn outcome(g: &Guest) -> (String, papr_cpu::VcpuState, Vec<u8>, Vec<(u64, u64)>) {
    (
        g.console(),
        g.cpu.save_state(&g.interp),
        save_ram(g.vm()),
        g.vm().hpt_entries(),
    )
}

/// Moves `g` to a new VM, runs both to the end and checks both against `reference`.
fn migrate_and_finish(
    guest: &str,
    g: &Guest,
    at: &str,
    reference: &(String, papr_cpu::VcpuState, Vec<u8>, Vec<(u64, u64)>),
) {
    let mut moved = g.migrate();
    assert_eq!(
        moved.cpu.save_state(&moved.interp),
        g.cpu.save_state(&g.interp),
        "{guest} at {at}: the restored state reads back"
    );
    assert!(
        moved.run_to(MAX_STEPS),
        "{guest} moved at {at} did not exit"
    );
    let got = outcome(&moved);
    assert!(
        got.0 == reference.0,
        "{guest} moved at {at}: console differs\n--- moved\n{}\n--- reference\n{}",
        got.0,
        reference.0
    );
    assert_eq!(
        got.1, reference.1,
        "{guest} moved at {at}: final vCPU state"
    );
    assert!(
        got.2 == reference.2,
        "{guest} moved at {at}: final RAM differs"
    );
    assert_eq!(got.3, reference.3, "{guest} moved at {at}: final HPT");
}

/// Runs `guest` to the end once for reference, then moves it at evenly spread points and at
/// the first boundary where each of `targets` holds.
fn check(guest: &str, compat: bool, targets: &[(&str, Predicate)]) {
    let image = elf(guest);
    let mut reference = Guest::boot(guest, &image, compat);
    assert!(reference.run_to(MAX_STEPS), "{guest} did not exit");
    let total = reference.interp.retired();
    let reference = outcome(&reference);
    assert!(reference.0.contains("@@END@@"), "{guest}: incomplete run");

    // Spread points, on one guest run in pieces (which must not change anything either).
    let mut g = Guest::boot(guest, &image, compat);
    for k in 1..=4u64 {
        let at = total * k / 5 + k * 7;
        g.run_to(at);
        migrate_and_finish(guest, &g, &format!("instruction {at}"), &reference);
    }
    assert!(g.run_to(MAX_STEPS));
    assert!(outcome(&g) == reference, "{guest}: run in pieces differs");

    for &(name, pred) in targets {
        let mut g = Guest::boot(guest, &image, compat);
        while !pred(&g) {
            let next = g.interp.retired() + 1;
            assert!(
                next < SCAN_LIMIT && !g.run_to(next),
                "{guest}: never reached '{name}'"
            );
        }
        let at = format!("'{name}' (instruction {})", g.interp.retired());
        migrate_and_finish(guest, &g, &at, &reference);
    }
}

#[test]
fn ldst_moved_with_a_reservation() {
    check("ldst", false, &[("reservation held", reservation_held)]);
}

#[test]
fn irq_moved_with_a_pending_decrementer_and_in_problem_state() {
    check(
        "irq",
        false,
        &[
            ("decrementer latched, EE = 0", decrementer_latched_under_ee0),
            ("problem state", problem_state),
        ],
    );
}

#[test]
fn mmu_moved_while_translating() {
    check("mmu", false, &[("IR = DR = 1", translating)]);
}

#[test]
fn spr_moved_with_a_counting_decrementer() {
    check(
        "spr",
        false,
        &[("decrementer counting", decrementer_counting)],
    );
}

/// Guests moved at the spread points only: `test name: guest, QEMU FP compat`.
macro_rules! moved_at_spread_points {
    ($($name:ident: $guest:literal, $compat:literal;)*) => {
        $(
            #[test]
            fn $name() {
                check($guest, $compat, &[]);
            }
        )*
    };
}

moved_at_spread_points! {
    fp_moved: "fp", true;
    vec_moved: "vec", false;
    random_3_moved: "random_3", false;
    mode32_moved: "mode32", false;
}
