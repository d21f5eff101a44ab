//! The whole machine (firmware, hypervisor, interpreter, platform hcalls) running the recorded
//! bare-metal guests: their console output must be QEMU 7.2's (guests/expected), apart from the
//! documented per-guest exceptions the processor issue keeps in tests/data.

use std::path::PathBuf;

use papr_machine::config::MachineConfig;
use papr_machine::machine::{BootImages, Machine, RunEnd};

mod support;
use support::Sink;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The lines between @@BEGIN@@ and @@END@@, as guests/record.sh keeps them.
fn kept(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut on = false;
    for l in text.lines().map(|l| l.trim_end_matches('\r')) {
        if l == "@@BEGIN@@" {
            on = true;
        }
        if on {
            out.push(l.to_owned());
        }
        if l == "@@END@@" {
            break;
        }
    }
    out
}

fn run(name: &str) -> (RunEnd, Vec<String>) {
    let elf = std::fs::read(repo().join(format!("guests/bin/{name}.elf"))).unwrap();
    let sink = Sink::default();
    let cfg = MachineConfig {
        ram_bytes: 256 << 20,
        ..MachineConfig::default()
    };
    let images = BootImages {
        kernel_name: format!("{name}.elf"),
        kernel: elf,
        initrd: None,
        bios: None,
    };
    let mut m = Machine::new(cfg, images, Box::new(sink.clone())).unwrap();
    let end = m.run(Some(500_000_000));
    let text = String::from_utf8_lossy(&sink.0.lock().unwrap()).into_owned();
    (end, kept(&text))
}

fn expected(name: &str) -> Vec<String> {
    let text = std::fs::read_to_string(repo().join(format!("guests/expected/{name}.txt"))).unwrap();
    kept(&text)
}

#[test]
fn hello_runs_through_the_machine_as_on_qemu() {
    let (end, got) = run("hello");
    assert_eq!(end, RunEnd::FirmwareExit);
    assert_eq!(got, expected("hello"));
}

#[test]
fn branch_and_random_guests_match_exactly() {
    for name in ["branch", "mode32", "random_1", "vec"] {
        let (end, got) = run(name);
        assert_eq!(end, RunEnd::FirmwareExit, "{name}");
        assert_eq!(got, expected(name), "{name}");
    }
}

/// `--bios`: a raw big-endian firmware at 0, entered at 0x100 with r3 = the flattened tree.
/// This one reads the tree's first word and prints it through H_PUT_TERM_CHAR.
#[test]
fn bios_images_start_at_0x100_with_the_tree_in_r3() {
    let code: [u32; 9] = [
        0x7c69_1b78, // mr    r9,r3
        0x80c9_0000, // lwz   r6,0(r9)
        0x3860_0058, // li    r3,0x58  (H_PUT_TERM_CHAR)
        0x3880_0000, // li    r4,0
        0x38a0_0008, // li    r5,8
        0x38e0_0000, // li    r7,0
        0x4400_0022, // sc    1
        0x4800_0000, // b     .
        0,
    ];
    let mut bios = vec![0u8; 0x100];
    for w in code {
        bios.extend_from_slice(&w.to_be_bytes());
    }
    let sink = Sink::default();
    let images = BootImages {
        kernel_name: String::new(),
        kernel: Vec::new(),
        initrd: None,
        bios: Some(bios),
    };
    let cfg = MachineConfig {
        ram_bytes: 256 << 20,
        ..MachineConfig::default()
    };
    let mut m = Machine::new(cfg, images, Box::new(sink.clone())).unwrap();
    assert_eq!(m.run(Some(10_000)), RunEnd::InstructionLimit);
    let out = sink.0.lock().unwrap().clone();
    assert_eq!(
        out,
        [0, 0, 0, 0, 0xd0, 0x0d, 0xfe, 0xed],
        "the FDT magic, read at r3"
    );
    // Dual mode without CAS means XICS.
    assert_eq!(m.active_ic(), papr_machine::tree::ActiveIc::Xics);
}
