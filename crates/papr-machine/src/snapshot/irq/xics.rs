//! The XICS body of the `IC..` section: every ICS source as KVM_DEV_XICS_GRP_SOURCES reads it
//! plus papr's source-state group, then every vCPU's ICP as KVM_REG_PPC_ICP_STATE reads it.
//!
//! | field | encoding |
//! |---|---|
//! | sources | u64 count, then each: number u32, GRP_SOURCES word u64 (server, priority, LSI, MASKED, PENDING, P, Q), GRP_PAPR_SOURCE_STATE u64 (asserted, resend, masked-pending) |
//! | presenters | u64 count, then each (vCPU order): server u32, ICP_STATE u64 (CPPR, XISR, MFRR, pending priority), line bool |
//!
//! Restore order: (1) every source through GRP_SOURCES without PENDING — it exists, is
//! routed and has its P and Q, nothing is delivered; (2) every ICP through ICP_STATE (an XISR
//! must name a source that exists); (3) every source's papr state: its line level, and whether
//! it waits for a resend or an unmask — a resend marks its ICP for a resend check, as the
//! refusal that set it did. Then everything is read back. KVM's own sequence redelivers every
//! PENDING source through the ICP instead, which presents an LSI already presented a second
//! time; the papr state group avoids that (see its documentation in papr-hv).

use std::sync::Arc;

use papr_hv::irq::xics::{attr, FIRST_IRQ, MASKED, NR_IRQS};
use papr_hv::irq::{AttrValue, DeviceFd, IrqType};
use papr_hv::Vcpu;

use super::{
    check_destination_servers, check_destination_sources, check_presenter, check_read_back,
    check_route, numbered, presenters, refused, section, servers,
};
use crate::snapshot::codec::{Dec, Enc};
use crate::snapshot::SnapshotError;

/// Bits of the GRP_SOURCES word that KVM defines.
const WORD_BITS: u64 = attr::DESTINATION_MASK
    | (0xFF << attr::PRIORITY_SHIFT)
    | attr::LEVEL_SENSITIVE
    | attr::MASKED
    | attr::PENDING
    | attr::PRESENTED
    | attr::QUEUED;

/// One ICS source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Source {
    /// Source number.
    pub irq: u32,
    /// KVM_DEV_XICS_GRP_SOURCES.
    pub word: u64,
    /// papr's GRP_PAPR_SOURCE_STATE.
    pub state: u64,
}

/// One ICP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Presenter {
    /// Interrupt server number.
    pub server: u32,
    /// KVM_REG_PPC_ICP_STATE.
    pub icp: u64,
    /// The vCPU's external-interrupt line.
    pub line: bool,
}

/// The decoded XICS body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    /// Sources, ascending.
    pub sources: Vec<Source>,
    /// Presenters, in vCPU order.
    pub presenters: Vec<Presenter>,
}

fn get_u64(fd: &DeviceFd, group: u32, irq: u32, what: &str) -> Result<u64, SnapshotError> {
    match fd.get_attr(group, u64::from(irq)) {
        Ok(AttrValue::U64(v)) => Ok(v),
        Ok(other) => Err(section(format!(
            "source {irq:#x}: the {what} reads as {other:?}"
        ))),
        Err(e) => Err(refused(&format!("reading source {irq:#x}'s {what}"), &e)),
    }
}

/// Reads the state of `fd` and of every vCPU's ICP.
pub fn read(fd: &DeviceFd, vcpus: &[Arc<Vcpu>]) -> Result<State, SnapshotError> {
    let servers = servers(vcpus, IrqType::Xics)?;
    let numbers = fd
        .sources()
        .map_err(|e| refused("listing the sources", &e))?;
    let mut sources = Vec::with_capacity(numbers.len());
    for irq in numbers {
        sources.push(Source {
            irq,
            word: get_u64(fd, attr::GRP_SOURCES, irq, "configuration")?,
            state: get_u64(fd, attr::GRP_PAPR_SOURCE_STATE, irq, "state")?,
        });
    }
    let mut presenters = Vec::with_capacity(vcpus.len());
    for (v, server) in vcpus.iter().zip(servers) {
        let icp = v
            .get_icp_state()
            .map_err(|err| refused(&format!("reading vCPU {}'s ICP", v.id()), &err))?;
        presenters.push(Presenter {
            server,
            icp,
            line: v.interrupt_line().is_raised(),
        });
    }
    Ok(State {
        sources,
        presenters,
    })
}

impl State {
    /// Writes the XICS body.
    pub fn encode(&self, e: &mut Enc) {
        e.u64(self.sources.len() as u64);
        for s in &self.sources {
            e.u32(s.irq).u64(s.word).u64(s.state);
        }
        e.u64(self.presenters.len() as u64);
        for p in &self.presenters {
            e.u32(p.server).u64(p.icp).bool(p.line);
        }
    }
}

/// Reads and checks the XICS body.
pub fn decode(d: &mut Dec<'_>) -> Result<State, SnapshotError> {
    let sources = numbered(d, "XICS source", 4 + 16, FIRST_IRQ..NR_IRQS, |d, irq| {
        Ok(Source {
            irq,
            word: d.u64("a source's configuration")?,
            state: d.u64("a source's state")?,
        })
    })?;
    let presenters = presenters(d, 4 + 9, |d, server| {
        Ok(Presenter {
            server,
            icp: d.u64("an ICP state")?,
            line: d.bool("an interrupt line")?,
        })
    })?;
    let present = |s: u32| presenters.iter().any(|p| p.server == s);
    for s in &sources {
        let what = format!("XICS source {:#x}", s.irq);
        if s.word & !WORD_BITS != 0 {
            return Err(section(format!(
                "{what}: unknown configuration bits {:#x}",
                s.word & !WORD_BITS
            )));
        }
        if s.state & !attr::STATE_ALL != 0 {
            return Err(section(format!(
                "{what}: unknown state bits {:#x}",
                s.state & !attr::STATE_ALL
            )));
        }
        if s.state & attr::STATE_ASSERTED != 0 && s.word & attr::LEVEL_SENSITIVE == 0 {
            return Err(section(format!("{what}: an MSI cannot be asserted")));
        }
        // As KVM: only a priority field of 0xFF frees the server from needing an ICP (a
        // MASKED source keeps its saved priority there, and its server).
        let unrouted = (s.word >> attr::PRIORITY_SHIFT) & 0xFF == u64::from(MASKED);
        check_route(&what, s.word & attr::DESTINATION_MASK, unrouted, &present)?;
    }
    Ok(State {
        sources,
        presenters,
    })
}

fn set(fd: &DeviceFd, group: u32, irq: u32, v: u64, what: &str) -> Result<(), SnapshotError> {
    fd.set_attr(group, u64::from(irq), &AttrValue::U64(v))
        .map_err(|e| refused(&format!("restoring source {irq:#x}'s {what} {v:#x}"), &e))
}

/// Restores a decoded XICS body (see the module docs for the order).
pub fn restore(st: &State, fd: &DeviceFd, vcpus: &[Arc<Vcpu>]) -> Result<(), SnapshotError> {
    check_destination_servers(vcpus, IrqType::Xics, st.presenters.iter().map(|p| p.server))?;
    check_destination_sources(fd, |irq| {
        st.sources.binary_search_by_key(&irq, |s| s.irq).is_ok()
    })?;
    for s in &st.sources {
        set(
            fd,
            attr::GRP_SOURCES,
            s.irq,
            s.word & !attr::PENDING,
            "configuration",
        )?;
    }
    for (v, p) in vcpus.iter().zip(&st.presenters) {
        v.set_icp_state(p.icp)
            .map_err(|e| refused(&format!("restoring server {}'s ICP", p.server), &e))?;
    }
    for s in &st.sources {
        set(fd, attr::GRP_PAPR_SOURCE_STATE, s.irq, s.state, "state")?;
    }
    for s in &st.sources {
        let what = format!("source {:#x}'s configuration", s.irq);
        let now = get_u64(fd, attr::GRP_SOURCES, s.irq, "configuration")?;
        check_read_back(&what, &s.word, &now)?;
        let what = format!("source {:#x}'s state", s.irq);
        let now = get_u64(fd, attr::GRP_PAPR_SOURCE_STATE, s.irq, "state")?;
        check_read_back(&what, &s.state, &now)?;
    }
    for (v, p) in vcpus.iter().zip(&st.presenters) {
        check_presenter(v, p.server, "ICP", &p.icp, v.get_icp_state(), p.line)?;
    }
    Ok(())
}
