/* hello: smoke test of the runtime (console, OF exit) */
#include "common.h"
	.text
	.globl test_main
test_main:
	mflr	r0
	std	r0, 16(r1)
	stdu	r1, -64(r1)
	P	"hello from papr guest\n"
	mfmsr	r3
	PR	msr, r3
	li	r4, 0x1234
	PR32	r4, r4
	NL
	ld	r3, G_BASE(0)
	PR	base, r3
	ld	r3, G_OFENTRY(0)
	cmpdi	r3, 0
	li	r3, 0
	beq	1f
	li	r3, 1
1:	PR32	"ofentry!=0", r3	/* the address itself is firmware-specific */
	NL
	mfpvr	r3
	PR	pvr, r3
	NL
	addi	r1, r1, 64
	ld	r0, 16(r1)
	mtlr	r0
	blr
