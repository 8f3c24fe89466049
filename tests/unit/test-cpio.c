/* test-cpio.c - the newc writer and reader against each other and known bytes */
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "format/compress.h"
#include "format/cpio.h"
#include "tap.h"
#include "util/util.h"

struct seen {
	char names[8][32];
	uint32_t modes[8];
	uint64_t sizes[8];
	int n;
};

/* Reads every byte an entry offers, so that ASan sees a read past the input. */
static int touch(const struct cpio_entry *e, void *ctx)
{
	unsigned *sum = ctx;

	for (const char *c = e->h.name; *c; c++)
		*sum += (unsigned char)*c;
	for (uint64_t i = 0; i < e->h.filesize; i++)
		*sum += e->data[i];
	return 0;
}

static int collect(const struct cpio_entry *e, void *ctx)
{
	struct seen *s = ctx;

	if (s->n < 8) {
		snprintf(s->names[s->n], sizeof(s->names[0]), "%s", e->h.name);
		s->modes[s->n] = e->h.mode;
		s->sizes[s->n++] = e->h.filesize;
	}
	return 0;
}

int main(void)
{
	struct buf mb = {0};
	struct sink *out = sink_buf(&mb);	/* the archive written, in mb */
	struct cpio_writer w = {.out = out};
	struct cpio_header dir = {.ino = 1, .mode = S_IFDIR | 0755, .nlink = 2, .name = "bin"};
	struct cpio_header file = {.ino = 2, .mode = S_IFREG | 0644, .nlink = 1,
				   .filesize = 5, .name = "bin/hello"};
	struct seen seen = {0};
	size_t used;

	ok(cpio_write_header(&w, &dir) == 0, "a directory header");
	/* 110 + "bin\0" = 114, padded to 116 */
	is_int(mb.len, 116, "header and name padded to four bytes");
	ok(!memcmp(mb.data, "07070100000001000041ED", 22), "magic, inode and mode in hex");
	ok(cpio_write_header(&w, &file) == 0, "a file header");
	ok(cpio_write_header(&w, &dir) < 0, "a header before the data is refused");
	ok(cpio_write_data(&w, "hel", 3) == 0 && cpio_write_data(&w, "lo", 2) == 0,
	   "data in pieces");
	is_int(mb.len % 4, 0, "data padded to four bytes");
	ok(cpio_write_data(&w, "x", 1) < 0, "data past the size is refused");
	ok(cpio_write_trailer(&w) == 0, "the trailer");
	file.filesize = CPIO_MAX_FILESIZE + 1;
	ok(cpio_write_header(&w, &file) < 0, "a file over 4 GiB is refused");

	ok(cpio_parse(mb.data, mb.len, 0, "mem", &used, collect, &seen) == 0,
	   "the reader takes what the writer wrote");
	is_int(used, mb.len, "up to the end of the trailer");
	is_int(seen.n, 2, "two entries, the trailer not among them");
	is_str(seen.names[1], "bin/hello", "names come back");
	is_int(seen.sizes[1], 5, "sizes come back");
	is_int(seen.modes[0], S_IFDIR | 0755, "modes come back");

	ok(cpio_parse(mb.data, mb.len - 120, 0, "mem", &used, NULL, NULL) < 0,
	   "a truncated archive is an error");
	{
		/* Every prefix, each in a buffer of exactly its size: under ASan an
		 * off-by-one anywhere in the reader is a crash here. */
		size_t bad = 0;
		unsigned sum = 0;

		for (size_t n = 0; n < mb.len; n++) {
			unsigned char *cut = xmalloc(n ? n : 1);

			memcpy(cut, mb.data, n);
			bad += cpio_parse(cut, n, 0, "mem", &used, touch, &sum) < 0;
			free(cut);
		}
		is_int(bad, mb.len, "every prefix of an archive is an error, read within bounds");
	}
	mb.data[116 + 8] = 'g';
	ok(cpio_parse(mb.data, mb.len, 0, "mem", &used, NULL, NULL) < 0,
	   "a header with a non-hex digit is an error");
	mb.data[116 + 8] = '0';
	mb.data[5] = '2';	/* crc format: the check field must match */
	ok(cpio_parse(mb.data, mb.len, 0, "mem", &used, NULL, NULL) == 0,
	   "crc format with an empty directory (check 0) is fine");
	mb.data[116 + 5] = '2';
	ok(cpio_parse(mb.data, mb.len, 0, "mem", &used, NULL, NULL) < 0,
	   "crc format with a wrong checksum is an error");
	sink_finish(out);
	buf_free(&mb);
	return done_testing();
}
