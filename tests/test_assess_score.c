/* test_assess_score.c - scoring on hand-computed cases with the mini model
 * (tests/fixtures/assess/mini.yaml):
 *
 *   alpha (weight 2): a1 w1 na-ok, a2 w2 critical, a3 w1 na-ok
 *   beta  (weight 1): b1 w1, b2 w3 na-ok
 *   gamma (weight 1): g1 w1 na-ok
 *
 * and two small models of its own (tests/fixtures/assess/score/):
 * half-coverage.yaml (min_coverage 0.5; main: q1..q4, all w1) and
 * scoped.yaml (core: c1 w1, c2 w1 critical; edge, optional: e1 w1, e2 w1).
 *
 * Every expected number below is worked out in the comment above it, from
 * the rules (the top of assess/score.c, docs/scoring.md), not taken from the
 * program's output:
 *   applicable = questions not na; coverage = answered / applicable weight;
 *   dimension score = sum(w * level) / applicable weight, unanswered as 1;
 *   a dimension is rated only with coverage >= min_coverage (default 0.8)
 *   and every critical question answered; its level is then
 *   min(floor(score), lowest critical level); overall level = lowest level
 *   of the scored dimensions, rated only when all of them are;
 *   gap = max(0, target - level); PercentToTarget = 1 - sum(gap * w) /
 *   (target * applicable weight), overall the dimension-weight mean. */
#include <math.h>

#include "assess_test_util.h"

#define EPS 1e-9

static weft_assess_answers *kept[64];
static size_t n_kept;

/* Score texts (named names[i], or r1.yaml, r2.yaml, ... when names is
 * NULL) with opts o (may be NULL); expect_err is the return expected. The
 * diagnostics go to *dout when given (the caller frees them). */
static weft_assess_result *score_with(const weft_assess_model *m, const char *const *names,
				      const char *const *texts, size_t n,
				      const weft_assess_score_opts *o, int expect_err,
				      weft_diags **dout)
{
	weft_diags *d;
	weft_diags_new(&d);
	weft_assess_answers *as[8] = { 0 };
	cr_assert_leq(n, 8);
	for (size_t i = 0; i < n; i++) {
		char name[32];
		snprintf(name, sizeof name, "r%zu.yaml", i + 1);
		as[i] = buffer_answers(names ? names[i] : name, texts[i]);
	}
	weft_assess_result *r = NULL;
	int err = weft_assess_score(&r, m, (const weft_assess_answers *const *)as, n, o, d);
	if (err != expect_err)
		weft_diags_print(d, stderr, false);
	cr_assert_eq(err, expect_err);
	if (err)
		cr_assert_null(r);
	/* results point into the answers: keep them until release() */
	for (size_t i = 0; i < n; i++) {
		cr_assert_lt(n_kept, 64);
		kept[n_kept++] = as[i];
	}
	if (dout)
		*dout = d;
	else
		weft_diags_free(d);
	return r;
}

static weft_assess_result *score(const weft_assess_model *m, const char *const *texts, size_t n,
				 int target, const weft_assess_weights *w, int expect_err)
{
	weft_assess_score_opts o = { .target = target, .weights = w };
	return score_with(m, NULL, texts, n, &o, expect_err, NULL);
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

/* a3 left unanswered: alpha is 75% covered (see min_coverage_option) */
static const char three_quarters[] =
	"model: mini\nmodel_version: \"2.1\"\nunit: U\nanswers:\n"
	"  a1: {level: 4}\n  a2: {level: 2}\n"
	"  b1: {level: 3}\n  b2: {level: 4}\n  g1: {level: na, reason: r}\n";

/* alpha capped by a2, beta and gamma mostly unanswered (see
 * critical_question_caps_the_level) */
static const char capped[] = "model: mini\nmodel_version: \"2.1\"\nunit: U\nanswers:\n"
			     "  a1: {level: 5}\n  a2: {level: 1}\n  a3: {level: 5}\n  b1: {level: 4}\n";

static const weft_assess_qresult *qres(const weft_assess_result *r, const char *id)
{
	for (size_t i = 0; i < r->n_dims; i++)
		for (size_t j = 0; j < r->dims[i].n_questions; j++)
			if (!strcmp(r->dims[i].questions[j].q->id, id))
				return &r->dims[i].questions[j];
	cr_assert_fail("no question %s", id);
	return NULL;
}

/* The warning at exactly path:line:col whose message contains needle. */
static const weft_diag *warning_at(const weft_diags *d, const char *path, int line, int col,
				   const char *needle)
{
	for (size_t i = 0; i < weft_diags_count(d); i++) {
		const weft_diag *g = weft_diags_get(d, i);
		if (g->severity == WEFT_SEV_WARNING && g->line == line && g->col == col &&
		    g->path && !strcmp(g->path, path) && g->message && strstr(g->message, needle))
			return g;
	}
	return NULL;
}

#define assert_warning_at(d, path, line, col, needle)                                              \
	do {                                                                                       \
		if (!warning_at((d), (path), (line), (col), (needle))) {                           \
			char *all_ = diags_text(d);                                                \
			cr_assert_fail("no warning at %s:%d:%d containing \"%s\"; got:\n%s", (path), \
				       (line), (col), (needle), all_);                             \
		}                                                                                  \
	} while (0)

static size_t n_warnings(const weft_diags *d)
{
	size_t n = 0;
	for (size_t i = 0; i < weft_diags_count(d); i++)
		n += weft_diags_get(d, i)->severity == WEFT_SEV_WARNING;
	return n;
}

/* The notes of one kind: how many, and the first one's text. */
static size_t notes_of(const weft_assess_result *r, weft_assess_note_kind kind, const char **first)
{
	size_t n = 0;
	if (first)
		*first = NULL;
	for (size_t i = 0; i < r->n_notes; i++) {
		if (r->notes[i].kind != kind)
			continue;
		if (!n++ && first)
			*first = r->notes[i].text;
	}
	return n;
}

/* weft_assess_explain's sentence for dr (NULL: the overall one), checked. */
#define assert_explain(r, dr, expected)                                                            \
	do {                                                                                       \
		weft_buf b_ = WEFT_BUF_INIT;                                                       \
		weft_assess_explain(&b_, (r), (dr));                                               \
		cr_assert_str_eq(b_.ptr ? b_.ptr : "", (expected));                               \
		weft_buf_free(&b_);                                                                \
	} while (0)

/* weft_assess_gate_check's verdict and text. */
static int gate(const weft_assess_result *r, int level, double score, double cov, char **why)
{
	weft_assess_gate g = { level, score, cov };
	weft_buf b = WEFT_BUF_INIT;
	int rc = weft_assess_gate_check(r, &g, &b);
	*why = strdup(b.ptr ? b.ptr : "");
	weft_buf_free(&b);
	return rc;
}

Test(assess_score, na_reweighting_coverage_and_default_target)
{
	weft_assess_model *m = fixture_model(FIX("mini.yaml"));
	const char *t[] = { ann };
	weft_assess_result *r = score(m, t, 1, 0, NULL, 0);
	const weft_assess_dresult *alpha = &r->dims[0], *beta = &r->dims[1], *gamma = &r->dims[2];
	/* alpha: a3 is na and leaves the applicable weight: (1*4 + 2*2) / (1 + 2) = 8/3 */
	cr_assert(alpha->in_scope);
	cr_assert(alpha->scored);
	cr_assert(alpha->rated);
	cr_assert_eq(alpha->why, 0);
	cr_assert_float_eq(alpha->score, 8.0 / 3.0, EPS);
	/* coverage: answered weight 3 of applicable weight 3 (the na does not
	 * lower it); total weight 4 */
	cr_assert_float_eq(alpha->coverage, 1.0, EPS);
	cr_assert_float_eq(alpha->answered_weight, 3.0, EPS);
	cr_assert_float_eq(alpha->applicable_weight, 3.0, EPS);
	cr_assert_float_eq(alpha->total_weight, 4.0, EPS);
	cr_assert_eq(alpha->n_answered, 2);
	cr_assert_eq(alpha->n_na, 1);
	cr_assert_eq(alpha->n_unanswered, 0);
	cr_assert_null(alpha->critical_unanswered);
	/* floor(2.67) = 2; the critical a2 is at 2, not below: the score is the limit */
	cr_assert_eq(alpha->level, 2);
	cr_assert_eq(alpha->score_level, 2);
	cr_assert_eq(alpha->cap.kind, WEFT_ASSESS_CAP_SCORE);
	cr_assert_null(alpha->cap.question);
	cr_assert_not(qres(r, "a2")->critical_cap);
	/* beta: (1*3 + 3*4) / 4 = 15/4 = 3.75 -> level 3 */
	cr_assert_float_eq(beta->score, 3.75, EPS);
	cr_assert_eq(beta->level, 3);
	cr_assert_float_eq(beta->coverage, 1.0, EPS);
	cr_assert_eq(beta->cap.kind, WEFT_ASSESS_CAP_SCORE);
	/* gamma: its only question is na: nothing applies, so no score, no
	 * level, and it is left out of the overall */
	cr_assert(gamma->in_scope);
	cr_assert_not(gamma->scored);
	cr_assert_not(gamma->rated);
	cr_assert_eq(gamma->why, WEFT_ASSESS_WHY_ALL_NA);
	cr_assert_eq(gamma->level, 0);
	cr_assert_eq(gamma->score_level, 0);
	cr_assert_eq(gamma->cap.kind, 0);
	cr_assert_float_eq(gamma->applicable_weight, 0.0, EPS);
	cr_assert_float_eq(gamma->coverage, 0.0, EPS);
	/* overall level: min(2, 3) = 2, gamma left out: 2 scored dimensions,
	 * both rated */
	cr_assert(r->rated);
	cr_assert(r->scored);
	cr_assert_eq(r->why, 0);
	cr_assert_eq(r->level, 2);
	cr_assert_eq(r->n_in_scope, 2);
	cr_assert_eq(r->n_rated, 2);
	/* overall score: (2 * 8/3 + 1 * 3.75) / (2 + 1) = (16/3 + 15/4) / 3 = 109/36 */
	cr_assert_float_eq(r->score, 109.0 / 36.0, EPS);
	/* overall coverage over the scored dimensions: (2*1 + 1*1) / 3 = 1 */
	cr_assert_float_eq(r->coverage, 1.0, EPS);
	cr_assert_float_eq(r->min_coverage, 0.8, EPS);
	/* default target: level 2 + 1 */
	cr_assert_eq(r->target, 3);
	cr_assert_not(r->target_explicit);
	cr_assert_eq(r->target_from, WEFT_ASSESS_TARGET_NEXT);
	/* gaps to 3: only a2 (level 2, weight 2): gap 1, weighted 2.
	 * alpha: 1 - 2 / (3 * 3) = 7/9; beta: no gap, 1.
	 * overall: (2 * 7/9 + 1 * 1) / 3 = 23/27 */
	const weft_assess_qresult *a2 = qres(r, "a2");
	cr_assert_eq(a2->gap, 1);
	cr_assert_float_eq(a2->weighted_gap, 2.0, EPS);
	cr_assert_eq(qres(r, "a1")->gap, 0);
	cr_assert_float_eq(alpha->percent_to_target, 7.0 / 9.0, EPS);
	cr_assert_float_eq(beta->percent_to_target, 1.0, EPS);
	cr_assert_float_eq(gamma->percent_to_target, 0.0, EPS);
	cr_assert_float_eq(r->percent_to_target, 23.0 / 27.0, EPS);
	/* a2's share of the overall denominator 3 * (2 + 1) = 9 is 2 * 2/3 = 4/3:
	 * closing its gap of 1 adds 100 * (4/3) / 9 = 400/27 points, which is
	 * all that is missing: 100 * (1 - 23/27) = 400/27 */
	cr_assert_float_eq(a2->points, 400.0 / 27.0, 1e-9);
	cr_assert_float_eq(a2->points, 100.0 * (1.0 - r->percent_to_target), 1e-9);
	/* a2 is critical and at alpha's level 2, below the target: it holds it */
	cr_assert(a2->holds_level);
	cr_assert_eq(r->n_gaps, 1);
	cr_assert_eq(r->gaps[0].q, a2);
	cr_assert_eq(r->gaps[0].d, alpha);
	cr_assert_str_eq(a2->improve, "get to three");
	cr_assert_str_eq(a2->option, "two");
	cr_assert_not(a2->counted_as_1);
	cr_assert_eq(r->n_unanswered, 0);
	cr_assert_eq(r->n_disagreements, 0);
	cr_assert_eq(r->n_notes, 0);
	release(r);
	weft_assess_model_free(m);
}

Test(assess_score, critical_question_caps_the_level)
{
	weft_assess_model *m = fixture_model(FIX("mini.yaml"));
	const char *t[] = { capped };
	weft_assess_result *r = score(m, t, 1, 0, NULL, 0);
	const weft_assess_dresult *alpha = &r->dims[0], *beta = &r->dims[1], *gamma = &r->dims[2];
	/* alpha: (5 + 2*1 + 5) / 4 = 3.0 exactly -> the score alone gives 3,
	 * but the critical a2 is at 1: level 1, capped by a2 */
	cr_assert(alpha->rated);
	cr_assert_float_eq(alpha->coverage, 1.0, EPS);
	cr_assert_float_eq(alpha->score, 3.0, EPS);
	cr_assert_eq(alpha->score_level, 3);
	cr_assert_eq(alpha->level, 1);
	cr_assert_eq(alpha->cap.kind, WEFT_ASSESS_CAP_CRITICAL);
	cr_assert_eq(alpha->cap.question, weft_assess_model_question(m, "a2"));
	cr_assert(qres(r, "a2")->critical_cap);
	cr_assert_not(qres(r, "a1")->critical_cap);
	/* beta: b1 4, b2 (w3) unanswered counts as 1: (1*4 + 3*1) / 4 = 7/4;
	 * coverage 1/4 < 0.8: not rated, but scored; floor(1.75) = 1 */
	cr_assert(beta->scored);
	cr_assert_not(beta->rated);
	cr_assert_eq(beta->why, WEFT_ASSESS_WHY_COVERAGE);
	cr_assert_float_eq(beta->score, 1.75, EPS);
	cr_assert_eq(beta->score_level, 1);
	cr_assert_eq(beta->level, 0);
	cr_assert_eq(beta->cap.kind, 0);
	cr_assert_float_eq(beta->coverage, 0.25, EPS);
	cr_assert_float_eq(beta->answered_weight, 1.0, EPS);
	cr_assert_float_eq(beta->applicable_weight, 4.0, EPS);
	cr_assert_eq(beta->n_unanswered, 1);
	cr_assert(qres(r, "b2")->counted_as_1);
	cr_assert_not(qres(r, "b1")->counted_as_1);
	/* gamma: g1 unanswered: score 1 (counted as 1), coverage 0/1: not rated */
	cr_assert(gamma->scored);
	cr_assert_not(gamma->rated);
	cr_assert_eq(gamma->why, WEFT_ASSESS_WHY_COVERAGE);
	cr_assert_float_eq(gamma->score, 1.0, EPS);
	cr_assert_float_eq(gamma->coverage, 0.0, EPS);
	/* overall: beta and gamma are scored but not rated: not rated */
	cr_assert_not(r->rated);
	cr_assert(r->scored);
	cr_assert_eq(r->why, WEFT_ASSESS_WHY_DIMENSIONS);
	cr_assert_eq(r->level, 0);
	cr_assert_eq(r->n_in_scope, 3);
	cr_assert_eq(r->n_rated, 1);
	/* score (2*3 + 1*1.75 + 1*1) / 4 = 8.75/4 = 2.1875;
	 * coverage (2*1 + 1*0.25 + 1*0) / 4 = 0.5625 */
	cr_assert_float_eq(r->score, 2.1875, EPS);
	cr_assert_float_eq(r->coverage, 0.5625, EPS);
	/* target when not rated: 1 + the lowest score_level (3, 1, 1) = 2 */
	cr_assert_eq(r->target, 2);
	cr_assert_eq(r->target_from, WEFT_ASSESS_TARGET_NEXT);
	/* unanswered: b2 and g1, in model order */
	cr_assert_eq(r->n_unanswered, 2);
	cr_assert_str_eq(r->unanswered[0]->q->id, "b2");
	cr_assert_str_eq(r->unanswered[1]->q->id, "g1");
	/* PercentToTarget at 2, the unanswered counted as 1:
	 *   alpha: a2 gap 1 * w2 = 2; 1 - 2 / (2*4) = 3/4
	 *   beta:  b2 gap 1 * w3 = 3; 1 - 3 / (2*4) = 5/8
	 *   gamma: g1 gap 1 * w1 = 1; 1 - 1 / (2*1) = 1/2
	 *   overall (2*3/4 + 5/8 + 1/2) / 4 = 2.625 / 4 = 0.65625 */
	cr_assert_float_eq(alpha->percent_to_target, 0.75, EPS);
	cr_assert_float_eq(beta->percent_to_target, 0.625, EPS);
	cr_assert_float_eq(gamma->percent_to_target, 0.5, EPS);
	cr_assert_float_eq(r->percent_to_target, 0.65625, EPS);
	/* gaps: only answered questions have one. a2: share 2*2/4 = 1, points
	 * 100 * 1 * 1 / (2*4) = 12.5; a2 is critical at alpha's level 1: it
	 * holds it. The unanswered b2 and g1 have gap 0 and no points. */
	const weft_assess_qresult *a2 = qres(r, "a2"), *b2 = qres(r, "b2"), *g1 = qres(r, "g1");
	cr_assert_eq(r->n_gaps, 1);
	cr_assert_eq(r->gaps[0].q, a2);
	cr_assert(a2->holds_level);
	cr_assert_float_eq(a2->points, 12.5, 1e-9);
	cr_assert_eq(b2->gap, 0);
	cr_assert_float_eq(b2->points, 0.0, EPS);
	cr_assert_eq(g1->gap, 0);
	cr_assert_eq(beta->n_gaps, 0);
	/* so with unanswered questions the points do NOT add up to what is
	 * missing: 12.5 against 100 * (1 - 0.65625) = 34.375. The difference is
	 * what the counted-as-1 questions miss: b2 100 * 1 * (1*3/4) / 8 = 9.375
	 * and g1 100 * 1 * (1*1/1) / 8 = 12.5, 21.875 together. */
	cr_assert_float_eq(100.0 * (1.0 - r->percent_to_target), 34.375, 1e-9);
	cr_assert_float_eq(a2->points + 9.375 + 12.5, 100.0 * (1.0 - r->percent_to_target), 1e-9);
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
	cr_assert_eq(r->target_from, WEFT_ASSESS_TARGET_OPTION);
	/* alpha: a1 gap 1 (w1), a2 gap 3 (w2): sum 1 + 6 = 7; denominator 5 * 3 = 15 */
	cr_assert_float_eq(r->dims[0].percent_to_target, 1.0 - 7.0 / 15.0, EPS);
	/* beta: b1 gap 2 (w1), b2 gap 1 (w3): 2 + 3 = 5; 5 * 4 = 20 -> 0.75 */
	cr_assert_float_eq(r->dims[1].percent_to_target, 0.75, EPS);
	/* overall: (2 * 8/15 + 1 * 3/4) / 3 = (64/60 + 45/60) / 3 = 109/180 */
	cr_assert_float_eq(r->percent_to_target, 109.0 / 180.0, EPS);
	/* within alpha: a2 (critical at alpha's level: holds it) before a1;
	 * within beta: b2 (5 points) before b1 (3.33) */
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
	cr_assert(r->gaps[0].q->holds_level);
	cr_assert_not(r->gaps[1].q->holds_level);
	/* nothing unanswered: the points add up to what is missing overall,
	 * (1200 + 225 + 200 + 150) / 45 = 1775/45 = 100 * 71/180 */
	double sum = 0;
	for (size_t i = 0; i < r->n_gaps; i++)
		sum += r->gaps[i].q->points;
	cr_assert_float_eq(sum, 1775.0 / 45.0, 1e-9);
	cr_assert_float_eq(sum, 100.0 * (1.0 - r->percent_to_target), 1e-9);
	/* PercentToTarget at other targets, the same way:
	 *   at 5 (r's own): 109/180
	 *   at 3: alpha 7/9, beta 1 (see the first test): 23/27
	 *   at 4: alpha a2 gap 2 * w2 = 4: 1 - 4/12 = 2/3; beta b1 gap 1: 1 - 1/16
	 *         = 15/16; (2 * 2/3 + 15/16) / 3 = (64/48 + 45/48) / 3 = 109/144
	 *   at 1: nothing below: 1; out of range: 0 */
	cr_assert_float_eq(weft_assess_percent_to_target(r, r->target), r->percent_to_target, EPS);
	cr_assert_float_eq(weft_assess_percent_to_target(r, 5), 109.0 / 180.0, EPS);
	cr_assert_float_eq(weft_assess_percent_to_target(r, 3), 23.0 / 27.0, EPS);
	cr_assert_float_eq(weft_assess_percent_to_target(r, 4), 109.0 / 144.0, EPS);
	cr_assert_float_eq(weft_assess_percent_to_target(r, 1), 1.0, EPS);
	cr_assert_float_eq(weft_assess_percent_to_target(r, 0), 0.0, EPS);
	cr_assert_float_eq(weft_assess_percent_to_target(r, 6), 0.0, EPS);
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
	/* every question at 5: the default target stays at 5, and 100% */
	const char *five[] = { "model: mini\nmodel_version: \"2.1\"\nunit: U\nanswers:\n"
			       "  a1: {level: 5}\n  a2: {level: 5}\n  a3: {level: 5}\n"
			       "  b1: {level: 5}\n  b2: {level: 5}\n  g1: {level: 5}\n" };
	r = score(m, five, 1, 0, NULL, 0);
	cr_assert(r->rated);
	cr_assert_eq(r->level, 5);
	cr_assert_eq(r->target, 5);
	cr_assert_float_eq(r->percent_to_target, 1.0, EPS);
	release(r);
	/* only a1, a2 and b1 at 5: the rest counts as 1, so answering less
	 * never rates high:
	 *   alpha (5 + 2*5 + 1) / 4 = 4, coverage 3/4: not rated
	 *   beta  (5 + 3*1) / 4 = 2, coverage 1/4: not rated
	 *   gamma 1, coverage 0: not rated
	 * target: 1 + min(4, 2, 1) = 2. PercentToTarget at 2:
	 *   alpha a3 1 - 1/8 = 7/8, beta b2 1 - 3/8 = 5/8, gamma 1 - 1/2 = 1/2;
	 *   (2 * 7/8 + 5/8 + 4/8) / 4 = (23/8) / 4 = 23/32
	 * and no gaps at all: every answered question is above 2 */
	const char *some[] = { "model: mini\nmodel_version: \"2.1\"\nunit: U\nanswers:\n"
			       "  a1: {level: 5}\n  a2: {level: 5}\n  b1: {level: 5}\n" };
	r = score(m, some, 1, 0, NULL, 0);
	cr_assert_not(r->rated);
	cr_assert_eq(r->level, 0);
	cr_assert_float_eq(r->dims[0].score, 4.0, EPS);
	cr_assert_float_eq(r->dims[0].coverage, 0.75, EPS);
	cr_assert_not(r->dims[0].rated);
	cr_assert_float_eq(r->dims[1].score, 2.0, EPS);
	cr_assert_float_eq(r->dims[2].score, 1.0, EPS);
	cr_assert_eq(r->target, 2);
	cr_assert_float_eq(r->percent_to_target, 23.0 / 32.0, EPS);
	cr_assert_eq(r->n_gaps, 0);
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
		"  b2: {level: na, reason: y}\n  g1: {level: na, reason: second}\n",
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
	/* a3: na, na, 2 -> the level is scored: 2; but na against a level is a
	 * disagreement */
	cr_assert_eq(qres(r, "a3")->status, WEFT_ASSESS_ANSWERED);
	cr_assert_eq(qres(r, "a3")->level, 2);
	cr_assert(qres(r, "a3")->disagreement);
	/* b1: {1, 5} (R3 left it out) -> low median 1; spread 4 */
	cr_assert_eq(qres(r, "b1")->level, 1);
	cr_assert(qres(r, "b1")->disagreement);
	/* b2: na from all three -> na, with the first reason */
	cr_assert_eq(qres(r, "b2")->status, WEFT_ASSESS_NA);
	cr_assert_str_eq(qres(r, "b2")->reason, "x");
	cr_assert_not(qres(r, "b2")->disagreement);
	/* g1: na from all three -> na, reason "first"; gamma has nothing that applies */
	cr_assert_eq(qres(r, "g1")->status, WEFT_ASSESS_NA);
	cr_assert_str_eq(qres(r, "g1")->reason, "first");
	cr_assert_eq(r->dims[2].why, WEFT_ASSESS_WHY_ALL_NA);
	/* disagreements in model order: a1, a3, b1, with who answered what */
	cr_assert_eq(r->n_disagreements, 3);
	cr_assert_str_eq(r->disagreements[0]->q->id, "a1");
	cr_assert_str_eq(r->disagreements[1]->q->id, "a3");
	const weft_assess_qresult *x = r->disagreements[2];
	cr_assert_str_eq(x->q->id, "b1");
	cr_assert_eq(x->n_votes, 3);
	cr_assert_str_eq(x->votes[0].respondent, "R1");
	cr_assert_eq(x->votes[0].status, WEFT_ASSESS_ANSWERED);
	cr_assert_eq(x->votes[0].level, 1);
	cr_assert_str_eq(x->votes[1].respondent, "R2");
	cr_assert_eq(x->votes[1].level, 5);
	cr_assert_str_eq(x->votes[2].respondent, "R3");
	cr_assert_eq(x->votes[2].status, WEFT_ASSESS_UNANSWERED);
	cr_assert_not(x->votes[2].out_of_scope);
	/* alpha: (3 + 2*3 + 2) / 4 = 11/4 -> level 2, coverage 4/4;
	 * beta: b2 na, b1 = 1 alone: score 1, coverage 1/1 -> level 1 */
	cr_assert_float_eq(r->dims[0].score, 2.75, EPS);
	cr_assert_eq(r->dims[0].level, 2);
	cr_assert_float_eq(r->dims[1].score, 1.0, EPS);
	cr_assert_float_eq(r->dims[1].coverage, 1.0, EPS);
	cr_assert_eq(r->dims[1].level, 1);
	/* overall: level min(2, 1) = 1; score (2 * 2.75 + 1) / 3 = 6.5/3 */
	cr_assert(r->rated);
	cr_assert_eq(r->level, 1);
	cr_assert_float_eq(r->score, 6.5 / 3.0, EPS);
	cr_assert_eq(r->n_sources, 3);
	cr_assert_str_eq(r->sources[2].respondent, "R3");
	cr_assert_eq(r->n_notes, 0);
	release(r);
	weft_assess_model_free(m);
}

/* docs/scoring.md: "A question is na only when every respondent who
 * answered it said na" - one who left it out does not stop it being na.
 * (The top comment of assess/rollup.c and weft_assess_score's comment in
 * weft_assess.h still say "every respondent".) */
Test(assess_score, na_and_unanswered_roll_up_to_na)
{
	weft_assess_model *m = fixture_model(FIX("mini.yaml"));
	const char *t[] = {
		"model: mini\nmodel_version: \"2.1\"\nunit: U\nrespondent: R1\nanswers:\n"
		"  a1: {level: 2}\n  g1: {level: na, reason: first}\n",
		"model: mini\nmodel_version: \"2.1\"\nunit: U\nrespondent: R2\nanswers:\n"
		"  a1: {level: 3}\n",
		"model: mini\nmodel_version: \"2.1\"\nunit: U\nrespondent: R3\nanswers:\n"
		"  a1: {level: 4}\n  g1: {level: na, reason: third}\n",
	};
	weft_assess_result *r = score(m, t, 3, 0, NULL, 0);
	/* g1: na, unanswered, na -> everyone who answered said na: na, with the
	 * first reason; no level against it, so no disagreement */
	const weft_assess_qresult *g1 = qres(r, "g1");
	cr_assert_eq(g1->status, WEFT_ASSESS_NA);
	cr_assert_str_eq(g1->reason, "first");
	cr_assert_not(g1->disagreement);
	cr_assert_eq(g1->votes[1].status, WEFT_ASSESS_UNANSWERED);
	/* gamma: nothing applies: left out */
	cr_assert_not(r->dims[2].scored);
	cr_assert_eq(r->dims[2].why, WEFT_ASSESS_WHY_ALL_NA);
	/* a1: {2, 3, 4} -> 3; spread 2 */
	cr_assert_eq(qres(r, "a1")->level, 3);
	cr_assert(qres(r, "a1")->disagreement);
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
	cr_assert_str_eq(r->sources[3].respondent, "r4.yaml");
	/* Sam twice: one respondent note (the two without a name are not one) */
	const char *note;
	cr_assert_eq(notes_of(r, WEFT_ASSESS_NOTE_RESPONDENT, &note), 1);
	cr_assert_str_eq(note, "r1.yaml and r2.yaml are both answered by Sam; each file counts as a "
			       "separate respondent.");
	release(r);
	weft_assess_model_free(m);
}

Test(assess_score, na_against_a_level_is_a_disagreement)
{
	weft_assess_model *m = fixture_model(FIX("mini.yaml"));
	const char *t[] = {
		"model: mini\nmodel_version: \"2.1\"\nunit: U\nrespondent: R1\nanswers:\n"
		"  a1: {level: 4}\n  a2: {level: 3}\n  a3: {level: na, reason: no a3 here}\n",
		"model: mini\nmodel_version: \"2.1\"\nunit: U\nrespondent: R2\nanswers:\n"
		"  a1: {level: 4}\n  a2: {level: 3}\n  a3: {level: 4}\n",
	};
	weft_assess_result *r = score(m, t, 2, 0, NULL, 0);
	/* a3: na from R1, 4 from R2: the level is scored, and it is a
	 * disagreement (one says it exists, the other that it does not) */
	const weft_assess_qresult *a3 = qres(r, "a3");
	cr_assert_eq(a3->status, WEFT_ASSESS_ANSWERED);
	cr_assert_eq(a3->level, 4);
	cr_assert(a3->disagreement);
	cr_assert_eq(a3->votes[0].status, WEFT_ASSESS_NA);
	cr_assert_str_eq(a3->votes[0].reason, "no a3 here");
	cr_assert_eq(a3->votes[1].status, WEFT_ASSESS_ANSWERED);
	cr_assert_eq(a3->votes[1].level, 4);
	/* the only disagreement: a1 {4, 4} and a2 {3, 3} agree */
	cr_assert_eq(r->n_disagreements, 1);
	cr_assert_eq(r->disagreements[0], a3);
	/* alpha with a3 = 4 applicable: (4 + 2*3 + 4) / 4 = 14/4 = 3.5, all 4 of 4 answered */
	cr_assert_float_eq(r->dims[0].score, 3.5, EPS);
	cr_assert_float_eq(r->dims[0].coverage, 1.0, EPS);
	cr_assert_float_eq(r->dims[0].applicable_weight, 4.0, EPS);
	cr_assert_eq(r->dims[0].n_na, 0);
	cr_assert_eq(r->dims[0].level, 3);
	release(r);
	weft_assess_model_free(m);
}

Test(assess_score, the_same_file_twice_is_refused)
{
	weft_assess_model *m = fixture_model(FIX("mini.yaml"));
	weft_diags *d;
	const char *t[] = { ann, ann };
	weft_assess_score_opts o = { 0 };
	weft_assess_result *r = score_with(m, NULL, t, 2, &o, WEFT_EINVALID, &d);
	cr_assert_null(r);
	assert_error_at(d, "r2.yaml", 1, 1, "the same file as r1.yaml (identical bytes)");
	weft_diags_free(d);
	release(NULL);
	weft_assess_model_free(m);
}

Test(assess_score, the_same_answers_written_differently_are_refused)
{
	weft_assess_model *m = fixture_model(FIX("mini.yaml"));
	weft_diags *d;
	/* other comments, order, quoting and flow/block style: the same content */
	const char *t[] = {
		"model: mini\nmodel_version: \"2.1\"\nunit: U\nrespondent: Ann\ndate: 2026-01-15\n"
		"answers:\n  a1: {level: 4, note: fine}\n  b1: {level: 3}\n"
		"  b2: {level: na, reason: none}\n",
		"# Ann's answers, again\nmodel: 'mini'\nmodel_version: \"2.1\"\nunit: \"U\"\n"
		"date: 2026-01-15\nrespondent: Ann\nanswers:\n  b2: {level: na, reason: none}\n"
		"  b1:\n    level: 3   # three\n  a1: {note: \"fine\", level: 4}\n",
	};
	weft_assess_score_opts o = { 0 };
	weft_assess_result *r = score_with(m, NULL, t, 2, &o, WEFT_EINVALID, &d);
	cr_assert_null(r);
	assert_error_at(d, "r2.yaml", 1, 1, "the same answers as r1.yaml (identical content)");
	weft_diags_free(d);
	release(NULL);
	weft_assess_model_free(m);
}

Test(assess_score, the_same_answers_under_another_name_warn)
{
	weft_assess_model *m = fixture_model(FIX("mini.yaml"));
	weft_diags *d;
	const char *t[] = {
		"model: mini\nmodel_version: \"2.1\"\nunit: U\nrespondent: Ann\nanswers:\n"
		"  a1: {level: 4}\n  b1: {level: 3}\n",
		"model: mini\nmodel_version: \"2.1\"\nunit: U\nrespondent: Bob\nanswers:\n"
		"  a1: {level: 4}\n  b1: {level: 3}\n",
	};
	weft_assess_score_opts o = { 0 };
	weft_assess_result *r = score_with(m, NULL, t, 2, &o, 0, &d);
	assert_warning_at(d, "r2.yaml", 1, 1,
			  "the same answers, notes and evidence as r1.yaml under another name");
	const char *note;
	cr_assert_eq(notes_of(r, WEFT_ASSESS_NOTE_RESPONDENT, &note), 1);
	cr_assert_str_eq(note, "r1.yaml and r2.yaml give the same answers, notes and evidence under "
			       "different names.");
	/* still scored: a1 {4, 4} = 4 */
	cr_assert_eq(qres(r, "a1")->level, 4);
	weft_diags_free(d);
	release(r);
	weft_assess_model_free(m);
}

Test(assess_score, the_same_respondent_twice_warns)
{
	weft_assess_model *m = fixture_model(FIX("mini.yaml"));
	weft_diags *d;
	const char *t[] = {
		"model: mini\nmodel_version: \"2.1\"\nunit: U\nrespondent: Sam\nanswers:\n  a1: {level: 2}\n",
		"model: mini\nmodel_version: \"2.1\"\nunit: U\nrespondent: Sam\nanswers:\n  a1: {level: 4}\n",
	};
	weft_assess_score_opts o = { 0 };
	weft_assess_result *r = score_with(m, NULL, t, 2, &o, 0, &d);
	assert_warning_at(d, "r2.yaml", 1, 1, "respondent 'Sam' also answered r1.yaml");
	cr_assert_eq(n_warnings(d), 1);
	const char *note;
	cr_assert_eq(notes_of(r, WEFT_ASSESS_NOTE_RESPONDENT, &note), 1);
	cr_assert_str_eq(note, "r1.yaml and r2.yaml are both answered by Sam; each file counts as a "
			       "separate respondent.");
	/* a1: {2, 4} -> low median 2; spread 2: a disagreement */
	cr_assert_eq(qres(r, "a1")->level, 2);
	cr_assert(qres(r, "a1")->disagreement);
	weft_diags_free(d);
	release(r);
	weft_assess_model_free(m);
}

Test(assess_score, dates_far_apart_are_noted)
{
	weft_assess_model *m = fixture_model(FIX("mini.yaml"));
	const char *t[] = {
		"model: mini\nmodel_version: \"2.1\"\nunit: U\nrespondent: R1\ndate: 2023-01-01\n"
		"answers:\n  a1: {level: 2}\n",
		"model: mini\nmodel_version: \"2.1\"\nunit: U\nrespondent: R2\ndate: 2025-07-01\n"
		"answers:\n  a1: {level: 3}\n",
	};
	/* 2023-01-01 to 2025-07-01: 2023 has 365 days, 2024 (leap) 366, and
	 * 2025-01-01 to 2025-07-01 is Jan 31 + Feb 28 + Mar 31 + Apr 30 + May 31
	 * + Jun 30 = 181: 365 + 366 + 181 = 912 days, more than the default 90 */
	weft_diags *d;
	weft_assess_score_opts o = { 0 };
	weft_assess_result *r = score_with(m, NULL, t, 2, &o, 0, &d);
	assert_warning_at(d, "r2.yaml", 1, 1,
			  "answers dated 2023-01-01 (r1.yaml) and 2025-07-01 (r2.yaml) are 912 days "
			  "apart (more than 90)");
	const char *note;
	cr_assert_eq(notes_of(r, WEFT_ASSESS_NOTE_SPREAD, &note), 1);
	cr_assert_str_eq(note, "The answers span 912 days (2023-01-01 in r1.yaml to 2025-07-01 in "
			       "r2.yaml), more than the 90 allowed; they may describe different "
			       "states of the unit.");
	weft_diags_free(d);
	release(r);
	/* max_spread_days -1: no check */
	o.max_spread_days = -1;
	r = score_with(m, NULL, t, 2, &o, 0, &d);
	cr_assert_eq(notes_of(r, WEFT_ASSESS_NOTE_SPREAD, NULL), 0);
	cr_assert_eq(n_warnings(d), 0);
	weft_diags_free(d);
	release(r);
	/* 1000 allows 912, and so does exactly 912; 911 does not */
	o.max_spread_days = 1000;
	r = score_with(m, NULL, t, 2, &o, 0, &d);
	cr_assert_eq(notes_of(r, WEFT_ASSESS_NOTE_SPREAD, NULL), 0);
	cr_assert_eq(n_warnings(d), 0);
	weft_diags_free(d);
	release(r);
	o.max_spread_days = 912;
	r = score_with(m, NULL, t, 2, &o, 0, NULL);
	cr_assert_eq(notes_of(r, WEFT_ASSESS_NOTE_SPREAD, NULL), 0);
	release(r);
	o.max_spread_days = 911;
	r = score_with(m, NULL, t, 2, &o, 0, NULL);
	cr_assert_eq(notes_of(r, WEFT_ASSESS_NOTE_SPREAD, &note), 1);
	cr_assert(strstr(note, "912 days") && strstr(note, "more than the 911 allowed"), "%s", note);
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
	cr_assert_eq(weft_assess_weights_load_buffer(&w, "/tmp/x/w.yaml", wt, strlen(wt), m, d), 0);
	const char *t[] = { ann };
	weft_assess_result *r = score(m, t, 1, 0, w, 0);
	/* beta with b2 at weight 1: (3 + 4) / 2 = 3.5 */
	cr_assert_float_eq(r->dims[1].score, 3.5, EPS);
	cr_assert_float_eq(qres(r, "b2")->weight, 1.0, EPS);
	/* alpha at weight 1: overall (8/3 + 3.5) / 2 = (16/6 + 21/6) / 2 = 37/12 */
	cr_assert_float_eq(r->dims[0].weight, 1.0, EPS);
	cr_assert_float_eq(r->score, 37.0 / 12.0, EPS);
	/* the model itself is unchanged */
	cr_assert_float_eq(m->dims[0].weight, 2.0, EPS);
	/* provenance: the file name without its folder, the digest of its bytes */
	char hex[65];
	weft_sha256_hex(hex, wt, strlen(wt));
	cr_assert_str_eq(r->weights_name, "w.yaml");
	cr_assert_str_eq(r->weights_sha256, hex);
	/* what changed, dimensions first, then questions, model order:
	 * alpha 2 -> 1, b2 3 -> 1 */
	cr_assert_eq(r->n_weight_changes, 2);
	cr_assert_str_eq(r->weight_changes[0].id, "alpha");
	cr_assert(r->weight_changes[0].dimension);
	cr_assert_float_eq(r->weight_changes[0].from, 2.0, EPS);
	cr_assert_float_eq(r->weight_changes[0].to, 1.0, EPS);
	cr_assert_str_eq(r->weight_changes[1].id, "b2");
	cr_assert_not(r->weight_changes[1].dimension);
	cr_assert_float_eq(r->weight_changes[1].from, 3.0, EPS);
	cr_assert_float_eq(r->weight_changes[1].to, 1.0, EPS);
	release(r);
	/* without a weights file: no provenance */
	r = score(m, t, 1, 0, NULL, 0);
	cr_assert_null(r->weights_name);
	cr_assert_null(r->weights_sha256);
	cr_assert_eq(r->n_weight_changes, 0);
	release(r);
	weft_assess_weights_free(w);
	weft_diags_free(d);
	weft_assess_model_free(m);
}

Test(assess_score, weights_that_restate_the_model_change_nothing)
{
	weft_assess_model *m = fixture_model(FIX("mini.yaml"));
	weft_diags *d;
	weft_diags_new(&d);
	/* beta 1, a2 2 and a1 1 are the model's own weights; gamma 1 -> 4 and
	 * b1 1 -> 0.5 are changes */
	const char *wt = "dimensions:\n  beta: 1\n  gamma: 4\nquestions:\n  a2: 2\n  a1: 1\n  b1: 0.5\n";
	weft_assess_weights *w = NULL;
	cr_assert_eq(weft_assess_weights_load_buffer(&w, "weights/restate.yaml", wt, strlen(wt), m, d),
		     0);
	const char *t[] = { ann };
	weft_assess_result *r = score(m, t, 1, 0, w, 0);
	cr_assert_str_eq(r->weights_name, "restate.yaml");
	cr_assert_eq(r->n_weight_changes, 2);
	cr_assert_str_eq(r->weight_changes[0].id, "gamma");
	cr_assert(r->weight_changes[0].dimension);
	cr_assert_float_eq(r->weight_changes[0].from, 1.0, EPS);
	cr_assert_float_eq(r->weight_changes[0].to, 4.0, EPS);
	cr_assert_str_eq(r->weight_changes[1].id, "b1");
	cr_assert_not(r->weight_changes[1].dimension);
	cr_assert_float_eq(r->weight_changes[1].from, 1.0, EPS);
	cr_assert_float_eq(r->weight_changes[1].to, 0.5, EPS);
	/* beta with b1 at 0.5: (0.5*3 + 3*4) / 3.5 = 13.5 / 3.5 = 27/7 */
	cr_assert_float_eq(r->dims[1].score, 27.0 / 7.0, EPS);
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
	cr_assert(r->dims[0].rated);
	cr_assert_eq(r->dims[0].level, 3);
	cr_assert_eq(weft_assess_score_level(2.9999999), 2); /* but not a real shortfall */
	cr_assert_eq(weft_assess_score_level(4.99999999999), 5);
	release(r);
	weft_assess_weights_free(w);
	weft_diags_free(d);
	weft_assess_model_free(m);
}

Test(assess_score, min_coverage_option)
{
	weft_assess_model *m = fixture_model(FIX("mini.yaml"));
	const char *t[] = { three_quarters };
	/* alpha: a1 4, a2 2, a3 unanswered (counted as 1): score
	 * (4 + 2*2 + 1) / 4 = 9/4 = 2.25, floor 2; coverage 3/4 = 0.75.
	 * beta: 3.75, coverage 1, level 3. gamma: all na. */
	weft_assess_score_opts o = { 0 };
	weft_assess_result *r = score_with(m, NULL, t, 1, &o, 0, NULL);
	/* the model's 0.8: alpha is not rated, but scored */
	cr_assert_float_eq(r->min_coverage, 0.8, EPS);
	cr_assert_float_eq(r->dims[0].coverage, 0.75, EPS);
	cr_assert_float_eq(r->dims[0].score, 2.25, EPS);
	cr_assert(r->dims[0].scored);
	cr_assert_not(r->dims[0].rated);
	cr_assert_eq(r->dims[0].why, WEFT_ASSESS_WHY_COVERAGE);
	cr_assert_eq(r->dims[0].level, 0);
	cr_assert_eq(r->dims[0].score_level, 2);
	cr_assert(qres(r, "a3")->counted_as_1);
	cr_assert(r->dims[1].rated);
	/* overall not rated; target 1 + min(2, 3) = 3; coverage
	 * (2 * 0.75 + 1 * 1) / 3 = 5/6 */
	cr_assert_not(r->rated);
	cr_assert_eq(r->why, WEFT_ASSESS_WHY_DIMENSIONS);
	cr_assert_eq(r->target, 3);
	cr_assert_float_eq(r->coverage, 5.0 / 6.0, EPS);
	release(r);
	/* 0.5: 0.75 is enough; alpha level min(2, a2 at 2) = 2 by the score;
	 * overall min(2, 3) = 2 */
	o.min_coverage = 0.5;
	r = score_with(m, NULL, t, 1, &o, 0, NULL);
	cr_assert_float_eq(r->min_coverage, 0.5, EPS);
	cr_assert(r->dims[0].rated);
	cr_assert_eq(r->dims[0].why, 0);
	cr_assert_eq(r->dims[0].level, 2);
	cr_assert_eq(r->dims[0].cap.kind, WEFT_ASSESS_CAP_SCORE);
	cr_assert(r->rated);
	cr_assert_eq(r->level, 2);
	release(r);
	/* exactly 0.75: enough */
	o.min_coverage = 0.75;
	r = score_with(m, NULL, t, 1, &o, 0, NULL);
	cr_assert(r->dims[0].rated);
	release(r);
	/* 1.0: alpha not rated; beta (fully answered) still rated */
	o.min_coverage = 1.0;
	r = score_with(m, NULL, t, 1, &o, 0, NULL);
	cr_assert_not(r->dims[0].rated);
	cr_assert_eq(r->dims[0].why, WEFT_ASSESS_WHY_COVERAGE);
	cr_assert(r->dims[1].rated);
	cr_assert_not(r->rated);
	release(r);
	/* 1.0 with ann: the na a3 is not applicable, so alpha is 3/3 covered
	 * and rated */
	const char *ta[] = { ann };
	r = score_with(m, NULL, ta, 1, &o, 0, NULL);
	cr_assert_float_eq(r->dims[0].coverage, 1.0, EPS);
	cr_assert(r->dims[0].rated);
	cr_assert(r->rated);
	cr_assert_eq(r->level, 2);
	release(r);
	/* out of range: refused */
	weft_diags *d;
	o.min_coverage = 1.5;
	score_with(m, NULL, t, 1, &o, WEFT_EINVALID, &d);
	assert_error_at(d, NULL, 0, 0, "the minimum coverage must be above 0 and at most 1");
	weft_diags_free(d);
	o.min_coverage = -0.5;
	score_with(m, NULL, t, 1, &o, WEFT_EINVALID, NULL);
	release(NULL);
	weft_assess_model_free(m);
}

Test(assess_score, the_models_own_min_coverage)
{
	weft_assess_model *m = fixture_model(FIX("score/half-coverage.yaml"));
	cr_assert_float_eq(m->min_coverage, 0.5, EPS);
	/* q1 4, q2 4, q3 and q4 unanswered: coverage 2/4 = 0.5, enough for the
	 * model's 0.5; score (4 + 4 + 1 + 1) / 4 = 2.5 -> level 2 */
	const char *t[] = { "model: half\nmodel_version: \"1\"\nunit: U\nanswers:\n"
			    "  q1: {level: 4}\n  q2: {level: 4}\n" };
	weft_assess_score_opts o = { 0 };
	weft_assess_result *r = score_with(m, NULL, t, 1, &o, 0, NULL);
	cr_assert_float_eq(r->min_coverage, 0.5, EPS);
	cr_assert_float_eq(r->dims[0].coverage, 0.5, EPS);
	cr_assert_float_eq(r->dims[0].score, 2.5, EPS);
	cr_assert(r->dims[0].rated);
	cr_assert_eq(r->dims[0].level, 2);
	cr_assert(r->rated);
	cr_assert_eq(r->level, 2);
	release(r);
	/* the option overrides the model: 0.8 needs more */
	o.min_coverage = 0.8;
	r = score_with(m, NULL, t, 1, &o, 0, NULL);
	cr_assert_float_eq(r->min_coverage, 0.8, EPS);
	cr_assert_not(r->dims[0].rated);
	cr_assert_eq(r->dims[0].why, WEFT_ASSESS_WHY_COVERAGE);
	release(r);
	/* q1 alone: 1/4 = 0.25 < 0.5: not rated; score (4 + 3*1) / 4 = 7/4 */
	o.min_coverage = 0;
	const char *t1[] = { "model: half\nmodel_version: \"1\"\nunit: U\nanswers:\n  q1: {level: 4}\n" };
	r = score_with(m, NULL, t1, 1, &o, 0, NULL);
	cr_assert_float_eq(r->dims[0].coverage, 0.25, EPS);
	cr_assert_float_eq(r->dims[0].score, 1.75, EPS);
	cr_assert_not(r->dims[0].rated);
	/* 25% answered, 50% needed */
	assert_explain(r, &r->dims[0], "not rated: 25% of its applicable weight answered, 50% needed");
	release(r);
	weft_assess_model_free(m);
}

Test(assess_score, an_unanswered_critical_question_is_not_rated)
{
	weft_assess_model *m = fixture_model(FIX("mini.yaml"));
	/* a2 (critical, w2) unanswered */
	const char *t[] = { "model: mini\nmodel_version: \"2.1\"\nunit: U\nanswers:\n"
			    "  a1: {level: 4}\n  a3: {level: 4}\n"
			    "  b1: {level: 3}\n  b2: {level: 4}\n  g1: {level: 3}\n" };
	weft_assess_score_opts o = { 0 };
	weft_assess_result *r = score_with(m, NULL, t, 1, &o, 0, NULL);
	const weft_assess_dresult *alpha = &r->dims[0];
	/* alpha: answered 1 + 1 = 2 of 4: coverage 0.5 < 0.8, and the critical
	 * a2 is unanswered; score (4 + 2*1 + 4) / 4 = 10/4 = 2.5 */
	cr_assert(alpha->scored);
	cr_assert_not(alpha->rated);
	cr_assert_eq(alpha->why, WEFT_ASSESS_WHY_COVERAGE | WEFT_ASSESS_WHY_CRITICAL);
	cr_assert_eq(alpha->critical_unanswered, weft_assess_model_question(m, "a2"));
	cr_assert_eq(alpha->n_critical_unanswered, 1);
	cr_assert_float_eq(alpha->score, 2.5, EPS);
	cr_assert_float_eq(alpha->coverage, 0.5, EPS);
	assert_explain(r, alpha,
		       "not rated: 50% of its applicable weight answered, 80% needed; critical "
		       "question a2 unanswered");
	release(r);
	/* with min_coverage 0.5 the coverage is enough: only the critical
	 * question keeps alpha from a level */
	o.min_coverage = 0.5;
	r = score_with(m, NULL, t, 1, &o, 0, NULL);
	alpha = &r->dims[0];
	cr_assert_not(alpha->rated);
	cr_assert_eq(alpha->why, WEFT_ASSESS_WHY_CRITICAL);
	cr_assert_eq(alpha->level, 0);
	cr_assert_eq(alpha->score_level, 2);
	cr_assert_eq(alpha->cap.kind, 0);
	assert_explain(r, alpha, "not rated: critical question a2 unanswered");
	/* beta 3.75 -> 3 and gamma 3 -> 3 are rated; the overall is not:
	 * target 1 + min(2, 3, 3) = 3 */
	cr_assert(r->dims[1].rated);
	cr_assert(r->dims[2].rated);
	cr_assert_eq(r->dims[2].level, 3);
	cr_assert_not(r->rated);
	cr_assert_eq(r->why, WEFT_ASSESS_WHY_DIMENSIONS);
	cr_assert_eq(r->n_in_scope, 3);
	cr_assert_eq(r->n_rated, 2);
	cr_assert_eq(r->target, 3);
	assert_explain(r, NULL, "not rated: 1 of 3 in-scope dimensions not rated (alpha)");
	release(r);
	weft_assess_model_free(m);
}

Test(assess_score, a_critical_question_holding_the_level_comes_first)
{
	weft_assess_model *m = fixture_model(FIX("mini.yaml"));
	const char *t[] = { "model: mini\nmodel_version: \"2.1\"\nunit: U\nanswers:\n"
			    "  a1: {level: 3}\n  a2: {level: 2}\n  a3: {level: 3}\n"
			    "  b1: {level: 3}\n  b2: {level: 1}\n  g1: {level: na, reason: r}\n" };
	weft_assess_result *r = score(m, t, 1, 3, NULL, 0);
	/* alpha: (3 + 2*2 + 3) / 4 = 10/4 = 2.5 -> 2; a2 at 2 is not below 2:
	 * level 2 by the score. beta: (3 + 3*1) / 4 = 1.5 -> level 1. */
	cr_assert_eq(r->dims[0].level, 2);
	cr_assert_eq(r->dims[0].cap.kind, WEFT_ASSESS_CAP_SCORE);
	cr_assert_eq(r->dims[1].level, 1);
	cr_assert(r->rated);
	cr_assert_eq(r->level, 1);
	/* gaps to 3 (denominator 3 * (2 + 1) = 9):
	 *   a2: gap 1, share 2*2/4 = 1    -> 100 * 1 * 1 / 9    = 100/9 = 11.11
	 *   b2: gap 2, share 1*3/4 = 0.75 -> 100 * 2 * 0.75 / 9 = 150/9 = 16.67
	 * b2 adds more, but a2 is critical at alpha's level: alpha cannot rise
	 * until it does, so a2 comes first */
	const weft_assess_qresult *a2 = qres(r, "a2"), *b2 = qres(r, "b2");
	cr_assert_float_eq(a2->points, 100.0 / 9.0, 1e-9);
	cr_assert_float_eq(b2->points, 150.0 / 9.0, 1e-9);
	cr_assert(a2->holds_level);
	cr_assert_not(b2->holds_level);
	cr_assert_eq(r->n_gaps, 2);
	cr_assert_eq(r->gaps[0].q, a2);
	cr_assert_eq(r->gaps[1].q, b2);
	/* PercentToTarget: alpha 1 - 2/12 = 5/6, beta 1 - 6/12 = 1/2;
	 * (2 * 5/6 + 1/2) / 3 = 13/18; the points add up: 250/9 = 100 * 5/18 */
	cr_assert_float_eq(r->percent_to_target, 13.0 / 18.0, EPS);
	cr_assert_float_eq(a2->points + b2->points, 100.0 * (1.0 - r->percent_to_target), 1e-9);
	release(r);
	weft_assess_model_free(m);
}

static const char core_only[] = "model: scoped\n"	    /* 1 */
				"model_version: \"1\"\n"    /* 2 */
				"unit: U\n"		    /* 3 */
				"respondent: Ann\n"	    /* 4 */
				"out_of_scope:\n"	    /* 5 */
				"  edge: no edge devices\n" /* 6 */
				"answers:\n"		    /* 7 */
				"  c1: {level: 3}\n"	    /* 8 */
				"  c2: {level: 4}\n";	    /* 9 */

Test(assess_score, an_optional_dimension_out_of_scope)
{
	weft_assess_model *m = fixture_model(FIX("score/scoped.yaml"));
	const char *t[] = { core_only };
	weft_assess_result *r = score(m, t, 1, 0, NULL, 0);
	const weft_assess_dresult *core = &r->dims[0], *edge = &r->dims[1];
	/* core: (3 + 4) / 2 = 3.5 -> 3; c2 (critical) at 4 is not below: by the score */
	cr_assert(core->in_scope);
	cr_assert_float_eq(core->score, 3.5, EPS);
	cr_assert_eq(core->level, 3);
	cr_assert_eq(core->cap.kind, WEFT_ASSESS_CAP_SCORE);
	/* edge: out of scope, with the reason; no score, no level */
	cr_assert_not(edge->in_scope);
	cr_assert_str_eq(edge->scope_reason, "no edge devices");
	cr_assert_eq(edge->why, WEFT_ASSESS_WHY_OUT_OF_SCOPE);
	cr_assert_not(edge->scored);
	cr_assert_not(edge->rated);
	cr_assert_eq(edge->level, 0);
	cr_assert_float_eq(edge->score, 0.0, EPS);
	cr_assert_float_eq(edge->coverage, 0.0, EPS);
	cr_assert_eq(edge->n_answered + edge->n_unanswered + edge->n_na, 0);
	cr_assert_float_eq(edge->percent_to_target, 0.0, EPS);
	cr_assert_eq(edge->n_gaps, 0);
	cr_assert_not(qres(r, "e1")->counted_as_1);
	cr_assert(qres(r, "e1")->votes[0].out_of_scope);
	/* overall: rated from core alone: level 3, score 3.5, coverage 1;
	 * nothing unanswered (edge's questions are not asked) */
	cr_assert(r->rated);
	cr_assert_eq(r->level, 3);
	cr_assert_eq(r->n_in_scope, 1);
	cr_assert_eq(r->n_rated, 1);
	cr_assert_float_eq(r->score, 3.5, EPS);
	cr_assert_float_eq(r->coverage, 1.0, EPS);
	cr_assert_eq(r->n_unanswered, 0);
	/* target 3 + 1 = 4: c1 gap 1 * w1; core 1 - 1 / (4*2) = 7/8, the overall too */
	cr_assert_eq(r->target, 4);
	cr_assert_float_eq(r->percent_to_target, 7.0 / 8.0, EPS);
	assert_explain(r, edge, "out of scope: no edge devices");
	assert_explain(r, NULL, "level 3: the lowest level of the 1 in-scope dimension (core)");
	cr_assert_eq(r->n_notes, 0);
	release(r);
	/* at target 5: c1 gap 2, c2 gap 1 (critical, but at 4, above core's 3:
	 * it does not hold the level); shares 1*1/2: c1 100 * 2 * 0.5 / 5 = 20,
	 * c2 100 * 1 * 0.5 / 5 = 10; core 1 - 3/10 = 0.7 */
	r = score(m, t, 1, 5, NULL, 0);
	const weft_assess_qresult *c1 = qres(r, "c1"), *c2 = qres(r, "c2");
	cr_assert_not(c2->holds_level);
	cr_assert_float_eq(c1->points, 20.0, 1e-9);
	cr_assert_float_eq(c2->points, 10.0, 1e-9);
	cr_assert_eq(r->gaps[0].q, c1);
	cr_assert_eq(r->gaps[1].q, c2);
	cr_assert_float_eq(r->percent_to_target, 0.7, EPS);
	release(r);
	weft_assess_model_free(m);
}

Test(assess_score, a_required_dimension_cannot_be_out_of_scope)
{
	weft_assess_model *m = fixture_model(FIX("score/scoped.yaml"));
	const char *text = "model: scoped\n"	   /* 1 */
			   "model_version: \"1\"\n" /* 2 */
			   "unit: U\n"		   /* 3 */
			   "out_of_scope:\n"	   /* 4 */
			   "  core: not here\n"	   /* 5: the key at column 3 */
			   "answers: {}\n";	   /* 6 */
	/* the check alone */
	weft_assess_answers *a = buffer_answers("r1.yaml", text);
	weft_diags *d;
	weft_diags_new(&d);
	cr_assert_eq(weft_assess_answers_check(a, m, false, d), WEFT_EINVALID);
	assert_error_at(d, "r1.yaml", 5, 3, "dimension 'core' (Core) cannot be put out of scope");
	weft_diags_free(d);
	weft_assess_answers_free(a);
	/* and scoring */
	const char *t[] = { text };
	weft_assess_score_opts o = { 0 };
	score_with(m, NULL, t, 1, &o, WEFT_EINVALID, &d);
	assert_error_at(d, "r1.yaml", 5, 3, "dimension 'core' (Core) cannot be put out of scope");
	weft_diags_free(d);
	release(NULL);
	weft_assess_model_free(m);
}

Test(assess_score, answers_inside_an_out_of_scope_dimension_do_not_count)
{
	weft_assess_model *m = fixture_model(FIX("score/scoped.yaml"));
	const char *t[] = { "model: scoped\n"	       /* 1 */
			    "model_version: \"1\"\n"   /* 2 */
			    "unit: U\n"		       /* 3 */
			    "out_of_scope:\n"	       /* 4 */
			    "  edge: no edge devices\n" /* 5 */
			    "answers:\n"	       /* 6 */
			    "  c1: {level: 3}\n"       /* 7 */
			    "  c2: {level: 4}\n"       /* 8 */
			    "  e1: {level: 5}\n" };    /* 9: the key at column 3 */
	weft_diags *d;
	weft_assess_score_opts o = { 0 };
	weft_assess_result *r = score_with(m, NULL, t, 1, &o, 0, &d);
	assert_warning_at(d, "r1.yaml", 9, 3,
			  "'e1' is in dimension 'edge', which these answers put out of scope: the "
			  "answer is left out");
	cr_assert_eq(weft_diags_errors(d), 0);
	/* e1 is not scored: edge stays out of scope, with nothing answered */
	const weft_assess_qresult *e1 = qres(r, "e1");
	cr_assert_eq(e1->status, WEFT_ASSESS_UNANSWERED);
	cr_assert_eq(e1->level, 0);
	cr_assert(e1->votes[0].out_of_scope);
	cr_assert_eq(e1->votes[0].status, WEFT_ASSESS_UNANSWERED);
	cr_assert_not(r->dims[1].in_scope);
	cr_assert_eq(r->dims[1].n_answered, 0);
	/* the overall is core's alone, as without e1: 3.5, level 3 */
	cr_assert_float_eq(r->score, 3.5, EPS);
	cr_assert_eq(r->level, 3);
	weft_diags_free(d);
	release(r);
	weft_assess_model_free(m);
}

Test(assess_score, a_dimension_out_of_scope_for_one_respondent_only)
{
	weft_assess_model *m = fixture_model(FIX("score/scoped.yaml"));
	const char *t[] = {
		core_only,
		"model: scoped\nmodel_version: \"1\"\nunit: U\nrespondent: Bob\nanswers:\n"
		"  c1: {level: 3}\n  c2: {level: 4}\n  e1: {level: 2}\n  e2: {level: 4}\n",
	};
	weft_assess_result *r = score(m, t, 2, 0, NULL, 0);
	const weft_assess_dresult *edge = &r->dims[1];
	/* Bob keeps edge in scope: scored on his answers alone, (2 + 4) / 2 = 3 */
	cr_assert(edge->in_scope);
	cr_assert_null(edge->scope_reason);
	cr_assert(edge->rated);
	cr_assert_float_eq(edge->score, 3.0, EPS);
	cr_assert_eq(edge->level, 3);
	cr_assert_float_eq(edge->coverage, 1.0, EPS);
	/* Ann's vote is out of scope; Bob's is his level; no disagreement */
	const weft_assess_qresult *e1 = qres(r, "e1");
	cr_assert_eq(e1->level, 2);
	cr_assert_eq(e1->n_votes, 2);
	cr_assert_str_eq(e1->votes[0].respondent, "Ann");
	cr_assert(e1->votes[0].out_of_scope);
	cr_assert_eq(e1->votes[0].status, WEFT_ASSESS_UNANSWERED);
	cr_assert_str_eq(e1->votes[1].respondent, "Bob");
	cr_assert_not(e1->votes[1].out_of_scope);
	cr_assert_eq(e1->votes[1].level, 2);
	cr_assert_not(e1->disagreement);
	cr_assert_eq(r->n_disagreements, 0);
	/* a note says so */
	const char *note;
	cr_assert_eq(notes_of(r, WEFT_ASSESS_NOTE_SCOPE, &note), 1);
	cr_assert_str_eq(note, "1 of 2 respondents put Edge (edge) out of scope; it is scored on the "
			       "others' answers.");
	/* overall: core (3 + 4) / 2 = 3.5 -> 3, edge 3: level 3, score
	 * (3.5 + 3) / 2 = 3.25 */
	cr_assert(r->rated);
	cr_assert_eq(r->n_in_scope, 2);
	cr_assert_eq(r->level, 3);
	cr_assert_float_eq(r->score, 3.25, EPS);
	release(r);
	/* both put it out: out of scope, with the first file's reason */
	const char *both[] = {
		core_only,
		"model: scoped\nmodel_version: \"1\"\nunit: U\nrespondent: Cy\n"
		"out_of_scope: {edge: nothing at the edge}\nanswers:\n  c1: {level: 2}\n  c2: {level: 4}\n",
	};
	r = score(m, both, 2, 0, NULL, 0);
	cr_assert_not(r->dims[1].in_scope);
	cr_assert_str_eq(r->dims[1].scope_reason, "no edge devices");
	cr_assert_eq(notes_of(r, WEFT_ASSESS_NOTE_SCOPE, NULL), 0);
	release(r);
	weft_assess_model_free(m);
}

Test(assess_score, sources_name_the_file_and_its_digest)
{
	weft_assess_model *m = fixture_model(FIX("mini.yaml"));
	const char *bob = "model: mini\nmodel_version: \"2.1\"\nunit: Unit A\nanswers:\n  a1: {level: 2}\n";
	const char *t[] = { ann, bob };
	const char *names[] = { "/some/dir/ann.yaml", "other/bob.yaml" };
	weft_assess_score_opts o = { 0 };
	weft_assess_result *r = score_with(m, names, t, 2, &o, 0, NULL);
	char h0[65], h1[65];
	weft_sha256_hex(h0, ann, strlen(ann));
	weft_sha256_hex(h1, bob, strlen(bob));
	cr_assert_eq(r->n_sources, 2);
	cr_assert_str_eq(r->sources[0].path, "ann.yaml");
	cr_assert_null(strchr(r->sources[0].path, '/'));
	cr_assert_str_eq(r->sources[0].respondent, "Ann");
	cr_assert_str_eq(r->sources[0].sha256, h0);
	cr_assert_null(r->sources[0].migrated_from);
	/* no respondent: named by its file */
	cr_assert_str_eq(r->sources[1].path, "bob.yaml");
	cr_assert_str_eq(r->sources[1].respondent, "bob.yaml");
	cr_assert_null(r->sources[1].date);
	cr_assert_str_eq(r->sources[1].sha256, h1);
	cr_assert_str_eq(r->unit, "Unit A");
	release(r);
	weft_assess_model_free(m);
}

Test(assess_score, gate_checks)
{
	weft_assess_model *m = fixture_model(FIX("mini.yaml"));
	char *why;
	/* not rated (beta and gamma, see critical_question_caps_the_level):
	 * score 2.1875, coverage 0.5625 */
	const char *tc[] = { capped };
	weft_assess_result *r = score(m, tc, 1, 0, NULL, 0);
	cr_assert_eq(gate(r, 1, -1, -1, &why), 1);
	cr_assert_str_eq(why, "overall level not rated: 2 of 3 in-scope dimensions not rated (beta, "
			      "gamma) (--fail-below 1)\n");
	free(why);
	/* a score gate with a not-rated result fails too, and says why */
	char expected[256];
	snprintf(expected, sizeof expected,
		 "overall score %.2f, but the level is not rated: 2 of 3 in-scope dimensions not "
		 "rated (beta, gamma) (--fail-below-score 1)\n",
		 2.1875);
	cr_assert_eq(gate(r, 0, 1, -1, &why), 1);
	cr_assert_str_eq(why, expected);
	free(why);
	/* coverage 0.5625 shows as 56%, below 90%; 0.5 passes */
	cr_assert_eq(gate(r, 0, -1, 0.9, &why), 1);
	cr_assert_str_eq(why, "coverage 56% is below --fail-below-coverage 90%\n");
	free(why);
	cr_assert_eq(gate(r, 0, -1, 0.5, &why), 0);
	cr_assert_str_eq(why, "");
	free(why);
	/* all three: three lines */
	cr_assert_eq(gate(r, 1, 1, 0.9, &why), 1);
	size_t lines = 0;
	for (const char *p = why; *p; p++)
		lines += *p == '\n';
	cr_assert_eq(lines, 3, "%s", why);
	free(why);
	/* no gate at all passes */
	cr_assert_eq(gate(r, 0, -1, -1, &why), 0);
	free(why);
	release(r);
	/* rated at 2 (ann): fail_below 2 passes, 3 fails; score 109/36 =
	 * 3.0277..., 3.03 at two decimals: 3.03 passes, 3.04 fails; coverage 1 */
	const char *ta[] = { ann };
	r = score(m, ta, 1, 0, NULL, 0);
	cr_assert_eq(gate(r, 2, -1, -1, &why), 0);
	cr_assert_str_eq(why, "");
	free(why);
	cr_assert_eq(gate(r, 3, -1, -1, &why), 1);
	cr_assert_str_eq(why, "overall level 2 is below --fail-below 3\n");
	free(why);
	cr_assert_eq(gate(r, 0, 3.03, -1, &why), 0);
	free(why);
	cr_assert_eq(gate(r, 0, 3.04, -1, &why), 1);
	cr_assert_str_eq(why, "overall score 3.03 is below --fail-below-score 3.04\n");
	free(why);
	cr_assert_eq(gate(r, 0, -1, 1.0, &why), 0);
	free(why);
	release(r);
	/* alpha 75% covered (min_coverage_option): overall coverage
	 * (2 * 0.75 + 1 * 1) / 3 = 5/6 = 83.3%: below 90%, not below 80% */
	const char *tq[] = { three_quarters };
	r = score(m, tq, 1, 0, NULL, 0);
	cr_assert_eq(gate(r, 0, -1, 0.9, &why), 1);
	cr_assert_str_eq(why, "coverage 83% is below --fail-below-coverage 90%\n");
	free(why);
	cr_assert_eq(gate(r, 0, -1, 0.8, &why), 0);
	free(why);
	release(r);
	weft_assess_model_free(m);
}

Test(assess_score, explain_sentences)
{
	weft_assess_model *m = fixture_model(FIX("mini.yaml"));
	/* ann: alpha 8/3 = 2.67 -> 2 by the score, beta 3.75 -> 3, gamma all na */
	const char *ta[] = { ann };
	weft_assess_result *r = score(m, ta, 1, 0, NULL, 0);
	assert_explain(r, &r->dims[0], "level 2: the score 2.67");
	assert_explain(r, &r->dims[1], "level 3: the score 3.75");
	assert_explain(r, &r->dims[2], "not rated: every question answered na (does not apply)");
	/* overall: the lowest of the 2 in-scope (scored) dimensions, alpha */
	assert_explain(r, NULL, "level 2: the lowest level of the 2 in-scope dimensions (alpha)");
	release(r);
	/* capped: alpha 3.00 alone gives 3, a2 holds it at 1; beta 25% covered,
	 * gamma 0% */
	const char *tc[] = { capped };
	r = score(m, tc, 1, 0, NULL, 0);
	assert_explain(r, &r->dims[0], "level 1: capped by critical question a2 (the score 3.00 alone "
				       "gives 3)");
	assert_explain(r, &r->dims[1], "not rated: 25% of its applicable weight answered, 80% needed");
	assert_explain(r, &r->dims[2], "not rated: 0% of its applicable weight answered, 80% needed");
	assert_explain(r, NULL, "not rated: 2 of 3 in-scope dimensions not rated (beta, gamma)");
	release(r);
	/* rated with an unanswered question counted as 1 (min_coverage 0.5):
	 * alpha 2.25 -> 2 */
	const char *tq[] = { three_quarters };
	weft_assess_score_opts o = { .min_coverage = 0.5 };
	r = score_with(m, NULL, tq, 1, &o, 0, NULL);
	assert_explain(r, &r->dims[0],
		       "level 2: the score 2.25, with 1 unanswered question counted as level 1");
	release(r);
	/* no answers at all */
	r = score(m, NULL, 0, 0, NULL, 0);
	assert_explain(r, NULL, "not rated: no answers");
	release(r);
	weft_assess_model_free(m);
}

Test(assess_score, nothing_assessed)
{
	weft_assess_model *m = fixture_model(FIX("mini.yaml"));
	weft_assess_result *r = score(m, NULL, 0, 0, NULL, 0);
	cr_assert_not(r->rated);
	cr_assert_eq(r->why, WEFT_ASSESS_WHY_NO_ANSWERS);
	cr_assert_eq(r->level, 0);
	cr_assert_eq(r->n_unanswered, 6);
	cr_assert_null(r->unit);
	cr_assert_eq(r->n_sources, 0);
	/* by the rules every dimension is in scope (no file put one out) and
	 * every question counts as 1: each dimension scores 1 with coverage 0,
	 * not rated (alpha also for its critical a2); target 1 + 1 = 2 */
	cr_assert_eq(r->dims[0].why, WEFT_ASSESS_WHY_COVERAGE | WEFT_ASSESS_WHY_CRITICAL);
	cr_assert_eq(r->dims[1].why, WEFT_ASSESS_WHY_COVERAGE);
	cr_assert_eq(r->dims[2].why, WEFT_ASSESS_WHY_COVERAGE);
	cr_assert_float_eq(r->dims[0].score, 1.0, EPS);
	cr_assert_float_eq(r->coverage, 0.0, EPS);
	cr_assert_eq(r->target, 2);
	release(r);
	/* all na where allowed: a2 and b1 cannot be na and were not answered.
	 * alpha: only a2 (w2) applies, unanswered: score 1, coverage 0,
	 * coverage and critical; beta: only b1 applies: score 1, coverage 0;
	 * gamma: nothing applies, left out. overall: 2 scored, none rated,
	 * coverage 0, score (2*1 + 1*1) / 3 = 1 */
	const char *t[] = { "model: mini\nmodel_version: \"2.1\"\nunit: U\nanswers:\n"
			    "  a1: {level: na, reason: r}\n  a3: {level: na, reason: r}\n"
			    "  b2: {level: na, reason: r}\n  g1: {level: na, reason: r}\n" };
	r = score(m, t, 1, 0, NULL, 0);
	cr_assert_not(r->rated);
	cr_assert_eq(r->why, WEFT_ASSESS_WHY_DIMENSIONS);
	cr_assert_eq(r->n_in_scope, 2);
	cr_assert_eq(r->n_rated, 0);
	cr_assert_eq(r->n_unanswered, 2);
	cr_assert_eq(r->dims[0].why, WEFT_ASSESS_WHY_COVERAGE | WEFT_ASSESS_WHY_CRITICAL);
	cr_assert_float_eq(r->dims[0].applicable_weight, 2.0, EPS);
	cr_assert_eq(r->dims[2].why, WEFT_ASSESS_WHY_ALL_NA);
	cr_assert_float_eq(r->coverage, 0.0, EPS);
	cr_assert_float_eq(r->score, 1.0, EPS);
	release(r);
	weft_assess_model_free(m);
}

Test(assess_score, invalid_answers_are_refused_by_score)
{
	weft_assess_model *m = fixture_model(FIX("mini.yaml"));
	const char *t[] = { "model: mini\nmodel_version: \"9\"\nunit: U\nanswers: {}\n" };
	weft_assess_result *r = score(m, t, 1, 0, NULL, WEFT_EINVALID);
	cr_assert_null(r);
	release(NULL);
	/* na on the critical a2 and on b1 (no allow_na): errors at the level
	 * values, "  a2: {level: na, ...}" -> column 15 */
	const char *na[] = { "model: mini\nmodel_version: \"2.1\"\nunit: U\nanswers:\n"
			     "  a2: {level: na, reason: r}\n" /* 5 */
			     "  b1: {level: na, reason: r}\n" /* 6 */ };
	weft_diags *d;
	weft_assess_score_opts o = { 0 };
	score_with(m, NULL, na, 1, &o, WEFT_EINVALID, &d);
	assert_error_at(d, "r1.yaml", 5, 15, "question 'a2' is critical and cannot be na");
	assert_error_at(d, "r1.yaml", 6, 15, "question 'b1' does not allow na");
	weft_diags_free(d);
	release(NULL);
	weft_assess_model_free(m);
}
