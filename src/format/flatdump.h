/*
 * flatdump.h - makedumpfile's "flattened" format, which QEMU's
 * dump-guest-memory writes for its kdump formats (QEMU 7.2: always), made
 * the ordinary kdump-compressed file that crash, drgn and libkdumpfile read.
 */
#ifndef MINOS_FLATDUMP_H
#define MINOS_FLATDUMP_H

#include <stdint.h>

#define FLATDUMP_HEADER 4096		/* makedumpfile's header, "makedumpfile" first */
#define FLATDUMP_RECORD_MAX (64u << 20)	/* a record's bytes: QEMU writes pages */

/*
 * Reads the flattened dump on in (name for errors) and writes each record
 * at its offset in out, which must be empty, up to max_size bytes in all:
 * 0, or -1 said ("NAME: not a flattened dump", "record beyond ...").
 */
int flatdump_unflatten(int in, int out, const char *name, uint64_t max_size);

/*
 * QEMU's kdump header names only the machine; crash's and libkdumpfile's
 * readers (drgn's) want the kernel's utsname: its empty sysname, release
 * and version in the kdump file on fd are filled ("Linux", the banner's).
 * 0, or -1 said.
 */
int kdump_fill_uts(int fd, const char *name, const char *release, const char *version);

#endif
