/*
 * symbolize.h - a kernel report's frames, "foo_write+0x4c/0x90 [foo]",
 * turned into source lines with the functions inlined there, read with
 * elfutils' libdw from a vmlinux with debug information and from the
 * modules' .ko files.  As scripts/decode_stacktrace.sh does with nm and
 * addr2line, a frame is found by its symbol's name and offset, not by an
 * address: KASLR and where a module was loaded do not matter.
 */
#ifndef MINOS_SYMBOLIZE_H
#define MINOS_SYMBOLIZE_H

#include <stddef.h>

#include "vm/kreport.h"

/* One source line of a frame.  The strings are the symbolizer's: they
 * last until sym_close(). */
struct sym_line {
	const char *function;	/* "foo_inline"; the frame's symbol if DWARF names none */
	const char *file;	/* "fs/foo.h": relative to the build tree when under it
				 * (the CU's comp_dir, or the tree init/main.c is in),
				 * else as DWARF has it; NULL if DWARF says none */
	unsigned line;		/* 0 if unknown */
	int inlined;		/* function was inlined into the next line's */
};

/* Enough for any kernel's inline chains. */
#define SYM_LINES_MAX 32

struct symbolizer;

/*
 * The vmlinux (any ELF with a symbol table and DWARF: a build tree's, or
 * the one Debian's linux-image-*-dbg puts in /usr/lib/debug/boot).  NULL
 * with a one-line error in err ("FILE: No such file or directory", "FILE
 * has no debug information (DWARF)", ...).  No separate debug file is
 * looked for, nor debuginfod asked.
 */
struct symbolizer *sym_open(const char *vmlinux, char *err, size_t errlen);

/*
 * Where modules' NAME.ko files are (also .ko.xz, .ko.gz, .ko.zst): a build
 * tree, /usr/lib/debug/lib/modules/RELEASE, ...  Searched once, at the
 * first frame of a module: every folder below it, neither symbolic links
 * to folders nor hidden ones (.git).  A module is known by its name with
 * '-' and '_' the same, as the kernel does; the first .ko of that name
 * with DWARF is used (folders in the order added).  -1 with an error in
 * err if dir is not a folder.
 */
int sym_add_module_dir(struct symbolizer *s, const char *dir, char *err, size_t errlen);

/*
 * The source lines of symbol+off/size in module (NULL: the vmlinux),
 * innermost first: the line itself, then, for each function inlined
 * there, the line that called it, out to the symbol's own function.  Of
 * several symbols of that name, the one of that size.  is_return: off is
 * a return address (a call trace's frame, not the RIP or pc), whose line
 * is that of off - 1, the call.  Returns how many lines were filled (at
 * most max; a longer chain loses its outermost), 0 when DWARF has no line
 * for it or there is no such symbol (or off is past its end: not the
 * vmlinux that ran), -1 when the module's .ko is not to be had:
 * sym_error() says why.
 */
int sym_decode(struct symbolizer *s, const char *symbol, unsigned long off,
	       unsigned long size, const char *module, int is_return,
	       struct sym_line *out, size_t max);

/* Why the last sym_decode() returned -1: "no minos_test.ko in DIR", ... */
const char *sym_error(const struct symbolizer *s);

/*
 * A frame as decode_stacktrace.sh prints it: "foo_write (fs/foo.h:12
 * fs/foo.c:123) [foo]", the lines innermost first; n <= 0: as the kernel
 * printed it, "foo_write+0x4c/0x90 [foo]".  Allocated: free() it.
 */
char *sym_format(const char *symbol, unsigned long off, unsigned long size,
		 const char *module, const struct sym_line *lines, int n);

/* Whether frame i of r is a return address: a call trace's frame or an
 * arm64 lr, unless it repeats its stack's RIP or pc (arm64's call trace
 * begins with the pc; x86's "? f+0x2a/0x60" the fault left). */
int sym_is_return(const struct kreport *r, size_t i);

/* Frame i of r decoded and formatted by sym_format(); s may be NULL. */
char *sym_frame(struct symbolizer *s, const struct kreport *r, size_t i);

void sym_close(struct symbolizer *s);

#endif
