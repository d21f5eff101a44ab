/*
 * vsxmacros.h - operand loading and result printing shared by the VSX FP
 * guests (fpq.S, vfp.S).  Needs common.h.
 */
/* v<vr> <- table[r<idx>] (16-byte entries); clobbers r0, r26 and LR */
.macro LOADQ vr, tbl, idx
	LA	r26, \tbl
	sldi	r0, \idx, 4
	add	r26, r26, r0
	lxv	(32+\vr), 0(r26)
.endm

/* v1 <- a poison pattern, so an unwritten target shows */
.macro POISON
	vspltisb v1, 0x5
.endm

/* print " rn=RN" then the operands, "r=" v1 and " fpscr=" (mffs) */
.macro SHOWFP
	mffs	f4
	stfd	f4, G_TMP+32(0)
.endm

.macro ENDLINE
	PV	r, 1
	ld	r3, G_TMP+32(0)
	PR	fpscr, r3
	NL
.endm

/* rounding-mode loop head/tail: r20 = rn from 0, step \step */
.macro RNLOOP_END step, label, lim=4
	addi	r20, r20, \step
	cmpdi	r20, \lim
	blt	\label
.endm

