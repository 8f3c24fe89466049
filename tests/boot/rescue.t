#!/bin/sh
# Rescue, with Debian's kernel: the rescue image and ISO (tools from
# Debian's archive: this host has none of them installed), a root on md
# RAID1 whole and degraded, dropbear with --ssh-key, a minos.luks= UUID no
# device has, and the errors.  The encrypted Debian disk (LUKS2, LVM,
# systemd) is tests/rescue/luks.t's, run by make check-rescue: minutes.
. "$(dirname "$0")/../lib.sh"

K=$(kernel)

test_expect_success 'setup: the rescue image and ISO; the host has none of the tools' '
	for t in cryptsetup lvm mdadm dropbear; do
		if command -v $t || [ -x /sbin/$t ] || [ -x /usr/sbin/$t ]; then
			echo "$t is installed on this host: the test wants a host without it"; exit 1
		fi
	done
	SOURCE_DATE_EPOCH=1700000000 "$MINOS" initramfs -o "$TMP/rescue.img" --rescue --kernel "$K" \
		2>err || { cat err; exit 1; }
	SOURCE_DATE_EPOCH=1700000000 "$MINOS" iso -o "$TMP/rescue.iso" --rescue --kernel "$K" 2>err ||
		{ cat err; exit 1; }
	"$MINOS" ls "$TMP/rescue.img" >"$TMP/rescue.ls"
	for f in usr/sbin/cryptsetup usr/sbin/lvm usr/sbin/mdadm usr/sbin/dropbear usr/sbin/sgdisk \
		usr/sbin/mkfs.xfs usr/bin/ddrescue usr/bin/testdisk usr/sbin/smartctl usr/sbin/nvme \
		usr/bin/efibootmgr usr/bin/rsync usr/bin/lspci usr/bin/lsusb usr/share/misc/pci.ids \
		usr/bin/vim.tiny usr/bin/less etc/lvm/lvm.conf usr/share/minos/packages; do
		grep -q " $f\$" "$TMP/rescue.ls" || grep -q " $f -> " "$TMP/rescue.ls" ||
			{ echo "no $f in the rescue image"; exit 1; }
	done
'

test_expect_success 'the image lists its packages: version, architecture, origin' '
	zstd -dc "$TMP/rescue.img" | bsdtar -xOf - usr/share/minos/packages >packages
	grep -E "^cryptsetup-bin [^ ]+ amd64 http://[^ ]+/cryptsetup-bin_[^ ]+\.deb$" packages
	grep -E "^lvm2 [^ ]+ amd64 http" packages
	grep -E "^libc6 [^ ]+ amd64 (http|host)" packages
	expect_absent "^python3" packages
'

test_expect_success 'two rescue ISO builds are identical (packages cached)' '
	SOURCE_DATE_EPOCH=1700000000 "$MINOS" iso -o again.iso --rescue --kernel "$K" 2>/dev/null
	cmp "$TMP/rescue.iso" again.iso
'

test_expect_success 'minos.luks= with a UUID no device has: the wait, then the emergency shell naming it' '
	vm_start none -M q35 -kernel "$K" -initrd "$TMP/rescue.img" \
		-append "console=ttyS0 root=/dev/mapper/vg-root minos.luks=00000000-1111-2222-3333-444444444444 rootdelay=3 panic=-1"
	trap "rc=\$?; vm_stop none; exit \$rc" EXIT
	wait_for "emergency" none.log 120
	grep "00000000-1111-2222-3333-444444444444" none.log | grep -i "no such\|not found\|after"
	expect_absent "Kernel panic" none.log
	vm_stop none
'

# md RAID1 of two virtio disks, made in the guest; its root is BusyBox and
# minos-init, which then serves minos test on the real root.
cat >"$TMP/mkmd.sh" <<'EOF'
set -e
mdadm --create /dev/md0 --run --quiet --level=1 --raid-devices=2 --metadata=1.2 /dev/vda /dev/vdb
mkfs.ext4 -q -L mdroot /dev/md0
mkdir -p /mnt && mount /dev/md0 /mnt
mkdir -p /mnt/bin /mnt/sbin /mnt/proc /mnt/sys /mnt/dev /mnt/run /mnt/tmp /mnt/etc
cp /bin/busybox /mnt/bin/busybox
for a in sh cat grep mount echo sleep; do ln -s busybox /mnt/bin/$a; done
cp /init /mnt/sbin/init
echo raid-data-7 >/mnt/etc/data
umount /mnt
mdadm --stop /dev/md0
echo MD-MADE
EOF

test_expect_success 'setup: md RAID1 of two virtio disks with an ext4 root' '
	truncate -s 64M "$TMP/md-a.img" "$TMP/md-b.img"
	"$MINOS" test --kernel "$K" --root-stack md --modules-dir "${K%/boot/*}/lib/modules/${K##*vmlinuz-}" \
		--module virtio_pci --module virtio_blk --module ext4 --package e2fsprogs --add "$TMP/mkmd.sh:/mkmd.sh" \
		--disk "$TMP/md-a.img" --disk "$TMP/md-b.img" --timeout 300 -- sh /mkmd.sh >out
	cat out
	grep MD-MADE out
'
MD_IMAGE="--root-stack md --modules-dir ${K%/boot/*}/lib/modules/${K##*vmlinuz-} --module virtio_pci --module virtio_blk --module ext4"

test_expect_success 'md: boots with both disks, the array whole' '
	cp "$TMP/md-a.img" a.img && cp "$TMP/md-b.img" b.img
	"$MINOS" test --kernel "$K" $MD_IMAGE --disk a.img --disk b.img --timeout 300 \
		--append "root=LABEL=mdroot" -- sh -c "cat /etc/data; grep -o \"\\[UU\\]\" /proc/mdstat" >out
	cat out
	expect_eq "$(cat out)" "raid-data-7
[UU]"
'

test_expect_success 'md: boots with one disk removed, degraded after the wait, the data intact' '
	cp "$TMP/md-b.img" b.img
	"$MINOS" test --kernel "$K" $MD_IMAGE --disk b.img --timeout 300 \
		--append "root=LABEL=mdroot rootdelay=5" -- sh -c "cat /etc/data; grep -o \"\\[_U\\]\\|\\[U_\\]\" /proc/mdstat" >out
	cat out
	grep -x raid-data-7 out
	grep -E "^\[(_U|U_)\]$" out
'

test_expect_success '--ssh-key: root logs in with the key, not with another, never with a password' '
	ssh-keygen -q -t ed25519 -N "" -C minos-test -f key && ssh-keygen -q -t ed25519 -N "" -f other
	port=$(python3 -c "import socket; s=socket.socket(); s.bind((\"127.0.0.1\", 0)); print(s.getsockname()[1])")
	"$MINOS" initramfs -o ssh.img --kernel "$K" --ssh-key key.pub --drivers virtio_net,virtio_pci
	vm_start sh1 -kernel "$K" -initrd ssh.img -append "console=ttyS0 minos.ssh=on marker=ssh-test-cmdline" \
		-netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$port-:22" -device virtio-net-pci,netdev=n0
	trap "rc=\$?; vm_stop sh1; exit \$rc" EXIT
	wait_for "ssh: listening" sh1.log 120
	grep -E "SHA256:[A-Za-z0-9+/]{20,}" sh1.log
	SSH="ssh -p $port -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o ConnectTimeout=60"
	$SSH -i key root@127.0.0.1 cat /proc/cmdline >cmdline
	cat cmdline
	grep "marker=ssh-test-cmdline" cmdline
	rc=0; $SSH -i other -o IdentitiesOnly=yes root@127.0.0.1 true 2>err || rc=$?
	cat err; [ $rc -ne 0 ] && grep -i "permission denied" err
	rc=0; $SSH -o PubkeyAuthentication=no -o PreferredAuthentications=password,keyboard-interactive \
		root@127.0.0.1 true 2>err || rc=$?
	cat err; [ $rc -ne 0 ] && grep -i "permission denied" err
	vm_stop sh1
'

test_expect_success 'bad input: an unknown package, a download that fails, a bad --ssh-key' '
	OUT=x.img
	expect_error "no-such-package-minos" "$MINOS" initramfs -o x.img --package no-such-package-minos
	expect_error "not a Debian package name" "$MINOS" initramfs -o x.img --package -oDebug::X=1
	[ ! -e x.img ]
	printf "Acquire::http::Proxy \"http://127.0.0.1:9/\";\nAcquire::Retries \"0\";\n" >apt.conf
	MINOS_CACHE=$PWD/emptycache APT_CONFIG=$PWD/apt.conf \
		expect_error "gddrescue" "$MINOS" initramfs -o x.img --package gddrescue
	[ ! -e x.img ]
	echo "not a key" >bad.pub
	expect_error "bad.pub" "$MINOS" initramfs -o x.img --ssh-key bad.pub
	expect_error "root-stack" "$MINOS" initramfs -o x.img --root-stack luks,zfs
	[ ! -e x.img ]
'

test_done
