//! The interrupt-controller section `IC..`: which controller CAS left active, then its whole
//! state as the KVM device interface reads it — sources with their routing and pending state,
//! presenters, XIVE event-queue positions and ESB PQ bits — so that the destination behaves
//! exactly as the source would have.
//!
//! # Format
//!
//! Little-endian, written with [`Enc`]:
//!
//! | field | encoding |
//! |---|---|
//! | type | u8: 1 XICS, 2 XIVE native |
//! | body | [`xics`] or [`xive`] |
//!
//! Both bodies list the sources in ascending number, then one presenter per vCPU in the order
//! of the vCPU list the platform passes (each with its interrupt server number and the level
//! of the vCPU's external-interrupt line, which the restore re-derives and checks).
//!
//! # Use
//!
//! Save with the vCPUs stopped: [`save_ic`]. Restore: [`ic_type`] says which controller to
//! create; the destination creates it with the platform's usual steps (NR_SERVERS, every vCPU
//! connected with its server number, the platform's own sources, the XIVE mappings), then
//! calls [`restore_ic`], which re-creates every source, restores routing, presenters, queues
//! and pending state in the order the KVM interface needs, and reads everything back.
//!
//! Guest RAM must be restored first (the XIVE queue pages are checked to lie in it, and their
//! contents are the guest's).
//!
//! # Validation
//!
//! Everything is decoded and checked before the device is touched: a source number or a
//! server out of range, a source routed to a server no vCPU presents, unknown flag bits, a
//! duplicate or unordered source, trailing bytes are [`SnapshotError::Section`] errors naming
//! the item. A destination that does not match — another controller type, another number of
//! vCPUs or other server numbers, a source the destination platform created that the
//! snapshot lacks — is [`SnapshotError::Incompatible`]. What the hypervisor itself refuses
//! while applying (a queue page outside RAM, an ICP state no XICS rule reaches) and any value
//! that does not read back as saved (an inconsistent payload) is a `Section` error too. On an
//! error the controller is left partly restored: the destination is to be discarded.

pub mod xics;
pub mod xive;

use std::sync::Arc;

use papr_hv::irq::{DeviceFd, DeviceType, IrqType, Mapping};
use papr_hv::{Vcpu, VmError};

use super::codec::{Dec, Enc};
use super::SnapshotError;
use crate::tree::ActiveIc;

/// Tag of the interrupt-controller section.
pub const IC: [u8; 4] = *b"IC..";
const TAG: &str = "IC..";

/// Type byte of XICS.
pub const TYPE_XICS: u8 = 1;
/// Type byte of XIVE native.
pub const TYPE_XIVE: u8 = 2;

/// A `Section` error of this section.
fn section(what: impl Into<String>) -> SnapshotError {
    SnapshotError::Section {
        tag: TAG.into(),
        what: what.into(),
    }
}

/// A `Section` error for something the hypervisor refused.
fn refused(what: &str, e: &VmError) -> SnapshotError {
    section(format!("{what}: {e}"))
}

/// Saves the active interrupt controller: `fd` is its device, `esb` its ESB mapping (XIVE),
/// `vcpus` every vCPU, each connected to it. The vCPUs must be stopped.
pub fn save_ic(
    active: ActiveIc,
    fd: &DeviceFd,
    esb: Option<&Mapping>,
    vcpus: &[Arc<Vcpu>],
) -> Result<Vec<u8>, SnapshotError> {
    let mut e = Enc::new();
    match (active, fd.device_type()) {
        (ActiveIc::Xics, DeviceType::Xics) => {
            let st = xics::read(fd, vcpus)?;
            e.u8(TYPE_XICS);
            st.encode(&mut e);
        }
        (ActiveIc::Xive, DeviceType::XiveNative) => {
            let esb = esb.ok_or_else(|| section("saving XIVE needs its ESB mapping"))?;
            let st = xive::read(fd, esb, vcpus)?;
            e.u8(TYPE_XIVE);
            st.encode(&mut e);
        }
        (a, t) => {
            return Err(section(format!(
                "the active controller is {a:?} but the device is {t}"
            )))
        }
    }
    Ok(e.finish())
}

/// Which controller a section describes (the destination creates it before [`restore_ic`]).
pub fn ic_type(payload: &[u8]) -> Result<ActiveIc, SnapshotError> {
    let mut d = Dec::new(TAG, payload);
    match d.u8("the controller type")? {
        TYPE_XICS => Ok(ActiveIc::Xics),
        TYPE_XIVE => Ok(ActiveIc::Xive),
        t => Err(section(format!(
            "controller type {t} (expected {TYPE_XICS} XICS or {TYPE_XIVE} XIVE)"
        ))),
    }
}

/// Restores a section into `fd`, a controller of the type [`ic_type`] reported that the
/// destination created with the platform's usual steps; `esb` is its ESB mapping (XIVE),
/// `vcpus` every vCPU in the source's order, each connected with the source's server number.
pub fn restore_ic(
    payload: &[u8],
    fd: &DeviceFd,
    esb: Option<&Mapping>,
    vcpus: &[Arc<Vcpu>],
) -> Result<(), SnapshotError> {
    let kind = ic_type(payload)?;
    let mut d = Dec::new(TAG, payload);
    d.u8("the controller type")?;
    match (kind, fd.device_type()) {
        (ActiveIc::Xics, DeviceType::Xics) => {
            let state = xics::decode(&mut d)?;
            d.end()?;
            xics::restore(&state, fd, vcpus)
        }
        (ActiveIc::Xive, DeviceType::XiveNative) => {
            let state = xive::decode(&mut d)?;
            d.end()?;
            let esb = esb.ok_or_else(|| {
                SnapshotError::Incompatible("restoring XIVE needs its ESB mapping".into())
            })?;
            xive::restore(&state, fd, esb, vcpus)
        }
        (k, t) => Err(SnapshotError::Incompatible(format!(
            "the snapshot's interrupt controller is {k:?}, the destination created {t}"
        ))),
    }
}

/// The server of each vCPU, which must be connected to a controller of type `kind`.
fn servers(vcpus: &[Arc<Vcpu>], kind: IrqType) -> Result<Vec<u32>, SnapshotError> {
    vcpus
        .iter()
        .map(|v| match (v.irq_type(), v.irq_server()) {
            (t, Some(s)) if t == kind => Ok(s),
            (t, _) => Err(section(format!(
                "vCPU {} presents {t:?}, not the active {kind:?} controller",
                v.id()
            ))),
        })
        .collect()
}

/// Checks that the destination's vCPUs present `kind` with the snapshot's servers, in order.
fn check_destination_servers(
    vcpus: &[Arc<Vcpu>],
    kind: IrqType,
    saved: impl ExactSizeIterator<Item = u32>,
) -> Result<(), SnapshotError> {
    if saved.len() != vcpus.len() {
        return Err(SnapshotError::Incompatible(format!(
            "the snapshot's interrupt controller has {} presenters, this machine {} vCPUs",
            saved.len(),
            vcpus.len()
        )));
    }
    for (v, server) in vcpus.iter().zip(saved) {
        if v.irq_type() != kind || v.irq_server() != Some(server) {
            return Err(SnapshotError::Incompatible(format!(
                "vCPU {} presents {:?} as server {:?}; the snapshot has {kind:?} server {server}",
                v.id(),
                v.irq_type(),
                v.irq_server()
            )));
        }
    }
    Ok(())
}

/// Checks that every source the destination already has (the platform's own) is in the
/// snapshot: a source cannot be taken away.
fn check_destination_sources(
    fd: &DeviceFd,
    saved: impl Fn(u32) -> bool,
) -> Result<(), SnapshotError> {
    let have = fd
        .sources()
        .map_err(|e| refused("listing the destination's sources", &e))?;
    match have.into_iter().find(|&s| !saved(s)) {
        Some(s) => Err(SnapshotError::Incompatible(format!(
            "the destination created interrupt source {s:#x}, which the snapshot does not have"
        ))),
        None => Ok(()),
    }
}

/// Reads a list of items (sources), each starting with a u32 number that must ascend strictly
/// and lie in `range`, the rest of the item read by `item`.
fn numbered<T>(
    d: &mut Dec<'_>,
    what: &str,
    min_item: usize,
    range: std::ops::Range<u32>,
    mut item: impl FnMut(&mut Dec<'_>, u32) -> Result<T, SnapshotError>,
) -> Result<Vec<T>, SnapshotError> {
    let n = d.count(what, min_item)?;
    let mut out = Vec::with_capacity(n);
    let mut last: Option<u32> = None;
    for _ in 0..n {
        let num = d.u32(what)?;
        if !range.contains(&num) {
            return Err(section(format!(
                "{what} {num:#x} is outside {:#x}..{:#x}",
                range.start, range.end
            )));
        }
        if last.is_some_and(|l| l >= num) {
            return Err(section(format!(
                "{what} {num:#x} is out of order or repeated"
            )));
        }
        last = Some(num);
        out.push(item(d, num)?);
    }
    Ok(out)
}

/// Reads the presenter list: a u32 server below MAX_SERVERS, no two the same, then the rest.
fn presenters<T>(
    d: &mut Dec<'_>,
    min_item: usize,
    mut item: impl FnMut(&mut Dec<'_>, u32) -> Result<T, SnapshotError>,
) -> Result<Vec<T>, SnapshotError> {
    let n = d.count("presenters", min_item)?;
    let mut out = Vec::with_capacity(n);
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..n {
        let server = d.u32("a presenter's server")?;
        if server >= papr_hv::irq::MAX_SERVERS {
            return Err(section(format!(
                "presenter server {server} is beyond the largest server {}",
                papr_hv::irq::MAX_SERVERS - 1
            )));
        }
        if !seen.insert(server) {
            return Err(section(format!("server {server} has two presenters")));
        }
        out.push(item(d, server)?);
    }
    Ok(out)
}

/// Checks the routing server of a source: below MAX_SERVERS, and one of the presenters
/// unless `free` (the source is masked in a way that lets it name any server).
fn check_route(
    what: &str,
    server: u64,
    free: bool,
    present: &impl Fn(u32) -> bool,
) -> Result<(), SnapshotError> {
    let s = u32::try_from(server)
        .ok()
        .filter(|&s| s < papr_hv::irq::MAX_SERVERS)
        .ok_or_else(|| section(format!("{what} is routed to server {server}, out of range")))?;
    if !free && !present(s) {
        return Err(section(format!(
            "{what} is routed to server {s}, which no vCPU presents"
        )));
    }
    Ok(())
}

/// A restored presenter reads back: its one-reg `reg` is `saved`, its vCPU's line is `line`.
fn check_presenter<T: PartialEq + std::fmt::Debug>(
    v: &Vcpu,
    server: u32,
    reg: &str,
    saved: &T,
    now: Result<T, VmError>,
    line: bool,
) -> Result<(), SnapshotError> {
    let now = now.map_err(|e| refused(&format!("reading server {server}'s {reg}"), &e))?;
    check_read_back(&format!("server {server}'s {reg}"), saved, &now)?;
    check_line(v, line)
}

/// The external-interrupt line of each vCPU must be what the restored state derives.
fn check_line(v: &Vcpu, saved: bool) -> Result<(), SnapshotError> {
    let now = v.interrupt_line().is_raised();
    if now != saved {
        return Err(section(format!(
            "vCPU {}'s interrupt line was {} but the restored presenter derives {}",
            v.id(),
            if saved { "up" } else { "down" },
            if now { "up" } else { "down" }
        )));
    }
    Ok(())
}

/// A value read back after the restore must be the saved one.
fn check_read_back<T: PartialEq + std::fmt::Debug>(
    what: &str,
    saved: &T,
    now: &T,
) -> Result<(), SnapshotError> {
    if saved == now {
        Ok(())
    } else {
        Err(section(format!(
            "{what} reads back {now:x?} after restoring {saved:x?}: the payload is inconsistent"
        )))
    }
}
