/*
 * pe.c - the parts of a PE/COFF image Secure Boot looks at.
 *
 * UEFI firmware and shim check an image against its Authenticode
 * signature: a PKCS#7 SignedData in the certificate table (data directory
 * 4, whose "address" is a file offset) over a SHA-256 of the file that
 * leaves out the checksum, that directory entry and the table itself
 * (Microsoft's "Windows Authenticode Portable Executable Signature
 * Format"; the kernel's crypto/asymmetric_keys/verify_pefile.c does the
 * same).  Every offset read from the file is checked against its length.
 */
#include "media/pe.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#define MAX_SECTIONS 96		/* the PE limit */
#define CERT_ALIGN 8		/* certificate table entries are 8-byte aligned */
#define WIN_CERT_REVISION 0x0200
#define WIN_CERT_PKCS7 0x0002

static int cmp_section(const void *a, const void *b)
{
	const struct pe_section *x = a, *y = b;

	return x->at < y->at ? -1 : x->at > y->at;
}

/* -1 with *why set */
static int bad(const char **why, const char *reason)
{
	*why = reason;
	return -1;
}

/*
 * A section's name: up to 8 bytes in its header, or "/N", the offset of a
 * longer one in the COFF string table after the symbols (".vendor_cert").
 */
static void section_name(const unsigned char *p, size_t len, size_t coff,
			 const unsigned char *s, char name[17])
{
	uint64_t table = le32(p + coff + 12) + (uint64_t)le32(p + coff + 16) * 18;
	unsigned long off = 0;

	memcpy(name, s, 8);
	name[8] = 0;
	if (name[0] != '/')
		return;
	for (int i = 1; i < 8 && name[i] >= '0' && name[i] <= '9'; i++)
		off = off * 10 + (unsigned long)(name[i] - '0');
	name[0] = 0;
	if (!le32(p + coff + 12) || table + off >= len)
		return;
	for (size_t i = 0; i < 16 && table + off + i < len; i++)
		if (!(name[i] = (char)p[table + off + i]))
			break;
	name[16] = 0;
}

int pe_parse(struct pe_image *pe, const void *data, size_t len, const char **why)
{
	const unsigned char *p = data;
	size_t coff, opt, dirs, sec;
	uint32_t ndirs;
	uint16_t nsec, optlen, magic;

	*pe = (struct pe_image){.p = p, .len = len};
	if (len < 0x40 || p[0] != 'M' || p[1] != 'Z')
		return bad(why, "not a PE/COFF image (no MZ header)");
	coff = le32(p + 0x3c);
	if (coff > len - 24 || memcmp(p + coff, "PE\0\0", 4))
		return bad(why, "not a PE/COFF image (no PE header)");
	nsec = le16(p + coff + 6);
	optlen = le16(p + coff + 20);
	opt = coff + 24;
	if (opt + 2 > len || optlen > len - opt)
		return bad(why, "PE optional header out of bounds");
	magic = le16(p + opt);
	if (magic != 0x10b && magic != 0x20b)
		return bad(why, "unknown PE optional header magic");
	dirs = opt + (magic == 0x20b ? 112 : 96);
	if (dirs > opt + optlen)
		return bad(why, "PE optional header too short");
	ndirs = le32(p + dirs - 4);
	pe->checksum_at = opt + 64;
	pe->headers = le32(p + opt + 60);
	if (ndirs > 4 && dirs + 5 * 8 <= opt + optlen) {
		pe->certdir_at = dirs + 4 * 8;
		pe->cert_at = le32(p + pe->certdir_at);
		pe->cert_len = le32(p + pe->certdir_at + 4);
		if (!pe->cert_len)
			pe->cert_at = 0;
	}
	sec = opt + optlen;
	if (pe->headers > len || pe->headers < sec || nsec > MAX_SECTIONS ||
	    (size_t)nsec * 40 > pe->headers - sec)
		return bad(why, "PE section table out of bounds");
	if (pe->cert_len && (pe->cert_at > len || pe->cert_len > len - pe->cert_at ||
			     pe->cert_at < pe->headers))
		return bad(why, "PE certificate table out of bounds");
	pe->sec = xcalloc(nsec ? nsec : 1, sizeof(*pe->sec));
	for (size_t i = 0; i < nsec; i++) {
		const unsigned char *s = p + sec + i * 40;
		struct pe_section *ps = &pe->sec[pe->nsec];

		section_name(p, len, coff, s, ps->name);
		ps->len = le32(s + 16);
		ps->at = le32(s + 20);
		if (!ps->len)
			continue;
		if (ps->at > len || ps->len > len - ps->at) {
			pe_free(pe);
			return bad(why, "PE section out of bounds");
		}
		pe->nsec++;
	}
	qsort(pe->sec, pe->nsec, sizeof(*pe->sec), cmp_section);
	return 0;
}

int pe_open(struct pe_image *pe, const void *data, size_t len, const char *what)
{
	const char *why;

	return pe_parse(pe, data, len, &why) < 0 ? fail(what, "%s", why) : 0;
}

void pe_free(struct pe_image *pe)
{
	free(pe->sec);
	pe->sec = NULL;
	pe->nsec = 0;
}

const struct pe_section *pe_section(const struct pe_image *pe, const char *name)
{
	for (size_t i = 0; i < pe->nsec; i++)
		if (!strcmp(pe->sec[i].name, name))
			return &pe->sec[i];
	return NULL;
}

int pe_digest(const struct pe_image *pe, unsigned char md[32])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	const unsigned char *p = pe->p;
	size_t hashed = pe->headers, skip_at = pe->certdir_at ? pe->certdir_at : pe->headers;
	unsigned n = 0;
	int ok;

	if (!ctx)
		die_oom();
	/* the headers, less the checksum and the certificate table's entry */
	ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) &&
	     EVP_DigestUpdate(ctx, p, pe->checksum_at) &&
	     EVP_DigestUpdate(ctx, p + pe->checksum_at + 4, skip_at - pe->checksum_at - 4);
	if (pe->certdir_at)
		ok = ok && EVP_DigestUpdate(ctx, p + pe->certdir_at + 8,
					    pe->headers - pe->certdir_at - 8);
	/* the sections in file order */
	for (size_t i = 0; ok && i < pe->nsec; i++) {
		ok = EVP_DigestUpdate(ctx, p + pe->sec[i].at, pe->sec[i].len);
		hashed += pe->sec[i].len;
	}
	/* what follows them, up to the certificate table */
	if (ok && pe->len > hashed + pe->cert_len)
		ok = EVP_DigestUpdate(ctx, p + hashed, pe->len - hashed - pe->cert_len);
	ok = ok && EVP_DigestFinal_ex(ctx, md, &n) && n == 32;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : fail("sha256", "OpenSSL failed");
}

int pe_next_signature(const struct pe_image *pe, size_t *pos, const unsigned char **der,
		      size_t *n)
{
	while (*pos < pe->cert_len) {
		const unsigned char *e = pe->p + pe->cert_at + *pos;
		uint32_t len;

		if (pe->cert_len - *pos < 8 || (len = le32(e)) < 8 || len > pe->cert_len - *pos)
			return -1;
		*pos += (len + CERT_ALIGN - 1) & ~(size_t)(CERT_ALIGN - 1);
		if (le16(e + 4) == WIN_CERT_REVISION && le16(e + 6) == WIN_CERT_PKCS7) {
			*der = e + 8;
			*n = len - 8;
			return 1;
		}
	}
	return 0;
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

/* The PE checksum: 16-bit words summed with their carries, plus the length. */
static uint32_t checksum(const unsigned char *p, size_t len, size_t at)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < len; i += 2) {
		if (i == at || i == at + 2)
			continue;
		sum += p[i] | (i + 1 < len ? p[i + 1] << 8 : 0);
		sum = (sum & 0xffff) + (sum >> 16);
	}
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint32_t)(sum + len);
}

void pe_add_signature(const struct pe_image *pe, const unsigned char *der, size_t n,
		      struct buf *out)
{
	size_t table = pe->cert_len ? pe->cert_at : (pe->len + CERT_ALIGN - 1) & ~(size_t)(CERT_ALIGN - 1);
	size_t entry = (8 + n + CERT_ALIGN - 1) & ~(size_t)(CERT_ALIGN - 1);
	unsigned char head[8];

	out->len = 0;
	buf_reserve(out, table + pe->cert_len + entry);
	buf_add(out, pe->p, pe->len);
	memset(out->data + out->len, 0, table + pe->cert_len + entry - out->len);
	out->len = table + pe->cert_len;
	put32(head, (uint32_t)(8 + n));
	head[4] = WIN_CERT_REVISION & 0xff;
	head[5] = WIN_CERT_REVISION >> 8;
	head[6] = WIN_CERT_PKCS7;
	head[7] = 0;
	buf_add(out, head, 8);
	buf_add(out, der, n);
	out->len = table + pe->cert_len + entry;
	put32(out->data + pe->certdir_at, (uint32_t)table);
	put32(out->data + pe->certdir_at + 4, (uint32_t)(pe->cert_len + entry));
	put32(out->data + pe->checksum_at, checksum(out->data, out->len, pe->checksum_at));
}
