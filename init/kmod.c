/*
 * kmod.c - loading kernel modules at boot, as modprobe would: a name's
 * soft dependencies ("pre:"), its dependencies from modules.dep (loaded
 * from the end of its list), the module, then its "post:" soft
 * dependencies; a name that is no module is looked up in modules.alias,
 * and every module it matches is loaded.  Built-in or already loaded is
 * success; a failure is said and boot goes on.  Parameters come from the
 * command line's "module.param=value" words, as modprobe takes them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cmdline.h"
#include "init.h"

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif

struct kmods {
	const struct init *in;
	char dir[96];		/* /lib/modules/RELEASE */
	char *dep, *alias, *softdep, *builtin;	/* the files, or NULL */
	unsigned long done[256];	/* hashes of the files tried */
	int ndone;
};

static char *load_index(const struct kmods *k, const char *name)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", k->dir, name);
	return read_text(path);
}

/* '-' and '_' are one in module names (not inside [...] of a pattern). */
static void normalize(char *s)
{
	for (int bracket = 0; *s; s++) {
		bracket = *s == '[' ? 1 : *s == ']' ? 0 : bracket;
		if (*s == '-' && !bracket)
			*s = '_';
	}
}

/* The module name of a path: "kernel/a/crc32c-intel.ko" gives "crc32c_intel". */
static void name_of(const char *path, size_t len, char *out, size_t n)
{
	const char *base = memrchr(path, '/', len);

	base = base ? base + 1 : path;
	len -= base - path;
	snprintf(out, n, "%.*s", (int)len, base);
	out[strcspn(out, ".")] = '\0';
	normalize(out);
}

static int load_name(struct kmods *k, const char *name, int depth);

/*
 * Shell-style matching of module aliases: *, ? and [...] (with ranges and
 * ! or ^), byte by byte.  libc's fnmatch would bring its wide-character
 * class tables, a sixth of this binary.
 */
static int glob_match(const char *p, const char *s)
{
	for (; *p; p++, s++) {
		if (*p == '*') {
			for (; *s; s++)
				if (glob_match(p + 1, s))
					return 1;
			return glob_match(p + 1, s);
		}
		if (!*s)
			return 0;
		if (*p == '[') {
			const char *q = p + 1;
			int neg = *q == '!' || *q == '^', hit = 0;

			for (q += neg; *q && (*q != ']' || q == p + 1 + neg); q++)
				if (q[1] == '-' && q[2] && q[2] != ']' ? (*s >= *q && *s <= q[2] && (q += 2))
								     : *s == *q)
					hit = 1;
			if (!*q || hit == neg)
				return 0;
			p = q;
		} else if (*p != '?' && *p != *s) {
			return 0;
		}
	}
	return !*s;
}

/* "module.param=value" words of the command line, for finit_module. */
static void params_for(const struct kmods *k, const char *name, char *out, size_t n)
{
	const char *key, *val;
	size_t klen, vlen, len = strlen(name), used = 0;
	char word[64];

	out[0] = '\0';
	for (const char *p = k->in->cmdline; (p = cmdline_next(p, &key, &klen, &val, &vlen));) {
		snprintf(word, sizeof(word), "%.*s", (int)(klen < 63 ? klen : 63), key);
		normalize(word);
		if (klen <= len + 1 || strncmp(word, name, len) || word[len] != '.')
			continue;
		used += snprintf(out + used, used < n ? n - used : 0, "%s%.*s%s%.*s",
				 used ? " " : "", (int)(klen - len - 1), key + len + 1,
				 val ? "=" : "", (int)vlen, val ? val : "");
	}
	if (used >= n)
		say("module %s: parameters too long, cut", name);
}

static void load_file(struct kmods *k, const char *rel, size_t len)
{
	unsigned long h = 5381;
	char path[256], name[64], params[512];
	int fd, flags = 0;

	for (size_t i = 0; i < len; i++)
		h = h * 33 + (unsigned char)rel[i];
	for (int i = 0; i < k->ndone; i++)
		if (k->done[i] == h)
			return;
	if (k->ndone < (int)(sizeof(k->done) / sizeof(k->done[0])))
		k->done[k->ndone++] = h;
	snprintf(path, sizeof(path), "%s/%.*s", k->dir, (int)len, rel);
	name_of(rel, len, name, sizeof(name));
	params_for(k, name, params, sizeof(params));
	if (strcmp(path + strlen(path) - 3, ".ko"))
		flags = MODULE_INIT_COMPRESSED_FILE;	/* the kernel decompresses, if it can */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (syscall(SYS_finit_module, fd, params, flags) < 0 && errno != EEXIST))
		say("cannot load module %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
}

/* The line of index text whose field `field` (0-based, words) is `name`. */
static const char *find_line(const char *text, int field, const char *name,
			     const char *from)
{
	for (const char *l = from ? from : text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : l) {
		const char *w = l;
		char got[64];
		size_t n;

		for (int i = 0; i < field && w; i++)
			w = strpbrk(w, " \n"), w = w && *w == ' ' ? w + 1 : NULL;
		if (!w)
			continue;
		n = strcspn(w, field ? " \n" : ":\n");
		if (field)
			snprintf(got, sizeof(got), "%.*s", (int)(n < 63 ? n : 63), w);
		else
			name_of(w, n, got, sizeof(got));
		if (!strcmp(got, name))
			return l;
	}
	return NULL;
}

static void softdeps(struct kmods *k, const char *name, const char *side, int depth)
{
	const char *l = k->softdep ? find_line(k->softdep, 1, name, NULL) : NULL;
	char word[64];
	int mine = 0;

	if (!l)
		return;
	for (l = strchr(l, ' ') + 1, l = strchr(l, ' '); l && *l == ' ';) {
		size_t n = strcspn(++l, " \n");

		snprintf(word, sizeof(word), "%.*s", (int)(n < 63 ? n : 63), l);
		if (!strcmp(word, "pre:") || !strcmp(word, "post:"))
			mine = !strcmp(word, side);
		else if (mine)
			load_name(k, word, depth + 1);
		l += n;
	}
}

static int is_builtin(const struct kmods *k, const char *name)
{
	return k->builtin && find_line(k->builtin, 0, name, NULL);
}

static int load_alias(struct kmods *k, const char *name, int depth)
{
	int found = 0;

	for (const char *l = k->alias; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : l) {
		char pat[256], mod[64];
		size_t pn, mn;

		if (strncmp(l, "alias ", 6))
			continue;
		pn = strcspn(l + 6, " \n");
		mn = l[6 + pn] == ' ' ? strcspn(l + 7 + pn, " \n") : 0;
		if (!mn || pn > 255 || mn > 63)
			continue;
		snprintf(pat, sizeof(pat), "%.*s", (int)pn, l + 6);
		snprintf(mod, sizeof(mod), "%.*s", (int)mn, l + 7 + pn);
		normalize(pat);
		if (glob_match(pat, name)) {
			found = 1;
			load_name(k, mod, depth + 1);
		}
	}
	return found;
}

static int load_name(struct kmods *k, const char *given, int depth)
{
	char name[64];
	const char *l, *end;

	snprintf(name, sizeof(name), "%s", given);
	normalize(name);
	if (depth > 16 || is_builtin(k, name))
		return 0;
	l = k->dep ? find_line(k->dep, 0, name, NULL) : NULL;
	if (!l) {
		if (!load_alias(k, name, depth))
			say("no module %s in %s", given, k->dir);
		return 0;
	}
	softdeps(k, name, "pre:", depth);
	/* dependencies: from the end of the line back to the colon */
	end = l + strcspn(l, "\n");
	for (const char *p = end, *colon = strchr(l, ':'); p > colon + 1;) {
		const char *s = p;

		while (s > colon + 1 && s[-1] != ' ')
			s--;
		if (p > s)
			load_file(k, s, p - s);
		p = s > colon + 1 ? s - 1 : s;
	}
	load_file(k, l, strcspn(l, ":"));
	softdeps(k, name, "post:", depth);
	return 0;
}

void modules_boot(const struct init *in)
{
	static struct kmods kmods;
	struct kmods *k = &kmods;
	char *list = read_text("/etc/minos/modules"), more[512];
	struct utsname u;
	if (cmdline_get(in->cmdline, "minos.modules", more, sizeof(more)))
		for (char *c = more; (c = strchr(c, ','));)
			*c = '\n';
	else
		more[0] = '\0';
	if ((list && *list) || *more) {
		uname(&u);
		k->in = in;
		snprintf(k->dir, sizeof(k->dir), "/lib/modules/%s", u.release);
		k->dep = load_index(k, "modules.dep");
		k->alias = load_index(k, "modules.alias");
		k->softdep = load_index(k, "modules.softdep");
		k->builtin = load_index(k, "modules.builtin");
		for (int pass = 0; pass < 2; pass++) {
			char *save = NULL;

			for (char *w = strtok_r(pass ? more : list ? list : "", "\n ", &save); w;
			     w = strtok_r(NULL, "\n ", &save))
				load_name(k, w, 0);
		}
		free_text(k->dep);
		free_text(k->alias);
		free_text(k->softdep);
		free_text(k->builtin);
	}
	free_text(list);
}
