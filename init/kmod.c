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
#include "fsutil.h"
#include "init.h"
#include "kmod.h"
#include "log.h"

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif

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

/* One bracket expression at p ("[...]") against c; *end is set past it, or NULL if unclosed. */
static int bracket(const char *p, unsigned char c, const char **end)
{
	const char *q = p + 1;
	int neg = *q == '!' || *q == '^', hit = 0;

	q += neg;
	for (const char *first = q; *q != ']' || q == first; q++) {
		unsigned char lo, hi;

		if (*q == '\\' && q[1])
			q++;
		if (!*q) {
			*end = NULL;
			return 0;
		}
		lo = hi = (unsigned char)*q;
		if (q[1] == '-' && q[2] && q[2] != ']') {
			q += 2;
			if (*q == '\\' && q[1])
				q++;
			hi = (unsigned char)*q;
		}
		hit |= c >= lo && c <= hi;
	}
	*end = q + 1;
	return hit != neg;
}

/* One pattern element (not a star) at p against c; *next is set past it. */
static int element(const char *p, unsigned char c, const char **next)
{
	if (*p == '[') {
		int hit = bracket(p, c, next);

		if (*next)
			return hit;
	}
	if (*p == '\\') {	/* a pattern ending in a backslash matches nothing */
		*next = p + 2;
		return p[1] && (unsigned char)p[1] == c;
	}
	*next = p + 1;
	return *p == '?' || (unsigned char)*p == c;
}

int kmod_glob(const char *p, const char *s)
{
	const char *star_p = NULL, *star_s = NULL, *next;

	while (*s) {
		if (*p == '*') {
			while (*p == '*')
				p++;
			star_p = p;
			star_s = s;
			continue;
		}
		if (*p && element(p, (unsigned char)*s, &next)) {
			p = next;
			s++;
			continue;
		}
		if (!star_p)
			return 0;
		p = star_p;	/* the last star takes one more byte */
		s = ++star_s;
	}
	while (*p == '*')
		p++;
	return !*p;
}

/* "module.param=value" words of the command line, for finit_module. */
static void params_for(const struct kmods *k, const char *name, char *out, size_t n)
{
	const char *key, *val;
	size_t klen, vlen, len = strlen(name), used = 0;
	char word[64];

	out[0] = '\0';
	for (const char *p = k->cmdline; (p = cmdline_next(p, &key, &klen, &val, &vlen));) {
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

/* 1 if h was seen before; else remembers it (while there is room). */
static int seen(unsigned long *set, int *n, unsigned long h)
{
	for (int i = 0; i < *n; i++)
		if (set[i] == h)
			return 1;
	if (*n < KMOD_SEEN_MAX)
		set[(*n)++] = h;
	return 0;
}

static unsigned long hash(const char *s, size_t len)
{
	unsigned long h = 5381;

	for (size_t i = 0; i < len; i++)
		h = h * 33 + (unsigned char)s[i];
	return h;
}

static void load_file(struct kmods *k, const char *rel, size_t len)
{
	if (!seen(k->files, &k->nfiles, hash(rel, len)))
		k->load(k, rel, len);
}

/*
 * Why the kernel refused a module's signature.  Under Secure Boot it is
 * locked down and takes only modules signed with a key it trusts (its
 * own, the distribution's, one enrolled in MOK): Debian's kernel then
 * enforces signatures, and an unsigned module gets EKEYREJECTED, as with
 * module.sig_enforce; a lockdown without enforcement says EPERM.
 */
static const char *refusal(int err)
{
	switch (err) {
	case EPERM: return " (refused by the kernel's lockdown, as under Secure Boot: the module is unsigned or signed with a key the kernel does not trust)";
	case EKEYREJECTED: return " (the kernel takes only signed modules, as under Secure Boot: this one is unsigned or signed with a key it does not trust)";
	case ENOKEY: return " (signed with a key the kernel does not know)";
	case EBADMSG: return " (its signature is malformed)";
	case ENOSYS: return " (the kernel lacks CONFIG_MODULES)";
	}
	return "";
}

/* finit_module(2), the kernel decompressing a compressed module itself. */
static void insmod(struct kmods *k, const char *rel, size_t len)
{
	char path[256], name[64], params[512];
	int fd, flags = 0;

	snprintf(path, sizeof(path), "%s/%.*s", k->dir, (int)len, rel);
	name_of(rel, len, name, sizeof(name));
	params_for(k, name, params, sizeof(params));
	if (strcmp(path + strlen(path) - 3, ".ko"))
		flags = MODULE_INIT_COMPRESSED_FILE;	/* the kernel decompresses, if it can */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (syscall(SYS_finit_module, fd, params, flags) < 0 && errno != EEXIST)) {
		const char *why = fd < 0 ? "" : refusal(errno);

		say("cannot load module %s: %s%s", path, strerror(errno), why);
		klog("cannot load module %s: %s%s", path, strerror(errno), why);
	}
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
	/* past "softdep NAME", within the line */
	l = strchr(l, ' ') + 1;
	for (l += strcspn(l, " \n"); *l == ' ';) {
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

void kmod_prepare(struct kmods *k)
{
	char *out = k->alias;

	for (const char *l = k->alias, *next; l && *l; l = next) {
		size_t pn, mn;

		next = l + strcspn(l, "\n");
		next += *next == '\n';	/* found before the line is overwritten */
		if (strncmp(l, "alias ", 6))
			continue;
		pn = strcspn(l + 6, " \n");
		mn = l[6 + pn] == ' ' ? strcspn(l + 7 + pn, " \n") : 0;
		if (!pn || !mn || mn > 63)
			continue;
		/* out never passes l: each line shrinks by "alias " */
		memmove(out, l + 6, pn);
		out[pn] = '\0';
		normalize(out);
		out += pn + 1;
		memmove(out, l + 7 + pn, mn);
		out[mn] = '\0';
		normalize(out);
		out += mn + 1;
	}
	k->alias_len = k->alias ? (size_t)(out - k->alias) : 0;
}

static void collect(struct kmods *k, const char *mod)
{
	size_t used = strlen(k->collect), len = strlen(mod);

	for (const char *p = k->collect; *p; p += strcspn(p, " "), p += *p == ' ')
		if (!strncmp(p, mod, len) && (p[len] == ' ' || !p[len]))
			return;	/* one module answering several of its patterns: said once */

	if (used + len + 2 < k->collect_size)
		snprintf(k->collect + used, k->collect_size - used, "%s%s", used ? " " : "", mod);
}

static int load_alias(struct kmods *k, const char *name, int depth)
{
	const char *end = k->alias + k->alias_len;
	int found = 0;

	for (const char *pat = k->alias; k->alias && pat < end;) {
		const char *mod = pat + strlen(pat) + 1;

		/* most patterns differ from the name at their first byte */
		if ((*pat == *name || strchr("*?[\\", *pat)) && kmod_glob(pat, name)) {
			found = 1;
			if (k->collect)
				collect(k, mod);
			load_name(k, mod, depth + 1);
		}
		pat = mod + strlen(mod) + 1;
	}
	return found;
}

static int load_name(struct kmods *k, const char *given, int depth)
{
	char name[64];
	const char *l, *end, *colon;

	snprintf(name, sizeof(name), "%s", given);
	normalize(name);
	/* Each name once: aliases of aliases and softdep circles end here. */
	if (depth > 16 || seen(k->names, &k->nnames, hash(name, strlen(name))) ||
	    is_builtin(k, name))
		return 0;
	l = k->dep ? find_line(k->dep, 0, name, NULL) : NULL;
	if (!l) {
		if (!load_alias(k, name, depth))
			say("no module %s in %s", given, k->dir);
		return 0;
	}
	end = l + strcspn(l, "\n");
	colon = memchr(l, ':', end - l);
	if (!colon) {
		say("%s/modules.dep: the line of %s has no ':'; not loaded", k->dir, name);
		return 0;
	}
	softdeps(k, name, "pre:", depth);
	/* dependencies: from the end of the line back to the colon */
	for (const char *p = end; p > colon + 1;) {
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

void kmod_load_name(struct kmods *k, const char *name)
{
	load_name(k, name, 0);
}

void kmod_load_modalias(struct kmods *k, const char *modalias, char *names, size_t n)
{
	char alias[512];

	names[0] = '\0';
	snprintf(alias, sizeof(alias), "%s", modalias);
	normalize(alias);
	if (seen(k->names, &k->nnames, hash(alias, strlen(alias))))
		return;
	k->collect = names;
	k->collect_size = n;
	load_alias(k, alias, 0);
	k->collect = NULL;
}

void modules_boot(struct init *in)
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
	uname(&u);
	k->cmdline = in->cmdline;
	k->load = insmod;
	snprintf(k->dir, sizeof(k->dir), "/lib/modules/%s", u.release);
	k->dep = load_index(k, "modules.dep");
	k->alias = load_index(k, "modules.alias");
	k->softdep = load_index(k, "modules.softdep");
	k->builtin = load_index(k, "modules.builtin");
	kmod_prepare(k);
	in->kmods = k;	/* kept: coldplug and hotplug look up every device */
	for (int pass = 0; pass < 2; pass++) {
		char *save = NULL;

		for (char *w = strtok_r(pass ? more : list ? list : "", "\n ", &save); w;
		     w = strtok_r(NULL, "\n ", &save))
			kmod_load_name(k, w);
	}
	free_text(list);
}
