//! Disassembly in the spelling of binutils' `objdump -d -M power9`, including its extended
//! (simplified) mnemonics.
//!
//! Power ISA 3.0B, Book I, appendix C "Assembler Extended Mnemonics" defines the simplified
//! mnemonics (`li`, `mr`, `beq`, `sldi`, `mtlr`, ...). objdump prints a chosen subset of them;
//! the rules below reproduce its choices (which one wins when several apply, when the CR field
//! or an optional operand is omitted, the `+`/`-` branch hints). Branch targets are absolute
//! addresses, printed `0x...` (objdump without symbols).

use std::fmt::Write as _;

use crate::decode::decode;
use crate::insn::Insn;
use crate::operand::{Arg, Opnd};
use crate::table::{flag, Opcode, DEFS};

/// A mnemonic with its operands, before formatting.
struct Text {
    name: String,
    args: Vec<Arg>,
}

impl Text {
    fn new(name: &str) -> Self {
        Text {
            name: name.to_string(),
            args: Vec::new(),
        }
    }
    fn arg(mut self, a: Arg) -> Self {
        self.args.push(a);
        self
    }
}

const CR_COND: [&str; 4] = ["lt", "gt", "eq", "so"];

fn write_arg(out: &mut String, a: Arg) {
    let _ = match a {
        Arg::Gpr(n) => write!(out, "r{n}"),
        Arg::Fpr(n) => write!(out, "f{n}"),
        Arg::Vr(n) => write!(out, "v{n}"),
        Arg::Vsr(n) => write!(out, "vs{n}"),
        Arg::Cr(n) => write!(out, "cr{n}"),
        Arg::CrBit(n) => {
            let cr = n >> 2;
            let cond = CR_COND[(n & 3) as usize];
            if cr == 0 {
                write!(out, "{cond}")
            } else {
                write!(out, "4*cr{cr}+{cond}")
            }
        }
        Arg::Imm(v) => write!(out, "{v}"),
        Arg::Target(t) => write!(out, "0x{t:x}"),
        Arg::Mem(d, 0) => write!(out, "{d}(0)"),
        Arg::Mem(d, ra) => write!(out, "{d}(r{ra})"),
    };
}

fn render(t: &Text) -> String {
    let mut out = String::with_capacity(32);
    out.push_str(&t.name);
    for (i, a) in t.args.iter().enumerate() {
        if i == 0 {
            let pad = 8usize.saturating_sub(t.name.len()).max(1);
            out.extend(std::iter::repeat_n(' ', pad));
        } else {
            out.push(',');
        }
        write_arg(&mut out, *a);
    }
    out
}

/// The mnemonic of the base instruction with its variant suffixes (`o`, `.`, `l`, `a`).
fn base_name(insn: Insn) -> String {
    let def = &DEFS[insn.op as usize];
    let w = insn.word;
    let mut name = def.name.to_string();
    let f = def.flags;
    // bc / bclr / bcctr with a hinted decrement-CTR BO that no extended mnemonic took
    let hint = if matches!(
        insn.op,
        Opcode::Bc | Opcode::Bclr | Opcode::Bcctr | Opcode::Bctar
    ) {
        match (insn.bo() & 0x14, insn.bo() & 0x9) {
            (0x10, 0x8) => "-",
            (0x10, 0x9) => "+",
            _ => "",
        }
    } else {
        ""
    };
    if f & flag::OE != 0 && w & (1 << 10) != 0 {
        name.push('o');
    }
    if f & flag::LK != 0 && w & 1 != 0 {
        name.push('l');
    }
    if f & flag::AA != 0 && w & 2 != 0 {
        name.push('a');
    }
    if f & flag::RO != 0 && w & 1 != 0 {
        name.push('o');
    }
    if f & flag::EX != 0 && w & 1 != 0 {
        name.push('x');
    }
    if (f & flag::RC != 0 && w & 1 != 0) || (f & flag::RCV != 0 && w & (1 << 10) != 0) {
        name.push('.');
    }
    name.push_str(hint);
    name
}

/// `.` when the record bit is set.
fn dot(insn: Insn) -> &'static str {
    if insn.word & 1 != 0 {
        "."
    } else {
        ""
    }
}

/// Operands of an entry, dropping trailing optional operands that hold their default.
fn base_args(ops: &[Opnd], w: u32, addr: u64) -> Vec<Arg> {
    let mut args = Vec::with_capacity(ops.len());
    let mut skip = false;
    for (i, op) in ops.iter().enumerate() {
        if op.optional_default().is_some() {
            if !skip {
                skip = ops[i..].iter().all(|o| {
                    o.optional_default()
                        .is_none_or(|dflt| o.opt_value(w) == dflt)
                });
            }
            if skip {
                continue;
            }
        }
        args.push(op.arg(w, addr));
    }
    args
}

fn gpr(n: usize) -> Arg {
    Arg::Gpr(u32::try_from(n).unwrap_or(0))
}

fn imm<T: Into<i64>>(v: T) -> Arg {
    Arg::Imm(v.into())
}

/// Suffix of the trap mnemonics for a TO value (objdump's choice where several names exist).
fn trap_cond(to: u32) -> Option<&'static str> {
    Some(match to {
        1 => "lgt",
        2 => "llt",
        4 => "eq",
        5 => "lge",
        6 => "lle",
        8 => "gt",
        12 => "ge",
        16 => "lt",
        20 => "le",
        24 => "ne",
        31 => "u",
        _ => return None,
    })
}

fn spr_read_name(spr: u32) -> Option<&'static str> {
    Some(match spr {
        1 => "mfxer",
        3 => "mfudscr",
        4 => "mfrtcu",
        5 => "mfrtcl",
        8 => "mflr",
        9 => "mfctr",
        13 => "mfuamr",
        17 => "mfdscr",
        18 => "mfdsisr",
        19 => "mfdar",
        22 => "mfdec",
        25 => "mfsdr1",
        26 => "mfsrr0",
        27 => "mfsrr1",
        28 => "mfcfar",
        29 => "mfamr",
        136 => "mfctrl",
        157 => "mfuamor",
        256 => "mfvrsave",
        269 => "mftbu",
        280 => "mfasr",
        282 => "mfear",
        287 => "mfpvr",
        336 => "mfhmer",
        337 => "mfhmeer",
        349 => "mfamor",
        769 => "mfummcr2",
        770 => "mfummcra",
        771 => "mfupmc1",
        772 => "mfupmc2",
        773 => "mfupmc3",
        774 => "mfupmc4",
        775 => "mfupmc5",
        776 => "mfupmc6",
        779 => "mfummcr0",
        780 => "mfusiar",
        781 => "mfusdar",
        782 => "mfummcr1",
        800 => "mfbescrs",
        801 => "mfbescrsu",
        802 => "mfbescrr",
        803 => "mfbescrru",
        804 => "mfebbhr",
        805 => "mfebbrr",
        806 => "mfbescr",
        815 => "mftar",
        848 => "mfic",
        849 => "mfvtb",
        896 => "mfppr",
        898 => "mfppr32",
        _ => return None,
    })
}

fn spr_write_name(spr: u32) -> Option<&'static str> {
    Some(match spr {
        1 => "mtxer",
        3 => "mtudscr",
        8 => "mtlr",
        9 => "mtctr",
        13 => "mtuamr",
        17 => "mtdscr",
        18 => "mtdsisr",
        19 => "mtdar",
        20 => "mtrtcu",
        21 => "mtrtcl",
        22 => "mtdec",
        25 => "mtsdr1",
        26 => "mtsrr0",
        27 => "mtsrr1",
        28 => "mtcfar",
        29 => "mtamr",
        128 => "mttfhar",
        129 => "mttfiar",
        130 => "mttexasr",
        131 => "mttexasru",
        152 => "mtctrl",
        157 => "mtuamor",
        256 => "mtvrsave",
        280 => "mtasr",
        282 => "mtear",
        284 => "mttbl",
        285 => "mttbu",
        336 => "mthmer",
        337 => "mthmeer",
        349 => "mtamor",
        769 => "mtummcr2",
        770 => "mtummcra",
        771 => "mtupmc1",
        772 => "mtupmc2",
        773 => "mtupmc3",
        774 => "mtupmc4",
        775 => "mtupmc5",
        776 => "mtupmc6",
        779 => "mtummcr0",
        786 => "mtmmcra",
        787 => "mtpmc1",
        788 => "mtpmc2",
        789 => "mtpmc3",
        790 => "mtpmc4",
        791 => "mtpmc5",
        792 => "mtpmc6",
        795 => "mtmmcr0",
        798 => "mtmmcr1",
        800 => "mtbescrs",
        801 => "mtbescrsu",
        802 => "mtbescrr",
        803 => "mtbescrru",
        804 => "mtebbhr",
        805 => "mtebbrr",
        806 => "mtbescr",
        815 => "mttar",
        848 => "mtic",
        849 => "mtvtb",
        896 => "mtppr",
        898 => "mtppr32",
        _ => return None,
    })
}

/// BAT register aliases: SPR 528..543 step 2 (ibatu/ibatl) and 536.. (dbatu/dbatl).
fn bat(spr: u32) -> Option<(&'static str, u32)> {
    if !(528..=543).contains(&spr) {
        return None;
    }
    let n = (spr >> 1) & 3;
    let kind = match spr & 0b1001 {
        0b0000 => "ibatu",
        0b0001 => "ibatl",
        0b1000 => "dbatu",
        _ => "dbatl",
    };
    Some((kind, n))
}

/// What an extended branch mnemonic prints before its target.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cond {
    /// Nothing (bdnz, blr).
    None,
    /// The CR field of BI, when it is not cr0 (beq cr7).
    Cr,
    /// BI as a CR bit (bdnzf 4*cr1+eq).
    Bi,
}

/// Extended branch mnemonic for a BO/BI pair (Power ISA 3.0B Book I 2.4 and appendix C.2):
/// returns (stem, what to print, hint). `stem` is e.g. "bdnz", "beq", "bdnzf"; `ctr_ok` is
/// false for bcctr, which cannot decrement CTR.
fn branch_stem(bo: u32, bi: u32, ctr_ok: bool) -> Option<(String, Cond, &'static str)> {
    let cc = (bi & 3) as usize;
    // Decrement-CTR forms with no condition (1a00t / 1a01t); objdump wants BI = 0.
    if ctr_ok && bo & 0x14 == 0x10 {
        if bi != 0 {
            return None;
        }
        let stem = if bo & 2 == 0 { "bdnz" } else { "bdz" };
        let hint = match bo & 0x9 {
            0x8 => "-",
            0x9 => "+",
            _ => "",
        };
        return Some((stem.to_string(), Cond::None, hint));
    }
    match bo {
        4..=7 | 12..=15 => {
            let names_f = ["ge", "le", "ne", "ns"];
            let names_t = ["lt", "gt", "eq", "so"];
            let stem = if bo < 8 { names_f[cc] } else { names_t[cc] };
            let hint = match bo & 3 {
                2 => "-",
                3 => "+",
                _ => "",
            };
            Some((format!("b{stem}"), Cond::Cr, hint))
        }
        0 | 1 | 2 | 3 | 8 | 9 | 10 | 11 if ctr_ok => {
            let stem = match bo >> 1 {
                0 => "bdnzf",
                1 => "bdzf",
                4 => "bdnzt",
                _ => "bdzt",
            };
            Some((stem.to_string(), Cond::Bi, ""))
        }
        _ => None,
    }
}

/// Extended mnemonic for bc (B-form).
fn alias_bc(insn: Insn, addr: u64) -> Option<Text> {
    let (bo, bi) = (insn.bo(), insn.bi());
    let (stem, cond, hint) = branch_stem(bo, bi, true)?;
    let mut name = stem;
    if insn.lk() {
        name.push('l');
    }
    if insn.aa() {
        name.push('a');
    }
    name.push_str(hint);
    let target = Opnd::Bd.arg(insn.word, addr);
    let mut t = Text::new(&name);
    match cond {
        Cond::Cr if bi >> 2 != 0 => t = t.arg(Arg::Cr(bi >> 2)),
        Cond::Bi => t = t.arg(Arg::CrBit(bi)),
        _ => {}
    }
    Some(t.arg(target))
}

/// Extended mnemonic for bclr / bcctr (XL-form); `to` is "lr" or "ctr".
fn alias_bcreg(insn: Insn, to: &str) -> Option<Text> {
    let (bo, bi) = (insn.bo(), insn.bi());
    let ctr_ok = to != "ctr";
    let lk = if insn.lk() { "l" } else { "" };
    let (stem, cond, hint) = if bo == 0x14 {
        if bi != 0 {
            return None;
        }
        ("b".to_string(), Cond::None, "")
    } else {
        let (stem, cond, hint) = branch_stem(bo, bi, ctr_ok)?;
        // The XL forms have no "+"/"-" for "001at"/"011at" with at = 01, nor for 1a00t with
        // t = 1 and a = 0.
        if (bo & 0x14 == 0x04 && bo & 3 == 1) || (bo & 0x14 == 0x10 && bo & 0x9 == 1) {
            return None;
        }
        if cond == Cond::Bi && bo & 1 != 0 {
            return None;
        }
        (stem, cond, hint)
    };
    let name = format!("{stem}{to}{lk}{hint}");
    let mut t = Text::new(&name);
    match cond {
        // CR and BH are both optional: the CR field is omitted only when BH is omitted too
        Cond::Cr if bi >> 2 != 0 || insn.bh() != 0 => t = t.arg(Arg::Cr(bi >> 2)),
        Cond::Bi => t = t.arg(Arg::CrBit(bi)),
        _ => {}
    }
    if insn.bh() != 0 {
        t = t.arg(imm(insn.bh()));
    }
    Some(t)
}

fn rot32(insn: Insn) -> Option<Text> {
    let (ra, rs) = (gpr(insn.ra()), gpr(insn.rs()));
    let (sh, mb, me) = (insn.sh(), insn.mb(), insn.me());
    let d = dot(insn);
    if mb == 0 && me == 31 {
        return Some(
            Text::new(&format!("rotlwi{d}"))
                .arg(ra)
                .arg(rs)
                .arg(imm(sh)),
        );
    }
    if sh == 0 && me == 31 {
        return Some(
            Text::new(&format!("clrlwi{d}"))
                .arg(ra)
                .arg(rs)
                .arg(imm(mb)),
        );
    }
    if sh == 0 && mb == 0 {
        return Some(
            Text::new(&format!("clrrwi{d}"))
                .arg(ra)
                .arg(rs)
                .arg(imm(31 - me)),
        );
    }
    if mb == 0 && sh == 31 - me {
        return Some(Text::new(&format!("slwi{d}")).arg(ra).arg(rs).arg(imm(sh)));
    }
    if me == 31 && (32 - sh) & 31 == mb {
        return Some(Text::new(&format!("srwi{d}")).arg(ra).arg(rs).arg(imm(mb)));
    }
    None
}

fn alias(insn: Insn, addr: u64) -> Option<Text> {
    use Opcode as O;
    let w = insn.word;
    let d = dot(insn);
    match insn.op {
        O::Tdi | O::Twi => {
            let c = trap_cond(insn.to())?;
            let p = if insn.op == O::Tdi { "td" } else { "tw" };
            Some(
                Text::new(&format!("{p}{c}i"))
                    .arg(gpr(insn.ra()))
                    .arg(Arg::Imm(insn.si())),
            )
        }
        O::Tw | O::Td => {
            if w == 0x7fe0_0008 {
                return Some(Text::new("trap"));
            }
            let c = trap_cond(insn.to())?;
            let p = if insn.op == O::Td { "td" } else { "tw" };
            Some(
                Text::new(&format!("{p}{c}"))
                    .arg(gpr(insn.ra()))
                    .arg(gpr(insn.rb())),
            )
        }
        O::Cmpi | O::Cmpli | O::Cmp | O::Cmpl => {
            let name = match (insn.op, insn.l()) {
                (O::Cmpi, 0) => "cmpwi",
                (O::Cmpi, _) => "cmpdi",
                (O::Cmpli, 0) => "cmplwi",
                (O::Cmpli, _) => "cmpldi",
                (O::Cmp, 0) => "cmpw",
                (O::Cmp, _) => "cmpd",
                (_, 0) => "cmplw",
                _ => "cmpld",
            };
            let mut t = Text::new(name);
            if insn.crfd() != 0 {
                t = t.arg(Arg::Cr(u32::try_from(insn.crfd()).unwrap_or(0)));
            }
            t = t.arg(gpr(insn.ra()));
            Some(match insn.op {
                O::Cmpi => t.arg(Arg::Imm(insn.si())),
                O::Cmpli => t.arg(Arg::Imm(i64::from(w & 0xffff))),
                _ => t.arg(gpr(insn.rb())),
            })
        }
        O::Addi if insn.ra() == 0 => {
            Some(Text::new("li").arg(gpr(insn.rt())).arg(Arg::Imm(insn.si())))
        }
        O::Addis if insn.ra() == 0 => Some(
            Text::new("lis")
                .arg(gpr(insn.rt()))
                .arg(Arg::Imm(insn.si())),
        ),
        O::Bc => alias_bc(insn, addr),
        O::Bclr => alias_bcreg(insn, "lr"),
        O::Bcctr => alias_bcreg(insn, "ctr"),
        O::Bctar => alias_bcreg(insn, "tar"),
        O::Ori if w == 0x6000_0000 => Some(Text::new("nop")),
        O::Ori if w == 0x63ff_0000 => Some(Text::new("exser")),
        O::Xori if w == 0x6800_0000 => Some(Text::new("xnop")),
        O::Rlwinm => rot32(insn),
        O::Rlwnm if insn.mb() == 0 && insn.me() == 31 => Some(
            Text::new(&format!("rotlw{d}"))
                .arg(gpr(insn.ra()))
                .arg(gpr(insn.rs()))
                .arg(gpr(insn.rb())),
        ),
        O::Rldicl => {
            let (ra, rs, sh, mb) = (gpr(insn.ra()), gpr(insn.rs()), insn.sh6(), insn.mb6());
            if mb == 0 {
                Some(
                    Text::new(&format!("rotldi{d}"))
                        .arg(ra)
                        .arg(rs)
                        .arg(imm(sh)),
                )
            } else if sh == 0 {
                Some(
                    Text::new(&format!("clrldi{d}"))
                        .arg(ra)
                        .arg(rs)
                        .arg(imm(mb)),
                )
            } else if (64 - sh) & 63 == mb {
                Some(Text::new(&format!("srdi{d}")).arg(ra).arg(rs).arg(imm(mb)))
            } else {
                None
            }
        }
        O::Rldicr => {
            let (ra, rs, sh, me) = (gpr(insn.ra()), gpr(insn.rs()), insn.sh6(), insn.me6());
            if sh == 0 {
                Some(
                    Text::new(&format!("clrrdi{d}"))
                        .arg(ra)
                        .arg(rs)
                        .arg(imm(63 - me)),
                )
            } else if me == 63 - sh {
                Some(Text::new(&format!("sldi{d}")).arg(ra).arg(rs).arg(imm(sh)))
            } else {
                None
            }
        }
        O::Rldcl if insn.mb6() == 0 => Some(
            Text::new(&format!("rotld{d}"))
                .arg(gpr(insn.ra()))
                .arg(gpr(insn.rs()))
                .arg(gpr(insn.rb())),
        ),
        O::Addpcis if insn.dx() == 0 => Some(Text::new("lnia").arg(gpr(insn.rt()))),
        O::Crnor | O::Cror if insn.ba() == insn.bb() => {
            let name = if insn.op == O::Crnor {
                "crnot"
            } else {
                "crmove"
            };
            Some(
                Text::new(name)
                    .arg(Arg::CrBit(insn.bt()))
                    .arg(Arg::CrBit(insn.ba())),
            )
        }
        O::Crxor | O::Creqv if insn.ba() == insn.bb() && insn.bt() == insn.ba() => {
            let name = if insn.op == O::Crxor {
                "crclr"
            } else {
                "crset"
            };
            Some(Text::new(name).arg(Arg::CrBit(insn.bt())))
        }
        O::Or => {
            let special = match w {
                0x7f5a_d378 => Some("miso"),
                0x7f7b_db78 => Some("yield"),
                0x7fbd_eb78 => Some("mdoio"),
                0x7fde_f378 => Some("mdoom"),
                _ => None,
            };
            if let Some(s) = special {
                return Some(Text::new(s));
            }
            (insn.rs() == insn.rb()).then(|| {
                Text::new(&format!("mr{d}"))
                    .arg(gpr(insn.ra()))
                    .arg(gpr(insn.rs()))
            })
        }
        O::Nor if insn.rs() == insn.rb() => Some(
            Text::new(&format!("not{d}"))
                .arg(gpr(insn.ra()))
                .arg(gpr(insn.rs())),
        ),
        O::Isel if insn.bc() < 3 && w & 1 == 0 => {
            let name = ["isellt", "iselgt", "iseleq"][insn.bc() as usize];
            Some(
                Text::new(name)
                    .arg(gpr(insn.rt()))
                    .arg(Opnd::Ra0.arg(w, 0))
                    .arg(gpr(insn.rb())),
            )
        }
        O::Mfvsrd | O::Mfvsrwz => {
            let xs = u32::try_from(insn.xs()).unwrap_or(0);
            let (fp, vr) = if insn.op == O::Mfvsrd {
                ("mffprd", "mfvrd")
            } else {
                ("mffprwz", "mfvrwz")
            };
            Some(if xs < 32 {
                Text::new(fp).arg(gpr(insn.ra())).arg(Arg::Fpr(xs))
            } else {
                Text::new(vr).arg(gpr(insn.ra())).arg(Arg::Vr(xs - 32))
            })
        }
        O::Mtvsrd | O::Mtvsrwa | O::Mtvsrwz => {
            let xt = u32::try_from(insn.xt()).unwrap_or(0);
            let (fp, vr) = match insn.op {
                O::Mtvsrd => ("mtfprd", "mtvrd"),
                O::Mtvsrwa => ("mtfprwa", "mtvrwa"),
                _ => ("mtfprwz", "mtvrwz"),
            };
            Some(if xt < 32 {
                Text::new(fp).arg(Arg::Fpr(xt)).arg(gpr(insn.ra()))
            } else {
                Text::new(vr).arg(Arg::Vr(xt - 32)).arg(gpr(insn.ra()))
            })
        }
        O::Dcbf => {
            let name = match insn.l2() {
                1 => "dcbfl",
                3 => "dcbflp",
                _ => return None,
            };
            Some(Text::new(name).arg(Opnd::Ra0.arg(w, 0)).arg(gpr(insn.rb())))
        }
        O::Dcbt | O::Dcbtst => {
            // TH 16: dcbtt; 0..7: dcbtct (TH omitted when 0); 8..15: dcbtds (omitted when 8)
            let th = insn.th();
            let stem = if insn.op == O::Dcbt { "dcbt" } else { "dcbtst" };
            let (suffix, default_th) = match th {
                16 => ("t", 16),
                0..=7 => ("ct", 0),
                8..=15 => ("ds", 8),
                _ => return None,
            };
            let t = Text::new(&format!("{stem}{suffix}"))
                .arg(Opnd::Ra0.arg(w, 0))
                .arg(gpr(insn.rb()));
            Some(if th == default_th { t } else { t.arg(imm(th)) })
        }
        O::Sync => match w {
            0x7c00_04ac => Some(Text::new("hwsync")),
            0x7c20_04ac => Some(Text::new("lwsync")),
            0x7c40_04ac => Some(Text::new("ptesync")),
            _ => None,
        },
        O::Mfspr => {
            let spr = insn.spr();
            if let Some(n) = spr_read_name(spr) {
                return Some(Text::new(n).arg(gpr(insn.rt())));
            }
            if (272..=275).contains(&spr) {
                return Some(Text::new("mfsprg").arg(gpr(insn.rt())).arg(imm(spr - 272)));
            }
            if spr == 268 {
                return Some(Text::new("mftb").arg(gpr(insn.rt())));
            }
            let (kind, n) = bat(spr)?;
            Some(
                Text::new(&format!("mf{kind}"))
                    .arg(gpr(insn.rt()))
                    .arg(imm(n)),
            )
        }
        O::Mtspr => {
            let spr = insn.spr();
            if let Some(n) = spr_write_name(spr) {
                return Some(Text::new(n).arg(gpr(insn.rs())));
            }
            if (272..=275).contains(&spr) {
                return Some(Text::new("mtsprg").arg(imm(spr - 272)).arg(gpr(insn.rs())));
            }
            let (kind, n) = bat(spr)?;
            Some(
                Text::new(&format!("mt{kind}"))
                    .arg(imm(n))
                    .arg(gpr(insn.rs())),
            )
        }
        O::Mtcrf if insn.fxm() == 0xff => Some(Text::new("mtcr").arg(gpr(insn.rs()))),
        O::Xxpermdi => {
            let (xt, xa, xb, dm) = (insn.xt(), insn.xa(), insn.xb(), insn.dm());
            let vs = |n: usize| Arg::Vsr(u32::try_from(n).unwrap_or(0));
            if xa == xb && (dm == 0 || dm == 3) {
                Some(
                    Text::new("xxspltd")
                        .arg(vs(xt))
                        .arg(vs(xa))
                        .arg(imm(u32::from(dm != 0))),
                )
            } else if dm == 0 {
                Some(Text::new("xxmrghd").arg(vs(xt)).arg(vs(xa)).arg(vs(xb)))
            } else if dm == 2 && xa == xb {
                Some(Text::new("xxswapd").arg(vs(xt)).arg(vs(xa)))
            } else if dm == 3 {
                Some(Text::new("xxmrgld").arg(vs(xt)).arg(vs(xa)).arg(vs(xb)))
            } else {
                None
            }
        }
        O::Xxlor | O::Xxlnor | O::Xvcpsgnsp | O::Xvcpsgndp if insn.xa() == insn.xb() => {
            let name = match insn.op {
                O::Xxlor => "xxmr",
                O::Xxlnor => "xxlnot",
                O::Xvcpsgnsp => "xvmovsp",
                _ => "xvmovdp",
            };
            let vs = |n: usize| Arg::Vsr(u32::try_from(n).unwrap_or(0));
            Some(Text::new(name).arg(vs(insn.xt())).arg(vs(insn.xa())))
        }
        O::Vor | O::Vnor if insn.vra() == insn.vrb() => {
            let name = if insn.op == O::Vor { "vmr" } else { "vnot" };
            let v = |n: usize| Arg::Vr(u32::try_from(n).unwrap_or(0));
            Some(Text::new(name).arg(v(insn.vrt())).arg(v(insn.vra())))
        }
        O::Tend if w & (1 << 25) != 0 => Some(Text::new("tendall.")),
        O::Tsr => Some(Text::new(if insn.l() == 0 {
            "tsuspend."
        } else {
            "tresume."
        })),
        _ => None,
    }
}

/// The text objdump prints for a decoded instruction at `address`.
#[must_use]
pub fn format_insn(insn: Insn, address: u64) -> String {
    if insn.op == Opcode::Invalid {
        return format!(".long 0x{:x}", insn.word);
    }
    let text = alias(insn, address).unwrap_or_else(|| {
        let def = &DEFS[insn.op as usize];
        Text {
            name: base_name(insn),
            args: base_args(def.ops, insn.word, address),
        }
    });
    render(&text)
}

/// Disassembles one instruction word located at `address` (used for branch targets), exactly
/// as `powerpc64le-linux-gnu-objdump -d -M power9` prints it (mnemonic, padding to column 8,
/// comma-separated operands), except that branch targets are printed `0x<hex>` without symbol
/// annotations. Words that are not valid instructions print as `.long 0x<hex>`.
#[must_use]
pub fn disassemble(word: u32, address: u64) -> String {
    format_insn(decode(word), address)
}
