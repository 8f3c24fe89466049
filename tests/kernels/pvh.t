#!/bin/sh
# Fast --kernel boots with kernels built here (scripts/build-test-kernels.sh,
# `make check-kernels`): a kernel without a PVH note boots as a bzImage (and
# --boot pvh says why it cannot), a bzip2 payload minos cannot unpack boots
# as a bzImage with one line saying so, and a build tree's own vmlinux boots
# through PVH with nothing extracted; on pc, since that kernel has no PCI
# for microvm's ACPI tables.
. "$(dirname "$0")/../lib.sh"

KERNELS=$("$ROOT/scripts/build-test-kernels.sh")
NOPVH=$(echo "$KERNELS" | sed -n 's/^nopvh-gzip //p')
PVHBZ2=$(echo "$KERNELS" | sed -n 's/^pvh-bzip2 //p')
export MINOS_CACHE=$TMP/cache

test_expect_success 'a bzImage without a PVH note boots as a bzImage, and is unpacked once' '
	"$MINOS" test --kernel "$NOPVH/arch/x86/boot/bzImage" -- uname -r >out 2>err
	cat err out
	expect_eq "$(cat out)" 6.1.192
	grep -q "machine: pc; kernel: bzImage" err
	expect_eq "$(grep -c . err)" 1
	ls cache/pvh/*.none
	"$MINOS" test --kernel "$NOPVH/arch/x86/boot/bzImage" -- true 2>err
	grep -q "kernel: bzImage" err
'

test_expect_success '--boot pvh on it: one line saying why, status 125' '
	set +e
	"$MINOS" test --kernel "$NOPVH/arch/x86/boot/bzImage" --boot pvh -- true 2>err
	rc=$?
	set -e
	cat err
	expect_eq "$rc $(wc -l <err)" "125 1"
	grep -q "has no PVH entry note (CONFIG_PVH)" err
'

test_expect_success 'a bzip2 payload: one line naming it, and the bzImage boots' '
	cp "$PVHBZ2/arch/x86/boot/bzImage" alone-bzImage
	"$MINOS" test --kernel alone-bzImage -- uname -r >out 2>err
	cat err out
	expect_eq "$(cat out)" 6.1.192
	grep -q "bzip2-compressed and minos has no bzip2 decoder.*booting the bzImage" err
	grep -q "kernel: bzImage" err
'

test_expect_success 'its build tree: the tree'"'"'s vmlinux through PVH, nothing extracted, pc' '
	rm -rf cache
	"$MINOS" test --kernel "$PVHBZ2/arch/x86/boot/bzImage" -- uname -r >out 2>err
	cat err out
	expect_eq "$(cat out)" 6.1.192
	grep -q "machine: pc; kernel: PVH entry, the build tree.s vmlinux" err
	expect_eq "$(ls -A cache/pvh 2>/dev/null | wc -l)" 0
'

test_expect_success 'a vmlinux of another build beside it is not used' '
	mkdir -p other/arch/x86/boot
	cp "$PVHBZ2/arch/x86/boot/bzImage" other/arch/x86/boot/bzImage
	cp "$NOPVH/vmlinux" other/vmlinux
	"$MINOS" test --kernel other/arch/x86/boot/bzImage -- true 2>err
	cat err
	grep -q "no bzip2 decoder" err
	grep -q "kernel: bzImage" err
'

test_done
