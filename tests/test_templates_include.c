/* test_templates_include.c - `include:` in template.yaml: a shared folder of
 * the template collection is copied verbatim into the project, merging with
 * the files' own folders; hostile includes are refused and leave nothing. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "weft_core.h"

static char dir[] = "/tmp/weft-include-XXXXXX";

static void put(const char *rel, const char *text)
{
	char path[512], cmd[600];
	snprintf(path, sizeof path, "%s/%s", dir, rel);
	snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%s')\"", path);
	cr_assert_eq(system(cmd), 0);
	FILE *fp = fopen(path, "w");
	cr_assert_not_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static char *get(const char *rel)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, rel);
	char *s = NULL;
	weft_diags *d;
	weft_diags_new(&d);
	int err = weft_file_read(&s, NULL, path, 0, d);
	weft_diags_free(d);
	return err ? NULL : s;
}

static int weft_new(const char *tpl, const char *out)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "cd '%s' && '%s' new %s %s --no-git --no-input >out.log 2>err.log", dir,
		 WEFT_BIN, tpl, out);
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
	put("coll/_shared/rt/model.c", "/* {{not rendered}} */\n");
	put("coll/_shared/rt/inc/model.h", "int model(void);\n");
	put("coll/t/files/src/main.c", "int main(void) { return {{code}}; }\n");
	put("coll/t/files/README.md", "# {{code}}\n");
}

static void teardown(void)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	system(cmd);
}

TestSuite(templates_include, .init = setup, .fini = teardown);

static void manifest(const char *include)
{
	char text[1024];
	snprintf(text, sizeof text,
		 "name: t\nversion: \"1\"\nsummary: s\nvariables:\n  - name: code\n    type: int\n"
		 "    default: 7\n%s",
		 include);
	put("coll/t/template.yaml", text);
}

Test(templates_include, shared_folder_is_copied_verbatim_into_to)
{
	manifest("include:\n  - from: _shared/rt\n    to: src\n");
	cr_assert_eq(weft_new("coll/t", "p"), 0);
	char *s = get("p/src/main.c");
	cr_assert_str_eq(s, "int main(void) { return 7; }\n");
	free(s);
	s = get("p/src/model.c");
	cr_assert_str_eq(s, "/* {{not rendered}} */\n", "included files are not rendered");
	free(s);
	s = get("p/src/inc/model.h");
	cr_assert_str_eq(s, "int model(void);\n");
	free(s);
}

Test(templates_include, into_a_new_nested_folder)
{
	manifest("include:\n  - from: _shared/rt\n    to: lib/runtime\n");
	cr_assert_eq(weft_new("coll/t", "p"), 0);
	char *s = get("p/lib/runtime/inc/model.h");
	cr_assert_not_null(s);
	free(s);
}

Test(templates_include, a_clash_with_the_files_is_an_error)
{
	put("coll/t/files/src/model.c", "mine\n");
	manifest("include:\n  - from: _shared/rt\n    to: src\n");
	cr_assert_eq(weft_new("coll/t", "p"), 3);
	char path[512];
	snprintf(path, sizeof path, "%s/p", dir);
	cr_assert_not(weft_path_exists(path), "nothing is written");
}

Test(templates_include, hostile_includes_are_refused)
{
	static const char *const bad[] = {
		"include:\n  - from: ../coll/_shared/rt\n",
		"include:\n  - from: t/files\n",
		"include:\n  - from: _shared/rt\n    to: ../out\n",
		"include:\n  - from: _missing\n",
		"include:\n  - from: _link\n",
	};
	char link[512];
	snprintf(link, sizeof link, "%s/coll/_link", dir);
	cr_assert_eq(symlink("/etc", link), 0);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		manifest(bad[i]);
		cr_assert_eq(weft_new("coll/t", "p"), 3, "case %zu was not refused", i);
		char *err = get("err.log");
		/* line 9 holds "from", line 10 "to" */
		cr_assert(strstr(err, "template.yaml:9:") || strstr(err, "template.yaml:10:9:"),
			  "case %zu: no position in: %s", i, err);
		free(err);
		char path[512];
		snprintf(path, sizeof path, "%s/p", dir);
		cr_assert_not(weft_path_exists(path));
	}
}
