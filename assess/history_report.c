/* history_report.c - an answers file's trend as text, JSON, Markdown and
 * HTML (a self-contained page with an SVG trend chart), and the pieces of
 * it the score report adds with --history.
 *
 * Design choice: every entry is rendered from its own weft_assess_result
 * with the pieces the score report uses (assess_json_overall, the level
 * names), so a history entry says exactly what `weft assess score` of that
 * version says; a version that could not be scored shows its error in its
 * row and is left out of the trend lines rather than drawn as level 0.
 * The chart draws scores, not levels (a level is a step, the score shows
 * movement within it): level bands behind, hollow points where the level
 * is not rated, lines broken where a version has no score.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "assess_int.h"

#define HISTORY_FORMAT_VERSION 1

/* "2026-03-01T09:00:00Z" (UTC), or the date alone when date_only. */
static char *iso_time(char *buf, size_t n, int64_t t, bool date_only)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm))
		snprintf(buf, n, "?");
	else
		strftime(buf, n, date_only ? "%Y-%m-%d" : "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

static const weft_assess_dresult *dim_of(const weft_assess_result *r, const char *id)
{
	for (size_t i = 0; r && i < r->n_dims; i++)
		if (!strcmp(r->dims[i].dim->id, id))
			return &r->dims[i];
	return NULL;
}

/* The dimensions of the latest scored entry (the model is one for all). */
static const weft_assess_result *latest(const weft_assess_history *h)
{
	for (size_t i = h->n; i-- > 0;)
		if (h->entries[i].result)
			return h->entries[i].result;
	return NULL;
}

/* The author's name alone, for a narrow column. */
static void put_name(weft_buf *b, const char *author, int width)
{
	const char *lt = author ? strstr(author, " <") : NULL;
	int n = author ? (int)(lt ? (size_t)(lt - author) : strlen(author)) : 1;
	if (n > width)
		n = width;
	weft_buf_printf(b, "%-*.*s", width, n, author ? author : "-");
}

int weft_assess_history_text(weft_buf *out, const weft_assess_history *h, const weft_assess_report_opts *o)
{
	(void)o;
	const weft_assess_result *last = latest(h);
	const weft_assess_model *m = last ? last->model : NULL;
	weft_buf_printf(out, "history of %s", h->file);
	if (last && last->unit)
		weft_buf_printf(out, " (unit %s)", last->unit);
	weft_buf_printf(out, ": %zu version%s, target level %d", h->n, h->n == 1 ? "" : "s", h->target);
	if (m)
		weft_buf_printf(out, " (%s)", weft_assess_level_name(m, h->target));
	weft_buf_puts(out, "\n\n");
	weft_buf_puts(out, "commit   date        author          level  score  coverage  to target  message\n");
	for (size_t i = 0; i < h->n; i++) {
		const weft_assess_history_entry *e = &h->entries[i];
		char date[32];
		weft_buf_printf(out, "%-7.7s  %s  ", e->working_tree ? "working" : e->commit,
				iso_time(date, sizeof date, e->time, true));
		put_name(out, e->author, 14);
		const weft_assess_result *r = e->result;
		if (!r) {
			weft_buf_printf(out, "  not scored: %s\n", e->error ? e->error : "");
			continue;
		}
		if (r->rated)
			weft_buf_printf(out, "  %-5d  ", r->level);
		else
			weft_buf_puts(out, "  -      ");
		if (r->scored) {
			assess_put_score(out, r->score);
			weft_buf_puts(out, "   ");
		} else {
			weft_buf_puts(out, "-      ");
		}
		weft_buf_printf(out, "%3d%%      ", assess_pct(r->coverage));
		if (r->scored)
			weft_buf_printf(out, "%3d%%       ", assess_pct(r->percent_to_target));
		else
			weft_buf_puts(out, "  -        ");
		weft_buf_printf(out, "%s\n", e->working_tree ? "(uncommitted changes)" : e->message ? e->message : "");
	}
	if (!last)
		return out->oom ? WEFT_ENOMEM : WEFT_OK;
	weft_buf_puts(out, "\nby dimension (level, score), oldest to newest\n");
	for (size_t k = 0; k < last->n_dims; k++) {
		const char *id = last->dims[k].dim->id;
		weft_buf_printf(out, "  %-28s", id);
		bool any = false;
		for (size_t i = 0; i < h->n; i++) {
			const weft_assess_dresult *dr = dim_of(h->entries[i].result, id);
			if (!dr)
				continue;
			weft_buf_puts(out, any ? " -> " : " ");
			any = true;
			if (!dr->in_scope)
				weft_buf_puts(out, "out");
			else if (dr->rated)
				weft_buf_printf(out, "L%d", dr->level);
			else
				weft_buf_puts(out, "-");
			if (dr->in_scope && dr->scored) {
				weft_buf_putc(out, ' ');
				assess_put_score(out, dr->score);
			}
		}
		weft_buf_putc(out, '\n');
	}
	return out->oom ? WEFT_ENOMEM : WEFT_OK;
}

static cJSON *str_or_null(const char *s)
{
	return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static cJSON *dims_json(assess_jguard *g, const weft_assess_result *r)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; a && i < r->n_dims; i++) {
		const weft_assess_dresult *dr = &r->dims[i];
		cJSON *o = cJSON_CreateObject();
		assess_jadd(g, o, "id", cJSON_CreateString(dr->dim->id));
		assess_jadd(g, o, "in_scope", cJSON_CreateBool(dr->in_scope));
		assess_jadd(g, o, "rated", cJSON_CreateBool(dr->rated));
		assess_jadd(g, o, "level", dr->rated ? cJSON_CreateNumber(dr->level) : cJSON_CreateNull());
		assess_jadd(g, o, "score", dr->scored ? cJSON_CreateNumber(assess_round4(dr->score)) : cJSON_CreateNull());
		assess_jadd(g, o, "coverage", cJSON_CreateNumber(assess_round4(dr->coverage)));
		assess_jadd(g, o, "percent_to_target",
			    dr->scored ? cJSON_CreateNumber(assess_round4(dr->percent_to_target)) : cJSON_CreateNull());
		assess_jpush(g, a, o);
	}
	return a;
}

cJSON *assess_history_json_obj(assess_jguard *g, const weft_assess_history *h, const weft_assess_report_opts *o)
{
	const weft_assess_result *last = latest(h);
	cJSON *root = cJSON_CreateObject();
	assess_jadd(g, root, "format", cJSON_CreateString("weft-assess-history"));
	assess_jadd(g, root, "format_version", cJSON_CreateNumber(HISTORY_FORMAT_VERSION));
	assess_jadd(g, root, "generator", str_or_null(o ? o->generator : NULL));
	assess_jadd(g, root, "generated_at", str_or_null(o ? o->generated_at : NULL));
	assess_jadd(g, root, "file", cJSON_CreateString(h->file));
	assess_jadd(g, root, "unit", str_or_null(last ? last->unit : NULL));
	assess_jadd(g, root, "target", cJSON_CreateNumber(h->target));
	cJSON *es = cJSON_CreateArray();
	for (size_t i = 0; es && i < h->n; i++) {
		const weft_assess_history_entry *e = &h->entries[i];
		cJSON *j = cJSON_CreateObject();
		char date[32];
		assess_jadd(g, j, "commit", e->working_tree ? cJSON_CreateNull() : cJSON_CreateString(e->commit));
		assess_jadd(g, j, "working_tree", cJSON_CreateBool(e->working_tree));
		assess_jadd(g, j, "date", cJSON_CreateString(iso_time(date, sizeof date, e->time, false)));
		assess_jadd(g, j, "author", str_or_null(e->author));
		assess_jadd(g, j, "message", str_or_null(e->message));
		assess_jadd(g, j, "path", cJSON_CreateString(e->path ? e->path : ""));
		assess_jadd(g, j, "error", str_or_null(e->error));
		assess_jadd(g, j, "overall", e->result ? assess_json_overall(g, e->result) : cJSON_CreateNull());
		assess_jadd(g, j, "dimensions", e->result ? dims_json(g, e->result) : cJSON_CreateArray());
		assess_jpush(g, es, j);
	}
	assess_jadd(g, root, "entries", es);
	return root;
}

int weft_assess_history_json(weft_buf *out, const weft_assess_history *h, const weft_assess_report_opts *o)
{
	assess_jguard g = { false };
	cJSON *root = assess_history_json_obj(&g, h, o);
	return assess_json_emit(out, &g, root);
}

/* ---- the short trend of the score report ---- */

/* "abc1234" or "working". */
static const char *short_id(const weft_assess_history_entry *e, char buf[8])
{
	snprintf(buf, 8, "%.7s", e->working_tree ? "working" : e->commit);
	return buf;
}

void assess_history_trend_text(weft_buf *b, const weft_assess_history *h)
{
	weft_buf_printf(b, "\nTrend (%zu version%s of the answers file, each at target level %d)\n", h->n,
			h->n == 1 ? "" : "s", h->target);
	for (size_t i = 0; i < h->n; i++) {
		const weft_assess_history_entry *e = &h->entries[i];
		const weft_assess_result *r = e->result;
		char date[32], id[8];
		weft_buf_printf(b, "  %s  %-7s  ", iso_time(date, sizeof date, e->time, true), short_id(e, id));
		if (!r) {
			weft_buf_puts(b, "not scored\n");
			continue;
		}
		if (r->rated)
			weft_buf_printf(b, "level %d    ", r->level);
		else
			weft_buf_puts(b, "not rated  ");
		if (r->scored)
			assess_put_score(b, r->score);
		else
			weft_buf_puts(b, "-");
		weft_buf_putc(b, '\n');
	}
}

void assess_history_trend_markdown(weft_buf *b, const weft_assess_history *h)
{
	weft_buf_printf(b, "## Trend\n\n%zu version%s of the answers file, each scored at target level %d.\n\n"
			   "| Date | Commit | Level | Score |\n|---|---|---|---|\n",
			h->n, h->n == 1 ? "" : "s", h->target);
	for (size_t i = 0; i < h->n; i++) {
		const weft_assess_history_entry *e = &h->entries[i];
		const weft_assess_result *r = e->result;
		char date[32], id[8];
		weft_buf_printf(b, "| %s | `%s` | ", iso_time(date, sizeof date, e->time, true), short_id(e, id));
		if (!r)
			weft_buf_puts(b, "not scored | - |\n");
		else if (r->rated)
			weft_buf_printf(b, "%d | ", r->level);
		else
			weft_buf_puts(b, "not rated | ");
		if (r && r->scored)
			assess_put_score(b, r->score);
		else if (r)
			weft_buf_puts(b, "-");
		if (r)
			weft_buf_puts(b, " |\n");
	}
	weft_buf_putc(b, '\n');
}

/* ---- Markdown ---- */

/* A result's level, score, coverage and PercentToTarget as table cells. */
static void md_result_cells(weft_buf *b, const weft_assess_result *r)
{
	if (r->rated)
		weft_buf_printf(b, "%d | ", r->level);
	else
		weft_buf_puts(b, "not rated | ");
	if (r->scored)
		assess_put_score(b, r->score);
	else
		weft_buf_puts(b, "-");
	weft_buf_printf(b, " | %d%% | ", assess_pct(r->coverage));
	if (r->scored)
		weft_buf_printf(b, "%d%% | ", assess_pct(r->percent_to_target));
	else
		weft_buf_puts(b, "- | ");
}

static void md_entries(weft_buf *b, const weft_assess_history *h)
{
	weft_buf_puts(b, "| Commit | Date | Author | Level | Score | Coverage | To target | Message |\n"
			 "|---|---|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < h->n; i++) {
		const weft_assess_history_entry *e = &h->entries[i];
		char date[32], id[8];
		weft_buf_printf(b, "| `%s` | %s | ", short_id(e, id), iso_time(date, sizeof date, e->time, true));
		assess_put_md(b, e->author ? e->author : "-");
		weft_buf_puts(b, " | ");
		if (e->result) {
			md_result_cells(b, e->result);
			assess_put_md(b, e->working_tree ? "(uncommitted changes)" : e->message ? e->message : "");
		} else {
			weft_buf_puts(b, "- | - | - | - | not scored: ");
			assess_put_md(b, e->error ? e->error : "");
		}
		weft_buf_puts(b, " |\n");
	}
}

/* One cell of the by-dimension table: "L2 3.00", "not rated 1.25", ... */
static void md_dim_cell(weft_buf *b, const weft_assess_dresult *dr)
{
	if (!dr)
		weft_buf_puts(b, " - |");
	else if (!dr->in_scope)
		weft_buf_puts(b, " out of scope |");
	else {
		weft_buf_puts(b, dr->rated ? "" : " not rated");
		if (dr->rated)
			weft_buf_printf(b, " L%d", dr->level);
		if (dr->scored) {
			weft_buf_putc(b, ' ');
			assess_put_score(b, dr->score);
		}
		weft_buf_puts(b, " |");
	}
}

static void md_dims(weft_buf *b, const weft_assess_history *h, const weft_assess_result *last)
{
	char id[8];
	weft_buf_puts(b, "## By dimension\n\nLevel and score of each version, oldest first.\n\n| Dimension |");
	for (size_t i = 0; i < h->n; i++)
		weft_buf_printf(b, " `%s` |", short_id(&h->entries[i], id));
	weft_buf_puts(b, "\n|---|");
	for (size_t i = 0; i < h->n; i++)
		weft_buf_puts(b, "---|");
	weft_buf_putc(b, '\n');
	for (size_t k = 0; k < last->n_dims; k++) {
		weft_buf_puts(b, "| ");
		assess_put_md(b, last->dims[k].dim->title);
		weft_buf_puts(b, " |");
		for (size_t i = 0; i < h->n; i++)
			md_dim_cell(b, dim_of(h->entries[i].result, last->dims[k].dim->id));
		weft_buf_putc(b, '\n');
	}
	weft_buf_putc(b, '\n');
}

int weft_assess_history_markdown(weft_buf *out, const weft_assess_history *h, const weft_assess_report_opts *o)
{
	const weft_assess_result *last = latest(h);
	weft_buf_puts(out, "# History of ");
	assess_put_md(out, h->file);
	if (last && last->unit) {
		weft_buf_puts(out, " (unit ");
		assess_put_md(out, last->unit);
		weft_buf_puts(out, ")");
	}
	weft_buf_printf(out, "\n\n%zu version%s, oldest first, each scored at target level %d", h->n,
			h->n == 1 ? "" : "s", h->target);
	if (last) {
		weft_buf_puts(out, " (");
		assess_put_md(out, weft_assess_level_name(last->model, h->target));
		weft_buf_puts(out, ")");
	}
	weft_buf_puts(out, ".\n\n");
	md_entries(out, h);
	weft_buf_putc(out, '\n');
	if (last)
		md_dims(out, h, last);
	if (o && o->generator) {
		weft_buf_puts(out, "Generated by ");
		assess_put_md(out, o->generator);
		if (o->generated_at) {
			weft_buf_puts(out, " at ");
			assess_put_md(out, o->generated_at);
		}
		weft_buf_puts(out, ".\n");
	}
	return out->oom ? WEFT_ENOMEM : WEFT_OK;
}

/* ---- HTML: the trend chart ---- */

/* Chart geometry: the plot spans scores 0..CHART_YMAX so the level-5 band
 * (a score of exactly 5) has some height; x: one column per entry. */
#define CHART_W 960.0
#define CHART_PL 150.0
#define CHART_PR 80.0
#define CHART_PT 24.0
#define CHART_PH 300.0
#define CHART_YMAX 5.3

static const char *const line_colours[] = { "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
					    "#8c6d31", "#b07aa1", "#ff9da7", "#9c755f", "#17becf" };
static const char *const line_dashes[] = { "", "7 4", "2 3", "9 3 2 3" };
#define N_COLOURS (sizeof line_colours / sizeof *line_colours)
#define N_DASHES (sizeof line_dashes / sizeof *line_dashes)

typedef struct {
	const weft_assess_history *h;
	const weft_assess_result *last;
	double step;   /* column width */
	size_t every;  /* label every n-th column */
	bool rotate;   /* tick labels at an angle */
} chart;

static double cy(double v)
{
	return CHART_PT + CHART_PH * (1 - v / CHART_YMAX);
}

/* The centre of column i, moved a little per series (k of n) so equal
 * scores of several dimensions stay apart. */
static double cx(const chart *c, size_t i, size_t k, size_t n)
{
	double dodge = c->step / (2.0 * (double)(n + 1));
	if (dodge > 3)
		dodge = 3;
	return CHART_PL + c->step * ((double)i + 0.5) + dodge * ((double)k - (double)(n - 1) / 2);
}

static void dash_attr(weft_buf *b, size_t k)
{
	if (*line_dashes[k % N_DASHES])
		weft_buf_printf(b, " stroke-dasharray=\"%s\"", line_dashes[k % N_DASHES]);
}

/* The level bands, their names, the score grid and the target. */
static void chart_frame(weft_buf *b, const chart *c)
{
	const weft_assess_model *m = c->last ? c->last->model : NULL;
	int tgt = c->h->target;
	for (int L = 1; L <= WEFT_ASSESS_LEVELS; L++) {
		double top = cy(L == WEFT_ASSESS_LEVELS ? CHART_YMAX : L + 1), bot = cy(L);
		const char *col = assess_html_level_colour(true, L, tgt);
		weft_buf_printf(b, "<rect class=\"band\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
				   "fill=\"%s\" fill-opacity=\"%s\"/>\n",
				CHART_PL, top, CHART_W - CHART_PL - CHART_PR, bot - top, col, L % 2 ? ".10" : ".16");
		weft_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\" fill=\"%s\">"
				   "L%d ",
				CHART_PL - 24, (top + bot) / 2 + 4, col, L);
		assess_html_text(b, m ? weft_assess_level_name(m, L) : "");
		weft_buf_puts(b, "</text>\n");
	}
	for (int v = 0; v <= WEFT_ASSESS_LEVELS; v++)
		weft_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#d9dde5\"/>"
				   "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\" "
				   "fill=\"#5b6474\">%d</text>\n",
				CHART_PL, cy(v), CHART_W - CHART_PR, cy(v), CHART_PL - 6, cy(v) + 4, v);
	weft_buf_printf(b, "<line class=\"target\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
			   "stroke=\"#1f4fa8\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>"
			   "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#1f4fa8\">target L%d</text>\n",
			CHART_PL, cy(tgt), CHART_W - CHART_PR, cy(tgt), CHART_W - CHART_PR + 6, cy(tgt) + 4, tgt);
}

/* Column shading for the working tree, a marker for a version that did
 * not load, and the tick labels. */
static void chart_columns(weft_buf *b, const chart *c)
{
	const weft_assess_history *h = c->h;
	double base = CHART_PT + CHART_PH;
	for (size_t i = 0; i < h->n; i++) {
		const weft_assess_history_entry *e = &h->entries[i];
		double x = cx(c, i, 0, 1), x0 = CHART_PL + c->step * (double)i;
		char date[32], id[8];
		if (e->working_tree)
			weft_buf_printf(b, "<rect class=\"working\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
					   "height=\"%.1f\" fill=\"#1f4fa8\" fill-opacity=\".07\" stroke=\"#1f4fa8\" "
					   "stroke-opacity=\".4\" stroke-dasharray=\"3 3\"/>\n",
					x0, CHART_PT, c->step, CHART_PH);
		if (!e->result) {
			weft_buf_printf(b, "<g class=\"failed\"><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
					   "stroke=\"#c62828\" stroke-dasharray=\"1 3\"/><text x=\"%.1f\" y=\"%.1f\" "
					   "font-size=\"16\" text-anchor=\"middle\" fill=\"#c62828\">&#215;<title>",
					x, CHART_PT, x, base, x, cy(0.5) + 5);
			weft_buf_printf(b, "%s, %s: did not load: ", short_id(e, id),
					iso_time(date, sizeof date, e->time, true));
			assess_html_text(b, e->error ? e->error : "");
			weft_buf_puts(b, "</title></text></g>\n");
		}
		/* every c->every-th label, and always the last one */
		if (i + 1 != h->n && (i % c->every || h->n - 1 - i < c->every))
			continue;
		const char *style = e->working_tree ? " font-style=\"italic\" fill=\"#1f4fa8\"" : " fill=\"#1d2330\"";
		iso_time(date, sizeof date, e->time, true);
		if (c->rotate)
			weft_buf_printf(b, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" font-size=\"11\" "
					   "text-anchor=\"end\" transform=\"rotate(-40 %.1f %.1f)\"%s>%s %s</text>\n",
					x, base + 14, x, base + 14, style, short_id(e, id), date);
		else
			weft_buf_printf(b, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" font-size=\"11\" "
					   "text-anchor=\"middle\"%s><tspan x=\"%.1f\">%s</tspan><tspan x=\"%.1f\" "
					   "dy=\"14\">%s</tspan></text>\n",
					x, base + 16, style, x, short_id(e, id), x, date);
	}
}

/* The tooltip of one point. dr NULL: the overall result. */
static void point_title(weft_buf *b, const weft_assess_history_entry *e, const weft_assess_dresult *dr)
{
	const weft_assess_result *r = e->result;
	bool rated = dr ? dr->rated : r->rated;
	int level = dr ? dr->level : r->level;
	char date[32], id[8];
	weft_buf_puts(b, "<title>");
	assess_html_text(b, dr ? dr->dim->title : "Overall");
	weft_buf_printf(b, "\ncommit %s, %s\n", e->working_tree ? "(uncommitted changes)" : short_id(e, id),
			iso_time(date, sizeof date, e->time, true));
	if (e->author) {
		assess_html_text(b, e->author);
		weft_buf_putc(b, '\n');
	}
	if (rated) {
		weft_buf_printf(b, "level %d (", level);
		assess_html_text(b, weft_assess_level_name(r->model, level));
		weft_buf_puts(b, ")");
	} else {
		weft_buf_puts(b, "not rated");
	}
	weft_buf_puts(b, ", score ");
	assess_put_score(b, dr ? dr->score : r->score);
	weft_buf_printf(b, ", coverage %d%%</title>", assess_pct(dr ? dr->coverage : r->coverage));
}

/* A score of entry i for series k: dimension k, or the overall for k ==
 * n_dims. NULL when there is none to draw (not loaded, out of scope). */
static bool series_at(const chart *c, size_t i, size_t k, const weft_assess_dresult **dr)
{
	const weft_assess_result *r = c->h->entries[i].result;
	*dr = NULL;
	if (!r)
		return false;
	if (k == c->last->n_dims)
		return r->scored;
	*dr = dim_of(r, c->last->dims[k].dim->id);
	return *dr && (*dr)->in_scope && (*dr)->scored;
}

/* One series: a path broken where there is no score, then its points
 * (hollow where the score exists but the level is not rated). */
static void chart_series(weft_buf *b, const chart *c, size_t k)
{
	size_t n = c->last->n_dims;
	bool overall = k == n;
	const char *col = overall ? "#1d2330" : line_colours[k % N_COLOURS];
	const weft_assess_dresult *dr;
	weft_buf_printf(b, "<g class=\"series\"><path class=\"trend %s\"", overall ? "overall" : "dim");
	if (!overall) {
		weft_buf_puts(b, " data-dim=\"");
		assess_html_text(b, c->last->dims[k].dim->id);
		weft_buf_putc(b, '"');
	}
	weft_buf_printf(b, " fill=\"none\" stroke=\"%s\" stroke-width=\"%s\" stroke-linejoin=\"round\"", col,
			overall ? "3.5" : "1.8");
	if (!overall)
		dash_attr(b, k);
	weft_buf_puts(b, " d=\"");
	bool run = false;
	for (size_t i = 0; i < c->h->n; i++) {
		if (!series_at(c, i, k, &dr)) {
			run = false;
			continue;
		}
		double v = dr ? dr->score : c->h->entries[i].result->score;
		weft_buf_printf(b, "%s%.1f %.1f", run ? " L" : (i ? " M" : "M"), cx(c, i, k, n + 1), cy(v));
		run = true;
	}
	weft_buf_puts(b, "\"/>\n");
	for (size_t i = 0; i < c->h->n; i++) {
		if (!series_at(c, i, k, &dr))
			continue;
		const weft_assess_history_entry *e = &c->h->entries[i];
		bool rated = dr ? dr->rated : e->result->rated;
		double v = dr ? dr->score : e->result->score;
		weft_buf_printf(b, "<circle class=\"pt%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"%s\" fill=\"%s\" "
				   "stroke=\"%s\" stroke-width=\"2\">",
				rated ? "" : " unrated", cx(c, i, k, n + 1), cy(v), overall ? "5" : "3.8",
				rated ? col : "#fff", col);
		point_title(b, e, dr);
		weft_buf_puts(b, "</circle>\n");
	}
	weft_buf_puts(b, "</g>\n");
}

static void legend_item(weft_buf *b, const char *col, double width, size_t dash, const char *name)
{
	weft_buf_printf(b, "<span class=\"li\"><svg width=\"30\" height=\"10\" aria-hidden=\"true\" "
			   "style=\"margin-right:4px\"><line x1=\"1\" y1=\"5\" x2=\"29\" y2=\"5\" stroke=\"%s\" stroke-width=\"%.1f\"",
			col, width);
	if (dash != (size_t)-1)
		dash_attr(b, dash);
	weft_buf_puts(b, "/></svg>");
	assess_html_text(b, name);
	weft_buf_puts(b, "</span>\n");
}

static void chart_legend(weft_buf *b, const chart *c)
{
	weft_buf_puts(b, "<div class=\"trend-legend\" style=\"display:flex;flex-wrap:wrap;gap:4px 16px;"
			 "font-size:12px;color:#5b6474;margin:6px 0 0 8px\">\n");
	for (size_t k = 0; k < c->last->n_dims; k++)
		legend_item(b, line_colours[k % N_COLOURS], 1.8, k, c->last->dims[k].dim->title);
	legend_item(b, "#1d2330", 3.5, (size_t)-1, "Overall");
	weft_buf_printf(b, "<span class=\"li\"><svg width=\"30\" height=\"10\" aria-hidden=\"true\"><line "
			   "x1=\"1\" y1=\"5\" x2=\"29\" y2=\"5\" stroke=\"#1f4fa8\" stroke-width=\"2\" "
			   "stroke-dasharray=\"6 4\"/></svg> target level %d</span>\n",
			c->h->target);
	weft_buf_puts(b, "<span class=\"li\"><svg width=\"14\" height=\"10\" aria-hidden=\"true\"><circle cx=\"7\" "
			 "cy=\"5\" r=\"3.5\" fill=\"#5b6474\"/></svg> level rated</span>\n"
			 "<span class=\"li\"><svg width=\"14\" height=\"10\" aria-hidden=\"true\"><circle cx=\"7\" "
			 "cy=\"5\" r=\"3.5\" fill=\"#fff\" stroke=\"#5b6474\" stroke-width=\"1.5\"/></svg> scored, "
			 "level not rated</span>\n");
	bool failed = false, working = false;
	for (size_t i = 0; i < c->h->n; i++) {
		failed |= !c->h->entries[i].result;
		working |= c->h->entries[i].working_tree;
	}
	if (failed)
		weft_buf_puts(b, "<span class=\"li\"><b style=\"color:#c62828\">&#215;</b> did not load "
				 "(a gap)</span>\n");
	if (working)
		weft_buf_puts(b, "<span class=\"li\"><svg width=\"14\" height=\"10\" aria-hidden=\"true\">"
				 "<rect width=\"14\" height=\"10\" fill=\"#1f4fa8\" fill-opacity=\".12\"/></svg> "
				 "uncommitted changes</span>\n");
	weft_buf_puts(b, "<span class=\"li\">bands: levels 1-5, coloured against the target</span>\n</div>\n");
}

static void chart_svg(weft_buf *b, const weft_assess_history *h, const weft_assess_result *last)
{
	chart c = { h, last, (CHART_W - CHART_PL - CHART_PR) / (double)(h->n ? h->n : 1), 1, false };
	c.rotate = c.step < 76;
	/* rotated labels 22 apart along x are 14 apart across: one line each */
	if (c.rotate && c.step < 22)
		c.every = (size_t)ceil(22 / c.step);
	double height = CHART_PT + CHART_PH + (c.rotate ? 100 : 44);
	weft_buf_printf(b, "<svg class=\"trend-chart\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
			   "aria-label=\"Scores of each version, oldest first, against target level %d\" "
			   "xmlns=\"http://www.w3.org/2000/svg\" style=\"width:100%%;height:auto;"
			   "font-family:system-ui,sans-serif\">\n",
			CHART_W, height, h->target);
	chart_frame(b, &c);
	chart_columns(b, &c);
	for (size_t k = 0; k <= last->n_dims; k++)
		chart_series(b, &c, k);
	weft_buf_puts(b, "</svg>\n");
	chart_legend(b, &c);
}

static void html_cell_score(weft_buf *b, bool scored, double v)
{
	weft_buf_puts(b, "<td class=\"num\">");
	if (scored)
		assess_put_score(b, v);
	else
		weft_buf_puts(b, "-");
	weft_buf_puts(b, "</td>");
}

static void html_entries(weft_buf *b, const weft_assess_history *h)
{
	weft_buf_puts(b, "<table class=\"entries\">\n<thead><tr><th>Commit</th><th>Date</th><th>Author</th>"
			 "<th>Level</th><th>Score</th><th>Coverage</th><th>To target</th><th>Message</th></tr>"
			 "</thead>\n<tbody>\n");
	for (size_t i = 0; i < h->n; i++) {
		const weft_assess_history_entry *e = &h->entries[i];
		const weft_assess_result *r = e->result;
		char date[32], id[8];
		weft_buf_printf(b, "<tr><td><code>%s</code></td><td style=\"white-space:nowrap\">%s</td><td>",
				short_id(e, id),
				iso_time(date, sizeof date, e->time, true));
		assess_html_text(b, e->author ? e->author : "-");
		weft_buf_puts(b, "</td>");
		if (!r) {
			weft_buf_puts(b, "<td colspan=\"5\" class=\"err\">did not load: ");
			assess_html_text(b, e->error ? e->error : "");
			weft_buf_puts(b, "</td></tr>\n");
			continue;
		}
		if (r->rated)
			weft_buf_printf(b, "<td>%d ", r->level);
		else
			weft_buf_puts(b, "<td class=\"nr\">not rated");
		if (r->rated)
			assess_html_text(b, weft_assess_level_name(r->model, r->level));
		weft_buf_puts(b, "</td>");
		html_cell_score(b, r->scored, r->score);
		weft_buf_printf(b, "<td class=\"num\">%d%%</td>", assess_pct(r->coverage));
		if (r->scored)
			weft_buf_printf(b, "<td class=\"num\">%d%%</td>", assess_pct(r->percent_to_target));
		else
			weft_buf_puts(b, "<td class=\"num\">-</td>");
		weft_buf_puts(b, "<td>");
		assess_html_text(b, e->working_tree ? "(uncommitted changes)" : e->message ? e->message : "");
		weft_buf_puts(b, "</td></tr>\n");
	}
	weft_buf_puts(b, "</tbody>\n</table>\n");
}

void assess_history_chart_html(weft_buf *b, const weft_assess_history *h)
{
	const weft_assess_result *last = latest(h);
	weft_buf_puts(b, "<figure class=\"trend\" style=\"margin:0\">\n");
	if (last)
		chart_svg(b, h, last);
	else
		weft_buf_puts(b, "<p>No version could be scored, so there is no trend to draw.</p>\n");
	weft_buf_puts(b, "</figure>\n");
	html_entries(b, h);
}

static const char history_css[] =
	"body{margin:0;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;"
	"color:#1d2330;background:#f5f6f8}\n"
	"main{max-width:1080px;margin:0 auto;padding:24px 28px;background:#fff}\n"
	"h1{font-size:24px;margin:0 0 4px}.sub{color:#5b6474;margin:0 0 16px}\n"
	"table{border-collapse:collapse;width:100%;margin-top:18px;font-size:13px}\n"
	"th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #d9dde5;vertical-align:top}\n"
	"th{font-size:12px;color:#5b6474;text-transform:uppercase;letter-spacing:.03em;background:#fafbfc}\n"
	"td.num{text-align:right;font-variant-numeric:tabular-nums}.nr{color:#8a919e;font-style:italic}\n"
	"td.err{color:#c62828}code{font:12px ui-monospace,Menlo,Consolas,monospace}\n"
	"footer{margin-top:28px;color:#5b6474;font-size:12px}\n";

int weft_assess_history_html(weft_buf *out, const weft_assess_history *h, const weft_assess_report_opts *o)
{
	const weft_assess_result *last = latest(h);
	weft_buf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
			   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>History of ");
	assess_html_text(out, h->file);
	weft_buf_printf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n<h1>History of ", history_css);
	assess_html_text(out, h->file);
	weft_buf_puts(out, "</h1>\n<p class=\"sub\">");
	if (last && last->unit) {
		weft_buf_puts(out, "Unit ");
		assess_html_text(out, last->unit);
		weft_buf_puts(out, " · ");
	}
	weft_buf_printf(out, "%zu version%s, oldest first, each scored at target level %d", h->n,
			h->n == 1 ? "" : "s", h->target);
	if (last) {
		weft_buf_puts(out, " (");
		assess_html_text(out, weft_assess_level_name(last->model, h->target));
		weft_buf_puts(out, ")");
	}
	weft_buf_puts(out, ".</p>\n");
	assess_history_chart_html(out, h);
	if (o && o->generator) {
		weft_buf_puts(out, "<footer>Generated by ");
		assess_html_text(out, o->generator);
		if (o->generated_at) {
			weft_buf_puts(out, " at ");
			assess_html_text(out, o->generated_at);
		}
		weft_buf_puts(out, ".</footer>\n");
	}
	weft_buf_puts(out, "</main>\n</body>\n</html>\n");
	return out->oom ? WEFT_ENOMEM : WEFT_OK;
}
