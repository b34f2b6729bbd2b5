/* fixtures.c - see fixtures.h. */
#include "fixtures.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "weft_core.h"

const char *weft_test_fixture(char *buf, size_t n, const char *rel)
{
	const char *env = getenv("WEFT_TEST_FIXTURES");
	const char *dir = weft_exe_dir();
	int len = env && *env ? snprintf(buf, n, "%s/%s", env, rel)
			      : snprintf(buf, n, "%s/fixtures/%s", dir ? dir : ".", rel);
	cr_assert(len > 0 && (size_t)len < n, "fixture path too long: %s", rel);
	cr_assert(access(buf, R_OK) == 0,
		  "fixture %s not found (set WEFT_TEST_FIXTURES to the tests/fixtures folder)", buf);
	return buf;
}
