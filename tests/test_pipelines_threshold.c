/* test_pipelines_threshold.c - `weft bench threshold`, the hitl operating
 * point.
 *
 * The recommendation is checked against numbers computed here without the
 * code under test: each threshold's automated cases and errors are counted
 * directly, and the one-sided Clopper-Pearson bound is found by bisection
 * on the binomial tail summed term by term (log-space pmf). Then: the
 * exit-1 cases (no threshold within the budget, too little automation) and
 * what they say; bad CSVs refused with path:line:col and exit 3; malformed
 * input the fuzz target also sees; reviewer agreement (Cohen's kappa worked
 * by hand); the JSON against docs/schemas/bench-threshold.schema.json; the
 * HTML charts; agreement with the hitl pattern's own threshold code
 * (templates/patterns/hitl/files/src/threshold.c, compiled in here) on one
 * CSV; and the operating-point column of `bench candidates` for the
 * shipped churn candidates.
 */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_run.h"
#include "json_schema.h"
#include "weft_pipelines.h"

/* the hitl pattern's threshold code, as a generated project builds it */
#include "../templates/patterns/hitl/files/src/threshold.c"

#define SCHEMA WEFT_FIXTURES "/../../docs/schemas/bench-threshold.schema.json"
#define CAND_SCHEMA WEFT_FIXTURES "/../../docs/schemas/bench-candidates.schema.json"
#define MODELS WEFT_FIXTURES "/../../pipelines/examples/models/"

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/weft-thr-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(threshold, .init = setup, .fini = teardown);

static char *write_file(const char *name, const char *text)
{
	char *path = malloc(strlen(dir) + strlen(name) + 2);
	sprintf(path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* ---- the independent computation ----------------------------------------------- */

/* P(X <= k), X ~ Binomial(n, p), summed term by term. */
static double tail_sum(unsigned k, unsigned n, double p)
{
	if (p <= 0)
		return 1;
	if (p >= 1)
		return k >= n ? 1 : 0;
	double s = 0;
	for (unsigned i = 0; i <= k; i++)
		s += exp(lgamma(n + 1.0) - lgamma(i + 1.0) - lgamma(n - i + 1.0) + i * log(p) + (n - i) * log1p(-p));
	return s;
}

/* The largest p with P(X <= k) >= 1 - conf, by bisection. */
static double upper_by_sum(unsigned k, unsigned n, double conf)
{
	if (k >= n)
		return 1;
	double lo = 0, hi = 1;
	for (int i = 0; i < 100; i++) {
		double m = (lo + hi) / 2;
		if (tail_sum(k, n, m) >= 1 - conf)
			lo = m;
		else
			hi = m;
	}
	return (lo + hi) / 2;
}

/* n cases from a fixed generator: a score, and a label that agrees with
 * the prediction more often the more confident the score (so high
 * thresholds are safer). Scores come in 1/1000 steps, so ties occur. */
static void make_cases(double *score, int *label, unsigned n, unsigned seed)
{
	uint64_t s = seed;
	for (unsigned i = 0; i < n; i++) {
		s = s * 6364136223846793005ull + 1442695040888963407ull;
		score[i] = (double)((s >> 33) % 1001) / 1000.0;
		s = s * 6364136223846793005ull + 1442695040888963407ull;
		double conf = score[i] >= 0.5 ? score[i] : 1 - score[i];
		double u = (double)(s >> 11) / 9007199254740992.0;
		int pred = score[i] >= 0.5;
		/* wrong with probability 2 (1 - conf)^2: a half at 0.5, 2% at 0.9 */
		label[i] = u < 2 * (1 - conf) * (1 - conf) ? !pred : pred;
	}
}

static char *cases_csv(const double *score, const int *label, unsigned n)
{
	size_t cap = 32 + (size_t)n * 24;
	char *t = malloc(cap), *p = t;
	p += sprintf(p, "id,score,label\n");
	for (unsigned i = 0; i < n; i++)
		p += sprintf(p, "c%u,%.3f,%d\n", i, score[i], label[i]);
	return t;
}

typedef struct {
	double threshold, automation, upper;
	unsigned automated, errors;
	bool found;
} expected;

/* The lowest distinct confidence whose summed bound is within max_error. */
static expected recommend_by_hand(const double *score, const int *label, unsigned n, double max_error, double conf)
{
	expected e = { 0, 0, 0, 0, 0, false };
	double best = INFINITY;
	for (unsigned i = 0; i < n; i++) {
		double t = score[i] >= 0.5 ? score[i] : 1 - score[i];
		unsigned a = 0, w = 0;
		for (unsigned j = 0; j < n; j++) {
			double c = score[j] >= 0.5 ? score[j] : 1 - score[j];
			if (c >= t) {
				a++;
				w += (score[j] >= 0.5) != label[j];
			}
		}
		double u = upper_by_sum(w, a, conf);
		if (u <= max_error && t < best) {
			best = t;
			e = (expected){ t, (double)a / n, u, a, w, true };
		}
	}
	return e;
}

Test(threshold, recommendation_matches_the_binomial_tail_summed_by_hand)
{
	enum { N = 2000 };
	double score[N];
	int label[N];
	make_cases(score, label, N, 7);
	char *csv = cases_csv(score, label, N);
	char *path = write_file("cases.csv", csv);
	struct {
		double max_error, conf;
	} cfg[] = { { 0.05, 0.95 }, { 0.10, 0.95 }, { 0.05, 0.99 }, { 0.02, 0.90 } };
	for (size_t k = 0; k < sizeof cfg / sizeof *cfg; k++) {
		expected e = recommend_by_hand(score, label, N, cfg[k].max_error, cfg[k].conf);
		cr_assert(e.found, "the data admit a threshold at %g", cfg[k].max_error);
		weft_diags *d;
		weft_diags_new(&d);
		weft_pipelines_threshold_data *td;
		cr_assert_eq(weft_pipelines_threshold_data_load(&td, path, d), 0);
		cr_assert_eq(weft_pipelines_threshold_data_rows(td), N);
		weft_pipelines_threshold_opts o;
		weft_pipelines_threshold_opts_init(&o);
		o.max_error = cfg[k].max_error;
		o.confidence = cfg[k].conf;
		weft_pipelines_threshold_result *r;
		cr_assert_eq(weft_pipelines_threshold_analyse(&r, td, &o, d), 0);
		cr_assert_neq(r->recommended, SIZE_MAX);
		const weft_pipelines_threshold_point *p = &r->points[r->recommended];
		cr_assert_eq(p->threshold, e.threshold, "threshold %.17g, by hand %.17g", p->threshold, e.threshold);
		cr_assert_eq(p->automated, e.automated);
		cr_assert_eq(p->errors, e.errors);
		cr_assert_float_eq(p->automation_rate, e.automation, 1e-15);
		cr_assert_float_eq(p->error_upper, e.upper, 1e-9, "bound %.12g, summed %.12g", p->error_upper, e.upper);
		cr_assert(r->met);
		cr_assert_eq(weft_pipelines_threshold_gate(r), 0);
		/* every point's bound, not only the chosen one */
		for (size_t i = 0; i < r->n_points; i += 37) {
			const weft_pipelines_threshold_point *q = &r->points[i];
			double u = upper_by_sum((unsigned)q->errors, (unsigned)q->automated, cfg[k].conf);
			cr_assert_float_eq(q->error_upper, u, 1e-9);
		}
		weft_pipelines_threshold_result_free(r);
		weft_pipelines_threshold_data_free(td);
		weft_diags_free(d);
	}
	/* the CLI says the same, in JSON valid against its schema */
	char *out, *err, args[512];
	expected e = recommend_by_hand(score, label, N, 0.05, 0.95);
	snprintf(args, sizeof args, "bench threshold '%s' --max-error 5%% --format json", path);
	cr_assert_eq(weft_test_run(&out, &err, NULL, args), 0, "%s", err);
	cJSON *j = cJSON_Parse(out);
	cr_assert_not_null(j, "%s", out);
	cJSON *rec = cJSON_GetObjectItem(j, "recommended");
	cr_assert_eq(cJSON_GetObjectItem(rec, "threshold")->valuedouble, e.threshold);
	cr_assert_float_eq(cJSON_GetObjectItem(rec, "automation_rate")->valuedouble, e.automation, 1e-12);
	cr_assert_float_eq(cJSON_GetObjectItem(rec, "review_rate")->valuedouble, 1 - e.automation, 1e-12);
	cr_assert_float_eq(cJSON_GetObjectItem(rec, "error_upper")->valuedouble, e.upper, 1e-9);
	cr_assert_float_eq(cJSON_GetObjectItem(rec, "error_rate")->valuedouble, (double)e.errors / e.automated, 1e-12);
	char *errs = NULL;
	cr_assert_eq(weft_test_schema_check(SCHEMA, out, &errs), 0, "%s", errs);
	free(errs);
	cJSON_Delete(j);
	free(out);
	free(err);
	free(path);
	free(csv);
}

Test(threshold, zero_errors_give_the_closed_form_bound)
{
	/* k = 0: the bound is 1 - (1 - C)^(1/n) */
	double s[40];
	int l[40];
	for (int i = 0; i < 40; i++) {
		s[i] = 0.99;
		l[i] = 1;
	}
	weft_pipelines_threshold_data *td;
	cr_assert_eq(weft_pipelines_threshold_data_new(&td, "mem", s, l, NULL, 40), 0);
	weft_pipelines_threshold_opts o;
	weft_pipelines_threshold_opts_init(&o);
	o.max_error = 0.1;
	weft_pipelines_threshold_result *r;
	cr_assert_eq(weft_pipelines_threshold_analyse(&r, td, &o, NULL), 0);
	cr_assert_eq(r->n_points, 1);
	cr_assert_float_eq(r->points[0].error_upper, 1 - pow(0.05, 1.0 / 40), 1e-12);
	cr_assert_eq(r->recommended, 0);
	weft_pipelines_threshold_result_free(r);
	weft_pipelines_threshold_data_free(td);
}

/* ---- the gate ---------------------------------------------------------------------- */

Test(threshold, exit_1_when_no_threshold_is_within_the_budget)
{
	/* 20 cases, all right: the best bound is 1 - 0.05^(1/20) = 13.9%; 1% needs 299 */
	char csv[1024] = "score,label\n";
	for (int i = 0; i < 20; i++)
		strcat(csv, "0.97,1\n");
	char *path = write_file("few.csv", csv), *out, *err, args[512];
	snprintf(args, sizeof args, "bench threshold '%s' --max-error 1%%", path);
	cr_assert_eq(weft_test_run(&out, &err, NULL, args), 1, "%s%s", out, err);
	cr_assert(strstr(out, "FAIL: no threshold keeps the error bound within 1% at 95% confidence: the lowest bound, "
			      "13.91% at threshold 0.97 (20 automated, 0 wrong), is 12.91 points over; showing 1% "
			      "takes at least 299 automatic decisions without an error"), "%s", out);
	free(out);
	free(err);
	snprintf(args, sizeof args, "bench threshold '%s' --max-error 1%% --format json", path);
	cr_assert_eq(weft_test_run(&out, &err, NULL, args), 1);
	cJSON *j = cJSON_Parse(out);
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(j, "recommended")));
	cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(j, "met")));
	cr_assert_eq(cJSON_GetObjectItem(j, "automated_needed")->valuedouble, 299);
	char *errs = NULL;
	cr_assert_eq(weft_test_schema_check(SCHEMA, out, &errs), 0, "%s", errs);
	free(errs);
	cJSON_Delete(j);
	free(out);
	free(err);
	free(path);
}

Test(threshold, exit_1_when_the_minimum_automation_is_not_met)
{
	/* 300 right at 0.99 then 300 at 0.6 with 150 wrong: within 5% only
	 * at 0.99, automating half */
	char *csv = malloc(600 * 10 + 32), *p = csv;
	p += sprintf(p, "score,label\n");
	for (int i = 0; i < 300; i++)
		p += sprintf(p, "0.99,1\n");
	for (int i = 0; i < 300; i++)
		p += sprintf(p, "0.6,%d\n", i % 2);
	char *path = write_file("half.csv", csv), *out, *err, args[512];
	snprintf(args, sizeof args, "bench threshold '%s' --min-automation 60%%", path);
	cr_assert_eq(weft_test_run(&out, &err, NULL, args), 1, "%s%s", out, err);
	cr_assert(strstr(out, "FAIL: threshold 0.99 automates 50.0% of cases (300 of 600)"), "%s", out);
	cr_assert(strstr(out, "that is 10.0 points short of the minimum automation of 60%"), "%s", out);
	free(out);
	free(err);
	snprintf(args, sizeof args, "bench threshold '%s' --min-automation 50%%", path);
	cr_assert_eq(weft_test_run(&out, &err, NULL, args), 0, "%s%s", out, err);
	free(out);
	free(err);
	free(path);
	free(csv);
}

/* ---- bad input ------------------------------------------------------------------------ */

Test(threshold, bad_csvs_give_path_line_col_and_exit_3)
{
	struct {
		const char *name, *text, *where;
	} bad[] = {
		{ "nolabel.csv", "score,reviewer\n0.9,1\n", ":1:1: error: no 'label' column in the header" },
		{ "noscore.csv", "label\n1\n", ":1:1: error: no 'score' column in the header" },
		{ "range.csv", "score,label\n0.5,1\n1.25,1\n", ":3:1: error: score 1.25 is outside [0, 1]" },
		{ "negative.csv", "id,score,label\na,0.5,1\nb,-0.1,0\n", ":3:3: error: score -0.1 is outside [0, 1]" },
		{ "label.csv", "score,label\n0.5,1\n0.7, 2\n", ":3:6: error: label '2' is not 0 or 1" },
		{ "labelword.csv", "score,label\n0.5,yes\n", ":2:5: error: label 'yes' is not 0 or 1" },
		{ "empty.csv", "", ":1:1: error: empty file; expected a header" },
		{ "headeronly.csv", "score,label\n", ":2:1: error: no cases after the header" },
		{ "nan.csv", "score,label\nnan,1\n", ":2:1: error: score 'nan' is not a number" },
		{ "fields.csv", "score,label\n0.5\n", ":2:4: error: 1 field; the header has 2" },
		{ "reviewer.csv", "score,label,reviewer\n0.5,1,x\n", ":2:7: error: reviewer 'x' is not 0 or 1" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char *path = write_file(bad[i].name, bad[i].text), *out, *err, args[512], want[256];
		snprintf(args, sizeof args, "bench threshold '%s'", path);
		cr_assert_eq(weft_test_run(&out, &err, NULL, args), 3, "%s: %s%s", bad[i].name, out, err);
		snprintf(want, sizeof want, "%s%s", path, bad[i].where);
		cr_assert(strstr(err, want), "%s: want '%s' in: %s", bad[i].name, want, err);
		cr_assert_str_eq(out, "");
		free(out);
		free(err);
		free(path);
	}
}

/* Parse text; returns the error count (0: parsed, *rows set). */
static size_t parse(const char *text, size_t len, size_t *rows, char *first, size_t cap)
{
	weft_diags *d;
	weft_diags_new(&d);
	weft_pipelines_threshold_data *td = NULL;
	int err = weft_pipelines_threshold_data_parse(&td, "t.csv", text, len, d);
	size_t n = weft_diags_errors(d);
	cr_assert_eq(err != 0, n != 0, "an error is recorded exactly when the parse fails");
	*rows = weft_pipelines_threshold_data_rows(td);
	if (first && n)
		snprintf(first, cap, "%d:%d %s", weft_diags_get(d, 0)->line, weft_diags_get(d, 0)->col,
			 weft_diags_get(d, 0)->message);
	weft_pipelines_threshold_data_free(td);
	weft_diags_free(d);
	return n;
}

Test(threshold, malformed_input_is_refused_cleanly)
{
	size_t rows;
	char first[256];
	struct {
		const char *text;
		size_t len;
		const char *first;
	} bad[] = {
		{ "score,label\n\"0.5,1\n", 0, "2:1 unterminated quote" },
		{ "score,label\n0.\"5,1\n", 0, "2:3 stray quote" },
		{ "score,label\n\"0.5\"x,1\n", 0, "2:6 text after a closing quote" },
		{ "score,label\n0.5,1,7\n", 0, "2:8 3 fields; the header has 2" },
		{ "score,label\ninf,1\n", 0, "2:1 score 'inf' is not a number" },
		{ "score,label\n1e999,1\n", 0, "2:1 score '1e999' is not a number" },
		{ "score,label\n0.5\0,1\n", 19, "2:1 score '0.5" },
		{ "score,score,label\n0.5,0.5,1\n", 0, "1:7 column 'score' appears twice" },
		{ "\n\n  \n", 0, "1:1 empty file; expected a header" },
		{ "score,label\n0.5,\n", 0, "2:5 label '' is not 0 or 1" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		size_t len = bad[i].len ? bad[i].len : strlen(bad[i].text);
		cr_assert_gt(parse(bad[i].text, len, &rows, first, sizeof first), 0, "case %zu parsed", i);
		cr_assert(!strncmp(first, bad[i].first, strlen(bad[i].first)), "case %zu: %s", i, first);
	}
	/* a long score field is cut in the message, never overflowing */
	char big[5000] = "score,label\n";
	memset(big + strlen(big), '9', 4000);
	strcat(big, ",1\n");
	cr_assert_eq(parse(big, strlen(big), &rows, first, sizeof first), 1);
	/* at most 20 errors are listed, with a note for the rest */
	char many[4096] = "score,label\n";
	for (int i = 0; i < 30; i++)
		strcat(many, "2,1\n");
	cr_assert_eq(parse(many, strlen(many), &rows, NULL, 0), 20);
	/* what is accepted: a byte order mark, CRLF, quotes, spaces, blank
	 * lines, empty reviewer fields, other columns */
	const char *good = "\xef\xbb\xbf" "note,\"score\" , label,reviewer\r\n"
			   "\"a, b\",\"0.25\",0,\r\n\r\n"
			   "x, 1 ,1,1\r\n"
			   "y,0,0,0";
	cr_assert_eq(parse(good, strlen(good), &rows, first, sizeof first), 0, "%s", first);
	cr_assert_eq(rows, 3);
}

Test(threshold, options_out_of_range_are_refused)
{
	char *path = write_file("ok.csv", "score,label\n0.9,1\n"), *out, *err, args[512];
	const char *bad[] = { "--max-error 2", "--max-error -1%", "--confidence 1", "--confidence 0",
			      "--min-automation 101%", "--cost-review 1", "--cost-review -1 --cost-error 1",
			      "--format junit", "--stage x", "--model m.safetensors" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		snprintf(args, sizeof args, "bench threshold '%s' %s", path, bad[i]);
		cr_assert_eq(weft_test_run(&out, &err, NULL, args), 2, "%s: %s", bad[i], err);
		free(out);
		free(err);
	}
	free(path);
}

/* ---- reviewers ------------------------------------------------------------------------ */

Test(threshold, reviewer_agreement_above_and_below)
{
	/* above the threshold (10 cases, all right): reviewers override 2 of
	 * the 6 reviewed; below (4 cases, 2 wrong): all reviewed, 1 override */
	const char *csv = "score,label,reviewer\n"
			  "0.95,1,1\n0.95,1,1\n0.95,1,0\n0.05,0,0\n0.05,0,1\n0.05,0,0\n0.95,1,\n0.05,0,\n"
			  "0.6,1,1\n0.6,0,0\n0.4,0,0\n0.4,1,0\n0.7,1,\n0.3,0,\n";
	char *path = write_file("rev.csv", csv), *out, *err, args[512];
	snprintf(args, sizeof args, "bench threshold '%s' --max-error 10%% --confidence 0.5 --format json", path);
	cr_assert_eq(weft_test_run(&out, &err, NULL, args), 0, "%s%s", out, err);
	cJSON *j = cJSON_Parse(out);
	char *errs = NULL;
	cr_assert_eq(weft_test_schema_check(SCHEMA, out, &errs), 0, "%s", errs);
	free(errs);
	cJSON *rv = cJSON_GetObjectItem(j, "reviewers");
	double thr = cJSON_GetObjectItem(rv, "threshold")->valuedouble;
	/* at 0.7: 10 automated, none wrong, bound 1 - 0.5^(1/10) = 6.7%; at 0.6
	 * 2 of 14 wrong, above 10% already */
	cr_assert_eq(thr, 0.7);
	cJSON *above = cJSON_GetObjectItem(rv, "above"), *below = cJSON_GetObjectItem(rv, "below");
	cr_assert_eq(cJSON_GetObjectItem(above, "reviewed")->valuedouble, 6);
	cr_assert_eq(cJSON_GetObjectItem(above, "overrides")->valuedouble, 2);
	/* kappa above: model 1,1,1,0,0,0 against reviewers 1,1,0,0,1,0:
	 * p_o = 4/6, p_e = .5 x .5 + .5 x .5 = .5, kappa = (2/3 - 1/2) / (1/2) = 1/3 */
	cr_assert_float_eq(cJSON_GetObjectItem(above, "kappa")->valuedouble, 1.0 / 3, 1e-12);
	cr_assert_eq(cJSON_GetObjectItem(above, "reviewer_errors")->valuedouble, 2);
	/* below: model 1,1,0,0 against reviewers 1,0,0,0: p_o = 3/4,
	 * p_e = .5 x .25 + .5 x .75 = .5, kappa = 1/2; reviewers wrong once (0.4,1,0) */
	cr_assert_eq(cJSON_GetObjectItem(below, "reviewed")->valuedouble, 4);
	cr_assert_float_eq(cJSON_GetObjectItem(below, "override_rate")->valuedouble, 0.25, 1e-12);
	cr_assert_float_eq(cJSON_GetObjectItem(below, "kappa")->valuedouble, 0.5, 1e-12);
	cr_assert_eq(cJSON_GetObjectItem(below, "reviewer_errors")->valuedouble, 1);
	cJSON_Delete(j);
	free(out);
	free(err);
	snprintf(args, sizeof args, "bench threshold '%s' --max-error 10%% --confidence 0.5", path);
	cr_assert_eq(weft_test_run(&out, &err, NULL, args), 0);
	cr_assert(strstr(out, "above: 6 reviewed, overrides 33.3% (2), kappa 0.333, reviewers wrong 33.3%; below: 4 "
			      "reviewed, overrides 25.0% (1), kappa 0.500"), "%s", out);
	free(out);
	free(err);
	free(path);
}

/* ---- formats ---------------------------------------------------------------------------- */

Test(threshold, costs_markdown_and_html)
{
	enum { N = 300 };
	double score[N];
	int label[N];
	make_cases(score, label, N, 3);
	char *csv = cases_csv(score, label, N);
	char *path = write_file("c.csv", csv), *out, *err, args[512];
	snprintf(args, sizeof args, "bench threshold '%s' --max-error 10%% --cost-review 1 --cost-error 25 --format json",
		 path);
	cr_assert_eq(weft_test_run(&out, &err, NULL, args), 0, "%s", err);
	cJSON *j = cJSON_Parse(out);
	char *errs = NULL;
	cr_assert_eq(weft_test_schema_check(SCHEMA, out, &errs), 0, "%s", errs);
	free(errs);
	/* the cost of each point, recomputed */
	cJSON *pt;
	double cheapest = INFINITY;
	cJSON_ArrayForEach(pt, cJSON_GetObjectItem(j, "thresholds"))
	{
		double want = 1 * cJSON_GetObjectItem(pt, "review_rate")->valuedouble +
			      25 * cJSON_GetObjectItem(pt, "errors")->valuedouble / N;
		cr_assert_float_eq(cJSON_GetObjectItem(pt, "cost")->valuedouble, want, 1e-12);
		if (cJSON_IsTrue(cJSON_GetObjectItem(pt, "within")) && want < cheapest)
			cheapest = want;
	}
	cr_assert_float_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "lowest_cost"), "cost")->valuedouble, cheapest, 1e-12);
	cJSON_Delete(j);
	free(out);
	free(err);
	snprintf(args, sizeof args, "bench threshold '%s' --max-error 10%% --format markdown", path);
	cr_assert_eq(weft_test_run(&out, &err, NULL, args), 0);
	cr_assert(strstr(out, "| threshold | automated | automation | errors | error rate | upper bound | review |  |\n"
			      "|--:|--:|--:|--:|--:|--:|--:|---|\n"), "%s", out);
	cr_assert(strstr(out, "| recommended |"), "%s", out);
	free(out);
	free(err);
	snprintf(args, sizeof args, "bench threshold '%s' --max-error 10%% --min-automation 20%% --format html", path);
	cr_assert_eq(weft_test_run(&out, &err, NULL, args), 0);
	cr_assert(strstr(out, "<title>automation rate against threshold</title>"), "%s", out);
	cr_assert(strstr(out, "<title>automatic error rate and its upper bound against threshold</title>"));
	cr_assert(strstr(out, "budget 10%</text>"));
	cr_assert(strstr(out, "at least 20%</text>"));
	cr_assert(strstr(out, "<title>recommended threshold "));
	cr_assert_eq(strstr(out, "<svg") != NULL && strstr(out, "<script") == NULL, true);
	free(out);
	free(err);
	free(path);
	free(csv);
}

/* ---- the hitl pattern's threshold command ------------------------------------------------- */

Test(threshold, agrees_with_the_hitl_pattern_on_one_csv)
{
	enum { N = 500 };
	double score[N];
	int label[N];
	make_cases(score, label, N, 11);
	char *csv = cases_csv(score, label, N);
	char *path = write_file("one.csv", csv);
	weft_diags *d;
	weft_diags_new(&d);
	weft_pipelines_threshold_data *td;
	cr_assert_eq(weft_pipelines_threshold_data_load(&td, path, d), 0);
	weft_pipelines_threshold_result *r;
	weft_pipelines_threshold_opts o;
	weft_pipelines_threshold_opts_init(&o);
	o.max_error = 0.08;
	cr_assert_eq(weft_pipelines_threshold_analyse(&r, td, &o, d), 0);
	/* the same CSV read back as the hitl service labels its cases: the
	 * recommendation is the prediction, its confidence max(p, 1 - p),
	 * every case weight 1 and automatable */
	FILE *f = fopen(path, "r");
	char line[128];
	cr_assert_not_null(fgets(line, sizeof line, f));
	hitl_labelled rows[N];
	size_t n = 0;
	while (fgets(line, sizeof line, f)) {
		double p;
		int y;
		cr_assert_eq(sscanf(strchr(line, ',') + 1, "%lf,%d", &p, &y), 2);
		rows[n++] = (hitl_labelled){ p >= 0.5 ? p : 1 - p, (p >= 0.5) == y, 1.0, true };
	}
	fclose(f);
	cr_assert_eq(n, N);
	hitl_threshold_point *pts;
	size_t np;
	cr_assert_eq(hitl_threshold_curve(&pts, &np, rows, n), 0);
	/* the hitl curve ends with "review everything"; before it, point for point, ours */
	cr_assert_eq(np, r->n_points + 1);
	cr_assert(pts[np - 1].review_all);
	for (size_t i = 0; i < r->n_points; i++) {
		cr_assert_eq(pts[i].threshold, r->points[i].threshold);
		cr_assert_eq(pts[i].n_auto, r->points[i].automated);
		cr_assert_float_eq(pts[i].review_load, r->points[i].review_rate, 1e-12);
		cr_assert_float_eq(pts[i].auto_error, r->points[i].error_rate, 1e-12);
	}
	/* the pattern recommends on the point estimate (min_support 1): never
	 * above ours, which needs the upper bound within the budget */
	hitl_threshold_point hp;
	hitl_threshold_target t = { -1, o.max_error, 1 };
	char msg[128];
	cr_assert_eq(hitl_threshold_recommend(&hp, rows, n, &t, msg, sizeof msg), 0);
	cr_assert_neq(r->recommended, SIZE_MAX);
	cr_assert_leq(hp.threshold, r->points[r->recommended].threshold);
	cr_assert_lt(hp.threshold, r->points[r->recommended].threshold, "on this data the bound costs automation");
	free(pts);
	weft_pipelines_threshold_result_free(r);
	weft_pipelines_threshold_data_free(td);
	weft_diags_free(d);
	free(path);
	free(csv);
}

/* ---- candidates: the shipped churn models ------------------------------------------------- */

Test(threshold, candidates_show_the_operating_point_of_the_churn_models)
{
	char *out, *err;
	cr_assert_eq(weft_test_run(&out, &err, NULL,
				   "bench candidates " MODELS "churn-small.safetensors " MODELS "churn-medium.safetensors "
				   MODELS "churn-large.safetensors --eval " MODELS "churn-eval.csv --iterations 400 "
				   "--device cpu --hitl-max-error 5% --format json"), 0, "%s", err);
	char *errs = NULL;
	cr_assert_eq(weft_test_schema_check(CAND_SCHEMA, out, &errs), 0, "%s", errs);
	free(errs);
	cJSON *j = cJSON_Parse(out);
	cr_assert_float_eq(cJSON_GetObjectItem(j, "hitl_max_error")->valuedouble, 0.05, 1e-15);
	cJSON *c;
	const char *most = NULL;
	double best = -1;
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(j, "candidates"))
	{
		cJSON *op = cJSON_GetObjectItem(c, "operating_point");
		cr_assert(cJSON_IsObject(op), "every churn candidate has an operating point at 5%%");
		/* the same point as `weft bench threshold` computes for it */
		char args[1024], *o2, *e2;
		snprintf(args, sizeof args,
			 "bench threshold '%s/../../pipelines/examples/crm-churn.yaml' --model '%s' --max-error 5%% "
			 "--format json", WEFT_FIXTURES, cJSON_GetObjectItem(c, "path")->valuestring);
		cr_assert_eq(weft_test_run(&o2, &e2, NULL, args), 0, "%s", e2);
		cJSON *t = cJSON_Parse(o2);
		cJSON *rec = cJSON_GetObjectItem(t, "recommended");
		cr_assert_eq(cJSON_GetObjectItem(op, "threshold")->valuedouble,
			     cJSON_GetObjectItem(rec, "threshold")->valuedouble);
		cr_assert_eq(cJSON_GetObjectItem(op, "automation_rate")->valuedouble,
			     cJSON_GetObjectItem(rec, "automation_rate")->valuedouble);
		cJSON_Delete(t);
		free(o2);
		free(e2);
		double a = cJSON_GetObjectItem(op, "automation_rate")->valuedouble;
		if (a > best) {
			best = a;
			most = cJSON_GetObjectItem(c, "name")->valuestring;
		}
	}
	cr_assert_str_eq(cJSON_GetObjectItem(j, "recommendation")->valuestring, most);
	cr_assert(strstr(cJSON_GetObjectItem(j, "reason")->valuestring, "automates most"));
	cJSON_Delete(j);
	free(out);
	free(err);

	/* through a pipeline with hitl: {max_error} in the model stage, the text column */
	char yaml[2048];
	snprintf(yaml, sizeof yaml,
		 "pipeline: churn-hitl\npattern: hitl\nstages:\n  - name: churn-model\n    model:\n"
		 "      file: %schurn-medium.safetensors\n"
		 "      candidates: [%schurn-small.safetensors, %schurn-large.safetensors]\n"
		 "      eval: %schurn-eval.csv\n      device: cpu\n      hitl: {max_error: 5%%}\n"
		 "    budget: {p99: 500ms}\n"
		 "load: {scenario: single-stream, duration: 200ms, min_queries: 20, warmup: 2}\n",
		 MODELS, MODELS, MODELS, MODELS);
	char *p = write_file("churn-hitl.yaml", yaml), args[512];
	snprintf(args, sizeof args, "bench candidates '%s' -q", p);
	cr_assert_eq(weft_test_run(&out, &err, NULL, args), 0, "%s%s", out, err);
	cr_assert(strstr(out, "operating point"), "%s", out);
	cr_assert(strstr(out, "% automated"), "%s", out);
	/* the note is wrapped to the terminal's width wherever the paths put
	 * its words: compare it as one line */
	for (char *ch = out; *ch; ch++)
		if (*ch == '\n')
			*ch = ' ';
	cr_assert(strstr(out, "within 5% by its one-sided 95%"), "%s", out);
	free(out);
	free(err);
	free(p);
}

Test(threshold, hitl_in_the_model_stage_is_validated)
{
	weft_diags *d;
	weft_diags_new(&d);
	weft_pipelines_spec *s = NULL;
	const char *y = "pipeline: x\nstages:\n  - name: m\n    model:\n      file: a.safetensors\n"
			"      hitl: {max_error: 2}\n";
	cr_assert_eq(weft_pipelines_spec_load_buffer(&s, "p.yaml", "/tmp", y, strlen(y), d), WEFT_EINVALID);
	const weft_diag *g = weft_diags_get(d, 0);
	cr_assert_eq(g->line, 6);
	cr_assert_str_eq(g->message, "model: hitl: max_error: expected a rate between 0 and 1");
	weft_diags_free(d);
	weft_diags_new(&d);
	y = "pipeline: x\nstages:\n  - name: m\n    model:\n      file: a.safetensors\n      hitl: {max_error: 2%}\n";
	cr_assert_eq(weft_pipelines_spec_load_buffer(&s, "p.yaml", "/tmp", y, strlen(y), d), 0);
	cr_assert(s->stages[0].model.has_hitl);
	cr_assert_float_eq(s->stages[0].model.hitl_max_error, 0.02, 1e-15);
	weft_pipelines_spec_free(s);
	weft_diags_free(d);
}
