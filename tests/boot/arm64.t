#!/bin/sh
# arm64: Debian's arm64 kernel (fetched into the cache, with its modules)
# booted by minos test on qemu-system-aarch64's virt under TCG; its image
# built from minos-init-arm64 and busybox-static:arm64; a foreign root as
# --sysroot; and every mix of architectures refused in one line.
. "$(dirname "$0")/../lib.sh"

test_expect_success 'setup' '
	"$ROOT/scripts/fetch-kernel.sh" arm64 >arm.path &&
	kernel >x86.path &&
	grep -q vmlinuz- arm.path
'

A() { "$MINOS" test --kernel "$(cat "$TMP/arm.path")" "$@"; }

test_expect_success 'minos test boots the arm64 kernel: aarch64, and the status comes back' '
	set +e
	A -- sh -c "uname -m; exit 3" >out 2>err
	rc=$?
	set -e
	cat err
	expect_eq "$rc" 3
	expect_eq "$(cat out)" aarch64
	grep -q "machine: virt; kernel: Image" err
'

test_expect_success 'the image is arm64 throughout: BusyBox, minos-init, the modules' '
	"$MINOS" initramfs -o a.img --kernel "$(cat arm.path)" --module virtio_blk &&
	mkdir x && cd x && zstd -dq -c ../a.img | cpio -id --quiet &&
	file -L bin/busybox | grep -q "ARM aarch64" &&
	file init | grep -q "ARM aarch64, .*statically linked" &&
	ko=$(find lib/modules -name "virtio_blk.ko*") && file "$ko" | grep -q "ARM aarch64"
'

test_expect_success 'a gzip-compressed Image (Image.gz) boots too, its release read inside' '
	gzip -1 -c "$(cat arm.path)" >Image.gz &&
	mods=$(dirname "$(cat arm.path)")/../lib/modules/$(basename "$(cat arm.path)" | sed s/vmlinuz-//) &&
	"$MINOS" test --kernel Image.gz --modules-dir "$mods" -- uname -r >out &&
	expect_eq "$(cat out)" "$(basename "$(cat arm.path)" | sed s/vmlinuz-//)"
'

test_expect_success 'the current directory is shared, and --net user reaches the host at 10.0.2.2' '
	echo here >here.txt &&
	mkdir www && echo "from the host" >www/f &&
	port=$((20000 + $$ % 20000)) &&
	busybox httpd -p 127.0.0.1:$port -h www &&
	A --net user -- sh -c "cat here.txt; pwd;
		for i in 1 2 3 4 5 6 7 8 9 10; do ip route | grep -q default && break; sleep 0.5; done;
		ip -4 addr show eth0; wget -q -O - http://10.0.2.2:$port/f" >out;
	rc=$?; pkill -f "httpd -p 127.0.0.1:$port"; test $rc -eq 0 &&
	cat out &&
	grep -qx here out && grep -qx "$TMP" out &&
	grep -q "inet 10.0.2.15/24" out && grep -qx "from the host" out
'

test_expect_success 'minos run on a terminal: the arm64 console gets its size over hvc0' '
	K=$(cat arm.path)
	mkfifo run.in
	{ script -qec "stty rows 33 cols 101; \"$MINOS\" run --kernel $K" /dev/null <run.in \
		>run.out 2>&1 & }
	exec 9>run.in &&
	wait_for "~ # " run.out 120 &&
	echo "stty size; poweroff" >&9 && exec 9>&- &&
	wait &&
	tr -d "\r" <run.out | grep -qx "33 101"
'

test_expect_success 'bad input: an x86 BusyBox, /init, --add or module in an arm64 image; one line, no file' '
	K=$(cat arm.path) &&
	expect_error "BusyBox is an x86-64 ELF executable, but the image is for arm64" \
		"$MINOS" initramfs -o bad.img --kernel "$K" --busybox "$(command -v busybox)" &&
	test ! -e bad.img &&
	expect_error "cannot use as /init: not an ARM aarch64 ELF" \
		"$MINOS" initramfs -o bad.img --kernel "$K" --init "$BUILD/minos-init" &&
	test ! -e bad.img &&
	expect_error "is an x86-64 ELF file, but the image is for arm64" \
		"$MINOS" initramfs -o bad.img --kernel "$K" --add /bin/true &&
	test ! -e bad.img &&
	rel=$(basename "$K" | sed s/vmlinuz-//) &&
	xko=$(find "$(dirname "$(cat x86.path)")/../lib/modules" -name "virtio_blk.ko*" | head -n 1) &&
	mkdir -p tree/lib/modules/$rel/kernel && cp "$xko" tree/lib/modules/$rel/kernel/ &&
	expect_error "is an x86-64 kernel module, but the kernel is arm64" \
		"$MINOS" initramfs -o bad.img --kernel "$K" --modules-dir tree/lib/modules/$rel \
		--module virtio_blk &&
	test ! -e bad.img
'

test_expect_success 'bad input: --arch unknown or against the kernel, KVM and --host-root across architectures' '
	K=$(cat arm.path) &&
	expect_error "--arch: unknown architecture .sparc. (x86_64 or arm64)" \
		"$MINOS" initramfs -o bad.img --arch sparc &&
	expect_error "an arm64 kernel, but --arch says x86_64" \
		"$MINOS" initramfs -o bad.img --kernel "$K" --arch x86_64 &&
	test ! -e bad.img &&
	expect_error "an x86_64 kernel, but --arch says arm64" \
		"$MINOS" test --kernel "$(cat x86.path)" --arch arm64 -- true &&
	expect_error "--host-root: the host.s root is x86_64, and the guest is arm64" \
		"$MINOS" test --kernel "$K" --host-root -- true &&
	expect_error "--accel: kvm runs guests of the host.s architecture (x86_64), not arm64" \
		"$MINOS" test --kernel "$K" --accel kvm -- true &&
	expect_error "--machine: q35 is an x86 machine; an arm64 guest runs on virt" \
		"$MINOS" test --kernel "$K" --machine q35 -- true &&
	expect_error "--machine: virt is arm64.s machine" \
		"$MINOS" test --kernel "$(cat x86.path)" --machine virt -- true &&
	expect_error "not a Linux kernel image (neither an x86 bzImage nor an arm64 Image)" \
		"$MINOS" initramfs -o bad.img --kernel "$BUILD/minos-init-arm64" &&
	test ! -e bad.img
'

test_expect_success '--sysroot: an arm64 Debian root gives --package file and its libraries' '
	mkdir root &&
	tar -xf "$("$ROOT/scripts/debian-root.sh" arm64)" -C root --exclude=./dev &&
	A --sysroot root --package file -- file /bin/busybox >out &&
	cat out &&
	grep -q "ELF 64-bit LSB executable, ARM aarch64" out &&
	expect_error "no-such-package: not installed here, and apt cannot install it" \
		"$MINOS" initramfs -o bad.img --kernel "$(cat arm.path)" --sysroot root \
		--package no-such-package &&
	test ! -e bad.img
'

test_expect_success '--package from the archive for arm64: gddrescue:arm64 and its libraries, listed' '
	A --package gddrescue -- sh -c "ddrescue --version | head -1; grep \"^gddrescue \" /usr/share/minos/packages | cut -d\" \" -f1,3" >out &&
	cat out &&
	grep -q "^GNU ddrescue" out &&
	grep -qx "gddrescue arm64" out
'

test_done
