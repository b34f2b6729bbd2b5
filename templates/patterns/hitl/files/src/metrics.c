/* metrics.c - automation, override and agreement rates.
 *
 * Design: the report is computed from the feedback table, the same rows the
 * CSV export hands to retraining, so the numbers a manager sees and the
 * labels a data scientist trains on never disagree. Labels are indexed as
 * they are met (configured labels first), so a label retired from the
 * configuration still counts in the agreement instead of being dropped.
 */
#include "metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double hitl_kappa(const int *a, const int *b, size_t n, size_t k, double *po)
{
	if (po)
		*po = NAN;
	if (n == 0 || k == 0)
		return NAN;
	double *ra = calloc(2 * k, sizeof *ra);
	if (!ra)
		return NAN;
	double *rb = ra + k;
	size_t same = 0, used = 0;
	for (size_t i = 0; i < n; i++) {
		if (a[i] < 0 || b[i] < 0 || (size_t)a[i] >= k || (size_t)b[i] >= k)
			continue;
		ra[a[i]]++;
		rb[b[i]]++;
		same += a[i] == b[i];
		used++;
	}
	double kappa = NAN;
	if (used) {
		double p_o = (double)same / (double)used, p_e = 0;
		for (size_t c = 0; c < k; c++)
			p_e += (ra[c] / (double)used) * (rb[c] / (double)used);
		if (po)
			*po = p_o;
		if (1 - p_e > 1e-12)
			kappa = (p_o - p_e) / (1 - p_e);
	}
	free(ra);
	return kappa;
}

#define MAX_SEEN (2 * HITL_MAX_LABELS)

typedef struct {
	const hitl_config *cfg;
	char seen[MAX_SEEN][HITL_NAME_MAX];
	size_t n_seen;
	int *human, *model, *first, *first_model;
	size_t n, n_first, cap;
	double *review_s;
	int64_t overrides, to_model, from_model;
	int failed;
} walk;

static int index_of(walk *w, const char *label)
{
	for (size_t i = 0; i < w->n_seen; i++)
		if (!strcmp(w->seen[i], label))
			return (int)i;
	if (w->n_seen == MAX_SEEN)
		return -1;
	snprintf(w->seen[w->n_seen], HITL_NAME_MAX, "%s", label);
	return (int)w->n_seen++;
}

static int collect(void *ctx, const hitl_feedback *f)
{
	walk *w = ctx;
	if (w->n == w->cap) {
		size_t ncap = w->cap ? w->cap * 2 : 64;
		int *arrays[4] = { w->human, w->model, w->first, w->first_model };
		for (int i = 0; i < 4; i++) {
			int *g = realloc(arrays[i], ncap * sizeof *g);
			if (!g) {
				w->failed = 1;
				return 1;
			}
			arrays[i] = g;
		}
		w->human = arrays[0];
		w->model = arrays[1];
		w->first = arrays[2];
		w->first_model = arrays[3];
		double *r = realloc(w->review_s, ncap * sizeof *r);
		if (!r) {
			w->failed = 1;
			return 1;
		}
		w->review_s = r;
		w->cap = ncap;
	}
	int h = index_of(w, f->label), m = index_of(w, f->recommendation);
	w->human[w->n] = h;
	w->model[w->n] = m;
	w->review_s[w->n] = (double)f->review_seconds;
	w->n++;
	if (strcmp(f->label, f->recommendation))
		w->overrides++;
	if (f->first_judgment[0]) {
		w->first[w->n_first] = index_of(w, f->first_judgment);
		w->first_model[w->n_first] = m;
		w->n_first++;
		bool first_agrees = !strcmp(f->first_judgment, f->recommendation);
		bool final_agrees = !strcmp(f->label, f->recommendation);
		if (!first_agrees && final_agrees)
			w->to_model++;
		if (first_agrees && !final_agrees)
			w->from_model++;
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int hitl_report_compute(hitl_report *r, hitl_store *s, const hitl_config *c, int64_t now, char *err,
			size_t errlen)
{
	memset(r, 0, sizeof *r);
	r->review_sla_hours = c->review_sla_hours;
	int rc = hitl_store_counts(s, now, &r->counts, err, errlen);
	if (rc)
		return rc;
	walk w;
	memset(&w, 0, sizeof w);
	w.cfg = c;
	for (size_t i = 0; i < c->n_labels; i++)
		index_of(&w, c->labels[i]);
	rc = hitl_store_feedback_each(s, collect, &w, err, errlen);
	if (w.failed) {
		snprintf(err, errlen, "out of memory");
		rc = HITL_EDB;
	}
	if (rc == HITL_OK) {
		r->automation_rate = r->counts.total ? (double)r->counts.automated / (double)r->counts.total : NAN;
		r->reviewed = (int64_t)w.n;
		r->overrides = w.overrides;
		r->override_rate = w.n ? (double)w.overrides / (double)w.n : NAN;
		r->kappa = hitl_kappa(w.human, w.model, w.n, w.n_seen, &r->agreement);
		r->blind_n = (int64_t)w.n_first;
		r->blind_kappa = hitl_kappa(w.first, w.first_model, w.n_first, w.n_seen, &r->blind_agreement);
		r->switched_to_model = w.to_model;
		r->switched_from_model = w.from_model;
		r->median_review_hours = NAN;
		if (w.n) {
			qsort(w.review_s, w.n, sizeof *w.review_s, cmp_double);
			double med = w.n % 2 ? w.review_s[w.n / 2]
					     : (w.review_s[w.n / 2 - 1] + w.review_s[w.n / 2]) / 2;
			r->median_review_hours = med / 3600.0;
		}
	}
	free(w.human);
	free(w.model);
	free(w.first);
	free(w.first_model);
	free(w.review_s);
	return rc;
}

static void add_number(cJSON *o, const char *key, double v)
{
	if (isfinite(v))
		cJSON_AddNumberToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

cJSON *hitl_report_json(const hitl_report *r)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	cJSON *cases = cJSON_AddObjectToObject(o, "cases");
	add_number(cases, "total", (double)r->counts.total);
	add_number(cases, "automated", (double)r->counts.automated);
	add_number(cases, "queued", (double)r->counts.queued);
	add_number(cases, "claimed", (double)r->counts.claimed);
	add_number(cases, "decided", (double)r->counts.decided);
	add_number(cases, "audited", (double)r->counts.audited);
	add_number(cases, "overdue", (double)r->counts.overdue);
	add_number(o, "automation_rate", r->automation_rate);
	add_number(o, "reviewed", (double)r->reviewed);
	add_number(o, "overrides", (double)r->overrides);
	add_number(o, "override_rate", r->override_rate);
	cJSON *ag = cJSON_AddObjectToObject(o, "agreement");
	add_number(ag, "observed", r->agreement);
	add_number(ag, "kappa", r->kappa);
	cJSON *bl = cJSON_AddObjectToObject(o, "blind_agreement");
	add_number(bl, "n", (double)r->blind_n);
	add_number(bl, "observed", r->blind_agreement);
	add_number(bl, "kappa", r->blind_kappa);
	add_number(o, "switched_to_model", (double)r->switched_to_model);
	add_number(o, "switched_from_model", (double)r->switched_from_model);
	add_number(o, "median_review_hours", r->median_review_hours);
	add_number(o, "review_sla_hours", (double)r->review_sla_hours);
	return o;
}

static void pct(FILE *f, const char *label, double v)
{
	if (isfinite(v))
		fprintf(f, "%-28s %6.1f%%\n", label, 100 * v);
	else
		fprintf(f, "%-28s %7s\n", label, "n/a");
}

static void num(FILE *f, const char *label, double v)
{
	if (isfinite(v))
		fprintf(f, "%-28s %7.3f\n", label, v);
	else
		fprintf(f, "%-28s %7s\n", label, "n/a");
}

void hitl_report_print(FILE *f, const hitl_report *r)
{
	fprintf(f, "cases                        %7lld (automated %lld, queued %lld, claimed %lld, decided %lld)\n",
		(long long)r->counts.total, (long long)r->counts.automated, (long long)r->counts.queued,
		(long long)r->counts.claimed, (long long)r->counts.decided);
	fprintf(f, "audited (confident, sampled) %7lld\n", (long long)r->counts.audited);
	fprintf(f, "overdue (SLA %d h)           %7lld\n", r->review_sla_hours, (long long)r->counts.overdue);
	pct(f, "automation rate", r->automation_rate);
	fprintf(f, "human decisions              %7lld\n", (long long)r->reviewed);
	pct(f, "override rate", r->override_rate);
	pct(f, "agreement (final vs model)", r->agreement);
	num(f, "kappa (final vs model)", r->kappa);
	fprintf(f, "blind first judgments        %7lld\n", (long long)r->blind_n);
	pct(f, "agreement (blind vs model)", r->blind_agreement);
	num(f, "kappa (blind vs model)", r->blind_kappa);
	fprintf(f, "switched to the model        %7lld\n", (long long)r->switched_to_model);
	fprintf(f, "switched away from the model %7lld\n", (long long)r->switched_from_model);
	num(f, "median review time (hours)", r->median_review_hours);
}
