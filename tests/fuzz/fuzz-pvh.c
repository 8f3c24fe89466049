/*
 * fuzz-pvh.c - a bzImage's payload (found through its setup header and
 * unpacked, within a small limit) and the PVH note of the ELF inside; the
 * input is tried as an ELF directly too.
 */
#include <stdint.h>
#include <stdio.h>

#include "vm/pvh.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct unpack_limits lim = {16 << 20, 16 << 20, NULL, UINT64_MAX - 1};
	struct payload pl;
	struct buf out = {0};
	uint64_t entry;

	pvh_elf_entry(data, size, &entry);
	if (pvh_payload(data, size, &pl) == 0 && pl.decodable &&
	    pvh_unpack(&pl, "fuzz", &lim, &out) == 0)
		pvh_elf_entry(out.data, out.len, &entry);
	buf_free(&out);
	return 0;
}
