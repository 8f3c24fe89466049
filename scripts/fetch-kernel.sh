#!/bin/sh
# Fetches Debian's generic amd64 kernel package into a cache directory (never
# /boot) and prints the path of its bzImage.  The tests use it as $MINOS_KERNEL.
# "fetch-kernel.sh cloud" fetches the cloud flavour (the benchmarks use it);
# "fetch-kernel.sh arm64" Debian's arm64 kernel (a gzip'd Image, with its
# modules), downloaded as linux-image-*-arm64:arm64 (scripts/fetch-deb.sh).
#   cache: $MINOS_CACHE, else ${XDG_CACHE_HOME:-$HOME/.cache}/minos
set -eu

flavour=${1:-amd64}
case $flavour in
amd64) arch='' dir=kernel ;;
cloud) flavour=cloud-amd64 arch='' dir=kernel-cloud ;;
arm64) arch=:arm64 dir=kernel-arm64 ;;
*) echo "fetch-kernel: unknown flavour '$flavour' (amd64, cloud or arm64)" >&2; exit 2 ;;
esac
cache=${MINOS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/minos}

if ! ls "$cache/$dir"/root/boot/vmlinuz-* >/dev/null 2>&1; then
	# linux-image-FLAVOUR is a metapackage; its dependency names the real
	# one (with its architecture when that is a foreign one: ...-arm64:arm64).
	pkg=$(apt-cache depends "linux-image-$flavour$arch" 2>/dev/null |
		sed -n "s/^ *Depends: \(linux-image-[0-9].*-$flavour\)\(:[a-z0-9]*\)\{0,1\}\$/\1/p" |
		head -n 1)
	if [ -z "$pkg" ]; then
		echo "fetch-kernel: cannot find Debian's linux-image-*-$flavour$arch (run apt-get update)" >&2
		exit 1
	fi
	MINOS_CACHE=$cache "$(dirname "$0")/fetch-deb.sh" "$pkg$arch" "$dir" >/dev/null
fi

ls "$cache/$dir"/root/boot/vmlinuz-* | tail -n 1
