/* test_assess_score.c - scoring on hand-computed cases with the mini model
 * (tests/fixtures/assess/mini.yaml):
 *
 *   alpha (weight 2): a1 w1 na-ok, a2 w2 critical, a3 w1 na-ok
 *   beta  (weight 1): b1 w1, b2 w3 na-ok
 *   gamma (weight 1): g1 w1 na-ok
 *
 * Every expected number below is worked out in the comment above it, from
 * the rules in docs/scoring.md, not taken from the program's output. */
#include <math.h>

#include "assess_test_util.h"

#define EPS 1e-9

static weft_assess_answers *kept[64];
static size_t n_kept;

static weft_assess_result *score(const weft_assess_model *m, const char *const *texts, size_t n,
				 int target, const weft_assess_weights *w, int expect_err)
{
	weft_diags *d;
	weft_diags_new(&d);
	weft_assess_answers *as[8] = { 0 };
	for (size_t i = 0; i < n; i++) {
		char name[32];
		snprintf(name, sizeof name, "r%zu.yaml", i + 1);
		as[i] = buffer_answers(name, texts[i]);
	}
	weft_assess_result *r = NULL;
	weft_assess_score_opts o = { target, w };
	int err = weft_assess_score(&r, m, (const weft_assess_answers *const *)as, n, &o, d);
	if (err != expect_err)
		weft_diags_print(d, stderr, false);
	cr_assert_eq(err, expect_err);
	/* results point into the answers: keep them until release() */
	for (size_t i = 0; i < n; i++) {
		cr_assert_lt(n_kept, 64);
		kept[n_kept++] = as[i];
	}
	weft_diags_free(d);
	return r;
}

/* Free a result and the answers it was scored from. */
static void release(weft_assess_result *r)
{
	weft_assess_result_free(r);
	for (size_t i = 0; i < n_kept; i++)
		weft_assess_answers_free(kept[i]);
	n_kept = 0;
}

static const char ann[] = /* the fixture mini-a.yaml */
	"model: mini\nmodel_version: \"2.1\"\nunit: Unit A\nrespondent: Ann\nanswers:\n"
	"  a1: {level: 4}\n  a2: {level: 2}\n  a3: {level: na, reason: r}\n"
	"  b1: {level: 3}\n  b2: {level: 4}\n  g1: {level: na, reason: r}\n";

static const weft_assess_qresult *qres(const weft_assess_result *r, const char *id)
{
	for (size_t i = 0; i < r->n_dims; i++)
		for (size_t j = 0; j < r->dims[i].n_questions; j++)
			if (!strcmp(r->dims[i].questions[j].q->id, id))
				return &r->dims[i].questions[j];
	cr_assert_fail("no question %s", id);
	return NULL;
}

Test(assess_score, na_reweighting_coverage_and_default_target)
{
	weft_assess_model *m = fixture_model(FIX("mini.yaml"));
	const char *t[] = { ann };
	weft_assess_result *r = score(m, t, 1, 0, NULL, 0);
	const weft_assess_dresult *alpha = &r->dims[0], *beta = &r->dims[1], *gamma = &r->dims[2];
	/* alpha: a3 is na and leaves the denominator: (1*4 + 2*2) / (1 + 2) = 8/3 */
	cr_assert(alpha->assessed);
	cr_assert_float_eq(alpha->score, 8.0 / 3.0, EPS);
	/* coverage: answered weight 3 of total 4 */
	cr_assert_float_eq(alpha->coverage, 0.75, EPS);
	cr_assert_float_eq(alpha->answered_weight, 3.0, EPS);
	cr_assert_float_eq(alpha->total_weight, 4.0, EPS);
	cr_assert_eq(alpha->n_answered, 2);
	cr_assert_eq(alpha->n_na, 1);
	/* floor(2.67) = 2; the critical a2 is at 2, not below: the score is the limit */
	cr_assert_eq(alpha->level, 2);
	cr_assert_eq(alpha->score_level, 2);
	cr_assert_str_eq(alpha->capped_by, "score");
	/* beta: (1*3 + 3*4) / 4 = 15/4 = 3.75 -> level 3 */
	cr_assert_float_eq(beta->score, 3.75, EPS);
	cr_assert_eq(beta->level, 3);
	cr_assert_float_eq(beta->coverage, 1.0, EPS);
	/* gamma: its only question is na: not assessed, coverage 0 */
	cr_assert_not(gamma->assessed);
	cr_assert_eq(gamma->level, 0);
	cr_assert_null(gamma->capped_by);
	cr_assert_float_eq(gamma->coverage, 0.0, EPS);
	/* overall level: min(2, 3) = 2, gamma left out */
	cr_assert(r->assessed);
	cr_assert_eq(r->level, 2);
	/* overall score: (2 * 8/3 + 1 * 3.75) / (2 + 1) = (16/3 + 15/4) / 3 = 109/36 */
	cr_assert_float_eq(r->score, 109.0 / 36.0, EPS);
	/* overall coverage over all dimensions: (2*0.75 + 1*1 + 1*0) / 4 = 0.625 */
	cr_assert_float_eq(r->coverage, 0.625, EPS);
	/* default target: level 2 + 1 */
	cr_assert_eq(r->target, 3);
	cr_assert_not(r->target_explicit);
	/* gaps to 3: only a2 (level 2, weight 2): gap 1, weighted 2.
	 * alpha: 1 - 2 / (3 * 3) = 7/9; beta: no gap, 1.
	 * overall: (2 * 7/9 + 1 * 1) / 3 = 23/27 */
	const weft_assess_qresult *a2 = qres(r, "a2");
	cr_assert_eq(a2->gap, 1);
	cr_assert_float_eq(a2->weighted_gap, 2.0, EPS);
	cr_assert_eq(qres(r, "a1")->gap, 0);
	cr_assert_float_eq(alpha->percent_to_target, 7.0 / 9.0, EPS);
	cr_assert_float_eq(beta->percent_to_target, 1.0, EPS);
	cr_assert_float_eq(r->percent_to_target, 23.0 / 27.0, EPS);
	/* a2's share of the overall denominator 3 * (2 + 1) = 9 is 2 * 2/3 = 4/3:
	 * closing its gap of 1 adds 100 * (4/3) / 9 = 400/27 points */
	cr_assert_float_eq(a2->points, 400.0 / 27.0, 1e-9);
	cr_assert_eq(r->n_gaps, 1);
	cr_assert_eq(r->gaps[0].q, a2);
	cr_assert_str_eq(a2->improve, "get to three");
	cr_assert_str_eq(a2->option, "two");
	cr_assert_eq(r->n_unanswered, 0);
	cr_assert_eq(r->n_disagreements, 0);
	release(r);
	weft_assess_model_free(m);
}

Test(assess_score, critical_question_caps_the_level)
{
	weft_assess_model *m = fixture_model(FIX("mini.yaml"));
	const char *t[] = { "model: mini\nmodel_version: \"2.1\"\nunit: U\nanswers:\n"
			    "  a1: {level: 5}\n  a2: {level: 1}\n  a3: {level: 5}\n  b1: {level: 4}\n" };
	weft_assess_result *r = score(m, t, 1, 0, NULL, 0);
	const weft_assess_dresult *alpha = &r->dims[0];
	/* alpha: (5 + 2*1 + 5) / 4 = 3.0 exactly -> the score alone gives 3,
	 * but the critical a2 is at 1: level 1, capped by a2 */
	cr_assert_float_eq(alpha->score, 3.0, EPS);
	cr_assert_eq(alpha->score_level, 3);
	cr_assert_eq(alpha->level, 1);
	cr_assert_str_eq(alpha->capped_by, "a2");
	cr_assert(qres(r, "a2")->critical_cap);
	cr_assert_not(qres(r, "a1")->critical_cap);
	/* beta: b1 alone, 4; b2 unanswered: coverage 1/4 */
	cr_assert_float_eq(r->dims[1].score, 4.0, EPS);
	cr_assert_float_eq(r->dims[1].coverage, 0.25, EPS);
	cr_assert_eq(r->dims[1].n_unanswered, 1);
	/* overall: min(1, 4) = 1; target 2 */
	cr_assert_eq(r->level, 1);
	cr_assert_eq(r->target, 2);
	/* unanswered: b2 and g1, in model order */
	cr_assert_eq(r->n_unanswered, 2);
	cr_assert_str_eq(r->unanswered[0]->q->id, "b2");
	cr_assert_str_eq(r->unanswered[1]->q->id, "g1");
	release(r);
	weft_assess_model_free(m);
}

Test(assess_score, explicit_target_gap_order_and_points)
{
	weft_assess_model *m = fixture_model(FIX("mini.yaml"));
	const char *t[] = { ann };
	weft_assess_result *r = score(m, t, 1, 5, NULL, 0);
	cr_assert_eq(r->target, 5);
	cr_assert(r->target_explicit);
	/* alpha: a1 gap 1 (w1), a2 gap 3 (w2): sum 1 + 6 = 7; denominator 5 * 3 = 15 */
	cr_assert_float_eq(r->dims[0].percent_to_target, 1.0 - 7.0 / 15.0, EPS);
	/* beta: b1 gap 2 (w1), b2 gap 1 (w3): 2 + 3 = 5; 5 * 4 = 20 -> 0.75 */
	cr_assert_float_eq(r->dims[1].percent_to_target, 0.75, EPS);
	/* overall: (2 * 8/15 + 1 * 0.75) / 3 */
	cr_assert_float_eq(r->percent_to_target, (2.0 * 8.0 / 15.0 + 0.75) / 3.0, EPS);
	/* within alpha: a2 (weighted 6) before a1 (1); within beta: b2 (3) before b1 (2) */
	cr_assert_eq(r->dims[0].n_gaps, 2);
	cr_assert_str_eq(r->dims[0].questions[r->dims[0].gaps[0]].q->id, "a2");
	cr_assert_str_eq(r->dims[0].questions[r->dims[0].gaps[1]].q->id, "a1");
	cr_assert_str_eq(r->dims[1].questions[r->dims[1].gaps[0]].q->id, "b2");
	cr_assert_str_eq(r->dims[1].questions[r->dims[1].gaps[1]].q->id, "b1");
	/* points, denominator 5 * 3 = 15:
	 *   a2: share 2*2/3, gap 3 -> 100 * 3 * (4/3) / 15 = 26.67
	 *   b2: share 1*3/4, gap 1 -> 100 * 0.75 / 15     = 5
	 *   a1: share 2*1/3, gap 1 -> 100 * (2/3) / 15    = 4.44
	 *   b1: share 1*1/4, gap 2 -> 100 * 0.5 / 15      = 3.33 */
	cr_assert_eq(r->n_gaps, 4);
	cr_assert_str_eq(r->gaps[0].q->q->id, "a2");
	cr_assert_str_eq(r->gaps[1].q->q->id, "b2");
	cr_assert_str_eq(r->gaps[2].q->q->id, "a1");
	cr_assert_str_eq(r->gaps[3].q->q->id, "b1");
	cr_assert_float_eq(r->gaps[0].q->points, 400.0 / 15.0, 1e-9);
	cr_assert_float_eq(r->gaps[1].q->points, 5.0, 1e-9);
	cr_assert_float_eq(r->gaps[2].q->points, 200.0 / 45.0, 1e-9);
	cr_assert_float_eq(r->gaps[3].q->points, 50.0 / 15.0, 1e-9);
	/* the points add up to what is missing overall */
	double sum = 0;
	for (size_t i = 0; i < r->n_gaps; i++)
		sum += r->gaps[i].q->points;
	cr_assert_float_eq(sum, 100.0 * (1.0 - r->percent_to_target), 1e-9);
	release(r);
	weft_assess_model_free(m);
}

Test(assess_score, target_at_or_below_every_level_means_no_gap)
{
	weft_assess_model *m = fixture_model(FIX("mini.yaml"));
	const char *t[] = { ann };
	weft_assess_result *r = score(m, t, 1, 1, NULL, 0);
	cr_assert_eq(r->n_gaps, 0);
	cr_assert_float_eq(r->percent_to_target, 1.0, EPS);
	release(r);
	/* all fives: the default target stays at 5, and 100% */
	const char *five[] = { "model: mini\nmodel_version: \"2.1\"\nunit: U\nanswers:\n"
			       "  a1: {level: 5}\n  a2: {level: 5}\n  b1: {level: 5}\n" };
	r = score(m, five, 1, 0, NULL, 0);
	cr_assert_eq(r->level, 5);
	cr_assert_eq(r->target, 5);
	cr_assert_float_eq(r->percent_to_target, 1.0, EPS);
	release(r);
	weft_assess_model_free(m);
}

Test(assess_score, median_rollup_with_disagreements)
{
	weft_assess_model *m = fixture_model(FIX("mini.yaml"));
	const char *t[] = {
		"model: mini\nmodel_version: \"2.1\"\nunit: U\nrespondent: R1\nanswers:\n"
		"  a1: {level: 2}\n  a2: {level: 3}\n  a3: {level: na, reason: x}\n  b1: {level: 1}\n"
		"  b2: {level: na, reason: x}\n  g1: {level: na, reason: first}\n",
		"model: mini\nmodel_version: \"2.1\"\nunit: U\nrespondent: R2\nanswers:\n"
		"  a1: {level: 4}\n  a2: {level: 3}\n  a3: {level: na, reason: y}\n  b1: {level: 5}\n"
		"  b2: {level: na, reason: y}\n",
		"model: mini\nmodel_version: \"2.1\"\nunit: U\nrespondent: R3\nanswers:\n"
		"  a1: {level: 3}\n  a2: {level: 4}\n  a3: {level: 2}\n"
		"  b2: {level: na, reason: z}\n  g1: {level: na, reason: third}\n",
	};
	weft_assess_result *r = score(m, t, 3, 0, NULL, 0);
	/* a1: {2, 4, 3} -> median 3; spread 2 -> disagreement */
	cr_assert_eq(qres(r, "a1")->level, 3);
	cr_assert(qres(r, "a1")->disagreement);
	/* a2: {3, 3, 4} -> 3; spread 1 -> no disagreement */
	cr_assert_eq(qres(r, "a2")->level, 3);
	cr_assert_not(qres(r, "a2")->disagreement);
	/* a3: na, na, 2 -> na answers ignored: 2 */
	cr_assert_eq(qres(r, "a3")->status, WEFT_ASSESS_ANSWERED);
	cr_assert_eq(qres(r, "a3")->level, 2);
	/* b1: {1, 5} (R3 left it out) -> low median 1; spread 4 */
	cr_assert_eq(qres(r, "b1")->level, 1);
	cr_assert(qres(r, "b1")->disagreement);
	/* b2: na from all three -> na, with the first reason */
	cr_assert_eq(qres(r, "b2")->status, WEFT_ASSESS_NA);
	cr_assert_str_eq(qres(r, "b2")->reason, "x");
	/* g1: na, unanswered, na -> not all na: unanswered */
	cr_assert_eq(qres(r, "g1")->status, WEFT_ASSESS_UNANSWERED);
	/* disagreements in model order, with who answered what */
	cr_assert_eq(r->n_disagreements, 2);
	const weft_assess_qresult *x = r->disagreements[1];
	cr_assert_str_eq(x->q->id, "b1");
	cr_assert_eq(x->n_votes, 3);
	cr_assert_str_eq(x->votes[0].respondent, "R1");
	cr_assert_eq(x->votes[0].level, 1);
	cr_assert_str_eq(x->votes[1].respondent, "R2");
	cr_assert_eq(x->votes[1].level, 5);
	cr_assert_eq(x->votes[2].status, WEFT_ASSESS_UNANSWERED);
	/* alpha: (3 + 2*3 + 2) / 4 = 11/4; beta: b1 = 1 alone, coverage 1/4 */
	cr_assert_float_eq(r->dims[0].score, 2.75, EPS);
	cr_assert_float_eq(r->dims[1].score, 1.0, EPS);
	cr_assert_float_eq(r->dims[1].coverage, 0.25, EPS);
	/* overall: level min(2, 1) = 1; score (2 * 2.75 + 1) / 3 = 6.5/3 */
	cr_assert_eq(r->level, 1);
	cr_assert_float_eq(r->score, 6.5 / 3.0, EPS);
	cr_assert_eq(r->n_sources, 3);
	cr_assert_str_eq(r->sources[2].respondent, "R3");
	release(r);
	weft_assess_model_free(m);
}

Test(assess_score, two_respondents_even_median_and_labels)
{
	weft_assess_model *m = fixture_model(FIX("mini.yaml"));
	/* same respondent name twice: the second gets its file name added;
	 * no respondent: the file name */
	const char *t[] = {
		"model: mini\nmodel_version: \"2.1\"\nunit: U\nrespondent: Sam\nanswers:\n  a1: {level: 2}\n",
		"model: mini\nmodel_version: \"2.1\"\nunit: U\nrespondent: Sam\nanswers:\n  a1: {level: 3}\n",
		"model: mini\nmodel_version: \"2.1\"\nunit: U\nanswers:\n  a1: {level: 4}\n  a2: {level: 5}\n",
		"model: mini\nmodel_version: \"2.1\"\nunit: U\nanswers:\n  a1: {level: 5}\n  a2: {level: 1}\n",
	};
	weft_assess_result *r = score(m, t, 4, 0, NULL, 0);
	/* a1: {2, 3, 4, 5} -> low median 3; a2: {5, 1} -> low median 1 */
	cr_assert_eq(qres(r, "a1")->level, 3);
	cr_assert_eq(qres(r, "a2")->level, 1);
	cr_assert_str_eq(r->sources[0].respondent, "Sam");
	cr_assert_str_eq(r->sources[1].respondent, "Sam (r2.yaml)");
	cr_assert_str_eq(r->sources[2].respondent, "r3.yaml");
	release(r);
	weft_assess_model_free(m);
}

Test(assess_score, different_units_are_an_error_at_the_unit)
{
	weft_assess_model *m = fixture_model(FIX("mini.yaml"));
	weft_diags *d;
	weft_diags_new(&d);
	weft_assess_answers *as[2];
	as[0] = buffer_answers("one.yaml", "model: mini\nmodel_version: \"2.1\"\nunit: Claims\nanswers: {}\n");
	/* "unit: Sales" on line 3, value at column 7 */
	as[1] = buffer_answers("two.yaml", "model: mini\nmodel_version: \"2.1\"\nunit: Sales\nanswers: {}\n");
	weft_assess_result *r = NULL;
	cr_assert_eq(weft_assess_score(&r, m, (const weft_assess_answers *const *)as, 2, NULL, d),
		     WEFT_EINVALID);
	cr_assert_null(r);
	assert_error_at(d, "two.yaml", 3, 7,
			"answers for unit 'Sales' cannot be rolled up with answers for unit 'Claims'");
	weft_diags_free(d);
	weft_assess_answers_free(as[0]);
	weft_assess_answers_free(as[1]);
	weft_assess_model_free(m);
}

Test(assess_score, weights_override)
{
	weft_assess_model *m = fixture_model(FIX("mini.yaml"));
	weft_diags *d;
	weft_diags_new(&d);
	const char *wt = "dimensions:\n  alpha: 1\nquestions:\n  b2: 1\n";
	weft_assess_weights *w = NULL;
	cr_assert_eq(weft_assess_weights_load_buffer(&w, "w.yaml", wt, strlen(wt), m, d), 0);
	const char *t[] = { ann };
	weft_assess_result *r = score(m, t, 1, 0, w, 0);
	/* beta with b2 at weight 1: (3 + 4) / 2 = 3.5 */
	cr_assert_float_eq(r->dims[1].score, 3.5, EPS);
	cr_assert_float_eq(qres(r, "b2")->weight, 1.0, EPS);
	/* alpha at weight 1: overall (8/3 + 3.5) / 2 = 37/12 */
	cr_assert_float_eq(r->dims[0].weight, 1.0, EPS);
	cr_assert_float_eq(r->score, 37.0 / 12.0, EPS);
	/* the model itself is unchanged */
	cr_assert_float_eq(m->dims[0].weight, 2.0, EPS);
	release(r);
	weft_assess_weights_free(w);
	weft_diags_free(d);
	weft_assess_model_free(m);
}

Test(assess_score, weights_file_errors_at_their_position)
{
	weft_assess_model *m = fixture_model(FIX("mini.yaml"));
	weft_diags *d;
	weft_diags_new(&d);
	const char *wt = "dimensions:\n"  /* 1 */
			 "  alpah: 2\n"   /* 2: unknown, key at column 3 */
			 "  a1: 2\n"      /* 3: a question under dimensions */
			 "questions:\n"   /* 4 */
			 "  b1: 0\n"      /* 5: value at column 7 */
			 "  b2: heavy\n"  /* 6 */
			 "weight: 3\n";   /* 7: unknown top-level key */
	weft_assess_weights *w = NULL;
	cr_assert_eq(weft_assess_weights_load_buffer(&w, "w.yaml", wt, strlen(wt), m, d), WEFT_EINVALID);
	cr_assert_null(w);
	assert_error_at(d, "w.yaml", 2, 3, "unknown dimension id 'alpah'");
	cr_assert_str_eq(diag_at(d, "w.yaml", 2, 3, "alpah")->hint, "did you mean 'alpha'?");
	assert_error_at(d, "w.yaml", 3, 3, "unknown dimension id 'a1'");
	assert_error_at(d, "w.yaml", 5, 7, "weight of 'b1': expected a number greater than 0");
	assert_error_at(d, "w.yaml", 6, 7, "weight of 'b2'");
	assert_error_at(d, "w.yaml", 7, 1, "unknown field 'weight'");
	cr_assert_eq(weft_diags_errors(d), 5);
	weft_diags_free(d);
	weft_assess_model_free(m);
}

Test(assess_score, rounding_does_not_lose_a_level)
{
	weft_assess_model *m = fixture_model(FIX("mini.yaml"));
	weft_diags *d;
	weft_diags_new(&d);
	/* weights 0.1, 0.2 and 0.3, all answered 3: (0.1*3 + 0.2*3 + 0.3*3) /
	 * (0.1 + 0.2 + 0.3) is 2.9999999999999996 in binary floating point; the
	 * level is still 3 */
	const char *wt = "questions:\n  a1: 0.1\n  a2: 0.2\n  a3: 0.3\n";
	weft_assess_weights *w = NULL;
	cr_assert_eq(weft_assess_weights_load_buffer(&w, "w.yaml", wt, strlen(wt), m, d), 0);
	const char *t[] = { "model: mini\nmodel_version: \"2.1\"\nunit: U\nanswers:\n  a1: {level: 3}\n  a2: {level: 3}\n  a3: {level: 3}\n" };
	weft_assess_result *r = score(m, t, 1, 0, w, 0);
	cr_assert_lt(r->dims[0].score, 3.0); /* the premise: the sum really is below 3 */
	cr_assert_eq(r->dims[0].level, 3);
	cr_assert_eq(weft_assess_score_level(2.9999999), 2); /* but not a real shortfall */
	cr_assert_eq(weft_assess_score_level(4.99999999999), 5);
	release(r);
	weft_assess_weights_free(w);
	weft_diags_free(d);
	weft_assess_model_free(m);
}

Test(assess_score, nothing_assessed)
{
	weft_assess_model *m = fixture_model(FIX("mini.yaml"));
	weft_assess_result *r = score(m, NULL, 0, 0, NULL, 0);
	cr_assert_not(r->assessed);
	cr_assert_eq(r->level, 0);
	cr_assert_eq(r->target, 2);
	cr_assert_eq(r->n_unanswered, 6);
	cr_assert_null(r->unit);
	release(r);
	/* all na: also nothing assessed, and nothing unanswered */
	const char *t[] = { "model: mini\nmodel_version: \"2.1\"\nunit: U\nanswers:\n"
			    "  a1: {level: na, reason: r}\n  a3: {level: na, reason: r}\n"
			    "  b2: {level: na, reason: r}\n  g1: {level: na, reason: r}\n" };
	r = score(m, t, 1, 0, NULL, 0);
	cr_assert_not(r->assessed);
	cr_assert_eq(r->n_unanswered, 2); /* a2 and b1 cannot be na and were not answered */
	cr_assert_float_eq(r->coverage, 0.0, EPS);
	release(r);
	weft_assess_model_free(m);
}

Test(assess_score, invalid_answers_are_refused_by_score)
{
	weft_assess_model *m = fixture_model(FIX("mini.yaml"));
	const char *t[] = { "model: mini\nmodel_version: \"9\"\nunit: U\nanswers: {}\n" };
	weft_assess_result *r = score(m, t, 1, 0, NULL, WEFT_EINVALID);
	cr_assert_null(r);
	weft_assess_model_free(m);
}
