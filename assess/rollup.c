/* rollup.c - several respondents' answers for one unit, rolled up per
 * question.
 *
 * Design choice: the median, low on ties, of the levels given (na and
 * unanswered left out), because one outlier respondent should not move a
 * unit's level and a tie should not round a unit up to a level half its
 * respondents did not see. A question is na when every respondent who
 * answered it said na. Disagreements (answered levels 2 or more apart, or na from one
 * respondent against a level from another: one says the thing exists, the
 * other that it does not) are flagged with every respondent's answer so the
 * assessor can settle them. A respondent who put a dimension out of scope
 * does not vote on its questions.
 */
#include <stdlib.h>
#include <string.h>

#include "assess_int.h"

void assess_rolled_free(assess_rolled *r, size_t n)
{
	if (!r)
		return;
	for (size_t i = 0; i < n; i++)
		free(r[i].votes);
	free(r);
}

int assess_rollup(assess_rolled **out, const weft_assess_model *m,
		  const weft_assess_answers *const *answers, const char *const *labels,
		  const bool *const *scoped_out, size_t n)
{
	*out = NULL;
	assess_rolled *r = calloc(m->n_questions ? m->n_questions : 1, sizeof *r);
	int *levels = malloc((n ? n : 1) * sizeof *levels);
	assess_aindex *ix = calloc(n ? n : 1, sizeof *ix);
	int err = r && levels && ix ? WEFT_OK : WEFT_ENOMEM;
	for (size_t f = 0; !err && f < n; f++)
		err = assess_aindex_build(&ix[f], answers[f]);
	if (err) {
		for (size_t f = 0; ix && f < n; f++)
			assess_aindex_free(&ix[f]);
		free(ix);
		free(r);
		free(levels);
		return WEFT_ENOMEM;
	}
	for (size_t qi = 0; qi < m->n_questions; qi++) {
		const weft_assess_question *q = m->questions[qi];
		assess_rolled *x = &r[qi];
		if (n && !(x->votes = calloc(n, sizeof *x->votes))) {
			assess_rolled_free(r, m->n_questions);
			r = NULL;
			err = WEFT_ENOMEM;
			break;
		}
		x->n_votes = n;
		size_t n_levels = 0, n_na = 0;
		const weft_assess_answer *single = NULL;
		const char *na_reason = NULL, *na_category = NULL;
		for (size_t f = 0; f < n; f++) {
			const weft_assess_answer *a = assess_aindex_find(&ix[f], q->id);
			weft_assess_vote *v = &x->votes[f];
			v->respondent = labels[f];
			if (scoped_out && scoped_out[f] && scoped_out[f][q->dim]) {
				v->out_of_scope = true;
				continue;
			}
			if (!a)
				continue;
			v->status = a->status;
			v->level = a->level;
			v->reason = a->reason;
			v->note = a->note;
			single = a;
			if (a->status == WEFT_ASSESS_ANSWERED) {
				/* insertion sort: respondents are few */
				size_t k = n_levels++;
				while (k > 0 && levels[k - 1] > a->level) {
					levels[k] = levels[k - 1];
					k--;
				}
				levels[k] = a->level;
			} else if (a->status == WEFT_ASSESS_NA) {
				if (!n_na++) {
					na_reason = a->reason;
					na_category = a->category;
				}
			}
		}
		if (n_levels) {
			x->status = WEFT_ASSESS_ANSWERED;
			x->level = levels[(n_levels - 1) / 2];
			x->disagreement = levels[n_levels - 1] - levels[0] >= 2 || n_na > 0;
		} else if (n_na) {
			/* na only when every respondent who answered said na */
			x->status = WEFT_ASSESS_NA;
			x->reason = na_reason;
			x->category = na_category;
		}
		if (n == 1 && single) {
			x->note = single->note;
			x->evidence = single->evidence;
			x->n_evidence = single->n_evidence;
		}
	}
	for (size_t f = 0; f < n; f++)
		assess_aindex_free(&ix[f]);
	free(ix);
	free(levels);
	*out = r;
	return err;
}
