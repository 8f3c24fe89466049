/* test-init-parsers.c - minos-init's command line and inittab parsers */
#include <stdarg.h>

#include "cmdline.h"
#include "inittab.h"
#include "rootspec.h"
#include "tap.h"

static int warnings, last_line;

static void count_warning(int line, const char *msg, void *ctx)
{
	(void)msg;
	(void)ctx;
	warnings++;
	last_line = line;
}

int main(void)
{
	const char *cl = "BOOT_IMAGE=/vmlinuz root=LABEL=x ro quiet "
			 "minos.printk=\"3 4 1 7\" init=/sbin/init root=UUID=abcd rootwait\n";
	char v[64], buf[600], *argv[16];
	struct inittab t;
	int argc;

	ok(cmdline_get(cl, "root", v, sizeof(v)) && !strcmp(v, "UUID=abcd"),
	   "the last root= wins, as in the kernel");
	ok(cmdline_get(cl, "minos.printk", v, sizeof(v)) && !strcmp(v, "3 4 1 7"),
	   "a quoted value keeps its spaces");
	ok(cmdline_get(cl, "ro", v, sizeof(v)) && v[0] == '\0', "a bare flag has an empty value");
	ok(cmdline_has(cl, "rootwait"), "a flag at the end, before the newline");
	ok(!cmdline_has(cl, "roo"), "a prefix of a key is not the key");
	ok(!cmdline_has(cl, "LABEL"), "a value is not a key");
	ok(cmdline_get("a=123456789", "a", v, 4) && !strcmp(v, "123"), "a long value is cut");

	is_int(inittab_parse("# comment\n"
			     "::sysinit:/etc/init.d/rcS\n"
			     "ttyS1::respawn:/sbin/getty -L ttyS1 115200 vt100\n"
			     "\n"
			     "::bogus:/bin/x\n"
			     "::wait\n"
			     "  ::shutdown:/bin/umount -a -r  \n"
			     "/dev/tty2:2345:askfirst:-/bin/sh\n",
			     &t, count_warning, NULL), 2, "two bad lines");
	is_int(warnings, 2, "each reported");
	is_int(last_line, 6, "with its line number");
	is_int(t.n, 4, "the good lines are kept");
	ok(t.e[0].action == ACT_SYSINIT && t.e[0].tty[0] == '\0', "sysinit on the console");
	is_str(t.e[1].tty, "/dev/ttyS1", "a tty name gets /dev/");
	is_str(t.e[2].command, "/bin/umount -a -r", "white space around a line is dropped");
	is_str(t.e[3].tty, "/dev/tty2", "a /dev path stays");
	ok(t.e[3].action == ACT_ASKFIRST, "askfirst");

	argc = inittab_argv("/sbin/getty -L ttyS1  115200", buf, sizeof(buf), argv, 16);
	ok(argc == 4 && !strcmp(argv[0], "/sbin/getty") && !strcmp(argv[3], "115200"),
	   "a plain command is split on white space");
	argc = inittab_argv("-/bin/sh", buf, sizeof(buf), argv, 16);
	ok(argc == 1 && !strcmp(argv[0], "/bin/sh"), "the login-shell dash is not part of the path");
	argc = inittab_argv("echo $HOME > /tmp/x", buf, sizeof(buf), argv, 16);
	ok(argc == 3 && !strcmp(argv[0], "/bin/sh") && !strcmp(argv[2], "exec echo $HOME > /tmp/x"),
	   "shell syntax goes through /bin/sh -c exec");

	inittab_default(&t, 1, "ttyS0\n");
	ok(t.n == 2 && t.e[0].action == ACT_SYSINIT && t.e[1].action == ACT_RESPAWN,
	   "default: rcS, then a respawning shell");
	inittab_default(&t, 0, NULL);
	ok(t.n == 1 && !strcmp(t.e[0].command, "-/bin/sh"), "default without rcS: the shell");
	inittab_default(&t, 0, "tty0 ttyS0\n");
	ok(t.n == 2 && t.e[0].action == ACT_RESPAWN && !t.e[0].tty[0] &&
	   t.e[1].action == ACT_ASKFIRST && !strcmp(t.e[1].tty, "/dev/tty1"),
	   "the screen (tty0) gets an askfirst shell on tty1; the console a respawning one");
	inittab_default(&t, 0, "ttyS1 hvc0 ttyS0");
	ok(t.n == 3 && !strcmp(t.e[1].tty, "/dev/ttyS1") && !strcmp(t.e[2].tty, "/dev/hvc0"),
	   "every console but the last gets its own askfirst shell");
	/* root= and its companions */
	{
		struct root_spec r;
		char why[200];

		is_int(root_parse("console=ttyS0 quiet", &r, why, sizeof(why)), 0, "no root=: nothing to do");
		is_int(root_parse("root=LABEL=my\\x20disk rootwait", &r, why, sizeof(why)), 1, "LABEL=");
		ok(r.kind == ROOT_LABEL && !strcmp(r.value, "my\\x20disk") && r.wait && !r.rw &&
		   r.delay == -1 && !r.fstype[0] && !r.init[0], "LABEL: value, rootwait, read-only by default");
		root_parse("root=\"LABEL=a b\" ro", &r, why, sizeof(why));
		ok(r.kind == ROOT_LABEL && !strcmp(r.value, "a b"), "a quoted label keeps its space");
		root_parse("root=UUID=0A1B-2C3D rootfstype=vfat rootflags=utf8,umask=077 rw", &r, why,
			   sizeof(why));
		ok(r.kind == ROOT_UUID && !strcmp(r.value, "0A1B-2C3D") && !strcmp(r.fstype, "vfat") &&
		   !strcmp(r.flags, "utf8,umask=077") && r.rw, "UUID=, rootfstype=, rootflags=, rw");
		root_parse("rw root=PARTUUID=1234abcd-02 ro rootdelay=7 init=/bin/sh", &r, why, sizeof(why));
		ok(r.kind == ROOT_PARTUUID && !strcmp(r.value, "1234abcd-02") && !r.rw && r.delay == 7 &&
		   !strcmp(r.init, "/bin/sh"), "PARTUUID=, the last of ro/rw wins, rootdelay=, init=");
		root_parse("root=/dev/vda1", &r, why, sizeof(why));
		ok(r.kind == ROOT_PATH && !strcmp(r.value, "/dev/vda1"), "a /dev path");
		is_int(root_parse("root=8:1", &r, why, sizeof(why)), 1, "MAJ:MIN");
		ok(r.kind == ROOT_DEVNUM && !strcmp(r.value, "8:1"), "MAJ:MIN kept as the sysfs dev file says it");
		is_int(root_parse("root=8: rootwait", &r, why, sizeof(why)), -1, "MAJ: alone is refused");
		is_int(root_parse("root=vda1", &r, why, sizeof(why)), -1, "a bare name is refused");
		is_str(why, "root=vda1: not a /dev path, LABEL=, UUID=, PARTUUID= or MAJ:MIN",
		       "with a reason naming it");
		is_int(root_parse("root=LABEL=", &r, why, sizeof(why)), -1, "an empty label is refused");
		is_int(root_parse("root=/dev/sda rootdelay=3s", &r, why, sizeof(why)), -1,
		       "rootdelay= must be a number");
		is_str(why, "rootdelay=3s: not a number of seconds", "and says so");
		is_int(root_parse("root=/dev/sda rootdelay=-1", &r, why, sizeof(why)), -1, "or a positive one");
		ok(root_uuid_eq("0a1b-2C3D", "0A1B-2c3d") && !root_uuid_eq("0a1b", "0a1b-2c3d") &&
		   !root_uuid_eq("0a1b-2c3d", "0a1b"), "UUIDs compare without case, whole");
	}
	return done_testing();
}
