/* merge.c - one result from the JSON reports of split runs (weft bench
 * merge): the N shards of one run (--shard i/N), or any runs of one
 * pipeline, as if a single run had made all their queries.
 *
 * Design: only what adds is added (query, error and late-send counts,
 * error kinds, histogram buckets); nothing a report derived from its own
 * queries (percentiles, intervals, verdicts) is ever averaged. Each series'
 * and each phase's histogram is rebuilt from the summed buckets, and every
 * percentile, interval and verdict is computed again from it by result.c's
 * own code (weft_pl_series_judge, weft_pl_error_judge...), so a merged run
 * is judged by the rules a single run is. min and max are exact (the
 * reports carry them), mean and sd pooled from theirs; the percentiles are
 * within the histogram's 0.1% and the merged series are never exact. A
 * report is untrusted input: every number the merge rests on is checked and
 * a refusal names path:line:col (the reading helpers are baseline.c's);
 * totals past WEFT_PL_MAX_TOTAL are refused, never wrapped.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "load_int.h"

/* More series than any pipeline has: each costs a histogram (~150 KiB). */
#define MAX_SERIES 128
/* Distinct error kinds kept per series. */
#define MAX_ERROR_KINDS 4096

/* One report being merged. */
typedef struct {
	const char *name, *text;
	cJSON *root;
	const char *at; /* the root value in text */
	const cJSON *series, *load;
	weft_pipelines_scenario scenario;
	double rate, confidence;
	uint64_t seed, workers;
	uint32_t shard_index, shard_count; /* count <= 1: a whole run */
} report;

/* What a series gathers over the reports before it is judged. */
typedef struct {
	weft_pipelines_budget b[WEFT_PIPELINES_MAX_BUDGETS];
	size_t nb;
	bool moments;             /* every report gave its mean, sd, min and max */
	uint64_t n;               /* queries pooled so far */
	double mean, m2, min_ms, max_ms;
	double warm_sum;          /* warm-up mean times warm-up queries */
	bool warm_ok;
} series_acc;

typedef struct {
	weft_pipelines_result *res;
	series_acc *acc;
	weft_diags *d;
	bool has_error_budget;
	double error_budget;
	/* weighted sums: value x weight, weight */
	double late_sum, late_w, wake_sum, wake_w, over_sum, over_w, clock_sum, clock_w;
	/* offline: the queries' own times pooled (n, sum, sum of squares); a
	 * report without them makes the pool unknown */
	double svc_n, svc_sum, svc_sq;
	bool svc_unknown;
	const char *no_timeseries; /* the first report without one, or NULL */
	uint64_t counts[WEFT_PL_TS_BUCKETS]; /* a second's buckets, summed (zero between uses) */
} merge;

/* ---- reading numbers (each refusal at its position) -------------------------- */

/* The position of member k of the object at `at`, else at itself. */
static const char *pos(const char *at, const char *k)
{
	const char *p = k && at ? weft_pl_json_member(at, k) : NULL;
	return p ? p : at;
}

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* Member k of o as a count: a whole number from 0 to WEFT_PL_MAX_TOTAL. */
static int get_count(uint64_t *out, const report *r, const cJSON *o, const char *at, const char *k,
		     const char *what, weft_diags *d)
{
	const cJSON *v = get(o, k);
	double x = cJSON_IsNumber(v) ? v->valuedouble : NAN;
	if (!(x >= 0 && x <= WEFT_PL_MAX_TOTAL && x == floor(x)))
		return weft_pl_not_report(d, r->name, r->text, pos(at, k),
					  "%s.%s is not a count (a whole number from 0 to %.0f)", what, k,
					  WEFT_PL_MAX_TOTAL);
	*out = (uint64_t)x;
	return WEFT_OK;
}

/* Member k of o as a figure for a weighted mean or a maximum: a finite
 * number >= 0, else NAN (absent or null: not measured). */
static double get_figure(const cJSON *o, const char *k)
{
	const cJSON *v = get(o, k);
	return cJSON_IsNumber(v) && isfinite(v->valuedouble) && v->valuedouble >= 0 ? v->valuedouble : NAN;
}

/* Member k of o as a finite number >= 0, or null (NAN) when may_be_null. */
static int get_number(double *out, const report *r, const cJSON *o, const char *at, const char *k,
		      bool may_be_null, const char *what, weft_diags *d)
{
	const cJSON *v = get(o, k);
	if (may_be_null && (!v || cJSON_IsNull(v))) {
		*out = NAN;
		return WEFT_OK;
	}
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0)
		return weft_pl_not_report(d, r->name, r->text, pos(at, k), "%s.%s is not a number >= 0%s", what, k,
					  may_be_null ? " (or null)" : "");
	*out = v->valuedouble;
	return WEFT_OK;
}

static const char *get_string(const cJSON *o, const char *k)
{
	const cJSON *v = get(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double max_of(double a, double b)
{
	return isfinite(b) && !(a >= b) ? b : a;
}

/* Add value x weight w to a weighted mean's sums (a missing value adds nothing). */
static void weigh(double *sum, double *w, double value, double weight)
{
	if (isfinite(value)) {
		*sum += value * weight;
		*w += weight;
	}
}

/* ---- one report's header ----------------------------------------------------- */

static int read_shard(report *r, weft_diags *d)
{
	const cJSON *sh = get(r->load, "shard");
	const char *at = pos(pos(r->at, "load"), "shard");
	r->shard_index = r->shard_count = 0;
	if (!sh || cJSON_IsNull(sh))
		return WEFT_OK;
	uint64_t i, n;
	int err = get_count(&i, r, sh, at, "index", "load.shard", d);
	if (!err)
		err = get_count(&n, r, sh, at, "count", "load.shard", d);
	if (err)
		return err;
	if (n > UINT32_MAX || (n > 1 && i >= n) || (n <= 1 && i))
		return weft_pl_not_report(d, r->name, r->text, at, "load.shard: index %llu of %llu shards",
					  (unsigned long long)i, (unsigned long long)n);
	r->shard_index = (uint32_t)i;
	r->shard_count = n > 1 ? (uint32_t)n : 0;
	return WEFT_OK;
}

/* Parse report r and read what the merge compares before adding it. */
static int open_report(report *r, weft_diags *d)
{
	r->root = weft_pl_json_parse(r->name, r->text, d);
	if (!r->root)
		return WEFT_EINVALID;
	r->at = weft_pl_json_root(r->text);
	const char *fmt = get_string(r->root, "format");
	if (!cJSON_IsObject(r->root) || !fmt || strcmp(fmt, "weft-bench-report"))
		return weft_pl_not_report(d, r->name, r->text, pos(r->at, "format"),
					  "no \"format\": \"weft-bench-report\"%s",
					  fmt && !strcmp(fmt, "weft-bench-baseline")
						  ? " (a merged baseline has no run to merge)"
						  : "");
	if (!get_string(get(r->root, "pipeline"), "name"))
		return weft_pl_not_report(d, r->name, r->text, pos(r->at, "pipeline"), "no pipeline.name");
	r->series = get(r->root, "series");
	int ns = cJSON_IsArray(r->series) ? cJSON_GetArraySize(r->series) : 0;
	if (ns < 1)
		return weft_pl_not_report(d, r->name, r->text, pos(r->at, "series"),
					  "no \"series\" array with the end-to-end series");
	if (ns > MAX_SERIES)
		return weft_pl_not_report(d, r->name, r->text, pos(r->at, "series"), "more than %d series",
					  MAX_SERIES);
	r->load = get(r->root, "load");
	const char *load_at = pos(r->at, "load");
	const char *sc = get_string(r->load, "scenario");
	if (!sc || weft_pipelines_scenario_parse(&r->scenario, sc))
		return weft_pl_not_report(d, r->name, r->text, pos(load_at, "scenario"),
					  "load.scenario is not single-stream, server, offline, concurrency or multi-stream");
	const cJSON *c = get(r->root, "confidence");
	r->confidence = cJSON_IsNumber(c) ? c->valuedouble : NAN;
	if (!(r->confidence > 0 && r->confidence < 1))
		return weft_pl_not_report(d, r->name, r->text, pos(r->at, "confidence"),
					  "confidence is not a number between 0 and 1");
	const cJSON *seed = get(r->load, "seed");
	if (!cJSON_IsNumber(seed) || !(seed->valuedouble >= 0 && seed->valuedouble < 0x1p64))
		return weft_pl_not_report(d, r->name, r->text, pos(load_at, "seed"), "load.seed is not a seed");
	r->seed = (uint64_t)seed->valuedouble;
	r->rate = NAN;
	int err = WEFT_OK;
	if (r->scenario == WEFT_SCENARIO_SERVER)
		err = get_number(&r->rate, r, r->load, load_at, "rate", false, "load", d);
	if (!err)
		err = get_count(&r->workers, r, get(r->root, "harness"), pos(r->at, "harness"), "workers", "harness", d);
	return err ? err : read_shard(r, d);
}

/* ---- the merged result's frame, from the first report ------------------------- */

static int parse_kind(weft_pipelines_series *s, const char *kind)
{
	s->is_e2e = kind && !strcmp(kind, "end-to-end");
	s->kind = WEFT_STAGE_DELAY;
	if (s->is_e2e)
		return WEFT_OK;
	for (int k = WEFT_STAGE_DELAY; kind && k <= WEFT_STAGE_COMMAND; k++)
		if (!strcmp(kind, weft_pipelines_stage_kind_name((weft_pipelines_stage_kind)k))) {
			s->kind = (weft_pipelines_stage_kind)k;
			return WEFT_OK;
		}
	return WEFT_EINVALID;
}

/* The budgets of series s (at s_at in r's text). */
static int read_budgets(weft_pipelines_budget *b, size_t *nb, const report *r, const cJSON *s, const char *s_at,
			const char *what, weft_diags *d)
{
	const cJSON *arr = get(s, "budgets"), *it;
	int n = cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : -1;
	if (n < 0 || n > WEFT_PIPELINES_MAX_BUDGETS)
		return weft_pl_not_report(d, r->name, r->text, pos(s_at, "budgets"),
					  "%s has no \"budgets\" array of at most %d budgets", what,
					  WEFT_PIPELINES_MAX_BUDGETS);
	*nb = 0;
	cJSON_ArrayForEach(it, arr)
	{
		const char *label = get_string(it, "label");
		const cJSON *q = get(it, "q"), *lim = get(it, "limit_ms");
		weft_pipelines_budget *x = &b[*nb];
		memset(x, 0, sizeof *x);
		if (!label || !*label || strlen(label) >= sizeof x->label || !cJSON_IsNumber(q) ||
		    !(q->valuedouble > 0 && q->valuedouble <= 1) || !cJSON_IsNumber(lim) ||
		    !(lim->valuedouble >= 0 && isfinite(lim->valuedouble)))
			return weft_pl_not_report(d, r->name, r->text,
						  weft_pl_json_element(pos(s_at, "budgets"), *nb),
						  "budget %zu of %s is not {label, q in (0, 1], limit_ms >= 0}", *nb, what);
		snprintf(x->label, sizeof x->label, "%s", label);
		x->q = q->valuedouble;
		x->limit_ms = lim->valuedouble;
		(*nb)++;
	}
	return WEFT_OK;
}

/* "series 'name'" for messages. */
static void series_what(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "series '%.64s'", name ? name : "?");
}

static int dup_or_null(char **out, const char *s)
{
	*out = s ? strdup(s) : NULL;
	return s && !*out ? WEFT_ENOMEM : WEFT_OK;
}

/* The load as the first report ran it, as one whole run. */
static int start_load(weft_pipelines_load *l, const report *r, weft_diags *d)
{
	const char *at = pos(r->at, "load");
	double rows, window, x;
	uint64_t rpq = 1;
	memset(l, 0, sizeof *l);
	l->scenario = r->scenario;
	l->seed = r->seed;
	int err = get_number(&rows, r, r->load, at, "rows", true, "load", d);
	if (!err)
		err = get_number(&window, r, r->load, at, "window_ms", true, "load", d);
	if (!err && get(r->load, "rows_per_query"))
		err = get_count(&rpq, r, r->load, at, "rows_per_query", "load", d);
	if (err)
		return err;
	if (isfinite(rows) && (rows != floor(rows) || rows > WEFT_PL_MAX_TOTAL))
		return weft_pl_not_report(d, r->name, r->text, pos(at, "rows"), "load.rows is not a count");
	l->rows = isfinite(rows) ? (uint64_t)rows : 0;
	l->window_ms = isfinite(window) ? window : 0;
	l->rows_per_query = rpq ? rpq : 1;
	l->duration_ms = isfinite(x = get_figure(r->load, "duration_ms")) ? x : 0;
	l->max_duration_ms = isfinite(x = get_figure(r->load, "max_duration_ms")) ? x : 0;
	l->min_queries = isfinite(x = get_figure(r->load, "min_queries")) && x <= WEFT_PL_MAX_TOTAL ? (uint64_t)x : 0;
	l->warmup = isfinite(x = get_figure(r->load, "warmup")) && x <= WEFT_PL_MAX_TOTAL ? (uint64_t)x : 0;
	x = get_figure(r->load, "samples_per_query");
	l->samples_per_query = isfinite(x) && x >= 1 && x <= 4096 ? (uint64_t)x : 0;
	x = get_figure(get(r->root, "late_sends"), "threshold_ms");
	l->late_ms = isfinite(x) ? x : 1.0;
	return WEFT_OK;
}

/* Names, load, confidence, error budget and the series (with their
 * budgets and empty histograms) of the merged result, from report r. */
static int start_result(merge *m, const report *r)
{
	weft_pipelines_result *res = m->res;
	weft_diags *d = m->d;
	const cJSON *pl = get(r->root, "pipeline");
	const char *file = get_string(pl, "file");
	if (dup_or_null(&res->pipeline, get_string(pl, "name")) || dup_or_null(&res->pattern, get_string(pl, "pattern")) ||
	    dup_or_null(&res->path, file ? file : ""))
		return WEFT_ENOMEM;
	res->confidence = r->confidence;
	int err = start_load(&res->load, r, d);
	if (err)
		return err;
	const cJSON *er = get(r->root, "error_rate");
	const cJSON *set = get(er, "budget_set");
	err = get_number(&m->error_budget, r, er, pos(r->at, "error_rate"), "budget", false, "error_rate", d);
	if (err)
		return err;
	if (!cJSON_IsBool(set) || m->error_budget > 1)
		return weft_pl_not_report(d, r->name, r->text, pos(r->at, "error_rate"),
					  "error_rate has no budget in [0, 1] and budget_set");
	m->has_error_budget = cJSON_IsTrue(set);
	size_t ns = (size_t)cJSON_GetArraySize(r->series);
	res->series = calloc(ns, sizeof *res->series);
	m->acc = calloc(ns, sizeof *m->acc);
	if (!res->series || !m->acc)
		return WEFT_ENOMEM;
	res->n_series = ns;
	const char *arr = pos(r->at, "series"), *at = weft_pl_json_element(arr, 0);
	for (size_t i = 0; i < ns; i++, at = weft_pl_json_next(at)) {
		const cJSON *sj = cJSON_GetArrayItem(r->series, (int)i);
		const char *name = get_string(sj, "name");
		weft_pipelines_series *s = &res->series[i];
		char what[80];
		series_what(what, sizeof what, name);
		if (!name || parse_kind(s, get_string(sj, "kind")) || s->is_e2e != (i == ns - 1))
			return weft_pl_not_report(d, r->name, r->text, at ? at : arr,
						  "series %zu has no name or kind, or is not the end-to-end one last", i);
		if (!(s->name = strdup(name)) || weft_pipelines_hist_new(&s->hist))
			return WEFT_ENOMEM;
		s->drift = NAN;
		m->acc[i].moments = m->acc[i].warm_ok = true;
		m->acc[i].min_ms = INFINITY;
		err = read_budgets(m->acc[i].b, &m->acc[i].nb, r, sj, at, what, d);
		if (err)
			return err;
	}
	return WEFT_OK;
}

/* ---- adding one report ----------------------------------------------------------- */

static bool same_budgets(const series_acc *a, const weft_pipelines_budget *b, size_t nb)
{
	if (a->nb != nb)
		return false;
	for (size_t i = 0; i < nb; i++)
		if (strcmp(a->b[i].label, b[i].label) || a->b[i].q != b[i].q || a->b[i].limit_ms != b[i].limit_ms)
			return false;
	return true;
}

/* Refuse r as not the same pipeline as first (what differs, at `at`). */
static int not_same(weft_diags *d, const report *r, const report *first, const char *at, const char *what)
{
	int line = 0, col = 0;
	if (at)
		weft_pl_line_col(r->text, at, &line, &col);
	weft_diags_add(d, WEFT_SEV_ERROR, r->name, line, col, "merge the reports of runs of one pipeline only",
		       "this report %s than %s", what, first->name);
	return WEFT_EINVALID;
}

/* Record the buckets of owner (a series or phase at `at`) into h. *total
 * gets their count; *lo, *hi (optional) the lowest and highest value. */
static int add_buckets(weft_pipelines_hist *h, uint64_t *total, double *lo, double *hi, const report *r,
		       const cJSON *owner, const char *at, const char *what, weft_diags *d)
{
	weft_pipelines_wsample *w;
	size_t n;
	int err = weft_pl_read_buckets(&w, &n, total, owner, 1.0, what, d, r->name, r->text, at);
	if (err)
		return err;
	if ((double)weft_pipelines_hist_count(h) + (double)*total > WEFT_PL_MAX_TOTAL) {
		free(w);
		return weft_pl_not_report(d, r->name, r->text, at, "%s would hold more than %.0f queries", what,
					  WEFT_PL_MAX_TOTAL);
	}
	double mn = INFINITY, mx = -INFINITY;
	uint64_t clamped = weft_pipelines_hist_clamped(h);
	for (size_t k = 0; k < n; k++) {
		if (!w[k].count)
			continue;
		weft_pipelines_hist_record_n(h, w[k].value >= 0x1p64 ? UINT64_MAX : (uint64_t)nearbyint(w[k].value),
					     w[k].count);
		mn = w[k].value < mn ? w[k].value : mn;
		mx = w[k].value > mx ? w[k].value : mx;
	}
	free(w);
	/* weft clamps what it records: a value past the top is not its */
	if (weft_pipelines_hist_clamped(h) != clamped)
		return weft_pl_not_report(d, r->name, r->text, at, "%s has a bucket above the histogram's range (%g ns)",
					  what, mx);
	if (lo)
		*lo = mn;
	if (hi)
		*hi = mx;
	return WEFT_OK;
}

/* Is ms (a report's exact min or max) in the bucket of the value v_ns its
 * histogram shows? A bucket is at most 1/512 of its values wide. */
static bool near_bucket(double ms, double v_ns)
{
	return fabs(ms * 1e6 - v_ns) <= v_ns / 512.0 + 1.0;
}

/* Pool the count, mean, sd, min and max that r gives for series s (t
 * queries, its buckets from lo to hi ns) into a. */
static int pool_moments(series_acc *a, const report *r, const cJSON *sj, const char *at, uint64_t t, double lo,
			double hi, const char *what, weft_diags *d)
{
	if (!t)
		return WEFT_OK;
	double mean = get_figure(sj, "mean_ms"), sd = get_figure(sj, "sd_ms");
	double mn = get_figure(sj, "min_ms"), mx = get_figure(sj, "max_ms");
	if (!isfinite(mean) || !isfinite(sd) || !isfinite(mn) || !isfinite(mx)) {
		a->moments = false; /* the histogram's, then */
		return WEFT_OK;
	}
	if (!near_bucket(mn, lo) || !near_bucket(mx, hi) || mn > mx)
		return weft_pl_not_report(d, r->name, r->text, pos(at, near_bucket(mn, lo) ? "max_ms" : "min_ms"),
					  "%s: min_ms and max_ms do not match its histogram", what);
	/* Chan et al.'s parallel combination, as the histogram does */
	double n0 = (double)a->n, n1 = (double)t, n = n0 + n1, delta = mean - a->mean;
	a->mean += delta * n1 / n;
	a->m2 += sd * sd * (n1 - 1) + delta * delta * n0 * n1 / n;
	a->n += t;
	a->min_ms = mn < a->min_ms ? mn : a->min_ms;
	a->max_ms = max_of(a->max_ms, mx);
	return WEFT_OK;
}

/* Add r's error kinds of series s. */
static int add_error_kinds(weft_pipelines_series *s, const report *r, const cJSON *sj, const char *at,
			   const char *what, weft_diags *d)
{
	const cJSON *arr = get(sj, "error_kinds"), *it;
	const char *eat = weft_pl_json_element(pos(at, "error_kinds"), 0);
	size_t k = 0;
	if (arr && !cJSON_IsArray(arr))
		return weft_pl_not_report(d, r->name, r->text, pos(at, "error_kinds"), "%s: error_kinds is not an array",
					  what);
	for (it = arr ? arr->child : NULL; it; it = it->next, eat = weft_pl_json_next(eat), k++) {
		const char *text = get_string(it, "error");
		uint64_t c;
		if (!text)
			return weft_pl_not_report(d, r->name, r->text, eat, "error kind %zu of %s has no error text", k,
						  what);
		int err = get_count(&c, r, it, eat, "count", "error_kinds", d);
		if (err)
			return err;
		if (!c)
			continue;
		weft_pipelines_error_kind *ek = NULL;
		for (size_t j = 0; j < s->n_error_kinds && !ek; j++)
			if (!strcmp(s->error_kinds[j].error, text))
				ek = &s->error_kinds[j];
		if (!ek && s->n_error_kinds >= MAX_ERROR_KINDS)
			return weft_pl_not_report(d, r->name, r->text, eat, "%s has more than %d kinds of error", what,
						  MAX_ERROR_KINDS);
		if (!ek && !(ek = weft_pl_series_error_kind(s, text)))
			return WEFT_ENOMEM;
		ek->count += c;
	}
	return WEFT_OK;
}

/* Add r's phase histograms of series s, each to the phase of its name. */
static int add_phases(weft_pipelines_series *s, const report *r, const cJSON *sj, const char *at,
		      const char *what, weft_diags *d)
{
	const cJSON *arr = get(sj, "phases"), *it;
	const char *pat = weft_pl_json_element(pos(at, "phases"), 0);
	if (arr && !cJSON_IsArray(arr))
		return weft_pl_not_report(d, r->name, r->text, pos(at, "phases"), "%s: phases is not an array", what);
	for (it = arr ? arr->child : NULL; it; it = it->next, pat = weft_pl_json_next(pat)) {
		const char *name = get_string(it, "name");
		if (!name)
			return weft_pl_not_report(d, r->name, r->text, pat, "a phase of %s has no name", what);
		size_t p = 0;
		while (p < s->n_phases && strcmp(s->phases[p].name, name))
			p++;
		if (p == s->n_phases) {
			if (p >= WEFT_PL_MAX_PHASES)
				return weft_pl_not_report(d, r->name, r->text, pat, "%s has more than %d phases", what,
							  WEFT_PL_MAX_PHASES);
			weft_pipelines_phase *ph = realloc(s->phases, (p + 1) * sizeof *ph);
			if (!ph)
				return WEFT_ENOMEM;
			s->phases = ph;
			memset(&ph[p], 0, sizeof ph[p]);
			if (!(ph[p].name = strdup(name)) || weft_pipelines_hist_new(&ph[p].hist)) {
				free(ph[p].name);
				return WEFT_ENOMEM;
			}
			s->n_phases++;
		}
		char pwhat[160];
		snprintf(pwhat, sizeof pwhat, "phase '%.32s' of %s", name, what);
		uint64_t t;
		int err = add_buckets(s->phases[p].hist, &t, NULL, NULL, r, it, pat, pwhat, d);
		if (err)
			return err;
	}
	return WEFT_OK;
}

/* Add series i of report r (at `at` in its text; warm warm-up queries) to
 * the merged series. */
static int add_series(merge *m, const report *r, const report *first, size_t i, const char *at, uint64_t warm)
{
	weft_diags *d = m->d;
	weft_pipelines_series *s = &m->res->series[i];
	series_acc *a = &m->acc[i];
	const cJSON *sj = cJSON_GetArrayItem(r->series, (int)i);
	const char *name = get_string(sj, "name");
	weft_pipelines_series kind;
	if (!name || strcmp(name, s->name) || parse_kind(&kind, get_string(sj, "kind")) || kind.kind != s->kind ||
	    kind.is_e2e != s->is_e2e)
		return not_same(d, r, first, at, "has other stages");
	char what[80];
	series_what(what, sizeof what, name);
	weft_pipelines_budget b[WEFT_PIPELINES_MAX_BUDGETS];
	size_t nb;
	int err = read_budgets(b, &nb, r, sj, at, what, d);
	if (err)
		return err;
	if (!same_budgets(a, b, nb))
		return not_same(d, r, first, pos(at, "budgets"), "has other budgets");
	uint64_t t, count, errors;
	double lo, hi;
	if ((err = add_buckets(s->hist, &t, &lo, &hi, r, sj, at, what, d)) ||
	    (err = get_count(&count, r, sj, at, "count", what, d)) ||
	    (err = get_count(&errors, r, sj, at, "errors", what, d)))
		return err;
	if (count != t)
		return weft_pl_not_report(d, r->name, r->text, pos(at, "count"),
					  "%s counts %llu queries, its histogram %llu", what, (unsigned long long)count,
					  (unsigned long long)t);
	s->errors += errors;
	if ((err = pool_moments(a, r, sj, at, t, lo, hi, what, d)) || (err = add_error_kinds(s, r, sj, at, what, d)) ||
	    (err = add_phases(s, r, sj, at, what, d)))
		return err;
	double wm = get_figure(sj, "warmup_mean_ms");
	if (warm && isfinite(wm))
		a->warm_sum += wm * (double)warm;
	else if (warm)
		a->warm_ok = false;
	return WEFT_OK;
}

/* ---- the time series ------------------------------------------------------------ */

/* Seconds of a report past this (116 days) are refused: no run is that long. */
#define MAX_T_S 10000000.0

/* Add second o's buckets into m->counts. */
static void spread(merge *m, const weft_pipelines_second *o)
{
	for (size_t k = 0; k < o->n_buckets; k++)
		m->counts[weft_pl_ts_bucket(o->buckets[k].value_ns)] += o->buckets[k].count;
}

/* Read second e of r's time series (at `at`, following the second prev,
 * UINT64_MAX for none) into o, its buckets summed by the run's layout. */
static int read_second(merge *m, weft_pipelines_second *o, const report *r, const cJSON *e, const char *at,
		       uint64_t prev, const char *what)
{
	weft_diags *d = m->d;
	int err;
	if (!cJSON_IsObject(e))
		return weft_pl_not_report(d, r->name, r->text, at, "%s is not an object", what);
	if ((err = get_count(&o->t_s, r, e, at, "t_s", what, d)) ||
	    (err = get_count(&o->queries, r, e, at, "queries", what, d)) ||
	    (err = get_count(&o->errors, r, e, at, "errors", what, d)) ||
	    (err = get_number(&o->span_s, r, e, at, "span_s", false, what, d)))
		return err;
	if ((double)o->t_s > MAX_T_S || (prev != UINT64_MAX && o->t_s <= prev))
		return weft_pl_not_report(d, r->name, r->text, pos(at, "t_s"),
					  "%s.t_s is not after the second before it (or past %.0f s)", what, MAX_T_S);
	if (!(o->span_s > 0 && o->span_s <= 1))
		return weft_pl_not_report(d, r->name, r->text, pos(at, "span_s"),
					  "%s.span_s is not a length from 0 to 1 s", what);
	if (o->errors > o->queries)
		return weft_pl_not_report(d, r->name, r->text, pos(at, "errors"), "%s has more errors than queries",
					  what);
	weft_pipelines_wsample *w;
	size_t n;
	uint64_t total;
	if ((err = weft_pl_read_buckets(&w, &n, &total, e, 1.0, what, d, r->name, r->text, at)))
		return err;
	bool in_range = true;
	for (size_t k = 0; k < n; k++) {
		in_range = in_range && w[k].value < 0x1p43;
		if (in_range)
			m->counts[weft_pl_ts_bucket((uint64_t)nearbyint(w[k].value))] += w[k].count;
	}
	free(w);
	if (!in_range || total != o->queries - o->errors) {
		memset(m->counts, 0, sizeof m->counts);
		return weft_pl_not_report(d, r->name, r->text, at,
					  !in_range ? "%s has a bucket above the histogram's range (2^43 ns)"
						    : "%s: its histogram does not hold its queries less its errors",
					  what);
	}
	return weft_pl_second_set(o, m->counts) ? WEFT_OK : WEFT_ENOMEM;
}

static void seconds_free(weft_pipelines_second *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(s[i].buckets);
	free(s);
}

/* Merge the seconds b[0..nb) (of one report, t_s increasing) into the
 * result's, second by second offset; b's arrays are taken over or freed. */
static int merge_seconds(merge *m, weft_pipelines_second *b, size_t nb)
{
	weft_pipelines_result *res = m->res;
	weft_pipelines_second *a = res->seconds, *o = calloc(res->n_seconds + nb + 1, sizeof *o);
	size_t na = res->n_seconds, i = 0, j = 0, k = 0;
	int err = o ? WEFT_OK : WEFT_ENOMEM;
	while (!err && (i < na || j < nb)) {
		if (j == nb || (i < na && a[i].t_s < b[j].t_s)) {
			o[k++] = a[i];
			a[i++].buckets = NULL;
		} else if (i == na || b[j].t_s < a[i].t_s) {
			o[k++] = b[j];
			b[j++].buckets = NULL;
		} else {
			o[k] = a[i];
			o[k].buckets = NULL;
			o[k].queries += b[j].queries;
			o[k].errors += b[j].errors;
			o[k].span_s = fmax(a[i].span_s, b[j].span_s);
			spread(m, &a[i++]);
			spread(m, &b[j++]);
			if (!weft_pl_second_set(&o[k++], m->counts))
				err = WEFT_ENOMEM;
		}
	}
	seconds_free(a, na);
	seconds_free(b, nb);
	res->seconds = o;
	res->n_seconds = k;
	return err;
}

/* Add r's time series to the merged one (a report without one: noted). */
static int add_timeseries(merge *m, const report *r, uint64_t measured)
{
	const cJSON *ts = get(r->root, "timeseries"), *e;
	const char *at = pos(r->at, "timeseries");
	if (!ts || cJSON_IsNull(ts)) {
		if (!m->no_timeseries)
			m->no_timeseries = r->name;
		return WEFT_OK;
	}
	if (!cJSON_IsArray(ts))
		return weft_pl_not_report(m->d, r->name, r->text, at, "timeseries is not an array");
	size_t n = (size_t)cJSON_GetArraySize(ts), i = 0;
	weft_pipelines_second *b = calloc(n + 1, sizeof *b);
	if (!b)
		return WEFT_ENOMEM;
	int err = WEFT_OK;
	uint64_t prev = UINT64_MAX, sum = 0;
	at = weft_pl_json_element(at, 0);
	for (e = ts->child; e && !err; e = e->next, at = weft_pl_json_next(at), i++) {
		char what[48];
		snprintf(what, sizeof what, "timeseries[%zu]", i);
		err = read_second(m, &b[i], r, e, at, prev, what);
		prev = b[i].t_s;
		sum += b[i].queries;
		if (!err && sum > measured)
			err = weft_pl_not_report(m->d, r->name, r->text, at,
						 "%s brings the time series past the report's %llu measured queries",
						 what, (unsigned long long)measured);
	}
	if (err) {
		seconds_free(b, n);
		return err;
	}
	return merge_seconds(m, b, n);
}

/* Every merged second's rate, p50 and p99; none when a report had none. */
static void finish_timeseries(merge *m)
{
	weft_pipelines_result *res = m->res;
	if (m->no_timeseries && res->n_seconds)
		weft_pipelines_result_note(res,
					   "%s has no per-second time series (an older weft wrote it): the merged "
					   "run has none.",
					   m->no_timeseries);
	if (m->no_timeseries)
		weft_pl_seconds_clear(res);
	for (size_t i = 0; i < res->n_seconds; i++)
		weft_pl_second_finish(&res->seconds[i]);
}

/* Add report r's counts, figures and series to the merged result. */
static int add_report(merge *m, const report *r, const report *first)
{
	weft_pipelines_result *res = m->res;
	weft_diags *d = m->d;
	const char *name = get_string(get(r->root, "pipeline"), "name");
	if (strcmp(name, res->pipeline)) {
		int line = 0, col = 0;
		weft_pl_line_col(r->text, pos(pos(r->at, "pipeline"), "name"), &line, &col);
		weft_diags_add(d, WEFT_SEV_ERROR, r->name, line, col, "merge the reports of runs of one pipeline only",
			       "this report is of pipeline '%.64s', %s is of '%.64s'", name, first->name, res->pipeline);
		return WEFT_EINVALID;
	}
	if ((size_t)cJSON_GetArraySize(r->series) != res->n_series)
		return not_same(d, r, first, pos(r->at, "series"), "has other stages");
	const cJSON *er = get(r->root, "error_rate");
	if (!cJSON_IsBool(get(er, "budget_set")) || cJSON_IsTrue(get(er, "budget_set")) != m->has_error_budget ||
	    get_figure(er, "budget") != m->error_budget)
		return not_same(d, r, first, pos(r->at, "error_rate"), "has another error budget");
	/* queries */
	const cJSON *q = get(r->root, "queries");
	const char *qat = pos(r->at, "queries");
	uint64_t measured, errors, dropped, warm;
	int err;
	if ((err = get_count(&measured, r, q, qat, "measured", "queries", d)) ||
	    (err = get_count(&errors, r, q, qat, "errors", "queries", d)) ||
	    (err = get_count(&dropped, r, q, qat, "dropped", "queries", d)) ||
	    (err = get_count(&warm, r, q, qat, "warmup", "queries", d)))
		return err;
	if (errors > measured || dropped > errors)
		return weft_pl_not_report(d, r->name, r->text, qat,
					  "queries: more errors than measured, or more dropped than errors");
	if ((double)res->measured + (double)measured + (double)res->warmup_done + (double)warm > WEFT_PL_MAX_TOTAL ||
	    (double)res->workers + (double)r->workers > WEFT_PL_MAX_TOTAL)
		return weft_pl_not_report(d, r->name, r->text, qat, "the merged run would hold more than %.0f queries",
					  WEFT_PL_MAX_TOTAL);
	res->measured += measured;
	res->errors += errors;
	res->dropped += dropped;
	res->warmup_done += warm;
	res->workers += (size_t)r->workers;
	double sm = get_figure(q, "samples");
	res->samples += isfinite(sm) && sm >= (double)measured && sm <= WEFT_PL_MAX_TOTAL ? (uint64_t)sm : measured;
	const cJSON *of = get(r->root, "offline");
	double svc_mean = get_figure(of, "service_mean_ms"), svc_sd = get_figure(of, "service_sd_ms");
	double ok = (double)(measured - errors);
	if (isfinite(svc_mean) && isfinite(svc_sd) && svc_mean >= 0 && svc_sd >= 0) {
		m->svc_n += ok;
		m->svc_sum += svc_mean * ok;
		m->svc_sq += svc_sd * svc_sd * (ok > 1 ? ok - 1 : 0) + svc_mean * svc_mean * ok;
	} else {
		m->svc_unknown = true;
	}
	double el = get_figure(q, "elapsed_s"), tp = get_figure(q, "throughput_qps"), ext = get_figure(q, "extensions");
	res->elapsed_s = max_of(res->elapsed_s, el);
	res->throughput_qps += isfinite(tp) ? tp : 0;
	if (isfinite(ext) && ext <= WEFT_PL_MAX_TOTAL && (uint64_t)ext > res->extensions)
		res->extensions = (uint64_t)ext;
	if (r->scenario == WEFT_SCENARIO_SERVER && isfinite(r->rate))
		res->load.rate += r->rate;
	const char *st = get_string(r->root, "started_at");
	if (st && strlen(st) < sizeof res->started_at && (!res->started_at[0] || strcmp(st, res->started_at) < 0))
		snprintf(res->started_at, sizeof res->started_at, "%s", st);
	/* late sends (server), over each report's sends */
	const cJSON *ls = get(r->root, "late_sends");
	if (cJSON_IsObject(ls)) {
		const char *lat = pos(r->at, "late_sends");
		uint64_t c, busy, wake;
		if ((err = get_count(&c, r, ls, lat, "count", "late_sends", d)) ||
		    (err = get_count(&busy, r, ls, lat, "waited_for_worker", "late_sends", d)) ||
		    (err = get_count(&wake, r, ls, lat, "harness_wakeup", "late_sends", d)))
			return err;
		res->late_count += c;
		res->late_busy += busy;
		res->late_wakeup += wake;
		res->late_max_ms = max_of(res->late_max_ms, get_figure(ls, "max_ms"));
		res->wakeup_max_us = max_of(res->wakeup_max_us, get_figure(ls, "wakeup_max_us"));
		weigh(&m->late_sum, &m->late_w, get_figure(ls, "mean_ms"), (double)(measured - dropped));
		weigh(&m->wake_sum, &m->wake_w, get_figure(ls, "wakeup_mean_us"), (double)(measured - dropped + warm));
	}
	/* the harness, per measured query */
	const cJSON *h = get(r->root, "harness");
	weigh(&m->over_sum, &m->over_w, get_figure(h, "overhead_mean_us"), (double)measured);
	weigh(&m->clock_sum, &m->clock_w, get_figure(h, "clock_read_ns"), 1.0);
	res->overhead_p99_us = max_of(res->overhead_p99_us, get_figure(h, "overhead_p99_us"));
	res->overhead_max_us = max_of(res->overhead_max_us, get_figure(h, "overhead_max_us"));
	const char *at = weft_pl_json_element(pos(r->at, "series"), 0);
	for (size_t i = 0; i < res->n_series && !err; i++, at = weft_pl_json_next(at))
		err = add_series(m, r, first, i, at, warm);
	return err ? err : add_timeseries(m, r, measured);
}

/* ---- finishing ------------------------------------------------------------------ */

/* Judge every series from its merged histogram, with its budgets. */
static void finish_series(merge *m)
{
	weft_pipelines_result *res = m->res;
	for (size_t i = 0; i < res->n_series; i++) {
		weft_pipelines_series *s = &res->series[i];
		const series_acc *a = &m->acc[i];
		s->count = weft_pipelines_hist_count(s->hist);
		s->exact = false;
		s->drift = NAN;
		weft_pl_series_moments(s);
		if (a->moments && a->n == s->count && s->count) {
			s->mean_ms = a->mean;
			s->sd_ms = s->count > 1 ? sqrt(fmax(a->m2, 0) / (double)(s->count - 1)) : 0;
			s->cv = s->mean_ms > 0 ? s->sd_ms / s->mean_ms : 0;
			s->min_ms = a->min_ms;
			s->max_ms = a->max_ms;
		}
		s->warmup_mean_ms = res->warmup_done && a->warm_ok ? a->warm_sum / (double)res->warmup_done : NAN;
		weft_pl_series_judge(s, a->b, a->nb, NULL, 0, res->confidence);
		if (s->is_e2e)
			s->errors = res->errors;
	}
}

/* "shard 1/3" or "a whole run". */
static const char *shard_text(char *buf, size_t size, const report *r)
{
	if (r->shard_count > 1)
		snprintf(buf, size, "shard %u/%u", r->shard_index, r->shard_count);
	else
		snprintf(buf, size, "a whole run");
	return buf;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* The shards given: each of 0..N-1 once, of one N, and no whole run among them. */
static void shard_notes(weft_pipelines_result *res, const report *rp, size_t n)
{
	uint32_t count = rp[0].shard_count;
	for (size_t i = 1; i < n; i++)
		if (rp[i].shard_count != count) {
			char a[48], b[48];
			weft_pipelines_result_note(res,
						   "%s is %s, %s %s: the reports are not the shards of one split run, "
						   "so the merged figures mix runs scheduled apart.",
						   rp[0].name, shard_text(a, sizeof a, &rp[0]), rp[i].name,
						   shard_text(b, sizeof b, &rp[i]));
			return;
		}
	if (count <= 1)
		return;
	uint32_t *idx = malloc(n * sizeof *idx);
	if (!idx)
		return;
	for (size_t i = 0; i < n; i++)
		idx[i] = rp[i].shard_index;
	qsort(idx, n, sizeof *idx, cmp_u32);
	uint64_t distinct = 0;
	for (size_t i = 0; i < n; i++) {
		if (i && idx[i] == idx[i - 1]) {
			if (i < 2 || idx[i - 2] != idx[i])
				weft_pipelines_result_note(res,
							   "Shard %u/%u is given more than once: its queries count "
							   "twice in the merged run.",
							   idx[i], count);
			continue;
		}
		distinct++;
	}
	if (distinct < count) {
		weft_buf b = WEFT_BUF_INIT;
		uint64_t listed = 0, want = 0;
		for (size_t i = 0; i <= n && listed < 8; i++) {
			uint64_t upto = i < n ? idx[i] : count; /* every index below upto, not seen */
			for (; want < upto && listed < 8; want++, listed++)
				weft_buf_printf(&b, "%s%llu/%u", listed ? ", " : "", (unsigned long long)want, count);
			if (i < n && want <= idx[i])
				want = (uint64_t)idx[i] + 1;
		}
		weft_pipelines_result_note(res,
					   "%llu of the %u shards %s missing (%s%s): the merged run holds only "
					   "part of the split run's queries.",
					   (unsigned long long)(count - distinct), count, count - distinct > 1 ? "are" : "is",
					   b.ptr ? b.ptr : "", count - distinct > listed ? ", ..." : "");
		weft_buf_free(&b);
	}
	free(idx);
}

/* Notes on settings that make the sum doubtful. */
static void merge_notes(weft_pipelines_result *res, const report *rp, size_t n)
{
	const report *f = &rp[0];
	for (size_t i = 1; i < n; i++) {
		const report *r = &rp[i];
		if (r->scenario != f->scenario)
			weft_pipelines_result_note(res,
						   "%s ran the %s scenario, %s the %s one: the merged latencies mix "
						   "two kinds of load.",
						   r->name, weft_pipelines_scenario_name(r->scenario), f->name,
						   weft_pipelines_scenario_name(f->scenario));
		if (r->confidence != f->confidence)
			weft_pipelines_result_note(res,
						   "%s was judged at %g%% confidence, %s at %g%%: the merged run is "
						   "judged at %g%%.",
						   r->name, 100.0 * r->confidence, f->name, 100.0 * f->confidence,
						   100.0 * res->confidence);
		if (r->scenario == WEFT_SCENARIO_SERVER && f->scenario == WEFT_SCENARIO_SERVER &&
		    fabs(r->rate - f->rate) > 1e-9 * fabs(f->rate))
			weft_pipelines_result_note(res,
						   "%s sent %g q/s, %s %g q/s: the shards of one run share its rate "
						   "alike; the merged rate (%g q/s) is their sum.",
						   r->name, r->rate, f->name, f->rate, res->load.rate);
		for (size_t j = 0; j < i; j++)
			if (r->shard_count <= 1 && rp[j].shard_count <= 1 && r->seed == rp[j].seed) {
				weft_pipelines_result_note(res,
							   "%s and %s ran with the same seed (%llu): their schedules "
							   "and modelled delays repeat, so their queries are not "
							   "independent.",
							   rp[j].name, r->name, (unsigned long long)r->seed);
				break;
			}
	}
	shard_notes(res, rp, n);
}

/* Every figure that is not a series' from the sums, then the verdicts. */
static void finish(merge *m, const report *rp, size_t n)
{
	weft_pipelines_result *res = m->res;
	res->load.concurrency = res->workers;
	res->late_mean_ms = m->late_w > 0 ? m->late_sum / m->late_w : 0;
	res->wakeup_mean_us = m->wake_w > 0 ? m->wake_sum / m->wake_w : 0;
	res->overhead_mean_us = m->over_w > 0 ? m->over_sum / m->over_w : 0;
	res->clock_read_ns = m->clock_w > 0 ? m->clock_sum / m->clock_w : 0;
	res->overhead_p99_us = isfinite(res->overhead_p99_us) ? res->overhead_p99_us : 0;
	res->overhead_max_us = isfinite(res->overhead_max_us) ? res->overhead_max_us : 0;
	finish_series(m);
	res->service_mean_ms = res->service_sd_ms = NAN;
	if (!m->svc_unknown && m->svc_n > 1) {
		res->service_mean_ms = m->svc_sum / m->svc_n;
		double var = (m->svc_sq - m->svc_sum * m->svc_sum / m->svc_n) / (m->svc_n - 1);
		res->service_sd_ms = sqrt(var > 0 ? var : 0);
	}
	finish_timeseries(m);
	weft_pl_harness_share(res);
	weft_pl_error_judge(res, m->has_error_budget, m->error_budget, res->confidence);
	weft_pl_offline_window(res);
	weft_pl_tally_verdicts(res);
	merge_notes(res, rp, n);
}

int weft_pipelines_result_merge_json(weft_pipelines_result **out, const char *const *names,
				     const char *const *texts, size_t n, weft_diags *d)
{
	*out = NULL;
	if (!n)
		return weft_diags_error(d, NULL, 0, 0, "merge at least one report");
	report *rp = calloc(n, sizeof *rp);
	merge m = { .d = d };
	m.res = calloc(1, sizeof *m.res);
	int err = rp && m.res ? WEFT_OK : WEFT_ENOMEM;
	for (size_t i = 0; i < n && !err; i++) {
		rp[i].name = names[i] ? names[i] : "report";
		rp[i].text = texts[i];
		err = texts[i] ? open_report(&rp[i], d) : weft_diags_error(d, rp[i].name, 0, 0, "no report to merge");
	}
	if (!err)
		err = start_result(&m, &rp[0]);
	for (size_t i = 0; i < n && !err; i++)
		err = add_report(&m, &rp[i], &rp[0]);
	if (!err)
		finish(&m, rp, n);
	for (size_t i = 0; rp && i < n; i++)
		cJSON_Delete(rp[i].root);
	free(rp);
	free(m.acc);
	if (err) {
		weft_pipelines_result_free(m.res);
		return err;
	}
	*out = m.res;
	return WEFT_OK;
}

int weft_pipelines_result_merge(weft_pipelines_result **out, const char *const *paths, size_t n,
				weft_diags *d)
{
	*out = NULL;
	char **texts = calloc(n ? n : 1, sizeof *texts);
	if (!texts)
		return WEFT_ENOMEM;
	int err = WEFT_OK;
	for (size_t i = 0; i < n && !err; i++)
		err = weft_file_read(&texts[i], NULL, paths[i], 256u << 20, d);
	if (!err)
		err = weft_pipelines_result_merge_json(out, paths, (const char *const *)texts, n, d);
	for (size_t i = 0; i < n; i++)
		free(texts[i]);
	free(texts);
	return err;
}
