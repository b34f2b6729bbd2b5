/* test_assess_diff.c - what moved between two assessments of the mini model
 * (tests/fixtures/assess/mini.yaml: alpha weight 2 {a1 w1, a2 w2 critical,
 * a3 w1 na-able}, beta weight 1 {b1 w1, b2 w3}, gamma weight 1 {g1 w1};
 * min_coverage 0.8), in text, JSON and Markdown, and through the CLI.
 * OLD is old_text (= fixtures/assess/diff/old.yaml), NEW new_text (= new.yaml).
 *
 * By hand (unanswered counts as 1; a dimension with coverage < 80% or a
 * critical question unanswered is not rated; every question na: not scored):
 *   OLD alpha = (4 + 2*2)/3 = 8/3 (level 2), beta = (3 + 3*4)/4 = 15/4
 *   (level 3), gamma all na (not scored); overall level 2, score
 *   (2*8/3 + 15/4)/3 = 109/36 = 3.03, coverage 100%.
 *   NEW alpha = (5 + 2*3 + 2)/4 = 13/4 (level 3), beta = (2 + 3*4)/4 = 7/2
 *   (level 3, score down 0.25), gamma g1 unanswered: score 1, coverage 0,
 *   not rated; so the overall is not rated; score (2*13/4 + 7/2 + 1)/4 = 11/4.
 *   PercentToTarget at target 3 (1 - sum(gap*w)/(3*applicable), dimension-
 *   weight mean over scored dimensions):
 *   OLD alpha 1 - (3-2)*2/9 = 7/9, beta 1; overall (2*7/9 + 1)/3 = 23/27 = 85.19%.
 *   NEW alpha 1 - 1/12 = 11/12 (a3 at 2), beta 1 - 1/12 = 11/12 (b1 at 2),
 *   gamma 1 - 2/3 = 1/3; overall (2*11/12 + 11/12 + 1/3)/4 = 37/48 = 77.08%.
 *   Delta: 37/48 - 23/27 = -105/1296 = -8.10 points.
 *   Own targets: OLD rated 2 -> 3; NEW not rated, lowest score level 1
 *   (gamma) -> 2. */
#include <cjson/cJSON.h>
#include <sys/stat.h>

#include "assess_test_util.h"
#include "cli_run.h"
#include "json_schema.h"

#define SCHEMA WEFT_FIXTURES "/../../docs/schemas/assess-diff.schema.json"

static const char old_text[] = "model: mini\nmodel_version: \"2.1\"\nunit: Unit A\nrespondent: Ann\ndate: 2026-01-15\n"
			       "answers:\n  a1: {level: 4}\n  a2: {level: 2}\n  a3: {level: na, reason: does not apply}\n"
			       "  b1: {level: 3}\n  b2: {level: 4}\n  g1: {level: na, reason: no gamma here}\n";
static const char new_text[] = "model: mini\nmodel_version: \"2.1\"\nunit: Unit A\nrespondent: Ann\ndate: 2026-07-01\n"
			       "answers:\n  a1: {level: 5}\n  a2: {level: 3}\n  a3: {level: 2}\n"
			       "  b1: {level: 2}\n  b2: {level: 4}\n";

typedef struct {
	weft_assess_model *m;
	weft_assess_answers *a[2];
	weft_assess_result *r[2];
} pair;

static weft_assess_result *score(const weft_assess_model *m, const weft_assess_answers *a,
				 const weft_assess_score_opts *o)
{
	weft_diags *d;
	weft_diags_new(&d);
	weft_assess_result *r = NULL;
	int err = weft_assess_score(&r, m, &a, 1, o, d);
	if (err)
		weft_diags_print(d, stderr, false);
	cr_assert_eq(err, 0);
	weft_diags_free(d);
	return r;
}

static pair make2(const char *otext, const char *ntext)
{
	pair p = { 0 };
	p.m = fixture_model(FIX("mini.yaml"));
	p.a[0] = buffer_answers("old.yaml", otext);
	p.a[1] = buffer_answers("new.yaml", ntext);
	for (int i = 0; i < 2; i++)
		p.r[i] = score(p.m, p.a[i], NULL);
	return p;
}

static pair make(void)
{
	return make2(old_text, new_text);
}

static void pair_free(pair *p)
{
	for (int i = 0; i < 2; i++) {
		weft_assess_result_free(p->r[i]);
		weft_assess_answers_free(p->a[i]);
	}
	weft_assess_model_free(p->m);
}

typedef int (*writer)(weft_buf *, const weft_assess_result *, const weft_assess_result *,
		      const weft_assess_diff_opts *);

static char *render(writer w, const weft_assess_result *o, const weft_assess_result *n, int target)
{
	weft_assess_diff_opts op = { false, target, "weft test", "2026-12-03T12:00:00Z" };
	weft_buf b = WEFT_BUF_INIT;
	cr_assert_eq(w(&b, o, n, &op), 0);
	return weft_buf_detach(&b);
}

static const cJSON *at(const cJSON *j, const char *path)
{
	/* "a.b.0.c" */
	char buf[256];
	snprintf(buf, sizeof buf, "%s", path);
	const cJSON *x = j;
	for (char *tok = strtok(buf, "."); tok && x; tok = strtok(NULL, "."))
		x = (*tok >= '0' && *tok <= '9') ? cJSON_GetArrayItem(x, atoi(tok)) : cJSON_GetObjectItem(x, tok);
	cr_assert_not_null(x, "no %s", path);
	return x;
}

static const char *jstr(const cJSON *j, const char *path)
{
	const cJSON *x = at(j, path);
	cr_assert(cJSON_IsString(x), "%s is not a string", path);
	return x->valuestring;
}

static double jnum(const cJSON *j, const char *path)
{
	const cJSON *x = at(j, path);
	cr_assert(cJSON_IsNumber(x), "%s is not a number", path);
	return x->valuedouble;
}

static void schema_ok(const char *json)
{
	char *errors = NULL;
	int rc = weft_test_schema_check(SCHEMA, json, &errors);
	cr_assert_eq(rc, 0, "diff JSON does not match its schema:\n%s", errors ? errors : "");
	free(errors);
}

Test(assess_diff, text)
{
	pair p = make();
	char *t = render(weft_assess_diff_text, p.r[0], p.r[1], 0);
	cr_assert_not_null(strstr(t, "Old: Unit A (Ann 2026-01-15, old.yaml), model mini 2.1\n"
				     "New: Unit A (Ann 2026-07-01, new.yaml), model mini 2.1\n"
				     "Target: level 2 (the new assessment's target)\n"), "%s", t);
	/* overall: rated 2 -> not rated, never "2 -> 0" */
	cr_assert_not_null(strstr(t, "Overall                         2 -> not rated                  "
				     "3.03 -> 2.75 (-0.28)    100% -> 75%\n"), "%s", t);
	cr_assert_not_null(strstr(t, "now not rated: 1 of 3 in-scope dimensions not rated (gamma)\n"), "%s", t);
	cr_assert_not_null(strstr(t, "Alpha                           2 -> 3 (+1)                     "
				     "2.67 -> 3.25 (+0.58)    100% -> 100%  up\n"), "%s", t);
	cr_assert_not_null(strstr(t, "Beta                            3 -> 3                          "
				     "3.75 -> 3.50 (-0.25)    100% -> 100%  down\n"), "%s", t);
	cr_assert_not_null(strstr(t, "Gamma                           not rated -> not rated          "
				     "- -> 1.00               - -> 0%  changed\n"), "%s", t);
	cr_assert_not_null(strstr(t, "was not rated: every question answered na (does not apply)\n"), "%s", t);
	cr_assert_not_null(strstr(t, "now not rated: 0% of its applicable weight answered, 80% needed\n"), "%s", t);
	cr_assert_not_null(strstr(t, "2 up, 1 down, 1 newly answered, 0 no longer answered, 1 otherwise changed, "
				     "1 the same\n"), "%s", t);
	cr_assert_not_null(strstr(t, "  a1                            Alpha                       4 -> 5  up 1\n"), "%s", t);
	cr_assert_not_null(strstr(t, "  a3                            Alpha                       na -> 2  newly answered\n"), "%s", t);
	cr_assert_not_null(strstr(t, "  b1                            Beta                        3 -> 2  down 1\n"), "%s", t);
	cr_assert_not_null(strstr(t, "  g1                            Gamma                       na -> unanswered  changed\n"), "%s", t);
	cr_assert_null(strstr(t, "  b2 "), "unchanged questions are not listed");
	cr_assert_not_null(strstr(t, "Summary: the overall result, 3 of 3 dimensions, 5 of 6 questions changed\n"), "%s", t);
	cr_assert_null(strstr(t, "warning"), "%s", t);
	cr_assert_null(strchr(t, '\033'));
	free(t);
	pair_free(&p);
}

Test(assess_diff, json)
{
	pair p = make();
	char *s = render(weft_assess_diff_json, p.r[0], p.r[1], 0);
	schema_ok(s);
	cJSON *j = cJSON_Parse(s);
	cr_assert_str_eq(jstr(j, "format"), "weft-assess-diff");
	cr_assert_eq(jnum(j, "format_version"), 1);
	cr_assert_str_eq(jstr(j, "generator"), "weft test");
	cr_assert_eq(jnum(j, "target.level"), 2);
	cr_assert_str_eq(jstr(j, "target.from"), "new_target");
	cr_assert_str_eq(jstr(j, "old.sources.0.file"), "old.yaml");
	cr_assert_str_eq(jstr(j, "old.model.version"), "2.1");
	cr_assert_eq(jnum(j, "old.overall.own_target"), 3);
	cr_assert_eq(jnum(j, "new.overall.own_target"), 2);
	/* overall: 2 -> not rated; no level delta */
	cr_assert_str_eq(jstr(j, "overall.change"), "no_longer_rated");
	cr_assert_eq(jnum(j, "overall.level.old"), 2);
	cr_assert(cJSON_IsNull(at(j, "overall.level.new")));
	cr_assert(cJSON_IsNull(at(j, "overall.level.delta")));
	/* 11/4 - 109/36 = -10/36: -0.2778 (from the rounded 2.75 and 3.0278) */
	cr_assert_float_eq(jnum(j, "overall.score.delta"), -0.2778, 1e-9);
	cr_assert_str_eq(jstr(j, "new.overall.not_rated.0"), "dimensions_not_rated");
	cr_assert_str_eq(jstr(j, "dimensions.0.change"), "up");
	cr_assert_eq(jnum(j, "dimensions.0.level_delta"), 1);
	cr_assert_str_eq(jstr(j, "dimensions.1.change"), "down");
	cr_assert_float_eq(jnum(j, "dimensions.1.score_delta"), -0.25, 1e-12);
	cr_assert_str_eq(jstr(j, "dimensions.2.change"), "changed");
	cr_assert_str_eq(jstr(j, "dimensions.2.old.status"), "not_rated");
	cr_assert_str_eq(jstr(j, "dimensions.2.old.not_rated.0"), "all_na");
	cr_assert_str_eq(jstr(j, "dimensions.2.new.not_rated.0"), "coverage");
	cr_assert(cJSON_IsNull(at(j, "dimensions.2.old.score")));
	cr_assert(cJSON_IsNull(at(j, "dimensions.2.level_delta")));
	/* only changed questions: a1 a2 a3 b1 g1 */
	const cJSON *qs = at(j, "questions");
	cr_assert_eq(cJSON_GetArraySize(qs), 5);
	cr_assert_str_eq(jstr(j, "questions.2.id"), "a3");
	cr_assert_str_eq(jstr(j, "questions.2.change"), "answered");
	cr_assert(cJSON_IsNull(at(j, "questions.2.delta")));
	cr_assert_str_eq(jstr(j, "questions.2.old.status"), "na");
	cr_assert(cJSON_IsNull(at(j, "questions.2.old.level")));
	cr_assert_eq(jnum(j, "questions.3.delta"), -1);
	cr_assert_str_eq(jstr(j, "questions.4.id"), "g1");
	cr_assert_str_eq(jstr(j, "questions.4.new.status"), "unanswered");
	cr_assert_eq(cJSON_GetArraySize(at(j, "warnings")), 0);
	cr_assert(cJSON_IsTrue(at(j, "summary.changed")));
	cr_assert_eq(jnum(j, "summary.questions_same"), 1);
	cJSON_Delete(j);
	free(s);
	pair_free(&p);
}

Test(assess_diff, identical_assessments_move_nothing)
{
	pair p = make();
	char *t = render(weft_assess_diff_text, p.r[1], p.r[1], 0);
	cr_assert_not_null(strstr(t, "0 up, 0 down, 0 newly answered, 0 no longer answered, 0 otherwise "
				     "changed, 6 the same\n"), "%s", t);
	cr_assert_not_null(strstr(t, "Summary: no changes\n"), "%s", t);
	cr_assert_not_null(strstr(t, "(+0.0 points)"), "%s", t);
	free(t);
	char *md = render(weft_assess_diff_markdown, p.r[1], p.r[1], 0);
	cr_assert_not_null(strstr(md, "**Summary:** no changes.\n"), "%s", md);
	cr_assert_null(strstr(md, "## Changed questions"), "%s", md);
	free(md);
	char *s = render(weft_assess_diff_json, p.r[1], p.r[1], 0);
	schema_ok(s);
	cJSON *j = cJSON_Parse(s);
	cr_assert(cJSON_IsFalse(at(j, "summary.changed")));
	cr_assert_str_eq(jstr(j, "overall.change"), "same");
	cr_assert_eq(cJSON_GetArraySize(at(j, "questions")), 0);
	for (int i = 0; i < 3; i++) {
		char path[32];
		snprintf(path, sizeof path, "dimensions.%d.change", i);
		cr_assert_str_eq(jstr(j, path), "same");
	}
	cr_assert_eq(jnum(j, "overall.percent_to_target.delta_points"), 0);
	cJSON_Delete(j);
	free(s);
	weft_assess_diff_summary sum;
	cr_assert_eq(weft_assess_diff_summarize(&sum, p.r[1], p.r[1], NULL), 0);
	cr_assert_not(sum.changed);
	cr_assert_eq(sum.n_warnings, 0);
	cr_assert_eq(sum.questions_same, 6);
	weft_assess_diff_summary_free(&sum);
	pair_free(&p);
}

/* NEW leaves the critical a2 unanswered: alpha answered weight a1 + a3 = 2
 * of 4 (50% < 80%) and a critical question open, so alpha is not rated;
 * its score (5 + 2*1 + 2)/4 = 9/4 still shows, its level does not. */
Test(assess_diff, rated_to_not_rated_is_not_a_drop)
{
	static const char unrated[] = "model: mini\nmodel_version: \"2.1\"\nunit: Unit A\nrespondent: Ann\n"
				      "date: 2026-07-01\nanswers:\n  a1: {level: 5}\n  a3: {level: 2}\n"
				      "  b1: {level: 3}\n  b2: {level: 4}\n  g1: {level: na, reason: no gamma}\n";
	pair p = make2(old_text, unrated);
	char *t = render(weft_assess_diff_text, p.r[0], p.r[1], 0);
	cr_assert_not_null(strstr(t, "Alpha                           2 -> not rated  "), "%s", t);
	cr_assert_not_null(strstr(t, "no longer rated\n"), "%s", t);
	cr_assert_not_null(strstr(t, "now not rated: 50% of its applicable weight answered, 80% needed; "
				     "critical question a2 unanswered\n"), "%s", t);
	cr_assert_not_null(strstr(t, "  a2                            Alpha                       "
				     "2 -> unanswered  no longer answered\n"), "%s", t);
	cr_assert_null(strstr(t, "-> 0"), "%s", t);
	cr_assert_null(strstr(t, "(-2)"), "%s", t);
	free(t);
	char *s = render(weft_assess_diff_json, p.r[0], p.r[1], 0);
	schema_ok(s);
	cJSON *j = cJSON_Parse(s);
	cr_assert_str_eq(jstr(j, "dimensions.0.change"), "no_longer_rated");
	cr_assert_str_eq(jstr(j, "dimensions.0.new.status"), "not_rated");
	cr_assert(cJSON_IsNull(at(j, "dimensions.0.new.level")));
	cr_assert(cJSON_IsNull(at(j, "dimensions.0.level_delta")));
	cr_assert_str_eq(jstr(j, "dimensions.0.new.not_rated.0"), "coverage");
	cr_assert_str_eq(jstr(j, "dimensions.0.new.not_rated.1"), "critical_unanswered");
	cr_assert_not_null(strstr(jstr(j, "dimensions.0.new.explanation"), "critical question a2 unanswered"));
	cr_assert_str_eq(jstr(j, "questions.1.id"), "a2");
	cr_assert_str_eq(jstr(j, "questions.1.change"), "no_longer_answered");
	cr_assert(cJSON_IsNull(at(j, "questions.1.delta")));
	cJSON_Delete(j);
	free(s);
	char *md = render(weft_assess_diff_markdown, p.r[0], p.r[1], 0);
	cr_assert_not_null(strstr(md, "| Alpha | 2 (score 2.67, coverage 100%) | not rated (score 2.25, "
				      "coverage 50%) | no longer rated; now not rated: 50% of its applicable "
				      "weight answered, 80% needed; critical question a2 unanswered |\n"), "%s", md);
	free(md);
	pair_free(&p);
}

/* Both at target 3 whatever each result's own target (3 and 2). */
Test(assess_diff, percent_to_target_at_a_fixed_target)
{
	pair p = make();
	cr_assert_eq(p.r[0]->target, 3);
	cr_assert_eq(p.r[1]->target, 2);
	cr_assert_float_eq(weft_assess_percent_to_target(p.r[0], 3), 23.0 / 27, 1e-12);
	cr_assert_float_eq(weft_assess_percent_to_target(p.r[1], 3), 37.0 / 48, 1e-12);
	char *s = render(weft_assess_diff_json, p.r[0], p.r[1], 3);
	schema_ok(s);
	cJSON *j = cJSON_Parse(s);
	cr_assert_eq(jnum(j, "target.level"), 3);
	cr_assert_str_eq(jstr(j, "target.from"), "option");
	cr_assert_eq(jnum(j, "overall.percent_to_target.target"), 3);
	cr_assert_float_eq(jnum(j, "overall.percent_to_target.old"), 0.8519, 1e-12);
	cr_assert_float_eq(jnum(j, "overall.percent_to_target.new"), 0.7708, 1e-12);
	/* from the rounded fractions: 100 * (0.7708 - 0.8519) = -8.11 */
	cr_assert_float_eq(jnum(j, "overall.percent_to_target.delta_points"), -8.11, 1e-9);
	cr_assert_float_eq(jnum(j, "old.overall.percent_to_target"), 0.8519, 1e-12);
	cJSON_Delete(j);
	free(s);
	char *t = render(weft_assess_diff_text, p.r[0], p.r[1], 3);
	cr_assert_not_null(strstr(t, "Target: level 3 (--target)\n"), "%s", t);
	/* 23/27 = 85.19%, 37/48 = 77.08%, -105/1296 = -8.10 points */
	cr_assert_not_null(strstr(t, "To target (level 3)             85.2% -> 77.1% (-8.1 points)\n"), "%s", t);
	free(t);
	/* the NEW result scored with another target gives the same delta */
	weft_assess_score_opts so = { 5, NULL, 0, 0 };
	weft_assess_result *r5 = score(p.m, p.a[1], &so);
	t = render(weft_assess_diff_text, p.r[0], r5, 3);
	cr_assert_not_null(strstr(t, "85.2% -> 77.1% (-8.1 points)\n"), "%s", t);
	free(t);
	weft_assess_result_free(r5);
	pair_free(&p);
}

Test(assess_diff, other_unit_and_new_older_than_old_warn)
{
	static const char other[] = "model: mini\nmodel_version: \"2.1\"\nunit: Unit B\nrespondent: Bo\ndate: 2025-12-01\n"
				    "answers:\n  a1: {level: 4}\n";
	pair p = make2(old_text, other);
	weft_assess_diff_summary sum;
	cr_assert_eq(weft_assess_diff_summarize(&sum, p.r[0], p.r[1], NULL), 0);
	cr_assert_eq(sum.n_warnings, 2);
	cr_assert_eq(sum.warnings[0].kind, WEFT_ASSESS_DIFF_WARN_UNIT);
	cr_assert_str_eq(sum.warnings[0].text,
			 "OLD is for unit 'Unit A' and NEW for unit 'Unit B': this compares two different units.");
	cr_assert_eq(sum.warnings[1].kind, WEFT_ASSESS_DIFF_WARN_ORDER);
	cr_assert_str_eq(sum.warnings[1].text,
			 "NEW is older than OLD: NEW's latest answers are dated 2025-12-01 (new.yaml), OLD's "
			 "2026-01-15 (old.yaml); the files may be given the wrong way round.");
	weft_assess_diff_summary_free(&sum);
	char *t = render(weft_assess_diff_text, p.r[0], p.r[1], 0);
	cr_assert_not_null(strstr(t, "warning: OLD is for unit 'Unit A' and NEW for unit 'Unit B'"), "%s", t);
	cr_assert_not_null(strstr(t, "warning: NEW is older than OLD"), "%s", t);
	free(t);
	char *md = render(weft_assess_diff_markdown, p.r[0], p.r[1], 0);
	cr_assert_not_null(strstr(md, "> **Warnings**\n>\n> - OLD is for unit 'Unit A'"), "%s", md);
	cr_assert_not_null(strstr(md, "> - NEW is older than OLD"), "%s", md);
	free(md);
	char *s = render(weft_assess_diff_json, p.r[0], p.r[1], 0);
	schema_ok(s);
	cJSON *j = cJSON_Parse(s);
	cr_assert_str_eq(jstr(j, "warnings.0.kind"), "unit");
	cr_assert_str_eq(jstr(j, "warnings.1.kind"), "order");
	cJSON_Delete(j);
	free(s);
	/* the right way round: only the unit */
	cr_assert_eq(weft_assess_diff_summarize(&sum, p.r[1], p.r[0], NULL), 0);
	cr_assert_eq(sum.n_warnings, 1);
	cr_assert_eq(sum.warnings[0].kind, WEFT_ASSESS_DIFF_WARN_UNIT);
	weft_assess_diff_summary_free(&sum);
	pair_free(&p);
}

Test(assess_diff, scored_differently_warns)
{
	pair p = make();
	weft_assess_score_opts so = { 0, NULL, 0.5, 0 };
	weft_assess_result *r = score(p.m, p.a[1], &so);
	/* weights: beta 3 instead of 1 */
	weft_diags *d;
	weft_diags_new(&d);
	weft_assess_weights *w = NULL;
	static const char wt[] = "dimensions:\n  beta: 3\n";
	cr_assert_eq(weft_assess_weights_load_buffer(&w, "/tmp/x/w.yaml", wt, strlen(wt), p.m, d), 0);
	weft_diags_free(d);
	weft_assess_score_opts sw = { 0, w, 0, 0 };
	weft_assess_result *rw = score(p.m, p.a[1], &sw);
	weft_assess_diff_summary sum;
	cr_assert_eq(weft_assess_diff_summarize(&sum, p.r[0], r, NULL), 0);
	cr_assert_eq(sum.n_warnings, 1);
	cr_assert_eq(sum.warnings[0].kind, WEFT_ASSESS_DIFF_WARN_MIN_COVERAGE);
	cr_assert_not_null(strstr(sum.warnings[0].text, "minimum coverage of 80% and NEW with 50%"), "%s",
			   sum.warnings[0].text);
	weft_assess_diff_summary_free(&sum);
	cr_assert_eq(weft_assess_diff_summarize(&sum, p.r[0], rw, NULL), 0);
	cr_assert_eq(sum.n_warnings, 1);
	cr_assert_eq(sum.warnings[0].kind, WEFT_ASSESS_DIFF_WARN_WEIGHTS);
	cr_assert_str_eq(sum.warnings[0].text, "OLD was scored with the model's own weights and NEW with the "
					       "weights of w.yaml: scores can move by the weights alone.");
	weft_assess_diff_summary_free(&sum);
	char *s = render(weft_assess_diff_json, p.r[0], rw, 0);
	schema_ok(s);
	cr_assert_null(strstr(s, "/tmp"), "%s", s);
	cJSON *j = cJSON_Parse(s);
	cr_assert_str_eq(jstr(j, "new.weights.file"), "w.yaml");
	cr_assert(cJSON_IsNull(at(j, "old.weights")));
	cJSON_Delete(j);
	free(s);
	weft_assess_result_free(rw);
	weft_assess_result_free(r);
	weft_assess_weights_free(w);
	pair_free(&p);
}

/* Another version of the model (the same file with version 2.2): OLD and
 * NEW were scored with different model versions. */
Test(assess_diff, other_model_version_warns)
{
	pair p = make();
	char *text = read_file(FIX("mini.yaml"));
	cr_assert_not_null(text);
	char *v = strstr(text, "version: \"2.1\"");
	cr_assert_not_null(v);
	v[strlen("version: \"2.")] = '2';
	weft_diags *d;
	weft_diags_new(&d);
	weft_assess_model *m2 = NULL;
	cr_assert_eq(weft_assess_model_load_buffer(&m2, "mini-2.2.yaml", text, strlen(text), d), 0);
	weft_diags_free(d);
	char *nt = strdup(new_text);
	nt[strlen("model: mini\nmodel_version: \"2.")] = '2';
	weft_assess_answers *a2 = buffer_answers("new-2.2.yaml", nt);
	weft_assess_result *r2 = score(m2, a2, NULL);
	weft_assess_diff_summary sum;
	cr_assert_eq(weft_assess_diff_summarize(&sum, p.r[0], r2, NULL), 0);
	cr_assert_eq(sum.n_warnings, 1);
	cr_assert_eq(sum.warnings[0].kind, WEFT_ASSESS_DIFF_WARN_MODEL);
	cr_assert_not_null(strstr(sum.warnings[0].text, "version 2.1 of model mini and NEW with version 2.2"),
			   "%s", sum.warnings[0].text);
	/* still matched by id: the same moves as with one model */
	cr_assert_eq(sum.questions_changed, 5);
	weft_assess_diff_summary_free(&sum);
	char *s = render(weft_assess_diff_json, p.r[0], r2, 0);
	schema_ok(s);
	free(s);
	weft_assess_result_free(r2);
	weft_assess_answers_free(a2);
	free(nt);
	weft_assess_model_free(m2);
	free(text);
	pair_free(&p);
}

Test(assess_diff, markdown_escapes_user_text)
{
	static const char piped[] = "model: mini\nmodel_version: \"2.1\"\nunit: \"Ops | Data *core*\"\nrespondent: Ann\n"
				    "date: 2026-07-01\nanswers:\n  a1: {level: 5}\n  a2: {level: 3}\n";
	pair p = make2(old_text, piped);
	char *md = render(weft_assess_diff_markdown, p.r[0], p.r[1], 3);
	cr_assert_not_null(strstr(md, "# Assessment diff: Ops \\| Data \\*core\\*\n"), "%s", md);
	cr_assert_null(strstr(md, "Ops | Data"), "%s", md);
	cr_assert_not_null(strstr(md, "OLD is for unit 'Unit A' and NEW for unit 'Ops \\| Data \\*core\\*'"), "%s", md);
	cr_assert_not_null(strstr(md, "| Dimension | Old | New | Change |\n|---|---|---|---|\n"), "%s", md);
	cr_assert_not_null(strstr(md, "| Alpha | 2 (score 2.67, coverage 100%) |"), "%s", md);
	cr_assert_not_null(strstr(md, "## Changed questions\n\n| Question | Dimension | Old | New | Change |\n"), "%s", md);
	cr_assert_not_null(strstr(md, "| b1 | Beta | 3 | unanswered | no longer answered |\n"), "%s", md);
	cr_assert_not_null(strstr(md, "PercentToTarget at level 3: "), "%s", md);
	/* every table row has exactly its 4 (or 5) unescaped separators + 1 */
	for (char *line = md; line && *line;) {
		char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		if (len && line[0] == '|') {
			int bars = 0;
			for (size_t i = 0; i < len; i++)
				bars += line[i] == '|' && (i == 0 || line[i - 1] != '\\');
			cr_assert(bars == 5 || bars == 6, "row with %d cells: %.*s", bars - 1, (int)len, line);
		}
		line = nl ? nl + 1 : NULL;
	}
	free(md);
	pair_free(&p);
}

Test(assess_diff, json_has_file_names_only)
{
	char *dir = temp_dir();
	char *po = path_in(dir, "old.yaml"), *pn = path_in(dir, "new.yaml");
	write_file(po, old_text);
	write_file(pn, new_text);
	weft_assess_model *m = fixture_model(FIX("mini.yaml"));
	weft_diags *d;
	weft_diags_new(&d);
	weft_assess_answers *a[2] = { NULL, NULL };
	cr_assert_eq(weft_assess_answers_load(&a[0], po, d), 0);
	cr_assert_eq(weft_assess_answers_load(&a[1], pn, d), 0);
	weft_diags_free(d);
	weft_assess_result *r[2] = { score(m, a[0], NULL), score(m, a[1], NULL) };
	char *s = render(weft_assess_diff_json, r[0], r[1], 3);
	schema_ok(s);
	cr_assert_null(strstr(s, "/tmp"), "%s", s);
	cr_assert_null(strstr(s, "\"/"), "%s", s);
	cJSON *j = cJSON_Parse(s);
	cr_assert_str_eq(jstr(j, "old.sources.0.file"), "old.yaml");
	cr_assert_str_eq(jstr(j, "new.sources.0.file"), "new.yaml");
	cr_assert_eq(strlen(jstr(j, "new.sources.0.sha256")), 64);
	cJSON_Delete(j);
	free(s);
	char *t = render(weft_assess_diff_text, r[0], r[1], 3);
	cr_assert_null(strstr(t, "/tmp"), "%s", t);
	free(t);
	for (int i = 0; i < 2; i++) {
		weft_assess_result_free(r[i]);
		weft_assess_answers_free(a[i]);
	}
	weft_assess_model_free(m);
	free(po);
	free(pn);
	rm_rf(dir);
}

/* ---- the CLI ---- */

#define CLI_FILES "-m '" FIX("mini.yaml") "' '" FIX("diff/old.yaml") "' '" FIX("diff/new.yaml") "'"

Test(assess_diff, cli_markdown_at_target_3)
{
	char *out = NULL, *err = NULL;
	int rc = weft_test_run(&out, &err, NULL, "assess diff " CLI_FILES " --format markdown --target 3");
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_not_null(strstr(out, "# Assessment diff: Unit A\n"), "%s", out);
	cr_assert_not_null(strstr(out, "- Target: level 3 (--target)\n"), "%s", out);
	cr_assert_not_null(strstr(out, "PercentToTarget at level 3: 85.2% -> 77.1% (-8.1 points)."), "%s", out);
	cr_assert_not_null(strstr(out, "| Alpha | 2 (score 2.67, coverage 100%) | 3 (score 3.25, coverage 100%) | "
				       "up (level +1) |\n"), "%s", out);
	cr_assert_null(strstr(out, WEFT_FIXTURES), "no folders in the output");
	cr_assert_str_eq(err, "", "no warnings: %s", err);
	free(out);
	free(err);
}

Test(assess_diff, cli_json_and_warnings_on_stderr)
{
	char *out = NULL, *err = NULL;
	/* the wrong way round: NEW older than OLD */
	int rc = weft_test_run(&out, &err, NULL,
			       "assess diff -m '" FIX("mini.yaml") "' '" FIX("diff/new.yaml") "' '" FIX("diff/old.yaml")
			       "' --format json --target 3");
	cr_assert_eq(rc, 0, "%s", err);
	schema_ok(out);
	cr_assert_null(strstr(out, WEFT_FIXTURES));
	cr_assert_not_null(strstr(err, "NEW is older than OLD: NEW's latest answers are dated 2026-01-15 (old.yaml)"),
			   "%s", err);
	cJSON *j = cJSON_Parse(out);
	cr_assert_str_eq(jstr(j, "warnings.0.kind"), "order");
	cr_assert_str_eq(jstr(j, "target.from"), "option");
	cr_assert_float_eq(jnum(j, "overall.percent_to_target.delta_points"), 8.11, 1e-9);
	cJSON_Delete(j);
	free(out);
	free(err);
}

Test(assess_diff, cli_identical_and_bad_target)
{
	char *out = NULL, *err = NULL;
	int rc = weft_test_run(&out, &err, NULL,
			       "assess diff -m '" FIX("mini.yaml") "' '" FIX("diff/new.yaml") "' '" FIX("diff/new.yaml") "'");
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_not_null(strstr(out, "Summary: no changes\n"), "%s", out);
	free(out);
	free(err);
	static const char *const bad[] = { "--target 7", "--target 0", "--target x", "--format html" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char args[1024];
		snprintf(args, sizeof args, "assess diff %s %s", CLI_FILES, bad[i]);
		rc = weft_test_run(&out, &err, NULL, args);
		cr_assert_eq(rc, 2, "%s: %d\n%s", bad[i], rc, err);
		cr_assert_str_eq(out, "", "%s", out);
		free(out);
		free(err);
	}
	rc = weft_test_run(&out, &err, NULL, "assess diff --help");
	cr_assert_eq(rc, 0);
	cr_assert_not_null(strstr(out, "--target LEVEL"), "%s", out);
	cr_assert_not_null(strstr(out, "--format text|json|markdown"), "%s", out);
	free(out);
	free(err);
}
