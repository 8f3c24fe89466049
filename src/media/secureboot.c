/*
 * secureboot.c - the chain every distribution boots through under Secure
 * Boot: shim signed by Microsoft, which trusts its vendor's certificate
 * (built into its .vendor_cert section), a GRUB and a kernel signed with
 * it.  Debian ships the signed shim, MOK manager and GRUB; we copy them
 * unchanged and check, as shim will, that the kernel's signature verifies
 * against that certificate, or against one of the user's own enrolled with
 * the MOK manager.
 *
 * The Authenticode signature is PKCS#7 SignedData whose content is an
 * SpcIndirectDataContent holding the image's SHA-256 (pe_digest()); the
 * signed attributes' message digest covers that content less its outer
 * SEQUENCE header.  sbsigntool's sbsign makes the same, but stamps it
 * with the time of signing: we sign with SOURCE_DATE_EPOCH instead.
 */
#include "media/secureboot.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "image/kernel.h"
#include "media/fat.h"
#include "media/pe.h"
#include "util/deb.h"

#define SHIM_DIR "/usr/lib/shim"
#define SPC_INDIRECT_DATA "1.3.6.1.4.1.311.2.1.4"
#define SPC_SP_OPUS_INFO "1.3.6.1.4.1.311.2.1.12"
#define MAX_CERT (1 << 20)	/* a key or certificate file larger than this is neither */

static const struct {
	enum arch arch;
	const char *dir, *name, *package;
	size_t field;
} chain_files[] = {
	{ARCH_X86_64, SHIM_DIR, "shimx64.efi.signed", "shim-signed", offsetof(struct sb_chain, shim)},
	{ARCH_X86_64, SHIM_DIR, "mmx64.efi.signed", "shim-helpers-amd64-signed",
	 offsetof(struct sb_chain, mokmanager)},
	{ARCH_X86_64, NULL, "x86_64-efi-signed/gcdx64.efi.signed", "grub-efi-amd64-signed",
	 offsetof(struct sb_chain, grub)},
	{ARCH_ARM64, SHIM_DIR, "shimaa64.efi.signed", "shim-signed", offsetof(struct sb_chain, shim)},
	{ARCH_ARM64, SHIM_DIR, "mmaa64.efi.signed", "shim-helpers-arm64-signed",
	 offsetof(struct sb_chain, mokmanager)},
	{ARCH_ARM64, NULL, "arm64-efi-signed/gcdaa64.efi.signed", "grub-efi-arm64-signed",
	 offsetof(struct sb_chain, grub)},
};

/*
 * Where chain file i is: the host's (GRUB's in $MINOS_GRUB_DIR), else for
 * another architecture than the host's its Debian package unpacked into
 * the cache (the host cannot install arm64's).  NULL with *why set.
 */
static char *chain_path(size_t i, char **why)
{
	const char *env = getenv("MINOS_GRUB_DIR");
	const char *dir = chain_files[i].dir ? chain_files[i].dir :
			  env && *env ? env : "/usr/lib/grub";
	char *path = xasprintf("%s/%s", dir, chain_files[i].name), *root;

	if (access(path, F_OK) == 0 || chain_files[i].arch == arch_host())
		return path;
	free(path);
	if (!(root = deb_fetch(chain_files[i].package, chain_files[i].arch))) {
		*why = xasprintf("%s:%s: cannot fetch it", chain_files[i].package,
				 arch_debian(chain_files[i].arch));
		return NULL;
	}
	path = xasprintf("%s%s/%s", root, chain_files[i].dir ? chain_files[i].dir :
			 "/usr/lib/grub", chain_files[i].name);
	free(root);
	return path;
}

int sb_chain_read(struct sb_chain *c, enum arch arch, char **why)
{
	*c = (struct sb_chain){0};
	for (size_t i = 0; i < ARRAY_SIZE(chain_files); i++) {
		char *path = chain_files[i].arch == arch ? chain_path(i, why) : NULL;
		struct buf *b = (struct buf *)((char *)c + chain_files[i].field);
		int rc = 0;

		if (chain_files[i].arch != arch)
			continue;
		if (!path) {
			rc = -1;
		} else if (access(path, F_OK) < 0) {
			*why = xasprintf("%s: missing: install Debian's %s", path,
					 chain_files[i].package);
			rc = -1;
		} else if (access(path, R_OK) < 0) {
			*why = xasprintf("%s: %s", path, strerror(errno));
			rc = -1;
		} else if ((rc = read_file(path, b)) < 0) {
			*why = xasprintf("%s: unreadable", path);
		}
		free(path);
		if (rc < 0) {
			sb_chain_free(c);
			return -1;
		}
	}
	return 0;
}

void sb_chain_free(struct sb_chain *c)
{
	buf_free(&c->shim);
	buf_free(&c->grub);
	buf_free(&c->mokmanager);
}

void sb_verdict_free(struct sb_verdict *v)
{
	free(v->signer);
	free(v->why);
	*v = (struct sb_verdict){0};
}

static X509 *x509_der(const unsigned char *p, size_t n)
{
	return n > LONG_MAX ? NULL : d2i_X509(NULL, &p, (long)n);
}

/*
 * Shim's vendor certificates: .vendor_cert starts with the sizes and
 * offsets (within the section) of the authorized and revoked lists; the
 * authorized one is one DER certificate, or an EFI signature list of them.
 */
static void add_vendor_certs(const struct buf *shim, X509_STORE *store)
{
	static const unsigned char x509_guid[16] = {
		0xa1, 0x59, 0xc0, 0xa5, 0xe4, 0x94, 0xa7, 0x4a,
		0x87, 0xb5, 0xab, 0x15, 0x5c, 0x2b, 0xf0, 0x72};
	struct pe_image pe;
	const struct pe_section *s;
	const unsigned char *p;
	uint32_t size, at;
	const char *why;

	if (pe_parse(&pe, shim->data, shim->len, &why) < 0)
		return;
	s = pe_section(&pe, ".vendor_cert");
	if (!s || s->len < 16)
		goto out;
	p = pe.p + s->at;
	size = le32(p);
	at = le32(p + 8);
	if (at > s->len || size > s->len - at)
		goto out;
	p += at;
	if (size >= 28 && !memcmp(p, x509_guid, 16)) {
		/* EFI_SIGNATURE_LIST: type, list size, header size, entry size */
		uint32_t list = le32(p + 16), header = le32(p + 20), entry = le32(p + 24);

		if (list > size || header > list - 28 || entry <= 16)
			goto out;
		for (uint32_t o = 28 + header; o + entry <= list; o += entry) {
			X509 *x = x509_der(p + o + 16, entry - 16);

			if (x)
				X509_STORE_add_cert(store, x);
			X509_free(x);
		}
	} else {
		X509 *x = x509_der(p, size);

		if (x)
			X509_STORE_add_cert(store, x);
		X509_free(x);
	}
out:
	pe_free(&pe);
}

/* Shim checks the chain, not the uses or the dates a certificate states. */
static int verify_cb(int ok, X509_STORE_CTX *ctx)
{
	switch (X509_STORE_CTX_get_error(ctx)) {
	case X509_V_ERR_INVALID_PURPOSE:
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
	case X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION:
		return 1;
	}
	return ok;
}

/* Steps into a DER element at *p: its tag and the length of its contents. */
static int der_next(const unsigned char **p, long *left, int *tag, long *len)
{
	const unsigned char *q = *p;
	int xclass;

	if (*left <= 0 || (ASN1_get_object(&q, len, tag, &xclass, *left) & 0x80) ||
	    *len > *left - (q - *p))
		return -1;
	*left -= q - *p;
	*p = q;
	return 0;
}

/*
 * The image digest an SpcIndirectDataContent states: SEQUENCE { data
 * SEQUENCE, messageDigest SEQUENCE { algorithm SEQUENCE { OID, ... },
 * digest OCTET STRING } }.  1 if it is this SHA-256, 0 if not.
 */
static int idc_matches(const unsigned char *p, long n, const unsigned char md[32])
{
	static const unsigned char sha256_oid[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01};
	int tag;
	long len;

	if (der_next(&p, &n, &tag, &len) < 0 || tag != V_ASN1_SEQUENCE)
		return 0;
	n = len;
	if (der_next(&p, &n, &tag, &len) < 0 || tag != V_ASN1_SEQUENCE)
		return 0;
	p += len, n -= len;
	if (der_next(&p, &n, &tag, &len) < 0 || tag != V_ASN1_SEQUENCE)
		return 0;
	n = len;
	if (der_next(&p, &n, &tag, &len) < 0 || tag != V_ASN1_SEQUENCE)
		return 0;
	{
		const unsigned char *a = p;
		long an = len, olen;

		if (der_next(&a, &an, &tag, &olen) < 0 || tag != V_ASN1_OBJECT ||
		    olen != sizeof(sha256_oid) || memcmp(a, sha256_oid, sizeof(sha256_oid)))
			return 0;
	}
	p += len, n -= len;
	return der_next(&p, &n, &tag, &len) == 0 && tag == V_ASN1_OCTET_STRING && len == 32 &&
	       !memcmp(p, md, 32);
}

static char *subject_of(X509 *x)
{
	char *s = X509_NAME_oneline(X509_get_subject_name(x), NULL, 0);
	char *r = xstrdup(s ? s : "?");

	OPENSSL_free(s);
	return r;
}

/*
 * One signature: 1 if it verifies against the store and states md, 0 if
 * not (*why says what failed).  *signer gets its signer's subject.
 */
static int verify_one(const unsigned char *der, size_t n, const unsigned char md[32],
		      X509_STORE *store, char **signer, const char **why)
{
	const unsigned char *q = der;
	PKCS7 *p7 = n > LONG_MAX ? NULL : d2i_PKCS7(NULL, &q, (long)n);
	ASN1_OBJECT *spc = OBJ_txt2obj(SPC_INDIRECT_DATA, 1);
	STACK_OF(X509) *signers = NULL;
	PKCS7 *content;
	ASN1_STRING *idc;
	const unsigned char *v;
	long vlen, left;
	int tag, ok = 0;
	BIO *in = NULL;
	FILE *f = NULL;

	*why = "malformed signature";
	if (!p7 || !spc || !PKCS7_type_is_signed(p7) || !p7->d.sign ||
	    !(content = p7->d.sign->contents) || OBJ_cmp(content->type, spc) ||
	    !content->d.other || content->d.other->type != V_ASN1_SEQUENCE)
		goto out;
	idc = content->d.other->value.sequence;
	signers = PKCS7_get0_signers(p7, NULL, 0);
	if (signers && sk_X509_num(signers) > 0) {
		free(*signer);
		*signer = subject_of(sk_X509_value(signers, 0));
	}
	if (!idc_matches(idc->data, idc->length, md)) {
		*why = "the signature does not match the image (changed after signing)";
		goto out;
	}
	/* the signed attributes cover the content without its SEQUENCE header */
	v = idc->data;
	left = idc->length;
	if (der_next(&v, &left, &tag, &vlen) < 0)
		goto out;
	/*
	 * Not a memory BIO: OpenSSL 3.0's PKCS7_verify copies one into a BIO
	 * of its own and leaks that when the signature's digest cannot be set
	 * up; a FILE's BIO it uses as it is.
	 */
	if (vlen <= 0 || !(f = fmemopen((void *)v, (size_t)vlen, "rb")) ||
	    !(in = BIO_new_fp(f, BIO_CLOSE))) {
		if (f)
			fclose(f);
		goto out;
	}
	*why = "signed by a certificate the shim chain does not trust";
	ok = PKCS7_verify(p7, NULL, store, in, NULL, PKCS7_BINARY) == 1;
out:
	ERR_clear_error();
	BIO_free(in);
	sk_X509_free(signers);
	ASN1_OBJECT_free(spc);
	PKCS7_free(p7);
	return ok;
}

int sb_check(const char *path, const void *data, size_t len, const struct buf *shim,
	     const struct buf *own_cert, struct sb_verdict *v)
{
	struct pe_image pe;
	X509_STORE *store = X509_STORE_new();
	unsigned char md[32];
	const unsigned char *der;
	size_t pos = 0, n;
	const char *why = "unsigned";
	int rc;

	*v = (struct sb_verdict){0};
	if (!store)
		die_oom();
	if (pe_open(&pe, data, len, path) < 0) {
		X509_STORE_free(store);
		return -1;
	}
	add_vendor_certs(shim, store);
	if (own_cert) {
		X509 *x = x509_der(own_cert->data, own_cert->len);

		if (x)
			X509_STORE_add_cert(store, x);
		X509_free(x);
	}
	X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN | X509_V_FLAG_NO_CHECK_TIME);
	X509_STORE_set_verify_cb(store, verify_cb);
	if (pe_digest(&pe, md) < 0) {
		rc = -1;
		goto out;
	}
	while ((rc = pe_next_signature(&pe, &pos, &der, &n)) == 1) {
		char *signer = NULL;

		v->signatures++;
		if (verify_one(der, n, md, store, &signer, &why)) {
			free(v->signer);
			v->signer = signer;
			v->trusted = 1;
			break;
		}
		if (!v->signer)
			v->signer = signer;
		else
			free(signer);
	}
	if (rc < 0)
		why = "malformed certificate table";
	if (!v->trusted)
		v->why = xstrdup(why);
	rc = 0;
out:
	pe_free(&pe);
	X509_STORE_free(store);
	return rc;
}

char *sb_signer(const void *data, size_t len)
{
	struct pe_image pe;
	const unsigned char *der, *q;
	size_t pos = 0, n;
	char *signer = NULL;

	const char *why;

	if (pe_parse(&pe, data, len, &why) < 0)
		return NULL;
	if (pe_next_signature(&pe, &pos, &der, &n) == 1 && n <= LONG_MAX) {
		PKCS7 *p7 = (q = der, d2i_PKCS7(NULL, &q, (long)n));
		STACK_OF(X509) *s = p7 && PKCS7_type_is_signed(p7) ?
				    PKCS7_get0_signers(p7, NULL, 0) : NULL;

		if (s && sk_X509_num(s) > 0)
			signer = subject_of(sk_X509_value(s, 0));
		sk_X509_free(s);
		PKCS7_free(p7);
		ERR_clear_error();
	}
	pe_free(&pe);
	return signer;
}

/* A certificate file, PEM or DER; NULL after an error naming it. */
static X509 *read_cert(const char *path)
{
	struct buf b = {0};
	X509 *x = NULL;
	BIO *bio;

	if (read_file_max(path, &b, MAX_CERT, NULL) < 0)
		return NULL;
	if ((bio = BIO_new_mem_buf(b.data, (int)b.len)))
		x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (!x)
		x = x509_der(b.data, b.len);
	ERR_clear_error();
	buf_free(&b);
	if (!x)
		fail(path, "not an X.509 certificate (PEM or DER)");
	return x;
}

static EVP_PKEY *read_key(const char *path)
{
	struct buf b = {0};
	EVP_PKEY *k = NULL;
	BIO *bio;

	if (read_file_max(path, &b, MAX_CERT, NULL) < 0)
		return NULL;
	if ((bio = BIO_new_mem_buf(b.data, (int)b.len)))
		k = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	ERR_clear_error();
	OPENSSL_cleanse(b.data, b.len);
	buf_free(&b);
	if (!k)
		fail(path, "not a private key in PEM without a passphrase");
	return k;
}

/*
 * SpcIndirectDataContent for a PE image's SHA-256, in DER: the image
 * data (SPC_PE_IMAGE_DATA, flags none, the "<<<Obsolete>>>" file link
 * signing tools write) and the digest.
 */
static void make_idc(const unsigned char md[32], unsigned char idc[106])
{
	static const unsigned char head[] = {
		0x30, 0x68,
		0x30, 0x33, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x01, 0x0f,
		0x30, 0x25, 0x03, 0x01, 0x00, 0xa0, 0x20, 0xa2, 0x1e, 0x80, 0x1c,
		0, '<', 0, '<', 0, '<', 0, 'O', 0, 'b', 0, 's', 0, 'o', 0, 'l', 0, 'e', 0, 't',
		0, 'e', 0, '>', 0, '>', 0, '>',
		0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
		0x01, 0x05, 0x00, 0x04, 0x20};

	_Static_assert(sizeof(head) == 106 - 32, "SpcIndirectDataContent layout");
	memcpy(idc, head, sizeof(head));
	memcpy(idc + sizeof(head), md, 32);
}

/* The PKCS#7 SignedData of an Authenticode signature over idc, in DER. */
static int sign_idc(const unsigned char idc[106], X509 *cert, EVP_PKEY *key, struct buf *out)
{
	PKCS7 *p7 = PKCS7_new(), *inner = PKCS7_new();
	ASN1_OBJECT *spc = OBJ_txt2obj(SPC_INDIRECT_DATA, 1);
	ASN1_OBJECT *opus = OBJ_txt2obj(SPC_SP_OPUS_INFO, 1);
	ASN1_UTCTIME *when = ASN1_UTCTIME_set(NULL, (time_t)source_date_epoch());
	ASN1_STRING *empty = ASN1_STRING_new(), *seq = ASN1_STRING_new();
	PKCS7_SIGNER_INFO *si;
	BIO *bio = NULL;
	unsigned char *der = NULL;
	int n = -1, ok;

	ok = p7 && inner && spc && opus && when && empty && seq &&
	     PKCS7_set_type(p7, NID_pkcs7_signed) &&
	     (si = PKCS7_add_signature(p7, cert, key, EVP_sha256())) &&
	     PKCS7_add_certificate(p7, cert) &&
	     PKCS7_add_signed_attribute(si, NID_pkcs9_contentType, V_ASN1_OBJECT,
					OBJ_dup(spc)) &&
	     ASN1_STRING_set(empty, "\x30\x00", 2) &&
	     PKCS7_add_signed_attribute(si, OBJ_obj2nid(opus) != NID_undef ? OBJ_obj2nid(opus) :
					OBJ_create(SPC_SP_OPUS_INFO, "spcSpOpusInfo", NULL),
					V_ASN1_SEQUENCE, empty) &&
	     /* present, so OpenSSL adds no clock time of its own */
	     PKCS7_add_signed_attribute(si, NID_pkcs9_signingTime, V_ASN1_UTCTIME, when) &&
	     PKCS7_content_new(p7, NID_pkcs7_data) &&
	     (bio = PKCS7_dataInit(p7, NULL)) &&
	     BIO_write(bio, idc + 2, 104) == 104 &&
	     PKCS7_dataFinal(p7, bio);
	if (ok) {
		empty = NULL;	/* the attributes own them now */
		when = NULL;
		/* the content signed, as what it is: SpcIndirectDataContent */
		ok = ASN1_STRING_set(seq, idc, 106) &&
		     (inner->d.other = ASN1_TYPE_new()) != NULL;
		if (ok) {
			ASN1_TYPE_set(inner->d.other, V_ASN1_SEQUENCE, seq);
			seq = NULL;
			inner->type = OBJ_dup(spc);
			ok = inner->type && PKCS7_set_content(p7, inner);
			if (ok)
				inner = NULL;
		}
	}
	if (ok && (n = i2d_PKCS7(p7, &der)) > 0)
		buf_add(out, der, (size_t)n);
	OPENSSL_free(der);
	BIO_free_all(bio);
	ASN1_STRING_free(empty);
	ASN1_STRING_free(seq);
	ASN1_UTCTIME_free(when);
	ASN1_OBJECT_free(spc);
	ASN1_OBJECT_free(opus);
	PKCS7_free(inner);
	PKCS7_free(p7);
	ERR_clear_error();
	return n > 0 ? 0 : fail("--sign-key", "OpenSSL could not sign with this key and certificate");
}

int sb_sign(const char *path, const void *data, size_t len, const char *key,
	    const char *cert, struct buf *out, struct buf *cert_der)
{
	struct pe_image pe;
	struct buf padded = {0}, sig = {0};
	unsigned char md[32], idc[106], *der = NULL;
	X509 *x = read_cert(cert);
	EVP_PKEY *k = x ? read_key(key) : NULL;
	int rc = -1, n;

	if (!k)
		goto out;
	if (X509_check_private_key(x, k) != 1) {
		ERR_clear_error();
		fail(key, "is not the key of %s", cert);
		goto out;
	}
	if (pe_open(&pe, data, len, path) < 0)
		goto out;
	if (!pe.certdir_at || (pe.cert_len && pe.cert_at + pe.cert_len != len)) {
		pe_free(&pe);
		fail(path, "cannot be signed: its certificate table is %s",
		     pe.certdir_at ? "not at its end" : "missing");
		goto out;
	}
	/* the table starts 8-byte aligned: the padding is part of what is signed */
	if (!pe.cert_len && len % 8) {
		pe_free(&pe);
		buf_add(&padded, data, len);
		buf_add(&padded, "\0\0\0\0\0\0\0", 8 - len % 8);
		if (pe_open(&pe, padded.data, padded.len, path) < 0)
			goto out;
	}
	rc = pe_digest(&pe, md);
	if (rc == 0) {
		make_idc(md, idc);
		rc = sign_idc(idc, x, k, &sig);
	}
	if (rc == 0) {
		pe_add_signature(&pe, sig.data, sig.len, out);
		if ((n = i2d_X509(x, &der)) > 0)
			buf_add(cert_der, der, (size_t)n);
		else
			rc = fail(cert, "cannot be written as DER");
	}
	pe_free(&pe);
out:
	OPENSSL_free(der);
	buf_free(&padded);
	buf_free(&sig);
	EVP_PKEY_free(k);
	X509_free(x);
	return rc;
}

const char *const sb_mode_names[] = {"auto", "on", "off", NULL};

int sb_plan_check(const struct sb_plan *p)
{
	if (p->key && p->cert && p->mode == SB_OFF)
		return fail("--sign-key", "signs for Secure Boot: not with --secure-boot off");
	if (!p->key != !p->cert)
		return fail(p->key ? "--sign-key" : "--sign-cert", "needs %s too",
			    p->key ? "--sign-cert" : "--sign-key");
	return 0;
}

/* The kernel signed with --sign-key, written beside the output. */
static int sign_kernel(struct sb_plan *p, const char *kernel, const struct buf *k,
		       const char *output)
{
	struct buf out = {0};
	int fd, rc;

	if (sb_sign(kernel, k->data, k->len, p->key, p->cert, &out, &p->cert_der) < 0)
		return -1;
	if (!(p->signed_kernel = temp_beside(output, "kernel", &fd))) {
		rc = -1;
	} else {
		rc = write_all(fd, out.data, out.len);
		if (close(fd) < 0 && rc == 0)
			rc = fail_errno(p->signed_kernel, "cannot write");
	}
	buf_free(&out);
	return rc;
}

/* The chain is there: does it trust the kernel (signed first if asked)? */
static int plan_verdict(struct sb_plan *p, const char *path, const char *output,
			const char **boot_kernel, struct sb_verdict *v)
{
	struct buf k = {0};
	int rc = -1;

	if (read_file(path, &k) < 0)
		goto out;
	if (p->key) {
		if (sign_kernel(p, path, &k, output) < 0)
			goto out;
		*boot_kernel = p->signed_kernel;
		buf_free(&k);
		if (read_file(*boot_kernel, &k) < 0)
			goto out;
	}
	rc = sb_check(path, k.data, k.len, &p->chain.shim, p->key ? &p->cert_der : NULL, v);
out:
	buf_free(&k);
	return rc;
}

int sb_plan_decide(struct sb_plan *p, const char *path, const char *output,
		   const char **boot_kernel)
{
	struct sb_verdict v = {0};
	char *why = NULL;
	int rc = -1;

	*boot_kernel = path;
	if (p->mode == SB_OFF)
		return 0;
	if (sb_chain_read(&p->chain, p->arch, &why) < 0) {
		if (p->mode == SB_ON)
			fail("--secure-boot", "on: %s", why);
		else
			warning("--secure-boot", "off: %s", why);
		free(why);
		return p->mode == SB_ON ? -1 : 0;
	}
	if (plan_verdict(p, path, output, boot_kernel, &v) < 0)
		goto out;
	if (v.trusted) {
		rc = 1;
	} else if (p->mode == SB_ON) {
		fail(path, "the kernel cannot boot under Secure Boot: %s%s%s; sign it with "
		     "--sign-key and --sign-cert", v.why, v.signer ? ", signer " : "",
		     v.signer ? v.signer : "");
	} else {
		warning(path, "the kernel cannot boot under Secure Boot: %s%s%s; the ISO boots "
			"without it", v.why,
			v.signer ? ", signer " : "", v.signer ? v.signer : "");
		sb_chain_free(&p->chain);
		rc = 0;
	}
out:
	sb_verdict_free(&v);
	return rc;
}

void sb_plan_free(struct sb_plan *p)
{
	if (p->signed_kernel)
		unlink(p->signed_kernel);
	free(p->signed_kernel);
	p->signed_kernel = NULL;
	sb_chain_free(&p->chain);
	buf_free(&p->cert_der);
}

/* ---- minos ls: what an ISO's ESP and kernels say to shim ---- */

int sb_kernel_name(const char *path)
{
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;

	return !strncmp(base, "vmlinuz", 7) || !strncmp(base, "bzImage", 7);
}

__attribute__((format(printf, 2, 3)))
static void say(struct sb_report *r, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	r->line = xrealloc(r->line, (r->n + 1) * sizeof(*r->line));
	r->line[r->n++] = xasprintf("# Secure Boot: %s", s);
	free(s);
}

void sb_report_free(struct sb_report *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->line[i]);
	free(r->line);
	*r = (struct sb_report){0};
}

/* An architecture's names on the ESP: the loader the firmware starts, shim's GRUB. */
static const struct {
	enum arch arch;
	const char *loader, *grub;
} esp_arches[] = {
	{ARCH_X86_64, ESP_LOADER, ESP_GRUB},
	{ARCH_ARM64, ESP_LOADER_AA64, ESP_GRUB_AA64},
};

/*
 * The firmware's part: 1 if it starts shim (the loader), into *shim, to
 * check the rest; else 0, said.  found: whether the ESP has the loader.
 */
static int firmware_starts_shim(const struct sb_iso *iso, const char *loader, struct buf *shim,
				struct sb_report *r)
{
	const char *why = NULL;
	struct pe_image pe;
	char *signer;
	int found, is_shim;

	if (!iso->esp) {
		say(r, "not ready: %s", iso->uefi ? "the UEFI boot image is no file of the ISO" :
		    "the ISO has no UEFI boot image");
		return 0;
	}
	found = fat_read_file(iso->esp, iso->esp_len, loader, shim, &why);
	if (found < 0)
		say(r, "not ready: the UEFI boot image holds %s", why);
	else if (found == 0)
		say(r, "not ready: the UEFI boot image holds no %s", loader);
	if (found <= 0)
		return 0;
	signer = sb_signer(shim->data, shim->len);
	if (!signer) {
		say(r, "not ready: %s is unsigned: the firmware refuses it", loader);
		return 0;
	}
	is_shim = pe_parse(&pe, shim->data, shim->len, &why) == 0 &&
		  pe_section(&pe, ".vendor_cert");
	pe_free(&pe);
	say(r, "%s signed by %s%s", loader, signer, is_shim ? " (shim)" :
	    ", no shim: whether it boots is up to the firmware's keys");
	free(signer);
	return is_shim;
}

/* One line on a PE image shim is to start; NULL if it will, else why not (malloc'd). */
static char *shim_starts(struct sb_report *r, const char *name, const void *img, size_t len,
			 const struct buf *shim, const struct buf *cer, int *own)
{
	struct pe_image pe;
	struct sb_verdict v;
	const char *why;
	char *no = NULL, *by;
	int by_own = 0;

	if (pe_parse(&pe, img, len, &why) < 0) {
		say(r, "%s: no PE/COFF image (no EFI stub): shim cannot start it", name);
		return xasprintf("%s is no PE/COFF image", name);
	}
	pe_free(&pe);
	sb_check(name, img, len, shim, NULL, &v);
	if (!v.trusted && cer->len) {
		sb_verdict_free(&v);
		sb_check(name, img, len, shim, cer, &v);
		by_own = v.trusted;
		*own |= by_own;
	}
	by = v.signer ? xasprintf(" signed by %s", v.signer) : xstrdup("");
	if (by_own) {
		say(r, "%s%s, trusted once " ESP_OWN_CERT " is enrolled", name, by);
	} else if (v.trusted) {
		say(r, "%s%s, trusted by shim", name, by);
	} else {
		say(r, "%s%s: %s, shim refuses it", name, by, v.why);
		no = xasprintf("%s is not signed with a key shim trusts", name);
	}
	free(by);
	sb_verdict_free(&v);
	return no;
}

/* One architecture's chain: shim, its GRUB, the kernels of that architecture. */
static void report_arch(const struct sb_iso *iso, size_t a, struct sb_report *r, int several)
{
	struct buf shim = {0}, grub = {0}, cer = {0};
	const char *why, *grub_name = esp_arches[a].grub;
	char *not_ready = NULL;
	int own = 0, nkernels = 0;

	if (!firmware_starts_shim(iso, esp_arches[a].loader, &shim, r))
		goto out;
	if (fat_read_file(iso->esp, iso->esp_len, ESP_OWN_CERT, &cer, &why) != 1)
		cer.len = 0;
	if (fat_read_file(iso->esp, iso->esp_len, grub_name, &grub, &why) == 1)
		not_ready = shim_starts(r, grub_name, grub.data, grub.len, &shim, &cer, &own);
	else
		not_ready = xasprintf("shim finds no %s to start", grub_name);
	for (size_t i = 0; i < iso->nkernels; i++) {
		const struct sb_kernel *k = &iso->kernels[i];
		char *no;

		if (several && kernel_header_arch(k->data, k->len) != esp_arches[a].arch)
			continue;
		nkernels++;
		no = shim_starts(r, k->path, k->data, k->len, &shim, &cer, &own);
		if (!not_ready)
			not_ready = no;
		else
			free(no);
	}
	if (!nkernels && !not_ready)
		not_ready = xstrdup("no kernel (vmlinuz*, bzImage*) to check");
	if (not_ready)
		say(r, "not ready: %s", not_ready);
	else if (own)
		say(r, "ready once " ESP_OWN_CERT " is enrolled with the MOK manager");
	else
		say(r, "ready");
out:
	free(not_ready);
	buf_free(&shim);
	buf_free(&grub);
	buf_free(&cer);
}

void sb_iso_report(const struct sb_iso *iso, struct sb_report *r)
{
	size_t have[ARRAY_SIZE(esp_arches)], n = 0;
	const char *why;

	/* the loaders the ESP has: x86's alone (or none) reports as it always did */
	for (size_t a = 0; iso->esp && a < ARRAY_SIZE(esp_arches); a++) {
		struct buf b = {0};

		if (fat_read_file(iso->esp, iso->esp_len, esp_arches[a].loader, &b, &why) == 1)
			have[n++] = a;
		buf_free(&b);
	}
	if (n == 0)
		have[n++] = 0;
	for (size_t i = 0; i < n; i++)
		report_arch(iso, have[i], r, n > 1);
}
