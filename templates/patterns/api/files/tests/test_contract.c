/* test_contract.c - the v1 contract (openapi.yaml) against real responses
 * of the running service, and the contract's own backward compatibility.
 *
 * Every response the service gives here must have its status documented
 * for its operation and a body that satisfies the documented schema.
 */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <pthread.h>
#include <time.h>
#include <string.h>

#include "schema.h"
#include "support.h"
#include "yaml_json.h"

static cJSON *contract;
static test_server ts;

static void up(void)
{
	char err[512];
	contract = yaml_load_json(PROJECT_DIR "/openapi.yaml", err, sizeof err);
	cr_assert_not_null(contract, "%s", err);
	server_start(&ts, "deadline_ms = 100\n");
}

static void down(void)
{
	free(server_stop(&ts));
	cJSON_Delete(contract);
}

TestSuite(contract, .init = up, .fini = down);

/* Send a request and check the response against the contract. */
static void conforms(const char *method, const char *path, const char *token, const char *body, long want)
{
	http_res r = http_call(ts.port, method, path, token, body);
	cr_assert_eq(r.status, want, "%s %s: status %ld: %s", method, path, r.status, r.body);
	char err[512];
	const cJSON *schema = openapi_response_schema(contract, path, method, (int)r.status, err, sizeof err);
	cr_assert_not_null(schema, "%s", err);
	cJSON *j = cJSON_Parse(r.body);
	cr_assert_not_null(j, "%s %s: not JSON: %s", method, path, r.body);
	char ct[64], id[128];
	cr_expect_str_eq(http_header(&r, "Content-Type", ct, sizeof ct), "application/json");
	/* components/headers/RequestId: on every response */
	cr_expect_not_null(http_header(&r, "X-Request-Id", id, sizeof id), "%s %s: no X-Request-Id", method, path);
	cr_expect_eq(schema_check(contract, schema, j, err, sizeof err), 0, "%s %s %ld: %s\nbody: %s", method, path,
		     r.status, err, r.body);
	cJSON_Delete(j);
	http_res_free(&r);
}

static const char *good = "{\"key\":\"C-1\",\"features\":[45,111.67,2,1,1,6.2,0,22]}";

/* The same with one more request header (X-On-Behalf-Of). */
static void conforms_as(const char *method, const char *path, const char *token, const char *header,
			const char *body, long want)
{
	http_res r = http_call_with(ts.port, method, path, token, header, body);
	cr_assert_eq(r.status, want, "%s %s (%s): status %ld: %s", method, path, header, r.status, r.body);
	char err[512];
	const cJSON *schema = openapi_response_schema(contract, path, method, (int)r.status, err, sizeof err);
	cr_assert_not_null(schema, "%s", err);
	cJSON *j = cJSON_Parse(r.body);
	cr_assert_not_null(j, "%s %s: not JSON: %s", method, path, r.body);
	cr_expect_eq(schema_check(contract, schema, j, err, sizeof err), 0, "%s %s %ld: %s\nbody: %s", method, path,
		     r.status, err, r.body);
	cJSON_Delete(j);
	http_res_free(&r);
}

Test(contract, on_behalf_of_responses)
{
	conforms_as("POST", "/v1/predict", TOKEN_GW, "X-On-Behalf-Of: agent-1", good, 200);
	conforms_as("POST", "/v1/predict", TOKEN_CRM, "X-On-Behalf-Of: agent-1", good, 403);
	conforms_as("POST", "/v1/predict", TOKEN_GW, "X-On-Behalf-Of: viewer-2", good, 403);
	conforms_as("GET", "/v1/model", TOKEN_GW, "X-On-Behalf-Of: viewer-2", NULL, 200);
	conforms_as("GET", "/v1/model", TOKEN_GW, "X-On-Behalf-Of: not/a/user", NULL, 400);
}

Test(contract, predict_responses)
{
	conforms("POST", "/v1/predict", TOKEN_CRM, good, 200);
	conforms("POST", "/v1/predict", TOKEN_CRM, "{\"features\":[1,2,3,4,5,6,7,8]}", 200);
	conforms("POST", "/v1/predict", TOKEN_CRM, "{\"features\":[1]}", 400);
	conforms("POST", "/v1/predict", TOKEN_CRM, "not json", 400);
	conforms("POST", "/v1/predict", NULL, good, 401);
	conforms("POST", "/v1/predict", "wrong", good, 401);
	conforms("POST", "/v1/predict", TOKEN_OPS, good, 403);
}

Test(contract, fallback_responses)
{
	conforms("POST", "/v1/predict", TOKEN_CRM, good, 200); /* caches C-1 */
	atomic_store(&ts.stage.stall_ms, 300);
	atomic_store(&ts.stage.mode, STAGE_STALL);
	conforms("POST", "/v1/predict", TOKEN_CRM, good, 200); /* from the cache */
	conforms("POST", "/v1/predict", TOKEN_CRM, "{\"features\":[1,2,3,4,5,6,7,8]}", 200); /* default */
	atomic_store(&ts.stage.mode, STAGE_FAIL);
	conforms("POST", "/v1/predict", TOKEN_CRM, good, 200);
}

Test(contract, model_and_health_responses)
{
	conforms("GET", "/v1/model", TOKEN_CRM, NULL, 200);
	conforms("GET", "/v1/model", TOKEN_OPS, NULL, 200);
	conforms("GET", "/v1/model", NULL, NULL, 401);
	conforms("GET", "/healthz", NULL, NULL, 200);
}

typedef struct {
	service *svc;
	int left;
} drain_arg;

static void *drain(void *arg)
{
	drain_arg *d = arg;
	d->left = service_shutdown(d->svc);
	return NULL;
}

static void *stalled_predict(void *arg)
{
	(void)arg;
	http_res r = http_call(ts.port, "POST", "/v1/predict", TOKEN_CRM, good);
	http_res_free(&r);
	return NULL;
}

Test(contract, draining_health_response)
{
	/* a request in flight keeps the drain open; a connection opened before
	 * the drain asks /healthz while it lasts and must get the 503 body */
	free(server_stop(&ts));
	server_start(&ts, "deadline_ms = 3000\ndrain_timeout_ms = 5000\n");
	http_client *hc = http_client_new(ts.port);
	http_res r = http_client_call(hc, "GET", "/healthz", NULL, NULL);
	cr_assert_eq(r.status, 200);
	http_res_free(&r);
	atomic_store(&ts.stage.stall_ms, 1500);
	atomic_store(&ts.stage.mode, STAGE_STALL);
	pthread_t inflight, drainer;
	pthread_create(&inflight, NULL, stalled_predict, NULL);
	wait_for_stage_calls(&ts, 1); /* it keeps the drain open for 1.5 s */
	drain_arg d = { .svc = ts.svc };
	pthread_create(&drainer, NULL, drain, &d);
	/* ask on the open connection until the drain has begun */
	struct timespec pause = { .tv_nsec = 10 * 1000000 };
	for (int i = 0;; i++) {
		r = http_client_call(hc, "GET", "/healthz", NULL, NULL);
		if (r.status != 200 || i == 100)
			break;
		http_res_free(&r);
		nanosleep(&pause, NULL);
	}
	cr_expect_eq(r.status, 503, "%ld %s", r.status, r.body);
	char err[512];
	const cJSON *schema = openapi_response_schema(contract, "/healthz", "GET", 503, err, sizeof err);
	cr_assert_not_null(schema, "%s", err);
	cJSON *j = cJSON_Parse(r.body);
	cr_assert_not_null(j, "%s", r.body);
	cr_expect_eq(schema_check(contract, schema, j, err, sizeof err), 0, "%s", err);
	cJSON_Delete(j);
	http_res_free(&r);
	pthread_join(inflight, NULL);
	pthread_join(drainer, NULL);
	cr_expect_eq(d.left, 0);
	http_client_free(hc);
}

Test(contract, deprecated_routes_announce_their_sunset)
{
	/* the deprecation policy: a route on its way out says so, and when */
	free(server_stop(&ts));
	server_start(&ts, "sunset = /v1/model 2027-06-30\n");
	http_res r = http_call(ts.port, "GET", "/v1/model", TOKEN_CRM, NULL);
	cr_expect_eq(r.status, 200);
	char h[64];
	cr_expect_str_eq(http_header(&r, "Deprecation", h, sizeof h), "true");
	cr_expect_str_eq(http_header(&r, "Sunset", h, sizeof h), "Wed, 30 Jun 2027 00:00:00 GMT");
	http_res_free(&r);
	/* routes not deprecated carry neither header */
	r = http_call(ts.port, "POST", "/v1/predict", TOKEN_CRM, good);
	cr_expect_null(http_header(&r, "Deprecation", h, sizeof h));
	cr_expect_null(http_header(&r, "Sunset", h, sizeof h));
	http_res_free(&r);
}

/* ---- the checker can fail ------------------------------------------------------- */

static int check_body(const char *name, const char *json, char *err, size_t errlen)
{
	char ref[128];
	snprintf(ref, sizeof ref, "{\"$ref\":\"#/components/schemas/%s\"}", name);
	cJSON *schema = cJSON_Parse(ref);
	cJSON *j = cJSON_Parse(json);
	cr_assert_not_null(j, "%s", json);
	int rc = schema_check(contract, schema, j, err, errlen);
	cJSON_Delete(j);
	cJSON_Delete(schema);
	return rc;
}

Test(contract, checker_rejects_what_the_contract_forbids)
{
	char err[512];
	cr_expect_eq(check_body("PredictResponse", "{\"score\":0.3,\"outputs\":[0.3],\"fallback\":false,"
						    "\"model_version\":\"m\"}",
				err, sizeof err),
		     0, "%s", err);
	/* a missing required field */
	cr_expect_eq(check_body("ModelAnswer", "{\"score\":0.3,\"fallback\":false,\"model_version\":\"m\"}", err,
				sizeof err),
		     -1);
	cr_expect(strstr(err, "required field 'outputs' is missing") != NULL, "%s", err);
	/* a wrong type, deep inside */
	cr_expect_eq(check_body("ModelAnswer", "{\"score\":0.3,\"outputs\":[0.3,\"x\"],\"fallback\":false,"
						"\"model_version\":\"m\"}",
				err, sizeof err),
		     -1);
	cr_expect(strstr(err, "$.outputs[1]: expected number, got string") != NULL, "%s", err);
	/* a field that is not in the contract */
	cr_expect_eq(check_body("Health", "{\"status\":\"ok\",\"uptime\":3}", err, sizeof err), -1);
	cr_expect(strstr(err, "field 'uptime' is not in the contract") != NULL, "%s", err);
	/* an enum value that is not allowed, a digest of the wrong shape, a range */
	cr_expect_eq(check_body("Health", "{\"status\":\"fine\"}", err, sizeof err), -1);
	cr_expect_eq(check_body("FallbackAnswer", "{\"score\":1.5,\"fallback\":true,\"fallback_source\":\"default\","
						   "\"reason\":\"deadline\",\"model_version\":\"m\"}",
				err, sizeof err),
		     -1);
	cr_expect(strstr(err, "above the maximum 1") != NULL, "%s", err);
	cr_expect_eq(check_body("ModelInfo", "{\"service\":\"s\",\"api_version\":\"v1\",\"model_version\":\"m\","
					     "\"weights_sha256\":\"ABC\",\"inputs\":8,\"outputs\":1,\"deadline_ms\":1,"
					     "\"fallback_default\":0.5}",
				err, sizeof err),
		     -1);
	cr_expect(strstr(err, "does not match the pattern") != NULL, "%s", err);
	/* fallback true with a model answer's fields matches neither alternative */
	cr_expect_eq(check_body("PredictResponse", "{\"score\":0.3,\"outputs\":[0.3],\"fallback\":true,"
						    "\"model_version\":\"m\"}",
				err, sizeof err),
		     -1);
	/* an integer field given a fraction */
	cr_expect_eq(check_body("ModelInfo", "{\"service\":\"s\",\"api_version\":\"v1\",\"model_version\":\"m\","
					     "\"weights_sha256\":\"" TOKEN_CRM_SHA256 "\",\"inputs\":8.5,\"outputs\":1,"
					     "\"deadline_ms\":1,\"fallback_default\":0.5}",
				err, sizeof err),
		     -1);
	cr_expect(strstr(err, "$.inputs: expected integer") != NULL, "%s", err);
}

Test(contract, checker_refuses_keywords_it_does_not_know)
{
	cJSON *schema = cJSON_Parse("{\"type\":\"number\",\"multipleOf\":2}");
	cJSON *v = cJSON_CreateNumber(3);
	char err[256];
	cr_expect_eq(schema_check(contract, schema, v, err, sizeof err), -1);
	cr_expect(strstr(err, "'multipleOf' is not supported") != NULL, "%s", err);
	cJSON_Delete(schema);
	cJSON_Delete(v);
}

Test(contract, undocumented_status_is_a_failure)
{
	char err[256];
	cr_expect_null(openapi_response_schema(contract, "/v1/model", "GET", 418, err, sizeof err));
	cr_expect(strstr(err, "status 418 is not in the contract") != NULL, "%s", err);
	cr_expect_null(openapi_response_schema(contract, "/v1/score", "POST", 200, err, sizeof err));
}

/* ---- backward compatibility of v1 ----------------------------------------------- */

/* What v1 promised when it was published. A change to openapi.yaml that
 * drops one of these, makes it optional or changes its type breaks callers:
 * that is a v2, not an edit of v1. Adding to this list is fine. */
static const struct {
	const char *schema, *field, *type;
} frozen[] = {
	{ "ModelAnswer", "score", "number" },
	{ "ModelAnswer", "outputs", "array" },
	{ "ModelAnswer", "fallback", "boolean" },
	{ "ModelAnswer", "model_version", "string" },
	{ "FallbackAnswer", "score", "number" },
	{ "FallbackAnswer", "fallback", "boolean" },
	{ "FallbackAnswer", "fallback_source", "string" },
	{ "FallbackAnswer", "reason", "string" },
	{ "FallbackAnswer", "model_version", "string" },
	{ "ModelInfo", "model_version", "string" },
	{ "ModelInfo", "weights_sha256", "string" },
	{ "ModelInfo", "api_version", "string" },
	{ "ModelInfo", "inputs", "integer" },
	{ "Health", "status", "string" },
	{ "Error", "error", "object" },
};

Test(contract, v1_keeps_its_promises)
{
	const cJSON *schemas = cJSON_GetObjectItem(cJSON_GetObjectItem(contract, "components"), "schemas");
	cr_assert_not_null(schemas);
	for (size_t i = 0; i < sizeof frozen / sizeof frozen[0]; i++) {
		const cJSON *s = cJSON_GetObjectItem(schemas, frozen[i].schema);
		cr_assert_not_null(s, "schema %s was removed", frozen[i].schema);
		bool required = false;
		const cJSON *r;
		cJSON_ArrayForEach(r, cJSON_GetObjectItem(s, "required"))
		required = required || strcmp(r->valuestring, frozen[i].field) == 0;
		cr_expect(required, "%s.%s is no longer required", frozen[i].schema, frozen[i].field);
		const cJSON *p = cJSON_GetObjectItem(cJSON_GetObjectItem(s, "properties"), frozen[i].field);
		const cJSON *t = p ? cJSON_GetObjectItem(p, "type") : NULL;
		cr_expect(t && strcmp(t->valuestring, frozen[i].type) == 0, "%s.%s is no longer %s", frozen[i].schema,
			  frozen[i].field, frozen[i].type);
	}
	/* v1 stays on its paths and its version stays 1.x */
	const cJSON *paths = cJSON_GetObjectItem(contract, "paths");
	cr_expect_not_null(cJSON_GetObjectItem(paths, "/v1/predict"));
	cr_expect_not_null(cJSON_GetObjectItem(paths, "/v1/model"));
	const char *version = cJSON_GetObjectItem(cJSON_GetObjectItem(contract, "info"), "version")->valuestring;
	cr_expect_eq(strncmp(version, "1.", 2), 0, "info.version %s", version);
	/* the request keeps taking 8 features */
	const cJSON *feat = cJSON_GetObjectItem(
		cJSON_GetObjectItem(cJSON_GetObjectItem(schemas, "PredictRequest"), "properties"), "features");
	const cJSON *arr = cJSON_GetArrayItem(cJSON_GetObjectItem(feat, "oneOf"), 0);
	cr_expect_eq(cJSON_GetObjectItem(arr, "minItems")->valueint, 8);
	cr_expect_eq(cJSON_GetObjectItem(arr, "maxItems")->valueint, 8);
}

Test(contract, request_example_is_valid)
{
	const cJSON *post = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(contract, "paths"),
								      "/v1/predict"),
						"post");
	const cJSON *media = cJSON_GetObjectItem(
		cJSON_GetObjectItem(cJSON_GetObjectItem(post, "requestBody"), "content"), "application/json");
	const cJSON *example = cJSON_GetObjectItem(media, "example");
	cr_assert_not_null(example);
	char err[256];
	cr_expect_eq(schema_check(contract, cJSON_GetObjectItem(media, "schema"), example, err, sizeof err), 0, "%s",
		     err);
	/* and the service accepts it */
	char *body = cJSON_PrintUnformatted(example);
	conforms("POST", "/v1/predict", TOKEN_CRM, body, 200);
	free(body);
}
