//! Direct dispatch for the instructions a Linux guest executes most.
//!
//! The list comes from counting the instructions of a Debian 12 boot to power-off (1.03·10^9):
//! add, rldicl, bc, subf, mulld, addi, ldx, subfe, subfc, ld, or, stdx, std, rldicr, extsw,
//! cmpl, rldimi, cmpi, ori, b, rlwinm make up 90% (the multiply/subtract-with-carry mix is the
//! kernel's multi-precision arithmetic checking its X.509 certificates).
//!
//! A decoded instruction carries a dispatch kind (learned at its first execution, see
//! [`super::DecodeMemo`]): its instruction family (`exec_integer`, `exec_loadstore`, …), or,
//! for the opcodes listed here, a kind of its own. [`super::Machine::execute_class`] is one
//! `match` over these small dense numbers, and the arm of a listed opcode calls its family's
//! code with the opcode as a constant, so the compiler keeps only that opcode's arm of the
//! family's `match`: one indirect jump per instruction instead of two, and no re-dispatch on
//! the opcode inside (effective-address form, update form, width). The semantics stay in one
//! place, the family modules.

use papr_isa::{Insn, Opcode};

use super::{class, illegal, Bus, Machine, Res};

macro_rules! hot_ops {
    ($($family:ident ($cls:ident): $($op:ident)*;)*) => {
        /// The dispatch kind of a listed opcode (numbered from [`class::HOT`]).
        #[allow(non_upper_case_globals)]
        mod kind {
            /// Kinds in listing order, after the families.
            #[repr(u8)]
            #[allow(dead_code)]
            pub(super) enum K {
                First = super::class::HOT - 1,
                $($($op,)*)*
            }
            $($(pub(super) const $op: u8 = K::$op as u8;)*)*
        }

        /// The dispatch kind for an instruction of `op` whose family is `c` (a listed opcode
        /// gets its own kind only if it was found in the family it is listed under).
        pub(crate) fn kind_of(op: Opcode, c: u8) -> u8 {
            match op {
                $($(Opcode::$op if c == class::$cls => kind::$op,)*)*
                _ => c,
            }
        }

        impl<B: Bus> Machine<'_, B> {
            /// Executes `insn` by its dispatch kind `c` (see the module documentation).
            #[inline(always)]
            pub(crate) fn execute_kind(&mut self, insn: Insn, c: u8) -> Res {
                let r = match c {
                    $($(kind::$op => self.$family(Insn {
                        op: Opcode::$op,
                        word: insn.word,
                    }),)*)*
                    class::BRANCH => return self.exec_branch(insn),
                    class::CR => return self.exec_cr(insn),
                    class::INTEGER => self.exec_integer(insn),
                    class::LOADSTORE => self.exec_loadstore(insn),
                    class::ATOMIC => self.exec_atomic(insn),
                    class::SYSTEM => self.exec_system(insn),
                    class::FP => self.exec_fp(insn),
                    class::VECTOR => self.exec_vector(insn),
                    _ => None,
                };
                r.unwrap_or_else(|| Err(illegal()))
            }
        }
    };
}

hot_ops! {
    exec_integer (INTEGER):
        Addi Addis Add Addc Adde Addze AddicRc Subf Subfc Subfe Subfze Neg Mulld Mulhdu Mulli
        Or Ori Oris And Andc AndiRc Nor Xor Xori Extsw Extsb Extsh
        Rlwinm Rlwimi Rldicl Rldicr Rldic Rldimi Sld Srd Sradi Cmpi Cmpli Cmp Cmpl Isel Mfcr
        Cntlzd;
    exec_loadstore (LOADSTORE):
        Ld Ldu Ldx Std Stdu Stdx Lwz Lwzu Lwzx Stw Stwx Lbz Lbzu Lbzx Stb Stbx Lhz Sth Lwa;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_dense_distinct_and_after_the_families() {
        let ops = [Opcode::Addi, Opcode::Cntlzd, Opcode::Ld, Opcode::Lwa];
        let fam = [
            class::INTEGER,
            class::INTEGER,
            class::LOADSTORE,
            class::LOADSTORE,
        ];
        let ks: Vec<u8> = ops.iter().zip(fam).map(|(&o, c)| kind_of(o, c)).collect();
        assert_eq!(ks[0], class::HOT);
        assert!(ks.windows(2).all(|w| w[0] < w[1]));
        assert!(ks.iter().all(|&k| k >= class::HOT));
        assert_eq!(kind_of(Opcode::Mfspr, class::SYSTEM), class::SYSTEM);
        // Listed, but learned in another family: keeps the family.
        assert_eq!(kind_of(Opcode::Addi, class::NONE), class::NONE);
    }
}
