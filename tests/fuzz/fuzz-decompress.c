/*
 * fuzz-decompress.c - each decoder straight: the first byte picks the
 * format, whose magic is put before the rest, so every input reaches one.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/compress.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char magic[4][6] = {
		{0x1f, 0x8b}, {0x28, 0xb5, 0x2f, 0xfd}, {0xfd, '7', 'z', 'X', 'Z', 0},
		{0x02, 0x21, 0x4c, 0x18},
	};
	static const size_t magic_len[4] = {2, 4, 6, 4};
	struct unpack_limits lim = {.out = 8 << 20, .window = 32 << 20, .in = UINT64_MAX};
	struct buf out = {0};
	enum compression kind;
	unsigned char *in;
	size_t used, n;
	int f;

	if (size < 1)
		return 0;
	f = data[0] & 3;
	n = magic_len[f] + size - 1;
	in = malloc(n);
	memcpy(in, magic[f], magic_len[f]);
	memcpy(in + magic_len[f], data + 1, size - 1);
	if (decompress_stream(in, n, 0, "fuzz", &lim, &out, &used, &kind) > 0 && used > n)
		abort();
	buf_free(&out);
	free(in);
	return 0;
}
