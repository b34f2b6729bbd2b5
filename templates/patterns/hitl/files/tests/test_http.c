/* test_http.c - the HTTP API on a loopback server with an ephemeral port:
 * routing, the review queue, claim conflicts (409), blind first (the score
 * is withheld until the first judgment exists), decisions, the report and
 * malformed requests. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "http.h"
#include "service.h"
#include "testutil.h"

static char *dir;
static hitl_service *svc;
static hitl_http *srv;
static int port;

static void start(bool blind)
{
	dir = tu_tempdir();
	char *path = tu_path(dir, "m.safetensors");
	float w[2] = { 1.0f, 0.0f };
	tu_write_logistic_model(path, 2, w, 0.0f, "score,amount", "t-3");
	hitl_config c;
	tu_config(&c, dir, path);
	c.blind_first = blind;
	c.audit_rate = 0;
	c.max_body = 4096;
	free(path);
	char err[512];
	cr_assert_eq(hitl_service_open(&svc, &c, err, sizeof err), 0, "%s", err);
	cr_assert_eq(hitl_http_start(&srv, svc, "127.0.0.1", 0, NULL, err, sizeof err), 0, "%s", err);
	port = hitl_http_port(srv);
	cr_assert_gt(port, 0);
}

static void setup_blind(void)
{
	start(true);
}

static void setup_open(void)
{
	start(false);
}

static void teardown(void)
{
	hitl_http_stop(srv);
	hitl_service_close(svc);
	tu_rmtree(dir);
	free(dir);
}

/* Request as the holder of token (NULL: none) and parse; *status gets the
 * HTTP status. */
static cJSON *call(const char *token, const char *method, const char *path, const char *body, int *status)
{
	char *text;
	*status = tu_http_as(port, token, method, path, body, 0, &text);
	cJSON *j = cJSON_Parse(text);
	cr_assert(j, "%s %s -> %d, not JSON: %s", method, path, *status, text);
	free(text);
	return j;
}

static int64_t post_case(const char *ext, double p, const char *want_status)
{
	char body[256];
	snprintf(body, sizeof body, "{\"external_id\":\"%s\",\"features\":[%.17g, 100]}", ext, tu_logit(p));
	int st;
	cJSON *j = call(TU_TOKEN_CLAIMS, "POST", "/v1/cases", body, &st);
	cr_assert_eq(st, 201);
	cr_assert_str_eq(cJSON_GetObjectItem(j, "status")->valuestring, want_status);
	int64_t id = (int64_t)cJSON_GetObjectItem(j, "id")->valuedouble;
	cJSON_Delete(j);
	return id;
}

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItem(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

Test(http, routes_cases_and_lists_the_queue, .init = setup_blind, .fini = teardown)
{
	int st;
	cJSON *j = call(TU_TOKEN_CLAIMS, "POST", "/v1/cases", "{\"external_id\":\"a1\",\"features\":{\"score\":3.0,\"amount\":5}}", &st);
	cr_assert_eq(st, 201);
	/* sigmoid(3) = 0.953 >= 0.9: automatic */
	cr_assert_str_eq(str(j, "status"), "auto");
	cr_assert_str_eq(str(j, "decision"), "approve");
	cJSON_Delete(j);
	int64_t q = post_case("q1", 0.6, "queued");
	/* the same external id again: 200 and the stored case */
	char body[128];
	snprintf(body, sizeof body, "{\"external_id\":\"q1\",\"features\":[5, 1]}");
	j = call(TU_TOKEN_CLAIMS, "POST", "/v1/cases", body, &st);
	cr_assert_eq(st, 200);
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(j, "existed")));
	cr_assert_str_eq(str(j, "status"), "queued");
	cJSON_Delete(j);

	j = call(TU_TOKEN_ALICE, "GET", "/v1/cases?status=queued", NULL, &st);
	cr_assert_eq(st, 200);
	cJSON *cases = cJSON_GetObjectItem(j, "cases");
	cr_assert_eq(cJSON_GetArraySize(cases), 1);
	cr_assert_eq((int64_t)cJSON_GetObjectItem(cJSON_GetArrayItem(cases, 0), "id")->valuedouble, q);
	cJSON_Delete(j);
	j = call(TU_TOKEN_ALICE, "GET", "/v1/cases?status=auto", NULL, &st);
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "cases")), 1);
	cJSON_Delete(j);
	j = call(TU_TOKEN_ALICE, "GET", "/v1/cases?status=nonsense", NULL, &st);
	cr_assert_eq(st, 422);
	cJSON_Delete(j);
}

Test(http, claim_conflicts_are_409, .init = setup_blind, .fini = teardown)
{
	int64_t id = post_case("c1", 0.6, "queued");
	char path[64];
	snprintf(path, sizeof path, "/v1/cases/%lld/claim", (long long)id);
	int st;
	cJSON *j = call(TU_TOKEN_ALICE, "POST", path, "{\"reviewer\":\"alice\"}", &st);
	cr_assert_eq(st, 200);
	cr_assert_str_eq(str(j, "claimed_by"), "alice");
	cr_assert_str_eq(str(j, "status"), "claimed");
	cJSON_Delete(j);
	j = call(TU_TOKEN_BOB, "POST", path, "{\"reviewer\":\"bob\"}", &st);
	cr_assert_eq(st, 409);
	cr_assert_str_eq(str(j, "code"), "conflict");
	cr_assert(strstr(str(j, "error"), "claimed by alice"));
	cJSON_Delete(j);
	j = call(TU_TOKEN_ALICE, "POST", path, "{\"reviewer\":\"alice\"}", &st);
	cr_assert_eq(st, 200, "claiming again by the holder is fine");
	cJSON_Delete(j);
	j = call(TU_TOKEN_ALICE, "POST", "/v1/cases/999/claim", "{\"reviewer\":\"alice\"}", &st);
	cr_assert_eq(st, 404);
	cJSON_Delete(j);
	j = call(TU_TOKEN_ALICE, "POST", path, "{}", &st);
	cr_assert_eq(st, 200, "the reviewer is the token's holder: the body need not name them");
	cr_assert_str_eq(str(j, "claimed_by"), "alice");
	cJSON_Delete(j);
}

Test(http, blind_first_withholds_the_score_until_the_first_judgment, .init = setup_blind, .fini = teardown)
{
	int64_t id = post_case("b1", 0.7, "queued");
	char path[128], base[64];
	snprintf(base, sizeof base, "/v1/cases/%lld", (long long)id);
	int st;
	char *raw;
	/* nothing about the model in the case, the list or the claim response */
	st = tu_http_as(port, TU_TOKEN_ALICE, "GET", base, NULL, 0, &raw);
	cr_assert_eq(st, 200);
	cr_assert_null(strstr(raw, "confidence"), "%s", raw);
	cr_assert_null(strstr(raw, "recommendation"), "%s", raw);
	cr_assert_null(strstr(raw, "0.7"), "%s", raw);
	free(raw);
	cJSON *j = call(TU_TOKEN_ALICE, "GET", base, NULL, &st);
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(j, "model")));
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(j, "model_hidden")));
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(j, "route")), "the route hints at the confidence");
	cr_assert_not_null(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "features"), "score"),
			   "the reviewer sees the case itself");
	cJSON_Delete(j);
	st = tu_http_as(port, TU_TOKEN_ALICE, "GET", "/v1/cases?status=queued", NULL, 0, &raw);
	cr_assert_null(strstr(raw, "confidence"), "%s", raw);
	free(raw);
	snprintf(path, sizeof path, "%s/claim", base);
	st = tu_http_as(port, TU_TOKEN_ALICE, "POST", path, "{\"reviewer\":\"alice\"}", 0, &raw);
	cr_assert_eq(st, 200);
	cr_assert_null(strstr(raw, "confidence"), "%s", raw);
	free(raw);
	/* a decision before the judgment is refused */
	snprintf(path, sizeof path, "%s/decision", base);
	j = call(TU_TOKEN_ALICE, "POST", path, "{\"reviewer\":\"alice\",\"decision\":\"approve\",\"reason\":\"ok\"}", &st);
	cr_assert_eq(st, 409);
	cr_assert_str_eq(str(j, "code"), "judgment_required");
	cJSON_Delete(j);
	/* the judgment reveals the model */
	snprintf(path, sizeof path, "%s/judgment", base);
	j = call(TU_TOKEN_ALICE, "POST", path, "{\"reviewer\":\"alice\",\"judgment\":\"deny\"}", &st);
	cr_assert_eq(st, 200);
	cr_assert_str_eq(str(j, "first_judgment"), "deny");
	cJSON *m = cJSON_GetObjectItem(j, "model");
	cr_assert(cJSON_IsObject(m));
	cr_assert_str_eq(str(m, "recommendation"), "approve");
	cr_assert_float_eq(cJSON_GetObjectItem(m, "confidence")->valuedouble, 0.7, 1e-6);
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(m, "top_features")), 2);
	cr_assert_str_eq(str(cJSON_GetArrayItem(cJSON_GetObjectItem(m, "top_features"), 0), "feature"), "score");
	cr_assert_str_eq(str(j, "route"), "review");
	cJSON_Delete(j);
	/* and it shows on GET from now on */
	j = call(TU_TOKEN_ALICE, "GET", base, NULL, &st);
	cr_assert(cJSON_IsObject(cJSON_GetObjectItem(j, "model")));
	cJSON_Delete(j);
	/* a second judgment is refused */
	j = call(TU_TOKEN_ALICE, "POST", path, "{\"reviewer\":\"alice\",\"judgment\":\"approve\"}", &st);
	cr_assert_eq(st, 409);
	cJSON_Delete(j);
	snprintf(path, sizeof path, "%s/decision", base);
	j = call(TU_TOKEN_ALICE, "POST", path, "{\"reviewer\":\"alice\",\"decision\":\"maybe\",\"reason\":\"ok\"}", &st);
	cr_assert_eq(st, 422);
	cJSON_Delete(j);
	j = call(TU_TOKEN_ALICE, "POST", path, "{\"reviewer\":\"alice\",\"decision\":\"approve\"}", &st);
	cr_assert_eq(st, 422, "a reason is required");
	cJSON_Delete(j);
	j = call(TU_TOKEN_ALICE, "POST", path, "{\"reviewer\":\"alice\",\"decision\":\"approve\",\"reason\":\"checked the file\"}", &st);
	cr_assert_eq(st, 200);
	cr_assert_str_eq(str(j, "status"), "decided");
	cr_assert_str_eq(str(j, "decision"), "approve");
	cr_assert_str_eq(str(j, "reason"), "checked the file");
	cJSON_Delete(j);

	j = call(TU_TOKEN_LEAD, "GET", "/v1/report", NULL, &st);
	cr_assert_eq(st, 200);
	cr_assert_eq(cJSON_GetObjectItem(j, "reviewed")->valuedouble, 1);
	cr_assert_eq(cJSON_GetObjectItem(j, "switched_to_model")->valuedouble, 1,
		     "deny first, approve after seeing the model");
	cJSON_Delete(j);
}

Test(http, without_blind_first_the_model_is_shown_at_once, .init = setup_open, .fini = teardown)
{
	int64_t id = post_case("o1", 0.7, "queued");
	char path[64];
	snprintf(path, sizeof path, "/v1/cases/%lld", (long long)id);
	int st;
	cJSON *j = call(TU_TOKEN_ALICE, "GET", path, NULL, &st);
	cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(j, "model_hidden")));
	cr_assert_float_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "model"), "confidence")->valuedouble, 0.7, 1e-6);
	cJSON_Delete(j);
	snprintf(path, sizeof path, "/v1/cases/%lld/claim", (long long)id);
	cJSON_Delete(call(TU_TOKEN_ALICE, "POST", path, "{\"reviewer\":\"alice\"}", &st));
	snprintf(path, sizeof path, "/v1/cases/%lld/decision", (long long)id);
	j = call(TU_TOKEN_ALICE, "POST", path, "{\"reviewer\":\"alice\",\"decision\":\"deny\",\"reason\":\"override\"}", &st);
	cr_assert_eq(st, 200);
	cJSON_Delete(j);
	j = call(TU_TOKEN_LEAD, "GET", "/v1/report", NULL, &st);
	cr_assert_float_eq(cJSON_GetObjectItem(j, "override_rate")->valuedouble, 1.0, 1e-12);
	cJSON_Delete(j);
}

Test(http, malformed_requests, .init = setup_blind, .fini = teardown)
{
	int st;
	cJSON *j = call(TU_TOKEN_CLAIMS, "POST", "/v1/cases", "{not json", &st);
	cr_assert_eq(st, 400);
	cJSON_Delete(j);
	j = call(TU_TOKEN_CLAIMS, "POST", "/v1/cases", "[1,2]", &st);
	cr_assert_eq(st, 400);
	cJSON_Delete(j);
	j = call(TU_TOKEN_CLAIMS, "POST", "/v1/cases", "{\"features\":[1]}", &st);
	cr_assert_eq(st, 422);
	cr_assert(strstr(str(j, "error"), "expected 2 numbers"));
	cJSON_Delete(j);
	j = call(TU_TOKEN_CLAIMS, "POST", "/v1/cases", "{\"features\":{\"score\":1,\"amount\":2,\"extra\":3}}", &st);
	cr_assert_eq(st, 422);
	cJSON_Delete(j);
	j = call(TU_TOKEN_CLAIMS, "POST", "/v1/cases", "{\"features\":[1,\"2\"]}", &st);
	cr_assert_eq(st, 422);
	cJSON_Delete(j);
	j = call(TU_TOKEN_CLAIMS, "POST", "/v1/cases", "{\"external_id\":\"has space\",\"features\":[1,2]}", &st);
	cr_assert_eq(st, 422);
	cJSON_Delete(j);
	j = call(NULL, "GET", "/v1/nope", NULL, &st);
	cr_assert_eq(st, 404);
	cJSON_Delete(j);
	j = call(TU_TOKEN_ALICE, "DELETE", "/v1/cases", NULL, &st);
	cr_assert_eq(st, 405);
	cJSON_Delete(j);
	j = call(TU_TOKEN_ALICE, "GET", "/v1/cases/1/claim", NULL, &st);
	cr_assert_eq(st, 405);
	cJSON_Delete(j);
	j = call(TU_TOKEN_ALICE, "GET", "/v1/cases/abc", NULL, &st);
	cr_assert_eq(st, 404);
	cJSON_Delete(j);
	/* max_body is 4096 here */
	char *raw;
	st = tu_http_as(port, TU_TOKEN_CLAIMS, "POST", "/v1/cases", NULL, 100000, &raw);
	cr_assert_eq(st, 413);
	free(raw);
	j = call(NULL, "GET", "/healthz", NULL, &st);
	cr_assert_eq(st, 200, "the server still answers");
	cJSON_Delete(j);
	j = call(TU_TOKEN_ALICE, "GET", "/v1/model", NULL, &st);
	cr_assert_eq(st, 200);
	cr_assert_str_eq(str(j, "version"), "t-3");
	cr_assert_float_eq(cJSON_GetObjectItem(j, "confidence_threshold")->valuedouble, 0.9, 1e-12);
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(j, "blind_first")));
	cJSON_Delete(j);
}
