/* test_accesslog.c - one access log line per request with method, path,
 * status, latency in microseconds, the fallback flag and the request id;
 * lines cannot be forged through the path.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "accesslog.h"
#include "support.h"

Test(accesslog, format_of_a_line)
{
	/* 2025-03-01T09:12:44.120Z is 1740820364 s after the epoch */
	struct timespec when = { .tv_sec = 1740820364, .tv_nsec = 120500000 };
	access_entry e = { .method = "POST",
			   .path = "/v1/predict",
			   .status = 200,
			   .latency_us = 845,
			   .fallback = true,
			   .reason = "deadline",
			   .client = "crm",
			   .user = "agent-17",
			   .request_id = "req-1" };
	char buf[512];
	size_t n = access_log_format(buf, sizeof buf, &e, &when);
	cr_expect_str_eq(buf, "2025-03-01T09:12:44.120Z request_id=req-1 method=POST path=/v1/predict status=200 "
			      "latency_us=845 fallback=true reason=deadline client=crm user=agent-17\n");
	cr_expect_eq(n, strlen(buf));
}

Test(accesslog, escapes_what_could_forge_a_line)
{
	struct timespec when = { 0 };
	access_entry e = { .method = "GET", .path = "/x\ny status=200 \"%", .status = 404 };
	char buf[512];
	access_log_format(buf, sizeof buf, &e, &when);
	cr_expect_str_eq(buf, "1970-01-01T00:00:00.000Z request_id=- method=GET path=/x%0Ay%20status%3D200%20%22%25 "
			      "status=404 latency_us=0 fallback=false reason=- client=- user=-\n");
}

Test(accesslog, a_line_with_every_field_at_its_limit_is_whole)
{
	/* every byte escaped: the line is at its longest and still ends in '\n' */
	struct timespec when = { 0 };
	char path[300], name[70];
	memset(path, '"', sizeof path - 1);
	path[sizeof path - 1] = '\0';
	memset(name, '%', sizeof name - 1);
	name[sizeof name - 1] = '\0';
	access_entry e = { .method = name, .path = path, .status = 200, .reason = name, .client = name,
			   .user = name, .request_id = name };
	char buf[1536]; /* the size access_log_write uses */
	size_t n = access_log_format(buf, sizeof buf, &e, &when);
	cr_expect_lt(n, sizeof buf - 1);
	cr_expect_eq(buf[n - 1], '\n');
	cr_expect_eq(strncmp(buf, "1970-01-01T00:00:00.000Z request_id=%25%25", 42), 0, "%s", buf);
}

Test(accesslog, long_paths_are_cut)
{
	struct timespec when = { 0 };
	char path[1000];
	memset(path, 'a', sizeof path - 1);
	path[sizeof path - 1] = '\0';
	access_entry e = { .method = "GET", .path = path, .status = 404 };
	char buf[512];
	size_t n = access_log_format(buf, sizeof buf, &e, &when);
	cr_expect_lt(n, sizeof buf);
	cr_expect(strstr(buf, "aaa... status=404") != NULL, "%s", buf);
	cr_expect_eq(buf[n - 1], '\n');
}

/* Find the log line for a path and status; NULL when absent. */
static const char *line_for(const char *log, const char *what)
{
	return strstr(log, what);
}

static long long field(const char *line, const char *name)
{
	const char *p = strstr(line, name);
	cr_assert_not_null(p, "no %s in %s", name, line);
	return strtoll(p + strlen(name), NULL, 10);
}

Test(accesslog, one_line_per_request_with_latency_and_fallback)
{
	test_server ts;
	server_start(&ts, "deadline_ms = 1000\n");
	const char *body = "{\"features\":[1,2,3,4,5,6,7,8]}";
	atomic_store(&ts.stage.stall_ms, 150);
	atomic_store(&ts.stage.mode, STAGE_STALL);
	/* slow, in time; the request ids find the lines whatever order the
	 * connection threads wrote them in */
	http_res r = http_call_with(ts.port, "POST", "/v1/predict", TOKEN_CRM, "X-Request-Id: slow-1", body);
	http_res_free(&r);
	atomic_store(&ts.stage.mode, STAGE_FAIL);
	r = http_call_with(ts.port, "POST", "/v1/predict", TOKEN_CRM, "X-Request-Id: fallback-1", body);
	http_res_free(&r);
	r = http_call(ts.port, "GET", "/healthz", NULL, NULL);
	http_res_free(&r);
	r = http_call(ts.port, "GET", "/nowhere%0Aforged", NULL, NULL);
	http_res_free(&r);
	r = http_call_with(ts.port, "GET", "/v1/model", TOKEN_GW, "X-On-Behalf-Of: agent-1", NULL);
	http_res_free(&r);
	char *log = server_stop(&ts);

	int lines = 0;
	for (const char *s = log; *s; s++)
		lines += *s == '\n';
	cr_expect_eq(lines, 5, "%s", log);

	const char *slow = line_for(log, "request_id=slow-1 method=POST path=/v1/predict status=200");
	cr_assert_not_null(slow, "%s", log);
	/* the stalled model took 150 ms: the latency covers it */
	cr_expect_geq(field(slow, "latency_us="), 150000, "%s", slow);
	cr_expect_eq(strncmp(strstr(slow, "fallback="), "fallback=false reason=- client=crm user=-", 41), 0, "%s", slow);

	const char *fb = line_for(log, "request_id=fallback-1 method=POST path=/v1/predict status=200");
	cr_assert_not_null(fb, "%s", log);
	cr_expect_eq(strncmp(strstr(fb, "fallback="), "fallback=true reason=model_error client=crm", 43), 0, "%s", fb);

	const char *health = line_for(log, "method=GET path=/healthz status=200 latency_us=");
	cr_expect_not_null(health, "%s", log);
	cr_expect_geq(field(health, "latency_us="), 0);
	cr_expect(strstr(health, "client=-") != NULL);

	cr_expect_not_null(line_for(log, "path=/nowhere%0Aforged status=404"), "%s", log);
	/* the end user the caller acts for, once checked */
	cr_expect_not_null(line_for(log, "path=/v1/model status=200"), "%s", log);
	cr_expect_not_null(line_for(log, "client=gw user=agent-1\n"), "%s", log);
	free(log);
}
