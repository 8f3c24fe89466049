#!/bin/sh
# Builds the small kernels some boot tests need, from Debian's linux-source
# package, into the cache (once; later runs print the paths at once):
#   pvh-bzip2   PVH entry note, bzip2 payload (minos cannot extract it: it
#               boots the bzImage, or the build tree's own vmlinux)
#   nopvh-gzip  no PVH note, gzip payload (minos boots the bzImage)
#   nosignalfd  PVH, gzip, and no CONFIG_SIGNALFD: minos-init must say so
#   kconfig     `minos kconfig --minimal` and one module, dummy (=m): its
#               modules come straight from the tree (no modules_install)
#   verdict     `minos kconfig --minimal` plus what makes the kernel report
#               and explain faults: DWARF, KALLSYMS, ORC, KASAN, LKDTM,
#               KUnit (at boot with kunit.enable=1), hung-task and soft-lockup
#               detectors, SysRq, pvpanic, fw_cfg (vmcoreinfo); built with its
#               modules, so out-of-tree modules build against it (M=).  The
#               long one: 10 to 12 minutes on 2 cores, 840 MB (vmlinux 120
#               MB).  No PVH note (see below): minos boots its bzImage.
#   arm64       the kconfig variant for 64-bit ARM (#30): make ARCH=arm64
#               tinyconfig, `minos kconfig --minimal` (which reads the
#               architecture from the .config), dummy (=m); Image and modules
#               cross-built with aarch64-linux-gnu-gcc under nice -n 19.
#               Skipped, saying so, without the cross compiler (unless asked
#               for by name).  About 110 MB.
# Prints "VARIANT TREE" per variant; TREE has vmlinux and arch/x86/boot/bzImage
# (arm64's: arch/arm64/boot/Image).
# With VARIANT arguments, builds (and prints) only those; with --source,
# only unpacks the source (once) and prints "source DIR".
#   cache: $MINOS_CACHE, else ${XDG_CACHE_HOME:-$HOME/.cache}/minos
set -eu

# As root, apt-get download drops to the _apt user, which cannot write into
# root's cache, and says so in a warning: it downloads as root instead.
apt_as_root() { [ "$(id -u)" -ne 0 ] || echo "-o APT::Sandbox::User=root"; }

here=$(cd "$(dirname "$0")/.." && pwd)
source_only=
[ "${1:-}" != --source ] || { source_only=1; shift; }
all="pvh-bzip2 nopvh-gzip nosignalfd kconfig verdict arm64"
for v in "$@"; do
	case " $all " in *" $v "*) ;; *)
		echo "build-test-kernels: unknown variant '$v' (one of: $all)" >&2; exit 2 ;;
	esac
done
# want VARIANT: it was asked for (or nothing was, and so everything is)
want() { [ -z "$only" ] && return 0; case " $only " in *" $1 "*) return 0 ;; esac; return 1; }
only=$*
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
[ -z "$source_only" ] || { echo "source $src"; exit 0; }

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

# held VARIANT FRAGMENT: every option FRAGMENT asks for survived the
# dependencies in $cache/VARIANT/.config
held() {
	grep '^CONFIG_' "$2" | while read -r line; do
		case $line in
		*=n) grep -q "^# ${line%=n} is not set" "$cache/$1/.config" ||
			{ echo "build-test-kernels: $1: $line did not hold" >&2; exit 1; } ;;
		*) grep -qx "$line" "$cache/$1/.config" ||
			{ echo "build-test-kernels: $1: $line did not hold" >&2; exit 1; } ;;
		esac
	done
}

build() {	# variant, then the options it adds to tiny.config
	v=$1; shift
	want "$v" || return 0
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
	held "$v" "$out/fragment.config"	# every option asked for
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
	want "$v" || return 0
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

# The kernel whose verdict minos test reads (#29): minos kconfig --minimal,
# then what makes it report faults and say where (symbols, DWARF for file and
# line, an unwinder), find them (KASAN, hung tasks, soft lockups, RCU stalls
# on another CPU), provoke them (LKDTM's /sys/kernel/debug/provoke-crash),
# run KUnit at boot (kunit.enable=1: KUNIT_DEFAULT_ENABLED=n keeps other
# boots quiet) and tell QEMU (pvpanic, vmcoreinfo through fw_cfg: fw_cfg
# writes it only with CRASH_CORE, which PROC_KCORE selects).  No PVH: with
# KASAN, 6.1's PVH entry runs xen_prepare_pvh (instrumented) before
# kasan_early_init maps the shadow; it faults, the guest triple-faults with
# nothing on the console.  minos boots the bzImage instead (on pc).  No
# TIME_KUNIT_TEST: its one case takes 10 s under TCG with KASAN.  The
# built-in pci=noacpi (before the boot loader's words) spares 11 s of every
# TCG boot: ACPI's _PRT evaluation for PCI interrupts, with KASAN saving a
# stack trace per allocation; SeaBIOS's PIRQ table routes them instead.
verdict_options() {
	cat <<-EOF
	CONFIG_DEBUG_KERNEL=y
	CONFIG_PRINTK_TIME=y
	CONFIG_KALLSYMS=y
	CONFIG_KALLSYMS_ALL=y
	CONFIG_DEBUG_INFO_DWARF5=y
	CONFIG_UNWINDER_ORC=y
	CONFIG_STACKTRACE=y
	CONFIG_BUG=y
	CONFIG_DEBUG_BUGVERBOSE=y
	CONFIG_SMP=y
	CONFIG_SLUB=y
	CONFIG_KASAN=y
	CONFIG_KASAN_GENERIC=y
	CONFIG_KASAN_INLINE=y
	CONFIG_DEBUG_FS=y
	CONFIG_RUNTIME_TESTING_MENU=y
	CONFIG_LKDTM=y
	CONFIG_KUNIT=y
	CONFIG_KUNIT_DEFAULT_ENABLED=n
	CONFIG_KUNIT_DEBUGFS=y
	CONFIG_KUNIT_TEST=y
	CONFIG_KUNIT_EXAMPLE_TEST=y
	CONFIG_LIST_KUNIT_TEST=y
	CONFIG_SYSCTL_KUNIT_TEST=y
	CONFIG_PROC_SYSCTL=y
	CONFIG_DETECT_HUNG_TASK=y
	CONFIG_DEFAULT_HUNG_TASK_TIMEOUT=10
	CONFIG_SOFTLOCKUP_DETECTOR=y
	CONFIG_MAGIC_SYSRQ=y
	CONFIG_MAGIC_SYSRQ_SERIAL=y
	CONFIG_MAGIC_SYSRQ_DEFAULT_ENABLE=0x1
	CONFIG_PVPANIC=y
	CONFIG_PVPANIC_PCI=y
	CONFIG_PVPANIC_MMIO=y
	CONFIG_FW_CFG_SYSFS=y
	CONFIG_PROC_KCORE=y
	CONFIG_PANIC_TIMEOUT=0
	CONFIG_MODULES=y
	CONFIG_MODULE_UNLOAD=y
	CONFIG_PVH=n
	CONFIG_CMDLINE_BOOL=y
	CONFIG_CMDLINE="pci=noacpi"
	EOF
}
verdict_build() {
	v=verdict
	want "$v" || return 0
	out=$cache/$v
	{ "$here/build/minos" kconfig --list; verdict_options; } >"$cache/$v.fragment"
	fresh "$v" || return 0
	make -s -C "$src" O="$out" ARCH=x86_64 tinyconfig >&2	# makes the O= directory
	"$here/build/minos" kconfig --minimal "$out" >&2
	verdict_options >"$out/verdict.config"
	"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$out/verdict.config" >&2
	make -s -C "$src" O="$out" ARCH=x86_64 olddefconfig >&2
	held "$v" "$out/verdict.config"
	make -s -C "$src" O="$out" ARCH=x86_64 -j"$(nproc)" bzImage modules >&2
	touch "$out/.built"
	echo "$v $out"
}
verdict_build

# The kconfig variant's kernel for arm64, cross-built: configured as a
# developer on this amd64 host would, make ARCH=arm64 tinyconfig, then
# minos kconfig --minimal (its make gets ARCH=arm64 and CROSS_COMPILE from
# the .config's architecture), plus dummy as a module.  nice: the long
# build should not slow the boot tests beside it.
arm64_build() {
	v=arm64
	want "$v" || return 0
	cross="ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-"
	if ! command -v aarch64-linux-gnu-gcc >/dev/null; then
		echo "build-test-kernels: $v: no aarch64-linux-gnu-gcc (gcc-aarch64-linux-gnu): skipped" >&2
		[ -z "$only" ] || exit 1
		return 0
	fi
	out=$cache/$v
	{ "$here/build/minos" kconfig --list --arch arm64; echo CONFIG_DUMMY=m; } >"$cache/$v.fragment"
	fresh "$v" || return 0
	make -s -C "$src" O="$out" $cross tinyconfig >&2	# makes the O= directory
	"$here/build/minos" kconfig --minimal "$out" >&2
	printf "CONFIG_NETDEVICES=y\nCONFIG_NET_CORE=y\nCONFIG_DUMMY=m\n" >"$out/dummy.config"
	"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$out/dummy.config" >&2
	make -s -C "$src" O="$out" $cross olddefconfig >&2
	grep -qx CONFIG_ARM64=y "$out/.config" && grep -qx CONFIG_DUMMY=m "$out/.config" ||
		{ echo "build-test-kernels: $v: CONFIG_ARM64=y or CONFIG_DUMMY=m did not hold" >&2; exit 1; }
	nice -n 19 make -s -C "$src" O="$out" $cross -j"$(nproc)" Image modules >&2
	touch "$out/.built"
	echo "$v $out"
}
arm64_build
