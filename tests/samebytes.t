#!/bin/sh
# The same inputs make the same bytes as minos did before #28 moved src/
# into layers and split its commands (REF below): the tool is built from
# that commit (git archive, make all) and both write initramfs images,
# ISOs (GRUB, Secure Boot, signed, live with persistence) and a netboot
# directory from the same kernel, BusyBox and minos-init; cmp and diff -r
# must find no difference.  Skipped outside a git clone.
. "$(dirname "$0")/lib.sh"

REF=c103b8b
K=$(kernel)
export MINOS_CACHE="$TMP/cache" SOURCE_DATE_EPOCH=1700000000
INIT=$BUILD/minos-init

have_ref() {
	git -C "$ROOT" rev-parse -q --verify "$REF^{commit}" >/dev/null 2>&1
}

# both NAME ARGS...: old/NAME and new/NAME from the two tools, same args.
both() {
	name=$1; shift
	"$TMP/ref/build/minos" "$@" -o "old/$name"
	"$MINOS" "$@" -o "new/$name"
}

if ! have_ref; then
	echo "1..0 # SKIP not a git clone with $REF"
	exit 0
fi

# setup: minos as it was at the reference commit, and the inputs
test_expect_success 'setup' '
	mkdir ref old new
	git -C "$ROOT" archive "$REF" | tar -x -C ref
	make -C ref -s -j2 all >/dev/null
	cp "$INIT" ref/build/minos-init
	mkdir -p root/bin root/sbin
	cp /bin/busybox root/bin/busybox
	ln -s ../bin/busybox root/sbin/init
	openssl req -x509 -newkey rsa:2048 -nodes -subj "/CN=minos same bytes" -days 3650 \
		-keyout t.key -out t.crt 2>/dev/null
'

for c in gzip zstd xz lz4 none; do
	test_expect_success "initramfs --compress $c: the same bytes" "
		both $c.img initramfs --init \"\$INIT\" --kernel \"\$K\" --compress $c
		cmp old/$c.img new/$c.img
	"
done

test_expect_success 'initramfs with drivers, a module, --add and --bare: the same bytes' '
	both drv.img initramfs --init "$INIT" --kernel "$K" --drivers generic --module dummy
	cmp old/drv.img new/drv.img
	echo hello >hello
	both bare.img initramfs --bare --add hello:/etc/hello --add /bin/busybox:/bin/sh
	cmp old/bare.img new/bare.img
'

test_expect_success 'iso (default: GRUB, Secure Boot auto): the same bytes' '
	both a.iso iso --init "$INIT" --kernel "$K"
	cmp old/a.iso new/a.iso
'

test_expect_success 'iso --secure-boot off, --initrd, --title, --cmdline, --timeout: the same bytes' '
	both b.iso iso --kernel "$K" --initrd new/gzip.img --secure-boot off --title T \
		--cmdline "console=ttyS0 quiet" --timeout 0 --label L
	cmp old/b.iso new/b.iso
'

test_expect_success 'iso signed with --sign-key/--sign-cert: the same bytes' '
	both s.iso iso --init "$INIT" --kernel "$K" --sign-key t.key --sign-cert t.crt \
		--secure-boot on
	cmp old/s.iso new/s.iso
'

test_expect_success 'iso --rootfs DIR --persist: the same bytes' '
	both l.iso iso --init "$INIT" --kernel "$K" --rootfs root --persist 16M \
		--rootfs-compress xz
	cmp old/l.iso new/l.iso
'

test_expect_success 'netboot: the same files (one path in turn: dnsmasq.conf names it)' '
	"$TMP/ref/build/minos" netboot --init "$INIT" --kernel "$K" --http http://10.0.2.2:8080/ -o nb
	mv nb old/nb
	"$MINOS" netboot --init "$INIT" --kernel "$K" --http http://10.0.2.2:8080/ -o nb
	diff -r old/nb nb
'

test_done
