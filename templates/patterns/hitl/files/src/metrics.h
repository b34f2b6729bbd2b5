/* metrics.h - how well the human-machine split is working.
 *
 * automation rate  cases decided by the model / all routed cases
 * override rate    human decisions that differ from the model's
 *                  recommendation / human decisions
 * agreement        Cohen's kappa between the reviewers' decisions and the
 *                  model's recommendations (chance-corrected agreement), and
 *                  the same for the blind first judgments, which measure
 *                  agreement before the reviewer saw the model.
 * A reviewer who switches from their own judgment to the model's after
 * seeing it is counted (switched_to_model): a rising share is the signature
 * of automation bias.
 */
#ifndef HITL_METRICS_H
#define HITL_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "store.h"

/* Cohen's kappa of n paired ratings a[i], b[i] in 0..k-1:
 * (p_o - p_e) / (1 - p_e), p_o the observed agreement and p_e the agreement
 * expected from the two raters' marginal rates. NaN when n is 0 or p_e is 1
 * (both raters always gave the same single rating: kappa is undefined).
 * *po, when not NULL, gets p_o (NaN when n is 0). */
double hitl_kappa(const int *a, const int *b, size_t n, size_t k, double *po);

typedef struct hitl_report {
	hitl_counts counts;
	double automation_rate; /* NaN with no cases */
	int64_t reviewed;       /* feedback rows */
	int64_t overrides;
	double override_rate;
	double agreement, kappa; /* final decision vs model */
	int64_t blind_n;         /* rows with a first judgment */
	double blind_agreement, blind_kappa;
	int64_t switched_to_model;   /* first != model, final == model */
	int64_t switched_from_model; /* first == model, final != model */
	double median_review_hours;  /* routed -> decided; NaN with no rows */
	int review_sla_hours;
} hitl_report;

/* Compute the report from the store; now decides what is overdue. */
int hitl_report_compute(hitl_report *r, hitl_store *s, const hitl_config *c, int64_t now, char *err,
			size_t errlen);

/* The report as JSON (NaN as null); NULL when out of memory. */
cJSON *hitl_report_json(const hitl_report *r);
/* The report as text for a terminal. */
void hitl_report_print(FILE *f, const hitl_report *r);

#endif
