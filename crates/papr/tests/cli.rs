//! The papr binary as a user runs it.

use std::process::Command;

fn papr(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_papr"))
        .args(args)
        .output()
        .expect("papr runs")
}

#[test]
fn hpt_order_follows_qemus_rule() {
    let out = papr(&["hpt-order", "-m", "4G"]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "25");
}

#[test]
fn dumpdtb_writes_a_tree_dtc_can_read() {
    let path = std::env::temp_dir().join(format!("papr-cli-{}.dtb", std::process::id()));
    let p = path.to_str().unwrap();
    let out = papr(&[
        "dumpdtb",
        "-o",
        p,
        "-m",
        "2G",
        "--smp",
        "2",
        "--ic-mode",
        "xive",
        "--stage",
        "cas",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dtb = std::fs::read(&path).unwrap();
    assert_eq!(&dtb[..4], &[0xd0, 0x0d, 0xfe, 0xed]);
    if let Ok(dts) = Command::new("dtc")
        .args(["-I", "dtb", "-O", "dts", "-q", p])
        .output()
    {
        let dts = String::from_utf8_lossy(&dts.stdout);
        assert!(dts.contains("PowerPC,POWER9@1"), "{dts}");
        assert!(dts.contains("ibm,power-ivpe"));
        assert!(
            dts.contains("ibm,pft-size = <0x00 0x18>"),
            "2 GiB -> order 24"
        );
    }
    let _ = std::fs::remove_file(&path);
}

#[test]
fn bad_configurations_get_one_clear_line() {
    let out = papr(&["dumpdtb", "-o", "/tmp/never.dtb", "-m", "100M"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("papr: error: unusable RAM size"), "{err}");
    assert_eq!(err.lines().count(), 1, "no backtrace: {err}");
    let out = papr(&["dumpdtb", "-o", "/tmp/never.dtb", "--hpt-order", "50"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("HPT order 50"));
}

/// A bare-metal guest through `papr run` prints what it printed on QEMU 7.2
/// (guests/expected/hello.txt, the lines record.sh keeps).
#[test]
fn papr_run_reproduces_a_guests_qemu_output() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let elf = root.join("guests/bin/hello.elf");
    let out = Command::new(env!("CARGO_BIN_EXE_papr"))
        .args(["run", "-m", "256M", "--kernel"])
        .arg(&elf)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("papr runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let keep = |t: &str| -> Vec<String> {
        let mut v = Vec::new();
        let mut on = false;
        for l in t.lines().map(|l| l.trim_end_matches('\r')) {
            on |= l == "@@BEGIN@@";
            if on {
                v.push(l.to_owned());
            }
            if l == "@@END@@" {
                break;
            }
        }
        v
    };
    let want = std::fs::read_to_string(root.join("guests/expected/hello.txt")).unwrap();
    assert_eq!(keep(&String::from_utf8_lossy(&out.stdout)), keep(&want));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Open Firmware exit"));
}
