#!/usr/bin/env python3
"""Derives the `fp` guest's expected-line exceptions from QEMU's own recording
(guests/expected/fp.txt) and the Power ISA, for the four places where papr follows the ISA
and QEMU 7.2 does not. Nothing here comes from papr's output.

1. fnmadd / fnmsub[s]: the ISA rounds a*c+b (a*c-b) in the current mode and then negates
   (Book I 4.6.5.2: "rounded ... then negated"); QEMU rounds the negated value. Since
   -round(x, RP) = round(-x, RM), papr's RP line equals QEMU's RM line for the same operands
   and vice versa (RN and RZ are symmetric and agree); only the RN field printed in the FPSCR
   differs. Exact zero results (no XX) are the same for both.
2. fcfids / fcfidu / fcfidus set FPRF to the class of the result (ISA "Special Registers
   Altered: FPRF FR FI FX XX"); QEMU leaves it as it was (0 here).
3. fcmpu / fcmpo alter only FPCC of FPRF; QEMU also sets FPRF's C bit on an invalid compare.
4. fre(+-0) is +-infinity with ZX (ISA fre operand table); QEMU returns +-0.5.

Usage: gen_fp_exceptions.py guests/expected/fp.txt  > (appended to guest_exceptions.txt)
"""
import re
import sys

REASON = {
    "fnm": "fnmadd/fnmsub: ISA rounds then negates (Book I 4.6.5.2), QEMU 7.2 negates before rounding; papr's value is QEMU's for the mirrored directed mode",
    "fcfid": "fcfids/fcfidu/fcfidus set FPRF per the ISA; QEMU 7.2 leaves FPRF unchanged",
    "fcmp": "fcmpu/fcmpo change only FPCC; QEMU 7.2 also sets FPRF[C] on an invalid compare",
    "fre": "fre(+-0) = +-infinity with ZX per the ISA; QEMU 7.2 returns +-0.5",
}


def fprf(bits):
    neg = bits >> 63
    exp = (bits >> 52) & 0x7FF
    frac = bits & ((1 << 52) - 1)
    if exp == 0x7FF:
        return 0x11 if frac else (0x09 if neg else 0x05)
    if exp == 0 and frac == 0:
        return 0x12 if neg else 0x02
    if exp == 0:
        return 0x18 if neg else 0x14
    return 0x08 if neg else 0x04


def main():
    lines = open(sys.argv[1]).read().split("\n")
    fnm = {}
    for line in lines:
        m = re.match(r"(fnmadd|fnmsubs) rn=(\d{8}) (.*) r=([0-9a-f]{16}) ([0-9a-f]{16}) $", line)
        if m:
            fnm[(m.group(1), int(m.group(2)), m.group(3))] = (m.group(4), int(m.group(5), 16))
    for n, line in enumerate(lines, 1):
        out = None
        m = re.match(r"(fnmadd|fnmsubs) rn=(\d{8}) (.*) r=([0-9a-f]{16}) ([0-9a-f]{16}) $", line)
        exact_zero = bool(m) and int(m.group(4), 16) & ~(1 << 63) == 0 and not int(m.group(5), 16) & 0x02000000
        # An exact zero (no XX) is negated after rounding by QEMU too: no difference.
        if m and int(m.group(2)) in (2, 3) and not exact_zero:
            rn = int(m.group(2))
            r, f = fnm[(m.group(1), 5 - rn, m.group(3))]
            f = (f & ~3) | rn
            out = ("fnm", f"{m.group(1)} rn={m.group(2)} {m.group(3)} r={r} {f:016x} ")
        m = re.match(r"(fcfids|fcfidu|fcfidus) rn=(\d{8}) (\S+) r=([0-9a-f]{16}) ([0-9a-f]{16}) $", line)
        if m:
            f = int(m.group(5), 16)
            f = (f & ~(0x1F << 12)) | (fprf(int(m.group(4), 16)) << 12)
            out = ("fcfid", f"{m.group(1)} rn={m.group(2)} {m.group(3)} r={m.group(4)} {f:016x} ")
        m = re.match(r"(fcmpu/fcmpo a=\S+ b=\S+ cr=\S+ fpscr=)([0-9a-f]{16})( ?)$", line)
        if m:
            f = int(m.group(2), 16) & ~0x10000
            out = ("fcmp", f"{m.group(1)}{f:016x}{m.group(3)}")
        m = re.match(r"fre rn=(\d{8}) ([0-9a-f]{16}) r=([0-9a-f]{16}) ([0-9a-f]{16}) $", line)
        if m and int(m.group(2), 16) & ~(1 << 63) == 0:
            neg = int(m.group(2), 16) >> 63
            r = 0xFFF0000000000000 if neg else 0x7FF0000000000000
            f = (int(m.group(4), 16) & ~(0x1F << 12)) | (fprf(r) << 12)
            out = ("fre", f"fre rn={m.group(1)} {m.group(2)} r={r:016x} {f:016x} ")
        if out and out[1] != line:
            print(f"fp\t{n}\t{out[1]}\t{REASON[out[0]]}")


main()
