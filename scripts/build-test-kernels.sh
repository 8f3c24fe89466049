#!/bin/sh
# Builds the small kernels some boot tests need, from Debian's linux-source
# package, into the cache (once; later runs print the paths at once):
#   pvh-bzip2   PVH entry note, bzip2 payload (minos cannot extract it: it
#               boots the bzImage, or the build tree's own vmlinux)
#   nopvh-gzip  no PVH note, gzip payload (minos boots the bzImage)
#   nosignalfd  PVH, gzip, and no CONFIG_SIGNALFD: minos-init must say so
#   kconfig     `minos kconfig --minimal` and one module, dummy (=m): its
#               modules come straight from the tree (no modules_install)
# Prints "VARIANT TREE" per variant; TREE has vmlinux and arch/x86/boot/bzImage.
#   cache: $MINOS_CACHE, else ${XDG_CACHE_HOME:-$HOME/.cache}/minos
set -eu

# As root, apt-get download drops to the _apt user, which cannot write into
# root's cache, and says so in a warning: it downloads as root instead.
apt_as_root() { [ "$(id -u)" -ne 0 ] || echo "-o APT::Sandbox::User=root"; }

here=$(cd "$(dirname "$0")/.." && pwd)
cache=${MINOS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/minos}/test-kernels
mkdir -p "$cache"

src=$cache/src
if [ ! -f "$src/Makefile" ]; then
	tmp=$(mktemp -d "$cache/.src.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && apt-get download -q $(apt_as_root) linux-source-6.1 >&2)
	dpkg-deb --fsys-tarfile "$tmp"/linux-source-6.1_*.deb |
		tar -x -C "$tmp" --wildcards '*/linux-source-6.1.tar.xz'
	mkdir "$tmp/tree"
	tar -x -J -C "$tmp/tree" --strip-components=1 -f "$tmp"/usr/src/linux-source-6.1.tar.xz
	rm -rf "$src"
	mv "$tmp/tree" "$src"
	rm -rf "$tmp"
	trap - EXIT
fi

# fresh VARIANT: built before from the same $cache/VARIANT.fragment: says so,
# and fails (nothing to do); else an empty $cache/VARIANT holding it.
fresh() {
	if [ -f "$cache/$1/.built" ] && cmp -s "$cache/$1.fragment" "$cache/$1/fragment.config"; then
		echo "$1 $cache/$1"
		return 1
	fi
	rm -rf "$cache/$1"
	mkdir -p "$cache/$1"
	mv "$cache/$1.fragment" "$cache/$1/fragment.config"
}

build() {	# variant, then the options it adds to tiny.config
	v=$1; shift
	out=$cache/$v
	# tiny.config's lines, but those the variant sets otherwise, then the variant's
	{ for o in "$@"; do echo "^${o%%=*}="; done >"$cache/$v.names"
	  grep -v -f "$cache/$v.names" "$here/tests/kernels/tiny.config"
	  for o in "$@"; do echo "$o"; done; } >"$cache/$v.fragment"
	rm -f "$cache/$v.names"
	fresh "$v" || return 0
	make -s -C "$src" O="$out" ARCH=x86_64 tinyconfig >&2
	"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" \
		"$out/fragment.config" >&2
	make -s -C "$src" O="$out" ARCH=x86_64 olddefconfig >&2
	# every option asked for must have survived the dependencies
	grep '^CONFIG_' "$out/fragment.config" | while read -r line; do
		case $line in
		*=n) grep -q "^# ${line%=n} is not set" "$out/.config" ||
			{ echo "build-test-kernels: $v: $line did not hold" >&2; exit 1; } ;;
		*) grep -qx "$line" "$out/.config" ||
			{ echo "build-test-kernels: $v: $line did not hold" >&2; exit 1; } ;;
		esac
	done
	make -s -C "$src" O="$out" ARCH=x86_64 -j"$(nproc)" bzImage >&2
	touch "$out/.built"
	echo "$v $out"
}

build pvh-bzip2 CONFIG_PVH=y CONFIG_KERNEL_BZIP2=y
build nopvh-gzip CONFIG_PVH=n CONFIG_KERNEL_GZIP=y
build nosignalfd CONFIG_PVH=y CONFIG_KERNEL_GZIP=y CONFIG_SIGNALFD=n

# The kernel a developer would make: minos kconfig --minimal in an O=
# directory, plus one driver as a module, built with its modules.
kconfig_build() {
	v=kconfig
	out=$cache/$v
	{ "$here/build/minos" kconfig --list; echo CONFIG_DUMMY=m; } >"$cache/$v.fragment"
	fresh "$v" || return 0
	make -s -C "$src" O="$out" ARCH=x86_64 tinyconfig >&2	# makes the O= directory
	"$here/build/minos" kconfig --minimal "$out" >&2
	printf "CONFIG_NETDEVICES=y\nCONFIG_NET_CORE=y\nCONFIG_DUMMY=m\n" >"$out/dummy.config"
	"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$out/dummy.config" >&2
	make -s -C "$src" O="$out" ARCH=x86_64 olddefconfig >&2
	grep -qx CONFIG_DUMMY=m "$out/.config" ||
		{ echo "build-test-kernels: $v: CONFIG_DUMMY=m did not hold" >&2; exit 1; }
	make -s -C "$src" O="$out" ARCH=x86_64 -j"$(nproc)" bzImage modules >&2
	touch "$out/.built"
	echo "$v $out"
}
kconfig_build
