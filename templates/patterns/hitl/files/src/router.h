/* router.h - turning one case's features into a routing decision.
 *
 * A prediction is the model's class probabilities, its recommendation (the
 * most probable class), its confidence (that class's probability) and the
 * features that moved the recommendation most, found by occlusion. The
 * route is automatic when the confidence reaches the threshold, review when
 * it does not, and audit for a deterministic sample of confident cases that
 * still go to a human so that the threshold can be re-chosen from unbiased
 * labels (see threshold.h).
 */
#ifndef HITL_ROUTER_H
#define HITL_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "model.h"

typedef struct hitl_contribution {
	size_t feature;      /* index into the feature list */
	double value;        /* the case's value of that feature */
	double contribution; /* p(rec | x) - p(rec | x with this feature at its baseline) */
} hitl_contribution;

typedef struct hitl_prediction {
	size_t n_classes;
	double probs[HITL_MAX_LABELS];
	size_t recommendation; /* index of the most probable class */
	double confidence;     /* probs[recommendation] */
	size_t n_top;
	hitl_contribution top[HITL_MAX_TOP]; /* largest |contribution| first */
} hitl_prediction;

typedef enum hitl_route {
	HITL_ROUTE_AUTO,   /* decided by the model */
	HITL_ROUTE_REVIEW, /* below the threshold: a human decides */
	HITL_ROUTE_AUDIT,  /* confident, but sampled for human review */
	HITL_ROUTE_UNUSUAL, /* a feature outside its configured range: the model is
			     * outside what it was trained on, a person decides */
} hitl_route;

/* "auto", "review", "audit", "unusual". */
const char *hitl_route_name(hitl_route r);
/* The route named s, or -1. */
int hitl_route_parse(const char *s);

/* Read the model's raw outputs y[n_out] as class probabilities: one output
 * is P(class 1) (a logistic is applied when it lies outside [0,1]); two or
 * more are used as they are when they already form a distribution, and go
 * through a softmax otherwise. Returns 0, or -1 for non-finite outputs or
 * more than HITL_MAX_LABELS classes. */
int hitl_probabilities(double *p, size_t *n_classes, const float *y, size_t n_out);

/* Predict and explain one case. x and baseline have model_inputs(m) values
 * (baseline NULL = zeros); top is how many contributions to keep. The
 * explanation is gradient-free occlusion: each feature in turn is set to
 * its baseline and the drop in the recommended class's probability is that
 * feature's contribution (n + 1 forward passes). Returns 0, or -1 with a
 * message. */
int hitl_predict(hitl_prediction *out, model *m, const double *x, const double *baseline, int top, char *err,
		 size_t errlen);

/* A uniform draw in [0,1) fixed by key (the first 8 bytes of SHA-256), so
 * that whether a case is audited is reproducible. */
double hitl_audit_draw(const char *key);

/* The route for a case: review when the recommendation may not be
 * automated (automatable false: e.g. denials always go to a person) or
 * confidence < threshold; otherwise auto, unless the case's draw falls
 * below audit_rate (audit). */
hitl_route hitl_route_decide(double confidence, double threshold, double audit_rate, const char *key,
			     bool automatable);

#endif
