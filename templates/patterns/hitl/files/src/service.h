/* service.h - the routing service: model + store + configuration.
 *
 * Everything the CLI and the HTTP server do goes through here, so both
 * interfaces apply the same rules: input validation, the routing rule,
 * claim semantics and blind first. Not thread-safe (the model has one
 * scratch buffer and the store one connection): the HTTP server takes a
 * lock around each call.
 */
#ifndef HITL_SERVICE_H
#define HITL_SERVICE_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "model.h"
#include "router.h"
#include "store.h"

typedef struct hitl_service {
	hitl_config cfg; /* features filled in from the model when not configured */
	model *model;
	hitl_store *store;
	unsigned long long seq; /* for generated external ids */
} hitl_service;

/* Load the model, check it against the configuration (feature count,
 * labels, baseline) and open the store. Returns 0, or -1 with a message. */
int hitl_service_open(hitl_service **out, const hitl_config *cfg, char *err, size_t errlen);
void hitl_service_close(hitl_service *s);

/* Predict, explain, route and store one case. external_id NULL or "" gets
 * a generated one. x has cfg.n_features values. A known external_id returns
 * the stored case with *existed true (safe retries). Returns a hitl_status. */
int hitl_service_submit(hitl_service *s, const char *external_id, const double *x, int64_t now, hitl_case *out,
			bool *existed, char *err, size_t errlen);

/* Out of distribution: the index of the first feature of x outside its
 * configured range (feature_min..feature_max), or -1. Such a case is routed
 * "unusual" (always reviewed) however confident the model is, because a
 * model's confidence means little outside the data it was trained on. */
int hitl_service_unusual(const hitl_service *s, const double *x);

/* Review actions; the reviewer name, label and reason are validated here
 * (HITL_EINVALID), then the store applies the state rules. */
int hitl_service_claim(hitl_service *s, int64_t id, const char *reviewer, int64_t now, char *err, size_t errlen);
int hitl_service_release(hitl_service *s, int64_t id, const char *reviewer, bool force, int64_t now, char *err,
			 size_t errlen);
int hitl_service_judge(hitl_service *s, int64_t id, const char *reviewer, const char *label, int64_t now,
		       char *err, size_t errlen);
int hitl_service_decide(hitl_service *s, int64_t id, const char *reviewer, const char *label,
			const char *reason, int64_t now, char *err, size_t errlen);

/* Blind first: whether the model's output may be shown for this case. It is
 * hidden while blind_first is on and the case awaits a human (queued or
 * claimed) without a first judgment. */
bool hitl_service_model_visible(const hitl_service *s, const hitl_case *c);

/* The case as JSON for a reviewer; the "model" member is null (and
 * "model_hidden" true) when the model's output is not visible. detail adds
 * the named features. */
cJSON *hitl_service_case_json(const hitl_service *s, const hitl_case *c, int64_t now, bool detail);

/* Validation helpers, shared with the CLI's argument checks. */
bool hitl_valid_reviewer(const char *s);
bool hitl_valid_external_id(const char *s);

/* "2024-05-01T12:00:00Z" into buf[21]. */
void hitl_format_time(char buf[32], int64_t t);

#endif
