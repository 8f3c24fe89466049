/*
 * cpio.c - the newc cpio format, written and read.
 *
 * A newc header is "070701" followed by thirteen 8-digit hex fields, then the
 * NUL-terminated name; header plus name, and then the data, are padded with
 * zeros to a multiple of four bytes.  The archive ends with an entry named
 * "TRAILER!!!".  The "070702" variant is the same with a data checksum.
 */
#include "format/cpio.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/util.h"

#define HEADER_LEN CPIO_HEADER_LEN
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

/*
 * The reader is fed the archive a piece at a time and keeps only what an
 * entry needs: its header, its name (the kernel skips an entry whose name
 * is longer than PATH_MAX, so a longer one is only measured), a symlink's
 * target up to PATH_MAX, the checksum.  The data goes past otherwise.
 */
enum { GAP, HEADER, NAME, NAME_PAD, DATA, DATA_PAD, DONE };

void cpio_reader_init(struct cpio_reader *r, uint64_t base, const char *what, int archives,
		      cpio_entry_fn fn, void *ctx)
{
	*r = (struct cpio_reader){.fn = fn, .ctx = ctx, .what = what, .pos = base,
				  .archives = archives, .state = archives ? GAP : HEADER,
				  .left = HEADER_LEN};
}

/* The name for messages: a long one is only measured. */
static const char *shown_name(struct cpio_reader *r)
{
	if (r->e.long_name)
		snprintf(r->name, sizeof(r->name), "(a name of %u bytes)", r->namesize);
	return r->name;
}

/* 110 bytes of header are in: what they say; -1 if damaged. */
static int header_done(struct cpio_reader *r)
{
	r->e = (struct cpio_entry){.offset = r->pos - HEADER_LEN};
	if (!cpio_is_magic(r->header, HEADER_LEN))
		return fail(r->what, "offset %llu: not a newc cpio header",
			    (unsigned long long)r->e.offset);
	r->e.crc = r->header[5] == '2';
	if (parse_header(r->header, &r->e, &r->namesize) < 0)
		return fail(r->what, "offset %llu: damaged cpio header",
			    (unsigned long long)r->e.offset);
	if (r->namesize == 0)
		return fail(r->what, "offset %llu: bad name in cpio header",
			    (unsigned long long)r->e.offset);
	r->e.long_name = r->namesize > PATH_MAX ? r->namesize : 0;
	r->e.h.name = r->e.long_name ? "" : r->name;
	r->nul_inside = 0;
	r->state = NAME;
	r->left = r->namesize;
	return 0;
}

/* The name is in: it ends with its only NUL. */
static int name_done(struct cpio_reader *r)
{
	if (r->nul_inside ||
	    (!r->e.long_name && memchr(r->name, 0, r->namesize) != r->name + r->namesize - 1))
		return fail(r->what, "offset %llu: bad name in cpio header",
			    (unsigned long long)r->e.offset);
	r->trailer = !r->e.long_name && !strcmp(r->name, CPIO_TRAILER);
	r->state = NAME_PAD;
	r->left = PAD4(HEADER_LEN + r->namesize);
	r->sum = 0;
	return 0;
}

/* The data has gone past: the entry is whole. */
static int data_done(struct cpio_reader *r)
{
	r->state = DATA_PAD;
	r->left = PAD4(r->e.h.filesize);
	if (r->trailer)
		return 0;
	if (r->e.crc && r->sum != r->e.h.check)
		return fail(r->what, "offset %llu: %s: checksum mismatch",
			    (unsigned long long)r->e.offset, shown_name(r));
	if (!r->e.data && S_ISLNK(r->e.h.mode) && r->e.h.filesize <= PATH_MAX)
		r->e.data = r->target;
	return r->fn ? r->fn(&r->e, r->ctx) : 0;
}

/* Takes up to n bytes of the part the reader is in; how many it took. */
static size_t take(struct cpio_reader *r, const unsigned char *p, size_t n)
{
	size_t k = n < r->left ? n : (size_t)r->left;

	if (r->state == HEADER) {
		memcpy(r->header + HEADER_LEN - r->left, p, k);
	} else if (r->state == NAME && !r->e.long_name) {
		memcpy(r->name + r->namesize - r->left, p, k);
	} else if (r->state == NAME) {
		/* a NUL before the last byte is one too many */
		size_t body = k - (k == r->left);

		r->nul_inside |= memchr(p, 0, body) != NULL;
		if (k == r->left && p[k - 1])
			r->nul_inside = 1;
	} else if (r->state == DATA) {
		uint64_t at = r->e.h.filesize - r->left;

		if (r->e.crc)
			for (size_t i = 0; i < k; i++)
				r->sum += p[i];
		if (S_ISLNK(r->e.h.mode) && r->e.h.filesize <= PATH_MAX)
			memcpy(r->target + at, p, k);
	}
	r->left -= k;
	r->pos += k;
	return k;
}

/* The reader's part is over: on to the next, -1 if what it held is damaged. */
static int next_part(struct cpio_reader *r, const unsigned char *p)
{
	switch (r->state) {
	case HEADER:
		return header_done(r);
	case NAME:
		return name_done(r);
	case NAME_PAD:
		r->state = DATA;
		r->left = r->e.h.filesize;
		r->e.data = p;	/* the data starts in this piece */
		return r->left ? 0 : data_done(r);
	case DATA:
		return data_done(r);
	case DATA_PAD:
		r->state = !r->trailer ? HEADER : r->archives ? GAP : DONE;
		r->left = HEADER_LEN;
		return 0;
	}
	return 0;
}

/* Zero bytes between archives: how many p starts with. */
static size_t zero_run(const unsigned char *p, size_t n)
{
	static const unsigned char zero[4096];
	size_t k = 0;

	while (n - k >= sizeof(zero) && !memcmp(p + k, zero, sizeof(zero)))
		k += sizeof(zero);
	while (k < n && !p[k])
		k++;
	return k;
}

long long cpio_reader_feed(struct cpio_reader *r, const unsigned char *p, size_t n)
{
	size_t off = 0;

	if (r->state == DATA)	/* the data is in one piece only if it starts in this one */
		r->e.data = r->left == r->e.h.filesize ? p : NULL;
	while (r->state != DONE) {
		if (r->state == GAP) {
			size_t z = zero_run(p + off, n - off);

			off += z;
			r->pos += z;
			if (off == n)
				break;
			r->state = HEADER;
			r->left = HEADER_LEN;
		} else if (!r->left) {
			if (next_part(r, p + off) < 0)
				return -1;
		} else if (off < n) {
			off += take(r, p + off, n - off);
		} else {
			break;
		}
	}
	return (long long)off;
}

int cpio_reader_end(struct cpio_reader *r)
{
	switch (r->state) {
	case HEADER:
		return fail(r->what, "offset %llu: archive ends without a trailer",
			    (unsigned long long)(r->pos - (HEADER_LEN - r->left)));
	case NAME:
		return fail(r->what, "offset %llu: bad name in cpio header",
			    (unsigned long long)r->e.offset);
	case NAME_PAD:
	case DATA:
		return fail(r->what, "offset %llu: %s: data runs past the end",
			    (unsigned long long)r->e.offset, shown_name(r));
	case DATA_PAD:
		/* the last padding may be missing */
		if (!r->trailer)
			return fail(r->what, "offset %llu: archive ends without a trailer",
				    (unsigned long long)r->pos);
	}
	return 0;
}

int cpio_parse(const unsigned char *p, size_t len, uint64_t base,
	       const char *what, size_t *used, cpio_entry_fn fn, void *ctx)
{
	struct cpio_reader *r = xmalloc(sizeof(*r));
	long long n;
	int rc;

	cpio_reader_init(r, base, what, 0, fn, ctx);
	n = cpio_reader_feed(r, p, len);
	rc = n < 0 ? -1 : cpio_reader_end(r);
	*used = n < 0 ? 0 : (size_t)n;
	free(r);
	return rc;
}
