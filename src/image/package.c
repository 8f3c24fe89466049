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

#include "util/deb.h"
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
		free(db->v[i].version);
		free(db->v[i].origin);
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
		pkg.version = field_dup(s, e, "Version");
		pkg.origin = field_dup(s, e, "Minos-Origin");
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
 * Where the file a package lists as l is, on the host (under the root: the
 * host's /, --sysroot's or the archive's packages'), with its directory's
 * links resolved, so a merged-/usr root's /lib/x/y is /usr/lib/x/y; NULL
 * if it is not there, is a directory (or a link to one: merged /usr's
 * /lib, which a package may list; directories come with their files), or
 * lies through an absolute link out of the root.  Allocated.
 */
static char *host_file(const struct fstree *fs, const char *l)
{
	const char *root = fs->sysroot ? fs->sysroot : "";
	char *host = xasprintf("%s%s", root, l), *slash = strrchr(host, '/'), *dir, *path = NULL;
	size_t rn = strlen(root);
	struct stat st, target;

	if (lstat(host, &st) < 0 || S_ISDIR(st.st_mode) ||
	    (S_ISLNK(st.st_mode) && stat(host, &target) == 0 && S_ISDIR(target.st_mode))) {
		free(host);
		return NULL;	/* diverted files are gone */
	}
	*slash = '\0';
	dir = realpath(*host ? host : "/", NULL);
	*slash = '/';
	if (dir && rn && (strncmp(dir, root, rn) || (dir[rn] && dir[rn] != '/'))) {
		free(dir);
		dir = NULL;
	}
	if (dir)
		path = xasprintf("%s%s", strcmp(dir, "/") ? dir : "", slash);
	free(dir);
	free(host);
	return path;
}

/* One file of a package's list, added where the root has it. */
static int add_listed(struct fstree *fs, const char *l)
{
	char *path = host_file(fs, l);
	const char *guest = path ? path + (fs->sysroot ? strlen(fs->sysroot) : 0) : NULL;
	int rc = path ? fstree_add_host(fs, path, *guest ? guest : "/") : 0;

	free(path);
	return rc;
}

/* A package's list of files: dpkg's info/NAME.list (or NAME:ARCH.list), NUL-ended. */
static int read_list(const struct fstree *fs, const struct dpkg_pkg *p, struct buf *b)
{
	char *admin = admindir(fs), *list = xasprintf("%s/info/%s.list", admin, p->name);
	int rc;

	if (access(list, R_OK) < 0 && p->arch) {
		free(list);
		list = xasprintf("%s/info/%s:%s.list", admin, p->name, p->arch);
	}
	free(admin);
	rc = read_file_max(list, b, MAX_STATUS, NULL);
	free(list);
	if (rc == 0)
		buf_add(b, "", 1);
	return rc < 0 ? -1 : 0;
}

static int listed(const char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s, v[i]))
			return 1;
	return 0;
}

/*
 * Files a package has that a small system leaves out, for what they would
 * bring: xfs_scrub (online checks of a mounted XFS) links ICU, 30 MB of
 * Unicode tables.
 */
static const char *const left_out[] = {"/usr/sbin/xfs_scrub", "/sbin/xfs_scrub"};

static int add_files(struct fstree *fs, const struct dpkg_pkg *p, int dependency)
{
	char *save = NULL;
	struct buf b = {0};
	int rc = read_list(fs, p, &b);

	for (char *l = rc ? NULL : strtok_r((char *)b.data, "\n", &save); l && !rc;
	     l = strtok_r(NULL, "\n", &save))
		if (*l == '/' && !documentation(l) && !listed(left_out, ARRAY_SIZE(left_out), l) &&
		    !(dependency && shared_library(l)))
			rc = add_listed(fs, l);
	buf_free(&b);
	return rc;
}

struct closure {
	const struct dpkg_db *db;
	const struct dpkg_pkg **v;
	size_t n;
};

/*
 * Dependencies that serve a package's maintainer scripts, or its service
 * under systemd and udev, which a minos image runs none of, or a helper
 * script in Python (xfsprogs' xfs_scrub_all) that would bring the whole
 * interpreter: never brought by another package (named, they come).
 */
static const char *const for_scripts[] = {
	"adduser", "debconf", "lsb-base", "init-system-helpers", "udev", "systemd",
	"systemd-sysv", "dpkg", "perl-base", "sensible-utils", "ucf", "cron", "logrotate",
	"python3",
};

static int in_closure(const struct closure *c, const struct dpkg_pkg *p)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i] == p)
			return 1;
	return 0;
}

static void closure_add(struct closure *c, const struct dpkg_pkg *p)
{
	c->v = xrealloc(c->v, (c->n + 1) * sizeof(*c->v));
	c->v[c->n++] = p;
}

static void visit(const struct dpkg_pkg *p, void *ctx)
{
	struct closure *c = ctx;

	if (in_closure(c, p) ||
	    (c->n && (p->required || listed(for_scripts, ARRAY_SIZE(for_scripts), p->name))))
		return;	/* the named package comes whole; what it needs of required ones, through ELF */
	closure_add(c, p);
	dpkg_depends(c->db, p->depends, visit, c);
}

/* What the image carries from packages: "NAME VERSION ARCH ORIGIN" lines. */
struct manifest {
	char **v;
	size_t n;
};

static void note(struct manifest *m, const struct fstree *fs, const struct dpkg_pkg *p)
{
	m->v = xrealloc(m->v, (m->n + 1) * sizeof(*m->v));
	m->v[m->n++] = xasprintf("%s %s %s %s\n", p->name, p->version ? p->version : "-",
				 p->arch ? p->arch : "-",
				 p->origin ? p->origin : fs->sysroot ? "sysroot" : "host");
}

/* The host files the image holds (the last entry of each path), as real paths, sorted. */
struct held {
	char **v;
	size_t n;
};

static int entry_cmp(const void *a, const void *b)
{
	const struct entry *x = *(const struct entry *const *)a, *y = *(const struct entry *const *)b;
	int c = strcmp(x->path, y->path);

	return c ? c : x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void held_files(const struct fstree *fs, struct held *h)
{
	const struct entry **e = xcalloc(fs->n + 1, sizeof(*e));

	for (size_t i = 0; i < fs->n; i++)
		e[i] = &fs->v[i];
	sort_items(e, fs->n, sizeof(*e), entry_cmp);
	h->v = xcalloc(fs->n + 1, sizeof(*h->v));
	h->n = 0;
	for (size_t i = 0; i < fs->n; i++)
		if (e[i]->src && (i + 1 == fs->n || strcmp(e[i]->path, e[i + 1]->path)) &&
		    (h->v[h->n] = realpath(e[i]->src, NULL)))
			h->n++;
	sort_items(h->v, h->n, sizeof(*h->v), str_cmp);
	free(e);
}

static int held(const struct held *h, const char *path)
{
	char *real = realpath(path, NULL);
	int found = real && h->n && bsearch(&real, h->v, h->n, sizeof(*h->v), str_cmp);

	free(real);
	return found;
}

static void held_free(struct held *h)
{
	for (size_t i = 0; i < h->n; i++)
		free(h->v[i]);
	free(h->v);
}

/* The required packages whose shared libraries came with the programs, noted too. */
static void note_libraries(const struct fstree *fs, const struct dpkg_db *db,
			   const struct closure *c, struct manifest *m)
{
	struct held h;

	held_files(fs, &h);
	for (size_t i = 0; i < db->n; i++) {
		const struct dpkg_pkg *p = &db->v[i];
		struct buf b = {0};
		char *save = NULL;

		if (!p->required || in_closure(c, p) || read_list(fs, p, &b) < 0)
			continue;
		for (char *l = strtok_r((char *)b.data, "\n", &save); l;
		     l = strtok_r(NULL, "\n", &save)) {
			char *path = *l == '/' && shared_library(l) ? host_file(fs, l) : NULL;
			int found = path && held(&h, path);

			free(path);
			if (found) {
				note(m, fs, p);
				break;
			}
		}
		buf_free(&b);
	}
	held_free(&h);
}

/* The database of fs's root (the host's, --sysroot's, or the archive's packages'). */
static int load_db(const struct fstree *fs, struct buf *text, struct dpkg_db *db)
{
	char *admin = admindir(fs), *status = xasprintf("%s/status", admin);
	int rc = read_file_max(status, text, MAX_STATUS, NULL);

	free(admin);
	free(status);
	if (rc < 0) {
		memset(db, 0, sizeof(*db));
		return -1;
	}
	return dpkg_parse((const char *)text->data, text->len, db);
}

static int has_db(const struct fstree *fs)
{
	char *admin = admindir(fs), *status = xasprintf("%s/status", admin);
	int ok = access(status, R_OK) == 0;

	free(admin);
	free(status);
	return ok;
}

/* names' packages (all in db, fs's root's database), each with its closure, noted in m. */
static int add_from_root(struct fstree *fs, const struct dpkg_db *db, char *const names[],
			 size_t n, struct manifest *m)
{
	struct closure all = {.db = db};
	int rc = 0;

	for (size_t i = 0; i < n && !rc; i++) {
		const struct dpkg_pkg *p = dpkg_find(db, names[i], strlen(names[i]));
		struct closure c = {.db = db};

		if (!p) {
			rc = fail(names[i], "is not in the packages' database");
			break;
		}
		visit(p, &c);
		for (size_t k = 0; k < c.n && !rc; k++)
			rc = add_files(fs, c.v[k], k > 0);
		for (size_t k = 0; k < c.n; k++)
			if (!in_closure(&all, c.v[k]))
				closure_add(&all, c.v[k]);
		free(c.v);
	}
	for (size_t k = 0; k < all.n && !rc; k++)
		note(m, fs, all.v[k]);
	if (!rc)
		note_libraries(fs, db, &all, m);
	free(all.v);
	return rc;
}

/* /usr/share/minos/packages: what the image carries, sorted, each once. */
static int write_manifest(struct fstree *fs, struct manifest *m)
{
	struct buf b = {0};
	int rc;
	static const char head[] = "# package version architecture origin (host: installed on the host)\n";

	sort_items(m->v, m->n, sizeof(*m->v), str_cmp);
	buf_add(&b, head, strlen(head));
	for (size_t i = 0; i < m->n; i++)
		if (!i || strcmp(m->v[i], m->v[i - 1]))
			buf_add(&b, m->v[i], strlen(m->v[i]));
	rc = fstree_data(fs, "/usr/share/minos/packages", b.data, b.len, 0644);
	buf_free(&b);
	return rc;
}

/* Debian policy's package names: [a-z0-9][a-z0-9+.-]+ (never an option to apt). */
static int package_name(const char *name)
{
	if (strlen(name) < 2 || !strchr("abcdefghijklmnopqrstuvwxyz0123456789", name[0]) ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789+.-") != strlen(name))
		return fail(name, "is not a Debian package name (--package)");
	return 0;
}

int package_add_all(struct fstree *fs, char *const names[], size_t n)
{
	char **here = xcalloc(n + 1, sizeof(*here)), **away = xcalloc(n + 1, sizeof(*away));
	size_t nh = 0, na = 0;
	struct manifest m = {0};
	struct buf text = {0};
	struct dpkg_db db = {0};
	/* the host's packages are for an image of the host's architecture */
	int local = fs->sysroot || !fs->arch || fs->arch == arch_host(), rc = 0;

	for (size_t i = 0; i < n; i++)
		if (package_name(names[i]) < 0) {
			rc = -1;
			goto out;
		}
	if (!n)
		goto out;
	if (local && !has_db(fs))
		local = 0;	/* no dpkg here: every package from the archive */
	if (local && load_db(fs, &text, &db) < 0) {
		rc = -1;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (local && dpkg_find(&db, names[i], strlen(names[i])))
			here[nh++] = names[i];
		else
			away[na++] = names[i];
	}
	rc = nh ? add_from_root(fs, &db, here, nh, &m) : 0;
	if (!rc && na) {
		const char *sysroot = fs->sysroot;
		char *root = deb_set(away, na, fs->arch ? fs->arch : arch_host());
		struct buf set_text = {0};
		struct dpkg_db set_db = {0};

		fs->sysroot = root;
		rc = root && load_db(fs, &set_text, &set_db) == 0 ?
			     add_from_root(fs, &set_db, away, na, &m) : -1;
		fs->sysroot = sysroot;
		dpkg_free(&set_db);
		buf_free(&set_text);
		free(root);
	}
	if (!rc)
		rc = write_manifest(fs, &m);
out:
	for (size_t i = 0; i < m.n; i++)
		free(m.v[i]);
	free(m.v);
	dpkg_free(&db);
	buf_free(&text);
	free(here);
	free(away);
	return rc;
}
