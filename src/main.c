/* main.c - the minos command: dispatches to one function per command */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "util/util.h"

#ifndef MINOS_VERSION
#define MINOS_VERSION "0.0"
#endif

/* The initramfs options, as iso, run and test take them (INITRAMFS_LONGOPTS). */
#define INITRAMFS_OPTIONS_HELP \
	"\n" \
	"Initramfs options (without --initrd; see minos help initramfs):\n" \
	"      --busybox PATH  --busybox-src DIR  --init PATH  --add SRC[:DEST]\n" \
	"      --spec FILE  --compress NAME  --level N  --bare  --module NAME\n" \
	"      --drivers SET[,SET...]  --modules-dir DIR  --firmware-dir DIR\n" \
	"      --package NAME  --arch x86_64|arm64  --sysroot DIR  --rescue\n" \
	"      --root-stack luks,lvm,md  --ssh-key FILE\n"

/* The options of every command that boots (see qemu.h RUN_LONGOPTS). */
#define RUN_OPTIONS_HELP \
	"      --iso FILE          boot this ISO (from CD)\n" \
	"      --usb FILE          boot this image from a USB stick (as written with\n" \
	"                          dd; the guest's writes are discarded)\n" \
	"      --kernel FILE|DIR   boot this kernel (default: $MINOS_KERNEL, else\n" \
	"                          /boot/vmlinuz-$(uname -r), else the newest in /boot):\n" \
	"                          an x86 bzImage or an arm64 Image (plain, gzip'd or\n" \
	"                          EFI zboot), which boots on qemu-system-aarch64's virt;\n" \
	"                          a build tree (or O= directory): its bzImage (or its\n" \
	"                          vmlinux, through PVH) or arch/arm64/boot/Image and its\n" \
	"                          modules as modules.order lists them, no modules_install\n" \
	"      --initrd FILE       with it, this initramfs (default: the default\n" \
	"                          initramfs, built on the fly with the initramfs\n" \
	"                          options: --busybox, --init, --add, --spec...)\n" \
	"      --uefi              boot with UEFI firmware (Debian's ovmf; arm64:\n" \
	"                          qemu-efi-aarch64's AAVMF)\n" \
	"      --secure-boot       UEFI with Secure Boot enforced and Microsoft's keys\n" \
	"                          enrolled (OVMF_CODE_4M.secboot.fd, OVMF_VARS_4M.ms.fd,\n" \
	"                          q35 with SMM); with --iso or --usb\n" \
	"      --accel auto|kvm|tcg  default auto ($MINOS_ACCEL): KVM if it runs the\n" \
	"                          guest, else TCG with a warning\n" \
	"      --memory MB         guest memory (default 512)\n" \
	"      --cpus N            guest CPUs (default 1)\n" \
	"      --append STRING     more kernel command line (not with --iso)\n" \
	"      --disk FILE         attach a virtio disk, raw or qcow2 (repeatable)\n" \
	"      --gdb[=PORT]        start paused with QEMU's gdb stub (default 1234);\n" \
	"                          adds nokaslr; accel auto then means TCG\n" \
	"      --monitor PATH      QEMU's monitor as a Unix socket at PATH\n" \
	"                          (default: in a private temporary directory)\n" \
	"      --boot auto|pvh|bzimage  how a --kernel boot starts the kernel (default\n" \
	"                          auto): pvh boots the ELF vmlinux inside the bzImage\n" \
	"                          through its PVH entry (no decompressor), extracted\n" \
	"                          once into the cache, or the build tree's vmlinux;\n" \
	"                          auto does so when the kernel has the PVH note\n" \
	"      --machine auto|microvm|pc|q35|virt  QEMU's machine (default auto: microvm\n" \
	"                          for a PVH --kernel boot with no --disk, --monitor,\n" \
	"                          --qemu-arg or --uefi, q35 with --uefi, else pc;\n" \
	"                          virt for arm64, under TCG -cpu max,pauth-impdef=on)\n" \
	"      --arch x86_64|arm64  the guest's architecture where no kernel says it\n" \
	"                          (--iso, --usb, --netboot; default the host's)\n" \
	"      --netboot DIR       boot minos netboot's DIR from the network: QEMU's\n" \
	"                          TFTP serves it, its iPXE NIC ROM runs boot.ipxe\n" \
	"      --pxe               with --netboot: boot GRUB's loader, as plain PXE\n" \
	"                          firmware does (under UEFI, OVMF's own PXE)\n" \
	"      --net user|none|tap:NAME  QEMU's user-mode network on a virtio NIC, the host\n" \
	"                          being 10.0.2.2 (default: user for run, none for test\n" \
	"                          but --netboot), or the host's tap device NAME;\n" \
	"                          a --kernel boot's image gets the NIC's driver\n" \
	"      --forward HOST:GUEST  TCP port HOST on 127.0.0.1 to the guest's GUEST\n" \
	"                          (the user-mode network, minos test's too when\n" \
	"                          forwarding; repeatable)\n" \
	"      --share HOSTDIR[:GUESTDIR][:ro]  the host directory in the guest at\n" \
	"                          GUESTDIR (default: the same path) through virtio-9p,\n" \
	"                          read-only with :ro (repeatable; --kernel boots: the\n" \
	"                          on-the-fly image gets the 9p modules)\n" \
	"      --host-root         boot with the host's root as /, read-only through\n" \
	"                          9p under a tmpfs overlay, minos-init as PID 1: every\n" \
	"                          tool of the host, nothing of it written (--kernel\n" \
	"                          boots with the image built on the fly)\n" \
	"      --qemu-arg ARG      one more argument for QEMU, verbatim, after minos's\n" \
	"                          own (repeatable, one per word: --qemu-arg -device\n" \
	"                          --qemu-arg virtio-rng-pci): the escape hatch for what\n" \
	"                          minos does not model; minos does not check it\n" \
	"      --verbose           the kernel's whole log (a --kernel boot is otherwise\n" \
	"                          quiet), and what QEMU said in a failed KVM try\n" \
	"  -h, --help              this help\n" \
	INITRAMFS_OPTIONS_HELP \
	"\n" \
	"A --kernel boot's command line starts with console=ttyS0 (arm64: ttyAMA0) panic=-1\n" \
	"cryptomgr.notests quiet (and tsc_early_khz= on microvm under TCG, minos.net=dhcp\n" \
	"with --net user); --append words come last and win.  The vmlinux for PVH and the initramfs built on the\n" \
	"fly are cached in $MINOS_CACHE (else $XDG_CACHE_HOME/minos, else\n" \
	"~/.cache/minos), at most $MINOS_CACHE_SIZE MiB together (default 1024),\n" \
	"least recently used out first.\n"

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
	const char *usage;
} commands[] = {
	{"initramfs", cmd_initramfs, "build an initramfs from BusyBox, minos-init and extras",
	 "Usage: minos initramfs -o FILE [options]\n"
	 "\n"
	 "Builds a compressed newc cpio initramfs without root and without a staging\n"
	 "directory: a static BusyBox with every applet linked where BusyBox says,\n"
	 "minos-init as /init, /dev/console and /dev/null, and a skeleton of dev proc\n"
	 "sys root tmp run etc, all owned by root.  The same inputs give the same bytes.\n"
	 "\n"
	 "  -o, --output FILE       write the initramfs to FILE\n"
	 "      --busybox PATH      BusyBox to use (default: $MINOS_BUSYBOX, else busybox\n"
	 "                          on PATH); a dynamic one brings its libraries\n"
	 "      --busybox-src DIR   build a static BusyBox from the source tree DIR\n"
	 "      --init PATH         file to use as /init (default: minos-init)\n"
	 "      --add SRC[:DEST]    add a file, symlink or directory tree at DEST\n"
	 "                          (default: SRC if absolute, else /basename); ELF\n"
	 "                          programs bring their interpreter and libraries\n"
	 "      --spec FILE         add the entries of a gen_init_cpio spec file\n"
	 "      --compress NAME     none, gzip, zstd (default), xz or lz4\n"
	 "      --level N           compression level (gzip 1-12, zstd 1-22, xz 0-9,\n"
	 "                          lz4 1-12; defaults 6, 9, 6, 9)\n"
	 "      --kernel FILE       refuse a compression this kernel cannot decode; the\n"
	 "                          release --module takes modules for\n"
	 "      --module NAME       add a kernel module (name or alias) with everything\n"
	 "                          modprobe would load with it; minos-init loads it\n"
	 "                          at boot (repeatable)\n"
	 "      --drivers SET[,SET...]  drivers for the hardware the image boots on, loaded\n"
	 "                          by minos-init when a device needs them: generic (what\n"
	 "                          a rescue system needs on any PC or VM: storage, USB,\n"
	 "                          HID, virtio, filesystems, wired NICs), host (this\n"
	 "                          machine's devices), none, or module names; repeatable\n"
	 "                          (default none; minos iso's default is generic)\n"
	 "      --modules-dir DIR   the module tree (default: PREFIX/lib/modules/RELEASE\n"
	 "                          for a kernel PREFIX/boot/vmlinuz-RELEASE, else\n"
	 "                          /lib/modules/RELEASE; no modules.dep needed)\n"
	 "      --firmware-dir DIR  where the modules' firmware is (default: /lib/firmware)\n"
	 "      --package NAME      a Debian package: its files (not its documentation)\n"
	 "                          with its programs' libraries, and the data of the\n"
	 "                          packages it depends on (repeatable); installed on\n"
	 "                          the host, from the host, else downloaded with its\n"
	 "                          dependencies by apt-get download into the cache\n"
	 "                          (nothing installed); /usr/share/minos/packages\n"
	 "                          lists each with its version and origin\n"
	 "      --arch x86_64|arm64  the image's architecture (default: --kernel's, else\n"
	 "                          the host's); an arm64 image gets minos-init-arm64 and\n"
	 "                          Debian's busybox-static:arm64, fetched into the cache\n"
	 "                          with apt-get download (the arm64 archive enabled)\n"
	 "      --sysroot DIR       a root of the image's architecture (an mmdebstrap'ed\n"
	 "                          tree): --add'ed programs' libraries and --package's\n"
	 "                          packages come from it, not from the host\n"
	 "      --rescue            a rescue system: the generic drivers, the root\n"
	 "                          stack's tools (all of luks,lvm,md) and a set of\n"
	 "                          tools (filesystems, partitions, ddrescue, testdisk,\n"
	 "                          SMART, NVMe, efibootmgr, rsync, dropbear, lspci,\n"
	 "                          lsusb, less, vi), from the archive when not installed\n"
	 "      --root-stack LAYER[,LAYER...]  what a root on luks (cryptsetup), lvm\n"
	 "                          or md (mdadm) RAID needs: the tool and the kernel's\n"
	 "                          modules; minos-init opens them (minos.luks=UUID,\n"
	 "                          minos.md=) before it mounts root=\n"
	 "      --ssh-key FILE      root's authorized SSH public keys: minos-init starts\n"
	 "                          dropbear (no password logins; minos.ssh=off says no)\n"
	 "      --bare              no default contents: only what the options add\n"
	 "  -h, --help              this help\n"
	 "\n"
	 "An image with NIC drivers brings every wired interface up with DHCP at boot\n"
	 "(minos.net=dhcp|off|IFACE=ADDR/PREFIX[,GATEWAY] on the kernel command line\n"
	 "says otherwise).  Timestamps are $SOURCE_DATE_EPOCH, else 0.\n"},
	{"iso", cmd_iso, "write a hybrid ISO that boots BIOS and UEFI, from CD and USB",
	 "Usage: minos iso -o FILE [--initrd FILE | initramfs options] [options]\n"
	 "\n"
	 "Writes one ISO 9660 image (Rock Ridge, Joliet) that boots the kernel and the\n"
	 "initramfs through a GRUB menu under BIOS and UEFI, from a CD and from a USB\n"
	 "stick it is written to (dd): El Torito BIOS and EFI entries, GRUB's hybrid\n"
	 "MBR and a GPT with the EFI system partition.  GRUB core images are made by\n"
	 "grub-mkimage with only the modules needed, and cached.  The same inputs and\n"
	 "$SOURCE_DATE_EPOCH give the same bytes.\n"
	 "\n"
	 "  -o, --output FILE       write the ISO to FILE\n"
	 "      --kernel FILE       kernel to boot (default: $MINOS_KERNEL, else\n"
	 "                          /boot/vmlinuz-$(uname -r), else the newest\n"
	 "                          /boot/vmlinuz-*)\n"
	 "      --initrd FILE       initramfs to boot (default: build one in memory\n"
	 "                          from the initramfs options; see minos help initramfs)\n"
	 "      --cmdline STRING    kernel command line (default: \"console=tty0\n"
	 "                          console=ttyS0\": the screen and the first serial port)\n"
	 "      --timeout SECONDS   seconds the menu waits (default 5; 0 boots at once)\n"
	 "      --title STRING      the menu entry's title (default \"minos\")\n"
	 "      --label NAME        volume label: 1 to 32 of A-Z 0-9 _ - (default MINOS)\n"
	 "      --rootfs SRC        a live system: the root SRC (a directory, a tarball:\n"
	 "                          plain, gzip, xz, zstd, bzip2; or a squashfs image) as\n"
	 "                          a squashfs image on the ISO, with an overlay in RAM\n"
	 "                          over it at boot; SRC needs /sbin/init (or init=)\n"
	 "      --rootfs-compress zstd|xz  the squashfs compression (default zstd)\n"
	 "      --persist SIZE      with --rootfs: an empty ext4 partition of SIZE (64M,\n"
	 "                          2G) after the ISO that keeps the system's changes\n"
	 "      --secure-boot auto|on|off  boot UEFI through Debian's signed shim and\n"
	 "                          GRUB, for PCs with Secure Boot on (default auto: on\n"
	 "                          when the kernel's signature is one shim trusts, as\n"
	 "                          Debian's kernels' are, else off with a warning)\n"
	 "      --sign-key KEY      sign the kernel with KEY (PEM) and --sign-cert's\n"
	 "      --sign-cert CERT    certificate (PEM or DER), which goes on the ESP as\n"
	 "                          MINOS.CER to enrol with the MOK manager\n"
	 "  -h, --help              this help\n"
	 INITRAMFS_OPTIONS_HELP
	 "      (--drivers defaults to generic here: the image is for real machines)\n"
	 "\n"
	 "The menu shows on the screen and on the first serial port (115200 baud), and\n"
	 "so does a shell: on the screen once Enter is pressed there.  A live system\n"
	 "takes minos.toram (copy the root into RAM, let the medium go) and\n"
	 "minos.persist=LABEL=NAME|UUID=... (keep changes there: ext4, btrfs, xfs).\n"
	 "Needs grub-mkimage (grub-common), grub-pc-bin and grub-efi-amd64-bin; GRUB\n"
	 "is read from $MINOS_GRUB_DIR, else /usr/lib/grub, and the core images are\n"
	 "cached in $MINOS_CACHE, else $XDG_CACHE_HOME/minos, else ~/.cache/minos.\n"
	 "Secure Boot needs shim-signed, shim-helpers-amd64-signed and\n"
	 "grub-efi-amd64-signed; minos ls tells whether an ISO is ready for it.\n"},
	{"run", cmd_run, "boot in QEMU with the serial console as the terminal",
	 "Usage: minos run [--iso FILE | --usb FILE | --netboot DIR | --kernel FILE\n"
	 "                 [--initrd FILE]] [options]\n"
	 "\n"
	 "Boots in QEMU, the guest's serial console on this terminal.  Ctrl-A X quits;\n"
	 "the terminal is restored however the guest ends.  minos-init's console gets\n"
	 "this terminal's size, again after every resize, and its type as TERM.\n"
	 "\n"
	RUN_OPTIONS_HELP},
	{"test", cmd_test, "boot, run a command in the guest, return its status",
	 "Usage: minos test [run options] [--timeout SECONDS] [--verbose] [--timeline FILE.svg]\n"
	 "                  [--kernel-reports fail|warn|ignore] [--log FILE] [--vmlinux FILE]\n"
	 "                  [--hang-timeout SECONDS] [--dump FILE] [--dump-format kdump|elf]\n"
	 "                  [--junit FILE] [--kunit]\n"
	 "                  -- COMMAND [ARG]...\n"
	 "\n"
	 "Boots headless, runs COMMAND with its arguments exactly as given in the guest\n"
	 "(through minos-init, which must be the image's /init), streams its stdout and\n"
	 "stderr to ours, ends the guest and exits with the command's status.  A\n"
	 "--kernel boot with its image built on the fly and no --share shares the\n"
	 "current directory at the same path (not / or a directory of the guest's\n"
	 "system) and runs the command there: minos test -- ./selftest runs a program\n"
	 "built here, and what it writes there stays.  Our stdin is the command's.\n"
	 "The kernel's own reports on the console (WARNING, BUG, Oops, KASAN, UBSAN,\n"
	 "lockdep, hung tasks, lockups, RCU stalls, panics) are results: one line each\n"
	 "on stderr, and a command that exits 0 despite them fails with 250.  With a\n"
	 "vmlinux that has debug information (a build tree's, --vmlinux) their call\n"
	 "traces are decoded to file:line, inlined frames too.  A guest still running\n"
	 "at the timeout is asked where it hangs (SysRq l and w over the serial line,\n"
	 "or an NMI): a line per CPU and blocked task, the backtraces in the log.\n"
	 "\n"
	 "      --timeout SECONDS   give up after this long (default 300)\n"
	 "      --kernel-reports fail|warn|ignore\n"
	 "                          a kernel report fails the test (default), is only\n"
	 "                          said, or is ignored\n"
	 "      --log FILE          write the guest's whole console there (the kernel's\n"
	 "                          whole log; the command's output marked [minos test:\n"
	 "                          stdout] and [minos test: stderr]); without it, a\n"
	 "                          test that timed out, whose guest died or whose\n"
	 "                          kernel reported a fault keeps its console in a\n"
	 "                          file it names\n"
	 "      --vmlinux FILE      decode the reports' call traces with this vmlinux\n"
	 "                          (default: the --kernel build tree's); modules'\n"
	 "                          frames from the .ko files of the image's modules\n"
	 "      --hang-timeout SECONDS\n"
	 "                          a guest silent this long (console and command) hangs:\n"
	 "                          asked where, as at the timeout, then status 124\n"
	 "      --dump FILE         when the guest panics, write its memory there as a\n"
	 "                          kdump-compressed vmcore (crash, drgn), then 255\n"
	 "      --dump-format kdump|elf\n"
	 "                          the vmcore's format: kdump (default) or an ELF core\n"
	 "                          as big as the guest's memory\n"
	 "      --junit FILE        write the (K)TAP results the command printed (or,\n"
	 "                          if it printed none, the kernel's log) as JUnit XML,\n"
	 "                          with the kernel's reports and the command's status\n"
	 "      --kunit             boot with KUnit on (kunit.enable=1, the whole log),\n"
	 "                          read its KTAP from the console, print a summary;\n"
	 "                          COMMAND defaults to true\n"
	 "      --verbose           also: the guest's console (kernel log) on stderr,\n"
	 "                          and the timeline's table\n"
	 "      --timeline FILE.svg write when each boot stage began (vmlinux extraction,\n"
	 "                          initramfs, firmware, bootloader, kernel decompression\n"
	 "                          or PVH entry and start, minos-init, the command,\n"
	 "                          poweroff) as an SVG picture; adds earlyprintk=serial to a\n"
	 "                          --kernel boot's command line\n"
	RUN_OPTIONS_HELP
	 "\n"
	 "Exit status: the command's; 124 on timeout; 125 if minos itself failed (bad\n"
	 "arguments, QEMU missing, unreadable kernel); 250 if the command exited 0 but\n"
	 "the kernel reported a fault; 1 if it exited 0 but with --junit or --kunit a\n"
	 "(K)TAP test failed or did not finish; 255 if the guest died without a status\n"
	 "(kernel panic, init crash).\n"},
	{"ls", cmd_ls, "list an initramfs, an ISO or a squashfs image",
	 "Usage: minos ls [--max-memory MIB] [--max-time SECONDS] FILE\n"
	 "\n"
	 "Lists the entries of an initramfs, an ISO or a squashfs image like ls -l:\n"
	 "mode, links, owner, group, size (or device numbers), time, path and symlink\n"
	 "target.\n"
	 "Names and link targets are printed escaped (\\n, \\033...), as ls -b does.\n"
	 "Reads newc and crc cpio, plain or compressed with gzip, zstd, xz or lz4, and\n"
	 "files of several segments (an early-microcode cpio followed by a compressed\n"
	 "one); each segment after the first is marked with a line starting with '#'.\n"
	 "An ISO 9660 image is listed with its Rock Ridge names and attributes, then\n"
	 "one line per El Torito boot entry, starting with '# El Torito', then lines\n"
	 "starting with '# Secure Boot' on whether it boots with Secure Boot on: the\n"
	 "UEFI loader's signer, and whether shim trusts the GRUB and each kernel\n"
	 "(vmlinuz*, bzImage*) beside it, read from their signatures as shim reads\n"
	 "them, ending '# Secure Boot: ready' or '...: not ready: WHY'; then a live\n"
	 "system's squashfs root, each path after 'minos/root.sqfs:'.\n"
	 "\n"
	 "The file may come from anywhere: the listing runs held to a memory and a\n"
	 "time limit, and says which one it hit.  The file is mapped, not read into\n"
	 "the memory, and its archives are read as they unpack: any size is listed.\n"
	 "  --max-memory MIB     memory limit, default 256 ($MINOS_MAX_MEMORY): what the\n"
	 "                       reader allocates, of which a decoder's window (xz,\n"
	 "                       zstd) may take 1/2; what the file unpacks to is held\n"
	 "                       to 16 times it in all (4 GiB), which stops a bomb\n"
	 "  --max-time SECONDS   time limit, default 10 ($MINOS_MAX_TIME)\n"
	 "  -h, --help           this help\n"},
	{"netboot", cmd_netboot, "write a directory that boots BIOS, UEFI and iPXE clients",
	 "Usage: minos netboot -o DIR [--initrd FILE | initramfs options] [options]\n"
	 "\n"
	 "Writes DIR, which a TFTP or HTTP server serves as it is, to boot a fleet from\n"
	 "the network: vmlinuz and initrd.img; grub/core.0 for BIOS PXE clients and\n"
	 "grub/bootx64.efi for UEFI ones (GRUB network cores with only the modules\n"
	 "needed, fetching the kernel and initrd by TFTP, menu in grub/grub.cfg);\n"
	 "boot.ipxe for iPXE clients (over HTTP from --http's URL, else by TFTP);\n"
	 "dnsmasq.conf, proxy DHCP and TFTP beside an existing DHCP server, which\n"
	 "sends iPXE the script and never a loader again; a README on serving it.\n"
	 "DIR must be new, empty or an older minos netboot directory, which is\n"
	 "replaced whole.  The same inputs and $SOURCE_DATE_EPOCH give the same bytes.\n"
	 "\n"
	 "  -o, --output DIR        write the directory DIR\n"
	 "      --kernel FILE       kernel to boot (default as for minos iso)\n"
	 "      --initrd FILE       initramfs to boot (default: build one in memory\n"
	 "                          from the initramfs options; see minos help initramfs)\n"
	 "      --cmdline STRING    kernel command line (default: \"console=tty0\n"
	 "                          console=ttyS0\")\n"
	 "      --http URL          the base URL (http://HOST[:PORT]/PATH) where DIR is\n"
	 "                          served: boot.ipxe fetches the kernel and initrd there\n"
	 "      --timeout SECONDS   seconds GRUB's menu waits (default 0)\n"
	 "      --title STRING      the menu entry's title (default \"minos\")\n"
	 "  -h, --help              this help\n"
	 INITRAMFS_OPTIONS_HELP
	 "      (--drivers defaults to generic here: the image is for real machines)\n"
	 "\n"
	 "Boot it in QEMU with minos run --netboot DIR (minos help run).\n"},
	{"kconfig", cmd_kconfig, "add what a minos boot needs to a kernel tree's .config",
	 "Usage: minos kconfig [--minimal] [--arch x86_64|arm64] [DIR]\n"
	 "       minos kconfig --list [--arch x86_64|arm64] [DIR]\n"
	 "\n"
	 "Adds to the .config of the kernel source tree DIR (default .; or an O=\n"
	 "output directory) the options a minos boot needs (serial console, initramfs\n"
	 "in minos's compressions, devtmpfs, signalfd and the rest minos-init uses,\n"
	 "virtio PCI and MMIO block, net and 9p, PVH, modules), then runs make\n"
	 "olddefconfig.  Without a .config it starts\n"
	 "from make defconfig.  Each option is checked against the tree's Kconfig\n"
	 "files: one the tree does not know is a warning and left out, and so is one\n"
	 "olddefconfig drops (a dependency is off).\n"
	 "\n"
	 "The architecture is the .config's (CONFIG_X86_64 or CONFIG_ARM64): a tree\n"
	 "configured with make ARCH=arm64 gets make ARCH=arm64\n"
	 "CROSS_COMPILE=aarch64-linux-gnu- on an amd64 host (the environment's\n"
	 "CROSS_COMPILE if set).  For arm64 the list has the PL011 console\n"
	 "(console=ttyAMA0), virt's PCIe host, the virtio console (minos test's\n"
	 "channel, hvc0) and the PL031 clock instead of the 8250, ACPI, DMI and PVH.\n"
	 "\n"
	 "      --minimal           start from make tinyconfig: the smallest kernel\n"
	 "                          that boots with minos\n"
	 "      --arch ARCH         x86_64 or arm64: for a tree without a .config, with\n"
	 "                          --minimal to start one of another architecture,\n"
	 "                          and for --list\n"
	 "      --list              print the options and why minos needs each\n"
	 "  -h, --help              this help\n"},
	{"completion", cmd_completion, "print a shell completion script (bash)",
	 "Usage: minos completion bash\n"
	 "\n"
	 "Prints a bash completion script for minos, made from the option tables minos\n"
	 "parses with: commands, each command's flags, and the words, directories or\n"
	 "files their arguments take.  Try: source <(minos completion bash); a package\n"
	 "installs it in /usr/share/bash-completion/completions/minos.\n"},
};

static const struct command *find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void usage(FILE *out)
{
	fputs("Usage: minos COMMAND [options]\n"
	      "\n"
	      "Turns a Linux kernel and BusyBox into a minimal bootable system.\n"
	      "\n"
	      "Commands:\n", out);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-10s  %s\n", commands[i].name, commands[i].summary);
	fputs("  help        show help for a command\n"
	      "\n"
	      "Run 'minos help COMMAND' for a command's options.  See minos(1).\n", out);
}

int no_more_args(const char *name, const char *output, int argc, char **argv)
{
	if (optind < argc) {
		fail(argv[optind], "unexpected argument");
		return usage_error(name);
	}
	if (!output) {
		fail(name, "no output file: give -o FILE");
		return usage_error(name);
	}
	return 0;
}

int help_command(const char *name, FILE *out)
{
	const struct command *c = find(name);

	if (!c)
		return -1;
	fputs(c->usage, out);
	return 0;
}

int usage_error(const char *name)
{
	fprintf(stderr, "Try 'minos help %s'.\n", name);
	return 2;
}

/*
 * Output into a pipe whose reader has gone (minos help | head) ends minos
 * quietly, by SIGPIPE, as it ends ls or git: a parent that ignored or
 * blocked it (a CI runner, a service manager) does not make it an error.
 */
static void restore_sigpipe(void)
{
	sigset_t pipe;

	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	sigprocmask(SIG_UNBLOCK, &pipe, NULL);
	signal(SIGPIPE, SIG_DFL);
}

int main(int argc, char **argv)
{
	const struct command *c;

	restore_sigpipe();
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("minos %s\n", MINOS_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "help")) {
		if (argc < 3) {
			usage(stdout);
			return 0;
		}
		if (help_command(argv[2], stdout) < 0) {
			fail(argv[2], "no such command (try 'minos help')");
			return 2;
		}
		return 0;
	}
	c = find(argv[1]);
	if (!c) {
		fail(argv[1], "no such command (try 'minos help')");
		return 2;
	}
	return c->fn(argc - 1, argv + 1);
}
