/* report_html.c - the report as one self-contained HTML file: an SVG radar
 * chart of the dimension scores against the target, level bars, the
 * dimension table, the gap table, disagreements, every answer, and how the
 * result was scored (model digest, weights, scope, target, respondents),
 * readable on screen and printed to PDF.
 *
 * Design choice: no external assets and no script. The charts are inline
 * SVG computed here, the styles are one inline sheet with a print section
 * (A4, headings kept with what follows, no split rows or cards, no dark
 * backgrounds, link targets printed), so the file can be mailed, archived
 * or attached to a CI run and still render the same years later. Every
 * piece of text from the model or the answers is made printable and
 * HTML-escaped; evidence becomes a link only for http:// and https://
 * addresses. A dimension without a level never gets a number that looks
 * like one: the radar leaves a gap on its axis, the bars and tables say
 * "not rated" or "out of scope" with the reason weft_assess_explain gives.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "assess_int.h"

/* Radar geometry (tests/test_assess_report_html.c recomputes the points). */
#define RADAR_CX 310.0
#define RADAR_CY 215.0
#define RADAR_R 145.0

static void h(weft_buf *b, const char *s)
{
	char *c = assess_printable(s ? s : "", false);
	if (!c) {
		b->oom = true;
		return;
	}
	weft_buf_put_html(b, c);
	free(c);
}

/* The explanation of dr (NULL: overall), HTML-escaped. */
static void explain(weft_buf *b, const weft_assess_result *r, const weft_assess_dresult *dr)
{
	weft_buf e = WEFT_BUF_INIT;
	weft_assess_explain(&e, r, dr);
	if (e.oom)
		b->oom = true;
	else
		h(b, e.ptr ? e.ptr : "");
	weft_buf_free(&e);
}

static const char *class_at(bool rated, int level, int target)
{
	if (!rated)
		return "na";
	if (level >= target)
		return "ok";
	return level + 1 >= target ? "near" : "low";
}

static const char *level_class(const weft_assess_result *r, bool rated, int level)
{
	return class_at(rated, level, r->target);
}

/* The level classes' colours, as the style sheet's :root sets them. */
static const struct {
	const char *cls, *colour;
} level_colours[] = {
	{ "ok", "#2e7d32" }, { "near", "#b26a00" }, { "low", "#c62828" }, { "na", "#8a919e" },
};

const char *assess_html_level_colour(bool rated, int level, int target)
{
	const char *cls = class_at(rated, level, target);
	for (size_t i = 0; i < sizeof level_colours / sizeof *level_colours; i++)
		if (!strcmp(level_colours[i].cls, cls))
			return level_colours[i].colour;
	return "#8a919e";
}

void assess_html_text(weft_buf *b, const char *s)
{
	h(b, s);
}

/* The dimension holds the overall level (the lowest rated level). */
static bool holds_overall(const weft_assess_result *r, const weft_assess_dresult *dr)
{
	return r->rated && dr->rated && dr->level == r->level;
}

/* A short digest with the full one as a tooltip. */
static void sha(weft_buf *b, const char *hex)
{
	if (!hex || !*hex) {
		weft_buf_puts(b, "<span class=\"muted\">none (not read from a file)</span>");
		return;
	}
	/* the rest of the digest is printed on paper (data-rest) */
	size_t len = strlen(hex);
	weft_buf_puts(b, "<code class=\"sha\" title=\"sha256 ");
	h(b, hex);
	weft_buf_puts(b, "\" data-rest=\"");
	h(b, len > 12 ? hex + 12 : "");
	weft_buf_puts(b, "\">");
	char s[13];
	snprintf(s, sizeof s, "%.12s", hex);
	h(b, s);
	weft_buf_puts(b, "</code>");
}

/* http:// or https:// followed by a host and no space, quote or angle
 * bracket: the only evidence made into a link. */
static bool web_url(const char *s)
{
	size_t skip = !strncasecmp(s, "http://", 7) ? 7 : !strncasecmp(s, "https://", 8) ? 8 : 0;
	if (!skip || !s[skip] || s[skip] == '/')
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= 0x20 || *p == 0x7f || strchr("\"'<>\\`", *p))
			return false;
	return true;
}

static void evidence(weft_buf *b, const char *ev)
{
	char *c = assess_printable(ev ? ev : "", false);
	if (!c) {
		b->oom = true;
		return;
	}
	if (web_url(c)) {
		weft_buf cut = WEFT_BUF_INIT;
		assess_put_cols(&cut, c, 70, false);
		bool whole = cut.ptr && !strcmp(cut.ptr, c);
		weft_buf_printf(b, "<a class=\"ev%s\" href=\"", whole ? " whole" : "");
		weft_buf_put_html(b, c);
		weft_buf_puts(b, "\" rel=\"noopener noreferrer nofollow\">");
		weft_buf_put_html(b, cut.ptr ? cut.ptr : "");
		weft_buf_puts(b, "</a>");
		if (cut.oom)
			b->oom = true;
		weft_buf_free(&cut);
	} else {
		weft_buf_puts(b, "<span class=\"ev\">");
		weft_buf_put_html(b, c);
		weft_buf_puts(b, "</span>");
	}
	free(c);
}

static const char css[] =
	":root{--ok:#2e7d32;--near:#b26a00;--low:#c62828;--na:#8a919e;--ink:#1d2330;--mute:#5b6474;"
	"--line:#d9dde5;--tgt:#1f4fa8;--hold:#fff4d6}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;"
	"color:var(--ink);background:#f5f6f8}\n"
	"main{max-width:1080px;margin:0 auto;padding:24px 28px;background:#fff}\n"
	"h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 10px;border-bottom:1px solid var(--line);"
	"padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px}\n"
	".sub{color:var(--mute);margin:0}\n"
	".kpis{display:flex;flex-wrap:wrap;gap:12px;margin:18px 0}\n"
	".card{border:1px solid var(--line);border-radius:8px;padding:10px 14px}\n"
	".kpi{flex:1 1 150px}\n"
	".kpi b{display:block;font-size:26px;line-height:1.2}.kpi span{color:var(--mute);font-size:12px;"
	"text-transform:uppercase;letter-spacing:.04em}.kpi p{margin:4px 0 0;font-size:12px;color:var(--mute)}\n"
	".kpi b.nr{font-size:20px;color:var(--na)}\n"
	".charts{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}\n"
	".radar{flex:0 0 500px;margin:0}.radar svg{width:500px;height:auto}\n"
	".radar .ring{font-size:10px;fill:#6b7383;stroke:#fff;stroke-width:3px;stroke-linejoin:round;"
	"paint-order:stroke}\n"
	".radar .gap{font-size:11px;font-style:italic;fill:#6b7383;stroke:#fff;stroke-width:3px;"
	"stroke-linejoin:round;paint-order:stroke}\n"
	".bars{flex:1 1 380px}\n"
	".brow{display:grid;grid-template-columns:minmax(120px,190px) 1fr 110px;gap:8px;align-items:center;"
	"margin:7px 0;padding:1px 4px;border-radius:4px}\n"
	".brow.holds{background:var(--hold)}\n"
	".bname{font-weight:600;line-height:1.2;overflow-wrap:anywhere}\n"
	".bar{position:relative;height:16px;background:#eef0f4;border-radius:3px}\n"
	".fill{position:absolute;left:0;top:0;bottom:0;border-radius:3px}\n"
	".fill.na{background:repeating-linear-gradient(45deg,#b7bcc6 0 4px,#d3d7de 4px 8px)}\n"
	".tick{position:absolute;top:-3px;bottom:-3px;width:0;border-left:1px dotted #b9bfca}\n"
	".tgt{position:absolute;top:-4px;bottom:-4px;width:0;border-left:2px solid var(--tgt)}\n"
	".bval{font-variant-numeric:tabular-nums;color:var(--mute);font-size:12px}\n"
	".scale{display:grid;grid-template-columns:minmax(120px,190px) 1fr 110px;gap:8px;color:var(--mute);"
	"font-size:11px;padding:0 4px}.scale div{display:flex;justify-content:space-between}\n"
	".ok{background:var(--ok)}.near{background:var(--near)}.low{background:var(--low)}.na{background:var(--na)}\n"
	".lv{display:inline-block;min-width:22px;padding:0 6px;border-radius:10px;color:#fff;text-align:center;"
	"font-weight:600;font-size:12px}\n"
	".nr{color:var(--na);font-style:italic}.oos{color:var(--mute);font-style:italic}\n"
	"table{border-collapse:collapse;width:100%;margin:6px 0 12px}\n"
	"th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}\n"
	"th{font-size:12px;color:var(--mute);text-transform:uppercase;letter-spacing:.03em;background:#fafbfc}\n"
	"td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}td.lvl,td.nw{white-space:nowrap}\n"
	"tr.holds td{background:var(--hold)}\n"
	"code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f0f2f5;padding:1px 4px;"
	"border-radius:3px}\n"
	".crit,.unlock,.tag{font-size:11px;font-weight:700;text-transform:uppercase;margin-left:4px;"
	"white-space:nowrap}\n"
	".crit{color:var(--low)}.unlock{color:var(--tgt)}.tag{color:#8a6100}\n"
	".muted{color:var(--mute)}.small{font-size:12px}\n"
	".legend{font-size:12px;color:var(--mute)}.legend i{display:inline-block;width:18px;height:0;"
	"vertical-align:middle;margin:0 4px 0 10px}\n"
	"a{color:var(--tgt);overflow-wrap:anywhere}\n"
	"dl.prov{display:grid;grid-template-columns:max-content 1fr;gap:6px 16px;margin:8px 0}\n"
	"dl.prov dt{font-weight:600;color:var(--mute)}dl.prov dd{margin:0}\n"
	"ul.tight{margin:0;padding-left:18px}\n"
	"footer{margin-top:28px;color:var(--mute);font-size:12px}\n"
	".charts,.bar,.fill,.lv{-webkit-print-color-adjust:exact;print-color-adjust:exact}\n"
	"@media print{@page{size:A4;margin:14mm}\n"
	"body,main{background:#fff!important;color:#000;font-size:11px}main{max-width:none;padding:0}\n"
	"h1,h2,h3{break-after:avoid;page-break-after:avoid}\n"
	"h2+p,h3+p{break-before:avoid;page-break-before:avoid}\n"
	".card,.kpi,.radar,.brow,tr,dl.prov,li{break-inside:avoid;page-break-inside:avoid}\n"
	"thead{display:table-header-group}\n"
	"th,code,tr.holds td,.brow.holds{background:#fff!important}\n"
	"tr.holds td,.brow.holds{box-shadow:inset 3px 0 0 #b08400}\n"
	".lv{background:#fff!important;color:#000;border:1px solid #555}\n"
	"a{color:#000;text-decoration:underline}\n"
	"a[href^=\"http\"]:not(.whole)::after{content:\" <\" attr(href) \">\";font-size:10px;"
	"overflow-wrap:anywhere}\n"
	"code.sha::after{content:attr(data-rest)}code.sha{font-size:9px;overflow-wrap:anywhere}\n"
	".radar{flex-basis:100%}.radar svg{display:block;width:460px;margin:0 auto}}\n";

static void kpi_open(weft_buf *b, const char *label)
{
	weft_buf_printf(b, "<div class=\"card kpi\"><span>%s</span>", label);
}

/* A dimension title as at most two lines of at most cols code points,
 * split at spaces; the second line is cut with "..." when needed. */
static int label_lines(const char *title, size_t cols, weft_buf lines[2])
{
	char *c = assess_printable(title, false);
	if (!c)
		return 0;
	int n = 0;
	const char *p = c;
	while (*p == ' ')
		p++;
	while (*p && n < 2) {
		size_t len = strlen(p);
		if (assess_utf8_cols(p, len) <= cols || n == 1) {
			assess_put_cols(&lines[n++], p, cols, false);
			break;
		}
		/* the last space that keeps the first line within cols */
		size_t cut = 0;
		for (size_t i = 0; p[i]; i++) {
			if (p[i] != ' ')
				continue;
			if (weft_utf8_cols(p, i) > cols)
				break;
			cut = i;
		}
		if (!cut) { /* one long word: cut it */
			assess_put_cols(&lines[n++], p, cols, false);
			break;
		}
		weft_buf_put(&lines[n++], p, cut);
		p += cut;
		while (*p == ' ')
			p++;
	}
	free(c);
	return n;
}

static double axis_angle(size_t i, size_t n)
{
	return -M_PI / 2 + 2 * M_PI * (double)i / (double)n;
}

static void point(weft_buf *b, size_t i, size_t n, double v)
{
	double a = axis_angle(i, n);
	weft_buf_printf(b, "%.1f,%.1f ", RADAR_CX + RADAR_R * v / 5 * cos(a),
			RADAR_CY + RADAR_R * v / 5 * sin(a));
}

/* The radar: one axis per dimension, rings at levels 1..5, the scores of
 * the rated dimensions and the target as a dashed ring. With every
 * dimension rated the scores are one filled polygon (class "score"). A
 * dimension without a level is a gap: its axis is dashed and labelled
 * along its length, the outline is drawn only between neighbouring rated
 * axes (polylines of class "score-run", no fill), so nothing is drawn at
 * the centre for it. Ring numbers sit between two axes on a white halo,
 * drawn after the scores; titles sit outside the rings. */
static void radar(weft_buf *b, const weft_assess_result *r)
{
	const double cx = RADAR_CX, cy = RADAR_CY, R = RADAR_R;
	size_t n = r->n_dims;
	if (n < 3) {
		weft_buf_puts(b, "<p class=\"muted small\">The radar chart needs three or more dimensions; "
				 "see the level bars.</p>\n");
		return;
	}
	size_t n_rated = 0;
	for (size_t i = 0; i < n; i++)
		n_rated += r->dims[i].rated;

	weft_buf_printf(b, "<svg viewBox=\"0 0 620 430\" role=\"img\" aria-label=\"Radar chart of the "
			   "rated dimensions' scores against target level %d\" "
			   "xmlns=\"http://www.w3.org/2000/svg\">\n",
			r->target);
	/* rings */
	for (int L = 1; L <= WEFT_ASSESS_LEVELS; L++) {
		weft_buf_printf(b, "<polygon fill=\"none\" stroke=\"%s\" stroke-width=\"1\" points=\"",
				L == WEFT_ASSESS_LEVELS ? "#c3c8d2" : "#e1e4ea");
		for (size_t i = 0; i < n; i++)
			point(b, i, n, L);
		weft_buf_puts(b, "\"/>\n");
	}
	/* axes: dashed where the dimension has no level */
	for (size_t i = 0; i < n; i++) {
		double a = axis_angle(i, n);
		bool rated = r->dims[i].rated;
		weft_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"%s/>\n",
				cx, cy, cx + R * cos(a), cy + R * sin(a), rated ? "#e1e4ea" : "#aab0bc",
				rated ? "" : " stroke-dasharray=\"3 3\"");
	}
	/* target ring */
	weft_buf_puts(b, "<polygon class=\"target\" fill=\"none\" stroke=\"#1f4fa8\" stroke-width=\"2\" "
			 "stroke-dasharray=\"6 4\" points=\"");
	for (size_t i = 0; i < n; i++)
		point(b, i, n, r->target);
	weft_buf_puts(b, "\"/>\n");
	/* scores of the rated dimensions: one filled polygon when every
	 * dimension is rated; else only the outline between neighbouring rated
	 * axes, one run at a time, and no fill (a fill would have to cross the
	 * gap) */
	if (n_rated == n) {
		weft_buf_puts(b, "<polygon class=\"score\" fill=\"rgba(46,125,50,.22)\" stroke=\"#2e7d32\" "
				 "stroke-width=\"2\" stroke-linejoin=\"round\" points=\"");
		for (size_t i = 0; i < n; i++)
			point(b, i, n, r->dims[i].score);
		weft_buf_puts(b, "\"/>\n");
	}
	for (size_t s = 0; n_rated && n_rated < n && s < n; s++) {
		if (!r->dims[s].rated || r->dims[(s + n - 1) % n].rated)
			continue; /* not the start of a run */
		size_t len = 0;
		while (len < n && r->dims[(s + len) % n].rated)
			len++;
		if (len < 2)
			continue;
		weft_buf_puts(b, "<polyline class=\"score-run\" fill=\"none\" stroke=\"#2e7d32\" "
				 "stroke-width=\"2\" stroke-linejoin=\"round\" points=\"");
		for (size_t k = 0; k < len; k++)
			point(b, (s + k) % n, n, r->dims[(s + k) % n].score);
		weft_buf_puts(b, "\"/>\n");
	}
	for (size_t i = 0; i < n; i++) {
		if (!r->dims[i].rated)
			continue;
		double a = axis_angle(i, n);
		double s = r->dims[i].score;
		weft_buf_printf(b, "<circle class=\"score-point\" cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" "
				   "fill=\"#2e7d32\"/>\n",
				cx + R * s / 5 * cos(a), cy + R * s / 5 * sin(a));
	}
	/* the gap's own label, written along its axis (upright), on a halo */
	for (size_t i = 0; i < n; i++) {
		const weft_assess_dresult *dr = &r->dims[i];
		if (dr->rated)
			continue;
		double a = axis_angle(i, n);
		double x = cx + R * 0.62 * cos(a), y = cy + R * 0.62 * sin(a);
		double deg = a * 180 / M_PI;
		if (cos(a) < -1e-9)
			deg += 180;
		if (fabs(cos(a)) < 1e-9)
			deg = -90; /* a vertical axis: read bottom to top */
		weft_buf_printf(b, "<text class=\"gap\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
				   "dominant-baseline=\"central\" transform=\"rotate(%.1f %.1f %.1f)\">%s</text>\n",
				x, y, deg, x, y, dr->in_scope ? "not rated" : "out of scope");
	}
	/* ring numbers: inside each ring, halfway between the top axis and
	 * its left neighbour (on no axis and no gap label), on a halo */
	for (int L = 1; L <= WEFT_ASSESS_LEVELS; L++) {
		double a = -M_PI / 2 - M_PI / (double)n;
		double d = R * L / 5 * cos(M_PI / (double)n) - 7;
		weft_buf_printf(b, "<text class=\"ring\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
				   "dominant-baseline=\"central\">%d</text>\n",
				cx + d * cos(a), cy + d * sin(a), L);
	}
	/* labels: up to two lines of title, then the score or why there is none */
	for (size_t i = 0; i < n; i++) {
		const weft_assess_dresult *dr = &r->dims[i];
		double a = axis_angle(i, n);
		double lx = cx + (R + 14) * cos(a), ly = cy + (R + 14) * sin(a);
		const char *anchor = fabs(cos(a)) < 0.2 ? "middle" : cos(a) > 0 ? "start" : "end";
		weft_buf lines[2] = { WEFT_BUF_INIT, WEFT_BUF_INIT };
		int nl = label_lines(dr->dim->title, 17, lines);
		int total = nl + 1;
		double y0;
		if (sin(a) < -0.5)
			y0 = ly - (total - 1) * 14;
		else if (sin(a) > 0.5)
			y0 = ly + 10;
		else
			y0 = ly - (total - 1) * 14 / 2.0 + 4;
		weft_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"13\" text-anchor=\"%s\" fill=\"#1d2330\">"
				   "<title>",
				lx, y0, anchor);
		h(b, dr->dim->title);
		weft_buf_puts(b, ": ");
		explain(b, r, dr);
		weft_buf_puts(b, "</title>");
		for (int k = 0; k < nl; k++) {
			weft_buf_printf(b, "<tspan x=\"%.1f\" dy=\"%d\" font-weight=\"%s\">", lx, k ? 14 : 0,
					holds_overall(r, dr) ? "800" : "600");
			weft_buf_put_html(b, lines[k].ptr ? lines[k].ptr : "");
			weft_buf_puts(b, "</tspan>");
			weft_buf_free(&lines[k]);
		}
		weft_buf_printf(b, "<tspan x=\"%.1f\" dy=\"%d\" font-size=\"12\" fill=\"#5b6474\"%s>", lx,
				nl ? 14 : 0, dr->rated ? "" : " font-style=\"italic\"");
		if (dr->rated)
			weft_buf_printf(b, "%.2f &#183; level %d", dr->score, dr->level);
		else
			weft_buf_puts(b, dr->in_scope ? "not rated" : "out of scope");
		weft_buf_puts(b, "</tspan></text>\n");
	}
	weft_buf_puts(b, "</svg>\n");
	weft_buf_printf(b, "<div class=\"legend\"><i style=\"border-top:3px solid #2e7d32\"></i>score"
			   "<i style=\"border-top:2px dashed #1f4fa8\"></i>target level %d"
			   "<i style=\"border-top:1px dashed #aab0bc\"></i>no level (gap)</div>\n",
			r->target);
}

static void bar_row(weft_buf *b, const weft_assess_result *r, const char *name,
		    const weft_assess_dresult *dr, bool overall)
{
	bool rated = overall ? r->rated : dr->rated;
	bool scored = overall ? r->scored : dr->scored;
	bool in_scope = overall || dr->in_scope;
	double score = overall ? r->score : dr->score;
	int level = overall ? r->level : dr->level;
	bool holds = !overall && holds_overall(r, dr);
	weft_buf_printf(b, "<div class=\"brow%s\"><div class=\"bname\"%s title=\"", holds ? " holds" : "",
			overall ? " style=\"font-weight:800\"" : "");
	h(b, name);
	weft_buf_puts(b, ": ");
	explain(b, r, dr);
	weft_buf_puts(b, "\">");
	h(b, name);
	weft_buf_puts(b, "</div><div class=\"bar\">");
	for (int L = 1; L < WEFT_ASSESS_LEVELS; L++)
		weft_buf_printf(b, "<div class=\"tick\" style=\"left:%d%%\"></div>", L * 20);
	if (scored)
		weft_buf_printf(b, "<div class=\"fill %s\" style=\"width:%.1f%%\"></div>",
				level_class(r, rated, level), score * 20);
	weft_buf_printf(b, "<div class=\"tgt\" style=\"left:%d%%\" title=\"target level %d\"></div></div>",
			r->target * 20, r->target);
	if (rated)
		weft_buf_printf(b, "<div class=\"bval\"><span class=\"lv %s\">%d</span> %.2f</div></div>\n",
				level_class(r, true, level), level, score);
	else if (!in_scope)
		weft_buf_puts(b, "<div class=\"bval oos\">out of scope</div></div>\n");
	else if (scored)
		weft_buf_printf(b, "<div class=\"bval\"><span class=\"nr\">not rated</span> %.2f</div></div>\n",
				score);
	else
		weft_buf_puts(b, "<div class=\"bval nr\">not rated</div></div>\n");
}

static void bars(weft_buf *b, const weft_assess_result *r)
{
	weft_buf_puts(b, "<div class=\"scale\"><div></div><div><span>0</span><span>1</span><span>2</span>"
			 "<span>3</span><span>4</span><span>5</span></div><div>level · score</div></div>\n");
	for (size_t i = 0; i < r->n_dims; i++)
		bar_row(b, r, r->dims[i].dim->title, &r->dims[i], false);
	bar_row(b, r, "Overall", NULL, true);
	weft_buf_printf(b, "<p class=\"legend\">Bars show the score on the 0-5 scale (unanswered questions "
			   "count as 1); the blue line is target level %d. Colour: <span class=\"lv ok\">at "
			   "target</span> <span class=\"lv near\">one below</span> <span class=\"lv "
			   "low\">further</span> <span class=\"lv na\">no level</span>",
			r->target);
	if (r->rated)
		weft_buf_puts(b, "; highlighted: the dimensions that hold the overall level");
	weft_buf_puts(b, ".</p>\n");
}

static void dims_table(weft_buf *b, const weft_assess_result *r)
{
	const weft_assess_model *m = r->model;
	weft_buf_puts(b, "<table class=\"dims\"><thead><tr><th>Dimension</th><th>Weight</th><th>Score</th>"
			 "<th>Level</th><th>Coverage</th><th>To target</th><th>How the level is set</th></tr>"
			 "</thead><tbody>\n");
	for (size_t i = 0; i < r->n_dims; i++) {
		const weft_assess_dresult *dr = &r->dims[i];
		bool holds = holds_overall(r, dr);
		weft_buf_printf(b, "<tr%s><td><b>", holds ? " class=\"holds\"" : "");
		h(b, dr->dim->title);
		weft_buf_puts(b, "</b> <code>");
		h(b, dr->dim->id);
		weft_buf_puts(b, "</code>");
		if (holds)
			weft_buf_puts(b, "<span class=\"tag\">holds the overall level</span>");
		weft_buf_printf(b, "</td><td class=\"n\">%g</td>", dr->weight);
		if (dr->scored)
			weft_buf_printf(b, "<td class=\"n\">%.2f</td>", dr->score);
		else
			weft_buf_puts(b, "<td class=\"n muted\">-</td>");
		if (dr->rated) {
			weft_buf_printf(b, "<td class=\"lvl\"><span class=\"lv %s\">%d</span> ", level_class(r, true, dr->level),
					dr->level);
			h(b, weft_assess_level_name(m, dr->level));
			weft_buf_puts(b, "</td>");
		} else {
			weft_buf_printf(b, "<td class=\"%s\">%s</td>", dr->in_scope ? "nr" : "oos",
					dr->in_scope ? "not rated" : "out of scope");
		}
		if (dr->in_scope)
			weft_buf_printf(b, "<td class=\"n\">%d%%</td>", assess_pct(dr->coverage));
		else
			weft_buf_puts(b, "<td class=\"n muted\">-</td>");
		if (dr->scored)
			weft_buf_printf(b, "<td class=\"n\">%d%%</td>", assess_pct(dr->percent_to_target));
		else
			weft_buf_puts(b, "<td class=\"n muted\">-</td>");
		weft_buf_puts(b, "<td class=\"small\">");
		explain(b, r, dr);
		weft_buf_puts(b, "</td></tr>\n");
	}
	weft_buf_puts(b, "</tbody></table>\n");
}

static void gap_table(weft_buf *b, const weft_assess_result *r)
{
	weft_buf_printf(b, "<h2 id=\"gaps\">Gaps to level %d</h2>\n", r->target);
	if (!r->n_gaps) {
		weft_buf_printf(b, "<p>%s</p>\n", r->scored ? "No gaps: every answered question is at the "
								 "target level or above."
							       : "Nothing scored yet.");
		return;
	}
	weft_buf_puts(b, "<p class=\"muted small\">First what unlocks the next level (a critical question "
			 "that holds its dimension where it is), then by points. <em>Points</em>: how much "
			 "closing the gap adds to the overall progress to target (percentage points).</p>\n");
	weft_buf_puts(b, "<table class=\"gaps\"><thead><tr><th>#</th><th>Question</th><th>Dimension</th>"
			 "<th>Level</th><th>Points</th><th>Improvement plan</th></tr></thead><tbody>\n");
	for (size_t i = 0; i < r->n_gaps; i++) {
		const weft_assess_qresult *qr = r->gaps[i].q;
		weft_buf_printf(b, "<tr%s><td class=\"n\">%zu</td><td><code>",
				qr->holds_level ? " class=\"unlocks\"" : "", i + 1);
		h(b, qr->q->id);
		weft_buf_puts(b, "</code>");
		if (qr->q->critical)
			weft_buf_puts(b, "<span class=\"crit\">critical</span>");
		if (qr->holds_level)
			weft_buf_puts(b, "<span class=\"unlock\">unlocks next level</span>");
		weft_buf_puts(b, "<br>");
		h(b, qr->q->text);
		weft_buf_puts(b, "</td><td>");
		h(b, r->gaps[i].d->dim->title);
		weft_buf_printf(b, "</td><td class=\"n\"><span class=\"lv %s\">%d</span> &rarr; %d</td>"
				   "<td class=\"n\">%.1f</td><td>",
				level_class(r, true, qr->level), qr->level, r->target, qr->points);
		h(b, qr->improve);
		weft_buf_puts(b, "</td></tr>\n");
	}
	weft_buf_puts(b, "</tbody></table>\n");
}

static void vote(weft_buf *b, const weft_assess_vote *v)
{
	h(b, v->respondent);
	if (v->out_of_scope)
		weft_buf_puts(b, ": out of scope");
	else if (v->status == WEFT_ASSESS_ANSWERED)
		weft_buf_printf(b, ": <b>%d</b>", v->level);
	else
		weft_buf_puts(b, v->status == WEFT_ASSESS_NA ? ": na" : ": not answered");
}

static void disagreement_table(weft_buf *b, const weft_assess_result *r)
{
	if (!r->n_disagreements)
		return;
	weft_buf_puts(b, "<h2 id=\"disagreements\">Disagreements</h2>\n<p class=\"muted small\">Respondents 2 or more levels "
			 "apart, or na against a level. The median (low on ties) is scored; settle these in a "
			 "review.</p>\n");
	weft_buf_puts(b, "<table><thead><tr><th>Question</th><th>Answers</th><th>Scored</th></tr></thead>"
			 "<tbody>\n");
	for (size_t i = 0; i < r->n_disagreements; i++) {
		const weft_assess_qresult *qr = r->disagreements[i];
		weft_buf_puts(b, "<tr><td><code>");
		h(b, qr->q->id);
		weft_buf_puts(b, "</code><br>");
		h(b, qr->q->text);
		weft_buf_puts(b, "</td><td>");
		for (size_t k = 0; k < qr->n_votes; k++) {
			const weft_assess_vote *v = &qr->votes[k];
			if (k)
				weft_buf_puts(b, "<br>");
			vote(b, v);
			if (v->note) {
				weft_buf_puts(b, " <span class=\"muted\">(");
				h(b, v->note);
				weft_buf_puts(b, ")</span>");
			}
		}
		if (qr->status == WEFT_ASSESS_ANSWERED)
			weft_buf_printf(b, "</td><td class=\"n\">%d</td></tr>\n", qr->level);
		else
			weft_buf_printf(b, "</td><td class=\"n\">%s</td></tr>\n",
					qr->status == WEFT_ASSESS_NA ? "na" : "-");
	}
	weft_buf_puts(b, "</tbody></table>\n");
}

static void details(weft_buf *b, const weft_assess_result *r)
{
	weft_buf_puts(b, "<h2 id=\"answers\">Answers by dimension</h2>\n");
	for (size_t i = 0; i < r->n_dims; i++) {
		const weft_assess_dresult *dr = &r->dims[i];
		weft_buf_puts(b, "<h3>");
		h(b, dr->dim->title);
		if (dr->rated)
			weft_buf_printf(b, " <span class=\"lv %s\">%d</span>", level_class(r, true, dr->level),
					dr->level);
		else
			weft_buf_printf(b, " <span class=\"lv na\">%s</span>",
					dr->in_scope ? "not rated" : "out of scope");
		weft_buf_puts(b, " <span class=\"muted small\">");
		explain(b, r, dr);
		if (dr->scored)
			weft_buf_printf(b, "; score %.2f, coverage %d%%, %d%% to target", dr->score,
					assess_pct(dr->coverage), assess_pct(dr->percent_to_target));
		weft_buf_puts(b, "</span></h3>\n");
		if (!dr->in_scope) {
			weft_buf_puts(b, "<p class=\"muted small\">Not scored: its answers are left out.</p>\n");
			continue;
		}
		weft_buf_puts(b, "<table><thead><tr><th>Question</th><th>Answer</th><th>Gap</th></tr>"
				 "</thead><tbody>\n");
		for (size_t k = 0; k < dr->n_questions; k++) {
			const weft_assess_qresult *qr = &dr->questions[k];
			weft_buf_puts(b, "<tr><td style=\"width:45%\"><code>");
			h(b, qr->q->id);
			weft_buf_puts(b, "</code>");
			if (qr->q->critical)
				weft_buf_puts(b, "<span class=\"crit\">critical</span>");
			if (qr->holds_level)
				weft_buf_puts(b, "<span class=\"unlock\">unlocks next level</span>");
			weft_buf_puts(b, "<br>");
			h(b, qr->q->text);
			weft_buf_puts(b, "</td><td>");
			if (qr->status == WEFT_ASSESS_ANSWERED) {
				weft_buf_printf(b, "<span class=\"lv %s\">%d</span> ", level_class(r, true, qr->level),
						qr->level);
				h(b, qr->option);
			} else if (qr->status == WEFT_ASSESS_NA) {
				weft_buf_puts(b, "<span class=\"lv na\">na</span> ");
				h(b, qr->reason);
				if (qr->category) {
					weft_buf_puts(b, " <span class=\"muted small\">(");
					h(b, qr->category);
					weft_buf_puts(b, ")</span>");
				}
			} else {
				weft_buf_printf(b, "<span class=\"muted\">not answered%s</span>",
						qr->counted_as_1 ? " (counted as level 1)" : "");
			}
			if (qr->note) {
				weft_buf_puts(b, "<br><span class=\"muted small\">Note: ");
				h(b, qr->note);
				weft_buf_puts(b, "</span>");
			}
			for (size_t e = 0; e < qr->n_evidence; e++) {
				weft_buf_puts(b, e ? ", " : "<br><span class=\"muted small\">Evidence: ");
				evidence(b, qr->evidence[e]);
				if (e + 1 == qr->n_evidence)
					weft_buf_puts(b, "</span>");
			}
			weft_buf_puts(b, "</td><td class=\"n\">");
			if (qr->gap)
				weft_buf_printf(b, "%d", qr->gap);
			else
				weft_buf_puts(b, qr->status == WEFT_ASSESS_ANSWERED ? "-" : "");
			weft_buf_puts(b, "</td></tr>\n");
		}
		weft_buf_puts(b, "</tbody></table>\n");
	}
}

static void provenance(weft_buf *b, const weft_assess_result *r, const weft_assess_report_opts *o)
{
	const weft_assess_model *m = r->model;
	weft_buf_puts(b, "<h2 id=\"provenance\">How this was scored</h2>\n<section class=\"card\">\n"
			 "<dl class=\"prov\">\n<dt>Model</dt><dd><code>");
	h(b, m->id);
	weft_buf_puts(b, "</code> version ");
	h(b, m->version);
	weft_buf_puts(b, " (");
	h(b, m->title);
	weft_buf_puts(b, "), sha256 ");
	sha(b, m->sha256);
	weft_buf_printf(b, "</dd>\n<dt>Minimum coverage</dt><dd>%d%% of a dimension's applicable weight "
			   "answered to rate it",
			assess_pct(r->min_coverage));
	if (fabs(r->min_coverage - m->min_coverage) > 1e-9)
		weft_buf_printf(b, " (set with --min-coverage; the model's own is %d%%)",
				assess_pct(m->min_coverage));
	else
		weft_buf_puts(b, " (the model's own)");
	weft_buf_puts(b, "; unanswered questions count as level 1</dd>\n<dt>Weights</dt><dd>");
	if (r->weights_name) {
		weft_buf_puts(b, "<code>");
		h(b, r->weights_name);
		weft_buf_puts(b, "</code>, sha256 ");
		sha(b, r->weights_sha256);
		if (!r->n_weight_changes)
			weft_buf_puts(b, "; it changes no weight of the model");
		else
			weft_buf_puts(b, "<ul class=\"tight weights\">");
		for (size_t i = 0; i < r->n_weight_changes; i++) {
			const weft_assess_weight_change *c = &r->weight_changes[i];
			weft_buf_printf(b, "<li>%s <code>", c->dimension ? "dimension" : "question");
			h(b, c->id);
			weft_buf_printf(b, "</code>: %g -> %g</li>", c->from, c->to);
		}
		if (r->n_weight_changes)
			weft_buf_puts(b, "</ul>");
	} else {
		weft_buf_puts(b, "the model's own weights");
	}
	weft_buf_puts(b, "</dd>\n<dt>Scope</dt><dd>");
	size_t n_out = 0;
	for (size_t i = 0; i < r->n_dims; i++)
		n_out += !r->dims[i].in_scope;
	if (!n_out) {
		weft_buf_puts(b, "every dimension in scope");
	} else {
		weft_buf_puts(b, "<ul class=\"tight scope\">");
		for (size_t i = 0; i < r->n_dims; i++) {
			const weft_assess_dresult *dr = &r->dims[i];
			if (dr->in_scope)
				continue;
			weft_buf_puts(b, "<li><b>");
			h(b, dr->dim->title);
			weft_buf_puts(b, "</b> <code>");
			h(b, dr->dim->id);
			weft_buf_puts(b, "</code>: ");
			explain(b, r, dr);
			weft_buf_puts(b, "</li>");
		}
		weft_buf_puts(b, "</ul>");
	}
	weft_buf_printf(b, "</dd>\n<dt>Target</dt><dd>level %d ", r->target);
	h(b, weft_assess_level_name(m, r->target));
	weft_buf_puts(b, ": ");
	assess_target_from(b, r);
	weft_buf_puts(b, "</dd>\n");
	if (o && (o->generator || o->generated_at)) {
		weft_buf_puts(b, "<dt>Generated</dt><dd>");
		if (o->generator) {
			weft_buf_puts(b, "by ");
			h(b, o->generator);
		}
		if (o->generated_at) {
			weft_buf_puts(b, o->generator ? " at " : "at ");
			h(b, o->generated_at);
		}
		weft_buf_puts(b, "</dd>\n");
	}
	weft_buf_puts(b, "</dl>\n</section>\n");

	weft_buf_printf(b, "<h3>Respondents (%zu)</h3>\n", r->n_sources);
	if (!r->n_sources) {
		weft_buf_puts(b, "<p class=\"muted\">No answers were given.</p>\n");
	} else {
		weft_buf_puts(b, "<table class=\"sources\"><thead><tr><th>Respondent</th><th>Date</th>"
				 "<th>File</th><th>sha256</th><th>Migrated from</th></tr></thead><tbody>\n");
		for (size_t i = 0; i < r->n_sources; i++) {
			const weft_assess_source *s = &r->sources[i];
			weft_buf_puts(b, "<tr><td>");
			h(b, s->respondent);
			weft_buf_puts(b, "</td><td class=\"nw\">");
			h(b, s->date ? s->date : "-");
			weft_buf_puts(b, "</td><td><code>");
			h(b, s->path ? s->path : "-");
			weft_buf_puts(b, "</code></td><td>");
			sha(b, s->sha256);
			weft_buf_puts(b, "</td><td>");
			if (s->migrated_from) {
				weft_buf_puts(b, "model version ");
				h(b, s->migrated_from);
			} else {
				weft_buf_puts(b, "<span class=\"muted\">-</span>");
			}
			weft_buf_puts(b, "</td></tr>\n");
		}
		weft_buf_puts(b, "</tbody></table>\n");
	}
	if (r->n_notes) {
		weft_buf_puts(b, "<h3>Notes</h3>\n<ul class=\"notes\">\n");
		for (size_t i = 0; i < r->n_notes; i++) {
			weft_buf_puts(b, "<li>");
			h(b, r->notes[i].text);
			weft_buf_puts(b, "</li>\n");
		}
		weft_buf_puts(b, "</ul>\n");
	}
}

static void kpis(weft_buf *b, const weft_assess_result *r)
{
	const weft_assess_model *m = r->model;
	weft_buf_puts(b, "<section class=\"kpis\">\n");
	kpi_open(b, "Overall level");
	if (r->rated) {
		weft_buf_printf(b, "<b style=\"color:var(--%s)\">%d <small style=\"font-size:14px\">",
				level_class(r, true, r->level), r->level);
		h(b, weft_assess_level_name(m, r->level));
		weft_buf_puts(b, "</small></b>");
	} else {
		weft_buf_puts(b, "<b class=\"nr\">not rated</b>");
	}
	weft_buf_puts(b, "<p>");
	explain(b, r, NULL);
	weft_buf_puts(b, "</p></div>\n");
	kpi_open(b, "Overall score");
	if (r->scored)
		weft_buf_printf(b, "<b>%.2f</b><p>dimension-weighted mean, unanswered as 1</p></div>\n",
				r->score);
	else
		weft_buf_puts(b, "<b class=\"nr\">none</b><p>no dimension is scored</p></div>\n");
	kpi_open(b, "Coverage");
	weft_buf_printf(b, "<b>%d%%</b><p>of the applicable weight answered; %d%% needed per "
			   "dimension</p></div>\n",
			assess_pct(r->coverage), assess_pct(r->min_coverage));
	kpi_open(b, "Progress to target");
	if (r->scored)
		weft_buf_printf(b, "<b>%d%% <small style=\"font-size:14px\">to level %d</small></b>",
				assess_pct(r->percent_to_target), r->target);
	else
		weft_buf_printf(b, "<b class=\"nr\">none</b><p>target level %d</p>", r->target);
	weft_buf_puts(b, "<p>target ");
	assess_target_from(b, r);
	weft_buf_puts(b, "</p></div>\n</section>\n");
	if (r->rated) {
		weft_buf_puts(b, "<p>Held at this level by: ");
		size_t k = 0;
		for (size_t i = 0; i < r->n_dims; i++) {
			const weft_assess_dresult *dr = &r->dims[i];
			if (!holds_overall(r, dr))
				continue;
			if (k++)
				weft_buf_puts(b, "; ");
			weft_buf_puts(b, "<b>");
			h(b, dr->dim->title);
			weft_buf_puts(b, "</b> <span class=\"muted small\">(");
			explain(b, r, dr);
			weft_buf_puts(b, ")</span>");
		}
		weft_buf_puts(b, ".</p>\n");
	}
}

int weft_assess_report_html(weft_buf *b, const weft_assess_result *r,
			    const weft_assess_report_opts *opts)
{
	const weft_assess_model *m = r->model;
	weft_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
			 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
	if (opts && opts->generator) {
		weft_buf_puts(b, "<meta name=\"generator\" content=\"");
		h(b, opts->generator);
		weft_buf_puts(b, "\">\n");
	}
	weft_buf_puts(b, "<title>");
	h(b, m->title);
	weft_buf_puts(b, ": ");
	h(b, r->unit ? r->unit : "no answers");
	weft_buf_puts(b, "</title>\n<style>\n");
	weft_buf_puts(b, css);
	weft_buf_puts(b, "</style>\n</head>\n<body>\n<main>\n<header>\n<h1>");
	h(b, m->title);
	weft_buf_puts(b, ": ");
	h(b, r->unit ? r->unit : "no answers");
	weft_buf_puts(b, "</h1>\n<p class=\"sub\">Model <code>");
	h(b, m->id);
	weft_buf_puts(b, "</code> version ");
	h(b, m->version);
	for (size_t i = 0; i < r->n_sources; i++) {
		weft_buf_puts(b, i ? ", " : (r->n_sources > 1 ? " · respondents: " : " · respondent: "));
		h(b, r->sources[i].respondent);
		if (r->sources[i].date) {
			weft_buf_puts(b, " (");
			h(b, r->sources[i].date);
			weft_buf_puts(b, ")");
		}
	}
	weft_buf_puts(b, " · <a href=\"#provenance\">how this was scored</a></p>\n</header>\n");
	kpis(b, r);
	weft_buf_puts(b, "<h2 id=\"dimensions\">Dimensions</h2>\n<section class=\"charts\">\n"
			 "<figure class=\"radar\">\n");
	radar(b, r);
	weft_buf_puts(b, "</figure>\n<div class=\"bars\">\n");
	bars(b, r);
	weft_buf_puts(b, "</div>\n</section>\n");
	dims_table(b, r);
	if (opts && opts->history) {
		weft_buf_puts(b, "<h2 id=\"trend\">Trend</h2>\n");
		assess_history_chart_html(b, opts->history);
	}
	gap_table(b, r);
	disagreement_table(b, r);
	details(b, r);
	if (r->n_unanswered) {
		weft_buf_printf(b, "<h2 id=\"unanswered\">Not answered (%zu)</h2>\n<p class=\"muted small\">"
				   "Each counts as level 1 in its dimension's score.</p>\n<p>",
				r->n_unanswered);
		for (size_t i = 0; i < r->n_unanswered; i++) {
			weft_buf_puts(b, i ? ", <code>" : "<code>");
			h(b, r->unanswered[i]->q->id);
			weft_buf_puts(b, "</code>");
		}
		weft_buf_puts(b, "</p>\n");
	}
	provenance(b, r, opts);
	weft_buf_puts(b, "<footer>Levels: ");
	for (int L = 1; L <= WEFT_ASSESS_LEVELS; L++) {
		weft_buf_printf(b, "%s%d ", L > 1 ? " · " : "", L);
		h(b, m->levels[L - 1].name);
	}
	weft_buf_puts(b, ". Scoring rules: docs/scoring.md.");
	if (opts && opts->generator) {
		weft_buf_puts(b, " Generated by ");
		h(b, opts->generator);
		if (opts->generated_at) {
			weft_buf_puts(b, " at ");
			h(b, opts->generated_at);
		}
		weft_buf_puts(b, ".");
	}
	weft_buf_puts(b, "</footer>\n</main>\n</body>\n</html>\n");
	return b->oom ? WEFT_ENOMEM : WEFT_OK;
}
