/* test_metrics.c - Cohen's kappa against hand-computed values, and the
 * report (automation, override, agreement, automation-bias switches) over
 * a store whose cases are chosen here. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "service.h"
#include "testutil.h"

Test(kappa, two_categories_by_hand)
{
	/* model (a) vs reviewer (b), 0 = deny, 1 = approve:
	 *   a=1,b=1: 4   a=1,b=0: 1   a=0,b=1: 2   a=0,b=0: 3   (n = 10)
	 * p_o = (4 + 3) / 10 = 0.7
	 * a: approve 5, deny 5; b: approve 6, deny 4
	 * p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.5
	 * kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4 */
	int a[10] = { 1, 1, 1, 1, 1, 0, 0, 0, 0, 0 };
	int b[10] = { 1, 1, 1, 1, 0, 1, 1, 0, 0, 0 };
	double po;
	double k = hitl_kappa(a, b, 10, 2, &po);
	cr_assert_float_eq(po, 0.7, 1e-12);
	cr_assert_float_eq(k, 0.4, 1e-12);
	/* symmetric */
	cr_assert_float_eq(hitl_kappa(b, a, 10, 2, NULL), 0.4, 1e-12);
}

Test(kappa, three_categories_by_hand)
{
	/* confusion (rows a, columns b):
	 *        0  1  2
	 *   0  [ 2  1  0 ]  3
	 *   1  [ 0  3  1 ]  4
	 *   2  [ 1  0  2 ]  3
	 *        3  4  3     n = 10
	 * p_o = 7/10; p_e = (3*3 + 4*4 + 3*3) / 100 = 0.34
	 * kappa = (0.7 - 0.34) / 0.66 = 0.545454... */
	int a[10] = { 0, 0, 0, 1, 1, 1, 1, 2, 2, 2 };
	int b[10] = { 0, 0, 1, 1, 1, 1, 2, 0, 2, 2 };
	cr_assert_float_eq(hitl_kappa(a, b, 10, 3, NULL), 0.36 / 0.66, 1e-12);
}

Test(kappa, perfect_chance_and_undefined)
{
	int a[4] = { 0, 1, 0, 1 };
	cr_assert_float_eq(hitl_kappa(a, a, 4, 2, NULL), 1.0, 1e-12);
	/* agreement exactly at chance: a alternates, b constant-balanced */
	int b[4] = { 0, 0, 1, 1 };
	/* p_o = 0.5, p_e = 0.5*0.5 + 0.5*0.5 = 0.5 -> 0 */
	cr_assert_float_eq(hitl_kappa(a, b, 4, 2, NULL), 0.0, 1e-12);
	/* both always say 1: p_e = 1, kappa undefined */
	int one[3] = { 1, 1, 1 };
	cr_assert(isnan(hitl_kappa(one, one, 3, 2, NULL)));
	double po;
	cr_assert(isnan(hitl_kappa(NULL, NULL, 0, 2, &po)));
	cr_assert(isnan(po));
	/* complete disagreement on a balanced set: p_o = 0, p_e = 0.5 -> -1 */
	int c[2] = { 0, 1 }, d[2] = { 1, 0 };
	cr_assert_float_eq(hitl_kappa(c, d, 2, 2, NULL), -1.0, 1e-12);
}

static char *dir;
static hitl_service *svc;

static void setup(void)
{
	dir = tu_tempdir();
	char *path = tu_path(dir, "m.safetensors");
	float w[1] = { 1.0f };
	tu_write_logistic_model(path, 1, w, 0.0f, "score", "t-1");
	hitl_config c;
	tu_config(&c, dir, path);
	c.audit_rate = 0;
	free(path);
	char err[512];
	cr_assert_eq(hitl_service_open(&svc, &c, err, sizeof err), 0, "%s", err);
}

static void teardown(void)
{
	hitl_service_close(svc);
	tu_rmtree(dir);
	free(dir);
}

/* Route a case with P(approve) = p and, when it is queued, have `who`
 * record `first` (NULL: none) and decide `final`, `secs` after routing. */
static void reviewed(const char *ext, double p, const char *first, const char *final, int64_t secs)
{
	double x[1] = { tu_logit(p) };
	hitl_case c;
	bool existed;
	char err[512];
	cr_assert_eq(hitl_service_submit(svc, ext, x, 1000, &c, &existed, err, sizeof err), 0, "%s", err);
	if (!final)
		return;
	cr_assert_str_eq(c.status, "queued", "%s", ext);
	cr_assert_eq(hitl_service_claim(svc, c.id, "rev", 1001, err, sizeof err), 0, "%s", err);
	if (first)
		cr_assert_eq(hitl_service_judge(svc, c.id, "rev", first, 1002, err, sizeof err), 0, "%s", err);
	else
		svc->cfg.blind_first = false;
	cr_assert_eq(hitl_service_decide(svc, c.id, "rev", final, "because", 1000 + secs, err, sizeof err), 0,
		     "%s", err);
	svc->cfg.blind_first = true;
}

Test(report, rates_and_kappa_over_known_cases, .init = setup, .fini = teardown)
{
	/* 4 automatic approvals (confidence >= 0.9) and 1 queued, undecided */
	reviewed("auto1", 0.95, NULL, NULL, 0);
	reviewed("auto2", 0.99, NULL, NULL, 0);
	reviewed("auto3", 0.91, NULL, NULL, 0);
	reviewed("auto4", 0.97, NULL, NULL, 0);
	reviewed("waiting", 0.6, NULL, NULL, 0);
	/* 5 reviewed; model recommendation from p: >= 0.5 approve, else deny
	 *   case  model    first    final    secs
	 *   r1    approve  approve  approve  100
	 *   r2    approve  deny     approve  200   (switched to the model)
	 *   r3    deny     deny     deny     300
	 *   r4    deny     approve  approve  400   (override)
	 *   r5    approve  approve  deny     500   (override; switched away)  */
	reviewed("r1", 0.8, "approve", "approve", 100);
	reviewed("r2", 0.7, "deny", "approve", 200);
	reviewed("r3", 0.2, "deny", "deny", 300);
	reviewed("r4", 0.3, "approve", "approve", 400);
	reviewed("r5", 0.6, "approve", "deny", 500);
	hitl_report r;
	char err[512];
	cr_assert_eq(hitl_report_compute(&r, svc->store, &svc->cfg, 2000, err, sizeof err), 0, "%s", err);
	cr_assert_eq(r.counts.total, 10);
	cr_assert_eq(r.counts.automated, 4);
	cr_assert_eq(r.counts.queued, 1);
	cr_assert_eq(r.counts.decided, 5);
	cr_assert_float_eq(r.automation_rate, 0.4, 1e-12);
	cr_assert_eq(r.reviewed, 5);
	cr_assert_eq(r.overrides, 2);
	cr_assert_float_eq(r.override_rate, 0.4, 1e-12);
	/* final vs model: model A A D D A, final A A D A D
	 * p_o = 3/5; model: A 3/5, D 2/5; final: A 3/5, D 2/5
	 * p_e = 0.36 + 0.16 = 0.52; kappa = (0.6 - 0.52) / 0.48 = 1/6 */
	cr_assert_float_eq(r.agreement, 0.6, 1e-12);
	cr_assert_float_eq(r.kappa, 0.08 / 0.48, 1e-12);
	/* first vs model: first A D D A A vs model A A D D A
	 * p_o = 3/5; first: A 3/5, D 2/5 -> same margins -> kappa 1/6 */
	cr_assert_eq(r.blind_n, 5);
	cr_assert_float_eq(r.blind_agreement, 0.6, 1e-12);
	cr_assert_float_eq(r.blind_kappa, 0.08 / 0.48, 1e-12);
	cr_assert_eq(r.switched_to_model, 1);
	cr_assert_eq(r.switched_from_model, 1);
	cr_assert_float_eq(r.median_review_hours, 300.0 / 3600, 1e-12);

	cJSON *j = hitl_report_json(&r);
	cr_assert_float_eq(cJSON_GetObjectItem(j, "automation_rate")->valuedouble, 0.4, 1e-12);
	cr_assert_float_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "agreement"), "kappa")->valuedouble,
			   1.0 / 6, 1e-12);
	cJSON_Delete(j);
}

Test(report, an_empty_store_reports_undefined_rates_as_null, .init = setup, .fini = teardown)
{
	hitl_report r;
	char err[512];
	cr_assert_eq(hitl_report_compute(&r, svc->store, &svc->cfg, 0, err, sizeof err), 0, "%s", err);
	cr_assert(isnan(r.automation_rate));
	cr_assert(isnan(r.override_rate));
	cr_assert(isnan(r.kappa));
	cJSON *j = hitl_report_json(&r);
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(j, "automation_rate")));
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "agreement"), "kappa")));
	cJSON_Delete(j);
}
