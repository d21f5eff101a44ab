/*
 * branch: every bc BO form (incl. reserved/hint encodings) for bc, bclr and
 * bcctr with and without LK, CTR decrement semantics, absolute branches,
 * masking of the low target bits, and the CR logical instructions.
 *
 * bc lines:   "bc BO BI cr=CR ctr=CTRIN -> taken ctrout lr"
 * where taken is 1 if the branch went to its target, lr is the LR value
 * relative to the branch instruction (0 = unchanged, 4 = link; for bclr
 * without link it is the target).  For bcctr, ctr is printed relative to
 * the target address (0 = unchanged).
 */
#include "common.h"

.macro BCW bo, bi, bd, aa=0, lk=0
	.long	(16 << 26) | ((\bo) << 21) | ((\bi) << 16) | (((\bd) & 0x3fff) << 2) | ((\aa) << 1) | (\lk)
.endm
.macro XLW bo, bi, xo, lk=0
	.long	(19 << 26) | ((\bo) << 21) | ((\bi) << 16) | ((\xo) << 1) | (\lk)
.endm

/* kind: 0 = bc, 1 = bclr, 2 = bcctr (target in LR/CTR is the taken label) */
.macro BCASE kind, bo, bi, cr, ctr, lk
	LI64	r3, \cr
	mtcrf	0xff, r3
	li	r3, 0
	LA	r5, .Lt\@
	.if \kind == 1
	mtlr	r5
	.else
	LA	r6, .Lb\@		/* LR marker: the branch itself */
	mtlr	r6
	.endif
	.if \kind == 2
	mtctr	r5
	.else
	LI64	r4, \ctr
	mtctr	r4
	.endif
.Lb\@:
	.if \kind == 0
	BCW	\bo, \bi, 2, 0, \lk
	.elseif \kind == 1
	XLW	\bo, \bi, 16, \lk
	.else
	XLW	\bo, \bi, 528, \lk
	.endif
	b	.Ln\@
.Lt\@:	li	r3, 1
.Ln\@:	mflr	r7
	mfctr	r4
	LA	r5, .Lb\@
	subf	r7, r5, r7
	.if \kind == 2
	LA	r6, .Lt\@
	subf	r4, r6, r4	/* ctr relative to the target */
	.endif
	P	"\kind \bo \bi \cr \ctr \lk"
	PR32	" taken", r3
	PR	ctr, r4
	PR32	lr, r7
	NL
.endm

	.text
.macro CRL op, cr
	LI64	r3, \cr
	mtcrf	0xff, r3
	\op	4*cr7+so, 4*cr2+lt, 4*cr3+gt
	\op	4*cr6+gt, 4*cr6+gt, 4*cr3+gt
	mfcr	r4
	PR32	"\op in=\cr out", r4
	NL
.endm

	.globl	test_main
test_main:
	mflr	r0
	std	r0, 16(r1)
	stdu	r1, -128(r1)

	P	"== bc (kind 0), bclr (1), bcctr (2): kind BO BI cr ctr LK\n"
	.irp	bo, 0, 1, 2, 4, 6, 8, 10, 12, 13, 14, 15, 16, 17, 18, 20, 24, 25, 26, 28, 31
	.irp	crv, 0x00000000, 0x20000000
	.irp	ctr, 1, 2
	BCASE	0, \bo, 2, \crv, \ctr, 0
	.endr
	.endr
	BCASE	0, \bo, 2, 0x20000000, 0, 1
	BCASE	1, \bo, 2, 0x20000000, 1, 0
	BCASE	1, \bo, 2, 0x00000000, 2, 1
	BCASE	2, \bo, 2, 0x20000000, 1, 0
	BCASE	2, \bo, 2, 0x00000000, 2, 1
	.endr
	/* BI selecting every CR field / bit */
	.irp	bi, 0, 5, 10, 15, 16, 21, 26, 31
	BCASE	0, 12, \bi, 0x84218421, 1, 0
	BCASE	0, 4, \bi, 0x84218421, 1, 0
	.endr
	/* CTR 64-bit decrement wrap, and in bc with ctr = 0 */
	BCASE	0, 16, 0, 0, 0, 0
	BCASE	0, 18, 0, 0, 0, 0
	BCASE	0, 16, 0, 0, 0x100000000, 0
	BCASE	0, 16, 0, 0, 0x100000001, 0

	P	"== unconditional, absolute, low target bits\n"
	/* stub "li r3,0x42 ; blr" at real address 0x1ff0 for absolute branches */
	LA	r3, abs_stub
	lwz	r4, 0(r3)
	lwz	r5, 4(r3)
	li	r6, 0x1ff0
	stw	r4, 0(r6)
	stw	r5, 4(r6)
	li	r3, 0x1ff0
	li	r4, 16
	bl	sync_icache
	li	r3, 0
	bla	0x1ff0
	PR	"bla 0x1ff0 r3", r3
	NL
	li	r3, 0
	li	r4, 0x1000
	mtctr	r4
	crset	4*cr0+eq
	.long	(16 << 26) | (12 << 21) | (2 << 16) | 0x1ff0 | 3	/* bcla 12,2,0x1ff0 */
	PR	"bcla 12,eq,0x1ff0 r3", r3
	NL
	/* target low bits ignored for bctr / blr */
	LA	r4, 1f
	ori	r4, r4, 3
	mtctr	r4
	li	r3, 0
	bctr
	li	r3, 0x99
1:	PR	"bctr to target|3 r3", r3
	NL
	LA	r4, 2f
	ori	r4, r4, 2
	mtlr	r4
	li	r3, 0
	blr
	li	r3, 0x99
2:	PR	"blr to target|2 r3", r3
	NL
	/* bcl 20,31,$+4 idiom and bclrl swapping LR */
	bcl	20, 31, 3f
3:	mflr	r3
	LA	r4, 3b
	subf	r3, r4, r3
	PR	"bcl 20,31,.+4 lr-label", r3
	NL
	LA	r4, 4f
	mtlr	r4
	blrl
4:	mflr	r3
	LA	r4, 4b
	subf	r3, r4, r3
	PR	"blrl lr-target", r3
	NL
	/* bdnz loop and bdz */
	li	r3, 0
	li	r4, 10
	mtctr	r4
5:	addi	r3, r3, 1
	bdnz	5b
	mfctr	r4
	PR	"bdnz x10 count", r3
	PR	ctr, r4
	NL
	li	r4, 1
	mtctr	r4
	li	r3, 0
	bdz	6f
	li	r3, 1
6:	mfctr	r4
	PR	"bdz with ctr=1 (0 = taken)", r3
	PR	ctr, r4
	NL

	P	"== CR logical (bt=cr7.so,ba=cr2.lt,bb=cr3.gt; cr6.gt op= cr3.gt)\n"
	.irp	op, crand, cror, crxor, crnand, crnor, creqv, crandc, crorc
	.irp	cr, 0x00000000, 0x00800000, 0x00040000, 0x00840000, 0xffffffff, 0x00840020
	CRL	\op, \cr
	.endr
	.endr
	LI64	r3, 0x12345678
	mtcrf	0xff, r3
	crset	4*cr0+lt
	crclr	4*cr1+gt
	crnot	4*cr2+eq, 4*cr7+so
	crmove	4*cr3+so, 4*cr4+lt
	mfcr	r4
	PR32	"crset/crclr/crnot/crmove", r4
	NL
	mcrf	cr3, cr7
	mfcr	r4
	PR32	"mcrf cr3,cr7", r4
	NL

	addi	r1, r1, 128
	ld	r0, 16(r1)
	mtlr	r0
	blr

abs_stub:
	li	r3, 0x42
	blr
