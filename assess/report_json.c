/* report_json.c - the machine-readable report (schema:
 * docs/schemas/assess-report.schema.json).
 *
 * Design choice: field names are the stable contract; every field is
 * always present (null where a value does not apply, never omitted), and
 * fractional numbers are rounded to 4 decimals so output is byte-stable
 * across platforms and diffs of two reports show real changes only.
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "assess_int.h"

#define FORMAT_VERSION 1

static cJSON *str_or_null(const char *s)
{
	return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static cJSON *num(double v)
{
	return cJSON_CreateNumber(assess_round4(v));
}

static cJSON *num_if(bool have, double v)
{
	return have ? num(v) : cJSON_CreateNull();
}

static cJSON *int_if(bool have, int v)
{
	return have ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

static const char *status_name(weft_assess_status s)
{
	switch (s) {
	case WEFT_ASSESS_ANSWERED: return "answered";
	case WEFT_ASSESS_NA: return "na";
	case WEFT_ASSESS_UNANSWERED: break;
	}
	return "unanswered";
}

/* cJSON_Add*ToObject return NULL on failure; collect that in one flag. */
typedef struct {
	bool oom;
} guard;

static void add(guard *g, cJSON *obj, const char *key, cJSON *val)
{
	if (!val || !obj || !cJSON_AddItemToObject(obj, key, val)) {
		cJSON_Delete(val);
		g->oom = true;
	}
}

static void push(guard *g, cJSON *arr, cJSON *val)
{
	if (!val || !arr || !cJSON_AddItemToArray(arr, val)) {
		cJSON_Delete(val);
		g->oom = true;
	}
}

static cJSON *votes(guard *g, const weft_assess_qresult *qr, bool details)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t k = 0; arr && k < qr->n_votes; k++) {
		const weft_assess_vote *v = &qr->votes[k];
		cJSON *o = cJSON_CreateObject();
		add(g, o, "respondent", cJSON_CreateString(v->respondent));
		add(g, o, "status", cJSON_CreateString(status_name(v->status)));
		add(g, o, "level", int_if(v->status == WEFT_ASSESS_ANSWERED, v->level));
		if (details) {
			add(g, o, "reason", str_or_null(v->reason));
			add(g, o, "note", str_or_null(v->note));
		}
		push(g, arr, o);
	}
	return arr;
}

static cJSON *question(guard *g, const weft_assess_qresult *qr)
{
	bool ans = qr->status == WEFT_ASSESS_ANSWERED;
	cJSON *o = cJSON_CreateObject();
	add(g, o, "id", cJSON_CreateString(qr->q->id));
	add(g, o, "text", cJSON_CreateString(qr->q->text));
	add(g, o, "weight", num(qr->weight));
	add(g, o, "critical", cJSON_CreateBool(qr->q->critical));
	add(g, o, "allow_na", cJSON_CreateBool(qr->q->allow_na));
	add(g, o, "status", cJSON_CreateString(status_name(qr->status)));
	add(g, o, "level", int_if(ans, qr->level));
	add(g, o, "option", str_or_null(qr->option));
	add(g, o, "improve", str_or_null(qr->improve));
	add(g, o, "gap", int_if(ans, qr->gap));
	add(g, o, "weighted_gap", num_if(ans, qr->weighted_gap));
	add(g, o, "points", num_if(ans, qr->points));
	add(g, o, "critical_cap", cJSON_CreateBool(qr->critical_cap));
	add(g, o, "reason", str_or_null(qr->reason));
	add(g, o, "note", str_or_null(qr->note));
	cJSON *ev = cJSON_CreateArray();
	for (size_t k = 0; ev && k < qr->n_evidence; k++)
		push(g, ev, cJSON_CreateString(qr->evidence[k]));
	add(g, o, "evidence", ev);
	add(g, o, "disagreement", cJSON_CreateBool(qr->disagreement));
	add(g, o, "answers", votes(g, qr, true));
	return o;
}

static cJSON *dimension(guard *g, const weft_assess_result *r, const weft_assess_dresult *dr)
{
	bool a = dr->assessed;
	cJSON *o = cJSON_CreateObject();
	add(g, o, "id", cJSON_CreateString(dr->dim->id));
	add(g, o, "title", cJSON_CreateString(dr->dim->title));
	add(g, o, "weight", num(dr->weight));
	add(g, o, "assessed", cJSON_CreateBool(a));
	add(g, o, "score", num_if(a, dr->score));
	add(g, o, "level", int_if(a, dr->level));
	add(g, o, "level_name", cJSON_CreateString(weft_assess_level_name(r->model, a ? dr->level : 0)));
	add(g, o, "score_level", int_if(a, dr->score_level));
	add(g, o, "capped_by", str_or_null(dr->capped_by));
	add(g, o, "coverage", num(dr->coverage));
	add(g, o, "answered_weight", num(dr->answered_weight));
	add(g, o, "total_weight", num(dr->total_weight));
	add(g, o, "answered", cJSON_CreateNumber((double)dr->n_answered));
	add(g, o, "na", cJSON_CreateNumber((double)dr->n_na));
	add(g, o, "unanswered", cJSON_CreateNumber((double)dr->n_unanswered));
	add(g, o, "percent_to_target", num_if(a, dr->percent_to_target));
	cJSON *gl = cJSON_CreateArray();
	for (size_t k = 0; gl && k < dr->n_gaps; k++)
		push(g, gl, cJSON_CreateString(dr->questions[dr->gaps[k]].q->id));
	add(g, o, "gaps", gl);
	cJSON *qs = cJSON_CreateArray();
	for (size_t k = 0; qs && k < dr->n_questions; k++)
		push(g, qs, question(g, &dr->questions[k]));
	add(g, o, "questions", qs);
	return o;
}

static cJSON *build(guard *g, const weft_assess_result *r, const weft_assess_report_opts *opts)
{
	const weft_assess_model *m = r->model;
	cJSON *root = cJSON_CreateObject();
	add(g, root, "format", cJSON_CreateString("weft-assess-report"));
	add(g, root, "format_version", cJSON_CreateNumber(FORMAT_VERSION));
	add(g, root, "generator", str_or_null(opts ? opts->generator : NULL));

	cJSON *mo = cJSON_CreateObject();
	add(g, mo, "id", cJSON_CreateString(m->id));
	add(g, mo, "version", cJSON_CreateString(m->version));
	add(g, mo, "title", cJSON_CreateString(m->title));
	add(g, mo, "path", str_or_null(m->path));
	add(g, root, "model", mo);
	add(g, root, "unit", str_or_null(r->unit));

	cJSON *src = cJSON_CreateArray();
	for (size_t i = 0; src && i < r->n_sources; i++) {
		cJSON *o = cJSON_CreateObject();
		add(g, o, "file", str_or_null(r->sources[i].path));
		add(g, o, "respondent", cJSON_CreateString(r->sources[i].respondent));
		add(g, o, "date", str_or_null(r->sources[i].date));
		push(g, src, o);
	}
	add(g, root, "sources", src);

	cJSON *lv = cJSON_CreateArray();
	for (int L = 1; lv && L <= WEFT_ASSESS_LEVELS; L++) {
		cJSON *o = cJSON_CreateObject();
		add(g, o, "level", cJSON_CreateNumber(L));
		add(g, o, "name", cJSON_CreateString(m->levels[L - 1].name));
		add(g, o, "description", cJSON_CreateString(m->levels[L - 1].description));
		push(g, lv, o);
	}
	add(g, root, "levels", lv);

	cJSON *t = cJSON_CreateObject();
	add(g, t, "level", cJSON_CreateNumber(r->target));
	add(g, t, "name", cJSON_CreateString(weft_assess_level_name(m, r->target)));
	add(g, t, "explicit", cJSON_CreateBool(r->target_explicit));
	add(g, root, "target", t);

	bool a = r->assessed;
	cJSON *ov = cJSON_CreateObject();
	add(g, ov, "assessed", cJSON_CreateBool(a));
	add(g, ov, "level", int_if(a, r->level));
	add(g, ov, "level_name", cJSON_CreateString(weft_assess_level_name(m, a ? r->level : 0)));
	add(g, ov, "score", num_if(a, r->score));
	add(g, ov, "coverage", num(r->coverage));
	add(g, ov, "percent_to_target", num_if(a, r->percent_to_target));
	cJSON *held = cJSON_CreateArray();
	for (size_t i = 0; held && i < r->n_dims; i++)
		if (a && r->dims[i].assessed && r->dims[i].level == r->level)
			push(g, held, cJSON_CreateString(r->dims[i].dim->id));
	add(g, ov, "held_by", held);
	add(g, root, "overall", ov);

	cJSON *dims = cJSON_CreateArray();
	for (size_t i = 0; dims && i < r->n_dims; i++)
		push(g, dims, dimension(g, r, &r->dims[i]));
	add(g, root, "dimensions", dims);

	cJSON *gaps = cJSON_CreateArray();
	for (size_t i = 0; gaps && i < r->n_gaps; i++) {
		const weft_assess_qresult *qr = r->gaps[i].q;
		cJSON *o = cJSON_CreateObject();
		add(g, o, "question", cJSON_CreateString(qr->q->id));
		add(g, o, "dimension", cJSON_CreateString(r->gaps[i].d->dim->id));
		add(g, o, "level", cJSON_CreateNumber(qr->level));
		add(g, o, "target", cJSON_CreateNumber(r->target));
		add(g, o, "gap", cJSON_CreateNumber(qr->gap));
		add(g, o, "weight", num(qr->weight));
		add(g, o, "weighted_gap", num(qr->weighted_gap));
		add(g, o, "points", num(qr->points));
		add(g, o, "critical", cJSON_CreateBool(qr->q->critical));
		add(g, o, "improve", str_or_null(qr->improve));
		push(g, gaps, o);
	}
	add(g, root, "gaps", gaps);

	cJSON *dis = cJSON_CreateArray();
	for (size_t i = 0; dis && i < r->n_disagreements; i++) {
		const weft_assess_qresult *qr = r->disagreements[i];
		int lo = WEFT_ASSESS_LEVELS, hi = 1;
		for (size_t k = 0; k < qr->n_votes; k++)
			if (qr->votes[k].status == WEFT_ASSESS_ANSWERED) {
				lo = qr->votes[k].level < lo ? qr->votes[k].level : lo;
				hi = qr->votes[k].level > hi ? qr->votes[k].level : hi;
			}
		cJSON *o = cJSON_CreateObject();
		add(g, o, "question", cJSON_CreateString(qr->q->id));
		add(g, o, "dimension", cJSON_CreateString(r->model->dims[qr->q->dim].id));
		add(g, o, "median", cJSON_CreateNumber(qr->level));
		add(g, o, "spread", cJSON_CreateNumber(hi - lo));
		add(g, o, "answers", votes(g, qr, false));
		push(g, dis, o);
	}
	add(g, root, "disagreements", dis);

	cJSON *un = cJSON_CreateArray();
	for (size_t i = 0; un && i < r->n_unanswered; i++)
		push(g, un, cJSON_CreateString(r->unanswered[i]->q->id));
	add(g, root, "unanswered", un);
	return root;
}

int weft_assess_report_json(weft_buf *out, const weft_assess_result *r,
			    const weft_assess_report_opts *opts)
{
	guard g = { false };
	cJSON *root = build(&g, r, opts);
	char *s = (!g.oom && root) ? cJSON_Print(root) : NULL;
	cJSON_Delete(root);
	if (!s)
		return WEFT_ENOMEM;
	weft_buf_puts(out, s);
	weft_buf_putc(out, '\n');
	cJSON_free(s);
	return out->oom ? WEFT_ENOMEM : WEFT_OK;
}
