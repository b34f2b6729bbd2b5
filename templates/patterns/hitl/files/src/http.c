/* http.c - libmicrohttpd front end for the routing service.
 *
 * Design: one internal polling thread serves every connection with
 * non-blocking sockets, so a slow client cannot hold the others up, and a
 * mutex around each service call keeps the model and the SQLite connection
 * single-threaded whatever threading mode libmicrohttpd is built with. A
 * request body is collected up to cfg.max_body and then refused with 413;
 * the excess is read and dropped rather than buffered. Handlers only
 * translate: JSON in, a service call, JSON out; the rules (claims, blind
 * first) live in service.c and store.c.
 *
 * Authentication and roles are decided as soon as the headers are in,
 * before any body is read (auth.c): an unauthenticated client cannot make
 * the service buffer anything. The reviewer of every review action is the
 * token's name; a "reviewer" in the body is only accepted when it is that
 * same name, and refused (403 "impersonation") otherwise.
 */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

#include "auth.h"
#include "metrics.h"

/* status codes by number: libmicrohttpd renamed some of its macros
 * between releases (422, 413), and numbers read the same everywhere */
enum {
	HTTP_OK = 200,
	HTTP_CREATED = 201,
	HTTP_BAD_REQUEST = 400,
	HTTP_UNAUTHORIZED = 401,
	HTTP_FORBIDDEN = 403,
	HTTP_NOT_FOUND = 404,
	HTTP_METHOD_NOT_ALLOWED = 405,
	HTTP_CONFLICT = 409,
	HTTP_TOO_LARGE = 413,
	HTTP_UNPROCESSABLE = 422,
	HTTP_INTERNAL = 500,
};

struct hitl_http {
	struct MHD_Daemon *daemon;
	hitl_service *svc;
	pthread_mutex_t lock;
	FILE *log;
	int port;
};

typedef struct request {
	bool seen;     /* the handler has been called once (headers complete) */
	bool answered; /* refused at the headers (401, 403): the body is dropped */
	const hitl_token *who; /* the authenticated caller, or NULL (public routes) */
	char *body;
	size_t len, cap;
	int too_large;
	int status;
	char method[8];
	char uri[160];
	struct timespec start;
} request;

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

static enum MHD_Result send_json(struct MHD_Connection *conn, request *rq, int status, cJSON *body)
{
	char *text = body ? cJSON_PrintUnformatted(body) : NULL;
	cJSON_Delete(body);
	if (!text) {
		status = HTTP_INTERNAL;
		text = strdup("{\"error\":\"out of memory\"}");
		if (!text)
			return MHD_NO;
	}
	size_t n = strlen(text);
	text[n] = 0;
	struct MHD_Response *resp =
		MHD_create_response_from_buffer_with_free_callback(n, text, free);
	if (!resp) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", "application/json; charset=utf-8");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (status == HTTP_UNAUTHORIZED)
		MHD_add_response_header(resp, "WWW-Authenticate", "Bearer realm=\"review\"");
	if (status == HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, "Allow", "GET, POST");
	rq->status = status;
	enum MHD_Result r = MHD_queue_response(conn, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return r;
}

static enum MHD_Result send_error(struct MHD_Connection *conn, request *rq, int status, const char *code,
				  const char *msg)
{
	cJSON *o = cJSON_CreateObject();
	if (o) {
		cJSON_AddStringToObject(o, "error", msg);
		if (code)
			cJSON_AddStringToObject(o, "code", code);
	}
	return send_json(conn, rq, status, o);
}

static int status_of(int rc)
{
	switch (rc) {
	case HITL_OK: return HTTP_OK;
	case HITL_ENOTFOUND: return HTTP_NOT_FOUND;
	case HITL_ECONFLICT: return HTTP_CONFLICT;
	case HITL_EJUDGMENT: return HTTP_CONFLICT;
	case HITL_EINVALID: return HTTP_UNPROCESSABLE;
	default: return HTTP_INTERNAL;
	}
}

static const char *code_of(int rc)
{
	switch (rc) {
	case HITL_ENOTFOUND: return "not_found";
	case HITL_ECONFLICT: return "conflict";
	case HITL_EJUDGMENT: return "judgment_required";
	case HITL_EINVALID: return "invalid";
	default: return "internal";
	}
}

/* "/v1/cases/123/claim" -> id 123, action "claim"; "/v1/cases/123" -> "".
 * Returns -1 when the path is not of that shape. */
static int parse_case_path(const char *url, int64_t *id, const char **action)
{
	const char *p = url + strlen("/v1/cases/");
	int64_t v = 0;
	int digits = 0;
	while (*p >= '0' && *p <= '9') {
		if (++digits > 18)
			return -1;
		v = v * 10 + (*p++ - '0');
	}
	if (!digits)
		return -1;
	if (*p == 0) {
		*action = "";
	} else if (*p == '/' && p[1]) {
		*action = p + 1;
	} else {
		return -1;
	}
	*id = v;
	return 0;
}

static const char *str_field(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Features as an array in the configured order, or an object by name. */
static int read_features(const hitl_config *c, const cJSON *f, double *x, char *err, size_t errlen)
{
	if (cJSON_IsArray(f)) {
		if ((size_t)cJSON_GetArraySize(f) != c->n_features) {
			snprintf(err, errlen, "features: expected %zu numbers, got %d", c->n_features,
				 cJSON_GetArraySize(f));
			return -1;
		}
		size_t i = 0;
		const cJSON *it;
		cJSON_ArrayForEach(it, f)
		{
			if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble)) {
				snprintf(err, errlen, "features[%zu]: expected a number", i);
				return -1;
			}
			x[i++] = it->valuedouble;
		}
		return 0;
	}
	if (cJSON_IsObject(f)) {
		const cJSON *it;
		cJSON_ArrayForEach(it, f)
		{
			bool known = false;
			for (size_t i = 0; i < c->n_features; i++)
				known |= it->string && !strcmp(it->string, c->features[i]);
			if (!known) {
				snprintf(err, errlen, "features: unknown feature '%.40s'", it->string ? it->string : "");
				return -1;
			}
		}
		for (size_t i = 0; i < c->n_features; i++) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(f, c->features[i]);
			if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)) {
				snprintf(err, errlen, "features: '%s' is missing or not a number", c->features[i]);
				return -1;
			}
			x[i] = v->valuedouble;
		}
		return 0;
	}
	snprintf(err, errlen, "features: expected an array of %zu numbers or an object by feature name",
		 c->n_features);
	return -1;
}

static enum MHD_Result post_case(hitl_http *h, struct MHD_Connection *conn, request *rq, const cJSON *body)
{
	const hitl_config *c = &h->svc->cfg;
	double x[HITL_MAX_FEATURES];
	char err[512];
	const cJSON *ext = cJSON_GetObjectItemCaseSensitive(body, "external_id");
	if (ext && !cJSON_IsString(ext) && !cJSON_IsNull(ext))
		return send_error(conn, rq, HTTP_UNPROCESSABLE, "invalid", "external_id: expected a string");
	if (read_features(c, cJSON_GetObjectItemCaseSensitive(body, "features"), x, err, sizeof err) < 0)
		return send_error(conn, rq, HTTP_UNPROCESSABLE, "invalid", err);
	hitl_case *cs = malloc(sizeof *cs);
	if (!cs)
		return send_error(conn, rq, HTTP_INTERNAL, "internal", "out of memory");
	bool existed;
	pthread_mutex_lock(&h->lock);
	int rc = hitl_service_submit(h->svc, cJSON_IsString(ext) ? ext->valuestring : NULL, x, now_s(), cs, &existed,
				     err, sizeof err);
	pthread_mutex_unlock(&h->lock);
	if (rc) {
		free(cs);
		return send_error(conn, rq, status_of(rc), code_of(rc), err);
	}
	/* the caller is the upstream system, not a reviewer: it gets the
	 * routing outcome, never the score of a case a human will judge */
	cJSON *o = cJSON_CreateObject();
	if (o) {
		cJSON_AddNumberToObject(o, "id", (double)cs->id);
		cJSON_AddStringToObject(o, "external_id", cs->external_id);
		cJSON_AddStringToObject(o, "status", cs->status);
		if (!strcmp(cs->status, "auto") || !strcmp(cs->status, "decided"))
			cJSON_AddStringToObject(o, "decision", cs->decision);
		else
			cJSON_AddNullToObject(o, "decision");
		if (cs->due_at && strcmp(cs->status, "auto")) {
			char when[32];
			hitl_format_time(when, cs->due_at);
			cJSON_AddStringToObject(o, "due_at", when);
		}
		cJSON_AddBoolToObject(o, "existed", existed);
	}
	free(cs);
	return send_json(conn, rq, existed ? HTTP_OK : HTTP_CREATED, o);
}

static enum MHD_Result get_cases(hitl_http *h, struct MHD_Connection *conn, request *rq)
{
	const char *status = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "status");
	const char *limit_s = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "limit");
	if (status && strcmp(status, "queued") && strcmp(status, "claimed") && strcmp(status, "decided") &&
	    strcmp(status, "auto"))
		return send_error(conn, rq, HTTP_UNPROCESSABLE, "invalid",
				  "status: one of queued, claimed, decided, auto");
	long limit = 100;
	if (limit_s) {
		char *end;
		errno = 0;
		limit = strtol(limit_s, &end, 10);
		if (end == limit_s || *end || errno || limit < 1 || limit > 1000)
			return send_error(conn, rq, HTTP_UNPROCESSABLE, "invalid",
					  "limit: an integer from 1 to 1000");
	}
	hitl_case *cases = NULL;
	size_t n = 0;
	char err[512];
	int64_t now = now_s();
	pthread_mutex_lock(&h->lock);
	int rc = hitl_store_list(h->svc->store, status, (size_t)limit, &cases, &n, err, sizeof err);
	cJSON *o = NULL;
	if (!rc && (o = cJSON_CreateObject())) {
		cJSON *arr = cJSON_AddArrayToObject(o, "cases");
		for (size_t i = 0; arr && i < n; i++)
			cJSON_AddItemToArray(arr, hitl_service_case_json(h->svc, &cases[i], now, false));
	}
	pthread_mutex_unlock(&h->lock);
	free(cases);
	if (rc)
		return send_error(conn, rq, status_of(rc), code_of(rc), err);
	return send_json(conn, rq, HTTP_OK, o);
}

static enum MHD_Result case_action(hitl_http *h, struct MHD_Connection *conn, request *rq, const char *method,
				   int64_t id, const char *action, const cJSON *body)
{
	char err[512];
	int rc = HITL_OK;
	int64_t now = now_s();
	bool is_get = !strcmp(method, "GET");
	if (!*action) {
		if (!is_get)
			return send_error(conn, rq, HTTP_METHOD_NOT_ALLOWED, "method", "use GET");
	} else {
		if (is_get)
			return send_error(conn, rq, HTTP_METHOD_NOT_ALLOWED, "method", "use POST");
		if (!body)
			return send_error(conn, rq, HTTP_BAD_REQUEST, "bad_json", "expected a JSON object body");
	}
	/* the reviewer is who the token says; the body may repeat it, never
	 * name someone else */
	const char *reviewer = rq->who->name;
	const cJSON *named = body ? cJSON_GetObjectItemCaseSensitive(body, "reviewer") : NULL;
	if (named && !(cJSON_IsString(named) && !strcmp(named->valuestring, reviewer))) {
		snprintf(err, sizeof err, "reviewer: this token acts as '%s' only; leave \"reviewer\" out", reviewer);
		return send_error(conn, rq, HTTP_FORBIDDEN, "impersonation", err);
	}
	bool force = false;
	const cJSON *fv = body ? cJSON_GetObjectItemCaseSensitive(body, "force") : NULL;
	if (fv && !cJSON_IsBool(fv))
		return send_error(conn, rq, HTTP_UNPROCESSABLE, "invalid", "force: expected true or false");
	if (cJSON_IsTrue(fv)) {
		if (strcmp(action, "release"))
			return send_error(conn, rq, HTTP_UNPROCESSABLE, "invalid", "force: only for release");
		if (!(rq->who->roles & HITL_ROLE_SUPERVISE))
			return send_error(conn, rq, HTTP_FORBIDDEN, "forbidden",
					  "releasing a case someone else holds needs the supervise role");
		force = true;
	}
	pthread_mutex_lock(&h->lock);
	if (!*action)
		rc = HITL_OK;
	else if (!strcmp(action, "claim"))
		rc = hitl_service_claim(h->svc, id, reviewer, now, err, sizeof err);
	else if (!strcmp(action, "release"))
		rc = hitl_service_release(h->svc, id, reviewer, force, now, err, sizeof err);
	else if (!strcmp(action, "judgment"))
		rc = hitl_service_judge(h->svc, id, reviewer, str_field(body, "judgment"), now, err, sizeof err);
	else if (!strcmp(action, "decision"))
		rc = hitl_service_decide(h->svc, id, reviewer, str_field(body, "decision"), str_field(body, "reason"),
					 now, err, sizeof err);
	else {
		pthread_mutex_unlock(&h->lock);
		return send_error(conn, rq, HTTP_NOT_FOUND, "not_found", "no such action");
	}
	cJSON *o = NULL;
	hitl_case *cs = malloc(sizeof *cs);
	if (!cs) {
		pthread_mutex_unlock(&h->lock);
		return send_error(conn, rq, HTTP_INTERNAL, "internal", "out of memory");
	}
	if (rc == HITL_OK)
		rc = hitl_store_get(h->svc->store, id, cs, err, sizeof err);
	if (rc == HITL_OK)
		o = hitl_service_case_json(h->svc, cs, now, true);
	pthread_mutex_unlock(&h->lock);
	free(cs);
	if (rc)
		return send_error(conn, rq, status_of(rc), code_of(rc), err);
	return send_json(conn, rq, HTTP_OK, o);
}

static enum MHD_Result get_model(hitl_http *h, struct MHD_Connection *conn, request *rq)
{
	const hitl_config *c = &h->svc->cfg;
	cJSON *o = cJSON_CreateObject();
	if (o) {
		cJSON_AddStringToObject(o, "version", model_version(h->svc->model));
		cJSON_AddStringToObject(o, "digest", model_digest(h->svc->model));
		cJSON_AddNumberToObject(o, "confidence_threshold", c->confidence_threshold);
		cJSON_AddBoolToObject(o, "blind_first", c->blind_first);
		cJSON_AddNumberToObject(o, "audit_rate", c->audit_rate);
		cJSON_AddNumberToObject(o, "review_sla_hours", c->review_sla_hours);
		cJSON *labels = cJSON_AddArrayToObject(o, "labels");
		for (size_t i = 0; labels && i < c->n_labels; i++)
			cJSON_AddItemToArray(labels, cJSON_CreateString(c->labels[i]));
		cJSON *features = cJSON_AddArrayToObject(o, "features");
		for (size_t i = 0; features && i < c->n_features; i++)
			cJSON_AddItemToArray(features, cJSON_CreateString(c->features[i]));
	}
	return send_json(conn, rq, HTTP_OK, o);
}

static enum MHD_Result get_report(hitl_http *h, struct MHD_Connection *conn, request *rq)
{
	hitl_report r;
	char err[512];
	pthread_mutex_lock(&h->lock);
	int rc = hitl_report_compute(&r, h->svc->store, &h->svc->cfg, now_s(), err, sizeof err);
	pthread_mutex_unlock(&h->lock);
	if (rc)
		return send_error(conn, rq, status_of(rc), code_of(rc), err);
	return send_json(conn, rq, HTTP_OK, hitl_report_json(&r));
}

static enum MHD_Result dispatch(hitl_http *h, struct MHD_Connection *conn, request *rq, const char *url,
				const char *method)
{
	bool get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
	bool post = !strcmp(method, "POST");
	if (!get && !post)
		return send_error(conn, rq, HTTP_METHOD_NOT_ALLOWED, "method", "use GET or POST");
	if (rq->too_large) {
		char msg[96];
		snprintf(msg, sizeof msg, "request body larger than %zu bytes", h->svc->cfg.max_body);
		return send_error(conn, rq, HTTP_TOO_LARGE, "too_large", msg);
	}
	cJSON *body = NULL;
	if (post) {
		body = rq->len ? cJSON_ParseWithLength(rq->body, rq->len) : NULL;
		if (!cJSON_IsObject(body)) {
			cJSON_Delete(body);
			return send_error(conn, rq, HTTP_BAD_REQUEST, "bad_json", "expected a JSON object body");
		}
	}
	enum MHD_Result r;
	int64_t id;
	const char *action;
	if (!strcmp(url, "/healthz")) {
		cJSON *o = cJSON_CreateObject();
		if (o)
			cJSON_AddStringToObject(o, "status", "ok");
		r = get ? send_json(conn, rq, HTTP_OK, o)
			: (cJSON_Delete(o), send_error(conn, rq, HTTP_METHOD_NOT_ALLOWED, "method", "use GET"));
	} else if (!strcmp(url, "/v1/model")) {
		r = get ? get_model(h, conn, rq) : send_error(conn, rq, HTTP_METHOD_NOT_ALLOWED, "method", "use GET");
	} else if (!strcmp(url, "/v1/report")) {
		r = get ? get_report(h, conn, rq) : send_error(conn, rq, HTTP_METHOD_NOT_ALLOWED, "method", "use GET");
	} else if (!strcmp(url, "/v1/cases")) {
		r = post ? post_case(h, conn, rq, body) : get_cases(h, conn, rq);
	} else if (!strncmp(url, "/v1/cases/", 10) && parse_case_path(url, &id, &action) == 0) {
		r = case_action(h, conn, rq, get ? "GET" : "POST", id, action, body);
	} else {
		r = send_error(conn, rq, HTTP_NOT_FOUND, "not_found", "no such route");
	}
	cJSON_Delete(body);
	return r;
}

/* The roles a route needs (0: any known token); -1 for the routes anyone
 * may call (liveness, and paths that answer 404 anyway). */
static long route_roles(const char *url, const char *method)
{
	if (!strcmp(url, "/v1/model"))
		return 0;
	if (!strcmp(url, "/v1/report"))
		return HITL_ROLE_REPORT;
	if (!strcmp(url, "/v1/cases"))
		return !strcmp(method, "POST") ? HITL_ROLE_SUBMIT : HITL_ROLE_REVIEW;
	if (!strncmp(url, "/v1/cases/", 10))
		return HITL_ROLE_REVIEW;
	return -1;
}

/* Once the headers are in: who is calling, and may they call this route?
 * A refusal is answered at once, and the body is never buffered. */
static enum MHD_Result authenticate(hitl_http *h, struct MHD_Connection *conn, request *rq, const char *url,
				    const char *method)
{
	long roles = route_roles(url, method);
	if (roles < 0)
		return MHD_YES;
	const char *authz = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
	hitl_auth a = hitl_auth_check(&h->svc->cfg, authz, (unsigned)roles, &rq->who);
	if (a == HITL_AUTH_OK)
		return MHD_YES;
	rq->answered = true;
	if (a == HITL_AUTH_FORBIDDEN) {
		char msg[160];
		snprintf(msg, sizeof msg, "'%s' may not call this route (it needs the %s role)", rq->who->name,
			 hitl_role_name((unsigned)roles));
		return send_error(conn, rq, HTTP_FORBIDDEN, "forbidden", msg);
	}
	rq->who = NULL;
	return send_error(conn, rq, HTTP_UNAUTHORIZED, "unauthorized",
			  a == HITL_AUTH_MISSING ? "send Authorization: Bearer <token>" : "the token is not valid");
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
			      const char *version, const char *upload_data, size_t *upload_data_size,
			      void **con_cls)
{
	(void)version;
	hitl_http *h = cls;
	request *rq = *con_cls; /* made by start_request */
	if (!rq)
		return MHD_NO;
	if (!rq->seen) {
		rq->seen = true;
		snprintf(rq->method, sizeof rq->method, "%s", method);
		return authenticate(h, conn, rq, url, method);
	}
	if (rq->answered) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		if (rq->too_large || rq->len + n > h->svc->cfg.max_body) {
			rq->too_large = 1;
			return MHD_YES;
		}
		if (rq->len + n + 1 > rq->cap) {
			size_t ncap = rq->cap ? rq->cap : 1024;
			while (ncap < rq->len + n + 1)
				ncap *= 2;
			char *g = realloc(rq->body, ncap);
			if (!g)
				return MHD_NO;
			rq->body = g;
			rq->cap = ncap;
		}
		memcpy(rq->body + rq->len, upload_data, n);
		rq->len += n;
		rq->body[rq->len] = 0;
		return MHD_YES;
	}
	return dispatch(h, conn, rq, url, method);
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)conn;
	(void)toe;
	hitl_http *h = cls;
	request *rq = *con_cls;
	if (!rq)
		return;
	if (h->log) {
		struct timespec end;
		clock_gettime(CLOCK_MONOTONIC, &end);
		double ms = (double)(end.tv_sec - rq->start.tv_sec) * 1e3 +
			    (double)(end.tv_nsec - rq->start.tv_nsec) / 1e6;
		char when[32];
		hitl_format_time(when, now_s());
		fprintf(h->log, "%s %s %s %d %.3fms %s\n", when, rq->method[0] ? rq->method : "-", rq->uri,
			rq->status, ms, rq->who ? rq->who->name : "-");
		fflush(h->log);
	}
	free(rq->body);
	free(rq);
	*con_cls = NULL;
}

/* Called by libmicrohttpd as soon as the request line is read, before the
 * handler: the request's context is made here, so the start time includes
 * reading the headers and the access log has the full URI (with query). */
static void *start_request(void *cls, const char *uri, struct MHD_Connection *conn)
{
	(void)cls;
	(void)conn;
	request *rq = calloc(1, sizeof *rq);
	if (!rq)
		return NULL;
	clock_gettime(CLOCK_MONOTONIC, &rq->start);
	snprintf(rq->uri, sizeof rq->uri, "%s", uri);
	for (char *p = rq->uri; *p; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			*p = '?'; /* no control characters into the log */
	return rq;
}

int hitl_http_start(hitl_http **out, hitl_service *svc, const char *addr, int port, FILE *access_log, char *err,
		    size_t errlen)
{
	*out = NULL;
	hitl_http *h = calloc(1, sizeof *h);
	if (!h) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	h->svc = svc;
	h->log = access_log;
	pthread_mutex_init(&h->lock, NULL);
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		snprintf(err, errlen, "listen: '%s' is not an IPv4 address", addr);
		hitl_http_stop(h);
		return -1;
	}
	h->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO, (uint16_t)port, NULL, NULL,
				     handle, h, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
				     MHD_OPTION_NOTIFY_COMPLETED, completed, h, MHD_OPTION_CONNECTION_TIMEOUT,
				     (unsigned int)30, MHD_OPTION_CONNECTION_LIMIT, (unsigned int)256,
				     MHD_OPTION_URI_LOG_CALLBACK, start_request, h, MHD_OPTION_END);
	if (!h->daemon) {
		snprintf(err, errlen, "cannot listen on %s:%d (in use, or not allowed)", addr, port);
		hitl_http_stop(h);
		return -1;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
	h->port = info ? info->port : port;
	*out = h;
	return 0;
}

int hitl_http_port(const hitl_http *h)
{
	return h->port;
}

void hitl_http_stop(hitl_http *h)
{
	if (!h)
		return;
	if (h->daemon)
		MHD_stop_daemon(h->daemon);
	pthread_mutex_destroy(&h->lock);
	free(h);
}
