/* iso_read.c - read an ISO 9660 image back: its files and El Torito entries */
#include "media/iso.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#define LIBISOFS_WITHOUT_LIBBURN 1
#include <libisofs.h>

#include "util/util.h"

int iso_detect(const char *path)
{
	char id[5];
	int fd = open_input(path);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = pread(fd, id, sizeof(id), 16 * 2048 + 1);	/* volume descriptor 16 */
	close(fd);
	if (n < 0)
		return fail_errno(path, "cannot read");
	return n == sizeof(id) && !memcmp(id, "CD001", 5);
}

/*
 * libisofs follows directory records wherever they point: a record that
 * points back at an ancestor makes its import loop until memory runs out.
 * So the ISO 9660 tree and any Joliet tree are walked here first, each
 * directory visited once, with caps on depth, size and entries.
 */
#define BLOCK 2048
#define VD_FIRST 16		/* volume descriptors start at block 16 */
#define VD_MAX 64		/* and end with a terminator long before this */
#define VD_TERMINATOR 255
#define VD_ROOT_RECORD 156	/* the root's directory record in a descriptor */
#define DR_EXTENT 2		/* a directory record: its extent's block, */
#define DR_SIZE 10		/* its data length, */
#define DR_FLAGS 25		/* flags (bit 1: a directory), */
#define DR_NAME_LEN 32		/* and its name */
#define DR_NAME 33
#define DR_FLAG_DIR 2
#define MAX_DEPTH 64
#define MAX_DIR_SIZE (16u << 20)
#define MAX_ENTRIES 1000000

struct check {
	int fd;
	const char *path;
	uint32_t *seen;		/* directory extents, open addressing; 0 is free */
	size_t nseen, cap;
	size_t entries;
};

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/* 1 if block was seen before; else remembers it. */
static int seen_before(struct check *c, uint32_t block)
{
	if (2 * (c->nseen + 1) > c->cap) {
		uint32_t *old = c->seen;
		size_t cap = c->cap;

		c->cap = cap ? 2 * cap : 1024;
		c->seen = xcalloc(c->cap, sizeof(*c->seen));
		c->nseen = 0;
		for (size_t i = 0; i < cap; i++)
			if (old[i])
				seen_before(c, old[i]);
		free(old);
	}
	for (size_t i = block * 2654435761u % c->cap;; i = (i + 1) % c->cap) {
		if (c->seen[i] == block)
			return 1;
		if (!c->seen[i]) {
			c->seen[i] = block;
			c->nseen++;
			return 0;
		}
	}
}

/*
 * What ECMA-119 promises of a record, checked because readers trust it:
 * both byte orders of the extent and size agree, the first two records are
 * "." (the directory itself) and "..", and neither name stands anywhere
 * else.  (Where ".." points is not checked: libisofs's own Joliet trees
 * point it at the directory itself.)
 */
static int check_record(const unsigned char *r, unsigned index, uint32_t block, uint32_t size)
{
	unsigned name_len = r[DR_NAME_LEN];
	int dot = name_len == 1 && r[DR_NAME] <= 1;
	uint32_t extent = le32(r + DR_EXTENT), length = le32(r + DR_SIZE);

	if (extent != be32(r + DR_EXTENT + 4) || length != be32(r + DR_SIZE + 4))
		return -1;
	if (index < 2)
		return dot && r[DR_NAME] == (int)index && (r[DR_FLAGS] & DR_FLAG_DIR) &&
		       (index || (extent == block && length == size)) ? 0 : -1;
	return dot ? -1 : 0;
}

static int check_dir(struct check *c, uint32_t block, uint32_t size, int depth)
{
	unsigned char *d;
	unsigned index = 0;
	int rc = 0;

	if (depth > MAX_DEPTH)
		return fail(c->path, "directories nest deeper than %d levels", MAX_DEPTH);
	if (block == 0 || seen_before(c, block))
		return fail(c->path, "the directory at block %u is reached twice: the tree "
			    "loops", block);
	if (size > MAX_DIR_SIZE)
		return fail(c->path, "the directory at block %u claims %u bytes", block, size);
	d = xmalloc(size ? size : 1);
	if (pread(c->fd, d, size, (off_t)block * BLOCK) != (ssize_t)size) {
		free(d);
		return fail(c->path, "the directory at block %u lies past the end of the image",
			    block);
	}
	for (uint32_t off = 0; !rc && off < size; index++) {
		unsigned len = d[off];

		while (len == 0 && off < size) {	/* records do not cross blocks */
			off = (off / BLOCK + 1) * BLOCK;
			len = off < size ? d[off] : 0;
		}
		if (off >= size)
			break;
		if (len < DR_NAME + 1 || len > size - off ||
		    DR_NAME + (unsigned)d[off + DR_NAME_LEN] > len ||
		    check_record(d + off, index, block, size) < 0) {
			rc = fail(c->path, "damaged directory record at block %u, byte %u",
				  block, off);
			break;
		}
		if (++c->entries > MAX_ENTRIES)
			rc = fail(c->path, "more than %d entries", MAX_ENTRIES);
		else if (index >= 2 && (d[off + DR_FLAGS] & DR_FLAG_DIR))
			rc = check_dir(c, le32(d + off + DR_EXTENT), le32(d + off + DR_SIZE),
				       depth + 1);
		off += len;
	}
	free(d);
	if (!rc && index < 2)
		rc = fail(c->path, "the directory at block %u has no . and .. records", block);
	return rc;
}

/* Every volume descriptor's tree (the primary and a Joliet one). */
static int check_trees(const char *path)
{
	struct check c = {.fd = open(path, O_RDONLY | O_CLOEXEC), .path = path};
	unsigned char vd[BLOCK];
	int rc = 0;

	if (c.fd < 0)
		return fail_errno(path, "cannot open");
	for (int i = VD_FIRST; !rc && i < VD_FIRST + VD_MAX; i++) {
		const unsigned char *root = vd + VD_ROOT_RECORD;

		if (pread(c.fd, vd, BLOCK, (off_t)i * BLOCK) != BLOCK || memcmp(vd + 1, "CD001", 5)) {
			rc = fail(path, "volume descriptor %d is missing or damaged", i - VD_FIRST);
			break;
		}
		if (vd[0] == VD_TERMINATOR)
			break;
		if (vd[0] == 1 || vd[0] == 2) {	/* primary, supplementary */
			free(c.seen);
			c = (struct check){.fd = c.fd, .path = path};
			rc = check_dir(&c, le32(root + DR_EXTENT), le32(root + DR_SIZE), 0);
		}
	}
	free(c.seen);
	close(c.fd);
	return rc;
}

struct walk {
	void (*entry_fn)(const struct iso_entry *e, void *ctx);
	void *ctx;
};

static void walk_dir(struct walk *w, IsoDir *dir, const char *prefix)
{
	IsoDirIter *it;
	IsoNode *n;

	if (iso_dir_get_children(dir, &it) < 0)
		return;
	while (iso_dir_iter_next(it, &n) == 1) {
		char *path = xasprintf("%s/%s", prefix, iso_node_get_name(n));
		enum IsoNodeType type = iso_node_get_type(n);
		struct iso_entry e = {
			.path = path,
			.mode = iso_node_get_mode(n),
			.uid = iso_node_get_uid(n),
			.gid = iso_node_get_gid(n),
			.mtime = iso_node_get_mtime(n),
		};

		if (type == LIBISO_FILE) {
			struct iso_file_section *sec = NULL;
			int nsec = 0;

			e.size = iso_file_get_size((IsoFile *)n);
			/* where its bytes are, if they are in one piece */
			if (iso_file_get_old_image_sections((IsoFile *)n, &nsec, &sec, 0) == 1 &&
			    nsec > 0) {
				e.offset = (uint64_t)sec[0].block * 2048;
				for (int i = 1; i < nsec; i++)
					if (sec[i].block != sec[i - 1].block + sec[i - 1].size / 2048)
						e.offset = 0;
			}
			free(sec);
		}
		else if (type == LIBISO_SYMLINK)
			e.target = iso_symlink_get_dest((IsoSymlink *)n);
		w->entry_fn(&e, w->ctx);
		if (type == LIBISO_DIR)
			walk_dir(w, (IsoDir *)n, path);
		free(path);
	}
	iso_dir_iter_free(it);
}

static void report_boot(IsoImage *img, void (*boot_fn)(const struct iso_boot *, void *),
			void *ctx)
{
	static const char *const emul[] = {"floppy", "hard disk", "no"};
	ElToritoBootImage **boots = NULL;
	IsoFile **nodes = NULL;
	int n = 0;

	if (iso_image_get_all_boot_imgs(img, &n, &boots, &nodes, 0) != 1)
		return;
	for (int i = 0; i < n; i++) {
		enum eltorito_boot_media_type media;
		int pid = el_torito_get_boot_platform_id(boots[i]);
		char other[8], *path = nodes[i] ? iso_tree_get_node_path((IsoNode *)nodes[i]) : NULL;
		struct iso_boot b = {.path = path};

		snprintf(other, sizeof(other), "0x%02x", pid & 0xff);
		b.platform = pid == 0 ? "BIOS" : pid == 0xef ? "UEFI" : other;
		el_torito_get_boot_media_type(boots[i], &media);
		b.emulation = (unsigned)media < ARRAY_SIZE(emul) ? emul[media] : "?";
		b.load_sectors = (unsigned)el_torito_get_load_size(boots[i]) & 0xffff;
		boot_fn(&b, ctx);
		free(path);
	}
	free(boots);
	free(nodes);
}

int iso_read(const char *path, void (*entry_fn)(const struct iso_entry *e, void *ctx),
	     void (*boot_fn)(const struct iso_boot *b, void *ctx), void *ctx)
{
	IsoDataSource *src = NULL;
	IsoReadOpts *ropts = NULL;
	IsoImage *img = NULL;
	struct walk w = {entry_fn, ctx};
	int rc;

	if (check_trees(path) < 0)
		return -1;
	if ((rc = iso_init()) < 0)
		return fail(path, "libisofs: %s", iso_error_to_msg(rc));
	iso_set_msgs_severities("NEVER", "NEVER", "minos");
	if ((rc = iso_data_source_new_from_file(path, &src)) < 0 ||
	    (rc = iso_read_opts_new(&ropts, 0)) < 0 ||
	    (rc = iso_image_new("", &img)) < 0 ||
	    (rc = iso_image_import(img, src, ropts, NULL)) < 0) {
		fail(path, "cannot read the ISO image: %s", iso_error_to_msg(rc));
		rc = -1;
	} else {
		walk_dir(&w, iso_image_get_root(img), "");
		report_boot(img, boot_fn, ctx);
		rc = 0;
	}
	if (img)
		iso_image_unref(img);
	if (ropts)
		iso_read_opts_free(ropts);
	if (src)
		iso_data_source_unref(src);
	iso_finish();
	return rc;
}
