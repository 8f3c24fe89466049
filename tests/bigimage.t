#!/bin/sh
# minos ls on initramfs images as large as distributions make them (with
# firmware, 100 MB and more): listed with the default limits, in every
# compression and in segments, the file mapped and its archives read as they
# unpack, so the reader's own memory stays small (under --max-memory 16).
. "$(dirname "$0")/lib.sh"

# ls_big IMG [LS OPTIONS]: lists IMG; it must hold the 100 MB file.
ls_big() {
	img=$1; shift
	"$MINOS" ls "$@" "$img" >"$img.ls"
	grep -q "^-rw-r--r-- .* 104857600 .* lib/firmware/big.bin\$" "$img.ls"
}

test_expect_success 'setup: 100 MB of firmware that does not compress' '
	head -c 104857600 /dev/urandom >big.bin
	printf "early\n" >early
	"$MINOS" initramfs --add big.bin:/lib/firmware/big.bin -o big.zst
	[ $(wc -c <big.zst) -gt 100000000 ]
'

test_expect_success 'a 100 MB zstd initramfs (the default) is listed with the default limits' '
	ls_big big.zst
	grep -q " init\$" big.zst.ls
	grep -q " bin/busybox\$" big.zst.ls
'

test_expect_success 'and uncompressed, gzip, xz and lz4: the same listing' '
	"$MINOS" initramfs --add big.bin:/lib/firmware/big.bin -o big.none --compress none
	"$MINOS" initramfs --add big.bin:/lib/firmware/big.bin -o big.gzip --compress gzip --level 1
	"$MINOS" initramfs --add big.bin:/lib/firmware/big.bin -o big.xz --compress xz --level 0
	"$MINOS" initramfs --add big.bin:/lib/firmware/big.bin -o big.lz4 --compress lz4 --level 1
	for c in none gzip xz lz4; do
		ls_big big.$c
		test_cmp big.zst.ls big.$c.ls
	done
'

test_expect_success 'the reader holds none of it: all list under --max-memory 16' '
	for c in zst none gzip xz lz4; do
		ls_big big.$c --max-memory 16
	done
'

test_expect_success 'segments: an early cpio, the 100 MB zstd one, a gzip one' '
	"$MINOS" initramfs --bare --add early:/kernel/x86/microcode/early -o early.cpio --compress none
	"$MINOS" initramfs --bare --add early:/etc/late -o late.gz --compress gzip
	cat early.cpio big.zst late.gz >segments.img
	ls_big segments.img
	grep -q " kernel/x86/microcode/early\$" segments.img.ls
	grep -q "^# segment 2 at offset $(wc -c <early.cpio): zstd\$" segments.img.ls
	grep -q "^# segment 3 at offset $(($(wc -c <early.cpio) + $(wc -c <big.zst))): gzip\$" segments.img.ls
	expect_eq "$(grep -v "^#" segments.img.ls | tail -1 | sed "s/.* //")" etc/late
'

test_expect_success 'an archive that unpacks to 300 MB (64 MiB was the limit) is listed' '
	yes "a line of a firmware blob that compresses well" | head -c 314572800 >big.txt
	"$MINOS" initramfs --bare --add big.txt:/lib/firmware/big.txt -o txt.zst --level 3
	[ $(wc -c <txt.zst) -lt 10000000 ]
	"$MINOS" ls txt.zst >txt.ls
	grep -q " 314572800 .* lib/firmware/big.txt\$" txt.ls
'

test_done
