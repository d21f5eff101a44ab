//! The pseries device tree papr presents: what the node and property choices are, and how CAS
//! changes them (linux-pseries-boot.md section 4; papr-hv-facts.md 7.6, 8.6, 9).
//!
//! The tree is built once per machine reset ([`build`]) and changed in place by CAS
//! ([`apply_cas`]), because prom_init has already `setprop`'d values into it and holds phandles
//! and instances by then. The interrupt-controller node is replaced at CAS when the guest picks
//! the other controller; the new node keeps the old one's phandle (an explicit `phandle`
//! property), so references to it stay valid.

use papr_cpu::hpt::{slb_page_encoding, MAX_HPT_ORDER};

use crate::config::{IcMode, MachineConfig, ResizeHpt};
use crate::devtree::{DevTreeError, DeviceTree, Phandle};

/// POWER9 DD2.0, the raw PVR a pseries vCPU reports before CAS (QEMU's "POWER9").
pub const PVR_POWER9: u32 = 0x004e_1200;
/// The architected ISA 3.00 logical PVR chosen at CAS.
pub const PVR_ARCH_300: u32 = 0x0f00_0005;
/// Timebase frequency: 512 MHz.
pub const TIMEBASE_HZ: u32 = 512_000_000;
/// The hvc console's terminal number / unit address.
pub const VTY_REG: u32 = 0x7100_0000;
/// The vty's interrupt source (QEMU's VIO numbering).
pub const VTY_IRQ: u32 = 0x1100;
/// XIVE TIMA base (QEMU's placement): OS page at +2×64K, user page at +3×64K.
pub const XIVE_TIMA_BASE: u64 = 0x0006_0302_0318_0000;
/// The RTAS blob (20 bytes) plus the error-log area, as `rtas-size` counts it.
pub fn rtas_size(cpus: u32) -> u32 {
    20 + 2048 + 16 * cpus + 8
}

/// RTAS services papr implements, with their tokens (QEMU's numbering; display-character is
/// left out on purpose: it only echoes boot progress text onto the console).
pub const RTAS_TOKENS: &[(&str, u32)] = &[
    ("get-time-of-day", 0x2001),
    ("set-time-of-day", 0x2002),
    ("power-off", 0x2003),
    ("system-reboot", 0x2004),
    ("query-cpu-stopped-state", 0x2005),
    ("start-cpu", 0x2006),
    ("stop-self", 0x2007),
    ("ibm,get-system-parameter", 0x2008),
    ("ibm,set-xive", 0x200a),
    ("ibm,get-xive", 0x200b),
    ("ibm,int-off", 0x200c),
    ("ibm,int-on", 0x200d),
    ("check-exception", 0x200e),
    ("event-scan", 0x200f),
    ("set-indicator", 0x201a),
    ("ibm,os-term", 0x201f),
    ("ibm,nmi-register", 0x202b),
    ("ibm,nmi-interlock", 0x202c),
];

/// `ibm,pa-features` as QEMU gives a POWER9 (68 bytes), with the radix bit (data byte 40)
/// cleared: papr offers the hash MMU only.
const PA_FEATURES: [u8; 68] = {
    let mut b = [
        0x42, 0x00, 0xf6, 0x3f, 0xc7, 0xc0, 0x80, 0xf0, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x80, 0x00, 0x80, 0x00, 0x80, 0x00, 0x00, 0x00, 0x80, 0x00, 0x80, 0x00,
        0x80, 0x00, 0x80, 0x00, 0x80, 0x00, 0xc0, 0x00, 0x80, 0x00, 0x80, 0x00, 0x80, 0x00, 0x80,
        0x00, 0x80, 0x00, 0x80, 0x00, 0x80, 0x00, 0x80, 0x00, 0x80, 0x00, 0x80, 0x00, 0x80, 0x00,
        0x80, 0x00, 0x80, 0x00, 0x80, 0x00, 0x00, 0x00,
    ];
    b[2 + 40] = 0;
    b
};

/// The interrupt controller the tree describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActiveIc {
    /// XICS.
    Xics,
    /// XIVE native.
    Xive,
}

/// What CAS negotiated, as far as the tree is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CasOutcome {
    /// The controller the guest picked.
    pub ic: ActiveIc,
    /// The option-vector-5 bytes to publish as `/chosen/ibm,architecture-vec-5`.
    pub vec5: Vec<u8>,
}

/// Handles to the nodes the machine updates later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeNodes {
    /// /chosen.
    pub chosen: Phandle,
    /// /rtas.
    pub rtas: Phandle,
    /// /vdevice/vty@71000000.
    pub vty: Phandle,
    /// The interrupt-controller node now in the tree.
    pub ic: Phandle,
    /// The phandle value the interrupt-controller node carries, stable across CAS.
    pub ic_phandle: u32,
    /// The first cpu node (the others follow it as siblings).
    pub first_cpu: Phandle,
}

/// The controller active from reset (QEMU: XICS in dual mode).
pub fn reset_ic(mode: IcMode) -> ActiveIc {
    match mode {
        IcMode::Xive => ActiveIc::Xive,
        IcMode::Dual | IcMode::Xics => ActiveIc::Xics,
    }
}

/// `ibm,hypertas-functions`: exactly the hcall sets papr implements.
pub fn hypertas_functions(cfg: &MachineConfig) -> Vec<&'static str> {
    let mut v = vec![
        "hcall-pft",
        "hcall-term",
        "hcall-interrupt",
        "hcall-splpar",
        "hcall-bulk",
        "hcall-set-mode",
    ];
    if cfg.resize_hpt != ResizeHpt::Disabled {
        v.push("hcall-hpt-resize");
    }
    v
}

/// Builds the tree a pseries machine presents at reset (before CAS). `initrd` is the guest
/// range (start, end) of the initrd, if any.
pub fn build(
    cfg: &MachineConfig,
    initrd: Option<(u64, u64)>,
) -> Result<(DeviceTree, TreeNodes), DevTreeError> {
    let mut t = DeviceTree::new();
    let root = t.root();
    t.set_cells(root, "#address-cells", &[2])?;
    t.set_cells(root, "#size-cells", &[2])?;
    t.set_str(root, "device_type", "chrp")?;
    t.set_str(root, "compatible", "qemu,pseries")?;
    t.set_str(root, "model", "IBM pSeries (emulated by papr)")?;

    let chosen = t.add_node(root, "chosen")?;
    t.set_str(chosen, "bootargs", &cfg.bootargs)?;
    if let Some((start, end)) = initrd {
        // 4-byte cells, as QEMU writes them before prom_init rewrites them as 8-byte values.
        t.set_u32(
            chosen,
            "linux,initrd-start",
            u32::try_from(start).unwrap_or(u32::MAX),
        )?;
        t.set_u32(
            chosen,
            "linux,initrd-end",
            u32::try_from(end).unwrap_or(u32::MAX),
        )?;
    }
    let vty_path = format!("/vdevice/vty@{VTY_REG:x}");
    t.set_str(chosen, "stdout-path", &vty_path)?;
    t.set_str(chosen, "linux,stdout-path", &vty_path)?;
    // Option vector 5 bytes the platform supports: (byte, value) pairs.
    let ic_support = match cfg.ic_mode {
        IcMode::Dual => 0x80,
        IcMode::Xive => 0x40,
        IcMode::Xics => 0x00,
    };
    // 24: MMU — hash only (0x00); 25: no segment tables, no GTSE; 26: radix GTSE.
    t.set_prop(
        chosen,
        "ibm,arch-vec-5-platform-support",
        vec![23, ic_support, 24, 0x00, 25, 0x00, 26, 0x40],
    )?;
    t.set_prop(chosen, "ibm,architecture-vec-5", vec![0u8, 0])?;

    let rtas = t.add_node(root, "rtas")?;
    t.set_u32(rtas, "rtas-size", rtas_size(cfg.cpus))?;
    t.set_u32(rtas, "rtas-error-log-max", 2048)?;
    t.set_u32(rtas, "rtas-event-scan-rate", 1)?;
    t.set_flag(rtas, "ibm,extended-os-term")?;
    t.set_strs(rtas, "ibm,hypertas-functions", &hypertas_functions(cfg))?;
    for &(name, token) in RTAS_TOKENS {
        t.set_u32(rtas, name, token)?;
    }

    let cpus = t.add_node(root, "cpus")?;
    t.set_cells(cpus, "#address-cells", &[1])?;
    t.set_cells(cpus, "#size-cells", &[0])?;
    let order = cfg.effective_hpt_order().min(MAX_HPT_ORDER);
    let mut first_cpu = 0;
    for n in 0..cfg.cpus {
        let cpu = t.add_node(cpus, &format!("PowerPC,POWER9@{n:x}"))?;
        if n == 0 {
            first_cpu = cpu;
        }
        t.set_str(cpu, "device_type", "cpu")?;
        t.set_u32(cpu, "reg", n)?;
        t.set_u32(cpu, "ibm,ppc-interrupt-server#s", n)?;
        t.set_u32(cpu, "cpu-version", PVR_POWER9)?;
        t.set_u32(cpu, "timebase-frequency", TIMEBASE_HZ)?;
        t.set_u32(cpu, "clock-frequency", 1_000_000_000)?;
        for (name, v) in [
            ("d-cache-block-size", 0x80),
            ("d-cache-line-size", 0x80),
            ("i-cache-block-size", 0x80),
            ("i-cache-line-size", 0x80),
            ("d-cache-size", 0x8000),
            ("i-cache-size", 0x8000),
        ] {
            t.set_u32(cpu, name, v)?;
        }
        t.set_cells(cpu, "ibm,pft-size", &[0, order])?;
        t.set_u32(cpu, "ibm,slb-size", 32)?;
        t.set_u32(cpu, "slb-size", 32)?;
        // 4K and 64K base pages, each with its own actual size only: what QEMU offers, and
        // what the recorded Linux boots ran with.
        let enc4k = slb_page_encoding(12).unwrap_or(0);
        let enc64k = slb_page_encoding(16).unwrap_or(0x110);
        let sps: Vec<u32> = [12, enc4k, 1, 12, 0, 16, enc64k, 1, 16, 1]
            .iter()
            .map(|&x| u32::try_from(x).unwrap_or(0))
            .collect();
        t.set_cells(cpu, "ibm,segment-page-sizes", &sps)?;
        t.set_cells(
            cpu,
            "ibm,processor-segment-sizes",
            &[28, 40, u32::MAX, u32::MAX],
        )?;
        t.set_u32(cpu, "ibm,vmx", 2)?;
        t.set_u32(cpu, "ibm,purr", 1)?;
        t.set_u32(cpu, "ibm,spurr", 1)?;
        t.set_u32(cpu, "ibm,dec-bits", 56)?;
        t.set_prop(cpu, "ibm,pa-features", PA_FEATURES.to_vec())?;
        t.set_flag(cpu, "64-bit")?;
        t.set_str(cpu, "status", "okay")?;
    }

    let mem = t.add_node(root, "memory@0")?;
    t.set_str(mem, "device_type", "memory")?;
    t.set_prop(
        mem,
        "reg",
        [0u64.to_be_bytes(), cfg.ram_bytes.to_be_bytes()].concat(),
    )?;

    let vdev = t.add_node(root, "vdevice")?;
    t.set_str(vdev, "device_type", "vdevice")?;
    t.set_str(vdev, "compatible", "IBM,vdevice")?;
    t.set_cells(vdev, "#address-cells", &[1])?;
    t.set_cells(vdev, "#size-cells", &[0])?;
    t.set_flag(vdev, "interrupt-controller")?;
    t.set_cells(vdev, "#interrupt-cells", &[2])?;
    let vty = t.add_node(vdev, &format!("vty@{VTY_REG:x}"))?;
    t.set_str(vty, "device_type", "serial")?;
    t.set_str(vty, "compatible", "hvterm1")?;
    t.set_u32(vty, "reg", VTY_REG)?;
    t.set_cells(vty, "interrupts", &[VTY_IRQ, 0])?;

    let ic = add_ic_node(&mut t, cfg, reset_ic(cfg.ic_mode), None)?;
    let ic_phandle = ic;
    Ok((
        t,
        TreeNodes {
            chosen,
            rtas,
            vty,
            ic,
            ic_phandle,
            first_cpu,
        },
    ))
}

/// Adds the node for `which`; it carries `phandle` (or its own phandle when `None`).
fn add_ic_node(
    t: &mut DeviceTree,
    cfg: &MachineConfig,
    which: ActiveIc,
    phandle: Option<u32>,
) -> Result<Phandle, DevTreeError> {
    let root = t.root();
    let node = match which {
        ActiveIc::Xics => {
            let n = t.add_node(root, "interrupt-controller")?;
            t.set_str(n, "device_type", "PowerPC-External-Interrupt-Presentation")?;
            t.set_str(n, "compatible", "IBM,ppc-xicp")?;
            t.set_flag(n, "interrupt-controller")?;
            t.set_cells(n, "#interrupt-cells", &[2])?;
            t.set_cells(n, "ibm,interrupt-server-ranges", &[0, cfg.cpus])?;
            t.remove_prop(root, "ibm,plat-res-int-priorities")?;
            n
        }
        ActiveIc::Xive => {
            let user = XIVE_TIMA_BASE + 3 * 0x1_0000;
            let os = XIVE_TIMA_BASE + 2 * 0x1_0000;
            let n = t.add_node(root, &format!("interrupt-controller@{user:x}"))?;
            t.set_str(n, "device_type", "power-ivpe")?;
            t.set_str(n, "compatible", "ibm,power-ivpe")?;
            let reg: Vec<u8> = [user, 0x1_0000, os, 0x1_0000]
                .iter()
                .flat_map(|v| v.to_be_bytes())
                .collect();
            t.set_prop(n, "reg", reg)?;
            t.set_cells(n, "ibm,xive-lisn-ranges", &[0, cfg.cpus])?;
            t.set_cells(n, "ibm,xive-eq-sizes", &[16])?;
            t.set_flag(n, "interrupt-controller")?;
            t.set_cells(n, "#interrupt-cells", &[2])?;
            // Priorities 7..=254 belong to the hypervisor: Linux uses 6.
            t.set_cells(root, "ibm,plat-res-int-priorities", &[7, 0xf8])?;
            n
        }
    };
    let ph = phandle.unwrap_or(node);
    t.set_u32(node, "phandle", ph)?;
    t.set_u32(node, "linux,phandle", ph)?;
    Ok(node)
}

/// Applies what CAS negotiated: the logical PVR, option vector 5, and (when it changes) the
/// interrupt-controller node, which keeps its phandle.
pub fn apply_cas(
    t: &mut DeviceTree,
    nodes: &mut TreeNodes,
    cfg: &MachineConfig,
    current: ActiveIc,
    cas: &CasOutcome,
) -> Result<(), DevTreeError> {
    t.set_prop(nodes.chosen, "ibm,architecture-vec-5", cas.vec5.clone())?;
    let mut cpu = nodes.first_cpu;
    while cpu != 0 {
        t.set_u32(cpu, "cpu-version", PVR_ARCH_300)?;
        cpu = t.peer(cpu);
    }
    if cas.ic != current {
        t.remove_node(nodes.ic)?;
        nodes.ic = add_ic_node(t, cfg, cas.ic, Some(nodes.ic_phandle))?;
    }
    Ok(())
}
