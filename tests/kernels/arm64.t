#!/bin/sh
# The developer's loop for arm64 (#30): linux-source-6.1 configured with
# make ARCH=arm64 tinyconfig and `minos kconfig --minimal` (which reads the
# architecture from the .config and runs make for it), dummy as a module,
# cross-built with aarch64-linux-gnu-gcc (scripts/build-test-kernels.sh
# arm64), booted from its build tree on virt under TCG with the module
# straight from the tree: no modules_install, no modules.dep.
. "$(dirname "$0")/../lib.sh"

if ! command -v aarch64-linux-gnu-gcc >/dev/null || ! command -v qemu-system-aarch64 >/dev/null; then
	echo "1..0 # SKIP no aarch64-linux-gnu-gcc or qemu-system-aarch64 (scripts/deps.sh)"
	exit 0
fi
TREE=$("$ROOT/scripts/build-test-kernels.sh" arm64 | sed -n 's/^arm64 //p')
SRC=$("$ROOT/scripts/build-test-kernels.sh" --source | sed -n 's/^source //p')
# make gets the architecture from minos kconfig alone
unset ARCH CROSS_COMPILE

# An O= directory of the same source holding a copy of the tree's .config:
# make's own files there (Makefile, the source link), nothing configured.
test_expect_success 'setup' '
	mkdir o && cp "$TREE/.config" o/.config &&
	make -s -C "$SRC" O="$TMP/o" outputmakefile &&
	[ -L o/source ]
'

test_expect_success 'minos test --kernel TREE --module dummy: aarch64, dummy loaded, status 0' '
	[ -f "$TREE/arch/arm64/boot/Image" ] && [ -f "$TREE/modules.order" ] &&
	[ ! -e "$TREE/modules.dep" ]
	grep -qx CONFIG_ARM64=y "$TREE/.config"
	grep -qx CONFIG_DUMMY=m "$TREE/.config"
	"$MINOS" test --kernel "$TREE" --module dummy -- \
		sh -c "uname -m; grep -c dummy /proc/modules; uname -r" >out 2>err
	cat err out
	expect_eq "$(sed -n 1,2p out)" "$(printf "aarch64\n1")"
	expect_eq "$(sed -n 3p out)" "$(cat "$TREE/include/config/kernel.release")"
'

test_expect_success 'and the current directory is shared: a file written there is here' '
	"$MINOS" test --kernel "$TREE" -- sh -c "echo from-the-guest >written" 2>err
	cat err
	expect_eq "$(cat written)" from-the-guest
'

test_expect_success 'minos kconfig on the arm64 .config: every arm64 option, nothing changed' '
	"$MINOS" kconfig o >out 2>err
	cat err out
	n=$("$MINOS" kconfig --list --arch arm64 | wc -l)
	expect_eq "$(cat out)" "o/.config: $n of minos'"'"'s $n options set"
	test_cmp "$TREE/.config" o/.config
	"$MINOS" kconfig --list o | grep -q "^CONFIG_SERIAL_AMBA_PL011_CONSOLE "
	! "$MINOS" kconfig --list o | grep -q -e "^CONFIG_PVH " -e "^CONFIG_SERIAL_8250"
'

test_expect_success 'minos kconfig --minimal: the tree'"'"'s configuration again, but dummy' '
	"$MINOS" kconfig --minimal o >out 2>err
	cat err out
	grep -qx CONFIG_ARM64=y o/.config
	grep -qx "# CONFIG_DUMMY is not set" o/.config
	grep -v "CONFIG_DUMMY[ =]" "$TREE/.config" >want
	grep -v "CONFIG_DUMMY[ =]" o/.config >got
	test_cmp want got
'

test_expect_success 'an --arch the .config contradicts: one line, the .config kept' '
	cp o/.config before
	expect_error "o/.config: a configuration for arm64, but --arch says x86_64 (--minimal starts over)" \
		"$MINOS" kconfig --arch x86_64 o
	test_cmp before o/.config
'

test_done
