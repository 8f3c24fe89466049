/*
 * fat.c - write a small FAT12 filesystem image in memory, and read a file
 * back from any FAT image.
 *
 * UEFI firmware boots a CD or a USB stick from a FAT "EFI system partition"
 * holding EFI/BOOT/BOOTX64.EFI.  Ours holds two or three files, so the
 * image is laid out in one pass: boot sector, two FATs, a fixed root
 * directory, then the clusters, directories first, each file contiguous.
 * Only 8.3 names (no long-name entries): all the firmware and GRUB need.
 */
#include "media/fat.h"

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

/*
 * Reading: one file of an image from anywhere (an ISO's ESP, a stick's),
 * FAT12, FAT16 or FAT32 as the cluster count says.  Every offset is checked
 * against the image, every chain is followed at most as many steps as there
 * are clusters, and a file's length must fit in the image.
 */
struct fat_vol {
	const unsigned char *img;
	size_t len;
	uint32_t bps, spc, cluster_bytes, clusters, bits, root_cluster;
	uint64_t fat_off, root_off, root_bytes, data_off;
};

static int mount_vol(struct fat_vol *v, const unsigned char *img, size_t len, const char **why)
{
	uint32_t reserved, fats, root_entries, total, fat_sectors, root_sectors, data_sectors;

	if (len < SECTOR || img[BS_SIGNATURE] != 0x55 || img[BS_SIGNATURE + 1] != 0xaa) {
		*why = "no FAT boot sector";
		return -1;
	}
	v->img = img;
	v->len = len;
	v->bps = le16(img + BPB_BYTES_PER_SECTOR);
	v->spc = img[BPB_SECTORS_PER_CLUSTER];
	reserved = le16(img + BPB_RESERVED_SECTORS);
	fats = img[BPB_FATS];
	root_entries = le16(img + BPB_ROOT_ENTRIES);
	total = le16(img + BPB_TOTAL_SECTORS_16) ? le16(img + BPB_TOTAL_SECTORS_16)
						  : le32(img + BPB_TOTAL_SECTORS_32);
	fat_sectors = le16(img + BPB_FAT_SECTORS) ? le16(img + BPB_FAT_SECTORS)
						  : le32(img + 36);	/* FAT32's BPB_FATSz32 */
	if ((v->bps != 512 && v->bps != 1024 && v->bps != 2048 && v->bps != 4096) ||
	    !v->spc || (v->spc & (v->spc - 1)) || !reserved || !fats || !fat_sectors) {
		*why = "a FAT boot sector with impossible geometry";
		return -1;
	}
	root_sectors = (root_entries * DIRENT + v->bps - 1) / v->bps;
	if ((uint64_t)reserved + (uint64_t)fats * fat_sectors + root_sectors >= total) {
		*why = "a FAT boot sector whose areas overrun the volume";
		return -1;
	}
	data_sectors = total - reserved - fats * fat_sectors - root_sectors;
	v->cluster_bytes = v->bps * v->spc;
	v->clusters = data_sectors / v->spc;
	v->bits = v->clusters <= FAT12_MAX ? 12 : v->clusters <= 65524 ? 16 : 32;
	v->fat_off = (uint64_t)reserved * v->bps;
	v->root_off = v->fat_off + (uint64_t)fats * fat_sectors * v->bps;
	v->root_bytes = (uint64_t)root_sectors * v->bps;
	v->data_off = v->root_off + v->root_bytes;
	v->root_cluster = v->bits == 32 ? le32(img + 44) : 0;
	/* The FAT must hold an entry for every cluster. */
	if ((uint64_t)fat_sectors * v->bps * 8 < (uint64_t)(v->clusters + 2) * v->bits) {
		*why = "a FAT too small for its clusters";
		return -1;
	}
	return 0;
}

/* The cluster after n, or 0 at the end of the chain or on a bad link. */
static uint32_t next_cluster(const struct fat_vol *v, uint32_t n)
{
	uint64_t off = v->fat_off + (v->bits == 12 ? n + n / 2 : (uint64_t)n * v->bits / 8);
	uint32_t next;

	if (off + (v->bits == 32 ? 4 : 2) > v->len)
		return 0;
	if (v->bits == 12)
		next = n & 1 ? le16(v->img + off) >> 4 : le16(v->img + off) & 0xfff;
	else if (v->bits == 16)
		next = le16(v->img + off);
	else
		next = le32(v->img + off) & 0x0fffffff;
	return next >= 2 && next < v->clusters + 2 ? next : 0;
}

/*
 * Appends want bytes of the chain from first (all of it if whole).  A
 * cluster met twice is a loop; only clusters inside the image can be met,
 * so the bitmap of those seen is at most an eighth of a cluster for each.
 */
static int read_chain(const struct fat_vol *v, uint32_t first, uint64_t want, int whole,
		      struct buf *out, const char **why)
{
	uint64_t in_image = v->len / v->cluster_bytes + 2;
	uint32_t c = first, limit = v->clusters + 2 < in_image ? v->clusters + 2 : (uint32_t)in_image;
	unsigned char *seen = xcalloc(limit / 8 + 1, 1);
	int rc = 0;

	while (c && (whole || want)) {
		uint64_t off = v->data_off + (uint64_t)(c - 2) * v->cluster_bytes;
		uint64_t n = whole || want > v->cluster_bytes ? v->cluster_bytes : want;

		if (c < 2 || c >= limit || off + n > v->len) {
			*why = "a FAT cluster chain that leaves the volume";
			rc = -1;
			break;
		}
		if (seen[c / 8] & (1u << (c % 8))) {
			*why = "a FAT cluster chain that loops";
			rc = -1;
			break;
		}
		seen[c / 8] |= 1u << (c % 8);
		buf_add(out, v->img + off, n);
		want -= whole ? 0 : n;
		c = next_cluster(v, c);
	}
	free(seen);
	if (rc == 0 && !whole && want) {
		*why = "a file longer than its FAT cluster chain";
		rc = -1;
	}
	return rc;
}

/* Compares a path component with a directory entry's 8.3 name, ignoring case. */
static int name_matches(const unsigned char *e, const char *s, size_t len)
{
	char want[11];
	char up[13];

	if (len > 12)
		return 0;
	for (size_t i = 0; i < len; i++)
		up[i] = s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i];
	return to_83(up, len, want) == 0 && !memcmp(e + DIR_NAME, want, 11);
}

int fat_read_file(const void *image, size_t len, const char *path, struct buf *out,
		  const char **why)
{
	struct fat_vol v;
	struct buf dir = {0};
	int rc = -1;

	if (mount_vol(&v, image, len, why) < 0)
		return -1;
	/* the root directory: a fixed area (FAT12/16) or a chain (FAT32) */
	if (v.bits == 32) {
		if (read_chain(&v, v.root_cluster, 0, 1, &dir, why) < 0)
			goto out;
	} else if (v.root_off + v.root_bytes > len) {
		*why = "a FAT root directory past the end of the volume";
		goto out;
	} else {
		buf_add(&dir, v.img + v.root_off, v.root_bytes);
	}
	for (;;) {
		size_t clen = strcspn(path, "/");
		const unsigned char *hit = NULL;
		uint32_t first, size;

		for (size_t i = 0; i + DIRENT <= dir.len && dir.data[i]; i += DIRENT) {
			const unsigned char *e = (const unsigned char *)dir.data + i;

			if (e[0] != 0xe5 && (e[DIR_ATTR] & 0x0f) != 0x0f && !(e[DIR_ATTR] & 0x08) &&
			    name_matches(e, path, clen)) {
				hit = e;
				break;
			}
		}
		if (!hit) {
			rc = 0;
			goto out;
		}
		first = le16(hit + DIR_CLUSTER);
		if (v.bits == 32)
			first |= (uint32_t)le16(hit + 20) << 16;	/* DIR_FstClusHI */
		size = le32(hit + DIR_SIZE);
		if (path[clen] == '\0') {
			if (hit[DIR_ATTR] & ATTR_DIR) {
				rc = 0;
				goto out;
			}
			if (size > len) {
				*why = "a FAT file longer than the volume";
				goto out;
			}
			buf_reserve(out, size);
			rc = size ? read_chain(&v, first, size, 0, out, why) : 0;
			rc = rc < 0 ? -1 : 1;
			goto out;
		}
		if (!(hit[DIR_ATTR] & ATTR_DIR)) {
			rc = 0;
			goto out;
		}
		dir.len = 0;
		if (read_chain(&v, first, 0, 1, &dir, why) < 0)
			goto out;
		path += clen + 1;
	}
out:
	buf_free(&dir);
	return rc;
}
