/* report.c - the text report, and the one entry point for every format.
 *
 * Design: the text report is for a person at a terminal or reading a CI log:
 * one table of percentiles with their confidence intervals (each cell in a
 * single unit, "41.2 ms (40.1-42.5)"), then one line per budget with its
 * verdict and the numbers behind it, then what a careful reader needs to
 * trust the numbers (errors, late sends, harness overhead, noise notes). It
 * never sums percentiles across stages; a stage's "share" is its budget (or
 * its measured percentile) over the end-to-end budget at the same
 * percentile. Colour only when asked (the CLI asks on a terminal).
 */
#include <math.h>
#include <string.h>

#include "report_int.h"

/* The unit weft_pipelines_duration_format picks for ms (after rounding to 3
 * significant digits), so an interval can share its estimate's unit. */
void weft_pl_scale(double ms, double *mult, const char **unit, bool ascii)
{
	(void)ascii;
	double a = fabs(ms) * 1e6; /* ns */
	if (!isfinite(a) || a == 0) {
		*mult = 1;
		*unit = "ms";
		return;
	}
	int e = (int)floor(log10(a));
	double q = pow(10.0, e - 2), r = round(a / q) * q;
	if (a < 999.5) {
		*mult = 1e6;
		*unit = "ns";
	} else if (r < 1e6) {
		*mult = 1e3;
		*unit = "\xc2\xb5s";
	} else if (r < 1e9) {
		*mult = 1;
		*unit = "ms";
	} else if (r < 600e9) {
		*mult = 1e-3;
		*unit = "s";
	} else if (r < 7200e9) {
		*mult = 1.0 / 60e3;
		*unit = "min";
	} else {
		*mult = 1.0 / 3600e3;
		*unit = "h";
	}
}

/* Decimals for 3 significant digits of the estimate v (whole ns). */
static int digits_for(double v, const char *unit)
{
	if (!strcmp(unit, "ns"))
		return 0;
	double a = fabs(v);
	return a < 9.995 ? 2 : a < 99.95 ? 1 : 0;
}

char *weft_pl_fmt_pctl(char *buf, size_t size, const weft_pipelines_pctl *p, bool ascii)
{
	if (!isfinite(p->value_ms)) {
		snprintf(buf, size, "-");
		return buf;
	}
	double mult;
	const char *unit;
	weft_pl_scale(p->value_ms, &mult, &unit, ascii);
	double v = p->value_ms * mult;
	int dg = digits_for(v, unit);
	if (p->q >= 1.0 || (!p->has_lo && !p->has_hi)) {
		snprintf(buf, size, "%.*f %s", dg, v, unit);
		return buf;
	}
	char lo[40], hi[40];
	if (p->has_lo && isfinite(p->lo_ms))
		snprintf(lo, sizeof lo, "%.*f", dg, p->lo_ms * mult);
	else
		snprintf(lo, sizeof lo, "?");
	if (p->has_hi && isfinite(p->hi_ms))
		snprintf(hi, sizeof hi, "%.*f", dg, p->hi_ms * mult);
	else
		snprintf(hi, sizeof hi, "?");
	snprintf(buf, size, "%.*f %s (%s-%s)", dg, v, unit, lo, hi);
	return buf;
}

char *weft_pl_fmt_ms(char *buf, size_t size, double ms, bool ascii)
{
	return weft_pipelines_duration_format(buf, size, ms, ascii);
}

const char *weft_pl_overall(const weft_pipelines_result *r)
{
	if (r->n_broken || r->n_regressions)
		return "fail";
	if (r->n_inconclusive)
		return "inconclusive";
	return "pass";
}

const weft_pipelines_check *weft_pl_e2e_check(const weft_pipelines_result *r, const char *label)
{
	if (!r->n_series)
		return NULL;
	const weft_pipelines_series *e = &r->series[r->n_series - 1];
	for (size_t i = 0; i < e->n_checks; i++)
		if (!strcmp(e->checks[i].budget.label, label))
			return &e->checks[i];
	return NULL;
}

double weft_pl_budget_share(const weft_pipelines_result *r, const weft_pipelines_check *c)
{
	const weft_pipelines_check *e = weft_pl_e2e_check(r, c->budget.label);
	if (!e || !(e->budget.limit_ms > 0))
		return NAN;
	return c->budget.limit_ms / e->budget.limit_ms;
}

weft_pipelines_verdict weft_pl_series_verdict(const weft_pipelines_series *s, bool *any)
{
	*any = s->n_checks > 0;
	weft_pipelines_verdict v = WEFT_VERDICT_MET;
	for (size_t i = 0; i < s->n_checks; i++) {
		if (s->checks[i].verdict == WEFT_VERDICT_BROKEN)
			return WEFT_VERDICT_BROKEN;
		if (s->checks[i].verdict == WEFT_VERDICT_INCONCLUSIVE)
			v = WEFT_VERDICT_INCONCLUSIVE;
	}
	return v;
}

void weft_pl_pctl_sentence(weft_buf *b, const char *label, const weft_pipelines_pctl *p, double confidence,
			   bool ascii)
{
	char v[48] = "-", lo[32] = "none", hi[32] = "none";
	if (isfinite(p->value_ms))
		weft_pl_fmt_ms(v, sizeof v, p->value_ms, ascii);
	if (p->has_lo)
		weft_pl_fmt_ms(lo, sizeof lo, p->lo_ms, ascii);
	if (p->has_hi)
		weft_pl_fmt_ms(hi, sizeof hi, p->hi_ms, ascii);
	weft_buf_printf(b, "%s %s, %.0f%% CI [%s, %s]", label, v, confidence * 100.0, lo, hi);
}

void weft_pl_check_sentence(weft_buf *b, const weft_pipelines_result *r, const weft_pipelines_check *c,
			    bool ascii)
{
	char v[48], lim[32];
	weft_pl_fmt_ms(v, sizeof v, c->at.value_ms, ascii);
	weft_pl_fmt_ms(lim, sizeof lim, c->budget.limit_ms, ascii);
	if (c->budget.q >= 1.0) {
		weft_buf_printf(b, "observed max %s", isfinite(c->at.value_ms) ? v : "-");
		if (c->over)
			weft_buf_printf(b, "; %llu quer%s over %s", (unsigned long long)c->over,
					c->over == 1 ? "y" : "ies", lim);
		return;
	}
	weft_pl_pctl_sentence(b, c->budget.label, &c->at, r->confidence, ascii);
	if (c->verdict == WEFT_VERDICT_INCONCLUSIVE) {
		if (!isfinite(c->at.value_ms))
			weft_buf_puts(b, "; no successful query to judge");
		else if (c->need_more == UINT64_MAX)
			weft_buf_printf(b, "; the %s sits at the budget: more queries will not decide it",
					c->budget.label);
		else
			weft_buf_printf(b, "; need about %llu more quer%s", (unsigned long long)c->need_more,
					c->need_more == 1 ? "y" : "ies");
	}
}

void weft_pl_error_sentence(weft_buf *b, const weft_pipelines_result *r)
{
	char e[32], lo[32], hi[32];
	weft_buf_printf(b, "%llu of %llu (%s%%), %.0f%% CI [%s%%, %s%%]", (unsigned long long)r->errors,
			(unsigned long long)r->measured, weft_pipelines_number_format(e, sizeof e, 100.0 * r->error_rate),
			r->confidence * 100.0, weft_pipelines_number_format(lo, sizeof lo, 100.0 * r->error_lo),
			weft_pipelines_number_format(hi, sizeof hi, 100.0 * r->error_hi));
	if (r->error_verdict == WEFT_VERDICT_INCONCLUSIVE) {
		if (!r->measured)
			weft_buf_puts(b, "; no query measured");
		else if (r->error_need_more == UINT64_MAX)
			weft_buf_puts(b, "; the rate sits at the budget");
		else
			weft_buf_printf(b, "; need about %llu more queries", (unsigned long long)r->error_need_more);
	}
}

bool weft_pl_seconds_sentence(weft_buf *b, const weft_pipelines_result *r, bool ascii)
{
	if (r->n_seconds < 2)
		return false;
	double lo = INFINITY, hi = 0;
	const weft_pipelines_second *worst = NULL;
	uint64_t with_errors = 0;
	for (size_t i = 0; i < r->n_seconds; i++) {
		const weft_pipelines_second *s = &r->seconds[i];
		with_errors += s->errors > 0;
		/* a short last second is the run's drain: its few queries are the
		 * stragglers, the slowest ones, and its rate says little */
		if (i + 1 == r->n_seconds && s->span_s < 1)
			continue;
		lo = fmin(lo, s->rate_qps);
		hi = fmax(hi, s->rate_qps);
		if (isfinite(s->p99_ms) && (!worst || s->p99_ms > worst->p99_ms))
			worst = s;
	}
	char a[32], c[32], p[32];
	weft_buf_printf(b, "%zu seconds, %s-%s q/s", r->n_seconds, weft_pipelines_number_format(a, sizeof a, lo),
			weft_pipelines_number_format(c, sizeof c, hi));
	if (worst)
		weft_buf_printf(b, ", worst p99 %s (second %llu)", weft_pl_fmt_ms(p, sizeof p, worst->p99_ms, ascii),
				(unsigned long long)worst->t_s);
	weft_buf_printf(b, ", errors in %llu of them", (unsigned long long)with_errors);
	return true;
}

void weft_pl_window_sentence(weft_buf *b, const weft_pipelines_result *r, bool ascii)
{
	char p[32], lo[32], hi[32], w[32], rate[40];
	weft_buf_printf(b, "%llu rows at %s rows/s take %s, %.0f%% CI [%s, %s], window %s",
			(unsigned long long)r->load.rows, weft_pipelines_number_format(rate, sizeof rate, r->rows_per_s),
			weft_pl_fmt_ms(p, sizeof p, r->projected_ms, ascii), r->confidence * 100.0,
			weft_pl_fmt_ms(lo, sizeof lo, r->projected_lo_ms, ascii),
			weft_pl_fmt_ms(hi, sizeof hi, r->projected_hi_ms, ascii),
			weft_pl_fmt_ms(w, sizeof w, r->load.window_ms, ascii));
}

void weft_pl_scenario_line(weft_buf *b, const weft_pipelines_result *r, bool ascii)
{
	char d[32], rate[40];
	const weft_pipelines_load *l = &r->load;
	weft_buf_printf(b, "%s", weft_pipelines_scenario_name(l->scenario));
	if (l->scenario == WEFT_SCENARIO_SERVER)
		weft_buf_printf(b, " at %s q/s (Poisson)", weft_pipelines_number_format(rate, sizeof rate, l->rate));
	if (l->scenario == WEFT_SCENARIO_MULTI_STREAM)
		weft_buf_printf(b, ", %llu samples per query", (unsigned long long)l->samples_per_query);
	if (r->loops)
		weft_buf_printf(b, ", %zu in flight on %zu event loop%s", r->workers, r->loops, r->loops == 1 ? "" : "s");
	else if (l->scenario != WEFT_SCENARIO_SINGLE_STREAM && l->scenario != WEFT_SCENARIO_MULTI_STREAM)
		weft_buf_printf(b, ", %zu worker%s", r->workers, r->workers == 1 ? "" : "s");
	if (r->http_client)
		weft_buf_printf(b, ", HTTP by %s", r->http_client);
	if (l->scenario == WEFT_SCENARIO_OFFLINE)
		weft_buf_puts(b, ", every query issued at once");
	else
		weft_buf_printf(b, ", %s", weft_pl_fmt_ms(d, sizeof d, l->duration_ms, ascii));
	weft_buf_printf(b, ", seed %llu", (unsigned long long)l->seed);
}

/* ---- text ------------------------------------------------------------------------ */

static const char *verdict_colour(weft_pipelines_verdict v)
{
	return v == WEFT_VERDICT_MET ? WEFT_SGR_GREEN : v == WEFT_VERDICT_BROKEN ? "1;31" : WEFT_SGR_YELLOW;
}

static void pad(weft_buf *b, const char *s, int width)
{
	int n = (int)weft_utf8_width(s); /* columns, not bytes */
	weft_buf_puts(b, s);
	for (; n < width; n++)
		weft_buf_putc(b, ' ');
}

/* What every part of the text report shares: colour codes, the name column. */
typedef struct {
	bool col, ascii;
	const char *B, *R, *D; /* bold, reset, dim: "" without colour */
	int namew;             /* the stage-name column */
} text_ctx;

static void text_head(weft_buf *b, const weft_pipelines_result *r, const text_ctx *t)
{
	weft_buf_printf(b, "%sweft bench: %s%s", t->B, r->pipeline, t->R);
	if (r->pattern)
		weft_buf_printf(b, " (%s)", r->pattern);
	weft_buf_puts(b, " - ");
	weft_pl_scenario_line(b, r, t->ascii);
	weft_buf_putc(b, '\n');
	char qps[40], el[32];
	weft_buf_printf(b, "%llu queries measured", (unsigned long long)r->measured);
	if (r->load.scenario == WEFT_SCENARIO_MULTI_STREAM)
		weft_buf_printf(b, " (%llu samples)", (unsigned long long)r->samples);
	weft_buf_printf(b, " (+%llu warm-up), %llu error%s, %s q/s over %s; "
			   "intervals at %.0f%% confidence\n",
			(unsigned long long)r->warmup_done,
			(unsigned long long)r->errors, r->errors == 1 ? "" : "s",
			weft_pipelines_number_format(qps, sizeof qps, r->throughput_qps),
			weft_pl_fmt_ms(el, sizeof el, r->elapsed_s * 1e3, t->ascii), r->confidence * 100.0);
	if (r->n_seconds >= 2) {
		weft_buf_puts(b, "per second: ");
		weft_pl_seconds_sentence(b, r, t->ascii);
		weft_buf_putc(b, '\n');
	}
	weft_buf_putc(b, '\n');
}

/* One row per series: four percentiles, the highest budget, its share of
 * the end-to-end budget, the series' verdict. */
static void text_table(weft_buf *b, const weft_pipelines_result *r, const text_ctx *t)
{
	static const size_t cols[] = { 0, 1, 3, 4 }; /* p50 p90 p99 p99.9 */
	weft_buf_puts(b, t->B);
	pad(b, "stage", t->namew + 2);
	for (size_t c = 0; c < 4; c++)
		pad(b, weft_pl_pctl_labels[cols[c]], 24);
	pad(b, "budget", 18);
	pad(b, "share", 7);
	weft_buf_printf(b, "verdict%s\n", t->R);
	for (size_t i = 0; i < r->n_series; i++) {
		const weft_pipelines_series *s = &r->series[i];
		if (s->is_e2e)
			weft_buf_puts(b, t->B);
		pad(b, s->name, t->namew + 2);
		if (s->is_e2e)
			weft_buf_puts(b, t->R);
		for (size_t c = 0; c < 4; c++) {
			char cell[64];
			pad(b, weft_pl_fmt_pctl(cell, sizeof cell, &s->pctl[cols[c]], t->ascii), 24);
		}
		if (!s->n_checks) {
			pad(b, "-", 18);
			pad(b, "-", 7);
			weft_buf_puts(b, "-\n");
			continue;
		}
		const weft_pipelines_check *k = &s->checks[s->n_checks - 1];
		/* show the highest percentile's budget; all are listed below */
		char lim[32], cell[48];
		snprintf(cell, sizeof cell, "%s <= %s", k->budget.label,
			 weft_pl_fmt_ms(lim, sizeof lim, k->budget.limit_ms, t->ascii));
		pad(b, cell, 18);
		double share = s->is_e2e ? NAN : weft_pl_budget_share(r, k);
		char sh[16];
		if (isfinite(share))
			snprintf(sh, sizeof sh, "%.0f%%", 100.0 * share);
		else
			snprintf(sh, sizeof sh, "-");
		pad(b, sh, 7);
		bool any;
		weft_pipelines_verdict v = weft_pl_series_verdict(s, &any);
		weft_buf_printf(b, "%s%s%s\n", weft_term_sgr(t->col, verdict_colour(v)), weft_pipelines_verdict_name(v),
				t->R);
	}
}

/* The start of one line of the budgets list: what, then its verdict. */
static void text_verdict_head(weft_buf *b, const text_ctx *t, const char *head, weft_pipelines_verdict v)
{
	weft_buf_puts(b, "  ");
	pad(b, head, t->namew + 20);
	weft_buf_printf(b, " %s", weft_term_sgr(t->col, verdict_colour(v)));
	pad(b, weft_pipelines_verdict_name(v), 13);
	weft_buf_puts(b, t->R);
}

/* Every judged thing: each budget, the error rate, the batch window. */
static void text_budgets(weft_buf *b, const weft_pipelines_result *r, const text_ctx *t)
{
	weft_buf_printf(b, "\n%sbudgets%s\n", t->B, t->R);
	for (size_t i = 0; i < r->n_series; i++) {
		const weft_pipelines_series *s = &r->series[i];
		for (size_t c = 0; c < s->n_checks; c++) {
			const weft_pipelines_check *k = &s->checks[c];
			char lim[32], head[96];
			snprintf(head, sizeof head, "%s %s <= %s", s->name, k->budget.label,
				 weft_pl_fmt_ms(lim, sizeof lim, k->budget.limit_ms, t->ascii));
			text_verdict_head(b, t, head, k->verdict);
			weft_pl_check_sentence(b, r, k, t->ascii);
			double share = s->is_e2e ? NAN : weft_pl_budget_share(r, k);
			if (isfinite(share)) {
				const weft_pipelines_check *e = weft_pl_e2e_check(r, k->budget.label);
				weft_buf_printf(b, "; %.0f%% of the end-to-end %s budget", 100.0 * share,
						k->budget.label);
				if (isfinite(k->at.value_ms) && e)
					weft_buf_printf(b, " (measured %.0f%%)",
							100.0 * k->at.value_ms / e->budget.limit_ms);
			}
			weft_buf_putc(b, '\n');
		}
	}
	char head[64], eb[32];
	if (r->has_error_budget)
		snprintf(head, sizeof head, "error rate <= %s%%",
			 weft_pipelines_number_format(eb, sizeof eb, 100.0 * r->error_budget));
	else
		snprintf(head, sizeof head, "errors (none allowed)");
	text_verdict_head(b, t, head, r->error_verdict);
	weft_pl_error_sentence(b, r);
	weft_buf_putc(b, '\n');
	if (r->has_window) {
		text_verdict_head(b, t, "batch window", r->window_verdict);
		weft_pl_window_sentence(b, r, t->ascii);
		weft_buf_putc(b, '\n');
	}
}

/* What else a careful reader needs: error kinds per stage, the phases of
 * stages that have them (mean, p99). */
static void text_errors_phases(weft_buf *b, const weft_pipelines_result *r, const text_ctx *t)
{
	bool header = false;
	for (size_t i = 0; i < r->n_series; i++) {
		const weft_pipelines_series *s = &r->series[i];
		if (!s->n_error_kinds || s->is_e2e)
			continue;
		if (!header) {
			weft_buf_printf(b, "\n%serrors%s\n", t->B, t->R);
			header = true;
		}
		weft_buf_printf(b, "  %s:", s->name);
		for (size_t k = 0; k < s->n_error_kinds; k++)
			weft_buf_printf(b, "%s %s x%llu", k ? "," : "", s->error_kinds[k].error,
					(unsigned long long)s->error_kinds[k].count);
		weft_buf_putc(b, '\n');
	}
	for (size_t i = 0; i < r->n_series; i++) {
		const weft_pipelines_series *s = &r->series[i];
		bool any = false;
		for (size_t p = 0; p < s->n_phases; p++)
			any |= weft_pipelines_hist_count(s->phases[p].hist) > 0;
		if (!any)
			continue;
		weft_buf_printf(b, "\n%s%s phases%s (mean, p99):", t->B, s->name, t->R);
		for (size_t p = 0; p < s->n_phases; p++) {
			const weft_pipelines_hist *h = s->phases[p].hist;
			uint64_t n = weft_pipelines_hist_count(h);
			if (!n)
				continue;
			char m[32], q[32];
			double p99 = (double)weft_pipelines_hist_at_rank(h, weft_pipelines_quantile_rank(n, 0.99)) / 1e6;
			weft_buf_printf(b, " %s %s, %s;", s->phases[p].name,
					weft_pl_fmt_ms(m, sizeof m, weft_pipelines_hist_mean(h) / 1e6, t->ascii),
					weft_pl_fmt_ms(q, sizeof q, p99, t->ascii));
		}
		if (b->len && b->ptr[b->len - 1] == ';') /* drop the last ';' */
			b->ptr[--b->len] = '\0';
		weft_buf_putc(b, '\n');
	}
}

/* The harness's own cost, and in the server scenario its late sends. */
static void text_harness(weft_buf *b, const weft_pipelines_result *r, const text_ctx *t)
{
	bool ascii = t->ascii;
	char om[32], op[32], cr[32];
	weft_buf_printf(b, "\n%sharness overhead per query: %s mean, %s p99 (clock read %s)%s\n", t->D,
			weft_pl_fmt_ms(om, sizeof om, r->overhead_mean_us / 1e3, ascii),
			weft_pl_fmt_ms(op, sizeof op, r->overhead_p99_us / 1e3, ascii),
			weft_pl_fmt_ms(cr, sizeof cr, r->clock_read_ns / 1e6, ascii), t->R);
	if (r->load.scenario != WEFT_SCENARIO_SERVER)
		return;
	char mx[32], mn[32], th[32], wk[32];
	weft_buf_printf(b,
			"%slate sends: %llu of %llu more than %s late (max %s, mean %s): %llu waited for a "
			"worker, %llu for the harness to wake (its delay %s mean)%s\n",
			t->D, (unsigned long long)r->late_count, (unsigned long long)r->measured,
			weft_pl_fmt_ms(th, sizeof th, r->load.late_ms, ascii),
			weft_pl_fmt_ms(mx, sizeof mx, r->late_max_ms, ascii),
			weft_pl_fmt_ms(mn, sizeof mn, r->late_mean_ms, ascii), (unsigned long long)r->late_busy,
			(unsigned long long)r->late_wakeup, weft_pl_fmt_ms(wk, sizeof wk, r->wakeup_mean_us / 1e3, ascii),
			t->R);
}

/* Each compared percentile: baseline -> this run, the ratio and its bounds. */
static void text_baseline(weft_buf *b, const weft_pipelines_result *r, const text_ctx *t)
{
	if (!r->n_cmp)
		return;
	weft_buf_printf(b,
			"\n%sbaseline%s %s (%llu run%s; regression: slower by more than %.0f%%, "
			"run-to-run noise %.1f%%)\n",
			t->B, t->R, r->baseline_path, (unsigned long long)r->base_runs, r->base_runs == 1 ? "" : "s",
			100.0 * r->max_regression, 100.0 * r->run_noise);
	for (size_t i = 0; i < r->n_cmp; i++) {
		const weft_pipelines_comparison *c = &r->cmp[i];
		for (size_t k = 0; k < c->n_pcts; k++) {
			const weft_pipelines_pctl_cmp *pc = &c->pcts[k];
			const char *colour = pc->verdict == WEFT_CMP_REGRESSION    ? "1;31"
					     : pc->verdict == WEFT_CMP_IMPROVEMENT ? WEFT_SGR_GREEN
										   : "";
			char a[32], bb[32];
			weft_buf_puts(b, "  ");
			pad(b, k ? "" : c->name, t->namew + 2);
			weft_buf_printf(b, "%-6s %s -> %s", pc->label, weft_pl_fmt_ms(a, sizeof a, pc->base_ms, t->ascii),
					weft_pl_fmt_ms(bb, sizeof bb, pc->ms, t->ascii));
			if (isfinite(pc->ratio))
				weft_buf_printf(b, "  x%.3f [%.3f, %.3f]", pc->ratio, pc->ratio_lo, pc->ratio_hi);
			weft_buf_printf(b, "  %s%s%s\n", weft_term_sgr(t->col && *colour, colour),
					weft_pipelines_cmp_name(pc->verdict), t->col && *colour ? t->R : "");
		}
	}
	if (r->n_family)
		weft_buf_printf(b, "%s  intervals: one-sided bounds at %.4g%% each (%.0f%% over %zu percentiles)%s\n",
				t->D, 100.0 * (1.0 - (1.0 - r->confidence) / (double)r->n_family),
				100.0 * r->confidence, r->n_family, t->R);
}

/* The notes, then the overall verdict with its counts. */
static void text_verdict(weft_buf *b, const weft_pipelines_result *r, const text_ctx *t)
{
	if (r->n_notes) {
		weft_buf_printf(b, "\n%snotes%s\n", t->B, t->R);
		for (size_t i = 0; i < r->n_notes; i++)
			weft_buf_printf(b, "  - %s\n", r->notes[i]);
	}
	const char *ov = weft_pl_overall(r);
	weft_pipelines_verdict v = !strcmp(ov, "pass") ? WEFT_VERDICT_MET
				   : !strcmp(ov, "fail") ? WEFT_VERDICT_BROKEN
							 : WEFT_VERDICT_INCONCLUSIVE;
	weft_buf_printf(b, "\n%sverdict: %s%s%s: %llu met, %llu broken, %llu inconclusive", t->B,
			weft_term_sgr(t->col, verdict_colour(v)),
			!strcmp(ov, "pass") ? "PASS" : !strcmp(ov, "fail") ? "FAIL" : "INCONCLUSIVE", t->R,
			(unsigned long long)r->n_met, (unsigned long long)r->n_broken,
			(unsigned long long)r->n_inconclusive);
	if (r->n_cmp)
		weft_buf_printf(b, ", %llu regression%s, %llu improvement%s", (unsigned long long)r->n_regressions,
				r->n_regressions == 1 ? "" : "s", (unsigned long long)r->n_improvements,
				r->n_improvements == 1 ? "" : "s");
	weft_buf_putc(b, '\n');
}

static void report_text(weft_buf *b, const weft_pipelines_result *r, const weft_pipelines_report_opts *o)
{
	text_ctx t = { .col = o && o->colour, .ascii = false, .namew = 10 };
	t.B = weft_term_sgr(t.col, WEFT_SGR_BOLD);
	t.R = weft_term_sgr(t.col, WEFT_SGR_RESET);
	t.D = weft_term_sgr(t.col, WEFT_SGR_DIM);
	for (size_t i = 0; i < r->n_series; i++) {
		int l = (int)strlen(r->series[i].name);
		if (l > t.namew)
			t.namew = l;
	}
	text_head(b, r, &t);
	text_table(b, r, &t);
	text_budgets(b, r, &t);
	text_errors_phases(b, r, &t);
	text_harness(b, r, &t);
	text_baseline(b, r, &t);
	text_verdict(b, r, &t);
}

int weft_pipelines_report(weft_buf *out, const weft_pipelines_result *r,
			  weft_pipelines_format format, const weft_pipelines_report_opts *opts)
{
	weft_pipelines_report_opts dflt = { false, false };
	if (!opts)
		opts = &dflt;
	switch (format) {
	case WEFT_REPORT_TEXT:
		report_text(out, r, opts);
		break;
	case WEFT_REPORT_JSON:
		weft_pl_report_json(out, r, opts);
		break;
	case WEFT_REPORT_MARKDOWN:
		weft_pl_report_markdown(out, r, opts);
		break;
	case WEFT_REPORT_HTML:
		weft_pl_report_html(out, r, opts);
		break;
	case WEFT_REPORT_JUNIT:
		weft_pl_report_junit(out, r, opts);
		break;
	}
	return out->oom ? WEFT_ENOMEM : WEFT_OK;
}
