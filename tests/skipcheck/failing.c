/* failing.c - one test fails, the other skips: the executable exits 1, never
 * 77, so a failure among skips is never reported as a skip. */
#include <criterion/criterion.h>

Test(skipcheck, fails)
{
	cr_assert_eq(1 + 1, 3, "fails on purpose");
}

Test(skipcheck, skipped)
{
	cr_skip_test("skipped on purpose");
}
