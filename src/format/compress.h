/* compress.h - the initramfs compressions the kernel decodes, both ways */
#ifndef MINOS_COMPRESS_H
#define MINOS_COMPRESS_H

#include <stddef.h>
#include <stdint.h>

#include "util/sink.h"
#include "util/util.h"

enum compression { COMP_NONE, COMP_GZIP, COMP_ZSTD, COMP_XZ, COMP_LZ4 };

/* Name as on the command line ("zstd"); -1 for an unknown name. */
int compression_from_name(const char *name);
const char *compression_name(enum compression c);
/* The kernel config symbol that enables its decoder (CONFIG_RD_ZSTD). */
const char *compression_kconfig(enum compression c);
/* Valid --level range; default_level is what minos uses without --level. */
void compression_levels(enum compression c, int *min, int *max, int *def);

/* A sink writing to fd; errors name `what` (the output path). */
struct sink *sink_fd(int fd, const char *what);
/* A sink appending to b (which the caller owns and frees). */
struct sink *sink_buf(struct buf *b);
/* A sink compressing into `next`; finishing it finishes `next` too. */
struct sink *sink_compress(enum compression c, int level, struct sink *next,
			   const char *what);

/*
 * What unpacking may take: the bytes it unpacks to, and the decoder's own
 * memory (xz's dictionary, zstd's window).  raise, if not NULL, tells the
 * user how to raise them ("--max-memory").
 */
struct unpack_limits {
	uint64_t out, window;
	const char *raise;
	uint64_t in;		/* unused: no reader reads its file whole now (initrd maps it) */
};
/* For files minos picks itself (modules): far above any real one. */
#define UNPACK_LIMITS_DEFAULT \
	((struct unpack_limits){1ULL << 30, 256ULL << 20, NULL, UINT64_MAX - 1})

/* The compression whose magic p starts with; COMP_NONE for none we read. */
enum compression compression_detect(const unsigned char *p, size_t len);

/*
 * Where a decoder's output goes, a piece at a time: fn takes each piece
 * and returns -1 (after saying why) to stop the decoder.  total counts the
 * bytes unpacked so far by every stream given this output, which are held
 * to the limit together.
 */
struct unpack_out {
	int (*fn)(const unsigned char *p, size_t n, void *ctx);
	void *ctx;
	uint64_t total;
};

/*
 * If p starts a compressed stream we can read, decompresses one stream,
 * handing its output to out as it comes (the memory it takes is the
 * decoder's window and a piece, however much it unpacks to), sets *used
 * to the input it took and returns 1; returns 0 if p does not start a
 * known compressed stream; -1 (after an error naming `what` and the offset
 * base) if it is damaged, over the limits, or out->fn stopped it.
 */
int decompress_to(const unsigned char *p, size_t len, uint64_t base, const char *what,
		  const struct unpack_limits *lim, struct unpack_out *out, size_t *used,
		  enum compression *kind);

/* The same, gathering the output in out (held to lim->out with what out held before). */
int decompress_stream(const unsigned char *p, size_t len, uint64_t base,
		      const char *what, const struct unpack_limits *lim,
		      struct buf *out, size_t *used, enum compression *kind);

/*
 * The legacy .lzma format, which only kernel payloads still use (no magic
 * to tell it by: the caller knows).  0, or -1 after an error.
 */
int decompress_lzma_alone(const unsigned char *p, size_t len, const char *what,
			  const struct unpack_limits *lim, struct buf *out);

#endif
