/*
 * netboot.c - minos netboot's directory: what dnsmasq's TFTP, nginx or any
 * web server serves as it is, to PXE, UEFI and iPXE clients.
 *
 * Plain PXE firmware (BIOS or UEFI) gets a GRUB network core made as the
 * ISO's are, with the few modules its grub.cfg needs, which fetches the
 * kernel and initrd by TFTP from the server it came from.  iPXE (QEMU's
 * NIC ROMs, many real NICs, a chainloaded iPXE) gets boot.ipxe, a script
 * that fetches them over HTTP when --http gives a base URL, else by TFTP
 * beside the script.  GRUB rather than Debian's iPXE binaries: the same
 * loader as the ISO, Secure Boot's path later, and no chainload loop to
 * guard against at all for the PXE clients.
 *
 * The directory is built beside the output and renamed into place; an
 * existing output is replaced only if minos wrote it (its marker) or it
 * is empty.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/kernel.h"
#include "media/netboot.h"
#include "util/util.h"

#define MARKER_VERSION "minos netboot 1"
#define MARKER_MAX 8192

char *netboot_http_base(const char *url)
{
	const char *host = url + 7;
	size_t hn = strcspn(host, "/");

	if (strncmp(url, "http://", 7) || !hn || host[0] == ':' ||
	    strpbrk(url, " \t\r\n\"'\\$#") || strlen(url) > 400) {
		fail("--http", "'%s': not an http:// URL (http://HOST[:PORT][/PATH])", url);
		return NULL;
	}
	return xasprintf("%s%s", url, url[strlen(url) - 1] == '/' ? "" : "/");
}

static int dir_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int empty = 1;

	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			empty = 0;
	if (d)
		closedir(d);
	return d ? empty : -1;
}

int netboot_check_output(const char *output)
{
	struct netboot_info ni;
	struct stat st;
	int rc;

	if (lstat(output, &st) < 0)
		return errno == ENOENT ? 0 : fail_errno(output, "cannot use as the output");
	if (S_ISLNK(st.st_mode))	/* it would be swapped away, not its directory */
		return fail(output, "is a symbolic link: give the directory it points to");
	if (!S_ISDIR(st.st_mode))
		return fail(output, "exists and is not a directory: not replaced");
	if ((rc = netboot_read(output, &ni)) < 0)
		return -1;
	if (rc == 0 && dir_empty(output) != 1)
		return fail(output, "exists and is not a minos netboot directory (no " NB_MARKER
			    "): not replaced; give a new or empty directory");
	return 0;
}

static int put(const char *dir, const char *name, const void *p, size_t n)
{
	char *path = xasprintf("%s/%s", dir, name);
	int rc = write_new_file(path, p, n, 0644);

	free(path);
	return rc;
}

static int put_str(const char *dir, const char *name, const char *s)
{
	return put(dir, name, s, strlen(s));
}

static int put_file(const char *dir, const char *name, const char *from)
{
	char *path = xasprintf("%s/%s", dir, name);
	int rc = copy_new_file(from, path, 0644);

	free(path);
	return rc;
}

static int put_core(const char *dir, const char *name, enum grub_platform p)
{
	struct buf b = {0};
	int rc = grub_core(p, &b) < 0 ? -1 : put(dir, name, b.data, b.len);

	buf_free(&b);
	return rc;
}

/* A system's directory in the tree: "" alone, "x86_64/" or "arm64/" beside another. */
static const char *sys_dir(const struct netboot_spec *s, size_t i)
{
	if (s->nsys == 1)
		return "";
	return s->sys[i].arch == ARCH_ARM64 ? "arm64/" : "x86_64/";
}

static int has_arch(const struct netboot_spec *s, enum arch a)
{
	for (size_t i = 0; i < s->nsys; i++)
		if (s->sys[i].arch == a)
			return 1;
	return 0;
}

/* One system's lines of boot.ipxe. */
static char *ipxe_boot(const struct netboot_spec *s, size_t i)
{
	const char *base = s->http ? s->http : "", *dir = sys_dir(s, i);
	const char *cmdline = s->sys[i].cmdline;

	/* Under UEFI the kernel's EFI stub finds the initrd by initrd=NAME,
	 * NAME being the image iPXE registered: its file name. */
	return xasprintf("kernel %s%s" NB_KERNEL " initrd=" NB_INITRD "%s%s\n"
			 "initrd %s%s" NB_INITRD "\n"
			 "boot\n", base, dir, *cmdline ? " " : "", cmdline, base, dir);
}

static char *ipxe_script(const struct netboot_spec *s)
{
	char *one = ipxe_boot(s, 0), *two = s->nsys > 1 ? ipxe_boot(s, 1) : NULL, *text;
	int arm_first = s->sys[0].arch == ARCH_ARM64;

	/* beside another, each system under its iPXE's ${buildarch} (arm64; i386 or x86_64) */
	text = xasprintf("#!ipxe\n"
			 "# boot.ipxe written by minos netboot: %s\n"
			 "echo %s: the kernel and initrd from %s\n"
			 "%s%s%s%s",
			 s->title, s->title, s->http ? s->http : "the server of this script",
			 two ? "iseq ${buildarch} arm64 || goto other\n" : "",
			 two ? (arm_first ? one : two) : one, two ? ":other\n" : "",
			 two ? (arm_first ? two : one) : "");
	free(one);
	free(two);
	return text;
}

static char *dnsmasq_conf(const struct netboot_spec *s, const char *where)
{
	int x86 = has_arch(s, ARCH_X86_64), arm = has_arch(s, ARCH_ARM64);

	return xasprintf(
		"# dnsmasq.conf written by minos netboot: proxy DHCP beside the network's\n"
		"# own DHCP server (which goes on handing out the addresses) and TFTP from\n"
		"# this directory.  Give it the network it serves, as root:\n"
		"#   dnsmasq --conf-file=%s/" NB_DNSMASQ " --dhcp-range=192.168.1.0,proxy\n"
		"# PXE firmware gets GRUB's loader for its platform; iPXE (which says so in\n"
		"# its DHCP user class) gets " NB_IPXE ", never a loader again: no chainload loop.\n"
		"port=0\n"
		"log-dhcp\n"
		"enable-tftp\n"
		"tftp-root=%s\n"
		"dhcp-userclass=set:ipxe,iPXE\n"
		"pxe-prompt=\"minos\",0\n"
		"%s%s",
		where, where,
		x86 ? "pxe-service=tag:!ipxe,x86PC,\"minos (BIOS)\"," NB_BIOS "\n"
		      "pxe-service=tag:!ipxe,x86-64_EFI,\"minos (UEFI)\"," NB_EFI "\n"
		      "pxe-service=tag:ipxe,x86PC,\"minos (iPXE)\"," NB_IPXE "\n"
		      "pxe-service=tag:ipxe,x86-64_EFI,\"minos (iPXE)\"," NB_IPXE "\n" : "",
		/* arm64 UEFI: client architecture 11 */
		arm ? "pxe-service=tag:!ipxe,ARM64_EFI,\"minos (arm64 UEFI)\"," NB_EFI_ARM64 "\n"
		      "pxe-service=tag:ipxe,ARM64_EFI,\"minos (iPXE)\"," NB_IPXE "\n" : "");
}

static char *readme(const struct netboot_spec *s, const char *where)
{
	return xasprintf(
		"This directory was written by minos netboot: %s\n"
		"\n"
		"  %s" NB_KERNEL ", %s" NB_INITRD "   the system%s\n"
		"%s%s"
		"  " NB_GRUBCFG "      their menu: kernel and initrd by TFTP\n"
		"  " NB_IPXE "          for iPXE clients: kernel and initrd %s%s\n"
		"  " NB_DNSMASQ "       proxy DHCP and TFTP beside an existing DHCP server\n"
		"\n"
		"TFTP and DHCP: dnsmasq, as root, with the network it serves:\n"
		"  dnsmasq --conf-file=%s/" NB_DNSMASQ " --dhcp-range=192.168.1.0,proxy\n"
		"(the configuration names this directory as its tftp-root: moved, edit it).\n"
		"\n"
		"HTTP: any web server serving this directory at the URL given to --http.\n"
		"With nginx, a server block:\n"
		"  server {\n"
		"      listen 8080;\n"
		"      root %s;\n"
		"      sendfile on;\n"
		"  }\n"
		"\n"
		"Try it first in QEMU: minos run --netboot %s (%s).\n",
		s->title, s->nsys > 1 ? "ARCH/" : "", s->nsys > 1 ? "ARCH/" : "",
		s->nsys > 1 ? " for each ARCH (x86_64, arm64)" : "",
		has_arch(s, ARCH_X86_64) ? "  " NB_BIOS "        GRUB for BIOS PXE clients\n"
					   "  " NB_EFI "   GRUB for UEFI network boot\n" : "",
		has_arch(s, ARCH_ARM64) ? "  " NB_EFI_ARM64 "  GRUB for arm64 UEFI network boot\n" : "",
		s->http ? "over HTTP from " : "by TFTP from its own server",
		s->http ? s->http : "", where, where, where,
		!has_arch(s, ARCH_ARM64) ? "--uefi; --pxe for the GRUB path" :
		has_arch(s, ARCH_X86_64) ? "--uefi; --pxe for the GRUB path; --arch arm64 for arm64's" :
		"under AAVMF, through its PXE and GRUB");
}

static char *marker(const struct netboot_spec *s, const char *version)
{
	int plain = s->nsys == 1 && s->sys[0].arch == ARCH_X86_64;

	/* "arch" only where it is news: a lone x86 directory's marker is as it was */
	return xasprintf(MARKER_VERSION "\nkernel %s\ncmdline %s\nhttp %s\n%s%s%s%s%s",
			 version ? version : "", s->sys[0].cmdline, s->http ? s->http : "",
			 plain ? "" : "arch ", plain ? "" : arch_name(s->sys[0].arch),
			 s->nsys > 1 ? " " : "", s->nsys > 1 ? arch_name(s->sys[1].arch) : "",
			 plain ? "" : "\n");
}

/* The absolute path output will have, for the files that name it. */
static char *absolute(const char *output)
{
	char *dir = xstrdup(output), *slash = strrchr(dir, '/'), *base, *real, *abs;

	while (slash && slash > dir && !slash[1]) {	/* "DIR/" */
		*slash = '\0';
		slash = strrchr(dir, '/');
	}
	base = slash ? slash + 1 : dir;
	if (slash == dir)
		real = xstrdup("");
	else {
		if (slash)
			*slash = '\0';
		real = realpath(slash ? dir : ".", NULL);
	}
	abs = real ? xasprintf("%s/%s", real, base) : NULL;
	if (!real)
		fail_errno(output, "cannot resolve its directory");
	free(real);
	free(dir);
	return abs;
}

/* Each system's kernel and initrd (in ARCH/ beside another), and the loaders for their firmware. */
static int put_systems(const struct netboot_spec *s, const char *tmp)
{
	int rc = 0;

	for (size_t i = 0; i < s->nsys && rc == 0; i++) {
		const struct netboot_system *y = &s->sys[i];
		char *dir = xasprintf("%s/%s", tmp, sys_dir(s, i));
		char *k = xasprintf("%s" NB_KERNEL, sys_dir(s, i));
		char *r = xasprintf("%s" NB_INITRD, sys_dir(s, i));

		if (s->nsys > 1 && mkdir(dir, 0755) < 0)
			rc = fail_errno(dir, "cannot create");
		else if (y->kernel_data.len)
			rc = put(tmp, k, y->kernel_data.data, y->kernel_data.len);
		else
			rc = put_file(tmp, k, y->kernel);
		if (rc == 0)
			rc = y->initrd ? put_file(tmp, r, y->initrd)
				       : put(tmp, r, y->initrd_data, y->initrd_len);
		free(dir);
		free(k);
		free(r);
	}
	if (rc == 0 && has_arch(s, ARCH_X86_64))
		rc = put_core(tmp, NB_BIOS, GRUB_NET_BIOS) < 0 ||
		     put_core(tmp, NB_EFI, GRUB_NET_EFI) < 0 ? -1 : 0;
	if (rc == 0 && has_arch(s, ARCH_ARM64))
		rc = put_core(tmp, NB_EFI_ARM64, GRUB_NET_EFI_ARM64);
	return rc;
}

/* grub.cfg: each architecture's GRUB boots its own system. */
static char *netboot_grub_cfg(const struct netboot_spec *s)
{
	struct grub_entry e[NB_SYSTEMS];
	char dirs[NB_SYSTEMS][16];

	for (size_t i = 0; i < s->nsys; i++) {
		/* "x86_64/" as "/x86_64"; "" stays "" (GRUB's root is the server) */
		snprintf(dirs[i], sizeof(dirs[i]), "%s%.*s", *sys_dir(s, i) ? "/" : "",
			 (int)strcspn(sys_dir(s, i), "/"), sys_dir(s, i));
		e[i] = (struct grub_entry){s->sys[i].arch, s->sys[i].cmdline, dirs[i]};
	}
	return grub_config(s->title, s->timeout, NULL, e, s->nsys);
}

int netboot_write(const struct netboot_spec *s, const char *output)
{
	char *where = absolute(output), *tmp = NULL, *version = NULL;
	char *grub = NULL, *cfg = NULL;
	int rc = -1;

	/* grub_config refuses a title or command line of more than one line,
	 * which would also break the script and the marker */
	if (!where || s->nsys < 1 || s->nsys > NB_SYSTEMS ||
	    kernel_inspect(s->sys[0].kernel, &version) < 0 || !(cfg = netboot_grub_cfg(s)))
		goto out;
	tmp = xasprintf("%s.new-XXXXXX", where);
	if (!mkdtemp(tmp)) {
		rc = fail_errno(tmp, "cannot create");
		free(tmp);
		tmp = NULL;
		goto out;
	}
	grub = xasprintf("%s/grub", tmp);
	if (chmod(tmp, 0755) < 0 || mkdir(grub, 0755) < 0) {
		fail_errno(tmp, "cannot create");
		goto out;
	}
	if (put_systems(s, tmp) < 0 || put_str(tmp, NB_GRUBCFG, cfg) < 0)
		goto out;
	{
		const char *names[] = {NB_IPXE, NB_DNSMASQ, NB_README, NB_MARKER};
		char *texts[] = {ipxe_script(s), dnsmasq_conf(s, where), readme(s, where),
				 marker(s, version)};
		int bad = 0;

		for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
			bad = bad || put_str(tmp, names[i], texts[i]) < 0;
			free(texts[i]);
		}
		if (bad)
			goto out;
	}
	/* Into place: swapped with an older one, which then goes. */
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, where, RENAME_EXCHANGE) == 0) {
		if (remove_tree(tmp) < 0)
			warning(output, "the older directory's remains are left in %s", tmp);
	} else if (errno != ENOENT || rename(tmp, where) < 0) {
		fail_errno(output, "cannot put the new directory in place");
		goto out;
	}
	free(tmp);
	tmp = NULL;
	rc = 0;
out:
	if (tmp)
		remove_tree(tmp);
	free(tmp);
	free(grub);
	free(cfg);
	free(version);
	free(where);
	return rc;
}

/* Copies one "KEY VALUE" line's value, bounded; -1 if it does not fit. */
static int value(char *out, size_t n, const char *v, size_t len)
{
	if (len >= n)
		return -1;
	memcpy(out, v, len);
	out[len] = '\0';
	return 0;
}

int netboot_parse(const char *text, size_t n, struct netboot_info *ni, char *why, size_t whylen)
{
	const struct {
		const char *key;
		char *field;
		size_t size;
	} keys[] = {{"kernel", ni->kernel, sizeof(ni->kernel)},
		    {"cmdline", ni->cmdline, sizeof(ni->cmdline)},
		    {"http", ni->http, sizeof(ni->http)},
		    {"arch", ni->arch, sizeof(ni->arch)}};
	size_t vl = strlen(MARKER_VERSION), line = 1;

	memset(ni, 0, sizeof(*ni));
	if (n < vl + 1 || memcmp(text, MARKER_VERSION, vl) || text[vl] != '\n') {
		snprintf(why, whylen, "not a marker of minos netboot 1");
		return -1;
	}
	for (size_t i = vl + 1; i < n; line++) {
		const char *l = text + i, *end = memchr(l, '\n', n - i), *sp;
		size_t len = end ? (size_t)(end - l) : n - i, klen;

		i += len + 1;
		if (!len)
			continue;
		for (size_t j = 0; j < len; j++)
			if ((unsigned char)l[j] < 0x20 || l[j] == 0x7f) {
				snprintf(why, whylen, "line %zu: a control byte", line + 1);
				return -1;
			}
		sp = memchr(l, ' ', len);
		if (!sp) {
			snprintf(why, whylen, "line %zu: not KEY VALUE", line + 1);
			return -1;
		}
		/* the key is what comes before the first space: the line is not NUL-ended */
		klen = (size_t)(sp - l);
		for (size_t k = 0; k < ARRAY_SIZE(keys); k++)
			if (klen == strlen(keys[k].key) && !memcmp(l, keys[k].key, klen) &&
			    value(keys[k].field, keys[k].size, sp + 1, len - klen - 1) < 0) {
				snprintf(why, whylen, "line %zu: too long", line + 1);
				return -1;
			}
	}
	return 0;
}

int netboot_read(const char *dir, struct netboot_info *ni)
{
	char *path = xasprintf("%s/" NB_MARKER, dir), why[120];
	struct buf b = {0};
	int rc = 1;

	memset(ni, 0, sizeof(*ni));
	if (access(path, F_OK) < 0 && errno == ENOENT)
		rc = 0;
	else if (read_file_max(path, &b, MARKER_MAX, NULL) < 0)
		rc = -1;
	else if (netboot_parse((const char *)b.data, b.len, ni, why, sizeof(why)) < 0)
		rc = fail(path, "%s", why);
	buf_free(&b);
	free(path);
	return rc;
}

/* One file of the directory: its size and what it is for; 0 if there. */
static int show(FILE *out, const char *dir, const char *name, const char *what)
{
	char *path = xasprintf("%s/%s", dir, name);
	struct stat st;
	int there = stat(path, &st) == 0 && S_ISREG(st.st_mode);

	if (there)
		fprintf(out, "%-18s %10lld  %s\n", name, (long long)st.st_size, what);
	else
		fprintf(out, "%-18s %10s  missing: %s\n", name, "-", what);
	free(path);
	return there ? 0 : -1;
}

/* The systems' files: at the top, or in ARCH/ for each of the marker's architectures. */
static int show_systems(FILE *out, const char *dir, const struct netboot_info *ni, int *arm)
{
	char arches[sizeof(ni->arch)], *save = NULL;
	int missing = 0, n = 0;

	snprintf(arches, sizeof(arches), "%s", ni->arch[0] ? ni->arch : "x86_64");
	*arm = !!strstr(arches, "arm64");
	n = strchr(arches, ' ') ? 2 : 1;
	for (char *a = strtok_r(arches, " ", &save); a; a = strtok_r(NULL, " ", &save)) {
		char *k = n > 1 ? xasprintf("%s/" NB_KERNEL, a) : xstrdup(NB_KERNEL);
		char *r = n > 1 ? xasprintf("%s/" NB_INITRD, a) : xstrdup(NB_INITRD);
		char *kw = xasprintf("the kernel (%s)", a);

		missing |= show(out, dir, k, kw) | show(out, dir, r, "the initramfs");
		free(k);
		free(r);
		free(kw);
	}
	return missing;
}

int netboot_ls(const char *dir, FILE *out)
{
	struct netboot_info ni;
	int rc = netboot_read(dir, &ni), bios = -1, efi = -1, efi_arm = -1, ipxe, missing, arm;
	char ipxe_what[600];

	if (rc <= 0)
		return rc < 0 ? -1 : fail(dir, "a directory, but not one minos netboot wrote (no "
					  NB_MARKER ")");
	snprintf(ipxe_what, sizeof(ipxe_what), "iPXE script: kernel and initrd %s%s",
		 ni.http[0] ? "over HTTP from " : "by TFTP", ni.http);
	fprintf(out, "# minos netboot directory: kernel %s, command line: %s\n",
		ni.kernel[0] ? ni.kernel : "?", ni.cmdline);
	if (ni.arch[0])
		fprintf(out, "# arch: %s\n", ni.arch);
	missing = show_systems(out, dir, &ni, &arm);
	if (!ni.arch[0] || strstr(ni.arch, "x86_64")) {
		bios = show(out, dir, NB_BIOS, "BIOS PXE loader (GRUB, i386-pc-pxe)");
		efi = show(out, dir, NB_EFI, "UEFI network loader (GRUB, x86_64-efi)");
	}
	if (arm)
		efi_arm = show(out, dir, NB_EFI_ARM64, "arm64 UEFI network loader (GRUB, arm64-efi)");
	show(out, dir, NB_GRUBCFG, "the loaders' menu: kernel and initrd by TFTP");
	ipxe = show(out, dir, NB_IPXE, ipxe_what);
	show(out, dir, NB_DNSMASQ, "dnsmasq: proxy DHCP and TFTP");
	show(out, dir, NB_README, "how to serve it");
	if (missing) {
		fputs("# serves: nobody (a kernel or initramfs is missing)\n", out);
		return 0;
	}
	fputs("# serves:", out);
	if (!bios)
		fputs(" BIOS PXE clients (" NB_BIOS ")", out);
	if (!efi)
		fprintf(out, "%s UEFI PXE clients (" NB_EFI ")", bios ? "" : ",");
	if (!efi_arm)
		fprintf(out, "%s arm64 UEFI PXE clients (" NB_EFI_ARM64 ")", bios && efi ? "" : ",");
	if (!ipxe)
		fprintf(out, "%s iPXE clients (" NB_IPXE ", %s)", bios && efi && efi_arm ? "" : ",",
			ni.http[0] ? "HTTP" : "TFTP");
	fputs(bios && efi && efi_arm && ipxe ? " nobody (no loader)\n" : "\n", out);
	return 0;
}
