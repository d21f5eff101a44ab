//! The pseries machine: vCPUs running on the interpreter, the hypervisor under them, and the
//! platform around them (firmware services, console, interrupt controller, reset).
//!
//! **Boot** (linux-pseries-boot.md 1.2–1.3, QEMU's VOF path): the kernel is loaded at
//! 0x400000, the initrd after it; a five-instruction client-interface stub sits at 0x100; the
//! boot vCPU starts big-endian in 32-bit real mode (MSR = 0) at the kernel's first byte with
//! r1 = a firmware stack, r3/r4 = the initrd, r5 = the client-interface entry. The others stay
//! stopped until RTAS start-cpu.
//!
//! **Hcalls.** `sc 1` ends the interpreter's run; the machine first offers the call to the
//! hypervisor (`Vm::hcall`: HPT and interrupt controller, as KVM handles them in the kernel),
//! then answers the platform's own (console, H_SET_MODE, VPA, H_CEDE/H_PROD/H_CONFER, RTAS
//! 0xF000, the client interface 0xF005, ...); anything else is H_FUNCTION and counted.
//!
//! **Interrupt controller.** At reset the controller is XICS (dual and xics modes) or XIVE
//! (xive mode), created as a KVM-style device with every vCPU connected. When CAS picks the
//! other one, the machine releases the device (dropping its fd and mappings) and creates the
//! other — the mode switch without destroying the VM. XIVE's ESB pages and TIMA are reached by
//! the processor as MMIO through the machine's bus.
//!
//! **Time.** Virtual: each vCPU's clock advances with the instructions it retires; the machine
//! keeps the vCPUs within one slice of each other, and when every running vCPU is idle (ceded)
//! it moves the clock straight to the next decrementer expiry. Runs are deterministic.

use std::io::Write;
use std::ptr::NonNull;
use std::sync::Arc;

use papr_cpu::lpcr::Lpcr;
use papr_cpu::{Bus, Cpu, CpuConfig, Exit, Interpreter, ReservationMonitor};
use papr_hv::hcall::{rc, HcallArgs, HcallExit, HcallResult};
use papr_hv::irq::{AttrValue, DeviceFd, DeviceType, IrqCap, MapRegion, Mapping};
use papr_hv::{GuestRam, RunGuard, Vcpu, Vm, VmConfig, VmError};
use thiserror::Error;

use crate::cas;
use crate::config::{ConfigError, MachineConfig, ResizeHpt};
use crate::devtree::{DevTreeError, DeviceTree, Phandle};
use crate::loader::{self, LoadError, LoadedKernel};
use crate::ofci::{ClientInterface, OfOutcome, OfPlatform};
use crate::phcall::{self, nr as pnr, HRandom, HvcConsole, VpaState};
use crate::rtas::{self, CpuState, RtasHost};
use crate::tree::{self, ActiveIc, TreeNodes, VTY_IRQ};

pub mod migrate;
pub mod monitor;
pub mod save;

/// Where the client-interface stub lives.
pub const OF_ENTRY: u64 = 0x100;
/// The stub: `mr r4,r3; lis r3,0; ori r3,r3,0xf005; sc 1; blr` (big-endian words).
pub const OF_STUB: [u32; 5] = [
    0x7c64_1b78,
    0x3c60_0000,
    0x6063_f005,
    0x4400_0022,
    0x4e80_0020,
];
/// The private hcall of the client-interface stub.
pub const H_VOF_CLIENT: u64 = 0xf005;
/// The firmware's stack pointer at kernel entry.
pub const FIRMWARE_STACK: u64 = 0xff60;
/// Instructions a vCPU runs before the next one gets the processor.
pub const SLICE: u64 = 20_000;
/// Nanoseconds per timebase tick (512 MHz), as a fraction.
const NS_PER_TICK: (u64, u64) = (1000, 512);

/// Machine errors.
#[derive(Debug, Error)]
pub enum MachineError {
    /// Configuration.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Kernel or initrd.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The hypervisor refused something.
    #[error("hypervisor: {0}")]
    Vm(#[from] VmError),
    /// The device tree.
    #[error(transparent)]
    Tree(#[from] DevTreeError),
    /// A snapshot or migration stream.
    #[error("snapshot: {0}")]
    Snapshot(#[from] crate::snapshot::SnapshotError),
}

/// Why the machine stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunEnd {
    /// RTAS power-off.
    PowerOff,
    /// Open Firmware `exit`.
    FirmwareExit,
    /// The guest terminated (RTAS ibm,os-term) with this message.
    OsTerm(String),
    /// The platform cannot continue (e.g. CAS asked for something it cannot give).
    GuestError(String),
    /// The instruction limit was reached.
    InstructionLimit,
    /// Every vCPU is stopped or idle with nothing to wake it.
    Idle,
}

/// What the kernel and initrd are.
#[derive(Debug, Clone)]
pub struct BootImages {
    /// Name for messages.
    pub kernel_name: String,
    /// The ELF image.
    pub kernel: Vec<u8>,
    /// The initrd, if any.
    pub initrd: Option<Vec<u8>>,
    /// A raw firmware image (QEMU's `-bios`): loaded at 0 and entered at 0x100 big-endian
    /// with r3 = the final flattened tree; no client interface, no CAS. The kernel (if
    /// `kernel` is not empty) is still loaded, and named in `/chosen/qemu,boot-kernel`.
    pub bios: Option<Vec<u8>>,
}

impl BootImages {
    /// A 128-bit digest (XXH3) of the images' contents, the name aside: how the two ends of a
    /// migration find out that they hold the same kernel, initrd and firmware, so that the
    /// images need not travel. Identifies, does not authenticate: both ends belong to the
    /// same operator.
    pub fn digest(&self) -> u128 {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        for part in [Some(&self.kernel), self.initrd.as_ref(), self.bios.as_ref()] {
            match part {
                Some(b) => {
                    h.update(&[1]);
                    h.update(&(b.len() as u64).to_le_bytes());
                    h.update(b);
                }
                None => h.update(&[0]),
            }
        }
        h.digest128()
    }
}

/// Where `--bios` firmware is entered.
pub const BIOS_ENTRY: u64 = 0x100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RunState {
    Stopped,
    Running,
    Ceded,
}

struct VcpuSlot {
    hv: Arc<Vcpu>,
    cpu: Cpu,
    interp: Interpreter,
    state: RunState,
    prodded: bool,
    vpa: VpaState,
    guard: Option<RunGuard>,
}

struct Irq {
    active: ActiveIc,
    fd: Option<DeviceFd>,
    esb: Option<(u64, Mapping)>,
    tima: Option<(u64, Mapping)>,
}

/// Counters the `--stats` report prints.
#[derive(Debug, Clone, Default)]
pub struct MachineStats {
    /// Platform hcalls answered H_FUNCTION, by number.
    pub unimplemented_hcalls: std::collections::BTreeMap<u64, u64>,
    /// RTAS calls made, by name.
    pub rtas_calls: std::collections::BTreeMap<String, u64>,
    /// Client-interface calls made.
    pub of_calls: u64,
    /// Machine resets.
    pub resets: u64,
}

/// A pseries machine.
pub struct Machine {
    cfg: MachineConfig,
    images: BootImages,
    vm: Vm,
    vcpus: Vec<VcpuSlot>,
    tree: DeviceTree,
    nodes: TreeNodes,
    ci: ClientInterface,
    console: HvcConsole,
    out: Box<dyn Write + Send>,
    rng: HRandom,
    irq: Irq,
    cas_done: bool,
    stats: MachineStats,
    retired: u64,
    idle_realtime: bool,
    /// Real-time idleness: when every vCPU went idle (the next `run` catches their clocks up).
    idle_since: Option<std::time::Instant>,
    /// The real-time clock at virtual time 0, in seconds since 1970 (UTC).
    rtc_base: u64,
}

/// The deterministic mode's real-time clock base: 2026-01-01 00:00:00 UTC.
pub const DETERMINISTIC_RTC_BASE: u64 = 1_767_225_600;
/// The deterministic mode's seed of H_RANDOM and `/chosen/rng-seed`.
pub const DETERMINISTIC_SEED: u64 = 0x5eed;

/// A seed from the host's random source (the time as a fallback).
fn host_seed() -> u64 {
    use std::io::Read;
    let mut b = [0u8; 8];
    let from_os = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut b));
    if from_os.is_ok() {
        u64::from_le_bytes(b)
    } else {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() ^ u64::from(d.subsec_nanos()) << 32)
    }
}

/// Gregorian date and time of `secs` since 1970 (UTC): [year, month, day, hour, min, sec, 0],
/// what RTAS get-time-of-day returns.
pub fn civil_time(secs: u64) -> [u32; 7] {
    let days = secs / 86_400;
    let rem = secs % 86_400;
    // Days since 1970-01-01 to a civil date (the proleptic Gregorian calendar, eras of
    // 400 years = 146 097 days starting on 0000-03-01).
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    let c = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
    [
        c(year),
        c(month),
        c(day),
        c(rem / 3600),
        c(rem / 60 % 60),
        c(rem % 60),
        0,
    ]
}

struct MachineBus<'a> {
    ram: &'a GuestRam,
    vcpu: &'a Vcpu,
    esb: Option<&'a (u64, Mapping)>,
    tima: Option<&'a (u64, Mapping)>,
}

impl MachineBus<'_> {
    fn region(&self, addr: u64, len: usize) -> Option<(&Mapping, u64)> {
        for (base, m) in [self.esb, self.tima]
            .into_iter()
            .flatten()
            .map(|(b, m)| (*b, m))
        {
            if addr >= base && addr.saturating_add(len as u64) <= base.saturating_add(m.size()) {
                return Some((m, addr - base));
            }
        }
        None
    }
}

// SAFETY: `host_base` is the `size()`-byte mapping `GuestRam` owns; the borrow keeps it alive
// and unmoved for as long as this bus lives.
unsafe impl Bus for MachineBus<'_> {
    fn ram(&self) -> (NonNull<u8>, u64) {
        // SAFETY: the interpreter only accesses 0..size() through it (the Bus contract).
        (unsafe { self.ram.host_base() }, self.ram.size())
    }

    fn note_ram_store(&mut self, page: u64) {
        // Live migration's dirty log (a no-op unless it is on).
        self.ram.mark_dirty(page, 4096);
    }

    fn mmio_read(&mut self, addr: u64, buf: &mut [u8]) -> bool {
        let Some((m, off)) = self.region(addr, buf.len()) else {
            return false;
        };
        let size = u32::try_from(buf.len()).unwrap_or(0);
        match m.try_read(self.vcpu, off, size) {
            Ok(v) => {
                // Storage order is big-endian for these devices; the low `size` bytes of v.
                let b = v.to_be_bytes();
                buf.copy_from_slice(&b[8 - buf.len()..]);
                true
            }
            Err(_) => false,
        }
    }

    fn mmio_write(&mut self, addr: u64, buf: &[u8]) -> bool {
        let Some((m, off)) = self.region(addr, buf.len()) else {
            return false;
        };
        let mut b = [0u8; 8];
        b[8 - buf.len()..].copy_from_slice(buf);
        let size = u32::try_from(buf.len()).unwrap_or(0);
        m.try_write(self.vcpu, off, size, u64::from_be_bytes(b))
            .is_ok()
    }
}

/// What firmware calls asked of the machine, applied once the call returns.
#[derive(Default)]
struct Requests {
    cas: Option<Result<cas::CasDecision, cas::CasError>>,
    rtas: Vec<RtasRequest>,
}

enum FirmwareCall {
    ClientInterface(u64),
    Rtas(u64),
}

enum FirmwareResult {
    ClientInterface(Result<OfOutcome, crate::ofci::OfciError>),
    Rtas(Result<rtas::RtasCall, rtas::RtasBlockError>),
}

enum RtasRequest {
    Start {
        id: u32,
        entry: u64,
        r3: u64,
        caller: u32,
    },
    StopSelf(u32),
    PowerOff,
    Reboot,
    OsTerm(String),
}

struct Firmware<'a> {
    cfg: &'a MachineConfig,
    nodes: &'a mut TreeNodes,
    active: ActiveIc,
    console: &'a mut Vec<u8>,
    req: &'a mut Requests,
    states: Vec<RunState>,
    clock_ms: u32,
    rtc_secs: u64,
}

impl OfPlatform for Firmware<'_> {
    fn console_write(&mut self, bytes: &[u8]) {
        self.console.extend_from_slice(bytes);
    }

    fn call_method(
        &mut self,
        ram: &GuestRam,
        tree: &mut DeviceTree,
        method: &str,
        _node: Phandle,
        args: &[u32],
    ) -> Option<Vec<u32>> {
        match method {
            "ibm,client-architecture-support" => {
                let addr = u64::from(*args.first()?);
                let n = usize::try_from(ram.size().saturating_sub(addr).min(4096)).ok()?;
                let mut buf = vec![0u8; n];
                ram.read(addr, &mut buf).ok()?;
                let decision = cas::parse(&buf).and_then(|r| cas::negotiate(self.cfg, &r));
                let ok = match &decision {
                    Ok(d) => {
                        tree::apply_cas(tree, self.nodes, self.cfg, self.active, &d.tree).is_ok()
                    }
                    Err(_) => false,
                };
                self.req.cas = Some(decision);
                Some(vec![if ok { 0 } else { u32::MAX }])
            }
            "instantiate-rtas" => {
                let base = u64::from(*args.first()?);
                for (i, w) in rtas::RTAS_BLOB.iter().enumerate() {
                    ram.write_be32(base + 4 * i as u64, *w).ok()?;
                }
                Some(vec![u32::try_from(base).ok()?])
            }
            _ => None,
        }
    }

    fn milliseconds(&mut self) -> u32 {
        self.clock_ms
    }
}

impl RtasHost for Firmware<'_> {
    fn time_of_day(&mut self) -> [u32; 7] {
        civil_time(self.rtc_secs)
    }
    fn set_time_of_day(&mut self, _tod: [u32; 7]) {}
    fn cpu_state(&mut self, id: u32) -> Option<CpuState> {
        let s = *self.states.get(usize::try_from(id).ok()?)?;
        Some(if s == RunState::Stopped {
            CpuState::Stopped
        } else {
            CpuState::Running
        })
    }
    fn start_cpu(&mut self, caller: u32, id: u32, entry: u64, r3: u64) -> bool {
        self.req.rtas.push(RtasRequest::Start {
            id,
            entry,
            r3,
            caller,
        });
        if let Some(s) = usize::try_from(id)
            .ok()
            .and_then(|i| self.states.get_mut(i))
        {
            *s = RunState::Running;
        }
        true
    }
    fn stop_self(&mut self, caller: u32) {
        self.req.rtas.push(RtasRequest::StopSelf(caller));
    }
    fn power_off(&mut self) {
        self.req.rtas.push(RtasRequest::PowerOff);
    }
    fn system_reboot(&mut self) {
        self.req.rtas.push(RtasRequest::Reboot);
    }
    fn os_term(&mut self, message: &str) {
        self.req.rtas.push(RtasRequest::OsTerm(message.to_owned()));
    }
}

fn ns_from_ticks(t: u64) -> u64 {
    t.saturating_mul(NS_PER_TICK.0) / NS_PER_TICK.1
}

impl Machine {
    /// A machine for `cfg` that will boot `images`; console output goes to `out`.
    pub fn new(
        cfg: MachineConfig,
        images: BootImages,
        out: Box<dyn Write + Send>,
    ) -> Result<Self, MachineError> {
        cfg.validate()?;
        let deterministic = cfg.deterministic;
        let rtc_base = if deterministic {
            DETERMINISTIC_RTC_BASE
        } else {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(DETERMINISTIC_RTC_BASE, |d| d.as_secs())
        };
        let mut vcfg = VmConfig::with_ram(cfg.ram_bytes);
        vcfg.hpt_resize = cfg.resize_hpt != ResizeHpt::Disabled;
        let vm = Vm::new(vcfg)?;
        vm.allocate_htab(cfg.effective_hpt_order())?;
        let mut vcpus = Vec::new();
        for id in 0..cfg.cpus {
            let hv = vm.create_vcpu(id)?;
            let cpu = Cpu::new(
                CpuConfig {
                    pir: u64::from(id),
                    ..CpuConfig::default()
                },
                vm.partition_entry(),
                Arc::clone(hv.interrupt_line()),
            );
            vcpus.push(VcpuSlot {
                hv,
                cpu,
                interp: Interpreter::new(),
                state: RunState::Stopped,
                prodded: false,
                vpa: VpaState::default(),
                guard: None,
            });
        }
        let (tree, nodes) = tree::build(&cfg, None)?;
        let mut m = Machine {
            cfg,
            images,
            vm,
            vcpus,
            tree,
            nodes,
            ci: ClientInterface::new(0x3000_0000),
            console: HvcConsole::new(),
            out,
            rng: HRandom::new(if deterministic {
                DETERMINISTIC_SEED
            } else {
                host_seed()
            }),
            irq: Irq {
                active: ActiveIc::Xics,
                fd: None,
                esb: None,
                tima: None,
            },
            cas_done: false,
            stats: MachineStats::default(),
            retired: 0,
            idle_realtime: false,
            idle_since: None,
            rtc_base,
        };
        m.boot()?;
        Ok(m)
    }

    /// The hypervisor under the machine.
    pub fn vm(&self) -> &Vm {
        &self.vm
    }

    /// Counters.
    pub fn stats(&self) -> &MachineStats {
        &self.stats
    }

    /// The controller in use.
    pub fn active_ic(&self) -> ActiveIc {
        self.irq.active
    }

    /// Interactive use: when every vCPU is idle, let real time pass for them instead of
    /// jumping the virtual clock to the next decrementer: [`Machine::run`] returns
    /// [`RunEnd::Idle`] at once, the caller waits (up to [`Machine::idle_wait`], or does other
    /// work such as a migration step) and the next `run` moves the idle vCPUs' clocks by the
    /// real time that passed. A guest's `sleep 1` then takes a second. Off by default: tests
    /// and benchmarks stay deterministic.
    pub fn set_idle_realtime(&mut self, on: bool) {
        self.idle_realtime = on;
        self.idle_since = None;
    }

    /// With real-time idleness, after [`RunEnd::Idle`]: how long the caller may wait before
    /// the next decrementer is due (at most 10 ms, so it keeps looking for input).
    pub fn idle_wait(&self) -> std::time::Duration {
        const MAX_NS: u64 = 10_000_000;
        let next = self
            .ceded_dec_waits()
            .map(|(_, wait)| wait)
            .min()
            .unwrap_or(MAX_NS)
            .min(MAX_NS);
        let waited = self.idle_since.map_or(0, |t| {
            u64::try_from(t.elapsed().as_nanos()).unwrap_or(u64::MAX)
        });
        std::time::Duration::from_nanos(next.saturating_sub(waited))
    }

    /// Instructions retired by all vCPUs.
    pub fn retired(&self) -> u64 {
        self.retired
    }

    /// Queues console input (the vty's interrupt is raised when the queue was empty).
    pub fn console_input(&mut self, bytes: &[u8]) {
        if self.console.push_input(bytes) {
            let _ = self.vm.irq_line(VTY_IRQ, true);
            let _ = self.vm.irq_line(VTY_IRQ, false);
        }
    }

    /// (Re)starts the machine from power-on: images loaded, tree rebuilt, HPT back to the
    /// platform's size, the reset-default interrupt controller, the boot vCPU at the kernel.
    fn boot(&mut self) -> Result<(), MachineError> {
        // One reservation monitor for the partition's threads (Book II 4.4.2): a store by one
        // vCPU into another's reservation granule makes the other's stcx. fail.
        let monitor = ReservationMonitor::new(self.vcpus.len());
        for (k, v) in self.vcpus.iter_mut().enumerate() {
            v.guard = None;
            v.cpu.reset();
            v.interp = Interpreter::new();
            if let Some(slot) = monitor.slot(k) {
                v.interp.set_monitor(slot);
            }
            // darn's numbers: a seed per vCPU derived from the machine's generator (fixed in
            // deterministic mode) without drawing from it, so H_RANDOM's sequence is the same
            // whether or not the guest uses darn.
            v.interp
                .seed_random(self.rng.state() ^ (k as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
            v.state = RunState::Stopped;
            v.prodded = false;
            v.vpa = VpaState::default();
        }
        // QEMU's reset: the platform's own order again, whatever the guest resized to or a
        // restored snapshot brought.
        self.vm.allocate_htab(self.cfg.effective_hpt_order())?;
        self.vm.ram().discard_all();
        let ram = self.vm.ram();
        if let Some(bios) = &self.images.bios {
            if !ram.contains(0, bios.len() as u64) || bios.len() >= 0x40_0000 {
                return Err(MachineError::Load(LoadError::DoesNotFit {
                    name: "the --bios image".into(),
                    start: 0,
                    end: bios.len() as u64,
                    ram: 0x40_0000,
                }));
            }
            let _ = ram.write(0, bios);
        }
        if self.images.bios.is_some() && self.images.kernel.is_empty() {
            return self.boot_bios(None);
        }
        let kernel: LoadedKernel =
            loader::load_kernel(ram, &self.images.kernel_name, &self.images.kernel)?;
        if self.images.bios.is_some() {
            return self.boot_bios(Some(kernel));
        }
        let initrd = match &self.images.initrd {
            Some(data) => Some(loader::load_initrd(ram, kernel.initrd_address(), data)?),
            None => None,
        };
        for (i, w) in OF_STUB.iter().enumerate() {
            let _ = ram.write_be32(OF_ENTRY + 4 * i as u64, *w);
        }
        let (tree, nodes) =
            tree::build(&self.cfg, initrd.map(|(start, size)| (start, start + size)))?;
        self.tree = tree;
        self.nodes = nodes;
        self.ci = ClientInterface::new(0x3000_0000.min(self.cfg.ram_bytes));
        self.ci.reserve(0, 0x1_0000);
        self.ci.reserve(kernel.entry, kernel.end - kernel.entry);
        if let Some((start, size)) = initrd {
            self.ci.reserve(start, size);
        }
        let stdout = self.ci.open_instance(self.nodes.vty);
        self.tree.set_u32(self.nodes.chosen, "stdout", stdout)?;
        // 32 bytes for the kernel's early entropy, as QEMU's pseries gives (drawn from the
        // H_RANDOM generator: fixed in deterministic mode, new at every reset).
        let seed: Vec<u8> = (0..4)
            .flat_map(|_| self.rng.next_u64().to_be_bytes())
            .collect();
        self.tree.set_prop(self.nodes.chosen, "rng-seed", seed)?;
        self.cas_done = false;
        self.set_ic(tree::reset_ic(self.cfg.ic_mode))?;

        let boot = &mut self.vcpus[0];
        boot.cpu.state.nip = kernel.entry;
        boot.cpu.state.gpr[1] = FIRMWARE_STACK;
        let (istart, isize) = initrd.unwrap_or((0, 0));
        boot.cpu.state.gpr[3] = istart;
        boot.cpu.state.gpr[4] = isize;
        boot.cpu.state.gpr[5] = OF_ENTRY;
        boot.state = RunState::Running;
        boot.guard = Some(self.vm.run(&boot.hv)?);
        Ok(())
    }

    /// The `--bios` path: the tree is final (the controller per ic-mode, dual meaning XICS;
    /// the logical PVR; option vector 5 saying which controller), flattened into RAM below
    /// 768 MiB, and the boot vCPU enters the firmware at 0x100, big-endian, 32-bit real mode,
    /// with r3 = the tree.
    fn boot_bios(&mut self, kernel: Option<LoadedKernel>) -> Result<(), MachineError> {
        let (mut tree, mut nodes) = tree::build(&self.cfg, None)?;
        if let Some(k) = kernel {
            let mut cells = Vec::new();
            cells.extend_from_slice(&k.entry.to_be_bytes());
            cells.extend_from_slice(&(k.end - k.entry).to_be_bytes());
            tree.set_prop(nodes.chosen, "qemu,boot-kernel", cells)?;
        }
        let ic = tree::reset_ic(self.cfg.ic_mode);
        let vec5 = match ic {
            ActiveIc::Xics => vec![0, 0],
            ActiveIc::Xive => {
                let mut v = vec![22u8];
                v.extend([0u8; 23]);
                v[23] = 0x40;
                v
            }
        };
        tree::apply_cas(
            &mut tree,
            &mut nodes,
            &self.cfg,
            ic,
            &tree::CasOutcome { ic, vec5 },
        )?;
        let fdt = tree.to_fdt(&[])?;
        let top = self.cfg.ram_bytes.min(0x3000_0000);
        let at = (top - fdt.len() as u64 - 0x1_0000) & !0xffff;
        let _ = self.vm.ram().write(at, &fdt);
        self.tree = tree;
        self.nodes = nodes;
        self.cas_done = true;
        self.set_ic(ic)?;
        let boot = &mut self.vcpus[0];
        boot.cpu.state.nip = BIOS_ENTRY;
        boot.cpu.state.gpr[3] = at;
        boot.state = RunState::Running;
        boot.guard = Some(self.vm.run(&boot.hv)?);
        Ok(())
    }

    /// Releases the current controller (fd and mappings dropped: the device's release runs)
    /// and creates `which`, with every vCPU connected and its sources made.
    fn set_ic(&mut self, which: ActiveIc) -> Result<(), MachineError> {
        self.irq.esb = None;
        self.irq.tima = None;
        self.irq.fd = None;
        let n = self.cfg.cpus;
        let fd = match which {
            ActiveIc::Xics => {
                use papr_hv::irq::xics::attr;
                let fd = self.vm.create_device(DeviceType::Xics)?;
                fd.set_attr(attr::GRP_CTRL, attr::CTRL_NR_SERVERS, &AttrValue::U32(n))?;
                for v in &self.vcpus {
                    v.hv.enable_cap(IrqCap::Xics, &fd, v.hv.id())?;
                }
                fd.set_attr(
                    attr::GRP_SOURCES,
                    u64::from(VTY_IRQ),
                    &AttrValue::U64(attr::MASKED | (0xff << attr::PRIORITY_SHIFT)),
                )?;
                fd
            }
            ActiveIc::Xive => {
                use papr_hv::irq::xive::attr;
                let fd = self.vm.create_device(DeviceType::XiveNative)?;
                fd.set_attr(attr::GRP_CTRL, attr::CTRL_NR_SERVERS, &AttrValue::U32(n))?;
                for v in &self.vcpus {
                    v.hv.enable_cap(IrqCap::Xive, &fd, v.hv.id())?;
                }
                for ipi in 0..u64::from(n) {
                    fd.set_attr(attr::GRP_SOURCE, ipi, &AttrValue::U64(0))?;
                }
                fd.set_attr(attr::GRP_SOURCE, u64::from(VTY_IRQ), &AttrValue::U64(0))?;
                let esb = fd.mmap(MapRegion::Esb)?;
                let tima = fd.mmap(MapRegion::Tima)?;
                self.irq.esb = Some((papr_hv::irq::xive::DEFAULT_ESB_BASE, esb));
                self.irq.tima = Some((papr_hv::irq::xive::DEFAULT_TIMA_BASE, tima));
                fd
            }
        };
        self.irq.fd = Some(fd);
        self.irq.active = which;
        Ok(())
    }

    /// Runs until the machine stops or `limit` instructions have been retired in all.
    pub fn run(&mut self, limit: Option<u64>) -> RunEnd {
        self.idle_catch_up();
        loop {
            if let Some(l) = limit {
                if self.retired >= l {
                    return RunEnd::InstructionLimit;
                }
            }
            let mut progressed = false;
            for i in 0..self.vcpus.len() {
                match self.vcpus[i].state {
                    RunState::Stopped => continue,
                    RunState::Ceded => {
                        let v = &self.vcpus[i];
                        if v.prodded || v.cpu.wake_pending() {
                            let v = &mut self.vcpus[i];
                            v.prodded = false;
                            v.state = RunState::Running;
                        } else {
                            continue;
                        }
                    }
                    RunState::Running => {}
                }
                progressed = true;
                if let Some(end) = self.run_slice(i) {
                    let _ = self.flush_console();
                    return end;
                }
            }
            let _ = self.flush_console();
            if !progressed {
                if self.idle_realtime {
                    self.idle_since.get_or_insert_with(std::time::Instant::now);
                    return RunEnd::Idle;
                }
                if !self.advance_idle_clock() {
                    return RunEnd::Idle;
                }
            }
            self.sync_clocks();
        }
    }

    /// Keeps the vCPUs' clocks together (idle ones follow the busiest) and tells the
    /// hypervisor the time.
    fn sync_clocks(&mut self) {
        let now = self
            .vcpus
            .iter()
            .filter(|v| v.state != RunState::Stopped)
            .map(|v| v.cpu.timebase.now_ns())
            .max()
            .unwrap_or(0);
        for v in &mut self.vcpus {
            if v.state != RunState::Running && v.cpu.timebase.now_ns() < now {
                v.cpu.timebase.set_clock_ns(now);
            }
        }
        self.vm.set_clock_ns(now);
    }

    /// For each ceded vCPU whose decrementer will fire: its clock (ns) and the wait until just
    /// after the decrementer goes negative (ns).
    fn ceded_dec_waits(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.vcpus
            .iter()
            .filter(|v| v.state == RunState::Ceded)
            .filter_map(|v| {
                let tb = &v.cpu.timebase;
                tb.ticks_until_dec()
                    .map(|t| (tb.now_ns(), ns_from_ticks(t) + 1))
            })
    }

    /// Every started vCPU is idle: move time to the earliest decrementer expiry. `false` if
    /// nothing can ever wake them.
    fn advance_idle_clock(&mut self) -> bool {
        let next = self.ceded_dec_waits().map(|(now, wait)| now + wait).min();
        let Some(when) = next else { return false };
        for v in &mut self.vcpus {
            if v.state == RunState::Ceded && v.cpu.timebase.now_ns() < when {
                v.cpu.timebase.set_clock_ns(when);
            }
        }
        true
    }

    /// Real-time idleness: moves the idle vCPUs' clocks by the real time that passed since
    /// they all went idle, no further than the earliest decrementer expiry.
    fn idle_catch_up(&mut self) {
        let Some(since) = self.idle_since.take() else {
            return;
        };
        let passed = u64::try_from(since.elapsed().as_nanos()).unwrap_or(u64::MAX);
        let next = self.ceded_dec_waits().map(|(_, wait)| wait).min();
        let step = passed.min(next.unwrap_or(passed));
        for v in &mut self.vcpus {
            if v.state == RunState::Ceded {
                let now = v.cpu.timebase.now_ns();
                v.cpu.timebase.set_clock_ns(now.saturating_add(step));
            }
        }
    }

    fn flush_console(&mut self) -> std::io::Result<()> {
        let out = self.console.take_output();
        if !out.is_empty() {
            self.out.write_all(&out)?;
            self.out.flush()?;
        }
        Ok(())
    }

    fn run_slice(&mut self, i: usize) -> Option<RunEnd> {
        let mut budget = SLICE;
        while budget > 0 {
            let v = &mut self.vcpus[i];
            let before = v.interp.retired();
            let exit = {
                let mut bus = MachineBus {
                    ram: self.vm.ram(),
                    vcpu: &v.hv,
                    esb: self.irq.esb.as_ref(),
                    tima: self.irq.tima.as_ref(),
                };
                v.interp.run(&mut v.cpu, &mut bus, budget)
            };
            let ran = v.interp.retired() - before;
            self.retired = self.retired.saturating_add(ran);
            budget = budget.saturating_sub(ran.max(1));
            match exit {
                Exit::Budget => return None,
                Exit::Hypercall => {
                    if let Some(end) = self.hcall(i) {
                        return Some(end);
                    }
                    if self.vcpus[i].state != RunState::Running {
                        return None;
                    }
                }
            }
        }
        None
    }

    fn args(&self, i: usize) -> HcallArgs {
        let g = &self.vcpus[i].cpu.state.gpr;
        let mut a = [0u64; 9];
        a.copy_from_slice(&g[4..13]);
        a
    }

    fn set_result(&mut self, i: usize, r: &HcallResult) {
        let g = &mut self.vcpus[i].cpu.state.gpr;
        g[3] = r.rc.cast_unsigned();
        for (k, v) in r.outputs().iter().enumerate() {
            g[4 + k] = *v;
        }
    }

    /// Serves the hcall of vCPU `i`.
    fn hcall(&mut self, i: usize) -> Option<RunEnd> {
        let number = self.vcpus[i].cpu.state.gpr[3];
        let a = self.args(i);
        match number {
            H_VOF_CLIENT => return self.of_call(i, a[0]),
            rtas::H_RTAS => return self.rtas_call(i, a[0]),
            _ => {}
        }
        let r = match self.vm.hcall(&self.vcpus[i].hv, number, &a) {
            HcallExit::Done(r) => r,
            HcallExit::ToPlatform => self.platform_hcall(i, number, &a),
        };
        self.set_result(i, &r);
        None
    }

    fn platform_hcall(&mut self, i: usize, number: u64, a: &HcallArgs) -> HcallResult {
        match number {
            pnr::H_PUT_TERM_CHAR => self.console.put_term_char(a),
            pnr::H_GET_TERM_CHAR => self.console.get_term_char(a),
            pnr::H_SET_MODE => {
                let mut lpcr: Lpcr = *self.vcpus[i].cpu.lpcr();
                let r = phcall::set_mode(&mut lpcr, a);
                if r.rc == rc::H_SUCCESS {
                    for v in &mut self.vcpus {
                        v.cpu.set_lpcr(lpcr);
                    }
                }
                r
            }
            pnr::H_REGISTER_VPA => {
                let target = a[1];
                let Some(slot) = usize::try_from(target)
                    .ok()
                    .filter(|&t| t < self.vcpus.len())
                else {
                    return HcallResult::rc(rc::H_PARAMETER);
                };
                let mut st = self.vcpus[slot].vpa;
                let r = phcall::register_vpa(self.vm.ram(), &mut st, a);
                self.vcpus[slot].vpa = st;
                r
            }
            pnr::H_REGISTER_PROC_TBL => phcall::register_proc_tbl(a),
            pnr::H_PAGE_INIT => phcall::page_init(self.vm.ram(), a),
            pnr::H_GET_CPU_CHARACTERISTICS => phcall::get_cpu_characteristics(),
            pnr::H_RANDOM => self.rng.h_random(),
            pnr::H_CEDE => {
                let v = &mut self.vcpus[i];
                v.cpu.set_msr(v.cpu.msr() | papr_cpu::state::msr::EE);
                if v.prodded {
                    v.prodded = false;
                } else if !v.cpu.wake_pending() {
                    v.state = RunState::Ceded;
                }
                HcallResult::rc(rc::H_SUCCESS)
            }
            pnr::H_PROD => match usize::try_from(a[0]).ok().filter(|&t| t < self.vcpus.len()) {
                Some(t) => {
                    self.vcpus[t].prodded = true;
                    HcallResult::rc(rc::H_SUCCESS)
                }
                None => HcallResult::rc(rc::H_PARAMETER),
            },
            pnr::H_CONFER => HcallResult::rc(rc::H_SUCCESS),
            pnr::H_SIGNAL_SYS_RESET => match phcall::sys_reset_targets(a[0], i, self.vcpus.len()) {
                Ok(targets) => {
                    for t in targets {
                        self.system_reset_vcpu(t);
                    }
                    HcallResult::rc(rc::H_SUCCESS)
                }
                Err(e) => HcallResult::rc(e),
            },
            _ => {
                *self.stats.unimplemented_hcalls.entry(number).or_insert(0) += 1;
                HcallResult::rc(rc::H_FUNCTION)
            }
        }
    }

    fn firmware_states(&self) -> Vec<RunState> {
        self.vcpus.iter().map(|v| v.state).collect()
    }

    /// Runs one firmware service (client interface or RTAS) for vCPU `i` with the machine
    /// state it may touch, and returns its result with what it asked the machine to do.
    fn firmware(&mut self, i: usize, call: FirmwareCall) -> (FirmwareResult, Requests) {
        let mut req = Requests::default();
        let mut text = Vec::new();
        let states = self.firmware_states();
        let now_ns = self.vcpus[i].cpu.timebase.now_ns();
        let clock_ms = u32::try_from(now_ns / 1_000_000).unwrap_or(0);
        let rtc_secs = self.rtc_base.saturating_add(now_ns / 1_000_000_000);
        let caller = self.vcpus[i].hv.id();
        let mut fw = Firmware {
            cfg: &self.cfg,
            nodes: &mut self.nodes,
            active: self.irq.active,
            console: &mut text,
            req: &mut req,
            states,
            clock_ms,
            rtc_secs,
        };
        let result =
            match call {
                FirmwareCall::ClientInterface(block) => FirmwareResult::ClientInterface(
                    self.ci.call(self.vm.ram(), &mut self.tree, &mut fw, block),
                ),
                FirmwareCall::Rtas(block) => {
                    FirmwareResult::Rtas(rtas::call(&self.vm, &mut fw, caller, block))
                }
            };
        // OF `write` text goes to the console, as VOF's stdout.
        let _ = self.out.write_all(&text);
        (result, req)
    }

    fn of_call(&mut self, i: usize, block: u64) -> Option<RunEnd> {
        self.stats.of_calls += 1;
        let (FirmwareResult::ClientInterface(outcome), req) =
            self.firmware(i, FirmwareCall::ClientInterface(block))
        else {
            return None;
        };
        let rc = match outcome {
            Ok(OfOutcome::Exit) => return Some(RunEnd::FirmwareExit),
            Ok(OfOutcome::Continue) => rc::H_SUCCESS,
            Err(_) => rc::H_PARAMETER,
        };
        self.vcpus[i].cpu.state.gpr[3] = rc.cast_unsigned();
        match req.cas {
            Some(Ok(d)) => {
                self.cas_done = true;
                if d.tree.ic != self.irq.active {
                    if let Err(e) = self.set_ic(d.tree.ic) {
                        return Some(RunEnd::GuestError(format!(
                            "switching the interrupt controller at CAS failed: {e}"
                        )));
                    }
                }
            }
            Some(Err(e)) => return Some(RunEnd::GuestError(format!("CAS: {e}"))),
            None => {}
        }
        None
    }

    fn rtas_call(&mut self, i: usize, block: u64) -> Option<RunEnd> {
        let (FirmwareResult::Rtas(result), req) = self.firmware(i, FirmwareCall::Rtas(block))
        else {
            return None;
        };
        match &result {
            Ok(c) => {
                let name = c
                    .name
                    .map_or_else(|| format!("token {:#x}", c.token), str::to_owned);
                *self.stats.rtas_calls.entry(name).or_insert(0) += 1;
                self.vcpus[i].cpu.state.gpr[3] = 0;
            }
            Err(_) => self.vcpus[i].cpu.state.gpr[3] = rc::H_PARAMETER.cast_unsigned(),
        }
        for r in req.rtas {
            match r {
                RtasRequest::PowerOff => return Some(RunEnd::PowerOff),
                RtasRequest::OsTerm(msg) => return Some(RunEnd::OsTerm(msg)),
                RtasRequest::Reboot => {
                    self.stats.resets += 1;
                    if let Err(e) = self.boot() {
                        return Some(RunEnd::GuestError(format!("reset failed: {e}")));
                    }
                    return None;
                }
                RtasRequest::StopSelf(id) => {
                    if let Some(v) = self.vcpus.iter_mut().find(|v| v.hv.id() == id) {
                        v.state = RunState::Stopped;
                        v.guard = None;
                        v.cpu.set_msr(0);
                    }
                }
                RtasRequest::Start {
                    id,
                    entry,
                    r3,
                    caller,
                } => {
                    let (lpcr, tb) = {
                        let c = &self.vcpus[usize::try_from(caller).unwrap_or(0)];
                        (*c.cpu.lpcr(), c.cpu.timebase.now_ns())
                    };
                    let Some(slot) = self.vcpus.iter().position(|v| v.hv.id() == id) else {
                        continue;
                    };
                    let v = &mut self.vcpus[slot];
                    v.cpu.reset();
                    v.cpu.set_lpcr(lpcr);
                    v.cpu.timebase.set_clock_ns(tb);
                    // 64-bit, big-endian, real mode, ME.
                    v.cpu
                        .set_msr(papr_cpu::state::msr::SF | papr_cpu::state::msr::ME);
                    v.cpu.state.nip = entry;
                    v.cpu.state.gpr[3] = r3;
                    v.state = RunState::Running;
                    match self.vm.run(&v.hv) {
                        Ok(g) => v.guard = Some(g),
                        Err(e) => return Some(RunEnd::GuestError(format!("start-cpu {id}: {e}"))),
                    }
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::civil_time;

    #[test]
    fn civil_time_matches_known_dates() {
        assert_eq!(civil_time(0), [1970, 1, 1, 0, 0, 0, 0]);
        // date -u -d @951782400: Tue Feb 29 00:00:00 UTC 2000 (a 400-year leap day).
        assert_eq!(civil_time(951_782_400), [2000, 2, 29, 0, 0, 0, 0]);
        // date -u -d @1767225600: Thu Jan  1 00:00:00 UTC 2026.
        assert_eq!(
            civil_time(super::DETERMINISTIC_RTC_BASE + 3_723),
            [2026, 1, 1, 1, 2, 3, 0]
        );
        // date -u -d @4102444799: Thu Dec 31 23:59:59 UTC 2099.
        assert_eq!(civil_time(4_102_444_799), [2099, 12, 31, 23, 59, 59, 0]);
    }
}
