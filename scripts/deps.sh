#!/bin/sh
# Installs everything minos needs to build, test and benchmark, from Debian's
# packages, then fetches the test kernel.  Safe to run again: it only calls
# apt-get when a package is missing.
set -eu

PACKAGES="build-essential pkg-config zlib1g-dev libzstd-dev liblzma-dev liblz4-dev
libdeflate-dev libisofs-dev libkmod-dev libssl-dev libsquashfs-dev libarchive-dev musl-tools
qemu-system-x86 qemu-utils ovmf squashfs-tools mmdebstrap attr
busybox-static cpio libarchive-tools xorriso grub-pc-bin grub-efi-amd64-bin
grub-common shim-signed shim-helpers-amd64-signed grub-efi-amd64-signed sbsigntool
mtools dosfstools e2fsprogs kmod zstd xz-utils lz4 gzip hyperfine
libxml2-utils tmux util-linux socat gdb file perl clang libclang-rt-14-dev
bc bison flex libelf-dev debhelper lintian python3-minimal
dnsmasq-base nginx-light iproute2 libdw-dev crash python3-drgn"

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing="$missing $p"
done

if [ -n "$missing" ]; then
	if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
	echo "deps: installing:$missing"
	# apt's own words (progress, debconf's notes) only if it fails
	log=$(mktemp)
	if ! { $SUDO apt-get update -q &&
	       $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends $missing; } >"$log" 2>&1; then
		tail -n 40 "$log" >&2
		rm -f "$log"
		echo "deps: apt-get failed (its last lines are above)" >&2
		exit 1
	fi
	rm -f "$log"
fi

exec "$(dirname "$0")/fetch-kernel.sh"
