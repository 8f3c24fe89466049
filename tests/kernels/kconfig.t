#!/bin/sh
# The developer's loop on a kernel built here: linux-source-6.1 configured
# by `minos kconfig --minimal` in an O= directory plus dummy as a module
# (scripts/build-test-kernels.sh), booted from its build tree with the
# module straight from the tree: no modules_install, no modules.dep.
. "$(dirname "$0")/../lib.sh"

KERNELS=$("$ROOT/scripts/build-test-kernels.sh")
TREE=$(echo "$KERNELS" | sed -n 's/^kconfig //p')
export MINOS_CACHE=$TMP/cache

test_expect_success 'minos test --kernel TREE --module dummy: lsmod lists it, nothing installed' '
	[ -f "$TREE/modules.order" ] && [ ! -e "$TREE/modules.dep" ]
	grep -qx CONFIG_DUMMY=m "$TREE/.config"
	"$MINOS" test --kernel "$TREE" --module dummy -- sh -c "lsmod; uname -r" >out 2>err
	cat err out
	grep -q "^dummy " out
	expect_eq "$(tail -1 out)" "$(cat "$TREE/include/config/kernel.release")"
'

test_expect_success 'and the current directory is shared: a file written there is here' '
	"$MINOS" test --kernel "$TREE" -- sh -c "echo from-the-guest >written" 2>err
	cat err
	expect_eq "$(cat written)" from-the-guest
'

test_done
