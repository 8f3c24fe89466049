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
#define DIRENT        32u	/* bytes of a directory entry */

/* The boot sector: jump, OEM name, BIOS parameter block, extended BPB. */
enum {
	BS_JUMP = 0, BPB_BYTES_PER_SECTOR = 11, BPB_SECTORS_PER_CLUSTER = 13,
	BPB_RESERVED_SECTORS = 14, BPB_FATS = 16, BPB_ROOT_ENTRIES = 17,
	BPB_TOTAL_SECTORS_16 = 19, BPB_MEDIA = 21, BPB_FAT_SECTORS = 22,
	BPB_SECTORS_PER_TRACK = 24, BPB_HEADS = 26, BPB_TOTAL_SECTORS_32 = 32,
	BS_DRIVE = 36, BS_BOOT_SIGNATURE = 38, BS_SERIAL = 39, BS_LABEL_AND_TYPE = 43,
	BS_BOOT_CODE = 62, BS_SIGNATURE = 510,
};

/* A directory entry. */
enum {
	DIR_NAME = 0, DIR_ATTR = 11, DIR_CREATE_TIME = 14, DIR_CREATE_DATE = 16,
	DIR_ACCESS_DATE = 18, DIR_WRITE_TIME = 22, DIR_WRITE_DATE = 24, DIR_CLUSTER = 26,
	DIR_SIZE = 28,
};

/* Where everything goes, in sectors and clusters. */
struct layout {
	uint32_t spc, cluster_bytes, clusters;	/* sectors a cluster, its bytes, data clusters */
	uint32_t fat_sectors, root_entries, root_sectors, total;
};

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
	return nd->is_dir ? (uint64_t)(nd->children + 2) * DIRENT : nd->file->len;
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
	memcpy(e + DIR_NAME, name, 11);
	e[DIR_ATTR] = attr;
	put16(e + DIR_CREATE_TIME, time);
	put16(e + DIR_CREATE_DATE, date);
	put16(e + DIR_ACCESS_DATE, date);
	put16(e + DIR_WRITE_TIME, time);
	put16(e + DIR_WRITE_DATE, date);
	put16(e + DIR_CLUSTER, cluster);
	put32(e + DIR_SIZE, size);
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

/* The smallest cluster that keeps the count FAT12's; -1 if none does. */
static int plan(const struct tree *t, struct layout *l)
{
	for (l->spc = 1; l->spc <= 64; l->spc *= 2) {
		l->cluster_bytes = l->spc * SECTOR;
		l->clusters = 0;
		for (size_t i = 1; i < t->n; i++)
			l->clusters += (node_bytes(&t->v[i]) + l->cluster_bytes - 1) / l->cluster_bytes;
		if (l->clusters <= FAT12_MAX)
			break;
	}
	if (l->spc > 64)
		return -1;
	if (l->clusters == 0)
		l->clusters = 1;
	l->fat_sectors = ((l->clusters + 2) * 3 / 2 + 1 + SECTOR - 1) / SECTOR;
	l->root_entries = (t->v[0].children + 15) / 16 * 16;
	if (l->root_entries == 0)
		l->root_entries = 16;
	l->root_sectors = l->root_entries * DIRENT / SECTOR;
	l->total = 1 + 2 * l->fat_sectors + l->root_sectors + l->clusters * l->spc;
	return 0;
}

static void boot_sector(unsigned char *img, const struct layout *l, uint32_t serial)
{
	memcpy(img + BS_JUMP, "\xeb\x3c\x90" "MINOS   ", 11);
	put16(img + BPB_BYTES_PER_SECTOR, SECTOR);
	img[BPB_SECTORS_PER_CLUSTER] = l->spc;
	put16(img + BPB_RESERVED_SECTORS, 1);
	img[BPB_FATS] = 2;
	put16(img + BPB_ROOT_ENTRIES, l->root_entries);
	if (l->total < 0x10000)
		put16(img + BPB_TOTAL_SECTORS_16, l->total);
	else
		put32(img + BPB_TOTAL_SECTORS_32, l->total);
	img[BPB_MEDIA] = 0xf8;			/* fixed disk */
	put16(img + BPB_FAT_SECTORS, l->fat_sectors);
	put16(img + BPB_SECTORS_PER_TRACK, 32);	/* and heads: nominal */
	put16(img + BPB_HEADS, 64);
	img[BS_DRIVE] = 0x80;
	img[BS_BOOT_SIGNATURE] = 0x29;		/* an extended BPB follows */
	put32(img + BS_SERIAL, serial);
	memcpy(img + BS_LABEL_AND_TYPE, "NO NAME    FAT12   ", 19);
	memcpy(img + BS_BOOT_CODE, "\xcd\x18", 2);	/* not bootable: int 18h, next device */
	img[BS_SIGNATURE] = 0x55;
	img[BS_SIGNATURE + 1] = 0xaa;
}

/* Clusters in creation order: deterministic, each node contiguous. */
static void place(struct tree *t, const struct layout *l, unsigned char *fat,
		  unsigned char *data)
{
	uint32_t next = 2;

	fat12_set(fat, 0, 0xff8);
	fat12_set(fat, 1, EOC);
	for (size_t i = 1; i < t->n; i++) {
		struct node *nd = &t->v[i];

		nd->clusters = (node_bytes(nd) + l->cluster_bytes - 1) / l->cluster_bytes;
		nd->cluster = nd->clusters ? next : 0;
		for (uint32_t c = 0; c < nd->clusters; c++)
			fat12_set(fat, next + c, c + 1 < nd->clusters ? next + c + 1 : EOC);
		next += nd->clusters;
		if (!nd->is_dir && nd->file->len)
			memcpy(data + (size_t)(nd->cluster - 2) * l->cluster_bytes,
			       nd->file->data, nd->file->len);
	}
	memcpy(fat + (size_t)l->fat_sectors * SECTOR, fat, (size_t)l->fat_sectors * SECTOR);
}

/* Directory entries: "." and ".." first in subdirectories. */
static void directories(const struct tree *t, const struct layout *l, unsigned char *root,
			unsigned char *data, uint16_t date, uint16_t time)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct node *nd = &t->v[i];
		unsigned char *e;

		if (!nd->is_dir)
			continue;
		e = i == 0 ? root : data + (size_t)(nd->cluster - 2) * l->cluster_bytes;
		if (i) {
			uint32_t up = nd->parent ? t->v[nd->parent].cluster : 0;

			dir_entry(e, ".          ", ATTR_DIR, nd->cluster, 0, date, time);
			dir_entry(e + DIRENT, "..         ", ATTR_DIR, up, 0, date, time);
			e += 2 * DIRENT;
		}
		for (size_t j = 1; j < t->n; j++) {
			const struct node *c = &t->v[j];

			if (c->parent != (int)i)
				continue;
			dir_entry(e, c->name, c->is_dir ? ATTR_DIR : ATTR_ARCHIVE, c->cluster,
				  c->is_dir ? 0 : (uint32_t)c->file->len, date, time);
			e += DIRENT;
		}
	}
}

int fat_image(const struct fat_file *files, size_t n, uint32_t serial,
	      int64_t mtime, struct buf *out, const char *what)
{
	struct tree t = {0};
	struct layout l = {0};
	uint16_t date, time;
	unsigned char *img, *fat, *root, *data;
	int rc = build_tree(&t, files, n, what);

	if (rc == 0 && plan(&t, &l) < 0)
		rc = fail(what, "too much data for a FAT12 EFI system partition");
	if (rc == 0) {
		buf_reserve(out, (size_t)l.total * SECTOR);
		img = out->data + out->len;
		memset(img, 0, (size_t)l.total * SECTOR);
		out->len += (size_t)l.total * SECTOR;
		fat = img + SECTOR;
		root = fat + (size_t)2 * l.fat_sectors * SECTOR;
		data = root + (size_t)l.root_sectors * SECTOR;
		boot_sector(img, &l, serial);
		place(&t, &l, fat, data);
		fat_datetime(mtime, &date, &time);
		directories(&t, &l, root, data, date, time);
	}
	free(t.v);
	return rc;
}
