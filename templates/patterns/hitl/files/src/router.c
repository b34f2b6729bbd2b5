/* router.c - prediction, occlusion explanation and the routing rule.
 *
 * Design: explanations are computed by occlusion rather than weight*input,
 * because the shipped model has a hidden ReLU layer, and the first layer's
 * weights times the inputs do not say how the output moves. Occlusion asks
 * the question a reviewer cares about ("how much less sure would the model
 * be without this value?") for any dense network, at the cost of one extra
 * forward pass per feature, which is microseconds for a model this size.
 * Its limit, stated in the README: features that only matter together are
 * each shown as small.
 */
#include "router.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"

const char *hitl_route_name(hitl_route r)
{
	switch (r) {
	case HITL_ROUTE_AUTO: return "auto";
	case HITL_ROUTE_REVIEW: return "review";
	case HITL_ROUTE_AUDIT: return "audit";
	case HITL_ROUTE_UNUSUAL: return "unusual";
	}
	return "?";
}

int hitl_route_parse(const char *s)
{
	for (int r = HITL_ROUTE_AUTO; r <= HITL_ROUTE_UNUSUAL; r++)
		if (!strcmp(s, hitl_route_name((hitl_route)r)))
			return r;
	return -1;
}

int hitl_probabilities(double *p, size_t *n_classes, const float *y, size_t n_out)
{
	if (n_out == 0 || n_out > HITL_MAX_LABELS)
		return -1;
	for (size_t i = 0; i < n_out; i++)
		if (!isfinite(y[i]))
			return -1;
	if (n_out == 1) {
		double v = y[0];
		if (v < 0 || v > 1)
			v = 1.0 / (1.0 + exp(-v));
		p[0] = 1 - v;
		p[1] = v;
		*n_classes = 2;
		return 0;
	}
	double sum = 0;
	int in_range = 1;
	for (size_t i = 0; i < n_out; i++) {
		if (y[i] < 0 || y[i] > 1)
			in_range = 0;
		sum += y[i];
	}
	if (in_range && fabs(sum - 1) < 1e-4) {
		for (size_t i = 0; i < n_out; i++)
			p[i] = y[i] / sum;
	} else {
		double mx = y[0];
		for (size_t i = 1; i < n_out; i++)
			if (y[i] > mx)
				mx = y[i];
		sum = 0;
		for (size_t i = 0; i < n_out; i++) {
			p[i] = exp((double)y[i] - mx);
			sum += p[i];
		}
		for (size_t i = 0; i < n_out; i++)
			p[i] /= sum;
	}
	*n_classes = n_out;
	return 0;
}

static int run(model *m, const float *xf, float *y, double *p, size_t *nc)
{
	model_predict(m, xf, y);
	return hitl_probabilities(p, nc, y, model_outputs(m));
}

static int by_magnitude(const void *a, const void *b)
{
	const hitl_contribution *x = a, *y = b;
	double ax = fabs(x->contribution), ay = fabs(y->contribution);
	if (ax != ay)
		return ax < ay ? 1 : -1;
	return x->feature < y->feature ? -1 : x->feature > y->feature;
}

int hitl_predict(hitl_prediction *out, model *m, const double *x, const double *baseline, int top, char *err,
		 size_t errlen)
{
	memset(out, 0, sizeof *out);
	size_t n = model_inputs(m), n_out = model_outputs(m);
	if (n == 0 || n > HITL_MAX_FEATURES || n_out == 0 || n_out > HITL_MAX_LABELS) {
		snprintf(err, errlen, "model shape %zu -> %zu is not supported (at most %d inputs, %d outputs)", n,
			 n_out, HITL_MAX_FEATURES, HITL_MAX_LABELS);
		return -1;
	}
	float xf[HITL_MAX_FEATURES], y[HITL_MAX_LABELS];
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(x[i])) {
			snprintf(err, errlen, "feature %zu is not a finite number", i);
			return -1;
		}
		xf[i] = (float)x[i];
	}
	if (run(m, xf, y, out->probs, &out->n_classes) < 0) {
		snprintf(err, errlen, "the model produced a non-finite output");
		return -1;
	}
	size_t rec = 0;
	for (size_t k = 1; k < out->n_classes; k++)
		if (out->probs[k] > out->probs[rec])
			rec = k;
	out->recommendation = rec;
	out->confidence = out->probs[rec];

	hitl_contribution all[HITL_MAX_FEATURES];
	for (size_t i = 0; i < n; i++) {
		double p[HITL_MAX_LABELS];
		size_t nc;
		float keep = xf[i];
		xf[i] = (float)(baseline ? baseline[i] : 0.0);
		if (run(m, xf, y, p, &nc) < 0) {
			snprintf(err, errlen, "the model produced a non-finite output with feature %zu occluded", i);
			return -1;
		}
		xf[i] = keep;
		all[i].feature = i;
		all[i].value = x[i];
		all[i].contribution = out->confidence - p[rec];
	}
	qsort(all, n, sizeof all[0], by_magnitude);
	size_t k = top < 0 ? 0 : (size_t)top;
	if (k > n)
		k = n;
	if (k > HITL_MAX_TOP)
		k = HITL_MAX_TOP;
	memcpy(out->top, all, k * sizeof all[0]);
	out->n_top = k;
	return 0;
}

double hitl_audit_draw(const char *key)
{
	unsigned char d[32];
	sha256(key, strlen(key), d);
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | d[i];
	return (double)(v >> 11) / 9007199254740992.0; /* 53 bits / 2^53 */
}

hitl_route hitl_route_decide(double confidence, double threshold, double audit_rate, const char *key,
			     bool automatable)
{
	if (!automatable || confidence < threshold)
		return HITL_ROUTE_REVIEW;
	if (audit_rate > 0 && key && hitl_audit_draw(key) < audit_rate)
		return HITL_ROUTE_AUDIT;
	return HITL_ROUTE_AUTO;
}
