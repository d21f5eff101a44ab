//! Table-driven decode: primary opcode, then the extended-opcode field of that primary's forms,
//! then a short list of candidates checked in order.
//!
//! Power ISA 3.0B, Book I, 1.6 "Instruction Formats": the primary opcode (bits 0:5) selects the
//! form family; each family keeps its extended opcode in a fixed place (XO in bits 21:30 for X,
//! XL, XFX and A forms; bits 21:31 for VX; bits 27:29/27:30 for MD/MDS; bits 30:31 / 29:31 for
//! DS / DQ). The dispatch tables are built once, from [`crate::table`], on first use; decoding
//! itself allocates nothing.

use std::sync::OnceLock;

use crate::insn::Insn;
use crate::table::{Def, Opcode, DEFS};

/// Where the key for the second-level table lies, per primary opcode: (shift, width).
const fn key_field(po: u32) -> (u32, u32) {
    match po {
        4 => (0, 11),
        19 | 31 | 59 | 60 | 63 => (1, 10),
        30 => (1, 4),
        57 | 58 | 61 | 62 => (0, 3),
        17 => (0, 2),
        _ => (0, 0),
    }
}

/// One candidate of a slot, copied out of the table so the hot loop touches one array.
#[derive(Clone, Copy)]
struct Cand {
    value: u32,
    mask: u32,
    op: Opcode,
    check: bool,
}

/// Per primary opcode: where its key lies and where its slots start.
#[derive(Clone, Copy, Default)]
struct Primary {
    shift: u32,
    keymask: u32,
    base: u32,
}

struct Dispatch {
    prim: [Primary; 64],
    /// Per slot: (first candidate, count).
    slots: Vec<(u32, u32)>,
    cands: Vec<Cand>,
}

fn build() -> Dispatch {
    let mut prim = [Primary::default(); 64];
    let mut slots = Vec::new();
    let mut cands = Vec::new();
    for po in 0..64u32 {
        let (shift, width) = key_field(po);
        prim[po as usize] = Primary {
            shift,
            keymask: (1u32 << width) - 1,
            base: u32::try_from(slots.len()).unwrap_or(u32::MAX),
        };
        let keymask = ((1u32 << width) - 1) << shift;
        let defs: Vec<(usize, &Def)> = DEFS
            .iter()
            .enumerate()
            .skip(1)
            .filter(|(_, d)| d.value >> 26 == po)
            .collect();
        for k in 0..(1u32 << width) {
            let kbits = k << shift;
            let start = u32::try_from(cands.len()).unwrap_or(u32::MAX);
            for (i, def) in &defs {
                if (kbits ^ def.value) & def.mask & keymask == 0 {
                    debug_assert_eq!(def.op as usize, *i);
                    cands.push(Cand {
                        value: def.value,
                        mask: def.mask,
                        op: def.op,
                        check: def.check,
                    });
                }
            }
            let len = u32::try_from(cands.len()).unwrap_or(u32::MAX) - start;
            slots.push((start, len));
        }
    }
    Dispatch { prim, slots, cands }
}

fn dispatch() -> &'static Dispatch {
    static D: OnceLock<Dispatch> = OnceLock::new();
    D.get_or_init(build)
}

#[cold]
fn operands_valid(op: Opcode, word: u32) -> bool {
    DEFS[op as usize].ops.iter().all(|o| o.valid(word))
}

/// Decodes one instruction word (already in host byte order).
///
/// Returns [`Opcode::Invalid`] for every word that is not a valid POWER9 instruction: unknown
/// opcodes, non-zero reserved fields, and invalid forms (e.g. a load with update whose RA is 0
/// or equal to RT). Never panics.
#[inline]
#[must_use]
pub fn decode(word: u32) -> Insn {
    let d = dispatch();
    let p = d.prim[(word >> 26) as usize];
    let slot = (p.base + ((word >> p.shift) & p.keymask)) as usize;
    if let Some(&(start, len)) = d.slots.get(slot) {
        if let Some(list) = d.cands.get(start as usize..(start + len) as usize) {
            for c in list {
                if word & c.mask == c.value && (!c.check || operands_valid(c.op, word)) {
                    return Insn { op: c.op, word };
                }
            }
        }
    }
    Insn {
        op: Opcode::Invalid,
        word,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_hold_few_candidates() {
        let d = dispatch();
        for (i, &(start, len)) in d.slots.iter().enumerate() {
            let names: Vec<&str> = d.cands[start as usize..(start + len) as usize]
                .iter()
                .map(|c| DEFS[c.op as usize].name)
                .collect();
            // The worst case is VX xo 1538 (sub-opcode in VRA: vclzlsbb .. vctzd).
            assert!(len <= 16, "slot {i} holds {len} candidates: {names:?}");
        }
    }

    #[test]
    fn every_entry_decodes_to_itself() {
        let mut seed = 0x1234_5678_9abc_def1_u64;
        for def in DEFS.iter().skip(1) {
            let mut hit = false;
            for attempt in 0..4096 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                #[allow(clippy::cast_possible_truncation)]
                let fill = if attempt == 0 { 0 } else { seed as u32 };
                let word = def.value | (fill & !def.mask);
                if decode(word).op == def.op {
                    hit = true;
                    break;
                }
            }
            assert!(hit, "no encoding of {} decodes to it", def.name);
        }
    }
}
