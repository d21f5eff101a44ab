//! RTAS calls replayed from the minimal Linux boot QEMU recorded
//! (shared/docs/reference/qemu-traces/rtas-fdtentry-minimal-xics.txt, results from
//! linux-pseries-boot.md 5.3), plus hostile blocks.
// Test code: the casts are on small, known values.
#![allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)]

use papr_hv::irq::{AttrValue, DeviceType, IrqCap};
use papr_hv::{Vm, VmConfig};
use papr_machine::rtas::{call, decode, CpuState, RtasBlockError, RtasHost, RTAS_BLOB};
use papr_machine::tree::RTAS_TOKENS;

#[derive(Default)]
struct Host {
    started: Vec<(u32, u32, u64, u64)>,
    powered_off: bool,
    rebooted: bool,
    stopped: Vec<u32>,
    term: Option<String>,
}

impl RtasHost for Host {
    fn time_of_day(&mut self) -> [u32; 7] {
        [2026, 11, 21, 6, 0, 0, 0]
    }
    fn set_time_of_day(&mut self, _tod: [u32; 7]) {}
    fn cpu_state(&mut self, id: u32) -> Option<CpuState> {
        match id {
            0 => Some(CpuState::Running),
            1 if self.started.is_empty() => Some(CpuState::Stopped),
            1 => Some(CpuState::Running),
            _ => None,
        }
    }
    fn start_cpu(&mut self, caller: u32, id: u32, entry: u64, r3: u64) -> bool {
        self.started.push((caller, id, entry, r3));
        true
    }
    fn stop_self(&mut self, caller: u32) {
        self.stopped.push(caller);
    }
    fn power_off(&mut self) {
        self.powered_off = true;
    }
    fn system_reboot(&mut self) {
        self.rebooted = true;
    }
    fn os_term(&mut self, message: &str) {
        self.term = Some(message.to_owned());
    }
}

const BLOCK: u64 = 0x10_0000;

fn token(name: &str) -> u32 {
    RTAS_TOKENS.iter().find(|(n, _)| *n == name).unwrap().1
}

/// Writes a block for `name(args)` with `nret` returns, runs it, returns the rets.
fn rtas(vm: &Vm, host: &mut Host, name: &str, args: &[u32], nret: u32) -> Vec<i64> {
    let ram = vm.ram();
    ram.write_be32(BLOCK, token(name)).unwrap();
    ram.write_be32(BLOCK + 4, args.len() as u32).unwrap();
    ram.write_be32(BLOCK + 8, nret).unwrap();
    for (i, a) in args.iter().enumerate() {
        ram.write_be32(BLOCK + 12 + 4 * i as u64, *a).unwrap();
    }
    let c = call(vm, host, 0, BLOCK).unwrap();
    assert_eq!(
        c.name,
        Some(RTAS_TOKENS.iter().find(|(n, _)| *n == name).unwrap().0)
    );
    let base = BLOCK + 12 + 4 * args.len() as u64;
    (0..u64::from(nret))
        .map(|i| i64::from(ram.read_be32(base + 4 * i).unwrap() as i32))
        .collect()
}

fn machine() -> (Vm, papr_hv::irq::DeviceFd) {
    let vm = Vm::new(VmConfig::with_ram(256 << 20)).unwrap();
    let v0 = vm.create_vcpu(0).unwrap();
    let fd = vm.create_device(DeviceType::Xics).unwrap();
    fd.set_attr(
        papr_hv::irq::xics::attr::GRP_CTRL,
        papr_hv::irq::xics::attr::CTRL_NR_SERVERS,
        &AttrValue::U32(2),
    )
    .unwrap();
    v0.enable_cap(IrqCap::Xics, &fd, 0).unwrap();
    // The vty's source, masked, as the platform creates it.
    fd.set_attr(
        papr_hv::irq::xics::attr::GRP_SOURCES,
        0x1100,
        &AttrValue::U64(papr_hv::irq::xics::attr::MASKED | (0xff << 32)),
    )
    .unwrap();
    (vm, fd)
}

#[test]
fn the_minimal_boot_sequence() {
    let (vm, _fd) = machine();
    let mut h = Host::default();
    let tod = rtas(&vm, &mut h, "get-time-of-day", &[], 8);
    assert_eq!(tod, vec![0, 2026, 11, 21, 6, 0, 0, 0]);
    // SMP bring-up: CPU 1 is stopped (0), then started at generic_secondary_smp_init.
    assert_eq!(
        rtas(&vm, &mut h, "query-cpu-stopped-state", &[1], 2),
        vec![0, 0]
    );
    assert_eq!(rtas(&vm, &mut h, "start-cpu", &[1, 0xcee4, 1], 1), vec![0]);
    assert_eq!(h.started, vec![(0, 1, 0xcee4, 1)]);
    assert_eq!(
        rtas(&vm, &mut h, "query-cpu-stopped-state", &[1], 2),
        vec![0, 2]
    );
    assert_eq!(
        rtas(&vm, &mut h, "start-cpu", &[1, 0xcee4, 1], 1),
        vec![-1],
        "already running"
    );
    assert_eq!(rtas(&vm, &mut h, "query-cpu-stopped-state", &[7], 2)[0], -3);
    // The vty's interrupt: routed to server 0 at priority 5, enabled, read back.
    assert_eq!(
        rtas(&vm, &mut h, "ibm,set-xive", &[0x1100, 0, 5], 1),
        vec![0]
    );
    assert_eq!(rtas(&vm, &mut h, "ibm,int-on", &[0x1100], 1), vec![0]);
    assert_eq!(
        rtas(&vm, &mut h, "ibm,get-xive", &[0x1100], 3),
        vec![0, 0, 5]
    );
    assert_eq!(rtas(&vm, &mut h, "ibm,int-off", &[0x1100], 1), vec![0]);
    assert_eq!(
        rtas(&vm, &mut h, "ibm,get-xive", &[0x1100], 3),
        vec![0, 0, 0xff]
    );
    assert_eq!(rtas(&vm, &mut h, "ibm,int-on", &[0x1100], 1), vec![0]);
    assert_eq!(
        rtas(&vm, &mut h, "ibm,get-xive", &[0x1100], 3),
        vec![0, 0, 5]
    );
    assert_eq!(
        rtas(&vm, &mut h, "ibm,set-xive", &[0x9999, 0, 5], 1),
        vec![-3]
    );
    assert_eq!(
        rtas(&vm, &mut h, "power-off", &[u32::MAX, u32::MAX], 1),
        vec![0]
    );
    assert!(h.powered_off);
}

#[test]
fn the_other_calls_a_boot_makes() {
    let (vm, _fd) = machine();
    let mut h = Host::default();
    // ibm,get-system-parameter(CMO characteristics) -> not supported, as QEMU answers.
    assert_eq!(
        rtas(
            &vm,
            &mut h,
            "ibm,get-system-parameter",
            &[0x2c, 0x26d_0000, 0x1000],
            1
        ),
        vec![-3]
    );
    assert_eq!(
        rtas(&vm, &mut h, "ibm,nmi-register", &[0x1920, 0x1990], 1),
        vec![0]
    );
    assert_eq!(
        rtas(
            &vm,
            &mut h,
            "event-scan",
            &[u32::MAX, 0, 0x20_0000, 0x800],
            1
        ),
        vec![1],
        "no event"
    );
    assert_eq!(
        rtas(&vm, &mut h, "check-exception", &[0x1000, 0, 0, 0, 0, 0], 1),
        vec![1]
    );
    assert_eq!(rtas(&vm, &mut h, "system-reboot", &[], 1), vec![0]);
    assert!(h.rebooted);
    assert_eq!(rtas(&vm, &mut h, "stop-self", &[], 1), vec![0]);
    assert_eq!(h.stopped, vec![0]);
    vm.ram().write(0x20_0000, b"OS panic: test\0").unwrap();
    assert_eq!(rtas(&vm, &mut h, "ibm,os-term", &[0x20_0000], 1), vec![0]);
    assert_eq!(h.term.as_deref(), Some("OS panic: test"));
}

#[test]
fn hostile_blocks() {
    let (vm, _fd) = machine();
    let mut h = Host::default();
    let size = vm.ram().size();
    assert_eq!(
        decode(vm.ram(), size - 8),
        Err(RtasBlockError::OutsideRam(size - 8))
    );
    vm.ram().write_be32(BLOCK, 0x2001).unwrap();
    vm.ram().write_be32(BLOCK + 4, 100).unwrap();
    vm.ram().write_be32(BLOCK + 8, 1).unwrap();
    assert_eq!(
        call(&vm, &mut h, 0, BLOCK),
        Err(RtasBlockError::TooManyCells {
            nargs: 100,
            nret: 1
        })
    );
    // A block whose returns would run past the end of RAM.
    let at = size - 16;
    vm.ram().write_be32(at, 0x2001).unwrap();
    vm.ram().write_be32(at + 4, 0).unwrap();
    vm.ram().write_be32(at + 8, 8).unwrap();
    assert!(call(&vm, &mut h, 0, at).is_err());
    // Unknown token, and known tokens with too few arguments: parameter error.
    vm.ram().write_be32(BLOCK, 0xdead).unwrap();
    vm.ram().write_be32(BLOCK + 4, 0).unwrap();
    vm.ram().write_be32(BLOCK + 8, 1).unwrap();
    call(&vm, &mut h, 0, BLOCK).unwrap();
    assert_eq!(vm.ram().read_be32(BLOCK + 12).unwrap() as i32, -3);
    assert_eq!(rtas(&vm, &mut h, "start-cpu", &[1], 1), vec![-3]);
    assert!(h.started.is_empty());
    assert_eq!(rtas(&vm, &mut h, "ibm,set-xive", &[0x1100], 1), vec![-3]);
    // The blob the guest calls is the documented 5 instructions.
    assert_eq!(RTAS_BLOB[2] & 0xffff, 0xf000);
}
