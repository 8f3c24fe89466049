/*
 * deb.c - a foreign architecture's package for the image (arm64's static
 * BusyBox on an amd64 host): apt-get download and dpkg-deb -x into the
 * cache, as the tests fetch kernels, so the host installs nothing foreign.
 */
#include "util/deb.h"

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util.h"

/* Runs argv (on PATH); its output only if it fails, and its last line in the error. */
static int run_quiet(char *const argv[], const char *what)
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
	fail(what, "%s failed (exit %d): %s", argv[0], rc, last ? last + 1 : (char *)out.data);
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
	int rc = run_quiet(get, name);

	if (rc == 0 && (glob(pattern, 0, NULL, &g) != 0 || g.gl_pathc != 1))
		rc = fail(name, "apt-get download gave no single package");
	if (rc == 0) {
		char *x[] = {"dpkg-deb", "-x", g.gl_pathv[0], unpacked, NULL};

		rc = run_quiet(x, name);
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
