/* test_predict.c - POST /v1/predict and GET /v1/model over HTTP: scores
 * against the generator's own forward pass (models/sample.csv), the model
 * digest against models/model.sha256 (sha256sum format, written by the
 * generator), and every request error.
 */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "support.h"

static test_server ts;

static void up(void)
{
	server_start(&ts, NULL);
}

static void down(void)
{
	free(server_stop(&ts));
}

TestSuite(predict, .init = up, .fini = down);

static cJSON *post(const char *body, long want_status)
{
	http_res r = http_call(ts.port, "POST", "/v1/predict", TOKEN_CRM, body);
	cr_assert_eq(r.curl_error, 0);
	cr_assert_eq(r.status, want_status, "status %ld: %s", r.status, r.body);
	cJSON *j = cJSON_Parse(r.body);
	cr_assert_not_null(j, "not JSON: %s", r.body);
	http_res_free(&r);
	return j;
}

Test(predict, scores_match_the_generators_forward_pass)
{
	sample_row rows[32];
	size_t nf;
	size_t n = load_samples(rows, 32, &nf);
	cr_assert_geq(n, 10u);
	cr_assert_eq(nf, 8u);
	for (size_t i = 0; i < n; i++) {
		char key[32];
		snprintf(key, sizeof key, "C-%zu", i);
		char *body = predict_body(key, rows[i].x, nf);
		cJSON *j = post(body, 200);
		free(body);
		cJSON *score = cJSON_GetObjectItem(j, "score");
		cr_assert(cJSON_IsNumber(score));
		cr_expect(fabs(score->valuedouble - rows[i].expected) < 1e-5, "row %zu: %.9g, expected %.9g", i,
			  score->valuedouble, rows[i].expected);
		cr_expect(cJSON_IsFalse(cJSON_GetObjectItem(j, "fallback")));
		cr_expect_str_eq(cJSON_GetObjectItem(j, "key")->valuestring, key);
		cJSON *outs = cJSON_GetObjectItem(j, "outputs");
		cr_expect_eq(cJSON_GetArraySize(outs), 1);
		cr_expect_float_eq(cJSON_GetArrayItem(outs, 0)->valuedouble, score->valuedouble, 1e-12);
		cJSON_Delete(j);
	}
}

Test(predict, named_features_give_the_same_score)
{
	sample_row rows[4];
	size_t nf;
	load_samples(rows, 4, &nf);
	char *csv = read_file(PROJECT_DIR "/models/sample.csv", NULL);
	cr_assert_not_null(csv);
	*strchr(csv, '\n') = '\0';
	/* {"features": {"tenure_months": 45, ...}} from the CSV header, in reverse order */
	char body[2048];
	size_t k = (size_t)snprintf(body, sizeof body, "{\"features\":{");
	char *names[16];
	size_t nn = 0;
	for (char *save = NULL, *t = strtok_r(csv, ",", &save); t && nn < nf; t = strtok_r(NULL, ",", &save))
		names[nn++] = t;
	for (size_t i = nn; i-- > 0;)
		k += (size_t)snprintf(body + k, sizeof body - k, "\"%s\":%.9g%s", names[i], rows[0].x[i], i ? "," : "");
	snprintf(body + k, sizeof body - k, "}}");
	free(csv);
	cJSON *j = post(body, 200);
	cr_expect(fabs(cJSON_GetObjectItem(j, "score")->valuedouble - rows[0].expected) < 1e-5, "%s", body);
	cr_expect_null(cJSON_GetObjectItem(j, "key"));
	cJSON_Delete(j);
}

Test(predict, model_route_reports_version_and_digest)
{
	http_res r = http_call(ts.port, "GET", "/v1/model", TOKEN_CRM, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cJSON *j = cJSON_Parse(r.body);
	http_res_free(&r);
	cr_assert_not_null(j);
	/* models/model.sha256: "<hex>  model.safetensors", written by the generator */
	char *want = read_file(PROJECT_DIR "/models/model.sha256", NULL);
	cr_assert_not_null(want);
	want[64] = '\0';
	cr_expect_str_eq(cJSON_GetObjectItem(j, "weights_sha256")->valuestring, want);
	free(want);
	/* the version, read from the safetensors header by hand */
	size_t len;
	char *file = read_file(PROJECT_DIR "/models/model.safetensors", &len);
	cr_assert_not_null(file);
	uint64_t hl = 0;
	for (int i = 7; i >= 0; i--)
		hl = hl << 8 | (unsigned char)file[i];
	cJSON *hdr = cJSON_ParseWithLength(file + 8, (size_t)hl);
	cr_assert_not_null(hdr);
	const char *version = cJSON_GetObjectItem(cJSON_GetObjectItem(hdr, "__metadata__"), "weft.version")->valuestring;
	cr_expect_str_eq(cJSON_GetObjectItem(j, "model_version")->valuestring, version);
	cJSON_Delete(hdr);
	free(file);
	cr_expect_eq(cJSON_GetObjectItem(j, "inputs")->valueint, 8);
	cr_expect_eq(cJSON_GetObjectItem(j, "outputs")->valueint, 1);
	cr_expect_str_eq(cJSON_GetObjectItem(j, "api_version")->valuestring, "v1");
	cr_expect_eq(cJSON_GetObjectItem(j, "deadline_ms")->valueint, 200);
	cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "features")), 8);
	cr_expect_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "features"), 0)->valuestring, "tenure_months");
	cJSON_Delete(j);
}

static void expect_400(const char *body, const char *fragment)
{
	cJSON *j = post(body, 400);
	cJSON *e = cJSON_GetObjectItem(j, "error");
	cr_assert_not_null(e);
	cr_expect_str_eq(cJSON_GetObjectItem(e, "code")->valuestring, "bad_request");
	const char *msg = cJSON_GetObjectItem(e, "message")->valuestring;
	cr_expect(strstr(msg, fragment) != NULL, "for %s: '%s' lacks '%s'", body, msg, fragment);
	cJSON_Delete(j);
}

Test(predict, bad_bodies_are_400_with_a_reason)
{
	expect_400("{\"features\": [1,2,3", "not valid JSON");
	expect_400("{\"features\": [1,2,3,4,5,6,7]}", "has 7 values; the model takes 8");
	expect_400("{\"features\": [1,2,3,4,5,6,7,\"8\"]}", "features[7] must be a number");
	expect_400("{\"features\": [1,2,3,4,5,6,7,1e39]}", "features[7] is out of range");
	expect_400("{\"key\": \"a\"}", "'features' is required");
	expect_400("[1,2,3]", "must be a JSON object");
	expect_400("{\"features\": {\"tenure\": 1}}", "unknown feature 'tenure'");
	expect_400("{\"features\": {\"tenure_months\": 1}}", "is missing");
	expect_400("{\"key\": 12, \"features\": [1,2,3,4,5,6,7,8]}", "'key' must be a string");
	expect_400("{\"features\": [1,2,3,4,5,6,7,8]} {}", "unexpected data after");
	char big_key[300];
	memset(big_key, 'k', 200);
	big_key[200] = '\0';
	char body[512];
	snprintf(body, sizeof body, "{\"key\":\"%s\",\"features\":[1,2,3,4,5,6,7,8]}", big_key);
	expect_400(body, "'key' must be a string of 1 to 128 bytes");
	/* the model stage was never reached for any of them */
	cr_expect_eq(atomic_load(&ts.stage.calls), 0);
}

Test(predict, unknown_fields_are_ignored)
{
	/* a caller written against a later v1.x still works */
	cJSON *j = post("{\"features\":[1,2,3,4,5,6,7,8],\"channel\":\"web\"}", 200);
	cJSON_Delete(j);
}

Test(predict, wrong_content_type_is_415)
{
	http_res r = http_call_raw(ts.port, "POST", "/v1/predict", "Bearer " TOKEN_CRM, "text/plain",
				   "{\"features\":[1,2,3,4,5,6,7,8]}");
	cr_expect_eq(r.status, 415, "%s", r.body);
	http_res_free(&r);
	r = http_call_raw(ts.port, "POST", "/v1/predict", "Bearer " TOKEN_CRM, "application/json; charset=utf-8",
			  "{\"features\":[1,2,3,4,5,6,7,8]}");
	cr_expect_eq(r.status, 200, "%s", r.body);
	http_res_free(&r);
}

Test(predict, oversized_body_is_413)
{
	/* max_body_bytes is 65536 by default */
	size_t n = 70000;
	char *body = malloc(n + 64);
	strcpy(body, "{\"features\":[1,2,3,4,5,6,7,8],\"pad\":\"");
	size_t k = strlen(body);
	memset(body + k, 'x', n);
	strcpy(body + k + n, "\"}");
	http_res r = http_call(ts.port, "POST", "/v1/predict", TOKEN_CRM, body);
	cr_expect_eq(r.status, 413, "%s", r.body);
	http_res_free(&r);
	free(body);
}

Test(predict, wrong_method_is_405_with_allow)
{
	http_res r = http_call(ts.port, "GET", "/v1/predict", TOKEN_CRM, NULL);
	cr_expect_eq(r.status, 405);
	char h[64];
	cr_expect_str_eq(http_header(&r, "Allow", h, sizeof h), "POST");
	http_res_free(&r);
	r = http_call(ts.port, "DELETE", "/v1/model", TOKEN_CRM, NULL);
	cr_expect_eq(r.status, 405);
	cr_expect_str_eq(http_header(&r, "Allow", h, sizeof h), "GET, HEAD");
	http_res_free(&r);
}

Test(predict, unknown_path_is_404)
{
	http_res r = http_call(ts.port, "GET", "/v2/predict", TOKEN_CRM, NULL);
	cr_expect_eq(r.status, 404);
	cr_expect(strstr(r.body, "\"not_found\"") != NULL, "%s", r.body);
	http_res_free(&r);
}

Test(predict, head_on_healthz)
{
	http_res r = http_call(ts.port, "HEAD", "/healthz", NULL, NULL);
	cr_expect_eq(r.status, 200);
	cr_expect_eq(r.len, 0u);
	http_res_free(&r);
}

Test(predict, responses_are_not_cached_by_proxies)
{
	http_res r = http_call(ts.port, "POST", "/v1/predict", TOKEN_CRM, "{\"features\":[1,2,3,4,5,6,7,8]}");
	char h[64];
	cr_expect_str_eq(http_header(&r, "Cache-Control", h, sizeof h), "no-store");
	cr_expect_str_eq(http_header(&r, "Content-Type", h, sizeof h), "application/json");
	http_res_free(&r);
}
