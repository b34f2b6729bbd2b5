/* test_pipelines_load.c - the load generator's timing does not lie.
 *
 * The coordinated-omission test: a stage with a known service time (a fixed
 * 4 ms delay) behind one worker. Offered 500 queries per second (twice its
 * capacity) in the server scenario, every query waits behind the ones
 * before it, and since latency counts from the scheduled send time the
 * percentiles must show that queueing (the n-th query waits about n x 2 ms);
 * the same stage run closed loop (the next query when the previous one
 * completes) must not. Then: warm-up queries are excluded, a run extends
 * itself to decide an inconclusive budget, verdicts, offline windows, and
 * the histogram-only mode.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "load_int.h"
#include "weft_pipelines.h"

static weft_diags *d;
static void setup(void)
{
	weft_diags_new(&d);
}
static void teardown(void)
{
	for (size_t i = 0; i < weft_diags_count(d); i++)
		cr_log_info("%s", weft_diags_get(d, i)->message);
	weft_diags_free(d);
}
TestSuite(load, .init = setup, .fini = teardown, .timeout = 60);

static weft_pipelines_result *run_text(const char *text, uint64_t max_samples)
{
	weft_pipelines_spec *s = NULL;
	cr_assert_eq(weft_pipelines_spec_load_buffer(&s, "t.yaml", ".", text, strlen(text), d), 0);
	weft_pipelines_result *r = NULL;
	weft_pipelines_run_opts o = { .max_samples = max_samples };
	cr_assert_eq(weft_pipelines_run(&r, s, &o, d), 0);
	weft_pipelines_spec_free(s);
	return r;
}

static const weft_pipelines_series *series(const weft_pipelines_result *r, const char *name)
{
	const weft_pipelines_series *s = weft_pipelines_result_series(r, name);
	cr_assert_not_null(s, "no series %s", name);
	return s;
}

Test(load, server_above_capacity_shows_queueing)
{
	weft_pipelines_result *r = run_text("pipeline: co\nstages: [{name: svc, delay: 4ms}]\n"
					    "load: {scenario: server, rate: 500, concurrency: 1, duration: 600ms,\n"
					    "       min_queries: 0, warmup: 0, seed: 5}\n",
					    0);
	const weft_pipelines_series *svc = series(r, "svc"), *e2e = series(r, "end-to-end");
	/* about 300 queries scheduled over 0.6 s; served at 250/s they finish ~1.2 s */
	cr_assert_gt(r->measured, 200);
	cr_assert_eq(r->errors, 0);
	/* the stage itself still takes its 4 ms... */
	cr_assert_lt(svc->pctl[0].value_ms, 8.0, "stage p50 %g ms", svc->pctl[0].value_ms);
	/* ...but the query, counted from its scheduled time, carries the queue:
	 * the median query waited behind ~150 others, about 150 x 2 ms */
	double p50 = e2e->pctl[0].value_ms, p90 = e2e->pctl[1].value_ms;
	cr_assert_gt(p50, 100.0, "end-to-end p50 %g ms hides the queueing", p50);
	/* the queue grows through the run: ~2 ms more wait per query, so the
	 * 90th-percentile query waited ~120 queries (~240 ms) longer than the
	 * median one. A difference, not a ratio: a loaded machine slows the
	 * stage and lifts both percentiles alike, which moved a ratio below
	 * 1.5 (p50 574, p90 814 ms seen) while the growth stayed ~240 ms; a
	 * queue that does not grow keeps them within milliseconds. */
	cr_assert_gt(p90 - p50, 100.0, "the queue grows: p90 %g vs p50 %g", p90, p50);
	cr_assert_gt(r->late_count, r->measured / 2, "late sends are reported");
	cr_assert_gt(r->late_max_ms, 200.0);
	/* and put down to the one busy worker, not to the harness's wake-up */
	cr_assert_gt(r->late_busy, r->late_count * 9 / 10, "%llu of %llu", (unsigned long long)r->late_busy,
		     (unsigned long long)r->late_count);
	cr_assert_eq(r->late_busy + r->late_wakeup, r->late_count);
	bool said = false;
	for (size_t i = 0; i < r->n_notes; i++)
		said |= strstr(r->notes[i], "waited for a free worker (all 1 were busy") != NULL;
	cr_assert(said, "the note names the cause");
	weft_pipelines_result_free(r);
}

Test(load, a_late_send_is_put_down_to_its_cause)
{
	uint64_t wake, ms = 1000000;
	/* due at 10 ms, a worker free at 5 ms (sleeping), sent at 10.2 ms: on time */
	cr_assert_eq(weft_pl_late_cause(10 * ms, 5 * ms, 10 * ms + ms / 5, ms, &wake), WEFT_PL_ON_TIME);
	cr_assert_eq(wake, ms / 5);
	/* the same worker woke 3 ms late: the harness's own delay */
	cr_assert_eq(weft_pl_late_cause(10 * ms, 5 * ms, 13 * ms, ms, &wake), WEFT_PL_LATE_WAKEUP);
	cr_assert_eq(wake, 3 * ms);
	/* no worker free until 14 ms, sent at once: queueing */
	cr_assert_eq(weft_pl_late_cause(10 * ms, 14 * ms, 14 * ms + 10, ms, &wake), WEFT_PL_LATE_BUSY);
	cr_assert_eq(wake, 10);
	/* free at 12 ms, then 5 ms more to wake: the larger part decides */
	cr_assert_eq(weft_pl_late_cause(10 * ms, 12 * ms, 17 * ms, ms, &wake), WEFT_PL_LATE_WAKEUP);
	cr_assert_eq(wake, 5 * ms);
	/* sent before it was due (a closed loop): on time, no delay */
	cr_assert_eq(weft_pl_late_cause(10 * ms, 2 * ms, 3 * ms, ms, &wake), WEFT_PL_ON_TIME);
}

Test(load, closed_loop_same_stage_shows_none)
{
	weft_pipelines_result *r = run_text("pipeline: co\nstages: [{name: svc, delay: 4ms}]\n"
					    "load: {scenario: concurrency, concurrency: 1, duration: 500ms,\n"
					    "       min_queries: 0, warmup: 0}\n",
					    0);
	const weft_pipelines_series *e2e = series(r, "end-to-end");
	cr_assert_gt(r->measured, 50);
	cr_assert_lt(e2e->pctl[0].value_ms, 8.0, "closed-loop p50 %g ms", e2e->pctl[0].value_ms);
	cr_assert_geq(e2e->pctl[0].value_ms, 4.0, "a 4 ms delay lasts at least 4 ms");
	cr_assert_eq(r->late_count, 0);
	weft_pipelines_result_free(r);
}

Test(load, server_below_capacity_adds_little)
{
	weft_pipelines_result *r = run_text("pipeline: co\nstages: [{name: svc, delay: 4ms}]\n"
					    "load: {scenario: server, rate: 40, concurrency: 1, duration: 1s,\n"
					    "       min_queries: 0, warmup: 0, seed: 3}\n",
					    0);
	/* utilisation 16%: most queries find the worker free */
	cr_assert_lt(series(r, "end-to-end")->pctl[0].value_ms, 8.0);
	cr_assert_gt(r->measured, 20);
	weft_pipelines_result_free(r);
}

Test(load, warmup_excluded_and_min_queries_met)
{
	weft_pipelines_result *r = run_text("pipeline: w\nstages: [{name: a, delay: 200us}]\n"
					    "load: {scenario: single-stream, duration: 10ms, min_queries: 60, warmup: 7}\n",
					    0);
	cr_assert_eq(r->warmup_done, 7);
	cr_assert_geq(r->measured, 60);
	cr_assert_eq(series(r, "a")->count, r->measured);
	cr_assert(series(r, "a")->exact);
	cr_assert_eq(series(r, "a")->n_samples, r->measured);
	weft_pipelines_result_free(r);
}

Test(load, extends_itself_to_decide)
{
	/* 50 queries cannot bound a p99 (368 are needed at 95%): the run extends */
	weft_pipelines_result *r = run_text("pipeline: x\nstages: [{name: a, delay: 100us, budget: {p99: 500ms}}]\n"
					    "load: {scenario: single-stream, duration: 5ms, max_duration: 20s,\n"
					    "       min_queries: 50, warmup: 0}\n",
					    0);
	const weft_pipelines_series *a = series(r, "a");
	cr_assert_geq(r->extensions, 1);
	cr_assert_geq(a->count, 368);
	cr_assert_eq(a->checks[0].verdict, WEFT_VERDICT_MET);
	cr_assert_eq(weft_pipelines_result_gate(r, false), 0);
	weft_pipelines_result_free(r);
}

Test(load, inconclusive_without_extension_says_how_many_more)
{
	weft_pipelines_result *r = run_text("pipeline: x\nstages: [{name: a, delay: 100us, budget: {p99: 500ms}}]\n"
					    "load: {scenario: single-stream, duration: 5ms, min_queries: 100, warmup: 0}\n",
					    0);
	const weft_pipelines_check *c = &series(r, "a")->checks[0];
	cr_assert_eq(c->verdict, WEFT_VERDICT_INCONCLUSIVE);
	cr_assert_eq(c->over, 0);
	/* with none over: 368 in all at 95% two-sided (0.99^368 <= 0.025) */
	cr_assert_eq(c->need_more + series(r, "a")->count, 368);
	cr_assert_eq(weft_pipelines_result_gate(r, false), WEFT_EGATE);
	cr_assert_eq(weft_pipelines_result_gate(r, true), 0);
	weft_pipelines_result_free(r);
}

Test(load, broken_budget_and_end_to_end)
{
	weft_pipelines_result *r = run_text("pipeline: b\nstages:\n"
					    "  - {name: a, delay: 3ms, budget: {p50: 1ms}}\n"
					    "  - {name: b, delay: 1ms, budget: {p50: 50ms}}\n"
					    "budget: {end_to_end: {p50: 2ms}}\n"
					    "load: {scenario: single-stream, duration: 10ms, min_queries: 30, warmup: 0}\n",
					    0);
	cr_assert_eq(series(r, "a")->checks[0].verdict, WEFT_VERDICT_BROKEN);
	cr_assert_eq(series(r, "b")->checks[0].verdict, WEFT_VERDICT_MET);
	const weft_pipelines_series *e = series(r, "end-to-end");
	cr_assert_eq(e->checks[0].verdict, WEFT_VERDICT_BROKEN);
	/* the same queries: every end-to-end latency covers both stages */
	cr_assert_geq(e->min_ms, series(r, "a")->min_ms + series(r, "b")->min_ms);
	cr_assert_eq(e->count, series(r, "a")->count);
	cr_assert_eq(r->n_broken, 2);
	cr_assert_eq(weft_pipelines_result_gate(r, true), WEFT_EGATE);
	weft_pipelines_result_free(r);
}

Test(load, offline_window)
{
	/* 2 workers x 1 ms per 100-row query: about 200,000 rows/s at best; the
	 * job is sized up front (offline issues every query at once), here 600 */
	weft_pipelines_result *r = run_text("pipeline: o\nstages: [{name: a, delay: 1ms}]\n"
					    "load: {scenario: offline, concurrency: 2, duration: 300ms, warmup: 0,\n"
					    "       min_queries: 600, rows: 1000000, window: 1h, rows_per_query: 100}\n",
					    0);
	cr_assert(r->has_window);
	cr_assert_eq(r->window_verdict, WEFT_VERDICT_MET);
	cr_assert_gt(r->rows_per_s, 20000.0);
	cr_assert_leq(r->rows_per_s, 2 * 100 * 1000.0 * 1.01, "cannot beat 2 workers x 1 ms");
	cr_assert_float_eq(r->projected_ms, 1e6 / r->rows_per_s * 1e3, 1e-6 * r->projected_ms);
	weft_pipelines_result_free(r);
	r = run_text("pipeline: o\nstages: [{name: a, delay: 1ms}]\n"
		     "load: {scenario: offline, concurrency: 2, duration: 300ms, warmup: 0,\n"
		     "       min_queries: 600, rows: 1000000, window: 1s, rows_per_query: 100}\n",
		     0);
	/* at most 200,000 rows/s: a million rows need at least 5 s */
	cr_assert_eq(r->window_verdict, WEFT_VERDICT_BROKEN);
	weft_pipelines_result_free(r);
}

Test(load, histogram_only_beyond_the_sample_cap)
{
	weft_pipelines_result *r = run_text("pipeline: h\nstages: [{name: a, delay: 100us}]\n"
					    "load: {scenario: single-stream, duration: 5ms, min_queries: 300, warmup: 0}\n",
					    50);
	const weft_pipelines_series *a = series(r, "a");
	cr_assert(!a->exact);
	cr_assert_geq(a->count, 300);
	cr_assert_geq(a->pctl[0].value_ms, 0.1 * 0.999);
	bool noted = false;
	for (size_t i = 0; i < r->n_notes; i++)
		noted |= strstr(r->notes[i], "histogram") != NULL;
	cr_assert(noted);
	weft_pipelines_result_free(r);
}

/* ---- drift: first vs last tenth, behind a Mann-Whitney test ------------------------ */

/* n latencies around base_ns (+-5% uniform noise); the last tenth scaled by last */
static uint64_t *drift_series(size_t n, double base_ns, double first, double last, uint64_t seed)
{
	uint64_t *v = malloc(n * sizeof *v);
	cr_assert_not_null(v);
	for (size_t i = 0; i < n; i++) {
		double f = i < n / 10 ? first : i >= n - n / 10 ? last : 1.0;
		v[i] = (uint64_t)(base_ns * f * (0.95 + 0.1 * weft_pipelines_rng_uniform(&seed)));
	}
	return v;
}

Test(load, drift_noise_only_is_quiet)
{
	for (uint64_t seed = 1; seed <= 50; seed++) {
		uint64_t *v = drift_series(1000, 10e6, 1.0, 1.0, seed);
		double change, p;
		cr_assert_not(weft_pl_drift(v, 1000, 0.95, &change, &p), "seed %llu: %.3f p=%.3g",
			      (unsigned long long)seed, change, p);
		cr_assert_lt(fabs(change), 0.05);
		free(v);
	}
	/* heavy noise (lognormal-like spread) and no trend: also quiet at 99% */
	uint64_t seed = 7;
	uint64_t v[2000];
	for (size_t i = 0; i < 2000; i++)
		v[i] = (uint64_t)(1e6 * exp(1.5 * weft_pl_normal_quantile(0.001 + 0.998 * weft_pipelines_rng_uniform(&seed))));
	double change, p;
	cr_assert_not(weft_pl_drift(v, 2000, 0.99, &change, &p), "%.3f p=%.3g", change, p);
}

Test(load, drift_of_half_is_reported_as_fifty_percent)
{
	uint64_t *v = drift_series(1000, 10e6, 1.0, 1.5, 3);
	double change, p;
	cr_assert(weft_pl_drift(v, 1000, 0.95, &change, &p));
	cr_assert_float_eq(change, 0.50, 0.03, "%.3f", change);
	cr_assert_lt(p, 0.001);
	/* too few samples: not computed */
	cr_assert_not(weft_pl_drift(v, 39, 0.95, &change, &p));
	cr_assert(isnan(change));
	free(v);
}

Test(load, drift_relative_to_the_first_tenth_not_the_median)
{
	/* first tenth 50 ms, the bulk 20 ms, last tenth 25.2 ms: the old formula,
	 * (last - first) / whole-run median, said -124%; the change is -49.6% */
	uint64_t v[1000];
	for (size_t i = 0; i < 1000; i++)
		v[i] = i < 100 ? 50000000 + i : i >= 900 ? 25200000 + i : 20000000 + i;
	double change, p;
	cr_assert(weft_pl_drift(v, 1000, 0.95, &change, &p));
	cr_assert_float_eq(change, -0.496, 0.001, "%.4f", change);
	cr_assert_geq(change, -1.0);
	/* significant but under 10%: no note */
	for (size_t i = 900; i < 1000; i++)
		v[i] = 53000000 + i;
	cr_assert_not(weft_pl_drift(v, 1000, 0.95, &change, &p));
	cr_assert_float_eq(change, 0.06, 0.001);
}

/* The note's wording, through weft_pl_finish_notes on a hand-built run. */
Test(load, drift_note_wording)
{
	uint64_t *v = drift_series(400, 10e6, 1.0, 1.35, 11);
	weft_pl_worker w;
	memset(&w, 0, sizeof w);
	/* one chunk of kept rows: the indexes, then 2 series' ns per row */
	static uint64_t chunk[WEFT_PL_ROW_CHUNK * 3];
	uint64_t *chunks[1] = { chunk };
	for (size_t i = 0; i < 400; i++) {
		chunk[i] = 399 - i; /* stored in any order: the note sorts by send order */
		chunk[WEFT_PL_ROW_CHUNK + 2 * i] = chunk[WEFT_PL_ROW_CHUNK + 2 * i + 1] = v[399 - i];
	}
	w.row_chunks = chunks;
	w.n_chunks = 1;
	w.n_rows = 400;
	weft_pl_run r;
	memset(&r, 0, sizeof r);
	r.workers = &w;
	r.n_workers = 1;
	r.n_stages = 1;
	r.ns_count = 2;
	r.load.scenario = WEFT_SCENARIO_CONCURRENCY;
	weft_pipelines_result *res = calloc(1, sizeof *res);
	res->confidence = 0.95;
	res->measured = 400;
	res->n_series = 2;
	res->series = calloc(2, sizeof *res->series);
	for (size_t i = 0; i < 2; i++) {
		weft_pipelines_series *s = &res->series[i];
		s->name = strdup(i ? "end-to-end" : "svc");
		s->is_e2e = i == 1;
		cr_assert_eq(weft_pipelines_hist_new(&s->hist), 0);
		s->exact = true;
		s->n_samples = 400;
		s->warmup_mean_ms = NAN;
		double p;
		weft_pl_drift(v, 400, 0.95, &s->drift, &p);
	}
	weft_pl_finish_notes(res, &r);
	cr_assert_eq(res->n_notes, 2);
	cr_assert(strstr(res->notes[0], "svc: latency rose 3"), "%s", res->notes[0]);
	cr_assert(strstr(res->notes[0], "% from the first to the last tenth of the run (p < 0.001; ") ||
			  strstr(res->notes[0], "% from the first to the last tenth of the run (p = 0."),
		  "%s", res->notes[0]);
	cr_assert_null(strstr(res->notes[0], "e-"), "no exponent: %s", res->notes[0]);
	double pct;
	cr_assert_eq(sscanf(strstr(res->notes[0], "rose ") + 5, "%lf", &pct), 1);
	cr_assert_float_eq(pct, 35.0, 2.0);
	weft_pipelines_result_free(res);
	free(v);
}
