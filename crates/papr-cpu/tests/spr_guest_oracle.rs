//! SPR and interrupt numbers the `spr` and `irq` guests recorded on QEMU 7.2
//! (guests/expected/spr.txt, irq.txt), replayed through `Cpu::mfspr`/`mtspr` and interrupt
//! delivery. Lines where papr deliberately differs (docs/CPU.md) are checked for papr's value
//! and say so.

use std::sync::Arc;

use papr_cpu::hpt::PartitionEntry;
use papr_cpu::lpcr::Lpcr;
use papr_cpu::{Cpu, CpuConfig, Interrupt, InterruptLine, SprFault};

/// After H_SET_MODE(LE) and the switch to 64-bit LE: MSR = SF|LE.
const SUP: u64 = 0x8000_0000_0000_0001;
/// The irq guest's problem state: SF|EE|PR|IR|DR|LE.
const USER: u64 = 0x8000_0000_0000_c031;

fn cpu(msr: u64) -> Cpu {
    let mut c = Cpu::new(
        CpuConfig::default(),
        Arc::new(PartitionEntry::new()),
        Arc::new(InterruptLine::new()),
    );
    c.set_lpcr(Lpcr {
        ile: true,
        ..Lpcr::reset()
    });
    c.set_msr(msr);
    c
}

/// Delivers `f` at `pc` and returns (vector, SRR1, handler MSR).
fn deliver(c: &mut Cpu, f: SprFault, pc: u64) -> (u64, u64, u64) {
    c.take_exception(Interrupt::from(f), pc);
    let out = (c.state.nip, c.state.sprs.srr1, c.msr());
    c.rfid();
    out
}

#[test]
fn spr_guest_read_write_lines() {
    let mut c = cpu(SUP);
    // "XER (1/1) -1 ->=00000000ffffffff pat ->=000000009abcdef0"
    c.mtspr(1, u64::MAX).unwrap();
    assert_eq!(c.mfspr(1), Ok(Some(0xffff_ffff)));
    c.mtspr(1, 0x1234_5678_9abc_def0).unwrap();
    assert_eq!(c.mfspr(1), Ok(Some(0x9abc_def0)));
    // "PSPB (159/159) -1 ->=00000000ffffffff pat ->=000000009abcdef0"
    c.mtspr(159, 0x1234_5678_9abc_def0).unwrap();
    assert_eq!(c.mfspr(159), Ok(Some(0x9abc_def0)));
    // "MMCR0 (795)=0000000080000000", "PVR (287)=00000000004e1200", "PIR (1023)=0",
    // "FSCR (153)=0".
    assert_eq!(c.mfspr(795), Ok(Some(0x8000_0000)));
    assert_eq!(c.mfspr(287), Ok(Some(0x004e_1200)));
    assert_eq!(c.mfspr(1023), Ok(Some(0)));
    assert_eq!(c.mfspr(153), Ok(Some(0)));
    // "FSCR -1 ->=ffffffffffffffff"
    c.mtspr(153, u64::MAX).unwrap();
    assert_eq!(c.mfspr(153), Ok(Some(u64::MAX)));
    // "SPRG3 user alias (259)=123456789abcdef0"
    c.mtspr(275, 0x1234_5678_9abc_def0).unwrap();
    assert_eq!(c.mfspr(259), Ok(Some(0x1234_5678_9abc_def0)));
    // Deliberate difference: "DSISR (18/18) -1 ->=ffffffffffffffff" on QEMU; DSISR is a
    // 32-bit register.
    c.mtspr(18, u64::MAX).unwrap();
    assert_eq!(c.mfspr(18), Ok(Some(0xffff_ffff)));
    // Deliberate difference: "DSCR user (3/3) -1 ->=0" on QEMU; SPR 3 is DSCR.
    c.mtspr(3, u64::MAX).unwrap();
    assert_eq!(c.mfspr(17), Ok(Some(u64::MAX)));
}

#[test]
fn spr_guest_privileged_writes() {
    let mut c = cpu(SUP);
    // "mtspr PVR 00700 rfffffffc 8000000000040001 … 8000000000000001", and "PVR after" is
    // unchanged.
    let f = c.mtspr(287, 0).unwrap_err();
    assert_eq!(
        deliver(&mut c, f, 0x40_0100),
        (0x700, 0x8000_0000_0004_0001, SUP)
    );
    assert_eq!(c.mfspr(287), Ok(Some(0x004e_1200)));
    // "mtspr PIR 00700 rfffffffc 8000000000040001"
    let f = c.mtspr(1023, 0).unwrap_err();
    assert_eq!(deliver(&mut c, f, 0x40_0100).1, 0x8000_0000_0004_0001);
}

#[test]
fn irq_guest_spr_lines() {
    let mut c = cpu(SUP);
    // "mfspr undefined 1022 00000", "mtspr undefined 1022 00000": no interrupt.
    assert_eq!(c.mfspr(1022), Ok(None));
    assert_eq!(c.mtspr(1022, 0), Ok(()));
    // "mtspr LPCR from supervisor 00700 rfffffffc 8000000000040001 … 8000000000000001"
    let f = c.mtspr(318, 0).unwrap_err();
    assert_eq!(
        deliver(&mut c, f, 0x40_0200),
        (0x700, 0x8000_0000_0004_0001, SUP)
    );
    let f = c.mfspr(318).unwrap_err();
    assert_eq!(deliver(&mut c, f, 0x40_0200).1, 0x8000_0000_0004_0001);
    // Deliberate difference: "mfspr HSRR1(315) from supervisor 00000" on QEMU (no-op);
    // papr gives the privileged program interrupt KVM guests get.
    assert_eq!(c.mfspr(315), Err(SprFault::Privileged));
}

#[test]
fn irq_guest_problem_state_lines() {
    let mut c = cpu(USER);
    // "PR mfsrr0 00700 rffffffd8 800000000004c031 … 8000000000000001"
    let f = c.mfspr(26).unwrap_err();
    assert_eq!(
        deliver(&mut c, f, 0x1000),
        (0x700, 0x8000_0000_0004_c031, SUP)
    );
    // "PR mtdec", "PR mfdec": privileged.
    assert_eq!(c.mtspr(22, 0), Err(SprFault::Privileged));
    assert_eq!(c.mfspr(22), Err(SprFault::Privileged));
    // "PR mfspr undefined 00700 … 800000000004c031" (1022 has bit 0x10 set).
    let f = c.mfspr(1022).unwrap_err();
    assert_eq!(deliver(&mut c, f, 0x1000).1, 0x8000_0000_0004_c031);
    // "PR mftb (allowed…)", "PR mfvrsave (allowed…)".
    assert!(c.mfspr(268).unwrap().is_some());
    assert!(c.mfspr(256).unwrap().is_some());
}
