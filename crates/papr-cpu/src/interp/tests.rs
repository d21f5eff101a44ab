//! Interpreter behaviour the bare-metal guests do not reach: the MMIO machine check, the
//! reservation granule, hypercall exits, budget accounting, and code patched under the decode
//! memo. Expected values come from the ISA (Book II 4.4.2 reservations; Book III 7.5 interrupt
//! registers).

use std::ptr::NonNull;
use std::sync::Arc;

use super::*;
use crate::hpt::PartitionEntry;
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
    // darn r3,1 (valid POWER9 encoding papr does not implement); then mfmsr in problem state.
    let (mut cpu, mut bus) = machine(&[0x7c61_05e6]);
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
