//! XIVE native ("exploitation mode", fact sheet section 7): sources with ESB pages and the PQ
//! state machine, event queues in guest RAM, one END per (vCPU, priority), the TIMA OS ring of
//! each connected vCPU, the H_INT_* hcalls and the KVM XIVE device attributes.
//!
//! Event flow: a trigger (ESB trigger-page store, management-page store at 0x000-0x3FF, or
//! KVM_IRQ_LINE) runs the source's PQ machine; "notify" looks the source's EAS up (target
//! server, priority, EISN); unless the EAS is masked, the END of (server, priority) writes
//! `generation << 31 | EISN` big-endian at its queue index in guest RAM, advances the index
//! (flipping the generation on wrap) and — unconditional notify, KVM's only mode — sets the
//! priority's bit in the server's IPB. The OS ring's PIPR is the most favoured IPB bit; while
//! PIPR < CPPR, NSR.EO is set and the vCPU's external-interrupt line is up (a level, so an event
//! is never lost by changing CPPR). The acknowledge load moves PIPR into CPPR.
//!
//! KVM rules kept where QEMU differs: queues are 64 KiB only (qshift 16) and must ask for
//! unconditional notify; guest priorities are 0..=6 (7 is the hypervisor's); the OS reporting
//! line hcalls answer H_FUNCTION as QEMU does.

use std::collections::BTreeMap;
use std::sync::{Arc, Weak};

use papr_cpu::InterruptLine;
use parking_lot::Mutex;

use super::device::{connected_to, AttrValue, MapRegion, MmioError};
use super::{disconnect_presenters, fit_u32, low_u8, Connection, EngineRef, IrqType, MAX_SERVERS};
use crate::hcall::{nr, rc, HcallArgs, HcallResult};
use crate::ledger::{Charge, Kind, Ledger};
use crate::vcpu::Vcpu;
use crate::vm::{VmError, VmInner};

/// Source numbers are below this (KVMPPC_XIVE_NR_IRQS).
pub const NR_SOURCES: u32 = 1 << 20;
/// One ESB page: 64 KiB.
pub const ESB_PAGE_SHIFT: u32 = 16;
/// ESB space of one source: a trigger page and a management page.
pub const ESB_SHIFT: u32 = 17;
/// Size of the ESB mapping (every possible source).
pub const ESB_REGION_SIZE: u64 = (NR_SOURCES as u64) << ESB_SHIFT;
/// One TIMA page: 64 KiB.
pub const TIMA_PAGE_SHIFT: u32 = 16;
/// Size of the TIMA mapping (HW, HV, OS, USER pages).
pub const TIMA_SIZE: u64 = 4 << TIMA_PAGE_SHIFT;
/// The TIMA page a guest is given.
pub const TIMA_OS_PAGE: u64 = 2;
/// The only queue size KVM accepts.
pub const EQ_SHIFT: u32 = 16;
/// The most favoured-to-least usable priority range for guests is 0..=this.
pub const MAX_GUEST_PRIORITY: u8 = 6;
/// QEMU's guest-physical base of the source ESB pages.
pub const DEFAULT_ESB_BASE: u64 = 0x0006_0100_0000_0000;
/// QEMU's guest-physical base of the TIMA (the OS page is at +2 pages).
pub const DEFAULT_TIMA_BASE: u64 = 0x0006_0302_0318_0000;
/// QEMU's END ESB base for its default 0x2000 interrupt numbers (right after the source ESBs).
pub const DEFAULT_END_ESB_BASE: u64 = DEFAULT_ESB_BASE + (0x2000 << ESB_SHIFT);
/// Size of the END ESB space (one 2-page ESB per possible (server, priority)).
pub const END_ESB_REGION_SIZE: u64 = ((MAX_SERVERS as u64) << 3) << ESB_SHIFT;
/// NVT index of server 0 (QEMU's sPAPR numbering; shown in the OS CAM line).
pub const NVT_BASE: u32 = 0x400;

/// KVM XIVE device attribute groups (fact sheet 7.7), plus papr's platform group.
pub mod attr {
    /// KVM_DEV_XIVE_GRP_CTRL.
    pub const GRP_CTRL: u32 = 1;
    /// KVM_DEV_XIVE_RESET: mask every source, reset every END (H_INT_RESET).
    pub const CTRL_RESET: u64 = 1;
    /// KVM_DEV_XIVE_EQ_SYNC: flush queues (a no-op here: queues are written synchronously).
    pub const CTRL_EQ_SYNC: u64 = 2;
    /// KVM_DEV_XIVE_NR_SERVERS, u32, before the first vCPU connects.
    pub const CTRL_NR_SERVERS: u64 = 3;
    /// KVM_DEV_XIVE_GRP_SOURCE: attr = source, u64 flags; creates the source masked, PQ 01.
    pub const GRP_SOURCE: u32 = 2;
    /// KVM_DEV_XIVE_GRP_SOURCE_CONFIG: attr = source, u64 routing.
    pub const GRP_SOURCE_CONFIG: u32 = 3;
    /// KVM_DEV_XIVE_GRP_EQ_CONFIG: attr = prio | server << 3, `struct kvm_ppc_xive_eq`.
    pub const GRP_EQ_CONFIG: u32 = 4;
    /// KVM_DEV_XIVE_GRP_SOURCE_SYNC: attr = source.
    pub const GRP_SOURCE_SYNC: u32 = 5;
    /// papr's own group: where the platform placed the regions (not a KVM group).
    pub const GRP_PAPR_PLATFORM: u32 = 0x100;
    /// Guest-physical base of the source ESB pages (u64).
    pub const PLATFORM_ESB_BASE: u64 = 1;
    /// Guest-physical base of the TIMA (u64).
    pub const PLATFORM_TIMA_BASE: u64 = 2;
    /// Guest-physical base of the END ESB pages (u64; reported by H_INT_GET_QUEUE_INFO).
    pub const PLATFORM_END_ESB_BASE: u64 = 3;
    /// Whether sources offer Store-EOI (u64 0/1; default 0, as KVM on POWER9).
    pub const PLATFORM_STORE_EOI: u64 = 4;

    /// KVM_XIVE_LEVEL_SENSITIVE.
    pub const SOURCE_LEVEL_SENSITIVE: u64 = 1;
    /// KVM_XIVE_LEVEL_ASSERTED.
    pub const SOURCE_LEVEL_ASSERTED: u64 = 2;
    /// KVM_XIVE_SOURCE_PRIORITY_MASK (bits 0-2).
    pub const SOURCE_PRIORITY_MASK: u64 = 7;
    /// KVM_XIVE_SOURCE_SERVER_SHIFT.
    pub const SOURCE_SERVER_SHIFT: u32 = 3;
    /// KVM_XIVE_SOURCE_SERVER_MASK (bits 3-31).
    pub const SOURCE_SERVER_MASK: u64 = 0xFFFF_FFF8;
    /// KVM_XIVE_SOURCE_MASKED (bit 32).
    pub const SOURCE_MASKED: u64 = 1 << 32;
    /// KVM_XIVE_SOURCE_EISN_SHIFT (bits 33-63).
    pub const SOURCE_EISN_SHIFT: u32 = 33;
    /// KVM_XIVE_EQ_PRIORITY_MASK.
    pub const EQ_PRIORITY_MASK: u64 = 7;
    /// KVM_XIVE_EQ_SERVER_SHIFT.
    pub const EQ_SERVER_SHIFT: u32 = 3;
    /// KVM_XIVE_EQ_SERVER_MASK.
    pub const EQ_SERVER_MASK: u64 = 0xFFFF_FFF8;
    /// KVM_XIVE_EQ_ALWAYS_NOTIFY.
    pub const EQ_ALWAYS_NOTIFY: u32 = 1;
}

/// ESB management-page operations (offsets within the page, decoded modulo 4 KiB).
pub mod esb {
    /// Loads below this EOI; stores below 0x400 trigger.
    pub const LOAD_EOI_END: u64 = 0x800;
    /// Store-EOI (when offered).
    pub const STORE_EOI: u64 = 0x400;
    /// Get PQ.
    pub const GET: u64 = 0x800;
    /// Set PQ to 00 (then 0xD00: 01, 0xE00: 10, 0xF00: 11).
    pub const SET_PQ_00: u64 = 0xC00;
    /// Set PQ to 01 (mask).
    pub const SET_PQ_01: u64 = 0xD00;
    /// Set PQ to 10.
    pub const SET_PQ_10: u64 = 0xE00;
    /// Set PQ to 11.
    pub const SET_PQ_11: u64 = 0xF00;
    /// P bit.
    pub const P: u8 = 0x2;
    /// Q bit.
    pub const Q: u8 = 0x1;
}

/// TIMA layout (fact sheet 7.4).
pub mod tima {
    /// QW1, the OS ring.
    pub const QW1_OS: u64 = 0x10;
    /// NSR byte.
    pub const NSR: u64 = 0;
    /// CPPR byte.
    pub const CPPR: u64 = 1;
    /// IPB byte.
    pub const IPB: u64 = 2;
    /// PIPR byte.
    pub const PIPR: u64 = 7;
    /// Acknowledge OS (16-bit load).
    pub const SPC_ACK_OS_REG: u64 = 0x810;
    /// NSR event-outstanding bit of the OS ring.
    pub const NSR_EO: u8 = 0x80;
    /// OS CAM valid bit in QW1 word 2.
    pub const QW1W2_VO: u32 = 0x8000_0000;
}

/// H_INT_* flag bits (IBM bit 63 = 0x1).
pub mod hflags {
    /// GET_SOURCE_INFO out: H_INT_ESB must be used for management.
    pub const SRC_H_INT_ESB: u64 = 0x8;
    /// GET_SOURCE_INFO out: level-sensitive.
    pub const SRC_LSI: u64 = 0x4;
    /// GET_SOURCE_INFO out: the management page triggers (1-page sources; never here).
    pub const SRC_TRIGGER: u64 = 0x2;
    /// GET_SOURCE_INFO out: Store-EOI supported.
    pub const SRC_STORE_EOI: u64 = 0x1;
    /// SET_SOURCE_CONFIG in: set the EISN.
    pub const SET_EISN: u64 = 0x2;
    /// SET_SOURCE_CONFIG in: keep the EAS masked.
    pub const SRC_MASK: u64 = 0x1;
    /// SET/GET_QUEUE_CONFIG: unconditional notify.
    pub const END_ALWAYS_NOTIFY: u64 = 0x1;
    /// GET_QUEUE_CONFIG in: debug (generation and index).
    pub const END_DEBUG: u64 = 0x1;
    /// GET_QUEUE_CONFIG out (debug): the generation bit.
    pub const END_GENERATION: u64 = 0x2;
    /// H_INT_ESB in: store (else load).
    pub const ESB_STORE: u64 = 0x1;
}

/// `struct kvm_ppc_xive_eq` (KVM_DEV_XIVE_GRP_EQ_CONFIG).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct XiveEq {
    /// KVM_XIVE_EQ_ALWAYS_NOTIFY (required).
    pub flags: u32,
    /// Queue size shift; 0 = disabled.
    pub qshift: u32,
    /// Guest-physical queue address.
    pub qaddr: u64,
    /// Generation bit the hypervisor writes next (starts 1).
    pub qtoggle: u32,
    /// Next entry index (starts 0).
    pub qindex: u32,
}

#[derive(Debug, Clone, Copy)]
struct Source {
    exists: bool,
    lsi: bool,
    asserted: bool,
    pq: u8,
    masked: bool,
    server: u32,
    prio: u8,
    eisn: u32,
}

impl Default for Source {
    fn default() -> Self {
        Source {
            exists: false,
            lsi: false,
            asserted: false,
            pq: esb::Q,
            masked: true,
            server: 0,
            prio: 0,
            eisn: 0,
        }
    }
}

#[derive(Debug)]
struct Block {
    src: Box<[Source]>,
    _charge: Charge,
}

/// An END: one event queue of one (server, priority).
#[derive(Debug, Default)]
struct End {
    qpage: u64,
    /// 0 = disabled.
    qshift: u32,
    index: u32,
    gen: bool,
    always_notify: bool,
    /// The registered queue page (guest RAM, counted).
    charge: Option<Charge>,
}

impl End {
    fn entries(&self) -> u32 {
        if self.qshift < 2 {
            0
        } else {
            1 << (self.qshift - 2)
        }
    }

    fn reset(&mut self) {
        *self = End::default();
    }
}

/// A virtual processor: the OS ring of its thread context and its 8 ENDs.
#[derive(Debug)]
struct Vp {
    server: u32,
    nsr: u8,
    cppr: u8,
    ipb: u8,
    lsmfb: u8,
    ack_cnt: u8,
    inc: u8,
    age: u8,
    ends: [End; 8],
    line: Arc<InterruptLine>,
    _charge: Charge,
}

fn pipr_of(ipb: u8) -> u8 {
    if ipb == 0 {
        0xFF
    } else {
        // The index of the most significant set bit, 0 = 0x80.
        u8::try_from(ipb.leading_zeros()).unwrap_or(0xFF)
    }
}

impl Vp {
    fn pipr(&self) -> u8 {
        pipr_of(self.ipb)
    }

    /// Recomputes NSR.EO and the line from PIPR and CPPR.
    fn update(&mut self) {
        let eo = self.pipr() < self.cppr;
        self.nsr = if eo { tima::NSR_EO } else { 0 };
        self.line.set(eo);
    }

    fn set_cppr(&mut self, v: u8) {
        self.cppr = if v > 7 { 0xFF } else { v };
        self.update();
    }

    /// The acknowledge load: returns the pre-ack NSR and the new CPPR.
    fn ack(&mut self) -> u16 {
        let nsr = self.nsr;
        if nsr & tima::NSR_EO != 0 {
            let p = self.pipr();
            self.cppr = p;
            if p < 8 {
                self.ipb &= !(0x80 >> p);
            }
        }
        self.update();
        (u16::from(nsr) << 8) | u16::from(self.cppr)
    }

    /// QW1 bytes 0-15 as the TIMA shows them.
    fn qw1(&self) -> [u8; 16] {
        let w2 = tima::QW1W2_VO | (NVT_BASE + self.server);
        let w2 = w2.to_be_bytes();
        [
            self.nsr,
            self.cppr,
            self.ipb,
            self.lsmfb,
            self.ack_cnt,
            self.inc,
            self.age,
            self.pipr(),
            w2[0],
            w2[1],
            w2[2],
            w2[3],
            0,
            0,
            0,
            0,
        ]
    }

    fn word01(&self) -> u64 {
        let b = self.qw1();
        let mut w = [0u8; 8];
        w.copy_from_slice(&b[..8]);
        u64::from_be_bytes(w)
    }
}

/// The per-open state of a XIVE device (freed by release).
#[derive(Debug)]
pub(crate) struct XiveOpen {
    instance: u64,
    nr_servers: u32,
    any_connected: bool,
    esb_base: u64,
    tima_base: u64,
    end_esb_base: u64,
    store_eoi: bool,
    blocks: BTreeMap<u32, Block>,
    vps: BTreeMap<u32, Vp>,
    ledger: Ledger,
    _charge: Charge,
}

/// The XIVE slot object (KVM's cached `kvmppc_xive`: allocated on first use, reused, freed
/// with the VM).
#[derive(Debug)]
pub(crate) struct XiveEngine {
    state: Mutex<Option<XiveOpen>>,
    _charge: Charge,
}

/// Why an END configuration was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EqError {
    /// Unconditional notify was not asked for.
    Flags,
    /// A size other than 64 KiB.
    Shift,
    /// Not naturally aligned, or not inside guest RAM.
    Page,
    /// A restored toggle/index out of range.
    State,
}

impl XiveEngine {
    pub(crate) fn new(ledger: &Ledger) -> Self {
        XiveEngine {
            state: Mutex::new(None),
            _charge: ledger.charge(Kind::DeviceState, std::mem::size_of::<Self>() as u64),
        }
    }

    pub(crate) fn open(&self, instance: u64, ledger: &Ledger) {
        *self.state.lock() = Some(XiveOpen {
            instance,
            nr_servers: MAX_SERVERS,
            any_connected: false,
            esb_base: DEFAULT_ESB_BASE,
            tima_base: DEFAULT_TIMA_BASE,
            end_esb_base: DEFAULT_END_ESB_BASE,
            store_eoi: false,
            blocks: BTreeMap::new(),
            vps: BTreeMap::new(),
            ledger: ledger.clone(),
            _charge: ledger.charge(Kind::DeviceState, std::mem::size_of::<XiveOpen>() as u64),
        });
    }

    /// Release: disconnect every presenter of this instance (their queues go with them), then
    /// free the per-open state.
    pub(crate) fn release(&self, vm: &VmInner, instance: u64) {
        let mut st = self.state.lock();
        if st.as_ref().map(|o| o.instance) != Some(instance) {
            return;
        }
        disconnect_presenters(vm, IrqType::Xive, instance);
        *st = None;
    }

    fn with_open<T>(
        &self,
        instance: u64,
        f: impl FnOnce(&mut XiveOpen) -> Result<T, VmError>,
    ) -> Result<T, VmError> {
        let mut st = self.state.lock();
        match st.as_mut() {
            Some(o) if o.instance == instance => f(o),
            _ => Err(VmError::NoDevice("the XIVE device was released".into())),
        }
    }

    pub(crate) fn connect(
        &self,
        vm: &VmInner,
        instance: u64,
        vcpu: &Vcpu,
        server: u32,
        slot: Weak<XiveEngine>,
    ) -> Result<(), VmError> {
        self.with_open(instance, |o| {
            let mut conn = vcpu.irq.conn.lock();
            if conn.is_some() {
                return Err(VmError::Busy(format!(
                    "vCPU {} is already connected to an interrupt controller",
                    vcpu.id()
                )));
            }
            if server >= o.nr_servers {
                return Err(VmError::InvalidArgument(format!(
                    "server {server} is beyond NR_SERVERS {}",
                    o.nr_servers
                )));
            }
            if o.vps.contains_key(&server) {
                return Err(VmError::Exists(format!("server {server} is in use")));
            }
            let line = Arc::clone(vcpu.interrupt_line());
            line.lower();
            o.vps.insert(
                server,
                Vp {
                    server,
                    nsr: 0,
                    cppr: 0,
                    ipb: 0,
                    lsmfb: 0xFF,
                    ack_cnt: 0xFF,
                    inc: 0,
                    age: 0xFF,
                    ends: std::array::from_fn(|_| End::default()),
                    line,
                    _charge: o
                        .ledger
                        .charge(Kind::DeviceState, std::mem::size_of::<Vp>() as u64),
                },
            );
            o.any_connected = true;
            *conn = Some(Connection {
                kind: IrqType::Xive,
                instance,
                server,
                engine: EngineRef::Xive(slot),
            });
            vm.pate.invalidate();
            Ok(())
        })
    }

    pub(crate) fn irq_line(
        &self,
        vm: &VmInner,
        instance: u64,
        irq: u32,
        level: bool,
    ) -> Result<(), VmError> {
        self.with_open(instance, |o| {
            let s = o
                .source_mut(irq)
                .ok_or_else(|| VmError::InvalidArgument(format!("no XIVE source {irq:#x}")))?;
            if s.lsi {
                s.asserted = level;
                if level && s.pq == 0 {
                    s.pq = esb::P;
                    o.route(vm, irq);
                }
            } else if level {
                o.trigger(vm, irq);
            }
            Ok(())
        })
    }

    pub(crate) fn set_attr(
        &self,
        vm: &VmInner,
        instance: u64,
        group: u32,
        a: u64,
        value: &AttrValue,
    ) -> Result<(), VmError> {
        self.with_open(instance, |o| match (group, a) {
            (attr::GRP_CTRL, attr::CTRL_RESET) => {
                o.reset();
                Ok(())
            }
            (attr::GRP_CTRL, attr::CTRL_EQ_SYNC) => Ok(()),
            (attr::GRP_CTRL, attr::CTRL_NR_SERVERS) => {
                let n = value.u32("NR_SERVERS")?;
                if o.any_connected {
                    return Err(VmError::Busy("NR_SERVERS after a vCPU connected".into()));
                }
                if n == 0 || n > MAX_SERVERS {
                    return Err(VmError::InvalidArgument(format!(
                        "NR_SERVERS {n} is outside 1..={MAX_SERVERS}"
                    )));
                }
                o.nr_servers = n;
                Ok(())
            }
            (attr::GRP_SOURCE, lisn) => o.create_source(lisn, value.u64("a XIVE source")?),
            (attr::GRP_SOURCE_CONFIG, lisn) => {
                o.set_source_config(lisn, value.u64("a XIVE source configuration")?)
            }
            (attr::GRP_EQ_CONFIG, idx) => match value {
                AttrValue::Eq(eq) => o.set_eq_config(vm, idx, eq),
                other => Err(VmError::InvalidArgument(format!(
                    "EQ_CONFIG takes a kvm_ppc_xive_eq, not {other:?}"
                ))),
            },
            (attr::GRP_SOURCE_SYNC, lisn) => o.source_attr(lisn).map(|_| ()),
            (attr::GRP_PAPR_PLATFORM, which) => {
                let v = value.u64("a platform attribute")?;
                match which {
                    attr::PLATFORM_ESB_BASE => {
                        o.esb_base = placement(v, ESB_SHIFT, ESB_REGION_SIZE)?
                    }
                    attr::PLATFORM_TIMA_BASE => {
                        o.tima_base = placement(v, TIMA_PAGE_SHIFT, TIMA_SIZE)?;
                    }
                    attr::PLATFORM_END_ESB_BASE => {
                        o.end_esb_base = placement(v, ESB_SHIFT, END_ESB_REGION_SIZE)?;
                    }
                    attr::PLATFORM_STORE_EOI => o.store_eoi = v != 0,
                    _ => return Err(VmError::NoDevice(format!("platform attribute {which}"))),
                }
                Ok(())
            }
            _ => Err(VmError::NoDevice(format!("XIVE attribute {group}/{a:#x}"))),
        })
    }

    /// KVM_GET_DEVICE_ATTR. KVM only answers EQ_CONFIG (QEMU keeps its own copy of sources and
    /// their routing, because it handles H_INT_*); here the hypervisor handles H_INT_*, so
    /// SOURCE and SOURCE_CONFIG read back too, in the encoding their set takes.
    pub(crate) fn get_attr(&self, instance: u64, group: u32, a: u64) -> Result<AttrValue, VmError> {
        self.with_open(instance, |o| match group {
            attr::GRP_EQ_CONFIG => o.get_eq_config(a).map(AttrValue::Eq),
            attr::GRP_SOURCE => {
                let s = o.source_attr(a)?;
                let mut v = 0;
                if s.lsi {
                    v |= attr::SOURCE_LEVEL_SENSITIVE;
                    if s.asserted {
                        v |= attr::SOURCE_LEVEL_ASSERTED;
                    }
                }
                Ok(AttrValue::U64(v))
            }
            attr::GRP_SOURCE_CONFIG => {
                let s = o.source_attr(a)?;
                let mut v = u64::from(s.prio) & attr::SOURCE_PRIORITY_MASK;
                v |= (u64::from(s.server) << attr::SOURCE_SERVER_SHIFT) & attr::SOURCE_SERVER_MASK;
                if s.masked {
                    v |= attr::SOURCE_MASKED;
                }
                v |= u64::from(s.eisn) << attr::SOURCE_EISN_SHIFT;
                Ok(AttrValue::U64(v))
            }
            attr::GRP_PAPR_PLATFORM => match a {
                attr::PLATFORM_ESB_BASE => Ok(AttrValue::U64(o.esb_base)),
                attr::PLATFORM_TIMA_BASE => Ok(AttrValue::U64(o.tima_base)),
                attr::PLATFORM_END_ESB_BASE => Ok(AttrValue::U64(o.end_esb_base)),
                attr::PLATFORM_STORE_EOI => Ok(AttrValue::U64(u64::from(o.store_eoi))),
                _ => Err(VmError::NoDevice(format!("platform attribute {a}"))),
            },
            _ => Err(VmError::NoDevice(format!("XIVE attribute {group}/{a:#x}"))),
        })
    }

    /// The sources that exist, ascending (papr: KVM has no such query, QEMU knows what it
    /// created).
    pub(crate) fn sources(&self, instance: u64) -> Result<Vec<u32>, VmError> {
        self.with_open(instance, |o| {
            let mut out = Vec::new();
            for (b, block) in &o.blocks {
                for (i, s) in block.src.iter().enumerate() {
                    if s.exists {
                        out.push((b << 10) | u32::try_from(i).unwrap_or_default());
                    }
                }
            }
            Ok(out)
        })
    }

    pub(crate) fn get_vp_state(&self, instance: u64, server: u32) -> Result<[u64; 2], VmError> {
        self.with_open(instance, |o| Ok([o.vp(server)?.word01(), 0]))
    }

    pub(crate) fn set_vp_state(
        &self,
        instance: u64,
        server: u32,
        v: [u64; 2],
    ) -> Result<(), VmError> {
        self.with_open(instance, |o| {
            let b = v[0].to_be_bytes();
            let cppr = b[1];
            if cppr > 7 && cppr != 0xFF {
                return Err(VmError::InvalidArgument(format!(
                    "VP state {:#x}: CPPR {cppr:#x}",
                    v[0]
                )));
            }
            let vp = o
                .vps
                .get_mut(&server)
                .ok_or_else(|| VmError::NoDevice(format!("no XIVE VP for server {server}")))?;
            vp.cppr = cppr;
            vp.ipb = b[2];
            vp.lsmfb = b[3];
            vp.ack_cnt = b[4];
            vp.inc = b[5];
            vp.age = b[6];
            vp.update();
            Ok(())
        })
    }

    /// An MMIO access to one of this device's mappings (`store` is the value of a store).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn mmio(
        &self,
        vm: &VmInner,
        instance: u64,
        region: MapRegion,
        vcpu: &Vcpu,
        offset: u64,
        size: u32,
        store: Option<u64>,
    ) -> Result<u64, MmioError> {
        let bad = MmioError::BadAccess {
            region,
            offset,
            size,
        };
        let len = match region {
            MapRegion::Tima => TIMA_SIZE,
            MapRegion::Esb => ESB_REGION_SIZE,
        };
        if !matches!(size, 1 | 2 | 4 | 8)
            || !offset.is_multiple_of(u64::from(size))
            || offset.checked_add(u64::from(size)).is_none_or(|e| e > len)
        {
            return Err(bad);
        }
        let mut st = self.state.lock();
        let o = match st.as_mut() {
            Some(o) if o.instance == instance => o,
            _ => return Err(bad),
        };
        match region {
            MapRegion::Esb => {
                let lisn = u32::try_from(offset >> ESB_SHIFT).map_err(|_| bad.clone())?;
                if o.source(lisn).is_none() {
                    return Err(MmioError::NoSource {
                        lisn: offset >> ESB_SHIFT,
                    });
                }
                let trigger_page = (offset >> ESB_PAGE_SHIFT) & 1 == 0;
                let off = offset & ((1 << ESB_PAGE_SHIFT) - 1);
                let v = match (trigger_page, store) {
                    (true, Some(_)) => {
                        o.trigger(vm, lisn);
                        0
                    }
                    (true, None) => u64::MAX,
                    (false, Some(_)) => {
                        o.esb_store(vm, lisn, off);
                        0
                    }
                    (false, None) => o.esb_load(vm, lisn, off),
                };
                Ok(truncate(v, size))
            }
            MapRegion::Tima => {
                let page = offset >> TIMA_PAGE_SHIFT;
                if page != TIMA_OS_PAGE {
                    return Err(MmioError::Unbacked { page });
                }
                let server = connected_to(vcpu, IrqType::Xive, instance)
                    .ok_or(MmioError::NotConnected { vcpu: vcpu.id() })?;
                let vp = o
                    .vps
                    .get_mut(&server)
                    .ok_or(MmioError::NotConnected { vcpu: vcpu.id() })?;
                let off = offset & ((1 << TIMA_PAGE_SHIFT) - 1);
                match store {
                    None if off == tima::SPC_ACK_OS_REG => {
                        if size != 2 {
                            return Err(bad);
                        }
                        Ok(u64::from(vp.ack()))
                    }
                    None if off + u64::from(size) <= 0x20 => {
                        // QW0 (user ring, unused by sPAPR guests: zeroes) and QW1 (OS ring).
                        let mut ring = [0u8; 32];
                        ring[16..].copy_from_slice(&vp.qw1());
                        let start = usize::try_from(off).map_err(|_| bad.clone())?;
                        let n = usize::try_from(size).map_err(|_| bad.clone())?;
                        Ok(ring[start..start + n]
                            .iter()
                            .fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
                    }
                    Some(v) if off == tima::QW1_OS + tima::CPPR && size == 1 => {
                        vp.set_cppr(low_u8(v));
                        Ok(0)
                    }
                    // Other OS-ring bytes are read-only to the OS: the store is ignored.
                    Some(_) if (tima::QW1_OS..0x20).contains(&off) => Ok(0),
                    _ => Err(bad),
                }
            }
        }
    }

    /// Checks the presenter and END invariants (tests and the fuzz harness).
    pub(crate) fn check_invariants(&self) {
        if let Some(o) = self.state.lock().as_ref() {
            for (server, vp) in &o.vps {
                let eo = vp.pipr() < vp.cppr;
                assert_eq!(vp.line.is_raised(), eo, "server {server}: {vp:?}");
                assert_eq!(vp.nsr & tima::NSR_EO != 0, eo, "server {server}: {vp:?}");
                assert!(vp.cppr <= 7 || vp.cppr == 0xFF, "server {server}: {vp:?}");
                for e in &vp.ends {
                    assert_eq!(e.qshift != 0, e.charge.is_some());
                    assert!(e.qshift == 0 || e.index < e.entries());
                }
            }
        }
    }
}

fn truncate(v: u64, size: u32) -> u64 {
    match size {
        1 => v & 0xFF,
        2 => v & 0xFFFF,
        4 => v & 0xFFFF_FFFF,
        _ => v,
    }
}

/// A guest-physical base the platform chose for a region of `len` bytes: aligned to
/// `1 << shift`, and the whole region addressable.
fn placement(v: u64, shift: u32, len: u64) -> Result<u64, VmError> {
    if v & ((1 << shift) - 1) != 0 || v.checked_add(len).is_none() {
        return Err(VmError::InvalidArgument(format!(
            "base {v:#x}: not aligned to {:#x} or a {len:#x}-byte region does not fit",
            1u64 << shift
        )));
    }
    Ok(v)
}

impl XiveOpen {
    fn source(&self, lisn: u32) -> Option<&Source> {
        let b = self.blocks.get(&(lisn >> 10))?;
        let s = b.src.get(block_index(lisn))?;
        s.exists.then_some(s)
    }

    fn source_mut(&mut self, lisn: u32) -> Option<&mut Source> {
        let b = self.blocks.get_mut(&(lisn >> 10))?;
        let s = b.src.get_mut(block_index(lisn))?;
        s.exists.then_some(s)
    }

    /// A source named by an attribute, with KVM's errors: no block of sources there ->
    /// NoEntry (-ENOENT); a block but that source never created -> InvalidArgument (-EINVAL).
    fn source_attr(&self, lisn: u64) -> Result<Source, VmError> {
        let block = fit_u32(lisn)
            .filter(|&l| l < NR_SOURCES)
            .and_then(|l| self.blocks.get(&(l >> 10)).map(|b| (l, b)));
        let Some((l, b)) = block else {
            return Err(VmError::NoEntry(format!("XIVE source {lisn:#x}")));
        };
        match b.src.get(block_index(l)) {
            Some(s) if s.exists => Ok(*s),
            _ => Err(VmError::InvalidArgument(format!(
                "XIVE source {lisn:#x} was never created"
            ))),
        }
    }

    fn vp(&self, server: u32) -> Result<&Vp, VmError> {
        self.vps
            .get(&server)
            .ok_or_else(|| VmError::NoDevice(format!("no XIVE VP for server {server}")))
    }

    /// KVM_DEV_XIVE_GRP_SOURCE: creates (or re-initialises) a source, masked with PQ 01.
    fn create_source(&mut self, lisn: u64, flags: u64) -> Result<(), VmError> {
        let lisn = fit_u32(lisn)
            .filter(|&l| l < NR_SOURCES)
            .ok_or_else(|| VmError::TooBig(format!("XIVE source {lisn:#x}")))?;
        let ledger = self.ledger.clone();
        let block = self.blocks.entry(lisn >> 10).or_insert_with(|| Block {
            src: vec![Source::default(); 1024].into_boxed_slice(),
            _charge: ledger.charge(
                Kind::DeviceState,
                (1024 * std::mem::size_of::<Source>()) as u64,
            ),
        });
        let s = block
            .src
            .get_mut(block_index(lisn))
            .ok_or_else(|| VmError::TooBig(format!("XIVE source {lisn:#x}")))?;
        // Re-initialising takes the trigger type and level from the flags too, so a restore
        // over a source the platform already created gets exactly the saved ones.
        s.lsi = flags & attr::SOURCE_LEVEL_SENSITIVE != 0;
        s.asserted = s.lsi && flags & attr::SOURCE_LEVEL_ASSERTED != 0;
        s.pq = esb::Q;
        s.masked = true;
        s.exists = true;
        Ok(())
    }

    /// KVM_DEV_XIVE_GRP_SOURCE_CONFIG.
    fn set_source_config(&mut self, lisn: u64, v: u64) -> Result<(), VmError> {
        let prio = low_u8(v & attr::SOURCE_PRIORITY_MASK);
        let server = u32::try_from((v & attr::SOURCE_SERVER_MASK) >> attr::SOURCE_SERVER_SHIFT)
            .unwrap_or(u32::MAX);
        let masked = v & attr::SOURCE_MASKED != 0;
        let eisn = u32::try_from(v >> attr::SOURCE_EISN_SHIFT).unwrap_or_default();
        self.source_attr(lisn)?;
        let lisn32 = fit_u32(lisn).unwrap_or_default();
        if prio > MAX_GUEST_PRIORITY {
            return Err(VmError::InvalidArgument(format!(
                "source {lisn:#x}: priority {prio} is reserved"
            )));
        }
        if !masked && server >= self.nr_servers {
            return Err(VmError::InvalidArgument(format!(
                "source {lisn:#x}: server {server} is beyond NR_SERVERS"
            )));
        }
        if let Some(s) = self.source_mut(lisn32) {
            s.prio = prio;
            s.server = server;
            s.masked = masked;
            s.eisn = eisn;
        }
        Ok(())
    }

    fn eq_index(&self, idx: u64) -> Result<(u32, usize), VmError> {
        let prio = low_u8(idx & attr::EQ_PRIORITY_MASK);
        let server = u32::try_from((idx & attr::EQ_SERVER_MASK) >> attr::EQ_SERVER_SHIFT)
            .unwrap_or(u32::MAX);
        if !self.vps.contains_key(&server) {
            return Err(VmError::NoEntry(format!("no XIVE VP for server {server}")));
        }
        if prio > MAX_GUEST_PRIORITY {
            return Err(VmError::InvalidArgument(format!(
                "priority {prio} is reserved"
            )));
        }
        Ok((server, usize::from(prio)))
    }

    fn set_eq_config(&mut self, vm: &VmInner, idx: u64, eq: &XiveEq) -> Result<(), VmError> {
        let (server, prio) = self.eq_index(idx)?;
        let ledger = self.ledger.clone();
        let Some(vp) = self.vps.get_mut(&server) else {
            return Err(VmError::NoEntry(format!("no XIVE VP for server {server}")));
        };
        let end = &mut vp.ends[prio];
        if eq.qshift == 0 {
            end.reset();
            return Ok(());
        }
        configure_end(
            end,
            vm,
            &ledger,
            eq.qaddr,
            eq.qshift,
            eq.flags == attr::EQ_ALWAYS_NOTIFY,
            Some((eq.qtoggle, eq.qindex)),
        )
        .map_err(|e| VmError::InvalidArgument(format!("EQ configuration {eq:?}: {e:?}")))
    }

    fn get_eq_config(&self, idx: u64) -> Result<XiveEq, VmError> {
        let (server, prio) = self.eq_index(idx)?;
        let end = &self.vp(server)?.ends[prio];
        if end.qshift == 0 {
            return Ok(XiveEq::default());
        }
        Ok(XiveEq {
            flags: if end.always_notify {
                attr::EQ_ALWAYS_NOTIFY
            } else {
                0
            },
            qshift: end.qshift,
            qaddr: end.qpage,
            qtoggle: u32::from(end.gen),
            qindex: end.index,
        })
    }

    /// KVM_DEV_XIVE_RESET / H_INT_RESET: every source masked with PQ 01 and its routing
    /// cleared, every END disabled.
    fn reset(&mut self) {
        for b in self.blocks.values_mut() {
            for s in b.src.iter_mut().filter(|s| s.exists) {
                s.pq = esb::Q;
                s.masked = true;
                s.server = 0;
                s.prio = 0;
                s.eisn = 0;
            }
        }
        for vp in self.vps.values_mut() {
            for e in &mut vp.ends {
                e.reset();
            }
        }
    }

    /// A trigger at the source (MSI rules; an LSI only notifies from 00 while asserted).
    fn trigger(&mut self, vm: &VmInner, lisn: u32) {
        let Some(s) = self.source_mut(lisn) else {
            return;
        };
        let notify = if s.lsi {
            if s.asserted && s.pq == 0 {
                s.pq = esb::P;
                true
            } else {
                false
            }
        } else {
            match s.pq {
                0 => {
                    s.pq = esb::P;
                    true
                }
                p if p == esb::P => {
                    s.pq = esb::P | esb::Q;
                    false
                }
                _ => false,
            }
        };
        if notify {
            self.route(vm, lisn);
        }
    }

    /// The EOI of the PQ machine; true if it notified again.
    fn eoi(&mut self, vm: &VmInner, lisn: u32) -> bool {
        let Some(s) = self.source_mut(lisn) else {
            return false;
        };
        let mut notify = match s.pq {
            3 => {
                s.pq = esb::P;
                true
            }
            2 => {
                s.pq = 0;
                false
            }
            _ => false,
        };
        if s.lsi && s.asserted && s.pq == 0 {
            s.pq = esb::P;
            notify = true;
        }
        if notify {
            self.route(vm, lisn);
        }
        notify
    }

    fn esb_load(&mut self, vm: &VmInner, lisn: u32, off: u64) -> u64 {
        let op = off & 0xFFF;
        match op {
            0..=0x7FF => u64::from(self.eoi(vm, lisn)),
            0x800..=0xBFF => self.source(lisn).map_or(u64::MAX, |s| u64::from(s.pq)),
            _ => {
                let new = low_u8((op >> 8) & 3);
                match self.source_mut(lisn) {
                    Some(s) => {
                        let old = s.pq;
                        s.pq = new;
                        u64::from(old)
                    }
                    None => u64::MAX,
                }
            }
        }
    }

    fn esb_store(&mut self, vm: &VmInner, lisn: u32, off: u64) {
        match off & 0xFFF {
            0..=0x3FF => self.trigger(vm, lisn),
            0x400..=0x7FF if self.store_eoi => {
                self.eoi(vm, lisn);
            }
            // Store-EOI not offered, set-PQ/inject stores (not on POWER9): ignored.
            _ => {}
        }
    }

    /// Forwards a notification through the EAS to the END and the VP.
    fn route(&mut self, vm: &VmInner, lisn: u32) {
        let Some(s) = self.source(lisn).copied() else {
            return;
        };
        if s.masked {
            return;
        }
        let Some(vp) = self.vps.get_mut(&s.server) else {
            return;
        };
        let prio = usize::from(s.prio & 7);
        let end = &mut vp.ends[prio];
        if end.qshift == 0 {
            // No queue: the event is dropped (QEMU: "END is invalid").
            return;
        }
        let entry = (u32::from(end.gen) << 31) | (s.eisn & 0x7FFF_FFFF);
        let gpa = end.qpage + u64::from(end.index) * 4;
        // The queue page was checked to lie in RAM when it was configured.
        if vm.ram.write_be32(gpa, entry).is_err() {
            return;
        }
        end.index += 1;
        if end.index >= end.entries() {
            end.index = 0;
            end.gen = !end.gen;
        }
        if end.always_notify {
            vp.ipb |= 0x80 >> prio;
            vp.update();
        }
    }
}

/// Configures an END with a queue (KVM's rules: 64 KiB, unconditional notify, naturally aligned,
/// inside guest RAM). `restore` carries a saved (toggle, index), applied unless it is the
/// initial (1, 0).
fn configure_end(
    end: &mut End,
    vm: &VmInner,
    ledger: &Ledger,
    qpage: u64,
    qshift: u32,
    always_notify: bool,
    restore: Option<(u32, u32)>,
) -> Result<(), EqError> {
    if qshift != EQ_SHIFT {
        return Err(EqError::Shift);
    }
    if !always_notify {
        return Err(EqError::Flags);
    }
    let size = 1u64 << qshift;
    if qpage & (size - 1) != 0 || !vm.ram.contains(qpage, size) {
        return Err(EqError::Page);
    }
    let mut gen = true;
    let mut index = 0;
    if let Some((t, i)) = restore {
        if t > 1 || i >= (1 << (qshift - 2)) {
            return Err(EqError::State);
        }
        gen = t == 1;
        index = i;
    }
    *end = End {
        qpage,
        qshift,
        index,
        gen,
        always_notify,
        charge: Some(ledger.charge(Kind::QueuePages, size)),
    };
    Ok(())
}

fn block_index(lisn: u32) -> usize {
    usize::try_from(lisn & 1023).unwrap_or_default()
}

/// KVM_HAS_DEVICE_ATTR for XIVE.
pub(crate) fn has_attr(group: u32, a: u64) -> bool {
    match group {
        attr::GRP_CTRL => matches!(
            a,
            attr::CTRL_RESET | attr::CTRL_EQ_SYNC | attr::CTRL_NR_SERVERS
        ),
        attr::GRP_SOURCE | attr::GRP_SOURCE_CONFIG | attr::GRP_SOURCE_SYNC => {
            a < u64::from(NR_SOURCES)
        }
        attr::GRP_EQ_CONFIG => true,
        attr::GRP_PAPR_PLATFORM => (1..=4).contains(&a),
        _ => false,
    }
}

/// A guest priority for an END (0..=6), else `None` (reserved).
fn end_prio(v: u64) -> Option<usize> {
    (v <= u64::from(MAX_GUEST_PRIORITY)).then(|| usize::try_from(v).unwrap_or_default())
}

/// The H_INT_* hcalls (fact sheet 7.5).
pub(crate) fn hcall(vm: &VmInner, _vcpu: &Vcpu, number: u64, a: &HcallArgs) -> HcallResult {
    let Some(engine) = vm.irq.xive.get() else {
        return HcallResult::rc(rc::H_FUNCTION);
    };
    let mut st = engine.state.lock();
    let Some(o) = st.as_mut() else {
        return HcallResult::rc(rc::H_FUNCTION);
    };
    let r = HcallResult::rc;
    let lisn_of = |o: &XiveOpen, v: u64| fit_u32(v).filter(|&l| o.source(l).is_some());
    let server_of = |o: &XiveOpen, v: u64| fit_u32(v).filter(|s| o.vps.contains_key(s));
    match number {
        nr::H_INT_GET_SOURCE_INFO => {
            if a[0] != 0 {
                return r(rc::H_PARAMETER);
            }
            let Some(lisn) = lisn_of(o, a[1]) else {
                return r(rc::H_P2);
            };
            let Some(s) = o.source(lisn).copied() else {
                return r(rc::H_P2);
            };
            let mut flags = 0;
            if s.lsi {
                // Under KVM an LSI is managed through H_INT_ESB so that the EOI of a still
                // asserted line re-triggers in the hypervisor.
                flags |= hflags::SRC_H_INT_ESB | hflags::SRC_LSI;
            }
            if o.store_eoi {
                flags |= hflags::SRC_STORE_EOI;
            }
            let base = o.esb_base + (u64::from(lisn) << ESB_SHIFT);
            let (mgmt, trig) = if s.lsi {
                (u64::MAX, u64::MAX)
            } else {
                (base + (1 << ESB_PAGE_SHIFT), base)
            };
            HcallResult::ok(&[flags, mgmt, trig, u64::from(ESB_PAGE_SHIFT)])
        }
        nr::H_INT_SET_SOURCE_CONFIG => {
            let (flags, target, prio, eisn) = (a[0], a[2], a[3], a[4]);
            if flags & !(hflags::SET_EISN | hflags::SRC_MASK) != 0 {
                return r(rc::H_PARAMETER);
            }
            let Some(lisn) = lisn_of(o, a[1]) else {
                return r(rc::H_P2);
            };
            if prio == 0xFF {
                if let Some(s) = o.source_mut(lisn) {
                    s.masked = true;
                    s.server = 0;
                    s.prio = 0;
                    s.eisn = 0;
                }
                return r(rc::H_SUCCESS);
            }
            let Some(p) = end_prio(prio) else {
                return r(rc::H_P4);
            };
            let Some(server) = server_of(o, target) else {
                return r(rc::H_P3);
            };
            if let Some(s) = o.source_mut(lisn) {
                s.masked = flags & hflags::SRC_MASK != 0;
                s.server = server;
                s.prio = low_u8(u64::try_from(p).unwrap_or_default());
                if flags & hflags::SET_EISN != 0 {
                    // The EAS holds 31 bits of event data.
                    s.eisn = u32::try_from(eisn & 0x7FFF_FFFF).unwrap_or_default();
                }
            }
            r(rc::H_SUCCESS)
        }
        nr::H_INT_GET_SOURCE_CONFIG => {
            if a[0] != 0 {
                return r(rc::H_PARAMETER);
            }
            let Some(s) = lisn_of(o, a[1]).and_then(|l| o.source(l)) else {
                return r(rc::H_P2);
            };
            let prio = if s.masked { 0xFF } else { u64::from(s.prio) };
            HcallResult::ok(&[u64::from(s.server), prio, u64::from(s.eisn)])
        }
        nr::H_INT_GET_QUEUE_INFO => {
            if a[0] != 0 {
                return r(rc::H_PARAMETER);
            }
            let Some(p) = end_prio(a[2]) else {
                return r(rc::H_P3);
            };
            let Some(server) = server_of(o, a[1]) else {
                return r(rc::H_P2);
            };
            let end_idx = (u64::from(server) << 3) | u64::try_from(p).unwrap_or_default();
            let page = o.end_esb_base + (end_idx << ESB_SHIFT);
            let qshift = o.vps.get(&server).map_or(0, |vp| vp.ends[p].qshift);
            HcallResult::ok(&[page, u64::from(qshift)])
        }
        nr::H_INT_SET_QUEUE_CONFIG => {
            let (flags, qpage, qshift) = (a[0], a[3], a[4]);
            if flags & !hflags::END_ALWAYS_NOTIFY != 0 {
                return r(rc::H_PARAMETER);
            }
            let Some(p) = end_prio(a[2]) else {
                return r(rc::H_P3);
            };
            let Some(server) = server_of(o, a[1]) else {
                return r(rc::H_P2);
            };
            let ledger = o.ledger.clone();
            let Some(vp) = o.vps.get_mut(&server) else {
                return r(rc::H_P2);
            };
            let end = &mut vp.ends[p];
            if qshift == 0 {
                end.reset();
                return r(rc::H_SUCCESS);
            }
            if qshift != u64::from(EQ_SHIFT) {
                return r(rc::H_P5);
            }
            match configure_end(
                end,
                vm,
                &ledger,
                qpage,
                EQ_SHIFT,
                flags & hflags::END_ALWAYS_NOTIFY != 0,
                None,
            ) {
                Ok(()) => r(rc::H_SUCCESS),
                Err(EqError::Page) => r(rc::H_P4),
                Err(EqError::Shift) => r(rc::H_P5),
                Err(EqError::Flags | EqError::State) => r(rc::H_PARAMETER),
            }
        }
        nr::H_INT_GET_QUEUE_CONFIG => {
            let flags = a[0];
            if flags & !hflags::END_DEBUG != 0 {
                return r(rc::H_PARAMETER);
            }
            let Some(p) = end_prio(a[2]) else {
                return r(rc::H_P3);
            };
            let Some(vp) = server_of(o, a[1]).and_then(|s| o.vps.get(&s)) else {
                return r(rc::H_P2);
            };
            let end = &vp.ends[p];
            let mut out_flags = 0;
            if end.qshift != 0 && end.always_notify {
                out_flags |= hflags::END_ALWAYS_NOTIFY;
            }
            let mut index = 0;
            if flags & hflags::END_DEBUG != 0 {
                if end.gen {
                    out_flags |= hflags::END_GENERATION;
                }
                index = u64::from(end.index);
            }
            HcallResult::ok(&[out_flags, end.qpage, u64::from(end.qshift), index])
        }
        nr::H_INT_SET_OS_REPORTING_LINE | nr::H_INT_GET_OS_REPORTING_LINE => r(rc::H_FUNCTION),
        nr::H_INT_ESB => {
            let (flags, offset, data) = (a[0], a[2], a[3]);
            if flags & !hflags::ESB_STORE != 0 {
                return r(rc::H_PARAMETER);
            }
            let Some(lisn) = lisn_of(o, a[1]) else {
                return r(rc::H_P2);
            };
            if offset >= 1 << ESB_PAGE_SHIFT {
                return r(rc::H_P3);
            }
            if flags & hflags::ESB_STORE != 0 {
                let _ = data;
                o.esb_store(vm, lisn, offset);
                HcallResult::ok(&[u64::MAX])
            } else {
                let v = o.esb_load(vm, lisn, offset);
                HcallResult::ok(&[v])
            }
        }
        nr::H_INT_SYNC => {
            if a[0] != 0 {
                return r(rc::H_PARAMETER);
            }
            match lisn_of(o, a[1]) {
                Some(_) => r(rc::H_SUCCESS),
                None => r(rc::H_P2),
            }
        }
        nr::H_INT_RESET => {
            if a[0] != 0 {
                return r(rc::H_PARAMETER);
            }
            o.reset();
            r(rc::H_SUCCESS)
        }
        _ => r(rc::H_FUNCTION),
    }
}
