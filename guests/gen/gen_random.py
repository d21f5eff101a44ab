#!/usr/bin/env python3
"""Generate a seeded random integer-instruction test guest for papr.

    gen_random.py SEED [COUNT [DUMP_EVERY [fp]]] > src/random_SEED.S

With the extra argument "fp" the guest exercises the scalar FPU instead:
random FPR values (specials, denormals, NaNs, random bit patterns), random
rounding-mode changes (mtfsfi) and status-bit writes (mtfsb0/mtfsb1, never
the enable bits), then random arithmetic / fused multiply-add / conversion /
rounding / compare / sign instructions (with and without Rc); `dumpfprs`
prints f0..f31, FPSCR and CR.  The estimate instructions fre/frsqrte are
left out (implementation-specific), as are enabled exceptions.

The output is fully determined by the arguments (own splitmix64 PRNG, no
dependence on Python's random module).  The guest loads random values into
r0 and r2..r31, CR and XER, then runs COUNT random but architecturally
well-defined fixed-point / logical / rotate / compare / CR / XER
instructions (plus an occasional LI64 of a fresh random value into a
random register), calling `dumpregs` (GPRs, CR, XER, CTR) every DUMP_EVERY
instructions and at the end.  r1 (stack) is never written.

Avoided on purpose (undefined or implementation-specific results):
divisions whose result is undefined (divisors are forced positive and
non-zero first), divde/divwe (overflow), invalid update forms, and any
instruction that accesses memory.
"""
import sys

MASK = (1 << 64) - 1


class Rng:
    def __init__(self, seed):
        self.s = seed & MASK

    def next(self):
        self.s = (self.s + 0x9E3779B97F4A7C15) & MASK
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, n):
        return self.next() % n

    def pick(self, seq):
        return seq[self.below(len(seq))]

    def value(self):
        # mix of interesting and random 64-bit values
        k = self.below(8)
        if k == 0:
            return self.pick([0, 1, MASK, 0x7FFFFFFFFFFFFFFF, 0x8000000000000000,
                              0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFFF80000000])
        if k == 1:
            return self.below(256)
        if k == 2:
            return (MASK - self.below(256)) & MASK
        if k == 3:
            return self.next() & 0xFFFFFFFF
        return self.next()


REGS = [0] + list(range(2, 32))


def gen(seed, count, every):
    r = Rng(seed)
    out = []
    w = out.append

    def reg():
        return "r%d" % r.pick(REGS)

    def ra_nonzero():
        return "r%d" % r.pick(REGS[1:])

    def crf():
        return "cr%d" % r.below(8)

    def rc():
        return "." if r.below(2) else ""

    def oe():
        return "o" if r.below(3) == 0 else ""

    arith3 = ["add", "subf", "addc", "subfc", "adde", "subfe", "mullw", "mulld"]
    arith3_nooe = ["mulhw", "mulhwu", "mulhd", "mulhdu"]
    logic3 = ["and", "or", "xor", "nand", "nor", "eqv", "andc", "orc",
              "slw", "srw", "sraw", "sld", "srd", "srad"]
    arith2 = ["neg", "addme", "addze", "subfme", "subfze"]
    unary = ["extsb", "extsh", "extsw", "cntlzw", "cntlzd", "cnttzw", "cnttzd"]
    unary_norc = ["popcntb", "popcntw", "popcntd", "prtyw", "prtyd"]
    crops = ["crand", "cror", "crxor", "crnand", "crnor", "creqv", "crandc", "crorc"]

    def one():
        if r.below(16) == 0:
            # fresh random value so the state does not collapse to 0 / -1
            return "LI64 %s, 0x%016x" % (reg(), r.value())
        k = r.below(30)
        if k < 5:
            op = r.pick(arith3)
            return "%s%s%s %s,%s,%s" % (op, oe(), rc(), reg(), reg(), reg())
        if k < 6:
            return "%s%s %s,%s,%s" % (r.pick(arith3_nooe), rc(), reg(), reg(), reg())
        if k < 10:
            return "%s%s %s,%s,%s" % (r.pick(logic3), rc(), reg(), reg(), reg())
        if k < 11:
            return "%s%s%s %s,%s" % (r.pick(arith2), oe(), rc(), reg(), reg())
        if k < 12:
            if r.below(2):
                return "%s%s %s,%s" % (r.pick(unary), rc(), reg(), reg())
            return "%s %s,%s" % (r.pick(unary_norc), reg(), reg())
        if k < 15:
            imm = r.below(65536) - 32768
            uimm = r.below(65536)
            c = r.below(12)
            if c == 0:
                return "addi %s,%s,%d" % (reg(), reg(), imm)
            if c == 1:
                return "addis %s,%s,%d" % (reg(), reg(), imm)
            if c == 2:
                return "addic%s %s,%s,%d" % (rc(), reg(), reg(), imm)
            if c == 3:
                return "subfic %s,%s,%d" % (reg(), reg(), imm)
            if c == 4:
                return "mulli %s,%s,%d" % (reg(), reg(), imm)
            return "%s %s,%s,0x%x" % (r.pick(["andi.", "andis.", "ori", "oris", "xori", "xoris",
                                              "ori", "xori"]), reg(), reg(), uimm)
        if k < 19:
            c = r.below(9)
            if c == 0:
                return "rlwinm%s %s,%s,%d,%d,%d" % (rc(), reg(), reg(), r.below(32), r.below(32), r.below(32))
            if c == 1:
                return "rlwimi%s %s,%s,%d,%d,%d" % (rc(), reg(), reg(), r.below(32), r.below(32), r.below(32))
            if c == 2:
                return "rlwnm%s %s,%s,%s,%d,%d" % (rc(), reg(), reg(), reg(), r.below(32), r.below(32))
            if c == 3:
                return "%s%s %s,%s,%d,%d" % (r.pick(["rldicl", "rldicr", "rldic", "rldimi"]), rc(),
                                            reg(), reg(), r.below(64), r.below(64))
            if c == 4:
                return "%s%s %s,%s,%s,%d" % (r.pick(["rldcl", "rldcr"]), rc(), reg(), reg(), reg(), r.below(64))
            if c == 5:
                return "srawi%s %s,%s,%d" % (rc(), reg(), reg(), r.below(32))
            if c == 6:
                return "sradi%s %s,%s,%d" % (rc(), reg(), reg(), r.below(64))
            if c == 7:
                return "extswsli%s %s,%s,%d" % (rc(), reg(), reg(), r.below(64))
            return "cmpb %s,%s,%s" % (reg(), reg(), reg())
        if k < 22:
            c = r.below(10)
            if c < 4:
                return "%s %s,%s,%s" % (r.pick(["cmpd", "cmpw", "cmpld", "cmplw"]), crf(), reg(), reg())
            if c < 6:
                return "%s %s,%s,%d" % (r.pick(["cmpdi", "cmpwi"]), crf(), reg(), r.below(65536) - 32768)
            if c < 8:
                return "%s %s,%s,%d" % (r.pick(["cmpldi", "cmplwi"]), crf(), reg(), r.below(65536))
            if c == 8:
                return "cmprb %s,%d,%s,%s" % (crf(), r.below(2), reg(), reg())
            return "cmpeqb %s,%s,%s" % (crf(), reg(), reg())
        if k < 24:
            c = r.below(8)
            if c < 3:
                return "%s %d,%d,%d" % (r.pick(crops), r.below(32), r.below(32), r.below(32))
            if c == 3:
                return "mcrf %s,%s" % (crf(), crf())
            if c == 4:
                return "mtcrf 0x%x,%s" % (r.below(256), reg())
            if c == 5:
                return r.pick(["mfcr %s" % reg(), "mfocrf %s,0x%x" % (reg(), 1 << r.below(8)),
                               "mtocrf 0x%x,%s" % (1 << r.below(8), reg())])
            if c == 6:
                return "setb %s,%s" % (reg(), crf())
            return "mcrxrx %s" % crf()
        if k < 25:
            c = r.below(3)
            if c == 0:
                return "isel %s,%s,%s,%d" % (reg(), reg(), reg(), r.below(32))
            if c == 1:
                return "mfxer %s" % reg()
            return "mtxer %s" % reg()
        if k < 27:
            # division family: force the divisor positive and non-zero first
            d = ra_nonzero()
            op = r.pick(["divd", "divdu", "divw", "divwu", "modsd", "modud", "modsw", "moduw"])
            if op in ("divd", "divdu", "modsd", "modud"):
                fix = ["rldicl %s,%s,0,1" % (d, d), "ori %s,%s,1" % (d, d)]
            else:
                fix = ["rlwinm %s,%s,0,1,31" % (d, d), "ori %s,%s,1" % (d, d)]
            if op.startswith("div"):
                op += oe() + rc()
            return fix + ["%s %s,%s,%s" % (op, reg(), reg(), d)]
        if k < 28:
            return "%s %s,%s,%s,%s" % (r.pick(["maddhd", "maddhdu", "maddld"]), reg(), reg(), reg(), reg())
        if k < 29:
            return "addex %s,%s,%s,0" % (reg(), reg(), reg())
        return "popcntd %s,%s" % (reg(), reg())

    w("/* GENERATED by gen/gen_random.py %d %d %d -- do not edit */" % (seed, count, every))
    w('#include "common.h"')
    w("\t.text")
    w("\t.globl\ttest_main")
    w("test_main:")
    w("\tmflr\tr0")
    w("\tstd\tr0, 16(r1)")
    w("\tstdu\tr1, -128(r1)")
    w('\tP\t"random seed=%d count=%d\\n"' % (seed, count))
    # initial state
    for i in REGS:
        w("\tLI64\tr%d, 0x%016x" % (i, r.value()))
    w("\tLI64\tr3, 0x%08x" % (r.next() & 0xFFFFFFFF))
    w("\tmtcrf\t0xff, r3")
    xer = r.next() & 0xE00C007F
    w("\tLI64\tr3, 0x%08x" % xer)
    w("\tmtxer\tr3")
    w("\tLI64\tr3, 0x%016x" % r.value())
    w("\tmtctr\tr3")
    w("\tLI64\tr3, 0x%016x" % r.value())
    w('\tP\t"initial state\\n"')
    w("\tbl\tdumpregs")
    n = 0
    while n < count:
        ins = one()
        if isinstance(ins, str):
            ins = [ins]
        for i in ins:
            w("\t" + i)
            n += 1
        if n // every != (n - len(ins)) // every:
            w('\tP\t"after %d\\n"' % n)
            w("\tbl\tdumpregs")
    w('\tP\t"final (%d instructions)\\n"' % n)
    w("\tbl\tdumpregs")
    w("\taddi\tr1, r1, 128")
    w("\tld\tr0, 16(r1)")
    w("\tmtlr\tr0")
    w("\tblr")
    return "\n".join(out) + "\n"


def fvalue(r):
    k = r.below(10)
    if k == 0:
        return r.pick([0, 1 << 63, 0x7FF0000000000000, 0xFFF0000000000000,
                       0x7FF8000000000000, 0x7FF4000000000000, 0xFFF8000000000001,
                       0x0000000000000001, 0x000FFFFFFFFFFFFF, 0x0010000000000000,
                       0x7FEFFFFFFFFFFFFF, 0x3FF0000000000000, 0xBFF0000000000000,
                       0x43E0000000000000, 0x41E0000000000000, 0x3FE0000000000000,
                       0x47EFFFFFE0000000, 0x36A0000000000000])
    if k == 1:
        return r.next() & 0x800FFFFFFFFFFFFF          # denormal
    if k == 2:
        return r.next()                                # anything, incl. NaNs
    if k == 3:
        return r.below(1 << 40)                        # small integers as raw bits
    # a "normal" number with a moderate exponent
    sign = r.below(2) << 63
    exp = 1023 + r.below(140) - 70
    if r.below(4) == 0:
        exp = 1 + r.below(2046)
    return sign | (exp << 52) | (r.next() & 0xFFFFFFFFFFFFF)


def gen_fp(seed, count, every):
    r = Rng(seed)
    out = []
    w = out.append

    def f():
        return "f%d" % r.below(32)

    def rc():
        return "." if r.below(4) == 0 else ""

    bin_ops = ["fadd", "fsub", "fmul", "fdiv", "fadds", "fsubs", "fmuls", "fdivs", "fcpsgn"]
    fma_ops = ["fmadd", "fmsub", "fnmadd", "fnmsub", "fmadds", "fmsubs", "fnmadds", "fnmsubs", "fsel"]
    un_ops = ["frsp", "fctid", "fctidz", "fctidu", "fctiduz", "fctiw", "fctiwz", "fctiwu", "fctiwuz",
              "fcfid", "fcfidu", "fcfids", "fcfidus", "frin", "friz", "frip", "frim", "fsqrt", "fsqrts",
              "fabs", "fnabs", "fneg", "fmr"]
    status_bits = [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 21, 22, 23]

    def one():
        k = r.below(20)
        if k < 8:
            return "%s%s %s,%s,%s" % (r.pick(bin_ops), rc(), f(), f(), f())
        if k < 12:
            return "%s%s %s,%s,%s,%s" % (r.pick(fma_ops), rc(), f(), f(), f(), f())
        if k < 16:
            return "%s%s %s,%s" % (r.pick(un_ops), rc(), f(), f())
        if k < 17:
            return "%s cr%d,%s,%s" % (r.pick(["fcmpu", "fcmpo"]), r.below(8), f(), f())
        if k < 18:
            return "mtfsfi 7,%d" % r.below(4)
        if k < 19:
            return "%s %d" % (r.pick(["mtfsb0", "mtfsb1"]), r.pick(status_bits))
        return "mcrfs cr%d,%d" % (r.below(8), r.pick([0, 1, 2, 3, 4]))

    w("/* GENERATED by gen/gen_random.py %d %d %d fp -- do not edit */" % (seed, count, every))
    w('#include "common.h"')
    w("\t.text")
    w("\t.globl\ttest_main")
    w("test_main:")
    w("\tmflr\tr0")
    w("\tstd\tr0, 16(r1)")
    w("\tstdu\tr1, -128(r1)")
    w("\tmfmsr\tr3")
    w("\tori\tr3, r3, MSR_FP")
    w("\tmtmsrd\tr3")
    w("\tisync")
    w('\tP\t"random fp seed=%d count=%d\\n"' % (seed, count))
    for i in range(32):
        w("\tLI64\tr3, 0x%016x" % fvalue(r))
        w("\tstd\tr3, G_TMP(0)")
        w("\tlfd\tf%d, G_TMP(0)" % i)
    w("\tLI64\tr3, 0x%08x" % (r.below(4)))
    w("\tstd\tr3, G_TMP(0)")
    w("\tlfd\tf0, G_TMP(0)")
    w("\tmtfsf\t0xff, f0")
    w("\tLI64\tr3, 0x%016x" % fvalue(r))
    w("\tstd\tr3, G_TMP(0)")
    w("\tlfd\tf0, G_TMP(0)")
    w("\tLI64\tr3, 0x%08x" % (r.next() & 0xFFFFFFFF))
    w("\tmtcrf\t0xff, r3")
    w('\tP\t"initial state\\n"')
    w("\tbl\tdumpfprs")
    n = 0
    while n < count:
        if r.below(3) == 0:
            w("\tLI64\tr3, 0x%016x" % fvalue(r))
            w("\tstd\tr3, G_TMP(0)")
            w("\tlfd\t%s, G_TMP(0)" % f())
        w("\t" + one())
        n += 1
        if n % every == 0:
            w('\tP\t"after %d\\n"' % n)
            w("\tbl\tdumpfprs")
    if n % every:
        w('\tP\t"final (%d instructions)\\n"' % n)
        w("\tbl\tdumpfprs")
    w("\taddi\tr1, r1, 128")
    w("\tld\tr0, 16(r1)")
    w("\tmtlr\tr0")
    w("\tblr")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    if len(sys.argv) > 4 and sys.argv[4] == "fp":
        sys.stdout.write(gen_fp(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])))
        sys.exit(0)
    seed = int(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
    every = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    sys.stdout.write(gen(seed, count, every))
