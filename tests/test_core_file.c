/* test_core_file.c - whole-file reads and atomic writes: no overwrite
 * without force, nothing left behind on failure, modes kept. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "weft_core.h"

static char dir[] = "/tmp/weft-test-file-XXXXXX";
static weft_diags *d;

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(weft_diags_new(&d), 0);
}

static void teardown(void)
{
	weft_diags_free(d);
	char cmd[256];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(core_file, .init = setup, .fini = teardown);

static size_t entries(const char *path)
{
	DIR *dp = opendir(path);
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(dp)))
		n += e->d_name[0] != '.';
	closedir(dp);
	return n;
}

static char *slurp(const char *path)
{
	char *s = NULL;
	cr_assert_eq(weft_file_read(&s, NULL, path, 0, d), 0);
	return s;
}

Test(core_file, write_then_read_back)
{
	char p[512];
	snprintf(p, sizeof p, "%s/out.txt", dir);
	cr_assert_eq(weft_file_write_atomic(p, "hello\n", 6, 0, d), 0);
	char *s = slurp(p);
	cr_assert_str_eq(s, "hello\n");
	free(s);
	struct stat st;
	cr_assert_eq(stat(p, &st), 0);
	cr_assert_eq(st.st_mode & 0111, 0, "not executable by default");
	cr_assert_eq(entries(dir), 1, "no temporary left behind");
}

Test(core_file, refuses_to_overwrite_without_force)
{
	char p[512];
	snprintf(p, sizeof p, "%s/out.txt", dir);
	cr_assert_eq(weft_file_write_atomic(p, "first", 5, 0, d), 0);
	cr_assert_eq(weft_file_write_atomic(p, "second", 6, 0, d), WEFT_EEXISTS);
	char *s = slurp(p);
	cr_assert_str_eq(s, "first");
	free(s);
	cr_assert_str_eq(weft_diags_get(d, 0)->hint, "pass --force to replace it");
	cr_assert_eq(weft_exit_code(WEFT_EEXISTS), 4);
	cr_assert_eq(weft_file_write_atomic(p, "second", 6, WEFT_WRITE_FORCE, d), 0);
	s = slurp(p);
	cr_assert_str_eq(s, "second");
	free(s);
	cr_assert_eq(entries(dir), 1);
}

Test(core_file, executable_flag_sets_mode)
{
	char p[512];
	snprintf(p, sizeof p, "%s/run.sh", dir);
	cr_assert_eq(weft_file_write_atomic(p, "#!/bin/sh\n", 10, WEFT_WRITE_EXEC, d), 0);
	struct stat st;
	cr_assert_eq(stat(p, &st), 0);
	cr_assert_neq(st.st_mode & 0100, 0);
}

Test(core_file, failure_leaves_nothing)
{
	char p[512];
	snprintf(p, sizeof p, "%s/missing-dir/out.txt", dir);
	cr_assert_eq(weft_file_write_atomic(p, "x", 1, 0, d), WEFT_EENV);
	cr_assert_eq(entries(dir), 0);
	/* a read-only directory: the temporary cannot be made (skip as root) */
	if (geteuid() != 0) {
		cr_assert_eq(chmod(dir, 0555), 0);
		snprintf(p, sizeof p, "%s/out.txt", dir);
		cr_assert_eq(weft_file_write_atomic(p, "x", 1, 0, d), WEFT_EENV);
		cr_assert_eq(chmod(dir, 0755), 0);
		cr_assert_eq(entries(dir), 0);
	}
}

Test(core_file, write_to_a_full_device_fails_cleanly)
{
	/* /dev/full exists on Linux: the temporary lives beside the target, so
	 * aim at a directory where writes fail: a file as the directory */
	char p[512];
	snprintf(p, sizeof p, "%s/plain", dir);
	cr_assert_eq(weft_file_write_atomic(p, "x", 1, 0, d), 0);
	snprintf(p, sizeof p, "%s/plain/out.txt", dir);
	cr_assert_eq(weft_file_write_atomic(p, "x", 1, 0, d), WEFT_EENV);
	cr_assert_eq(entries(dir), 1);
}

Test(core_file, read_cap_and_errors)
{
	char p[512];
	snprintf(p, sizeof p, "%s/big", dir);
	cr_assert_eq(weft_file_write_atomic(p, "0123456789", 10, 0, d), 0);
	char *s = NULL;
	size_t len = 0;
	cr_assert_eq(weft_file_read(&s, &len, p, 10, d), 0);
	cr_assert_eq(len, 10);
	free(s);
	cr_assert_eq(weft_file_read(&s, &len, p, 9, d), WEFT_EINVALID);
	cr_assert_null(s);
	cr_assert_eq(weft_file_read(&s, &len, dir, 0, d), WEFT_EENV);
	cr_assert(strstr(weft_diags_get(d, 1)->message, "directory"));
}

Test(core_file, devices_and_pipes_are_written_into_not_replaced)
{
	struct stat st;
	cr_assert_eq(weft_file_write_atomic("/dev/null", "x", 1, WEFT_WRITE_FORCE, d), 0);
	cr_assert_eq(stat("/dev/null", &st), 0);
	cr_assert(S_ISCHR(st.st_mode), "/dev/null is still a device");
	cr_assert_eq(weft_file_write_atomic("/dev/null", "x", 1, 0, d), 0, "no --force needed for a device");
	cr_assert_eq(weft_file_write_atomic(dir, "x", 1, WEFT_WRITE_FORCE, d), WEFT_EENV);
	cr_assert(strstr(weft_diags_get(d, 0)->message, "directory"));
}
