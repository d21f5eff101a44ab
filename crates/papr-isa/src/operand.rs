//! Operand kinds: which bits of the word an operand occupies, whether it constrains the
//! encoding (an "invalid form" in the ISA's sense), and how it is printed.
//!
//! Power ISA 3.0B, Book I, 1.6.28 "Instruction Fields" names every field used here. Masks
//! are written in host bit order (bit 0 = least significant), with the ISA bit numbers in the
//! comments.

/// One operand of an instruction's assembler syntax.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opnd {
    /// RT / RS, ISA bits 6:10.
    Rt,
    /// RA, ISA bits 11:15.
    Ra,
    /// RB, ISA bits 16:20.
    Rb,
    /// RC of VA-form integer instructions, ISA bits 21:25.
    Rc,
    /// RA where 0 means the value 0 (printed `0`), bits 11:15.
    Ra0,
    /// RA of a load with update: invalid form if RA = 0 or RA = RT.
    RaL,
    /// RA of a store with update / FP load with update: invalid form if RA = 0.
    RaS,
    /// RA of lq / lqarx / lswx: invalid form if RA = RT.
    RaQ,
    /// RA of lmw: invalid form if RA >= RT.
    RaM,
    /// RB of lqarx / lswx: invalid form if RB = RT.
    RbX,
    /// RTp / RSp: an even GPR pair, bits 6:9 (bit 10 must be 0).
    RtP,
    /// Optional RS (tlbiel), bits 6:10.
    RsOpt,
    /// FRT / FRS, bits 6:10.
    Frt,
    /// FRA, bits 11:15.
    Fra,
    /// FRB, bits 16:20.
    Frb,
    /// FRC, bits 21:25.
    Frc,
    /// FRTp: an even FPR pair, bits 6:9.
    FrtP,
    /// FRAp, bits 11:14.
    FraP,
    /// FRBp, bits 16:19.
    FrbP,
    /// VRT / VRS, bits 6:10.
    Vrt,
    /// VRA, bits 11:15.
    Vra,
    /// VRB, bits 16:20.
    Vrb,
    /// VRC, bits 21:25.
    Vrc,
    /// XT / XS: TX (bit 31) || T (bits 6:10).
    Xt,
    /// XA: AX (bit 29) || A (bits 11:15).
    Xa,
    /// XB: BX (bit 30) || B (bits 16:20).
    Xb,
    /// XC: CX (bit 28) || C (bits 21:25).
    Xc,
    /// XT / XS of DQ-form: TX (bit 28) || T (bits 6:10).
    XtQ,
    /// BF, a CR field, bits 6:8.
    Bf,
    /// BF, optional (omitted when 0), bits 6:8.
    BfOpt,
    /// BFA, a CR field, bits 11:13.
    Bfa,
    /// BF printed as a plain number (mtfsfi), bits 6:8.
    BfNum,
    /// BT, a CR bit, bits 6:10.
    Bt,
    /// BA, a CR bit, bits 11:15.
    Ba,
    /// BB, a CR bit, bits 16:20.
    Bb,
    /// BI, a CR bit, bits 11:15.
    Bi,
    /// BO, bits 6:10 (validity checked).
    Bo,
    /// BH, optional, bits 19:20.
    Bh,
    /// BC of isel, a CR bit, bits 21:25.
    Bc,
    /// BT printed as a number (mtfsb0/1: an FPSCR bit), bits 6:10.
    BtNum,
    /// SI, bits 16:31, signed.
    Si,
    /// UI, bits 16:31, unsigned.
    Ui,
    /// D(RA|0): displacement bits 16:31 and base RA.
    D,
    /// D(RA) with the RA of a load with update.
    DL,
    /// D(RA) with the RA of a store with update.
    DS,
    /// D(RA) for lmw.
    DM,
    /// DS(RA|0): bits 16:29 || 0b00.
    Ds,
    /// DS(RA) of ldu.
    DsL,
    /// DS(RA) of stdu.
    DsS,
    /// DQ(RA) of lq (RA != RT).
    DqQ,
    /// DQ(RA|0) of lxv / stxv: bits 16:27 || 0b0000.
    Dq,
    /// DW(RA) of hashst / hashchk: displacement -512..-8 from bits 6:10 and bit 31.
    Dw,
    /// d of addpcis (d0 || d1 || d2).
    Dx,
    /// SH, bits 16:20.
    Sh,
    /// sh of MD / XS forms: bit 30 || bits 16:20.
    Sh6,
    /// MB, bits 21:25.
    Mb,
    /// ME, bits 26:30.
    Me,
    /// mb / me of MD / MDS forms: bit 26 || bits 21:25.
    Mb6,
    /// TO, bits 6:10.
    To,
    /// L, bit 10 (always printed).
    L,
    /// L, bit 10, optional.
    LOpt,
    /// L of mtmsr(d) / slbmfe*, bit 15, optional. Also W of mtfsf(i) and R of tlbie.
    L15,
    /// L / LS / WC, bits 9:10, optional (sync, dcbf, wait).
    L2,
    /// SPR, bits 11:20 with the halves swapped.
    Spr,
    /// FXM, bits 12:19 (mtcrf; mtocrf/mfocrf need exactly one bit).
    Fxm,
    /// FXM of mfcr (must be 0; never printed).
    Fxm0,
    /// LI, bits 6:29: target relative to the instruction, or absolute when AA (bit 30) is set.
    Li,
    /// BD, bits 16:29: target relative to the instruction, or absolute when AA is set.
    Bd,
    /// UIM, 5 bits at 11:15.
    Uimm5,
    /// UIM, 4 bits at 12:15.
    Uimm4,
    /// UIM, 3 bits at 13:15.
    Uimm3,
    /// UIM, 2 bits at 14:15.
    Uimm2,
    /// SIM, 5 bits at 11:15, signed.
    Simm5,
    /// SHB of vsldoi, bits 22:25.
    Shb,
    /// PS of the BCD instructions, bit 22.
    Ps,
    /// NB of lswi / stswi, bits 16:20 (0 = 32).
    Nb,
    /// SR, bits 12:15.
    Sr,
    /// EH, bit 31, optional.
    Eh,
    /// CT / TH, bits 6:10, optional (icbt, dcbt).
    Ct,
    /// STRM, bits 9:10.
    Strm,
    /// IH of slbia, bits 8:10, optional.
    Ih,
    /// L of darn, bits 14:15.
    Lrand,
    /// DM / SHW, bits 22:23.
    Dm,
    /// UIM of xxspltw, bits 14:15.
    Uim2,
    /// IMM8 of xxspltib, bits 13:20.
    Imm8,
    /// DCMX of xststdc*, bits 9:15.
    Dcmx,
    /// DCMX of xvtstdc*: dc (bit 25) || dm (bit 29) || dx (bits 11:15).
    Dcmxs,
    /// RMC / CY, bits 21:22.
    Rmc,
    /// R, bit 15.
    R,
    /// TE, bits 11:15, signed.
    Te,
    /// SH / DCM / DGM (6 bits), bits 16:21.
    Sh16,
    /// SP, bits 11:12.
    Sp,
    /// S, bit 11.
    S,
    /// UIM, 6 bits at 10:15.
    Uim6,
    /// FLM of mtfsf, bits 7:14.
    Flm,
    /// L of mtfsf, bit 6, optional.
    XflL,
    /// U of mtfsfi, bits 16:19.
    U,
    /// RIC of tlbie, bits 12:13, optional.
    Ric,
    /// PRS of tlbie, bit 14, optional.
    Prs,
    /// LEV of sc, bits 20:26, optional.
    Lev,
    /// LEV of scv, bits 20:26.
    SvcLev,
    /// FC of the atomic memory operations, bits 16:20.
    Fc,
    /// BHRBE of mfbhrbe, bits 11:20.
    Bhrbe,
    /// R of tbegin., bit 10, optional.
    HtmR,
    /// A of tend., bit 6, optional.
    HtmA,
    /// SI of tabort*i., bits 16:20, signed.
    HtmSi,
    /// ST of vshasigma*, bit 16 (host bit 15).
    St,
    /// SIX of vshasigma*, bits 17:20.
    Six,
    /// S of rfebb, bit 20, optional (default 1).
    Sxl,
    /// DRM of mffscdrni, bits 18:20.
    Drm,
    /// RM of mffscrni, bits 19:20.
    Rm,
    /// FRS where only the register number is printed: the TBR of mftb (268 default).
    Tbr,
}

/// How an operand's value is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Arg {
    Gpr(u32),
    Fpr(u32),
    Vr(u32),
    Vsr(u32),
    Cr(u32),
    CrBit(u32),
    Imm(i64),
    Target(u64),
    /// displacement, base register (0 printed as `0`)
    Mem(i64, u32),
}

const fn f(word: u32, shift: u32, width: u32) -> u32 {
    (word >> shift) & ((1 << width) - 1)
}

const fn sx(value: u32, width: u32) -> i64 {
    let shift = 32 - width;
    #[allow(clippy::cast_possible_wrap)]
    let v = ((value << shift) as i32) >> shift;
    v as i64
}

#[allow(clippy::cast_sign_loss)] // two's complement reinterpretation
const fn i2u(v: i64) -> u64 {
    v as u64
}

#[allow(clippy::cast_possible_wrap)] // two's complement reinterpretation
const fn u2i(v: u64) -> i64 {
    v as i64
}

/// Power ISA 3.0B Book I 2.4: BO encodings with the "z" bits clear and the "at" hint not
/// the reserved 0b01.
#[must_use]
pub const fn bo_valid(bo: u32) -> bool {
    match bo & 0x14 {
        0 => bo & 1 == 0,
        0x14 => bo == 0x14,
        4 => bo & 3 != 1,
        _ => bo & 9 != 1,
    }
}

impl Opnd {
    /// Bits of the word this operand occupies (host bit order).
    #[must_use]
    pub const fn bits(self) -> u32 {
        use Opnd::*;
        match self {
            Rt | RsOpt | Frt | Vrt | To | Ct | BtNum | Bt | Bo => 0x1f << 21,
            HtmR => 1 << 21,
            Ra | Ra0 | RaL | RaS | RaQ | RaM | Fra | Vra | Ba | Bi | Uimm5 | Simm5 | Te => {
                0x1f << 16
            }
            Rb | RbX | Frb | Vrb | Bb | Sh | Nb | Fc | HtmSi => 0x1f << 11,
            Rc | Frc | Vrc | Bc | Mb => 0x1f << 6,
            RtP | FrtP => 0x1e << 21,
            // objdump ignores the low bit of FRAp / FRBp (only FRTp's is checked)
            FraP => 0x1f << 16,
            FrbP => 0x1f << 11,
            Xt => (0x1f << 21) | 1,
            Xa => (0x1f << 16) | 4,
            Xb => (0x1f << 11) | 2,
            Xc => (0x1f << 6) | 8,
            XtQ => (0x1f << 21) | 8,
            Bf | BfOpt | BfNum => 0x7 << 23,
            Bfa => 0x7 << 18,
            Bh => 0x3 << 11,
            Si | Ui => 0xffff,
            D | DL | DS | DM => 0xffff | (0x1f << 16),
            Ds | DsL | DsS => 0xfffc | (0x1f << 16),
            DqQ | Dq => 0xfff0 | (0x1f << 16),
            Dw => (0x1f << 21) | 1 | (0x1f << 16),
            Dx => 0xffc1 | (0x1f << 16),
            Sh6 => (0x1f << 11) | 2,
            Me => 0x1f << 1,
            Mb6 => 0x3f << 5,
            L | LOpt => 1 << 21,
            L15 => 1 << 16,
            L2 | Strm => 0x3 << 21,
            Spr | Tbr | Bhrbe => 0x3ff << 11,
            Fxm | Fxm0 => 0xff << 12,
            Li => 0x03ff_fffc,
            Bd => 0xfffc,
            Uimm4 | Sr => 0xf << 16,
            Uimm3 => 0x7 << 16,
            Uimm2 | Uim2 | Lrand => 0x3 << 16,
            Shb => 0xf << 6,
            Ps => 1 << 9,
            Eh => 1,
            Ih => 0x7 << 21,
            Dm => 0x3 << 8,
            Imm8 => 0xff << 11,
            Dcmx => 0x7f << 16,
            Dcmxs => (0x1f << 16) | (1 << 6) | (1 << 2),
            Rmc => 0x3 << 9,
            R => 1 << 16,
            St => 1 << 15,
            Sh16 => 0x3f << 10,
            Sp => 0x3 << 19,
            S => 1 << 20,
            Uim6 => 0x3f << 16,
            Flm => 0xff << 17,
            XflL | HtmA => 1 << 25,
            U => 0xf << 12,
            Ric => 0x3 << 18,
            Prs => 1 << 17,
            Lev | SvcLev => 0x7f << 5,
            Six => 0xf << 11,
            Sxl => 1 << 11,
            Drm => 0x7 << 11,
            Rm => 0x3 << 11,
        }
    }

    /// Whether the ISA (and objdump) reject the encoding for this operand's value.
    #[must_use]
    pub const fn valid(self, w: u32) -> bool {
        use Opnd::*;
        let rt = f(w, 21, 5);
        let ra = f(w, 16, 5);
        match self {
            RaL | DL | DsL => ra != 0 && ra != rt,
            RaS | DS | DsS => ra != 0,
            RaQ | DqQ => ra != rt,
            RaM | DM => ra < rt,
            RbX => f(w, 11, 5) != rt,
            // bc: every BO below 16, and the CTR forms with BI = 0, have an extended mnemonic
            // that objdump accepts without checking the hint bits.
            Bo => bo_valid(rt) || (w >> 26 == 16 && (rt < 16 || (rt & 0x14 == 0x10 && ra == 0))),
            // sync: L = 3 is reserved; dcbf: L = 2 is reserved
            L2 => match f(w, 1, 10) {
                598 => f(w, 21, 2) != 3,
                86 => f(w, 21, 2) != 2,
                30 => f(w, 21, 2) == 0,
                _ => true,
            },
            Fxm => {
                let m = f(w, 12, 8);
                if w & (1 << 20) != 0 {
                    m != 0 && m & m.wrapping_neg() == m
                } else {
                    true
                }
            }
            Fxm0 => f(w, 12, 8) == 0,
            Tbr => {
                let t = (f(w, 16, 5)) | (f(w, 11, 5) << 5);
                t == 268 || t == 269
            }
            _ => true,
        }
    }

    /// True when an operand is optional: omitted (with every later optional operand) when it
    /// and all later optional operands hold their default value.
    #[must_use]
    pub(crate) const fn optional_default(self) -> Option<i64> {
        use Opnd::*;
        match self {
            BfOpt | Bh | LOpt | L15 | L2 | Eh | Ct | Ih | XflL | Ric | Prs | Lev | HtmR | HtmA
            | RsOpt => Some(0),
            Fxm0 => Some(-1),
            Sxl => Some(1),
            Tbr => Some(268),
            _ => None,
        }
    }

    /// The operand's value as printed.
    pub(crate) fn arg(self, w: u32, addr: u64) -> Arg {
        use Opnd::*;
        let rt = f(w, 21, 5);
        let ra = f(w, 16, 5);
        let rb = f(w, 11, 5);
        match self {
            Rt | RsOpt | RtP => Arg::Gpr(rt),
            Ra => Arg::Gpr(ra),
            Rb | RbX => Arg::Gpr(rb),
            Rc => Arg::Gpr(f(w, 6, 5)),
            Ra0 | RaL | RaS | RaQ | RaM => {
                if ra == 0 {
                    Arg::Imm(0)
                } else {
                    Arg::Gpr(ra)
                }
            }
            Frt | FrtP => Arg::Fpr(rt),
            Fra => Arg::Fpr(ra),
            Frb => Arg::Fpr(rb),
            FraP => Arg::Fpr(ra & !1),
            FrbP => Arg::Fpr(rb & !1),
            Frc => Arg::Fpr(f(w, 6, 5)),
            Vrt => Arg::Vr(rt),
            Vra => Arg::Vr(ra),
            Vrb => Arg::Vr(rb),
            Vrc => Arg::Vr(f(w, 6, 5)),
            Xt => Arg::Vsr(rt | ((w & 1) << 5)),
            Xa => Arg::Vsr(ra | (((w >> 2) & 1) << 5)),
            Xb => Arg::Vsr(rb | (((w >> 1) & 1) << 5)),
            Xc => Arg::Vsr(f(w, 6, 5) | (((w >> 3) & 1) << 5)),
            XtQ => Arg::Vsr(rt | (((w >> 3) & 1) << 5)),
            Bf | BfOpt => Arg::Cr(f(w, 23, 3)),
            Bfa => Arg::Cr(f(w, 18, 3)),
            BfNum => Arg::Imm(i64::from(f(w, 23, 3))),
            Bt => Arg::CrBit(rt),
            Ba | Bi => Arg::CrBit(ra),
            Bb => Arg::CrBit(rb),
            Bc => Arg::CrBit(f(w, 6, 5)),
            Bo | To | Ct | BtNum => Arg::Imm(i64::from(rt)),
            HtmR => Arg::Imm(i64::from(f(w, 21, 1))),
            Bh => Arg::Imm(i64::from(f(w, 11, 2))),
            Si => Arg::Imm(sx(w & 0xffff, 16)),
            Ui => Arg::Imm(i64::from(w & 0xffff)),
            D | DL | DS | DM => Arg::Mem(sx(w & 0xffff, 16), ra),
            Ds | DsL | DsS => Arg::Mem(sx(w & 0xfffc, 16), ra),
            Dq | DqQ => Arg::Mem(sx(w & 0xfff0, 16), ra),
            Dw => {
                let v = ((w & 1) << 8) | ((w >> 18) & 0xf8);
                Arg::Mem(i64::from(v) - 512, ra)
            }
            Dx => Arg::Imm(sx((w & 0xffc1) | ((w >> 15) & 0x3e), 16)),
            Sh | Nb | Fc => {
                let v = i64::from(rb);
                if matches!(self, Nb) && v == 0 {
                    Arg::Imm(32)
                } else {
                    Arg::Imm(v)
                }
            }
            Sh6 => Arg::Imm(i64::from(rb | ((w & 2) << 4))),
            Mb => Arg::Imm(i64::from(f(w, 6, 5))),
            Me => Arg::Imm(i64::from(f(w, 1, 5))),
            Mb6 => Arg::Imm(i64::from(f(w, 6, 5) | (w & 0x20))),
            L | LOpt => Arg::Imm(i64::from(f(w, 21, 1))),
            L15 | R => Arg::Imm(i64::from(f(w, 16, 1))),
            St => Arg::Imm(i64::from(f(w, 15, 1))),
            L2 | Strm => Arg::Imm(i64::from(f(w, 21, 2))),
            Spr | Tbr => Arg::Imm(i64::from(ra | (rb << 5))),
            Bhrbe => Arg::Imm(i64::from(f(w, 11, 10))),
            Fxm => Arg::Imm(i64::from(f(w, 12, 8))),
            Fxm0 => Arg::Imm(-1),
            // AA (bit 30) selects an absolute target; objdump prints it truncated to 32 bits.
            Li if w & 2 != 0 => Arg::Target(i2u(sx(w & 0x03ff_fffc, 26)) & 0xffff_ffff),
            Li => Arg::Target(addr.wrapping_add(i2u(sx(w & 0x03ff_fffc, 26)))),
            Bd if w & 2 != 0 => Arg::Target(i2u(sx(w & 0xfffc, 16)) & 0xffff_ffff),
            Bd => Arg::Target(addr.wrapping_add(i2u(sx(w & 0xfffc, 16)))),
            Uimm5 => Arg::Imm(i64::from(ra)),
            Uimm4 | Sr => Arg::Imm(i64::from(f(w, 16, 4))),
            Uimm3 => Arg::Imm(i64::from(f(w, 16, 3))),
            Uimm2 | Uim2 | Lrand => Arg::Imm(i64::from(f(w, 16, 2))),
            Simm5 | Te => Arg::Imm(sx(ra, 5)),
            HtmSi => Arg::Imm(sx(rb, 5)),
            Shb => Arg::Imm(i64::from(f(w, 6, 4))),
            Ps => Arg::Imm(i64::from(f(w, 9, 1))),
            Eh => Arg::Imm(i64::from(w & 1)),
            Ih => Arg::Imm(i64::from(f(w, 21, 3))),
            Dm => Arg::Imm(i64::from(f(w, 8, 2))),
            Imm8 => Arg::Imm(i64::from(f(w, 11, 8))),
            Dcmx => Arg::Imm(i64::from(f(w, 16, 7))),
            Dcmxs => Arg::Imm(i64::from((w & 0x40) | ((w << 3) & 0x20) | ra)),
            Rmc => Arg::Imm(i64::from(f(w, 9, 2))),
            Sh16 => Arg::Imm(i64::from(f(w, 10, 6))),
            Sp => Arg::Imm(i64::from(f(w, 19, 2))),
            S => Arg::Imm(i64::from(f(w, 20, 1))),
            Uim6 => Arg::Imm(i64::from(f(w, 16, 6))),
            Flm => Arg::Imm(i64::from(f(w, 17, 8))),
            XflL | HtmA => Arg::Imm(i64::from(f(w, 25, 1))),
            U => Arg::Imm(i64::from(f(w, 12, 4))),
            Ric => Arg::Imm(i64::from(f(w, 18, 2))),
            Prs => Arg::Imm(i64::from(f(w, 17, 1))),
            Lev | SvcLev => Arg::Imm(i64::from(f(w, 5, 7))),
            Six => Arg::Imm(i64::from(f(w, 11, 4))),
            Sxl => Arg::Imm(i64::from(f(w, 11, 1))),
            Drm => Arg::Imm(i64::from(f(w, 11, 3))),
            Rm => Arg::Imm(i64::from(f(w, 11, 2))),
        }
    }

    /// The raw value compared against [`Opnd::optional_default`].
    pub(crate) fn opt_value(self, w: u32) -> i64 {
        match self.arg(w, 0) {
            Arg::Gpr(v) | Arg::Fpr(v) | Arg::Vr(v) | Arg::Vsr(v) | Arg::Cr(v) | Arg::CrBit(v) => {
                i64::from(v)
            }
            Arg::Imm(v) => v,
            Arg::Target(v) => u2i(v),
            Arg::Mem(d, _) => d,
        }
    }
}
