#!/bin/sh
# The README, --help and the man page stay true to the code.
. "$(dirname "$0")/lib.sh"

for cmd in initramfs iso run test ls netboot; do
	test_expect_success "every option of 'minos help $cmd' is in minos.1" "
		\"\$MINOS\" help $cmd | grep -o -- '--[a-z][a-z-]*' | sort -u >opts
		[ -s opts ] || [ $cmd = ls ]
		while read -r o; do
			grep -q -- \"\$(echo \"\$o\" | sed 's/-/\\\\\\\\-/g')\" \"\$ROOT/docs/minos.1\" ||
				{ echo \"\$o is not in docs/minos.1\"; exit 1; }
		done <opts
	"
done

test_expect_success 'every command minos --help lists has a section in minos.1' '
	"$MINOS" --help | awk "/^Commands:/ { on = 1; next } on && !NF { exit } on { print \$1 }" |
		grep -v "^help$" >cmds
	[ $(wc -l <cmds) -ge 4 ]
	while read -r c; do grep -q "^\.SS minos $c" "$ROOT/docs/minos.1" || { echo "$c"; exit 1; }; done <cmds
'

test_expect_success 'the README has exactly the two set-up commands, and both are targets' '
	expect_eq "$(grep -c "^    make \(demo\|check\) " "$ROOT/README.md")" 2
	make -C "$ROOT" -n demo >/dev/null
	make -C "$ROOT" -n check >/dev/null
'

test_done
