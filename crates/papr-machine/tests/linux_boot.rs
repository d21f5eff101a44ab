//! Debian 12's ppc64le kernel + a busybox initramfs on the whole machine: the platform issue's
//! acceptance tests. Each boots the real kernel (about 10^9 instructions), drives the shell
//! through the console, and checks what Linux itself reports.
//!
//! The artifacts come from `scripts/fetch-debian-guest.sh` (run by `scripts/test`). Without
//! them the tests are skipped, loudly; with PAPR_REQUIRE_ORACLES=1 (CI) they fail instead.

use papr_machine::config::{IcMode, MachineConfig};
use papr_machine::initramfs::{busybox_initramfs, DEMO_INIT};
use papr_machine::machine::{BootImages, Machine, RunEnd};
use papr_machine::tree::ActiveIc;

mod support;
use support::{debian_artifacts, Sink};

struct Session {
    m: Machine,
    out: Sink,
    seen: usize,
}

/// The shell's marker that it is ready (printed by the initramfs's /init).
const READY: &str = "papr: busybox initramfs ready";
/// Instructions allowed to reach any one expected line.
const STEP_LIMIT: u64 = 4_000_000_000;

impl Session {
    fn boot(cfg: MachineConfig) -> Option<Session> {
        let (kernel, busybox) = debian_artifacts()?;
        let out = Sink::default();
        let images = BootImages {
            kernel_name: "vmlinux".into(),
            kernel,
            initrd: Some(busybox_initramfs(&busybox, DEMO_INIT)),
            bios: None,
        };
        let m = Machine::new(cfg, images, Box::new(out.clone())).expect("machine");
        Some(Session { m, out, seen: 0 })
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.out.0.lock().unwrap()).into_owned()
    }

    /// Runs until `needle` appears in new output; returns the output since the last wait.
    fn wait_for(&mut self, needle: &str) -> String {
        let start = self.m.retired();
        loop {
            let text = self.text();
            if let Some(pos) = text[self.seen..].find(needle) {
                let chunk = text[self.seen..self.seen + pos + needle.len()].to_owned();
                self.seen += pos + needle.len();
                return chunk;
            }
            assert!(
                self.m.retired() - start < STEP_LIMIT,
                "no {needle:?} after {STEP_LIMIT} instructions; output:\n{}",
                &text[text.len().saturating_sub(3000)..]
            );
            let end = self.m.run(Some(self.m.retired() + 50_000_000));
            if !matches!(end, RunEnd::InstructionLimit | RunEnd::Idle) {
                let text = self.text();
                if text[self.seen..].contains(needle) {
                    continue;
                }
                panic!(
                    "machine stopped ({end:?}) before {needle:?}:\n{}",
                    &text[text.len().saturating_sub(3000)..]
                );
            }
        }
    }

    /// Types a command and returns its output (up to the next prompt marker echo).
    fn command(&mut self, cmd: &str) -> String {
        let marker = format!("@@done-{}@@", self.seen);
        self.m
            .console_input(format!("{cmd}; echo {}\n", marker.replace('@', "@\"\"")).as_bytes());
        self.wait_for(&marker)
    }

    fn power_off(mut self) {
        self.m.console_input(b"poweroff -f\n");
        let start = self.m.retired();
        loop {
            match self.m.run(Some(self.m.retired() + 100_000_000)) {
                RunEnd::PowerOff => break,
                RunEnd::InstructionLimit | RunEnd::Idle => {
                    assert!(self.m.retired() - start < STEP_LIMIT, "no power-off");
                }
                other => panic!("expected power-off, got {other:?}"),
            }
        }
        assert!(self.text().contains("reboot: Power down"));
    }
}

/// The /proc/interrupts line naming `ipi` counts interrupts on both CPUs.
fn assert_ipis_on_both_cpus(irqs: &str, ipi: &str) {
    let line = irqs.lines().find(|l| l.contains(ipi)).expect("an IPI line");
    let counts: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .take(2)
        .filter_map(|c| c.parse().ok())
        .collect();
    assert!(
        counts.len() == 2 && counts.iter().all(|&c| c > 0),
        "IPIs on both CPUs: {line}"
    );
}

fn cfg(ic_mode: IcMode, cpus: u32, bootargs: &str) -> MachineConfig {
    MachineConfig {
        ram_bytes: 1 << 30,
        cpus,
        ic_mode,
        bootargs: bootargs.into(),
        ..MachineConfig::default()
    }
}

/// Dual mode, 2 vCPUs: CAS negotiates XIVE (XICS released, XIVE created); hash MMU; IPIs on
/// both CPUs; guest-driven HPT resize (grow, grow, a shrink that cannot hold the bolted
/// entries fails and the guest carries on); `reboot -f` resets the machine and it boots again
/// with the same ledger.
#[test]
fn dual_mode_xive_smp_resize_and_reboot() {
    let Some(mut s) = Session::boot(cfg(IcMode::Dual, 2, "console=hvc0")) else {
        return;
    };
    let boot = s.wait_for(READY);
    assert!(
        boot.contains("xive: Interrupt handling initialized with spapr backend"),
        "{boot}"
    );
    assert!(boot.contains("smp: Brought up 1 node, 2 CPUs"), "{boot}");
    assert_eq!(s.m.active_ic(), ActiveIc::Xive);
    let ledger_first = s.m.vm().ledger();

    assert!(s.command("grep -i mmu /proc/cpuinfo").contains("Hash"));
    assert_eq!(
        s.command("grep -c ^processor /proc/cpuinfo")
            .lines()
            .filter(|l| l.trim() == "2")
            .count(),
        1
    );
    let irqs = s.command("cat /proc/interrupts");
    assert!(irqs.contains("XIVE-IRQ"), "{irqs}");
    assert_ipis_on_both_cpus(&irqs, "IPI");

    let r = s.command("echo 22 > /sys/kernel/debug/powerpc/hpt_order");
    assert!(r.contains("HPT resize to shift 22 complete"), "{r}");
    assert_eq!(s.m.vm().hpt_order(), Some(22));
    let r = s.command("echo 24 > /sys/kernel/debug/powerpc/hpt_order");
    assert!(r.contains("HPT resize to shift 24 complete"), "{r}");
    assert_eq!(s.m.vm().hpt_order(), Some(24));
    let r = s.command("echo 18 > /sys/kernel/debug/powerpc/hpt_order");
    assert!(
        r.contains("No space left on device"),
        "the shrink fails cleanly: {r}"
    );
    assert_eq!(s.m.vm().hpt_order(), Some(24), "the old table stays in use");
    assert!(s.command("echo alive").contains("alive"));
    // busybox through glibc's floating point (VSX scalar instructions): sleep parses its
    // argument with strtod; awk and printf compute and format doubles.
    assert!(s.command("sleep 1 && echo slept").contains("slept"));
    assert!(s
        .command("awk 'BEGIN { print 1.5 * 3, 10 / 4 }'")
        .contains("4.5 2.5"));
    assert!(s.command("printf '%.3f\\n' 3.14159").contains("3.142"));

    s.m.console_input(b"reboot -f\n");
    let again = s.wait_for(READY);
    assert!(again.contains("Restarting system"), "{again}");
    assert_eq!(s.m.stats().resets, 1);
    assert_eq!(
        s.m.vm().hpt_order(),
        Some(23),
        "the HPT is back to the platform's size"
    );
    assert_eq!(
        s.m.active_ic(),
        ActiveIc::Xive,
        "negotiated again at the new CAS"
    );
    assert_eq!(
        s.m.vm().ledger(),
        ledger_first,
        "the second boot holds what the first did"
    );
    s.power_off();
}

/// Dual mode with `xive=off`: CAS negotiates XICS; 2 vCPUs exchange IPIs through XICS.
#[test]
fn dual_mode_with_xive_off_gives_xics() {
    let Some(mut s) = Session::boot(cfg(IcMode::Dual, 2, "console=hvc0 xive=off")) else {
        return;
    };
    s.wait_for(READY);
    assert_eq!(s.m.active_ic(), ActiveIc::Xics);
    let irqs = s.command("cat /proc/interrupts");
    assert!(irqs.contains("XICS"), "{irqs}");
    assert_ipis_on_both_cpus(&irqs, "IPI");
    assert!(s.command("grep -i mmu /proc/cpuinfo").contains("Hash"));
    // The monitor's `nmi`: a system reset on both CPUs. Linux reports where they were and,
    // with no crash kernel or debugger, dies ("Oops: System Reset").
    s.m.nmi();
    let oops = s.wait_for("NIP");
    assert!(oops.contains("System Reset"), "{oops}");
    eprintln!("{}", s.wait_for("Kernel panic"));
}

/// Forced modes: the machine offers only one controller and the guest uses it.
#[test]
fn forced_xics_and_forced_xive() {
    for (mode, want, ic) in [
        (IcMode::Xics, "XICS", ActiveIc::Xics),
        (IcMode::Xive, "XIVE-IRQ", ActiveIc::Xive),
    ] {
        let Some(mut s) = Session::boot(cfg(mode, 1, "console=hvc0")) else {
            return;
        };
        s.wait_for(READY);
        assert_eq!(s.m.active_ic(), ic);
        let irqs = s.command("cat /proc/interrupts");
        assert!(irqs.contains(want), "{mode:?}: {irqs}");
        assert!(s.command("grep -i mmu /proc/cpuinfo").contains("Hash"));
        s.power_off();
    }
}
