/*
 * initrd.c - reads an initramfs the way the kernel's unpacker does.
 *
 * The file is mapped, not read, and each compressed segment is read as it
 * unpacks: a listing takes the memory of a decoder's window and one entry's
 * header, however large the image (distributions' reach 100 MB and more).
 */
#include "image/initrd.h"

#include <stdlib.h>
#include <string.h>

#include "util/util.h"

/* One walk over an initramfs. */
struct walk {
	const char *path;
	const struct unpack_limits *lim;
	cpio_entry_fn fn;
	void *ctx;
	struct unpack_out out;	/* what every segment unpacks to, together */
};

static int feed(const unsigned char *p, size_t n, void *ctx)
{
	return cpio_reader_feed(ctx, p, n) < 0 ? -1 : 0;
}

/* The archives of a compressed segment, back to back, read as they unpack. */
static int walk_compressed(struct walk *w, const unsigned char *p, size_t len, size_t off,
			   enum compression comp, size_t *used)
{
	char *what = xasprintf("%s: %s data at offset %zu", w->path, compression_name(comp), off);
	struct cpio_reader *r = xmalloc(sizeof(*r));
	int rc;

	cpio_reader_init(r, 0, what, 1, w->fn, w->ctx);
	w->out.fn = feed;
	w->out.ctx = r;
	rc = decompress_to(p, len, off, w->path, w->lim, &w->out, used, &comp);
	if (rc > 0)
		rc = cpio_reader_end(r);
	free(r);
	free(what);
	return rc < 0 ? -1 : 0;
}

int initrd_walk_mem(const unsigned char *data, size_t size, const char *path,
		    const struct unpack_limits *lim,
		    void (*seg_fn)(const struct initrd_segment *s, void *ctx),
		    cpio_entry_fn fn, void *ctx)
{
	struct walk w = {path, lim, fn, ctx, {0}};
	size_t off = 0;
	int rc = 0, segments = 0;

	while (!rc && off < size) {
		struct initrd_segment seg = {.offset = off, .comp = COMP_NONE};
		const unsigned char *p = data + off;
		size_t used = 0, len = size - off;

		if (!*p) {
			off++;
			continue;
		}
		segments++;
		if (!cpio_is_magic(p, len) && (seg.comp = compression_detect(p, len)) == COMP_NONE)
			return fail(path, "offset %zu: not an initramfs (no cpio header and "
				    "no gzip, zstd, xz or lz4 data)", off);
		if (seg_fn)
			seg_fn(&seg, ctx);
		if (seg.comp == COMP_NONE)
			rc = cpio_parse(p, len, off, path, &used, fn, ctx);
		else
			rc = walk_compressed(&w, p, len, off, seg.comp, &used);
		off += used;
	}
	if (!rc && !segments)
		rc = fail(path, size ? "holds only zero bytes, not an initramfs" :
			  "empty file, not an initramfs");
	return rc;
}

int initrd_walk(const char *path, const struct unpack_limits *lim,
		void (*seg_fn)(const struct initrd_segment *s, void *ctx),
		cpio_entry_fn fn, void *ctx)
{
	struct mapping m;
	int rc = map_input(path, &m);

	if (rc == 0)
		rc = initrd_walk_mem(m.data, m.len, path, lim, seg_fn, fn, ctx);
	unmap_input(&m);
	return rc;
}

static int count_entry(const struct cpio_entry *e, void *ctx)
{
	(void)e;
	++*(size_t *)ctx;
	return 0;
}

int initrd_check(const char *path)
{
	struct unpack_limits lim = UNPACK_LIMITS_DEFAULT;
	size_t entries = 0;

	lim.out = 4ULL << 30;	/* read as it unpacks: all segments, as minos ls allows */

	if (initrd_walk(path, &lim, NULL, count_entry, &entries) < 0)
		return -1;
	if (entries == 0)
		return fail(path, "not an initramfs: no cpio entries");
	return 0;
}

/* The files that say who made an initramfs: each maker always writes them. */
static const struct {
	const char *path, *maker;
} makers[] = {
	{"usr/lib/dracut/", "dracut"},
	{"lib/dracut/", "dracut"},
	{"conf/initramfs.conf", "initramfs-tools"},
	{"scripts/init-top", "initramfs-tools"},
};

static int spot_maker(const struct cpio_entry *e, void *ctx)
{
	const char **maker = ctx;
	const char *name = e->h.name;

	name += strspn(name, "./");
	for (size_t i = 0; !*maker && i < ARRAY_SIZE(makers); i++)
		if (!strncmp(name, makers[i].path, strlen(makers[i].path)))
			*maker = makers[i].maker;
	return 0;
}

int initrd_maker(const char *path, const char **maker)
{
	struct unpack_limits lim = UNPACK_LIMITS_DEFAULT;

	lim.out = 4ULL << 30;
	*maker = NULL;
	return initrd_walk(path, &lim, NULL, spot_maker, maker);
}
