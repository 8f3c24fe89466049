#!/bin/sh
# Live systems: minos iso --rootfs boots a Debian 12 root (mmdebstrap,
# systemd) and a BusyBox root, from CD under SeaBIOS and from a USB stick
# under OVMF, to the root's own init; what the system writes lands in the
# overlay, never in the squashfs.  --persist keeps it across boots on a
# stick; minos.toram lets the CD go; a root tree without /dev, /proc, /sys
# or /run gets them in its overlay; and what cannot work (no medium, a
# squashfs that does not mount, vfat for persistence) ends in an emergency
# shell that says which, never in a panic.
. "$(dirname "$0")/../lib.sh"

OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
export SOURCE_DATE_EPOCH=1700000000

# run_vm LOG QEMU-ARGS...: until the guest powers off (at most 240 s).
run_vm() {
	log=$1; shift
	timeout 240 qemu-system-x86_64 -accel tcg -m 1024 -nodefaults -no-user-config \
		-display none -no-reboot -serial "file:$log" -M q35 "$@" </dev/null >"$log.qemu" 2>&1 ||
		{ echo "QEMU did not end by itself:"; tail -20 "$log"; return 1; }
}

cd_args() { echo "-drive file=$1,media=cdrom,readonly=on,if=ide,index=2 -boot d"; }

# usb_ovmf STICK: OVMF booting the stick on xHCI.
usb_ovmf() {
	cp $OVMF_VARS "$1.vars"
	echo "-drive if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_CODE" \
		"-drive if=pflash,format=raw,unit=1,file=$1.vars -device qemu-xhci,id=xhci" \
		"-drive if=none,id=stick,file=$1,format=raw" \
		"-device usb-storage,bus=xhci.0,drive=stick,bootindex=0"
}

# usb_bios STICK: SeaBIOS booting the stick on xHCI.
usb_bios() {
	echo "-device qemu-xhci,id=xhci -drive if=none,id=stick,file=$1,format=raw" \
		"-device usb-storage,bus=xhci.0,drive=stick,bootindex=0"
}

# emergency_says LOG TEXT: an emergency shell that says TEXT, and no panic.
emergency_says() {
	wait_for "starting an emergency shell" "$1" 120 &&
	grep "minos-init: .*starting an emergency shell" "$1" &&
	grep -q -- "$2" "$1" && expect_absent "Kernel panic" "$1"
}

test_expect_success 'setup: a Debian root and a BusyBox root, as live ISOs' '
	K=$(kernel) &&
	deb=$("$ROOT/scripts/debian-root.sh") &&
	"$MINOS" iso -o deb.iso --kernel "$K" --rootfs "$deb" --timeout 0 2>iso.err &&
	mkdir -p bb/bin bb/sbin bb/etc/init.d bb/proc bb/sys bb/dev bb/run bb/root bb/usr &&
	cp /bin/busybox bb/bin/ && ln -s busybox bb/bin/sh && ln -s ../bin/busybox bb/sbin/init &&
	cp -a /usr/share/i18n bb/usr/i18n && cp -a /usr/share/perl5 bb/usr/perl5 &&
	printf "::sysinit:/etc/init.d/rcS\nttyS0::respawn:-/bin/sh\n" >bb/etc/inittab &&
	cat >bb/etc/init.d/rcS <<-\EOF &&
	#!/bin/sh
	busybox mount -t proc proc /proc
	echo written >/root/written
	if [ -e /run/minos/rw/upper/root/written ] && [ ! -e /run/minos/rootfs/root/written ]; then
		echo LIVE-OVERLAY-OK
	fi
	if [ -e /root/count ]; then echo "PERSIST-SECOND $(busybox cat /root/count)"
	else echo one >/root/count; echo PERSIST-FIRST; fi
	echo "LIVE-MARKER $(busybox cat /proc/1/comm)"
	busybox sync
	case " $(busybox cat /proc/cmdline) " in *" test.poweroff "*) busybox poweroff -f ;; esac
	EOF
	chmod +x bb/etc/init.d/rcS &&
	"$MINOS" iso -o bb.iso --kernel "$K" --rootfs bb --timeout 0 \
		--cmdline "console=ttyS0 test.poweroff" 2>/dev/null &&
	"$MINOS" iso -o bbp.iso --kernel "$K" --rootfs bb --timeout 0 --persist 64M \
		--cmdline "console=ttyS0 test.poweroff" 2>/dev/null &&
	"$MINOS" iso -o ram.iso --kernel "$K" --rootfs bb --timeout 0 \
		--cmdline "console=ttyS0 minos.toram" 2>/dev/null
'

test_expect_success 'Debian (systemd), SeaBIOS, CD: its service runs; writes go to the overlay' '
	run_vm deb-cd.log $(cd_args deb.iso) &&
	grep -q "minos-init: switching to the live root" deb-cd.log &&
	grep -q "LIVE-MARKER systemd" deb-cd.log && grep -q "LIVE-OVERLAY-OK" deb-cd.log &&
	mkdir x && osirrox -indev deb.iso -extract /minos/root.sqfs x/root.sqfs >/dev/null 2>&1 &&
	unsquashfs -lls x/root.sqfs root >root.list && expect_absent "root/written" root.list
'

test_expect_success 'the Debian root: unsquashfs lists what mksquashfs lists of the same tree' '
	mkdir deb && tar -xf "$("$ROOT/scripts/debian-root.sh")" -C deb --numeric-owner \
		--xattrs --xattrs-include="*" &&
	mksquashfs deb ref.sqfs -comp zstd -noappend -quiet -no-progress >/dev/null 2>&1 &&
	for f in x/root.sqfs ref.sqfs; do
		unsquashfs -lln "$f" | tr -s " " | sed -e "s| squashfs-root| |" \
			-e "/^d/s|^\([^ ]* [^ ]*\) [0-9]* |\1 - |" >"$f.list" || exit 1
	done &&
	[ $(wc -l <ref.sqfs.list) -gt 5000 ] && test_cmp ref.sqfs.list x/root.sqfs.list &&
	ours=$(stat -c %s x/root.sqfs) theirs=$(stat -c %s ref.sqfs) &&
	echo "minos $ours, mksquashfs $theirs" &&
	[ $((ours * 100)) -le $((theirs * 103)) ] && [ $((ours * 100)) -ge $((theirs * 97)) ]
'

test_expect_success 'Debian (systemd), OVMF, USB stick: the same' '
	cp deb.iso deb.stick &&
	run_vm deb-usb.log $(usb_ovmf deb.stick) &&
	grep -q "LIVE-MARKER systemd" deb-usb.log && grep -q "LIVE-OVERLAY-OK" deb-usb.log
'

test_expect_success 'BusyBox root: SeaBIOS from CD, OVMF from a USB stick' '
	run_vm bb-cd.log $(cd_args bb.iso) &&
	grep -q "LIVE-MARKER init" bb-cd.log && grep -q "LIVE-OVERLAY-OK" bb-cd.log &&
	cp bb.iso bb.stick &&
	run_vm bb-usb.log $(usb_ovmf bb.stick) &&
	grep -q "LIVE-MARKER init" bb-usb.log && grep -q "LIVE-OVERLAY-OK" bb-usb.log
'

test_expect_success 'a BusyBox root of bin, sbin and etc alone: /dev, /proc, /sys, /run made in the overlay' '
	mkdir -p bare/bin bare/sbin bare/etc/init.d &&
	cp /bin/busybox bare/bin/ && ln -s busybox bare/bin/sh && ln -s ../bin/busybox bare/sbin/init &&
	echo "::sysinit:/etc/init.d/rcS" >bare/etc/inittab &&
	cat >bare/etc/init.d/rcS <<-\EOF &&
	#!/bin/sh
	echo "BARE-COMM $(busybox cat /proc/1/comm)"
	for d in /dev /proc /sys /run; do
		busybox grep -q "^[^ ]* $d " /proc/mounts && echo "BARE-MOUNTED $d"
	done
	busybox poweroff -f
	EOF
	chmod +x bare/etc/init.d/rcS &&
	"$MINOS" iso -o bare.iso --kernel "$(kernel)" --rootfs bare --timeout 0 \
		--cmdline "console=ttyS0" 2>/dev/null &&
	run_vm bare.log $(cd_args bare.iso) &&
	grep "minos-init: the live root has no /dev /proc /sys /run; made in its overlay" bare.log &&
	expect_absent "unmounting it" bare.log &&
	grep -q "BARE-COMM init" bare.log &&
	expect_eq "$(grep -o "BARE-MOUNTED /[a-z]*" bare.log | tr "\n" " ")" \
		"BARE-MOUNTED /dev BARE-MOUNTED /proc BARE-MOUNTED /sys BARE-MOUNTED /run "
'

test_expect_success 'persistence: --persist 64M keeps a file across boots; without it, gone' '
	cp bbp.iso p.stick &&
	run_vm p1.log $(usb_bios p.stick) && run_vm p2.log $(usb_bios p.stick) &&
	grep -q "minos.persist: changes kept on /dev/sd.* (ext4)" p1.log &&
	grep -q PERSIST-FIRST p1.log && grep -q "PERSIST-SECOND one" p2.log &&
	cp bb.iso n.stick &&
	run_vm n1.log $(usb_bios n.stick) && run_vm n2.log $(usb_bios n.stick) &&
	grep -q PERSIST-FIRST n1.log && grep -q PERSIST-FIRST n2.log
'

test_expect_success 'minos.toram: the CD is ejected and every file of /usr still reads' '
	(cd bb && busybox find usr -type f | sort | xargs cat | md5sum | cut -d" " -f1) >usr.md5 &&
	vm_start "$TMP/ram" -M q35 -drive if=none,id=cd,file=ram.iso,media=cdrom,readonly=on \
		-device ide-cd,drive=cd,id=cd0,bootindex=0 &&
	wait_for "^/ # " ram.log 120 &&
	grep -q "minos.toram: .* MiB in RAM; the medium can be removed" ram.log &&
	qmp "$TMP/ram" "{\"execute\":\"eject\",\"arguments\":{\"id\":\"cd0\"}}" \
		"{\"execute\":\"query-block\"}" >eject.log &&
	expect_absent "error" eject.log &&
	grep -q "\"qdev\": \"cd0\"" eject.log && expect_absent "\"inserted\"" eject.log &&
	expect_eq "$(guest "$TMP/ram" "busybox grep -c /run/minos/medium /proc/mounts")" 0 &&
	guest "$TMP/ram" "cd / && busybox find usr -type f | busybox sort | busybox xargs busybox cat | busybox md5sum" >guest.md5 &&
	expect_eq "$(cut -d" " -f1 guest.md5 | tr -d "\r")" "$(cat usr.md5)"
'
vm_stop "$TMP/ram"

test_expect_success 'no medium: an emergency shell that says so' '
	osirrox -indev bb.iso -extract /boot/initrd.img initrd.img >/dev/null 2>&1 &&
	vm_start "$TMP/nomedium" -M q35 -kernel "$(kernel)" -initrd initrd.img \
		-append "console=ttyS0 panic=-1 minos.live=0123456789abcdef rootdelay=2" &&
	emergency_says nomedium.log "minos.live=0123456789abcdef: no medium with /.disk/minos-0123456789abcdef"
'
vm_stop "$TMP/nomedium"

test_expect_success 'a squashfs that does not mount: an emergency shell that says so' '
	cp bb.iso bad.iso &&
	lba=$(xorriso -indev bad.iso -find /minos/root.sqfs -exec report_lba -- 2>/dev/null |
		awk "/^File data lba:/ {print \$6; exit}" | tr -d ,) &&
	[ -n "$lba" ] &&
	printf "\143\000" | dd of=bad.iso bs=1 seek=$((lba * 2048 + 20)) conv=notrunc status=none &&
	vm_start "$TMP/badsq" -M q35 $(cd_args bad.iso) &&
	emergency_says badsq.log "root.sqfs: the squashfs does not mount"
'
vm_stop "$TMP/badsq"

test_expect_success 'vfat for persistence: an emergency shell that says overlayfs cannot use it' '
	truncate -s 32M fat.img && mkfs.vfat -n PERS fat.img >/dev/null &&
	"$MINOS" iso -o fat.iso --kernel "$(kernel)" --rootfs bb --timeout 0 \
		--cmdline "console=ttyS0 minos.persist=LABEL=PERS" 2>/dev/null &&
	vm_start "$TMP/vfat" -M q35 $(cd_args fat.iso) \
		-drive if=none,id=d,file=fat.img,format=raw -device ide-hd,drive=d,bus=ide.1 &&
	emergency_says vfat.log "minos.persist=LABEL=PERS: /dev/sd[a-z]* is vfat; overlayfs keeps changes on ext4, btrfs or xfs"
'
vm_stop "$TMP/vfat"

test_done
