/* fuzz-elf.c - the ELF reader: headers, PT_INTERP, the dynamic section and its strings */
#include <stdint.h>
#include <stdio.h>

#include "format/elf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_info info;

	if (elf_parse("fuzz", data, size, &info) == 0)
		elf_free(&info);
	return 0;
}
