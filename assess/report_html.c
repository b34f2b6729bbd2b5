/* report_html.c - the report as one self-contained HTML file: an SVG radar
 * chart of the dimension scores against the target, level bars, the gap
 * table, disagreements and every answer, readable on screen and printed to
 * PDF.
 *
 * Design choice: no external assets and no script. The charts are inline
 * SVG computed here, the styles are one inline sheet with a print section
 * (A4, no split rows, colours kept), so the file can be mailed, archived or
 * attached to a CI run and still render the same years later. Every piece
 * of text from the model or the answers is made printable and HTML-escaped.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "assess_int.h"

static void h(weft_buf *b, const char *s)
{
	char *c = assess_printable(s, false);
	if (!c) {
		b->oom = true;
		return;
	}
	weft_buf_put_html(b, c);
	free(c);
}

static const char *level_class(const weft_assess_result *r, bool assessed, int level)
{
	if (!assessed)
		return "na";
	if (level >= r->target)
		return "ok";
	return level + 1 >= r->target ? "near" : "low";
}

static const char css[] =
	":root{--ok:#2e7d32;--near:#d98e04;--low:#c62828;--na:#9e9e9e;--ink:#1d2330;--mute:#5b6474;"
	"--line:#d9dde5;--tgt:#1f4fa8}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;"
	"color:var(--ink);background:#f5f6f8}\n"
	"main{max-width:1080px;margin:0 auto;padding:24px 28px;background:#fff}\n"
	"h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 10px;border-bottom:1px solid var(--line);"
	"padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px}\n"
	".sub{color:var(--mute);margin:0}\n"
	".kpis{display:flex;flex-wrap:wrap;gap:12px;margin:18px 0}\n"
	".kpi{flex:1 1 150px;border:1px solid var(--line);border-radius:8px;padding:10px 14px}\n"
	".kpi b{display:block;font-size:26px;line-height:1.2}.kpi span{color:var(--mute);font-size:12px;"
	"text-transform:uppercase;letter-spacing:.04em}\n"
	".charts{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}\n"
	".radar{flex:0 0 500px}.radar svg{width:500px;height:auto}\n"
	".bars{flex:1 1 380px}\n"
	".brow{display:grid;grid-template-columns:minmax(120px,190px) 1fr 92px;gap:8px;align-items:center;"
	"margin:7px 0}\n"
	".bname{font-weight:600;line-height:1.2;overflow-wrap:anywhere}\n"
	".bar{position:relative;height:16px;background:#eef0f4;border-radius:3px}\n"
	".fill{position:absolute;left:0;top:0;bottom:0;border-radius:3px}\n"
	".tick{position:absolute;top:-3px;bottom:-3px;width:0;border-left:1px dotted #b9bfca}\n"
	".tgt{position:absolute;top:-4px;bottom:-4px;width:0;border-left:2px solid var(--tgt)}\n"
	".bval{font-variant-numeric:tabular-nums;color:var(--mute);font-size:12px}\n"
	".scale{display:grid;grid-template-columns:minmax(120px,190px) 1fr 92px;gap:8px;color:var(--mute);"
	"font-size:11px}.scale div{display:flex;justify-content:space-between}\n"
	".ok{background:var(--ok)}.near{background:var(--near)}.low{background:var(--low)}.na{background:var(--na)}\n"
	".lv{display:inline-block;min-width:22px;padding:0 6px;border-radius:10px;color:#fff;text-align:center;"
	"font-weight:600;font-size:12px}\n"
	"table{border-collapse:collapse;width:100%;margin:6px 0 12px}\n"
	"th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}\n"
	"th{font-size:12px;color:var(--mute);text-transform:uppercase;letter-spacing:.03em;background:#fafbfc}\n"
	"td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
	"code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f0f2f5;padding:1px 4px;"
	"border-radius:3px}\n"
	".crit{color:var(--low);font-size:11px;font-weight:700;text-transform:uppercase;margin-left:4px}\n"
	".muted{color:var(--mute)}.small{font-size:12px}\n"
	".legend{font-size:12px;color:var(--mute)}.legend i{display:inline-block;width:18px;height:0;"
	"vertical-align:middle;margin:0 4px 0 10px}\n"
	"footer{margin-top:28px;color:var(--mute);font-size:12px}\n"
	"*{-webkit-print-color-adjust:exact;print-color-adjust:exact}\n"
	"@media print{@page{size:A4;margin:14mm}body{background:#fff;font-size:11px}main{max-width:none;padding:0}"
	".charts,.kpis,tr,.brow,h2,h3{break-inside:avoid}h2,h3{break-after:avoid}thead{display:table-header-group}"
	".radar{flex-basis:400px}.radar svg{width:400px}}\n";

static void kpi(weft_buf *b, const char *label, const char *value, const char *cls)
{
	weft_buf_printf(b, "<div class=\"kpi\"><span>%s</span><b%s%s%s>%s</b></div>\n", label,
			cls ? " style=\"color:var(--" : "", cls ? cls : "", cls ? ")\"" : "", value);
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
		size_t cut = 0, col = 0; /* col: code points before p[i] */
		for (size_t i = 0; p[i] && col <= cols; i++) {
			if (p[i] == ' ')
				cut = i;
			if (((unsigned char)p[i] & 0xC0) != 0x80)
				col++;
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

/* The radar: one axis per dimension, rings at levels 1..5, the scores as a
 * filled polygon and the target as a dashed ring. Labels sit outside the
 * rings, above the top axis and below the bottom one, so they never cross
 * the chart. */
static void radar(weft_buf *b, const weft_assess_result *r)
{
	const double cx = 310, cy = 215, R = 145;
	size_t n = r->n_dims;
	if (n < 3) {
		weft_buf_puts(b, "<p class=\"muted small\">The radar chart needs three or more dimensions; "
				 "see the level bars.</p>\n");
		return;
	}
	weft_buf_printf(b, "<svg viewBox=\"0 0 620 430\" role=\"img\" aria-label=\"Radar chart of the "
			   "dimension scores against target level %d\" xmlns=\"http://www.w3.org/2000/svg\">\n",
			r->target);
	/* rings */
	for (int L = 1; L <= WEFT_ASSESS_LEVELS; L++) {
		weft_buf_printf(b, "<polygon fill=\"none\" stroke=\"%s\" stroke-width=\"1\" points=\"",
				L == WEFT_ASSESS_LEVELS ? "#c3c8d2" : "#e1e4ea");
		for (size_t i = 0; i < n; i++) {
			double a = -M_PI / 2 + 2 * M_PI * (double)i / (double)n;
			weft_buf_printf(b, "%.1f,%.1f ", cx + R * L / 5 * cos(a), cy + R * L / 5 * sin(a));
		}
		weft_buf_puts(b, "\"/>\n");
	}
	/* axes */
	for (size_t i = 0; i < n; i++) {
		double a = -M_PI / 2 + 2 * M_PI * (double)i / (double)n;
		weft_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e1e4ea\"/>\n",
				cx, cy, cx + R * cos(a), cy + R * sin(a));
	}
	/* ring numbers, just right of the first axis */
	for (int L = 1; L <= WEFT_ASSESS_LEVELS; L++)
		weft_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\" fill=\"#8a93a3\">%d</text>\n",
				cx + 4, cy - R * L / 5 + 10, L);
	/* target ring */
	weft_buf_puts(b, "<polygon fill=\"none\" stroke=\"#1f4fa8\" stroke-width=\"2\" "
			 "stroke-dasharray=\"6 4\" points=\"");
	for (size_t i = 0; i < n; i++) {
		double a = -M_PI / 2 + 2 * M_PI * (double)i / (double)n;
		weft_buf_printf(b, "%.1f,%.1f ", cx + R * r->target / 5 * cos(a), cy + R * r->target / 5 * sin(a));
	}
	weft_buf_puts(b, "\"/>\n");
	/* scores (a dimension not assessed sits at the centre) */
	weft_buf_puts(b, "<polygon fill=\"rgba(46,125,50,.22)\" stroke=\"#2e7d32\" stroke-width=\"2\" "
			 "stroke-linejoin=\"round\" points=\"");
	for (size_t i = 0; i < n; i++) {
		double a = -M_PI / 2 + 2 * M_PI * (double)i / (double)n;
		double s = r->dims[i].assessed ? r->dims[i].score : 0;
		weft_buf_printf(b, "%.1f,%.1f ", cx + R * s / 5 * cos(a), cy + R * s / 5 * sin(a));
	}
	weft_buf_puts(b, "\"/>\n");
	for (size_t i = 0; i < n; i++) {
		if (!r->dims[i].assessed)
			continue;
		double a = -M_PI / 2 + 2 * M_PI * (double)i / (double)n;
		double s = r->dims[i].score;
		weft_buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"#2e7d32\"/>\n",
				cx + R * s / 5 * cos(a), cy + R * s / 5 * sin(a));
	}
	/* labels: up to two lines of title, then the score */
	for (size_t i = 0; i < n; i++) {
		const weft_assess_dresult *dr = &r->dims[i];
		double a = -M_PI / 2 + 2 * M_PI * (double)i / (double)n;
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
		weft_buf_puts(b, "</title>");
		for (int k = 0; k < nl; k++) {
			weft_buf_printf(b, "<tspan x=\"%.1f\" dy=\"%d\" font-weight=\"600\">", lx, k ? 14 : 0);
			weft_buf_put_html(b, lines[k].ptr ? lines[k].ptr : "");
			weft_buf_puts(b, "</tspan>");
			weft_buf_free(&lines[k]);
		}
		weft_buf_printf(b, "<tspan x=\"%.1f\" dy=\"%d\" font-size=\"12\" fill=\"#5b6474\">", lx, nl ? 14 : 0);
		if (dr->assessed)
			weft_buf_printf(b, "%.2f &#183; level %d", dr->score, dr->level);
		else
			weft_buf_puts(b, "not assessed");
		weft_buf_puts(b, "</tspan></text>\n");
	}
	weft_buf_puts(b, "</svg>\n");
	weft_buf_printf(b, "<div class=\"legend\"><i style=\"border-top:3px solid #2e7d32\"></i>score"
			   "<i style=\"border-top:2px dashed #1f4fa8\"></i>target level %d</div>\n",
			r->target);
}

static void bar_row(weft_buf *b, const weft_assess_result *r, const char *name, bool assessed,
		    double score, int level, bool bold)
{
	weft_buf_printf(b, "<div class=\"brow\"><div class=\"bname\"%s title=\"", bold ? " style=\"font-weight:800\"" : "");
	h(b, name);
	weft_buf_puts(b, "\">");
	h(b, name);
	weft_buf_puts(b, "</div><div class=\"bar\">");
	for (int L = 1; L < WEFT_ASSESS_LEVELS; L++)
		weft_buf_printf(b, "<div class=\"tick\" style=\"left:%d%%\"></div>", L * 20);
	if (assessed)
		weft_buf_printf(b, "<div class=\"fill %s\" style=\"width:%.1f%%\"></div>",
				level_class(r, true, level), score * 20);
	weft_buf_printf(b, "<div class=\"tgt\" style=\"left:%d%%\" title=\"target level %d\"></div></div>",
			r->target * 20, r->target);
	if (assessed)
		weft_buf_printf(b, "<div class=\"bval\"><span class=\"lv %s\">%d</span> %.2f</div></div>\n",
				level_class(r, true, level), level, score);
	else
		weft_buf_puts(b, "<div class=\"bval\">not assessed</div></div>\n");
}

static void bars(weft_buf *b, const weft_assess_result *r)
{
	weft_buf_puts(b, "<div class=\"scale\"><div></div><div><span>0</span><span>1</span><span>2</span>"
			 "<span>3</span><span>4</span><span>5</span></div><div>level · score</div></div>\n");
	for (size_t i = 0; i < r->n_dims; i++) {
		const weft_assess_dresult *dr = &r->dims[i];
		bar_row(b, r, dr->dim->title, dr->assessed, dr->score, dr->level, false);
	}
	bar_row(b, r, "Overall", r->assessed, r->score, r->level, true);
	weft_buf_printf(b, "<p class=\"legend\">Bars show the score on the 0-5 scale; the blue line is "
			   "target level %d. Colour: <span class=\"lv ok\">at target</span> "
			   "<span class=\"lv near\">one below</span> <span class=\"lv low\">further</span></p>\n",
			r->target);
}

static void gap_table(weft_buf *b, const weft_assess_result *r)
{
	weft_buf_printf(b, "<h2 id=\"gaps\">Gaps to level %d</h2>\n", r->target);
	if (!r->n_gaps) {
		weft_buf_printf(b, "<p>%s</p>\n", r->assessed ? "No gaps: every answered question is at the "
								"target level or above."
							      : "Nothing assessed yet.");
		return;
	}
	weft_buf_puts(b, "<p class=\"muted small\">Most weighted first. <em>Points</em>: how much closing "
			 "the gap adds to the overall progress to target (percentage points).</p>\n");
	weft_buf_puts(b, "<table><thead><tr><th>#</th><th>Question</th><th>Dimension</th><th>Level</th>"
			 "<th>Points</th><th>Improvement plan</th></tr></thead><tbody>\n");
	for (size_t i = 0; i < r->n_gaps; i++) {
		const weft_assess_qresult *qr = r->gaps[i].q;
		weft_buf_printf(b, "<tr><td class=\"n\">%zu</td><td><code>", i + 1);
		h(b, qr->q->id);
		weft_buf_puts(b, "</code>");
		if (qr->q->critical)
			weft_buf_puts(b, "<span class=\"crit\">critical</span>");
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

static void disagreement_table(weft_buf *b, const weft_assess_result *r)
{
	if (!r->n_disagreements)
		return;
	weft_buf_puts(b, "<h2 id=\"disagreements\">Disagreements</h2>\n<p class=\"muted small\">Respondents 2 or more levels "
			 "apart. The median (low on ties) is scored; settle these in a review.</p>\n");
	weft_buf_puts(b, "<table><thead><tr><th>Question</th><th>Answers</th><th>Median</th></tr></thead>"
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
			h(b, v->respondent);
			if (v->status == WEFT_ASSESS_ANSWERED)
				weft_buf_printf(b, ": <b>%d</b>", v->level);
			else
				weft_buf_puts(b, v->status == WEFT_ASSESS_NA ? ": na" : ": not answered");
			if (v->note) {
				weft_buf_puts(b, " <span class=\"muted\">(");
				h(b, v->note);
				weft_buf_puts(b, ")</span>");
			}
		}
		weft_buf_printf(b, "</td><td class=\"n\">%d</td></tr>\n", qr->level);
	}
	weft_buf_puts(b, "</tbody></table>\n");
}

static void details(weft_buf *b, const weft_assess_result *r)
{
	const weft_assess_model *m = r->model;
	weft_buf_puts(b, "<h2 id=\"answers\">Answers by dimension</h2>\n");
	for (size_t i = 0; i < r->n_dims; i++) {
		const weft_assess_dresult *dr = &r->dims[i];
		weft_buf_puts(b, "<h3>");
		h(b, dr->dim->title);
		if (dr->assessed) {
			weft_buf_printf(b, " <span class=\"lv %s\">%d</span> <span class=\"muted small\">score %.2f, "
					   "coverage %d%%, %d%% to target",
					level_class(r, true, dr->level), dr->level, dr->score,
					assess_pct(dr->coverage), assess_pct(dr->percent_to_target));
			if (strcmp(dr->capped_by, "score") != 0) {
				weft_buf_printf(b, "; capped at %d by critical question <code>", dr->level);
				h(b, dr->capped_by);
				weft_buf_printf(b, "</code> (the score alone gives %d)", dr->score_level);
			}
			weft_buf_puts(b, "</span>");
		} else {
			weft_buf_puts(b, " <span class=\"muted small\">not assessed</span>");
		}
		weft_buf_puts(b, "</h3>\n<table><thead><tr><th>Question</th><th>Answer</th><th>Gap</th></tr>"
				 "</thead><tbody>\n");
		for (size_t k = 0; k < dr->n_questions; k++) {
			const weft_assess_qresult *qr = &dr->questions[k];
			weft_buf_puts(b, "<tr><td style=\"width:45%\"><code>");
			h(b, qr->q->id);
			weft_buf_puts(b, "</code>");
			if (qr->q->critical)
				weft_buf_puts(b, "<span class=\"crit\">critical</span>");
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
			} else {
				weft_buf_puts(b, "<span class=\"muted\">not answered</span>");
			}
			if (qr->note) {
				weft_buf_puts(b, "<br><span class=\"muted small\">Note: ");
				h(b, qr->note);
				weft_buf_puts(b, "</span>");
			}
			for (size_t e = 0; e < qr->n_evidence; e++) {
				weft_buf_puts(b, e ? ", " : "<br><span class=\"muted small\">Evidence: ");
				h(b, qr->evidence[e]);
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
	(void)m;
}

int weft_assess_report_html(weft_buf *b, const weft_assess_result *r,
			    const weft_assess_report_opts *opts)
{
	const weft_assess_model *m = r->model;
	weft_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
			 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
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
	weft_buf_puts(b, "</p>\n</header>\n<section class=\"kpis\">\n");
	char v[160];
	if (r->assessed) {
		char name[96];
		snprintf(name, sizeof name, "%s", weft_assess_level_name(m, r->level));
		weft_buf lv = WEFT_BUF_INIT;
		weft_buf_printf(&lv, "%d <small style=\"font-size:14px\">", r->level);
		h(&lv, name);
		weft_buf_puts(&lv, "</small>");
		kpi(b, "Overall level", lv.ptr ? lv.ptr : "", level_class(r, true, r->level));
		weft_buf_free(&lv);
		snprintf(v, sizeof v, "%.2f", r->score);
		kpi(b, "Overall score", v, NULL);
	} else {
		kpi(b, "Overall level", "not assessed", "na");
	}
	snprintf(v, sizeof v, "%d%%", assess_pct(r->coverage));
	kpi(b, "Coverage", v, NULL);
	if (r->assessed) {
		snprintf(v, sizeof v, "%d%% <small style=\"font-size:14px\">to level %d</small>",
			 assess_pct(r->percent_to_target), r->target);
		kpi(b, "Progress to target", v, NULL);
	}
	weft_buf_puts(b, "</section>\n");
	if (r->assessed) {
		weft_buf_puts(b, "<p>Held at this level by: ");
		size_t k = 0;
		for (size_t i = 0; i < r->n_dims; i++) {
			const weft_assess_dresult *dr = &r->dims[i];
			if (!dr->assessed || dr->level != r->level)
				continue;
			if (k++)
				weft_buf_puts(b, "; ");
			weft_buf_puts(b, "<b>");
			h(b, dr->dim->title);
			weft_buf_puts(b, "</b>");
			if (strcmp(dr->capped_by, "score") != 0) {
				weft_buf_puts(b, " (critical question <code>");
				h(b, dr->capped_by);
				weft_buf_printf(b, "</code> at level %d)", dr->level);
			}
		}
		weft_buf_puts(b, ".</p>\n");
	}
	weft_buf_puts(b, "<h2 id=\"dimensions\">Dimensions</h2>\n<section class=\"charts\">\n<figure class=\"radar\" style=\"margin:0\">\n");
	radar(b, r);
	weft_buf_puts(b, "</figure>\n<div class=\"bars\">\n");
	bars(b, r);
	weft_buf_puts(b, "</div>\n</section>\n");
	gap_table(b, r);
	disagreement_table(b, r);
	details(b, r);
	if (r->n_unanswered) {
		weft_buf_printf(b, "<h2 id=\"unanswered\">Not answered (%zu)</h2>\n<p>", r->n_unanswered);
		for (size_t i = 0; i < r->n_unanswered; i++) {
			weft_buf_puts(b, i ? ", <code>" : "<code>");
			h(b, r->unanswered[i]->q->id);
			weft_buf_puts(b, "</code>");
		}
		weft_buf_puts(b, "</p>\n");
	}
	weft_buf_puts(b, "<footer>Levels: ");
	for (int L = 1; L <= WEFT_ASSESS_LEVELS; L++) {
		weft_buf_printf(b, "%s%d ", L > 1 ? " · " : "", L);
		h(b, m->levels[L - 1].name);
	}
	weft_buf_puts(b, ". Scoring rules: docs/scoring.md.");
	if (opts && opts->generator) {
		weft_buf_puts(b, " Generated by ");
		h(b, opts->generator);
		weft_buf_puts(b, ".");
	}
	weft_buf_puts(b, "</footer>\n</main>\n</body>\n</html>\n");
	return b->oom ? WEFT_ENOMEM : WEFT_OK;
}
