/* test-symbolize.c - frames to source lines with libdw, checked against
 * binutils' addr2line -f -i on code compiled here with an inline chain:
 * an executable (like a vmlinux) and a relocatable object (like a .ko). */
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "util/util.h"
#include "vm/symbolize.h"

static const char t_h[] =
	"extern volatile int limit;\n"
	"void report(int v);\n"
	"\n"
	"static inline __attribute__((always_inline)) int scale(int v)\n"
	"{\n"
	"	if (v > limit)\n"
	"		report(v);	/* SCALE */\n"
	"	return v * 3 + limit;\n"
	"}\n";

static const char t_c[] =
	"#include \"t.h\"\n"
	"volatile int limit = 10;\n"
	"volatile int sink;\n"
	"\n"
	"__attribute__((noinline, noclone)) void report(int v)\n"
	"{\n"
	"	sink = v;\n"
	"}\n"
	"\n"
	"static inline __attribute__((always_inline)) int twice(int v)\n"
	"{\n"
	"	return scale(v) + scale(v + sink);	/* TWICE */\n"
	"}\n"
	"\n"
	"__attribute__((noinline, noclone)) int outer(int v)\n"
	"{\n"
	"	int r = twice(v);	/* OUTER */\n"
	"	report(r);\n"
	"	return r + sink;\n"
	"}\n"
	"\n"
	"static __attribute__((noinline, noclone, used)) int twin(int v)\n"
	"{\n"
	"	return v + sink;	/* TWIN */\n"
	"}\n"
	"\n"
	"int lto(int v) __asm__(\"lto.llvm.4242\");\n"
	"__attribute__((noinline, noclone)) int lto(int v)\n"
	"{\n"
	"	return twin(v) * 2;\n"
	"}\n"
	"\n"
	"__attribute__((noinline, noclone)) int caller(int v)\n"
	"{\n"
	"	return outer(v) + twin(v) + lto(v);\n"
	"}\n"
	"\n"
	"int twin2(int v);\n"
	"int main(int argc, char **argv)\n"
	"{\n"
	"	(void)argv;\n"
	"	return (caller(argc) + twin2(argc)) & 1;\n"
	"}\n";

/* Another static twin, of another size. */
static const char t2_c[] =
	"extern volatile int sink;\n"
	"static __attribute__((noinline, noclone, used)) int twin(int v)\n"
	"{\n"
	"	int s = 0;\n"
	"	for (int i = 0; i < v; i++)\n"
	"		s += i * sink;	/* TWIN2 */\n"
	"	return s;\n"
	"}\n"
	"\n"
	"int twin2(int v)\n"
	"{\n"
	"	return twin(v) + 1;\n"
	"}\n";

/* The kernel's way out of tree (make O=): sources in src/, compiled in
 * obj/, init/main.c telling where the tree is. */
static const char main_c[] =
	"int kernel_init(void *unused);\n"
	"int kernel_init(void *unused)\n"
	"{\n"
	"	return unused != 0;\n"
	"}\n";

static const char foo_h[] =
	"static inline __attribute__((always_inline)) int foo_get(volatile int *p)\n"
	"{\n"
	"	return *p + 1;\n"
	"}\n";

static const char foo_c[] =
	"#include <foo.h>\n"
	"volatile int foo_val;\n"
	"__attribute__((noinline)) int foo_read(void)\n"
	"{\n"
	"	return foo_get(&foo_val) * 2;\n"
	"}\n";

static char tmp[PATH_MAX];

static char *at(const char *name)
{
	return xasprintf("%s/%s", tmp, name);
}

static void put(const char *name, const char *text)
{
	char *p = at(name);
	FILE *f = fopen(p, "w");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		printf("# cannot write %s\n", p);
	free(p);
}

/* A shell command run in tmp: its exit status, its output (with stderr) in *out. */
static int sh(struct buf *out, const char *cmd)
{
	char *full = xasprintf("cd '%s' && %s", tmp, cmd);
	char *argv[] = { "sh", "-c", full, NULL };
	struct buf b = { 0 };
	int rc = run_capture(argv, NULL, RUN_PATH | RUN_STDERR, out ? out : &b);

	buf_add(out ? out : &b, "", 1);
	if (rc != 0)
		printf("# '%s': exit %d: %s\n", cmd, rc, (char *)(out ? out : &b)->data);
	buf_free(&b);
	free(full);
	return rc;
}

static int line_of(const char *text, const char *marker)
{
	const char *p = strstr(text, marker);
	int n = 1;

	for (; p && p > text; p--)
		n += p[-1] == '\n';
	return p ? n : -1;
}

/* ---- nm and addr2line ---- */

struct fn {
	char name[64];
	unsigned long addr, size;
};

/* The code symbols nm -S lists (those with a size). */
static size_t nm(const char *file, struct fn *fns, size_t max)
{
	char *cmd = xasprintf("nm -S '%s'", file);
	struct buf out = { 0 };
	size_t n = 0;
	char *line, *save = NULL;

	if (sh(&out, cmd) == 0)
		for (line = strtok_r((char *)out.data, "\n", &save); line && n < max;
		     line = strtok_r(NULL, "\n", &save)) {
			char type;

			if (sscanf(line, "%lx %lx %c %63s", &fns[n].addr, &fns[n].size, &type,
				   fns[n].name) == 4 && (type == 't' || type == 'T'))
				n++;
		}
	buf_free(&out);
	free(cmd);
	return n;
}

static const struct fn *find_fn(const struct fn *fns, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(fns[i].name, name))
			return &fns[i];
	return NULL;
}

/* What addr2line -f -i said of one address. */
struct want {
	unsigned long addr;
	int n;
	char func[SYM_LINES_MAX][128], file[SYM_LINES_MAX][256];
	unsigned line[SYM_LINES_MAX];
};

/* addr2line's "FILE:LINE (discriminator N)", FILE made relative to tmp. */
static void parse_file_line(struct want *w, int i, char *s)
{
	char *colon, *disc = strstr(s, " (discriminator");
	size_t tl = strlen(tmp);

	if (disc)
		*disc = '\0';
	colon = strrchr(s, ':');
	if (colon)
		*colon = '\0';
	w->line[i] = colon ? (unsigned)strtoul(colon + 1, NULL, 10) : 0;
	if (!strncmp(s, tmp, tl) && s[tl] == '/')
		s += tl + 1;
	snprintf(w->file[i], sizeof w->file[i], "%s", s);
}

/* addr2line -a -f -i for each address in w[0..n), section (-j) if not NULL. */
static int addr2line(const char *file, const char *section, struct want *w, size_t n)
{
	struct buf cmd = { 0 }, out = { 0 };
	char *line, *save = NULL, *s;
	struct want *cur = NULL;
	int rc, odd = 0;
	size_t i, k = 0;

	s = xasprintf("addr2line -a -f -i %s%s -e '%s'", section ? "-j " : "",
		      section ? section : "", file);
	buf_add(&cmd, s, strlen(s));
	free(s);
	for (i = 0; i < n; i++) {
		s = xasprintf(" 0x%lx", w[i].addr);
		buf_add(&cmd, s, strlen(s));
		free(s);
	}
	buf_add(&cmd, "", 1);
	rc = sh(&out, (char *)cmd.data);
	for (line = strtok_r((char *)out.data, "\n", &save); rc == 0 && line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "0x", 2)) {
			cur = k < n ? &w[k++] : NULL;
			odd = 0;
		} else if (cur && !odd && cur->n < SYM_LINES_MAX) {
			snprintf(cur->func[cur->n], sizeof cur->func[0], "%s", line);
			odd = 1;
		} else if (cur && odd) {
			parse_file_line(cur, cur->n++, line);
			odd = 0;
		}
	}
	buf_free(&cmd);
	buf_free(&out);
	return rc == 0 && k == n ? 0 : -1;
}

/* ---- the comparison ---- */

/* Whether sym_decode's lines are addr2line's; says how they differ if not. */
static int same(const struct want *w, const struct sym_line *got, int n, const char *what)
{
	int i;

	if (w->n == 1 && !strcmp(w->file[0], "??"))
		return n == 0 ? 1 : (printf("# %s: addr2line knows no line, got %d\n", what, n), 0);
	if (n != w->n) {
		printf("# %s: %d lines, addr2line %d (%s:%u)\n", what, n, w->n, w->file[0], w->line[0]);
		return 0;
	}
	for (i = 0; i < n; i++)
		if (strcmp(got[i].function, w->func[i]) || !got[i].file ||
		    strcmp(got[i].file, w->file[i]) || got[i].line != w->line[i] ||
		    got[i].inlined != (i + 1 < n)) {
			printf("# %s: line %d: %s %s:%u%s, addr2line %s %s:%u\n", what, i,
			       got[i].function, got[i].file ? got[i].file : "(null)", got[i].line,
			       got[i].inlined ? " (inlined)" : "", w->func[i], w->file[i],
			       w->line[i]);
			return 0;
		}
	return 1;
}

/* Every offset of each function, as the exact address (a RIP) and as a
 * return address (a call trace's: off - 1), against addr2line at that
 * address.  Returns the mismatches. */
static int compare_all(struct symbolizer *s, const char *file, const char *section,
		       const char *module, const struct fn *fns, size_t nfns,
		       const char *const *names)
{
	struct want *w = NULL;
	size_t n = 0, i, k, cap = 0;
	int bad = 0;

	for (i = 0; names[i]; i++) {
		const struct fn *f = find_fn(fns, nfns, names[i]);

		for (k = 0; f && k < f->size; k++) {
			if (n == cap)
				w = xrealloc(w, (cap = cap ? 2 * cap : 256) * sizeof *w);
			memset(&w[n], 0, sizeof w[n]);
			w[n++].addr = f->addr + k;
		}
	}
	if (!n || addr2line(file, section, w, n) < 0) {
		free(w);
		return -1;
	}
	for (i = 0, n = 0; names[i]; i++) {
		const struct fn *f = find_fn(fns, nfns, names[i]);

		for (k = 0; f && k < f->size; k++, n++) {
			struct sym_line got[SYM_LINES_MAX];
			char what[128];
			int m;

			snprintf(what, sizeof what, "%s+0x%zx/0x%lx", f->name, k, f->size);
			m = sym_decode(s, f->name, k, f->size, module, 0, got, SYM_LINES_MAX);
			bad += !same(&w[n], got, m, what);
			/* The frame "f+k+1" of a call trace: the line of f+k. */
			strcat(what, " as a return address");
			m = sym_decode(s, f->name, k + 1, f->size, module, 1, got, SYM_LINES_MAX);
			bad += !same(&w[n], got, m, what);
		}
	}
	free(w);
	return bad;
}

static const char *const checked[] = { "outer", "caller", "report", "main", NULL };
static const char *const checked_rel[] = { "outer", "caller", "report", NULL };

/* The offset in outer where scale is inlined in twice, inlined in outer,
 * and the lines there; -1 if none. */
static long find_chain(struct symbolizer *s, const char *module, const struct fn *outer,
		       struct sym_line *got, int *n)
{
	unsigned long k;

	for (k = 0; outer && k < outer->size; k++) {
		*n = sym_decode(s, "outer", k, outer->size, module, 0, got, SYM_LINES_MAX);
		if (*n == 3 && !strcmp(got[0].function, "scale") &&
		    !strcmp(got[1].function, "twice") && !strcmp(got[2].function, "outer"))
			return (long)k;
	}
	return -1;
}

static void test_chain(struct symbolizer *s, const char *module, const struct fn *fns,
		       size_t nfns, const char *what)
{
	const struct fn *outer = find_fn(fns, nfns, "outer");
	struct sym_line got[SYM_LINES_MAX];
	int n = 0;
	long k = find_chain(s, module, outer, got, &n);
	char *want, *fmt;

	if (!ok(k >= 0, "%s: outer has scale inlined in twice inlined in it", what))
		return;
	is_str(got[0].file, "t.h", "%s: scale's file, relative to the build folder", what);
	ok(got[0].inlined && got[1].inlined && !got[2].inlined, "%s: the inlined flags", what);
	want = xasprintf("outer (t.h:%u t.c:%d t.c:%d)%s%s%s", got[0].line,
			 line_of(t_c, "TWICE"), line_of(t_c, "OUTER"), module ? " [" : "",
			 module ? module : "", module ? "]" : "");
	fmt = sym_format("outer", (unsigned long)k, outer->size, module, got, n);
	is_str(fmt, want, "%s: formatted as decode_stacktrace.sh does", what);
	free(fmt);
	free(want);
}

static void test_twins(struct symbolizer *s, const struct fn *fns, size_t nfns)
{
	struct sym_line got[SYM_LINES_MAX];
	size_t i;
	int seen = 0;

	for (i = 0; i < nfns; i++) {
		const char *want = NULL;
		int n;

		if (strcmp(fns[i].name, "twin"))
			continue;
		n = sym_decode(s, "twin", 0, fns[i].size, NULL, 0, got, SYM_LINES_MAX);
		seen++;
		/* t.c's twin is the shorter one */
		for (size_t j = 0; j < nfns; j++)
			if (j != i && !strcmp(fns[j].name, "twin"))
				want = fns[i].size < fns[j].size ? "t.c" : "t2.c";
		ok(n >= 1 && want && got[0].file && !strcmp(got[0].file, want),
		   "twin of size 0x%lx: the one in %s", fns[i].size, want ? want : "?");
	}
	is_int(seen, 2, "two static functions named twin");
}

static void test_executable(void)
{
	char err[512], *prog = at("prog");
	struct fn fns[64];
	size_t n = nm(prog, fns, ARRAY_SIZE(fns));
	struct symbolizer *s = sym_open(prog, err, sizeof err);
	struct sym_line got[SYM_LINES_MAX];

	if (!ok(s, "an executable with DWARF opens") || !ok(n, "nm lists its functions")) {
		printf("# %s\n", err);
		sym_close(s);
		free(prog);
		return;
	}
	is_int(compare_all(s, prog, NULL, NULL, fns, n, checked), 0,
	       "every offset of outer, caller, report, main decodes as addr2line -f -i does it");
	test_chain(s, NULL, fns, n, "executable");
	test_twins(s, fns, n);
	is_int(sym_decode(s, "lto", 0, 0, NULL, 0, got, SYM_LINES_MAX) >= 1, 1,
	       "lto is found as lto.llvm.4242, clang's LTO name kallsyms shortens");
	is_int(sym_decode(s, "no_such_function", 0, 0x10, NULL, 0, got, SYM_LINES_MAX), 0,
	       "an unknown symbol: no lines");
	is_int(sym_decode(s, "report", 0x100000, 0x100010, NULL, 0, got, SYM_LINES_MAX), 0,
	       "an offset past the function (another build's vmlinux): no lines");
	is_int(sym_decode(s, "outer", 0, 0, NULL, 0, got, 0), 0, "max 0: no lines");
	is_int(sym_decode(s, "outer", 0, 0, NULL, 0, got, 1), 1, "max 1: the innermost line only");
	sym_close(s);
	free(prog);
}

/* With a .ko: xz-compressed, and in another folder, packed.ko.xz. */
static void test_packed(struct symbolizer *s, const struct fn *outer, int have_xz)
{
	struct sym_line got[SYM_LINES_MAX], got2[SYM_LINES_MAX];
	int n = 0, m;
	long k;

	if (!have_xz) {
		ok(1, "# SKIP no xz");
		ok(1, "# SKIP no xz");
		return;
	}
	k = find_chain(s, "my_mod", outer, got, &n);
	m = sym_decode(s, "outer", (unsigned long)k, outer->size, "packed", 0, got2,
		       SYM_LINES_MAX);
	is_int(m, n, "an xz-compressed .ko, in the second folder");
	ok(m == n && n > 0 && !strcmp(got[0].file, got2[0].file) && got[0].line == got2[0].line,
	   "the same lines in it");
}

static void test_module_errors(struct symbolizer *s, const char *mods)
{
	struct sym_line got[SYM_LINES_MAX];
	char *want;

	is_int(sym_decode(s, "outer", 0, 0, "nosuch", 0, got, SYM_LINES_MAX), -1,
	       "a module without a .ko");
	want = xasprintf("no nosuch.ko in %s nor 1 other folder", mods);
	is_str(sym_error(s), want, "which sym_error() names");
	free(want);
	is_int(sym_decode(s, "outer", 0, 0, "plain", 0, got, SYM_LINES_MAX), -1,
	       "a module whose .ko has no DWARF");
	want = xasprintf("%s/plain.ko has no debug information (DWARF)", mods);
	is_str(sym_error(s), want, "which sym_error() says");
	free(want);
	is_int(sym_decode(s, "outer", 0, 0, "nosuch", 0, got, SYM_LINES_MAX), -1,
	       "asked again: the same answer");
	is_int(sym_decode(s, "no_such_function", 0, 0, "my_mod", 0, got, SYM_LINES_MAX), 0,
	       "an unknown symbol in a module: no lines");
}

static void test_module(int have_xz)
{
	char err[512], *prog = at("prog"), *mods = at("mods"), *more = at("more");
	char *ko = at("mods/sub/my-mod.ko");
	struct fn fns[64];
	size_t n = nm(ko, fns, ARRAY_SIZE(fns));
	struct symbolizer *s = sym_open(prog, err, sizeof err);
	struct sym_line got[SYM_LINES_MAX];
	const struct fn *outer = find_fn(fns, n, "outer");

	if (ok(s && outer, "a vmlinux open, nm lists the module's functions")) {
		is_int(sym_add_module_dir(s, mods, err, sizeof err), 0, "a folder of modules");
		is_int(sym_add_module_dir(s, more, err, sizeof err), 0, "and another");
		is_int(compare_all(s, ko, ".text", "my_mod", fns, n, checked_rel), 0,
		       "every offset in my-mod.ko (ET_REL) decodes as addr2line -f -i does it");
		test_chain(s, "my_mod", fns, n, "module");
		is_int(sym_decode(s, "outer", 0, outer->size, "my-mod", 0, got,
				  SYM_LINES_MAX) >= 1, 1, "a module named with '-' is the one with '_'");
		test_packed(s, outer, have_xz);
		test_module_errors(s, mods);
	}
	sym_close(s);
	free(prog);
	free(mods);
	free(more);
	free(ko);
}

/* make O=: DWARF's paths are absolute, under neither comp_dir (obj/) but
 * under the tree init/main.c is in (src/), as decode_stacktrace.sh finds it. */
static void test_tree(void)
{
	char err[512], *vmlinux = at("obj/vmlinux");
	struct symbolizer *s = sym_open(vmlinux, err, sizeof err);
	struct sym_line got[SYM_LINES_MAX];
	unsigned long k;
	int n = 0;

	if (!ok(s, "an out-of-tree build's vmlinux opens")) {
		printf("# %s\n", err);
		free(vmlinux);
		return;
	}
	for (k = 0; k < 64 && n != 2; k++)
		n = sym_decode(s, "foo_read", k, 0, NULL, 0, got, SYM_LINES_MAX);
	if (ok(n == 2, "foo_read has foo_get inlined")) {
		is_str(got[0].file, "include/foo.h", "the header's path from the source tree");
		is_str(got[1].file, "fs/foo.c", "the file's");
		is_int(got[1].line, line_of(foo_c, "foo_get("), "the call's line");
	}
	n = sym_decode(s, "kernel_init", 0, 0, NULL, 0, got, SYM_LINES_MAX);
	is_str(n == 1 ? got[0].file : NULL, "init/main.c", "init/main.c itself");
	sym_close(s);
	free(vmlinux);
}

static void test_open_errors(void)
{
	char err[512], *p, *want;
	struct symbolizer *s;

	p = at("missing");
	want = xasprintf("%s: No such file or directory", p);
	ok(!sym_open(p, err, sizeof err), "a missing vmlinux");
	is_str(err, want, "is named in the error");
	ok(!sym_open(p, NULL, 0), "no room for the error: none written");
	free(want);
	free(p);
	want = xasprintf("%s: not a regular file", tmp);
	ok(!sym_open(tmp, err, sizeof err), "a folder");
	is_str(err, want, "is not a regular file");
	free(want);
	p = at("t.c");
	want = xasprintf("%s: ", p);
	ok(!sym_open(p, err, sizeof err), "a file not ELF");
	ok(!strncmp(err, want, strlen(want)) && strlen(err) > strlen(want), "is named: %s", err);
	free(want);
	free(p);
	p = at("nodebug.o");
	want = xasprintf("%s has no debug information (DWARF)", p);
	ok(!sym_open(p, err, sizeof err), "an object built without -g");
	is_str(err, want, "has no DWARF");
	free(want);
	free(p);
	p = at("prog");
	s = sym_open(p, err, sizeof err);
	free(p);
	p = at("missing");
	is_int(s ? sym_add_module_dir(s, p, err, sizeof err) : 0, -1, "a missing folder of modules");
	free(p);
	p = at("t.c");
	want = xasprintf("%s: not a folder", p);
	is_int(s ? sym_add_module_dir(s, p, err, sizeof err) : 0, -1, "a file as a folder of modules");
	is_str(err, want, "is not a folder");
	free(want);
	free(p);
	sym_close(s);
	sym_close(NULL);
}

/* Frames as kreport reads them: which are return addresses, how they print. */
static void test_frames(void)
{
	struct kreport_frame f[] = {
		{ "outer", 0x10, 0x40, NULL, 1, KREPORT_FROM_IP, 0 },
		{ "outer", 0x10, 0x40, NULL, 1, KREPORT_FROM_TRACE, 0 },	/* arm64's pc again */
		{ "caller", 0x9, 0x30, NULL, 1, KREPORT_FROM_TRACE, 0 },
		{ "report", 0x4, 0x8, NULL, 0, KREPORT_FROM_LR, 0 },
		{ "outer", 0x10, 0x40, NULL, 1, KREPORT_FROM_TRACE, 1 },	/* another stack */
		{ "outer", 0x10, 0x40, "my_mod", 1, KREPORT_FROM_TRACE, 0 },
		{ "nothing", 0x1, 0x2, "nosuch", 0, KREPORT_FROM_TRACE, 0 },
	};
	struct kreport r = { .frames = f, .nframes = ARRAY_SIZE(f) };
	static const int ret[] = { 0, 0, 1, 1, 1, 1, 1 };
	struct sym_line got[SYM_LINES_MAX];
	char err[512], *p = at("prog"), *fmt, *want;
	struct symbolizer *s = sym_open(p, err, sizeof err);
	size_t i;
	int n;

	for (i = 0; i < ARRAY_SIZE(f); i++)
		is_int(sym_is_return(&r, i), ret[i], "frame %zu: a return address or not", i);
	fmt = sym_frame(NULL, &r, 5);
	is_str(fmt, "outer+0x10/0x40 [my_mod]", "no symbolizer: the frame as the kernel printed it");
	free(fmt);
	fmt = sym_frame(s, &r, 6);
	is_str(fmt, "nothing+0x1/0x2 [nosuch]", "a module not found: the same");
	free(fmt);
	for (i = 0; s && i < 3; i++) {
		n = sym_decode(s, f[i].symbol, f[i].off, f[i].size, NULL, ret[i], got, SYM_LINES_MAX);
		want = sym_format(f[i].symbol, f[i].off, f[i].size, NULL, got, n);
		fmt = sym_frame(s, &r, i);
		is_str(fmt, want, "frame %zu decoded", i);
		ok(n > 0 && !strchr(fmt, '+'), "as a source line: %s", fmt);
		free(fmt);
		free(want);
	}
	got[0] = (struct sym_line){ "f", NULL, 0, 0 };
	fmt = sym_format("f", 1, 2, NULL, got, 1);
	is_str(fmt, "f (??:?)", "a line DWARF does not know");
	free(fmt);
	sym_close(s);
	free(p);
}

/* The sources, and what cc, xz and ld make of them.  Returns whether xz was there. */
static int build(void)
{
	struct buf out = { 0 };
	char *cmd;
	int have_xz;

	sh(NULL, "mkdir -p mods/sub more src/init src/fs src/include obj && ln -s .. mods/sub/loop");
	put("t.h", t_h);
	put("t.c", t_c);
	put("t2.c", t2_c);
	put("src/init/main.c", main_c);
	put("src/include/foo.h", foo_h);
	put("src/fs/foo.c", foo_c);
	sh(NULL, "cc -g -O2 -o prog t.c t2.c");
	sh(NULL, "cc -g -O2 -nostdlib -r -o mods/sub/my-mod.ko t.c t2.c");
	sh(NULL, "cc -O2 -c -o nodebug.o t.c && cp nodebug.o mods/plain.ko");
	cmd = xasprintf("cd obj && cc -g -O2 -I'%s/src/include' -c '%s/src/init/main.c' "
			"'%s/src/fs/foo.c' && cc -nostdlib -r -o vmlinux main.o foo.o",
			tmp, tmp, tmp);
	sh(NULL, cmd);
	free(cmd);
	have_xz = sh(&out, "command -v xz") == 0;
	if (have_xz)
		have_xz = sh(NULL, "xz -c mods/sub/my-mod.ko >more/packed.ko.xz") == 0;
	buf_free(&out);
	return have_xz;
}

int main(void)
{
	const char *dir = getenv("TMPDIR");
	char *tmpl = xasprintf("%s/symbolize.XXXXXX", dir && *dir ? dir : "/tmp");
	char *rm[] = { "rm", "-rf", tmp, NULL };
	struct buf out = { 0 };

	if (!mkdtemp(tmpl) || !realpath(tmpl, tmp)) {
		printf("Bail out! cannot make %s\n", tmpl);
		return 1;
	}
	free(tmpl);
	if (sh(&out, "command -v cc && command -v addr2line && command -v nm") != 0) {
		printf("1..0 # SKIP no cc, addr2line or nm\n");
	} else {
		int have_xz = build();

		test_open_errors();
		test_executable();
		test_module(have_xz);
		test_tree();
		test_frames();
	}
	buf_free(&out);
	run_capture(rm, NULL, RUN_PATH, &out);
	buf_free(&out);
	return tap_count ? done_testing() : 0;
}
