/* test_threshold.c - the threshold curve and recommendations on a
 * hand-made dataset whose review loads and error rates are worked out in
 * the comments, plus weights, ties and labels that are never automated. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdlib.h>

#include "threshold.h"

/* Ten labelled cases (weight 1). Sorted by confidence, with cumulative
 * counts from the top (automated = confidence >= t):
 *   t     correct  automated  wrong  auto error   review load
 *   0.99  yes      1          0      0            9/10 = 0.9
 *   0.97  yes      2          0      0            0.8
 *   0.95  yes      3          0      0            0.7
 *   0.93  no       4          1      1/4 = 0.25   0.6
 *   0.90  yes      5          1      1/5 = 0.2    0.5
 *   0.85  yes      6          1      1/6 = 0.167  0.4
 *   0.80  no       7          2      2/7 = 0.286  0.3
 *   0.75  yes      8          2      2/8 = 0.25   0.2
 *   0.70  no       9          3      3/9 = 0.333  0.1
 *   0.60  no       10         4      4/10 = 0.4   0.0 */
static const hitl_labelled rows[10] = {
	{ 0.80, false, 1, true }, { 0.99, true, 1, true }, { 0.70, false, 1, true }, { 0.95, true, 1, true },
	{ 0.60, false, 1, true }, { 0.93, false, 1, true }, { 0.90, true, 1, true }, { 0.85, true, 1, true },
	{ 0.75, true, 1, true },  { 0.97, true, 1, true },
};

static hitl_threshold_target target(double load, double error, size_t support)
{
	return (hitl_threshold_target){ load, error, support };
}

Test(threshold, curve_matches_the_table)
{
	hitl_threshold_point *p;
	size_t n;
	cr_assert_eq(hitl_threshold_curve(&p, &n, rows, 10), 0);
	cr_assert_eq(n, 11, "ten thresholds and review-everything");
	static const double t[10] = { 0.60, 0.70, 0.75, 0.80, 0.85, 0.90, 0.93, 0.95, 0.97, 0.99 };
	static const double load[10] = { 0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9 };
	static const double err[10] = { 0.4, 3.0 / 9, 0.25, 2.0 / 7, 1.0 / 6, 0.2, 0.25, 0, 0, 0 };
	for (size_t i = 0; i < 10; i++) {
		cr_assert_float_eq(p[i].threshold, t[i], 1e-12, "point %zu", i);
		cr_assert_float_eq(p[i].review_load, load[i], 1e-12, "point %zu", i);
		cr_assert_float_eq(p[i].auto_error, err[i], 1e-12, "point %zu", i);
		cr_assert_eq(p[i].n_auto, 10 - i);
		cr_assert(!p[i].review_all);
	}
	cr_assert(p[10].review_all);
	cr_assert_float_eq(p[10].review_load, 1.0, 1e-12);
	free(p);
}

Test(threshold, for_a_review_load_the_highest_threshold_that_fits)
{
	hitl_threshold_point r;
	char msg[256];
	hitl_threshold_target t = target(0.35, -1, 1);
	/* loads <= 0.35: t <= 0.80 (0.3); the highest is 0.80 */
	cr_assert_eq(hitl_threshold_recommend(&r, rows, 10, &t, msg, sizeof msg), 0);
	cr_assert_float_eq(r.threshold, 0.80, 1e-12);
	cr_assert_float_eq(r.review_load, 0.3, 1e-12);
	cr_assert_float_eq(r.auto_error, 2.0 / 7, 1e-12);
	t = target(0.5, -1, 1);
	cr_assert_eq(hitl_threshold_recommend(&r, rows, 10, &t, msg, sizeof msg), 0);
	cr_assert_float_eq(r.threshold, 0.90, 1e-12, "exactly at the target counts");
	t = target(0.0, -1, 1);
	cr_assert_eq(hitl_threshold_recommend(&r, rows, 10, &t, msg, sizeof msg), 0);
	cr_assert_float_eq(r.threshold, 0.60, 1e-12, "no review capacity: automate everything");
	t = target(1.0, -1, 1);
	cr_assert_eq(hitl_threshold_recommend(&r, rows, 10, &t, msg, sizeof msg), 0);
	cr_assert(r.review_all, "capacity for everything: review everything");
}

Test(threshold, for_an_error_rate_the_lowest_threshold_that_is_safe)
{
	hitl_threshold_point r;
	char msg[256];
	hitl_threshold_target t = target(-1, 0.2, 1);
	/* errors <= 0.2 at t = 0.85 (0.167), 0.90 (0.2), 0.95.. (0): the lowest is 0.85 */
	cr_assert_eq(hitl_threshold_recommend(&r, rows, 10, &t, msg, sizeof msg), 0);
	cr_assert_float_eq(r.threshold, 0.85, 1e-12);
	cr_assert_float_eq(r.review_load, 0.4, 1e-12);
	cr_assert_eq(r.n_auto, 6);
	t = target(-1, 0.1, 1);
	cr_assert_eq(hitl_threshold_recommend(&r, rows, 10, &t, msg, sizeof msg), 0);
	cr_assert_float_eq(r.threshold, 0.95, 1e-12);
	/* demanding support: 0.85 has 6 automated rows, 0.90 has 5 */
	t = target(-1, 0.2, 6);
	cr_assert_eq(hitl_threshold_recommend(&r, rows, 10, &t, msg, sizeof msg), 0);
	cr_assert_float_eq(r.threshold, 0.85, 1e-12);
	t = target(-1, 0.1, 4);
	/* error <= 0.1 needs t >= 0.95, which automates only 3 rows */
	cr_assert_eq(hitl_threshold_recommend(&r, rows, 10, &t, msg, sizeof msg), 1);
	cr_assert(r.review_all);
}

Test(threshold, both_targets_take_the_highest_threshold_meeting_both)
{
	hitl_threshold_point r;
	char msg[256];
	/* load <= 0.45: t <= 0.85; error <= 0.2: t in {0.85, 0.90, 0.95, ...}: only 0.85 */
	hitl_threshold_target t = target(0.45, 0.2, 1);
	cr_assert_eq(hitl_threshold_recommend(&r, rows, 10, &t, msg, sizeof msg), 0);
	cr_assert_float_eq(r.threshold, 0.85, 1e-12);
	/* load <= 0.35 and error <= 0.2: t <= 0.80 all have error > 0.2 */
	t = target(0.35, 0.2, 1);
	cr_assert_eq(hitl_threshold_recommend(&r, rows, 10, &t, msg, sizeof msg), 1);
}

Test(threshold, weights_count_audited_cases_for_the_cases_they_stand_for)
{
	/* below 0.9: two reviewed cases (weight 1), one wrong.
	 * above: one audited case (weight 10, i.e. audit_rate 0.1), correct.
	 * t = 0.95: automated weight 10, wrong 0, load = 2 / 12
	 * t = 0.8:  automated weight 11, wrong 0, load = 1 / 12
	 * t = 0.7:  automated 12, wrong 1, error 1/12, load 0 */
	hitl_labelled w[3] = { { 0.95, true, 10, true }, { 0.8, true, 1, true }, { 0.7, false, 1, true } };
	hitl_threshold_point *p;
	size_t n;
	cr_assert_eq(hitl_threshold_curve(&p, &n, w, 3), 0);
	cr_assert_eq(n, 4);
	cr_assert_float_eq(p[2].review_load, 2.0 / 12, 1e-12);
	cr_assert_float_eq(p[1].review_load, 1.0 / 12, 1e-12);
	cr_assert_float_eq(p[0].auto_error, 1.0 / 12, 1e-12);
	free(p);
}

Test(threshold, ties_move_together_and_unautomatable_rows_are_always_reviewed)
{
	/* two rows at 0.9 (one wrong) and one denial at 0.99 that is never automated */
	hitl_labelled w[3] = { { 0.9, true, 1, true }, { 0.9, false, 1, true }, { 0.99, true, 1, false } };
	hitl_threshold_point *p;
	size_t n;
	cr_assert_eq(hitl_threshold_curve(&p, &n, w, 3), 0);
	cr_assert_eq(n, 2, "one threshold (0.9, both tied rows) and review-everything");
	cr_assert_float_eq(p[0].threshold, 0.9, 1e-12);
	cr_assert_eq(p[0].n_auto, 2);
	cr_assert_float_eq(p[0].auto_error, 0.5, 1e-12);
	cr_assert_float_eq(p[0].review_load, 1.0 / 3, 1e-12, "the denial is reviewed at any threshold");
	free(p);
}

Test(threshold, bad_input_is_refused)
{
	hitl_threshold_point r;
	char msg[256];
	hitl_threshold_target t = target(-1, -1, 1);
	cr_assert_eq(hitl_threshold_recommend(&r, rows, 10, &t, msg, sizeof msg), -1, "no target");
	t = target(1.5, -1, 1);
	cr_assert_eq(hitl_threshold_recommend(&r, rows, 10, &t, msg, sizeof msg), -1);
	hitl_labelled bad[1] = { { NAN, true, 1, true } };
	t = target(0.5, -1, 1);
	cr_assert_eq(hitl_threshold_recommend(&r, bad, 1, &t, msg, sizeof msg), -1);
	hitl_labelled zero[1] = { { 0.9, true, 0, true } };
	cr_assert_eq(hitl_threshold_recommend(&r, zero, 1, &t, msg, sizeof msg), -1);
}
