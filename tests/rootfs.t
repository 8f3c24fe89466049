#!/bin/sh
# minos iso --rootfs: the squashfs image it writes, read back by
# squashfs-tools' unsquashfs and compared with the source and with what
# mksquashfs writes from the same tree; tarballs, owners and device nodes
# without root; reproducibility; minos ls; and every refusal.
. "$(dirname "$0")/lib.sh"

K=$(kernel)
export MINOS_CACHE="$TMP/cache" SOURCE_DATE_EPOCH=1700000000

# The root image inside an ISO.
sqfs_of() { osirrox -indev "$1" -extract /minos/root.sqfs "$2" >/dev/null 2>&1; }

# unsquashfs -lln without directory sizes (a layout detail of each writer)
# and without the top directory's name.
listing() {
	unsquashfs -lln "$1" | tr -s " " | sed -e "s| squashfs-root| |" -e "/^d/s|^\([^ ]* [^ ]*\) [0-9]* |\1 - |"
}

test_expect_success 'setup: a root with owners, modes, links, a FIFO, xattrs and sparse data' '
	mkdir -p tree/sbin tree/etc/sub tree/usr/bin tree/empty tree/run &&
	cp /bin/busybox tree/usr/bin/busybox && ln -s ../usr/bin/busybox tree/sbin/init &&
	echo "root:x:0:0::/root:/bin/sh" >tree/etc/passwd && chmod 600 tree/etc/passwd &&
	echo data >tree/etc/sub/a && ln tree/etc/sub/a tree/etc/sub/hard &&
	chown 1000:27 tree/etc/sub/a && chmod 4755 tree/usr/bin/busybox &&
	ln -s /nowhere/at/all tree/etc/dangling && mkfifo tree/run/fifo &&
	truncate -s 1M tree/etc/sparse && echo tail >>tree/etc/sparse &&
	setfattr -n user.minos -v hello tree/etc/passwd &&
	chmod 1777 tree/empty && touch -d @1600000000 tree/etc/sub/a
'

test_expect_success 'a directory: unsquashfs lists what the source has; xattrs kept' '
	"$MINOS" iso -o dir.iso --kernel "$K" --rootfs tree 2>iso.err &&
	sqfs_of dir.iso dir.sqfs &&
	mksquashfs tree ref.sqfs -comp zstd -noappend -quiet -no-progress >/dev/null &&
	listing ref.sqfs >expected && listing dir.sqfs >actual && test_cmp expected actual &&
	grep -q "^-rwsr-xr-x 0/0 .* /usr/bin/busybox$" actual &&
	grep -q "^-rw-r--r-- 1000/27 .* 2020-09-13 12:26 /etc/sub/a$" actual &&
	grep -q "^prw-r--r-- 0/0 " actual &&
	unsquashfs -d x -xattrs dir.sqfs >/dev/null && getfattr -n user.minos x/etc/passwd | grep -q hello &&
	expect_eq "$(stat -c %h x/etc/sub/hard)" 2 && cmp x/etc/sparse tree/etc/sparse
'

test_expect_success 'a tarball (gzip, xz, zstd): owners and device nodes without root' '
	mkdir -p mt && echo hi >mt/f &&
	printf "%s\n" "#mtree" "./sbin type=dir mode=0755 uid=0 gid=0" \
		"./sbin/init type=file mode=0755 uid=0 gid=0 contents=mt/f" \
		"./dev type=dir mode=0755 uid=0 gid=0" \
		"./dev/null type=char mode=0666 uid=0 gid=0 device=native,1,3" \
		"./dev/sda type=block mode=0660 uid=0 gid=6 device=native,8,0" \
		"./dev/big type=char mode=0600 uid=0 gid=0 device=native,300,70000" \
		"./home/u/f type=file mode=0640 uid=1000 gid=1000 contents=mt/f" \
		"./home/u/link type=link mode=0777 uid=1000 gid=1000 link=f" >spec &&
	bsdtar -cf root.tar @spec &&
	for c in gzip xz zstd; do
		$c -c root.tar >root.tar.$c &&
		"$MINOS" iso -o t.$c.iso --kernel "$K" --rootfs root.tar.$c 2>/dev/null &&
		sqfs_of t.$c.iso t.$c.sqfs && listing t.$c.sqfs >t.$c.list || exit 1
	done &&
	cmp t.gzip.list t.xz.list && cmp t.gzip.list t.zstd.list &&
	grep -q "^crw-rw-rw- 0/0 1, 3 .* /dev/null$" t.xz.list &&
	grep -q "^brw-rw---- 0/6 8, 0 .* /dev/sda$" t.xz.list &&
	"$MINOS" ls t.xz.sqfs | grep -q "^crw------- .* 300, 70000 .* dev/big$" &&
	grep -q "^-rw-r----- 1000/1000 .* /home/u/f$" t.xz.list &&
	grep -q "^lrwxrwxrwx 1000/1000 .* /home/u/link -> f$" t.xz.list
'

test_expect_success 'two builds are byte-identical; --rootfs-compress xz' '
	"$MINOS" iso -o again.iso --kernel "$K" --rootfs tree 2>/dev/null && cmp dir.iso again.iso &&
	"$MINOS" iso -o xz.iso --kernel "$K" --rootfs tree --rootfs-compress xz 2>/dev/null &&
	sqfs_of xz.iso xz.sqfs && unsquashfs -s xz.sqfs | grep -q "^Compression xz" &&
	listing xz.sqfs >xz.list && test_cmp expected xz.list
'

test_expect_success 'the size is within 3% of mksquashfs -comp zstd on the same tree' '
	mkdir big && cp -a /usr/bin big/bin && cp -a /usr/share/i18n big/i18n 2>/dev/null || true &&
	mkdir -p big/sbin && ln -s ../bin/busybox big/sbin/init && cp /bin/busybox big/bin/ &&
	"$MINOS" iso -o big.iso --kernel "$K" --rootfs big 2>/dev/null && sqfs_of big.iso big.sqfs &&
	mksquashfs big bigref.sqfs -comp zstd -noappend -quiet -no-progress >/dev/null &&
	ours=$(stat -c %s big.sqfs) theirs=$(stat -c %s bigref.sqfs) &&
	echo "minos $ours, mksquashfs $theirs" &&
	[ $((ours * 100)) -le $((theirs * 103)) ] && [ $((ours * 100)) -ge $((theirs * 97)) ]
'

test_expect_success 'a squashfs image is used as it is' '
	"$MINOS" iso -o s.iso --kernel "$K" --rootfs ref.sqfs 2>/dev/null &&
	sqfs_of s.iso s.sqfs && cmp s.sqfs ref.sqfs
'

test_expect_success 'minos ls lists a squashfs image, and the one inside an ISO' '
	"$MINOS" ls dir.sqfs >ls.sqfs && "$MINOS" ls dir.iso >ls.iso &&
	grep -q "^-rwsr-xr-x .* 0 .* 0 .* usr/bin/busybox$" ls.sqfs &&
	grep -q "^lrwxrwxrwx .* sbin/init -> ../usr/bin/busybox$" ls.sqfs &&
	grep -q "^prw-r--r-- .* run/fifo$" ls.sqfs &&
	grep -q "^-rw-r--r-- .* 1000 .* 27 .* etc/sub/a$" ls.sqfs &&
	grep -q "^-r--r--r-- .* minos/root.sqfs$" ls.iso &&
	grep -q "^-rwsr-xr-x .* minos/root.sqfs:usr/bin/busybox$" ls.iso
'

test_expect_success 'bad roots are refused at build time, with nothing written' '
	mkdir noinit && echo x >noinit/f &&
	expect_error "noinit: the root has no /sbin/init" "$MINOS" iso -o bad.iso --kernel "$K" --rootfs noinit &&
	expect_error "init= in --cmdline" "$MINOS" iso -o bad.iso --kernel "$K" --rootfs noinit &&
	expect_error "the root has no /bin/other" \
		"$MINOS" iso -o bad.iso --kernel "$K" --rootfs tree --cmdline "console=ttyS0 init=/bin/other" &&
	"$MINOS" iso -o ok.iso --kernel "$K" --rootfs noinit --cmdline "init=/f" 2>&1 |
		grep -q "the root has no /f" &&
	chmod +x noinit/f && "$MINOS" iso -o ok.iso --kernel "$K" --rootfs noinit --cmdline "init=/f" 2>/dev/null &&
	tar -cf dd.tar --transform "s,^,../," -C mt f 2>/dev/null &&
	expect_error "dd.tar: ../f: a name that leaves the root" "$MINOS" iso -o bad.iso --kernel "$K" --rootfs dd.tar &&
	tar -cPf abs.tar "$TMP/mt/f" &&
	expect_error "abs.tar: $TMP/mt/f: an absolute name" "$MINOS" iso -o bad.iso --kernel "$K" --rootfs abs.tar &&
	echo "not a tarball" >junk &&
	expect_error "junk: not a directory, a tar archive" "$MINOS" iso -o bad.iso --kernel "$K" --rootfs junk &&
	head -c 3000 root.tar >cut.tar &&
	expect_error "cut.tar: " "$MINOS" iso -o bad.iso --kernel "$K" --rootfs cut.tar &&
	expect_error "nothere: cannot read" "$MINOS" iso -o bad.iso --kernel "$K" --rootfs nothere &&
	expect_error "--persist: .x. is not a size" "$MINOS" iso -o bad.iso --kernel "$K" --rootfs tree --persist x &&
	expect_error "--persist: is for a live system" "$MINOS" iso -o bad.iso --kernel "$K" --persist 64M &&
	expect_error "--rootfs-compress: .lzo.: expected zstd or xz" \
		"$MINOS" iso -o bad.iso --kernel "$K" --rootfs tree --rootfs-compress lzo &&
	[ ! -e bad.iso ] && [ -z "$(ls | grep -e "\.rootfs\." -e "\.persist\.")" ]
'

test_expect_success '--persist: an ext4 partition after the ISO, in the MBR and the GPT' '
	"$MINOS" iso -o p.iso --kernel "$K" --rootfs tree --persist 16M 2>/dev/null &&
	xorriso -indev p.iso -report_system_area plain 2>/dev/null >sa &&
	grep -E "^MBR partition +: +3 +0x80 +0x83 " sa &&
	grep -E "^GPT type GUID +: +[0-9]+ +af3dc60f838472478e793d69d8477de4" sa &&
	start=$(awk "/^MBR partition +: +3 /{print \$7}" sa) &&
	dd if=p.iso of=part.img bs=512 skip=$start count=32768 status=none &&
	blkid -p part.img | grep -q "LABEL=\"minos-persist\".*TYPE=\"ext4\"" &&
	uuid=$(blkid -p -s UUID -o value part.img) &&
	osirrox -indev p.iso -extract /boot/grub/grub.cfg cfg >/dev/null 2>&1 &&
	grep -q "'"'"'minos.live=[0-9a-f]\{16\}'"'"' '"'"'minos.persist=UUID=$uuid'"'"'" cfg &&
	"$MINOS" iso -o p2.iso --kernel "$K" --rootfs tree --persist 16M 2>/dev/null && cmp p.iso p2.iso
'

test_done
