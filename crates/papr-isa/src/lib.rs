//! Power ISA 3.0B instruction decoding and disassembly for the POWER9 core papr emulates.
//!
//! Pure functions: a 32-bit instruction word goes in, an instruction with its fields (and its
//! text, in binutils' `objdump -M power9` spelling) comes out. No state, no allocation on the
//! decode path.
