/* test_templates_update_pattern.c - a project made from the previous
 * version of the shipped api pattern (1.0.0, rebuilt from the copies in
 * tests/fixtures/templates/api-1.0.0 over today's pattern), edited by its
 * user, then brought to the shipped version by weft update: no conflict,
 * the user's edits and the new version's changes (request ids) both in
 * place, and the project still builds warning-free and passes its own
 * tests, plain and under the sanitizers.
 * ctest-labels: slow patterns
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cli_run.h"
#include "weft_core.h"

#define OLD WEFT_FIXTURES "/templates/api-1.0.0"

static int sh(const char *fmt, ...) WEFT_PRINTF(1, 2);
static int sh(const char *fmt, ...)
{
	weft_buf cmd = WEFT_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	weft_buf_vprintf(&cmd, fmt, ap);
	va_end(ap);
	int st = system(cmd.ptr);
	weft_buf_free(&cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static char *slurp(const char *path)
{
	char *s = NULL;
	size_t len;
	weft_diags *d = NULL;
	weft_diags_new(&d);
	int err = weft_file_read(&s, &len, path, 0, d);
	weft_diags_free(d);
	cr_assert_eq(err, 0, "cannot read %s", path);
	return s;
}

Test(update_pattern, api_from_the_previous_version_updates_builds_and_passes, .timeout = 900)
{
	char work[] = "/tmp/weft-update-api-XXXXXX";
	cr_assert_not_null(mkdtemp(work));
	setenv("GIT_AUTHOR_NAME", "Test Author", 1);
	setenv("GIT_AUTHOR_EMAIL", "author@example.com", 1);
	setenv("GIT_COMMITTER_NAME", "Test Author", 1);
	setenv("GIT_COMMITTER_EMAIL", "author@example.com", 1);
	/* the previous version: today's patterns with 1.0.0's files put back */
	cr_assert_eq(sh("mkdir -p '%s/data/templates' && cp -r '" WEFT_SOURCE_DIR "/templates/patterns' "
			"'%s/data/templates/' && cp -r '" OLD "/.' '%s/data/templates/patterns/api/' && "
			"cd '%s/data/templates/patterns/api' && xargs rm -f < ADDED && rm ADDED",
			work, work, work, work),
		     0);
	cr_assert_eq(sh("grep -q 'version: \"1.0.0\"' '%s/data/templates/patterns/api/template.yaml'", work), 0);
	cr_assert_eq(sh("WEFT_DATA_DIR='%s/data' '%s' new api '%s/p' --no-input > '%s/new.log' 2>&1", work, WEFT_BIN,
			work, work),
		     0, "weft new from api 1.0.0");
	/* the user's edits, on lines 1.1.0 leaves alone, and a file of their own */
	cr_assert_eq(sh("cd '%s/p' && sed -i 's/^connection_timeout_s = 10/connection_timeout_s = 30/' "
			"config/service.conf && grep -q '^connection_timeout_s = 30' config/service.conf && "
			"printf '\\n/* This team: scores feed the CRM nightly report too. */\\n' >> src/service.c && "
			"printf '\\n## Our notes\\n\\nOn call: the CRM team.\\n' >> README.md && "
			"mkdir -p docs && printf 'runbook\\n' > docs/runbook.md && "
			"git add -A && git commit -qm 'our edits'",
			work),
		     0);
	char *out = NULL, *err = NULL;
	char args[600];
	snprintf(args, sizeof args, "update '%s/p' --no-input", work);
	int rc = weft_test_run(&out, &err, NULL, args);
	cr_assert_eq(rc, 0, "weft update to the shipped api: %s%s", out, err);
	cr_expect(strstr(out, "api 1.0.0 -> "), "%s", out);
	cr_expect(strstr(out, " 0 conflicts"), "%s", out);
	free(out);
	free(err);
	char path[700];
	snprintf(path, sizeof path, "%s/p/config/service.conf", work);
	char *conf = slurp(path);
	cr_expect(strstr(conf, "connection_timeout_s = 30") && strstr(conf, "request_id_header = X-Request-Id"),
		  "service.conf has the user's timeout and the new setting:\n%s", conf);
	free(conf);
	snprintf(path, sizeof path, "%s/p/src/service.c", work);
	char *svc = slurp(path);
	cr_expect(strstr(svc, "This team: scores feed") && strstr(svc, "request_id"), "service.c merged");
	free(svc);
	snprintf(path, sizeof path, "%s/p/tests/test_request_id.c", work);
	cr_expect(weft_path_exists(path), "the new version's test was added");
	cr_expect_eq(sh("cd '%s/p' && grep -q 'On call: the CRM team' README.md && grep -qx runbook docs/runbook.md", work),
		     0);
	cr_expect_eq(sh("cd '%s/p' && grep -q 'version: \"1.1' .weft-answers.yaml", work), 0);
	/* it builds and passes its own tests, both passes */
	rc = sh("unset BXFI_MAP; cd '%s/p' && make test JOBS=2 CMAKE_FLAGS=\"-DCMAKE_C_FLAGS='-Wall -Wextra -Werror'\" "
		"> make-test.log 2>&1 || { tail -n 80 make-test.log >&2; exit 1; }",
		work);
	cr_assert_eq(rc, 0, "the updated project failed `make test`");
	cr_expect_eq(sh("cd '%s/p' && test \"$(grep -c '100%% tests passed' make-test.log)\" -eq 2", work), 0,
		     "both passes ran");
	sh("rm -rf '%s'", work);
}
