/*
 * elf.c - ELF headers and shared-library dependencies, found the way the
 * dynamic loader finds them (DT_RPATH, DT_RUNPATH, /etc/ld.so.conf, the
 * system directories) but by reading files, never by running ldd or the
 * program: the program may be for another machine, or hostile.
 */
#include "format/elf.h"

#include <elf.h>
#include <fcntl.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/arch.h"
#include "util/util.h"

/* n bytes at off, copied out: a file promises no alignment for a cast. */
static int get(const struct buf *b, uint64_t off, void *dst, size_t n)
{
	if (off > b->len || n > b->len - off)
		return -1;
	memcpy(dst, b->data + off, n);
	return 0;
}

static int get_phdr(const struct buf *b, const Elf64_Ehdr *eh, unsigned i, Elf64_Phdr *ph)
{
	return get(b, eh->e_phoff + (uint64_t)i * sizeof(*ph), ph, sizeof(*ph));
}

/* Maps a virtual address to a file offset through the PT_LOAD segments. */
static int vaddr_to_off(const struct buf *b, const Elf64_Ehdr *eh,
			uint64_t vaddr, uint64_t *off)
{
	Elf64_Phdr ph;

	for (unsigned i = 0; i < eh->e_phnum && get_phdr(b, eh, i, &ph) == 0; i++) {
		if (ph.p_type == PT_LOAD && vaddr >= ph.p_vaddr &&
		    vaddr - ph.p_vaddr < ph.p_filesz) {
			*off = ph.p_offset + (vaddr - ph.p_vaddr);
			return *off < b->len ? 0 : -1;
		}
	}
	return -1;
}

static char *str_at(const struct buf *b, uint64_t off)
{
	if (off >= b->len || !memchr(b->data + off, 0, b->len - off))
		return NULL;
	return xstrdup((const char *)b->data + off);
}

/* The i-th entry of the dynamic section; 0 at its end (DT_NULL or the segment's). */
static int dyn_at(const struct buf *b, const Elf64_Phdr *dyn, size_t i, Elf64_Dyn *d)
{
	return i < dyn->p_filesz / sizeof(*d) &&
	       get(b, dyn->p_offset + i * sizeof(*d), d, sizeof(*d)) == 0 &&
	       d->d_tag != DT_NULL;
}

static int read_dynamic(const char *path, const struct buf *b,
			const Elf64_Ehdr *eh, const Elf64_Phdr *dyn,
			struct elf_info *info)
{
	size_t n = dyn->p_filesz / sizeof(Elf64_Dyn), count = 0;
	uint64_t strtab = 0, stroff;
	int have_strtab = 0;
	Elf64_Dyn d;

	for (size_t i = 0; dyn_at(b, dyn, i, &d); i++)
		if (d.d_tag == DT_STRTAB) {
			strtab = d.d_un.d_ptr;
			have_strtab = 1;
		}
	if (!have_strtab)
		return 0;
	if (vaddr_to_off(b, eh, strtab, &stroff) < 0)
		return fail(path, "damaged ELF: string table outside the file");
	info->needed = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; dyn_at(b, dyn, i, &d); i++) {
		char *s;

		if (d.d_tag != DT_NEEDED && d.d_tag != DT_RPATH && d.d_tag != DT_RUNPATH)
			continue;
		s = str_at(b, stroff + d.d_un.d_val);
		if (!s)
			return fail(path, "damaged ELF: bad dynamic string");
		if (d.d_tag == DT_NEEDED)
			info->needed[count++] = s;
		else if (d.d_tag == DT_RPATH && !info->rpath)
			info->rpath = s;
		else if (d.d_tag == DT_RUNPATH && !info->runpath)
			info->runpath = s;
		else
			free(s);
	}
	return 0;
}

static int parse(const char *path, const struct buf *b, struct elf_info *info)
{
	int interps = 0, dynamics = 0;
	Elf64_Ehdr eh;

	if (b->len < EI_NIDENT || memcmp(b->data, ELFMAG, SELFMAG))
		return 0;
	info->is_elf = 1;
	if (get(b, 0, &eh, sizeof(eh)) < 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB)
		return 0;
	info->machine = eh.e_machine;
	info->executable = eh.e_type == ET_EXEC || eh.e_type == ET_DYN;
	if (eh.e_phnum == 0)
		return 0;	/* a relocatable object (.o, .ko): nothing to load */
	if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phoff > b->len ||
	    (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr) > b->len - eh.e_phoff)
		return fail(path, "damaged ELF: program headers outside the file");
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		get_phdr(b, &eh, i, &ph);
		if (ph.p_type != PT_INTERP && ph.p_type != PT_DYNAMIC)
			continue;
		if (ph.p_offset > b->len || ph.p_filesz > b->len - ph.p_offset)
			return fail(path, "damaged ELF: segment outside the file");
		if ((ph.p_type == PT_INTERP ? ++interps : ++dynamics) > 1)
			return fail(path, "damaged ELF: two %s segments",
				    ph.p_type == PT_INTERP ? "PT_INTERP" : "PT_DYNAMIC");
		if (ph.p_type == PT_INTERP) {
			info->interp = str_at(b, ph.p_offset);
			if (!info->interp)
				return fail(path, "damaged ELF: bad PT_INTERP");
		} else if (read_dynamic(path, b, &eh, &ph, info) < 0) {
			return -1;
		}
	}
	return 0;
}

int elf_parse(const char *path, const void *data, size_t len, struct elf_info *info)
{
	struct buf b = {(unsigned char *)data, len, len};
	int rc;

	*info = (struct elf_info){0};
	rc = parse(path, &b, info);
	if (rc < 0)
		elf_free(info);
	return rc;
}

int elf_read(const char *path, struct elf_info *info)
{
	struct buf b = {0};
	int rc;

	*info = (struct elf_info){0};
	if (read_file(path, &b) < 0)
		return -1;
	rc = elf_parse(path, b.data, b.len, info);
	buf_free(&b);
	return rc;
}

int elf_header(const char *path, unsigned *machine, unsigned *type)
{
	Elf64_Ehdr eh;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return fail_errno(path, "cannot open");
	n = pread(fd, &eh, sizeof(eh), 0);
	close(fd);
	if (n < 0)
		return fail_errno(path, "cannot read");
	if (n < (ssize_t)sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB)
		return 0;
	*machine = eh.e_machine;
	*type = eh.e_type;
	return 1;
}

void elf_free(struct elf_info *info)
{
	for (char **n = info->needed; n && *n; n++)
		free(*n);
	free(info->needed);
	free(info->interp);
	free(info->rpath);
	free(info->runpath);
	*info = (struct elf_info){0};
}

/* ---- dependency walk ---- */

struct strlist {
	char **v;
	size_t n;
};

static void strlist_add(struct strlist *l, const char *s)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(char *));
	l->v[l->n++] = xstrdup(s);
}

static int strlist_has(const struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return 1;
	return 0;
}

static void strlist_free(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	*l = (struct strlist){0};
}

/*
 * /etc/ld.so.conf: one directory a line, "include GLOB" lines, # comments.
 * root ("" for the host's) prefixes the file and the globs, not the
 * directories listed: they are the guest's.
 */
static void read_ld_so_conf(const char *root, const char *path, struct strlist *dirs, int depth)
{
	char *host = xasprintf("%s%s", root, path);
	FILE *f = depth < 8 ? fopen(host, "re") : NULL;
	char line[4096];

	free(host);
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *s = line + strspn(line, " \t"), *e;

		if ((e = strpbrk(s, "#\n")))
			*e = '\0';
		for (e = s + strlen(s); e > s && (e[-1] == ' ' || e[-1] == '\t');)
			*--e = '\0';
		if (!strncmp(s, "include", 7) && (s[7] == ' ' || s[7] == '\t')) {
			size_t skip = strlen(root);
			char *pattern;
			glob_t g;

			s += 8 + strspn(s + 8, " \t");
			pattern = xasprintf("%s%s", root, s);
			if (glob(pattern, 0, NULL, &g) == 0)
				for (size_t i = 0; i < g.gl_pathc; i++)
					read_ld_so_conf(root, g.gl_pathv[i] + skip, dirs, depth + 1);
			globfree(&g);
			free(pattern);
		} else if (*s == '/' && !strlist_has(dirs, s)) {
			strlist_add(dirs, s);
		}
	}
	fclose(f);
}

struct walk {
	struct strlist done;	/* guest paths already reported */
	struct strlist conf;	/* directories from /etc/ld.so.conf */
	int musl;		/* the interpreter is musl's: it is libc too */
	unsigned machine;	/* the program's e_machine: every library's too */
	const char *root;	/* where the guest's / is on the host; "" for / */
	elf_dep_fn fn;
	void *ctx;
};

/* A library candidate: only its first header matters, not its size. */
static int is_elf_for(const char *path, unsigned machine)
{
	Elf64_Ehdr eh;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC), ok;

	if (fd < 0)
		return 0;
	ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	     pread(fd, &eh, sizeof(eh), 0) == (ssize_t)sizeof(eh) &&
	     !memcmp(eh.e_ident, ELFMAG, SELFMAG) &&
	     eh.e_ident[EI_CLASS] == ELFCLASS64 && eh.e_machine == machine;
	close(fd);
	return ok;
}

/*
 * Tries NAME in each directory of a colon list, with $ORIGIN expanded:
 * a host path (the guest directory under root; $ORIGIN is a host
 * directory already).
 */
static char *search_list(const struct walk *w, const char *list, const char *origin,
			 const char *name)
{
	char *copy = xstrdup(list), *save = NULL, *found = NULL;

	for (char *d = strtok_r(copy, ":", &save); d && !found;
	     d = strtok_r(NULL, ":", &save)) {
		char *dir, *cand;

		if (!strncmp(d, "$ORIGIN", 7) || !strncmp(d, "${ORIGIN}", 9))
			dir = xasprintf("%s%s", origin, d + (d[1] == '{' ? 9 : 7));
		else if (strchr(d, '$'))
			continue;	/* $LIB, $PLATFORM: not on Debian's x86-64 or arm64 */
		else
			dir = xasprintf("%s%s", w->root, d);
		cand = xasprintf("%s/%s", dir, name);
		free(dir);
		if (is_elf_for(cand, w->machine))
			found = cand;
		else
			free(cand);
	}
	free(copy);
	return found;
}

static char *find_library(struct walk *w, const char *name,
			  const struct elf_info *obj, const char *origin)
{
	const char *triplet = arch_triplet(arch_of_elf_machine(w->machine));
	char *found = NULL, *system = xasprintf("/lib/%s:/usr/lib/%s:/lib64:/usr/lib64:/lib:/usr/lib",
						triplet, triplet);

	if (strchr(name, '/')) {
		found = xasprintf("%s%s", name[0] == '/' ? w->root : "", name);
		if (!is_elf_for(found, w->machine)) {
			free(found);
			found = NULL;
		}
	}
	if (!found && !strchr(name, '/') && obj->rpath && !obj->runpath)
		found = search_list(w, obj->rpath, origin, name);
	if (!found && !strchr(name, '/') && obj->runpath)
		found = search_list(w, obj->runpath, origin, name);
	for (size_t i = 0; !found && !strchr(name, '/') && i < w->conf.n; i++)
		found = search_list(w, w->conf.v[i], origin, name);
	if (!found && !strchr(name, '/'))
		found = search_list(w, system, origin, name);
	free(system);
	return found;
}

/* The guest path of a host path under root (itself if it is not under root). */
static const char *guest_of(const struct walk *w, const char *host)
{
	size_t n = strlen(w->root);

	return n && !strncmp(host, w->root, n) && host[n] == '/' ? host + n : host;
}

static int walk_object(struct walk *w, const char *path, int depth);

/* A library or interpreter found: reported once, then its own needs. */
static int found_object(struct walk *w, const char *host, int depth, int walk)
{
	const char *guest = guest_of(w, host);

	if (strlist_has(&w->done, guest))
		return 0;
	strlist_add(&w->done, guest);
	if (w->fn(host, guest, w->ctx) < 0)
		return -1;
	return walk ? walk_object(w, host, depth + 1) : 0;
}

static int walk_interp(struct walk *w, const char *path, const char *interp)
{
	char *host = xasprintf("%s%s", w->root, interp);
	int rc;

	w->musl |= !!strstr(interp, "ld-musl");
	if (!is_elf_for(host, w->machine))
		rc = fail(path, "needs the interpreter %s, which is not an %s ELF %s", interp,
			  arch_elf_name(arch_of_elf_machine(w->machine)),
			  *w->root ? "in the sysroot" : "here");
	else
		rc = found_object(w, host, 0, 0);
	free(host);
	return rc;
}

static int walk_object(struct walk *w, const char *path, int depth)
{
	struct elf_info info;
	char *origin, *slash;
	int rc = 0;

	if (depth > 64)
		return fail(path, "library dependencies nest too deeply");
	if (elf_read(path, &info) < 0)
		return -1;
	if (!w->machine)
		w->machine = info.machine;
	if (info.interp)
		rc = walk_interp(w, path, info.interp);
	origin = xstrdup(path);
	slash = strrchr(origin, '/');
	if (slash)
		*slash = '\0';
	else
		strcpy(origin, ".");
	for (char **n = info.needed; !rc && n && *n; n++) {
		char *lib;

		if (w->musl && !strncmp(*n, "libc.so", 7))
			continue;	/* musl's loader is its libc */
		lib = find_library(w, *n, &info, origin);
		if (!lib) {
			rc = fail(path, "needs %s, which is not found in its run path, "
				  "/etc/ld.so.conf or the system library directories%s", *n,
				  *w->root ? " of the sysroot" : "");
			break;
		}
		rc = found_object(w, lib, depth, 1);
		free(lib);
	}
	free(origin);
	elf_free(&info);
	return rc;
}

int elf_for_each_dep(const char *path, const char *root, elf_dep_fn fn, void *ctx)
{
	struct walk w = {.fn = fn, .ctx = ctx, .root = root ? root : ""};
	int rc;

	read_ld_so_conf(w.root, "/etc/ld.so.conf", &w.conf, 0);
	rc = walk_object(&w, path, 0);
	strlist_free(&w.done);
	strlist_free(&w.conf);
	return rc;
}
