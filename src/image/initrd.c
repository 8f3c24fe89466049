/* initrd.c - reads an initramfs the way the kernel's unpacker does */
#include "image/initrd.h"

#include <stdlib.h>
#include <string.h>

#include "util/util.h"

/* Archives back to back, zero padding allowed between them. */
static int parse_archives(const unsigned char *p, size_t len, size_t base,
			  const char *what, cpio_entry_fn fn, void *ctx)
{
	size_t off = 0;

	while (off < len) {
		size_t used;

		if (!p[off]) {
			off++;
			continue;
		}
		if (cpio_parse(p + off, len - off, base + off, what, &used, fn, ctx) < 0)
			return -1;
		off += used;
	}
	return 0;
}

int initrd_walk_mem(const unsigned char *data, size_t size, const char *path,
		    const struct unpack_limits *lim,
		    void (*seg_fn)(const struct initrd_segment *s, void *ctx),
		    cpio_entry_fn fn, void *ctx)
{
	size_t off = 0;
	int rc = 0, segments = 0;

	while (!rc && off < size) {
		struct initrd_segment seg = {.offset = off, .comp = COMP_NONE};
		const unsigned char *p = data + off;
		size_t used, len = size - off;
		struct buf out = {0};
		int r;

		if (!*p) {
			off++;
			continue;
		}
		segments++;
		if (cpio_is_magic(p, len)) {
			if (seg_fn)
				seg_fn(&seg, ctx);
			rc = cpio_parse(p, len, off, path, &used, fn, ctx);
			off += used;
			continue;
		}
		r = decompress_stream(p, len, off, path, lim, &out, &used, &seg.comp);
		if (r == 0) {
			rc = fail(path, "offset %zu: not an initramfs (no cpio header and "
				  "no gzip, zstd, xz or lz4 data)", off);
		} else if (r > 0) {
			if (seg_fn)
				seg_fn(&seg, ctx);
			char *what = xasprintf("%s: %s data at offset %zu", path,
					       compression_name(seg.comp), off);
			rc = parse_archives(out.data, out.len, 0, what, fn, ctx);
			free(what);
			off += used;
		} else {
			rc = -1;
		}
		buf_free(&out);
	}
	if (!rc && !segments)
		rc = fail(path, "empty file, not an initramfs");
	return rc;
}

int initrd_walk(const char *path, const struct unpack_limits *lim,
		void (*seg_fn)(const struct initrd_segment *s, void *ctx),
		cpio_entry_fn fn, void *ctx)
{
	struct buf file = {0};
	int rc = read_file_max(path, &file, lim->in, lim->raise);

	if (rc == 0)
		rc = initrd_walk_mem(file.data, file.len, path, lim, seg_fn, fn, ctx);
	buf_free(&file);
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

	if (initrd_walk(path, &lim, NULL, count_entry, &entries) < 0)
		return -1;
	if (entries == 0)
		return fail(path, "not an initramfs: no cpio entries");
	return 0;
}
