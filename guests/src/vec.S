/*
 * vec: VMX and VSX.  Source vectors are loaded from memory; results are
 * printed as "name=DW0_DW1" (the register in ISA element order: DW0 holds
 * bytes 0..7, i.e. the leftmost elements), CR6 where relevant.
 *   mem A = bytes 00 01 .. 0f       (at SCR)
 *   mem B = bytes 80 81 .. 8f       (at SCR+0x80)
 *   mem Z = 41 00 42 43 00 44 ff 45 46 00 47 48 49 4a 4b 00 (at SCR+0x200)
 */
#include "common.h"

#define A_OFF	0
#define B_OFF	0x80
#define Z_OFF	0x200

/* load v2 = A, v3 = B, v4 = Z (lvx) */
.macro LOADV
	li	r3, A_OFF
	lvx	v2, r31, r3
	li	r3, B_OFF
	lvx	v3, r31, r3
	li	r3, Z_OFF
	lvx	v4, r31, r3
.endm

/* v1 = insn v2, v3 ; print v1 and CR */
.macro V3 insn, a=v2, b=v3
	LOADV
	vxor	v1, v1, v1
	li	r0, 0
	mtcrf	0xff, r0
	\insn	v1, \a, \b
	mfcr	r5
	PV	"\insn \a \b", 1
	PR32	cr, r5
	NL
.endm

/* v1 = insn a */
.macro V2 insn, a
	LOADV
	\insn	v1, \a
	PV	"\insn \a", 1
	NL
.endm

/* x = insn ... with any operands, print a VSR */
.macro VX text, vsr
	\text
	PVS	"\text", \vsr
	NL
.endm

	.text
	.globl	test_main
test_main:
	mflr	r0
	std	r0, 16(r1)
	stdu	r1, -128(r1)
	mfmsr	r3
	ori	r3, r3, MSR_FP
	oris	r3, r3, (MSR_VEC|MSR_VSX)@h
	mtmsrd	r3
	isync
	LI64	r31, SCR
	li	r3, 0
1:	stbx	r3, r31, r3
	addi	r3, r3, 1
	cmpdi	r3, 0x200
	blt	1b
	addi	r4, r31, Z_OFF
	LI64	r3, 0x45ff440043420041
	std	r3, 0(r4)
	LI64	r3, 0x004b4a4948470046
	std	r3, 8(r4)

	P	"== loads and stores\n"
	LOADV
	PV	"lvx A", 2
	PV	"lvx B", 3
	PV	"lvx Z", 4
	NL
	.irp	off, 0, 3, 8, 13
	li	r3, \off
	lvsl	v5, r31, r3
	lvsr	v6, r31, r3
	PV	"lvsl \off", 5
	PV	"lvsr \off", 6
	NL
	vxor	v7, v7, v7
	lvebx	v7, r31, r3
	PV	"lvebx", 7
	vxor	v7, v7, v7
	lvehx	v7, r31, r3
	PV	"lvehx", 7
	vxor	v7, v7, v7
	lvewx	v7, r31, r3
	PV	"lvewx", 7
	NL
	li	r4, \off
	addi	r4, r4, 1
	lxvd2x	vs8, r31, r4
	lxvw4x	vs9, r31, r4
	PVS	"lxvd2x +\off+1", 8
	PVS	"lxvw4x", 9
	NL
	lxvh8x	vs8, r31, r4
	lxvb16x	vs9, r31, r4
	PVS	"lxvh8x", 8
	PVS	"lxvb16x", 9
	NL
	lxvx	vs8, r31, r4
	lxvdsx	vs9, r31, r4
	PVS	"lxvx", 8
	PVS	"lxvdsx", 9
	NL
	.endr
	lxv	vs10, 16(r31)
	PVS	"lxv 16", 10
	lxsd	v11, 24(r31)
	PV	"lxsd 24", 11
	lxssp	v12, 32(r31)
	PV	"lxssp 32", 12
	NL
	/* lxvl / stxvl: length in r5 bits 0:7 */
	.irp	len, 0, 1, 7, 16, 17, 255
	LI64	r5, (\len << 56)
	vspltisb v13, -1
	lxvl	vs45, r31, r5
	PV	"lxvl len=\len", 13
	NL
	.endr
	LOADV
	li	r3, 0
	.irp	len, 0, 3, 16
	addi	r6, r31, 0x300
	LI64	r0, 0xeeeeeeeeeeeeeeee
	std	r0, 0(r6)
	std	r0, 8(r6)
	std	r0, 16(r6)
	LI64	r5, (\len << 56)
	stxvl	vs34, r6, r5
	MEM	"stxvl A len=\len", r6, 24
	.endr
	/* stores of A, raw memory */
	addi	r6, r31, 0x300
	li	r3, 0
	stvx	v2, r6, r3
	MEM	"stvx A", r6, 16
	stxvd2x	vs34, r6, r3
	MEM	"stxvd2x A", r6, 16
	stxvw4x	vs34, r6, r3
	MEM	"stxvw4x A", r6, 16
	stxvh8x	vs34, r6, r3
	MEM	"stxvh8x A", r6, 16
	stxvb16x vs34, r6, r3
	MEM	"stxvb16x A", r6, 16
	stxvx	vs34, r6, r3
	MEM	"stxvx A", r6, 16
	stxv	vs34, 0(r6)
	MEM	"stxv A", r6, 16
	LI64	r0, 0xeeeeeeeeeeeeeeee
	std	r0, 0(r6)
	std	r0, 8(r6)
	li	r3, 5
	stvebx	v2, r6, r3
	li	r3, 6
	stvehx	v2, r6, r3
	li	r3, 8
	stvewx	v2, r6, r3
	MEM	"stvebx 5/stvehx 6/stvewx 8", r6, 16
	stxsd	v2, 0(r6)
	stxsiwx	vs34, r6, r3
	MEM	"stxsd 0 / stxsiwx 8", r6, 16

	P	"== GPR <-> VSR moves\n"
	LI64	r4, 0x0123456789abcdef
	LI64	r5, 0xfedcba9876543210
	xxlxor	vs20, vs20, vs20
	mtvsrd	vs20, r4
	PVS	"mtvsrd", 20
	xxlxor	vs21, vs21, vs21
	mtvsrwz	vs21, r5
	PVS	"mtvsrwz", 21
	NL
	mtvsrwa	vs22, r5
	PVS	"mtvsrwa", 22
	mtvsrdd	vs23, r4, r5
	PVS	"mtvsrdd", 23
	NL
	mtvsrws	vs24, r4
	PVS	"mtvsrws", 24
	mfvsrd	r6, vs23
	mfvsrwz	r7, vs23
	mfvsrld	r8, vs23
	PR	"mfvsrd", r6
	PR	mfvsrwz, r7
	PR	mfvsrld, r8
	NL
	mtvsrd	vs55, r4
	PV	"mtvsrd vs55=v23", 23
	NL

	P	"== permutes\n"
	LOADV
	vperm	v1, v2, v3, v4
	PV	"vperm A,B,Z", 1
	vpermr	v1, v2, v3, v4
	PV	"vpermr A,B,Z", 1
	NL
	.irp	sh, 0, 1, 5, 15
	vsldoi	v1, v2, v3, \sh
	PV	"vsldoi \sh", 1
	.endr
	NL
	vspltb	v1, v2, 0
	PV	"vspltb 0", 1
	vspltb	v1, v2, 13
	PV	"vspltb 13", 1
	NL
	vsplth	v1, v3, 1
	PV	"vsplth 1", 1
	vspltw	v1, v3, 3
	PV	"vspltw 3", 1
	NL
	vspltisb v1, -7
	PV	"vspltisb -7", 1
	vspltish v1, 15
	PV	"vspltish 15", 1
	vspltisw v1, -16
	PV	"vspltisw -16", 1
	NL
	xxswapd	vs1, vs34
	PVS	"xxswapd A", 1
	.irp	dm, 0, 1, 2, 3
	xxpermdi vs1, vs34, vs35, \dm
	PVS	"xxpermdi A,B,\dm", 1
	.endr
	NL
	xxmrghd	vs1, vs34, vs35
	PVS	"xxmrghd", 1
	xxmrgld	vs1, vs34, vs35
	PVS	"xxmrgld", 1
	NL
	xxmrghw	vs1, vs34, vs35
	PVS	"xxmrghw", 1
	xxmrglw	vs1, vs34, vs35
	PVS	"xxmrglw", 1
	NL
	xxspltd	vs1, vs35, 1
	PVS	"xxspltd 1", 1
	xxspltw	vs1, vs35, 2
	PVS	"xxspltw 2", 1
	xxspltib vs1, 0xa5
	PVS	"xxspltib a5", 1
	NL
	xxsldwi	vs1, vs34, vs35, 1
	PVS	"xxsldwi 1", 1
	xxperm	vs1, vs34, vs36
	PVS	"xxperm", 1
	NL
	xxbrd	vs1, vs34
	PVS	"xxbrd", 1
	xxbrw	vs1, vs34
	PVS	"xxbrw", 1
	NL
	xxbrh	vs1, vs34
	PVS	"xxbrh", 1
	xxbrq	vs1, vs34
	PVS	"xxbrq", 1
	NL
	xxextractuw vs1, vs35, 5
	PVS	"xxextractuw 5", 1
	xxlor	vs1, vs34, vs34
	xxinsertw vs1, vs35, 8
	PVS	"xxinsertw 8", 1
	NL
	vmrghb	v1, v2, v3
	PV	"vmrghb", 1
	vmrglh	v1, v2, v3
	PV	"vmrglh", 1
	NL
	vpkuhum	v1, v2, v3
	PV	"vpkuhum", 1
	vpkudum	v1, v2, v3
	PV	"vpkudum", 1
	vupkhsb	v1, v3
	PV	"vupkhsb", 1
	NL

	P	"== bit gather / logical / shifts\n"
	vgbbd	v1, v3
	PV	"vgbbd B", 1
	vgbbd	v1, v4
	PV	"vgbbd Z", 1
	NL
	vbpermq	v1, v4, v2
	PV	"vbpermq Z,A", 1
	vbpermq	v1, v3, v4
	PV	"vbpermq B,Z", 1
	NL
	V3	vand
	V3	vor
	V3	vxor
	V3	vnor
	V3	vandc
	V3	vorc
	V3	vnand
	V3	veqv
	xxlorc	vs1, vs34, vs36
	PVS	"xxlorc A,Z", 1
	xxlxor	vs1, vs34, vs36
	PVS	"xxlxor A,Z", 1
	xxlnor	vs1, vs34, vs36
	PVS	"xxlnor A,Z", 1
	NL
	xxsel	vs1, vs34, vs35, vs36
	PVS	"xxsel", 1
	NL
	xvcpsgndp vs1, vs34, vs35
	PVS	"xvcpsgndp A,B", 1
	xvcpsgnsp vs1, vs35, vs34
	PVS	"xvcpsgnsp B,A", 1
	xvabsdp	vs1, vs35
	PVS	"xvabsdp B", 1
	xvnabsdp vs1, vs34
	PVS	"xvnabsdp A", 1
	NL
	xvnegdp	vs1, vs35
	PVS	"xvnegdp B", 1
	xvabssp	vs1, vs35
	PVS	"xvabssp B", 1
	xvnabssp vs1, vs34
	PVS	"xvnabssp A", 1
	xvnegsp	vs1, vs34
	PVS	"xvnegsp A", 1
	NL
	vsel	v1, v2, v3, v4
	PV	"vsel", 1
	NL
	V3	vslb, v3, v4
	V3	vsrw, v3, v4
	V3	vsraw, v3, v4
	V3	vrlw, v3, v4
	V3	vsl, v3, v4
	V3	vsr, v3, v4
	V3	vslo, v3, v4
	V3	vsro, v3, v4
	V3	vsrd, v3, v4
	V3	vrld, v3, v4

	P	"== compares (cr6)\n"
	V3	vcmpequb, v2, v4
	V3	vcmpequb., v2, v4
	V3	vcmpequb., v2, v2
	V3	vcmpequh., v2, v3
	V3	vcmpequw., v4, v4
	V3	vcmpgtub., v3, v2
	V3	vcmpgtsb., v3, v2
	V3	vcmpgtuw., v2, v3
	V3	vcmpneb, v2, v4
	V3	vcmpnezb, v2, v4
	V3	vcmpnezb., v2, v4
	V3	vcmpnezb., v4, v4
	V3	vcmpnezb., v2, v2
	V3	vcmpnezh., v2, v4
	V3	vcmpnezw., v4, v2
	V3	vcmpequd., v3, v3
	V3	vcmpgtsd., v3, v2
	V3	vminub, v3, v4
	V3	vmaxub, v3, v4
	V3	vminsb, v3, v4
	V3	vmaxsw, v3, v4

	P	"== vector -> GPR (ISA 3.0)\n"
	LOADV
	vctzlsbb r3, v2
	vctzlsbb r4, v4
	vclzlsbb r5, v4
	PR	"vctzlsbb A", r3
	PR	"vctzlsbb Z", r4
	PR	"vclzlsbb Z", r5
	NL
	.irp	idx, 0, 1, 5, 12, 15, 16, 19
	li	r6, \idx
	vextublx r3, r6, v4
	vextubrx r4, r6, v4
	vextuhlx r5, r6, v4
	vextuwrx r7, r6, v4
	PR	"vextublx \idx", r3
	PR	vextubrx, r4
	PR	vextuhlx, r5
	PR	vextuwrx, r7
	NL
	.endr
	vcmpnezb. v5, v2, v4
	vctzlsbb r3, v5
	PR	"strlen idiom: ctz(lsb of vcmpnezb A,Z)", r3
	NL

	P	"== integer arithmetic and VSCR\n"
	vspltisw v0, 0
	mtvscr	v0
	V3	vaddubm
	V3	vaddubs
	mfvscr	v1
	PV	"vscr after vaddubs", 1
	NL
	V3	vsububs, v2, v3
	V3	vadduwm
	V3	vaddsws, v3, v3
	mfvscr	v1
	PV	"vscr (sticky SAT)", 1
	NL
	vspltisw v0, 0
	mtvscr	v0
	V3	vsubuwm
	V3	vmuluwm
	V3	vmulesb
	V3	vmulouh
	V3	vavgub
	V3	vsum4ubs
	V3	vsumsws
	mfvscr	v1
	PV	"vscr", 1
	NL
	V2	vpopcntb, v3
	V2	vclzw, v3
	V2	vctzb, v4
	V3	vaddcuw, v3, v3
	V3	vabsdub
	LI64	r3, 0x00010000
	mtvsrwz	vs32, r3
	xxspltw	vs32, vs32, 1
	mtvscr	v0
	mfvscr	v1
	PV	"mtvscr NJ -> mfvscr", 1
	vspltisw v0, 0
	mtvscr	v0
	NL

	addi	r1, r1, 128
	ld	r0, 16(r1)
	mtlr	r0
	blr
