/* test_templates_report.c - templates/report.c: what `weft templates
 * list|show` and `weft new` print. The library's renderers on a template
 * written here (secret variables, a validation rule), and the binary's
 * output for the same template, so that a secret never reaches stdout.
 */
#define _XOPEN_SOURCE 700
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "weft_templates.h"

static char tmp[64];
static char tdir[128];

#define SECRET_VALUE "tok-s3cr3tvalue"
#define PIN_VALUE "982451653" /* long: not by chance in a digest */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

static void setup(void)
{
	snprintf(tmp, sizeof tmp, "/tmp/weft-test-report-XXXXXX");
	cr_assert_not_null(mkdtemp(tmp));
	snprintf(tdir, sizeof tdir, "%s/tpl", tmp);
	cr_assert_eq(mkdir(tdir, 0755), 0);
	char p[256];
	snprintf(p, sizeof p, "%s/template.yaml", tdir);
	write_file(p, "name: rep\n"
		      "version: 1.2.0\n"
		      "summary: Secrets and a rule\n"
		      "variables:\n"
		      "  - name: who\n"
		      "    default: world\n"
		      "  - name: token\n"
		      "    pattern: \"tok-[a-z0-9]+\"\n"
		      "    secret: true\n"
		      "  - name: pin\n"
		      "    type: int\n"
		      "    default: 1234\n"
		      "    secret: true\n"
		      "  - name: low\n"
		      "    default: 1\n"
		      "  - name: high\n"
		      "    default: 5\n"
		      "validate:\n"
		      "  - rule: low < high\n"
		      "    message: \"low ({{low}}) must be below high ({{high}})\"\n"
		      "    vars: [low, high]\n");
	snprintf(p, sizeof p, "%s/files", tdir);
	cr_assert_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof p, "%s/files/conf.txt", tdir);
	write_file(p, "who={{who}}\ntoken={{token}}\n");
}

static void teardown(void)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	cr_expect_eq(system(cmd), 0);
}

TestSuite(report, .init = setup, .fini = teardown, .timeout = 60);

static void expect_contains(const char *s, const char *what)
{
	cr_expect(s && strstr(s, what), "expected '%s' in:\n%s", what, s ? s : "(null)");
}

static void expect_lacks(const char *s, const char *what)
{
	cr_expect(!s || !strstr(s, what), "did not expect '%s' in:\n%s", what, s);
}

/* Everything a `weft new` report needs, for this test's template. */
typedef struct {
	weft_diags *d;
	weft_templates_manifest *m;
	cJSON *values;
	weft_templates_plan *plan;
} run;

static void run_open(run *r)
{
	memset(r, 0, sizeof *r);
	cr_assert_eq(weft_diags_new(&r->d), 0);
	cr_assert_eq(weft_templates_manifest_load(&r->m, tdir, r->d), 0);
	const char *sets[] = { "token=" SECRET_VALUE, "pin=" PIN_VALUE };
	weft_templates_values_opts vo = { .sets = sets, .n_sets = 2 };
	cr_assert_eq(weft_templates_values_resolve(&r->values, r->m, &vo, r->d), 0);
	cr_assert_eq(weft_templates_plan_new(&r->plan, r->m, NULL, r->values, r->d), 0);
}

static void run_close(run *r)
{
	weft_templates_plan_free(r->plan);
	cJSON_Delete(r->values);
	weft_templates_manifest_free(r->m);
	weft_diags_free(r->d);
}

Test(report, new_json_hides_secrets_and_records_the_template)
{
	run r;
	run_open(&r);
	weft_templates_new_report rep = { .dest = "out", .dry_run = true, .m = r.m, .values = r.values,
					  .plan = r.plan };
	weft_buf b = WEFT_BUF_INIT;
	cr_assert_eq(weft_templates_new_render(&b, &rep, WEFT_TEMPLATES_FORMAT_JSON), 0);
	expect_lacks(b.ptr, SECRET_VALUE);
	expect_lacks(b.ptr, PIN_VALUE);
	cJSON *j = cJSON_Parse(b.ptr);
	cr_assert_not_null(j, "not JSON: %s", b.ptr);
	const cJSON *ans = cJSON_GetObjectItem(j, "answers");
	cr_expect(cJSON_IsNull(cJSON_GetObjectItem(ans, "token")));
	cr_expect(cJSON_IsNull(cJSON_GetObjectItem(ans, "pin")));
	cr_expect_str_eq(cJSON_GetObjectItem(ans, "who")->valuestring, "world");
	const cJSON *t = cJSON_GetObjectItem(j, "template");
	cr_expect_str_eq(cJSON_GetObjectItem(t, "name")->valuestring, "rep");
	cr_expect(cJSON_IsNull(cJSON_GetObjectItem(t, "subdir")));
	cr_expect(cJSON_IsFalse(cJSON_GetObjectItem(t, "dirty")));
	const cJSON *dg = cJSON_GetObjectItem(t, "template_digest");
	cr_assert(cJSON_IsString(dg));
	char want[72];
	cr_assert_eq(weft_templates_digest(want, r.m, r.d), 0);
	cr_expect_str_eq(dg->valuestring, want);
	cr_expect_eq(strncmp(dg->valuestring, "sha256:", 7), 0);
	cJSON_Delete(j);
	weft_buf_free(&b);

	/* nor in the text report */
	cr_assert_eq(weft_templates_new_render(&b, &rep, WEFT_TEMPLATES_FORMAT_TEXT), 0);
	expect_contains(b.ptr, "Would create out from rep 1.2.0 (2 files):\n");
	expect_lacks(b.ptr, SECRET_VALUE);
	expect_lacks(b.ptr, PIN_VALUE);
	weft_buf_free(&b);
	run_close(&r);
}

Test(report, show_marks_secrets_and_lists_rules)
{
	weft_diags *d = NULL;
	weft_templates_manifest *m = NULL;
	cr_assert_eq(weft_diags_new(&d), 0);
	cr_assert_eq(weft_templates_manifest_load(&m, tdir, d), 0);
	weft_buf b = WEFT_BUF_INIT;
	cr_assert_eq(weft_templates_show_render(&b, m, NULL, WEFT_TEMPLATES_FORMAT_TEXT), 0);
	expect_contains(b.ptr, "  token                string  required\n"
			       "      must match: tok-[a-z0-9]+\n"
			       "      secret: typed without echo, never shown nor written to .weft-answers.yaml\n");
	expect_contains(b.ptr, "  pin                  int     default: (secret)\n");
	expect_lacks(b.ptr, "1234");
	expect_contains(b.ptr, "\nRules (checked once every value is known):\n"
			       "  low < high\n"
			       "      else: low ({{low}}) must be below high ({{high}})\n"
			       "      asks again: low, high\n");
	weft_buf_free(&b);

	cr_assert_eq(weft_templates_show_render(&b, m, NULL, WEFT_TEMPLATES_FORMAT_JSON), 0);
	cJSON *j = cJSON_Parse(b.ptr);
	cr_assert_not_null(j, "not JSON: %s", b.ptr);
	const cJSON *vars = cJSON_GetObjectItem(j, "variables");
	cr_expect(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetArrayItem(vars, 0), "secret")));
	cr_expect(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(vars, 1), "secret")));
	const cJSON *pin = cJSON_GetArrayItem(vars, 2);
	cr_expect(cJSON_IsTrue(cJSON_GetObjectItem(pin, "secret")));
	cr_expect_str_eq(cJSON_GetObjectItem(pin, "default")->valuestring, "(secret)");
	const cJSON *rules = cJSON_GetObjectItem(j, "validations");
	cr_assert_eq(cJSON_GetArraySize(rules), 1);
	const cJSON *rule = cJSON_GetArrayItem(rules, 0);
	cr_expect_str_eq(cJSON_GetObjectItem(rule, "rule")->valuestring, "low < high");
	cr_expect_str_eq(cJSON_GetObjectItem(rule, "message")->valuestring, "low ({{low}}) must be below high ({{high}})");
	cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(rule, "vars")), 2);
	cJSON_Delete(j);
	weft_buf_free(&b);
	weft_templates_manifest_free(m);
	weft_diags_free(d);
}

Test(report, list_forms)
{
	weft_diags *d = NULL;
	weft_templates_manifest *m = NULL;
	cr_assert_eq(weft_diags_new(&d), 0);
	cr_assert_eq(weft_templates_manifest_load(&m, tdir, d), 0);
	const char *names[] = { "rep", "broken" };
	const weft_templates_manifest *ms[] = { m, NULL };
	weft_buf b = WEFT_BUF_INIT;
	cr_assert_eq(weft_templates_list_render(&b, names, ms, 2, WEFT_TEMPLATES_FORMAT_TEXT), 0);
	cr_expect_str_eq(b.ptr, "NAME             VERSION    SUMMARY\n"
				"rep              1.2.0      Secrets and a rule\n");
	weft_buf_free(&b);
	cr_assert_eq(weft_templates_list_render(&b, names, ms, 2, WEFT_TEMPLATES_FORMAT_NAMES), 0);
	cr_expect_str_eq(b.ptr, "rep\n");
	weft_buf_free(&b);
	cr_assert_eq(weft_templates_list_render(&b, names, ms, 2, WEFT_TEMPLATES_FORMAT_JSON), 0);
	cJSON *j = cJSON_Parse(b.ptr);
	cr_assert_eq(cJSON_GetArraySize(j), 1);
	cr_expect_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(j, 0), "path")->valuestring, tdir);
	cJSON_Delete(j);
	weft_buf_free(&b);
	weft_templates_manifest_free(m);
	weft_diags_free(d);
}

/* stdout of `weft ARGS` (stderr dropped), malloc'ed; *rc its exit code. */
static char *weft_out(int *rc, const char *args)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com '%s' %s </dev/null 2>/dev/null",
		 WEFT_BIN, args);
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p);
	weft_buf b = WEFT_BUF_INIT;
	char buf[4096];
	size_t got;
	while ((got = fread(buf, 1, sizeof buf, p)) > 0)
		weft_buf_put(&b, buf, got);
	weft_buf_put(&b, "", 0);
	int st = pclose(p);
	*rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
	return weft_buf_detach(&b);
}

Test(report, cli_never_prints_a_secret)
{
	char args[512];
	int rc;
	snprintf(args, sizeof args, "new '%s' '%s/p' --no-git --format json --set token=" SECRET_VALUE
		 " --set pin=" PIN_VALUE, tdir, tmp);
	char *out = weft_out(&rc, args);
	cr_assert_eq(rc, 0, "%s", out);
	expect_lacks(out, SECRET_VALUE);
	expect_lacks(out, PIN_VALUE);
	cJSON *j = cJSON_Parse(out);
	cr_assert_not_null(j, "not JSON: %s", out);
	cr_expect(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "answers"), "token")));
	const cJSON *t = cJSON_GetObjectItem(j, "template");
	cr_expect(cJSON_IsString(cJSON_GetObjectItem(t, "template_digest")));
	cr_expect(cJSON_IsBool(cJSON_GetObjectItem(t, "dirty")));
	cr_expect_not_null(cJSON_GetObjectItem(t, "subdir"));
	cJSON_Delete(j);
	free(out);

	snprintf(args, sizeof args, "new '%s' '%s/q' --no-git --set token=" SECRET_VALUE " --set pin=" PIN_VALUE,
		 tdir, tmp);
	out = weft_out(&rc, args);
	cr_assert_eq(rc, 0, "%s", out);
	expect_contains(out, "Created ");
	expect_lacks(out, SECRET_VALUE);
	free(out);

	snprintf(args, sizeof args, "templates show '%s'", tdir);
	out = weft_out(&rc, args);
	cr_assert_eq(rc, 0, "%s", out);
	expect_contains(out, "      secret: typed without echo");
	expect_contains(out, "Rules (checked once every value is known):\n  low < high\n");
	free(out);
}
