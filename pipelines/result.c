/* result.c - from recorded latencies to percentiles, intervals and verdicts.
 *
 * Design: per-stage and end-to-end statistics come from the same queries
 * (each sample row holds every stage of one query), and nothing is ever
 * summed across stages: percentiles do not add. Order statistics come from
 * the exact samples while the run kept them all, else from the histogram
 * (within 0.1%). Each budget's verdict is the gate rule applied to the
 * percentile's two-sided interval; an inconclusive one gets an estimate of
 * the queries still needed, by LoadGen's early-stopping rule at the
 * interval's one-sided level and assuming the share of queries over the
 * limit stays what it was. A stage's errors are counted, not timed: a failed
 * query leaves every latency series and counts against the error budget
 * (which is zero unless the pipeline sets one).
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "load_int.h"

const char *const weft_pl_pctl_labels[WEFT_PIPELINES_N_PCTL] = { "p50", "p90", "p95", "p99", "p99.9", "max" };
const double weft_pl_pctl_q[WEFT_PIPELINES_N_PCTL] = { 0.5, 0.9, 0.95, 0.99, 0.999, 1.0 };

const char *weft_pipelines_cmp_name(weft_pipelines_cmp c)
{
	switch (c) {
	case WEFT_CMP_NONE: return "not compared";
	case WEFT_CMP_TOO_FEW: return "too few samples";
	case WEFT_CMP_SAME: return "no significant change";
	case WEFT_CMP_REGRESSION: return "regression";
	case WEFT_CMP_IMPROVEMENT: return "improvement";
	}
	return "?";
}

/* ---- clocks ------------------------------------------------------------------ */

static int64_t ts_ns(clockid_t id)
{
	struct timespec ts;
	if (clock_gettime(id, &ts) != 0)
		return INT64_MIN;
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void weft_pl_clocks_begin(weft_pl_clocks *c)
{
	int64_t mono = ts_ns(CLOCK_MONOTONIC);
	c->real_minus_mono0 = ts_ns(CLOCK_REALTIME) - mono;
#ifdef CLOCK_BOOTTIME
	int64_t boot = ts_ns(CLOCK_BOOTTIME);
	c->have_boot = boot != INT64_MIN;
	c->boot_minus_mono0 = boot - mono;
#endif
}

void weft_pl_clocks_end(weft_pl_clocks *c)
{
	int64_t mono = ts_ns(CLOCK_MONOTONIC);
	c->real_minus_mono1 = ts_ns(CLOCK_REALTIME) - mono;
#ifdef CLOCK_BOOTTIME
	if (c->have_boot)
		c->boot_minus_mono1 = ts_ns(CLOCK_BOOTTIME) - mono;
#endif
}

/* ---- series ------------------------------------------------------------------- */

static uint64_t value_at(const weft_pipelines_series *s, uint64_t rank)
{
	if (s->exact && s->n_samples)
		return s->samples[rank - 1];
	return weft_pipelines_hist_at_rank(s->hist, rank);
}

void weft_pl_series_pctl(weft_pipelines_pctl *out, const weft_pipelines_series *s, double q,
			 double confidence)
{
	memset(out, 0, sizeof *out);
	out->q = q;
	const char *label = "?";
	for (size_t i = 0; i < WEFT_PIPELINES_N_PCTL; i++)
		if (weft_pl_pctl_q[i] == q)
			label = weft_pl_pctl_labels[i];
	snprintf(out->label, sizeof out->label, "%s", label);
	uint64_t n = s->count;
	if (!n) {
		out->value_ms = NAN;
		out->lo_ms = out->hi_ms = NAN;
		return;
	}
	if (q >= 1.0) {
		/* the maximum: observed, exact, no interval needed for a verdict */
		out->value_ms = s->max_ms;
		out->lo_ms = out->hi_ms = s->max_ms;
		out->has_lo = out->has_hi = true;
		out->lo_rank = out->hi_rank = n;
		return;
	}
	out->value_ms = (double)value_at(s, weft_pipelines_quantile_rank(n, q)) / 1e6;
	uint64_t lo, hi;
	weft_pipelines_quantile_ci(&lo, &hi, NULL, n, q, confidence);
	out->lo_rank = lo;
	out->hi_rank = hi;
	out->has_lo = lo >= 1;
	out->has_hi = hi <= n;
	out->lo_ms = out->has_lo ? (double)value_at(s, lo) / 1e6 : NAN;
	out->hi_ms = out->has_hi ? (double)value_at(s, hi) / 1e6 : NAN;
}

static uint64_t count_over(const weft_pipelines_series *s, double limit_ms)
{
	double limit_ns = limit_ms * 1e6;
	if (s->exact && s->n_samples) {
		/* first sample above the limit */
		uint64_t a = 0, b = s->n_samples;
		while (a < b) {
			uint64_t m = a + (b - a) / 2;
			if ((double)s->samples[m] > limit_ns)
				b = m;
			else
				a = m + 1;
		}
		return s->n_samples - a;
	}
	uint64_t le = weft_pipelines_hist_count_le(s->hist, (uint64_t)floor(limit_ns));
	return s->count - le;
}

/* P(X >= j), X ~ Binomial(n, p). */
static double binom_sf(int64_t j, uint64_t n, double p)
{
	return 1.0 - weft_pipelines_binom_cdf(j - 1, n, p);
}

/* Would N queries decide, with the over-limit share staying at f? */
static bool decides(uint64_t N, double f, double q, double tail, bool toward_pass)
{
	uint64_t over = (uint64_t)floor(f * (double)N + 1e-9);
	if (toward_pass)
		return weft_pipelines_binom_cdf((int64_t)over, N, 1.0 - q) <= tail;
	return binom_sf((int64_t)over, N, 1.0 - q) <= tail;
}

static uint64_t need_more_for(uint64_t n, uint64_t over, double q, double tail)
{
	if (!n)
		return UINT64_MAX;
	double f = (double)over / (double)n;
	double expected = 1.0 - q;
	if (fabs(f - expected) < 1e-12)
		return UINT64_MAX;
	bool pass = f < expected;
	uint64_t lo = n, hi = n < 16 ? 16 : n;
	while (!decides(hi, f, q, tail, pass)) {
		lo = hi;
		if (hi > UINT64_C(10000000000))
			return UINT64_MAX;
		hi *= 2;
	}
	while (hi - lo > 1 && hi - lo > hi / 1000) {
		uint64_t m = lo + (hi - lo) / 2;
		if (decides(m, f, q, tail, pass))
			hi = m;
		else
			lo = m;
	}
	return hi > n ? hi - n : 1;
}

static uint64_t error_need_more(uint64_t n, uint64_t errors, double budget, double conf)
{
	if (!n)
		return UINT64_MAX;
	double f = (double)errors / (double)n;
	if (fabs(f - budget) < 1e-12)
		return UINT64_MAX;
	bool pass = f < budget;
	uint64_t lo = n, hi = n < 16 ? 16 : n;
	for (;;) {
		double l, h;
		uint64_t e = (uint64_t)floor(f * (double)hi + 1e-9);
		weft_pipelines_proportion_ci(&l, &h, e, hi, conf);
		if (pass ? h <= budget : l > budget)
			break;
		lo = hi;
		if (hi > UINT64_C(1000000000))
			return UINT64_MAX;
		hi *= 2;
	}
	while (hi - lo > 1 && hi - lo > hi / 200) {
		uint64_t m = lo + (hi - lo) / 2;
		double l, h;
		weft_pipelines_proportion_ci(&l, &h, (uint64_t)floor(f * (double)m + 1e-9), m, conf);
		if (pass ? h <= budget : l > budget)
			hi = m;
		else
			lo = m;
	}
	return hi > n ? hi - n : 1;
}

static void series_clear(weft_pipelines_series *s)
{
	free(s->name);
	weft_pipelines_hist_free(s->hist);
	free(s->samples);
	for (size_t i = 0; i < s->n_error_kinds; i++)
		free(s->error_kinds[i].error);
	free(s->error_kinds);
	for (size_t i = 0; i < s->n_phases; i++) {
		free(s->phases[i].name);
		weft_pipelines_hist_free(s->phases[i].hist);
	}
	free(s->phases);
	memset(s, 0, sizeof *s);
}

static void results_clear(weft_pipelines_result *res)
{
	for (size_t i = 0; i < res->n_series; i++)
		series_clear(&res->series[i]);
	free(res->series);
	res->series = NULL;
	res->n_series = 0;
	weft_pl_seconds_clear(res);
}

typedef struct {
	uint64_t idx;
	const uint64_t *ns;
} row_ref;

static int cmp_row(const void *a, const void *b)
{
	const row_ref *x = a, *y = b;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static uint64_t median_u64(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_u64);
	return v[(n - 1) / 2];
}

bool weft_pl_drift(const uint64_t *v, size_t n, double confidence, double *change, double *p)
{
	*change = NAN;
	*p = NAN;
	if (n < WEFT_PL_DRIFT_MIN_N)
		return false;
	size_t tenth = n / 10;
	uint64_t *tmp = malloc(tenth * sizeof *tmp);
	weft_pipelines_wsample *a = malloc(tenth * sizeof *a), *b = malloc(tenth * sizeof *b);
	bool fire = false;
	if (!tmp || !a || !b)
		goto out;
	for (size_t i = 0; i < tenth; i++) {
		a[i] = (weft_pipelines_wsample){ (double)v[n - tenth + i], 1 };
		b[i] = (weft_pipelines_wsample){ (double)v[i], 1 };
	}
	memcpy(tmp, v, tenth * sizeof *tmp);
	double first_med = (double)median_u64(tmp, tenth);
	memcpy(tmp, v + n - tenth, tenth * sizeof *tmp);
	double last_med = (double)median_u64(tmp, tenth);
	/* relative to where the run started: -100% is the floor */
	*change = first_med > 0 ? (last_med - first_med) / first_med : last_med > 0 ? INFINITY : 0;
	double pg, pl;
	if (weft_pipelines_mann_whitney(&pg, &pl, a, tenth, b, tenth))
		goto out;
	double two = 2.0 * (pg < pl ? pg : pl);
	*p = two > 1.0 ? 1.0 : two;
	fire = *p < 1.0 - confidence && fabs(*change) >= WEFT_PL_DRIFT_MIN_CHANGE;
out:
	free(tmp);
	free(a);
	free(b);
	return fire;
}

static void add_checks(weft_pipelines_series *s, const weft_pipelines_budget *b, size_t nb,
		       double conf)
{
	double tail = (1.0 - conf) / 2.0;
	s->n_checks = nb;
	for (size_t i = 0; i < nb; i++) {
		weft_pipelines_check *c = &s->checks[i];
		memset(c, 0, sizeof *c);
		c->budget = b[i];
		weft_pl_series_pctl(&c->at, s, b[i].q, conf);
		snprintf(c->at.label, sizeof c->at.label, "%s", b[i].label);
		c->over = s->count ? count_over(s, b[i].limit_ms) : 0;
		c->verdict = weft_pipelines_judge(c->at.has_lo, c->at.lo_ms, c->at.has_hi, c->at.hi_ms,
						  b[i].limit_ms);
		if (c->verdict == WEFT_VERDICT_INCONCLUSIVE)
			c->need_more = b[i].q >= 1.0 ? UINT64_MAX : need_more_for(s->count, c->over, b[i].q, tail);
	}
}

/* Copy the spec's names into res, the first time only: they outlive the run. */
static int result_names(weft_pipelines_result *res, const weft_pipelines_spec *spec)
{
	if (res->pipeline)
		return WEFT_OK;
	res->pipeline = strdup(spec->name ? spec->name : "pipeline");
	res->pattern = spec->pattern ? strdup(spec->pattern) : NULL;
	res->path = strdup(spec->path ? spec->path : "");
	if (!res->pipeline || !res->path || (spec->pattern && !res->pattern))
		return WEFT_ENOMEM;
	return WEFT_OK;
}

/* Sum the workers' query counts into res, dropped queries counting as
 * measured and failed, with the measured span and the throughput of
 * successful queries. *n_rows gets the number of kept sample rows. */
static void sum_counts(weft_pipelines_result *res, const weft_pl_run *r, size_t *n_rows)
{
	uint64_t first = UINT64_MAX, last = 0;
	res->measured = res->errors = res->warmup_done = 0;
	*n_rows = 0;
	for (size_t i = 0; i < r->n_workers; i++) {
		const weft_pl_worker *w = &r->workers[i];
		res->measured += w->measured;
		res->errors += w->errors;
		res->warmup_done += w->warm_n;
		if (w->measured && w->first_start < first)
			first = w->first_start;
		if (w->last_end > last)
			last = w->last_end;
		*n_rows += w->n_rows;
	}
	res->dropped = r->dropped;
	res->measured += r->dropped;
	res->errors += r->dropped;
	/* offline: from the job's start, when every query was issued */
	if (r->load.scenario == WEFT_SCENARIO_OFFLINE && first != UINT64_MAX)
		first = r->t0_ns;
	res->elapsed_s = last > first ? (double)(last - first) / 1e9 : 0;
	res->throughput_qps = res->elapsed_s > 0 ? (double)(res->measured - res->errors) / res->elapsed_s : 0;
	res->samples = res->measured * (r->ms ? r->load.samples_per_query : 1);
	double sum = 0, sq = 0, n = 0;
	for (size_t i = 0; i < r->n_workers; i++) {
		sum += r->workers[i].svc_sum;
		sq += r->workers[i].svc_sq;
		n += (double)r->workers[i].svc_n;
	}
	res->service_mean_ms = n > 0 ? sum / n / 1e6 : NAN;
	res->service_sd_ms = n > 1 ? sqrt(fmax(0, (sq - sum * sum / n) / (n - 1))) / 1e6 : NAN;
}

/* Set res's per-query harness overhead figures (us) from their histogram. */
static void overhead_figures(weft_pipelines_result *res, const weft_pipelines_hist *overhead)
{
	res->overhead_mean_us = weft_pipelines_hist_mean(overhead) / 1e3;
	uint64_t on = weft_pipelines_hist_count(overhead);
	res->overhead_p99_us = on ? (double)weft_pipelines_hist_at_rank(overhead, weft_pipelines_quantile_rank(on, 0.99)) / 1e3 : 0;
	res->overhead_max_us = (double)weft_pipelines_hist_max(overhead) / 1e3;
}

/* Sum the workers' late sends, wake-up delays and harness overhead into res.
 * Needs res's counts (sum_counts) for the mean lateness. */
static int harness_figures(weft_pipelines_result *res, const weft_pl_run *r)
{
	res->late_count = 0;
	res->late_max_ms = 0;
	res->late_busy = res->late_wakeup = 0;
	res->wakeup_max_us = 0;
	double late_sum = 0, wake_sum = 0;
	uint64_t wake_n = 0;
	weft_pipelines_hist *overhead;
	if (weft_pipelines_hist_new(&overhead))
		return WEFT_ENOMEM;
	for (size_t i = 0; i < r->n_workers; i++) {
		const weft_pl_worker *w = &r->workers[i];
		res->late_count += w->late_count;
		late_sum += w->late_sum_ms;
		res->late_busy += w->late_busy;
		res->late_wakeup += w->late_wakeup;
		wake_sum += w->wake_sum_ms;
		wake_n += w->wake_n;
		if (w->wake_max_ms * 1e3 > res->wakeup_max_us)
			res->wakeup_max_us = w->wake_max_ms * 1e3;
		if (w->late_max_ms > res->late_max_ms)
			res->late_max_ms = w->late_max_ms;
		weft_pipelines_hist_merge(overhead, w->overhead);
	}
	res->late_mean_ms = res->measured > r->dropped ? late_sum / (double)(res->measured - r->dropped) : 0;
	overhead_figures(res, overhead);
	res->wakeup_mean_us = wake_n ? wake_sum / (double)wake_n * 1e3 : 0;
	weft_pipelines_hist_free(overhead);
	return WEFT_OK;
}

/* The cost (ns) of reading the clock, which every stage timing includes once. */
static double clock_read_cost(void)
{
	uint64_t c0 = weft_now_ns();
	for (int i = 0; i < 1000; i++)
		(void)weft_now_ns();
	return (double)(weft_now_ns() - c0) / 1001.0;
}

/* Every worker's n_rows kept sample rows, in query order (malloc'd), or NULL. */
static row_ref *rows_in_query_order(const weft_pl_run *r, size_t n_rows)
{
	row_ref *rows = malloc((n_rows ? n_rows : 1) * sizeof *rows);
	if (!rows)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < r->n_workers; i++) {
		const weft_pl_worker *w = &r->workers[i];
		for (size_t j = 0; j < w->n_rows; j++) {
			uint64_t idx;
			const uint64_t *ns = weft_pl_row(w, j, r->ns_count, &idx);
			rows[k++] = (row_ref){ idx, ns };
		}
	}
	qsort(rows, n_rows, sizeof *rows, cmp_row);
	return rows;
}

/* Rows per value of series si: multi-stream keeps a row per sample, and
 * the end-to-end series one value per query. */
static size_t row_stride(const weft_pl_run *r, size_t si)
{
	return si == r->n_stages && r->ms ? r->load.samples_per_query : 1;
}

/* Series si's exact samples from the query-ordered rows, every stride-th
 * (multi-stream's end-to-end series: one row of each query's samples): its
 * drift, then the samples sorted. *order gets them in send order
 * (malloc'd), for the batch means. */
static int series_samples(weft_pipelines_series *s, const row_ref *rows, size_t n_rows, size_t stride,
			  size_t si, double conf, uint64_t **order)
{
	n_rows /= stride;
	s->samples = malloc((n_rows ? n_rows : 1) * sizeof *s->samples);
	if (!s->samples)
		return WEFT_ENOMEM;
	for (size_t j = 0; j < n_rows; j++)
		s->samples[j] = rows[j * stride].ns[si];
	s->n_samples = n_rows;
	double p_drift;
	(void)weft_pl_drift(s->samples, n_rows, conf, &s->drift, &p_drift);
	*order = malloc(n_rows * sizeof **order);
	if (!*order)
		return WEFT_ENOMEM;
	memcpy(*order, s->samples, n_rows * sizeof **order);
	qsort(s->samples, n_rows, sizeof *s->samples, cmp_u64);
	return WEFT_OK;
}

void weft_pl_series_moments(weft_pipelines_series *s)
{
	s->mean_ms = weft_pipelines_hist_mean(s->hist) / 1e6;
	s->sd_ms = weft_pipelines_hist_stddev(s->hist) / 1e6;
	s->cv = s->mean_ms > 0 ? s->sd_ms / s->mean_ms : 0;
	s->min_ms = (double)weft_pipelines_hist_min(s->hist) / 1e6;
	s->max_ms = (double)weft_pipelines_hist_max(s->hist) / 1e6;
}

void weft_pl_series_judge(weft_pipelines_series *s, const weft_pipelines_budget *b, size_t nb,
			  const uint64_t *order, size_t n, double conf)
{
	for (size_t p = 0; p < WEFT_PIPELINES_N_PCTL; p++)
		weft_pl_series_pctl(&s->pctl[p], s, weft_pl_pctl_q[p], conf);
	add_checks(s, b, nb, conf);
	for (size_t p = 0; p < WEFT_PIPELINES_N_PCTL; p++)
		s->pctl[p].se_log = weft_pl_pctl_se_log(order, n, &s->pctl[p], conf, &s->pctl[p].vif);
	for (size_t c = 0; c < s->n_checks; c++)
		s->checks[c].at.se_log = weft_pl_pctl_se_log(order, n, &s->checks[c].at, conf,
							     &s->checks[c].at.vif);
}

/* Series s's moments, percentiles and checks against its nb budgets, each
 * order statistic with its standard error from the n send-ordered samples
 * in order (NULL, n 0: none kept). */
static void series_stats(weft_pipelines_series *s, const weft_pipelines_budget *b, size_t nb,
			 const uint64_t *order, size_t n, double conf)
{
	weft_pl_series_moments(s);
	weft_pl_series_judge(s, b, nb, order, n, conf);
}

weft_pipelines_error_kind *weft_pl_series_error_kind(weft_pipelines_series *s, const char *text)
{
	size_t m = 0;
	while (m < s->n_error_kinds && strcmp(s->error_kinds[m].error, text))
		m++;
	if (m < s->n_error_kinds)
		return &s->error_kinds[m];
	weft_pipelines_error_kind *ek = realloc(s->error_kinds, (m + 1) * sizeof *ek);
	if (!ek)
		return NULL;
	s->error_kinds = ek;
	ek[m].error = strdup(text);
	if (!ek[m].error)
		return NULL;
	ek[m].count = 0;
	s->n_error_kinds++;
	return &ek[m];
}

/* Count the errors that arose in stage si into its series s, by kind. */
static int series_errors(weft_pipelines_series *s, const weft_pl_run *r, size_t si)
{
	for (size_t i = 0; i < r->n_workers; i++) {
		const weft_pl_worker *w = &r->workers[i];
		for (size_t j = 0; j < w->n_errs; j++) {
			if (w->errs[j].stage != si)
				continue;
			s->errors += w->errs[j].count;
			weft_pipelines_error_kind *ek = weft_pl_series_error_kind(s, w->errs[j].text);
			if (!ek)
				return WEFT_ENOMEM;
			ek->count += w->errs[j].count;
		}
	}
	return WEFT_OK;
}

/* Stage si's phase histograms (http stages have some), merged over the
 * workers, into its series s. */
static int series_phases(weft_pipelines_series *s, const weft_pl_run *r, size_t si)
{
	const char *const *ph = r->ops[si]->phases;
	size_t np = 0;
	while (ph && ph[np] && np < WEFT_PL_MAX_PHASES)
		np++;
	if (!np)
		return WEFT_OK;
	s->phases = calloc(np, sizeof *s->phases);
	if (!s->phases)
		return WEFT_ENOMEM;
	for (size_t p = 0; p < np; p++) {
		s->phases[p].name = strdup(ph[p]);
		if (!s->phases[p].name || weft_pipelines_hist_new(&s->phases[p].hist)) {
			free(s->phases[p].name);
			s->phases[p].name = NULL;
			return WEFT_ENOMEM;
		}
		s->n_phases++;
		for (size_t i = 0; i < r->n_workers; i++)
			if (r->workers[i].phase[si][p])
				weft_pipelines_hist_merge(s->phases[p].hist, r->workers[i].phase[si][p]);
	}
	return WEFT_OK;
}

/* Build res's series si (end-to-end when si is the stage count) from the
 * workers' histograms and, when exact, the query-ordered sample rows. */
static int build_series(weft_pipelines_result *res, const weft_pl_run *r, size_t si,
			const row_ref *rows, size_t n_rows, bool exact)
{
	const weft_pipelines_spec *spec = r->spec;
	weft_pipelines_series *s = &res->series[si];
	bool e2e = si == r->n_stages;
	s->is_e2e = e2e;
	s->name = strdup(e2e ? "end-to-end" : spec->stages[si].name);
	s->kind = e2e ? WEFT_STAGE_DELAY : spec->stages[si].kind;
	if (!s->name || weft_pipelines_hist_new(&s->hist))
		return WEFT_ENOMEM;
	double warm_sum = 0;
	for (size_t i = 0; i < r->n_workers; i++) {
		weft_pipelines_hist_merge(s->hist, r->workers[i].hist[si]);
		warm_sum += r->workers[i].warm_sum[si];
	}
	s->warmup_mean_ms = res->warmup_done ? warm_sum / (double)res->warmup_done / 1e6 : NAN;
	s->count = weft_pipelines_hist_count(s->hist);
	s->exact = exact;
	s->drift = NAN;
	uint64_t *order = NULL; /* send order, for the batch means */
	size_t stride = row_stride(r, si);
	if (exact && n_rows && series_samples(s, rows, n_rows, stride, si, spec->confidence, &order))
		return WEFT_ENOMEM;
	size_t n = order ? n_rows / stride : 0;
	if (e2e)
		series_stats(s, spec->e2e, spec->n_e2e, order, n, spec->confidence);
	else
		series_stats(s, spec->stages[si].budgets, spec->stages[si].n_budgets, order, n, spec->confidence);
	free(order);
	if (e2e && r->load.scenario == WEFT_SCENARIO_OFFLINE)
		s->drift = NAN; /* every query issued at once: it rises by design */
	if (e2e) {
		s->errors = res->errors;
		return WEFT_OK;
	}
	int err = series_errors(s, r, si);
	return err ? err : series_phases(s, r, si);
}

/* Build every series of res, stages then end-to-end, from n_rows kept sample
 * rows: exact when those are every successful query. */
static int build_all_series(weft_pipelines_result *res, weft_pl_run *r, size_t n_rows)
{
	row_ref *rows = rows_in_query_order(r, n_rows);
	if (!rows)
		return WEFT_ENOMEM;
	uint64_t per_query = r->ms ? r->load.samples_per_query : 1; /* rows */
	bool exact = !atomic_load(&r->rows_full) && n_rows == (res->measured - res->errors) * per_query;
	res->series = calloc(r->ns_count, sizeof *res->series);
	if (!res->series) {
		free(rows);
		return WEFT_ENOMEM;
	}
	res->n_series = r->ns_count; /* only once there are that many to clear */
	int err = WEFT_OK;
	for (size_t si = 0; si < r->ns_count && !err; si++)
		err = build_series(res, r, si, rows, n_rows, exact);
	free(rows);
	return err;
}

void weft_pl_harness_share(weft_pipelines_result *res)
{
	const weft_pipelines_series *e = &res->series[res->n_series - 1];
	res->harness_share = e->count && e->mean_ms > 0
				     ? (res->wakeup_mean_us + res->overhead_mean_us) / 1e3 / e->mean_ms
				     : NAN;
}

void weft_pl_error_judge(weft_pipelines_result *res, bool has_budget, double budget, double conf)
{
	res->has_error_budget = has_budget;
	res->error_budget = has_budget ? budget : 0.0;
	res->error_rate = res->measured ? (double)res->errors / (double)res->measured : 0;
	res->error_lo = 0;
	res->error_hi = 1;
	if (res->measured)
		weft_pipelines_proportion_ci(&res->error_lo, &res->error_hi, res->errors, res->measured, conf);
	if (res->error_budget <= 0) {
		res->error_verdict = res->errors ? WEFT_VERDICT_BROKEN : WEFT_VERDICT_MET;
		if (!res->measured)
			res->error_verdict = WEFT_VERDICT_INCONCLUSIVE;
	} else {
		res->error_verdict = res->measured
					     ? weft_pipelines_judge(true, res->error_lo, true, res->error_hi, res->error_budget)
					     : WEFT_VERDICT_INCONCLUSIVE;
	}
	res->error_need_more = res->error_verdict == WEFT_VERDICT_INCONCLUSIVE
				       ? error_need_more(res->measured, res->errors, res->error_budget, conf)
				       : 0;
}

/* Offline: does a job of `rows` rows fit its window? Judged on the
 * projected time's interval. */
void weft_pl_offline_window(weft_pipelines_result *res)
{
	const weft_pipelines_load *l = &res->load;
	res->has_window = l->scenario == WEFT_SCENARIO_OFFLINE && l->rows && l->window_ms > 0;
	res->rows_per_s = res->throughput_qps * (double)l->rows_per_query;
	if (!res->has_window)
		return;
	const weft_pipelines_series *e = &res->series[res->n_series - 1];
	/* The workers drained the job in the sum of the queries' own times over
	 * their number (Little's law), so the throughput's relative error is
	 * the mean's: z sd / (mean sqrt(n)). A query's own time is the service
	 * time; a report from before it was kept has the end-to-end series,
	 * which then was that time (a closed loop) */
	double mean = e->mean_ms, sd = e->sd_ms;
	if (res->service_mean_ms > 0 && isfinite(res->service_sd_ms)) {
		mean = res->service_mean_ms;
		sd = res->service_sd_ms;
	}
	double z = weft_pl_normal_quantile(1.0 - (1.0 - res->confidence) / 2.0);
	double half = e->count > 1 ? z * sd / sqrt((double)e->count) : INFINITY;
	double rows_total = (double)l->rows;
	res->projected_ms = res->rows_per_s > 0 ? rows_total / res->rows_per_s * 1e3 : INFINITY;
	double rel = mean > 0 ? half / mean : INFINITY;
	res->projected_lo_ms = res->projected_ms * (1.0 - rel);
	res->projected_hi_ms = res->projected_ms * (1.0 + rel);
	res->window_verdict = weft_pipelines_judge(isfinite(res->projected_lo_ms), res->projected_lo_ms,
						   isfinite(res->projected_hi_ms), res->projected_hi_ms,
						   l->window_ms);
}

/* Count one verdict into res's totals. */
static void count_verdict(weft_pipelines_result *res, weft_pipelines_verdict v)
{
	res->n_met += v == WEFT_VERDICT_MET;
	res->n_broken += v == WEFT_VERDICT_BROKEN;
	res->n_inconclusive += v == WEFT_VERDICT_INCONCLUSIVE;
}

void weft_pl_tally_verdicts(weft_pipelines_result *res)
{
	res->n_met = res->n_broken = res->n_inconclusive = 0;
	for (size_t si = 0; si < res->n_series; si++)
		for (size_t c = 0; c < res->series[si].n_checks; c++)
			count_verdict(res, res->series[si].checks[c].verdict);
	count_verdict(res, res->error_verdict);
	if (res->has_window)
		count_verdict(res, res->window_verdict);
}

int weft_pl_build_result(weft_pipelines_result *res, weft_pl_run *r)
{
	results_clear(res);
	int err = result_names(res, r->spec);
	if (err)
		return err;
	res->load = r->load;
	res->workers = r->events ? r->slots : r->n_workers; /* queries in flight at most */
	res->loops = r->events ? r->n_workers : 0;
	res->http_client = r->http_client;
	res->confidence = r->spec->confidence;
	size_t n_rows;
	sum_counts(res, r, &n_rows);
	err = harness_figures(res, r);
	if (err)
		return err;
	res->clock_read_ns = clock_read_cost();
	err = build_all_series(res, r, n_rows);
	if (err)
		return err;
	err = weft_pl_ts_result(res, r);
	if (err)
		return err;
	weft_pl_harness_share(res);
	weft_pl_error_judge(res, r->spec->has_error_budget, r->spec->error_rate, r->spec->confidence);
	weft_pl_offline_window(res);
	weft_pl_tally_verdicts(res);
	return WEFT_OK;
}

uint64_t weft_pl_result_need_more(const weft_pipelines_result *res)
{
	uint64_t most = 0;
	bool unknown = false;
	for (size_t si = 0; si < res->n_series; si++)
		for (size_t c = 0; c < res->series[si].n_checks; c++) {
			const weft_pipelines_check *k = &res->series[si].checks[c];
			if (k->verdict != WEFT_VERDICT_INCONCLUSIVE)
				continue;
			if (k->need_more == UINT64_MAX)
				unknown = true;
			else if (k->need_more > most)
				most = k->need_more;
		}
	if (res->error_verdict == WEFT_VERDICT_INCONCLUSIVE) {
		if (res->error_need_more == UINT64_MAX)
			unknown = true;
		else if (res->error_need_more > most)
			most = res->error_need_more;
	}
	return most ? most : unknown ? UINT64_MAX : 0;
}

/* ---- notes ------------------------------------------------------------------------ */

void weft_pipelines_result_note(weft_pipelines_result *r, const char *fmt, ...)
{
	weft_buf b = WEFT_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	weft_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	char *s = weft_buf_detach(&b);
	if (!s)
		return;
	char **n = realloc(r->notes, (r->n_notes + 1) * sizeof *n);
	if (!n) {
		free(s);
		return;
	}
	r->notes = n;
	r->notes[r->n_notes++] = s;
}

/* Series si's kept latencies in send order (malloc'd), or NULL. */
static uint64_t *series_in_send_order(const weft_pl_run *r, size_t si)
{
	size_t n = 0, stride = row_stride(r, si);
	for (size_t i = 0; i < r->n_workers; i++)
		n += r->workers[i].n_rows;
	row_ref *rows = rows_in_query_order(r, n);
	uint64_t *v = malloc((n ? n : 1) * sizeof *v);
	for (size_t j = 0; rows && v && j < n / stride; j++)
		v[j] = rows[j * stride].ns[si];
	if (!rows) {
		free(v);
		v = NULL;
	}
	free(rows);
	return v;
}

/* A p-value for a sentence: "p = 0.012", "p < 0.001" (never an exponent). */
static const char *p_text(char *buf, size_t n, double p)
{
	if (p < 0.001)
		snprintf(buf, n, "p < 0.001");
	else
		snprintf(buf, n, "p = %.3f", p);
	return buf;
}

void weft_pl_finish_notes(weft_pipelines_result *res, weft_pl_run *r)
{
	char a[32];
	const weft_pl_clocks *c = &r->clocks;
	int64_t step = c->real_minus_mono1 - c->real_minus_mono0;
	if (llabs(step) > 5000000)
		weft_pipelines_result_note(res,
					   "The wall clock was stepped by %s during the run (NTP or a manual change); "
					   "latencies use the monotonic clock and are unaffected.",
					   weft_pipelines_duration_format(a, sizeof a, (double)step / 1e6, true));
	if (c->have_boot && c->boot_minus_mono1 - c->boot_minus_mono0 > 5000000)
		weft_pipelines_result_note(res,
					   "The machine was suspended for %s during the run: queries in flight then "
					   "carry that time; rerun before trusting the tail.",
					   weft_pipelines_duration_format(a, sizeof a,
									  (double)(c->boot_minus_mono1 - c->boot_minus_mono0) / 1e6, true));
	uint64_t ok = res->measured - res->errors;
	if (res->measured && !ok)
		weft_pipelines_result_note(res, "Every measured query failed: there are no latencies to judge.");
	if (res->n_series && !res->series[0].exact && ok)
		weft_pipelines_result_note(res,
					   "More queries than the %llu samples kept: percentiles come from the "
					   "histogram (within 0.1%%) and drift is not computed.",
					   (unsigned long long)r->max_rows);
	for (size_t i = 0; i < res->n_series; i++)
		if (weft_pipelines_hist_clamped(res->series[i].hist))
			weft_pipelines_result_note(res, "%s: %llu latencies above 2.4 hours were clamped.",
						   res->series[i].name,
						   (unsigned long long)weft_pipelines_hist_clamped(res->series[i].hist));
	if (r->load.scenario == WEFT_SCENARIO_SERVER && res->late_count) {
		char th[32], mx[32], mn[32], wk[32];
		weft_buf why = WEFT_BUF_INIT;
		if (res->late_busy)
			weft_buf_printf(&why, "%llu waited for a free worker (all %zu%s were busy: raise load.concurrency "
					      "if the harness, not the system, was the bottleneck)",
					(unsigned long long)res->late_busy, r->events ? r->slots / r->n_workers : r->n_workers,
					r->events ? " of its event loop" : "");
		if (res->late_wakeup)
			weft_buf_printf(&why, "%s%llu had a free worker but the harness woke late (its own scheduling "
					      "delay: %s on average over every send; a busy or throttled machine)",
					res->late_busy ? "; " : "", (unsigned long long)res->late_wakeup,
					weft_pipelines_duration_format(wk, sizeof wk, res->wakeup_mean_us / 1e3, true));
		weft_pipelines_result_note(
			res,
			"%llu of %llu queries (%.1f%%) were sent more than %s after their scheduled time "
			"(at most %s late, %s on average): %s. Their latency counts from the scheduled time, "
			"so the lateness shows in the percentiles (no coordinated omission).",
			(unsigned long long)res->late_count, (unsigned long long)res->measured,
			100.0 * (double)res->late_count / (double)(res->measured ? res->measured : 1),
			weft_pipelines_duration_format(th, sizeof th, r->load.late_ms, true),
			weft_pipelines_duration_format(mx, sizeof mx, res->late_max_ms, true),
			weft_pipelines_duration_format(mn, sizeof mn, res->late_mean_ms, true),
			why.ptr ? why.ptr : "cause not measured");
		weft_buf_free(&why);
	}
	if (isfinite(res->harness_share) && res->harness_share > 0.05) {
		char a1[32];
		weft_pipelines_result_note(res,
					   "The harness itself added %s per query on average (wake-up and bookkeeping), "
					   "%.0f%% of the end-to-end mean: the figures partly measure weft, not the system.",
					   weft_pipelines_duration_format(a1, sizeof a1,
									  (res->wakeup_mean_us + res->overhead_mean_us) / 1e3, true),
					   100.0 * res->harness_share);
	}
	if (res->dropped)
		weft_pipelines_result_note(res,
					   "%llu scheduled queries were never sent before the run's time ran out "
					   "(overload); they count as errors.",
					   (unsigned long long)res->dropped);
	if (res->n_series && r->load.scenario != WEFT_SCENARIO_OFFLINE) {
		const weft_pipelines_series *e = &res->series[res->n_series - 1];
		if (isfinite(e->warmup_mean_ms) && e->mean_ms > 0 && e->warmup_mean_ms > 1.5 * e->mean_ms)
			weft_pipelines_result_note(res,
						   "Warm-up queries took %.1fx as long as measured ones on average "
						   "(cold start); they are excluded.",
						   e->warmup_mean_ms / e->mean_ms);
	}
	for (size_t i = 0; i < res->n_series; i++) {
		const weft_pipelines_series *s = &res->series[i];
		double change, pd;
		uint64_t *v = s->exact && isfinite(s->drift) ? series_in_send_order(r, i) : NULL;
		char pt[32];
		if (v && weft_pl_drift(v, s->n_samples, res->confidence, &change, &pd))
			weft_pipelines_result_note(res,
						   "%s: latency %s %.0f%% from the first to the last tenth of the run "
						   "(%s; warm-up too short, or a noisy machine).",
						   s->name, change > 0 ? "rose" : "fell", 100.0 * fabs(change),
						   p_text(pt, sizeof pt, pd));
		free(v);
		if (!s->is_e2e && s->count > 1 && s->cv > 0.5)
			weft_pipelines_result_note(res, "%s: latency varies a lot (coefficient of variation %.2f).",
						   s->name, s->cv);
	}
	if (res->extensions)
		weft_pipelines_result_note(res, "The run extended itself %llu time%s to decide (max_duration %s).",
					   (unsigned long long)res->extensions, res->extensions > 1 ? "s" : "",
					   weft_pipelines_duration_format(a, sizeof a, r->load.max_duration_ms, true));
	if (res->n_inconclusive && r->load.scenario == WEFT_SCENARIO_OFFLINE)
		weft_pipelines_result_note(res,
					   "Some verdicts are inconclusive: an offline job does not extend itself; "
					   "issue more queries (load.min_queries, or load.rate x load.duration).");
	else if (res->n_inconclusive && !r->load.max_duration_ms)
		weft_pipelines_result_note(res,
					   "Some verdicts are inconclusive: set load.max_duration to let the run "
					   "extend itself until they are decided.");
}

/* ---- the result ------------------------------------------------------------------- */

const weft_pipelines_series *weft_pipelines_result_series(const weft_pipelines_result *r,
							  const char *name)
{
	for (size_t i = 0; i < r->n_series; i++)
		if (!strcmp(r->series[i].name, name))
			return &r->series[i];
	return NULL;
}

int weft_pipelines_result_gate(const weft_pipelines_result *r, bool allow_inconclusive)
{
	if (r->n_broken || r->n_regressions)
		return WEFT_EGATE;
	if (r->n_inconclusive && !allow_inconclusive)
		return WEFT_EGATE;
	return WEFT_OK;
}

void weft_pipelines_result_free(weft_pipelines_result *r)
{
	if (!r)
		return;
	results_clear(r);
	free(r->pipeline);
	free(r->pattern);
	free(r->path);
	free(r->baseline_path);
	weft_pl_baseline_clear(r);
	for (size_t i = 0; i < r->n_notes; i++)
		free(r->notes[i]);
	free(r->notes);
	free(r);
}
