/*
 * irq: interrupts taken in real mode and what QEMU puts in SRR0/SRR1/DAR/
 * DSISR and the handler MSR.  Each PIRQ line is
 *   NAME VECTOR SRR0-IMAGE_OFFSET SRR1 DAR DSISR HANDLER_MSR
 * (vector 00000 = no interrupt happened).  SRR0 is printed relative to the
 * image base, so it depends on this build of the ELF.
 * Translation-related interrupts (DSI/ISI/segment) are in the mmu guest.
 */
#include "common.h"

/* run one instruction in problem state (MSR[PR]=1); whatever interrupt it
   (or the following sc 0) causes returns to the supervisor after it */
.macro USER insn:vararg
	LA	r3, .Lu\@
	std	r3, G_TMP+48(0)
	LA	r3, .Lback\@
	mfmsr	r4
	bl	irq_expect
	LA	r3, .Lu\@
	mtsrr0	r3
	mfmsr	r4
	ori	r4, r4, MSR_PR
	mtsrr1	r4
	li	r3, 0
	rfid
.Lu\@:	\insn
	sc	0
.Lback\@:
.endm

/* set FPSCR from a 32-bit immediate; clobbers r0, f0 */
.macro SETFPSCR val
	LI64	r0, \val
	std	r0, G_TMP(0)
	lfd	f0, G_TMP(0)
	mtfsf	0xff, f0
.endm

.macro MSRSET bits
	mfmsr	r0
	LI64	r3, \bits
	or	r0, r0, r3
	mtmsrd	r0
	isync
.endm
.macro MSRCLR bits
	mfmsr	r0
	LI64	r3, \bits
	andc	r0, r0, r3
	mtmsrd	r0
	isync
.endm

/* like PIRQ, preceded by SRR0 relative to the user instruction
   (0 = at it, 4 = just after it, 8 = after the sc 0 that follows it) */
.macro PIRQU name
	ld	r3, H_SRR0(0)
	ld	r4, G_TMP+48(0)
	subf	r3, r4, r3
	PR32	"srr0-insn", r3
	PIRQ	"\name"
.endm

	.text
	.globl	test_main
test_main:
	mflr	r0
	std	r0, 16(r1)
	stdu	r1, -128(r1)

	bl	irq_install
	PR	"H_SET_MODE(LE) rc", r3
	NL
	mfmsr	r3
	PR	msr, r3
	NL

	P	"== program: illegal / reserved instructions\n"
	.long	0x00000000
	PIRQ	"illegal 0x00000000"
	.long	0x7c0007fe
	PIRQ	"illegal 0x7c0007fe"
	.long	0xfc00ffff
	PIRQ	"illegal 0xfc00ffff"
	.long	0x04000000
	PIRQ	"illegal 0x04000000"
	mfspr	r3, 0x3fe
	PIRQ	"mfspr undefined 1022"
	mtspr	0x3fe, r3
	PIRQ	"mtspr undefined 1022"
	mfspr	r3, 0x137
	PIRQ	"mfspr HSRR1(315) from supervisor"
	mtspr	318, r3
	PIRQ	"mtspr LPCR from supervisor"
	mfspr	r3, 318
	PIRQ	"mfspr LPCR from supervisor"
	.long	0x4c000224		/* hrfid */
	PIRQ	"hrfid from supervisor"
	.long	0x7c0006ac		/* eieio: legal, no interrupt */
	PIRQ	"eieio (none)"

	P	"== program: privileged from problem state\n"
	/* MSR[PR]=1 forces IR/DR/EE on: identity-map the first 16M first */
	bl	mmu_probe
	PR	"hpt order", r3
	bl	mmu_identity
	PR	"identity map rc", r3
	NL
	USER	mfmsr r3
	PIRQU	"PR mfmsr"
	USER	mtmsrd r3
	PIRQU	"PR mtmsrd"
	USER	mfsrr0 r3
	PIRQU	"PR mfsrr0"
	USER	mtspr 22, r3
	PIRQU	"PR mtdec"
	USER	mfspr r3, 22
	PIRQU	"PR mfdec"
	USER	rfid
	PIRQU	"PR rfid"
	USER	slbia
	PIRQU	"PR slbia"
	USER	.long 0x00000000
	PIRQU	"PR illegal 0"
	USER	mfspr r3, 0x3fe
	PIRQU	"PR mfspr undefined"
	USER	mftb r3
	PIRQU	"PR mftb (allowed, then sc 0)"
	USER	sc 1
	PR	"r3 after PR sc 1 (hcall 0)", r3
	PIRQU	"PR sc 1"
	USER	mfspr r3, 256
	PIRQU	"PR mfvrsave (allowed, then sc 0)"
	USER	tw 31, r0, r0
	PIRQU	"PR tw 31"

	P	"== program: traps\n"
	li	r4, 5
	li	r5, -3
	tw	4, r4, r4
	PIRQ	"tw eq 5,5"
	tw	8, r4, r5
	PIRQ	"tw gt 5,-3"
	tw	16, r4, r5
	PIRQ	"tw lt 5,-3 (no)"
	tw	2, r4, r5
	PIRQ	"tw TO=2 (<u) 5,-3"
	tw	1, r4, r5
	PIRQ	"tw TO=1 (>u) 5,-3 (no)"
	twi	24, r4, 5
	PIRQ	"twi ne 5,5 (no)"
	twi	31, r0, 0
	PIRQ	"twi 31"
	LI64	r6, 0x100000005
	tw	4, r4, r6
	PIRQ	"tw eq 32-bit compare of 0x100000005,5"
	td	4, r4, r6
	PIRQ	"td eq 0x100000005,5 (no)"
	td	8, r6, r4
	PIRQ	"td gt"
	tdi	0, r0, 0x48
	PIRQ	"tdi 0 (no)"
	tdi	3, r5, -4
	PIRQ	"tdi TO=3 (<u|>u) -3,-4"
	trap
	PIRQ	"trap"

	P	"== system call\n"
	li	r0, 0x77
	sc
	PIRQ	"sc 0"
	ld	r3, H_R0(0)
	PR	r0, r3
	NL
	/* scv needs FSCR[SCV]; first without it */
	mfspr	r14, 153
	PR	fscr, r14
	NL
	li	r3, 0x1000
	andc	r3, r14, r3
	mtspr	153, r3
	scv	0
	PIRQ	"scv 0 with FSCR[SCV]=0"
	mfspr	r3, 153
	PR	"fscr after", r3
	NL
	ori	r3, r14, 0x1000
	mtspr	153, r3
	mfspr	r3, 153
	PR	"fscr with SCV", r3
	NL
	li	r0, 0x55
	mtctr	r0
	scv	0
.Lscvret:
	ld	r3, H_VEC(0)
	PR	"scv vec", r3
	ld	r3, H_LR(0)
	LA	r4, .Lscvret
	subf	r3, r4, r3
	PR	"lr-(insn after scv)", r3
	ld	r3, H_CTR(0)
	PR	ctr, r3
	ld	r3, H_MSRIN(0)
	PR	"msr in", r3
	mfmsr	r3
	PR	"msr after rfscv", r3
	NL
	bl	irq_clear
	mtspr	153, r14

	P	"== transactional memory with MSR[TM]=0\n"
	tbegin.
	PIRQ	"tbegin."
	mfspr	r3, 153
	PR	"fscr after", r3
	mtspr	153, r14
	tend.
	PIRQ	"tend."
	mtspr	153, r14
	tcheck	cr1
	PIRQ	"tcheck"
	mtspr	153, r14
	NL

	P	"== FP / VMX / VSX unavailable\n"
	MSRCLR	MSR_FP|MSR_VEC|MSR_VSX
	fmr	f1, f2
	PIRQ	"fmr with FP=0"
	lfd	f1, 0(r1)
	PIRQ	"lfd with FP=0"
	mffs	f1
	PIRQ	"mffs with FP=0"
	vor	v1, v2, v2
	PIRQ	"vor with VEC=0"
	mfvscr	v1
	PIRQ	"mfvscr with VEC=0"
	xxlor	vs1, vs2, vs2
	PIRQ	"xxlor vs1 with VSX=0"
	xxlor	vs33, vs34, vs34
	PIRQ	"xxlor vs33 with VSX=0"
	lxvd2x	vs1, 0, r1
	PIRQ	"lxvd2x with VSX=0"
	MSRSET	MSR_FP
	xxlor	vs1, vs2, vs2
	PIRQ	"xxlor with FP=1 VSX=0"
	mtvsrd	vs1, r3
	PIRQ	"mtvsrd vs1 FP=1 VSX=0"
	mtvsrd	vs33, r3
	PIRQ	"mtvsrd vs33 FP=1 VSX=0"
	MSRSET	MSR_VEC
	mtvsrd	vs33, r3
	PIRQ	"mtvsrd vs33 VEC=1 VSX=0"
	vor	v1, v2, v2
	PIRQ	"vor VEC=1 (none)"
	MSRSET	MSR_VSX
	xxlor	vs1, vs2, vs2
	PIRQ	"xxlor VSX=1 (none)"

	P	"== FP enabled exceptions (MSR[FE0|FE1])\n"
	SETFPSCR 0
	LI64	r3, 0x3ff0000000000000
	std	r3, G_TMP+8(0)
	lfd	f2, G_TMP+8(0)
	li	r3, 0
	std	r3, G_TMP+8(0)
	lfd	f3, G_TMP+8(0)
	fdiv	f1, f2, f3
	PIRQ	"fdiv 1/0 ZE=0 FE=0 (none)"
	mffs	f4
	stfd	f4, G_TMP+16(0)
	ld	r3, G_TMP+16(0)
	PR	fpscr, r3
	NL
	SETFPSCR 0x10			/* ZE */
	LI64	r3, 0x5a5a5a5a5a5a5a5a
	std	r3, G_TMP+24(0)
	lfd	f1, G_TMP+24(0)
	fdiv	f1, f2, f3
	PIRQ	"fdiv 1/0 ZE=1 FE=0 (none)"
	mffs	f4
	stfd	f4, G_TMP+16(0)
	ld	r3, G_TMP+16(0)
	PR	fpscr, r3
	stfd	f1, G_TMP+16(0)
	ld	r3, G_TMP+16(0)
	PR	"frt (target unchanged if 5a5a..)", r3
	NL
	MSRSET	MSR_FE0|MSR_FE1
	PIRQ	"mtmsrd FE=3 with ZX&ZE pending"
	mfmsr	r3
	PR	"msr", r3
	NL
	SETFPSCR 0x10
	lfd	f1, G_TMP+24(0)
	fdiv	f1, f2, f3
	PIRQ	"fdiv 1/0 ZE=1 FE=3"
	stfd	f1, G_TMP+16(0)
	ld	r3, G_TMP+16(0)
	PR	"frt", r3
	mffs	f4
	stfd	f4, G_TMP+16(0)
	ld	r3, G_TMP+16(0)
	PR	fpscr, r3
	NL
	SETFPSCR 0x80			/* VE */
	fsub	f1, f3, f3
	PIRQ	"fsub 0-0 VE=1 (none)"
	LI64	r3, 0x7ff0000000000000
	std	r3, G_TMP+8(0)
	lfd	f5, G_TMP+8(0)
	fsub	f1, f5, f5
	PIRQ	"fsub inf-inf VE=1"
	SETFPSCR 0x08			/* UE */
	mtfsb1	3			/* set OX directly: no interrupt */
	PIRQ	"mtfsb1 OX with OE=0"
	SETFPSCR 0x40			/* OE */
	mtfsb1	3
	PIRQ	"mtfsb1 OX with OE=1"
	SETFPSCR 0
	MSRCLR	MSR_FE0|MSR_FE1

	P	"== alignment (little-endian string/multiple, atomics)\n"
	LI64	r20, SCR
	.long	0xbb940000		/* lmw r28,0(r20) */
	PIRQ	"lmw LE"
	.long	0xbf940000		/* stmw r28,0(r20) */
	PIRQ	"stmw LE"
	.long	0x7cd404aa		/* lswi r6,r20,0 */
	PIRQ	"lswi LE"
	li	r3, 5
	mtxer	r3
	.long	0x7cd4042a		/* lswx r6,r20,r0 -> RA=r20 RB=r0 */
	PIRQ	"lswx LE"
	.long	0x7cd415aa		/* stswi r6,r20,2 */
	PIRQ	"stswi LE"
	li	r3, 0
	mtxer	r3
	addi	r21, r20, 1
	lwarx	r3, 0, r21
	PIRQ	"lwarx unaligned"
	addi	r21, r20, 4
	ldarx	r3, 0, r21
	PIRQ	"ldarx unaligned"
	addi	r21, r20, 1
	lharx	r3, 0, r21
	PIRQ	"lharx unaligned"
	addi	r21, r20, 8
	lqarx	r6, 0, r21
	PIRQ	"lqarx unaligned(8)"
	addi	r21, r20, 2
	stwcx.	r3, 0, r21
	PIRQ	"stwcx. unaligned"
	lq	r6, 0(r20)
	PIRQ	"lq LE aligned"
	lq	r6, 16(r20)
	PIRQ	"lq LE aligned 16"
	addi	r21, r20, 3
	lwz	r3, 0(r21)
	ld	r3, 0(r21)
	lfd	f1, 0(r21)
	PIRQ	"unaligned lwz/ld/lfd (none)"
	addi	r21, r20, 0x7f
	dcbz	0, r21
	PIRQ	"dcbz (none)"
	addi	r21, r20, 2
	lfdp	f2, 0(r21)
	PIRQ	"lfdp unaligned"
	lxv	vs1, 0(r21)
	PIRQ	"lxv unaligned (none)"

	P	"== external (XICS: an IPI to this processor)\n"
	bl	irq_clear
	li	r3, 0x68	/* H_CPPR 0xff: accept every priority */
	li	r4, 0xff
	sc	1
	PR	"H_CPPR rc", r3
	li	r3, 0x6c	/* H_IPI server 0, MFRR 5 */
	li	r4, 0
	li	r5, 5
	sc	1
	PR	"H_IPI rc", r3
	NL
	li	r3, 2000
	mtctr	r3
1:	bdnz	1b
	PIRQ	"IPI pending with EE=0 (none)"
	li	r3, 0		/* return to SRR0 with EE = 0 (the line stays raised) */
	mfmsr	r4
	bl	irq_expect
	MSRSET	MSR_EE
	LI64	r3, 100000000
	mtctr	r3
2:	ld	r4, H_VEC(0)
	cmpdi	r4, 0
	bne	3f
	bdnz	2b
3:	MSRCLR	MSR_EE
	ld	r3, H_VEC(0)
	PR	"after EE=1: vec", r3
	ld	r3, H_SRR1(0)
	PR	srr1, r3
	ld	r3, H_CNT(0)
	PR	count, r3
	NL
	li	r3, 0x74	/* H_XIRR: accept */
	sc	1
	mr	r14, r4
	PR	"H_XIRR rc", r3
	PR	xirr, r14
	li	r3, 0x6c	/* H_IPI MFRR 0xff: withdraw */
	li	r4, 0
	li	r5, 0xff
	sc	1
	li	r3, 0x64	/* H_EOI */
	mr	r4, r14
	sc	1
	PR	"H_EOI rc", r3
	NL
	bl	irq_clear

	P	"== system reset (H_SIGNAL_SYS_RESET to itself)\n"
	bl	irq_clear
	li	r3, 0		/* DAR/DSISR: no residue of the alignment tests above */
	mtdar	r3
	mtdsisr	r3
	LA	r3, 1f		/* resume after the report; keep the MSR */
	mfmsr	r4
	bl	irq_expect
	li	r3, 0x380	/* H_SIGNAL_SYS_RESET, target -1: every processor */
	li	r4, -1
	sc	1
	nop
1:	PIRQ	"system reset"
	li	r3, 0x380	/* target 5: no such processor */
	li	r4, 5
	sc	1
	PR	"H_SIGNAL_SYS_RESET 5 rc", r3
	li	r3, 0x380	/* target -3: invalid */
	li	r4, -3
	sc	1
	PR	"H_SIGNAL_SYS_RESET -3 rc", r3
	NL
	bl	irq_clear

	P	"== trace (MSR[SE] single step, MSR[BE] branch trace)\n"
	bl	irq_clear
	li	r3, 0		/* DAR/DSISR: no residue of the alignment tests above */
	mtdar	r3
	mtdsisr	r3
	mfmsr	r14		/* the handler returns with this MSR (SE = BE = 0) */
	LA	r3, 51f
	mr	r4, r14
	bl	irq_expect
	ori	r3, r14, 0x400	/* SE */
	li	r6, 0
	mtmsrd	r3		/* executes with SE = 0: not traced */
	addi	r6, r6, 1	/* traced: the interrupt comes after it */
	nop
51:	PIRQ	"single step addi"
	PR	r6, r6
	NL
	LA	r3, 52f
	mr	r4, r14
	bl	irq_expect
	ori	r3, r14, 0x400
	mtmsrd	r3
	ld	r7, 8(r1)	/* a load: SRR1 bit 35 */
	nop
52:	PIRQ	"single step ld"
	NL
	LA	r3, 53f
	mr	r4, r14
	bl	irq_expect
	ori	r3, r14, 0x400
	mtmsrd	r3
	std	r7, 8(r1)	/* a store: SRR1 bit 36 */
	nop
53:	PIRQ	"single step std"
	NL
	LA	r3, 55f
	mr	r4, r14
	bl	irq_expect
	ori	r3, r14, 0x200	/* BE */
	mtmsrd	r3
	addi	r6, r6, 1	/* not a branch: not traced */
	b	54f		/* traced; SRR0 = its target */
	nop
54:	nop
	nop
55:	PIRQ	"branch trace b"
	PR	r6, r6
	NL
	bl	irq_clear

	P	"== decrementer\n"
	li	r3, 1
	mtdec	r3
	li	r3, 2000
	mtctr	r3
1:	bdnz	1b
	PIRQ	"dec expired with EE=0 (none)"
	mfdec	r3
	srdi	r3, r3, 63
	PR	"dec negative", r3
	NL
	/* QEMU raises the interrupt from a host timer, so it may arrive a
	   little after mtmsrd: wait for it (bounded) */
	MSRSET	MSR_EE
	LI64	r3, 100000000
	mtctr	r3
7:	ld	r4, H_VEC(0)
	cmpdi	r4, 0
	bne	8f
	bdnz	7b
8:	MSRCLR	MSR_EE
	ld	r3, H_VEC(0)
	PR	"after EE=1: vec", r3
	ld	r3, H_SRR1(0)
	PR	srr1, r3
	ld	r3, H_CNT(0)
	PR	count, r3
	NL
	bl	irq_clear
	li	r3, 20000
	mtdec	r3
	MSRSET	MSR_EE
	li	r3, 0
2:	addi	r3, r3, 1
	ld	r4, H_VEC(0)
	cmpdi	r4, 0
	beq	2b
	MSRCLR	MSR_EE
	ld	r3, H_VEC(0)
	PR	"dec with EE=1: vec", r3
	ld	r3, H_SRR1(0)
	PR	srr1, r3
	ld	r3, H_MSRIN(0)
	PR	"msr in", r3
	NL
	bl	irq_clear
	/* mtmsrd L=1 only changes EE and RI */
	mfmsr	r14
	li	r3, -1
	mtmsrd	r3, 1
	mfmsr	r3
	PR	"mtmsrd -1,1 -> msr", r3
	li	r3, 0
	mtmsrd	r3, 1
	mfmsr	r3
	PR	"mtmsrd 0,1 -> msr", r3
	NL
	bl	irq_clear
	mtmsrd	r14

	addi	r1, r1, 128
	ld	r0, 16(r1)
	mtlr	r0
	blr
