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
