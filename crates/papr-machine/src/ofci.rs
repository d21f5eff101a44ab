//! The Open Firmware client interface, host side, as QEMU's VOF provides it to a pseries
//! kernel's prom_init (linux-pseries-boot.md section 2).
//!
//! The guest calls a five-instruction stub that makes a private hcall with r4 = the address of
//! a `prom_args` block: big-endian 32-bit cells `service` (address of a NUL-terminated name),
//! `nargs`, `nret`, then `args[10]` — inputs first, then the return cells. Every address is a
//! guest-physical address and every value comes from the guest: each one is checked, and a bad
//! one makes the service answer -1 (or the whole call fail), never a panic or an access outside
//! guest RAM.

use papr_hv::GuestRam;
use thiserror::Error;

use crate::devtree::{DeviceTree, Phandle};
use crate::snapshot::codec::{Dec, Enc};
use crate::snapshot::SnapshotError;

/// The OF "failure" cell value (-1).
pub const OF_FAILURE: u32 = 0xffff_ffff;
/// Longest service, property or method name read from the guest.
const MAX_NAME: usize = 256;
/// Longest path read from the guest.
const MAX_PATH: usize = 1024;
/// Largest property value a guest may set.
const MAX_PROP: usize = 1 << 20;
/// Largest console write taken at once.
const MAX_WRITE: u32 = 1 << 16;

/// Why a client-interface call could not even be decoded (the hcall answers H_PARAMETER).
#[derive(Debug, Error, PartialEq, Eq)]
pub enum OfciError {
    /// The prom_args block is not in guest RAM.
    #[error("prom_args block at {0:#x} is outside guest RAM")]
    BadBlock(u64),
    /// nargs + nret exceeds the block's ten cells.
    #[error("prom_args asks for {nargs} arguments and {nret} returns; at most 10 cells in all")]
    TooManyCells {
        /// Inputs.
        nargs: u32,
        /// Outputs.
        nret: u32,
    },
    /// The service name cannot be read.
    #[error("the service name at {0:#x} is not a NUL-terminated string in guest RAM")]
    BadServiceName(u64),
}

/// What the platform does for the services that reach beyond the tree.
pub trait OfPlatform {
    /// Console output (`write` on the stdout instance).
    fn console_write(&mut self, bytes: &[u8]);
    /// `call-method`: `method` on the node of `ihandle` with `args`; returns the return cells
    /// after the catch result, or `None` if the method does not exist there.
    fn call_method(
        &mut self,
        ram: &GuestRam,
        tree: &mut DeviceTree,
        method: &str,
        node: Phandle,
        args: &[u32],
    ) -> Option<Vec<u32>>;
    /// `milliseconds`: the virtual clock.
    fn milliseconds(&mut self) -> u32;
    /// `quiesce`: the client is done with firmware.
    fn quiesce(&mut self) {}
}

/// What the call means for the machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfOutcome {
    /// Return to the guest.
    Continue,
    /// The client called `exit`: stop the machine.
    Exit,
}

/// Client-interface state: open instances and claimed memory.
#[derive(Debug, Clone)]
pub struct ClientInterface {
    /// ihandle `i` (from 1) -> the node it is an instance of.
    instances: Vec<Option<Phandle>>,
    /// Claimed ranges (start, size), sorted by start.
    claims: Vec<(u64, u64)>,
    /// Highest address `claim` with an alignment may hand out.
    alloc_top: u64,
}

impl ClientInterface {
    /// A client interface whose aligned `claim`s stay below `alloc_top` (QEMU: min(RMA, 4 GiB)).
    pub fn new(alloc_top: u64) -> Self {
        ClientInterface {
            instances: Vec::new(),
            claims: Vec::new(),
            alloc_top,
        }
    }

    /// Writes the open instances and claimed ranges into a snapshot payload.
    pub fn encode(&self, e: &mut Enc) {
        e.u64(self.alloc_top);
        e.u64(self.instances.len() as u64);
        for i in &self.instances {
            e.u32(i.unwrap_or(0));
        }
        e.u64(self.claims.len() as u64);
        for &(s, n) in &self.claims {
            e.u64(s).u64(n);
        }
    }

    /// Reads what [`ClientInterface::encode`] wrote.
    pub fn decode(d: &mut Dec) -> Result<Self, SnapshotError> {
        let alloc_top = d.u64("claim limit")?;
        let n = d.count("open instances", 4)?;
        let mut instances = Vec::with_capacity(n);
        for _ in 0..n {
            let ph = d.u32("instance node")?;
            instances.push((ph != 0).then_some(ph));
        }
        let n = d.count("claimed ranges", 16)?;
        let mut claims = Vec::with_capacity(n);
        for _ in 0..n {
            claims.push((d.u64("claim start")?, d.u64("claim size")?));
        }
        claims.sort_unstable();
        Ok(ClientInterface {
            instances,
            claims,
            alloc_top,
        })
    }

    /// Opens an instance of `node` (the platform does this for stdout before boot).
    pub fn open_instance(&mut self, node: Phandle) -> u32 {
        self.instances.push(Some(node));
        // Fits: a guest cannot open 2^32 instances in any realistic run; saturate if it tries.
        u32::try_from(self.instances.len()).unwrap_or(u32::MAX)
    }

    /// The node of an open instance.
    pub fn instance_node(&self, ihandle: u32) -> Option<Phandle> {
        let i = usize::try_from(ihandle).ok()?.checked_sub(1)?;
        *self.instances.get(i)?
    }

    /// Marks `[start, start+size)` as used (the platform's own layout: kernel, initrd, ...).
    pub fn reserve(&mut self, start: u64, size: u64) {
        self.claims.push((start, size));
        self.claims.sort_unstable();
    }

    fn is_free(&self, start: u64, size: u64, ram: &GuestRam) -> bool {
        ram.contains(start, size)
            && self
                .claims
                .iter()
                .all(|&(s, n)| start.saturating_add(size) <= s || s.saturating_add(n) <= start)
    }

    fn claim(&mut self, ram: &GuestRam, virt: u64, size: u64, align: u64) -> u32 {
        if size == 0 {
            return OF_FAILURE;
        }
        let start = if align == 0 {
            if !self.is_free(virt, size, ram) {
                return OF_FAILURE;
            }
            virt
        } else {
            if !align.is_power_of_two() {
                return OF_FAILURE;
            }
            // Lowest aligned free range below alloc_top.
            let mut cand = 0u64;
            let top = self.alloc_top.min(ram.size());
            loop {
                let Some(end) = cand.checked_add(size) else {
                    return OF_FAILURE;
                };
                if end > top {
                    return OF_FAILURE;
                }
                match self
                    .claims
                    .iter()
                    .find(|&&(s, n)| !(end <= s || s.saturating_add(n) <= cand))
                {
                    None => break cand,
                    Some(&(s, n)) => {
                        let next = s.saturating_add(n);
                        cand = next.div_ceil(align).saturating_mul(align);
                    }
                }
            }
        };
        // Claims are 32-bit addresses on this interface.
        let Ok(ret) = u32::try_from(start) else {
            return OF_FAILURE;
        };
        self.reserve(start, size);
        ret
    }

    fn release(&mut self, virt: u64, size: u64) {
        self.claims.retain(|&c| c != (virt, size));
    }

    /// Handles one client-interface call whose `prom_args` block is at `block`.
    pub fn call(
        &mut self,
        ram: &GuestRam,
        tree: &mut DeviceTree,
        platform: &mut dyn OfPlatform,
        block: u64,
    ) -> Result<OfOutcome, OfciError> {
        let cell = |i: u64| {
            ram.read_be32(block + 4 * i)
                .map_err(|_| OfciError::BadBlock(block))
        };
        let service_addr = u64::from(cell(0)?);
        let nargs = cell(1)?;
        let nret = cell(2)?;
        if nargs.saturating_add(nret) > 10 {
            return Err(OfciError::TooManyCells { nargs, nret });
        }
        if !ram.contains(block, 4 * 13) {
            return Err(OfciError::BadBlock(block));
        }
        let service =
            read_str(ram, service_addr, MAX_NAME).ok_or(OfciError::BadServiceName(service_addr))?;
        let mut args = [0u32; 10];
        for (i, a) in args.iter_mut().enumerate().take(nargs as usize) {
            *a = cell(3 + i as u64)?;
        }
        let args = &args[..nargs as usize];
        let arg = |i: usize| args.get(i).copied().unwrap_or(0);
        let mut rets: Vec<u32> = Vec::new();
        let mut outcome = OfOutcome::Continue;
        match service.as_str() {
            "finddevice" => {
                let ph = read_str(ram, u64::from(arg(0)), MAX_PATH)
                    .and_then(|p| tree.find(&p))
                    .unwrap_or(OF_FAILURE);
                rets.push(ph);
            }
            "getprop" => {
                let r = read_str(ram, u64::from(arg(1)), MAX_NAME)
                    .and_then(|name| tree.prop(arg(0), &name))
                    .map_or(OF_FAILURE, |v| {
                        let n = v.len().min(arg(3) as usize);
                        if ram.write(u64::from(arg(2)), &v[..n]).is_err() {
                            return OF_FAILURE;
                        }
                        u32::try_from(v.len()).unwrap_or(OF_FAILURE)
                    });
                rets.push(r);
            }
            "getproplen" => {
                let r = read_str(ram, u64::from(arg(1)), MAX_NAME)
                    .and_then(|name| tree.prop(arg(0), &name))
                    .map_or(OF_FAILURE, |v| u32::try_from(v.len()).unwrap_or(OF_FAILURE));
                rets.push(r);
            }
            "nextprop" => {
                let r = match read_str(ram, u64::from(arg(1)), MAX_NAME) {
                    None => OF_FAILURE,
                    Some(prev) if tree.node_name(arg(0)).is_none() => {
                        let _ = prev;
                        OF_FAILURE
                    }
                    Some(prev) => match tree.next_prop(arg(0), &prev) {
                        None => 0,
                        Some(next) => {
                            let mut b = next.into_bytes();
                            b.push(0);
                            if ram.write(u64::from(arg(2)), &b).is_ok() {
                                1
                            } else {
                                OF_FAILURE
                            }
                        }
                    },
                };
                rets.push(r);
            }
            "setprop" => {
                let len = arg(3) as usize;
                let r = (|| {
                    let name = read_str(ram, u64::from(arg(1)), MAX_NAME)?;
                    if len > MAX_PROP {
                        return None;
                    }
                    let mut v = vec![0u8; len];
                    ram.read(u64::from(arg(2)), &mut v).ok()?;
                    tree.set_prop(arg(0), &name, v).ok()?;
                    Some(arg(3))
                })();
                rets.push(r.unwrap_or(OF_FAILURE));
            }
            "peer" => rets.push(tree.peer(arg(0))),
            "child" => rets.push(tree.child(arg(0))),
            "parent" => rets.push(tree.parent(arg(0))),
            "open" => {
                let ih = read_str(ram, u64::from(arg(0)), MAX_PATH)
                    .and_then(|p| tree.find(&p))
                    .map_or(0, |ph| self.open_instance(ph));
                rets.push(ih);
            }
            "close" => {
                if let Some(slot) = usize::try_from(arg(0))
                    .ok()
                    .and_then(|i| i.checked_sub(1))
                    .and_then(|i| self.instances.get_mut(i))
                {
                    *slot = None;
                }
            }
            "instance-to-package" => {
                rets.push(self.instance_node(arg(0)).unwrap_or(OF_FAILURE));
            }
            "instance-to-path" | "package-to-path" => {
                let node = if service == "instance-to-path" {
                    self.instance_node(arg(0))
                } else {
                    Some(arg(0))
                };
                let r = node.and_then(|n| tree.path(n)).map_or(OF_FAILURE, |p| {
                    let mut b = p.into_bytes();
                    b.push(0);
                    let n = b.len().min(arg(2) as usize);
                    if ram.write(u64::from(arg(1)), &b[..n]).is_err() {
                        return OF_FAILURE;
                    }
                    u32::try_from(b.len()).unwrap_or(OF_FAILURE)
                });
                rets.push(r);
            }
            "write" => {
                let len = arg(2).min(MAX_WRITE) as usize;
                let mut b = vec![0u8; len];
                let r = if self.instance_node(arg(0)).is_some()
                    && ram.read(u64::from(arg(1)), &mut b).is_ok()
                {
                    platform.console_write(&b);
                    arg(2).min(MAX_WRITE)
                } else {
                    OF_FAILURE
                };
                rets.push(r);
            }
            "claim" => {
                let r = self.claim(ram, u64::from(arg(0)), u64::from(arg(1)), u64::from(arg(2)));
                rets.push(r);
            }
            "release" => self.release(u64::from(arg(0)), u64::from(arg(1))),
            "call-method" => {
                let result = read_str(ram, u64::from(arg(0)), MAX_NAME).and_then(|m| {
                    let node = self.instance_node(arg(1))?;
                    platform.call_method(ram, tree, &m, node, args.get(2..).unwrap_or(&[]))
                });
                match result {
                    Some(r) => {
                        rets.push(0);
                        rets.extend(r);
                    }
                    None => rets.push(OF_FAILURE),
                }
            }
            "quiesce" => platform.quiesce(),
            "milliseconds" => rets.push(platform.milliseconds()),
            "exit" => outcome = OfOutcome::Exit,
            _ => rets.push(OF_FAILURE),
        }
        for (i, r) in rets.iter().take(nret as usize).enumerate() {
            ram.write_be32(block + 4 * (3 + u64::from(nargs) + i as u64), *r)
                .map_err(|_| OfciError::BadBlock(block))?;
        }
        Ok(outcome)
    }
}

/// Reads a NUL-terminated string of at most `max` bytes from guest RAM.
fn read_str(ram: &GuestRam, addr: u64, max: usize) -> Option<String> {
    let mut out = Vec::new();
    let mut chunk = [0u8; 64];
    let mut at = addr;
    while out.len() < max {
        // Read what is left of RAM in small pieces so a string near the end still works.
        let n = chunk
            .len()
            .min(usize::try_from(ram.size().checked_sub(at)?).unwrap_or(64));
        if n == 0 {
            return None;
        }
        ram.read(at, &mut chunk[..n]).ok()?;
        if let Some(z) = chunk[..n].iter().position(|&b| b == 0) {
            out.extend_from_slice(&chunk[..z]);
            return String::from_utf8(out).ok();
        }
        out.extend_from_slice(&chunk[..n]);
        at += n as u64;
    }
    None
}
