/* test_pipelines_timeseries.c - the per-second time series of a run, its
 * merge, and malformed ones refused.
 *
 * Every expected value is computed here from the run's --samples rows
 * (each measured query's schedule, send time and end-to-end latency, from
 * the run's start): a query's completion second is (min(scheduled, sent) +
 * end-to-end) / 1 s, so the queries and errors of each second are counted
 * here exactly, and each second's p50 and p99 are the order statistics
 * x(ceil(q n)) of its successful queries, sorted here, which the report's
 * must match within its histogram's precision (1/32). A merge of two runs
 * must give, second by second, the sums of their queries and errors and
 * the percentiles of their summed buckets (summed here). Malformed series
 * are refused at path:line:col, positions found here in the text.
 *
 * ctest-labels: serial
 */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_run.h"
#include "weft_pipelines.h"

TestSuite(timeseries, .timeout = 120);

static char dir[] = "/tmp/weft-ts-XXXXXX";

static void remove_dir(void)
{
	char line[300], *out, *err;
	snprintf(line, sizeof line, "rm -rf '%s'", dir);
	weft_test_sh(&out, &err, NULL, NULL, line);
	free(out);
	free(err);
}

static double num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	cr_assert(cJSON_IsNumber(v), "no number %s", k);
	return v->valuedouble;
}

/* What the samples say of one second. */
typedef struct {
	uint64_t queries, errors;
	uint64_t *ok;   /* successful queries' end-to-end ns */
	size_t n_ok;
} second;

#define MAX_S 16

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static uint64_t order_stat(const uint64_t *v, size_t n, double q)
{
	size_t rank = (size_t)ceil(q * (double)n);
	return v[(rank ? rank : 1) - 1];
}

/* The report's ms within one bucket's half width of the exact ns. */
static void assert_near(double ms, uint64_t ns, const char *what, double t)
{
	double tol = (double)ns * WEFT_PIPELINES_SECOND_REL_ERROR + 1.0;
	cr_assert(fabs(ms * 1e6 - (double)ns) <= tol, "second %.0f %s: report %.0f ns, samples %llu ns", t, what,
		  ms * 1e6, (unsigned long long)ns);
}

/* Run `weft bench run spec` with --samples, and check the report's time
 * series against the samples, second by second. Returns the seconds. */
static size_t run_and_check(const char *spec, uint64_t *errors_seen)
{
	char *out, *err;
	cr_assert_eq(weft_test_sh(&out, &err, dir, spec, "cat > p.yaml"), 0);
	free(out);
	free(err);
	int rc = weft_test_run(&out, &err, dir,
			       "bench run p.yaml -q --format json --allow-inconclusive --samples s.jsonl --force");
	cr_assert_eq(rc, 0, "%s", err);
	free(err);
	cJSON *rep = cJSON_Parse(out);
	cr_assert_not_null(rep);
	free(out);
	second sec[MAX_S] = { 0 };
	char *rows_text;
	cr_assert_eq(weft_test_sh(&rows_text, &err, dir, NULL, "cat s.jsonl"), 0);
	free(err);
	uint64_t rows = 0;
	char *save = NULL;
	for (char *line = strtok_r(rows_text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		cJSON *j = cJSON_Parse(line);
		cr_assert_not_null(j, "%s", line);
		uint64_t sched = (uint64_t)num(j, "scheduled_ns"), sent = (uint64_t)num(j, "sent_ns");
		uint64_t e2e = (uint64_t)num(cJSON_GetObjectItem(j, "latency_ns"), "end-to-end");
		uint64_t t = ((sched < sent ? sched : sent) + e2e) / 1000000000u;
		cr_assert_lt(t, MAX_S);
		second *s = &sec[t];
		s->queries++;
		if (cJSON_IsString(cJSON_GetObjectItem(j, "error"))) {
			s->errors++;
		} else {
			s->ok = realloc(s->ok, (s->n_ok + 1) * sizeof *s->ok);
			s->ok[s->n_ok++] = e2e;
		}
		rows++;
		cJSON_Delete(j);
	}
	free(rows_text);
	const cJSON *q = cJSON_GetObjectItem(rep, "queries");
	cr_assert_eq((uint64_t)num(q, "measured"), rows);
	const cJSON *ts = cJSON_GetObjectItem(rep, "timeseries"), *e;
	cr_assert(cJSON_IsArray(ts));
	size_t n = (size_t)cJSON_GetArraySize(ts), i = 0;
	uint64_t sum = 0, errs = 0;
	double elapsed_end = 0;
	cJSON_ArrayForEach(e, ts)
	{
		double t = num(e, "t_s"), span = num(e, "span_s");
		cr_assert(t < MAX_S);
		second *s = &sec[(size_t)t];
		cr_assert_eq((uint64_t)num(e, "queries"), s->queries, "second %.0f", t);
		cr_assert_eq((uint64_t)num(e, "errors"), s->errors, "second %.0f", t);
		if (i + 1 < n)
			cr_assert_eq(span, 1.0, "only the last second is short");
		cr_assert(span > 0 && span <= 1);
		cr_assert_float_eq(num(e, "rate_qps"), (double)s->queries / span, 1e-9 * (double)s->queries / span);
		const cJSON *p50 = cJSON_GetObjectItem(e, "p50_ms"), *p99 = cJSON_GetObjectItem(e, "p99_ms");
		if (s->n_ok) {
			qsort(s->ok, s->n_ok, sizeof *s->ok, cmp_u64);
			assert_near(p50->valuedouble, order_stat(s->ok, s->n_ok, 0.5), "p50", t);
			assert_near(p99->valuedouble, order_stat(s->ok, s->n_ok, 0.99), "p99", t);
		} else {
			cr_assert(cJSON_IsNull(p50) && cJSON_IsNull(p99), "second %.0f: no successful query", t);
		}
		sum += s->queries;
		errs += s->errors;
		elapsed_end = t + span;
		i++;
	}
	cr_assert_eq(sum, rows, "every measured query is in one second");
	cr_assert_gt(elapsed_end, 0);
	for (size_t t = 0; t < MAX_S; t++)
		free(sec[t].ok);
	cJSON_Delete(rep);
	*errors_seen = errs;
	return n;
}

Test(timeseries, seconds_match_the_samples)
{
	cr_assert_not_null(mkdtemp(dir));
	/* 300 q/s for 3 s after a 20-query warm-up: 3 whole seconds and a short
	 * fourth (the warm-up's time), latencies spread over a decade */
	uint64_t errs;
	size_t n = run_and_check("pipeline: ts\nstages:\n"
				 "  - {name: a, delay: {distribution: lognormal, median: 500us, p99: 5ms}}\n"
				 "load: {scenario: server, rate: 300, duration: 3s, warmup: 20, seed: 3}\n",
				 &errs);
	cr_assert(n >= 3 && n <= 4, "%zu seconds", n);
	cr_assert_eq(errs, 0);
	remove_dir();
}

Test(timeseries, errors_are_counted_in_their_second)
{
	cr_assert_not_null(mkdtemp(dir));
	/* fails in every odd second of the wall clock: about half the queries */
	uint64_t errs;
	size_t n = run_and_check("pipeline: te\nstages:\n"
				 "  - {name: pre, delay: 200us}\n"
				 "  - {name: flaky, command: {shell: '[ $(( $(date +%s) % 2 )) -eq 0 ]'}}\n"
				 "budget: {error_rate: 0.99}\n"
				 "load: {scenario: server, rate: 40, duration: 2500ms, warmup: 0, seed: 5}\n",
				 &errs);
	cr_assert(n >= 2, "%zu seconds", n);
	cr_assert_gt(errs, 0, "a wall-clock second in two fails");
	remove_dir();
}

/* ---- merging ----------------------------------------------------------------- */

static weft_diags *d;

static char *run_json(const char *text)
{
	weft_pipelines_spec *s = NULL;
	cr_assert_eq(weft_pipelines_spec_load_buffer(&s, "m.yaml", ".", text, strlen(text), d), 0);
	weft_pipelines_result *r = NULL;
	cr_assert_eq(weft_pipelines_run(&r, s, NULL, d), 0);
	weft_pipelines_spec_free(s);
	weft_buf b = WEFT_BUF_INIT;
	weft_pipelines_report_opts o = { false, false };
	cr_assert_eq(weft_pipelines_report(&b, r, WEFT_REPORT_JSON, &o), 0);
	weft_pipelines_result_free(r);
	return weft_buf_detach(&b);
}

/* The element of the time series of doc with this t_s, or NULL. */
static const cJSON *second_at(const cJSON *doc, double t)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(doc, "timeseries"))
	{
		if (num(e, "t_s") == t)
			return e;
	}
	return NULL;
}

/* Distinct values a second's histogram can hold (its buckets). */
#define MAX_BUCKETS 640

typedef struct {
	double value;
	double count;
} vc;

static int cmp_vc(const void *a, const void *b)
{
	double x = ((const vc *)a)->value, y = ((const vc *)b)->value;
	return (x > y) - (x < y);
}

/* Add second e's buckets to v (same values summed). */
static size_t add_buckets(vc *v, size_t n, const cJSON *e)
{
	const cJSON *p;
	cJSON_ArrayForEach(p, cJSON_GetObjectItem(cJSON_GetObjectItem(e, "histogram"), "buckets"))
	{
		double value = cJSON_GetArrayItem(p, 0)->valuedouble, c = cJSON_GetArrayItem(p, 1)->valuedouble;
		size_t k = 0;
		while (k < n && v[k].value != value)
			k++;
		if (k == n)
			v[n++] = (vc){ value, 0 };
		v[k].count += c;
	}
	return n;
}

static double rank_ms(const vc *v, size_t n, double q)
{
	double total = 0, seen = 0;
	for (size_t k = 0; k < n; k++)
		total += v[k].count;
	double rank = fmax(1.0, ceil(q * total));
	for (size_t k = 0; k < n; k++) {
		seen += v[k].count;
		if (seen >= rank)
			return v[k].value / 1e6;
	}
	return NAN;
}

Test(timeseries, merged_shards_add_second_by_second)
{
	weft_diags_new(&d);
	static const char spec[] = "pipeline: tm\nstages:\n"
				   "  - {name: a, delay: {distribution: lognormal, median: 300us, p99: 3ms}}\n"
				   "load: {scenario: server, rate: 400, duration: 1500ms, warmup: 5, seed: %d}\n";
	char text[512];
	char *texts[2];
	for (int i = 0; i < 2; i++) {
		snprintf(text, sizeof text, spec, 11 + i);
		texts[i] = run_json(text);
	}
	const char *names[] = { "a.json", "b.json" };
	weft_pipelines_result *m = NULL;
	cr_assert_eq(weft_pipelines_result_merge_json(&m, names, (const char *const *)texts, 2, d), 0);
	cJSON *a = cJSON_Parse(texts[0]), *b = cJSON_Parse(texts[1]);
	cr_assert_geq(m->n_seconds, 2);
	uint64_t total = 0;
	for (size_t i = 0; i < m->n_seconds; i++) {
		const weft_pipelines_second *s = &m->seconds[i];
		const cJSON *sa = second_at(a, (double)s->t_s), *sb = second_at(b, (double)s->t_s);
		cr_assert(sa || sb, "second %llu is in neither report", (unsigned long long)s->t_s);
		double q = (sa ? num(sa, "queries") : 0) + (sb ? num(sb, "queries") : 0);
		double e = (sa ? num(sa, "errors") : 0) + (sb ? num(sb, "errors") : 0);
		double span = fmax(sa ? num(sa, "span_s") : 0, sb ? num(sb, "span_s") : 0);
		cr_assert_eq((double)s->queries, q);
		cr_assert_eq((double)s->errors, e);
		cr_assert_float_eq(s->span_s, span, 1e-12);
		cr_assert_float_eq(s->rate_qps, q / span, 1e-9 * q / span);
		vc v[2 * MAX_BUCKETS];
		size_t n = 0;
		if (sa)
			n = add_buckets(v, n, sa);
		if (sb)
			n = add_buckets(v, n, sb);
		qsort(v, n, sizeof *v, cmp_vc);
		cr_assert_float_eq(s->p50_ms, rank_ms(v, n, 0.5), 1e-12, "second %llu", (unsigned long long)s->t_s);
		cr_assert_float_eq(s->p99_ms, rank_ms(v, n, 0.99), 1e-12, "second %llu", (unsigned long long)s->t_s);
		total += s->queries;
	}
	cr_assert_eq(total, m->measured, "the merged seconds hold every merged query");
	/* the merged report is a report: it merges again, to itself */
	weft_buf out = WEFT_BUF_INIT;
	weft_pipelines_report_opts o = { false, false };
	cr_assert_eq(weft_pipelines_report(&out, m, WEFT_REPORT_JSON, &o), 0);
	char *mt = weft_buf_detach(&out);
	weft_pipelines_result *again = NULL;
	cr_assert_eq(weft_pipelines_result_merge_json(&again, names, (const char *const *)&mt, 1, d), 0);
	cr_assert_eq(again->n_seconds, m->n_seconds);
	for (size_t i = 0; i < m->n_seconds; i++) {
		cr_assert_eq(again->seconds[i].queries, m->seconds[i].queries);
		cr_assert_float_eq(again->seconds[i].p99_ms, m->seconds[i].p99_ms, 1e-12);
	}
	weft_pipelines_result_free(again);
	free(mt);
	cJSON_Delete(a);
	cJSON_Delete(b);
	weft_pipelines_result_free(m);
	free(texts[0]);
	free(texts[1]);
	weft_diags_free(d);
}

/* ---- malformed ---------------------------------------------------------------- */

#define MINI(TS)                                                                                     \
	"{\"format\": \"weft-bench-report\",\n"                                                      \
	" \"pipeline\": {\"name\": \"mini\"},\n"                                                     \
	" \"load\": {\"scenario\": \"concurrency\", \"seed\": 1},\n"                                 \
	" \"confidence\": 0.95,\n"                                                                   \
	" \"harness\": {\"workers\": 1},\n"                                                          \
	" \"queries\": {\"measured\": 3, \"errors\": 0, \"dropped\": 0, \"warmup\": 0},\n"           \
	" \"error_rate\": {\"budget\": 0, \"budget_set\": false},\n"                                 \
	" \"series\": [\n"                                                                           \
	"  {\"name\": \"end-to-end\", \"kind\": \"end-to-end\", \"count\": 3, \"errors\": 0,\n"      \
	"   \"budgets\": [], \"histogram\": {\"buckets\": [[5000, 2], [7000, 1]]}}],\n"              \
	" \"timeseries\": " TS "}\n"

#define SEC(T, Q, B) "{\"t_s\": " T ", \"span_s\": 1, \"queries\": " Q ", \"errors\": 0, \"histogram\": {\"buckets\": " B "}}"

/* "a.json:L:C" of the n-th (1-based) occurrence of needle in text, plus skip. */
static void where(char *buf, size_t size, const char *text, const char *needle, int nth, size_t skip)
{
	const char *p = text;
	for (int i = 0; i < nth; i++) {
		p = strstr(i ? p + 1 : p, needle);
		cr_assert_not_null(p, "%s", needle);
	}
	p += skip;
	int line = 1, col = 1;
	for (const char *c = text; c < p; c++) {
		col = *c == '\n' ? 1 : col + 1;
		line += *c == '\n';
	}
	snprintf(buf, size, "a.json:%d:%d: error: ", line, col);
}

Test(timeseries, malformed_series_are_refused_where_they_are_wrong)
{
	weft_diags_new(&d);
	const char *names[] = { "a.json" };
	/* the well-formed one merges */
	const char *good = MINI("[" SEC("0", "2", "[[5000, 2]]") ", " SEC("2", "1", "[[7000, 1]]") "]");
	weft_pipelines_result *m = NULL;
	cr_assert_eq(weft_pipelines_result_merge_json(&m, names, &good, 1, d), 0,
		     "%s", weft_diags_count(d) ? weft_diags_get(d, 0)->message : "");
	cr_assert_eq(m->n_seconds, 2);
	cr_assert_eq(m->seconds[1].t_s, 2);
	cr_assert_float_eq(m->seconds[0].p50_ms, 0.005, 0.005 / 64);
	weft_pipelines_result_free(m);
	static const struct {
		const char *text, *needle;
		int nth;
		size_t skip;
		const char *want;
	} bad[] = {
		{ MINI("[" SEC("1", "1", "[[5000, 1]]") ", " SEC("1", "2", "[[5000, 1], [7000, 1]]") "]"), "\"t_s\": ", 2,
		  7, "timeseries[1].t_s is not after the second before it" },
		{ MINI("[" SEC("0", "2", "[[5000, 1], [-1, 1]]") "]"), "[-1", 1, 0,
		  "histogram bucket 1 of timeseries[0] is not [value_ns, count]" },
		{ MINI("[" SEC("0", "3", "[[5000, 2]]") "]"), "{\"t_s\"", 1, 0,
		  "timeseries[0]: its histogram does not hold its queries less its errors" },
		{ MINI("[" SEC("0", "2", "[[5000, 2]]") ", " SEC("1", "2", "[[5000, 2]]") "]"), "{\"t_s\"", 2, 0,
		  "timeseries[1] brings the time series past the report's 3 measured queries" },
		{ MINI("[" SEC("0.5", "3", "[[5000, 3]]") "]"), "\"t_s\": ", 1, 7, "timeseries[0].t_s is not a count" },
		{ MINI("{}"), "\"timeseries\": ", 1, 14, "timeseries is not an array" },
		{ MINI("[7]"), "[7]", 1, 1, "timeseries[0] is not an object" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		weft_diags_clear(d);
		m = (weft_pipelines_result *)1;
		cr_assert_eq(weft_pipelines_result_merge_json(&m, names, &bad[i].text, 1, d), WEFT_EINVALID, "%zu", i);
		cr_assert_null(m);
		char *text = NULL;
		size_t len = 0;
		FILE *fp = open_memstream(&text, &len);
		weft_diags_print(d, fp, false);
		fclose(fp);
		char at[64];
		where(at, sizeof at, bad[i].text, bad[i].needle, bad[i].nth, bad[i].skip);
		cr_assert(strstr(text, at) && strstr(text, bad[i].want), "%zu: %s%s wanted in %s", i, at, bad[i].want,
			  text);
		free(text);
	}
	weft_diags_free(d);
}
