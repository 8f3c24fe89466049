/*
 * modules.c - resolving kernel modules the way modprobe does, from the
 * modules' own .modinfo sections: "depends=" names the modules a module
 * needs, "softdep=" those modprobe loads before ("pre:") or after
 * ("post:") it, "alias=" the patterns it answers to, "vermagic=" the
 * kernel it was built for, "firmware=" the files it asks the kernel for.
 * No modules.dep is needed, so a tree straight out of a distribution
 * package works, and so does a kernel build tree (or O= directory) without
 * modules_install: its modules.order names the modules, each found where
 * the build left it and put where modules_install would, under kernel/.
 * Compressed modules (.ko.xz, .ko.zst, .ko.gz) are decompressed: the
 * initramfs is compressed as a whole, and the kernel then needs no module
 * decompressor.
 */
#include "image/modules.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format/compress.h"
#include "util/arch.h"
#include "util/util.h"

static const char *const suffixes[] = {".ko", ".ko.xz", ".ko.zst", ".ko.gz"};

struct kmod {
	char *name, *rel;
	int img_len;		/* rel less .xz/.zst/.gz: its path in the image */
	int compressed;
	char *info;		/* the .modinfo section: "key=value\0"... */
	size_t info_len;
	struct buf data;	/* the module, decompressed, once it is in the set */
	int state;		/* 0, VISITING, IN_SET */
};
enum { VISITING = 1, IN_SET };

struct tree {
	const struct module_opts *o;
	struct kmod *m;		/* sorted by name */
	size_t n, cap;
	char **builtin;		/* names from modules.builtin */
	size_t nbuiltin;
	struct buf builtin_info;	/* modules.builtin.modinfo */
	int infos_read;		/* every module's .modinfo, for aliases */
	size_t *order;		/* the set, in load order */
	size_t norder;
	int build_tree;		/* a kernel build tree: rel is "kernel/" + the path in it */
};

/* modprobe's rule: '-' and '_' are the same in names, outside [...] in patterns. */
static void underscores(char *s)
{
	int bracket = 0;

	for (; *s; s++) {
		if (*s == '[')
			bracket = 1;
		else if (*s == ']')
			bracket = 0;
		else if (*s == '-' && !bracket)
			*s = '_';
	}
}

static char *module_name(const char *file)
{
	const char *base = strrchr(file, '/');
	char *name = xstrdup(base ? base + 1 : file);

	name[strcspn(name, ".")] = '\0';
	underscores(name);
	return name;
}

static int suffix_of(const char *file)
{
	size_t len = strlen(file);

	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
		size_t sl = strlen(suffixes[i]);

		if (len > sl && !strcmp(file + len - sl, suffixes[i]))
			return (int)i;
	}
	return -1;
}

static int scan(struct tree *t, const char *rel)
{
	char *path = *rel ? xasprintf("%s/%s", t->o->dir, rel) : xstrdup(t->o->dir);
	DIR *d = opendir(path);
	struct dirent *e;
	int rc = 0;

	if (!d) {
		rc = fail_errno(path, "cannot read the module tree");
		free(path);
		return rc;
	}
	while (!rc && (e = readdir(d))) {
		char *sub;
		int s;

		if (e->d_name[0] == '.')
			continue;
		sub = *rel ? xasprintf("%s/%s", rel, e->d_name) : xstrdup(e->d_name);
		if (e->d_type == DT_DIR) {
			rc = scan(t, sub);
		} else if ((e->d_type == DT_REG || e->d_type == DT_UNKNOWN) &&
			   (s = suffix_of(e->d_name)) >= 0) {
			if (t->n == t->cap) {
				t->cap = t->cap ? 2 * t->cap : 1024;
				t->m = xrealloc(t->m, t->cap * sizeof(*t->m));
			}
			t->m[t->n++] = (struct kmod){
				.name = module_name(e->d_name), .rel = sub, .compressed = s > 0,
				.img_len = (int)(strlen(sub) - strlen(suffixes[s]) + strlen(".ko"))};
			continue;
		}
		free(sub);
	}
	closedir(d);
	free(path);
	return rc;
}

/*
 * A build tree's modules, as its modules.order lists them: "drivers/net/
 * dummy.ko" (".o" since Linux 6.2), relative to the tree.
 */
static int scan_order(struct tree *t)
{
	char *path = xasprintf("%s/modules.order", t->o->dir);
	struct buf b = {0};
	int rc = read_file(path, &b);

	for (size_t at = 0; rc == 0 && at < b.len;) {
		const char *line = (const char *)b.data + at;
		const char *nl = memchr(line, '\n', b.len - at);
		size_t len = nl ? (size_t)(nl - line) : b.len - at;
		char *rel;

		at += len + 1;
		if (len > 2 && !strncmp(line + len - 2, ".o", 2))
			len -= 2;
		else if (len > 3 && !strncmp(line + len - 3, ".ko", 3))
			len -= 3;
		else
			continue;	/* blank, or not a module */
		rel = xasprintf("kernel/%.*s.ko", (int)len, line);
		if (t->n == t->cap) {
			t->cap = t->cap ? 2 * t->cap : 1024;
			t->m = xrealloc(t->m, t->cap * sizeof(*t->m));
		}
		t->m[t->n++] = (struct kmod){.name = module_name(strrchr(rel, '/') + 1), .rel = rel,
					      .img_len = (int)strlen(rel)};
	}
	buf_free(&b);
	free(path);
	return rc;
}

/* A kernel build tree, not an installed one: modules.order, no modules.dep, a kernel.release. */
static int is_build_tree(const char *dir)
{
	char *order = xasprintf("%s/modules.order", dir), *dep = xasprintf("%s/modules.dep", dir);
	char *rel = xasprintf("%s/include/config/kernel.release", dir);
	int yes = access(order, F_OK) == 0 && access(dep, F_OK) < 0 && access(rel, F_OK) == 0;

	free(order);
	free(dep);
	free(rel);
	return yes;
}

/* depmod's order when two files give one name: updates/ first, then the path. */
static int by_name(const void *a, const void *b)
{
	const struct kmod *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	int ux = !strncmp(x->rel, "updates/", 8), uy = !strncmp(y->rel, "updates/", 8);

	if (c)
		return c;
	if (ux != uy)
		return uy - ux;
	return strcmp(x->rel, y->rel);
}

static struct kmod *find(struct tree *t, const char *name)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {	/* the first of equal names: the preferred file */
		size_t mid = (lo + hi) / 2;

		if (strcmp(t->m[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->n && !strcmp(t->m[lo].name, name) ? &t->m[lo] : NULL;
}

static void read_builtin(struct tree *t)
{
	char *path = xasprintf("%s/modules.builtin", t->o->dir);
	struct buf b = {0};

	if (access(path, F_OK) == 0 && read_file(path, &b) == 0) {
		buf_add(&b, "", 1);
		for (char *save = NULL, *l = strtok_r((char *)b.data, "\n", &save); l;
		     l = strtok_r(NULL, "\n", &save)) {
			t->builtin = xrealloc(t->builtin, (t->nbuiltin + 1) * sizeof(char *));
			t->builtin[t->nbuiltin++] = module_name(l);
		}
	}
	buf_free(&b);
	free(path);
	path = xasprintf("%s/modules.builtin.modinfo", t->o->dir);
	if (access(path, F_OK) < 0 || read_file(path, &t->builtin_info) < 0)
		buf_free(&t->builtin_info);

	free(path);
}

static int is_builtin(const struct tree *t, const char *name)
{
	for (size_t i = 0; i < t->nbuiltin; i++)
		if (!strcmp(t->builtin[i], name))
			return 1;
	return 0;
}

/* Reads n bytes at off from memory or from a file. */
struct reader {
	const unsigned char *mem;
	size_t len;
	int fd;
};

static int rd(const struct reader *r, void *dst, size_t n, uint64_t off)
{
	if (r->mem) {
		if (off > r->len || n > r->len - off)
			return -1;
		memcpy(dst, r->mem + off, n);
		return 0;
	}
	return pread(r->fd, dst, n, (off_t)off) == (ssize_t)n ? 0 : -1;
}

static const char *info_next(const char *info, size_t len, const char *key, size_t *pos);

/* A kernel module (an ELF64 x86-64 relocatable object): its section headers
 * and their names, read through a struct reader (not format/elf.c's reader
 * of programs and libraries). */
struct ko_sections {
	Elf64_Ehdr eh;
	Elf64_Shdr *sh;
	char *names;
	size_t names_len;
};

static void ko_sections_free(struct ko_sections *e)
{
	free(e->sh);
	free(e->names);
}

static int ko_sections_read(const struct reader *r, struct ko_sections *e)
{
	Elf64_Shdr *str;

	*e = (struct ko_sections){0};
	if (rd(r, &e->eh, sizeof(e->eh), 0) < 0 || memcmp(e->eh.e_ident, ELFMAG, SELFMAG) ||
	    e->eh.e_ident[EI_CLASS] != ELFCLASS64 || e->eh.e_ident[EI_DATA] != ELFDATA2LSB ||
	    e->eh.e_type != ET_REL || arch_of_elf_machine(e->eh.e_machine) == ARCH_NONE ||
	    e->eh.e_shentsize != sizeof(Elf64_Shdr) || e->eh.e_shstrndx >= e->eh.e_shnum)
		return -1;
	e->sh = xmalloc(e->eh.e_shnum * sizeof(*e->sh));
	if (rd(r, e->sh, e->eh.e_shnum * sizeof(*e->sh), e->eh.e_shoff) < 0)
		goto bad;
	str = &e->sh[e->eh.e_shstrndx];
	if (str->sh_size > (1 << 20))
		goto bad;
	e->names_len = str->sh_size;
	e->names = xmalloc(str->sh_size + 1);
	if (rd(r, e->names, str->sh_size, str->sh_offset) < 0)
		goto bad;
	e->names[str->sh_size] = '\0';
	return 0;
bad:
	ko_sections_free(e);
	return -1;
}

/* Section i's contents, NUL-terminated, at most max bytes; -1 if unreadable or too big. */
static int ko_section_read(const struct reader *r, const struct ko_sections *e, int i,
			   size_t max, char **out, size_t *len)
{
	const Elf64_Shdr *sh = &e->sh[i];

	*out = NULL;
	if (sh->sh_size > max)
		return -1;
	*out = xmalloc(sh->sh_size + 1);
	(*out)[sh->sh_size] = '\0';
	*len = sh->sh_size;
	if (rd(r, *out, sh->sh_size, sh->sh_offset) < 0) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

/*
 * The .modinfo section of an ELF64 relocatable object; 0 if it has none.
 * *machine (if not NULL): the object's e_machine.
 */
static int modinfo_section(const struct reader *r, char **out, size_t *len, unsigned *machine)
{
	struct ko_sections e;
	int rc = 0;

	*out = NULL;
	if (ko_sections_read(r, &e) < 0)
		return -1;
	if (machine)
		*machine = e.eh.e_machine;
	for (int i = 0; i < e.eh.e_shnum; i++)
		if (e.sh[i].sh_name < e.names_len && !strcmp(e.names + e.sh[i].sh_name, ".modinfo")) {
			if (e.sh[i].sh_size <= (16 << 20))
				rc = ko_section_read(r, &e, i, 16 << 20, out, len);
			break;
		}
	ko_sections_free(&e);
	return rc;
}

static int uses_symbol(const struct reader *r, const char *list);

int modules_uses_symbol(const void *data, size_t len, const char *list)
{
	struct reader r = {.mem = data, .len = len, .fd = -1};

	return uses_symbol(&r, list);
}

int modules_in_list(const char *list, const char *symbol, size_t len)
{
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, "|");

		if (n == len && !memcmp(p, symbol, len))
			return 1;
		p += n + (p[n] == '|');
	}
	return 0;
}

/* 1 if the object uses (has undefined) one of the symbols of list; -1 if unreadable. */
static int uses_symbol(const struct reader *r, const char *list)
{
	struct ko_sections e;
	int found = 0;

	if (ko_sections_read(r, &e) < 0)
		return -1;
	for (int i = 0; i < e.eh.e_shnum && !found; i++) {
		const Elf64_Shdr *sh = &e.sh[i];
		char *syms = NULL, *str = NULL;
		size_t nsyms = 0, nstr = 0;

		if (sh->sh_type != SHT_SYMTAB || sh->sh_entsize != sizeof(Elf64_Sym) ||
		    sh->sh_link >= e.eh.e_shnum)
			continue;
		if (ko_section_read(r, &e, i, 64 << 20, &syms, &nsyms) < 0 ||
		    ko_section_read(r, &e, (int)sh->sh_link, 64 << 20, &str, &nstr) < 0)
			found = -1;
		for (size_t k = 0; found == 0 && k + sizeof(Elf64_Sym) <= nsyms;
		     k += sizeof(Elf64_Sym)) {
			Elf64_Sym sym;

			memcpy(&sym, syms + k, sizeof(sym));
			if (sym.st_shndx == SHN_UNDEF && sym.st_name && sym.st_name < nstr)
				found = modules_in_list(list, str + sym.st_name,
							strlen(str + sym.st_name));
		}
		free(syms);
		free(str);
	}
	ko_sections_free(&e);
	return found;
}

int modules_modinfo(const void *data, size_t len, char **info, size_t *info_len)
{
	struct reader r = {.mem = data, .len = len, .fd = -1};

	*info_len = 0;
	return modinfo_section(&r, info, info_len, NULL);
}

const char *modules_info_next(const char *info, size_t len, const char *key, size_t *pos)
{
	return info_next(info, len, key, pos);
}

static char *path_of(const struct tree *t, const struct kmod *m)
{
	return xasprintf("%s/%s", t->o->dir, m->rel + (t->build_tree ? strlen("kernel/") : 0));
}

/* Reads the whole module into m->data, decompressing it. */
static int load(struct tree *t, struct kmod *m)
{
	char *path = path_of(t, m);
	struct buf raw = {0};
	int rc = read_file(path, &raw);

	if (rc == 0 && m->compressed) {
		enum compression kind;
		size_t used;
		struct unpack_limits lim = UNPACK_LIMITS_DEFAULT;
		int got = decompress_stream(raw.data, raw.len, 0, path, &lim, &m->data, &used,
					    &kind);

		if (got == 0)
			rc = fail(path, "is not compressed the way its name says");
		else if (got < 0)
			rc = -1;
		buf_free(&raw);
	} else if (rc == 0) {
		m->data = raw;
	} else {
		buf_free(&raw);
	}
	free(path);
	return rc;
}

/*
 * A reader over m: its contents in memory when they are there or it is
 * compressed (decompressed now: *loaded says so, for reader_close), else
 * its file.  -1, said, if it cannot be read.
 */
static int reader_open(struct tree *t, struct kmod *m, struct reader *r, int *loaded)
{
	*r = (struct reader){.fd = -1};
	*loaded = m->compressed && !m->data.data;
	if (*loaded && load(t, m) < 0)
		return -1;
	if (m->data.data) {
		r->mem = m->data.data;
		r->len = m->data.len;
	} else {
		char *path = path_of(t, m);
		int rc = (r->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 ?
				 fail_errno(path, "cannot open") : 0;

		free(path);
		return rc;
	}
	return 0;
}

/* Done reading: the contents decompressed for the read go, unless kept (m joins the set). */
static void reader_close(struct kmod *m, struct reader *r, int loaded, int keep)
{
	if (r->fd >= 0)
		close(r->fd);
	if (loaded && !keep)
		buf_free(&m->data);
}

/*
 * m->info; for a module not in the set, without keeping its contents.
 * Not strict (looking through aliases): a file that is no module is
 * skipped with a warning.
 */
static int read_info(struct tree *t, struct kmod *m, int strict)
{
	struct reader r;
	char *path;
	int rc, loaded;
	unsigned machine = 0;

	if (m->info)
		return 0;
	if (reader_open(t, m, &r, &loaded) < 0)
		return -1;
	path = path_of(t, m);
	rc = modinfo_section(&r, &m->info, &m->info_len, &machine);
	if (rc == 0 && t->o->machine && machine != t->o->machine) {
		rc = fail(path, "is an %s kernel module, but the kernel is %s",
			  arch_elf_name(arch_of_elf_machine(machine)),
			  arch_name(arch_of_elf_machine(t->o->machine)));
	} else if ((rc < 0 || !m->info) && strict) {
		rc = fail(path, "is not a kernel module (no .modinfo in a 64-bit ELF object)");
	} else if (rc < 0 || !m->info) {
		warning(path, "is not a kernel module (no .modinfo in a 64-bit ELF object); skipped");
		m->info = xstrdup("");
		m->info_len = 0;
		rc = 0;
	}
	reader_close(m, &r, loaded, 0);
	free(path);
	return rc;
}

/* The value of the next `key` field after *pos (start with *pos = 0). */
static const char *info_next(const char *info, size_t len, const char *key, size_t *pos)
{
	size_t kl = strlen(key);

	while (*pos < len) {
		const char *f = info + *pos;

		*pos += strlen(f) + 1;
		if (!strncmp(f, key, kl) && f[kl] == '=')
			return f + kl + 1;
	}
	return NULL;
}

static const char *info_get(const struct kmod *m, const char *key)
{
	size_t pos = 0;

	return info_next(m->info, m->info_len, key, &pos);
}

static int resolve(struct tree *t, const char *name, int soft, const char *why);

/* The names of a "softdep=pre: a b post: c" value, for one side. */
static int softdeps(struct tree *t, const struct kmod *m, const char *side)
{
	size_t pos = 0;
	const char *v;

	while ((v = info_next(m->info, m->info_len, "softdep", &pos))) {
		char *copy = xstrdup(v), *save = NULL;
		int mine = 0, rc = 0;

		for (char *w = strtok_r(copy, " \t", &save); w && !rc;
		     w = strtok_r(NULL, " \t", &save)) {
			if (!strcmp(w, "pre:") || !strcmp(w, "post:"))
				mine = !strcmp(w, side);
			else if (mine)
				rc = resolve(t, w, 1, m->name);
		}
		free(copy);
		if (rc)
			return rc;
	}
	return 0;
}

static int check_vermagic(const struct tree *t, const struct kmod *m)
{
	const char *v = info_get(m, "vermagic");
	size_t len = v ? strcspn(v, " ") : 0;
	char *path;
	int rc = 0;

	if (v && len == strlen(t->o->release) && !strncmp(v, t->o->release, len))
		return 0;
	path = path_of(t, m);
	if (v)
		rc = fail(path, "built for kernel %.*s (vermagic), not %s", (int)len, v,
			  t->o->release);
	else
		rc = fail(path, "has no vermagic: cannot tell which kernel it is for");
	free(path);
	return rc;
}

static int visit(struct tree *t, struct kmod *m, int soft)
{
	size_t pos = 0;
	const char *deps;
	int rc = 0;

	if (m->state == IN_SET || (m->state == VISITING && soft))
		return 0;	/* soft dependencies may go round in circles */
	if (m->state == VISITING) {
		char *path = path_of(t, m);

		rc = fail(path, "dependency loop through module %s", m->name);
		free(path);
		return rc;
	}
	m->state = VISITING;
	if ((!m->data.data && load(t, m) < 0) || read_info(t, m, 1) < 0 ||
	    check_vermagic(t, m) < 0 || softdeps(t, m, "pre:") < 0)
		return -1;
	while (!rc && (deps = info_next(m->info, m->info_len, "depends", &pos))) {
		char *copy = xstrdup(deps), *save = NULL;

		for (char *d = strtok_r(copy, ",", &save); d && !rc; d = strtok_r(NULL, ",", &save)) {
			struct kmod *dep;

			underscores(d);
			if ((dep = find(t, d))) {
				rc = visit(t, dep, 0);
			} else if (!is_builtin(t, d)) {
				char *path = path_of(t, m);

				rc = fail(path, "needs module %s, which is not in %s", d, t->o->dir);
				free(path);
			}
		}
		free(copy);
	}
	if (rc)
		return rc;
	m->state = IN_SET;
	t->order = xrealloc(t->order, (t->norder + 1) * sizeof(*t->order));
	t->order[t->norder++] = (size_t)(m - t->m);
	return softdeps(t, m, "post:");
}

/* Modules (and built-ins) whose aliases match name; -1 on a read error. */
static int visit_aliases(struct tree *t, const char *name, int soft, int *found)
{
	for (size_t i = 0; i < t->n; i++) {
		size_t pos = 0;
		const char *a;

		if (!t->infos_read && read_info(t, &t->m[i], 0) < 0)
			return -1;
		while ((a = info_next(t->m[i].info, t->m[i].info_len, "alias", &pos))) {
			char *pat = xstrdup(a);
			int match;

			underscores(pat);
			match = fnmatch(pat, name, 0) == 0;
			free(pat);
			if (match) {
				*found = 1;
				if (visit(t, &t->m[i], soft) < 0)
					return -1;
				break;
			}
		}
	}
	t->infos_read = 1;
	if (!*found)
		*found = modules_builtin_alias((const char *)t->builtin_info.data,
					       t->builtin_info.len, name);
	return 0;
}

int modules_builtin_alias(const char *info, size_t len, const char *name)
{
	/* "module.key=value" fields, NUL between; the file's last may lack its NUL */
	for (size_t pos = 0; pos < len;) {
		const char *f = info + pos, *end = memchr(f, 0, len - pos);
		size_t n = end ? (size_t)(end - f) : len - pos;
		const char *dot = memchr(f, '.', n);
		int match = 0;

		pos += n + 1;
		if (dot && (size_t)(f + n - dot) > 7 && !memcmp(dot, ".alias=", 7)) {
			char *pat = xasprintf("%.*s", (int)(f + n - dot - 7), dot + 7);

			underscores(pat);
			match = fnmatch(pat, name, 0) == 0;
			free(pat);
		}
		if (match)
			return 1;
	}
	return 0;
}

/* A name or alias into the set; *found 0 if the tree has nothing by that name. */
static int resolve_found(struct tree *t, const char *given, int soft, int *found)
{
	char *name = xstrdup(given);
	struct kmod *m;
	int rc = 0;

	underscores(name);
	*found = 1;
	if ((m = find(t, name)))
		rc = visit(t, m, soft);
	else if (!is_builtin(t, name))
		*found = 0, rc = visit_aliases(t, name, soft, found);
	free(name);
	return rc;
}

/* A name or alias, from the user (why NULL) or a module's softdep. */
static int resolve(struct tree *t, const char *given, int soft, const char *why)
{
	int found, rc = resolve_found(t, given, soft, &found);

	if (rc < 0 || found)
		return rc;
	if (why) {
		warning(given, "no such module or alias in %s (a soft dependency of %s); "
			"left out", t->o->dir, why);
		return 0;
	}
	return fail(given, "no such module, alias or built-in module in %s", t->o->dir);
}

/* The modules a rule names that the tree has. */
static int apply_rule(struct tree *t, const struct module_rule *r)
{
	char *prefix;
	size_t plen;
	int rc = 0, top_only;

	if (!strchr(r->path, '/')) {
		struct kmod *m = find(t, r->path);

		return m ? visit(t, m, 0) : 0;
	}
	/* "dir/": its subtree; "dir/" then a star: the directory alone */
	prefix = xasprintf("kernel/%s", r->path);
	plen = strlen(prefix);
	top_only = prefix[plen - 1] == '*';
	plen -= top_only;
	for (size_t i = 0; i < t->n && !rc; i++) {
		struct kmod *m = &t->m[i];
		struct reader rdr;
		int uses = 1, loaded;

		if (strncmp(m->rel, prefix, plen) || (top_only && strchr(m->rel + plen, '/')) ||
		    m->state == IN_SET || find(t, m->name) != m)
			continue;
		if (r->imports) {
			if (reader_open(t, m, &rdr, &loaded) < 0) {
				rc = -1;
				break;
			}
			if ((uses = uses_symbol(&rdr, r->imports)) < 0) {
				char *path = path_of(t, m);

				fail(path, "is not a kernel module (an unreadable ELF object)");
				free(path);
			}
			/* a module that joins the set keeps what was decompressed */
			reader_close(m, &rdr, loaded, uses > 0);
		}
		rc = uses < 0 ? -1 : uses ? visit(t, m, 0) : 0;
	}
	free(prefix);
	return rc;
}

static void tree_free(struct tree *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->m[i].name);
		free(t->m[i].rel);
		free(t->m[i].info);
		buf_free(&t->m[i].data);
	}
	for (size_t i = 0; i < t->nbuiltin; i++)
		free(t->builtin[i]);
	free(t->builtin);
	buf_free(&t->builtin_info);
	free(t->m);
	free(t->order);
}

static int tree_resolve(struct tree *t, const struct module_opts *o)
{
	struct stat st;

	*t = (struct tree){.o = o};
	if (stat(o->dir, &st) < 0)
		return fail_errno(o->dir, "cannot use as the module tree");
	if (!S_ISDIR(st.st_mode))
		return fail(o->dir, "is not a directory of kernel modules");
	t->build_tree = is_build_tree(o->dir);
	if ((t->build_tree ? scan_order(t) : scan(t, "")) < 0)
		return -1;
	sort_items(t->m, t->n, sizeof(*t->m), by_name);
	read_builtin(t);
	for (size_t i = 0; i < o->n; i++)
		if (resolve(t, o->names[i], 0, NULL) < 0)
			return -1;
	for (size_t i = 0; i < o->ndrivers; i++) {
		int found;

		if (resolve_found(t, o->drivers[i], 0, &found) < 0)
			return -1;
		if (!found)
			return fail("--drivers", "'%s' is no driver set (generic, host, none) and no "
				    "module, alias or built-in module in %s", o->drivers[i], o->dir);
	}
	for (size_t i = 0; i < o->nrules; i++)
		if (apply_rule(t, &o->rules[i]) < 0)
			return -1;
	for (size_t i = 0; i < o->naliases; i++) {
		int found = 0;

		if (visit_aliases(t, o->aliases[i], 0, &found) < 0)
			return -1;
	}
	return 0;
}

int modules_resolve(const struct module_opts *o, struct module **out, size_t *n)
{
	struct tree t;
	int rc = tree_resolve(&t, o);

	*out = NULL;
	*n = 0;
	if (rc == 0) {
		*out = xcalloc(t.norder ? t.norder : 1, sizeof(**out));
		for (size_t i = 0; i < t.norder; i++) {
			const struct kmod *m = &t.m[t.order[i]];
			const char *name = info_get(m, "name");

			(*out)[i] = (struct module){xstrdup(name ? name : m->name), xstrdup(m->rel),
						    xasprintf("%.*s", m->img_len, m->rel)};
		}
		*n = t.norder;
	}
	tree_free(&t);
	return rc;
}

void modules_free(struct module *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].rel);
		free(v[i].image_rel);
	}
	free(v);
}

/* m's hard dependencies, transitively, each once, needed ones last. */
static void dep_closure(struct tree *t, struct kmod *m, char *seen, struct kmod ***v,
			size_t *n)
{
	size_t pos = 0;
	const char *deps;

	while ((deps = info_next(m->info, m->info_len, "depends", &pos))) {
		char *copy = xstrdup(deps), *save = NULL;

		for (char *d = strtok_r(copy, ",", &save); d; d = strtok_r(NULL, ",", &save)) {
			struct kmod *dep;

			underscores(d);
			if (!(dep = find(t, d)) || seen[dep - t->m])
				continue;
			seen[dep - t->m] = 1;
			dep_closure(t, dep, seen, v, n);
			*v = xrealloc(*v, (*n + 1) * sizeof(**v));
			(*v)[(*n)++] = dep;
		}
		free(copy);
	}
}

/* modules.dep lists each module's dependencies so that loading them from the end works. */
static void write_indexes(struct tree *t, struct buf *dep, struct buf *alias,
			  struct buf *soft)
{
	char *seen = xcalloc(t->n, 1);

	for (size_t i = 0; i < t->norder; i++) {
		struct kmod *m = &t->m[t->order[i]], **v = NULL;
		char *line;
		size_t n = 0, pos = 0;
		const char *a;

		memset(seen, 0, t->n);
		dep_closure(t, m, seen, &v, &n);
		buf_add(dep, m->rel, m->img_len);
		buf_add(dep, ":", 1);
		while (n--) {
			buf_add(dep, " ", 1);
			buf_add(dep, v[n]->rel, v[n]->img_len);
		}
		buf_add(dep, "\n", 1);
		free(v);
		while ((a = info_next(m->info, m->info_len, "alias", &pos))) {
			line = xasprintf("alias %s %s\n", a, m->name);	/* as depmod writes it */
			buf_add(alias, line, strlen(line));
			free(line);
		}
		pos = 0;
		while ((a = info_next(m->info, m->info_len, "softdep", &pos))) {
			line = xasprintf("softdep %s %s\n", m->name, a);
			buf_add(soft, line, strlen(line));
			free(line);
		}
	}
	free(seen);
}

/* Firmware the modules ask for that the firmware directory lacks: said once, at the end. */
struct missing {
	size_t files, modules;
	struct buf names;	/* the first few modules' names */
};

static int add_firmware(struct fstree *fs, struct tree *t, struct kmod *m, struct missing *miss)
{
	static const char *const fw_suffixes[] = {"", ".xz", ".zst"};
	const char *dir = t->o->firmware_dir ? t->o->firmware_dir : "/lib/firmware";
	size_t pos = 0, lacking = 0;
	const char *fw;
	int rc = 0;

	while (!rc && (fw = info_next(m->info, m->info_len, "firmware", &pos))) {
		int found = 0;

		if (strstr(fw, "..")) {
			warning(m->rel, "firmware name %s leaves the firmware directory; left out", fw);
			continue;
		}
		for (size_t i = 0; i < ARRAY_SIZE(fw_suffixes) && !found && !rc; i++) {
			char *src = xasprintf("%s/%s%s", dir, fw, fw_suffixes[i]);
			char *dst = xasprintf("/lib/firmware/%s%s", fw, fw_suffixes[i]);

			if (access(src, R_OK) == 0) {
				found = 1;
				rc = fstree_file(fs, dst, src, 0644, 0, 0, 0);
			}
			free(src);
			free(dst);
		}
		lacking += !found;
	}
	if (lacking) {
		miss->files += lacking;
		if (miss->modules++ < 6) {
			buf_add(&miss->names, miss->modules > 1 ? ", " : "", miss->modules > 1 ? 2 : 0);
			buf_add(&miss->names, m->name, strlen(m->name));
		}
	}
	return rc;
}

int modules_add(struct fstree *fs, const struct module_opts *o)
{
	struct tree t;
	struct buf dep = {0}, alias = {0}, soft = {0}, names = {0};
	struct missing miss = {0};
	char *base;
	int rc = tree_resolve(&t, o), wired = 0;

	if (rc < 0) {
		tree_free(&t);
		return -1;
	}
	base = xasprintf("/lib/modules/%s", o->release);
	for (size_t i = 0; i < t.norder && !rc; i++) {
		struct kmod *m = &t.m[t.order[i]];
		char *dst = xasprintf("%s/%.*s", base, m->img_len, m->rel);

		rc = fstree_data(fs, dst, m->data.data, m->data.len, 0644);
		if (!rc)
			rc = add_firmware(fs, &t, m, &miss);
		free(dst);
	}
	if (miss.files)
		warning(o->firmware_dir ? o->firmware_dir : "/lib/firmware",
			"lacks %zu firmware file%s of %zu module%s (%.*s%s): those devices may not "
			"work; install the firmware or give --firmware-dir", miss.files,
			miss.files > 1 ? "s" : "", miss.modules, miss.modules > 1 ? "s" : "",
			(int)miss.names.len, (const char *)miss.names.data,
			miss.modules > 6 ? ", ..." : "");
	buf_free(&miss.names);
	write_indexes(&t, &dep, &alias, &soft);
	for (size_t i = 0; i < t.norder && !rc && !wired; i++)
		wired = !strncmp(t.m[t.order[i]].rel, "kernel/drivers/net/", 19);
	if (!rc && wired)	/* minos.net= on the command line still decides */
		rc = fstree_data(fs, "/etc/minos/net", "dhcp\n", 5, 0644);
	for (size_t i = 0; i < o->n; i++) {
		buf_add(&names, o->names[i], strlen(o->names[i]));
		buf_add(&names, "\n", 1);
	}
	const struct {
		const char *name;
		struct buf *b;
	} files[] = {
		{"modules.dep", &dep}, {"modules.alias", &alias},
		{"modules.softdep", &soft}, {"/etc/minos/modules", &names},
	};
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char *dst = files[i].name[0] == '/' ? xstrdup(files[i].name)
						    : xasprintf("%s/%s", base, files[i].name);

		if (!rc)
			rc = fstree_data(fs, dst, files[i].b->data ? (void *)files[i].b->data : "",
					 files[i].b->len, 0644);
		free(dst);
		buf_free(files[i].b);
	}
	if (!rc) {
		char *src = xasprintf("%s/modules.builtin", o->dir);
		char *dst = xasprintf("%s/modules.builtin", base);

		if (access(src, R_OK) == 0)
			rc = fstree_file(fs, dst, src, 0644, 0, 0, 0);
		free(src);
		free(dst);
	}
	free(base);
	tree_free(&t);
	return rc;
}
