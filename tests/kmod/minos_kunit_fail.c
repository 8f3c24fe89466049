// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * minos_kunit_fail: a KUnit suite, minos_fail, with one case that passes
 * and one that fails on purpose, for minos test's reading of KUnit's
 * results (#29).  Loading it runs the suite (with kunit.enable=1 on a
 * kernel built with KUNIT_DEFAULT_ENABLED=n, as the verdict kernel is).
 */
#include <kunit/test.h>
#include <linux/module.h>

static void passes(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, 1 + 1, 2);
}

static void fails(struct kunit *test)
{
	KUNIT_EXPECT_EQ_MSG(test, 1 + 1, 3, "this case fails on purpose");
}

static struct kunit_case minos_fail_cases[] = {
	KUNIT_CASE(passes),
	KUNIT_CASE(fails),
	{}
};

static struct kunit_suite minos_fail_suite = {
	.name = "minos_fail",
	.test_cases = minos_fail_cases,
};
kunit_test_suite(minos_fail_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("a KUnit suite with a failing case, for minos's tests");
