/*
 * probe.c - what a block device holds, read the way blkid reads it: the
 * filesystem's type, UUID and label from its superblock (ext2/3/4, btrfs,
 * xfs, iso9660, squashfs, vfat), a LUKS header's UUID, whether the device
 * is an md RAID member (then nothing else it seems to hold counts), and a
 * partition's PARTUUID from the disk's GPT or MBR.  No libblkid: PID 1
 * stays static and small.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "probe.h"

/*
 * Where each filesystem keeps what blkid reports, from the start of the
 * device: the superblock's offset plus the field's within it.
 */
#define EXT_SB 0x400		/* ext2/3/4: superblock at 1 KiB */
#define EXT_MAGIC (EXT_SB + 0x38)	/* 0xef53, little-endian */
#define EXT_UUID (EXT_SB + 0x68)
#define EXT_LABEL (EXT_SB + 0x78)	/* s_volume_name[16] */
#define BTRFS_SB 0x10000	/* btrfs: superblock at 64 KiB */
#define BTRFS_UUID (BTRFS_SB + 0x20)	/* fsid */
#define BTRFS_MAGIC (BTRFS_SB + 0x40)	/* "_BHRfS_M" */
#define BTRFS_LABEL (BTRFS_SB + 0x12b)	/* label[256] */
#define XFS_MAGIC 0x0		/* "XFSB" */
#define XFS_UUID 0x20
#define XFS_LABEL 0x6c		/* sb_fname[12] */
#define ISO_PVD 0x8000		/* ISO 9660: primary volume descriptor, block 16 */
#define ISO_ID (ISO_PVD + 1)	/* "CD001" */
#define ISO_LABEL (ISO_PVD + 40)	/* volume identifier[32] */
#define ISO_CREATED (ISO_PVD + 813)	/* "YYYYMMDDHHMMSScc": the UUID blkid gives */
#define SQUASHFS_MAGIC 0x0	/* "hsqs" */
#define BOOT_SIGNATURE 510	/* 0x55 0xaa: a boot sector (FAT, MBR) */
#define FAT16_TYPE 0x36		/* "FAT1" */
#define FAT16_SERIAL 0x27	/* then the label[11] */
#define FAT32_TYPE 0x52		/* "FAT32" */
#define FAT32_SERIAL 0x43
#define MBR_SIGNATURE 440	/* the disk's 32-bit signature */
#define MBR_FIRST_TYPE 450	/* the first partition's type: 0xee, a GPT's protection */
#define GPT_HEADER 512		/* LBA 1: "EFI PART" */
#define GPT_ENTRIES_LBA (GPT_HEADER + 72)
#define GPT_ENTRY_SIZE (GPT_HEADER + 84)
#define GPT_ENTRY_GUID 16	/* unique partition GUID, in an entry */
#define LUKS_MAGIC 0x0		/* "LUKS\xba\xbe", LUKS1 and LUKS2 alike */
#define LUKS_UUID 168		/* the UUID as text, char[40] */
#define MD_SB12 0x1000		/* md superblock 1.2 at 4 KiB, 1.1 at 0 */

static unsigned char sb[BTRFS_SB + 0x200];	/* the furthest superblock read */

static void uuid_str(char *out, const unsigned char *u)
{
	int o = 0;

	for (int i = 0; i < 16; i++)
		o += sprintf(out + o, "%s%02x", i == 4 || i == 6 || i == 8 || i == 10 ? "-" : "", u[i]);
}

/* A space- or NUL-padded label. */
static void label_str(char *out, size_t n, const unsigned char *p, size_t len)
{
	if (len >= n)
		len = n - 1;
	memcpy(out, p, len);
	out[len] = '\0';
	for (size_t i = strnlen(out, len); i > 0 && out[i - 1] == ' ';)
		out[--i] = '\0';
}

/*
 * An md RAID member: superblock 1.1 at the start, 1.2 at 4 KiB, 1.0 8 KiB
 * before the end (4 KiB-aligned), 0.90 64 KiB before it (64 KiB-aligned).
 * With 1.0 and 0.90 the member's start is the array's: its filesystem
 * would be taken for the array's, and mounted alone.
 */
static int md_member(int fd)
{
	static const unsigned char magic[4] = {0xfc, 0x4e, 0x2b, 0xa9};	/* 0xa92b4efc */
	off_t size = lseek(fd, 0, SEEK_END);
	off_t end[2] = {(size - 8192) & ~(off_t)4095, (size & ~(off_t)65535) - 65536};
	unsigned char m[4];

	if (!memcmp(sb, magic, 4) || !memcmp(sb + MD_SB12, magic, 4))
		return 1;
	for (int i = 0; i < 2; i++)
		if (end[i] >= 0 && pread(fd, m, 4, end[i]) == 4 && !memcmp(m, magic, 4))
			return 1;
	return 0;
}

int probe_fs(const char *dev, struct fsid *f)
{
	int fd = open(dev, O_RDONLY | O_CLOEXEC), md;
	ssize_t got = fd >= 0 ? pread(fd, sb, sizeof(sb), 0) : -1;

	memset(f, 0, sizeof(*f));
	if (got >= 0)
		memset(sb + got, 0, sizeof(sb) - got);
	md = got >= 0 && md_member(fd);
	if (fd >= 0)
		close(fd);
	if (got < 0)
		return -1;
	if (md) {
		strcpy(f->type, "linux_raid_member");
	} else if (!memcmp(sb + LUKS_MAGIC, "LUKS\xba\xbe", 6)) {
		strcpy(f->type, "crypto_LUKS");
		memcpy(f->uuid, sb + LUKS_UUID, sizeof(f->uuid) - 1);	/* NUL-padded */
	} else if (sb[EXT_MAGIC] == 0x53 && sb[EXT_MAGIC + 1] == 0xef) {
		strcpy(f->type, "ext4");	/* the ext4 driver mounts ext2 and ext3 too */
		uuid_str(f->uuid, sb + EXT_UUID);
		label_str(f->label, sizeof(f->label), sb + EXT_LABEL, 16);
	} else if (!memcmp(sb + BTRFS_MAGIC, "_BHRfS_M", 8)) {
		strcpy(f->type, "btrfs");
		uuid_str(f->uuid, sb + BTRFS_UUID);
		label_str(f->label, sizeof(f->label), sb + BTRFS_LABEL, 256);
	} else if (!memcmp(sb + XFS_MAGIC, "XFSB", 4)) {
		strcpy(f->type, "xfs");
		uuid_str(f->uuid, sb + XFS_UUID);
		label_str(f->label, sizeof(f->label), sb + XFS_LABEL, 12);
	} else if (!memcmp(sb + ISO_ID, "CD001", 5)) {
		const unsigned char *t = sb + ISO_CREATED;

		strcpy(f->type, "iso9660");
		label_str(f->label, sizeof(f->label), sb + ISO_LABEL, 32);
		snprintf(f->uuid, sizeof(f->uuid), "%.4s-%.2s-%.2s-%.2s-%.2s-%.2s-%.2s", t, t + 4,
			 t + 6, t + 8, t + 10, t + 12, t + 14);
	} else if (!memcmp(sb + SQUASHFS_MAGIC, "hsqs", 4)) {
		strcpy(f->type, "squashfs");
	} else if (sb[BOOT_SIGNATURE] == 0x55 && sb[BOOT_SIGNATURE + 1] == 0xaa &&
		   (!memcmp(sb + FAT32_TYPE, "FAT32", 5) || !memcmp(sb + FAT16_TYPE, "FAT1", 4))) {
		int off = !memcmp(sb + FAT32_TYPE, "FAT32", 5) ? FAT32_SERIAL : FAT16_SERIAL;

		strcpy(f->type, "vfat");
		snprintf(f->uuid, sizeof(f->uuid), "%02X%02X-%02X%02X", sb[off + 3], sb[off + 2],
			 sb[off + 1], sb[off]);
		label_str(f->label, sizeof(f->label), sb + off + 4, 11);
	}
	return 0;
}

static unsigned long long le(const unsigned char *p, int n)
{
	unsigned long long v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

int probe_partuuid(const char *disk, int part, char *out)
{
	int fd = open(disk, O_RDONLY | O_CLOEXEC);
	unsigned char *s = sb;
	int rc = -1;

	if (fd < 0)
		return -1;
	if (pread(fd, s, 1024, 0) == 1024 && s[BOOT_SIGNATURE] == 0x55 &&
	    s[BOOT_SIGNATURE + 1] == 0xaa) {
		if (s[MBR_FIRST_TYPE] == 0xee && !memcmp(s + GPT_HEADER, "EFI PART", 8)) {
			unsigned long long lba = le(s + GPT_ENTRIES_LBA, 8);
			unsigned size = (unsigned)le(s + GPT_ENTRY_SIZE, 4);
			unsigned char e[128];

			if (size >= 32 && size <= 4096 &&
			    pread(fd, e, 32, (off_t)(lba * 512 + (unsigned long long)(part - 1) * size)) == 32) {
				/* the GUID's first three fields are little-endian */
				unsigned char *g = e + GPT_ENTRY_GUID;
				unsigned char u[16] = {g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6]};

				memcpy(u + 8, g + 8, 8);
				uuid_str(out, u);
				rc = 0;
			}
		} else if (part >= 1) {
			sprintf(out, "%08llx-%02x", le(s + MBR_SIGNATURE, 4), part);
			rc = 0;
		}
	}
	close(fd);
	return rc;
}
