#!/bin/sh
# Makes the Debian 12 root the live tests and benchmarks boot, and prints
# its path: `mmdebstrap --variant=minbase --include=systemd-sysv bookworm`
# with one service added, minos-marker, which prints a marker, checks that
# a file it writes lands in the overlay and not in the squashfs, and powers
# off.  A tarball, made once and cached:
#   cache: $MINOS_CACHE, else ${XDG_CACHE_HOME:-$HOME/.cache}/minos
# "debian-root.sh arm64" makes the same root for arm64, with file(1) in it
# (the --sysroot tests add it from there); qemu-user-static runs its second
# stage, through binfmt_misc, registered here if the host has not done it.
set -eu

arch=${1:-amd64}
cache=${MINOS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/minos}/live
case $arch in
amd64) out=$cache/debian12-systemd-v1.tar include=systemd-sysv ;;
arm64) out=$cache/debian12-systemd-arm64-v1.tar include=systemd-sysv,file ;;
*) echo "debian-root: unknown architecture '$arch' (amd64 or arm64)" >&2; exit 2 ;;
esac
mkdir -p "$cache"

# A foreign root's maintainer scripts run under QEMU's user-mode emulator:
# the kernel must know to hand it arm64 programs (Debian's qemu-user-static
# ships the rule; a container's host may not have loaded it).
binfmt() {
	b=/proc/sys/fs/binfmt_misc
	[ -e "$b/qemu-aarch64" ] && return 0
	if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
	[ -e "$b/register" ] || $SUDO mount -t binfmt_misc binfmt_misc "$b" 2>/dev/null || true
	[ -e "$b/qemu-aarch64" ] && return 0
	if [ ! -e "$b/register" ] || [ ! -r /usr/lib/binfmt.d/qemu-aarch64.conf ] ||
	   ! $SUDO sh -c "cat /usr/lib/binfmt.d/qemu-aarch64.conf >$b/register"; then
		echo "debian-root: cannot run arm64 programs: install qemu-user-static" \
			"and register its binfmt_misc rules (as root)" >&2
		exit 1
	fi
}

if [ ! -s "$out" ]; then
	[ "$arch" = amd64 ] || binfmt
	tmp=$(mktemp -d "$cache/.make.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	# After basic.target, not multi-user.target: minbase has no udev, so
	# the serial getty waits 90 s for its device unit.
	cat >"$tmp/minos-marker.service" <<'UNIT'
[Unit]
Description=minos live test: a marker, a file written, then poweroff
After=basic.target

[Service]
Type=oneshot
StandardOutput=journal+console
ExecStart=/bin/sh -c 'echo written >/root/written; sync; echo "LIVE-MARKER $(cat /proc/1/comm)"; if [ -e /run/minos/rw/upper/root/written ] && [ ! -e /run/minos/rootfs/root/written ]; then echo LIVE-OVERLAY-OK; fi'
ExecStartPost=/bin/systemctl poweroff --no-block

[Install]
WantedBy=multi-user.target
UNIT
	mmdebstrap --quiet --arch="$arch" --variant=minbase --include="$include" \
		--customize-hook="cp '$tmp/minos-marker.service' \"\$1/etc/systemd/system/\"" \
		--customize-hook='chroot "$1" systemctl enable --quiet minos-marker.service' \
		bookworm "$tmp/root.tar" >&2
	mv "$tmp/root.tar" "$out"
fi
echo "$out"
