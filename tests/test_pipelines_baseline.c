/* test_pipelines_baseline.c - a --baseline file is untrusted input: a hostile
 * one (bucket counts that would overflow the series total, malformed
 * buckets, no histogram, broken JSON) is refused with path:line:col pointing
 * at the culprit and a clear message, never a wrong comparison. A file
 * written by weft still compares. (The statistics of the comparison are
 * tested in test_pipelines_report.c.) */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "weft_pipelines.h"

static weft_diags *d;
static weft_pipelines_result *r;

static void setup(void)
{
	weft_diags_new(&d);
	static const char spec[] = "pipeline: b\nstages: [{name: s, delay: 20us}]\n"
				   "load: {scenario: single-stream, duration: 1ms, min_queries: 30, warmup: 1}\n";
	weft_pipelines_spec *s = NULL;
	cr_assert_eq(weft_pipelines_spec_load_buffer(&s, "b.yaml", ".", spec, sizeof spec - 1, d), 0);
	cr_assert_eq(weft_pipelines_run(&r, s, NULL, d), 0);
	weft_pipelines_spec_free(s);
}
static void teardown(void)
{
	weft_pipelines_result_free(r);
	weft_diags_free(d);
}
TestSuite(baseline, .init = setup, .fini = teardown, .timeout = 60);

/* The first error, as "path:line:col: error: message". */
static char *first_error(const char *json)
{
	weft_diags_clear(d);
	cr_assert_eq(weft_pipelines_baseline_compare_json(r, "base.json", json, 0.05, -1, d), WEFT_EINVALID);
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	cr_assert_not_null(fp);
	weft_diags_print(d, fp, false);
	fclose(fp);
	return text;
}

#define HEAD "{\"format\": \"weft-bench-report\",\n \"series\": [\n"

Test(baseline, a_total_past_any_run_is_refused_where_it_happens)
{
	/* 20000 buckets of 1e15 would wrap a uint64 total (2^64 = 1.8e19) */
	size_t cap = 64 + 20000 * 40;
	char *json = malloc(cap), *p = json;
	p += sprintf(p, HEAD "  {\"name\": \"s\", \"histogram\": {\"buckets\": [\n");
	for (int i = 0; i < 20000; i++)
		p += sprintf(p, "%s[%d, 1e15]", i ? ",\n" : "", 20000 + i);
	sprintf(p, "]}}]}\n");
	char *e = first_error(json);
	cr_assert(strstr(e, "base.json:5:1: error: histogram bucket 1 brings the query count of series 's' "
			    "to 2000000000000000, more than the 1000000000000000 any run can measure"),
		  "%s", e);
	free(e);
	free(json);
	/* one bucket alone above the limit: 2^64 */
	e = first_error(HEAD "  {\"name\": \"end-to-end\", \"histogram\": {\"buckets\": [[1, 1]]}},\n"
			     "  {\"name\": \"s\", \"histogram\": {\"buckets\":\n   [[5, 2], [7, 18446744073709551616]]}}]}");
	cr_assert(strstr(e, "base.json:5:13: error: histogram bucket 1 brings the query count of series 's'"),
		  "%s", e);
	free(e);
}

Test(baseline, malformed_buckets_name_the_bucket)
{
	static const char *const bad[] = {
		HEAD "  {\"name\": \"s\", \"histogram\": {\"buckets\": [[5, -1]]}}]}",
		HEAD "  {\"name\": \"s\", \"histogram\": {\"buckets\": [[5, 1, 2]]}}]}",
		HEAD "  {\"name\": \"s\", \"histogram\": {\"buckets\": [\"x\"]}}]}",
		HEAD "  {\"name\": \"s\", \"histogram\": {\"buckets\": [[-5, 1]]}}]}",
		HEAD "  {\"name\": \"s\", \"histogram\": {\"buckets\": [[\"5\", 1]]}}]}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char *e = first_error(bad[i]);
		cr_assert(strstr(e, "base.json:3:43: error: not a weft bench report: histogram bucket 0 of series "
				    "'s' is not [value_ns, count] with both >= 0"),
			  "%zu: %s", i, e);
		free(e);
	}
	char *e = first_error(HEAD "  {\"name\": \"x\"},\n  {\"name\": \"s\", \"histogram\": 3}]}");
	cr_assert(strstr(e, "base.json:4:3: error: not a weft bench report: series 's' has no histogram.buckets"),
		  "%s", e);
	free(e);
	e = first_error("{\"format\": \"weft-bench-report\",\n \"series\": [1, }");
	cr_assert(strstr(e, "base.json:2:16: error: not valid JSON (near byte 47)"), "%s", e);
	free(e);
}

Test(baseline, a_report_weft_wrote_still_compares)
{
	weft_buf b = WEFT_BUF_INIT;
	weft_pipelines_report_opts o = { false, false };
	cr_assert_eq(weft_pipelines_report(&b, r, WEFT_REPORT_JSON, &o), 0);
	cr_assert_eq(weft_pipelines_baseline_compare_json(r, "base.json", b.ptr, 0.05, -1, d), 0);
	cr_assert_eq(r->n_cmp, 2);
	cr_assert_eq(r->cmp[0].base_count, r->series[0].count);
	weft_buf_free(&b);
}

/* Write text to a fresh file under /tmp; the path (static buffer i). */
static const char *tmp_file(int i, const char *text)
{
	static char paths[4][64];
	snprintf(paths[i], sizeof paths[i], "/tmp/weft-merge-%d-%d.json", (int)getpid(), i);
	FILE *f = fopen(paths[i], "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	return paths[i];
}

Test(baseline, merged_runs_keep_each_value_and_compare)
{
	weft_buf b = WEFT_BUF_INIT;
	weft_pipelines_report_opts o = { false, false };
	cr_assert_eq(weft_pipelines_report(&b, r, WEFT_REPORT_JSON, &o), 0);
	const char *p[3] = { tmp_file(0, b.ptr), tmp_file(1, b.ptr), tmp_file(2, b.ptr) };
	char *merged = NULL;
	cr_assert_eq(weft_pipelines_baseline_merge(&merged, p, 3, d), 0);
	cJSON *m = cJSON_Parse(merged);
	cr_assert_not_null(m);
	cr_assert_str_eq(cJSON_GetObjectItem(m, "format")->valuestring, "weft-bench-baseline");
	cr_assert_eq(cJSON_GetObjectItem(m, "runs")->valueint, 3);
	const cJSON *s0 = cJSON_GetArrayItem(cJSON_GetObjectItem(m, "series"), 0);
	cr_assert_eq((uint64_t)cJSON_GetObjectItem(s0, "count")->valuedouble, 3 * r->series[0].count,
		     "the histograms are summed");
	const cJSON *p50 = cJSON_GetArrayItem(cJSON_GetObjectItem(s0, "percentiles"), 0);
	cr_assert_float_eq(cJSON_GetObjectItem(p50, "q")->valuedouble, 0.5, 1e-12);
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(p50, "runs_ms")), 3);
	cr_assert_float_eq(cJSON_GetObjectItem(p50, "value_ms")->valuedouble, r->series[0].pctl[0].value_ms, 1e-9);
	cJSON_Delete(m);
	/* a run compared with three identical ones: ratio 1, nothing flagged */
	cr_assert_eq(weft_pipelines_baseline_compare_json(r, "merged.json", merged, 0.05, -1, d), 0);
	cr_assert_eq(r->base_runs, 3);
	cr_assert_eq(r->n_regressions, 0);
	cr_assert_float_eq(r->cmp[0].pcts[0].ratio, 1.0, 1e-9);
	free(merged);
	/* runs of another pipeline are refused, naming the file */
	char *other = strdup(b.ptr);
	char *at = strstr(other, "\"name\":\t\"b\"");
	cr_assert_not_null(at, "%.400s", other);
	at[8] = 'c';
	p[1] = tmp_file(3, other);
	weft_diags_clear(d);
	cr_assert_eq(weft_pipelines_baseline_merge(&merged, p, 3, d), WEFT_EINVALID);
	cr_assert_null(merged);
	/* not a report */
	p[2] = tmp_file(2, "{\"format\": \"x\"}");
	cr_assert_eq(weft_pipelines_baseline_merge(&merged, p, 3, d), WEFT_EINVALID);
	for (int i = 0; i < 4; i++)
		remove(tmp_file(i, ""));
	free(other);
	weft_buf_free(&b);
}
