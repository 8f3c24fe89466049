/*
 * package.c - --package NAME: an installed Debian package in the image, as
 * dpkg knows it: its files (the list `dpkg -L` prints, configuration
 * included; documentation left out) with the libraries its programs need,
 * and the data of the packages it depends on, at any depth, except those
 * Debian marks required or essential: their shared libraries are left out,
 * for what the programs need comes through their ELF dependencies anyway
 * (libc6 would otherwise bring every gconv module).  That is what makes
 * `file` work: its magic database is in libmagic-mgc, a dependency of
 * libmagic1, which `file` depends on; python3-minimal's standard library
 * is in libpython3.11-minimal.
 */
#include "image/package.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util.h"

#define MAX_STATUS (256u << 20)

/* dpkg's database: $DPKG_ADMINDIR, else the root's /var/lib/dpkg (a --sysroot's). */
static char *admindir(const struct fstree *fs)
{
	const char *d = getenv("DPKG_ADMINDIR");

	if (fs->sysroot)
		return xasprintf("%s/var/lib/dpkg", fs->sysroot);
	return xstrdup(d && *d ? d : "/var/lib/dpkg");
}

/* The value of field (e.g. "Package") in the stanza [p, end), or NULL; *len its length. */
static const char *field(const char *p, const char *end, const char *name, size_t *len)
{
	size_t n = strlen(name);

	for (const char *next; p < end; p = next) {
		const char *v, *e, *nl = memchr(p, '\n', end - p);

		next = nl ? nl + 1 : end;
		if ((size_t)(end - p) <= n || strncmp(p, name, n) || p[n] != ':')
			continue;
		for (v = p + n + 1; v < end && (*v == ' ' || *v == '\t'); v++)
			;
		/* continuation lines start with a space */
		for (e = v; e < end && !(*e == '\n' && (e + 1 >= end || (e[1] != ' ' && e[1] != '\t'))); e++)
			;
		*len = e - v;
		return v;
	}
	return NULL;
}

static char *field_dup(const char *p, const char *end, const char *name)
{
	size_t len;
	const char *v = field(p, end, name, &len);

	return v ? strndup(v, len) : NULL;
}

void dpkg_free(struct dpkg_db *db)
{
	for (size_t i = 0; i < db->n; i++) {
		free(db->v[i].name);
		free(db->v[i].arch);
		free(db->v[i].depends);
	}
	free(db->v);
	memset(db, 0, sizeof(*db));
}

int dpkg_parse(const char *text, size_t len, struct dpkg_db *db)
{
	const char *p = text, *end = text + len;

	memset(db, 0, sizeof(*db));
	while (p < end) {
		const char *s = p, *e = p, *v;
		size_t vl;

		/* a stanza ends at a blank line */
		while (e < end && !(*e == '\n' && (e + 1 >= end || e[1] == '\n')))
			e++;
		p = e < end ? e + 2 : end;
		if (!(v = field(s, e, "Status", &vl)) || vl != 20 || memcmp(v, "install ok installed", 20))
			continue;
		struct dpkg_pkg pkg = {.name = field_dup(s, e, "Package")};
		char *pre = field_dup(s, e, "Pre-Depends"), *dep = field_dup(s, e, "Depends");
		const char *prio = field(s, e, "Priority", &vl);

		if (!pkg.name) {
			free(pre);
			free(dep);
			continue;
		}
		pkg.arch = field_dup(s, e, "Architecture");
		pkg.required = (prio && vl == 8 && !memcmp(prio, "required", 8)) ||
			       ((v = field(s, e, "Essential", &vl)) && vl == 3 && !memcmp(v, "yes", 3));
		pkg.depends = xasprintf("%s%s%s", pre ? pre : "", pre && dep ? ", " : "", dep ? dep : "");
		free(pre);
		free(dep);
		db->v = xrealloc(db->v, (db->n + 1) * sizeof(*db->v));
		db->v[db->n++] = pkg;
	}
	return 0;
}

const struct dpkg_pkg *dpkg_find(const struct dpkg_db *db, const char *name, size_t len)
{
	for (size_t i = 0; i < db->n; i++)
		if (strlen(db->v[i].name) == len && !memcmp(db->v[i].name, name, len))
			return &db->v[i];
	return NULL;
}

/* The installed packages a Depends line names: of each group of alternatives, the first installed. */
void dpkg_depends(const struct dpkg_db *db, const char *deps,
		  void (*fn)(const struct dpkg_pkg *p, void *ctx), void *ctx)
{
	for (const char *g = deps; *g;) {
		size_t glen = strcspn(g, ",");
		int done = 0;

		for (const char *a = g; a < g + glen && !done;) {
			size_t alen = strcspn(a, "|,");
			const char *n = a;
			size_t nlen;

			while (n < a + alen && (*n == ' ' || *n == '\n'))
				n++;
			nlen = strcspn(n, " (:|,\n");
			if (nlen > (size_t)(a + alen - n))
				nlen = a + alen - n;
			const struct dpkg_pkg *p = nlen ? dpkg_find(db, n, nlen) : NULL;

			if (p) {
				fn(p, ctx);
				done = 1;
			}
			a += alen + (a[alen] == '|');
		}
		g += glen + (g[glen] == ',');
	}
}

/* Files nobody needs in a small system: for people, on the host. */
static int documentation(const char *path)
{
	static const char *const dirs[] = {"/usr/share/doc/", "/usr/share/man/", "/usr/share/info/",
					   "/usr/share/lintian/", "/usr/share/bug/"};

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		if (!strncmp(path, dirs[i], strlen(dirs[i])))
			return 1;
	return 0;
}

/* lib*.so, lib*.so.N...: a shared library, which comes when a program needs it. */
static int shared_library(const char *path)
{
	const char *base = strrchr(path, '/') + 1, *so = strstr(base, ".so");

	return so && (so[3] == '\0' || so[3] == '.');
}

/*
 * One file of a package's list, the guest path l: where it is on a
 * merged-/usr root (/lib/x/y is /usr/lib/x/y), found under the root (the
 * host's /, or --sysroot's) and added.  Directories come with their files,
 * and so do links to them (merged /usr's /lib, which a package may list);
 * diverted files are gone.
 */
static int add_listed(struct fstree *fs, char *l)
{
	const char *root = fs->sysroot ? fs->sysroot : "";
	char *host = xasprintf("%s%s", root, l), *slash = strrchr(host, '/'), *dir;
	size_t rn = strlen(root);
	struct stat st, target;
	int rc = 0;

	if (lstat(host, &st) < 0 || S_ISDIR(st.st_mode) ||
	    (S_ISLNK(st.st_mode) && stat(host, &target) == 0 && S_ISDIR(target.st_mode))) {
		free(host);
		return 0;
	}
	*slash = '\0';
	dir = realpath(*host ? host : "/", NULL);
	*slash = '/';
	/* a link out of the sysroot (an absolute one) is not followed there */
	if (dir && rn && (strncmp(dir, root, rn) || (dir[rn] && dir[rn] != '/'))) {
		free(dir);
		dir = NULL;
	}
	if (dir) {
		char *path = xasprintf("%s%s", strcmp(dir, "/") ? dir : "", slash);
		const char *guest = path + rn;

		rc = fstree_add_host(fs, path, *guest ? guest : "/");
		free(path);
		free(dir);
	}
	free(host);
	return rc;
}

static int add_files(struct fstree *fs, const struct dpkg_pkg *p, int dependency)
{
	char *admin = admindir(fs), *list = xasprintf("%s/info/%s.list", admin, p->name);
	char *save = NULL;
	struct buf b = {0};
	int rc = 0;

	if (access(list, R_OK) < 0 && p->arch) {
		free(list);
		list = xasprintf("%s/info/%s:%s.list", admin, p->name, p->arch);
	}
	free(admin);
	if (read_file_max(list, &b, MAX_STATUS, NULL) < 0) {
		free(list);
		return -1;
	}
	buf_add(&b, "", 1);
	for (char *l = strtok_r((char *)b.data, "\n", &save); l && !rc; l = strtok_r(NULL, "\n", &save))
		if (*l == '/' && !documentation(l) && !(dependency && shared_library(l)))
			rc = add_listed(fs, l);
	buf_free(&b);
	free(list);
	return rc;
}

struct closure {
	const struct dpkg_db *db;
	const struct dpkg_pkg **v;
	size_t n;
};

static void visit(const struct dpkg_pkg *p, void *ctx)
{
	struct closure *c = ctx;

	for (size_t i = 0; i < c->n; i++)
		if (c->v[i] == p)
			return;
	if (c->n && p->required)
		return;	/* the named package comes whole; what it needs of these, through ELF */
	c->v = xrealloc(c->v, (c->n + 1) * sizeof(*c->v));
	c->v[c->n++] = p;
	dpkg_depends(c->db, p->depends, visit, c);
}

int package_add(struct fstree *fs, const char *name)
{
	char *admin = admindir(fs), *status = xasprintf("%s/status", admin);
	struct buf b = {0};
	struct dpkg_db db;
	struct closure c = {.db = &db};
	const struct dpkg_pkg *p;
	int rc = -1;

	free(admin);
	if (read_file_max(status, &b, MAX_STATUS, NULL) < 0) {
		free(status);
		return -1;
	}
	dpkg_parse((const char *)b.data, b.len, &db);
	if (!(p = dpkg_find(&db, name, strlen(name)))) {
		fail(name, "not an installed Debian package %s(see dpkg -l)",
		     fs->sysroot ? "in the sysroot " : "");
		goto out;
	}
	visit(p, &c);
	rc = 0;
	for (size_t i = 0; i < c.n && !rc; i++)
		rc = add_files(fs, c.v[i], i > 0);
out:
	free(c.v);
	dpkg_free(&db);
	buf_free(&b);
	free(status);
	return rc;
}
