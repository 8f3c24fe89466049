#!/bin/sh
# Kernel modules and the real root, with Debian's generic kernel: the module
# set against modprobe's, switch_root by LABEL, UUID and onto a hot-plugged
# disk, the emergency shell, twenty clean poweroffs, the ACPI power button.
. "$(dirname "$0")/../lib.sh"

K=$(kernel)
REL=$(basename "$K"); REL=${REL#vmlinuz-}
MD=${K%/boot/*}/lib/modules/$REL	# the tree as Debian's package has it
DISK_MODULES="--modules-dir $MD --module virtio_pci --module virtio_blk --module ext4"

# What the guest says about its root: PID 1's program, / in /proc/mounts,
# and how much initramfs memory is left (ramfs shows as Unevictable).  As
# with util-linux, a child of PID 1 deletes the initramfs while the new init
# starts: give it a few seconds.
SHOW_ROOT='readlink /proc/1/exe; grep " / " /proc/mounts | cut -d" " -f1-3; cat /etc/motd
	held() { awk "/^(Unevictable|Shmem):/ { kb += \$2 } END { print (kb < 4096 ? \"freed\" : kb \" kB held\") }" /proc/meminfo; }
	i=0; while [ $i -lt 50 ] && [ "$(held)" != freed ]; do sleep 0.1; i=$((i + 1)); done; held
	grep -o "^ext4 " /proc/modules'
WANT_ROOT='/sbin/init
/dev/vda / ext4
the real root
freed
ext4 '

# The real root: BusyBox, and minos-init as /sbin/init (it then serves the
# test channel there, so minos test runs its command on the new root).
test_expect_success 'setup' '
	mkdir -p "$TMP/tree/bin" "$TMP/tree/sbin"
	for d in dev proc sys run tmp root mnt etc; do mkdir -p "$TMP/tree/$d"; done
	cp "$(command -v busybox)" "$TMP/tree/bin/busybox"
	for a in $(busybox --list); do [ -e "$TMP/tree/bin/$a" ] || ln -s busybox "$TMP/tree/bin/$a"; done
	cp "$BUILD/minos-init" "$TMP/tree/sbin/init"
	echo "the real root" >"$TMP/tree/etc/motd"
	mkfs.ext4 -q -L realroot -d "$TMP/tree" "$TMP/root.img" 48M
	head -c 16M /dev/urandom >"$TMP/big"
'
UUID=$(blkid -s UUID -o value "$TMP/root.img" 2>/dev/null)

test_expect_success '--module puts exactly the modules modprobe --show-depends lists' '
	"$MINOS" initramfs -o m.img --kernel "$K" $DISK_MODULES
	"$MINOS" ls m.img | grep -o "lib/modules/$REL/.*\.ko$" | sed "s|^lib/modules/$REL/||" |
		sort >got
	mkdir -p copy/lib/modules
	cp -al "$MD" copy/lib/modules/ 2>/dev/null || cp -a "$MD" copy/lib/modules/
	depmod -b "$PWD/copy" "$REL"
	for m in virtio_pci virtio_blk ext4; do
		modprobe -d "$PWD/copy" -S "$REL" --show-depends "$m"
	done | sed -n "s|^insmod $PWD/copy/lib/modules/$REL/||p" | sed "s/ *$//" | sort -u >want
	cat got
	[ "$(wc -l <want)" -ge 10 ]
	cmp want got
	"$MINOS" ls m.img | grep -E " lib/modules/$REL/modules\.(dep|alias|softdep|builtin)$" >idx
	expect_eq "$(wc -l <idx)" 4
'

test_expect_success 'root=LABEL= rootwait: the disk'"'"'s /sbin/init is PID 1, the initramfs freed' '
	"$MINOS" test --kernel "$K" $DISK_MODULES --add "$TMP/big:/big" --disk "$TMP/root.img" \
		--append "root=LABEL=realroot rootwait" -- sh -c "$SHOW_ROOT" >out
	cat out
	expect_eq "$(cat out)" "$WANT_ROOT"
'

test_expect_success 'root=UUID= works too, rw on request' '
	cp "$TMP/root.img" rw.img
	"$MINOS" test --kernel "$K" $DISK_MODULES --disk rw.img \
		--append "root=UUID=$UUID rw" -- sh -c "grep \" / \" /proc/mounts | cut -d\" \" -f1-4" >out
	cat out
	grep -E "^/dev/vda / ext4 rw" out
'

test_expect_success 'root=LABEL= rootwait finds a disk hot-plugged seconds after boot' '
	"$MINOS" test --kernel "$K" $DISK_MODULES --monitor mon --verbose --timeout 120 \
		--append "root=LABEL=realroot rootwait" -- sh -c "$SHOW_ROOT" >out 2>console &
	pid=$!
	wait_for "waiting for root=LABEL=realroot" console
	sleep 3
	monitor mon "drive_add 0 if=none,id=hot,file=$TMP/root.img,format=raw,snapshot=on"
	monitor mon "device_add virtio-blk-pci,drive=hot,id=hotdisk"
	wait $pid
	cat out
	expect_eq "$(cat out)" "$WANT_ROOT"
'

test_expect_success 'root=LABEL=missing rootdelay=3: an emergency shell that works, no panic' '
	mkfifo in
	"$MINOS" run --kernel "$K" --append "root=LABEL=missing rootdelay=3" <in >out 2>&1 &
	pid=$!
	exec 3>in
	wait_for "root=LABEL=missing: no such device after 3 s: starting an emergency shell" out
	echo "echo EMERGENCY-\$((6*7))" >&3
	wait_for "^EMERGENCY-42" out 30
	echo poweroff >&3
	wait $pid
	exec 3>&-
	grep "reboot: Power down" out
	expect_absent "Kernel panic" out
'

test_expect_success 'no such root, bad rootdelay, no init: one-line reasons, emergency shells' '
	"$MINOS" initramfs -o e.img --kernel "$K" $DISK_MODULES
	for case in "root=/dev/vdz rootdelay=1|root=/dev/vdz: no such device after 1 s" \
		    "root=LABEL=realroot rootdelay=soon|rootdelay=soon: not a number of seconds" \
		    "root=LABEL=realroot init=/nope|/dev/vda on /sysroot has no /nope"; do
		BOOT_TIMEOUT=40 boot e.img \
			-drive file="$TMP/root.img",format=raw,if=virtio,snapshot=on \
			-append "console=ttyS0 panic=-1 ${case%%|*}" &
		wait_for "${case#*|}: starting an emergency shell" console.log 40
		kill $! 2>/dev/null; wait $! || true
		expect_absent "Kernel panic" console.log
		rm console.log
	done
'

# ROUND N DISK: boot, mount the data disk, write a file, power off.  Odd
# rounds leave the poweroff to minos-init after the command, even rounds
# run poweroff in the guest.
round() {
	if [ $(($1 % 2)) -eq 1 ]; then
		"$MINOS" test --kernel "$K" $DISK_MODULES --disk "$2" -- \
			sh -c "mkdir -p /mnt && mount /dev/vda /mnt && echo round-$1 >/mnt/file-$1"
	else
		"$MINOS" test --kernel "$K" $DISK_MODULES --disk "$2" -- \
			sh -c "mkdir -p /mnt && mount /dev/vda /mnt && echo round-$1 >/mnt/file-$1 && poweroff; sleep 60" ||
			[ $? -eq 255 ]
	fi
	e2fsck -fn "$2" >fsck.$1 2>&1 || { cat fsck.$1; return 1; }
	expect_eq "$(debugfs -R "cat /file-$1" "$2" 2>/dev/null)" "round-$1"
}

test_expect_success 'twenty rounds of write and poweroff leave ext4 clean and the data exact' '
	mkfs.ext4 -q data1.img 16M && mkfs.ext4 -q data2.img 16M
	(for i in 1 3 5 7 9 11 13 15 17 19; do round $i data1.img || exit 1; done) >odd.log 2>&1 &
	odd=$!
	(for i in 2 4 6 8 10 12 14 16 18 20; do round $i data2.img || exit 1; done) >even.log 2>&1 &
	even=$!
	ok=0
	wait $odd || { cat odd.log; ok=1; }
	wait $even || { cat even.log; ok=1; }
	[ $ok -eq 0 ]
	expect_eq "$(debugfs -R "ls -p /" data1.img 2>/dev/null | grep -c "file-")" 10
	expect_eq "$(debugfs -R "ls -p /" data2.img 2>/dev/null | grep -c "file-")" 10
'

test_expect_success 'system_powerdown (the ACPI button) powers the guest off cleanly' '
	mkfs.ext4 -q pd.img 16M
	"$MINOS" test --kernel "$K" $DISK_MODULES --module button --module evdev --disk pd.img \
		--monitor mon --verbose --timeout 120 -- \
		sh -c "mkdir -p /mnt && mount /dev/vda /mnt && echo written >/mnt/f && echo READY >/dev/console && sleep 600" \
		>out 2>console &
	pid=$!
	wait_for "^READY" console
	monitor mon system_powerdown
	status=0; wait $pid || status=$?
	grep "minos-init: power button pressed" console
	grep "reboot: Power down" console
	expect_eq "$status" 255
	e2fsck -fn pd.img
	expect_eq "$(debugfs -R "cat /f" pd.img 2>/dev/null)" written
'

test_done
