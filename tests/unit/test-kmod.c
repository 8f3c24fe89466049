/*
 * test-kmod.c - minos-init's module resolution over index files given as
 * text: what it would load, in order, with nothing loaded; its alias glob
 * against glibc's fnmatch; and hostile indexes (a line without a colon,
 * patterns that would backtrack for minutes, aliases of everything).
 */
#include <fnmatch.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "kmod.h"
#include "tap.h"

static char loaded[4096];

static void record(struct kmods *k, const char *rel, size_t len)
{
	size_t used = strlen(loaded);

	(void)k;
	snprintf(loaded + used, sizeof(loaded) - used, "%s%.*s", used ? " " : "", (int)len, rel);
}

static const char *load(const char *dep, const char *alias, const char *softdep,
			const char *builtin, const char *names)
{
	static struct kmods k;
	static char aliases[1 << 16];
	char *copy = strdup(names), *save = NULL;

	memset(&k, 0, sizeof(k));
	k.cmdline = "";
	k.dep = (char *)dep;
	if (alias) {	/* kmod_prepare rewrites it in place */
		snprintf(aliases, sizeof(aliases), "%s", alias);
		k.alias = aliases;
	}
	kmod_prepare(&k);
	k.softdep = (char *)softdep;
	k.builtin = (char *)builtin;
	k.load = record;
	loaded[0] = '\0';
	for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
		kmod_load_name(&k, w);
	free(copy);
	return loaded;
}

static void hang(int sig)
{
	(void)sig;
	printf("not ok %d - a hang guard of 10 s ran out: the matcher backtracks without bound\n",
	       ++tap_count);
	fflush(stdout);
	_exit(1);
}

int main(void)
{
	static const char dep[] =
		"kernel/fs/ext4.ko: kernel/fs/jbd2.ko kernel/lib/crc16.ko\n"
		"kernel/fs/jbd2.ko:\n"
		"kernel/lib/crc16.ko:\n"
		"kernel/net/e1000e.ko: kernel/net/ptp.ko\n"
		"kernel/net/ptp.ko:\n"
		"kernel/usb/uas.ko: kernel/usb/usb-storage.ko\n"
		"kernel/usb/usb-storage.ko:\n";
	static const char alias[] =
		"alias fs-ext4 ext4\n"
		"alias pci:v00008086d000010D3sv*sd*bc*sc*i* e1000e\n"
		"alias usb:v*p*d*dc*dsc*dp*ic08isc06ip50in* uas\n"
		"alias usb:v*p*d*dc*dsc*dp*ic08isc06ip50in* usb_storage\n";
	static const char softdep[] = "softdep ext4 pre: crc32c post: ptp\n";
	static const char *const globs[][2] = {
		{"pci:v*d*sv*", "pci:v00001AF4d00001001sv00001AF4"}, {"a?c", "abc"},
		{"a?c", "ac"}, {"[a-c]x", "bx"}, {"[!a-c]x", "bx"}, {"[^a-c]x", "dx"},
		{"[]]", "]"}, {"[!]]", "a"}, {"[a-]", "-"}, {"\\*", "*"}, {"\\*", "a"},
		{"*", ""}, {"**a", "ba"}, {"a*b*c", "aXbYbZc"}, {"a*b", "ab b"},
		{"[", "["}, {"[a", "[a"}, {"x\\", "x\\"}, {"*[", "a["},
	};
	char name[64], pat[64];

	signal(SIGALRM, hang);
	is_str(load(dep, alias, softdep, NULL, "ext4"),
	       "kernel/lib/crc16.ko kernel/fs/jbd2.ko kernel/fs/ext4.ko kernel/net/ptp.ko",
	       "dependencies from the end of the line, then the module, then post: softdeps");
	is_str(load(dep, alias, softdep, NULL, "fs-ext4"),
	       "kernel/lib/crc16.ko kernel/fs/jbd2.ko kernel/fs/ext4.ko kernel/net/ptp.ko",
	       "an alias loads its module");
	is_str(load(dep, alias, NULL, NULL, "pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00"),
	       "kernel/net/ptp.ko kernel/net/e1000e.ko", "a wildcard alias");
	is_str(load(dep, alias, NULL, NULL, "usb:v0781p5567d0100dc00dsc00dp00ic08isc06ip50in00"),
	       "kernel/usb/usb-storage.ko kernel/usb/uas.ko",
	       "a modalias two modules answer to loads both, each once");
	is_str(load(dep, alias, NULL, NULL, "usb-storage usb_storage"), "kernel/usb/usb-storage.ko",
	       "'-' and '_' are one, and a module loads once");
	is_str(load(dep, alias, NULL, "kernel/fs/ext4.ko\n", "ext4"), "",
	       "a built-in module loads nothing");
	is_str(load("kernel/a.ko\nkernel/b.ko: kernel/a.ko\n", NULL, NULL, NULL, "a"), "",
	       "a modules.dep line without a colon is skipped, not read backwards");
	is_str(load("kernel/b.ko kernel/a.ko\n", NULL, NULL, NULL, "a"), "",
	       "nor is a colon searched for on the lines after");

	for (size_t i = 0; i < sizeof(globs) / sizeof(globs[0]); i++)
		is_int(kmod_glob(globs[i][0], globs[i][1]), fnmatch(globs[i][0], globs[i][1], 0) == 0,
		       "'%s' against '%s' as fnmatch answers", globs[i][0], globs[i][1]);

	alarm(10);	/* a guard against a hang, not a speed target */
	memset(name, 'a', 63);
	name[63] = '\0';
	snprintf(pat, sizeof(pat), "*a*a*a*a*a*a*a*a*b");
	ok(!kmod_glob(pat, name), "8 stars against 63 bytes that do not match end at once");
	snprintf(pat, sizeof(pat), "*a*a*a*a*a*a*");
	ok(kmod_glob(pat, name), "6 stars against 63 bytes that match");
	{
		static char fan[4096];
		size_t used = 0;

		used += snprintf(fan + used, sizeof(fan) - used, "alias * ext4\nalias * jbd2\n");
		used += snprintf(fan + used, sizeof(fan) - used, "alias * crc16\nalias * ptp\n");
		snprintf(fan + used, sizeof(fan) - used, "alias * e1000e\nalias * nosuch\n");
		is_str(load(NULL, fan, NULL, NULL, "anything"), "",
		       "aliases of everything, with no modules.dep, end at once");
		is_str(load(dep, fan, NULL, NULL, "anything"),
		       "kernel/lib/crc16.ko kernel/fs/jbd2.ko kernel/fs/ext4.ko "
		       "kernel/net/ptp.ko kernel/net/e1000e.ko",
		       "and with one, each module once");
	}
	alarm(0);
	return done_testing();
}
