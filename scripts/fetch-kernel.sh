#!/bin/sh
# Fetches Debian's generic amd64 kernel package into a cache directory (never
# /boot) and prints the path of its bzImage.  The tests use it as $MINOS_KERNEL.
# "fetch-kernel.sh cloud" fetches the cloud flavour (the benchmarks use it).
#   cache: $MINOS_CACHE, else ${XDG_CACHE_HOME:-$HOME/.cache}/minos
set -eu

# As root, apt-get download drops to the _apt user, which cannot write into
# root's cache, and says so in a warning: it downloads as root instead.
apt_as_root() { [ "$(id -u)" -ne 0 ] || echo "-o APT::Sandbox::User=root"; }

flavour=${1:-amd64}
case $flavour in
amd64) dir=kernel ;;
cloud) flavour=cloud-amd64 dir=kernel-cloud ;;
*) echo "fetch-kernel: unknown flavour '$flavour' (amd64 or cloud)" >&2; exit 2 ;;
esac
cache=${MINOS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/minos}
dir=$cache/$dir
mkdir -p "$dir"

if ! ls "$dir"/root/boot/vmlinuz-* >/dev/null 2>&1; then
	# linux-image-FLAVOUR is a metapackage; its dependency names the real one.
	pkg=$(apt-cache depends "linux-image-$flavour" 2>/dev/null |
		sed -n "s/^ *Depends: \(linux-image-[0-9].*-$flavour\)\$/\1/p" | head -n 1)
	if [ -z "$pkg" ]; then
		echo "fetch-kernel: cannot find Debian's linux-image-*-$flavour (run apt-get update)" >&2
		exit 1
	fi
	tmp=$(mktemp -d "$dir/.fetch.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	echo "fetch-kernel: downloading $pkg" >&2
	if ! (cd "$tmp" && apt-get download -q $(apt_as_root) "$pkg" >"$tmp/apt.log" 2>&1); then
		cat "$tmp/apt.log" >&2
		exit 1
	fi
	dpkg-deb -x "$tmp"/*.deb "$tmp/root"
	mv "$tmp/root" "$dir/root"
fi

ls "$dir"/root/boot/vmlinuz-* | tail -n 1
