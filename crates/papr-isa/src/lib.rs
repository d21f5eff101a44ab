//! Power ISA 3.0B instruction decoding and disassembly for the POWER9 core papr emulates.
//!
//! Pure functions: a 32-bit instruction word goes in, an instruction with its fields (and its
//! text, in binutils' `objdump -M power9` spelling) comes out. No state, no allocation on the
//! decode path.
//!
//! - [`decode()`] turns a word into an [`Insn`]: an [`Opcode`] (one variant per architected
//!   instruction, [`Opcode::Invalid`] for anything else) plus the word, with field accessors
//!   named as in the ISA ([`Insn::rt`], [`Insn::ds`], [`Insn::spr`], [`Insn::xt`], ...).
//! - [`disassemble()`] prints a word the way objdump does, extended mnemonics included.
//!
//! The instruction set covered is what objdump's `power9` dialect decodes: the scalar
//! fixed-point, branch, CR, system, storage-control, FP, DFP, VMX, VSX (ISA 3.0 included) and
//! TM instructions, plus the few older instructions that dialect still accepts. See
//! `docs/ISA.md` for how this is checked against objdump.

pub mod decode;
pub mod disasm;
pub mod insn;
pub mod operand;
pub mod table;

pub use decode::decode;
pub use disasm::{disassemble, format_insn};
pub use insn::Insn;
pub use table::Opcode;
