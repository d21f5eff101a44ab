//! HPT resize (guest hcalls and the KVM ioctls) and machine reset, against fact sheet section 3.
// Test and benchmark code: the casts are on small, known values.
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss
)]

mod common;

use common::*;
use papr_hv::hcall::{nr, rc};
use papr_hv::hpt::resize::ResizeProgress;
use papr_hv::{Vm, VmConfig, VmError};
use proptest::prelude::*;

const GIB: u64 = 1 << 30;

fn prepare(vm: &Vm, cpu: &papr_hv::Vcpu, shift: u64) -> i64 {
    vm.hcall_result(cpu, nr::H_RESIZE_HPT_PREPARE, &args(&[0, shift]))
        .rc
}

fn commit(vm: &Vm, cpu: &papr_hv::Vcpu, shift: u64) -> i64 {
    vm.hcall_result(cpu, nr::H_RESIZE_HPT_COMMIT, &args(&[0, shift]))
        .rc
}

fn bolted(vsid: u64, page: u64, tera: bool, shift: u32, secondary: bool) -> Mapping {
    Mapping {
        tera,
        vsid,
        page,
        shift,
        bolted: true,
        secondary,
        ra: 0x200_0000,
    }
}

/// Where every valid entry is: index -> v.
fn entries(vm: &Vm) -> Vec<(usize, u64, u64)> {
    let n = 1usize << (vm.hpt_order().unwrap() - 4);
    (0..n)
        .filter_map(|i| {
            let (v, r) = vm.read_hpte(i)?;
            (v & V_VALID != 0).then_some((i, v, r))
        })
        .collect()
}

#[test]
fn guest_resize_grows_and_carries_bolted_entries_to_their_hash_group() {
    let (vm, cpu) = vm_with_order(GIB, 18);
    let maps = [
        bolted(0x1234, 0x5, false, 12, false),
        bolted(0x1234, 0xabcd, false, 12, true),
        bolted(0x7_7777, 0x3, true, 16, false),
        bolted(0x0ff_ffff, 0xffff, true, 12, true),
        bolted(0x55, 0x7, false, 24, false),
        bolted(0x3_0000, 0x0fff, false, 16, false),
    ];
    let mut slots = Vec::new();
    for m in &maps {
        slots.push(enter_ok(&vm, &cpu, m, 18) % 8);
    }
    // A non-bolted entry is dropped by the resize.
    let loose = Mapping {
        bolted: false,
        ..bolted(0x99, 0x99, false, 12, false)
    };
    enter_ok(&vm, &cpu, &loose, 18);

    assert_eq!(prepare(&vm, &cpu, 20), rc::H_LONG_BUSY_ORDER_100_MSEC);
    assert_eq!(vm.hpt_info().unwrap().pending_resize, Some(20));
    // Still preparing in virtual time.
    assert_eq!(prepare(&vm, &cpu, 20), rc::H_LONG_BUSY_ORDER_100_MSEC);
    advance_ms(&vm, 100);
    assert_eq!(prepare(&vm, &cpu, 20), rc::H_SUCCESS);
    let g = vm.partition_entry().generation();
    assert_eq!(commit(&vm, &cpu, 20), rc::H_SUCCESS);
    assert!(vm.partition_entry().generation() > g);
    assert_eq!(vm.hpt_order(), Some(20));
    assert_eq!(vm.partition_entry().table().unwrap().order(), 20);

    let now = entries(&vm);
    assert_eq!(now.len(), maps.len(), "only the bolted entries survive");
    for (m, slot) in maps.iter().zip(&slots) {
        let want = (m.group(20) * 8 + slot) as usize;
        assert!(
            now.iter()
                .any(|&(i, v, r)| i == want && v == m.v() && r == m.r()),
            "{m:?} expected at {want}"
        );
    }
    // The pending request was consumed.
    assert_eq!(commit(&vm, &cpu, 20), rc::H_CLOSED);
}

#[test]
fn shrinking_with_colliding_bolted_entries_fails_and_keeps_the_old_table() {
    let (vm, cpu) = vm_with_order(GIB, 19);
    // Two bolted entries whose groups differ only in the top bit of the order-19 mask land in
    // the same group and (when placed in the same slot) collide at order 18.
    let mask18 = (1u64 << 11) - 1;
    let a = bolted(0x10, 0x1, false, 12, false);
    let b = bolted(0x10, 0x1 ^ (mask18 + 1), false, 12, false);
    assert_eq!(a.group(18), b.group(18));
    assert_ne!(a.group(19), b.group(19));
    let ia = enter_ok(&vm, &cpu, &a, 19);
    let ib = enter_ok(&vm, &cpu, &b, 19);
    assert_eq!(ia % 8, ib % 8);
    let before = entries(&vm);
    assert_eq!(prepare(&vm, &cpu, 18), rc::H_LONG_BUSY_ORDER_100_MSEC);
    advance_ms(&vm, 1000);
    assert_eq!(prepare(&vm, &cpu, 18), rc::H_SUCCESS);
    assert_eq!(commit(&vm, &cpu, 18), rc::H_PTEG_FULL);
    assert_eq!(vm.hpt_order(), Some(19));
    assert_eq!(entries(&vm), before, "the old table is in use and intact");
    // A guest keeps running: hcalls still work on the old table.
    let c = bolted(0x11, 0x2, false, 12, false);
    enter_ok(&vm, &cpu, &c, 19);
}

#[test]
fn prepare_rules() {
    let (vm, cpu) = vm_with_order(GIB, 20);
    let call = |f: u64, s: u64| {
        vm.hcall_result(&cpu, nr::H_RESIZE_HPT_PREPARE, &args(&[f, s]))
            .rc
    };
    assert_eq!(call(1, 21), rc::H_PARAMETER, "flags must be 0");
    assert_eq!(call(0, 17), rc::H_PARAMETER);
    assert_eq!(call(0, 47), rc::H_PARAMETER);
    assert_eq!(call(0, 1 << 40), rc::H_PARAMETER);
    // 1 GiB of RAM: default order 23, growth allowed up to 24.
    assert_eq!(call(0, 25), rc::H_RESOURCE);
    assert_eq!(call(0, 24), rc::H_LONG_BUSY_ORDER_100_MSEC);
    // A different shift replaces the pending request.
    assert_eq!(call(0, 21), rc::H_LONG_BUSY_ORDER_100_MSEC);
    assert_eq!(vm.hpt_info().unwrap().pending_resize, Some(21));
    advance_ms(&vm, 500);
    assert_eq!(commit(&vm, &cpu, 24), rc::H_CLOSED, "shift mismatch");
    assert_eq!(vm.hpt_info().unwrap().pending_resize, None, "consumed");
    // Shift 0 cancels.
    assert_eq!(call(0, 21), rc::H_LONG_BUSY_ORDER_100_MSEC);
    assert_eq!(call(0, 0), rc::H_SUCCESS);
    assert_eq!(vm.hpt_info().unwrap().pending_resize, None);
    advance_ms(&vm, 500);
    assert_eq!(commit(&vm, &cpu, 21), rc::H_CLOSED);
    // Commit before the prepare completes: busy, and the request is gone.
    assert_eq!(call(0, 21), rc::H_LONG_BUSY_ORDER_100_MSEC);
    assert_eq!(commit(&vm, &cpu, 21), rc::H_BUSY);
    assert_eq!(commit(&vm, &cpu, 21), rc::H_CLOSED);
    assert_eq!(
        vm.hcall_result(&cpu, nr::H_RESIZE_HPT_COMMIT, &args(&[4, 21]))
            .rc,
        rc::H_PARAMETER
    );
    // Same order as now: allowed, rehashes in place.
    assert_eq!(call(0, 20), rc::H_LONG_BUSY_ORDER_100_MSEC);
    advance_ms(&vm, 500);
    assert_eq!(call(0, 20), rc::H_SUCCESS);
    assert_eq!(commit(&vm, &cpu, 20), rc::H_SUCCESS);
}

#[test]
fn resize_disabled_answers_authority() {
    let mut cfg = VmConfig::with_ram(GIB);
    cfg.hpt_resize = false;
    let vm = Vm::new(cfg).unwrap();
    let cpu = vm.create_vcpu(0).unwrap();
    vm.allocate_htab(20).unwrap();
    assert_eq!(prepare(&vm, &cpu, 21), rc::H_AUTHORITY);
    assert_eq!(commit(&vm, &cpu, 21), rc::H_AUTHORITY);
}

#[test]
fn failed_preparation_reports_no_mem() {
    let mut cfg = VmConfig::with_ram(GIB);
    cfg.reserved_pool_bytes = 0;
    cfg.general_memory_limit = Some(2 << 20);
    let vm = Vm::new(cfg).unwrap();
    let cpu = vm.create_vcpu(0).unwrap();
    vm.allocate_htab(18).unwrap();
    assert_eq!(prepare(&vm, &cpu, 22), rc::H_LONG_BUSY_ORDER_100_MSEC);
    advance_ms(&vm, 1000);
    assert_eq!(prepare(&vm, &cpu, 22), rc::H_NO_MEM);
    assert_eq!(vm.hpt_info().unwrap().pending_resize, None);
    assert_eq!(vm.hpt_order(), Some(18));
}

#[test]
fn ioctl_interface_mirrors_kvm() {
    let (vm, _cpu) = vm_with_order(GIB, 20);
    assert!(matches!(
        vm.resize_hpt_prepare(1, 21),
        Err(VmError::InvalidArgument(_))
    ));
    assert!(matches!(
        vm.resize_hpt_prepare(0, 50),
        Err(VmError::InvalidArgument(_))
    ));
    assert_eq!(
        vm.resize_hpt_prepare(0, 21).unwrap(),
        ResizeProgress::InProgress { retry_ms: 100 }
    );
    assert!(matches!(
        vm.resize_hpt_commit(0, 22),
        Err(VmError::NoPendingResize { shift: 22 })
    ));
    assert_eq!(VmError::NoPendingResize { shift: 22 }.errno(), libc_enxio());
    assert_eq!(vm.resize_hpt_prepare(0, 0).unwrap(), ResizeProgress::Ready);
    // Without a table (a radix guest in KVM's terms) resizing is not available.
    let (bare, _) = common::vm(GIB);
    assert!(matches!(
        bare.resize_hpt_prepare(0, 20),
        Err(VmError::NoHpt)
    ));
}

fn libc_enxio() -> i32 {
    6
}

#[test]
fn reset_returns_to_the_platform_size_and_cancels_a_pending_resize() {
    let (vm, cpu) = vm_with_order(GIB, 20);
    enter_ok(&vm, &cpu, &bolted(1, 1, false, 12, false), 20);
    assert_eq!(prepare(&vm, &cpu, 21), rc::H_LONG_BUSY_ORDER_100_MSEC);
    advance_ms(&vm, 200);
    assert_eq!(commit(&vm, &cpu, 21), rc::H_SUCCESS);
    assert_eq!(vm.hpt_order(), Some(21));
    assert_eq!(prepare(&vm, &cpu, 22), rc::H_LONG_BUSY_ORDER_100_MSEC);
    vm.reset_htab().unwrap();
    assert_eq!(vm.hpt_order(), Some(20));
    assert!(entries(&vm).is_empty());
    assert_eq!(vm.hpt_info().unwrap().pending_resize, None);
    // allocate_htab also cancels it.
    assert_eq!(prepare(&vm, &cpu, 22), rc::H_LONG_BUSY_ORDER_100_MSEC);
    vm.allocate_htab(20).unwrap();
    assert_eq!(vm.hpt_info().unwrap().pending_resize, None);
    // Reset refused while running, like allocate_htab.
    let g = vm.run(&cpu).unwrap();
    assert!(matches!(vm.reset_htab(), Err(VmError::Busy(_))));
    drop(g);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// HPTEs a guest placed in any group and slot (not necessarily their own hash group) must
    /// not break a resize: every bolted entry gets a defined place, nothing panics, and the
    /// result is either a clean commit or a clean H_PTEG_FULL with the old table intact.
    #[test]
    fn misplaced_entries_never_break_a_resize(
        raw in proptest::collection::vec((any::<u64>(), 0u64..(1 << 14), 0u8..3), 1..64),
        grow in any::<bool>(),
    ) {
        let (vm, cpu) = vm_with_order(GIB, 18);
        for (v, ptex, size) in raw {
            let (l, r) = match size { 0 => (0, 0x1000), 1 => (V_LARGE, 0x1_1000), _ => (V_LARGE, 0x100_0000) };
            let v = (v & !0x7f & !(3 << 62)) | (v & (1 << 62)) | V_BOLTED | l | (v & V_SECONDARY);
            vm.hcall_result(&cpu, nr::H_ENTER, &args(&[papr_hv::hcall::flags::H_EXACT, ptex, v, r | R_M]));
        }
        let before = entries(&vm);
        let shift = if grow { 19 } else { 18 };
        prepare(&vm, &cpu, shift);
        advance_ms(&vm, 1000);
        prop_assert_eq!(prepare(&vm, &cpu, shift), rc::H_SUCCESS);
        match commit(&vm, &cpu, shift) {
            rc::H_SUCCESS => {
                prop_assert_eq!(vm.hpt_order(), Some(shift as u32));
                prop_assert_eq!(entries(&vm).len(), before.len());
                for (i, _, _) in entries(&vm) {
                    let slot_ok = before.iter().any(|&(j, _, _)| j % 8 == i % 8);
                    prop_assert!(slot_ok);
                }
            }
            // Misplaced entries can collide even when growing (their recomputed groups need
            // not differ); what matters is that the old table is untouched.
            rc::H_PTEG_FULL => {
                prop_assert_eq!(entries(&vm), before);
            }
            other => prop_assert!(false, "unexpected {}", other),
        }
    }
}
