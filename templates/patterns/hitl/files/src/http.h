/* http.h - the routing service and the reviewer interface over HTTP.
 *
 *   GET  /healthz                       liveness                          (no token)
 *   GET  /v1/model                      model version, digest, threshold  (any token)
 *   POST /v1/cases                      route a case {"external_id"?, "features"}   (submit)
 *   GET  /v1/cases?status=queued&limit= the review queue, most urgent first        (review)
 *   GET  /v1/cases/{id}                 one case (model output withheld under blind first)
 *   POST /v1/cases/{id}/claim           {}                                409 if held by another
 *   POST /v1/cases/{id}/release         {"force"?}                        force: supervise role
 *   POST /v1/cases/{id}/judgment        {"judgment"}                      the blind first judgment
 *   POST /v1/cases/{id}/decision        {"decision", "reason"}
 *   GET  /v1/report                     automation, override, agreement   (report)
 * Every route but /healthz needs `Authorization: Bearer <token>` (auth.h):
 * 401 without a known token, 403 "forbidden" without the role. The
 * reviewer is the token's name; a body "reviewer" naming anyone else is
 * refused with 403 "impersonation".
 * Errors are {"error": "..."} with 400 (bad JSON), 401, 403, 404, 405, 409
 * (conflict; "code": "judgment_required" for blind first), 413 (body too
 * large), 422 (invalid field) or 500.
 */
#ifndef HITL_HTTP_H
#define HITL_HTTP_H

#include <stdio.h>

#include "service.h"

typedef struct hitl_http hitl_http;

/* Start serving svc on addr:port (port 0: an ephemeral port) in a
 * background thread. access_log (may be NULL) gets one line per request
 * with its status and latency. The service must outlive the server.
 * Returns 0, or -1 with a message. */
int hitl_http_start(hitl_http **out, hitl_service *svc, const char *addr, int port, FILE *access_log, char *err,
		    size_t errlen);
/* The port actually bound. */
int hitl_http_port(const hitl_http *h);
/* Stop serving (waits for requests in flight) and free; accepts NULL. */
void hitl_http_stop(hitl_http *h);

#endif
