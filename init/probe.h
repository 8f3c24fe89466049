/* probe.h - a block device's filesystem and partition identity, as blkid reports them */
#ifndef MINOS_INIT_PROBE_H
#define MINOS_INIT_PROBE_H

/* What a superblock says: type (as blkid names it), UUID and label (empty when it has none). */
struct fsid {
	char type[24], uuid[40], label[64];
};

/* Reads dev's superblock into f (all empty if it is none minos knows); -1 if unreadable. */
int probe_fs(const char *dev, struct fsid *f);
/* The PARTUUID of partition `part` of disk /dev/DISK: GPT's GUID, or MBR's "SIG-NN". */
int probe_partuuid(const char *disk, int part, char *out);

#endif
