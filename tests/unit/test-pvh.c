/*
 * test-pvh.c - the vmlinux inside a bzImage: bzImages made here around a
 * small ELF with a PVH note, in every compression a kernel uses; ELF files
 * damaged in the ways a crash or a bad disk damages them; and the cache:
 * made once, found again, a damaged entry made again, a kernel without the
 * note remembered, a build tree's own vmlinux used, the least recently used
 * entries dropped at the size limit.
 */
#include <elf.h>
#include <fcntl.h>
#include <lzma.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cache.h"
#include "format/compress.h"
#include "vm/pvh.h"
#include "tap.h"
#include "util/util.h"

#define ENTRY 0x1000200u
#define VERSION "6.1.0-test (tester@host) #7 SMP Mon Nov 23 12:00:00 UTC 2026"

/* An ELF64 executable: one PT_LOAD over the file, one PT_NOTE of Xen notes. */
static void make_elf(struct buf *b, int with_note, uint32_t desc_size)
{
	Elf64_Ehdr eh = {0};
	Elf64_Phdr ph[2] = {0};
	unsigned char note[12 + 4 + 8] = {0};
	uint32_t n[3] = {4, desc_size, with_note ? 18 : 6};
	uint64_t entry = ENTRY;
	char banner[256];

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_EXEC;
	eh.e_machine = EM_X86_64;
	eh.e_phoff = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = 2;
	memcpy(note, n, 12);
	memcpy(note + 12, "Xen", 4);
	memcpy(note + 16, &entry, 8);
	snprintf(banner, sizeof(banner), "Linux version 6.1.0-test (tester@host) "
		 "(gcc (Debian 12.2.0-14) 12.2.0) #7 SMP Mon Nov 23 12:00:00 UTC 2026\n");
	ph[1] = (Elf64_Phdr){.p_type = PT_NOTE, .p_offset = sizeof(eh) + sizeof(ph),
			     .p_filesz = 12 + 4 + (desc_size + 3) / 4 * 4, .p_align = 4};
	ph[0] = (Elf64_Phdr){.p_type = PT_LOAD, .p_offset = 0, .p_align = 4096};
	b->len = 0;
	buf_add(b, &eh, sizeof(eh));
	buf_add(b, ph, sizeof(ph));
	buf_add(b, note, sizeof(note));
	buf_add(b, banner, strlen(banner));
	for (int i = 0; i < 3000; i++)	/* something to compress */
		buf_add(b, "kernel text ", 12);
	ph[0].p_filesz = b->len;
	memcpy(b->data + sizeof(eh), ph, sizeof(ph));
}

static void compress_as(const char *format, const struct buf *in, struct buf *out)
{
	out->len = 0;
	if (!strcmp(format, "lzma")) {
		lzma_stream x = LZMA_STREAM_INIT;
		lzma_options_lzma o;

		if (lzma_lzma_preset(&o, 6) || lzma_alone_encoder(&x, &o) != LZMA_OK)
			return;
		buf_reserve(out, in->len + 4096);
		x.next_in = in->data;
		x.avail_in = in->len;
		x.next_out = out->data;
		x.avail_out = out->cap;
		while (lzma_code(&x, LZMA_FINISH) == LZMA_OK)
			;
		out->len = out->cap - x.avail_out;
		lzma_end(&x);
	} else if (!strcmp(format, "bzip2")) {
		buf_add(out, "BZh91AY&SY not really", 21);
	} else {
		struct sink *s = sink_compress(compression_from_name(format), 1, sink_buf(out), "t");

		sink_write(s, in->data, in->len);
		sink_finish(s);
	}
}

/* A bzImage: one setup sector after the boot sector, the version string, the payload. */
static void make_bzimage(struct buf *img, const char *format, const struct buf *elf,
			 uint16_t protocol)
{
	struct buf packed = {0};
	unsigned char h[1024] = {0};
	uint32_t size = (uint32_t)elf->len, off = 64, len;

	compress_as(format, elf, &packed);
	if (strcmp(format, "gzip"))	/* gzip's trailer ends with the size already */
		buf_add(&packed, &size, 4);
	len = (uint32_t)packed.len;
	h[0x1f1] = 1;
	h[0x1fe] = 0x55;
	h[0x1ff] = 0xaa;
	memcpy(h + 0x202, "HdrS", 4);
	memcpy(h + 0x206, &protocol, 2);
	h[0x20e] = 0x00;
	h[0x20f] = 0x01;	/* the version string at 0x300 */
	memcpy(h + 0x300, VERSION, sizeof(VERSION));
	memcpy(h + 0x248, &off, 4);
	memcpy(h + 0x24c, &len, 4);
	img->len = 0;
	buf_add(img, h, sizeof(h));
	for (uint32_t i = 0; i < off; i++)
		buf_add(img, "\x90", 1);	/* the decompressor */
	buf_add(img, packed.data, packed.len);
	buf_free(&packed);
}

static void formats(void)
{
	static const char *const names[] = {"gzip", "xz", "zstd", "lz4", "lzma"};
	struct unpack_limits lim = UNPACK_LIMITS_DEFAULT;
	struct buf elf = {0}, img = {0}, out = {0};
	struct payload pl;
	uint64_t entry = 0;

	make_elf(&elf, 1, 8);
	is_int(pvh_elf_entry(elf.data, elf.len, &entry), 1, "the ELF made here has a PVH note");
	is_int(entry, ENTRY, "its entry address");
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		make_bzimage(&img, names[i], &elf, 0x020f);
		ok(pvh_payload(img.data, img.len, &pl) == 0 && pl.format &&
		   !strcmp(pl.format, names[i]) && pl.decodable, "%s payload found", names[i]);
		is_int(pl.size, elf.len, "%s payload: its size", names[i]);
		out.len = 0;
		ok(pvh_unpack(&pl, "test", &lim, &out) == 0 && out.len == elf.len &&
		   !memcmp(out.data, elf.data, elf.len), "%s payload unpacks to the ELF", names[i]);
	}
	make_bzimage(&img, "bzip2", &elf, 0x020f);
	ok(pvh_payload(img.data, img.len, &pl) == 0 && !strcmp(pl.format, "bzip2") &&
	   !pl.decodable, "a bzip2 payload is found, and known to have no decoder here");
	is_int(pvh_unpack(&pl, "test", &lim, &out), -1, "unpacking it is an error");
	make_bzimage(&img, "xz", &elf, 0x0207);
	is_int(pvh_payload(img.data, img.len, &pl), -1, "boot protocol 2.07: no payload fields");
	make_bzimage(&img, "xz", &elf, 0x020f);
	img.data[0x24c] ^= 0x40;
	is_int(pvh_payload(img.data, img.len, &pl), -1, "a payload running past the image");
	make_bzimage(&img, "xz", &elf, 0x020f);
	img.data[img.len - 1] ^= 0x01;	/* the size the payload says */
	pvh_payload(img.data, img.len, &pl);
	out.len = 0;
	is_int(pvh_unpack(&pl, "test", &lim, &out), -1,
	       "a payload that unpacks to another size than it says");
	make_bzimage(&img, "xz", &elf, 0x020f);
	pvh_payload(img.data, img.len, &pl);
	lim.out = 1000;
	out.len = 0;
	is_int(pvh_unpack(&pl, "test", &lim, &out), -1, "a payload over the limit");
	buf_free(&elf);
	buf_free(&img);
	buf_free(&out);
}

static void elf_damage(void)
{
	struct buf elf = {0};
	uint64_t entry;
	Elf64_Phdr ph;

	make_elf(&elf, 0, 8);
	is_int(pvh_elf_entry(elf.data, elf.len, &entry), 0, "an ELF without the note");
	make_elf(&elf, 1, 8);
	is_int(pvh_elf_entry(elf.data, elf.len - 1, &entry), -1,
	       "a truncated ELF: its segment runs past the end");
	is_int(pvh_elf_entry(elf.data, 100, &entry), -1, "cut inside its program headers");
	make_elf(&elf, 1, 3);
	is_int(pvh_elf_entry(elf.data, elf.len, &entry), -1, "a PVH note of 3 bytes");
	make_elf(&elf, 1, 4);
	ok(pvh_elf_entry(elf.data, elf.len, &entry) == 1 && entry == (ENTRY & 0xffffffff),
	   "a PVH note of 4 bytes");
	make_elf(&elf, 1, 8);
	memcpy(&ph, elf.data + sizeof(Elf64_Ehdr) + sizeof(ph), sizeof(ph));
	ph.p_filesz = 1ULL << 62;
	memcpy(elf.data + sizeof(Elf64_Ehdr) + sizeof(ph), &ph, sizeof(ph));
	is_int(pvh_elf_entry(elf.data, elf.len, &entry), -1, "a note segment of 2^62 bytes");
	make_elf(&elf, 1, 8);
	elf.data[0x12] = 0x28;	/* e_machine: ARM */
	is_int(pvh_elf_entry(elf.data, elf.len, &entry), -1, "an ELF for another machine");
	buf_free(&elf);
}

static int write_file(const char *path, const struct buf *b)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644), rc;

	rc = fd >= 0 && write_all(fd, b->data, b->len) == 0 ? 0 : -1;
	if (fd >= 0)
		close(fd);
	return rc;
}

static char *only_entry(const char *dir, const char *suffix)
{
	char *cmd = xasprintf("ls %s/pvh/*%s 2>/dev/null", dir, suffix), line[4096];
	FILE *p = popen(cmd, "r");
	char *found = NULL;

	while (p && fgets(line, sizeof(line), p)) {
		line[strcspn(line, "\n")] = '\0';
		free(found);
		found = xstrdup(line);
	}
	if (p)
		pclose(p);
	free(cmd);
	return found;
}

static void cache(void)
{
	char dir[] = "/tmp/test-pvh.XXXXXX", *kernel, *entry, *why, *cmd;
	struct buf elf = {0}, img = {0};
	struct pvh p;
	struct stat st;
	int fd;

	if (!mkdtemp(dir))
		return;
	setenv("MINOS_CACHE", dir, 1);
	kernel = xasprintf("%s/bzImage", dir);
	make_elf(&elf, 1, 8);
	make_bzimage(&img, "xz", &elf, 0x020f);
	write_file(kernel, &img);
	ok(pvh_find(kernel, &p, &why) == 1 && p.source == PVH_EXTRACTED && p.fd >= 0 &&
	   !strcmp(p.payload, "xz"), "the first boot extracts the vmlinux");
	pvh_free(&p);
	entry = only_entry(dir, ".elf");
	ok(entry && stat(entry, &st) == 0 && (size_t)st.st_size == elf.len + 16,
	   "into the cache: the ELF and a 16-byte trailer");
	ok(pvh_find(kernel, &p, &why) == 1 && p.source == PVH_CACHED && p.path &&
	   entry && !strcmp(p.path, entry), "the next boot finds it there");
	pvh_free(&p);

	/* damaged: a byte of the ELF flipped, then the file cut short */
	fd = open(entry, O_RDWR);
	if (fd >= 0) {
		if (pwrite(fd, "X", 1, 2000) != 1)
			ok(0, "cannot damage the entry");
		close(fd);
	}
	ok(pvh_find(kernel, &p, &why) == 1 && p.source == PVH_EXTRACTED,
	   "a flipped byte: detected, extracted again");
	pvh_free(&p);
	if (truncate(entry, 3000) < 0)
		ok(0, "cannot truncate the entry");
	ok(pvh_find(kernel, &p, &why) == 1 && p.source == PVH_EXTRACTED,
	   "a truncated entry: detected, extracted again");
	pvh_free(&p);
	if (truncate(entry, 0) < 0)
		ok(0, "cannot empty the entry");
	ok(pvh_find(kernel, &p, &why) == 1 && p.source == PVH_EXTRACTED,
	   "an empty entry: extracted again");
	pvh_free(&p);
	ok(pvh_find(kernel, &p, &why) == 1 && p.source == PVH_CACHED, "and found next time");
	pvh_free(&p);

	/* a build tree: the vmlinux of the same build is used as it is */
	cmd = xasprintf("mkdir -p %s/tree/arch/x86/boot", dir);
	if (system(cmd) != 0)
		ok(0, "cannot make a tree");
	free(cmd);
	free(kernel);
	kernel = xasprintf("%s/tree/arch/x86/boot/bzImage", dir);
	write_file(kernel, &img);
	cmd = xasprintf("%s/tree/vmlinux", dir);
	write_file(cmd, &elf);
	ok(pvh_find(kernel, &p, &why) == 1 && p.source == PVH_TREE && !strcmp(p.path, cmd),
	   "a build tree's vmlinux of the same build");
	pvh_free(&p);
	elf.data[elf.len - 1] = '!';
	memcpy(memmem(elf.data, elf.len, "#7 SMP", 6), "#8", 2);	/* rebuilt since */
	write_file(cmd, &elf);
	ok(pvh_find(kernel, &p, &why) == 1 && p.source == PVH_CACHED,
	   "a vmlinux of another build is not used");
	pvh_free(&p);
	free(cmd);

	/* no PVH note: unpacked once, remembered */
	make_elf(&elf, 0, 8);
	make_bzimage(&img, "zstd", &elf, 0x020f);
	write_file(kernel, &img);
	ok(pvh_find(kernel, &p, &why) == 0 && !why, "a kernel without the note boots as a bzImage");
	free(entry);
	ok((entry = only_entry(dir, ".none")) != NULL, "which is remembered");
	make_bzimage(&img, "bzip2", &elf, 0x020f);
	write_file(kernel, &img);
	ok(pvh_find(kernel, &p, &why) == 0 && why && strstr(why, "bzip2"),
	   "a bzip2 payload: the reason says bzip2");
	free(why);
	free(entry);
	free(kernel);
	cmd = xasprintf("rm -rf %s", dir);
	if (system(cmd) != 0)
		ok(0, "cannot clean up");
	free(cmd);
	buf_free(&elf);
	buf_free(&img);
}

static void trim(void)
{
	char dir[] = "/tmp/test-trim.XXXXXX", *p[4], *cmd;
	struct buf b = {0};

	if (!mkdtemp(dir))
		return;
	setenv("MINOS_CACHE", dir, 1);
	setenv("MINOS_CACHE_SIZE", "1", 1);	/* MiB */
	buf_reserve(&b, 300 << 10);
	memset(b.data, 'x', 300 << 10);
	b.len = 300 << 10;
	for (int i = 0; i < 4; i++) {
		struct timespec t[2] = {{.tv_sec = 1000000 + i * 10}, {.tv_sec = 1000000 + i * 10}};

		p[i] = cache_entry(i % 2 ? "pvh" : "initrd", i == 0 ? "a" : i == 1 ? "b" :
				   i == 2 ? "c" : "d", ".x");
		write_file(p[i], &b);
		utimensat(AT_FDCWD, p[i], t, 0);
	}
	cache_trim(p[0]);
	ok(access(p[0], F_OK) == 0, "the entry just made stays, however old");
	ok(access(p[1], F_OK) < 0, "the least recently used other goes");
	ok(access(p[2], F_OK) == 0 && access(p[3], F_OK) == 0,
	   "the rest fits in 1 MiB and stays (across both directories)");
	setenv("MINOS_CACHE_SIZE", "lots", 1);
	ok(cache_size_limit() < 0, "MINOS_CACHE_SIZE must be a number");
	unsetenv("MINOS_CACHE_SIZE");
	for (int i = 0; i < 4; i++)
		free(p[i]);
	cmd = xasprintf("rm -rf %s", dir);
	if (system(cmd) != 0)
		ok(0, "cannot clean up");
	free(cmd);
	buf_free(&b);
}

int main(void)
{
	formats();
	elf_damage();
	cache();
	trim();
	return done_testing();
}
