/*
 * vfp: the VSX vector floating-point instructions, the VSX scalar double and
 * single instructions not covered by fp.S, and the VMX floating-point
 * instructions (Power ISA 3.0B Book I 7.6 and 6.9).  Operands are loaded
 * with lxv from little-endian 128-bit images (so a register holds them in
 * ISA order); VSX instructions use VSRs 33..36 (= v1..v4), target 33.  The
 * FPSCR is set to RN with every status bit clear before each VSX
 * instruction; lines are
 *   OP rn=RN a=A [b=B [t=T]] r=RESULT fpscr=FPSCR
 * (VSRs printed as DW0_DW1; FPSCR read by mffs right after the
 * instruction); compares and tests print CR; VMX lines print VSCR and
 * start from a given VSCR[NJ] (nj=).  The nmadd/nmsub forms run in RN 0
 * and 1 only (in RP/RM QEMU 7.2 rounds the negated value, a difference the
 * fp and fpq guests already document).  Last, the half-precision
 * conversions xscvdphp/xscvhpdp/xvcvsphp/xvcvhpsp over edge operands.
 */
#include "common.h"
#include "vsxmacros.h"

	.data
	.balign	16
/* vector binary64 pairs: .quad DW1, DW0 */
dvec:
	.quad	0xbfb999999999999a, 0x3ff0000000000000	/* 1.0, -0.1 */
	.quad	0x7fefffffffffffff, 0x4008000000000000	/* 3.0, max */
	.quad	0x8000000000000000, 0x0010000000000001	/* min normal+, -0 */
	.quad	0x7ff4000000000000, 0x7ff0000000000000	/* +inf, SNaN */
	.quad	0xfff8000000001234, 0x0000000000000001	/* min sub, -QNaN */
	.quad	0xfff0000000000000, 0x3fd5555555555555	/* 1/3, -inf */
#define NDV 6
/* multiply-add addends */
dtv:
	.quad	0xbca0000000000000, 0x3ff0000000000000	/* 1.0, -2^-53 */
	.quad	0x8000000000000000, 0xfff0000000000000	/* -inf, -0 */
#define NDT 2
/* vector binary32 quadruples: .quad w2:w3, w0:w1 */
svec:
	.quad	0x400000007f7fffff, 0x3f800000bdcccccd	/* 1, -0.1, 3, max */
	.quad	0x7f8000007fa00000, 0x0080000180000000	/* minnorm+, -0, inf, SNaN */
	.quad	0x3eaaaaabff800000, 0x00000001ffc01234	/* minsub, -QNaN, 1/3, -inf */
	.quad	0xf18000000d800000, 0x3fc0000000400000	/* 1.5, denormal, -2^100, 2^-100 */
#define NSV 4
stv:
	.quad	0xff80000080000000, 0x3f800000b3800000	/* 1, -2^-24, -inf, -0 */
#define NST 1
/* unary binary64 pairs */
udvec:
	.quad	0xbff8000000000000, 0x3ff0000000000000	/* 1.0, -1.5 */
	.quad	0x4004000000000000, 0x3fb999999999999a	/* 0.1, 2.5 */
	.quad	0x7fefffffffffffff, 0xc00c000000000000	/* -3.5, max */
	.quad	0x8000000000000000, 0x0000000000000001	/* min sub, -0 */
	.quad	0x7ff8000000000000, 0xfff0000000000000	/* -inf, QNaN */
	.quad	0x43e0000000000000, 0xfff4000000000000	/* -SNaN, 2^63 */
	.quad	0x41dfffffffe00000, 0xc3e0000000000001	/* -(2^63+2048), 2^31-0.5 */
	.quad	0x7e37e43c8800759c, 0x41efffffffe00000	/* 2^32-0.5, 1e300 */
	.quad	0x3ff0000000000001, 0x0000100000000000	/* 2^-1030, 1+2^-52 */
	.quad	0x800012688b70e62b, 0x4010000000000000	/* 4.0, -1e-310 */
	.quad	0x37a16c262777579c, 0xc3e0000000000000	/* -2^63, 1e-40 */
#define NUD 11
/* unary binary32 quadruples */
usvec:
	.quad	0x3dcccccd40200000, 0x3f800000bfc00000	/* 1, -1.5, 0.1, 2.5 */
	.quad	0x0000000180000000, 0xc06000007f7fffff	/* -3.5, max, minsub, -0 */
	.quad	0xffa000004f000000, 0xff8000007fc00000	/* -inf, QNaN, -SNaN, 2^31 */
	.quad	0x7149f2ca3f800001, 0xcf0000014f7fffff	/* -(2^31+256), 2^32-256, 1e30, 1+2^-23 */
	.quad	0x3f000000000116c2, 0x4080000000080000	/* 4, 2^-130, 0.5, 1e-40 */
	.quad	0x4b800000cf000000, 0xbf800000c2fc0000	/* -1, -126, 2^24, -2^31 */
#define NUS 6
/* 64-bit integer pairs */
divec:
	.quad	0x0000000000000001, 0x0000000000000000
	.quad	0x7fffffffffffffff, 0xffffffffffffffff
	.quad	0x0020000000000001, 0x8000000000000000
	.quad	0x123456789abcdef1, 0xfffffffffffffffd
#define NDI 4
/* 32-bit integer quadruples */
sivec:
	.quad	0xffffffff7fffffff, 0x0000000000000001
	.quad	0xfffffffd12345679, 0x8000000001000001
	.quad	0x00ffffff7ffffe00, 0xff000001fffffe01
#define NSI 3
/* scalar operands (doubleword 0; doubleword 1 zero) */
sdv:
	.quad	0, 0x3ff0000000000000	/* 1.0 */
	.quad	0, 0xbfb999999999999a	/* -0.1 */
	.quad	0, 0x7fefffffffffffff	/* max */
	.quad	0, 0x37a16c262777579c	/* 1e-40 (single denormal range) */
	.quad	0, 0x8000000000000000	/* -0 */
	.quad	0, 0x7ff0000000000000	/* +inf */
	.quad	0, 0x7ff4000000000000	/* SNaN */
	.quad	0, 0xfff8000000001234	/* -QNaN */
#define NSD 8
sdt:
	.quad	0, 0x3ff0000000000000	/* 1.0 */
	.quad	0, 0xbca0000000000000	/* -2^-53 */
	.quad	0, 0xfff0000000000000	/* -inf */
#define NSDT 3
/* scalar unary operands */
sud:
	.quad	0, 0x3ff0000000000000, 0, 0xbff8000000000000	/* 1, -1.5 */
	.quad	0, 0x3fb999999999999a, 0, 0x4004000000000000	/* 0.1, 2.5 */
	.quad	0, 0xc00c000000000000, 0, 0x7fefffffffffffff	/* -3.5, max */
	.quad	0, 0x0000000000000001, 0, 0x8000000000000000	/* minsub, -0 */
	.quad	0, 0xfff0000000000000, 0, 0x7ff8000000000000	/* -inf, QNaN */
	.quad	0, 0xfff4000000000000, 0, 0x43e0000000000000	/* -SNaN, 2^63 */
	.quad	0, 0x37a16c262777579c, 0, 0x0000100000000000	/* 1e-40, 2^-1030 */
	.quad	0, 0x3ff0000000000001, 0, 0x4010000000000000	/* 1+2^-52, 4 */
	.quad	0, 0x47efffffe8000000, 0, 0x3e6ffffff0000000	/* near single max, near 2^-24 */
#define NSU 18
/* scalar integers */
sint:
	.quad	0, 0, 0, 1, 0, 0xffffffffffffffff, 0, 0x7fffffffffffffff
	.quad	0, 0x8000000000000000, 0, 0x0000000001000001, 0, 0xfffffffffefffffd
	.quad	0, 0x123456789abcdef1
#define NSI1 8

/* half precision: scalar doubles to narrow (doubleword 0) */
hsd:
	.quad	0, 0x3ff0000000000000	/* 1.0 */
	.quad	0, 0x40effc0000000000	/* 65504 (max half) */
	.quad	0, 0x40effe0000000000	/* 65520 (rounds to inf in RN, max in RZ) */
	.quad	0, 0x40f86a0000000000	/* 1e5 (overflow) */
	.quad	0, 0x3f10000000000000	/* 2^-14 (min normal half) */
	.quad	0, 0x3e70000000000000	/* 2^-24 (min subnormal half) */
	.quad	0, 0x3e60000000000000	/* 2^-25 (tie with 0) */
	.quad	0, 0x3e68000000000000	/* 3*2^-25 (tie) */
	.quad	0, 0x3f1a36e2eb1c432d	/* 1e-4 (subnormal half, inexact) */
	.quad	0, 0x3ff0020000000000	/* 1+2^-11 (tie to even: down) */
	.quad	0, 0x3ff0060000000000	/* 1+3*2^-11 (tie to even: up) */
	.quad	0, 0xbfd5555555555555	/* -1/3 */
	.quad	0, 0x8000000000000000	/* -0 */
	.quad	0, 0x7ff0000000000000	/* +inf */
	.quad	0, 0x7ff4000000001234	/* SNaN with payload */
	.quad	0, 0xfff0000000000001	/* -SNaN, payload below the half fraction */
	.quad	0, 0xfff8abc000000000	/* -QNaN with payload */
	.quad	0, 0x7fefffffffffffff	/* double max */
	.quad	0, 0x01a56e1fc2f8f359	/* 1e-300 */
#define NHSD 19
/* half precision: scalar halves to widen (halfword 3 of doubleword 0) */
hsh:
	.quad	0, 0x3c00	/* 1.0 */
	.quad	0, 0x7bff	/* max */
	.quad	0, 0x0400	/* min normal */
	.quad	0, 0x0001	/* min subnormal */
	.quad	0, 0x83ff	/* -max subnormal */
	.quad	0, 0x8000	/* -0 */
	.quad	0, 0x7c00	/* +inf */
	.quad	0, 0xfc00	/* -inf */
	.quad	0, 0x7d23	/* SNaN with payload */
	.quad	0, 0xfe55	/* -QNaN with payload */
	.quad	0, 0x3555	/* ~1/3 */
	.quad	0, 0x123456789abc4248	/* 3.140625, other bits set */
#define NHSH 12
/* half precision: binary32 quadruples to narrow (.quad w2:w3, w0:w1) */
hsv:
	.quad	0x477ff00047c35000, 0x3f800000477fe000	/* 1, 65504, 65520, 1e5 */
	.quad	0x3300000033400000, 0x3880000033800000	/* 2^-14, 2^-24, 2^-25, 3*2^-25 */
	.quad	0x80000000ff800000, 0x3f801000beaaaaab	/* 1+2^-11, -1/3, -0, -inf */
	.quad	0x7f7fffff00000001, 0x7fa12345ffc54321	/* SNaN, -QNaN, max, min sub */
	.quad	0x387fc0003f803000, 0x38d1b717c77fef00	/* 1e-4, -65519, max sub half, 1+3*2^-11 */
#define NHSV 5
/* half precision: halves in the low halfword of each word */
hhv:
	.quad	0x0000040000000001, 0x00003c0000007bff	/* 1, max, min normal, min sub */
	.quad	0x00007c000000fc00, 0x000083ff00008000	/* -max sub, -0, inf, -inf */
	.quad	0xabcd355512340200, 0x00007d230000fe55	/* SNaN, -QNaN, ~1/3, subnormal (other bits set) */
#define NHHV 3

	.text
/* FPSCR <- r3 (all 64 bits via mtfsf with L=1) */
set_fpscr:
	std	r3, G_TMP(0)
	lfd	f0, G_TMP(0)
	mtfsf	0xff, f0, 1, 0
	blr

/* VSCR <- r3 (NJ when r3 = 1) */
set_vscr:
	sldi	r3, r3, 16
	mtvsrdd	32, 0, r3
	mtvscr	v0
	blr

/* binary: text uses 33 (target), 34 (a), 35 (b) over all pairs of a table */
.macro XBIN name, text, tbl, n, step=1
	li	r20, 0
.Lr\@:	li	r21, 0
.La\@:	li	r22, 0
.Lb\@:	LOADQ	2, \tbl, r21
	LOADQ	3, \tbl, r22
	mr	r3, r20
	bl	set_fpscr
	POISON
	\text
	SHOWFP
	P	"\name"
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

/* multiply-add: 33 = t on input; a, b over the first \n entries of \tbl,
   t over \ttbl (\nt entries); RN from 0 below \lim */
.macro XFMA name, text, tbl, n, ttbl, nt, lim=4
	li	r20, 0
.Lr\@:	li	r21, 0
.La\@:	li	r22, 0
.Lb\@:	li	r23, 0
.Lc\@:	LOADQ	2, \tbl, r21
	LOADQ	3, \tbl, r22
	LOADQ	4, \ttbl, r23
	mr	r3, r20
	bl	set_fpscr
	vor	v1, v4, v4
	\text
	SHOWFP
	P	"\name"
	PR32	" rn", r20
	PV	a, 2
	PV	b, 3
	PV	t, 4
	ENDLINE
	addi	r23, r23, 1
	cmpdi	r23, \nt
	blt	.Lc\@
	addi	r22, r22, 1
	cmpdi	r22, \n
	blt	.Lb\@
	addi	r21, r21, 1
	cmpdi	r21, \n
	blt	.La\@
	RNLOOP_END 1, .Lr\@, \lim
.endm

/* unary: text uses 33 (target) and 35 (b) */
.macro XUN name, text, tbl, n, step=1
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
	PV	b, 3
	ENDLINE
	addi	r21, r21, 1
	cmpdi	r21, \n
	blt	.La\@
	RNLOOP_END \step, .Lr\@
.endm

/* compare/test over pairs (or, with \un = 1, over single operands):
   text uses 33/34/35 and CR fields; prints target, CR and FPSCR */
.macro XCMP name, text, tbl, n, un=0
	li	r21, 0
.La\@:	li	r22, 0
.Lb\@:	LOADQ	2, \tbl, r21
	LOADQ	3, \tbl, r22
	li	r3, 0
	bl	set_fpscr
	li	r0, 0
	mtcrf	0xff, r0
	POISON
	\text
	mfcr	r5
	SHOWFP
	P	"\name"
	.if \un == 0
	PV	" a", 2
	PV	b, 3
	.else
	PV	" b", 3
	.endif
	PV	r, 1
	PR32	cr, r5
	ld	r3, G_TMP+32(0)
	PR	fpscr, r3
	NL
	addi	r22, r22, 1
	cmpdi	r22, \n
	blt	.Lb\@
	.if \un == 0
	addi	r21, r21, 1
	cmpdi	r21, \n
	blt	.La\@
	.endif
.endm

/* scalar to GPR: text writes r5 from 35 */
.macro XGPR name, text, tbl, n
	li	r21, 0
.La\@:	LOADQ	3, \tbl, r21
	\text
	P	"\name"
	PV	" b", 3
	PR	r, r5
	NL
	addi	r21, r21, 1
	cmpdi	r21, \n
	blt	.La\@
.endm

/* VMX binary (vA = v2, vB = v3, vC = v4 from \ctbl entry 0) with NJ 0 and 1 */
.macro VBIN name, text, tbl, n
	li	r24, 0
.Lj\@:	li	r21, 0
.La\@:	li	r22, 0
.Lb\@:	LOADQ	2, \tbl, r21
	LOADQ	3, \tbl, r22
	li	r4, 0
	LOADQ	4, stv, r4
	mr	r3, r24
	bl	set_vscr
	li	r3, 0
	bl	set_fpscr
	POISON
	\text
	mfvscr	v5
	SHOWFP
	P	"\name"
	PR32	" nj", r24
	PV	a, 2
	PV	b, 3
	PV	r, 1
	PV	vscr, 5
	ld	r3, G_TMP+32(0)
	PR	fpscr, r3
	NL
	addi	r22, r22, 1
	cmpdi	r22, \n
	blt	.Lb\@
	addi	r21, r21, 1
	cmpdi	r21, \n
	blt	.La\@
	addi	r24, r24, 1
	cmpdi	r24, 2
	blt	.Lj\@
.endm

/* VMX unary (vB = v3) with NJ 0 and 1; compares print CR */
.macro VUN name, text, tbl, n
	li	r24, 0
.Lj\@:	li	r21, 0
.La\@:	LOADQ	3, \tbl, r21
	mr	r3, r24
	bl	set_vscr
	li	r0, 0
	mtcrf	0xff, r0
	POISON
	\text
	mfcr	r5
	mfvscr	v5
	P	"\name"
	PR32	" nj", r24
	PV	b, 3
	PV	r, 1
	PV	vscr, 5
	PR32	cr, r5
	NL
	addi	r21, r21, 1
	cmpdi	r21, \n
	blt	.La\@
	addi	r24, r24, 1
	cmpdi	r24, 2
	blt	.Lj\@
.endm

/* VMX compares over pairs with NJ 0 and 1: prints CR */
.macro VCMP name, text, tbl, n
	li	r24, 0
.Lj\@:	li	r21, 0
.La\@:	li	r22, 0
.Lb\@:	LOADQ	2, \tbl, r21
	LOADQ	3, \tbl, r22
	mr	r3, r24
	bl	set_vscr
	li	r0, 0
	mtcrf	0xff, r0
	POISON
	\text
	mfcr	r5
	P	"\name"
	PR32	" nj", r24
	PV	a, 2
	PV	b, 3
	PV	r, 1
	PR32	cr, r5
	NL
	addi	r22, r22, 1
	cmpdi	r22, \n
	blt	.Lb\@
	addi	r21, r21, 1
	cmpdi	r21, \n
	blt	.La\@
	addi	r24, r24, 1
	cmpdi	r24, 2
	blt	.Lj\@
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

	P	"== vector arithmetic\n"
	XBIN	xvadddp, "xvadddp 33, 34, 35", dvec, NDV
	XBIN	xvsubdp, "xvsubdp 33, 34, 35", dvec, NDV
	XBIN	xvmuldp, "xvmuldp 33, 34, 35", dvec, NDV
	XBIN	xvdivdp, "xvdivdp 33, 34, 35", dvec, NDV
	XBIN	xvaddsp, "xvaddsp 33, 34, 35", svec, NSV
	XBIN	xvsubsp, "xvsubsp 33, 34, 35", svec, NSV
	XBIN	xvmulsp, "xvmulsp 33, 34, 35", svec, NSV
	XBIN	xvdivsp, "xvdivsp 33, 34, 35", svec, NSV
	XBIN	xvmaxdp, "xvmaxdp 33, 34, 35", dvec, NDV, 4
	XBIN	xvmindp, "xvmindp 33, 34, 35", dvec, NDV, 4
	XBIN	xvmaxsp, "xvmaxsp 33, 34, 35", svec, NSV, 4
	XBIN	xvminsp, "xvminsp 33, 34, 35", svec, NSV, 4
	P	"== vector multiply-add (A: t = a*b + t, M: t = a*t + b)\n"
	XFMA	xvmaddadp, "xvmaddadp 33, 34, 35", dvec, 3, dtv, NDT
	XFMA	xvmaddmdp, "xvmaddmdp 33, 34, 35", dvec, 3, dtv, NDT
	XFMA	xvmsubadp, "xvmsubadp 33, 34, 35", dvec, 3, dtv, NDT
	XFMA	xvmsubmdp, "xvmsubmdp 33, 34, 35", dvec, 3, dtv, NDT
	XFMA	xvnmaddadp, "xvnmaddadp 33, 34, 35", dvec, 3, dtv, NDT, 2
	XFMA	xvnmaddmdp, "xvnmaddmdp 33, 34, 35", dvec, 3, dtv, NDT, 2
	XFMA	xvnmsubadp, "xvnmsubadp 33, 34, 35", dvec, 3, dtv, NDT, 2
	XFMA	xvnmsubmdp, "xvnmsubmdp 33, 34, 35", dvec, 3, dtv, NDT, 2
	XFMA	xvmaddasp, "xvmaddasp 33, 34, 35", svec, NSV, stv, NST
	XFMA	xvmaddmsp, "xvmaddmsp 33, 34, 35", svec, NSV, stv, NST
	XFMA	xvmsubasp, "xvmsubasp 33, 34, 35", svec, NSV, stv, NST
	XFMA	xvmsubmsp, "xvmsubmsp 33, 34, 35", svec, NSV, stv, NST
	XFMA	xvnmaddasp, "xvnmaddasp 33, 34, 35", svec, NSV, stv, NST, 2
	XFMA	xvnmaddmsp, "xvnmaddmsp 33, 34, 35", svec, NSV, stv, NST, 2
	XFMA	xvnmsubasp, "xvnmsubasp 33, 34, 35", svec, NSV, stv, NST, 2
	XFMA	xvnmsubmsp, "xvnmsubmsp 33, 34, 35", svec, NSV, stv, NST, 2
	P	"== vector unary\n"
	XUN	xvsqrtdp, "xvsqrtdp 33, 35", udvec, NUD
	XUN	xvsqrtsp, "xvsqrtsp 33, 35", usvec, NUS
	XUN	xvredp, "xvredp 33, 35", udvec, NUD
	XUN	xvresp, "xvresp 33, 35", usvec, NUS
	XUN	xvrsqrtedp, "xvrsqrtedp 33, 35", udvec, NUD
	XUN	xvrsqrtesp, "xvrsqrtesp 33, 35", usvec, NUS
	XUN	xvrdpi, "xvrdpi 33, 35", udvec, NUD, 4
	XUN	xvrdpic, "xvrdpic 33, 35", udvec, NUD
	XUN	xvrdpim, "xvrdpim 33, 35", udvec, NUD, 4
	XUN	xvrdpip, "xvrdpip 33, 35", udvec, NUD, 4
	XUN	xvrdpiz, "xvrdpiz 33, 35", udvec, NUD, 4
	XUN	xvrspi, "xvrspi 33, 35", usvec, NUS, 4
	XUN	xvrspic, "xvrspic 33, 35", usvec, NUS
	XUN	xvrspim, "xvrspim 33, 35", usvec, NUS, 4
	XUN	xvrspip, "xvrspip 33, 35", usvec, NUS, 4
	XUN	xvrspiz, "xvrspiz 33, 35", usvec, NUS, 4
	P	"== vector conversions\n"
	XUN	xvcvdpsp, "xvcvdpsp 33, 35", udvec, NUD
	XUN	xvcvspdp, "xvcvspdp 33, 35", usvec, NUS, 4
	XUN	xvcvdpsxds, "xvcvdpsxds 33, 35", udvec, NUD, 4
	XUN	xvcvdpuxds, "xvcvdpuxds 33, 35", udvec, NUD, 4
	XUN	xvcvdpsxws, "xvcvdpsxws 33, 35", udvec, NUD, 4
	XUN	xvcvdpuxws, "xvcvdpuxws 33, 35", udvec, NUD, 4
	XUN	xvcvspsxds, "xvcvspsxds 33, 35", usvec, NUS, 4
	XUN	xvcvspuxds, "xvcvspuxds 33, 35", usvec, NUS, 4
	XUN	xvcvspsxws, "xvcvspsxws 33, 35", usvec, NUS, 4
	XUN	xvcvspuxws, "xvcvspuxws 33, 35", usvec, NUS, 4
	XUN	xvcvsxddp, "xvcvsxddp 33, 35", divec, NDI
	XUN	xvcvuxddp, "xvcvuxddp 33, 35", divec, NDI
	XUN	xvcvsxwdp, "xvcvsxwdp 33, 35", sivec, NSI, 4
	XUN	xvcvuxwdp, "xvcvuxwdp 33, 35", sivec, NSI, 4
	XUN	xvcvsxdsp, "xvcvsxdsp 33, 35", divec, NDI
	XUN	xvcvuxdsp, "xvcvuxdsp 33, 35", divec, NDI
	XUN	xvcvsxwsp, "xvcvsxwsp 33, 35", sivec, NSI
	XUN	xvcvuxwsp, "xvcvuxwsp 33, 35", sivec, NSI
	P	"== vector fields and tests\n"
	XUN	xvxexpdp, "xvxexpdp 33, 35", udvec, NUD, 4
	XUN	xvxsigdp, "xvxsigdp 33, 35", udvec, NUD, 4
	XUN	xvxexpsp, "xvxexpsp 33, 35", usvec, NUS, 4
	XUN	xvxsigsp, "xvxsigsp 33, 35", usvec, NUS, 4
	XBIN	xviexpdp, "xviexpdp 33, 34, 35", dvec, NDV, 4
	XBIN	xviexpsp, "xviexpsp 33, 34, 35", svec, NSV, 4
	XUN	"xvtstdcdp 0x7f", "xvtstdcdp 33, 35, 0x7f", udvec, NUD, 4
	XUN	"xvtstdcdp 0x43", "xvtstdcdp 33, 35, 0x43", udvec, NUD, 4
	XUN	"xvtstdcdp 0x34", "xvtstdcdp 33, 35, 0x34", udvec, NUD, 4
	XUN	"xvtstdcsp 0x7f", "xvtstdcsp 33, 35, 0x7f", usvec, NUS, 4
	XUN	"xvtstdcsp 0x23", "xvtstdcsp 33, 35, 0x23", usvec, NUS, 4
	XUN	"xvtstdcsp 0x5c", "xvtstdcsp 33, 35, 0x5c", usvec, NUS, 4
	P	"== vector compares (CR6) and software divide/sqrt tests\n"
	XCMP	xvcmpeqdp., "xvcmpeqdp. 33, 34, 35", dvec, NDV
	XCMP	xvcmpgtdp., "xvcmpgtdp. 33, 34, 35", dvec, NDV
	XCMP	xvcmpgedp., "xvcmpgedp. 33, 34, 35", dvec, NDV
	XCMP	xvcmpeqdp, "xvcmpeqdp 33, 34, 35", dvec, 3
	XCMP	xvcmpeqsp., "xvcmpeqsp. 33, 34, 35", svec, NSV
	XCMP	xvcmpgtsp., "xvcmpgtsp. 33, 34, 35", svec, NSV
	XCMP	xvcmpgesp., "xvcmpgesp. 33, 34, 35", svec, NSV
	XCMP	xvtdivdp, "xvtdivdp cr1, 34, 35", dvec, NDV
	XCMP	xvtdivsp, "xvtdivsp cr2, 34, 35", svec, NSV
	XCMP	xvtsqrtdp, "xvtsqrtdp cr3, 35", udvec, NUD, 1
	XCMP	xvtsqrtsp, "xvtsqrtsp cr4, 35", usvec, NUS, 1

	P	"== scalar single and estimates\n"
	XBIN	xsaddsp, "xsaddsp 33, 34, 35", sdv, NSD
	XBIN	xssubsp, "xssubsp 33, 34, 35", sdv, NSD
	XBIN	xsmulsp, "xsmulsp 33, 34, 35", sdv, NSD
	XBIN	xsdivsp, "xsdivsp 33, 34, 35", sdv, NSD
	XUN	xssqrtsp, "xssqrtsp 33, 35", sud, NSU
	XUN	xsresp, "xsresp 33, 35", sud, NSU
	XUN	xsrsqrtesp, "xsrsqrtesp 33, 35", sud, NSU
	XUN	xsredp, "xsredp 33, 35", sud, NSU
	XUN	xsrsqrtedp, "xsrsqrtedp 33, 35", sud, NSU
	P	"== scalar multiply-add\n"
	XFMA	xsmaddadp, "xsmaddadp 33, 34, 35", sdv, 3, sdt, NSDT
	XFMA	xsmaddmdp, "xsmaddmdp 33, 34, 35", sdv, 3, sdt, NSDT
	XFMA	xsmsubadp, "xsmsubadp 33, 34, 35", sdv, 3, sdt, NSDT
	XFMA	xsmsubmdp, "xsmsubmdp 33, 34, 35", sdv, 3, sdt, NSDT
	XFMA	xsnmaddadp, "xsnmaddadp 33, 34, 35", sdv, 3, sdt, NSDT, 2
	XFMA	xsnmaddmdp, "xsnmaddmdp 33, 34, 35", sdv, 3, sdt, NSDT, 2
	XFMA	xsnmsubadp, "xsnmsubadp 33, 34, 35", sdv, 3, sdt, NSDT, 2
	XFMA	xsnmsubmdp, "xsnmsubmdp 33, 34, 35", sdv, 3, sdt, NSDT, 2
	XFMA	xsmaddasp, "xsmaddasp 33, 34, 35", sdv, 3, sdt, NSDT
	XFMA	xsmaddmsp, "xsmaddmsp 33, 34, 35", sdv, 3, sdt, NSDT
	XFMA	xsmsubasp, "xsmsubasp 33, 34, 35", sdv, 3, sdt, NSDT
	XFMA	xsmsubmsp, "xsmsubmsp 33, 34, 35", sdv, 3, sdt, NSDT
	XFMA	xsnmaddasp, "xsnmaddasp 33, 34, 35", sdv, 3, sdt, NSDT, 2
	XFMA	xsnmaddmsp, "xsnmaddmsp 33, 34, 35", sdv, 3, sdt, NSDT, 2
	XFMA	xsnmsubasp, "xsnmsubasp 33, 34, 35", sdv, 3, sdt, NSDT, 2
	XFMA	xsnmsubmsp, "xsnmsubmsp 33, 34, 35", sdv, 3, sdt, NSDT, 2
	P	"== scalar max/min, round to integral, conversions\n"
	XBIN	xsmaxdp, "xsmaxdp 33, 34, 35", sdv, NSD, 4
	XBIN	xsmindp, "xsmindp 33, 34, 35", sdv, NSD, 4
	XBIN	xsmaxcdp, "xsmaxcdp 33, 34, 35", sdv, NSD, 4
	XBIN	xsmincdp, "xsmincdp 33, 34, 35", sdv, NSD, 4
	XBIN	xsmaxjdp, "xsmaxjdp 33, 34, 35", sdv, NSD, 4
	XBIN	xsminjdp, "xsminjdp 33, 34, 35", sdv, NSD, 4
	XUN	xsrdpi, "xsrdpi 33, 35", sud, NSU, 4
	XUN	xsrdpic, "xsrdpic 33, 35", sud, NSU
	XUN	xsrdpim, "xsrdpim 33, 35", sud, NSU, 4
	XUN	xsrdpip, "xsrdpip 33, 35", sud, NSU, 4
	XUN	xsrdpiz, "xsrdpiz 33, 35", sud, NSU, 4
	XUN	xscvsxdsp, "xscvsxdsp 33, 35", sint, NSI1
	XUN	xscvuxdsp, "xscvuxdsp 33, 35", sint, NSI1
	P	"== scalar compares, tests and fields\n"
	XCMP	xscmpeqdp, "xscmpeqdp 33, 34, 35", sdv, NSD
	XCMP	xscmpgtdp, "xscmpgtdp 33, 34, 35", sdv, NSD
	XCMP	xscmpgedp, "xscmpgedp 33, 34, 35", sdv, NSD
	XCMP	xscmpexpdp, "xscmpexpdp cr1, 34, 35", sdv, NSD
	XCMP	xstdivdp, "xstdivdp cr2, 34, 35", sdv, NSD
	XCMP	xstsqrtdp, "xstsqrtdp cr3, 35", sud, NSU, 1
	XCMP	xststdcdp, "xststdcdp cr1, 35, 0x40; xststdcdp cr2, 35, 0x20; xststdcdp cr3, 35, 0x10; xststdcdp cr4, 35, 0x08; xststdcdp cr5, 35, 0x04; xststdcdp cr6, 35, 0x02; xststdcdp cr7, 35, 0x01; xststdcdp cr0, 35, 0x7f", sud, NSU, 1
	XCMP	xststdcsp, "xststdcsp cr1, 35, 0x40; xststdcsp cr2, 35, 0x20; xststdcsp cr3, 35, 0x10; xststdcsp cr4, 35, 0x08; xststdcsp cr5, 35, 0x04; xststdcsp cr6, 35, 0x02; xststdcsp cr7, 35, 0x01; xststdcsp cr0, 35, 0x7f", sud, NSU, 1
	XGPR	xsxexpdp, "xsxexpdp r5, 35", sud, NSU
	XGPR	xsxsigdp, "xsxsigdp r5, 35", sud, NSU
	/* xsiexpdp: sign and fraction from r6, exponent from r7 */
	LI64	r6, 0x8123456789abcdef
	li	r7, 0x7ff
	xsiexpdp 33, r6, r7
	PV	"xsiexpdp 8123456789abcdef 7ff", 1
	NL
	li	r7, 0x400
	xsiexpdp 33, r6, r7
	PV	"xsiexpdp 8123456789abcdef 400", 1
	NL
	li	r7, -1
	li	r6, 5
	xsiexpdp 33, r6, r7
	PV	"xsiexpdp 5 ffffffffffffffff", 1
	NL

	P	"== VMX floating point\n"
	VBIN	vaddfp, "vaddfp v1, v2, v3", svec, NSV
	VBIN	vsubfp, "vsubfp v1, v2, v3", svec, NSV
	VBIN	vmaxfp, "vmaxfp v1, v2, v3", svec, NSV
	VBIN	vminfp, "vminfp v1, v2, v3", svec, NSV
	VBIN	vmaddfp, "vmaddfp v1, v2, v4, v3", svec, NSV
	VBIN	vnmsubfp, "vnmsubfp v1, v2, v4, v3", svec, NSV
	VUN	vrefp, "vrefp v1, v3", usvec, NUS
	VUN	vrsqrtefp, "vrsqrtefp v1, v3", usvec, NUS
	VUN	vlogefp, "vlogefp v1, v3", usvec, NUS
	VUN	vexptefp, "vexptefp v1, v3", usvec, NUS
	VUN	vrfin, "vrfin v1, v3", usvec, NUS
	VUN	vrfiz, "vrfiz v1, v3", usvec, NUS
	VUN	vrfip, "vrfip v1, v3", usvec, NUS
	VUN	vrfim, "vrfim v1, v3", usvec, NUS
	VUN	"vcfux 0", "vcfux v1, v3, 0", sivec, NSI
	VUN	"vcfux 5", "vcfux v1, v3, 5", sivec, NSI
	VUN	"vcfsx 0", "vcfsx v1, v3, 0", sivec, NSI
	VUN	"vcfsx 31", "vcfsx v1, v3, 31", sivec, NSI
	VUN	"vctuxs 0", "vctuxs v1, v3, 0", usvec, NUS
	VUN	"vctuxs 3", "vctuxs v1, v3, 3", usvec, NUS
	VUN	"vctsxs 0", "vctsxs v1, v3, 0", usvec, NUS
	VUN	"vctsxs 31", "vctsxs v1, v3, 31", usvec, NUS
	VCMP	vcmpeqfp., "vcmpeqfp. v1, v2, v3", svec, NSV
	VCMP	vcmpgtfp., "vcmpgtfp. v1, v2, v3", svec, NSV
	VCMP	vcmpgefp., "vcmpgefp. v1, v2, v3", svec, NSV
	VCMP	vcmpbfp., "vcmpbfp. v1, v2, v3", svec, NSV
	VCMP	vcmpbfp, "vcmpbfp v1, v2, v3", svec, 2

	P	"== half precision\n"
	XUN	xscvdphp, "xscvdphp 33, 35", hsd, NHSD
	XUN	xscvhpdp, "xscvhpdp 33, 35", hsh, NHSH
	XUN	xvcvsphp, "xvcvsphp 33, 35", hsv, NHSV
	XUN	xvcvhpsp, "xvcvhpsp 33, 35", hhv, NHHV

	addi	r1, r1, 128
	ld	r0, 16(r1)
	mtlr	r0
	blr
