#!/bin/sh
# tests/fuzz/seeds.sh - how the seed corpora in tests/fuzz/corpus were made:
# real inputs, small (libFuzzer mutates small inputs fastest).  Run from the
# top of the tree after `make`; it rewrites tests/fuzz/corpus/*/seed-*.
set -eu
cd "$(dirname "$0")/../.."
C=tests/fuzz/corpus
MINOS=build/minos
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
for d in initrd decompress spec elf bzimage modinfo iso inittab cmdline root kmod glob timeline frames pvh \
	squashfs tar dpkg fat pe netboot; do
	mkdir -p "$C/$d"
	rm -f "$C/$d"/seed-*
done
export SOURCE_DATE_EPOCH=0

# initrd: a small tree by minos in every compression, GNU cpio's crc format,
# and two segments back to back (plain cpio, then zstd), as early microcode is.
printf 'hello\n' >"$T/hello"
cat >"$T/spec" <<SPEC
dir /etc 755 0 0
file /etc/hello $T/hello 644 0 0
slink /bin/sh busybox 777 0 0
nod /dev/console 600 0 0 c 5 1
pipe /run/fifo 600 0 0
SPEC
for c in none gzip zstd xz lz4; do
	"$MINOS" initramfs --bare --spec "$T/spec" --compress "$c" -o "$C/initrd/seed-$c"
done
(cd "$T" && echo hello | cpio -o -H crc --quiet) >"$C/initrd/seed-crc"
cat "$C/initrd/seed-none" "$C/initrd/seed-zstd" >"$C/initrd/seed-two-segments"
# The plain archive cut at every byte around the data of its file and link:
# an off-by-one in the reader's bounds reads past the end of one of these.
for pat in hello busybox; do
	at=$(grep -obUa "$pat" "$C/initrd/seed-none" | head -1 | cut -d: -f1)
	for k in $(seq $((at - 1)) $((at + ${#pat} + 4))); do
		head -c "$k" "$C/initrd/seed-none" >"$C/initrd/seed-cut-$k"
	done
done

# decompress: the first byte picks the format, the magic is left out.
i=0
for c in gzip zstd xz lz4; do
	case $c in gzip) skip=2 ;; zstd) skip=4 ;; xz) skip=6 ;; lz4) skip=4 ;; esac
	{ printf "\\$(printf %o $i)"; tail -c +$((skip + 1)) "$C/initrd/seed-$c"; } >"$C/decompress/seed-$c"
	i=$((i + 1))
done

# spec: every line type, comments, a ${VAR}.
cat >"$C/spec/seed-all-types" <<'SPEC'
# a comment
dir /dev 755 0 0
dir /root 700 0 0
nod /dev/console 600 0 0 c 5 1
nod /dev/sda 660 0 6 b 8 0
slink /bin/sh busybox 777 0 0
pipe /run/initctl 600 0 0
sock /run/sock 600 0 0
file /etc/hostname ${HOME} 644 0 0
SPEC

# elf: a dynamic program, a relocatable object, a static program.
printf 'int main(void) { return 0; }\n' >"$T/m.c"
cc -Os -s -o "$C/elf/seed-dynamic" "$T/m.c"
cc -c -o "$C/elf/seed-object" "$T/m.c"
cc -Os -s -static -nostdlib -o "$C/elf/seed-nostdlib" -x c - <<'PROG' 2>/dev/null || true
void _start(void) { for (;;); }
PROG

# bzimage: a boot sector and setup header as the kernel's build writes them.
python3 - "$C/bzimage/seed-header" <<'PY'
import struct, sys
h = bytearray(0x800)
h[0x1fe:0x200] = b'\x55\xaa'
h[0x202:0x206] = b'HdrS'
h[0x206:0x208] = struct.pack('<H', 0x020f)
h[0x20e:0x210] = struct.pack('<H', 0x600 - 0x200)
v = b'6.1.0-fuzz (fuzz@minos) #1 SMP PREEMPT_DYNAMIC\0'
h[0x600:0x600 + len(v)] = v
open(sys.argv[1], 'wb').write(h)
PY
# ... and arm64's: an Image header (MZ, ARM\x64 at 0x38) and its banner,
# plain, gzip'd, and inside an EFI zboot header.
python3 - "$C/bzimage" <<'PY'
import gzip, struct, sys
img = bytearray(0x400)
img[0:4] = b'MZ@\xfa'
img[0x10:0x18] = struct.pack('<Q', 0x10000)
img[0x18:0x20] = struct.pack('<Q', 0xa)
img[0x38:0x3c] = b'ARM\x64'
img[0x3c:0x40] = struct.pack('<I', 0x40)
v = b'Linux version 6.1.0-fuzz-arm64 (fuzz@minos) #1 SMP\n\0'
img[0x200:0x200 + len(v)] = v
gz = gzip.compress(bytes(img), mtime=0)
z = bytearray(0x40)
z[0:2] = b'MZ'
z[4:8] = b'zimg'
z[8:12] = struct.pack('<I', 0x40)
z[12:16] = struct.pack('<I', len(gz))
z[0x18:0x1c] = b'gzip'
for name, data in (('arm64', bytes(img)), ('arm64-gz', gz), ('arm64-zboot', bytes(z) + gz)):
    open(sys.argv[1] + '/seed-' + name, 'wb').write(data)
PY

# modinfo: a module-shaped object with a .modinfo section.
cat >"$T/mod.c" <<'MOD'
#define INFO(n, s) static const char n[] __attribute__((used, section(".modinfo"))) = s
INFO(a, "alias=pci:v00008086d000010D3sv*sd*bc*sc*i*");
INFO(b, "depends=ptp,crc32c_generic");
INFO(c, "softdep=pre: crc32c post: ext4");
INFO(d, "vermagic=6.1.0-fuzz SMP preempt mod_unload modversions ");
INFO(e, "firmware=e1000e/fw.bin");
INFO(f, "name=e1000e");
MOD
cc -c -o "$C/modinfo/seed-module.ko" "$T/mod.c"

# iso: a small ISO 9660 image with Rock Ridge, Joliet, nested directories and a link.
mkdir -p "$T/iso/boot/grub" "$T/iso/a/b/c"
echo menu >"$T/iso/boot/grub/grub.cfg"
echo x >"$T/iso/a/b/c/file"
ln -s ../boot "$T/iso/a/link"
xorriso -as mkisofs -quiet -R -J -V FUZZ -no-pad -o "$C/iso/seed-rr-joliet" "$T/iso"

# inittab, the kernel command line, root=.
cat >"$C/inittab/seed-busybox" <<'TAB'
# BusyBox's example
::sysinit:/etc/init.d/rcS
::respawn:-/bin/sh
tty2::askfirst:-/bin/sh
ttyS1::respawn:/sbin/getty -L ttyS1 115200 vt100
::ctrlaltdel:/sbin/reboot
::shutdown:/bin/umount -a -r
::restart:/sbin/init
null::wait:echo "$PATH" > /dev/null
TAB
printf 'BOOT_IMAGE=/vmlinuz root=LABEL=x ro quiet minos.printk="3 4 1 7" init=/sbin/init rootwait minos.modules=ext4,virtio_blk e1000e.debug=1\n' >"$C/cmdline/seed-typical"
printf 'root=UUID=1234-ABCD rootfstype=ext4 rootflags=data=ordered rw rootdelay=5 init=/bin/sh\n' >"$C/root/seed-uuid"
printf 'root=PARTUUID=0a1b2c3d-01 ro rootwait\n' >"$C/root/seed-partuuid"
printf 'root=8:1\n' >"$C/root/seed-devnum"
printf 'root=/dev/vda1 ro\n' >"$C/root/seed-path"

# kmod: modules.dep, modules.alias, modules.softdep, modules.builtin, names; NUL between.
{
	printf 'kernel/fs/ext4/ext4.ko: kernel/fs/jbd2/jbd2.ko kernel/fs/mbcache.ko kernel/lib/crc16.ko\n'
	printf 'kernel/fs/jbd2/jbd2.ko:\nkernel/fs/mbcache.ko:\nkernel/lib/crc16.ko:\n'
	printf 'kernel/drivers/net/ethernet/intel/e1000e/e1000e.ko: kernel/drivers/ptp/ptp.ko\n'
	printf 'kernel/drivers/ptp/ptp.ko:\n\0'
	printf 'alias fs-ext4 ext4\nalias pci:v00008086d000010D3sv*sd*bc*sc*i* e1000e\nalias crypto-crc32c crc32c_generic\n\0'
	printf 'softdep ext4 pre: crc32c\nsoftdep e1000e post: ptp\n\0'
	printf 'kernel/lib/crc32c_generic.ko\n\0'
	printf 'fs-ext4 pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00 e1000e ext4\n'
} >"$C/kmod/seed-indexes"

# glob: a PCI and a USB alias pattern with names they match and do not.
printf 'pci:v00008086d000010D3sv*sd*bc*sc*i*\0pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00' >"$C/glob/seed-pci"
printf 'usb:v*p*d*dc*dsc*dp*ic08isc06ip50in*\0usb:v0781p5567d0100dc00dsc00dp00ic08isc06ip50in00' >"$C/glob/seed-usb"
printf 'acpi*:PNP0C0[9A]:*\0acpi:PNP0C0B:' >"$C/glob/seed-bracket"
printf 'a[!b-d]*\\*x?\0azz*xy' >"$C/glob/seed-escape"
# timeline: a console as a SeaBIOS ISO boot and an OVMF boot print it; the
# first byte sets where the reads split.
printf '\005SeaBIOS (version 1.16.2-debian-1.16.2-1)\r\nBooting from DVD/CD...\r\nWelcome to GRUB!\r\n\r\nLoading Linux ...\r\nLoading initial ramdisk ...\r\nStarting Linux ...\r\nearly console in setup code\r\nDecompressing Linux... Parsing ELF... done.\r\nBooting the kernel.\r\n[    0.000000] Linux version 6.1.0-56-amd64 (debian-kernel@lists.debian.org)\r\n[    1.234567] Run /init as init process\r\nminos-init: ready\r\n' >"$C/timeline/seed-iso-boot"
printf '\100\033[2J\033[01;01HBdsDxe: loading Boot0001 "UEFI QEMU DVD-ROM"\r\nEFI stub: Loaded initrd from LINUX_EFI_INITRD_MEDIA_GUID device path\r\n[    0.000000] Linux version 6.1.0\r\n' >"$C/timeline/seed-uefi"
# frames: firmware noise, the ready frame, stdout, stderr and a status, in reads of 8 bytes.
printf '\007SeaBIOS noise\r\nR\014\000\000\000minos-test 1O\006\000\000\000hello\nE\003\000\000\000err X\004\000\000\000\003\000\000\000' >"$C/frames/seed-session"
# pvh: a small ELF with a PVH note, alone and as the payload of a bzImage
# (setup header, version string) in each compression a kernel uses.
python3 - "$C/pvh" <<'PY'
import lzma, struct, subprocess, sys, zlib
out = sys.argv[1]
note = struct.pack('<III', 4, 8, 18) + b'Xen\0' + struct.pack('<Q', 0x1000200)
body = b'Linux version 6.1.0 (u@h) (gcc) #1 SMP\n' + b'text ' * 64
ph_note = struct.pack('<IIQQQQQQ', 4, 4, 64 + 112, 0, 0, len(note), len(note), 4)
size = 64 + 112 + len(note) + len(body)
ph_load = struct.pack('<IIQQQQQQ', 1, 7, 0, 0x1000000, 0x1000000, size, size, 4096)
eh = b'\x7fELF\2\1\1' + b'\0' * 9 + struct.pack('<HHIQQQIHHHHHH', 2, 62, 1, 0x1000200,
                                                       64, 0, 0, 64, 56, 2, 64, 0, 0)
elf = eh + ph_load + ph_note + note + body
open(out + '/seed-elf', 'wb').write(elf)
packers = {
    'gzip': lambda d: zlib.compress(d, wbits=31),
    'xz': lambda d: lzma.compress(d, check=lzma.CHECK_CRC32),
    'lzma': lambda d: lzma.compress(d, format=lzma.FORMAT_ALONE),
    'zstd': lambda d: subprocess.run(['zstd', '-q', '-c'], input=d, capture_output=True).stdout,
    'lz4': lambda d: subprocess.run(['lz4', '-l', '-q', '-c'], input=d, capture_output=True).stdout,
}
for name, pack in packers.items():
    payload = pack(elf)
    if name != 'gzip':
        payload += struct.pack('<I', len(elf))
    h = bytearray(1024)
    h[0x1f1] = 1
    h[0x1fe:0x200] = b'\x55\xaa'
    h[0x202:0x206] = b'HdrS'
    h[0x206:0x208] = struct.pack('<H', 0x20f)
    h[0x20e:0x210] = struct.pack('<H', 0x100)
    h[0x300:0x320] = b'6.1.0 (u@h) #1 SMP\0'.ljust(32, b'\0')
    h[0x248:0x250] = struct.pack('<II', 0, len(payload))
    open(out + '/seed-bzimage-' + name, 'wb').write(bytes(h) + payload)
PY
# squashfs: a small tree (a link, a FIFO, a hard link)
# by mksquashfs in zstd and gzip, 4 KiB blocks.  tar: a device, a link
# and owners (bsdtar's mtree) in ustar, gzip and zstd; pax and GNU formats.
mkdir -p "$T/sq/sbin" "$T/sq/etc/sub"
echo x >"$T/sq/etc/sub/a" && ln "$T/sq/etc/sub/a" "$T/sq/etc/hard"
ln -s ../etc/sub/a "$T/sq/sbin/init" && mkfifo "$T/sq/etc/fifo"
for c in zstd gzip; do
	mksquashfs "$T/sq" "$C/squashfs/seed-$c" -comp $c -noappend -quiet -no-progress -b 4096 >/dev/null
done
printf '%s\n' '#mtree' './sbin type=dir mode=0755' './sbin/init type=file mode=0755 contents=one' \
	'./dev/null type=char mode=0666 device=native,1,3' './etc/l type=link link=../sbin/init' >"$T/spec.mtree"
echo one >"$T/one" && (cd "$T" && bsdtar -cf "$T/small.tar" @spec.mtree)
cp "$T/small.tar" "$C/tar/seed-ustar"
gzip -9n <"$T/small.tar" >"$C/tar/seed-gzip"
zstd -q -19 <"$T/small.tar" >"$C/tar/seed-zstd"
tar --format=pax --xattrs -C "$T/sq" -cf "$C/tar/seed-pax" .
tar --format=gnu -C "$T/sq" -cf "$C/tar/seed-gnu" .

# dpkg: a status file with alternatives, versions, arch qualifiers and continuation lines.
cat >"$C/dpkg/seed-status" <<'DPKG'
Package: file
Status: install ok installed
Priority: standard
Architecture: amd64
Depends: libc6 (>= 2.34), libmagic1 (= 1:5.44-3)

Package: libmagic1
Status: install ok installed
Priority: optional
Architecture: amd64
Pre-Depends: dpkg (>= 1.17)
Depends: libbz2-1.0, libc6 (>= 2.33), libmagic-mgc (= 1:5.44-3) | libmagic-data:any
Description: a library
 with a continuation line

Package: libmagic-mgc
Status: install ok installed
Essential: no

Package: libc6
Status: install ok installed
Priority: required

Package: removed
Status: deinstall ok config-files
DPKG

# fat: the smallest FAT12, FAT16 and FAT32 volumes by mkfs.fat (one FAT for
# FAT32) holding an ESP's files (mtools), each cut after the last file's
# data: the reader checks every offset against the image, it needs no more.
printf 'hello\n' >"$T/hello"
for f in 12:2:512 16:2:2200 32:1:33800; do
	rm -f "$T/fat"
	set -- $(echo "$f" | tr : ' ')
	mkfs.fat -F "$1" -f "$2" -C -s 1 -S 512 -i 1234abcd "$T/fat" "$3" >/dev/null
	mmd -i "$T/fat" ::/EFI ::/EFI/BOOT ::/a ::/a/b
	mcopy -i "$T/fat" "$T/hello" ::/EFI/BOOT/BOOTX64.EFI
	mcopy -i "$T/fat" "$T/hello" ::/MINOS.CER
	mcopy -i "$T/fat" "$T/hello" ::/a/b/c.txt
	mcopy -i "$T/fat" "$T/hello" ::/a-long-file-name.txt
	end=$(grep -obUa hello "$T/fat" | tail -1 | cut -d: -f1)
	head -c $((end + 512)) "$T/fat" >"$C/fat/seed-fat$1"
done

# pe: a minimal PE32+ image (headers, .text, a .vendor_cert holding a
# certificate as shim's does, by a long name), unsigned and signed by sbsign with that
# certificate's key, so the harness's self-check takes the trusted path.
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=fuzz -days 3650 -keyout "$T/k.key" \
	-out "$T/k.crt" 2>/dev/null
openssl x509 -in "$T/k.crt" -outform DER -out "$T/k.der"
perl -e '
	local $/; open my $f, "<", $ARGV[0] or die; my $der = <$f>;
	my $vc = pack("V4", length $der, 0, 16, 16 + length $der) . $der;
	$vc .= "\0" x (512 - length($vc) % 512);
	my $text = "\xc3" . "\0" x 511;
	my $opt = pack("vCCV5Q<V2v6V4vvQ<4V2", 0x20b, 2, 0, 512, length $vc, 0, 0x1000, 0x1000,
		0x400000, 0x1000, 512, 0, 0, 0, 0, 5, 0, 0, 0x3000, 0x200, 0, 10, 0,
		0x100000, 0x1000, 0x100000, 0x1000, 0, 16) . "\0" x 128;
	my $strtab = pack("V", 17) . ".vendor_cert\0";	# the long name, as "/4"
	my $coff = pack("vvVVVvv", 0x8664, 2, 0, 0x400 + length $vc, 0, length $opt, 0x22);
	my $sec = pack("a8V6vvV", ".text", 512, 0x1000, 512, 0x200, 0, 0, 0, 0, 0x60000020)
		. pack("a8V6vvV", "/4", length $vc, 0x2000, length $vc, 0x400, 0, 0, 0, 0,
			0x40000040);
	my $hdr = "MZ" . "\0" x 58 . pack("V", 64) . "PE\0\0" . $coff . $opt . $sec;
	print $hdr . "\0" x (0x200 - length $hdr) . $text . $vc . $strtab;
' "$T/k.der" >"$C/pe/seed-unsigned"
sbsign --key "$T/k.key" --cert "$T/k.crt" --output "$C/pe/seed-signed" "$C/pe/seed-unsigned" 2>/dev/null
sbsign --key "$T/k.key" --cert "$T/k.crt" --output "$C/pe/seed-signed-twice" "$C/pe/seed-signed" 2>/dev/null

ls "$C"/* | wc -l

# netboot: the markers minos netboot writes, with and without --http.
printf 'minos netboot 1\nkernel 6.1.0-57-amd64\ncmdline console=tty0 console=ttyS0\nhttp \n' \
	>"$C/netboot/seed-tftp"
printf 'minos netboot 1\nkernel 6.1.0-57-amd64\ncmdline quiet\nhttp http://10.0.2.2:8080/\n' \
	>"$C/netboot/seed-http"
