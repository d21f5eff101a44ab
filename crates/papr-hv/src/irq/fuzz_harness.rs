//! The fuzz harness: decodes bytes into a sequence of device creations and releases, vCPU
//! connections, hcalls, ESB and TIMA accesses, attribute and one-reg accesses, RTAS calls,
//! device interrupts and guest-like service loops, against a VM with three vCPUs.
//!
//! It must never panic on any input; the only panics are its own assertions of the invariants
//! (presenter line = deliverability, no vCPU connected to a released device, the ledger back
//! at zero once the VM and every handle are gone). The cargo-fuzz target `irq` calls [`run`];
//! `cargo test` runs it over fuzz/corpus/irq and random inputs.

use std::sync::Arc;

use super::device::{AttrValue, DeviceFd, DeviceType, IrqCap, MapRegion, Mapping};
use super::xive::{self, XiveEq};
use super::{xics, IrqType};
use crate::hcall::{nr, HcallArgs};
use crate::ledger::{Kind, Ledger};
use crate::vcpu::Vcpu;
use crate::vm::{Vm, VmConfig};

/// Steps per input at most (keeps each run short).
const MAX_STEPS: u64 = 400;
/// Guest RAM of the harness VM: 16 pages of 64 KiB.
const RAM: u64 = 1 << 20;
const NVCPUS: usize = 3;

const HCALLS: [u64; 17] = [
    nr::H_EOI,
    nr::H_CPPR,
    nr::H_IPI,
    nr::H_IPOLL,
    nr::H_XIRR,
    nr::H_XIRR_X,
    nr::H_INT_GET_SOURCE_INFO,
    nr::H_INT_SET_SOURCE_CONFIG,
    nr::H_INT_GET_SOURCE_CONFIG,
    nr::H_INT_GET_QUEUE_INFO,
    nr::H_INT_SET_QUEUE_CONFIG,
    nr::H_INT_GET_QUEUE_CONFIG,
    nr::H_INT_SET_OS_REPORTING_LINE,
    nr::H_INT_GET_OS_REPORTING_LINE,
    nr::H_INT_ESB,
    nr::H_INT_SYNC,
    nr::H_INT_RESET,
];

struct Reader<'a> {
    data: &'a [u8],
}

impl Reader<'_> {
    fn u8(&mut self) -> Option<u8> {
        let (&b, rest) = self.data.split_first()?;
        self.data = rest;
        Some(b)
    }

    fn byte(&mut self) -> u8 {
        self.u8().unwrap_or(0)
    }

    fn u64(&mut self) -> u64 {
        (0..8).fold(0, |acc, _| (acc << 8) | u64::from(self.byte()))
    }

    /// A value biased toward the interesting ones.
    fn val(&mut self) -> u64 {
        let tag = self.byte();
        let small = u64::from(self.byte());
        match tag % 15 {
            0 => 0,
            1 => 1,
            2 => 2,
            3 => 0xFF,
            4 => small,
            5 => 0x1000 + small % 16,
            6 => (small % 20) << 16,
            7 => 16,
            8 => u64::MAX,
            9 => self.u64(),
            10 => small % 5,
            11 => small % 8,
            12 => 0xFF00_1000 + small % 16,
            13 => (small % 4) | ((small >> 2) % 4) << 3,
            // High, aligned: platform bases whose regions would not fit.
            _ => u64::MAX << (small % 64),
        }
    }
}

/// What one input reached (so tests can check that a corpus goes deep).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Steps run.
    pub steps: u64,
    /// Devices created (XICS, XIVE).
    pub created: [u64; 2],
    /// Device interrupts accepted through H_XIRR by the service loop.
    pub xics_device_accepts: u64,
    /// IPIs accepted through H_XIRR by the service loop.
    pub xics_ipi_accepts: u64,
    /// TIMA acknowledges that found an event (so a queue was written and the IPB set).
    pub xive_event_acks: u64,
    /// Device releases.
    pub releases: u64,
    /// Releases that ran when the last mapping went, after the fd was closed.
    pub releases_by_mapping: u64,
}

struct Harness {
    vm: Vm,
    vcpus: Vec<Arc<Vcpu>>,
    fd: Option<DeviceFd>,
    maps: Vec<Mapping>,
    ledger: Ledger,
    stats: Stats,
}

impl Harness {
    fn new() -> Option<Self> {
        let mut cfg = VmConfig::with_ram(RAM);
        cfg.reserved_pool_bytes = 0;
        let vm = Vm::new(cfg).ok()?;
        let vcpus = (0..NVCPUS)
            .filter_map(|i| vm.create_vcpu(u32::try_from(i).ok()?).ok())
            .collect();
        let ledger = vm.inner.ledger.clone();
        Some(Harness {
            vm,
            vcpus,
            fd: None,
            maps: Vec::new(),
            ledger,
            stats: Stats::default(),
        })
    }

    fn vcpu(&self, i: u8) -> &Arc<Vcpu> {
        &self.vcpus[usize::from(i) % self.vcpus.len()]
    }

    fn create(&mut self, r: &mut Reader<'_>, kind: DeviceType) {
        let Ok(fd) = self.vm.create_device(kind) else {
            return;
        };
        self.stats.created[usize::from(kind == DeviceType::XiveNative)] += 1;
        let cfg = r.byte();
        if cfg & 1 != 0 {
            let n = u32::from(r.byte() % 6);
            let _ = fd.set_attr(
                if kind == DeviceType::Xics {
                    xics::attr::GRP_CTRL
                } else {
                    xive::attr::GRP_CTRL
                },
                if kind == DeviceType::Xics {
                    xics::attr::CTRL_NR_SERVERS
                } else {
                    xive::attr::CTRL_NR_SERVERS
                },
                &AttrValue::U32(n),
            );
        }
        let cap = if kind == DeviceType::Xics {
            IrqCap::Xics
        } else {
            IrqCap::Xive
        };
        for (i, v) in self.vcpus.iter().enumerate() {
            // Mostly server = vCPU id, sometimes a clash or a big number.
            let server = match r.byte() % 8 {
                0 => 0,
                1 => 4096,
                _ => u32::try_from(i).unwrap_or_default(),
            };
            let _ = v.enable_cap(cap, &fd, server);
        }
        let lsi_mask = r.byte();
        for k in 0..8u64 {
            let lsi = lsi_mask & (1 << k) != 0;
            if kind == DeviceType::Xics {
                let server = k % 3;
                let prio = if k % 4 == 3 { 0xFF } else { 4 + k % 2 };
                let mut v = server | prio << xics::attr::PRIORITY_SHIFT;
                if lsi {
                    v |= xics::attr::LEVEL_SENSITIVE;
                }
                let _ = fd.set_attr(xics::attr::GRP_SOURCES, 0x1000 + k, &AttrValue::U64(v));
            } else {
                let flags = u64::from(lsi);
                let _ = fd.set_attr(xive::attr::GRP_SOURCE, k % 3, &AttrValue::U64(0));
                let _ = fd.set_attr(xive::attr::GRP_SOURCE, 0x1000 + k, &AttrValue::U64(flags));
            }
        }
        self.fd = Some(fd);
    }

    fn hcall(&self, vcpu: &Vcpu, number: u64, args: &HcallArgs) {
        let _ = self.vm.hcall_result(vcpu, number, args);
    }

    /// Linux-like setup of the current controller.
    fn setup(&mut self, r: &mut Reader<'_>) {
        match self.vm.irqchip() {
            Some(DeviceType::Xics) => {
                for v in &self.vcpus {
                    self.hcall(v, nr::H_CPPR, &[0xFF, 0, 0, 0, 0, 0, 0, 0, 0]);
                }
                for k in 0..8u32 {
                    let _ = self
                        .vm
                        .rtas_set_xive(0x1000 + k, k % 3, u32::from(r.byte() % 8));
                }
            }
            Some(DeviceType::XiveNative) => {
                let v0 = Arc::clone(&self.vcpus[0]);
                for (i, v) in self.vcpus.iter().enumerate() {
                    let page = (i as u64 + 1) << 16;
                    let prio = u64::from(r.byte() % 7);
                    self.hcall(
                        &v0,
                        nr::H_INT_SET_QUEUE_CONFIG,
                        &[1, i as u64, prio, page, 16, 0, 0, 0, 0],
                    );
                    if let Some(m) = self.maps.iter().find(|m| m.region() == MapRegion::Tima) {
                        m.write(v, (2 << 16) | 0x11, 1, 0xFF);
                    }
                }
                for lisn in (0..3).chain(0x1000..0x1008) {
                    let target = lisn % 3;
                    let prio = u64::from(r.byte() % 7);
                    self.hcall(
                        &v0,
                        nr::H_INT_SET_SOURCE_CONFIG,
                        &[2, lisn, target, prio, lisn + 1, 0, 0, 0, 0],
                    );
                    self.hcall(
                        &v0,
                        nr::H_INT_ESB,
                        &[0, lisn, xive::esb::SET_PQ_00, 0, 0, 0, 0, 0, 0],
                    );
                }
            }
            _ => {}
        }
    }

    /// Guest-like interrupt service on every vCPU whose line is up.
    fn service(&mut self, r: &mut Reader<'_>) {
        for v in self.vcpus.clone() {
            if !v.interrupt_line().is_raised() {
                continue;
            }
            match v.irq_type() {
                IrqType::Xics => {
                    let res = self.vm.hcall_result(&v, nr::H_XIRR, &[0; 9]);
                    let xirr = res.out[0];
                    match xirr & 0xFF_FFFF {
                        0 => {}
                        2 => self.stats.xics_ipi_accepts += 1,
                        _ => self.stats.xics_device_accepts += 1,
                    }
                    if xirr & 0xFF_FFFF == u64::from(xics::IPI) {
                        let me = u64::from(v.irq_server().unwrap_or_default());
                        self.hcall(&v, nr::H_IPI, &[me, 0xFF, 0, 0, 0, 0, 0, 0, 0]);
                    }
                    if !r.byte().is_multiple_of(4) {
                        self.hcall(&v, nr::H_EOI, &[xirr, 0, 0, 0, 0, 0, 0, 0, 0]);
                    }
                }
                IrqType::Xive => {
                    let Some(tima) = self.maps.iter().find(|m| m.region() == MapRegion::Tima)
                    else {
                        continue;
                    };
                    if tima.read(&v, (2 << 16) | 0x810, 2) & 0x8000 != 0 {
                        self.stats.xive_event_acks += 1;
                    }
                    // EOI a source the queue may have named.
                    let lisn = u64::from(r.byte() % 11);
                    let lisn = if lisn < 3 { lisn } else { 0x1000 + lisn - 3 };
                    match self.maps.iter().find(|m| m.region() == MapRegion::Esb) {
                        Some(esb) if r.byte().is_multiple_of(2) => {
                            let _ = esb.read(&v, (lisn << 17) | (1 << 16), 8);
                        }
                        _ => self.hcall(&v, nr::H_INT_ESB, &[0, lisn, 0, 0, 0, 0, 0, 0, 0]),
                    }
                    tima.write(&v, (2 << 16) | 0x11, 1, 0xFF);
                }
                IrqType::None => {}
            }
        }
    }

    fn step(&mut self, op: u8, r: &mut Reader<'_>) {
        match op % 16 {
            0 => self.create(r, DeviceType::Xics),
            1 => self.create(r, DeviceType::XiveNative),
            2 => self.fd = None,
            3 => {
                if let Some(fd) = &self.fd {
                    let region = if r.byte().is_multiple_of(2) {
                        MapRegion::Esb
                    } else {
                        MapRegion::Tima
                    };
                    if let Ok(m) = fd.mmap(region) {
                        if self.maps.len() < 4 {
                            self.maps.push(m);
                        }
                    }
                }
            }
            4 => {
                if !self.maps.is_empty() {
                    let i = usize::from(r.byte()) % self.maps.len();
                    let before = self.vm.irq_release_count();
                    self.maps.remove(i);
                    if self.vm.irq_release_count() > before {
                        self.stats.releases_by_mapping += 1;
                    }
                }
            }
            5 => {
                let number = match r.byte() {
                    n if usize::from(n) < HCALLS.len() * 14 => {
                        HCALLS[usize::from(n) % HCALLS.len()]
                    }
                    n => u64::from(n) * 4,
                };
                let v = Arc::clone(self.vcpu(r.byte()));
                let mut args = [0u64; 9];
                for a in args.iter_mut().take(5) {
                    *a = r.val();
                }
                self.hcall(&v, number, &args);
            }
            6 => {
                if self.maps.is_empty() {
                    return;
                }
                let m = &self.maps[usize::from(r.byte()) % self.maps.len()];
                let v = &self.vcpus[usize::from(r.byte()) % self.vcpus.len()];
                let lisn = r.val() % 0x1010;
                let page = u64::from(r.byte() % 2);
                let off = match r.byte() % 9 {
                    0 => 0,
                    1 => 0x400,
                    2 => 0x800,
                    3 => 0xC00,
                    4 => 0xD00,
                    5 => 0xE00,
                    6 => 0xF00,
                    7 => 0x810,
                    _ => r.val() & 0xFFFF,
                };
                let offset = match m.region() {
                    MapRegion::Esb => (lisn << 17) | (page << 16) | off,
                    MapRegion::Tima => (u64::from(r.byte() % 5) << 16) | off,
                };
                let size = [1, 2, 4, 8, 3][usize::from(r.byte()) % 5];
                if r.byte().is_multiple_of(2) {
                    let _ = m.read(v, offset, size);
                } else {
                    m.write(v, offset, size, r.val());
                }
            }
            7 => {
                if self.maps.is_empty() {
                    return;
                }
                let m = &self.maps[usize::from(r.byte()) % self.maps.len()];
                let v = &self.vcpus[usize::from(r.byte()) % self.vcpus.len()];
                let off = match r.byte() % 4 {
                    0 => (2 << 16) | 0x810,
                    1 => (2 << 16) | 0x11,
                    2 => (2 << 16) | 0x10,
                    _ => r.val() % (5 << 16),
                };
                let size = [1, 2, 4, 8][usize::from(r.byte()) % 4];
                if r.byte().is_multiple_of(2) {
                    let _ = m.read(v, off, size);
                } else {
                    m.write(v, off, size, r.val());
                }
            }
            8 => {
                if let Some(fd) = &self.fd {
                    let group = u32::from(r.byte() % 6) | (u32::from(r.byte() % 2) << 8);
                    let a = r.val();
                    let value = match r.byte() % 4 {
                        0 => AttrValue::None,
                        1 => AttrValue::U32(u32::try_from(r.val() & 0xFFFF_FFFF).unwrap_or(0)),
                        2 => AttrValue::U64(r.val()),
                        _ => AttrValue::Eq(XiveEq {
                            flags: u32::from(r.byte() % 3),
                            qshift: [0, 12, 16, 16, 21][usize::from(r.byte()) % 5],
                            qaddr: r.val(),
                            qtoggle: u32::from(r.byte() % 3),
                            qindex: u32::from(r.byte()) * 64,
                        }),
                    };
                    let _ = fd.set_attr(group, a, &value);
                }
            }
            9 => {
                if let Some(fd) = &self.fd {
                    let group = u32::from(r.byte() % 6) | (u32::from(r.byte() % 2) << 8);
                    let a = r.val();
                    let _ = fd.has_attr(group, a);
                    if let Ok(v) = fd.get_attr(group, a) {
                        // Whatever reads back must write back.
                        if fd.device_type() == DeviceType::Xics
                            || group != xive::attr::GRP_PAPR_PLATFORM
                        {
                            let again = fd.set_attr(group, a, &v);
                            assert!(again.is_ok(), "{group}/{a:#x} = {v:?}: {again:?}");
                        }
                    }
                }
            }
            10 => {
                let irq = u32::try_from(r.val() & 0xFFFF_FFFF).unwrap_or(0);
                let _ = self.vm.irq_line(irq, r.byte().is_multiple_of(2));
            }
            11 => {
                let irq = u32::try_from(r.val() & 0xFFFF_FFFF).unwrap_or(0);
                let _ = match r.byte() % 4 {
                    0 => self
                        .vm
                        .rtas_set_xive(irq, u32::from(r.byte() % 4), u32::from(r.byte()) + 1)
                        .map(|_| ()),
                    1 => self.vm.rtas_get_xive(irq).map(|_| ()),
                    2 => self.vm.rtas_int_off(irq),
                    _ => self.vm.rtas_int_on(irq),
                };
            }
            12 => {
                let v = Arc::clone(self.vcpu(r.byte()));
                match r.byte() % 4 {
                    0 => {
                        // Every reachable ICP state restores (a snapshot depends on it).
                        if let Ok(s) = v.get_icp_state() {
                            assert!(v.set_icp_state(s).is_ok(), "ICP state {s:#x} round trip");
                        }
                    }
                    1 => {
                        let _ = v.set_icp_state(r.u64());
                    }
                    2 => {
                        if let Ok(s) = v.get_vp_state() {
                            assert!(v.set_vp_state(s).is_ok(), "VP state {s:?} round trip");
                        }
                    }
                    _ => {
                        let _ = v.set_vp_state([r.u64(), r.u64()]);
                    }
                }
            }
            13 => self.service(r),
            14 => self.setup(r),
            _ => {
                let v = Arc::clone(self.vcpu(r.byte()));
                let _ = v.enable_cap(
                    if r.byte().is_multiple_of(2) {
                        IrqCap::Xics
                    } else {
                        IrqCap::Xive
                    },
                    match &self.fd {
                        Some(fd) => fd,
                        None => return,
                    },
                    u32::from(r.byte() % 6),
                );
            }
        }
    }

    fn check(&self) {
        if let Some(e) = self.vm.inner.irq.xics.get() {
            e.check_invariants();
        }
        if let Some(e) = self.vm.inner.irq.xive.get() {
            e.check_invariants();
        }
        let chip = self.vm.irqchip();
        for v in &self.vcpus {
            match (chip, v.irq_type()) {
                (_, IrqType::None)
                | (Some(DeviceType::Xics), IrqType::Xics)
                | (Some(DeviceType::XiveNative), IrqType::Xive) => {}
                (c, t) => panic!("vCPU {} presents {t:?} while the irqchip is {c:?}", v.id()),
            }
            if v.irq_type() == IrqType::None {
                assert!(!v.interrupt_line().is_raised(), "vCPU {} line", v.id());
            }
        }
        let r = self.ledger.report();
        if self.vm.irqchip().is_none() {
            assert_eq!(r.bytes(Kind::QueuePages), 0, "queue pages without a device");
        }
    }

    fn finish(mut self) -> Stats {
        self.maps.clear();
        self.fd = None;
        let mut stats = self.stats;
        stats.releases = self.vm.irq_release_count();
        let r = self.ledger.report();
        assert_eq!(self.vm.irqchip(), None, "released at last close");
        assert_eq!(r.bytes(Kind::QueuePages), 0);
        let slots = i64::from(self.vm.inner.irq.xics.get().is_some())
            + i64::from(self.vm.inner.irq.xive.get().is_some());
        assert_eq!(
            r.objects(Kind::DeviceState),
            slots,
            "only the slot objects remain: {r}"
        );
        for v in &self.vcpus {
            assert_eq!(v.irq_type(), IrqType::None);
        }
        let ledger = self.ledger.clone();
        drop(self);
        let r = ledger.report();
        assert_eq!(r.bytes(Kind::DeviceState), 0, "{r}");
        assert_eq!(r.objects(Kind::DeviceState), 0, "{r}");
        stats
    }
}

/// Runs one input.
pub fn run(data: &[u8]) {
    run_with_stats(data);
}

/// Runs one input and says what it reached.
pub fn run_with_stats(data: &[u8]) -> Stats {
    let Some(mut h) = Harness::new() else {
        return Stats::default();
    };
    let mut r = Reader { data };
    while let Some(op) = r.u8() {
        h.step(op, &mut r);
        h.check();
        h.stats.steps += 1;
        if h.stats.steps >= MAX_STEPS {
            break;
        }
    }
    h.finish()
}
