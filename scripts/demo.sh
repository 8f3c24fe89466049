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
