# tests/lib.sh - a small TAP harness in the manner of git's t/test-lib.sh.
#
#   . "$(dirname "$0")/lib.sh"         (or ../lib.sh from tests/boot)
#   test_expect_success 'what it shows' '
#       commands; a failing one fails the test
#   '
#   test_done
#
# Each test runs in its own subshell with set -e, in a scratch directory
# ($TMP) that lives as long as the script.  What later tests share is made
# by a first test named 'setup', as in git's t/.  Boot tests run QEMU under
# TCG: on the machines this suite was written on, QEMU aborts under KVM.

set -u
TESTS=$(cd "$(dirname "$0")" && pwd)
case $TESTS in */tests/boot | */tests/kernels | */tests/rescue) TESTS=${TESTS%/*} ;; esac
ROOT=${TESTS%/tests}
BUILD=${MINOS_BUILD:-$ROOT/build}
MINOS=$BUILD/minos
export MINOS_ACCEL=${MINOS_ACCEL:-tcg}
# The dates the tests expect are their own: those that want one set it.
unset SOURCE_DATE_EPOCH
TMP=$(mktemp -d "${TMPDIR:-/tmp}/minos-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
# What minos itself puts in TMPDIR (guests' private directories, the
# console log a failed minos test keeps) stays in the test's directory too.
export TMPDIR=$TMP
test_count=0
test_failed=0

# TEST_ONLY=LIST runs only those tests of a script, by number or by
# name, comma-separated: TEST_ONLY=setup,4 (the others are skipped).
test_selected() {
	[ -z "${TEST_ONLY:-}" ] && return 0
	case ",$TEST_ONLY," in *,"$test_count",* | *,"$1",*) return 0 ;; esac
	return 1
}

test_expect_success() {
	test_count=$((test_count + 1))
	if ! test_selected "$1"; then
		echo "ok $test_count - # skip $1 (TEST_ONLY=$TEST_ONLY)"
		return
	fi
	( cd "$TMP"; set -e; eval "$2" ) >"$TMP/.log" 2>&1
	if [ $? -eq 0 ]; then
		echo "ok $test_count - $1"
	else
		echo "not ok $test_count - $1"
		sed 's/^/#   /' "$TMP/.log"
		# prove -j shows stderr, not the TAP diagnostics: say it there too.
		{ echo "$(basename "$0"): not ok $test_count - $1"; tail -40 "$TMP/.log"; } >&2
		test_failed=$((test_failed + 1))
	fi
}

test_done() {
	echo "1..$test_count"
	[ "$test_failed" -eq 0 ]
}

# The kernel the boot tests use: $MINOS_KERNEL, else Debian's, cached.
kernel() {
	if [ -n "${MINOS_KERNEL:-}" ]; then echo "$MINOS_KERNEL"; else "$ROOT/scripts/fetch-kernel.sh"; fi
}

# Fails, saying why, unless "$1" is exactly "$2".
expect_eq() {
	if [ "$1" != "$2" ]; then
		echo "expected: $2"
		echo "got:      $1"
		return 1
	fi
}

# test_cmp EXPECTED ACTUAL: fails, showing the difference, unless the files match.
test_cmp() {
	diff -u -- "$1" "$2"
}

# Fails if PATTERN is in FILE.  (Not "! grep": a negated command never
# stops a set -e shell, so such a test could not fail.)
expect_absent() {
	if grep -q -- "$1" "$2"; then
		echo "unexpected '$1' in $2:"; grep -- "$1" "$2"; return 1
	fi
}

# Fails unless running "$@" exits non-zero with one line on stderr naming
# what it was given, and leaves no file at $OUT.
expect_error() {
	pattern=$1; shift
	if "$@" >"$TMP/.stdout" 2>"$TMP/.stderr"; then
		echo "expected failure: $*"; return 1
	fi
	cat "$TMP/.stderr"
	expect_eq "$(wc -l <"$TMP/.stderr")" 1
	grep -q -- "$pattern" "$TMP/.stderr" || { echo "no '$pattern' in the error"; return 1; }
}

# boot IMG [QEMU ARGS...]: boots the test kernel and IMG under TCG with the
# console in console.log, until QEMU ends (at most $BOOT_TIMEOUT s).  For
# the tests that watch the console rather than use minos test.
boot() {
	img=$1; shift
	timeout "${BOOT_TIMEOUT:-120}" qemu-system-x86_64 -accel tcg -m 512 \
		-nodefaults -no-user-config -display none -no-reboot \
		-serial file:console.log -kernel "$(kernel)" -initrd "$img" \
		-append "console=ttyS0 panic=-1" "$@"
}

# wait_for PATTERN FILE [SECONDS]: until grep finds PATTERN in FILE.
wait_for() {
	i=0
	while ! grep -q -- "$1" "$2" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt $((${3:-90} * 5)) ]; then
			echo "timed out waiting for '$1' in $2:"; tail -20 "$2"; return 1
		fi
		sleep 0.2
	done
}

# An initramfs whose /etc/inittab is the text on stdin.
image_with_inittab() {
	cat >"$1.inittab"
	"$MINOS" initramfs -o "$1" --add "$1.inittab:/etc/inittab"
}

# QEMU's monitor: monitor SOCKET COMMAND
monitor() {
	echo "$2" | socat - "UNIX-CONNECT:$1" >/dev/null
}

# ---- a VM driven through its serial console and QMP ----

# vm_start NAME QEMU-ARGS...: the serial port through NAME.in/NAME.out (its
# text in NAME.log), QMP on NAME.qmp, a VGA display "video0".  VM_QEMU and
# VM_VIDEO change the QEMU and the display (arm64: qemu-system-aarch64, ramfb).
# A test that starts one stops it whatever happens with
#   trap "rc=\$?; vm_stop NAME; exit \$rc" EXIT
# (keeping the status: dash's exit status would be the trap's last command's).
vm_start() {
	name=$1; shift
	mkfifo "$name.in" "$name.out"
	cat "$name.out" >"$name.log" &
	echo $! >"$name.catpid"
	"${VM_QEMU:-qemu-system-x86_64}" -accel tcg -m 1024 -nodefaults -no-user-config -display none \
		-no-reboot -device "${VM_VIDEO:-VGA},id=video0" \
		-chardev "pipe,id=s0,path=$name" -serial chardev:s0 \
		-qmp "unix:$name.qmp,server=on,wait=off" "$@" >"$name.qemu.log" 2>&1 &
	echo $! >"$name.pid"
	# keeps the input open between the commands written to it
	sleep 100000 >"$name.in" &
	echo $! >"$name.holdpid"
}

# (A process already gone is no failure: under set -e a failed kill, the
# last command of its list, would end the test.)
vm_stop() {
	for p in pid holdpid catpid; do
		if [ -f "$1.$p" ]; then kill "$(cat "$1.$p")" 2>/dev/null || :; fi
	done
	# until QEMU is gone and has let go of the disks' locks
	i=0
	while [ -f "$1.pid" ] && kill -0 "$(cat "$1.pid")" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.2; i=$((i + 1))
	done
	return 0
}

# guest NAME COMMAND: runs COMMAND in the serial console's shell; its output
# is what the log has between the markers.
guest() {
	n=$(cat "$1.n" 2>/dev/null || echo 0); n=$((n + 1)); echo $n >"$1.n"
	printf '%s; echo "B""EGIN%s"; %s; echo "E""ND%s"\n' ":" "$n" "$2" "$n" >"$1.in"
	wait_for "^END$n" "$1.log" "${3:-60}"
	tr -d '\r' <"$1.log" | sed -n "/^BEGIN$n\$/,/^END$n\$/p" | sed '1d;$d'
}

qmp() {
	name=$1; shift
	{ echo '{"execute":"qmp_capabilities"}'; for c in "$@"; do echo "$c"; sleep 0.05; done; sleep 1; } |
		socat - "UNIX-CONNECT:$name.qmp"
}

# type_keys NAME TEXT: TEXT typed on the usb-kbd bound to video0, then Enter.
type_keys() {
	text=$2
	cmds=
	while [ -n "$text" ]; do
		c=${text%"${text#?}"}; text=${text#?}
		shift=false
		case $c in
		[a-z0-9]) k=$c ;;
		[A-Z]) k=$(echo "$c" | tr A-Z a-z) shift=true ;;
		' ') k=spc ;; '/') k=slash ;; '.') k=dot ;; '-') k=minus ;;
		'>') k=dot shift=true ;;
		*) echo "type_keys: no key for '$c'"; return 1 ;;
		esac
		for down in true false; do
			ev="{\"type\":\"key\",\"data\":{\"down\":$down,\"key\":{\"type\":\"qcode\",\"data\":\"$k\"}}}"
			$shift && ev="{\"type\":\"key\",\"data\":{\"down\":$down,\"key\":{\"type\":\"qcode\",\"data\":\"shift\"}}},$ev"
			cmds="$cmds {\"execute\":\"input-send-event\",\"arguments\":{\"device\":\"video0\",\"events\":[$ev]}}"
		done
	done
	for down in true false; do
		cmds="$cmds {\"execute\":\"input-send-event\",\"arguments\":{\"device\":\"video0\",\"events\":[{\"type\":\"key\",\"data\":{\"down\":$down,\"key\":{\"type\":\"qcode\",\"data\":\"ret\"}}}]}}"
	done
	# shellcheck disable=SC2086
	qmp "$1" $cmds >"$1.qmp.log"
	if grep -q '"error"' "$1.qmp.log"; then cat "$1.qmp.log"; return 1; fi
}

# nginx_start DIR: Debian's nginx serving DIR on 127.0.0.1, on a free port
# put in $NGINX_PORT, its logs in $TMP/nginx; nginx_stop ends it.
nginx_start() {
	NGINX_PORT=$("$ROOT/scripts/serve-http.sh" "$1" "$TMP/nginx")
}

nginx_stop() {
	[ ! -f "$TMP/nginx/nginx.pid" ] || kill "$(cat "$TMP/nginx/nginx.pid")" 2>/dev/null || :
	rm -f "$TMP/nginx/nginx.pid"
}
