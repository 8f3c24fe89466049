#!/bin/sh
# fetch-deb.sh PKG[:ARCH] [SUBDIR]: downloads one Debian package (any
# architecture apt knows, e.g. musl-dev:arm64) and unpacks it with dpkg-deb
# into a cache directory, never into the system, and prints that root.
# Nothing is installed; the host needs no multiarch install, only apt's
# lists for ARCH (dpkg --add-architecture ARCH; apt-get update: deps.sh).
#   root:  CACHE/SUBDIR/root, SUBDIR debs/PKG_ARCH by default
#   cache: $MINOS_CACHE, else ${XDG_CACHE_HOME:-$HOME/.cache}/minos
# Once unpacked it is not fetched again (remove the directory to refresh).
set -eu

die() { echo "fetch-deb: $*" >&2; exit 1; }

[ $# -ge 1 ] && [ $# -le 2 ] && [ -n "$1" ] ||
	{ echo "usage: fetch-deb.sh PKG[:ARCH] [SUBDIR]" >&2; exit 2; }
spec=$1
case $spec in
*:*) pkg=${spec%%:*} arch=${spec#*:} ;;
*) pkg=$spec arch=$(dpkg --print-architecture) ;;
esac
case $pkg in
'' | [!a-z0-9]* | *[!a-z0-9.+-]*) die "not a package name: '$spec'" ;;
esac
case $arch in
'' | *[!a-z0-9-]*) die "not an architecture: '$spec'" ;;
esac
sub=${2:-debs/${pkg}_$arch}
case $sub in
/* | *..*) die "SUBDIR is a path inside the cache: '$sub'" ;;
esac

cache=${MINOS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/minos}
dir=$cache/$sub
root=$dir/root
if [ -d "$root" ]; then
	echo "$root"
	exit 0
fi

# As root, apt-get download drops to the _apt user, which cannot write into
# root's cache, and says so in a warning: it downloads as root instead.
apt_as_root() { [ "$(id -u)" -ne 0 ] || echo "-o APT::Sandbox::User=root"; }

mkdir -p "$dir" 2>/dev/null || die "cannot create $dir"
tmp=$(mktemp -d "$dir/.fetch.XXXXXX") || die "cannot create a directory in $dir"
trap 'rm -rf "$tmp"; rmdir "$dir" 2>/dev/null || :' EXIT
trap 'exit 1' HUP INT TERM

echo "fetch-deb: downloading $pkg:$arch" >&2
if ! (cd "$tmp" && apt-get download -q $(apt_as_root) "$pkg:$arch" >"$tmp/apt.log" 2>&1); then
	why=$(sed -n 's/^E: //p' "$tmp/apt.log" | tail -n 1)
	if [ "$arch" != "$(dpkg --print-architecture)" ] &&
		! dpkg --print-foreign-architectures | grep -qx "$arch"; then
		die "cannot download $pkg:$arch: $arch is not one of dpkg's architectures" \
			"(dpkg --add-architecture $arch; apt-get update)"
	fi
	die "cannot download $pkg:$arch: ${why:-apt-get download failed} (offline, or apt's lists are old?)"
fi
set -- "$tmp"/*.deb
[ $# -eq 1 ] && [ -f "$1" ] || die "apt-get download of $pkg:$arch left no single .deb"
dpkg-deb -x "$1" "$tmp/root" 2>"$tmp/dpkg.log" ||
	die "cannot unpack $(basename "$1"): $(head -n 1 "$tmp/dpkg.log")"
dpkg-deb -f "$1" Package Version Architecture >"$tmp/root.control" 2>/dev/null || :

# Atomic: the root appears whole or not at all.  Another run that got there
# first wins (mv -T will not replace a directory that is not empty).
if ! mv -T "$tmp/root" "$root" 2>/dev/null; then
	[ -d "$root" ] || die "cannot move the unpacked package to $root"
fi
[ -f "$tmp/root.control" ] && mv "$tmp/root.control" "$dir/control" 2>/dev/null || :
echo "$root"
