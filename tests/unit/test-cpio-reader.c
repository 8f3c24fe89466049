/* test-cpio-reader.c - the cpio reader fed a piece at a time, as minos ls feeds it what a decoder unpacks */
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "format/compress.h"
#include "format/cpio.h"
#include "tap.h"
#include "util/util.h"

struct seen {
	char names[8][64];
	const unsigned char *data[8];
	char target[64];
	uint32_t long_name;
	int n;
};

static int collect(const struct cpio_entry *e, void *ctx)
{
	struct seen *s = ctx;

	if (s->n < 8) {
		snprintf(s->names[s->n], sizeof(s->names[0]), "%s", e->h.name);
		s->data[s->n++] = e->data;
	}
	if (S_ISLNK(e->h.mode) && e->data)
		snprintf(s->target, sizeof(s->target), "%.*s", (int)e->h.filesize, e->data);
	if (e->long_name)
		s->long_name = e->long_name;
	return 0;
}

static void entry(struct cpio_writer *w, const char *name, unsigned mode, const char *data)
{
	struct cpio_header h = {.mode = mode, .nlink = 1, .filesize = strlen(data), .name = name};

	cpio_write_header(w, &h);
	if (*data)
		cpio_write_data(w, data, strlen(data));
}

/* Feeds all of b in pieces of step bytes; the result of the end. */
static int feed_all(struct cpio_reader *r, const struct buf *b, size_t step)
{
	for (size_t off = 0; off < b->len; off += step) {
		size_t n = b->len - off < step ? b->len - off : step;

		if (cpio_reader_feed(r, b->data + off, n) < 0)
			return -1;
	}
	return cpio_reader_end(r);
}

int main(void)
{
	struct buf mb = {0};
	struct sink *out = sink_buf(&mb);	/* the archive written, in mb */
	struct cpio_writer w = {.out = out};
	struct cpio_reader r;
	struct seen seen = {0};
	char long_name[PATH_MAX + 100];
	struct buf two = {0};

	entry(&w, "bin", S_IFDIR | 0755, "");
	entry(&w, "bin/hello", S_IFREG | 0644, "hello, world\n");
	entry(&w, "bin/sh", S_IFLNK | 0777, "busybox");
	cpio_write_trailer(&w);

	cpio_reader_init(&r, 0, "mem", 0, collect, &seen);
	ok(feed_all(&r, &mb, 1) == 0, "one archive fed a byte at a time");
	is_int(seen.n, 3, "three entries");
	is_str(seen.names[1], "bin/hello", "names whole");
	ok(seen.data[1] == NULL, "data that came in pieces is not kept");
	is_str(seen.target, "busybox", "a symlink's target is kept");
	ok(cpio_reader_feed(&r, (const unsigned char *)"x", 1) == 0,
	   "after its trailer, one archive takes no more");

	seen = (struct seen){0};
	cpio_reader_init(&r, 0, "mem", 0, collect, &seen);
	ok(feed_all(&r, &mb, mb.len) == 0, "fed whole");
	ok(seen.data[1] && !memcmp(seen.data[1], "hello", 5), "data in one piece is pointed at");

	/* Two archives with zero padding between, as a compressed segment holds them. */
	buf_add(&two, mb.data, mb.len);
	buf_add(&two, "\0\0\0\0\0\0\0\0", 8);
	buf_add(&two, mb.data, mb.len);
	seen = (struct seen){0};
	cpio_reader_init(&r, 0, "mem", 1, collect, &seen);
	ok(feed_all(&r, &two, 7) == 0, "archives back to back, zeros between");
	is_int(seen.n, 6, "the entries of both");
	seen = (struct seen){0};
	cpio_reader_init(&r, 0, "mem", 1, collect, &seen);
	ok(cpio_reader_feed(&r, two.data, two.len - 20) >= 0 && cpio_reader_end(&r) < 0,
	   "a second archive cut short is an error at the end");
	is_int(seen.n, 6, "after the entries before the cut (its trailer is cut)");

	/* A name longer than PATH_MAX: the kernel skips the entry; only its size is kept. */
	memset(long_name, 'n', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	mb.len = 0;
	entry(&w, long_name, S_IFREG | 0644, "x");
	cpio_write_trailer(&w);
	seen = (struct seen){0};
	cpio_reader_init(&r, 0, "mem", 0, collect, &seen);
	ok(feed_all(&r, &mb, 4096) == 0, "a name over PATH_MAX is read past");
	is_int(seen.long_name, sizeof(long_name), "its size is told");
	is_str(seen.names[0], "", "its name is not");

	/* A NUL inside a long name is damage, as in a short one. */
	mb.data[110 + 100] = '\0';
	cpio_reader_init(&r, 0, "mem", 0, NULL, NULL);
	ok(feed_all(&r, &mb, 3) < 0, "a NUL inside a long name is an error");
	buf_free(&two);
	sink_finish(out);
	buf_free(&mb);
	return done_testing();
}
