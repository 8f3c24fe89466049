#!/bin/sh
# Hostile input and hostile surroundings: what minos ls, minos initramfs and
# -o do with files made to hurt them.  Each test here failed before the fix
# it guards (under the sanitized build that make check also runs).
. "$(dirname "$0")/lib.sh"

# newc NAME MODE DATA [NAME MODE DATA]...: a newc archive with its trailer.
newc() {
	perl -e '
		my $ino = 1;
		sub pad { my $n = shift; "\0" x ((4 - $n % 4) % 4) }
		sub entry {
			my ($name, $mode, $data) = @_;
			my $h = sprintf("070701" . "%08X" x 13, $ino++, $mode, 0, 0, 1, 0,
					length($data), 0, 0, 0, 0, length($name) + 1, 0) . "$name\0";
			print $h, pad(length $h), $data, pad(length $data);
		}
		while (@ARGV) { my ($n, $m, $d) = splice(@ARGV, 0, 3); entry($n, oct($m), $d) }
		entry("TRAILER!!!", 0, "");
	' -- "$@"
}

# rle_zst BLOCKS: a zstd frame of RLE blocks, each 128 KiB of zeros (4 bytes each).
rle_zst() {
	perl -e "binmode STDOUT; print pack(\"V\", 0xFD2FB528), \"\\0\\x38\";
		for my \$i (1..\$ARGV[0]) {
			print substr(pack(\"V\", 131072 << 3 | 2 | (\$i == \$ARGV[0])), 0, 3), \"\\0\" }" "$1"
}

test_expect_success 'setup' '
	printf "hello\n" >hello
	"$MINOS" initramfs --bare --add hello:/etc/hello -o base.img --compress none
'

test_expect_success 'ls: a 2 GiB symlink goes past unheld, named by its size; a lower unpack limit stops it' '
	{
		perl -e "printf(\"070701\" . \"%08X\" x 13 . \"big\\0\\0\\0\", 1, 0120777, 0, 0, 1, 0,
			0x80000000, 0, 0, 0, 0, 4, 0)"
		head -c 2147483648 /dev/zero
		perl -e "print \"070701\" . \"0\" x 88 . \"0000000B\" . \"0\" x 8 . \"TRAILER!!!\\0\\0\\0\\0\""
	} | zstd -q -1 >biglink.zst
	[ $(wc -c <biglink.zst) -lt 200000 ]
	"$MINOS" ls biglink.zst >out
	cat out
	expect_eq "$(wc -l <out)" 1
	grep -q "^lrwxrwxrwx .* big -> (a target of 2147483648 bytes, over PATH_MAX: the kernel skips it)\$" out
	expect_error "unpacks to more than 1024 MiB, the limit; raise it with --max-memory" \
		"$MINOS" ls --max-memory 64 biglink.zst
	[ $(wc -c <"$TMP/.stdout") -lt 1000 ]
'

test_expect_success 'ls: a name longer than PATH_MAX is measured, not held or printed' '
	newc "$(head -c 5000 /dev/zero | tr "\0" n)" 0100644 x >longname.cpio
	"$MINOS" ls longname.cpio >out
	grep -q " (a name of 5001 bytes, over PATH_MAX: the kernel skips it)\$" out
	[ $(wc -c <out) -lt 200 ]
	zstd -q <longname.cpio >longname.zst
	"$MINOS" ls longname.zst >out.zst
	test_cmp out out.zst
'

test_expect_success 'ls: a link target longer than PATH_MAX is named, not printed' '
	newc long 0120777 "$(head -c 5000 /dev/zero | tr "\0" a)" >long.cpio
	"$MINOS" ls long.cpio >out
	grep -q "long -> (a target of 5000 bytes, over PATH_MAX: the kernel skips it)" out
	[ $(wc -c <out) -lt 200 ]
'

test_expect_success 'ls: control bytes, backslashes and newlines in names and targets are escaped' '
	newc "$(printf "a\nfake")" 0100644 "" "$(printf "\033[31mred")" 0120777 "$(printf "x\ty\\\\")" \
		"$(printf "bad\377utf8 caf\303\251")" 0100644 "" >esc.cpio
	"$MINOS" ls esc.cpio >out
	cat out
	expect_eq "$(wc -l <out)" 3
	grep -q " a\\\\nfake\$" out
	grep -q " \\\\033\[31mred -> x\\\\ty\\\\\\\\\$" out
	grep -q " bad\\\\377utf8 caf.*\$" out
	LC_ALL=C grep -q "caf$(printf "\303\251")\$" out
	expect_absent "$(printf "\033")" out
'

test_expect_success 'ls: xz asking for a 1.5 GiB dictionary hits the window limit' '
	newc f 0100644 x | xz --check=crc32 --lzma2=dict=1536MiB >dict.xz
	[ $(wc -c <dict.xz) -lt 400 ]
	expect_error "this xz data needs 1537 MiB of memory, over the 128 MiB limit; raise it with --max-memory" \
		"$MINOS" ls dict.xz
'

test_expect_success 'ls: a valid xz archive under a small --max-memory names the limit, not damage' '
	"$MINOS" initramfs --bare --add hello:/etc/hello -o level9.xz --compress xz --level 9
	"$MINOS" ls level9.xz >/dev/null
	expect_error "needs 65 MiB of memory, over the 32 MiB limit" "$MINOS" ls --max-memory 64 level9.xz
	expect_absent "damaged" "$TMP/.stderr"
	MINOS_MAX_MEMORY=64 "$MINOS" ls --max-memory 256 level9.xz >/dev/null
'

test_expect_success 'ls: the lz4 magic with no block after it is an error' '
	printf "\002\041\114\030" >magic.lz4
	expect_error "lz4 magic with no data after it" "$MINOS" ls magic.lz4
	newc f 0100644 x | lz4 -q -l >good.lz4
	cat magic.lz4 >>good.lz4
	"$MINOS" ls good.lz4 | grep -q " f\$"
'

test_expect_success 'ls: /dev/zero, a FIFO and a directory minos netboot did not write are refused at once' '
	expect_error "/dev/zero: is not a regular file" "$MINOS" ls /dev/zero
	mkfifo fifo
	expect_error "fifo: is not a regular file" "$MINOS" ls fifo
	expect_error ".: a directory, but not one minos netboot wrote" "$MINOS" ls .
'

test_expect_success 'ls: zstd, gzip, xz and lz4 bombs stop at the unpack limit' '
	head -c 1073741824 /dev/zero | zstd -q -1 >bomb.zst
	head -c 1073741824 /dev/zero | gzip -1 >bomb.gz
	head -c 1073741824 /dev/zero | lz4 -q -l -1 >bomb.lz4
	head -c 1073741824 /dev/zero | xz -1 --check=crc32 >bomb.xz
	for b in zst gz lz4 xz; do
		expect_error "offset 0: unpacks to more than 512 MiB, the limit; raise it with --max-memory" \
			"$MINOS" ls --max-memory 32 bomb.$b
	done
	expect_error "offset 0: unpacks to more than 256 MiB, the limit" "$MINOS" ls --max-memory 16 bomb.gz
'

test_expect_success 'ls: with the default limits, a bomb stops at 4 GiB unpacked, and so do bombs in a row' '
	rle_zst 40960 >rle.zst	# 160 KB to 5 GiB
	[ $(wc -c <rle.zst) -lt 200000 ]
	expect_error "rle.zst: offset 0: unpacks to more than 4096 MiB, the limit; raise it with --max-memory" \
		"$MINOS" ls rle.zst
	# the limit is of the whole file: 1 GiB bombs back to back stop in the fifth
	rle_zst 8192 >gib.zst
	cat gib.zst gib.zst gib.zst gib.zst gib.zst >bombs.zst
	expect_error "bombs.zst: offset $((4 * $(wc -c <gib.zst))): unpacks to more than 4096 MiB with what came before it, the limit" \
		"$MINOS" ls bombs.zst
'

test_expect_success 'ls: a file of any size is mapped, not read into the memory limit; the time limit ends a huge one' '
	head -c 40000000 /dev/zero >big.img
	expect_error "big.img: holds only zero bytes, not an initramfs" "$MINOS" ls --max-memory 4 big.img
	truncate -s 1T huge.img
	expect_error "huge.img: the time limit of 1 s was hit; raise it with --max-time or MINOS_MAX_TIME" \
		"$MINOS" ls --max-time 1 huge.img
	rm huge.img
	expect_error "MINOS_MAX_TIME: .soon. is not a whole number" env MINOS_MAX_TIME=soon "$MINOS" ls big.img
	status=0; "$MINOS" ls --max-memory 0 big.img 2>err || status=$?
	expect_eq $status 2
	grep -q "^minos: --max-memory: .0. is not a whole number from 1 to" err
'

test_expect_success 'ls: a reader that needs more memory than the limit names the limit' '
	# the sanitized build sets no memory limit: ASan reserves terabytes for itself
	if grep -qa __asan_init "$MINOS"; then exit 0; fi
	newc f 0100644 x | lz4 -q -l >small.lz4
	"$MINOS" ls small.lz4 >/dev/null
	# the lz4 reader takes a block of 8 MiB, legacy lz4 blocks being that large
	expect_error "small.lz4: the memory limit of 4 MiB was hit; raise it with --max-memory or MINOS_MAX_MEMORY" \
		"$MINOS" ls --max-memory 4 small.lz4
'

test_expect_success 'ls: a reader killed by a signal of neither limit is said to be, the limits not blamed' '
	truncate -s 1T slow.img
	"$MINOS" ls --max-time 120 slow.img >out 2>err &
	pid=$!
	i=0
	until reader=$(pgrep -P $pid); do
		i=$((i + 1)); [ $i -lt 500 ] || { echo "no reader"; false; }
		sleep 0.01
	done
	# as the kernel'"'"'s OOM killer would: SIGKILL, but not the time limit'"'"'s
	kill -KILL $reader
	status=0; wait $pid || status=$?
	rm slow.img
	cat err
	expect_eq $status 1
	expect_eq "$(cat err)" "minos: slow.img: the reader died of Killed"
'

test_expect_success 'ls: an ISO whose directory record points back at the root is refused' '
	mkdir -p isotree/a/b && echo x >isotree/a/b/f
	xorriso -as mkisofs -quiet -R -J -o loop.iso isotree 2>/dev/null
	# In every tree (ISO 9660 and Joliet), point "b" back at the root.
	perl -e "
		open(F, \"+<\", \$ARGV[0]) or die; binmode F;
		sub rd { my (\$o, \$n) = @_; my \$b; seek(F, \$o, 0); read(F, \$b, \$n); \$b }
		for (my \$vd = 16; ; \$vd++) {
			my \$d = rd(\$vd * 2048, 2048);
			last if ord(\$d) == 255;
			next unless ord(\$d) == 1 || ord(\$d) == 2;
			my \$root = unpack(\"V\", substr(\$d, 158, 4));
			my \$sub = sub { my (\$blk, \$want) = @_; my \$dir = rd(\$blk * 2048, 2048);
				for (my \$o = 0; \$o < 2048 && ord(substr(\$dir, \$o, 1)); \$o += ord(substr(\$dir, \$o, 1))) {
					my \$n = substr(\$dir, \$o + 33, ord(substr(\$dir, \$o + 32, 1)));
					\$n =~ s/\\0//g; return (\$blk * 2048 + \$o, unpack(\"V\", substr(\$dir, \$o + 2, 4)))
						if uc(\$n) eq \$want } die \"no \$want\" };
			my (\$ra, \$a) = \$sub->(\$root, \"A\");
			my (\$rb, \$b) = \$sub->(\$a, \"B\");
			seek(F, \$rb + 2, 0); print F pack(\"V\", \$root) . pack(\"N\", \$root);
		}" loop.iso
	expect_error "is reached twice: the tree loops" "$MINOS" ls loop.iso
'

test_expect_success 'ls: the names in the Secure Boot verdict are escaped, its last line too' '
	shim=/usr/lib/shim/shimx64.efi.signed grub=/usr/lib/grub/x86_64-efi-signed/gcdx64.efi.signed
	if [ ! -r $shim ] || [ ! -r $grub ]; then exit 0; fi	# no Debian signed chain here
	mkdir -p esctree/boot/grub
	mkfs.fat -C esctree/boot/grub/efi.img 16384 >/dev/null
	mmd -i esctree/boot/grub/efi.img ::/EFI ::/EFI/BOOT
	mcopy -i esctree/boot/grub/efi.img $shim ::/EFI/BOOT/BOOTX64.EFI
	mcopy -i esctree/boot/grub/efi.img $grub ::/EFI/BOOT/GRUBX64.EFI
	echo "no kernel" >"esctree/boot/vmlinuz-$(printf "\033[2J")"
	xorriso -as mkisofs -quiet -R -o esc.iso -eltorito-alt-boot -e boot/grub/efi.img \
		-no-emul-boot esctree 2>/dev/null
	"$MINOS" ls esc.iso >out
	grep "^# Secure Boot" out
	expect_eq "$(tail -1 out)" "# Secure Boot: not ready: boot/vmlinuz-\\033[2J is no PE/COFF image"
	expect_absent "$(printf "\033")" out
'

test_expect_success 'initramfs --add of a file whose size stat says is 0 adds what it holds' '
	"$MINOS" initramfs --bare --add /proc/self/status:/etc/status -o proc.img --compress none
	"$MINOS" ls proc.img | grep " etc/status\$" >line
	[ "$(awk "{ print \$5 }" line)" -gt 100 ]
	cpio -i --quiet --to-stdout etc/status <proc.img | grep -q "^Name:"
'

test_expect_success 'a full disk is said once, for zstd, xz and gzip' '
	for c in zstd xz gzip; do
		(ulimit -f 64; trap "" XFSZ; exec "$MINOS" initramfs -o full.$c --compress $c) \
			>/dev/null 2>full.$c.err && { echo "no error for $c"; false; }
		cat full.$c.err
		expect_eq "$(wc -l <full.$c.err)" 1
		grep -q "cannot write" full.$c.err
		[ ! -e full.$c ]
		[ -z "$(ls -a | grep "^\.full")" ]
	done
'

test_expect_success '-o refuses a symlink, a FIFO and a directory, and leaves them be' '
	echo keep >kept
	ln -s kept link
	expect_error "link: is a symbolic link: refusing to replace it" \
		"$MINOS" initramfs --bare --add hello:/x -o link
	[ -L link ] && expect_eq "$(cat kept)" keep
	mkfifo pipe
	expect_error "pipe: exists and is not a regular file: refusing to replace it" \
		"$MINOS" initramfs --bare --add hello:/x -o pipe
	[ -p pipe ]
	mkdir dir
	expect_error "dir: exists and is not a regular file" "$MINOS" initramfs --bare --add hello:/x -o dir
	[ -d dir ]
	"$MINOS" initramfs --bare --add hello:/x -o kept --compress none
	cpio -it --quiet <kept | grep -qx x
'

test_expect_success 'initramfs --add of a relocatable ELF object (.o, .ko) works' '
	printf "int f(void) { return 1; }\n" >obj.c
	cc -c -o obj.o obj.c
	"$MINOS" initramfs --bare --add obj.o:/lib/obj.ko -o obj.img --compress none
	cpio -it --quiet <obj.img | grep -qx lib/obj.ko
'

test_expect_success 'ELF: program headers at an odd offset are read; two PT_INTERP are damage' '
	# e_phoff 65: one PT_NULL header there, then one with two PT_INTERP.
	perl -e "
		sub elf { my (\$phoff, @ph) = @_;
			my \$eh = \"\\x7fELF\" . pack(\"CCCC\", 2, 1, 1, 0) . \"\\0\" x 8 .
				pack(\"vvVQQQVvvvvvv\", 3, 62, 1, 0, \$phoff, 0, 0, 64, 56, scalar(@ph), 64, 0, 0);
			my \$f = \$eh . \"\\0\" x (\$phoff - 64);
			\$f .= pack(\"VVQQQQQQ\", @\$_) for @ph;
			return \$f . \"/lib/ld.so\\0\" }
		open(A, \">\", \"odd.elf\"); print A elf(65, [0, 0, 0, 0, 0, 0, 0, 0]);
		open(B, \">\", \"two.elf\"); my \$i = 64 + 2 * 56;
		print B elf(64, [3, 4, \$i, 0, 0, 11, 11, 1], [3, 4, \$i, 0, 0, 11, 11, 1]);"
	chmod +x odd.elf two.elf
	"$MINOS" initramfs --bare --add odd.elf:/bin/odd -o odd.img --compress none
	expect_error "two.elf: damaged ELF: two PT_INTERP segments" \
		"$MINOS" initramfs --bare --add two.elf:/bin/two -o two.img
'

test_expect_success 'SIGTERM during a build leaves no temporary file' '
	head -c 33554432 /dev/urandom >noise
	"$MINOS" initramfs --bare --add noise:/noise -o slow.img --compress xz --level 9 &
	pid=$!
	i=0
	until ls -a | grep -q "^\.slow\.img\."; do
		i=$((i + 1)); [ $i -lt 500 ] || { echo "no temporary file appeared"; false; }
		sleep 0.01
	done
	kill -TERM $pid
	status=0; wait $pid || status=$?
	expect_eq $status 143
	expect_eq "$(ls -a | grep -c "slow\.img")" 0
'

test_expect_success 'an empty directory, and an image with no entries at all' '
	mkdir empty
	"$MINOS" initramfs --bare --add empty:/empty -o empty.img --compress none
	cpio -it --quiet <empty.img | grep -qx empty
	: >nothing.spec
	"$MINOS" initramfs --bare --spec nothing.spec -o nothing.img --compress none
	expect_eq "$(cpio -it --quiet <nothing.img | wc -l)" 0
'

test_done
