/* test_patterns_generate.c - every shipped pattern template generates a
 * project that configures, builds warning-free and passes its own tests.
 *
 * For each pattern under templates/patterns/ (folders not starting with
 * '_'): `weft new` with default answers, and again with the non-default
 * answers listed in tests/fixtures/patterns/<pattern>.set (one k=v per
 * line), then cmake, build and ctest inside the generated project. With
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
		rc = sh("unset BXFI_MAP; cd '%s' && cmake -S . -B build -DCMAKE_C_FLAGS='-Wall -Wextra -Werror' "
			"> cmake.log 2>&1 && cmake --build build -j2 > build.log 2>&1 && "
			"ctest --test-dir build --output-on-failure > ctest.log 2>&1 || "
			"{ tail -n 60 cmake.log build.log ctest.log >&2; exit 1; }",
			proj);
		cr_assert_eq(rc, 0, "generated %s project (%s answers) failed to build or test", pc->name,
			     pc->custom ? "non-default" : "default");
	}
	sh("rm -rf '%s'", work);
}
