/* weft_pipelines.h - `weft bench`: pipeline specs, load scenarios, the
 * statistics behind every verdict, the budget gate, baselines and reports.
 *
 * A pipeline is a list of stages (delay, http, model, command) that every
 * query runs through in order. The harness times each stage and the whole
 * query with the monotonic clock, keeps exact samples while they fit and a
 * log-linear histogram (relative error <= 0.1%) always, and judges each
 * budget with a distribution-free confidence interval: met when the upper
 * bound is within the limit, broken when the lower bound is above it,
 * inconclusive otherwise.
 *
 * Conventions: functions return 0 or a negative weft_error and record
 * diagnostics; nothing here prints or exits. Times in the public structs
 * are milliseconds (double); the histogram records nanoseconds.
 */
#ifndef WEFT_PIPELINES_H
#define WEFT_PIPELINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weft_core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==== durations ========================================================== */

/* Parse "150ms", "2s", "1.5ms", "250us", "3m", "1h", "800ns" into
 * milliseconds. A unit is required (a bare number is ambiguous). Returns 0,
 * or WEFT_EINVALID for anything else (negative, NaN, missing unit). */
int weft_pipelines_duration_parse(double *out_ms, const char *s);

/* Format ms into buf with 3 significant digits and the unit its size calls
 * for, chosen after rounding, never an exponent: "999 ns" (whole ns),
 * "1.00 µs", "850 µs", "1.00 ms" (for 999.5 µs), "12.3 ms", "59.9 s",
 * "10.0 min", "2.00 h"; "-" for NaN. Every text and Markdown report uses
 * it. Returns buf. ascii is ignored: "µs" everywhere. */
char *weft_pipelines_duration_format(char *buf, size_t size, double ms, bool ascii);
/* A rate, count or percentage for text and Markdown: whole from 100 up
 * ("20120", "1000000"), else 3 significant digits ("45.2", "0.0312"),
 * never an exponent; the caller adds the unit ("20120 q/s"). */
char *weft_pipelines_number_format(char *buf, size_t size, double v);

/* ==== histogram ========================================================== */

/* A log-linear histogram of nanosecond values, HdrHistogram style: values
 * below 1024 ns are exact; above, each power of two is split into 512
 * equal buckets, so a value read back (the bucket's midpoint) is within
 * 1/1024 (< 0.1%) of the value recorded. Values above ~2.4 hours clamp to
 * the top bucket (counted in `clamped`). Memory is fixed (~150 KiB). */
typedef struct weft_pipelines_hist weft_pipelines_hist;

int weft_pipelines_hist_new(weft_pipelines_hist **out);
void weft_pipelines_hist_free(weft_pipelines_hist *h);
void weft_pipelines_hist_record(weft_pipelines_hist *h, uint64_t ns);
void weft_pipelines_hist_record_n(weft_pipelines_hist *h, uint64_t ns, uint64_t count);
/* Add every count of src into dst. */
void weft_pipelines_hist_merge(weft_pipelines_hist *dst, const weft_pipelines_hist *src);
uint64_t weft_pipelines_hist_count(const weft_pipelines_hist *h);
uint64_t weft_pipelines_hist_min(const weft_pipelines_hist *h); /* exact; 0 when empty */
uint64_t weft_pipelines_hist_max(const weft_pipelines_hist *h); /* exact */
double weft_pipelines_hist_mean(const weft_pipelines_hist *h);  /* exact (ns) */
double weft_pipelines_hist_stddev(const weft_pipelines_hist *h);
uint64_t weft_pipelines_hist_clamped(const weft_pipelines_hist *h);
/* The value of the rank-th smallest recorded value (1-based), to within
 * the histogram's precision, clamped into [min, max]. 0 when empty. */
uint64_t weft_pipelines_hist_at_rank(const weft_pipelines_hist *h, uint64_t rank);
/* How many recorded values are <= ns (exact at bucket edges; a value in the
 * same bucket as ns counts as <= when its bucket's midpoint is). */
uint64_t weft_pipelines_hist_count_le(const weft_pipelines_hist *h, uint64_t ns);
/* Walk the non-empty buckets in increasing order: *iter starts at 0;
 * returns false at the end. value is the bucket's representative value. */
bool weft_pipelines_hist_next(const weft_pipelines_hist *h, size_t *iter, uint64_t *value,
			      uint64_t *count);
/* The documented bound: |read back - recorded| / recorded. */
#define WEFT_PIPELINES_HIST_REL_ERROR (1.0 / 1024.0)

/* ==== statistics ========================================================= */

typedef enum {
	WEFT_VERDICT_MET,
	WEFT_VERDICT_BROKEN,
	WEFT_VERDICT_INCONCLUSIVE,
} weft_pipelines_verdict;

const char *weft_pipelines_verdict_name(weft_pipelines_verdict v); /* "met" ... */

/* ln Γ(x) for x > 0. */
double weft_pipelines_lgamma(double x);
/* The regularised incomplete beta function I_x(a, b), a, b > 0, x in [0,1]. */
double weft_pipelines_betainc(double a, double b, double x);
/* P(X <= k) for X ~ Binomial(n, p) (1 when k >= n; 0 when k < 0). */
double weft_pipelines_binom_cdf(int64_t k, uint64_t n, double p);

/* The two-sided distribution-free confidence interval for the p-quantile
 * from n sorted samples x(1) <= ... <= x(n): ranks lo and hi such that
 * P(x(lo) <= quantile <= x(hi)) >= confidence, each tail at most
 * (1 - confidence) / 2: lo is the largest rank with P(B <= lo - 1) <= a/2
 * and hi the smallest with P(B >= hi) <= a/2, B ~ Binomial(n, p). lo = 0
 * means "no lower bound" and hi = n + 1 "no upper bound" (too few samples).
 * *coverage (optional) gets the exact coverage P(lo <= B < hi). */
int weft_pipelines_quantile_ci(uint64_t *lo, uint64_t *hi, double *coverage, uint64_t n,
			       double p, double confidence);

/* The point estimate's rank for the p-quantile: ceil(p n), at least 1. */
uint64_t weft_pipelines_quantile_rank(uint64_t n, double p);

/* MLPerf LoadGen's early-stopping rule: the smallest number of queries n
 * such that, with `over` of them above the limit, P(Binomial(n, 1 - p) <=
 * over) <= 1 - confidence, i.e. one can claim at that (one-sided)
 * confidence that the p-quantile is within the limit. p = 0.99,
 * confidence = 0.99, over = 0 gives 459. Returns UINT64_MAX when it would
 * exceed 10^12. */
uint64_t weft_pipelines_queries_needed(double p, double confidence, uint64_t over);

/* Clopper-Pearson (exact) two-sided interval for a proportion: errors of n
 * at the given confidence. */
int weft_pipelines_proportion_ci(double *lo, double *hi, uint64_t errors, uint64_t n,
				 double confidence);

/* Clopper-Pearson one-sided upper bound for a proportion: the largest p
 * with P(Binomial(n, p) <= errors) >= 1 - confidence (1 when errors == n).
 * WEFT_EINVALID (and *hi = 1) for n = 0 or errors > n. */
int weft_pipelines_proportion_upper(double *hi, uint64_t errors, uint64_t n, double confidence);

/* The gate's rule. has_lo/has_hi false: that bound does not exist. */
weft_pipelines_verdict weft_pipelines_judge(bool has_lo, double lo, bool has_hi, double hi,
					    double limit);

/* Mann-Whitney U test on two weighted samples (value, count pairs in any
 * order; equal values are ties), normal approximation with tie and
 * continuity correction. *p_greater is the one-sided p-value of "a tends
 * to be larger than b"; *p_less of "smaller". Needs na, nb >= 1. */
typedef struct {
	double value;
	uint64_t count;
} weft_pipelines_wsample;
int weft_pipelines_mann_whitney(double *p_greater, double *p_less, const weft_pipelines_wsample *a,
				size_t na, const weft_pipelines_wsample *b, size_t nb);

/* Standard normal upper tail 1 - Phi(z). */
double weft_pipelines_normal_sf(double z);

/* ==== delay distributions ================================================= */

typedef enum {
	WEFT_DIST_FIXED,
	WEFT_DIST_UNIFORM,
	WEFT_DIST_NORMAL,    /* truncated at 0 */
	WEFT_DIST_LOGNORMAL, /* given median and p99 */
	WEFT_DIST_EMPIRICAL, /* resampled from a file of samples */
} weft_pipelines_dist_kind;

typedef struct {
	weft_pipelines_dist_kind kind;
	double a, b; /* fixed: a; uniform: [a, b]; normal: mean a, sd b;
			lognormal: mu a, sigma b of ln(ms) */
	double median_ms, p99_ms; /* lognormal, as written */
	double *samples;          /* empirical: sorted, ms; owned */
	size_t n_samples;
	char *file;               /* empirical: the file, as resolved */
} weft_pipelines_dist;

/* mu = ln median, sigma = ln(p99 / median) / z(0.99). Needs 0 < median <
 * p99 (p99 == median is allowed: a fixed delay). */
int weft_pipelines_dist_lognormal(weft_pipelines_dist *out, double median_ms, double p99_ms);
/* Read samples (one number per line, in ms unless unit says otherwise;
 * '#' comments and blank lines skipped) into an empirical distribution.
 * Errors carry path:line:col. */
int weft_pipelines_dist_empirical(weft_pipelines_dist *out, const char *path, double unit_ms,
				  weft_diags *d);
void weft_pipelines_dist_clear(weft_pipelines_dist *dist);
/* A random delay in ms (>= 0). *rng is a splitmix64 state. */
double weft_pipelines_dist_sample(const weft_pipelines_dist *dist, uint64_t *rng);
/* The distribution's q-quantile in ms (for reports and tests). */
double weft_pipelines_dist_quantile(const weft_pipelines_dist *dist, double q);

/* splitmix64: the next 64 random bits; uniform double in [0, 1). */
uint64_t weft_pipelines_rng_next(uint64_t *state);
double weft_pipelines_rng_uniform(uint64_t *state);

/* ==== pipeline spec ====================================================== */

typedef enum {
	WEFT_STAGE_DELAY,
	WEFT_STAGE_HTTP,
	WEFT_STAGE_MODEL,
	WEFT_STAGE_COMMAND,
} weft_pipelines_stage_kind;

const char *weft_pipelines_stage_kind_name(weft_pipelines_stage_kind k);

/* One percentile budget: "p99 <= 300 ms". q = 1 means max. */
typedef struct {
	char label[8]; /* "p50" "p90" "p95" "p99" "p99.9" "max" */
	double q;
	double limit_ms;
	int line, col;
} weft_pipelines_budget;

#define WEFT_PIPELINES_MAX_BUDGETS 6

typedef struct {
	char *method;        /* "GET" default, or "POST" when a body is given */
	char *url;
	char **headers;      /* "Name: value" */
	size_t n_headers;
	char *body;          /* from body_file or body; may be NULL */
	size_t body_len;
	double timeout_ms;   /* whole request, default 5 s */
	double connect_timeout_ms;
	int expect[8];       /* accepted statuses; none = any 2xx */
	size_t n_expect;
	bool new_connection; /* connection: new (DNS, connect, TLS in every query) */
	char *ca_file;       /* tls.ca_file, resolved, or NULL (the system's) */
	char *cert, *key;    /* tls.cert, tls.key: a client certificate, resolved */
	bool insecure;       /* tls.insecure: the peer is not verified */
	int http_version;    /* 0 libcurl's choice, 11 HTTP/1.1, 2 HTTP/2 */
	char **bodies;       /* bodies_file: one body per line, query k takes line k mod n */
	size_t n_bodies;
} weft_pipelines_http;

typedef struct {
	char **argv;         /* NULL-terminated */
	size_t argc;
	double timeout_ms;   /* default 10 s */
	bool shell;          /* run argv[0] with /bin/sh -c */
} weft_pipelines_command;

typedef struct {
	char *file;          /* safetensors file, resolved against the pipeline's folder */
	size_t batch;        /* rows per forward, default 1 */
	char *device;        /* "auto" "cpu" "gpu" */
	char *precision;     /* "fp32" ... */
	size_t instances;    /* model copies; queries take turns on each, default 1 */
	int threads;         /* OpenBLAS threads on the CPU, default 1 */
	char *activations;   /* optional override */
	bool softmax;        /* softmax after the last layer (with activations) */
	char *eval;          /* evaluation set for candidates, resolved, or NULL */
	char **candidates;   /* other candidate files (issue 6), resolved */
	size_t n_candidates;
	bool has_hitl;       /* hitl: {max_error: E}: candidates get an operating point */
	double hitl_max_error;
} weft_pipelines_model;

typedef struct {
	char *name;
	int line, col;
	weft_pipelines_stage_kind kind;
	weft_pipelines_budget budgets[WEFT_PIPELINES_MAX_BUDGETS];
	size_t n_budgets;
	weft_pipelines_dist delay;
	weft_pipelines_http http;
	weft_pipelines_command command;
	weft_pipelines_model model;
} weft_pipelines_stage;

typedef enum {
	WEFT_SCENARIO_SINGLE_STREAM,
	WEFT_SCENARIO_SERVER,
	WEFT_SCENARIO_OFFLINE,
	WEFT_SCENARIO_CONCURRENCY,
	WEFT_SCENARIO_MULTI_STREAM,
} weft_pipelines_scenario;

const char *weft_pipelines_scenario_name(weft_pipelines_scenario s); /* "single-stream" ... */
int weft_pipelines_scenario_parse(weft_pipelines_scenario *out, const char *s);

typedef struct {
	weft_pipelines_scenario scenario;
	double rate;           /* server: queries per second; offline: the expected
				  throughput, which sizes the job (rate x duration) */
	size_t concurrency;    /* workers (concurrency, server, offline); with
				  http stages only, queries in flight at most */
	size_t threads;        /* http stages only: event loops; 0 = the CPUs */
	double duration_ms;    /* default 10 s */
	double max_duration_ms;/* extend until this when inconclusive; 0 = never */
	uint64_t min_queries;  /* default 100; offline: the queries issued without a rate */
	uint64_t warmup;       /* queries, default 10 */
	uint64_t seed;         /* default 1 */
	uint64_t rows;         /* offline: rows the batch job scores (0 = not given) */
	double window_ms;      /* offline: time the job must fit in */
	uint64_t rows_per_query; /* offline: default the largest model batch, or 1 */
	double late_ms;        /* server: a send later than this is "late"; default 1 ms */
	uint64_t samples_per_query; /* multi-stream: samples run at once per query, default 8 */
	/* --shard i/N: this run is part i (0-based) of N disjoint parts of the
	 * schedule (shard_count 0 or 1: the whole run) */
	uint32_t shard_index, shard_count;
} weft_pipelines_load;

typedef struct {
	char *path;            /* the file, as given */
	char *dir;             /* its folder: relative files resolve here */
	char *name;
	char *pattern;         /* api batch embedded edge hitl, or NULL */
	char *description;
	weft_pipelines_stage *stages;
	size_t n_stages;
	weft_pipelines_budget e2e[WEFT_PIPELINES_MAX_BUDGETS]; /* budget.end_to_end */
	size_t n_e2e;
	double confidence;     /* default 0.95 */
	bool has_error_budget;
	double error_rate;     /* budget.error_rate, a fraction */
	weft_pipelines_load load;
	int load_line, load_col; /* where load: is (or 0) */
} weft_pipelines_spec;

/* Load and validate a pipeline file. Every problem is recorded as
 * path:line:col (all of them, not only the first); returns WEFT_EINVALID
 * when any is an error, WEFT_EENV when a file cannot be read. Warnings
 * (unknown fields) do not fail. */
int weft_pipelines_spec_load(weft_pipelines_spec **out, const char *path, weft_diags *d);
/* The same from a buffer; name stands for the path, dir for its folder. */
int weft_pipelines_spec_load_buffer(weft_pipelines_spec **out, const char *name, const char *dir,
				    const char *buf, size_t len, weft_diags *d);
void weft_pipelines_spec_free(weft_pipelines_spec *s);
/* What `weft bench validate` adds to loading: every file a stage names is
 * readable and what it must be (models and candidates load as dense
 * networks, on the CPU; the evaluation set reads and has as many features as
 * each model has inputs; programs are executable). Problems are recorded at
 * the stage's position -> WEFT_EINVALID. */
int weft_pipelines_spec_check_files(const weft_pipelines_spec *s, weft_diags *d);
/* Point a model stage at another weights file (for candidates). */
int weft_pipelines_stage_set_model(weft_pipelines_stage *st, const char *file);
/* Check what the load fields must satisfy (after command-line overrides). */
int weft_pipelines_load_check(const weft_pipelines_spec *s, weft_diags *d);

/* ==== running ============================================================== */

typedef struct {
	/* Called from the coordinating thread about ten times a second. */
	void (*progress)(void *ctx, uint64_t done, uint64_t expected);
	void *progress_ctx;
	/* Exact samples kept per series before falling back to the histogram
	 * alone; 0 = 1,000,000. */
	uint64_t max_samples;
	/* Write every measured query (its id, scheduled and send times from
	 * the run's start, each stage's latency and phases, the end-to-end
	 * latency and any error, all in ns) to this file as it runs: CSV with
	 * a header, or JSON lines; memory stays bounded. Written atomically
	 * (an existing file only with samples_force). NULL: none. */
	const char *samples;
	bool samples_jsonl, samples_force;
} weft_pipelines_run_opts;

typedef struct {
	char label[8];
	double q;
	double value_ms;       /* the order statistic x(ceil(q n)) */
	bool has_lo, has_hi;
	double lo_ms, hi_ms;   /* the two-sided CI at the pipeline's confidence */
	uint64_t lo_rank, hi_rank;
	/* Standard error of log(value_ms) for comparing runs: the order-statistic
	 * interval's width, widened by the variance inflation that batch means
	 * over the send order measure (queries of one run are not independent).
	 * NAN when the run is too small or its send order was not kept. */
	double se_log;
	double vif;            /* that inflation factor (>= 1); NAN when not measured */
} weft_pipelines_pctl;

typedef struct {
	weft_pipelines_budget budget;
	weft_pipelines_verdict verdict;
	weft_pipelines_pctl at;  /* estimate and CI of the budget's percentile */
	uint64_t over;           /* queries above the limit */
	uint64_t need_more;      /* inconclusive: about this many more queries; UINT64_MAX: cannot tell */
} weft_pipelines_check;

#define WEFT_PIPELINES_N_PCTL 6 /* p50 p90 p95 p99 p99.9 max */

typedef struct {
	char *error;             /* "timeout", "http 503", "connection refused", ... */
	uint64_t count;
} weft_pipelines_error_kind;

typedef struct {
	char *name;              /* a phase of an http stage: dns, connect, tls, server, transfer */
	weft_pipelines_hist *hist;
} weft_pipelines_phase;

/* The latencies of one stage, or of the whole query. */
typedef struct {
	char *name;               /* stage name, or "end-to-end" */
	weft_pipelines_stage_kind kind;
	bool is_e2e;
	weft_pipelines_hist *hist;
	uint64_t *samples;        /* sorted ns, when exact */
	uint64_t n_samples;
	bool exact;               /* every measured query has a sample */
	uint64_t count;           /* measured queries (without errors) */
	double mean_ms, sd_ms, cv, min_ms, max_ms;
	weft_pipelines_pctl pctl[WEFT_PIPELINES_N_PCTL];
	weft_pipelines_check checks[WEFT_PIPELINES_MAX_BUDGETS];
	size_t n_checks;
	uint64_t errors;          /* queries whose error arose in this stage */
	weft_pipelines_error_kind *error_kinds;
	size_t n_error_kinds;
	weft_pipelines_phase *phases;
	size_t n_phases;
	double drift;             /* (median of the last tenth - of the first) / that of the first;
				     NAN when fewer than 40 queries */
	double warmup_mean_ms;    /* mean over the warm-up queries; NaN without */
} weft_pipelines_series;

typedef enum {
	WEFT_CMP_NONE,            /* not compared */
	WEFT_CMP_TOO_FEW,         /* too few samples on one side */
	WEFT_CMP_SAME,            /* no significant change beyond the threshold */
	WEFT_CMP_REGRESSION,
	WEFT_CMP_IMPROVEMENT,
} weft_pipelines_cmp;

const char *weft_pipelines_cmp_name(weft_pipelines_cmp c);

/* One percentile of one series compared with the baseline. */
typedef struct {
	char label[8];
	double q;
	bool budgeted;            /* a budget of this run is on this percentile */
	double base_ms, ms;       /* baseline (geometric mean over its runs), this run */
	double ratio;             /* ms / base_ms */
	double ratio_lo, ratio_hi; /* one-sided bounds, each at the family's confidence */
	double se_log;            /* of log(ratio): both runs' within-run and run-to-run noise */
	double p_regression;      /* one-sided: ratio above 1 + max_regression */
	double p_improvement;     /* one-sided: ratio below 1 - max_regression */
	bool base_se_assumed;     /* the baseline kept no error for this percentile: this run's used */
	weft_pipelines_cmp verdict;
} weft_pipelines_pctl_cmp;

typedef struct {
	char *name;
	weft_pipelines_cmp verdict; /* the worst of pcts[] */
	weft_pipelines_pctl_cmp *pcts;
	size_t n_pcts;
	weft_pipelines_wsample *base_buckets; /* the baseline's histogram (ms, counts), for plots */
	size_t n_base_buckets;
	double base_p50_ms, base_p99_ms, p50_ms, p99_ms;
	double change_p50;        /* p50 / base p50 - 1 */
	double p_regression;      /* the smallest of pcts[].p_regression */
	double p_improvement;     /* the smallest of pcts[].p_improvement */
	uint64_t base_count;
} weft_pipelines_comparison;

/* One second of the run: the measured queries that completed in it. */
typedef struct {
	uint64_t value_ns;        /* a bucket's representative value (its midpoint) */
	uint64_t count;
} weft_pipelines_tbucket;

typedef struct {
	uint64_t t_s;             /* its start, whole seconds from the run's start */
	double span_s;            /* its length: 1, less for the run's last second */
	uint64_t queries;         /* measured queries that completed in it, failed ones included */
	uint64_t errors;          /* of which failed */
	double rate_qps;          /* queries / span_s */
	double p50_ms, p99_ms;    /* of its successful queries' end-to-end latency; NAN without */
	/* their histogram, non-empty buckets in increasing order, coarser than
	 * a series' (WEFT_PIPELINES_SECOND_REL_ERROR) to stay small per second */
	weft_pipelines_tbucket *buckets;
	size_t n_buckets;
} weft_pipelines_second;

/* A second's histogram: values below 32 ns exact, each power of two above
 * cut into 16 buckets, so a midpoint read back is within 1/32 of a value. */
#define WEFT_PIPELINES_SECOND_REL_ERROR (1.0 / 32.0)

typedef struct {
	char *pipeline, *pattern, *path;
	char started_at[32];      /* UTC, ISO 8601 */
	weft_pipelines_load load; /* as run */
	double confidence;
	size_t workers;           /* queries in flight at most: threads, or the event loops' slots */
	size_t loops;             /* the event loops carrying them; 0: a thread per query */
	const char *http_client;  /* the http stages' client: "weft" (its own HTTP/1.1 client),
				     "libcurl", "weft and libcurl"; NULL: no http stage (static text) */
	uint64_t measured;        /* queries after warm-up, failed ones included */
	uint64_t samples;         /* the samples of those queries (multi-stream: measured x
				     samples_per_query; else measured) */
	uint64_t errors;          /* failed queries (dropped ones included) */
	uint64_t dropped;         /* server: scheduled but never sent before the time ran out */
	uint64_t warmup_done;
	double elapsed_s, throughput_qps;
	weft_pipelines_series *series; /* n_stages stages, then end-to-end */
	size_t n_series;
	/* server scenario: sends later than their schedule */
	uint64_t late_count;
	double late_max_ms, late_mean_ms;
	uint64_t late_busy;       /* late sends that waited for a free worker (queueing) */
	uint64_t late_wakeup;     /* late sends delayed by the harness itself (wake-up, scheduling) */
	double wakeup_mean_us, wakeup_max_us; /* that delay over every send */
	double harness_share;     /* (wake-up + overhead) mean / end-to-end mean; NAN without queries */
	/* harness overhead per query: the query's time not spent in a stage */
	double overhead_mean_us, overhead_p99_us, overhead_max_us;
	double clock_read_ns;     /* the cost of one clock read */
	/* error rate */
	bool has_error_budget;
	double error_budget, error_rate, error_lo, error_hi;
	weft_pipelines_verdict error_verdict;
	uint64_t error_need_more;
	/* offline */
	bool has_window;
	double rows_per_s, projected_ms, projected_lo_ms, projected_hi_ms;
	weft_pipelines_verdict window_verdict;
	/* offline: a query's own time, from its start to its end (its latency
	 * counts from the job's start); the window's interval comes from it.
	 * NAN: not known (a report from before, or no query) */
	double service_mean_ms, service_sd_ms;
	/* baseline */
	char *baseline_path;
	double max_regression;
	double run_noise;         /* sd of log(percentile) between identical runs, as used */
	uint64_t base_runs;       /* runs the baseline is made of */
	size_t n_family;          /* percentiles compared (the Bonferroni family) */
	weft_pipelines_comparison *cmp;
	size_t n_cmp;
	/* noise notes and other remarks, one sentence each */
	char **notes;
	size_t n_notes;
	uint64_t extensions;      /* times the run extended itself */
	/* per second of the run, from the first with a measured query to the
	 * last (seconds without one included, empty), by completion time */
	weft_pipelines_second *seconds;
	size_t n_seconds;
	/* the overall outcome */
	uint64_t n_met, n_broken, n_inconclusive, n_regressions, n_improvements;
} weft_pipelines_result;

/* Run the pipeline under its load spec. Environment failures (a model file
 * that cannot be read, no threads) -> WEFT_EENV; stage failures during the
 * run are errors counted in the result, never a failed call. */
int weft_pipelines_run(weft_pipelines_result **out, const weft_pipelines_spec *spec,
		       const weft_pipelines_run_opts *opts, weft_diags *d);
void weft_pipelines_result_free(weft_pipelines_result *r);

/* The series of a stage by name ("end-to-end" for the whole query). */
const weft_pipelines_series *weft_pipelines_result_series(const weft_pipelines_result *r,
							  const char *name);

/* Add a note to a result (printf style). */
void weft_pipelines_result_note(weft_pipelines_result *r, const char *fmt, ...) WEFT_PRINTF(2, 3);

/* 0 when every budget is met (and no regression was found); WEFT_EGATE when
 * one is broken, a regression was found, or one is inconclusive and
 * allow_inconclusive is false. */
int weft_pipelines_result_gate(const weft_pipelines_result *r, bool allow_inconclusive);

/* ==== baseline ============================================================== */

/* Compare r with a baseline: a previous JSON report (weft bench run
 * --format json) or several merged (weft_pipelines_baseline_merge). For each
 * series in both, p50 and every percentile that carries a budget (p50 and
 * p99 for a series without budgets) are compared on the log scale:
 *   d = log(this run) - mean over the baseline's runs of log(baseline),
 *   var(d) = se_this^2 + s^2 + (se_base^2 + s^2) / runs,
 * with se_* each run's within-run error (weft_pipelines_pctl.se_log) and s
 * the run-to-run noise: run_noise (< 0: WEFT_PIPELINES_RUN_NOISE), or the
 * spread the baseline's runs show beyond their within-run error when that
 * is larger (three runs or more). A percentile regressed when the lower
 * one-sided bound of exp(d), at (1 - confidence) / family size (Bonferroni
 * over every percentile compared), is above 1 + max_regression; improved
 * when the upper bound is below 1 - max_regression. Fills r->cmp. A file
 * that is neither -> WEFT_EINVALID with its line:col. */
#define WEFT_PIPELINES_RUN_NOISE 0.02
int weft_pipelines_baseline_compare(weft_pipelines_result *r, const char *path,
				    double max_regression, double run_noise, weft_diags *d);
/* The same from a JSON text already read (name for diagnostics). */
int weft_pipelines_baseline_compare_json(weft_pipelines_result *r, const char *name,
					 const char *json, double max_regression, double run_noise,
					 weft_diags *d);
/* Merge n JSON reports of the same pipeline (or baselines) into one
 * baseline (JSON text, malloc'd): per series the summed histogram and, per
 * percentile, each run's value and within-run error. Reports that disagree
 * on the pipeline's name -> WEFT_EINVALID. */
int weft_pipelines_baseline_merge(char **out, const char *const *paths, size_t n, weft_diags *d);

/* ==== merging split runs ==================================================== */

/* Combine the JSON reports (weft bench run --format json) of runs of one
 * pipeline, typically the N shards of one split run (--shard i/N), into one
 * result as if a single run had made all their queries: query, error and
 * late-send counts add (errors by kind too); each series' histogram and each
 * http phase's is the sum of theirs; percentiles, their intervals and every
 * budget's verdict are recomputed from the merged histograms (within their
 * 0.1%; the merged series are not exact), and the error rate is judged
 * again. Shards run side by side, so elapsed_s is the longest and the
 * throughput the sum. Settings that make the sum doubtful (scenario,
 * confidence, per-shard rate, a seed repeated, shard counts that differ, a
 * shard missing or given twice) become notes; reports of different
 * pipelines, or with different budgets -> WEFT_EINVALID. A file that is
 * not a report -> WEFT_EINVALID with path:line:col. */
int weft_pipelines_result_merge(weft_pipelines_result **out, const char *const *paths, size_t n,
				weft_diags *d);
/* The same from JSON texts already read (names stand for the paths). */
int weft_pipelines_result_merge_json(weft_pipelines_result **out, const char *const *names,
				     const char *const *texts, size_t n, weft_diags *d);

/* ==== reports ============================================================== */

typedef enum {
	WEFT_REPORT_TEXT,
	WEFT_REPORT_JSON,
	WEFT_REPORT_MARKDOWN,
	WEFT_REPORT_HTML,
	WEFT_REPORT_JUNIT,
} weft_pipelines_format;

typedef struct {
	bool colour;              /* text: SGR colours */
	bool allow_inconclusive;  /* how inconclusive budgets count (JUnit: skipped) */
} weft_pipelines_report_opts;

/* Append the report to out. Returns 0 or WEFT_ENOMEM. */
int weft_pipelines_report(weft_buf *out, const weft_pipelines_result *r,
			  weft_pipelines_format format, const weft_pipelines_report_opts *opts);

/* ==== the highest rate that holds ============================================ */

/* One rate tried by the search. */
typedef struct {
	double rate;                    /* q/s, Poisson */
	bool holds;                     /* every budget met (the gate passed) */
	weft_pipelines_verdict verdict; /* met, broken, or inconclusive (counted as not holding) */
	uint64_t measured, errors;
	double e2e_p99_ms;              /* NAN without queries */
	char *why;                      /* the first budget not met, as a phrase; NULL when it holds */
} weft_pipelines_rate_step;

typedef struct {
	char *pipeline;
	double max_rate;                /* the highest rate that held; 0 when none did */
	double first_fail;              /* the lowest rate that did not hold above it; NAN: none up to the ceiling */
	double precision;               /* the search stopped when first_fail / max_rate - 1 < this */
	bool at_ceiling;                /* held up to the ceiling */
	weft_pipelines_rate_step *steps;
	size_t n_steps;
	weft_pipelines_result *at_max;  /* the run at max_rate, or NULL */
	double confidence;
} weft_pipelines_rate_search;

typedef struct {
	double start;                   /* first rate tried; 0: the pipeline's load.rate, else 10 q/s */
	double precision;               /* default 0.05 */
	size_t max_steps;               /* default 16 */
	double ceiling;                 /* default 1e6 q/s */
	weft_pipelines_run_opts run;    /* every step's run (progress, samples are ignored) */
	/* called before each step with run.progress_ctx (may be NULL) */
	void (*on_step)(void *ctx, size_t i, double rate);
} weft_pipelines_rate_opts;

/* The highest Poisson rate at which every budget holds at the pipeline's
 * confidence (LoadGen's server search): the pipeline runs in the server
 * scenario at a rate, doubling from the start while it holds (halving while
 * it does not), then bisecting (geometrically) between the last rate that
 * held and the first that did not until they are within the precision. A
 * step holds when its gate passes; an inconclusive one first extends its
 * run (max_duration defaults to 4x the duration for the search) and counts
 * as not holding if still undecided, so max_rate is a rate shown to hold.
 * A step lasts at least long enough to send min_queries and the warm-up at
 * its rate; ten halvings without a rate that holds, or a rate that would
 * need over ten times the duration for that, end the search.
 * spec's load is changed during the call and restored. */
int weft_pipelines_find_max_rate(weft_pipelines_rate_search **out, weft_pipelines_spec *spec,
				 const weft_pipelines_rate_opts *o, weft_diags *d);
void weft_pipelines_rate_search_free(weft_pipelines_rate_search *s);
/* 0 when some rate held, WEFT_EGATE when none did. */
int weft_pipelines_rate_search_gate(const weft_pipelines_rate_search *s);
/* text, json or markdown (WEFT_EINVALID for the others). */
int weft_pipelines_rate_search_report(weft_buf *out, const weft_pipelines_rate_search *s,
				      weft_pipelines_format format, const weft_pipelines_report_opts *opts);

/* ==== candidates ============================================================ */

/* Which of several candidate models (dense networks in safetensors files)
 * to put in a model stage: each is scored on an evaluation set (accuracy,
 * ROC AUC, computed by the kernels library, on the GPU when the stage runs
 * there) and timed, either through a whole pipeline (the model stage swapped
 * for each candidate in turn, every budget judged as `weft bench run` judges
 * it) or alone (the forward pass timed per query, optionally over a batch
 * sweep). The recommendation is the most accurate candidate that fits
 * (ties: fewer parameters); without an evaluation set, the fastest that
 * fits; without a budget every measured candidate fits. With a hitl error
 * budget, the one that fits and automates the largest share of cases. */

typedef struct {
	size_t batch;
	uint64_t n;               /* timed queries */
	weft_pipelines_pctl p50, p99;
	double rows_per_s;        /* batch / p50 */
	double h2d_ms, compute_ms, d2h_ms; /* means of the CUDA-event split; 0 on the CPU */
} weft_pipelines_sweep_row;

typedef struct {
	char *name;               /* the file's base name without .safetensors */
	char *path;
	char *error;              /* why it could not be measured, or NULL */
	int err;                  /* the weft_error behind it (0 when measured) */
	size_t params, bytes;
	bool on_gpu;
	const char *precision;    /* "fp32" ... as run */
	bool evaluated, has_auc;
	double accuracy, auc;
	/* model-stage latency: from the pipeline run, or the timed forward
	 * passes at the judged batch size */
	weft_pipelines_pctl stage_p50, stage_p99;
	bool has_e2e;
	weft_pipelines_pctl e2e_p99;
	bool judged;              /* a budget applied */
	weft_pipelines_verdict fits;
	char *why;                /* the first broken (else inconclusive) budget, as a sentence */
	/* with a hitl error budget: the operating point (weft bench threshold's
	 * recommendation on the evaluation set); has_hitl false when no
	 * threshold keeps the budget (automation 0) */
	bool has_hitl;
	double hitl_threshold, hitl_automation, hitl_error_rate, hitl_error_upper;
	char hitl_text[32];       /* the threshold as the shortest decimal that routes the same cases */
	weft_pipelines_sweep_row *sweep; /* model-only: every batch size timed */
	size_t n_sweep;
	weft_pipelines_result *run; /* through a pipeline: the whole run */
} weft_pipelines_candidate;

typedef struct {
	bool through_pipeline;
	char *pipeline, *path;    /* through a pipeline */
	char *stage;              /* the model stage */
	char *eval;               /* evaluation set, or NULL */
	size_t eval_rows;
	double confidence;
	bool has_budget;          /* model-only: --budget */
	double budget_ms;
	size_t batch, iterations, warmup; /* model-only */
	bool sweep;
	weft_pipelines_candidate *items;
	size_t n;
	size_t recommended;       /* index into items, or SIZE_MAX for none */
	const char *reason;       /* why that one (or why none) */
	bool allow_inconclusive;  /* an inconclusive candidate may be recommended */
	bool has_hitl;            /* operating points computed at this error budget */
	double hitl_max_error;
} weft_pipelines_candidates;

typedef struct {
	const char *const *models; /* candidate files; none: the stage's file and candidates */
	size_t n_models;
	const char *eval;          /* evaluation set; NULL: the stage's `eval:` */
	const char *stage;         /* pipeline: the model stage; NULL: the only one */
	const char *device;        /* override "auto" "cpu" "gpu", or NULL */
	const char *precision;     /* override, or NULL */
	weft_pipelines_run_opts run; /* pipeline: progress, sample cap */
	/* pipeline: called before each candidate's run (i from 0) with
	 * run.progress_ctx, e.g. to label a progress bar; may be NULL */
	void (*on_candidate)(void *ctx, size_t i, size_t n, const char *name);
	/* as `bench run --allow-inconclusive`: a candidate whose budgets are
	 * met or undecided (none broken) counts as fitting, a met one still
	 * preferred at equal rank; the gate then passes when one is picked */
	bool allow_inconclusive;
	/* an error budget for the automatic decisions of a hitl deployment
	 * (--hitl-max-error; overrides the stage's hitl: max_error): each
	 * evaluated candidate gets its operating point, and the recommendation
	 * is the candidate that fits and automates most within it (ties: the
	 * more accurate) */
	bool has_hitl_max_error;
	double hitl_max_error;
	/* model-only */
	bool has_budget;
	double budget_ms;          /* p99 budget of the forward pass */
	size_t batch;              /* default 1 */
	bool sweep;                /* time 1, 2, 4, ... max_batch */
	size_t max_batch;          /* default 64 */
	size_t iterations;         /* timed queries per batch size, default 1000 */
	size_t warmup;             /* default 20 */
	bool no_graph;
	const char *prefix, *activations;
	bool softmax;
} weft_pipelines_candidates_opts;

void weft_pipelines_candidates_opts_init(weft_pipelines_candidates_opts *o);

/* Through a pipeline: run it once per candidate with the model stage
 * pointed at that candidate (spec is changed during the call and restored).
 * A candidate that cannot be loaded or run is reported with its error
 * (item error and err) and the others still run; the call itself fails only
 * for a stage choice, load section or evaluation set that no candidate could
 * run with (WEFT_EINVALID, WEFT_EENV) or out of memory. */
int weft_pipelines_candidates_pipeline(weft_pipelines_candidates **out, weft_pipelines_spec *spec,
				       const weft_pipelines_candidates_opts *o, weft_diags *d);
/* Model-only: time each candidate's forward pass alone (errors per item as
 * above; WEFT_EINVALID for empty options or an unusable evaluation set). */
int weft_pipelines_candidates_models(weft_pipelines_candidates **out,
				     const weft_pipelines_candidates_opts *o, weft_diags *d);
void weft_pipelines_candidates_free(weft_pipelines_candidates *c);
/* 0 when a candidate is recommended, WEFT_EGATE when a budget applied and
 * none fits (inconclusive ones fit only with allow_inconclusive). */
int weft_pipelines_candidates_gate(const weft_pipelines_candidates *c);
/* The candidates report in any format (JUnit: one test case per candidate,
 * failed when it does not fit, skipped when inconclusive). */
int weft_pipelines_candidates_report(weft_buf *out, const weft_pipelines_candidates *c,
				     weft_pipelines_format format,
				     const weft_pipelines_report_opts *opts);

/* ==== the human-in-the-loop operating point ================================= */

/* Where to put the confidence threshold above which a binary model decides
 * alone (`weft bench threshold`). Each case has the model's score p (the
 * probability of class 1), its label and optionally a reviewer's decision;
 * the model predicts 1 when p >= 0.5, with confidence max(p, 1 - p), and
 * decides automatically when that confidence is at or above the threshold.
 * Every distinct confidence in the data is a candidate threshold; for each,
 * the error rate of the automatic decisions gets a one-sided
 * Clopper-Pearson upper bound at the confidence level. The recommendation
 * is the lowest threshold whose bound is within max_error (the most
 * automation the data can vouch for). */

/* Scored, labelled cases (opaque). */
typedef struct weft_pipelines_threshold_data weft_pipelines_threshold_data;

/* Read a CSV with a header naming the columns: `score` (a number in
 * [0, 1]), `label` (0 or 1) and optionally `reviewer` (0, 1, or empty for
 * a case nobody reviewed); other columns are ignored. Fields may be
 * double-quoted. Every problem is recorded as path:line:col ->
 * WEFT_EINVALID (an empty file, a missing column, a bad value); WEFT_EENV
 * when it cannot be read. */
int weft_pipelines_threshold_data_load(weft_pipelines_threshold_data **out, const char *path,
				       weft_diags *d);
/* The same from memory (text need not be NUL-terminated); name stands for
 * the path in diagnostics. */
int weft_pipelines_threshold_data_parse(weft_pipelines_threshold_data **out, const char *name,
					const char *text, size_t len, weft_diags *d);
/* A model stage's evaluation set scored by a model: stage (NULL: the only
 * model stage) of spec, model (NULL: the stage's file) run on the CPU over
 * the stage's `eval:` set, which must be binary. */
int weft_pipelines_threshold_data_from_model(weft_pipelines_threshold_data **out,
					     const weft_pipelines_spec *spec, const char *stage,
					     const char *model, weft_diags *d);
/* The same from scores already computed (copied); reviewer may be NULL,
 * and -1 in it means "not reviewed". source names them in reports. */
int weft_pipelines_threshold_data_new(weft_pipelines_threshold_data **out, const char *source,
				      const double *scores, const int *labels, const int *reviewer,
				      size_t n);
void weft_pipelines_threshold_data_free(weft_pipelines_threshold_data *t);
size_t weft_pipelines_threshold_data_rows(const weft_pipelines_threshold_data *t);

typedef struct {
	double max_error;      /* budget on the automatic error rate, default 0.05 */
	double min_automation; /* least automation rate acceptable, default 0 */
	double confidence;     /* of the upper bound, default 0.95 */
	bool has_costs;        /* cost of one review and of one wrong automatic decision */
	double cost_review, cost_error;
} weft_pipelines_threshold_opts;

void weft_pipelines_threshold_opts_init(weft_pipelines_threshold_opts *o);

/* One candidate threshold. */
typedef struct {
	double threshold;       /* automate when max(p, 1 - p) >= threshold */
	uint64_t automated, errors;
	double automation_rate; /* automated / cases */
	double error_rate;      /* errors / automated */
	double error_upper;     /* one-sided Clopper-Pearson upper bound of error_rate */
	double review_rate;     /* 1 - automation_rate */
	double cost;            /* per case: cost_review x review_rate + cost_error x errors / cases;
				   NAN without costs */
	bool within;            /* error_upper <= max_error */
} weft_pipelines_threshold_point;

/* The model against the reviewers on one side of the threshold. */
typedef struct {
	uint64_t reviewed;      /* cases with a reviewer's decision */
	uint64_t overrides;     /* decisions that differ from the model's prediction */
	double override_rate;   /* overrides / reviewed; NAN when none reviewed */
	double kappa;           /* Cohen's kappa of model and reviewers; NAN when undefined */
	uint64_t reviewer_errors; /* reviewer decisions that differ from the label */
} weft_pipelines_threshold_agreement;

typedef struct {
	char *source;
	weft_pipelines_threshold_opts opts; /* as used */
	uint64_t cases, positives;
	double model_error_rate; /* of every prediction (threshold 0.5) */
	weft_pipelines_threshold_point *points; /* increasing threshold */
	size_t n_points;
	size_t recommended;     /* index into points, or SIZE_MAX: review everything */
	size_t lowest_cost;     /* with costs: the cheapest point within the budget, or SIZE_MAX */
	bool met;               /* a threshold is recommended and meets min_automation */
	char *verdict;          /* one sentence: what was found, or by how much it fails */
	uint64_t automated_needed; /* error-free automatic decisions the bound needs at max_error */
	bool has_reviewer;
	/* at the recommended threshold (with none, every case is below it) */
	weft_pipelines_threshold_agreement above, below;
} weft_pipelines_threshold_result;

/* Analyse data under o (NULL: the defaults). WEFT_EINVALID for options out
 * of range (max_error and min_automation in [0, 1], confidence in (0, 1),
 * costs >= 0) or no cases; WEFT_ENOMEM. The verdict is in the result. */
int weft_pipelines_threshold_analyse(weft_pipelines_threshold_result **out,
				     const weft_pipelines_threshold_data *data,
				     const weft_pipelines_threshold_opts *o, weft_diags *d);
void weft_pipelines_threshold_result_free(weft_pipelines_threshold_result *r);
/* 0 when met, WEFT_EGATE otherwise. */
int weft_pipelines_threshold_gate(const weft_pipelines_threshold_result *r);
/* text, json, markdown or html (WEFT_EINVALID for junit). */
int weft_pipelines_threshold_report(weft_buf *out, const weft_pipelines_threshold_result *r,
				    weft_pipelines_format format);

#ifdef __cplusplus
}
#endif
#endif
