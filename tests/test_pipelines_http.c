/* test_pipelines_http.c - the http stage against a loopback server that is
 * told to answer, be slow, fail, reset, close, stall, lie about its body
 * length, answer something other than HTTP or not listen at all:
 * each fault becomes counted errors of a named kind and a verdict, and the
 * run ends on time - never a hang or a crash. */
#include <criterion/criterion.h>
#include <string.h>

#include "httpd_test.h"
#include "weft_pipelines.h"

static weft_test_httpd *srv;
static weft_diags *d;
static void setup(void)
{
	weft_diags_new(&d);
	cr_assert_eq(weft_test_httpd_start(&srv, 0), 0);
}
static void teardown(void)
{
	weft_test_httpd_stop(srv);
	weft_diags_free(d);
}
TestSuite(http, .init = setup, .fini = teardown, .timeout = 60);

/* Run a two-worker closed loop against path (on port, or the server's),
 * with the stage's timeout (NULL: 200ms). */
static weft_pipelines_result *run_path_t(const char *path, const char *extra, int port, double *secs,
					 const char *timeout)
{
	char text[1024];
	snprintf(text, sizeof text,
		 "pipeline: h\nstages:\n  - name: api\n    http: {url: 'http://127.0.0.1:%d%s', timeout: %s%s}\n"
		 "    budget: {p50: 1s}\n"
		 "load: {scenario: concurrency, concurrency: 2, duration: 150ms, min_queries: 6, warmup: 0}\n",
		 port ? port : weft_test_httpd_port(srv), path, timeout ? timeout : "200ms", extra ? extra : "");
	weft_pipelines_spec *s = NULL;
	cr_assert_eq(weft_pipelines_spec_load_buffer(&s, "h.yaml", ".", text, strlen(text), d), 0);
	weft_pipelines_result *r = NULL;
	uint64_t t0 = weft_now_ns();
	cr_assert_eq(weft_pipelines_run(&r, s, NULL, d), 0);
	if (secs)
		*secs = (double)(weft_now_ns() - t0) / 1e9;
	weft_pipelines_spec_free(s);
	return r;
}

static weft_pipelines_result *run_path(const char *path, const char *extra, int port, double *secs)
{
	return run_path_t(path, extra, port, secs, NULL);
}

/* The only error kind of the api stage. */
static const char *error_kind(const weft_pipelines_result *r)
{
	const weft_pipelines_series *s = weft_pipelines_result_series(r, "api");
	cr_assert_eq(s->n_error_kinds, 1, "%zu error kinds: %s (%llu), %s", s->n_error_kinds,
		     s->n_error_kinds ? s->error_kinds[0].error : "",
		     s->n_error_kinds ? (unsigned long long)s->error_kinds[0].count : 0ULL,
		     s->n_error_kinds > 1 ? s->error_kinds[1].error : "");
	cr_assert_eq(s->error_kinds[0].count, r->errors);
	return s->error_kinds[0].error;
}

Test(http, ok_requests_are_timed_with_phases)
{
	weft_pipelines_result *r = run_path("/ok", NULL, 0, NULL);
	const weft_pipelines_series *s = weft_pipelines_result_series(r, "api");
	cr_assert_eq(r->errors, 0);
	cr_assert_geq(s->count, 6);
	cr_assert_eq(s->n_phases, 5);
	cr_assert_str_eq(s->phases[3].name, "server");
	cr_assert_eq(weft_pipelines_hist_count(s->phases[3].hist), s->count);
	/* the server answered every measured query (and no more than were sent) */
	cr_assert_geq(weft_test_httpd_requests(srv), s->count);
	cr_assert_eq(r->error_verdict, WEFT_VERDICT_MET);
	weft_pipelines_result_free(r);
}

Test(http, slow_answers_show_in_the_latency)
{
	weft_pipelines_result *r = run_path("/slow/30", NULL, 0, NULL);
	const weft_pipelines_series *s = weft_pipelines_result_series(r, "api");
	cr_assert_eq(r->errors, 0);
	cr_assert_geq(s->min_ms, 30.0);
	cr_assert_geq(s->pctl[0].value_ms, 30.0);
	weft_pipelines_result_free(r);
}

Test(http, server_errors_count_as_errors)
{
	weft_pipelines_result *r = run_path("/status/503", NULL, 0, NULL);
	cr_assert_eq(r->errors, r->measured);
	cr_assert_str_eq(error_kind(r), "http 503");
	cr_assert_eq(r->error_verdict, WEFT_VERDICT_BROKEN);
	cr_assert_eq(weft_pipelines_result_gate(r, true), WEFT_EGATE);
	weft_pipelines_result_free(r);
}

Test(http, expected_status_list)
{
	weft_pipelines_result *r = run_path("/status/503", ", expect_status: [503]", 0, NULL);
	cr_assert_eq(r->errors, 0);
	weft_pipelines_result_free(r);
	r = run_path("/ok", ", expect_status: 201", 0, NULL);
	cr_assert_str_eq(error_kind(r), "http 200");
	weft_pipelines_result_free(r);
}

Test(http, post_with_body)
{
	weft_pipelines_result *r = run_path("/ok", ", method: PUT, body: 'x=1', headers: {X-Test: yes}", 0, NULL);
	cr_assert_eq(r->errors, 0);
	weft_pipelines_result_free(r);
}

Test(http, reset_connection)
{
	weft_pipelines_result *r = run_path("/reset", NULL, 0, NULL);
	cr_assert_gt(r->errors, 0);
	cr_assert_eq(r->errors, r->measured);
	const char *k = error_kind(r);
	cr_assert(strstr(k, "reset") || strstr(k, "empty reply"), "%s", k);
	weft_pipelines_result_free(r);
}

Test(http, closed_without_answer)
{
	weft_pipelines_result *r = run_path("/close", NULL, 0, NULL);
	cr_assert_eq(r->errors, r->measured);
	/* a close with the request still unread may reach curl as a reset
	 * (RST) instead of an orderly end of stream: both mean "no answer" */
	const weft_pipelines_series *s = weft_pipelines_result_series(r, "api");
	cr_assert(s->n_error_kinds >= 1 && s->n_error_kinds <= 2, "%zu error kinds", s->n_error_kinds);
	size_t counted = 0;
	for (size_t i = 0; i < s->n_error_kinds; i++) {
		const char *k = s->error_kinds[i].error;
		cr_assert(!strcmp(k, "empty reply (connection closed)") || !strcmp(k, "connection reset"),
			  "unexpected error kind '%s'", k);
		counted += s->error_kinds[i].count;
	}
	cr_assert_eq(counted, r->errors);
	weft_pipelines_result_free(r);
}

Test(http, stalled_server_times_out_on_time)
{
	double secs;
	weft_pipelines_result *r = run_path("/stall", NULL, 0, &secs);
	cr_assert_str_eq(error_kind(r), "timeout");
	cr_assert_geq(r->errors, 6);
	/* 6 queries over 2 workers, 200 ms each: about 0.6 s, never a hang */
	cr_assert_lt(secs, 5.0, "took %g s", secs);
	cr_assert_eq(weft_pipelines_result_series(r, "api")->checks[0].verdict, WEFT_VERDICT_INCONCLUSIVE);
	weft_pipelines_result_free(r);
}

Test(http, refused_connection)
{
	weft_pipelines_result *r = run_path("/ok", NULL, weft_test_refused_port(), NULL);
	cr_assert_eq(r->errors, r->measured);
	cr_assert_str_eq(error_kind(r), "connection refused");
	weft_pipelines_result_free(r);
}

Test(http, body_longer_than_content_length_is_an_error)
{
	weft_pipelines_result *r = run_path("/long-body", NULL, 0, NULL);
	cr_assert_gt(r->measured, 0);
	cr_assert_eq(r->errors, r->measured);
	cr_assert_str_eq(error_kind(r), "response body longer than its Content-Length (19 > 3 bytes)");
	weft_pipelines_result_free(r);
}

Test(http, a_reply_that_is_not_http_is_named)
{
	double secs;
	/* a 5 s timeout, so that a loaded machine cannot turn a slow first
	 * byte into a timeout; the run must still end long before it */
	weft_pipelines_result *r = run_path_t("/not-http", NULL, 0, &secs, "5s");
	cr_assert_gt(r->measured, 0);
	cr_assert_eq(r->errors, r->measured);
	cr_assert_str_eq(error_kind(r), "the server did not answer HTTP (first bytes: \"SSH-2.0-OpenSSH_\")");
	/* refused at the first bytes, not after the timeout */
	cr_assert_lt(secs, 2.0, "took %g s", secs);
	weft_pipelines_result_free(r);
}

/* ---- options a real endpoint needs ------------------------------------------------- */

static weft_pipelines_spec *spec_text(const char *text)
{
	weft_pipelines_spec *s = NULL;
	cr_assert_eq(weft_pipelines_spec_load_buffer(&s, "h.yaml", "/tmp", text, strlen(text), d), 0);
	return s;
}

Test(http, connection_new_opens_one_connection_per_query)
{
	char text[512];
	snprintf(text, sizeof text,
		 "pipeline: h\nstages:\n  - name: api\n    http: {url: 'http://127.0.0.1:%d/ok', connection: new}\n"
		 "load: {scenario: concurrency, concurrency: 2, duration: 100ms, min_queries: 40, warmup: 0}\n",
		 weft_test_httpd_port(srv));
	weft_pipelines_spec *s = spec_text(text);
	cr_assert(s->stages[0].http.new_connection);
	weft_pipelines_result *r = NULL;
	cr_assert_eq(weft_pipelines_run(&r, s, NULL, d), 0);
	cr_assert_eq(r->errors, 0);
	uint64_t q = weft_test_httpd_requests(srv), c = weft_test_httpd_connections(srv);
	cr_assert_geq(q, 40);
	cr_assert_eq(c, q, "%llu connections for %llu requests", (unsigned long long)c, (unsigned long long)q);
	/* every measured query paid a connect */
	const weft_pipelines_series *api = weft_pipelines_result_series(r, "api");
	cr_assert_eq(weft_pipelines_hist_count(api->phases[1].hist), api->count);
	cr_assert_gt(weft_pipelines_hist_min(api->phases[1].hist), 0);
	weft_pipelines_result_free(r);
	weft_pipelines_spec_free(s);

	/* keep-alive (the default): far fewer connections than requests */
	weft_test_httpd_stop(srv);
	cr_assert_eq(weft_test_httpd_start(&srv, 0), 0);
	snprintf(text, sizeof text,
		 "pipeline: h\nstages:\n  - name: api\n    http: {url: 'http://127.0.0.1:%d/ok'}\n"
		 "load: {scenario: concurrency, concurrency: 2, duration: 100ms, min_queries: 40, warmup: 0}\n",
		 weft_test_httpd_port(srv));
	s = spec_text(text);
	cr_assert_eq(weft_pipelines_run(&r, s, NULL, d), 0);
	cr_assert_leq(weft_test_httpd_connections(srv), 4);
	cr_assert_geq(weft_test_httpd_requests(srv), 40);
	weft_pipelines_result_free(r);
	weft_pipelines_spec_free(s);
}

Test(http, header_values_come_from_the_environment)
{
	char text[512];
	snprintf(text, sizeof text,
		 "pipeline: h\nstages:\n  - name: api\n"
		 "    http: {url: 'http://127.0.0.1:%d/auth', headers: {Authorization: 'Bearer ${WEFT_TEST_TOKEN}'}}\n"
		 "load: {scenario: concurrency, concurrency: 1, duration: 50ms, min_queries: 5, warmup: 0}\n",
		 weft_test_httpd_port(srv));
	/* unset: refused where the header is written */
	unsetenv("WEFT_TEST_TOKEN");
	weft_pipelines_spec *s = NULL;
	cr_assert_eq(weft_pipelines_spec_load_buffer(&s, "h.yaml", ".", text, strlen(text), d), WEFT_EINVALID);
	const weft_diag *g = weft_diags_get(d, 0);
	cr_assert(strstr(g->message, "WEFT_TEST_TOKEN is not set"), "%s", g->message);
	cr_assert_eq(g->line, 4);
	/* wrong token: the server says 401 */
	setenv("WEFT_TEST_TOKEN", "not-it", 1);
	s = spec_text(text);
	weft_pipelines_result *r = NULL;
	cr_assert_eq(weft_pipelines_run(&r, s, NULL, d), 0);
	cr_assert_eq(r->errors, r->measured);
	cr_assert_str_eq(error_kind(r), "http 401");
	weft_pipelines_result_free(r);
	weft_pipelines_spec_free(s);
	/* right token: every query accepted */
	setenv("WEFT_TEST_TOKEN", "weft-secret", 1);
	s = spec_text(text);
	cr_assert_eq(weft_pipelines_run(&r, s, NULL, d), 0);
	cr_assert_eq(r->errors, 0);
	cr_assert_geq(r->measured, 5);
	weft_pipelines_result_free(r);
	weft_pipelines_spec_free(s);
}

Test(http, bodies_file_sends_one_line_per_query_in_turn)
{
	FILE *f = fopen("/tmp/weft-bodies-test.jsonl", "w");
	cr_assert_not_null(f);
	fputs("{\"id\": 1}\n\n{\"id\": 2}\r\n{\"id\": 3}\n{\"id\": 4}\n{\"id\": 5}", f);
	fclose(f);
	char text[512];
	snprintf(text, sizeof text,
		 "pipeline: h\nstages:\n  - name: api\n"
		 "    http: {url: 'http://127.0.0.1:%d/bodies', bodies_file: weft-bodies-test.jsonl}\n"
		 "load: {scenario: concurrency, concurrency: 2, duration: 50ms, min_queries: 30, warmup: 0}\n",
		 weft_test_httpd_port(srv));
	weft_pipelines_spec *s = spec_text(text);
	cr_assert_eq(s->stages[0].http.n_bodies, 5);
	cr_assert_str_eq(s->stages[0].http.method, "POST");
	weft_pipelines_result *r = NULL;
	cr_assert_eq(weft_pipelines_run(&r, s, NULL, d), 0);
	cr_assert_eq(r->errors, 0);
	bool newline = true;
	cr_assert_eq(weft_test_httpd_distinct_bodies(srv, &newline), 5);
	cr_assert(!newline, "a body carried its line's newline");
	weft_pipelines_result_free(r);
	weft_pipelines_spec_free(s);
	remove("/tmp/weft-bodies-test.jsonl");
}

Test(http, tls_options_are_checked_where_they_are_written)
{
	char text[512];
	snprintf(text, sizeof text,
		 "pipeline: h\nstages:\n  - name: api\n    http:\n      url: 'https://127.0.0.1:1/'\n"
		 "      tls: {ca_file: no-such-ca.pem, insecure: true}\n      connection: sometimes\n"
		 "      http_version: '3'\n");
	weft_pipelines_spec *s = NULL;
	cr_assert_eq(weft_pipelines_spec_load_buffer(&s, "h.yaml", "/tmp", text, strlen(text), d), WEFT_EINVALID);
	bool ca = false, warn = false, conn = false, ver = false;
	for (size_t i = 0; i < weft_diags_count(d); i++) {
		const weft_diag *g = weft_diags_get(d, i);
		ca |= g->line == 6 && strstr(g->message, "no-such-ca.pem") != NULL;
		warn |= g->line == 6 && g->severity == WEFT_SEV_WARNING && strstr(g->message, "not checked") != NULL;
		conn |= g->line == 7 && strstr(g->message, "connection") != NULL;
		ver |= g->line == 8 && strstr(g->message, "http_version") != NULL;
	}
	cr_assert(ca && warn && conn && ver, "ca %d warn %d conn %d ver %d", ca, warn, conn, ver);
}

/* ---- the two clients: weft's own HTTP/1.1 client and libcurl ------------------------ */
/* This file runs twice under ctest: as it is (plain http:// requests go
 * through the event loops' own client) and as test_pipelines_http_curl
 * with WEFT_HTTP_CLIENT=curl (everything through libcurl). The tests below
 * hold for both; the last ones compare the two in one process. */

Test(http, every_body_framing_is_read)
{
	static const char *const paths[] = { "/chunked", "/until-close", "/dribble" };
	for (size_t i = 0; i < 3; i++) {
		weft_pipelines_result *r = run_path_t(paths[i], NULL, 0, NULL, "2s");
		cr_assert_eq(r->errors, 0, "%s: %llu errors (%s)", paths[i], (unsigned long long)r->errors,
			     r->errors ? error_kind(r) : "");
		cr_assert_geq(r->measured, 6);
		if (i == 2) {
			/* 41 bytes, 1 ms apart: the last byte, not the first, ends the query */
			const weft_pipelines_series *s = weft_pipelines_result_series(r, "api");
			cr_assert_geq(s->min_ms, 30.0, "dribble min %g ms", s->min_ms);
		}
		weft_pipelines_result_free(r);
	}
}

Test(http, large_bodies_and_every_address_of_a_name)
{
	/* a body many times the client's read buffer */
	weft_pipelines_result *r = run_path("/big/1000000", NULL, 0, NULL);
	cr_assert_eq(r->errors, 0, "%s", r->errors ? error_kind(r) : "");
	weft_pipelines_result_free(r);
	/* localhost may resolve to ::1 first, where nothing listens: the next
	 * address (127.0.0.1) is tried, as libcurl does */
	char text[512];
	snprintf(text, sizeof text,
		 "pipeline: h\nstages:\n  - name: api\n    http: {url: 'http://localhost:%d/ok'}\n"
		 "load: {scenario: concurrency, concurrency: 2, duration: 50ms, min_queries: 6, warmup: 0}\n",
		 weft_test_httpd_port(srv));
	weft_pipelines_spec *s = spec_text(text);
	cr_assert_eq(weft_pipelines_run(&r, s, NULL, d), 0);
	cr_assert_eq(r->errors, 0, "%s", r->errors ? error_kind(r) : "");
	weft_pipelines_result_free(r);
	weft_pipelines_spec_free(s);
}

Test(http, closed_connections_are_reopened_without_errors)
{
	/* told to close, and closed without a word: every query still
	 * answered, each on a connection of its own */
	static const char *const paths[] = { "/conn-close", "/then-close" };
	for (size_t i = 0; i < 2; i++) {
		weft_test_httpd_stop(srv);
		cr_assert_eq(weft_test_httpd_start(&srv, 0), 0);
		weft_pipelines_result *r = run_path(paths[i], NULL, 0, NULL);
		const char *client = getenv("WEFT_HTTP_CLIENT");
		if (i == 1 && client && !strcmp(client, "curl")) {
			/* libcurl may reuse the connection before the close reaches it,
			 * and then reports the reset instead of sending again */
			if (r->errors)
				cr_assert_str_eq(error_kind(r), "connection reset");
			weft_pipelines_result_free(r);
			continue;
		}
		cr_assert_eq(r->errors, 0, "%s: %s", paths[i], r->errors ? error_kind(r) : "");
		uint64_t q = weft_test_httpd_requests(srv), c = weft_test_httpd_connections(srv);
		cr_assert_geq(q, r->measured);
		/* a request sent on a connection the server had just closed is
		 * sent again on a new one: never more connections than requests */
		cr_assert_eq(c, q, "%s: %llu connections, %llu requests", paths[i], (unsigned long long)c,
			     (unsigned long long)q);
		weft_pipelines_result_free(r);
	}
}

/* The request head the server saw for one query of stage text `http`, sent
 * by client ("auto" or "curl"); the run's http_client into *client. */
static void head_seen(const char *http, const char *client, char *out, size_t n, const char **used)
{
	char text[1024];
	snprintf(text, sizeof text,
		 "pipeline: h\nstages:\n  - name: api\n    http: {url: 'http://127.0.0.1:%d/ok?q=1', %s}\n"
		 "load: {scenario: concurrency, concurrency: 1, duration: 1ms, min_queries: 1, warmup: 0}\n",
		 weft_test_httpd_port(srv), http);
	setenv("WEFT_HTTP_CLIENT", client, 1);
	weft_pipelines_spec *s = spec_text(text);
	weft_pipelines_result *r = NULL;
	cr_assert_eq(weft_pipelines_run(&r, s, NULL, d), 0);
	cr_assert_eq(r->errors, 0, "%s", r->errors ? error_kind(r) : "");
	*used = r->http_client;
	weft_test_httpd_last_head(srv, out, n);
	weft_pipelines_result_free(r);
	weft_pipelines_spec_free(s);
}

/* The head's lines, sorted, one string: the same request whatever the
 * order of its headers. */
static void sorted_lines(char *head)
{
	char *lines[64];
	size_t n = 0;
	for (char *save = NULL, *l = strtok_r(head, "\r\n", &save); l && n < 64; l = strtok_r(NULL, "\r\n", &save))
		lines[n++] = l;
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(lines[j - 1], lines[j]) > 0; j--) {
			char *t = lines[j];
			lines[j] = lines[j - 1];
			lines[j - 1] = t;
		}
	static char out[2048];
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		strncat(out, lines[i], sizeof out - strlen(out) - 2);
		strcat(out, "|");
	}
	strcpy(head, out);
}

Test(http, both_clients_send_the_same_request)
{
	static const char *const stages[] = {
		"method: GET",
		"body: 'a=1&b=2', headers: {X-Test: yes}",
		"method: PUT, body: '{}', headers: {Content-Type: application/json, User-Agent: mine, Accept: ''}",
		"method: DELETE, headers: {Host: example.test}",
		"method: HEAD",
		"method: POST",
	};
	for (size_t i = 0; i < sizeof stages / sizeof *stages; i++) {
		char own[2048], curl[2048];
		const char *own_client, *curl_client;
		head_seen(stages[i], "auto", own, sizeof own, &own_client);
		head_seen(stages[i], "curl", curl, sizeof curl, &curl_client);
		cr_assert_str_eq(own_client, "weft");
		cr_assert_str_eq(curl_client, "libcurl");
		sorted_lines(own);
		sorted_lines(curl);
		cr_assert_str_eq(own, curl, "stage {%s}:\nweft:    %s\nlibcurl: %s", stages[i], own, curl);
	}
}

Test(http, an_unknown_client_is_refused)
{
	setenv("WEFT_HTTP_CLIENT", "fast", 1);
	char text[512];
	snprintf(text, sizeof text,
		 "pipeline: h\nstages:\n  - name: api\n    http: {url: 'http://127.0.0.1:%d/ok'}\n",
		 weft_test_httpd_port(srv));
	weft_pipelines_spec *s = spec_text(text);
	weft_pipelines_result *r = NULL;
	cr_assert_eq(weft_pipelines_run(&r, s, NULL, d), WEFT_EUSAGE);
	cr_assert_null(r);
	weft_pipelines_spec_free(s);
}

Test(http, two_http_stages_each_keep_their_connections)
{
	char text[768];
	snprintf(text, sizeof text,
		 "pipeline: h\nstages:\n  - name: first\n    http: {url: 'http://127.0.0.1:%d/ok'}\n"
		 "  - name: second\n    http: {url: 'http://127.0.0.1:%d/chunked', method: POST, body: x}\n"
		 "load: {scenario: concurrency, concurrency: 3, threads: 2, duration: 50ms, min_queries: 30, warmup: 0}\n",
		 weft_test_httpd_port(srv), weft_test_httpd_port(srv));
	weft_pipelines_spec *s = spec_text(text);
	weft_pipelines_result *r = NULL;
	cr_assert_eq(weft_pipelines_run(&r, s, NULL, d), 0);
	cr_assert_eq(r->errors, 0);
	cr_assert_eq(r->loops, 2);
	const weft_pipelines_series *a = weft_pipelines_result_series(r, "first"),
				    *b = weft_pipelines_result_series(r, "second");
	cr_assert_eq(a->count, r->measured);
	cr_assert_eq(b->count, r->measured);
	/* every query made two requests; each slot kept one connection per stage */
	cr_assert_eq(weft_test_httpd_requests(srv), 2 * (r->measured + r->warmup_done));
	cr_assert_leq(weft_test_httpd_connections(srv), 6);
	weft_pipelines_result_free(r);
	weft_pipelines_spec_free(s);
}
