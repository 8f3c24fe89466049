#!/bin/sh
# Fetches Debian's generic amd64 kernel package into a cache directory (never
# /boot) and prints the path of its bzImage.  The tests use it as $MINOS_KERNEL.
#   cache: $MINOS_CACHE, else ${XDG_CACHE_HOME:-$HOME/.cache}/minos
set -eu

cache=${MINOS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/minos}
dir=$cache/kernel
mkdir -p "$dir"

if ! ls "$dir"/root/boot/vmlinuz-* >/dev/null 2>&1; then
	# linux-image-amd64 is a metapackage; its dependency names the real one.
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n 1)
	if [ -z "$pkg" ]; then
		echo "fetch-kernel: cannot find Debian's linux-image-*-amd64 (run apt-get update)" >&2
		exit 1
	fi
	tmp=$(mktemp -d "$dir/.fetch.XXXXXX")
	chmod 755 "$tmp"	# apt-get download runs as _apt where it can
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && apt-get download -q "$pkg" >&2)
	dpkg-deb -x "$tmp"/*.deb "$tmp/root"
	mv "$tmp/root" "$dir/root"
fi

ls "$dir"/root/boot/vmlinuz-* | tail -n 1
