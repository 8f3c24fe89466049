#!/bin/sh
# Rescue for real (make check-rescue: minutes under TCG), with Debian's
# kernel: a disk laid out as Debian's encrypted install (GPT, an ESP, LUKS2
# holding an LVM volume group with root and swap, the root a systemd
# Debian), made by the rescue image itself; mended from the rescue ISO's
# shell on the serial console (q35, NVMe); booted with minos.luks=, the
# passphrase typed on the console, to Debian's systemd; three wrong
# passphrases.  The tools come from Debian's archive.
. "$(dirname "$0")/../lib.sh"

K=$(kernel)
PASS=minos-rescue-pass
DISK_SECTORS=3145728	# the NVMe disk: 1.5 GiB, found by its serial in the guest

test_expect_success 'setup: the rescue image and ISO' '
	"$MINOS" initramfs -o "$TMP/rescue.img" --rescue --kernel "$K" 2>err || { cat err; exit 1; }
	"$MINOS" iso -o "$TMP/rescue.iso" --rescue --kernel "$K" 2>err || { cat err; exit 1; }
'

# The disk, made in the guest by the rescue image itself (the host has no
# cryptsetup, and no root): the Debian root's tarball is a second disk.
cat >"$TMP/mkdisk.sh" <<'EOF'
set -e
for b in /sys/class/block/*; do
	[ "$(tr -d " " 2>/dev/null <$b/device/serial)" = RESCUE0001 ] && D=/dev/${b##*/}
	[ "$(cat $b/size)" = "$TARSEC" ] && T=/dev/${b##*/}
done
echo "disk $D, tarball $T"
[ -b "$D" ] && [ -b "$T" ]
sgdisk -n 1:2048:+64M -t 1:ef00 -c 1:EFI -n 2:0:0 -t 2:8309 -c 2:cryptroot "$D" >/dev/null
i=0; while { [ ! -b ${D}p1 ] || [ ! -b ${D}p2 ]; } && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
ls -l ${D}*
mkfs.vfat -F 32 -n ESP ${D}p1 >/dev/null
printf %s "$PASS" | cryptsetup luksFormat --batch-mode --type luks2 --pbkdf argon2id \
	--pbkdf-memory 65536 --iter-time 200 ${D}p2 -
printf %s "$PASS" | cryptsetup open --key-file=- ${D}p2 cr
lvm pvcreate -q /dev/mapper/cr
lvm vgcreate -q vg /dev/mapper/cr
lvm lvcreate -q -L 64M -n swap vg
lvm lvcreate -q -l 100%FREE -n root vg
mkswap /dev/vg/swap >/dev/null
mkfs.ext4 -q -L debroot /dev/vg/root
mkdir -p /mnt && mount /dev/vg/root /mnt
tar -xf $T -C /mnt
echo rescue-data-42 >/mnt/root/rescue-test
umount /mnt
lvm vgchange -q -an vg
cryptsetup close cr
echo "LUKS-UUID $(cryptsetup luksUUID ${D}p2)"
EOF

test_expect_success 'setup: a disk as Debian installs an encrypted system, made by the rescue image' '
	tar=$("$ROOT/scripts/debian-root.sh") &&
	cp "$tar" "$TMP/root.tar" &&
	truncate -s $((DISK_SECTORS * 512)) "$TMP/luks.img" &&
	"$MINOS" test --kernel "$K" --rescue --memory 1024 --timeout 900 --machine q35 \
		--add "$TMP/mkdisk.sh:/mkdisk.sh" --disk "$TMP/root.tar" \
		--qemu-arg -drive --qemu-arg "if=none,id=nvm,file=$TMP/luks.img,format=raw" \
		--qemu-arg -device --qemu-arg nvme,drive=nvm,serial=RESCUE0001 \
		-- env PASS="$PASS" TARSEC=$(($(stat -c %s "$TMP/root.tar") / 512)) sh /mkdisk.sh >out
	cat out
	sed -n "s/^LUKS-UUID //p" out >"$TMP/luks.uuid"
	grep -E "^[0-9a-f]{8}-[0-9a-f]{4}-" "$TMP/luks.uuid"
	rm -f "$TMP/root.tar"
'
LUKS_UUID=$(cat "$TMP/luks.uuid" 2>/dev/null)
NVME="-drive if=none,id=nvm,file=$TMP/luks.img,format=raw,snapshot=on -device nvme,drive=nvm,serial=RESCUE0001"

test_expect_success 'the rescue ISO (q35, NVMe): cryptsetup open, vgchange, fsck, mount, read' '
	vm_start rs -M q35 -boot order=d -cdrom "$TMP/rescue.iso" $NVME
	trap "rc=\$?; vm_stop rs; exit \$rc" EXIT
	wait_for "~ # " rs.log 240
	guest rs "D=; for b in /sys/class/block/*; do [ \"\$(tr -d \" \" 2>/dev/null <\$b/device/serial)\" = RESCUE0001 ] && D=/dev/\${b##*/}; done; echo disk=\$D" >d
	cat d
	D=$(sed -n "s/^disk=//p" d)
	echo "cryptsetup open ${D}p2 cr; echo open-rc=\$?" >rs.in
	wait_for "Enter passphrase for ${D}p2" rs.log 60
	echo "$PASS" >rs.in
	wait_for "^open-rc=[0-9]" rs.log 120
	grep "^open-rc=0" rs.log
	guest rs "vgchange -ay vg; echo vg-rc=\$?" 60 >vg
	grep "vg-rc=0" vg
	guest rs "fsck.ext4 -f -y /dev/vg/root >/dev/null; echo fsck-rc=\$?" 120 >fsck
	grep "fsck-rc=0" fsck
	guest rs "mkdir -p /mnt; mount /dev/vg/root /mnt && cat /mnt/root/rescue-test" 60 >got
	grep "^rescue-data-42" got
	guest rs "ls -1 /dev/mapper /dev/vg" >nodes
	cat nodes
	grep vg-root nodes && grep -x swap nodes
	vm_stop rs
'

test_expect_success 'root=/dev/mapper/vg-root minos.luks=UUID: the passphrase on the console, systemd comes up' '
	vm_start lk -M q35 -kernel "$K" -initrd "$TMP/rescue.img" $NVME \
		-append "console=ttyS0 root=/dev/mapper/vg-root minos.luks=$LUKS_UUID rw panic=-1"
	trap "rc=\$?; vm_stop lk; exit \$rc" EXIT
	wait_for "Passphrase for .*$LUKS_UUID" lk.log 120
	echo "$PASS" >lk.in
	wait_for "LIVE-MARKER systemd" lk.log 180
	expect_absent "$PASS" lk.log
	vm_stop lk
'

test_expect_success 'a wrong passphrase three times: the emergency shell, naming the device' '
	vm_start bad -M q35 -kernel "$K" -initrd "$TMP/rescue.img" $NVME \
		-append "console=ttyS0 root=/dev/mapper/vg-root minos.luks=$LUKS_UUID panic=-1"
	trap "rc=\$?; vm_stop bad; exit \$rc" EXIT
	for i in 1 2 3; do
		wait_for "Passphrase for .*$LUKS_UUID" bad.log 120
		n=$(grep -c "Passphrase for" bad.log)
		echo "wrong-$i" >bad.in
		j=0; while [ "$(grep -c "Passphrase for" bad.log)" -eq "$n" ] && [ $j -lt 300 ] &&
			! grep -q "emergency" bad.log; do sleep 0.2; j=$((j + 1)); done
	done
	wait_for "emergency" bad.log 60
	grep -i "nvme0n1p2\|$LUKS_UUID" bad.log | grep -i "3 tries\|no key\|passphrase"
	expect_absent "wrong-1" bad.log
	expect_absent "Kernel panic" bad.log
	vm_stop bad
'

test_done
