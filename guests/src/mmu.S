/*
 * mmu: hash MMU through the sPAPR hypervisor.  SLB entries (256M and 1T
 * segments, 4K, 64K and 16M base pages), HPTEs inserted with H_ENTER,
 * translation on (MSR[IR|DR]), accesses through aliases, R/C bits seen with
 * H_READ, H_REMOVE, H_ENTER error codes, DSI/ISI/DSEG/ISEG with DAR/DSISR
 * and SRR1, problem-state protection (PP and key Kp), AIL=3 relocated
 * interrupts (H_SET_MODE resource 3).
 *
 * Segment 0 (ESID 0) is an identity map of the first 16M with 64K pages
 * (set up by lib.S mmu_identity), so code, stack and scratch stay reachable.
 */
#include "common.h"

#define RS_A	((0x2222 << 12) | 0x400)		/* 256M, 4K pages, Kp */
#define RB_A	(0x10000000 | 0x8000000 | 1)
#define RS_B	((1 << 62) | (0x345 << 24) | 0x400 | 0x110)	/* 1T, 64K, Kp */
#define RB_B	(0x10000000000 | 0x8000000 | 2)
#define RS_C	((0x3333 << 12) | 0x400 | 0x100)	/* 256M, 16M pages, Kp */
#define RB_C	(0x20000000 | 0x8000000 | 3)

#define PTX	0x7000		/* ptex table, offset from r31 = SCR */

/* map: H_ENTER for EA -> RA in the segment described by RS, dword1 flags;
   prints rc and ptex and stores the ptex at PTX+8*slot(r31) */
.macro MAP slot, ea, ra, rs, flags
	LI64	r3, \ea
	LI64	r4, \ra
	LI64	r5, \rs
	LI64	r6, \flags
	bl	mmu_enter
	std	r4, PTX+8*\slot(r31)
	PR	"H_ENTER \ea->\ra rc", r3
	PR	ptex, r4
	NL
.endm

/* H_READ of the entry in slot, prints dword0 and dword1.
   QEMU keeps its own "dirty for migration" flag in dword0 bit 0x40 and
   H_READ/H_REMOVE return it; it is masked out of everything printed here. */
.macro HREAD slot, what
	li	r3, H_READ_NR
	li	r4, 0
	ld	r5, PTX+8*\slot(r31)
	sc	1
	li	r0, 0x40
	andc	r4, r4, r0
	PR	"H_READ \what rc", r3
	PR	v, r4
	PR	r, r5
	NL
.endm

.macro TRANSON
	mfmsr	r0
	ori	r0, r0, MSR_IR|MSR_DR
	mtmsrd	r0
	isync
.endm
.macro TRANSOFF
	mfmsr	r0
	li	r3, MSR_IR|MSR_DR
	andc	r0, r0, r3
	mtmsrd	r0
	isync
.endm

/* expect an instruction fetch fault: resume at the label after, same MSR */
.macro FETCH target, name
	LA	r3, .Lf\@
	mfmsr	r4
	bl	irq_expect
	LI64	r3, \target
	mtctr	r3
	bctrl
.Lf\@:	PIRQ	"\name"
.endm

/* run one instruction in problem state; resume after it in supervisor */
.macro USER insn:vararg
	LA	r3, .Lback\@
	mfmsr	r4
	bl	irq_expect
	LA	r3, .Lu\@
	mtsrr0	r3
	mfmsr	r4
	ori	r4, r4, MSR_PR
	mtsrr1	r4
	rfid
.Lu\@:	\insn
	sc	0
.Lback\@:
.endm

	.text
	.globl	test_main
test_main:
	mflr	r0
	std	r0, 16(r1)
	stdu	r1, -128(r1)
	LI64	r31, SCR

	bl	irq_install
	bl	mmu_probe
	PR	"ibm,pft-size order", r3
	ld	r3, G_HPTMASK(0)
	PR	"pteg mask", r3
	NL
	bl	mmu_identity
	PR	"identity map (256 x 64K) rc", r3
	NL
	/* fill target pages with a pattern while in real mode */
	LI64	r3, 0x1111111111111111
	LI64	r4, SCR+0x10000
	std	r3, 0(r4)
	LI64	r3, 0x2222222222222222
	LI64	r4, SCR+0x11000
	std	r3, 0(r4)
	LI64	r3, 0x3333333333333333
	LI64	r4, SCR+0x12000
	std	r3, 0(r4)
	LI64	r3, 0x4444444444444444
	LI64	r4, SCR+0x20000
	std	r3, 0(r4)
	LI64	r4, SCR+0x30008
	std	r3, 0(r4)
	LI64	r3, 0x5555555555555555
	LI64	r4, 0x1000000
	std	r3, 0(r4)
	LI64	r4, 0x1123458
	std	r3, 0(r4)

	P	"== SLB\n"
	LI64	r3, RS_A
	LI64	r4, RB_A
	slbmte	r3, r4
	LI64	r3, RS_B
	LI64	r4, RB_B
	slbmte	r3, r4
	isync
	PIRQ	"slbmte 256M/4K and 1T/64K"
	LI64	r3, RS_C
	LI64	r4, RB_C
	slbmte	r3, r4
	isync
	PIRQ	"slbmte 256M/16M (16M pages not offered by default QEMU caps)"
	.irp	i, 0, 1, 2, 3, 4
	li	r4, \i
	slbmfee	r3, r4
	slbmfev	r5, r4
	PR	"slb \i esid", r3
	PR	vsid, r5
	NL
	.endr
	LI64	r4, 0x10000123
	slbfee.	r3, r4
	mfcr	r5
	PR	"slbfee. 0x10000123", r3
	PR32	cr, r5
	LI64	r4, 0x10000fffff0
	slbfee.	r3, r4
	mfcr	r5
	PR	"slbfee. 1T", r3
	PR32	cr, r5
	LI64	r4, 0x30000000
	slbfee.	r3, r4
	mfcr	r5
	PR	"slbfee. none", r3
	PR32	cr, r5
	NL

	P	"== H_ENTER\n"
	MAP	0, 0x10000000, SCR+0x10000, RS_A, 0x12	/* RW/RW */
	MAP	1, 0x10001000, SCR+0x10000, RS_A, 0x12	/* alias */
	MAP	2, 0x10002000, SCR+0x11000, RS_A, 0x13	/* RO/RO */
	MAP	3, 0x10003000, SCR+0x12000, RS_A, 0x10	/* RW/none */
	MAP	4, 0x10004000, SCR+0x30000, RS_A, 0x16	/* no-execute */
	MAP	5, 0x10007000, SCR+0x30000, RS_A, 0x12	/* executable */
	MAP	6, 0x10008000, SCR+0x12000, RS_A, 0x11	/* RW/RO */
	MAP	7, 0x10000000000, SCR+0x20000, RS_B, 0x12	/* 1T, 64K */
	MAP	8, 0x10000010000, SCR+0x30000, RS_B, 0x12
	MAP	9, 0x20000000, 0x1000000, RS_C, 0x12	/* 16M page */
	MAP	10, 0x10009000, 0x40000000, RS_A, 0x3a	/* cache-inhibited, guarded: no RAM there */
	HREAD	0, "fresh"
	HREAD	7, "fresh 1T/64K"
	HREAD	9, "fresh 16M"
	/* error cases */
	li	r3, H_ENTER_NR
	li	r4, 0
	LI64	r5, 0x7fffffff
	li	r6, 1
	li	r7, 0x12
	sc	1
	PR	"H_ENTER ptex out of range rc", r3
	NL
	li	r3, H_ENTER_NR
	li	r4, 0
	li	r5, 0x800
	LI64	r6, 0x77700001
	LI64	r7, SCR+0x32
	sc	1
	PR	"H_ENTER WIMG=I|M on RAM rc", r3
	NL
	li	r3, H_ENTER_NR
	li	r4, 0
	li	r5, 0x800
	LI64	r6, 0x77700001
	LI64	r7, SCR+0x02
	sc	1
	PR	"H_ENTER WIMG=0 on RAM rc", r3
	NL
	/* fill one PTEG: 8 entries succeed, the 9th fails */
	li	r14, 0
1:	li	r3, H_ENTER_NR
	li	r4, 0
	li	r5, 0x808
	sldi	r6, r14, 7
	addis	r6, r6, 0x777
	ori	r6, r6, 1
	LI64	r7, SCR+0x12
	sc	1
	PR	"fill rc", r3
	PR	ptex, r4
	NL
	addi	r14, r14, 1
	cmpdi	r14, 9
	blt	1b
	LI64	r4, 0x8000000000		/* H_EXACT */
	li	r3, H_ENTER_NR
	li	r5, 0x80b
	LI64	r6, 0x7770001
	LI64	r7, SCR+0x12
	sc	1
	PR	"H_EXACT occupied rc", r3
	NL
	li	r3, H_REMOVE_NR
	li	r4, 0
	li	r5, 0x80b
	li	r6, 0
	sc	1
	li	r0, 0x40
	andc	r4, r4, r0
	PR	"H_REMOVE rc", r3
	PR	v, r4
	PR	r, r5
	NL
	LI64	r4, 0x8000000000		/* H_EXACT into the freed slot */
	li	r3, H_ENTER_NR
	li	r5, 0x80b
	LI64	r6, 0x7770001
	LI64	r7, SCR+0x12
	sc	1
	PR	"H_EXACT free rc", r3
	PR	ptex, r4
	NL
	li	r3, H_REMOVE_NR
	LI64	r4, 0x80000000			/* H_AVPN mismatch */
	li	r5, 0x80b
	li	r6, 0
	sc	1
	PR	"H_REMOVE avpn mismatch rc", r3
	NL
	li	r3, H_REMOVE_NR
	LI64	r4, 0x80000000			/* H_AVPN match */
	li	r5, 0x80b
	LI64	r6, 0x7770000
	sc	1
	li	r0, 0x40
	andc	r4, r4, r0
	PR	"H_REMOVE avpn match rc", r3
	PR	v, r4
	NL
	li	r3, H_REMOVE_NR
	li	r4, 0
	li	r5, 0x80b
	sc	1
	PR	"H_REMOVE again rc", r3
	NL
	li	r3, H_READ_NR
	LI64	r4, 0x2000000000		/* H_READ_4 */
	li	r5, 0x809
	sc	1
	PR	"H_READ_4 rc", r3
	NL
	li	r0, 0x40
	andc	r4, r4, r0
	andc	r6, r6, r0
	andc	r8, r8, r0
	andc	r10, r10, r0
	PR	v0, r4
	PR	r0, r5
	PR	v1, r6
	PR	r1, r7
	NL
	PR	v2, r8
	PR	r2, r9
	PR	v3, r10
	PR	r3, r11
	NL

	P	"== translation on\n"
	TRANSON
	mfmsr	r3
	PR	msr, r3
	NL
	LI64	r20, 0x10000000
	ld	r3, 0(r20)
	PR	"ld 0x10000000", r3
	NL
	HREAD	0, "after load"
	HREAD	1, "alias untouched"
	LI64	r3, 0xabcdef0123456789
	std	r3, 8(r20)
	HREAD	0, "after store"
	LI64	r21, 0x10001000
	ld	r3, 8(r21)
	PR	"alias ld 0x10001008", r3
	LI64	r22, SCR+0x10008
	ld	r3, 0(r22)
	PR	"identity ld", r3
	NL
	HREAD	1, "alias after load"
	LI64	r20, 0x10002000
	ld	r3, 0(r20)
	PR	"RO page ld", r3
	NL
	std	r3, 16(r20)
	PIRQ	"store to RO page"
	HREAD	2, "RO after failed store"
	LI64	r20, 0x10005008
	ld	r3, 0(r20)
	PIRQ	"load unmapped page"
	std	r3, 0(r20)
	PIRQ	"store unmapped page"
	LI64	r20, 0x10005000
	dcbz	0, r20
	PIRQ	"dcbz unmapped page"
	LI64	r20, 0x30000010
	ld	r3, 0(r20)
	PIRQ	"load no segment (DSEG)"
	stw	r3, 0(r20)
	PIRQ	"store no segment"
	LI64	r20, 0x40000000000
	lbz	r3, 0(r20)
	PIRQ	"load no 1T segment"
	LI64	r20, 0x10009010
	ld	r3, 0(r20)
	PIRQ	"load from a page with nothing behind it"
	/* 1T segment, 64K pages */
	LI64	r20, 0x10000000000
	ld	r3, 0(r20)
	PR	"1T ld", r3
	LI64	r3, 0x0123456789abcdef
	LI64	r21, 0x1000000fff8
	std	r3, 0(r21)
	LI64	r21, 0x10000010008
	ld	r4, 0(r21)
	PR	"1T second page ld", r4
	NL
	LI64	r22, SCR+0x2fff8
	ld	r3, 0(r22)
	PR	"identity view of 1T store", r3
	NL
	HREAD	7, "1T after store"
	HREAD	8, "1T second page after load"
	LI64	r20, 0x10000020000
	ld	r3, 0(r20)
	PIRQ	"1T unmapped page"
	/* 16M page */
	LI64	r20, 0x20000000
	ld	r3, 0(r20)
	PIRQ	"16M segment load"
	HREAD	9, "16M after load"
	/* dcbz through translation: exactly 128 bytes */
	LI64	r20, 0x10000000
	li	r3, -1
	li	r4, 0
2:	stdx	r3, r20, r4
	addi	r4, r4, 8
	cmpdi	r4, 512
	blt	2b
	addi	r21, r20, 0x95
	dcbz	0, r21
	li	r4, 0x70
3:	ldx	r3, r20, r4
	PR32	"", r4
	PR	"", r3
	NL
	addi	r4, r4, 8
	cmpdi	r4, 0x118
	blt	3b

	P	"== instruction fetch\n"
	/* copy "li r3,0x77 ; blr" to the executable page (via translation) */
	LA	r3, exec_snip
	lwz	r4, 0(r3)
	lwz	r5, 4(r3)
	LI64	r20, 0x10007000
	stw	r4, 0(r20)
	stw	r5, 4(r20)
	dcbst	0, r20
	sync
	icbi	0, r20
	isync
	li	r3, 0
	mtctr	r20
	bctrl
	PR	"exec through translation r3", r3
	NL
	PIRQ	"(no interrupt)"
	FETCH	0x10004000, "fetch from no-execute page"
	FETCH	0x10006000, "fetch from unmapped page"
	FETCH	0x30000000, "fetch from no segment (ISEG)"
	FETCH	0x10000000000+0x30000, "fetch 1T unmapped"

	P	"== problem state and PP/key\n"
	LI64	r20, 0x10000000
	li	r3, 0
	USER	ld r3, 0(r20)
	PIRQ	"PR load RW/RW page (then sc 0)"
	PR	value, r3
	NL
	LI64	r20, 0x10003000
	USER	ld r3, 0(r20)
	PIRQ	"PR load RW/none page"
	ld	r3, 0(r20)
	PR	"supervisor load RW/none page", r3
	NL
	PIRQ	"(none)"
	LI64	r20, 0x10008000
	USER	ld r3, 0(r20)
	PIRQ	"PR load RW/RO page (then sc 0)"
	USER	std r3, 0(r20)
	PIRQ	"PR store RW/RO page"
	std	r3, 0(r20)
	PIRQ	"supervisor store RW/RO page (none)"
	LI64	r20, 0x10002000
	USER	std r3, 0(r20)
	PIRQ	"PR store RO/RO page"

	P	"== AIL=3 (H_SET_MODE resource 3): vectors at 0xc000000000004000+vec (stubs there report 0x4000+vec)\n"
	/* keep real 0x4000..0x4fff, then put stubs there */
	LI64	r3, SCR+0x40000
	li	r4, 0x4000
	li	r5, 0x1000
	bl	memcpy8
	LA	r15, irq_common
	li	r14, 0x100
5:	lwz	r3, 0(r14)		/* mtsprg1 r3 */
	lwz	r4, 4(r14)		/* li r3,vector */
	ori	r4, r4, 0x4000		/* ... reported as 0x4000+vector */
	addi	r6, r14, 0x4000
	stw	r3, 0(r6)
	stw	r4, 4(r6)
	addi	r5, r6, 8
	subf	r5, r5, r15
	rlwinm	r5, r5, 0, 6, 29
	oris	r5, r5, 0x4800
	stw	r5, 8(r6)
	addi	r14, r14, 0x20
	cmpdi	r14, 0x1000
	blt	5b
	li	r3, 0x4000
	li	r4, 0x1000
	bl	sync_icache
	/* segment 0xc000000000000000 -> real 0..16M, 64K pages, VSID 0x456 */
	LI64	r3, (0x456 << 12) | 0x400 | 0x110
	LI64	r4, 0xc000000000000000 | 0x8000000 | 4
	slbmte	r3, r4
	isync
	li	r14, 0
6:	LI64	r3, 0xc000000000000000
	or	r3, r3, r14
	mr	r4, r14
	LI64	r5, (0x456 << 12) | 0x400 | 0x110
	li	r6, 0x12
	bl	mmu_enter
	cmpdi	r3, 0
	bne	7f
	addis	r14, r14, 1
	lis	r3, 0x100
	cmpld	r14, r3
	blt	6b
	li	r3, 0
7:	PR	"map 0xc000.. rc", r3
	li	r3, H_SET_MODE_NR
	li	r4, 3			/* AIL = 3 */
	li	r5, 3			/* resource: address translation mode */
	li	r6, 0
	li	r7, 0
	sc	1
	PR	"H_SET_MODE(AIL=3) rc", r3
	NL
	li	r3, H_SET_MODE_NR
	li	r4, 1			/* AIL = 1 */
	li	r5, 3
	li	r6, 0
	li	r7, 0
	sc	1
	PR	"H_SET_MODE(AIL=1) rc", r3
	NL
	LI64	r20, 0x10005000
	ld	r3, 0(r20)
	PIRQ	"AIL=3 DSI with IR=DR=1"
	sc	0
	PIRQ	"AIL=3 sc 0 with IR=DR=1"
	mfmsr	r3
	ori	r3, r3, MSR_IR	/* IR=1, DR=0: not relocated */
	li	r4, MSR_DR
	andc	r3, r3, r4
	mtmsrd	r3
	isync
	sc	0
	PIRQ	"AIL=3 sc 0 with IR=1 DR=0"
	TRANSOFF
	sc	0
	PIRQ	"AIL=3 sc 0 in real mode"
	TRANSON
	li	r3, H_SET_MODE_NR
	li	r4, 0
	li	r5, 3
	li	r6, 0
	li	r7, 0
	sc	1
	PR	"H_SET_MODE(AIL=0) rc", r3
	NL
	sc	0
	PIRQ	"AIL=0 sc 0 with IR=DR=1"
	li	r3, 0x4000
	LI64	r4, SCR+0x40000
	li	r5, 0x1000
	bl	memcpy8
	li	r3, 0x4000
	li	r4, 0x1000
	bl	sync_icache

	P	"== H_REMOVE of a live mapping, slbie\n"
	li	r3, H_REMOVE_NR
	li	r4, 0
	ld	r5, PTX+0(r31)
	sc	1
	li	r0, 0x40
	andc	r4, r4, r0
	PR	"H_REMOVE rc", r3
	PR	v, r4
	PR	r, r5
	NL
	LI64	r20, 0x10000000
	ld	r3, 0(r20)
	PIRQ	"load after H_REMOVE"
	LI64	r21, 0x10001000
	ld	r3, 0(r21)
	PR	"alias still works", r3
	NL
	LI64	r4, 0x10000000
	slbie	r4
	isync
	ld	r3, 0(r21)
	PIRQ	"load after slbie"
	LI64	r4, 0x10000000000
	slbie	r4
	isync
	LI64	r20, 0x10000000000
	ld	r3, 0(r20)
	PIRQ	"1T load after slbie (class 0, L bit clear in RB)"
	TRANSOFF
	slbia	7
	isync
	li	r4, 0
	slbmfee	r3, r4
	PR	"slb 0 after slbia 7", r3
	NL
	mfmsr	r3
	PR	msr, r3
	NL

	addi	r1, r1, 128
	ld	r0, 16(r1)
	mtlr	r0
	blr

exec_snip:
	li	r3, 0x77
	blr
