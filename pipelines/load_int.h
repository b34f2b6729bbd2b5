/* load_int.h - the load generator's state, shared by load.c (running) and
 * result.c (turning what the workers recorded into statistics). */
#ifndef WEFT_PIPELINES_LOAD_INT_H
#define WEFT_PIPELINES_LOAD_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "pipelines_int.h"

typedef struct {
	size_t stage;
	char text[80];
	uint64_t count;
} weft_pl_err;

typedef struct weft_pl_run weft_pl_run;

#define WEFT_PL_CACHE_LINE 64

typedef struct {
	_Alignas(WEFT_PL_CACHE_LINE) weft_pl_run *run;
	pthread_t thread;
	atomic_uint_fast64_t done;                    /* queries recorded (warm-up too), for progress */
	void **stage_state;                           /* per stage */
	weft_pipelines_hist **hist;                   /* per series (stages, then end-to-end) */
	weft_pipelines_hist *(*phase)[WEFT_PL_MAX_PHASES]; /* per stage */
	weft_pipelines_hist *overhead;
	uint64_t *scratch;                            /* one query's latencies */
	uint64_t *scratch_phases;                     /* and its phases (stages x WEFT_PL_MAX_PHASES) */
	/* exact samples, in chunks of WEFT_PL_ROW_CHUNK rows claimed from the
	 * run's max_rows (one atomic add a chunk; no array ever copied): each
	 * chunk is the rows' indexes, then their ns per series */
	uint64_t **row_chunks;
	size_t n_chunks, cap_chunks;
	size_t n_rows;
	size_t rows_left;                             /* of the last chunk's share of max_rows */
	double *warm_sum;
	uint64_t warm_n;
	weft_pl_err *errs;
	size_t n_errs, cap_errs;
	uint64_t measured, errors;
	uint64_t late_count;
	double late_sum_ms, late_max_ms;
	uint64_t late_busy, late_wakeup;              /* late sends by cause (weft_pl_late_cause) */
	double wake_sum_ms, wake_max_ms;              /* the harness's own wake-up delay, every send */
	uint64_t wake_n;
	uint64_t first_start, last_end;
	double svc_sum, svc_sq;                       /* successful queries' own time (ns): sum, squares */
	uint64_t svc_n;
	void *loop;                                   /* the event-driven engine's state, or NULL */
	struct weft_pl_ts_cur *ts;                    /* its current second (timeseries.c) */
} weft_pl_worker;

#define WEFT_PL_ROW_CHUNK 4096u

/* Kept row j of w: its query index into *idx, its ns per series returned. */
static inline const uint64_t *weft_pl_row(const weft_pl_worker *w, size_t j, size_t ns_count, uint64_t *idx)
{
	const uint64_t *c = w->row_chunks[j / WEFT_PL_ROW_CHUNK];
	size_t k = j % WEFT_PL_ROW_CHUNK;
	*idx = c[k];
	return c + WEFT_PL_ROW_CHUNK + k * ns_count;
}

/* Offsets between clocks, to notice a stepped wall clock or a suspend. */
typedef struct {
	int64_t real_minus_mono0, real_minus_mono1;
	int64_t boot_minus_mono0, boot_minus_mono1;
	bool have_boot;
} weft_pl_clocks;

struct weft_pl_run {
	/* read by every worker for every query, written only between rounds:
	 * kept apart from what the workers write (cache lines) */
	const weft_pipelines_spec *spec;
	weft_pipelines_load load;   /* with defaults filled in */
	size_t n_stages, ns_count;
	const weft_pl_stage_ops **ops;
	void **shared;
	weft_pl_worker *workers;
	size_t n_workers;
	uint64_t t0_ns, soft_stop_ns, hard_stop_ns;
	uint64_t warmup;
	uint64_t seed;              /* of arrivals and stages: load.seed, or a shard's own from it */
	uint64_t max_rows;
	struct weft_pl_ms *ms;      /* multi-stream: the query in flight's samples as they finish, or NULL */
	struct weft_pl_samples *samples; /* --samples: every measured query, streamed (samples.c) */
	struct weft_pl_ts *ts;      /* the per-second time series (timeseries.c) */
	bool events;                /* every stage is http: event loops (load_events.c) run the queries */
	size_t slots;               /* events: queries in flight at most, over all loops */
	const char *http_client;    /* see weft_pipelines_result */
	weft_pl_clocks clocks;
	/* the dispenser (on cache lines of its own: every take writes it) */
	_Alignas(WEFT_PL_CACHE_LINE) pthread_mutex_t mu;
	uint64_t next, limit, min_handed;
	uint64_t sched0_ns;
	double arrival_ns;
	uint64_t arrival_rng;
	uint64_t dropped;           /* server, offline: scheduled but never sent */
	/* multi-stream (load.c): the query in flight, whose samples_per_query
	 * samples are handed out one by one; the next query starts once it
	 * is recorded */
	pthread_cond_t ms_cv;       /* signalled when it is recorded */
	uint64_t ms_query, ms_sched, ms_handed, ms_finished;
	bool ms_recorded;
	/* bookkeeping, written now and then by any worker */
	_Alignas(WEFT_PL_CACHE_LINE) atomic_size_t active;
	atomic_uint_fast64_t rows_used;
	atomic_bool rows_full;
};

void weft_pl_clocks_begin(weft_pl_clocks *c);
void weft_pl_clocks_end(weft_pl_clocks *c);

/* Why a send was late. sched: when it was due; ready: when a worker had
 * it in hand (free to send it); start: when it was sent; late_ns: the
 * lateness that counts. The lateness splits into waiting for a free worker,
 * (ready - sched) when positive, and the harness's own delay after that
 * (start - max(ready, sched): waking from its sleep, scheduling); a late
 * send is put down to the larger. *wake_ns gets the second part. */
typedef enum { WEFT_PL_ON_TIME, WEFT_PL_LATE_BUSY, WEFT_PL_LATE_WAKEUP } weft_pl_late;
weft_pl_late weft_pl_late_cause(uint64_t sched, uint64_t ready, uint64_t start, uint64_t late_ns,
				uint64_t *wake_ns);

/* (Re)build res's statistics from everything the workers recorded. */
int weft_pl_build_result(weft_pipelines_result *res, weft_pl_run *r);
/* The most queries an inconclusive verdict asks for (0: none inconclusive). */
uint64_t weft_pl_result_need_more(const weft_pipelines_result *res);
/* Noise notes at the end of the run. */
void weft_pl_finish_notes(weft_pipelines_result *res, weft_pl_run *r);

/* ---- the per-second time series (timeseries.c) ---- */
/* Each worker counts the second it is in (its queries, errors and a
 * compact histogram, no locks) and adds it to the run's, under the run's
 * lock, when a query of another second comes (about once a second). */
typedef struct weft_pl_ts weft_pl_ts;
typedef struct weft_pl_ts_cur weft_pl_ts_cur;
int weft_pl_ts_new(weft_pl_ts **out);
void weft_pl_ts_free(weft_pl_ts *ts);
int weft_pl_ts_cur_new(weft_pl_ts_cur **out, weft_pl_ts *ts);
void weft_pl_ts_cur_free(weft_pl_ts_cur *c);
/* A measured query that completed at_ns after the run's start, with its
 * end-to-end latency ns (ignored when failed). */
void weft_pl_ts_record(weft_pl_ts_cur *c, uint64_t at_ns, uint64_t ns, bool failed);
/* res->seconds from what r's workers recorded (they must be stopped). */
int weft_pl_ts_result(weft_pipelines_result *res, weft_pl_run *r);

/* ---- merging (merge.c) ---- */
/* What merge.c reuses to build a result from reports instead of a run:
 * result.c's statistics (a merged run is judged by the rules a single run
 * is) and baseline.c's reading of reports. */

/* Series s's mean, sd, cv, min and max from its histogram. */
void weft_pl_series_moments(weft_pipelines_series *s);
/* Series s's percentiles and its checks against its nb budgets, from its
 * count, moments and histogram (or exact samples) at confidence conf; each
 * order statistic's standard error from the n send-ordered samples in
 * order (NULL, 0: none kept, NAN). */
void weft_pl_series_judge(weft_pipelines_series *s, const weft_pipelines_budget *b, size_t nb,
			  const uint64_t *order, size_t n, double conf);
/* Series s's error kind with this text, added with a zero count if new;
 * NULL when out of memory. */
weft_pipelines_error_kind *weft_pl_series_error_kind(weft_pipelines_series *s, const char *text);
/* Judge res's error rate (res->errors of res->measured) against the error
 * budget (no error allowed without one) at confidence conf. */
void weft_pl_error_judge(weft_pipelines_result *res, bool has_budget, double budget, double conf);
/* Offline: project the job of res->load.rows rows from res's throughput and
 * judge it against res->load.window_ms (has_window false when either is
 * missing). Needs the end-to-end series last. */
void weft_pl_offline_window(weft_pipelines_result *res);
/* The harness's share of the mean end-to-end latency (the last series). */
void weft_pl_harness_share(weft_pipelines_result *res);
/* Tally every verdict into n_met, n_broken, n_inconclusive. */
void weft_pl_tally_verdicts(weft_pipelines_result *res);

/* Reading reports back (baseline.c). A report is untrusted input. */

/* More queries than any run could measure: a count, or a total, above this
 * is refused so that no sum can overflow. */
#define WEFT_PL_MAX_TOTAL 1e15

struct cJSON;
/* Parse json (name for diagnostics); NULL, with path:line:col recorded,
 * when it is not JSON. */
struct cJSON *weft_pl_json_parse(const char *name, const char *json, weft_diags *d);
/* Positions in a text that parsed (cJSON keeps none): the root value (past
 * a byte-order mark), the value of member key of the object at p, element
 * i of the array at p, the element after the one at p in its array; NULL
 * when absent. */
const char *weft_pl_json_root(const char *text);
const char *weft_pl_json_member(const char *p, const char *key);
const char *weft_pl_json_element(const char *p, size_t i);
const char *weft_pl_json_next(const char *p);
/* Line and column (1-based, bytes) of p in text. */
void weft_pl_line_col(const char *text, const char *p, int *line, int *col);
/* Record "name:line:col: not a weft bench report: ..." with the position
 * of at in text (no position when at is NULL). Returns WEFT_EINVALID. */
int weft_pl_not_report(weft_diags *d, const char *name, const char *text, const char *at, const char *fmt,
		       ...) WEFT_PRINTF(5, 6);
/* Read the histogram buckets of owner (a series or a phase: the object
 * holding "histogram": {"buckets": [[value_ns, count], ...]}) as weighted
 * samples, values multiplied by scale (1e-6: ms), with their total. what
 * names owner in messages ("series 's'"); at is owner's position in text,
 * for them. A bucket that is not two numbers >= 0, or counts past
 * WEFT_PL_MAX_TOTAL -> WEFT_EINVALID at the bucket. */
int weft_pl_read_buckets(weft_pipelines_wsample **out, size_t *n, uint64_t *total, const struct cJSON *owner,
			 double scale, const char *what, weft_diags *d, const char *name, const char *text,
			 const char *at);

#endif
