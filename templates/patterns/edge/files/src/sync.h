/* sync.h - forward the outbox to the central endpoint (libcurl). */
#ifndef SYNC_H
#define SYNC_H

#include <stdint.h>

#include "outbox.h"

typedef struct sync_opts {
	const char *url;
	long base_backoff_ms;   /* first retry delay (before jitter) */
	long max_backoff_ms;    /* no retry delay is longer */
	long timeout_ms;        /* per request */
	int batch;              /* rows per pass */
	uint64_t *rng;          /* jitter state */
} sync_opts;

typedef struct sync_report {
	int sent;       /* acknowledged and removed */
	int failed;     /* tried and rescheduled */
	int unreachable;/* the pass stopped because the endpoint could not be reached */
} sync_report;

/* Retry delay after `attempt` failures (1, 2, ...): a random value in
 * [cap/2, cap] where cap = min(max_ms, base_ms * 2^(attempt-1)) ("equal
 * jitter": spreads a fleet's retries, never exceeds max_ms). */
long sync_backoff_ms(long attempt, long base_ms, long max_ms, uint64_t *rng);
/* One pass: POSTs the rows due at now_ms, oldest first, each with an
 * Idempotency-Key header set to its id. 2xx and 409 acknowledge a row; any
 * other answer reschedules it with backoff; a connection failure
 * reschedules it and ends the pass (the rest wait, in order). */
int sync_run(outbox *o, const sync_opts *opts, int64_t now_ms, sync_report *rep);
int64_t sync_now_ms(void);

#endif
