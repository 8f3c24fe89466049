/*
 * rootspec.c - root= on the kernel command line, as the kernel reads it:
 * a /dev path, LABEL=, UUID=, PARTUUID= or MAJ:MIN, with rootfstype=,
 * rootflags=, ro/rw, rootwait, rootdelay= and init=.  No system calls:
 * the unit tests and fuzz-root run it on the host.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cmdline.h"
#include "rootspec.h"

int root_parse(const char *cmdline, struct root_spec *r, char *why, int n)
{
	static const struct {
		const char *prefix;
		enum root_kind kind;
	} kinds[] = {
		{"LABEL=", ROOT_LABEL}, {"UUID=", ROOT_UUID}, {"PARTUUID=", ROOT_PARTUUID},
		{"/dev/", ROOT_PATH},
	};
	char v[128], delay[16];
	const char *end;
	long d;

	memset(r, 0, sizeof(*r));
	if (!cmdline_get(cmdline, "root", v, sizeof(v)))
		return 0;
	memcpy(r->given, v, sizeof(r->given));
	r->kind = ROOT_DEVNUM;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strncmp(v, kinds[i].prefix, strlen(kinds[i].prefix))) {
			r->kind = kinds[i].kind;
			break;
		}
	snprintf(r->value, sizeof(r->value), "%s",
		 r->kind == ROOT_PATH || r->kind == ROOT_DEVNUM ? v : strchr(v, '=') + 1);
	end = v;
	if (r->kind == ROOT_DEVNUM && digits(&end) >= 0 && *end == ':' && ++end)
		d = digits(&end);	/* MAJ:MIN */
	if (!r->value[0] || (r->kind == ROOT_DEVNUM && (end == v || end[-1] == ':' || *end))) {
		snprintf(why, n, "root=%s: not a /dev path, LABEL=, UUID=, PARTUUID= or MAJ:MIN", v);
		return -1;
	}
	cmdline_get(cmdline, "rootfstype", r->fstype, sizeof(r->fstype));
	cmdline_get(cmdline, "rootflags", r->flags, sizeof(r->flags));
	cmdline_get(cmdline, "init", r->init, sizeof(r->init));
	r->rw = cmdline_last(cmdline, "ro", "rw") == 2;
	r->wait = cmdline_has(cmdline, "rootwait");
	r->delay = -1;
	if (cmdline_get(cmdline, "rootdelay", delay, sizeof(delay))) {
		end = delay;
		if ((d = digits(&end)) < 0 || *end || d > 86400) {
			snprintf(why, n, "rootdelay=%s: not a number of seconds", delay);
			return -1;
		}
		r->delay = (int)d;
	}
	return 1;
}

int root_uuid_eq(const char *a, const char *b)
{
	for (; *a && tolower((unsigned char)*a) == tolower((unsigned char)*b); a++, b++)
		;
	return !*a && !*b;
}
