/* test_pipelines_report_html.c - the charts of the HTML report show the
 * tail and stay legible: per series a percentile spectrum with markers at
 * the reported percentiles and their intervals, the budgets as labelled
 * lines, a dashed baseline with a legend when one is given; the histogram
 * has count ticks; and in every <svg> no two <text> labels overlap (boxes
 * recomputed from x, y, font-size, text-anchor, rotation and the number of
 * characters, 0.6 x font-size wide and font-size high) and none leaves the
 * chart. The box checker is itself checked on labels made to overlap. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"
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
TestSuite(report_html, .init = setup, .fini = teardown, .timeout = 60);

/* Latencies from tens of microseconds to milliseconds. */
static const char wide[] = "pipeline: wide\npattern: api\nstages:\n"
			   "  - {name: net, delay: {distribution: lognormal, median: 30us, p99: 2ms}}\n"
			   "  - {name: model, delay: {distribution: lognormal, median: 300us, p99: 4ms}}\n"
			   "load: {scenario: single-stream, duration: 5ms, min_queries: 1200, warmup: 5}\n";

/* Budgets close together, so that their labels compete for room. */
static const char budgeted[] = "pipeline: budgeted\npattern: api\nstages:\n"
			       "  - {name: model, delay: {distribution: lognormal, median: 200us, p99: 1ms},"
			       " budget: {p50: 250us, p90: 300us, p99: 2ms}}\n"
			       "budget: {end_to_end: {p90: 600us, p99: 2ms, p99.9: 2.2ms}}\n"
			       "load: {scenario: single-stream, duration: 5ms, min_queries: 1000, warmup: 5}\n";

static weft_pipelines_result *run_text(const char *text)
{
	weft_pipelines_spec *s = NULL;
	cr_assert_eq(weft_pipelines_spec_load_buffer(&s, "r.yaml", ".", text, strlen(text), d), 0);
	weft_pipelines_result *r = NULL;
	cr_assert_eq(weft_pipelines_run(&r, s, NULL, d), 0);
	weft_pipelines_spec_free(s);
	return r;
}

static char *render(const weft_pipelines_result *r)
{
	weft_buf b = WEFT_BUF_INIT;
	weft_pipelines_report_opts o = { false, false };
	cr_assert_eq(weft_pipelines_report(&b, r, WEFT_REPORT_HTML, &o), 0);
	return weft_buf_detach(&b);
}

/* ---- label boxes, read back from the SVG --------------------------------- */

typedef struct {
	double x0, y0, x1, y1;
	char text[96];
} tbox;

/* The value of attribute name in the tag [tag, end), or NULL. */
static const char *attr(const char *tag, const char *end, const char *name, char *out, size_t n)
{
	char key[32];
	snprintf(key, sizeof key, " %s=", name);
	const char *p = strstr(tag, key);
	if (!p || p >= end)
		return NULL;
	p += strlen(key);
	char q = *p++;
	const char *e = strchr(p, q);
	if (!e || e >= end || (size_t)(e - p) >= n)
		return NULL;
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = 0;
	return out;
}

/* Characters of text content: UTF-8 sequences and entities count one. */
static size_t text_chars(const char *s, const char *e, char *copy, size_t n)
{
	size_t k = 0, len = 0;
	for (const char *p = s; p < e; p++) {
		if (k + 1 < n)
			copy[k++] = *p;
		if (*p == '&') {
			const char *semi = strchr(p, ';');
			if (semi && semi < e)
				p = semi;
			len++;
		} else if (((unsigned char)*p & 0xC0) != 0x80)
			len++;
	}
	copy[k] = 0;
	return len;
}

/* Every <text> in [svg, end) as a box; returns how many (at most max). */
static size_t text_boxes(const char *svg, const char *end, tbox *out, size_t max)
{
	size_t n = 0;
	for (const char *p = svg; (p = strstr(p, "<text ")) && p < end; p++) {
		const char *gt = strchr(p, '>');
		const char *close = strstr(p, "</text>");
		cr_assert(gt && close && gt < close && close < end, "a closed <text>");
		char xs[32], ys[32], fss[32], anchor[16] = "start", tr[64];
		cr_assert(attr(p, gt, "x", xs, sizeof xs), "<text> has x: %.80s", p);
		cr_assert(attr(p, gt, "y", ys, sizeof ys), "<text> has y: %.80s", p);
		cr_assert(attr(p, gt, "font-size", fss, sizeof fss), "<text> has font-size: %.80s", p);
		attr(p, gt, "text-anchor", anchor, sizeof anchor);
		bool rot = attr(p, gt, "transform", tr, sizeof tr) != NULL;
		if (rot)
			cr_assert(strstr(tr, "rotate(-90"), "only rotate(-90) is understood: %s", tr);
		cr_assert_lt(n, max);
		tbox *b = &out[n++];
		double x = atof(xs), y = atof(ys), fs = atof(fss);
		double w = 0.6 * fs * (double)text_chars(gt + 1, close, b->text, sizeof b->text);
		double off = !strcmp(anchor, "middle") ? w / 2 : !strcmp(anchor, "end") ? w : 0;
		if (!rot) {
			b->x0 = x - off;
			b->x1 = b->x0 + w;
			b->y0 = y - fs;
			b->y1 = y;
		} else { /* rotate(-90 x y): the text reads upwards, its top to the left */
			b->x0 = x - fs;
			b->x1 = x;
			b->y1 = y + off;
			b->y0 = b->y1 - w;
		}
	}
	return n;
}

static bool meet(const tbox *a, const tbox *b)
{
	return a->x0 < b->x1 && b->x0 < a->x1 && a->y0 < b->y1 && b->y0 < a->y1;
}

/* The number of overlapping label pairs and labels outside the viewBox in
 * the svg at [svg, end); the first is described in why. */
static size_t label_problems(const char *svg, const char *end, char *why, size_t wn)
{
	static tbox bx[512];
	size_t n = text_boxes(svg, end, bx, 512), bad = 0;
	double vw = 0, vh = 0;
	if (sscanf(svg, "<svg viewBox='0 0 %lf %lf'", &vw, &vh) != 2)
		vw = vh = INFINITY;
	why[0] = 0;
	for (size_t i = 0; i < n; i++) {
		if (bx[i].x0 < 0 || bx[i].y0 < 0 || bx[i].x1 > vw || bx[i].y1 > vh) {
			if (!bad++)
				snprintf(why, wn, "'%s' leaves the chart", bx[i].text);
		}
		for (size_t j = i + 1; j < n; j++)
			if (meet(&bx[i], &bx[j]) && !bad++)
				snprintf(why, wn, "'%s' overlaps '%s'", bx[i].text, bx[j].text);
	}
	return bad;
}

/* Check every svg of a document; returns how many there were. */
static size_t check_all_svgs(const char *html)
{
	size_t n = 0;
	for (const char *p = html; (p = strstr(p, "<svg ")); p++) {
		const char *end = strstr(p, "</svg>");
		cr_assert(end, "a closed <svg>");
		char why[256];
		char title[80] = "";
		const char *t = strstr(p, "<title>");
		if (t && t < end)
			snprintf(title, sizeof title, "%.*s", (int)(strcspn(t + 7, "<")), t + 7);
		cr_expect_eq(label_problems(p, end, why, sizeof why), 0, "%s: %s", title, why);
		n++;
	}
	return n;
}

/* The svg whose title starts with what and names series name. */
static char *find_svg(const char *html, const char *what, const char *name)
{
	char title[128];
	snprintf(title, sizeof title, "<title>%s of %s</title>", what, name);
	const char *t = strstr(html, title);
	cr_assert(t, "no %s", title);
	const char *start = t;
	while (start > html && strncmp(start, "<svg ", 5))
		start--;
	const char *end = strstr(t, "</svg>");
	cr_assert(end);
	size_t n = (size_t)(end - start) + 6;
	char *s = malloc(n + 1);
	memcpy(s, start, n);
	s[n] = 0;
	return s;
}

static size_t count_of(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* ---- the checker, checked ------------------------------------------------- */

Test(report_html, the_box_checker_finds_overlaps)
{
	char why[256];
	const char *apart = "<svg viewBox='0 0 200 100'>"
			    "<text x='10' y='20' font-size='10' text-anchor='start'>abc</text>"
			    "<text x='40' y='20' font-size='10' text-anchor='start'>def</text>"
			    "<text x='100' y='40' font-size='10' text-anchor='middle'>&#8804; 2 \xc2\xb5s</text>"
			    "</svg>";
	cr_assert_eq(label_problems(apart, apart + strlen(apart), why, sizeof why), 0, "%s", why);
	/* 18 px wide from x = 10: the next one starts at 25 */
	const char *close = "<svg viewBox='0 0 200 100'>"
			    "<text x='10' y='20' font-size='10' text-anchor='start'>abc</text>"
			    "<text x='25' y='20' font-size='10' text-anchor='start'>def</text></svg>";
	cr_assert_eq(label_problems(close, close + strlen(close), why, sizeof why), 1);
	cr_assert(strstr(why, "'abc' overlaps 'def'"), "%s", why);
	/* an end-anchored label reaching back over a start-anchored one */
	const char *anchored = "<svg viewBox='0 0 200 100'>"
			       "<text x='10' y='20' font-size='10' text-anchor='start'>abc</text>"
			       "<text x='80' y='25' font-size='10' text-anchor='end'>long label</text></svg>";
	cr_assert_eq(label_problems(anchored, anchored + strlen(anchored), why, sizeof why), 1);
	/* multi-byte characters count once: 4 characters, 24 px, not 5 */
	const char *utf = "<svg viewBox='0 0 200 100'>"
			  "<text x='10' y='20' font-size='10' text-anchor='start'>1 \xc2\xb5s</text>"
			  "<text x='35' y='20' font-size='10' text-anchor='start'>x</text></svg>";
	cr_assert_eq(label_problems(utf, utf + strlen(utf), why, sizeof why), 0, "%s", why);
	/* a rotated axis title over a tick label */
	const char *rot = "<svg viewBox='0 0 200 200'>"
			  "<text x='16' y='100' font-size='11' text-anchor='middle' transform='rotate(-90 16 100)'>"
			  "share of queries</text>"
			  "<text x='30' y='104' font-size='10' text-anchor='end'>50%</text></svg>";
	cr_assert_eq(label_problems(rot, rot + strlen(rot), why, sizeof why), 1, "%s", why);
	/* outside the chart */
	const char *out = "<svg viewBox='0 0 200 100'>"
			  "<text x='195' y='20' font-size='10' text-anchor='start'>abc</text></svg>";
	cr_assert_eq(label_problems(out, out + strlen(out), why, sizeof why), 1);
	cr_assert(strstr(why, "leaves the chart"), "%s", why);
}

/* ---- the report ----------------------------------------------------------- */

Test(report_html, microseconds_to_milliseconds_labels_never_overlap)
{
	weft_pipelines_result *r = run_text(wide);
	char *html = render(r);
	cr_assert_eq(check_all_svgs(html), 3 * r->n_series + (r->n_seconds >= 2 ? 2 : 0),
		     "a spectrum, a CDF and a histogram per series (and two charts per second past a second)");
	cr_assert_eq(count_of(html, "<title>percentile spectrum of "), r->n_series);
	cr_assert_null(strstr(html, "<script"));
	for (size_t i = 0; i < r->n_series; i++) {
		const weft_pipelines_series *s = &r->series[i];
		char *sp = find_svg(html, "percentile spectrum", s->name);
		cr_assert(strstr(sp, "class='spec'"), "%s: the spectrum line", s->name);
		cr_assert(strstr(sp, "data-p='p50'"), "%s: a p50 marker", s->name);
		cr_assert(strstr(sp, "data-p='p99'"), "%s: a p99 marker", s->name);
		cr_assert(strstr(sp, "data-p='p99.9'"), "%s: 1200 queries reach p99.9", s->name);
		cr_assert(strstr(sp, ">99.9%</text>"), "%s: the x axis reaches 99.9%%", s->name);
		cr_assert_null(strstr(sp, ">99.99%</text>"), "%s: but not beyond the data", s->name);
		cr_assert(strstr(sp, "class='ci"), "%s: intervals drawn", s->name);
		cr_assert_null(strstr(sp, "baseline"), "no baseline given");
		/* log latency ticks in the project's units */
		cr_assert(strstr(sp, " ms</text>") || strstr(sp, " \xc2\xb5s</text>"), "%s", sp);
		free(sp);
		char *hist = find_svg(html, "histogram", s->name);
		cr_assert_geq(count_of(hist, "class='yt'>"), 3, "%s: count ticks on the histogram", s->name);
		cr_assert(strstr(hist, "class='yt'>0</text>"), "%s: the count axis starts at 0", s->name);
		free(hist);
	}
	/* the end-to-end axis spans microseconds to milliseconds */
	char *e2e = find_svg(html, "percentile spectrum", "end-to-end");
	cr_assert(strstr(e2e, " ms</text>"), "ms ticks");
	free(e2e);
	char *net = find_svg(html, "percentile spectrum", "net");
	cr_assert(strstr(net, " \xc2\xb5s</text>"), "\xc2\xb5s ticks");
	free(net);
	cr_assert_null(strstr(html, "e+"), "no exponents");
	free(html);
	weft_pipelines_result_free(r);
}

Test(report_html, budgets_are_labelled_lines_that_do_not_collide)
{
	weft_pipelines_result *r = run_text(budgeted);
	char *html = render(r);
	check_all_svgs(html);
	char *sp = find_svg(html, "percentile spectrum", "end-to-end");
	cr_assert_eq(count_of(sp, "class='limit "), 3, "three end-to-end budgets, horizontal");
	cr_assert(strstr(sp, ">p99 \xe2\x89\xa4 2.00 ms</text>"), "the p99 budget labelled: %s", sp);
	cr_assert(strstr(sp, ">p90 \xe2\x89\xa4 600 \xc2\xb5s</text>"), "the p90 budget labelled");
	cr_assert(strstr(sp, "data-p='p50'") && strstr(sp, "data-p='p99'"));
	free(sp);
	sp = find_svg(html, "percentile spectrum", "model");
	cr_assert_eq(count_of(sp, "class='limit "), 3, "three stage budgets");
	cr_assert(strstr(sp, ">p50 \xe2\x89\xa4 250 \xc2\xb5s</text>"), "the p50 budget labelled: %s", sp);
	free(sp);
	free(html);
	weft_pipelines_result_free(r);
}

Test(report_html, a_baseline_is_drawn_dashed_with_a_legend)
{
	weft_pipelines_result *r = run_text(budgeted);
	const weft_pipelines_series *s = &r->series[0];
	/* the baseline: this run's buckets, 1.5 times slower, in reverse order */
	size_t it = 0, n = 0;
	uint64_t v, c;
	weft_pipelines_wsample base[4096];
	while (n < 4096 && weft_pipelines_hist_next(s->hist, &it, &v, &c))
		n++;
	it = 0;
	size_t k = n;
	while (k && weft_pipelines_hist_next(s->hist, &it, &v, &c)) {
		base[--k].value = 1.5 * (double)v / 1e6;
		base[k].count = c;
	}
	weft_buf b = WEFT_BUF_INIT;
	weft_pl_html_spectrum(&b, s, base, n);
	char *with = weft_buf_detach(&b);
	cr_assert(strstr(with, "<polyline class='base'"), "the baseline line");
	cr_assert(strstr(with, ">baseline</text>") && strstr(with, ">this run</text>"), "the legend");
	cr_assert_eq(label_problems(with, with + strlen(with), (char[256]){ 0 }, 256), 0);
	weft_pl_html_spectrum(&b, s, NULL, 0);
	char *without = weft_buf_detach(&b);
	cr_assert_null(strstr(without, "class='base'"));
	cr_assert_null(strstr(without, ">baseline</text>"));
	free(with);
	free(without);
	weft_pipelines_result_free(r);
}

Test(report_html, a_short_run_draws_only_what_its_data_supports)
{
	weft_pipelines_result *r = run_text("pipeline: short\nstages:\n"
					    "  - {name: fast, delay: 300us, budget: {p50: 20ms}}\n"
					    "  - {name: slow, delay: 2ms, budget: {p50: 1ms}}\n"
					    "budget: {end_to_end: {p99: 1s}}\n"
					    "load: {scenario: single-stream, duration: 5ms, min_queries: 40, warmup: 2}\n");
	char *html = render(r);
	cr_assert_eq(check_all_svgs(html), 3 * r->n_series);
	char *sp = find_svg(html, "percentile spectrum", "end-to-end");
	cr_assert(strstr(sp, "data-p='p50'") && strstr(sp, "data-p='p90'"));
	cr_assert_null(strstr(sp, "data-p='p99'"), "40 queries reach p97.5, not p99");
	cr_assert_null(strstr(sp, ">99%</text>"));
	cr_assert(strstr(sp, ">p99 \xe2\x89\xa4 1.00 s</text>"), "the budget is drawn all the same");
	free(sp);
	free(html);
	weft_pipelines_result_free(r);
}

/* The first point of the polyline of class cls in svg: its y. */
static double first_y(const char *svg, const char *cls)
{
	char tag[64];
	snprintf(tag, sizeof tag, "<polyline class='%s' points='", cls);
	const char *p = strstr(svg, tag);
	cr_assert(p, "no %s line", cls);
	double x, y;
	cr_assert_eq(sscanf(p + strlen(tag), "%lf,%lf", &x, &y), 2);
	return y;
}

Test(report_html, a_compared_run_overlays_its_baseline)
{
	const char *fast = "pipeline: b\nstages: [{name: s, delay: 2ms}]\n"
			   "load: {scenario: single-stream, duration: 5ms, min_queries: 60, warmup: 2}\n";
	const char *slow = "pipeline: b\nstages: [{name: s, delay: 6ms}]\n"
			   "load: {scenario: single-stream, duration: 5ms, min_queries: 60, warmup: 2}\n";
	weft_pipelines_result *base = run_text(slow);
	weft_buf b = WEFT_BUF_INIT;
	weft_pipelines_report_opts o = { false, false };
	cr_assert_eq(weft_pipelines_report(&b, base, WEFT_REPORT_JSON, &o), 0);
	char *json = weft_buf_detach(&b);
	weft_pipelines_result_free(base);
	weft_pipelines_result *r = run_text(fast);
	char *plain = render(r);
	cr_assert_null(strstr(plain, "class='base'"), "no baseline, no overlay");
	free(plain);
	cr_assert_eq(weft_pipelines_baseline_compare_json(r, "base.json", json, 0.05, -1, d), 0);
	char *html = render(r);
	cr_assert_eq(check_all_svgs(html), 3 * r->n_series);
	for (size_t i = 0; i < r->n_series; i++) {
		char *sp = find_svg(html, "percentile spectrum", r->series[i].name);
		cr_assert(strstr(sp, ">baseline</text>"), "%s: the legend", r->series[i].name);
		/* 6 ms against 2 ms: the baseline's line lies above (smaller y) */
		cr_assert_lt(first_y(sp, "base") + 20, first_y(sp, "spec"), "%s", sp);
		free(sp);
	}
	free(html);
	free(json);
	weft_pipelines_result_free(r);
}

/* ---- candidates: latency against accuracy ----------------------------------- */

static weft_pipelines_candidate cand(const char *name, double p99_ms, double acc, weft_pipelines_verdict fits)
{
	weft_pipelines_candidate it = { 0 };
	it.name = (char *)name;
	it.evaluated = true;
	it.accuracy = acc;
	it.judged = true;
	it.fits = fits;
	it.stage_p99 = (weft_pipelines_pctl){ .label = "p99", .q = 0.99, .value_ms = p99_ms, .has_lo = true,
					      .has_hi = true, .lo_ms = 0.9 * p99_ms, .hi_ms = 1.2 * p99_ms };
	return it;
}

/* The cx, cy of the candidate's point, and whether it carries attr. */
static void cand_at(const char *svg, const char *name, double *x, double *y, const char *attr, bool *has)
{
	char tag[96];
	snprintf(tag, sizeof tag, "<g class='cand' data-name='%s'", name);
	const char *g = strstr(svg, tag);
	cr_assert(g, "no point for %s", name);
	const char *end = strstr(g, "</g>");
	const char *open = strchr(g, '>');
	char head[256] = { 0 };
	memcpy(head, g, (size_t)(open - g) < sizeof head - 1 ? (size_t)(open - g) : sizeof head - 1);
	*has = attr && strstr(head, attr);
	const char *pt = strstr(g, "class='pt ");
	cr_assert(pt && pt < end);
	while (pt > g && strncmp(pt, "<circle ", 8))
		pt--;
	cr_assert_eq(sscanf(pt, "<circle cx='%lf' cy='%lf'", x, y), 2, "%.60s", pt);
}

Test(report_html, the_candidates_chart_places_each_model_and_its_frontier)
{
	weft_pipelines_candidate items[6] = {
		cand("quick", 1, 0.80, WEFT_VERDICT_MET),	   cand("good", 3, 0.90, WEFT_VERDICT_MET),
		cand("dominated", 10, 0.85, WEFT_VERDICT_BROKEN), cand("best", 20, 0.95, WEFT_VERDICT_BROKEN),
		cand("failed", 2, 0.99, WEFT_VERDICT_MET),	   cand("unscored", 2, 0, WEFT_VERDICT_MET),
	};
	items[4].error = (char *)"cannot read";
	items[5].evaluated = false;
	weft_pipelines_candidates c = { .items = items, .n = 6, .recommended = 1, .eval_rows = 1000,
					.confidence = 0.95, .has_budget = true, .budget_ms = 5 };
	weft_buf b = WEFT_BUF_INIT;
	weft_pl_html_tradeoff(&b, &c);
	char *svg = weft_buf_detach(&b);
	char why[256];
	cr_assert_eq(label_problems(svg, svg + strlen(svg), why, sizeof why), 0, "%s", why);
	cr_assert_eq(count_of(svg, "<g class='cand'"), 4, "an error or no accuracy: not placed");
	cr_assert_null(strstr(svg, "data-name='failed'"));
	cr_assert_null(strstr(svg, "data-name='unscored'"));
	const char *names[] = { "quick", "good", "dominated", "best" };
	double x[4], y[4];
	bool front[4], rec;
	for (int i = 0; i < 4; i++)
		cand_at(svg, names[i], &x[i], &y[i], "data-front='1'", &front[i]);
	/* latency left to right, accuracy bottom to top */
	cr_assert(x[0] < x[1] && x[1] < x[2] && x[2] < x[3]);
	cr_assert(y[3] < y[1] && y[1] < y[2] && y[2] < y[0]);
	/* on a log axis 1 -> 10 ms spans as much as 2 -> 20 ms */
	cr_assert_float_eq((x[2] - x[0]) / (x[3] - x[0]), 1 / log10(20.0), 0.01);
	/* "dominated" is slower and less accurate than "good" */
	cr_assert(front[0] && front[1] && !front[2] && front[3]);
	cand_at(svg, "good", &x[1], &y[1], "data-recommended='1'", &rec);
	cr_assert(rec);
	cr_assert(strstr(svg, ">good (recommended)</text>"));
	cr_assert_eq(count_of(svg, "class='rec'"), 1);
	/* colours follow the verdicts */
	cr_assert_eq(count_of(svg, "class='pt met'"), 3, "two points and the legend");
	cr_assert_eq(count_of(svg, "class='pt broken'"), 3);
	/* the budget line between "good" (3 ms) and "dominated" (10 ms) */
	const char *lim = strstr(svg, "class='limit'");
	cr_assert(lim);
	while (strncmp(lim, "<line ", 6))
		lim--;
	double lx;
	cr_assert_eq(sscanf(lim, "<line x1='%lf'", &lx), 1);
	cr_assert(x[1] < lx && lx < x[2], "%f %f %f", x[1], lx, x[2]);
	cr_assert(strstr(svg, ">p99 \xe2\x89\xa4 5.00 ms</text>"));
	/* 900 of 1000 right: the exact (Clopper-Pearson) 95% interval is
	 * 0.87971 to 0.91789 (binomial tails solved by bisection outside
	 * weft), printed to a tenth of a percent */
	const char *tip = strstr(svg, "good: p99 ");
	double alo, ahi;
	cr_assert(tip);
	tip = strstr(tip, "accuracy 90.0% (");
	cr_assert(tip, "%s", svg);
	cr_assert_eq(sscanf(tip, "accuracy 90.0%% (%lf%% to %lf%%)", &alo, &ahi), 2);
	cr_assert_float_eq(alo, 87.971, 0.06, "%f", alo);
	cr_assert_float_eq(ahi, 91.789, 0.06, "%f", ahi);
	free(svg);
	/* close together (229 to 240 us, intervals to 290 us): still three
	 * or more latency ticks, none overlapping */
	for (int i = 0; i < 4; i++)
		items[i] = cand(names[i], 0.229 + 0.0035 * i, 0.8 + 0.01 * i, WEFT_VERDICT_MET);
	c.has_budget = false;
	weft_pl_html_tradeoff(&b, &c);
	svg = weft_buf_detach(&b);
	cr_assert_eq(label_problems(svg, svg + strlen(svg), why, sizeof why), 0, "%s", why);
	cr_assert_geq(count_of(svg, "class='tl'>"), 3, "%s", svg);
	cr_assert_null(strstr(svg, "class='limit'"), "no budget, no line");
	free(svg);
	/* nothing to place: a sentence, no chart */
	c.n = 2;
	c.items = &items[4];
	c.recommended = SIZE_MAX;
	weft_pl_html_tradeoff(&b, &c);
	svg = weft_buf_detach(&b);
	cr_assert_null(strstr(svg, "<svg"));
	cr_assert(strstr(svg, "No candidate was both timed and evaluated"));
	free(svg);
}

static size_t count_in(const char *s, const char *needle)
{
	size_t n = 0;
	for (const char *p = s; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

Test(report_html, a_run_of_seconds_is_charted_second_by_second)
{
	/* fails in every odd second of the wall clock: errors in some seconds */
	weft_pipelines_result *r = run_text("pipeline: sec\nstages:\n  - {name: pre, delay: 200us}\n"
					    "  - {name: flaky, command: {shell: '[ $(( $(date +%s) % 2 )) -eq 0 ]'}}\n"
					    "budget: {error_rate: 0.99}\n"
					    "load: {scenario: server, rate: 40, duration: 2200ms, warmup: 0}\n");
	cr_assert_geq(r->n_seconds, 2);
	size_t with_queries = 0, with_errors = 0;
	for (size_t i = 0; i < r->n_seconds; i++) {
		with_queries += r->seconds[i].queries > 0;
		with_errors += r->seconds[i].errors > 0;
	}
	char *html = render(r);
	cr_assert_eq(check_all_svgs(html), 3 * r->n_series + 2, "and the rate and latency per second");
	char *rate = find_svg(html, "queries per second", "the run");
	cr_assert_eq(count_in(rate, "class='bar'"), with_queries, "a bar per second");
	cr_assert_eq(count_in(rate, "class='ebar'"), with_errors, "failed queries in red");
	free(rate);
	char *lat = find_svg(html, "p50 and p99 per second", "the run");
	cr_assert(strstr(lat, "<path class='p50l' d='M") && strstr(lat, "<path class='p99l' d='M"), "%s", lat);
	cr_assert_eq(count_in(lat, "class='emark'"), with_errors, "seconds with errors marked");
	free(lat);
	cr_assert_null(strstr(html, "<script"));
	free(html);
	weft_pipelines_result_free(r);
}
