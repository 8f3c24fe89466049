#!/bin/sh
# arm64 media: the default ISO of Debian's arm64 kernel under AAVMF on virt
# as an arm64 PC presents it (NVMe, xHCI, a USB keyboard, virtio-net, a
# screen), from CD and USB stick and under Secure Boot; one ISO and one
# netboot directory for both architectures; an arm64 live Debian.
. "$(dirname "$0")/../lib.sh"

test_expect_success 'setup' '
	"$ROOT/scripts/fetch-kernel.sh" arm64 >arm.path &&
	kernel >x86.path &&
	grep -q vmlinuz- arm.path
'

AAVMF_CODE=/usr/share/AAVMF/AAVMF_CODE.fd
# sizes in 512-byte sectors, as /sys/class/block/*/size gives them
NVME=131072 STICK=81920 HOT=57344

# an arm64 PC as AAVMF boots it: virt, its firmware, a screen (ramfb) for the keyboard
arm_vm() {
	name=$1; shift
	cp /usr/share/AAVMF/AAVMF_VARS.fd "$name.vars" &&
	VM_QEMU=qemu-system-aarch64 VM_VIDEO=ramfb vm_start "$name" \
		-M virt,gic-version=3 -cpu max,pauth-impdef=on \
		-drive if=pflash,format=raw,readonly=on,file=$AAVMF_CODE \
		-drive if=pflash,format=raw,file="$name.vars" "$@"
}

sizes() { guest "$1" "cat /sys/class/block/*/size" | sort -n; }
has_size() { grep -qx "$2" "$1" || { echo "no block device of $2 sectors in:"; cat "$1"; return 1; }; }

test_expect_success 'minos iso of the arm64 kernel: UEFI only, BOOTAA64.EFI, ready for Secure Boot' '
	"$MINOS" iso -o arm.iso --kernel "$(cat arm.path)" --timeout 0 2>iso.err &&
	"$MINOS" ls arm.iso >ls.out &&
	grep "^#" ls.out &&
	grep -qx "# arch: arm64" ls.out &&
	grep -q "^# El Torito UEFI: " ls.out && ! grep -q "El Torito BIOS" ls.out &&
	grep -q "EFI/BOOT/BOOTAA64.EFI signed by .*(shim)" ls.out &&
	grep -qx "# Secure Boot: ready" ls.out &&
	xorriso -indev arm.iso -report_system_area plain 2>/dev/null | grep -q "GPT partname local :   2  EFI boot partition"
'

test_expect_success 'AAVMF, CD: NVMe, a USB stick on xHCI and the CD appear by size' '
	truncate -s $((NVME * 512)) nvme.img && truncate -s $((STICK * 512)) stick.img &&
	truncate -s $((HOT * 512)) hot.img &&
	arm_vm cd -device virtio-scsi-pci,id=scsi \
		-drive if=none,id=cd,media=cdrom,readonly=on,file=arm.iso \
		-device scsi-cd,bus=scsi.0,drive=cd,bootindex=0 \
		-drive if=none,id=nvm,file=nvme.img,format=raw -device nvme,drive=nvm,serial=NVME0001 \
		-device qemu-xhci,id=xhci \
		-drive if=none,id=stick,file=stick.img,format=raw -device usb-storage,bus=xhci.0,drive=stick \
		-device usb-kbd,bus=xhci.0,display=video0 \
		-netdev user,id=n0 -device virtio-net-pci,netdev=n0,romfile= \
		-drive if=none,id=hot,file=hot.img,format=raw &&
	wait_for "^~ # " cd.log 180 &&
	sleep 2 &&
	guest cd "uname -m" >arch && expect_eq "$(cat arch)" aarch64 &&
	sizes cd >cd.sizes &&
	has_size cd.sizes $NVME && has_size cd.sizes $STICK &&
	has_size cd.sizes $(( $(stat -c %s arm.iso) / 512 ))
'

test_expect_success 'AAVMF: eth0 by DHCP (virtio-net), a file from the host at 10.0.2.2' '
	mkdir -p www && echo "hello from the host $$" >www/hello.txt &&
	port=$((21000 + $$ % 20000)) &&
	busybox httpd -p 127.0.0.1:$port -h www &&
	i=0 && while guest cd "ip -4 addr show eth0" >eth0 && ! grep -q "inet 10.0.2.15/24" eth0; do
		i=$((i + 1)); [ $i -lt 30 ] || { cat eth0; false; }; sleep 1
	done &&
	guest cd "wget -q -O - http://10.0.2.2:$port/hello.txt" >got;
	rc=$?; pkill -f "httpd -p 127.0.0.1:$port"; test $rc -eq 0 &&
	expect_eq "$(cat got)" "hello from the host $$"
'

test_expect_success 'AAVMF: keys typed on the USB keyboard reach a shell on the screen (ramfb)' '
	# the screen shell asks for Enter first, as askfirst does
	type_keys cd "" && sleep 3 &&
	type_keys cd "echo typed-on-the-usb-keyboard >/dev/ttyAMA0" &&
	wait_for "typed-on-the-usb-keyboard" cd.log 60
'

test_expect_success 'AAVMF: a second USB stick hot-plugged appears with no command typed' '
	qmp cd "{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"usb-storage\",\"bus\":\"xhci.0\",\"drive\":\"hot\"}}" >hot.qmp &&
	if grep -q "\"error\"" hot.qmp; then cat hot.qmp; false; fi &&
	i=0 && while [ $i -lt 15 ]; do
		sizes cd >hot.sizes; grep -qx $HOT hot.sizes && break; sleep 1; i=$((i + 1))
	done &&
	has_size hot.sizes $HOT
'

test_expect_success 'AAVMF, USB stick: the same ISO written to a stick boots' '
	vm_stop cd &&
	set +e
	"$MINOS" test --usb arm.iso --timeout 180 -- uname -m >out 2>err
	rc=$?
	set -e
	cat err
	expect_eq "$rc" 0 && expect_eq "$(cat out)" aarch64
'

test_expect_success 'AAVMF with Secure Boot enforced (AAVMF_VARS.ms.fd): the ISO boots, SecureBoot reads 1' '
	"$MINOS" test --secure-boot --iso arm.iso --timeout 180 -- sh -c \
		"od -An -tu1 /sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c |
		 awk \"{ print \\\$5 }\"; dmesg | grep -o \"Secure boot enabled\"" >out &&
	cat out &&
	expect_eq "$(sed -n 1p out)" 1 && grep -qx "Secure boot enabled" out
'

test_expect_success 'one ISO for both: SeaBIOS CD/USB, OVMF CD/USB boot x86_64, AAVMF CD/USB aarch64' '
	"$MINOS" iso -o both.iso --kernel "$(cat x86.path)" --kernel "$(cat arm.path)" --timeout 0 2>both.err &&
	"$MINOS" ls both.iso | grep -qx "# arch: x86_64 arm64" &&
	for way in "--iso both.iso" "--usb both.iso" "--uefi --iso both.iso" "--uefi --usb both.iso" \
		   "--arch arm64 --iso both.iso" "--arch arm64 --usb both.iso"; do
		want=x86_64; case $way in *arm64*) want=aarch64 ;; esac
		# shellcheck disable=SC2086
		"$MINOS" test $way --timeout 180 -- uname -m >out 2>err || { cat err; exit 1; }
		echo "$way: $(cat out)"
		expect_eq "$(cat out)" $want
	done
'

test_expect_success 'minos netboot for arm64: AAVMF boots it over TFTP through its PXE and GRUB' '
	"$MINOS" netboot -o nb --kernel "$(cat arm.path)" --timeout 0 2>nb.err &&
	"$MINOS" ls nb >nb.ls && cat nb.ls &&
	grep -qx "# arch: arm64" nb.ls &&
	grep -q "^# serves: arm64 UEFI PXE clients (grub/bootaa64.efi), iPXE clients" nb.ls &&
	grep -q "^pxe-service=tag:!ipxe,ARM64_EFI,.*grub/bootaa64.efi$" nb/dnsmasq.conf &&
	dnsmasq --test --conf-file=nb/dnsmasq.conf 2>&1 | grep -q "syntax check OK" &&
	"$MINOS" test --netboot nb --timeout 240 -- uname -m >out &&
	expect_eq "$(cat out)" aarch64
'

test_expect_success 'one netboot directory for both: iPXE on x86, PXE and GRUB on arm64' '
	"$MINOS" netboot -o nb2 --kernel "$(cat x86.path)" --kernel "$(cat arm.path)" --timeout 0 \
		2>nb2.err &&
	"$MINOS" ls nb2 >nb2.ls && cat nb2.ls &&
	grep -qx "# arch: x86_64 arm64" nb2.ls &&
	test -s nb2/x86_64/vmlinuz && test -s nb2/arm64/vmlinuz &&
	grep -q "^iseq \${buildarch} arm64 || goto other$" nb2/boot.ipxe &&
	"$MINOS" test --netboot nb2 --timeout 240 -- uname -m >out &&
	expect_eq "$(cat out)" x86_64 &&
	"$MINOS" test --netboot nb2 --arch arm64 --timeout 240 -- uname -m >out &&
	expect_eq "$(cat out)" aarch64
'

test_expect_success 'a live Debian for arm64 (mmdebstrap, systemd) boots from the ISO under AAVMF, overlay working' '
	"$MINOS" iso -o live.iso --kernel "$(cat arm.path)" --timeout 0 \
		--rootfs "$("$ROOT/scripts/debian-root.sh" arm64)" 2>live.err &&
	cp /usr/share/AAVMF/AAVMF_VARS.fd live.vars &&
	# the root powers off once its marker is printed
	timeout 400 qemu-system-aarch64 -M virt,gic-version=3 -cpu max,pauth-impdef=on -accel tcg \
		-m 1024 -nodefaults -no-user-config -display none -no-reboot -serial file:live.log \
		-drive if=pflash,format=raw,readonly=on,file=$AAVMF_CODE \
		-drive if=pflash,format=raw,file=live.vars -device virtio-scsi-pci,id=scsi \
		-drive if=none,id=cd,media=cdrom,readonly=on,file=live.iso \
		-device scsi-cd,bus=scsi.0,drive=cd,bootindex=0 &&
	grep -a "minos-init: switching to the live root" live.log &&
	grep -aq "LIVE-MARKER systemd" live.log && grep -aq "LIVE-OVERLAY-OK" live.log
'

test_done
