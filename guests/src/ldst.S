/*
 * ldst: loads and stores of every width and form (D, X, update, indexed
 * update, byte-reversed, algebraic), lq/stq, lmw/stmw/lswi/lswx/stmw/stswi/
 * stswx executed in big-endian mode (they are invalid in little-endian
 * mode: see the irq guest for the alignment interrupt QEMU raises),
 * plain loads in big-endian mode, load-and-reserve / store-conditional of
 * every width incl. lqarx/stqcx. and dcbz.
 *
 * Source buffer SRC (at SCR) holds byte i = i (0..255).
 * Lines: "insn offset value ra=RA-SRC" or memory dumps in address order.
 */
#include "common.h"

#define SRC	SCR
#define DST	(SCR + 0x1000)
#define OUT	(SCR + 0x2000)

/* D-form load at SRC+off */
.macro LOADD insn, off
	LI64	r3, 0x5a5a5a5a5a5a5a5a
	mr	r20, r31
	\insn	r3, \off(r20)
	subf	r4, r31, r20
	PR	"\insn \off", r3
	PR32	ra, r4
	NL
.endm
/* X-form load at SRC+off (RA = SRC, RB = off) */
.macro LOADX insn, off
	LI64	r3, 0x5a5a5a5a5a5a5a5a
	mr	r20, r31
	li	r21, \off
	\insn	r3, r20, r21
	subf	r4, r31, r20
	PR	"\insn \off", r3
	PR32	ra, r4
	NL
.endm
/* D-form store of r22 at DST+off, dump 16 bytes of DST */
.macro STORED insn, off
	bl	fill_dst
	mr	r20, r30
	\insn	r22, \off(r20)
	subf	r4, r30, r20
	PR32	"\insn \off ra", r4
	MEM	"", r30, 16
.endm
.macro STOREX insn, off
	bl	fill_dst
	mr	r20, r30
	li	r21, \off
	\insn	r22, r20, r21
	subf	r4, r30, r20
	PR32	"\insn \off ra", r4
	MEM	"", r30, 16
.endm

	.text
fill_dst:
	LI64	r0, 0xeeeeeeeeeeeeeeee
	std	r0, 0(r30)
	std	r0, 8(r30)
	std	r0, 16(r30)
	std	r0, 24(r30)
	blr

	.globl	test_main
test_main:
	mflr	r0
	std	r0, 16(r1)
	stdu	r1, -128(r1)
	LI64	r31, SRC
	LI64	r30, DST
	LI64	r29, OUT
	/* SRC: byte i = i */
	li	r3, 0
1:	stbx	r3, r31, r3
	addi	r3, r3, 1
	cmpdi	r3, 256
	blt	1b
	LI64	r22, 0x8182838485868788

	P	"== loads\n"
	.irp	off, 0, 3, 0x7e, 0x80, 0xf9
	LOADD	lbz, \off
	LOADD	lbzu, \off
	LOADX	lbzx, \off
	LOADX	lbzux, \off
	LOADD	lhz, \off
	LOADD	lhzu, \off
	LOADX	lhzx, \off
	LOADX	lhzux, \off
	LOADD	lha, \off
	LOADD	lhau, \off
	LOADX	lhax, \off
	LOADX	lhaux, \off
	LOADD	lwz, \off
	LOADD	lwzu, \off
	LOADX	lwzx, \off
	LOADX	lwzux, \off
	LOADX	lwax, \off
	LOADX	lwaux, \off
	LOADX	ldx, \off
	LOADX	ldux, \off
	LOADX	lhbrx, \off
	LOADX	lwbrx, \off
	LOADX	ldbrx, \off
	.endr
	.irp	off, 0, 4, 0x7c, 0x80, 0xf8
	LOADD	lwa, \off
	LOADD	ld, \off
	LOADD	ldu, \off
	.endr
	lbz	r3, G_TMP(0)	/* RA = 0 means 0, not r0 */
	li	r0, 0x100
	li	r4, G_TMP
	LI64	r5, 0x1122334455667788
	std	r5, 0(r4)
	lbz	r3, G_TMP(0)
	lwzx	r6, 0, r4
	PR	"lbz d(0)", r3
	PR	"lwzx 0,rb", r6
	NL

	P	"== stores (value 8182838485868788)\n"
	.irp	off, 0, 1, 5
	STORED	stb, \off
	STORED	stbu, \off
	STOREX	stbx, \off
	STOREX	stbux, \off
	STORED	sth, \off
	STORED	sthu, \off
	STOREX	sthx, \off
	STOREX	sthux, \off
	STORED	stw, \off
	STORED	stwu, \off
	STOREX	stwx, \off
	STOREX	stwux, \off
	STOREX	stdx, \off
	STOREX	stdux, \off
	STOREX	sthbrx, \off
	STOREX	stwbrx, \off
	STOREX	stdbrx, \off
	.endr
	.irp	off, 0, 4, 8
	STORED	std, \off
	STORED	stdu, \off
	.endr

	P	"== lq / stq (even register pair)\n"
	lq	r6, 16(r31)
	PR	"lq r6", r6
	PR	r7, r7
	NL
	bl	fill_dst
	LI64	r8, 0x0001020304050607
	LI64	r9, 0x08090a0b0c0d0e0f
	stq	r8, 0(r30)
	MEM	"stq r8,r9", r30, 16

	P	"== lmw/stmw/lswi/lswx/stswi/stswx and loads in big-endian mode\n"
	std	r14, 32(r1)
	std	r15, 40(r1)
	std	r16, 48(r1)
	std	r17, 56(r1)
	std	r18, 64(r1)
	std	r19, 72(r1)
	std	r20, 80(r1)
	std	r21, 88(r1)
	std	r22, 96(r1)
	std	r23, 104(r1)
	std	r24, 112(r1)
	mr	r14, r1
	std	r25, -8(r14)
	std	r26, -16(r14)
	std	r27, -24(r14)
	std	r28, -32(r14)
	std	r29, -40(r14)
	std	r30, -48(r14)
	std	r31, -56(r14)
	stdu	r1, -128(r1)
	mr	r3, r31
	mr	r4, r29
	LA	r5, be_back
	LA	r6, be_blob
	mtsrr0	r6
	mfmsr	r7
	xori	r7, r7, MSR_LE
	mtsrr1	r7
	rfid
be_back:
	addi	r1, r1, 128
	mr	r14, r1
	ld	r25, -8(r14)
	ld	r26, -16(r14)
	ld	r27, -24(r14)
	ld	r28, -32(r14)
	ld	r29, -40(r14)
	ld	r30, -48(r14)
	ld	r31, -56(r14)
	ld	r14, 32(r1)
	ld	r15, 40(r1)
	ld	r16, 48(r1)
	ld	r17, 56(r1)
	ld	r18, 64(r1)
	ld	r19, 72(r1)
	ld	r20, 80(r1)
	ld	r21, 88(r1)
	ld	r22, 96(r1)
	ld	r23, 104(r1)
	ld	r24, 112(r1)
	mfmsr	r3
	PR	"msr back", r3
	NL
	ld	r3, 0(r29)
	PR	"lmw r24", r3
	ld	r3, 8(r29)
	PR	r25, r3
	ld	r3, 16(r29)
	PR	r26, r3
	ld	r3, 24(r29)
	PR	r31, r3
	NL
	addi	r3, r29, 64
	MEM	"stmw r26 raw", r3, 24
	ld	r3, 96(r29)
	PR	"lswi 7: r6", r3
	ld	r3, 104(r29)
	PR	r7, r3
	NL
	ld	r3, 112(r29)
	PR	"lswx 11 @+5: r10", r3
	ld	r3, 120(r29)
	PR	r11, r3
	ld	r3, 128(r29)
	PR	r12, r3
	NL
	addi	r3, r29, 136
	MEM	"stswi 7 raw", r3, 8
	addi	r3, r29, 144
	MEM	"stswx 11 raw", r3, 16
	ld	r3, 160(r29)
	PR	"lswi 32 @+32: r12", r3
	ld	r3, 168(r29)
	PR	r19, r3
	NL
	ld	r3, 176(r29)
	PR	"lswx count 0: rt", r3
	NL
	ld	r3, 184(r29)
	PR	"BE lwz 0", r3
	ld	r3, 192(r29)
	PR	"BE ld 8", r3
	ld	r3, 200(r29)
	PR	"BE lhbrx 0", r3
	ld	r3, 216(r29)
	PR	"BE lha 0x80", r3
	NL
	addi	r3, r29, 208
	MEM	"BE std raw", r3, 8

	P	"== load reserve / store conditional\n"
	LI64	r20, DST
	bl	fill_dst
	lwarx	r3, 0, r20
	li	r4, 0x1234
	stwcx.	r4, 0, r20
	mfcr	r5
	PR	"lwarx", r3
	PR32	"stwcx. cr", r5
	MEM	"", r20, 8
	stwcx.	r4, 0, r20
	mfcr	r5
	PR32	"stwcx. without reservation cr", r5
	NL
	li	r0, 0
	LI64	r6, 0x80000000
	mtxer	r6
	lwarx	r3, 0, r20
	stwcx.	r4, 0, r20
	mfcr	r5
	PR32	"stwcx. with XER[SO] cr", r5
	stwcx.	r4, 0, r20
	mfcr	r5
	PR32	"failing with SO cr", r5
	NL
	li	r6, 0
	mtxer	r6
	/* reservation vs. an intervening store to the same address */
	lwarx	r3, 0, r20
	stw	r3, 0(r20)
	stwcx.	r4, 0, r20
	mfcr	r5
	PR32	"store same value in between cr", r5
	lwarx	r3, 0, r20
	addi	r6, r3, 1
	stw	r6, 0(r20)
	stwcx.	r4, 0, r20
	mfcr	r5
	PR32	"store other value in between cr", r5
	NL
	lwarx	r3, 0, r20
	stwcx.	r4, 0, r20
	lwarx	r3, 0, r20
	stwcx.	r4, 4, r20
	mfcr	r5
	PR32	"stwcx. other address cr", r5
	lwarx	r3, 0, r20
	li	r6, 64
	lwzx	r6, r20, r6
	stwcx.	r4, 0, r20
	mfcr	r5
	PR32	"load elsewhere in between cr", r5
	NL
	lwarx	r3, 0, r20, 1
	stwcx.	r4, 0, r20
	mfcr	r5
	PR32	"lwarx EH=1 cr", r5
	lwarx	r3, 0, r20
	sc	1		/* hcall 0 (r3 is junk) */
	stwcx.	r4, 0, r20
	mfcr	r5
	PR32	"hcall in between cr", r5
	NL
	bl	fill_dst
	li	r21, 3
	lbarx	r3, r20, r21
	li	r4, 0x11
	stbcx.	r4, r20, r21
	mfcr	r5
	PR	lbarx, r3
	PR32	"stbcx. cr", r5
	MEM	"", r20, 8
	li	r21, 6
	lharx	r3, r20, r21
	LI64	r4, 0xa1a2a3a4
	sthcx.	r4, r20, r21
	mfcr	r5
	PR	lharx, r3
	PR32	"sthcx. cr", r5
	MEM	"", r20, 8
	li	r21, 8
	ldarx	r3, r20, r21
	LI64	r4, 0x0102030405060708
	stdcx.	r4, r20, r21
	mfcr	r5
	PR	ldarx, r3
	PR32	"stdcx. cr", r5
	MEM	"", r20, 16
	bl	fill_dst
	LI64	r3, 0x1111111111111111
	LI64	r4, 0x2222222222222222
	std	r3, 0(r20)
	std	r4, 8(r20)
	lqarx	r6, 0, r20
	LI64	r8, 0x0001020304050607
	LI64	r9, 0x08090a0b0c0d0e0f
	stqcx.	r8, 0, r20
	mfcr	r5
	PR	"lqarx r6", r6
	PR	r7, r7
	PR32	"stqcx. cr", r5
	MEM	"", r20, 16
	stqcx.	r8, 0, r20
	mfcr	r5
	PR32	"stqcx. again cr", r5
	NL
	/* same with both doublewords equal */
	LI64	r3, 0x3333333333333333
	std	r3, 0(r20)
	std	r3, 8(r20)
	lqarx	r6, 0, r20
	stqcx.	r8, 0, r20
	mfcr	r5
	PR32	"lqarx/stqcx. equal halves cr", r5
	MEM	"", r20, 16
	/* reservation from a word larx used by a doubleword stcx */
	lwarx	r3, 0, r20
	stdcx.	r4, 0, r20
	mfcr	r5
	PR32	"lwarx then stdcx. cr", r5
	ldarx	r3, 0, r20
	stwcx.	r4, 0, r20
	mfcr	r5
	PR32	"ldarx then stwcx. cr", r5
	NL

	P	"== dcbz\n"
	LI64	r20, DST
	li	r3, -1
	li	r4, 0
2:	stdx	r3, r20, r4
	addi	r4, r4, 8
	cmpdi	r4, 512
	blt	2b
	addi	r21, r20, 0x85
	dcbz	0, r21
	li	r21, 0x100
	dcbz	r20, r21
	li	r4, 0
3:	ldx	r3, r20, r4
	PR32	"", r4
	PR	"", r3
	NL
	addi	r4, r4, 0x18
	cmpdi	r4, 0x200
	blt	3b

	addi	r1, r1, 128
	ld	r0, 16(r1)
	mtlr	r0
	blr

	.balign	4
be_blob:
	.incbin	"be_strings.bin"
