/* report_html.c - a self-contained HTML report with inline SVG charts.
 *
 * Design: one file that opens anywhere (no script, no external CSS or
 * fonts), so it can be attached to a CI run as is. Per series: the latency
 * CDF on a logarithmic time axis (tails are where budgets break, and a log
 * axis shows a 1 ms p50 and a 900 ms p99.9 on one chart) and a histogram on
 * the same axis, each with the series' budgets drawn as vertical lines. The
 * charts are drawn from the histogram buckets, so they cost the same for a
 * hundred queries or a hundred million. All user text is HTML-escaped.
 */
#include <math.h>
#include <string.h>

#include "report_int.h"

#define W 560.0
#define H 240.0
#define ML 56.0
#define MR 16.0
#define MT 14.0
#define MB 34.0

typedef struct {
	double lx0, lx1; /* log10 ms range */
} axis;

static double xpos(const axis *a, double ms)
{
	double lx = log10(ms);
	return ML + (lx - a->lx0) / (a->lx1 - a->lx0) * (W - ML - MR);
}

static void tick_label(char *buf, size_t n, double ms)
{
	weft_pipelines_duration_format(buf, n, ms, false);
}

static void draw_axis(weft_buf *b, const axis *a, const char *ylabel)
{
	weft_buf_printf(b, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' class='ax'/>", ML, H - MB, W - MR, H - MB);
	weft_buf_printf(b, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' class='ax'/>", ML, MT, ML, H - MB);
	/* ticks at 1, 2, 5 x 10^k within the range */
	for (int e = (int)floor(a->lx0) - 1; e <= (int)ceil(a->lx1); e++) {
		static const double m[] = { 1, 2, 5 };
		for (int i = 0; i < 3; i++) {
			double ms = m[i] * pow(10.0, e);
			double lx = log10(ms);
			if (lx < a->lx0 - 1e-9 || lx > a->lx1 + 1e-9)
				continue;
			double x = xpos(a, ms);
			char lab[32];
			tick_label(lab, sizeof lab, ms);
			weft_buf_printf(b, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' class='grid'/>", x, MT, x, H - MB);
			weft_buf_printf(b, "<text x='%.1f' y='%.1f' class='tl'>%s</text>", x, H - MB + 14, lab);
		}
	}
	weft_buf_printf(b, "<text x='%.1f' y='%.1f' class='yl' transform='rotate(-90 %.1f %.1f)'>%s</text>", 14.0,
			(H - MB + MT) / 2, 14.0, (H - MB + MT) / 2, ylabel);
	weft_buf_printf(b, "<text x='%.1f' y='%.1f' class='xl'>latency (log scale)</text>", (W + ML) / 2, H - 4);
}

static void draw_budgets(weft_buf *b, const axis *a, const weft_pipelines_series *s)
{
	for (size_t i = 0; i < s->n_checks; i++) {
		const weft_pipelines_check *c = &s->checks[i];
		double lx = log10(c->budget.limit_ms);
		if (lx < a->lx0 || lx > a->lx1)
			continue;
		double x = xpos(a, c->budget.limit_ms);
		char lim[32];
		weft_pipelines_duration_format(lim, sizeof lim, c->budget.limit_ms, false);
		weft_buf_printf(b, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' class='budget %s'/>", x, MT, x,
				H - MB, weft_pipelines_verdict_name(c->verdict));
		weft_buf_printf(b, "<text x='%.1f' y='%.1f' class='bl'>%s &#8804; %s</text>", x - 3, MT + 10 + 11.0 * (double)i,
				c->budget.label, lim);
	}
}

static void charts(weft_buf *b, const weft_pipelines_series *s)
{
	uint64_t n = weft_pipelines_hist_count(s->hist);
	if (!n) {
		weft_buf_puts(b, "<p class='muted'>No successful queries: nothing to draw.</p>");
		return;
	}
	double lo = s->min_ms > 0 ? s->min_ms : 1e-6, hi = s->max_ms > lo ? s->max_ms : lo * 1.01;
	for (size_t i = 0; i < s->n_checks; i++) {
		double l = s->checks[i].budget.limit_ms;
		if (l > 0 && l < lo)
			lo = l;
		if (l > hi)
			hi = l;
	}
	axis a = { log10(lo) - 0.05, log10(hi) + 0.05 };
	if (a.lx1 - a.lx0 < 0.3) {
		double mid = (a.lx0 + a.lx1) / 2;
		a.lx0 = mid - 0.15;
		a.lx1 = mid + 0.15;
	}
	/* CDF */
	weft_buf_printf(b, "<svg viewBox='0 0 %.0f %.0f' width='%.0f' height='%.0f' role='img'><title>CDF of ", W, H, W, H);
	weft_buf_put_html(b, s->name);
	weft_buf_puts(b, "</title>");
	draw_axis(b, &a, "share of queries");
	for (int k = 0; k <= 4; k++) {
		double y = H - MB - (H - MB - MT) * k / 4.0;
		weft_buf_printf(b, "<text x='%.1f' y='%.1f' class='yt'>%d%%</text>", ML - 4, y + 4, k * 25);
	}
	weft_buf_puts(b, "<polyline class='cdf' points='");
	size_t it = 0;
	uint64_t v, c, cum = 0;
	double prev_y = H - MB;
	weft_buf_printf(b, "%.1f,%.1f ", ML, H - MB);
	while (weft_pipelines_hist_next(s->hist, &it, &v, &c)) {
		double ms = (double)v / 1e6;
		if (ms <= 0)
			ms = lo;
		double x = xpos(&a, ms);
		cum += c;
		double y = H - MB - (H - MB - MT) * (double)cum / (double)n;
		weft_buf_printf(b, "%.1f,%.1f %.1f,%.1f ", x, prev_y, x, y);
		prev_y = y;
	}
	weft_buf_printf(b, "%.1f,%.1f'/>", W - MR, prev_y);
	draw_budgets(b, &a, s);
	weft_buf_puts(b, "</svg>");

	/* histogram: 48 bins, equal on the log axis */
	enum { NB = 48 };
	double bins[NB] = { 0 };
	it = 0;
	while (weft_pipelines_hist_next(s->hist, &it, &v, &c)) {
		double ms = (double)v / 1e6;
		double lx = log10(ms > 0 ? ms : lo);
		int k = (int)((lx - a.lx0) / (a.lx1 - a.lx0) * NB);
		if (k < 0)
			k = 0;
		if (k >= NB)
			k = NB - 1;
		bins[k] += (double)c;
	}
	double top = 0;
	for (int k = 0; k < NB; k++)
		if (bins[k] > top)
			top = bins[k];
	weft_buf_printf(b, "<svg viewBox='0 0 %.0f %.0f' width='%.0f' height='%.0f' role='img'><title>histogram of ", W, H, W, H);
	weft_buf_put_html(b, s->name);
	weft_buf_puts(b, "</title>");
	draw_axis(b, &a, "queries");
	double bw = (W - ML - MR) / NB;
	for (int k = 0; k < NB; k++) {
		if (!bins[k])
			continue;
		double h = (H - MB - MT) * bins[k] / top;
		weft_buf_printf(b, "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' class='bar'><title>%.0f</title></rect>",
				ML + bw * k + 0.5, H - MB - h, bw - 1.0, h, bins[k]);
	}
	weft_buf_printf(b, "<text x='%.1f' y='%.1f' class='yt'>%.0f</text>", ML - 4, MT + 4, top);
	draw_budgets(b, &a, s);
	weft_buf_puts(b, "</svg>");
}

static const char css[] =
	"body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1200px;color:#1d232a;padding:0 1em}"
	"h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}table{border-collapse:collapse;margin:.6em 0}"
	"td,th{border-bottom:1px solid #dde;padding:.3em .7em;text-align:right;white-space:nowrap}"
	"td:first-child,th:first-child{text-align:left}.met{color:#17803d}.broken{color:#c0262d;font-weight:600}"
	".inconclusive{color:#a36100}.muted{color:#667}svg{margin:.3em 1em .3em 0;background:#fbfbfd;border:1px solid #e4e6ee}"
	".ax{stroke:#556;stroke-width:1}.grid{stroke:#e3e5ec;stroke-width:1}.tl,.yt{font-size:10px;fill:#556}"
	".tl{text-anchor:middle}.yt{text-anchor:end}.xl,.yl{font-size:11px;fill:#556;text-anchor:middle}"
	".cdf{fill:none;stroke:#2457c5;stroke-width:1.6}.bar{fill:#7c9be0}.budget{stroke-width:1.6;stroke-dasharray:5 3}"
	".budget.met{stroke:#17803d}.budget.broken{stroke:#c0262d}.budget.inconclusive{stroke:#c77a00}"
	".bl{font-size:10px;fill:#333;text-anchor:end}.verdict{font-size:1.2em;font-weight:700}";

void weft_pl_html_head(weft_buf *b, const char *title)
{
	weft_buf_puts(b, "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
			 "<meta name='viewport' content='width=device-width, initial-scale=1'><title>weft bench: ");
	weft_buf_put_html(b, title);
	weft_buf_printf(b, "</title><style>%s</style></head><body>\n", css);
}

void weft_pl_html_foot(weft_buf *b)
{
	weft_buf_puts(b, "</body></html>\n");
}

void weft_pl_report_html(weft_buf *b, const weft_pipelines_result *r, const weft_pipelines_report_opts *o)
{
	const char *ov = weft_pl_overall(r);
	const char *cls = !strcmp(ov, "pass") ? "met" : !strcmp(ov, "fail") ? "broken" : "inconclusive";
	weft_pl_html_head(b, r->pipeline);
	weft_buf_puts(b, "<h1>weft bench: ");
	weft_buf_put_html(b, r->pipeline);
	if (r->pattern) {
		weft_buf_puts(b, " <span class='muted'>(");
		weft_buf_put_html(b, r->pattern);
		weft_buf_puts(b, ")</span>");
	}
	weft_buf_printf(b, "</h1>\n<p class='verdict %s'>%s</p>\n<p>", cls,
			!strcmp(ov, "pass") ? "PASS" : !strcmp(ov, "fail") ? "FAIL" : "INCONCLUSIVE");
	weft_buf tmp = WEFT_BUF_INIT;
	weft_pl_scenario_line(&tmp, r, false);
	weft_buf_put_html(b, tmp.ptr ? tmp.ptr : "");
	weft_buf_free(&tmp);
	char qps[40];
	weft_buf_printf(b, ". %llu queries measured (+%llu warm-up), %llu errors, %s q/s; started %s. "
			   "Intervals at %.0f%% confidence.</p>\n",
			(unsigned long long)r->measured, (unsigned long long)r->warmup_done,
			(unsigned long long)r->errors, weft_pipelines_number_format(qps, sizeof qps, r->throughput_qps),
			r->started_at, 100.0 * r->confidence);

	weft_buf_puts(b, "<table><tr><th>stage</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th>"
			 "<th>max</th><th>mean</th><th>CV</th><th>errors</th><th>verdict</th></tr>\n");
	for (size_t i = 0; i < r->n_series; i++) {
		const weft_pipelines_series *s = &r->series[i];
		weft_buf_puts(b, s->is_e2e ? "<tr><td><b>" : "<tr><td>");
		weft_buf_put_html(b, s->name);
		weft_buf_puts(b, s->is_e2e ? "</b></td>" : "</td>");
		static const size_t cols[] = { 0, 1, 3, 4, 5 };
		for (size_t c = 0; c < 5; c++) {
			char cell[64];
			weft_buf_puts(b, "<td>");
			weft_buf_put_html(b, weft_pl_fmt_pctl(cell, sizeof cell, &s->pctl[cols[c]], false));
			weft_buf_puts(b, "</td>");
		}
		char m[32];
		weft_buf_puts(b, "<td>");
		weft_buf_put_html(b, weft_pl_fmt_ms(m, sizeof m, s->count ? s->mean_ms : NAN, false));
		weft_buf_printf(b, "</td><td>%.2f</td><td>%llu</td>", s->cv, (unsigned long long)s->errors);
		bool any;
		weft_pipelines_verdict v = weft_pl_series_verdict(s, &any);
		if (any)
			weft_buf_printf(b, "<td class='%s'>%s</td></tr>\n", weft_pipelines_verdict_name(v),
					weft_pipelines_verdict_name(v));
		else
			weft_buf_puts(b, "<td class='muted'>no budget</td></tr>\n");
	}
	weft_buf_puts(b, "</table>\n<h2>Budgets</h2>\n<ul>\n");
	for (size_t i = 0; i < r->n_series; i++) {
		const weft_pipelines_series *s = &r->series[i];
		for (size_t c = 0; c < s->n_checks; c++) {
			const weft_pipelines_check *k = &s->checks[c];
			char lim[32];
			weft_buf_printf(b, "<li><span class='%s'>%s</span> <b>", weft_pipelines_verdict_name(k->verdict),
					weft_pipelines_verdict_name(k->verdict));
			weft_buf_put_html(b, s->name);
			weft_buf_printf(b, " %s &#8804; ", k->budget.label);
			weft_buf_put_html(b, weft_pl_fmt_ms(lim, sizeof lim, k->budget.limit_ms, false));
			weft_buf_puts(b, "</b>: ");
			weft_buf t = WEFT_BUF_INIT;
			weft_pl_check_sentence(&t, r, k, false);
			weft_buf_put_html(b, t.ptr ? t.ptr : "");
			weft_buf_free(&t);
			weft_buf_puts(b, "</li>\n");
		}
	}
	weft_buf t = WEFT_BUF_INIT;
	weft_pl_error_sentence(&t, r);
	weft_buf_printf(b, "<li><span class='%s'>%s</span> <b>", weft_pipelines_verdict_name(r->error_verdict),
			weft_pipelines_verdict_name(r->error_verdict));
	if (r->has_error_budget)
		weft_buf_printf(b, "error rate &#8804; %.3g%%</b>: ", 100.0 * r->error_budget);
	else
		weft_buf_puts(b, "errors (none allowed)</b>: ");
	weft_buf_put_html(b, t.ptr ? t.ptr : "");
	weft_buf_puts(b, "</li>\n");
	weft_buf_free(&t);
	if (r->has_window) {
		weft_buf w = WEFT_BUF_INIT;
		weft_pl_window_sentence(&w, r, false);
		weft_buf_printf(b, "<li><span class='%s'>%s</span> <b>batch window</b>: ",
				weft_pipelines_verdict_name(r->window_verdict),
				weft_pipelines_verdict_name(r->window_verdict));
		weft_buf_put_html(b, w.ptr ? w.ptr : "");
		weft_buf_puts(b, "</li>\n");
		weft_buf_free(&w);
	}
	weft_buf_puts(b, "</ul>\n");
	if (r->n_cmp) {
		weft_buf_printf(b, "<h2>Baseline</h2>\n<p>Against <code>");
		weft_buf_put_html(b, r->baseline_path);
		weft_buf_printf(b,
				"</code> (%llu run%s): a regression is slower by more than %.0f%% with the "
				"interval's lower bound; run-to-run noise %.1f%%.</p>\n<table><tr><th>series</th>"
				"<th>percentile</th><th>baseline</th><th>this run</th><th>ratio</th><th>bounds</th>"
				"<th>verdict</th></tr>\n",
				(unsigned long long)r->base_runs, r->base_runs == 1 ? "" : "s", 100.0 * r->max_regression,
				100.0 * r->run_noise);
		for (size_t i = 0; i < r->n_cmp; i++) {
			const weft_pipelines_comparison *c = &r->cmp[i];
			for (size_t k = 0; k < c->n_pcts; k++) {
				const weft_pipelines_pctl_cmp *p = &c->pcts[k];
				char a[32], d[32];
				weft_buf_puts(b, "<tr><td>");
				weft_buf_put_html(b, k ? "" : c->name);
				weft_buf_puts(b, "</td><td>");
				weft_buf_put_html(b, p->label);
				weft_buf_puts(b, "</td><td>");
				weft_buf_put_html(b, weft_pl_fmt_ms(a, sizeof a, p->base_ms, false));
				weft_buf_puts(b, "</td><td>");
				weft_buf_put_html(b, weft_pl_fmt_ms(d, sizeof d, p->ms, false));
				if (isfinite(p->ratio))
					weft_buf_printf(b, "</td><td>x%.3f</td><td>%.3f to %.3f", p->ratio, p->ratio_lo,
							p->ratio_hi);
				else
					weft_buf_puts(b, "</td><td>-</td><td>-");
				weft_buf_printf(b, "</td><td class='%s'>%s</td></tr>\n",
						p->verdict == WEFT_CMP_REGRESSION    ? "broken"
						: p->verdict == WEFT_CMP_IMPROVEMENT ? "met"
										     : "muted",
						weft_pipelines_cmp_name(p->verdict));
			}
		}
		weft_buf_puts(b, "</table>\n");
	}
	weft_buf_puts(b, "<h2>Latency distributions</h2>\n");
	for (size_t i = 0; i < r->n_series; i++) {
		const weft_pipelines_series *s = &r->series[i];
		weft_buf_puts(b, "<h3>");
		weft_buf_put_html(b, s->name);
		weft_buf_printf(b, "</h3>\n<div>");
		charts(b, s);
		weft_buf_puts(b, "</div>\n");
		if (s->n_error_kinds) {
			weft_buf_puts(b, "<p>Errors: ");
			for (size_t k = 0; k < s->n_error_kinds; k++) {
				if (k)
					weft_buf_puts(b, ", ");
				weft_buf_put_html(b, s->error_kinds[k].error);
				weft_buf_printf(b, " &times; %llu", (unsigned long long)s->error_kinds[k].count);
			}
			weft_buf_puts(b, "</p>\n");
		}
	}
	if (r->n_notes) {
		weft_buf_puts(b, "<h2>Notes</h2>\n<ul>\n");
		for (size_t i = 0; i < r->n_notes; i++) {
			weft_buf_puts(b, "<li>");
			weft_buf_put_html(b, r->notes[i]);
			weft_buf_puts(b, "</li>\n");
		}
		weft_buf_puts(b, "</ul>\n");
	}
	weft_buf_printf(b, "<p class='muted'>weft %s &middot; harness overhead %.1f &micro;s per query (mean), "
			   "%.1f &micro;s p99 &middot; percentiles never add across stages; each comes from the "
			   "same queries.</p>\n",
			weft_version(), r->overhead_mean_us, r->overhead_p99_us);
	weft_pl_html_foot(b);
}
