# be_strings.s - assembled BIG-endian, included as raw bytes by ldst.S.
# Runs in big-endian mode.  In: r3 = source buffer, r4 = output area,
# r5 = return address (little-endian code).  Results are stored with
# stdbrx (little-endian byte order) or as raw memory.  Clobbers r6-r31.
	.text
	lmw	24, 0(3)
	stdbrx	24, 0, 4
	addi	9, 4, 8
	stdbrx	25, 0, 9
	addi	9, 4, 16
	stdbrx	26, 0, 9
	addi	9, 4, 24
	stdbrx	31, 0, 9
	addi	9, 4, 64
	stmw	26, 0(9)		# 24 raw bytes at out+64
	lswi	6, 3, 7			# 7 bytes -> r6, r7
	addi	9, 4, 96
	stdbrx	6, 0, 9
	addi	9, 4, 104
	stdbrx	7, 0, 9
	li	9, 11
	mtxer	9
	li	9, 5
	lswx	10, 3, 9		# 11 bytes from src+5 -> r10, r11, r12
	addi	9, 4, 112
	stdbrx	10, 0, 9
	addi	9, 4, 120
	stdbrx	11, 0, 9
	addi	9, 4, 128
	stdbrx	12, 0, 9
	addi	9, 4, 136
	stswi	6, 9, 7			# 7 raw bytes at out+136
	addi	9, 4, 144
	stswx	10, 0, 9		# 11 raw bytes at out+144
	addi	9, 3, 32
	lswi	12, 9, 0		# 32 bytes -> r12..r19
	addi	9, 4, 160
	stdbrx	12, 0, 9
	addi	9, 4, 168
	stdbrx	19, 0, 9
	li	9, 0
	mtxer	9
	li	9, 0x55
	addi	20, 4, 176
	std	9, 0(20)
	lswx	20, 3, 9		# XER count 0: r20 untouched (undefined?)
	addi	9, 4, 176
	stdbrx	20, 0, 9
	lwz	21, 0(3)		# plain big-endian loads
	addi	9, 4, 184
	stdbrx	21, 0, 9
	ld	22, 8(3)
	addi	9, 4, 192
	stdbrx	22, 0, 9
	lhbrx	23, 0, 3
	addi	9, 4, 200
	stdbrx	23, 0, 9
	addi	9, 4, 208
	std	22, 0(9)		# raw big-endian store
	lha	23, 0x80(3)
	addi	9, 4, 216
	stdbrx	23, 0, 9
	# back to little-endian at r5
	mfmsr	9
	ori	9, 9, 1
	mtsrr1	9
	mtsrr0	5
	rfid
