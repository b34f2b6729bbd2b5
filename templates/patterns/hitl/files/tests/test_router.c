/* test_router.c - probabilities, the occlusion explanation and the routing
 * rule, on hand-built models whose outputs are worked out here with exp(),
 * and on the shipped claims model against the values make-model.py wrote. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "csv.h"
#include "model.h"
#include "router.h"
#include "service.h"
#include "testutil.h"

static double sigmoid(double z)
{
	return 1 / (1 + exp(-z));
}

static char *dir;

static void setup(void)
{
	dir = tu_tempdir();
}

static void teardown(void)
{
	tu_rmtree(dir);
	free(dir);
}

TestSuite(router, .init = setup, .fini = teardown);

Test(router, one_output_is_the_second_class_probability)
{
	double p[HITL_MAX_LABELS];
	size_t n;
	float y = 0.8f;
	cr_assert_eq(hitl_probabilities(p, &n, &y, 1), 0);
	cr_assert_eq(n, 2);
	cr_assert_float_eq(p[1], 0.8, 1e-6);
	cr_assert_float_eq(p[0], 0.2, 1e-6);
	/* outside [0,1]: a logit */
	y = 2.0f;
	cr_assert_eq(hitl_probabilities(p, &n, &y, 1), 0);
	cr_assert_float_eq(p[1], sigmoid(2.0), 1e-9);
	y = NAN;
	cr_assert_eq(hitl_probabilities(p, &n, &y, 1), -1);
}

Test(router, several_outputs_are_kept_or_softmaxed)
{
	double p[HITL_MAX_LABELS];
	size_t n;
	float dist[3] = { 0.2f, 0.5f, 0.3f };
	cr_assert_eq(hitl_probabilities(p, &n, dist, 3), 0);
	cr_assert_eq(n, 3);
	cr_assert_float_eq(p[1], 0.5, 1e-6);
	float logits[2] = { 1.0f, 3.0f };
	cr_assert_eq(hitl_probabilities(p, &n, logits, 2), 0);
	/* softmax by hand: e^3 / (e^1 + e^3) = 1 / (1 + e^-2) */
	cr_assert_float_eq(p[1], 1 / (1 + exp(-2.0)), 1e-9);
	cr_assert_float_eq(p[0] + p[1], 1.0, 1e-12);
}

Test(router, occlusion_contributions_match_the_hand_computation)
{
	/* p(approve) = sigmoid(1*x0 - 2*x1 + 0.5*x2 + 0) */
	char *path = tu_path(dir, "m.safetensors");
	float w[3] = { 1.0f, -2.0f, 0.5f };
	tu_write_logistic_model(path, 3, w, 0.0f, NULL, "hand-1");
	model *m;
	char err[256];
	cr_assert_eq(model_load(&m, path, err, sizeof err), 0, "%s", err);
	double x[3] = { 2.0, 0.5, 0.0 };
	double base[3] = { 0.0, 0.0, 4.0 };
	hitl_prediction p;
	cr_assert_eq(hitl_predict(&p, m, x, base, 3, err, sizeof err), 0, "%s", err);
	/* z = 2 - 1 + 0 = 1 */
	double conf = sigmoid(1.0);
	cr_assert_eq(p.recommendation, 1);
	cr_assert_float_eq(p.confidence, conf, 1e-6);
	/* x0 -> 0: z = -1; x1 -> 0: z = 2; x2 -> 4: z = 3 */
	double c0 = conf - sigmoid(-1.0), c1 = conf - sigmoid(2.0), c2 = conf - sigmoid(3.0);
	/* |c0| = 0.462 > |c2| = 0.221 > |c1| = 0.150 */
	cr_assert_eq(p.n_top, 3);
	cr_assert_eq(p.top[0].feature, 0);
	cr_assert_float_eq(p.top[0].contribution, c0, 1e-6);
	cr_assert_float_eq(p.top[0].value, 2.0, 1e-12);
	cr_assert_eq(p.top[1].feature, 2);
	cr_assert_float_eq(p.top[1].contribution, c2, 1e-6);
	cr_assert_eq(p.top[2].feature, 1);
	cr_assert_float_eq(p.top[2].contribution, c1, 1e-6);
	cr_assert_lt(p.top[2].contribution, 0, "x1 = 0.5 pushes against the recommendation");
	/* top 1 keeps only the largest */
	cr_assert_eq(hitl_predict(&p, m, x, base, 1, err, sizeof err), 0);
	cr_assert_eq(p.n_top, 1);
	cr_assert_eq(p.top[0].feature, 0);
	model_free(m);
	free(path);
}

Test(router, a_deny_recommendation_is_explained_against_its_own_probability)
{
	char *path = tu_path(dir, "m.safetensors");
	float w[1] = { 1.0f };
	tu_write_logistic_model(path, 1, w, 0.0f, NULL, "hand-1");
	model *m;
	char err[256];
	cr_assert_eq(model_load(&m, path, err, sizeof err), 0, "%s", err);
	double x[1] = { -2.0 };
	hitl_prediction p;
	cr_assert_eq(hitl_predict(&p, m, x, NULL, 3, err, sizeof err), 0);
	cr_assert_eq(p.recommendation, 0);
	cr_assert_float_eq(p.confidence, 1 - sigmoid(-2.0), 1e-6);
	/* occluded to 0: p(deny) = 0.5 */
	cr_assert_float_eq(p.top[0].contribution, (1 - sigmoid(-2.0)) - 0.5, 1e-6);
	double bad[1] = { INFINITY };
	cr_assert_eq(hitl_predict(&p, m, bad, NULL, 3, err, sizeof err), -1);
	model_free(m);
	free(path);
}

Test(router, routing_rule_at_and_around_the_threshold)
{
	cr_assert_eq(hitl_route_decide(0.95, 0.9, 0, "a", true), HITL_ROUTE_AUTO);
	cr_assert_eq(hitl_route_decide(0.9, 0.9, 0, "a", true), HITL_ROUTE_AUTO, "at the threshold: automatic");
	cr_assert_eq(hitl_route_decide(0.8999, 0.9, 0, "a", true), HITL_ROUTE_REVIEW);
	cr_assert_eq(hitl_route_decide(0.99, 0.9, 0, "a", false), HITL_ROUTE_REVIEW,
		     "a label that may not be automated always goes to a person");
	cr_assert_eq(hitl_route_decide(1.0, 1.0, 0, "a", true), HITL_ROUTE_AUTO);
	cr_assert_eq(hitl_route_decide(0.99, 0.9, 1.0, "a", true), HITL_ROUTE_AUDIT, "audit_rate 1 audits all");
}

Test(router, audit_sampling_is_deterministic_and_at_the_configured_rate)
{
	int audited = 0;
	char key[32];
	for (int i = 0; i < 20000; i++) {
		snprintf(key, sizeof key, "claim-%d", i);
		double d = hitl_audit_draw(key);
		cr_assert(d >= 0 && d < 1);
		cr_assert_eq(d, hitl_audit_draw(key));
		audited += hitl_route_decide(0.99, 0.9, 0.05, key, true) == HITL_ROUTE_AUDIT;
	}
	/* binomial(20000, 0.05): mean 1000, sd 30.8; 5 sd either side */
	cr_assert(audited > 846 && audited < 1154, "audited %d of 20000", audited);
	/* below the threshold nothing is "audited": it is reviewed anyway */
	cr_assert_eq(hitl_route_decide(0.5, 0.9, 1.0, "x", true), HITL_ROUTE_REVIEW);
}

Test(router, route_names_round_trip)
{
	for (int r = HITL_ROUTE_AUTO; r <= HITL_ROUTE_AUDIT; r++)
		cr_assert_eq(hitl_route_parse(hitl_route_name((hitl_route)r)), r);
	cr_assert_eq(hitl_route_parse("other"), -1);
}

/* The shipped model with the shipped configuration: feature names from the
 * model, confidences equal to the Python forward pass in sample.csv, and
 * denials never automated. */
Test(router, shipped_model_and_configuration_agree_with_make_model)
{
	hitl_config c;
	char err[512];
	hitl_config_defaults(&c);
	cr_assert_eq(hitl_config_load(&c, PROJECT_DIR "/routing.conf", err, sizeof err), 0, "%s", err);
	snprintf(c.db, sizeof c.db, "%s/cases.db", dir);
	hitl_service *s;
	cr_assert_eq(hitl_service_open(&s, &c, err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(s->cfg.features[0], "claim_amount");
	FILE *f = fopen(MODELS_DIR "/sample.csv", "r");
	cr_assert(f);
	hitl_csv_record r = { 0 };
	long line = 0;
	cr_assert_eq(hitl_csv_read(f, &r, &line, err, sizeof err), 1);
	int c_expected = hitl_csv_column(&r, "expected");
	cr_assert_geq(c_expected, 0);
	int cols[HITL_MAX_FEATURES];
	for (size_t i = 0; i < s->cfg.n_features; i++) {
		cols[i] = hitl_csv_column(&r, s->cfg.features[i]);
		cr_assert_geq(cols[i], 0, "sample.csv lacks %s", s->cfg.features[i]);
	}
	int rows = 0;
	while (hitl_csv_read(f, &r, &line, err, sizeof err) == 1) {
		double x[HITL_MAX_FEATURES];
		for (size_t i = 0; i < s->cfg.n_features; i++)
			x[i] = strtod(r.field[cols[i]], NULL);
		double p_approve = strtod(r.field[c_expected], NULL);
		hitl_case cs;
		bool existed;
		char id[32];
		snprintf(id, sizeof id, "sample-%d", rows);
		cr_assert_eq(hitl_service_submit(s, id, x, 1000, &cs, &existed, err, sizeof err), 0, "%s", err);
		cr_assert_float_eq(cs.pred.probs[1], p_approve, 1e-5, "row %d", rows);
		bool approve = p_approve >= 0.5;
		cr_assert_str_eq(cs.recommendation, approve ? "approve" : "deny");
		double conf = approve ? p_approve : 1 - p_approve;
		bool automatic = approve && conf >= c.confidence_threshold;
		if (!automatic)
			cr_assert_neq(cs.route, HITL_ROUTE_AUTO, "row %d", rows);
		else
			cr_assert_neq(cs.route, HITL_ROUTE_REVIEW, "row %d", rows);
		cr_assert_eq(cs.pred.n_top, (size_t)c.top_features);
		rows++;
	}
	cr_assert_eq(rows, 20);
	hitl_csv_record_free(&r);
	fclose(f);
	hitl_service_close(s);
}

Test(router, a_model_that_does_not_fit_the_configuration_is_refused)
{
	char *path = tu_path(dir, "m.safetensors");
	float w[2] = { 1.0f, 1.0f };
	tu_write_logistic_model(path, 2, w, 0.0f, NULL, "hand-1");
	hitl_config c;
	tu_config(&c, dir, path);
	char err[512];
	hitl_service *s;
	hitl_config_set(&c, "features", "a, b, c", NULL, err, sizeof err);
	cr_assert_eq(hitl_service_open(&s, &c, err, sizeof err), -1);
	cr_assert(strstr(err, "names 3 features but the model takes 2"), "%s", err);
	tu_config(&c, dir, path);
	hitl_config_set(&c, "labels", "a, b, c", NULL, err, sizeof err);
	cr_assert_eq(hitl_service_open(&s, &c, err, sizeof err), -1);
	cr_assert(strstr(err, "3 labels but the model predicts 2 classes"), "%s", err);
	tu_config(&c, dir, path);
	hitl_config_set(&c, "baseline", "1", NULL, err, sizeof err);
	cr_assert_eq(hitl_service_open(&s, &c, err, sizeof err), -1);
	tu_config(&c, dir, "/nonexistent.safetensors");
	cr_assert_eq(hitl_service_open(&s, &c, err, sizeof err), -1);
	free(path);
}
