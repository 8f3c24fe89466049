/* frames.h - the host's side of the test channel: frames out of the guest's bytes */
#ifndef MINOS_FRAMES_H
#define MINOS_FRAMES_H

#include <stdint.h>

#include "util/util.h"

#define FRAME_MAX (1u << 24)	/* a longer frame is a broken or hostile guest */

struct frames {
	struct buf in;		/* bytes not yet a whole frame */
	int synced;		/* the guest's ready frame has been seen */
};

typedef int (*frame_fn)(void *ctx, int type, const unsigned char *payload, uint32_t len);

/*
 * Takes n more bytes from the guest and calls fn for every whole frame,
 * from the ready frame on (firmware writes its console to every serial
 * port: what comes before it is noise).  -1 after an error (a bad frame,
 * or fn's -1).
 */
int frames_take(struct frames *f, const void *p, size_t n, frame_fn fn, void *ctx);
void frames_free(struct frames *f);

#endif
