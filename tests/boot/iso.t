#!/bin/sh
# minos iso: one image boots in all four ways, SeaBIOS and OVMF, from CD and
# from a USB stick, to BusyBox running a command; and the GRUB menu shows on
# the serial line.  With Debian's signed kernel that image is the Secure
# Boot one (shim, signed GRUB): secureboot.t boots it with Secure Boot on.
. "$(dirname "$0")/../lib.sh"

K=$(kernel)
V=$(basename "$K" | sed "s/^vmlinuz-//")
# In the guest: BusyBox sh computes a line and exits with a status.
probe='echo $((6 * 7)) $(uname -r) $([ -d /sys/firmware/efi ] && echo efi || echo bios) $(cat /proc/cmdline); exit 3'

test_expect_success 'setup' '
	"$MINOS" iso -o "$TMP/minos.iso" --kernel "$K" --timeout 0
	"$MINOS" ls "$TMP/minos.iso" | grep -x "# Secure Boot: ready"
'

for way in "--iso:bios" "--uefi --iso:efi" "--usb:bios" "--uefi --usb:efi"; do
	opts=${way%:*} fw=${way#*:}
	test_expect_success "boots with $opts: BusyBox runs a command ($fw)" "
		\"\$MINOS\" test --timeout 120 $opts \"\$TMP/minos.iso\" -- sh -c '$probe' >out || rc=\$?
		cat out
		expect_eq \"\${rc:-0} \$(cat out)\" \"3 42 $V $fw BOOT_IMAGE=/boot/vmlinuz console=tty0 console=ttyS0\"
	"
done

test_expect_success 'the GRUB menu entry shows on the serial console' '
	"$MINOS" iso -o titled.iso --kernel "$K" --timeout 1 --title "rescue-42"
	"$MINOS" test --verbose --timeout 120 --iso titled.iso -- true 2>console.log
	grep -a "rescue-42" console.log
	grep -a "Linux version $V" console.log
'

test_done
