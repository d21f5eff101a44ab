/*
 * spr: special purpose registers a pseries guest kernel touches.  For each
 * SPR: the value read after writing all-ones and after writing a pattern
 * (shows the implemented bits), plus any interrupt the access caused.
 * Time-based SPRs (TB, DEC, PURR, SPURR, VTB) are only checked for being
 * monotonic / in range, never printed raw.  Also: PPR priority nops, CFAR.
 */
#include "common.h"

#define PAT 0x123456789abcdef0

/* write -1 then PAT into spr (mtspr nw), read back through nr */
.macro WR name, nw, nr
	li	r3, -1
	mtspr	\nw, r3
	li	r3, 0
	mfspr	r3, \nr
	LI64	r4, PAT
	mtspr	\nw, r4
	li	r4, 0
	mfspr	r4, \nr
	PR	"\name (\nw/\nr) -1 ->", r3
	PR	"pat ->", r4
	NL
	PIRQ	"  irq"
.endm

/* read only */
.macro RD name, nr
	li	r3, 0
	mfspr	r3, \nr
	PR	"\name (\nr)", r3
	NL
	PIRQ	"  irq"
.endm

	.globl	test_main
test_main:
	mflr	r0
	std	r0, 16(r1)
	stdu	r1, -128(r1)
	bl	irq_install

	P	"== read/write SPRs\n"
	WR	XER, 1, 1
	WR	DSCR, 17, 17
	WR	"DSCR user", 3, 3
	WR	AMR, 29, 29
	WR	"AMR user", 13, 13
	WR	IAMR, 61, 61
	WR	UAMOR, 157, 157
	WR	DSISR, 18, 18
	WR	DAR, 19, 19
	WR	SRR0, 26, 26
	WR	SRR1, 27, 27
	WR	CFAR, 28, 28
	WR	TIDR, 144, 144
	WR	"CTRL (w152/r136)", 152, 136
	WR	VRSAVE, 256, 256
	WR	SPRG0, 272, 272
	WR	SPRG1, 273, 273
	WR	SPRG2, 274, 274
	WR	SPRG3, 275, 275
	RD	"SPRG3 user alias", 259
	WR	PPR, 896, 896
	WR	PPR32, 898, 898
	WR	TAR, 815, 815
	WR	EBBHR, 804, 804
	WR	EBBRR, 805, 805
	WR	BESCR, 806, 806
	WR	PSPB, 159, 159
	WR	MMCR2, 785, 785
	WR	MMCRA, 786, 786
	WR	SIAR, 796, 796
	WR	SDAR, 797, 797
	RD	MMCR0, 795
	RD	PVR, 287
	RD	PIR, 1023
	RD	"FSCR", 153
	li	r3, 0
	mtspr	287, r3
	PIRQ	"mtspr PVR"
	mfspr	r3, 287
	PR	"PVR after", r3
	NL
	li	r3, 0
	mtspr	1023, r3
	PIRQ	"mtspr PIR"
	LI64	r3, 0xffffffffffffffff
	mtspr	153, r3
	mfspr	r4, 153
	PR	"FSCR -1 ->", r4
	NL
	PIRQ	"  irq"
	li	r3, 0
	mtspr	153, r3

	P	"== PPR priority nops\n"
	.irp	p, 31, 1, 6, 2, 5, 3, 7
	or	\p, \p, \p
	mfspr	r3, 896
	PR	"or \p,\p,\p -> PPR", r3
	NL
	.endr
	or	2, 2, 2

	P	"== CFAR\n"
	LA	r4, .Lbr
.Lbr:	b	1f
	nop
1:	mfspr	r3, 28
	subf	r3, r4, r3
	PR	"CFAR - address of last branch", r3
	NL

	P	"== time base / decrementer (relations only)\n"
	mftb	r3
	mfspr	r4, 268
	mftb	r5
	mfspr	r6, 269		/* TBU */
	subf	r7, r3, r5
	srdi	r7, r7, 63
	PR	"tb went backwards (0 = no)", r7
	srdi	r3, r5, 32
	subf	r3, r6, r3
	cmpldi	r3, 2
	mfcr	r3
	rlwinm	r3, r3, 0, 0, 0	/* keep cr0.lt: set if the difference is 0 or 1 */
	srwi	r3, r3, 31
	PR	"tbu vs tb>>32 differ by at most 1 (1 = yes)", r3
	NL
	lis	r3, 0x7fff
	ori	r3, r3, 0xffff
	mtdec	r3
	mfdec	r4
	cmpd	r4, r3
	mfcr	r5
	lis	r6, 0x7000
	cmpd	r4, r6
	mfcr	r6
	PR32	"dec<=0x7fffffff (cr0 lt|eq)", r5
	PR32	"dec>0x70000000 (cr0 gt)", r6
	NL
	li	r3, -1
	mtdec	r3
	mfdec	r4
	srdi	r4, r4, 63
	PR	"dec=-1 reads negative", r4
	NL
	PIRQ	"  irq (EE=0, none)"
	lis	r3, 0x7fff
	ori	r3, r3, 0xffff
	mtdec	r3
	mfspr	r3, 309		/* PURR */
	mfspr	r4, 309
	subf	r5, r3, r4
	srdi	r5, r5, 63
	PR	"PURR went backwards (0 = no)", r5
	mfspr	r3, 308		/* SPURR */
	mfspr	r4, 308
	subf	r5, r3, r4
	srdi	r5, r5, 63
	PR	"SPURR backwards", r5
	mfspr	r3, 849		/* VTB */
	mfspr	r4, 849
	subf	r5, r3, r4
	srdi	r5, r5, 63
	PR	"VTB backwards", r5
	NL
	P	"== darn (relations only)\n"
	darn	r3, 3		/* reserved L: the error value */
	PR	"darn 3", r3
	li	r5, 0
	li	r6, 16		/* 16 tries: a 32-bit CRN never has high bits */
1:	darn	r3, 0
	srdi	r4, r3, 32
	or	r5, r5, r4
	addi	r6, r6, -1
	cmpdi	r6, 0
	bne	1b
	PR	"darn 0 high bits", r5
	darn	r3, 1
	darn	r4, 1
	cmpd	r3, r4		/* two 64-bit CRNs in a row differ (2^-64 chance not) */
	mfcr	r5
	rlwinm	r5, r5, 3, 31, 31
	PR	"darn 1 twice equal", r5
	NL
	PIRQ	"  irq"

	addi	r1, r1, 128
	ld	r0, 16(r1)
	mtlr	r0
	blr
