//! Tests of the device framework, XICS and XIVE against the fact sheet (sections 6-8) and small
//! reference models.

// Test code casts small, known values (vCPU indices, register fields it just built).
#![allow(clippy::cast_possible_truncation)]

use std::sync::atomic::Ordering;
use std::sync::Arc;

use proptest::prelude::*;

use super::device::TEST_DESTROYS;
use super::xive::{attr as xattr, esb, XiveEq};
use super::*;
use crate::hcall::{nr, rc};
use crate::ledger::Kind;
use crate::{Vm, VmConfig, VmError};

const RAM: u64 = 2 << 20;

fn vm(n: u32) -> (Vm, Vec<Arc<Vcpu>>) {
    let mut cfg = VmConfig::with_ram(RAM);
    cfg.reserved_pool_bytes = 0;
    let vm = Vm::new(cfg).unwrap();
    let vcpus = (0..n).map(|i| vm.create_vcpu(i).unwrap()).collect();
    (vm, vcpus)
}

fn hc(vm: &Vm, v: &Vcpu, number: u64, args: &[u64]) -> HcallResult {
    let mut a = [0u64; 9];
    a[..args.len()].copy_from_slice(args);
    vm.hcall_result(v, number, &a)
}

fn rc_of(vm: &Vm, v: &Vcpu, number: u64, args: &[u64]) -> i64 {
    hc(vm, v, number, args).rc
}

// ---------------------------------------------------------------------------------------------
// Device framework

#[test]
fn one_irqchip_per_vm() {
    let (vm, _) = vm(1);
    let xics = vm.create_device(DeviceType::Xics).unwrap();
    assert!(matches!(
        vm.create_device(DeviceType::Xics),
        Err(VmError::Exists(_))
    ));
    assert!(matches!(
        vm.create_device(DeviceType::XiveNative),
        Err(VmError::Exists(_))
    ));
    assert_eq!(vm.irqchip(), Some(DeviceType::Xics));
    drop(xics);
    assert_eq!(vm.irqchip(), None);
    let xive = vm.create_device(DeviceType::XiveNative).unwrap();
    assert!(matches!(
        vm.create_device(DeviceType::Xics),
        Err(VmError::Exists(_))
    ));
    assert_eq!(
        vm.create_device(DeviceType::Xics).unwrap_err().errno(),
        libc::EEXIST
    );
    xive.close();
    assert!(vm.create_device(DeviceType::Xics).is_ok());
    assert_eq!(vm.probe_device(3), Ok(DeviceType::Xics));
    assert_eq!(vm.probe_device(9), Ok(DeviceType::XiveNative));
    assert!(matches!(vm.probe_device(1), Err(VmError::NoDevice(_))));
}

#[test]
fn a_live_mapping_keeps_the_device_until_the_last_one_goes() {
    let (vm, vcpus) = vm(2);
    let fd = vm.create_device(DeviceType::XiveNative).unwrap();
    for (i, v) in vcpus.iter().enumerate() {
        v.enable_cap(IrqCap::Xive, &fd, i as u32).unwrap();
    }
    let tima = fd.mmap(MapRegion::Tima).unwrap();
    let esb = fd.mmap(MapRegion::Esb).unwrap();
    let dup = fd.try_clone();
    drop(fd);
    drop(dup);
    // Closed, but the guest can still touch the pages: not released.
    assert_eq!(vm.irq_release_count(), 0);
    assert_eq!(vm.irqchip(), Some(DeviceType::XiveNative));
    assert_eq!(vcpus[0].irq_type(), IrqType::Xive);
    assert!(matches!(
        vm.create_device(DeviceType::Xics),
        Err(VmError::Exists(_))
    ));
    // The TIMA still works: CPPR store and read back.
    tima.write(&vcpus[1], (2 << 16) | 0x11, 1, 5);
    assert_eq!(tima.read(&vcpus[1], (2 << 16) | 0x11, 1), 5);
    drop(tima);
    assert_eq!(vm.irq_release_count(), 0);
    let gen = vm.partition_entry().generation();
    drop(esb);
    // The last reference: release ran exactly once.
    assert_eq!(vm.irq_release_count(), 1);
    assert_eq!(vm.irqchip(), None);
    assert!(
        vm.partition_entry().generation() > gen,
        "release invalidates"
    );
    for v in &vcpus {
        assert_eq!(v.irq_type(), IrqType::None);
        assert_eq!(v.irq_server(), None);
        assert!(!v.interrupt_line().is_raised());
    }
    let fd = vm.create_device(DeviceType::Xics).unwrap();
    vcpus[0].enable_cap(IrqCap::Xics, &fd, 0).unwrap();
    let gen = vm.partition_entry().generation();
    drop(fd);
    assert_eq!(vm.irq_release_count(), 2);
    assert!(
        vm.partition_entry().generation() > gen,
        "a release alone invalidates"
    );
    // So do mmap and unmapping.
    let fd = vm.create_device(DeviceType::XiveNative).unwrap();
    let gen = vm.partition_entry().generation();
    let m = fd.mmap(MapRegion::Tima).unwrap();
    let gen2 = vm.partition_entry().generation();
    assert!(gen2 > gen);
    drop(m);
    assert!(vm.partition_entry().generation() > gen2);
}

#[test]
fn release_frees_the_per_open_state_and_keeps_the_slot() {
    let (vm, vcpus) = vm(2);
    let base = vm.ledger();
    let fd = vm.create_device(DeviceType::XiveNative).unwrap();
    for (i, v) in vcpus.iter().enumerate() {
        v.enable_cap(IrqCap::Xive, &fd, i as u32).unwrap();
    }
    fd.set_attr(xattr::GRP_SOURCE, 0x1000, &AttrValue::U64(0))
        .unwrap();
    assert_eq!(
        rc_of(
            &vm,
            &vcpus[0],
            nr::H_INT_SET_QUEUE_CONFIG,
            &[1, 1, 6, 0x10000, 16]
        ),
        rc::H_SUCCESS
    );
    let r = vm.ledger();
    assert_eq!(r.bytes(Kind::QueuePages), 1 << 16);
    assert_eq!(r.objects(Kind::QueuePages), 1);
    // slot + open state + open device + 2 presenters + 1 source block
    assert_eq!(
        r.objects(Kind::DeviceState),
        base.objects(Kind::DeviceState) + 6
    );
    drop(fd);
    let r = vm.ledger();
    assert_eq!(r.bytes(Kind::QueuePages), 0);
    assert_eq!(
        r.objects(Kind::DeviceState),
        base.objects(Kind::DeviceState) + 1,
        "{r}"
    );
    let slot_bytes = r.bytes(Kind::DeviceState);
    // Reuse: the slot is not allocated again.
    let fd = vm.create_device(DeviceType::XiveNative).unwrap();
    drop(fd);
    assert_eq!(vm.ledger().bytes(Kind::DeviceState), slot_bytes);
    let ledger = vm.inner.ledger.clone();
    drop(vcpus);
    drop(vm);
    assert_eq!(ledger.report().bytes(Kind::DeviceState), 0);
    assert_eq!(ledger.report().objects(Kind::DeviceState), 0);
}

#[test]
fn a_type_without_release_is_destroyed_at_vm_drop_only() {
    let (vm, _) = vm(1);
    let before = TEST_DESTROYS.load(Ordering::Acquire);
    let fd = vm.create_device(DeviceType::TestNoRelease).unwrap();
    assert!(!DeviceType::TestNoRelease.has_release());
    assert!(DeviceType::Xics.has_release() && DeviceType::XiveNative.has_release());
    // Not an irqchip: XICS can still be created.
    let xics = vm.create_device(DeviceType::Xics).unwrap();
    drop(fd);
    assert_eq!(
        TEST_DESTROYS.load(Ordering::Acquire),
        before,
        "no release, no destroy yet"
    );
    drop(xics);
    let ledger = vm.inner.ledger.clone();
    drop(vm);
    assert_eq!(
        TEST_DESTROYS.load(Ordering::Acquire),
        before + 1,
        "destroyed once at VM drop"
    );
    assert_eq!(ledger.report().objects(Kind::DeviceState), 0);
}

#[test]
fn enable_cap_errors() {
    let (vm, vcpus) = vm(3);
    let (other, other_vcpus) = self::vm(1);
    let fd = vm.create_device(DeviceType::Xics).unwrap();
    let e = other_vcpus[0].enable_cap(IrqCap::Xics, &fd, 0).unwrap_err();
    assert_eq!(e.errno(), libc::EPERM);
    let e = vcpus[0].enable_cap(IrqCap::Xive, &fd, 0).unwrap_err();
    assert_eq!(e.errno(), libc::EPERM);
    fd.set_attr(
        xics::attr::GRP_CTRL,
        xics::attr::CTRL_NR_SERVERS,
        &AttrValue::U32(2),
    )
    .unwrap();
    let e = vcpus[0].enable_cap(IrqCap::Xics, &fd, 2).unwrap_err();
    assert_eq!(e.errno(), libc::EINVAL);
    vcpus[0].enable_cap(IrqCap::Xics, &fd, 1).unwrap();
    assert_eq!(vcpus[0].irq_type(), IrqType::Xics);
    assert_eq!(vcpus[0].irq_server(), Some(1));
    let e = vcpus[0].enable_cap(IrqCap::Xics, &fd, 0).unwrap_err();
    assert_eq!(e.errno(), libc::EBUSY);
    let e = vcpus[1].enable_cap(IrqCap::Xics, &fd, 1).unwrap_err();
    assert_eq!(e.errno(), libc::EEXIST);
    let e = fd
        .set_attr(
            xics::attr::GRP_CTRL,
            xics::attr::CTRL_NR_SERVERS,
            &AttrValue::U32(3),
        )
        .unwrap_err();
    assert_eq!(e.errno(), libc::EBUSY);
    assert!(fd.mmap(MapRegion::Tima).is_err(), "XICS has nothing to map");
    drop(fd);
    drop(other);
    // The same vCPU connects to the next device.
    let fd = vm.create_device(DeviceType::XiveNative).unwrap();
    let e = fd
        .set_attr(xattr::GRP_CTRL, xattr::CTRL_NR_SERVERS, &AttrValue::U32(0))
        .unwrap_err();
    assert_eq!(e.errno(), libc::EINVAL);
    let e = fd
        .set_attr(
            xattr::GRP_CTRL,
            xattr::CTRL_NR_SERVERS,
            &AttrValue::U32(MAX_SERVERS + 1),
        )
        .unwrap_err();
    assert_eq!(e.errno(), libc::EINVAL);
    vcpus[0].enable_cap(IrqCap::Xive, &fd, 1).unwrap();
    assert_eq!(vcpus[0].irq_type(), IrqType::Xive);
}

#[test]
fn hcalls_need_their_device() {
    let (vm, vcpus) = vm(2);
    let v = &vcpus[0];
    for n in [
        nr::H_XIRR,
        nr::H_CPPR,
        nr::H_EOI,
        nr::H_IPI,
        nr::H_IPOLL,
        nr::H_XIRR_X,
    ] {
        assert_eq!(rc_of(&vm, v, n, &[]), rc::H_FUNCTION);
    }
    for n in (nr::H_INT_GET_SOURCE_INFO..=nr::H_INT_RESET).step_by(4) {
        assert_eq!(rc_of(&vm, v, n, &[]), rc::H_FUNCTION);
    }
    let fd = vm.create_device(DeviceType::Xics).unwrap();
    assert_eq!(rc_of(&vm, v, nr::H_XIRR, &[]), rc::H_HARDWARE, "no ICP yet");
    v.enable_cap(IrqCap::Xics, &fd, 0).unwrap();
    assert_eq!(rc_of(&vm, v, nr::H_XIRR, &[]), rc::H_SUCCESS);
    assert_eq!(rc_of(&vm, v, nr::H_INT_RESET, &[0]), rc::H_FUNCTION);
    drop(fd);
    assert_eq!(rc_of(&vm, v, nr::H_XIRR, &[]), rc::H_FUNCTION);
    let fd = vm.create_device(DeviceType::XiveNative).unwrap();
    assert_eq!(rc_of(&vm, v, nr::H_CPPR, &[0xFF]), rc::H_FUNCTION);
    assert_eq!(rc_of(&vm, v, nr::H_INT_RESET, &[0]), rc::H_SUCCESS);
    assert_eq!(
        rc_of(&vm, v, nr::H_INT_SET_OS_REPORTING_LINE, &[0, 0]),
        rc::H_FUNCTION
    );
    assert_eq!(
        rc_of(&vm, v, nr::H_INT_GET_OS_REPORTING_LINE, &[0, 0, 0]),
        rc::H_FUNCTION
    );
    // Not an irq hcall: left to the others.
    assert!(handle_hcall(&vm.inner, v, 0x3D4, &[0; 9]).is_none());
    drop(fd);
}

#[test]
fn attribute_existence() {
    let (vm, _) = vm(1);
    let fd = vm.create_device(DeviceType::Xics).unwrap();
    assert!(fd.has_attr(xics::attr::GRP_SOURCES, 0x1000));
    assert!(!fd.has_attr(xics::attr::GRP_SOURCES, 15));
    assert!(!fd.has_attr(xics::attr::GRP_SOURCES, 1 << 20));
    assert!(fd.has_attr(xics::attr::GRP_CTRL, xics::attr::CTRL_NR_SERVERS));
    assert!(!fd.has_attr(9, 0));
    assert_eq!(fd.get_attr(9, 0).unwrap_err().errno(), libc::ENXIO);
    drop(fd);
    let fd = vm.create_device(DeviceType::XiveNative).unwrap();
    for a in [
        xattr::CTRL_RESET,
        xattr::CTRL_EQ_SYNC,
        xattr::CTRL_NR_SERVERS,
    ] {
        assert!(fd.has_attr(xattr::GRP_CTRL, a));
    }
    assert!(!fd.has_attr(xattr::GRP_CTRL, 4));
    assert!(fd.has_attr(xattr::GRP_SOURCE, 0xF_FFFF));
    assert!(!fd.has_attr(xattr::GRP_SOURCE, 1 << 20));
    assert!(fd.has_attr(xattr::GRP_EQ_CONFIG, 0));
    assert_eq!(
        fd.set_attr(xattr::GRP_SOURCE, 1 << 20, &AttrValue::U64(0))
            .unwrap_err()
            .errno(),
        libc::E2BIG
    );
    assert_eq!(
        fd.set_attr(xattr::GRP_SOURCE_CONFIG, 5, &AttrValue::U64(0))
            .unwrap_err()
            .errno(),
        libc::ENOENT
    );
    assert_eq!(
        fd.set_attr(xattr::GRP_SOURCE_SYNC, 5, &AttrValue::None)
            .unwrap_err()
            .errno(),
        libc::ENOENT
    );
    // A block exists once one of its sources does; its other sources are then -EINVAL.
    fd.set_attr(xattr::GRP_SOURCE, 4, &AttrValue::U64(0))
        .unwrap();
    assert!(fd
        .set_attr(xattr::GRP_SOURCE_SYNC, 4, &AttrValue::None)
        .is_ok());
    for g in [xattr::GRP_SOURCE_SYNC, xattr::GRP_SOURCE_CONFIG] {
        let e = fd.set_attr(g, 5, &AttrValue::U64(0)).unwrap_err();
        assert_eq!(e.errno(), libc::EINVAL, "group {g}");
    }
    assert_eq!(
        fd.get_attr(xattr::GRP_SOURCE, 5).unwrap_err().errno(),
        libc::EINVAL
    );
    assert_eq!(
        fd.get_attr(xattr::GRP_SOURCE, 1024).unwrap_err().errno(),
        libc::ENOENT
    );
    assert_eq!(
        fd.set_attr(xattr::GRP_EQ_CONFIG, 0, &AttrValue::Eq(XiveEq::default()))
            .unwrap_err()
            .errno(),
        libc::ENOENT,
        "no vCPU with server 0"
    );
}

// ---------------------------------------------------------------------------------------------
// XICS

fn xics_vm(n: u32) -> (Vm, Vec<Arc<Vcpu>>, DeviceFd) {
    let (vm, vcpus) = vm(n);
    let fd = vm.create_device(DeviceType::Xics).unwrap();
    for (i, v) in vcpus.iter().enumerate() {
        v.enable_cap(IrqCap::Xics, &fd, i as u32).unwrap();
    }
    (vm, vcpus, fd)
}

fn xics_source(fd: &DeviceFd, irq: u64, server: u64, prio: u64, lsi: bool) {
    let mut v = server | prio << xics::attr::PRIORITY_SHIFT;
    if lsi {
        v |= xics::attr::LEVEL_SENSITIVE;
    }
    fd.set_attr(xics::attr::GRP_SOURCES, irq, &AttrValue::U64(v))
        .unwrap();
}

#[test]
fn xics_msi_is_presented_accepted_and_eoied() {
    let (vm, vcpus, fd) = xics_vm(2);
    let v = &vcpus[1];
    xics_source(&fd, 0x1000, 1, 5, false);
    // Reset CPPR is 0: nothing is accepted yet.
    vm.irq_line(0x1000, true).unwrap();
    assert!(!v.interrupt_line().is_raised());
    assert_eq!(v.get_icp_state().unwrap() >> 56, 0);
    assert_eq!(rc_of(&vm, v, nr::H_CPPR, &[0xFF]), rc::H_SUCCESS);
    assert!(v.interrupt_line().is_raised(), "resend on CPPR lowering");
    let poll = hc(&vm, &vcpus[0], nr::H_IPOLL, &[1]);
    assert_eq!(poll.outputs(), &[0xFF00_1000, 0xFF]);
    let x = hc(&vm, v, nr::H_XIRR, &[]);
    assert_eq!(x.outputs(), &[0xFF00_1000]);
    assert!(!v.interrupt_line().is_raised());
    // CPPR is now the priority of the accepted interrupt.
    assert_eq!(hc(&vm, v, nr::H_IPOLL, &[1]).out[0], 0x0500_0000);
    // A second trigger while in service is queued (Q), not presented.
    vm.irq_line(0x1000, true).unwrap();
    assert!(!v.interrupt_line().is_raised());
    assert_eq!(rc_of(&vm, v, nr::H_EOI, &[0xFF00_1000]), rc::H_SUCCESS);
    // The queued one comes back.
    assert!(v.interrupt_line().is_raised());
    assert_eq!(hc(&vm, v, nr::H_XIRR_X, &[]).out[0], 0xFF00_1000);
    assert_eq!(rc_of(&vm, v, nr::H_EOI, &[0xFF00_1000]), rc::H_SUCCESS);
    assert!(!v.interrupt_line().is_raised());
    assert_eq!(
        hc(&vm, v, nr::H_XIRR, &[]).out[0],
        0xFF00_0000,
        "nothing left"
    );
    // Bad input.
    assert_eq!(rc_of(&vm, v, nr::H_EOI, &[0xFF00_1001]), rc::H_PARAMETER);
    assert_eq!(rc_of(&vm, v, nr::H_IPOLL, &[7]), rc::H_PARAMETER);
    assert_eq!(rc_of(&vm, v, nr::H_IPOLL, &[u64::MAX]), rc::H_PARAMETER);
    assert!(vm.irq_line(0x2000, true).is_err());
}

#[test]
fn xics_ipi_round_trip() {
    let (vm, vcpus, _fd) = xics_vm(2);
    for v in &vcpus {
        hc(&vm, v, nr::H_CPPR, &[0xFF]);
    }
    assert_eq!(rc_of(&vm, &vcpus[0], nr::H_IPI, &[1, 4]), rc::H_SUCCESS);
    assert!(vcpus[1].interrupt_line().is_raised());
    assert!(!vcpus[0].interrupt_line().is_raised());
    assert_eq!(
        hc(&vm, &vcpus[0], nr::H_IPOLL, &[1]).outputs(),
        &[0xFF00_0002, 4]
    );
    assert_eq!(hc(&vm, &vcpus[1], nr::H_XIRR, &[]).out[0], 0xFF00_0002);
    // MFRR is not cleared by the accept; the guest clears it.
    assert_eq!(
        hc(&vm, &vcpus[1], nr::H_IPOLL, &[1]).outputs(),
        &[0x0400_0000, 4]
    );
    hc(&vm, &vcpus[1], nr::H_IPI, &[1, 0xFF]);
    assert_eq!(
        rc_of(&vm, &vcpus[1], nr::H_EOI, &[0xFF00_0002]),
        rc::H_SUCCESS
    );
    assert!(!vcpus[1].interrupt_line().is_raised());
    assert_eq!(rc_of(&vm, &vcpus[0], nr::H_IPI, &[9, 4]), rc::H_PARAMETER);
}

#[test]
fn xics_lsi_represents_while_asserted() {
    let (vm, vcpus, fd) = xics_vm(1);
    let v = &vcpus[0];
    hc(&vm, v, nr::H_CPPR, &[0xFF]);
    xics_source(&fd, 0x1200, 0, 5, true);
    vm.irq_line(0x1200, true).unwrap();
    assert_eq!(hc(&vm, v, nr::H_XIRR, &[]).out[0], 0xFF00_1200);
    vm.irq_line(0x1200, true).unwrap();
    assert!(!v.interrupt_line().is_raised());
    hc(&vm, v, nr::H_EOI, &[0xFF00_1200]);
    assert!(
        v.interrupt_line().is_raised(),
        "still asserted: presented again"
    );
    assert_eq!(hc(&vm, v, nr::H_XIRR, &[]).out[0], 0xFF00_1200);
    vm.irq_line(0x1200, false).unwrap();
    hc(&vm, v, nr::H_EOI, &[0xFF00_1200]);
    assert!(!v.interrupt_line().is_raised());
    let a = fd.get_attr(xics::attr::GRP_SOURCES, 0x1200).unwrap();
    assert_eq!(a, AttrValue::U64(xics::attr::LEVEL_SENSITIVE | 5 << 32));
}

#[test]
fn xics_masked_pending_and_rtas() {
    let (vm, vcpus, fd) = xics_vm(2);
    let v = &vcpus[1];
    hc(&vm, v, nr::H_CPPR, &[0xFF]);
    xics_source(&fd, 0x1000, 0, 0xFF, false);
    assert_eq!(vm.rtas_get_xive(0x1000), Ok((0, 0xFF)));
    vm.irq_line(0x1000, true).unwrap();
    assert!(!v.interrupt_line().is_raised());
    let a = fd.get_attr(xics::attr::GRP_SOURCES, 0x1000).unwrap();
    let AttrValue::U64(a) = a else { panic!() };
    assert_ne!(
        a & xics::attr::PENDING,
        0,
        "masked pending is saved as PENDING"
    );
    assert_ne!(a & xics::attr::MASKED, 0);
    vm.rtas_set_xive(0x1000, 1, 5).unwrap();
    assert!(
        v.interrupt_line().is_raised(),
        "unmasking delivers the held interrupt"
    );
    assert_eq!(hc(&vm, v, nr::H_XIRR, &[]).out[0], 0xFF00_1000);
    hc(&vm, v, nr::H_EOI, &[0xFF00_1000]);
    vm.rtas_int_off(0x1000).unwrap();
    assert_eq!(vm.rtas_get_xive(0x1000), Ok((1, 0xFF)));
    vm.irq_line(0x1000, true).unwrap();
    assert!(!v.interrupt_line().is_raised());
    vm.rtas_int_on(0x1000).unwrap();
    assert_eq!(vm.rtas_get_xive(0x1000), Ok((1, 5)));
    assert!(v.interrupt_line().is_raised());
    // Errors: unknown source, unknown server, priority that is not a byte.
    assert_eq!(vm.rtas_set_xive(0x1001, 1, 5), Err(RtasError::Parameter));
    assert_eq!(vm.rtas_set_xive(0x1000, 7, 5), Err(RtasError::Parameter));
    assert_eq!(
        vm.rtas_set_xive(0x1000, 1, 0x100),
        Err(RtasError::Parameter)
    );
    assert_eq!(vm.rtas_int_on(3), Err(RtasError::Parameter));
    assert_eq!(RtasError::Parameter.status(), -3);
    drop(fd);
    assert_eq!(vm.rtas_get_xive(0x1000), Err(RtasError::Parameter));
}

#[test]
fn xics_up_cppr_rejects_and_down_cppr_resends() {
    let (vm, vcpus, fd) = xics_vm(1);
    let v = &vcpus[0];
    hc(&vm, v, nr::H_CPPR, &[0xFF]);
    xics_source(&fd, 0x1000, 0, 5, false);
    xics_source(&fd, 0x1001, 0, 3, false);
    vm.irq_line(0x1000, true).unwrap();
    assert!(v.interrupt_line().is_raised());
    // A more favoured one displaces the pending one (which is rejected for resend).
    vm.irq_line(0x1001, true).unwrap();
    assert_eq!(hc(&vm, v, nr::H_IPOLL, &[0]).out[0], 0xFF00_1001);
    // Raising CPPR above it rejects it too.
    hc(&vm, v, nr::H_CPPR, &[2]);
    assert!(!v.interrupt_line().is_raised());
    assert_eq!(hc(&vm, v, nr::H_IPOLL, &[0]).out[0], 0x0200_0000);
    // Lowering CPPR re-presents, most favoured first.
    hc(&vm, v, nr::H_CPPR, &[0xFF]);
    assert_eq!(hc(&vm, v, nr::H_XIRR, &[]).out[0], 0xFF00_1001);
    assert_eq!(rc_of(&vm, v, nr::H_EOI, &[0xFF00_1001]), rc::H_SUCCESS);
    assert_eq!(hc(&vm, v, nr::H_XIRR, &[]).out[0], 0xFF00_1000);
    // An IPI of better priority than the pending device interrupt wins.
    hc(&vm, v, nr::H_EOI, &[0xFF00_1000]);
    vm.irq_line(0x1000, true).unwrap();
    hc(&vm, v, nr::H_IPI, &[0, 4]);
    assert_eq!(hc(&vm, v, nr::H_XIRR, &[]).out[0], 0xFF00_0002);
    hc(&vm, v, nr::H_IPI, &[0, 0xFF]);
    hc(&vm, v, nr::H_EOI, &[0xFF00_0002]);
    assert_eq!(hc(&vm, v, nr::H_XIRR, &[]).out[0], 0xFF00_1000, "not lost");
}

#[test]
fn xics_icp_state_is_validated() {
    let (_vm, vcpus, fd) = xics_vm(1);
    xics_source(&fd, 0x1000, 0, 5, false);
    let v = &vcpus[0];
    assert_eq!(v.get_icp_state().unwrap(), 0xFF << 24 | 0xFF << 16);
    // (state, accepted, line after, why)
    let cases = [
        (icp(0xFF, 0, 0xFF, 0xFF), true, false, "idle"),
        (icp(0xFF, 0, 0xFF, 5), false, false, "no XISR, pending prio"),
        (
            icp(0xFF, 0x1000, 0xFF, 0xFF),
            false,
            false,
            "XISR, no pending prio",
        ),
        (icp(0xFF, 2, 4, 4), true, true, "an IPI"),
        (
            icp(0xFF, 2, 4, 5),
            true,
            true,
            "an IPI below MFRR: H_EOI, H_IPI",
        ),
        (icp(0xFF, 2, 0xFF, 4), true, true, "MFRR raised since"),
        (
            icp(3, 2, 4, 4),
            true,
            false,
            "CPPR raised by an H_EOI: line down",
        ),
        (icp(0xFF, 0x1000, 0xFF, 5), true, true, "a device interrupt"),
        (icp(0, 0x1000, 5, 5), true, false, "then H_EOI, H_IPI"),
        (icp(0xFF, 0x1001, 0xFF, 5), false, false, "no such source"),
    ];
    for (state, ok, line, why) in cases {
        let r = v.set_icp_state(state);
        assert_eq!(r.is_ok(), ok, "{why}: {r:?}");
        if let Err(e) = r {
            assert_eq!(e.errno(), libc::EINVAL, "{why}");
        }
        assert_eq!(v.interrupt_line().is_raised(), line, "{why}");
    }
    assert!(matches!(v.get_vp_state(), Err(VmError::NotPermitted(_))));
}

/// An ICP one-reg value.
fn icp(cppr: u64, xisr: u64, mfrr: u64, pending: u64) -> u64 {
    cppr << 56 | xisr << 32 | mfrr << 24 | pending << 16
}

/// One vCPU with CPPR open and an MSI 0x1000 at priority 5 routed to it.
fn xics_one_source() -> (Vm, Vec<Arc<Vcpu>>, DeviceFd) {
    let (vm, vcpus, fd) = xics_vm(1);
    xics_source(&fd, 0x1000, 0, 5, false);
    hc(&vm, &vcpus[0], nr::H_CPPR, &[0xFF]);
    (vm, vcpus, fd)
}

/// The states KVM's stricter ICP check refuses are reached by guest hcalls, and read back
/// and restore.
#[test]
fn xics_reachable_icp_states_round_trip() {
    let (vm, vcpus, _fd) = xics_one_source();
    let v = &vcpus[0];
    // An IPI still presented after MFRR was raised.
    hc(&vm, v, nr::H_IPI, &[0, 4]);
    hc(&vm, v, nr::H_IPI, &[0, 0xFF]);
    let s = v.get_icp_state().unwrap();
    assert_eq!(s, icp(0xFF, 2, 0xFF, 4));
    v.set_icp_state(s).unwrap();
    assert_eq!(v.get_icp_state().unwrap(), s);
    hc(&vm, v, nr::H_XIRR, &[]);
    // A device interrupt left at or above CPPR and MFRR: an H_EOI whose CPPR byte is 0, then
    // an H_IPI at its priority.
    hc(&vm, v, nr::H_EOI, &[0xFF00_0002]);
    vm.irq_line(0x1000, true).unwrap();
    hc(&vm, v, nr::H_EOI, &[0]);
    hc(&vm, v, nr::H_IPI, &[0, 5]);
    let s = v.get_icp_state().unwrap();
    assert_eq!(s, icp(0, 0x1000, 5, 5));
    v.set_icp_state(s).unwrap();
    assert_eq!(v.get_icp_state().unwrap(), s);
    // The same for an IPI: presented at 6, CPPR 0 by an H_EOI, then MFRR 3.
    let (vm, vcpus, _fd) = xics_one_source();
    let v = &vcpus[0];
    hc(&vm, v, nr::H_IPI, &[0, 6]);
    hc(&vm, v, nr::H_EOI, &[0]);
    hc(&vm, v, nr::H_IPI, &[0, 3]);
    let s = v.get_icp_state().unwrap();
    assert_eq!(s, icp(0, 2, 3, 6));
    v.set_icp_state(s).unwrap();
    assert_eq!(v.get_icp_state().unwrap(), s);
}

/// Restoring an ICP keeps its need-resend mark unless MFRR becomes less favoured; then the
/// refused sources are retried at once.
#[test]
fn xics_icp_restore_keeps_or_runs_resends() {
    let (vm, vcpus, fd) = xics_one_source();
    let v = &vcpus[0];
    hc(&vm, v, nr::H_IPI, &[0, 3]);
    hc(&vm, v, nr::H_XIRR, &[]); // CPPR 3
    hc(&vm, v, nr::H_IPI, &[0, 0xFF]);
    vm.irq_line(0x1000, true).unwrap(); // refused: resend
    let src = |fd: &DeviceFd| match fd.get_attr(xics::attr::GRP_PAPR_SOURCE_STATE, 0x1000) {
        Ok(AttrValue::U64(s)) => s,
        other => panic!("{other:?}"),
    };
    assert_eq!(src(&fd), xics::attr::STATE_RESEND);
    // Same MFRR: the mark stays, the EOI's CPPR drop presents the source.
    v.set_icp_state(v.get_icp_state().unwrap()).unwrap();
    hc(&vm, v, nr::H_EOI, &[0xFF00_0002]);
    assert_eq!(hc(&vm, v, nr::H_XIRR, &[]).out[0], 0xFF00_1000);
    hc(&vm, v, nr::H_EOI, &[0xFF00_1000]);
    // Refused again; a restore that raises MFRR retries it at once.
    hc(&vm, v, nr::H_IPI, &[0, 2]);
    hc(&vm, v, nr::H_XIRR, &[]); // CPPR 2
    vm.irq_line(0x1000, true).unwrap();
    assert_eq!(src(&fd), xics::attr::STATE_RESEND);
    v.set_icp_state(icp(0xFF, 0, 0xFF, 0xFF)).unwrap();
    assert_eq!(src(&fd), 0);
    assert_eq!(v.get_icp_state().unwrap(), icp(0xFF, 0x1000, 0xFF, 5));
}

/// papr's source-state group: what GRP_SOURCES folds into PENDING, read and restored exactly.
#[test]
fn xics_papr_source_state() {
    let (vm, vcpus, fd) = xics_vm(1);
    xics_source(&fd, 0x1000, 0, 5, true);
    xics_source(&fd, 0x1001, 0, 5, false);
    let get = |irq| match fd.get_attr(xics::attr::GRP_PAPR_SOURCE_STATE, irq) {
        Ok(AttrValue::U64(s)) => s,
        other => panic!("{other:?}"),
    };
    let set = |irq, s| fd.set_attr(xics::attr::GRP_PAPR_SOURCE_STATE, irq, &AttrValue::U64(s));
    assert!(fd.has_attr(xics::attr::GRP_PAPR_SOURCE_STATE, 0x1000));
    assert_eq!(get(0x1000), 0);
    // CPPR 0: the asserted LSI is refused, then its line drops.
    vm.irq_line(0x1000, true).unwrap();
    assert_eq!(
        get(0x1000),
        xics::attr::STATE_ASSERTED | xics::attr::STATE_RESEND
    );
    vm.irq_line(0x1000, false).unwrap();
    assert_eq!(get(0x1000), xics::attr::STATE_RESEND);
    // KVM's word shows it presented and not pending: the resend is only visible here.
    let AttrValue::U64(w) = fd.get_attr(xics::attr::GRP_SOURCES, 0x1000).unwrap() else {
        panic!()
    };
    assert_eq!(
        w & (xics::attr::PENDING | xics::attr::PRESENTED),
        xics::attr::PRESENTED
    );
    // Validation.
    assert_eq!(
        set(0x1001, xics::attr::STATE_ASSERTED).unwrap_err().errno(),
        libc::EINVAL
    );
    assert_eq!(set(0x1001, 8).unwrap_err().errno(), libc::EINVAL);
    assert_eq!(set(0x1002, 0).unwrap_err().errno(), libc::ENOENT);
    assert_eq!(
        fd.get_attr(xics::attr::GRP_PAPR_SOURCE_STATE, 0x1002)
            .unwrap_err()
            .errno(),
        libc::ENOENT
    );
    // A set delivers nothing, and a resend mark makes the ICP retry at its next CPPR drop.
    set(0x1001, xics::attr::STATE_RESEND).unwrap();
    assert!(!vcpus[0].interrupt_line().is_raised());
    hc(&vm, &vcpus[0], nr::H_CPPR, &[0xFF]);
    let x = hc(&vm, &vcpus[0], nr::H_XIRR, &[]).out[0];
    assert!(x == 0xFF00_1000 || x == 0xFF00_1001, "{x:#x}");
    assert_eq!(fd.sources().unwrap(), vec![0x1000, 0x1001]);
}

#[test]
fn xics_source_attributes_are_validated() {
    let (_vm, _vcpus, fd) = xics_vm(1);
    let set = |irq, v| fd.set_attr(xics::attr::GRP_SOURCES, irq, &AttrValue::U64(v));
    assert_eq!(set(15, 0).unwrap_err().errno(), libc::ENOENT);
    assert_eq!(set(1 << 20, 0).unwrap_err().errno(), libc::ENOENT);
    assert_eq!(
        set(0x1000, 7 | 5 << 32).unwrap_err().errno(),
        libc::EINVAL,
        "no server 7"
    );
    assert!(set(0x1000, 7 | 0xFF << 32).is_ok(), "masked: any server");
    assert_eq!(
        fd.get_attr(xics::attr::GRP_SOURCES, 0x1001)
            .unwrap_err()
            .errno(),
        libc::ENOENT
    );
    assert!(fd
        .set_attr(xics::attr::GRP_SOURCES, 0x1000, &AttrValue::U32(0))
        .is_err());
}

/// Saves the XICS state (sources and ICPs) and restores it into a new VM.
#[test]
fn xics_save_restore_keeps_pending_interrupts() {
    let (vm, vcpus, fd) = xics_vm(2);
    for v in &vcpus {
        hc(&vm, v, nr::H_CPPR, &[0xFF]);
    }
    xics_source(&fd, 0x1000, 0, 5, false);
    xics_source(&fd, 0x1001, 1, 5, false);
    xics_source(&fd, 0x1002, 1, 0xFF, false);
    xics_source(&fd, 0x1003, 1, 6, true);
    vm.irq_line(0x1000, true).unwrap(); // presented on server 0
    vm.irq_line(0x1001, true).unwrap(); // presented on server 1 ...
    assert_eq!(hc(&vm, &vcpus[1], nr::H_XIRR, &[]).out[0], 0xFF00_1001); // ... accepted
    vm.irq_line(0x1001, true).unwrap(); // queued behind the one in service
    vm.irq_line(0x1002, true).unwrap(); // masked pending
    vm.irq_line(0x1003, true).unwrap(); // asserted LSI, held back by CPPR 5
    hc(&vm, &vcpus[0], nr::H_IPI, &[1, 3]); // IPI on server 1
    let icps: Vec<u64> = vcpus.iter().map(|v| v.get_icp_state().unwrap()).collect();
    let srcs: Vec<(u64, AttrValue)> = (0x1000..0x1004)
        .map(|i| (i, fd.get_attr(xics::attr::GRP_SOURCES, i).unwrap()))
        .collect();

    let (vm2, vcpus2, fd2) = xics_vm(2);
    // Sources exist (masked, as at device setup) before the ICPs that name them.
    for (i, _) in &srcs {
        xics_source(&fd2, *i, 0, 0xFF, false);
    }
    for (v, s) in vcpus2.iter().zip(&icps) {
        v.set_icp_state(*s).unwrap();
    }
    for (i, a) in &srcs {
        fd2.set_attr(xics::attr::GRP_SOURCES, *i, a).unwrap();
    }
    let icps2: Vec<u64> = vcpus2.iter().map(|v| v.get_icp_state().unwrap()).collect();
    assert_eq!(icps, icps2);
    for (i, a) in &srcs {
        assert_eq!(
            &fd2.get_attr(xics::attr::GRP_SOURCES, *i).unwrap(),
            a,
            "source {i:#x}"
        );
    }
    // Same behaviour from here on in both.
    for (vm, vcpus) in [(&vm, &vcpus), (&vm2, &vcpus2)] {
        let mut seen = Vec::new();
        assert_eq!(hc(vm, &vcpus[0], nr::H_XIRR, &[]).out[0], 0xFF00_1000);
        let x = hc(vm, &vcpus[1], nr::H_XIRR, &[]).out[0];
        assert_eq!(x, 0x0500_0002, "the IPI beats CPPR 5");
        hc(vm, &vcpus[1], nr::H_IPI, &[1, 0xFF]);
        hc(vm, &vcpus[1], nr::H_EOI, &[0x0500_0002]);
        hc(vm, &vcpus[1], nr::H_EOI, &[0xFF00_1001]);
        vm.rtas_set_xive(0x1002, 1, 7).unwrap();
        loop {
            let x = hc(vm, &vcpus[1], nr::H_XIRR, &[]).out[0];
            if x & 0xFF_FFFF == 0 {
                break;
            }
            seen.push(x);
            vm.irq_line(0x1003, false).unwrap();
            hc(vm, &vcpus[1], nr::H_EOI, &[(x & 0xFF_FFFF) | 0xFF00_0000]);
        }
        assert_eq!(seen, vec![0xFF00_1001, 0xFF00_1003, 0xFF00_1002]);
    }
}

/// One step of the XICS property test.
#[derive(Debug, Clone)]
enum XOp {
    Trigger(u8),
    Cppr(u8, u8),
    Ipi(u8, u8),
    Accept(u8),
    Eoi(u8),
    SetXive(u8, u8, u8),
}

fn xop() -> impl Strategy<Value = XOp> {
    prop_oneof![
        4 => (0u8..6).prop_map(XOp::Trigger),
        2 => (0u8..2, prop_oneof![0u8..8, Just(0xFF)]).prop_map(|(s, c)| XOp::Cppr(s, c)),
        1 => (0u8..2, prop_oneof![0u8..8, Just(0xFF)]).prop_map(|(s, m)| XOp::Ipi(s, m)),
        3 => (0u8..2).prop_map(XOp::Accept),
        3 => (0u8..2).prop_map(XOp::Eoi),
        1 => (0u8..6, 0u8..2, prop_oneof![0u8..8, Just(0xFF)])
            .prop_map(|(i, s, p)| XOp::SetXive(i, s, p)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// XICS rules against a small model: whatever the guest did, (1) the line of each vCPU is
    /// up exactly when its ICP holds an interrupt more favoured than CPPR, (2) an accepted
    /// interrupt was more favoured than CPPR and the IPI only when MFRR allowed it, and (3) no
    /// interrupt is lost: once the guest EOIs what it holds, opens CPPR and clears MFRR,
    /// draining each server returns every source still owed, most favoured first, and leaves
    /// no source presented.
    #[test]
    fn xics_priority_rules_lose_nothing(ops in proptest::collection::vec(xop(), 1..80)) {
        let (vm, vcpus, fd) = xics_vm(2);
        let prios = [5u64, 4, 6, 3, 5, 7];
        for (i, p) in prios.iter().enumerate() {
            xics_source(&fd, 0x1000 + i as u64, i as u64 % 2, *p, false);
        }
        let mut prio = prios.map(|p| p as u8);
        let mut hist = prios.map(|p| 1u64 << p);
        // In service (accepted, not yet EOIed) per server, as a stack; the CPPR to restore.
        let mut held: [Vec<(u64, u8)>; 2] = [Vec::new(), Vec::new()];
        for op in ops {
            match op {
                XOp::Trigger(i) => vm.irq_line(0x1000 + u32::from(i), true).unwrap(),
                XOp::Cppr(s, c) => {
                    hc(&vm, &vcpus[usize::from(s)], nr::H_CPPR, &[u64::from(c)]);
                }
                XOp::Ipi(s, m) => {
                    hc(&vm, &vcpus[0], nr::H_IPI, &[u64::from(s), u64::from(m)]);
                }
                XOp::Accept(s) => {
                    let v = &vcpus[usize::from(s)];
                    let before = v.get_icp_state().unwrap();
                    let (cppr, mfrr) = ((before >> 56) as u8, (before >> 24) as u8);
                    let raised = v.interrupt_line().is_raised();
                    let x = hc(&vm, v, nr::H_XIRR, &[]).out[0];
                    let irq = x & 0xFF_FFFF;
                    let p = (before >> 16) as u8;
                    prop_assert_eq!(x >> 24, u64::from(cppr));
                    // With the line up, the accept returns an interrupt more favoured than
                    // CPPR. (With it down an XISR can still be returned: KVM does not reject
                    // on an H_EOI that raises CPPR, a guest error PAPR lets it ignore.)
                    if raised {
                        prop_assert!(irq != 0 && p < cppr, "line up, accepted {:#x}", x);
                    } else if irq != 0 {
                        prop_assert!(p >= cppr, "deliverable {:#x} but line down", x);
                    }
                    if irq != 0 && irq != 2 {
                        prop_assert!(p < mfrr || !raised);
                        // The priority it was presented at: its current one, or an older
                        // one if ibm,set-xive changed it after presentation.
                        prop_assert!(hist[(irq - 0x1000) as usize] & (1u64 << (p & 63)) != 0);
                    }
                    if irq != 0 {
                        held[usize::from(s)].push((irq, cppr));
                    }
                }
                XOp::Eoi(s) => {
                    if let Some((irq, cppr)) = held[usize::from(s)].pop() {
                        let v = &vcpus[usize::from(s)];
                        prop_assert_eq!(
                            rc_of(&vm, v, nr::H_EOI, &[u64::from(cppr) << 24 | irq]),
                            rc::H_SUCCESS
                        );
                    }
                }
                XOp::SetXive(i, s, p) => {
                    let irq = 0x1000 + u32::from(i);
                    vm.rtas_set_xive(irq, u32::from(s), u32::from(p)).unwrap();
                    if p != 0xFF {
                        prio[usize::from(i)] = p;
                        hist[usize::from(i)] |= 1 << (p & 63);
                    }
                }
            }
            if let Some(e) = vm.inner.irq.xics.get() {
                e.check_invariants();
            }
            for v in &vcpus {
                let st = v.get_icp_state().unwrap();
                let (cppr, xisr, pp) = ((st >> 56) as u8, (st >> 32) & 0xFF_FFFF, (st >> 16) as u8);
                prop_assert_eq!(v.interrupt_line().is_raised(), xisr != 0 && pp < cppr);
            }
        }
        // The guest finishes what it holds, unmasks everything, opens up and drains.
        for (s, h) in held.iter_mut().enumerate() {
            while let Some((irq, cppr)) = h.pop() {
                hc(&vm, &vcpus[s], nr::H_EOI, &[u64::from(cppr) << 24 | irq]);
            }
        }
        for i in 0..6u32 {
            let (server, p) = vm.rtas_get_xive(0x1000 + i).unwrap();
            if p == 0xFF {
                vm.rtas_set_xive(0x1000 + i, server, 5).unwrap();
                prio[i as usize] = 5;
            }
        }
        for (s, v) in vcpus.iter().enumerate() {
            hc(&vm, &vcpus[0], nr::H_IPI, &[s as u64, 0xFF]);
            hc(&vm, v, nr::H_CPPR, &[0xFF]);
        }
        // Drain every server until a whole pass finds nothing (an EOI on one server can
        // re-present a source that ibm,set-xive moved to the other).
        for _pass in 0..8 {
            let mut any = false;
            for v in vcpus.iter() {
                let mut last = 0u8;
                for _ in 0..64 {
                    let p = (v.get_icp_state().unwrap() >> 16) as u8;
                    let x = hc(&vm, v, nr::H_XIRR, &[]).out[0];
                    let irq = x & 0xFF_FFFF;
                    if irq == 0 {
                        break;
                    }
                    any = true;
                    let mut queued = false;
                    if irq != 2 {
                        prop_assert!(p >= last, "drained out of priority order");
                        last = p;
                        let AttrValue::U64(a) =
                            fd.get_attr(xics::attr::GRP_SOURCES, irq).unwrap()
                        else {
                            unreachable!()
                        };
                        queued = a & xics::attr::QUEUED != 0;
                    }
                    hc(&vm, v, nr::H_EOI, &[0xFF00_0000 | irq]);
                    if queued {
                        // A second event arrived while in service: it is new, and comes
                        // back at the source's current priority.
                        last = 0;
                    }
                }
            }
            if !any {
                break;
            }
        }
        for i in 0..6u64 {
            let AttrValue::U64(a) = fd.get_attr(xics::attr::GRP_SOURCES, 0x1000 + i).unwrap()
            else { unreachable!() };
            prop_assert_eq!(
                a & (xics::attr::PRESENTED | xics::attr::QUEUED | xics::attr::PENDING),
                0,
                "source {:#x} still owed: {:#x}", 0x1000 + i, a
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// XIVE

struct Xive {
    vm: Vm,
    vcpus: Vec<Arc<Vcpu>>,
    fd: DeviceFd,
    tima: Mapping,
    esb: Mapping,
}

const TIMA_OS: u64 = 2 << 16;

/// A XIVE device as a Linux guest sets it up: IPI sources 0..n and device sources
/// 0x1000..0x1004, each vCPU's priority-6 queue at page i+1, every source routed (EISN = lisn
/// + 0x100) to vCPU (lisn % n) at priority 6 and unmasked, CPPR 0xFF.
fn xive_vm(n: u32) -> Xive {
    let (vm, vcpus) = vm(n);
    let fd = vm.create_device(DeviceType::XiveNative).unwrap();
    fd.set_attr(xattr::GRP_CTRL, xattr::CTRL_NR_SERVERS, &AttrValue::U32(n))
        .unwrap();
    for (i, v) in vcpus.iter().enumerate() {
        v.enable_cap(IrqCap::Xive, &fd, i as u32).unwrap();
    }
    let lisns: Vec<u64> = (0..u64::from(n)).chain(0x1000..0x1004).collect();
    for &l in &lisns {
        fd.set_attr(xattr::GRP_SOURCE, l, &AttrValue::U64(0))
            .unwrap();
    }
    let tima = fd.mmap(MapRegion::Tima).unwrap();
    let esb = fd.mmap(MapRegion::Esb).unwrap();
    let x = Xive {
        vm,
        vcpus,
        fd,
        tima,
        esb,
    };
    for (i, v) in x.vcpus.iter().enumerate() {
        let page = (i as u64 + 1) << 16;
        assert_eq!(
            x.rc(nr::H_INT_SET_QUEUE_CONFIG, &[1, i as u64, 6, page, 16]),
            0
        );
        x.tima.write(v, TIMA_OS | 0x11, 1, 0xFF);
    }
    for &l in &lisns {
        let target = l % u64::from(n);
        assert_eq!(
            x.rc(nr::H_INT_SET_SOURCE_CONFIG, &[2, l, target, 6, l + 0x100]),
            0
        );
        assert_eq!(x.esb_load(l, esb::SET_PQ_00), 1, "sources start at PQ 01");
    }
    x
}

impl Xive {
    fn hc(&self, number: u64, args: &[u64]) -> HcallResult {
        hc(&self.vm, &self.vcpus[0], number, args)
    }
    fn rc(&self, number: u64, args: &[u64]) -> i64 {
        self.hc(number, args).rc
    }
    fn trigger(&self, lisn: u64) {
        self.esb.write(&self.vcpus[0], lisn << 17, 8, 0);
    }
    fn esb_load(&self, lisn: u64, off: u64) -> u64 {
        self.esb
            .read(&self.vcpus[0], (lisn << 17) | (1 << 16) | off, 8)
    }
    fn ack(&self, v: usize) -> u64 {
        self.tima.read(&self.vcpus[v], TIMA_OS | 0x810, 2)
    }
    fn os_ring(&self, v: usize) -> u64 {
        self.tima.read(&self.vcpus[v], TIMA_OS | 0x10, 8)
    }
    /// Queue entry `i` of vCPU `v`'s priority-6 queue.
    fn entry(&self, v: usize, i: u64) -> u32 {
        self.vm
            .ram()
            .read_be32(((v as u64 + 1) << 16) + 4 * i)
            .unwrap()
    }
}

#[test]
fn xive_trigger_reaches_the_queue_and_the_presenter() {
    let x = xive_vm(2);
    let v1 = &x.vcpus[1];
    assert!(!v1.interrupt_line().is_raised());
    x.trigger(0x1001);
    // Entry: generation 1, EISN.
    assert_eq!(x.entry(1, 0), 0x8000_0000 | 0x1101);
    assert!(v1.interrupt_line().is_raised());
    // NSR EO, CPPR FF, IPB bit 6, LSMFB, ACK, INC, AGE, PIPR 6.
    assert_eq!(x.os_ring(1), 0x80FF_02FF_FF00_FF06);
    // A second trigger before the EOI only sets Q.
    x.trigger(0x1001);
    assert_eq!(x.entry(1, 1), 0);
    assert_eq!(x.esb_load(0x1001, esb::GET), 3);
    // Acknowledge: pre-ack NSR and the new CPPR (= PIPR).
    assert_eq!(x.ack(1), 0x8006);
    assert!(!v1.interrupt_line().is_raised());
    assert_eq!(x.os_ring(1) >> 48, 0x0006);
    // Load-EOI with Q set re-notifies (returns 1); the IPB bit is set again but CPPR 6 holds
    // it back until the guest restores CPPR.
    assert_eq!(x.esb_load(0x1001, 0), 1);
    assert_eq!(x.entry(1, 1), 0x8000_1101);
    assert!(!v1.interrupt_line().is_raised());
    x.tima.write(v1, TIMA_OS | 0x11, 1, 0xFF);
    assert!(v1.interrupt_line().is_raised());
    assert_eq!(x.ack(1), 0x8006);
    assert_eq!(x.esb_load(0x1001, 0), 0);
    assert_eq!(x.esb_load(0x1001, esb::GET), 0);
    x.tima.write(v1, TIMA_OS | 0x11, 1, 0xFF);
    assert!(!v1.interrupt_line().is_raised());
    assert_eq!(x.ack(1), 0x00FF, "no event: CPPR unchanged");
    // vCPU 0 saw nothing.
    assert_eq!(x.entry(0, 0), 0);
    assert!(!x.vcpus[0].interrupt_line().is_raised());
}

#[test]
fn xive_ipi_round_trip_and_masking() {
    let x = xive_vm(2);
    // IPI to vCPU 1 = trigger of LISN 1.
    x.trigger(1);
    assert!(x.vcpus[1].interrupt_line().is_raised());
    assert_eq!(x.ack(1), 0x8006);
    assert_eq!(x.entry(1, 0), 0x8000_0101);
    assert_eq!(x.esb_load(1, 0), 0);
    x.tima.write(&x.vcpus[1], TIMA_OS | 0x11, 1, 0xFF);
    // Mask (PQ 01): triggers are dropped; unmask returns the old PQ.
    assert_eq!(x.esb_load(1, esb::SET_PQ_01), 0);
    x.trigger(1);
    assert_eq!(x.entry(1, 1), 0);
    assert_eq!(x.esb_load(1, esb::SET_PQ_00), 1);
    // EAS masked (SET_SOURCE_CONFIG with MASK): the event is dropped at the EAS, PQ stays P.
    assert_eq!(x.rc(nr::H_INT_SET_SOURCE_CONFIG, &[1, 1, 1, 6, 0]), 0);
    assert_eq!(
        x.hc(nr::H_INT_GET_SOURCE_CONFIG, &[0, 1]).outputs(),
        &[1, 0xFF, 0x101]
    );
    x.trigger(1);
    assert_eq!(x.entry(1, 1), 0);
    assert_eq!(x.esb_load(1, esb::GET), 2);
    assert!(!x.vcpus[1].interrupt_line().is_raised());
}

#[test]
fn xive_queue_wraps_and_flips_the_generation() {
    let x = xive_vm(1);
    let entries = 1u64 << 14;
    for i in 0..entries + 2 {
        x.trigger(0x1000);
        assert_eq!(x.esb_load(0x1000, 0), 0, "EOI {i}");
    }
    assert_eq!(x.entry(0, entries - 1), 0x8000_1100);
    assert_eq!(x.entry(0, 0), 0x0000_1100, "second lap: generation 0");
    assert_eq!(x.entry(0, 1), 0x0000_1100);
    assert_eq!(x.entry(0, 2), 0x8000_1100, "not yet overwritten");
    let q = x.hc(nr::H_INT_GET_QUEUE_CONFIG, &[1, 0, 6]);
    assert_eq!(
        q.outputs(),
        &[1, 0x10000, 16, 2],
        "debug: generation 0, index 2"
    );
    let AttrValue::Eq(eq) = x.fd.get_attr(xattr::GRP_EQ_CONFIG, 6).unwrap() else {
        panic!()
    };
    assert_eq!(
        eq,
        XiveEq {
            flags: 1,
            qshift: 16,
            qaddr: 0x10000,
            qtoggle: 0,
            qindex: 2
        }
    );
}

#[test]
fn xive_hcall_arguments_are_validated() {
    let x = xive_vm(2);
    let base = xive::DEFAULT_ESB_BASE + (0x1000 << 17);
    let info = x.hc(nr::H_INT_GET_SOURCE_INFO, &[0, 0x1000]);
    assert_eq!(info.rc, 0);
    assert_eq!(info.outputs(), &[0, base + 0x10000, base, 16]);
    let cases: &[(u64, &[u64], i64)] = &[
        (nr::H_INT_GET_SOURCE_INFO, &[1, 0x1000], rc::H_PARAMETER),
        (nr::H_INT_GET_SOURCE_INFO, &[0, 0x1004], rc::H_P2),
        (nr::H_INT_GET_SOURCE_INFO, &[0, u64::MAX], rc::H_P2),
        (
            nr::H_INT_SET_SOURCE_CONFIG,
            &[4, 0x1000, 0, 6, 1],
            rc::H_PARAMETER,
        ),
        (nr::H_INT_SET_SOURCE_CONFIG, &[0, 0x2000, 0, 6, 1], rc::H_P2),
        (nr::H_INT_SET_SOURCE_CONFIG, &[0, 0x1000, 2, 6, 1], rc::H_P3),
        (nr::H_INT_SET_SOURCE_CONFIG, &[0, 0x1000, 0, 7, 1], rc::H_P4),
        (
            nr::H_INT_SET_SOURCE_CONFIG,
            &[0, 0x1000, 0, 0xFE, 1],
            rc::H_P4,
        ),
        (nr::H_INT_GET_SOURCE_CONFIG, &[1, 0x1000], rc::H_PARAMETER),
        (nr::H_INT_GET_SOURCE_CONFIG, &[0, 5], rc::H_P2),
        (nr::H_INT_GET_QUEUE_INFO, &[1, 0, 6], rc::H_PARAMETER),
        (nr::H_INT_GET_QUEUE_INFO, &[0, 2, 6], rc::H_P2),
        (nr::H_INT_GET_QUEUE_INFO, &[0, 0, 7], rc::H_P3),
        (
            nr::H_INT_SET_QUEUE_CONFIG,
            &[2, 0, 6, 0x30000, 16],
            rc::H_PARAMETER,
        ),
        (
            nr::H_INT_SET_QUEUE_CONFIG,
            &[0, 0, 6, 0x30000, 16],
            rc::H_PARAMETER,
        ),
        (
            nr::H_INT_SET_QUEUE_CONFIG,
            &[1, 9, 6, 0x30000, 16],
            rc::H_P2,
        ),
        (
            nr::H_INT_SET_QUEUE_CONFIG,
            &[1, 0, 7, 0x30000, 16],
            rc::H_P3,
        ),
        (
            nr::H_INT_SET_QUEUE_CONFIG,
            &[1, 0, 6, 0x30100, 16],
            rc::H_P4,
        ),
        (nr::H_INT_SET_QUEUE_CONFIG, &[1, 0, 6, RAM, 16], rc::H_P4),
        (
            nr::H_INT_SET_QUEUE_CONFIG,
            &[1, 0, 6, u64::MAX << 16, 16],
            rc::H_P4,
        ),
        (
            nr::H_INT_SET_QUEUE_CONFIG,
            &[1, 0, 6, 0x30000, 12],
            rc::H_P5,
        ),
        (
            nr::H_INT_SET_QUEUE_CONFIG,
            &[1, 0, 6, 0x30000, 21],
            rc::H_P5,
        ),
        (nr::H_INT_GET_QUEUE_CONFIG, &[2, 0, 6], rc::H_PARAMETER),
        (nr::H_INT_GET_QUEUE_CONFIG, &[0, 0, 0xFF], rc::H_P3),
        (nr::H_INT_GET_QUEUE_CONFIG, &[0, 3, 6], rc::H_P2),
        (nr::H_INT_ESB, &[2, 0x1000, 0, 0], rc::H_PARAMETER),
        (nr::H_INT_ESB, &[0, 0x1004, 0, 0], rc::H_P2),
        (nr::H_INT_ESB, &[0, 0x1000, 0x10000, 0], rc::H_P3),
        (nr::H_INT_SYNC, &[1, 0x1000], rc::H_PARAMETER),
        (nr::H_INT_SYNC, &[0, 0x1004], rc::H_P2),
        (nr::H_INT_SYNC, &[0, 0x1000], rc::H_SUCCESS),
        (nr::H_INT_RESET, &[1], rc::H_PARAMETER),
    ];
    for (n, args, want) in cases {
        assert_eq!(x.rc(*n, args), *want, "hcall {n:#x} {args:x?}");
    }
    // Refused queue configurations changed nothing and registered nothing.
    assert_eq!(x.vm.ledger().objects(Kind::QueuePages), 2);
    assert_eq!(
        x.hc(nr::H_INT_GET_QUEUE_INFO, &[0, 1, 6]).outputs(),
        &[xive::DEFAULT_END_ESB_BASE + ((1 << 3 | 6) << 17), 16]
    );
    assert_eq!(x.hc(nr::H_INT_GET_QUEUE_INFO, &[0, 1, 5]).outputs()[1], 0);
    // Disabling a queue unregisters its page.
    assert_eq!(x.rc(nr::H_INT_SET_QUEUE_CONFIG, &[0, 1, 6, 0, 0]), 0);
    assert_eq!(x.vm.ledger().objects(Kind::QueuePages), 1);
    assert_eq!(
        x.hc(nr::H_INT_GET_QUEUE_CONFIG, &[0, 1, 6]).outputs(),
        &[0, 0, 0, 0]
    );
    // H_INT_ESB on a source: a load returns the op's value, a store answers -1.
    assert_eq!(
        x.hc(nr::H_INT_ESB, &[0, 0x1000, esb::SET_PQ_01, 0])
            .outputs(),
        &[0]
    );
    assert_eq!(
        x.hc(nr::H_INT_ESB, &[0, 0x1000, esb::GET, 0]).outputs(),
        &[1]
    );
    assert_eq!(
        x.hc(nr::H_INT_ESB, &[1, 0x1000, 0, 0]).outputs(),
        &[u64::MAX]
    );
}

#[test]
fn xive_platform_places_the_pages_and_lsis_use_h_int_esb() {
    let x = xive_vm(1);
    let set = |a, v| {
        x.fd.set_attr(xattr::GRP_PAPR_PLATFORM, a, &AttrValue::U64(v))
    };
    set(xattr::PLATFORM_ESB_BASE, 0x1_0000_0000).unwrap();
    assert!(
        set(xattr::PLATFORM_ESB_BASE, 0x1_0000_1000).is_err(),
        "alignment"
    );
    assert!(
        set(xattr::PLATFORM_ESB_BASE, u64::MAX << 17).is_err(),
        "region beyond 2^64"
    );
    assert!(set(xattr::PLATFORM_TIMA_BASE, u64::MAX << 16).is_err());
    assert!(set(xattr::PLATFORM_END_ESB_BASE, u64::MAX << 20).is_err());
    assert!(set(xattr::PLATFORM_TIMA_BASE, 1 << 40).is_ok());
    set(xattr::PLATFORM_STORE_EOI, 1).unwrap();
    let info = x.hc(nr::H_INT_GET_SOURCE_INFO, &[0, 3]);
    assert_eq!(info.rc, rc::H_P2);
    let info = x.hc(nr::H_INT_GET_SOURCE_INFO, &[0, 0]);
    assert_eq!(info.outputs(), &[1, 0x1_0001_0000, 0x1_0000_0000, 16]);
    // Store-EOI now offered: a store at 0x400 of the management page EOIs.
    x.trigger(0);
    x.trigger(0);
    x.esb.write(&x.vcpus[0], (1 << 16) | 0x400, 8, 0);
    assert_eq!(x.esb_load(0, esb::GET), 2, "11 -> 10 by store-EOI");
    // An LSI.
    x.fd.set_attr(xattr::GRP_SOURCE, 0x1200, &AttrValue::U64(1))
        .unwrap();
    assert_eq!(
        x.rc(nr::H_INT_SET_SOURCE_CONFIG, &[2, 0x1200, 0, 5, 0x77]),
        0
    );
    let info = x.hc(nr::H_INT_GET_SOURCE_INFO, &[0, 0x1200]);
    assert_eq!(info.outputs(), &[0xD, u64::MAX, u64::MAX, 16]);
    assert_eq!(
        x.hc(nr::H_INT_ESB, &[0, 0x1200, esb::SET_PQ_00, 0]).out[0],
        1
    );
    // A trigger while the line is low does nothing; asserting notifies.
    x.trigger(0x1200);
    assert_eq!(x.hc(nr::H_INT_ESB, &[0, 0x1200, esb::GET, 0]).out[0], 0);
    x.vm.irq_line(0x1200, true).unwrap();
    assert_eq!(x.hc(nr::H_INT_ESB, &[0, 0x1200, esb::GET, 0]).out[0], 2);
    assert_eq!(
        x.fd.get_attr(xattr::GRP_SOURCE, 0x1200).unwrap(),
        AttrValue::U64(3),
        "level-sensitive, asserted"
    );
    // EOI while still asserted re-notifies.
    assert_eq!(x.hc(nr::H_INT_ESB, &[0, 0x1200, 0, 0]).out[0], 1);
    x.vm.irq_line(0x1200, false).unwrap();
    assert_eq!(x.hc(nr::H_INT_ESB, &[0, 0x1200, 0, 0]).out[0], 0);
    assert_eq!(x.hc(nr::H_INT_ESB, &[0, 0x1200, esb::GET, 0]).out[0], 0);
}

#[test]
fn xive_mmio_is_validated() {
    let x = xive_vm(2);
    let v = &x.vcpus[0];
    // TIMA: only the OS page; widths and alignment checked; only a byte store sets CPPR.
    assert!(matches!(
        x.tima.try_read(v, 0x810, 2),
        Err(MmioError::Unbacked { page: 0 })
    ));
    assert!(matches!(
        x.tima.try_read(v, 3 << 16, 2),
        Err(MmioError::Unbacked { page: 3 })
    ));
    assert!(x.tima.try_read(v, TIMA_OS | 0x810, 4).is_err());
    assert!(x.tima.try_read(v, TIMA_OS | 0x811, 1).is_err());
    assert!(x.tima.try_read(v, TIMA_OS | 0x12, 4).is_err(), "misaligned");
    assert!(x.tima.try_read(v, TIMA_OS | 0x10, 3).is_err());
    assert!(
        x.tima.try_read(v, 4 << 16, 1).is_err(),
        "beyond the mapping"
    );
    assert_eq!(x.tima.read(v, TIMA_OS | 0x11, 1), 0xFF);
    assert_eq!(
        x.tima.read(v, TIMA_OS | 0x18, 4),
        0x8000_0400,
        "OS CAM: valid, NVT 0x400"
    );
    assert_eq!(x.tima.read(&x.vcpus[1], TIMA_OS | 0x18, 4), 0x8000_0401);
    assert_eq!(x.tima.read(v, TIMA_OS, 8), 0, "QW0");
    x.tima.write(v, TIMA_OS | 0x11, 1, 9);
    assert_eq!(
        x.tima.read(v, TIMA_OS | 0x11, 1),
        0xFF,
        "CPPR above 7 means 0xFF"
    );
    x.tima.write(v, TIMA_OS | 0x10, 2, 0x0003);
    assert_eq!(
        x.tima.read(v, TIMA_OS | 0x11, 1),
        0xFF,
        "only a byte store sets CPPR"
    );
    x.tima.write(v, TIMA_OS | 0x12, 1, 0xFF);
    assert_eq!(x.tima.read(v, TIMA_OS | 0x12, 1), 0, "IPB is read-only");
    assert_eq!(
        x.tima.read(v, 0x810, 2),
        0xFFFF,
        "refused loads read all-ones"
    );
    // A vCPU of the VM that is not connected.
    let lone = x.vm.create_vcpu(7).unwrap();
    assert!(matches!(
        x.tima.try_read(&lone, TIMA_OS | 0x810, 2),
        Err(MmioError::NotConnected { vcpu: 7 })
    ));
    // ESB: unknown source, bad widths, trigger-page loads.
    assert!(matches!(
        x.esb.try_read(v, 0x1004 << 17 | 1 << 16, 8),
        Err(MmioError::NoSource { lisn: 0x1004 })
    ));
    assert!(x.esb.try_read(v, 0x1000 << 17 | 1 << 16 | 4, 8).is_err());
    assert!(x.esb.try_read(v, xive::ESB_REGION_SIZE, 8).is_err());
    assert!(x.esb.try_read(v, u64::MAX - 7, 8).is_err());
    assert_eq!(
        x.esb.read(v, 0x1000 << 17, 8),
        u64::MAX,
        "trigger-page load"
    );
    assert_eq!(
        x.esb.read(v, 0x1000 << 17 | 1 << 16 | 0x800, 1),
        0,
        "byte-wide get"
    );
    assert_eq!(
        x.esb.read(v, 0x1000 << 17 | 1 << 16 | 0x1800, 8),
        0,
        "ops repeat per 4K"
    );
    assert_eq!(x.esb.size(), xive::ESB_REGION_SIZE);
    assert_eq!(x.tima.size(), 4 << 16);
}

#[test]
fn xive_reset_masks_everything() {
    let x = xive_vm(2);
    x.trigger(0x1000);
    assert_eq!(x.rc(nr::H_INT_RESET, &[0]), 0);
    assert_eq!(x.vm.ledger().objects(Kind::QueuePages), 0);
    for l in [0u64, 1, 0x1000, 0x1003] {
        assert_eq!(
            x.hc(nr::H_INT_GET_SOURCE_CONFIG, &[0, l]).outputs(),
            &[0, 0xFF, 0]
        );
        assert_eq!(x.esb_load(l, esb::GET), 1, "PQ 01");
    }
    assert_eq!(x.hc(nr::H_INT_GET_QUEUE_INFO, &[0, 0, 6]).outputs()[1], 0);
    // The CTRL attribute does the same.
    assert_eq!(x.rc(nr::H_INT_SET_QUEUE_CONFIG, &[1, 0, 6, 0x10000, 16]), 0);
    x.fd.set_attr(xattr::GRP_CTRL, xattr::CTRL_RESET, &AttrValue::None)
        .unwrap();
    assert_eq!(x.vm.ledger().objects(Kind::QueuePages), 0);
    x.fd.set_attr(xattr::GRP_CTRL, xattr::CTRL_EQ_SYNC, &AttrValue::None)
        .unwrap();
}

#[test]
fn xive_attributes_are_validated() {
    let x = xive_vm(2);
    let sc = |l, v| {
        x.fd.set_attr(xattr::GRP_SOURCE_CONFIG, l, &AttrValue::U64(v))
    };
    assert_eq!(
        sc(0x1000, 7).unwrap_err().errno(),
        libc::EINVAL,
        "priority 7"
    );
    assert_eq!(
        sc(0x1000, 5 | 2 << 3).unwrap_err().errno(),
        libc::EINVAL,
        "server 2"
    );
    assert!(
        sc(0x1000, 5 | 2 << 3 | 1 << 32).is_ok(),
        "masked: server unchecked"
    );
    let eq = |i, e| x.fd.set_attr(xattr::GRP_EQ_CONFIG, i, &AttrValue::Eq(e));
    let good = XiveEq {
        flags: 1,
        qshift: 16,
        qaddr: 0x50000,
        qtoggle: 1,
        qindex: 0,
    };
    assert!(eq(5, good).is_ok());
    assert_eq!(
        eq(7, good).unwrap_err().errno(),
        libc::EINVAL,
        "reserved priority"
    );
    assert_eq!(
        eq(2 << 3 | 5, good).unwrap_err().errno(),
        libc::ENOENT,
        "no server 2"
    );
    for bad in [
        XiveEq { flags: 0, ..good },
        XiveEq { qshift: 12, ..good },
        XiveEq {
            qaddr: 0x50004,
            ..good
        },
        XiveEq { qaddr: RAM, ..good },
        XiveEq { qtoggle: 2, ..good },
        XiveEq {
            qindex: 1 << 14,
            ..good
        },
    ] {
        assert_eq!(eq(5, bad).unwrap_err().errno(), libc::EINVAL, "{bad:?}");
    }
    assert!(x
        .fd
        .set_attr(xattr::GRP_EQ_CONFIG, 5, &AttrValue::U64(0))
        .is_err());
    assert!(eq(5, XiveEq::default()).is_ok(), "qshift 0 disables");
    assert_eq!(
        x.fd.get_attr(xattr::GRP_EQ_CONFIG, 5).unwrap(),
        AttrValue::Eq(XiveEq::default())
    );
    // VP state: CPPR must be a priority or 0xFF.
    let v = &x.vcpus[0];
    assert!(v.set_vp_state([0x0009_0000_0000_0000, 0]).is_err());
    assert!(matches!(v.get_icp_state(), Err(VmError::NoDevice(_))));
}

/// Saves the whole XIVE state through the attributes, ESB loads and VP_STATE (the KVM
/// migration sequence) and restores it into a new VM.
#[test]
fn xive_save_restore_keeps_pending_events_and_queue_positions() {
    let x = xive_vm(2);
    // Some history: vCPU 1 has an event it has not acknowledged, source 0x1001 is pending
    // with Q set, 0x1002 is masked with a trigger remembered, the queues are mid-way.
    for _ in 0..5 {
        x.trigger(0x1000);
        x.esb_load(0x1000, 0);
    }
    x.trigger(0x1001);
    x.trigger(0x1001);
    x.esb_load(0x1002, esb::SET_PQ_01);
    assert_eq!(x.rc(nr::H_INT_SET_SOURCE_CONFIG, &[1, 0x1003, 0, 3, 0]), 0);
    x.tima.write(&x.vcpus[0], TIMA_OS | 0x11, 1, 0x5);

    // Save: mask every source with set-PQ-01, keeping the old PQ (KVM's sequence).
    let lisns: Vec<u64> = vec![0, 1, 0x1000, 0x1001, 0x1002, 0x1003];
    let pqs: Vec<u64> = lisns
        .iter()
        .map(|&l| x.esb_load(l, esb::SET_PQ_01))
        .collect();
    x.fd.set_attr(xattr::GRP_CTRL, xattr::CTRL_EQ_SYNC, &AttrValue::None)
        .unwrap();
    let eqs: Vec<(u64, AttrValue)> = (0..2u64)
        .flat_map(|s| (0..7u64).map(move |p| s << 3 | p))
        .map(|i| (i, x.fd.get_attr(xattr::GRP_EQ_CONFIG, i).unwrap()))
        .collect();
    let srcs: Vec<(u64, AttrValue, AttrValue)> = lisns
        .iter()
        .map(|&l| {
            (
                l,
                x.fd.get_attr(xattr::GRP_SOURCE, l).unwrap(),
                x.fd.get_attr(xattr::GRP_SOURCE_CONFIG, l).unwrap(),
            )
        })
        .collect();
    let vps: Vec<[u64; 2]> = x.vcpus.iter().map(|v| v.get_vp_state().unwrap()).collect();
    let mut ram = vec![0u8; RAM as usize];
    x.vm.ram().read(0, &mut ram).unwrap();
    // The source side continues: put the PQs back.
    for (&l, &pq) in lisns.iter().zip(&pqs) {
        x.esb_load(l, esb::SET_PQ_00 + (pq << 8));
    }

    // Restore into a new VM: EQs, sources, routing, VP state, then PQ.
    let (vm2, vcpus2) = vm(2);
    vm2.ram().write(0, &ram).unwrap();
    let fd2 = vm2.create_device(DeviceType::XiveNative).unwrap();
    fd2.set_attr(xattr::GRP_CTRL, xattr::CTRL_NR_SERVERS, &AttrValue::U32(2))
        .unwrap();
    for (i, v) in vcpus2.iter().enumerate() {
        v.enable_cap(IrqCap::Xive, &fd2, i as u32).unwrap();
    }
    for (i, e) in &eqs {
        fd2.set_attr(xattr::GRP_EQ_CONFIG, *i, e).unwrap();
    }
    for (l, s, c) in &srcs {
        fd2.set_attr(xattr::GRP_SOURCE, *l, s).unwrap();
        fd2.set_attr(xattr::GRP_SOURCE_CONFIG, *l, c).unwrap();
    }
    for (v, s) in vcpus2.iter().zip(&vps) {
        v.set_vp_state(*s).unwrap();
    }
    let tima2 = fd2.mmap(MapRegion::Tima).unwrap();
    let esb2 = fd2.mmap(MapRegion::Esb).unwrap();
    let x2 = Xive {
        vm: vm2,
        vcpus: vcpus2,
        fd: fd2,
        tima: tima2,
        esb: esb2,
    };
    for (&l, &pq) in lisns.iter().zip(&pqs) {
        assert_eq!(x2.esb_load(l, esb::SET_PQ_00 + (pq << 8)), 1);
    }
    assert_eq!(x2.vm.ledger().objects(Kind::QueuePages), 2);

    // Identical behaviour from here on.
    let run = |x: &Xive| -> Vec<u64> {
        let mut out = Vec::new();
        for v in 0..2 {
            out.push(x.os_ring(v));
            out.push(u64::from(x.vcpus[v].interrupt_line().is_raised()));
        }
        for l in [0x1000u64, 0x1001, 0x1002, 0x1003, 0, 1] {
            x.trigger(l);
            out.push(x.esb_load(l, esb::GET));
        }
        for v in 0..2 {
            x.tima.write(&x.vcpus[v], TIMA_OS | 0x11, 1, 0xFF);
            out.push(x.ack(v));
            out.push(x.os_ring(v));
        }
        out.push(x.esb_load(0x1001, 0));
        for v in 0..2 {
            for i in 0..8 {
                out.push(u64::from(x.entry(v, i)));
            }
        }
        for (s, p) in [(0u64, 6u64), (1, 6), (0, 3)] {
            out.extend_from_slice(x.hc(nr::H_INT_GET_QUEUE_CONFIG, &[1, s, p]).outputs());
        }
        out
    };
    let a = run(&x);
    let b = run(&x2);
    assert_eq!(a, b);
    // And the history really was there: queue 0 continued after entry 4, vCPU 1 had an event.
    assert_eq!(a[1], 0);
    assert_eq!(a[3], 1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The ESB PQ state machine against the fact sheet's table (7.2), through the mapping:
    /// every load/store's return value, the PQ after it, and whether an event reached the
    /// queue.
    #[test]
    fn esb_pq_machine_matches_the_table(ops in proptest::collection::vec((0u8..8, 0u8..4), 1..60)) {
        let x = xive_vm(1);
        let mut pq = 0u8;
        let mut events = 0u64;
        for (op, arg) in ops {
            let before_events = events;
            let (want_ret, notify) = match op {
                // Trigger (store to the trigger page).
                0 | 1 => {
                    x.trigger(0x1000);
                    let n = pq == 0;
                    pq = match pq { 0 => 2, 2 | 3 => 3, p => p };
                    (None, n)
                }
                // Load-EOI.
                2 | 3 => {
                    let r = x.esb_load(0x1000, u64::from(arg) * 0x200);
                    let n = pq == 3;
                    pq = match pq { 3 => 2, 2 => 0, p => p };
                    prop_assert_eq!(r, u64::from(n));
                    (None, n)
                }
                // Get.
                4 => (Some(x.esb_load(0x1000, 0x800 + u64::from(arg) * 0x100)), false),
                // Set PQ.
                5 | 6 => {
                    let r = x.esb_load(0x1000, 0xC00 + (u64::from(arg) << 8) + 0x40);
                    let old = pq;
                    pq = arg;
                    prop_assert_eq!(r, u64::from(old));
                    (None, false)
                }
                // Management-page store below 0x400: a trigger too.
                _ => {
                    x.esb.write(&x.vcpus[0], 0x1000 << 17 | 1 << 16 | (u64::from(arg) * 0x100), 8, 0);
                    let n = pq == 0;
                    pq = match pq { 0 => 2, 2 | 3 => 3, p => p };
                    (None, n)
                }
            };
            if notify {
                events += 1;
            }
            if let Some(r) = want_ret {
                prop_assert_eq!(r, u64::from(pq));
            }
            prop_assert_eq!(x.esb_load(0x1000, 0x800), u64::from(pq));
            // Events land in the queue in order, generation 1.
            if events > before_events {
                prop_assert_eq!(x.entry(0, events - 1), 0x8000_1100);
            }
            prop_assert_eq!(x.entry(0, events), 0);
        }
    }

    /// The TIMA OS ring against a model: IPB/PIPR/CPPR/NSR after notifications at random
    /// priorities, CPPR stores and acknowledges; the line follows PIPR < CPPR.
    #[test]
    fn tima_ack_and_cppr_match_the_model(
        ops in proptest::collection::vec((0u8..3, 0u8..9), 1..80)
    ) {
        let (vm, vcpus) = vm(1);
        let fd = vm.create_device(DeviceType::XiveNative).unwrap();
        vcpus[0].enable_cap(IrqCap::Xive, &fd, 0).unwrap();
        let tima = fd.mmap(MapRegion::Tima).unwrap();
        let esb = fd.mmap(MapRegion::Esb).unwrap();
        let v = &vcpus[0];
        // One source and one queue per priority 0..=6.
        for p in 0..7u64 {
            fd.set_attr(xattr::GRP_SOURCE, p, &AttrValue::U64(0)).unwrap();
            let q = (p + 1) << 16;
            prop_assert_eq!(hc(&vm, v, nr::H_INT_SET_QUEUE_CONFIG, &[1, 0, p, q, 16]).rc, 0);
            prop_assert_eq!(hc(&vm, v, nr::H_INT_SET_SOURCE_CONFIG, &[2, p, 0, p, 1]).rc, 0);
            esb.read(v, p << 17 | 1 << 16 | 0xC00, 8);
        }
        let (mut ipb, mut cppr) = (0u8, 0u8);
        let pipr = |ipb: u8| if ipb == 0 { 0xFF } else { ipb.leading_zeros() as u8 };
        for (op, arg) in ops {
            match op {
                0 => {
                    // Notify at priority arg (0..=6): trigger then EOI so the source rearms.
                    let p = u64::from(arg % 7);
                    esb.write(v, p << 17, 8, 0);
                    esb.read(v, p << 17 | 1 << 16, 8);
                    ipb |= 0x80 >> (arg % 7);
                }
                1 => {
                    let val = if arg == 8 { 0xFF } else { arg };
                    tima.write(v, TIMA_OS | 0x11, 1, u64::from(val));
                    cppr = if val > 7 { 0xFF } else { val };
                }
                _ => {
                    let got = tima.read(v, TIMA_OS | 0x810, 2);
                    let eo = pipr(ipb) < cppr;
                    let nsr = if eo { 0x80u64 } else { 0 };
                    if eo {
                        cppr = pipr(ipb);
                        ipb &= !(0x80 >> cppr);
                    }
                    prop_assert_eq!(got, nsr << 8 | u64::from(cppr));
                }
            }
            let eo = pipr(ipb) < cppr;
            let ring = tima.read(v, TIMA_OS | 0x10, 8);
            prop_assert_eq!(ring >> 56, if eo { 0x80 } else { 0 }, "NSR");
            prop_assert_eq!((ring >> 48) & 0xFF, u64::from(cppr), "CPPR");
            prop_assert_eq!((ring >> 40) & 0xFF, u64::from(ipb), "IPB");
            prop_assert_eq!(ring & 0xFF, u64::from(pipr(ipb)), "PIPR");
            prop_assert_eq!(v.interrupt_line().is_raised(), eo);
        }
    }
}

#[test]
fn harness_smoke() {
    // The fuzz harness on a few hand-made inputs (more in tests/irq_fuzz_corpus.rs).
    fuzz_harness::run(&[]);
    fuzz_harness::run(&[1, 1, 0, 3, 0, 3, 1, 14, 1, 2, 3, 4, 5, 6, 13, 0, 0, 2]);
    fuzz_harness::run(&[0, 0, 14, 5, 5, 10, 1, 13, 2, 0, 1]);
}

/// GRP_SOURCE re-initialises a source's trigger type and level from its flags, and the
/// device lists the sources it has.
#[test]
fn xive_source_create_reinitialises_and_sources_are_listed() {
    let x = xive_vm(2);
    let src = |l| match x.fd.get_attr(xattr::GRP_SOURCE, l) {
        Ok(AttrValue::U64(v)) => v,
        other => panic!("{other:?}"),
    };
    let lsi_asserted = xattr::SOURCE_LEVEL_SENSITIVE | xattr::SOURCE_LEVEL_ASSERTED;
    x.fd.set_attr(xattr::GRP_SOURCE, 0x1000, &AttrValue::U64(lsi_asserted))
        .unwrap();
    assert_eq!(src(0x1000), lsi_asserted);
    x.fd.set_attr(xattr::GRP_SOURCE, 0x1000, &AttrValue::U64(0))
        .unwrap();
    assert_eq!(src(0x1000), 0, "back to an MSI");
    x.fd.set_attr(
        xattr::GRP_SOURCE,
        0x1000,
        &AttrValue::U64(xattr::SOURCE_LEVEL_ASSERTED),
    )
    .unwrap();
    assert_eq!(src(0x1000), 0, "an MSI has no level");
    x.fd.set_attr(xattr::GRP_SOURCE, 0x5_0000, &AttrValue::U64(0))
        .unwrap();
    assert_eq!(
        x.fd.sources().unwrap(),
        vec![0, 1, 0x1000, 0x1001, 0x1002, 0x1003, 0x5_0000]
    );
}
