/* test_request_id.c - every response carries a request id (the header of
 * request_id_header) and its access log line names the same id: the
 * caller's own when usable, else one the service makes; unusable ids are
 * replaced, never refused and never logged.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

static const char *const good = "{\"key\":\"C-1\",\"features\":[45,111.67,2,1,1,6.2,0,22]}";

/* The id a response carries in header name, copied into buf; fails the
 * test when absent. */
static const char *id_of(const http_res *r, const char *name, char *buf, size_t size)
{
	const char *id = http_header(r, name, buf, size);
	cr_assert_not_null(id, "no %s header in:\n%s", name, r->headers);
	return id;
}

/* Whether id has the shape of the ids the service makes: 32 hex digits. */
static bool made_here(const char *id)
{
	if (strlen(id) != 32)
		return false;
	for (const char *s = id; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

/* The access log line of request id (its first field after the time), or
 * NULL. */
static const char *log_line(const char *log, const char *id)
{
	char want[128];
	snprintf(want, sizeof want, "Z request_id=%s method=", id);
	const char *at = strstr(log, want);
	if (!at)
		return NULL;
	while (at > log && at[-1] != '\n')
		at--;
	return at;
}

Test(request_id, a_callers_id_is_echoed_and_logged)
{
	test_server ts;
	server_start(&ts, NULL);
	http_res r = http_call_with(ts.port, "POST", "/v1/predict", TOKEN_CRM, "X-Request-Id: crm-7f3a:0001", good);
	cr_assert_eq(r.status, 200, "%s", r.body);
	char id[128];
	cr_expect_str_eq(id_of(&r, "X-Request-Id", id, sizeof id), "crm-7f3a:0001");
	http_res_free(&r);
	/* a fallback answer carries it too */
	atomic_store(&ts.stage.mode, STAGE_FAIL);
	r = http_call_with(ts.port, "POST", "/v1/predict", TOKEN_CRM, "x-request-id: crm-7f3a:0002", good);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect(strstr(r.body, "\"fallback\":true") != NULL, "%s", r.body);
	cr_expect_str_eq(id_of(&r, "X-Request-Id", id, sizeof id), "crm-7f3a:0002");
	http_res_free(&r);
	char *log = server_stop(&ts);
	const char *line = log_line(log, "crm-7f3a:0001");
	cr_assert_not_null(line, "%s", log);
	cr_expect_eq(strncmp(strstr(line, "method="), "method=POST path=/v1/predict status=200", 39), 0, "%s", line);
	line = log_line(log, "crm-7f3a:0002");
	cr_assert_not_null(line, "%s", log);
	cr_expect(strstr(line, "fallback=true reason=model_error client=crm") != NULL, "%s", line);
	free(log);
}

Test(request_id, an_id_is_made_when_none_is_sent)
{
	test_server ts;
	server_start(&ts, NULL);
	char a[128], b[128];
	http_res r1 = http_call(ts.port, "POST", "/v1/predict", TOKEN_CRM, good);
	http_res r2 = http_call(ts.port, "GET", "/healthz", NULL, NULL);
	cr_assert_eq(r1.status, 200);
	cr_assert_eq(r2.status, 200);
	id_of(&r1, "X-Request-Id", a, sizeof a);
	id_of(&r2, "X-Request-Id", b, sizeof b);
	http_res_free(&r1);
	http_res_free(&r2);
	cr_expect(made_here(a), "%s", a);
	cr_expect(made_here(b), "%s", b);
	cr_expect_str_neq(a, b);
	char *log = server_stop(&ts);
	cr_expect_not_null(log_line(log, a), "%s", log);
	cr_expect_not_null(log_line(log, b), "%s", log);
	free(log);

	/* another start of the service makes other ids (a new random prefix) */
	server_start(&ts, NULL);
	r1 = http_call(ts.port, "GET", "/healthz", NULL, NULL);
	id_of(&r1, "X-Request-Id", b, sizeof b);
	http_res_free(&r1);
	free(server_stop(&ts));
	cr_expect(made_here(b), "%s", b);
	cr_expect_neq(strncmp(a, b, 16), 0, "%s and %s share their prefix", a, b);
}

Test(request_id, an_unusable_id_is_replaced_not_refused)
{
	char too_long[100];
	memset(too_long, 'a', 65);
	too_long[65] = '\0';
	const char *bad[] = { "X-Request-Id: a b status=500", "X-Request-Id: \"quoted\"", "X-Request-Id: id=forged",
			      NULL };
	char header[128];
	snprintf(header, sizeof header, "X-Request-Id: %s", too_long);
	bad[3] = header;
	test_server ts;
	server_start(&ts, NULL);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		http_res r = http_call_with(ts.port, "POST", "/v1/predict", TOKEN_CRM, bad[i], good);
		cr_expect_eq(r.status, 200, "%s: %ld %s", bad[i], r.status, r.body);
		char id[128];
		cr_expect(made_here(id_of(&r, "X-Request-Id", id, sizeof id)), "%s: %s", bad[i], id);
		http_res_free(&r);
	}
	char *log = server_stop(&ts);
	cr_expect_null(strstr(log, "forged"), "%s", log);
	cr_expect_null(strstr(log, "quoted"), "%s", log);
	cr_expect_null(strstr(log, too_long), "%s", log);
	int lines = 0;
	for (const char *s = log; *s; s++)
		lines += *s == '\n';
	cr_expect_eq(lines, 4, "%s", log);
	free(log);
}

Test(request_id, refusals_carry_the_id_too)
{
	test_server ts;
	server_start(&ts, "max_body_bytes = 64\n");
	const char *big = "{\"features\":[1,2,3,4,5,6,7,8],"
			  "\"pad\":\"................................................\"}"; /* over 64 bytes */
	struct {
		const char *method, *path, *token, *body;
		long status;
	} cases[] = {
		{ "POST", "/v1/predict", NULL, good, 401 },
		{ "POST", "/v1/predict", TOKEN_OPS, good, 403 },
		{ "POST", "/v1/predict", TOKEN_CRM, "{\"features\":[1]}", 400 },
		{ "POST", "/v1/predict", TOKEN_CRM, big, 413 },
		{ "GET", "/v1/predict", TOKEN_CRM, NULL, 405 },
		{ "GET", "/nowhere", NULL, NULL, 404 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char header[64], id[128], want[32];
		snprintf(want, sizeof want, "refused-%zu", i);
		snprintf(header, sizeof header, "X-Request-Id: %s", want);
		http_res r = http_call_with(ts.port, cases[i].method, cases[i].path, cases[i].token, header,
					    cases[i].body);
		cr_expect_eq(r.status, cases[i].status, "%s %s: %ld %s", cases[i].method, cases[i].path, r.status,
			     r.body);
		cr_expect_str_eq(id_of(&r, "X-Request-Id", id, sizeof id), want);
		http_res_free(&r);
	}
	char *log = server_stop(&ts);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char want[32], status[32];
		snprintf(want, sizeof want, "refused-%zu", i);
		snprintf(status, sizeof status, " status=%ld ", cases[i].status);
		const char *line = log_line(log, want);
		cr_assert_not_null(line, "no line for %s in:\n%s", want, log);
		const char *nl = strchr(line, '\n');
		const char *st = strstr(line, status);
		cr_expect(st && st < nl, "%s: %.*s", status, (int)(nl - line), line);
	}
	free(log);
}

Test(request_id, the_header_name_is_a_setting)
{
	test_server ts;
	server_start(&ts, "request_id_header = X-Correlation-Id\n");
	http_res r = http_call_with(ts.port, "GET", "/v1/model", TOKEN_OPS, "X-Correlation-Id: corr-42", NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	char id[128];
	cr_expect_str_eq(id_of(&r, "X-Correlation-Id", id, sizeof id), "corr-42");
	cr_expect_null(http_header(&r, "X-Request-Id", id, sizeof id));
	http_res_free(&r);
	/* the default header means nothing now */
	r = http_call_with(ts.port, "GET", "/healthz", NULL, "X-Request-Id: ignored-1", NULL);
	cr_expect(made_here(id_of(&r, "X-Correlation-Id", id, sizeof id)), "%s", id);
	http_res_free(&r);
	char *log = server_stop(&ts);
	cr_expect_not_null(log_line(log, "corr-42"), "%s", log);
	cr_expect_null(strstr(log, "ignored-1"), "%s", log);
	free(log);
}

Test(request_id, ids_can_be_turned_off)
{
	test_server ts;
	server_start(&ts, "request_id_header = none\n");
	http_res r = http_call_with(ts.port, "GET", "/healthz", NULL, "X-Request-Id: off-1", NULL);
	cr_assert_eq(r.status, 200);
	char id[128];
	cr_expect_null(http_header(&r, "X-Request-Id", id, sizeof id), "%s", r.headers);
	http_res_free(&r);
	char *log = server_stop(&ts);
	cr_expect_not_null(strstr(log, "Z request_id=- method=GET path=/healthz status=200"), "%s", log);
	cr_expect_null(strstr(log, "off-1"), "%s", log);
	free(log);
}
