/* score.c - maturity scoring: scope, dimension scores and staged levels,
 * what keeps a dimension from being rated, the overall level and score, the
 * target, gaps, PercentToTarget, and the provenance every report prints.
 *
 * Design choice: a level is never given on too little evidence. Inside an
 * in-scope dimension an unanswered question counts as level 1 (so answering
 * less can never raise a score), a dimension whose answered share of its
 * applicable weight is below min_coverage, or whose critical question is
 * unanswered, is not rated, and the overall level exists only when every
 * in-scope dimension is rated. One pass computes everything the reports
 * need and keeps it in a plain structure, so the four writers only format
 * and cannot disagree. The rules, with worked examples, are in
 * docs/scoring.md:
 *   applicable = questions not na; coverage = answered / applicable weight;
 *   dimension score = sum(w * level) / applicable weight, unanswered as 1;
 *   dimension level = min(floor(score), lowest critical level);
 *   overall level = lowest in-scope dimension level; overall score =
 *   dimension-weight mean of the in-scope dimension scores;
 *   gap = max(0, target - level); PercentToTarget = 1 - sum(gap * w) /
 *   (target * applicable weight), per dimension, and overall the
 *   dimension-weight mean of the dimension percentages.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
	char **labels, **names; /* per source: respondent label, file name */
	weft_assess_answers **migrated; /* per source: the answers as scored */
	bool **scoped_out;              /* per source, per dimension */
	size_t n_src;
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
	free(r->weight_changes);
	for (size_t i = 0; i < r->n_notes; i++)
		free(r->notes[i].text);
	free(r->notes);
	if (p->rolled)
		assess_rolled_free(p->rolled, r->model ? r->model->n_questions : 0);
	for (size_t i = 0; i < p->n_src; i++) {
		free(p->labels ? p->labels[i] : NULL);
		free(p->names ? p->names[i] : NULL);
		weft_assess_answers_free(p->migrated ? p->migrated[i] : NULL);
		free(p->scoped_out ? p->scoped_out[i] : NULL);
	}
	free(p->labels);
	free(p->names);
	free(p->migrated);
	free(p->scoped_out);
	free(p);
}

static int add_note(weft_assess_result *r, weft_assess_note_kind kind, const char *fmt, ...)
	WEFT_PRINTF(3, 4);
static int add_note(weft_assess_result *r, weft_assess_note_kind kind, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	weft_buf b = WEFT_BUF_INIT;
	weft_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	char *text = weft_buf_detach(&b);
	weft_assess_note *n = text ? realloc(r->notes, (r->n_notes + 1) * sizeof *n) : NULL;
	if (!n) {
		free(text);
		return WEFT_ENOMEM;
	}
	r->notes = n;
	r->notes[r->n_notes++] = (weft_assess_note){ kind, text };
	return WEFT_OK;
}

static const char *base_name(const char *path)
{
	const char *s = path ? strrchr(path, '/') : NULL;
	return s ? s + 1 : path ? path : "answers";
}

/* Respondent labels: the respondent's name, else the file's name; a name
 * given twice gets the file name added so votes stay distinguishable. */
static int make_labels(result_priv *p, assess_alist a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *base = base_name(a[i]->path);
		if (!(p->names[i] = strdup(base)))
			return WEFT_ENOMEM;
		const char *name = a[i]->respondent && *a[i]->respondent ? a[i]->respondent : base;
		bool dup = false;
		for (size_t j = 0; j < i && !dup; j++)
			dup = a[j]->respondent && strcmp(a[j]->respondent, name) == 0;
		weft_buf b = WEFT_BUF_INIT;
		if (dup)
			weft_buf_printf(&b, "%s (%s)", name, base);
		else
			weft_buf_puts(&b, name);
		if (!(p->labels[i] = weft_buf_detach(&b)))
			return WEFT_ENOMEM;
	}
	return WEFT_OK;
}

/* ---- checks across files ---------------------------------------------------------- */

static int check_units(assess_alist answers, size_t n, weft_diags *d)
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

/* A digest of what an answers set says (not how it is written): the same
 * answers with other comments, order or quoting give the same digest. */
static int content_digest(char hex[65], const weft_assess_answers *a, bool who)
{
	assess_aindex ix;
	if (assess_aindex_build(&ix, a))
		return WEFT_ENOMEM;
	weft_buf b = WEFT_BUF_INIT;
	weft_buf_printf(&b, "%s\n%s\n%s\n", a->model, a->model_version, a->unit);
	if (who)
		weft_buf_printf(&b, "%s\n%s\n", a->respondent ? a->respondent : "",
				a->date ? a->date : "");
	for (size_t i = 0; i < ix.n; i++) {
		const weft_assess_answer *r = ix.v[i];
		if (r->status == WEFT_ASSESS_UNANSWERED)
			continue;
		/* lengths first, so no choice of text can imitate another answer */
		weft_buf_printf(&b, "%zu:%s=%d:%d:%zu:%s:%zu:%s:%zu:%s:%zu\n", strlen(r->question),
				r->question, (int)r->status, r->level, r->category ? strlen(r->category) : 0,
				r->category ? r->category : "", r->reason ? strlen(r->reason) : 0,
				r->reason ? r->reason : "", r->note ? strlen(r->note) : 0,
				r->note ? r->note : "", r->n_evidence);
		for (size_t k = 0; k < r->n_evidence; k++)
			weft_buf_printf(&b, "%zu:%s\n", strlen(r->evidence[k]), r->evidence[k]);
	}
	for (size_t i = 0; i < a->n_out_of_scope; i++)
		weft_buf_printf(&b, "out:%zu:%s:%zu:%s\n", strlen(a->out_of_scope[i].dim),
				a->out_of_scope[i].dim, strlen(a->out_of_scope[i].reason),
				a->out_of_scope[i].reason);
	assess_aindex_free(&ix);
	if (b.oom) {
		weft_buf_free(&b);
		return WEFT_ENOMEM;
	}
	weft_sha256_hex(hex, b.ptr ? b.ptr : "", b.len);
	weft_buf_free(&b);
	return WEFT_OK;
}

/* The same file twice, or two files that say the same (comments, order and
 * quoting aside), are one respondent counted twice: refused. Two files with
 * the same answers under different names are a warning in the report. */
static int check_duplicates(weft_assess_result *r, assess_alist a, size_t n, weft_diags *d)
{
	int err = WEFT_OK;
	char (*dig)[2][65] = calloc(n ? n : 1, sizeof *dig);
	if (!dig)
		return WEFT_ENOMEM;
	for (size_t i = 0; i < n && !err; i++)
		if (content_digest(dig[i][0], a[i], true) || content_digest(dig[i][1], a[i], false))
			err = WEFT_ENOMEM;
	for (size_t i = 1; i < n && err == WEFT_OK; i++) {
		for (size_t j = 0; j < i; j++) {
			bool same_bytes = a[i]->sha256[0] && strcmp(a[i]->sha256, a[j]->sha256) == 0;
			if (!same_bytes && strcmp(dig[i][0], dig[j][0]) != 0) {
				if (strcmp(dig[i][1], dig[j][1]) != 0)
					continue;
				weft_diags_add(d, WEFT_SEV_WARNING, a[i]->path, 1, 1,
					       "check that it is not a copy of one respondent's file",
					       "the same answers, notes and evidence as %s under another name",
					       a[j]->path);
				if (add_note(r, WEFT_ASSESS_NOTE_RESPONDENT,
					     "%s and %s give the same answers, notes and evidence under "
					     "different names.",
					     base_name(a[j]->path), base_name(a[i]->path)))
					err = WEFT_ENOMEM;
				break;
			}
			weft_diags_add(d, WEFT_SEV_ERROR, a[i]->path, 1, 1,
				       "give each respondent's file once; a roll-up counts every file as one "
				       "respondent",
				       same_bytes ? "the same file as %s (identical bytes)"
						  : "the same answers as %s (identical content)",
				       a[j]->path);
			err = WEFT_EINVALID;
			break;
		}
	}
	free(dig);
	return err;
}

/* Days since 0000-03-01 of a valid YYYY-MM-DD (the answers loader checked it). */
static long day_number(const char *s)
{
	long y = atol(s), m = atol(s + 5), dd = atol(s + 8);
	if (m <= 2) {
		y--;
		m += 12;
	}
	return 365 * y + y / 4 - y / 100 + y / 400 + (153 * (m - 3) + 2) / 5 + dd - 1;
}

/* Warnings that go into the report: one respondent in several files, and
 * answers given far apart in time. */
static int check_respondents(weft_assess_result *r, assess_alist a, size_t n, int max_spread,
			     weft_diags *d)
{
	for (size_t i = 1; i < n; i++) {
		if (!a[i]->respondent || !*a[i]->respondent)
			continue;
		for (size_t j = 0; j < i; j++) {
			if (!a[j]->respondent || strcasecmp(a[i]->respondent, a[j]->respondent) != 0)
				continue;
			weft_diags_add(d, WEFT_SEV_WARNING, a[i]->path, 1, 1,
				       "a roll-up is meant for several people's views of one unit",
				       "respondent '%s' also answered %s", assess_clean(a[i]->respondent),
				       a[j]->path);
			if (add_note(r, WEFT_ASSESS_NOTE_RESPONDENT,
				     "%s and %s are both answered by %s; each file counts as a separate "
				     "respondent.",
				     base_name(a[j]->path), base_name(a[i]->path), a[i]->respondent))
				return WEFT_ENOMEM;
			break;
		}
	}
	if (max_spread < 0 || n < 2)
		return WEFT_OK;
	size_t lo = n, hi = n;
	for (size_t i = 0; i < n; i++) {
		if (!a[i]->date)
			continue;
		if (lo == n || day_number(a[i]->date) < day_number(a[lo]->date))
			lo = i;
		if (hi == n || day_number(a[i]->date) > day_number(a[hi]->date))
			hi = i;
	}
	if (lo == n)
		return WEFT_OK;
	long spread = day_number(a[hi]->date) - day_number(a[lo]->date);
	if (spread <= max_spread)
		return WEFT_OK;
	weft_diags_add(d, WEFT_SEV_WARNING, a[hi]->path, 1, 1,
		       "roll up answers given at about the same time; compare assessments over time "
		       "with weft assess diff",
		       "answers dated %s (%s) and %s (%s) are %ld days apart (more than %d)", a[lo]->date,
		       a[lo]->path, a[hi]->date, a[hi]->path, spread, max_spread);
	return add_note(r, WEFT_ASSESS_NOTE_SPREAD,
			"The answers span %ld days (%s in %s to %s in %s), more than the %d allowed; "
			"they may describe different states of the unit.",
			spread, a[lo]->date, base_name(a[lo]->path), a[hi]->date,
			base_name(a[hi]->path), max_spread);
}

/* Scope: a dimension is out only when every file puts it out. */
static int decide_scope(result_priv *p, const weft_assess_model *m, assess_alist a, size_t n)
{
	weft_assess_result *r = &p->pub;
	for (size_t f = 0; f < n; f++) {
		if (!(p->scoped_out[f] = calloc(m->n_dims ? m->n_dims : 1, sizeof **p->scoped_out)))
			return WEFT_ENOMEM;
		for (size_t k = 0; k < a[f]->n_out_of_scope; k++) {
			const weft_assess_dimension *dim = weft_assess_model_dimension(m, a[f]->out_of_scope[k].dim);
			if (dim)
				p->scoped_out[f][dim->index] = true;
		}
		size_t ignored = 0;
		for (size_t k = 0; k < a[f]->n_answers; k++) {
			const weft_assess_answer *x = &a[f]->answers[k];
			const weft_assess_question *q = weft_assess_model_question(m, x->question);
			ignored += q && x->status != WEFT_ASSESS_UNANSWERED && p->scoped_out[f][q->dim];
		}
		if (ignored && add_note(r, WEFT_ASSESS_NOTE_IGNORED,
					"%s answers %zu question%s in dimensions it puts out of scope; %s "
					"left out.",
					base_name(a[f]->path), ignored, ignored == 1 ? "" : "s",
					ignored == 1 ? "it is" : "they are"))
			return WEFT_ENOMEM;
	}
	for (size_t i = 0; i < m->n_dims; i++) {
		weft_assess_dresult *dr = &r->dims[i];
		size_t outs = 0;
		const char *reason = NULL;
		for (size_t f = 0; f < n; f++) {
			if (!p->scoped_out[f][i])
				continue;
			if (!outs++)
				for (size_t k = 0; k < a[f]->n_out_of_scope && !reason; k++)
					if (!strcmp(a[f]->out_of_scope[k].dim, m->dims[i].id))
						reason = a[f]->out_of_scope[k].reason;
		}
		dr->in_scope = n == 0 || outs < n;
		if (!dr->in_scope) {
			dr->scope_reason = reason;
			dr->why = WEFT_ASSESS_WHY_OUT_OF_SCOPE;
		} else if (outs &&
			   add_note(r, WEFT_ASSESS_NOTE_SCOPE,
				    "%zu of %zu respondents put %s (%s) out of scope; it is scored on the "
				    "others' answers.",
				    outs, n, m->dims[i].title, m->dims[i].id)) {
			return WEFT_ENOMEM;
		}
	}
	return WEFT_OK;
}

/* ---- per dimension ------------------------------------------------------------------ */

static void score_dimension(weft_assess_dresult *dr, double min_cov)
{
	double answered = 0, applicable = 0, lsum = 0;
	int min_crit = WEFT_ASSESS_LEVELS + 1;
	const weft_assess_question *crit = NULL;
	for (size_t j = 0; j < dr->n_questions; j++) {
		weft_assess_qresult *qr = &dr->questions[j];
		dr->total_weight += qr->weight;
		if (!dr->in_scope)
			continue;
		switch (qr->status) {
		case WEFT_ASSESS_ANSWERED:
			dr->n_answered++;
			answered += qr->weight;
			applicable += qr->weight;
			lsum += qr->weight * qr->level;
			if (qr->q->critical && qr->level < min_crit) {
				min_crit = qr->level;
				crit = qr->q;
			}
			break;
		case WEFT_ASSESS_NA: dr->n_na++; break;
		case WEFT_ASSESS_UNANSWERED:
			dr->n_unanswered++;
			applicable += qr->weight;
			lsum += qr->weight * 1;
			qr->counted_as_1 = true;
			if (qr->q->critical && !dr->n_critical_unanswered++)
				dr->critical_unanswered = qr->q;
			break;
		}
	}
	if (!dr->in_scope)
		return;
	dr->answered_weight = answered;
	dr->applicable_weight = applicable;
	if (applicable <= 0) {
		dr->why |= WEFT_ASSESS_WHY_ALL_NA;
		return;
	}
	dr->coverage = answered / applicable;
	dr->scored = true;
	dr->score = lsum / applicable;
	dr->score_level = weft_assess_score_level(dr->score);
	if (dr->coverage + EPS < min_cov)
		dr->why |= WEFT_ASSESS_WHY_COVERAGE;
	if (dr->n_critical_unanswered)
		dr->why |= WEFT_ASSESS_WHY_CRITICAL;
	if (dr->why)
		return;
	dr->rated = true;
	if (min_crit < dr->score_level) {
		dr->level = min_crit;
		dr->cap = (weft_assess_cap){ WEFT_ASSESS_CAP_CRITICAL, crit };
		for (size_t j = 0; j < dr->n_questions; j++) {
			weft_assess_qresult *qr = &dr->questions[j];
			qr->critical_cap = qr->status == WEFT_ASSESS_ANSWERED && qr->q->critical &&
					   qr->level < dr->score_level;
		}
	} else {
		dr->level = dr->score_level;
		dr->cap = (weft_assess_cap){ WEFT_ASSESS_CAP_SCORE, NULL };
	}
}

/* Gap order: what unlocks the next level first (a critical question at or
 * below its rated dimension's level), then the points closing the gap adds,
 * then critical first, larger gap, model order (stable and total). */
static int cmp_gap(const weft_assess_qresult *x, const weft_assess_qresult *y)
{
	if (x->holds_level != y->holds_level)
		return x->holds_level ? -1 : 1;
	if (fabs(x->points - y->points) > EPS)
		return x->points > y->points ? -1 : 1;
	if (x->q->critical != y->q->critical)
		return x->q->critical ? -1 : 1;
	if (x->gap != y->gap)
		return x->gap > y->gap ? -1 : 1;
	return x->q->index < y->q->index ? -1 : x->q->index > y->q->index;
}

static int cmp_gapref(const void *a, const void *b)
{
	return cmp_gap(((const weft_assess_gapref *)a)->q, ((const weft_assess_gapref *)b)->q);
}

/* Gaps and PercentToTarget of a dimension at target t; weight of the
 * dimension in the overall mean wd_total (for points). */
static double dimension_ptt(const weft_assess_dresult *dr, int t)
{
	if (!dr->scored)
		return 0;
	double gsum = 0;
	for (size_t j = 0; j < dr->n_questions; j++) {
		const weft_assess_qresult *qr = &dr->questions[j];
		int L = qr->status == WEFT_ASSESS_ANSWERED ? qr->level : qr->counted_as_1 ? 1 : 0;
		if (L && t > L)
			gsum += (t - L) * qr->weight;
	}
	return 1.0 - gsum / (t * dr->applicable_weight);
}

double weft_assess_percent_to_target(const weft_assess_result *r, int target)
{
	if (!r || target < 1 || target > WEFT_ASSESS_LEVELS)
		return 0;
	double wd = 0, pct = 0;
	for (size_t i = 0; i < r->n_dims; i++) {
		const weft_assess_dresult *dr = &r->dims[i];
		if (!dr->scored)
			continue;
		wd += dr->weight;
		pct += dr->weight * dimension_ptt(dr, target);
	}
	return wd > 0 ? pct / wd : 0;
}

/* ---- the whole result ------------------------------------------------------------- */

static void fill_questions(result_priv *p, const weft_assess_model *m, const weft_assess_weights *w)
{
	weft_assess_result *r = &p->pub;
	for (size_t i = 0; i < m->n_dims; i++) {
		const weft_assess_dimension *dim = &m->dims[i];
		weft_assess_dresult *dr = &r->dims[i];
		for (size_t j = 0; j < dim->n_questions; j++) {
			const weft_assess_question *q = &dim->questions[j];
			const assess_rolled *x = &p->rolled[q->index];
			weft_assess_qresult *qr = &dr->questions[j];
			qr->q = q;
			qr->weight = assess_weights_question(w, m, q->index);
			qr->votes = x->votes;
			qr->n_votes = x->n_votes;
			if (!dr->in_scope)
				continue; /* nothing of an out-of-scope dimension is scored */
			qr->status = x->status;
			qr->level = x->status == WEFT_ASSESS_ANSWERED ? x->level : 0;
			if (qr->level) {
				qr->option = q->options[qr->level - 1].text;
				qr->improve = q->options[qr->level - 1].improve;
			}
			qr->reason = x->reason;
			qr->category = x->category;
			qr->note = x->note;
			qr->evidence = x->evidence;
			qr->n_evidence = x->n_evidence;
			qr->disagreement = x->disagreement;
			if (qr->status == WEFT_ASSESS_UNANSWERED)
				r->unanswered[r->n_unanswered++] = qr;
			if (qr->disagreement)
				r->disagreements[r->n_disagreements++] = qr;
		}
	}
}

static void overall(weft_assess_result *r, size_t n_answers)
{
	double wd = 0, sd = 0, cov = 0;
	int level = WEFT_ASSESS_LEVELS + 1;
	bool all_rated = true;
	for (size_t i = 0; i < r->n_dims; i++) {
		const weft_assess_dresult *dr = &r->dims[i];
		if (!dr->scored)
			continue; /* out of scope, or nothing applies */
		r->n_in_scope++;
		wd += dr->weight;
		sd += dr->weight * dr->score;
		cov += dr->weight * dr->coverage;
		if (dr->rated) {
			r->n_rated++;
			if (dr->level < level)
				level = dr->level;
		} else {
			all_rated = false;
		}
	}
	if (wd > 0) {
		r->scored = true;
		r->score = sd / wd;
		r->coverage = cov / wd;
	}
	size_t given = 0;
	for (size_t i = 0; i < r->n_dims; i++)
		given += r->dims[i].n_answered + r->dims[i].n_na;
	if (!n_answers || !given)
		r->why |= WEFT_ASSESS_WHY_NO_ANSWERS;
	else if (!r->n_in_scope)
		r->why |= WEFT_ASSESS_WHY_OUT_OF_SCOPE;
	else if (!all_rated)
		r->why |= WEFT_ASSESS_WHY_DIMENSIONS;
	if (!r->why) {
		r->rated = true;
		r->level = level;
	}
}

static void choose_target(weft_assess_result *r, const weft_assess_score_opts *o)
{
	if (o && o->target >= 1 && o->target <= WEFT_ASSESS_LEVELS) {
		r->target = o->target;
		r->target_explicit = true;
		r->target_from = WEFT_ASSESS_TARGET_OPTION;
		return;
	}
	/* the next level above the overall one; when not rated, above the lowest
	 * level any dimension's score reaches (1 when nothing is scored) */
	int base = r->rated ? r->level : WEFT_ASSESS_LEVELS + 1;
	for (size_t i = 0; !r->rated && i < r->n_dims; i++)
		if (r->dims[i].scored && r->dims[i].score_level < base)
			base = r->dims[i].score_level;
	if (base > WEFT_ASSESS_LEVELS)
		base = 1;
	r->target = base < WEFT_ASSESS_LEVELS ? base + 1 : WEFT_ASSESS_LEVELS;
	r->target_from = WEFT_ASSESS_TARGET_NEXT;
}

static int gaps(weft_assess_result *r)
{
	int t = r->target;
	double wd = 0, pct = 0;
	for (size_t i = 0; i < r->n_dims; i++)
		if (r->dims[i].scored)
			wd += r->dims[i].weight;
	for (size_t i = 0; i < r->n_dims; i++) {
		weft_assess_dresult *dr = &r->dims[i];
		if (!(dr->gaps = calloc(dr->n_questions ? dr->n_questions : 1, sizeof *dr->gaps)))
			return WEFT_ENOMEM;
		if (!dr->scored)
			continue;
		dr->percent_to_target = dimension_ptt(dr, t);
		pct += dr->weight * dr->percent_to_target;
		size_t first = r->n_gaps;
		for (size_t j = 0; j < dr->n_questions; j++) {
			weft_assess_qresult *qr = &dr->questions[j];
			if (qr->status != WEFT_ASSESS_ANSWERED)
				continue;
			qr->gap = t > qr->level ? t - qr->level : 0;
			qr->weighted_gap = qr->gap * qr->weight;
			if (!qr->gap)
				continue;
			qr->holds_level = dr->rated && qr->q->critical && qr->level <= dr->level;
			/* the question's share of the overall denominator target * wd */
			double share = dr->weight * qr->weight / dr->applicable_weight;
			qr->points = 100.0 * qr->gap * share / (t * wd);
			r->gaps[r->n_gaps++] = (weft_assess_gapref){ qr, dr };
		}
		/* the dimension's own order: the same rule over its slice */
		qsort(r->gaps + first, r->n_gaps - first, sizeof *r->gaps, cmp_gapref);
		for (size_t k = first; k < r->n_gaps; k++)
			dr->gaps[dr->n_gaps++] = (size_t)(r->gaps[k].q - dr->questions);
	}
	if (wd > 0)
		r->percent_to_target = pct / wd;
	qsort(r->gaps, r->n_gaps, sizeof *r->gaps, cmp_gapref);
	return WEFT_OK;
}

static int compute(result_priv *p, const weft_assess_model *m, const weft_assess_score_opts *o,
		   assess_alist answers, size_t n)
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
		weft_assess_dresult *dr = &r->dims[i];
		dr->dim = &m->dims[i];
		dr->weight = assess_weights_dim(w, m, i);
		dr->questions = calloc(m->dims[i].n_questions ? m->dims[i].n_questions : 1,
				       sizeof *dr->questions);
		if (!dr->questions)
			return WEFT_ENOMEM;
		dr->n_questions = m->dims[i].n_questions;
	}
	int err = decide_scope(p, m, answers, n);
	if (!err)
		err = assess_rollup(&p->rolled, m, answers, (const char *const *)p->labels,
				    (const bool *const *)p->scoped_out, n);
	if (err)
		return err;
	fill_questions(p, m, w);
	r->min_coverage = o && o->min_coverage > 0 ? o->min_coverage : m->min_coverage;
	for (size_t i = 0; i < m->n_dims; i++)
		score_dimension(&r->dims[i], r->min_coverage);
	overall(r, n);
	choose_target(r, o);
	return gaps(r);
}

static int provenance(result_priv *p, const weft_assess_score_opts *o)
{
	weft_assess_result *r = &p->pub;
	const weft_assess_weights *w = o ? o->weights : NULL;
	if (w) {
		r->weights_name = weft_assess_weights_name(w);
		r->weights_sha256 = weft_assess_weights_sha256(w);
		if (weft_assess_weights_changes(&r->weight_changes, &r->n_weight_changes, w))
			return WEFT_ENOMEM;
	}
	for (size_t i = 0; i < p->n_src; i++) {
		const weft_assess_answers *a = p->migrated[i];
		r->sources[i] = (weft_assess_source){ p->names[i], p->labels[i], a->date, a->sha256,
						      a->migrated_from };
		r->n_sources++;
		for (size_t k = 0; k < a->n_notes; k++)
			if (add_note(r, WEFT_ASSESS_NOTE_MIGRATION, "%s: %s", p->names[i], a->notes[k]))
				return WEFT_ENOMEM;
	}
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
	if (opts && opts->min_coverage != 0 && !(opts->min_coverage > 0 && opts->min_coverage <= 1)) {
		weft_diags_add(d, WEFT_SEV_ERROR, NULL, 0, 0, NULL,
			       "the minimum coverage must be above 0 and at most 1");
		return WEFT_EINVALID;
	}
	result_priv *p = calloc(1, sizeof *p);
	if (!p)
		return WEFT_ENOMEM;
	weft_assess_result *r = &p->pub;
	r->model = m;
	size_t n = n_answers;
	p->n_src = n;
	p->labels = calloc(n ? n : 1, sizeof *p->labels);
	p->names = calloc(n ? n : 1, sizeof *p->names);
	p->migrated = calloc(n ? n : 1, sizeof *p->migrated);
	p->scoped_out = calloc(n ? n : 1, sizeof *p->scoped_out);
	r->sources = calloc(n ? n : 1, sizeof *r->sources);
	int err = p->labels && p->names && p->migrated && p->scoped_out && r->sources ? WEFT_OK
										      : WEFT_ENOMEM;
	/* answers for an earlier model version are carried over first */
	for (size_t i = 0; !err && i < n; i++)
		if (weft_assess_answers_migrate(&p->migrated[i], answers[i], m, d))
			err = WEFT_EINVALID;
	assess_alist a = (assess_alist)p->migrated;
	for (size_t i = 0; !err && i < n; i++)
		if (weft_assess_answers_check(a[i], m, false, d))
			err = WEFT_EINVALID;
	if (!err)
		err = check_units(a, n, d);
	if (!err)
		err = check_duplicates(r, a, n, d);
	if (!err)
		err = make_labels(p, a, n);
	r->unit = n && !err ? a[0]->unit : NULL;
	if (!err)
		err = check_respondents(r, a, n,
					opts && opts->max_spread_days ? opts->max_spread_days
								      : WEFT_ASSESS_DEFAULT_MAX_SPREAD,
					d);
	if (!err)
		err = compute(p, m, opts, a, n);
	if (!err)
		err = provenance(p, opts);
	if (err) {
		if (err == WEFT_ENOMEM)
			weft_diags_add(d, WEFT_SEV_ERROR, NULL, 0, 0, NULL, "out of memory while scoring");
		weft_assess_result_free(r);
		return err;
	}
	*out = r;
	return WEFT_OK;
}
