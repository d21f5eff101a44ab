//! The architected register state of one POWER9 thread as a pseries guest sees it.
//!
//! Power ISA 3.0B, Book I 2.3 (CR, LR, CTR), 3.2 (GPRs, XER), 4.2 (FPRs, FPSCR), 6.3 (VRs,
//! VSCR, VRSAVE), 7.2 (VSRs); Book III 4.2 (MSR) and 4.3–4.5 / 9 / 10 (the SPRs a privileged
//! non-hypervisor program uses). The guest runs with MSR\[HV] = 0 always, so no hypervisor
//! register lives here.
//!
//! The VSR file is the only copy of the floating-point and vector registers: FPR *i* is
//! doubleword 0 of VSR *i* and VR *i* is VSR 32 + *i* (Book I 7.2, figure "Vector-Scalar
//! Registers"). A VSR is held as a `u128` whose most significant half is doubleword 0, so the
//! ISA's element order is the integer's big-endian order whatever the host.
//!
//! The SPR *access rules* (which number reads what, in which state) are in [`crate::spr`];
//! the time-based registers (TB, DEC, PURR, SPURR, VTB) are in [`crate::timebase`].

use crate::bits::{ibm_bit, ibm_mask};

/// MSR bits (Power ISA 3.0B Book III 4.2.1), as masks.
pub mod msr {
    use crate::bits::{ibm_bit, ibm_mask};

    /// Sixty-four-bit mode.
    pub const SF: u64 = ibm_bit(0);
    /// Hypervisor state; always 0 for a pseries guest.
    pub const HV: u64 = ibm_bit(3);
    /// Transaction state (TM); papr has no TM, the bits stay 0.
    pub const TS: u64 = ibm_mask(29, 30);
    /// Transactional memory available; stays 0.
    pub const TM: u64 = ibm_bit(31);
    /// Vector (VMX) available.
    pub const VEC: u64 = ibm_bit(38);
    /// VSX available.
    pub const VSX: u64 = ibm_bit(40);
    /// Secure (ultravisor); ignored, stays 0.
    pub const S: u64 = ibm_bit(41);
    /// External interrupt enable.
    pub const EE: u64 = ibm_bit(48);
    /// Problem state.
    pub const PR: u64 = ibm_bit(49);
    /// Floating-point available.
    pub const FP: u64 = ibm_bit(50);
    /// Machine check interrupt enable.
    pub const ME: u64 = ibm_bit(51);
    /// Floating-point exception mode 0.
    pub const FE0: u64 = ibm_bit(52);
    /// Single-step trace enable.
    pub const SE: u64 = ibm_bit(53);
    /// Branch trace enable.
    pub const BE: u64 = ibm_bit(54);
    /// Floating-point exception mode 1.
    pub const FE1: u64 = ibm_bit(55);
    /// Instruction relocate.
    pub const IR: u64 = ibm_bit(58);
    /// Data relocate.
    pub const DR: u64 = ibm_bit(59);
    /// Performance monitor mark.
    pub const PMM: u64 = ibm_bit(61);
    /// Recoverable interrupt.
    pub const RI: u64 = ibm_bit(62);
    /// Little-endian mode.
    pub const LE: u64 = ibm_bit(63);

    /// The bits a guest can change with rfid/mtmsrd (HV, ME, TS, TM and S are handled by the
    /// rules in [`crate::exception`]; every other bit position is reserved and reads 0).
    pub const GUEST_WRITABLE: u64 =
        SF | VEC | VSX | EE | PR | FP | FE0 | SE | BE | FE1 | IR | DR | PMM | RI | LE;

    /// Changing any of these changes how effective addresses translate (or, for LE, how
    /// the bytes of an access are ordered): the TLB is dropped when one changes.
    pub const TRANSLATION_MODE: u64 = SF | PR | IR | DR | LE;
}

/// XER bits (Book I 3.2.2) in the 64-bit register image.
pub mod xer {
    use crate::bits::{ibm_bit, ibm_mask};

    /// Summary overflow.
    pub const SO: u64 = ibm_bit(32);
    /// Overflow.
    pub const OV: u64 = ibm_bit(33);
    /// Carry.
    pub const CA: u64 = ibm_bit(34);
    /// Overflow of the low word (ISA 3.0).
    pub const OV32: u64 = ibm_bit(44);
    /// Carry out of the low word (ISA 3.0).
    pub const CA32: u64 = ibm_bit(45);
    /// Byte count for the string instructions.
    pub const BYTE_COUNT: u64 = ibm_mask(57, 63);
}

/// VSCR bits (Book I 6.3.2), in the 32-bit register.
pub mod vscr {
    /// Non-Java mode (bit 111 of the VSCR image as a VR, bit 15 of the word).
    pub const NJ: u32 = 0x0001_0000;
    /// Saturation, sticky.
    pub const SAT: u32 = 1;
    /// The bits that exist; the others are reserved and read 0.
    pub const VALID: u32 = NJ | SAT;
}

/// The Condition Register: eight 4-bit fields, CR0 in the most significant nibble
/// (Book I 2.3.1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cr(pub u32);

impl Cr {
    /// LT bit of a field (value 8 within the 4-bit field).
    pub const LT: u8 = 8;
    /// GT bit of a field.
    pub const GT: u8 = 4;
    /// EQ bit of a field.
    pub const EQ: u8 = 2;
    /// SO bit of a field.
    pub const SO: u8 = 1;

    /// The 32-bit register.
    #[inline]
    pub fn value(self) -> u32 {
        self.0
    }

    /// CR field `bf` (0..=7; only the low 3 bits of `bf` are used).
    #[inline]
    pub fn field(self, bf: u32) -> u8 {
        let shift = 28 - 4 * (bf & 7);
        ((self.0 >> shift) & 0xf) as u8
    }

    /// Sets CR field `bf` to the low 4 bits of `value`.
    #[inline]
    pub fn set_field(&mut self, bf: u32, value: u8) {
        let shift = 28 - 4 * (bf & 7);
        self.0 = (self.0 & !(0xf << shift)) | (u32::from(value & 0xf) << shift);
    }

    /// CR bit `bi` (0..=31, bit 0 = CR0\[LT], as the ISA numbers CR bits 32..63 - 32).
    #[inline]
    pub fn bit(self, bi: u32) -> bool {
        (self.0 >> (31 - (bi & 31))) & 1 != 0
    }

    /// Sets CR bit `bi`.
    #[inline]
    pub fn set_bit(&mut self, bi: u32, value: bool) {
        let m = 1u32 << (31 - (bi & 31));
        self.0 = if value { self.0 | m } else { self.0 & !m };
    }
}

/// The Fixed-Point Exception Register with its status bits unpacked, since the integer
/// instructions read and write CA/OV/SO all the time (Book I 3.2.2).
///
/// `other` holds the rest of bits 32:63 (byte count and the reserved bits). Like QEMU (guests
/// README fact 8) papr keeps every bit of the low word written by mtxer: the ISA allows
/// reserved SPR bits to be stored, and Linux only ever writes values it read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Xer {
    /// Summary overflow.
    pub so: bool,
    /// Overflow.
    pub ov: bool,
    /// Carry.
    pub ca: bool,
    /// 32-bit overflow.
    pub ov32: bool,
    /// 32-bit carry.
    pub ca32: bool,
    /// The other bits of the low word (status bits kept clear here).
    pub other: u32,
}

impl Xer {
    /// The status bits, unpacked into their own fields (never in `other`).
    pub const STATUS: u64 = xer::SO | xer::OV | xer::CA | xer::OV32 | xer::CA32;

    /// The register image (bits 0:31 read as 0).
    #[inline]
    pub fn value(self) -> u64 {
        u64::from(self.other)
            | if self.so { xer::SO } else { 0 }
            | if self.ov { xer::OV } else { 0 }
            | if self.ca { xer::CA } else { 0 }
            | if self.ov32 { xer::OV32 } else { 0 }
            | if self.ca32 { xer::CA32 } else { 0 }
    }

    /// Writes the register image (mtxer): bits 0:31 are dropped.
    #[inline]
    pub fn set(&mut self, value: u64) {
        self.so = value & xer::SO != 0;
        self.ov = value & xer::OV != 0;
        self.ca = value & xer::CA != 0;
        self.ov32 = value & xer::OV32 != 0;
        self.ca32 = value & xer::CA32 != 0;
        self.other = low_word(value & !Self::STATUS);
    }

    /// The string-instruction byte count (bits 57:63).
    #[inline]
    pub fn byte_count(self) -> u32 {
        self.other & 0x7f
    }
}

/// The low 32 bits of `value`.
#[inline]
pub const fn low_word(value: u64) -> u32 {
    (value & 0xffff_ffff) as u32
}

/// The performance-monitor registers, kept as plain storage (papr counts nothing; Book III 9).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct Pmu {
    pub mmcr0: u64,
    pub mmcr1: u64,
    pub mmcr2: u64,
    pub mmcra: u64,
    /// PMC1..PMC6 (32-bit registers).
    pub pmc: [u32; 6],
    pub siar: u64,
    pub sdar: u64,
    pub sier: u64,
}

/// The privileged and problem-state SPRs that are plain storage (their access rules are in
/// [`crate::spr`]). 32-bit registers are `u32`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct Sprs {
    pub srr0: u64,
    pub srr1: u64,
    pub dar: u64,
    /// DSISR is a 32-bit register (Book III 6.2.3).
    pub dsisr: u32,
    pub sprg: [u64; 4],
    pub cfar: u64,
    pub dscr: u64,
    pub amr: u64,
    pub iamr: u64,
    pub uamor: u64,
    /// Hypervisor-owned; the guest cannot touch it (all ones, as QEMU sets it).
    pub amor: u64,
    pub tar: u64,
    pub ppr: u64,
    /// CTRL is a 32-bit register; bit 63 is the run latch.
    pub ctrl: u32,
    pub fscr: u64,
    pub tidr: u64,
    pub pidr: u64,
    /// PSPB is a 32-bit register.
    pub pspb: u32,
    pub ebbhr: u64,
    pub ebbrr: u64,
    pub bescr: u64,
    pub pmu: Pmu,
    /// Processor Identification Register: read-only, the hardware thread id.
    pub pir: u64,
    /// Processor Version Register: read-only.
    pub pvr: u64,
}

/// PPR priority field (bits 11:13, Book II 3.2 "Program Priority Register").
pub const PPR_PRI: u64 = ibm_mask(11, 13);

/// MMCR0\[FC] (bit 32): counters frozen, MMCR0's value after reset.
pub const MMCR0_FC: u64 = ibm_bit(32);

/// The value of PPR after reset: priority 4 (medium), the ISA's power-on value.
pub const PPR_RESET: u64 = 4 << (63 - 13);

/// FSCR interrupt-cause field (bits 0:7) and facility enables (Book III 4.5.1; the enable bit
/// for cause *n* is bit 63 - *n*).
pub mod fscr {
    use crate::bits::ibm_mask;

    /// Interrupt cause, set by a facility unavailable interrupt.
    pub const IC: u64 = ibm_mask(0, 7);
    /// Shift of IC.
    pub const IC_SHIFT: u32 = 56;
    /// Cause/enable number: DSCR (problem-state SPR 3).
    pub const DSCR: u8 = 2;
    /// Cause/enable number: performance monitor registers in problem state.
    pub const PM: u8 = 3;
    /// Cause number: a transactional-memory instruction with MSR\[TM] = 0.
    pub const TM: u8 = 5;
    /// Cause/enable number: event-based branch facility.
    pub const EBB: u8 = 7;
    /// Cause/enable number: target address register.
    pub const TAR: u8 = 8;
    /// Cause/enable number: scv.
    pub const SCV: u8 = 12;

    /// The FSCR enable bit of facility `n`.
    #[inline]
    pub const fn enable(n: u8) -> u64 {
        1u64 << n
    }
}

/// The architected state of a thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterState {
    /// General-purpose registers.
    pub gpr: [u64; 32],
    /// Condition register.
    pub cr: Cr,
    /// Fixed-point exception register.
    pub xer: Xer,
    /// Link register.
    pub lr: u64,
    /// Count register.
    pub ctr: u64,
    /// Address of the next instruction (NIA/CIA as the interpreter uses it).
    pub nip: u64,
    /// Vector-scalar registers; FPRs and VRs overlay them.
    pub vsr: [u128; 64],
    /// Floating-point status and control register (bits 32:63 architected; ISA 3.0 keeps
    /// DRN in bits 29:31).
    pub fpscr: u64,
    /// Vector status and control register (NJ, SAT).
    pub vscr: u32,
    /// VRSAVE, a 32-bit register.
    pub vrsave: u32,
    /// Plain-storage SPRs.
    pub sprs: Sprs,
    /// The MSR: private so that every change goes through [`crate::Cpu`], which drops the TLB
    /// when the translation mode changes.
    msr: u64,
}

impl Default for RegisterState {
    fn default() -> Self {
        Self::power_on(0, 0)
    }
}

impl RegisterState {
    /// The state of a pseries vCPU at power-on/reset (linux-pseries-boot.md 1.3): MSR = 0
    /// (32-bit, big-endian, real mode, EE = ME = 0), every register 0, PPR at its
    /// medium priority, AMOR all ones, MMCR0 with the counters frozen (what the spr guest
    /// reads on QEMU: 0x80000000).
    pub fn power_on(pvr: u64, pir: u64) -> Self {
        RegisterState {
            gpr: [0; 32],
            cr: Cr(0),
            xer: Xer::default(),
            lr: 0,
            ctr: 0,
            nip: 0,
            vsr: [0; 64],
            fpscr: 0,
            vscr: 0,
            vrsave: 0,
            sprs: Sprs {
                ppr: PPR_RESET,
                amor: u64::MAX,
                pmu: Pmu {
                    mmcr0: MMCR0_FC,
                    ..Pmu::default()
                },
                pvr,
                pir,
                ..Sprs::default()
            },
            msr: 0,
        }
    }

    /// The MSR.
    #[inline]
    pub fn msr(&self) -> u64 {
        self.msr
    }

    /// Sets the MSR without any rule or side effect (crate-internal; the public path is
    /// through [`crate::Cpu`]).
    #[inline]
    pub(crate) fn set_msr_raw(&mut self, msr: u64) {
        self.msr = msr;
    }

    /// Whether MSR bit(s) `mask` are all set.
    #[inline]
    pub fn msr_has(&self, mask: u64) -> bool {
        self.msr & mask == mask
    }

    /// FPR `i` (doubleword 0 of VSR `i`).
    #[inline]
    pub fn fpr(&self, i: usize) -> u64 {
        (self.vsr[i & 31] >> 64) as u64
    }

    /// Sets FPR `i`. Doubleword 1 of the VSR becomes undefined per the ISA; papr leaves it
    /// unchanged (as POWER9 does for most scalar instructions).
    #[inline]
    pub fn set_fpr(&mut self, i: usize, value: u64) {
        let v = &mut self.vsr[i & 31];
        *v = (u128::from(value) << 64) | (*v & u128::from(u64::MAX));
    }

    /// VR `i` (VSR 32 + `i`).
    #[inline]
    pub fn vr(&self, i: usize) -> u128 {
        self.vsr[32 + (i & 31)]
    }

    /// Sets VR `i`.
    #[inline]
    pub fn set_vr(&mut self, i: usize, value: u128) {
        self.vsr[32 + (i & 31)] = value;
    }

    /// Doubleword `dw` (0 or 1) of VSR `i`.
    #[inline]
    // Taking the low doubleword of a u128 is the point of the cast.
    #[allow(clippy::cast_possible_truncation)]
    pub fn vsr_dword(&self, i: usize, dw: usize) -> u64 {
        let v = self.vsr[i & 63];
        if dw & 1 == 0 {
            (v >> 64) as u64
        } else {
            v as u64
        }
    }

    /// Sets doubleword `dw` (0 or 1) of VSR `i`.
    #[inline]
    pub fn set_vsr_dword(&mut self, i: usize, dw: usize, value: u64) {
        let v = &mut self.vsr[i & 63];
        if dw & 1 == 0 {
            *v = (u128::from(value) << 64) | (*v & u128::from(u64::MAX));
        } else {
            *v = (*v & !u128::from(u64::MAX)) | u128::from(value);
        }
    }

    /// Whether the thread is in problem state.
    #[inline]
    pub fn problem_state(&self) -> bool {
        self.msr & msr::PR != 0
    }

    /// Whether the thread is in 64-bit mode.
    #[inline]
    pub fn sf(&self) -> bool {
        self.msr & msr::SF != 0
    }

    /// Truncates an effective address to the current mode (Book III 5.3.2: in 32-bit mode the
    /// high-order 32 bits of an effective address are ignored, i.e. treated as 0).
    #[inline]
    pub fn mode_ea(&self, ea: u64) -> u64 {
        // Branch-free: all ones in 64-bit mode, the low word in 32-bit mode.
        let mask = u64::MAX >> (32 * u32::from(self.msr & msr::SF == 0));
        ea & mask
    }

    /// Whether FSCR enables `facility` (an [`fscr`] cause number) for problem state.
    #[inline]
    pub fn fscr_enabled(&self, facility: u8) -> bool {
        self.sprs.fscr & fscr::enable(facility) != 0
    }
}

/// IBM bit `n` of a 32-bit register image (bit 0 = MSB of the word), for DSISR-like values
/// that the ISA numbers 32:63 in a 64-bit context.
#[inline]
pub const fn word_bit(n: u32) -> u32 {
    // ibm_bit(32 + n) fits in the low word by construction.
    (ibm_bit(32 + n) & 0xffff_ffff) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn msr_bits_are_the_isa_positions() {
        // Values as the MSR image the guests print (guests/expected/irq.txt).
        assert_eq!(msr::SF, 0x8000_0000_0000_0000);
        assert_eq!(msr::HV, 0x1000_0000_0000_0000);
        assert_eq!(msr::VEC, 0x0200_0000);
        assert_eq!(msr::VSX, 0x0080_0000);
        assert_eq!(msr::EE, 0x8000);
        assert_eq!(msr::PR, 0x4000);
        assert_eq!(msr::FP, 0x2000);
        assert_eq!(msr::ME, 0x1000);
        assert_eq!(msr::FE0, 0x800);
        assert_eq!(msr::SE, 0x400);
        assert_eq!(msr::BE, 0x200);
        assert_eq!(msr::FE1, 0x100);
        assert_eq!(msr::IR, 0x20);
        assert_eq!(msr::DR, 0x10);
        assert_eq!(msr::PMM, 0x4);
        assert_eq!(msr::RI, 0x2);
        assert_eq!(msr::LE, 0x1);
        // The irq guest's "FE=3 with VEC|VSX|FP|LE" MSR.
        assert_eq!(
            msr::SF | msr::VEC | msr::VSX | msr::FP | msr::FE0 | msr::FE1 | msr::LE,
            0x8000_0000_0280_2901
        );
    }

    #[test]
    fn cr_fields_number_from_the_most_significant_nibble() {
        let mut cr = Cr(0);
        cr.set_field(0, Cr::EQ);
        assert_eq!(cr.value(), 0x2000_0000);
        cr.set_field(7, 0xf);
        assert_eq!(cr.value(), 0x2000_000f);
        assert_eq!(cr.field(0), 2);
        assert_eq!(cr.field(7), 0xf);
        assert!(cr.bit(2)); // CR0[EQ]
        assert!(!cr.bit(0));
        cr.set_bit(31, false);
        assert_eq!(cr.field(7), 0xe);
        cr.set_field(6, 0x1f); // only 4 bits are taken
        assert_eq!(cr.field(6), 0xf);
    }

    #[test]
    fn xer_round_trips_the_low_word() {
        let mut x = Xer::default();
        x.set(u64::MAX);
        assert_eq!(x.value(), 0xffff_ffff);
        assert!(x.so && x.ov && x.ca && x.ov32 && x.ca32);
        assert_eq!(x.byte_count(), 0x7f);
        x.set(0x9abc_def0);
        // 0x9abcdef0: SO=1 (0x8000_0000), OV=0, CA=0 (0x2000_0000 clear), OV32 = bit 44
        // (0x8_0000) = 1, CA32 = bit 45 (0x4_0000) = 1.
        assert!(x.so && !x.ov && !x.ca && x.ov32 && x.ca32);
        assert_eq!(x.value(), 0x9abc_def0);
        assert_eq!(xer::CA32, 0x4_0000);
        assert_eq!(xer::OV32, 0x8_0000);
    }

    #[test]
    fn fprs_and_vrs_overlay_the_vsrs() {
        let mut s = RegisterState::power_on(0x004e_1200, 0);
        s.vsr[5] = 0x1111_2222_3333_4444_5555_6666_7777_8888;
        assert_eq!(s.fpr(5), 0x1111_2222_3333_4444);
        s.set_fpr(5, 0xdead_beef);
        assert_eq!(s.vsr[5], 0x0000_0000_dead_beef_5555_6666_7777_8888);
        s.set_vr(3, 42);
        assert_eq!(s.vsr[35], 42);
        assert_eq!(s.vr(3), 42);
        s.set_vsr_dword(40, 1, 7);
        s.set_vsr_dword(40, 0, 9);
        assert_eq!(s.vr(8), (9u128 << 64) | 7);
        assert_eq!(s.vsr_dword(40, 0), 9);
    }

    #[test]
    fn power_on_state_is_msr_zero() {
        let s = RegisterState::power_on(0x004e_1200, 3);
        assert_eq!(s.msr(), 0);
        assert!(!s.sf());
        assert_eq!(s.sprs.pvr, 0x004e_1200);
        assert_eq!(s.sprs.pir, 3);
        assert_eq!(s.sprs.ppr, 0x0010_0000_0000_0000);
        assert_eq!(s.sprs.pmu.mmcr0, 0x8000_0000);
        // 32-bit mode truncates effective addresses.
        assert_eq!(s.mode_ea(0x1234_5678_9abc_def0), 0x9abc_def0);
    }

    #[test]
    fn word_bits() {
        assert_eq!(word_bit(1), 0x4000_0000); // DSISR[33]: no translation
        assert_eq!(word_bit(6), 0x0200_0000); // DSISR[38]: store
    }
}
