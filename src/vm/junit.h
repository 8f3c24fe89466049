/*
 * junit.h - the verdict for CI: JUnit XML as GitLab and Jenkins read it,
 * from a KTAP tree and from testcases of the caller's own.
 */
#ifndef MINOS_JUNIT_H
#define MINOS_JUNIT_H

#include <stddef.h>
#include <stdio.h>

#include "util/util.h"
#include "vm/ktap.h"

/* A testcase beside the KTAP tree's: a kernel report, a command's exit status. */
struct junit_case {
	const char *suite;	/* its <testsuite>'s name; NULL: the run's own (junit_init's) */
	const char *classname;	/* NULL: its suite's name */
	const char *name;
	enum ktap_result result;
	const char *message;	/* a failure's, error's or skip's message attribute; or NULL */
	const char *text;	/* a failure's or error's text, else <system-out>; or NULL */
	size_t text_len;	/* its bytes, any bytes; 0 with text: strlen(text) */
	double seconds;		/* its time attribute; < 0: none */
};

struct junit {
	char *name;
	const struct ktap *ktap;
	struct junit_case *cases;	/* copies of junit_add's */
	size_t ncases, cap;
};

/*
 * One <testsuites name="name">: a <testsuite> per top-level test of k that
 * has subtests (theirs flattened into testcases of classname "suite.sub"),
 * then the suite "name" for k's top-level tests without subtests and the
 * cases added without a suite, then the added cases' own suites.  k (or
 * NULL) is read when writing: keep it until then.
 */
void junit_init(struct junit *j, const char *name, const struct ktap *k);
/* A testcase more; its strings are copied. */
void junit_add(struct junit *j, const struct junit_case *c);
/*
 * The document, well-formed whatever bytes the guest sent: what XML 1.0
 * cannot hold (control characters, bytes that are not UTF-8) becomes
 * U+FFFD.  junit_write returns -1 if f has an error after it (errno set),
 * saying nothing.
 */
void junit_write_buf(const struct junit *j, struct buf *out);
int junit_write(const struct junit *j, FILE *f);
void junit_free(struct junit *j);

#endif
