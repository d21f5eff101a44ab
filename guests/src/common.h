/*
 * common.h - shared constants and macros for the papr bare-metal test guests.
 *
 * All guests are little-endian, 64-bit, position independent, loaded by
 * QEMU/VOF at guest-physical 0x400000 and entered at their first byte in
 * big-endian 32-bit real mode.  See guests/README.md.
 *
 * Register conventions inside test code:
 *   r1  = stack (the print macros use it, keep it valid)
 *   all other GPRs, CR, XER, CTR are preserved by the print macros;
 *   only LR is clobbered by every macro that prints.
 */

/* ---- fixed guest-physical memory map (real mode addresses) ---- */
#define LOWSAVE_LEN   0x2000        /* 0..0x2000 is saved (VOF code + our vectors) */
#define G_OFENTRY     0x3000        /* OF client interface entry (r5 at entry) */
#define G_BASE        0x3008        /* runtime address of the image (_start) */
#define G_OFSTACK     0x3010        /* r1 given by firmware */
#define G_VECON       0x3018        /* 1 while our vectors are installed */
#define G_TMP         0x3020        /* 8 scratch doublewords 0x3020..0x305f */
#define G_HPTORD      0x3060        /* log2 of the HPT size (ibm,pft-size) */
#define G_HPTMASK     0x3068        /* PTEG index mask */

#define H_VEC         0x3100        /* last interrupt: vector (0 = none) */
#define H_SRR0        0x3108
#define H_SRR1        0x3110
#define H_DAR         0x3118
#define H_DSISR       0x3120
#define H_CNT         0x3128        /* number of interrupts taken */
#define H_RESUME      0x3130        /* one shot: resume address (else SRR0 [+4]) */
#define H_RMSR        0x3138        /* one shot: MSR to return with (else SRR1) */
#define H_R4          0x3140
#define H_R5          0x3148
#define H_CR          0x3150
#define H_MSRIN       0x3158        /* MSR seen inside the handler */
#define H_LR          0x3160        /* scv: LR at entry */
#define H_CTR         0x3168        /* scv: CTR at entry */
#define H_R0          0x3170        /* r0 at interrupt time */

#define DUMPAREA      0x3800        /* r0..r31 then CR, XER, LR, CTR */
#define PBUF          0x3a00        /* console line buffer, 16 bytes */
#define PBUF_N        0x3a10
#define OFARGS        0x3c00        /* OF client interface argument block */
#define OFSTR         0x3d00        /* strings for OF calls (< 4 GiB) */

#define STACK_TOP     0x7f0000
#define PANIC_STACK   0x7f8000
#define SCR           0x800000      /* 1 MiB scratch data area */
#define SAVE_LOW      0x900000      /* copy of 0..LOWSAVE_LEN as VOF left it */
#define SAVE_SCV      0x904000      /* copy of 0x17000..0x17100 */
#define MYVEC         0x908000      /* copy of 0..LOWSAVE_LEN with our vectors */

/* MSR bits */
#define MSR_SF   0x8000000000000000
#define MSR_VEC  0x2000000
#define MSR_VSX  0x800000
#define MSR_EE   0x8000
#define MSR_PR   0x4000
#define MSR_FP   0x2000
#define MSR_ME   0x1000
#define MSR_FE0  0x800
#define MSR_FE1  0x100
#define MSR_IR   0x20
#define MSR_DR   0x10
#define MSR_RI   0x2
#define MSR_LE   0x1

/* hcalls */
#define H_REMOVE_NR   0x04
#define H_ENTER_NR    0x08
#define H_READ_NR     0x0c
#define H_PUT_TERM    0x58
#define H_SET_MODE_NR 0x31c

/* ---- macros ---- */

/* load a 64-bit constant */
.macro LI64 rd, val
	lis	\rd, (\val)@highest
	ori	\rd, \rd, (\val)@higher
	sldi	\rd, \rd, 32
	oris	\rd, \rd, (\val)@h
	ori	\rd, \rd, (\val)@l
.endm

/* load the runtime address of a symbol (position independent, clobbers LR) */
.macro LA rd, sym
	bcl	20, 31, .Lla\@
.Lla\@:	mflr	\rd
	addis	\rd, \rd, (\sym - .Lla\@)@ha
	addi	\rd, \rd, (\sym - .Lla\@)@l
.endm

/* print a literal string (may contain \n) */
.macro P str
	bl	_p_str
	.asciz	"\str"
	.balign	4
.endm

.macro NL
	P	"\n"
.endm

/* print "label=XXXXXXXXXXXXXXXX " (64-bit value of reg) */
.macro PR label, reg
	std	\reg, -8(r1)
	bl	_p_hex
	.asciz	"\label"
	.balign	4
.endm

/* print "label=XXXXXXXX " (low 32 bits of reg) */
.macro PR32 label, reg
	std	\reg, -8(r1)
	bl	_p_hex32
	.asciz	"\label"
	.balign	4
.endm

/* print a VSX register (number 0..63) as "label=HHHHHHHHHHHHHHHH_LLLLLLLLLLLLLLLL ":
   the register in ISA order, doubleword 0 first.  Needs MSR[VSX]=1. */
.macro PVS label, vsr
	stxv	\vsr, -32(r1)
	bl	_p_vec
	.asciz	"\label"
	.balign	4
.endm

/* same for a VMX register v0..v31 */
.macro PV label, vr
	PVS	"\label", (32+\vr)
.endm

/* report after an integer op: prints "name r3=... xer=... cr=..." */
.macro REP name
	bl	_rep3
	.asciz	"\name"
	.balign	4
.endm

/* print the last interrupt record and clear it */
.macro PIRQ name
	bl	_p_irq
	.asciz	"\name"
	.balign	4
.endm

/* clear XER and CR */
.macro CLR
	li	r0, 0
	mtxer	r0
	mtcrf	0xff, r0
.endm

/* emit one instruction word, byte order as the current (LE) output */
.macro WORD w
	.long	\w
.endm

/* emit a word so that it reads as instruction w when fetched big-endian */
.macro BEWORD w
	.byte	((\w) >> 24) & 0xff, ((\w) >> 16) & 0xff, ((\w) >> 8) & 0xff, (\w) & 0xff
.endm

/*
 * Endianness switch to little-endian, usable from either endianness.
 * LE view of word 0: tdi 0,0,0x48 (never traps), word 1 branches past.
 * BE view of word 0: b .+8, then the big-endian block below runs:
 *   mfmsr r11 / xori r11,r11,MSR_LE / bcl 20,31,.+4 / mflr r10 /
 *   addi r10,r10,20 / mtsrr0 r10 / mtsrr1 r11 / rfid
 * which resumes at the first instruction after the block with MSR[LE]=1.
 * Clobbers r10, r11 and LR when it switches.  Other MSR bits are kept.
 */
.macro TO_LE
	tdi	0, 0, 0x48
	b	.Lle\@
	BEWORD	0x7d6000a6
	BEWORD	0x696b0001
	BEWORD	0x429f0005
	BEWORD	0x7d4802a6
	BEWORD	0x394a0014
	BEWORD	0x7d5a03a6
	BEWORD	0x7d7b03a6
	BEWORD	0x4c000024
.Lle\@:
.endm

/* set MSR[SF] (64-bit mode); clobbers r11, r12 */
.macro TO_64
	mfmsr	r11
	li	r12, 1
	rldicr	r12, r12, 63, 0
	or	r11, r11, r12
	mtmsrd	r11
	isync
.endm

/* print "label b0b1b2...\n": LEN bytes at address in register ADDR
   (clobbers r3, r4 besides LR) */
.macro MEM label, addr, len
	mr	r3, \addr
	li	r4, \len
	bl	_p_mem
	.asciz	"\label"
	.balign	4
.endm
