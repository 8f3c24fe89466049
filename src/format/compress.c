/*
 * compress.c - gzip, zstd, xz and lz4 as the kernel's initramfs decoders
 * want them: xz with a CRC32 check (the kernel's decoder knows no other), lz4
 * in the legacy frame format (8 MiB blocks, each behind its 32-bit size).
 * gzip goes through libdeflate, which compresses faster and smaller than
 * zlib at the same level; reading back uses zlib's streaming inflate.
 */
#include "format/compress.h"

#include <errno.h>
#include <libdeflate.h>
#include <lz4.h>
#include <lz4hc.h>
#include <lzma.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#define LZ4_LEGACY_MAGIC 0x184C2102u
#define LZ4_LEGACY_BLOCK (8u << 20)
#define OUT_CHUNK (1u << 17)

static const struct {
	const char *name, *kconfig;
	int min, max, def;
} comp_info[] = {
	[COMP_NONE] = {"none", NULL, 0, 0, 0},
	[COMP_GZIP] = {"gzip", "CONFIG_RD_GZIP", 1, 12, 6},
	[COMP_ZSTD] = {"zstd", "CONFIG_RD_ZSTD", 1, 22, 9},
	[COMP_XZ] = {"xz", "CONFIG_RD_XZ", 0, 9, 6},
	[COMP_LZ4] = {"lz4", "CONFIG_RD_LZ4", 1, 12, 9},
};

int compression_from_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(comp_info); i++)
		if (!strcmp(name, comp_info[i].name))
			return (int)i;
	return -1;
}

const char *compression_name(enum compression c)
{
	return comp_info[c].name;
}

const char *compression_kconfig(enum compression c)
{
	return comp_info[c].kconfig;
}

void compression_levels(enum compression c, int *min, int *max, int *def)
{
	*min = comp_info[c].min;
	*max = comp_info[c].max;
	*def = comp_info[c].def;
}

/* ---- file sink ---- */

struct fd_sink {
	struct sink s;
	int fd;
	const char *what;
	int failed;	/* said once: a compressor's flush must not say it again */
};

static int fd_write(struct sink *s, const void *p, size_t n)
{
	struct fd_sink *f = (struct fd_sink *)s;

	if (f->failed)
		return -1;
	if (write_all(f->fd, p, n) < 0) {
		f->failed = 1;
		return fail_errno(f->what, "cannot write");
	}
	return 0;
}

/* Finishing a sink that holds no state of its own: free it. */
static int free_finish(struct sink *s)
{
	free(s);
	return 0;
}

struct sink *sink_fd(int fd, const char *what)
{
	struct fd_sink *f = xcalloc(1, sizeof(*f));

	f->s.write = fd_write;
	f->s.finish = free_finish;
	f->fd = fd;
	f->what = what;
	return &f->s;
}

/* ---- memory sink ---- */

struct buf_sink {
	struct sink s;
	struct buf *b;
};

static int buf_write(struct sink *s, const void *p, size_t n)
{
	buf_add(((struct buf_sink *)s)->b, p, n);
	return 0;
}

struct sink *sink_buf(struct buf *b)
{
	struct buf_sink *m = xcalloc(1, sizeof(*m));

	m->s.write = buf_write;
	m->s.finish = free_finish;
	m->b = b;
	return &m->s;
}

/* ---- compressing sinks: each keeps its state and the next sink ---- */

struct comp_sink {
	struct sink s;
	struct sink *next;
	const char *what;
	int level;
	struct buf in;		/* gzip: the whole input; lz4: one block */
	ZSTD_CCtx *zstd;
	lzma_stream xz;
	unsigned char out[OUT_CHUNK];
};

static int finish_next(struct comp_sink *c, int rc)
{
	if (sink_finish(c->next) < 0)
		rc = -1;
	buf_free(&c->in);
	free(c);
	return rc;
}

/* gzip: libdeflate compresses whole buffers; the archive is small enough. */
static int gzip_write(struct sink *s, const void *p, size_t n)
{
	buf_add(&((struct comp_sink *)s)->in, p, n);
	return 0;
}

static int gzip_finish(struct sink *s)
{
	struct comp_sink *c = (struct comp_sink *)s;
	struct libdeflate_compressor *d = libdeflate_alloc_compressor(c->level);
	size_t bound, n;
	void *out;
	int rc;

	if (!d)
		die_oom();
	bound = libdeflate_gzip_compress_bound(d, c->in.len);
	out = xmalloc(bound);
	n = libdeflate_gzip_compress(d, c->in.data, c->in.len, out, bound);
	libdeflate_free_compressor(d);
	rc = n ? sink_write(c->next, out, n) : fail(c->what, "gzip failed");
	free(out);
	return finish_next(c, rc);
}

static int zstd_run(struct comp_sink *c, const void *p, size_t n,
		    ZSTD_EndDirective end)
{
	ZSTD_inBuffer in = {p, n, 0};
	size_t left;

	do {
		ZSTD_outBuffer out = {c->out, sizeof(c->out), 0};

		left = ZSTD_compressStream2(c->zstd, &out, &in, end);
		if (ZSTD_isError(left))
			return fail(c->what, "zstd: %s", ZSTD_getErrorName(left));
		if (sink_write(c->next, c->out, out.pos) < 0)
			return -1;
	} while (end == ZSTD_e_end ? left != 0 : in.pos < in.size);
	return 0;
}

static int zstd_write(struct sink *s, const void *p, size_t n)
{
	return zstd_run((struct comp_sink *)s, p, n, ZSTD_e_continue);
}

static int zstd_finish(struct sink *s)
{
	struct comp_sink *c = (struct comp_sink *)s;
	int rc = zstd_run(c, NULL, 0, ZSTD_e_end);

	ZSTD_freeCCtx(c->zstd);
	return finish_next(c, rc);
}

static int xz_run(struct comp_sink *c, const void *p, size_t n, lzma_action a)
{
	lzma_ret r;

	c->xz.next_in = p;
	c->xz.avail_in = n;
	do {
		c->xz.next_out = c->out;
		c->xz.avail_out = sizeof(c->out);
		r = lzma_code(&c->xz, a);
		if (r != LZMA_OK && r != LZMA_STREAM_END)
			return fail(c->what, "xz: compression failed (%d)", (int)r);
		if (sink_write(c->next, c->out, sizeof(c->out) - c->xz.avail_out) < 0)
			return -1;
	} while (a == LZMA_FINISH ? r != LZMA_STREAM_END : c->xz.avail_in > 0);
	return 0;
}

static int xz_write(struct sink *s, const void *p, size_t n)
{
	return xz_run((struct comp_sink *)s, p, n, LZMA_RUN);
}

static int xz_finish(struct sink *s)
{
	struct comp_sink *c = (struct comp_sink *)s;
	int rc = xz_run(c, NULL, 0, LZMA_FINISH);

	lzma_end(&c->xz);
	return finish_next(c, rc);
}

static int lz4_block(struct comp_sink *c)
{
	int bound = LZ4_compressBound((int)c->in.len);
	char *out = xmalloc(4 + (size_t)bound);
	int n = LZ4_compress_HC((const char *)c->in.data, out + 4,
				(int)c->in.len, bound, c->level);
	int rc;

	if (n <= 0) {
		free(out);
		return fail(c->what, "lz4 failed");
	}
	for (int i = 0; i < 4; i++)
		out[i] = (char)((unsigned)n >> (8 * i));
	rc = sink_write(c->next, out, 4 + (size_t)n);
	free(out);
	c->in.len = 0;
	return rc;
}

static int lz4_write(struct sink *s, const void *p, size_t n)
{
	struct comp_sink *c = (struct comp_sink *)s;
	const unsigned char *b = p;

	while (n) {
		size_t take = LZ4_LEGACY_BLOCK - c->in.len;

		if (take > n)
			take = n;
		buf_add(&c->in, b, take);
		b += take;
		n -= take;
		if (c->in.len == LZ4_LEGACY_BLOCK && lz4_block(c) < 0)
			return -1;
	}
	return 0;
}

static int lz4_finish(struct sink *s)
{
	struct comp_sink *c = (struct comp_sink *)s;
	int rc = c->in.len ? lz4_block(c) : 0;

	return finish_next(c, rc);
}

struct sink *sink_compress(enum compression kind, int level,
			   struct sink *next, const char *what)
{
	static const unsigned char lz4_magic[4] = {0x02, 0x21, 0x4c, 0x18};
	struct comp_sink *c;
	lzma_options_lzma opt;
	lzma_filter filters[2];

	if (kind == COMP_NONE)
		return next;
	c = xcalloc(1, sizeof(*c));
	c->next = next;
	c->what = what;
	c->level = level;
	switch (kind) {
	case COMP_GZIP:
		c->s.write = gzip_write;
		c->s.finish = gzip_finish;
		break;
	case COMP_ZSTD:
		c->zstd = ZSTD_createCCtx();
		if (!c->zstd)
			die_oom();
		ZSTD_CCtx_setParameter(c->zstd, ZSTD_c_compressionLevel, level);
		ZSTD_CCtx_setParameter(c->zstd, ZSTD_c_checksumFlag, 1);
		c->s.write = zstd_write;
		c->s.finish = zstd_finish;
		break;
	case COMP_XZ:
		/* The kernel's decoder only knows CRC32 and plain LZMA2.
		 * The level was checked by the caller: failing here is memory. */
		if (lzma_lzma_preset(&opt, (uint32_t)level))
			die_oom();
		filters[0] = (lzma_filter){LZMA_FILTER_LZMA2, &opt};
		filters[1] = (lzma_filter){LZMA_VLI_UNKNOWN, NULL};
		c->xz = (lzma_stream)LZMA_STREAM_INIT;
		if (lzma_stream_encoder(&c->xz, filters, LZMA_CHECK_CRC32) != LZMA_OK)
			die_oom();
		c->s.write = xz_write;
		c->s.finish = xz_finish;
		break;
	case COMP_LZ4:
		if (sink_write(next, lz4_magic, sizeof(lz4_magic)) < 0) {
			free(c);
			return NULL;
		}
		c->s.write = lz4_write;
		c->s.finish = lz4_finish;
		break;
	case COMP_NONE:
		break;
	}
	return &c->s;
}

/* ---- decompression: each decoder hands its output on a piece at a time ---- */

/* One stream being unpacked, and where its output goes. */
struct unpacking {
	const unsigned char *p;
	size_t len;
	uint64_t base;		/* its offset, for messages */
	const char *what;
	const struct unpack_limits *lim;
	struct unpack_out *out;
	uint64_t start;		/* out->total when it began */
	unsigned char *piece;	/* what the decoder makes, before it is handed on */
};

static int too_big(const struct unpacking *u)
{
	const struct unpack_limits *lim = u->lim;
	int mib = lim->out >= (1 << 20);

	if (u->out->total <= lim->out)
		return 0;
	return fail(u->what, "offset %llu: unpacks to more than %llu %s%s, the limit%s%s",
		    (unsigned long long)u->base,
		    (unsigned long long)(mib ? lim->out >> 20 : lim->out), mib ? "MiB" : "bytes",
		    u->start ? " with what came before it" : "",
		    lim->raise ? "; raise it with " : "", lim->raise ? lim->raise : "");
}

/* need: the decoder's own figure, or 0 where it gives none (zstd). */
static int window_too_big(const struct unpacking *u, const char *format, uint64_t need)
{
	const struct unpack_limits *lim = u->lim;
	char size[48] = "a window over";

	if (need)
		snprintf(size, sizeof(size), "%llu MiB of memory, over",
			 (unsigned long long)((need + (1 << 20) - 1) >> 20));
	return fail(u->what, "offset %llu: this %s data needs %s the %llu MiB limit%s%s",
		    (unsigned long long)u->base, format, size,
		    (unsigned long long)(lim->window >> 20),
		    lim->raise ? "; raise it with " : "", lim->raise ? lim->raise : "");
}

/* Room for the next piece: at most chunk, and one byte past the limit to tell. */
static size_t room(const struct unpacking *u, size_t chunk)
{
	uint64_t left = u->lim->out + 1 - u->out->total;

	return left < chunk ? (size_t)left : chunk;
}

/*
 * Hands on the n bytes the decoder made in u->piece, as far as the limit;
 * -1 past it (said), or when the taker stops (it said why).
 */
static int hand_on(struct unpacking *u, size_t n)
{
	struct unpack_out *o = u->out;
	uint64_t within = u->lim->out - o->total;
	size_t take = n < within ? n : (size_t)within;

	o->total += n;
	if (take && o->fn(u->piece, take, o->ctx) < 0)
		return -1;
	return too_big(u);
}

static int gunzip(struct unpacking *u, size_t *used)
{
	z_stream z = {0};
	int r, stopped;

	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		die_oom();
	z.next_in = (unsigned char *)u->p;
	do {
		size_t n = room(u, OUT_CHUNK), in = u->len - (size_t)(z.next_in - u->p);

		if (!z.avail_in)	/* zlib counts in 32 bits: a long stream in turns */
			z.avail_in = in > UINT32_MAX ? UINT32_MAX : (uInt)in;
		z.next_out = u->piece;
		z.avail_out = (uInt)n;
		r = inflate(&z, Z_NO_FLUSH);
		stopped = hand_on(u, n - z.avail_out) < 0;
	} while (r == Z_OK && !stopped);
	*used = z.total_in;
	inflateEnd(&z);
	if (stopped)
		return -1;
	if (r == Z_STREAM_END)
		return 1;
	if (r == Z_MEM_ERROR)
		die_oom();
	return fail(u->what, "offset %llu: damaged gzip data%s",
		    (unsigned long long)u->base, r == Z_BUF_ERROR ? " (truncated)" : "");
}

static int unzstd(struct unpacking *u, size_t *used)
{
	ZSTD_DStream *d = ZSTD_createDStream();
	ZSTD_inBuffer in = {u->p, u->len, 0};
	ZSTD_outBuffer o;
	unsigned log = 10;
	size_t r;
	int rc = 1;

	if (!d)
		die_oom();
	while (log < 31 && (2ULL << log) <= u->lim->window)
		log++;
	ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax, (int)log);
	do {
		o = (ZSTD_outBuffer){u->piece, room(u, OUT_CHUNK), 0};
		r = ZSTD_decompressStream(d, &o, &in);
		if (hand_on(u, o.pos) < 0)
			rc = -1;
		else if (ZSTD_getErrorCode(r) == ZSTD_error_memory_allocation)
			die_oom();
		else if (ZSTD_getErrorCode(r) == ZSTD_error_frameParameter_windowTooLarge)
			rc = window_too_big(u, "zstd", 0);
		else if (ZSTD_isError(r))
			rc = fail(u->what, "offset %llu: damaged zstd data: %s",
				  (unsigned long long)u->base, ZSTD_getErrorName(r));
	} while (rc == 1 && r != 0 && (in.pos < in.size || o.pos == o.size));
	ZSTD_freeDStream(d);
	*used = in.pos;
	if (rc == 1 && r != 0)
		return fail(u->what, "offset %llu: zstd data is truncated",
			    (unsigned long long)u->base);
	return rc;
}

/* xz, or with alone set the legacy .lzma format (kernel payloads only). */
static int unlzma(struct unpacking *u, size_t *used, int alone)
{
	lzma_stream x = LZMA_STREAM_INIT;
	const char *format = alone ? "lzma" : "xz";
	uint64_t window = u->lim->window;
	lzma_ret r;
	int stopped;

	r = alone ? lzma_alone_decoder(&x, window) : lzma_stream_decoder(&x, window, 0);
	if (r != LZMA_OK)
		die_oom();
	x.next_in = u->p;
	x.avail_in = u->len;
	do {
		size_t n = room(u, OUT_CHUNK);

		x.next_out = u->piece;
		x.avail_out = n;
		r = lzma_code(&x, LZMA_FINISH);
		stopped = hand_on(u, n - x.avail_out) < 0;
	} while (r == LZMA_OK && !stopped);
	*used = x.total_in;
	if (r == LZMA_MEMLIMIT_ERROR && !stopped) {
		uint64_t need = lzma_memusage(&x);

		lzma_end(&x);
		return window_too_big(u, format, need);
	}
	lzma_end(&x);
	if (stopped)
		return -1;
	if (r == LZMA_STREAM_END)
		return 1;
	if (r == LZMA_MEM_ERROR)
		die_oom();
	return fail(u->what, "offset %llu: damaged %s data%s", (unsigned long long)u->base,
		    format, r == LZMA_BUF_ERROR ? " (truncated)" : "");
}

static int unxz(struct unpacking *u, size_t *used)
{
	return unlzma(u, used, 0);
}

/*
 * Legacy lz4 has no end marker: blocks go on until the input stops, or
 * until what follows cannot be a block size (zero padding, the next
 * archive's magic).  A block that claims more than the input holds is
 * truncated data, not the end.
 */
static int unlz4(struct unpacking *u, size_t *used)
{
	const unsigned char *p = u->p;
	size_t off = 4, len = u->len;
	int blocks = 0;

	while (len - off >= 4) {
		uint32_t n = le32(p + off);
		size_t cap;
		int got;

		if (n == LZ4_LEGACY_MAGIC) {
			off += 4;
			continue;
		}
		if (n == 0 || n > (uint32_t)LZ4_compressBound(LZ4_LEGACY_BLOCK))
			break;
		if (n > len - off - 4)
			return fail(u->what, "offset %llu: lz4 data is truncated",
				    (unsigned long long)(u->base + off));
		/* near the limit, a block is unpacked only as far as the room left */
		cap = room(u, LZ4_LEGACY_BLOCK);
		got = LZ4_decompress_safe_partial((const char *)p + off + 4, (char *)u->piece,
						  (int)n, (int)cap, (int)cap);
		if (got < 0)
			return fail(u->what, "offset %llu: damaged lz4 block",
				    (unsigned long long)(u->base + off));
		off += 4 + n;
		blocks++;
		if (hand_on(u, (size_t)got) < 0)
			return -1;
	}
	if (!blocks)
		return fail(u->what, "offset %llu: lz4 magic with no data after it",
			    (unsigned long long)u->base);
	*used = off;
	return 1;
}

static const struct {
	enum compression kind;
	unsigned char magic[6];
	size_t n;
	int (*fn)(struct unpacking *u, size_t *used);
	size_t piece;
} formats[] = {
	{COMP_GZIP, {0x1f, 0x8b}, 2, gunzip, OUT_CHUNK},
	{COMP_ZSTD, {0x28, 0xb5, 0x2f, 0xfd}, 4, unzstd, OUT_CHUNK},
	{COMP_XZ, {0xfd, '7', 'z', 'X', 'Z', 0}, 6, unxz, OUT_CHUNK},
	{COMP_LZ4, {0x02, 0x21, 0x4c, 0x18}, 4, unlz4, LZ4_LEGACY_BLOCK},
};

static int format_of(const unsigned char *p, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++)
		if (len >= formats[i].n && !memcmp(p, formats[i].magic, formats[i].n))
			return (int)i;
	return -1;
}

enum compression compression_detect(const unsigned char *p, size_t len)
{
	int i = format_of(p, len);

	return i < 0 ? COMP_NONE : formats[i].kind;
}

int decompress_to(const unsigned char *p, size_t len, uint64_t base, const char *what,
		  const struct unpack_limits *lim, struct unpack_out *out, size_t *used,
		  enum compression *kind)
{
	struct unpacking u = {p, len, base, what, lim, out, out->total, NULL};
	int i = format_of(p, len), rc;

	if (i < 0)
		return 0;
	*kind = formats[i].kind;
	if (too_big(&u) < 0)
		return -1;
	u.piece = xmalloc(formats[i].piece);
	rc = formats[i].fn(&u, used);
	free(u.piece);
	return rc;
}

/* Gathering a stream in a buffer: it grows by doubling, but never past the limit. */
struct gather {
	struct buf *b;
	uint64_t max;
};

static int gather_piece(const unsigned char *p, size_t n, void *ctx)
{
	struct gather *g = ctx;
	struct buf *b = g->b;

	if (b->len + n > b->cap && b->cap && 2 * (uint64_t)b->cap > g->max) {
		b->data = xrealloc(b->data, g->max);
		b->cap = g->max;
	}
	buf_add(b, p, n);
	return 0;
}

int decompress_stream(const unsigned char *p, size_t len, uint64_t base,
		      const char *what, const struct unpack_limits *lim,
		      struct buf *out, size_t *used, enum compression *kind)
{
	struct gather g = {out, lim->out};
	struct unpack_out o = {gather_piece, &g, out->len};

	return decompress_to(p, len, base, what, lim, &o, used, kind);
}

int decompress_lzma_alone(const unsigned char *p, size_t len, const char *what,
			  const struct unpack_limits *lim, struct buf *out)
{
	struct gather g = {out, lim->out};
	struct unpack_out o = {gather_piece, &g, out->len};
	struct unpacking u = {p, len, 0, what, lim, &o, out->len, NULL};
	size_t used;
	int rc;

	if (too_big(&u) < 0)
		return -1;
	u.piece = xmalloc(OUT_CHUNK);
	rc = unlzma(&u, &used, 1);
	free(u.piece);
	return rc < 0 ? -1 : 0;
}
