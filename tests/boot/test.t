#!/bin/sh
# minos test: statuses, output byte for byte, timeouts, dead guests,
# parallel runs and the KVM fallback.
. "$(dirname "$0")/../lib.sh"

K=$(kernel)
t() { "$MINOS" test --kernel "$K" --initrd "$TMP/default.img" "$@"; }

test_expect_success 'setup' '
	"$MINOS" initramfs -o "$TMP/default.img" --kernel "$K"
'

test_expect_success 'the guest command'"'"'s status is minos test'"'"'s: 7, then 0' '
	set +e
	t -- sh -c "exit 7"; rc=$?
	t -- true; rc2=$?
	set -e
	expect_eq "$rc $rc2" "7 0"
'

test_expect_success 'output is byte-identical to the same printf on the host' '
	t -- printf "a\nb\\\\tc\n" >guest.out
	printf "a\nb\\\\tc\n" >host.out
	od -c guest.out
	cmp host.out guest.out
'

test_expect_success 'arguments arrive exactly: quotes, backslashes, spaces, empty' '
	t -- printf "[%s]" "a b" "" "c\\d" "'"'"'q'"'"'" " x " >args.out
	printf "[%s]" "a b" "" "c\\d" "'"'"'q'"'"'" " x " >args.want
	cmp args.want args.out
'

test_expect_success 'stdout and stderr go apart; no console noise, no CR' '
	t -- sh -c "echo out; echo err >&2; echo out2" >so 2>se
	expect_eq "$(cat so)" "$(printf "out\nout2")"
	grep -qx err se
	expect_absent "$(printf "\r")" so
	expect_absent "Run /init" so
'

test_expect_success 'binary output survives, and output cannot fake a status' '
	t -- sh -c "head -c 100000 /dev/urandom | tee /tmp/r | md5sum >&2; cat /tmp/r; printf \"X\\0\\0\\0\\0\\0\\0\\0\\0\"; exit 3" >bin.out 2>bin.err || rc=$?
	expect_eq "$rc" 3
	expect_eq "$(head -c 100000 bin.out | md5sum | cut -d" " -f1)" "$(cut -d" " -f1 bin.err | tail -1)"
'

test_expect_success 'stdin reaches the command: lines, binary bytes intact, its end closes it' '
	expect_eq "$(printf "a\nb\n" | t -- wc -l)" 2
	head -c 65536 /dev/urandom >in.bin
	expect_eq "$(t -- md5sum <in.bin)" "$(md5sum <in.bin)"
	expect_eq "$(t -- wc -c </dev/null)" 0
	expect_eq "$(t -- sh -c "cat; echo end" <&-)" end
'

test_expect_success 'a command that leaves its stdin unread still ends with its status' '
	set +e
	t -- sh -c "exit 3" <in.bin; rc=$?
	set -e
	expect_eq "$rc" 3
'

# A WARN_ON's report as the kernel prints it, put on the console by the
# guest through /dev/kmsg (a kernel built to WARN is make check-kernels').
cat >"$TMP/warn.sh" <<\EOF
for l in "------------[ cut here ]------------" \
	"WARNING: CPU: 0 PID: 1 at fs/foo.c:123 foo_write+0x4c/0x90" "Modules linked in:" \
	"RIP: 0010:foo_write+0x4c/0x90" "Call Trace:" " <TASK>" " vfs_write+0xb0/0x2a0" \
	" ksys_write+0x5f/0xe0" " </TASK>" "---[ end trace 0000000000000000 ]---"; do
	echo "<4>$l" >/dev/kmsg
done
echo out; echo err >&2
EOF

test_expect_success 'a kernel WARNING fails a command that exits 0: status 250, one line, the log kept' '
	mkdir logs
	set +e
	TMPDIR=$TMP/logs t -- sh -c "$(cat "$TMP/warn.sh")" >out 2>err; rc=$?
	set -e
	cat err
	expect_eq "$rc" 250
	grep -x "minos: kernel: WARNING at fs/foo.c:123 foo_write+0x4c/0x90" err
	log=$(sed -n "s/^minos: the console.s log is in //p" err)
	expect_eq "$(dirname "$log")" "$TMP/logs"
	grep -q "WARNING: CPU: 0 PID: 1 at fs/foo.c:123" "$log"
'

test_expect_success '--kernel-reports warn: 0, the line, the log kept; ignore: silence; a clean run or a command'"'"'s own failure keeps no log' '
	rm -f logs/*
	TMPDIR=$TMP/logs t --kernel-reports warn -- sh -c "$(cat "$TMP/warn.sh")" >out 2>err
	grep -x "minos: kernel: WARNING at fs/foo.c:123 foo_write+0x4c/0x90" err
	grep -q "^minos: the console.s log is in $TMP/logs/" err
	rm -f logs/*
	TMPDIR=$TMP/logs t -- sh -c "exit 3" 2>err || :
	expect_absent "console.s log" err
	TMPDIR=$TMP/logs t --kernel-reports ignore -- sh -c "$(cat "$TMP/warn.sh")" >out 2>err
	expect_absent "minos: kernel:" err
	TMPDIR=$TMP/logs t -- true 2>err
	expect_absent "minos: kernel:" err
	expect_eq "$(ls logs)" ""
	expect_error "--kernel-reports: .sometimes.: expected fail, warn or ignore" \
		t --kernel-reports sometimes -- true
'

test_expect_success '--log FILE: the whole console, the command'"'"'s output marked by stream' '
	t --log console.log --kernel-reports warn -- sh -c "$(cat "$TMP/warn.sh")" >out 2>err
	grep -q "Linux version" console.log
	grep -q "WARNING: CPU: 0 PID: 1 at fs/foo.c:123" console.log
	grep -qx "\[minos test: stdout\] out" console.log
	grep -qx "\[minos test: stderr\] err" console.log
	expect_eq "$(cat out)" out
'

test_expect_success 'an image another tool made (dracut) is refused at once: one line, 125' '
	mkdir -p drc/usr/lib/dracut && echo x >drc/usr/lib/dracut/modules.txt
	printf "#!/bin/sh\nexec /bin/sh\n" >drc/init && chmod +x drc/init
	(cd drc && find . | cpio -o -H newc 2>/dev/null) | gzip >dracut.img
	set +e
	"$MINOS" test --kernel "$K" --initrd dracut.img -- true 2>err; rc=$?
	set -e
	cat err
	expect_eq "$rc $(wc -l <err)" "125 1"
	grep -q "dracut.img: made by dracut, whose /init cannot run minos test.s command" err
'

test_expect_success 'a guest that never opens the test channel is named at the timeout' '
	printf "#!/bin/busybox sh\n/bin/busybox sleep 1000\n" >sleeper && chmod +x sleeper
	"$MINOS" initramfs --bare --add /bin/busybox:/bin/busybox --add sleeper:/init -o sleeper.img
	set +e
	mkdir -p logs
	TMPDIR=$TMP/logs "$MINOS" test --kernel "$K" --initrd sleeper.img --timeout 10 -- true 2>err
	rc=$?
	set -e
	cat err
	expect_eq "$rc" 124
	grep -q "never opened the test channel (is minos-init its /init?)" err
'

test_expect_success '--timeout 25 on sleep 1000: 124 within 40 s' '
	start=$(date +%s)
	t --timeout 25 -- sleep 1000 2>err || rc=$?
	took=$(( $(date +%s) - start ))
	expect_eq "$rc" 124
	[ "$took" -lt 40 ]
	grep -q "timed out after 25 s" err
'

test_expect_success 'a kernel panic is 255 at once, not at the timeout' '
	start=$(date +%s)
	t --timeout 200 -- sh -c "echo c >/proc/sysrq-trigger" 2>err || rc=$?
	took=$(( $(date +%s) - start ))
	expect_eq "$rc" 255
	[ "$took" -lt 60 ]
	grep -q "guest died without reporting a status" err
	grep -q "Kernel panic" err
'

test_expect_success 'minos failures are 125: no kernel, bad option, no command' '
	"$MINOS" test --kernel /nonexistent -- true 2>err || rc=$?
	expect_eq "$rc" 125
	grep -q "/nonexistent" err
	"$MINOS" test --memory lots -- true 2>err || rc=$?
	expect_eq "$rc" 125
	"$MINOS" test --kernel "$K" 2>err || rc=$?
	expect_eq "$rc" 125
'

test_expect_success 'four runs at once each return their own status' '
	for i in 1 2 3 4; do
		( set +e; t -- sh -c "echo run-$i; exit $((10 + i))" >par.$i; echo $? >par.$i.rc ) &
	done
	wait
	for i in 1 2 3 4; do
		expect_eq "$(cat par.$i.rc) $(cat par.$i)" "$((10 + i)) run-$i"
	done
'

test_expect_success 'with MINOS_ACCEL unset it still passes, and says which accel' '
	env -u MINOS_ACCEL "$MINOS" test --kernel "$K" --initrd default.img -- echo fine >acc.out 2>acc.err
	cat acc.err
	expect_eq "$(cat acc.out)" fine
	if [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
		grep -q "falling back to TCG\|accel: kvm" acc.err
	else
		grep -q "accel: tcg" acc.err
	fi
'

test_expect_success 'SIGTERM stops the guest and leaves nothing behind' '
	mkdir -p priv
	TMPDIR=$TMP/priv "$MINOS" test --kernel "$K" --initrd default.img -- sleep 100 &
	pid=$!
	i=0; until ls priv | grep -q minos; do i=$((i + 1)); [ $i -lt 100 ]; sleep 0.1; done
	sleep 1
	kill -TERM $pid
	rc=0; wait $pid || rc=$?
	expect_eq "$rc" 143
	expect_eq "$(ls -A priv)" ""
'

# The seed's ISO: GRUB from grub-mkrescue around the kernel and our initramfs.
# The test channel reaches minos-init through any bootloader and firmware.
seed_iso() {
	mkdir -p iso/boot/grub
	cp "$K" iso/boot/bzImage
	cp default.img iso/boot/initrd.img
	cat >iso/boot/grub/grub.cfg <<-\EOS
	serial --unit=0 --speed=115200
	terminal_input serial console
	terminal_output serial console
	set timeout=0
	menuentry "minos" {
		linux /boot/bzImage console=ttyS0 panic=-1
		initrd /boot/initrd.img
	}
	EOS
	grub-mkrescue -o seed.iso iso 2>/dev/null
}

test_expect_success 'minos test --iso works under BIOS' '
	seed_iso
	"$MINOS" test --iso seed.iso -- sh -c "echo bios \$(uname -r); exit 4" >iso.out || rc=$?
	expect_eq "$rc $(cat iso.out)" "4 bios $(basename "$K" | sed "s/^vmlinuz-//")"
'

test_expect_success 'minos test --iso works under UEFI (OVMF)' '
	[ -f seed.iso ] || seed_iso
	"$MINOS" test --uefi --iso seed.iso -- sh -c "echo efi \$(cat /sys/firmware/efi/fw_platform_size); exit 5" >efi.out || rc=$?
	expect_eq "$rc $(cat efi.out)" "5 efi 64"
'

test_expect_success '--disk attaches a virtio disk (raw and qcow2 detected)' '
	truncate -s 8M raw.img
	qemu-img create -q -f qcow2 disk.qcow2 8M
	t --disk raw.img --disk disk.qcow2 -- sh -c "cat /sys/bus/pci/devices/*/device" >pci
	expect_eq "$(grep -c 0x1001 pci)" 2
'

test_expect_success '--gdb starts paused, prints the gdb line, and gdb attaches' '
	port=$((20000 + $$ % 20000))
	"$MINOS" run --kernel "$K" --initrd default.img --gdb=$port </dev/null >run.out 2>run.err &
	pid=$!
	wait_for "target remote localhost:$port" run.err 30
	grep -q "gdb vmlinux -ex .target remote localhost:$port." run.err
	sleep 1
	gdb -batch -nx -ex "target remote localhost:$port" -ex "info registers rip" >gdb.out 2>&1 || true
	kill $pid; wait $pid || true
	cat gdb.out
	grep -q "^rip *0xfff0" gdb.out
'

test_expect_success 'without --initrd, the default initramfs is built on the fly' '
	t2=$("$MINOS" test --kernel "$K" -- cat /proc/1/comm)
	expect_eq "$t2" init
'

test_expect_success '--qemu-arg: words to QEMU verbatim; a virtio RNG gives the guest /dev/hwrng' '
	show="test -c /dev/hwrng && cat /sys/class/misc/hw_random/rng_current || echo none"
	"$MINOS" test --kernel "$K" --module virtio_pci --module virtio_rng \
		--qemu-arg -device --qemu-arg virtio-rng-pci -- sh -c "$show" >with 2>err
	cat err
	expect_eq "$(cat with)" virtio_rng.0
	grep -q "machine: pc" err
	"$MINOS" test --kernel "$K" --module virtio_pci --module virtio_rng -- sh -c "$show" >without
	expect_eq "$(cat without)" none
	rc=0; "$MINOS" test --kernel "$K" --qemu-arg -nonsense -- true 2>err || rc=$?
	cat err
	expect_eq $rc 125
	grep -q "nonsense" err
'

test_expect_success '--share: host files read in the guest, guest files on the host after, :ro refused, spaces pass' '
	mkdir -p "shared dir" ro-dir &&
	echo made-on-the-host >"shared dir/host.txt" && echo keep >ro-dir/keep.txt &&
	"$MINOS" test --kernel "$K" --share "$PWD/shared dir" --share "$PWD/ro-dir:/mnt/ro:ro" -- sh -c "
		cat \"$PWD/shared dir/host.txt\"
		echo written-in-the-guest >\"$PWD/shared dir/guest.txt\"
		echo x 2>/dev/null >/mnt/ro/new.txt && echo ro-written || echo ro-refused
		cat /mnt/ro/keep.txt" >out &&
	cat out &&
	expect_eq "$(cat out)" "made-on-the-host
ro-refused
keep" &&
	expect_eq "$(cat "shared dir/guest.txt")" written-in-the-guest &&
	[ ! -e ro-dir/new.txt ]
'

test_expect_success 'minos test shares the current directory and runs the command there' '
	mkdir -p "dev tree" && cd "dev tree" &&
	printf "%s\n" "#include <stdio.h>" "#include <unistd.h>" \
		"int main(void) { char b[512]; printf(\"selftest in %s\\n\", getcwd(b, sizeof(b)));" \
		"FILE *f = fopen(\"result\", \"w\"); fputs(\"written\\n\", f); fclose(f); return 7; }" \
		>selftest.c &&
	cc -static -O2 -o selftest selftest.c &&
	rc=0 && "$MINOS" test --kernel "$K" -- ./selftest >out || rc=$? &&
	cat out &&
	expect_eq "$rc $(cat out)" "7 selftest in $PWD" &&
	expect_eq "$(cat result)" written &&
	cd / && "$MINOS" test --kernel "$K" -- sh -c "pwd; grep -c \" 9p \" /proc/mounts || :" >"$TMP/root.out" &&
	expect_eq "$(cat "$TMP/root.out")" "/root
0"
'

test_expect_success '--share errors: no such directory, a file, a relative guest path, with --iso' '
	touch afile &&
	rc=0 && "$MINOS" test --share "$PWD/no such dir" -- true 2>err || rc=$? &&
	cat err && expect_eq $rc 125 && expect_eq "$(wc -l <err)" 1 &&
	grep -q "^minos: --share: .*no such dir: No such file or directory" err &&
	expect_error "afile: Not a directory" "$MINOS" test --share afile -- true &&
	expect_error "expected HOSTDIR" "$MINOS" test --share "$PWD:guest" -- true &&
	expect_error "a share at / would hide" "$MINOS" test --share "$PWD:/" -- true &&
	expect_error "is for --kernel boots" "$MINOS" run --share "$PWD" --iso afile
'

test_expect_success '--host-root: the host'"'"'s Python in the guest; a write to /usr stays in the guest' '
	expected=$(/usr/bin/python3 -c "import sys; print(sys.version)") &&
	rm -f "/usr/minos-host-root-$$" &&
	mkdir -p hr && cd hr &&
	"$MINOS" test --kernel "$K" --host-root -- python3 -c "import sys; print(sys.version)" >out &&
	cat out && expect_eq "$(cat out)" "$expected" &&
	"$MINOS" test --kernel "$K" --host-root -- sh -c "
		echo guest >/usr/minos-host-root-$$ && cat /usr/minos-host-root-$$
		pwd; echo here >written; grep -c \" / overlay \" /proc/mounts
		grep -q \"^PPid:.0\" /proc/1/status && cat /proc/1/comm" >out &&
	cat out &&
	expect_eq "$(cat out)" "guest
$PWD
1
init" &&
	[ ! -e "/usr/minos-host-root-$$" ] && expect_eq "$(cat written)" here &&
	expect_error "--host-root: is for --kernel boots" "$MINOS" test --host-root --iso out -- true &&
	expect_error "--host-root: needs minos-init" "$MINOS" test --host-root --kernel "$K" \
		--initrd "$TMP/default.img" -- true
'

test_expect_success '--kernel DIR: a build tree, its modules from modules.order, no modules_install' '
	# a tree as a build leaves it, made of Debian'"'"'s kernel and two of its modules
	REL=$(basename "$K"); REL=${REL#vmlinuz-}; MD=${K%/boot/*}/lib/modules/$REL
	mkdir -p tree/arch/x86/boot tree/include/config tree/drivers/net tree/net/9p
	cp "$K" tree/arch/x86/boot/bzImage && echo "$REL" >tree/include/config/kernel.release
	cp "$MD/kernel/drivers/net/dummy.ko" tree/drivers/net/
	cp "$MD/kernel/net/9p/9pnet.ko" tree/net/9p/
	cp "$MD/modules.builtin" "$MD/modules.builtin.modinfo" tree/
	printf "drivers/net/dummy.ko\nnet/9p/9pnet.ko\n" >tree/modules.order
	[ ! -e tree/modules.dep ]
	"$MINOS" test --kernel "$PWD/tree" --module dummy -- \
		sh -c "grep -o \"^dummy \" /proc/modules; find /lib/modules -name \"*.ko\"" >out 2>err
	cat out err
	expect_eq "$(cat out)" "dummy 
/lib/modules/$REL/kernel/drivers/net/dummy.ko"
	# without 9p in it, the current directory cannot be shared: said on stderr
	grep -q "^minos-init: $PWD is not shared" err
	# --gdb names the tree'"'"'s vmlinux, the one with the symbols
	cp "$K" tree/vmlinux
	port=$((20000 + ($$ + 3) % 20000))
	"$MINOS" run --kernel "$PWD/tree" --gdb=$port </dev/null >run.out 2>run.err &
	pid=$!
	wait_for "target remote localhost:$port" run.err 30
	kill $pid; wait $pid || true
	grep -q "gdb $PWD/tree/vmlinux -ex .target remote localhost:$port." run.err
	mkdir -p notree
	rc=0; "$MINOS" test --kernel notree -- true 2>err || rc=$?
	cat err
	expect_eq "$rc $(wc -l <err)" "125 1"
	grep -q "^minos: notree: a directory, but no built kernel tree: no arch/x86/boot/bzImage" err
'

test_done
