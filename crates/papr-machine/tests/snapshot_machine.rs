//! Whole-machine snapshots of the bare-metal test guests: a snapshot taken at any point and
//! restored into a new machine finishes exactly like the uninterrupted run (whose output is
//! itself checked against QEMU 7.2's recording by tests/machine.rs). Plus the restore's
//! refusals and hostile input.

use std::path::PathBuf;

use papr_machine::config::{IcMode, MachineConfig};
use papr_machine::machine::save::Host;
use papr_machine::machine::{BootImages, Machine, MachineError, RunEnd};
use papr_machine::snapshot::stream::SectionReader;
use papr_machine::snapshot::SnapshotError;

mod support;
use support::Sink;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn machine(name: &str, cfg: MachineConfig) -> (Machine, Sink) {
    let elf = std::fs::read(repo().join(format!("guests/bin/{name}.elf"))).unwrap();
    let sink = Sink::default();
    let images = BootImages {
        kernel_name: format!("{name}.elf"),
        kernel: elf,
        initrd: None,
        bios: None,
    };
    let m = Machine::new(cfg, images, Box::new(sink.clone())).unwrap();
    (m, sink)
}

fn cfg() -> MachineConfig {
    MachineConfig {
        ram_bytes: 256 << 20,
        ..MachineConfig::default()
    }
}

const LIMIT: u64 = 500_000_000;

fn restore(bytes: &[u8], host: &Host) -> Result<(Machine, Sink), MachineError> {
    let sink = Sink::default();
    let mut r = SectionReader::new(bytes)?;
    let m = Machine::restore_snapshot(&mut r, host, Box::new(sink.clone()))?;
    Ok((m, sink))
}

#[test]
fn a_snapshot_at_any_point_finishes_like_the_uninterrupted_run() {
    for name in ["mmu", "irq", "fp", "vec", "random_1", "mode32", "spr"] {
        let (mut whole, whole_out) = machine(name, cfg());
        let end = whole.run(Some(LIMIT));
        assert_eq!(end, RunEnd::FirmwareExit, "{name}");
        let total = whole.retired();
        let want = whole_out.bytes();
        // A few points spread over the run (whole rounds of the vCPU: SLICE instructions).
        for k in 1..4u64 {
            let at = total * k / 4;
            let (mut m, out) = machine(name, cfg());
            let _ = m.run(Some(at));
            let before = out.bytes();
            let snap = m.save_snapshot(Vec::new()).unwrap();
            let (mut r, r_out) = restore(&snap, &Host::default()).unwrap();
            assert_eq!(r.retired(), m.retired(), "{name}");
            assert_eq!(r.run(Some(LIMIT)), RunEnd::FirmwareExit, "{name} at {at}");
            let mut got = before;
            got.extend(r_out.bytes());
            assert_eq!(
                String::from_utf8_lossy(&got),
                String::from_utf8_lossy(&want),
                "{name} restored at {at}"
            );
            // The source is untouched by the save: it finishes the same way too.
            assert_eq!(m.run(Some(LIMIT)), RunEnd::FirmwareExit);
            assert_eq!(out.bytes(), want, "{name}: the source after a save");
        }
    }
}

#[test]
fn a_destination_refuses_what_it_cannot_host_and_says_why() {
    let (mut m, _) = machine("hello", cfg());
    let _ = m.run(Some(1000));
    let snap = m.save_snapshot(Vec::new()).unwrap();
    let refuse = |host: Host, what: &str| {
        let err = restore(&snap, &host).err().expect("refused");
        let text = err.to_string();
        assert!(
            matches!(err, MachineError::Snapshot(SnapshotError::Incompatible(_))),
            "{text}"
        );
        assert!(text.contains(what), "{text}");
    };
    refuse(
        Host {
            ram_bytes: Some(512 << 20),
            ..Host::default()
        },
        "RAM",
    );
    refuse(
        Host {
            cpus: Some(2),
            ..Host::default()
        },
        "vCPU",
    );
    // Before CAS the guest runs on XICS (the dual mode's reset controller).
    refuse(
        Host {
            ic_mode: Some(IcMode::Xive),
            ..Host::default()
        },
        "ic-mode",
    );
    refuse(
        Host {
            max_hpt_order: Some(18),
            ..Host::default()
        },
        "order",
    );
    assert!(restore(
        &snap,
        &Host {
            ic_mode: Some(IcMode::Xics),
            ..Host::default()
        }
    )
    .is_ok());
}

#[test]
fn cut_or_corrupted_snapshots_are_refused_without_panicking() {
    let (mut m, _) = machine("hello", cfg());
    let _ = m.run(Some(5000));
    let snap = m.save_snapshot(Vec::new()).unwrap();
    // Cuts at every section boundary region and a spread of other places.
    let step = (snap.len() / 97).max(1);
    for cut in (0..snap.len()).step_by(step) {
        assert!(
            restore(&snap[..cut], &Host::default()).is_err(),
            "cut {cut}"
        );
    }
    let mut v = snap.clone();
    v[8] = v[8].wrapping_add(1);
    let err = restore(&v, &Host::default()).err().unwrap().to_string();
    assert!(err.contains(&format!("version {}", v[8])), "{err}");
    for at in (12..snap.len()).step_by(step) {
        let mut c = snap.clone();
        c[at] ^= 0x10;
        assert!(restore(&c, &Host::default()).is_err(), "flip at {at}");
    }
}
