//! RTAS, host side (linux-pseries-boot.md section 5).
//!
//! prom_init's `instantiate-rtas` copies a 20-byte blob into guest RAM; every RTAS call then
//! lands here as a private hcall with r4 = the physical address of an argument block: big-endian
//! 32-bit `token`, `nargs`, `nret`, then `args[nargs]`, then `rets[nret]`. `rets[0]` is the
//! status: 0 success, 1 "no errors found" (event-scan, check-exception), -1 hardware error,
//! -3 parameter error or not supported. Everything in the block is guest-controlled and
//! checked. The XICS calls go to the hypervisor's XICS device; the calls that need the machine
//! (vCPUs, the clock, power) go through [`RtasHost`].

use papr_hv::{GuestRam, Vm};
use thiserror::Error;

use crate::tree::RTAS_TOKENS;

/// The 20-byte blob `instantiate-rtas` copies: `mr r4,r3; li r3,0; ori r3,r3,0xf000; sc 1;
/// blr` (big-endian words), i.e. the private hcall [`H_RTAS`] with r4 = the argument block.
pub const RTAS_BLOB: [u32; 5] = [
    0x7c64_1b78,
    0x3c60_0000,
    0x6063_f000,
    0x4400_0022,
    0x4e80_0020,
];
/// The private hcall number the blob makes (KVMPPC_H_RTAS).
pub const H_RTAS: u64 = 0xf000;

/// RTAS status: success.
pub const SUCCESS: i32 = 0;
/// RTAS status: no errors found / no event.
pub const NO_EVENT: i32 = 1;
/// RTAS status: hardware error.
pub const HARDWARE_ERROR: i32 = -1;
/// RTAS status: parameter error, or not supported.
pub const PARAMETER_ERROR: i32 = -3;

/// Why an RTAS call could not be decoded at all.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum RtasBlockError {
    /// The block is not in guest RAM.
    #[error("RTAS argument block at {0:#x} is not in guest RAM")]
    OutsideRam(u64),
    /// Too many cells.
    #[error("RTAS call asks for {nargs} arguments and {nret} returns (at most 16 each)")]
    TooManyCells {
        /// Inputs.
        nargs: u32,
        /// Outputs.
        nret: u32,
    },
}

/// A vCPU's state as query-cpu-stopped-state reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CpuState {
    /// Stopped (not started, or stop-self): code 0.
    Stopped,
    /// Running: code 2.
    Running,
}

/// What the machine does for the RTAS calls that reach beyond the hypervisor.
pub trait RtasHost {
    /// Year, month, day, hour, minute, second, nanoseconds.
    fn time_of_day(&mut self) -> [u32; 7];
    /// Sets the RTC.
    fn set_time_of_day(&mut self, tod: [u32; 7]);
    /// The state of the vCPU with hardware id `id`, or `None` if there is none.
    fn cpu_state(&mut self, id: u32) -> Option<CpuState>;
    /// Starts stopped vCPU `id` at real address `entry` with r3 = `r3` (64-bit, big-endian,
    /// real mode, the caller's LPCR ILE/AIL and timebase). `false` if it cannot be started.
    fn start_cpu(&mut self, caller: u32, id: u32, entry: u64, r3: u64) -> bool;
    /// Stops the calling vCPU.
    fn stop_self(&mut self, caller: u32);
    /// Powers the machine off.
    fn power_off(&mut self);
    /// Resets the machine.
    fn system_reboot(&mut self);
    /// The guest terminated with a message.
    fn os_term(&mut self, message: &str);
}

/// One decoded call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtasCall {
    /// The token.
    pub token: u32,
    /// The service name, if the token is one papr publishes.
    pub name: Option<&'static str>,
    /// Arguments.
    pub args: Vec<u32>,
    /// Number of return cells.
    pub nret: u32,
}

/// Decodes the block at `addr`.
pub fn decode(ram: &GuestRam, addr: u64) -> Result<RtasCall, RtasBlockError> {
    let cell = |i: u64| {
        ram.read_be32(addr + 4 * i)
            .map_err(|_| RtasBlockError::OutsideRam(addr))
    };
    let token = cell(0)?;
    let nargs = cell(1)?;
    let nret = cell(2)?;
    if nargs > 16 || nret > 16 {
        return Err(RtasBlockError::TooManyCells { nargs, nret });
    }
    if !ram.contains(addr, 4 * (3 + u64::from(nargs) + u64::from(nret))) {
        return Err(RtasBlockError::OutsideRam(addr));
    }
    let args = (0..u64::from(nargs))
        .map(|i| cell(3 + i))
        .collect::<Result<Vec<_>, _>>()?;
    let name = RTAS_TOKENS
        .iter()
        .find(|&&(_, t)| t == token)
        .map(|&(n, _)| n);
    Ok(RtasCall {
        token,
        name,
        args,
        nret,
    })
}

fn status(s: i32) -> u32 {
    s.cast_unsigned()
}

/// Runs the RTAS call whose block is at `addr`, made by vCPU `caller`, and writes its return
/// cells. Returns the decoded call (for tracing).
pub fn call(
    vm: &Vm,
    host: &mut dyn RtasHost,
    caller: u32,
    addr: u64,
) -> Result<RtasCall, RtasBlockError> {
    let c = decode(vm.ram(), addr)?;
    let a = |i: usize| c.args.get(i).copied();
    let need = |n: usize| c.args.len() >= n;
    let xics = |r: Result<(), papr_hv::irq::device::RtasError>| match r {
        Ok(()) => vec![status(SUCCESS)],
        Err(e) => vec![status(e.status())],
    };
    let rets: Vec<u32> = match c.name {
        Some("get-time-of-day") => {
            let mut r = vec![status(SUCCESS)];
            r.extend(host.time_of_day());
            r
        }
        Some("set-time-of-day") if need(7) => {
            let mut tod = [0u32; 7];
            tod.copy_from_slice(&c.args[..7]);
            host.set_time_of_day(tod);
            vec![status(SUCCESS)]
        }
        Some("power-off") => {
            host.power_off();
            vec![status(SUCCESS)]
        }
        Some("system-reboot") => {
            host.system_reboot();
            vec![status(SUCCESS)]
        }
        Some("query-cpu-stopped-state") if need(1) => {
            match a(0).and_then(|id| host.cpu_state(id)) {
                Some(CpuState::Stopped) => vec![status(SUCCESS), 0],
                Some(CpuState::Running) => vec![status(SUCCESS), 2],
                None => vec![status(PARAMETER_ERROR)],
            }
        }
        Some("start-cpu") if need(3) => {
            let (id, entry, r3) = (c.args[0], c.args[1], c.args[2]);
            match host.cpu_state(id) {
                None => vec![status(PARAMETER_ERROR)],
                Some(CpuState::Running) => vec![status(HARDWARE_ERROR)],
                Some(CpuState::Stopped) => {
                    if host.start_cpu(caller, id, u64::from(entry), u64::from(r3)) {
                        vec![status(SUCCESS)]
                    } else {
                        vec![status(HARDWARE_ERROR)]
                    }
                }
            }
        }
        Some("stop-self") => {
            host.stop_self(caller);
            vec![status(SUCCESS)]
        }
        Some("ibm,set-xive") if need(3) => xics(vm.rtas_set_xive(c.args[0], c.args[1], c.args[2])),
        Some("ibm,get-xive") if need(1) => match vm.rtas_get_xive(c.args[0]) {
            Ok((server, prio)) => vec![status(SUCCESS), server, prio],
            Err(e) => vec![status(e.status())],
        },
        Some("ibm,int-off") if need(1) => xics(vm.rtas_int_off(c.args[0])),
        Some("ibm,int-on") if need(1) => xics(vm.rtas_int_on(c.args[0])),
        // No events are ever pending: papr has no EPOW or hotplug sources yet.
        Some("event-scan" | "check-exception") => vec![status(NO_EVENT)],
        // No indicators are published (no rtas-indicators property).
        Some("set-indicator") => vec![status(PARAMETER_ERROR)],
        // No system parameters are offered (Linux asks for CMO characteristics and copes).
        Some("ibm,get-system-parameter") => vec![status(PARAMETER_ERROR)],
        Some("ibm,nmi-register" | "ibm,nmi-interlock") => vec![status(SUCCESS)],
        Some("ibm,os-term") if need(1) => {
            let msg = read_cstr(vm.ram(), u64::from(c.args[0]), 1024);
            host.os_term(&msg);
            vec![status(SUCCESS)]
        }
        // A known service with too few arguments, or an unknown token.
        _ => vec![status(PARAMETER_ERROR)],
    };
    let base = addr + 4 * (3 + c.args.len() as u64);
    for (i, r) in rets.iter().take(c.nret as usize).enumerate() {
        vm.ram()
            .write_be32(base + 4 * i as u64, *r)
            .map_err(|_| RtasBlockError::OutsideRam(addr))?;
    }
    Ok(c)
}

fn read_cstr(ram: &GuestRam, addr: u64, max: usize) -> String {
    let mut out = Vec::new();
    let mut b = [0u8; 1];
    for i in 0..max as u64 {
        if ram.read(addr + i, &mut b).is_err() || b[0] == 0 {
            break;
        }
        out.push(b[0]);
    }
    String::from_utf8_lossy(&out).into_owned()
}
