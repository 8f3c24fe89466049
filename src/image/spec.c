/*
 * spec.c - reads the kernel's gen_init_cpio spec format, so that kernel
 * developers can bring the file lists they already have.  Like
 * gen_init_cpio, a table maps each line type to a small function.
 */
#include "image/spec.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format/cpio.h"
#include "util/util.h"

#define MAX_FIELDS 64

struct line {
	const char *file;
	unsigned no;
	char *f[MAX_FIELDS];	/* f[0] is the type */
	int n;
};

static int line_err(const struct line *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int line_err(const struct line *l, const char *fmt, ...)
{
	char what[PATH_MAX + 32], msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(what, sizeof(what), "%s:%u", l->file, l->no);
	return fail(what, "%s", msg);
}

static int num(const struct line *l, int i, int base, unsigned long max,
	       uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(l->f[i], &end, base);
	if (!*l->f[i] || *end || errno || v > max || l->f[i][0] == '-')
		return line_err(l, "%s: '%s' is not a valid %s", l->f[0], l->f[i],
				base == 8 ? "octal mode" : "number");
	*out = (uint32_t)v;
	return 0;
}

/* mode uid gid, starting at field i */
static int mode_owner(const struct line *l, int i, uint32_t *mode,
		      uint32_t *uid, uint32_t *gid)
{
	return num(l, i, 8, 07777, mode) || num(l, i + 1, 10, UINT32_MAX, uid) ||
	       num(l, i + 2, 10, UINT32_MAX, gid) ? -1 : 0;
}

/* ${VAR} in a location comes from the environment; unset is an error. */
static char *expand(const struct line *l, const char *s)
{
	struct buf b = {0};

	while (*s) {
		const char *start = strstr(s, "${"), *end, *val;
		char name[256];

		if (!start || !(end = strchr(start + 2, '}'))) {
			buf_add(&b, s, strlen(s));
			break;
		}
		buf_add(&b, s, start - s);
		snprintf(name, sizeof(name), "%.*s", (int)(end - start - 2), start + 2);
		val = getenv(name);
		if (!val) {
			line_err(l, "${%s} is not set in the environment", name);
			buf_free(&b);
			return NULL;
		}
		buf_add(&b, val, strlen(val));
		s = end + 1;
	}
	buf_add(&b, "", 1);
	return (char *)b.data;
}

/* The checks rootfs would make, done first so the error names the line. */
static int check_source(const struct line *l, const char *src)
{
	struct stat st;

	if (stat(src, &st) < 0 || access(src, R_OK) < 0)
		return line_err(l, "file %s: %s: %s", l->f[1], src, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return line_err(l, "file %s: %s: not a regular file", l->f[1], src);
	if ((uint64_t)st.st_size > CPIO_MAX_FILESIZE)
		return line_err(l, "file %s: %s: larger than the newc format's 4 GiB limit",
				l->f[1], src);
	return 0;
}

static int do_file(struct fstree *fs, const struct line *l)
{
	uint32_t mode, uid, gid;
	char *src;
	int rc;

	if (mode_owner(l, 3, &mode, &uid, &gid) < 0 || !(src = expand(l, l->f[2])))
		return -1;
	rc = check_source(l, src);
	/* Extra names on the line are hard links to the same file. */
	for (int i = 1; i < l->n && !rc; i = (i == 1 ? 6 : i + 1))
		rc = fstree_file(fs, l->f[i], src, mode, uid, gid, l->n > 6);
	free(src);
	return rc;
}

static int do_dir(struct fstree *fs, const struct line *l)
{
	uint32_t mode, uid, gid;

	if (mode_owner(l, 2, &mode, &uid, &gid) < 0)
		return -1;
	return fstree_dir(fs, l->f[1], mode, uid, gid);
}

static int do_nod(struct fstree *fs, const struct line *l)
{
	uint32_t mode, uid, gid, maj, min;
	const char *t = l->f[5];

	if (mode_owner(l, 2, &mode, &uid, &gid) < 0)
		return -1;
	if (strcmp(t, "b") && strcmp(t, "c"))
		return line_err(l, "nod: device type '%s' is neither b nor c", t);
	if (num(l, 6, 10, 0xfff, &maj) || num(l, 7, 10, 0xfffff, &min))
		return -1;
	return fstree_node(fs, l->f[1], (*t == 'b' ? S_IFBLK : S_IFCHR) | mode,
			   uid, gid, maj, min);
}

static int do_slink(struct fstree *fs, const struct line *l)
{
	uint32_t mode, uid, gid;

	if (mode_owner(l, 3, &mode, &uid, &gid) < 0)
		return -1;
	return fstree_symlink(fs, l->f[1], l->f[2], mode, uid, gid);
}

static int do_pipe_sock(struct fstree *fs, const struct line *l)
{
	uint32_t mode, uid, gid;

	if (mode_owner(l, 2, &mode, &uid, &gid) < 0)
		return -1;
	return fstree_node(fs, l->f[1], (l->f[0][0] == 'p' ? S_IFIFO : S_IFSOCK) | mode,
			   uid, gid, 0, 0);
}

static const struct {
	const char *type;
	int min_fields, max_fields;
	int (*fn)(struct fstree *, const struct line *);
	const char *usage;
} types[] = {
	{"file", 6, MAX_FIELDS, do_file, "file <name> <location> <mode> <uid> <gid> [<hard links>]"},
	{"dir", 5, 5, do_dir, "dir <name> <mode> <uid> <gid>"},
	{"nod", 8, 8, do_nod, "nod <name> <mode> <uid> <gid> <b|c> <maj> <min>"},
	{"slink", 6, 6, do_slink, "slink <name> <target> <mode> <uid> <gid>"},
	{"pipe", 5, 5, do_pipe_sock, "pipe <name> <mode> <uid> <gid>"},
	{"sock", 5, 5, do_pipe_sock, "sock <name> <mode> <uid> <gid>"},
};

/* Names in the archive: below its root, no "..". */
static int check_name(const struct line *l, const char *name)
{
	const char *p = name + strspn(name, "/.");

	if (!*p)
		return line_err(l, "%s: '%s' names the root, not an entry", l->f[0], name);
	for (p = name; (p = strstr(p, "..")); p += 2)
		if ((p == name || p[-1] == '/') && (p[2] == '/' || !p[2]))
			return line_err(l, "%s: '%s' may not contain '..'", l->f[0], name);
	return 0;
}

static int do_line(struct fstree *fs, struct line *l, char *text)
{
	char *save = NULL;

	l->n = 0;
	for (char *t = strtok_r(text, " \t\r\n", &save); t;
	     t = strtok_r(NULL, " \t\r\n", &save)) {
		if (l->n == MAX_FIELDS)
			return line_err(l, "too many fields");
		l->f[l->n++] = t;
	}
	if (!l->n || l->f[0][0] == '#')
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		if (strcmp(l->f[0], types[i].type))
			continue;
		if (l->n < types[i].min_fields || l->n > types[i].max_fields)
			return line_err(l, "expected '%s'", types[i].usage);
		for (int j = 1; j < l->n; j++)
			if (j == 1 || (types[i].fn == do_file && j >= 6))
				if (check_name(l, l->f[j]) < 0)
					return -1;
		return types[i].fn(fs, l);
	}
	return line_err(l, "unknown type '%s' (file, dir, nod, slink, pipe or sock)",
			l->f[0]);
}

int spec_read_stream(struct fstree *fs, const char *path, FILE *f)
{
	struct line l = {.file = path};
	char *text = NULL;
	size_t cap = 0;
	int rc = 0;

	while (!rc && getline(&text, &cap, f) >= 0) {
		l.no++;
		rc = do_line(fs, &l, text);
	}
	if (!rc && ferror(f))
		rc = fail_errno(path, "cannot read spec file");
	free(text);
	return rc;
}

int spec_read(struct fstree *fs, const char *path)
{
	FILE *f = fopen(path, "re");
	int rc;

	if (!f)
		return fail_errno(path, "cannot open spec file");
	rc = spec_read_stream(fs, path, f);
	fclose(f);
	return rc;
}
