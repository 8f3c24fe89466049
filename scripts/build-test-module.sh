#!/bin/sh
# Builds tests/kmod's modules (minos_fault.ko; minos_kunit_fail.ko where
# KUnit is built in) with DWARF, each in a copy of tests/kmod in the cache:
#   verdict  against scripts/build-test-kernels.sh's verdict tree (built
#            first if it is not: the long one)
#   debian   against Debian's kernel that scripts/fetch-kernel.sh fetches,
#            with its linux-headers-V, linux-headers-V-common (V without the
#            flavour) and linux-kbuild-X.Y downloaded and unpacked in the
#            cache, never installed (their absolute paths redirected there)
# Prints "verdict DIR" and "debian DIR"; DIR holds the .ko files.  With
# arguments (verdict, debian), builds and prints only those.  Later runs with
# the same sources and kernels print the directories at once.
#   cache: $MINOS_CACHE, else ${XDG_CACHE_HOME:-$HOME/.cache}/minos
set -eu

# As root, apt-get download drops to the _apt user, which cannot write into
# root's cache, and says so in a warning: it downloads as root instead.
apt_as_root() { [ "$(id -u)" -ne 0 ] || echo "-o APT::Sandbox::User=root"; }
die() { echo "build-test-module: $*" >&2; exit 1; }

here=$(cd "$(dirname "$0")/.." && pwd)
top=${MINOS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/minos}
cache=$top/test-modules
mkdir -p "$cache"
for t in "$@"; do
	case $t in verdict | debian) ;; *)
		echo "build-test-module: unknown kernel '$t' (verdict or debian)" >&2; exit 2 ;;
	esac
done
want() { [ -z "$only" ] && return 0; case " $only " in *" $1 "*) return 0 ;; esac; return 1; }
only=$*

# modules NAME KDIR: builds tests/kmod against the kernel build tree KDIR in
# $cache/NAME, unless the sources and KDIR's kernel are those of last time.
modules() {
	out=$cache/$1
	stamp=$( { cat "$here"/tests/kmod/*; cat "$2/include/config/kernel.release" \
		"$2/.config" "$2/Module.symvers"; } | cksum)
	if [ -f "$out/.built" ] && [ "$(cat "$out/.built")" = "$stamp" ]; then
		echo "$1 $out"
		return 0
	fi
	[ -f "$2/Module.symvers" ] || die "$2: no Module.symvers (built without its modules?)"
	rm -rf "$out"
	mkdir -p "$out"
	cp "$here"/tests/kmod/* "$out/"
	make -s -C "$2" M="$out" modules >&2 || die "$1: the modules did not build against $2"
	for ko in minos_fault.ko; do
		[ -f "$out/$ko" ] || die "$1: no $out/$ko"
	done
	echo "$stamp" >"$out/.built"
	echo "$1 $out"
}

if want verdict; then
	tree=$("$here/scripts/build-test-kernels.sh" verdict | sed -n 's/^verdict //p')
	[ -n "$tree" ] || die "scripts/build-test-kernels.sh printed no verdict tree"
	modules verdict "$tree"
fi

if want debian; then
	kernel=$("$here/scripts/fetch-kernel.sh")	# .../boot/vmlinuz-6.1.0-57-amd64
	v=${kernel##*/vmlinuz-}			# 6.1.0-57-amd64
	common=${v%-*}-common			# 6.1.0-57-common
	kbuild=$(echo "$v" | sed -n 's/^\([0-9]*\.[0-9]*\)\..*/\1/p')	# 6.1
	[ -n "$kbuild" ] || die "$kernel: no kernel version in its name"
	hdr=$top/kernel-headers/$v
	kdir=$hdr/root/usr/src/linux-headers-$v
	if [ ! -f "$hdr/.unpacked" ]; then
		rm -rf "$hdr"
		mkdir -p "$hdr"
		tmp=$(mktemp -d "$hdr/.fetch.XXXXXX")
		trap 'rm -rf "$tmp"' EXIT
		echo "build-test-module: downloading linux-headers-$v, linux-headers-$common, linux-kbuild-$kbuild" >&2
		(cd "$tmp" && apt-get download -q $(apt_as_root) "linux-headers-$v" \
			"linux-headers-$common" "linux-kbuild-$kbuild" >"$tmp/apt.log" 2>&1) ||
			{ cat "$tmp/apt.log" >&2; die "cannot download the headers of $v (apt-get update?)"; }
		# the three come from one source package: one version
		[ "$(for d in "$tmp"/*.deb; do dpkg-deb -f "$d" Version; done | sort -u | wc -l)" -eq 1 ] ||
			die "linux-headers-$v, linux-headers-$common and linux-kbuild-$kbuild differ in version"
		for d in "$tmp"/*.deb; do dpkg-deb -x "$d" "$tmp/root"; done
		# Their absolute paths (/usr/src/linux-headers-*, /usr/lib/linux-kbuild-X.Y,
		# lib/modules/V/build) point into the host: into this copy instead.
		root=$hdr/root
		grep -rlZ -e /usr/src/linux-headers- -e "/usr/lib/linux-kbuild-$kbuild" \
			"$tmp/root/usr/src/linux-headers-$v/Makefile" |
			xargs -0 -r sed -i -e "s|/usr/src/linux-headers-|$root/usr/src/linux-headers-|g" \
				-e "s|/usr/lib/linux-kbuild-$kbuild|$root/usr/lib/linux-kbuild-$kbuild|g"
		find "$tmp/root" -type l | while read -r l; do
			case $(readlink "$l") in
			/*) ln -sfn "$root$(readlink "$l")" "$l" ;;
			esac
		done
		mv "$tmp/root" "$root"
		rm -rf "$tmp"
		trap - EXIT
		touch "$hdr/.unpacked"
	fi
	modules debian "$kdir"
fi
