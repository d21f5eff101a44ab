//! Interrupt-controller hot paths: ESB trigger -> event in the guest's queue -> presenter
//! raised; IPI send -> acknowledge -> EOI round trips (XICS and XIVE); an empty function call
//! as the floor. Numbers go in docs/PERFORMANCE.md.

// Small, known values (vCPU indices) are cast.
#![allow(clippy::cast_possible_truncation)]

use std::hint::black_box;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use papr_hv::hcall::{nr, HcallArgs};
use papr_hv::irq::xive::attr as xattr;
use papr_hv::irq::{AttrValue, DeviceFd, DeviceType, IrqCap, MapRegion, Mapping};
use papr_hv::{Vcpu, Vm, VmConfig};

const TIMA_OS: u64 = 2 << 16;

fn args(a: &[u64]) -> HcallArgs {
    let mut x = [0; 9];
    x[..a.len()].copy_from_slice(a);
    x
}

#[inline(never)]
fn empty(x: u64) -> u64 {
    x
}

fn floor(c: &mut Criterion) {
    let mut g = c.benchmark_group("reference");
    g.throughput(Throughput::Elements(1));
    g.bench_function("empty_call", |b| b.iter(|| empty(black_box(1))));
    g.finish();
}

struct Xive {
    vm: Vm,
    vcpus: Vec<Arc<Vcpu>>,
    _fd: DeviceFd,
    tima: Mapping,
    esb: Mapping,
}

fn xive() -> Xive {
    let mut cfg = VmConfig::with_ram(16 << 20);
    cfg.reserved_pool_bytes = 0;
    let vm = Vm::new(cfg).unwrap();
    let vcpus: Vec<Arc<Vcpu>> = (0..2).map(|i| vm.create_vcpu(i).unwrap()).collect();
    let fd = vm.create_device(DeviceType::XiveNative).unwrap();
    fd.set_attr(xattr::GRP_CTRL, xattr::CTRL_NR_SERVERS, &AttrValue::U32(2))
        .unwrap();
    for (i, v) in vcpus.iter().enumerate() {
        v.enable_cap(IrqCap::Xive, &fd, i as u32).unwrap();
    }
    let tima = fd.mmap(MapRegion::Tima).unwrap();
    let esb = fd.mmap(MapRegion::Esb).unwrap();
    for (i, v) in vcpus.iter().enumerate() {
        let i = i as u64;
        fd.set_attr(xattr::GRP_SOURCE, i, &AttrValue::U64(0))
            .unwrap();
        let q = (i + 1) << 16;
        let r = vm.hcall_result(v, nr::H_INT_SET_QUEUE_CONFIG, &args(&[1, i, 6, q, 16]));
        assert_eq!(r.rc, 0);
        let r = vm.hcall_result(v, nr::H_INT_SET_SOURCE_CONFIG, &args(&[2, i, i, 6, 0x10]));
        assert_eq!(r.rc, 0);
        esb.read(v, i << 17 | 1 << 16 | 0xC00, 8);
        tima.write(v, TIMA_OS | 0x11, 1, 0xFF);
    }
    Xive {
        vm,
        vcpus,
        _fd: fd,
        tima,
        esb,
    }
}

fn xive_paths(c: &mut Criterion) {
    let x = xive();
    let (v0, v1) = (&x.vcpus[0], &x.vcpus[1]);
    let mut g = c.benchmark_group("xive");
    g.throughput(Throughput::Elements(1));
    // Trigger -> queue entry -> IPB -> line up; then the EOI (with Q clear) re-arms the
    // source, and an ack + CPPR store resets the presenter so every iteration does the full
    // delivery.
    g.bench_function("esb_trigger_to_queue_and_line", |b| {
        b.iter(|| {
            x.esb.write(v0, 1 << 17, 8, 0);
            assert!(v1.interrupt_line().is_raised());
            black_box(x.tima.read(v1, TIMA_OS | 0x810, 2));
            x.esb.read(v0, 1 << 17 | 1 << 16, 8);
            x.tima.write(v1, TIMA_OS | 0x11, 1, 0xFF);
        })
    });
    // The guest's IPI round trip: trigger the target's IPI source, acknowledge on the target,
    // read the queue entry, load-EOI, restore CPPR.
    let mut idx = 0u64;
    g.bench_function("ipi_send_ack_eoi", |b| {
        b.iter(|| {
            x.esb.write(v0, 1 << 17, 8, 0);
            let ack = x.tima.read(v1, TIMA_OS | 0x810, 2);
            debug_assert_eq!(ack, 0x8006);
            black_box(x.vm.ram().read_be32((2 << 16) + 4 * idx).unwrap());
            idx = (idx + 1) % (1 << 14);
            black_box(x.esb.read(v1, 1 << 17 | 1 << 16, 8));
            x.tima.write(v1, TIMA_OS | 0x11, 1, 0xFF);
        })
    });
    g.finish();
}

fn xics_paths(c: &mut Criterion) {
    let mut cfg = VmConfig::with_ram(16 << 20);
    cfg.reserved_pool_bytes = 0;
    let vm = Vm::new(cfg).unwrap();
    let vcpus: Vec<Arc<Vcpu>> = (0..2).map(|i| vm.create_vcpu(i).unwrap()).collect();
    let fd = vm.create_device(DeviceType::Xics).unwrap();
    for (i, v) in vcpus.iter().enumerate() {
        v.enable_cap(IrqCap::Xics, &fd, i as u32).unwrap();
        vm.hcall_result(v, nr::H_CPPR, &args(&[0xFF]));
    }
    fd.set_attr(1, 0x1000, &AttrValue::U64(1 | 5 << 32))
        .unwrap();
    let (v0, v1) = (&vcpus[0], &vcpus[1]);
    let mut g = c.benchmark_group("xics");
    g.throughput(Throughput::Elements(1));
    g.bench_function("ipi_send_ack_eoi", |b| {
        b.iter(|| {
            vm.hcall_result(v0, nr::H_IPI, &args(&[1, 4]));
            let x = vm.hcall_result(v1, nr::H_XIRR, &args(&[])).out[0];
            debug_assert_eq!(x, 0xFF00_0002);
            vm.hcall_result(v1, nr::H_IPI, &args(&[1, 0xFF]));
            vm.hcall_result(v1, nr::H_EOI, &args(&[black_box(x)]));
        })
    });
    g.bench_function("irq_line_to_accept_eoi", |b| {
        b.iter(|| {
            vm.irq_line(0x1000, true).unwrap();
            let x = vm.hcall_result(v1, nr::H_XIRR, &args(&[])).out[0];
            debug_assert_eq!(x, 0xFF00_1000);
            vm.hcall_result(v1, nr::H_EOI, &args(&[black_box(x)]));
        })
    });
    g.finish();
    drop(fd);
}

criterion_group!(benches, floor, xive_paths, xics_paths);
criterion_main!(benches);
