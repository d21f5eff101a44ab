//! Interpreter behaviour the bare-metal guests do not reach: the MMIO machine check, the
//! reservation granule, hypercall exits, budget accounting, and code patched under the decode
//! memo; the trace interrupt. Expected values come from the ISA (Book II 4.4.2 reservations;
//! Book III 7.5 interrupt registers, 7.5.15 trace).

use std::ptr::NonNull;
use std::sync::Arc;

use super::*;
use crate::hpt::{HpteStorage, PartitionEntry};
use crate::irq_line::InterruptLine;
use crate::CpuConfig;

struct TestBus {
    mem: Vec<u8>,
    mmio: Vec<(u64, Vec<u8>)>,
}

// SAFETY: `mem` is never resized while the bus lives.
unsafe impl Bus for TestBus {
    fn ram(&self) -> (NonNull<u8>, u64) {
        (
            NonNull::new(self.mem.as_ptr().cast_mut()).expect("non-null"),
            self.mem.len() as u64,
        )
    }
    fn mmio_read(&mut self, addr: u64, buf: &mut [u8]) -> bool {
        if addr == 0x1_0000_0000 {
            buf.fill(0xab);
            true
        } else {
            false
        }
    }
    fn mmio_write(&mut self, addr: u64, buf: &[u8]) -> bool {
        if addr == 0x1_0000_0000 {
            self.mmio.push((addr, buf.to_vec()));
            true
        } else {
            false
        }
    }
}

fn machine(code: &[u32]) -> (Cpu, TestBus) {
    let mut mem = vec![0u8; 1 << 20];
    for (i, w) in code.iter().enumerate() {
        mem[0x1000 + 4 * i..0x1004 + 4 * i].copy_from_slice(&w.to_be_bytes());
    }
    let mut cpu = Cpu::new(
        CpuConfig::default(),
        Arc::new(PartitionEntry::new()),
        Arc::new(InterruptLine::new()),
    );
    cpu.set_msr(msr::SF);
    cpu.state.nip = 0x1000;
    (cpu, TestBus { mem, mmio: vec![] })
}

const fn x(rt: u32, ra: u32, rb: u32, xo: u32) -> u32 {
    (31 << 26) | (rt << 21) | (ra << 16) | (rb << 11) | (xo << 1)
}

#[test]
fn mmio_reaches_the_bus_and_a_refused_access_is_a_machine_check() {
    // ld r5,0(r3); std r5,0(r3); ld r6,0(r4)
    let (mut cpu, mut bus) = machine(&[0xe8a3_0000, 0xf8a3_0000, 0xe8c4_0000]);
    cpu.state.gpr[3] = 0x1_0000_0000;
    cpu.state.gpr[4] = 0x2_0000_0000;
    let mut i = Interpreter::new();
    assert_eq!(i.run(&mut cpu, &mut bus, 2), Exit::Budget);
    assert_eq!(cpu.state.gpr[5], 0xabab_abab_abab_abab);
    assert_eq!(bus.mmio, vec![(0x1_0000_0000, vec![0xab; 8])]);
    i.run(&mut cpu, &mut bus, 1);
    assert_eq!(cpu.state.nip, 0x200);
    assert_eq!(cpu.state.sprs.srr0, 0x1008);
    assert_eq!(cpu.msr() & msr::ME, 0);
}

#[test]
fn a_store_into_the_granule_kills_the_reservation() {
    // lwarx r5,0,r3; stw r6,100(r3) (same 128-byte granule); stwcx. r6,0,r3
    let lwarx = x(5, 0, 3, 20);
    let stwcx = x(6, 0, 3, 150) | 1;
    let (mut cpu, mut bus) = machine(&[lwarx, 0x90c3_0064, stwcx, lwarx, stwcx]);
    cpu.state.gpr[3] = 0x8000;
    cpu.state.gpr[6] = 7;
    let mut i = Interpreter::new();
    i.run(&mut cpu, &mut bus, 3);
    assert_eq!(cpu.state.cr.field(0), 0, "stwcx. must fail");
    assert_eq!(&bus.mem[0x8000..0x8004], &[0, 0, 0, 0]);
    i.run(&mut cpu, &mut bus, 2);
    assert_eq!(
        cpu.state.cr.field(0),
        0b0010,
        "stwcx. right after lwarx succeeds"
    );
    assert_eq!(&bus.mem[0x8000..0x8004], &[0, 0, 0, 7]);
}

#[test]
fn sc_1_exits_with_nip_past_it() {
    // li r3,0x58; sc 1; li r4,1
    let (mut cpu, mut bus) = machine(&[0x3860_0058, 0x4400_0022, 0x3880_0001]);
    let mut i = Interpreter::new();
    assert_eq!(i.run(&mut cpu, &mut bus, 100), Exit::Hypercall);
    assert_eq!(cpu.state.nip, 0x1008);
    assert_eq!(cpu.state.gpr[3], 0x58);
    assert_eq!(i.retired(), 2);
}

#[test]
fn patched_code_is_seen_at_the_next_fetch() {
    // 0x1000: li r3,1 ; b 0x1000 — run, patch the li, run again.
    let (mut cpu, mut bus) = machine(&[0x3860_0001, 0x4bff_fffc]);
    let mut i = Interpreter::new();
    i.run(&mut cpu, &mut bus, 2);
    assert_eq!(cpu.state.gpr[3], 1);
    bus.mem[0x1000..0x1004].copy_from_slice(&0x3860_0002u32.to_be_bytes());
    i.run(&mut cpu, &mut bus, 1);
    assert_eq!(cpu.state.gpr[3], 2);
}

#[test]
fn an_unimplemented_instruction_is_illegal_and_privileged_ones_need_privilege() {
    // dadd f1,f2,f3 (a valid POWER9 DFP encoding papr does not implement); then mfmsr in
    // problem state.
    let (mut cpu, mut bus) = machine(&[0xec22_1804]);
    cpu.set_msr(msr::SF | msr::FP);
    let mut i = Interpreter::new();
    i.run(&mut cpu, &mut bus, 1);
    assert_eq!(cpu.state.nip, 0x700);
    assert_eq!(cpu.state.sprs.srr1 & 0x0008_0000, 0x0008_0000);

    let (mut cpu, mut bus) = machine(&[0x7c60_00a6]);
    cpu.set_msr(msr::SF | msr::PR);
    i.run(&mut cpu, &mut bus, 1);
    assert_eq!(cpu.state.nip, 0x700);
    assert_eq!(cpu.state.sprs.srr1 & 0x0004_0000, 0x0004_0000);
}

#[test]
fn a_foreign_store_between_larx_and_stcx_makes_it_fail() {
    let lwarx = x(5, 0, 3, 20);
    let stwcx = x(6, 0, 3, 150) | 1;
    let (mut cpu, mut bus) = machine(&[lwarx, stwcx]);
    cpu.state.gpr[3] = 0x8000;
    cpu.state.gpr[6] = 7;
    let mut i = Interpreter::new();
    i.run(&mut cpu, &mut bus, 1);
    // Another agent (vCPU, hypervisor) changes the word.
    bus.mem[0x8003] = 9;
    i.run(&mut cpu, &mut bus, 1);
    assert_eq!(cpu.state.cr.field(0), 0);
    assert_eq!(&bus.mem[0x8000..0x8004], &[0, 0, 0, 9]);
}

/// Two threads of one partition on one memory, each with its own code page: thread 0 runs
/// `lwarx r5,0,r3; stwcx. r6,0,r3` (at 0x1000), thread 1 a store of r6 at r4 (at 0x3000).
fn two_threads(store: u32) -> (Cpu, Cpu, TestBus) {
    let lwarx = x(5, 0, 3, 20);
    let stwcx = x(6, 0, 3, 150) | 1;
    let (mut a, mut bus) = machine(&[lwarx, stwcx]);
    bus.mem[0x3000..0x3004].copy_from_slice(&store.to_be_bytes());
    let (mut b, _) = machine(&[]);
    b.state.nip = 0x3000;
    a.state.gpr[3] = 0x8000;
    a.state.gpr[6] = 7;
    b.state.gpr[6] = 0; // the value already in memory: a same-value store
    (a, b, bus)
}

#[test]
fn a_same_value_store_by_another_thread_kills_the_reservation() {
    let monitor = ReservationMonitor::new(2);
    for (store, offset, fails) in [
        (0x90c4_0000u32, 0x8000u64, true), // stw, same word
        (0xf8c4_0000, 0x8078, true),       // std, same granule, last doubleword
        (0x98c4_0000, 0x807f, true),       // stb, last byte of the granule
        (0x90c4_0000, 0x8080, false),      // stw, next granule
        (0x90c4_0000, 0x7ffc, false),      // stw, just before
    ] {
        let (mut a, mut b, mut bus) = two_threads(store);
        b.state.gpr[4] = offset;
        let mut ia = Interpreter::new();
        let mut ib = Interpreter::new();
        ia.set_monitor(monitor.slot(0).expect("slot 0"));
        ib.set_monitor(monitor.slot(1).expect("slot 1"));
        ia.run(&mut a, &mut bus, 1);
        ib.run(&mut b, &mut bus, 1);
        ia.run(&mut a, &mut bus, 1);
        let cr0 = a.state.cr.field(0);
        assert_eq!(
            cr0 == 0,
            fails,
            "store {store:08x} at {offset:#x}: CR0 {cr0:04b}"
        );
        assert!(
            !monitor.holds(0, 0x8000),
            "stcx. always ends the reservation"
        );
    }
    // Without the monitor the same-value store goes unseen (the byte comparison cannot see it).
    let (mut a, mut b, mut bus) = two_threads(0x90c4_0000);
    b.state.gpr[4] = 0x8000;
    let (mut ia, mut ib) = (Interpreter::new(), Interpreter::new());
    ia.run(&mut a, &mut bus, 1);
    ib.run(&mut b, &mut bus, 1);
    ia.run(&mut a, &mut bus, 1);
    assert_eq!(a.state.cr.field(0), 0b0010);
}

#[test]
fn a_restored_reservation_is_published_and_clear_reservation_withdraws_it() {
    let monitor = ReservationMonitor::new(2);
    let (mut a, _b, mut bus) = two_threads(0);
    let mut ia = Interpreter::new();
    ia.set_monitor(monitor.slot(0).expect("slot 0"));
    ia.run(&mut a, &mut bus, 1);
    assert!(monitor.holds(0, 0x8000));
    let state = a.save_state(&ia);
    ia.clear_reservation();
    assert!(!monitor.holds(0, 0x8000));
    let mut fresh = Interpreter::new();
    fresh.set_monitor(monitor.slot(0).expect("slot 0"));
    a.restore_state(&mut fresh, &state).expect("restore");
    assert!(monitor.holds(0, 0x8000));
    monitor.platform_store(0x8010, 4);
    fresh.run(&mut a, &mut bus, 1);
    assert_eq!(
        a.state.cr.field(0),
        0,
        "a platform store clears a restored reservation"
    );
}

#[test]
fn a_reservation_and_a_decrementer_survive_a_move_to_a_fresh_thread() {
    // lwarx r5,0,r3; stwcx. r6,0,r3; mfcr r7; then `b .` under EE = 1 until the decrementer
    // (written by the platform below) is taken.
    let lwarx = x(5, 0, 3, 20);
    let stwcx = x(6, 0, 3, 150) | 1;
    let mfcr = x(7, 0, 0, 19);
    let (mut cpu, mut bus) = machine(&[lwarx, stwcx, mfcr, 0x4800_0000]);
    cpu.set_msr(msr::SF | msr::EE);
    cpu.state.gpr[3] = 0x8000;
    cpu.state.gpr[6] = 7;
    cpu.mtspr(22, 40).unwrap();
    bus.mem[0x900..0x904].copy_from_slice(&0x4800_0000u32.to_be_bytes());
    let mut i = Interpreter::new();
    i.run(&mut cpu, &mut bus, 1);
    let state = cpu.save_state(&i);
    assert!(state.reservation.is_some());
    let mut moved = Cpu::new(
        CpuConfig::default(),
        Arc::new(PartitionEntry::new()),
        Arc::new(InterruptLine::new()),
    );
    let mut moved_bus = TestBus {
        mem: bus.mem.clone(),
        mmio: vec![],
    };
    let mut j = Interpreter::new();
    moved.restore_state(&mut j, &state).unwrap();
    for (c, b, interp) in [
        (&mut cpu, &mut bus, &mut i),
        (&mut moved, &mut moved_bus, &mut j),
    ] {
        interp.run(c, b, 200);
        assert_eq!(c.state.gpr[7] >> 28, 0b0010, "stwcx. succeeded");
        assert_eq!(&b.mem[0x8000..0x8004], &[0, 0, 0, 7]);
        assert_eq!(c.state.nip, 0x900, "in the decrementer handler");
    }
    assert_eq!(cpu.save_state(&i), moved.save_state(&j));
}

// ---- trace interrupt (Book III 7.5.15) ------------------------------------------------------

/// SRR1 bit 33, set by every trace interrupt.
const TRACE: u64 = 0x4000_0000;
/// SRR1 bit 35: Load-type traced instruction.
const TRACE_LOAD: u64 = 0x1000_0000;
/// SRR1 bit 36: Store-type traced instruction.
const TRACE_STORE: u64 = 0x0800_0000;
const ADD_R3_R4_R5: u32 = (31 << 26) | (3 << 21) | (4 << 16) | (5 << 11) | (266 << 1);
const NOP: u32 = 0x6000_0000;
const RFID: u32 = 0x4c00_0024;

fn put(bus: &mut TestBus, at: usize, w: u32) {
    bus.mem[at..at + 4].copy_from_slice(&w.to_be_bytes());
}

#[test]
fn single_step_over_an_add() {
    let (mut cpu, mut bus) = machine(&[ADD_R3_R4_R5, NOP]);
    cpu.set_msr(msr::SF | msr::SE | msr::EE | msr::ME);
    cpu.state.gpr[4] = 40;
    cpu.state.gpr[5] = 2;
    let mut i = Interpreter::new();
    // The trace interrupt is taken within the same step: a boundary, not an instruction.
    assert_eq!(i.run(&mut cpu, &mut bus, 1), Exit::Budget);
    assert_eq!(i.retired(), 1);
    assert_eq!(cpu.state.gpr[3], 42);
    assert_eq!(cpu.state.nip, 0xd00);
    assert_eq!(cpu.state.sprs.srr0, 0x1004, "SRR0 = the next instruction");
    assert_eq!(
        cpu.state.sprs.srr1,
        msr::SF | msr::SE | msr::EE | msr::ME | TRACE
    );
    assert_eq!(
        cpu.state.sprs.pmu.siar, 0x1000,
        "SIAR = the traced instruction"
    );
    // New MSR: SE (and EE) cleared, ME kept, SF set, real mode.
    assert_eq!(cpu.msr(), msr::SF | msr::ME);
}

#[test]
fn single_step_reports_loads_and_stores_with_sdar() {
    // stw r5,8(r3); lwz r6,12(r3); stwcx. r5,0,r3 (fails: no reservation, still a store)
    let stw = (36 << 26) | (5 << 21) | (3 << 16) | 8;
    let lwz = (32 << 26) | (6 << 21) | (3 << 16) | 12;
    let stwcx = x(5, 0, 3, 150) | 1;
    let (mut cpu, mut bus) = machine(&[stw, lwz, stwcx]);
    cpu.state.gpr[3] = 0x3000;
    cpu.state.gpr[5] = 0x1234;
    let mut i = Interpreter::new();
    for (at, status, sdar) in [
        (0x1000, TRACE_STORE, 0x3008),
        (0x1004, TRACE_LOAD, 0x300c),
        (0x1008, TRACE_STORE, 0x3000),
    ] {
        cpu.set_msr(msr::SF | msr::SE);
        cpu.state.nip = at;
        i.run(&mut cpu, &mut bus, 1);
        assert_eq!(cpu.state.nip, 0xd00);
        assert_eq!(cpu.state.sprs.srr0, at + 4);
        assert_eq!(cpu.state.sprs.srr1, msr::SF | msr::SE | TRACE | status);
        assert_eq!(cpu.state.sprs.pmu.sdar, sdar);
        assert_eq!(cpu.state.sprs.pmu.siar, at);
    }
    assert_eq!(cpu.state.gpr[6], 0);
    assert_eq!(&bus.mem[0x3008..0x300c], &[0, 0, 0x12, 0x34]);
}

#[test]
fn branch_trace_after_taken_and_not_taken_branches_only() {
    // 0x1000 add; 0x1004 b +0x10 (→ 0x1014); 0x1014 beq +8 (CR0[EQ] = 0: not taken)
    let mut code = [NOP; 6];
    code[0] = ADD_R3_R4_R5;
    code[1] = (18 << 26) | 0x10;
    code[5] = (16 << 26) | (12 << 21) | (2 << 16) | 8;
    let (mut cpu, mut bus) = machine(&code);
    cpu.set_msr(msr::SF | msr::BE);
    let mut i = Interpreter::new();
    i.run(&mut cpu, &mut bus, 1);
    assert_eq!(cpu.state.nip, 0x1004, "BE alone does not trace an add");
    i.run(&mut cpu, &mut bus, 1);
    assert_eq!(cpu.state.nip, 0xd00);
    assert_eq!(cpu.state.sprs.srr0, 0x1014, "SRR0 = the branch target");
    assert_eq!(cpu.state.sprs.srr1, msr::SF | msr::BE | TRACE);
    assert_eq!(cpu.state.sprs.pmu.siar, 0x1004);
    assert_eq!(cpu.msr(), msr::SF);
    // Back with BE: the not-taken bc is traced too, SRR0 = the next instruction.
    cpu.set_msr(msr::SF | msr::BE);
    cpu.state.nip = 0x1014;
    i.run(&mut cpu, &mut bus, 1);
    assert_eq!(cpu.state.nip, 0xd00);
    assert_eq!(cpu.state.sprs.srr0, 0x1018);
    assert_eq!(cpu.state.sprs.srr1, msr::SF | msr::BE | TRACE);
}

#[test]
fn rfid_is_not_traced_and_the_instruction_it_returns_to_is() {
    // The debugger pattern: rfid with SRR1[SE] = 1 steps exactly the first instruction.
    let (mut cpu, mut bus) = machine(&[RFID]);
    put(&mut bus, 0x2000, ADD_R3_R4_R5);
    cpu.set_msr(msr::SF | msr::SE);
    cpu.state.sprs.srr0 = 0x2000;
    cpu.state.sprs.srr1 = msr::SF | msr::SE | msr::EE;
    let mut i = Interpreter::new();
    i.run(&mut cpu, &mut bus, 1);
    assert_eq!(cpu.state.nip, 0x2000, "no trace after rfid");
    assert_eq!(cpu.msr(), msr::SF | msr::SE | msr::EE);
    i.run(&mut cpu, &mut bus, 1);
    assert_eq!(cpu.state.nip, 0xd00);
    assert_eq!(cpu.state.sprs.srr0, 0x2004);
    assert_eq!(cpu.state.sprs.srr1, msr::SF | msr::SE | msr::EE | TRACE);
}

#[test]
fn sc_traps_and_interrupting_instructions_are_not_traced() {
    // sc 0: the system call interrupt only (SRR1 without bit 33); SE is cleared by it.
    let (mut cpu, mut bus) = machine(&[0x4400_0002]);
    cpu.set_msr(msr::SF | msr::SE);
    let mut i = Interpreter::new();
    i.run(&mut cpu, &mut bus, 1);
    assert_eq!(cpu.state.nip, 0xc00);
    assert_eq!(cpu.state.sprs.srr0, 0x1004);
    assert_eq!(cpu.state.sprs.srr1, msr::SF | msr::SE);
    // sc 1: a hypercall exit, no trace when the caller resumes.
    let (mut cpu, mut bus) = machine(&[0x4400_0022, NOP]);
    cpu.set_msr(msr::SF | msr::SE);
    assert_eq!(i.run(&mut cpu, &mut bus, 1), Exit::Hypercall);
    assert_eq!(cpu.state.nip, 0x1004);
    assert_eq!(cpu.state.sprs.srr0, 0);
    // sc 1 from problem state completes with H_PRIVILEGE; still never traced.
    let (mut cpu, mut bus) = machine(&[0x4400_0022]);
    cpu.set_msr(msr::SF | msr::SE | msr::PR);
    i.run(&mut cpu, &mut bus, 1);
    assert_eq!(cpu.state.nip, 0x1004);
    // A trap that traps, an illegal instruction: their own interrupt only.
    for word in [0x7fe0_0008, 0] {
        let (mut cpu, mut bus) = machine(&[word]);
        cpu.set_msr(msr::SF | msr::SE | msr::BE);
        i.run(&mut cpu, &mut bus, 1);
        assert_eq!(cpu.state.nip, 0x700);
        assert_eq!(cpu.state.sprs.srr0, 0x1000);
        assert_eq!(cpu.state.sprs.srr1 & TRACE, 0);
    }
    // A trap that does not trap (tw 0,r0,r0) completes and is traced.
    let (mut cpu, mut bus) = machine(&[x(0, 0, 0, 4)]);
    cpu.set_msr(msr::SF | msr::SE);
    i.run(&mut cpu, &mut bus, 1);
    assert_eq!(cpu.state.nip, 0xd00);
    assert_eq!(cpu.state.sprs.srr0, 0x1004);
}

#[test]
fn trace_follows_the_msr_the_instruction_executed_under() {
    // mtmsrd r7,0 setting SE is not traced itself (it ran with SE = 0); the next one is.
    let mtmsrd = (31 << 26) | (7 << 21) | (178 << 1);
    let (mut cpu, mut bus) = machine(&[mtmsrd, NOP, mtmsrd]);
    cpu.set_msr(msr::SF);
    cpu.state.gpr[7] = msr::SF | msr::SE;
    let mut i = Interpreter::new();
    i.run(&mut cpu, &mut bus, 1);
    assert_eq!(cpu.state.nip, 0x1004);
    i.run(&mut cpu, &mut bus, 1);
    assert_eq!(cpu.state.nip, 0xd00);
    assert_eq!(cpu.state.sprs.srr0, 0x1008);
    // mtmsrd clearing SE ran with SE = 1: it is traced (mtmsr(d) is not in the ISA's list).
    cpu.set_msr(msr::SF | msr::SE);
    cpu.state.nip = 0x1008;
    cpu.state.gpr[7] = msr::SF;
    i.run(&mut cpu, &mut bus, 1);
    assert_eq!(cpu.state.nip, 0xd00);
    assert_eq!(cpu.state.sprs.srr0, 0x100c);
    assert_eq!(cpu.state.sprs.srr1, msr::SF | TRACE);
}

#[test]
fn the_trace_interrupt_comes_before_a_pending_external() {
    // mtmsrd r7,1 turns EE on with the external line already raised: the trace interrupt of
    // the mtmsrd is taken first (it clears EE), the external waits for the handler's rfid.
    let (_, mut bus) = machine(&[]);
    let line = Arc::new(InterruptLine::new());
    let mut cpu = Cpu::new(
        CpuConfig::default(),
        Arc::new(PartitionEntry::new()),
        line.clone(),
    );
    put(
        &mut bus,
        0x1000,
        (31 << 26) | (7 << 21) | (1 << 16) | (178 << 1),
    );
    cpu.set_msr(msr::SF | msr::SE);
    cpu.state.nip = 0x1000;
    cpu.state.gpr[7] = msr::EE;
    line.raise();
    let mut i = Interpreter::new();
    i.run(&mut cpu, &mut bus, 1);
    assert_eq!(cpu.state.nip, 0xd00);
    assert_eq!(cpu.state.sprs.srr0, 0x1004);
    assert_eq!(cpu.state.sprs.srr1, msr::SF | msr::SE | msr::EE | TRACE);
    assert_eq!(cpu.msr() & msr::EE, 0);
}

#[test]
fn with_se_and_be_clear_nothing_changes() {
    // Same instructions as above, no trace bits: no interrupt, SRR0/1, SIAR, SDAR untouched.
    let stw = (36 << 26) | (5 << 21) | (3 << 16) | 8;
    let code = [ADD_R3_R4_R5, stw, (18 << 26) | 8, NOP, NOP, NOP];
    let (mut cpu, mut bus) = machine(&code);
    cpu.set_msr(msr::SF | msr::EE);
    cpu.state.gpr[3] = 0x3000;
    cpu.state.sprs.srr0 = 0x5a5a;
    cpu.state.sprs.srr1 = 0xa5a5;
    cpu.state.sprs.pmu.siar = 0x1111;
    cpu.state.sprs.pmu.sdar = 0x2222;
    let mut i = Interpreter::new();
    for nip in [0x1004, 0x1008, 0x1010, 0x1014] {
        i.run(&mut cpu, &mut bus, 1);
        assert_eq!(cpu.state.nip, nip);
    }
    assert_eq!(cpu.msr(), msr::SF | msr::EE);
    assert_eq!((cpu.state.sprs.srr0, cpu.state.sprs.srr1), (0x5a5a, 0xa5a5));
    assert_eq!(
        (cpu.state.sprs.pmu.siar, cpu.state.sprs.pmu.sdar),
        (0x1111, 0x2222)
    );
}

struct Table(Vec<crate::hpt::Hpte>);
impl HpteStorage for Table {
    fn entries(&self) -> &[crate::hpt::Hpte] {
        &self.0
    }
}

#[test]
fn ail3_relocates_the_trace_interrupt_when_translated() {
    use crate::hpt::{npte, HptView, Hpte, Segment, SegmentSize};
    use crate::lpcr::{Ail, Lpcr};
    // A 1T segment at 0xc000000000000000 whose 64K pages map real 0.. (as the interp bench).
    let (_, mut bus) = machine(&[]);
    let stw = (36 << 26) | (5 << 21) | (3 << 16) | 8;
    put(&mut bus, 0x1000, stw);
    let order = 18;
    let view = HptView::new(
        Arc::new(Table((0..npte(order)).map(|_| Hpte::default()).collect())),
        order,
    );
    let vsid = 0x0abc_def1;
    let seg = Segment {
        size: SegmentSize::S1T,
        vsid,
        base_shift: 16,
    };
    let base = 0xc000_0000_0000_0000u64;
    for k in 0..(bus.mem.len() as u64 >> 16) {
        let ea = base + (k << 16);
        let group = (seg.hash(ea) & view.hash_mask()) as usize;
        let v = (1u64 << 62) | ((seg.va_23(ea) << 7) & 0x3fff_ffff_ffff_ff80) | 0x4 | 1;
        view.entries()[group * 8].store(v, (k << 16) | 0x1000 | 0x190 | 0x2);
    }
    let pate = Arc::new(PartitionEntry::new());
    pate.set_table(Some(view));
    let mut cpu = Cpu::new(CpuConfig::default(), pate, Arc::new(InterruptLine::new()));
    cpu.set_lpcr(Lpcr {
        ail: Ail::Relocated,
        ile: false,
        lpes: true,
        ld: true,
    });
    cpu.set_msr(msr::SF | msr::IR | msr::DR | msr::SE);
    cpu.slbmte((1 << 62) | (vsid << 24) | 0x110, base | 0x0800_0000);
    cpu.state.nip = base + 0x1000;
    cpu.state.gpr[3] = base + 0x3000;
    cpu.state.gpr[5] = 7;
    Interpreter::new().run(&mut cpu, &mut bus, 1);
    assert_eq!(&bus.mem[0x3008..0x300c], &[0, 0, 0, 7]);
    assert_eq!(cpu.state.nip, 0xc000_0000_0000_4d00);
    assert_eq!(cpu.state.sprs.srr0, base + 0x1004);
    assert_eq!(
        cpu.state.sprs.srr1,
        msr::SF | msr::IR | msr::DR | msr::SE | TRACE | TRACE_STORE
    );
    assert_eq!(cpu.state.sprs.pmu.sdar, base + 0x3008);
    assert_eq!(cpu.msr(), msr::SF | msr::IR | msr::DR);
}

#[test]
fn darn_delivers_seeded_numbers_of_the_right_width_and_l3_the_error_value() {
    // darn r3,0; darn r4,1; darn r5,2; darn r6,3
    let code = [0x7c60_05e6, 0x7c81_05e6, 0x7ca2_05e6, 0x7cc3_05e6];
    let run = |seed: u64| {
        let (mut cpu, mut bus) = machine(&code);
        let mut i = Interpreter::new();
        i.seed_random(seed);
        i.run(&mut cpu, &mut bus, 4);
        assert_eq!(cpu.state.nip, 0x1010, "no interrupt");
        [
            cpu.state.gpr[3],
            cpu.state.gpr[4],
            cpu.state.gpr[5],
            cpu.state.gpr[6],
        ]
    };
    let a = run(1);
    assert_eq!(a, run(1), "same seed, same numbers");
    let b = run(2);
    assert_ne!(a[1], b[1], "another seed, other numbers");
    for r in [a, b] {
        assert_eq!(r[0] >> 32, 0, "L=0: a 32-bit number");
        assert_ne!(r[0], 0xffff_ffff);
        assert_ne!(r[1], u64::MAX);
        assert_ne!(r[2], u64::MAX);
        assert_ne!(r[1], r[2]);
        assert_eq!(r[3], u64::MAX, "L=3 (reserved): the error value");
    }
}

#[test]
fn transactional_memory_is_unavailable() {
    // tbegin. ; then treclaim. r3 in problem state (privileged first).
    let (mut cpu, mut bus) = machine(&[0x7c00_051d]);
    let mut i = Interpreter::new();
    i.run(&mut cpu, &mut bus, 1);
    assert_eq!(cpu.state.nip, 0xf60);
    assert_eq!(cpu.state.sprs.srr0, 0x1000);
    assert_eq!(cpu.state.sprs.fscr >> 56, 5, "FSCR[IC] = TM");
    let (mut cpu, mut bus) = machine(&[0x7c03_075d]);
    i.run(&mut cpu, &mut bus, 1);
    assert_eq!(
        cpu.state.nip, 0xf60,
        "treclaim. in privileged state: TM unavailable"
    );
    let (mut cpu, mut bus) = machine(&[0x7c03_075d]);
    cpu.set_msr(msr::SF | msr::PR);
    i.run(&mut cpu, &mut bus, 1);
    assert_eq!(cpu.state.nip, 0x700);
    assert_eq!(cpu.state.sprs.srr1 & 0x0004_0000, 0x0004_0000, "privileged");
}

#[test]
fn a_store_into_the_executing_block_is_fetched_by_the_next_instruction() {
    // 0x1000: stw r5,8(r3); nop; li r6,1 — the store turns the li into `li r6,2` before it
    // executes, inside one decoded block.
    let (mut cpu, mut bus) = machine(&[0x90a3_0008, 0x6000_0000, 0x38c0_0001, 0x4800_0000]);
    cpu.state.gpr[3] = 0x1000;
    cpu.state.gpr[5] = 0x38c0_0002;
    let mut i = Interpreter::new();
    // Decode the block once first (run the nop and li), then come back to the store.
    cpu.state.nip = 0x1004;
    i.run(&mut cpu, &mut bus, 2);
    assert_eq!(cpu.state.gpr[6], 1);
    cpu.state.nip = 0x1000;
    i.run(&mut cpu, &mut bus, 3);
    assert_eq!(cpu.state.gpr[6], 2);
    // And a patch made between runs (by anyone) is seen when the block is entered again.
    bus.mem[0x1008..0x100c].copy_from_slice(&0x38c0_0003u32.to_be_bytes());
    cpu.state.nip = 0x1004;
    i.run(&mut cpu, &mut bus, 2);
    assert_eq!(cpu.state.gpr[6], 3);
}

#[test]
fn a_block_stops_exactly_at_the_budget_and_at_a_pending_interrupt() {
    // Eight `addi r3,r3,1` and a branch back: one block.
    let mut code = vec![0x3863_0001u32; 8];
    code.push(0x4bff_ffe0);
    let (mut cpu, mut bus) = machine(&code);
    let mut i = Interpreter::new();
    i.run(&mut cpu, &mut bus, 5);
    assert_eq!(
        (cpu.state.gpr[3], cpu.state.nip, i.retired()),
        (5, 0x1014, 5)
    );
    // A decrementer that expires mid-block is taken at the boundary where it exists.
    bus.mem[0x900..0x904].copy_from_slice(&0x4800_0000u32.to_be_bytes()); // b .
    cpu.state.nip = 0x1000;
    cpu.state.gpr[3] = 0;
    cpu.set_msr(msr::SF | msr::EE);
    cpu.timebase.write_dec(2, true); // exists 3 ticks (about 6 instructions) from now
    i.run(&mut cpu, &mut bus, 7);
    let ran = cpu.state.gpr[3];
    assert!((1..8).contains(&ran), "mid-block: {ran}");
    assert_eq!(cpu.state.sprs.srr0, 0x1000 + 4 * ran);
    assert_eq!(cpu.state.nip, 0x900);
    assert!(cpu.timebase.dec_pending());
}

#[test]
fn stats_count_block_entries_decodes_and_single_steps() {
    // Eight `addi r3,r3,1` and a branch back: one block of nine, entered once per lap.
    let mut code = vec![0x3863_0001u32; 8];
    code.push(0x4bff_ffe0);
    let (mut cpu, mut bus) = machine(&code);
    let mut i = Interpreter::new();
    i.run(&mut cpu, &mut bus, 9 * 10);
    let s = i.stats();
    assert_eq!(s.retired, 90);
    assert_eq!(s.block_entries, 10);
    assert_eq!(s.blocks_decoded, 1);
    assert_eq!(s.single_steps, 0);
    // Under single-step trace every instruction goes one at a time.
    cpu.set_msr(msr::SF | msr::SE);
    i.run(&mut cpu, &mut bus, 1);
    assert_eq!(i.stats().single_steps, 1);
}
