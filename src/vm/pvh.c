/*
 * pvh.c - the ELF vmlinux inside a bzImage, for QEMU to boot through its
 * PVH entry.
 *
 * A bzImage is the real-mode setup, the decompressor and the payload: the
 * kernel's ELF vmlinux, compressed, followed by its unpacked size (32 bits,
 * little-endian).  Boot protocol 2.08 gives the payload's place in the
 * setup header (payload_offset at 0x248, payload_length at 0x24c, counted
 * from the protected-mode code, which starts after the setup sectors).  A
 * kernel built with CONFIG_PVH carries an ELF note, name "Xen", type 18
 * (XEN_ELFNOTE_PHYS32_ENTRY), with its 32-bit entry point; QEMU's -kernel
 * boots such an ELF directly.
 *
 * Cache entries are the ELF followed by a trailer (magic, CRC-32 of the
 * ELF, its length), checked in full before every boot: a damaged entry is
 * made again, never booted.  A kernel without the note leaves an empty
 * ".none" entry, so it is unpacked only once to find that out.
 */
#include "vm/pvh.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cache.h"
#include "image/kernel.h"
#include "util/progress.h"
#include "util/util.h"

#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define TRAILER_MAGIC "minosPVH"
#define TRAILER_SIZE 16
#define MAX_VMLINUX (1ULL << 30)

static const struct {
	const char *name;
	unsigned char magic[5];
	size_t n;
	int decodable;
} formats[] = {
	{"gzip", {0x1f, 0x8b}, 2, 1},
	{"xz", {0xfd, '7', 'z', 'X', 'Z'}, 5, 1},
	{"zstd", {0x28, 0xb5, 0x2f, 0xfd}, 4, 1},
	{"lz4", {0x02, 0x21, 0x4c, 0x18}, 4, 1},
	{"lzma", {0x5d, 0x00, 0x00}, 3, 1},
	{"bzip2", {'B', 'Z', 'h'}, 3, 0},
	{"lzo", {0x89, 'L', 'Z', 'O', 0x00}, 5, 0},
};

static uint64_t le64(const unsigned char *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

int pvh_payload(const unsigned char *img, size_t len, struct payload *pl)
{
	size_t setup, off, n;

	*pl = (struct payload){0};
	if (len < 0x250 || memcmp(img + 0x202, "HdrS", 4) || le16(img + 0x206) < 0x0208)
		return -1;
	setup = ((size_t)(img[0x1f1] ? img[0x1f1] : 4) + 1) * 512;
	off = le32(img + 0x248);
	n = le32(img + 0x24c);
	if (setup > len || off > len - setup || n > len - setup - off || n < 8)
		return -1;
	pl->data = img + setup + off;
	pl->len = n - 4;	/* the unpacked size follows the stream */
	pl->size = le32(pl->data + pl->len);
	if (n >= 2 && pl->data[0] == 0x1f && pl->data[1] == 0x8b)
		pl->len = n;	/* gzip's own trailer ends with that size */
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++)
		if (pl->len >= formats[i].n && !memcmp(pl->data, formats[i].magic, formats[i].n)) {
			pl->format = formats[i].name;
			pl->decodable = formats[i].decodable;
		}
	return 0;
}

int pvh_unpack(const struct payload *pl, const char *what, const struct unpack_limits *lim,
	       struct buf *out)
{
	struct unpack_limits l = *lim;
	enum compression kind;
	size_t used;
	int rc;

	if (!pl->decodable)
		return fail(what, "minos has no %s decoder", pl->format ? pl->format : "payload");
	if (pl->size > l.out)
		return fail(what, "the payload says it unpacks to %u bytes, over the limit of %llu",
			    pl->size, (unsigned long long)l.out);
	l.out = pl->size;
	buf_reserve(out, (size_t)pl->size + 1);
	if (!strcmp(pl->format, "lzma"))
		rc = decompress_lzma_alone(pl->data, pl->len, what, &l, out);
	else
		rc = decompress_stream(pl->data, pl->len, 0, what, &l, out, &used, &kind) < 0 ? -1 : 0;
	if (rc == 0 && out->len != pl->size)
		rc = fail(what, "the payload unpacks to %zu bytes, not the %u it says", out->len,
			  pl->size);
	return rc;
}

/* One program header, either class, in the 64-bit form. */
static int phdr(const unsigned char *d, size_t len, int is64, uint64_t phoff, unsigned i,
		Elf64_Phdr *ph)
{
	size_t size = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	uint64_t at = phoff + (uint64_t)i * size;

	if (at > len || size > len - at)
		return -1;
	if (is64) {
		memcpy(ph, d + at, sizeof(*ph));
	} else {
		Elf32_Phdr p;

		memcpy(&p, d + at, sizeof(p));
		*ph = (Elf64_Phdr){.p_type = p.p_type, .p_offset = p.p_offset,
				   .p_filesz = p.p_filesz, .p_align = p.p_align};
	}
	return 0;
}

/* The PHYS32_ENTRY note in one PT_NOTE segment: 1 found, 0 not, -1 damaged. */
static int find_note(const unsigned char *p, uint64_t n, uint64_t align, uint64_t *entry)
{
	uint64_t pos = 0, a = align == 8 ? 8 : 4;

	while (n - pos >= 12) {
		uint32_t namesz = le32(p + pos), descsz = le32(p + pos + 4), type = le32(p + pos + 8);
		uint64_t name = pos + 12, desc = (name + namesz + a - 1) & ~(a - 1);

		if (namesz > n || descsz > n || desc > n || descsz > n - desc)
			return -1;
		if (namesz == 4 && !memcmp(p + name, "Xen", 4) &&
		    type == XEN_ELFNOTE_PHYS32_ENTRY) {
			if (descsz != 4 && descsz != 8)
				return -1;
			*entry = descsz == 4 ? le32(p + desc) : le64(p + desc);
			return 1;
		}
		pos = (desc + descsz + a - 1) & ~(a - 1);
		if (pos > n)
			break;
	}
	return 0;
}

int pvh_elf_entry(const unsigned char *d, size_t len, uint64_t *entry)
{
	Elf64_Ehdr eh;
	int is64, loads = 0, found = 0;

	if (len < sizeof(Elf32_Ehdr) || memcmp(d, ELFMAG, SELFMAG) || d[EI_DATA] != ELFDATA2LSB)
		return -1;
	is64 = d[EI_CLASS] == ELFCLASS64;
	if (is64) {
		if (len < sizeof(eh))
			return -1;
		memcpy(&eh, d, sizeof(eh));
	} else {
		Elf32_Ehdr e;

		if (d[EI_CLASS] != ELFCLASS32)
			return -1;
		memcpy(&e, d, sizeof(e));
		eh = (Elf64_Ehdr){.e_type = e.e_type, .e_machine = e.e_machine,
				  .e_phoff = e.e_phoff, .e_phnum = e.e_phnum,
				  .e_phentsize = e.e_phentsize};
	}
	if (eh.e_type != ET_EXEC || eh.e_machine != (is64 ? EM_X86_64 : EM_386) ||
	    eh.e_phentsize != (is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr)) || !eh.e_phnum)
		return -1;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		if (phdr(d, len, is64, eh.e_phoff, i, &ph) < 0)
			return -1;
		if (ph.p_type != PT_LOAD && ph.p_type != PT_NOTE)
			continue;
		if (ph.p_offset > len || ph.p_filesz > len - ph.p_offset)
			return -1;	/* a segment past the end: truncated */
		loads += ph.p_type == PT_LOAD;
		if (ph.p_type == PT_NOTE && !found) {
			found = find_note(d + ph.p_offset, ph.p_filesz, ph.p_align, entry);
			if (found < 0)
				return -1;
		}
	}
	return loads ? found : -1;
}

/* A file mapped whole, read-only. */
struct map {
	int fd;
	unsigned char *data;
	size_t len;
};

static int map_fd(int fd, struct map *m)
{
	struct stat st;

	*m = (struct map){.fd = fd, .data = MAP_FAILED};
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return -1;
	m->len = (size_t)st.st_size;
	if (m->len)
		m->data = mmap(NULL, m->len, PROT_READ, MAP_PRIVATE, fd, 0);
	return m->len && m->data != MAP_FAILED ? 0 : -1;
}

static void unmap(struct map *m, int close_fd)
{
	if (m->data != MAP_FAILED)
		munmap(m->data, m->len);
	if (close_fd && m->fd >= 0)
		close(m->fd);
	m->data = MAP_FAILED;
}

/*
 * Whether vmlinux is the ELF the bzImage with this version string was made
 * from: its banner, "Linux version RELEASE (BUILDER) (COMPILER) BUILD",
 * holds the same release, builder and build (number and date) as the
 * bzImage's "RELEASE (BUILDER) BUILD".
 */
static int same_build(const struct map *m, const char *version)
{
	const char *split = strstr(version, ") ");
	char *head = split ? xasprintf("Linux version %.*s", (int)(split + 2 - version), version)
			   : xasprintf("Linux version %s", version);
	const char *tail = split ? split + 2 : "";
	const unsigned char *p = m->data, *end = m->data + m->len;
	int same = 0;

	while (!same && (p = memmem(p, end - p, head, strlen(head)))) {
		const unsigned char *nl = memchr(p, '\n', end - p > 1024 ? 1024 : end - p);

		same = nl && memmem(p, nl - p, tail, strlen(tail)) != NULL;
		p++;
	}
	free(head);
	return same;
}

/* The vmlinux beside the bzImage, or at its build tree's root. */
static int tree_vmlinux(const char *kernel, const char *version, struct pvh *p)
{
	char *cand[2] = {0}, *tree = kernel_tree_of(kernel);
	size_t n = 0;
	int rc = 0;

	cand[n++] = path_beside(kernel, "vmlinux");
	if (tree)
		cand[n++] = xasprintf("%s/vmlinux", tree);
	free(tree);
	for (size_t i = 0; i < n && !rc; i++) {
		struct map m;
		uint64_t entry;

		if (map_fd(open(cand[i], O_RDONLY | O_CLOEXEC), &m) < 0) {
			unmap(&m, 1);
			continue;
		}
		if (version && same_build(&m, version) && pvh_elf_entry(m.data, m.len, &entry) == 1) {
			*p = (struct pvh){.fd = m.fd, .path = cand[i], .source = PVH_TREE};
			cand[i] = NULL;
			rc = 1;
		}
		unmap(&m, !rc);
	}
	for (size_t i = 0; i < n; i++)
		free(cand[i]);
	return rc;
}

static void trailer(unsigned char t[TRAILER_SIZE], const unsigned char *elf, size_t len)
{
	uint32_t crc = (uint32_t)libdeflate_crc32(0, elf, len);

	memcpy(t, TRAILER_MAGIC, 8);
	for (int i = 0; i < 4; i++) {
		t[8 + i] = (unsigned char)(crc >> (8 * i));
		t[12 + i] = (unsigned char)((uint32_t)len >> (8 * i));
	}
}

/* A cache entry, checked whole: NULL if sound, else what is wrong. */
static const char *check_entry(const struct map *m)
{
	unsigned char t[TRAILER_SIZE];
	uint64_t entry;
	size_t n;

	if (m->len < TRAILER_SIZE + 64)
		return "too short";
	n = m->len - TRAILER_SIZE;
	if (memcmp(m->data + n, TRAILER_MAGIC, 8) || le32(m->data + n + 12) != n)
		return "no whole trailer";
	if (pvh_elf_entry(m->data, n, &entry) != 1)
		return "not an ELF with a PVH entry";
	trailer(t, m->data, n);
	if (memcmp(t, m->data + n, TRAILER_SIZE))
		return "checksum mismatch";
	return NULL;
}

/* Writes the ELF (and its trailer) as the entry `path`, or into memory: its fd. */
static int store(const char *path, const struct buf *elf)
{
	unsigned char t[TRAILER_SIZE];
	struct cache_writer w;

	trailer(t, elf->data, elf->len);
	if (cache_create(&w, path, "vmlinux") < 0)
		return -1;
	if (write_all(w.fd, elf->data, elf->len) < 0 || write_all(w.fd, t, sizeof(t)) < 0) {
		fail_errno(path ? path : "vmlinux", "cannot write");
		cache_abort(&w);
		return -1;
	}
	return cache_commit(&w);
}

/* Unpacks, checks and stores the payload: 1 stored, 0 no PVH note (or *why). */
static int extract(const char *kernel, const struct payload *pl, const char *entry,
		   const char *none, struct pvh *p, char **why)
{
	struct unpack_limits lim = {MAX_VMLINUX, 256ULL << 20, NULL, UINT64_MAX - 1};
	struct buf elf = {0};
	struct progress pr;
	uint64_t addr;
	int rc, fd;

	progress_start(&pr, "extracting the kernel's vmlinux");
	progress_now(&pr, "once; it is cached for the next boots");
	p->extract_start = now_ms_host();
	rc = pvh_unpack(pl, kernel, &lim, &elf);
	progress_end(&pr);
	if (rc < 0) {
		rc = 0;
		*why = xstrdup("its payload cannot be unpacked (the error is above)");
	} else if ((rc = pvh_elf_entry(elf.data, elf.len, &addr)) < 0) {
		*why = xasprintf("its %s payload is not an x86 ELF vmlinux", pl->format);
		rc = 0;
	} else if (rc == 0) {
		/* no PVH note: remembered, so the next boot does not unpack it again */
		if (none && (fd = open(none, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) >= 0)
			close(fd);
	} else if ((p->fd = store(entry, &elf)) < 0) {
		rc = -1;
	} else {
		p->path = entry ? xstrdup(entry) : xstrdup("vmlinux (in memory)");
		p->source = PVH_EXTRACTED;
	}
	buf_free(&elf);
	return rc;
}

/* The cached entry for the key, if sound; a damaged one is removed. */
static int cached(const char *entry, struct pvh *p)
{
	struct map m;
	const char *bad;

	if (map_fd(open(entry, O_RDONLY | O_CLOEXEC), &m) < 0) {
		if (m.fd >= 0)
			unlink(entry);	/* empty: a write that never finished */
		unmap(&m, 1);
		return 0;
	}
	bad = check_entry(&m);
	unmap(&m, 0);
	if (bad) {
		warning(entry, "damaged cache entry (%s): extracting the vmlinux again", bad);
		close(m.fd);
		unlink(entry);
		return 0;
	}
	cache_used(m.fd);
	p->fd = m.fd;
	p->path = xstrdup(entry);
	p->source = PVH_CACHED;
	return 1;
}

int pvh_find(const char *kernel, struct pvh *p, char **why)
{
	struct map img;
	struct payload pl;
	struct digest d;
	char key[65], *entry = NULL, *none = NULL, *version = NULL;
	int rc = 0;

	*p = (struct pvh){.fd = -1};
	*why = NULL;
	if (map_fd(open(kernel, O_RDONLY | O_CLOEXEC), &img) < 0) {
		unmap(&img, 1);
		return fail_errno(kernel, "cannot read kernel");
	}
	if (pvh_payload(img.data, img.len, &pl) < 0)
		goto out;	/* boot protocol before 2.08: an old kernel */
	version = kernel_version_string(img.data, img.len);
	if ((rc = tree_vmlinux(kernel, version, p)))
		goto out;
	if (!pl.format) {
		*why = xstrdup("its payload is in no format minos knows");
		goto out;
	}
	if (!pl.decodable) {
		*why = xasprintf("its payload is %s-compressed and minos has no %s decoder "
				 "(it has gzip, xz, lzma, zstd and lz4 ones)", pl.format, pl.format);
		goto out;
	}
	digest_init(&d);
	digest_add(&d, img.data, img.len);
	digest_hex(&d, key);
	entry = cache_entry("pvh", key, ".elf");
	none = cache_entry("pvh", key, ".none");
	if (none && access(none, F_OK) == 0) {
		int fd = open(none, O_RDONLY | O_CLOEXEC);

		if (fd >= 0) {
			cache_used(fd);
			close(fd);
		}
		goto out;	/* no PVH note: found out before */
	}
	if (entry && (rc = cached(entry, p)))
		goto out;
	rc = extract(kernel, &pl, entry, none, p, why);
out:
	if (rc > 0)
		p->payload = pl.format;
	free(entry);
	free(none);
	free(version);
	unmap(&img, 1);
	return rc;
}

void pvh_free(struct pvh *p)
{
	if (p->fd >= 0)
		close(p->fd);
	free(p->path);
	*p = (struct pvh){.fd = -1};
}
