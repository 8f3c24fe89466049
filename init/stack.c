/*
 * stack.c - a root under md RAID, LUKS and LVM, without udev and without
 * their libraries: the image's mdadm, cryptsetup and lvm do the work, in
 * that order, again whenever new block devices appear (LVM on LUKS on md
 * all come up), while root_boot() waits for its root.  None of it runs
 * while the root is there at once and the command line names nothing.
 *   md     mdadm --assemble --scan (every array, or those minos.md=
 *          names); arrays short of members are started degraded after a
 *          few seconds
 *   LUKS   the devices minos.luks= or rd.luks.uuid= name, opened as
 *          /dev/mapper/luks-UUID with a key file (minos.luks.key=) or a
 *          passphrase asked on every console, three tries
 *   LVM    every volume group activated; /dev/VG/LV and /dev/mapper/VG-LV made
 * libdevmapper makes its nodes itself: DM_DISABLE_UDEV=1 is in every
 * process's environment (early.c), and lvm is told not to wait for udev.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "askpass.h"
#include "fsutil.h"
#include "init.h"
#include "log.h"
#include "probe.h"
#include "respawn.h"
#include "rootfind.h"
#include "rootspec.h"
#include "shutdown.h"
#include "stack.h"
#include "stackspec.h"
#include "tools.h"

#define LVM_CONFIG "devices { obtain_device_list_from_udev=0 use_devicesfile=0 } " \
		   "activation { udev_sync=0 udev_rules=0 }"
#define KEY_DIR "/run/minos/key"	/* minos.luks.key='s device, mounted while read */
#define DEGRADED_MS 5000		/* then arrays short of members start anyway */

enum { HAVE_MDADM = 1, HAVE_CRYPTSETUP = 2, HAVE_LVM = 4, CHECKED = 8 };

static struct {
	struct stack_spec spec;
	int have;		/* the tools in the image, once CHECKED */
	int seen;		/* block devices at the last round; -1: a round is due */
	int rounds, degraded;
	unsigned md_done, luks_done;	/* bits of spec.md_uuid and spec.luks */
	long long start, delay_ms;
} st;

static int block_count(void)
{
	struct dirscan d;
	int n = 0;

	dir_open(&d, open("/sys/class/block", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	while (dir_next(&d))
		n++;
	dir_close(&d);
	return n;
}

/*
 * The arrays there are (run: short of members too), or those minos.md=
 * names.  mdadm says what it started; on the last try, what failed too.
 */
static void md_assemble(struct init *in, int run)
{
	char *argv[8] = {"mdadm", "--assemble", "--scan", "--homehost=any"}, uuid[48], out[1024];
	int argc = 4;

	/* an image's own mdadm.conf says which arrays, unless the command line does */
	if (st.spec.md == MD_LIST ||
	    (access("/etc/mdadm/mdadm.conf", F_OK) && access("/etc/mdadm.conf", F_OK)))
		argv[argc++] = "--config=partitions";
	if (run)
		argv[argc++] = "--run";
	for (int i = 0; i < (st.spec.md == MD_LIST ? st.spec.nmd : 1); i++) {
		if (st.md_done & 1u << i)
			continue;
		snprintf(uuid, sizeof(uuid), "--uuid=%s", st.spec.md_uuid[i]);
		argv[argc] = st.spec.md == MD_LIST ? uuid : NULL;
		if (tool_run(in, argv, NULL, 0, out, sizeof(out)) == 0)
			st.md_done |= (st.spec.md == MD_LIST) << i;
		else if (!run || st.spec.md != MD_LIST)
			continue;	/* "No arrays found": none of its members is there yet */
		else
			say("minos.md=%s: not assembled:", st.spec.md_uuid[i]);
		tool_say(out);	/* "mdadm: /dev/md/0 has been started with 2 drives." */
	}
}

/* The arrays short of members: those not assembled yet, then those assembled but inactive. */
static void md_degraded(struct init *in)
{
	static char *const argv[] = {"mdadm", "--incremental", "--rebuild-map", "--run", "--scan",
				     NULL};
	char out[512];

	md_assemble(in, 1);
	if (tool_run(in, argv, NULL, 0, out, sizeof(out)) == 0)
		tool_say(out);
}

/* minos.luks.key=: the key file on its device, mounted read-only for this; 0 if it opened. */
static int luks_key(struct init *in, char **argv, const char *dev, const char *uuid)
{
	struct root_spec ks;
	struct fsid f;
	char spec[160], kdev[80], file[300];
	const char *fail = "no such device";

	snprintf(spec, sizeof(spec), "root=%s", st.spec.key_dev);
	if (root_parse(spec, &ks, file, sizeof(file)) > 0 && root_find(&ks, kdev, sizeof(kdev), &f) == 0) {
		mkdir("/run/minos", 0755);
		mkdir(KEY_DIR, 0700);
		fail = "cannot mount it";
		if (mount(kdev, KEY_DIR, f.type, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0) {
			snprintf(file, sizeof(file), "--key-file=" KEY_DIR "%s", st.spec.key_path);
			argv[4] = file;
			fail = tool_run(in, argv, NULL, 0, NULL, 0) ? "cryptsetup refused it" : NULL;
			argv[4] = "--key-file=-";
			umount2(KEY_DIR, MNT_DETACH);
		}
	}
	if (fail)
		say("luks %s on %s: key %s:%s: %s; asking instead", uuid, dev, st.spec.key_dev,
		    st.spec.key_path, fail);
	return fail ? -1 : 0;
}

/* Opens LUKS device dev as luks-UUID, or an emergency shell.  1 if it asked for a passphrase. */
static int luks_open(struct init *in, const char *uuid, const char *dev)
{
	char name[48], prompt[160], pass[512], why[400];
	char *argv[] = {"cryptsetup", "open", "--type", "luks", "--key-file=-", (char *)dev, name, NULL};
	int rc = 0, len = 0;

	snprintf(name, sizeof(name), "luks-%s", uuid);
	snprintf(prompt, sizeof(prompt), "Passphrase for %s (%s): ", dev, uuid);
	snprintf(why, sizeof(why), "/dev/mapper/%s", name);
	if (access(why, F_OK) == 0 || (st.spec.key_dev[0] && luks_key(in, argv, dev, uuid) == 0))
		return 0;
	for (int tries = 1; tries <= 3; tries++) {
		if ((len = ask_secret(prompt, pass, sizeof(pass))) < 0)
			break;
		/* the passphrase on a pipe, without its newline: --key-file=- takes it whole */
		rc = tool_run(in, argv, pass, (size_t)len, NULL, 0);
		explicit_bzero(pass, sizeof(pass));
		if (rc == 0 || access(why, F_OK) == 0) {
			say("luks %s on %s: opened as %s", uuid, dev, why);
			return 1;
		}
		if (rc != 2)	/* 2: no key slot takes this passphrase */
			break;
		say("luks %s on %s: wrong passphrase (%d of 3)", uuid, dev, tries);
	}
	snprintf(why, sizeof(why), "luks %s on %s: %s (cryptsetup exit %d)", uuid, dev,
		 len < 0 ? "no console to ask on" : rc == 2 ? "no key after 3 tries" : "cannot open it",
		 rc);
	emergency(in, why);
}

/* The named LUKS devices that are there now, opened.  1 if a passphrase was asked. */
static int luks_round(struct init *in)
{
	struct dirscan d;
	const struct dirent *e;
	struct fsid f;
	char dev[80];
	int asked = 0;

	dir_open(&d, open("/sys/class/block", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	while ((e = dir_next(&d))) {
		snprintf(dev, sizeof(dev), "/dev/%.60s", e->d_name);
		if (e->d_name[0] == '.' || probe_fs(dev, &f) < 0 || strcmp(f.type, "crypto_LUKS"))
			continue;
		for (int i = 0; i < st.spec.nluks; i++)
			if (!(st.luks_done & 1u << i) && root_uuid_eq(f.uuid, st.spec.luks[i])) {
				asked |= luks_open(in, f.uuid, dev);	/* the header's spelling */
				st.luks_done |= 1u << i;
			}
	}
	dir_close(&d);
	return asked;
}

/* Every volume group's volumes, and their nodes; lvm says what it did, or what failed. */
static void lvm_round(struct init *in)
{
	static char *const vgchange[] = {"lvm", "vgchange", "--config", LVM_CONFIG, "-ay", "--sysinit",
					 NULL};
	static char *const vgmknodes[] = {"lvm", "vgmknodes", "--config", LVM_CONFIG, NULL};

	tool_run(in, vgchange, NULL, 0, NULL, 0);
	tool_run(in, vgmknodes, NULL, 0, NULL, 0);
}

/* Which tools the image has; a word that needs one that is missing is said once. */
static void check_tools(void)
{
	char path[64];

	st.have = CHECKED | (tool_find("mdadm", path, sizeof(path)) ? 0 : HAVE_MDADM) |
		  (tool_find("cryptsetup", path, sizeof(path)) ? 0 : HAVE_CRYPTSETUP) |
		  (tool_find("lvm", path, sizeof(path)) ? 0 : HAVE_LVM);
	mkdir("/dev/mapper", 0755);
	mkdir("/run/cryptsetup", 0700);
	if (st.spec.md >= MD_ALL && !(st.have & HAVE_MDADM))
		say("minos.%s: %s is not in the image", "md", "mdadm");
	if (st.spec.nluks && !(st.have & HAVE_CRYPTSETUP)) {
		say("minos.%s: %s is not in the image", "luks", "cryptsetup");
		st.luks_done = ~0u;	/* nothing to wait for */
	}
}

void stack_begin(struct init *in, int delay_s)
{
	char why[300];

	if (stack_parse(in->cmdline, &st.spec, why, sizeof(why)) < 0)
		say("%s", why);
	st.seen = -1;
	st.start = now_ms();
	st.delay_ms = delay_s * 1000LL;
}

int stack_pending(void)
{
	unsigned all_luks = (1u << st.spec.nluks) - 1, all_md = (1u << st.spec.nmd) - 1;

	return (st.luks_done & all_luks) != all_luks ||
	       (st.spec.md == MD_LIST && (st.md_done & all_md) != all_md && !st.degraded) ||
	       (st.spec.md == MD_ALL && !st.rounds);
}

int stack_step(struct init *in, long long *deadline)
{
	int n = block_count(), md;

	if (!st.have)
		check_tools();
	md = st.spec.md != MD_OFF && (st.have & HAVE_MDADM);
	if (n != st.seen) {
		st.seen = n;
		st.rounds++;
		if (md)
			md_assemble(in, 0);
		if (st.spec.nluks && luks_round(in))
			*deadline = now_ms() + st.delay_ms;	/* the wait starts after the answer */
		if (st.have & HAVE_LVM)
			lvm_round(in);
		return 1;
	}
	if (md && !st.degraded &&
	    now_ms() >= st.start + (st.delay_ms < DEGRADED_MS ? st.delay_ms : DEGRADED_MS)) {
		st.degraded = 1;
		md_degraded(in);
		st.seen = -1;	/* started arrays are no new devices: look again all the same */
		return 1;
	}
	return 0;
}

void stack_timeout(struct init *in)
{
	char why[200];

	for (int i = 0; i < st.spec.nluks; i++)
		if (!(st.luks_done & 1u << i)) {
			snprintf(why, sizeof(why), "minos.luks=%s: no such LUKS device after %lld s",
				 st.spec.luks[i], st.delay_ms / 1000);
			emergency(in, why);
		}
}
