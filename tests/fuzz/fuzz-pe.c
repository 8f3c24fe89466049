/*
 * fuzz-pe.c - the PE/COFF reader and the Authenticode check: headers,
 * sections, the certificate table, the digest, and each PKCS#7 signature
 * verified against the image's own .vendor_cert (as shim's is read).
 */
#include <stdint.h>
#include <stdlib.h>

#include "media/pe.h"
#include "media/secureboot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf self = {(unsigned char *)data, size, size};
	struct sb_verdict v;
	struct pe_image pe;
	const char *why;

	if (pe_parse(&pe, data, size, &why) == 0)
		pe_free(&pe);
	free(sb_signer(data, size));
	if (sb_check("fuzz", data, size, &self, NULL, &v) == 0)
		sb_verdict_free(&v);
	return 0;
}
