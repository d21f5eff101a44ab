/*
 * alumacros.h - value tables and loop macros shared by alu.S and mode32.S.
 * OPL: all (A,B) pairs of vals x XER-in values; OP1: all A; ONE: one case.
 * Output line: MNEMONIC XER_IN A B RESULT XER_OUT CR_OUT
 */
#define NV 8
	.data
	.balign	8
vals:
	.quad	0, 1, -1, 0x7fffffffffffffff, 0x8000000000000000
	.quad	0x000000007fffffff, 0xffffffff80000000, 0x0123456789abcdef
xers:
	.quad	0, 0xa0040000

	.text
/* loop over all (A,B) pairs and XER-in values 0 .. nx-1 */
.macro OPL insn, nx=1
	li	r23, 0
.Lx\@:	li	r21, 0
.Lo\@:	li	r22, 0
.Li\@:	LA	r20, vals
	sldi	r0, r21, 3
	ldx	r4, r20, r0
	sldi	r0, r22, 3
	ldx	r5, r20, r0
	LA	r20, xers
	sldi	r0, r23, 3
	ldx	r6, r20, r0
	LI64	r3, 0x5a5a5a5a5a5a5a5a
	li	r0, 0
	mtcrf	0xff, r0
	mtxer	r6
	\insn
	bl	_rep6
	.asciz	"\insn"
	.balign	4
	addi	r22, r22, 1
	cmpdi	r22, NV
	blt	.Li\@
	addi	r21, r21, 1
	cmpdi	r21, NV
	blt	.Lo\@
	addi	r23, r23, 1
	cmpdi	r23, \nx
	blt	.Lx\@
.endm

/* loop over all A (B = 0 shown) */
.macro OP1 insn, nx=1
	li	r23, 0
.Lx\@:	li	r21, 0
.Lo\@:	LA	r20, vals
	sldi	r0, r21, 3
	ldx	r4, r20, r0
	li	r5, 0
	LA	r20, xers
	sldi	r0, r23, 3
	ldx	r6, r20, r0
	LI64	r3, 0x5a5a5a5a5a5a5a5a
	li	r0, 0
	mtcrf	0xff, r0
	mtxer	r6
	\insn
	bl	_rep6
	.asciz	"\insn"
	.balign	4
	addi	r21, r21, 1
	cmpdi	r21, NV
	blt	.Lo\@
	addi	r23, r23, 1
	cmpdi	r23, \nx
	blt	.Lx\@
.endm

/* single case with explicit inputs: r3 = init, r4 = a, r5 = b, xer, cr */
.macro ONE insn, a, b, r3i=0x5a5a5a5a5a5a5a5a, xer=0, cr=0
	LI64	r4, \a
	LI64	r5, \b
	LI64	r6, \xer
	LI64	r3, \cr
	mtcrf	0xff, r3
	LI64	r3, \r3i
	mtxer	r6
	\insn
	bl	_rep6
	.asciz	"\insn"
	.balign	4
.endm

