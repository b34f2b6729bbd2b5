/* all_skipped.c - every test skips (one by cr_skip_test, one disabled):
 * the executable must exit 77, so ctest reports it as skipped. */
#include <criterion/criterion.h>

Test(skipcheck, skipped)
{
	cr_skip_test("skipped on purpose");
}

Test(skipcheck, disabled, .disabled = true)
{
	cr_assert_fail("a disabled test never runs");
}
