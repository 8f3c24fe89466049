/* sink.h - where a stream of bytes goes: a file, or a compressor in front of one */
#ifndef MINOS_SINK_H
#define MINOS_SINK_H

#include <stddef.h>
#include <stdint.h>

struct sink {
	/* Both return 0, or print an error and return -1. */
	int (*write)(struct sink *s, const void *p, size_t n);
	int (*finish)(struct sink *s);	/* flushes and frees the sink */
	uint64_t written;		/* bytes accepted so far */
};

static inline int sink_write(struct sink *s, const void *p, size_t n)
{
	s->written += n;
	return s->write(s, p, n);
}

static inline int sink_finish(struct sink *s)
{
	return s->finish(s);
}

#endif
