/* fuzz-dpkg.c - --package: dpkg's status file and the Depends lines in it */
#include <stdint.h>
#include <stddef.h>

#include "image/package.h"

static void visit(const struct dpkg_pkg *p, void *ctx)
{
	(void)p;
	++*(size_t *)ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dpkg_db db;
	size_t n = 0;

	dpkg_parse((const char *)data, size, &db);
	for (size_t i = 0; i < db.n; i++)
		dpkg_depends(&db, db.v[i].depends, visit, &n);
	dpkg_free(&db);
	return 0;
}
