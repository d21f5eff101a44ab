//! The whole machine as snapshot sections, and a machine rebuilt from them: what
//! `papr restore FILE`, the control socket's `snapshot` and live migration share.
//!
//! Sections, in the order a snapshot file has them (layout of each in the constants' docs):
//! `CONF` (configuration), `BOOT` (the boot images, for the guest's next reboot), `RAM.`
//! (guest RAM, zero pages elided) or, in a migration stream, any number of `RAMP` page batches,
//! `HPT.` (the table's order, then the HTAB stream; `HPTC` continues it), `MACH` (platform
//! state: time, CAS, console, device tree, firmware, a pending HPT resize), one `VCPU` per
//! vCPU, and `IC..` (the interrupt controller CAS negotiated, with all its state).
//!
//! **Compatibility.** The destination adopts the source's configuration and negotiated
//! interrupt mode. It refuses only what its own configuration cannot host — another RAM size
//! or vCPU count, a forced interrupt-controller mode other than the one the guest runs on, an
//! HPT larger than it allows — with [`SnapshotError::Incompatible`], before touching any state
//! the source still needs.
//!
//! **A pending HPT resize** (prepared, not committed) travels in `MACH`: the destination
//! prepares the same order, ready at the same virtual time, so the guest's
//! H_RESIZE_HPT_COMMIT succeeds there exactly as it would have on the source.

use std::io::{Read, Write};

use papr_hv::hpt::stream::{restore_all, HtabFd, GET_HTAB_WRITE};

use super::{BootImages, Machine, MachineError, RunState};
use crate::config::{IcMode, MachineConfig, ResizeHpt};
use crate::devtree::DeviceTree;
use crate::ofci::ClientInterface;
use crate::phcall::{HRandom, VpaState};
use crate::snapshot::codec::{Dec, Enc};
use crate::snapshot::sections::{restore_hpt, restore_ram, save_hpt, save_ram, HPT, RAM};
use crate::snapshot::stream::{OwnedSection, SectionReader, SectionWriter};
use crate::snapshot::{irq, vcpu, SnapshotError};
use crate::tree::{ActiveIc, TreeNodes};

/// `CONF`: RAM bytes (u64), vCPUs (u32), ic-mode (u8: 0 dual, 1 xics, 2 xive), resize-hpt
/// (u8: 0 disabled, 1 enabled, 2 required), HPT order (optional u64), bootargs (string),
/// deterministic (bool).
pub const CONF: [u8; 4] = *b"CONF";
/// `BOOT`: kernel name (string), kernel (bytes), initrd and bios (each optional bytes).
pub const BOOT: [u8; 4] = *b"BOOT";
/// `BREF` (migration only, instead of `BOOT`): the [`BootImages::digest`] (u128) of images
/// the destination said it holds already.
pub const BREF: [u8; 4] = *b"BREF";
/// `MACH`: see [`Machine::machine_section`].
pub const MACH: [u8; 4] = *b"MACH";
/// `VCPU`: id (u32), run state (u8: 0 stopped, 1 running, 2 ceded), prodded, the VPA
/// registrations, then the processor state ([`crate::snapshot::vcpu`]).
pub const VCPU: [u8; 4] = *b"VCPU";
/// `RAMP`: a batch of 4 KiB RAM pages: count (u64), then per page its index (u64) and a kind
/// byte (0: all zero; 1: the 4096 bytes follow).
pub const RAMP: [u8; 4] = *b"RAMP";
/// `HPTC`: more of the HTAB stream `HPT.` began (chunks in KVM's format).
pub const HPTC: [u8; 4] = *b"HPTC";
/// Granule of `RAMP` (the dirty log's page).
pub const RAMP_PAGE: u64 = RAMP_PAGE_BYTES as u64;
/// The same, as a buffer length.
pub const RAMP_PAGE_BYTES: usize = crate::snapshot::sections::RAM_PAGE;

fn ic_code(m: IcMode) -> u8 {
    match m {
        IcMode::Dual => 0,
        IcMode::Xics => 1,
        IcMode::Xive => 2,
    }
}

fn resize_code(r: ResizeHpt) -> u8 {
    match r {
        ResizeHpt::Disabled => 0,
        ResizeHpt::Enabled => 1,
        ResizeHpt::Required => 2,
    }
}

/// Encodes a configuration (`CONF`).
pub fn encode_config(cfg: &MachineConfig) -> Vec<u8> {
    let mut e = Enc::new();
    e.u64(cfg.ram_bytes)
        .u32(cfg.cpus)
        .u8(ic_code(cfg.ic_mode))
        .u8(resize_code(cfg.resize_hpt))
        .opt_u64(cfg.hpt_order.map(u64::from))
        .str(&cfg.bootargs)
        .bool(cfg.deterministic);
    e.finish()
}

/// Decodes and validates a `CONF` payload.
pub fn decode_config(payload: &[u8]) -> Result<MachineConfig, SnapshotError> {
    let mut d = Dec::new("CONF", payload);
    let ram_bytes = d.u64("RAM size")?;
    let cpus = d.u32("vCPU count")?;
    let ic_mode = match d.u8("ic-mode")? {
        0 => IcMode::Dual,
        1 => IcMode::Xics,
        2 => IcMode::Xive,
        v => return Err(d.err(format!("ic-mode {v} is unknown"))),
    };
    let resize_hpt = match d.u8("resize-hpt")? {
        0 => ResizeHpt::Disabled,
        1 => ResizeHpt::Enabled,
        2 => ResizeHpt::Required,
        v => return Err(d.err(format!("resize-hpt {v} is unknown"))),
    };
    let hpt_order = d
        .opt_u64("HPT order")?
        .map(|o| u32::try_from(o).map_err(|_| d.err(format!("HPT order {o}"))))
        .transpose()?;
    let bootargs = d.str("bootargs")?.to_owned();
    let deterministic = d.bool("deterministic")?;
    d.end()?;
    let cfg = MachineConfig {
        ram_bytes,
        cpus,
        ic_mode,
        resize_hpt,
        hpt_order,
        bootargs,
        deterministic,
    };
    cfg.validate().map_err(|e| d.err(e.to_string()))?;
    Ok(cfg)
}

/// What the destination's own configuration allows (`None`: anything the snapshot says).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Host {
    /// RAM size the destination was started with.
    pub ram_bytes: Option<u64>,
    /// vCPU count.
    pub cpus: Option<u32>,
    /// The destination's ic-mode: a forced XICS or XIVE must be what the guest runs on.
    pub ic_mode: Option<IcMode>,
    /// Largest HPT order it hosts.
    pub max_hpt_order: Option<u32>,
}

impl Host {
    /// What a destination started with `cfg` hosts.
    pub fn from_config(cfg: &MachineConfig) -> Self {
        Host {
            ram_bytes: Some(cfg.ram_bytes),
            cpus: Some(cfg.cpus),
            ic_mode: Some(cfg.ic_mode),
            max_hpt_order: Some(cfg.max_hpt_order()),
        }
    }

    fn check_config(&self, src: &MachineConfig) -> Result<(), SnapshotError> {
        if let Some(r) = self.ram_bytes.filter(|&r| r != src.ram_bytes) {
            return Err(SnapshotError::Incompatible(format!(
                "the source guest has {} MiB of RAM, this machine {} MiB",
                src.ram_bytes >> 20,
                r >> 20
            )));
        }
        if let Some(c) = self.cpus.filter(|&c| c != src.cpus) {
            return Err(SnapshotError::Incompatible(format!(
                "the source guest has {} vCPUs, this machine {c}",
                src.cpus
            )));
        }
        Ok(())
    }

    fn check_ic(&self, running: ActiveIc) -> Result<(), SnapshotError> {
        let forced = match self.ic_mode {
            Some(IcMode::Xics) => Some(ActiveIc::Xics),
            Some(IcMode::Xive) => Some(ActiveIc::Xive),
            _ => None,
        };
        match forced {
            Some(f) if f != running => Err(SnapshotError::Incompatible(format!(
                "the guest runs on {running:?} (negotiated at CAS); this machine was started \
                 with ic-mode={f:?}; use ic-mode=dual or ic-mode={running:?}"
            ))),
            _ => Ok(()),
        }
    }
}

impl Machine {
    /// The `BOOT` payload.
    fn boot_section(&self) -> Vec<u8> {
        let mut e = Enc::new();
        let im = &self.images;
        e.str(&im.kernel_name).bytes(&im.kernel);
        for part in [&im.initrd, &im.bios] {
            match part {
                Some(b) => e.u8(1).bytes(b),
                None => e.u8(0),
            };
        }
        e.finish()
    }

    /// The `MACH` payload: the hypervisor clock (u64 ns), the real-time clock's base (u64
    /// seconds since 1970), instructions retired (u64), whether
    /// CAS ran (bool), the H_RANDOM position (u64), the console's unread input (bytes), the
    /// device tree, the tree's well-known nodes (6 × u32), the client interface, the HPT
    /// order a reset returns to (optional), and a pending HPT resize (optional order, ready
    /// time).
    fn machine_section(&self) -> Vec<u8> {
        let mut e = Enc::new();
        e.u64(self.vm.clock_ns())
            .u64(self.rtc_base)
            .u64(self.retired)
            .bool(self.cas_done)
            .u64(self.rng.state())
            .bytes(&self.console.pending_input());
        self.tree.encode(&mut e);
        let n = &self.nodes;
        for ph in [n.chosen, n.rtas, n.vty, n.ic, n.ic_phandle, n.first_cpu] {
            e.u32(ph);
        }
        self.ci.encode(&mut e);
        match self.vm.pending_resize() {
            Some((shift, ready)) => e.u8(1).u32(shift).u64(ready),
            None => e.u8(0),
        };
        e.finish()
    }

    fn vcpu_section(&self, i: usize) -> Vec<u8> {
        let v = &self.vcpus[i];
        let mut e = Enc::new();
        e.u32(v.hv.id()).u8(match v.state {
            RunState::Stopped => 0,
            RunState::Running => 1,
            RunState::Ceded => 2,
        });
        e.bool(v.prodded)
            .opt_u64(v.vpa.vpa)
            .opt_u64(v.vpa.slb_shadow)
            .opt_u64(v.vpa.dtl);
        vcpu::encode(&v.cpu, &v.interp, &mut e);
        e.finish()
    }

    fn ic_section(&self) -> Result<Vec<u8>, SnapshotError> {
        let fd = self.irq.fd.as_ref().ok_or_else(|| SnapshotError::Section {
            tag: "IC..".into(),
            what: "the machine has no interrupt controller".into(),
        })?;
        let hvs: Vec<_> = self
            .vcpus
            .iter()
            .map(|v| std::sync::Arc::clone(&v.hv))
            .collect();
        irq::save_ic(
            self.irq.active,
            fd,
            self.irq.esb.as_ref().map(|(_, m)| m),
            &hvs,
        )
    }

    /// Writes the platform sections a stop-and-copy ends with: `MACH`, every `VCPU`, `IC..`.
    pub(crate) fn write_final_sections<W: Write>(
        &mut self,
        w: &mut SectionWriter<W>,
    ) -> Result<(), SnapshotError> {
        let io = |e: std::io::Error| SnapshotError::Io(format!("writing the snapshot: {e}"));
        w.section(MACH, &self.machine_section()).map_err(io)?;
        for i in 0..self.vcpus.len() {
            w.section(VCPU, &self.vcpu_section(i)).map_err(io)?;
        }
        w.section(irq::IC, &self.ic_section()?).map_err(io)
    }

    /// Writes the configuration (what a migration sends first, for the destination's verdict).
    pub(crate) fn write_conf_section<W: Write>(
        &self,
        w: &mut SectionWriter<W>,
    ) -> Result<(), SnapshotError> {
        w.section(CONF, &encode_config(&self.cfg))
            .map_err(|e| SnapshotError::Io(format!("writing the snapshot: {e}")))
    }

    /// Writes the boot images: `BOOT`, or only `BREF` when the peer holds images of digest `peer_has` and they
    /// are this machine's.
    pub(crate) fn write_boot_section<W: Write>(
        &self,
        w: &mut SectionWriter<W>,
        peer_has: Option<u128>,
    ) -> Result<(), SnapshotError> {
        let digest = peer_has.filter(|&d| d == self.images.digest());
        match digest {
            Some(d) => w.section(BREF, &d.to_le_bytes()),
            None => w.section(BOOT, &self.boot_section()),
        }
        .map_err(|e| SnapshotError::Io(format!("writing the snapshot: {e}")))
    }

    /// Writes a complete snapshot of the stopped machine (between two [`Machine::run`]s).
    pub fn save_snapshot<W: Write>(&mut self, out: W) -> Result<W, SnapshotError> {
        let io = |e: std::io::Error| SnapshotError::Io(format!("writing the snapshot: {e}"));
        let _ = self.flush_console();
        let mut w = SectionWriter::new(out).map_err(io)?;
        self.write_conf_section(&mut w)?;
        self.write_boot_section(&mut w, None)?;
        w.section(RAM, &save_ram(&self.vm)).map_err(io)?;
        w.section(HPT, &save_hpt(&self.vm)?).map_err(io)?;
        self.write_final_sections(&mut w)?;
        w.finish().map_err(io)
    }

    /// Reads a snapshot (a file or an incoming migration) and builds the machine it describes,
    /// refusing what `host` cannot host. Console output goes to `out`.
    pub fn restore_snapshot<R: Read>(
        reader: &mut SectionReader<R>,
        host: &Host,
        out: Box<dyn Write + Send>,
    ) -> Result<Machine, MachineError> {
        let mut r = Restorer::begin(reader, host, out)?;
        while let Some(s) = reader.next_section()? {
            r.apply(&s)?;
        }
        Ok(r.finish()?)
    }
}

/// Reads the `CONF` section that begins every snapshot and checks it against `host`.
pub fn read_conf<R: Read>(
    reader: &mut SectionReader<R>,
    host: &Host,
) -> Result<MachineConfig, SnapshotError> {
    let conf = expect(reader, CONF)?;
    let cfg = decode_config(&conf.payload)?;
    host.check_config(&cfg)?;
    Ok(cfg)
}

/// Reads the `BOOT` section that follows `CONF`.
pub fn read_boot<R: Read>(reader: &mut SectionReader<R>) -> Result<BootImages, SnapshotError> {
    decode_boot(&expect(reader, BOOT)?.payload)
}

/// Decodes a `BOOT` payload.
pub fn decode_boot(payload: &[u8]) -> Result<BootImages, SnapshotError> {
    let mut d = Dec::new("BOOT", payload);
    let kernel_name = d.str("kernel name")?.to_owned();
    let kernel = d.bytes("kernel")?.to_vec();
    let mut opt = |what: &str| -> Result<Option<Vec<u8>>, SnapshotError> {
        Ok(if d.bool(what)? {
            Some(d.bytes(what)?.to_vec())
        } else {
            None
        })
    };
    let initrd = opt("initrd")?;
    let bios = opt("bios")?;
    d.end()?;
    Ok(BootImages {
        kernel_name,
        kernel,
        initrd,
        bios,
    })
}

fn expect<R: Read>(
    reader: &mut SectionReader<R>,
    tag: [u8; 4],
) -> Result<OwnedSection, SnapshotError> {
    let want = String::from_utf8_lossy(&tag).into_owned();
    match reader.next_section()? {
        Some(s) if s.tag == tag => Ok(s),
        Some(s) => Err(SnapshotError::Section {
            tag: s.tag_str(),
            what: format!("expected section {want} here"),
        }),
        None => Err(SnapshotError::Section {
            tag: want,
            what: "missing".into(),
        }),
    }
}

/// A machine being rebuilt from sections as they arrive.
pub struct Restorer {
    m: Machine,
    host: Host,
    htab: Option<HtabFd>,
    seen_ram: bool,
    seen_hpt: bool,
    seen_mach: bool,
    seen_ic: bool,
    vcpus_seen: Vec<bool>,
    pending_resize: Option<(u32, u64)>,
}

impl Restorer {
    /// Reads `CONF` and `BOOT`, checks them, and builds the machine with its vCPUs stopped and
    /// its RAM zeroed, ready for the remaining sections.
    pub fn begin<R: Read>(
        reader: &mut SectionReader<R>,
        host: &Host,
        out: Box<dyn Write + Send>,
    ) -> Result<Self, MachineError> {
        let cfg = read_conf(reader, host)?;
        let images = read_boot(reader)?;
        Self::with(cfg, images, host, out)
    }

    /// Builds the machine for an already checked configuration (see [`Restorer::begin`]).
    pub fn with(
        cfg: MachineConfig,
        images: BootImages,
        host: &Host,
        out: Box<dyn Write + Send>,
    ) -> Result<Self, MachineError> {
        let mut m = Machine::new(cfg, images, out)?;
        for v in &mut m.vcpus {
            v.guard = None;
            v.state = RunState::Stopped;
        }
        m.vm.ram().discard_all();
        let n = m.vcpus.len();
        Ok(Restorer {
            m,
            host: host.clone(),
            htab: None,
            seen_ram: false,
            seen_hpt: false,
            seen_mach: false,
            seen_ic: false,
            vcpus_seen: vec![false; n],
            pending_resize: None,
        })
    }

    /// Applies one section.
    pub fn apply(&mut self, s: &OwnedSection) -> Result<(), SnapshotError> {
        let m = &mut self.m;
        match s.tag {
            RAM => {
                restore_ram(&m.vm, &s.payload)?;
                self.seen_ram = true;
            }
            RAMP => {
                apply_pages(m, &s.payload)?;
                self.seen_ram = true;
            }
            HPT => {
                let max = self
                    .host
                    .max_hpt_order
                    .unwrap_or_else(|| m.cfg.max_hpt_order());
                restore_hpt(&m.vm, &s.payload, max)?;
                self.htab = Some(
                    m.vm.get_htab_fd(GET_HTAB_WRITE, 0)
                        .map_err(|e| hpt_err(e.to_string()))?,
                );
                self.seen_hpt = true;
            }
            HPTC => {
                let fd = self
                    .htab
                    .as_mut()
                    .ok_or_else(|| hpt_err("HTAB chunks before the HPT. section".into()))?;
                restore_all(fd, &s.payload).map_err(|e| hpt_err(e.to_string()))?;
            }
            MACH => {
                self.pending_resize = restore_machine(m, &s.payload)?;
                self.seen_mach = true;
            }
            VCPU => {
                let i = restore_vcpu(m, &s.payload)?;
                self.vcpus_seen[i] = true;
            }
            irq::IC => {
                let active = irq::ic_type(&s.payload)?;
                self.host.check_ic(active)?;
                m.set_ic(active).map_err(|e| SnapshotError::Section {
                    tag: "IC..".into(),
                    what: format!("cannot create the controller: {e}"),
                })?;
                let fd = m.irq.fd.as_ref().ok_or_else(|| SnapshotError::Section {
                    tag: "IC..".into(),
                    what: "no controller".into(),
                })?;
                let hvs: Vec<_> = m
                    .vcpus
                    .iter()
                    .map(|v| std::sync::Arc::clone(&v.hv))
                    .collect();
                irq::restore_ic(&s.payload, fd, m.irq.esb.as_ref().map(|(_, x)| x), &hvs)?;
                self.seen_ic = true;
            }
            _ => {
                return Err(SnapshotError::Section {
                    tag: s.tag_str(),
                    what: "unknown section (written by a newer papr?)".into(),
                })
            }
        }
        Ok(())
    }

    /// Checks that every required section came and starts the vCPUs that were running.
    pub fn finish(mut self) -> Result<Machine, SnapshotError> {
        let missing = [
            (self.seen_ram, "RAM."),
            (self.seen_hpt, "HPT."),
            (self.seen_mach, "MACH"),
            (self.seen_ic, "IC.."),
        ]
        .into_iter()
        .find(|(seen, _)| !seen)
        .map(|(_, t)| t.to_owned())
        .or_else(|| {
            self.vcpus_seen
                .iter()
                .position(|s| !s)
                .map(|i| format!("VCPU {i}"))
        });
        if let Some(tag) = missing {
            return Err(SnapshotError::Section {
                tag,
                what: "missing: the snapshot is incomplete".into(),
            });
        }
        self.htab = None;
        let m = &mut self.m;
        if let Some((shift, ready)) = self.pending_resize {
            m.vm.restore_pending_resize(shift, ready).map_err(|e| {
                SnapshotError::Incompatible(format!(
                    "cannot prepare the guest's pending HPT resize to order {shift}: {e}"
                ))
            })?;
        }
        for v in &mut m.vcpus {
            if v.state != RunState::Stopped {
                v.guard = Some(m.vm.run(&v.hv).map_err(|e| {
                    SnapshotError::Incompatible(format!("cannot start vCPU {}: {e}", v.hv.id()))
                })?);
            }
        }
        Ok(self.m)
    }

    /// The machine being restored.
    pub fn machine(&self) -> &Machine {
        &self.m
    }
}

fn hpt_err(what: String) -> SnapshotError {
    SnapshotError::Section {
        tag: "HPT.".into(),
        what,
    }
}

/// Encodes a `RAMP` batch of the 4 KiB pages `pages` (zero pages as a kind byte only).
/// With `skip_zero`, zero pages are left out altogether (for a destination that starts
/// zeroed). Returns the payload and the number of pages in it.
pub fn encode_pages(
    m: &Machine,
    pages: impl IntoIterator<Item = u64>,
    skip_zero: bool,
) -> (Vec<u8>, u64) {
    let ram = m.vm.ram();
    let mut e = Enc::new();
    e.u64(0);
    let mut n = 0u64;
    let mut buf = [0u8; RAMP_PAGE_BYTES];
    for p in pages {
        let Ok(zero) = ram.is_zero(p * RAMP_PAGE, RAMP_PAGE) else {
            continue;
        };
        if zero && skip_zero {
            continue;
        }
        if zero {
            e.u64(p).u8(0);
        } else if ram.read(p * RAMP_PAGE, &mut buf).is_ok() {
            e.u64(p).u8(1).raw(&buf);
        } else {
            continue;
        }
        n += 1;
    }
    let mut out = e.finish();
    out[..8].copy_from_slice(&n.to_le_bytes());
    (out, n)
}

fn apply_pages(m: &Machine, payload: &[u8]) -> Result<(), SnapshotError> {
    let ram = m.vm.ram();
    let mut d = Dec::new("RAMP", payload);
    let n = d.count("page count", 9)?;
    for _ in 0..n {
        let index = d.u64("page index")?;
        let gpa = index
            .checked_mul(RAMP_PAGE)
            .filter(|&a| ram.contains(a, RAMP_PAGE))
            .ok_or_else(|| d.err(format!("page {index} lies outside guest RAM")))?;
        match d.u8("page kind")? {
            0 => ram.zero(gpa, RAMP_PAGE),
            1 => ram.write(gpa, d.take(RAMP_PAGE_BYTES, "page data")?),
            k => return Err(d.err(format!("page kind {k} is unknown"))),
        }
        .map_err(|e| d.err(e.to_string()))?;
    }
    d.end()
}

fn restore_machine(m: &mut Machine, payload: &[u8]) -> Result<Option<(u32, u64)>, SnapshotError> {
    let mut d = Dec::new("MACH", payload);
    let clock = d.u64("clock")?;
    let rtc_base = d.u64("real-time clock base")?;
    let retired = d.u64("instructions retired")?;
    let cas_done = d.bool("CAS done")?;
    let rng = d.u64("H_RANDOM state")?;
    let input = d.bytes("console input")?.to_vec();
    let tree = DeviceTree::decode(&mut d)?;
    let mut ph = [0u32; 6];
    for p in &mut ph {
        *p = d.u32("tree node")?;
    }
    let ci = ClientInterface::decode(&mut d)?;
    let pending = if d.bool("pending resize")? {
        Some((
            d.u32("pending resize order")?,
            d.u64("pending resize ready time")?,
        ))
    } else {
        None
    };
    d.end()?;
    m.vm.set_clock_ns(clock);
    m.rtc_base = rtc_base;
    m.retired = retired;
    m.cas_done = cas_done;
    m.rng = HRandom::at_state(rng);
    m.console.set_pending_input(&input);
    m.tree = tree;
    m.nodes = TreeNodes {
        chosen: ph[0],
        rtas: ph[1],
        vty: ph[2],
        ic: ph[3],
        ic_phandle: ph[4],
        first_cpu: ph[5],
    };
    m.ci = ci;
    Ok(pending)
}

fn restore_vcpu(m: &mut Machine, payload: &[u8]) -> Result<usize, SnapshotError> {
    let mut d = Dec::new("VCPU", payload);
    let id = d.u32("vCPU id")?;
    let i = m
        .vcpus
        .iter()
        .position(|v| v.hv.id() == id)
        .ok_or_else(|| d.err(format!("vCPU {id} does not exist on this machine")))?;
    let state = match d.u8("run state")? {
        0 => RunState::Stopped,
        1 => RunState::Running,
        2 => RunState::Ceded,
        s => return Err(d.err(format!("run state {s} is unknown"))),
    };
    let prodded = d.bool("prodded")?;
    let vpa = VpaState {
        vpa: d.opt_u64("VPA")?,
        slb_shadow: d.opt_u64("SLB shadow")?,
        dtl: d.opt_u64("DTL")?,
    };
    let v = &mut m.vcpus[i];
    vcpu::decode(&mut d, &mut v.cpu, &mut v.interp)?;
    d.end()?;
    v.state = state;
    v.prodded = prodded;
    v.vpa = vpa;
    Ok(i)
}
