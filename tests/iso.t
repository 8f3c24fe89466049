#!/bin/sh
# minos iso and minos ls on ISOs: what xorriso, fsck.fat and bsdtar see,
# reproducibility, the GRUB core cache, the size budget and every error path.
. "$(dirname "$0")/lib.sh"

K=$(kernel)
export MINOS_CACHE="$TMP/cache"

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

test_expect_success 'bytes beyond kernel and initrd: at most 1,000,000' '
	extra=$(( $(stat -c %s a.iso) - $(stat -c %s "$K") - $(stat -c %s initrd.img) ))
	echo "overhead: $extra bytes"
	[ "$extra" -le 1000000 ]
'

test_expect_success 'minos ls lists the ISO and its El Torito entries' '
	"$MINOS" ls a.iso >ls.out
	cat ls.out
	grep -E "^-r--r--r-- +1 0 +0 +$(stat -c %s "$K") 1970-01-01 00:00 boot/vmlinuz$" ls.out
	grep -E "^dr-xr-xr-x .* boot/grub$" ls.out
	grep -Fx "# El Torito BIOS: boot/grub/bios.img (no emulation, loads 4 sectors)" ls.out
	grep -E "^# El Torito UEFI: boot/grub/efi.img \(no emulation, loads [0-9]+ sectors\)$" ls.out
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
	expect_error "notkernel: not an x86 Linux kernel image" \
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
		MINOS_CACHE="$PWD/cache2" "$MINOS" iso -o p.iso --kernel "$K" --initrd initrd.img
	mkdir -p onlyefi && ln -s /usr/lib/grub/x86_64-efi onlyefi/x86_64-efi
	expect_error "grub-pc-bin" env MINOS_GRUB_DIR="$PWD/onlyefi" \
		"$MINOS" iso -o p.iso --kernel "$K" --initrd initrd.img
	[ ! -e p.iso ]
'

test_expect_success 'errors: an unwritable output leaves nothing behind' '
	mkdir out && touch out/file
	expect_error "out/file/x.iso" "$MINOS" iso -o out/file/x.iso --kernel "$K" --initrd initrd.img
	expect_eq "$(ls -A out)" file
	expect_error "/proc/x.iso" "$MINOS" iso -o /proc/x.iso --kernel "$K" --initrd initrd.img
'

test_done
