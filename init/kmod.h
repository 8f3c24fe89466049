/* kmod.h - resolving module names through the image's index files, as modprobe does */
#ifndef MINOS_INIT_KMOD_H
#define MINOS_INIT_KMOD_H

#include <stddef.h>

#define KMOD_SEEN_MAX 4096

struct init;

struct kmods {
	const char *cmdline;	/* for "module.param=value" words */
	char dir[96];		/* /lib/modules/RELEASE */
	char *dep, *alias, *softdep, *builtin;	/* the files' text, or NULL */
	size_t alias_len;	/* alias: "PATTERN\0MODULE\0"..., once kmod_prepare ran */
	char *collect;		/* if set, the modules aliases matched are added here */
	size_t collect_size;
	/* Called for each module file to load, in order; rel is not NUL-terminated. */
	void (*load)(struct kmods *k, const char *rel, size_t len);
	/* Hashes of the files loaded and of the names looked up: each once. */
	unsigned long files[KMOD_SEEN_MAX], names[KMOD_SEEN_MAX];
	int nfiles, nnames;
};

/* At boot: the modules of /etc/minos/modules and minos.modules=; in->kmods keeps the index. */
void modules_boot(struct init *in);

/* Turns k->alias (modules.alias, writable) into its compact form, normalized. */
void kmod_prepare(struct kmods *k);

/* Soft dependencies, dependencies, the module, post soft dependencies; or its aliases. */
void kmod_load_name(struct kmods *k, const char *name);

/*
 * A device's modalias: every module whose alias matches it, each with its
 * dependencies, as `modprobe -R` resolves it.  The matched names go into
 * names (space-separated; "" if none).  Nothing is said when none matches:
 * most devices need no module.  A modalias seen before is not looked up again.
 */
void kmod_load_modalias(struct kmods *k, const char *modalias, char *names, size_t n);

/*
 * fnmatch(pattern, s, 0) as kmod calls it, for module aliases: *, ?, [...]
 * (ranges, ! or ^) and \\ escapes.  Linear in practice: a star only ever
 * backtracks to the last star, so time is at most pattern × string.
 */
int kmod_glob(const char *pattern, const char *s);

#endif
