/* report_json.c - the machine-readable report (docs/schemas/bench-report.schema.json).
 *
 * Design: everything the text report says, as data, plus what a later run
 * needs to compare against this one: each series' histogram as
 * [value_ns, count] pairs of its non-empty buckets (bounded size, 0.1%
 * precision), which is what --baseline reads, and each http phase's in the
 * same shape, so that the reports of split runs merge (weft bench merge);
 * likewise each second of the time series, with a coarser histogram (1/32)
 * that keeps a long run's report small. Missing numbers (no interval
 * with too few queries) are null, never a made-up value. Built with cJSON.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <string.h>

#include "report_int.h"

static void num(cJSON *o, const char *k, double v)
{
	if (isfinite(v))
		cJSON_AddNumberToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

static void str(cJSON *o, const char *k, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

static void count(cJSON *o, const char *k, uint64_t v)
{
	cJSON_AddNumberToObject(o, k, (double)v);
}

cJSON *weft_pl_pctl_json(const weft_pipelines_pctl *p)
{
	cJSON *o = cJSON_CreateObject();
	str(o, "label", p->label);
	num(o, "q", p->q);
	num(o, "value_ms", p->value_ms);
	num(o, "ci_low_ms", p->has_lo ? p->lo_ms : NAN);
	num(o, "ci_high_ms", p->has_hi ? p->hi_ms : NAN);
	if (p->q < 1.0 && isfinite(p->value_ms)) {
		num(o, "ci_low_rank", p->has_lo ? (double)p->lo_rank : NAN);
		num(o, "ci_high_rank", p->has_hi ? (double)p->hi_rank : NAN);
	} else {
		cJSON_AddNullToObject(o, "ci_low_rank");
		cJSON_AddNullToObject(o, "ci_high_rank");
	}
	num(o, "se_log", p->se_log);
	num(o, "vif", p->vif);
	return o;
}

/* o's "histogram" of the given precision; returns its (empty) buckets. */
static cJSON *hist_open(cJSON *o, double relative_error)
{
	cJSON *hj = cJSON_AddObjectToObject(o, "histogram");
	str(hj, "unit", "ns");
	num(hj, "relative_error", relative_error);
	return cJSON_AddArrayToObject(hj, "buckets");
}

static void bucket_pair(cJSON *buckets, uint64_t value_ns, uint64_t n)
{
	cJSON *pair = cJSON_CreateArray();
	cJSON_AddItemToArray(pair, cJSON_CreateNumber((double)value_ns));
	cJSON_AddItemToArray(pair, cJSON_CreateNumber((double)n));
	cJSON_AddItemToArray(buckets, pair);
}

/* o's "histogram": the non-empty buckets of h as [value_ns, count]. */
static void hist_json(cJSON *o, const weft_pipelines_hist *h)
{
	cJSON *bk = hist_open(o, WEFT_PIPELINES_HIST_REL_ERROR);
	size_t it = 0;
	uint64_t v, n;
	while (weft_pipelines_hist_next(h, &it, &v, &n))
		bucket_pair(bk, v, n);
}

/* A phase: its summary figures and its histogram. */
static cJSON *hist_summary(const weft_pipelines_hist *h, const char *name)
{
	cJSON *o = cJSON_CreateObject();
	str(o, "name", name);
	uint64_t n = weft_pipelines_hist_count(h);
	count(o, "count", n);
	num(o, "mean_ms", n ? weft_pipelines_hist_mean(h) / 1e6 : NAN);
	num(o, "p50_ms", n ? (double)weft_pipelines_hist_at_rank(h, weft_pipelines_quantile_rank(n, 0.5)) / 1e6 : NAN);
	num(o, "p99_ms", n ? (double)weft_pipelines_hist_at_rank(h, weft_pipelines_quantile_rank(n, 0.99)) / 1e6 : NAN);
	num(o, "max_ms", n ? (double)weft_pipelines_hist_max(h) / 1e6 : NAN);
	hist_json(o, h);
	return o;
}

/* The per-second time series: each second's figures and its compact
 * histogram, in the shape of a series' (so merge reads both alike). */
static void timeseries_json(cJSON *root, const weft_pipelines_result *r)
{
	cJSON *ts = cJSON_AddArrayToObject(root, "timeseries");
	for (size_t i = 0; i < r->n_seconds; i++) {
		const weft_pipelines_second *s = &r->seconds[i];
		cJSON *o = cJSON_CreateObject();
		count(o, "t_s", s->t_s);
		num(o, "span_s", s->span_s);
		count(o, "queries", s->queries);
		count(o, "errors", s->errors);
		num(o, "rate_qps", s->rate_qps);
		num(o, "p50_ms", s->p50_ms);
		num(o, "p99_ms", s->p99_ms);
		cJSON *bk = hist_open(o, WEFT_PIPELINES_SECOND_REL_ERROR);
		for (size_t k = 0; k < s->n_buckets; k++)
			bucket_pair(bk, s->buckets[k].value_ns, s->buckets[k].count);
		cJSON_AddItemToArray(ts, o);
	}
}

static cJSON *series_json(const weft_pipelines_result *r, const weft_pipelines_series *s)
{
	cJSON *o = cJSON_CreateObject();
	str(o, "name", s->name);
	str(o, "kind", s->is_e2e ? "end-to-end" : weft_pipelines_stage_kind_name(s->kind));
	cJSON_AddBoolToObject(o, "end_to_end", s->is_e2e);
	count(o, "count", s->count);
	count(o, "errors", s->errors);
	cJSON_AddBoolToObject(o, "exact", s->exact);
	num(o, "mean_ms", s->count ? s->mean_ms : NAN);
	num(o, "sd_ms", s->count ? s->sd_ms : NAN);
	num(o, "cv", s->count ? s->cv : NAN);
	num(o, "min_ms", s->count ? s->min_ms : NAN);
	num(o, "max_ms", s->count ? s->max_ms : NAN);
	num(o, "drift", s->drift);
	num(o, "warmup_mean_ms", s->warmup_mean_ms);
	cJSON *ps = cJSON_AddArrayToObject(o, "percentiles");
	for (size_t i = 0; i < WEFT_PIPELINES_N_PCTL; i++)
		cJSON_AddItemToArray(ps, weft_pl_pctl_json(&s->pctl[i]));
	cJSON *bs = cJSON_AddArrayToObject(o, "budgets");
	for (size_t i = 0; i < s->n_checks; i++) {
		const weft_pipelines_check *c = &s->checks[i];
		cJSON *b = cJSON_CreateObject();
		str(b, "label", c->budget.label);
		num(b, "q", c->budget.q);
		num(b, "limit_ms", c->budget.limit_ms);
		str(b, "verdict", weft_pipelines_verdict_name(c->verdict));
		num(b, "estimate_ms", c->at.value_ms);
		num(b, "ci_low_ms", c->at.has_lo ? c->at.lo_ms : NAN);
		num(b, "ci_high_ms", c->at.has_hi ? c->at.hi_ms : NAN);
		num(b, "se_log", c->at.se_log);
		num(b, "vif", c->at.vif);
		count(b, "over", c->over);
		if (c->verdict == WEFT_VERDICT_INCONCLUSIVE && c->need_more != UINT64_MAX)
			count(b, "need_more", c->need_more);
		else
			cJSON_AddNullToObject(b, "need_more");
		num(b, "share_of_end_to_end", s->is_e2e ? NAN : weft_pl_budget_share(r, c));
		cJSON_AddItemToArray(bs, b);
	}
	cJSON *ek = cJSON_AddArrayToObject(o, "error_kinds");
	for (size_t i = 0; i < s->n_error_kinds; i++) {
		cJSON *e = cJSON_CreateObject();
		str(e, "error", s->error_kinds[i].error);
		count(e, "count", s->error_kinds[i].count);
		cJSON_AddItemToArray(ek, e);
	}
	cJSON *ph = cJSON_AddArrayToObject(o, "phases");
	for (size_t i = 0; i < s->n_phases; i++)
		if (weft_pipelines_hist_count(s->phases[i].hist))
			cJSON_AddItemToArray(ph, hist_summary(s->phases[i].hist, s->phases[i].name));
	hist_json(o, s->hist);
	return o;
}

cJSON *weft_pl_result_json(const weft_pipelines_result *r, const weft_pipelines_report_opts *opt)
{
	cJSON *root = cJSON_CreateObject();
	str(root, "format", "weft-bench-report");
	count(root, "format_version", 1);
	str(root, "weft_version", weft_version());
	cJSON *p = cJSON_AddObjectToObject(root, "pipeline");
	str(p, "name", r->pipeline);
	str(p, "pattern", r->pattern);
	str(p, "file", r->path);
	str(root, "started_at", r->started_at);

	const weft_pipelines_load *l = &r->load;
	cJSON *lo = cJSON_AddObjectToObject(root, "load");
	str(lo, "scenario", weft_pipelines_scenario_name(l->scenario));
	num(lo, "rate", l->scenario == WEFT_SCENARIO_SERVER ? l->rate : NAN);
	count(lo, "concurrency", r->workers);
	num(lo, "loops", r->loops ? (double)r->loops : NAN);
	str(lo, "http_client", r->http_client);
	num(lo, "duration_ms", l->duration_ms);
	num(lo, "max_duration_ms", l->max_duration_ms > 0 ? l->max_duration_ms : NAN);
	count(lo, "min_queries", l->min_queries);
	count(lo, "warmup", l->warmup);
	count(lo, "seed", l->seed);
	num(lo, "rows", l->rows ? (double)l->rows : NAN);
	num(lo, "window_ms", l->window_ms > 0 ? l->window_ms : NAN);
	count(lo, "rows_per_query", l->rows_per_query);
	num(lo, "samples_per_query", l->scenario == WEFT_SCENARIO_MULTI_STREAM ? (double)l->samples_per_query : NAN);
	if (l->shard_count > 1) {
		cJSON *sh = cJSON_AddObjectToObject(lo, "shard");
		count(sh, "index", l->shard_index);
		count(sh, "count", l->shard_count);
	} else {
		cJSON_AddNullToObject(lo, "shard");
	}
	num(root, "confidence", r->confidence);

	cJSON *q = cJSON_AddObjectToObject(root, "queries");
	count(q, "measured", r->measured);
	count(q, "ok", r->measured - r->errors);
	count(q, "errors", r->errors);
	count(q, "samples", r->samples);
	count(q, "dropped", r->dropped);
	count(q, "warmup", r->warmup_done);
	num(q, "elapsed_s", r->elapsed_s);
	num(q, "throughput_qps", r->throughput_qps);
	count(q, "extensions", r->extensions);

	if (l->scenario == WEFT_SCENARIO_SERVER) {
		cJSON *ls = cJSON_AddObjectToObject(root, "late_sends");
		num(ls, "threshold_ms", l->late_ms);
		count(ls, "count", r->late_count);
		num(ls, "max_ms", r->late_max_ms);
		num(ls, "mean_ms", r->late_mean_ms);
		count(ls, "waited_for_worker", r->late_busy);
		count(ls, "harness_wakeup", r->late_wakeup);
		num(ls, "wakeup_mean_us", r->wakeup_mean_us);
		num(ls, "wakeup_max_us", r->wakeup_max_us);
	} else {
		cJSON_AddNullToObject(root, "late_sends");
	}
	cJSON *h = cJSON_AddObjectToObject(root, "harness");
	count(h, "workers", r->workers);
	num(h, "overhead_mean_us", r->overhead_mean_us);
	num(h, "overhead_p99_us", r->overhead_p99_us);
	num(h, "overhead_max_us", r->overhead_max_us);
	num(h, "clock_read_ns", r->clock_read_ns);
	num(h, "share_of_end_to_end", r->harness_share);

	cJSON *ss = cJSON_AddArrayToObject(root, "series");
	for (size_t i = 0; i < r->n_series; i++)
		cJSON_AddItemToArray(ss, series_json(r, &r->series[i]));
	timeseries_json(root, r);

	cJSON *er = cJSON_AddObjectToObject(root, "error_rate");
	count(er, "errors", r->errors);
	count(er, "queries", r->measured);
	num(er, "rate", r->error_rate);
	num(er, "ci_low", r->error_lo);
	num(er, "ci_high", r->error_hi);
	num(er, "budget", r->error_budget);
	cJSON_AddBoolToObject(er, "budget_set", r->has_error_budget);
	str(er, "verdict", weft_pipelines_verdict_name(r->error_verdict));
	if (r->error_verdict == WEFT_VERDICT_INCONCLUSIVE && r->error_need_more != UINT64_MAX)
		count(er, "need_more", r->error_need_more);
	else
		cJSON_AddNullToObject(er, "need_more");

	if (r->has_window) {
		cJSON *of = cJSON_AddObjectToObject(root, "offline");
		count(of, "rows", l->rows);
		num(of, "window_ms", l->window_ms);
		count(of, "rows_per_query", l->rows_per_query);
		num(of, "rows_per_s", r->rows_per_s);
		num(of, "projected_ms", r->projected_ms);
		num(of, "projected_low_ms", r->projected_lo_ms);
		num(of, "projected_high_ms", r->projected_hi_ms);
		num(of, "service_mean_ms", r->service_mean_ms);
		num(of, "service_sd_ms", r->service_sd_ms);
		str(of, "verdict", weft_pipelines_verdict_name(r->window_verdict));
	} else {
		cJSON_AddNullToObject(root, "offline");
	}

	if (r->baseline_path) {
		cJSON *bl = cJSON_AddObjectToObject(root, "baseline");
		str(bl, "file", r->baseline_path);
		num(bl, "max_regression", r->max_regression);
		num(bl, "run_noise", r->run_noise);
		count(bl, "runs", r->base_runs);
		count(bl, "family", r->n_family);
		cJSON *cs = cJSON_AddArrayToObject(bl, "comparisons");
		for (size_t i = 0; i < r->n_cmp; i++) {
			const weft_pipelines_comparison *c = &r->cmp[i];
			cJSON *o = cJSON_CreateObject();
			str(o, "name", c->name);
			str(o, "verdict", weft_pipelines_cmp_name(c->verdict));
			num(o, "baseline_p50_ms", c->base_p50_ms);
			num(o, "baseline_p99_ms", c->base_p99_ms);
			num(o, "p50_ms", c->p50_ms);
			num(o, "p99_ms", c->p99_ms);
			num(o, "change_p50", c->change_p50);
			num(o, "p_regression", c->p_regression);
			num(o, "p_improvement", c->p_improvement);
			count(o, "baseline_count", c->base_count);
			cJSON *ps = cJSON_AddArrayToObject(o, "percentiles");
			for (size_t k = 0; k < c->n_pcts; k++) {
				const weft_pipelines_pctl_cmp *pc = &c->pcts[k];
				cJSON *pj = cJSON_CreateObject();
				str(pj, "label", pc->label);
				num(pj, "q", pc->q);
				cJSON_AddBoolToObject(pj, "budgeted", pc->budgeted);
				str(pj, "verdict", weft_pipelines_cmp_name(pc->verdict));
				num(pj, "baseline_ms", pc->base_ms);
				num(pj, "value_ms", pc->ms);
				num(pj, "ratio", pc->ratio);
				num(pj, "ratio_low", pc->ratio_lo);
				num(pj, "ratio_high", pc->ratio_hi);
				num(pj, "se_log", pc->se_log);
				num(pj, "p_regression", pc->p_regression);
				num(pj, "p_improvement", pc->p_improvement);
				cJSON_AddBoolToObject(pj, "baseline_error_assumed", pc->base_se_assumed);
				cJSON_AddItemToArray(ps, pj);
			}
			cJSON_AddItemToArray(cs, o);
		}
	} else {
		cJSON_AddNullToObject(root, "baseline");
	}
	cJSON *notes = cJSON_AddArrayToObject(root, "notes");
	for (size_t i = 0; i < r->n_notes; i++)
		cJSON_AddItemToArray(notes, cJSON_CreateString(r->notes[i]));
	cJSON *sum = cJSON_AddObjectToObject(root, "summary");
	count(sum, "met", r->n_met);
	count(sum, "broken", r->n_broken);
	count(sum, "inconclusive", r->n_inconclusive);
	count(sum, "regressions", r->n_regressions);
	count(sum, "improvements", r->n_improvements);
	str(sum, "verdict", weft_pl_overall(r));
	cJSON_AddBoolToObject(sum, "allow_inconclusive", opt && opt->allow_inconclusive);
	cJSON_AddBoolToObject(sum, "gate_passed",
			      weft_pipelines_result_gate(r, opt && opt->allow_inconclusive) == WEFT_OK);
	return root;
}

void weft_pl_put_json(weft_buf *b, cJSON *root)
{
	char *text = root ? cJSON_Print(root) : NULL;
	cJSON_Delete(root);
	if (!text) {
		b->oom = true;
		return;
	}
	weft_buf_puts(b, text);
	weft_buf_putc(b, '\n');
	cJSON_free(text);
}

void weft_pl_report_json(weft_buf *b, const weft_pipelines_result *r, const weft_pipelines_report_opts *opt)
{
	weft_pl_put_json(b, weft_pl_result_json(r, opt));
}
