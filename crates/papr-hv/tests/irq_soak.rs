//! Mode-switch soak: 10 000 cycles of "create XICS, connect every vCPU, deliver interrupts,
//! close; create XIVE, connect, map, deliver, close". After a warm-up cycle (which allocates
//! the two slot objects, freed only when the VM drops), the ledger's device-state and
//! queue-page lines and a counting global allocator (independent of the ledger) are back at
//! their baseline after every cycle; no vCPU is left pointing at a released device; dropping
//! the VM returns everything.

// Small, known values (vCPU indices) are cast.
#![allow(clippy::cast_possible_truncation)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::Arc;

use papr_hv::hcall::{nr, rc, HcallResult};
use papr_hv::irq::xive::attr as xattr;
use papr_hv::irq::{xics, AttrValue, DeviceType, IrqCap, IrqType, MapRegion};
use papr_hv::{LedgerKind, Vcpu, Vm, VmConfig};

/// Counts live bytes allocated by the current thread (the cycles run on the test's thread, so
/// the harness's other threads do not disturb the count).
struct Counting;

thread_local! {
    static LIVE: Cell<i64> = const { Cell::new(0) };
}

fn add(n: usize, sign: i64) {
    let n = i64::try_from(n).unwrap_or(i64::MAX);
    // `try_with`: thread-local storage may already be gone during thread teardown.
    let _ = LIVE.try_with(|c| c.set(c.get() + sign * n));
}

// SAFETY: forwards to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        add(l.size(), 1);
        // SAFETY: same contract as ours.
        unsafe { System.alloc(l) }
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        add(l.size(), 1);
        // SAFETY: same contract as ours.
        unsafe { System.alloc_zeroed(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        add(l.size(), -1);
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        add(new, 1);
        add(l.size(), -1);
        // SAFETY: same contract as ours.
        unsafe { System.realloc(p, l, new) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn live() -> i64 {
    LIVE.with(Cell::get)
}

const N: u32 = 4;
const TIMA_OS: u64 = 2 << 16;

fn hc(vm: &Vm, v: &Vcpu, number: u64, args: &[u64]) -> HcallResult {
    let mut a = [0u64; 9];
    a[..args.len()].copy_from_slice(args);
    vm.hcall_result(v, number, &a)
}

fn xics_phase(vm: &Vm, vcpus: &[Arc<Vcpu>], k: u64) {
    let fd = vm.create_device(DeviceType::Xics).unwrap();
    for (i, v) in vcpus.iter().enumerate() {
        v.enable_cap(IrqCap::Xics, &fd, i as u32).unwrap();
        assert_eq!(hc(vm, v, nr::H_CPPR, &[0xFF]).rc, rc::H_SUCCESS);
    }
    let irq = 0x1000 + k % 8;
    let server = k % u64::from(N);
    fd.set_attr(
        xics::attr::GRP_SOURCES,
        irq,
        &AttrValue::U64(server | 5 << xics::attr::PRIORITY_SHIFT),
    )
    .unwrap();
    // A device interrupt and an IPI, each accepted and EOIed.
    vm.irq_line(u32::try_from(irq).unwrap(), true).unwrap();
    let v = &vcpus[server as usize];
    assert_eq!(hc(vm, v, nr::H_XIRR, &[]).out[0], 0xFF00_0000 | irq);
    assert_eq!(hc(vm, v, nr::H_EOI, &[0xFF00_0000 | irq]).rc, rc::H_SUCCESS);
    let to = (server + 1) % u64::from(N);
    hc(vm, v, nr::H_IPI, &[to, 4]);
    let w = &vcpus[to as usize];
    assert!(w.interrupt_line().is_raised());
    assert_eq!(hc(vm, w, nr::H_XIRR, &[]).out[0], 0xFF00_0002);
    hc(vm, w, nr::H_IPI, &[to, 0xFF]);
    hc(vm, w, nr::H_EOI, &[0xFF00_0002]);
    // Leave one interrupt pending at close (it must not survive the release).
    vm.irq_line(u32::try_from(irq).unwrap(), true).unwrap();
    drop(fd);
}

fn xive_phase(vm: &Vm, vcpus: &[Arc<Vcpu>], k: u64) {
    let fd = vm.create_device(DeviceType::XiveNative).unwrap();
    fd.set_attr(xattr::GRP_CTRL, xattr::CTRL_NR_SERVERS, &AttrValue::U32(N))
        .unwrap();
    for (i, v) in vcpus.iter().enumerate() {
        v.enable_cap(IrqCap::Xive, &fd, i as u32).unwrap();
    }
    let tima = fd.mmap(MapRegion::Tima).unwrap();
    let esb = fd.mmap(MapRegion::Esb).unwrap();
    let v0 = &vcpus[0];
    for (i, v) in vcpus.iter().enumerate() {
        fd.set_attr(xattr::GRP_SOURCE, i as u64, &AttrValue::U64(0))
            .unwrap();
        let page = (i as u64 + 1) << 16;
        assert_eq!(
            hc(
                vm,
                v0,
                nr::H_INT_SET_QUEUE_CONFIG,
                &[1, i as u64, 6, page, 16]
            )
            .rc,
            0
        );
        assert_eq!(
            hc(
                vm,
                v0,
                nr::H_INT_SET_SOURCE_CONFIG,
                &[2, i as u64, i as u64, 6, 0x10 + i as u64]
            )
            .rc,
            0
        );
        esb.read(v0, (i as u64) << 17 | 1 << 16 | 0xC00, 8);
        tima.write(v, TIMA_OS | 0x11, 1, 0xFF);
    }
    // An IPI (trigger of the target's IPI source) -> queue -> ack -> EOI.
    let t = (k % u64::from(N)) as usize;
    esb.write(v0, (t as u64) << 17, 8, 0);
    assert!(vcpus[t].interrupt_line().is_raised());
    assert_eq!(tima.read(&vcpus[t], TIMA_OS | 0x810, 2), 0x8006);
    assert_eq!(esb.read(v0, (t as u64) << 17 | 1 << 16, 8), 0);
    tima.write(&vcpus[t], TIMA_OS | 0x11, 1, 0xFF);
    // Leave one event pending at close.
    esb.write(v0, (t as u64) << 17, 8, 0);
    // Close the fd first; release waits for the mappings.
    drop(fd);
    assert_eq!(vm.irqchip(), Some(DeviceType::XiveNative));
    drop(tima);
    drop(esb);
}

fn check_released(vm: &Vm, vcpus: &[Arc<Vcpu>]) {
    assert_eq!(vm.irqchip(), None);
    for v in vcpus {
        assert_eq!(
            v.irq_type(),
            IrqType::None,
            "vCPU {} still connected",
            v.id()
        );
        assert!(!v.interrupt_line().is_raised());
    }
}

#[test]
fn ten_thousand_mode_switches_end_where_they_began() {
    let before_vm = live();
    let mut cfg = VmConfig::with_ram(8 << 20);
    cfg.reserved_pool_bytes = 0;
    let vm = Vm::new(cfg).unwrap();
    let vcpus: Vec<Arc<Vcpu>> = (0..N).map(|i| vm.create_vcpu(i).unwrap()).collect();
    // Warm-up: allocates the XICS and XIVE slot objects (the one fixed allocation).
    xics_phase(&vm, &vcpus, 0);
    xive_phase(&vm, &vcpus, 0);
    check_released(&vm, &vcpus);
    let ledger0 = vm.ledger();
    let live0 = live();
    assert_eq!(
        ledger0.objects(LedgerKind::DeviceState),
        2,
        "the two slots: {ledger0}"
    );
    assert_eq!(ledger0.bytes(LedgerKind::QueuePages), 0);
    let releases0 = vm.irq_release_count();
    for k in 1..=10_000u64 {
        xics_phase(&vm, &vcpus, k);
        check_released(&vm, &vcpus);
        xive_phase(&vm, &vcpus, k);
        check_released(&vm, &vcpus);
        let l = vm.ledger();
        assert_eq!(
            l.bytes(LedgerKind::DeviceState),
            ledger0.bytes(LedgerKind::DeviceState),
            "cycle {k}"
        );
        assert_eq!(l.objects(LedgerKind::DeviceState), 2, "cycle {k}");
        assert_eq!(l.bytes(LedgerKind::QueuePages), 0, "cycle {k}");
        assert_eq!(live(), live0, "allocator, cycle {k}");
    }
    assert_eq!(
        vm.irq_release_count(),
        releases0 + 20_000,
        "one release per device"
    );
    assert_eq!(vm.ledger(), ledger0);
    drop(vcpus);
    drop(vm);
    assert_eq!(live(), before_vm, "dropping the VM returns everything");
}

#[test]
fn ledger_counts_what_the_allocator_sees_during_a_cycle() {
    // While a XIVE device is open, the ledger's device-state bytes grow with the sources and
    // presenters, and every such byte is returned when it is released.
    let mut cfg = VmConfig::with_ram(8 << 20);
    cfg.reserved_pool_bytes = 0;
    let vm = Vm::new(cfg).unwrap();
    let vcpus: Vec<Arc<Vcpu>> = (0..N).map(|i| vm.create_vcpu(i).unwrap()).collect();
    xive_phase(&vm, &vcpus, 0);
    let l0 = vm.ledger();
    let live0 = live();
    let fd = vm.create_device(DeviceType::XiveNative).unwrap();
    for (i, v) in vcpus.iter().enumerate() {
        v.enable_cap(IrqCap::Xive, &fd, i as u32).unwrap();
    }
    for block in 0..16u64 {
        fd.set_attr(xattr::GRP_SOURCE, block << 10, &AttrValue::U64(0))
            .unwrap();
    }
    let grown = vm.ledger().bytes(LedgerKind::DeviceState) - l0.bytes(LedgerKind::DeviceState);
    let allocated = live() - live0;
    // The ledger counts the owners' own sizes; the allocator also sees map nodes and the
    // like, so it is at least the ledger's figure, and not wildly more.
    assert!(
        allocated >= i64::try_from(grown).unwrap(),
        "{allocated} < {grown}"
    );
    assert!(
        allocated < 2 * i64::try_from(grown).unwrap(),
        "{allocated} vs {grown}"
    );
    drop(fd);
    assert_eq!(vm.ledger(), l0);
    assert_eq!(live(), live0);
}
