/*
 * fuzz-initrd.c - the initramfs reader: segments, compression detection,
 * every decoder, newc; and the cpio reader fed a few bytes at a time, which
 * must see what it sees fed the archive whole.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "image/initrd.h"

static volatile unsigned char sum;	/* every byte read, so ASan sees each read */

static int touch(const struct cpio_entry *e, void *ctx)
{
	(void)ctx;
	for (const char *p = e->h.name; *p; p++)
		sum += (unsigned char)*p;
	for (uint64_t i = 0; e->data && i < e->h.filesize; i++)
		sum += e->data[i];
	return 0;
}

/* The entries a reader told of, in order: names, places, sizes, link targets. */
struct seen {
	uint64_t hash;
	size_t n;
};

static int note(const struct cpio_entry *e, void *ctx)
{
	struct seen *s = ctx;

	touch(e, NULL);
	s->hash = hash64(s->hash, e->h.name, strlen(e->h.name) + 1);
	s->hash = hash64(s->hash, &e->offset, sizeof(e->offset));
	s->hash = hash64(s->hash, &e->h.filesize, sizeof(e->h.filesize));
	s->hash = hash64(s->hash, &e->long_name, sizeof(e->long_name));
	if (S_ISLNK(e->h.mode) && e->h.filesize <= PATH_MAX) {
		if (!e->data)
			abort();
		s->hash = hash64(s->hash, e->data, e->h.filesize);
	}
	s->n++;
	return 0;
}

/* One archive read whole, and fed in pieces of 1 to 8 bytes: the same entries, the same end. */
static void in_pieces(const uint8_t *data, size_t size)
{
	struct seen whole = {HASH64_INIT, 0}, fed = {HASH64_INIT, 0};
	struct cpio_reader *r = malloc(sizeof(*r));
	size_t used, off = 0, step = size ? data[size - 1] % 8 + 1 : 1;
	int rc = cpio_parse(data, size, 0, "fuzz", &used, note, &whole), fed_rc;
	long long took = 0;

	cpio_reader_init(r, 0, "fuzz", 0, note, &fed);
	while (off < size) {
		size_t n = size - off < step ? size - off : step;

		took = cpio_reader_feed(r, data + off, n);
		if (took < 0)
			break;
		off += (size_t)took;
		if ((size_t)took < n)
			break;	/* the archive is over */
	}
	fed_rc = took < 0 ? -1 : cpio_reader_end(r);
	if (rc != fed_rc || whole.n != fed.n || whole.hash != fed.hash || (!rc && used != off))
		abort();
	free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct unpack_limits lim = {.out = 8 << 20, .window = 32 << 20, .in = UINT64_MAX};

	initrd_walk_mem(data, size, "fuzz", &lim, NULL, touch, NULL);
	in_pieces(data, size);
	return 0;
}
