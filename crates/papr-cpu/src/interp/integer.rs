//! Fixed-point instructions (Power ISA 3.0B Book I 3.3.8–3.3.17 and 3.3.19): arithmetic with
//! CA/CA32 and OV/OV32/SO, multiply, divide and modulo, compares, logical, rotate and shift,
//! and the CR/XER moves.
//!
//! **32-bit mode** (Book I 3.3.9, 3.3.11): CA is the carry out of bit 32 and OV the 32-bit
//! overflow; CR0 compares the low word of the result. CA32 and OV32 always describe the low
//! word.
//!
//! **Undefined results.** Where the ISA leaves a result undefined (divide by zero or overflow,
//! the high word of mulhw/divw results), papr returns what QEMU 7.2 returns, so the recorded
//! guest output stays a complete oracle: the zero-extended 32-bit result for the word forms,
//! the dividend for divd/divdu/divw/divwu by zero or overflow, 0 for the divde family.

use papr_isa::{Insn, Opcode};

use super::{Bus, Machine, Res};
use crate::state::Cr;

#[inline]
fn low(v: u64) -> u64 {
    v & 0xffff_ffff
}

#[inline]
fn sext32(v: u64) -> u64 {
    v as u32 as i32 as i64 as u64
}

/// MB..ME mask on 64-bit ISA bit numbers (wrapping when mb > me).
#[inline]
pub(crate) fn mask64(mb: u32, me: u32) -> u64 {
    let a = u64::MAX >> mb;
    let b = u64::MAX << (63 - me);
    if mb <= me {
        a & b
    } else {
        a | b
    }
}

#[inline]
fn rotl32(v: u64, n: u32) -> u64 {
    // ROTL32: the word replicated in both halves, then rotated.
    let w = low(v);
    ((w << 32) | w).rotate_left(n)
}

impl<B: Bus> Machine<'_, B> {
    /// CR0 from a result (LT/GT/EQ by signed compare with 0 in the current mode) and XER[SO].
    #[inline(always)]
    pub(crate) fn set_cr0(&mut self, v: u64) {
        let s = if self.cpu.state.sf() {
            v as i64
        } else {
            v as u32 as i32 as i64
        };
        self.set_cr_cmp(0, s.cmp(&0));
    }

    #[inline]
    pub(crate) fn set_cr_cmp(&mut self, bf: u32, o: std::cmp::Ordering) {
        let c = match o {
            std::cmp::Ordering::Less => Cr::LT,
            std::cmp::Ordering::Greater => Cr::GT,
            std::cmp::Ordering::Equal => Cr::EQ,
        } | u8::from(self.cpu.state.xer.so);
        self.cpu.state.cr.set_field(bf, c);
    }

    #[inline]
    fn set_ov(&mut self, ov: bool, ov32: bool) {
        let x = &mut self.cpu.state.xer;
        x.ov = ov;
        x.ov32 = ov32;
        x.so |= ov;
    }

    /// a + b + c with CA/CA32 (and OV/OV32 when `oe`); returns the sum.
    #[inline(always)]
    fn add_carrying(&mut self, a: u64, b: u64, c: u64, set_ca: bool, oe: bool) -> u64 {
        let r = a.wrapping_add(b).wrapping_add(c);
        if set_ca {
            let ca64 = ((a as u128 + b as u128 + c as u128) >> 64) != 0;
            let ca32 = ((low(a) + low(b) + c) >> 32) != 0;
            let sf = self.cpu.state.sf();
            let x = &mut self.cpu.state.xer;
            x.ca32 = ca32;
            x.ca = if sf { ca64 } else { ca32 };
        }
        if oe {
            let ov64 = ((a ^ r) & (b ^ r)) >> 63 != 0;
            let ov32 = ((a ^ r) & (b ^ r)) >> 31 & 1 != 0;
            let ov = if self.cpu.state.sf() { ov64 } else { ov32 };
            self.set_ov(ov, ov32);
        }
        r
    }

    #[inline(always)]
    fn finish(&mut self, insn: Insn, rt: usize, v: u64) -> Res {
        self.cpu.state.gpr[rt] = v;
        if insn.rc() {
            self.set_cr0(v);
        }
        Ok(())
    }

    /// Integer instructions; `None` if `insn` is not one.
    #[inline(always)]
    pub(crate) fn exec_integer(&mut self, insn: Insn) -> Option<Res> {
        use Opcode as O;
        let (rt, ra, rb) = (insn.rt(), insn.ra(), insn.rb());
        let g = &self.cpu.state.gpr;
        let (a, b) = (g[ra], g[rb]);
        let rs = g[insn.rs()];
        let rc_val = g[insn.rc_reg()];
        let oe = insn.oe();
        let ca = u64::from(self.cpu.state.xer.ca);
        let sf = self.cpu.state.sf();
        let r = match insn.op {
            // ---- add / subtract (3.3.9)
            O::Addi => {
                self.cpu.state.gpr[rt] = self.ra0(ra).wrapping_add(insn.si() as u64);
                Ok(())
            }
            O::Addis => {
                self.cpu.state.gpr[rt] = self.ra0(ra).wrapping_add((insn.si() as u64) << 16);
                Ok(())
            }
            O::Addpcis => {
                // DX is the 16-bit immediate, shifted left 16.
                let d = insn.dx() as u64;
                self.cpu.state.gpr[rt] = self.cpu.state.nip.wrapping_add(d << 16);
                Ok(())
            }
            O::Addic | O::AddicRc => {
                let v = self.add_carrying(a, insn.si() as u64, 0, true, false);
                self.cpu.state.gpr[rt] = v;
                if insn.op == O::AddicRc {
                    self.set_cr0(v);
                }
                Ok(())
            }
            O::Subfic => {
                let v = self.add_carrying(!a, insn.si() as u64, 1, true, false);
                self.cpu.state.gpr[rt] = v;
                Ok(())
            }
            O::Add => {
                let v = self.add_carrying(a, b, 0, false, oe);
                self.finish(insn, rt, v)
            }
            O::Addc => {
                let v = self.add_carrying(a, b, 0, true, oe);
                self.finish(insn, rt, v)
            }
            O::Adde => {
                let v = self.add_carrying(a, b, ca, true, oe);
                self.finish(insn, rt, v)
            }
            O::Addme => {
                let v = self.add_carrying(a, u64::MAX, ca, true, oe);
                self.finish(insn, rt, v)
            }
            O::Addze => {
                let v = self.add_carrying(a, 0, ca, true, oe);
                self.finish(insn, rt, v)
            }
            O::Subf => {
                let v = self.add_carrying(!a, b, 1, false, oe);
                self.finish(insn, rt, v)
            }
            O::Subfc => {
                let v = self.add_carrying(!a, b, 1, true, oe);
                self.finish(insn, rt, v)
            }
            O::Subfe => {
                let v = self.add_carrying(!a, b, ca, true, oe);
                self.finish(insn, rt, v)
            }
            O::Subfme => {
                let v = self.add_carrying(!a, u64::MAX, ca, true, oe);
                self.finish(insn, rt, v)
            }
            O::Subfze => {
                let v = self.add_carrying(!a, 0, ca, true, oe);
                self.finish(insn, rt, v)
            }
            O::Neg => {
                let v = self.add_carrying(!a, 0, 1, false, oe);
                self.finish(insn, rt, v)
            }
            O::Addex => {
                // CY = 0: uses and sets OV as a carry (OV32 as the 32-bit carry).
                let c = u64::from(self.cpu.state.xer.ov);
                let v = a.wrapping_add(b).wrapping_add(c);
                let ca64 = ((a as u128 + b as u128 + c as u128) >> 64) != 0;
                let ca32 = ((low(a) + low(b) + c) >> 32) != 0;
                let x = &mut self.cpu.state.xer;
                x.ov32 = ca32;
                x.ov = if sf { ca64 } else { ca32 };
                self.cpu.state.gpr[rt] = v;
                Ok(())
            }
            // ---- multiply (3.3.9)
            O::Mulli => {
                self.cpu.state.gpr[rt] = a.wrapping_mul(insn.si() as u64);
                Ok(())
            }
            O::Mulld => {
                let p = (a as i64 as i128) * (b as i64 as i128);
                let v = p as u64;
                if oe {
                    let ov = p != v as i64 as i128;
                    self.set_ov(ov, ov);
                }
                self.finish(insn, rt, v)
            }
            O::Mullw => {
                let p = (a as u32 as i32 as i64) * (b as u32 as i32 as i64);
                if oe {
                    let ov = p != p as i32 as i64;
                    self.set_ov(ov, ov);
                }
                self.finish(insn, rt, p as u64)
            }
            O::Mulhd => {
                let p = (a as i64 as i128) * (b as i64 as i128);
                self.finish(insn, rt, (p >> 64) as u64)
            }
            O::Mulhdu => {
                let p = (a as u128) * (b as u128);
                self.finish(insn, rt, (p >> 64) as u64)
            }
            O::Mulhw => {
                let p = (a as u32 as i32 as i64) * (b as u32 as i32 as i64);
                self.finish(insn, rt, low((p >> 32) as u64))
            }
            O::Mulhwu => {
                let p = low(a) * low(b);
                self.finish(insn, rt, p >> 32)
            }
            O::Maddhd => {
                let c = rc_val;
                let p = (a as i64 as i128) * (b as i64 as i128) + (c as i64 as i128);
                self.cpu.state.gpr[rt] = (p >> 64) as u64;
                Ok(())
            }
            O::Maddhdu => {
                let c = rc_val;
                let p = (a as u128) * (b as u128) + c as u128;
                self.cpu.state.gpr[rt] = (p >> 64) as u64;
                Ok(())
            }
            O::Maddld => {
                let c = rc_val;
                self.cpu.state.gpr[rt] = a.wrapping_mul(b).wrapping_add(c);
                Ok(())
            }
            // ---- divide / modulo (3.3.9)
            O::Divd => {
                let (x, y) = (a as i64, b as i64);
                let ovf = y == 0 || (x == i64::MIN && y == -1);
                let v = if ovf { a } else { (x / y) as u64 };
                self.div_ov(oe, ovf);
                self.finish(insn, rt, v)
            }
            O::Divdu => {
                let ovf = b == 0;
                let v = if ovf { a } else { a / b };
                self.div_ov(oe, ovf);
                self.finish(insn, rt, v)
            }
            O::Divw => {
                let (x, y) = (a as u32 as i32, b as u32 as i32);
                let ovf = y == 0 || (x == i32::MIN && y == -1);
                let v = if ovf { x } else { x / y };
                self.div_ov(oe, ovf);
                self.finish(insn, rt, low(v as u32 as u64))
            }
            O::Divwu => {
                let (x, y) = (low(a), low(b));
                let ovf = y == 0;
                let v = if ovf { x } else { x / y };
                self.div_ov(oe, ovf);
                self.finish(insn, rt, v)
            }
            O::Divde => {
                let x = (a as i64 as i128) << 64;
                let y = b as i64 as i128;
                let (v, ovf) = match x.checked_div(y) {
                    Some(q) if q == q as i64 as i128 => (q as u64, false),
                    _ => (0, true),
                };
                self.div_ov(oe, ovf);
                self.finish(insn, rt, v)
            }
            O::Divdeu => {
                let x = (a as u128) << 64;
                let (v, ovf) = if b == 0 {
                    (0, true)
                } else {
                    let q = x / b as u128;
                    if q >> 64 != 0 {
                        (0, true)
                    } else {
                        (q as u64, false)
                    }
                };
                self.div_ov(oe, ovf);
                self.finish(insn, rt, v)
            }
            O::Divwe => {
                let x = (a as u32 as i32 as i64) << 32;
                let y = b as u32 as i32 as i64;
                let (v, ovf) = if y == 0 {
                    (0, true)
                } else {
                    let q = x.wrapping_div(y);
                    if y == -1 && x == i64::MIN || q != q as i32 as i64 {
                        (0, true)
                    } else {
                        (q as u64, false)
                    }
                };
                self.div_ov(oe, ovf);
                self.finish(insn, rt, v)
            }
            O::Divweu => {
                let x = low(a) << 32;
                let y = low(b);
                let (v, ovf) = match x.checked_div(y) {
                    Some(q) if q >> 32 == 0 => (q, false),
                    _ => (0, true),
                };
                self.div_ov(oe, ovf);
                self.finish(insn, rt, v)
            }
            O::Modsd => {
                let (x, y) = (a as i64, b as i64);
                let v = if y == 0 || (x == i64::MIN && y == -1) {
                    0
                } else {
                    (x % y) as u64
                };
                self.cpu.state.gpr[rt] = v;
                Ok(())
            }
            O::Modud => {
                self.cpu.state.gpr[rt] = if b == 0 { 0 } else { a % b };
                Ok(())
            }
            O::Modsw => {
                let (x, y) = (a as u32 as i32, b as u32 as i32);
                let v = if y == 0 || (x == i32::MIN && y == -1) {
                    0
                } else {
                    (x % y) as i64 as u64
                };
                self.cpu.state.gpr[rt] = v;
                Ok(())
            }
            O::Moduw => {
                let (x, y) = (low(a), low(b));
                self.cpu.state.gpr[rt] = if y == 0 { 0 } else { x % y };
                Ok(())
            }
            // ---- compare (3.3.10)
            O::Cmpi | O::Cmp | O::Cmpli | O::Cmpl => {
                let l = insn.l() & 1 != 0;
                let x = if l { a } else { low(a) };
                let o = match insn.op {
                    O::Cmpi => {
                        let i = insn.si();
                        if l {
                            (x as i64).cmp(&i)
                        } else {
                            (sext32(x) as i64).cmp(&i)
                        }
                    }
                    O::Cmp => {
                        if l {
                            (a as i64).cmp(&(b as i64))
                        } else {
                            (sext32(a) as i64).cmp(&(sext32(b) as i64))
                        }
                    }
                    O::Cmpli => x.cmp(&insn.ui()),
                    _ => {
                        if l {
                            a.cmp(&b)
                        } else {
                            low(a).cmp(&low(b))
                        }
                    }
                };
                self.set_cr_cmp(insn.bf() as u32, o);
                Ok(())
            }
            O::Cmprb => {
                let x = a & 0xff;
                let in_range = |r: u64| x >= (r & 0xff) && x <= ((r >> 8) & 0xff);
                let mut hit = in_range(b);
                if insn.l() & 1 != 0 {
                    hit |= in_range(b >> 16);
                }
                self.cpu
                    .state
                    .cr
                    .set_field(insn.bf() as u32, if hit { Cr::GT } else { 0 });
                Ok(())
            }
            O::Cmpeqb => {
                let x = a & 0xff;
                let hit = (0..8).any(|i| (b >> (8 * i)) & 0xff == x);
                self.cpu
                    .state
                    .cr
                    .set_field(insn.bf() as u32, if hit { Cr::GT } else { 0 });
                Ok(())
            }
            // ---- logical (3.3.13)
            O::AndiRc => {
                let v = rs & insn.ui();
                self.cpu.state.gpr[ra] = v;
                self.set_cr0(v);
                Ok(())
            }
            O::AndisRc => {
                let v = rs & (insn.ui() << 16);
                self.cpu.state.gpr[ra] = v;
                self.set_cr0(v);
                Ok(())
            }
            O::Ori => self.setra(ra, rs | insn.ui()),
            O::Oris => self.setra(ra, rs | (insn.ui() << 16)),
            O::Xori => self.setra(ra, rs ^ insn.ui()),
            O::Xoris => self.setra(ra, rs ^ (insn.ui() << 16)),
            O::And => self.finish(insn, ra, rs & b),
            O::Or => {
                if insn.rs() == rb && rb == ra && !insn.rc() {
                    self.priority_nop(ra);
                }
                self.finish(insn, ra, rs | b)
            }
            O::Xor => self.finish(insn, ra, rs ^ b),
            O::Nand => self.finish(insn, ra, !(rs & b)),
            O::Nor => self.finish(insn, ra, !(rs | b)),
            O::Eqv => self.finish(insn, ra, !(rs ^ b)),
            O::Andc => self.finish(insn, ra, rs & !b),
            O::Orc => self.finish(insn, ra, rs | !b),
            O::Extsb => self.finish(insn, ra, rs as u8 as i8 as i64 as u64),
            O::Extsh => self.finish(insn, ra, rs as u16 as i16 as i64 as u64),
            O::Extsw => self.finish(insn, ra, sext32(rs)),
            O::Cntlzw => self.finish(insn, ra, u64::from((rs as u32).leading_zeros())),
            O::Cntlzd => self.finish(insn, ra, u64::from(rs.leading_zeros())),
            O::Cnttzw => self.finish(insn, ra, u64::from((rs as u32).trailing_zeros())),
            O::Cnttzd => self.finish(insn, ra, u64::from(rs.trailing_zeros())),
            O::Popcntb => {
                let mut v = 0;
                for i in 0..8 {
                    v |= u64::from(((rs >> (8 * i)) as u8).count_ones()) << (8 * i);
                }
                self.setra(ra, v)
            }
            O::Popcntw => {
                let v = u64::from((rs as u32).count_ones())
                    | (u64::from(((rs >> 32) as u32).count_ones()) << 32);
                self.setra(ra, v)
            }
            O::Popcntd => self.setra(ra, u64::from(rs.count_ones())),
            O::Prtyw => {
                let p = |w: u64| (0..4).fold(0, |acc, i| acc ^ ((w >> (8 * i)) & 1));
                self.setra(ra, p(low(rs)) | (p(rs >> 32) << 32))
            }
            O::Prtyd => {
                let v = (0..8).fold(0, |acc, i| acc ^ ((rs >> (8 * i)) & 1));
                self.setra(ra, v)
            }
            O::Cmpb => {
                let mut v = 0;
                for i in 0..8 {
                    if (rs >> (8 * i)) & 0xff == (b >> (8 * i)) & 0xff {
                        v |= 0xff << (8 * i);
                    }
                }
                self.setra(ra, v)
            }
            O::Bpermd => {
                let mut v = 0;
                for i in 0..8 {
                    let idx = (rs >> (56 - 8 * i)) & 0xff;
                    let bit = if idx < 64 { (b >> (63 - idx)) & 1 } else { 0 };
                    v |= bit << (7 - i);
                }
                self.setra(ra, v)
            }
            // ---- rotate and shift (3.3.14)
            O::Rlwinm => {
                let v = rotl32(rs, insn.sh()) & mask64(insn.mb() + 32, insn.me() + 32);
                self.finish(insn, ra, v)
            }
            O::Rlwnm => {
                let v = rotl32(rs, (b & 31) as u32) & mask64(insn.mb() + 32, insn.me() + 32);
                self.finish(insn, ra, v)
            }
            O::Rlwimi => {
                let m = mask64(insn.mb() + 32, insn.me() + 32);
                let v = (rotl32(rs, insn.sh()) & m) | (a & !m);
                self.finish(insn, ra, v)
            }
            O::Rldicl => {
                let v = rs.rotate_left(insn.sh6()) & mask64(insn.mb6(), 63);
                self.finish(insn, ra, v)
            }
            O::Rldicr => {
                let v = rs.rotate_left(insn.sh6()) & mask64(0, insn.me6());
                self.finish(insn, ra, v)
            }
            O::Rldic => {
                let sh = insn.sh6();
                let v = rs.rotate_left(sh) & mask64(insn.mb6(), 63 - sh);
                self.finish(insn, ra, v)
            }
            O::Rldimi => {
                let sh = insn.sh6();
                let m = mask64(insn.mb6(), 63 - sh);
                let v = (rs.rotate_left(sh) & m) | (a & !m);
                self.finish(insn, ra, v)
            }
            O::Rldcl => {
                let v = rs.rotate_left((b & 63) as u32) & mask64(insn.mb6(), 63);
                self.finish(insn, ra, v)
            }
            O::Rldcr => {
                let v = rs.rotate_left((b & 63) as u32) & mask64(0, insn.me6());
                self.finish(insn, ra, v)
            }
            O::Slw => {
                let n = b & 63;
                let v = if n > 31 { 0 } else { low(low(rs) << n) };
                self.finish(insn, ra, v)
            }
            O::Srw => {
                let n = b & 63;
                let v = if n > 31 { 0 } else { low(rs) >> n };
                self.finish(insn, ra, v)
            }
            O::Sld => {
                let n = b & 127;
                let v = if n > 63 { 0 } else { rs << n };
                self.finish(insn, ra, v)
            }
            O::Srd => {
                let n = b & 127;
                let v = if n > 63 { 0 } else { rs >> n };
                self.finish(insn, ra, v)
            }
            O::Sraw | O::Srawi => {
                let n = if insn.op == O::Srawi {
                    u64::from(insn.sh())
                } else {
                    b & 63
                };
                let x = rs as u32 as i32 as i64;
                let (v, lost) = if n > 31 {
                    ((x >> 63) as u64, true)
                } else {
                    ((x >> n) as u64, low(rs) & ((1u64 << n) - 1) != 0)
                };
                let c = x < 0 && lost;
                self.cpu.state.xer.ca = c;
                self.cpu.state.xer.ca32 = c;
                self.finish(insn, ra, v)
            }
            O::Srad | O::Sradi => {
                let n = if insn.op == O::Sradi {
                    u64::from(insn.sh6())
                } else {
                    b & 127
                };
                let x = rs as i64;
                let (v, c) = if n > 63 {
                    ((x >> 63) as u64, x < 0)
                } else {
                    let v = (x >> n) as u64;
                    let lost = n > 0 && (rs & ((1u64 << n) - 1)) != 0;
                    (v, x < 0 && lost)
                };
                self.cpu.state.xer.ca = c;
                self.cpu.state.xer.ca32 = c;
                self.finish(insn, ra, v)
            }
            O::Extswsli => {
                let v = sext32(rs) << insn.sh6();
                self.finish(insn, ra, v)
            }
            // ---- CR / XER moves and selects (3.3.15-3.3.17)
            O::Isel => {
                let v = if self.cpu.state.cr.bit(insn.bc()) {
                    self.ra0(ra)
                } else {
                    b
                };
                self.cpu.state.gpr[rt] = v;
                Ok(())
            }
            O::Setb => {
                let f = self.cpu.state.cr.field(insn.bfa() as u32);
                let v = if f & Cr::LT != 0 {
                    u64::MAX
                } else if f & Cr::GT != 0 {
                    1
                } else {
                    0
                };
                self.cpu.state.gpr[rt] = v;
                Ok(())
            }
            O::Darn => {
                self.cpu.state.gpr[rt] = self.darn((insn.word >> 16) & 3);
                Ok(())
            }
            O::Mcrxrx => {
                let x = self.cpu.state.xer;
                let f = (u8::from(x.ov) << 3)
                    | (u8::from(x.ov32) << 2)
                    | (u8::from(x.ca) << 1)
                    | u8::from(x.ca32);
                self.cpu.state.cr.set_field(insn.bf() as u32, f);
                Ok(())
            }
            O::Mfcr => {
                self.cpu.state.gpr[rt] = u64::from(self.cpu.state.cr.value());
                Ok(())
            }
            O::Mfocrf => {
                // One FXM bit (the decoder rejects other forms): that field, the rest 0.
                let m = cr_field_mask(insn.fxm());
                self.cpu.state.gpr[rt] = u64::from(self.cpu.state.cr.value() & m);
                Ok(())
            }
            O::Mtcrf | O::Mtocrf => {
                let m = cr_field_mask(insn.fxm());
                let cr = self.cpu.state.cr.value();
                self.cpu.state.cr = Cr((cr & !m) | (rs as u32 & m));
                Ok(())
            }
            _ => return None,
        };
        Some(r)
    }

    #[inline]
    fn setra(&mut self, ra: usize, v: u64) -> Res {
        self.cpu.state.gpr[ra] = v;
        Ok(())
    }

    #[inline]
    fn div_ov(&mut self, oe: bool, ovf: bool) {
        if oe {
            self.set_ov(ovf, ovf);
        }
    }

    /// `or N,N,N` program-priority no-ops (Book II 3.2): or 31,31,31 (very low) ... or 7,7,7
    /// (medium-high); the rest are plain no-ops.
    fn priority_nop(&mut self, r: usize) {
        let pri = match r {
            31 => 1,
            1 => 2,
            6 => 3,
            2 => 4,
            5 => 5,
            3 => 6,
            7 => 7,
            _ => return,
        };
        self.cpu.set_program_priority(pri);
    }
}

/// The CR bits selected by an FXM mask (FXM bit 0 = CR field 0).
#[inline]
pub(crate) fn cr_field_mask(fxm: u32) -> u32 {
    let mut m = 0u32;
    for i in 0..8 {
        if fxm & (0x80 >> i) != 0 {
            m |= 0xf000_0000 >> (4 * i);
        }
    }
    m
}

/// darn's error value (Book I 3.3.9): "no random number available"; software retries.
pub const DARN_ERROR: u64 = u64::MAX;

impl<B: Bus> Machine<'_, B> {
    /// darn RT,L (Book I 3.3.9, Deliver A Random Number): L = 0 a 32-bit conditioned random
    /// number (zero-extended), 1 a 64-bit conditioned one, 2 a 64-bit raw one; the reserved
    /// L = 3 returns the error value (what QEMU 7.2 does). papr never fails: the numbers come
    /// from the thread's generator ([`super::Interpreter::seed_random`]), never equal to the
    /// error value of their width.
    fn darn(&mut self, l: u32) -> u64 {
        loop {
            let v = next_random(self.random);
            match l {
                0 if v as u32 != u32::MAX => return u64::from(v as u32),
                1 | 2 if v != DARN_ERROR => return v,
                0..=2 => continue,
                _ => return DARN_ERROR,
            }
        }
    }
}

/// SplitMix64: a small, well-distributed generator for darn (not for cryptography; the guest
/// kernel mixes darn output into its pool with other sources).
pub(crate) fn next_random(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
