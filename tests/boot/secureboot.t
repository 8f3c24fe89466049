#!/bin/sh
# Secure Boot: the default ISO with Debian's kernel boots through Debian's
# signed shim and GRUB under OVMF with Secure Boot enforced and Microsoft's
# keys enrolled, from CD and from a USB stick, and the guest reads Secure
# Boot as on; locked down, the kernel still takes Debian's signed modules
# and refuses one whose signature is cut off, and minos-init says why.
. "$(dirname "$0")/../lib.sh"

K=$(kernel)
REL=$(basename "$K"); REL=${REL#vmlinuz-}
MD=${K%/boot/*}/lib/modules/$REL

# In the guest: the SecureBoot variable's value (the byte after its 4
# attribute bytes: efivarfs cannot seek), the kernel's word on it, efivarfs (a signed module) loaded, the
# lockdown mode.
probe='od -An -tu1 /sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c | awk "{ print \$5 }"
	dmesg | grep -o "Secure boot enabled" | head -1
	grep -o "^efivarfs " /proc/modules
	cat /sys/kernel/security/lockdown'

test_expect_success 'setup' '
	"$MINOS" iso -o "$TMP/sb.iso" --kernel "$K" --timeout 0 2>err
	cat err
	"$MINOS" ls "$TMP/sb.iso" >listing
	grep "^# Secure Boot" listing
	grep -qx "# Secure Boot: ready" listing
	# a tree of two modules: efivarfs as Debian signed it, dummy with its
	# signature cut off (the trailer: signature, its 12-byte header, the magic)
	mkdir -p "$TMP/mods/lib/modules/$REL/kernel"
	cp "$MD/kernel/fs/efivarfs/efivarfs.ko" "$TMP/mods/lib/modules/$REL/kernel/"
	perl -e "local \$/; \$_ = <STDIN>; my \$m = \"~Module signature appended~\\n\";
		substr(\$_, -length \$m) eq \$m or die qq(no signature\\n);
		my \$n = unpack(q(N), substr(\$_, -length(\$m) - 4, 4));
		print substr(\$_, 0, length(\$_) - length(\$m) - 12 - \$n)" \
		<"$MD/kernel/drivers/net/dummy.ko" >"$TMP/mods/lib/modules/$REL/kernel/dummy.ko"
	! grep -q "Module signature appended" "$TMP/mods/lib/modules/$REL/kernel/dummy.ko"
	cp "$MD/modules.order" "$MD/modules.builtin" "$MD/modules.builtin.modinfo" \
		"$TMP/mods/lib/modules/$REL/"
	depmod -b "$TMP/mods" "$REL"
'

for way in --iso --usb; do
	test_expect_success "boots under Secure Boot with $way: the guest reads it on" "
		\"\$MINOS\" test --timeout 180 --secure-boot $way \"\$TMP/sb.iso\" -- sh -c '$probe' >out
		cat out
		expect_eq \"\$(cat out)\" \"1
Secure boot enabled
efivarfs 
none [integrity] confidentiality\"
	"
done

test_expect_success 'locked down, a module without its signature is refused, and why is said' '
	"$MINOS" iso -o unsigned-mod.iso --kernel "$K" --timeout 0 \
		--modules-dir "$TMP/mods/lib/modules/$REL" --drivers none --module dummy --module efivarfs
	"$MINOS" test --timeout 180 --secure-boot --iso unsigned-mod.iso -- \
		sh -c "grep -o \"^[a-z]* \" /proc/modules | sort; dmesg | grep \"cannot load module\"" >out
	cat out
	grep -qx "efivarfs " out
	! grep -q "^dummy " out
	grep -q "cannot load module .*dummy.ko: Key was rejected by service (the kernel takes only signed modules" out
'

test_expect_success 'without Secure Boot the same module loads: it was the lockdown' '
	"$MINOS" test --timeout 120 --kernel "$K" --modules-dir "$TMP/mods/lib/modules/$REL" \
		--drivers none --module dummy -- grep -c "^dummy " /proc/modules >out
	expect_eq "$(cat out)" 1
'

test_done
