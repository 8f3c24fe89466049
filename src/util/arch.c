/*
 * arch.c - the names one architecture goes by: the kernel's ARCH=, uname
 * -m, ELF's e_machine, Debian's architecture and multiarch triplet.
 */
#include "util/arch.h"

#include <elf.h>
#include <string.h>

#include "util/util.h"

static const struct {
	const char *name, *alias, *uname, *elf, *triplet, *debian;
	unsigned machine;
} arches[] = {
	[ARCH_X86_64] = {"x86_64", "amd64", "x86_64", "x86-64", "x86_64-linux-gnu", "amd64",
			 EM_X86_64},
	[ARCH_ARM64] = {"arm64", "aarch64", "aarch64", "ARM aarch64", "aarch64-linux-gnu", "arm64",
			EM_AARCH64},
};

const char *const arch_names[] = {"x86_64", "arm64", NULL};

enum arch arch_from_name(const char *name)
{
	for (size_t i = ARCH_X86_64; name && i < ARRAY_SIZE(arches); i++)
		if (!strcmp(name, arches[i].name) || !strcmp(name, arches[i].alias))
			return (enum arch)i;
	return ARCH_NONE;
}

const char *arch_name(enum arch a)
{
	return a == ARCH_NONE ? "unknown" : arches[a].name;
}

const char *arch_uname(enum arch a)
{
	return a == ARCH_NONE ? "unknown" : arches[a].uname;
}

const char *arch_elf_name(enum arch a)
{
	return a == ARCH_NONE ? "unknown" : arches[a].elf;
}

unsigned arch_elf_machine(enum arch a)
{
	return a == ARCH_NONE ? EM_NONE : arches[a].machine;
}

enum arch arch_of_elf_machine(unsigned machine)
{
	for (size_t i = ARCH_X86_64; i < ARRAY_SIZE(arches); i++)
		if (arches[i].machine == machine)
			return (enum arch)i;
	return ARCH_NONE;
}

const char *arch_triplet(enum arch a)
{
	return a == ARCH_NONE ? "" : arches[a].triplet;
}

const char *arch_debian(enum arch a)
{
	return a == ARCH_NONE ? "" : arches[a].debian;
}

enum arch arch_host(void)
{
#if defined(__aarch64__)
	return ARCH_ARM64;
#else
	return ARCH_X86_64;
#endif
}
