#!/bin/sh
# make demo: the classic minimal-Linux recipe, done by minos.  Builds an
# initramfs from Debian's static BusyBox and minos-init, lists it, and boots
# it with Debian's kernel to run a few commands in the guest.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
minos=$root/build/minos
kernel=${MINOS_KERNEL:-$("$root/scripts/fetch-kernel.sh")}
out=${DEMO_DIR:-$root/build/demo}
mkdir -p "$out"

echo "== minos initramfs -o $out/initrd.img --kernel $kernel"
"$minos" initramfs -o "$out/initrd.img" --kernel "$kernel"
ls -l "$out/initrd.img"
"$minos" ls "$out/initrd.img" | head -n 12
echo "   ... $("$minos" ls "$out/initrd.img" | wc -l) entries"

echo "== minos test: boot it and run commands in the guest"
"$minos" test --kernel "$kernel" --initrd "$out/initrd.img" -- sh -c '
	echo "kernel:   $(uname -sr)"
	echo "pid 1:    $(cat /proc/1/comm)"
	echo "mounts:   $(cut -d" " -f2 /proc/mounts | tr "\n" " ")"
	echo "applets:  $(ls /bin /sbin /usr/bin /usr/sbin | wc -l)"
	echo "answer:   $((6 * 7))"'
echo "== try it yourself: $minos run --kernel $kernel --initrd $out/initrd.img (Ctrl-A X quits)"

echo "== minos iso -o $out/custom_os.iso: the seed's grub-mkrescue step, in one command"
MINOS_KERNEL=$kernel "$minos" iso -o "$out/custom_os.iso" --timeout 1
ls -l "$out/custom_os.iso"
"$minos" ls "$out/custom_os.iso" | grep "El Torito"
for how in "--iso" "--uefi --usb"; do
	echo "== minos test $how custom_os.iso"
	# shellcheck disable=SC2086
	"$minos" test $how "$out/custom_os.iso" -- sh -c \
		'echo "booted $(uname -r) via $([ -d /sys/firmware/efi ] && echo UEFI || echo BIOS): $(cat /proc/cmdline)"'
done
echo "== try it yourself: $minos run --iso $out/custom_os.iso, or write it to a USB stick with dd"
