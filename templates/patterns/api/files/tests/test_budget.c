/* test_budget.c - the latency budget: weft-pipeline.yaml splits the CRM
 * page budget into stages whose budgets add up within it, the service's
 * deadline fits in the model stage's share, and the service keeps to that
 * share even when the model hangs.
 */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "request.h"
#include "support.h"
#include "yaml_json.h"

static cJSON *pipeline;
static api_config shipped;

static void up(void)
{
	char err[4096];
	pipeline = yaml_load_json(PROJECT_DIR "/weft-pipeline.yaml", err, sizeof err);
	cr_assert_not_null(pipeline, "%s", err);
	api_config_defaults(&shipped);
	cr_assert_eq(api_config_load(&shipped, PROJECT_DIR "/config/service.conf", err, sizeof err), 0, "%s", err);
}

static void down(void)
{
	cJSON_Delete(pipeline);
}

TestSuite(budget, .init = up, .fini = down);

/* "250ms", "2s", "900us" -> milliseconds. */
static double ms_of(const cJSON *v)
{
	cr_assert(cJSON_IsString(v), "a duration must be a string with a unit");
	char *end;
	double x = strtod(v->valuestring, &end);
	if (strcmp(end, "ms") == 0)
		return x;
	if (strcmp(end, "s") == 0)
		return x * 1000;
	if (strcmp(end, "us") == 0)
		return x / 1000;
	cr_assert_fail("unknown unit in '%s'", v->valuestring);
	return 0;
}

static const cJSON *stage(const char *name)
{
	const cJSON *s;
	cJSON_ArrayForEach(s, cJSON_GetObjectItem(pipeline, "stages"))
	{
		if (strcmp(cJSON_GetObjectItem(s, "name")->valuestring, name) == 0)
			return s;
	}
	cr_assert_fail("no stage '%s' in weft-pipeline.yaml", name);
	return NULL;
}

static double p99_budget(const cJSON *s)
{
	return ms_of(cJSON_GetObjectItem(cJSON_GetObjectItem(s, "budget"), "p99"));
}

Test(budget, stage_budgets_fit_in_the_end_to_end_budget)
{
	double e2e = ms_of(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(pipeline, "budget"),
								   "end_to_end"),
					       "p99"));
	double sum = p99_budget(stage("network")) + p99_budget(stage("model")) + p99_budget(stage("crm-render"));
	cr_expect_leq(sum, e2e, "the stages' p99 budgets add up to %.0f ms, above the %.0f ms page budget", sum, e2e);
	cr_expect_str_eq(cJSON_GetObjectItem(pipeline, "pattern")->valuestring, "api");
}

Test(budget, modelled_delays_fit_their_budgets)
{
	const char *names[] = { "network", "crm-render" };
	for (int i = 0; i < 2; i++) {
		const cJSON *s = stage(names[i]);
		double p99 = ms_of(cJSON_GetObjectItem(cJSON_GetObjectItem(s, "delay"), "p99"));
		cr_expect_leq(p99, p99_budget(s), "%s: the modelled p99 %.0f ms is above its budget %.0f ms", names[i],
			      p99, p99_budget(s));
	}
}

Test(budget, deadline_fits_in_the_model_stage_budget)
{
	double model_budget = p99_budget(stage("model"));
	cr_expect_lt(shipped.deadline_ms, model_budget,
		     "deadline_ms %d in config/service.conf leaves no room within the model stage's %.0f ms",
		     shipped.deadline_ms, model_budget);
}

Test(budget, model_stage_calls_this_service_as_configured)
{
	const cJSON *http = cJSON_GetObjectItem(stage("model"), "http");
	char want[128];
	snprintf(want, sizeof want, "http://127.0.0.1:%d/v1/predict", shipped.port);
	cr_expect_str_eq(cJSON_GetObjectItem(http, "url")->valuestring, want);
	/* its token is accepted for /v1/predict by the shipped configuration */
	const char *authz = cJSON_GetObjectItem(cJSON_GetObjectItem(http, "headers"), "Authorization")->valuestring;
	const char *who;
	cr_expect_eq(auth_check(&shipped, authz, ROUTE_PREDICT, &who), AUTH_OK);
	/* and its body is a valid request */
	const char *body = cJSON_GetObjectItem(http, "body")->valuestring;
	float x[8];
	predict_request r = { .x = x };
	char err[256];
	cr_expect_eq(request_parse(&r, body, strlen(body), 8, NULL, 0, err, sizeof err), 0, "%s", err);
}

Test(budget, service_keeps_its_share_while_the_model_hangs)
{
	double model_budget = p99_budget(stage("model"));
	char extra[64];
	snprintf(extra, sizeof extra, "deadline_ms = %d\n", shipped.deadline_ms);
	test_server ts;
	server_start(&ts, extra);
	atomic_store(&ts.stage.stall_ms, (int)model_budget + 200);
	atomic_store(&ts.stage.mode, STAGE_STALL);
	double worst = 0;
	for (int i = 0; i < 5; i++) {
		http_res r = http_call(ts.port, "POST", "/v1/predict", TOKEN_CRM, "{\"features\":[1,2,3,4,5,6,7,8]}");
		cr_expect_eq(r.status, 200);
		cr_expect(strstr(r.body, "\"fallback\":true") != NULL, "%s", r.body);
		if (r.seconds > worst)
			worst = r.seconds;
		http_res_free(&r);
	}
	cr_expect_lt(worst * 1000, model_budget, "slowest answer %.1f ms, model stage budget %.0f ms", worst * 1000,
		     model_budget);
	free(server_stop(&ts));
}
