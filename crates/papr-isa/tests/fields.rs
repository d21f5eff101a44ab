//! Field accessors, decode of chosen encodings, and robustness (property tests).

use papr_isa::insn::{bits, sext};
use papr_isa::{decode, disassemble, Insn, Opcode};
use proptest::prelude::*;

#[test]
fn isa_bit_numbering() {
    assert_eq!(bits(0x8000_0000, 0, 0), 1);
    assert_eq!(bits(0x0000_0001, 31, 31), 1);
    assert_eq!(bits(0xfc00_0000, 0, 5), 63);
    assert_eq!(sext(0x8000, 16), -32768);
    assert_eq!(sext(0x7fff, 16), 32767);
}

#[test]
fn spr_halves_are_swapped() {
    // mflr r0 = mfspr r0,8: spr field holds 8 in bits 11:15, 0 in bits 16:20
    let i = decode(0x7c08_02a6);
    assert_eq!(i.op, Opcode::Mfspr);
    assert_eq!(i.spr(), 8);
    // mtsrr1 r11 = mtspr 27,r11
    let i = decode(0x7d7b_03a6);
    assert_eq!(i.op, Opcode::Mtspr);
    assert_eq!(i.spr(), 27);
    assert_eq!(i.rs(), 11);
    // mfpvr (287 = 0b01000_11111): low half 31 in bits 11:15, high half 8 in bits 16:20
    let i = decode(0x7c7f_42a6);
    assert_eq!(i.spr(), 287);
    // mftb r3: tbr 268
    assert_eq!(decode(0x7c6c_42a6).tbr(), 268);
}

#[test]
fn displacements_are_sign_extended() {
    // lwz r10,-24132(r2)
    let i = decode(0x8142_a1bc);
    assert_eq!(i.op, Opcode::Lwz);
    assert_eq!((i.rt(), i.ra(), i.d()), (10, 2, -24132));
    // addi r3,r1,-16 ; li r3,-1
    assert_eq!(decode(0x3861_fff0).si(), -16);
    assert_eq!(decode(0x3860_ffff).si(), -1);
    // ori r9,r9,48060 (unsigned)
    assert_eq!(decode(0x6129_bbbc).ui(), 48060);
}

#[test]
fn ds_and_dq_forms() {
    // ld r9,-836(r31): DS-form, low two bits are the XO
    let i = decode(0xe93f_fcbc);
    assert_eq!(i.op, Opcode::Ld);
    assert_eq!((i.rt(), i.ra(), i.ds()), (9, 31, -836));
    // stdu r1,-112(r1)
    let i = decode(0xf821_ff91);
    assert_eq!(i.op, Opcode::Stdu);
    assert_eq!(i.ds(), -112);
    // lwa r5,-32072(r9)
    let i = decode(0xe8a9_82ba);
    assert_eq!(i.op, Opcode::Lwa);
    assert_eq!(i.ds(), -32072);
    // lxv vs34,32(r3): DQ-form, TX in bit 28
    let i = decode(0xf443_0029);
    assert_eq!(i.op, Opcode::Lxv);
    assert_eq!((i.xt_dq(), i.ra(), i.dq()), (34, 3, 32));
    // stxv vs63,-16(r1)
    let i = decode(0xf7e1_fffd);
    assert_eq!(i.op, Opcode::Stxv);
    assert_eq!((i.xt_dq(), i.dq()), (63, -16));
}

#[test]
fn branch_fields() {
    // b -4 from 0x1000 (LI = -4)
    let i = decode(0x4bff_fffc);
    assert_eq!(i.op, Opcode::B);
    assert_eq!(i.li(), -4);
    assert!(!i.aa() && !i.lk());
    assert_eq!(disassemble(0x4bff_fffc, 0x1000), "b       0xffc");
    // bne cr7,+0x10 ; beq+ cr7
    let i = decode(0x409e_0010);
    assert_eq!((i.op, i.bo(), i.bi(), i.bd()), (Opcode::Bc, 4, 30, 16));
    assert_eq!(disassemble(0x409e_0010, 0), "bne     cr7,0x10");
    assert_eq!(
        disassemble(0x41fe_000c, 0x100004f8),
        "beq+    cr7,0x10000504"
    );
    // blr, bctrl, bcl 20,31,$+4
    assert_eq!(disassemble(0x4e80_0020, 0), "blr");
    assert_eq!(disassemble(0x4e80_0421, 0), "bctrl");
    assert_eq!(disassemble(0x429f_0005, 0x100), "bcl     20,4*cr7+so,0x104");
}

#[test]
fn vsx_register_numbers_use_the_extension_bits() {
    // xxlor vs34,vs35,vs35 -> xxmr (TX, AX, BX all set)
    let i = decode(0xf043_1c97);
    assert_eq!(i.op, Opcode::Xxlor);
    assert_eq!((i.xt(), i.xa(), i.xb()), (34, 35, 35));
    assert_eq!(disassemble(0xf043_1c97, 0), "xxmr    vs34,vs35");
}

#[test]
fn record_and_overflow_share_the_opcode() {
    for w in [0x7c63_2214_u32, 0x7c63_2215, 0x7c63_2614, 0x7c63_2615] {
        assert_eq!(decode(w).op, Opcode::Add);
    }
    assert_eq!(disassemble(0x7c63_2615, 0), "addo.   r3,r3,r4");
    assert!(decode(0x7c63_2615).rc() && decode(0x7c63_2615).oe());
}

#[test]
fn invalid_forms_are_rejected() {
    // lwzu r3,0(r3): RA = RT is an invalid form
    assert_eq!(decode(0x8463_0000).op, Opcode::Invalid);
    // lwzu r3,0(0): RA = 0 is an invalid form
    assert_eq!(decode(0x8460_0000).op, Opcode::Invalid);
    // add with a reserved bit... primary 0 is not an instruction (attn aside)
    assert_eq!(decode(0).op, Opcode::Invalid);
    assert_eq!(disassemble(0, 0), ".long 0x0");
    // mfocrf needs exactly one FXM bit
    assert_eq!(decode(0x7c70_3026).op, Opcode::Invalid);
}

#[test]
fn extended_mnemonics() {
    let cases: &[(u32, &str)] = &[
        (0x6000_0000, "nop"),
        (0x7c08_02a6, "mflr    r0"),
        (0x7c08_03a6, "mtlr    r0"),
        (0x7d29_03a6, "mtctr   r9"),
        (0x3860_0000, "li      r3,0"),
        (0x3c62_0001, "addis   r3,r2,1"),
        (0x3d20_c000, "lis     r9,-16384"),
        (0x7c23_0b78, "mr      r3,r1"),
        (0x7c63_18f8, "not     r3,r3"),
        (0x2c23_0000, "cmpdi   r3,0"),
        (0x2f89_0000, "cmpwi   cr7,r9,0"),
        (0x7fa3_e040, "cmpld   cr7,r3,r28"),
        (0x7863_0020, "clrldi  r3,r3,32"),
        (0x7863_1f24, "sldi    r3,r3,3"),
        (0x7863_e8c2, "srdi    r3,r3,3"),
        (0x5463_103a, "slwi    r3,r3,2"),
        (0x7c00_04ac, "hwsync"),
        (0x7c20_04ac, "lwsync"),
        (0x7c40_04ac, "ptesync"),
        (0x7fe0_0008, "trap"),
        (0x7c13_43a6, "mtsprg  3,r0"),
        (0x7c7a_02a6, "mfsrr0  r3"),
        (0x7c6c_42a6, "mftb    r3"),
        (0x4c42_1242, "crset   eq"),
        (0x4c00_0182, "crclr   lt"),
        (0x7c61_0034, "cntlzw  r1,r3"),
        (0x4400_0002, "sc"),
        (0x4400_0022, "sc      1"),
        (0x4c00_0024, "rfid"),
    ];
    for &(w, text) in cases {
        assert_eq!(disassemble(w, 0), text, "{w:#010x}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(20_000))]

    #[test]
    fn decode_and_disassemble_never_panic(word: u32, addr: u64) {
        let insn: Insn = decode(word);
        prop_assert_eq!(insn.word, word);
        let text = disassemble(word, addr);
        prop_assert!(!text.is_empty());
        prop_assert_eq!(insn.op == Opcode::Invalid, text.starts_with(".long"));
    }
}

#[test]
fn record_forms() {
    assert!(!decode(0x7c63_2214).record()); // add
    assert!(decode(0x7c63_2215).record()); // add.
    assert!(decode(0x7d20_492d).record()); // stwcx. r9,0,r9
    assert!(decode(0x7129_0001).record()); // andi. r9,r9,1
    assert!(decode(0x1000_0406).record()); // vcmpequb. v0,v0,v0 (Rc in bit 21)
    assert!(!decode(0x1000_0006).record()); // vcmpequb
    assert!(Opcode::Add.has_oe() && Opcode::Add.has_rc() && !Opcode::Addi.has_rc());
    assert_eq!(Opcode::Stwcx.mnemonic(), "stwcx.");
    assert_eq!(Opcode::all().count(), Opcode::count());
}
