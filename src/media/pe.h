/* pe.h - PE/COFF images as UEFI loads them: their Authenticode digest and signatures */
#ifndef MINOS_PE_H
#define MINOS_PE_H

#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

struct pe_section {
	char name[17];			/* long names resolved through the COFF string table */
	uint32_t at, len;		/* raw data in the file */
};

struct pe_image {
	const unsigned char *p;
	size_t len;
	size_t checksum_at;		/* OptionalHeader.CheckSum */
	size_t certdir_at;		/* the certificate table's data directory entry */
	size_t headers;			/* SizeOfHeaders */
	uint32_t cert_at, cert_len;	/* the certificate table, 0 0 if none */
	struct pe_section *sec;		/* sorted by their place in the file */
	size_t nsec;
};

/*
 * Reads the headers of a PE32+ (or PE32) image in memory: an x86 bzImage
 * with its EFI stub, shim, GRUB.  Everything is checked against len.  -1
 * after an error naming `what` ("not a PE/COFF image", a header out of
 * bounds); pe_free() after success.
 */
int pe_open(struct pe_image *pe, const void *p, size_t len, const char *what);
/* The same, saying nothing: -1 with *why ("not a PE/COFF image ..."). */
int pe_parse(struct pe_image *pe, const void *p, size_t len, const char **why);
void pe_free(struct pe_image *pe);

/* The section named name (".vendor_cert"), or NULL. */
const struct pe_section *pe_section(const struct pe_image *pe, const char *name);

/*
 * The Authenticode SHA-256 of the image, what a signature signs: the file
 * without its checksum, its certificate table entry and the table itself.
 */
int pe_digest(const struct pe_image *pe, unsigned char md[32]);

/*
 * The PKCS#7 signatures in the certificate table, one per call: 1 and the
 * DER in *der, *n; 0 after the last; -1 if the table is malformed.  *pos
 * starts at 0.
 */
int pe_next_signature(const struct pe_image *pe, size_t *pos, const unsigned char **der,
		      size_t *n);

/*
 * The image with one more signature: a copy in *out with the PKCS#7 DER
 * appended to the certificate table (which must end the file, as signing
 * tools leave it), the table's entry and the checksum updated.
 */
void pe_add_signature(const struct pe_image *pe, const unsigned char *der, size_t n,
		      struct buf *out);

#endif
