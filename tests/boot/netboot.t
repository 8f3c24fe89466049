#!/bin/sh
# minos netboot: the directory, its loaders and dnsmasq configuration, and
# booting it: QEMU's TFTP under SeaBIOS and OVMF (iPXE's script, GRUB's
# loaders), HTTP from nginx, dnsmasq as proxy DHCP beside a plain DHCP
# server on a bridge in a private network namespace, and a fleet of eight.
. "$(dirname "$0")/../lib.sh"
trap 'nginx_stop; rm -rf "$TMP"' EXIT

K=$(kernel)

test_expect_success 'setup' '
	"$MINOS" netboot -o "$TMP/nb" --kernel "$K" 2>err && cat err
'

test_expect_success 'the directory: kernel, initrd, both GRUB loaders, the script, dnsmasq.conf, README' '
	cd nb && find . -type f | sort >../files && cd .. &&
	printf "%s\n" ./.minos-netboot ./README ./boot.ipxe ./dnsmasq.conf ./grub/bootx64.efi \
		./grub/core.0 ./grub/grub.cfg ./initrd.img ./vmlinuz >want &&
	test_cmp want files &&
	cmp nb/vmlinuz "$K" &&
	file nb/grub/bootx64.efi | grep -q "PE32+ executable (EFI application) x86-64" &&
	grep -q "^kernel vmlinuz initrd=initrd.img console=tty0 console=ttyS0$" nb/boot.ipxe &&
	grep -q "^initrd initrd.img$" nb/boot.ipxe &&
	grep -q "linux /vmlinuz .console=tty0. .console=ttyS0." nb/grub/grub.cfg &&
	grep -q "^tftp-root=$TMP/nb$" nb/dnsmasq.conf &&
	dnsmasq --test --conf-file=nb/dnsmasq.conf 2>&1 | grep -q "syntax check OK" &&
	# the initramfs reads back as the kernel reads it
	"$MINOS" ls nb/initrd.img | grep -q " init$" &&
	"$MINOS" ls nb >ls.out && cat ls.out &&
	grep -q "^# minos netboot directory: kernel .*, command line: console=tty0 console=ttyS0$" ls.out &&
	grep -q "^# serves: BIOS PXE clients (grub/core.0), UEFI PXE clients (grub/bootx64.efi), iPXE clients (boot.ipxe, TFTP)$" ls.out
'

test_expect_success 'the loaders hold only the modules they need' '
	# grub-mkimage with exactly these modules gives the same bytes: the
	# firmware'"'"'s network (pxe, efinet), tftp, the menu, the loader, the
	# serial console; nothing of the ISO'"'"'s disks and filesystems
	G=/usr/lib/grub &&
	grub-mkimage -d $G/i386-pc -O i386-pc-pxe -p /grub -o core.0 \
		pxe tftp normal linux16 serial terminal echo test &&
	grub-mkimage -d $G/x86_64-efi -O x86_64-efi -p /grub -o bootx64.efi \
		efinet tftp normal linux serial terminal efi_gop echo test &&
	cmp core.0 nb/grub/core.0 && cmp bootx64.efi nb/grub/bootx64.efi
'

test_expect_success 'two builds are byte-identical; a rebuild replaces the directory whole' '
	export SOURCE_DATE_EPOCH=1700000000 &&
	"$MINOS" netboot -o r --kernel "$K" --drivers none 2>/dev/null && cp -a r r.first &&
	touch r/stale &&
	"$MINOS" netboot -o r --kernel "$K" --drivers none 2>/dev/null &&
	diff -r r.first r && [ ! -e r/stale ] &&
	ls -d r* >dirs && expect_eq "$(cat dirs)" "r
r.first"
'

test_expect_success 'bad input: a directory not minos netboot'"'"'s is never emptied; bad --http; ls' '
	mkdir -p precious && echo keep >precious/file &&
	expect_error "precious: exists and is not a minos netboot directory" \
		"$MINOS" netboot -o precious --kernel "$K" &&
	expect_eq "$(ls precious)" file && expect_eq "$(cat precious/file)" keep &&
	touch afile &&
	expect_error "afile: exists and is not a directory" "$MINOS" netboot -o afile --kernel "$K" &&
	ln -s nb link && expect_error "link: is a symbolic link" "$MINOS" netboot -o link --kernel "$K" &&
	expect_error "--http: .ftp://x/.: not an http:// URL" \
		"$MINOS" netboot -o new --kernel "$K" --http ftp://x/ &&
	expect_error "--http: .http:// .: not an http:// URL" \
		"$MINOS" netboot -o new --kernel "$K" --http "http:// " &&
	[ ! -e new ] && expect_eq "$(ls -d new* 2>/dev/null)" "" &&
	mkdir -p empty && "$MINOS" netboot -o empty --kernel "$K" --drivers none 2>/dev/null &&
	[ -f empty/.minos-netboot ] &&
	expect_error "precious: a directory, but not one minos netboot wrote" "$MINOS" ls precious &&
	expect_error "precious: not a minos netboot directory" "$MINOS" test --netboot precious -- true &&
	expect_error "--pxe: is for --netboot" "$MINOS" test --pxe -- true &&
	expect_error "--netboot: boots over the user-mode network" \
		"$MINOS" test --netboot nb --net none -- true &&
	printf "minos netboot 1\nkernel \033[31mred\n" >empty/.minos-netboot &&
	expect_error "empty/.minos-netboot: line 2: a control byte" "$MINOS" ls empty
'

# test_netboot WHAT [RUN OPTIONS]: boots nb, runs a command, checks its
# status and output; the command line tells which loader started Linux.
test_netboot() {
	rc=0 && "$MINOS" test --netboot "${DIR:-nb}" "$@" -- sh -c "cat /proc/cmdline; exit 7" \
		>out 2>err || rc=$?
	cat out err
	expect_eq "$rc" 7
}

test_expect_success 'SeaBIOS over TFTP: QEMU'"'"'s iPXE ROM runs boot.ipxe' '
	test_netboot && grep -q "^initrd=initrd.img console=tty0 console=ttyS0" out
'

test_expect_success 'SeaBIOS over TFTP, --pxe: GRUB'"'"'s PXE loader' '
	test_netboot --pxe && grep -q "^BOOT_IMAGE=/vmlinuz console=tty0 console=ttyS0" out
'

test_expect_success 'OVMF over TFTP: iPXE'"'"'s UEFI driver runs boot.ipxe (initrd= for the EFI stub)' '
	test_netboot --uefi && grep -q "initrd=initrd.img console=tty0 console=ttyS0" out
'

test_expect_success 'OVMF over TFTP, --pxe: OVMF'"'"'s own PXE, GRUB'"'"'s UEFI loader' '
	test_netboot --uefi --pxe && grep -q "^BOOT_IMAGE=/vmlinuz console=tty0 console=ttyS0" out
'

test_expect_success 'HTTP: the script from TFTP, the kernel and initrd from nginx, SeaBIOS and OVMF' '
	nginx_start "$TMP/hd" &&
	"$MINOS" netboot -o hd --kernel "$K" --http "http://10.0.2.2:$NGINX_PORT" 2>/dev/null &&
	grep -q "^kernel http://10.0.2.2:$NGINX_PORT/vmlinuz initrd=initrd.img " hd/boot.ipxe &&
	"$MINOS" ls hd | grep -q "iPXE clients (boot.ipxe, HTTP)" &&
	DIR=hd test_netboot &&
	DIR=hd test_netboot --uefi &&
	cat nginx/access.log &&
	expect_eq "$(grep -c "\"GET /vmlinuz HTTP/1.1\" 200 $(stat -c %s hd/vmlinuz) .*iPXE" nginx/access.log)" 2 &&
	expect_eq "$(grep -c "\"GET /initrd.img HTTP/1.1\" 200 $(stat -c %s hd/initrd.img) .*iPXE" nginx/access.log)" 2 &&
	nginx_stop
'

test_expect_success 'dnsmasq.conf as proxy DHCP beside a plain DHCP server, in a private network' '
	# a bridge and a tap in a new network namespace: the host'"'"'s network
	# is not touched; one dnsmasq hands out addresses, the other is ours
	cat >ns.sh <<-EOF &&
	set -e
	ip link set lo up
	ip link add br0 type bridge
	ip addr add 10.33.0.1/24 dev br0
	ip link set br0 up
	ip tuntap add tap0 mode tap
	ip link set tap0 master br0
	ip link set tap0 up
	dnsmasq --no-daemon --conf-file=/dev/null --port=0 --interface=br0 --bind-interfaces \
		--dhcp-range=10.33.0.100,10.33.0.150,1h --dhcp-leasefile=$TMP/leases --pid-file= \
		--log-facility=$TMP/plain.log 2>/dev/null &
	plain=\$!
	dnsmasq --no-daemon --conf-file=$TMP/nb/dnsmasq.conf --interface=br0 --bind-interfaces \
		--dhcp-range=10.33.0.0,proxy --pid-file= --log-facility=$TMP/proxy.log 2>/dev/null &
	proxy=\$!
	for m in "--uefi --pxe" ""; do
		rc=0
		"$MINOS" test --netboot $TMP/nb --net tap:tap0 \$m -- sh -c "
			i=0; while ! ip -4 addr show dev eth0 | grep -q inet && [ \\\$i -lt 120 ]; do
				sleep 0.5; i=\\\$((i + 1)); done
			ip -4 addr show dev eth0 | grep -o \"inet [0-9.]*\"; exit 3" || rc=\$?
		echo "status \$rc"
	done
	kill \$plain \$proxy
	EOF
	unshare -rn sh ns.sh >out 2>err || { cat err; false; } &&
	cat out && grep -v "^minos: accel" err || : &&
	expect_eq "$(grep -c "^inet 10.33.0.1[0-5][0-9]$" out) $(grep -c "^status 3$" out)" "2 2" &&
	grep -q "DHCPACK(br0) 10.33.0.1[0-5][0-9]" plain.log &&
	grep -q "sent $TMP/nb/grub/bootx64.efi to 10.33.0.1" proxy.log &&
	grep -q "bootfile name: boot.ipxe" proxy.log &&
	grep -q "sent $TMP/nb/boot.ipxe to 10.33.0.1" proxy.log &&
	expect_eq "$(grep -c "sent $TMP/nb/vmlinuz to 10.33.0.1" proxy.log)" 2
'

test_expect_success 'a fleet: eight guests at once from one nginx, all report' '
	nginx_start "$TMP/hd" &&
	"$MINOS" netboot -o hd --kernel "$K" --http "http://10.0.2.2:$NGINX_PORT" 2>/dev/null &&
	# niced: the boot tests running beside this one keep their share of the CPU
	for i in 1 2 3 4 5 6 7 8; do
		nice -n 10 "$MINOS" test --netboot hd --memory 256 -- sh -c "echo guest-$i reporting" \
			>fleet.$i 2>fleet.$i.err &
	done &&
	wait &&
	cat fleet.? &&
	expect_eq "$(cat fleet.? | grep -c "^guest-[1-8] reporting$")" 8 &&
	expect_eq "$(grep -c "GET /initrd.img HTTP/1.1\" 200" nginx/access.log)" 8 &&
	nginx_stop
'

test_done
