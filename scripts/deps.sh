#!/bin/sh
# Installs everything minos needs to build, test and benchmark, from Debian's
# packages, then fetches the test kernel.  Safe to run again: it only calls
# apt-get when a package is missing, or apt has no lists for arm64 (whose
# packages minos fetches with apt-get download PKG:arm64 and unpacks into its
# cache, scripts/fetch-deb.sh: dpkg knows the architecture, nothing of it is
# installed).
set -eu

PACKAGES="build-essential pkg-config zlib1g-dev libzstd-dev liblzma-dev liblz4-dev
libdeflate-dev libisofs-dev libkmod-dev libssl-dev libsquashfs-dev libarchive-dev musl-tools
qemu-system-x86 qemu-utils ovmf squashfs-tools mmdebstrap arch-test attr
busybox-static cpio libarchive-tools xorriso grub-pc-bin grub-efi-amd64-bin
grub-common shim-signed shim-helpers-amd64-signed grub-efi-amd64-signed sbsigntool
mtools dosfstools e2fsprogs kmod zstd xz-utils lz4 gzip hyperfine
libxml2-utils tmux util-linux socat gdb file perl clang libclang-rt-14-dev
bc bison flex libelf-dev debhelper lintian python3-minimal
dnsmasq-base nginx-light iproute2 libdw-dev crash python3-drgn
qemu-system-arm qemu-efi-aarch64 gcc-aarch64-linux-gnu qemu-user-static openssh-client"

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing="$missing $p"
done

# The foreign architecture, and apt's lists of it.
foreign=""
dpkg --print-foreign-architectures | grep -qx arm64 || foreign=arm64
lists=$(apt-config shell d Dir::State::Lists/d 2>/dev/null | sed -n "s/^d='\(.*\)'$/\1/p")
set -- "${lists:-/var/lib/apt/lists/}"*_binary-arm64_Packages*
[ -e "$1" ] || update=yes

if [ -n "$missing$foreign" ] || [ -n "${update:-}" ]; then
	if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
	[ -z "$foreign" ] || echo "deps: adding dpkg's foreign architecture arm64"
	[ -z "$missing" ] || echo "deps: installing:$missing"
	[ -z "${update:-}" ] || echo "deps: apt has no lists for arm64: apt-get update"
	# apt's own words (progress, debconf's notes) only if it fails
	log=$(mktemp)
	if ! { { [ -z "$foreign" ] || $SUDO dpkg --add-architecture "$foreign"; } &&
	       $SUDO apt-get update -q &&
	       { [ -z "$missing" ] ||
	         $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends $missing; }; } >"$log" 2>&1; then
		tail -n 40 "$log" >&2
		rm -f "$log"
		echo "deps: dpkg or apt-get failed (their last lines are above)" >&2
		exit 1
	fi
	rm -f "$log"
fi

exec "$(dirname "$0")/fetch-kernel.sh"
