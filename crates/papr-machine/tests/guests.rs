//! The bare-metal guests of `guests/bin` run on the interpreter, their console output compared
//! line by line with what QEMU 7.2 printed (`guests/expected/NAME.txt`). Where papr deliberately
//! differs, `tests/data/guest_exceptions.txt` names the line, what papr prints instead and why.
//!
//! The floating-point guests also run with `Interpreter::set_qemu_fp_compat`, which reproduces
//! QEMU 7.2's four FP deviations from the ISA (see `papr_cpu::interp::fp`): then they must
//! match QEMU's output with no exception at all. That checks every other FP path bit for bit
//! on the random guests, whose state diverges from QEMU's after the first fnmadd in a directed
//! rounding mode when papr follows the ISA (their ISA-mode runs are reported, not asserted).

mod guests_common;

use std::collections::HashMap;
use std::path::PathBuf;

use guests_common::{recorded_lines, run_guest, End};

/// Every guest finishes well within this many instructions.
const MAX_STEPS: u64 = 400_000_000;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// (line number, papr's line) for `guest`.
fn exceptions(guest: &str) -> HashMap<usize, String> {
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/guest_exceptions.txt"),
    )
    .expect("exception list");
    let mut out = HashMap::new();
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 4, "malformed exception entry: {line}");
        assert!(
            !f[3].trim().is_empty(),
            "exception without a reason: {line}"
        );
        if f[0] == guest {
            let n: usize = f[1].parse().expect("line number");
            assert!(
                out.insert(n, f[2].to_owned()).is_none(),
                "duplicate exception {guest}:{n}"
            );
        }
    }
    out
}

/// Runs `guest` and returns (matching lines, total, mismatch report). With `compat` the FP
/// unit reproduces QEMU and no exception applies.
fn check(guest: &str, compat: bool) -> (usize, usize, String) {
    let root = repo().join("guests");
    let elf = std::fs::read(root.join(format!("bin/{guest}.elf"))).expect("elf");
    let expected = std::fs::read_to_string(root.join(format!("expected/{guest}.txt")))
        .expect("expected output");
    let expected: Vec<&str> = expected.lines().collect();
    let run = run_guest(guest, &elf, MAX_STEPS, compat);
    let got = recorded_lines(&run.console);
    let exc = if compat {
        HashMap::new()
    } else {
        exceptions(guest)
    };
    let mut matching = 0;
    let mut report = String::new();
    for (i, want) in expected.iter().enumerate() {
        let n = i + 1;
        let want = exc.get(&n).map_or(*want, String::as_str);
        match got.get(i) {
            Some(g) if g == want => matching += 1,
            Some(g) => {
                report.push_str(&format!("{guest}:{n}\n  want {want}\n  got  {g}\n"));
            }
            None => report.push_str(&format!("{guest}:{n}\n  want {want}\n  got  <nothing>\n")),
        }
    }
    for (i, g) in got.iter().enumerate().skip(expected.len()) {
        report.push_str(&format!(
            "{guest}:{}\n  want <nothing>\n  got  {g}\n",
            i + 1
        ));
    }
    for n in exc.keys() {
        assert!(*n <= expected.len(), "exception {guest}:{n} past the end");
    }
    if run.end != End::Exit {
        report.push_str(&format!("{guest}: no OF exit after {} steps\n", run.steps));
    }
    println!(
        "GUEST {guest}{}: {matching}/{} lines match ({} exceptions), {} instructions",
        if compat { " (QEMU FP compat)" } else { "" },
        expected.len(),
        exc.len(),
        run.steps
    );
    (matching, expected.len(), report)
}

fn assert_guest(guest: &str) {
    assert_run(guest, false);
}

fn assert_run(guest: &str, compat: bool) {
    let (matching, total, report) = check(guest, compat);
    if std::env::var_os("PAPR_GUEST_DIFF").is_some() {
        print!("{report}");
    }
    assert!(
        matching == total && report.is_empty(),
        "{guest}: {matching}/{total} lines match\n{}",
        report.lines().take(60).collect::<Vec<_>>().join("\n")
    );
}

macro_rules! guest_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                assert_guest(stringify!($name));
            }
        )*
    };
}

guest_tests!(
    hello, alu, branch, ldst, irq, mmu, mode32, spr, fp, fpq, vec, vfp, random_1, random_2,
    random_3,
);

#[test]
fn fp_qemu_fp_compat() {
    assert_run("fp", true);
}

#[test]
fn random_fp_11_qemu_fp_compat() {
    assert_run("random_fp_11", true);
}

#[test]
fn random_fp_12_qemu_fp_compat() {
    assert_run("random_fp_12", true);
}

/// The random FP guests as papr runs them (ISA semantics): reported, not asserted, since the
/// first fnmadd/fnmsub in a directed rounding mode makes the register state diverge from the
/// recording (the compat runs above check the rest).
#[test]
fn random_fp_isa_report() {
    for g in ["random_fp_11", "random_fp_12"] {
        let (matching, total, _) = check(g, false);
        assert!(matching > 0 && total > 0);
    }
}

/// Development aid: `PAPR_GUEST_ELF=path cargo test -p papr-machine --test guests -- --ignored
/// --nocapture run_elf_from_env` runs any bare-metal guest and prints its console.
#[test]
#[ignore = "runs the ELF named by PAPR_GUEST_ELF"]
fn run_elf_from_env() {
    let Some(path) = std::env::var_os("PAPR_GUEST_ELF") else {
        return;
    };
    let elf = std::fs::read(&path).expect("elf");
    let compat = std::env::var_os("PAPR_QEMU_FP_COMPAT").is_some();
    let run = run_guest("guest", &elf, MAX_STEPS, compat);
    print!("{}", recorded_lines(&run.console).join("\n"));
    println!();
}
