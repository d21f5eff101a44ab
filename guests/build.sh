#!/bin/sh
# Build every guest in src/ into bin/NAME.elf with the Debian cross toolchain.
#   usage: guests/build.sh [NAME...]
set -e
cd "$(dirname "$0")"
CROSS=${CROSS:-powerpc64le-linux-gnu-}
CC=${CROSS}gcc
OBJCOPY=${CROSS}objcopy
ASFLAGS="-nostdlib -ffreestanding -fno-pic -Wa,-mregnames -Wa,-mpower9 -Wa,-a64 -I src"
mkdir -p bin obj
# big-endian code snippets (src/be_*.s) are assembled big-endian and
# included as raw bytes by the guests that run them
for s in src/be_*.s; do
	[ -e "$s" ] || continue
	n=$(basename "$s" .s)
	${CROSS}as -mbig -a64 -mpower9 -mregnames "$s" -o obj/$n.o
	$OBJCOPY -O binary -j .text obj/$n.o obj/$n.bin
done
$CC $ASFLAGS -c src/lib.S -o obj/lib.o
if [ $# -gt 0 ]; then names="$*"; else
	names=$(for f in src/*.S; do b=$(basename "$f" .S); [ "$b" = lib ] || echo "$b"; done)
fi
for n in $names; do
	$CC $ASFLAGS -I obj -c src/$n.S -o obj/$n.o
	$CC -nostdlib -static -Wl,-T,src/link.ld -Wl,--build-id=none -Wl,-z,norelro -Wl,--no-warn-rwx-segments -Wl,-z,max-page-size=0x1000 -Wl,-z,common-page-size=0x1000 \
		-o bin/$n.elf obj/lib.o obj/$n.o
	echo "built bin/$n.elf"
done
