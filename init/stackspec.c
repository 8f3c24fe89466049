/*
 * stackspec.c - the kernel command line's words for a root under md RAID,
 * LUKS and LVM (minos.md=, minos.luks=, dracut's rd.luks.uuid=,
 * minos.luks.key=), and minos.ssh=.  No system calls: the unit tests run
 * it on the host; stack.c acts on it.
 */
#include <stdio.h>
#include <string.h>

#include "cmdline.h"
#include "stackspec.h"

/* A UUID as mdadm or a LUKS header writes it: hex digits and the separators seps. */
static int uuid_ok(const char *s, size_t len, const char *seps)
{
	char set[32];

	snprintf(set, sizeof(set), "0123456789abcdefABCDEF%s", seps);
	return len >= 32 && len < STACK_UUID && strspn(s, set) >= len;
}

/* Each UUID of a comma list (len bytes at v) into list; -1 if one is no UUID. */
static int add_list(char list[][STACK_UUID], int *count, const char *v, size_t len,
		    const char *seps)
{
	while (len) {
		const char *comma = memchr(v, ',', len), *u = v;
		size_t n = comma ? (size_t)(comma - v) : len, ulen = n;

		if (ulen > 5 && !strncmp(u, "luks-", 5) && !strchr(seps, ':')) {
			u += 5;	/* dracut's form of a LUKS UUID */
			ulen -= 5;
		}
		if (!uuid_ok(u, ulen, seps))
			return -1;
		/* one named twice: the second finds it up already */
		if (*count < STACK_MAX) {
			memcpy(list[*count], u, ulen);
			list[(*count)++][ulen] = '\0';
		}
		v += n + (n < len);
		len -= n + (n < len);
	}
	return 0;
}

/* minos.luks.key=DEVICE:/PATH (DEVICE as root= names one); -1 if it is not that. */
static int key_spec(struct stack_spec *s, const char *v, size_t len)
{
	const char *colon = memchr(v, ':', len);
	size_t dlen = colon ? (size_t)(colon - v) : 0;

	if (!dlen || dlen + 1 >= len || colon[1] != '/' || dlen >= sizeof(s->key_dev) ||
	    len - dlen > sizeof(s->key_path))
		return -1;
	memcpy(s->key_dev, v, dlen);
	s->key_dev[dlen] = '\0';
	memcpy(s->key_path, colon + 1, len - dlen - 1);
	s->key_path[len - dlen - 1] = '\0';
	return 0;
}

static int luks_spec(struct stack_spec *s, const char *v, size_t len)
{
	return add_list(s->luks, &s->nluks, v, len, "-");
}

/* minos.md=0, all or UUID,...: the last one wins.  -1 if it is none of them. */
static int md_spec(struct stack_spec *s, const char *v, size_t len)
{
	s->nmd = 0;
	s->md = MD_LIST;
	if (len == 1 && *v == '0')
		s->md = MD_OFF;
	else if (len == 3 && !strncmp(v, "all", 3))
		s->md = MD_ALL;
	else if (add_list(s->md_uuid, &s->nmd, v, len, ":-.") < 0 || !s->nmd) {
		if (!s->nmd)
			s->md = MD_AUTO;
		return -1;
	}
	return 0;
}

int stack_parse(const char *cmdline, struct stack_spec *s, char *why, int n)
{
	static const struct {
		const char *key, *bad;
		int (*parse)(struct stack_spec *s, const char *v, size_t len);
	} words[] = {
		{"minos.md", "not 0, all or a list of array UUIDs", md_spec},
		{"minos.luks", "not a list of LUKS UUIDs", luks_spec},
		{"rd.luks.uuid", "not a list of LUKS UUIDs", luks_spec},
		{"minos.luks.key", "not DEVICE:/PATH", key_spec},
	};
	const char *k, *v;
	size_t klen, vlen;
	char root[160];
	int rc = 0;

	memset(s, 0, sizeof(*s));
	for (const char *p = cmdline; (p = cmdline_next(p, &k, &klen, &v, &vlen));)
		for (int i = 0; i < 4; i++)
			if (klen == strlen(words[i].key) && !strncmp(k, words[i].key, klen) &&
			    (!v || words[i].parse(s, v, vlen) < 0) && !rc) {
				snprintf(why, n, "%s=%.*s: %s; ignored", words[i].key, (int)vlen,
					 v ? v : "", words[i].bad);
				rc = -1;
			}
	/* root=/dev/mapper/luks-UUID: dracut's name says which LUKS device to open */
	if (cmdline_get(cmdline, "root", root, sizeof(root)) &&
	    !strncmp(root, "/dev/mapper/luks-", 17))
		luks_spec(s, root + 12, strlen(root + 12));
	return rc;
}

int ssh_setting(const char *cmdline, int dflt)
{
	static const char words[][4] = {"off", "0", "", "on", "1"};
	char v[8];

	if (!cmdline_get(cmdline, "minos.ssh", v, sizeof(v)))
		return dflt;
	for (int i = 0; i < 5; i++)
		if (!strcmp(v, words[i]))
			return i >= 2;
	return -1;
}
