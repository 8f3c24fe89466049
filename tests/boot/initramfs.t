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

test_done
