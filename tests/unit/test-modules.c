/*
 * test-modules.c - module resolution against a small tree made here: ELF
 * objects with nothing but a .modinfo section, some compressed.
 */
#include <elf.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format/compress.h"
#include "image/modules.h"
#include "image/fstree.h"
#include "tap.h"
#include "util/util.h"

#define REL "6.1.0-test"

static char dir[64];

/*
 * A relocatable x86-64 ELF object whose .modinfo holds the fields, ";"-separated,
 * and whose symbol table has the symbols `uses` names (";"-separated) undefined.
 */
static void make_module_using(const char *rel, const char *fields, const char *uses,
			      enum compression comp)
{
	static const char shstr[] = "\0.modinfo\0.shstrtab\0.symtab\0.strtab";
	struct buf info = {0}, obj = {0}, out = {0}, syms = {0}, strs = {0};
	Elf64_Ehdr eh = {0};
	Elf64_Shdr sh[5] = {{0}};
	Elf64_Sym sym = {0};
	char *copy = xstrdup(fields), *save = NULL, *path;
	size_t off;

	for (char *f = strtok_r(copy, ";", &save); f; f = strtok_r(NULL, ";", &save))
		buf_add(&info, f, strlen(f) + 1);
	free(copy);
	buf_add(&syms, &sym, sizeof(sym));	/* symbol 0 is nothing */
	buf_add(&strs, "", 1);
	copy = xstrdup(uses ? uses : "");
	for (char *f = strtok_r(copy, ";", &save); f; f = strtok_r(NULL, ";", &save)) {
		sym = (Elf64_Sym){.st_name = (Elf64_Word)strs.len,
				  .st_info = ELF64_ST_INFO(STB_GLOBAL, STT_NOTYPE),
				  .st_shndx = SHN_UNDEF};
		buf_add(&strs, f, strlen(f) + 1);
		buf_add(&syms, &sym, sizeof(sym));
	}
	sym = (Elf64_Sym){.st_name = (Elf64_Word)strs.len, .st_shndx = 1};	/* a defined one */
	buf_add(&strs, "init_module", 12);
	buf_add(&syms, &sym, sizeof(sym));
	free(copy);
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_REL;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_ehsize = sizeof(eh);
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = 5;
	eh.e_shstrndx = 2;
	off = sizeof(eh);
	sh[1] = (Elf64_Shdr){.sh_name = 1, .sh_type = SHT_PROGBITS, .sh_offset = off,
			     .sh_size = info.len};
	off += info.len;
	sh[2] = (Elf64_Shdr){.sh_name = 10, .sh_type = SHT_STRTAB, .sh_offset = off,
			     .sh_size = sizeof(shstr)};
	off += sizeof(shstr);
	sh[3] = (Elf64_Shdr){.sh_name = 20, .sh_type = SHT_SYMTAB, .sh_offset = off,
			     .sh_size = syms.len, .sh_link = 4, .sh_entsize = sizeof(Elf64_Sym)};
	off += syms.len;
	sh[4] = (Elf64_Shdr){.sh_name = 28, .sh_type = SHT_STRTAB, .sh_offset = off,
			     .sh_size = strs.len};
	off += strs.len;
	eh.e_shoff = off;
	buf_add(&obj, &eh, sizeof(eh));
	buf_add(&obj, info.data, info.len);
	buf_add(&obj, shstr, sizeof(shstr));
	buf_add(&obj, syms.data, syms.len);
	buf_add(&obj, strs.data, strs.len);
	buf_add(&obj, sh, sizeof(sh));
	buf_free(&syms);
	buf_free(&strs);

	path = xasprintf("%s/%s", dir, rel);
	for (char *p = path + strlen(dir) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	if (comp == COMP_NONE) {
		out = obj;
		obj = (struct buf){0};
	} else {
		int min, max, level;
		struct sink *s;

		compression_levels(comp, &min, &max, &level);
		s = sink_compress(comp, level, sink_buf(&out), path);
		sink_write(s, obj.data, obj.len);
		sink_finish(s);
	}
	FILE *f = fopen(path, "wb");
	fwrite(out.data, 1, out.len, f);
	fclose(f);
	free(path);
	buf_free(&info);
	buf_free(&obj);
	buf_free(&out);
}

static void make_module(const char *rel, const char *fields, enum compression comp)
{
	make_module_using(rel, fields, NULL, comp);
}

static void write_text(const char *rel, const char *text)
{
	char *path = xasprintf("%s/%s", dir, rel);
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
	free(path);
}

/* The names resolved for `names`, space-separated, in load order; "ERROR" on failure. */
static char *resolve(const char **names, size_t n)
{
	static char out[512];
	struct module_opts o = {.dir = dir, .release = REL, .names = names, .n = n};
	struct module *v;
	size_t count;

	if (modules_resolve(&o, &v, &count) < 0)
		return "ERROR";
	out[0] = '\0';
	for (size_t i = 0; i < count; i++)
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", i ? " " : "",
			 v[i].name);
	modules_free(v, count);
	return out;
}

#define R(...) resolve((const char *[]){__VA_ARGS__}, \
		       sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *))

static const struct entry *entry(const struct fstree *fs, const char *path)
{
	for (size_t i = 0; i < fs->n; i++)
		if (!strcmp(fs->v[i].path, path))
			return &fs->v[i];
	return NULL;
}

static int data_is(const struct fstree *fs, const char *path, const char *want)
{
	const struct entry *e = entry(fs, path);

	if (!e || !e->data || e->size != strlen(want) || memcmp(e->data, want, e->size)) {
		printf("#   %s: got '%.*s'\n", path, e && e->data ? (int)e->size : 4,
		       e && e->data ? (char *)e->data : "none");
		return 0;
	}
	return 1;
}

int main(void)
{
	const char *vm = "vermagic=" REL " SMP mod_unload modversions ";
	char fw[80];

	snprintf(dir, sizeof(dir), "/tmp/minos-modules.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
#define M(rel, fields, comp) do { \
	char *f_ = xasprintf("%s;%s", vm, fields); make_module(rel, f_, comp); free(f_); \
} while (0)
	M("kernel/fs/top.ko", "name=top;depends=mid,leaf;softdep=pre: crypto-sum post: after;"
	  "alias=fs-top;firmware=top/fw.bin;firmware=missing.bin", COMP_NONE);
	M("kernel/lib/mid.ko.xz", "name=mid;depends=leaf", COMP_XZ);
	M("kernel/lib/leaf.ko.zst", "name=leaf;depends=", COMP_ZSTD);
	M("kernel/lib/after.ko.gz", "name=after;depends=", COMP_GZIP);
	M("kernel/crypto/sum-fast.ko", "name=sum_fast;depends=;alias=crypto-sum", COMP_NONE);
	M("kernel/crypto/sum_generic.ko", "name=sum_generic;depends=;alias=crypto-sum",
	  COMP_NONE);
	M("kernel/drivers/card.ko", "name=card;depends=;alias=pci:v00001AF4d*sv*", COMP_NONE);
	M("kernel/loop/ping.ko", "name=ping;depends=pong", COMP_NONE);
	M("kernel/loop/pong.ko", "name=pong;depends=ping", COMP_NONE);
	M("kernel/bad/needs.ko", "name=needs;depends=absent", COMP_NONE);
	M("kernel/bad/uses-builtin.ko", "name=uses_builtin;depends=inside", COMP_NONE);
	make_module("kernel/bad/old.ko", "name=old;vermagic=5.10.0-9-amd64 SMP ;depends=",
		    COMP_NONE);
	write_text("modules.builtin", "kernel/fs/inside.ko\n");
	write_text("not-a-module.ko", "hello\n");

	is_str(R("top"), "sum_fast sum_generic leaf mid top after",
	       "softdeps first (an alias: every match), then dependencies, then post");
	is_str(R("leaf", "mid"), "leaf mid", "a module given twice is taken once");
	is_str(R("fs-top"), "sum_fast sum_generic leaf mid top after", "an alias with '-'");
	is_str(R("fs_top"), "sum_fast sum_generic leaf mid top after", "'_' and '-' are one");
	is_str(R("pci:v00001AF4d00001001sv00001AF4"), "card", "a wildcard alias");
	is_str(R("inside"), "", "a built-in module resolves to nothing");
	is_str(R("uses-builtin"), "uses_builtin", "a built-in dependency is satisfied");
	is_str(R("nosuch"), "ERROR", "an unknown name is an error");
	{
		/* modules.builtin.modinfo as read: exactly its bytes, no NUL after */
		static const char fields[] = "ext4.alias=fs-ext4\0crc32c.alias=crypto-crc*";
		char *exact = xmalloc(sizeof(fields) - 1);

		memcpy(exact, fields, sizeof(fields) - 1);
		ok(modules_builtin_alias(exact, sizeof(fields) - 1, "crypto_crc32c"),
		   "a built-in alias in a last field without its NUL matches");
		ok(!modules_builtin_alias(exact, sizeof(fields) - 1, "crypto_sha"),
		   "and one that does not match is not read past the end");
		free(exact);
	}
	is_str(R("old"), "ERROR", "a vermagic for another kernel is an error");
	is_str(R("needs"), "ERROR", "a missing dependency is an error");
	is_str(R("ping"), "ERROR", "a dependency loop is an error");
	is_str(R("not-a-module"), "ERROR", "a file that is no module is an error");

	/* What goes into the image. */
	snprintf(fw, sizeof(fw), "%s/firmware", dir);
	mkdir(fw, 0755);
	snprintf(fw, sizeof(fw), "%s/firmware/top", dir);
	mkdir(fw, 0755);
	write_text("firmware/top/fw.bin", "FW");
	snprintf(fw, sizeof(fw), "%s/firmware", dir);
	{
		struct fstree fs = {0};
		struct module_opts o = {.dir = dir, .release = REL, .firmware_dir = fw,
					.names = (const char *[]){"top", "card"}, .n = 2};
		const struct entry *e;
		char *fw_src = xasprintf("%s/top/fw.bin", fw);

		ok(modules_add(&fs, &o) == 0, "modules_add");
		ok(data_is(&fs, "lib/modules/" REL "/modules.dep",
			   "kernel/crypto/sum-fast.ko:\n"
			   "kernel/crypto/sum_generic.ko:\n"
			   "kernel/lib/leaf.ko:\n"
			   "kernel/lib/mid.ko: kernel/lib/leaf.ko\n"
			   "kernel/fs/top.ko: kernel/lib/mid.ko kernel/lib/leaf.ko\n"
			   "kernel/lib/after.ko:\n"
			   "kernel/drivers/card.ko:\n"),
		   "modules.dep: decompressed names, dependencies to load from the end");
		ok(data_is(&fs, "lib/modules/" REL "/modules.alias",
			   "alias crypto-sum sum_fast\n"
			   "alias crypto-sum sum_generic\n"
			   "alias fs-top top\n"
			   "alias pci:v00001AF4d*sv* card\n"), "modules.alias as depmod writes it");
		ok(data_is(&fs, "lib/modules/" REL "/modules.softdep",
			   "softdep top pre: crypto-sum post: after\n"), "modules.softdep");
		ok(data_is(&fs, "etc/minos/modules", "top\ncard\n"),
		   "etc/minos/modules: the names given, for minos-init");
		e = entry(&fs, "lib/modules/" REL "/kernel/lib/mid.ko");
		ok(e && e->data && e->size > 4 && !memcmp(e->data, ELFMAG, 4),
		   "a .ko.xz goes in decompressed, as .ko");
		e = entry(&fs, "lib/modules/" REL "/kernel/lib/leaf.ko");
		ok(e && e->data && !memcmp(e->data, ELFMAG, 4), "so does a .ko.zst");
		e = entry(&fs, "lib/firmware/top/fw.bin");
		ok(e && e->src && !strcmp(e->src, fw_src), "declared firmware is added");
		ok(!entry(&fs, "lib/firmware/missing.bin"), "missing firmware is not");
		ok(entry(&fs, "lib/modules/" REL "/modules.builtin") != NULL,
		   "modules.builtin is copied");
		ok(!entry(&fs, "lib/modules/" REL "/kernel/loop/ping.ko"),
		   "modules nobody asked for stay out");
		free(fw_src);
		fstree_free(&fs);
	}
	{
		struct module_opts o = {.dir = dir, .release = REL, .names = NULL, .n = 0};
		struct module *v;
		size_t n;
		char *empty = xasprintf("%s/empty", dir);

		mkdir(empty, 0755);
		o.dir = empty;
		is_int(modules_resolve(&o, &v, &n), 0, "an empty module tree resolves nothing");
		is_int(n, 0, "and gives no module");
		modules_free(v, n);
		free(empty);
	}
	{
		static const struct module_rule subtree[] = {
			{"drivers/ata/", "ata_scsi_ioctl|mmc_add_host"}, {"nic", NULL},
			{"absent_driver", NULL},
		};
		static const struct module_rule top_only[] = {{"drivers/ata/*", "ata_scsi_ioctl"}};
		struct module_opts o = {.dir = dir, .release = REL, .rules = subtree, .nrules = 3};
		struct module *v;
		size_t n;
		char *vmf = xasprintf("%s;name=ahci;depends=", vm);

		make_module_using("kernel/drivers/ata/ahci.ko", vmf, "printk;ata_scsi_ioctl", COMP_NONE);
		free(vmf);
		vmf = xasprintf("%s;name=helper;depends=", vm);
		make_module_using("kernel/drivers/ata/helper.ko.xz", vmf, "printk", COMP_XZ);
		free(vmf);
		vmf = xasprintf("%s;name=deep;depends=", vm);
		make_module_using("kernel/drivers/ata/sub/deep.ko", vmf, "mmc_add_host", COMP_NONE);
		free(vmf);
		M("kernel/drivers/net/nic.ko", "name=nic;depends=;alias=pci:v00008086d000010D3sv*",
		  COMP_NONE);
		is_int(modules_resolve(&o, &v, &n), 0, "driver rules resolve");
		{
			char got[256] = "";

			for (size_t i = 0; i < n; i++)
				snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s",
					 i ? " " : "", v[i].name);
			is_str(got, "ahci deep nic",
			       "a directory rule takes the modules that use its symbols, a name rule "
			       "its module; a rule for a module the tree lacks is no error");
		}
		modules_free(v, n);
		o.rules = top_only;
		o.nrules = 1;
		is_int(modules_resolve(&o, &v, &n), 0, "a directory-only rule resolves");
		ok(n == 1 && !strcmp(v[0].name, "ahci"), "and leaves its subdirectories out");
		modules_free(v, n);
		o.rules = NULL;
		o.nrules = 0;
		o.drivers = (const char *[]){"nic", "generik"};
		o.ndrivers = 2;
		is_int(modules_resolve(&o, &v, &n), -1,
		       "a --drivers word that is no set and no module is an error");
		o.ndrivers = 1;
		{
			struct fstree fs = {0};

			is_int(modules_add(&fs, &o), 0, "a NIC driver's image builds");
			ok(data_is(&fs, "etc/minos/net", "dhcp\n"),
			   "an image with a NIC driver says dhcp in etc/minos/net");
			ok(data_is(&fs, "etc/minos/modules", ""),
			   "--drivers names are loaded by their devices, not at boot");
			fstree_free(&fs);
		}
		ok(modules_in_list("a|bb|c", "bb", 2) && !modules_in_list("a|bb|c", "b", 1) &&
		   modules_in_list("a|bb|c", "c", 1) && !modules_in_list("", "a", 1),
		   "symbol lists are matched whole");
	}
	{
		char *cmd = xasprintf("rm -rf %s", dir);

		if (system(cmd) != 0)
			printf("# could not remove %s\n", dir);
		free(cmd);
	}
	return done_testing();
}
