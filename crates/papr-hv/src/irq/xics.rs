//! XICS as KVM presents it to a pseries guest (fact sheet section 8): ICS sources and one ICP
//! per connected vCPU, the XICS hcalls, the RTAS ibm,set-xive family and the KVM XICS device
//! attributes and ICP one-reg that save and restore it.
//!
//! A separate engine, not built on the XIVE one: the guest contract and the attributes are what
//! matter, and KVM's XICS rules (presentation, reject and resend, the pseudo PQ of a source)
//! read most clearly as their own state machine.
//!
//! Presentation rules (KVM `book3s_xics.c` behaviour, fact sheet 8.2): an interrupt of priority
//! p is presented to a server iff p < CPPR, p < MFRR and p < the pending priority; a less
//! favoured pending interrupt is rejected back to its source (resend); a source that cannot be
//! presented is marked for resend and retried when the ICP's CPPR or MFRR becomes less
//! favoured. The external-interrupt line of a vCPU is up iff its ICP has an XISR whose pending
//! priority is below CPPR.

use std::collections::BTreeMap;
use std::sync::{Arc, Weak};

use papr_cpu::InterruptLine;
use parking_lot::Mutex;

use super::device::{connected_to, AttrValue, RtasError};
use super::{
    disconnect_presenters, fit_u32, low_u8, timebase, Connection, EngineRef, IrqType, MAX_SERVERS,
};
use crate::hcall::{nr, rc, HcallArgs, HcallResult};
use crate::ledger::{Charge, Kind, Ledger};
use crate::vcpu::Vcpu;
use crate::vm::{VmError, VmInner};

/// XISR of an IPI (XICS_IPI).
pub const IPI: u32 = 2;
/// The first source number KVM accepts (KVMPPC_XICS_FIRST_IRQ).
pub const FIRST_IRQ: u32 = 16;
/// Source numbers are below this (1024 ICS blocks of 1024 sources).
pub const NR_IRQS: u32 = 1 << 20;
/// The masked priority.
pub const MASKED: u8 = 0xFF;
const BLOCK_SHIFT: u32 = 10;
const BLOCK_LEN: usize = 1 << BLOCK_SHIFT;

/// KVM XICS device attributes (fact sheet 8.7).
pub mod attr {
    /// KVM_DEV_XICS_GRP_SOURCES: attr = source number, u64 value.
    pub const GRP_SOURCES: u32 = 1;
    /// KVM_DEV_XICS_GRP_CTRL.
    pub const GRP_CTRL: u32 = 2;
    /// KVM_DEV_XICS_NR_SERVERS (in GRP_CTRL), u32.
    pub const CTRL_NR_SERVERS: u64 = 1;
    /// Destination server, bits 0-31.
    pub const DESTINATION_MASK: u64 = 0xFFFF_FFFF;
    /// Priority (saved priority when MASKED), bits 32-39.
    pub const PRIORITY_SHIFT: u32 = 32;
    /// KVM_XICS_LEVEL_SENSITIVE.
    pub const LEVEL_SENSITIVE: u64 = 1 << 40;
    /// KVM_XICS_MASKED.
    pub const MASKED: u64 = 1 << 41;
    /// KVM_XICS_PENDING: asserted LSI, or MSI awaiting (re)delivery.
    pub const PENDING: u64 = 1 << 42;
    /// KVM_XICS_PRESENTED (P).
    pub const PRESENTED: u64 = 1 << 43;
    /// KVM_XICS_QUEUED (Q).
    pub const QUEUED: u64 = 1 << 44;

    /// papr's own group (not a KVM group): attr = source number, u64 value = the source state
    /// the KVM_DEV_XICS_GRP_SOURCES word folds into PENDING, kept apart so that a snapshot
    /// restores it exactly. KVM reports an LSI's PENDING from its line level only, so an LSI
    /// that its ICP refused (waiting for a resend) looks like one already presented, and a
    /// refused LSI whose line then dropped looks idle; a restore through PENDING alone would
    /// present the first twice and the second never. Set it after GRP_SOURCES (which creates
    /// the source) and after the ICP states: it changes no routing and delivers nothing; a
    /// source marked for resend marks its server's ICP as needing a resend check, as the
    /// refusal that set it did.
    pub const GRP_PAPR_SOURCE_STATE: u32 = 0x100;
    /// The line of a level-sensitive source is asserted (refused for an MSI).
    pub const STATE_ASSERTED: u64 = 1 << 0;
    /// The source's ICP refused it: it is re-presented by the ICP's next resend check.
    pub const STATE_RESEND: u64 = 1 << 1;
    /// It fired while masked: it is presented when unmasked.
    pub const STATE_MASKED_PENDING: u64 = 1 << 2;
    /// Every bit of the papr source state.
    pub const STATE_ALL: u64 = STATE_ASSERTED | STATE_RESEND | STATE_MASKED_PENDING;
}

/// ICP one-reg field positions (KVM_REG_PPC_ICP_STATE).
pub mod icp_reg {
    /// CPPR, bits 56-63.
    pub const CPPR_SHIFT: u32 = 56;
    /// XISR, bits 32-55.
    pub const XISR_SHIFT: u32 = 32;
    /// XISR width mask.
    pub const XISR_MASK: u64 = 0xFF_FFFF;
    /// MFRR, bits 24-31.
    pub const MFRR_SHIFT: u32 = 24;
    /// Pending priority, bits 16-23.
    pub const PPRI_SHIFT: u32 = 16;
}

/// One ICS source.
#[derive(Debug, Clone, Copy)]
struct Source {
    exists: bool,
    server: u32,
    priority: u8,
    saved_priority: u8,
    lsi: bool,
    asserted: bool,
    /// P: presented (or being serviced).
    p: bool,
    /// Q: another trigger arrived while P.
    q: bool,
    resend: bool,
    masked_pending: bool,
}

impl Default for Source {
    fn default() -> Self {
        Source {
            exists: false,
            server: 0,
            priority: MASKED,
            saved_priority: MASKED,
            lsi: false,
            asserted: false,
            p: false,
            q: false,
            resend: false,
            masked_pending: false,
        }
    }
}

#[derive(Debug)]
struct Block {
    src: Box<[Source]>,
    _charge: Charge,
}

/// One ICP (presentation controller).
#[derive(Debug)]
struct Icp {
    cppr: u8,
    mfrr: u8,
    pending: u8,
    xisr: u32,
    need_resend: bool,
    line: Arc<InterruptLine>,
    _charge: Charge,
}

impl Icp {
    fn xirr(&self) -> u64 {
        (u64::from(self.cppr) << 24) | u64::from(self.xisr)
    }

    fn update_line(&self) {
        self.line.set(self.xisr != 0 && self.pending < self.cppr);
    }
}

/// The per-open state of an XICS device (freed by release).
#[derive(Debug)]
pub(crate) struct XicsOpen {
    instance: u64,
    nr_servers: u32,
    any_connected: bool,
    blocks: BTreeMap<u32, Block>,
    icps: BTreeMap<u32, Icp>,
    ledger: Ledger,
    _charge: Charge,
}

/// The XICS slot object (allocated on first use, reused, freed with the VM).
#[derive(Debug)]
pub(crate) struct XicsEngine {
    state: Mutex<Option<XicsOpen>>,
    _charge: Charge,
}

impl XicsEngine {
    pub(crate) fn new(ledger: &Ledger) -> Self {
        XicsEngine {
            state: Mutex::new(None),
            _charge: ledger.charge(Kind::DeviceState, std::mem::size_of::<Self>() as u64),
        }
    }

    /// Initialises the per-open state for a new device.
    pub(crate) fn open(&self, instance: u64, ledger: &Ledger) {
        *self.state.lock() = Some(XicsOpen {
            instance,
            nr_servers: MAX_SERVERS,
            any_connected: false,
            blocks: BTreeMap::new(),
            icps: BTreeMap::new(),
            ledger: ledger.clone(),
            _charge: ledger.charge(Kind::DeviceState, std::mem::size_of::<XicsOpen>() as u64),
        });
    }

    /// Release: disconnect every presenter of this instance, then free the per-open state.
    pub(crate) fn release(&self, vm: &VmInner, instance: u64) {
        let mut st = self.state.lock();
        if st.as_ref().map(|o| o.instance) != Some(instance) {
            return;
        }
        disconnect_presenters(vm, IrqType::Xics, instance);
        *st = None;
    }

    fn with_open<T>(
        &self,
        instance: u64,
        f: impl FnOnce(&mut XicsOpen) -> Result<T, VmError>,
    ) -> Result<T, VmError> {
        let mut st = self.state.lock();
        match st.as_mut() {
            Some(o) if o.instance == instance => f(o),
            _ => Err(VmError::NoDevice("the XICS device was released".into())),
        }
    }

    pub(crate) fn connect(
        &self,
        instance: u64,
        vcpu: &Vcpu,
        server: u32,
        slot: Weak<XicsEngine>,
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
            if o.icps.contains_key(&server) {
                return Err(VmError::Exists(format!("server {server} is in use")));
            }
            let line = Arc::clone(vcpu.interrupt_line());
            line.lower();
            o.icps.insert(
                server,
                Icp {
                    cppr: 0,
                    mfrr: MASKED,
                    pending: MASKED,
                    xisr: 0,
                    need_resend: false,
                    line,
                    _charge: o
                        .ledger
                        .charge(Kind::DeviceState, std::mem::size_of::<Icp>() as u64),
                },
            );
            o.any_connected = true;
            vcpu.partition_entry().invalidate();
            *conn = Some(Connection {
                kind: IrqType::Xics,
                instance,
                server,
                engine: EngineRef::Xics(slot),
            });
            Ok(())
        })
    }

    pub(crate) fn irq_line(&self, instance: u64, irq: u32, level: bool) -> Result<(), VmError> {
        self.with_open(instance, |o| {
            if o.source(irq).is_none() {
                return Err(VmError::InvalidArgument(format!("no XICS source {irq:#x}")));
            }
            o.ics_deliver(irq, level);
            Ok(())
        })
    }

    pub(crate) fn set_attr(
        &self,
        instance: u64,
        group: u32,
        a: u64,
        value: &AttrValue,
    ) -> Result<(), VmError> {
        self.with_open(instance, |o| match (group, a) {
            (attr::GRP_SOURCES, irq) => o.set_source(irq, value.u64("an XICS source")?),
            (attr::GRP_PAPR_SOURCE_STATE, irq) => {
                o.set_source_state(irq, value.u64("an XICS source state")?)
            }
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
            _ => Err(VmError::NoDevice(format!("XICS attribute {group}/{a:#x}"))),
        })
    }

    pub(crate) fn get_attr(&self, instance: u64, group: u32, a: u64) -> Result<AttrValue, VmError> {
        self.with_open(instance, |o| match group {
            attr::GRP_SOURCES => o.get_source(a).map(AttrValue::U64),
            attr::GRP_PAPR_SOURCE_STATE => o.get_source_state(a).map(AttrValue::U64),
            _ => Err(VmError::NoDevice(format!("XICS attribute {group}/{a:#x}"))),
        })
    }

    pub(crate) fn get_icp_state(&self, instance: u64, server: u32) -> Result<u64, VmError> {
        self.with_open(instance, |o| {
            let icp = o.icp(server)?;
            Ok((u64::from(icp.cppr) << icp_reg::CPPR_SHIFT)
                | (u64::from(icp.xisr) << icp_reg::XISR_SHIFT)
                | (u64::from(icp.mfrr) << icp_reg::MFRR_SHIFT)
                | (u64::from(icp.pending) << icp_reg::PPRI_SHIFT))
        })
    }

    /// KVM_SET_ONE_REG(ICP_STATE).
    ///
    /// Validation accepts exactly the states the XICS rules can reach: no XISR iff the
    /// pending priority is 0xFF, and an XISR other than the IPI names an existing source.
    /// KVM's check is stricter (an IPI pending exactly at MFRR and below CPPR, a device
    /// interrupt below MFRR and CPPR) and so refuses states its own hcalls reach, which would
    /// make such a guest impossible to migrate: H_IPI raising MFRR leaves a presented IPI in
    /// place, pending more favoured than the new MFRR; an H_EOI whose CPPR byte raises favour
    /// leaves the XISR at or above CPPR, and a later H_IPI can then set MFRR at or more
    /// favoured than the pending priority of a device interrupt or an IPI without replacing
    /// it (a replacement needs MFRR below CPPR).
    ///
    /// As in KVM, the ICP's need-resend mark is kept, unless the new MFRR is less favoured
    /// than the current one: then the mark is consumed and the refused sources are retried, as
    /// H_IPI does.
    pub(crate) fn set_icp_state(&self, instance: u64, server: u32, v: u64) -> Result<(), VmError> {
        self.with_open(instance, |o| {
            let cppr = low_u8(v >> icp_reg::CPPR_SHIFT);
            let xisr =
                u32::try_from((v >> icp_reg::XISR_SHIFT) & icp_reg::XISR_MASK).unwrap_or_default();
            let mfrr = low_u8(v >> icp_reg::MFRR_SHIFT);
            let pending = low_u8(v >> icp_reg::PPRI_SHIFT);
            let bad = |why: &str| Err(VmError::InvalidArgument(format!("ICP state {v:#x}: {why}")));
            match xisr {
                0 if pending != MASKED => return bad("no XISR but a pending priority"),
                0 => {}
                _ if pending == MASKED => return bad("an XISR without a pending priority"),
                IPI => {}
                irq if o.source(irq).is_none() => return bad("XISR names no source"),
                _ => {}
            }
            let icp = o.icp_mut(server)?;
            let mfrr_raised = mfrr > icp.mfrr;
            let resend = mfrr_raised && icp.need_resend;
            if mfrr_raised {
                icp.need_resend = false;
            }
            icp.cppr = cppr;
            icp.xisr = xisr;
            icp.mfrr = mfrr;
            icp.pending = pending;
            icp.update_line();
            if resend {
                o.check_resend();
            }
            Ok(())
        })
    }

    /// The sources that exist (papr: KVM has no such query, QEMU knows what it created).
    pub(crate) fn sources(&self, instance: u64) -> Result<Vec<u32>, VmError> {
        self.with_open(instance, |o| Ok(o.source_numbers()))
    }

    fn rtas<T>(
        &self,
        instance: u64,
        f: impl FnOnce(&mut XicsOpen) -> Result<T, RtasError>,
    ) -> Result<T, RtasError> {
        let mut st = self.state.lock();
        match st.as_mut() {
            Some(o) if o.instance == instance => f(o),
            _ => Err(RtasError::Parameter),
        }
    }

    pub(crate) fn rtas_set_xive(
        &self,
        instance: u64,
        irq: u32,
        server: u32,
        priority: u32,
    ) -> Result<(), RtasError> {
        self.rtas(instance, |o| {
            let priority = u8::try_from(priority).map_err(|_| RtasError::Parameter)?;
            o.source(irq).ok_or(RtasError::Parameter)?;
            if !o.icps.contains_key(&server) {
                return Err(RtasError::Parameter);
            }
            o.write_xive(irq, server, priority, priority);
            Ok(())
        })
    }

    pub(crate) fn rtas_get_xive(&self, instance: u64, irq: u32) -> Result<(u32, u32), RtasError> {
        self.rtas(instance, |o| {
            let s = o.source(irq).ok_or(RtasError::Parameter)?;
            Ok((s.server, u32::from(s.priority)))
        })
    }

    pub(crate) fn rtas_int_off(&self, instance: u64, irq: u32) -> Result<(), RtasError> {
        self.rtas(instance, |o| {
            let s = *o.source(irq).ok_or(RtasError::Parameter)?;
            o.write_xive(irq, s.server, MASKED, s.priority);
            Ok(())
        })
    }

    pub(crate) fn rtas_int_on(&self, instance: u64, irq: u32) -> Result<(), RtasError> {
        self.rtas(instance, |o| {
            let s = *o.source(irq).ok_or(RtasError::Parameter)?;
            o.write_xive(irq, s.server, s.saved_priority, s.saved_priority);
            Ok(())
        })
    }

    /// Checks the ICP invariants (tests and the fuzz harness).
    pub(crate) fn check_invariants(&self) {
        if let Some(o) = self.state.lock().as_ref() {
            for (server, icp) in &o.icps {
                assert_eq!(
                    icp.xisr == 0,
                    icp.pending == MASKED,
                    "server {server}: {icp:?}"
                );
                assert_eq!(
                    icp.line.is_raised(),
                    icp.xisr != 0 && icp.pending < icp.cppr,
                    "server {server}: line vs {icp:?}"
                );
            }
        }
    }
}

impl XicsOpen {
    fn source(&self, irq: u32) -> Option<&Source> {
        let b = self.blocks.get(&(irq >> BLOCK_SHIFT))?;
        let s = b.src.get(block_index(irq))?;
        s.exists.then_some(s)
    }

    fn source_mut(&mut self, irq: u32) -> Option<&mut Source> {
        let b = self.blocks.get_mut(&(irq >> BLOCK_SHIFT))?;
        let s = b.src.get_mut(block_index(irq))?;
        s.exists.then_some(s)
    }

    fn icp(&self, server: u32) -> Result<&Icp, VmError> {
        self.icps
            .get(&server)
            .ok_or_else(|| VmError::NoDevice(format!("no ICP for server {server}")))
    }

    fn icp_mut(&mut self, server: u32) -> Result<&mut Icp, VmError> {
        self.icps
            .get_mut(&server)
            .ok_or_else(|| VmError::NoDevice(format!("no ICP for server {server}")))
    }

    /// KVM_SET_DEVICE_ATTR(GRP_SOURCES).
    fn set_source(&mut self, irq: u64, v: u64) -> Result<(), VmError> {
        let irq = match fit_u32(irq) {
            Some(i) if (FIRST_IRQ..NR_IRQS).contains(&i) => i,
            _ => return Err(VmError::NoEntry(format!("XICS source {irq:#x}"))),
        };
        let server = u32::try_from(v & attr::DESTINATION_MASK).unwrap_or_default();
        let mut prio = low_u8(v >> attr::PRIORITY_SHIFT);
        if prio != MASKED && !self.icps.contains_key(&server) {
            return Err(VmError::InvalidArgument(format!(
                "source {irq:#x}: server {server} has no ICP"
            )));
        }
        let ledger = self.ledger.clone();
        let block = self
            .blocks
            .entry(irq >> BLOCK_SHIFT)
            .or_insert_with(|| Block {
                src: vec![Source::default(); BLOCK_LEN].into_boxed_slice(),
                _charge: ledger.charge(
                    Kind::DeviceState,
                    (BLOCK_LEN * std::mem::size_of::<Source>()) as u64,
                ),
            });
        let Some(s) = block.src.get_mut(block_index(irq)) else {
            return Err(VmError::NoEntry(format!("XICS source {irq:#x}")));
        };
        let saved = prio;
        if v & attr::MASKED != 0 {
            prio = MASKED;
        }
        *s = Source {
            exists: true,
            server,
            priority: prio,
            saved_priority: saved,
            lsi: v & attr::LEVEL_SENSITIVE != 0,
            asserted: v & attr::LEVEL_SENSITIVE != 0 && v & attr::PENDING != 0,
            p: v & attr::PRESENTED != 0,
            q: v & attr::QUEUED != 0,
            resend: false,
            masked_pending: false,
        };
        if v & attr::PENDING != 0 {
            self.deliver(irq, false);
        }
        Ok(())
    }

    /// The source an attribute names (NoEntry, KVM's -ENOENT, if it does not exist).
    fn source_attr(&self, irq: u64) -> Result<&Source, VmError> {
        fit_u32(irq)
            .and_then(|i| self.source(i))
            .ok_or_else(|| VmError::NoEntry(format!("XICS source {irq:#x}")))
    }

    /// KVM_GET_DEVICE_ATTR(GRP_SOURCES).
    fn get_source(&self, irq: u64) -> Result<u64, VmError> {
        let s = self.source_attr(irq)?;
        let mut v = u64::from(s.server);
        let mut prio = s.priority;
        if prio == MASKED {
            v |= attr::MASKED;
            prio = s.saved_priority;
        }
        v |= u64::from(prio) << attr::PRIORITY_SHIFT;
        if s.lsi {
            v |= attr::LEVEL_SENSITIVE;
            if s.asserted {
                v |= attr::PENDING;
            }
        } else if s.masked_pending || s.resend {
            v |= attr::PENDING;
        }
        if s.p {
            v |= attr::PRESENTED;
        }
        if s.q {
            v |= attr::QUEUED;
        }
        Ok(v)
    }

    /// papr's GRP_PAPR_SOURCE_STATE get.
    fn get_source_state(&self, irq: u64) -> Result<u64, VmError> {
        let s = self.source_attr(irq)?;
        Ok((u64::from(s.asserted) * attr::STATE_ASSERTED)
            | (u64::from(s.resend) * attr::STATE_RESEND)
            | (u64::from(s.masked_pending) * attr::STATE_MASKED_PENDING))
    }

    /// papr's GRP_PAPR_SOURCE_STATE set: replaces the state, delivers nothing.
    fn set_source_state(&mut self, irq: u64, v: u64) -> Result<(), VmError> {
        if v & !attr::STATE_ALL != 0 {
            return Err(VmError::InvalidArgument(format!(
                "XICS source {irq:#x}: unknown state bits in {v:#x}"
            )));
        }
        let s = fit_u32(irq)
            .and_then(|i| self.source_mut(i))
            .ok_or_else(|| VmError::NoEntry(format!("XICS source {irq:#x}")))?;
        if v & attr::STATE_ASSERTED != 0 && !s.lsi {
            return Err(VmError::InvalidArgument(format!(
                "XICS source {irq:#x}: an MSI has no asserted level"
            )));
        }
        s.asserted = v & attr::STATE_ASSERTED != 0;
        s.resend = v & attr::STATE_RESEND != 0;
        s.masked_pending = v & attr::STATE_MASKED_PENDING != 0;
        let server = s.server;
        if v & attr::STATE_RESEND != 0 {
            if let Some(icp) = self.icps.get_mut(&server) {
                icp.need_resend = true;
            }
        }
        Ok(())
    }

    /// The numbers of the sources that exist, ascending.
    fn source_numbers(&self) -> Vec<u32> {
        let mut out = Vec::new();
        for (b, block) in &self.blocks {
            for (i, s) in block.src.iter().enumerate() {
                if s.exists {
                    out.push((b << BLOCK_SHIFT) | u32::try_from(i).unwrap_or_default());
                }
            }
        }
        out
    }

    /// A device interrupt at the ICS (KVM `ics_deliver_irq`).
    fn ics_deliver(&mut self, irq: u32, level: bool) {
        let Some(s) = self.source_mut(irq) else {
            return;
        };
        let present = if s.lsi {
            s.asserted = level;
            if level && !s.p {
                s.p = true;
                true
            } else {
                false
            }
        } else if level {
            let was_p = s.p;
            s.q = was_p;
            s.p = true;
            !was_p
        } else {
            false
        };
        if present {
            self.deliver(irq, false);
        }
    }

    /// KVM `icp_deliver_irq`: presents `irq` to its server, following rejections.
    fn deliver(&mut self, irq: u32, check_resend: bool) {
        let mut irq = irq;
        let mut check_resend = check_resend;
        // Each rejection hands the ICP a strictly more favoured interrupt, so this ends; the
        // bound is a belt against a modelling mistake.
        for _ in 0..=256 {
            let Some(s) = self.source(irq).copied() else {
                return;
            };
            if !self.icps.contains_key(&s.server) {
                // KVM warns and drops it.
                return;
            }
            if check_resend && !s.resend {
                return;
            }
            let masked = s.priority == MASKED;
            if let Some(sm) = self.source_mut(irq) {
                sm.resend = false;
                if masked {
                    sm.masked_pending = true;
                }
            }
            if masked {
                return;
            }
            let Some(icp) = self.icps.get_mut(&s.server) else {
                return;
            };
            let prio = s.priority;
            if icp.cppr > prio && icp.mfrr > prio && icp.pending > prio {
                let reject = icp.xisr;
                icp.xisr = irq;
                icp.pending = prio;
                icp.update_line();
                if reject != 0 && reject != IPI {
                    irq = reject;
                    check_resend = false;
                    continue;
                }
                return;
            }
            icp.need_resend = true;
            if let Some(sm) = self.source_mut(irq) {
                sm.resend = true;
            }
            return;
        }
    }

    /// KVM `icp_check_resend`: retries every source marked for resend.
    fn check_resend(&mut self) {
        let todo: Vec<u32> = self
            .source_numbers()
            .into_iter()
            .filter(|&irq| self.source(irq).is_some_and(|s| s.resend))
            .collect();
        for irq in todo {
            self.deliver(irq, true);
        }
    }

    /// ICP Down_CPPR (new CPPR less favoured or from H_EOI).
    fn down_cppr(&mut self, server: u32, cppr: u8) {
        let Some(icp) = self.icps.get_mut(&server) else {
            return;
        };
        icp.cppr = cppr;
        let mut displaced = 0;
        if icp.mfrr < cppr && icp.mfrr <= icp.pending {
            displaced = icp.xisr;
            icp.pending = icp.mfrr;
            icp.xisr = IPI;
        }
        let resend = icp.need_resend;
        icp.need_resend = false;
        icp.update_line();
        if displaced != 0 && displaced != IPI {
            // A device interrupt pending at or below MFRR: reached when an H_EOI raised CPPR
            // favour above it and an H_IPI then set MFRR at or below its priority. Never lose
            // it: it goes back to its source.
            self.deliver(displaced, false);
        }
        if resend {
            self.check_resend();
        }
    }

    fn h_xirr(&mut self, server: u32) -> u64 {
        let Some(icp) = self.icps.get_mut(&server) else {
            return 0;
        };
        let xirr = icp.xirr();
        if icp.xisr != 0 {
            icp.cppr = icp.pending;
            icp.pending = MASKED;
            icp.xisr = 0;
        }
        icp.update_line();
        xirr
    }

    fn h_cppr(&mut self, server: u32, cppr: u8) {
        let Some(icp) = self.icps.get_mut(&server) else {
            return;
        };
        if cppr > icp.cppr {
            self.down_cppr(server, cppr);
            return;
        }
        if cppr == icp.cppr {
            return;
        }
        // Up_CPPR.
        icp.cppr = cppr;
        let mut reject = 0;
        if cppr <= icp.pending {
            reject = icp.xisr;
            icp.xisr = 0;
            icp.pending = MASKED;
        }
        icp.update_line();
        if reject != 0 && reject != IPI {
            self.deliver(reject, false);
        }
    }

    fn h_ipi(&mut self, server: u64, mfrr: u8) -> i64 {
        let Some(icp) = fit_u32(server).and_then(|s| self.icps.get_mut(&s)) else {
            return rc::H_PARAMETER;
        };
        let old = icp.mfrr;
        icp.mfrr = mfrr;
        let mut reject = 0;
        let mut resend = false;
        if mfrr < icp.cppr && mfrr <= icp.pending {
            reject = icp.xisr;
            icp.pending = mfrr;
            icp.xisr = IPI;
        }
        if mfrr > old {
            resend = icp.need_resend;
            icp.need_resend = false;
        }
        icp.update_line();
        if reject != 0 && reject != IPI {
            self.deliver(reject, false);
        }
        if resend {
            self.check_resend();
        }
        rc::H_SUCCESS
    }

    fn h_eoi(&mut self, server: u32, xirr: u64) -> i64 {
        let irq = u32::try_from(xirr & 0xFF_FFFF).unwrap_or_default();
        self.down_cppr(server, low_u8(xirr >> 24));
        if irq == IPI {
            return rc::H_SUCCESS;
        }
        let Some(s) = self.source_mut(irq) else {
            return rc::H_PARAMETER;
        };
        let again = if s.lsi {
            s.p = s.asserted;
            s.q = false;
            s.asserted
        } else {
            s.p = s.q;
            s.q = false;
            s.p
        };
        if again {
            self.deliver(irq, false);
        }
        rc::H_SUCCESS
    }

    /// KVM `write_xive`: sets server and priorities; an unmasked source that was held back is
    /// delivered.
    fn write_xive(&mut self, irq: u32, server: u32, priority: u8, saved: u8) {
        let Some(s) = self.source_mut(irq) else {
            return;
        };
        s.server = server;
        s.priority = priority;
        s.saved_priority = saved;
        let deliver = (s.masked_pending || s.resend) && priority != MASKED;
        if deliver {
            s.masked_pending = false;
            s.resend = false;
            self.deliver(irq, false);
        }
    }
}

fn block_index(irq: u32) -> usize {
    usize::try_from(irq).unwrap_or(usize::MAX) & (BLOCK_LEN - 1)
}

/// KVM_HAS_DEVICE_ATTR for XICS.
pub(crate) fn has_attr(group: u32, a: u64) -> bool {
    match group {
        attr::GRP_SOURCES | attr::GRP_PAPR_SOURCE_STATE => {
            (u64::from(FIRST_IRQ)..u64::from(NR_IRQS)).contains(&a)
        }
        attr::GRP_CTRL => a == attr::CTRL_NR_SERVERS,
        _ => false,
    }
}

/// The XICS hcalls (fact sheet 8.4).
pub(crate) fn hcall(vm: &VmInner, vcpu: &Vcpu, number: u64, a: &HcallArgs) -> HcallResult {
    let Some(engine) = vm.irq.xics.get() else {
        return HcallResult::rc(rc::H_FUNCTION);
    };
    let mut st = engine.state.lock();
    let Some(o) = st.as_mut() else {
        return HcallResult::rc(rc::H_FUNCTION);
    };
    // The XICS device exists but this vCPU has no ICP: KVM's H_HARDWARE.
    let Some(server) = connected_to(vcpu, IrqType::Xics, o.instance) else {
        return HcallResult::rc(rc::H_HARDWARE);
    };
    match number {
        nr::H_XIRR => HcallResult::ok(&[o.h_xirr(server)]),
        nr::H_XIRR_X => {
            let xirr = o.h_xirr(server);
            HcallResult::ok(&[xirr, timebase(vm)])
        }
        nr::H_IPOLL => match fit_u32(a[0]).and_then(|s| o.icps.get(&s)) {
            Some(icp) => HcallResult::ok(&[icp.xirr(), u64::from(icp.mfrr)]),
            None => HcallResult::rc(rc::H_PARAMETER),
        },
        nr::H_IPI => HcallResult::rc(o.h_ipi(a[0], low_u8(a[1]))),
        nr::H_CPPR => {
            o.h_cppr(server, low_u8(a[0]));
            HcallResult::rc(rc::H_SUCCESS)
        }
        nr::H_EOI => HcallResult::rc(o.h_eoi(server, a[0])),
        _ => HcallResult::rc(rc::H_FUNCTION),
    }
}
