/*
 * lib.S - runtime shared by all papr test guests (original code for papr).
 *
 * Entry (as QEMU/VOF does it): first byte of the image, MSR=0 (big-endian,
 * 32-bit, real mode), r5 = OF client interface entry, r1 = firmware stack.
 *
 * Provides: start-up, console output (H_PUT_TERM_CHAR), OF calls and the
 * final OF "exit", interrupt vector installation with a generic recording
 * handler, and the register-dump helper used by the random tests.
 */
#include "common.h"

	.section .text.start, "ax"
	.globl	_start
_start:
	TO_LE
	TO_64
	std	r5, G_OFENTRY(0)
	std	r1, G_OFSTACK(0)
	li	r0, 0
	std	r0, G_VECON(0)
	std	r0, PBUF_N(0)
	LA	r3, _start
	std	r3, G_BASE(0)
	LI64	r1, STACK_TOP
	li	r0, 0
	stdu	r0, -128(r1)
	/* keep a copy of the low memory VOF lives in */
	LI64	r3, SAVE_LOW
	li	r4, 0
	li	r5, LOWSAVE_LEN
	bl	memcpy8
	LI64	r3, SAVE_SCV
	LI64	r4, 0x17000
	li	r5, 0x100
	bl	memcpy8
	bl	irq_clear
	P	"@@BEGIN@@\n"
	bl	test_main
	.globl	finish
finish:
	P	"@@END@@\n"
	b	of_exit

/* ------------------------------------------------------------------ */
/* memcpy8(r3=dst, r4=src, r5=len multiple of 8); clobbers r0,r6 */
	.text
	.globl	memcpy8
memcpy8:
	srdi	r6, r5, 3
	cmpdi	r6, 0
	beqlr
	mtctr	r6
	addi	r3, r3, -8
	addi	r4, r4, -8
1:	ldu	r0, 8(r4)
	stdu	r0, 8(r3)
	bdnz	1b
	blr

/* flush dcache / invalidate icache on r3..r3+r4 (128-byte lines) */
	.globl	sync_icache
sync_icache:
	add	r4, r4, r3
1:	dcbst	0, r3
	sync
	icbi	0, r3
	addi	r3, r3, 128
	cmpld	r3, r4
	blt	1b
	sync
	isync
	blr

/* ------------------------------------------------------------------ */
/* console */

/* putc(r3 = char): buffered; flushes at '\n' or 16 chars.  ABI: clobbers
   r0, r3-r12, CR0, CTR */
	.globl	putc
putc:
	ld	r4, PBUF_N(0)
	li	r5, PBUF
	stbx	r3, r5, r4
	addi	r4, r4, 1
	std	r4, PBUF_N(0)
	cmpdi	r3, 10
	beq	flush
	cmpdi	r4, 16
	beq	flush
	blr
	.globl	flush
flush:
	ld	r5, PBUF_N(0)
	cmpdi	r5, 0
	beqlr
	li	r4, PBUF
	ldbrx	r6, 0, r4
	li	r4, PBUF+8
	ldbrx	r7, 0, r4
	li	r0, 0
	std	r0, PBUF_N(0)
	mr	r8, r5
1:	li	r3, H_PUT_TERM
	li	r4, 0
	mr	r5, r8
	std	r6, PBUF+0x20(0)
	std	r7, PBUF+0x28(0)
	sc	1
	cmpdi	r3, 1		/* H_BUSY: retry */
	bne	2f
	ld	r6, PBUF+0x20(0)
	ld	r7, PBUF+0x28(0)
	b	1b
2:	blr

/* save / restore everything the print helpers may touch.  The frame is
   288 bytes; the caller's red zone word -8 and -32..-17 stay intact. */
#define FR 384
.macro SAVEALL
	stdu	r1, -FR(r1)
	std	r0, 32(r1)
	std	r2, 40(r1)
	std	r3, 48(r1)
	std	r4, 56(r1)
	std	r5, 64(r1)
	std	r6, 72(r1)
	std	r7, 80(r1)
	std	r8, 88(r1)
	std	r9, 96(r1)
	std	r10, 104(r1)
	std	r11, 112(r1)
	std	r12, 120(r1)
	std	r13, 128(r1)
	std	r14, 136(r1)
	std	r15, 144(r1)
	std	r16, 152(r1)
	mfcr	r0
	std	r0, 160(r1)
	mfxer	r0
	std	r0, 168(r1)
	mfctr	r0
	std	r0, 176(r1)
	mflr	r0
	std	r0, 184(r1)
.endm
.macro RESTALL
	ld	r0, 184(r1)
	mtlr	r0
	ld	r0, 160(r1)
	mtcrf	0xff, r0
	ld	r0, 168(r1)
	mtxer	r0
	ld	r0, 176(r1)
	mtctr	r0
	ld	r0, 32(r1)
	ld	r2, 40(r1)
	ld	r3, 48(r1)
	ld	r4, 56(r1)
	ld	r5, 64(r1)
	ld	r6, 72(r1)
	ld	r7, 80(r1)
	ld	r8, 88(r1)
	ld	r9, 96(r1)
	ld	r10, 104(r1)
	ld	r11, 112(r1)
	ld	r12, 120(r1)
	ld	r13, 128(r1)
	ld	r14, 136(r1)
	ld	r15, 144(r1)
	ld	r16, 152(r1)
	addi	r1, r1, FR
.endm

/* print NUL-terminated string at r14; returns r14 = address after the NUL */
puts14:
	mflr	r16
1:	lbz	r3, 0(r14)
	addi	r14, r14, 1
	cmpdi	r3, 0
	beq	2f
	bl	putc
	b	1b
2:	mtlr	r16
	blr

/* after puts14 of an inline string: r14 -> aligned return address */
.macro RET_INLINE
	addi	r14, r14, 3
	rldicr	r14, r14, 0, 61
	std	r14, 184(r1)
.endm

/* print r15 as r16-digit... (r3 = value, r4 = number of hex digits) */
puthex:
	mflr	r0
	std	r0, 16(r1)
	stdu	r1, -64(r1)
	std	r20, 32(r1)
	std	r21, 40(r1)
	std	r22, 48(r1)
	mr	r20, r3
	mr	r21, r4
	/* rotate so the first digit is in the top nibble */
	subfic	r22, r4, 16
	sldi	r22, r22, 2
	sld	r20, r20, r22
1:	rotldi	r20, r20, 4
	andi.	r3, r20, 15
	cmpdi	r3, 10
	blt	2f
	addi	r3, r3, 'a' - '0' - 10
2:	addi	r3, r3, '0'
	bl	putc
	addic.	r21, r21, -1
	bne	1b
	ld	r20, 32(r1)
	ld	r21, 40(r1)
	ld	r22, 48(r1)
	addi	r1, r1, 64
	ld	r0, 16(r1)
	mtlr	r0
	blr

	.globl	_p_str
_p_str:
	SAVEALL
	mflr	r14
	bl	puts14
	RET_INLINE
	RESTALL
	blr

/* value at -8(caller r1), inline label; prints "label=value " */
	.globl	_p_hex
_p_hex:
	SAVEALL
	mflr	r14
	mr	r15, r14
	bl	puts14
	subf	r3, r15, r14
	cmpdi	r3, 1		/* empty label: no '=' */
	beq	1f
	li	r3, '='
	bl	putc
1:
	ld	r3, FR-8(r1)
	li	r4, 16
	bl	puthex
	li	r3, ' '
	bl	putc
	RET_INLINE
	RESTALL
	blr

	.globl	_p_hex32
_p_hex32:
	SAVEALL
	mflr	r14
	mr	r15, r14
	bl	puts14
	subf	r3, r15, r14
	cmpdi	r3, 1		/* empty label: no '=' */
	beq	1f
	li	r3, '='
	bl	putc
1:
	ld	r3, FR-8(r1)
	li	r4, 8
	bl	puthex
	li	r3, ' '
	bl	putc
	RET_INLINE
	RESTALL
	blr

/* 16 bytes at -32(caller r1) stored by stxv: prints dw0_dw1 */
	.globl	_p_vec
_p_vec:
	SAVEALL
	mflr	r14
	mr	r15, r14
	bl	puts14
	subf	r3, r15, r14
	cmpdi	r3, 1		/* empty label: no '=' */
	beq	1f
	li	r3, '='
	bl	putc
1:
	ld	r3, FR-24(r1)
	li	r4, 16
	bl	puthex
	li	r3, '_'
	bl	putc
	ld	r3, FR-32(r1)
	li	r4, 16
	bl	puthex
	li	r3, ' '
	bl	putc
	RET_INLINE
	RESTALL
	blr

/* report: "name r3=.. xer=.. cr=..\n" with XER/CR as they were at the call */
	.globl	_rep3
_rep3:
	SAVEALL
	mflr	r14
	bl	puts14
	li	r3, ' '
	bl	putc
	ld	r3, 48(r1)
	li	r4, 16
	bl	puthex
	li	r3, ' '
	bl	putc
	ld	r3, 168(r1)
	li	r4, 8
	bl	puthex
	li	r3, ' '
	bl	putc
	ld	r3, 160(r1)
	li	r4, 8
	bl	puthex
	li	r3, 10
	bl	putc
	RET_INLINE
	RESTALL
	blr

/* print the interrupt record "name VEC SRR0 SRR1 DAR DSISR HANDLER_MSR\n";
   SRR0 is "rXXXXXXXX" = offset from the PIRQ call site (e.g. rfffffffc =
   the instruction just before PIRQ) or "aXXXXXXXXXXXXXXXX" = absolute when
   it is far away.  The record is cleared afterwards. */
	.globl	_p_irq
_p_irq:
	SAVEALL
	mflr	r14
	addi	r3, r14, -4		/* address of the bl (call site) */
	std	r3, G_TMP+56(0)
	bl	puts14
	RET_INLINE
	bl	p_irq_body
	RESTALL
	blr

p_irq_body:
	mflr	r15
	li	r3, ' '
	bl	putc
	ld	r3, H_VEC(0)
	li	r4, 5
	bl	puthex
	li	r3, ' '
	bl	putc
	/* SRR0 relative to the PIRQ call site ("r" + 32-bit signed offset)
	   when within 64K of it, else absolute ("a" + 64-bit) */
	ld	r3, H_SRR0(0)
	ld	r4, G_TMP+56(0)
	subf	r16, r4, r3
	addis	r5, r16, 1		/* d + 0x10000 */
	cmpldi	r5, 0
	blt	5f
	lis	r6, 2
	cmpld	r5, r6
	bge	5f
	li	r3, 'r'
	bl	putc
	mr	r3, r16
	li	r4, 8
	bl	puthex
	b	6f
5:	li	r3, 'a'
	bl	putc
	ld	r3, H_SRR0(0)
	li	r4, 16
	bl	puthex
6:
	li	r3, ' '
	bl	putc
	ld	r3, H_SRR1(0)
	li	r4, 16
	bl	puthex
	li	r3, ' '
	bl	putc
	ld	r3, H_DAR(0)
	li	r4, 16
	bl	puthex
	li	r3, ' '
	bl	putc
	ld	r3, H_DSISR(0)
	li	r4, 8
	bl	puthex
	li	r3, ' '
	bl	putc
	ld	r3, H_MSRIN(0)
	li	r4, 16
	bl	puthex
	li	r3, 10
	bl	putc
	bl	irq_clear
	mtlr	r15
	blr

/* clear the interrupt record (ABI, clobbers r0) */
	.globl	irq_clear
irq_clear:
	li	r0, 0
	std	r0, H_VEC(0)
	std	r0, H_SRR0(0)
	std	r0, H_SRR1(0)
	std	r0, H_DAR(0)
	std	r0, H_DSISR(0)
	std	r0, H_MSRIN(0)
	std	r0, H_LR(0)
	std	r0, H_CTR(0)
	std	r0, H_CNT(0)
	blr

/* ------------------------------------------------------------------ */
/* register dump: saves r0..r31, CR, XER, LR(as given), CTR to DUMPAREA and
   prints them.  Call as `bl dumpregs`; everything except LR is preserved.
   LR printed is the value before the call only if the caller saved it; the
   dump prints the return address relative to the image base instead. */
	.globl	dumpregs
dumpregs:
	std	r0, DUMPAREA+0(0)
	std	r1, DUMPAREA+8(0)
	std	r2, DUMPAREA+16(0)
	std	r3, DUMPAREA+24(0)
	std	r4, DUMPAREA+32(0)
	std	r5, DUMPAREA+40(0)
	std	r6, DUMPAREA+48(0)
	std	r7, DUMPAREA+56(0)
	std	r8, DUMPAREA+64(0)
	std	r9, DUMPAREA+72(0)
	std	r10, DUMPAREA+80(0)
	std	r11, DUMPAREA+88(0)
	std	r12, DUMPAREA+96(0)
	std	r13, DUMPAREA+104(0)
	std	r14, DUMPAREA+112(0)
	std	r15, DUMPAREA+120(0)
	std	r16, DUMPAREA+128(0)
	std	r17, DUMPAREA+136(0)
	std	r18, DUMPAREA+144(0)
	std	r19, DUMPAREA+152(0)
	std	r20, DUMPAREA+160(0)
	std	r21, DUMPAREA+168(0)
	std	r22, DUMPAREA+176(0)
	std	r23, DUMPAREA+184(0)
	std	r24, DUMPAREA+192(0)
	std	r25, DUMPAREA+200(0)
	std	r26, DUMPAREA+208(0)
	std	r27, DUMPAREA+216(0)
	std	r28, DUMPAREA+224(0)
	std	r29, DUMPAREA+232(0)
	std	r30, DUMPAREA+240(0)
	std	r31, DUMPAREA+248(0)
	mfcr	r0
	std	r0, DUMPAREA+256(0)
	mfxer	r0
	std	r0, DUMPAREA+264(0)
	mflr	r0
	std	r0, DUMPAREA+272(0)
	mfctr	r0
	std	r0, DUMPAREA+280(0)
	ld	r0, DUMPAREA+0(0)
	SAVEALL
	li	r14, 0
1:	andi.	r0, r14, 3
	bne	2f
	li	r3, 'r'
	bl	putc
	srdi	r3, r14, 4
	addi	r3, r3, '0'
	bl	putc
	andi.	r3, r14, 15
	cmpdi	r3, 10
	blt	3f
	addi	r3, r3, 'a'-'0'-10
3:	addi	r3, r3, '0'
	bl	putc
	li	r3, ':'
	bl	putc
2:	li	r3, ' '
	bl	putc
	sldi	r4, r14, 3
	addi	r4, r4, DUMPAREA
	ld	r3, 0(r4)
	li	r4, 16
	bl	puthex
	andi.	r0, r14, 3
	cmpdi	r0, 3
	bne	4f
	li	r3, 10
	bl	putc
4:	addi	r14, r14, 1
	cmpdi	r14, 32
	blt	1b
	P	"cr="
	ld	r3, DUMPAREA+256(0)
	li	r4, 8
	bl	puthex
	P	" xer="
	ld	r3, DUMPAREA+264(0)
	li	r4, 16
	bl	puthex
	P	" ctr="
	ld	r3, DUMPAREA+280(0)
	li	r4, 16
	bl	puthex
	li	r3, 10
	bl	putc
	RESTALL
	blr

/* ------------------------------------------------------------------ */
/* Open Firmware client interface.  of_call(r3 = argument block address,
   physical, < 4 GiB).  Returns r3 from the firmware.  The call is made in
   32-bit big-endian real mode through rfid; the return path comes back
   through TO_LE and restores the caller's MSR.  If our vectors are
   installed, VOF's low memory is put back for the duration of the call. */
	.globl	of_call
of_call:
	mflr	r0
	std	r0, 16(r1)
	stdu	r1, -96(r1)
	std	r14, 32(r1)
	std	r15, 40(r1)
	std	r16, 48(r1)
	mr	r15, r3
	ld	r0, G_VECON(0)
	cmpdi	r0, 0
	beq	1f
	li	r3, 0
	LI64	r4, SAVE_LOW
	li	r5, LOWSAVE_LEN
	bl	memcpy8
	li	r3, 0
	li	r4, LOWSAVE_LEN
	bl	sync_icache
1:	mfmsr	r14
	ld	r11, G_OFENTRY(0)
	mtsrr0	r11
	rldicl	r12, r14, 0, 1		/* SF = 0 */
	rldicr	r12, r12, 0, 62		/* LE = 0 */
	li	r11, MSR_IR|MSR_DR
	ori	r11, r11, MSR_EE
	andc	r12, r12, r11
	mtsrr1	r12
	LA	r11, of_ret
	mtlr	r11
	mr	r3, r15
	rfid
of_ret:
	TO_LE
	mtmsrd	r14
	isync
	mr	r15, r3
	ld	r0, G_VECON(0)
	cmpdi	r0, 0
	beq	2f
	li	r3, 0
	LI64	r4, MYVEC
	li	r5, LOWSAVE_LEN
	bl	memcpy8
	li	r3, 0
	li	r4, LOWSAVE_LEN
	bl	sync_icache
2:	mr	r3, r15
	ld	r14, 32(r1)
	ld	r15, 40(r1)
	ld	r16, 48(r1)
	addi	r1, r1, 96
	ld	r0, 16(r1)
	mtlr	r0
	blr

/* store a 32-bit big-endian cell: r3 = value, r4 = address */
	.globl	stbe32
stbe32:
	stwbrx	r3, 0, r4
	blr

/* exit: restore low memory and the interrupt endianness, call OF "exit" */
	.globl	of_exit
of_exit:
	bl	flush
	LI64	r1, STACK_TOP - 0x1000
	/* interrupts big-endian again, as firmware left it */
	ld	r0, G_VECON(0)
	cmpdi	r0, 0
	beq	1f
	li	r3, H_SET_MODE_NR
	li	r4, 0
	li	r5, 4
	li	r6, 0
	li	r7, 0
	sc	1
1:	li	r0, 0
	std	r0, G_VECON(0)
	li	r3, 0
	LI64	r4, SAVE_LOW
	li	r5, LOWSAVE_LEN
	bl	memcpy8
	LI64	r3, 0x17000
	LI64	r4, SAVE_SCV
	li	r5, 0x100
	bl	memcpy8
	li	r3, 0
	li	r4, LOWSAVE_LEN
	bl	sync_icache
	/* "exit" string and the argument block */
	LI64	r3, 0x65786974		/* "exit" */
	li	r4, OFSTR
	stwbrx	r3, 0, r4
	li	r0, 0
	stb	r0, OFSTR+4(0)
	li	r3, OFSTR
	li	r4, OFARGS
	stwbrx	r3, 0, r4
	li	r3, 0
	li	r4, OFARGS+4
	stwbrx	r3, 0, r4
	li	r4, OFARGS+8
	stwbrx	r3, 0, r4
	li	r3, OFARGS
	bl	of_call
	/* QEMU 7.2 pauses here; an emulator may return: spin */
2:	b	2b

/* ------------------------------------------------------------------ */
/* interrupts */

/* template: the first word is copied to every vector */
vec_tmpl:
	mtsprg1	r3

/* irq_install: interrupts little-endian (H_SET_MODE), a stub at every
   0x20 slot in 0x100..0xfe0 and at 0x17000 (scv 0).  Each stub does
   mtsprg1 r3 ; li r3,VECTOR ; b irq_common.  ABI clobbers. */
	.globl	irq_install
irq_install:
	mflr	r0
	std	r0, 16(r1)
	stdu	r1, -64(r1)
	std	r14, 32(r1)
	std	r15, 40(r1)
	li	r3, H_SET_MODE_NR
	li	r4, 1			/* mflags: little-endian */
	li	r5, 4			/* resource: LE */
	li	r6, 0
	li	r7, 0
	sc	1
	std	r3, G_TMP(0)
	lis	r3, 0x7fff		/* keep the decrementer quiet */
	ori	r3, r3, 0xffff
	mtdec	r3
	LA	r14, vec_tmpl
	lwz	r14, 0(r14)
	LA	r15, irq_common
	li	r3, 0x100
1:	stw	r14, 0(r3)
	oris	r4, r3, 0x3860		/* li r3,vector */
	stw	r4, 4(r3)
	addi	r5, r3, 8
	subf	r5, r5, r15
	rlwinm	r5, r5, 0, 6, 29
	oris	r5, r5, 0x4800		/* b irq_common */
	stw	r5, 8(r3)
	addi	r3, r3, 0x20
	cmpdi	r3, 0x1000
	blt	1b
	/* scv 0 at 0x17000: mtsprg1 r3; lis r3,1; ori r3,r3,0x7000; b scv_common */
	LI64	r3, 0x17000
	stw	r14, 0(r3)
	LI64	r4, 0x3c600001
	stw	r4, 4(r3)
	LI64	r4, 0x60637000
	stw	r4, 8(r3)
	LA	r15, scv_common
	addi	r5, r3, 12
	subf	r5, r5, r15
	rlwinm	r5, r5, 0, 6, 29
	oris	r5, r5, 0x4800
	stw	r5, 12(r3)
	li	r4, 0x100
	bl	sync_icache
	li	r3, 0
	li	r4, LOWSAVE_LEN
	bl	sync_icache
	LI64	r3, MYVEC
	li	r4, 0
	li	r5, LOWSAVE_LEN
	bl	memcpy8
	li	r0, 1
	std	r0, G_VECON(0)
	bl	irq_clear
	ld	r3, G_TMP(0)		/* H_SET_MODE return code */
	ld	r14, 32(r1)
	ld	r15, 40(r1)
	addi	r1, r1, 64
	ld	r0, 16(r1)
	mtlr	r0
	blr

/* Common handler, real mode.  Records vector, SRR0/1, DAR, DSISR and the
   handler MSR; returns to H_RESUME if set (one shot) else SRR0, +4 except
   for system call, decrementer and external interrupts; with MSR H_RMSR if
   set (one shot) else SRR1.  Decrementer: DEC is reloaded with 0x7fffffff. */
	.globl	irq_common
irq_common:
	std	r4, H_R4(0)
	std	r5, H_R5(0)
	std	r0, H_R0(0)
	mfcr	r4
	std	r4, H_CR(0)
	std	r3, H_VEC(0)
	mfsrr0	r4
	std	r4, H_SRR0(0)
	mfsrr1	r4
	std	r4, H_SRR1(0)
	mfdar	r4
	std	r4, H_DAR(0)
	mfdsisr	r4
	std	r4, H_DSISR(0)
	mfmsr	r4
	std	r4, H_MSRIN(0)
	ld	r4, H_CNT(0)
	addi	r4, r4, 1
	std	r4, H_CNT(0)
	cmpdi	r4, 64
	bgt	irq_panic
	rlwinm	r5, r3, 0, 20, 31	/* vector & 0xfff (relocated stubs add 0x4000) */
	cmpdi	r5, 0x900
	bne	1f
	lis	r4, 0x7fff
	ori	r4, r4, 0xffff
	mtdec	r4
1:	ld	r4, H_RESUME(0)
	cmpdi	r4, 0
	beq	2f
	mtsrr0	r4
	li	r4, 0
	std	r4, H_RESUME(0)
	b	3f
2:	cmpdi	r5, 0xc00
	beq	3f
	cmpdi	r5, 0x900
	beq	3f
	cmpdi	r5, 0x500
	beq	3f
	mfsrr0	r4
	addi	r4, r4, 4
	mtsrr0	r4
3:	ld	r4, H_RMSR(0)
	cmpdi	r4, 0
	beq	4f
	mtsrr1	r4
	li	r4, 0
	std	r4, H_RMSR(0)
4:	ld	r4, H_CR(0)
	mtcrf	0xff, r4
	ld	r4, H_R4(0)
	ld	r5, H_R5(0)
	mfsprg1	r3
	rfid

irq_panic:
	LI64	r1, PANIC_STACK
	li	r3, 0
	std	r3, G_TMP+56(0)
	P	"\nPANIC: interrupt loop"
	bl	p_irq_body
	b	finish

/* scv: record LR, CTR (= old MSR) and the MSR inside, return with rfscv */
scv_common:
	std	r4, H_R4(0)
	mfcr	r4
	std	r4, H_CR(0)
	std	r3, H_VEC(0)
	mflr	r4
	std	r4, H_LR(0)
	mfctr	r4
	std	r4, H_CTR(0)
	mfmsr	r4
	std	r4, H_MSRIN(0)
	std	r0, H_R0(0)
	ld	r4, H_CNT(0)
	addi	r4, r4, 1
	std	r4, H_CNT(0)
	ld	r4, H_CR(0)
	mtcrf	0xff, r4
	ld	r4, H_R4(0)
	mfsprg1	r3
	rfscv

/* set the "return with this MSR" and "resume here" for the next interrupt */
	.globl	irq_expect
irq_expect:	/* r3 = resume address (0 = default), r4 = msr (0 = SRR1) */
	std	r3, H_RESUME(0)
	std	r4, H_RMSR(0)
	blr

/* "name xin=r6 a=r4 b=r5 -> r3 xer cr" in compact columns:
   "name XXXXXXXX AAAAAAAAAAAAAAAA BBBBBBBBBBBBBBBB RRRRRRRRRRRRRRRR XER CR" */
	.globl	_rep6
_rep6:
	SAVEALL
	mflr	r14
	bl	puts14
	RET_INLINE
	li	r3, ' '
	bl	putc
	ld	r3, 72(r1)		/* r6 */
	li	r4, 8
	bl	puthex
	li	r3, ' '
	bl	putc
	ld	r3, 56(r1)		/* r4 */
	li	r4, 16
	bl	puthex
	li	r3, ' '
	bl	putc
	ld	r3, 64(r1)		/* r5 */
	li	r4, 16
	bl	puthex
	li	r3, ' '
	bl	putc
	ld	r3, 48(r1)		/* r3 */
	li	r4, 16
	bl	puthex
	li	r3, ' '
	bl	putc
	ld	r3, 168(r1)		/* xer */
	li	r4, 8
	bl	puthex
	li	r3, ' '
	bl	putc
	ld	r3, 160(r1)		/* cr */
	li	r4, 8
	bl	puthex
	li	r3, 10
	bl	putc
	RESTALL
	blr

/* ------------------------------------------------------------------ */
/* OF helpers.  Strings are passed as addresses (< 4 GiB, in the image). */

/* of_finddevice(r3 = path) -> r3 = phandle (or -1) */
	.globl	of_finddevice
of_finddevice:
	mflr	r0
	std	r0, 16(r1)
	stdu	r1, -64(r1)
	mr	r6, r3
	LA	r3, s_finddevice
	li	r4, OFARGS
	stwbrx	r3, 0, r4
	li	r3, 1
	li	r4, OFARGS+4
	stwbrx	r3, 0, r4		/* nargs 1 */
	li	r4, OFARGS+8
	stwbrx	r3, 0, r4		/* nret 1 */
	li	r4, OFARGS+12
	stwbrx	r6, 0, r4
	li	r3, -1
	li	r4, OFARGS+16
	stwbrx	r3, 0, r4
	li	r3, OFARGS
	bl	of_call
	li	r4, OFARGS+16
	lwbrx	r3, 0, r4
	extsw	r3, r3
	addi	r1, r1, 64
	ld	r0, 16(r1)
	mtlr	r0
	blr

/* of_getprop(r3 = phandle, r4 = name, r5 = buf, r6 = buflen) -> r3 = size */
	.globl	of_getprop
of_getprop:
	mflr	r0
	std	r0, 16(r1)
	stdu	r1, -64(r1)
	li	r7, OFARGS+12
	stwbrx	r3, 0, r7
	li	r7, OFARGS+16
	stwbrx	r4, 0, r7
	li	r7, OFARGS+20
	stwbrx	r5, 0, r7
	li	r7, OFARGS+24
	stwbrx	r6, 0, r7
	li	r3, -1
	li	r7, OFARGS+28
	stwbrx	r3, 0, r7
	LA	r3, s_getprop
	li	r4, OFARGS
	stwbrx	r3, 0, r4
	li	r3, 4
	li	r4, OFARGS+4
	stwbrx	r3, 0, r4
	li	r3, 1
	li	r4, OFARGS+8
	stwbrx	r3, 0, r4
	li	r3, OFARGS
	bl	of_call
	li	r4, OFARGS+28
	lwbrx	r3, 0, r4
	extsw	r3, r3
	addi	r1, r1, 64
	ld	r0, 16(r1)
	mtlr	r0
	blr

s_finddevice:	.asciz "finddevice"
s_getprop:	.asciz "getprop"
s_cpupath:	.asciz "/cpus/PowerPC,POWER9@0"
s_pftsize:	.asciz "ibm,pft-size"
	.balign	4

/* ------------------------------------------------------------------ */
/* Hash MMU helpers (HPT managed by the hypervisor through H_ENTER). */

/* mmu_probe: read ibm,pft-size from the cpu node, set G_HPTORD/G_HPTMASK.
   Returns r3 = order.  Falls back to 21 (QEMU rule for 256 MiB). */
	.globl	mmu_probe
mmu_probe:
	mflr	r0
	std	r0, 16(r1)
	stdu	r1, -64(r1)
	LA	r3, s_cpupath
	bl	of_finddevice
	cmpdi	r3, -1
	beq	1f
	LA	r4, s_pftsize
	li	r5, G_TMP
	li	r6, 8
	bl	of_getprop
	cmpdi	r3, 8
	bne	1f
	li	r4, G_TMP+4
	lwbrx	r3, 0, r4
	b	2f
1:	li	r3, 21
2:	std	r3, G_HPTORD(0)
	addi	r4, r3, -7
	li	r5, 1
	sld	r5, r5, r4
	addi	r5, r5, -1
	std	r5, G_HPTMASK(0)
	addi	r1, r1, 64
	ld	r0, 16(r1)
	mtlr	r0
	blr

/* mmu_hash(r3 = EA, r5 = SLB VSID word (slbmte RS)) -> r3 = PTEG index
   (primary), r4 = B|AVPN part of the first HPTE dword (no L/V).
   The base page size comes from the SLB word (L||LP: 0 = 4K, 0x110 = 64K,
   0x100 = 16M).  Clobbers r6-r10. */
	.globl	mmu_hash
mmu_hash:
	andi.	r6, r5, 0x130		/* L||LP -> base page shift r7 */
	li	r7, 12
	cmpdi	r6, 0x110
	bne	1f
	li	r7, 16
1:	cmpdi	r6, 0x100
	bne	2f
	li	r7, 24
2:	srdi	r6, r5, 62		/* B */
	cmpdi	r6, 1
	beq	3f
	rldicl	r8, r5, 52, 14		/* 256M: VSID = RS >> 12 */
	rldicl	r10, r3, 0, 36		/* offset = EA & 0x0fffffff */
	srd	r9, r10, r7
	xor	r9, r9, r8
	LI64	r4, 0xfffffffffffff000
	and	r4, r5, r4
	b	4f
3:	rldicl	r8, r5, 40, 26		/* 1T: VSID = RS >> 24 */
	rldicl	r10, r3, 0, 24		/* offset = EA & (2^40-1) */
	srd	r9, r10, r7
	xor	r9, r9, r8
	sldi	r8, r8, 25
	xor	r9, r9, r8
	LI64	r4, 0xffffffffff000000
	and	r4, r5, r4
4:	srdi	r10, r10, 16
	rldicr	r10, r10, 0, 56
	or	r4, r4, r10
	ld	r6, G_HPTMASK(0)
	and	r3, r9, r6
	blr

/* mmu_enter(r3 = EA, r4 = RA, r5 = SLB VSID word, r6 = low dword1 bits
   (PP, N, WIMG, key)) -> r3 = H_ENTER rc, r4 = ptex used.  The page size is
   the segment's base page size. */
	.globl	mmu_enter
mmu_enter:
	mflr	r0
	std	r0, 16(r1)
	stdu	r1, -96(r1)
	std	r14, 32(r1)
	std	r15, 40(r1)
	std	r16, 48(r1)
	mr	r14, r4
	mr	r15, r6
	mr	r16, r5
	bl	mmu_hash
	sldi	r5, r3, 3		/* ptex = PTEG * 8 */
	ori	r6, r4, 1		/* V */
	or	r7, r14, r15
	andi.	r8, r16, 0x130
	cmpdi	r8, 0x110		/* 64K base page: L=1, LP enc 1 */
	bne	1f
	ori	r6, r6, 4
	ori	r7, r7, 0x1000
1:	cmpdi	r8, 0x100		/* 16M: L=1, LP enc 0 */
	bne	2f
	ori	r6, r6, 4
2:	li	r3, H_ENTER_NR
	li	r4, 0
	sc	1
	ld	r14, 32(r1)
	ld	r15, 40(r1)
	ld	r16, 48(r1)
	addi	r1, r1, 96
	ld	r0, 16(r1)
	mtlr	r0
	blr

/* mmu_identity: SLB entry 0 for ESID 0 (EA 0..256M) with VSID IDVSID,
   64K base pages, Kp=1, and map EA 0..16M to the same real addresses
   (PP=2: read/write for both keys).  Translation is not turned on. */
#define IDVSID 0x123
	.globl	mmu_identity
mmu_identity:
	mflr	r0
	std	r0, 16(r1)
	stdu	r1, -64(r1)
	std	r14, 32(r1)
	slbia	7
	isync
	LI64	r3, (IDVSID << 12) | 0x400 | 0x110	/* Kp, L||LP = 64K */
	li	r4, 0
	oris	r4, r4, 0x0800		/* V, index 0, ESID 0 */
	slbmte	r3, r4
	isync
	li	r14, 0
1:	mr	r3, r14
	mr	r4, r14
	LI64	r5, (IDVSID << 12) | 0x400 | 0x110
	li	r6, 0x12		/* M, PP=2 */
	bl	mmu_enter
	cmpdi	r3, 0
	bne	2f
	addis	r14, r14, 1		/* + 64K */
	lis	r3, 0x100
	cmpld	r14, r3
	blt	1b
	li	r3, 0
2:	ld	r14, 32(r1)
	addi	r1, r1, 64
	ld	r0, 16(r1)
	mtlr	r0
	blr

/* print r4 bytes at r3 in address order as hex, then newline ("MEM" macro) */
	.globl	_p_mem
_p_mem:
	SAVEALL
	mflr	r14
	bl	puts14
	RET_INLINE
	li	r3, ' '
	bl	putc
	ld	r15, 48(r1)		/* addr */
	ld	r16, 56(r1)		/* len */
1:	cmpdi	r16, 0
	beq	2f
	lbz	r3, 0(r15)
	li	r4, 2
	bl	puthex
	addi	r15, r15, 1
	addi	r16, r16, -1
	b	1b
2:	li	r3, 10
	bl	putc
	RESTALL
	blr

/* dumpfprs: print f0..f31 (raw bits), FPSCR and CR.  Needs MSR[FP]=1.
   Preserves every register (and FPSCR) except LR. */
#define FDUMP 0x2800
	.globl	dumpfprs
dumpfprs:
	stfd	f0, FDUMP+0(0)
	stfd	f1, FDUMP+8(0)
	stfd	f2, FDUMP+16(0)
	stfd	f3, FDUMP+24(0)
	stfd	f4, FDUMP+32(0)
	stfd	f5, FDUMP+40(0)
	stfd	f6, FDUMP+48(0)
	stfd	f7, FDUMP+56(0)
	stfd	f8, FDUMP+64(0)
	stfd	f9, FDUMP+72(0)
	stfd	f10, FDUMP+80(0)
	stfd	f11, FDUMP+88(0)
	stfd	f12, FDUMP+96(0)
	stfd	f13, FDUMP+104(0)
	stfd	f14, FDUMP+112(0)
	stfd	f15, FDUMP+120(0)
	stfd	f16, FDUMP+128(0)
	stfd	f17, FDUMP+136(0)
	stfd	f18, FDUMP+144(0)
	stfd	f19, FDUMP+152(0)
	stfd	f20, FDUMP+160(0)
	stfd	f21, FDUMP+168(0)
	stfd	f22, FDUMP+176(0)
	stfd	f23, FDUMP+184(0)
	stfd	f24, FDUMP+192(0)
	stfd	f25, FDUMP+200(0)
	stfd	f26, FDUMP+208(0)
	stfd	f27, FDUMP+216(0)
	stfd	f28, FDUMP+224(0)
	stfd	f29, FDUMP+232(0)
	stfd	f30, FDUMP+240(0)
	stfd	f31, FDUMP+248(0)
	mffs	f0
	stfd	f0, FDUMP+256(0)
	lfd	f0, FDUMP+0(0)
	SAVEALL
	li	r14, 0
1:	andi.	r0, r14, 3
	bne	2f
	li	r3, 'f'
	bl	putc
	li	r3, '0'
	cmpdi	r14, 10
	blt	5f
	li	r3, '1'
	cmpdi	r14, 20
	blt	5f
	li	r3, '2'
	cmpdi	r14, 30
	blt	5f
	li	r3, '3'
5:	bl	putc
	li	r4, 10
	divdu	r3, r14, r4
	mulld	r3, r3, r4
	subf	r3, r3, r14
	addi	r3, r3, '0'
	bl	putc
	li	r3, ':'
	bl	putc
2:	li	r3, ' '
	bl	putc
	sldi	r4, r14, 3
	addi	r4, r4, FDUMP
	ld	r3, 0(r4)
	li	r4, 16
	bl	puthex
	andi.	r0, r14, 3
	cmpdi	r0, 3
	bne	4f
	li	r3, 10
	bl	putc
4:	addi	r14, r14, 1
	cmpdi	r14, 32
	blt	1b
	P	"fpscr="
	ld	r3, FDUMP+256(0)
	li	r4, 16
	bl	puthex
	P	" cr="
	ld	r3, 160(r1)
	li	r4, 8
	bl	puthex
	li	r3, 10
	bl	putc
	RESTALL
	blr
