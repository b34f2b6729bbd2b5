/* test_assess_report.c - the four report formats: the text report's
 * numbers and its 100-column limit, colour only when asked, JSON validated
 * against docs/schemas/assess-report.schema.json (with ajv, through
 * json_schema.h, shown here to refuse documents that must fail),
 * Markdown escaping, and a self-contained HTML file with the radar chart.
 * Expected numbers come from the hand computation in test_assess_score.c
 * (mini model, fixture mini-a.yaml). */
#include <cjson/cJSON.h>

#include "assess_test_util.h"
#include "json_schema.h"

#define SCHEMA WEFT_FIXTURES "/../../docs/schemas/assess-report.schema.json"

typedef struct {
	weft_assess_model *m;
	weft_assess_answers *a[4];
	size_t n;
	weft_assess_result *r;
} scored;

static scored score_files(const char *model, const char *const *files, size_t n, int target)
{
	scored s = { 0 };
	s.m = fixture_model(model);
	weft_diags *d;
	weft_diags_new(&d);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(weft_assess_answers_load(&s.a[i], files[i], d), 0, "%s", files[i]);
	s.n = n;
	weft_assess_score_opts o = { target, NULL, 0, 0 };
	cr_assert_eq(weft_assess_score(&s.r, s.m, (const weft_assess_answers *const *)s.a, n, &o, d), 0);
	weft_diags_free(d);
	return s;
}

static void scored_free(scored *s)
{
	weft_assess_result_free(s->r);
	for (size_t i = 0; i < s->n; i++)
		weft_assess_answers_free(s->a[i]);
	weft_assess_model_free(s->m);
}

static scored mini_a(void)
{
	const char *f[] = { FIX("mini-a.yaml") };
	return score_files(FIX("mini.yaml"), f, 1, 0);
}

static char *render(int (*fn)(weft_buf *, const weft_assess_result *, const weft_assess_report_opts *),
		    const weft_assess_result *r, bool colour)
{
	weft_buf b = WEFT_BUF_INIT;
	weft_assess_report_opts o = { colour, 0, "weft test", "2026-01-01T00:00:00Z", NULL };
	cr_assert_eq(fn(&b, r, &o), 0);
	return weft_buf_detach(&b);
}

/* Every line at most 100 columns (UTF-8 code points). */
static void assert_width(const char *text)
{
	int line = 1;
	for (const char *p = text; *p;) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p), cols = 0;
		for (size_t i = 0; i < len; i++)
			cols += ((unsigned char)p[i] & 0xC0) != 0x80;
		cr_assert_leq(cols, 100, "line %d has %zu columns: %.*s", line, cols, (int)len, p);
		if (!e)
			break;
		p = e + 1;
		line++;
	}
}

Test(assess_report, text_numbers_and_layout)
{
	scored s = mini_a();
	char *t = render(weft_assess_report_text, s.r, false);
	assert_width(t);
	cr_assert_null(strchr(t, '\033'));
	/* alpha 8/3, level 2, coverage 100% (a3 is na: not applicable); beta 3.75
	 * level 3; gamma's only question is na: nothing to rate, no score */
	cr_assert_not_null(strstr(t, "Alpha                            2.67  2 Repeatable        100%  ["), "%s", t);
	cr_assert_not_null(strstr(t, "Beta                             3.75  3 Defined           100%  ["), "%s", t);
	cr_assert_not_null(strstr(t, "Gamma                               -  not rated              -  ["), "%s", t);
	cr_assert_not_null(strstr(t, "  Gamma: not rated: every question answered na (does not apply).\n"), "%s", t);
	/* overall 109/36 = 3.03 over alpha and beta, coverage 100%, 23/27 = 85% */
	cr_assert_not_null(strstr(t, "Overall                          3.03  2 Repeatable        100%  ["), "%s", t);
	cr_assert_not_null(strstr(t, "Overall level 2 Repeatable, score 3.03, 85% of the way to level 3."), "%s", t);
	cr_assert_not_null(strstr(t, "Held at this level by: Alpha."), "%s", t);
	/* a2's gap with 400/27 = 14.8 points and its plan */
	/* a2 is critical at alpha's level: it holds the level, so it comes first */
	cr_assert_not_null(strstr(t, " 1. a2 (Alpha): level 2 -> 3, +14.8 points, critical; holds the dimension's level\n"), "%s", t);
	/* provenance: the model's digest, weights, file and generator */
	cr_assert_not_null(strstr(t, "How this was scored\n"), "%s", t);
	char want[160];
	snprintf(want, sizeof want, "Model mini 2.1 (sha256 %.12s)", s.m->sha256);
	cr_assert_not_null(strstr(t, want), "%s", t);
	cr_assert_not_null(strstr(t, "The model's own weights."), "%s", t);
	cr_assert_not_null(strstr(t, "Answers: mini-a.yaml, Ann, 2026-01-15 (sha256 "), "%s", t);
	cr_assert_not_null(strstr(t, "Report by weft test, 2026-01-01T00:00:00Z."), "%s", t);
	cr_assert_null(strstr(t, WEFT_FIXTURES), "no folder in the report");
	cr_assert_not_null(strstr(t, "    Plan: get to three\n"), "%s", t);
	/* the bar of alpha: 2.67 of 5 over 25 columns = 13 filled, target 3 marked at column 15 */
	cr_assert_not_null(strstr(t, "[#############.|..........]"), "%s", t);
	free(t);
	t = render(weft_assess_report_text, s.r, true);
	cr_assert_not_null(strstr(t, "\033[32m"), "colour when asked");
	free(t);
	scored_free(&s);
}

Test(assess_report, text_fits_100_columns_with_long_text)
{
	/* long titles, ids, plans and names are cut or wrapped */
	weft_buf m = WEFT_BUF_INIT;
	weft_buf_puts(&m, "id: long\nversion: \"1\"\ntitle: ");
	for (int i = 0; i < 30; i++)
		weft_buf_puts(&m, "Very long title ");
	weft_buf_puts(&m, "\nlevels:\n");
	for (int L = 1; L <= 5; L++)
		weft_buf_printf(&m, "  - {level: %d, name: Levelnamethatislongerthanthecolumn%d, description: d}\n", L, L);
	weft_buf_puts(&m, "dimensions:\n  - id: d\n    title: ");
	for (int i = 0; i < 10; i++)
		weft_buf_puts(&m, "Dimensiontitle ");
	weft_buf_puts(&m, "\n    questions:\n      - id: q-with-a-long-id-that-goes-on-and-on-and-on-and-on-and-on-and-on-and-on-xx\n"
			  "        text: ");
	for (int i = 0; i < 40; i++)
		weft_buf_puts(&m, "word ");
	weft_buf_puts(&m, "Unbreakablewordthatislongerthanawholelineofthereportunbreakablewordthatislongerthanawholelineofthereport\n"
			  "        options:\n");
	for (int L = 1; L <= 5; L++) {
		weft_buf_printf(&m, "          - {level: %d, text: t, improve: \"", L);
		for (int i = 0; i < 50; i++)
			weft_buf_puts(&m, "plan ");
		weft_buf_puts(&m, "\"}\n");
	}
	weft_diags *d;
	weft_diags_new(&d);
	weft_assess_model *mod = NULL;
	cr_assert_eq(weft_assess_model_load_buffer(&mod, "long.yaml", m.ptr, m.len, d), 0);
	const char *ans = "model: long\nmodel_version: \"1\"\nunit: A unit with a rather long name that goes on\n"
			  "respondent: Someone with a very long name indeed, from a department with a long name\n"
			  "answers:\n  q-with-a-long-id-that-goes-on-and-on-and-on-and-on-and-on-and-on-and-on-xx: {level: 1}\n";
	weft_assess_answers *a = buffer_answers("a.yaml", ans);
	weft_assess_result *r = NULL;
	cr_assert_eq(weft_assess_score(&r, mod, (const weft_assess_answers *const *)&a, 1, NULL, d), 0);
	char *t = render(weft_assess_report_text, r, false);
	assert_width(t);
	free(t);
	weft_assess_result_free(r);
	weft_assess_answers_free(a);
	weft_assess_model_free(mod);
	weft_buf_free(&m);
	weft_diags_free(d);
}

static const char *load_schema(void)
{
	cr_assert(weft_path_exists(SCHEMA), "cannot read %s", SCHEMA);
	return SCHEMA;
}

/* The number of problems ajv finds in json (0: valid); errs gets them, one a
 * line. A validator that gives no answer fails the test. */
static int validate(const char *schema, const char *json, weft_buf *errs)
{
	char *said = NULL;
	int rc = weft_test_schema_check(schema, json, &said);
	cr_assert_geq(rc, 0, "the validator gave no answer on %s:\n%s", schema, said ? said : "");
	weft_buf_puts(errs, said);
	int n = weft_test_schema_count(said);
	free(said);
	return rc == 0 ? 0 : n > 0 ? n : 1;
}

static void assert_valid(const char *schema, const char *json)
{
	weft_buf errs = WEFT_BUF_INIT;
	int n = validate(schema, json, &errs);
	cr_assert_eq(n, 0, "report does not match its schema:\n%s", errs.ptr ? errs.ptr : "");
	weft_buf_free(&errs);
}

Test(assess_report, json_values_and_schema)
{
	const char *schema = load_schema();
	scored s = mini_a();
	char *j = render(weft_assess_report_json, s.r, false);
	assert_valid(schema, j);
	cJSON *doc = cJSON_Parse(j);
	const cJSON *ov = cJSON_GetObjectItem(doc, "overall");
	cr_assert_eq(cJSON_GetObjectItem(ov, "level")->valueint, 2);
	/* 109/36 = 3.02777... rounded to 4 decimals */
	cr_assert_float_eq(cJSON_GetObjectItem(ov, "score")->valuedouble, 3.0278, 1e-12);
	cr_assert_float_eq(cJSON_GetObjectItem(ov, "percent_to_target")->valuedouble, 0.8519, 1e-12);
	/* over the scored dimensions alpha (2) and beta (1), both fully answered */
	cr_assert_float_eq(cJSON_GetObjectItem(ov, "coverage")->valuedouble, 1.0, 1e-12);
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(ov, "rated")));
	const cJSON *dims = cJSON_GetObjectItem(doc, "dimensions");
	const cJSON *gamma = cJSON_GetArrayItem(dims, 2);
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(gamma, "score")));
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(gamma, "level")));
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(gamma, "level_name")));
	cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(gamma, "rated")));
	cr_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(gamma, "not_rated"), 0)->valuestring, "all_na");
	const cJSON *alpha = cJSON_GetArrayItem(dims, 0);
	const cJSON *cap = cJSON_GetObjectItem(alpha, "capped_by");
	cr_assert_str_eq(cJSON_GetObjectItem(cap, "kind")->valuestring, "score");
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(cap, "question")));
	/* provenance without folders: the model's digest, the file's name */
	const cJSON *mo = cJSON_GetObjectItem(doc, "model");
	cr_assert_str_eq(cJSON_GetObjectItem(mo, "sha256")->valuestring, s.m->sha256);
	cr_assert_null(cJSON_GetObjectItem(mo, "path"));
	const cJSON *src0 = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "sources"), 0);
	cr_assert_str_eq(cJSON_GetObjectItem(src0, "file")->valuestring, "mini-a.yaml");
	cr_assert_null(strstr(j, WEFT_FIXTURES), "no folder in the JSON");
	cr_assert_str_eq(cJSON_GetObjectItem(doc, "generated_at")->valuestring, "2026-01-01T00:00:00Z");
	cr_assert_float_eq(cJSON_GetObjectItem(alpha, "score")->valuedouble, 2.6667, 1e-12);
	const cJSON *q1 = cJSON_GetArrayItem(cJSON_GetObjectItem(alpha, "questions"), 0);
	cr_assert_str_eq(cJSON_GetObjectItem(q1, "note")->valuestring, "a note");
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(q1, "evidence")), 2);
	const cJSON *gap = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "gaps"), 0);
	cr_assert_str_eq(cJSON_GetObjectItem(gap, "question")->valuestring, "a2");
	cr_assert_float_eq(cJSON_GetObjectItem(gap, "points")->valuedouble, 14.8148, 1e-12);
	cr_assert_str_eq(cJSON_GetObjectItem(doc, "generator")->valuestring, "weft test");
	cJSON_Delete(doc);
	free(j);
	scored_free(&s);
}

Test(assess_report, json_schema_for_rollups_and_empty_results)
{
	const char *schema = load_schema();
	/* nothing assessed */
	weft_assess_model *m = fixture_model(FIX("mini.yaml"));
	weft_assess_result *r = NULL;
	cr_assert_eq(weft_assess_score(&r, m, NULL, 0, NULL, NULL), 0);
	char *j = render(weft_assess_report_json, r, false);
	assert_valid(schema, j);
	free(j);
	weft_assess_result_free(r);
	weft_assess_model_free(m);
	/* the shipped examples when present: single and rolled up */
	const char *ex = WEFT_FIXTURES "/../../assess/examples/";
	const char *model = WEFT_FIXTURES "/../../assess/questionnaires/ai-integration.yaml";
	cr_assert(weft_path_exists(model), "shipped model missing: %s", model);
	char a1[512], a2[512];
	snprintf(a1, sizeof a1, "%sunderwriting-alice.yaml", ex);
	snprintf(a2, sizeof a2, "%sunderwriting-bob.yaml", ex);
	const char *f[] = { a1, a2 };
	scored s = score_files(model, f, 2, 0);
	cr_assert_gt(s.r->n_disagreements, 0);
	/* both put embedded and edge out of scope: the roll-up does too */
	size_t out = 0;
	for (size_t i = 0; i < s.r->n_dims; i++)
		out += !s.r->dims[i].in_scope;
	cr_assert_geq(out, 1);
	j = render(weft_assess_report_json, s.r, false);
	assert_valid(schema, j);
	cr_assert_null(strstr(j, "\"/"), "no absolute path in the JSON");
	free(j);
	scored_free(&s);
}

Test(assess_report, validator_rejects_bad_documents)
{
	const char *schema = load_schema();
	scored s = mini_a();
	char *good = render(weft_assess_report_json, s.r, false);
	weft_buf errs = WEFT_BUF_INIT;

	/* 1: a required top-level field removed */
	cJSON *doc = cJSON_Parse(good);
	cJSON_DeleteItemFromObject(doc, "overall");
	char *bad = cJSON_Print(doc);
	cr_assert_gt(validate(schema, bad, &errs), 0);
	cr_assert_not_null(strstr(errs.ptr, "(root): must have required property 'overall'"), "%s", errs.ptr);
	free(bad);
	cJSON_Delete(doc);
	weft_buf_free(&errs);

	/* 2: a wrong type deep inside ($ref'd question object) */
	doc = cJSON_Parse(good);
	cJSON *q = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "dimensions"), 0),
							 "questions"), 0);
	cJSON_ReplaceItemInObject(q, "critical", cJSON_CreateString("no"));
	bad = cJSON_Print(doc);
	cr_assert_gt(validate(schema, bad, &errs), 0);
	cr_assert_not_null(strstr(errs.ptr, "/dimensions/0/questions/0/critical: must be boolean"), "%s", errs.ptr);
	free(bad);
	cJSON_Delete(doc);
	weft_buf_free(&errs);

	/* 3: an extra property, a level out of range, a bad enum */
	doc = cJSON_Parse(good);
	cJSON_AddStringToObject(doc, "extra", "x");
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(doc, "target"), "level", cJSON_CreateNumber(6));
	cJSON_ReplaceItemInObject(doc, "format", cJSON_CreateString("other"));
	bad = cJSON_Print(doc);
	cr_assert_eq(validate(schema, bad, &errs), 3, "%s", errs.ptr);
	cr_assert_not_null(strstr(errs.ptr, "(root): must NOT have additional properties: extra"), "%s", errs.ptr);
	cr_assert_not_null(strstr(errs.ptr, "/target/level: must be <= 5"), "%s", errs.ptr);
	cr_assert_not_null(strstr(errs.ptr, "/format: must be equal to one of the allowed values"), "%s", errs.ptr);
	free(bad);
	cJSON_Delete(doc);
	weft_buf_free(&errs);

	/* 4: a non-integer where an integer is required */
	doc = cJSON_Parse(good);
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(doc, "overall"), "level", cJSON_CreateNumber(2.5));
	bad = cJSON_Print(doc);
	cr_assert_eq(validate(schema, bad, &errs), 1, "%s", errs.ptr);
	free(bad);
	cJSON_Delete(doc);
	weft_buf_free(&errs);

	/* 5: a schema keyword the validator does not know fails loudly (strict
	 * mode): no answer, never "valid" */
	char *odd = weft_test_temp_file("{\"$schema\": \"https://json-schema.org/draft/2020-12/schema\","
					" \"type\": \"object\", \"patternPropertes\": {}}",
					".json");
	char *said = NULL;
	int rc = weft_test_schema_check(odd, "{}", &said);
	unlink(odd);
	free(odd);
	cr_assert_lt(rc, 0, "%s", said);
	cr_assert_not_null(strstr(said, "unknown keyword: \"patternPropertes\""), "%s", said);
	free(said);

	free(good);
	scored_free(&s);
}

Test(assess_report, markdown_tables_and_escaping)
{
	weft_assess_model *m = fixture_model(FIX("mini.yaml"));
	const char *text = "model: mini\nmodel_version: \"2.1\"\nunit: \"Ops | <b>team</b>\"\nrespondent: \"A*B\"\nanswers:\n"
			   "  a1: {level: 4}\n  a2: {level: 2}\n  b1: {level: 3}\n  b2: {level: 4}\n";
	weft_assess_answers *a = buffer_answers("a.yaml", text);
	weft_assess_result *r = NULL;
	cr_assert_eq(weft_assess_score(&r, m, (const weft_assess_answers *const *)&a, 1, NULL, NULL), 0);
	char *md = render(weft_assess_report_markdown, r, false);
	cr_assert_not_null(strstr(md, "# Mini model: Ops \\| &lt;b&gt;team&lt;/b&gt;\n"), "%s", md);
	cr_assert_not_null(strstr(md, "respondent: A\\*B"), "%s", md);
	/* alpha: a1 4 (w1), a2 2 (w2), a3 unanswered as 1 (w1): 9/4 = 2.25, coverage
	 * 3/4 < 0.8: not rated. The target: nothing rated, so one above the lowest
	 * score level (gamma: g1 unanswered, score 1): 2. To target 2, alpha
	 * misses a3's 1 of 2 * 4: 7/8 = 87%; gamma 1 - 1/2 = 50% */
	cr_assert_not_null(strstr(md, "| Alpha | 2 | 2.25 | not rated | 75% | 87% | not rated: 75% of its "
				      "applicable weight answered, 80% needed |\n"),
			   "%s", md);
	cr_assert_not_null(strstr(md, "| Gamma | 1 | 1.00 | not rated | 0% | 50% | not rated: 0% of its "
				      "applicable weight answered, 80% needed |\n"),
			   "%s", md);
	cr_assert_null(strstr(md, "not assessed"), "%s", md);
	cr_assert_not_null(strstr(md, "## Not answered (2)\n\nEach counts as level 1 in its dimension's score.\n\n`a3`, `g1`\n"), "%s", md);
	free(md);
	weft_assess_result_free(r);
	weft_assess_answers_free(a);
	weft_assess_model_free(m);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

Test(assess_report, html_is_self_contained_with_radar_and_escaped)
{
	weft_assess_model *m = fixture_model(FIX("mini.yaml"));
	/* every dimension rated, so the radar has its score polygon */
	const char *text = "model: mini\nmodel_version: \"2.1\"\nunit: \"<script>alert(1)</script>\"\nanswers:\n"
			   "  a1: {level: 4, note: \"x\\\" onload=\\\"y\"}\n  a2: {level: 2}\n  a3: {level: 3}\n"
			   "  b1: {level: 3}\n  b2: {level: 2}\n  g1: {level: 1}\n";
	weft_assess_answers *a = buffer_answers("a.yaml", text);
	weft_assess_result *r = NULL;
	cr_assert_eq(weft_assess_score(&r, m, (const weft_assess_answers *const *)&a, 1, NULL, NULL), 0);
	char *h = render(weft_assess_report_html, r, false);
	cr_assert(!strncmp(h, "<!DOCTYPE html>", 15));
	cr_assert_not_null(strstr(h, "</html>\n"));
	/* no external assets, no script */
	cr_assert_null(strstr(h, "<script"));
	cr_assert_null(strstr(h, "src="));
	cr_assert_null(strstr(h, "<link"));
	cr_assert_null(strstr(h, "url("));
	cr_assert_null(strstr(h, "@import"));
	cr_assert_not_null(strstr(h, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	cr_assert_not_null(strstr(h, "x&quot; onload=&quot;y"));
	/* the radar: one svg, 5 level rings + the target ring + the score polygon */
	cr_assert_eq(count(h, "<svg "), 1);
	cr_assert_eq(count(h, "<polygon "), 7);
	cr_assert_not_null(strstr(h, "stroke-dasharray"));
	/* three dimensions -> three axes */
	cr_assert_eq(count(h, "<line "), 3);
	/* print styles */
	cr_assert_not_null(strstr(h, "@media print"));
	/* level bars: 3 dimensions + overall */
	cr_assert_eq(count(h, "<div class=\"brow"), 4);
	free(h);
	weft_assess_result_free(r);
	weft_assess_answers_free(a);
	weft_assess_model_free(m);
}

Test(assess_report, html_with_two_dimensions_has_no_radar)
{
	const char *model = "id: two\nversion: \"1\"\ntitle: Two\nlevels:\n"
			    "  - {level: 1, name: a, description: d}\n  - {level: 2, name: b, description: d}\n"
			    "  - {level: 3, name: c, description: d}\n  - {level: 4, name: d, description: d}\n"
			    "  - {level: 5, name: e, description: d}\n"
			    "dimensions:\n"
			    "  - id: x\n    title: X\n    questions:\n      - id: q\n        text: Q\n        options: &o\n"
			    "          - {level: 1, text: o, improve: i}\n          - {level: 2, text: o, improve: i}\n"
			    "          - {level: 3, text: o, improve: i}\n          - {level: 4, text: o, improve: i}\n"
			    "          - {level: 5, text: o}\n"
			    "  - id: y\n    title: Y\n    questions:\n      - id: r\n        text: R\n        options: *o\n";
	weft_diags *d;
	weft_diags_new(&d);
	weft_assess_model *m = NULL;
	cr_assert_eq(weft_assess_model_load_buffer(&m, "two.yaml", model, strlen(model), d), 0);
	weft_assess_result *r = NULL;
	cr_assert_eq(weft_assess_score(&r, m, NULL, 0, NULL, d), 0);
	char *h = render(weft_assess_report_html, r, false);
	cr_assert_eq(count(h, "<svg "), 0);
	cr_assert_not_null(strstr(h, "needs three or more dimensions"));
	free(h);
	weft_assess_result_free(r);
	weft_assess_model_free(m);
	weft_diags_free(d);
}

Test(assess_report, terminal_escapes_in_answers_do_not_reach_the_report)
{
	weft_assess_model *m = fixture_model(FIX("mini.yaml"));
	const char *text = "model: mini\nmodel_version: \"2.1\"\nunit: \"\\e[2J\\e]0;pwned\\a\"\nanswers:\n  a1: {level: 2}\n";
	weft_assess_answers *a = buffer_answers("a.yaml", text);
	weft_assess_result *r = NULL;
	cr_assert_eq(weft_assess_score(&r, m, (const weft_assess_answers *const *)&a, 1, NULL, NULL), 0);
	char *t = render(weft_assess_report_text, r, false);
	cr_assert_null(strchr(t, '\033'));
	cr_assert_null(strchr(t, '\a'));
	free(t);
	weft_assess_result_free(r);
	weft_assess_answers_free(a);
	weft_assess_model_free(m);
}

Test(assess_report, shipped_examples_fit_100_columns_and_validate)
{
	const char *model = WEFT_FIXTURES "/../../assess/questionnaires/ai-integration.yaml";
	cr_assert(weft_path_exists(model), "shipped model missing: %s", model);
	const char *schema = load_schema();
	static const char *const names[] = { "claims-2025.yaml", "claims-2026.yaml", "underwriting-alice.yaml",
					     "underwriting-bob.yaml", "field-inspection-2026.yaml" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char p[512];
		snprintf(p, sizeof p, WEFT_FIXTURES "/../../assess/examples/%s", names[i]);
		const char *f[] = { p };
		for (int target = 0; target <= 5; target += 5) {
			scored s = score_files(model, f, 1, target);
			weft_assess_report_opts o = { false, 100, NULL, NULL, NULL };
			weft_buf b = WEFT_BUF_INIT;
			cr_assert_eq(weft_assess_report_text(&b, s.r, &o), 0);
			assert_width(b.ptr);
			weft_buf_free(&b);
			char *j = render(weft_assess_report_json, s.r, false);
			assert_valid(schema, j);
			free(j);
			scored_free(&s);
		}
	}
}
