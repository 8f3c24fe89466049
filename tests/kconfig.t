#!/bin/sh
# minos kconfig on a stand-in kernel tree: Kconfig files naming all of
# minos's options but one, and a Makefile whose olddefconfig drops one (as
# an unmet dependency does).  What is added, what is said, what is refused.
# Building a real kernel with it is tests/kernels' job (make check-kernels).
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup' '
	mkdir -p tree/arch/x86 tree/fs/9p
	"$MINOS" kconfig --list | sed "s/^CONFIG_\([A-Z0-9_]*\).*/\1/" >all
	[ $(wc -l <all) -ge 40 ]
	grep -v -x -e HW_RANDOM -e 9P_FS all | sed "s/^/config /" >tree/Kconfig
	printf "menuconfig 9P_FS\n\ttristate \"9p\"\n" >tree/fs/9p/Kconfig
	printf "%s\n" "tinyconfig:" "	echo CONFIG_TINY=y >.config" \
		"defconfig:" "	echo CONFIG_DEFAULT=y >.config" \
		"olddefconfig:" "	grep -v ^CONFIG_9P_FS= .config >.config.new; mv .config.new .config" \
		>tree/Makefile
'

test_expect_success 'without a .config: defconfig, then every option the tree knows, olddefconfig' '
	"$MINOS" kconfig tree >out 2>err
	cat out err
	grep -qx "CONFIG_DEFAULT=y" tree/.config
	grep -qx "CONFIG_SIGNALFD=y" tree/.config
	grep -qx "CONFIG_PVH=y" tree/.config
	! grep -q "CONFIG_HW_RANDOM" tree/.config
	grep -q "no .config: starting from make defconfig" err
	grep -q "^minos: warning: tree: CONFIG_HW_RANDOM (.*) is not in this tree.s Kconfig: left out" err
	grep -q "^minos: warning: tree/.config: CONFIG_9P_FS (.*) did not stay set" err
	n=$(wc -l <all)
	expect_eq "$(cat out)" "tree/.config: $((n - 2)) of minos'"'"'s $n options set (see the warnings)"
'

test_expect_success '--minimal starts from tinyconfig; a .config of ones own is kept otherwise' '
	"$MINOS" kconfig --minimal tree >/dev/null 2>&1
	grep -qx "CONFIG_TINY=y" tree/.config
	! grep -q "CONFIG_DEFAULT" tree/.config
	echo "CONFIG_MINE=y" >tree/.config
	"$MINOS" kconfig tree >/dev/null 2>&1
	grep -qx "CONFIG_MINE=y" tree/.config
	grep -qx "CONFIG_TTY=y" tree/.config
'

test_expect_success 'an O= output directory: its .config, the source tree'"'"'s Kconfig' '
	mkdir -p objdir && ln -s ../tree objdir/source && cp tree/Makefile objdir/
	"$MINOS" kconfig objdir >/dev/null 2>err
	grep -qx "CONFIG_PVH=y" objdir/.config
	! grep -q HW_RANDOM objdir/.config
'

test_expect_success 'errors: no kernel tree, a failing make, two directories' '
	mkdir -p empty
	expect_error "empty: not a kernel source tree (no Kconfig) nor an O= directory of one" "$MINOS" kconfig empty
	cp -r tree broken && printf "olddefconfig:\n\tfalse\n" >broken/Makefile
	"$MINOS" kconfig broken 2>err && false
	grep -q "^minos: broken: make olddefconfig failed" err
	"$MINOS" kconfig a b 2>err && false
	grep -q "expects at most one DIR" err
'

test_done
