#!/bin/sh
# The default ISO on the PCs QEMU models, as a user's PC presents them:
# q35 from CD under SeaBIOS and from a USB stick under OVMF, i440fx with
# virtio and EHCI.  Every disk must appear (told apart by size, never by the
# name the kernel gave it), eth0 must get its address by DHCP and fetch a
# file from the host, keys typed on a USB keyboard must reach a shell on the
# screen; disks hot-added after boot must appear with no command typed; and
# the modules minos-init loaded for each device must be those kmod's
# modprobe -R names on a depmod'ed copy of the image's module tree.
. "$(dirname "$0")/../lib.sh"

OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
# sizes in 512-byte sectors, as /sys/class/block/*/size gives them
NVME=131072 SATA=98304 STICK=81920 VBLK=73728 HOT1=65536 HOT2=57344

disk() { truncate -s $(($2 * 512)) "$1"; }

# sizes NAME: the sizes of the guest's block devices, one per line, sorted.
sizes() {
	guest "$1" 'cat /sys/class/block/*/size' | sort -n
}

has_size() {
	grep -qx "$2" "$1" || { echo "no block device of $2 sectors in:"; cat "$1"; return 1; }
}

# The network checks: eth0's address by DHCP, then a file from the host.
check_net() {
	i=0
	while guest "$1" 'dmesg | grep "minos: eth0"' >"$1.kmsg.log" &&
	      ! grep -q "minos: eth0: 10.0.2.15/24 via 10.0.2.2 (dhcp)" "$1.kmsg.log"; do
		i=$((i + 1)); [ $i -lt 30 ] || { echo "eth0 got no lease"; return 1; }
		sleep 1
	done
	guest "$1" "wget -q -O - http://10.0.2.2:$(cat port)/hello.txt" >"$1.wget"
	expect_eq "$(cat "$1.wget")" "hello from the host $$"
}

check_keyboard() {
	# the screen's shell asks for Enter first, as askfirst does
	type_keys "$1" ""
	sleep 3
	type_keys "$1" "echo typed-on-the-usb-keyboard >/dev/ttyS0"
	wait_for "typed-on-the-usb-keyboard" "$1.log" 60
}

test_expect_success 'setup: the default ISO, disks, an HTTP server on the host' '
	"$MINOS" iso -o minos.iso --kernel "$(kernel)" --timeout 0 2>iso.err &&
	mkdir www && echo "hello from the host $$" >www/hello.txt &&
	port=$((20000 + $$ % 20000)) && echo $port >port &&
	busybox httpd -p 127.0.0.1:$port -h www && pgrep -f "httpd -p 127.0.0.1:$port" >httpd.pid &&
	disk nvme.img $NVME && disk sata.img $SATA && disk stick.img $STICK &&
	disk vblk.img $VBLK && disk hot1.img $HOT1 && disk hot2.img $HOT2
'

test_expect_success 'q35, SeaBIOS, CD: NVMe, SATA, a USB stick and the CD appear' '
	vm_start q35 -M q35 -boot d \
		-drive file=minos.iso,media=cdrom,readonly=on,if=ide,index=2 \
		-drive if=none,id=sata,file=sata.img,format=raw -device ide-hd,drive=sata,bus=ide.1 \
		-drive if=none,id=nvm,file=nvme.img,format=raw -device nvme,drive=nvm,serial=NVME0001 \
		-device qemu-xhci,id=xhci \
		-drive if=none,id=stick,file=stick.img,format=raw -device usb-storage,bus=xhci.0,drive=stick \
		-device usb-kbd,bus=xhci.0,display=video0 \
		-netdev user,id=n0 -device e1000e,netdev=n0,romfile= \
		-device pcie-root-port,id=rp1,chassis=1,slot=1 \
		-drive if=none,id=hot1,file=hot1.img,format=raw \
		-drive if=none,id=hot2,file=hot2.img,format=raw &&
	wait_for "^~ # " q35.log 120 &&
	sleep 2 &&
	sizes q35 >q35.sizes &&
	has_size q35.sizes $NVME && has_size q35.sizes $SATA && has_size q35.sizes $STICK &&
	has_size q35.sizes $(( $(stat -c %s minos.iso) / 512 ))
'

test_expect_success 'q35: eth0 gets its address by DHCP and fetches a file from the host' '
	check_net q35
'

test_expect_success 'q35: keys typed on the USB keyboard reach a shell on the screen' '
	check_keyboard q35
'

test_expect_success 'q35: a virtio disk and a USB stick hot-added appear with no command typed' '
	qmp q35 "{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"virtio-blk-pci\",\"bus\":\"rp1\",\"drive\":\"hot1\"}}" \
		"{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"usb-storage\",\"bus\":\"xhci.0\",\"drive\":\"hot2\"}}" >hot.qmp &&
	if grep -q "\"error\"" hot.qmp; then cat hot.qmp; false; fi &&
	i=0 && while [ $i -lt 10 ]; do
		sizes q35 >hot.sizes
		grep -qx $HOT1 hot.sizes && grep -qx $HOT2 hot.sizes && break
		sleep 1; i=$((i + 1))
	done &&
	has_size hot.sizes $HOT1 && has_size hot.sizes $HOT2 &&
	guest q35 "dmesg | grep minos-init:" >hot.kmsg &&
	grep -q "virtio_blk" hot.kmsg && grep -q "usb_storage" hot.kmsg
'

test_expect_success 'q35: every module loaded for a device is what modprobe -R resolves' '
	guest q35 "cat \$(find /sys/devices -name modalias) | sort -u" >aliases &&
	guest q35 "dmesg | sed -n \"s/.*minos-init: \\([a-z0-9]*:.*\\): /\\1 /p\"" >loaded &&
	test -s aliases && test -s loaded &&
	mkdir img && (cd img && "$MINOS" ls ../minos.iso >/dev/null &&
		xorriso -osirrox on -indev ../minos.iso -extract /boot/initrd.img ../initrd.img 2>/dev/null) &&
	(cd img && zstd -dc ../initrd.img | cpio -id --quiet) &&
	rel=$(ls img/lib/modules) &&
	depmod -b img "$rel" &&
	checked=0 &&
	while read -r alias; do
		want=$(modprobe -d img -S "$rel" -R "$alias" 2>/dev/null | sort -u | tr "\n" " ")
		got=$(grep -F "$alias " loaded | head -1 | cut -d" " -f2- | tr " " "\n" | sort -u | tr "\n" " ")
		[ -z "$want" ] && [ -z "$got" ] && continue
		checked=$((checked + 1))
		expect_eq "$got" "$want" || { echo "for $alias"; exit 1; }
	done <aliases &&
	echo "$checked modaliases checked" >&2 &&
	test $checked -ge 8
'

test_expect_success 'q35: done' '
	vm_stop q35
'

test_expect_success 'OVMF, the ISO as a USB stick: the disks, the network, the keyboard' '
	cp $OVMF_VARS vars.fd &&
	cp minos.iso usb.img &&
	vm_start uefi -M q35 \
		-drive if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_CODE \
		-drive if=pflash,format=raw,unit=1,file=vars.fd \
		-drive if=none,id=sata,file=sata.img,format=raw -device ide-hd,drive=sata,bus=ide.1 \
		-drive if=none,id=nvm,file=nvme.img,format=raw -device nvme,drive=nvm,serial=NVME0001 \
		-device qemu-xhci,id=xhci \
		-drive if=none,id=boot,file=usb.img,format=raw -device usb-storage,bus=xhci.0,drive=boot,bootindex=0 \
		-drive if=none,id=stick,file=stick.img,format=raw -device usb-storage,bus=xhci.0,drive=stick \
		-device usb-kbd,bus=xhci.0,display=video0 \
		-netdev user,id=n0 -device e1000e,netdev=n0,romfile= &&
	wait_for "^~ # " uefi.log 180 &&
	sleep 2 &&
	sizes uefi >uefi.sizes &&
	has_size uefi.sizes $NVME && has_size uefi.sizes $SATA && has_size uefi.sizes $STICK &&
	has_size uefi.sizes $(( $(stat -c %s usb.img) / 512 )) &&
	check_net uefi &&
	check_keyboard uefi
'
vm_stop "$TMP/uefi"

test_expect_success 'i440fx: virtio-net, virtio-blk and a USB stick on EHCI' '
	vm_start pc -M pc -boot d \
		-drive file=minos.iso,media=cdrom,readonly=on,if=ide,index=2 \
		-drive if=virtio,file=vblk.img,format=raw \
		-device usb-ehci,id=ehci \
		-drive if=none,id=stick,file=stick.img,format=raw -device usb-storage,bus=ehci.0,drive=stick \
		-netdev user,id=n0 -device virtio-net-pci,netdev=n0,romfile= &&
	wait_for "^~ # " pc.log 120 &&
	sleep 2 &&
	sizes pc >pc.sizes &&
	has_size pc.sizes $VBLK && has_size pc.sizes $STICK &&
	check_net pc
'
vm_stop "$TMP/pc"
vm_stop "$TMP/q35"
[ -f "$TMP/httpd.pid" ] && kill "$(cat "$TMP/httpd.pid")" 2>/dev/null

test_done
