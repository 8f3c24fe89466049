#!/bin/sh
# Builds the kernel's selftests size, timers and exec from linux-source-6.1
# (the tree scripts/build-test-kernels.sh unpacks), statically linked, and
# installs them into the cache: the guest has BusyBox and minos-init, no C
# library, no perl, no python.  Prints "kselftests DIR"; in a guest,
#   cd DIR && minos test -- ./run_kselftest.sh
# runs them (minos test shares the current directory) and prints TAP.
# Once built, later runs print the directory at once.
# Run so on Debian's 6.1 (TCG): size and timers pass (timers take 9 minutes:
# they wait in real time); of exec, where the guest is not a full system,
#   load_address.0xN   no ld.so (they pass with --host-root)
#   binfmt_script.py   no python3
#   execveat           its script through a 4 KiB path: BusyBox's sh exits 2
#                      where the test wants 126 or 127
#   non-regular        its symlink to /bin/true runs BusyBox under the
#                      symlink's name ("applet not found")
# fail; from the 9p share also non-regular's FIFO and device cases (QEMU's
# 9p refuses special files) and execveat's AT_EMPTY_PATH cases: copied into
# the guest's own root first (cp -a . /tmp/ks), only the four above fail.
#   cache: $MINOS_CACHE, else ${XDG_CACHE_HOME:-$HOME/.cache}/minos
set -eu

die() { echo "build-kselftests: $*" >&2; exit 1; }
here=$(cd "$(dirname "$0")/.." && pwd)
cache=${MINOS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/minos}/kselftests
targets="size timers exec"

src=$("$here/scripts/build-test-kernels.sh" --source | sed -n 's/^source //p')
[ -f "$src/tools/testing/selftests/Makefile" ] || die "$src: no tools/testing/selftests"
stamp=$( { echo "$targets"; cat "$src/Makefile" "$0"; } | cksum)
if [ -f "$cache/install/.built" ] && [ "$(cat "$cache/install/.built")" = "$stamp" ]; then
	echo "kselftests $cache/install"
	exit 0
fi
rm -rf "$cache"
mkdir -p "$cache/build"

# The compiler, linking statically but what asks for a PIE (-pie or
# -static-pie): exec's load_address.0xN test a dynamically linked PIE's load
# address, so they stay dynamic (they run with --host-root, where ld.so is; a
# BusyBox guest cannot run them); load_address.static.0xN are static PIEs.
# A test's own definition of a libc function (timers' valid-adjtimex defines
# clock_adjtime) wins over libc.a's instead of failing the link.
cat >"$cache/cc" <<'CC'
#!/bin/sh
case " $* " in *" -pie "* | *" -static-pie "*) exec gcc "$@" ;; esac
exec gcc -static -Wl,--allow-multiple-definition "$@"
CC
chmod +x "$cache/cc"

# lib.mk installs with rsync -a --copy-unsafe-links: without rsync, cp -a
# (these targets have no link leading out of their tree).
if ! command -v rsync >/dev/null; then
	mkdir -p "$cache/bin"
	cat >"$cache/bin/rsync" <<'RSYNC'
#!/bin/sh
while [ $# -gt 0 ]; do case $1 in -*) shift ;; *) break ;; esac; done
[ $# -lt 2 ] || exec cp -a "$@"
RSYNC
	chmod +x "$cache/bin/rsync"
	PATH=$cache/bin:$PATH
fi

make -s -C "$src/tools/testing/selftests" O="$cache/build" CC="$cache/cc" \
	TARGETS="$targets" KSFT_INSTALL_PATH="$cache/install" install >&2 ||
	die "the selftests ($targets) did not build (log above)"
# Every program static (a dynamic one cannot run in the guest) but those.
find "$cache/install" -type f -perm -u+x ! -name 'load_address.0x*' | while read -r f; do
	if readelf -l "$f" 2>/dev/null | grep -q 'program interpreter'; then
		die "$f: dynamically linked"
	fi
done

# The runner times each test with /usr/bin/timeout --foreground, which
# BusyBox's timeout lacks (every test would fail with "unrecognized option"):
# without --foreground, BusyBox's timeout; without a limit (timeout=0 in a
# test's settings, as timers has), none, since BusyBox's timeout 0 would kill
# the test at once.
runner=$cache/install/kselftest/runner.sh
grep -q 'if \[ -x /usr/bin/timeout \] ; then' "$runner" || die "$runner: not the tap_timeout it expects"
sed -i 's|^\tif \[ -x /usr/bin/timeout \] ; then$|\tif [ -x /usr/bin/timeout ] \&\& /usr/bin/timeout --foreground 9 true 2>/dev/null; then|' "$runner"
sed -i '/--foreground 9 true/,/^\telse$/ s|^\telse$|\telif [ -x /usr/bin/timeout ] \&\& [ "$kselftest_timeout" != 0 ]; then\n\t\t/usr/bin/timeout "$kselftest_timeout" $1\n\telse|' "$runner"
grep -q 'elif \[ -x /usr/bin/timeout \]' "$runner" || die "$runner: could not teach it BusyBox's timeout"

echo "$stamp" >"$cache/install/.built"
echo "kselftests $cache/install"
