/* test_pipelines_merge.c - the JSON reports of split runs merge into one
 * result as if one run had made all their queries (weft_pipelines_result_merge).
 *
 * Every expected value is computed here, not by the code under test: counts
 * are the inputs' sums; each merged percentile is checked against the
 * order statistic of both runs' exact samples, concatenated and sorted
 * here; the budget that each half alone leaves undecided but the merged run
 * decides is re-derived from the pooled sample count; error kinds are
 * summed by text here. Then the notes for shard sets that do not add up
 * (three shards of three: none; one twice, one missing, a whole run among
 * shards, a seed repeated), the refusals (other pipeline, other budgets,
 * a bad bucket, not JSON, no series) with path:line:col, a merged result in
 * every format with its JSON valid against the schema, and a merge of one
 * report giving that report back.
 */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "httpd_test.h"
#include "json_schema.h"
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
TestSuite(merge, .init = setup, .fini = teardown, .timeout = 120);

#define SCHEMA WEFT_FIXTURES "/../../docs/schemas/bench-report.schema.json"

/* Two delay stages behind a server at 4000 q/s for 0.5 s: exactly 2000
 * measured queries a run. p99.9 <= 5 s cannot be met by 2000 queries (at
 * 95%, the p99.9's upper bound needs 0.999^n <= 0.025, n >= 3688) but is by
 * 4000; p50 <= 50 ms is met either way. */
#define SERVER_SPEC                                                                                        \
	"pipeline: m\nstages:\n"                                                                           \
	"  - {name: a, delay: {distribution: lognormal, median: 200us, p99: 1ms}}\n"                       \
	"  - {name: b, delay: {distribution: uniform, min: 100us, max: 300us}, budget: {p99: 1s}}\n"       \
	"budget: {end_to_end: {p50: 50ms, p99.9: 5s}}\n"                                                   \
	"load: {scenario: server, rate: 4000, concurrency: 8, duration: 500ms, min_queries: 0, warmup: 5,\n" \
	"       seed: %d}\n"

static weft_pipelines_result *run_text(const char *text)
{
	weft_pipelines_spec *s = NULL;
	cr_assert_eq(weft_pipelines_spec_load_buffer(&s, "m.yaml", ".", text, strlen(text), d), 0);
	weft_pipelines_result *r = NULL;
	weft_pipelines_run_opts o = { .max_samples = 10000000 }; /* keep every sample */
	cr_assert_eq(weft_pipelines_run(&r, s, &o, d), 0);
	weft_pipelines_spec_free(s);
	return r;
}

static weft_pipelines_result *run_seed(int seed)
{
	char text[1024];
	snprintf(text, sizeof text, SERVER_SPEC, seed);
	return run_text(text);
}

static char *render(const weft_pipelines_result *r, weft_pipelines_format f)
{
	weft_buf b = WEFT_BUF_INIT;
	weft_pipelines_report_opts o = { false, false };
	cr_assert_eq(weft_pipelines_report(&b, r, f, &o), 0);
	return weft_buf_detach(&b);
}

static weft_pipelines_result *merge_texts(char **texts, size_t n)
{
	const char *names[8];
	cr_assert(n <= 8);
	for (size_t i = 0; i < n; i++) {
		static char buf[8][32];
		snprintf(buf[i], sizeof buf[i], "r%zu.json", i);
		names[i] = buf[i];
	}
	weft_pipelines_result *m = NULL;
	weft_diags_clear(d);
	int err = weft_pipelines_result_merge_json(&m, names, (const char *const *)texts, n, d);
	cr_assert_eq(err, 0, "merge: %d, %s", err, weft_diags_count(d) ? weft_diags_get(d, 0)->message : "");
	cr_assert_not_null(m);
	return m;
}

/* The diagnostics as "path:line:col: error: message" lines. */
static char *diags_text(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	cr_assert_not_null(fp);
	weft_diags_print(d, fp, false);
	fclose(fp);
	return text;
}

/* Merging these texts is refused with WEFT_EINVALID; the diagnostics. */
static char *refusal(const char *const *texts, size_t n)
{
	static const char *const names[] = { "a.json", "b.json", "c.json" };
	weft_pipelines_result *m = (weft_pipelines_result *)1;
	weft_diags_clear(d);
	cr_assert_eq(weft_pipelines_result_merge_json(&m, names, texts, n, d), WEFT_EINVALID);
	cr_assert_null(m);
	return diags_text();
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Both results' exact samples of series i, concatenated and sorted. */
static uint64_t *pooled(const weft_pipelines_result *a, const weft_pipelines_result *b, size_t i, uint64_t *n)
{
	const weft_pipelines_series *sa = &a->series[i], *sb = &b->series[i];
	cr_assert(sa->exact && sb->exact, "the runs kept every sample");
	*n = sa->n_samples + sb->n_samples;
	uint64_t *v = malloc(*n * sizeof *v);
	memcpy(v, sa->samples, sa->n_samples * sizeof *v);
	memcpy(v + sa->n_samples, sb->samples, sb->n_samples * sizeof *v);
	qsort(v, *n, sizeof *v, cmp_u64);
	return v;
}

/* A value read from the merged histogram lies in the bucket of the order
 * statistic it estimates. A bucket is at most 2 x WEFT_PIPELINES_HIST_REL_ERROR
 * of its values wide, and the value read back is its midpoint (within one
 * relative error) unless clamped to the recorded minimum or maximum (then
 * anywhere in the bucket): one bucket is the bound. */
static void assert_near_order_stat(double ms, uint64_t ns, const char *what)
{
	double tol = 2.0 * WEFT_PIPELINES_HIST_REL_ERROR * (double)ns + 1.0;
	cr_assert(fabs(ms * 1e6 - (double)ns) <= tol, "%s: merged %.0f ns, pooled samples say %llu ns", what,
		  ms * 1e6, (unsigned long long)ns);
}

static const weft_pipelines_check *check_of(const weft_pipelines_series *s, const char *label)
{
	for (size_t i = 0; i < s->n_checks; i++)
		if (!strcmp(s->checks[i].budget.label, label))
			return &s->checks[i];
	cr_assert_fail("no %s budget on %s", label, s->name);
	return NULL;
}

Test(merge, two_runs_merge_as_one)
{
	weft_pipelines_result *r[2] = { run_seed(3), run_seed(4) };
	char *texts[2] = { render(r[0], WEFT_REPORT_JSON), render(r[1], WEFT_REPORT_JSON) };
	weft_pipelines_result *m = merge_texts(texts, 2);

	/* counts add */
	cr_assert_eq(m->measured, r[0]->measured + r[1]->measured);
	cr_assert_eq(m->errors, r[0]->errors + r[1]->errors);
	cr_assert_eq(m->dropped, r[0]->dropped + r[1]->dropped);
	cr_assert_eq(m->warmup_done, r[0]->warmup_done + r[1]->warmup_done);
	cr_assert_eq(m->workers, r[0]->workers + r[1]->workers);
	cr_assert_eq(m->late_count, r[0]->late_count + r[1]->late_count);
	cr_assert_eq(m->late_busy + m->late_wakeup, m->late_count);
	cr_assert_float_eq(m->late_max_ms, fmax(r[0]->late_max_ms, r[1]->late_max_ms), 1e-12);
	cr_assert_float_eq(m->elapsed_s, fmax(r[0]->elapsed_s, r[1]->elapsed_s), 1e-12, "side by side: the longest");
	cr_assert_float_eq(m->throughput_qps, r[0]->throughput_qps + r[1]->throughput_qps, 1e-6);
	cr_assert_float_eq(m->load.rate, 8000.0, 1e-9, "the rate of the whole run: the shards' sum");
	cr_assert_eq(m->load.shard_count, 0);
	cr_assert_str_eq(m->pipeline, "m");
	cr_assert(strcmp(m->started_at, r[0]->started_at) <= 0 && strcmp(m->started_at, r[1]->started_at) <= 0);
	cr_assert_eq(m->n_notes, 0, "two whole runs with their own seeds: %s", m->n_notes ? m->notes[0] : "");
	cr_assert_eq(m->n_series, 3);

	/* every percentile against the pooled exact samples */
	static const unsigned per_mille[] = { 500, 900, 990, 999 };
	static const size_t pctl_index[] = { 0, 1, 3, 4 }; /* p50 p90 p99 p99.9 in series.pctl */
	for (size_t i = 0; i < m->n_series; i++) {
		const weft_pipelines_series *s = &m->series[i];
		cr_assert_str_eq(s->name, r[0]->series[i].name);
		cr_assert_not(s->exact);
		cr_assert_null(s->samples);
		cr_assert(isnan(s->drift));
		uint64_t n;
		uint64_t *v = pooled(r[0], r[1], i, &n);
		cr_assert_eq(s->count, n, "%s: %llu merged, %llu pooled", s->name, (unsigned long long)s->count,
			     (unsigned long long)n);
		cr_assert_eq(weft_pipelines_hist_count(s->hist), n);
		cr_assert_float_eq(s->min_ms, (double)v[0] / 1e6, 1e-12, "the minimum is exact");
		cr_assert_float_eq(s->max_ms, (double)v[n - 1] / 1e6, 1e-12, "the maximum is exact");
		double sum = 0;
		for (uint64_t k = 0; k < n; k++)
			sum += (double)v[k];
		cr_assert_float_eq(s->mean_ms, sum / (double)n / 1e6, 1e-9 * s->mean_ms, "the mean is pooled exactly");
		for (size_t p = 0; p < 4; p++) {
			uint64_t rank = (per_mille[p] * n + 999) / 1000; /* ceil(q n), in integers */
			char what[64];
			snprintf(what, sizeof what, "%s %s", s->name, s->pctl[pctl_index[p]].label);
			cr_assert_float_eq(s->pctl[pctl_index[p]].q, per_mille[p] / 1000.0, 1e-12);
			assert_near_order_stat(s->pctl[pctl_index[p]].value_ms, v[rank - 1], what);
		}
		cr_assert_float_eq(s->pctl[5].value_ms, (double)v[n - 1] / 1e6, 1e-12);
		/* the budgets, judged again on the pooled queries */
		for (size_t c = 0; c < s->n_checks; c++) {
			const weft_pipelines_check *k = &s->checks[c];
			uint64_t over = 0;
			for (uint64_t j = 0; j < n; j++)
				over += (double)v[j] > k->budget.limit_ms * 1e6;
			cr_assert_eq(k->over, over, "%s %s", s->name, k->budget.label);
		}
		free(v);
	}

	/* p99.9 <= 5 s: undecided by each half, met by both together */
	const weft_pipelines_series *e = &m->series[2];
	uint64_t n;
	uint64_t *v = pooled(r[0], r[1], 2, &n);
	for (int i = 0; i < 2; i++) {
		cr_assert_lt(r[i]->series[2].count, 3688, "the half must be too small to decide");
		cr_assert_eq(check_of(&r[i]->series[2], "p99.9")->verdict, WEFT_VERDICT_INCONCLUSIVE);
		cr_assert_eq(weft_pipelines_result_gate(r[i], false), WEFT_EGATE);
	}
	cr_assert_geq(n, 3688, "%llu pooled queries", (unsigned long long)n);
	/* the upper bound's rank: the smallest h with P(B >= h) <= 2.5%, B ~
	 * Binomial(n, 0.999), found here by summing the upper tail */
	double tail = 0;
	uint64_t h = n + 1;
	for (uint64_t k = n; k > n - 40; k--) {
		tail += exp(lgamma((double)n + 1) - lgamma((double)k + 1) - lgamma((double)(n - k) + 1) +
			    (double)k * log(0.999) + (double)(n - k) * log1p(-0.999));
		if (tail > 0.025)
			break;
		h = k;
	}
	cr_assert_leq(h, n, "the pooled run has an upper bound for p99.9");
	const weft_pipelines_check *c999 = check_of(e, "p99.9");
	cr_assert(c999->at.has_hi);
	cr_assert_eq(c999->at.hi_rank, h);
	assert_near_order_stat(c999->at.hi_ms, v[h - 1], "p99.9 upper bound");
	cr_assert_lt((double)v[h - 1], 5e9);
	cr_assert_eq(c999->verdict, WEFT_VERDICT_MET, "decided by the merged run");
	cr_assert_eq(check_of(e, "p50")->verdict, WEFT_VERDICT_MET);
	cr_assert_eq(m->error_verdict, m->errors ? WEFT_VERDICT_BROKEN : WEFT_VERDICT_MET);
	uint64_t checks = 1; /* the error rate's */
	for (size_t i = 0; i < m->n_series; i++)
		checks += m->series[i].n_checks;
	cr_assert_eq(m->n_met + m->n_broken + m->n_inconclusive, checks);
	if (!m->errors)
		cr_assert_eq(weft_pipelines_result_gate(m, false), 0, "every budget met");
	free(v);

	/* the merged result renders in every format */
	static const weft_pipelines_format formats[] = { WEFT_REPORT_TEXT, WEFT_REPORT_JSON, WEFT_REPORT_MARKDOWN,
							 WEFT_REPORT_HTML, WEFT_REPORT_JUNIT };
	for (size_t f = 0; f < 5; f++) {
		char *out = render(m, formats[f]);
		cr_assert(out && strstr(out, "p99.9"), "format %zu", f);
		free(out);
	}
	for (int i = 0; i < 2; i++) {
		free(texts[i]);
		weft_pipelines_result_free(r[i]);
	}
	weft_pipelines_result_free(m);
}

Test(merge, one_report_gives_itself_back)
{
	weft_pipelines_result *r =
		run_text("pipeline: one\nstages:\n"
			 "  - {name: s, delay: {distribution: lognormal, median: 50us, p99: 400us}, budget: {p90: 1s}}\n"
			 "budget: {end_to_end: {p99: 2s, max: 10s}}\n"
			 "load: {scenario: concurrency, concurrency: 2, duration: 1ms, min_queries: 3000, warmup: 4}\n");
	char *text = render(r, WEFT_REPORT_JSON);
	weft_pipelines_result *m = merge_texts(&text, 1);
	cr_assert_eq(m->measured, r->measured);
	cr_assert_eq(m->errors, r->errors);
	cr_assert_eq(m->warmup_done, r->warmup_done);
	cr_assert_eq(m->workers, r->workers);
	cr_assert_eq(m->n_notes, 0);
	cr_assert_float_eq(m->throughput_qps, r->throughput_qps, 1e-9);
	cr_assert_float_eq(m->confidence, r->confidence, 0);
	cr_assert_str_eq(m->started_at, r->started_at);
	cr_assert_eq(m->n_series, r->n_series);
	for (size_t i = 0; i < m->n_series; i++) {
		const weft_pipelines_series *s = &m->series[i], *o = &r->series[i];
		cr_assert_str_eq(s->name, o->name);
		cr_assert_eq(s->is_e2e, o->is_e2e);
		cr_assert_eq(s->count, o->count);
		cr_assert_float_eq(s->min_ms, o->min_ms, 0);
		cr_assert_float_eq(s->max_ms, o->max_ms, 0);
		cr_assert_float_eq(s->mean_ms, o->mean_ms, 1e-12 * o->mean_ms);
		cr_assert_float_eq(s->sd_ms, o->sd_ms, 1e-9 * o->sd_ms);
		cr_assert_float_eq(s->warmup_mean_ms, o->warmup_mean_ms, 1e-9 * o->warmup_mean_ms);
		for (size_t p = 0; p < WEFT_PIPELINES_N_PCTL; p++) {
			/* the run's own percentile is an exact sample: the merged one is in its bucket */
			assert_near_order_stat(s->pctl[p].value_ms, (uint64_t)llround(o->pctl[p].value_ms * 1e6),
					       o->pctl[p].label);
			cr_assert_eq(s->pctl[p].lo_rank, o->pctl[p].lo_rank);
			cr_assert_eq(s->pctl[p].hi_rank, o->pctl[p].hi_rank);
		}
		cr_assert_eq(s->n_checks, o->n_checks);
		for (size_t c = 0; c < s->n_checks; c++) {
			cr_assert_str_eq(s->checks[c].budget.label, o->checks[c].budget.label);
			cr_assert_eq(s->checks[c].verdict, o->checks[c].verdict);
		}
	}
	cr_assert_eq(m->error_verdict, r->error_verdict);
	cr_assert_eq(m->n_met, r->n_met);
	cr_assert_eq(m->n_broken, r->n_broken);
	cr_assert_eq(m->n_inconclusive, r->n_inconclusive);
	free(text);
	weft_pipelines_result_free(r);
	weft_pipelines_result_free(m);
}

/* ---- errors and http phases ------------------------------------------------------- */

static weft_pipelines_result *run_http(int port, const char *path)
{
	char text[1024];
	snprintf(text, sizeof text,
		 "pipeline: h\nstages:\n  - name: api\n    http: {url: 'http://127.0.0.1:%d%s', timeout: 500ms}\n"
		 "    budget: {p50: 1s}\n"
		 "budget: {error_rate: 50%%}\n"
		 "load: {scenario: concurrency, concurrency: 2, duration: 100ms, min_queries: 20, warmup: 1}\n",
		 port, path);
	return run_text(text);
}

typedef struct {
	char text[80];
	uint64_t count;
} kind_sum;

Test(merge, errors_and_their_kinds_add)
{
	weft_test_httpd *srv;
	cr_assert_eq(weft_test_httpd_start(&srv, 0), 0);
	int port = weft_test_httpd_port(srv);
	weft_pipelines_result *r[4] = { run_http(port, "/ok"), run_http(port, "/ok"), run_http(port, "/status/503"),
					run_http(weft_test_refused_port(), "/") };
	weft_test_httpd_stop(srv);
	char *texts[4];
	for (int i = 0; i < 4; i++)
		texts[i] = render(r[i], WEFT_REPORT_JSON);
	weft_pipelines_result *m = merge_texts(texts, 4);
	/* the sums, here */
	uint64_t measured = 0, errors = 0, api_errors = 0;
	kind_sum kinds[16];
	size_t nk = 0;
	for (int i = 0; i < 4; i++) {
		measured += r[i]->measured;
		errors += r[i]->errors;
		const weft_pipelines_series *api = weft_pipelines_result_series(r[i], "api");
		api_errors += api->errors;
		for (size_t k = 0; k < api->n_error_kinds; k++) {
			size_t j = 0;
			while (j < nk && strcmp(kinds[j].text, api->error_kinds[k].error))
				j++;
			if (j == nk) {
				cr_assert_lt(nk, 16);
				snprintf(kinds[nk].text, sizeof kinds[nk].text, "%s", api->error_kinds[k].error);
				kinds[nk++].count = 0;
			}
			kinds[j].count += api->error_kinds[k].count;
		}
	}
	cr_assert_gt(r[2]->errors, 0);
	cr_assert_gt(r[3]->errors, 0);
	cr_assert_eq(m->measured, measured);
	cr_assert_eq(m->errors, errors);
	const weft_pipelines_series *api = weft_pipelines_result_series(m, "api");
	cr_assert_eq(api->errors, api_errors);
	cr_assert_eq(weft_pipelines_result_series(m, "end-to-end")->errors, errors);
	cr_assert_eq(api->n_error_kinds, nk);
	cr_assert_geq(nk, 2, "http 503 and connection refused");
	for (size_t j = 0; j < nk; j++) {
		size_t k = 0;
		while (k < api->n_error_kinds && strcmp(api->error_kinds[k].error, kinds[j].text))
			k++;
		cr_assert_lt(k, api->n_error_kinds, "kind '%s' kept", kinds[j].text);
		cr_assert_eq(api->error_kinds[k].count, kinds[j].count, "%s", kinds[j].text);
	}
	/* the error rate judged again: 50% allowed, Clopper-Pearson at 95% */
	cr_assert(m->has_error_budget);
	cr_assert_float_eq(m->error_budget, 0.5, 1e-12);
	cr_assert_float_eq(m->error_rate, (double)errors / (double)measured, 1e-12);
	double lo, hi;
	cr_assert_eq(weft_pipelines_proportion_ci(&lo, &hi, errors, measured, 0.95), 0);
	weft_pipelines_verdict want = lo > 0.5 ? WEFT_VERDICT_BROKEN : hi <= 0.5 ? WEFT_VERDICT_MET : WEFT_VERDICT_INCONCLUSIVE;
	cr_assert_eq(m->error_verdict, want, "%llu errors of %llu", (unsigned long long)errors,
		     (unsigned long long)measured);
	/* each http phase's histogram is the sum of theirs (a phase no query
	 * went through is not reported) */
	size_t timed = 0;
	for (size_t q = 0; q < r[0]->series[0].n_phases; q++) {
		const char *name = r[0]->series[0].phases[q].name;
		uint64_t sum = 0;
		for (int i = 0; i < 4; i++)
			for (size_t k = 0; k < r[i]->series[0].n_phases; k++)
				if (!strcmp(r[i]->series[0].phases[k].name, name))
					sum += weft_pipelines_hist_count(r[i]->series[0].phases[k].hist);
		if (!sum)
			continue;
		timed++;
		size_t p = 0;
		while (p < api->n_phases && strcmp(api->phases[p].name, name))
			p++;
		cr_assert_lt(p, api->n_phases, "phase %s kept", name);
		cr_assert_eq(weft_pipelines_hist_count(api->phases[p].hist), sum, "phase %s", name);
	}
	cr_assert_geq(timed, 2, "the server and transfer phases at least");
	cr_assert_eq(api->n_phases, timed);
	for (int i = 0; i < 4; i++) {
		free(texts[i]);
		weft_pipelines_result_free(r[i]);
	}
	weft_pipelines_result_free(m);
}

Test(merge, reports_and_merged_result_validate_against_the_schema)
{
	weft_test_require_validator();
	weft_test_httpd *srv;
	cr_assert_eq(weft_test_httpd_start(&srv, 0), 0);
	weft_pipelines_result *r[2] = { run_http(weft_test_httpd_port(srv), "/ok"),
					run_http(weft_test_httpd_port(srv), "/status/503") };
	weft_test_httpd_stop(srv);
	r[0]->load.shard_index = 0;
	r[0]->load.shard_count = 2;
	r[1]->load.shard_index = 1;
	r[1]->load.shard_count = 2;
	char *texts[2] = { render(r[0], WEFT_REPORT_JSON), render(r[1], WEFT_REPORT_JSON) };
	char *errs = NULL;
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(weft_test_schema_check(SCHEMA, texts[i], &errs), 0, "%s", errs);
		free(errs);
	}
	/* the phases carry their buckets, the load its shard */
	cJSON *doc = cJSON_Parse(texts[0]);
	const cJSON *ph = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "series"), 0),
								 "phases"), 0);
	cr_assert(cJSON_IsArray(cJSON_GetObjectItem(cJSON_GetObjectItem(ph, "histogram"), "buckets")));
	const cJSON *sh = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "load"), "shard");
	cr_assert_eq(cJSON_GetObjectItem(sh, "count")->valueint, 2);
	cJSON_Delete(doc);
	weft_pipelines_result *m = merge_texts(texts, 2);
	cr_assert_eq(m->n_notes, 0, "%s", m->n_notes ? m->notes[0] : "");
	char *out = render(m, WEFT_REPORT_JSON);
	cr_assert_eq(weft_test_schema_check(SCHEMA, out, &errs), 0, "%s", errs);
	free(errs);
	doc = cJSON_Parse(out);
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "load"), "shard")), "a whole run");
	cJSON_Delete(doc);
	free(out);
	for (int i = 0; i < 2; i++) {
		free(texts[i]);
		weft_pipelines_result_free(r[i]);
	}
	weft_pipelines_result_free(m);
}

/* ---- shards ----------------------------------------------------------------------- */

static weft_pipelines_result *small_run(void)
{
	return run_text("pipeline: sh\nstages: [{name: s, delay: 20us, budget: {p50: 1s}}]\n"
			"load: {scenario: single-stream, duration: 1ms, min_queries: 30, warmup: 1, seed: 7}\n");
}

/* r's report as shard i of n (n 0: a whole run). */
static char *as_shard(weft_pipelines_result *r, uint32_t i, uint32_t n)
{
	r->load.shard_index = i;
	r->load.shard_count = n;
	return render(r, WEFT_REPORT_JSON);
}

static bool has_note(const weft_pipelines_result *m, const char *part)
{
	for (size_t i = 0; i < m->n_notes; i++)
		if (strstr(m->notes[i], part))
			return true;
	return false;
}

static void free_all(char **t, size_t n, weft_pipelines_result *m)
{
	for (size_t i = 0; i < n; i++)
		free(t[i]);
	weft_pipelines_result_free(m);
}

Test(merge, shards_that_add_up_and_ones_that_do_not)
{
	weft_pipelines_result *r = small_run();
	/* 0, 1, 2 of 3 (one schedule, one seed): nothing to say */
	char *t[3] = { as_shard(r, 0, 3), as_shard(r, 1, 3), as_shard(r, 2, 3) };
	cr_assert(strstr(t[1], "\"shard\":\t{\n\t\t\t\"index\":\t1,\n\t\t\t\"count\":\t3\n\t\t}"), "%.900s", t[1]);
	weft_pipelines_result *m = merge_texts(t, 3);
	cr_assert_eq(m->n_notes, 0, "%s", m->n_notes ? m->notes[0] : "");
	cr_assert_eq(m->measured, 3 * r->measured);
	cr_assert_eq(m->load.shard_count, 0, "the merged run is whole");
	cr_assert_eq(m->load.shard_index, 0);
	free_all(t, 3, m);
	/* shard 1 twice, 2 missing */
	char *u[3] = { as_shard(r, 0, 3), as_shard(r, 1, 3), as_shard(r, 1, 3) };
	m = merge_texts(u, 3);
	cr_assert(has_note(m, "Shard 1/3 is given more than once"), "%s", m->n_notes ? m->notes[0] : "");
	cr_assert(has_note(m, "1 of the 3 shards is missing (2/3)"), "%s", m->n_notes > 1 ? m->notes[1] : "");
	cr_assert_eq(m->n_notes, 2);
	free_all(u, 3, m);
	/* shard 1 missing */
	char *w[2] = { as_shard(r, 0, 3), as_shard(r, 2, 3) };
	m = merge_texts(w, 2);
	cr_assert_eq(m->n_notes, 1);
	cr_assert(has_note(m, "1 of the 3 shards is missing (1/3)"), "%s", m->notes[0]);
	free_all(w, 2, m);
	/* shards of different splits, or a whole run among shards */
	char *x[2] = { as_shard(r, 0, 2), as_shard(r, 1, 3) };
	m = merge_texts(x, 2);
	cr_assert(has_note(m, "r0.json is shard 0/2, r1.json shard 1/3"), "%s", m->n_notes ? m->notes[0] : "");
	free_all(x, 2, m);
	char *y[2] = { as_shard(r, 0, 2), as_shard(r, 0, 0) };
	m = merge_texts(y, 2);
	cr_assert(has_note(m, "r1.json a whole run"), "%s", m->n_notes ? m->notes[0] : "");
	free_all(y, 2, m);
	/* two whole runs with one seed: the same schedule twice */
	char *z[2] = { as_shard(r, 0, 0), as_shard(r, 0, 0) };
	m = merge_texts(z, 2);
	cr_assert_eq(m->n_notes, 1);
	cr_assert(has_note(m, "r0.json and r1.json ran with the same seed (7)"), "%s", m->notes[0]);
	free_all(z, 2, m);
	weft_pipelines_result_free(r);
}

Test(merge, the_batch_window_is_judged_again)
{
	weft_pipelines_result *r[2];
	char *t[2];
	for (int i = 0; i < 2; i++) {
		r[i] = run_text("pipeline: off\nstages: [{name: s, delay: 50us}]\n"
				"load: {scenario: offline, concurrency: 2, rows: 100000, window: 1h, rows_per_query: 4,\n"
				"       duration: 1ms, min_queries: 200, warmup: 0}\n");
		t[i] = as_shard(r[i], (uint32_t)i, 2);
	}
	weft_pipelines_result *m = merge_texts(t, 2);
	cr_assert(m->has_window);
	cr_assert_eq(m->load.rows, 100000);
	cr_assert_eq(m->load.rows_per_query, 4);
	/* both shards work side by side: their rows per second add */
	double rows_per_s = 4.0 * (r[0]->throughput_qps + r[1]->throughput_qps);
	cr_assert_float_eq(m->rows_per_s, rows_per_s, 1e-9 * rows_per_s);
	cr_assert_float_eq(m->projected_ms, 100000.0 / rows_per_s * 1e3, 1e-9 * m->projected_ms);
	cr_assert_leq(m->projected_lo_ms, m->projected_ms);
	cr_assert_geq(m->projected_hi_ms, m->projected_ms);
	cr_assert_eq(m->window_verdict, WEFT_VERDICT_MET, "%g ms projected for a 1 h window", m->projected_ms);
	cr_assert_eq(m->n_met + m->n_broken + m->n_inconclusive, 2, "the error rate and the window");
	free_all(t, 2, m);
	for (int i = 0; i < 2; i++)
		weft_pipelines_result_free(r[i]);
}

/* ---- refusals ----------------------------------------------------------------------- */

Test(merge, files_are_read_and_a_missing_one_named)
{
	weft_pipelines_result *r = small_run();
	char *text = render(r, WEFT_REPORT_JSON);
	char paths[2][64];
	for (int i = 0; i < 2; i++) {
		snprintf(paths[i], sizeof paths[i], "/tmp/weft-merge-test-%d-%d.json", (int)getpid(), i);
		FILE *f = fopen(paths[i], "w");
		cr_assert_not_null(f);
		fputs(text, f);
		fclose(f);
	}
	const char *p[2] = { paths[0], paths[1] };
	weft_pipelines_result *m = NULL;
	cr_assert_eq(weft_pipelines_result_merge(&m, p, 2, d), 0);
	cr_assert_eq(m->measured, 2 * r->measured);
	weft_pipelines_result_free(m);
	remove(paths[1]);
	weft_diags_clear(d);
	cr_assert_neq(weft_pipelines_result_merge(&m, p, 2, d), 0);
	cr_assert_null(m);
	char *e = diags_text();
	cr_assert(strstr(e, paths[1]), "%s", e);
	free(e);
	remove(paths[0]);
	free(text);
	weft_pipelines_result_free(r);
}


/* text with the first occurrence of from replaced by to (malloc'd). */
static char *replaced(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	cr_assert_not_null(at, "'%s' not in %.300s", from, text);
	size_t a = (size_t)(at - text), lf = strlen(from), lt = strlen(to);
	char *out = malloc(strlen(text) - lf + lt + 1);
	memcpy(out, text, a);
	memcpy(out + a, to, lt);
	strcpy(out + a + lt, at + lf);
	return out;
}

Test(merge, other_pipelines_and_other_budgets_are_refused)
{
	weft_pipelines_result *r = small_run();
	char *good = render(r, WEFT_REPORT_JSON);
	char *other = replaced(good, "\"name\":\t\"sh\"", "\"name\":\t\"other\"");
	const char *t1[2] = { good, other };
	char *e = refusal(t1, 2);
	cr_assert(strstr(e, "b.json:6:11: error: this report is of pipeline 'other', a.json is of 'sh'"), "%s", e);
	free(e);
	char *budget = replaced(good, "\"limit_ms\":\t1000", "\"limit_ms\":\t999");
	const char *t2[2] = { good, budget };
	e = refusal(t2, 2);
	cr_assert(strstr(e, "b.json:") && strstr(e, ": error: this report has other budgets than a.json"), "%s", e);
	free(e);
	char *eb = replaced(good, "\"budget_set\":\tfalse", "\"budget_set\":\ttrue");
	const char *t3[2] = { good, eb };
	e = refusal(t3, 2);
	cr_assert(strstr(e, "error: this report has another error budget than a.json"), "%s", e);
	free(e);
	free(good);
	free(other);
	free(budget);
	free(eb);
	weft_pipelines_result_free(r);
}

/* The smallest report the merge accepts, with buckets B. */
#define MINI(B)                                                                                      \
	"{\"format\": \"weft-bench-report\",\n"                                                      \
	" \"pipeline\": {\"name\": \"mini\"},\n"                                                     \
	" \"load\": {\"scenario\": \"concurrency\", \"seed\": 1},\n"                                 \
	" \"confidence\": 0.95,\n"                                                                   \
	" \"harness\": {\"workers\": 1},\n"                                                          \
	" \"queries\": {\"measured\": 2, \"errors\": 0, \"dropped\": 0, \"warmup\": 0},\n"           \
	" \"error_rate\": {\"budget\": 0, \"budget_set\": false},\n"                                 \
	" \"series\": [\n"                                                                           \
	"  {\"name\": \"end-to-end\", \"kind\": \"end-to-end\", \"count\": 2, \"errors\": 0,\n"      \
	"   \"budgets\": [], \"histogram\": {\"buckets\": " B "}}]}\n"

Test(merge, malformed_reports_are_refused_where_they_are_wrong)
{
	/* the smallest report merges (no mean, min or max: the histogram's) */
	char *mini = strdup(MINI("[[5000, 1], [7000, 1]]"));
	weft_pipelines_result *m = merge_texts(&mini, 1);
	cr_assert_eq(m->series[0].count, 2);
	cr_assert_float_eq(m->series[0].max_ms, 0.007, 1e-12);
	weft_pipelines_result_free(m);
	free(mini);
	static const struct {
		const char *text, *want;
	} bad[] = {
		{ MINI("[[5000, 1], [-7, 1]]"),
		  "a.json:10:56: error: not a weft bench report: histogram bucket 1 of series 'end-to-end' is not "
		  "[value_ns, count] with both >= 0" },
		{ MINI("[[5000, 1], [7000, 2]]"),
		  "a.json:9:57: error: not a weft bench report: series 'end-to-end' counts 2 queries, its histogram 3" },
		{ "{\"format\": \"weft-bench-report\",\n \"series\": [1, }", "a.json:2:16: error: not valid JSON" },
		{ "{\"format\": \"weft-bench-report\", \"pipeline\": {\"name\": \"x\"}}",
		  "a.json:1:1: error: not a weft bench report: no \"series\" array" },
		{ "[1, 2]", "a.json:1:1: error: not a weft bench report: no \"format\": \"weft-bench-report\"" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char *e = refusal(&bad[i].text, 1);
		cr_assert(strstr(e, bad[i].want), "%zu: %s", i, e);
		free(e);
	}
	/* a report without a series the first one has */
	weft_pipelines_result *r = small_run();
	char *good = render(r, WEFT_REPORT_JSON);
	cJSON *doc = cJSON_Parse(good);
	cJSON_DeleteItemFromArray(cJSON_GetObjectItem(doc, "series"), 0);
	char *fewer = cJSON_Print(doc);
	cJSON_Delete(doc);
	const char *t[2] = { good, fewer };
	char *e = refusal(t, 2);
	const char *at = strstr(fewer, "\"series\":\t[");
	int line = 1;
	for (const char *p = fewer; p < at; p++)
		line += *p == '\n';
	char want[96];
	snprintf(want, sizeof want, "b.json:%d:12: error: this report has other stages than a.json", line);
	cr_assert(strstr(e, want), "%s wanted in %s", want, e);
	free(e);
	free(good);
	free(fewer);
	weft_pipelines_result_free(r);
}
