/*
 * fp: scalar floating point.  Every operation is run in the four FPSCR
 * rounding modes (RN = 0 nearest, 1 zero, 2 +inf, 3 -inf) with all status
 * bits cleared and exceptions disabled (MSR[FE0|FE1]=0).  Lines:
 *   OP RN A B [C] RESULT FPSCR
 * (raw IEEE bit patterns; FPSCR as read by mffs right after the operation).
 * Then FPSCR manipulation (mtfsf/mtfsfi/mtfsb0/mtfsb1/mcrfs/mffs variants),
 * compares, and FP loads/stores with single/double conversion.
 */
#include "common.h"

	.data
	.balign	8
bvals:	/* binary-op operands */
	.quad	0x3ff0000000000000, 0xbfb999999999999a, 0x4008000000000000
	.quad	0x7fefffffffffffff, 0x0010000000000001, 0x8000000000000000
	.quad	0x7ff0000000000000, 0x7ff4000000000000
#define NB 8
uvals:	/* unary-op operands */
	.quad	0x3ff0000000000000, 0xbff8000000000000, 0x3fb999999999999a
	.quad	0x4004000000000000, 0xc00c000000000000, 0x7fefffffffffffff
	.quad	0x0000000000000001, 0x8000000000000000, 0xfff0000000000000
	.quad	0x7ff8000000000000, 0xfff4000000000000, 0x4330000000000001
	.quad	0x43e0000000000000, 0xc3e0000000000001, 0x41dfffffffe00000
	.quad	0x41efffffffe00000, 0x36a0000000000000, 0x47efffffe0000001
#define NU 18
ivals:	/* integer operands for fcfid* */
	.quad	0, 1, -1, 0x7fffffffffffffff, 0x8000000000000000
	.quad	0x0020000000000001, 0x0000000100000001, 0xfffffffffffffffd
#define NI 8
tvals:	/* fmadd third operand */
	.quad	0x3ff0000000000000, 0xbcb0000000000000, 0x7ff0000000000000
#define NT 3

	.text
/* FPSCR <- r3 (all 64 bits via mtfsf with L=1) */
set_fpscr:
	std	r3, G_TMP(0)
	lfd	f0, G_TMP(0)
	mtfsf	0xff, f0, 1, 0
	blr

/* print "name rn=RN A B C ->RESULT FPSCR": r20 = rn, f2/f3/f5 operands,
   f1 result, f4 fpscr, r24 = number of operands shown */
frep:
	mflr	r0
	std	r0, 16(r1)
	stdu	r1, -64(r1)
	stfd	f1, G_TMP+8(0)
	stfd	f2, G_TMP+16(0)
	stfd	f3, G_TMP+24(0)
	stfd	f4, G_TMP+32(0)
	stfd	f5, G_TMP+40(0)
	PR32	" rn", r20
	ld	r3, G_TMP+16(0)
	PR	"", r3
	cmpdi	r24, 2
	blt	1f
	ld	r3, G_TMP+24(0)
	PR	"", r3
	cmpdi	r24, 3
	blt	1f
	ld	r3, G_TMP+40(0)
	PR	"", r3
1:	ld	r3, G_TMP+8(0)
	PR	"r", r3
	ld	r3, G_TMP+32(0)
	PR	"", r3
	NL
	addi	r1, r1, 64
	ld	r0, 16(r1)
	mtlr	r0
	blr

/* binary op over all pairs of bvals, all RN */
.macro FBIN insn
	li	r20, 0
.Lr\@:	li	r21, 0
.La\@:	li	r22, 0
.Lb\@:	LA	r25, bvals
	sldi	r0, r21, 3
	lfdx	f2, r25, r0
	sldi	r0, r22, 3
	lfdx	f3, r25, r0
	mr	r3, r20
	bl	set_fpscr
	\insn	f1, f2, f3
	mffs	f4
	li	r24, 2
	P	"\insn"
	bl	frep
	addi	r22, r22, 1
	cmpdi	r22, NB
	blt	.Lb\@
	addi	r21, r21, 1
	cmpdi	r21, NB
	blt	.La\@
	addi	r20, r20, 1
	cmpdi	r20, 4
	blt	.Lr\@
.endm

/* unary op over a table, all RN */
.macro FUN insn, tbl=uvals, n=NU
	li	r20, 0
.Lr\@:	li	r21, 0
.La\@:	LA	r25, \tbl
	sldi	r0, r21, 3
	lfdx	f2, r25, r0
	mr	r3, r20
	bl	set_fpscr
	LI64	r3, 0x5a5a5a5a5a5a5a5a
	std	r3, G_TMP+8(0)
	lfd	f1, G_TMP+8(0)
	\insn	f1, f2
	mffs	f4
	li	r24, 1
	P	"\insn"
	bl	frep
	addi	r21, r21, 1
	cmpdi	r21, \n
	blt	.La\@
	addi	r20, r20, 1
	cmpdi	r20, 4
	blt	.Lr\@
.endm

/* fused multiply-add: f1 = insn f2, f5(=tvals), f3 with f2, f3 from bvals[0..3] */
.macro FMA insn
	li	r20, 0
.Lr\@:	li	r21, 0
.La\@:	li	r22, 0
.Lb\@:	li	r23, 0
.Lc\@:	LA	r25, bvals
	sldi	r0, r21, 3
	lfdx	f2, r25, r0
	sldi	r0, r22, 3
	lfdx	f3, r25, r0
	LA	r25, tvals
	sldi	r0, r23, 3
	lfdx	f5, r25, r0
	mr	r3, r20
	bl	set_fpscr
	\insn	f1, f2, f3, f5
	mffs	f4
	li	r24, 3
	P	"\insn"
	bl	frep
	addi	r23, r23, 1
	cmpdi	r23, NT
	blt	.Lc\@
	addi	r22, r22, 1
	cmpdi	r22, 5
	blt	.Lb\@
	addi	r21, r21, 1
	cmpdi	r21, 5
	blt	.La\@
	addi	r20, r20, 1
	cmpdi	r20, 4
	blt	.Lr\@
.endm

.macro SHOWFPSCR label
	mffs	f4
	stfd	f4, G_TMP+32(0)
	ld	r3, G_TMP+32(0)
	PR	"\label fpscr", r3
	NL
.endm

	.globl	test_main
test_main:
	mflr	r0
	std	r0, 16(r1)
	stdu	r1, -128(r1)
	mfmsr	r3
	ori	r3, r3, MSR_FP
	mtmsrd	r3
	isync

	P	"== arithmetic\n"
	FBIN	fadd
	FBIN	fsub
	FBIN	fmul
	FBIN	fdiv
	FBIN	fadds
	FBIN	fmuls
	FBIN	fdivs
	FBIN	fcpsgn
	P	"== fused multiply-add (a*c+b etc)\n"
	FMA	fmadd
	FMA	fmsub
	FMA	fnmadd
	FMA	fnmsubs
	FMA	fsel
	P	"== conversions and unary\n"
	FUN	frsp
	FUN	fctid
	FUN	fctidz
	FUN	fctidu
	FUN	fctiw
	FUN	fctiwz
	FUN	fctiwuz
	FUN	frin
	FUN	friz
	FUN	frip
	FUN	frim
	FUN	fsqrt
	FUN	fre
	FUN	frsqrte
	FUN	fcfid, ivals, NI
	FUN	fcfidu, ivals, NI
	FUN	fcfids, ivals, NI
	FUN	fcfidus, ivals, NI
	li	r20, 0
	FUN	fabs
	FUN	fnabs
	FUN	fneg
	FUN	fmr.

	P	"== compares\n"
	li	r21, 0
1:	li	r22, 0
2:	LA	r25, bvals
	sldi	r0, r21, 3
	lfdx	f2, r25, r0
	sldi	r0, r22, 3
	lfdx	f3, r25, r0
	li	r3, 0
	bl	set_fpscr
	li	r0, 0
	mtcrf	0xff, r0
	fcmpu	cr1, f2, f3
	fcmpo	cr6, f3, f2
	mfcr	r4
	mffs	f4
	stfd	f4, G_TMP+32(0)
	ld	r5, G_TMP+32(0)
	stfd	f2, G_TMP(0)
	ld	r6, G_TMP(0)
	stfd	f3, G_TMP(0)
	ld	r7, G_TMP(0)
	PR	"fcmpu/fcmpo a", r6
	PR	b, r7
	PR32	cr, r4
	PR	fpscr, r5
	NL
	addi	r22, r22, 1
	cmpdi	r22, NB
	blt	2b
	addi	r21, r21, 1
	cmpdi	r21, NB
	blt	1b

	P	"== FPSCR instructions\n"
	li	r3, 0
	bl	set_fpscr
	mtfsb1	0
	SHOWFPSCR "mtfsb1 0 (FX)"
	mtfsb1	3
	SHOWFPSCR "mtfsb1 3 (OX)"
	mtfsb1	7
	SHOWFPSCR "mtfsb1 7 (VXSNAN)"
	mtfsb0	7
	SHOWFPSCR "mtfsb0 7"
	mtfsb1	1
	SHOWFPSCR "mtfsb1 1 (FEX, not settable)"
	mtfsb1	2
	SHOWFPSCR "mtfsb1 2 (VX, not settable)"
	mtfsb0	0
	SHOWFPSCR "mtfsb0 0"
	mtfsfi	7, 3
	SHOWFPSCR "mtfsfi 7,3"
	mtfsfi	0, 0xf
	SHOWFPSCR "mtfsfi 0,f"
	mtfsfi	7, 1, 1
	SHOWFPSCR "mtfsfi 7,1,W=1 (DRN)"
	LI64	r3, 0xffffffffffffffff
	std	r3, G_TMP(0)
	lfd	f0, G_TMP(0)
	mtfsf	0xff, f0
	SHOWFPSCR "mtfsf ff,-1"
	mtfsf	0xff, f0, 1, 0
	SHOWFPSCR "mtfsf L=1,-1"
	li	r3, 0
	std	r3, G_TMP(0)
	lfd	f0, G_TMP(0)
	mtfsf	0x81, f0
	SHOWFPSCR "mtfsf 81,0"
	li	r0, 0
	mtcrf	0xff, r0
	mcrfs	cr2, 1
	mcrfs	cr3, 0
	mfcr	r4
	PR32	"mcrfs cr2,1 cr3,0 cr", r4
	NL
	SHOWFPSCR "after mcrfs"
	LI64	r3, 0x00000000fff80ff3
	bl	set_fpscr
	li	r0, 0
	mtcrf	0xff, r0
	mffs.	f1
	mfcr	r4
	PR32	"mffs. cr", r4
	NL
	mffsce	f1
	stfd	f1, G_TMP(0)
	ld	r3, G_TMP(0)
	PR	"mffsce result", r3
	NL
	SHOWFPSCR "after mffsce"
	mffsl	f1
	stfd	f1, G_TMP(0)
	ld	r3, G_TMP(0)
	PR	"mffsl result", r3
	NL
	li	r3, 2
	std	r3, G_TMP(0)
	lfd	f6, G_TMP(0)
	mffscrn	f1, f6
	stfd	f1, G_TMP(0)
	ld	r3, G_TMP(0)
	PR	"mffscrn 2 result", r3
	NL
	SHOWFPSCR "after mffscrn"
	mffscrni f1, 1
	SHOWFPSCR "after mffscrni 1"
	/* FR/FI/FPRF for an inexact add, and an SNaN operand with VE=0 */
	li	r3, 0
	bl	set_fpscr
	LA	r25, bvals
	lfd	f2, 8(r25)
	lfd	f3, 16(r25)
	fadd.	f1, f2, f3
	mfcr	r4
	PR32	"fadd. cr", r4
	NL
	SHOWFPSCR "fadd. inexact"

	P	"== FP loads/stores\n"
	LI64	r31, SCR
	LI64	r3, 0x3fb999999999999a
	std	r3, 0(r31)
	LI64	r3, 0x7f7fffff00800000	/* word0 = 2^-126, word1 = FLT_MAX (LE) */
	std	r3, 8(r31)
	LI64	r3, 0x80000001ff800001	/* word0 = SNaN, word1 = -denorm */
	std	r3, 16(r31)
	.irp	off, 8, 12, 16, 20
	lfs	f1, \off(r31)
	stfd	f1, G_TMP(0)
	ld	r3, G_TMP(0)
	PR	"lfs \off", r3
	NL
	.endr
	lfd	f1, 0(r31)
	stfs	f1, 32(r31)
	lwz	r3, 32(r31)
	PR32	"stfs 0.1", r3
	LI64	r3, 0x47f0000000000000
	std	r3, G_TMP(0)
	lfd	f1, G_TMP(0)
	stfs	f1, 32(r31)
	lwz	r3, 32(r31)
	PR32	"stfs 2^128", r3
	LI64	r3, 0x3690000000000000
	std	r3, G_TMP(0)
	lfd	f1, G_TMP(0)
	stfs	f1, 32(r31)
	lwz	r3, 32(r31)
	PR32	"stfs 2^-150", r3
	LI64	r3, 0x7ff4000000000000
	std	r3, G_TMP(0)
	lfd	f1, G_TMP(0)
	stfs	f1, 32(r31)
	lwz	r3, 32(r31)
	PR32	"stfs snan", r3
	NL
	li	r4, 20
	lfiwax	f1, r31, r4
	stfd	f1, G_TMP(0)
	ld	r3, G_TMP(0)
	PR	"lfiwax", r3
	lfiwzx	f1, r31, r4
	stfd	f1, G_TMP(0)
	ld	r3, G_TMP(0)
	PR	"lfiwzx", r3
	LI64	r3, 0x1122334455667788
	std	r3, G_TMP(0)
	lfd	f1, G_TMP(0)
	li	r4, 40
	stfiwx	f1, r31, r4
	lwz	r3, 40(r31)
	PR32	"stfiwx", r3
	NL
	mr	r20, r31
	lfdu	f1, 8(r20)
	stfdu	f1, 32(r20)
	subf	r3, r31, r20
	ld	r4, 40(r31)
	PR32	"lfdu/stfdu ra", r3
	PR	mem, r4
	NL
	lfdp	f6, 0(r31)
	stfd	f6, G_TMP(0)
	stfd	f7, G_TMP+8(0)
	ld	r3, G_TMP(0)
	ld	r4, G_TMP+8(0)
	PR	"lfdp f6", r3
	PR	f7, r4
	NL

	addi	r1, r1, 128
	ld	r0, 16(r1)
	mtlr	r0
	blr
