//! 10 000 allocate / resize / reset cycles end where they began: the ledger says so, and a
//! counting global allocator (independent of the ledger) agrees byte for byte.
// Test and benchmark code: the casts are on small, known values.
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss
)]

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use common::*;
use papr_hv::hcall::{nr, rc};
use papr_hv::{LedgerKind, Vm, VmConfig};

/// Counts live bytes allocated by the current thread (so the test harness's own threads do not
/// disturb the count).
struct Counting;

thread_local! {
    static LIVE: Cell<i64> = const { Cell::new(0) };
}

fn add(n: i64) {
    // `try_with`: thread-local storage may already be gone during thread teardown.
    let _ = LIVE.try_with(|c| c.set(c.get() + n));
}

// SAFETY: forwards to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        add(l.size() as i64);
        // SAFETY: same contract as ours.
        unsafe { System.alloc(l) }
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        add(l.size() as i64);
        // SAFETY: same contract as ours.
        unsafe { System.alloc_zeroed(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        add(-(l.size() as i64));
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        add(new as i64 - l.size() as i64);
        // SAFETY: same contract as ours.
        unsafe { System.realloc(p, l, new) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn live() -> i64 {
    LIVE.with(Cell::get)
}

const GIB: u64 = 1 << 30;

/// A tiny deterministic generator (xorshift) so the cycle mix is reproducible.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn cycle(vm: &Vm, cpu: &papr_hv::Vcpu, rng: &mut Rng) {
    let order = 18 + (rng.next() % 3) as u32;
    vm.allocate_htab(order).unwrap();
    for k in 0..4 {
        let m = Mapping {
            tera: false,
            vsid: rng.next() % 1000,
            page: k,
            shift: 12,
            bolted: true,
            secondary: false,
            ra: 0,
        };
        enter(vm, cpu, &m, order);
    }
    match rng.next() % 4 {
        0 => {
            let shift = 18 + rng.next() % 3;
            vm.hcall_result(cpu, nr::H_RESIZE_HPT_PREPARE, &args(&[0, shift]));
            advance_ms(vm, 100);
            assert_eq!(
                vm.hcall_result(cpu, nr::H_RESIZE_HPT_PREPARE, &args(&[0, shift]))
                    .rc,
                rc::H_SUCCESS
            );
            let c = vm
                .hcall_result(cpu, nr::H_RESIZE_HPT_COMMIT, &args(&[0, shift]))
                .rc;
            assert!(c == rc::H_SUCCESS || c == rc::H_PTEG_FULL);
        }
        1 => {
            // A prepared resize abandoned by a reset.
            vm.hcall_result(cpu, nr::H_RESIZE_HPT_PREPARE, &args(&[0, 20]));
            vm.reset_htab().unwrap();
        }
        2 => {
            vm.hcall_result(cpu, nr::H_RESIZE_HPT_PREPARE, &args(&[0, 19]));
            vm.hcall_result(cpu, nr::H_RESIZE_HPT_PREPARE, &args(&[0, 0]));
        }
        _ => vm.reset_htab().unwrap(),
    }
}

fn soak(pool_bytes: u64) {
    let mut cfg = VmConfig::with_ram(GIB);
    cfg.reserved_pool_bytes = pool_bytes;
    let vm = Vm::new(cfg).unwrap();
    let cpu = vm.create_vcpu(0).unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    // Warm up once (lazily created one-time state), then settle on the baseline table.
    cycle(&vm, &cpu, &mut rng);
    vm.allocate_htab(18).unwrap();
    let ledger0 = vm.ledger();
    let live0 = live();
    let pool0 = vm.reserved_pool_used();
    for i in 0..10_000 {
        cycle(&vm, &cpu, &mut rng);
        if i % 1000 == 0 {
            // Mid-run cross-check: general-memory HPT + reverse map bytes the ledger reports
            // moved exactly as the allocator's live bytes did.
            let l = vm.ledger();
            let ledger_general =
                (l.bytes(LedgerKind::HptGeneral) + l.bytes(LedgerKind::RevMap)) as i64;
            let ledger_general0 =
                (ledger0.bytes(LedgerKind::HptGeneral) + ledger0.bytes(LedgerKind::RevMap)) as i64;
            assert_eq!(
                live() - live0,
                ledger_general - ledger_general0,
                "cycle {i}"
            );
            assert_eq!(l.bytes(LedgerKind::HptReserved), vm.reserved_pool_used());
        }
    }
    vm.allocate_htab(18).unwrap();
    assert_eq!(vm.ledger(), ledger0, "ledger back to its baseline");
    assert_eq!(live(), live0, "allocator back to its baseline");
    assert_eq!(vm.reserved_pool_used(), pool0);
    drop(cpu);
    drop(vm);
}

#[test]
fn ten_thousand_cycles_end_where_they_began() {
    // All in general memory, then with a pool that holds some tables but not all.
    soak(0);
    soak(1 << 19);
}

#[test]
fn dropping_the_vm_returns_everything() {
    let before = live();
    {
        let (vm, cpu) = vm_with_order(GIB, 20);
        vm.hcall_result(&cpu, nr::H_RESIZE_HPT_PREPARE, &args(&[0, 21]));
        let _fd = vm.get_htab_fd(0, 0).unwrap();
        assert!(live() > before);
    }
    assert_eq!(live(), before);
}
