/*
 * test-secureboot.c - what minos reads to tell whether an ISO boots under
 * Secure Boot: files of FAT volumes (minos's own ESP, and mkfs.fat's
 * FAT12, FAT16 and FAT32 in the fuzz corpus) found by path in any case,
 * damaged volumes refused; PE images (the fuzz corpus's small one, with a
 * certificate in a .vendor_cert section as shim has) unsigned, signed,
 * signed twice, changed after signing, trusted through the section or
 * through a certificate of one's own.
 */
#include <stdlib.h>

#include "media/fat.h"
#include "media/pe.h"
#include "media/secureboot.h"
#include "tap.h"
#include "util/util.h"

#define CORPUS "tests/fuzz/corpus/"

static int read_fat(const struct buf *img, const char *path, struct buf *out)
{
	const char *why = NULL;

	out->len = 0;
	return fat_read_file(img->data, img->len, path, out, &why);
}

static void test_fat_roundtrip(void)
{
	static char big[70000];
	struct fat_file files[] = {
		{"EFI/BOOT/BOOTX64.EFI", big, sizeof(big)},
		{"EFI/BOOT/GRUB.CFG", "menu\n", 5},
		{"MINOS.CER", "", 0},
	};
	struct buf img = {0}, out = {0};
	const char *why = NULL;

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7 + i / 511);
	ok(fat_image(files, 3, 0x1234, 0, &img, "test") == 0, "fat_image writes an ESP");
	is_int(read_fat(&img, "EFI/BOOT/BOOTX64.EFI", &out), 1, "its loader is found");
	ok(out.len == sizeof(big) && !memcmp(out.data, big, sizeof(big)),
	   "and read back byte for byte, over many clusters");
	is_int(read_fat(&img, "efi/boot/grub.cfg", &out), 1, "a path in lower case is found");
	ok(out.len == 5 && !memcmp(out.data, "menu\n", 5), "and read back");
	is_int(read_fat(&img, "MINOS.CER", &out), 1, "an empty file is found");
	is_int(out.len, 0, "and is empty");
	is_int(read_fat(&img, "EFI/BOOT/NONE.EFI", &out), 0, "a missing file is not found");
	is_int(read_fat(&img, "EFI/BOOT", &out), 0, "a directory is no file");
	is_int(read_fat(&img, "MINOS.CER/X", &out), 0, "nor is a path through a file");

	/* the loader's chain made to loop: its first cluster points to itself */
	{
		struct buf bad = {0};
		const unsigned char *e = NULL;

		buf_add(&bad, img.data, img.len);
		for (size_t off = 0; off + 32 <= bad.len; off += 32)
			if (!memcmp(bad.data + off, "BOOTX64 EFI", 11))
				e = bad.data + off;
		ok(e != NULL, "the loader's directory entry is in the image");
		if (e) {
			unsigned c = le16(e + 26), at = 512 + c + c / 2;

			if (c & 1) {
				bad.data[at] = (bad.data[at] & 0x0f) | (c << 4 & 0xf0);
				bad.data[at + 1] = c >> 4;
			} else {
				bad.data[at] = c & 0xff;
				bad.data[at + 1] = (bad.data[at + 1] & 0xf0) | (c >> 8 & 0x0f);
			}
		}
		is_int(fat_read_file(bad.data, bad.len, "EFI/BOOT/BOOTX64.EFI", &out, &why), -1,
		       "a cluster chain that loops is refused");
		ok(why && strstr(why, "loops"), "saying so (%s)", why ? why : "");
		buf_free(&bad);
	}
	/* cut before the loader's data ends */
	out.len = 0;
	is_int(fat_read_file(img.data, img.len - 4096, "EFI/BOOT/BOOTX64.EFI", &out, &why), -1,
	       "a volume cut short is refused");
	out.len = 0;
	is_int(fat_read_file(img.data, 100, "EFI/BOOT/BOOTX64.EFI", &out, &why), -1,
	       "so is a stub of one");
	buf_free(&img);
	buf_free(&out);
}

static void test_fat_corpus(void)
{
	static const char *const kinds[] = {"fat12", "fat16", "fat32"};

	for (size_t i = 0; i < 3; i++) {
		char *path = xasprintf(CORPUS "fat/seed-%s", kinds[i]);
		struct buf img = {0}, out = {0};

		ok(read_file(path, &img) == 0, "%s read", path);
		is_int(read_fat(&img, "a/b/c.txt", &out), 1, "%s: a file two directories down", kinds[i]);
		ok(out.len == 6 && !memcmp(out.data, "hello\n", 6), "%s: read back", kinds[i]);
		is_int(read_fat(&img, "EFI/BOOT/BOOTX64.EFI", &out), 1, "%s: the loader", kinds[i]);
		is_int(read_fat(&img, "a/nothing", &out), 0, "%s: a missing name", kinds[i]);
		buf_free(&img);
		buf_free(&out);
		free(path);
	}
}

/* The .vendor_cert's certificate, as one's own to enrol. */
static void vendor_der(const struct buf *img, struct buf *der)
{
	struct pe_image pe;
	const char *why;
	const struct pe_section *s;

	der->len = 0;
	if (pe_parse(&pe, img->data, img->len, &why) < 0)
		return;
	if ((s = pe_section(&pe, ".vendor_cert")) && s->len >= 16)
		buf_add(der, img->data + s->at + 16, le32(img->data + s->at));
	pe_free(&pe);
}

static void test_pe(void)
{
	struct buf unsigned_ = {0}, signed_ = {0}, twice = {0}, der = {0}, none = {0};
	struct sb_verdict v;
	char *signer;

	ok(read_file(CORPUS "pe/seed-unsigned", &unsigned_) == 0 &&
	   read_file(CORPUS "pe/seed-signed", &signed_) == 0 &&
	   read_file(CORPUS "pe/seed-signed-twice", &twice) == 0, "the corpus's PE images read");

	is_int(sb_check("u", unsigned_.data, unsigned_.len, &unsigned_, NULL, &v), 0, "unsigned: checked");
	ok(v.signatures == 0 && !v.trusted && v.why && !strcmp(v.why, "unsigned"),
	   "unsigned: no signature, not trusted, said (%s)", v.why ? v.why : "");
	sb_verdict_free(&v);
	ok(sb_signer(unsigned_.data, unsigned_.len) == NULL, "unsigned: no signer");

	sb_check("s", signed_.data, signed_.len, &signed_, NULL, &v);
	ok(v.signatures == 1 && v.trusted, "signed: trusted through its .vendor_cert");
	is_str(v.signer, "/CN=fuzz", "signed: its signer");
	sb_verdict_free(&v);
	signer = sb_signer(signed_.data, signed_.len);
	is_str(signer, "/CN=fuzz", "sb_signer reads it too");
	free(signer);

	sb_check("t", twice.data, twice.len, &signed_, NULL, &v);
	ok(v.trusted, "signed twice: trusted");
	sb_verdict_free(&v);
	sb_check("t", twice.data, twice.len, &none, NULL, &v);
	ok(v.signatures == 2 && !v.trusted, "signed twice, nothing trusted: both signatures tried");
	sb_verdict_free(&v);

	/* Not trusted by a shim that has no certificate; trusted by one's own. */
	sb_check("s", signed_.data, signed_.len, &none, NULL, &v);
	ok(v.signatures == 1 && !v.trusted && strstr(v.why, "does not trust"),
	   "signed, nothing trusted: refused (%s)", v.why ? v.why : "");
	sb_verdict_free(&v);
	vendor_der(&signed_, &der);
	ok(der.len > 100, "the certificate taken from .vendor_cert");
	sb_check("s", signed_.data, signed_.len, &none, &der, &v);
	ok(v.trusted, "signed: trusted through a certificate of one's own");
	sb_verdict_free(&v);

	/* One byte of .text changed after signing. */
	signed_.data[0x200] ^= 1;
	sb_check("c", signed_.data, signed_.len, &signed_, NULL, &v);
	ok(!v.trusted && strstr(v.why, "does not match"),
	   "changed after signing: refused (%s)", v.why ? v.why : "");
	sb_verdict_free(&v);

	is_int(sb_check("x", "MZ", 2, &signed_, NULL, &v), -1, "no PE image: an error");
	buf_free(&unsigned_);
	buf_free(&signed_);
	buf_free(&twice);
	buf_free(&der);
}

int main(void)
{
	test_fat_roundtrip();
	test_fat_corpus();
	test_pe();
	return done_testing();
}
