/* require_missing.c - tests needing a file and a program that do not exist:
 * skipped outside CI (the executable exits 77), failed under CI=true
 * (exits 1). */
#include <criterion/criterion.h>

#include "requires.h"

Test(skipcheck, needs_a_missing_file)
{
	weft_test_require_path("/nonexistent/weft-peer-suites/spec.json", "a peer suite");
	cr_assert_fail("weft_test_require_path returned for a missing path");
}

Test(skipcheck, needs_a_missing_program)
{
	weft_test_require_tool("weft-no-such-program", "it does not exist");
	cr_assert_fail("weft_test_require_tool returned for a missing program");
}
