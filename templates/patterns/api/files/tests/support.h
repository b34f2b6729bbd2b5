/* support.h - what the tests share: an in-process service on an ephemeral
 * port, a libcurl client, stage hooks that make the model stall or fail,
 * and the tokens of the test configuration.
 */
#ifndef TEST_SUPPORT_H
#define TEST_SUPPORT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "config.h"
#include "service.h"

/* The test tokens and their SHA-256 digests, computed outside this code
 * (printf %s TOKEN | sha256sum) so the tests do not trust our own hashing. */
#define TOKEN_CRM "crm-test-token-7f3a"
#define TOKEN_CRM_SHA256 "c564c5f396e5f1657dea456ddf288d3d9c670ceb9c844f69bec610bbe21518c0"
#define TOKEN_OPS "ops-test-token-91c2"
#define TOKEN_OPS_SHA256 "9279fe32c82edf285ba49e48282338d77b62d370dcf2bad42615d3d104ad17b9"
/* a gateway that acts for end users (act_for_users) */
#define TOKEN_GW "gw-test-token-5d0e"
#define TOKEN_GW_SHA256 "eb1a84f0bab244291244bfa799f407faa7abe186f9a8ee328068c8b421001255"

/* The base configuration: the shipped model, port 0, crm may call predict
 * and model, ops only model, healthz public; gw may call predict and model
 * for users: agent-1 both, viewer-2 only model, nobody else anything. */
extern const char *const TEST_CONFIG;

/* A hook that tests steer while the service runs. */
typedef struct stage_ctl {
	atomic_int mode;     /* STAGE_NORMAL, STAGE_STALL, STAGE_FAIL */
	atomic_int stall_ms;
	atomic_int calls;    /* how many jobs reached the hook */
} stage_ctl;

enum { STAGE_NORMAL, STAGE_STALL, STAGE_FAIL };

int stage_hook(void *ctx);

typedef struct test_server {
	api_config cfg;
	service *svc;
	unsigned port;
	FILE *log;       /* the access log (a temporary file) */
	stage_ctl stage;
} test_server;

/* Parse TEST_CONFIG, then `extra` (lines that override it; may be NULL),
 * start the service on an ephemeral port with the stage hook; aborts the
 * test on failure. */
void server_start(test_server *ts, const char *extra);
/* Wait (up to 10 s) until n jobs have reached the stage hook, or until n
 * jobs wait in the queue; aborts the test on timeout. Tests use these
 * instead of fixed sleeps, so a loaded machine cannot reorder them. */
void wait_for_stage_calls(test_server *ts, int n);
void wait_for_queue_depth(test_server *ts, int n);

/* Stop (gracefully) and free; returns the access log text (malloc'ed). */
char *server_stop(test_server *ts);

typedef struct http_res {
	long status;
	char *body;        /* NUL-terminated, malloc'ed */
	size_t len;
	char *headers;     /* raw response headers */
	double seconds;    /* total time of the exchange */
	int curl_error;    /* CURLcode; 0 when a response arrived */
} http_res;

/* One request to 127.0.0.1:port. token NULL: no Authorization header;
 * body NULL: none. content_type NULL: application/json with a body. */
http_res http_call(unsigned port, const char *method, const char *path, const char *token, const char *body);
/* Same with a raw Authorization header value (or NULL) and content type. */
http_res http_call_raw(unsigned port, const char *method, const char *path, const char *authorization,
		       const char *content_type, const char *body);
/* Same as http_call with one more request header line ("Name: value"). */
http_res http_call_with(unsigned port, const char *method, const char *path, const char *token,
			const char *header, const char *body);
void http_res_free(http_res *r);

/* A client that keeps its connection open between calls (keep-alive), to
 * talk to a service that no longer accepts new connections (draining). */
typedef struct http_client http_client;
http_client *http_client_new(unsigned port);
http_res http_client_call(http_client *h, const char *method, const char *path, const char *token,
			  const char *body);
void http_client_free(http_client *h);
/* The value of a response header (case-insensitive name) copied into buf,
 * or NULL. */
const char *http_header(const http_res *r, const char *name, char *buf, size_t size);

/* A whole file (malloc'ed, NUL-terminated), or NULL. */
char *read_file(const char *path, size_t *len);

/* A prediction request body for the features of a row. */
char *predict_body(const char *key, const double *x, size_t n);

/* The shipped model's sample rows (models/sample.csv): features, label and
 * the generator's own float32 forward pass ("expected"). */
typedef struct sample_row {
	double x[64];
	double expected;
} sample_row;
size_t load_samples(sample_row *rows, size_t max, size_t *n_features);

#endif
