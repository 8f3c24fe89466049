/* kmod.h - resolving module names through the image's index files, as modprobe does */
#ifndef MINOS_INIT_KMOD_H
#define MINOS_INIT_KMOD_H

#include <stddef.h>

#define KMOD_SEEN_MAX 4096

struct kmods {
	const char *cmdline;	/* for "module.param=value" words */
	char dir[96];		/* /lib/modules/RELEASE */
	char *dep, *alias, *softdep, *builtin;	/* the files' text, or NULL */
	/* Called for each module file to load, in order; rel is not NUL-terminated. */
	void (*load)(struct kmods *k, const char *rel, size_t len);
	/* Hashes of the files loaded and of the names looked up: each once. */
	unsigned long files[KMOD_SEEN_MAX], names[KMOD_SEEN_MAX];
	int nfiles, nnames;
};

/* Soft dependencies, dependencies, the module, post soft dependencies; or its aliases. */
void kmod_load_name(struct kmods *k, const char *name);

/*
 * fnmatch(pattern, s, 0) as kmod calls it, for module aliases: *, ?, [...]
 * (ranges, ! or ^) and \\ escapes.  Linear in practice: a star only ever
 * backtracks to the last star, so time is at most pattern × string.
 */
int kmod_glob(const char *pattern, const char *s);

#endif
