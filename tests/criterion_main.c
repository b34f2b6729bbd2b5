/* criterion_main.c - the main() of every test executable: Criterion's own
 * (initialize, handle the arguments, run, finalize), except that a run in
 * which no test passed and none failed exits with WEFT_TEST_SKIPPED (77),
 * the code tests/CMakeLists.txt gives ctest as SKIP_RETURN_CODE. Criterion
 * itself exits 0 then, and ctest would print "Passed" for a suite that
 * tested nothing. A run with some passed and some skipped tests exits 0
 * (Criterion's output lists the skips); a failure or crash exits 1 as
 * before. Tests left out by --filter count as skipped, so a filter that
 * matches nothing exits 77 too; --list and --help exit 0. Each skip is
 * printed with its reason ("[SKIP] suite::test: why"), which Criterion
 * itself does only with --verbose.
 *
 * Linked into each test executable as an object (not from the helper
 * library), so this main() wins over the one in libcriterion. */
#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <criterion/logging.h>
#include <criterion/options.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define WEFT_TEST_SKIPPED 77

static bool ran;
static size_t passed, failed, crashed, errors;

/* Runs in the runner process after each test that ran. */
ReportHook(POST_TEST)(struct criterion_test_stats *stats)
{
	if (stats->test_status == CR_STATUS_SKIPPED && criterion_options.logging_threshold > CRITERION_INFO)
		fprintf(stderr, "[SKIP] %s::%s: %s\n", stats->test->category, stats->test->name,
			stats->message ? stats->message : "skipped");
}

/* Runs in the runner process once every test has finished. */
ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
	ran = true;
	passed = stats->tests_passed;
	failed = stats->tests_failed;
	crashed = stats->tests_crashed;
	errors = stats->errors;
}

int main(int argc, char *argv[])
{
	struct criterion_test_set *tests = criterion_initialize();
	int result = 0;
	if (criterion_handle_args(argc, argv, true))
		result = !criterion_run_all_tests(tests);
	criterion_finalize(tests);
	if (result == 0 && ran && passed == 0 && failed == 0 && crashed == 0 && errors == 0)
		return WEFT_TEST_SKIPPED;
	return result;
}
