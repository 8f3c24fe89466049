/*
 * fuzz-kreport.c - the console reader behind minos test's kernel verdict:
 * what a guest prints, split across reads as it arrives.  The first byte
 * says where the reads split, the second how many times the rest is sent
 * (1, 8 or 64: so that small inputs reach the caps).  The reader's own count of its
 * memory stays under its cap, every title is one printable line, every
 * block printable lines, every frame within its caps, and reading byte by
 * byte gives what reading in pieces gives.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vm/kreport.h"

static int printable(const char *s, int lines)
{
	for (; *s; s++)
		if ((unsigned char)*s > 0x7e ||
		    ((unsigned char)*s < 0x20 && !(lines && (*s == '\n' || *s == '\t'))))
			return 0;
	return 1;
}

static void check_frames(const struct kreport *k)
{
	if (k->nframes > KREPORT_FRAMES_MAX || (k->nframes && !k->frames))
		abort();
	for (size_t i = 0; i < k->nframes; i++) {
		const struct kreport_frame *f = &k->frames[i];

		if (!f->symbol || !*f->symbol || strlen(f->symbol) > 255 || !printable(f->symbol, 0))
			abort();
		if (f->module && (!*f->module || strlen(f->module) > 63 || !printable(f->module, 0)))
			abort();
		if (f->stack > i || f->from > KREPORT_FROM_LR)
			abort();
	}
}

static void check_report(const struct kreport *k)
{
	if ((unsigned)k->kind >= KREPORT_NKINDS || !kreport_kind_name(k->kind))
		abort();
	if (!k->title || !*k->title || strlen(k->title) > 255 || !printable(k->title, 0))
		abort();
	if ((k->function && (!*k->function || !printable(k->function, 0))) ||
	    (k->location && (!*k->location || !printable(k->location, 0))))
		abort();
	if (!k->block || strlen(k->block) != k->block_len || k->block_len > KREPORT_BLOCK_MAX ||
	    !printable(k->block, 1) || (k->block_len && k->block[k->block_len - 1] != '\n'))
		abort();
	check_frames(k);
}

static void feed_checked(struct kreport_reader *r, const uint8_t *p, size_t n, size_t step)
{
	for (size_t off = 0; off < n; off += step) {
		kreport_feed(r, (const char *)p + off, n - off < step ? n - off : step);
		if (kreport_memory(r) > KREPORT_MEM_MAX || kreport_count(r) > KREPORT_KEEP)
			abort();
	}
}

/* The same reports, however the bytes were split. */
static void compare(const struct kreport_reader *a, const struct kreport_reader *b)
{
	if (kreport_count(a) != kreport_count(b) || kreport_dropped(a) != kreport_dropped(b))
		abort();
	for (size_t i = 0; i < kreport_count(a); i++) {
		const struct kreport *x = kreport_get(a, i), *y = kreport_get(b, i);

		if (x->kind != y->kind || strcmp(x->title, y->title) || x->nframes != y->nframes ||
		    x->block_len != y->block_len || memcmp(x->block, y->block, x->block_len) ||
		    x->cut != y->cut)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kreport_reader *r, *one;
	size_t step, reps;

	if (size < 2)
		return 0;
	step = data[0] % 97 + 1;
	/* mostly once, which the check byte by byte needs; sometimes enough
	 * times to fill a block, the list of reports, the memory */
	reps = (data[1] & 7) == 7 ? 64 : (data[1] & 7) == 6 ? 8 : 1;
	r = malloc(sizeof(*r));
	kreport_reader_init(r);
	for (size_t i = 0; i < reps; i++)
		feed_checked(r, data + 2, size - 2, step);
	kreport_finish(r);
	if (kreport_memory(r) > KREPORT_MEM_MAX || kreport_count(r) > KREPORT_KEEP)
		abort();
	for (size_t i = 0; i < kreport_count(r); i++)
		check_report(kreport_get(r, i));
	if (reps == 1) {
		one = malloc(sizeof(*one));
		kreport_reader_init(one);
		feed_checked(one, data + 2, size - 2, 1);
		kreport_finish(one);
		compare(r, one);
		kreport_reader_free(one);
		free(one);
	}
	kreport_reader_free(r);
	free(r);
	return 0;
}
