/*
 * bench_fp: floating-point loop for the interpreter-speed benchmark
 * (scripts/bench-mips.sh). 64-bit LE, translation off, MSR[FP]=1.
 *
 * The loop body is exactly 16 instructions (5 fmadd, 5 fadd, 5 fmul on
 * independent accumulators, then bdnz) and runs FP_ITERS times:
 * 16 * 8 000 000 = 128 000 000 instructions, plus start-up/printing.
 * The operands stay normal numbers: f1..f5 += 0.5 * 0.25, f6..f10 += 1.0,
 * f11..f15 *= 0.999999 (down to about 3e-4 after 8e6 steps).
 * One accumulator of each kind is printed so papr and QEMU can be compared.
 */
#include "common.h"
#define FP_ITERS 8000000

	.data
	.balign	8
fpconst:
	.double	0.5, 0.25, 1.0, 0.999999, 1.0

	.text
	.globl	test_main
test_main:
	mflr	r0
	std	r0, 16(r1)
	stdu	r1, -64(r1)
	mfmsr	r3
	ori	r3, r3, MSR_FP
	mtmsrd	r3
	isync
	LA	r4, fpconst
	lfd	f20, 0(r4)
	lfd	f21, 8(r4)
	lfd	f22, 16(r4)
	lfd	f23, 24(r4)
	lfd	f1, 32(r4)
	fmr	f2, f1
	fmr	f3, f1
	fmr	f4, f1
	fmr	f5, f1
	fmr	f6, f1
	fmr	f7, f1
	fmr	f8, f1
	fmr	f9, f1
	fmr	f10, f1
	fmr	f11, f1
	fmr	f12, f1
	fmr	f13, f1
	fmr	f14, f1
	fmr	f15, f1
	LI64	r3, FP_ITERS
	mtctr	r3
	.balign	32
1:	fmadd	f1, f20, f21, f1	/* 1 */
	fadd	f6, f6, f22
	fmul	f11, f11, f23
	fmadd	f2, f20, f21, f2
	fadd	f7, f7, f22		/* 5 */
	fmul	f12, f12, f23
	fmadd	f3, f20, f21, f3
	fadd	f8, f8, f22
	fmul	f13, f13, f23
	fmadd	f4, f20, f21, f4	/* 10 */
	fadd	f9, f9, f22
	fmul	f14, f14, f23
	fmadd	f5, f20, f21, f5
	fadd	f10, f10, f22
	fmul	f15, f15, f23		/* 15 */
	bdnz	1b			/* 16 */
	stfd	f1, -16(r1)
	ld	r3, -16(r1)
	PR	f1, r3
	stfd	f6, -16(r1)
	ld	r3, -16(r1)
	PR	f6, r3
	stfd	f11, -16(r1)
	ld	r3, -16(r1)
	PR	f11, r3
	NL
	mffs	f0
	stfd	f0, -16(r1)
	ld	r3, -16(r1)
	PR	fpscr, r3
	NL
	addi	r1, r1, 64
	ld	r0, 16(r1)
	mtlr	r0
	blr
