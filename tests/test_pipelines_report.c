/* test_pipelines_report.c - every report format says what the run found:
 * JSON validates against docs/schemas/bench-report.schema.json and carries
 * the verdicts; JUnit XML validates with xmllint against the JUnit schema
 * CI servers use (../shared/peer-suites/junit/junit-10.xsd; skipped without
 * it or xmllint, a failure under CI=true) and against our stricter one
 * (tests/fixtures/pipelines/junit.xsd), with one test case per budget and
 * failures carrying the numbers; HTML is self-contained with one CDF and
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

/* 0 when xml validates against both JUnit schemas: the peer suite's, which
 * CI servers read, and ours (tests/fixtures/pipelines/junit.xsd), which
 * also wants a classname on every test case. */
static int xmllint(const char *xml)
{
	int peer = weft_test_xmllint(WEFT_TEST_JUNIT_XSD, xml);
	int ours = weft_test_xmllint(WEFT_FIXTURES "/pipelines/junit.xsd", xml);
	return peer ? peer : ours;
}

Test(report, junit_validates_one_case_per_budget)
{
	weft_test_require_path(WEFT_TEST_JUNIT_XSD, "the JUnit schema");
	weft_test_require_tool("xmllint", "Debian: libxml2-utils");
	weft_pipelines_result *r = run_text(mixed);
	char *xml = render(r, WEFT_REPORT_JUNIT, false);
	cr_assert_eq(xmllint(xml), 0, "%s", xml);
	/* 4 budgets: fast p50, slow p50, end-to-end p99, error rate */
	cr_assert_eq(count_of(xml, "<testcase "), 4);
	cr_assert(strstr(xml, "tests=\"4\" failures=\"2\""), "broken + inconclusive fail");
	cr_assert(strstr(xml, "type=\"budget-broken\""));
	cr_assert(strstr(xml, "name=\"slow p50 &lt;= 1.00 ms\""));
	cr_assert(strstr(xml, "message=\"broken: p50 2."), "the failure carries the numbers");
	free(xml);
	xml = render(r, WEFT_REPORT_JUNIT, true);
	cr_assert_eq(xmllint(xml), 0);
	cr_assert(strstr(xml, "failures=\"1\" errors=\"0\" skipped=\"1\""));
	cr_assert_eq(count_of(xml, "<skipped "), 1);
	free(xml);
	/* both schemas have teeth */
	static const char nameless[] = "<testsuites><testsuite name='x' tests='1' failures='0' errors='0'>"
				       "<testcase classname='c'/></testsuite></testsuites>";
	cr_assert_neq(weft_test_xmllint(WEFT_TEST_JUNIT_XSD, nameless), 0, "a nameless testcase");
	cr_assert_neq(weft_test_xmllint(WEFT_FIXTURES "/pipelines/junit.xsd", nameless), 0, "a nameless testcase");
	cr_assert_neq(xmllint("<testsuites><testsuite name='x' tests='1' failures='0' errors='0'>"
			      "<testcase name='a'/></testsuite></testsuites>"),
		      0, "a testcase without classname must not validate against ours");
	weft_pipelines_result_free(r);
}

Test(report, html_is_self_contained_with_charts)
{
	weft_pipelines_result *r = run_text(mixed);
	char *html = render(r, WEFT_REPORT_HTML, false);
	cr_assert(!strncmp(html, "<!DOCTYPE html>", 15));
	cr_assert_eq(count_of(html, "<svg "), 2 * r->n_series, "a CDF and a histogram per series");
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

Test(report, baseline_regression_improvement_and_noise)
{
	const char *two_ms = "pipeline: b\nstages: [{name: s, delay: 2ms}]\n"
			     "load: {scenario: single-stream, duration: 5ms, min_queries: 60, warmup: 2}\n";
	const char *three_ms = "pipeline: b\nstages: [{name: s, delay: 3ms}]\n"
			       "load: {scenario: single-stream, duration: 5ms, min_queries: 60, warmup: 2}\n";
	char *base = json_of(two_ms, NULL);
	/* 50% slower: a regression of the stage and of the whole query */
	weft_pipelines_result *r = run_text(three_ms);
	cr_assert_eq(weft_pipelines_baseline_compare_json(r, "base.json", base, 0.05, d), 0);
	cr_assert_eq(r->n_cmp, 2);
	cr_assert_eq(r->cmp[0].verdict, WEFT_CMP_REGRESSION, "%s", weft_pipelines_cmp_name(r->cmp[0].verdict));
	cr_assert_eq(r->n_regressions, 2);
	cr_assert_gt(r->cmp[0].change_p50, 0.3);
	cr_assert_eq(weft_pipelines_result_gate(r, true), WEFT_EGATE, "a regression fails the gate");
	/* ...but not past a 90% allowance */
	cr_assert_eq(weft_pipelines_baseline_compare_json(r, "base.json", base, 0.9, d), 0);
	cr_assert_neq(r->cmp[0].verdict, WEFT_CMP_REGRESSION);
	weft_pipelines_result_free(r);
	/* the same stage again: no regression */
	r = run_text(two_ms);
	cr_assert_eq(weft_pipelines_baseline_compare_json(r, "base.json", base, 0.05, d), 0);
	cr_assert_neq(r->cmp[0].verdict, WEFT_CMP_REGRESSION);
	cr_assert_neq(r->cmp[0].verdict, WEFT_CMP_IMPROVEMENT);
	weft_pipelines_result_free(r);
	/* faster than the baseline: an improvement, and the gate passes */
	char *slow = json_of(three_ms, NULL);
	r = run_text(two_ms);
	cr_assert_eq(weft_pipelines_baseline_compare_json(r, "slow.json", slow, 0.05, d), 0);
	cr_assert_eq(r->cmp[0].verdict, WEFT_CMP_IMPROVEMENT);
	cr_assert_eq(r->n_improvements, 2);
	cr_assert_eq(weft_pipelines_result_gate(r, true), 0);
	/* not a report */
	cr_assert_eq(weft_pipelines_baseline_compare_json(r, "x.json", "{\"a\": 1}", 0.05, d), WEFT_EINVALID);
	cr_assert_eq(weft_pipelines_baseline_compare_json(r, "x.json", "not json", 0.05, d), WEFT_EINVALID);
	weft_pipelines_result_free(r);
	free(base);
	free(slow);
}
