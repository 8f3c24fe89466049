/*
 * symbolize.c - frames to source lines, as scripts/decode_stacktrace.sh
 * does them: the frame's symbol is looked up by name in the object's
 * symbol table (of the frame's size, if several share the name), the
 * offset added, and the address given to libdw for its line and the
 * functions inlined there, the way eu-addr2line -i finds them.
 *
 * Each object (the vmlinux, each module's .ko) is its own Dwfl, reported
 * offline: a .ko is ET_REL, and libdwfl lays its sections out and
 * relocates its DWARF; its symbols are read through the same Dwfl
 * (dwfl_module_getsym_info), so they and the DWARF agree on addresses.
 *
 * The vmlinux and the folders of modules are the user's; the frames come
 * from the guest's console: a name that is no symbol, an offset past it or
 * a module that is nowhere is only a frame left as it was.
 */
#include "vm/symbolize.h"

#include <dirent.h>
#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util.h"

#define WALK_DEPTH 16		/* /lib/modules/R/kernel/drivers/net/ethernet/intel/ice: 8 */

/* A symbol in an executable section: what kallsyms lists. */
struct sym_entry {
	const char *name;	/* the ELF's string table's */
	GElf_Addr addr;
	GElf_Xword size;	/* st_size */
	GElf_Xword gap;		/* to the next symbol: the size kallsyms prints */
};

struct obj {
	Dwfl *dwfl;
	Dwfl_Module *mod;
	struct sym_entry *syms;	/* by name, then address */
	size_t nsyms;
};

struct ko_file {
	char *name;		/* the module's: '-' as '_' */
	char *path;
};

struct module {
	char *name;
	struct obj *obj;	/* NULL: not to be had, problem says why */
	char *problem;
};

struct symbolizer {
	struct obj vmlinux;
	char *base;		/* the source tree: init/main.c's folder */
	char **dirs;
	size_t ndirs, walked;	/* folders added; searched */
	struct ko_file *files;
	size_t nfiles, files_cap;
	struct module *mods;
	size_t nmods;
	char error[512];
};

__attribute__((format(printf, 3, 4)))
static void say(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* No separate debug file: the object has its DWARF, or it has none. */
static int no_debuginfo(Dwfl_Module *mod, void **user, const char *modname,
			Dwarf_Addr base, const char *file, const char *debuglink,
			GElf_Word crc, char **debuginfo_file)
{
	(void)mod, (void)user, (void)modname, (void)base, (void)file;
	(void)debuglink, (void)crc, (void)debuginfo_file;
	errno = ENOENT;
	return -1;
}

static char *no_path;

static const Dwfl_Callbacks offline = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = no_debuginfo,
	.section_address = dwfl_offline_section_address,
	.debuginfo_path = &no_path,
};

/* ---- the symbol table ---- */

static int by_addr(const void *a, const void *b)
{
	const struct sym_entry *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int by_name(const void *a, const void *b)
{
	const struct sym_entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : by_addr(a, b);
}

/* Code: a function or a label (entry_SYSCALL_64_after_hwframe is NOTYPE)
 * in an executable section; not arm's "$x" mapping symbols. */
static int is_code(const GElf_Sym *sym, const char *name, GElf_Word shndx, Elf *elf)
{
	int type = GELF_ST_TYPE(sym->st_info);
	GElf_Shdr shdr;
	Elf_Scn *scn;

	if (type != STT_FUNC && type != STT_NOTYPE && type != STT_GNU_IFUNC)
		return 0;
	if (!*name || *name == '$' || !strncmp(name, ".L", 2))
		return 0;
	if (shndx == SHN_UNDEF || shndx == (GElf_Word)-1 || shndx >= SHN_LORESERVE || !elf)
		return 0;
	scn = elf_getscn(elf, shndx);
	return scn && gelf_getshdr(scn, &shdr) && (shdr.sh_flags & SHF_EXECINSTR);
}

/* Each symbol's distance to the next one up, as kallsyms sizes them. */
static void set_gaps(struct sym_entry *e, size_t n)
{
	size_t i, j = 0;

	sort_items(e, n, sizeof *e, by_addr);
	for (i = 0; i < n; i++) {
		if (j <= i)
			j = i + 1;
		while (j < n && e[j].addr == e[i].addr)
			j++;
		e[i].gap = j < n ? e[j].addr - e[i].addr : e[i].size;
	}
}

/* 0, or -1 if the object has no code symbols. */
static int read_symbols(struct obj *o)
{
	int i, n = dwfl_module_getsymtab(o->mod);

	if (n <= 0)
		return -1;
	o->syms = xcalloc((size_t)n, sizeof *o->syms);
	for (i = 0; i < n; i++) {
		GElf_Sym sym;
		GElf_Addr addr;
		GElf_Word shndx;
		Elf *elf = NULL;
		const char *name = dwfl_module_getsym_info(o->mod, i, &sym, &addr,
							   &shndx, &elf, NULL);

		if (!name || !is_code(&sym, name, shndx, elf))
			continue;
		o->syms[o->nsyms++] = (struct sym_entry){ name, addr, sym.st_size, 0 };
	}
	set_gaps(o->syms, o->nsyms);
	sort_items(o->syms, o->nsyms, sizeof *o->syms, by_name);
	return o->nsyms ? 0 : -1;
}

/* The first symbol whose name is, or begins with, name. */
static size_t lower_bound(const struct obj *o, const char *name)
{
	size_t lo = 0, hi = o->nsyms;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(o->syms[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Of the symbols named name, the one whose st_size, else whose gap, is the
 * frame's size; else the first.  NULL if none. */
static const struct sym_entry *pick(const struct obj *o, size_t i, const char *name,
				    unsigned long size)
{
	const struct sym_entry *gap = NULL;
	size_t j;

	for (j = i; j < o->nsyms && !strcmp(o->syms[j].name, name); j++) {
		if (o->syms[j].size == size)
			return &o->syms[j];
		if (!gap && o->syms[j].gap == size)
			gap = &o->syms[j];
	}
	return gap ? gap : j > i ? &o->syms[i] : NULL;
}

/* The symbol kallsyms calls name: the same name, or with clang's LTO the
 * name and ".llvm.NNN", which kallsyms leaves out. */
static const struct sym_entry *find_symbol(const struct obj *o, const char *name,
					   unsigned long size)
{
	const struct sym_entry *e = pick(o, lower_bound(o, name), name, size);
	char llvm[320];
	size_t i, n;

	if (e || snprintf(llvm, sizeof llvm, "%s.llvm.", name) >= (int)sizeof llvm)
		return e;
	n = strlen(llvm);
	i = lower_bound(o, llvm);
	if (i < o->nsyms && !strncmp(o->syms[i].name, llvm, n))
		return pick(o, i, o->syms[i].name, size);
	return NULL;
}

/* ---- objects ---- */

static void obj_free(struct obj *o)
{
	if (o->dwfl)
		dwfl_end(o->dwfl);
	free(o->syms);
	memset(o, 0, sizeof *o);
}

/* A regular file we can read, or the error naming it (a FIFO is not
 * waited on). */
static int check_file(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0) {
		say(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		say(err, errlen, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* Whether the file has DWARF, read or not (compressed in a way this libdw
 * does not know, ...). */
static int has_debug_info(Dwfl_Module *mod)
{
	GElf_Addr bias;
	Elf *elf = dwfl_module_getelf(mod, &bias);
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (!elf || elf_getshdrstrndx(elf, &shstrndx) != 0)
		return 0;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name = gelf_getshdr(scn, &sh) ? elf_strptr(elf, shstrndx, sh.sh_name)
							   : NULL;

		if (name && (!strcmp(name, ".debug_info") || !strcmp(name, ".zdebug_info")))
			return 1;
	}
	return 0;
}

/* path into o: its symbols read, its DWARF there.  -1 with the error. */
static int obj_open(struct obj *o, const char *path, char *err, size_t errlen)
{
	Dwarf_Addr bias;

	memset(o, 0, sizeof *o);
	if (check_file(path, err, errlen) < 0)
		return -1;
	o->dwfl = dwfl_begin(&offline);
	if (!o->dwfl) {
		say(err, errlen, "%s: %s", path, dwfl_errmsg(-1));
		return -1;
	}
	dwfl_report_begin(o->dwfl);
	o->mod = dwfl_report_offline(o->dwfl, path, path, -1);
	if (!o->mod || dwfl_report_end(o->dwfl, NULL, NULL) != 0) {
		say(err, errlen, "%s: %s", path, dwfl_errmsg(-1));
		obj_free(o);
		return -1;
	}
	if (!dwfl_module_getdwarf(o->mod, &bias)) {
		say(err, errlen, "%s: cannot read its DWARF: %s", path, dwfl_errmsg(-1));
		if (!has_debug_info(o->mod))
			say(err, errlen, "%s has no debug information (DWARF)", path);
		obj_free(o);
		return -1;
	}
	if (read_symbols(o) < 0) {
		say(err, errlen, "%s has no symbol table", path);
		obj_free(o);
		return -1;
	}
	return 0;
}

/* ---- lines ---- */

/* file below dir ("dir/x/y.c": "x/y.c"), or NULL. */
static const char *below(const char *file, const char *dir)
{
	size_t n = dir ? strlen(dir) : 0;

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n < 2 || strncmp(file, dir, n) || file[n] != '/')
		return NULL;
	for (file += n; *file == '/'; file++)
		;
	return file;
}

/* A path as decode_stacktrace.sh shows it: from the build tree. */
static const char *shorten(const struct symbolizer *s, const char *comp_dir, const char *file)
{
	const char *p;

	if (!file)
		return NULL;
	p = below(file, comp_dir);
	if (!p)
		p = below(file, s->base);
	if (!p)
		p = file;
	while (p[0] == '.' && p[1] == '/')
		for (p += 2; *p == '/'; p++)
			;
	return *p ? p : file;
}

static const char *die_name(Dwarf_Die *die)
{
	Dwarf_Attribute a;

	return dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &a));
}

static int is_function(Dwarf_Die *die)
{
	int tag = dwarf_tag(die);

	return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine ||
		tag == DW_TAG_entry_point;
}

/* The function scope at or above scopes[i], or -1. */
static int function_at(Dwarf_Die *scopes, int n, int i)
{
	for (; i < n; i++)
		if (is_function(&scopes[i]))
			return i;
	return -1;
}

/* An inlined call's site: where it was called from, in which function. */
static void call_site(const struct symbolizer *s, Dwarf_Die *inl, Dwarf_Die *caller,
		      Dwarf_Files *files, const char *comp_dir, struct sym_line *out)
{
	Dwarf_Attribute a;
	Dwarf_Word file, line;
	const char *name = caller ? die_name(caller) : NULL;

	out->function = name ? name : "??";
	out->file = NULL;
	out->line = 0;
	out->inlined = 0;
	if (files && dwarf_formudata(dwarf_attr(inl, DW_AT_call_file, &a), &file) == 0)
		out->file = shorten(s, comp_dir, dwarf_filesrc(files, file, NULL, NULL));
	if (dwarf_formudata(dwarf_attr(inl, DW_AT_call_line, &a), &line) == 0 && line <= ~0u)
		out->line = (unsigned)line;
}

/* After out[0], the line itself: the functions inlined at pc (in cu's
 * addresses), as eu-addr2line -i finds them.  Returns the lines in out. */
static int inline_chain(const struct symbolizer *s, Dwarf_Die *cu, Dwarf_Addr pc,
			struct sym_line *out, size_t max)
{
	Dwarf_Die *scopes = NULL, innermost;
	Dwarf_Files *files = NULL;
	Dwarf_Attribute a;
	const char *comp_dir = dwarf_formstring(dwarf_attr(cu, DW_AT_comp_dir, &a));
	size_t k = 0;
	int i, j, n = dwarf_getscopes(cu, pc, &scopes);

	if (n <= 0) {
		free(scopes);
		return 1;
	}
	/* The scopes of the concrete DIEs only, not of the abstract origins
	 * dwarf_getscopes went on into. */
	innermost = scopes[0];
	free(scopes);
	scopes = NULL;
	n = dwarf_getscopes_die(&innermost, &scopes);
	i = n > 0 ? function_at(scopes, n, 0) : -1;
	if (i >= 0 && die_name(&scopes[i]))
		out[0].function = die_name(&scopes[i]);
	if (dwarf_getsrcfiles(cu, &files, NULL) != 0)
		files = NULL;
	for (; i >= 0 && k + 1 < max; i = j) {
		if (dwarf_tag(&scopes[i]) != DW_TAG_inlined_subroutine)
			break;
		j = function_at(scopes, n, i + 1);
		out[k++].inlined = 1;
		call_site(s, &scopes[i], j >= 0 ? &scopes[j] : NULL, files, comp_dir, &out[k]);
	}
	free(scopes);
	return (int)k + 1;
}

/* The lines at pc in o; symbol names the function if DWARF does not. */
static int lines_at(const struct symbolizer *s, const struct obj *o, Dwarf_Addr pc,
		    const char *symbol, struct sym_line *out, size_t max)
{
	Dwfl_Line *l = dwfl_module_getsrc(o->mod, pc);
	const char *file;
	Dwarf_Addr bias;
	Dwarf_Die *cu;
	int line = 0;

	file = l ? dwfl_lineinfo(l, NULL, &line, NULL, NULL, NULL) : NULL;
	if (!file || !max)
		return 0;
	out[0] = (struct sym_line){ symbol, shorten(s, dwfl_line_comp_dir(l), file),
				    line > 0 ? (unsigned)line : 0, 0 };
	cu = dwfl_module_addrdie(o->mod, pc, &bias);
	return cu ? inline_chain(s, cu, pc - bias, out, max) : 1;
}

/* decode_stacktrace.sh's base path: where init/main.c is, kernel_init's file. */
static void find_base(struct symbolizer *s)
{
	static const char main_c[] = "/init/main.c";
	const struct sym_entry *e = find_symbol(&s->vmlinux, "kernel_init", 0);
	Dwfl_Line *l = e ? dwfl_module_getsrc(s->vmlinux.mod, e->addr) : NULL;
	const char *file = l ? dwfl_lineinfo(l, NULL, NULL, NULL, NULL, NULL) : NULL;
	size_t n = file ? strlen(file) : 0;

	if (n > sizeof main_c && !strcmp(file + n - (sizeof main_c - 1), main_c)) {
		s->base = xmalloc(n - (sizeof main_c - 1) + 1);
		memcpy(s->base, file, n - (sizeof main_c - 1));
		s->base[n - (sizeof main_c - 1)] = '\0';
	}
}

struct symbolizer *sym_open(const char *vmlinux, char *err, size_t errlen)
{
	struct symbolizer *s = xcalloc(1, sizeof *s);

	if (obj_open(&s->vmlinux, vmlinux, err, errlen) < 0) {
		free(s);
		return NULL;
	}
	find_base(s);
	return s;
}

/* ---- modules ---- */

/* name's length without ".ko" (".ko.xz", ...), or 0 if it is not a module. */
static size_t ko_len(const char *name)
{
	static const char *const ext[] = { ".ko", ".ko.xz", ".ko.gz", ".ko.zst" };
	size_t i, n = strlen(name);

	for (i = 0; i < ARRAY_SIZE(ext); i++) {
		size_t e = strlen(ext[i]);

		if (n > e && !strcmp(name + n - e, ext[i]))
			return n - e;
	}
	return 0;
}

/* A module's name as the kernel knows it: "-" is "_". */
static char *module_name(const char *s, size_t n)
{
	char *m = xmalloc(n + 1);
	size_t i;

	for (i = 0; i < n; i++)
		m[i] = s[i] == '-' ? '_' : s[i];
	m[n] = '\0';
	return m;
}

static void add_ko(struct symbolizer *s, const char *path, const char *name, size_t n)
{
	if (s->nfiles == s->files_cap) {
		s->files_cap = s->files_cap ? 2 * s->files_cap : 64;
		s->files = xrealloc(s->files, s->files_cap * sizeof *s->files);
	}
	s->files[s->nfiles].name = module_name(name, n);
	s->files[s->nfiles++].path = xstrdup(path);
}

/* What a folder's entry is: DT_DIR, DT_REG, ...; a symbolic link to a
 * file is the file, one to a folder is not followed. */
static int entry_type(const char *path, int d_type)
{
	struct stat st;

	if (d_type == DT_UNKNOWN && lstat(path, &st) == 0)
		d_type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISLNK(st.st_mode) ? DT_LNK :
			S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
	if (d_type == DT_LNK)
		d_type = stat(path, &st) == 0 && S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
	return d_type;
}

static void walk(struct symbolizer *s, const char *dir, int depth)
{
	DIR *d = depth < WALK_DEPTH ? opendir(dir) : NULL;
	struct dirent *de;

	while (d && (de = readdir(d))) {
		size_t n = ko_len(de->d_name);
		int type = de->d_type;
		char *path;

		/* not .git; and no stat() for each of a build tree's files */
		if (de->d_name[0] == '.' || (!n && type != DT_DIR && type != DT_UNKNOWN))
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		type = entry_type(path, type);
		if (type == DT_DIR)
			walk(s, path, depth + 1);
		else if (n && type == DT_REG)
			add_ko(s, path, de->d_name, n);
		free(path);
	}
	if (d)
		closedir(d);
}

static int by_module(const void *a, const void *b)
{
	const struct ko_file *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->path, y->path);
}

/* The folders added since the last search: each one's .ko files sorted,
 * after the earlier folders'. */
static void walk_new(struct symbolizer *s)
{
	for (; s->walked < s->ndirs; s->walked++) {
		size_t from = s->nfiles;

		walk(s, s->dirs[s->walked], 0);
		sort_items(s->files + from, s->nfiles - from, sizeof *s->files, by_module);
	}
}

int sym_add_module_dir(struct symbolizer *s, const char *dir, char *err, size_t errlen)
{
	struct stat st;

	if (stat(dir, &st) < 0) {
		say(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		say(err, errlen, "%s: not a folder", dir);
		return -1;
	}
	s->dirs = xrealloc(s->dirs, (s->ndirs + 1) * sizeof *s->dirs);
	s->dirs[s->ndirs++] = xstrdup(dir);
	return 0;
}

/* Why there is no .ko for name: none found, or the first one's problem. */
static char *no_module(const struct symbolizer *s, const char *name, const char *first)
{
	if (first)
		return xstrdup(first);
	if (!s->ndirs)
		return xasprintf("%s.ko: no folder of modules given", name);
	if (s->ndirs == 1)
		return xasprintf("no %s.ko in %s", name, s->dirs[0]);
	return xasprintf("no %s.ko in %s nor %zu other folder%s", name, s->dirs[0],
			 s->ndirs - 1, s->ndirs > 2 ? "s" : "");
}

/* The first NAME.ko that opens with its DWARF; NULL with m->problem. */
static void load_module(struct symbolizer *s, struct module *m)
{
	char err[512], *first = NULL;
	size_t i;

	walk_new(s);
	for (i = 0; i < s->nfiles && !m->obj; i++) {
		if (strcmp(s->files[i].name, m->name))
			continue;
		m->obj = xcalloc(1, sizeof *m->obj);
		if (obj_open(m->obj, s->files[i].path, err, sizeof err) == 0)
			break;
		free(m->obj);
		m->obj = NULL;
		if (!first)
			first = xstrdup(err);
	}
	if (!m->obj)
		m->problem = no_module(s, m->name, first);
	free(first);
}

/* The module's object, opened at its first frame; NULL: sym_error() says why. */
static struct obj *module_obj(struct symbolizer *s, const char *module)
{
	char *name = module_name(module, strlen(module));
	struct module *m = NULL;
	size_t i;

	for (i = 0; i < s->nmods && !m; i++)
		if (!strcmp(s->mods[i].name, name))
			m = &s->mods[i];
	if (m) {
		free(name);
	} else {
		s->mods = xrealloc(s->mods, (s->nmods + 1) * sizeof *s->mods);
		m = &s->mods[s->nmods++];
		*m = (struct module){ name, NULL, NULL };
		load_module(s, m);
	}
	if (!m->obj)
		snprintf(s->error, sizeof s->error, "%s", m->problem);
	return m->obj;
}

int sym_decode(struct symbolizer *s, const char *symbol, unsigned long off,
	       unsigned long size, const char *module, int is_return,
	       struct sym_line *out, size_t max)
{
	const struct obj *o = module ? module_obj(s, module) : &s->vmlinux;
	const struct sym_entry *e;
	GElf_Xword end;

	if (!o)
		return -1;
	e = find_symbol(o, symbol, size);
	if (!e)
		return 0;
	end = e->size > e->gap ? e->size : e->gap;
	if (off > end)
		return 0;
	if (is_return && off > 0)
		off--;
	return lines_at(s, o, e->addr + off, e->name, out, max);
}

const char *sym_error(const struct symbolizer *s)
{
	return s->error;
}

void sym_close(struct symbolizer *s)
{
	size_t i;

	if (!s)
		return;
	obj_free(&s->vmlinux);
	for (i = 0; i < s->nmods; i++) {
		if (s->mods[i].obj)
			obj_free(s->mods[i].obj);
		free(s->mods[i].obj);
		free(s->mods[i].name);
		free(s->mods[i].problem);
	}
	for (i = 0; i < s->nfiles; i++) {
		free(s->files[i].name);
		free(s->files[i].path);
	}
	for (i = 0; i < s->ndirs; i++)
		free(s->dirs[i]);
	free(s->mods);
	free(s->files);
	free(s->dirs);
	free(s->base);
	free(s);
}

/* ---- output ---- */

__attribute__((format(printf, 2, 3)))
static void add(struct buf *b, const char *fmt, ...)
{
	char *p;
	va_list ap;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	buf_add(b, p, strlen(p));
	free(p);
}

char *sym_format(const char *symbol, unsigned long off, unsigned long size,
		 const char *module, const struct sym_line *lines, int n)
{
	struct buf b = { 0 };
	int i;

	if (n <= 0)
		add(&b, "%s+0x%lx/0x%lx", symbol, off, size);
	else
		add(&b, "%s (", symbol);
	for (i = 0; i < n; i++) {
		add(&b, "%s%s:", i ? " " : "", lines[i].file ? lines[i].file : "??");
		if (lines[i].line)
			add(&b, "%u", lines[i].line);
		else
			add(&b, "?");
	}
	if (n > 0)
		add(&b, ")");
	if (module)
		add(&b, " [%s]", module);
	buf_add(&b, "", 1);
	return (char *)b.data;
}

int sym_is_return(const struct kreport *r, size_t i)
{
	const struct kreport_frame *f = &r->frames[i];
	size_t j;

	if (f->from != KREPORT_FROM_TRACE)
		return f->from == KREPORT_FROM_LR;
	for (j = 0; j < r->nframes; j++) {
		const struct kreport_frame *ip = &r->frames[j];

		if (ip->from == KREPORT_FROM_IP && ip->stack == f->stack &&
		    ip->off == f->off && ip->size == f->size && !strcmp(ip->symbol, f->symbol) &&
		    !ip->module == !f->module && (!f->module || !strcmp(ip->module, f->module)))
			return 0;
	}
	return 1;
}

char *sym_frame(struct symbolizer *s, const struct kreport *r, size_t i)
{
	const struct kreport_frame *f = &r->frames[i];
	struct sym_line lines[SYM_LINES_MAX];
	int n = s ? sym_decode(s, f->symbol, f->off, f->size, f->module,
			       sym_is_return(r, i), lines, SYM_LINES_MAX) : 0;

	return sym_format(f->symbol, f->off, f->size, f->module, lines, n);
}
