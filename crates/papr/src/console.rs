//! Running a machine with this terminal as its console: stdin in raw mode read on a thread,
//! Ctrl-A escapes, guest output to stdout, and the `--stats` report.

use std::io::{IsTerminal, Read, Write};
use std::sync::mpsc;

use papr_machine::machine::{Machine, RunEnd};

use crate::control::ControlServer;
use crate::monitor::Monitor;
use crate::terminal::{EscapeParser, Key, RawMode, HELP};

/// Instructions run between two looks at the keyboard.
const POLL: u64 = 2_000_000;

/// How a session runs.
#[derive(Default)]
pub struct SessionOptions {
    /// Stop after this many instructions in all.
    pub limit: Option<u64>,
    /// The control socket, if any.
    pub control: Option<ControlServer>,
    /// Deterministic mode: idle vCPUs jump to their next timer instead of waiting for it in
    /// real time, so runs repeat exactly (and `sleep 1` in the guest takes no wall time).
    pub deterministic: bool,
    /// Start paused (the control socket's `cont` starts the guest).
    pub paused: bool,
}

/// Runs `machine` until it stops, `limit` instructions, or the user quits.
pub fn run_interactive(machine: &mut Machine, limit: Option<u64>) -> std::io::Result<String> {
    run_session(
        machine,
        SessionOptions {
            limit,
            ..SessionOptions::default()
        },
    )
}

/// Runs `machine` with this terminal as its console and, if given, the control socket;
/// returns a description of how the session ended.
pub fn run_session(machine: &mut Machine, opts: SessionOptions) -> std::io::Result<String> {
    let _raw = RawMode::enter()?;
    let (tx, rx) = mpsc::channel::<Vec<u8>>();
    std::thread::spawn(move || {
        let mut stdin = std::io::stdin();
        let mut buf = [0u8; 256];
        loop {
            match stdin.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    if tx.send(buf[..n].to_vec()).is_err() {
                        return;
                    }
                }
            }
        }
    });
    let mut esc = EscapeParser::new();
    machine.set_idle_realtime(!opts.deterministic);
    let limit = opts.limit;
    let interactive = std::io::stdin().is_terminal();
    let mut monitor = Monitor::new(opts.control, opts.paused);
    loop {
        while let Ok(bytes) = rx.try_recv() {
            for key in esc.feed(&bytes) {
                match key {
                    Key::Guest(b) => machine.console_input(&b),
                    Key::Quit => return Ok("quit (Ctrl-A x)".into()),
                    Key::Help => {
                        let mut e = std::io::stderr();
                        let _ = e.write_all(HELP.as_bytes());
                    }
                }
            }
        }
        if let Some(end) = monitor.serve(machine) {
            return Ok(end);
        }
        if monitor.paused() {
            std::thread::sleep(std::time::Duration::from_millis(10));
            continue;
        }
        let step = limit.map_or(POLL, |l| l.saturating_sub(machine.retired()).min(POLL));
        let target = machine.retired().saturating_add(step);
        match machine.run(Some(target)) {
            RunEnd::InstructionLimit => {
                if limit.is_some_and(|l| machine.retired() >= l) {
                    return Ok(describe(&RunEnd::InstructionLimit));
                }
            }
            // Every vCPU is idle: wait for its next timer in real time (or, deterministic,
            // for input or a command: nothing else can wake it), unless a migration has
            // pages to send meanwhile; look at the keyboard and go on.
            RunEnd::Idle if !opts.deterministic || monitor.busy() || interactive => {
                if !monitor.migrating() {
                    std::thread::sleep(if opts.deterministic {
                        std::time::Duration::from_millis(10)
                    } else {
                        machine.idle_wait()
                    });
                }
            }
            end => return Ok(describe(&end)),
        }
    }
}

/// A one-line description of how a run ended.
pub fn describe(end: &RunEnd) -> String {
    match end {
        RunEnd::PowerOff => "the guest powered off".into(),
        RunEnd::FirmwareExit => "the guest called Open Firmware exit".into(),
        RunEnd::OsTerm(m) => format!("the guest terminated: {m}"),
        RunEnd::GuestError(m) => format!("stopped: {m}"),
        RunEnd::InstructionLimit => "instruction limit reached".into(),
        RunEnd::Idle => "every vCPU is idle with nothing to wake it".into(),
    }
}

/// The `--stats` report: hcalls the hypervisor handled per vCPU, the interpreter's counters,
/// the platform's unimplemented hcalls, RTAS calls, and the allocation ledger.
pub fn print_stats(machine: &Machine) {
    let mut e = std::io::stderr();
    let _ = writeln!(e, "papr: {} instructions", machine.retired());
    for v in machine.vm().vcpus() {
        let counts: Vec<String> = v
            .hcall_counts()
            .iter()
            .map(|(n, c)| format!("{n:#x}:{c}"))
            .collect();
        let _ = writeln!(
            e,
            "papr: vCPU {} hypervisor hcalls {}",
            v.id(),
            counts.join(" ")
        );
    }
    for (id, st, walks) in machine.interp_stats() {
        #[allow(clippy::cast_precision_loss)] // an average for display
        let run = st.retired as f64 / st.block_entries.max(1) as f64;
        let _ = writeln!(
            e,
            "papr: vCPU {id} interpreter: {} instructions, {} decoded-block entries ({run:.1} \
             instructions each), {} blocks decoded, {} single-stepped, {walks} MMU table walks",
            st.retired, st.block_entries, st.blocks_decoded, st.single_steps
        );
    }
    let s = machine.stats();
    let _ = writeln!(
        e,
        "papr: platform hcalls answered H_FUNCTION {:x?}",
        s.unimplemented_hcalls
    );
    let _ = writeln!(e, "papr: RTAS calls {:?}", s.rtas_calls);
    let _ = writeln!(
        e,
        "papr: OF client-interface calls {}, resets {}",
        s.of_calls, s.resets
    );
    let _ = writeln!(e, "papr: ledger: {}", machine.vm().ledger());
}
