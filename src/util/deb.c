/*
 * deb.c - Debian packages from the archive, never installed on the host:
 * a foreign architecture's package for the image (arm64's static BusyBox
 * on an amd64 host), and --package's packages that the host has not
 * installed, with everything they depend on (apt resolves; apt-get
 * download fetches into the cache's pool; tar unpacks them into one root
 * with a dpkg database that package.c reads as it reads a --sysroot's).
 */
#include "util/deb.h"

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cache.h"
#include "util/util.h"

/*
 * Runs argv (on PATH); its output only if it fails, and its last line in
 * the error, which names what and the program as prog (NULL: argv[0]).
 */
static int run_quiet(char *const argv[], const char *what, const char *prog)
{
	struct buf out = {0};
	int rc = run_capture(argv, NULL, RUN_STDERR | RUN_PATH, &out);
	char *last;

	if (rc < 0) {
		buf_free(&out);
		return fail_errno(what, "cannot run %s", argv[0]);
	}
	if (rc == 0) {
		buf_free(&out);
		return 0;
	}
	buf_add(&out, "", 1);
	while (out.len > 1 && out.data[out.len - 2] == '\n')
		out.data[--out.len - 1] = '\0';
	last = strrchr((char *)out.data, '\n');
	fail(what, "%s failed (exit %d): %s", prog ? prog : argv[0], rc,
	     last ? last + 1 : (char *)out.data);
	buf_free(&out);
	return -1;
}

/* Downloads name (PKG:ARCH) into dir and unpacks it into dir/root. */
static int download(const char *dir, const char *name)
{
	int root = geteuid() == 0;
	char *script = xasprintf("cd \"$1\" && exec apt-get download -q %s\"$2\"",
				 root ? "-o APT::Sandbox::User=root " : "");
	char *get[] = {"sh", "-c", script, "sh", (char *)dir, (char *)name, NULL};
	char *pattern = xasprintf("%s/*.deb", dir), *unpacked = xasprintf("%s/root", dir);
	glob_t g = {0};
	int rc = run_quiet(get, name, "apt-get download");

	if (rc == 0 && (glob(pattern, 0, NULL, &g) != 0 || g.gl_pathc != 1))
		rc = fail(name, "apt-get download gave no single package");
	if (rc == 0) {
		char *x[] = {"dpkg-deb", "-x", g.gl_pathv[0], unpacked, NULL};

		rc = run_quiet(x, name, NULL);
	}
	globfree(&g);
	free(pattern);
	free(unpacked);
	free(script);
	return rc;
}

char *deb_fetch(const char *pkg, enum arch arch)
{
	char *debs = cache_dir("debs"), *name = xasprintf("%s:%s", pkg, arch_debian(arch));
	char *dest = NULL, *tmp = NULL;
	struct stat st;

	if (!debs) {
		fail(name, "no cache directory to fetch it into (set MINOS_CACHE)");
		goto out;
	}
	dest = xasprintf("%s/%s_%s/root", debs, pkg, arch_debian(arch));
	if (stat(dest, &st) == 0 && S_ISDIR(st.st_mode))
		goto out;
	tmp = xasprintf("%s/.fetch.XXXXXX", debs);
	if (!mkdtemp(tmp)) {
		fail_errno(debs, "cannot make a directory");
		goto fail;
	}
	if (download(tmp, name) < 0) {
		fprintf(stderr, "minos: %s: is the archive's %s architecture enabled (dpkg "
			"--add-architecture %s; apt-get update)?\n", name, arch_debian(arch),
			arch_debian(arch));
		goto fail;
	}
	{
		char *from = xasprintf("%s/root", tmp), *parent = xasprintf("%s/%s_%s", debs, pkg,
									   arch_debian(arch));

		mkdir(parent, 0755);
		if (rename(from, dest) < 0 && errno != ENOTEMPTY && errno != EEXIST)
			fail_errno(dest, "cannot move the unpacked package into place");
		free(from);
		free(parent);
	}
	remove_tree(tmp);
	if (stat(dest, &st) == 0 && S_ISDIR(st.st_mode))
		goto out;
fail:
	if (tmp)
		remove_tree(tmp);
	free(dest);
	dest = NULL;
out:
	free(tmp);
	free(name);
	free(debs);
	return dest;
}

/* ---- a set of packages from the archive, with what they depend on ---- */

struct deb {
	char *file;	/* as the archive's pool names it: NAME_VERSION_ARCH.deb, ':' as %3a */
	char *uri;
};

static void debs_free(struct deb *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].file);
		free(v[i].uri);
	}
	free(v);
}

static int deb_cmp(const void *a, const void *b)
{
	return strcmp(((const struct deb *)a)->file, ((const struct deb *)b)->file);
}

/* apt-get's options for a system with nothing installed, its downloads in dir. */
#define APT_NOTHING_INSTALLED(dir) "-o", "Dir::State::status=/dev/null", "-o", (dir), \
	"-o", "Debug::NoLocking=1"

/* The package apt's error is about (it names it), else the first asked for. */
static const char *apt_package(const unsigned char *out, char *const names[], size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strstr((const char *)out, names[i]))
			return names[i];
	return names[0];
}

/* The first "E: " line of apt's output, for the error. */
static const char *apt_error(char *out)
{
	char *e = strstr(out, "E: ");

	if (!e)
		return "no reason given";
	e[strcspn(e, "\n")] = '\0';
	return e + 3;
}

/*
 * What apt would download to install names on a system with nothing
 * installed (no recommends): the packages and their dependencies at any
 * depth, alternatives and virtual packages chosen by apt's resolver.
 */
static int resolve(char *const names[], size_t n, enum arch arch, const char *scratch,
		   struct deb **v, size_t *nv)
{
	char *archives = xasprintf("Dir::Cache::archives=%s", scratch);
	/* another architecture's image: apt resolves as on a system of that one alone, or
	 * it would take the host's build of a Multi-Arch: foreign dependency (dmsetup) */
	char *native = xasprintf("APT::Architecture=%s", arch_debian(arch));
	char *only = xasprintf("APT::Architectures=%s", arch_debian(arch));
	char *fixed[] = {"apt-get", "install", "--print-uris", "-qq", "--no-install-recommends",
			 APT_NOTHING_INSTALLED(archives), "-o", native, "-o", only};
	size_t nf = ARRAY_SIZE(fixed) - (arch == arch_host() ? 4 : 0);
	char **argv = xcalloc(nf + n + 1, sizeof(*argv));
	struct buf out = {0};
	int rc;

	memcpy(argv, fixed, nf * sizeof(*fixed));
	memcpy(argv + nf, names, n * sizeof(*names));
	rc = run_capture(argv, NULL, RUN_STDERR | RUN_PATH, &out);
	buf_add(&out, "", 1);
	*v = NULL;
	*nv = 0;
	if (rc < 0)
		rc = fail_errno("apt-get", "cannot run it to find the packages");
	else if (rc > 0)
		rc = fail(apt_package(out.data, names, n), "not installed here, and apt cannot "
			  "install it: %s%s", apt_error((char *)out.data),
			  strstr((char *)out.data, "Unable to locate") ? " (apt-get update?)" : "");
	for (char *save = NULL, *l = rc ? NULL : strtok_r((char *)out.data, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		char *q = strchr(l + 1, '\''), *file;

		if (*l != '\'' || !q || q[1] != ' ')
			continue;
		file = q + 2;
		file[strcspn(file, " ")] = '\0';
		if (!*file || strchr(file, '/') || file[0] == '.')
			continue;
		*v = xrealloc(*v, (*nv + 1) * sizeof(**v));
		(*v)[(*nv)++] = (struct deb){xstrdup(file), strndup(l + 1, q - l - 1)};
	}
	sort_items(*v, *nv, sizeof(**v), deb_cmp);
	buf_free(&out);
	free(argv);
	free(native);
	free(only);
	free(archives);
	return rc;
}

/* NAME:ARCH=VERSION (NAME=VERSION for Architecture: all), as apt-get download takes it. */
static char *download_spec(const char *file)
{
	const char *u1 = strchr(file, '_'), *u2 = strrchr(file, '_');
	size_t alen;
	char *ver, *w;

	if (!u1 || u1 == u2 || !strstr(u2, ".deb"))
		return NULL;
	ver = w = strndup(u1 + 1, u2 - u1 - 1);
	for (const char *r = ver; *r; r++)	/* the pool's %3a is the epoch's colon */
		*w++ = (*r == '%' && r[1] && r[2] && !strncasecmp(r + 1, "3a", 2)) ? (r += 2, ':') : *r;
	*w = '\0';
	alen = strlen(u2 + 1) - strlen(".deb");
	w = alen == 3 && !strncmp(u2 + 1, "all", 3)
		    ? xasprintf("%.*s=%s", (int)(u1 - file), file, ver)
		    : xasprintf("%.*s:%.*s=%s", (int)(u1 - file), file, (int)alen, u2 + 1, ver);
	free(ver);
	return w;
}

/*
 * The .debs of v that pool lacks, downloaded by apt (which checks each
 * one's hash) into it; an error names what (the packages asked for).
 */
static int download_missing(const char *pool, const struct deb *v, size_t n, const char *what)
{
	char **argv = xcalloc(n + 8, sizeof(*argv)), *tmp = xasprintf("%s/.get.XXXXXX", pool);
	size_t k = 0, missing = 0;
	int rc = 0;

	argv[k++] = "sh";
	argv[k++] = "-c";
	argv[k++] = geteuid() == 0 ? "cd \"$0\" && exec apt-get download -q -o "
				     "APT::Sandbox::User=root \"$@\""
				   : "cd \"$0\" && exec apt-get download -q \"$@\"";
	argv[k++] = tmp;
	for (size_t i = 0; i < n; i++) {
		char *p = xasprintf("%s/%s", pool, v[i].file);

		if (access(p, R_OK) < 0 && (argv[k + missing] = download_spec(v[i].file)))
			missing++;
		free(p);
	}
	if (missing && !mkdtemp(tmp))
		rc = fail_errno(pool, "cannot make a directory");
	else if (missing)
		rc = run_quiet(argv, what, "apt-get download");
	for (size_t i = 0; i < n && missing && !rc; i++) {
		char *from = xasprintf("%s/%s", tmp, v[i].file), *to = xasprintf("%s/%s", pool,
										 v[i].file);

		if (access(to, R_OK) < 0 && rename(from, to) < 0)
			rc = fail_errno(v[i].file, "apt-get download did not give it");
		free(from);
		free(to);
	}
	if (missing && access(tmp, F_OK) == 0)
		remove_tree(tmp);
	for (size_t i = 0; i < missing; i++)
		free(argv[k + i]);
	free(argv);
	free(tmp);
	return rc;
}

/*
 * Unpacks the .debs (arguments: root, then pairs of .deb and URI) into one
 * merged-/usr root with a dpkg database describing them: the status file
 * (each control file, installed, its URI as Minos-Origin) and each
 * package's list of files.
 */
static const char unpack_script[] =
	"set -eo pipefail\n"
	"root=$1; shift\n"
	"mkdir -p \"$root/var/lib/dpkg/info\"\n"
	"for d in bin sbin lib lib64; do mkdir -p \"$root/usr/$d\"; ln -s usr/$d \"$root/$d\"; done\n"
	"while [ $# -ge 2 ]; do\n"
	"  deb=$1 uri=$2; shift 2\n"
	"  dpkg-deb --fsys-tarfile \"$deb\" |\n"
	"    tar -x --keep-directory-symlink --no-same-owner -C \"$root\"\n"
	"  name=$(dpkg-deb -f \"$deb\" Package)\n"
	"  { dpkg-deb -f \"$deb\"\n"
	"    printf 'Status: install ok installed\\nMinos-Origin: %s\\n\\n' \"$uri\"\n"
	"  } >>\"$root/var/lib/dpkg/status\"\n"
	"  dpkg-deb --fsys-tarfile \"$deb\" | tar -t |\n"
	"    sed -n 's,^\\./\\(.*[^/]\\)/*$,/\\1,p' >\"$root/var/lib/dpkg/info/$name.list\"\n"
	"done\n";

static int unpack_set(const char *root, const char *pool, const struct deb *v, size_t n)
{
	char **argv = xcalloc(2 * n + 6, sizeof(*argv));
	size_t k = 0;
	int rc;

	argv[k++] = "bash";
	argv[k++] = "-c";
	argv[k++] = (char *)unpack_script;
	argv[k++] = "minos-unpack";
	argv[k++] = (char *)root;
	for (size_t i = 0; i < n; i++) {
		argv[k++] = xasprintf("%s/%s", pool, v[i].file);
		argv[k++] = v[i].uri;
	}
	rc = run_quiet(argv, "unpacking the packages", NULL);
	for (size_t i = 0; i < n; i++)
		free(argv[5 + 2 * i]);
	free(argv);
	return rc;
}

/* The set's name: a digest of the architecture and the .debs' names (their versions in them). */
static char *set_key(enum arch arch, const struct deb *v, size_t n)
{
	struct digest d;
	char hex[65];

	digest_init(&d);
	digest_add(&d, arch_debian(arch), strlen(arch_debian(arch)) + 1);
	for (size_t i = 0; i < n; i++)
		digest_add(&d, v[i].file, strlen(v[i].file) + 1);
	digest_hex(&d, hex);
	return strndup(hex, 32);
}

/* "a, b, c": the packages an error is about. */
static char *join_names(char *const names[], size_t n)
{
	struct buf b = {0};

	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_add(&b, ", ", 2);
		buf_add(&b, names[i], strlen(names[i]));
	}
	buf_add(&b, "", 1);
	return (char *)b.data;
}

char *deb_set(char *const names[], size_t n, enum arch arch)
{
	char *debs = cache_dir("debs"), *pool = NULL, *tmp = NULL, *key = NULL, *dest = NULL;
	char *what = join_names(names, n);
	struct deb *v = NULL;
	size_t nv = 0;
	struct stat st;

	if (!debs) {
		fail(what, "no cache directory to fetch it into (set MINOS_CACHE)");
		free(what);
		return NULL;
	}
	pool = xasprintf("%s/pool", debs);
	tmp = xasprintf("%s/.set.XXXXXX", debs);
	mkdir(pool, 0755);
	if (!mkdtemp(tmp)) {
		fail_errno(debs, "cannot make a directory");
		goto out;
	}
	if (resolve(names, n, arch, tmp, &v, &nv) < 0 || download_missing(pool, v, nv, what) < 0)
		goto out;
	key = set_key(arch, v, nv);
	dest = xasprintf("%s/set-%s", debs, key);
	if (stat(dest, &st) == 0 && S_ISDIR(st.st_mode))
		goto out;
	{
		char *root = xasprintf("%s/root", tmp);
		int rc = unpack_set(root, pool, v, nv);

		if (rc == 0 && rename(tmp, dest) < 0 && errno != ENOTEMPTY && errno != EEXIST)
			rc = fail_errno(dest, "cannot move the unpacked packages into place");
		free(root);
		if (rc < 0) {
			free(dest);
			dest = NULL;
		}
	}
out:
	if (tmp && access(tmp, F_OK) == 0)
		remove_tree(tmp);
	if (dest) {
		char *root = xasprintf("%s/root", dest);

		free(dest);
		dest = root;
	}
	debs_free(v, nv);
	free(what);
	free(key);
	free(tmp);
	free(pool);
	free(debs);
	return dest;
}
