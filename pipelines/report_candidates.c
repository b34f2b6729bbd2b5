/* report_candidates.c - the candidates table in text, JSON, markdown, HTML
 * and JUnit.
 *
 * Design: the table is built once as a grid of cell strings (table()) and
 * rendered by each format, so the formats cannot disagree about a number.
 * Latencies use the run report's "estimate (low-high)" form. The JSON form
 * embeds each candidate's whole run report (the same object `weft bench run
 * --format json` writes, so it can serve as a baseline); JUnit has one test
 * case per candidate and one for the recommendation, which is the gate.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

#define MAX_COLS 11

typedef struct {
	size_t rows, cols;     /* rows include the header */
	char **cell;           /* rows x cols, malloc'd strings */
	bool left[MAX_COLS];   /* left-aligned columns */
} grid;

static void grid_free(grid *g)
{
	for (size_t i = 0; g->cell && i < g->rows * g->cols; i++)
		free(g->cell[i]);
	free(g->cell);
}

static const char *fits_word(const weft_pipelines_candidate *it)
{
	if (it->error)
		return "error";
	if (!it->judged)
		return "-";
	return it->fits == WEFT_VERDICT_MET ? "yes" : it->fits == WEFT_VERDICT_BROKEN ? "no" : "inconclusive";
}

static char *metric(bool has, double v)
{
	char s[32];
	if (has && isfinite(v))
		snprintf(s, sizeof s, "%.4f", v);
	else
		snprintf(s, sizeof s, "-");
	return strdup(s);
}

static char *pctl_cell(const weft_pipelines_candidate *it, const weft_pipelines_pctl *p, bool have)
{
	char s[96];
	if (it->error || !have || !p->label[0])
		return strdup("-");
	return strdup(weft_pl_fmt_pctl(s, sizeof s, p, false));
}

static char *fmt(const char *f, ...) WEFT_PRINTF(1, 2);
static char *fmt(const char *f, ...)
{
	weft_buf b = WEFT_BUF_INIT;
	va_list ap;
	va_start(ap, f);
	weft_buf_vprintf(&b, f, ap);
	va_end(ap);
	if (b.oom) {
		weft_buf_free(&b);
		return NULL;
	}
	return b.ptr ? b.ptr : strdup("");
}

/* The table: one row per candidate. Returns false when out of memory. */
static bool table(grid *g, const weft_pipelines_candidates *c)
{
	const char *head[MAX_COLS];
	size_t k = 0;
	head[k++] = "candidate";
	head[k++] = "params";
	head[k++] = "bytes";
	head[k++] = "device";
	bool e2e = c->through_pipeline;
	head[k++] = e2e ? "model p50" : "p50";
	head[k++] = e2e ? "model p99" : "p99";
	if (e2e)
		head[k++] = "end-to-end p99";
	head[k++] = "fits";
	head[k++] = "accuracy";
	head[k++] = "ROC AUC";
	if (c->has_hitl)
		head[k++] = "operating point";
	memset(g, 0, sizeof *g);
	g->cols = k;
	g->rows = c->n + 1;
	g->cell = calloc(g->rows * g->cols, sizeof *g->cell);
	if (!g->cell)
		return false;
	g->left[0] = g->left[3] = g->left[k - 3 - c->has_hitl] = true;
	for (size_t j = 0; j < k; j++)
		g->cell[j] = strdup(head[j]);
	for (size_t i = 0; i < c->n; i++) {
		const weft_pipelines_candidate *it = &c->items[i];
		char **row = &g->cell[(i + 1) * g->cols];
		size_t j = 0;
		row[j++] = strdup(it->name);
		row[j++] = it->error && !it->params ? strdup("-") : fmt("%zu", it->params);
		row[j++] = it->error && !it->bytes ? strdup("-") : fmt("%zu", it->bytes);
		row[j++] = it->error ? strdup("failed") : fmt("%s %s", it->on_gpu ? "gpu" : "cpu", it->precision);
		row[j++] = pctl_cell(it, &it->stage_p50, true);
		row[j++] = pctl_cell(it, &it->stage_p99, true);
		if (e2e)
			row[j++] = pctl_cell(it, &it->e2e_p99, it->has_e2e);
		row[j++] = strdup(fits_word(it));
		row[j++] = metric(it->evaluated, it->accuracy);
		row[j++] = metric(it->evaluated && it->has_auc, it->auc);
		if (c->has_hitl)
			row[j++] = it->has_hitl ? fmt("%s: %.1f%% automated", it->hitl_text, 100 * it->hitl_automation)
				   : strdup(it->evaluated ? "none" : "-");
	}
	for (size_t i = 0; i < g->rows * g->cols; i++)
		if (!g->cell[i])
			return false;
	return true;
}

static void put_padded(weft_buf *b, const char *s, size_t w, bool left)
{
	size_t n = weft_utf8_width(s);
	if (!left)
		for (; n < w; n++)
			weft_buf_putc(b, ' ');
	weft_buf_puts(b, s);
	if (left)
		for (; n < w; n++)
			weft_buf_putc(b, ' ');
}

static void grid_text(weft_buf *b, const grid *g)
{
	size_t w[MAX_COLS] = { 0 };
	for (size_t i = 0; i < g->rows; i++)
		for (size_t j = 0; j < g->cols; j++)
			if (weft_utf8_width(g->cell[i * g->cols + j]) > w[j])
				w[j] = weft_utf8_width(g->cell[i * g->cols + j]);
	for (size_t i = 0; i < g->rows; i++) {
		for (size_t j = 0; j < g->cols; j++) {
			if (j)
				weft_buf_puts(b, "  ");
			/* no trailing spaces after a left-aligned last column */
			bool last = j + 1 == g->cols;
			put_padded(b, g->cell[i * g->cols + j], last && g->left[j] ? 0 : w[j], g->left[j]);
		}
		weft_buf_putc(b, '\n');
	}
}

static void grid_markdown(weft_buf *b, const grid *g)
{
	for (size_t i = 0; i < g->rows; i++) {
		weft_buf_putc(b, '|');
		for (size_t j = 0; j < g->cols; j++) {
			weft_buf_putc(b, ' ');
			for (const char *s = g->cell[i * g->cols + j]; *s; s++) {
				if (*s == '|')
					weft_buf_putc(b, '\\');
				weft_buf_putc(b, *s);
			}
			weft_buf_puts(b, " |");
		}
		weft_buf_putc(b, '\n');
		if (i == 0) {
			weft_buf_putc(b, '|');
			for (size_t j = 0; j < g->cols; j++)
				weft_buf_puts(b, g->left[j] ? "---|" : "--:|");
			weft_buf_putc(b, '\n');
		}
	}
}

static void grid_html(weft_buf *b, const grid *g, const weft_pipelines_candidates *c)
{
	weft_buf_puts(b, "<table>\n");
	for (size_t i = 0; i < g->rows; i++) {
		bool rec = i > 0 && i - 1 == c->recommended;
		weft_buf_puts(b, rec ? "<tr class='rec'>" : "<tr>");
		for (size_t j = 0; j < g->cols; j++) {
			const char *s = g->cell[i * g->cols + j];
			const char *cls = "";
			if (i && !strcmp(g->cell[j], "fits"))
				cls = !strcmp(s, "yes") ? "met" : !strcmp(s, "no") || !strcmp(s, "error") ? "broken"
					: !strcmp(s, "inconclusive") ? "inconclusive" : "";
			bool l = g->left[j];
			if (l || *cls)
				weft_buf_printf(b, "<%s class='%s%s%s'>", i ? "td" : "th", l ? "l" : "",
						l && *cls ? " " : "", cls);
			else
				weft_buf_printf(b, "<%s>", i ? "td" : "th");
			weft_buf_put_html(b, s);
			weft_buf_printf(b, "</%s>", i ? "td" : "th");
		}
		weft_buf_puts(b, "</tr>\n");
	}
	weft_buf_puts(b, "</table>\n");
}

/* ---- the words around the table ------------------------------------------------------ */

/* What was measured and how, one paragraph. */
static void context(weft_buf *b, const weft_pipelines_candidates *c)
{
	if (c->through_pipeline) {
		weft_buf_printf(b, "Candidates for stage '%s' of pipeline '%s' (%s), each run through the "
				   "whole pipeline", c->stage, c->pipeline, c->path);
		for (size_t i = 0; i < c->n; i++)
			if (c->items[i].run) {
				weft_buf_puts(b, ": ");
				weft_pl_scenario_line(b, c->items[i].run, false);
				break;
			}
		weft_buf_printf(b, "; intervals at %.0f%% confidence.", 100.0 * c->confidence);
	} else {
		char bud[32];
		weft_buf_printf(b, "Model stage alone: %zu timed queries per batch size after %zu warm-up, "
				   "host wall time per query; p99 at batch %zu",
				c->iterations, c->warmup, c->batch);
		if (c->has_budget)
			weft_buf_printf(b, " against a budget of %s",
					weft_pl_fmt_ms(bud, sizeof bud, c->budget_ms, false));
		weft_buf_printf(b, "; intervals at %.0f%% confidence.", 100.0 * c->confidence);
	}
	if (c->eval)
		weft_buf_printf(b, " Accuracy and ROC AUC on %s (%zu rows).", c->eval, c->eval_rows);
	if (c->has_hitl)
		weft_buf_printf(b, " Operating point: the lowest confidence threshold whose automatic error rate "
				   "is within %g%% by its one-sided %.0f%% upper bound, and the share of cases it "
				   "automates (none: no threshold keeps the budget).",
				100 * c->hitl_max_error, 100 * c->confidence);
	else
		weft_buf_puts(b, " No evaluation set: no accuracy.");
}

static void recommendation(weft_buf *b, const weft_pipelines_candidates *c)
{
	weft_buf_printf(b, "%s (%s)",
			c->recommended == SIZE_MAX ? "none" : c->items[c->recommended].name, c->reason);
}

/* Per candidate that does not fit or failed: why. */
static void reasons(weft_buf *b, const weft_pipelines_candidates *c, const char *pre, bool html)
{
	for (size_t i = 0; i < c->n; i++) {
		const weft_pipelines_candidate *it = &c->items[i];
		const char *why = it->error ? it->error : it->why;
		if (!why)
			continue;
		weft_buf line = WEFT_BUF_INIT;
		weft_buf_printf(&line, "%s: %s: %s", it->name, it->error ? "failed" : fits_word(it) , why);
		weft_buf_puts(b, pre);
		if (html)
			weft_buf_put_html(b, line.ptr ? line.ptr : "");
		else
			weft_buf_puts(b, line.ptr ? line.ptr : "");
		weft_buf_puts(b, html ? "</li>\n" : "\n");
		weft_buf_free(&line);
	}
}

static void sweeps_text(weft_buf *b, const weft_pipelines_candidates *c, int style /* 0 text 1 md 2 html */)
{
	for (size_t i = 0; i < c->n; i++) {
		const weft_pipelines_candidate *it = &c->items[i];
		if (it->n_sweep < 2)
			continue;
		grid g;
		memset(&g, 0, sizeof g);
		g.rows = it->n_sweep + 1;
		g.cols = it->on_gpu ? 7 : 4; /* the CUDA-event split exists on a GPU only */
		g.cell = calloc(g.rows * g.cols, sizeof *g.cell);
		if (!g.cell) {
			b->oom = true;
			return;
		}
		static const char *const head[] = { "batch", "p50", "p99", "rows/s", "H2D", "compute", "D2H" };
		for (size_t j = 0; j < g.cols; j++)
			g.cell[j] = strdup(head[j]);
		for (size_t k = 0; k < it->n_sweep; k++) {
			const weft_pipelines_sweep_row *r = &it->sweep[k];
			char **row = &g.cell[(k + 1) * g.cols], t[64];
			row[0] = fmt("%zu", r->batch);
			row[1] = strdup(weft_pl_fmt_pctl(t, sizeof t, &r->p50, false));
			row[2] = strdup(weft_pl_fmt_pctl(t, sizeof t, &r->p99, false));
			row[3] = fmt("%.0f", r->rows_per_s);
			if (it->on_gpu) {
				row[4] = strdup(weft_pl_fmt_ms(t, sizeof t, r->h2d_ms, false));
				row[5] = strdup(weft_pl_fmt_ms(t, sizeof t, r->compute_ms, false));
				row[6] = strdup(weft_pl_fmt_ms(t, sizeof t, r->d2h_ms, false));
			}
		}
		bool ok = true;
		for (size_t k = 0; k < g.rows * g.cols; k++)
			ok = ok && g.cell[k];
		if (!ok) {
			b->oom = true;
		} else if (style == 0) {
			weft_buf_printf(b, "\n%s: batch sweep (%s %s)\n", it->name, it->on_gpu ? "gpu" : "cpu",
					it->precision);
			grid_text(b, &g);
		} else if (style == 1) {
			weft_buf_printf(b, "\n### %s: batch sweep (%s %s)\n\n", it->name, it->on_gpu ? "gpu" : "cpu",
					it->precision);
			grid_markdown(b, &g);
		} else {
			weft_buf_puts(b, "<h2>");
			weft_buf_put_html(b, it->name);
			weft_buf_printf(b, ": batch sweep (%s %s)</h2>\n", it->on_gpu ? "gpu" : "cpu", it->precision);
			grid_html(b, &g, &(weft_pipelines_candidates){ .recommended = SIZE_MAX });
		}
		grid_free(&g);
	}
}

/* ---- formats --------------------------------------------------------------------------- */

/* Append text word-wrapped at width columns (a word longer than that
 * stands on its own line). */
static void put_wrapped(weft_buf *b, const char *text, size_t width)
{
	size_t col = 0;
	while (*text) {
		size_t n = strcspn(text, " ");
		size_t w = weft_utf8_cols(text, n); /* columns, not bytes */
		if (col && col + 1 + w > width) {
			weft_buf_putc(b, '\n');
			col = 0;
		} else if (col) {
			weft_buf_putc(b, ' ');
			col++;
		}
		weft_buf_put(b, text, n);
		col += w;
		text += n;
		while (*text == ' ')
			text++;
	}
	weft_buf_putc(b, '\n');
}

static void report_text(weft_buf *b, const weft_pipelines_candidates *c, const grid *g)
{
	grid_text(b, g);
	sweeps_text(b, c, 0);
	weft_buf_putc(b, '\n');
	reasons(b, c, "", false);
	weft_buf_puts(b, "recommendation: ");
	recommendation(b, c);
	weft_buf_putc(b, '\n');
	weft_buf ctx = WEFT_BUF_INIT;
	context(&ctx, c);
	put_wrapped(b, ctx.ptr ? ctx.ptr : "", 100);
	weft_buf_free(&ctx);
}

static void report_markdown(weft_buf *b, const weft_pipelines_candidates *c, const grid *g)
{
	if (c->through_pipeline)
		weft_buf_printf(b, "## Candidates: %s, stage %s\n\n", c->pipeline, c->stage);
	else
		weft_buf_puts(b, "## Candidates\n\n");
	grid_markdown(b, g);
	sweeps_text(b, c, 1);
	weft_buf_puts(b, "\n**Recommendation:** ");
	recommendation(b, c);
	weft_buf_puts(b, "\n\n");
	weft_buf why = WEFT_BUF_INIT;
	reasons(&why, c, "- ", false);
	if (why.len)
		weft_buf_printf(b, "%s\n", why.ptr);
	weft_buf_free(&why);
	context(b, c);
	weft_buf_putc(b, '\n');
}

static void report_html(weft_buf *b, const weft_pipelines_candidates *c, const grid *g)
{
	weft_pl_html_head(b, c->through_pipeline ? c->pipeline : "candidates");
	weft_buf_puts(b, "<style>tr.rec td{background:#eef6ee;font-weight:600}td.l,th.l{text-align:left}</style>\n<h1>weft bench candidates");
	if (c->through_pipeline) {
		weft_buf_puts(b, ": ");
		weft_buf_put_html(b, c->pipeline);
		weft_buf_puts(b, " <span class='muted'>(stage ");
		weft_buf_put_html(b, c->stage);
		weft_buf_puts(b, ")</span>");
	}
	weft_buf_printf(b, "</h1>\n<p class='verdict %s'>Recommendation: ",
			c->recommended == SIZE_MAX ? "broken" : "met");
	weft_buf tmp = WEFT_BUF_INIT;
	recommendation(&tmp, c);
	weft_buf_put_html(b, tmp.ptr ? tmp.ptr : "");
	weft_buf_free(&tmp);
	weft_buf_puts(b, "</p>\n<p>");
	context(&tmp, c);
	weft_buf_put_html(b, tmp.ptr ? tmp.ptr : "");
	weft_buf_free(&tmp);
	weft_buf_puts(b, "</p>\n");
	grid_html(b, g, c);
	weft_pl_html_tradeoff(b, c);
	reasons(&tmp, c, "<li>", true);
	if (tmp.len)
		weft_buf_printf(b, "<h2>Why not</h2>\n<ul>\n%s</ul>\n", tmp.ptr);
	weft_buf_free(&tmp);
	sweeps_text(b, c, 2);
	weft_buf_printf(b, "<p class='muted'>weft %s</p>\n", weft_version());
	weft_pl_html_foot(b);
}

static void json_num(cJSON *o, const char *k, double v)
{
	if (isfinite(v))
		cJSON_AddNumberToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

static void json_str(cJSON *o, const char *k, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

static cJSON *json_pctl_or_null(const weft_pipelines_candidate *it, const weft_pipelines_pctl *p, bool have)
{
	return !it->error && have && p->label[0] ? weft_pl_pctl_json(p) : cJSON_CreateNull();
}

static void report_json(weft_buf *b, const weft_pipelines_candidates *c, const weft_pipelines_report_opts *o)
{
	cJSON *root = cJSON_CreateObject();
	json_str(root, "format", "weft-bench-candidates");
	cJSON_AddNumberToObject(root, "format_version", 1);
	json_str(root, "weft_version", weft_version());
	json_str(root, "mode", c->through_pipeline ? "pipeline" : "model");
	json_str(root, "pipeline", c->pipeline);
	json_str(root, "file", c->path);
	json_str(root, "stage", c->stage);
	json_str(root, "eval", c->eval);
	json_num(root, "eval_rows", c->eval ? (double)c->eval_rows : NAN);
	json_num(root, "confidence", c->confidence);
	json_num(root, "budget_ms", c->has_budget ? c->budget_ms : NAN);
	json_num(root, "batch", (double)c->batch);
	json_num(root, "iterations", c->through_pipeline ? NAN : (double)c->iterations);
	json_num(root, "warmup", c->through_pipeline ? NAN : (double)c->warmup);
	json_num(root, "hitl_max_error", c->has_hitl ? c->hitl_max_error : NAN);
	cJSON *arr = cJSON_AddArrayToObject(root, "candidates");
	for (size_t i = 0; i < c->n; i++) {
		const weft_pipelines_candidate *it = &c->items[i];
		cJSON *j = cJSON_CreateObject();
		json_str(j, "name", it->name);
		json_str(j, "path", it->path);
		cJSON_AddBoolToObject(j, "failed", it->error != NULL);
		json_str(j, "error", it->error);
		cJSON_AddNumberToObject(j, "parameters", (double)it->params);
		cJSON_AddNumberToObject(j, "bytes", (double)it->bytes);
		json_str(j, "device", it->on_gpu ? "gpu" : "cpu");
		json_str(j, "precision", it->precision);
		json_num(j, "accuracy", it->evaluated ? it->accuracy : NAN);
		json_num(j, "roc_auc", it->evaluated && it->has_auc ? it->auc : NAN);
		cJSON_AddItemToObject(j, "model_p50", json_pctl_or_null(it, &it->stage_p50, true));
		cJSON_AddItemToObject(j, "model_p99", json_pctl_or_null(it, &it->stage_p99, true));
		cJSON_AddItemToObject(j, "end_to_end_p99", json_pctl_or_null(it, &it->e2e_p99, it->has_e2e));
		if (it->judged && !it->error)
			json_str(j, "fits", fits_word(it));
		else
			cJSON_AddNullToObject(j, "fits");
		json_str(j, "why", it->error ? it->error : it->why);
		if (it->has_hitl) {
			cJSON *op = cJSON_AddObjectToObject(j, "operating_point");
			json_num(op, "threshold", it->hitl_threshold);
			json_num(op, "automation_rate", it->hitl_automation);
			json_num(op, "error_rate", it->hitl_error_rate);
			json_num(op, "error_upper", it->hitl_error_upper);
		} else {
			cJSON_AddNullToObject(j, "operating_point");
		}
		cJSON *sw = cJSON_AddArrayToObject(j, "latency");
		for (size_t k = 0; k < it->n_sweep; k++) {
			const weft_pipelines_sweep_row *r = &it->sweep[k];
			cJSON *x = cJSON_CreateObject();
			cJSON_AddNumberToObject(x, "batch", (double)r->batch);
			cJSON_AddNumberToObject(x, "samples", (double)r->n);
			json_num(x, "p50_ms", r->p50.value_ms);
			json_num(x, "p50_lo_ms", r->p50.has_lo ? r->p50.lo_ms : NAN);
			json_num(x, "p50_hi_ms", r->p50.has_hi ? r->p50.hi_ms : NAN);
			json_num(x, "p99_ms", r->p99.value_ms);
			json_num(x, "p99_lo_ms", r->p99.has_lo ? r->p99.lo_ms : NAN);
			json_num(x, "p99_hi_ms", r->p99.has_hi ? r->p99.hi_ms : NAN);
			cJSON_AddNumberToObject(x, "rows_per_s", r->rows_per_s);
			json_num(x, "h2d_ms", it->on_gpu ? r->h2d_ms : NAN);
			json_num(x, "compute_ms", it->on_gpu ? r->compute_ms : NAN);
			json_num(x, "d2h_ms", it->on_gpu ? r->d2h_ms : NAN);
			cJSON_AddItemToArray(sw, x);
		}
		cJSON_AddItemToObject(j, "run", it->run ? weft_pl_result_json(it->run, o) : cJSON_CreateNull());
		cJSON_AddItemToArray(arr, j);
	}
	json_str(root, "recommendation", c->recommended == SIZE_MAX ? NULL : c->items[c->recommended].name);
	json_str(root, "reason", c->reason);
	cJSON_AddBoolToObject(root, "gate_passed", weft_pipelines_candidates_gate(c) == WEFT_OK);
	cJSON_AddBoolToObject(root, "allow_inconclusive", c->allow_inconclusive);
	weft_pl_put_json(b, root);
}

static void junit_case(weft_buf *b, const char *cls, const char *name, const char *tag, const char *type,
		       const char *msg)
{
	weft_buf_puts(b, "    <testcase name=\"");
	weft_pl_put_xml(b, name);
	weft_buf_puts(b, "\" classname=\"");
	weft_pl_put_xml(b, cls);
	weft_buf_puts(b, "\" time=\"0\"");
	if (!tag) {
		weft_buf_puts(b, "/>\n");
		return;
	}
	weft_buf_printf(b, ">\n      <%s message=\"", tag);
	weft_pl_put_xml(b, msg);
	if (!strcmp(tag, "skipped")) {
		weft_buf_puts(b, "\"/>\n    </testcase>\n");
		return;
	}
	weft_buf_printf(b, "\" type=\"%s\">", type);
	weft_pl_put_xml(b, msg);
	weft_buf_printf(b, "</%s>\n    </testcase>\n", tag);
}

static void report_junit(weft_buf *b, const weft_pipelines_candidates *c)
{
	size_t failures = 0, errors = 0, skipped = 0;
	for (size_t i = 0; i < c->n; i++) {
		const weft_pipelines_candidate *it = &c->items[i];
		errors += it->error != NULL;
		failures += !it->error && it->judged && it->fits == WEFT_VERDICT_BROKEN;
		skipped += !it->error && it->judged && it->fits == WEFT_VERDICT_INCONCLUSIVE;
	}
	bool gate = weft_pipelines_candidates_gate(c) == WEFT_OK;
	failures += !gate;
	const char *suite = c->through_pipeline ? c->pipeline : "candidates";
	weft_buf cls = WEFT_BUF_INIT;
	weft_buf_printf(&cls, "candidates.%s", suite);
	if (c->stage)
		weft_buf_printf(&cls, ".%s", c->stage);
	const char *cl = cls.ptr ? cls.ptr : "candidates";
	double elapsed = 0;
	for (size_t i = 0; i < c->n; i++)
		elapsed += c->items[i].run ? c->items[i].run->elapsed_s : 0;
	weft_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	/* no skipped count on <testsuites> (the Jenkins JUnit schema has none
	 * there); the suite below carries it */
	weft_buf_printf(b, "<testsuites name=\"weft bench candidates\" tests=\"%zu\" failures=\"%zu\" "
			   "errors=\"%zu\" time=\"%.3f\">\n",
			c->n + 1, failures, errors, elapsed);
	weft_buf_puts(b, "  <testsuite name=\"");
	weft_pl_put_xml(b, suite);
	weft_buf_printf(b, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\">\n",
			c->n + 1, failures, errors, skipped, elapsed);
	for (size_t i = 0; i < c->n; i++) {
		const weft_pipelines_candidate *it = &c->items[i];
		weft_buf name = WEFT_BUF_INIT, msg = WEFT_BUF_INIT;
		weft_buf_printf(&name, "%s fits the budget", it->name);
		const char *tag = NULL, *type = "budget";
		if (it->error) {
			tag = "error";
			type = "candidate";
			weft_buf_puts(&msg, it->error);
		} else if (it->judged && it->fits != WEFT_VERDICT_MET) {
			tag = it->fits == WEFT_VERDICT_BROKEN ? "failure" : "skipped";
			weft_buf_puts(&msg, it->why ? it->why : fits_word(it));
		}
		junit_case(b, cl, name.ptr ? name.ptr : it->name, tag, type, msg.ptr ? msg.ptr : "");
		weft_buf_free(&name);
		weft_buf_free(&msg);
	}
	weft_buf rec = WEFT_BUF_INIT;
	recommendation(&rec, c);
	junit_case(b, cl, "a candidate fits the budget", gate ? NULL : "failure", "gate",
		   rec.ptr ? rec.ptr : "");
	weft_buf_puts(b, "    <system-out>recommendation: ");
	weft_pl_put_xml(b, rec.ptr);
	weft_buf_puts(b, "</system-out>\n  </testsuite>\n</testsuites>\n");
	weft_buf_free(&rec);
	weft_buf_free(&cls);
}

int weft_pipelines_candidates_report(weft_buf *out, const weft_pipelines_candidates *c,
				     weft_pipelines_format format, const weft_pipelines_report_opts *opts)
{
	weft_pipelines_report_opts dflt = { false, false };
	if (!opts)
		opts = &dflt;
	if (format == WEFT_REPORT_JSON) {
		report_json(out, c, opts);
		return out->oom ? WEFT_ENOMEM : WEFT_OK;
	}
	if (format == WEFT_REPORT_JUNIT) {
		report_junit(out, c);
		return out->oom ? WEFT_ENOMEM : WEFT_OK;
	}
	grid g;
	if (!table(&g, c)) {
		grid_free(&g);
		return WEFT_ENOMEM;
	}
	if (format == WEFT_REPORT_MARKDOWN)
		report_markdown(out, c, &g);
	else if (format == WEFT_REPORT_HTML)
		report_html(out, c, &g);
	else
		report_text(out, c, &g);
	grid_free(&g);
	return out->oom ? WEFT_ENOMEM : WEFT_OK;
}
