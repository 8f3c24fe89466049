#!/bin/sh
# minos test --timeline: an SVG a browser shows as is (xmllint), with every
# stage the boot went through, in order, for --kernel boots (through the PVH
# entry, the vmlinux extracted or cached, and as a bzImage) and for --iso
# boots; the same table on stderr with --verbose.
. "$(dirname "$0")/../lib.sh"

K=$(kernel)

# stages FILE.svg: "key start end" per bar, in document order.
stages() {
	xmllint --xpath '//*[local-name()="g"][@class="stage"]/@*[local-name()!="class"]' "$1" |
		tr ' ' '\n' | sed -n 's/^data-[a-z-]*="\(.*\)"$/\1/p' | paste -d ' ' - - -
}

# check FILE.svg KEY...: well-formed, exactly these stages in this order,
# each beginning where the one before ended, none ending before it begins.
check() {
	svg=$1; shift
	xmllint --noout "$svg"
	stages "$svg" >stages.txt
	cat stages.txt
	expect_eq "$(cut -d' ' -f1 stages.txt | tr '\n' ' ')" "$* "
	awk 'NR > 1 && $2 != end { print "gap before " $1; bad = 1 }
	     $3 < $2 { print $1 " ends before it begins"; bad = 1 }
	     { end = $3 } END { exit bad }' stages.txt
}

test_expect_success 'setup' '
	"$MINOS" initramfs -o "$TMP/default.img" --kernel "$K"
	"$MINOS" iso -o "$TMP/minos.iso" --kernel "$K" --initrd "$TMP/default.img" --timeout 0
'

test_expect_success '--kernel, first boot: extraction, initramfs, PVH entry, kernel, init...' '
	MINOS_CACHE=$TMP/cache "$MINOS" test --kernel "$K" --timeline pvh.svg -- true 2>pvh.err
	cat pvh.err
	check pvh.svg host extract initramfs firmware kernel init command poweroff
	grep -q ">minos: vmlinux out of the bzImage</text>" pvh.svg
	grep -q ">QEMU, firmware, PVH entry</text>" pvh.svg
	grep -q ">kernel: start (PVH)</text>" pvh.svg
	grep -q "kernel: PVH entry, vmlinux extracted now" pvh.err
'

test_expect_success '--kernel, next boot: no extraction, the initramfs from the cache' '
	MINOS_CACHE=$TMP/cache "$MINOS" test --kernel "$K" --timeline pvh2.svg -- true 2>pvh2.err
	check pvh2.svg host initramfs firmware kernel init command poweroff
	grep -q "kernel: PVH entry, vmlinux from the cache; initramfs from the cache" pvh2.err
'

test_expect_success '--boot bzimage: firmware, decompression, kernel, minos-init, command, poweroff' '
	"$MINOS" test --kernel "$K" --boot bzimage --initrd default.img --timeline k.svg --verbose \
		-- sh -c "exit 3" 2>k.err || rc=$?
	expect_eq "${rc:-0}" 3
	check k.svg host firmware decompress kernel init command poweroff
	grep -F "earlyprintk=serial" k.err
	grep -q ">kernel: decompression</text>" k.svg
'

test_expect_success '--verbose prints the same stages as the SVG, in the same order' '
	sed -n "s/^minos: *[0-9.]*  \(.*[^ ]\)  *[0-9.]* m\{0,1\}s$/\1/p" k.err >labels.txt
	cat labels.txt
	expect_eq "$(tr "\n" "|" <labels.txt)" "minos (host)|firmware|kernel: decompression|kernel: start|minos-init|test command|poweroff|"
	grep -q "QEMU exited" k.err
'

test_expect_success '--iso (SeaBIOS, CD): GRUB reading the kernel and the initrd too' '
	"$MINOS" test --iso minos.iso --timeline iso.svg -- true
	check iso.svg host firmware bootloader load-kernel load-initrd decompress kernel init command poweroff
	grep -q ">kernel: decompression, early start</text>" iso.svg
'

test_expect_success '--uefi --iso: the same stages after OVMF' '
	"$MINOS" test --uefi --iso minos.iso --timeline efi.svg -- true
	check efi.svg host firmware bootloader load-kernel load-initrd decompress kernel init command poweroff
	grep -q "OVMF" efi.svg
'

test_expect_success 'an unwritable --timeline fails before booting, one line, status 125' '
	set +e
	"$MINOS" test --kernel "$K" --initrd default.img --timeline /nonexistent/t.svg -- true 2>err
	rc=$?
	set -e
	cat err
	expect_eq "$rc $(wc -l <err)" "125 1"
	grep -q "/nonexistent/t.svg: cannot create" err
'

test_done
