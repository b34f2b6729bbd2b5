/* report_threshold.c - the `weft bench threshold` report in text, JSON,
 * Markdown and HTML.
 *
 * Design: the formats share one list of rows (rows_shown(): at most
 * SHOWN_ROWS thresholds, evenly spread over the curve, always with the
 * recommended and the cheapest) and one cell formatter (cells()), so they
 * cannot disagree about a number; JSON carries every threshold. The HTML
 * page draws two inline SVG charts, as report_html.c does for latency: the
 * automation rate against the threshold with the minimum automation, and
 * the error rate with its upper bound against the threshold with the
 * budget, the recommended threshold marked on both.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

#define SHOWN_ROWS 24
#define N_CELLS 9

/* Indices of the rows the tables show, ascending; returns how many. */
static size_t rows_shown(size_t *idx, const weft_pipelines_threshold_result *r)
{
	size_t n = 0;
	size_t step = r->n_points > SHOWN_ROWS - 3 ? r->n_points / (SHOWN_ROWS - 3) + 1 : 1;
	for (size_t i = 0; i < r->n_points; i++) {
		bool take = i % step == 0 || i + 1 == r->n_points || i == r->recommended || i == r->lowest_cost;
		if (take && n < SHOWN_ROWS + 2)
			idx[n++] = i;
	}
	return n;
}

static const char *const heads[N_CELLS] = { "threshold", "automated", "automation", "errors", "error rate",
					    "upper bound", "review", "cost", "" };

/* The cells of point i (the cost cell only with costs). */
static void cells(char out[N_CELLS][32], const weft_pipelines_threshold_result *r, size_t i)
{
	const weft_pipelines_threshold_point *p = &r->points[i];
	weft_pl_threshold_text(out[0], 32, r, i);
	snprintf(out[1], 32, "%llu", (unsigned long long)p->automated);
	snprintf(out[2], 32, "%.1f%%", 100 * p->automation_rate);
	snprintf(out[3], 32, "%llu", (unsigned long long)p->errors);
	snprintf(out[4], 32, "%.2f%%", 100 * p->error_rate);
	snprintf(out[5], 32, "%.2f%%", 100 * p->error_upper);
	snprintf(out[6], 32, "%.1f%%", 100 * p->review_rate);
	if (isfinite(p->cost))
		snprintf(out[7], 32, "%.4g", p->cost);
	else
		snprintf(out[7], 32, "-");
	snprintf(out[8], 32, "%s%s%s", i == r->recommended ? "recommended" : "",
		 i == r->recommended && i == r->lowest_cost ? ", " : "", i == r->lowest_cost ? "lowest cost" : "");
}

static bool show_cell(const weft_pipelines_threshold_result *r, size_t j)
{
	return j != 7 || r->opts.has_costs;
}

static void summary(weft_buf *b, const weft_pipelines_threshold_result *r)
{
	const weft_pipelines_threshold_opts *o = &r->opts;
	weft_buf_printf(b, "%llu cases (%llu of class 1); the model is wrong on %.1f%% of them at p >= 0.5. "
			   "Budget: automatic decisions wrong at most %g%% of the time, by the one-sided "
			   "Clopper-Pearson bound at %g%% confidence",
			(unsigned long long)r->cases, (unsigned long long)r->positives, 100 * r->model_error_rate,
			100 * o->max_error, 100 * o->confidence);
	if (o->min_automation > 0)
		weft_buf_printf(b, "; at least %g%% automated", 100 * o->min_automation);
	if (o->has_costs)
		weft_buf_printf(b, "; a review costs %g, a wrong automatic decision %g", o->cost_review, o->cost_error);
	weft_buf_puts(b, ".");
}

static void agreement_line(weft_buf *b, const char *side, const weft_pipelines_threshold_agreement *a)
{
	weft_buf_printf(b, "%s: %llu reviewed", side, (unsigned long long)a->reviewed);
	if (!a->reviewed)
		return;
	weft_buf_printf(b, ", overrides %.1f%% (%llu)", 100 * a->override_rate, (unsigned long long)a->overrides);
	if (isfinite(a->kappa))
		weft_buf_printf(b, ", kappa %.3f", a->kappa);
	else
		weft_buf_puts(b, ", kappa n/a");
	weft_buf_printf(b, ", reviewers wrong %.1f%%", 100.0 * (double)a->reviewer_errors / (double)a->reviewed);
}

static void reviewers(weft_buf *b, const weft_pipelines_threshold_result *r, const char *pre, const char *sep)
{
	if (!r->has_reviewer)
		return;
	weft_buf_puts(b, pre);
	if (r->recommended != SIZE_MAX) {
		char t[32];
		weft_buf_printf(b, "Reviewers against the model, at threshold %s: ",
				weft_pl_threshold_text(t, sizeof t, r, r->recommended));
	} else {
		weft_buf_puts(b, "Reviewers against the model (every case below the threshold): ");
	}
	agreement_line(b, "above", &r->above);
	weft_buf_puts(b, sep);
	agreement_line(b, "below", &r->below);
	weft_buf_puts(b, ".\n");
}

/* ---- text and Markdown ---------------------------------------------------------------- */

static void report_text(weft_buf *b, const weft_pipelines_threshold_result *r)
{
	weft_buf_printf(b, "weft bench threshold: %s\n", r->source);
	summary(b, r);
	weft_buf_printf(b, "\n\n%s: %s\n\n", r->met ? "PASS" : "FAIL", r->verdict);
	size_t idx[SHOWN_ROWS + 2], n = rows_shown(idx, r);
	char c[N_CELLS][32];
	size_t w[N_CELLS];
	for (size_t j = 0; j < N_CELLS; j++)
		w[j] = strlen(heads[j]);
	for (size_t k = 0; k < n; k++) {
		cells(c, r, idx[k]);
		for (size_t j = 0; j < N_CELLS; j++)
			if (strlen(c[j]) > w[j])
				w[j] = strlen(c[j]);
	}
	for (size_t k = 0; k <= n; k++) {
		if (k)
			cells(c, r, idx[k - 1]);
		size_t used = 0;
		for (size_t j = 0; j < N_CELLS; j++) {
			if (!show_cell(r, j))
				continue;
			const char *s = k ? c[j] : heads[j];
			if (j + 1 == N_CELLS) {
				if (*s)
					weft_buf_printf(b, "  %s", s);
			} else {
				weft_buf_printf(b, "%s%*s", used++ ? "  " : "", (int)w[j], s);
			}
		}
		weft_buf_putc(b, '\n');
	}
	if (n < r->n_points)
		weft_buf_printf(b, "(%zu of %zu thresholds; --format json lists every one)\n", n, r->n_points);
	reviewers(b, r, "\n", "; ");
}

static void report_markdown(weft_buf *b, const weft_pipelines_threshold_result *r)
{
	weft_buf_puts(b, "## Threshold: ");
	weft_buf_puts(b, r->source);
	weft_buf_puts(b, "\n\n");
	summary(b, r);
	weft_buf_printf(b, "\n\n**%s:** %s\n\n|", r->met ? "PASS" : "FAIL", r->verdict);
	for (size_t j = 0; j < N_CELLS; j++)
		if (show_cell(r, j))
			weft_buf_printf(b, " %s |", heads[j]);
	weft_buf_puts(b, "\n|");
	for (size_t j = 0; j < N_CELLS; j++)
		if (show_cell(r, j))
			weft_buf_puts(b, j + 1 == N_CELLS ? "---|" : "--:|");
	weft_buf_putc(b, '\n');
	size_t idx[SHOWN_ROWS + 2], n = rows_shown(idx, r);
	char c[N_CELLS][32];
	for (size_t k = 0; k < n; k++) {
		cells(c, r, idx[k]);
		weft_buf_putc(b, '|');
		for (size_t j = 0; j < N_CELLS; j++)
			if (show_cell(r, j))
				weft_buf_printf(b, " %s |", c[j]);
		weft_buf_putc(b, '\n');
	}
	if (n < r->n_points)
		weft_buf_printf(b, "\n%zu of %zu thresholds shown; the JSON report lists every one.\n", n, r->n_points);
	reviewers(b, r, "\n", "; ");
}

/* ---- JSON ------------------------------------------------------------------------------- */

static void num(cJSON *o, const char *k, double v)
{
	if (isfinite(v))
		cJSON_AddNumberToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

static cJSON *point_json(const weft_pipelines_threshold_point *p)
{
	cJSON *j = cJSON_CreateObject();
	num(j, "threshold", p->threshold);
	num(j, "automated", (double)p->automated);
	num(j, "errors", (double)p->errors);
	num(j, "automation_rate", p->automation_rate);
	num(j, "error_rate", p->error_rate);
	num(j, "error_upper", p->error_upper);
	num(j, "review_rate", p->review_rate);
	num(j, "cost", p->cost);
	cJSON_AddBoolToObject(j, "within", p->within);
	return j;
}

static cJSON *agreement_json(const weft_pipelines_threshold_agreement *a)
{
	cJSON *j = cJSON_CreateObject();
	num(j, "reviewed", (double)a->reviewed);
	num(j, "overrides", (double)a->overrides);
	num(j, "override_rate", a->override_rate);
	num(j, "kappa", a->kappa);
	num(j, "reviewer_errors", (double)a->reviewer_errors);
	return j;
}

static cJSON *point_or_null(const weft_pipelines_threshold_result *r, size_t i)
{
	return i == SIZE_MAX ? cJSON_CreateNull() : point_json(&r->points[i]);
}

static void report_json(weft_buf *b, const weft_pipelines_threshold_result *r)
{
	const weft_pipelines_threshold_opts *o = &r->opts;
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "format", "weft-bench-threshold");
	cJSON_AddNumberToObject(root, "format_version", 1);
	cJSON_AddStringToObject(root, "weft_version", weft_version());
	cJSON_AddStringToObject(root, "source", r->source);
	num(root, "cases", (double)r->cases);
	num(root, "positives", (double)r->positives);
	num(root, "model_error_rate", r->model_error_rate);
	num(root, "max_error", o->max_error);
	num(root, "min_automation", o->min_automation);
	num(root, "confidence", o->confidence);
	num(root, "cost_review", o->has_costs ? o->cost_review : NAN);
	num(root, "cost_error", o->has_costs ? o->cost_error : NAN);
	cJSON_AddItemToObject(root, "recommended", point_or_null(r, r->recommended));
	cJSON_AddItemToObject(root, "lowest_cost", point_or_null(r, r->lowest_cost));
	cJSON_AddBoolToObject(root, "met", r->met);
	cJSON_AddStringToObject(root, "verdict", r->verdict);
	num(root, "automated_needed", r->automated_needed == UINT64_MAX ? NAN : (double)r->automated_needed);
	if (r->has_reviewer) {
		cJSON *rv = cJSON_AddObjectToObject(root, "reviewers");
		num(rv, "threshold", r->recommended == SIZE_MAX ? NAN : r->points[r->recommended].threshold);
		cJSON_AddItemToObject(rv, "above", agreement_json(&r->above));
		cJSON_AddItemToObject(rv, "below", agreement_json(&r->below));
	} else {
		cJSON_AddNullToObject(root, "reviewers");
	}
	cJSON *arr = cJSON_AddArrayToObject(root, "thresholds");
	for (size_t i = 0; i < r->n_points; i++)
		cJSON_AddItemToArray(arr, point_json(&r->points[i]));
	weft_pl_put_json(b, root);
}

/* ---- HTML ------------------------------------------------------------------------------- */

#define CW 520.0
#define CH 260.0
#define CL 56.0
#define CR 16.0
#define CT 16.0
#define CB 36.0

typedef struct {
	double x0, x1, y1; /* threshold range; rates from 0 to y1 */
} frame;

static double fx(const frame *f, double t)
{
	return CL + (t - f->x0) / (f->x1 - f->x0) * (CW - CL - CR);
}

static double fy(const frame *f, double v)
{
	if (v > f->y1)
		v = f->y1;
	return CH - CB - v / f->y1 * (CH - CB - CT);
}

/* Axes, ticks and labels of one chart. */
static void chart_open(weft_buf *b, const frame *f, const char *title, const char *ylabel)
{
	weft_buf_printf(b, "<svg viewBox='0 0 %.0f %.0f' width='%.0f' height='%.0f' role='img'><title>%s</title>",
			CW, CH, CW, CH, title);
	for (int k = 0; k <= 5; k++) {
		double v = f->y1 * k / 5.0, y = fy(f, v);
		weft_buf_printf(b, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' class='grid'/>", CL, y, CW - CR, y);
		weft_buf_printf(b, "<text x='%.1f' y='%.1f' font-size='10' text-anchor='end' class='yt'>%.3g%%</text>",
				CL - 4, y + 3, 100 * v);
	}
	for (int k = 0; k <= 5; k++) {
		double t = f->x0 + (f->x1 - f->x0) * k / 5.0, x = fx(f, t);
		weft_buf_printf(b, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' class='ax'/>", x, CH - CB, x,
				CH - CB + 4);
		weft_buf_printf(b, "<text x='%.1f' y='%.1f' font-size='10' text-anchor='middle' class='tl'>%.3g</text>", x,
				CH - CB + 15, t);
	}
	weft_buf_printf(b, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' class='ax'/>", CL, CH - CB, CW - CR, CH - CB);
	weft_buf_printf(b, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' class='ax'/>", CL, CT, CL, CH - CB);
	weft_buf_printf(b, "<text x='%.1f' y='%.1f' font-size='10' text-anchor='middle' class='xl'>confidence "
			   "threshold</text>", (CL + CW - CR) / 2, CH - 6);
	weft_buf_printf(b, "<text x='12' y='%.1f' font-size='10' text-anchor='middle' class='yl' "
			   "transform='rotate(-90 12 %.1f)'>%s</text>", (CT + CH - CB) / 2, (CT + CH - CB) / 2, ylabel);
}

/* A step line through the points' values (a rate holds from its threshold
 * to the next). which: 0 automation, 1 error rate, 2 error bound. */
static void curve(weft_buf *b, const frame *f, const weft_pipelines_threshold_result *r, int which, const char *style)
{
	weft_buf_printf(b, "<path style='fill:none;%s' d='", style);
	for (size_t i = 0; i < r->n_points; i++) {
		const weft_pipelines_threshold_point *p = &r->points[i];
		double v = which == 0 ? p->automation_rate : which == 1 ? p->error_rate : p->error_upper;
		double next = i + 1 < r->n_points ? r->points[i + 1].threshold : f->x1;
		weft_buf_printf(b, "%s%.1f %.1fH%.1f", i ? "L" : "M", fx(f, p->threshold), fy(f, v), fx(f, next));
	}
	weft_buf_puts(b, "'/>");
}

static void hline(weft_buf *b, const frame *f, double v, const char *cls, const char *label)
{
	double y = fy(f, v);
	weft_buf_printf(b, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' class='%s'><title>%s</title></line>", CL, y,
			CW - CR, y, cls, label);
	weft_buf_printf(b, "<text x='%.1f' y='%.1f' font-size='10' text-anchor='end' class='bl'>%s</text>", CW - CR - 4,
			y - 4, label);
}

static void vline_recommended(weft_buf *b, const frame *f, const weft_pipelines_threshold_result *r)
{
	if (r->recommended == SIZE_MAX)
		return;
	double x = fx(f, r->points[r->recommended].threshold);
	weft_buf_printf(b, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' class='budget met'><title>recommended "
			   "threshold %.6g</title></line>", x, CT, x, CH - CB, r->points[r->recommended].threshold);
	weft_buf_printf(b, "<text x='%.1f' y='%.1f' font-size='10' text-anchor='%s' class='ml'>%.4g</text>",
			x + (x > CW / 2 ? -4 : 4), CT + 10, x > CW / 2 ? "end" : "start",
			r->points[r->recommended].threshold);
}

static void charts(weft_buf *b, const weft_pipelines_threshold_result *r)
{
	frame f = { floor(r->points[0].threshold * 20) / 20, 1.0, 1.0 };
	if (f.x1 - f.x0 < 0.05)
		f.x0 = f.x1 - 0.05;
	char label[64];
	weft_buf_puts(b, "<div class='charts'>");
	chart_open(b, &f, "automation rate against threshold", "automated");
	curve(b, &f, r, 0, "stroke:#2457c5;stroke-width:1.6");
	if (r->opts.min_automation > 0) {
		snprintf(label, sizeof label, "at least %g%%", 100 * r->opts.min_automation);
		hline(b, &f, r->opts.min_automation, "limit", label);
	}
	vline_recommended(b, &f, r);
	weft_buf_puts(b, "</svg>");
	/* the error axis: up to three budgets, or the worst bound when smaller */
	double top = 0;
	for (size_t i = 0; i < r->n_points; i++)
		if (r->points[i].error_upper > top)
			top = r->points[i].error_upper;
	double cap = r->opts.max_error > 0 ? 3 * r->opts.max_error : 0.1;
	f.y1 = top < cap && top > 0 ? top : cap;
	chart_open(b, &f, "automatic error rate and its upper bound against threshold", "automatic errors");
	curve(b, &f, r, 1, "stroke:#7a7f8c;stroke-width:1.2;stroke-dasharray:4 3");
	curve(b, &f, r, 2, "stroke:#c0262d;stroke-width:1.6");
	snprintf(label, sizeof label, "budget %g%%", 100 * r->opts.max_error);
	hline(b, &f, r->opts.max_error, r->met ? "budget met" : "budget broken", label);
	vline_recommended(b, &f, r);
	weft_buf_puts(b, "</svg></div>\n<p class='muted'>Solid red: the upper bound of the automatic error rate at ");
	weft_buf_printf(b, "%g%% confidence; dashed grey: the error rate observed; green: the recommended "
			   "threshold.</p>\n", 100 * r->opts.confidence);
}

static void report_html(weft_buf *b, const weft_pipelines_threshold_result *r)
{
	weft_pl_html_head(b, "threshold");
	weft_buf_puts(b, "<h1>weft bench threshold: <span class='muted'>");
	weft_buf_put_html(b, r->source);
	weft_buf_printf(b, "</span></h1>\n<p class='verdict %s'>%s: ", r->met ? "met" : "broken", r->met ? "PASS" : "FAIL");
	weft_buf_put_html(b, r->verdict);
	weft_buf_puts(b, "</p>\n<p>");
	weft_buf tmp = WEFT_BUF_INIT;
	summary(&tmp, r);
	weft_buf_put_html(b, tmp.ptr ? tmp.ptr : "");
	weft_buf_free(&tmp);
	weft_buf_puts(b, "</p>\n");
	charts(b, r);
	weft_buf_puts(b, "<table>\n<tr>");
	for (size_t j = 0; j < N_CELLS; j++)
		if (show_cell(r, j))
			weft_buf_printf(b, "<th>%s</th>", heads[j]);
	weft_buf_puts(b, "</tr>\n");
	size_t idx[SHOWN_ROWS + 2], n = rows_shown(idx, r);
	char c[N_CELLS][32];
	for (size_t k = 0; k < n; k++) {
		cells(c, r, idx[k]);
		weft_buf_puts(b, r->points[idx[k]].within ? "<tr>" : "<tr class='muted'>");
		for (size_t j = 0; j < N_CELLS; j++)
			if (show_cell(r, j))
				weft_buf_printf(b, "<td>%s</td>", c[j]);
		weft_buf_puts(b, "</tr>\n");
	}
	weft_buf_puts(b, "</table>\n");
	if (n < r->n_points)
		weft_buf_printf(b, "<p class='muted'>%zu of %zu thresholds shown; the JSON report lists every one.</p>\n",
				n, r->n_points);
	reviewers(&tmp, r, "", "; ");
	if (tmp.len) {
		weft_buf_puts(b, "<h2>Reviewers</h2>\n<p>");
		weft_buf_put_html(b, tmp.ptr);
		weft_buf_puts(b, "</p>\n");
	}
	weft_buf_free(&tmp);
	weft_buf_printf(b, "<p class='muted'>weft %s</p>\n", weft_version());
	weft_pl_html_foot(b);
}

int weft_pipelines_threshold_report(weft_buf *out, const weft_pipelines_threshold_result *r,
				    weft_pipelines_format format)
{
	switch (format) {
	case WEFT_REPORT_TEXT: report_text(out, r); break;
	case WEFT_REPORT_JSON: report_json(out, r); break;
	case WEFT_REPORT_MARKDOWN: report_markdown(out, r); break;
	case WEFT_REPORT_HTML: report_html(out, r); break;
	default: return WEFT_EINVALID;
	}
	return out->oom ? WEFT_ENOMEM : WEFT_OK;
}
