/* diff.c - what moved between two assessments: overall, per dimension and
 * per question, up or down.
 *
 * Design choice: the diff compares two finished results (each scored the
 * usual way) rather than raw answers, so "what moved" uses exactly the
 * numbers the reports show. Questions and dimensions are matched by id, so
 * two results of different versions of a model still diff (ids only in one
 * side are reported as added or removed).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "assess_int.h"

/* Find the result of the dimension or question with this id in r. */
static const weft_assess_dresult *find_dim(const weft_assess_result *r, const char *id)
{
	const weft_assess_dimension *d = weft_assess_model_dimension(r->model, id);
	return d ? &r->dims[d->index] : NULL;
}

static const weft_assess_qresult *find_q(const weft_assess_result *r, const char *id)
{
	const weft_assess_question *q = weft_assess_model_question(r->model, id);
	if (!q)
		return NULL;
	const weft_assess_dresult *dr = &r->dims[q->dim];
	size_t j = (size_t)(q - r->model->dims[q->dim].questions);
	return j < dr->n_questions ? &dr->questions[j] : NULL;
}

typedef enum { CH_SAME, CH_UP, CH_DOWN, CH_ADDED, CH_REMOVED, CH_CHANGED } change;
static const char *const change_names[] = { "same", "up", "down", "added", "removed", "changed" };

static change q_change(const weft_assess_qresult *o, const weft_assess_qresult *n)
{
	weft_assess_status os = o ? o->status : WEFT_ASSESS_UNANSWERED;
	weft_assess_status ns = n ? n->status : WEFT_ASSESS_UNANSWERED;
	if (os == WEFT_ASSESS_ANSWERED && ns == WEFT_ASSESS_ANSWERED)
		return n->level > o->level ? CH_UP : n->level < o->level ? CH_DOWN : CH_SAME;
	if (ns == WEFT_ASSESS_ANSWERED)
		return CH_ADDED;
	if (os == WEFT_ASSESS_ANSWERED)
		return CH_REMOVED;
	return os == ns && (o || !n) && (n || !o) ? CH_SAME : CH_CHANGED;
}

static change d_change(const weft_assess_dresult *o, const weft_assess_dresult *n)
{
	bool oa = o && o->assessed, na = n && n->assessed;
	if (oa && na) {
		if (n->level != o->level)
			return n->level > o->level ? CH_UP : CH_DOWN;
		if (fabs(n->score - o->score) > 1e-9)
			return n->score > o->score ? CH_UP : CH_DOWN;
		return CH_SAME;
	}
	if (na)
		return CH_ADDED;
	if (oa)
		return CH_REMOVED;
	return CH_SAME;
}

static void put_answer(weft_buf *b, const weft_assess_qresult *q)
{
	if (!q)
		weft_buf_puts(b, "(none)");
	else if (q->status == WEFT_ASSESS_ANSWERED)
		weft_buf_printf(b, "%d", q->level);
	else
		weft_buf_puts(b, q->status == WEFT_ASSESS_NA ? "na" : "-");
}

static void put_side(weft_buf *b, const weft_assess_result *r)
{
	char *u = assess_printable(r->unit ? r->unit : "(no answers)", false);
	weft_buf_puts(b, u ? u : "");
	free(u);
	for (size_t i = 0; i < r->n_sources; i++) {
		char *s = assess_printable(r->sources[i].respondent, false);
		weft_buf_printf(b, "%s%s%s%s%s", i ? ", " : " (", s ? s : "", r->sources[i].date ? " " : "",
				r->sources[i].date ? r->sources[i].date : "", i + 1 == r->n_sources ? ")" : "");
		free(s);
	}
}

static const char *col(bool colour, change c)
{
	switch (c) {
	case CH_UP:
	case CH_ADDED: return weft_term_sgr(colour, WEFT_SGR_GREEN);
	case CH_DOWN:
	case CH_REMOVED: return weft_term_sgr(colour, WEFT_SGR_RED);
	default: return weft_term_sgr(colour, WEFT_SGR_DIM);
	}
}

static void level_move(weft_buf *b, bool oa, int ol, bool na, int nl)
{
	char s[48];
	if (oa && na && nl != ol)
		snprintf(s, sizeof s, "%d -> %d (%+d)", ol, nl, nl - ol);
	else if (oa && na)
		snprintf(s, sizeof s, "%d -> %d", ol, nl);
	else if (na)
		snprintf(s, sizeof s, "- -> %d", nl);
	else if (oa)
		snprintf(s, sizeof s, "%d -> -", ol);
	else
		snprintf(s, sizeof s, "- -> -");
	weft_buf_printf(b, "%-13s", s);
}

static void score_move(weft_buf *b, bool oa, double os, bool na, double ns)
{
	if (oa && na)
		weft_buf_printf(b, "%.2f -> %.2f (%+.2f)", os, ns, ns - os);
	else if (na)
		weft_buf_printf(b, "- -> %.2f", ns);
	else if (oa)
		weft_buf_printf(b, "%.2f -> -", os);
	else
		weft_buf_puts(b, "- -> -");
}

int weft_assess_diff_text(weft_buf *b, const weft_assess_result *o, const weft_assess_result *n,
			  bool colour)
{
	const char *bold = weft_term_sgr(colour, WEFT_SGR_BOLD), *reset = weft_term_sgr(colour, WEFT_SGR_RESET);
	weft_buf_printf(b, "%sOld:%s ", bold, reset);
	put_side(b, o);
	weft_buf_printf(b, "\n%sNew:%s ", bold, reset);
	put_side(b, n);
	weft_buf_printf(b, "\n\n%-30s  %-13s  %s\n", "", "Level", "Score");
	weft_buf_printf(b, "%s%-30s%s  ", bold, "Overall", reset);
	level_move(b, o->assessed, o->level, n->assessed, n->level);
	weft_buf_puts(b, "  ");
	score_move(b, o->assessed, o->score, n->assessed, n->score);
	weft_buf_printf(b, "\n%-30s  coverage %d%% -> %d%%\n\n", "", assess_pct(o->coverage),
			assess_pct(n->coverage));

	weft_buf_printf(b, "%sDimension%s\n", bold, reset);
	for (size_t i = 0; i < n->n_dims; i++) {
		const weft_assess_dresult *nd = &n->dims[i], *od = find_dim(o, nd->dim->id);
		change c = d_change(od, nd);
		char *t = assess_printable(nd->dim->title, false);
		weft_buf_puts(b, col(colour, c));
		assess_put_cols(b, t ? t : "", 30, true);
		free(t);
		weft_buf_puts(b, "  ");
		level_move(b, od && od->assessed, od ? od->level : 0, nd->assessed, nd->level);
		weft_buf_puts(b, "  ");
		score_move(b, od && od->assessed, od ? od->score : 0, nd->assessed, nd->score);
		weft_buf_printf(b, "%s\n", reset);
	}
	for (size_t i = 0; i < o->n_dims; i++)
		if (!find_dim(n, o->dims[i].dim->id))
			weft_buf_printf(b, "%-30s  (only in the old model)\n", o->dims[i].dim->id);

	size_t counts[6] = { 0 };
	weft_buf rows = WEFT_BUF_INIT;
	for (size_t i = 0; i < n->n_dims; i++) {
		for (size_t j = 0; j < n->dims[i].n_questions; j++) {
			const weft_assess_qresult *nq = &n->dims[i].questions[j], *oq = find_q(o, nq->q->id);
			change c = q_change(oq, nq);
			counts[c]++;
			if (c == CH_SAME)
				continue;
			weft_buf_puts(&rows, col(colour, c));
			weft_buf_puts(&rows, "  ");
			assess_put_cols(&rows, nq->q->id, 28, true);
			weft_buf_puts(&rows, "  ");
			char *t = assess_printable(n->dims[i].dim->title, false);
			assess_put_cols(&rows, t ? t : "", 26, true);
			free(t);
			weft_buf_puts(&rows, "  ");
			put_answer(&rows, oq);
			weft_buf_puts(&rows, " -> ");
			put_answer(&rows, nq);
			if (c == CH_UP || c == CH_DOWN)
				weft_buf_printf(&rows, "  %s %d", change_names[c], abs(nq->level - oq->level));
			else if (c != CH_SAME)
				weft_buf_printf(&rows, "  %s", change_names[c]);
			weft_buf_printf(&rows, "%s\n", reset);
		}
	}
	size_t only_old = 0;
	for (size_t i = 0; i < o->model->n_questions; i++)
		if (!weft_assess_model_question(n->model, o->model->questions[i]->id))
			only_old++;
	weft_buf_printf(b, "\n%sQuestions%s: %zu up, %zu down, %zu newly answered, %zu no longer answered, "
			   "%zu otherwise changed, %zu the same",
			bold, reset, counts[CH_UP], counts[CH_DOWN], counts[CH_ADDED], counts[CH_REMOVED],
			counts[CH_CHANGED], counts[CH_SAME]);
	if (only_old)
		weft_buf_printf(b, ", %zu only in the old model", only_old);
	weft_buf_puts(b, "\n");
	if (rows.len)
		weft_buf_put(b, rows.ptr, rows.len);
	if (rows.oom)
		b->oom = true;
	weft_buf_free(&rows);
	return b->oom ? WEFT_ENOMEM : WEFT_OK;
}

/* ---- JSON ---- */


static cJSON *num(bool have, double v)
{
	return have ? cJSON_CreateNumber(assess_round4(v)) : cJSON_CreateNull();
}

static cJSON *side(assess_jguard *g, const weft_assess_result *r)
{
	cJSON *o = cJSON_CreateObject();
	assess_jadd(g, o, "unit", r->unit ? cJSON_CreateString(r->unit) : cJSON_CreateNull());
	cJSON *src = cJSON_CreateArray();
	for (size_t i = 0; src && i < r->n_sources; i++) {
		cJSON *s = cJSON_CreateObject();
		assess_jadd(g, s, "file", cJSON_CreateString(r->sources[i].path ? r->sources[i].path : ""));
		assess_jadd(g, s, "respondent", cJSON_CreateString(r->sources[i].respondent));
		assess_jadd(g, s, "date", r->sources[i].date ? cJSON_CreateString(r->sources[i].date) : cJSON_CreateNull());
		assess_jpush(g, src, s);
	}
	assess_jadd(g, o, "sources", src);
	assess_jadd(g, o, "model_version", cJSON_CreateString(r->model->version));
	assess_jadd(g, o, "assessed", cJSON_CreateBool(r->assessed));
	assess_jadd(g, o, "level", num(r->assessed, r->level));
	assess_jadd(g, o, "score", num(r->assessed, r->score));
	assess_jadd(g, o, "coverage", num(true, r->coverage));
	return o;
}

static cJSON *dim_side(assess_jguard *g, const weft_assess_dresult *d)
{
	if (!d)
		return cJSON_CreateNull();
	cJSON *o = cJSON_CreateObject();
	assess_jadd(g, o, "assessed", cJSON_CreateBool(d->assessed));
	assess_jadd(g, o, "level", num(d->assessed, d->level));
	assess_jadd(g, o, "score", num(d->assessed, d->score));
	assess_jadd(g, o, "coverage", num(true, d->coverage));
	return o;
}

static cJSON *q_side(assess_jguard *g, const weft_assess_qresult *q)
{
	if (!q)
		return cJSON_CreateNull();
	static const char *const st[] = { "unanswered", "answered", "na" };
	cJSON *o = cJSON_CreateObject();
	assess_jadd(g, o, "status", cJSON_CreateString(st[q->status]));
	assess_jadd(g, o, "level", num(q->status == WEFT_ASSESS_ANSWERED, q->level));
	return o;
}

int weft_assess_diff_json(weft_buf *b, const weft_assess_result *o, const weft_assess_result *n)
{
	assess_jguard g = { false };
	cJSON *root = cJSON_CreateObject();
	assess_jadd(&g, root, "format", cJSON_CreateString("weft-assess-diff"));
	assess_jadd(&g, root, "format_version", cJSON_CreateNumber(1));
	cJSON *mo = cJSON_CreateObject();
	assess_jadd(&g, mo, "id", cJSON_CreateString(n->model->id));
	assess_jadd(&g, mo, "version", cJSON_CreateString(n->model->version));
	assess_jadd(&g, root, "model", mo);
	assess_jadd(&g, root, "old", side(&g, o));
	assess_jadd(&g, root, "new", side(&g, n));
	cJSON *ov = cJSON_CreateObject();
	bool both = o->assessed && n->assessed;
	assess_jadd(&g, ov, "level_delta", num(both, n->level - o->level));
	assess_jadd(&g, ov, "score_delta", num(both, n->score - o->score));
	assess_jadd(&g, ov, "coverage_delta", num(true, n->coverage - o->coverage));
	assess_jadd(&g, root, "overall", ov);

	cJSON *dims = cJSON_CreateArray();
	for (size_t i = 0; dims && i < n->n_dims; i++) {
		const weft_assess_dresult *nd = &n->dims[i], *od = find_dim(o, nd->dim->id);
		bool b2 = od && od->assessed && nd->assessed;
		cJSON *d = cJSON_CreateObject();
		assess_jadd(&g, d, "id", cJSON_CreateString(nd->dim->id));
		assess_jadd(&g, d, "title", cJSON_CreateString(nd->dim->title));
		assess_jadd(&g, d, "old", dim_side(&g, od));
		assess_jadd(&g, d, "new", dim_side(&g, nd));
		assess_jadd(&g, d, "level_delta", num(b2, b2 ? nd->level - od->level : 0));
		assess_jadd(&g, d, "score_delta", num(b2, b2 ? nd->score - od->score : 0));
		assess_jadd(&g, d, "change", cJSON_CreateString(change_names[d_change(od, nd)]));
		assess_jpush(&g, dims, d);
	}
	assess_jadd(&g, root, "dimensions", dims);

	cJSON *qs = cJSON_CreateArray();
	for (size_t i = 0; qs && i < n->n_dims; i++) {
		for (size_t j = 0; j < n->dims[i].n_questions; j++) {
			const weft_assess_qresult *nq = &n->dims[i].questions[j], *oq = find_q(o, nq->q->id);
			bool b2 = oq && oq->status == WEFT_ASSESS_ANSWERED && nq->status == WEFT_ASSESS_ANSWERED;
			cJSON *q = cJSON_CreateObject();
			assess_jadd(&g, q, "id", cJSON_CreateString(nq->q->id));
			assess_jadd(&g, q, "dimension", cJSON_CreateString(n->dims[i].dim->id));
			assess_jadd(&g, q, "old", q_side(&g, oq));
			assess_jadd(&g, q, "new", q_side(&g, nq));
			assess_jadd(&g, q, "delta", num(b2, b2 ? nq->level - oq->level : 0));
			assess_jadd(&g, q, "change", cJSON_CreateString(change_names[q_change(oq, nq)]));
			assess_jpush(&g, qs, q);
		}
	}
	assess_jadd(&g, root, "questions", qs);
	char *s = (!g.oom && root) ? cJSON_Print(root) : NULL;
	cJSON_Delete(root);
	if (!s)
		return WEFT_ENOMEM;
	weft_buf_puts(b, s);
	weft_buf_putc(b, '\n');
	cJSON_free(s);
	return b->oom ? WEFT_ENOMEM : WEFT_OK;
}
