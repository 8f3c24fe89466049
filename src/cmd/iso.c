/* cmd/iso.c - minos iso: a bootable hybrid ISO from a kernel and an initramfs */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "format/compress.h"
#include "image/drivers.h"
#include "image/initramfs.h"
#include "image/initrd.h"
#include "media/iso.h"
#include "image/kernel.h"
#include "image/rootfs.h"
#include "media/secureboot.h"
#include "util/util.h"

#define DEFAULT_CMDLINE "console=tty0 console=ttyS0"

enum { OPT_INITRD = 2000, OPT_CMDLINE, OPT_TIMEOUT, OPT_TITLE, OPT_LABEL, OPT_ROOTFS,
       OPT_ROOTFS_COMPRESS, OPT_PERSIST, OPT_SECURE_BOOT, OPT_SIGN_KEY, OPT_SIGN_CERT };

enum sb_mode { SB_AUTO, SB_ON, SB_OFF };
static const char *const sb_modes[] = {"auto", "on", "off", NULL};

struct secure_boot {
	enum sb_mode mode;
	const char *key, *cert;		/* --sign-key, --sign-cert */
	struct sb_chain chain;
	struct buf cert_der;		/* the certificate, for the ESP */
	char *signed_kernel;		/* the kernel signed with key, a temporary file */
};

struct live {
	const char *src, *compressor;	/* --rootfs, --rootfs-compress */
	uint64_t persist;		/* --persist */
	char *sqfs;			/* the image built from src, a temporary file */
};

/* init= on the command line (the last, as the kernel takes it), else /sbin/init. */
static char *root_init(const char *cmdline)
{
	const char *init = NULL;
	size_t len = 0;

	for (const char *p = cmdline + strspn(cmdline, " \t"); *p;) {
		size_t n = strcspn(p, " \t");

		if (n > 5 && !strncmp(p, "init=", 5)) {
			init = p + 5;
			len = n - 5;
		}
		p += n;
		p += strspn(p, " \t");
	}
	return init ? strndup(init, len) : xstrdup("/sbin/init");
}

/* A temporary file OUTPUT.WHAT.XXXXXX, open on *fd; NULL after an error naming it. */
static char *temp_beside(const char *output, const char *what, int *fd)
{
	char *path = xasprintf("%s.%s.XXXXXX", output, what);

	if ((*fd = mkstemp(path)) < 0) {
		fail_errno(path, "cannot create");
		free(path);
		return NULL;
	}
	return path;
}

/* --rootfs: the squashfs image, written beside the output (it may be large). */
static int live_root(struct live *l, const char *cmdline, const char *output)
{
	char *init = root_init(cmdline);
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	struct rootfs_opts ro = {.compressor = l->compressor, .init = init,
				  .clamp = sde && *sde ? source_date_epoch() : -1,
				  .mkfs_time = (uint32_t)source_date_epoch()};
	int kind = rootfs_kind(l->src), fd, rc;

	if (kind < 0)
		rc = fail_errno(l->src, "cannot read");
	else if (kind == 's')
		rc = rootfs_check_squashfs(l->src, init);
	else {
		if (!(l->sqfs = temp_beside(output, "rootfs", &fd))) {
			rc = -1;
		} else {
			close(fd);
			rc = rootfs_write(l->src, l->sqfs, &ro);
		}
	}
	free(init);
	return rc;
}

/* The kernel signed with --sign-key, written beside the output. */
static int sign_kernel(struct secure_boot *sb, const char *kernel, const struct buf *k,
		       const char *output)
{
	struct buf out = {0};
	int fd, rc;

	if (sb_sign(kernel, k->data, k->len, sb->key, sb->cert, &out, &sb->cert_der) < 0)
		return -1;
	if (!(sb->signed_kernel = temp_beside(output, "kernel", &fd))) {
		rc = -1;
	} else {
		rc = write_all(fd, out.data, out.len);
		if (close(fd) < 0 && rc == 0)
			rc = fail_errno(sb->signed_kernel, "cannot write");
	}
	buf_free(&out);
	return rc;
}

/*
 * Whether the ISO boots through the signed chain (1) or not (0): with
 * auto, when the chain is installed and the kernel signed with a key it
 * trusts.  The kernel to put on the ISO goes to *kernel.
 */
static int secure_boot(struct secure_boot *sb, const char *path, const char *output,
		       const char **kernel)
{
	struct sb_verdict v = {0};
	struct buf k = {0};
	char *why = NULL;
	int rc = -1;

	*kernel = path;
	if (sb->mode == SB_OFF)
		return 0;
	if (sb_chain_read(&sb->chain, &why) < 0) {
		if (sb->mode == SB_ON)
			fail("--secure-boot", "on: %s", why);
		else
			warning("--secure-boot", "off: %s", why);
		free(why);
		return sb->mode == SB_ON ? -1 : 0;
	}
	if (read_file(path, &k) < 0)
		goto out;
	if (sb->key) {
		if (sign_kernel(sb, path, &k, output) < 0)
			goto out;
		*kernel = sb->signed_kernel;
		buf_free(&k);
		if (read_file(*kernel, &k) < 0)
			goto out;
	}
	if (sb_check(path, k.data, k.len, &sb->chain.shim, sb->key ? &sb->cert_der : NULL, &v) < 0)
		goto out;
	if (v.trusted) {
		rc = 1;
	} else if (sb->mode == SB_ON) {
		fail(path, "the kernel cannot boot under Secure Boot: %s%s%s; sign it with "
		     "--sign-key and --sign-cert", v.why, v.signer ? ", signer " : "",
		     v.signer ? v.signer : "");
	} else {
		warning(path, "the kernel cannot boot under Secure Boot: %s%s%s; the ISO boots "
			"without it", v.why,
			v.signer ? ", signer " : "", v.signer ? v.signer : "");
		sb_chain_free(&sb->chain);
		rc = 0;
	}
out:
	sb_verdict_free(&v);
	buf_free(&k);
	return rc;
}

static int build(struct initramfs_opts *o, const char *initrd, struct iso_spec *s,
		 const char *output, struct live *l, struct secure_boot *sb)
{
	struct buf img = {0};
	char *path = kernel_find(o->kernel), *version = NULL;
	int rc = -1, on;

	if (!path || kernel_inspect(path, &version) < 0)
		goto out;
	if ((on = secure_boot(sb, path, output, &s->kernel)) < 0)
		goto out;
	s->sb = on ? &sb->chain : NULL;
	s->enroll = on && sb->cert_der.len ? &sb->cert_der : NULL;
	if (l->src && live_root(l, s->cmdline, output) < 0)
		goto out;
	s->rootfs = l->sqfs ? l->sqfs : l->src;
	s->persist = l->persist;
	if (initrd) {
		if (initrd_check(initrd) < 0)
			goto out;
	} else {
		o->kernel = path;	/* refuse a compression it cannot decode */
		if (initramfs_build(o, sink_buf(&img), output) < 0)
			goto out;
	}
	s->initrd = initrd;
	s->initrd_data = img.data;	/* iso_write takes it */
	s->initrd_len = img.len;
	img.data = NULL;
	rc = iso_write(s, output);
out:
	buf_free(&img);
	free(version);
	free(path);
	if (l->sqfs)
		unlink(l->sqfs);
	free(l->sqfs);
	if (sb->signed_kernel)
		unlink(sb->signed_kernel);
	free(sb->signed_kernel);
	sb_chain_free(&sb->chain);
	buf_free(&sb->cert_der);
	return rc;
}

const struct option iso_options[] = {
	{"output", required_argument, NULL, 'o'},
	{"help", no_argument, NULL, 'h'},
	{"initrd", required_argument, NULL, OPT_INITRD},
	{"cmdline", required_argument, NULL, OPT_CMDLINE},
	{"timeout", required_argument, NULL, OPT_TIMEOUT},
	{"title", required_argument, NULL, OPT_TITLE},
	{"label", required_argument, NULL, OPT_LABEL},
	{"rootfs", required_argument, NULL, OPT_ROOTFS},
	{"rootfs-compress", required_argument, NULL, OPT_ROOTFS_COMPRESS},
	{"persist", required_argument, NULL, OPT_PERSIST},
	{"secure-boot", required_argument, NULL, OPT_SECURE_BOOT},
	{"sign-key", required_argument, NULL, OPT_SIGN_KEY},
	{"sign-cert", required_argument, NULL, OPT_SIGN_CERT},
	INITRAMFS_LONGOPTS,
	{0},
};

int cmd_iso(int argc, char **argv)
{
	struct iso_spec s = {.title = "minos", .cmdline = DEFAULT_CMDLINE,
			     .label = "MINOS", .timeout = 5};
	struct initramfs_opts o;
	struct live l = {0};
	struct secure_boot sb = {0};
	const char *output = NULL, *initrd = NULL;
	long v;
	int c, rc, builds = 0;

	initramfs_opts_init(&o);
	while ((c = getopt_long(argc, argv, "o:h", iso_options, NULL)) != -1) {
		switch (c) {
		case 'o': output = optarg; continue;
		case 'h': initramfs_opts_free(&o); help_command("iso", stdout); return 0;
		case OPT_INITRD: initrd = optarg; continue;
		case OPT_CMDLINE: s.cmdline = optarg; continue;
		case OPT_TITLE: s.title = optarg; continue;
		case OPT_LABEL: s.label = optarg; continue;
		case OPT_ROOTFS: l.src = optarg; continue;
		case OPT_SIGN_KEY: sb.key = optarg; continue;
		case OPT_SIGN_CERT: sb.cert = optarg; continue;
		case OPT_SECURE_BOOT:
			for (v = 0; sb_modes[v] && strcmp(optarg, sb_modes[v]); v++)
				;
			if (!sb_modes[v]) {
				fail("--secure-boot", "'%s': expected auto, on or off", optarg);
				initramfs_opts_free(&o);
				return usage_error("iso");
			}
			sb.mode = (enum sb_mode)v;
			continue;
		case OPT_ROOTFS_COMPRESS:
			if (strcmp(optarg, "zstd") && strcmp(optarg, "xz")) {
				fail("--rootfs-compress", "'%s' is not zstd or xz", optarg);
				initramfs_opts_free(&o);
				return usage_error("iso");
			}
			l.compressor = optarg;
			continue;
		case OPT_PERSIST:
			if (parse_size(optarg, &l.persist) < 0 || l.persist < (8 << 20)) {
				fail("--persist", "'%s' is not a size of 8M or more (like 64M or 2G)",
				     optarg);
				initramfs_opts_free(&o);
				return usage_error("iso");
			}
			continue;
		case OPT_TIMEOUT:
			if (parse_long(optarg, 0, 86400, &v) < 0) {
				fail("--timeout", "'%s' is not a number of seconds (0-86400)", optarg);
				initramfs_opts_free(&o);
				return usage_error("iso");
			}
			s.timeout = (int)v;
			continue;
		}
		if ((rc = initramfs_opt(&o, c, optarg)) < 0) {
			initramfs_opts_free(&o);
			return 2;	/* said what is wrong */
		}
		if (rc == 0) {
			initramfs_opts_free(&o);
			return usage_error("iso");
		}
		builds |= c != OPT_KERNEL;
	}
	if ((rc = no_more_args("iso", output, argc, argv))) {
		initramfs_opts_free(&o);
		return rc;
	}
	if ((l.persist || l.compressor) && !l.src) {
		fail(l.persist ? "--persist" : "--rootfs-compress", "is for a live system: give --rootfs");
		initramfs_opts_free(&o);
		return usage_error("iso");
	}
	if (!sb.key != !sb.cert || (sb.key && sb.mode == SB_OFF)) {
		if (sb.key && sb.cert)
			fail("--sign-key", "signs for Secure Boot: not with --secure-boot off");
		else
			fail(sb.key ? "--sign-key" : "--sign-cert", "needs %s too",
			     sb.key ? "--sign-cert" : "--sign-key");
		initramfs_opts_free(&o);
		return usage_error("iso");
	}
	if (initrd && builds) {
		fail("--initrd", "gives the initramfs: it excludes the options that build one");
		initramfs_opts_free(&o);
		return usage_error("iso");
	}
	/* an ISO is for real machines: their drivers, unless told otherwise */
	if (!initrd && initramfs_for_machines(&o) < 0) {
		initramfs_opts_free(&o);
		return 1;
	}
	if (l.src && !initrd)
		drivers_add_live(&o.drivers);
	rc = build(&o, initrd, &s, output, &l, &sb);
	initramfs_opts_free(&o);
	return rc < 0 ? 1 : 0;
}
