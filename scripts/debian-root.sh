#!/bin/sh
# Makes the Debian 12 root the live tests and benchmarks boot, and prints
# its path: `mmdebstrap --variant=minbase --include=systemd-sysv bookworm`
# with one service added, minos-marker, which prints a marker, checks that
# a file it writes lands in the overlay and not in the squashfs, and powers
# off.  A tarball, made once and cached:
#   cache: $MINOS_CACHE, else ${XDG_CACHE_HOME:-$HOME/.cache}/minos
set -eu

cache=${MINOS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/minos}/live
out=$cache/debian12-systemd-v1.tar
mkdir -p "$cache"
if [ ! -s "$out" ]; then
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
	mmdebstrap --quiet --variant=minbase --include=systemd-sysv \
		--customize-hook="cp '$tmp/minos-marker.service' \"\$1/etc/systemd/system/\"" \
		--customize-hook='chroot "$1" systemctl enable --quiet minos-marker.service' \
		bookworm "$tmp/root.tar" >&2
	mv "$tmp/root.tar" "$out"
fi
echo "$out"
