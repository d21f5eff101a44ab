//! The translation and interrupt numbers the `mmu` guest recorded on QEMU 7.2
//! (guests/expected/mmu.txt), replayed through the processor model.
//!
//! The HPTEs are placed at the PTE indices QEMU's H_ENTER returned (order 21, so the placement
//! checks papr's hash against an independent implementation), with the dword values H_READ
//! showed. Each expectation quotes the guest's line: `VEC SRR0 SRR1 DAR DSISR HANDLER_MSR`.

use std::sync::Arc;

use papr_cpu::hpt::{npte, HptView, Hpte, HpteStorage, PartitionEntry};
use papr_cpu::lpcr::{Ail, Lpcr};
use papr_cpu::state::msr;
use papr_cpu::{AccessType, Cpu, CpuConfig, InterruptLine};

struct Table(Vec<Hpte>);
impl HpteStorage for Table {
    fn entries(&self) -> &[Hpte] {
        &self.0
    }
}

/// The guest's MSR with translation on: SF|IR|DR|LE.
const TRANSLATED: u64 = 0x8000_0000_0000_0031;

fn setup() -> (Cpu, HptView) {
    let view = HptView::new(
        Arc::new(Table((0..npte(21)).map(|_| Hpte::default()).collect())),
        21,
    );
    // "H_ENTER 0x10000000->0x800000+0x10000 ptex=0x11110", "H_READ fresh v=0x2222001
    // r=0x810012".
    view.entries()[0x11110].store(0x2222001, 0x810012);
    // "H_ENTER 0x10002000->0x800000+0x11000 ptex=0x11100", read-only (PP = 3): "H_READ RO
    // after failed store r=0x811113" less the R bit the earlier load set.
    view.entries()[0x11100].store(0x2222001, 0x811013);
    // "H_ENTER 0x10000000000->0x800000+0x20000 ptex=0x1a28", "H_READ fresh 1T/64K
    // v=0x4000000345000005 r=0x821012".
    view.entries()[0x1a28].store(0x4000_0003_4500_0005, 0x821012);
    let pate = Arc::new(PartitionEntry::new());
    pate.set_table(Some(view.clone()));
    let mut cpu = Cpu::new(CpuConfig::default(), pate, Arc::new(InterruptLine::new()));
    // H_SET_MODE(LE): interrupts taken little-endian.
    cpu.set_lpcr(Lpcr {
        ile: true,
        ..Lpcr::reset()
    });
    cpu.set_msr(TRANSLATED);
    // "slb 1 esid=0x18000000 vsid=0x2222400", "slb 2 esid=0x10008000000
    // vsid=0x4000000345000510" (the slbmte index is in RB's low bits).
    cpu.slbmte(0x2222400, 0x1800_0000 | 1);
    cpu.slbmte(0x4000_0003_4500_0510, 0x0100_0800_0000 | 2);
    (cpu, view)
}

/// Takes the fault of `ea`/`access` at `pc` and returns (vector, SRR0, SRR1, DAR, DSISR,
/// handler MSR).
fn fault(cpu: &mut Cpu, ea: u64, access: AccessType, pc: u64) -> (u64, u64, u64, u64, u32, u64) {
    let f = cpu
        .translate(ea, access)
        .expect_err("the guest saw an interrupt");
    cpu.take_exception(f.into(), pc);
    let s = &cpu.state;
    let out = (
        s.nip,
        s.sprs.srr0,
        s.sprs.srr1,
        s.sprs.dar,
        s.sprs.dsisr,
        cpu.msr(),
    );
    cpu.rfid();
    out
}

#[test]
fn loads_and_stores_set_r_and_c() {
    let (mut cpu, view) = setup();
    // "ld 0x10000000=…", "H_READ after load r=0x810112".
    assert_eq!(cpu.translate(0x1000_0000, AccessType::Load), Ok(0x81_0000));
    assert_eq!(view.entries()[0x11110].r(), 0x810112);
    // "H_READ after store r=0x810192".
    assert_eq!(cpu.translate(0x1000_0008, AccessType::Store), Ok(0x81_0008));
    assert_eq!(view.entries()[0x11110].r(), 0x810192);
    // 1T/64K: "identity view of 1T store", "H_READ 1T after store r=0x821192".
    assert_eq!(
        cpu.translate(0x100_0000_0000, AccessType::Store),
        Ok(0x82_0000)
    );
    assert_eq!(view.entries()[0x1a28].r(), 0x821192);
}

#[test]
fn data_storage_and_segment_interrupts() {
    let (mut cpu, view) = setup();
    let pc = 0x40_1000;
    cpu.translate(0x1000_2000, AccessType::Load).unwrap();
    // "store to RO page 00300 … 8000000000000031 0000000010002010 0a000000 8000000000000001"
    assert_eq!(
        fault(&mut cpu, 0x1000_2010, AccessType::Store, pc),
        (
            0x300,
            pc,
            TRANSLATED,
            0x1000_2010,
            0x0a00_0000,
            0x8000_0000_0000_0001
        )
    );
    // "H_READ RO after failed store r=0x811113": R from the load, no C.
    assert_eq!(view.entries()[0x11100].r(), 0x811113);
    // "load unmapped page 00300 … 0000000010005008 40000000"
    assert_eq!(
        fault(&mut cpu, 0x1000_5008, AccessType::Load, pc),
        (
            0x300,
            pc,
            TRANSLATED,
            0x1000_5008,
            0x4000_0000,
            0x8000_0000_0000_0001
        )
    );
    // "store unmapped page 00300 … 0000000010005008 42000000"
    assert_eq!(
        fault(&mut cpu, 0x1000_5008, AccessType::Store, pc).4,
        0x4200_0000
    );
    // "load no segment (DSEG) 00380 … 0000000030000010 42000000": DSISR left as it was.
    assert_eq!(
        fault(&mut cpu, 0x3000_0010, AccessType::Load, pc),
        (
            0x380,
            pc,
            TRANSLATED,
            0x3000_0010,
            0x4200_0000,
            0x8000_0000_0000_0001
        )
    );
    // "load no 1T segment 00380 … 0000040000000000"
    assert_eq!(
        fault(&mut cpu, 0x400_0000_0000, AccessType::Load, pc).0,
        0x380
    );
    // "1T unmapped page 00300 … 0000010000020000 40000000"
    let f = fault(&mut cpu, 0x100_0002_0000, AccessType::Load, pc);
    assert_eq!((f.0, f.3, f.4), (0x300, 0x100_0002_0000, 0x4000_0000));
}

#[test]
fn instruction_storage_and_segment_interrupts() {
    let (mut cpu, _) = setup();
    // "fetch from unmapped page 00400 a0000000010006000 8000000040000031"
    let f = fault(&mut cpu, 0x1000_6000, AccessType::Fetch, 0x1000_6000);
    assert_eq!((f.0, f.1, f.2), (0x400, 0x1000_6000, 0x8000_0000_4000_0031));
    // "fetch from no segment (ISEG) 00480 a0000000030000000 8000000000000031"
    let f = fault(&mut cpu, 0x3000_0000, AccessType::Fetch, 0x3000_0000);
    assert_eq!((f.0, f.1, f.2), (0x480, 0x3000_0000, 0x8000_0000_0000_0031));
    // "fetch 1T unmapped 00400 a0000010000030000 8000000040000031"
    let f = fault(
        &mut cpu,
        0x100_0003_0000,
        AccessType::Fetch,
        0x100_0003_0000,
    );
    assert_eq!((f.0, f.2), (0x400, 0x8000_0000_4000_0031));
}

#[test]
fn ail3_relocates_the_dsi() {
    let (mut cpu, _) = setup();
    cpu.set_lpcr(Lpcr {
        ail: Ail::Relocated,
        ile: true,
        ..Lpcr::reset()
    });
    // "AIL=3 DSI with IR=DR=1 04300 … 8000000000000031 0000000010005000 40000000
    // 8000000000000031" (the stub at 0xc000000000004300 reports 0x4300).
    let f = fault(&mut cpu, 0x1000_5000, AccessType::Load, 0x40_2000);
    assert_eq!(
        f,
        (
            0xc000_0000_0000_4300,
            0x40_2000,
            TRANSLATED,
            0x1000_5000,
            0x4000_0000,
            0x8000_0000_0000_0031
        )
    );
    // "AIL=3 sc 0 with IR=1 DR=0 00c00 … 8000000000000021 … 8000000000000001"
    cpu.mtmsrd(msr::SF | msr::IR | msr::LE, false);
    cpu.take_exception(papr_cpu::Interrupt::SystemCall, 0x40_2004);
    assert_eq!(cpu.state.nip, 0xc00);
    assert_eq!(cpu.state.sprs.srr1, 0x8000_0000_0000_0021);
    assert_eq!(cpu.msr(), 0x8000_0000_0000_0001);
}
