/* threshold.h - choosing the confidence threshold from labelled data.
 *
 * Each labelled case has the model's confidence, whether the model's
 * recommendation matched the human label, and a weight (1 / the
 * probability that a case like it reached a human: 1 below the threshold,
 * 1 / audit_rate for audited confident cases), so weighted sums estimate
 * the whole population of cases, not just the reviewed ones.
 *
 * For a threshold t (automate when confidence >= t):
 *   review load(t) = weight of cases with confidence < t / total weight
 *   auto error(t)  = weight of wrong recommendations with confidence >= t
 *                    / weight of cases with confidence >= t
 * Cases whose recommendation may never be automated (auto_labels) are in
 * the review load at every threshold and never in the automated error.
 * Candidates are the observed confidences, plus "review everything".
 */
#ifndef HITL_THRESHOLD_H
#define HITL_THRESHOLD_H

#include <stdbool.h>
#include <stddef.h>

typedef struct hitl_labelled {
	double confidence;
	bool correct;     /* recommendation == human label */
	double weight;
	bool automatable; /* false: its recommendation always goes to a person */
} hitl_labelled;

typedef struct hitl_threshold_point {
	double threshold;   /* automate when confidence >= threshold */
	bool review_all;    /* the "review everything" candidate (threshold above every case) */
	double review_load; /* share of cases sent to humans */
	double auto_error;  /* error among automated cases (0 when none) */
	size_t n_auto;      /* labelled rows that would be automated */
} hitl_threshold_point;

typedef struct hitl_threshold_target {
	double max_review_load; /* < 0: not given */
	double max_error;       /* < 0: not given */
	size_t min_support;     /* fewest labelled automated rows to trust an error estimate */
} hitl_threshold_target;

/* The curve: one point per distinct confidence, in increasing threshold,
 * then the review-all point. *out is malloc'ed. Rows with a non-finite
 * confidence or a weight <= 0 are refused (-1). */
int hitl_threshold_curve(hitl_threshold_point **out, size_t *n, const hitl_labelled *rows, size_t n_rows);

/* Recommend a threshold:
 *   max_review_load only: the highest threshold whose review load fits
 *     (use all of the review capacity, automate as little as it allows);
 *   max_error only: the lowest threshold whose automated error is within
 *     max_error on at least min_support rows (automate as much as is safe);
 *   both: the highest threshold meeting both.
 * Returns 0 with *out, 1 when no threshold meets the target (out is the
 * review-all point), -1 on bad input (message in err). */
int hitl_threshold_recommend(hitl_threshold_point *out, const hitl_labelled *rows, size_t n_rows,
			     const hitl_threshold_target *t, char *err, size_t errlen);

#endif
