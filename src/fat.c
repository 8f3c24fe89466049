/*
 * fat.c - write a small FAT12 filesystem image in memory.
 *
 * UEFI firmware boots a CD or a USB stick from a FAT "EFI system partition"
 * holding EFI/BOOT/BOOTX64.EFI.  Ours holds two or three files, so the
 * image is laid out in one pass: boot sector, two FATs, a fixed root
 * directory, then the clusters, directories first, each file contiguous.
 * Only 8.3 names (no long-name entries): all the firmware and GRUB need.
 */
#include "fat.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SECTOR        512u
#define FAT12_MAX     4084u	/* more clusters than this make it FAT16 */
#define EOC           0xfffu
#define ATTR_DIR      0x10
#define ATTR_ARCHIVE  0x20

struct node {
	char name[11];		/* space-padded 8.3, as stored */
	int parent;		/* index; -1 for the root */
	int is_dir, children;
	const struct fat_file *file;
	uint32_t cluster, clusters;
};

struct tree {
	struct node *v;
	size_t n;
};

/* "BOOTX64.EFI" -> "BOOTX64 EFI"; -1 if it is not a valid upper-case 8.3 name. */
static int to_83(const char *s, size_t len, char out[11])
{
	static const char ok[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'()-@^_`{}~";
	const char *dot = memchr(s, '.', len);
	size_t base = dot ? (size_t)(dot - s) : len, ext = dot ? len - base - 1 : 0;

	if (base == 0 || base > 8 || ext > 3 || (dot && ext == 0))
		return -1;
	memset(out, ' ', 11);
	for (size_t i = 0; i < len; i++) {
		if (s + i == dot)
			continue;
		if (!strchr(ok, s[i]) || !s[i])
			return -1;
		out[s + i < dot || !dot ? i : 8 + (i - base - 1)] = s[i];
	}
	return 0;
}

static int child(const struct tree *t, int parent, const char name[11])
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].parent == parent && !memcmp(t->v[i].name, name, 11))
			return (int)i;
	return -1;
}

static int add_node(struct tree *t, int parent, const char name[11], int is_dir)
{
	struct node *nd;

	t->v = xrealloc(t->v, (t->n + 1) * sizeof(*t->v));
	nd = &t->v[t->n];
	memset(nd, 0, sizeof(*nd));
	memcpy(nd->name, name, 11);
	nd->parent = parent;
	nd->is_dir = is_dir;
	t->v[parent].children++;
	return (int)t->n++;
}

static int build_tree(struct tree *t, const struct fat_file *files, size_t n,
		      const char *what)
{
	t->v = xcalloc(1, sizeof(*t->v));
	t->v[0].parent = -1;
	t->v[0].is_dir = 1;
	t->n = 1;
	for (size_t i = 0; i < n; i++) {
		const char *p = files[i].path;
		int dir = 0;

		for (;;) {
			size_t len = strcspn(p, "/");
			int last = p[len] == '\0', at;
			char name[11];

			if (to_83(p, len, name) < 0)
				return fail(what, "'%s' is not a FAT 8.3 upper-case path",
					   files[i].path);
			at = child(t, dir, name);
			if (last) {
				if (at >= 0)
					return fail(what, "'%s' given twice", files[i].path);
				at = add_node(t, dir, name, 0);
				t->v[at].file = &files[i];
				break;
			}
			if (at < 0)
				at = add_node(t, dir, name, 1);
			else if (!t->v[at].is_dir)
				return fail(what, "'%s': a file is in the way", files[i].path);
			dir = at;
			p += len + 1;
		}
	}
	return 0;
}

static uint64_t node_bytes(const struct node *nd)
{
	return nd->is_dir ? (uint64_t)(nd->children + 2) * 32 : nd->file->len;
}

static void fat12_set(unsigned char *fat, uint32_t n, uint32_t v)
{
	size_t off = n + n / 2;

	if (n & 1) {
		fat[off] = (fat[off] & 0x0f) | (v << 4 & 0xf0);
		fat[off + 1] = v >> 4 & 0xff;
	} else {
		fat[off] = v & 0xff;
		fat[off + 1] = (fat[off + 1] & 0xf0) | (v >> 8 & 0x0f);
	}
}

static void put16(unsigned char *p, uint32_t v) { p[0] = v; p[1] = v >> 8; }
static void put32(unsigned char *p, uint32_t v) { put16(p, v); put16(p + 2, v >> 16); }

static void dir_entry(unsigned char *e, const char name[11], int attr,
		      uint32_t cluster, uint32_t size, uint16_t date, uint16_t time)
{
	memcpy(e, name, 11);
	e[11] = attr;
	put16(e + 14, time);	/* creation */
	put16(e + 16, date);
	put16(e + 18, date);	/* last access */
	put16(e + 22, time);	/* modification */
	put16(e + 24, date);
	put16(e + 26, cluster);
	put32(e + 28, size);
}

static void fat_datetime(int64_t t, uint16_t *date, uint16_t *tm_)
{
	const int64_t lo = 315532800, hi = 4354819198LL;	/* 1980-01-01 .. 2107-12-31 */
	time_t c = t < lo ? lo : t > hi ? hi : t;
	struct tm tm;

	gmtime_r(&c, &tm);
	*date = (tm.tm_year - 80) << 9 | (tm.tm_mon + 1) << 5 | tm.tm_mday;
	*tm_ = tm.tm_hour << 11 | tm.tm_min << 5 | tm.tm_sec / 2;
}

int fat_image(const struct fat_file *files, size_t n, uint32_t serial,
	      int64_t mtime, struct buf *out, const char *what)
{
	struct tree t = {0};
	uint32_t spc, cs, clusters = 0, fatsz, rootents, rootsecs, total, next = 2;
	uint16_t date, time;
	unsigned char *img, *fat, *data;

	if (build_tree(&t, files, n, what) < 0) {
		free(t.v);
		return -1;
	}
	for (spc = 1; spc <= 64; spc *= 2) {
		cs = spc * SECTOR;
		clusters = 0;
		for (size_t i = 1; i < t.n; i++)
			clusters += (node_bytes(&t.v[i]) + cs - 1) / cs;
		if (clusters <= FAT12_MAX)
			break;
	}
	if (spc > 64) {
		free(t.v);
		return fail(what, "too much data for a FAT12 EFI system partition");
	}
	if (clusters == 0)
		clusters = 1;
	fatsz = ((clusters + 2) * 3 / 2 + 1 + SECTOR - 1) / SECTOR;
	rootents = (t.v[0].children + 15) / 16 * 16;
	if (rootents == 0)
		rootents = 16;
	rootsecs = rootents * 32 / SECTOR;
	total = 1 + 2 * fatsz + rootsecs + clusters * spc;

	buf_reserve(out, (size_t)total * SECTOR);
	img = out->data + out->len;
	memset(img, 0, (size_t)total * SECTOR);
	out->len += (size_t)total * SECTOR;

	/* Boot sector: BIOS parameter block of a FAT12 volume. */
	memcpy(img, "\xeb\x3c\x90" "MINOS   ", 11);
	put16(img + 11, SECTOR);
	img[13] = spc;
	put16(img + 14, 1);		/* reserved sectors */
	img[16] = 2;			/* FATs */
	put16(img + 17, rootents);
	if (total < 0x10000)
		put16(img + 19, total);
	else
		put32(img + 32, total);
	img[21] = 0xf8;			/* media: fixed disk */
	put16(img + 22, fatsz);
	put16(img + 24, 32);		/* sectors per track, heads: nominal */
	put16(img + 26, 64);
	img[36] = 0x80;
	img[38] = 0x29;			/* extended boot signature */
	put32(img + 39, serial);
	memcpy(img + 43, "NO NAME    FAT12   ", 19);
	memcpy(img + 62, "\xcd\x18", 2);	/* not bootable: int 18h, next device */
	img[510] = 0x55;
	img[511] = 0xaa;

	fat = img + SECTOR;
	fat12_set(fat, 0, 0xff8);
	fat12_set(fat, 1, EOC);
	fat_datetime(mtime, &date, &time);
	data = img + (size_t)(1 + 2 * fatsz + rootsecs) * SECTOR;

	/* Clusters in creation order: deterministic, each node contiguous. */
	for (size_t i = 1; i < t.n; i++) {
		struct node *nd = &t.v[i];

		nd->clusters = (node_bytes(nd) + cs - 1) / cs;
		nd->cluster = nd->clusters ? next : 0;
		for (uint32_t c = 0; c < nd->clusters; c++)
			fat12_set(fat, next + c, c + 1 < nd->clusters ? next + c + 1 : EOC);
		next += nd->clusters;
		if (!nd->is_dir && nd->file->len)
			memcpy(data + (size_t)(nd->cluster - 2) * cs, nd->file->data,
			       nd->file->len);
	}
	memcpy(fat + (size_t)fatsz * SECTOR, fat, (size_t)fatsz * SECTOR);

	/* Directory entries: "." and ".." first in subdirectories. */
	for (size_t i = 0; i < t.n; i++) {
		struct node *nd = &t.v[i];
		unsigned char *e;

		if (!nd->is_dir)
			continue;
		e = i == 0 ? img + (size_t)(1 + 2 * fatsz) * SECTOR
			   : data + (size_t)(nd->cluster - 2) * cs;
		if (i) {
			uint32_t up = nd->parent ? t.v[nd->parent].cluster : 0;

			dir_entry(e, ".          ", ATTR_DIR, nd->cluster, 0, date, time);
			dir_entry(e + 32, "..         ", ATTR_DIR, up, 0, date, time);
			e += 64;
		}
		for (size_t j = 1; j < t.n; j++) {
			const struct node *c = &t.v[j];

			if (c->parent != (int)i)
				continue;
			dir_entry(e, c->name, c->is_dir ? ATTR_DIR : ATTR_ARCHIVE,
				  c->cluster, c->is_dir ? 0 : (uint32_t)c->file->len,
				  date, time);
			e += 32;
		}
	}
	free(t.v);
	return 0;
}
