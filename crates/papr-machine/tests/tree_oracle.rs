//! papr's pseries tree against the trees QEMU 7.2 produced (shared/docs/reference): the minimal
//! post-CAS XICS tree that booted Debian's kernel to a shell, and QEMU's full post-CAS XIVE
//! tree. Both sides go through dtc, so the comparison is of dtc's canonical text per property.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use papr_machine::config::{IcMode, MachineConfig};
use papr_machine::tree::{apply_cas, build, ActiveIc, CasOutcome};

fn reference(name: &str) -> Option<String> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/docs/reference")
        .join(name);
    std::fs::read_to_string(p).ok()
}

fn dtc(args: &[&str], input: &[u8]) -> Option<Vec<u8>> {
    let mut child = Command::new("dtc")
        .args(args)
        .args(["-q", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(input).ok()?;
    let out = child.wait_with_output().ok()?;
    out.status.success().then_some(out.stdout)
}

/// dtc's canonical text -> (node path, property) -> value text.
fn props(dts: &str) -> BTreeMap<(String, String), String> {
    let mut out = BTreeMap::new();
    let mut path: Vec<String> = Vec::new();
    for line in dts.lines().map(str::trim) {
        if let Some(name) = line.strip_suffix(" {") {
            path.push(if name == "/" {
                String::new()
            } else {
                name.to_owned()
            });
        } else if line == "};" {
            path.pop();
        } else if let Some(body) = line.strip_suffix(';') {
            if body.starts_with("/dts-v1/") || body.starts_with("/memreserve/") || path.is_empty() {
                continue;
            }
            let (k, v) = body.split_once(" = ").unwrap_or((body, ""));
            let p = if path.len() == 1 {
                "/".to_owned()
            } else {
                path[1..].join("/")
            };
            out.insert((p, k.to_owned()), v.to_owned());
        }
    }
    out
}

fn canonical_from_dts(src: &str) -> Option<BTreeMap<(String, String), String>> {
    let dtb = dtc(&["-I", "dts", "-O", "dtb"], src.as_bytes())?;
    let text = dtc(&["-I", "dtb", "-O", "dts"], &dtb)?;
    Some(props(&String::from_utf8(text).ok()?))
}

fn canonical_from_dtb(dtb: &[u8]) -> BTreeMap<(String, String), String> {
    let text = dtc(&["-I", "dtb", "-O", "dts"], dtb).expect("dtc decompiles our tree");
    props(&String::from_utf8(text).unwrap())
}

fn oracles_or_skip(name: &str) -> Option<String> {
    let have_dtc = Command::new("dtc").arg("--version").output().is_ok();
    let r = reference(name);
    if have_dtc && r.is_some() {
        return r;
    }
    if std::env::var("PAPR_REQUIRE_ORACLES").as_deref() == Ok("1") {
        panic!("missing oracle: dtc (apt-get install device-tree-compiler) or shared/docs/reference/{name}");
    }
    eprintln!("SKIPPED: dtc or shared/docs/reference/{name} missing");
    None
}

/// Properties the reference trees have that are set by someone else (prom_init, the machine at
/// boot) or are cosmetic, each with the reason.
const NOT_OURS: &[(&str, &str, &str)] = &[
    ("/", "model", "free text"),
    ("/", "phandle", "phandle values are the firmware's choice"),
    (
        "rtas",
        "linux,rtas-base",
        "set by prom_init after instantiate-rtas",
    ),
    (
        "rtas",
        "linux,rtas-entry",
        "set by prom_init after instantiate-rtas",
    ),
    (
        "chosen",
        "linux,initrd-start",
        "rewritten by prom_init as 8-byte cells",
    ),
    (
        "chosen",
        "linux,initrd-end",
        "rewritten by prom_init as 8-byte cells",
    ),
    (
        "rtas",
        "rtas-size",
        "the hand-made 2-vCPU minimal tree copied it from a 1-vCPU QEMU run \
         (20 + 2048 + 16 x vCPUs + 8; checked separately)",
    ),
];

fn compare(
    ours: &BTreeMap<(String, String), String>,
    theirs: &BTreeMap<(String, String), String>,
    only: impl Fn(&str, &str) -> bool,
) -> Vec<String> {
    let mut diffs = Vec::new();
    for ((path, prop), want) in theirs {
        if !only(path, prop)
            || prop == "phandle"
            || prop == "linux,phandle"
            || NOT_OURS.iter().any(|&(p, k, _)| p == path && k == prop)
        {
            continue;
        }
        match ours.get(&(path.clone(), prop.clone())) {
            Some(got) if got == want => {}
            Some(got) => diffs.push(format!("{path} {prop}: ours {got}, QEMU {want}")),
            None => diffs.push(format!("{path} {prop}: missing (QEMU {want})")),
        }
    }
    diffs
}

#[test]
fn matches_the_minimal_tree_that_boots_linux() {
    let Some(src) = oracles_or_skip("minimal-fdt-entry-xics.dts") else {
        return;
    };
    let theirs = canonical_from_dts(&src).expect("dtc compiles the reference");
    let cfg = MachineConfig {
        cpus: 2,
        ic_mode: IcMode::Xics,
        bootargs: "console=hvc0".into(),
        ..MachineConfig::default()
    };
    let (mut t, mut nodes) = build(&cfg, Some((0x2c9_0000, 0x2db_214b))).unwrap();
    let cas = CasOutcome {
        ic: ActiveIc::Xics,
        vec5: vec![0, 0],
    };
    apply_cas(&mut t, &mut nodes, &cfg, ActiveIc::Xics, &cas).unwrap();
    let ours = canonical_from_dtb(&t.to_fdt(&[]).unwrap());
    // The minimal tree's hypertas list is a subset of ours; compare the rest exactly.
    let diffs = compare(&ours, &theirs, |_, prop| prop != "ibm,hypertas-functions");
    assert!(diffs.is_empty(), "{diffs:#?}");
    assert_eq!(
        papr_machine::tree::rtas_size(1),
        0x82c,
        "QEMU's value for one vCPU"
    );
    assert_eq!(
        papr_machine::tree::rtas_size(1),
        0x82c,
        "QEMU's value for one vCPU"
    );
    let ours_funcs = &ours[&("rtas".to_owned(), "ibm,hypertas-functions".to_owned())];
    for f in [
        "hcall-pft",
        "hcall-term",
        "hcall-interrupt",
        "hcall-splpar",
        "hcall-bulk",
        "hcall-set-mode",
    ] {
        assert!(ours_funcs.contains(f), "{f} missing from {ours_funcs}");
    }
}

#[test]
fn matches_qemus_xive_controller_node_after_cas() {
    let Some(src) = oracles_or_skip("pseries-xive.dts") else {
        return;
    };
    let theirs = canonical_from_dts(&src).expect("dtc compiles the reference");
    let cfg = MachineConfig::default();
    let (mut t, mut nodes) = build(&cfg, None).unwrap();
    let before = nodes.ic_phandle;
    let cas = CasOutcome {
        ic: ActiveIc::Xive,
        vec5: vec![0x15, 0x00, 0x20, 0x00, 0x00, 0xa0, 0x05, 0x00],
    };
    apply_cas(&mut t, &mut nodes, &cfg, ActiveIc::Xics, &cas).unwrap();
    assert_eq!(
        nodes.ic_phandle, before,
        "the controller keeps its phandle across CAS"
    );
    // Only one controller node remains: the XIVE one (a path without a unit address finds it).
    assert_eq!(t.find("/interrupt-controller"), Some(nodes.ic));
    assert_eq!(
        t.path(nodes.ic).as_deref(),
        Some("/interrupt-controller@60302031b0000")
    );
    let ours = canonical_from_dtb(&t.to_fdt(&[]).unwrap());
    let node = "interrupt-controller@60302031b0000";
    let diffs = compare(&ours, &theirs, |path, prop| {
        path == node || (path == "/" && prop == "ibm,plat-res-int-priorities")
    });
    assert!(diffs.is_empty(), "{diffs:#?}");
    assert_eq!(
        ours[&(node.to_owned(), "phandle".to_owned())],
        format!("<{before:#04x}>"),
        "phandle property carries the stable value"
    );
    // CPU identification after CAS, as QEMU's tree has it.
    let cpu = "cpus/PowerPC,POWER9@0";
    for prop in [
        "cpu-version",
        "ibm,pft-size",
        "ibm,segment-page-sizes",
        "ibm,slb-size",
        "timebase-frequency",
        "ibm,processor-segment-sizes",
        "ibm,vmx",
        "ibm,dec-bits",
    ] {
        let k = (cpu.to_owned(), prop.to_owned());
        assert_eq!(ours.get(&k), theirs.get(&k), "{cpu} {prop}");
    }
    // pa-features: QEMU's bytes with the radix bit (data byte 40, property offset 42) cleared.
    let k = (cpu.to_owned(), "ibm,pa-features".to_owned());
    let (ours_b, theirs_b) = (cell_bytes(&ours[&k]), cell_bytes(&theirs[&k]));
    assert_eq!(ours_b.len(), 68);
    assert_eq!(theirs_b.len(), 68);
    assert_eq!(theirs_b[42], 0x80, "QEMU offers radix");
    assert_eq!(ours_b[42], 0x00, "papr does not");
    for i in (0..68).filter(|&i| i != 42) {
        assert_eq!(ours_b[i], theirs_b[i], "pa-features byte {i}");
    }
}

/// "<0x4200f63f 0xc7c080f0 ...>" -> the bytes of the cells.
fn cell_bytes(v: &str) -> Vec<u8> {
    v.trim_start_matches('<')
        .trim_end_matches('>')
        .split_whitespace()
        .flat_map(|c| {
            u32::from_str_radix(c.trim_start_matches("0x"), 16)
                .expect("a cell")
                .to_be_bytes()
        })
        .collect()
}
