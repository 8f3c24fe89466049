/* secureboot.h - the signed boot chain: shim, GRUB and a kernel it accepts */
#ifndef MINOS_SECUREBOOT_H
#define MINOS_SECUREBOOT_H

#include <stddef.h>

#include "util/arch.h"
#include "util/util.h"

/*
 * The EFI system partition's files, 8.3 names in upper case: UEFI starts
 * the removable-media loader, GRUB's, or under Secure Boot Debian's shim,
 * which starts the signed GRUB (or the MOK manager) from its own
 * directory; that GRUB reads its grub.cfg from /boot/grub on the ESP.
 * MINOS.CER is a certificate of one's own for the MOK manager to enrol.
 * iso_write (media/iso.c) writes them; sb_iso_report reads them back.
 */
#define ESP_LOADER	"EFI/BOOT/BOOTX64.EFI"
#define ESP_GRUB	"EFI/BOOT/GRUBX64.EFI"
#define ESP_MOKMANAGER	"EFI/BOOT/MMX64.EFI"
#define ESP_LOADER_AA64	"EFI/BOOT/BOOTAA64.EFI"	/* arm64's */
#define ESP_GRUB_AA64	"EFI/BOOT/GRUBAA64.EFI"
#define ESP_MOKMANAGER_AA64 "EFI/BOOT/MMAA64.EFI"
#define ESP_GRUB_CFG	"BOOT/GRUB/GRUB.CFG"
#define ESP_OWN_CERT	"MINOS.CER"

/* Debian's signed binaries, copied onto the ESP unchanged. */
struct sb_chain {
	struct buf shim, grub, mokmanager;
};

/*
 * Reads them; -1 with *why (malloc'd) naming the missing file and the
 * Debian package that has it, for the caller to say as an error or a
 * warning.
 */
int sb_chain_read(struct sb_chain *c, enum arch arch, char **why);
void sb_chain_free(struct sb_chain *c);

/* What a PE image's signatures say, against the certificates trusted. */
struct sb_verdict {
	int signatures;		/* how many PKCS#7 signatures it carries */
	int trusted;		/* one of them verifies: the digest matches, the chain leads to a trusted certificate */
	char *signer;		/* the subject of the trusted signature's signer, else of the first one */
	char *why;		/* when not trusted: why, in a few words */
};

/*
 * Checks the image at path (data, len) against shim's built-in vendor
 * certificate (read from its .vendor_cert section) and, if not NULL, a
 * certificate of one's own (DER, enrolled with the MOK manager).  -1 only
 * for an image that is no PE/COFF image (said, naming path).
 */
int sb_check(const char *path, const void *data, size_t len, const struct buf *shim,
	     const struct buf *own_cert, struct sb_verdict *v);
void sb_verdict_free(struct sb_verdict *v);

/* The subject of the first signature's signer of a PE image, or NULL (unsigned, or no PE). */
char *sb_signer(const void *data, size_t len);

/*
 * Signs a PE image with key and cert (PEM, or DER for the certificate):
 * an Authenticode signature appended to its certificate table (the image's
 * own signatures are kept), its signing time SOURCE_DATE_EPOCH, so the
 * same input gives the same bytes.  The certificate in DER goes to
 * *cert_der.  -1 after an error naming the file at fault.
 */
int sb_sign(const char *path, const void *data, size_t len, const char *key,
	    const char *cert, struct buf *out, struct buf *cert_der);

/* minos iso --secure-boot: whether an ISO boots through the signed chain. */
enum sb_mode { SB_AUTO, SB_ON, SB_OFF };
extern const char *const sb_mode_names[];	/* "auto", "on", "off": by enum sb_mode */

struct sb_plan {
	enum sb_mode mode;
	const char *key, *cert;		/* --sign-key, --sign-cert */
	enum arch arch;			/* the kernel's: the chain is its architecture's */
	struct sb_chain chain;		/* set when the ISO boots through it */
	struct buf cert_der;		/* the certificate, for the ESP */
	char *signed_kernel;		/* the kernel signed with key, a temporary file */
};

/* --sign-key and --sign-cert go together, and not with off: 0, or -1 said. */
int sb_plan_check(const struct sb_plan *p);
/*
 * Decides, for the kernel at path: 1 the ISO boots through the signed chain,
 * 0 it does not (off; with auto, when the chain is missing or does not trust
 * the kernel: a warning says why), -1 after an error (on, and it cannot).
 * With --sign-key the kernel is signed into a temporary file beside output.
 * *boot_kernel is the kernel to put on the ISO.
 */
int sb_plan_decide(struct sb_plan *p, const char *path, const char *output,
		   const char **boot_kernel);
/* Frees the plan and removes its temporary file. */
void sb_plan_free(struct sb_plan *p);

/* vmlinuz, vmlinuz-6.1.0-57-amd64, bzImage: a file that is a kernel by its name. */
int sb_kernel_name(const char *path);

/* An ISO's kernel (its path there, no leading '/'), for sb_iso_report. */
struct sb_kernel {
	const char *path;
	const void *data;
	size_t len;
};

/* What an ISO offers Secure Boot, as minos ls read it. */
struct sb_iso {
	int uefi;			/* it has a UEFI El Torito boot entry */
	const void *esp;		/* that entry's image (a FAT), if it is a file of the ISO */
	size_t esp_len;
	const struct sb_kernel *kernels;	/* its files sb_kernel_name picks, in path order */
	size_t nkernels;
};

/* Lines of text, without their newlines. */
struct sb_report {
	char **line;
	size_t n;
};

/*
 * What Secure Boot will do with the ISO, as shim does it: the firmware
 * starts the ESP's loader if it is signed; when that is shim (with its
 * vendor certificate built in), shim starts the GRUB beside it and GRUB
 * each kernel if they are signed with that certificate, or with MINOS.CER
 * once the MOK manager has enrolled it.  Lines starting "# Secure Boot: ",
 * the last "ready", "ready once MINOS.CER is enrolled with the MOK manager"
 * or "not ready: WHY".  Names and signers are as the ISO has them: the
 * caller escapes the lines it prints.
 */
void sb_iso_report(const struct sb_iso *iso, struct sb_report *r);
void sb_report_free(struct sb_report *r);

#endif
