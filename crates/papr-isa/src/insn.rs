//! The decoded instruction: an [`Opcode`] plus the raw word, with field accessors named as in
//! the Power ISA.
//!
//! Power ISA 3.0B, Book I, 1.6 "Instruction Formats" and 1.6.28 "Instruction Fields": every
//! field is named after the ISA (RT, RA, RB, SI, D, DS, DQ, BO, BI, BD, LI, SH, MB, ME, SPR,
//! XT, ...). The ISA numbers bits from the most significant (bit 0 = MSB); [`bits`] takes ISA
//! bit numbers so that an accessor can be checked against the book line by line.
//!
//! Accessors are cheap (a shift and a mask) and do no validation: they read whatever the word
//! holds. Which of them are meaningful for a given instruction is given by its form in the ISA;
//! the decoder has already checked that reserved fields are zero.

use crate::table::Opcode;

/// Extracts ISA bits `first..=last` (bit 0 = most significant bit of the 32-bit word).
#[inline(always)]
#[must_use]
pub const fn bits(word: u32, first: u32, last: u32) -> u32 {
    let width = last - first + 1;
    (word >> (31 - last)) & (u32::MAX >> (32 - width))
}

/// Sign-extends the low `width` bits of `value`.
#[inline(always)]
#[must_use]
pub const fn sext(value: u32, width: u32) -> i32 {
    let shift = 32 - width;
    #[allow(clippy::cast_possible_wrap)] // reinterpretation is the point
    let v = (value << shift) as i32;
    v >> shift
}

/// A decoded instruction: which architected instruction it is, and the word it came from.
///
/// Eight bytes, `Copy`; the fields are read on demand from `word`. Record (`Rc`) and overflow
/// (`OE`) forms share the base instruction's [`Opcode`]: read [`Insn::rc`] / [`Insn::oe`] (or
/// [`Insn::rc_vx`] for VMX/VSX compare forms, whose Rc is bit 21).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Insn {
    /// The architected instruction, or [`Opcode::Invalid`].
    pub op: Opcode,
    /// The instruction word as fetched (already in host order).
    pub word: u32,
}

/// Field accessors, named as in Power ISA 3.0B Book I 1.6.28.
impl Insn {
    /// True when the instruction sets a CR field as a side effect: the record forms (`add.`,
    /// `vcmpequb.`, ... — the right bit for the form) and the instructions that always record
    /// (`stwcx.`, `andi.`, `tbegin.`, ...).
    #[inline]
    #[must_use]
    pub fn record(self) -> bool {
        (self.op.has_rc() && self.rc())
            || (self.op.has_rc_vx() && self.rc_vx())
            || self.op.always_records()
    }

    /// Primary opcode (bits 0:5).
    #[inline(always)]
    #[must_use]
    pub const fn po(self) -> u32 {
        bits(self.word, 0, 5)
    }
    /// RT / RS / FRT / FRS / VRT / VRS / TO / BO / BT (bits 6:10).
    #[inline(always)]
    #[must_use]
    pub const fn rt(self) -> usize {
        bits(self.word, 6, 10) as usize
    }
    /// RS (bits 6:10), the source register of stores and logical ops.
    #[inline(always)]
    #[must_use]
    pub const fn rs(self) -> usize {
        self.rt()
    }
    /// RA (bits 11:15).
    #[inline(always)]
    #[must_use]
    pub const fn ra(self) -> usize {
        bits(self.word, 11, 15) as usize
    }
    /// RB (bits 16:20).
    #[inline(always)]
    #[must_use]
    pub const fn rb(self) -> usize {
        bits(self.word, 16, 20) as usize
    }
    /// RC of VA-form integer instructions (maddhd, maddld: bits 21:25).
    #[inline(always)]
    #[must_use]
    pub const fn rc_reg(self) -> usize {
        bits(self.word, 21, 25) as usize
    }
    /// FRT / FRS (bits 6:10).
    #[inline(always)]
    #[must_use]
    pub const fn frt(self) -> usize {
        self.rt()
    }
    /// FRA (bits 11:15).
    #[inline(always)]
    #[must_use]
    pub const fn fra(self) -> usize {
        self.ra()
    }
    /// FRB (bits 16:20).
    #[inline(always)]
    #[must_use]
    pub const fn frb(self) -> usize {
        self.rb()
    }
    /// FRC (bits 21:25).
    #[inline(always)]
    #[must_use]
    pub const fn frc(self) -> usize {
        bits(self.word, 21, 25) as usize
    }
    /// VRT / VRS (bits 6:10).
    #[inline(always)]
    #[must_use]
    pub const fn vrt(self) -> usize {
        self.rt()
    }
    /// VRA (bits 11:15).
    #[inline(always)]
    #[must_use]
    pub const fn vra(self) -> usize {
        self.ra()
    }
    /// VRB (bits 16:20).
    #[inline(always)]
    #[must_use]
    pub const fn vrb(self) -> usize {
        self.rb()
    }
    /// VRC (bits 21:25).
    #[inline(always)]
    #[must_use]
    pub const fn vrc(self) -> usize {
        bits(self.word, 21, 25) as usize
    }
    /// XT / XS of XX1/XX2/XX3/XX4 forms: TX (bit 31) || T (bits 6:10), a VSR number 0..63.
    #[inline(always)]
    #[must_use]
    pub const fn xt(self) -> usize {
        ((bits(self.word, 31, 31) << 5) | bits(self.word, 6, 10)) as usize
    }
    /// XS (same field as XT).
    #[inline(always)]
    #[must_use]
    pub const fn xs(self) -> usize {
        self.xt()
    }
    /// XA of XX3/XX4 forms: AX (bit 29) || A (bits 11:15).
    #[inline(always)]
    #[must_use]
    pub const fn xa(self) -> usize {
        ((bits(self.word, 29, 29) << 5) | bits(self.word, 11, 15)) as usize
    }
    /// XB of XX2/XX3/XX4 forms: BX (bit 30) || B (bits 16:20).
    #[inline(always)]
    #[must_use]
    pub const fn xb(self) -> usize {
        ((bits(self.word, 30, 30) << 5) | bits(self.word, 16, 20)) as usize
    }
    /// XC of XX4 form: CX (bit 28) || C (bits 21:25).
    #[inline(always)]
    #[must_use]
    pub const fn xc(self) -> usize {
        ((bits(self.word, 28, 28) << 5) | bits(self.word, 21, 25)) as usize
    }
    /// XT / XS of the DQ-form lxv / stxv: TX (bit 28) || T (bits 6:10).
    #[inline(always)]
    #[must_use]
    pub const fn xt_dq(self) -> usize {
        ((bits(self.word, 28, 28) << 5) | bits(self.word, 6, 10)) as usize
    }
    /// SI (bits 16:31), sign-extended.
    #[inline(always)]
    #[must_use]
    pub const fn si(self) -> i64 {
        sext(bits(self.word, 16, 31), 16) as i64
    }
    /// UI (bits 16:31).
    #[inline(always)]
    #[must_use]
    pub const fn ui(self) -> u64 {
        bits(self.word, 16, 31) as u64
    }
    /// D (bits 16:31), sign-extended displacement.
    #[inline(always)]
    #[must_use]
    pub const fn d(self) -> i64 {
        self.si()
    }
    /// DS || 0b00 (bits 16:29), sign-extended byte displacement of DS-form instructions.
    #[inline(always)]
    #[must_use]
    pub const fn ds(self) -> i64 {
        sext(bits(self.word, 16, 31) & !3, 16) as i64
    }
    /// DQ || 0b0000 (bits 16:27), sign-extended byte displacement of DQ-form instructions.
    #[inline(always)]
    #[must_use]
    pub const fn dq(self) -> i64 {
        sext(bits(self.word, 16, 31) & !15, 16) as i64
    }
    /// BO (bits 6:10).
    #[inline(always)]
    #[must_use]
    pub const fn bo(self) -> u32 {
        bits(self.word, 6, 10)
    }
    /// BI (bits 11:15): a CR bit number.
    #[inline(always)]
    #[must_use]
    pub const fn bi(self) -> u32 {
        bits(self.word, 11, 15)
    }
    /// BD || 0b00 (bits 16:29), sign-extended branch displacement.
    #[inline(always)]
    #[must_use]
    pub const fn bd(self) -> i64 {
        sext(bits(self.word, 16, 31) & !3, 16) as i64
    }
    /// LI || 0b00 (bits 6:29), sign-extended branch displacement.
    #[inline(always)]
    #[must_use]
    pub const fn li(self) -> i64 {
        sext(bits(self.word, 6, 31) & !3, 26) as i64
    }
    /// AA (bit 30): absolute branch target.
    #[inline(always)]
    #[must_use]
    pub const fn aa(self) -> bool {
        bits(self.word, 30, 30) != 0
    }
    /// LK (bit 31): set the link register.
    #[inline(always)]
    #[must_use]
    pub const fn lk(self) -> bool {
        bits(self.word, 31, 31) != 0
    }
    /// BH (bits 19:20) of bclr / bcctr / bctar.
    #[inline(always)]
    #[must_use]
    pub const fn bh(self) -> u32 {
        bits(self.word, 19, 20)
    }
    /// Rc (bit 31): record form.
    #[inline(always)]
    #[must_use]
    pub const fn rc(self) -> bool {
        bits(self.word, 31, 31) != 0
    }
    /// Rc of VC-form (vcmp*.) and XX3 compare forms (xvcmp*.): bit 21.
    #[inline(always)]
    #[must_use]
    pub const fn rc_vx(self) -> bool {
        bits(self.word, 21, 21) != 0
    }
    /// OE (bit 21) of XO-form instructions.
    #[inline(always)]
    #[must_use]
    pub const fn oe(self) -> bool {
        bits(self.word, 21, 21) != 0
    }
    /// SH (bits 16:20) of M-form and X-form shifts.
    #[inline(always)]
    #[must_use]
    pub const fn sh(self) -> u32 {
        bits(self.word, 16, 20)
    }
    /// sh of MD-form and XS-form: sh5 (bit 30) || sh0:4 (bits 16:20).
    #[inline(always)]
    #[must_use]
    pub const fn sh6(self) -> u32 {
        (bits(self.word, 30, 30) << 5) | bits(self.word, 16, 20)
    }
    /// MB (bits 21:25) of M-form.
    #[inline(always)]
    #[must_use]
    pub const fn mb(self) -> u32 {
        bits(self.word, 21, 25)
    }
    /// ME (bits 26:30) of M-form.
    #[inline(always)]
    #[must_use]
    pub const fn me(self) -> u32 {
        bits(self.word, 26, 30)
    }
    /// mb / me of MD- and MDS-form: mb5 (bit 26) || mb0:4 (bits 21:25), as the ISA reassembles.
    #[inline(always)]
    #[must_use]
    pub const fn mb6(self) -> u32 {
        (bits(self.word, 26, 26) << 5) | bits(self.word, 21, 25)
    }
    /// Same field as [`Insn::mb6`], for rldicr / rldcr.
    #[inline(always)]
    #[must_use]
    pub const fn me6(self) -> u32 {
        self.mb6()
    }
    /// BF (bits 6:8): a CR field number.
    #[inline(always)]
    #[must_use]
    pub const fn crfd(self) -> usize {
        bits(self.word, 6, 8) as usize
    }
    /// BF (bits 6:8), alias of [`Insn::crfd`].
    #[inline(always)]
    #[must_use]
    pub const fn bf(self) -> usize {
        self.crfd()
    }
    /// BFA (bits 11:13): a CR field number.
    #[inline(always)]
    #[must_use]
    pub const fn bfa(self) -> usize {
        bits(self.word, 11, 13) as usize
    }
    /// BT (bits 6:10): a CR bit number.
    #[inline(always)]
    #[must_use]
    pub const fn bt(self) -> u32 {
        bits(self.word, 6, 10)
    }
    /// BA (bits 11:15): a CR bit number.
    #[inline(always)]
    #[must_use]
    pub const fn ba(self) -> u32 {
        bits(self.word, 11, 15)
    }
    /// BB (bits 16:20): a CR bit number.
    #[inline(always)]
    #[must_use]
    pub const fn bb(self) -> u32 {
        bits(self.word, 16, 20)
    }
    /// BC (bits 21:25) of isel: a CR bit number.
    #[inline(always)]
    #[must_use]
    pub const fn bc(self) -> u32 {
        bits(self.word, 21, 25)
    }
    /// L (bit 10) of compare instructions (0 = word, 1 = doubleword).
    #[inline(always)]
    #[must_use]
    pub const fn l(self) -> u32 {
        bits(self.word, 10, 10)
    }
    /// L (bit 15) of mtmsr / mtmsrd.
    #[inline(always)]
    #[must_use]
    pub const fn l15(self) -> u32 {
        bits(self.word, 15, 15)
    }
    /// L / LS (bits 9:10) of sync, dcbf and wait.
    #[inline(always)]
    #[must_use]
    pub const fn l2(self) -> u32 {
        bits(self.word, 9, 10)
    }
    /// EH (bit 31) of the load-and-reserve instructions.
    #[inline(always)]
    #[must_use]
    pub const fn eh(self) -> bool {
        bits(self.word, 31, 31) != 0
    }
    /// TO (bits 6:10) of the trap instructions.
    #[inline(always)]
    #[must_use]
    pub const fn to(self) -> u32 {
        bits(self.word, 6, 10)
    }
    /// TH / CT (bits 6:10) of dcbt / dcbtst / icbt.
    #[inline(always)]
    #[must_use]
    pub const fn th(self) -> u32 {
        bits(self.word, 6, 10)
    }
    /// SPR number: spr5:9 || spr0:4 (the two halves of bits 11:20 swapped back).
    #[inline(always)]
    #[must_use]
    pub const fn spr(self) -> u32 {
        (bits(self.word, 16, 20) << 5) | bits(self.word, 11, 15)
    }
    /// TBR number of mftb (encoded like an SPR number).
    #[inline(always)]
    #[must_use]
    pub const fn tbr(self) -> u32 {
        self.spr()
    }
    /// FXM (bits 12:19) of mtcrf / mtocrf / mfocrf.
    #[inline(always)]
    #[must_use]
    pub const fn fxm(self) -> u32 {
        bits(self.word, 12, 19)
    }
    /// FLM (bits 7:14) of mtfsf.
    #[inline(always)]
    #[must_use]
    pub const fn flm(self) -> u32 {
        bits(self.word, 7, 14)
    }
    /// NB (bits 16:20) of lswi / stswi (0 means 32).
    #[inline(always)]
    #[must_use]
    pub const fn nb(self) -> u32 {
        bits(self.word, 16, 20)
    }
    /// SIM (bits 11:15) of vspltis*, sign-extended.
    #[inline(always)]
    #[must_use]
    pub const fn simm5(self) -> i32 {
        sext(bits(self.word, 11, 15), 5)
    }
    /// UIM (bits 11:15) of VX-form immediates (vspltb uses the low 4 bits, etc.).
    #[inline(always)]
    #[must_use]
    pub const fn uimm5(self) -> u32 {
        bits(self.word, 11, 15)
    }
    /// SHB (bits 22:25) of vsldoi.
    #[inline(always)]
    #[must_use]
    pub const fn shb(self) -> u32 {
        bits(self.word, 22, 25)
    }
    /// DM / SHW (bits 22:23) of xxpermdi / xxsldwi.
    #[inline(always)]
    #[must_use]
    pub const fn dm(self) -> u32 {
        bits(self.word, 22, 23)
    }
    /// IMM8 (bits 13:20) of xxspltib.
    #[inline(always)]
    #[must_use]
    pub const fn imm8(self) -> u32 {
        bits(self.word, 13, 20)
    }
    /// LEV (bits 20:26) of sc / scv.
    #[inline(always)]
    #[must_use]
    pub const fn lev(self) -> u32 {
        bits(self.word, 20, 26)
    }
    /// d of addpcis: d0 (bits 16:25) || d1 (bits 11:15) || d2 (bit 31), sign-extended.
    #[inline(always)]
    #[must_use]
    pub const fn dx(self) -> i64 {
        let v = (bits(self.word, 16, 25) << 6)
            | (bits(self.word, 11, 15) << 1)
            | bits(self.word, 31, 31);
        sext(v, 16) as i64
    }
}
