/* pipelines_int.h - what the files of the pipelines part share privately:
 * the stage interface the load generator drives, and small helpers. */
#ifndef WEFT_PIPELINES_INT_H
#define WEFT_PIPELINES_INT_H

#include "weft_pipelines.h"

/* z such that Phi(z) = q. */
double weft_pl_normal_quantile(double q);

/* Threshold i of r as the shortest decimal that routes the same cases
 * (at or below it, above the next lower confidence). Returns buf. */
char *weft_pl_threshold_text(char *buf, size_t size, const weft_pipelines_threshold_result *r, size_t i);

/* ---- stages ------------------------------------------------------------------ */

struct weft_h1_conn;

#define WEFT_PL_MAX_PHASES 5

/* What one stage of one query produced. */
typedef struct {
	uint64_t query;                     /* in: the query's index (run order) */
	uint64_t ns;                        /* the stage's latency (harness clock) */
	bool failed;
	char error[80];                     /* the error's kind, when failed */
	uint64_t phase_ns[WEFT_PL_MAX_PHASES];
	size_t n_phases;
} weft_pl_outcome;

/* A stage kind: state shared by all workers (loaded once per run), state
 * per worker (a connection, buffers), and the work of one query. run must
 * fill o->ns itself only when it times something finer than the call; the
 * load generator times the call around it otherwise (o->ns == 0). */
typedef struct {
	int (*shared_new)(void **out, const weft_pipelines_stage *st, const weft_pipelines_spec *spec,
			  weft_diags *d);
	void (*shared_free)(void *shared);
	int (*worker_new)(void **out, void *shared, const weft_pipelines_stage *st, weft_diags *d);
	void (*worker_free)(void *worker);
	/* seed: a per-query, per-stage random seed (reproducible) */
	void (*run)(void *worker, void *shared, const weft_pipelines_stage *st, uint64_t seed,
		    weft_pl_outcome *o);
	/* names of the phases run reports, or NULL */
	const char *const *phases;
	/* Event-driven use (NULL for stages that cannot be driven that way):
	 * begin readies the worker for query number `query` and returns its libcurl easy
	 * handle, for the caller to add to a multi handle; end, once curl says
	 * the transfer is done with `code` (a CURLcode), fills the outcome as
	 * run would have. */
	void *(*begin)(void *worker, const weft_pipelines_stage *st, uint64_t query);
	void (*end)(void *worker, const weft_pipelines_stage *st, int code, weft_pl_outcome *o);
	/* The event loops' own HTTP/1.1 client (http1_int.h), for the requests
	 * it can carry (NULL for stages without it): h1_attach gives the
	 * worker's connection the loop's epoll and the tag of its socket's
	 * events, and returns the connection, or NULL when this stage's requests
	 * go through begin/end; h1_begin starts query number `query` on it
	 * (a weft_h1_status: MORE, or BAD when it failed at once); h1_end, once
	 * the connection says DONE or BAD (status), fills the outcome as end
	 * would. */
	struct weft_h1_conn *(*h1_attach)(void *worker, const weft_pipelines_stage *st, int epfd, uint64_t tag);
	int (*h1_begin)(void *worker, const weft_pipelines_stage *st, uint64_t query);
	void (*h1_end)(void *worker, const weft_pipelines_stage *st, int status, weft_pl_outcome *o);
} weft_pl_stage_ops;

extern const weft_pl_stage_ops weft_pl_stage_delay;
extern const weft_pl_stage_ops weft_pl_stage_http;
extern const weft_pl_stage_ops weft_pl_stage_command;
extern const weft_pl_stage_ops weft_pl_stage_model;

/* Sleep until the monotonic deadline (ns, weft_now_ns's clock); the last
 * WEFT_PL_SPIN_NS are spun so short delays are accurate (waking from a sleep
 * takes tens of microseconds on a virtual machine; the event loops also
 * poll without sleeping for that long before a scheduled send). */
#define WEFT_PL_SPIN_NS 80000u
void weft_pl_sleep_until(uint64_t deadline_ns);

/* Set the outcome's error text (printf style). */
void weft_pl_fail(weft_pl_outcome *o, const char *fmt, ...) WEFT_PRINTF(2, 3);

/* ---- helpers ----------------------------------------------------------------- */

/* path resolved against dir unless absolute (malloc'd). */
char *weft_pl_resolve(const char *dir, const char *path);

/* The percentile labels and quantiles reported for every series. */
extern const char *const weft_pl_pctl_labels[WEFT_PIPELINES_N_PCTL];
extern const double weft_pl_pctl_q[WEFT_PIPELINES_N_PCTL];

/* Fill a percentile (estimate and CI) from a finished series. */
void weft_pl_series_pctl(weft_pipelines_pctl *out, const weft_pipelines_series *s, double q,
			 double confidence);

/* Drift: latencies v[0..n) in send order. *change = (median of the last
 * tenth - median of the first) / median of the first (NAN when n is below
 * WEFT_PL_DRIFT_MIN_N); *p = two-sided Mann-Whitney p-value between the two
 * tenths. True (worth a note) when p < 1 - confidence and |change| >=
 * WEFT_PL_DRIFT_MIN_CHANGE. */
#define WEFT_PL_DRIFT_MIN_N 40
#define WEFT_PL_DRIFT_MIN_CHANGE 0.10
bool weft_pl_drift(const uint64_t *v, size_t n, double confidence, double *change, double *p);

/* ---- comparing runs (regress.c) ----------------------------------------------- */

/* The standard error of log(p->value_ms): the order-statistic interval's
 * width as a normal one (at confidence), widened by sqrt of the variance
 * inflation that 30 contiguous blocks of order (the series' latencies in
 * ns, in send order; NULL when not kept) show for the fraction at or below
 * the estimate; *vif gets that factor (>= 1; NAN when not measured, as with
 * fewer than 600 queries). NAN without a two-sided interval. */
double weft_pl_pctl_se_log(const uint64_t *order, size_t n, const weft_pipelines_pctl *p, double confidence,
			   double *vif);

typedef struct {
	double log_cur, se_cur;       /* this run: log of the percentile, its se_log */
	const double *log_base;       /* each baseline run's log of the percentile */
	size_t n_base;                /* >= 1 */
	double se_base;               /* one baseline run's se_log (root mean square) */
	double run_noise;             /* assumed sd of log between identical runs */
	double max_regression;
	double alpha;                 /* one-sided, this comparison's share of the family's */
} weft_pl_cmp_in;

typedef struct {
	double ratio, lo, hi;         /* exp(d) and its one-sided bounds at 1 - alpha */
	double se_log, run_noise;     /* of d; the run noise used */
	double p_regression, p_improvement;
	weft_pipelines_cmp verdict;
} weft_pl_cmp_out;

/* The comparison of one percentile (weft_pipelines_baseline_compare's
 * rule, see weft_pipelines.h). */
void weft_pl_compare_pctl(weft_pl_cmp_out *out, const weft_pl_cmp_in *in);

/* Free r's comparisons (baseline.c). */
void weft_pl_baseline_clear(weft_pipelines_result *r);

/* ---- a second of the time series (timeseries.c) ------------------------------ */

/* The compact histogram's bucket of a value, and a bucket's value. */
#define WEFT_PL_TS_BUCKETS 640
size_t weft_pl_ts_bucket(uint64_t ns);
uint64_t weft_pl_ts_value(size_t bucket);
/* s's buckets from dense counts[WEFT_PL_TS_BUCKETS] (zeroed on the way):
 * false when out of memory. */
bool weft_pl_second_set(weft_pipelines_second *s, uint64_t *counts);
/* s's rate, p50 and p99 from its queries, span and buckets. */
void weft_pl_second_finish(weft_pipelines_second *s);
/* Free res->seconds. */
void weft_pl_seconds_clear(weft_pipelines_result *res);

/* Escape for JSON, XML. */
void weft_pl_put_xml(weft_buf *b, const char *s);

#endif
