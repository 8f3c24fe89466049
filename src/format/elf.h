/* elf.h - what minos needs to know of a 64-bit ELF file, read without running it */
#ifndef MINOS_ELF_H
#define MINOS_ELF_H

#include <stddef.h>

struct elf_info {
	int is_elf;		/* starts with the ELF magic */
	unsigned machine;	/* e_machine of an ELFCLASS64 little-endian file, else 0 */
	int executable;		/* ET_EXEC or ET_DYN */
	char *interp;		/* PT_INTERP, or NULL: static */
	char **needed;		/* DT_NEEDED, NULL-terminated */
	char *rpath, *runpath;	/* DT_RPATH, DT_RUNPATH, or NULL */
};

/*
 * Reads path's ELF headers.  A file that is not ELF gives is_elf = 0 and
 * returns 0; an unreadable file or a damaged ELF prints an error, returns -1.
 */
int elf_read(const char *path, struct elf_info *info);
void elf_free(struct elf_info *info);
/* A 64-bit little-endian ELF file's e_machine and e_type: 1; 0 if it is none; -1 unreadable. */
int elf_header(const char *path, unsigned *machine, unsigned *type);
/* The same for a file already in memory; path is for messages. */
int elf_parse(const char *path, const void *data, size_t len, struct elf_info *info);

/*
 * Calls fn(host_path, guest_path, ctx) for the interpreter and every shared
 * library `path` needs, transitively, each once, each of path's machine.
 * root (NULL or "" for the host's /) is the directory the libraries are
 * looked up in, as the guest's /: a --sysroot of another architecture.
 * A library that cannot be found is an error naming the object that needs it.
 */
typedef int (*elf_dep_fn)(const char *host, const char *guest, void *ctx);
int elf_for_each_dep(const char *path, const char *root, elf_dep_fn fn, void *ctx);

#endif
