/*
 * fpq: the VSX scalar quad-precision instructions (Power ISA 3.0B Book I
 * 7.6).  Operands are IEEE binary128 values loaded into VRs (lxv of a
 * little-endian 128-bit integer, so the VR holds the value in ISA order).
 * Every arithmetic instruction runs over a table of edge operands in the
 * four FPSCR rounding modes (the round-to-odd "o" forms in RN = 0 and 3:
 * they ignore RN except for the sign of an exact zero sum), starting from
 * FPSCR = RN with every status bit clear and exceptions disabled.  Lines:
 *   OP rn=RN a=A [b=B [t=T]] r=RESULT fpscr=FPSCR
 * (VRs printed as DW0_DW1; FPSCR as read by mffs right after the
 * operation); compares and the data-class test also print CR.
 */
#include "common.h"
#include "vsxmacros.h"

	.data
	.balign	16
/* binary-op operands (each: low doubleword, high doubleword) */
qvals:
	.quad	0x0000000000000000, 0x3fff000000000000	/* 1.0 */
	.quad	0x999999999999999a, 0xbffb999999999999	/* -0.1 */
	.quad	0x0000000000000000, 0x4000800000000000	/* 3.0 */
	.quad	0xffffffffffffffff, 0x7ffeffffffffffff	/* max */
	.quad	0x0000000000000001, 0x0001000000000000	/* min normal + 1 ulp */
	.quad	0x0000000000000000, 0x8000000000000000	/* -0 */
	.quad	0x0000000000000000, 0x7fff000000000000	/* +inf */
	.quad	0x0000000000000000, 0x7fff400000000000	/* SNaN */
	.quad	0x0000000000000001, 0x0000000000000000	/* min subnormal */
	.quad	0x0000000000001234, 0xffff800000000000	/* -QNaN with payload */
#define NQ 10
/* multiply-add products use qvals[0..4] = 1.0, -0.1, 3.0, max, min normal+; addends: */
tvals:
	.quad	0x0000000000000000, 0x3fff000000000000	/* 1.0 */
	.quad	0x0000000000000000, 0xbf8e000000000000	/* -2^-113 */
	.quad	0x0000000000000000, 0xffff000000000000	/* -inf */
#define NT 3
#define NF 5
/* unary-op operands */
uvals:
	.quad	0x0000000000000000, 0x3fff000000000000	/* 1.0 */
	.quad	0x0000000000000000, 0xbfff800000000000	/* -1.5 */
	.quad	0x999999999999999a, 0x3ffb999999999999	/* 0.1 */
	.quad	0x0000000000000000, 0x4000400000000000	/* 2.5 */
	.quad	0x0000000000000000, 0xc000c00000000000	/* -3.5 */
	.quad	0xffffffffffffffff, 0x7ffeffffffffffff	/* max */
	.quad	0x0000000000000001, 0x0000000000000000	/* min subnormal */
	.quad	0x0000000000000000, 0x8000000000000000	/* -0 */
	.quad	0x0000000000000000, 0xffff000000000000	/* -inf */
	.quad	0x0000000000000000, 0x7fff800000000000	/* QNaN */
	.quad	0x0000000000000000, 0xffff400000000000	/* -SNaN */
	.quad	0x0000000000000001, 0x406f000000000000	/* 2^112+1 */
	.quad	0x0000000000000000, 0x403e000000000000	/* 2^63 */
	.quad	0x0002000000000000, 0xc03e000000000000	/* -(2^63+1) */
	.quad	0x0000000000000000, 0x401dfffffffe0000	/* 2^31-0.5 */
	.quad	0x0000000000000000, 0x401effffffff0000	/* 2^32-0.5 */
	.quad	0x0000000000000000, 0x43ff000000000000	/* 2^1024 */
	.quad	0x0000000000000000, 0x3bcd800000000000	/* 1.5*2^-1074 */
	.quad	0x0010000000000000, 0x3fff000000000000	/* 1+2^-60 */
	.quad	0x0800000000000000, 0xbfff000000000000	/* -(1+2^-53) */
	.quad	0x0000000000000000, 0x0001800000000000	/* 1.5*2^-16382 */
	.quad	0x0000000000000000, 0x0000000040000000	/* 2^-16400 */
	.quad	0x0001000000000001, 0x3fff000000000000	/* 1+2^-64+2^-112 */
	.quad	0xfffe000000000000, 0x7ffeffffffffffff	/* 2^16383*(2-2^-63) */
#define NU 24
/* doubleword-0 operands of xscvdpqp (binary64), xscvsdqp/xscvudqp
   (integers) and xsiexpqp (exponents); doubleword 1 is 0 */
dvals:
	.quad	0, 0x3ff0000000000000, 0, 0xbfb999999999999a
	.quad	0, 0x7fefffffffffffff, 0, 0x0000000000000001
	.quad	0, 0x8000000000000000, 0, 0xfff0000000000000
	.quad	0, 0x7ff4000000000001, 0, 0x7ff8000000000000
#define ND 8
ivals:
	.quad	0, 0, 0, 1, 0, 0xffffffffffffffff, 0, 0x7fffffffffffffff
	.quad	0, 0x8000000000000000, 0, 0x0020000000000001, 0, 0xfffffffffffffffd
	.quad	0, 0x123456789abcdef1
#define NI 8
evals:
	.quad	0, 0, 0, 1, 0, 0x3fff, 0, 0x7fff, 0, 0xffffffffffff8001
#define NE 5

	.text
/* FPSCR <- r3 (all 64 bits via mtfsf with L=1) */
set_fpscr:
	std	r3, G_TMP(0)
	lfd	f0, G_TMP(0)
	mtfsf	0xff, f0, 1, 0
	blr

/* v1 = insn v2, v3 over all pairs of the first \n qvals */
.macro QBIN insn, step=1, n=NQ
	li	r20, 0
.Lr\@:	li	r21, 0
.La\@:	li	r22, 0
.Lb\@:	LOADQ	2, qvals, r21
	LOADQ	3, qvals, r22
	mr	r3, r20
	bl	set_fpscr
	POISON
	\insn	v1, v2, v3
	SHOWFP
	P	"\insn"
	PR32	" rn", r20
	PV	a, 2
	PV	b, 3
	ENDLINE
	addi	r22, r22, 1
	cmpdi	r22, \n
	blt	.Lb\@
	addi	r21, r21, 1
	cmpdi	r21, \n
	blt	.La\@
	RNLOOP_END \step, .Lr\@
.endm

/* v1 = insn v2, v3 with v1 = addend t on input */
.macro QFMA insn, step=1
	li	r20, 0
.Lr\@:	li	r21, 0
.La\@:	li	r22, 0
.Lb\@:	li	r23, 0
.Lc\@:	LOADQ	2, qvals, r21
	LOADQ	3, qvals, r22
	LOADQ	4, tvals, r23
	mr	r3, r20
	bl	set_fpscr
	vor	v1, v4, v4
	\insn	v1, v2, v3
	SHOWFP
	P	"\insn"
	PR32	" rn", r20
	PV	a, 2
	PV	b, 3
	PV	t, 4
	ENDLINE
	addi	r23, r23, 1
	cmpdi	r23, NT
	blt	.Lc\@
	addi	r22, r22, 1
	cmpdi	r22, NF
	blt	.Lb\@
	addi	r21, r21, 1
	cmpdi	r21, NF
	blt	.La\@
	RNLOOP_END \step, .Lr\@
.endm

/* unary: v1 = insn v3 (text is the whole instruction, with v1/v3) over a table */
.macro QUN name, text, step=1, tbl=uvals, n=NU
	li	r20, 0
.Lr\@:	li	r21, 0
.La\@:	LOADQ	3, \tbl, r21
	mr	r3, r20
	bl	set_fpscr
	POISON
	\text
	SHOWFP
	P	"\name"
	PR32	" rn", r20
	PV	a, 3
	ENDLINE
	addi	r21, r21, 1
	cmpdi	r21, \n
	blt	.La\@
	RNLOOP_END \step, .Lr\@
.endm

/* compare: text uses cr1, v2, v3; prints CR and FPSCR */
.macro QCMP name, text
	li	r21, 0
.La\@:	li	r22, 0
.Lb\@:	LOADQ	2, qvals, r21
	LOADQ	3, qvals, r22
	li	r3, 0
	bl	set_fpscr
	li	r0, 0
	mtcrf	0xff, r0
	\text
	mfcr	r5
	SHOWFP
	P	"\name"
	PV	" a", 2
	PV	b, 3
	PR32	cr, r5
	ld	r3, G_TMP+32(0)
	PR	fpscr, r3
	NL
	addi	r22, r22, 1
	cmpdi	r22, NQ
	blt	.Lb\@
	addi	r21, r21, 1
	cmpdi	r21, NQ
	blt	.La\@
.endm

	.globl	test_main
test_main:
	mflr	r0
	std	r0, 16(r1)
	stdu	r1, -128(r1)
	mfmsr	r3
	ori	r3, r3, MSR_FP
	oris	r3, r3, (MSR_VEC|MSR_VSX)@h
	mtmsrd	r3
	isync

	P	"== arithmetic\n"
	QBIN	xsaddqp
	QBIN	xsaddqpo, 3
	QBIN	xssubqp
	QBIN	xssubqpo, 3
	QBIN	xsmulqp
	QBIN	xsmulqpo, 3
	QBIN	xsdivqp
	QBIN	xsdivqpo, 3
	P	"== multiply-add (t = a*b + t etc)\n"
	QFMA	xsmaddqp
	QFMA	xsmaddqpo, 3
	QFMA	xsmsubqp
	QFMA	xsmsubqpo, 3
	QFMA	xsnmaddqp
	QFMA	xsnmaddqpo, 3
	QFMA	xsnmsubqp
	QFMA	xsnmsubqpo, 3
	P	"== square root, conversions, rounding\n"
	QUN	xssqrtqp, "xssqrtqp v1, v3"
	QUN	xssqrtqpo, "xssqrtqpo v1, v3", 3
	QUN	xscvqpdp, "xscvqpdp v1, v3"
	QUN	xscvqpdpo, "xscvqpdpo v1, v3", 3
	QUN	xscvqpsdz, "xscvqpsdz v1, v3", 4
	QUN	xscvqpswz, "xscvqpswz v1, v3", 4
	QUN	xscvqpudz, "xscvqpudz v1, v3", 4
	QUN	xscvqpuwz, "xscvqpuwz v1, v3", 4
	QUN	"xsrqpi 0,rmc=0", "xsrqpi 0, v1, v3, 0", 4
	QUN	"xsrqpi 0,rmc=3", "xsrqpi 0, v1, v3, 3"
	QUN	"xsrqpi 1,rmc=0", "xsrqpi 1, v1, v3, 0", 4
	QUN	"xsrqpi 1,rmc=1", "xsrqpi 1, v1, v3, 1", 4
	QUN	"xsrqpi 1,rmc=2", "xsrqpi 1, v1, v3, 2", 4
	QUN	"xsrqpi 1,rmc=3", "xsrqpi 1, v1, v3, 3", 4
	QUN	"xsrqpix 0,rmc=0", "xsrqpix 0, v1, v3, 0", 4
	QUN	"xsrqpix 0,rmc=3", "xsrqpix 0, v1, v3, 3"
	QUN	"xsrqpix 1,rmc=0", "xsrqpix 1, v1, v3, 0", 4
	QUN	"xsrqpix 1,rmc=1", "xsrqpix 1, v1, v3, 1", 4
	QUN	"xsrqpix 1,rmc=2", "xsrqpix 1, v1, v3, 2", 4
	QUN	"xsrqpix 1,rmc=3", "xsrqpix 1, v1, v3, 3", 4
	QUN	"xsrqpxp 0,rmc=0", "xsrqpxp 0, v1, v3, 0", 4
	QUN	"xsrqpxp 0,rmc=3", "xsrqpxp 0, v1, v3, 3"
	QUN	"xsrqpxp 1,rmc=0", "xsrqpxp 1, v1, v3, 0", 4
	QUN	"xsrqpxp 1,rmc=1", "xsrqpxp 1, v1, v3, 1", 4
	QUN	"xsrqpxp 1,rmc=2", "xsrqpxp 1, v1, v3, 2", 4
	QUN	"xsrqpxp 1,rmc=3", "xsrqpxp 1, v1, v3, 3", 4
	QUN	xscvdpqp, "xscvdpqp v1, v3", 4, dvals, ND
	QUN	xscvsdqp, "xscvsdqp v1, v3", 4, ivals, NI
	QUN	xscvudqp, "xscvudqp v1, v3", 4, ivals, NI
	P	"== sign and field operations\n"
	QUN	xsabsqp, "xsabsqp v1, v3", 4
	QUN	xsnabsqp, "xsnabsqp v1, v3", 4
	QUN	xsnegqp, "xsnegqp v1, v3", 4
	QUN	xsxexpqp, "xsxexpqp v1, v3", 4
	QUN	xsxsigqp, "xsxsigqp v1, v3", 4
	QBIN	xscpsgnqp, 4, 5
	/* xsiexpqp: sign and fraction of qvals[i], exponent from evals[j] */
	li	r21, 0
1:	li	r22, 0
2:	LOADQ	2, qvals, r21
	LOADQ	3, evals, r22
	li	r3, 0
	bl	set_fpscr
	POISON
	xsiexpqp v1, v2, v3
	SHOWFP
	P	"xsiexpqp"
	PV	" a", 2
	PV	b, 3
	ENDLINE
	addi	r22, r22, 1
	cmpdi	r22, NE
	blt	2b
	addi	r21, r21, 1
	cmpdi	r21, NQ
	blt	1b

	P	"== compares\n"
	QCMP	xscmpuqp, "xscmpuqp cr1, v2, v3"
	QCMP	xscmpoqp, "xscmpoqp cr6, v2, v3"
	QCMP	xscmpexpqp, "xscmpexpqp cr3, v2, v3"
	/* xststdcqp: cr0 all classes, cr1..cr7 one DCMX bit each (0x40..0x01) */
	li	r21, 0
1:	LOADQ	3, uvals, r21
	li	r3, 0
	bl	set_fpscr
	li	r0, 0
	mtcrf	0xff, r0
	xststdcqp cr1, v3, 0x40
	xststdcqp cr2, v3, 0x20
	xststdcqp cr3, v3, 0x10
	xststdcqp cr4, v3, 0x08
	xststdcqp cr5, v3, 0x04
	xststdcqp cr6, v3, 0x02
	xststdcqp cr7, v3, 0x01
	xststdcqp cr0, v3, 0x7f
	mfcr	r5
	SHOWFP
	P	"xststdcqp"
	PV	" a", 3
	PR32	cr, r5
	ld	r3, G_TMP+32(0)
	PR	fpscr, r3
	NL
	addi	r21, r21, 1
	cmpdi	r21, NU
	blt	1b

	addi	r1, r1, 128
	ld	r0, 16(r1)
	mtlr	r0
	blr
