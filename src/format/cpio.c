/*
 * cpio.c - the newc cpio format, written and read.
 *
 * A newc header is "070701" followed by thirteen 8-digit hex fields, then the
 * NUL-terminated name; header plus name, and then the data, are padded with
 * zeros to a multiple of four bytes.  The archive ends with an entry named
 * "TRAILER!!!".  The "070702" variant is the same with a data checksum.
 */
#include "format/cpio.h"

#include <stdio.h>
#include <string.h>

#include "util/util.h"

#define HEADER_LEN 110
#define PAD4(n) ((4 - ((n) & 3)) & 3)

static const unsigned char zeros[4];

int cpio_write_header(struct cpio_writer *w, const struct cpio_header *h)
{
	char hdr[HEADER_LEN + 1];
	size_t namesize = strlen(h->name) + 1;

	if (w->pending)
		return fail(h->name, "cpio: previous entry is missing %llu data bytes",
			    (unsigned long long)w->pending);
	if (h->filesize > CPIO_MAX_FILESIZE)
		return fail(h->name, "larger than the newc format's 4 GiB limit");
	snprintf(hdr, sizeof(hdr),
		 "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 h->ino, h->mode, h->uid, h->gid, h->nlink, h->mtime,
		 (unsigned)h->filesize, h->devmajor, h->devminor,
		 h->rdevmajor, h->rdevminor, (unsigned)namesize, 0u);
	if (sink_write(w->out, hdr, HEADER_LEN) < 0 ||
	    sink_write(w->out, h->name, namesize) < 0 ||
	    sink_write(w->out, zeros, PAD4(HEADER_LEN + namesize)) < 0)
		return -1;
	w->pending = w->size = h->filesize;
	return 0;
}

int cpio_write_data(struct cpio_writer *w, const void *p, size_t n)
{
	if (n > w->pending)
		return fail(NULL, "cpio: entry data longer than its header says");
	if (sink_write(w->out, p, n) < 0)
		return -1;
	w->pending -= n;
	if (!w->pending)
		return sink_write(w->out, zeros, PAD4(w->size));
	return 0;
}

int cpio_write_trailer(struct cpio_writer *w)
{
	struct cpio_header h = {.nlink = 1, .name = CPIO_TRAILER};

	return cpio_write_header(w, &h);
}

int cpio_is_magic(const unsigned char *p, size_t len)
{
	return len >= 6 && (!memcmp(p, "070701", 6) || !memcmp(p, "070702", 6));
}

/* Parses 8 hex digits; -1 if any is not one. */
static int hex8(const unsigned char *p, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 8; i++) {
		int c = p[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

static int parse_header(const unsigned char *p, struct cpio_entry *e,
			uint32_t *namesize)
{
	uint32_t *fields[] = {
		&e->h.ino, &e->h.mode, &e->h.uid, &e->h.gid, &e->h.nlink,
		&e->h.mtime, NULL, &e->h.devmajor, &e->h.devminor,
		&e->h.rdevmajor, &e->h.rdevminor, namesize, &e->h.check,
	};
	uint32_t size;

	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		if (hex8(p + 6 + 8 * i, fields[i] ? fields[i] : &size) < 0)
			return -1;
	e->h.filesize = size;
	return 0;
}

int cpio_parse(const unsigned char *p, size_t len, uint64_t base,
	       const char *what, size_t *used, cpio_entry_fn fn, void *ctx)
{
	size_t off = 0;

	for (;;) {
		struct cpio_entry e = {.offset = base + off};
		uint32_t namesize;
		size_t name_end, data_end;

		if (len - off < HEADER_LEN)
			return fail(what, "offset %llu: archive ends without a trailer",
				    (unsigned long long)e.offset);
		if (!cpio_is_magic(p + off, len - off))
			return fail(what, "offset %llu: not a newc cpio header",
				    (unsigned long long)e.offset);
		e.crc = p[off + 5] == '2';
		if (parse_header(p + off, &e, &namesize) < 0)
			return fail(what, "offset %llu: damaged cpio header",
				    (unsigned long long)e.offset);
		name_end = off + HEADER_LEN + namesize;
		if (namesize == 0 || namesize > len - off - HEADER_LEN ||
		    p[name_end - 1] != '\0' ||
		    memchr(p + off + HEADER_LEN, 0, namesize) != p + name_end - 1)
			return fail(what, "offset %llu: bad name in cpio header",
				    (unsigned long long)e.offset);
		e.h.name = (const char *)p + off + HEADER_LEN;
		name_end += PAD4(HEADER_LEN + namesize);
		if (name_end > len || e.h.filesize > len - name_end)
			return fail(what, "offset %llu: %s: data runs past the end",
				    (unsigned long long)e.offset, e.h.name);
		e.data = p + name_end;
		data_end = name_end + e.h.filesize;
		data_end += PAD4(e.h.filesize);
		if (data_end > len)
			data_end = len;
		if (!strcmp(e.h.name, CPIO_TRAILER)) {
			*used = data_end;
			return 0;
		}
		if (e.crc) {
			uint32_t sum = 0;

			for (uint64_t i = 0; i < e.h.filesize; i++)
				sum += e.data[i];
			if (sum != e.h.check)
				return fail(what, "offset %llu: %s: checksum mismatch",
					    (unsigned long long)e.offset, e.h.name);
		}
		if (fn && fn(&e, ctx) < 0)
			return -1;
		off = data_end;
	}
}
