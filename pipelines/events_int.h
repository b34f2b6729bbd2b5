/* events_int.h - what the load generator's two engines share: the thread
 * per query in flight (load.c) and the event loops that drive many http
 * queries per thread (load_events.c). */
#ifndef WEFT_PIPELINES_EVENTS_INT_H
#define WEFT_PIPELINES_EVENTS_INT_H

#include "load_int.h"

/* One query as the harness saw it (monotonic ns). */
typedef struct {
	uint64_t idx;
	uint64_t sched;         /* when it was due (server); the send time otherwise */
	uint64_t ready;         /* server: when the harness had it in hand, free to send it */
	uint64_t start, end;    /* sent; last stage done */
	bool server;
	bool failed;
	size_t failed_stage;
	const char *error;      /* the failed stage's error text */
	uint64_t *phases;       /* stages x WEFT_PL_MAX_PHASES phase latencies, or NULL */
	/* multi-stream, the whole query (load.c builds it; an engine's queries
	 * are its samples): n_samples rows of per-series latencies, one per
	 * sample; 0 for every other query */
	size_t n_samples;
	uint64_t *sample_ns;
} weft_pl_query;

/* Hand out the next query: its index and scheduled start. false: stop. */
bool weft_pl_take(weft_pl_run *r, uint64_t *idx, uint64_t *sched, bool *is_server);

/* Multi-stream: true while every sample of the query in flight is handed
 * out and it is not yet recorded, when weft_pl_take would wait for it (an
 * event loop must not: it asks first). */
bool weft_pl_take_waits(weft_pl_run *r);

/* When q's latency counts from: its scheduled time (server, offline: the
 * job's start, multi-stream: the query's issue) or its send. */
uint64_t weft_pl_origin(const weft_pl_run *r, const weft_pl_query *q);

/* The reproducible seed of one stage of one query. */
uint64_t weft_pl_stage_seed(const weft_pl_run *r, uint64_t idx, size_t stage);

/* Record a finished query into w: ns[0..stages) holds each stage's latency
 * (up to the failed one), ns[stages] gets the end-to-end latency. Returns
 * true when it was a warm-up query (not measured). */
bool weft_pl_record(weft_pl_worker *w, const weft_pl_query *q, uint64_t *ns);

/* Record one stage's phases (http: dns, connect, ...), also into
 * q->phases when it has them. */
void weft_pl_record_phases(weft_pl_worker *w, weft_pl_query *q, size_t stage, const weft_pl_outcome *o);

/* Event-driven engine. Every stage of the pipeline must have begin/end ops.
 * init gives worker w (one event loop) its share of r->slots queries in
 * flight, each with its own stage workers; main is its thread. */
bool weft_pl_events_usable(const weft_pl_run *r);
int weft_pl_events_init(weft_pl_worker *w, size_t slots, weft_diags *d);
void weft_pl_events_free(weft_pl_worker *w);
void *weft_pl_events_main(void *arg);
/* Which clients carry worker w's http requests: the own one, libcurl. */
void weft_pl_events_clients(const weft_pl_worker *w, bool *own, bool *curl);

#endif
