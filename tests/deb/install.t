#!/bin/sh
# make check-deb: the package built by make deb goes into a fresh Debian 12
# root (mmdebstrap) with apt, which brings what it depends on and
# recommends; the minos installed there writes an ISO of that root's
# kernel and boots it under QEMU.  Slow (it downloads QEMU and a kernel):
# not part of make check.
. "$(dirname "$0")/../lib.sh"

DEB=$(ls "$BUILD"/minos_*_amd64.deb 2>/dev/null | tail -n 1)

test_expect_success 'the package is there (make deb)' '
	[ -n "$DEB" ] && dpkg-deb -c "$DEB" >contents &&
	grep -q " ./usr/bin/minos$" contents && grep -q " ./usr/lib/minos/minos-init$" contents &&
	grep -q " ./usr/share/man/man1/minos.1.gz$" contents &&
	grep -q " ./usr/share/bash-completion/completions/minos$" contents
'

test_expect_success 'apt installs it in a fresh Debian 12; minos iso and minos test work there' '
	cp "$DEB" minos.deb &&
	cat >inside.sh <<-\EOF &&
	# what failed is in the logs copied out; the hook itself always succeeds
	cd /tmp && : >out && : >iso.err && : >test.err
	export DEBIAN_FRONTEND=noninteractive
	# apt as a user has it: the configuration mmdebstrap runs with turns Recommends off
	unset APT_CONFIG
	apt-get install -y -q -o APT::Install-Recommends=true /tmp/minos.deb linux-image-amd64 \
		>apt.log 2>&1
	echo "apt=$?" >>out
	minos iso -o x.iso 2>iso.err
	echo "iso=$?" >>out
	MINOS_ACCEL=tcg minos test --iso x.iso -- sh -c "echo in-the-guest; exit 7" >>out 2>test.err
	echo "status=$?" >>out
	exit 0
	EOF
	mmdebstrap --quiet --variant=apt \
		--customize-hook="copy-in $TMP/minos.deb $TMP/inside.sh /tmp" \
		--customize-hook="chroot \"\$1\" sh /tmp/inside.sh" \
		--customize-hook="copy-out /tmp/out /tmp/apt.log /tmp/iso.err /tmp/test.err $TMP" \
		bookworm /dev/null &&
	cat out iso.err test.err && tail -5 apt.log &&
	grep -q "^apt=0$" out && grep -q "^iso=0$" out &&
	grep -q "^in-the-guest" out && grep -q "^status=7$" out
'

test_done
