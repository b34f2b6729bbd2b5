/* portfolio_report.c - the portfolio as text, JSON, Markdown and one
 * self-contained HTML page with a heat map of units x dimensions.
 *
 * Design choice: nothing here computes a level or a score. Each cell is
 * read from the unit's weft_assess_result, the JSON of a unit is the score
 * report's own "overall" and dimension objects (assess_json_overall,
 * assess_json_dimension), and the heat map takes its colours from the score
 * report's (assess_html_level_colour), so a unit looks the same here as in
 * `weft assess score` of its files. A dimension without a level never shows
 * a number that looks like one: the cell says "not rated" or "out of scope".
 */
#include <stdlib.h>
#include <string.h>

#include "assess_int.h"

#define PORTFOLIO_FORMAT_VERSION 1
#define CELL 12     /* text: "L2 2.41 100%" */
#define UNIT_MAX 24 /* text: the unit column at most */

static size_t top_n(const weft_assess_report_opts *o)
{
	return o && o->top_gaps ? o->top_gaps : 5;
}

static const char *target_phrase(const weft_assess_portfolio *p)
{
	return p->target_explicit ? "given with --target" : "one above the lowest rated overall level";
}

/* ---- text ---- */

/* s made printable, cut or padded to exactly cols columns. */
static void cell(weft_buf *b, const char *s, size_t cols, bool pad)
{
	char *c = assess_printable(s ? s : "", false);
	if (!c) {
		b->oom = true;
		return;
	}
	assess_put_cols(b, c, cols, pad);
	free(c);
}

static size_t unit_cols(const weft_assess_portfolio *p)
{
	size_t w = 4;
	for (size_t i = 0; i < p->n_units; i++) {
		size_t c = weft_utf8_cols(p->units[i].unit, strlen(p->units[i].unit));
		w = c > w ? c : w;
	}
	return w > UNIT_MAX ? UNIT_MAX : w;
}

/* A dimension's cell: "L2 2.41 100%", "not rated", "out of scope". */
static void dim_cell(weft_buf *b, const weft_assess_dresult *dr)
{
	weft_buf c = WEFT_BUF_INIT;
	if (!dr->in_scope)
		weft_buf_puts(&c, "out of scope");
	else if (!dr->rated)
		weft_buf_puts(&c, "not rated");
	else
		weft_buf_printf(&c, "L%d %.2f %d%%", dr->level, dr->score, assess_pct(dr->coverage));
	cell(b, c.ptr ? c.ptr : "", CELL, true);
	if (c.oom)
		b->oom = true;
	weft_buf_free(&c);
}

static void text_overall(weft_buf *b, const weft_assess_portfolio *p, size_t uw)
{
	cell(b, "unit", uw, true);
	weft_buf_puts(b, "  date        level  score  coverage  to target\n");
	for (size_t i = 0; i < p->n_units; i++) {
		const weft_assess_portfolio_unit *u = &p->units[i];
		const weft_assess_result *r = u->result;
		cell(b, u->unit, uw, true);
		weft_buf_printf(b, "  %-10s  ", u->date ? u->date : "-");
		if (r->rated)
			weft_buf_printf(b, "%-5d  ", r->level);
		else
			weft_buf_puts(b, "-      ");
		if (r->scored)
			weft_buf_printf(b, "%.2f   ", r->score);
		else
			weft_buf_puts(b, "-      ");
		weft_buf_printf(b, "%7d%%  ", assess_pct(r->coverage));
		if (r->scored)
			weft_buf_printf(b, "%8d%%\n", assess_pct(r->percent_to_target));
		else
			weft_buf_puts(b, "        -\n");
	}
}

static void text_matrix(weft_buf *b, const weft_assess_portfolio *p, size_t uw)
{
	const weft_assess_model *m = p->model;
	weft_buf_puts(b, "\nby dimension (level, score, coverage)\n");
	cell(b, "unit", uw, true);
	for (size_t k = 0; k < m->n_dims; k++) {
		weft_buf_puts(b, "  ");
		cell(b, m->dims[k].id, CELL, k + 1 < m->n_dims);
	}
	weft_buf_putc(b, '\n');
	for (size_t i = 0; i < p->n_units; i++) {
		cell(b, p->units[i].unit, uw, true);
		for (size_t k = 0; k < m->n_dims; k++) {
			weft_buf_puts(b, "  ");
			dim_cell(b, &p->units[i].result->dims[k]);
		}
		while (b->len && b->ptr[b->len - 1] == ' ')
			b->ptr[--b->len] = '\0';
		weft_buf_putc(b, '\n');
	}
}

/* Why each in-scope dimension without a level has none. */
static void text_not_rated(weft_buf *b, const weft_assess_portfolio *p)
{
	bool any = false;
	for (size_t i = 0; i < p->n_units; i++) {
		const weft_assess_result *r = p->units[i].result;
		for (size_t k = 0; k < r->n_dims; k++) {
			const weft_assess_dresult *dr = &r->dims[k];
			if (!dr->in_scope || dr->rated)
				continue;
			weft_buf_puts(b, any ? "" : "\nnot rated\n");
			any = true;
			weft_buf e = WEFT_BUF_INIT;
			weft_assess_explain(&e, r, dr);
			weft_buf_puts(b, "  ");
			cell(b, p->units[i].unit, UNIT_MAX, false);
			weft_buf_printf(b, " / %s: ", dr->dim->id);
			cell(b, e.ptr ? e.ptr : "", 200, false);
			weft_buf_putc(b, '\n');
			weft_buf_free(&e);
		}
	}
}

static void text_files(weft_buf *b, const weft_assess_portfolio *p, size_t uw)
{
	weft_buf_puts(b, "\nassessments used (latest date per unit; several files on it are rolled up)\n");
	for (size_t i = 0; i < p->n_units; i++) {
		const weft_assess_portfolio_unit *u = &p->units[i];
		weft_buf_puts(b, "  ");
		cell(b, u->unit, uw, true);
		for (size_t k = 0; k < u->n_files; k++) {
			weft_buf_puts(b, k ? ", " : "  ");
			cell(b, u->files[k], 200, false);
		}
		weft_buf_putc(b, '\n');
		for (size_t k = 0; k < u->n_older; k++) {
			weft_buf_printf(b, "  %*s  %s", (int)uw, "", k ? "                  " : "left out (older): ");
			cell(b, u->older[k], 200, false);
			weft_buf_putc(b, '\n');
		}
	}
	for (size_t i = 0; i < p->n_skipped; i++) {
		weft_buf_puts(b, i ? ", " : "  skipped, not answers files: ");
		cell(b, p->skipped[i].path, 200, false);
		weft_buf_puts(b, i + 1 == p->n_skipped ? "\n" : "");
	}
}

static void text_weakest(weft_buf *b, const weft_assess_portfolio *p)
{
	weft_buf_printf(b, "\nweakest dimensions (median score of the units where in scope; target %d)\n",
			p->target);
	for (size_t k = 0; k < p->n_dims; k++) {
		const weft_assess_portfolio_dim *pd = &p->dims[k];
		weft_buf_printf(b, "  %2zu. ", k + 1);
		cell(b, pd->dim->id, 12, true);
		weft_buf_puts(b, "  ");
		if (pd->n_scored)
			weft_buf_printf(b, "median %.2f", pd->median);
		else
			weft_buf_puts(b, "median -   ");
		weft_buf_printf(b, "  %zu/%zu in scope, %zu below target", pd->n_in_scope, p->n_units,
				pd->n_below);
		if (pd->n_not_rated)
			weft_buf_printf(b, ", %zu not rated", pd->n_not_rated);
		weft_buf_putc(b, '\n');
	}
}

static void text_gaps(weft_buf *b, const weft_assess_portfolio *p, const weft_assess_report_opts *o)
{
	size_t n = p->n_gaps < top_n(o) ? p->n_gaps : top_n(o);
	weft_buf_printf(b, "\ngaps most units share (answered below target %d; %zu of %zu questions)\n",
			p->target, n, p->n_gaps);
	if (!p->n_gaps)
		weft_buf_puts(b, "  none\n");
	for (size_t i = 0; i < n; i++) {
		const weft_assess_portfolio_gap *g = &p->gaps[i];
		weft_buf_puts(b, "  ");
		cell(b, g->q->id, 20, true);
		weft_buf_printf(b, "  %zu unit%s ", g->n_units, g->n_units == 1 ? ": " : "s:");
		for (size_t k = 0; k < g->n_units; k++) {
			weft_buf_puts(b, k ? ", " : "");
			cell(b, g->units[k], UNIT_MAX, false);
		}
		weft_buf_puts(b, "\n                          ");
		cell(b, g->q->text, 72, false);
		weft_buf_putc(b, '\n');
	}
}

int weft_assess_portfolio_text(weft_buf *out, const weft_assess_portfolio *p,
			       const weft_assess_report_opts *o)
{
	const weft_assess_model *m = p->model;
	size_t uw = unit_cols(p);
	weft_buf_printf(out, "portfolio: %zu unit%s, model %s %s\ntarget: level %d ", p->n_units,
			p->n_units == 1 ? "" : "s", m->id, m->version, p->target);
	cell(out, weft_assess_level_name(m, p->target), 40, false);
	weft_buf_printf(out, " for every unit (%s)\n\n", target_phrase(p));
	text_overall(out, p, uw);
	text_matrix(out, p, uw);
	text_not_rated(out, p);
	text_weakest(out, p);
	text_gaps(out, p, o);
	text_files(out, p, uw);
	return out->oom ? WEFT_ENOMEM : WEFT_OK;
}

/* ---- JSON ---- */

static cJSON *strs(assess_jguard *g, char *const *v, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; a && i < n; i++)
		assess_jpush(g, a, cJSON_CreateString(v[i]));
	return a;
}

static cJSON *json_unit(assess_jguard *g, const weft_assess_portfolio_unit *u)
{
	const weft_assess_result *r = u->result;
	cJSON *o = cJSON_CreateObject();
	assess_jadd(g, o, "unit", cJSON_CreateString(u->unit));
	assess_jadd(g, o, "date", assess_json_str_or_null(u->date));
	assess_jadd(g, o, "files", strs(g, u->files, u->n_files));
	assess_jadd(g, o, "older_files", strs(g, u->older, u->n_older));
	cJSON *resp = cJSON_CreateArray();
	for (size_t i = 0; resp && i < r->n_sources; i++)
		assess_jpush(g, resp, cJSON_CreateString(r->sources[i].respondent));
	assess_jadd(g, o, "respondents", resp);
	assess_jadd(g, o, "overall", assess_json_overall(g, r));
	cJSON *dims = cJSON_CreateArray();
	for (size_t k = 0; dims && k < r->n_dims; k++)
		assess_jpush(g, dims, assess_json_dimension(g, r, &r->dims[k]));
	assess_jadd(g, o, "dimensions", dims);
	return o;
}

static cJSON *json_weakest(assess_jguard *g, const weft_assess_portfolio *p)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t k = 0; a && k < p->n_dims; k++) {
		const weft_assess_portfolio_dim *pd = &p->dims[k];
		cJSON *o = cJSON_CreateObject();
		assess_jadd(g, o, "dimension", cJSON_CreateString(pd->dim->id));
		assess_jadd(g, o, "title", cJSON_CreateString(pd->dim->title));
		assess_jadd(g, o, "median_score", pd->n_scored ? cJSON_CreateNumber(assess_round4(pd->median))
							       : cJSON_CreateNull());
		assess_jadd(g, o, "units_in_scope", cJSON_CreateNumber((double)pd->n_in_scope));
		assess_jadd(g, o, "units_scored", cJSON_CreateNumber((double)pd->n_scored));
		assess_jadd(g, o, "below_target", cJSON_CreateNumber((double)pd->n_below));
		assess_jadd(g, o, "not_rated", cJSON_CreateNumber((double)pd->n_not_rated));
		assess_jpush(g, a, o);
	}
	return a;
}

static cJSON *json_gaps(assess_jguard *g, const weft_assess_portfolio *p)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; a && i < p->n_gaps; i++) {
		const weft_assess_portfolio_gap *gp = &p->gaps[i];
		cJSON *o = cJSON_CreateObject();
		assess_jadd(g, o, "question", cJSON_CreateString(gp->q->id));
		assess_jadd(g, o, "dimension", cJSON_CreateString(p->model->dims[gp->q->dim].id));
		assess_jadd(g, o, "text", cJSON_CreateString(gp->q->text));
		assess_jadd(g, o, "critical", cJSON_CreateBool(gp->q->critical));
		assess_jadd(g, o, "count", cJSON_CreateNumber((double)gp->n_units));
		cJSON *names = cJSON_CreateArray();
		for (size_t k = 0; names && k < gp->n_units; k++)
			assess_jpush(g, names, cJSON_CreateString(gp->units[k]));
		assess_jadd(g, o, "units", names);
		assess_jadd(g, o, "weighted_gap", cJSON_CreateNumber(assess_round4(gp->weighted_gap)));
		assess_jpush(g, a, o);
	}
	return a;
}

static const char *kind_name(weft_assess_file_kind k)
{
	return k == WEFT_ASSESS_FILE_MODEL ? "model" : k == WEFT_ASSESS_FILE_WEIGHTS ? "weights" : "other";
}

static cJSON *json_head(assess_jguard *g, const weft_assess_portfolio *p, const weft_assess_report_opts *o)
{
	const weft_assess_model *m = p->model;
	cJSON *root = cJSON_CreateObject();
	assess_jadd(g, root, "format", cJSON_CreateString("weft-assess-portfolio"));
	assess_jadd(g, root, "format_version", cJSON_CreateNumber(PORTFOLIO_FORMAT_VERSION));
	assess_jadd(g, root, "generator", assess_json_str_or_null(o ? o->generator : NULL));
	assess_jadd(g, root, "generated_at", assess_json_str_or_null(o ? o->generated_at : NULL));
	cJSON *mo = cJSON_CreateObject();
	assess_jadd(g, mo, "id", cJSON_CreateString(m->id));
	assess_jadd(g, mo, "version", cJSON_CreateString(m->version));
	assess_jadd(g, mo, "title", cJSON_CreateString(m->title));
	assess_jadd(g, mo, "sha256", cJSON_CreateString(m->sha256));
	assess_jadd(g, root, "model", mo);
	cJSON *t = cJSON_CreateObject();
	assess_jadd(g, t, "level", cJSON_CreateNumber(p->target));
	assess_jadd(g, t, "name", cJSON_CreateString(weft_assess_level_name(m, p->target)));
	assess_jadd(g, t, "from", cJSON_CreateString(p->target_explicit ? "option" : "lowest_overall"));
	assess_jadd(g, root, "target", t);
	return root;
}

int weft_assess_portfolio_json(weft_buf *out, const weft_assess_portfolio *p,
			       const weft_assess_report_opts *o)
{
	assess_jguard g = { false };
	cJSON *root = json_head(&g, p, o);
	cJSON *us = cJSON_CreateArray();
	for (size_t i = 0; us && i < p->n_units; i++)
		assess_jpush(&g, us, json_unit(&g, &p->units[i]));
	assess_jadd(&g, root, "units", us);
	assess_jadd(&g, root, "weakest_dimensions", json_weakest(&g, p));
	assess_jadd(&g, root, "shared_gaps", json_gaps(&g, p));
	cJSON *sk = cJSON_CreateArray();
	for (size_t i = 0; sk && i < p->n_skipped; i++) {
		cJSON *s = cJSON_CreateObject();
		assess_jadd(&g, s, "file", cJSON_CreateString(p->skipped[i].path));
		assess_jadd(&g, s, "kind", cJSON_CreateString(kind_name(p->skipped[i].kind)));
		assess_jpush(&g, sk, s);
	}
	assess_jadd(&g, root, "skipped", sk);
	return assess_json_emit(out, &g, root);
}

/* ---- Markdown ---- */


static void md_dim_cell(weft_buf *b, const weft_assess_dresult *dr)
{
	if (!dr->in_scope)
		weft_buf_puts(b, " out of scope |");
	else if (!dr->rated && dr->scored)
		weft_buf_printf(b, " not rated (%.2f, %d%%) |", dr->score, assess_pct(dr->coverage));
	else if (!dr->rated)
		weft_buf_printf(b, " not rated (%d%%) |", assess_pct(dr->coverage));
	else
		weft_buf_printf(b, " **L%d** %.2f · %d%% |", dr->level, dr->score, assess_pct(dr->coverage));
}

static void md_units(weft_buf *b, const weft_assess_portfolio *p)
{
	weft_buf_puts(b, "## Units\n\n| Unit | Date | Level | Score | Coverage | To target | Files used "
			 "| Older, left out |\n|---|---|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < p->n_units; i++) {
		const weft_assess_portfolio_unit *u = &p->units[i];
		const weft_assess_result *r = u->result;
		weft_buf_puts(b, "| ");
		assess_put_md_text(b, u->unit);
		weft_buf_printf(b, " | %s | ", u->date ? u->date : "-");
		if (r->rated)
			weft_buf_printf(b, "%d | ", r->level);
		else
			weft_buf_puts(b, "not rated | ");
		if (r->scored)
			weft_buf_printf(b, "%.2f | %d%% | %d%% |", r->score, assess_pct(r->coverage),
					assess_pct(r->percent_to_target));
		else
			weft_buf_printf(b, "- | %d%% | - |", assess_pct(r->coverage));
		for (size_t k = 0; k < u->n_files; k++) {
			weft_buf_puts(b, k ? "<br>" : " ");
			assess_put_md_text(b, u->files[k]);
		}
		weft_buf_puts(b, " |");
		for (size_t k = 0; k < u->n_older; k++) {
			weft_buf_puts(b, k ? "<br>" : " ");
			assess_put_md_text(b, u->older[k]);
		}
		weft_buf_puts(b, u->n_older ? " |\n" : " - |\n");
	}
}

static void md_matrix(weft_buf *b, const weft_assess_portfolio *p)
{
	const weft_assess_model *m = p->model;
	weft_buf_puts(b, "\n## By dimension\n\nLevel, score and coverage of each unit's dimensions.\n\n| Unit |");
	for (size_t k = 0; k < m->n_dims; k++) {
		weft_buf_putc(b, ' ');
		assess_put_md_text(b, m->dims[k].title);
		weft_buf_puts(b, " |");
	}
	weft_buf_puts(b, "\n|---|");
	for (size_t k = 0; k < m->n_dims; k++)
		weft_buf_puts(b, "---|");
	weft_buf_putc(b, '\n');
	for (size_t i = 0; i < p->n_units; i++) {
		weft_buf_puts(b, "| ");
		assess_put_md_text(b, p->units[i].unit);
		weft_buf_puts(b, " |");
		for (size_t k = 0; k < m->n_dims; k++)
			md_dim_cell(b, &p->units[i].result->dims[k]);
		weft_buf_putc(b, '\n');
	}
}

static void md_weakest(weft_buf *b, const weft_assess_portfolio *p)
{
	weft_buf_printf(b, "\n## Weakest dimensions\n\nMedian score of the units where the dimension is in "
			   "scope; units below target level %d.\n\n| # | Dimension | Median score | In scope "
			   "| Below target | Not rated |\n|---|---|---|---|---|---|\n",
			p->target);
	for (size_t k = 0; k < p->n_dims; k++) {
		const weft_assess_portfolio_dim *pd = &p->dims[k];
		weft_buf_printf(b, "| %zu | ", k + 1);
		assess_put_md_text(b, pd->dim->title);
		if (pd->n_scored)
			weft_buf_printf(b, " | %.2f", pd->median);
		else
			weft_buf_puts(b, " | -");
		weft_buf_printf(b, " | %zu of %zu | %zu | %zu |\n", pd->n_in_scope, p->n_units, pd->n_below,
				pd->n_not_rated);
	}
}

static void md_gaps(weft_buf *b, const weft_assess_portfolio *p, const weft_assess_report_opts *o)
{
	size_t n = p->n_gaps < top_n(o) ? p->n_gaps : top_n(o);
	weft_buf_printf(b, "\n## Gaps most units share\n\nQuestions answered below target level %d, in the "
			   "most units (%zu of %zu).\n\n",
			p->target, n, p->n_gaps);
	if (!n) {
		weft_buf_puts(b, "None.\n");
		return;
	}
	weft_buf_puts(b, "| Question | Units | Which |\n|---|---|---|\n");
	for (size_t i = 0; i < n; i++) {
		const weft_assess_portfolio_gap *g = &p->gaps[i];
		weft_buf_puts(b, "| `");
		assess_put_md_text(b, g->q->id);
		weft_buf_puts(b, "` ");
		assess_put_md_text(b, g->q->text);
		weft_buf_printf(b, " | %zu | ", g->n_units);
		for (size_t k = 0; k < g->n_units; k++) {
			weft_buf_puts(b, k ? ", " : "");
			assess_put_md_text(b, g->units[k]);
		}
		weft_buf_puts(b, " |\n");
	}
}

int weft_assess_portfolio_markdown(weft_buf *out, const weft_assess_portfolio *p,
				   const weft_assess_report_opts *o)
{
	const weft_assess_model *m = p->model;
	weft_buf_puts(out, "# Portfolio: ");
	assess_put_md_text(out, m->title);
	weft_buf_printf(out, "\n\n%zu units, model `", p->n_units);
	assess_put_md_text(out, m->id);
	weft_buf_puts(out, "` version ");
	assess_put_md_text(out, m->version);
	weft_buf_printf(out, ", target level %d (", p->target);
	assess_put_md_text(out, weft_assess_level_name(m, p->target));
	weft_buf_printf(out, ") for every unit, %s.\n\n", target_phrase(p));
	md_units(out, p);
	md_matrix(out, p);
	md_weakest(out, p);
	md_gaps(out, p, o);
	if (o && o->generator)
		weft_buf_printf(out, "\n_Generated by %s%s%s._\n", o->generator, o->generated_at ? " at " : "",
				o->generated_at ? o->generated_at : "");
	return out->oom ? WEFT_ENOMEM : WEFT_OK;
}

/* ---- HTML ---- */

static const char css[] =
	"*{box-sizing:border-box}\n"
	"body{margin:0;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;"
	"color:#1d2330;background:#f5f6f8}\n"
	"main{max-width:1180px;margin:0 auto;padding:24px 28px;background:#fff}\n"
	"h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 10px;border-bottom:1px solid #d9dde5;"
	"padding-bottom:4px}\n"
	".sub,.muted{color:#5b6474}.small{font-size:12px}\n"
	"table{border-collapse:collapse;width:100%;margin:6px 0 12px}\n"
	"th,td{border-bottom:1px solid #d9dde5;padding:6px 8px;text-align:left;vertical-align:top}\n"
	"th{font-size:12px;color:#5b6474;text-transform:uppercase;letter-spacing:.03em;background:#fafbfc}\n"
	"td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}th.n{text-align:right}\n"
	"table.heat{table-layout:fixed}table.heat th{vertical-align:bottom;text-transform:none;font-size:12px}\n"
	"table.heat th.u{width:170px}table.heat tbody th{vertical-align:middle;font-size:13px;color:#1d2330;"
	"background:#fff}table.heat td{border:2px solid #fff;padding:6px 4px;text-align:center}\n"
	"td.hm{color:#fff;vertical-align:middle;font-variant-numeric:tabular-nums;line-height:1.25}\n"
	"td.hm b{display:block;font-size:16px}td.hm span{font-size:11px;opacity:.92}\n"
	"td.hm.oos{color:#5b6474;background:repeating-linear-gradient(45deg,#eef0f4 0 6px,#e3e6ec 6px 12px)}\n"
	"td.hm.nr{font-style:italic}\n"
	"td.hm.all{border-left:6px solid #fff}\n"
	"code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f0f2f5;padding:1px 4px;"
	"border-radius:3px}\n"
	".legend{font-size:12px;color:#5b6474}.legend i{display:inline-block;width:14px;height:14px;"
	"vertical-align:middle;margin:0 4px 0 12px;border-radius:2px}\n"
	"ul.tight{margin:0;padding-left:18px}\n"
	"footer{margin-top:28px;color:#5b6474;font-size:12px}\n"
	"td.hm,.legend i{-webkit-print-color-adjust:exact;print-color-adjust:exact}\n"
	"@media print{@page{size:A4 landscape;margin:12mm}body,main{background:#fff}main{max-width:none;"
	"padding:0}h2{break-after:avoid}tr{break-inside:avoid}thead{display:table-header-group}}\n";

static void hx(weft_buf *b, const char *s)
{
	assess_html_text(b, s ? s : "");
}

/* One heat-map cell: coloured as the score report colours the level. */
static void heat_cell(weft_buf *b, const weft_assess_result *r, const weft_assess_dresult *dr, int target)
{
	bool overall = !dr;
	bool in_scope = overall || dr->in_scope;
	bool rated = overall ? r->rated : dr->rated, scored = overall ? r->scored : dr->scored;
	int level = overall ? r->level : dr->level;
	double score = overall ? r->score : dr->score, cov = overall ? r->coverage : dr->coverage;
	weft_buf_printf(b, "<td class=\"hm%s%s\"", !in_scope ? " oos" : !rated ? " nr" : "", overall ? " all" : "");
	if (overall)
		weft_buf_puts(b, " data-overall");
	else
		weft_buf_printf(b, " data-dim=\"%s\"", dr->dim->id);
	if (in_scope)
		weft_buf_printf(b, " style=\"background:%s\"", assess_html_level_colour(rated, level, target));
	weft_buf_puts(b, " title=\"");
	weft_buf e = WEFT_BUF_INIT;
	weft_assess_explain(&e, r, dr);
	hx(b, e.ptr ? e.ptr : "");
	if (e.oom)
		b->oom = true;
	weft_buf_free(&e);
	weft_buf_puts(b, "\">");
	if (!in_scope)
		weft_buf_puts(b, "out of scope");
	else if (!rated)
		weft_buf_puts(b, "<b>not rated</b>");
	else
		weft_buf_printf(b, "<b>L%d</b>", level);
	if (in_scope && scored)
		weft_buf_printf(b, "<span>%.2f · %d%%</span>", score, assess_pct(cov));
	else if (in_scope)
		weft_buf_printf(b, "<span>%d%%</span>", assess_pct(cov));
	weft_buf_puts(b, "</td>");
}

static void html_heat(weft_buf *b, const weft_assess_portfolio *p)
{
	const weft_assess_model *m = p->model;
	weft_buf_puts(b, "<h2 id=\"heat\">Units by dimension</h2>\n<table class=\"heat\"><thead><tr>"
			 "<th class=\"u\">Unit</th>");
	for (size_t k = 0; k < m->n_dims; k++) {
		weft_buf_puts(b, "<th>");
		hx(b, m->dims[k].title);
		weft_buf_puts(b, "</th>");
	}
	weft_buf_puts(b, "<th>Overall</th></tr></thead><tbody>\n");
	for (size_t i = 0; i < p->n_units; i++) {
		const weft_assess_result *r = p->units[i].result;
		weft_buf_puts(b, "<tr><th class=\"u\" scope=\"row\">");
		hx(b, p->units[i].unit);
		weft_buf_puts(b, "</th>");
		for (size_t k = 0; k < r->n_dims; k++)
			heat_cell(b, r, &r->dims[k], p->target);
		heat_cell(b, r, NULL, p->target);
		weft_buf_puts(b, "</tr>\n");
	}
	weft_buf_printf(b, "</tbody></table>\n<p class=\"legend\">Level, score · coverage; target level %d."
			   "<i style=\"background:%s\"></i>at target<i style=\"background:%s\"></i>one below"
			   "<i style=\"background:%s\"></i>further<i style=\"background:%s\"></i>not rated</p>\n",
			p->target, assess_html_level_colour(true, p->target, p->target),
			assess_html_level_colour(true, p->target - 1, p->target),
			assess_html_level_colour(true, p->target - 2, p->target),
			assess_html_level_colour(false, 0, p->target));
}

static void html_units(weft_buf *b, const weft_assess_portfolio *p)
{
	weft_buf_puts(b, "<h2 id=\"units\">Assessments used</h2>\n<p class=\"muted small\">Each unit's latest "
			 "date; several files on it are rolled up as <code>weft assess score</code> rolls them "
			 "up.</p>\n<table><thead><tr><th>Unit</th><th>Date</th><th>Files used</th>"
			 "<th>Older, left out</th><th class=\"n\">Score</th><th class=\"n\">To target</th></tr></thead><tbody>\n");
	for (size_t i = 0; i < p->n_units; i++) {
		const weft_assess_portfolio_unit *u = &p->units[i];
		weft_buf_puts(b, "<tr><td><b>");
		hx(b, u->unit);
		weft_buf_puts(b, "</b></td><td>");
		hx(b, u->date ? u->date : "-");
		weft_buf_puts(b, "</td><td>");
		for (size_t k = 0; k < u->n_files; k++) {
			weft_buf_puts(b, k ? "<br><code>" : "<code>");
			hx(b, u->files[k]);
			weft_buf_puts(b, "</code>");
		}
		weft_buf_puts(b, "</td><td>");
		for (size_t k = 0; k < u->n_older; k++) {
			weft_buf_puts(b, k ? "<br><code>" : "<code>");
			hx(b, u->older[k]);
			weft_buf_puts(b, "</code>");
		}
		weft_buf_puts(b, u->n_older ? "</td>" : "<span class=\"muted\">none</span></td>");
		if (u->result->scored)
			weft_buf_printf(b, "<td class=\"n\">%.2f</td><td class=\"n\">%d%%</td></tr>\n",
					u->result->score, assess_pct(u->result->percent_to_target));
		else
			weft_buf_puts(b, "<td class=\"n\">-</td><td class=\"n\">-</td></tr>\n");
	}
	weft_buf_puts(b, "</tbody></table>\n");
}

static void html_weakest(weft_buf *b, const weft_assess_portfolio *p)
{
	weft_buf_printf(b, "<h2 id=\"weakest\">Weakest dimensions</h2>\n<p class=\"muted small\">Median score "
			   "of the units where the dimension is in scope.</p>\n<table><thead><tr><th class=\"n\">#</th>"
			   "<th>Dimension</th><th class=\"n\">Median score</th><th class=\"n\">In scope</th>"
			   "<th class=\"n\">Below target %d</th><th class=\"n\">Not rated</th></tr></thead><tbody>\n",
			p->target);
	for (size_t k = 0; k < p->n_dims; k++) {
		const weft_assess_portfolio_dim *pd = &p->dims[k];
		weft_buf_printf(b, "<tr><td class=\"n\">%zu</td><td>", k + 1);
		hx(b, pd->dim->title);
		if (pd->n_scored)
			weft_buf_printf(b, "</td><td class=\"n\">%.2f</td>", pd->median);
		else
			weft_buf_puts(b, "</td><td class=\"n\">-</td>");
		weft_buf_printf(b, "<td class=\"n\">%zu of %zu</td><td class=\"n\">%zu</td><td class=\"n\">%zu"
				   "</td></tr>\n",
				pd->n_in_scope, p->n_units, pd->n_below, pd->n_not_rated);
	}
	weft_buf_puts(b, "</tbody></table>\n");
}

static void html_gaps(weft_buf *b, const weft_assess_portfolio *p, const weft_assess_report_opts *o)
{
	size_t n = p->n_gaps < top_n(o) ? p->n_gaps : top_n(o);
	weft_buf_printf(b, "<h2 id=\"gaps\">Gaps most units share</h2>\n<p class=\"muted small\">Questions "
			   "answered below target level %d in the most units (%zu of %zu).</p>\n",
			p->target, n, p->n_gaps);
	if (!n)
		return;
	weft_buf_puts(b, "<table><thead><tr><th>Question</th><th class=\"n\">Units</th><th>Which</th></tr></thead><tbody>\n");
	for (size_t i = 0; i < n; i++) {
		const weft_assess_portfolio_gap *g = &p->gaps[i];
		weft_buf_puts(b, "<tr><td><code>");
		hx(b, g->q->id);
		weft_buf_puts(b, "</code> ");
		hx(b, g->q->text);
		weft_buf_printf(b, "</td><td class=\"n\">%zu</td><td>", g->n_units);
		for (size_t k = 0; k < g->n_units; k++) {
			weft_buf_puts(b, k ? ", " : "");
			hx(b, g->units[k]);
		}
		weft_buf_puts(b, "</td></tr>\n");
	}
	weft_buf_puts(b, "</tbody></table>\n");
}

static void html_head(weft_buf *b, const weft_assess_portfolio *p, const weft_assess_report_opts *o)
{
	const weft_assess_model *m = p->model;
	weft_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
			 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
	if (o && o->generator) {
		weft_buf_puts(b, "<meta name=\"generator\" content=\"");
		hx(b, o->generator);
		weft_buf_puts(b, "\">\n");
	}
	weft_buf_puts(b, "<title>Portfolio: ");
	hx(b, m->title);
	weft_buf_printf(b, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n<header>\n<h1>Portfolio: ", css);
	hx(b, m->title);
	weft_buf_printf(b, "</h1>\n<p class=\"sub\">%zu units · model <code>", p->n_units);
	hx(b, m->id);
	weft_buf_puts(b, "</code> version ");
	hx(b, m->version);
	weft_buf_printf(b, " · target level %d (", p->target);
	hx(b, weft_assess_level_name(m, p->target));
	weft_buf_printf(b, ") for every unit, %s</p>\n</header>\n", target_phrase(p));
}

int weft_assess_portfolio_html(weft_buf *out, const weft_assess_portfolio *p,
			       const weft_assess_report_opts *o)
{
	const weft_assess_model *m = p->model;
	html_head(out, p, o);
	html_heat(out, p);
	html_weakest(out, p);
	html_gaps(out, p, o);
	html_units(out, p);
	weft_buf_puts(out, "<footer>Levels: ");
	for (int L = 1; L <= WEFT_ASSESS_LEVELS; L++) {
		weft_buf_printf(out, "%s%d ", L > 1 ? " · " : "", L);
		hx(out, m->levels[L - 1].name);
	}
	weft_buf_puts(out, ". Scoring rules: docs/scoring.md.");
	if (o && o->generator) {
		weft_buf_puts(out, " Generated by ");
		hx(out, o->generator);
		if (o->generated_at) {
			weft_buf_puts(out, " at ");
			hx(out, o->generated_at);
		}
		weft_buf_puts(out, ".");
	}
	weft_buf_puts(out, "</footer>\n</main>\n</body>\n</html>\n");
	return out->oom ? WEFT_ENOMEM : WEFT_OK;
}
