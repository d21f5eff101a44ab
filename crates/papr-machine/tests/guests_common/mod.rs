//! A minimal bare-metal pseries harness for the guests in `guests/bin`, until the platform
//! exists: load the ELF as VOF would (at 0x400000, MSR = 0, r5 = the OF client-interface
//! entry), serve the hcalls the guests make, and run until OF `exit` or a step limit.
//!
//! - The OF entry is the 5-instruction stub of linux-pseries-boot.md 2.1 at 0x100
//!   (`mr r4,r3; lis r3,0; ori r3,r3,0xf005; sc 1; blr`); hcall 0xF005 goes to
//!   `ofci::ClientInterface` over a small device tree with `/cpus/PowerPC,POWER9@0`
//!   (`ibm,pft-size` = 0, 21) and `/chosen`.
//! - H_PUT_TERM_CHAR (0x58) and H_SET_MODE (0x31C: AIL and ILE into the LPCR model) are
//!   handled here; every other hcall goes to `Vm::hcall` (H_ENTER & co); what it hands back
//!   to the platform gets H_FUNCTION.
// Test code: the casts are on small known values (register images, addresses below 4 GiB).
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap,
    dead_code
)]

use std::ptr::NonNull;
use std::sync::Arc;

use papr_cpu::lpcr::{Ail, Lpcr};
use papr_cpu::{Bus, Cpu, CpuConfig, Exit, Interpreter};
use papr_hv::irq::xics::attr as xics_attr;
use papr_hv::irq::{AttrValue, DeviceFd, DeviceType, IrqCap};
use papr_hv::{GuestRam, HcallExit, RunGuard, Vcpu, Vm, VmConfig, DIRTY_PAGE_SIZE};
use papr_machine::devtree::{DeviceTree, Phandle};
use papr_machine::loader;
use papr_machine::ofci::{ClientInterface, OfOutcome, OfPlatform};
use papr_machine::phcall;
use papr_machine::snapshot::sections::{restore_hpt, restore_ram, save_hpt, save_ram};

/// Guest RAM size the guests were recorded with (`-m 256M`).
pub const RAM: u64 = 256 << 20;
/// HPT order QEMU gives 256M (guests README fact 15).
pub const HPT_ORDER: u32 = 21;
pub use papr_machine::machine::{OF_ENTRY, OF_STUB};

const H_SUCCESS: u64 = 0;
const H_FUNCTION: i64 = -2;
const H_PARAMETER: i64 = -4;
const H_P2: i64 = -55;
const H_P3: i64 = -56;
const H_P4: i64 = -57;
const H_UNSUPPORTED_FLAG: i64 = -256;
const H_PUT_TERM_CHAR: u64 = 0x58;
const H_SET_MODE: u64 = 0x31c;
const H_VOF_CLIENT: u64 = 0xf005;

/// Guest RAM as the processor's bus: no MMIO; the interpreter's store pages go to RAM's dirty
/// log (what the machine's bus does too).
pub struct RamBus<'a>(pub &'a GuestRam);

// SAFETY: `host_base` points at the `size()`-byte mapping `GuestRam` owns; the borrow keeps it
// alive and unmoved for as long as this bus lives.
unsafe impl Bus for RamBus<'_> {
    fn ram(&self) -> (NonNull<u8>, u64) {
        // SAFETY: the interpreter only accesses 0..size() through it (see the Bus contract).
        (unsafe { self.0.host_base() }, self.0.size())
    }
    fn mmio_read(&mut self, _addr: u64, _buf: &mut [u8]) -> bool {
        false
    }
    fn mmio_write(&mut self, _addr: u64, _buf: &[u8]) -> bool {
        false
    }
    fn note_ram_store(&mut self, page: u64) {
        self.0.mark_dirty(page, DIRTY_PAGE_SIZE);
    }
}

#[derive(Default)]
struct Console {
    out: Vec<u8>,
}

impl OfPlatform for Console {
    fn console_write(&mut self, bytes: &[u8]) {
        self.out.extend_from_slice(bytes);
    }
    fn call_method(
        &mut self,
        _ram: &GuestRam,
        _tree: &mut DeviceTree,
        _method: &str,
        _node: Phandle,
        _args: &[u32],
    ) -> Option<Vec<u32>> {
        None
    }
    fn milliseconds(&mut self) -> u32 {
        0
    }
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// OF `exit`.
    Exit,
    /// The step limit.
    StepLimit,
}

/// The result of running one guest.
pub struct Run {
    /// Everything written to the console.
    pub console: String,
    /// How it ended.
    pub end: End,
    /// Instructions executed.
    pub steps: u64,
}

fn tree() -> DeviceTree {
    let mut t = DeviceTree::new();
    let root = t.root();
    let cpus = t.add_node(root, "cpus").expect("cpus");
    let cpu = t.add_node(cpus, "PowerPC,POWER9@0").expect("cpu");
    t.set_cells(cpu, "ibm,pft-size", &[0, HPT_ORDER])
        .expect("pft-size");
    t.set_u32(cpu, "reg", 0).expect("reg");
    t.add_node(root, "chosen").expect("chosen");
    t
}

/// A bare-metal guest booted on the harness, run in as many pieces as the caller likes.
pub struct Guest {
    vm: Vm,
    vcpu: Arc<Vcpu>,
    /// The XICS the guests find before CAS (QEMU's dual mode), with the vCPU connected.
    _ic: DeviceFd,
    _running: RunGuard,
    /// The processor.
    pub cpu: Cpu,
    /// Its interpreter.
    pub interp: Interpreter,
    tree: DeviceTree,
    ci: ClientInterface,
    console: Console,
    /// Whether the guest called OF `exit`.
    pub exited: bool,
}

impl Guest {
    /// Loads the ELF image `elf` and stops before its first instruction; `qemu_fp_compat`
    /// reproduces QEMU 7.2's floating-point deviations (`Interpreter::set_qemu_fp_compat`).
    pub fn boot(name: &str, elf: &[u8], qemu_fp_compat: bool) -> Guest {
        let vm = Vm::new(VmConfig::with_ram(RAM)).expect("vm");
        vm.allocate_htab(HPT_ORDER).expect("htab");
        let kernel = loader::load_kernel(vm.ram(), name, elf).expect("load");
        for (i, w) in OF_STUB.iter().enumerate() {
            vm.ram()
                .write_be32(OF_ENTRY + 4 * i as u64, *w)
                .expect("stub");
        }
        let mut ci = ClientInterface::new(RAM);
        ci.reserve(0, 0x1_0000);
        ci.reserve(kernel.entry, kernel.end - kernel.entry);
        let mut interp = Interpreter::new();
        interp.set_qemu_fp_compat(qemu_fp_compat);
        let mut g = Guest::on(vm, interp, tree(), ci, Console::default());
        g.cpu.state.nip = kernel.entry;
        g.cpu.state.gpr[1] = 0xff60;
        g.cpu.state.gpr[5] = OF_ENTRY;
        g
    }

    /// A guest on `vm` with a power-on processor and the given platform state.
    fn on(
        vm: Vm,
        interp: Interpreter,
        tree: DeviceTree,
        ci: ClientInterface,
        console: Console,
    ) -> Guest {
        let vcpu = vm.create_vcpu(0).expect("vcpu");
        let ic = vm.create_device(DeviceType::Xics).expect("xics");
        ic.set_attr(
            xics_attr::GRP_CTRL,
            xics_attr::CTRL_NR_SERVERS,
            &AttrValue::U32(1),
        )
        .expect("xics servers");
        vcpu.enable_cap(IrqCap::Xics, &ic, vcpu.id())
            .expect("xics presenter");
        let running = vm.run(&vcpu).expect("run");
        let cpu = Cpu::new(
            CpuConfig::default(),
            vm.partition_entry(),
            Arc::clone(vcpu.interrupt_line()),
        );
        Guest {
            vm,
            vcpu,
            _ic: ic,
            _running: running,
            cpu,
            interp,
            tree,
            ci,
            console,
            exited: false,
        }
    }

    /// The guest moved to a new VM as a migration would: RAM and HPT copied through their
    /// snapshot sections, the OF client interface and console as they are, and a fresh
    /// processor and interpreter restored from this one's `VcpuState`.
    pub fn migrate(&self) -> Guest {
        let vm = Vm::new(VmConfig::with_ram(RAM)).expect("vm");
        restore_ram(&vm, &save_ram(&self.vm)).expect("ram section");
        restore_hpt(&vm, &save_hpt(&self.vm).expect("hpt section"), HPT_ORDER).expect("hpt");
        let mut interp = Interpreter::new();
        interp.set_qemu_fp_compat(self.interp.qemu_fp_compat());
        let mut g = Guest::on(
            vm,
            interp,
            self.tree.clone(),
            self.ci.clone(),
            Console {
                out: self.console.out.clone(),
            },
        );
        let state = self.cpu.save_state(&self.interp);
        g.cpu
            .restore_state(&mut g.interp, &state)
            .expect("a state the processor reached is valid");
        g.exited = self.exited;
        g
    }

    /// Runs until OF `exit` or until `limit` instructions have retired in all; returns
    /// whether the guest has exited.
    pub fn run_to(&mut self, limit: u64) -> bool {
        while !self.exited && self.interp.retired() < limit {
            let budget = (limit - self.interp.retired()).min(1 << 20);
            let mut bus = RamBus(self.vm.ram());
            if self.interp.run(&mut self.cpu, &mut bus, budget) == Exit::Hypercall {
                self.exited = hcall(
                    &self.vm,
                    &self.vcpu,
                    &mut self.cpu,
                    &mut self.ci,
                    &mut self.tree,
                    &mut self.console,
                );
            }
        }
        self.exited
    }

    /// Everything written to the console so far.
    pub fn console(&self) -> String {
        String::from_utf8_lossy(&self.console.out).into_owned()
    }

    /// The VM (RAM, HPT).
    pub fn vm(&self) -> &Vm {
        &self.vm
    }
}

/// Runs the ELF image `elf` until OF `exit` or `max_steps` instructions; `qemu_fp_compat`
/// reproduces QEMU 7.2's floating-point deviations (`Interpreter::set_qemu_fp_compat`).
pub fn run_guest(name: &str, elf: &[u8], max_steps: u64, qemu_fp_compat: bool) -> Run {
    let mut g = Guest::boot(name, elf, qemu_fp_compat);
    let end = if g.run_to(max_steps) {
        End::Exit
    } else {
        End::StepLimit
    };
    Run {
        console: g.console(),
        end,
        steps: g.interp.retired(),
    }
}

/// Serves the hcall in r3; returns true when the guest called OF `exit`.
fn hcall(
    vm: &Vm,
    vcpu: &Vcpu,
    cpu: &mut Cpu,
    ci: &mut ClientInterface,
    tree: &mut DeviceTree,
    console: &mut Console,
) -> bool {
    let g = cpu.state.gpr;
    let nr = g[3];
    let set_rc = |cpu: &mut Cpu, rc: i64| cpu.state.gpr[3] = rc as u64;
    match nr {
        H_VOF_CLIENT => match ci.call(vm.ram(), tree, console, g[4]) {
            Ok(OfOutcome::Exit) => return true,
            Ok(OfOutcome::Continue) => cpu.state.gpr[3] = H_SUCCESS,
            Err(_) => set_rc(cpu, H_PARAMETER),
        },
        H_PUT_TERM_CHAR => {
            let len = g[5].min(16) as usize;
            let mut bytes = [0u8; 16];
            bytes[..8].copy_from_slice(&g[6].to_be_bytes());
            bytes[8..].copy_from_slice(&g[7].to_be_bytes());
            if g[4] == 0 {
                console.out.extend_from_slice(&bytes[..len]);
                cpu.state.gpr[3] = H_SUCCESS;
            } else {
                set_rc(cpu, H_PARAMETER);
            }
        }
        phcall::nr::H_SIGNAL_SYS_RESET => match phcall::sys_reset_targets(g[4], 0, 1) {
            Ok(targets) => {
                if !targets.is_empty() {
                    phcall::deliver_system_reset(cpu);
                }
                // As on the machine (and QEMU), the hcall's rc lands in r3 after the delivery.
                cpu.state.gpr[3] = H_SUCCESS;
            }
            Err(e) => set_rc(cpu, e),
        },
        H_SET_MODE => {
            let (mflags, resource, v1, v2) = (g[4], g[5], g[6], g[7]);
            let rc = match resource {
                3 => {
                    if v1 != 0 {
                        H_P3
                    } else if v2 != 0 {
                        H_P4
                    } else if let Some(ail) = Ail::from_field(mflags) {
                        let lpcr = Lpcr { ail, ..*cpu.lpcr() };
                        cpu.set_lpcr(lpcr);
                        0
                    } else {
                        H_UNSUPPORTED_FLAG
                    }
                }
                4 => match mflags {
                    0 | 1 => {
                        let lpcr = Lpcr {
                            ile: mflags == 1,
                            ..*cpu.lpcr()
                        };
                        cpu.set_lpcr(lpcr);
                        0
                    }
                    _ => H_UNSUPPORTED_FLAG,
                },
                _ => H_P2,
            };
            set_rc(cpu, rc);
        }
        _ => {
            let mut args = [0u64; 9];
            args.copy_from_slice(&g[4..13]);
            match vm.hcall(vcpu, nr, &args) {
                HcallExit::Done(r) => {
                    cpu.state.gpr[3] = r.rc as u64;
                    for (i, v) in r.outputs().iter().enumerate() {
                        cpu.state.gpr[4 + i] = *v;
                    }
                }
                HcallExit::ToPlatform => set_rc(cpu, H_FUNCTION),
            }
        }
    }
    false
}

/// The console lines from `@@BEGIN@@` to `@@END@@` (inclusive), `\r` removed, as
/// `guests/record.sh` keeps them.
pub fn recorded_lines(console: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut on = false;
    for line in console.replace('\r', "").lines() {
        if line.starts_with("@@BEGIN@@") {
            on = true;
        }
        if on {
            out.push(line.to_owned());
        }
        if on && line.starts_with("@@END@@") {
            break;
        }
    }
    out
}
