/* test_templates_manifest.c - template.yaml loading, value parsing and
 * resolution, the condition language and the answers file.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "templates_int.h"

#define FULL WEFT_FIXTURES "/templates/full"

static weft_diags *d;
static char tmp[64];

static void setup(void)
{
	weft_diags_new(&d);
	snprintf(tmp, sizeof tmp, "/tmp/weft-test-manifest-XXXXXX");
	cr_assert_not_null(mkdtemp(tmp));
}

static void teardown(void)
{
	weft_diags_free(d);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	cr_expect_eq(system(cmd), 0);
}

TestSuite(manifest, .init = setup, .fini = teardown);

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	cr_assert_not_null(fp, "cannot write %s", path);
	fputs(text, fp);
	fclose(fp);
}

/* A template folder in tmp with this manifest and an empty files/. */
static const char *make_template(const char *yaml)
{
	static char path[128];
	snprintf(path, sizeof path, "%s/template.yaml", tmp);
	write_file(path, yaml);
	snprintf(path, sizeof path, "%s/files", tmp);
	mkdir(path, 0755);
	return tmp;
}

static const weft_diag *first_error(void)
{
	for (size_t i = 0; i < weft_diags_count(d); i++)
		if (weft_diags_get(d, i)->severity == WEFT_SEV_ERROR)
			return weft_diags_get(d, i);
	cr_assert_fail("no error recorded");
	return NULL;
}

static void expect_load_error(const char *yaml, int line, int col, const char *needle)
{
	weft_templates_manifest *m = NULL;
	int err = weft_templates_manifest_load(&m, make_template(yaml), d);
	cr_assert_eq(err, WEFT_EINVALID, "expected an error for:\n%s", yaml);
	cr_assert_null(m);
	const weft_diag *g = first_error();
	cr_expect(g->path && strstr(g->path, "template.yaml"), "path %s", g->path);
	cr_expect(strstr(g->message, needle), "'%s' not in '%s'", needle, g->message);
	if (line) {
		cr_expect_eq(g->line, line, "line %d, expected %d: %s", g->line, line, g->message);
		cr_expect_eq(g->col, col, "col %d, expected %d: %s", g->col, col, g->message);
	}
}

#define HEAD "name: t\nversion: '1'\nsummary: s\n"

Test(manifest, loads_every_feature_of_the_fixture)
{
	weft_templates_manifest *m = NULL;
	cr_assert_eq(weft_templates_manifest_load(&m, FULL, d), 0);
	const weft_templates_info *info = weft_templates_manifest_info(m);
	cr_expect_str_eq(info->name, "full");
	cr_expect_str_eq(info->version, "1.2.3");
	cr_expect_str_eq(info->summary, "Fixture exercising every manifest feature");
	cr_expect(strstr(info->description, "every variable type"));
	static const struct {
		const char *name;
		weft_templates_type type;
		const char *def;
		bool derived;
	} want[] = {
		{ "project", WEFT_TEMPLATES_STRING, "demo-service", false },
		{ "title", WEFT_TEMPLATES_STRING, "{{project}} <home>", false },
		{ "port", WEFT_TEMPLATES_INT, "8080", false },
		{ "use_db", WEFT_TEMPLATES_BOOL, "false", false },
		{ "db", WEFT_TEMPLATES_CHOICE, "postgres", false },
		{ "features", WEFT_TEMPLATES_LIST, "metrics", false },
		{ "env", WEFT_TEMPLATES_CHOICE, "dev", false },
		{ "use_docker", WEFT_TEMPLATES_BOOL, "true", false },
		{ "owner", WEFT_TEMPLATES_STRING, NULL, false },
		{ "module", WEFT_TEMPLATES_STRING, NULL, true },
		{ "has_tracing", WEFT_TEMPLATES_BOOL, NULL, true },
		{ "dockerfile", WEFT_TEMPLATES_STRING, NULL, true },
	};
	cr_assert_eq(weft_templates_manifest_nvars(m), sizeof want / sizeof want[0]);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		const weft_templates_var *v = weft_templates_manifest_var(m, i);
		cr_expect_str_eq(v->name, want[i].name);
		cr_expect_eq(v->type, want[i].type, "%s", v->name);
		cr_expect_eq(v->derived, want[i].derived, "%s", v->name);
		if (want[i].def)
			cr_expect_str_eq(v->default_text, want[i].def);
		else
			cr_expect_null(v->default_text, "%s", v->name);
	}
	const weft_templates_var *port = weft_templates_manifest_var(m, 2);
	cr_expect(port->has_min && port->has_max && port->min == 1024 && port->max == 65535);
	const weft_templates_var *db = weft_templates_manifest_var(m, 4);
	cr_expect_str_eq(db->when, "use_db");
	cr_expect_eq(db->n_choices, 2);
	cr_expect_str_eq(db->choices[1], "sqlite");
	cr_expect_str_eq(weft_templates_manifest_var(m, 9)->transform, "snake");
	weft_templates_manifest_free(m);
}

Test(manifest, missing_fields)
{
	expect_load_error("name: t\nsummary: s\n", 1, 1, "missing required field 'version'");
}

Test(manifest, not_a_template)
{
	weft_templates_manifest *m = NULL;
	cr_expect_eq(weft_templates_manifest_load(&m, tmp, d), WEFT_EINVALID);
	cr_expect(strstr(first_error()->message, "no template.yaml"));
}

Test(manifest, unknown_type_with_suggestion)
{
	expect_load_error(HEAD "variables:\n  - name: a\n    type: strng\n", 6, 11, "unknown type 'strng'");
	cr_expect(strstr(first_error()->hint, "did you mean 'string'"));
}

Test(manifest, bad_regex)
{
	expect_load_error(HEAD "variables:\n  - name: a\n    pattern: '[a-'\n", 6, 14, "bad regular expression");
}

Test(manifest, condition_may_use_earlier_names_only)
{
	/* the quote is at column 11, 'later' 8 characters after the opening 't' */
	expect_load_error(HEAD "variables:\n  - name: a\n    when: \"true && later\"\n  - name: later\n", 6, 20,
			  "unknown variable 'later'");
}

Test(manifest, condition_syntax)
{
	expect_load_error(HEAD "variables:\n  - name: a\n    default: x\n  - name: b\n    when: a ==\n", 8, 15,
			  "condition ends too early");
}

Test(manifest, literal_defaults_are_checked)
{
	expect_load_error(HEAD "variables:\n  - name: a\n    choices: [x, y]\n    default: z\n", 7, 14,
			  "'z' is not one of: x, y");
	weft_diags_clear(d);
	expect_load_error(HEAD "variables:\n  - name: p\n    type: int\n    max: 10\n    default: 11\n", 8, 14,
			  "more than the maximum 10");
	weft_diags_clear(d);
	expect_load_error(HEAD "variables:\n  - name: p\n    pattern: '[a-z]+'\n    default: ab1\n", 7, 14,
			  "does not match");
}

Test(manifest, other_mistakes)
{
	expect_load_error(HEAD "variables:\n  - name: a\n  - name: a\n", 6, 11, "declared twice");
	weft_diags_clear(d);
	expect_load_error(HEAD "variables:\n  - name: 1a\n", 5, 11, "bad variable name");
	weft_diags_clear(d);
	expect_load_error(HEAD "variables:\n  - name: a\n    type: choice\n", 5, 5, "needs 'choices'");
	weft_diags_clear(d);
	expect_load_error(HEAD "variables:\n  - name: a\n    type: int\n    pattern: x\n", 7, 14, "applies to string");
	weft_diags_clear(d);
	expect_load_error(HEAD "variables:\n  - name: a\n    value: '{{#x}}'\n", 6, 12, "unclosed section");
	weft_diags_clear(d);
	expect_load_error(HEAD "files:\n  - path: /etc/passwd\n", 5, 11, "bad path pattern");
	weft_diags_clear(d);
	expect_load_error(HEAD "root: ../x\n", 4, 7, "bad files folder");
}

Test(manifest, unknown_fields_warn_with_suggestion)
{
	weft_templates_manifest *m = NULL;
	cr_assert_eq(weft_templates_manifest_load(&m, make_template(HEAD "variables:\n  - name: a\n    defualt: x\n"),
						  d),
		     0);
	cr_assert_eq(weft_diags_count(d), 1);
	const weft_diag *g = weft_diags_get(d, 0);
	cr_expect_eq(g->severity, WEFT_SEV_WARNING);
	cr_expect_str_eq(g->message, "unknown field 'defualt'");
	cr_expect(strstr(g->hint, "'default'"));
	weft_templates_manifest_free(m);
}

Test(manifest, globs)
{
	cr_expect(weft_templates_glob_match("bin/*.sh", "bin/run.sh"));
	cr_expect_not(weft_templates_glob_match("bin/*.sh", "bin/sub/run.sh"));
	cr_expect(weft_templates_glob_match("db", "db/schema.sql"));
	cr_expect(weft_templates_glob_match("**/*.png", "a/b/c.png"));
	cr_expect(weft_templates_glob_match("**/*.png", "c.png"));
	cr_expect_not(weft_templates_glob_match("docs", "docs2/x"));
	cr_expect(weft_templates_path_is_safe("a/b.c"));
	cr_expect_not(weft_templates_path_is_safe("a/../b"));
	cr_expect_not(weft_templates_path_is_safe("/a"));
	cr_expect_not(weft_templates_path_is_safe("a//b"));
	cr_expect_not(weft_templates_path_is_safe("."));
}

/* ---- values ---- */

static weft_templates_manifest *load_full(void)
{
	weft_templates_manifest *m = NULL;
	cr_assert_eq(weft_templates_manifest_load(&m, FULL, d), 0);
	return m;
}

static const weft_templates_var *var(const weft_templates_manifest *m, const char *name)
{
	for (size_t i = 0; i < weft_templates_manifest_nvars(m); i++)
		if (!strcmp(weft_templates_manifest_var(m, i)->name, name))
			return weft_templates_manifest_var(m, i);
	cr_assert_fail("no variable %s", name);
	return NULL;
}

static void expect_value(const weft_templates_var *v, const char *text, const char *json)
{
	cJSON *out = NULL;
	char problem[256];
	int err = weft_templates_value_parse(&out, v, text, problem, sizeof problem);
	if (!json) {
		cr_expect_eq(err, WEFT_EINVALID, "'%s' accepted for %s", text, v->name);
		cr_expect(problem[0]);
		return;
	}
	cr_assert_eq(err, 0, "'%s' refused for %s: %s", text, v->name, problem);
	char *s = cJSON_PrintUnformatted(out);
	cr_expect_str_eq(s, json, "%s = '%s'", v->name, text);
	free(s);
	cJSON_Delete(out);
}

Test(manifest, value_parsing)
{
	weft_templates_manifest *m = load_full();
	expect_value(var(m, "project"), "my-app", "\"my-app\"");
	expect_value(var(m, "project"), "My-App", NULL);
	expect_value(var(m, "project"), "app!", NULL); /* the whole value must match */
	expect_value(var(m, "port"), " 9000 ", "9000");
	expect_value(var(m, "port"), "80", NULL);
	expect_value(var(m, "port"), "8080x", NULL);
	expect_value(var(m, "use_db"), "Yes", "true");
	expect_value(var(m, "use_db"), "off", "false");
	expect_value(var(m, "use_db"), "maybe", NULL);
	expect_value(var(m, "db"), "sqlite", "\"sqlite\"");
	expect_value(var(m, "db"), "mysql", NULL);
	expect_value(var(m, "features"), " tracing, ,auth ", "[\"tracing\",\"auth\"]");
	expect_value(var(m, "features"), "", "[]");
	expect_value(var(m, "features"), "metrics,logs", NULL);
	cJSON *out = NULL;
	char problem[256];
	weft_templates_value_parse(&out, var(m, "db"), "postgre", problem, sizeof problem);
	cr_expect(strstr(problem, "did you mean 'postgres'"), "%s", problem);
	weft_templates_manifest_free(m);
}

static char *resolve_json(weft_templates_manifest *m, const weft_templates_values_opts *o, int *err)
{
	cJSON *v = NULL;
	*err = weft_templates_values_resolve(&v, m, o, d);
	if (*err)
		return NULL;
	char *s = cJSON_PrintUnformatted(v);
	cJSON_Delete(v);
	return s;
}

Test(manifest, resolve_defaults_and_derived)
{
	weft_templates_manifest *m = load_full();
	const char *sets[] = { "owner=ann" };
	weft_templates_values_opts o = { .sets = sets, .n_sets = 1 };
	int err;
	char *s = resolve_json(m, &o, &err);
	cr_assert_eq(err, 0);
	/* db is left out (use_db false); title's default renders project */
	cr_expect_str_eq(s, "{\"project\":\"demo-service\",\"title\":\"demo-service <home>\",\"port\":8080,"
			    "\"use_db\":false,\"features\":[\"metrics\"],\"env\":\"dev\",\"use_docker\":true,"
			    "\"owner\":\"ann\",\"module\":\"demo_service\",\"has_tracing\":false,"
			    "\"dockerfile\":\"Dockerfile\"}");
	free(s);
	weft_templates_manifest_free(m);
}

Test(manifest, resolve_sets_answers_and_conditions)
{
	weft_templates_manifest *m = load_full();
	char path[128];
	snprintf(path, sizeof path, "%s/answers.yaml", tmp);
	write_file(path, "template:\n  name: full\n  commit: abc\nanswers:\n  project: from-answers\n  port: 9000\n"
			 "  use_db: true\n  features: [tracing, auth]\n  owner: bob\n");
	weft_templates_answers *a = NULL;
	cr_assert_eq(weft_templates_answers_load(&a, path, d), 0);
	cr_expect_str_eq(weft_templates_answers_field(a, "commit"), "abc");
	cr_expect_null(weft_templates_answers_field(a, "ref"));
	const char *sets[] = { "port=9100", "use_docker=no", "project=x-set", "project=last-set" };
	weft_templates_values_opts o = { .sets = sets, .n_sets = 4, .answers = a };
	int err;
	char *s = resolve_json(m, &o, &err);
	cr_assert_eq(err, 0);
	cr_expect_str_eq(s, "{\"project\":\"last-set\",\"title\":\"last-set <home>\",\"port\":9100,"
			    "\"use_db\":true,\"db\":\"postgres\",\"features\":[\"tracing\",\"auth\"],\"env\":\"dev\","
			    "\"use_docker\":false,\"owner\":\"bob\",\"module\":\"last_set\",\"has_tracing\":true,"
			    "\"dockerfile\":\"\"}");
	free(s);
	weft_templates_answers_free(a);
	weft_templates_manifest_free(m);
}

Test(manifest, resolve_errors)
{
	weft_templates_manifest *m = load_full();
	int err;
	/* nothing gives owner */
	cr_expect_null(resolve_json(m, NULL, &err));
	cr_expect_eq(err, WEFT_EUSAGE);
	cr_expect(strstr(first_error()->message, "no value for 'owner'"));
	weft_diags_clear(d);
	/* unknown and computed names in --set */
	const char *sets[] = { "ownr=x", "module=y" };
	weft_templates_values_opts o = { .sets = sets, .n_sets = 2 };
	cr_expect_null(resolve_json(m, &o, &err));
	cr_expect_eq(err, WEFT_EUSAGE);
	cr_expect(strstr(first_error()->message, "has no variable 'ownr'"));
	cr_expect(strstr(first_error()->hint, "did you mean 'owner'"));
	cr_expect(strstr(weft_diags_get(d, 1)->message, "computed"));
	weft_diags_clear(d);
	/* a value for a variable whose condition does not hold: a warning */
	const char *sets2[] = { "owner=x", "db=sqlite" };
	weft_templates_values_opts o3 = { .sets = sets2, .n_sets = 2 };
	char *s = resolve_json(m, &o3, &err);
	cr_expect_eq(err, 0);
	cr_expect_null(strstr(s, "\"db\""), "%s", s);
	free(s);
	cr_assert_eq(weft_diags_count(d), 1);
	cr_expect_eq(weft_diags_get(d, 0)->severity, WEFT_SEV_WARNING);
	cr_expect_str_eq(weft_diags_get(d, 0)->message, "--set db: ignored, 'db' applies only when use_db");
	weft_diags_clear(d);
	/* a bad answer points into the answers file */
	char path[128];
	snprintf(path, sizeof path, "%s/a.yaml", tmp);
	write_file(path, "owner: x\nport: lots\n");
	weft_templates_answers *a = NULL;
	cr_assert_eq(weft_templates_answers_load(&a, path, d), 0);
	weft_templates_values_opts o2 = { .answers = a };
	cr_expect_null(resolve_json(m, &o2, &err));
	cr_expect_eq(err, WEFT_EINVALID);
	const weft_diag *g = first_error();
	cr_expect_str_eq(g->path, path);
	cr_expect_eq(g->line, 2);
	cr_expect_eq(g->col, 7);
	weft_templates_answers_free(a);
	weft_templates_manifest_free(m);
}

typedef struct {
	const char *const *replies;
	size_t next;
	char log[2048];
} script;

static int scripted(void *ctx, const weft_templates_var *v, const char *def, const char *problem, char **answer)
{
	script *s = ctx;
	size_t len = strlen(s->log);
	snprintf(s->log + len, sizeof s->log - len, "%s[%s]%s%s;", v->name, def ? def : "-", problem ? "!" : "",
		 problem ? problem : "");
	if (!s->replies[s->next])
		return WEFT_EUSAGE;
	*answer = strdup(s->replies[s->next++]);
	return 0;
}

Test(manifest, asking_revalidates_and_uses_defaults)
{
	weft_templates_manifest *m = load_full();
	const char *replies[] = { "", "", "abc", "9090", "y", "mysql", "sqlite", "", "prod", "n", "", "carol", NULL };
	script s = { replies, 0, "" };
	weft_templates_values_opts o = { .ask = scripted, .ask_ctx = &s };
	int err;
	char *json = resolve_json(m, &o, &err);
	cr_assert_eq(err, 0, "%s", s.log);
	cr_expect_str_eq(json, "{\"project\":\"demo-service\",\"title\":\"demo-service <home>\",\"port\":9090,"
			       "\"use_db\":true,\"db\":\"sqlite\",\"features\":[\"metrics\"],\"env\":\"prod\","
			       "\"use_docker\":false,\"owner\":\"carol\",\"module\":\"demo_service\","
			       "\"has_tracing\":false,\"dockerfile\":\"\"}");
	cr_expect_str_eq(s.log, "project[demo-service];title[demo-service <home>];port[8080];"
				"port[8080]!'abc' is not a whole number;use_db[false];db[postgres];"
				"db[postgres]!'mysql' is not one of: postgres, sqlite;features[metrics];env[dev];"
				"use_docker[true];owner[-];owner[-]!a value is required;");
	free(json);
	/* end of input stops */
	const char *none[] = { NULL };
	script s2 = { none, 0, "" };
	weft_templates_values_opts o2 = { .ask = scripted, .ask_ctx = &s2 };
	cr_expect_null(resolve_json(m, &o2, &err));
	cr_expect_eq(err, WEFT_EUSAGE);
	weft_templates_manifest_free(m);
}

Test(manifest, transforms)
{
	weft_templates_manifest *m = NULL;
	cr_assert_eq(weft_templates_manifest_load(
			     &m,
			     make_template(HEAD "variables:\n  - name: n\n"
						"  - {name: lower, value: '{{n}}', transform: lower}\n"
						"  - {name: upper, value: '{{n}}', transform: upper}\n"
						"  - {name: snake, value: '{{n}}', transform: snake}\n"
						"  - {name: kebab, value: '{{n}}', transform: kebab}\n"
						"  - {name: camel, value: '{{n}}', transform: camel}\n"
						"  - {name: pascal, value: '{{n}}', transform: pascal}\n"),
			     d),
		     0);
	const char *sets[] = { "n=HTTP server-v2 readyNow" };
	weft_templates_values_opts o = { .sets = sets, .n_sets = 1 };
	int err;
	char *s = resolve_json(m, &o, &err);
	cr_assert_eq(err, 0);
	cr_expect_str_eq(s, "{\"n\":\"HTTP server-v2 readyNow\",\"lower\":\"http server-v2 readynow\","
			    "\"upper\":\"HTTP SERVER-V2 READYNOW\",\"snake\":\"http_server_v2_ready_now\","
			    "\"kebab\":\"http-server-v2-ready-now\",\"camel\":\"httpServerV2ReadyNow\","
			    "\"pascal\":\"HttpServerV2ReadyNow\"}");
	free(s);
	weft_templates_manifest_free(m);
}

Test(manifest, answers_text_round_trips)
{
	weft_templates_manifest *m = load_full();
	cJSON *v = cJSON_Parse("{\"project\":\"p\",\"title\":\"say \\\"hi\\\"\\n\",\"port\":2000,\"use_db\":true,"
			       "\"db\":\"sqlite\",\"features\":[],\"env\":\"prod\",\"use_docker\":false,"
			       "\"owner\":\"o: x # y\",\"module\":\"p\"}");
	weft_buf b = WEFT_BUF_INIT;
	weft_templates_record rec = { .source = "src", .ref = "v1", .digest = "sha256:00", .weft_version = "9.9" };
	cr_assert_eq(weft_templates_answers_text(&b, m, &rec, v), 0);
	cr_expect_str_eq(b.ptr, "# Written by weft new. To make this project again:\n"
				"#   weft new SOURCE DEST --answers .weft-answers.yaml\n"
				"template:\n  name: \"full\"\n  version: \"1.2.3\"\n  source: \"src\"\n"
				"  ref: \"v1\"\n  template_digest: \"sha256:00\"\n  weft_version: \"9.9\"\n"
				"  variables:\n"
				"    project: {type: \"string\", default: \"demo-service\", pattern: \"[a-z][a-z0-9-]*\"}\n"
				"    title: {type: \"string\", default: \"{{project}} <home>\"}\n"
				"    port: {type: \"int\", default: \"8080\", min: 1024, max: 65535}\n"
				"    use_db: {type: \"bool\", default: \"false\"}\n"
				"    db: {type: \"choice\", default: \"postgres\", choices: [\"postgres\", \"sqlite\"], "
				"when: \"use_db\"}\n"
				"    features: {type: \"list\", default: \"metrics\", choices: [\"metrics\", \"tracing\", "
				"\"auth\"]}\n"
				"    env: {type: \"choice\", default: \"dev\", choices: [\"dev\", \"prod\"]}\n"
				"    use_docker: {type: \"bool\", default: \"true\"}\n"
				"    owner: {type: \"string\"}\n"
				"answers:\n  project: \"p\"\n  title: \"say \\\"hi\\\"\\n\"\n  port: 2000\n"
				"  use_db: true\n  db: \"sqlite\"\n  features: []\n  env: \"prod\"\n"
				"  use_docker: false\n  owner: \"o: x # y\"\n");
	/* reading it back gives the same values */
	char path[128];
	snprintf(path, sizeof path, "%s/ans.yaml", tmp);
	write_file(path, b.ptr);
	weft_templates_answers *a = NULL;
	cr_assert_eq(weft_templates_answers_load(&a, path, d), 0);
	weft_templates_values_opts o = { .answers = a };
	int err;
	char *s = resolve_json(m, &o, &err);
	cr_assert_eq(err, 0);
	cr_expect_str_eq(s, "{\"project\":\"p\",\"title\":\"say \\\"hi\\\"\\n\",\"port\":2000,\"use_db\":true,"
			    "\"db\":\"sqlite\",\"features\":[],\"env\":\"prod\",\"use_docker\":false,"
			    "\"owner\":\"o: x # y\",\"module\":\"p\",\"has_tracing\":false,\"dockerfile\":\"\"}");
	free(s);
	weft_templates_answers_free(a);
	weft_buf_free(&b);
	cJSON_Delete(v);
	weft_templates_manifest_free(m);
}

/* ---- conditions ---- */

static void expect_cond(const char *src, const char *json, int want)
{
	cJSON *v = cJSON_Parse(json);
	bool r = false;
	char msg[256] = "";
	int col = 0;
	int err = weft_templates_expr_eval(&r, src, v, msg, sizeof msg, &col);
	cJSON_Delete(v);
	if (want < 0) {
		cr_expect_eq(err, WEFT_EINVALID, "'%s' should not parse", src);
		return;
	}
	cr_expect_eq(err, 0, "'%s': %s", src, msg);
	cr_expect_eq(r, want == 1, "'%s' over %s", src, json);
}

Test(manifest, condition_language)
{
	const char *v = "{\"a\": true, \"b\": false, \"n\": 3, \"s\": \"pg\", \"l\": [\"x\", \"y\"], \"e\": \"\"}";
	expect_cond("a", v, 1);
	expect_cond("b", v, 0);
	expect_cond("missing", v, 0);
	expect_cond("!b && a", v, 1);
	expect_cond("not a or b", v, 0);
	expect_cond("(a || b) and not (n < 3)", v, 1);
	expect_cond("s == 'pg'", v, 1);
	expect_cond("s != \"pg\"", v, 0);
	expect_cond("n >= 3 && n <= 3 && n > 2", v, 1);
	expect_cond("n == 3", v, 1);
	expect_cond("'y' in l", v, 1);
	expect_cond("'z' in l", v, 0);
	expect_cond("'g' in s", v, 1);
	expect_cond("e", v, 0);
	expect_cond("l", v, 1);
	expect_cond("a ==", v, -1);
	expect_cond("'open", v, -1);
	expect_cond("a b", v, -1);
	expect_cond("", v, -1);
	/* deep nesting is refused, not a crash */
	char deep[400];
	memset(deep, '(', 300);
	strcpy(deep + 300, "a");
	expect_cond(deep, v, -1);
	memset(deep, '!', 300);
	expect_cond(deep, v, -1);
}

/* ---- validation rules (validate:) ---- */

static void expect_rule(const char *src, const char *json, int want, const char *err_needle)
{
	cJSON *v = cJSON_Parse(json);
	bool r = false;
	char msg[256] = "";
	int col = 0;
	int err = weft_templates_expr_eval(&r, src, v, msg, sizeof msg, &col);
	cJSON_Delete(v);
	if (want < 0) {
		cr_expect_eq(err, WEFT_EINVALID, "'%s' should fail", src);
		if (err_needle)
			cr_expect(strstr(msg, err_needle), "'%s': '%s' not in '%s'", src, err_needle, msg);
		return;
	}
	cr_expect_eq(err, 0, "'%s': %s", src, msg);
	cr_expect_eq(r, want == 1, "'%s' over %s", src, json);
}

Test(manifest, expression_arithmetic_and_precedence)
{
	const char *v = "{\"n\": 3, \"z\": 0, \"big\": 9007199254740992, \"s\": \"pg\", \"t\": \"ph\", \"a\": true}";
	expect_rule("1 + 2 * 3 == 7", v, 1, NULL);
	expect_rule("(1 + 2) * 3 == 9", v, 1, NULL);
	expect_rule("10 - 2 - 3 == 5", v, 1, NULL); /* left to right */
	expect_rule("12 / 2 / 3 == 2", v, 1, NULL);
	expect_rule("7 / 2 == 3 && -7 / 2 == -3", v, 1, NULL); /* truncates toward zero */
	expect_rule("7 % 3 == 1 and -7 % 3 == -1", v, 1, NULL);
	expect_rule("-n == -3 && - -n == n && n - -1 == 4", v, 1, NULL);
	expect_rule("n * 2 + 1 > 6 and not n + 1 > 4", v, 1, NULL);
	expect_rule("n + 1 > 3 || n / z > 0", v, 1, NULL); /* the side not taken is not evaluated */
	expect_rule("z != 0 and n / z > 1", v, 0, NULL);
	expect_rule("n == 3.0 && n < 3.5", v, 1, NULL);
	expect_rule("big * 512 > big", v, 1, NULL); /* 2^62: no overflow */
	/* string comparison: byte order */
	expect_rule("s < t && 'abc' < 'abd' && 'B' < 'a' && s == 'pg'", v, 1, NULL);
	/* errors, never a crash */
	expect_rule("n / z > 1", v, -1, "division by zero");
	expect_rule("n % z > 1", v, -1, "division by zero");
	expect_rule("9223372036854775807 + 1 > 0", v, -1, "integer overflow in '+'");
	expect_rule("-9223372036854775807 - 2 < 0", v, -1, "integer overflow in '-'");
	expect_rule("big * big * big > 0", v, -1, "integer overflow in '*'");
	expect_rule("(-9223372036854775807 - 1) / -1 > 0", v, -1, "integer overflow");
	expect_rule("99999999999999999999 > 1", v, -1, "number too large");
	expect_rule("s + 1 > 0", v, -1, "'+' cannot take string and int");
	expect_rule("-a", v, -1, "'-' cannot take bool");
	expect_rule("n +", v, -1, "ends too early");
	char deep[400];
	memset(deep, '-', 300);
	strcpy(deep + 300, "n > 0");
	expect_rule(deep, v, -1, "nested too deeply");
}

static void expect_rule_check(const char *src, int col, const char *needle)
{
	static const weft_templates_expr_var vars[] = {
		{ "a", WEFT_TEMPLATES_INT },    { "b", WEFT_TEMPLATES_INT },  { "s", WEFT_TEMPLATES_STRING },
		{ "c", WEFT_TEMPLATES_CHOICE }, { "f", WEFT_TEMPLATES_BOOL }, { "l", WEFT_TEMPLATES_LIST },
	};
	bool used[6] = { 0 };
	char msg[256] = "";
	int got = 0;
	int err = weft_templates_expr_check_rule(src, vars, 6, used, msg, sizeof msg, &got);
	if (!needle) {
		cr_expect_eq(err, 0, "'%s': %s", src, msg);
		return;
	}
	cr_expect_eq(err, WEFT_EINVALID, "'%s' should be refused", src);
	cr_expect(strstr(msg, needle), "'%s': '%s' not in '%s'", src, needle, msg);
	cr_expect_eq(got, col, "'%s': column %d, expected %d (%s)", src, got, col, msg);
}

Test(manifest, rule_types_are_checked)
{
	expect_rule_check("a < b", 0, NULL);
	expect_rule_check("a + b * 2 <= 100 and (f or s == 'x') and c != 'y' and 'x' in l and 'e' in s", 0, NULL);
	expect_rule_check("not f && a % 2 == 0", 0, NULL);
	expect_rule_check("a < s", 3, "'<' cannot take int and string");
	expect_rule_check("a == 'x'", 3, "'==' cannot take int and string");
	expect_rule_check("f == 1", 3, "'==' cannot take bool and int");
	expect_rule_check("s + 1 > a", 3, "'+' cannot take string and int");
	expect_rule_check("a * 0.5 > b", 3, "'*' cannot take int and number");
	expect_rule_check("a in l", 3, "'in' cannot take int and list");
	expect_rule_check("a and f", 1, "'and' takes yes/no values");
	expect_rule_check("f || s", 6, "'||' takes yes/no values");
	expect_rule_check("!a", 2, "'!' takes yes/no values");
	expect_rule_check("a + b", 1, "a rule must be yes or no");
	expect_rule_check("a < bb", 5, "unknown variable 'bb' (did you mean 'b'?)");
	expect_rule_check("a <", 4, "ends too early");
	expect_rule_check("", 1, "empty rule");
	/* the names a rule uses */
	static const weft_templates_expr_var vars[] = { { "x", WEFT_TEMPLATES_INT },
							{ "y", WEFT_TEMPLATES_INT },
							{ "z", WEFT_TEMPLATES_INT } };
	bool used[3] = { 0 };
	char msg[128];
	int col;
	cr_expect_eq(weft_templates_expr_check_rule("x < z + 1", vars, 3, used, msg, sizeof msg, &col), 0);
	cr_expect(used[0] && !used[1] && used[2]);
}

#define BUDGET                                                                                                 \
	HEAD "variables:\n"                                                                                    \
	     "  - {name: deadline, type: int, min: 1, default: 200}\n"                                         \
	     "  - {name: budget, type: int, default: 300}\n"                                                   \
	     "  - {name: cache, type: bool, default: false}\n"                                                 \
	     "  - {name: cache_ms, type: int, default: 500, when: cache}\n"                                    \
	     "  - {name: half, type: int, value: '{{budget}}'}\n"                                              \
	     "validate:\n"                                                                                      \
	     "  - rule: deadline < budget\n"                                                                    \
	     "    message: 'deadline ({{deadline}}) must be below budget ({{budget}})'\n"                       \
	     "    vars: [deadline, budget]\n"                                                                   \
	     "  - rule: cache_ms >= deadline\n"                                                                 \
	     "    message: 'cache_ms ({{cache_ms}}) below deadline ({{deadline}})'\n"                           \
	     "  - rule: half / deadline >= 1\n"                                                                 \
	     "    message: 'half'\n"

static weft_templates_manifest *load_yaml(const char *yaml)
{
	weft_templates_manifest *m = NULL;
	int err = weft_templates_manifest_load(&m, make_template(yaml), d);
	cr_assert_eq(err, 0, "%s", weft_diags_count(d) ? weft_diags_get(d, 0)->message : "?");
	return m;
}

static size_t count_errors(void)
{
	size_t n = 0;
	for (size_t i = 0; i < weft_diags_count(d); i++)
		n += weft_diags_get(d, i)->severity == WEFT_SEV_ERROR;
	return n;
}

Test(manifest, validate_loads_and_checks_at_load_time)
{
	weft_templates_manifest *m = load_yaml(BUDGET);
	cr_assert_eq(weft_templates_manifest_nvalidations(m), 3);
	const weft_templates_validation *v = weft_templates_manifest_validation(m, 0);
	cr_expect_str_eq(v->rule, "deadline < budget");
	cr_expect_eq(v->n_vars, 2);
	cr_expect_eq(v->line, 11);
	cr_expect_eq(v->col, 5);
	/* without vars: the asked variables the rule names (not derived ones) */
	v = weft_templates_manifest_validation(m, 1);
	cr_assert_eq(v->n_vars, 2);
	cr_expect_str_eq(v->vars[0], "deadline");
	cr_expect_str_eq(v->vars[1], "cache_ms");
	v = weft_templates_manifest_validation(m, 2);
	cr_assert_eq(v->n_vars, 1);
	cr_expect_str_eq(v->vars[0], "deadline");
	cr_expect_null(weft_templates_manifest_validation(m, 3));
	weft_templates_manifest_free(m);

#define VARS HEAD "variables:\n  - {name: n, type: int, default: 1}\n  - {name: s, default: x}\nvalidate:\n"
	/* line 8 is the first rule; "  - rule: " puts the rule at column 11 */
	expect_load_error(VARS "  - rule: n < nn\n", 8, 15, "unknown variable 'nn' (did you mean 'n'?)");
	weft_diags_clear(d);
	expect_load_error(VARS "  - rule: n < s\n", 8, 13, "'<' cannot take int and string");
	weft_diags_clear(d);
	expect_load_error(VARS "  - rule: \"n == 'x'\"\n", 8, 14, "'==' cannot take int and string");
	weft_diags_clear(d);
	expect_load_error(VARS "  - rule: n and s\n", 8, 11, "takes yes/no values");
	weft_diags_clear(d);
	expect_load_error(VARS "  - rule: n + 1\n", 8, 11, "a rule must be yes or no");
	weft_diags_clear(d);
	expect_load_error(VARS "  - rule: n <\n", 8, 14, "ends too early");
	weft_diags_clear(d);
	expect_load_error(VARS "  - message: hi\n", 8, 5, "rule");
	weft_diags_clear(d);
	expect_load_error(VARS "  - rule: n > 0\n    message: '{{#n}}'\n", 9, 14, "unclosed section");
	weft_diags_clear(d);
	expect_load_error(VARS "  - rule: n > 0\n    vars: [m]\n", 9, 12, "vars: unknown variable 'm'");
	weft_diags_clear(d);
	expect_load_error(VARS "  - rule: n > 0\n  - rule: s ==\n  - rule: n < s\n", 9, 15, "ends too early");
	cr_expect_eq(count_errors(), 2, "every broken rule is reported");
	weft_diags_clear(d);
	expect_load_error(HEAD "variables:\n  - {name: n, type: int, default: 1}\n  - {name: k, value: '{{n}}'}\n"
			       "validate:\n  - rule: n > 0\n    vars: [k]\n",
			  9, 12, "computed by the template");
	weft_diags_clear(d);
	expect_load_error(VARS "  rule: n > 0\n", 8, 3, "validate");
#undef VARS
}

Test(manifest, validate_at_resolve_time)
{
	weft_templates_manifest *m = load_yaml(BUDGET);
	int err;
	/* the defaults pass; cache_ms is not in effect, so its rule is skipped */
	char *s = resolve_json(m, NULL, &err);
	cr_assert_eq(err, 0, "%s", count_errors() ? first_error()->message : "");
	cr_expect_str_eq(s, "{\"deadline\":200,\"budget\":300,\"cache\":false,\"half\":300}");
	free(s);
	/* a --set that breaks a rule: a usage error with the rendered message */
	const char *sets[] = { "deadline=500" };
	weft_templates_values_opts o = { .sets = sets, .n_sets = 1 };
	cr_expect_null(resolve_json(m, &o, &err));
	cr_expect_eq(err, WEFT_EUSAGE);
	cr_assert_eq(count_errors(), 2); /* half / deadline is 0 too */
	const weft_diag *g = first_error();
	cr_expect_str_eq(g->message, "deadline (500) must be below budget (300)");
	cr_expect(g->hint && strstr(g->hint, "deadline < budget") && strstr(g->hint, "--set deadline=500"), "%s",
		  g->hint);
	weft_diags_clear(d);
	/* every failing rule is reported, not only the first */
	const char *sets2[] = { "deadline=600", "cache=yes", "cache_ms=10" };
	weft_templates_values_opts o2 = { .sets = sets2, .n_sets = 3 };
	cr_expect_null(resolve_json(m, &o2, &err));
	cr_expect_eq(err, WEFT_EUSAGE);
	cr_assert_eq(count_errors(), 3);
	cr_expect_str_eq(weft_diags_get(d, 0)->message, "deadline (600) must be below budget (300)");
	cr_expect_str_eq(weft_diags_get(d, 1)->message, "cache_ms (10) below deadline (600)");
	cr_expect_str_eq(weft_diags_get(d, 2)->message, "half");
	weft_diags_clear(d);
	/* an answers file is a usage error too */
	char path[128];
	snprintf(path, sizeof path, "%s/a.yaml", tmp);
	write_file(path, "deadline: 300\n");
	weft_templates_answers *a = NULL;
	cr_assert_eq(weft_templates_answers_load(&a, path, d), 0);
	weft_templates_values_opts o3 = { .answers = a };
	cr_expect_null(resolve_json(m, &o3, &err));
	cr_expect_eq(err, WEFT_EUSAGE);
	cr_expect(strstr(first_error()->hint, "from the answers file"), "%s", first_error()->hint);
	weft_templates_answers_free(a);
	weft_diags_clear(d);
	weft_templates_manifest_free(m);
}

Test(manifest, validate_rule_errors_and_broken_defaults)
{
	/* the template's own defaults break its rule: invalid input, at the rule */
	weft_templates_manifest *m = load_yaml(HEAD "variables:\n  - {name: a, type: int, default: 5}\n"
						    "  - {name: b, type: int, default: 0}\nvalidate:\n"
						    "  - {rule: a < b, message: 'a ({{a}}) must be below b ({{b}})'}\n"
						    "  - {rule: a / b >= 0, message: 'ratio'}\n");
	int err;
	cr_expect_null(resolve_json(m, NULL, &err));
	cr_expect_eq(err, WEFT_EINVALID);
	cr_assert_eq(count_errors(), 2);
	const weft_diag *g = weft_diags_get(d, 0);
	cr_expect_str_eq(g->message, "a (5) must be below b (0)");
	cr_expect(g->path && strstr(g->path, "template.yaml"));
	cr_expect_eq(g->line, 8);
	cr_expect(strstr(g->hint, "defaults break its own rule"), "%s", g->hint);
	/* division by zero: the rule fails with the reason, nothing crashes */
	cr_expect_str_eq(weft_diags_get(d, 1)->message, "ratio (the rule 'a / b >= 0' cannot be checked: division by zero)");
	weft_diags_clear(d);
	const char *sets[] = { "b=9" };
	weft_templates_values_opts o = { .sets = sets, .n_sets = 1 };
	char *s = resolve_json(m, &o, &err);
	cr_expect_eq(err, 0);
	free(s);
	weft_templates_manifest_free(m);
}

Test(manifest, validate_asks_again)
{
	weft_templates_manifest *m = load_yaml(BUDGET);
	/* deadline 500 breaks the first rule: deadline and budget are asked
	 * again, offering what was answered; cache (answered "n") is replayed */
	const char *replies[] = { "500", "", "n", "100", "", NULL };
	script s = { replies, 0, "" };
	weft_templates_values_opts o = { .ask = scripted, .ask_ctx = &s };
	int err;
	char *json = resolve_json(m, &o, &err);
	cr_assert_eq(err, 0, "%s", s.log);
	cr_expect_str_eq(json, "{\"deadline\":100,\"budget\":300,\"cache\":false,\"half\":300}");
	cr_expect_str_eq(s.log, "deadline[200];budget[300];cache[false];"
				"deadline[500]!deadline (500) must be below budget (300);"
				"budget[300]!deadline (500) must be below budget (300);");
	cr_expect_eq(weft_diags_count(d), 0);
	free(json);
	/* a --set value is not asked again: the rule's other variable is */
	const char *sets[] = { "budget=150" };
	const char *replies2[] = { "", "", "90", NULL };
	script s2 = { replies2, 0, "" };
	weft_templates_values_opts o2 = { .sets = sets, .n_sets = 1, .ask = scripted, .ask_ctx = &s2 };
	json = resolve_json(m, &o2, &err);
	cr_assert_eq(err, 0, "%s", s2.log);
	cr_expect_str_eq(json, "{\"deadline\":90,\"budget\":150,\"cache\":false,\"half\":150}");
	cr_expect_str_eq(s2.log, "deadline[200];cache[false];deadline[200]!deadline (200) must be below budget (150);");
	free(json);
	/* only --set values break it: nothing to ask, a usage error */
	const char *sets3[] = { "budget=150", "deadline=160" };
	const char *replies3[] = { "", NULL };
	script s3 = { replies3, 0, "" };
	weft_templates_values_opts o3 = { .sets = sets3, .n_sets = 2, .ask = scripted, .ask_ctx = &s3 };
	cr_expect_null(resolve_json(m, &o3, &err));
	cr_expect_eq(err, WEFT_EUSAGE);
	cr_expect_str_eq(first_error()->message, "deadline (160) must be below budget (150)");
	weft_diags_clear(d);
	/* end of input while asking again stops */
	const char *replies4[] = { "500", "", "", NULL };
	script s4 = { replies4, 0, "" };
	weft_templates_values_opts o4 = { .ask = scripted, .ask_ctx = &s4 };
	cr_expect_null(resolve_json(m, &o4, &err));
	cr_expect_eq(err, WEFT_EUSAGE);
	cr_expect(strstr(first_error()->message, "no answer for 'deadline'"), "%s", first_error()->message);
	weft_diags_clear(d);
	weft_templates_manifest_free(m);
}

/* The shipped patterns: their defaults pass their rules, and each rule is
 * refused when --set breaks it. */
static void expect_pattern_refuses(const char *pattern, const char *const *sets, size_t n, const char *needle)
{
	char dir[512];
	snprintf(dir, sizeof dir, "%s/templates/patterns/%s", WEFT_SOURCE_DIR, pattern);
	weft_templates_manifest *m = NULL;
	cr_assert_eq(weft_templates_manifest_load(&m, dir, d), 0, "%s", pattern);
	int err;
	char *s = resolve_json(m, NULL, &err);
	cr_expect_eq(err, 0, "%s: the defaults break a rule: %s", pattern, count_errors() ? first_error()->message : "");
	free(s);
	if (sets) {
		weft_templates_values_opts o = { .sets = sets, .n_sets = n };
		cr_expect_null(resolve_json(m, &o, &err));
		cr_expect_eq(err, WEFT_EUSAGE, "%s", pattern);
		cr_expect(count_errors() && strstr(first_error()->message, needle), "%s: '%s' not in '%s'", pattern,
			  needle, count_errors() ? first_error()->message : "(no error)");
	}
	weft_diags_clear(d);
	weft_templates_manifest_free(m);
}

Test(manifest, shipped_patterns_declare_their_rules)
{
	const char *api1[] = { "deadline_ms=500" };
	expect_pattern_refuses("api", api1, 1, "deadline_ms (500) must be below model_budget_ms (300)");
	const char *api2[] = { "deadline_ms=300" }; /* equal is not below */
	expect_pattern_refuses("api", api2, 1, "must be below model_budget_ms");
	const char *api3[] = { "network_budget_ms=500" }; /* 500 + 300 + 1300 > 2000 */
	expect_pattern_refuses("api", api3, 1, "must add up to at most end_to_end_budget_ms (2000)");
	const char *api4[] = { "end_to_end_budget_ms=1849" }; /* 250 + 300 + 1300 = 1850 */
	expect_pattern_refuses("api", api4, 1, "must add up to at most end_to_end_budget_ms (1849)");
	const char *hitl1[] = { "routing_budget_ms=250" };
	expect_pattern_refuses("hitl", hitl1, 1, "end_to_end_budget_ms (250) must be above routing_budget_ms (250)");
	/* patterns whose tests assume no relation between variables: the defaults still load and resolve */
	expect_pattern_refuses("batch", NULL, 0, NULL);
	expect_pattern_refuses("edge", NULL, 0, NULL);
	expect_pattern_refuses("embedded", NULL, 0, NULL);
}
