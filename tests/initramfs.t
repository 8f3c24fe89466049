#!/bin/sh
# minos initramfs and minos ls: what the archive holds, read back by GNU cpio
# and bsdtar, reproducibility, and every error path.
. "$(dirname "$0")/lib.sh"

BUSYBOX=$(command -v busybox)
names() { sort | sed 's|^\./||'; }

test_expect_success 'default initramfs: GNU cpio and bsdtar list the same entries' '
	"$MINOS" initramfs -o def.img --compress none
	cpio -it --quiet <def.img | names >cpio.names
	bsdtar -tf def.img | names >bsdtar.names
	cmp cpio.names bsdtar.names
	grep -qx init cpio.names
	grep -qx bin/busybox cpio.names
	[ $(wc -l <cpio.names) -gt 270 ]
'

test_expect_success 'every entry is root:root; no mode 0777 but symlinks' '
	cpio -itv --quiet --numeric-uid-gid <def.img >list
	awk "\$3 != 0 || \$4 != 0" list >not-root
	[ ! -s not-root ] || { cat not-root; false; }
	grep -v "^l" list >nolinks
	expect_absent "^.rwxrwxrwx" nolinks
'

test_expect_success '/dev/console is char 5,1 and /dev/null char 1,3' '
	grep -E "^crw------- +1 0 +0 +5, +1 .* dev/console$" list
	grep -E "^c.* 1, +3 .* dev/null$" list
'

test_expect_success 'no world-writable entry but /tmp (sticky)' '
	grep -v "^l" list | awk "substr(\$1, 9, 1) == \"w\" { print \$NF }" >ww
	expect_eq "$(cat ww)" tmp
	grep -E "^drwxrwxrwt .* tmp$" list
	grep -E "^drwx------ .* root$" list
'

test_expect_success 'every applet is linked where busybox --list-full says' '
	"$BUSYBOX" --list-full | grep -vx bin/busybox | sort >want
	bsdtar -tvf def.img | awk "\$1 ~ /^l/ && \$NF == \"/bin/busybox\" { print \$(NF-2) }" |
		sort >got
	cmp want got
'

for c in gzip zstd xz lz4; do
	case $c in gzip) dec="gzip -dc" ;; zstd) dec="zstd -dcq" ;; xz) dec="xz -dc" ;; lz4) dec="lz4 -dc" ;; esac
	test_expect_success "--compress $c: the standard tool unpacks the same archive" "
		\"\$MINOS\" initramfs -o c.$c --compress $c
		$dec <c.$c >c.$c.cpio
		cmp c.$c.cpio def.img
	"
	test_expect_success "minos ls reads $c as cpio lists it, then names its architecture" "
		\"\$MINOS\" ls c.$c >all.$c
		expect_eq \"\$(tail -n 1 all.$c)\" '# arch: x86_64'
		sed '\$d' all.$c | awk '{ print \$1, \$3, \$4 }' >ls.$c
		cpio -itv --quiet --numeric-uid-gid <def.img | awk '{ print \$1, \$3, \$4 }' >cpio.$c
		cmp ls.$c cpio.$c
		sed '\$d' all.$c | awk '{ print \$1 ~ /^[cb]/ ? \$9 : \$8 }' | sort >lsn.$c
		cmp lsn.$c cpio.names
	"
done

test_expect_success 'xz uses the CRC32 check the kernel needs; lz4 the legacy frame' '
	xz --robot --list c.xz | grep -q "CRC32"
	expect_eq "$(od -An -tx1 -N4 c.lz4 | tr -d " ")" 02214c18
'

test_expect_success 'minos ls reads a two-segment file (microcode cpio + zstd)' '
	mkdir -p fw && echo ucode >fw/GenuineIntel.bin
	echo "dir /kernel 755 0 0" >ucode.spec
	echo "file /kernel/x86/microcode/GenuineIntel.bin fw/GenuineIntel.bin 644 0 0" >>ucode.spec
	"$MINOS" initramfs --bare --spec ucode.spec --compress none -o ucode.cpio
	cat ucode.cpio c.zstd >two.img
	"$MINOS" ls two.img >two.ls
	grep -q "kernel/x86/microcode/GenuineIntel.bin$" two.ls
	grep -q "^# segment 2 at offset $(stat -c %s ucode.cpio): zstd$" two.ls
	grep -q " bin/busybox$" two.ls
'

test_expect_success 'same bytes whatever the input mtimes and directory order' '
	mkdir -p a/tree b/tree
	cp "$BUSYBOX" a/busybox && cp "$BUSYBOX" b/busybox
	for f in one two three four; do echo $f >a/tree/$f; done
	for f in four three two one; do echo $f >b/tree/$f; done
	touch -d "2001-01-01" a/busybox a/tree/* a/tree
	touch -d "2020-06-15" b/busybox b/tree/*
	for c in none gzip zstd xz lz4; do
		"$MINOS" initramfs --busybox a/busybox --add a/tree:/opt -o a.$c --compress $c
		"$MINOS" initramfs --busybox b/busybox --add b/tree:/opt -o b.$c --compress $c
		cmp a.$c b.$c
	done
'

test_expect_success 'same bytes when built by an unprivileged user' '
	if [ "$(id -u)" -ne 0 ]; then echo "not root: cannot switch user"; exit 0; fi
	chmod 755 "$TMP" && mkdir -p nobody && chmod 777 nobody && chmod -R a+rX a
	for c in none zstd; do
		setpriv --reuid=nobody --regid=nogroup --clear-groups \
			"$MINOS" initramfs --busybox a/busybox --add a/tree:/opt \
			-o nobody/n.$c --compress $c
		cmp a.$c nobody/n.$c
	done
'

test_expect_success 'SOURCE_DATE_EPOCH sets every mtime' '
	SOURCE_DATE_EPOCH=1700000000 "$MINOS" initramfs -o sde.img --compress none
	cpio -itv --quiet <sde.img >sde.list
	[ $(wc -l <sde.list) -gt 270 ]
	grep -v "Nov 14  2023" sde.list >other || true
	[ ! -s other ]
'

test_expect_success 'hard links inside an added tree stay hard links, data once' '
	mkdir -p hl && head -c 100000 /dev/urandom >hl/data && ln hl/data hl/link
	"$MINOS" initramfs --bare --add hl:/hl --compress none -o hl.img
	mkdir -p out && (cd out && cpio -id --quiet <../hl.img)
	expect_eq "$(stat -c %h out/hl/data)" 2
	expect_eq "$(stat -c %i out/hl/data)" "$(stat -c %i out/hl/link)"
	cmp hl/data out/hl/data
	[ $(stat -c %s hl.img) -lt 150000 ]
'

test_expect_success 'a dynamic program brings its interpreter and libraries' '
	"$MINOS" initramfs --bare --add /usr/bin/zstd --compress none -o dyn.img
	bsdtar -tf dyn.img >dyn.list
	grep -qx usr/bin/zstd dyn.list
	grep -qx lib64/ld-linux-x86-64.so.2 dyn.list
	grep -q "/libc.so.6$" dyn.list
	grep -q "/liblzma.so.5$" dyn.list
	grep -q "/liblz4.so.1$" dyn.list
	grep -q "/libz.so.1$" dyn.list
'

test_expect_success 'an added symlink brings what it points to' '
	mkdir -p sl && echo target >sl/real && ln -s real sl/alias
	"$MINOS" initramfs --bare --add "$TMP/sl/alias" --compress none -o sl.img
	bsdtar -tvf sl.img | grep -q "sl/alias -> real$"
	bsdtar -tf sl.img | grep -qx "${TMP#/}/sl/real"
'

test_expect_success '--spec round-trips the kernel documentation example' '
	mkdir -p initramfs && echo "#!/bin/sh" >initramfs/init.sh && cp "$BUSYBOX" initramfs/busybox
	cat >doc.spec <<-\EOS
	# from Documentation/filesystems/ramfs-rootfs-initramfs.rst
	dir /dev 755 0 0
	nod /dev/console 644 0 0 c 5 1
	nod /dev/loop0 644 0 0 b 7 0
	dir /bin 755 1000 1000
	slink /bin/sh busybox 777 0 0
	file /bin/busybox initramfs/busybox 755 0 0
	dir /proc 755 0 0
	dir /sys 755 0 0
	dir /mnt 755 0 0
	file /init ${SPECDIR}/init.sh 755 0 0
	pipe /fifo 600 0 0
	sock /sock 640 5 6
	file /ln1 initramfs/init.sh 644 0 0 /ln2 /ln3
	EOS
	SPECDIR=initramfs "$MINOS" initramfs --bare --spec doc.spec --compress none -o spec.img
	cpio -itv --quiet --numeric-uid-gid <spec.img |
		awk "{ print \$1, \$2, \$3, \$4, (\$1 ~ /^[cb]/ ? \$5 \$6 : \"\"), \$NF }" >spec.got
	cat >spec.want <<-\EOS
	drwxr-xr-x 2 1000 1000  bin
	-rwxr-xr-x 1 0 0  bin/busybox
	lrwxrwxrwx 1 0 0  busybox
	drwxr-xr-x 2 0 0  dev
	crw-r--r-- 1 0 0 5,1 dev/console
	brw-r--r-- 1 0 0 7,0 dev/loop0
	prw------- 1 0 0  fifo
	-rwxr-xr-x 1 0 0  init
	-rw-r--r-- 3 0 0  ln1
	-rw-r--r-- 3 0 0  ln2
	-rw-r--r-- 3 0 0  ln3
	drwxr-xr-x 2 0 0  mnt
	drwxr-xr-x 2 0 0  proc
	srw-r----- 1 5 6  sock
	drwxr-xr-x 2 0 0  sys
	EOS
	diff spec.want spec.got
	"$MINOS" ls spec.img | grep -q "^lrwxrwxrwx .* bin/sh -> busybox$"
'

test_expect_success 'errors: BusyBox missing or not an ELF executable' '
	expect_error "/nonexistent/busybox" "$MINOS" initramfs -o e1.img --busybox /nonexistent/busybox
	echo "#!/bin/sh" >notelf
	expect_error "notelf: BusyBox is not an x86-64 ELF executable" \
		"$MINOS" initramfs -o e1.img --busybox notelf
	[ ! -e e1.img ]
'

test_expect_success 'errors: missing --add source, unknown compression, bad level' '
	expect_error "/nonexistent: cannot add" "$MINOS" initramfs -o e2.img --add /nonexistent
	expect_error "unknown compression .lzma." "$MINOS" initramfs -o e2.img --compress lzma
	expect_error "zstd takes a level from 1 to 22" "$MINOS" initramfs -o e2.img --level 40
	[ ! -e e2.img ]
	ls -A >files
	expect_absent "^\.e2" files
'

test_expect_success 'errors: a spec line with an error names its line' '
	printf "dir /a 755 0 0\nfile /b /nonexistent 644 0 0\n" >bad1.spec
	expect_error "bad1.spec:2: file /b: /nonexistent: No such file" \
		"$MINOS" initramfs -o e3.img --spec bad1.spec
	printf "dir /a 755 0 0\n\nbogus /x\n" >bad2.spec
	expect_error "bad2.spec:3: unknown type .bogus." "$MINOS" initramfs -o e3.img --spec bad2.spec
	printf "nod /n 600 0 0 x 1 2\n" >bad3.spec
	expect_error "bad3.spec:1: nod: device type .x." "$MINOS" initramfs -o e3.img --spec bad3.spec
	printf "dir /a 9999 0 0\n" >bad4.spec
	expect_error "bad4.spec:1: dir: .9999. is not a valid octal mode" \
		"$MINOS" initramfs -o e3.img --spec bad4.spec
	printf "file /x \${NOT_SET_ANYWHERE}/f 644 0 0\n" >bad5.spec
	expect_error "bad5.spec:1: \${NOT_SET_ANYWHERE} is not set" \
		"$MINOS" initramfs -o e3.img --spec bad5.spec
	[ ! -e e3.img ]
'

test_expect_success 'errors: a file over the newc 4 GiB limit' '
	truncate -s 4294967296 huge
	expect_error "huge: larger than the newc format.s 4 GiB limit" \
		"$MINOS" initramfs -o e4.img --add huge
	[ ! -e e4.img ]
'

test_expect_success 'errors: an unwritable output directory' '
	expect_error "/nonexistent/dir/out.img: cannot create" \
		"$MINOS" initramfs -o /nonexistent/dir/out.img
	if [ "$(id -u)" -eq 0 ]; then
		chmod 755 "$TMP" && mkdir -p ro && chmod 755 ro
		expect_error "ro/out.img: cannot create: Permission denied" \
			setpriv --reuid=nobody --regid=nogroup --clear-groups \
			"$MINOS" initramfs -o ro/out.img --busybox "$BUSYBOX"
	fi
	[ ! -e ro/out.img ]
'

test_expect_success 'errors: a compression the kernel config says it cannot decode' '
	k=$(kernel)
	v=$(basename "$k" | sed "s/^vmlinuz-//")
	mkdir -p kdir && cp "$k" kdir/ && grep -v "^CONFIG_RD_LZ4=" "$(dirname "$k")/config-$v" >kdir/config-$v
	expect_error "cannot decode a lz4 initramfs (CONFIG_RD_LZ4 is not set" \
		"$MINOS" initramfs -o e5.img --compress lz4 --kernel kdir/$(basename "$k")
	"$MINOS" initramfs -o ok5.img --compress zstd --kernel kdir/$(basename "$k")
	[ ! -e e5.img ]
	expect_error "not a Linux kernel image (neither an x86 bzImage nor an arm64 Image)" \
		"$MINOS" initramfs -o e5.img --kernel "$BUSYBOX"
'

test_expect_success 'errors: damaged and unknown input to minos ls name the offset' '
	head -c 300 def.img >trunc.img
	expect_error "trunc.img: offset [0-9]*: .*data runs past the end\|ends without a trailer" \
		"$MINOS" ls trunc.img
	head -c 5000 c.zstd >trunc.zst
	expect_error "trunc.zst: offset 0: zstd data is truncated" "$MINOS" ls trunc.zst
	echo "hello world" >text
	expect_error "text: offset 0: not an initramfs" "$MINOS" ls text
	cp def.img bad.img
	printf XXXXXX | dd of=bad.img bs=1 seek=116 conv=notrunc 2>/dev/null
	expect_error "bad.img: offset 116: not a newc cpio header" "$MINOS" ls bad.img
'

test_expect_success '--help, help COMMAND and --version' '
	"$MINOS" --help | grep -q "^  initramfs"
	"$MINOS" help initramfs | grep -q -- "--compress NAME"
	"$MINOS" initramfs --help | grep -q -- "--spec FILE"
	"$MINOS" --version | grep -q "^minos [0-9]"
	expect_error "nosuch: no such command" "$MINOS" help nosuch
'

test_expect_success 'errors: unknown module, another kernel'"'"'s module, a tree that is not one' '
	k=$(kernel)
	v=$(basename "$k" | sed "s/^vmlinuz-//")
	md=${k%/boot/*}/lib/modules/$v
	expect_error "nosuch: no such module, alias or built-in module in $md" \
		"$MINOS" initramfs -o m1.img --kernel "$k" --modules-dir "$md" --module nosuch
	mkdir -p foreign/kernel
	w=$(echo "$v" | tr 0-8 9)	# as long as $v: the ELF stays whole
	sed "s/vermagic=$v /vermagic=$w /" "$md/kernel/lib/crc16.ko" >foreign/kernel/crc16.ko
	expect_error "crc16.ko: built for kernel $w (vermagic), not $v" \
		"$MINOS" initramfs -o m1.img --kernel "$k" --modules-dir foreign --module crc16
	expect_error "/nonexistent: cannot use as the module tree" \
		"$MINOS" initramfs -o m1.img --kernel "$k" --modules-dir /nonexistent --module crc16
	expect_error "--modules-dir: is only used with --module" \
		"$MINOS" initramfs -o m1.img --modules-dir "$md"
	[ ! -e m1.img ]
'

test_expect_success '--busybox-src: quiet when it works, its last output when it fails' '
	mkdir -p bbsrc &&
	printf "%s\n" "defconfig:" "	@echo \"# CONFIG_STATIC is not set\" >.config" \
		"oldconfig:" "	@cat .config" \
		"busybox:" "	@for i in 1 2 3; do echo \"  CC      x\$\$i.o\"; done" \
		"	@cp $(command -v busybox) busybox" \
		"	@test ! -e fail || { echo error: boom; exit 1; }" >bbsrc/Makefile &&
	"$MINOS" initramfs -o bb.img --busybox-src bbsrc 2>bb.err &&
	test_cmp /dev/null bb.err &&
	grep -q "^CONFIG_STATIC=y" bbsrc/.config &&
	touch bbsrc/fail && rm bbsrc/busybox &&
	! "$MINOS" initramfs -o bb2.img --busybox-src bbsrc 2>bb2.err &&
	cat bb2.err && grep -q "^error: boom" bb2.err &&
	grep -q "bbsrc: .make -j[0-9]* busybox. failed (its last output is above)" bb2.err &&
	[ ! -e bb2.img ]
'

test_done
