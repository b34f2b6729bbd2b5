/* report_html.c - a self-contained HTML report with inline SVG charts.
 *
 * Design: one file that opens anywhere (no script, no external CSS or
 * fonts), so it can be attached to a CI run as is. Per series: the
 * percentile spectrum (HdrHistogram style: latency on a log axis against
 * the percentile on a log(1/(1-p)) axis, so p99 and p99.9 get as much room
 * as p50), with the reported percentiles, their confidence intervals and the
 * budgets drawn on it, and optionally a baseline run dashed; then the
 * latency CDF on a logarithmic time axis and a histogram on the same axis,
 * each with the series' budgets drawn as vertical lines. The charts are
 * drawn from the histogram buckets, so they cost the same for a hundred
 * queries or a hundred million. All user text is HTML-escaped.
 *
 * Labels never overlap: every <text> goes through put_label, which
 * estimates its box (0.62 x font-size per character, font-size high, a
 * little wider than the sans-serif digits it mostly holds) and drops a
 * label that would come within 4 px (side by side) of one already placed or leave the
 * chart. Ticks are offered in order of importance (decades before 5s before
 * 2s), so a crowded axis thins itself. Each <text> carries x, y, font-size
 * and text-anchor so that its box can be recomputed from the document.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

#define W 560.0
#define H 240.0
#define ML 64.0
#define MR 16.0
#define MT 14.0
#define MB 34.0
#define FS 10.0 /* tick and label font size */
#define LE "\xe2\x89\xa4" /* U+2264 less-than or equal to */

/* ---- labels that do not collide -------------------------------------------- */

typedef struct {
	double x0, y0, x1, y1;
} lbox;

typedef struct {
	lbox b[192];
	size_t n;
	double w, h; /* the chart: a label must stay inside */
} labels;

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/* The box of a label; rot: rotate(-90) about (x, y), reading upwards. */
static lbox text_box(double x, double y, double fs, const char *anchor, bool rot, const char *text)
{
	double w = 0.62 * fs * (double)utf8_chars(text);
	double off = !strcmp(anchor, "middle") ? w / 2 : !strcmp(anchor, "end") ? w : 0;
	lbox r;
	if (!rot) {
		r.x0 = x - off;
		r.x1 = r.x0 + w;
		r.y0 = y - fs;
		r.y1 = y;
	} else {
		r.x0 = x - fs;
		r.x1 = x;
		r.y1 = y + off;
		r.y0 = r.y1 - w;
	}
	return r;
}

static bool label_fits(const labels *L, const lbox *r)
{
	/* a visible gap side by side; stacked lines need less (font-size
	 * already holds the descenders); both more than the rounding of the
	 * coordinates written */
	const double padx = 4, pady = 1.5;
	if (L->n >= sizeof L->b / sizeof L->b[0])
		return false;
	if (r->x0 < 0 || r->y0 < 0 || r->x1 > L->w || r->y1 > L->h)
		return false;
	for (size_t i = 0; i < L->n; i++) {
		const lbox *o = &L->b[i];
		if (r->x0 < o->x1 + padx && o->x0 < r->x1 + padx && r->y0 < o->y1 + pady && o->y0 < r->y1 + pady)
			return false;
	}
	return true;
}

/* Write text (raw UTF-8, escaped here) at (x, y) unless its box meets a
 * label already placed; returns whether it was written. */
static bool put_label_rot(weft_buf *b, labels *L, double x, double y, double fs, const char *anchor,
			  const char *cls, bool rot, const char *text)
{
	lbox r = text_box(x, y, fs, anchor, rot, text);
	if (!label_fits(L, &r))
		return false;
	L->b[L->n++] = r;
	weft_buf_printf(b, "<text x='%.1f' y='%.1f' font-size='%.0f' text-anchor='%s' class='%s'", x, y, fs, anchor,
			cls);
	if (rot)
		weft_buf_printf(b, " transform='rotate(-90 %.1f %.1f)'", x, y);
	weft_buf_putc(b, '>');
	weft_buf_put_html(b, text);
	weft_buf_puts(b, "</text>");
	return true;
}

static bool put_label(weft_buf *b, labels *L, double x, double y, double fs, const char *anchor, const char *cls,
		      const char *text)
{
	return put_label_rot(b, L, x, y, fs, anchor, cls, false, text);
}

static labels *labels_new(double w, double h)
{
	labels *L = calloc(1, sizeof *L);
	if (L) {
		L->w = w;
		L->h = h;
	}
	return L;
}

/* A duration for a tick: "1 ms", "20 ms", "500 µs" (the formatter's
 * trailing zeros dropped: ticks are round numbers). */
static char *strip_zeros(char *buf)
{
	char *dot = strchr(buf, '.');
	if (dot) {
		char *e = dot + 1;
		while (*e == '0')
			e++;
		if (*e < '0' || *e > '9')
			memmove(dot, e, strlen(e) + 1);
	}
	return buf;
}

static char *tick_ms(char *buf, size_t n, double ms)
{
	return strip_zeros(weft_pipelines_duration_format(buf, n, ms, false));
}

/* Tick values (ms) for a log axis over [lx0, lx1] (log10 ms), in the order
 * they are offered to the labeller: decades, then 5s, then 2s; on an axis
 * too short for four of those, the other whole multiples too. Returns how
 * many were written to out (at most max). */
static size_t log_ticks(double *out, size_t max, double lx0, double lx1)
{
	static const double main_steps[] = { 1, 5, 2 }, more[] = { 3, 4, 6, 8, 7, 9 };
	size_t n = 0;
	for (int pass = 0; pass < 2; pass++) {
		const double *st = pass ? more : main_steps;
		size_t ns = pass ? sizeof more / sizeof *more : sizeof main_steps / sizeof *main_steps;
		if (pass && n >= 4)
			break;
		for (size_t i = 0; i < ns; i++)
			for (int e = (int)floor(lx0) - 1; e <= (int)ceil(lx1) && n < max; e++) {
				double ms = st[i] * pow(10.0, e), l = log10(ms);
				if (l >= lx0 - 1e-9 && l <= lx1 + 1e-9)
					out[n++] = ms;
			}
	}
	return n;
}

/* ---- CDF and histogram on a log time axis ------------------------------------ */

typedef struct {
	double lx0, lx1; /* log10 ms range */
} axis;

static double xpos(const axis *a, double ms)
{
	double lx = log10(ms);
	return ML + (lx - a->lx0) / (a->lx1 - a->lx0) * (W - ML - MR);
}

static void draw_axis(weft_buf *b, labels *L, const axis *a, const char *ylabel)
{
	weft_buf_printf(b, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' class='ax'/>", ML, H - MB, W - MR, H - MB);
	weft_buf_printf(b, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' class='ax'/>", ML, MT, ML, H - MB);
	put_label(b, L, (W + ML) / 2, H - 4, 11, "middle", "xl", "latency (log scale)");
	put_label_rot(b, L, 16.0, (H - MB + MT) / 2, 11, "middle", "yl", true, ylabel);
	/* labels where they fit */
	double t[64];
	size_t nt = log_ticks(t, 64, a->lx0, a->lx1);
	for (size_t i = 0; i < nt; i++) {
		double x = xpos(a, t[i]);
		char lab[32];
		weft_buf_printf(b, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' class='grid'/>", x, MT, x, H - MB);
		put_label(b, L, x, H - MB + 16, FS, "middle", "tl", tick_ms(lab, sizeof lab, t[i]));
	}
}

static void draw_budgets(weft_buf *b, labels *L, const axis *a, const weft_pipelines_series *s)
{
	for (size_t i = 0; i < s->n_checks; i++) {
		const weft_pipelines_check *c = &s->checks[i];
		if (!(c->budget.limit_ms > 0))
			continue;
		double lx = log10(c->budget.limit_ms);
		if (lx < a->lx0 || lx > a->lx1)
			continue;
		double x = xpos(a, c->budget.limit_ms);
		char lim[32], text[64];
		weft_pipelines_duration_format(lim, sizeof lim, c->budget.limit_ms, false);
		snprintf(text, sizeof text, "%s " LE " %s", c->budget.label, lim);
		weft_buf_printf(b, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' class='budget %s'><title>", x, MT,
				x, H - MB, weft_pipelines_verdict_name(c->verdict));
		weft_buf_put_html(b, text);
		weft_buf_puts(b, "</title></line>");
		/* left of the line, else right of it, lower and lower */
		for (int k = 0; k < 8; k++) {
			double y = MT + 11 + 12.0 * k;
			if (put_label(b, L, x - 3, y, FS, "end", "bl", text) ||
			    put_label(b, L, x + 3, y, FS, "start", "bl", text))
				break;
		}
	}
}

/* A 1-2-5 step (at least 1) giving about `ticks` steps up to top. */
static double nice_step(double top, int ticks)
{
	double raw = top / ticks, mag = pow(10.0, floor(log10(raw > 0 ? raw : 1))), step = mag;
	for (int i = 0; i < 3; i++) {
		static const double m[] = { 1, 2, 5 };
		step = m[i] * mag;
		if (step >= raw)
			break;
		step = 10 * mag;
	}
	return step < 1 ? 1 : step;
}

/* A count axis from 0 past top, about four 1-2-5 steps, ticked and gridded
 * on the left of a W x H chart; returns its top. */
static double count_ticks(weft_buf *b, labels *L, double top)
{
	double step = nice_step(top, 4), ymax = ceil(top / step) * step;
	if (ymax <= 0)
		ymax = 1;
	for (double t = 0; t <= ymax + step / 2; t += step) {
		double y = H - MB - (H - MB - MT) * t / ymax;
		char lab[32];
		if (t > 0)
			weft_buf_printf(b, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' class='grid'/>", ML, y,
					W - MR, y);
		put_label(b, L, ML - 4, y + 3.5, FS, "end", "yt",
			  strip_zeros(weft_pipelines_number_format(lab, sizeof lab, t)));
	}
	return ymax;
}

static void svg_open(weft_buf *b, double w, double h, const char *cls, const char *what, const char *name)
{
	weft_buf_printf(b, "<svg viewBox='0 0 %.0f %.0f' width='%.0f' height='%.0f' role='img' class='%s'><title>",
			w, h, w, h, cls);
	weft_buf_puts(b, what);
	weft_buf_puts(b, " of ");
	weft_buf_put_html(b, name);
	weft_buf_puts(b, "</title>");
}

/* ---- the percentile spectrum --------------------------------------------------- */

#define SW 560.0
#define SH 300.0
#define SML 64.0
#define SMR 16.0
#define SMT 24.0
#define SMB 34.0

typedef struct {
	double tmax;     /* log10(1/(1-p)) at the right edge */
	double ly0, ly1; /* log10 ms range */
} sframe;

static double s_t(double p)
{
	return p >= 1 ? INFINITY : -log10(1 - p);
}

static double s_x(const sframe *f, double p)
{
	double t = s_t(p);
	if (t > f->tmax)
		t = f->tmax;
	if (t < 0)
		t = 0;
	return SML + t / f->tmax * (SW - SML - SMR);
}

static double s_y(const sframe *f, double ms)
{
	double ly = ms > 0 ? log10(ms) : f->ly0;
	if (ly < f->ly0)
		ly = f->ly0;
	if (ly > f->ly1)
		ly = f->ly1;
	return SH - SMB - (ly - f->ly0) / (f->ly1 - f->ly0) * (SH - SMB - SMT);
}

static int wcmp(const void *a, const void *b)
{
	double x = ((const weft_pipelines_wsample *)a)->value, y = ((const weft_pipelines_wsample *)b)->value;
	return (x > y) - (x < y);
}

static uint64_t wtotal(const weft_pipelines_wsample *w, size_t n)
{
	uint64_t t = 0;
	for (size_t i = 0; i < n; i++)
		t += w[i].count;
	return t;
}

/* The quantile function of w (ascending values, ms) as a step line: a value
 * holds from the share below it to the share up to it, the line ending at
 * p = 1 - 1/n (the largest value drawn as a rise there). Steps narrower
 * than half a pixel are merged (the line stays monotone). */
static void spectrum_line(weft_buf *b, const sframe *f, const weft_pipelines_wsample *w, size_t n,
			  const char *cls)
{
	uint64_t tot = wtotal(w, n), cum = 0;
	if (!tot)
		return;
	weft_buf_printf(b, "<polyline class='%s' points='", cls);
	bool first = true;
	double lastx = 0;
	for (size_t i = 0; i < n; i++) {
		if (!w[i].count)
			continue;
		/* no further right than the data supports: p = 1 - 1/n */
		double cap = 1 - 1 / (double)tot, p0 = (double)cum / (double)tot;
		cum += w[i].count;
		double p1 = (double)cum / (double)tot;
		double x0 = s_x(f, p0 < cap ? p0 : cap), x1 = s_x(f, p1 < cap ? p1 : cap);
		double y = s_y(f, w[i].value);
		if (first) {
			weft_buf_printf(b, "%.1f,%.1f ", x0, y);
			lastx = x0;
			first = false;
		}
		if (x1 - lastx < 0.5 && cum < tot)
			continue;
		weft_buf_printf(b, "%.1f,%.1f %.1f,%.1f ", lastx, y, x1, y);
		lastx = x1;
	}
	weft_buf_puts(b, "'/>");
}

static weft_pipelines_wsample *hist_samples(const weft_pipelines_hist *h, size_t *n)
{
	size_t it = 0, k = 0, cap = 256;
	uint64_t v, c;
	weft_pipelines_wsample *w = malloc(cap * sizeof *w);
	while (w && weft_pipelines_hist_next(h, &it, &v, &c)) {
		if (k == cap) {
			weft_pipelines_wsample *g = realloc(w, 2 * cap * sizeof *w);
			if (!g) {
				free(w);
				return NULL;
			}
			w = g;
			cap *= 2;
		}
		w[k].value = (double)v / 1e6;
		w[k].count = c;
		k++;
	}
	*n = k;
	return w;
}

static void widen(double *lo, double *hi, double ms)
{
	if (ms > 0 && isfinite(ms)) {
		if (ms < *lo)
			*lo = ms;
		if (ms > *hi)
			*hi = ms;
	}
}

void weft_pl_html_spectrum(weft_buf *b, const weft_pipelines_series *s, const weft_pipelines_wsample *base,
			   size_t n_base)
{
	uint64_t n = weft_pipelines_hist_count(s->hist);
	size_t nw = 0;
	weft_pipelines_wsample *w = n ? hist_samples(s->hist, &nw) : NULL;
	weft_pipelines_wsample *bs = NULL;
	uint64_t nb = 0;
	if (base && n_base && (bs = malloc(n_base * sizeof *bs))) {
		memcpy(bs, base, n_base * sizeof *bs);
		qsort(bs, n_base, sizeof *bs, wcmp);
		nb = wtotal(bs, n_base);
	}
	labels *L = labels_new(SW, SH);
	if (!w || !L || !nw) {
		free(w);
		free(bs);
		free(L);
		return;
	}
	/* the frame: as far right as the larger run supports (p = 1 - 1/n) */
	sframe f;
	f.tmax = log10((double)(nb > n ? nb : n));
	if (f.tmax < 0.5)
		f.tmax = 0.5;
	double lo = INFINITY, hi = 0;
	widen(&lo, &hi, w[0].value);
	widen(&lo, &hi, w[nw - 1].value);
	widen(&lo, &hi, s->min_ms);
	widen(&lo, &hi, s->max_ms);
	for (size_t i = 0; i < n_base && bs; i++)
		if (bs[i].count)
			widen(&lo, &hi, bs[i].value);
	for (size_t i = 0; i < s->n_checks; i++)
		widen(&lo, &hi, s->checks[i].budget.limit_ms);
	for (size_t i = 0; i + 1 < WEFT_PIPELINES_N_PCTL; i++) {
		if (s->pctl[i].has_lo)
			widen(&lo, &hi, s->pctl[i].lo_ms);
		if (s->pctl[i].has_hi)
			widen(&lo, &hi, s->pctl[i].hi_ms);
	}
	if (!(lo > 0) || !isfinite(lo)) {
		lo = 1e-3;
		hi = hi > lo ? hi : 1;
	}
	f.ly0 = log10(lo) - 0.06;
	f.ly1 = log10(hi) + 0.06;
	if (f.ly1 - f.ly0 < 0.5) {
		double mid = (f.ly0 + f.ly1) / 2;
		f.ly0 = mid - 0.25;
		f.ly1 = mid + 0.25;
	}
	double x0 = SML, x1 = SW - SMR, y0 = SMT, y1 = SH - SMB;

	svg_open(b, SW, SH, "spectrum", "percentile spectrum", s->name);
	/* the legend first: it is never the label dropped */
	double lx = SML + 6;
	weft_buf_printf(b, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' class='spec'/>", lx, 12.0, lx + 18, 12.0);
	put_label(b, L, lx + 22, 15.5, FS, "start", "lg", "this run");
	if (nb) {
		lx += 22 + 0.6 * FS * 8 + 14;
		weft_buf_printf(b, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' class='base'/>", lx, 12.0, lx + 18,
				12.0);
		put_label(b, L, lx + 22, 15.5, FS, "start", "lg", "baseline");
	}
	/* axes, titles */
	weft_buf_printf(b, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' class='ax'/>", x0, y1, x1, y1);
	weft_buf_printf(b, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' class='ax'/>", x0, y0, x0, y1);
	put_label(b, L, (SW + SML) / 2, SH - 4, 11, "middle", "xl", "percentile (log scale of 1/(1-p))");
	put_label_rot(b, L, 16.0, (y0 + y1) / 2, 11, "middle", "yl", true, "latency (log scale)");
	/* x ticks: 0%, then the nines, then 50% if it fits */
	static const struct {
		double p;
		const char *lab;
	} xt[] = { { 0, "0%" },		 { 0.9, "90%" },	 { 0.99, "99%" },
		   { 0.999, "99.9%" },	 { 0.9999, "99.99%" },	 { 0.99999, "99.999%" },
		   { 0.999999, "99.9999%" }, { 0.9999999, "99.99999%" }, { 0.5, "50%" } };
	for (size_t i = 0; i < sizeof xt / sizeof xt[0]; i++) {
		if (s_t(xt[i].p) > f.tmax + 1e-9)
			continue;
		double x = s_x(&f, xt[i].p);
		weft_buf_printf(b, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' class='grid'/>", x, y0, x, y1);
		put_label(b, L, x, y1 + 16, FS, "middle", "tl", xt[i].lab);
	}
	/* y ticks */
	double t[64];
	size_t nt = log_ticks(t, 64, f.ly0, f.ly1);
	for (size_t i = 0; i < nt; i++) {
		double y = s_y(&f, t[i]);
		char lab[32];
		weft_buf_printf(b, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' class='grid'/>", x0, y, x1, y);
		put_label(b, L, x0 - 4, y + 3.5, FS, "end", "yt", tick_ms(lab, sizeof lab, t[i]));
	}
	/* budgets: horizontal lines, labelled at the right end, above, else below */
	for (size_t i = 0; i < s->n_checks; i++) {
		const weft_pipelines_check *c = &s->checks[i];
		if (!(c->budget.limit_ms > 0))
			continue;
		double y = s_y(&f, c->budget.limit_ms);
		char lim[32], text[64];
		weft_pipelines_duration_format(lim, sizeof lim, c->budget.limit_ms, false);
		snprintf(text, sizeof text, "%s " LE " %s", c->budget.label, lim);
		weft_buf_printf(b, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' class='limit %s'><title>", x0, y, x1,
				y, weft_pipelines_verdict_name(c->verdict));
		weft_buf_put_html(b, text);
		weft_buf_printf(b, ": %s</title></line>", weft_pipelines_verdict_name(c->verdict));
		bool placed = false;
		for (int k = 0; k < 4 && !placed; k++) {
			double dx = 60.0 * k;
			placed = put_label(b, L, x1 - 3 - dx, y - 3, FS, "end", "bl", text) ||
				 put_label(b, L, x1 - 3 - dx, y + FS + 2, FS, "end", "bl", text);
		}
	}
	/* the lines */
	if (nb)
		spectrum_line(b, &f, bs, n_base, "base");
	spectrum_line(b, &f, w, nw, "spec");
	/* the reported percentiles with their intervals */
	for (size_t i = 0; i + 1 < WEFT_PIPELINES_N_PCTL; i++) {
		const weft_pipelines_pctl *p = &s->pctl[i];
		if (!isfinite(p->value_ms) || !(p->q > 0) || s_t(p->q) > f.tmax + 1e-9)
			continue;
		double x = s_x(&f, p->q), y = s_y(&f, p->value_ms);
		double ya = p->has_hi ? s_y(&f, p->hi_ms) : y0, yb = p->has_lo ? s_y(&f, p->lo_ms) : y1;
		char tip[96];
		weft_buf_printf(b, "<g class='mk' data-p='%s'><title>", p->label);
		weft_buf_put_html(b, weft_pl_fmt_pctl(tip, sizeof tip, p, false));
		weft_buf_printf(b, " (%s)</title>", p->label);
		weft_buf_printf(b, "<rect x='%.1f' y='%.1f' width='6' height='%.1f' class='ci%s'/>", x - 3, ya,
				yb - ya > 0.5 ? yb - ya : 0.5, p->has_lo && p->has_hi ? "" : " open");
		weft_buf_printf(b, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' class='err'/>", x, ya, x, yb);
		if (p->has_hi)
			weft_buf_printf(b, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' class='err'/>", x - 3, ya,
					x + 3, ya);
		if (p->has_lo)
			weft_buf_printf(b, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' class='err'/>", x - 3, yb,
					x + 3, yb);
		weft_buf_printf(b, "<circle cx='%.1f' cy='%.1f' r='3' class='dot'/></g>", x, y);
		char lab[48], v[32];
		snprintf(lab, sizeof lab, "%s %s", p->label, weft_pipelines_duration_format(v, sizeof v, p->value_ms, false));
		/* above left or below right: the line rises to the right, so
		 * those sides are clear of it; else the name alone */
		if (!put_label(b, L, x - 5, y - 5, FS, "end", "ml", lab) &&
		    !put_label(b, L, x + 5, y + 14, FS, "start", "ml", lab) &&
		    !put_label(b, L, x - 5, y - 5, FS, "end", "ml", p->label))
			put_label(b, L, x + 5, y + 14, FS, "start", "ml", p->label);
	}
	weft_buf_puts(b, "</svg>");
	free(w);
	free(bs);
	free(L);
}

/* The baseline's histogram for series s, if the run was compared. */
static const weft_pipelines_comparison *cmp_of(const weft_pipelines_result *r, const weft_pipelines_series *s)
{
	for (size_t i = 0; i < r->n_cmp; i++)
		if (r->cmp[i].name && !strcmp(r->cmp[i].name, s->name) && r->cmp[i].n_base_buckets)
			return &r->cmp[i];
	return NULL;
}

static void charts(weft_buf *b, const weft_pipelines_result *r, const weft_pipelines_series *s)
{
	uint64_t n = weft_pipelines_hist_count(s->hist);
	if (!n) {
		weft_buf_puts(b, "<p class='muted'>No successful queries: nothing to draw.</p>");
		return;
	}
	const weft_pipelines_comparison *bc = cmp_of(r, s);
	weft_pl_html_spectrum(b, s, bc ? bc->base_buckets : NULL, bc ? bc->n_base_buckets : 0);

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
	labels *L = labels_new(W, H);
	if (!L)
		return;
	/* CDF */
	svg_open(b, W, H, "cdfchart", "CDF", s->name);
	draw_axis(b, L, &a, "share of queries");
	for (int k = 0; k <= 4; k++) {
		double y = H - MB - (H - MB - MT) * k / 4.0;
		char lab[16];
		snprintf(lab, sizeof lab, "%d%%", k * 25);
		if (k)
			weft_buf_printf(b, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' class='grid'/>", ML, y,
					W - MR, y);
		put_label(b, L, ML - 4, y + 3.5, FS, "end", "yt", lab);
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
	draw_budgets(b, L, &a, s);
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
	memset(L, 0, sizeof *L);
	L->w = W;
	L->h = H;
	svg_open(b, W, H, "histchart", "histogram", s->name);
	draw_axis(b, L, &a, "queries");
	double ymax = count_ticks(b, L, top);
	double bw = (W - ML - MR) / NB;
	for (int k = 0; k < NB; k++) {
		if (!bins[k])
			continue;
		double h = (H - MB - MT) * bins[k] / ymax;
		char cnt[32];
		weft_buf_printf(b, "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' class='bar'><title>%s</title></rect>",
				ML + bw * k + 0.5, H - MB - h, bw - 1.0, h,
				weft_pipelines_number_format(cnt, sizeof cnt, bins[k]));
	}
	draw_budgets(b, L, &a, s);
	weft_buf_puts(b, "</svg>");
	free(L);
}

/* ---- the run second by second ------------------------------------------------- */

/* At most this many bars: a longer run is drawn a few seconds per bar. */
#define MAX_BINS 120

static void bins_free(weft_pipelines_second *bins, size_t n)
{
	for (size_t i = 0; bins && i < n; i++)
		free(bins[i].buckets);
	free(bins);
}

/* r's seconds in bins of *per whole seconds from the first, each bin's
 * rate, p50 and p99 from its seconds' summed buckets (so a bin of many
 * seconds is judged as one); NULL when out of memory. */
static weft_pipelines_second *time_bins(const weft_pipelines_result *r, size_t *nb, uint64_t *per)
{
	const weft_pipelines_second *last = &r->seconds[r->n_seconds - 1];
	uint64_t t0 = r->seconds[0].t_s, len = last->t_s - t0 + 1;
	*per = (len + MAX_BINS - 1) / MAX_BINS;
	*nb = (size_t)((len + *per - 1) / *per);
	weft_pipelines_second *bins = calloc(*nb, sizeof *bins);
	uint64_t *counts = calloc(WEFT_PL_TS_BUCKETS, sizeof *counts);
	bool ok = bins && counts;
	for (size_t k = 0, i = 0; ok && k < *nb; k++) {
		weft_pipelines_second *o = &bins[k];
		o->t_s = t0 + k * *per;
		o->span_s = fmin((double)*per, (double)last->t_s + last->span_s - (double)o->t_s);
		for (; i < r->n_seconds && r->seconds[i].t_s < o->t_s + *per; i++) {
			const weft_pipelines_second *sc = &r->seconds[i];
			o->queries += sc->queries;
			o->errors += sc->errors;
			for (size_t j = 0; j < sc->n_buckets; j++)
				counts[weft_pl_ts_bucket(sc->buckets[j].value_ns)] += sc->buckets[j].count;
		}
		ok = weft_pl_second_set(o, counts);
		weft_pl_second_finish(o);
	}
	free(counts);
	if (!ok) {
		bins_free(bins, *nb);
		return NULL;
	}
	return bins;
}

typedef struct {
	double t0, t1; /* seconds from the run's start at the edges */
} tframe;

static double tx(const tframe *f, double t)
{
	return ML + (t - f->t0) / (f->t1 - f->t0) * (W - ML - MR);
}

static void draw_time_axis(weft_buf *b, labels *L, const tframe *f, uint64_t per, const char *ylabel)
{
	char lab[64];
	weft_buf_printf(b, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' class='ax'/>", ML, H - MB, W - MR, H - MB);
	weft_buf_printf(b, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' class='ax'/>", ML, MT, ML, H - MB);
	if (per > 1)
		snprintf(lab, sizeof lab, "seconds from the start (%llu s a bar)", (unsigned long long)per);
	else
		snprintf(lab, sizeof lab, "seconds from the start");
	put_label(b, L, (W + ML) / 2, H - 4, 11, "middle", "xl", lab);
	put_label_rot(b, L, 16.0, (H - MB + MT) / 2, 11, "middle", "yl", true, ylabel);
	double step = nice_step(f->t1 - f->t0, 6);
	for (double t = ceil(f->t0 / step) * step; t <= f->t1 + 1e-9; t += step) {
		double x = tx(f, t);
		weft_buf_printf(b, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' class='grid'/>", x, MT, x, H - MB);
		snprintf(lab, sizeof lab, "%.0f", t);
		put_label(b, L, x, H - MB + 16, FS, "middle", "tl", lab);
	}
}

/* "12 s: 200 q/s, 3 errors" for a bin's <title>. */
static void bin_title(weft_buf *b, const weft_pipelines_second *o, uint64_t per)
{
	char rate[32];
	weft_buf_printf(b, "<title>%llu", (unsigned long long)o->t_s);
	if (per > 1)
		weft_buf_printf(b, "-%llu", (unsigned long long)(o->t_s + per));
	weft_buf_printf(b, " s: %s q/s, %llu error%s</title>", weft_pipelines_number_format(rate, sizeof rate, o->rate_qps),
			(unsigned long long)o->errors, o->errors == 1 ? "" : "s");
}

/* Queries per second as bars, the failed share of each in red. */
static void rate_chart(weft_buf *b, labels *L, const weft_pipelines_second *bins, size_t nb, uint64_t per,
		       const tframe *f)
{
	double top = 0;
	for (size_t k = 0; k < nb; k++)
		top = fmax(top, bins[k].rate_qps);
	svg_open(b, W, H, "ratechart", "queries per second", "the run");
	draw_time_axis(b, L, f, per, "queries per second");
	double ymax = count_ticks(b, L, top);
	double bw = (W - ML - MR) / (double)nb;
	for (size_t k = 0; k < nb; k++) {
		const weft_pipelines_second *o = &bins[k];
		if (!o->queries || !isfinite(o->rate_qps))
			continue;
		double h = (H - MB - MT) * o->rate_qps / ymax;
		double he = h * (double)o->errors / (double)o->queries, x = tx(f, (double)o->t_s) + 0.5;
		double w = bw > 2 ? bw - 1.0 : bw;
		weft_buf_printf(b, "<g><rect x='%.2f' y='%.1f' width='%.2f' height='%.1f' class='bar'/>", x, H - MB - h, w,
				h - he);
		if (o->errors)
			weft_buf_printf(b, "<rect x='%.2f' y='%.1f' width='%.2f' height='%.1f' class='ebar'/>", x,
					H - MB - he, w, he);
		bin_title(b, o, per);
		weft_buf_puts(b, "</g>");
	}
	weft_buf_puts(b, "</svg>");
}

/* One percentile's line over the bins, broken where a bin has none. */
static void pctl_path(weft_buf *b, const weft_pipelines_second *bins, size_t nb, uint64_t per, const tframe *f,
		      const axis *a, bool p99)
{
	weft_buf_printf(b, "<path class='%s' d='", p99 ? "p99l" : "p50l");
	bool open = false;
	for (size_t k = 0; k < nb; k++) {
		double ms = p99 ? bins[k].p99_ms : bins[k].p50_ms;
		if (!(ms > 0)) {
			open = false;
			continue;
		}
		double lx = fmin(fmax(log10(ms), a->lx0), a->lx1);
		double x = tx(f, (double)bins[k].t_s + (double)per / 2);
		double y = H - MB - (lx - a->lx0) / (a->lx1 - a->lx0) * (H - MB - MT);
		weft_buf_printf(b, open ? "L%.1f,%.1f " : "M%.1f,%.1f l0,0 ", x, y);
		open = true;
	}
	weft_buf_puts(b, "'/>");
}

/* p50 and p99 per second on a log axis, seconds with errors marked red
 * along the top. */
static void latency_chart(weft_buf *b, labels *L, const weft_pipelines_second *bins, size_t nb, uint64_t per,
			  const tframe *f)
{
	double lo = INFINITY, hi = 0;
	for (size_t k = 0; k < nb; k++) {
		if (bins[k].p50_ms > 0)
			lo = fmin(lo, bins[k].p50_ms);
		if (bins[k].p99_ms > 0)
			hi = fmax(hi, bins[k].p99_ms);
	}
	if (!(hi > 0))
		return;
	axis a = { log10(lo) - 0.05, log10(hi) + 0.05 };
	if (a.lx1 - a.lx0 < 0.3) {
		double mid = (a.lx0 + a.lx1) / 2;
		a.lx0 = mid - 0.15;
		a.lx1 = mid + 0.15;
	}
	svg_open(b, W, H, "latchart", "p50 and p99 per second", "the run");
	draw_time_axis(b, L, f, per, "latency (log scale)");
	double t[64];
	size_t nt = log_ticks(t, 64, a.lx0, a.lx1);
	for (size_t i = 0; i < nt; i++) {
		double y = H - MB - (log10(t[i]) - a.lx0) / (a.lx1 - a.lx0) * (H - MB - MT);
		char lab[32];
		weft_buf_printf(b, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' class='grid'/>", ML, y, W - MR, y);
		put_label(b, L, ML - 4, y + 3.5, FS, "end", "yt", tick_ms(lab, sizeof lab, t[i]));
	}
	pctl_path(b, bins, nb, per, f, &a, false);
	pctl_path(b, bins, nb, per, f, &a, true);
	double bw = (W - ML - MR) / (double)nb;
	for (size_t k = 0; k < nb; k++)
		if (bins[k].errors) {
			weft_buf_printf(b, "<g><rect x='%.2f' y='%.1f' width='%.2f' height='4' class='emark'/>",
					tx(f, (double)bins[k].t_s), MT, bw);
			bin_title(b, &bins[k], per);
			weft_buf_puts(b, "</g>");
		}
	put_label(b, L, W - MR - 6, MT + 16, FS, "end", "lg99", "p99");
	put_label(b, L, W - MR - 30, MT + 16, FS, "end", "lg50", "p50");
	weft_buf_puts(b, "</svg>");
}

/* The run's rate and latency second by second, when it lasted two seconds
 * or more (one bar says nothing a summary does not). */
static void timeseries_charts(weft_buf *b, const weft_pipelines_result *r)
{
	if (r->n_seconds < 2)
		return;
	size_t nb;
	uint64_t per;
	weft_pipelines_second *bins = time_bins(r, &nb, &per);
	labels *L = labels_new(W, H);
	if (bins && L) {
		tframe f = { (double)bins[0].t_s, (double)bins[0].t_s + (double)(nb * per) };
		weft_buf_puts(b, "<h2>Second by second</h2>\n<div class='charts'>");
		rate_chart(b, L, bins, nb, per, &f);
		memset(L, 0, sizeof *L);
		L->w = W;
		L->h = H;
		latency_chart(b, L, bins, nb, per, &f);
		weft_buf_puts(b, "</div>\n<p class='muted'>Queries by the second they completed in; p50 and p99 of "
				 "their end-to-end latency (within 3%); red: failed queries.</p>\n");
	}
	bins_free(bins, nb);
	free(L);
}

/* ---- candidates: latency against accuracy --------------------------------- */

#define TW 560.0
#define TH 320.0
#define TML 64.0
#define TMR 16.0
#define TMT 24.0
#define TMB 34.0

typedef struct {
	const weft_pipelines_candidate *it;
	const weft_pipelines_pctl *lat;
	double acc_lo, acc_hi;
	bool front; /* no other candidate is both faster and more accurate */
} tpoint;

/* The model stage's p99 limit drawn on the chart: --budget alone, or the
 * stage's own p99 budget in the pipeline (NAN when it has none). */
static double tradeoff_limit(const weft_pipelines_candidates *c)
{
	if (!c->through_pipeline)
		return c->has_budget ? c->budget_ms : NAN;
	for (size_t i = 0; i < c->n; i++) {
		const weft_pipelines_result *r = c->items[i].run;
		for (size_t k = 0; r && c->stage && k < r->n_series; k++) {
			const weft_pipelines_series *s = &r->series[k];
			if (s->is_e2e || strcmp(s->name, c->stage))
				continue;
			for (size_t j = 0; j < s->n_checks; j++)
				if (!strcmp(s->checks[j].budget.label, "p99"))
					return s->checks[j].budget.limit_ms;
			return NAN;
		}
	}
	return NAN;
}

/* Where a candidate's name goes, nearest first: beside the point, then
 * above or below it on either side. */
static bool put_cand_label(weft_buf *b, labels *L, double x, double y, const char *text)
{
	static const struct {
		double dx, dy;
		const char *anchor;
	} at[] = { { 8, 3.5, "start" }, { -8, 3.5, "end" }, { 6, -7, "start" },
		   { 6, 15, "start" },	 { -6, -7, "end" },  { -6, 15, "end" } };
	for (size_t i = 0; i < sizeof at / sizeof *at; i++)
		if (put_label(b, L, x + at[i].dx, y + at[i].dy, FS, at[i].anchor, "ml", text))
			return true;
	return false;
}

void weft_pl_html_tradeoff(weft_buf *b, const weft_pipelines_candidates *c)
{
	tpoint *pt = calloc(c->n ? c->n : 1, sizeof *pt);
	labels *L = labels_new(TW, TH);
	size_t n = 0;
	if (!pt || !L)
		goto out;
	double lo = INFINITY, hi = 0, alo = 1, ahi = 0;
	for (size_t i = 0; i < c->n; i++) {
		const weft_pipelines_candidate *it = &c->items[i];
		const weft_pipelines_pctl *lat = &it->stage_p99;
		if (it->error || !it->evaluated || !(lat->value_ms > 0) || !isfinite(lat->value_ms))
			continue;
		tpoint *p = &pt[n++];
		p->it = it;
		p->lat = lat;
		/* accuracy's exact interval over the evaluation rows: two
		 * candidates whose intervals overlap are not told apart */
		uint64_t rows = c->eval_rows, right = (uint64_t)llround(it->accuracy * (double)rows);
		if (!rows || weft_pipelines_proportion_ci(&p->acc_lo, &p->acc_hi, right, rows, c->confidence))
			p->acc_lo = p->acc_hi = it->accuracy;
		widen(&lo, &hi, lat->value_ms);
		if (lat->has_lo)
			widen(&lo, &hi, lat->lo_ms);
		if (lat->has_hi)
			widen(&lo, &hi, lat->hi_ms);
		if (p->acc_lo < alo)
			alo = p->acc_lo;
		if (p->acc_hi > ahi)
			ahi = p->acc_hi;
	}
	if (!n) {
		weft_buf_puts(b, "<p class='muted'>No candidate was both timed and evaluated: no latency and "
				 "accuracy chart (give an evaluation set).</p>\n");
		goto out;
	}
	double limit = tradeoff_limit(c);
	widen(&lo, &hi, limit);
	for (size_t i = 0; i < n; i++) {
		pt[i].front = true;
		for (size_t j = 0; j < n && pt[i].front; j++) {
			double xi = pt[i].lat->value_ms, xj = pt[j].lat->value_ms;
			double ai = pt[i].it->accuracy, aj = pt[j].it->accuracy;
			if (j != i && xj <= xi && aj >= ai && (xj < xi || aj > ai))
				pt[i].front = false;
		}
	}
	axis a = { log10(lo) - 0.08, log10(hi) + 0.08 };
	if (a.lx1 - a.lx0 < 0.5) {
		double mid = (a.lx0 + a.lx1) / 2;
		a.lx0 = mid - 0.25;
		a.lx1 = mid + 0.25;
	}
	/* accuracy in whole percent steps around the intervals */
	double y_lo = floor(100 * alo - 2) / 100, y_hi = ceil(100 * ahi + 2) / 100;
	if (y_lo < 0)
		y_lo = 0;
	if (y_hi > 1)
		y_hi = 1;
	if (y_hi - y_lo < 0.04) {
		y_lo = y_lo > 0.02 ? y_lo - 0.02 : 0;
		y_hi = y_lo + 0.04;
	}
	double x0 = TML, x1 = TW - TMR, y0 = TMT, y1 = TH - TMB;
#define TX(ms) (x0 + (log10(ms) - a.lx0) / (a.lx1 - a.lx0) * (x1 - x0))
#define TY(acc) (y1 - ((acc) - y_lo) / (y_hi - y_lo) * (y1 - y0))
	svg_open(b, TW, TH, "tradeoff", "latency and accuracy", "the candidates");
	/* legend */
	static const struct {
		const char *cls, *text;
	} leg[] = { { "met", "fits" }, { "broken", "does not fit" }, { "inconclusive", "inconclusive" } };
	double lx = x0 + 6;
	for (size_t i = 0; i < 3; i++) {
		weft_buf_printf(b, "<circle cx='%.1f' cy='11' r='4' class='pt %s'/>", lx, leg[i].cls);
		put_label(b, L, lx + 7, 14.5, FS, "start", "lg", leg[i].text);
		lx += 7 + 0.6 * FS * (double)strlen(leg[i].text) + 14;
	}
	weft_buf_printf(b, "<line x1='%.1f' y1='11' x2='%.1f' y2='11' class='front'/>", lx, lx + 18);
	put_label(b, L, lx + 22, 14.5, FS, "start", "lg", "no faster and more accurate one");
	/* axes */
	weft_buf_printf(b, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' class='ax'/>", x0, y1, x1, y1);
	weft_buf_printf(b, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' class='ax'/>", x0, y0, x0, y1);
	put_label(b, L, (TW + TML) / 2, TH - 4, 11, "middle", "xl",
		  c->through_pipeline ? "model stage p99 in the pipeline (log scale)" : "model p99 (log scale)");
	put_label_rot(b, L, 16.0, (y0 + y1) / 2, 11, "middle", "yl", true, "accuracy");
	double xt[64];
	size_t nt = log_ticks(xt, 64, a.lx0, a.lx1);
	for (size_t i = 0; i < nt; i++) {
		char lab[32];
		double x = TX(xt[i]);
		weft_buf_printf(b, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' class='grid'/>", x, y0, x, y1);
		put_label(b, L, x, y1 + 16, FS, "middle", "tl", tick_ms(lab, sizeof lab, xt[i]));
	}
	/* accuracy ticks: 1-2-5 steps of a percent, about five */
	double span = 100 * (y_hi - y_lo), step = 1;
	static const double steps[] = { 1, 2, 5, 10, 20, 25 };
	for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
		step = steps[i];
		if (span / step <= 6)
			break;
	}
	for (double t = ceil(100 * y_lo / step - 1e-9) * step; t <= 100 * y_hi + 1e-9; t += step) {
		double y = TY(t / 100);
		char lab[16];
		snprintf(lab, sizeof lab, "%.0f%%", t);
		weft_buf_printf(b, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' class='grid'/>", x0, y, x1, y);
		put_label(b, L, x0 - 4, y + 3.5, FS, "end", "yt", lab);
	}
	if (isfinite(limit) && limit > 0) {
		char lim[32], text[64];
		double x = TX(limit);
		weft_pipelines_duration_format(lim, sizeof lim, limit, false);
		snprintf(text, sizeof text, "p99 " LE " %s", lim);
		weft_buf_printf(b, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' class='limit'><title>", x, y0, x, y1);
		weft_buf_put_html(b, text);
		weft_buf_puts(b, "</title></line>");
		for (int k = 0; k < 8; k++)
			if (put_label(b, L, x - 3, y0 + 11 + 12.0 * k, FS, "end", "bl", text) ||
			    put_label(b, L, x + 3, y0 + 11 + 12.0 * k, FS, "start", "bl", text))
				break;
	}
	/* the frontier, left to right (fastest first) */
	size_t nf = 0;
	const tpoint **fr = calloc(n, sizeof *fr);
	for (size_t i = 0; fr && i < n; i++)
		if (pt[i].front)
			fr[nf++] = &pt[i];
	for (size_t i = 1; i < nf; i++)
		for (size_t j = i; j > 0 && fr[j]->lat->value_ms < fr[j - 1]->lat->value_ms; j--) {
			const tpoint *t = fr[j];
			fr[j] = fr[j - 1];
			fr[j - 1] = t;
		}
	if (nf > 1) {
		weft_buf_puts(b, "<polyline class='front' points='");
		for (size_t i = 0; i < nf; i++)
			weft_buf_printf(b, "%.1f,%.1f ", TX(fr[i]->lat->value_ms), TY(fr[i]->it->accuracy));
		weft_buf_puts(b, "'/>");
	}
	free(fr);
	/* the candidates: the point, the latency interval across, the
	 * accuracy interval up and down */
	for (size_t i = 0; i < n; i++) {
		const tpoint *p = &pt[i];
		const weft_pipelines_candidate *it = p->it;
		bool rec = c->recommended < c->n && &c->items[c->recommended] == it;
		const char *cls = !it->judged ? "unjudged" : weft_pipelines_verdict_name(it->fits);
		double x = TX(p->lat->value_ms), y = TY(it->accuracy);
		double xa = p->lat->has_lo ? TX(p->lat->lo_ms) : x0, xb = p->lat->has_hi ? TX(p->lat->hi_ms) : x1;
		char v[32], tip[160];
		weft_buf_puts(b, "<g class='cand' data-name='");
		weft_buf_put_html(b, it->name);
		weft_buf_printf(b, "'%s%s><title>", rec ? " data-recommended='1'" : "", p->front ? " data-front='1'" : "");
		snprintf(tip, sizeof tip, "%s: p99 %s, accuracy %.1f%% (%.1f%% to %.1f%%)", it->name,
			 weft_pl_fmt_pctl(v, sizeof v, p->lat, false), 100 * it->accuracy, 100 * p->acc_lo,
			 100 * p->acc_hi);
		weft_buf_put_html(b, tip);
		weft_buf_puts(b, "</title>");
		weft_buf_printf(b, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' class='err'/>", xa, y, xb, y);
		weft_buf_printf(b, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' class='err'/>", x, TY(p->acc_hi), x,
				TY(p->acc_lo));
		if (rec)
			weft_buf_printf(b, "<circle cx='%.1f' cy='%.1f' r='8' class='rec'/>", x, y);
		weft_buf_printf(b, "<circle cx='%.1f' cy='%.1f' r='4.5' class='pt %s'/></g>", x, y, cls);
	}
	/* names, the recommended one first: it must not be the one crowded out */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < n; i++) {
			const weft_pipelines_candidate *it = pt[i].it;
			bool rec = c->recommended < c->n && &c->items[c->recommended] == it;
			if (rec != !pass)
				continue;
			double x = TX(pt[i].lat->value_ms), y = TY(it->accuracy);
			char lab[96];
			snprintf(lab, sizeof lab, "%s%s", it->name, rec ? " (recommended)" : "");
			if (!put_cand_label(b, L, x, y, lab) && rec)
				put_cand_label(b, L, x, y, it->name);
		}
#undef TX
#undef TY
	weft_buf_puts(b, "</svg>\n");
out:
	free(pt);
	free(L);
}

static const char css[] =
	"body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1200px;color:#1d232a;padding:0 1em}"
	"h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}table{border-collapse:collapse;margin:.6em 0}"
	"td,th{border-bottom:1px solid #dde;padding:.3em .7em;text-align:right;white-space:nowrap}"
	"td:first-child,th:first-child{text-align:left}.met{color:#17803d}.broken{color:#c0262d;font-weight:600}"
	".inconclusive{color:#a36100}.muted{color:#667}svg{margin:.3em 1em .3em 0;background:#fbfbfd;border:1px solid #e4e6ee}"
	"svg text{font-family:system-ui,sans-serif}.charts{display:flex;flex-wrap:wrap;align-items:flex-start}"
	".ax{stroke:#556;stroke-width:1}.grid{stroke:#e3e5ec;stroke-width:1}.tl,.yt,.xl,.yl,.lg{fill:#556}"
	".cdf,.spec{fill:none;stroke:#2457c5;stroke-width:1.6}.base{fill:none;stroke:#7a7f8c;stroke-width:1.4;"
	"stroke-dasharray:6 4}.bar{fill:#7c9be0}.budget,.limit{stroke-width:1.6;stroke-dasharray:5 3}"
	".budget.met,.limit.met{stroke:#17803d}.budget.broken,.limit.broken{stroke:#c0262d}"
	".budget.inconclusive,.limit.inconclusive{stroke:#c77a00}.ci{fill:#2457c5;fill-opacity:.18}"
	".ci.open{fill-opacity:.08}.err{stroke:#1b3f8f;stroke-width:1}.dot{fill:#fff;stroke:#1b3f8f;stroke-width:1.5}"
	".ml{fill:#1b3f8f}.bl{fill:#333}.ml,.bl{paint-order:stroke;stroke:#fbfbfd;stroke-width:3px;stroke-linejoin:round}.verdict{font-size:1.2em;font-weight:700}"
	".pt{stroke:#fff;stroke-width:1}.pt.met{fill:#17803d}.pt.broken{fill:#c0262d}.pt.inconclusive{fill:#c77a00}"
	".pt.unjudged{fill:#2457c5}.rec{fill:none;stroke:#1d232a;stroke-width:1.5}"
	".front{fill:none;stroke:#7a7f8c;stroke-width:1.2;stroke-dasharray:2 3}.limit{stroke:#c0262d}"
	".ebar,.emark{fill:#c0262d}.p50l,.p99l{fill:none;stroke-width:1.6;stroke-linecap:round;stroke-linejoin:round}"
	".p50l{stroke:#2457c5}.p99l{stroke:#c77a00}.lg50{fill:#2457c5}.lg99{fill:#c77a00}";

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
	if (r->has_error_budget) {
		char pct[32];
		weft_buf_printf(b, "error rate &#8804; %s%%</b>: ",
				weft_pipelines_number_format(pct, sizeof pct, 100.0 * r->error_budget));
	}
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
	timeseries_charts(b, r);
	weft_buf_puts(b, "<h2>Latency distributions</h2>\n");
	for (size_t i = 0; i < r->n_series; i++) {
		const weft_pipelines_series *s = &r->series[i];
		weft_buf_puts(b, "<h3>");
		weft_buf_put_html(b, s->name);
		weft_buf_printf(b, "</h3>\n<div class='charts'>");
		charts(b, r, s);
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
