/*
 * bench_copy: memory-copy loop for the interpreter-speed benchmark
 * (scripts/bench-mips.sh). 64-bit LE, translation off.
 *
 * Copies a 1 MiB buffer at real 0x1000000 to real 0x1100000, COPY_PASSES
 * times, with ld/std (32 bytes per iteration). Instruction count:
 *   inner body = 11 instructions (4 ld, 4 std, 2 addi, bdnz), 32768 per pass
 *   outer body = 6 instructions (mr, mr, mtctr, addi, cmpdi, bne) per pass
 *   loop total = COPY_PASSES * (32768 * 11 + 6) = 1024 * 360454 = 369 104 896
 * plus the source fill (below: 131072 * 4 + a few) and start-up/printing.
 * The source is filled with a pattern first; a checksum of the destination
 * is printed at the end so papr and QEMU can be compared.
 */
#include "common.h"
#define COPY_PASSES 1024
#define SRC 0x1000000
#define DST 0x1100000
#define LEN 0x100000

	.text
	.globl	test_main
test_main:
	mflr	r0
	std	r0, 16(r1)
	stdu	r1, -64(r1)
	/* fill the source: 131072 doublewords of i * 0x9e3779b97f4a7c15 */
	LI64	r21, SRC
	LI64	r22, DST
	LI64	r7, 0x9e3779b97f4a7c15
	li	r6, 0
	lis	r3, (LEN / 8)@h
	ori	r3, r3, (LEN / 8)@l
	mtctr	r3
	addi	r4, r21, -8
3:	add	r6, r6, r7		/* fill body: 4 instructions */
	stdu	r6, 8(r4)
	nop
	bdnz	3b
	li	r20, COPY_PASSES
	lis	r23, (LEN / 32)@h
	ori	r23, r23, (LEN / 32)@l
	.balign	32
2:	mr	r4, r21			/* outer 1 */
	mr	r5, r22			/* outer 2 */
	mtctr	r23			/* outer 3 */
1:	ld	r6, 0(r4)		/* inner 1 */
	ld	r7, 8(r4)
	ld	r8, 16(r4)
	ld	r9, 24(r4)
	std	r6, 0(r5)
	std	r7, 8(r5)
	std	r8, 16(r5)
	std	r9, 24(r5)
	addi	r4, r4, 32
	addi	r5, r5, 32
	bdnz	1b			/* inner 11 */
	addi	r20, r20, -1		/* outer 4 */
	cmpdi	r20, 0			/* outer 5 */
	bne	2b			/* outer 6 */
	/* checksum (xor-rotate) of the destination */
	li	r3, 0
	lis	r6, (LEN / 8)@h
	ori	r6, r6, (LEN / 8)@l
	mtctr	r6
	addi	r4, r22, -8
4:	ldu	r6, 8(r4)
	rotldi	r3, r3, 1
	xor	r3, r3, r6
	bdnz	4b
	PR	sum, r3
	PR	last, r5
	NL
	addi	r1, r1, 64
	ld	r0, 16(r1)
	mtlr	r0
	blr
