/*
 * alu: integer arithmetic, logical, shift, rotate, compare, XER and CR.
 *
 * Most operations run over every pair (a, b) of the value table below
 * (and for carry/overflow users also with XER-in = SO|CA|CA32).  Each line:
 *   MNEMONIC XER_IN A B RESULT XER_OUT CR_OUT
 * with r4 = A, r5 = B, r3 = result (preloaded with 0x5a5a5a5a5a5a5a5a).
 * Results of divisions by zero / overflowing divisions are undefined in the
 * ISA; the recorded values are what QEMU 7.2 produces.
 */
#include "common.h"

#include "alumacros.h"

	.globl	test_main
test_main:
	mflr	r0
	std	r0, 16(r1)
	stdu	r1, -128(r1)

	P	"== add/subtract family\n"
	OPL	"add r3,r4,r5"
	OPL	"add. r3,r4,r5", 2
	OPL	"addo r3,r4,r5", 2
	OPL	"addo. r3,r4,r5", 2
	OPL	"addc r3,r4,r5"
	OPL	"addco. r3,r4,r5", 2
	OPL	"adde r3,r4,r5", 2
	OPL	"addeo. r3,r4,r5", 2
	OPL	"subf r3,r4,r5"
	OPL	"subfo. r3,r4,r5", 2
	OPL	"subfc r3,r4,r5"
	OPL	"subfco. r3,r4,r5", 2
	OPL	"subfe r3,r4,r5", 2
	OPL	"subfeo. r3,r4,r5", 2
	OP1	"neg r3,r4"
	OP1	"nego. r3,r4", 2
	OP1	"addme r3,r4", 2
	OP1	"addmeo. r3,r4", 2
	OP1	"addze r3,r4", 2
	OP1	"addzeo. r3,r4", 2
	OP1	"subfme r3,r4", 2
	OP1	"subfmeo. r3,r4", 2
	OP1	"subfze r3,r4", 2
	OP1	"subfzeo. r3,r4", 2
	OP1	"addi r3,r4,-1"
	OP1	"addis r3,r4,0x7fff"
	OP1	"addic r3,r4,1", 2
	OP1	"addic. r3,r4,-1", 2
	OP1	"subfic r3,r4,5", 2
	OP1	"subfic r3,r4,-1", 2
	OP1	"addex r3,r4,r4,0", 2
	OPL	"addex r3,r4,r5,0", 2

	P	"== multiply/divide\n"
	OPL	"mulld r3,r4,r5"
	OPL	"mulldo. r3,r4,r5", 2
	OPL	"mullw r3,r4,r5"
	OPL	"mullwo. r3,r4,r5", 2
	OPL	"mulhd r3,r4,r5"
	OPL	"mulhdu. r3,r4,r5"
	OPL	"mulhw r3,r4,r5"
	OPL	"mulhwu. r3,r4,r5"
	OP1	"mulli r3,r4,-3"
	OPL	"divd r3,r4,r5"
	OPL	"divdo. r3,r4,r5", 2
	OPL	"divdu r3,r4,r5"
	OPL	"divduo. r3,r4,r5", 2
	OPL	"divw r3,r4,r5"
	OPL	"divwo. r3,r4,r5", 2
	OPL	"divwu r3,r4,r5"
	OPL	"divwuo. r3,r4,r5", 2
	OPL	"divde r3,r4,r5"
	OPL	"divdeo. r3,r4,r5"
	OPL	"divdeu r3,r4,r5"
	OPL	"divdeuo. r3,r4,r5"
	OPL	"divwe r3,r4,r5"
	OPL	"divweo. r3,r4,r5"
	OPL	"divweu r3,r4,r5"
	OPL	"divweuo. r3,r4,r5"
	OPL	"modsd r3,r4,r5"
	OPL	"modud r3,r4,r5"
	OPL	"modsw r3,r4,r5"
	OPL	"moduw r3,r4,r5"
	/* maddhd/maddhdu/maddld: third operand = the value in r3 at entry */
	OPL	"maddhd r3,r4,r5,r4"
	OPL	"maddhdu r3,r4,r5,r5"
	OPL	"maddld r3,r4,r5,r4"
	ONE	"maddhd r3,r4,r5,r6", 0x8000000000000000, 0x8000000000000000, xer=0x7fffffffffffffff
	ONE	"maddhdu r3,r4,r5,r6", -1, -1, xer=-1
	ONE	"maddld r3,r4,r5,r6", 0x123456789, 0xabcdef, xer=0x1000

	P	"== logical\n"
	OPL	"and. r3,r4,r5"
	OPL	"or r3,r4,r5"
	OPL	"xor. r3,r4,r5"
	OPL	"nand r3,r4,r5"
	OPL	"nor. r3,r4,r5"
	OPL	"eqv r3,r4,r5"
	OPL	"andc. r3,r4,r5"
	OPL	"orc r3,r4,r5"
	OPL	"cmpb r3,r4,r5"
	OP1	"andi. r3,r4,0x8001"
	OP1	"andis. r3,r4,0x8001"
	OP1	"ori r3,r4,0x8001"
	OP1	"oris r3,r4,0x8001"
	OP1	"xori r3,r4,0xffff"
	OP1	"xoris r3,r4,0xffff"
	OP1	"extsb. r3,r4"
	OP1	"extsh r3,r4"
	OP1	"extsw. r3,r4"
	OP1	"cntlzw r3,r4"
	OP1	"cntlzd. r3,r4"
	OP1	"cnttzw. r3,r4"
	OP1	"cnttzd r3,r4"
	OP1	"popcntb r3,r4"
	OP1	"popcntw r3,r4"
	OP1	"popcntd r3,r4"
	OP1	"prtyw r3,r4"
	OP1	"prtyd r3,r4"
	ONE	"cmpb r3,r4,r5", 0x0011223344556677, 0x0011ff33ee557777
	ONE	"popcntb r3,r4", 0x0103070f1f3f7fff, 0
	ONE	"cnttzd r3,r4", 0x0000000000001000, 0
	ONE	"cnttzw r3,r4", 0x1000000000000000, 0
	ONE	"bpermd r3,r4,r5", 0x00010203383f4080, 0x8000000000000001

	P	"== shift/rotate\n"
	OPL	"slw r3,r4,r5"
	OPL	"srw. r3,r4,r5"
	OPL	"sraw r3,r4,r5"
	OPL	"sraw. r3,r4,r5", 2
	OPL	"sld r3,r4,r5"
	OPL	"srd. r3,r4,r5"
	OPL	"srad r3,r4,r5"
	OPL	"srad. r3,r4,r5", 2
	OPL	"rlwnm r3,r4,r5,4,27"
	OPL	"rlwnm. r3,r4,r5,28,3"
	OPL	"rldcl r3,r4,r5,8"
	OPL	"rldcr. r3,r4,r5,55"
	.irp	sh, 0, 1, 31, 32, 33, 63
	OP1	"srawi. r3,r4,\sh&31", 2
	OP1	"sradi. r3,r4,\sh", 2
	OP1	"rldicl r3,r4,\sh,12"
	OP1	"rldicr r3,r4,\sh,40"
	OP1	"rldic. r3,r4,\sh,5"
	OP1	"rldimi r3,r4,\sh,17"
	OP1	"rlwinm r3,r4,\sh&31,3,29"
	OP1	"rlwinm. r3,r4,\sh&31,29,3"
	OP1	"rlwimi r3,r4,\sh&31,8,23"
	OP1	"rlwimi. r3,r4,\sh&31,24,7"
	OP1	"extswsli r3,r4,\sh"
	.endr
	OP1	"extswsli. r3,r4,7"
	ONE	"sld r3,r4,r5", 1, 64
	ONE	"sld r3,r4,r5", 1, 127
	ONE	"sld r3,r4,r5", 1, 128+3
	ONE	"srad r3,r4,r5", 0x8000000000000001, 64
	ONE	"srad r3,r4,r5", 0x8000000000000001, 200
	ONE	"sraw r3,r4,r5", 0x0000000080000001, 32
	ONE	"sraw r3,r4,r5", 0x0000000080000001, 31
	ONE	"slw r3,r4,r5", 0xffffffffffffffff, 0x20
	ONE	"slw r3,r4,r5", 0xffffffffffffffff, 0x3f

	P	"== compare\n"
	OPL	"cmpd r4,r5"
	OPL	"cmpw cr1,r4,r5", 2
	OPL	"cmpld cr7,r4,r5"
	OPL	"cmplw cr3,r4,r5", 2
	OP1	"cmpdi cr6,r4,-1"
	OP1	"cmpwi cr2,r4,0"
	OP1	"cmpldi cr5,r4,0x8000"
	OP1	"cmplwi cr4,r4,1"
	/* cmprb: r4 = byte in low bits, r5 = ranges */
	.irp	byte, 0x00, 0x30, 0x39, 0x3a, 0x41, 0x5a, 0x61, 0x7f, 0xff, 0x1230
	ONE	"cmprb cr1,0,r4,r5", \byte, 0x3039
	ONE	"cmprb cr2,0,r4,r5", \byte, 0x3930
	ONE	"cmprb cr6,1,r4,r5", \byte, 0x61614139
	.endr
	ONE	"cmpeqb cr2,r4,r5", 0x41, 0x1122334455664178
	ONE	"cmpeqb cr3,r4,r5", 0x42, 0x1122334455664178
	ONE	"cmpeqb cr3,r4,r5", 0x100, 0x0000000000000000
	/* setb: CR field 3 loaded with each value 0..15 */
	.irp	v, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	ONE	"setb r3,cr3", 0, 0, cr=(\v << 16)
	.endr

	P	"== isel\n"
	.irp	v, 0, 1, 2, 4, 8
	ONE	"isel r3,r4,r5,4*cr1+lt", 0x1111, 0x2222, cr=(\v << 24)
	ONE	"isel r3,r4,r5,4*cr1+eq", 0x1111, 0x2222, cr=(\v << 24)
	ONE	"isel r3,r4,r5,4*cr1+so", 0x1111, 0x2222, cr=(\v << 24)
	ONE	"isel r3,0,r5,4*cr1+gt", 0x1111, 0x2222, cr=(\v << 24)
	.endr

	P	"== XER / CR moves\n"
	ONE	"mfxer r3", 0, 0, xer=0xffffffffffffffff
	ONE	"mfxer r3", 0, 0, xer=0x00000000e00c007f
	ONE	"mfxer r3", 0, 0, xer=0x0000000100000000
	ONE	"mcrxrx cr2", 0, 0, xer=0x00000000c0080000
	ONE	"mcrxrx cr7", 0, 0, xer=0x00000000200c0000
	ONE	"mcrxrx cr0", 0, 0, xer=0x0000000020040000
	ONE	"mcrf cr7,cr0", 0, 0, cr=0x12345678
	ONE	"mcrf cr0,cr5", 0, 0, cr=0x12345678
	ONE	"mfcr r3", 0, 0, cr=0x89abcdef
	ONE	"mfocrf r3,0x10", 0, 0, cr=0x89abcdef
	ONE	"mfocrf r3,0x01", 0, 0, cr=0x89abcdef
	ONE	"mtcrf 0x81,r4", 0xfedcba9876543210, 0, cr=0x11111111
	ONE	"mtocrf 0x20,r4", 0xfedcba9876543210, 0, cr=0x11111111
	ONE	"mtcrf 0xff,r4", 0xfedcba9876543210, 0, cr=0
	ONE	"mtxer r4", 0xffffffffffffffff, 0
	ONE	"addo. r3,r4,r5", 0x7fffffffffffffff, 1, xer=0x80000000
	ONE	"add. r3,r4,r5", 0, 0, xer=0x80000000
	ONE	"addic r3,r4,1", 0xffffffff, 0
	ONE	"addic r3,r4,1", 0x7fffffff, 0
	ONE	"subfo r3,r4,r5", 0x80000000, 0x7fffffff
	ONE	"mullwo r3,r4,r5", 0x10000, 0x8000
	ONE	"mullwo r3,r4,r5", 0x10000, 0x10000
	ONE	"mulldo r3,r4,r5", 0x100000000, 0x80000000
	ONE	"mulldo r3,r4,r5", 0x100000000, 0x7fffffff
	ONE	"divwo r3,r4,r5", 0xffffffff80000000, 0xffffffffffffffff
	ONE	"divwuo r3,r4,r5", 7, 0
	ONE	"divdo r3,r4,r5", 0x8000000000000000, 0xffffffffffffffff

	addi	r1, r1, 128
	ld	r0, 16(r1)
	mtlr	r0
	blr
