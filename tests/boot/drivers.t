#!/bin/sh
# --drivers at build time, and what minos-init does with bad settings at
# boot: a module that fails to load and a malformed minos.net= are logged
# and the boot goes on.  The network of minos run/test: --net user with
# DHCP or a static address, --forward.
. "$(dirname "$0")/../lib.sh"

test_expect_success 'setup' '
	kernel >kernel.path
'

test_expect_success 'an unknown driver set or module is a one-line error, no file' '
	expect_error "--drivers.*generik.*no driver set" \
		"$MINOS" initramfs -o bad.img --kernel "$(cat kernel.path)" --drivers generik &&
	test ! -e bad.img &&
	expect_error "--drivers.*no_such_driver" \
		"$MINOS" iso -o bad.iso --kernel "$(cat kernel.path)" --drivers generic,no_such_driver &&
	test ! -e bad.iso &&
	expect_error "--drivers.*no driver set" \
		"$MINOS" initramfs -o bad.img --drivers ../drivers/ata &&
	test ! -e bad.img
'

test_expect_success 'generic: storage, USB, HID, NICs, filesystems, and dhcp by default' '
	"$MINOS" initramfs -o generic.img --kernel "$(cat kernel.path)" --drivers generic 2>err &&
	"$MINOS" ls generic.img >list &&
	for m in ahci ata_piix nvme sd_mod sr_mod usb-storage uas xhci-pci ehci-pci usbhid \
		 hid-generic virtio_blk virtio_net e1000e r8169 ext4 vfat isofs squashfs overlay; do
		grep -q "/$m\.ko\$" list || { echo "no $m"; exit 1; }
	done &&
	test $(grep -c "\.ko\$" list) -ge 300 &&
	grep -q "etc/minos/net" list &&
	expect_absent "lpfc\|qla2xxx" list &&
	test $(wc -l <err) -le 1
'

test_expect_success 'host: the modules of this machine'"'"'s devices' '
	"$MINOS" initramfs -o host.img --kernel "$(cat kernel.path)" --drivers host &&
	"$MINOS" ls host.img >/dev/null
'

test_expect_success 'a module that fails to load and a bad minos.net= are logged; boot goes on' '
	"$MINOS" test --kernel "$(cat kernel.path)" --module kvm_intel \
		--append "minos.net=eth0=10.0.2.15/99" -- sh -c "dmesg | grep minos-init" >out &&
	grep -q "cannot load module .*kvm-intel.ko" out &&
	grep -q "minos.net=eth0=10.0.2.15/99: not dhcp, off or IFACE" out
'

test_expect_success '--net user: eth0 by DHCP, and the host answers at 10.0.2.2' '
	mkdir www && echo "from the host" >www/f &&
	port=$((20000 + $$ % 20000)) &&
	busybox httpd -p 127.0.0.1:$port -h www &&
	"$MINOS" test --kernel "$(cat kernel.path)" --net user -- sh -c \
		"for i in 1 2 3 4 5 6 7 8 9 10; do ip route | grep -q default && break; sleep 0.5; done;
		 ip -4 addr show eth0; wget -q -O - http://10.0.2.2:$port/f" >out;
	rc=$?; pkill -f "httpd -p 127.0.0.1:$port"; test $rc -eq 0 &&
	grep -q "inet 10.0.2.15/24" out && grep -qx "from the host" out
'

test_expect_success 'minos.net=IFACE=ADDR/PREFIX,GATEWAY sets a static address, no DHCP' '
	"$MINOS" test --kernel "$(cat kernel.path)" --net user \
		--append "minos.net=eth0=10.0.2.77/24,10.0.2.2" -- sh -c \
		"sleep 1; ip -4 addr show eth0; ip route; pgrep udhcpc || echo no-dhcp" >out &&
	grep -q "inet 10.0.2.77/24" out && grep -q "default via 10.0.2.2 dev eth0" out &&
	grep -qx no-dhcp out
'

test_expect_success 'minos.net=off: the loopback up, eth0 left alone' '
	"$MINOS" test --kernel "$(cat kernel.path)" --net user --append minos.net=off -- sh -c \
		"sleep 1; ip -4 addr show lo; ip -4 addr show eth0; pgrep udhcpc || echo no-dhcp" >out &&
	grep -q "inet 127.0.0.1/8" out && expect_absent "inet 10.0.2" out && grep -qx no-dhcp out
'

test_expect_success '--forward HOST:GUEST reaches a server in the guest' '
	port=$((20000 + ($$ + 7) % 20000)) &&
	{ "$MINOS" test --kernel "$(cat kernel.path)" --net user --forward $port:8080 -- \
		sh -c "echo through-the-forward | nc -l -p 8080" >guest.out 2>&1 & } &&
	# until the guest answers, while it runs: a loaded machine boots slowly
	guest=$! && end=$(($(date +%s) + 300)) && got= &&
	while kill -0 $guest 2>/dev/null && [ $(date +%s) -lt $end ]; do
		got=$(socat -T 2 -u TCP:127.0.0.1:$port - 2>/dev/null || :)
		[ -n "$got" ] && break
		sleep 0.5
	done &&
	{ [ -n "$got" ] || cat guest.out; } &&
	expect_eq "$got" "through-the-forward" &&
	wait
'

test_expect_success '--forward: BusyBox httpd in the guest answers an HTTP request made on the host' '
	port=$((20000 + ($$ + 11) % 20000)) &&
	{ "$MINOS" test --kernel "$(cat kernel.path)" --net user --forward $port:80 -- \
		sh -c "mkdir -p /www && echo served-by-the-guest >/www/index.html &&
			httpd -f -v -p 80 -h /www 2>/tmp/httpd.log & i=0
			while ! grep -q response:200 /tmp/httpd.log && [ \$i -lt 600 ]; do
				sleep 0.2; i=\$((i + 1)); done; sleep 1; cat /tmp/httpd.log" >guest.out 2>&1 & } &&
	guest=$! && end=$(($(date +%s) + 300)) &&
	while kill -0 $guest 2>/dev/null && [ $(date +%s) -lt $end ]; do
		printf "GET /index.html HTTP/1.0\r\n\r\n" |
			socat -T 2 - TCP:127.0.0.1:$port >reply 2>/dev/null || :
		grep -q served-by-the-guest reply && break
		sleep 0.5
	done &&
	cat reply &&
	head -1 reply | grep -q "^HTTP/1.[01] 200" &&
	expect_eq "$(tail -1 reply)" served-by-the-guest &&
	wait &&
	cat guest.out && grep -q "10.0.2.2.*response:200" guest.out
'

test_expect_success 'bad --net and --forward words are usage errors' '
	expect_error "--net" "$MINOS" test --net wifi -- true &&
	expect_error "--forward" "$MINOS" test --net user --forward 80 -- true &&
	expect_error "--forward.*--net user" "$MINOS" test --net none --forward 8080:80 -- true
'

test_done
