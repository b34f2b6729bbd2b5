/* test_pipeline.c - weft-pipeline.yaml agrees with the service it gates:
 * same port as routing.conf, a request body the running service accepts
 * with the status the pipeline expects, and a routing budget that fits in
 * the end-to-end budget. (weft bench itself measures the latency in CI.) */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "service.h"
#include "testutil.h"

/* The number after "p99: " on the first line containing it at or after
 * the line that contains `after`, in milliseconds. */
static double p99_after(const char *text, const char *after)
{
	const char *a = strstr(text, after);
	cr_assert_not_null(a, "no '%s' in weft-pipeline.yaml", after);
	const char *p = strstr(a, "p99: ");
	cr_assert_not_null(p, "no p99 after '%s'", after);
	char *end;
	double v = strtod(p + 5, &end);
	cr_assert(!strncmp(end, "ms", 2), "the p99 after '%s' is not in ms", after);
	return v;
}

Test(pipeline, the_latency_gate_fits_the_service)
{
	char *text = tu_read_file(PROJECT_DIR "/weft-pipeline.yaml");
	cr_assert_not_null(text);
	cr_assert(strstr(text, "pattern: hitl"));

	hitl_config c;
	char err[512];
	hitl_config_defaults(&c);
	cr_assert_eq(hitl_config_load(&c, PROJECT_DIR "/routing.conf", err, sizeof err), 0, "%s", err);
	char url[64];
	snprintf(url, sizeof url, "url: http://127.0.0.1:%d/v1/cases", c.port);
	cr_assert(strstr(text, url), "the pipeline must call the port in routing.conf (%d)", c.port);

	double route = p99_after(text, "- name: route"), e2e = p99_after(text, "end_to_end:");
	cr_assert_gt(route, 0);
	cr_assert_geq(e2e, route, "end-to-end p99 %g ms is below the routing p99 %g ms", e2e, route);

	/* the body, as the bench sends it, is accepted with the expected status */
	const char *b = strstr(text, "body: '");
	cr_assert_not_null(b);
	b += strlen("body: '");
	const char *q = strchr(b, '\'');
	cr_assert_not_null(q);
	char *body = strndup(b, (size_t)(q - b));
	cr_assert(strstr(text, "expect_status: [201]"));

	char *dir = tu_tempdir();
	snprintf(c.db, sizeof c.db, "%s/bench.db", dir);
	hitl_service *s;
	cr_assert_eq(hitl_service_open(&s, &c, err, sizeof err), 0, "%s", err);
	hitl_http *h;
	cr_assert_eq(hitl_http_start(&h, s, "127.0.0.1", 0, NULL, err, sizeof err), 0, "%s", err);
	/* with the Authorization header the bench sends: a token of
	 * routing.conf with the submit role */
	const char *a = strstr(text, "Authorization: ");
	cr_assert_not_null(a, "the pipeline must send a bearer token: POST /v1/cases needs one");
	a += strlen("Authorization: ");
	char *authz = strndup(a, strcspn(a, "\r\n"));
	char *resp;
	int st = tu_http(hitl_http_port(h), "POST", "/v1/cases", body, 0, &resp);
	cr_assert_eq(st, 401, "without a token: %s", resp);
	free(resp);
	st = tu_http_authz(hitl_http_port(h), authz, "POST", "/v1/cases", body, 0, &resp);
	cr_assert_eq(st, 201, "%s", resp);
	/* twice: no external id, so each bench query files a new case */
	free(resp);
	st = tu_http_authz(hitl_http_port(h), authz, "POST", "/v1/cases", body, 0, &resp);
	cr_assert_eq(st, 201, "%s", resp);
	free(resp);
	hitl_http_stop(h);
	hitl_service_close(s);
	tu_rmtree(dir);
	free(dir);
	free(authz);
	free(body);
	free(text);
}
