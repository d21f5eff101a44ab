//! Fuzz harnesses over the platform's guest-facing surfaces, shared by the cargo-fuzz targets
//! (`fuzz/fuzz_targets/{platform,snapshot}.rs`) and plain `cargo test` over the committed
//! corpora.

use papr_hv::hcall::HcallArgs;
use papr_hv::{Vm, VmConfig};

use crate::config::MachineConfig;
use crate::devtree::{DeviceTree, Phandle};
use crate::ofci::{ClientInterface, OfPlatform};
use crate::phcall::{register_proc_tbl, register_vpa, set_mode, HvcConsole, VpaState};
use crate::rtas::{CpuState, RtasHost};
use crate::snapshot::sections::{restore_hpt, restore_ram, HPT, RAM};
use crate::{cas, rtas, snapshot, tree};

const RAM_BYTES: u64 = 4 << 20;

struct Host;

impl OfPlatform for Host {
    fn console_write(&mut self, _bytes: &[u8]) {}
    fn call_method(
        &mut self,
        ram: &papr_hv::GuestRam,
        _tree: &mut DeviceTree,
        method: &str,
        _node: Phandle,
        args: &[u32],
    ) -> Option<Vec<u32>> {
        // CAS reads the vector from guest RAM, as the machine will.
        if method == "ibm,client-architecture-support" {
            let addr = u64::from(*args.first()?);
            let mut buf = vec![0u8; 1024];
            let n = usize::try_from(ram.size().saturating_sub(addr))
                .unwrap_or(0)
                .min(1024);
            ram.read(addr, &mut buf[..n]).ok()?;
            let req = cas::parse(&buf[..n]).ok()?;
            let _ = cas::negotiate(&MachineConfig::default(), &req);
            return Some(vec![0]);
        }
        None
    }
    fn milliseconds(&mut self) -> u32 {
        0
    }
}

impl RtasHost for Host {
    fn time_of_day(&mut self) -> [u32; 7] {
        [2026, 1, 1, 0, 0, 0, 0]
    }
    fn set_time_of_day(&mut self, _tod: [u32; 7]) {}
    fn cpu_state(&mut self, id: u32) -> Option<CpuState> {
        (id < 2).then_some(CpuState::Stopped)
    }
    fn start_cpu(&mut self, _caller: u32, _id: u32, _entry: u64, _r3: u64) -> bool {
        true
    }
    fn stop_self(&mut self, _caller: u32) {}
    fn power_off(&mut self) {}
    fn system_reboot(&mut self) {}
    fn os_term(&mut self, _message: &str) {}
}

/// Guest-controlled bytes, interpreted as: a prefix written into guest RAM at 0, then calls.
/// Runs the OF client interface, RTAS, CAS (through call-method) and the platform hcalls over
/// that memory. Nothing may panic.
pub fn platform(data: &[u8]) {
    let Ok(vm) = Vm::new(VmConfig::with_ram(RAM_BYTES)) else {
        return;
    };
    let (split, rest) = data.split_at(data.len().min(4096));
    let _ = vm.ram().write(0, split);
    let cfg = MachineConfig::default();
    let Ok((mut tree, _nodes)) = tree::build(&cfg, None) else {
        return;
    };
    let mut ci = ClientInterface::new(RAM_BYTES / 2);
    let mut host = Host;
    let mut console = HvcConsole::new();
    let mut vpa = VpaState::default();
    let mut lpcr = papr_cpu::lpcr::Lpcr::reset();
    for chunk in rest.chunks(17) {
        let op = chunk[0];
        let mut w = [0u64; 2];
        for (i, b) in chunk[1..].chunks(8).take(2).enumerate() {
            let mut x = [0u8; 8];
            x[..b.len()].copy_from_slice(b);
            w[i] = u64::from_le_bytes(x);
        }
        let addr = w[0] % RAM_BYTES;
        let mut a: HcallArgs = [0; 9];
        a[0] = w[0];
        a[1] = w[1];
        a[2] = w[0].rotate_left(17);
        a[3] = w[1] >> 3;
        match op % 7 {
            0 => {
                let _ = ci.call(vm.ram(), &mut tree, &mut host, addr & !3);
            }
            1 => {
                let _ = rtas::call(&vm, &mut host, 0, addr & !3);
            }
            2 => {
                let n = usize::try_from(w[1] % 700).unwrap_or(0);
                let mut buf = vec![0u8; n];
                if vm.ram().read(addr, &mut buf).is_ok() {
                    if let Ok(req) = cas::parse(&buf) {
                        let _ = cas::negotiate(&cfg, &req);
                    }
                }
            }
            3 => {
                let _ = console.put_term_char(&a);
                let _ = console.get_term_char(&a);
                console.push_input(&chunk[1..]);
            }
            4 => {
                let _ = register_vpa(vm.ram(), &mut vpa, &a);
            }
            5 => {
                let _ = set_mode(&mut lpcr, &a);
                let _ = register_proc_tbl(&a);
            }
            _ => {
                let _ = console.take_output();
            }
        }
    }
}

/// Arbitrary bytes as a snapshot to restore into a fresh VM. Inputs whose first byte is odd are
/// wrapped in a valid container first (so the CRC does not hide the section decoders). Nothing
/// may panic.
pub fn snapshot(data: &[u8]) {
    let wrapped;
    let bytes = match data.split_first() {
        Some((&b, rest)) if b & 1 == 1 => {
            let cut = rest.len() / 2;
            let (ram, hpt) = rest.split_at(cut);
            let mut ram = ram.to_vec();
            if b & 2 == 2 && ram.len() >= 8 {
                // A RAM payload for a guest of the right size.
                ram[..8].copy_from_slice(&RAM_BYTES.to_le_bytes());
            }
            let mut w = snapshot::Writer::new();
            w.section(RAM, &ram);
            w.section(HPT, hpt);
            wrapped = w.finish();
            &wrapped[..]
        }
        _ => data,
    };
    let Ok(sections) = snapshot::read(bytes) else {
        return;
    };
    let Ok(vm) = Vm::new(VmConfig::with_ram(RAM_BYTES)) else {
        return;
    };
    for s in sections {
        let _ = match s.tag {
            t if t == RAM => restore_ram(&vm, &s.payload),
            t if t == HPT => restore_hpt(&vm, &s.payload, 20),
            _ => Ok(()),
        };
    }
}

/// Valid whole-machine snapshots for [`machine_snapshot`] to mutate: a guest stopped half-way,
/// once on XICS and once on XIVE, split into their sections.
pub struct SnapshotSeeds {
    seeds: Vec<Vec<crate::snapshot::stream::OwnedSection>>,
}

/// Instructions the seed guest runs before it is saved, and the most a restored machine runs.
const SEED_INSNS: u64 = 150_000;
const RUN_AFTER_RESTORE: u64 = 20_000;
const SEED_RAM: u64 = 256 << 20;

impl SnapshotSeeds {
    /// Runs the bare-metal guest `kernel` (an ELF such as guests/bin/mmu.elf) for a while on
    /// a 2-vCPU machine in each controller mode and keeps a snapshot of each.
    pub fn build(kernel: &[u8]) -> Result<Self, crate::machine::MachineError> {
        use crate::config::IcMode;
        use crate::machine::{BootImages, Machine};
        let mut seeds = Vec::new();
        for ic_mode in [IcMode::Xics, IcMode::Xive] {
            let cfg = MachineConfig {
                ram_bytes: SEED_RAM,
                cpus: 2,
                ic_mode,
                ..MachineConfig::default()
            };
            let images = BootImages {
                kernel_name: "seed.elf".into(),
                kernel: kernel.to_vec(),
                initrd: None,
                bios: None,
            };
            let mut m = Machine::new(cfg, images, Box::new(std::io::sink()))?;
            let _ = m.run(Some(SEED_INSNS));
            let bytes = m.save_snapshot(Vec::new())?;
            let mut r = snapshot::stream::SectionReader::new(&bytes[..])?;
            let mut sections = Vec::new();
            while let Some(s) = r.next_section()? {
                sections.push(s);
            }
            seeds.push(sections);
        }
        Ok(SnapshotSeeds { seeds })
    }

    /// Seed `i` (modulo the count) as a complete, valid snapshot stream.
    pub fn stream(&self, i: usize) -> Vec<u8> {
        let sections = &self.seeds[i % self.seeds.len()];
        encode(sections.iter().map(|s| (s.tag, &s.payload[..])))
    }
}

fn encode<'a>(sections: impl Iterator<Item = ([u8; 4], &'a [u8])>) -> Vec<u8> {
    let mut w = snapshot::Writer::new();
    for (tag, payload) in sections {
        w.section(tag, payload);
    }
    w.finish()
}

/// A whole machine restored (`Machine::restore_snapshot`, the path of `papr restore` and of an
/// incoming migration) from guest-controlled bytes, then run for a while. Inputs whose first
/// byte is even are the stream itself; odd ones pick a seed and edit its sections with
/// 8-byte operations (`section, kind, offset:u32le, value, count`: flip, set, truncate, drop,
/// duplicate, swap with the next) before re-wrapping them with valid checksums, so the section
/// decoders, the cross-section checks and the restored state itself are reached. Nothing may
/// panic, allocate without bound, or run away.
pub fn machine_snapshot(seeds: &SnapshotSeeds, data: &[u8]) {
    use crate::machine::save::Host;
    use crate::machine::Machine;
    let stream = match data.split_first() {
        Some((&b, ops)) if b & 1 == 1 => {
            let mut sections: Vec<(_, Vec<u8>)> = seeds.seeds
                [usize::from(b >> 1) % seeds.seeds.len()]
            .iter()
            .map(|s| (s.tag, s.payload.clone()))
            .collect();
            for op in ops.chunks_exact(8) {
                edit(&mut sections, op);
            }
            encode(sections.iter().map(|(t, p)| (*t, &p[..])))
        }
        _ => data.to_vec(),
    };
    let Ok(mut reader) = snapshot::stream::SectionReader::new(&stream[..]) else {
        return;
    };
    let host = Host {
        ram_bytes: Some(SEED_RAM),
        cpus: Some(2),
        ic_mode: None,
        max_hpt_order: Some(24),
    };
    let Ok(mut m) = Machine::restore_snapshot(&mut reader, &host, Box::new(std::io::sink())) else {
        return;
    };
    // The restored state must also be safe to run (virtual time: idle jumps, no waiting).
    let _ = m.run(Some(m.retired().saturating_add(RUN_AFTER_RESTORE)));
}

fn edit(sections: &mut Vec<([u8; 4], Vec<u8>)>, op: &[u8]) {
    if sections.is_empty() {
        return;
    }
    let i = usize::from(op[0]) % sections.len();
    let off = u32::from_le_bytes([op[2], op[3], op[4], op[5]]) as usize;
    let (value, count) = (op[6], usize::from(op[7]).max(1));
    let kind = op[1] % 6;
    match kind {
        0 | 1 => {
            let p = &mut sections[i].1;
            if p.is_empty() {
                return;
            }
            for k in 0..count.min(8) {
                let at = (off + k) % p.len();
                if kind == 0 {
                    p[at] ^= value;
                } else {
                    p[at] = value;
                }
            }
        }
        2 => {
            let p = &mut sections[i].1;
            let keep = if p.is_empty() { 0 } else { off % p.len() };
            p.truncate(keep);
        }
        3 => {
            sections.remove(i);
        }
        4 => {
            let s = sections[i].clone();
            sections.insert(i, s);
        }
        _ => {
            if i + 1 < sections.len() {
                sections.swap(i, i + 1);
            }
        }
    }
}
