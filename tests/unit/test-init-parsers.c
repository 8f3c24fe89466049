/* test-init-parsers.c - minos-init's command line and inittab parsers */
#include <stdarg.h>

#include "cmdline.h"
#include "inittab.h"
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

	inittab_default(&t, 1);
	ok(t.n == 2 && t.e[0].action == ACT_SYSINIT && t.e[1].action == ACT_RESPAWN,
	   "default: rcS, then a respawning shell");
	inittab_default(&t, 0);
	ok(t.n == 1 && !strcmp(t.e[0].command, "-/bin/sh"), "default without rcS: the shell");
	return done_testing();
}
