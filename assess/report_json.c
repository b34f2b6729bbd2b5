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

#define FORMAT_VERSION 2

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


static cJSON *votes(assess_jguard *g, const weft_assess_qresult *qr, bool details)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t k = 0; arr && k < qr->n_votes; k++) {
		const weft_assess_vote *v = &qr->votes[k];
		cJSON *o = cJSON_CreateObject();
		assess_jadd(g, o, "respondent", cJSON_CreateString(v->respondent));
		assess_jadd(g, o, "status", cJSON_CreateString(v->out_of_scope ? "out_of_scope"
										: status_name(v->status)));
		assess_jadd(g, o, "level", int_if(v->status == WEFT_ASSESS_ANSWERED, v->level));
		if (details) {
			assess_jadd(g, o, "reason", str_or_null(v->reason));
			assess_jadd(g, o, "note", str_or_null(v->note));
		}
		assess_jpush(g, arr, o);
	}
	return arr;
}

static cJSON *question(assess_jguard *g, const weft_assess_qresult *qr, bool in_scope)
{
	bool ans = qr->status == WEFT_ASSESS_ANSWERED;
	cJSON *o = cJSON_CreateObject();
	assess_jadd(g, o, "id", cJSON_CreateString(qr->q->id));
	assess_jadd(g, o, "text", cJSON_CreateString(qr->q->text));
	assess_jadd(g, o, "weight", num(qr->weight));
	assess_jadd(g, o, "critical", cJSON_CreateBool(qr->q->critical));
	assess_jadd(g, o, "allow_na", cJSON_CreateBool(qr->q->allow_na));
	assess_jadd(g, o, "status", cJSON_CreateString(in_scope ? status_name(qr->status) : "out_of_scope"));
	assess_jadd(g, o, "level", int_if(ans, qr->level));
	assess_jadd(g, o, "option", str_or_null(qr->option));
	assess_jadd(g, o, "improve", str_or_null(qr->improve));
	assess_jadd(g, o, "gap", int_if(ans, qr->gap));
	assess_jadd(g, o, "weighted_gap", num_if(ans, qr->weighted_gap));
	assess_jadd(g, o, "points", num_if(ans, qr->points));
	assess_jadd(g, o, "critical_cap", cJSON_CreateBool(qr->critical_cap));
	assess_jadd(g, o, "holds_level", cJSON_CreateBool(qr->holds_level));
	assess_jadd(g, o, "counted_as_1", cJSON_CreateBool(qr->counted_as_1));
	assess_jadd(g, o, "reason", str_or_null(qr->reason));
	assess_jadd(g, o, "category", str_or_null(qr->category));
	assess_jadd(g, o, "note", str_or_null(qr->note));
	cJSON *ev = cJSON_CreateArray();
	for (size_t k = 0; ev && k < qr->n_evidence; k++)
		assess_jpush(g, ev, cJSON_CreateString(qr->evidence[k]));
	assess_jadd(g, o, "evidence", ev);
	assess_jadd(g, o, "disagreement", cJSON_CreateBool(qr->disagreement));
	assess_jadd(g, o, "answers", votes(g, qr, true));
	return o;
}

static cJSON *cap(assess_jguard *g, const weft_assess_dresult *dr)
{
	if (!dr->rated)
		return cJSON_CreateNull();
	cJSON *o = cJSON_CreateObject();
	bool crit = dr->cap.kind == WEFT_ASSESS_CAP_CRITICAL;
	assess_jadd(g, o, "kind", cJSON_CreateString(crit ? "critical" : "score"));
	assess_jadd(g, o, "question", str_or_null(crit ? dr->cap.question->id : NULL));
	return o;
}

static cJSON *dimension(assess_jguard *g, const weft_assess_result *r, const weft_assess_dresult *dr)
{
	bool a = dr->rated, s = dr->scored;
	cJSON *o = cJSON_CreateObject();
	assess_jadd(g, o, "id", cJSON_CreateString(dr->dim->id));
	assess_jadd(g, o, "title", cJSON_CreateString(dr->dim->title));
	assess_jadd(g, o, "weight", num(dr->weight));
	assess_jadd(g, o, "optional", cJSON_CreateBool(dr->dim->optional));
	assess_jadd(g, o, "in_scope", cJSON_CreateBool(dr->in_scope));
	assess_jadd(g, o, "scope_reason", str_or_null(dr->in_scope ? NULL : dr->scope_reason));
	assess_jadd(g, o, "rated", cJSON_CreateBool(a));
	assess_jadd(g, o, "not_rated", assess_json_why(g, a ? 0 : dr->why));
	assess_jadd(g, o, "explanation", assess_json_explain(r, dr));
	assess_jadd(g, o, "score", num_if(s, dr->score));
	assess_jadd(g, o, "level", int_if(a, dr->level));
	assess_jadd(g, o, "level_name", a ? cJSON_CreateString(weft_assess_level_name(r->model, dr->level))
					  : cJSON_CreateNull());
	assess_jadd(g, o, "score_level", int_if(s, dr->score_level));
	assess_jadd(g, o, "capped_by", cap(g, dr));
	assess_jadd(g, o, "coverage", num(dr->coverage));
	assess_jadd(g, o, "answered_weight", num(dr->answered_weight));
	assess_jadd(g, o, "applicable_weight", num(dr->applicable_weight));
	assess_jadd(g, o, "total_weight", num(dr->total_weight));
	assess_jadd(g, o, "critical_unanswered",
		    str_or_null(dr->critical_unanswered ? dr->critical_unanswered->id : NULL));
	assess_jadd(g, o, "answered", cJSON_CreateNumber((double)dr->n_answered));
	assess_jadd(g, o, "na", cJSON_CreateNumber((double)dr->n_na));
	assess_jadd(g, o, "unanswered", cJSON_CreateNumber((double)dr->n_unanswered));
	assess_jadd(g, o, "percent_to_target", num_if(s, dr->percent_to_target));
	cJSON *gl = cJSON_CreateArray();
	for (size_t k = 0; gl && k < dr->n_gaps; k++)
		assess_jpush(g, gl, cJSON_CreateString(dr->questions[dr->gaps[k]].q->id));
	assess_jadd(g, o, "gaps", gl);
	cJSON *qs = cJSON_CreateArray();
	for (size_t k = 0; qs && k < dr->n_questions; k++)
		assess_jpush(g, qs, question(g, &dr->questions[k], dr->in_scope));
	assess_jadd(g, o, "questions", qs);
	return o;
}

cJSON *assess_json_overall(assess_jguard *g, const weft_assess_result *r)
{
	const weft_assess_model *m = r->model;
	bool a = r->rated, s = r->scored;
	cJSON *ov = cJSON_CreateObject();
	assess_jadd(g, ov, "rated", cJSON_CreateBool(a));
	assess_jadd(g, ov, "not_rated", assess_json_why(g, a ? 0 : r->why));
	assess_jadd(g, ov, "explanation", assess_json_explain(r, NULL));
	assess_jadd(g, ov, "level", int_if(a, r->level));
	assess_jadd(g, ov, "level_name", a ? cJSON_CreateString(weft_assess_level_name(m, r->level))
					   : cJSON_CreateNull());
	assess_jadd(g, ov, "score", num_if(s, r->score));
	assess_jadd(g, ov, "coverage", num(r->coverage));
	assess_jadd(g, ov, "percent_to_target", num_if(s, r->percent_to_target));
	assess_jadd(g, ov, "in_scope", cJSON_CreateNumber((double)r->n_in_scope));
	assess_jadd(g, ov, "rated_dimensions", cJSON_CreateNumber((double)r->n_rated));
	cJSON *held = cJSON_CreateArray();
	for (size_t i = 0; held && i < r->n_dims; i++)
		if (a && r->dims[i].rated && r->dims[i].level == r->level)
			assess_jpush(g, held, cJSON_CreateString(r->dims[i].dim->id));
	assess_jadd(g, ov, "held_by", held);
	return ov;
}

static cJSON *build(assess_jguard *g, const weft_assess_result *r, const weft_assess_report_opts *opts)
{
	const weft_assess_model *m = r->model;
	cJSON *root = cJSON_CreateObject();
	assess_jadd(g, root, "format", cJSON_CreateString("weft-assess-report"));
	assess_jadd(g, root, "format_version", cJSON_CreateNumber(FORMAT_VERSION));
	assess_jadd(g, root, "generator", str_or_null(opts ? opts->generator : NULL));
	assess_jadd(g, root, "generated_at", str_or_null(opts ? opts->generated_at : NULL));

	/* provenance: nothing here depends on where the files are */
	cJSON *mo = cJSON_CreateObject();
	assess_jadd(g, mo, "id", cJSON_CreateString(m->id));
	assess_jadd(g, mo, "version", cJSON_CreateString(m->version));
	assess_jadd(g, mo, "title", cJSON_CreateString(m->title));
	assess_jadd(g, mo, "sha256", cJSON_CreateString(m->sha256));
	assess_jadd(g, mo, "min_coverage", num(m->min_coverage));
	assess_jadd(g, root, "model", mo);
	assess_jadd(g, root, "unit", str_or_null(r->unit));
	assess_jadd(g, root, "min_coverage", num(r->min_coverage));

	cJSON *wo = cJSON_CreateNull();
	if (r->weights_name) {
		cJSON_Delete(wo);
		wo = cJSON_CreateObject();
		assess_jadd(g, wo, "file", cJSON_CreateString(r->weights_name));
		assess_jadd(g, wo, "sha256", cJSON_CreateString(r->weights_sha256));
		cJSON *ch = cJSON_CreateArray();
		for (size_t i = 0; ch && i < r->n_weight_changes; i++) {
			const weft_assess_weight_change *c = &r->weight_changes[i];
			cJSON *o = cJSON_CreateObject();
			assess_jadd(g, o, "id", cJSON_CreateString(c->id));
			assess_jadd(g, o, "kind", cJSON_CreateString(c->dimension ? "dimension" : "question"));
			assess_jadd(g, o, "from", num(c->from));
			assess_jadd(g, o, "to", num(c->to));
			assess_jpush(g, ch, o);
		}
		assess_jadd(g, wo, "changes", ch);
	}
	assess_jadd(g, root, "weights", wo);

	cJSON *src = cJSON_CreateArray();
	for (size_t i = 0; src && i < r->n_sources; i++) {
		const weft_assess_source *s = &r->sources[i];
		cJSON *o = cJSON_CreateObject();
		assess_jadd(g, o, "file", str_or_null(s->path));
		assess_jadd(g, o, "respondent", cJSON_CreateString(s->respondent));
		assess_jadd(g, o, "date", str_or_null(s->date));
		assess_jadd(g, o, "sha256", str_or_null(s->sha256 && *s->sha256 ? s->sha256 : NULL));
		assess_jadd(g, o, "migrated_from", str_or_null(s->migrated_from));
		assess_jpush(g, src, o);
	}
	assess_jadd(g, root, "sources", src);

	cJSON *notes = cJSON_CreateArray();
	for (size_t i = 0; notes && i < r->n_notes; i++) {
		static const char *const kinds[] = { "", "migration", "respondent", "spread", "scope",
						     "ignored" };
		cJSON *o = cJSON_CreateObject();
		assess_jadd(g, o, "kind", cJSON_CreateString(kinds[r->notes[i].kind]));
		assess_jadd(g, o, "text", cJSON_CreateString(r->notes[i].text));
		assess_jpush(g, notes, o);
	}
	assess_jadd(g, root, "notes", notes);

	cJSON *lv = cJSON_CreateArray();
	for (int L = 1; lv && L <= WEFT_ASSESS_LEVELS; L++) {
		cJSON *o = cJSON_CreateObject();
		assess_jadd(g, o, "level", cJSON_CreateNumber(L));
		assess_jadd(g, o, "name", cJSON_CreateString(m->levels[L - 1].name));
		assess_jadd(g, o, "description", cJSON_CreateString(m->levels[L - 1].description));
		assess_jpush(g, lv, o);
	}
	assess_jadd(g, root, "levels", lv);

	cJSON *t = cJSON_CreateObject();
	assess_jadd(g, t, "level", cJSON_CreateNumber(r->target));
	assess_jadd(g, t, "name", cJSON_CreateString(weft_assess_level_name(m, r->target)));
	assess_jadd(g, t, "explicit", cJSON_CreateBool(r->target_explicit));
	assess_jadd(g, t, "from", cJSON_CreateString(r->target_from == WEFT_ASSESS_TARGET_OPTION
							   ? "option" : "next_level"));
	assess_jadd(g, root, "target", t);

	assess_jadd(g, root, "overall", assess_json_overall(g, r));

	cJSON *dims = cJSON_CreateArray();
	for (size_t i = 0; dims && i < r->n_dims; i++)
		assess_jpush(g, dims, dimension(g, r, &r->dims[i]));
	assess_jadd(g, root, "dimensions", dims);

	cJSON *gaps = cJSON_CreateArray();
	for (size_t i = 0; gaps && i < r->n_gaps; i++) {
		const weft_assess_qresult *qr = r->gaps[i].q;
		cJSON *o = cJSON_CreateObject();
		assess_jadd(g, o, "question", cJSON_CreateString(qr->q->id));
		assess_jadd(g, o, "dimension", cJSON_CreateString(r->gaps[i].d->dim->id));
		assess_jadd(g, o, "level", cJSON_CreateNumber(qr->level));
		assess_jadd(g, o, "target", cJSON_CreateNumber(r->target));
		assess_jadd(g, o, "gap", cJSON_CreateNumber(qr->gap));
		assess_jadd(g, o, "weight", num(qr->weight));
		assess_jadd(g, o, "weighted_gap", num(qr->weighted_gap));
		assess_jadd(g, o, "points", num(qr->points));
		assess_jadd(g, o, "critical", cJSON_CreateBool(qr->q->critical));
		assess_jadd(g, o, "holds_level", cJSON_CreateBool(qr->holds_level));
		assess_jadd(g, o, "improve", str_or_null(qr->improve));
		assess_jpush(g, gaps, o);
	}
	assess_jadd(g, root, "gaps", gaps);

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
		assess_jadd(g, o, "question", cJSON_CreateString(qr->q->id));
		assess_jadd(g, o, "dimension", cJSON_CreateString(r->model->dims[qr->q->dim].id));
		size_t n_na = 0, n_lv = 0;
		for (size_t k = 0; k < qr->n_votes; k++) {
			n_na += qr->votes[k].status == WEFT_ASSESS_NA;
			n_lv += qr->votes[k].status == WEFT_ASSESS_ANSWERED;
		}
		assess_jadd(g, o, "median", int_if(n_lv > 0, qr->level));
		assess_jadd(g, o, "spread", int_if(n_lv > 0, hi - lo));
		assess_jadd(g, o, "na_against_level", cJSON_CreateBool(n_na && n_lv));
		assess_jadd(g, o, "answers", votes(g, qr, false));
		assess_jpush(g, dis, o);
	}
	assess_jadd(g, root, "disagreements", dis);

	cJSON *un = cJSON_CreateArray();
	for (size_t i = 0; un && i < r->n_unanswered; i++)
		assess_jpush(g, un, cJSON_CreateString(r->unanswered[i]->q->id));
	assess_jadd(g, root, "unanswered", un);
	if (opts && opts->history)
		assess_jadd(g, root, "history", assess_history_json_obj(g, opts->history, opts));
	return root;
}

int weft_assess_report_json(weft_buf *out, const weft_assess_result *r,
			    const weft_assess_report_opts *opts)
{
	assess_jguard g = { false };
	cJSON *root = build(&g, r, opts);
	return assess_json_emit(out, &g, root);
}

int assess_json_emit(weft_buf *out, const assess_jguard *g, cJSON *root)
{
	char *s = (!g->oom && root) ? cJSON_Print(root) : NULL;
	cJSON_Delete(root);
	if (!s)
		return WEFT_ENOMEM;
	weft_buf_puts(out, s);
	weft_buf_putc(out, '\n');
	cJSON_free(s);
	return out->oom ? WEFT_ENOMEM : WEFT_OK;
}

/* A dimension object of the report, for the portfolio. */
cJSON *assess_json_dimension(assess_jguard *g, const weft_assess_result *r, const weft_assess_dresult *dr)
{
	return dimension(g, r, dr);
}
