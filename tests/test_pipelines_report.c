/* test_pipelines_report.c - every report format says what the run found:
 * JSON validates against docs/schemas/bench-report.schema.json and carries
 * the verdicts; JUnit XML validates with xmllint against the JUnit schema
 * CI servers use (the Jenkins xunit plugin's, read from
 * ../shared/peer-suites/junit/junit-10.xsd; skipped without it or xmllint, a
 * failure under CI=true) for a failing, a passing, an inconclusive and a
 * baseline run, with one test case per budget, failures carrying the
 * figures, the run's settings as properties, and a schema that refuses
 * invalid documents; HTML is self-contained with one CDF and
 * one histogram per series and the budgets drawn; Markdown and text hold
 * the table and the verdict. Then the baseline comparison: a real slow-down
 * is a regression, a speed-up an improvement, the same stage neither. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "json_schema.h"
#include "requires.h"
#include "weft_pipelines.h"

static weft_diags *d;
static void setup(void)
{
	weft_diags_new(&d);
}
static void teardown(void)
{
	weft_diags_free(d);
}
TestSuite(report, .init = setup, .fini = teardown, .timeout = 60);

/* A run with a met, a broken and an inconclusive budget. */
static const char mixed[] = "pipeline: mixed\npattern: api\nstages:\n"
			    "  - {name: fast, delay: 300us, budget: {p50: 20ms}}\n"
			    "  - {name: slow, delay: 2ms, budget: {p50: 1ms}}\n"
			    "budget: {end_to_end: {p99: 1s}}\n"
			    "load: {scenario: single-stream, duration: 5ms, min_queries: 40, warmup: 2}\n";

static weft_pipelines_result *run_text(const char *text)
{
	weft_pipelines_spec *s = NULL;
	cr_assert_eq(weft_pipelines_spec_load_buffer(&s, "r.yaml", ".", text, strlen(text), d), 0);
	weft_pipelines_result *r = NULL;
	cr_assert_eq(weft_pipelines_run(&r, s, NULL, d), 0);
	weft_pipelines_spec_free(s);
	return r;
}

static char *render(const weft_pipelines_result *r, weft_pipelines_format f, bool allow)
{
	weft_buf b = WEFT_BUF_INIT;
	weft_pipelines_report_opts o = { false, allow };
	cr_assert_eq(weft_pipelines_report(&b, r, f, &o), 0);
	return weft_buf_detach(&b);
}

static size_t count_of(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

Test(report, json_validates_and_carries_the_verdicts)
{
	weft_pipelines_result *r = run_text(mixed);
	char *text = render(r, WEFT_REPORT_JSON, false);
	const char *schema = WEFT_FIXTURES "/../../docs/schemas/bench-report.schema.json";
	cJSON *doc = cJSON_Parse(text);
	cr_assert_not_null(doc);
	char *errs = NULL;
	cr_assert_eq(weft_test_schema_check(schema, text, &errs), 0, "%s", errs);
	/* the numbers, read back */
	const cJSON *sum = cJSON_GetObjectItem(doc, "summary");
	cr_assert_str_eq(cJSON_GetObjectItem(sum, "verdict")->valuestring, "fail");
	cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(sum, "gate_passed")));
	const cJSON *series = cJSON_GetObjectItem(doc, "series");
	cr_assert_eq(cJSON_GetArraySize(series), 3);
	const cJSON *slow = cJSON_GetArrayItem(series, 1);
	cr_assert_str_eq(cJSON_GetObjectItem(slow, "name")->valuestring, "slow");
	const cJSON *b = cJSON_GetArrayItem(cJSON_GetObjectItem(slow, "budgets"), 0);
	cr_assert_str_eq(cJSON_GetObjectItem(b, "verdict")->valuestring, "broken");
	const cJSON *e2e = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(series, 2), "budgets"), 0);
	cr_assert_str_eq(cJSON_GetObjectItem(e2e, "verdict")->valuestring, "inconclusive");
	cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(e2e, "need_more")));
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(e2e, "ci_high_ms")), "no upper bound from ~40 queries");
	/* the histogram holds every measured query */
	double total = 0;
	const cJSON *pair;
	cJSON_ArrayForEach(pair, cJSON_GetObjectItem(cJSON_GetObjectItem(slow, "histogram"), "buckets"))
		total += cJSON_GetArrayItem(pair, 1)->valuedouble;
	cr_assert_eq((uint64_t)total, r->measured);
	/* and the schema has teeth: a wrong verdict is refused */
	cJSON_ReplaceItemInObject((cJSON *)sum, "verdict", cJSON_CreateString("maybe"));
	free(errs);
	cr_assert_eq(weft_test_schema_check_doc(schema, doc, &errs), 1, "%s", errs);
	cr_assert_not_null(strstr(errs, "/summary/verdict: must be equal to one of the allowed values"), "%s", errs);
	free(errs);
	cJSON_Delete(doc);
	free(text);
	weft_pipelines_result_free(r);
}

Test(report, html_is_self_contained_with_charts)
{
	weft_pipelines_result *r = run_text(mixed);
	char *html = render(r, WEFT_REPORT_HTML, false);
	cr_assert(!strncmp(html, "<!DOCTYPE html>", 15));
	cr_assert_eq(count_of(html, "<svg "), 3 * r->n_series, "a spectrum, a CDF and a histogram per series");
	cr_assert_eq(count_of(html, "class='cdf'"), r->n_series);
	/* budget lines: fast p50, slow p50, end-to-end p99; each on both charts */
	cr_assert_eq(count_of(html, "class='budget "), 6);
	cr_assert_eq(count_of(html, "class='budget broken'"), 2);
	cr_assert_null(strstr(html, "<script"));
	cr_assert_null(strstr(html, "http://"), "nothing fetched from outside");
	cr_assert(strstr(html, "latency (log scale)"));
	free(html);
	weft_pipelines_result_free(r);
}

Test(report, text_and_markdown)
{
	weft_pipelines_result *r = run_text(mixed);
	char *t = render(r, WEFT_REPORT_TEXT, false);
	cr_assert(strstr(t, "verdict: FAIL: 2 met, 1 broken, 1 inconclusive"), "%s", t);
	cr_assert(strstr(t, "slow p50 <= 1.00 ms"));
	cr_assert(strstr(t, "need about"));
	cr_assert_null(strstr(t, "\033["), "no colour unless asked");
	free(t);
	char *m = render(r, WEFT_REPORT_MARKDOWN, false);
	cr_assert(strstr(m, "| stage | p50 | p90 | p99 | p99.9 | max | budget | share | verdict |"));
	cr_assert(strstr(m, "**fail**"));
	cr_assert_eq(count_of(m, "\n| "), 1 + r->n_series);
	free(m);
	weft_pipelines_result_free(r);
}

static char *json_of(const char *text, weft_pipelines_result **keep)
{
	weft_pipelines_result *r = run_text(text);
	char *j = render(r, WEFT_REPORT_JSON, false);
	if (keep)
		*keep = r;
	else
		weft_pipelines_result_free(r);
	return j;
}

/* The JUnit outputs validate against the Jenkins xunit plugin's schema
 * (../shared/peer-suites/junit/junit-10.xsd), read from the peer suites:
 * skipped outside CI when it or xmllint is missing, a failure under CI. */
static void require_junit_schema(void)
{
	weft_test_require_path(WEFT_TEST_JUNIT_XSD, "the Jenkins xunit plugin's JUnit schema");
	weft_test_require_tool("xmllint", "Debian: libxml2-utils");
}

static void assert_valid_junit(const char *xml)
{
	cr_assert_eq(weft_test_xmllint(WEFT_TEST_JUNIT_XSD, xml), 0,
		     "not valid against %s:\n%s", WEFT_TEST_JUNIT_XSD, xml);
	/* what the schema leaves open but CI readers rely on */
	cr_assert(!strncmp(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites ", 50), "%s", xml);
	const char *root_end = strchr(xml + 40, '>');
	const char *sk = strstr(xml, "skipped=");
	cr_assert(!sk || sk > root_end, "no skipped count on <testsuites>");
	cr_assert_eq(count_of(xml, "<testsuite "), 1);
	cr_assert_eq(count_of(xml, "<testcase classname=\""), count_of(xml, "<testcase "),
		     "every test case has a classname (GitLab shows classname + name)");
}

/* the value of attribute attr after the first occurrence of after, copied into out */
static const char *attr_after(char *out, size_t size, const char *xml, const char *after, const char *attr)
{
	const char *p = strstr(xml, after);
	cr_assert_not_null(p, "no %s in\n%s", after, xml);
	char key[64];
	snprintf(key, sizeof key, " %s=\"", attr);
	p = strstr(p, key);
	cr_assert_not_null(p, "no %s after %s in\n%s", attr, after, xml);
	p += strlen(key);
	size_t n = strcspn(p, "\"");
	cr_assert_lt(n, size);
	memcpy(out, p, n);
	out[n] = '\0';
	return out;
}

Test(report, junit_fail_one_case_per_budget_with_the_figures)
{
	require_junit_schema();
	weft_pipelines_result *r = run_text(mixed);
	char *xml = render(r, WEFT_REPORT_JUNIT, false);
	assert_valid_junit(xml);
	/* 4 budgets: fast p50, slow p50, end-to-end p99, error rate */
	cr_assert_eq(count_of(xml, "<testcase "), 4, "%s", xml);
	cr_assert_eq(count_of(xml, "<testcase classname=\"mixed\" "), 4, "classname is the pipeline");
	cr_assert(strstr(xml, "<testsuites name=\"weft bench\" tests=\"4\" failures=\"2\" errors=\"0\" time=\""));
	cr_assert(strstr(xml, "<testsuite name=\"mixed\" package=\"weft bench\" tests=\"4\" failures=\"2\" "
			      "errors=\"0\" skipped=\"0\""),
		  "broken + inconclusive fail:\n%s", xml);
	cr_assert(strstr(xml, "name=\"fast p50 &lt;= 20.0 ms\" time=\"0\"/>"), "%s", xml);
	cr_assert(strstr(xml, "name=\"slow p50 &lt;= 1.00 ms\""), "%s", xml);
	cr_assert(strstr(xml, "name=\"end-to-end p99 &lt;= 1.00 s\""), "%s", xml);
	/* the broken budget: its figures in the message and the body */
	char msg[160], v[48];
	attr_after(msg, sizeof msg, xml, "name=\"slow p50", "message");
	cr_assert(strstr(xml, "<failure type=\"budget\" message=\"p50 "), "%s", xml);
	cr_assert(!strncmp(msg, "p50 ", 4) && strstr(msg, " ms &gt; budget 1.00 ms"), "%s", msg);
	const weft_pipelines_check *k = &r->series[1].checks[0];
	weft_pipelines_duration_format(v, sizeof v, k->at.value_ms, true);
	cr_assert(strstr(msg, v), "the observed %s in the message: %s", v, msg);
	cr_assert(strstr(xml, "slow: broken: p50 "), "the body has the sentence:\n%s", xml);
	cr_assert(strstr(xml, "% CI ["), "and the confidence interval");
	/* the inconclusive one fails the gate, so a failure of its own type */
	attr_after(msg, sizeof msg, xml, "name=\"end-to-end p99", "message");
	cr_assert(strstr(msg, "inconclusive against budget 1.00 s"), "%s", msg);
	cr_assert(strstr(xml, "<failure type=\"inconclusive\""));
	cr_assert(strstr(xml, "need about"), "the body says how many more queries");
	/* the run's settings */
	char seed[32];
	snprintf(seed, sizeof seed, "%llu", (unsigned long long)r->load.seed);
	char pv[64];
	cr_assert_str_eq(attr_after(pv, sizeof pv, xml, "<property name=\"seed\"", "value"), seed);
	cr_assert_str_eq(attr_after(pv, sizeof pv, xml, "<property name=\"scenario\"", "value"), "single-stream");
	cr_assert_str_eq(attr_after(pv, sizeof pv, xml, "<property name=\"duration\"", "value"), "5.00 ms");
	cr_assert_str_eq(attr_after(pv, sizeof pv, xml, "<property name=\"weft_version\"", "value"), weft_version());
	cr_assert_str_eq(attr_after(pv, sizeof pv, xml, "<property name=\"baseline\"", "value"), "none");
	/* Ant's timestamp: no zone letter */
	attr_after(pv, sizeof pv, xml, "<testsuite ", "timestamp");
	cr_assert_eq(strlen(pv), 19, "%s", pv);
	free(xml);
	weft_pipelines_result_free(r);
}

Test(report, junit_inconclusive_allowed_is_skipped)
{
	require_junit_schema();
	weft_pipelines_result *r = run_text(mixed);
	char *xml = render(r, WEFT_REPORT_JUNIT, true);
	assert_valid_junit(xml);
	cr_assert(strstr(xml, "tests=\"4\" failures=\"1\" errors=\"0\" skipped=\"1\""), "%s", xml);
	cr_assert_eq(count_of(xml, "<skipped "), 1);
	cr_assert(strstr(xml, "<skipped type=\"inconclusive\" message=\"p99 "), "%s", xml);
	cr_assert(strstr(xml, "need about"), "GitLab shows the body: the reason is there");
	char pv[16];
	cr_assert_str_eq(attr_after(pv, sizeof pv, xml, "<property name=\"allow_inconclusive\"", "value"), "true");
	free(xml);
	weft_pipelines_result_free(r);
}

Test(report, junit_pass)
{
	require_junit_schema();
	weft_pipelines_result *r =
		run_text("pipeline: ok\nstages: [{name: quick, delay: 100us, budget: {p50: 50ms}}]\n"
			 "load: {scenario: single-stream, duration: 5ms, min_queries: 40, warmup: 2}\n");
	char *xml = render(r, WEFT_REPORT_JUNIT, false);
	assert_valid_junit(xml);
	cr_assert(strstr(xml, "tests=\"2\" failures=\"0\" errors=\"0\" skipped=\"0\""), "%s", xml);
	cr_assert(strstr(xml, "<testcase classname=\"ok\" name=\"quick p50 &lt;= 50.0 ms\" time=\"0\"/>"), "%s", xml);
	cr_assert(strstr(xml, "<testcase classname=\"ok\" name=\"no errors\" time=\"0\"/>"), "%s", xml);
	cr_assert_null(strstr(xml, "<failure"));
	cr_assert_null(strstr(xml, "<skipped"));
	free(xml);
	weft_pipelines_result_free(r);
}

Test(report, junit_with_baseline_regression)
{
	require_junit_schema();
	const char *two_ms = "pipeline: b\nstages: [{name: s, delay: 2ms}]\n"
			     "load: {scenario: single-stream, duration: 5ms, min_queries: 60, warmup: 2, seed: 7}\n";
	const char *three_ms = "pipeline: b\nstages: [{name: s, delay: 3ms}]\n"
			       "load: {scenario: single-stream, duration: 5ms, min_queries: 60, warmup: 2, seed: 7}\n";
	char *base = json_of(two_ms, NULL);
	weft_pipelines_result *r = run_text(three_ms);
	cr_assert_eq(weft_pipelines_baseline_compare_json(r, "base.json", base, 0.05, -1, d), 0);
	cr_assert_eq(r->cmp[0].verdict, WEFT_CMP_REGRESSION);
	char *xml = render(r, WEFT_REPORT_JUNIT, false);
	assert_valid_junit(xml);
	/* the error rate and one case per compared percentile (p50 and p99 of
	 * the stage and end to end; p99 of 60 queries has no interval: skipped) */
	cr_assert_eq(r->n_cmp, 2);
	cr_assert_eq(r->cmp[0].n_pcts, 2);
	cr_assert_eq(count_of(xml, "<testcase "), 1 + 4, "%s", xml);
	cr_assert_eq(count_of(xml, "<skipped type=\"not-compared\""), 2, "%s", xml);
	cr_assert_eq(count_of(xml, "<failure type=\"regression\""), 2, "%s", xml);
	cr_assert(strstr(xml, "name=\"s p50 no regression over 5% (baseline)\""), "%s", xml);
	char msg[160], a[32], now[32];
	attr_after(msg, sizeof msg, xml, "name=\"s p50 no regression", "message");
	weft_pipelines_duration_format(a, sizeof a, r->cmp[0].base_p50_ms, true);
	weft_pipelines_duration_format(now, sizeof now, r->cmp[0].p50_ms, true);
	cr_assert(strstr(msg, now) && strstr(msg, a) && strstr(msg, "&gt; baseline") && strstr(msg, "allowed 5%"),
		  "the p50s %s and %s in: %s", now, a, msg);
	char pv[64];
	cr_assert_str_eq(attr_after(pv, sizeof pv, xml, "<property name=\"baseline\"", "value"), "base.json");
	cr_assert_str_eq(attr_after(pv, sizeof pv, xml, "<property name=\"max_regression\"", "value"), "5%");
	cr_assert_str_eq(attr_after(pv, sizeof pv, xml, "<property name=\"seed\"", "value"), "7");
	free(xml);
	weft_pipelines_result_free(r);
	free(base);
}

Test(report, junit_schema_has_teeth)
{
	require_junit_schema();
	/* the same xmllint call as above refuses what the Jenkins schema does */
	static const char *const bad[] = {
		/* a skipped count on <testsuites> (what weft once wrote) */
		"<testsuites skipped='0'><testsuite name='x' tests='1' failures='0' errors='0'>"
		"<testcase classname='c' name='a'/></testsuite></testsuites>",
		/* a nameless test case */
		"<testsuites><testsuite name='x' tests='1' failures='0' errors='0'>"
		"<testcase classname='c'/></testsuite></testsuites>",
		/* a suite without its counts */
		"<testsuites><testsuite name='x'><testcase name='a'/></testsuite></testsuites>",
		/* a time with a unit */
		"<testsuites><testsuite name='x' tests='1' failures='0' errors='0' time='1.5s'>"
		"<testcase name='a'/></testsuite></testsuites>",
		/* a property without a value */
		"<testsuites><testsuite name='x' tests='1' failures='0' errors='0'><properties>"
		"<property name='seed'/></properties><testcase name='a'/></testsuite></testsuites>",
		/* an element the schema does not know */
		"<testsuites><testsuite name='x' tests='1' failures='0' errors='0'>"
		"<testcase name='a'><budget/></testcase></testsuite></testsuites>",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		cr_assert_neq(weft_test_xmllint(WEFT_TEST_JUNIT_XSD, bad[i]), 0, "accepted: %s", bad[i]);
	/* and a minimal good one passes, so the refusals are the schema's */
	cr_assert_eq(weft_test_xmllint(WEFT_TEST_JUNIT_XSD,
				       "<testsuites><testsuite name='x' tests='1' failures='0' errors='0' "
				       "time='1.500'><testcase classname='c' name='a'/></testsuite></testsuites>"),
		     0);
}

Test(report, baseline_regression_improvement_and_noise)
{
	const char *two_ms = "pipeline: b\nstages: [{name: s, delay: 2ms}]\n"
			     "load: {scenario: single-stream, duration: 5ms, min_queries: 60, warmup: 2}\n";
	const char *three_ms = "pipeline: b\nstages: [{name: s, delay: 3ms}]\n"
			       "load: {scenario: single-stream, duration: 5ms, min_queries: 60, warmup: 2}\n";
	char *base = json_of(two_ms, NULL);
	/* 50% slower: a regression of the stage and of the whole query */
	weft_pipelines_result *r = run_text(three_ms);
	cr_assert_eq(weft_pipelines_baseline_compare_json(r, "base.json", base, 0.05, -1, d), 0);
	cr_assert_eq(r->n_cmp, 2);
	cr_assert_eq(r->cmp[0].verdict, WEFT_CMP_REGRESSION, "%s", weft_pipelines_cmp_name(r->cmp[0].verdict));
	cr_assert_eq(r->n_regressions, 2);
	cr_assert_gt(r->cmp[0].change_p50, 0.3);
	cr_assert_eq(weft_pipelines_result_gate(r, true), WEFT_EGATE, "a regression fails the gate");
	/* every format names the percentile that regressed, with its ratio and bounds */
	char ratio[64];
	snprintf(ratio, sizeof ratio, "x%.3f", r->cmp[0].pcts[0].ratio);
	char bounds[64];
	snprintf(bounds, sizeof bounds, "%.3f to %.3f", r->cmp[0].pcts[0].ratio_lo, r->cmp[0].pcts[0].ratio_hi);
	cr_assert_gt(r->cmp[0].pcts[0].ratio_lo, 1.05);
	static const weft_pipelines_format fmts[] = { WEFT_REPORT_TEXT, WEFT_REPORT_MARKDOWN, WEFT_REPORT_HTML };
	for (size_t f = 0; f < 3; f++) {
		char *out = render(r, fmts[f], true);
		cr_assert(strstr(out, ratio) && strstr(out, "regression"), "format %zu lacks %s: %s", f, ratio, out);
		if (fmts[f] != WEFT_REPORT_TEXT)
			cr_assert(strstr(out, bounds), "format %zu lacks %s", f, bounds);
		free(out);
	}
	/* ...but not past a 90% allowance */
	cr_assert_eq(weft_pipelines_baseline_compare_json(r, "base.json", base, 0.9, -1, d), 0);
	cr_assert_neq(r->cmp[0].verdict, WEFT_CMP_REGRESSION);
	weft_pipelines_result_free(r);
	/* the same stage again: no regression */
	r = run_text(two_ms);
	cr_assert_eq(weft_pipelines_baseline_compare_json(r, "base.json", base, 0.05, -1, d), 0);
	cr_assert_neq(r->cmp[0].verdict, WEFT_CMP_REGRESSION);
	cr_assert_neq(r->cmp[0].verdict, WEFT_CMP_IMPROVEMENT);
	weft_pipelines_result_free(r);
	/* faster than the baseline: an improvement, and the gate passes */
	char *slow = json_of(three_ms, NULL);
	r = run_text(two_ms);
	cr_assert_eq(weft_pipelines_baseline_compare_json(r, "slow.json", slow, 0.05, -1, d), 0);
	cr_assert_eq(r->cmp[0].verdict, WEFT_CMP_IMPROVEMENT);
	cr_assert_eq(r->n_improvements, 2);
	cr_assert_eq(weft_pipelines_result_gate(r, true), 0);
	/* not a report */
	cr_assert_eq(weft_pipelines_baseline_compare_json(r, "x.json", "{\"a\": 1}", 0.05, -1, d), WEFT_EINVALID);
	cr_assert_eq(weft_pipelines_baseline_compare_json(r, "x.json", "not json", 0.05, -1, d), WEFT_EINVALID);
	weft_pipelines_result_free(r);
	free(base);
	free(slow);
}
