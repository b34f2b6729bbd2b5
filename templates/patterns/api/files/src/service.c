/* service.c - the HTTP service on libmicrohttpd.
 *
 * Key choices:
 * - One thread per connection (MHD_USE_THREAD_PER_CONNECTION), so a request
 *   may block while it waits for the model stage; that wait is bounded by
 *   the request's deadline, after which the fallback answers.
 * - Routing, authentication and authorisation are decided as soon as the
 *   headers are in, before any body is read: an unauthenticated client
 *   cannot make the service buffer anything.
 * - Every request is counted from its first callback to its completion
 *   callback; that count is what graceful shutdown waits for, and the
 *   completion callback writes the access log line with the latency.
 * - Every response carries a request id (header request_id_header): the
 *   caller's own when it sent a usable one, so that its logs and ours name
 *   the same request, else one made here from a random prefix drawn at
 *   start and a counter (unique, with no random read per request).
 */
#define _POSIX_C_SOURCE 200809L
#include "service.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "accesslog.h"
#include "auth.h"
#include "cache.h"
#include "request.h"

struct service {
	api_config cfg;
	struct MHD_Daemon *d;
	unsigned port;
	predictor *pred;
	pred_cache *cache;
	access_log *log;
	char **names; /* the model's feature names, or NULL */
	size_t n_names;

	pthread_mutex_t mu;
	pthread_cond_t idle_cv; /* signalled when in_flight drops */
	pthread_condattr_t cattr;
	int in_flight;
	bool draining, stopped;
	uint64_t id_prefix; /* random per process start: ids of two runs differ */
	uint64_t id_next;   /* counter of made-up request ids, under mu */
};

typedef struct req {
	int64_t start_ns;
	int route; /* api_route, or -1 */
	int status;
	bool answered;
	bool fallback;
	const char *reason;
	const char *client;
	char user[API_USER_NAME_MAX]; /* X-On-Behalf-Of, once checked against the user rules */
	char request_id[API_REQUEST_ID_MAX + 1]; /* echoed and logged; "" when request ids are off */
	char method[16];
	char path[256];
	char *body;
	size_t len, cap;
	bool too_large;
	size_t discarded; /* bytes read past max_body_bytes */
} req;

void service_opts_init(service_opts *o)
{
	memset(o, 0, sizeof *o);
	o->port = -1;
}

unsigned service_port(const service *s)
{
	return s->port;
}

int service_in_flight(service *s)
{
	pthread_mutex_lock(&s->mu);
	int n = s->in_flight;
	pthread_mutex_unlock(&s->mu);
	return n;
}

int service_queue_depth(service *s)
{
	return s->pred ? predictor_queued(s->pred) : 0;
}

/* ---- responses ------------------------------------------------------------------- */

static enum MHD_Result send_json(service *s, struct MHD_Connection *conn, req *r, int status, cJSON *body,
				 const char *extra_name, const char *extra_value)
{
	char *text = body ? cJSON_PrintUnformatted(body) : NULL;
	cJSON_Delete(body);
	if (!text)
		return MHD_NO;
	size_t len = strlen(text);
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (extra_name)
		MHD_add_response_header(resp, extra_name, extra_value);
	if (r->request_id[0])
		MHD_add_response_header(resp, s->cfg.request_id_header, r->request_id);
	if (r->route >= 0 && s->cfg.sunset[r->route][0]) {
		/* the deprecation policy: callers are told before a route goes away */
		MHD_add_response_header(resp, "Deprecation", "true");
		MHD_add_response_header(resp, "Sunset", s->cfg.sunset[r->route]);
	}
	pthread_mutex_lock(&s->mu);
	bool draining = s->draining;
	pthread_mutex_unlock(&s->mu);
	if (draining)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	r->status = status;
	r->answered = true;
	enum MHD_Result rc = MHD_queue_response(conn, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return rc;
}

static enum MHD_Result send_error(service *s, struct MHD_Connection *conn, req *r, int status, const char *code,
				  const char *message, const char *extra_name, const char *extra_value)
{
	cJSON *body = cJSON_CreateObject();
	cJSON *e = cJSON_AddObjectToObject(body, "error");
	cJSON_AddStringToObject(e, "code", code);
	cJSON_AddStringToObject(e, "message", message);
	return send_json(s, conn, r, status, body, extra_name, extra_value);
}

/* ---- routes -------------------------------------------------------------------------- */

static enum MHD_Result route_healthz(service *s, struct MHD_Connection *conn, req *r)
{
	pthread_mutex_lock(&s->mu);
	bool draining = s->draining;
	pthread_mutex_unlock(&s->mu);
	cJSON *body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "status", draining ? "draining" : "ok");
	return send_json(s, conn, r, draining ? MHD_HTTP_SERVICE_UNAVAILABLE : MHD_HTTP_OK, body, NULL, NULL);
}

static enum MHD_Result route_model(service *s, struct MHD_Connection *conn, req *r)
{
	cJSON *body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "service", API_SERVICE_NAME);
	cJSON_AddStringToObject(body, "api_version", "v1");
	cJSON_AddStringToObject(body, "model_version", predictor_version(s->pred));
	cJSON_AddStringToObject(body, "weights_sha256", predictor_digest(s->pred));
	cJSON_AddNumberToObject(body, "inputs", (double)predictor_inputs(s->pred));
	cJSON_AddNumberToObject(body, "outputs", (double)predictor_outputs(s->pred));
	if (s->n_names) {
		cJSON *names = cJSON_AddArrayToObject(body, "features");
		for (size_t i = 0; i < s->n_names; i++)
			cJSON_AddItemToArray(names, cJSON_CreateString(s->names[i]));
	}
	cJSON_AddNumberToObject(body, "deadline_ms", s->cfg.deadline_ms);
	cJSON_AddNumberToObject(body, "fallback_default", s->cfg.fallback_default);
	return send_json(s, conn, r, MHD_HTTP_OK, body, NULL, NULL);
}

static enum MHD_Result route_predict(service *s, struct MHD_Connection *conn, req *r)
{
	size_t nin = predictor_inputs(s->pred), nout = predictor_outputs(s->pred);
	float *x = malloc((nin + nout) * sizeof(float));
	if (!x)
		return send_error(s, conn, r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", "out of memory", NULL,
				  NULL);
	float *y = x + nin;
	predict_request pr = { .x = x };
	char err[256];
	if (request_parse(&pr, r->body, r->len, nin, s->names, s->n_names, err, sizeof err) != 0) {
		free(x);
		return send_error(s, conn, r, MHD_HTTP_BAD_REQUEST, "bad_request", err, NULL, NULL);
	}
	int64_t deadline = r->start_ns + (int64_t)s->cfg.deadline_ms * 1000000;
	double score = 0;
	pred_status st = predictor_run(s->pred, x, pr.key, deadline, y, &score);

	cJSON *body = cJSON_CreateObject();
	if (pr.key[0])
		cJSON_AddStringToObject(body, "key", pr.key);
	if (st == PRED_OK) {
		cJSON_AddNumberToObject(body, "score", score);
		cJSON *outs = cJSON_AddArrayToObject(body, "outputs");
		for (size_t i = 0; i < nout; i++)
			cJSON_AddItemToArray(outs, cJSON_CreateNumber((double)y[i]));
		cJSON_AddBoolToObject(body, "fallback", 0);
	} else {
		/* the fallback: the last score for this key, else the configured default */
		double cached;
		int64_t age_ns = 0;
		bool from_cache = s->cfg.fallback_cache && pr.key[0] &&
				  pred_cache_get(s->cache, pr.key, predictor_now_ns(), &cached, &age_ns);
		cJSON_AddNumberToObject(body, "score", from_cache ? cached : s->cfg.fallback_default);
		cJSON_AddBoolToObject(body, "fallback", 1);
		cJSON_AddStringToObject(body, "fallback_source", from_cache ? "cache" : "default");
		if (from_cache)
			cJSON_AddNumberToObject(body, "fallback_age_ms", (double)(age_ns / 1000000));
		cJSON_AddStringToObject(body, "reason", pred_status_name(st));
		r->fallback = true;
		r->reason = pred_status_name(st);
	}
	cJSON_AddStringToObject(body, "model_version", predictor_version(s->pred));
	free(x);
	return send_json(s, conn, r, MHD_HTTP_OK, body, NULL, NULL);
}

/* ---- the MHD callbacks ---------------------------------------------------------------- */

/* The request id of a new request: the caller's, when usable, else a new
 * one (a caller's id that is too long or could forge a log line is
 * replaced, not refused: tracing must never fail a request). Called under
 * s->mu. */
static void take_request_id(service *s, struct MHD_Connection *conn, req *r)
{
	if (!s->cfg.request_id_header[0])
		return;
	const char *id = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, s->cfg.request_id_header);
	if (id && api_valid_request_id(id)) {
		snprintf(r->request_id, sizeof r->request_id, "%s", id);
		return;
	}
	snprintf(r->request_id, sizeof r->request_id, "%016" PRIx64 "%016" PRIx64, s->id_prefix, s->id_next++);
}

static bool is_json_type(const char *ct)
{
	if (!ct)
		return true; /* tolerated: many HTTP clients omit it */
	while (*ct == ' ')
		ct++;
	size_t n = strlen("application/json");
	return strncasecmp(ct, "application/json", n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* Checks made once the headers are in: route, method, token, body size. */
static enum MHD_Result on_headers(service *s, struct MHD_Connection *conn, req *r, const char *method)
{
	if (r->route < 0)
		return send_error(s, conn, r, MHD_HTTP_NOT_FOUND, "not_found",
				  "no such route (routes: POST /v1/predict, GET /v1/model, GET /healthz)", NULL, NULL);
	const char *want = api_route_method((api_route)r->route);
	bool head_ok = strcmp(want, "GET") == 0 && strcmp(method, "HEAD") == 0;
	if (strcmp(method, want) != 0 && !head_ok) {
		char msg[96];
		snprintf(msg, sizeof msg, "%s takes %s", api_route_path((api_route)r->route), want);
		return send_error(s, conn, r, MHD_HTTP_METHOD_NOT_ALLOWED, "method_not_allowed", msg,
				  MHD_HTTP_HEADER_ALLOW, strcmp(want, "GET") == 0 ? "GET, HEAD" : want);
	}
	const char *authz = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	const char *obo = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-On-Behalf-Of");
	const char *user = NULL;
	switch (auth_check_user(&s->cfg, authz, obo, (api_route)r->route, &r->client, &user)) {
	case AUTH_OK:
		if (user) /* the end user the calling system acts for, checked: recorded for audit */
			snprintf(r->user, sizeof r->user, "%s", user);
		break;
	case AUTH_NO_DELEGATION:
		return send_error(s, conn, r, MHD_HTTP_FORBIDDEN, "forbidden",
				  "this token may not act for users (X-On-Behalf-Of needs act_for_users)", NULL, NULL);
	case AUTH_BAD_USER:
		return send_error(s, conn, r, MHD_HTTP_BAD_REQUEST, "bad_request",
				  "X-On-Behalf-Of: expected a user name (letters, digits, '-', '_', '.', '@')", NULL,
				  NULL);
	case AUTH_USER_FORBIDDEN:
		return send_error(s, conn, r, MHD_HTTP_FORBIDDEN, "forbidden",
				  "the user this request acts for may not call this route", NULL, NULL);
	case AUTH_MISSING:
		return send_error(s, conn, r, MHD_HTTP_UNAUTHORIZED, "unauthorized",
				  "send Authorization: Bearer <token>", MHD_HTTP_HEADER_WWW_AUTHENTICATE,
				  "Bearer realm=\"" API_SERVICE_NAME "\"");
	case AUTH_INVALID:
		return send_error(s, conn, r, MHD_HTTP_UNAUTHORIZED, "unauthorized", "the token is not valid",
				  MHD_HTTP_HEADER_WWW_AUTHENTICATE,
				  "Bearer realm=\"" API_SERVICE_NAME "\", error=\"invalid_token\"");
	case AUTH_FORBIDDEN:
		return send_error(s, conn, r, MHD_HTTP_FORBIDDEN, "forbidden", "this token may not call this route",
				  NULL, NULL);
	}
	if (r->route == ROUTE_PREDICT) {
		const char *ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
		if (!is_json_type(ct))
			return send_error(s, conn, r, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
					  "send Content-Type: application/json", NULL, NULL);
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > s->cfg.max_body_bytes)
			return send_error(s, conn, r, MHD_HTTP_CONTENT_TOO_LARGE, "too_large",
					  "the body is larger than max_body_bytes", NULL, NULL);
	}
	return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	(void)version;
	service *s = cls;
	req *r = *con_cls;
	if (!r) {
		r = calloc(1, sizeof *r);
		if (!r)
			return MHD_NO;
		r->start_ns = predictor_now_ns();
		r->route = api_route_find(url);
		snprintf(r->method, sizeof r->method, "%s", method);
		snprintf(r->path, sizeof r->path, "%s", url);
		*con_cls = r;
		pthread_mutex_lock(&s->mu);
		s->in_flight++;
		take_request_id(s, conn, r);
		pthread_mutex_unlock(&s->mu);
		return on_headers(s, conn, r, method);
	}
	if (r->answered) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (*upload_size) {
		size_t n = *upload_size;
		*upload_size = 0;
		if (r->too_large || r->len + n > s->cfg.max_body_bytes) {
			/* read on to answer 413 at the end, but not forever: a client
			 * streaming an endless chunked body is cut off */
			r->too_large = true;
			r->discarded += n;
			return r->discarded > ((size_t)1 << 20) ? MHD_NO : MHD_YES;
		}
		if (r->len + n + 1 > r->cap) {
			size_t cap = r->cap ? r->cap : 1024;
			while (cap < r->len + n + 1)
				cap *= 2;
			char *b = realloc(r->body, cap);
			if (!b)
				return MHD_NO;
			r->body = b;
			r->cap = cap;
		}
		memcpy(r->body + r->len, upload, n);
		r->len += n;
		r->body[r->len] = '\0';
		return MHD_YES;
	}
	if (r->too_large)
		return send_error(s, conn, r, MHD_HTTP_CONTENT_TOO_LARGE, "too_large",
				  "the body is larger than max_body_bytes", NULL, NULL);
	switch (r->route) {
	case ROUTE_PREDICT:
		return route_predict(s, conn, r);
	case ROUTE_MODEL:
		return route_model(s, conn, r);
	default:
		return route_healthz(s, conn, r);
	}
}

static const char *termination_name(enum MHD_RequestTerminationCode toe)
{
	switch (toe) {
	case MHD_REQUEST_TERMINATED_COMPLETED_OK: return NULL;
	case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED: return "client_timeout";
	case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN: return "shutdown";
	case MHD_REQUEST_TERMINATED_CLIENT_ABORT: return "client_abort";
	default: return "connection_error";
	}
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)conn;
	service *s = cls;
	req *r = *con_cls;
	if (!r)
		return;
	*con_cls = NULL;
	int64_t latency_ns = predictor_now_ns() - r->start_ns;
	access_entry e = {
		.method = r->method,
		.path = r->path,
		.status = r->status,
		.latency_us = latency_ns / 1000,
		.fallback = r->fallback,
		.reason = r->reason ? r->reason : termination_name(toe),
		.client = r->client,
		.user = r->user,
		.request_id = r->request_id,
	};
	access_log_write(s->log, &e);
	free(r->body);
	free(r);
	pthread_mutex_lock(&s->mu);
	s->in_flight--;
	pthread_cond_broadcast(&s->idle_cv);
	pthread_mutex_unlock(&s->mu);
}

/* A prediction computed (on time or late): remember it for the fallback. */
static void on_result(void *ctx, const char *key, double score)
{
	service *s = ctx;
	pred_cache_put(s->cache, key, score, predictor_now_ns());
}

/* ---- life cycle ----------------------------------------------------------------------- */

/* 64 random bits from the kernel; the clock and the process id if
 * /dev/urandom cannot be read (ids then stay unique within the process). */
static uint64_t random_prefix(void)
{
	uint64_t v = 0;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, &v, sizeof v);
		close(fd);
		if (n == (ssize_t)sizeof v)
			return v;
	}
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return ((uint64_t)t.tv_sec << 32) ^ (uint64_t)t.tv_nsec ^ ((uint64_t)getpid() << 16);
}

int service_start(service **out, const api_config *cfg, const service_opts *o, char *err, size_t errlen)
{
	*out = NULL;
	service_opts defaults;
	if (!o) {
		service_opts_init(&defaults);
		o = &defaults;
	}
	service *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return SERVICE_EENV;
	}
	s->cfg = *cfg;
	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_init(&s->cattr);
	pthread_condattr_setclock(&s->cattr, CLOCK_MONOTONIC);
	pthread_cond_init(&s->idle_cv, &s->cattr);
	s->stopped = true; /* until the daemon runs: service_free then skips the drain */
	s->id_prefix = random_prefix();
	int rc = SERVICE_EINVALID;

	if (pred_cache_new(&s->cache, cfg->cache_entries, (int64_t)cfg->cache_ttl_ms * 1000000) != 0) {
		snprintf(err, errlen, "out of memory");
		rc = SERVICE_EENV;
		goto fail;
	}
	predictor_opts po = {
		.model_path = cfg->model_path,
		.workers = cfg->workers,
		.queue = cfg->queue,
		.hook = o->stage_hook,
		.hook_ctx = o->stage_hook_ctx,
		.on_result = on_result,
		.result_ctx = s,
	};
	if (predictor_new(&s->pred, &po, err, errlen) != 0)
		goto fail;
	size_t nin = predictor_inputs(s->pred);
	if (cfg->features && cfg->features != nin) {
		/* versioning: a model with another input shape would break every caller of v1 */
		snprintf(err, errlen,
			 "%s: the model takes %zu features but the v1 contract takes %zu (config `features`); a "
			 "model that changes the inputs needs a new API version",
			 cfg->model_path, nin, cfg->features);
		goto fail;
	}
	size_t nn = request_names_split(&s->names, predictor_meta(s->pred, "weft.features"));
	if (nn == (size_t)-1) {
		snprintf(err, errlen, "out of memory");
		rc = SERVICE_EENV;
		goto fail;
	}
	if (nn && nn != nin) {
		snprintf(err, errlen, "%s: weft.features names %zu features but the model takes %zu",
			 cfg->model_path, nn, nin);
		goto fail;
	}
	s->n_names = nn;

	if (o->log) {
		if (access_log_wrap(&s->log, o->log) != 0) {
			snprintf(err, errlen, "out of memory");
			rc = SERVICE_EENV;
			goto fail;
		}
	} else if (access_log_open(&s->log, cfg->access_log, err, errlen) != 0) {
		rc = SERVICE_EENV;
		goto fail;
	}

	int port = o->port >= 0 ? o->port : cfg->port;
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof ss);
	unsigned flags = MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
			 MHD_USE_ITC | MHD_USE_ERROR_LOG;
	struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, cfg->listen, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
	} else if (inet_pton(AF_INET6, cfg->listen, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		flags |= MHD_USE_IPv6;
	} else {
		snprintf(err, errlen, "listen: '%s' is not an IP address", cfg->listen);
		goto fail;
	}
	s->d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
				(struct sockaddr *)&ss, MHD_OPTION_CONNECTION_TIMEOUT,
				(unsigned int)cfg->connection_timeout_s, MHD_OPTION_CONNECTION_LIMIT,
				(unsigned int)cfg->max_connections, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
				MHD_OPTION_END);
	if (!s->d) {
		snprintf(err, errlen, "cannot listen on %s port %d (in use, or not allowed?)", cfg->listen, port);
		rc = SERVICE_EENV;
		goto fail;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : (unsigned)port;
	s->stopped = false;
	*out = s;
	return 0;
fail:
	service_free(s);
	return rc;
}

int service_shutdown(service *s)
{
	pthread_mutex_lock(&s->mu);
	if (s->stopped || s->draining) {
		pthread_mutex_unlock(&s->mu);
		return 0;
	}
	s->draining = true;
	pthread_mutex_unlock(&s->mu);

	MHD_socket ls = MHD_quiesce_daemon(s->d); /* no new connections from here on */

	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += s->cfg.drain_timeout_ms / 1000;
	until.tv_nsec += (long)(s->cfg.drain_timeout_ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&s->mu);
	while (s->in_flight > 0)
		if (pthread_cond_timedwait(&s->idle_cv, &s->mu, &until) == ETIMEDOUT)
			break;
	int left = s->in_flight;
	pthread_mutex_unlock(&s->mu);

	MHD_stop_daemon(s->d); /* closes idle keep-alive connections, joins their threads */
	s->d = NULL;
	if (ls != MHD_INVALID_SOCKET)
		close(ls);
	pthread_mutex_lock(&s->mu);
	s->stopped = true;
	pthread_mutex_unlock(&s->mu);
	return left;
}

void service_free(service *s)
{
	if (!s)
		return;
	if (s->d)
		service_shutdown(s);
	predictor_free(s->pred);
	pred_cache_free(s->cache);
	access_log_close(s->log);
	free(s->names);
	pthread_cond_destroy(&s->idle_cv);
	pthread_condattr_destroy(&s->cattr);
	pthread_mutex_destroy(&s->mu);
	free(s);
}
