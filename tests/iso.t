#!/bin/sh
# minos iso and minos ls on ISOs: what xorriso, fsck.fat and bsdtar see,
# reproducibility, the GRUB core cache, the size budget, Secure Boot's
# signed chain (what sbverify and mtools see) and every error path.
. "$(dirname "$0")/lib.sh"

K=$(kernel)
export MINOS_CACHE="$TMP/cache"
SHIM=/usr/lib/shim/shimx64.efi.signed
MOKMANAGER=/usr/lib/shim/mmx64.efi.signed
SIGNED_GRUB=/usr/lib/grub/x86_64-efi-signed/gcdx64.efi.signed

# ESP START SIZE: where the GPT's EFI partition is, in 512-byte sectors.
esp_extent() {
	xorriso -indev "$1" -report_system_area plain 2>/dev/null |
		awk '/^GPT partition path/ && $NF == "/boot/grub/efi.img" { n = $(NF-1) }
		     /^GPT start and size/ { start[$(NF-2)] = $(NF-1); size[$(NF-2)] = $NF }
		     END { print start[n], size[n] }'
}

test_expect_success 'minos iso --initrd writes an ISO; bsdtar lists and extracts it' '
	"$MINOS" initramfs -o initrd.img
	"$MINOS" iso -o a.iso --kernel "$K" --initrd initrd.img
	bsdtar -tf a.iso | sed "s|^\./||" | sort >names
	for f in boot/vmlinuz boot/initrd.img boot/grub/grub.cfg boot/grub/bios.img \
		boot/grub/efi.img; do grep -qx "$f" names; done
	bsdtar -xOf a.iso boot/vmlinuz | cmp - "$K"
	bsdtar -xOf a.iso boot/initrd.img | cmp - initrd.img
'

test_expect_success 'xorriso sees a BIOS and a UEFI El Torito entry, GRUB MBR and GPT' '
	xorriso -indev a.iso -report_el_torito plain -report_system_area plain >report 2>&1
	grep -E "^El Torito boot img : +1 +BIOS +y +none" report
	grep -E "^El Torito boot img : +2 +UEFI +y +none" report
	grep -E "^El Torito img opts : +1 +boot-info-table grub2-boot-info" report
	grep -E "^System area summary: MBR protective-msdos-label grub2-mbr .*GPT" report
	grep -E "^GPT partition path : +2 +/boot/grub/efi.img" report
	expect_absent "GPT backup problems" report
'

test_expect_success 'the ESP is clean for fsck.fat and holds BOOTX64.EFI and grub.cfg' '
	set -- $(esp_extent a.iso)
	[ "$2" -gt 0 ]
	dd if=a.iso of=esp.img bs=512 skip="$1" count="$2" status=none
	fsck.fat -n esp.img
	mdir -i esp.img -b ::/EFI/BOOT >esp.list
	grep -i "BOOTX64.EFI" esp.list
	mtype -i esp.img ::/BOOT/GRUB/GRUB.CFG >esp.cfg
	bsdtar -xOf a.iso boot/grub/grub.cfg | cmp - esp.cfg
'

# What grub.cfg must say for the --title and --cmdline given below.
cat >"$TMP/want.cfg" <<\EOF
set timeout=0
menuentry 'My "rescue" it'\''s' {
	echo 'Loading Linux ...'
	$linux /boot/vmlinuz 'console=ttyS0' 'quiet' 'init=/bin/sh'
	echo 'Loading initial ramdisk ...'
	$initrd /boot/initrd.img
	echo 'Starting Linux ...'
	set linux=linux16
	set initrd=initrd16
EOF

test_expect_success 'grub.cfg: title, timeout, command line, serial and screen' '
	"$MINOS" iso -o t.iso --kernel "$K" --initrd initrd.img --timeout 0 \
		--title "My \"rescue\" it'"'"'s" --cmdline "console=ttyS0  quiet init=/bin/sh"
	bsdtar -xOf t.iso boot/grub/grub.cfg >t.cfg
	cat t.cfg
	while IFS= read -r line; do grep -qFx -- "$line" t.cfg; done <want.cfg
	grep -Fx "serial --unit=0 --speed=115200" t.cfg
	grep -Fx "terminal_output console serial" t.cfg
	bsdtar -xOf a.iso boot/grub/grub.cfg >a.cfg
	grep -Fx "set timeout=5" a.cfg
	grep -F "linux /boot/vmlinuz '"'"'console=tty0'"'"' '"'"'console=ttyS0'"'"'" a.cfg
	marker=$(sed -n "s/^search .*--file //p" a.cfg)
	bsdtar -tf a.iso | sed "s|^\./||" | grep -x "${marker#/}"
'

test_expect_success 'two builds are byte-identical, whatever the input mtimes and inodes' '
	cp "$K" k1 && touch -d 2001-01-01 k1
	"$MINOS" iso -o r1.iso --kernel k1 --initrd initrd.img
	cp "$K" k2 && touch -d 2022-02-02 k2 && cp initrd.img i2 && sleep 1
	"$MINOS" iso -o r2.iso --kernel k2 --initrd i2
	ino() { stat -c %i "$1"; }
	# the kernel comes after the initrd in inode order once, before it once
	[ "$(ino k1)" -gt "$(ino initrd.img)" ] && [ "$(ino k2)" -lt "$(ino i2)" ]
	cmp r1.iso r2.iso
	cmp r1.iso a.iso
'

test_expect_success 'SOURCE_DATE_EPOCH sets every date; still reproducible' '
	SOURCE_DATE_EPOCH=1700000000 "$MINOS" iso -o s1.iso --kernel "$K" --initrd initrd.img
	SOURCE_DATE_EPOCH=1700000000 "$MINOS" iso -o s2.iso --kernel "$K" --initrd initrd.img
	cmp s1.iso s2.iso
	"$MINOS" ls s1.iso | grep -v "^#" | awk "{ print \$6, \$7 }" | sort -u >dates
	expect_eq "$(cat dates)" "2023-11-14 22:13"
	xorriso -indev s1.iso -pvd_info 2>/dev/null | grep -E "^Creation Time *: 20231114221320"
'

test_expect_success 'different contents get different GPT GUIDs and markers' '
	"$MINOS" iso -o d.iso --kernel "$K" --initrd initrd.img --title other
	guid() { xorriso -indev "$1" -report_system_area plain 2>/dev/null | grep "GPT disk GUID"; }
	[ "$(guid d.iso)" != "$(guid a.iso)" ]
	[ "$(bsdtar -tf d.iso | grep minos-)" != "$(bsdtar -tf a.iso | grep minos-)" ]
'

test_expect_success 'without --initrd it builds the initramfs from the same options' '
	"$MINOS" iso -o b.iso --kernel "$K" --add /etc/hostname:/etc/from-host
	bsdtar -xOf b.iso boot/initrd.img >b.initrd
	"$MINOS" ls b.initrd >b.list
	grep -E " etc/from-host$" b.list
	grep -E " init$" b.list
	grep -E " bin/busybox$" b.list
'

test_expect_success 'bytes beyond kernel and initrd: at most 1,000,000 (--secure-boot off)' '
	"$MINOS" iso -o off.iso --kernel "$K" --initrd initrd.img --secure-boot off
	extra=$(( $(stat -c %s off.iso) - $(stat -c %s "$K") - $(stat -c %s initrd.img) ))
	echo "overhead: $extra bytes"
	[ "$extra" -le 1000000 ]
	# under Secure Boot, only the signed binaries on top
	signed=$(cat $SHIM $MOKMANAGER $SIGNED_GRUB | wc -c)
	sb=$(( $(stat -c %s a.iso) - $(stat -c %s "$K") - $(stat -c %s initrd.img) ))
	echo "Secure Boot overhead: $sb bytes, $signed of them signed binaries"
	[ "$sb" -gt "$signed" ] && [ "$sb" -le $((signed + 1000000)) ]
'

test_expect_success 'minos ls lists the ISO and its El Torito entries' '
	"$MINOS" ls a.iso >ls.out
	cat ls.out
	grep -E "^-r--r--r-- +1 0 +0 +$(stat -c %s "$K") 1970-01-01 00:00 boot/vmlinuz$" ls.out
	grep -E "^dr-xr-xr-x .* boot/grub$" ls.out
	grep -Fx "# El Torito BIOS: boot/grub/bios.img (no emulation, loads 4 sectors)" ls.out
	grep -E "^# El Torito UEFI: boot/grub/efi.img \(no emulation, loads [0-9]+ sectors\)$" ls.out
'

# Secure Boot.  Debian's kernel is signed with a key shim trusts: the
# default ISO (a.iso) boots through the signed chain.
esp_of() {
	set -- "$1" $(esp_extent "$1")
	dd if="$1" of="$1.esp" bs=512 skip="$2" count="$3" status=none
	echo "$1.esp"
}

test_expect_success 'Secure Boot: the ESP holds Debian'"'"'s signed binaries unchanged, the BIOS side is untouched' '
	esp=$(esp_of a.iso)
	fsck.fat -n "$esp"
	mcopy -n -i "$esp" ::/EFI/BOOT/BOOTX64.EFI ::/EFI/BOOT/GRUBX64.EFI ::/EFI/BOOT/MMX64.EFI .
	cmp BOOTX64.EFI $SHIM
	cmp GRUBX64.EFI $SIGNED_GRUB
	cmp MMX64.EFI $MOKMANAGER
	bsdtar -xOf a.iso boot/grub/grub.cfg >a-iso.cfg
	mtype -i "$esp" ::/BOOT/GRUB/GRUB.CFG | cmp - a-iso.cfg
	! mdir -i "$esp" ::/MINOS.CER
	for f in boot/grub/bios.img boot/vmlinuz boot/initrd.img; do
		bsdtar -xOf a.iso "$f" >sb.f && bsdtar -xOf off.iso "$f" >off.f
		# but where each ISO patches its own block addresses into the BIOS
		# core: the boot-info-table (bytes 8-63), GRUB'"'"'s boot info (2548-2555)
		expect_eq "$(stat -c %s sb.f)" "$(stat -c %s off.f)"
		expect_eq "$(cmp -l sb.f off.f | awk "\$1 <= 8 || (\$1 > 64 && \$1 <= 2548) || \$1 > 2556")" ""
	done
	# the same menu, but for the marker: a hash of all the ISO boots
	bsdtar -xOf a.iso boot/grub/grub.cfg | sed "s/minos-[0-9a-f]*/minos-ID/" >sb.cfg
	bsdtar -xOf off.iso boot/grub/grub.cfg | sed "s/minos-[0-9a-f]*/minos-ID/" >off.cfg
	cmp sb.cfg off.cfg
	"$MINOS" iso -o on.iso --kernel "$K" --initrd initrd.img --secure-boot on
	cmp on.iso a.iso
'

test_expect_success 'Secure Boot: minos ls reads the signatures, as shim will' '
	"$MINOS" ls a.iso | grep "^# Secure Boot" >sb.ls
	cat sb.ls
	grep -x "# Secure Boot: EFI/BOOT/BOOTX64.EFI signed by .*Microsoft.* (shim)" sb.ls
	grep -x "# Secure Boot: EFI/BOOT/GRUBX64.EFI signed by .*Debian.*, trusted by shim" sb.ls
	grep -x "# Secure Boot: boot/vmlinuz signed by .*Debian.*, trusted by shim" sb.ls
	expect_eq "$(tail -1 sb.ls)" "# Secure Boot: ready"
	"$MINOS" ls off.iso | grep "^# Secure Boot" >off.ls
	expect_eq "$(cat off.ls)" "# Secure Boot: not ready: EFI/BOOT/BOOTX64.EFI is unsigned: the firmware refuses it"
'

test_expect_success 'Secure Boot: an unsigned kernel is an error with on, a warning and today'"'"'s image with auto' '
	cp "$K" unsigned.vmlinuz && sbattach --remove unsigned.vmlinuz
	! sbverify --list unsigned.vmlinuz | grep -q "^signature"
	expect_error "unsigned.vmlinuz: the kernel cannot boot under Secure Boot: unsigned; sign it with --sign-key and --sign-cert" \
		"$MINOS" iso -o u.iso --kernel unsigned.vmlinuz --initrd initrd.img --secure-boot on
	[ ! -e u.iso ]
	expect_eq "$(ls u.iso* 2>/dev/null)" ""
	"$MINOS" iso -o u.iso --kernel unsigned.vmlinuz --initrd initrd.img 2>err
	cat err
	expect_eq "$(cat err)" "minos: warning: unsigned.vmlinuz: the kernel cannot boot under Secure Boot: unsigned; the ISO boots without it"
	"$MINOS" iso -o u-off.iso --kernel unsigned.vmlinuz --initrd initrd.img --secure-boot off
	cmp u.iso u-off.iso
	"$MINOS" ls u.iso | grep -q "^# Secure Boot: not ready"
'

test_expect_success 'Secure Boot: --sign-key/--sign-cert sign the kernel (sbverify) and put the certificate on the ESP' '
	openssl req -x509 -newkey rsa:2048 -nodes -subj "/CN=minos test key" -days 3650 \
		-keyout test.key -out test.crt 2>/dev/null
	openssl x509 -in test.crt -outform DER -out test.der
	"$MINOS" iso -o own1.iso --kernel unsigned.vmlinuz --initrd initrd.img \
		--sign-key test.key --sign-cert test.crt --secure-boot on
	"$MINOS" iso -o own2.iso --kernel unsigned.vmlinuz --initrd initrd.img \
		--sign-key test.key --sign-cert test.der
	cmp own1.iso own2.iso
	xorriso -osirrox on -indev own1.iso -extract /boot/vmlinuz own.vmlinuz 2>/dev/null
	sbverify --cert test.crt own.vmlinuz
	! sbverify --cert test.crt unsigned.vmlinuz
	esp=$(esp_of own1.iso)
	mcopy -n -i "$esp" ::/MINOS.CER .
	cmp MINOS.CER test.der
	"$MINOS" ls own1.iso | grep "^# Secure Boot" >own.ls
	cat own.ls
	grep -x "# Secure Boot: boot/vmlinuz signed by /CN=minos test key, trusted once MINOS.CER is enrolled" own.ls
	expect_eq "$(tail -1 own.ls)" "# Secure Boot: ready once MINOS.CER is enrolled with the MOK manager"
	# Debian'"'"'s kernel keeps its own signature and gains the second
	"$MINOS" iso -o both.iso --kernel "$K" --initrd initrd.img --sign-key test.key --sign-cert test.crt
	xorriso -osirrox on -indev both.iso -extract /boot/vmlinuz both.vmlinuz 2>/dev/null
	expect_eq "$(sbverify --list both.vmlinuz 2>/dev/null | grep -c "^signature")" 2
	sbverify --cert test.crt both.vmlinuz
'

test_expect_success 'errors: --secure-boot and the signing options' '
	"$MINOS" iso -o e.iso --kernel "$K" --secure-boot maybe 2>err && false
	grep -x "minos: --secure-boot: .maybe.: expected auto, on or off" err
	"$MINOS" iso -o e.iso --kernel "$K" --sign-key test.key 2>err && false
	grep -x "minos: --sign-key: needs --sign-cert too" err
	"$MINOS" iso -o e.iso --kernel "$K" --sign-cert test.crt 2>err && false
	grep -x "minos: --sign-cert: needs --sign-key too" err
	"$MINOS" iso -o e.iso --kernel "$K" --sign-key test.key --sign-cert test.crt \
		--secure-boot off 2>err && false
	grep -x "minos: --sign-key: signs for Secure Boot: not with --secure-boot off" err
	openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=other -days 1 -keyout other.key \
		-out other.crt 2>/dev/null
	expect_error "other.key: is not the key of test.crt" "$MINOS" iso -o e.iso \
		--kernel unsigned.vmlinuz --initrd initrd.img --sign-key other.key --sign-cert test.crt
	expect_error "nokey: cannot open" "$MINOS" iso -o e.iso \
		--kernel unsigned.vmlinuz --initrd initrd.img --sign-key nokey --sign-cert test.crt
	echo hello >notcert
	expect_error "notcert: not an X.509 certificate" "$MINOS" iso -o e.iso \
		--kernel unsigned.vmlinuz --initrd initrd.img --sign-key test.key --sign-cert notcert
	expect_eq "$(ls e.iso* 2>/dev/null)" ""
'

test_expect_success 'GRUB cores are cached: a later build does not run grub-mkimage' '
	ls cache/grub >cached
	grep -E "^i386-pc-[0-9a-f]{16}\.img$" cached
	grep -E "^x86_64-efi-[0-9a-f]{16}\.img$" cached
	mkdir -p fakebin
	printf "#!/bin/sh\nexit 1\n" >fakebin/grub-mkimage
	chmod +x fakebin/grub-mkimage
	PATH="$PWD/fakebin:$PATH" "$MINOS" iso -o c.iso --kernel "$K" --initrd initrd.img
	cmp c.iso a.iso
	expect_error "grub-mkimage: failed making the BIOS core image" \
		env PATH="$PWD/fakebin:$PATH" MINOS_CACHE="$PWD/empty-cache" \
		"$MINOS" iso -o nocache.iso --kernel "$K" --initrd initrd.img
	[ ! -e nocache.iso ]
'

test_expect_success 'errors: not a kernel, not an initramfs, both --initrd and builder options' '
	cp /etc/hostname notkernel
	expect_error "notkernel: not a Linux kernel image" \
		"$MINOS" iso -o e.iso --kernel notkernel --initrd initrd.img
	expect_error "notinitrd: .*not an initramfs" \
		sh -c "cp /etc/hostname notinitrd && \"\$0\" iso -o e.iso --kernel \"\$1\" --initrd notinitrd" "$MINOS" "$K"
	"$MINOS" iso -o e.iso --kernel "$K" --initrd initrd.img --add /etc/hostname 2>err && false
	grep -- "--initrd" err
	expect_error "--label" "$MINOS" iso -o e.iso --kernel "$K" --initrd initrd.img --label "a b"
	"$MINOS" iso -o e.iso --kernel "$K" --timeout soon 2>err && false
	grep -- "^minos: --timeout: .soon. is not" err
	[ ! -e e.iso ]
'


test_expect_success 'errors: a missing GRUB platform names its Debian package' '
	mkdir -p onlybios && ln -s /usr/lib/grub/i386-pc onlybios/i386-pc
	expect_error "grub-efi-amd64-bin" env MINOS_GRUB_DIR="$PWD/onlybios" \
		MINOS_CACHE="$PWD/cache2" "$MINOS" iso -o p.iso --kernel "$K" --initrd initrd.img \
		--secure-boot off
	expect_error "on: .*grub-efi-amd64-signed" env MINOS_GRUB_DIR="$PWD/onlybios" \
		"$MINOS" iso -o p.iso --kernel "$K" --initrd initrd.img --secure-boot on
	mkdir -p onlyefi && ln -s /usr/lib/grub/x86_64-efi onlyefi/x86_64-efi
	expect_error "grub-pc-bin" env MINOS_GRUB_DIR="$PWD/onlyefi" \
		"$MINOS" iso -o p.iso --kernel "$K" --initrd initrd.img --secure-boot off
	[ ! -e p.iso ]
'

test_expect_success 'errors: an unwritable output leaves nothing behind' '
	mkdir out && touch out/file
	expect_error "out/file/x.iso" "$MINOS" iso -o out/file/x.iso --kernel "$K" --initrd initrd.img
	expect_eq "$(ls -A out)" file
	expect_error "/proc/x.iso" "$MINOS" iso -o /proc/x.iso --kernel "$K" --initrd initrd.img
'

test_done
