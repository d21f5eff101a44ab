/*
 * mode32: 32-bit mode (MSR[SF]=0).  Carries, overflow and CR0 of integer
 * instructions (same table as alu; compare the lines with alu.txt), EA
 * truncation and wrap-around for loads/stores and update forms, branch
 * target / LR / CTR truncation, bdnz on the low 32 bits of CTR, and an
 * interrupt taken from 32-bit mode.
 */
#include "common.h"
#include "alumacros.h"

.macro SF0
	mfmsr	r0
	rldicl	r0, r0, 0, 1
	mtmsrd	r0
	isync
.endm
.macro SF1
	mfmsr	r0
	li	r3, 1
	rldicr	r3, r3, 63, 0
	or	r0, r0, r3
	mtmsrd	r0
	isync
.endm

	.globl	test_main
test_main:
	mflr	r0
	std	r0, 16(r1)
	stdu	r1, -128(r1)
	bl	irq_install
	LI64	r31, SCR
	LI64	r3, 0x0011223344556677
	std	r3, 0(r31)
	LI64	r3, 0x8899aabbccddeeff
	std	r3, 8(r31)

	SF0
	mfmsr	r3
	PR	"msr", r3
	NL
	P	"== arithmetic in 32-bit mode\n"
	OPL	"add. r3,r4,r5", 2
	OPL	"addo. r3,r4,r5", 2
	OPL	"addco. r3,r4,r5", 2
	OPL	"addeo. r3,r4,r5", 2
	OPL	"subfco. r3,r4,r5", 2
	OPL	"subfeo. r3,r4,r5", 2
	OP1	"nego. r3,r4", 2
	OP1	"addmeo. r3,r4", 2
	OP1	"addzeo. r3,r4", 2
	OP1	"subfzeo. r3,r4", 2
	OP1	"addic. r3,r4,-1", 2
	OP1	"subfic r3,r4,5", 2
	OPL	"mulldo. r3,r4,r5", 2
	OPL	"mullwo. r3,r4,r5", 2
	OPL	"divwo. r3,r4,r5"
	OPL	"divdo. r3,r4,r5"
	OPL	"and. r3,r4,r5"
	OPL	"sraw. r3,r4,r5", 2
	OPL	"srad. r3,r4,r5", 2
	OP1	"srawi. r3,r4,4", 2
	OP1	"sradi. r3,r4,36", 2
	OP1	"extsw. r3,r4"
	OP1	"cntlzw. r3,r4"
	OP1	"rldicl. r3,r4,32,0"
	OPL	"cmpd cr1,r4,r5"
	OPL	"cmpw cr1,r4,r5"
	OPL	"cmpld cr1,r4,r5"
	OPL	"addex r3,r4,r5,0", 2

	P	"== effective addresses\n"
	LI64	r4, 0xffffffff00800000
	ld	r3, 0(r4)
	PR	"ld 0(0xffffffff00800000)", r3
	NL
	LI64	r4, 0x100800000
	ld	r3, 8(r4)
	PR	"ld 8(0x100800000)", r3
	NL
	LI64	r4, 0xfff00000
	LI64	r5, 0x00900000
	ldx	r3, r4, r5
	PR	"ldx 0xfff00000+0x900000", r3
	NL
	LI64	r4, 0x1007ffffc
	lwzu	r3, 8(r4)
	PR	"lwzu 8(0x1007ffffc)", r3
	PR	ra, r4
	NL
	LI64	r4, 0xffffffff00800004
	li	r5, -4
	ldux	r3, r4, r5
	PR	"ldux", r3
	PR	ra, r4
	NL
	LI64	r4, 0xabcd000000800010
	LI64	r3, 0x1234
	stdu	r3, 8(r4)
	PR	"stdu ra", r4
	LI64	r4, SCR
	ld	r3, 0x18(r4)
	PR	"stored", r3
	NL
	LI64	r4, 0x7fffffff
	addi	r3, r4, 1
	PR	"addi 0x7fffffff+1", r3
	NL

	P	"== branches\n"
	bl	1f
1:	mflr	r3
	srdi	r3, r3, 32
	PR	"bl: LR high word", r3
	NL
	LA	r4, 2f
	oris	r4, r4, 0		/* keep */
	LI64	r5, 0xdead000000000000
	or	r4, r4, r5
	mtctr	r4
	li	r3, 0
	bctrl
	li	r3, 0x99
2:	mflr	r6
	srdi	r6, r6, 32
	PR	"bctr to 0xdead....|target r3", r3
	PR	"LR high", r6
	NL
	LI64	r4, 0x100000001
	mtctr	r4
	li	r3, 0
	bdnz	3f
	li	r3, 1
3:	mfctr	r4
	PR	"bdnz ctr=0x100000001 (0 = taken)", r3
	PR	ctr, r4
	NL
	LI64	r4, 0x100000000
	mtctr	r4
	li	r3, 0
	bdz	4f
	li	r3, 1
4:	mfctr	r4
	PR	"bdz ctr=0x100000000 (0 = taken)", r3
	PR	ctr, r4
	NL
	LI64	r4, 0xffffffff00000001
	mtctr	r4
	li	r3, 0
	bdz	5f
	li	r3, 1
5:	mfctr	r4
	PR	"bdz ctr=0xffffffff00000001 (0 = taken)", r3
	PR	ctr, r4
	NL

	P	"== interrupt from 32-bit mode\n"
	sc
	PIRQ	"sc 0"
	tw	31, r0, r0
	PIRQ	"trap"
	LI64	r4, 0x100000000
	mtsrr0	r4
	mfsrr0	r3
	PR	"mtsrr0/mfsrr0 0x100000000", r3
	NL
	SF1
	mfmsr	r3
	PR	"msr", r3
	NL

	addi	r1, r1, 128
	ld	r0, 16(r1)
	mtlr	r0
	blr
