/* test-init-parsers.c - minos-init's command line and inittab parsers */
#include <stdarg.h>

#include "cmdline.h"
#include "inittab.h"
#include "rootspec.h"
#include "stackspec.h"
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
	/* md RAID, LUKS and SSH words */
	{
		struct stack_spec s;
		char why[300];

		is_int(stack_parse("root=/dev/vda1 quiet", &s, why, sizeof(why)), 0, "no stack words");
		ok(s.md == MD_AUTO && !s.nmd && !s.nluks && !s.key_dev[0],
		   "without them: md by default, no LUKS, no key file");
		stack_parse("minos.md=0", &s, why, sizeof(why));
		ok(s.md == MD_OFF, "minos.md=0 turns md off");
		stack_parse("minos.md=0 minos.md=all", &s, why, sizeof(why));
		ok(s.md == MD_ALL, "minos.md=all, the last one winning");
		is_int(stack_parse("minos.md=8a3c1b2d:4e5f6a7b:8c9d0e1f:2a3b4c5d,"
				   "01234567-89ab-cdef-0123-456789abcdef", &s, why, sizeof(why)), 0,
		       "a list of array UUIDs, mdadm's form and the dashed one");
		ok(s.md == MD_LIST && s.nmd == 2 &&
		   !strcmp(s.md_uuid[0], "8a3c1b2d:4e5f6a7b:8c9d0e1f:2a3b4c5d") &&
		   !strcmp(s.md_uuid[1], "01234567-89ab-cdef-0123-456789abcdef"), "both kept as given");
		is_int(stack_parse("minos.md=8a3c1b2d:4e5f,all2", &s, why, sizeof(why)), -1,
		       "a short UUID is refused");
		is_str(why, "minos.md=8a3c1b2d:4e5f,all2: not 0, all or a list of array UUIDs; ignored",
		       "naming the word and what it should be");
		ok(s.md == MD_AUTO, "and md stays at its default");
		is_int(stack_parse("minos.luks=0A1B2C3D-0000-1111-2222-333344445555,"
				   "luks-abcdef01-2345-6789-abcd-ef0123456789 "
				   "rd.luks.uuid=luks-11111111-2222-3333-4444-555555555555 "
				   "rd.luks.uuid=22222222-2222-3333-4444-555555555555", &s, why, sizeof(why)),
		       0, "minos.luks= lists, rd.luks.uuid= repeats");
		ok(s.nluks == 4 && !strcmp(s.luks[0], "0A1B2C3D-0000-1111-2222-333344445555") &&
		   !strcmp(s.luks[1], "abcdef01-2345-6789-abcd-ef0123456789") &&
		   !strcmp(s.luks[2], "11111111-2222-3333-4444-555555555555") &&
		   !strcmp(s.luks[3], "22222222-2222-3333-4444-555555555555"),
		   "every UUID, dracut's luks- prefix dropped");
		is_int(stack_parse("rd.luks.uuid=nope minos.luks= minos.luks=1:2", &s, why, sizeof(why)), -1,
		       "what is no LUKS UUID is refused");
		is_str(why, "rd.luks.uuid=nope: not a list of LUKS UUIDs; ignored", "the first one said");
		ok(!s.nluks, "none kept");
		stack_parse("root=/dev/mapper/luks-abcdef01-2345-6789-abcd-ef0123456789 ro", &s, why,
			    sizeof(why));
		ok(s.nluks == 1 && !strcmp(s.luks[0], "abcdef01-2345-6789-abcd-ef0123456789"),
		   "root=/dev/mapper/luks-UUID names its LUKS device");
		stack_parse("root=/dev/mapper/vg-root", &s, why, sizeof(why));
		ok(!s.nluks, "another /dev/mapper name does not");
		is_int(stack_parse("minos.luks.key=LABEL=keys:/boot/root.key", &s, why, sizeof(why)), 0,
		       "minos.luks.key=");
		ok(!strcmp(s.key_dev, "LABEL=keys") && !strcmp(s.key_path, "/boot/root.key"),
		   "split into the device and the path");
		stack_parse("minos.luks.key=/dev/sdb1:/k", &s, why, sizeof(why));
		ok(!strcmp(s.key_dev, "/dev/sdb1") && !strcmp(s.key_path, "/k"), "a /dev path as the device");
		is_int(stack_parse("minos.luks.key=/dev/sdb1", &s, why, sizeof(why)), -1, "no path: refused");
		is_int(stack_parse("minos.luks.key=:/k", &s, why, sizeof(why)), -1, "no device: refused");
		is_int(stack_parse("minos.luks.key=sdb1:k", &s, why, sizeof(why)), -1,
		       "a relative path: refused");
		is_str(why, "minos.luks.key=sdb1:k: not DEVICE:/PATH; ignored", "and says so");

		is_int(ssh_setting("quiet", 7), 7, "no minos.ssh=: the default");
		is_int(ssh_setting("minos.ssh=on", 0), 1, "minos.ssh=on");
		is_int(ssh_setting("minos.ssh", 0), 1, "a bare minos.ssh is on");
		is_int(ssh_setting("minos.ssh=1 minos.ssh=off", 1), 0, "minos.ssh=off, the last winning");
		is_int(ssh_setting("minos.ssh=0", 1), 0, "minos.ssh=0");
		is_int(ssh_setting("minos.ssh=maybe", 1), -1, "anything else: -1");
	}
	return done_testing();
}
