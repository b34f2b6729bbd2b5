/* test_patterns_generate.c - every shipped pattern template generates a
 * project that configures, builds warning-free and passes its own tests.
 *
 * For each pattern under templates/patterns/ (folders not starting with
 * '_'): `weft new` with default answers, and again with the non-default
 * answers listed in tests/fixtures/patterns/<pattern>.set (one k=v per
 * line), then the project's own `make test` inside it: a build with
 * warnings as errors and its tests, then a separate AddressSanitizer +
 * UndefinedBehaviorSanitizer build and the same tests (both passes are
 * checked to have run). With
 * WEFT_PATTERNS_GENERATE_ONLY=1 (the sanitizer pass) only the generation
 * runs: the generated projects are not weft's code.
 * ctest-labels: slow patterns
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "weft_core.h"

#define PATTERNS WEFT_SOURCE_DIR "/templates/patterns"

typedef struct {
	char name[32];
	bool custom; /* use the .set file */
} pattern_case;

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

ParameterizedTestParameters(patterns, generate_build_test)
{
	static pattern_case cases[32];
	size_t n = 0;
	DIR *dir = opendir(PATTERNS);
	if (dir) {
		struct dirent *e;
		while ((e = readdir(dir)) && n + 2 <= 32) {
			if (e->d_name[0] == '.' || e->d_name[0] == '_' ||
			    strlen(e->d_name) >= sizeof cases[0].name)
				continue;
			char manifest[512];
			snprintf(manifest, sizeof manifest, PATTERNS "/%s/template.yaml", e->d_name);
			if (!weft_path_exists(manifest))
				continue;
			for (int custom = 0; custom < 2; custom++) {
				memcpy(cases[n].name, e->d_name, strlen(e->d_name) + 1);
				cases[n++].custom = custom;
			}
		}
		closedir(dir);
	}
	return cr_make_param_array(pattern_case, cases, n);
}

ParameterizedTest(pattern_case *pc, patterns, generate_build_test, .timeout = 900)
{
	char work[] = "/tmp/weft-pattern-XXXXXX";
	cr_assert_not_null(mkdtemp(work));
	weft_buf sets = WEFT_BUF_INIT;
	if (pc->custom) {
		char path[512];
		snprintf(path, sizeof path, WEFT_FIXTURES "/patterns/%s.set", pc->name);
		FILE *fp = fopen(path, "r");
		cr_assert_not_null(fp, "pattern %s has no non-default answers in %s", pc->name, path);
		char line[512];
		while (fgets(line, sizeof line, fp)) {
			line[strcspn(line, "\n")] = '\0';
			if (!line[0] || line[0] == '#')
				continue;
			weft_buf_printf(&sets, " --set '%s'", line);
		}
		fclose(fp);
	}
	char proj[600];
	snprintf(proj, sizeof proj, "%s/%s-%s", work, pc->name, pc->custom ? "custom" : "default");
	int rc = sh("'%s' new %s '%s' --no-git%s > '%s.log' 2>&1", WEFT_BIN, pc->name, proj,
		    sets.ptr ? sets.ptr : "", proj);
	if (rc != 0)
		sh("cat '%s.log' >&2", proj);
	cr_assert_eq(rc, 0, "weft new %s failed", pc->name);
	weft_buf_free(&sets);

	char path[700];
	snprintf(path, sizeof path, "%s/CMakeLists.txt", proj);
	cr_assert(weft_path_exists(path), "generated %s has no CMakeLists.txt", pc->name);
	snprintf(path, sizeof path, "%s/README.md", proj);
	cr_assert(weft_path_exists(path), "generated %s has no README.md", pc->name);
	snprintf(path, sizeof path, "%s/.weft-answers.yaml", proj);
	cr_assert(weft_path_exists(path));

	const char *only = getenv("WEFT_PATTERNS_GENERATE_ONLY");
	if (!(only && *only == '1')) {
		/* the generated tests are Criterion programs too: hide our worker
		 * map from them, or they take themselves for our workers */
		rc = sh("unset BXFI_MAP; cd '%s' && make test JOBS=2 "
			"CMAKE_FLAGS=\"-DCMAKE_C_FLAGS='-Wall -Wextra -Werror'\" > make-test.log 2>&1 || "
			"{ tail -n 80 make-test.log >&2; exit 1; }",
			proj);
		cr_assert_eq(rc, 0, "generated %s project (%s answers) failed `make test`", pc->name,
			     pc->custom ? "non-default" : "default");
		/* both passes ran: the plain build's tests, then the sanitizer build's */
		rc = sh("cd '%s' && grep -q 'SANITIZE:BOOL=ON' build-asan/CMakeCache.txt && "
			"test \"$(grep -c '100%% tests passed' make-test.log)\" -eq 2",
			proj);
		cr_assert_eq(rc, 0, "generated %s project: `make test` did not run both passes (plain, then ASan+UBSan)",
			     pc->name);
	}
	sh("rm -rf '%s'", work);
}

/* Every pattern's Makefile runs the same two passes with a bounded job
 * count: `test` runs the plain tests then `test-asan`; JOBS is capped; no
 * `-j` without a number. */
Test(patterns, makefiles_run_both_passes_with_bounded_jobs)
{
	static const char *const names[] = { "api", "batch", "embedded", "edge", "hitl" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char path[512];
		snprintf(path, sizeof path, PATTERNS "/%s/files/Makefile", names[i]);
		weft_buf text = WEFT_BUF_INIT;
		FILE *fp = fopen(path, "r");
		cr_assert_not_null(fp, "%s", path);
		char line[1024];
		while (fgets(line, sizeof line, fp))
			weft_buf_printf(&text, "%s", line);
		fclose(fp);
		const char *t = text.ptr;
		cr_expect_not_null(strstr(t, "JOBS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); [ \"$$n\" -gt 8 ] && n=8; echo $$n)"),
				   "%s: JOBS is not the capped core count", path);
		cr_expect_not_null(strstr(t, "\ntest: build\n\tctest --test-dir $(BUILD) $(CTEST_FLAGS)\n\t$(MAKE) test-asan\n"),
				   "%s: `make test` is not plain tests then test-asan", path);
		cr_expect_not_null(strstr(t, "\ntest-asan: build-asan\n\t$(SANITIZER_ENV) ctest --test-dir $(ASAN_BUILD) $(CTEST_FLAGS)\n"),
				   "%s: test-asan does not run the sanitizer build's tests", path);
		cr_expect_not_null(strstr(t, "SANITIZE=ON"), "%s: no sanitizer build", path);
		for (const char *j = strstr(t, "-j"); j; j = strstr(j + 2, "-j"))
			cr_expect(j[2] == '$' || (j[2] >= '0' && j[2] <= '9'), "%s: unbounded -j: %.40s", path, j);
		weft_buf_free(&text);
	}
}

/* The hitl pattern keeps reviewers' tokens hashed: the generated
 * routing.conf has the digests of the tokens its README publishes for
 * development, and never the tokens themselves. */
Test(patterns, hitl_config_holds_token_digests_only)
{
	char work[] = "/tmp/weft-pattern-XXXXXX";
	cr_assert_not_null(mkdtemp(work));
	int rc = sh("'%s' new hitl '%s/p' --no-git --no-input > '%s/log' 2>&1", WEFT_BIN, work, work);
	cr_assert_eq(rc, 0, "weft new hitl failed");
	static const char *const plain[] = { "dev-claims-token-change-me", "dev-alice-token-change-me",
					     "dev-lead-token-change-me" };
	for (size_t i = 0; i < 3; i++) {
		cr_expect_eq(sh("grep -q -- '%s' '%s/p/README.md'", plain[i], work), 0, "README lacks %s", plain[i]);
		cr_expect_neq(sh("grep -rq -- '%s' '%s/p/routing.conf'", plain[i], work), 0,
			      "routing.conf holds the token %s in clear", plain[i]);
		cr_expect_eq(sh("grep -q \"sha256:$(printf %%s '%s' | sha256sum | cut -d' ' -f1)\" '%s/p/routing.conf'",
				plain[i], work),
			     0, "routing.conf lacks the digest of %s", plain[i]);
	}
	sh("rm -rf '%s'", work);
}
