/* test-squashfs.c - the live root's tree: names, replacement, symlink resolution; sizes; dpkg's status */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/package.h"
#include "format/squashfs.h"
#include "tap.h"
#include "util/util.h"

static struct sq_node *link_to(struct sq_tree *t, const char *path, const char *target)
{
	struct sq_node *n = sq_put(t, path, S_IFLNK | 0777);

	if (n)
		n->target = xstrdup(target);
	return n;
}

static void test_names(void)
{
	struct sq_tree t;
	struct sq_node *a, *b;
	char *longname = xmalloc(300);

	sq_tree_init(&t, "test", 7);
	a = sq_put(&t, "./usr//bin/./file", S_IFREG | 0755);
	ok(a && !strcmp(a->name, "file"), "a path with ./ and // names the file");
	ok(sq_get(&t, "usr/bin") && S_ISDIR(sq_get(&t, "usr/bin")->mode) &&
	   sq_get(&t, "usr/bin")->mtime == 7, "its parents are made, with the tree's time");
	is_int(t.n, 4, "root, usr, bin, file");
	b = sq_put(&t, "usr/bin/file", S_IFLNK | 0777);
	ok(b && b != a && sq_get(&t, "usr/bin/file") == b, "a name given again is replaced");
	ok(!sq_put(&t, "usr/bin/file/x", S_IFREG | 0644), "a file is no directory");
	ok(!sq_put(&t, "usr", S_IFREG | 0644), "a directory is not replaced by a file");
	ok(sq_put(&t, "usr", S_IFDIR | 0700) && (sq_get(&t, "usr")->mode & 07777) == 0700,
	   "a directory given again takes the new mode");
	ok(!sq_put(&t, "a/../../etc/passwd", S_IFREG | 0644), ".. is refused");
	ok(!sq_put(&t, "..", S_IFDIR | 0755), ".. alone is refused");
	memset(longname, 'x', 299);
	longname[299] = '\0';
	ok(!sq_put(&t, longname, S_IFREG | 0644), "a name over 255 bytes is refused");
	ok(sq_put(&t, "./", S_IFDIR | 0700) == t.root && (t.root->mode & 07777) == 0700,
	   "./ is the root");
	ok(!sq_put(&t, ".", S_IFREG | 0644), "the root is no file");
	ok(!sq_get(&t, "nothere") && !sq_get(&t, "usr/bin/file/more"), "sq_get finds only what is");
	free(longname);
	sq_tree_free(&t);
}

static void test_resolve(void)
{
	struct sq_tree t;
	struct sq_node *systemd;

	sq_tree_init(&t, "test", 0);
	link_to(&t, "sbin", "usr/sbin");
	link_to(&t, "lib", "usr/lib");
	link_to(&t, "usr/sbin/init", "/lib/systemd/systemd");
	systemd = sq_put(&t, "usr/lib/systemd/systemd", S_IFREG | 0755);
	link_to(&t, "bin/sh", "../../../../usr/lib/systemd/systemd");
	link_to(&t, "loop/a", "b");
	link_to(&t, "loop/b", "a");
	link_to(&t, "dangling", "/no/such/file");
	ok(sq_resolve(&t, "/sbin/init") == systemd, "merged /usr: /sbin/init through three links");
	ok(sq_resolve(&t, "sbin/init") == systemd, "a relative path starts at the root too");
	ok(sq_resolve(&t, "/bin/sh") == systemd, ".. past the root stays at the root");
	ok(!sq_resolve(&t, "/loop/a"), "a loop of links ends");
	ok(!sq_resolve(&t, "/dangling"), "a dangling link resolves to nothing");
	ok(sq_resolve(&t, "/usr/lib/../sbin/init") == systemd, ".. in the path");
	ok(!sq_resolve(&t, "/usr/lib/systemd/systemd/x"), "a file with more path after it");
	sq_tree_free(&t);
}

static void test_devno(void)
{
	is_int(sq_devno(1, 3), 0x103, "1,3 as the kernel encodes it");
	is_int(sq_devno(300, 70000), 0x11112c70, "a minor over 255");
}

static void test_size(void)
{
	uint64_t v = 0;

	ok(parse_size("64M", &v) == 0 && v == 64ull << 20, "64M");
	ok(parse_size("2g", &v) == 0 && v == 2ull << 30, "2g");
	ok(parse_size("4096", &v) == 0 && v == 4096, "bytes");
	ok(parse_size("1T", &v) == 0 && v == 1ull << 40, "1T");
	ok(parse_size("", &v) < 0 && parse_size("M", &v) < 0 && parse_size("64MB", &v) < 0 &&
	   parse_size("-1", &v) < 0 && parse_size("64X", &v) < 0 &&
	   parse_size("99999999999999999999", &v) < 0 && parse_size("9999999999T", &v) < 0,
	   "not sizes");
}

static const char status[] =
	"Package: file\nStatus: install ok installed\nPriority: standard\nArchitecture: amd64\n"
	"Depends: libc6 (>= 2.34), libmagic1 (= 1:5.44-3)\n\n"
	"Package: libmagic1\nStatus: install ok installed\nPre-Depends: dpkg\n"
	"Depends: gone | libmagic-mgc (= 1),\n libbz2-1.0:any, missing\nDescription: x\n more\n\n"
	"Package: libmagic-mgc\nStatus: install ok installed\n\n"
	"Package: libbz2-1.0\nStatus: install ok installed\nEssential: yes\n\n"
	"Package: libc6\nStatus: install ok installed\nPriority: required\n\n"
	"Package: gone\nStatus: deinstall ok config-files\n";

static void collect(const struct dpkg_pkg *p, void *ctx)
{
	char *s = ctx;

	strcat(s, p->name);
	strcat(s, " ");
}

static void test_dpkg(void)
{
	struct dpkg_db db;
	const struct dpkg_pkg *p;
	char names[256] = "";

	dpkg_parse(status, sizeof(status) - 1, &db);
	is_int(db.n, 5, "installed packages only");
	p = dpkg_find(&db, "file", 4);
	ok(p && !p->required && !strcmp(p->arch, "amd64"), "file: standard, amd64");
	ok(dpkg_find(&db, "libc6", 5)->required && dpkg_find(&db, "libbz2-1.0", 10)->required,
	   "required and essential");
	p = dpkg_find(&db, "libmagic1", 9);
	dpkg_depends(&db, p->depends, collect, names);
	is_str(names, "libmagic-mgc libbz2-1.0 ",
	       "Pre-Depends and Depends: the first installed alternative, :any and lines folded");
	ok(!dpkg_find(&db, "gone", 4), "a removed package is not there");
	dpkg_free(&db);
}

int main(void)
{
	test_names();
	test_resolve();
	test_devno();
	test_size();
	test_dpkg();
	return done_testing();
}
