//! The initramfs writer checked by GNU cpio (an independent reader): the listing, the file
//! contents and the device node survive.

use papr_machine::initramfs::{busybox_initramfs, DEMO_INIT};
use std::io::Write;
use std::process::{Command, Stdio};

fn cpio(args: &[&str], input: &[u8], dir: &std::path::Path) -> Option<String> {
    let mut child = Command::new("cpio")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(input).ok()?;
    let out = child.wait_with_output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn gnu_cpio_reads_it_back() {
    if Command::new("cpio").arg("--version").output().is_err() {
        if std::env::var("PAPR_REQUIRE_ORACLES").as_deref() == Ok("1") {
            panic!("cpio is missing: apt-get install cpio");
        }
        eprintln!("SKIPPED: cpio missing (apt-get install cpio)");
        return;
    }
    let fake_busybox: Vec<u8> = (0..100_001u32).map(|i| (i * 7).to_le_bytes()[0]).collect();
    let archive = busybox_initramfs(&fake_busybox, DEMO_INIT);
    let dir = std::env::temp_dir().join(format!("papr-cpio-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let listing = cpio(&["-it", "--quiet"], &archive, &dir).expect("cpio lists the archive");
    let names: Vec<&str> = listing.lines().collect();
    for want in ["bin", "dev/console", "bin/busybox", "bin/sh", "init"] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }
    let verbose = cpio(&["-itv", "--quiet"], &archive, &dir).unwrap();
    let console = verbose
        .lines()
        .find(|l| l.ends_with("dev/console"))
        .unwrap();
    assert!(console.starts_with("crw-------"), "{console}");
    assert!(console.contains("5,"), "{console}");
    let sh = verbose.lines().find(|l| l.contains("bin/sh")).unwrap();
    assert!(
        sh.starts_with('l') && sh.ends_with("bin/sh -> busybox"),
        "{sh}"
    );
    // Extract the regular files and compare.
    cpio(
        &[
            "-id",
            "--quiet",
            "--no-absolute-filenames",
            "bin/busybox",
            "init",
        ],
        &archive,
        &dir,
    )
    .expect("cpio extracts");
    assert_eq!(
        std::fs::read(dir.join("bin/busybox")).unwrap(),
        fake_busybox
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("init")).unwrap(),
        DEMO_INIT
    );
    let _ = std::fs::remove_dir_all(&dir);
}
