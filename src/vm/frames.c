/*
 * frames.c - the host's side of the test channel: a type byte, a 32-bit
 * little-endian length and the payload, after the guest's ready frame.
 * The guest may be a kernel under test, broken or hostile: every length is
 * checked, and nothing is read past what arrived.
 */
#include "vm/frames.h"

#include <string.h>

#include "channel.h"

#define HEADER 5

/* Drops the noise before the ready frame, keeping a tail that may start it. */
static void sync_to_ready(struct frames *f)
{
	static const char ready[] = CHAN_READY_FRAME;
	const size_t n = sizeof(ready) - 1;
	unsigned char *at = f->in.len ? memmem(f->in.data, f->in.len, ready, n) : NULL;
	size_t drop;

	if (at) {
		drop = at - f->in.data;
		f->synced = 1;
	} else {
		drop = f->in.len > n ? f->in.len - n : 0;
	}
	memmove(f->in.data, f->in.data + drop, f->in.len - drop);
	f->in.len -= drop;
}

int frames_take(struct frames *f, const void *p, size_t n, frame_fn fn, void *ctx)
{
	size_t off = 0;
	int rc = 0;

	buf_add(&f->in, p, n);
	if (!f->synced)
		sync_to_ready(f);
	if (!f->synced)
		return 0;
	while (!rc && f->in.len - off >= HEADER) {
		const unsigned char *h = f->in.data + off;
		uint32_t len = le32(h + 1);

		if (len > FRAME_MAX)
			return fail("test channel", "bad frame from the guest (length %u)", len);
		if (f->in.len - off - HEADER < len)
			break;
		rc = fn(ctx, h[0], h + HEADER, len);
		off += HEADER + len;
	}
	memmove(f->in.data, f->in.data + off, f->in.len - off);
	f->in.len -= off;
	return rc;
}

void frames_free(struct frames *f)
{
	buf_free(&f->in);
}
