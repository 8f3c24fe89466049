#!/bin/sh
# minos-init on a kernel without something it uses (built here without
# CONFIG_SIGNALFD, scripts/build-test-kernels.sh): it says which option is
# missing and gives the emergency shell; the kernel does not panic.
. "$(dirname "$0")/../lib.sh"

KERNELS=$("$ROOT/scripts/build-test-kernels.sh")
NOSIGNALFD=$(echo "$KERNELS" | sed -n 's/^nosignalfd //p')
export MINOS_CACHE=$TMP/cache

test_expect_success 'no CONFIG_SIGNALFD: minos-init names it, an emergency shell, no panic' '
	grep -qx "# CONFIG_SIGNALFD is not set" "$NOSIGNALFD/.config"
	"$MINOS" initramfs -o img
	timeout 120 qemu-system-x86_64 -accel tcg -m 256 -nodefaults -no-user-config \
		-display none -no-reboot -serial file:console.log \
		-kernel "$NOSIGNALFD/arch/x86/boot/bzImage" -initrd img \
		-append "console=ttyS0 panic=-1" &
	pid=$!
	wait_for "starting an emergency shell" console.log 100 || { kill $pid; false; }
	sleep 2
	kill $pid; wait $pid || true
	cat console.log
	grep -q "minos-init: no signalfd: the kernel lacks CONFIG_SIGNALFD: starting an emergency shell" console.log
	! grep -q "Kernel panic" console.log
'

test_done
