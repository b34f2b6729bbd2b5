/* require_present.c - what exists is found, under CI=true too: the test
 * passes (exit 0) only if both requirements return. */
#include <criterion/criterion.h>

#include "requires.h"

Test(skipcheck, needs_what_exists)
{
	weft_test_require_path("/", "the root folder");
	weft_test_require_tool("sh", "POSIX");
	cr_assert(weft_test_in_ci(), "this check runs with CI=true");
}
