#!/bin/sh
# The kernel boots what minos initramfs writes, in every compression.
. "$(dirname "$0")/../lib.sh"

K=$(kernel)
VERSION=$(basename "$K" | sed 's/^vmlinuz-//')

for c in none gzip zstd xz lz4; do
	test_expect_success "Debian's kernel boots a $c initramfs and runs /init" "
		\"\$MINOS\" initramfs -o i.$c --compress $c --kernel \"\$K\"
		\"\$MINOS\" test --kernel \"\$K\" --initrd i.$c -- sh -c 'echo \$((6*7)) \$(uname -r)' >out.$c
		expect_eq \"\$(cat out.$c)\" \"42 \$VERSION\"
	"
done

test_expect_success 'a dynamically linked program added with --add runs in the guest' '
	"$MINOS" test --kernel "$K" --add /usr/bin/zstd -- \
		sh -c "echo compressed and back | zstd -q | zstd -dq" >dyn.out
	expect_eq "$(cat dyn.out)" "compressed and back"
'

test_expect_success 'the seed'"'"'s shell script works as --init' '
	cat >seed-init <<-\EOS
	#!/bin/sh
	mount -t proc none /proc
	mount -t sysfs none /sys
	echo "SEED-INIT $(cat /proc/sys/kernel/osrelease)"
	poweroff -f
	EOS
	chmod +x seed-init
	"$MINOS" initramfs -o seed.img --init seed-init
	boot seed.img
	grep -q "SEED-INIT $VERSION" console.log
'

test_expect_success '--package file: a file that identifies BusyBox, its magic database and all' '
	"$MINOS" test --kernel "$K" --package file -- file /bin/busybox >file.out &&
	cat file.out &&
	grep -q "^/bin/busybox: ELF 64-bit LSB executable, x86-64, .*statically linked" file.out &&
	"$MINOS" initramfs -o file.img --package file &&
	"$MINOS" ls file.img >file.ls &&
	grep -q " usr/bin/file$" file.ls && grep -q " usr/lib/file/magic.mgc$" file.ls &&
	grep -q " etc/magic$" file.ls && expect_absent "usr/share/doc/" file.ls &&
	expect_absent "gconv/.*\.so$" file.ls
'

test_expect_success '--package: a package neither installed nor in the archive is an error' '
	expect_error "no-such-package-here: not installed here, and apt cannot install it" \
		"$MINOS" initramfs -o pkg.img --package no-such-package-here &&
	[ ! -e pkg.img ]
'

test_done
