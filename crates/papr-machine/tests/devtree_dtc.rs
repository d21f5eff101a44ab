//! The flattened tree checked by an independent reader: dtc decompiles what papr writes.

use papr_machine::devtree::DeviceTree;
use std::io::Write;
use std::process::{Command, Stdio};

fn dtc_available() -> bool {
    Command::new("dtc").arg("--version").output().is_ok()
}

#[test]
fn dtc_reads_back_what_we_flatten() {
    if !dtc_available() {
        if std::env::var("PAPR_REQUIRE_ORACLES").as_deref() == Ok("1") {
            panic!("dtc is missing: apt-get install device-tree-compiler");
        }
        eprintln!("SKIPPED: dtc missing (apt-get install device-tree-compiler)");
        return;
    }
    let mut t = DeviceTree::new();
    let root = t.root();
    t.set_cells(root, "#address-cells", &[2]).unwrap();
    t.set_str(root, "compatible", "qemu,pseries").unwrap();
    let cpus = t.add_node(root, "cpus").unwrap();
    let cpu = t.add_node(cpus, "PowerPC,POWER9@0").unwrap();
    t.set_cells(cpu, "ibm,pft-size", &[0, 23]).unwrap();
    t.set_flag(cpu, "64-bit").unwrap();
    let rtas = t.add_node(root, "rtas").unwrap();
    t.set_strs(
        rtas,
        "ibm,hypertas-functions",
        &["hcall-pft", "hcall-set-mode"],
    )
    .unwrap();
    let fdt = t.to_fdt(&[(0x2fff_0000, 0x1_0000)]).unwrap();

    let mut child = Command::new("dtc")
        .args(["-I", "dtb", "-O", "dts", "-q", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&fdt).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let dts = String::from_utf8(out.stdout).unwrap();
    for want in [
        "/memreserve/\t0x000000002fff0000 0x0000000000010000;",
        "compatible = \"qemu,pseries\";",
        "#address-cells = <0x02>;",
        "PowerPC,POWER9@0 {",
        "ibm,pft-size = <0x00 0x17>;",
        "64-bit;",
        "ibm,hypertas-functions = \"hcall-pft\\0hcall-set-mode\";",
    ] {
        assert!(dts.contains(want), "missing {want:?} in\n{dts}");
    }
}
