/* score.c - maturity scoring: dimension scores and staged levels, the
 * overall level and score, the target, gaps and PercentToTarget.
 *
 * Design choice: one pass computes everything every report needs and keeps
 * it in a plain result structure, so the four report writers only format
 * (they never recompute and so cannot disagree). The rules, with a worked
 * example, are in docs/scoring.md:
 *   dimension score = sum(w*level) / sum(w) over answered questions;
 *   coverage = answered weight / total weight;
 *   dimension level = min(floor(score), lowest answered critical level);
 *   overall level = lowest dimension level; overall score = dimension-weight
 *   mean of dimension scores; dimensions with no answer are left out;
 *   gap = max(0, target - level); PercentToTarget = 1 - sum(gap*w) /
 *   sum(target*w), per dimension with question weights and overall with each
 *   question weighted by its share of its dimension times the dimension's
 *   weight (the dimension-weight mean of the dimension percentages).
 */
#include <libgen.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "assess_int.h"

/* Scores are sums of products of small numbers; this absorbs rounding so
 * that a score of exactly 3 computed as 2.9999999999 still reaches level 3. */
#define EPS 1e-9

int weft_assess_score_level(double score)
{
	int L = (int)floor(score + EPS);
	if (L < 1)
		L = 1;
	if (L > WEFT_ASSESS_LEVELS)
		L = WEFT_ASSESS_LEVELS;
	return L;
}

typedef struct {
	weft_assess_result pub;
	assess_rolled *rolled;
	char **labels;
	size_t n_labels;
} result_priv;

void weft_assess_result_free(weft_assess_result *r)
{
	if (!r)
		return;
	result_priv *p = (result_priv *)r;
	for (size_t i = 0; i < r->n_dims; i++) {
		free(r->dims[i].questions);
		free(r->dims[i].gaps);
	}
	free(r->dims);
	free(r->gaps);
	free(r->disagreements);
	free(r->unanswered);
	free(r->sources);
	if (p->rolled)
		assess_rolled_free(p->rolled, r->model ? r->model->n_questions : 0);
	for (size_t i = 0; i < p->n_labels; i++)
		free(p->labels[i]);
	free(p->labels);
	free(p);
}

/* Respondent labels: the respondent's name, else the file's name; a name
 * given twice gets the file name added so votes stay distinguishable. */
static int make_labels(result_priv *p, const weft_assess_answers *const *answers, size_t n)
{
	p->labels = calloc(n ? n : 1, sizeof *p->labels);
	if (!p->labels)
		return WEFT_ENOMEM;
	p->n_labels = n;
	for (size_t i = 0; i < n; i++) {
		const weft_assess_answers *a = answers[i];
		char *copy = strdup(a->path ? a->path : "answers");
		if (!copy)
			return WEFT_ENOMEM;
		const char *base = basename(copy);
		const char *name = a->respondent && *a->respondent ? a->respondent : base;
		bool dup = false;
		for (size_t j = 0; j < i && !dup; j++)
			dup = strcmp(p->labels[j], name) == 0;
		weft_buf b = WEFT_BUF_INIT;
		if (dup)
			weft_buf_printf(&b, "%s (%s)", name, base);
		else
			weft_buf_puts(&b, name);
		free(copy);
		if (!(p->labels[i] = weft_buf_detach(&b)))
			return WEFT_ENOMEM;
	}
	return WEFT_OK;
}

/* Gap order within a dimension: weighted gap, then critical first, then
 * larger gap, then model order (stable and total). */
static const weft_assess_qresult *sort_qs;
static int cmp_gap(const void *a, const void *b)
{
	const weft_assess_qresult *x = &sort_qs[*(const size_t *)a], *y = &sort_qs[*(const size_t *)b];
	if (fabs(x->weighted_gap - y->weighted_gap) > EPS)
		return x->weighted_gap > y->weighted_gap ? -1 : 1;
	if (x->q->critical != y->q->critical)
		return x->q->critical ? -1 : 1;
	if (x->gap != y->gap)
		return x->gap > y->gap ? -1 : 1;
	return x->q->index < y->q->index ? -1 : x->q->index > y->q->index;
}

static int cmp_points(const void *a, const void *b)
{
	const weft_assess_gapref *x = a, *y = b;
	if (fabs(x->q->points - y->q->points) > EPS)
		return x->q->points > y->q->points ? -1 : 1;
	if (x->q->q->critical != y->q->q->critical)
		return x->q->q->critical ? -1 : 1;
	if (x->q->gap != y->q->gap)
		return x->q->gap > y->q->gap ? -1 : 1;
	return x->q->q->index < y->q->q->index ? -1 : x->q->q->index > y->q->q->index;
}

static void score_dimension(weft_assess_dresult *dr)
{
	double wsum = 0, lsum = 0;
	int min_crit = WEFT_ASSESS_LEVELS + 1;
	const char *crit_id = NULL;
	for (size_t j = 0; j < dr->n_questions; j++) {
		weft_assess_qresult *qr = &dr->questions[j];
		dr->total_weight += qr->weight;
		switch (qr->status) {
		case WEFT_ASSESS_ANSWERED:
			dr->n_answered++;
			wsum += qr->weight;
			lsum += qr->weight * qr->level;
			if (qr->q->critical && qr->level < min_crit) {
				min_crit = qr->level;
				crit_id = qr->q->id;
			}
			break;
		case WEFT_ASSESS_NA: dr->n_na++; break;
		case WEFT_ASSESS_UNANSWERED: dr->n_unanswered++; break;
		}
	}
	dr->answered_weight = wsum;
	dr->coverage = dr->total_weight > 0 ? wsum / dr->total_weight : 0;
	if (dr->n_answered == 0)
		return;
	dr->assessed = true;
	dr->score = lsum / wsum;
	dr->score_level = weft_assess_score_level(dr->score);
	if (min_crit < dr->score_level) {
		dr->level = min_crit;
		dr->capped_by = crit_id;
		for (size_t j = 0; j < dr->n_questions; j++) {
			weft_assess_qresult *qr = &dr->questions[j];
			qr->critical_cap = qr->status == WEFT_ASSESS_ANSWERED && qr->q->critical &&
					   qr->level < dr->score_level;
		}
	} else {
		dr->level = dr->score_level;
		dr->capped_by = "score";
	}
}

/* Gaps, PercentToTarget and the gap order of a dimension, for target t. */
static int dimension_gaps(weft_assess_dresult *dr, int t)
{
	double gsum = 0;
	dr->gaps = calloc(dr->n_questions ? dr->n_questions : 1, sizeof *dr->gaps);
	if (!dr->gaps)
		return WEFT_ENOMEM;
	for (size_t j = 0; j < dr->n_questions; j++) {
		weft_assess_qresult *qr = &dr->questions[j];
		if (qr->status != WEFT_ASSESS_ANSWERED)
			continue;
		qr->gap = t > qr->level ? t - qr->level : 0;
		qr->weighted_gap = qr->gap * qr->weight;
		gsum += qr->weighted_gap;
		if (qr->gap > 0)
			dr->gaps[dr->n_gaps++] = j;
	}
	if (dr->assessed)
		dr->percent_to_target = 1.0 - gsum / (t * dr->answered_weight);
	sort_qs = dr->questions;
	qsort(dr->gaps, dr->n_gaps, sizeof *dr->gaps, cmp_gap);
	sort_qs = NULL;
	return WEFT_OK;
}

static int check_units(const weft_assess_answers *const *answers, size_t n, weft_diags *d)
{
	int err = WEFT_OK;
	for (size_t i = 1; i < n; i++) {
		if (strcmp(answers[i]->unit, answers[0]->unit) == 0)
			continue;
		char hint[512];
		snprintf(hint, sizeof hint,
			 "%.200s is for unit '%.200s'; score each unit separately (one score call per unit)",
			 answers[0]->path, assess_clean(answers[0]->unit));
		weft_diags_add(d, WEFT_SEV_ERROR, answers[i]->path, answers[i]->unit_line,
			       answers[i]->unit_col, hint,
			       "answers for unit '%s' cannot be rolled up with answers for unit '%s'",
			       assess_clean(answers[i]->unit), assess_clean(answers[0]->unit));
		err = WEFT_EINVALID;
	}
	return err;
}

static int compute(result_priv *p, const weft_assess_model *m, const weft_assess_score_opts *o)
{
	weft_assess_result *r = &p->pub;
	const weft_assess_weights *w = o ? o->weights : NULL;
	r->dims = calloc(m->n_dims ? m->n_dims : 1, sizeof *r->dims);
	r->unanswered = calloc(m->n_questions ? m->n_questions : 1, sizeof *r->unanswered);
	r->disagreements = calloc(m->n_questions ? m->n_questions : 1, sizeof *r->disagreements);
	r->gaps = calloc(m->n_questions ? m->n_questions : 1, sizeof *r->gaps);
	if (!r->dims || !r->unanswered || !r->disagreements || !r->gaps)
		return WEFT_ENOMEM;
	r->n_dims = m->n_dims;
	for (size_t i = 0; i < m->n_dims; i++) {
		const weft_assess_dimension *dim = &m->dims[i];
		weft_assess_dresult *dr = &r->dims[i];
		dr->dim = dim;
		dr->weight = assess_weights_dim(w, m, i);
		dr->questions = calloc(dim->n_questions ? dim->n_questions : 1, sizeof *dr->questions);
		if (!dr->questions)
			return WEFT_ENOMEM;
		dr->n_questions = dim->n_questions;
		for (size_t j = 0; j < dim->n_questions; j++) {
			const weft_assess_question *q = &dim->questions[j];
			const assess_rolled *x = &p->rolled[q->index];
			weft_assess_qresult *qr = &dr->questions[j];
			qr->q = q;
			qr->weight = assess_weights_question(w, m, q->index);
			qr->status = x->status;
			qr->level = x->status == WEFT_ASSESS_ANSWERED ? x->level : 0;
			if (qr->level) {
				qr->option = q->options[qr->level - 1].text;
				qr->improve = q->options[qr->level - 1].improve;
			}
			qr->reason = x->reason;
			qr->note = x->note;
			qr->evidence = x->evidence;
			qr->n_evidence = x->n_evidence;
			qr->votes = x->votes;
			qr->n_votes = x->n_votes;
			qr->disagreement = x->disagreement;
			if (qr->status == WEFT_ASSESS_UNANSWERED)
				r->unanswered[r->n_unanswered++] = qr;
			if (qr->disagreement)
				r->disagreements[r->n_disagreements++] = qr;
		}
		score_dimension(dr);
	}

	/* overall level and score */
	double wd = 0, sd = 0, cov_w = 0, cov = 0;
	int level = WEFT_ASSESS_LEVELS + 1;
	for (size_t i = 0; i < r->n_dims; i++) {
		const weft_assess_dresult *dr = &r->dims[i];
		cov_w += dr->weight;
		cov += dr->weight * dr->coverage;
		if (!dr->assessed)
			continue;
		wd += dr->weight;
		sd += dr->weight * dr->score;
		if (dr->level < level)
			level = dr->level;
	}
	r->coverage = cov_w > 0 ? cov / cov_w : 0;
	if (wd > 0) {
		r->assessed = true;
		r->level = level;
		r->score = sd / wd;
	}

	/* target, gaps, PercentToTarget */
	if (o && o->target >= 1 && o->target <= WEFT_ASSESS_LEVELS) {
		r->target = o->target;
		r->target_explicit = true;
	} else {
		int base = r->assessed ? r->level : 1;
		r->target = base < WEFT_ASSESS_LEVELS ? base + 1 : WEFT_ASSESS_LEVELS;
	}
	double pct = 0;
	for (size_t i = 0; i < r->n_dims; i++) {
		weft_assess_dresult *dr = &r->dims[i];
		int err = dimension_gaps(dr, r->target);
		if (err)
			return err;
		if (!dr->assessed)
			continue;
		pct += dr->weight * dr->percent_to_target;
		for (size_t k = 0; k < dr->n_gaps; k++) {
			weft_assess_qresult *qr = &dr->questions[dr->gaps[k]];
			/* the question's share of the overall denominator target * wd */
			double share = dr->weight * qr->weight / dr->answered_weight;
			qr->points = 100.0 * qr->gap * share / (r->target * wd);
			r->gaps[r->n_gaps++] = (weft_assess_gapref){ qr, dr };
		}
	}
	if (r->assessed)
		r->percent_to_target = pct / wd;
	qsort(r->gaps, r->n_gaps, sizeof *r->gaps, cmp_points);
	return WEFT_OK;
}

int weft_assess_score(weft_assess_result **out, const weft_assess_model *m,
		      const weft_assess_answers *const *answers, size_t n_answers,
		      const weft_assess_score_opts *opts, weft_diags *d)
{
	*out = NULL;
	if (opts && opts->weights && assess_weights_model(opts->weights) != m) {
		weft_diags_add(d, WEFT_SEV_ERROR, m->path, 0, 0, NULL,
			       "the weights were loaded for another model");
		return WEFT_EINVALID;
	}
	int err = WEFT_OK;
	for (size_t i = 0; i < n_answers; i++)
		if (weft_assess_answers_check(answers[i], m, false, d))
			err = WEFT_EINVALID;
	if (!err)
		err = check_units(answers, n_answers, d);
	if (err)
		return err;
	result_priv *p = calloc(1, sizeof *p);
	if (!p)
		return WEFT_ENOMEM;
	weft_assess_result *r = &p->pub;
	r->model = m;
	r->unit = n_answers ? answers[0]->unit : NULL;
	err = make_labels(p, answers, n_answers);
	if (!err && !(r->sources = calloc(n_answers ? n_answers : 1, sizeof *r->sources)))
		err = WEFT_ENOMEM;
	for (size_t i = 0; !err && i < n_answers; i++) {
		r->sources[i] = (weft_assess_source){ answers[i]->path, p->labels[i], answers[i]->date };
		r->n_sources++;
	}
	if (!err)
		err = assess_rollup(&p->rolled, m, answers, (const char *const *)p->labels, n_answers);
	if (!err)
		err = compute(p, m, opts);
	if (err) {
		if (err == WEFT_ENOMEM)
			weft_diags_add(d, WEFT_SEV_ERROR, NULL, 0, 0, NULL, "out of memory while scoring");
		weft_assess_result_free(r);
		return err;
	}
	*out = r;
	return WEFT_OK;
}
