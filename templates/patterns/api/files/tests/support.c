/* support.c - test helpers: in-process service, libcurl client, stage hooks.
 *
 * Key choice: the service runs inside the test process on port 0 (the
 * kernel picks a free port, read back with MHD_DAEMON_INFO_BIND_PORT), so
 * tests can run in parallel, need no network, and can steer the model
 * stage through the hook while real HTTP goes over loopback.
 */
#define _POSIX_C_SOURCE 200809L
#include "support.h"

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

const char *const TEST_CONFIG = "model = models/model.safetensors\n"
				"features = 8\n"
				"port = 0\n"
				"workers = 2\n"
				"deadline_ms = 200\n"
				"fallback_default = 0.5\n"
				"token = crm sha256:" TOKEN_CRM_SHA256 " /v1/predict /v1/model\n"
				"token = ops sha256:" TOKEN_OPS_SHA256 " /v1/model\n"
				"token = gw sha256:" TOKEN_GW_SHA256 " /v1/predict /v1/model act_for_users\n"
				"user = agent-1 /v1/predict /v1/model\n"
				"user = viewer-2 /v1/model\n";

int stage_hook(void *ctx)
{
	stage_ctl *c = ctx;
	atomic_fetch_add(&c->calls, 1);
	switch (atomic_load(&c->mode)) {
	case STAGE_STALL: {
		int ms = atomic_load(&c->stall_ms);
		struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };
		while (nanosleep(&ts, &ts) != 0)
			;
		return 0;
	}
	case STAGE_FAIL:
		return -1;
	default:
		return 0;
	}
}

void server_start(test_server *ts, const char *extra)
{
	memset(ts, 0, sizeof *ts);
	char err[4096];
	api_config_defaults(&ts->cfg);
	cr_assert_eq(api_config_parse(&ts->cfg, TEST_CONFIG, "test-config", PROJECT_DIR, err, sizeof err), 0, "%s",
		     err);
	if (extra)
		cr_assert_eq(api_config_parse(&ts->cfg, extra, "test-extra", PROJECT_DIR, err, sizeof err), 0, "%s",
			     err);
	ts->log = tmpfile();
	cr_assert_not_null(ts->log);
	atomic_init(&ts->stage.mode, STAGE_NORMAL);
	atomic_init(&ts->stage.stall_ms, 0);
	atomic_init(&ts->stage.calls, 0);
	service_opts o;
	service_opts_init(&o);
	o.port = 0;
	o.log = ts->log;
	o.stage_hook = stage_hook;
	o.stage_hook_ctx = &ts->stage;
	int rc = service_start(&ts->svc, &ts->cfg, &o, err, sizeof err);
	cr_assert_eq(rc, 0, "service_start: %s", err);
	ts->port = service_port(ts->svc);
	cr_assert_gt(ts->port, 0u);
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void pause_ms(int ms)
{
	struct timespec t = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };
	while (nanosleep(&t, &t) != 0)
		;
}

void wait_for_stage_calls(test_server *ts, int n)
{
	for (int i = 0; atomic_load(&ts->stage.calls) < n; i++) {
		cr_assert_lt(i, 2000, "no %d job(s) reached the model stage within 10 s", n);
		pause_ms(5);
	}
}

void wait_for_queue_depth(test_server *ts, int n)
{
	for (int i = 0; service_queue_depth(ts->svc) < n; i++) {
		cr_assert_lt(i, 2000, "the queue did not reach %d within 10 s", n);
		pause_ms(5);
	}
}

char *server_stop(test_server *ts)
{
	service_free(ts->svc);
	ts->svc = NULL;
	size_t len = (size_t)ftell(ts->log);
	rewind(ts->log);
	char *text = malloc(len + 1);
	cr_assert_not_null(text);
	len = fread(text, 1, len, ts->log);
	text[len] = '\0';
	fclose(ts->log);
	ts->log = NULL;
	return text;
}

typedef struct {
	char *p;
	size_t len, cap;
} growbuf;

static size_t grow(void *data, size_t size, size_t nmemb, void *ctx)
{
	growbuf *b = ctx;
	size_t n = size * nmemb;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 1024;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *q = realloc(b->p, cap);
		if (!q)
			return 0;
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return n;
}

/* One exchange on handle c (which keeps its connection between calls). */
static http_res perform(CURL *c, unsigned port, const char *method, const char *path, const char *authorization,
			const char *content_type, const char *extra, const char *body)
{
	http_res r = { 0 };
	growbuf bb = { 0 }, hb = { 0 };
	char url[512];
	snprintf(url, sizeof url, "http://127.0.0.1:%u%s", port, path);
	struct curl_slist *hdr = NULL;
	char line[1024];
	if (authorization) {
		snprintf(line, sizeof line, "Authorization: %s", authorization);
		hdr = curl_slist_append(hdr, line);
	}
	if (extra)
		hdr = curl_slist_append(hdr, extra);
	if (body) {
		snprintf(line, sizeof line, "Content-Type: %s", content_type ? content_type : "application/json");
		hdr = curl_slist_append(hdr, line);
		hdr = curl_slist_append(hdr, "Expect:"); /* no 100-continue round trip */
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	} else {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, NULL);
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_NOBODY, strcmp(method, "HEAD") == 0 ? 1L : 0L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, grow);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &bb);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, grow);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &hb);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	r.curl_error = (int)curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
	curl_off_t us = 0;
	curl_easy_getinfo(c, CURLINFO_TOTAL_TIME_T, &us);
	r.seconds = (double)us / 1e6;
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hdr);
	r.body = bb.p ? bb.p : calloc(1, 1);
	r.len = bb.len;
	r.headers = hb.p ? hb.p : calloc(1, 1);
	return r;
}

http_res http_call_raw(unsigned port, const char *method, const char *path, const char *authorization,
		       const char *content_type, const char *body)
{
	CURL *c = curl_easy_init();
	cr_assert_not_null(c);
	http_res r = perform(c, port, method, path, authorization, content_type, NULL, body);
	curl_easy_cleanup(c);
	return r;
}

struct http_client {
	CURL *c;
	unsigned port;
};

http_client *http_client_new(unsigned port)
{
	http_client *h = calloc(1, sizeof *h);
	cr_assert_not_null(h);
	h->c = curl_easy_init();
	cr_assert_not_null(h->c);
	h->port = port;
	return h;
}

http_res http_client_call(http_client *h, const char *method, const char *path, const char *token,
			  const char *body)
{
	char auth[512];
	if (token)
		snprintf(auth, sizeof auth, "Bearer %s", token);
	return perform(h->c, h->port, method, path, token ? auth : NULL, NULL, NULL, body);
}

void http_client_free(http_client *h)
{
	if (!h)
		return;
	curl_easy_cleanup(h->c);
	free(h);
}

http_res http_call(unsigned port, const char *method, const char *path, const char *token, const char *body)
{
	char auth[512];
	if (token)
		snprintf(auth, sizeof auth, "Bearer %s", token);
	return http_call_raw(port, method, path, token ? auth : NULL, NULL, body);
}

http_res http_call_with(unsigned port, const char *method, const char *path, const char *token,
			const char *header, const char *body)
{
	char auth[512];
	if (token)
		snprintf(auth, sizeof auth, "Bearer %s", token);
	CURL *c = curl_easy_init();
	cr_assert_not_null(c);
	http_res r = perform(c, port, method, path, token ? auth : NULL, NULL, header, body);
	curl_easy_cleanup(c);
	return r;
}

void http_res_free(http_res *r)
{
	free(r->body);
	free(r->headers);
	r->body = r->headers = NULL;
}

const char *http_header(const http_res *r, const char *name, char *buf, size_t size)
{
	size_t nl = strlen(name);
	for (const char *s = r->headers; s && *s;) {
		const char *e = strstr(s, "\r\n");
		size_t len = e ? (size_t)(e - s) : strlen(s);
		if (len > nl && strncasecmp(s, name, nl) == 0 && s[nl] == ':') {
			const char *v = s + nl + 1;
			while (*v == ' ')
				v++;
			size_t vl = len - (size_t)(v - s);
			snprintf(buf, size, "%.*s", (int)vl, v);
			return buf;
		}
		s += len;
		if (e)
			s += 2;
	}
	return NULL;
}

char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	char *p = malloc((size_t)n + 1);
	if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
		free(p);
		p = NULL;
	}
	fclose(f);
	if (p) {
		p[n] = '\0';
		if (len)
			*len = (size_t)n;
	}
	return p;
}

char *predict_body(const char *key, const double *x, size_t n)
{
	size_t cap = 64 + n * 32 + (key ? strlen(key) : 0);
	char *b = malloc(cap);
	cr_assert_not_null(b);
	size_t k = 0;
	k += (size_t)snprintf(b + k, cap - k, "{");
	if (key)
		k += (size_t)snprintf(b + k, cap - k, "\"key\":\"%s\",", key);
	k += (size_t)snprintf(b + k, cap - k, "\"features\":[");
	for (size_t i = 0; i < n; i++)
		k += (size_t)snprintf(b + k, cap - k, "%s%.9g", i ? "," : "", x[i]);
	snprintf(b + k, cap - k, "]}");
	return b;
}

size_t load_samples(sample_row *rows, size_t max, size_t *n_features)
{
	char *text = read_file(PROJECT_DIR "/models/sample.csv", NULL);
	cr_assert_not_null(text, "models/sample.csv is missing");
	/* header: feature names..., label, expected */
	char *save = NULL;
	char *line = strtok_r(text, "\n", &save);
	size_t cols = 1;
	for (const char *s = line; *s; s++)
		cols += *s == ',';
	cr_assert_geq(cols, 3u);
	*n_features = cols - 2;
	cr_assert_leq(*n_features, 64u);
	size_t n = 0;
	while (n < max && (line = strtok_r(NULL, "\n", &save))) {
		char *s = line;
		for (size_t c = 0; c < cols; c++) {
			char *end;
			double v = strtod(s, &end);
			cr_assert_neq(end, s, "sample.csv: bad number in row %zu", n + 1);
			if (c < *n_features)
				rows[n].x[c] = v;
			else if (c == cols - 1)
				rows[n].expected = v;
			s = *end == ',' ? end + 1 : end;
		}
		n++;
	}
	free(text);
	return n;
}
