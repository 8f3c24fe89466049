#!/bin/sh
# The source tree's own rules (scripts/layout.pl): small functions, no
# include cycle, the layers as folders, commands that only parse, call and
# report.
. "$(dirname "$0")/lib.sh"

test_expect_success 'no function in src/ or init/ is over 80 lines' '
	cd "$ROOT" && scripts/layout.pl funcs 80 src/*.c src/*/*.c init/*.c
'

test_expect_success 'the length check finds a long function' '
	{ echo "static int f(void)"; echo "{"; seq 81 | sed "s/^/\tx();/"; echo "}"; } >long.c
	if "$ROOT/scripts/layout.pl" funcs 80 long.c >out; then false; fi
	grep -qx "long.c:2: f() is 81 lines long" out
'

test_expect_success 'init/ has no include cycle' '
	cd "$ROOT" && scripts/layout.pl includes init >"$TMP/graph"
	grep -q "^init/main -> " "$TMP/graph"
'

test_expect_success 'src/ has no include cycle' '
	cd "$ROOT" && scripts/layout.pl includes src
'

test_expect_success 'the include check finds a cycle' '
	mkdir cyc && cd cyc
	printf "#include \"b.h\"\n" >a.c; : >a.h
	printf "#include \"a.h\"\n" >b.c; : >b.h
	if "$ROOT/scripts/layout.pl" includes . >out 2>err; then false; fi
	grep -q "include cycle: ./a -> ./b -> ./a" err
'

test_expect_success 'the tool and minos-init share only shared/channel.h' '
	cd "$ROOT"
	expect_eq "$(grep -l "#include \"\(\.\./\)*init/" src/*.c src/*/*.[ch] || :)" ""
	expect_eq "$(grep -l "#include \"\(\.\./\)*src/" init/*.[ch] || :)" ""
	expect_eq "$(ls shared)" channel.h
'

test_expect_success 'src/ is in folders by layer, main.c alone at its top' '
	cd "$ROOT"
	expect_eq "$(ls src | tr "\n" " ")" "cmd format image main.c media util vm "
'

test_expect_success 'the root has no file beyond README.md, COPYING, Makefile, .gitignore' '
	cd "$ROOT"
	[ -e .git ] || exit 0
	expect_eq "$(git ls-files | grep -v / | sort | tr "\n" " ")" ".gitignore COPYING Makefile README.md "
'

test_done
