/* mixed.c - one test passes, one skips: the executable exits 0 (the suite
 * did test something; Criterion's output lists the skip). */
#include <criterion/criterion.h>

Test(skipcheck, passes)
{
	cr_assert_eq(1 + 1, 2);
}

Test(skipcheck, skipped)
{
	cr_skip_test("skipped on purpose");
}
