#!/bin/sh
# Fast --kernel boots with Debian's kernel: the ELF inside the bzImage booted
# through its PVH entry, extracted once into the cache and checked before
# every boot (a damaged entry is made again, two runs racing on an empty
# cache both boot whole files); the on-the-fly initramfs cached; microvm
# where nothing needs PCI; --boot bzimage the old way; and a failed KVM try
# kept off the terminal.  A wrapper records what QEMU was started with.
. "$(dirname "$0")/../lib.sh"

K=$(kernel)
REAL_QEMU=$(command -v qemu-system-x86_64)

# The last QEMU command line the wrapper saw.
last_qemu() { tail -n 1 "$TMP/qemu.args"; }

test_expect_success 'setup' '
	mkdir -p wrap
	cat >wrap/qemu-system-x86_64 <<-EOF
	#!/bin/sh
	echo "\$*" >>"$TMP/qemu.args"
	exec "$REAL_QEMU" "\$@"
	EOF
	chmod +x wrap/qemu-system-x86_64
	# what QEMU prints on these machines when KVM cannot run the guest
	mkdir -p kvmfail
	cat >kvmfail/qemu-system-x86_64 <<-EOF
	#!/bin/sh
	case " \$* " in
	*" -accel kvm "*)
		echo "qemu-system-x86_64: error: failed to set MSR 0x10a to 0x0" >&2
		echo "qemu-system-x86_64: ../../target/i386/kvm/kvm.c:2893: kvm_buf_set_msrs: Assertion \\"ret == cpu->kvm_msr_buf->nmsrs\\" failed." >&2
		kill -ABRT \$\$ ;;
	esac
	exec "$REAL_QEMU" "\$@"
	EOF
	chmod +x kvmfail/qemu-system-x86_64
'

test_expect_success 'an empty cache: the vmlinux is extracted, booted through PVH on microvm' '
	PATH=$TMP/wrap:$PATH MINOS_CACHE=$TMP/c1 "$MINOS" test --kernel "$K" -- \
		sh -c "cat /proc/cmdline; echo ok" >out 2>err
	cat err out
	grep -q "machine: microvm; kernel: PVH entry, vmlinux extracted now" err
	expect_eq "$(tail -n 1 out)" ok
	last_qemu | grep -q -- "-M microvm"
	last_qemu | grep -q -- "-kernel /dev/fd/[0-9]* -initrd /dev/fd/[0-9]*"
	grep -q "tsc_early_khz=[1-9][0-9]*" out
	set -- c1/pvh/*.elf
	expect_eq "$#" 1
	file -L "$1" | grep -q "ELF 64-bit LSB executable, x86-64"
	expect_eq "$(basename "$1" .elf)" "$(sha256sum <"$K" | cut -d" " -f1)"
	ls c1/initrd/*.img
'

test_expect_success 'the next run takes both from the cache' '
	MINOS_CACHE=$TMP/c1 "$MINOS" test --kernel "$K" -- true 2>err
	cat err
	grep -q "kernel: PVH entry, vmlinux from the cache; initramfs from the cache" err
'

test_expect_success 'a flipped byte in the cached ELF: found, extracted again, never booted' '
	set -- c1/pvh/*.elf
	cp "$1" good.elf
	printf X | dd of="$1" bs=1 seek=20000000 conv=notrunc 2>/dev/null
	MINOS_CACHE=$TMP/c1 "$MINOS" test --kernel "$K" -- true 2>err
	cat err
	grep -q "damaged cache entry (checksum mismatch): extracting the vmlinux again" err
	grep -q "vmlinux extracted now" err
	cmp good.elf "$1"
'

test_expect_success 'a cut-short cached ELF: the same' '
	set -- c1/pvh/*.elf
	truncate -s 30000000 "$1"
	MINOS_CACHE=$TMP/c1 "$MINOS" test --kernel "$K" -- true 2>err
	cat err
	grep -q "damaged cache entry" err
	cmp good.elf "$1"
'

test_expect_success 'a damaged cached initramfs: built again' '
	set -- c1/initrd/*.img
	cp "$1" good.img
	truncate -s 1000 "$1"
	MINOS_CACHE=$TMP/c1 "$MINOS" test --kernel "$K" -- true 2>err
	cat err
	grep -q "damaged cache entry: building the initramfs again" err
	cmp good.img "$1"
'

test_expect_success 'two runs at once on an empty cache both boot, and leave one whole entry' '
	MINOS_CACHE=$TMP/c2 "$MINOS" test --kernel "$K" -- sh -c "exit 3" 2>err1 & p1=$!
	MINOS_CACHE=$TMP/c2 "$MINOS" test --kernel "$K" -- sh -c "exit 4" 2>err2 & p2=$!
	rc1=0; wait $p1 || rc1=$?
	rc2=0; wait $p2 || rc2=$?
	cat err1 err2
	expect_eq "$rc1 $rc2" "3 4"
	expect_eq "$(ls -A c2/pvh)" "$(basename c1/pvh/*.elf)"
	cmp good.elf c2/pvh/*.elf
	expect_eq "$(ls -A c2/initrd | wc -l)" 1
'

test_expect_success 'a changed initramfs input is a new entry; the old one stays' '
	echo hello >hello
	MINOS_CACHE=$TMP/c2 "$MINOS" test --kernel "$K" --add hello:/hello -- cat /hello >out 2>err
	cat err
	expect_eq "$(cat out)" hello
	expect_absent "initramfs from the cache" err
	expect_eq "$(ls -A c2/initrd | wc -l)" 2
'

test_expect_success 'MINOS_CACHE_SIZE holds the cache: the least recently used goes first' '
	MINOS_CACHE=$TMP/c2 MINOS_CACHE_SIZE=1 "$MINOS" test --kernel "$K" --add hello:/hi -- true
	expect_eq "$(ls -A c2/pvh | wc -l) $(ls -A c2/initrd | wc -l)" "0 1"
'

test_expect_success '--boot bzimage: the bzImage itself, on pc, as before' '
	PATH=$TMP/wrap:$PATH MINOS_CACHE=$TMP/c1 "$MINOS" test --kernel "$K" --boot bzimage \
		-- cat /proc/cmdline >out 2>err
	cat err out
	grep -q "machine: pc; kernel: bzImage" err
	last_qemu | grep -q -- "-M pc .*-kernel $K "
	expect_absent tsc_early_khz out
'

test_expect_success 'a disk or a monitor needs PCI: pc, still through PVH' '
	truncate -s 8M disk.img
	PATH=$TMP/wrap:$PATH MINOS_CACHE=$TMP/c1 "$MINOS" test --kernel "$K" --disk disk.img \
		-- true 2>err
	grep -q "machine: pc; kernel: PVH entry" err
	PATH=$TMP/wrap:$PATH MINOS_CACHE=$TMP/c1 "$MINOS" test --kernel "$K" --monitor "$TMP/mon" \
		-- true 2>err
	grep -q "machine: pc; kernel: PVH entry" err
'

test_expect_success 'option errors: one line each, before any boot' '
	expect_error "--boot: .efi.: expected auto, pvh or bzimage" "$MINOS" test --boot efi -- true
	expect_error "--machine: .isa.: expected auto, microvm, pc, q35 or virt" \
		"$MINOS" test --machine isa -- true
	expect_error "microvm has no PCI and no firmware for --disk" \
		"$MINOS" test --kernel "$K" --machine microvm --disk disk.img -- true
	expect_error "--boot: is for --kernel boots" "$MINOS" test --iso x.iso --boot pvh -- true
'

test_expect_success 'a failed KVM try says one line; QEMU'"'"'s own lines only with --verbose' '
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "no usable /dev/kvm: nothing to try"; exit 0; }
	PATH=$TMP/kvmfail:$PATH MINOS_ACCEL=auto "$MINOS" test --kernel "$K" -- true 2>err
	cat err
	grep -q "QEMU failed under KVM; falling back to TCG" err
	expect_absent "MSR" err
	expect_absent "Assertion" err
	expect_eq "$(grep -c . err)" 2
	PATH=$TMP/kvmfail:$PATH MINOS_ACCEL=auto "$MINOS" test --verbose --kernel "$K" -- true 2>err
	grep -q "failed to set MSR 0x10a" err
	grep -q "kvm_buf_set_msrs: Assertion" err
'

test_done
