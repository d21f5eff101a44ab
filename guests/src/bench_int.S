/*
 * bench_int: integer loop for the interpreter-speed benchmark
 * (scripts/bench-mips.sh). 64-bit LE, translation off.
 *
 * The loop body is exactly INT_BODY = 20 instructions (bdnz included) and runs
 * INT_ITERS times, so the loop retires 20 * 100 000 000 = 2 000 000 000
 * instructions; start-up, printing and exit add a few thousand more.
 * Dependent and independent add/rotate/logical/compare chains, two
 * conditional branches that are never taken, and the bdnz back edge.
 * The final register values are printed so papr and QEMU can be compared.
 */
#include "common.h"
#define INT_ITERS 100000000

	.text
	.globl	test_main
test_main:
	mflr	r0
	std	r0, 16(r1)
	stdu	r1, -64(r1)
	LI64	r3, INT_ITERS
	mtctr	r3
	LI64	r4, 0x0123456789abcdef
	LI64	r5, 0x0fedcba987654321
	li	r6, 0
	LI64	r7, 0x5555aaaa3333cccc
	li	r8, 0
	li	r9, 0
	li	r10, 0
	li	r11, 0
	li	r12, 0
	li	r13, 0
	li	r14, 0
	li	r15, 0
	li	r16, 0
	li	r17, 0
	li	r18, 0
	.balign	32
1:	add	r4, r4, r5		/* 1 */
	addi	r6, r6, 1		/* 2  r6 = iteration number, 1..INT_ITERS */
	rotldi	r7, r7, 13		/* 3 */
	xor	r8, r8, r4		/* 4 */
	add	r9, r9, r6		/* 5 */
	rlwinm	r10, r8, 3, 0, 28	/* 6 */
	addi	r11, r11, 3		/* 7 */
	subf	r12, r11, r7		/* 8 */
	and	r13, r12, r8		/* 9 */
	or	r14, r14, r13		/* 10 */
	rotld	r15, r9, r10		/* 11 */
	extsw	r16, r15		/* 12 */
	cmpld	cr1, r6, r3		/* 13 */
	bgt	cr1, 9f			/* 14 never taken: r6 <= r3 */
	add	r5, r5, r10		/* 15 */
	xor	r17, r17, r16		/* 16 */
	cmpdi	cr6, r6, 0		/* 17 */
	beq	cr6, 9f			/* 18 never taken: r6 >= 1 */
	neg	r18, r17		/* 19 */
	bdnz	1b			/* 20 */
	PR	r4, r4
	PR	r9, r9
	PR	r14, r14
	NL
	PR	r17, r17
	PR	r18, r18
	NL
	b	2f
9:	P	"FAIL: branch taken\n"
2:	addi	r1, r1, 64
	ld	r0, 16(r1)
	mtlr	r0
	blr
