/*
 * initramfs.c - what goes into an initramfs by default, and the options
 * that change it.  The tree is built in memory (fstree.c) and streamed
 * through the compressor: no staging directory, no root, no cpio program.
 */
#include "image/initramfs.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/busybox.h"
#include "util/cache.h"
#include "format/elf.h"
#include "image/kernel.h"
#include "image/modules.h"
#include "image/package.h"
#include "image/rescue.h"
#include "image/fstree.h"
#include "image/initrd.h"
#include "image/spec.h"
#include "util/util.h"

#ifndef MINOS_LIBEXECDIR
#define MINOS_LIBEXECDIR "/usr/local/lib/minos"
#endif

/*
 * The skeleton.  /dev/console must be in the archive: without it the kernel
 * starts /init with no stdio.  Nodes are 0600 because PID 1 mounts devtmpfs
 * over /dev before anything else runs.
 */
static const struct {
	const char *path;
	uint32_t mode, major, minor;
} skeleton[] = {
	{"/dev", S_IFDIR | 0755, 0, 0},
	{"/dev/console", S_IFCHR | 0600, 5, 1},
	{"/dev/null", S_IFCHR | 0600, 1, 3},
	{"/etc", S_IFDIR | 0755, 0, 0},
	{"/proc", S_IFDIR | 0755, 0, 0},
	{"/root", S_IFDIR | 0700, 0, 0},
	{"/run", S_IFDIR | 0755, 0, 0},
	{"/sys", S_IFDIR | 0755, 0, 0},
	{"/tmp", S_IFDIR | 01777, 0, 0},
};

static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n";
static const char group[] = "root:x:0:\n";

void initramfs_opts_init(struct initramfs_opts *o)
{
	*o = (struct initramfs_opts){.compress = -1, .level = -1};
}

static void push_arg(const char ***v, size_t *n, const char *arg)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = arg;
}

int initramfs_for_machines(struct initramfs_opts *o)
{
	if (o->bare || o->drivers.given)
		return 0;
	if (drivers_parse(&o->drivers, "generic") < 0)
		return -1;
	o->drivers.given = 0;
	return 0;
}

static void push_package(const char *name, void *ctx)
{
	struct initramfs_opts *o = ctx;

	for (size_t i = 0; i < o->npackages; i++)
		if (!strcmp(o->packages[i], name))
			return;
	push_arg(&o->packages, &o->npackages, name);
}

/* --root-stack's layers, or --rescue's (then the generic drivers too, unless --drivers says). */
static int add_root_stack(struct initramfs_opts *o, unsigned stack)
{
	if (stack & STACK_RESCUE) {
		int given = o->drivers.given;

		if (drivers_parse(&o->drivers, "generic") < 0)
			return -1;
		o->drivers.given = given;
	}
	o->root_stack |= stack;
	drivers_add_root_stack(&o->drivers, stack);
	rescue_packages(stack, push_package, o);
	return 1;
}

static int take_opt(struct initramfs_opts *o, int opt, const char *arg)
{
	long v;
	unsigned v_stack;

	switch (opt) {
	case OPT_BUSYBOX: o->busybox = arg; return 1;
	case OPT_BUSYBOX_SRC: o->busybox_src = arg; return 1;
	case OPT_INIT: o->init = arg; return 1;
	case OPT_KERNEL:
		o->kernel = arg;
		push_arg(&o->kernels, &o->nkernels, arg);
		return 1;
	case OPT_BARE: o->bare = 1; return 1;
	case OPT_ADD: push_arg(&o->adds, &o->nadds, arg); return 1;
	case OPT_SPEC: push_arg(&o->specs, &o->nspecs, arg); return 1;
	case OPT_MODULE: push_arg(&o->modules, &o->nmodules, arg); return 1;
	case OPT_PACKAGE: push_arg(&o->packages, &o->npackages, arg); return 1;
	case OPT_MODULES_DIR: o->modules_dir = arg; return 1;
	case OPT_FIRMWARE_DIR: o->firmware_dir = arg; return 1;
	case OPT_DRIVERS: return drivers_parse(&o->drivers, arg) < 0 ? -1 : 1;
	case OPT_SYSROOT: o->sysroot = arg; return 1;
	case OPT_RESCUE: return add_root_stack(o, STACK_LUKS | STACK_LVM | STACK_MD | STACK_RESCUE);
	case OPT_ROOT_STACK: return root_stack_parse(arg, &v_stack) < 0 ? -1 :
				    add_root_stack(o, v_stack);
	case OPT_SSH_KEY:
		if (ssh_key_check(arg) < 0)
			return -1;
		o->ssh_key = arg;
		push_package("dropbear-bin", o);
		return 1;
	case OPT_ARCH:
		o->arch = arch_from_name(arg);
		if (o->arch == ARCH_NONE)
			return fail("--arch", "unknown architecture '%s' (x86_64 or arm64)", arg);
		return 1;
	case OPT_COMPRESS:
		o->compress = compression_from_name(arg);
		if (o->compress < 0)
			return fail("--compress", "unknown compression '%s' "
				    "(none, gzip, zstd, xz or lz4)", arg);
		return 1;
	case OPT_LEVEL:
		if (parse_long(arg, 0, 99, &v) < 0)
			return fail("--level", "'%s' is not a compression level", arg);
		o->level = (int)v;
		return 1;
	}
	return 0;
}

int initramfs_opt(struct initramfs_opts *o, int opt, const char *arg)
{
	int rc = take_opt(o, opt, arg);

	if (rc == 1 && opt != OPT_KERNEL && opt != OPT_ARCH)
		o->builds = 1;
	return rc;
}

int initramfs_for_media(struct initramfs_opts *o, const char *initrd, int *usage)
{
	*usage = 0;
	if (initrd && o->builds) {
		*usage = 1;
		return fail("--initrd", "gives the initramfs: it excludes the options that build one");
	}
	return initrd ? 0 : initramfs_for_machines(o);
}

int initramfs_media_image(struct initramfs_opts *o, const char *initrd, const char *kernel,
			  const char *output, struct buf *img)
{
	if (initrd)
		return initrd_check(initrd);
	o->kernel = kernel;	/* refuse a compression it cannot decode */
	return initramfs_build(o, sink_buf(img), output);
}

int initramfs_one_kernel(const struct initramfs_opts *o)
{
	if (o->nkernels > 1)
		return fail("--kernel", "given %zu times: one kernel here "
			    "(minos iso takes two, one per architecture)", o->nkernels);
	return 0;
}

void initramfs_opts_free(struct initramfs_opts *o)
{
	free(o->kernels);
	free(o->adds);
	free(o->specs);
	free(o->modules);
	free(o->packages);
	drivers_free(&o->drivers);
	initramfs_opts_init(o);
}

/* Refuses a compression the kernel's config says it cannot decode. */
static int check_kernel(const char *kernel, const char *version, enum compression comp)
{
	char *config = kernel_config_path(kernel, version);
	int rc = 0;

	if (config && comp != COMP_NONE) {
		int has = kernel_config_has(config, compression_kconfig(comp));

		if (has == 0)
			rc = fail(kernel, "this kernel cannot decode a %s initramfs "
				  "(%s is not set in %s)", compression_name(comp),
				  compression_kconfig(comp), config);
		else if (has < 0)
			rc = -1;
	}
	free(config);
	return rc;
}

/*
 * The module tree of a kernel: --modules-dir; for TREE/arch/x86/boot/bzImage
 * with TREE/modules.order, the build tree itself (no modules_install); for
 * PREFIX/boot/vmlinuz-V (a kernel package unpacked, or make install and
 * modules_install into one prefix), PREFIX/lib/modules/V; else
 * /lib/modules/V.
 */
static char *modules_dir(const struct initramfs_opts *o, const char *kernel,
			 const char *release)
{
	const char *slash = kernel ? strrchr(kernel, '/') : NULL;
	char *tree;

	if (o->modules_dir)
		return xstrdup(o->modules_dir);
	if (kernel && (tree = kernel_tree_of(kernel))) {
		char *order = xasprintf("%s/modules.order", tree);
		int found = access(order, F_OK) == 0;

		free(order);
		if (found && !*tree) {	/* the tree is / */
			free(tree);
			tree = xstrdup("/");
		}
		if (found)
			return tree;
		free(tree);
	}
	if (slash && slash - kernel >= 5 && !strncmp(slash - 5, "/boot", 5)) {
		char *dir = xasprintf("%.*s/lib/modules/%s", (int)(slash - 5 - kernel), kernel,
				      release);
		struct stat st;

		if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
			return dir;
		free(dir);
	}
	return xasprintf("/lib/modules/%s", release);
}

/* --module and --drivers: the modules of the kernel's release, from its tree. */
static int add_modules(struct fstree *fs, const struct initramfs_opts *o,
		       const char *kernel, const char *release, enum arch arch)
{
	struct drivers arch_drivers = o->drivers;	/* a copy: the sets for this arch */
	const struct drivers *d = &arch_drivers;
	char *dir = modules_dir(o, kernel, release), **aliases = NULL;
	size_t naliases = 0;
	struct module_opts mo = {
		.dir = dir, .release = release, .firmware_dir = o->firmware_dir,
		.names = o->modules, .n = o->nmodules, .drivers = d->names, .ndrivers = d->nnames,
		.machine = arch_elf_machine(arch)};
	struct module_rule *rules;
	int rc;

	/* drivers nobody asked for (iso's default, run's NIC) need a tree only if there is one */
	if (!o->nmodules && !d->given && access(dir, F_OK) < 0) {
		warning(dir, "no module tree: the image gets no drivers");
		free(dir);
		return 0;
	}
	drivers_for_arch(&arch_drivers, arch);
	rules = drivers_rules(d, &mo.nrules);
	rc = d->host ? drivers_host_aliases(NULL, &aliases, &naliases) : 0;
	mo.rules = rules;
	mo.aliases = (const char **)aliases;
	mo.naliases = naliases;
	if (rc == 0)
		rc = modules_add(fs, &mo);
	for (size_t i = 0; i < naliases; i++)
		free(aliases[i]);
	free(aliases);
	free(rules);
	free(dir);
	return rc;
}

/* --sysroot: a directory (a debootstrapped tree), as an absolute path without links. */
static int check_sysroot(const struct initramfs_opts *o, char **sysroot)
{
	struct stat st;

	*sysroot = NULL;
	if (!o->sysroot)
		return 0;
	if (stat(o->sysroot, &st) < 0 || !(*sysroot = realpath(o->sysroot, NULL)))
		return fail_errno(o->sysroot, "cannot use as --sysroot");
	if (!S_ISDIR(st.st_mode))
		return fail(o->sysroot, "cannot use as --sysroot: not a directory");
	if (!strcmp(*sysroot, "/")) {	/* the host's own: the same as none */
		free(*sysroot);
		*sysroot = NULL;
	}
	return 0;
}

static int add_skeleton(struct fstree *fs)
{
	for (size_t i = 0; i < ARRAY_SIZE(skeleton); i++) {
		int rc = S_ISDIR(skeleton[i].mode)
			? fstree_dir(fs, skeleton[i].path, skeleton[i].mode, 0, 0)
			: fstree_node(fs, skeleton[i].path, skeleton[i].mode, 0, 0,
				      skeleton[i].major, skeleton[i].minor);
		if (rc < 0)
			return -1;
	}
	if (fstree_data(fs, "/etc/passwd", passwd, sizeof(passwd) - 1, 0644) < 0 ||
	    fstree_data(fs, "/etc/group", group, sizeof(group) - 1, 0644) < 0)
		return -1;
	return 0;
}

/* An executable for the image's machine; a dynamic one brings its libraries. */
static int add_program(struct fstree *fs, enum arch arch, const char *src, const char *dest,
		       const char *what)
{
	struct elf_info e;
	int rc = 0;

	if (elf_read(src, &e) < 0)
		return -1;
	if (!e.is_elf || !e.executable || arch_of_elf_machine(e.machine) == ARCH_NONE)
		rc = fail(src, "%s is not an %s ELF executable", what, arch_elf_name(arch));
	else if (arch_of_elf_machine(e.machine) != arch)
		rc = fail(src, "%s is an %s ELF executable, but the image is for %s", what,
			  arch_elf_name(arch_of_elf_machine(e.machine)), arch_name(arch));
	else if (fstree_file(fs, dest, src, 0755, 0, 0, 0) < 0)
		rc = -1;
	else if (e.interp)
		rc = fstree_add_elf_deps(fs, src);
	elf_free(&e);
	return rc;
}

/*
 * What BusyBox's udhcpc runs when a lease comes, goes or changes: minos-init
 * starts udhcpc with it for minos.net=dhcp, and it is where udhcpc looks by
 * default, so a udhcpc started by hand works the same.
 */
static const char udhcpc_script[] =
	"#!/bin/sh\n"
	"# written by minos: udhcpc's lease into the address, the default route and\n"
	"# /etc/resolv.conf; one line in the kernel log (dmesg) per lease\n"
	"case \"$1\" in\n"
	"deconfig)\n"
	"\tip -4 addr flush dev \"$interface\"\n"
	"\tip link set dev \"$interface\" up\n"
	"\t;;\n"
	"bound|renew)\n"
	"\tip -4 addr show dev \"$interface\" | grep -q \" $ip/${mask:-24} \" ||\n"
	"\t\t{ ip -4 addr flush dev \"$interface\"\n"
	"\t\t  ip addr add \"$ip/${mask:-24}\" ${broadcast:+broadcast \"$broadcast\"} dev \"$interface\"; }\n"
	"\tif [ -n \"$router\" ]; then\n"
	"\t\twhile ip route del default dev \"$interface\" 2>/dev/null; do :; done\n"
	"\t\tset -- $router\n"
	"\t\tip route add default via \"$1\" dev \"$interface\"\n"
	"\tfi\n"
	"\t{\n"
	"\t\t[ -n \"$domain\" ] && echo \"search $domain\"\n"
	"\t\tfor d in $dns; do echo \"nameserver $d\"; done\n"
	"\t} > /etc/resolv.conf.$$ && mv /etc/resolv.conf.$$ /etc/resolv.conf\n"
	"\techo \"<6>minos: $interface: $ip/${mask:-24}${router:+ via $router} (dhcp)\" > /dev/kmsg\n"
	"\t;;\n"
	"esac\n"
	"exit 0\n";

static int add_busybox(struct fstree *fs, const struct initramfs_opts *o, enum arch arch)
{
	char *bb = o->busybox_src ? busybox_build(o->busybox_src)
				  : busybox_find_for(o->busybox, arch);
	char **applets;
	int rc;

	if (!bb)
		return -1;
	rc = add_program(fs, arch, bb, "/bin/busybox", "BusyBox");
	applets = rc ? NULL : busybox_applets(bb, arch);
	if (!rc && !applets)
		rc = -1;
	for (char **a = applets; a && *a; a++) {
		if (!rc && strcmp(*a, "bin/busybox"))
			rc = fstree_symlink(fs, *a, "/bin/busybox", 0777, 0, 0);
		free(*a);
	}
	free(applets);
	free(bb);
	if (!rc)
		rc = fstree_data(fs, "/usr/share/udhcpc/default.script", udhcpc_script,
				 sizeof(udhcpc_script) - 1, 0755);
	return rc;
}

/*
 * minos-init (minos-init-arm64 for arm64): beside the minos binary (a build
 * tree), else in ../lib/minos from it (an install, wherever it was moved),
 * else where make install put it.
 */
static char *find_minos_init(enum arch arch)
{
	const char *name = arch == ARCH_ARM64 ? "minos-init-arm64" : "minos-init";
	char *dir = self_dir();
	char *p = xasprintf("%s/%s", dir, name);

	if (access(p, R_OK) < 0) {
		free(p);
		p = xasprintf("%s/../lib/minos/%s", dir, name);
	}
	free(dir);
	if (access(p, R_OK) == 0)
		return p;
	free(p);
	p = xasprintf("%s/%s", MINOS_LIBEXECDIR, name);
	if (access(p, R_OK) == 0)
		return p;
	if (arch == ARCH_ARM64)
		fail(p, "minos-init for arm64 is not installed (make builds it with "
		     "gcc-aarch64-linux-gnu); give --init PATH");
	else
		fail(p, "minos-init is not installed; give --init PATH");
	free(p);
	return NULL;
}

static int add_init(struct fstree *fs, const struct initramfs_opts *o, enum arch arch)
{
	char *init = o->init ? xstrdup(o->init) : find_minos_init(arch), *real = NULL;
	struct elf_info e = {0};
	struct stat st;
	int rc;

	if (!init)
		return -1;
	/* /init is the file itself: a link to it (an installed minos-init) is followed. */
	if (stat(init, &st) < 0 || !(real = realpath(init, NULL)))
		rc = fail_errno(init, "cannot use as /init");
	else if (!S_ISREG(st.st_mode))
		rc = fail(init, "cannot use as /init: not a regular file");
	else if (elf_read(real, &e) < 0)
		rc = -1;
	else if (e.is_elf && arch_of_elf_machine(e.machine) != arch)
		rc = fail(init, "cannot use as /init: not an %s ELF, and the image is for %s",
			  arch_elf_name(arch), arch_name(arch));
	else
		rc = fstree_add_host(fs, real, "/init");
	elf_free(&e);
	free(real);
	free(init);
	return rc;
}

/* SRC[:DEST]: DEST defaults to SRC if absolute, else /basename(SRC). */
static int add_extra(struct fstree *fs, const char *arg)
{
	const char *colon = strrchr(arg, ':');
	char *src, *dest;
	int rc;

	if (colon && colon[1] == '/') {
		src = xasprintf("%.*s", (int)(colon - arg), arg);
		dest = xstrdup(colon + 1);
	} else {
		const char *base;

		src = xstrdup(arg);
		for (size_t n = strlen(src); n > 1 && src[n - 1] == '/'; n--)
			src[n - 1] = '\0';
		base = strrchr(src, '/');
		dest = src[0] == '/' ? xstrdup(src) : xstrdup(base ? base + 1 : src);
	}
	rc = fstree_add_host(fs, src, dest);
	free(src);
	free(dest);
	return rc;
}

/*
 * The image's architecture: --arch, the kernel's (which --arch must then
 * match), else the host's.
 */
static int image_arch(const struct initramfs_opts *o, const char *kernel, enum arch *arch)
{
	struct kernel_info ki;

	*arch = o->arch ? o->arch : arch_host();
	if (!kernel)
		return 0;
	if (kernel_examine(kernel, &ki) < 0)
		return -1;
	kernel_info_free(&ki);
	if (o->arch && o->arch != ki.arch)
		return fail(kernel, "an %s kernel, but --arch says %s", arch_name(ki.arch),
			    arch_name(o->arch));
	*arch = ki.arch;
	return 0;
}

/* The tree the options describe, finished (sorted, checked). */
static int build_tree(struct fstree *fs, const struct initramfs_opts *o, enum compression comp)
{
	char *kernel = NULL, *release = NULL, *sysroot = NULL;
	int rc = -1;
	enum arch arch;

	int modules = o->nmodules || drivers_any(&o->drivers);

	if ((o->modules_dir || o->firmware_dir) && !modules) {
		fail(o->modules_dir ? "--modules-dir" : "--firmware-dir",
		     "is only used with --module or --drivers");
		goto out;
	}
	if (o->kernel || modules) {
		/* --module without --kernel: the kernel minos would boot */
		kernel = kernel_find(o->kernel);
		if (!kernel || kernel_inspect(kernel, &release) < 0 ||
		    check_kernel(kernel, release, comp) < 0)
			goto out;
	}
	if (image_arch(o, kernel, &arch) < 0 || check_sysroot(o, &sysroot) < 0)
		goto out;
	fs->arch = arch;
	fs->sysroot = sysroot;
	if ((!o->bare && add_skeleton(fs) < 0) ||
	    ((!o->bare || o->busybox || o->busybox_src) && add_busybox(fs, o, arch) < 0) ||
	    ((!o->bare || o->init) && add_init(fs, o, arch) < 0))
		goto out;
	for (size_t i = 0; i < o->nadds; i++)
		if (add_extra(fs, o->adds[i]) < 0)
			goto out;
	if (package_add_all(fs, (char *const *)o->packages, o->npackages) < 0 ||
	    rescue_files(fs, o->packages, o->npackages, o->ssh_key, o->root_stack) < 0)
		goto out;
	if (modules && add_modules(fs, o, kernel, release, arch) < 0)
		goto out;
	for (size_t i = 0; i < o->nspecs; i++)
		if (spec_read(fs, o->specs[i]) < 0)
			goto out;
	rc = fstree_finish(fs);
out:
	fs->sysroot = NULL;
	free(sysroot);
	free(kernel);
	free(release);
	return rc;
}

/* The compression and level the options ask for, checked. */
static int settle(const struct initramfs_opts *o, enum compression *comp, int *level)
{
	int min, max;

	*comp = o->compress < 0 ? COMP_ZSTD : o->compress;
	compression_levels(*comp, &min, &max, level);
	if (o->level >= 0 && *comp == COMP_NONE)
		return fail("--level", "an uncompressed archive takes no level");
	if (o->level >= 0 && (o->level < min || o->level > max))
		return fail("--level", "%s takes a level from %d to %d", compression_name(*comp),
			    min, max);
	if (o->level >= 0)
		*level = o->level;
	return 0;
}

int initramfs_build(const struct initramfs_opts *o, struct sink *out,
		    const char *what)
{
	enum compression comp;
	struct fstree fs = {0};
	struct sink *s = NULL;
	int level, rc = -1;

	if (settle(o, &comp, &level) < 0 || build_tree(&fs, o, comp) < 0 ||
	    !(s = sink_compress(comp, level, out, what)))
		goto out;
	rc = fstree_write(&fs, s, (uint32_t)source_date_epoch());
out:
	/* finishing the compressor finishes out too; without one, out is finished here */
	if (sink_finish(s ? s : out) < 0)
		rc = -1;
	fstree_free(&fs);
	return rc;
}

/* Whether the cached archive on fd unpacks to exactly raw. */
static int holds(int fd, enum compression comp, const struct buf *raw)
{
	struct unpack_limits lim = {raw->len, 256ULL << 20, NULL, UINT64_MAX - 1};
	struct buf packed = {0}, out = {0};
	struct stat st;
	enum compression kind;
	size_t used = 0;
	int same = 0;

	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uint64_t)st.st_size <= raw->len + (raw->len >> 3) + (1 << 16)) {
		buf_reserve(&packed, (size_t)st.st_size);
		packed.len = (size_t)pread(fd, packed.data, (size_t)st.st_size, 0);
	}
	if (packed.len != (size_t)st.st_size || !packed.len)
		;
	else if (comp == COMP_NONE)
		same = packed.len == raw->len && !memcmp(packed.data, raw->data, raw->len);
	else if (decompress_stream(packed.data, packed.len, 0, "cached initramfs", &lim, &out,
				   &used, &kind) == 1)
		same = kind == comp && used == packed.len && out.len == raw->len &&
		       !memcmp(out.data, raw->data, raw->len);
	buf_free(&packed);
	buf_free(&out);
	return same;
}

/* Compresses raw into the entry (or into memory without a cache): its fd. */
static int pack(const char *entry, enum compression comp, int level, const struct buf *raw)
{
	struct cache_writer w;
	struct sink *out, *s;
	int rc;

	if (cache_create(&w, entry, "initramfs") < 0)
		return -1;
	out = sink_fd(w.fd, entry ? entry : "initramfs");
	s = sink_compress(comp, level, out, "initramfs");
	rc = s ? sink_write(s, raw->data, raw->len) : -1;
	/* finishing the compressor finishes out too */
	if (sink_finish(s ? s : out) < 0)
		rc = -1;
	if (rc < 0) {
		cache_abort(&w);
		return -1;
	}
	return cache_commit(&w);
}

int initramfs_cached(const struct initramfs_opts *o, int *fd, int *hit)
{
	enum compression comp;
	struct fstree fs = {0};
	struct buf raw = {0};
	struct digest d;
	struct sink *s;
	char key[65], head[64], *entry = NULL;
	int level, rc = -1;

	*fd = -1;
	*hit = 0;
	if (settle(o, &comp, &level) < 0 || build_tree(&fs, o, comp) < 0)
		goto out;
	s = sink_buf(&raw);
	rc = fstree_write(&fs, s, (uint32_t)source_date_epoch());
	if (sink_finish(s) < 0 || rc < 0) {
		rc = -1;
		goto out;
	}
	snprintf(head, sizeof(head), "minos initramfs 1 %s %d\n", compression_name(comp), level);
	digest_init(&d);
	digest_add(&d, head, strlen(head));
	digest_add(&d, raw.data, raw.len);
	digest_hex(&d, key);
	entry = cache_entry("initrd", key, ".img");
	if (entry && (*fd = open(entry, O_RDONLY | O_CLOEXEC)) >= 0) {
		if (holds(*fd, comp, &raw)) {
			cache_used(*fd);
			*hit = 1;
			rc = 0;
			goto out;
		}
		warning(entry, "damaged cache entry: building the initramfs again");
		close(*fd);
		unlink(entry);
	}
	*fd = pack(entry, comp, level, &raw);
	rc = *fd < 0 ? -1 : 0;
out:
	free(entry);
	buf_free(&raw);
	fstree_free(&fs);
	return rc;
}
