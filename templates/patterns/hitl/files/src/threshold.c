/* threshold.c - the threshold curve and the recommendation.
 *
 * Design: sort once by confidence, descending, and sweep: at each distinct
 * confidence the cumulative weight and error above it give that
 * threshold's review load and automated error in O(1), so the whole curve
 * costs O(n log n). Ties are kept together: cases with equal confidence
 * are always routed the same way, so no threshold can split them.
 */
#include "threshold.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int by_confidence_desc(const void *a, const void *b)
{
	double x = ((const hitl_labelled *)a)->confidence, y = ((const hitl_labelled *)b)->confidence;
	return x > y ? -1 : x < y;
}

int hitl_threshold_curve(hitl_threshold_point **out, size_t *n, const hitl_labelled *rows, size_t n_rows)
{
	*out = NULL;
	*n = 0;
	double total = 0;
	for (size_t i = 0; i < n_rows; i++) {
		if (!isfinite(rows[i].confidence) || !isfinite(rows[i].weight) || rows[i].weight <= 0)
			return -1;
		total += rows[i].weight;
	}
	hitl_labelled *s = malloc((n_rows ? n_rows : 1) * sizeof *s);
	hitl_threshold_point *pts = malloc((n_rows + 1) * sizeof *pts);
	if (!s || !pts) {
		free(s);
		free(pts);
		return -1;
	}
	if (n_rows)
		memcpy(s, rows, n_rows * sizeof *s);
	qsort(s, n_rows, sizeof *s, by_confidence_desc);
	/* sweep from the highest confidence down; points come out in
	 * decreasing threshold and are reversed at the end */
	size_t np = 0;
	double w_auto = 0, w_wrong = 0;
	size_t n_auto = 0;
	for (size_t i = 0; i < n_rows;) {
		double c = s[i].confidence;
		size_t before = n_auto;
		for (; i < n_rows && s[i].confidence == c; i++) {
			if (!s[i].automatable)
				continue;
			w_auto += s[i].weight;
			w_wrong += s[i].correct ? 0 : s[i].weight;
			n_auto++;
		}
		if (n_auto == before)
			continue; /* nothing automatable at this confidence: not a distinct choice */
		hitl_threshold_point *p = &pts[np++];
		p->threshold = c;
		p->review_all = false;
		p->review_load = total > 0 ? (total - w_auto) / total : 0;
		if (p->review_load < 0)
			p->review_load = 0;
		p->auto_error = w_auto > 0 ? w_wrong / w_auto : 0;
		p->n_auto = n_auto;
	}
	for (size_t i = 0; i < np / 2; i++) {
		hitl_threshold_point t = pts[i];
		pts[i] = pts[np - 1 - i];
		pts[np - 1 - i] = t;
	}
	hitl_threshold_point *all = &pts[np++];
	all->threshold = INFINITY;
	all->review_all = true;
	all->review_load = 1;
	all->auto_error = 0;
	all->n_auto = 0;
	free(s);
	*out = pts;
	*n = np;
	return 0;
}

int hitl_threshold_recommend(hitl_threshold_point *out, const hitl_labelled *rows, size_t n_rows,
			     const hitl_threshold_target *t, char *err, size_t errlen)
{
	bool by_load = t->max_review_load >= 0, by_error = t->max_error >= 0;
	if (!by_load && !by_error) {
		snprintf(err, errlen, "give a target: a maximum review load, a maximum error rate, or both");
		return -1;
	}
	if ((by_load && t->max_review_load > 1) || (by_error && t->max_error > 1)) {
		snprintf(err, errlen, "targets are fractions from 0 to 1");
		return -1;
	}
	hitl_threshold_point *pts;
	size_t np;
	if (hitl_threshold_curve(&pts, &np, rows, n_rows) < 0) {
		snprintf(err, errlen, "bad rows: confidences must be finite and weights above zero");
		return -1;
	}
	const double eps = 1e-12;
	long pick = -1;
	for (size_t i = 0; i < np; i++) {
		const hitl_threshold_point *p = &pts[i];
		bool ok = true;
		if (by_load && p->review_load > t->max_review_load + eps)
			ok = false;
		if (by_error && !p->review_all &&
		    (p->auto_error > t->max_error + eps || p->n_auto < t->min_support))
			ok = false;
		if (!ok)
			continue;
		if (by_load) {
			pick = (long)i; /* keep going: the highest feasible threshold wins */
		} else if (!p->review_all) {
			pick = (long)i; /* the lowest feasible threshold wins */
			break;
		}
	}
	int rc = 0;
	if (pick < 0 || pts[pick].review_all) {
		/* review-all only counts as a recommendation when the load target allows it */
		rc = pick < 0 || !by_load ? 1 : 0;
		pick = (long)np - 1;
	}
	*out = pts[pick];
	free(pts);
	return rc;
}
