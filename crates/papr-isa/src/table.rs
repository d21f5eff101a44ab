//! The instruction table: one entry per architected instruction of Power ISA 3.0B that a
//! POWER9 in a pseries LPAR can meet, with its encoding, its assembler operands and its
//! record/overflow variants.
//!
//! Power ISA 3.0B, Book I appendix "Opcode Maps" and each instruction's description give the
//! encodings; the entries follow the primary opcode order of those maps. Every bit of an entry
//! that is neither an operand nor a variant bit (Rc, OE, LK, AA) is fixed by the entry, so
//! reserved fields must be zero — except bits listed as `free`, which the disassembler oracle
//! (binutils) ignores too. An instruction word that matches no entry is [`Opcode::Invalid`].
//!
//! Extended mnemonics (`li`, `mr`, `beq`, `sldi`, ...) are not entries: they are the
//! disassembler's business ([`crate::disasm`]); decoding always yields the base instruction.

use crate::operand::Opnd;

/// Variant bits an instruction has; each adds a suffix to the mnemonic when set.
pub(crate) mod flag {
    /// Rc (bit 31) => `.`
    pub const RC: u8 = 1;
    /// OE (bit 21) => `o`
    pub const OE: u8 = 2;
    /// Rc in bit 21 (VC / XX3 compare forms) => `.`
    pub const RCV: u8 = 4;
    /// LK (bit 31) => `l`
    pub const LK: u8 = 8;
    /// AA (bit 30) => `a`
    pub const AA: u8 = 16;
    /// RO (bit 31, quad-precision round-to-odd) => `o`
    pub const RO: u8 = 32;
    /// EX (bit 31, xsrqpi) => `x`
    pub const EX: u8 = 64;
    /// The mnemonic itself ends in `.` (stwcx., andi., tbegin., bcdadd., ...): always records.
    pub const DOT: u8 = 128;
}

/// An encoding: the fixed bits, plus bits the entry leaves free (ignored).
#[derive(Clone, Copy)]
pub(crate) struct Enc {
    value: u32,
    free: u32,
}

impl Enc {
    /// Sets more fixed bits (e.g. a mandatory Rc = 1, or a sub-opcode field).
    const fn with(self, bits: u32) -> Self {
        Enc {
            value: self.value | bits,
            free: self.free,
        }
    }
    /// Leaves `bits` unchecked by decode.
    const fn free(self, bits: u32) -> Self {
        Enc {
            value: self.value,
            free: self.free | bits,
        }
    }
}

const fn e(value: u32) -> Enc {
    Enc { value, free: 0 }
}
/// D/DS/DQ/I/B/SC/M-forms: primary opcode only.
const fn d(po: u32) -> Enc {
    e(po << 26)
}
/// X, XL, XFX, XO, A, MDS, Z23 forms: extended opcode ending at bit 30.
const fn x(po: u32, xo: u32) -> Enc {
    e((po << 26) | (xo << 1))
}
/// MD form (3-bit xo in bits 27:29), XS form (9-bit xo in bits 21:29), XX2 (bits 21:29).
const fn md(po: u32, xo: u32) -> Enc {
    e((po << 26) | (xo << 2))
}
/// VX / VA / VC forms (primary 4): extended opcode in the low bits.
const fn vx(xo: u32) -> Enc {
    e((4 << 26) | xo)
}
/// VX form with a sub-opcode in the VRA field.
const fn vxva(xo: u32, va: u32) -> Enc {
    e((4 << 26) | (va << 16) | xo)
}
/// XX3 form (8-bit xo in bits 21:28).
const fn xx3(xo: u32) -> Enc {
    e((60 << 26) | (xo << 3))
}
/// XX2 form (9-bit xo in bits 21:29).
const fn xx2(xo: u32) -> Enc {
    e((60 << 26) | (xo << 2))
}
/// XX2 form with a sub-opcode in bits 11:15.
const fn xx2s(xo: u32, sub: u32) -> Enc {
    e((60 << 26) | (sub << 16) | (xo << 2))
}
/// X form with a sub-opcode in bits 11:15.
const fn xs(po: u32, xo: u32, sub: u32) -> Enc {
    e((po << 26) | (sub << 16) | (xo << 1))
}
/// DS / DQ forms: extended opcode in the low 2 or 3 bits.
const fn ds(po: u32, xo: u32) -> Enc {
    e((po << 26) | xo)
}

/// One table entry.
#[derive(Clone, Copy)]
pub(crate) struct Def {
    pub(crate) op: Opcode,
    pub(crate) name: &'static str,
    pub(crate) value: u32,
    pub(crate) mask: u32,
    pub(crate) ops: &'static [Opnd],
    pub(crate) flags: u8,
    /// Some operand constrains the encoding (see [`Opnd::valid`]).
    pub(crate) check: bool,
}

const fn variant_bits(flags: u8) -> u32 {
    let mut b = 0;
    if flags & (flag::RC | flag::LK | flag::RO | flag::EX) != 0 {
        b |= 1;
    }
    if flags & (flag::OE | flag::RCV) != 0 {
        b |= 1 << 10;
    }
    if flags & flag::AA != 0 {
        b |= 2;
    }
    b
}

const fn needs_check(op: Opnd) -> bool {
    matches!(
        op,
        Opnd::RaL
            | Opnd::RaS
            | Opnd::RaQ
            | Opnd::RaM
            | Opnd::RbX
            | Opnd::DL
            | Opnd::DS
            | Opnd::DM
            | Opnd::DsL
            | Opnd::DsS
            | Opnd::DqQ
            | Opnd::Fxm
            | Opnd::Fxm0
            | Opnd::Bo
            | Opnd::L2
            | Opnd::Tbr
    )
}

impl Def {
    const fn new(op: Opcode, name: &'static str, enc: Enc, ops: &'static [Opnd], flags: u8) -> Def {
        let mut used = enc.free | variant_bits(flags);
        let mut check = false;
        let mut i = 0;
        while i < ops.len() {
            used |= ops[i].bits();
            check |= needs_check(ops[i]);
            i += 1;
        }
        let bytes = name.as_bytes();
        let flags = if !bytes.is_empty() && bytes[bytes.len() - 1] == b'.' {
            flags | flag::DOT
        } else {
            flags
        };
        Def {
            op,
            name,
            value: enc.value,
            mask: !used,
            ops,
            flags,
            check,
        }
    }
}

macro_rules! isa {
    ($( $v:ident $name:literal $enc:expr, [$($o:ident),*] $($fl:expr)?; )*) => {
        /// Every instruction papr decodes, one variant per architected instruction (its record,
        /// overflow, link and absolute forms share the variant). Names follow the base
        /// mnemonic (`stwcx.` is `Stwcx`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u16)]
        #[allow(missing_docs)]
        pub enum Opcode {
            /// No instruction: the word is not a valid POWER9 instruction (illegal instruction).
            Invalid,
            $($v,)*
        }

        /// Indexed by `Opcode as usize`.
        pub(crate) static DEFS: &[Def] = &[
            Def::new(Opcode::Invalid, ".long", e(0), &[], 0),
            $( Def::new(Opcode::$v, $name, $enc, &[$(Opnd::$o),*], 0 $(| $fl)?), )*
        ];
    };
}

use flag::{AA, EX, LK, OE, RC, RCV, RO};

isa! {
    // ---- primary 0..3
    Attn "attn" x(0, 256).free(0x03ff_f800), [];
    Tdi "tdi" d(2), [To, Ra, Si];
    Twi "twi" d(3), [To, Ra, Si];

    // ---- primary 4: VMX / VSX-integer (VA, VX, VC forms)
    Vaddubm "vaddubm" vx(0), [Vrt, Vra, Vrb];
    Vmul10cuq "vmul10cuq" vx(1), [Vrt, Vra];
    Vmaxub "vmaxub" vx(2), [Vrt, Vra, Vrb];
    Vrlb "vrlb" vx(4), [Vrt, Vra, Vrb];
    Vcmpequb "vcmpequb" vx(6), [Vrt, Vra, Vrb] RCV;
    Vcmpneb "vcmpneb" vx(7), [Vrt, Vra, Vrb] RCV;
    Vmuloub "vmuloub" vx(8), [Vrt, Vra, Vrb];
    Vaddfp "vaddfp" vx(10), [Vrt, Vra, Vrb];
    Vmrghb "vmrghb" vx(12), [Vrt, Vra, Vrb];
    Vpkuhum "vpkuhum" vx(14), [Vrt, Vra, Vrb];
    Vmhaddshs "vmhaddshs" vx(32), [Vrt, Vra, Vrb, Vrc];
    Vmhraddshs "vmhraddshs" vx(33), [Vrt, Vra, Vrb, Vrc];
    Vmladduhm "vmladduhm" vx(34), [Vrt, Vra, Vrb, Vrc];
    Vmsumudm "vmsumudm" vx(35), [Vrt, Vra, Vrb, Vrc];
    Vmsumubm "vmsumubm" vx(36), [Vrt, Vra, Vrb, Vrc];
    Vmsummbm "vmsummbm" vx(37), [Vrt, Vra, Vrb, Vrc];
    Vmsumuhm "vmsumuhm" vx(38), [Vrt, Vra, Vrb, Vrc];
    Vmsumuhs "vmsumuhs" vx(39), [Vrt, Vra, Vrb, Vrc];
    Vmsumshm "vmsumshm" vx(40), [Vrt, Vra, Vrb, Vrc];
    Vmsumshs "vmsumshs" vx(41), [Vrt, Vra, Vrb, Vrc];
    Vsel "vsel" vx(42), [Vrt, Vra, Vrb, Vrc];
    Vperm "vperm" vx(43), [Vrt, Vra, Vrb, Vrc];
    Vsldoi "vsldoi" vx(44), [Vrt, Vra, Vrb, Shb];
    Vpermxor "vpermxor" vx(45), [Vrt, Vra, Vrb, Vrc];
    Vmaddfp "vmaddfp" vx(46), [Vrt, Vra, Vrc, Vrb];
    Vnmsubfp "vnmsubfp" vx(47), [Vrt, Vra, Vrc, Vrb];
    Maddhd "maddhd" vx(48), [Rt, Ra, Rb, Rc];
    Maddhdu "maddhdu" vx(49), [Rt, Ra, Rb, Rc];
    Maddld "maddld" vx(51), [Rt, Ra, Rb, Rc];
    Vpermr "vpermr" vx(59), [Vrt, Vra, Vrb, Vrc];
    Vaddeuqm "vaddeuqm" vx(60), [Vrt, Vra, Vrb, Vrc];
    Vaddecuq "vaddecuq" vx(61), [Vrt, Vra, Vrb, Vrc];
    Vsubeuqm "vsubeuqm" vx(62), [Vrt, Vra, Vrb, Vrc];
    Vsubecuq "vsubecuq" vx(63), [Vrt, Vra, Vrb, Vrc];
    Vadduhm "vadduhm" vx(64), [Vrt, Vra, Vrb];
    Vmul10ecuq "vmul10ecuq" vx(65), [Vrt, Vra, Vrb];
    Vmaxuh "vmaxuh" vx(66), [Vrt, Vra, Vrb];
    Vrlh "vrlh" vx(68), [Vrt, Vra, Vrb];
    Vcmpequh "vcmpequh" vx(70), [Vrt, Vra, Vrb] RCV;
    Vcmpneh "vcmpneh" vx(71), [Vrt, Vra, Vrb] RCV;
    Vmulouh "vmulouh" vx(72), [Vrt, Vra, Vrb];
    Vsubfp "vsubfp" vx(74), [Vrt, Vra, Vrb];
    Vmrghh "vmrghh" vx(76), [Vrt, Vra, Vrb];
    Vpkuwum "vpkuwum" vx(78), [Vrt, Vra, Vrb];
    Vadduwm "vadduwm" vx(128), [Vrt, Vra, Vrb];
    Vmaxuw "vmaxuw" vx(130), [Vrt, Vra, Vrb];
    Vrlw "vrlw" vx(132), [Vrt, Vra, Vrb];
    Vrlwmi "vrlwmi" vx(133), [Vrt, Vra, Vrb];
    Vcmpequw "vcmpequw" vx(134), [Vrt, Vra, Vrb] RCV;
    Vcmpnew "vcmpnew" vx(135), [Vrt, Vra, Vrb] RCV;
    Vmulouw "vmulouw" vx(136), [Vrt, Vra, Vrb];
    Vmuluwm "vmuluwm" vx(137), [Vrt, Vra, Vrb];
    Vmrghw "vmrghw" vx(140), [Vrt, Vra, Vrb];
    Vpkuhus "vpkuhus" vx(142), [Vrt, Vra, Vrb];
    Vaddudm "vaddudm" vx(192), [Vrt, Vra, Vrb];
    Vmaxud "vmaxud" vx(194), [Vrt, Vra, Vrb];
    Vrld "vrld" vx(196), [Vrt, Vra, Vrb];
    Vrldmi "vrldmi" vx(197), [Vrt, Vra, Vrb];
    Vcmpeqfp "vcmpeqfp" vx(198), [Vrt, Vra, Vrb] RCV;
    Vcmpequd "vcmpequd" vx(199), [Vrt, Vra, Vrb] RCV;
    Vpkuwus "vpkuwus" vx(206), [Vrt, Vra, Vrb];
    Vadduqm "vadduqm" vx(256), [Vrt, Vra, Vrb];
    Vmaxsb "vmaxsb" vx(258), [Vrt, Vra, Vrb];
    Vslb "vslb" vx(260), [Vrt, Vra, Vrb];
    Vcmpnezb "vcmpnezb" vx(263), [Vrt, Vra, Vrb] RCV;
    Vmulosb "vmulosb" vx(264), [Vrt, Vra, Vrb];
    Vrefp "vrefp" vx(266), [Vrt, Vrb];
    Vmrglb "vmrglb" vx(268), [Vrt, Vra, Vrb];
    Vpkshus "vpkshus" vx(270), [Vrt, Vra, Vrb];
    Vaddcuq "vaddcuq" vx(320), [Vrt, Vra, Vrb];
    Vmaxsh "vmaxsh" vx(322), [Vrt, Vra, Vrb];
    Vslh "vslh" vx(324), [Vrt, Vra, Vrb];
    Vcmpnezh "vcmpnezh" vx(327), [Vrt, Vra, Vrb] RCV;
    Vmulosh "vmulosh" vx(328), [Vrt, Vra, Vrb];
    Vrsqrtefp "vrsqrtefp" vx(330), [Vrt, Vrb];
    Vmrglh "vmrglh" vx(332), [Vrt, Vra, Vrb];
    Vpkswus "vpkswus" vx(334), [Vrt, Vra, Vrb];
    Vaddcuw "vaddcuw" vx(384), [Vrt, Vra, Vrb];
    Vmaxsw "vmaxsw" vx(386), [Vrt, Vra, Vrb];
    Vslw "vslw" vx(388), [Vrt, Vra, Vrb];
    Vrlwnm "vrlwnm" vx(389), [Vrt, Vra, Vrb];
    Vcmpnezw "vcmpnezw" vx(391), [Vrt, Vra, Vrb] RCV;
    Vmulosw "vmulosw" vx(392), [Vrt, Vra, Vrb];
    Vexptefp "vexptefp" vx(394), [Vrt, Vrb];
    Vmrglw "vmrglw" vx(396), [Vrt, Vra, Vrb];
    Vpkshss "vpkshss" vx(398), [Vrt, Vra, Vrb];
    Vmaxsd "vmaxsd" vx(450), [Vrt, Vra, Vrb];
    Vsl "vsl" vx(452), [Vrt, Vra, Vrb];
    Vrldnm "vrldnm" vx(453), [Vrt, Vra, Vrb];
    Vcmpgefp "vcmpgefp" vx(454), [Vrt, Vra, Vrb] RCV;
    Vlogefp "vlogefp" vx(458), [Vrt, Vrb];
    Vpkswss "vpkswss" vx(462), [Vrt, Vra, Vrb];
    Vaddubs "vaddubs" vx(512), [Vrt, Vra, Vrb];
    Vmul10uq "vmul10uq" vx(513), [Vrt, Vra];
    Vminub "vminub" vx(514), [Vrt, Vra, Vrb];
    Vsrb "vsrb" vx(516), [Vrt, Vra, Vrb];
    Vcmpgtub "vcmpgtub" vx(518), [Vrt, Vra, Vrb] RCV;
    Vmuleub "vmuleub" vx(520), [Vrt, Vra, Vrb];
    Vrfin "vrfin" vx(522), [Vrt, Vrb];
    Vspltb "vspltb" vx(524), [Vrt, Vrb, Uimm4];
    Vextractub "vextractub" vx(525), [Vrt, Vrb, Uimm4];
    Vupkhsb "vupkhsb" vx(526), [Vrt, Vrb];
    Vadduhs "vadduhs" vx(576), [Vrt, Vra, Vrb];
    Vmul10euq "vmul10euq" vx(577), [Vrt, Vra, Vrb];
    Vminuh "vminuh" vx(578), [Vrt, Vra, Vrb];
    Vsrh "vsrh" vx(580), [Vrt, Vra, Vrb];
    Vcmpgtuh "vcmpgtuh" vx(582), [Vrt, Vra, Vrb] RCV;
    Vmuleuh "vmuleuh" vx(584), [Vrt, Vra, Vrb];
    Vrfiz "vrfiz" vx(586), [Vrt, Vrb];
    Vsplth "vsplth" vx(588), [Vrt, Vrb, Uimm3];
    Vextractuh "vextractuh" vx(589), [Vrt, Vrb, Uimm4];
    Vupkhsh "vupkhsh" vx(590), [Vrt, Vrb];
    Vadduws "vadduws" vx(640), [Vrt, Vra, Vrb];
    Vminuw "vminuw" vx(642), [Vrt, Vra, Vrb];
    Vsrw "vsrw" vx(644), [Vrt, Vra, Vrb];
    Vcmpgtuw "vcmpgtuw" vx(646), [Vrt, Vra, Vrb] RCV;
    Vmuleuw "vmuleuw" vx(648), [Vrt, Vra, Vrb];
    Vrfip "vrfip" vx(650), [Vrt, Vrb];
    Vspltw "vspltw" vx(652), [Vrt, Vrb, Uimm2];
    Vextractuw "vextractuw" vx(653), [Vrt, Vrb, Uimm4];
    Vupklsb "vupklsb" vx(654), [Vrt, Vrb];
    Vminud "vminud" vx(706), [Vrt, Vra, Vrb];
    Vsr "vsr" vx(708), [Vrt, Vra, Vrb];
    Vcmpgtfp "vcmpgtfp" vx(710), [Vrt, Vra, Vrb] RCV;
    Vcmpgtud "vcmpgtud" vx(711), [Vrt, Vra, Vrb] RCV;
    Vrfim "vrfim" vx(714), [Vrt, Vrb];
    Vextractd "vextractd" vx(717), [Vrt, Vrb, Uimm4];
    Vupklsh "vupklsh" vx(718), [Vrt, Vrb];
    Vaddsbs "vaddsbs" vx(768), [Vrt, Vra, Vrb];
    Vminsb "vminsb" vx(770), [Vrt, Vra, Vrb];
    Vsrab "vsrab" vx(772), [Vrt, Vra, Vrb];
    Vcmpgtsb "vcmpgtsb" vx(774), [Vrt, Vra, Vrb] RCV;
    Vmulesb "vmulesb" vx(776), [Vrt, Vra, Vrb];
    Vcfux "vcfux" vx(778), [Vrt, Vrb, Uimm5];
    Vspltisb "vspltisb" vx(780), [Vrt, Simm5];
    Vinsertb "vinsertb" vx(781), [Vrt, Vrb, Uimm4];
    Vpkpx "vpkpx" vx(782), [Vrt, Vra, Vrb];
    Vaddshs "vaddshs" vx(832), [Vrt, Vra, Vrb];
    Bcdcpsgn "bcdcpsgn." vx(833), [Vrt, Vra, Vrb];
    Vminsh "vminsh" vx(834), [Vrt, Vra, Vrb];
    Vsrah "vsrah" vx(836), [Vrt, Vra, Vrb];
    Vcmpgtsh "vcmpgtsh" vx(838), [Vrt, Vra, Vrb] RCV;
    Vmulesh "vmulesh" vx(840), [Vrt, Vra, Vrb];
    Vcfsx "vcfsx" vx(842), [Vrt, Vrb, Uimm5];
    Vspltish "vspltish" vx(844), [Vrt, Simm5];
    Vinserth "vinserth" vx(845), [Vrt, Vrb, Uimm4];
    Vupkhpx "vupkhpx" vx(846), [Vrt, Vrb];
    Vaddsws "vaddsws" vx(896), [Vrt, Vra, Vrb];
    Vminsw "vminsw" vx(898), [Vrt, Vra, Vrb];
    Vsraw "vsraw" vx(900), [Vrt, Vra, Vrb];
    Vcmpgtsw "vcmpgtsw" vx(902), [Vrt, Vra, Vrb] RCV;
    Vmulesw "vmulesw" vx(904), [Vrt, Vra, Vrb];
    Vctuxs "vctuxs" vx(906), [Vrt, Vrb, Uimm5];
    Vspltisw "vspltisw" vx(908), [Vrt, Simm5];
    Vinsertw "vinsertw" vx(909), [Vrt, Vrb, Uimm4];
    Vminsd "vminsd" vx(962), [Vrt, Vra, Vrb];
    Vsrad "vsrad" vx(964), [Vrt, Vra, Vrb];
    Vcmpbfp "vcmpbfp" vx(966), [Vrt, Vra, Vrb] RCV;
    Vcmpgtsd "vcmpgtsd" vx(967), [Vrt, Vra, Vrb] RCV;
    Vctsxs "vctsxs" vx(970), [Vrt, Vrb, Uimm5];
    Vinsertd "vinsertd" vx(973), [Vrt, Vrb, Uimm4];
    Vupklpx "vupklpx" vx(974), [Vrt, Vrb];
    Vsububm "vsububm" vx(1024), [Vrt, Vra, Vrb];
    Bcdadd "bcdadd." vx(1025), [Vrt, Vra, Vrb, Ps];
    Vavgub "vavgub" vx(1026), [Vrt, Vra, Vrb];
    Vabsdub "vabsdub" vx(1027), [Vrt, Vra, Vrb];
    Vand "vand" vx(1028), [Vrt, Vra, Vrb];
    Vpmsumb "vpmsumb" vx(1032), [Vrt, Vra, Vrb];
    Vmaxfp "vmaxfp" vx(1034), [Vrt, Vra, Vrb];
    Vslo "vslo" vx(1036), [Vrt, Vra, Vrb];
    Vsubuhm "vsubuhm" vx(1088), [Vrt, Vra, Vrb];
    Bcdsub "bcdsub." vx(1089), [Vrt, Vra, Vrb, Ps];
    Vavguh "vavguh" vx(1090), [Vrt, Vra, Vrb];
    Vabsduh "vabsduh" vx(1091), [Vrt, Vra, Vrb];
    Vandc "vandc" vx(1092), [Vrt, Vra, Vrb];
    Vpmsumh "vpmsumh" vx(1096), [Vrt, Vra, Vrb];
    Vminfp "vminfp" vx(1098), [Vrt, Vra, Vrb];
    Vsro "vsro" vx(1100), [Vrt, Vra, Vrb];
    Vpkudum "vpkudum" vx(1102), [Vrt, Vra, Vrb];
    Vsubuwm "vsubuwm" vx(1152), [Vrt, Vra, Vrb];
    Bcdus "bcdus." vx(1153), [Vrt, Vra, Vrb];
    Vavguw "vavguw" vx(1154), [Vrt, Vra, Vrb];
    Vabsduw "vabsduw" vx(1155), [Vrt, Vra, Vrb];
    Vor "vor" vx(1156), [Vrt, Vra, Vrb];
    Vpmsumw "vpmsumw" vx(1160), [Vrt, Vra, Vrb];
    Vsubudm "vsubudm" vx(1216), [Vrt, Vra, Vrb];
    Bcds "bcds." vx(1217), [Vrt, Vra, Vrb, Ps];
    Vxor "vxor" vx(1220), [Vrt, Vra, Vrb];
    Vpmsumd "vpmsumd" vx(1224), [Vrt, Vra, Vrb];
    Vpkudus "vpkudus" vx(1230), [Vrt, Vra, Vrb];
    Vsubuqm "vsubuqm" vx(1280), [Vrt, Vra, Vrb];
    Bcdtrunc "bcdtrunc." vx(1281), [Vrt, Vra, Vrb, Ps];
    Vavgsb "vavgsb" vx(1282), [Vrt, Vra, Vrb];
    Vnor "vnor" vx(1284), [Vrt, Vra, Vrb];
    Vcipher "vcipher" vx(1288), [Vrt, Vra, Vrb];
    Vcipherlast "vcipherlast" vx(1289), [Vrt, Vra, Vrb];
    Vgbbd "vgbbd" vx(1292), [Vrt, Vrb];
    Vsubcuq "vsubcuq" vx(1344), [Vrt, Vra, Vrb];
    Bcdutrunc "bcdutrunc." vx(1345), [Vrt, Vra, Vrb];
    Vavgsh "vavgsh" vx(1346), [Vrt, Vra, Vrb];
    Vorc "vorc" vx(1348), [Vrt, Vra, Vrb];
    Vncipher "vncipher" vx(1352), [Vrt, Vra, Vrb];
    Vncipherlast "vncipherlast" vx(1353), [Vrt, Vra, Vrb];
    Vbpermq "vbpermq" vx(1356), [Vrt, Vra, Vrb];
    Vpksdus "vpksdus" vx(1358), [Vrt, Vra, Vrb];
    Vsubcuw "vsubcuw" vx(1408), [Vrt, Vra, Vrb];
    Bcdctsq "bcdctsq." vxva(1409, 0), [Vrt, Vrb];
    Bcdcfsq "bcdcfsq." vxva(1409, 2), [Vrt, Vrb, Ps];
    Bcdctz "bcdctz." vxva(1409, 4), [Vrt, Vrb, Ps];
    Bcdctn "bcdctn." vxva(1409, 5), [Vrt, Vrb];
    Bcdcfz "bcdcfz." vxva(1409, 6), [Vrt, Vrb, Ps];
    Bcdcfn "bcdcfn." vxva(1409, 7), [Vrt, Vrb, Ps];
    Bcdsetsgn "bcdsetsgn." vxva(1409, 31), [Vrt, Vrb, Ps];
    Vavgsw "vavgsw" vx(1410), [Vrt, Vra, Vrb];
    Vnand "vnand" vx(1412), [Vrt, Vra, Vrb];
    Bcdsr "bcdsr." vx(1473), [Vrt, Vra, Vrb, Ps];
    Vsld "vsld" vx(1476), [Vrt, Vra, Vrb];
    Vsbox "vsbox" vx(1480), [Vrt, Vra];
    Vbpermd "vbpermd" vx(1484), [Vrt, Vra, Vrb];
    Vpksdss "vpksdss" vx(1486), [Vrt, Vra, Vrb];
    Vsububs "vsububs" vx(1536), [Vrt, Vra, Vrb];
    Vclzlsbb "vclzlsbb" vxva(1538, 0), [Rt, Vrb];
    Vctzlsbb "vctzlsbb" vxva(1538, 1), [Rt, Vrb];
    Vnegw "vnegw" vxva(1538, 6), [Vrt, Vrb];
    Vnegd "vnegd" vxva(1538, 7), [Vrt, Vrb];
    Vprtybw "vprtybw" vxva(1538, 8), [Vrt, Vrb];
    Vprtybd "vprtybd" vxva(1538, 9), [Vrt, Vrb];
    Vprtybq "vprtybq" vxva(1538, 10), [Vrt, Vrb];
    Vextsb2w "vextsb2w" vxva(1538, 16), [Vrt, Vrb];
    Vextsh2w "vextsh2w" vxva(1538, 17), [Vrt, Vrb];
    Vextsb2d "vextsb2d" vxva(1538, 24), [Vrt, Vrb];
    Vextsh2d "vextsh2d" vxva(1538, 25), [Vrt, Vrb];
    Vextsw2d "vextsw2d" vxva(1538, 26), [Vrt, Vrb];
    Vctzb "vctzb" vxva(1538, 28), [Vrt, Vrb];
    Vctzh "vctzh" vxva(1538, 29), [Vrt, Vrb];
    Vctzw "vctzw" vxva(1538, 30), [Vrt, Vrb];
    Vctzd "vctzd" vxva(1538, 31), [Vrt, Vrb];
    Mfvscr "mfvscr" vx(1540), [Vrt];
    Vsum4ubs "vsum4ubs" vx(1544), [Vrt, Vra, Vrb];
    Vextublx "vextublx" vx(1549), [Rt, Ra, Vrb];
    Vsubuhs "vsubuhs" vx(1600), [Vrt, Vra, Vrb];
    Mtvscr "mtvscr" vx(1604), [Vrb];
    Vsum4shs "vsum4shs" vx(1608), [Vrt, Vra, Vrb];
    Vextuhlx "vextuhlx" vx(1613), [Rt, Ra, Vrb];
    Vupkhsw "vupkhsw" vx(1614), [Vrt, Vrb];
    Vsubuws "vsubuws" vx(1664), [Vrt, Vra, Vrb];
    Vshasigmaw "vshasigmaw" vx(1666), [Vrt, Vra, St, Six];
    Veqv "veqv" vx(1668), [Vrt, Vra, Vrb];
    Vsum2sws "vsum2sws" vx(1672), [Vrt, Vra, Vrb];
    Vmrgow "vmrgow" vx(1676), [Vrt, Vra, Vrb];
    Vextuwlx "vextuwlx" vx(1677), [Rt, Ra, Vrb];
    Vshasigmad "vshasigmad" vx(1730), [Vrt, Vra, St, Six];
    Vsrd "vsrd" vx(1732), [Vrt, Vra, Vrb];
    Vupklsw "vupklsw" vx(1742), [Vrt, Vrb];
    Vsubsbs "vsubsbs" vx(1792), [Vrt, Vra, Vrb];
    Vclzb "vclzb" vx(1794), [Vrt, Vrb];
    Vpopcntb "vpopcntb" vx(1795), [Vrt, Vrb];
    Vsrv "vsrv" vx(1796), [Vrt, Vra, Vrb];
    Vsum4sbs "vsum4sbs" vx(1800), [Vrt, Vra, Vrb];
    Vextubrx "vextubrx" vx(1805), [Rt, Ra, Vrb];
    Vsubshs "vsubshs" vx(1856), [Vrt, Vra, Vrb];
    Vclzh "vclzh" vx(1858), [Vrt, Vrb];
    Vpopcnth "vpopcnth" vx(1859), [Vrt, Vrb];
    Vslv "vslv" vx(1860), [Vrt, Vra, Vrb];
    Vextuhrx "vextuhrx" vx(1869), [Rt, Ra, Vrb];
    Vsubsws "vsubsws" vx(1920), [Vrt, Vra, Vrb];
    Vclzw "vclzw" vx(1922), [Vrt, Vrb];
    Vpopcntw "vpopcntw" vx(1923), [Vrt, Vrb];
    Vsumsws "vsumsws" vx(1928), [Vrt, Vra, Vrb];
    Vmrgew "vmrgew" vx(1932), [Vrt, Vra, Vrb];
    Vextuwrx "vextuwrx" vx(1933), [Rt, Ra, Vrb];
    Vclzd "vclzd" vx(1986), [Vrt, Vrb];
    Vpopcntd "vpopcntd" vx(1987), [Vrt, Vrb];

    // ---- primaries 7..15: D-form integer
    Mulli "mulli" d(7), [Rt, Ra, Si];
    Subfic "subfic" d(8), [Rt, Ra, Si];
    Cmpli "cmpli" d(10).free(1 << 22), [Bf, LOpt, Ra, Ui];
    Cmpi "cmpi" d(11).free(1 << 22), [Bf, LOpt, Ra, Si];
    Addic "addic" d(12), [Rt, Ra, Si];
    AddicRc "addic." d(13), [Rt, Ra, Si];
    Addi "addi" d(14), [Rt, Ra0, Si];
    Addis "addis" d(15), [Rt, Ra0, Si];

    // ---- primaries 16..18: branches and system call
    Bc "bc" d(16), [Bo, Bi, Bd] LK | AA;
    Scv "scv" d(17).with(1).free(0x1c | (0xf << 12)), [SvcLev];
    Sc "sc" d(17).with(2).free(0x1c | (0xf << 12)), [Lev];
    B "b" d(18), [Li] LK | AA;

    // ---- primary 19: XL-form branch, CR logical, system
    Mcrf "mcrf" x(19, 0), [Bf, Bfa];
    Addpcis "addpcis" x(19, 2), [Rt, Dx];
    Bclr "bclr" x(19, 16), [Bo, Bi, Bh] LK;
    Rfid "rfid" x(19, 18), [];
    Crnor "crnor" x(19, 33), [Bt, Ba, Bb];
    Rfi "rfi" x(19, 50), [];
    Rfscv "rfscv" x(19, 82), [];
    Crandc "crandc" x(19, 129), [Bt, Ba, Bb];
    Rfebb "rfebb" x(19, 146), [Sxl];
    Isync "isync" x(19, 150), [];
    Crxor "crxor" x(19, 193), [Bt, Ba, Bb];
    Crnand "crnand" x(19, 225), [Bt, Ba, Bb];
    Crand "crand" x(19, 257), [Bt, Ba, Bb];
    Hrfid "hrfid" x(19, 274), [];
    Creqv "creqv" x(19, 289), [Bt, Ba, Bb];
    Urfid "urfid" x(19, 306), [];
    Stop "stop" x(19, 370), [];
    Crorc "crorc" x(19, 417), [Bt, Ba, Bb];
    Cror "cror" x(19, 449), [Bt, Ba, Bb];
    Bcctr "bcctr" x(19, 528), [Bo, Bi, Bh] LK;
    Bctar "bctar" x(19, 560), [Bo, Bi, Bh] LK;

    // ---- primaries 20..29: rotate, logical immediate
    Rlwimi "rlwimi" d(20), [Ra, Rt, Sh, Mb, Me] RC;
    Rlwinm "rlwinm" d(21), [Ra, Rt, Sh, Mb, Me] RC;
    Rlwnm "rlwnm" d(23), [Ra, Rt, Rb, Mb, Me] RC;
    Ori "ori" d(24), [Ra, Rt, Ui];
    Oris "oris" d(25), [Ra, Rt, Ui];
    Xori "xori" d(26), [Ra, Rt, Ui];
    Xoris "xoris" d(27), [Ra, Rt, Ui];
    AndiRc "andi." d(28), [Ra, Rt, Ui];
    AndisRc "andis." d(29), [Ra, Rt, Ui];

    // ---- primary 30: MD / MDS-form 64-bit rotates
    Rldicl "rldicl" md(30, 0), [Ra, Rt, Sh6, Mb6] RC;
    Rldicr "rldicr" md(30, 1), [Ra, Rt, Sh6, Mb6] RC;
    Rldic "rldic" md(30, 2), [Ra, Rt, Sh6, Mb6] RC;
    Rldimi "rldimi" md(30, 3), [Ra, Rt, Sh6, Mb6] RC;
    Rldcl "rldcl" x(30, 8), [Ra, Rt, Rb, Mb6] RC;
    Rldcr "rldcr" x(30, 9), [Ra, Rt, Rb, Mb6] RC;

    // ---- primary 31
    Cmp "cmp" x(31, 0), [Bf, LOpt, Ra, Rb];
    Tw "tw" x(31, 4), [To, Ra, Rb];
    Lvsl "lvsl" x(31, 6), [Vrt, Ra0, Rb];
    Lvebx "lvebx" x(31, 7), [Vrt, Ra0, Rb];
    Subfc "subfc" x(31, 8), [Rt, Ra, Rb] OE | RC;
    Mulhdu "mulhdu" x(31, 9), [Rt, Ra, Rb] RC;
    Addc "addc" x(31, 10), [Rt, Ra, Rb] OE | RC;
    Mulhwu "mulhwu" x(31, 11), [Rt, Ra, Rb] RC;
    Lxsiwzx "lxsiwzx" x(31, 12), [Xt, Ra0, Rb];
    Isel "isel" x(31, 15).free(1), [Rt, Ra0, Rb, Bc];
    Mfcr "mfcr" x(31, 19), [Rt, Fxm0];
    Mfocrf "mfocrf" x(31, 19).with(1 << 20), [Rt, Fxm];
    Lwarx "lwarx" x(31, 20), [Rt, Ra0, Rb, Eh];
    Ldx "ldx" x(31, 21), [Rt, Ra0, Rb];
    Icbt "icbt" x(31, 22), [Ct, Ra0, Rb];
    Lwzx "lwzx" x(31, 23), [Rt, Ra0, Rb];
    Slw "slw" x(31, 24), [Ra, Rt, Rb] RC;
    Cntlzw "cntlzw" x(31, 26), [Ra, Rt] RC;
    Sld "sld" x(31, 27), [Ra, Rt, Rb] RC;
    And "and" x(31, 28), [Ra, Rt, Rb] RC;
    Wait "wait" x(31, 30), [L2];
    Cmpl "cmpl" x(31, 32), [Bf, LOpt, Ra, Rb];
    Lvsr "lvsr" x(31, 38), [Vrt, Ra0, Rb];
    Lvehx "lvehx" x(31, 39), [Vrt, Ra0, Rb];
    Subf "subf" x(31, 40), [Rt, Ra, Rb] OE | RC;
    Mfvsrd "mfvsrd" x(31, 51), [Ra, Xt];
    Lbarx "lbarx" x(31, 52), [Rt, Ra0, Rb, Eh];
    Ldux "ldux" x(31, 53), [Rt, RaL, Rb];
    Dcbst "dcbst" x(31, 54), [Ra0, Rb];
    Lwzux "lwzux" x(31, 55), [Rt, RaL, Rb];
    Cntlzd "cntlzd" x(31, 58), [Ra, Rt] RC;
    Andc "andc" x(31, 60), [Ra, Rt, Rb] RC;
    Td "td" x(31, 68), [To, Ra, Rb];
    Lvewx "lvewx" x(31, 71), [Vrt, Ra0, Rb];
    Mulhd "mulhd" x(31, 73), [Rt, Ra, Rb] RC;
    Addg6s "addg6s" x(31, 74), [Rt, Ra, Rb];
    Mulhw "mulhw" x(31, 75), [Rt, Ra, Rb] RC;
    Lxsiwax "lxsiwax" x(31, 76), [Xt, Ra0, Rb];
    Msgsndu "msgsndu" x(31, 78), [Rb];
    Mtsrd "mtsrd" x(31, 82), [Sr, Rt];
    Mfmsr "mfmsr" x(31, 83), [Rt];
    Ldarx "ldarx" x(31, 84), [Rt, Ra0, Rb, Eh];
    Dcbf "dcbf" x(31, 86), [Ra0, Rb, L2];
    Lbzx "lbzx" x(31, 87), [Rt, Ra0, Rb];
    Lvx "lvx" x(31, 103), [Vrt, Ra0, Rb];
    Neg "neg" x(31, 104), [Rt, Ra] OE | RC;
    Msgclru "msgclru" x(31, 110), [Rb];
    Mtsrdin "mtsrdin" x(31, 114), [Rt, Rb];
    Mfvsrwz "mfvsrwz" x(31, 115), [Ra, Xt];
    Lharx "lharx" x(31, 116), [Rt, Ra0, Rb, Eh];
    Lbzux "lbzux" x(31, 119), [Rt, RaL, Rb];
    Popcntb "popcntb" x(31, 122), [Ra, Rt];
    Nor "nor" x(31, 124), [Ra, Rt, Rb] RC;
    Setb "setb" x(31, 128), [Rt, Bfa];
    Stvebx "stvebx" x(31, 135), [Vrt, Ra0, Rb];
    Subfe "subfe" x(31, 136), [Rt, Ra, Rb] OE | RC;
    Adde "adde" x(31, 138), [Rt, Ra, Rb] OE | RC;
    Stxsiwx "stxsiwx" x(31, 140), [Xt, Ra0, Rb];
    Msgsndp "msgsndp" x(31, 142), [Rb];
    Mtcrf "mtcrf" x(31, 144), [Fxm, Rt];
    Mtocrf "mtocrf" x(31, 144).with(1 << 20), [Fxm, Rt];
    Mtmsr "mtmsr" x(31, 146), [Rt, L15];
    Mtsle "mtsle" x(31, 147), [L];
    Stdx "stdx" x(31, 149), [Rt, Ra0, Rb];
    Stwcx "stwcx." x(31, 150).with(1), [Rt, Ra0, Rb];
    Stwx "stwx" x(31, 151), [Rt, Ra0, Rb];
    Prtyw "prtyw" x(31, 154), [Ra, Rt];
    Stvehx "stvehx" x(31, 167), [Vrt, Ra0, Rb];
    Addex "addex" x(31, 170), [Rt, Ra, Rb, Rmc];
    Msgclrp "msgclrp" x(31, 174), [Rb];
    Mtmsrd "mtmsrd" x(31, 178), [Rt, L15];
    Mtvsrd "mtvsrd" x(31, 179), [Xt, Ra];
    Stdux "stdux" x(31, 181), [Rt, RaS, Rb];
    Stqcx "stqcx." x(31, 182).with(1), [RtP, Ra0, Rb];
    Stwux "stwux" x(31, 183), [Rt, RaS, Rb];
    Prtyd "prtyd" x(31, 186), [Ra, Rt];
    Cmprb "cmprb" x(31, 192), [Bf, L, Ra, Rb];
    Stvewx "stvewx" x(31, 199), [Vrt, Ra0, Rb];
    Subfze "subfze" x(31, 200), [Rt, Ra] OE | RC;
    Addze "addze" x(31, 202), [Rt, Ra] OE | RC;
    Msgsnd "msgsnd" x(31, 206), [Rb];
    Mtvsrwa "mtvsrwa" x(31, 211), [Xt, Ra];
    Stdcx "stdcx." x(31, 214).with(1), [Rt, Ra0, Rb];
    Stbx "stbx" x(31, 215), [Rt, Ra0, Rb];
    Cmpeqb "cmpeqb" x(31, 224), [Bf, Ra, Rb];
    Stvx "stvx" x(31, 231), [Vrt, Ra0, Rb];
    Subfme "subfme" x(31, 232), [Rt, Ra] OE | RC;
    Mulld "mulld" x(31, 233), [Rt, Ra, Rb] OE | RC;
    Addme "addme" x(31, 234), [Rt, Ra] OE | RC;
    Mullw "mullw" x(31, 235), [Rt, Ra, Rb] OE | RC;
    Msgclr "msgclr" x(31, 238), [Rb];
    Mtvsrwz "mtvsrwz" x(31, 243), [Xt, Ra];
    Dcbtst "dcbtst" x(31, 246), [Ra0, Rb, Ct];
    Stbux "stbux" x(31, 247), [Rt, RaS, Rb];
    Bpermd "bpermd" x(31, 252), [Ra, Rt, Rb];
    Modud "modud" x(31, 265), [Rt, Ra, Rb];
    Add "add" x(31, 266), [Rt, Ra, Rb] OE | RC;
    Moduw "moduw" x(31, 267), [Rt, Ra, Rb];
    Lxvx "lxvx" x(31, 268), [Xt, Ra0, Rb];
    Lxvl "lxvl" x(31, 269), [Xt, Ra0, Rb];
    Tlbiel "tlbiel" x(31, 274), [Rb, RsOpt, Ric, Prs, L15];
    Lqarx "lqarx" x(31, 276), [RtP, RaQ, RbX, Eh];
    Dcbt "dcbt" x(31, 278), [Ra0, Rb, Ct];
    Lhzx "lhzx" x(31, 279), [Rt, Ra0, Rb];
    Cdtbcd "cdtbcd" x(31, 282), [Ra, Rt];
    Eqv "eqv" x(31, 284), [Ra, Rt, Rb] RC;
    Lxvll "lxvll" x(31, 301), [Xt, Ra0, Rb];
    Mfbhrbe "mfbhrbe" x(31, 302), [Rt, Bhrbe];
    Tlbie "tlbie" x(31, 306), [Rb, Rt, Ric, Prs, L15];
    Mfvsrld "mfvsrld" x(31, 307), [Ra, Xt];
    Eciwx "eciwx" x(31, 310), [Rt, Ra0, Rb];
    Lhzux "lhzux" x(31, 311), [Rt, RaL, Rb];
    Cbcdtd "cbcdtd" x(31, 314), [Ra, Rt];
    Xor "xor" x(31, 316), [Ra, Rt, Rb] RC;
    Lxvdsx "lxvdsx" x(31, 332), [Xt, Ra0, Rb];
    Slbsync "slbsync" x(31, 338), [];
    Mfspr "mfspr" x(31, 339), [Rt, Spr];
    Lwax "lwax" x(31, 341), [Rt, Ra0, Rb];
    Dst "dst" x(31, 342).free(1 | (3 << 23)), [Ra, Rb, Strm];
    Dstt "dstt" x(31, 342).with(1 << 25).free(1 | (3 << 23)), [Ra, Rb, Strm];
    Lhax "lhax" x(31, 343), [Rt, Ra0, Rb];
    Lvxl "lvxl" x(31, 359), [Vrt, Ra0, Rb];
    Lxvwsx "lxvwsx" x(31, 364), [Xt, Ra0, Rb];
    Tlbia "tlbia" x(31, 370), [];
    Lwaux "lwaux" x(31, 373), [Rt, RaL, Rb];
    Dstst "dstst" x(31, 374).free(1 | (3 << 23)), [Ra, Rb, Strm];
    Dststt "dststt" x(31, 374).with(1 << 25).free(1 | (3 << 23)), [Ra, Rb, Strm];
    Lhaux "lhaux" x(31, 375), [Rt, RaL, Rb];
    Popcntw "popcntw" x(31, 378), [Ra, Rt];
    Divdeu "divdeu" x(31, 393), [Rt, Ra, Rb] OE | RC;
    Divweu "divweu" x(31, 395), [Rt, Ra, Rb] OE | RC;
    Stxvx "stxvx" x(31, 396), [Xt, Ra0, Rb];
    Stxvl "stxvl" x(31, 397), [Xt, Ra0, Rb];
    Slbmte "slbmte" x(31, 402), [Rt, Rb];
    Mtvsrws "mtvsrws" x(31, 403), [Xt, Ra];
    Pbt "pbt." x(31, 404).with(1), [Rt, Ra0, Rb];
    Icswx "icswx" x(31, 406), [Rt, Ra, Rb] RC;
    Sthx "sthx" x(31, 407), [Rt, Ra0, Rb];
    Sradi "sradi" md(31, 413), [Ra, Rt, Sh6] RC;
    Orc "orc" x(31, 412), [Ra, Rt, Rb] RC;
    Divde "divde" x(31, 425), [Rt, Ra, Rb] OE | RC;
    Divwe "divwe" x(31, 427), [Rt, Ra, Rb] OE | RC;
    Stxvll "stxvll" x(31, 429), [Xt, Ra0, Rb];
    Clrbhrb "clrbhrb" x(31, 430), [];
    Slbie "slbie" x(31, 434), [Rb];
    Mtvsrdd "mtvsrdd" x(31, 435), [Xt, Ra0, Rb];
    Ecowx "ecowx" x(31, 438), [Rt, Ra0, Rb];
    Sthux "sthux" x(31, 439), [Rt, RaS, Rb];
    Or "or" x(31, 444), [Ra, Rt, Rb] RC;
    Extswsli "extswsli" md(31, 445), [Ra, Rt, Sh6] RC;
    Divdu "divdu" x(31, 457), [Rt, Ra, Rb] OE | RC;
    Divwu "divwu" x(31, 459), [Rt, Ra, Rb] OE | RC;
    Slbieg "slbieg" x(31, 466), [Rt, Rb];
    Mtspr "mtspr" x(31, 467), [Spr, Rt];
    Dcbi "dcbi" x(31, 470), [Ra0, Rb];
    Nand "nand" x(31, 476), [Ra, Rt, Rb] RC;
    Stvxl "stvxl" x(31, 487), [Vrt, Ra0, Rb];
    Divd "divd" x(31, 489), [Rt, Ra, Rb] OE | RC;
    Divw "divw" x(31, 491), [Rt, Ra, Rb] OE | RC;
    Slbia "slbia" x(31, 498), [Ih];
    Popcntd "popcntd" x(31, 506), [Ra, Rt];
    Cmpb "cmpb" x(31, 508), [Ra, Rt, Rb];
    Lxsspx "lxsspx" x(31, 524), [Xt, Ra0, Rb];
    Ldbrx "ldbrx" x(31, 532), [Rt, Ra0, Rb];
    Lswx "lswx" x(31, 533), [Rt, RaQ, RbX];
    Lwbrx "lwbrx" x(31, 534), [Rt, Ra0, Rb];
    Lfsx "lfsx" x(31, 535), [Frt, Ra0, Rb];
    Srw "srw" x(31, 536), [Ra, Rt, Rb] RC;
    Cnttzw "cnttzw" x(31, 538), [Ra, Rt] RC;
    Srd "srd" x(31, 539), [Ra, Rt, Rb] RC;
    Tlbsync "tlbsync" x(31, 566), [];
    Lfsux "lfsux" x(31, 567), [Frt, RaS, Rb];
    Cnttzd "cnttzd" x(31, 570), [Ra, Rt] RC;
    Mcrxrx "mcrxrx" x(31, 576), [Bf];
    Lwat "lwat" x(31, 582), [Rt, Ra0, Fc];
    Lxsdx "lxsdx" x(31, 588), [Xt, Ra0, Rb];
    Lswi "lswi" x(31, 597), [Rt, RaQ, Nb];
    Sync "sync" x(31, 598), [L2];
    Lfdx "lfdx" x(31, 599), [Frt, Ra0, Rb];
    Ldat "ldat" x(31, 614), [Rt, Ra0, Fc];
    Lfdux "lfdux" x(31, 631), [Frt, RaS, Rb];
    Stxsspx "stxsspx" x(31, 652), [Xt, Ra0, Rb];
    Tbegin "tbegin." x(31, 654).with(1), [HtmR];
    Hashstp "hashstp" x(31, 658), [Rb, Dw];
    Stdbrx "stdbrx" x(31, 660), [Rt, Ra0, Rb];
    Stswx "stswx" x(31, 661), [Rt, Ra0, Rb];
    Stwbrx "stwbrx" x(31, 662), [Rt, Ra0, Rb];
    Stfsx "stfsx" x(31, 663), [Frt, Ra0, Rb];
    Tend "tend." x(31, 686).with(1), [HtmA];
    Hashchkp "hashchkp" x(31, 690), [Rb, Dw];
    Stbcx "stbcx." x(31, 694).with(1), [Rt, Ra0, Rb];
    Stfsux "stfsux" x(31, 695), [Frt, RaS, Rb];
    Stwat "stwat" x(31, 710), [Rt, Ra0, Fc];
    Stxsdx "stxsdx" x(31, 716), [Xt, Ra0, Rb];
    Tcheck "tcheck" x(31, 718), [Bf];
    Hashst "hashst" x(31, 722), [Rb, Dw];
    Stswi "stswi" x(31, 725), [Rt, Ra0, Nb];
    Sthcx "sthcx." x(31, 726).with(1), [Rt, Ra0, Rb];
    Stfdx "stfdx" x(31, 727), [Frt, Ra0, Rb];
    Stdat "stdat" x(31, 742), [Rt, Ra0, Fc];
    Tsr "tsr." x(31, 750).with(1), [L];
    Hashchk "hashchk" x(31, 754), [Rb, Dw];
    Darn "darn" x(31, 755), [Rt, Lrand];
    Stfdux "stfdux" x(31, 759), [Frt, RaS, Rb];
    Copy "copy" x(31, 774).with(1 << 21), [Ra0, Rb];
    Modsd "modsd" x(31, 777), [Rt, Ra, Rb];
    Modsw "modsw" x(31, 779), [Rt, Ra, Rb];
    Lxvw4x "lxvw4x" x(31, 780), [Xt, Ra0, Rb];
    Lxsibzx "lxsibzx" x(31, 781), [Xt, Ra0, Rb];
    Tabortwc "tabortwc." x(31, 782).with(1), [To, Ra, Rb];
    Lwzcix "lwzcix" x(31, 789), [Rt, Ra0, Rb];
    Lhbrx "lhbrx" x(31, 790), [Rt, Ra0, Rb];
    Sraw "sraw" x(31, 792), [Ra, Rt, Rb] RC;
    Srad "srad" x(31, 794), [Ra, Rt, Rb] RC;
    Lxvh8x "lxvh8x" x(31, 812), [Xt, Ra0, Rb];
    Lxsihzx "lxsihzx" x(31, 813), [Xt, Ra0, Rb];
    Tabortdc "tabortdc." x(31, 814).with(1), [To, Ra, Rb];
    Lhzcix "lhzcix" x(31, 821), [Rt, Ra0, Rb];
    Dss "dss" x(31, 822).free(1 | (0x3ff << 11) | (3 << 23)), [Strm];
    Dssall "dssall" x(31, 822).with(1 << 25).free(1 | (0x3ff << 11) | (0xf << 21)), [];
    Srawi "srawi" x(31, 824), [Ra, Rt, Sh] RC;
    Cpabort "cpabort" x(31, 838), [];
    Lxvd2x "lxvd2x" x(31, 844), [Xt, Ra0, Rb];
    Tabortwci "tabortwci." x(31, 846).with(1), [To, Ra, HtmSi];
    Slbiag "slbiag" x(31, 850), [Rt];
    Slbmfev "slbmfev" x(31, 851), [Rt, Rb, L15];
    Lbzcix "lbzcix" x(31, 853), [Rt, Ra0, Rb];
    Eieio "eieio" x(31, 854), [];
    Lfiwax "lfiwax" x(31, 855), [Frt, Ra0, Rb];
    Lxvb16x "lxvb16x" x(31, 876), [Xt, Ra0, Rb];
    Tabortdci "tabortdci." x(31, 878).with(1), [To, Ra, HtmSi];
    Rmieg "rmieg" x(31, 882), [Rb];
    Ldcix "ldcix" x(31, 885), [Rt, Ra0, Rb];
    Msgsync "msgsync" x(31, 886), [];
    Lfiwzx "lfiwzx" x(31, 887), [Frt, Ra0, Rb];
    Paste "paste." x(31, 902).with((1 << 21) | 1), [Ra0, Rb];
    Stxvw4x "stxvw4x" x(31, 908), [Xt, Ra0, Rb];
    Stxsibx "stxsibx" x(31, 909), [Xt, Ra0, Rb];
    Tabort "tabort." x(31, 910).with(1), [Ra];
    Slbmfee "slbmfee" x(31, 915), [Rt, Rb, L15];
    Stwcix "stwcix" x(31, 917), [Rt, Ra0, Rb];
    Sthbrx "sthbrx" x(31, 918), [Rt, Ra0, Rb];
    Extsh "extsh" x(31, 922), [Ra, Rt] RC;
    Stxvh8x "stxvh8x" x(31, 940), [Xt, Ra0, Rb];
    Stxsihx "stxsihx" x(31, 941), [Xt, Ra0, Rb];
    Treclaim "treclaim." x(31, 942).with(1), [Ra];
    Sthcix "sthcix" x(31, 949), [Rt, Ra0, Rb];
    Extsb "extsb" x(31, 954), [Ra, Rt] RC;
    Stxvd2x "stxvd2x" x(31, 972), [Xt, Ra0, Rb];
    Tlbld "tlbld" x(31, 978), [Rb];
    Slbfee "slbfee." x(31, 979).with(1), [Rt, Rb];
    Stbcix "stbcix" x(31, 981), [Rt, Ra0, Rb];
    Icbi "icbi" x(31, 982), [Ra0, Rb];
    Stfiwx "stfiwx" x(31, 983), [Frt, Ra0, Rb];
    Extsw "extsw" x(31, 986), [Ra, Rt] RC;
    Stxvb16x "stxvb16x" x(31, 1004), [Xt, Ra0, Rb];
    Trechkpt "trechkpt." x(31, 1006).with(1), [];
    Tlbli "tlbli" x(31, 1010), [Rb];
    Stdcix "stdcix" x(31, 1013), [Rt, Ra0, Rb];
    Dcbz "dcbz" x(31, 1014), [Ra0, Rb];
    Dcbzl "dcbzl" x(31, 1014).with(1 << 21), [Ra0, Rb];

    // ---- primaries 32..55: D-form loads and stores
    Lwz "lwz" d(32), [Rt, D];
    Lwzu "lwzu" d(33), [Rt, DL];
    Lbz "lbz" d(34), [Rt, D];
    Lbzu "lbzu" d(35), [Rt, DL];
    Stw "stw" d(36), [Rt, D];
    Stwu "stwu" d(37), [Rt, DS];
    Stb "stb" d(38), [Rt, D];
    Stbu "stbu" d(39), [Rt, DS];
    Lhz "lhz" d(40), [Rt, D];
    Lhzu "lhzu" d(41), [Rt, DL];
    Lha "lha" d(42), [Rt, D];
    Lhau "lhau" d(43), [Rt, DL];
    Sth "sth" d(44), [Rt, D];
    Sthu "sthu" d(45), [Rt, DS];
    Lmw "lmw" d(46), [Rt, DM];
    Stmw "stmw" d(47), [Rt, D];
    Lfs "lfs" d(48), [Frt, D];
    Lfsu "lfsu" d(49), [Frt, DS];
    Lfd "lfd" d(50), [Frt, D];
    Lfdu "lfdu" d(51), [Frt, DS];
    Stfs "stfs" d(52), [Frt, D];
    Stfsu "stfsu" d(53), [Frt, DS];
    Stfd "stfd" d(54), [Frt, D];
    Stfdu "stfdu" d(55), [Frt, DS];

    // ---- primaries 56..58: DQ / DS-form
    Lq "lq" d(56).free(0xf), [RtP, DqQ];
    Lxsd "lxsd" ds(57, 2), [Vrt, Ds];
    Lxssp "lxssp" ds(57, 3), [Vrt, Ds];
    Ld "ld" ds(58, 0), [Rt, Ds];
    Ldu "ldu" ds(58, 1), [Rt, DsL];
    Lwa "lwa" ds(58, 2), [Rt, Ds];

    // ---- primary 59: DFP (long) and FP single
    Dadd "dadd" x(59, 2), [Frt, Fra, Frb] RC;
    Dqua "dqua" x(59, 3), [Frt, Fra, Frb, Rmc] RC;
    Fdivs "fdivs" x(59, 18), [Frt, Fra, Frb] RC;
    Fsubs "fsubs" x(59, 20), [Frt, Fra, Frb] RC;
    Fadds "fadds" x(59, 21), [Frt, Fra, Frb] RC;
    Fsqrts "fsqrts" x(59, 22), [Frt, Frb] RC;
    Fres "fres" x(59, 24), [Frt, Frb] RC;
    Fmuls "fmuls" x(59, 25), [Frt, Fra, Frc] RC;
    Frsqrtes "frsqrtes" x(59, 26), [Frt, Frb] RC;
    Fmsubs "fmsubs" x(59, 28), [Frt, Fra, Frc, Frb] RC;
    Fmadds "fmadds" x(59, 29), [Frt, Fra, Frc, Frb] RC;
    Fnmsubs "fnmsubs" x(59, 30), [Frt, Fra, Frc, Frb] RC;
    Fnmadds "fnmadds" x(59, 31), [Frt, Fra, Frc, Frb] RC;
    Dmul "dmul" x(59, 34), [Frt, Fra, Frb] RC;
    Drrnd "drrnd" x(59, 35), [Frt, Fra, Frb, Rmc] RC;
    Dscli "dscli" x(59, 66), [Frt, Fra, Sh16] RC;
    Dquai "dquai" x(59, 67), [Te, Frt, Frb, Rmc] RC;
    Dscri "dscri" x(59, 98), [Frt, Fra, Sh16] RC;
    Drintx "drintx" x(59, 99).free(0xf << 17), [R, Frt, Frb, Rmc] RC;
    Dcmpo "dcmpo" x(59, 130).free(3 << 21), [Bf, Fra, Frb];
    Dtstex "dtstex" x(59, 162).free(3 << 21), [Bf, Fra, Frb];
    Dtstdc "dtstdc" x(59, 194).free(3 << 21), [Bf, Fra, Sh16];
    Dtstdg "dtstdg" x(59, 226).free(3 << 21), [Bf, Fra, Sh16];
    Drintn "drintn" x(59, 227).free(0xf << 17), [R, Frt, Frb, Rmc] RC;
    Dctdp "dctdp" x(59, 258).free(0x1f << 16), [Frt, Frb] RC;
    Dctfix "dctfix" x(59, 290).free(0x1f << 16), [Frt, Frb] RC;
    Ddedpd "ddedpd" x(59, 322).free(0x7 << 16), [Sp, Frt, Frb] RC;
    Dxex "dxex" x(59, 354).free(0x1f << 16), [Frt, Frb] RC;
    Dsub "dsub" x(59, 514), [Frt, Fra, Frb] RC;
    Ddiv "ddiv" x(59, 546), [Frt, Fra, Frb] RC;
    Dcmpu "dcmpu" x(59, 642).free(3 << 21), [Bf, Fra, Frb];
    Dtstsf "dtstsf" x(59, 674).free(3 << 21), [Bf, Fra, Frb];
    Dtstsfi "dtstsfi" x(59, 675).free(1 << 21), [Bf, Uim6, Frb];
    Drsp "drsp" x(59, 770).free(0x1f << 16), [Frt, Frb] RC;
    Dcffix "dcffix" x(59, 802), [Frt, Frb] RC;
    Denbcd "denbcd" x(59, 834).free(0xf << 16), [S, Frt, Frb] RC;
    Fcfids "fcfids" x(59, 846), [Frt, Frb] RC;
    Diex "diex" x(59, 866), [Frt, Fra, Frb] RC;
    Fcfidus "fcfidus" x(59, 974), [Frt, Frb] RC;

    // ---- primary 60: VSX
    Xsaddsp "xsaddsp" xx3(0), [Xt, Xa, Xb];
    Xsmaddasp "xsmaddasp" xx3(1), [Xt, Xa, Xb];
    Xxsldwi "xxsldwi" xx3(2), [Xt, Xa, Xb, Dm];
    Xscmpeqdp "xscmpeqdp" xx3(3), [Xt, Xa, Xb];
    Xsrsqrtesp "xsrsqrtesp" xx2(10), [Xt, Xb];
    Xssqrtsp "xssqrtsp" xx2(11), [Xt, Xb];
    Xxsel "xxsel" e((60 << 26) | (3 << 4)), [Xt, Xa, Xb, Xc];
    Xssubsp "xssubsp" xx3(8), [Xt, Xa, Xb];
    Xsmaddmsp "xsmaddmsp" xx3(9), [Xt, Xa, Xb];
    Xxpermdi "xxpermdi" xx3(10), [Xt, Xa, Xb, Dm];
    Xscmpgtdp "xscmpgtdp" xx3(11), [Xt, Xa, Xb];
    Xsresp "xsresp" xx2(26), [Xt, Xb];
    Xsmulsp "xsmulsp" xx3(16), [Xt, Xa, Xb];
    Xsmsubasp "xsmsubasp" xx3(17), [Xt, Xa, Xb];
    Xxmrghw "xxmrghw" xx3(18), [Xt, Xa, Xb];
    Xscmpgedp "xscmpgedp" xx3(19), [Xt, Xa, Xb];
    Xsdivsp "xsdivsp" xx3(24), [Xt, Xa, Xb];
    Xsmsubmsp "xsmsubmsp" xx3(25), [Xt, Xa, Xb];
    Xxperm "xxperm" xx3(26), [Xt, Xa, Xb];
    Xsadddp "xsadddp" xx3(32), [Xt, Xa, Xb];
    Xsmaddadp "xsmaddadp" xx3(33), [Xt, Xa, Xb];
    Xscmpudp "xscmpudp" xx3(35), [Bf, Xa, Xb];
    Xscvdpuxws "xscvdpuxws" xx2(72), [Xt, Xb];
    Xsrdpi "xsrdpi" xx2(73), [Xt, Xb];
    Xsrsqrtedp "xsrsqrtedp" xx2(74), [Xt, Xb];
    Xssqrtdp "xssqrtdp" xx2(75), [Xt, Xb];
    Xssubdp "xssubdp" xx3(40), [Xt, Xa, Xb];
    Xsmaddmdp "xsmaddmdp" xx3(41), [Xt, Xa, Xb];
    Xscmpodp "xscmpodp" xx3(43), [Bf, Xa, Xb];
    Xscvdpsxws "xscvdpsxws" xx2(88), [Xt, Xb];
    Xsrdpiz "xsrdpiz" xx2(89), [Xt, Xb];
    Xsredp "xsredp" xx2(90), [Xt, Xb];
    Xsmuldp "xsmuldp" xx3(48), [Xt, Xa, Xb];
    Xsmsubadp "xsmsubadp" xx3(49), [Xt, Xa, Xb];
    Xxmrglw "xxmrglw" xx3(50), [Xt, Xa, Xb];
    Xsrdpip "xsrdpip" xx2(105), [Xt, Xb];
    Xstsqrtdp "xstsqrtdp" xx2(106), [Bf, Xb];
    Xsrdpic "xsrdpic" xx2(107), [Xt, Xb];
    Xsdivdp "xsdivdp" xx3(56), [Xt, Xa, Xb];
    Xsmsubmdp "xsmsubmdp" xx3(57), [Xt, Xa, Xb];
    Xxpermr "xxpermr" xx3(58), [Xt, Xa, Xb];
    Xscmpexpdp "xscmpexpdp" xx3(59), [Bf, Xa, Xb];
    Xsrdpim "xsrdpim" xx2(121), [Xt, Xb];
    Xstdivdp "xstdivdp" xx3(61), [Bf, Xa, Xb];
    Xvaddsp "xvaddsp" xx3(64), [Xt, Xa, Xb];
    Xvmaddasp "xvmaddasp" xx3(65), [Xt, Xa, Xb];
    Xvcmpeqsp "xvcmpeqsp" xx3(67), [Xt, Xa, Xb] RCV;
    Xvcvspuxws "xvcvspuxws" xx2(136), [Xt, Xb];
    Xvrspi "xvrspi" xx2(137), [Xt, Xb];
    Xvrsqrtesp "xvrsqrtesp" xx2(138), [Xt, Xb];
    Xvsqrtsp "xvsqrtsp" xx2(139), [Xt, Xb];
    Xvsubsp "xvsubsp" xx3(72), [Xt, Xa, Xb];
    Xvmaddmsp "xvmaddmsp" xx3(73), [Xt, Xa, Xb];
    Xvcmpgtsp "xvcmpgtsp" xx3(75), [Xt, Xa, Xb] RCV;
    Xvcvspsxws "xvcvspsxws" xx2(152), [Xt, Xb];
    Xvrspiz "xvrspiz" xx2(153), [Xt, Xb];
    Xvresp "xvresp" xx2(154), [Xt, Xb];
    Xvmulsp "xvmulsp" xx3(80), [Xt, Xa, Xb];
    Xvmsubasp "xvmsubasp" xx3(81), [Xt, Xa, Xb];
    Xxspltw "xxspltw" xx2(164), [Xt, Xb, Uim2];
    Xxextractuw "xxextractuw" xx2(165), [Xt, Xb, Uimm4];
    Xvcmpgesp "xvcmpgesp" xx3(83), [Xt, Xa, Xb] RCV;
    Xvcvuxwsp "xvcvuxwsp" xx2(168), [Xt, Xb];
    Xvrspip "xvrspip" xx2(169), [Xt, Xb];
    Xvtsqrtsp "xvtsqrtsp" xx2(170), [Bf, Xb];
    Xvrspic "xvrspic" xx2(171), [Xt, Xb];
    Xvdivsp "xvdivsp" xx3(88), [Xt, Xa, Xb];
    Xvmsubmsp "xvmsubmsp" xx3(89), [Xt, Xa, Xb];
    Xxspltib "xxspltib" x(60, 360), [Xt, Imm8];
    Xxinsertw "xxinsertw" xx2(181), [Xt, Xb, Uimm4];
    Xvcvsxwsp "xvcvsxwsp" xx2(184), [Xt, Xb];
    Xvrspim "xvrspim" xx2(185), [Xt, Xb];
    Xvtdivsp "xvtdivsp" xx3(93), [Bf, Xa, Xb];
    Xvadddp "xvadddp" xx3(96), [Xt, Xa, Xb];
    Xvmaddadp "xvmaddadp" xx3(97), [Xt, Xa, Xb];
    Xvcmpeqdp "xvcmpeqdp" xx3(99), [Xt, Xa, Xb] RCV;
    Xvcvdpuxws "xvcvdpuxws" xx2(200), [Xt, Xb];
    Xvrdpi "xvrdpi" xx2(201), [Xt, Xb];
    Xvrsqrtedp "xvrsqrtedp" xx2(202), [Xt, Xb];
    Xvsqrtdp "xvsqrtdp" xx2(203), [Xt, Xb];
    Xvsubdp "xvsubdp" xx3(104), [Xt, Xa, Xb];
    Xvmaddmdp "xvmaddmdp" xx3(105), [Xt, Xa, Xb];
    Xvcmpgtdp "xvcmpgtdp" xx3(107), [Xt, Xa, Xb] RCV;
    Xvcvdpsxws "xvcvdpsxws" xx2(216), [Xt, Xb];
    Xvrdpiz "xvrdpiz" xx2(217), [Xt, Xb];
    Xvredp "xvredp" xx2(218), [Xt, Xb];
    Xvmuldp "xvmuldp" xx3(112), [Xt, Xa, Xb];
    Xvmsubadp "xvmsubadp" xx3(113), [Xt, Xa, Xb];
    Xvcmpgedp "xvcmpgedp" xx3(115), [Xt, Xa, Xb] RCV;
    Xvcvuxwdp "xvcvuxwdp" xx2(232), [Xt, Xb];
    Xvrdpip "xvrdpip" xx2(233), [Xt, Xb];
    Xvtsqrtdp "xvtsqrtdp" xx2(234), [Bf, Xb];
    Xvrdpic "xvrdpic" xx2(235), [Xt, Xb];
    Xvdivdp "xvdivdp" xx3(120), [Xt, Xa, Xb];
    Xvmsubmdp "xvmsubmdp" xx3(121), [Xt, Xa, Xb];
    Xvcvsxwdp "xvcvsxwdp" xx2(248), [Xt, Xb];
    Xvrdpim "xvrdpim" xx2(249), [Xt, Xb];
    Xvtdivdp "xvtdivdp" xx3(125), [Bf, Xa, Xb];
    Xsmaxcdp "xsmaxcdp" xx3(128), [Xt, Xa, Xb];
    Xsnmaddasp "xsnmaddasp" xx3(129), [Xt, Xa, Xb];
    Xxland "xxland" xx3(130), [Xt, Xa, Xb];
    Xscvdpsp "xscvdpsp" xx2(265), [Xt, Xb];
    Xscvdpspn "xscvdpspn" xx2(267), [Xt, Xb];
    Xsmincdp "xsmincdp" xx3(136), [Xt, Xa, Xb];
    Xsnmaddmsp "xsnmaddmsp" xx3(137), [Xt, Xa, Xb];
    Xxlandc "xxlandc" xx3(138), [Xt, Xa, Xb];
    Xsrsp "xsrsp" xx2(281), [Xt, Xb];
    Xsmaxjdp "xsmaxjdp" xx3(144), [Xt, Xa, Xb];
    Xsnmsubasp "xsnmsubasp" xx3(145), [Xt, Xa, Xb];
    Xxlor "xxlor" xx3(146), [Xt, Xa, Xb];
    Xscvuxdsp "xscvuxdsp" xx2(296), [Xt, Xb];
    Xststdcsp "xststdcsp" xx2(298), [Bf, Xb, Dcmx];
    Xsminjdp "xsminjdp" xx3(152), [Xt, Xa, Xb];
    Xsnmsubmsp "xsnmsubmsp" xx3(153), [Xt, Xa, Xb];
    Xxlxor "xxlxor" xx3(154), [Xt, Xa, Xb];
    Xscvsxdsp "xscvsxdsp" xx2(312), [Xt, Xb];
    Xsmaxdp "xsmaxdp" xx3(160), [Xt, Xa, Xb];
    Xsnmaddadp "xsnmaddadp" xx3(161), [Xt, Xa, Xb];
    Xxlnor "xxlnor" xx3(162), [Xt, Xa, Xb];
    Xscvdpuxds "xscvdpuxds" xx2(328), [Xt, Xb];
    Xscvspdp "xscvspdp" xx2(329), [Xt, Xb];
    Xscvspdpn "xscvspdpn" xx2(331), [Xt, Xb];
    Xsmindp "xsmindp" xx3(168), [Xt, Xa, Xb];
    Xsnmaddmdp "xsnmaddmdp" xx3(169), [Xt, Xa, Xb];
    Xxlorc "xxlorc" xx3(170), [Xt, Xa, Xb];
    Xscvdpsxds "xscvdpsxds" xx2(344), [Xt, Xb];
    Xsabsdp "xsabsdp" xx2(345), [Xt, Xb];
    Xsxexpdp "xsxexpdp" xx2s(347, 0), [Rt, Xb];
    Xsxsigdp "xsxsigdp" xx2s(347, 1), [Rt, Xb];
    Xscvhpdp "xscvhpdp" xx2s(347, 16), [Xt, Xb];
    Xscvdphp "xscvdphp" xx2s(347, 17), [Xt, Xb];
    Xscpsgndp "xscpsgndp" xx3(176), [Xt, Xa, Xb];
    Xsnmsubadp "xsnmsubadp" xx3(177), [Xt, Xa, Xb];
    Xxlnand "xxlnand" xx3(178), [Xt, Xa, Xb];
    Xscvuxddp "xscvuxddp" xx2(360), [Xt, Xb];
    Xsnabsdp "xsnabsdp" xx2(361), [Xt, Xb];
    Xststdcdp "xststdcdp" xx2(362), [Bf, Xb, Dcmx];
    Xsnmsubmdp "xsnmsubmdp" xx3(185), [Xt, Xa, Xb];
    Xxleqv "xxleqv" xx3(186), [Xt, Xa, Xb];
    Xscvsxddp "xscvsxddp" xx2(376), [Xt, Xb];
    Xsnegdp "xsnegdp" xx2(377), [Xt, Xb];
    Xvmaxsp "xvmaxsp" xx3(192), [Xt, Xa, Xb];
    Xvnmaddasp "xvnmaddasp" xx3(193), [Xt, Xa, Xb];
    Xvcvspuxds "xvcvspuxds" xx2(392), [Xt, Xb];
    Xvcvdpsp "xvcvdpsp" xx2(393), [Xt, Xb];
    Xvminsp "xvminsp" xx3(200), [Xt, Xa, Xb];
    Xvnmaddmsp "xvnmaddmsp" xx3(201), [Xt, Xa, Xb];
    Xvcvspsxds "xvcvspsxds" xx2(408), [Xt, Xb];
    Xvabssp "xvabssp" xx2(409), [Xt, Xb];
    Xvcpsgnsp "xvcpsgnsp" xx3(208), [Xt, Xa, Xb];
    Xvnmsubasp "xvnmsubasp" xx3(209), [Xt, Xa, Xb];
    Xvcvuxdsp "xvcvuxdsp" xx2(424), [Xt, Xb];
    Xvnabssp "xvnabssp" xx2(425), [Xt, Xb];
    Xvtstdcsp "xvtstdcsp" md(60, 426), [Xt, Xb, Dcmxs];
    Xviexpsp "xviexpsp" xx3(216), [Xt, Xa, Xb];
    Xvnmsubmsp "xvnmsubmsp" xx3(217), [Xt, Xa, Xb];
    Xvcvsxdsp "xvcvsxdsp" xx2(440), [Xt, Xb];
    Xvnegsp "xvnegsp" xx2(441), [Xt, Xb];
    Xvmaxdp "xvmaxdp" xx3(224), [Xt, Xa, Xb];
    Xvnmaddadp "xvnmaddadp" xx3(225), [Xt, Xa, Xb];
    Xvcvdpuxds "xvcvdpuxds" xx2(456), [Xt, Xb];
    Xvcvspdp "xvcvspdp" xx2(457), [Xt, Xb];
    Xsiexpdp "xsiexpdp" x(60, 918), [Xt, Ra, Rb];
    Xvmindp "xvmindp" xx3(232), [Xt, Xa, Xb];
    Xvnmaddmdp "xvnmaddmdp" xx3(233), [Xt, Xa, Xb];
    Xvcvdpsxds "xvcvdpsxds" xx2(472), [Xt, Xb];
    Xvabsdp "xvabsdp" xx2(473), [Xt, Xb];
    Xvxexpdp "xvxexpdp" xx2s(475, 0), [Xt, Xb];
    Xvxsigdp "xvxsigdp" xx2s(475, 1), [Xt, Xb];
    Xxbrh "xxbrh" xx2s(475, 7), [Xt, Xb];
    Xvxexpsp "xvxexpsp" xx2s(475, 8), [Xt, Xb];
    Xvxsigsp "xvxsigsp" xx2s(475, 9), [Xt, Xb];
    Xxbrw "xxbrw" xx2s(475, 15), [Xt, Xb];
    Xxbrd "xxbrd" xx2s(475, 23), [Xt, Xb];
    Xvcvhpsp "xvcvhpsp" xx2s(475, 24), [Xt, Xb];
    Xvcvsphp "xvcvsphp" xx2s(475, 25), [Xt, Xb];
    Xxbrq "xxbrq" xx2s(475, 31), [Xt, Xb];
    Xvcpsgndp "xvcpsgndp" xx3(240), [Xt, Xa, Xb];
    Xvnmsubadp "xvnmsubadp" xx3(241), [Xt, Xa, Xb];
    Xvcvuxddp "xvcvuxddp" xx2(488), [Xt, Xb];
    Xvnabsdp "xvnabsdp" xx2(489), [Xt, Xb];
    Xvtstdcdp "xvtstdcdp" md(60, 490), [Xt, Xb, Dcmxs];
    Xviexpdp "xviexpdp" xx3(248), [Xt, Xa, Xb];
    Xvnmsubmdp "xvnmsubmdp" xx3(249), [Xt, Xa, Xb];
    Xvcvsxddp "xvcvsxddp" xx2(504), [Xt, Xb];
    Xvnegdp "xvnegdp" xx2(505), [Xt, Xb];

    // ---- primaries 61, 62: DQ / DS-form stores
    Lxv "lxv" ds(61, 1), [XtQ, Dq];
    Stxsd "stxsd" ds(61, 2), [Vrt, Ds];
    Stxssp "stxssp" ds(61, 3), [Vrt, Ds];
    Stxv "stxv" ds(61, 5), [XtQ, Dq];
    Std "std" ds(62, 0), [Rt, Ds];
    Stdu "stdu" ds(62, 1), [Rt, DsS];
    Stq "stq" ds(62, 2), [RtP, Ds];

    // ---- primary 63: FP double, FPSCR, DFP (quad), VSX quad precision
    Fcmpu "fcmpu" x(63, 0), [Bf, Fra, Frb];
    Daddq "daddq" x(63, 2), [FrtP, FraP, FrbP] RC;
    Dquaq "dquaq" x(63, 3), [FrtP, FraP, FrbP, Rmc] RC;
    Xsaddqp "xsaddqp" x(63, 4), [Vrt, Vra, Vrb] RO;
    Xsrqpi "xsrqpi" x(63, 5).free(0xf << 17), [R, Vrt, Vrb, Rmc] EX;
    Fcpsgn "fcpsgn" x(63, 8), [Frt, Fra, Frb] RC;
    Frsp "frsp" x(63, 12), [Frt, Frb] RC;
    Fctiw "fctiw" x(63, 14), [Frt, Frb] RC;
    Fctiwz "fctiwz" x(63, 15), [Frt, Frb] RC;
    Fdiv "fdiv" x(63, 18), [Frt, Fra, Frb] RC;
    Fsub "fsub" x(63, 20), [Frt, Fra, Frb] RC;
    Fadd "fadd" x(63, 21), [Frt, Fra, Frb] RC;
    Fsqrt "fsqrt" x(63, 22), [Frt, Frb] RC;
    Fsel "fsel" x(63, 23), [Frt, Fra, Frc, Frb] RC;
    Fre "fre" x(63, 24), [Frt, Frb] RC;
    Fmul "fmul" x(63, 25), [Frt, Fra, Frc] RC;
    Frsqrte "frsqrte" x(63, 26), [Frt, Frb] RC;
    Fmsub "fmsub" x(63, 28), [Frt, Fra, Frc, Frb] RC;
    Fmadd "fmadd" x(63, 29), [Frt, Fra, Frc, Frb] RC;
    Fnmsub "fnmsub" x(63, 30), [Frt, Fra, Frc, Frb] RC;
    Fnmadd "fnmadd" x(63, 31), [Frt, Fra, Frc, Frb] RC;
    Fcmpo "fcmpo" x(63, 32), [Bf, Fra, Frb];
    Dmulq "dmulq" x(63, 34), [FrtP, FraP, FrbP] RC;
    Drrndq "drrndq" x(63, 35), [FrtP, Fra, FrbP, Rmc] RC;
    Xsmulqp "xsmulqp" x(63, 36), [Vrt, Vra, Vrb] RO;
    Xsrqpxp "xsrqpxp" x(63, 37).free(0xf << 17), [R, Vrt, Vrb, Rmc];
    Mtfsb1 "mtfsb1" x(63, 38), [BtNum] RC;
    Fneg "fneg" x(63, 40), [Frt, Frb] RC;
    Mcrfs "mcrfs" x(63, 64), [Bf, Bfa];
    Dscliq "dscliq" x(63, 66), [FrtP, FraP, Sh16] RC;
    Dquaiq "dquaiq" x(63, 67), [Te, FrtP, FrbP, Rmc] RC;
    Mtfsb0 "mtfsb0" x(63, 70), [BtNum] RC;
    Fmr "fmr" x(63, 72), [Frt, Frb] RC;
    Dscriq "dscriq" x(63, 98), [FrtP, FraP, Sh16] RC;
    Drintxq "drintxq" x(63, 99).free(0xf << 17), [R, FrtP, FrbP, Rmc] RC;
    Xscpsgnqp "xscpsgnqp" x(63, 100), [Vrt, Vra, Vrb];
    Ftdiv "ftdiv" x(63, 128), [Bf, Fra, Frb];
    Dcmpoq "dcmpoq" x(63, 130).free(3 << 21), [Bf, FraP, FrbP];
    Xscmpoqp "xscmpoqp" x(63, 132), [Bf, Vra, Vrb];
    Mtfsfi "mtfsfi" x(63, 134), [BfNum, U, L15] RC;
    Fnabs "fnabs" x(63, 136), [Frt, Frb] RC;
    Fctiwu "fctiwu" x(63, 142), [Frt, Frb] RC;
    Fctiwuz "fctiwuz" x(63, 143), [Frt, Frb] RC;
    Ftsqrt "ftsqrt" x(63, 160), [Bf, Frb];
    Dtstexq "dtstexq" x(63, 162).free(3 << 21), [Bf, FraP, FrbP];
    Xscmpexpqp "xscmpexpqp" x(63, 164), [Bf, Vra, Vrb];
    Dtstdcq "dtstdcq" x(63, 194).free(3 << 21), [Bf, FraP, Sh16];
    Dtstdgq "dtstdgq" x(63, 226).free(3 << 21), [Bf, FraP, Sh16];
    Drintnq "drintnq" x(63, 227).free(0xf << 17), [R, FrtP, FrbP, Rmc] RC;
    Dctqpq "dctqpq" x(63, 258).free(0x1f << 16), [FrtP, Frb] RC;
    Fabs "fabs" x(63, 264), [Frt, Frb] RC;
    Dctfixq "dctfixq" x(63, 290).free(0x1f << 16), [Frt, FrbP] RC;
    Ddedpdq "ddedpdq" x(63, 322).free(0x7 << 16), [Sp, FrtP, FrbP] RC;
    Dxexq "dxexq" x(63, 354).free(0x1f << 16), [Frt, FrbP] RC;
    Xsmaddqp "xsmaddqp" x(63, 388), [Vrt, Vra, Vrb] RO;
    Frin "frin" x(63, 392), [Frt, Frb] RC;
    Xsmsubqp "xsmsubqp" x(63, 420), [Vrt, Vra, Vrb] RO;
    Friz "friz" x(63, 424), [Frt, Frb] RC;
    Xsnmaddqp "xsnmaddqp" x(63, 452), [Vrt, Vra, Vrb] RO;
    Frip "frip" x(63, 456), [Frt, Frb] RC;
    Xsnmsubqp "xsnmsubqp" x(63, 484), [Vrt, Vra, Vrb] RO;
    Frim "frim" x(63, 488), [Frt, Frb] RC;
    Dsubq "dsubq" x(63, 514), [FrtP, FraP, FrbP] RC;
    Xssubqp "xssubqp" x(63, 516), [Vrt, Vra, Vrb] RO;
    Ddivq "ddivq" x(63, 546), [FrtP, FraP, FrbP] RC;
    Xsdivqp "xsdivqp" x(63, 548), [Vrt, Vra, Vrb] RO;
    Mffs "mffs" x(63, 583), [Frt] RC;
    Mffsce "mffsce" xs(63, 583, 1), [Frt];
    Mffscdrn "mffscdrn" xs(63, 583, 0x14), [Frt, Frb];
    Mffscdrni "mffscdrni" xs(63, 583, 0x15), [Frt, Drm];
    Mffscrn "mffscrn" xs(63, 583, 0x16), [Frt, Frb];
    Mffscrni "mffscrni" xs(63, 583, 0x17), [Frt, Rm];
    Mffsl "mffsl" xs(63, 583, 0x18), [Frt];
    Dcmpuq "dcmpuq" x(63, 642).free(3 << 21), [Bf, FraP, FrbP];
    Xscmpuqp "xscmpuqp" x(63, 644), [Bf, Vra, Vrb];
    Dtstsfq "dtstsfq" x(63, 674).free(3 << 21), [Bf, Fra, FrbP];
    Dtstsfiq "dtstsfiq" x(63, 675).free(1 << 21), [Bf, Uim6, FrbP];
    Xststdcqp "xststdcqp" x(63, 708), [Bf, Vrb, Dcmx];
    Mtfsf "mtfsf" x(63, 711), [Flm, Frb, XflL, L15] RC;
    Drdpq "drdpq" x(63, 770).free(0x1f << 16), [FrtP, FrbP] RC;
    Dcffixq "dcffixq" x(63, 802).free(0x1f << 16), [FrtP, Frb] RC;
    Xsabsqp "xsabsqp" xs(63, 804, 0), [Vrt, Vrb];
    Xsxexpqp "xsxexpqp" xs(63, 804, 2), [Vrt, Vrb];
    Xsnabsqp "xsnabsqp" xs(63, 804, 8), [Vrt, Vrb];
    Xsnegqp "xsnegqp" xs(63, 804, 16), [Vrt, Vrb];
    Xsxsigqp "xsxsigqp" xs(63, 804, 18), [Vrt, Vrb];
    Xssqrtqp "xssqrtqp" xs(63, 804, 27), [Vrt, Vrb] RO;
    Fctid "fctid" x(63, 814), [Frt, Frb] RC;
    Fctidz "fctidz" x(63, 815), [Frt, Frb] RC;
    Denbcdq "denbcdq" x(63, 834).free(0xf << 16), [S, FrtP, FrbP] RC;
    Xscvqpuwz "xscvqpuwz" xs(63, 836, 1), [Vrt, Vrb];
    Xscvudqp "xscvudqp" xs(63, 836, 2), [Vrt, Vrb];
    Xscvqpswz "xscvqpswz" xs(63, 836, 9), [Vrt, Vrb];
    Xscvsdqp "xscvsdqp" xs(63, 836, 10), [Vrt, Vrb];
    Xscvqpudz "xscvqpudz" xs(63, 836, 17), [Vrt, Vrb];
    Xscvqpdp "xscvqpdp" xs(63, 836, 20), [Vrt, Vrb] RO;
    Xscvdpqp "xscvdpqp" xs(63, 836, 22), [Vrt, Vrb];
    Xscvqpsdz "xscvqpsdz" xs(63, 836, 25), [Vrt, Vrb];
    Fmrgow "fmrgow" x(63, 838), [Frt, Fra, Frb];
    Fcfid "fcfid" x(63, 846), [Frt, Frb] RC;
    Diexq "diexq" x(63, 866), [FrtP, Fra, FrbP] RC;
    Xsiexpqp "xsiexpqp" x(63, 868), [Vrt, Vra, Vrb];
    Fctidu "fctidu" x(63, 942), [Frt, Frb] RC;
    Fctiduz "fctiduz" x(63, 943), [Frt, Frb] RC;
    Fmrgew "fmrgew" x(63, 966), [Frt, Fra, Frb];
    Fcfidu "fcfidu" x(63, 974), [Frt, Frb] RC;
}

/// Every table entry as (opcode, fixed bits, mask of the bits that must equal them): for tests
/// and tools that generate instruction words.
pub fn encodings() -> impl Iterator<Item = (Opcode, u32, u32)> {
    DEFS.iter().skip(1).map(|d| (d.op, d.value, d.mask))
}

impl Opcode {
    /// The base mnemonic (`stwcx.` for [`Opcode::Stwcx`], `.long` for [`Opcode::Invalid`]).
    #[must_use]
    pub fn mnemonic(self) -> &'static str {
        DEFS[self as usize].name
    }

    /// Number of opcodes including [`Opcode::Invalid`].
    #[must_use]
    pub fn count() -> usize {
        DEFS.len()
    }

    /// Every opcode, [`Opcode::Invalid`] first (in discriminant order).
    pub fn all() -> impl Iterator<Item = Opcode> {
        DEFS.iter().map(|d| d.op)
    }

    fn flags(self) -> u8 {
        DEFS[self as usize].flags
    }

    /// Has a record form selected by Rc = bit 31 ([`crate::Insn::rc`]).
    #[must_use]
    pub fn has_rc(self) -> bool {
        self.flags() & flag::RC != 0
    }

    /// Has a record form selected by bit 21 (VC-form `vcmp*.`, XX3 `xvcmp*.`;
    /// [`crate::Insn::rc_vx`]).
    #[must_use]
    pub fn has_rc_vx(self) -> bool {
        self.flags() & flag::RCV != 0
    }

    /// Always records: the mnemonic ends in `.` (stwcx., andi., tbegin., bcdadd., ...).
    #[must_use]
    pub fn always_records(self) -> bool {
        self.flags() & flag::DOT != 0
    }

    /// Has an overflow-enable form selected by OE = bit 21 ([`crate::Insn::oe`]).
    #[must_use]
    pub fn has_oe(self) -> bool {
        self.flags() & flag::OE != 0
    }

    /// Has LK (bit 31) and possibly AA (bit 30): the branches.
    #[must_use]
    pub fn has_lk(self) -> bool {
        self.flags() & flag::LK != 0
    }

    /// Has a round-to-odd form selected by RO = bit 31 (quad-precision arithmetic).
    #[must_use]
    pub fn has_ro(self) -> bool {
        self.flags() & flag::RO != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defs_are_indexed_by_opcode() {
        for (i, def) in DEFS.iter().enumerate() {
            assert_eq!(def.op as usize, i, "{}", def.name);
        }
    }

    #[test]
    fn fixed_bits_lie_inside_the_mask() {
        for def in DEFS.iter().skip(1) {
            assert_eq!(
                def.value & !def.mask,
                0,
                "{} value {:#x} mask {:#x}",
                def.name,
                def.value,
                def.mask
            );
        }
    }
}
