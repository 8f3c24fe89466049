/*
 * iso.c - write the hybrid ISO with libisofs, straight into a file.
 *
 * The layout grub-mkrescue makes, with only the bytes it needs:
 *
 *   system area  GRUB's boot_hybrid.img MBR, patched with the BIOS core's
 *                address (the "GRUB2 boot provisions"), a protective MBR
 *                partition and a GPT whose ESP partition is the EFI image
 *   El Torito    BIOS: /boot/grub/bios.img, no emulation, boot-info-table
 *                UEFI: /boot/grub/efi.img, a FAT ESP with BOOTX64.EFI:
 *                our GRUB core, or under Secure Boot Debian's signed shim
 *                with its signed GRUB (GRUBX64.EFI) and MOK manager beside
 *                it, and MINOS.CER, a certificate of one's own to enrol
 *   files        /boot/vmlinuz, /boot/initrd.img, /boot/grub/grub.cfg and
 *                a marker, /.disk/minos-ID, that grub.cfg searches for;
 *                a live system's root, /minos/root.sqfs, last
 *   partition    with --persist, an empty ext4 filesystem after the ISO
 *
 * Both GRUB cores have the prefix /boot/grub: the BIOS core reads grub.cfg
 * from the device it booted from (the CD, or the whole USB disk), the EFI
 * core from the ESP, which holds a copy.  grub.cfg then finds the ISO by
 * the marker, whose name is a hash of everything the ISO boots.
 *
 * Reproducible: no clocks and no randomness.  Times come from
 * SOURCE_DATE_EPOCH (else 0), the GPT GUIDs and the ESP serial from the ID.
 */
#include "media/iso.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define LIBISOFS_WITHOUT_LIBBURN 1
#include <libisofs.h>
#include <libdeflate.h>

#include "media/fat.h"
#include "media/grub.h"
#include "util/progress.h"
#include "media/secureboot.h"
#include "util/util.h"

/* Folds a file's checksums into h; the file is mapped, not copied. */
static int hash_file(uint64_t *h, const char *path)
{
	struct stat st;
	void *p = MAP_FAILED;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	uint32_t sums[2] = {0, 1};

	if (fd < 0)
		return fail_errno(path, "cannot open");
	if (fstat(fd, &st) < 0 ||
	    (st.st_size && (p = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED)) {
		int rc = fail_errno(path, "cannot read");

		close(fd);
		return rc;
	}
	close(fd);
	if (st.st_size) {
		sums[0] = libdeflate_crc32(0, p, st.st_size);
		sums[1] = libdeflate_adler32(1, p, st.st_size);
		munmap(p, st.st_size);
	}
	*h = hash64(*h, sums, sizeof(sums));
	*h = hash64(*h, &st.st_size, sizeof(st.st_size));
	return 0;
}

/* One system's kernel, initrd and command line, hashed into *h. */
static int hash_system(uint64_t *h, const struct iso_system *y, int arch)
{
	if (y->kernel_data.len)
		*h = hash64(*h, y->kernel_data.data, y->kernel_data.len);
	else if (hash_file(h, y->kernel) < 0)
		return -1;
	if (y->initrd) {
		if (hash_file(h, y->initrd) < 0)
			return -1;
	} else {
		uint32_t sums[2] = {libdeflate_crc32(0, y->initrd_data, y->initrd_len),
				    libdeflate_adler32(1, y->initrd_data, y->initrd_len)};
		uint64_t len = y->initrd_len;

		*h = hash64(*h, sums, sizeof(sums));
		*h = hash64(*h, &len, sizeof(len));
	}
	if (arch)	/* not for a lone x86 system: its IDs stay what they were */
		*h = hash64(*h, arch_name(y->arch), strlen(arch_name(y->arch)) + 1);
	return 0;
}

static void hash_chain(uint64_t *h, const struct sb_chain *sb)
{
	*h = hash64(*h, sb ? "sb" : "", sb ? 3 : 1);
	if (sb) {
		*h = hash64(*h, sb->shim.data, sb->shim.len);
		*h = hash64(*h, sb->grub.data, sb->grub.len);
		*h = hash64(*h, sb->mokmanager.data, sb->mokmanager.len);
	}
}

/* What the image boots, hashed: names the marker and seeds the GUIDs. */
static int content_id(const struct iso_spec *s, uint64_t *id)
{
	int plain = s->nsys == 1 && s->sys[0].arch == ARCH_X86_64;
	uint64_t h = HASH64_INIT;

	for (size_t i = 0; i < s->nsys; i++)
		if (hash_system(&h, &s->sys[i], !plain) < 0)
			return -1;
	if (s->rootfs && hash_file(&h, s->rootfs) < 0)
		return -1;
	h = hash64(h, &s->persist, sizeof(s->persist));
	for (size_t i = 0; i < s->nsys; i++)
		hash_chain(&h, s->sys[i].sb);
	if (s->enroll)
		h = hash64(h, s->enroll->data, s->enroll->len);
	h = hash64(h, s->title, strlen(s->title) + 1);
	for (size_t i = 0; i < s->nsys; i++)
		h = hash64(h, s->sys[i].cmdline, strlen(s->sys[i].cmdline) + 1);
	h = hash64(h, s->label, strlen(s->label) + 1);
	*id = hash64(h, &s->timeout, sizeof(s->timeout));
	return 0;
}

/* Is there an x86 system: a BIOS boot, GRUB's MBR? */
static int has_x86(const struct iso_spec *s)
{
	for (size_t i = 0; i < s->nsys; i++)
		if (s->sys[i].arch != ARCH_ARM64)
			return 1;
	return 0;
}

/* Where a system's kernel and initrd are: /boot alone, /boot/ARCH beside another. */
static const char *system_dir(const struct iso_spec *s, size_t i)
{
	if (s->nsys == 1)
		return "/boot";
	return s->sys[i].arch == ARCH_ARM64 ? "/boot/arm64" : "/boot/x86_64";
}

struct iso_build {
	IsoImage *img;
	time_t t;
	int weight;	/* of the next file; files are laid out in the order added */
};

static int isofs_fail(const char *what, int rc)
{
	return fail(what, "libisofs: %s", iso_error_to_msg(rc));
}

/*
 * Without weights libisofs lays files out in the order of their source's
 * host inode number, so the image would depend on the host filesystem.
 */
static void set_weight(struct iso_build *b, IsoNode *n)
{
	iso_node_set_sort_weight(n, b->weight--);
}

static void set_attrs(IsoNode *n, mode_t perm, time_t t)
{
	iso_node_set_permissions(n, perm);
	iso_node_set_uid(n, 0);
	iso_node_set_gid(n, 0);
	iso_node_set_mtime(n, t);
	iso_node_set_atime(n, t);
	iso_node_set_ctime(n, t);
}

static IsoDir *add_dir(struct iso_build *b, IsoDir *parent, const char *name)
{
	IsoDir *d;
	int rc = iso_image_add_new_dir(b->img, parent, name, &d);

	if (rc < 0) {
		isofs_fail(name, rc);
		return NULL;
	}
	set_attrs((IsoNode *)d, 0555, b->t);
	return d;
}

/* Adds a file whose content is the malloc'd data (the stream frees it). */
static int add_data(struct iso_build *b, IsoDir *parent, const char *name,
		    unsigned char *data, size_t len)
{
	IsoStream *st;
	IsoFile *f;
	int rc = iso_memory_stream_new(data, len, &st);

	if (rc < 0) {
		free(data);
		return isofs_fail(name, rc);
	}
	rc = iso_image_add_new_file(b->img, parent, name, st, &f);
	if (rc < 0)
		return isofs_fail(name, rc);
	set_attrs((IsoNode *)f, 0444, b->t);
	set_weight(b, (IsoNode *)f);
	return 0;
}

static int add_copy(struct iso_build *b, IsoDir *parent, const char *name,
		    const void *data, size_t len)
{
	unsigned char *copy = xmalloc(len ? len : 1);

	memcpy(copy, data, len);
	return add_data(b, parent, name, copy, len);
}

/* Adds a file read from the host when the image is written. */
static int add_host_file(struct iso_build *b, IsoDir *parent, const char *name,
			 const char *path)
{
	char *abs = realpath(path, NULL);	/* libisofs wants absolute paths */
	IsoNode *n;
	int rc;

	if (!abs)
		return fail_errno(path, "cannot resolve");
	rc = iso_tree_add_new_node(b->img, parent, name, abs, &n);
	free(abs);
	if (rc < 0)
		return isofs_fail(path, rc);
	set_attrs(n, 0444, b->t);
	set_weight(b, n);
	return 0;
}

/* Adds a file whose content is the buffer's, taken over: the buffer is left empty. */
static int add_buf(struct iso_build *b, IsoDir *parent, const char *name,
		   struct buf *data)
{
	unsigned char *p = data->data ? data->data : xcalloc(1, 1);
	size_t n = data->len;

	*data = (struct buf){0};
	return add_data(b, parent, name, p, n);
}

/* A system's kernel and initrd in dir, in the order a boot reads them; takes their data. */
static int add_system(struct iso_build *b, IsoDir *dir, const struct iso_system *y,
		      unsigned char **initrd_data, struct buf *kernel_data)
{
	int rc;

	if (kernel_data->len)
		rc = add_buf(b, dir, "vmlinuz", kernel_data);
	else
		rc = add_host_file(b, dir, "vmlinuz", y->kernel);
	if (rc < 0)
		return -1;
	if (y->initrd)
		rc = add_host_file(b, dir, "initrd.img", y->initrd);
	else
		rc = add_data(b, dir, "initrd.img", *initrd_data, y->initrd_len);
	*initrd_data = NULL;
	return rc;
}

/*
 * Takes the systems' data in memory (initrd_data, kernel_data) and the
 * contents of bios and esp, leaving them empty.
 */
static int add_tree(struct iso_build *b, const struct iso_spec *s,
		    unsigned char **initrd_data, struct buf *kernel_data, const char *cfg,
		    struct buf *bios, struct buf *esp, const char *marker)
{
	IsoDir *root = iso_image_get_root(b->img), *boot, *grub, *disk;
	int rc = 0;

	set_attrs((IsoNode *)root, 0555, b->t);
	if (!(boot = add_dir(b, root, "boot")) || !(grub = add_dir(b, boot, "grub")) ||
	    !(disk = add_dir(b, root, ".disk")))
		return -1;
	/* In the order a boot reads them. */
	if ((has_x86(s) && add_buf(b, grub, "bios.img", bios) < 0) ||
	    add_buf(b, grub, "efi.img", esp) < 0 ||
	    add_copy(b, grub, "grub.cfg", cfg, strlen(cfg)) < 0 ||
	    add_copy(b, disk, strrchr(marker, '/') + 1, "minos\n", 6) < 0)
		return -1;
	for (size_t i = 0; i < s->nsys && rc >= 0; i++) {
		IsoDir *dir = s->nsys == 1 ? boot : add_dir(b, boot, system_dir(s, i) + 6);

		rc = dir ? add_system(b, dir, &s->sys[i], &initrd_data[i], &kernel_data[i]) : -1;
	}
	if (rc >= 0 && s->rootfs) {
		IsoDir *live = add_dir(b, root, "minos");

		rc = live ? add_host_file(b, live, "root.sqfs", s->rootfs) : -1;
	}
	return rc < 0 ? -1 : 0;
}

/* El Torito: BIOS's entry (with an x86 system), then UEFI's. */
static int add_boot(struct iso_build *b, int bios_entry)
{
	ElToritoBootImage *bios, *efi;
	IsoBoot *cat;
	uint32_t lba;
	char *content;
	off_t size;
	int rc;

	if (bios_entry) {
		rc = iso_image_set_boot_image(b->img, "/boot/grub/bios.img", ELTORITO_NO_EMUL,
					      "/boot/grub/boot.cat", &bios);
		if (rc < 0)
			return isofs_fail("/boot/grub/bios.img", rc);
		el_torito_set_load_size(bios, 4);
		/* bit0: boot-info-table; bit9: the block address GRUB's MBR needs. */
		el_torito_set_isolinux_options(bios, 1 | 1 << 9, 0);
		rc = iso_image_add_boot_image(b->img, "/boot/grub/efi.img", ELTORITO_NO_EMUL,
					      0, &efi);
	} else {
		rc = iso_image_set_boot_image(b->img, "/boot/grub/efi.img", ELTORITO_NO_EMUL,
					      "/boot/grub/boot.cat", &efi);
	}
	if (rc < 0)
		return isofs_fail("/boot/grub/efi.img", rc);
	el_torito_set_boot_platform_id(efi, 0xef);
	el_torito_set_full_load(efi, 1);
	iso_image_set_boot_catalog_weight(b->img, 1000);
	if (iso_image_get_bootcat(b->img, &cat, &lba, &content, &size) == 1) {
		set_attrs((IsoNode *)cat, 0444, b->t);
		free(content);
	}
	return 0;
}

static int set_options(IsoWriteOpts *o, time_t t, uint64_t id,
		       const unsigned char mbr[512])
{
	static char sa[32768];
	char uuid[32];
	uint8_t guid[16];
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(uuid, sizeof(uuid), "%Y%m%d%H%M%S00", &tm);	/* 16 digits */
	for (int i = 0; i < 16; i++)
		guid[i] = (i < 8 ? id : hash64(id, "gpt", 3)) >> (8 * (i % 8));
	guid[7] = (guid[7] & 0x0f) | 0x40;	/* RFC 4122 version 4 layout */
	guid[8] = (guid[8] & 0x3f) | 0x80;
	memset(sa, 0, sizeof(sa));
	if (mbr)
		memcpy(sa, mbr, 512);

	iso_write_opts_set_iso_level(o, 3);
	iso_write_opts_set_rockridge(o, 1);
	/* RRIP 1.12 would number files in the order of their host inodes. */
	iso_write_opts_set_rrip_version_1_10(o, 1);
	iso_write_opts_set_joliet(o, 1);
	iso_write_opts_set_dir_rec_mtime(o, 7);
	iso_write_opts_set_sort_files(o, 1);
	iso_write_opts_set_always_gmt(o, 1);
	iso_write_opts_set_pvd_times(o, t, t, 0, 0, uuid);
	/* bit0: protective MBR partition; 2 << 8: no cylinder padding; bit14: GRUB2
	 * patch (of the BIOS core's address, for x86's MBR; arm64 has none) */
	iso_write_opts_set_system_area(o, sa, 1 | 2 << 8 | (mbr ? 1 << 14 : 0), 0);
	iso_write_opts_set_efi_bootp(o, "--efi-boot-image", 0);
	return iso_write_opts_set_gpt_guid(o, guid, 1);
}

/* The persistence filesystem, appended as partition 3: MBR type 0x83, GPT "Linux filesystem". */
static int set_persist(IsoWriteOpts *o, char *path)
{
	static uint8_t linux_fs[16] = {0xaf, 0x3d, 0xc6, 0x0f, 0x83, 0x84, 0x72, 0x47,
				       0x8e, 0x79, 0x3d, 0x69, 0xd8, 0x47, 0x7d, 0xe4};
	int rc = iso_write_opts_set_partition_img(o, 3, 0x83, path, 0);

	return rc < 0 ? rc : iso_write_opts_set_part_type_guid(o, 3, linux_fs, 1);
}

/* Streams the image into the output file. */
static int write_image(IsoImage *img, IsoWriteOpts *opts, const char *output)
{
	struct burn_source *bs;
	struct outfile out;
	struct progress pr;
	off_t total, done = 0;
	static unsigned char chunk[64 * 2048];
	int rc, n;

	if (outfile_open(&out, output, 0644) < 0)
		return -1;
	rc = iso_image_create_burn_source(img, opts, &bs);
	if (rc < 0) {
		outfile_abort(&out);
		return isofs_fail(output, rc);
	}
	progress_start(&pr, "writing the ISO");
	total = bs->get_size(bs);
	/* Reads must be whole 2 KiB blocks: a short read at the end gives 0. */
	for (size_t have = 0;; have = 0) {
		while (have < sizeof(chunk) &&
		       (n = bs->read_xt(bs, chunk + have, 2048)) == 2048)
			have += 2048;
		if (have && (rc = write_all(out.fd, chunk, have)) < 0) {
			fail_errno(output, "cannot write");
			break;
		}
		done += have;
		if (total > 0)
			progress_say(&pr, "%d%% of %lld MiB", (int)(done * 100 / total),
				     (long long)total >> 20);
		if (have < sizeof(chunk))
			break;
	}
	progress_end(&pr);
	if (n < 0)
		rc = fail(output, "libisofs could not produce the image");
	if (n != 0 || rc < 0)
		bs->cancel(bs);
	bs->free_data(bs);
	free(bs);
	if (n != 0 || rc < 0) {
		outfile_abort(&out);
		return -1;
	}
	return outfile_commit(&out);
}

/* The persistence filesystem's UUID, from what the image boots. */
static void persist_uuid(uint64_t id, char out[37])
{
	uint64_t a = hash64(id, "persist", 7), b = hash64(a, "uuid", 4);

	snprintf(out, 37, "%08x-%04x-4%03x-%04x-%012llx", (unsigned)(a >> 32),
		 (unsigned)(a >> 16 & 0xffff), (unsigned)(a & 0xfff),
		 (unsigned)(0x8000 | (b >> 48 & 0x3fff)), (unsigned long long)(b & 0xffffffffffffULL));
}

/*
 * An empty ext4 filesystem for the overlay's changes, made by mke2fs
 * (e2fsprogs) at path: its UUID, hash seed and times fixed, so the image
 * stays reproducible.  Its output is shown only when it fails.
 */
static int make_persist(const char *path, uint64_t size, const char *uuid, time_t t)
{
	char *ext = xasprintf("hash_seed=%s,root_owner=0:0,lazy_itable_init=0", uuid);
	char *kib = xasprintf("%lluk", (unsigned long long)(size / 1024));
	char *fake = xasprintf("E2FSPROGS_FAKE_TIME=%lld", (long long)(t ? t : 1));
	char *argv[] = {"mke2fs", "-q", "-F", "-t", "ext4", "-L", "minos-persist", "-U",
			(char *)uuid, "-E", ext, "-m", "0", (char *)path, kib, NULL};
	char *envp[] = {fake, "PATH=/usr/sbin:/sbin:/usr/bin:/bin", "LC_ALL=C", NULL};
	struct buf msg = {0};
	int rc = -1, status = run_capture(argv, envp, RUN_STDERR | RUN_PATH, &msg);

	if (status < 0) {
		fail_errno("mke2fs", "cannot run it for --persist (Debian's e2fsprogs)");
		goto out;
	}
	if (status) {
		buf_add(&msg, "", 1);
		((char *)msg.data)[strcspn((char *)msg.data, "\n")] = '\0';
		fail("mke2fs", "cannot make the persistence filesystem: %s",
		     msg.data[0] ? (char *)msg.data : "failed");
		goto out;
	}
	rc = 0;
out:
	buf_free(&msg);
	free(ext);
	free(kib);
	free(fake);
	return rc;
}

/*
 * The EFI system partition.  Under Secure Boot the firmware starts shim
 * (signed by Microsoft), shim the grubx64.efi beside it (Debian's GRUB for
 * CDs, signed by Debian) or, to enrol a key, mmx64.efi; that GRUB's prefix
 * is /boot/grub on the device it came from, the ESP, where grub.cfg is.
 * Each architecture's firmware starts its own loader: BOOTX64.EFI, BOOTAA64.EFI.
 */
static int esp_image(const struct iso_spec *s, const struct buf *efi, const char *cfg,
		     uint64_t id, time_t t, struct buf *esp)
{
	struct fat_file files[2 + 3 * ISO_SYSTEMS] = {{ESP_GRUB_CFG, cfg, strlen(cfg)}};
	size_t n = 1;

	for (size_t i = 0; i < s->nsys; i++) {
		const struct iso_system *y = &s->sys[i];
		int arm = y->arch == ARCH_ARM64;

		if (y->sb) {
			files[n++] = (struct fat_file){arm ? ESP_LOADER_AA64 : ESP_LOADER,
						       y->sb->shim.data, y->sb->shim.len};
			files[n++] = (struct fat_file){arm ? ESP_GRUB_AA64 : ESP_GRUB,
						       y->sb->grub.data, y->sb->grub.len};
			files[n++] = (struct fat_file){arm ? ESP_MOKMANAGER_AA64 : ESP_MOKMANAGER,
						       y->sb->mokmanager.data,
						       y->sb->mokmanager.len};
		} else {
			files[n++] = (struct fat_file){arm ? ESP_LOADER_AA64 : ESP_LOADER,
						       efi[i].data, efi[i].len};
		}
	}
	if (s->enroll)
		files[n++] = (struct fat_file){ESP_OWN_CERT, s->enroll->data, s->enroll->len};
	return fat_image(files, n, (uint32_t)(id >> 32), t, esp, "/boot/grub/efi.img");
}

static int check_label(const char *label)
{
	size_t n = strlen(label);

	if (n == 0 || n > 32 || strspn(label, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != n)
		return fail("--label", "'%s' is not a volume label: 1 to 32 of A-Z 0-9 _ -",
			    label);
	return 0;
}

/*
 * A live root's kernel command line (minos.live=ID, and minos.persist=UUID=
 * of the persistence partition, made in a temporary file beside output):
 * *cmdline and *persist, both left NULL without a rootfs.
 */
static int live_root(const struct iso_spec *s, const char *output, uint64_t id, time_t t,
		     char **cmdline, char **persist)
{
	char uuid[37];
	int fd;

	if (!s->rootfs)
		return 0;
	persist_uuid(id, uuid);
	*cmdline = xasprintf("%s%sminos.live=%016llx%s%s", s->sys[0].cmdline,
			     *s->sys[0].cmdline ? " " : "",
			     (unsigned long long)id, s->persist ? " minos.persist=UUID=" : "",
			     s->persist ? uuid : "");
	if (!s->persist)
		return 0;
	*persist = xasprintf("%s.persist.XXXXXX", output);
	if ((fd = mkstemp(*persist)) < 0) {
		fail_errno(*persist, "cannot create");
		free(*persist);
		*persist = NULL;
		return -1;
	}
	close(fd);
	return make_persist(*persist, s->persist, uuid, t);
}

/* grub.cfg, GRUB's MBR and cores: BIOS's with an x86 system, each system's EFI one. */
static int loaders(const struct iso_spec *s, const char *cmdline, const char *marker,
		   char **cfg, unsigned char mbr[512], struct buf *bios, struct buf *efi)
{
	struct grub_entry e[ISO_SYSTEMS];

	for (size_t i = 0; i < s->nsys; i++)
		e[i] = (struct grub_entry){s->sys[i].arch, s->sys[i].cmdline, system_dir(s, i)};
	if (cmdline)	/* a live root's: one system */
		e[0].cmdline = cmdline;
	if (!(*cfg = grub_config(s->title, s->timeout, marker, e, s->nsys)))
		return -1;
	if (has_x86(s) && (grub_hybrid_mbr(mbr) < 0 || grub_core(GRUB_BIOS, bios) < 0))
		return -1;
	for (size_t i = 0; i < s->nsys; i++)
		if (!s->sys[i].sb && grub_core(s->sys[i].arch == ARCH_ARM64 ? GRUB_EFI_ARM64 :
					       GRUB_EFI, &efi[i]) < 0)
			return -1;
	return 0;
}

/* The ISO itself, from the parts made: libisofs writes it into output. */
static int write_iso(struct iso_build *b, const struct iso_spec *s, const char *output,
		     unsigned char **initrd_data, struct buf *kernel_data, const char *cfg,
		     struct buf *bios, struct buf *esp, const char *marker, uint64_t id,
		     const unsigned char *mbr, char *persist)
{
	IsoWriteOpts *opts = NULL;
	int rc;

	if ((rc = iso_init()) < 0)
		return isofs_fail(output, rc);
	iso_set_msgs_severities("NEVER", "NEVER", "minos");
	if ((rc = iso_image_new(s->label, &b->img)) < 0 ||
	    (rc = iso_write_opts_new(&opts, 0)) < 0) {
		rc = isofs_fail(output, rc);
		goto finish;
	}
	iso_image_set_application_id(b->img, "MINOS");
	iso_image_set_data_preparer_id(b->img, "MINOS " MINOS_VERSION);
	if ((rc = add_tree(b, s, initrd_data, kernel_data, cfg, bios, esp, marker)) < 0 ||
	    (rc = add_boot(b, has_x86(s))) < 0)
		goto finish;
	if ((rc = set_options(opts, b->t, id, has_x86(s) ? mbr : NULL)) < 0 ||
	    (persist && (rc = set_persist(opts, persist)) < 0)) {
		rc = isofs_fail(output, rc);
		goto finish;
	}
	iso_write_opts_set_fifo_size(opts, 256);	/* 512 KiB: small enough to stay in cache */
	rc = write_image(b->img, opts, output);
finish:
	if (opts)
		iso_write_opts_free(opts);
	if (b->img)
		iso_image_unref(b->img);
	iso_finish();
	return rc;
}

int iso_write(const struct iso_spec *s, const char *output)
{
	struct iso_build b = {.t = (time_t)source_date_epoch(), .weight = 100};
	struct buf bios = {0}, efi[ISO_SYSTEMS] = {{0}}, esp = {0}, kernel_data[ISO_SYSTEMS];
	unsigned char mbr[512], *initrd_data[ISO_SYSTEMS];
	uint64_t id;
	char *marker = NULL, *cfg = NULL, *cmdline = NULL, *persist = NULL;
	int rc = -1;

	for (size_t i = 0; i < ISO_SYSTEMS; i++) {	/* ours to free, whatever happens */
		initrd_data[i] = i < s->nsys ? s->sys[i].initrd_data : NULL;
		kernel_data[i] = i < s->nsys ? s->sys[i].kernel_data : (struct buf){0};
	}
	if (s->nsys < 1 || s->nsys > ISO_SYSTEMS || content_id(s, &id) < 0)
		goto out;
	marker = xasprintf("/.disk/minos-%016llx", (unsigned long long)id);
	if (live_root(s, output, id, b.t, &cmdline, &persist) < 0 || check_label(s->label) < 0 ||
	    loaders(s, cmdline, marker, &cfg, mbr, &bios, efi) < 0 ||
	    esp_image(s, efi, cfg, id, b.t, &esp) < 0)
		goto out;
	rc = write_iso(&b, s, output, initrd_data, kernel_data, cfg, &bios, &esp, marker, id,
		       mbr, persist);
out:
	for (size_t i = 0; i < ISO_SYSTEMS; i++) {
		free(initrd_data[i]);
		buf_free(&kernel_data[i]);
		buf_free(&efi[i]);
	}
	buf_free(&bios);
	buf_free(&esp);
	free(cfg);
	free(marker);
	free(cmdline);
	if (persist)
		unlink(persist);
	free(persist);
	return rc < 0 ? -1 : 0;
}
