//! The HPT hcalls and KVM_PPC_ALLOCATE_HTAB, case by case, against the PAPR/KVM rules in the
//! fact sheet (sections 2 and 4).
// Test and benchmark code: the casts are on small, known values.
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss
)]

mod common;

use common::*;
use papr_hv::hcall::{flags, nr, rc};
use papr_hv::{LedgerKind, Vm, VmConfig, VmError};

const GIB: u64 = 1 << 30;

fn m(vsid: u64, page: u64) -> Mapping {
    Mapping {
        tera: false,
        vsid,
        page,
        shift: 12,
        bolted: false,
        secondary: false,
        ra: 0x10_0000 + (page << 12),
    }
}

// ---- KVM_PPC_ALLOCATE_HTAB ---------------------------------------------------------------

#[test]
fn allocate_htab_validates_the_order_and_never_fixes_it_up() {
    let (vm, _) = vm(GIB);
    for bad in [0, 17, 47, 64] {
        match vm.allocate_htab(bad) {
            Err(VmError::InvalidArgument(msg)) => assert!(msg.contains(&bad.to_string())),
            other => panic!("order {bad}: {other:?}"),
        }
        assert_eq!(
            vm.hpt_order(),
            None,
            "a refused order must not allocate anything"
        );
    }
    vm.allocate_htab(18).unwrap();
    assert_eq!(vm.hpt_order(), Some(18));
    vm.allocate_htab(20).unwrap();
    assert_eq!(vm.hpt_order(), Some(20));
}

#[test]
fn same_order_clears_the_table_and_invalidates() {
    let (vm, cpu) = vm_with_order(GIB, 18);
    let i = enter_ok(&vm, &cpu, &m(5, 1), 18);
    let g = vm.partition_entry().generation();
    vm.allocate_htab(18).unwrap();
    assert_eq!(vm.read_hpte(i as usize).unwrap(), (0, 0));
    assert!(vm.partition_entry().generation() > g);
    assert_eq!(vm.hpt_order(), Some(18));
}

#[test]
fn allocate_htab_is_refused_while_a_vcpu_runs() {
    let (vm, cpu) = vm_with_order(GIB, 18);
    let guard = vm.run(&cpu).unwrap();
    assert!(matches!(vm.allocate_htab(19), Err(VmError::Busy(_))));
    assert_eq!(vm.hpt_order(), Some(18));
    drop(guard);
    vm.allocate_htab(19).unwrap();
    assert_eq!(vm.hpt_order(), Some(19));
}

#[test]
fn out_of_memory_is_an_error_and_never_a_smaller_table() {
    let mut cfg = VmConfig::with_ram(GIB);
    cfg.reserved_pool_bytes = 0;
    cfg.general_memory_limit = Some(7 << 19);
    let vm = Vm::new(cfg).unwrap();
    let cpu = vm.create_vcpu(0).unwrap();
    // Order 21 (2 MiB + a 288 KiB reverse map) fits in 3.5 MiB; order 22 (4 MiB) does not.
    vm.allocate_htab(21).unwrap();
    match vm.allocate_htab(22) {
        Err(VmError::OutOfMemory { what }) => assert!(what.contains("order-22")),
        other => panic!("{other:?}"),
    }
    assert_eq!(vm.hpt_order(), None, "no fallback to a smaller table");
    // The VM was explicitly sized: the first run does not pick a size behind the caller's back.
    assert!(matches!(vm.run(&cpu), Err(VmError::NoHpt)));
    assert_eq!(vm.ledger().general_bytes(), 0);
}

#[test]
fn first_run_sizes_the_table_only_when_nobody_did() {
    let (vm, cpu) = vm(GIB);
    assert_eq!(vm.hpt_order(), None);
    let g = vm.run(&cpu).unwrap();
    assert_eq!(vm.hpt_order(), Some(24));
    drop(g);
    // Explicitly sized VMs keep their size.
    let (vm, cpu) = vm_with_order(GIB, 19);
    drop(vm.run(&cpu).unwrap());
    assert_eq!(vm.hpt_order(), Some(19));
}

#[test]
fn first_run_steps_down_only_when_memory_runs_out() {
    let mut cfg = VmConfig::with_ram(GIB);
    cfg.reserved_pool_bytes = 0;
    // Order 22 (4 MiB + 576 KiB reverse map) fits in 7 MiB; order 23 (8 MiB) does not.
    cfg.general_memory_limit = Some(7 << 20);
    let vm = Vm::new(cfg).unwrap();
    let cpu = vm.create_vcpu(0).unwrap();
    drop(vm.run(&cpu).unwrap());
    assert_eq!(vm.hpt_order(), Some(22));
}

#[test]
fn tables_come_from_the_reserved_pool_first_and_go_back_to_it() {
    let mut cfg = VmConfig::with_ram(GIB);
    cfg.reserved_pool_bytes = 1 << 20;
    let vm = Vm::new(cfg).unwrap();
    vm.allocate_htab(20).unwrap();
    assert!(vm.hpt_info().unwrap().reserved_pool);
    assert_eq!(vm.reserved_pool_used(), 1 << 20);
    assert_eq!(vm.ledger().bytes(LedgerKind::HptReserved), 1 << 20);
    // Too big for the pool: general memory.
    vm.allocate_htab(21).unwrap();
    assert!(!vm.hpt_info().unwrap().reserved_pool);
    assert_eq!(vm.reserved_pool_used(), 0);
    assert_eq!(vm.ledger().bytes(LedgerKind::HptReserved), 0);
    assert_eq!(vm.ledger().bytes(LedgerKind::HptGeneral), 2 << 20);
}

// ---- H_ENTER -------------------------------------------------------------------------------

#[test]
fn h_enter_takes_the_first_free_slot_and_fills_the_group() {
    let (vm, cpu) = vm_with_order(GIB, 18);
    // Eight mappings that share a group: vsid ^ page constant.
    let group_of = |k: u64| m(0x100 ^ k, k);
    let g = group_of(0).group(18);
    for k in 0..8 {
        let mm = group_of(k);
        assert_eq!(mm.group(18), g);
        // Any ptex in the group selects it: the slot bits are ignored without H_EXACT.
        let r = vm.hcall_result(&cpu, nr::H_ENTER, &args(&[0, g * 8 + 5, mm.v(), mm.r()]));
        assert_eq!((r.rc, r.out[0]), (rc::H_SUCCESS, g * 8 + k));
    }
    let r = vm.hcall_result(
        &cpu,
        nr::H_ENTER,
        &args(&[0, g * 8, group_of(9).v(), group_of(9).r()]),
    );
    assert_eq!(r.rc, rc::H_PTEG_FULL);
    // Free slot 3; the next insert lands there.
    let r = vm.hcall_result(&cpu, nr::H_REMOVE, &args(&[0, g * 8 + 3, 0]));
    assert_eq!(r.rc, rc::H_SUCCESS);
    let (code, i) = enter(&vm, &cpu, &group_of(9), 18);
    assert_eq!((code, i), (rc::H_SUCCESS, g * 8 + 3));
}

#[test]
fn h_enter_exact() {
    let (vm, cpu) = vm_with_order(GIB, 18);
    let a = m(7, 2);
    let ptex = a.group(18) * 8 + 6;
    let r = vm.hcall_result(
        &cpu,
        nr::H_ENTER,
        &args(&[flags::H_EXACT, ptex, a.v(), a.r()]),
    );
    assert_eq!((r.rc, r.out[0]), (rc::H_SUCCESS, ptex));
    let r = vm.hcall_result(
        &cpu,
        nr::H_ENTER,
        &args(&[flags::H_EXACT, ptex, a.v(), a.r()]),
    );
    assert_eq!(r.rc, rc::H_PTEG_FULL);
}

#[test]
fn h_enter_checks_index_page_size_and_real_address() {
    let (vm, cpu) = vm_with_order(GIB, 18);
    let a = m(1, 1);
    let npte = 1u64 << 14;
    let call = |f: u64, ptex: u64, v: u64, r: u64| {
        vm.hcall_result(&cpu, nr::H_ENTER, &args(&[f, ptex, v, r]))
            .rc
    };
    assert_eq!(call(0, npte, a.v(), a.r()), rc::H_PARAMETER);
    assert_eq!(
        call(flags::H_EXACT, u64::MAX, a.v(), a.r()),
        rc::H_PARAMETER
    );
    // L set with an LP encoding nobody offers (0x3 = 16G) or garbage.
    assert_eq!(call(0, 0, a.v() | V_LARGE, 0x3000 | R_M), rc::H_PARAMETER);
    assert_eq!(call(0, 0, a.v() | V_LARGE, 0x5000 | R_M), rc::H_PARAMETER);
    // A 16M page wholly in RAM is fine; one straddling the end of RAM is not.
    let big = Mapping {
        shift: 24,
        ra: GIB - (1 << 24),
        ..m(3, 0)
    };
    assert_eq!(call(0, 0, big.v(), big.r()), rc::H_SUCCESS);
    let (small, scpu) = vm_with_order(24 << 20, 18);
    let straddle = Mapping {
        ra: 16 << 20,
        ..big
    };
    let r = small.hcall_result(
        &scpu,
        nr::H_ENTER,
        &args(&[0, 0, straddle.v(), straddle.r()]),
    );
    assert_eq!(r.rc, rc::H_PARAMETER);
    // 64K page wholly in RAM but with bits of the RPN below 64K wrong for LP: decodes as
    // something else (4K-in-4K L=0 is not what L=1 says) -> refused.
    let p64 = Mapping {
        shift: 16,
        ..m(4, 1)
    };
    assert_eq!(call(0, 0, p64.v(), p64.r() | 0x2000), rc::H_PARAMETER);
}

#[test]
fn h_enter_makes_ram_coherent_but_shows_the_guest_its_own_wimg() {
    let (vm, cpu) = vm_with_order(GIB, 18);
    let a = m(9, 9);
    // The guest asks for W|I|G on RAM.
    let r_guest = (a.r() & !R_M) | R_W | R_I | R_G;
    let r = vm.hcall_result(
        &cpu,
        nr::H_ENTER,
        &args(&[0, a.group(18) * 8, a.v(), r_guest]),
    );
    assert_eq!(r.rc, rc::H_SUCCESS);
    let idx = r.out[0];
    // The processor's entry is coherent, cacheable.
    let view = vm.partition_entry().table().unwrap();
    let hw_r = view.entries()[idx as usize].r();
    assert_eq!(hw_r & 0x78, R_M);
    // The guest reads back what it wrote.
    let r = vm.hcall_result(&cpu, nr::H_READ, &args(&[0, idx]));
    assert_eq!(r.out[1], r_guest);
}

#[test]
fn device_pages_must_be_cache_inhibited() {
    let (vm, cpu) = vm_with_order(GIB, 18);
    let esb = 0x0006_0100_0000_0000u64;
    let a = Mapping {
        ra: esb,
        ..m(11, 3)
    };
    let base = a.r() & !0x78;
    for (wimg, want) in [
        (0, rc::H_PARAMETER),
        (R_M, rc::H_PARAMETER),
        (R_W | R_I, rc::H_PARAMETER),
        (R_G, rc::H_PARAMETER),
        (R_I, rc::H_SUCCESS),
        (R_I | R_G, rc::H_SUCCESS),
        (R_I | R_M | R_G, rc::H_SUCCESS),
    ] {
        let r = vm.hcall_result(
            &cpu,
            nr::H_ENTER,
            &args(&[0, a.group(18) * 8, a.v(), base | wimg]),
        );
        assert_eq!(r.rc, want, "wimg {wimg:#x}");
        if r.rc == rc::H_SUCCESS {
            vm.hcall_result(&cpu, nr::H_REMOVE, &args(&[0, r.out[0], 0]));
        }
    }
}

#[test]
fn hypervisor_private_bits_are_never_taken_or_shown() {
    let (vm, cpu) = vm_with_order(GIB, 18);
    let a = Mapping {
        bolted: true,
        ..m(12, 4)
    };
    // The guest sets HVLOCK (0x40) and ABSENT (0x20) and clears V.
    let v = (a.v() | 0x60) & !V_VALID;
    let r = vm.hcall_result(&cpu, nr::H_ENTER, &args(&[0, a.group(18) * 8, v, a.r()]));
    assert_eq!(r.rc, rc::H_SUCCESS);
    let (rv, _) = vm.read_hpte(r.out[0] as usize).unwrap();
    assert_eq!(rv & 0x60, 0);
    assert_eq!(rv & V_VALID, V_VALID);
    assert_eq!(rv & V_BOLTED, V_BOLTED, "the bolted software bit is kept");
}

// ---- H_REMOVE / H_BULK_REMOVE ------------------------------------------------------------

#[test]
fn h_remove_conditions() {
    let (vm, cpu) = vm_with_order(GIB, 18);
    let a = Mapping {
        bolted: true,
        ..m(21, 6)
    };
    let i = enter_ok(&vm, &cpu, &a, 18);
    let call =
        |f: u64, ptex: u64, avpn: u64| vm.hcall_result(&cpu, nr::H_REMOVE, &args(&[f, ptex, avpn]));
    assert_eq!(call(0, 1 << 14, 0).rc, rc::H_PARAMETER);
    assert_eq!(call(0, i ^ 1, 0).rc, rc::H_NOT_FOUND, "empty slot");
    assert_eq!(
        call(flags::H_AVPN, i, (a.v() & !0x7f) ^ 0x80).rc,
        rc::H_NOT_FOUND
    );
    // "Remove unless bolted", as Linux evicts.
    assert_eq!(call(flags::H_ANDCOND, i, V_BOLTED).rc, rc::H_NOT_FOUND);
    let g = vm.partition_entry().generation();
    let r = call(flags::H_AVPN, i, a.v() & !0x7f);
    assert_eq!(r.rc, rc::H_SUCCESS);
    assert_eq!(r.outputs(), &[a.v(), a.r()]);
    assert!(
        vm.partition_entry().generation() > g,
        "removal must invalidate"
    );
    assert_eq!(call(0, i, 0).rc, rc::H_NOT_FOUND);
}

#[test]
fn h_bulk_remove_request_and_response_encoding() {
    let (vm, cpu) = vm_with_order(GIB, 18);
    let a = m(31, 1);
    let b = m(32, 2);
    let ia = enter_ok(&vm, &cpu, &a, 18);
    let ib = enter_ok(&vm, &cpu, &b, 18);
    // The processor referenced and changed a.
    vm.partition_entry().table().unwrap().entries()[ia as usize].set_rc(R_R | R_C);
    let req = |fl: u64, ptex: u64| (0x40 << 56) | (fl << 56) | ptex;
    let r = vm.hcall_result(
        &cpu,
        nr::H_BULK_REMOVE,
        &args(&[
            req(2, ia),
            a.v() & !0x7f,
            req(0, ib),
            0,
            req(0, ib),
            0,
            0xc0 << 56,
            0,
        ]),
    );
    assert_eq!(r.rc, rc::H_SUCCESS);
    // Success with AVPN flag kept, old R and C in bits 59:58.
    assert_eq!(r.out[0], (0x82 << 56) | (3 << 58) | ia);
    assert_eq!(r.out[2], (0x80 << 56) | ib);
    // Already removed: not found.
    assert_eq!(r.out[4], (0x90 << 56) | ib);
    assert_eq!(r.out[6], 0xc0 << 56, "the end marker is left alone");
    // A parameter error stops processing and fails the call.
    let c = m(33, 3);
    let ic = enter_ok(&vm, &cpu, &c, 18);
    let r = vm.hcall_result(
        &cpu,
        nr::H_BULK_REMOVE,
        &args(&[req(3, ic), 0, req(0, ic), 0, 0xc0 << 56, 0, 0, 0]),
    );
    assert_eq!(r.rc, rc::H_PARAMETER);
    assert_eq!(r.out[0], (0xa3 << 56) | ic);
    assert_eq!(r.out[2], req(0, ic), "not processed after the error");
    assert!(vm.read_hpte(ic as usize).unwrap().0 & V_VALID != 0);
    let r = vm.hcall_result(
        &cpu,
        nr::H_BULK_REMOVE,
        &args(&[req(0, 1 << 14), 0, 0xc0 << 56]),
    );
    assert_eq!(r.rc, rc::H_PARAMETER);
    assert_eq!(r.out[0], (0xa0 << 56) | (1 << 14));
}

// ---- H_PROTECT / H_READ / H_CLEAR_* -------------------------------------------------------

#[test]
fn h_protect_replaces_only_the_protection_bits() {
    let (vm, cpu) = vm_with_order(GIB, 18);
    let a = m(41, 7);
    let i = enter_ok(&vm, &cpu, &a, 18);
    let g = vm.partition_entry().generation();
    // flags: pp0 (0x100), key hi (0x3000), N (4), key lo (0xe00), pp (3).
    let f = 0x100 | 0x3000 | 0x4 | 0xe00 | 0x1;
    let r = vm.hcall_result(&cpu, nr::H_PROTECT, &args(&[f, i, 0]));
    assert_eq!(r.rc, rc::H_SUCCESS);
    assert!(vm.partition_entry().generation() > g);
    let (_, r1) = vm.read_hpte(i as usize).unwrap();
    let prot = (1 << 63) | (3 << 60) | 0xe00 | 0x4 | 0x3;
    assert_eq!(r1 & prot, (1 << 63) | (3 << 60) | 0xe00 | 0x4 | 0x1);
    assert_eq!(r1 & !prot, a.r() & !prot, "RPN and WIMG unchanged");
    assert_eq!(
        vm.hcall_result(&cpu, nr::H_PROTECT, &args(&[flags::H_AVPN, i, 0x80]))
            .rc,
        rc::H_NOT_FOUND
    );
    assert_eq!(
        vm.hcall_result(&cpu, nr::H_PROTECT, &args(&[0, i ^ 1, 0]))
            .rc,
        rc::H_NOT_FOUND
    );
    assert_eq!(
        vm.hcall_result(&cpu, nr::H_PROTECT, &args(&[0, u64::MAX, 0]))
            .rc,
        rc::H_PARAMETER
    );
}

#[test]
fn h_read_one_and_four() {
    let (vm, cpu) = vm_with_order(GIB, 18);
    let a = m(51, 0);
    let i = enter_ok(&vm, &cpu, &a, 18);
    let r = vm.hcall_result(&cpu, nr::H_READ, &args(&[0, i]));
    assert_eq!((r.rc, r.outputs()), (rc::H_SUCCESS, &[a.v(), a.r()][..]));
    let r = vm.hcall_result(&cpu, nr::H_READ, &args(&[flags::H_READ_4, i | 3]));
    assert_eq!(r.rc, rc::H_SUCCESS);
    assert_eq!(r.n_out, 8);
    let k = (i & 3) as usize;
    assert_eq!((r.out[2 * k], r.out[2 * k + 1]), (a.v(), a.r()));
    assert_eq!(
        vm.hcall_result(&cpu, nr::H_READ, &args(&[0, 1 << 14])).rc,
        rc::H_PARAMETER
    );
    assert_eq!(
        vm.hcall_result(&cpu, nr::H_READ, &args(&[0, i ^ 1]))
            .outputs(),
        &[0, 0]
    );
}

#[test]
fn h_clear_ref_and_mod_return_the_old_guest_view() {
    let (vm, cpu) = vm_with_order(GIB, 18);
    let a = m(61, 5);
    let i = enter_ok(&vm, &cpu, &a, 18);
    let view = vm.partition_entry().table().unwrap();
    view.entries()[i as usize].set_rc(R_R | R_C);
    let r = vm.hcall_result(&cpu, nr::H_CLEAR_REF, &args(&[0, i]));
    assert_eq!((r.rc, r.out[0]), (rc::H_SUCCESS, a.r() | R_R | R_C));
    let r = vm.hcall_result(&cpu, nr::H_CLEAR_MOD, &args(&[0, i]));
    assert_eq!((r.rc, r.out[0]), (rc::H_SUCCESS, a.r() | R_C));
    assert_eq!(vm.read_hpte(i as usize).unwrap().1 & (R_R | R_C), 0);
    assert_eq!(view.entries()[i as usize].r() & (R_R | R_C), 0);
    assert_eq!(
        vm.hcall_result(&cpu, nr::H_CLEAR_REF, &args(&[0, i ^ 1]))
            .rc,
        rc::H_NOT_FOUND
    );
    assert_eq!(
        vm.hcall_result(&cpu, nr::H_CLEAR_MOD, &args(&[0, u64::MAX]))
            .rc,
        rc::H_PARAMETER
    );
}

#[test]
fn unknown_hcalls_go_to_the_platform() {
    let (vm, cpu) = vm_with_order(GIB, 18);
    assert_eq!(
        vm.hcall(&cpu, 0x58, &args(&[])),
        papr_hv::HcallExit::ToPlatform,
        "H_PUT_TERM_CHAR is the platform's"
    );
    let counts = cpu.hcall_counts();
    assert!(counts.is_empty());
    enter_ok(&vm, &cpu, &m(1, 1), 18);
    assert_eq!(cpu.hcall_counts(), vec![(nr::H_ENTER, 1)]);
}
