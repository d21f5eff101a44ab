//! The XIVE native body of the `IC..` section: where the platform placed the regions, every
//! source (KVM_DEV_XIVE_GRP_SOURCE, GRP_SOURCE_CONFIG and its ESB PQ bits, read with the
//! get-PQ load), then every vCPU's thread context (KVM_REG_PPC_VP_STATE) with its event
//! queues (GRP_EQ_CONFIG, queue index and toggle included).
//!
//! | field | encoding |
//! |---|---|
//! | platform | ESB base u64, TIMA base u64, END ESB base u64, Store-EOI u64 (papr's GRP_PAPR_PLATFORM) |
//! | sources | u64 count, then each: number u32, GRP_SOURCE flags u64 (LSI, asserted), GRP_SOURCE_CONFIG u64 (priority, server, masked, EISN), PQ u8 |
//! | presenters | u64 count, then each (vCPU order): server u32, VP_STATE 2 × u64, 7 queues (priorities 0-6) of flags u32, qshift u32, qaddr u64, qtoggle u32, qindex u32, then line bool |
//!
//! Save: CTRL/EQ_SYNC first (queues are written synchronously here, so it only keeps KVM's
//! sequence), then everything is read. The PQ bits are read with the get-PQ load rather than
//! KVM's mask-and-save set-PQ-01, which exists to stop triggers racing the save on real
//! hardware; with the vCPUs stopped nothing races, and the source keeps running unchanged.
//!
//! Restore order (KVM's): platform placement; every queue with its index and toggle; every
//! source created (masked, PQ 01) and routed; every thread context; every PQ with the set-PQ
//! loads. Nothing triggers on the way, so no event is written twice. Then everything
//! is read back.

use std::sync::Arc;

use papr_hv::irq::xive::{attr, esb, XiveEq, EQ_SHIFT, ESB_PAGE_SHIFT, ESB_SHIFT};
use papr_hv::irq::xive::{MAX_GUEST_PRIORITY, NR_SOURCES};
use papr_hv::irq::{AttrValue, DeviceFd, IrqType, Mapping};
use papr_hv::Vcpu;

use super::{
    check_destination_servers, check_destination_sources, check_presenter, check_read_back,
    check_route, numbered, presenters, refused, section, servers,
};
use crate::snapshot::codec::{Dec, Enc};
use crate::snapshot::SnapshotError;

/// The platform attributes, in the order they are saved.
const PLATFORM: [u64; 4] = [
    attr::PLATFORM_ESB_BASE,
    attr::PLATFORM_TIMA_BASE,
    attr::PLATFORM_END_ESB_BASE,
    attr::PLATFORM_STORE_EOI,
];
/// Queues per presenter: the guest priorities.
pub const QUEUES: usize = MAX_GUEST_PRIORITY as usize + 1;
/// Bits of the SOURCE flags.
const FLAG_BITS: u64 = attr::SOURCE_LEVEL_SENSITIVE | attr::SOURCE_LEVEL_ASSERTED;

/// One source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Source {
    /// LISN.
    pub lisn: u32,
    /// KVM_DEV_XIVE_GRP_SOURCE flags.
    pub flags: u64,
    /// KVM_DEV_XIVE_GRP_SOURCE_CONFIG.
    pub config: u64,
    /// ESB PQ bits.
    pub pq: u8,
}

/// One thread context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Presenter {
    /// Interrupt server number.
    pub server: u32,
    /// KVM_REG_PPC_VP_STATE.
    pub vp: [u64; 2],
    /// The END of each priority 0..=6.
    pub queues: [XiveEq; QUEUES],
    /// The vCPU's external-interrupt line.
    pub line: bool,
}

/// The decoded XIVE body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    /// GRP_PAPR_PLATFORM values: ESB base, TIMA base, END ESB base, Store-EOI.
    pub platform: [u64; 4],
    /// Sources, ascending.
    pub sources: Vec<Source>,
    /// Presenters, in vCPU order.
    pub presenters: Vec<Presenter>,
}

fn get_u64(fd: &DeviceFd, group: u32, a: u64, what: &str) -> Result<u64, SnapshotError> {
    match fd.get_attr(group, a) {
        Ok(AttrValue::U64(v)) => Ok(v),
        Ok(other) => Err(section(format!("{what} reads as {other:?}"))),
        Err(e) => Err(refused(&format!("reading {what}"), &e)),
    }
}

fn eq_attr(server: u32, prio: usize) -> u64 {
    (u64::from(server) << attr::EQ_SERVER_SHIFT) | prio as u64
}

fn get_eq(fd: &DeviceFd, server: u32, prio: usize) -> Result<XiveEq, SnapshotError> {
    let what = format!("server {server}'s priority-{prio} queue");
    match fd.get_attr(attr::GRP_EQ_CONFIG, eq_attr(server, prio)) {
        Ok(AttrValue::Eq(q)) => Ok(q),
        Ok(other) => Err(section(format!("{what} reads as {other:?}"))),
        Err(e) => Err(refused(&format!("reading {what}"), &e)),
    }
}

/// An ESB management-page load of source `lisn` at `op` (through the first vCPU: the ESB
/// pages are the same for every thread).
fn esb_load(esb: &Mapping, vcpus: &[Arc<Vcpu>], lisn: u32, op: u64) -> Result<u64, SnapshotError> {
    let v = vcpus
        .first()
        .ok_or_else(|| section("no vCPU to reach the ESB pages through"))?;
    let offset = (u64::from(lisn) << ESB_SHIFT) | (1 << ESB_PAGE_SHIFT) | op;
    esb.try_read(v, offset, 8)
        .map_err(|e| section(format!("ESB load {op:#x} of source {lisn:#x}: {e}")))
}

fn get_pq(esb: &Mapping, vcpus: &[Arc<Vcpu>], lisn: u32) -> Result<u8, SnapshotError> {
    let v = esb_load(esb, vcpus, lisn, esb::GET)?;
    u8::try_from(v)
        .ok()
        .filter(|&pq| pq <= esb::P | esb::Q)
        .ok_or_else(|| section(format!("source {lisn:#x}'s PQ reads as {v:#x}")))
}

/// Reads the state of `fd` (its ESB PQ bits through `esb`) and of every vCPU's thread
/// context and queues.
pub fn read(fd: &DeviceFd, esb: &Mapping, vcpus: &[Arc<Vcpu>]) -> Result<State, SnapshotError> {
    let servers = servers(vcpus, IrqType::Xive)?;
    fd.set_attr(attr::GRP_CTRL, attr::CTRL_EQ_SYNC, &AttrValue::None)
        .map_err(|e| refused("EQ_SYNC", &e))?;
    let mut platform = [0u64; 4];
    for (p, a) in platform.iter_mut().zip(PLATFORM) {
        let what = format!("platform attribute {a}");
        *p = get_u64(fd, attr::GRP_PAPR_PLATFORM, a, &what)?;
    }
    let numbers = fd
        .sources()
        .map_err(|e| refused("listing the sources", &e))?;
    let mut sources = Vec::with_capacity(numbers.len());
    for lisn in numbers {
        let l = u64::from(lisn);
        let what = format!("source {lisn:#x}");
        let flags = get_u64(fd, attr::GRP_SOURCE, l, &what)?;
        let what = format!("source {lisn:#x}'s configuration");
        sources.push(Source {
            lisn,
            flags,
            config: get_u64(fd, attr::GRP_SOURCE_CONFIG, l, &what)?,
            pq: get_pq(esb, vcpus, lisn)?,
        });
    }
    let mut presenters = Vec::with_capacity(vcpus.len());
    for (v, server) in vcpus.iter().zip(servers) {
        let vp = v
            .get_vp_state()
            .map_err(|err| refused(&format!("reading vCPU {}'s VP state", v.id()), &err))?;
        let mut queues = [XiveEq::default(); QUEUES];
        for (prio, q) in queues.iter_mut().enumerate() {
            *q = get_eq(fd, server, prio)?;
        }
        presenters.push(Presenter {
            server,
            vp,
            queues,
            line: v.interrupt_line().is_raised(),
        });
    }
    Ok(State {
        platform,
        sources,
        presenters,
    })
}

impl State {
    /// Writes the XIVE body.
    pub fn encode(&self, e: &mut Enc) {
        for p in self.platform {
            e.u64(p);
        }
        e.u64(self.sources.len() as u64);
        for s in &self.sources {
            e.u32(s.lisn).u64(s.flags).u64(s.config).u8(s.pq);
        }
        e.u64(self.presenters.len() as u64);
        for p in &self.presenters {
            e.u32(p.server).u64(p.vp[0]).u64(p.vp[1]);
            for q in &p.queues {
                e.u32(q.flags)
                    .u32(q.qshift)
                    .u64(q.qaddr)
                    .u32(q.qtoggle)
                    .u32(q.qindex);
            }
            e.bool(p.line);
        }
    }
}

/// Reads and checks the XIVE body.
pub fn decode(d: &mut Dec<'_>) -> Result<State, SnapshotError> {
    let mut platform = [0u64; 4];
    for (p, a) in platform.iter_mut().zip(PLATFORM) {
        *p = d.u64(&format!("platform attribute {a}"))?;
    }
    if platform[3] > 1 {
        return Err(section(format!("Store-EOI is {}, not 0 or 1", platform[3])));
    }
    let sources = numbered(d, "XIVE source", 4 + 17, 0..NR_SOURCES, |d, lisn| {
        Ok(Source {
            lisn,
            flags: d.u64("a source's flags")?,
            config: d.u64("a source's configuration")?,
            pq: d.u8("a source's PQ")?,
        })
    })?;
    let presenters = presenters(d, 4 + 16 + QUEUES * 24 + 1, |d, server| {
        let vp = [d.u64("a VP state")?, d.u64("a VP state")?];
        let mut queues = [XiveEq::default(); QUEUES];
        for q in &mut queues {
            *q = XiveEq {
                flags: d.u32("a queue's flags")?,
                qshift: d.u32("a queue's size")?,
                qaddr: d.u64("a queue's address")?,
                qtoggle: d.u32("a queue's toggle")?,
                qindex: d.u32("a queue's index")?,
            };
        }
        let line = d.bool("an interrupt line")?;
        Ok(Presenter {
            server,
            vp,
            queues,
            line,
        })
    })?;
    let present = |s: u32| presenters.iter().any(|p| p.server == s);
    for s in &sources {
        let what = format!("XIVE source {:#x}", s.lisn);
        if s.flags & !FLAG_BITS != 0 || s.flags == attr::SOURCE_LEVEL_ASSERTED {
            return Err(section(format!("{what}: flags {:#x}", s.flags)));
        }
        if s.pq > esb::P | esb::Q {
            return Err(section(format!("{what}: PQ {:#x}", s.pq)));
        }
        let prio = s.config & attr::SOURCE_PRIORITY_MASK;
        if prio > u64::from(MAX_GUEST_PRIORITY) {
            return Err(section(format!("{what}: priority {prio} is reserved")));
        }
        let server = (s.config & attr::SOURCE_SERVER_MASK) >> attr::SOURCE_SERVER_SHIFT;
        check_route(&what, server, s.config & attr::SOURCE_MASKED != 0, &present)?;
    }
    for p in &presenters {
        if p.vp[1] != 0 {
            return Err(section(format!(
                "server {}'s VP state: reserved word {:#x}",
                p.server, p.vp[1]
            )));
        }
        for (prio, q) in p.queues.iter().enumerate() {
            let disabled = XiveEq::default();
            if (q.qshift == 0 && *q != disabled) || (q.qshift != 0 && q.qshift != EQ_SHIFT) {
                return Err(section(format!(
                    "server {}'s priority-{prio} queue {q:?}",
                    p.server
                )));
            }
        }
    }
    Ok(State {
        platform,
        sources,
        presenters,
    })
}

/// Restores a decoded XIVE body (see the module docs for the order).
pub fn restore(
    st: &State,
    fd: &DeviceFd,
    esb: &Mapping,
    vcpus: &[Arc<Vcpu>],
) -> Result<(), SnapshotError> {
    check_destination_servers(vcpus, IrqType::Xive, st.presenters.iter().map(|p| p.server))?;
    check_destination_sources(fd, |l| {
        st.sources.binary_search_by_key(&l, |s| s.lisn).is_ok()
    })?;
    let set = |group: u32, a: u64, v: AttrValue, what: &dyn Fn() -> String| {
        fd.set_attr(group, a, &v)
            .map_err(|e| refused(&format!("restoring {}", what()), &e))
    };
    for (a, v) in PLATFORM.into_iter().zip(st.platform) {
        set(attr::GRP_PAPR_PLATFORM, a, AttrValue::U64(v), &|| {
            format!("platform attribute {a} = {v:#x}")
        })?;
    }
    for p in &st.presenters {
        for (prio, q) in p.queues.iter().enumerate() {
            set(
                attr::GRP_EQ_CONFIG,
                eq_attr(p.server, prio),
                AttrValue::Eq(*q),
                &|| format!("server {}'s priority-{prio} queue {q:?}", p.server),
            )?;
        }
    }
    for s in &st.sources {
        let l = u64::from(s.lisn);
        set(attr::GRP_SOURCE, l, AttrValue::U64(s.flags), &|| {
            format!("source {:#x} (flags {:#x})", s.lisn, s.flags)
        })?;
        set(
            attr::GRP_SOURCE_CONFIG,
            l,
            AttrValue::U64(s.config),
            &|| format!("source {:#x}'s configuration {:#x}", s.lisn, s.config),
        )?;
    }
    for (v, p) in vcpus.iter().zip(&st.presenters) {
        v.set_vp_state(p.vp)
            .map_err(|e| refused(&format!("restoring server {}'s VP state", p.server), &e))?;
    }
    for s in &st.sources {
        esb_load(esb, vcpus, s.lisn, esb::SET_PQ_00 + (u64::from(s.pq) << 8))?;
    }
    verify(st, fd, esb, vcpus)
}

/// Reads everything back: it must be what the payload said.
fn verify(
    st: &State,
    fd: &DeviceFd,
    esb: &Mapping,
    vcpus: &[Arc<Vcpu>],
) -> Result<(), SnapshotError> {
    for (a, v) in PLATFORM.into_iter().zip(st.platform) {
        let what = format!("platform attribute {a}");
        check_read_back(&what, &v, &get_u64(fd, attr::GRP_PAPR_PLATFORM, a, &what)?)?;
    }
    for s in &st.sources {
        let l = u64::from(s.lisn);
        let what = format!("source {:#x}", s.lisn);
        check_read_back(&what, &s.flags, &get_u64(fd, attr::GRP_SOURCE, l, &what)?)?;
        let what = format!("source {:#x}'s configuration", s.lisn);
        let now = get_u64(fd, attr::GRP_SOURCE_CONFIG, l, &what)?;
        check_read_back(&what, &s.config, &now)?;
        let what = format!("source {:#x}'s PQ", s.lisn);
        check_read_back(&what, &s.pq, &get_pq(esb, vcpus, s.lisn)?)?;
    }
    for (v, p) in vcpus.iter().zip(&st.presenters) {
        for (prio, q) in p.queues.iter().enumerate() {
            let what = format!("server {}'s priority-{prio} queue", p.server);
            check_read_back(&what, q, &get_eq(fd, p.server, prio)?)?;
        }
        check_presenter(v, p.server, "VP state", &p.vp, v.get_vp_state(), p.line)?;
    }
    Ok(())
}
