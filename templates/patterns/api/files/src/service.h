/* service.h - the HTTP service: routes, authentication, the deadline and
 * fallback of the model stage, the access log and graceful shutdown.
 *
 * Routes (the v1 contract, openapi.yaml):
 *   POST /v1/predict  features in, score out; "fallback": true when the score
 *                     is not the model's answer for this request
 *   GET  /v1/model    model version and SHA-256 of the weights
 *   GET  /healthz     "ok", or 503 "draining" during shutdown
 */
#ifndef SERVICE_H
#define SERVICE_H

#include <stdio.h>

#include "config.h"
#include "predictor.h"

#define SERVICE_EINVALID (-3) /* bad model or settings */
#define SERVICE_EENV (-4)     /* environment: port taken, log not writable, ... */

#ifndef API_SERVICE_NAME
#define API_SERVICE_NAME "api-service"
#endif

typedef struct service service;

typedef struct service_opts {
	int port;   /* -1: the config's port; 0: any free port */
	FILE *log;  /* write the access log here instead of the config's access_log */
	/* Test hook for the model stage (see predictor.h): tests make the model
	 * stall or fail with it to exercise the deadline and the fallback. Not
	 * reachable from the config file, the environment or the command line. */
	predictor_hook stage_hook;
	void *stage_hook_ctx;
} service_opts;

/* Defaults: port -1, no log override, no hook. */
void service_opts_init(service_opts *o);

/* Load the model, bind and start serving. Returns 0, or SERVICE_EINVALID /
 * SERVICE_EENV with a message in err. cfg is copied. */
int service_start(service **out, const api_config *cfg, const service_opts *o, char *err, size_t errlen);

/* The port the service listens on (the real one when 0 was asked). */
unsigned service_port(const service *s);

/* Requests being handled now, and requests waiting for a model worker
 * (for monitoring and tests). */
int service_in_flight(service *s);
int service_queue_depth(service *s);

/* Graceful shutdown: /healthz turns to 503, new connections are refused,
 * requests in flight may finish for up to drain_timeout_ms, then the
 * service stops. Returns how many requests were still in flight when the
 * drain time ran out (0 on a clean drain). Safe to call twice. */
int service_shutdown(service *s);

/* Shut down if needed and free; accepts NULL. */
void service_free(service *s);

#endif
