/* test_cli_install.c - an installed weft works wherever its prefix is put.
 *
 * `cmake --install` into a temporary prefix, the prefix copied to another
 * folder and the original removed, then the copy runs in a mount namespace
 * where a tmpfs hides the source tree and the build folder, with
 * WEFT_DATA_DIR unset: it must find its data beside itself (templates list,
 * assess score on a shipped example, new api, and doctor saying where the
 * data came from). A check inside the namespace first proves the source tree
 * is really out of reach, so the test cannot pass by reading it.
 *
 * Needs root (a mount namespace and a tmpfs). Outside CI it skips without;
 * under CI, which runs as root, it fails. */
#include <criterion/criterion.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_run.h"
#include "requires.h"
#include "weft_core.h"

static char tmp[] = "/tmp/weft-install-XXXXXX";
static char build_dir[4096];

static void setup(void)
{
	cr_assert_not_null(mkdtemp(tmp));
	char bin[4096];
	snprintf(bin, sizeof bin, "%s", WEFT_BIN);
	snprintf(build_dir, sizeof build_dir, "%s", dirname(bin));
}

static void teardown(void)
{
	char line[4200];
	snprintf(line, sizeof line, "rm -rf '%s'", tmp);
	cr_assert_eq(system(line), 0);
}

TestSuite(install, .init = setup, .fini = teardown, .timeout = 300);

static int sh(char **out, char **err, const char *fmt, ...) WEFT_PRINTF(3, 4);
static int sh(char **out, char **err, const char *fmt, ...)
{
	char line[16384];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	return weft_test_sh(out, err, tmp, NULL, line);
}

/* Run `weft <args>` from the moved prefix with the build folder and the
 * source tree hidden (in that order: the build folder may lie inside the
 * source tree), WEFT_DATA_DIR and WEFT_CUDA_MODULE unset. */
static int hidden_run(char **out, char **err, const char *args)
{
	return sh(out, err,
		  "unshare -m sh -c \"mount --make-rprivate / && "
		  "mount -t tmpfs -o size=1m tmpfs '%s' && mount -t tmpfs -o size=1m tmpfs '%s' && "
		  "cd '%s' && env -u WEFT_DATA_DIR -u WEFT_CUDA_MODULE '%s/moved/bin/weft' %s\"",
		  build_dir, WEFT_SOURCE_DIR, tmp, tmp, args);
}

static bool can_mount(void)
{
	char *out = NULL, *err = NULL;
	int rc = geteuid() == 0 ? sh(&out, &err, "unshare -m sh -c 'mount --make-rprivate / && "
						 "mount -t tmpfs tmpfs /mnt'") : -1;
	free(out);
	free(err);
	return rc == 0;
}

Test(install, a_copied_prefix_runs_with_the_source_tree_hidden)
{
	if (!can_mount()) {
		if (weft_test_in_ci())
			cr_assert_fail("CI runs as root: a mount namespace with a tmpfs must work");
		cr_skip_test("needs root for a mount namespace and a tmpfs");
	}
	char *out = NULL, *err = NULL;
	int rc = sh(&out, &err, "cmake --install '%s' --prefix '%s/prefix'", build_dir, tmp);
	cr_assert_eq(rc, 0, "cmake --install failed:\n%s%s", out, err);
	free(out);
	free(err);
	rc = sh(&out, &err, "cp -a prefix moved && rm -rf prefix");
	cr_assert_eq(rc, 0, "%s", err);
	free(out);
	free(err);

	/* the control: inside the namespace the source tree is empty */
	rc = sh(&out, &err,
		"unshare -m sh -c \"mount --make-rprivate / && mount -t tmpfs tmpfs '%s' && "
		"ls -A '%s' | wc -l\"", WEFT_SOURCE_DIR, WEFT_SOURCE_DIR);
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_eq(atoi(out), 0, "the source tree is still visible: %s", out);
	free(out);
	free(err);

	rc = hidden_run(&out, &err, "templates list");
	cr_assert_eq(rc, 0, "templates list: exit %d\n%s", rc, err);
	static const char *const patterns[] = { "api", "batch", "embedded", "edge", "hitl" };
	for (size_t i = 0; i < 5; i++) {
		char word[32];
		snprintf(word, sizeof word, "\n%s ", patterns[i]);
		cr_expect(strstr(out, word) || strncmp(out, word + 1, strlen(word) - 1) == 0,
			  "templates list lacks %s:\n%s", patterns[i], out);
	}
	free(out);
	free(err);

	char args[4400];
	snprintf(args, sizeof args,
		 "assess score '%s/moved/share/weft/assess/examples/claims-2026.yaml' --format json",
		 tmp);
	rc = hidden_run(&out, &err, args);
	cr_assert_eq(rc, 0, "assess score: exit %d\n%s", rc, err);
	cr_expect(strstr(out, "\"overall\""), "%s", out);
	free(out);
	free(err);

	rc = hidden_run(&out, &err, "new api churn-score");
	cr_assert_eq(rc, 0, "new api: exit %d\n%s", rc, err);
	free(out);
	free(err);
	char path[4400];
	snprintf(path, sizeof path, "%s/churn-score/.weft-answers.yaml", tmp);
	cr_expect_eq(access(path, F_OK), 0, "new api wrote no %s", path);
	snprintf(path, sizeof path, "%s/churn-score/openapi.yaml", tmp);
	cr_expect_eq(access(path, F_OK), 0, "new api wrote no %s", path);

	rc = hidden_run(&out, &err, "doctor");
	cr_assert_eq(rc, 0, "doctor: exit %d\n%s", rc, err);
	cr_expect(strstr(out, "installed beside the binary"), "doctor:\n%s", out);
	char want[4400];
	snprintf(want, sizeof want, "%s/moved/share/weft", tmp);
	cr_expect(strstr(out, want), "doctor does not name %s:\n%s", want, out);
#ifdef WEFT_HAVE_CUDA
	/* the CUDA module moved with the prefix, and is opened from there */
	snprintf(want, sizeof want, "module %s/moved/lib", tmp);
	cr_expect(strstr(out, want), "doctor did not open the moved CUDA module:\n%s", out);
#endif
	free(out);
	free(err);
}
