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

typedef struct {
	weft_pl_run *run;
	pthread_t thread;
	void **stage_state;                           /* per stage */
	weft_pipelines_hist **hist;                   /* per series (stages, then end-to-end) */
	weft_pipelines_hist *(*phase)[WEFT_PL_MAX_PHASES]; /* per stage */
	weft_pipelines_hist *overhead;
	uint64_t *scratch;                            /* one query's latencies */
	uint64_t *row_idx, *row_ns;                   /* exact samples: index, then ns per series */
	size_t n_rows, cap_rows;
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
} weft_pl_worker;

/* Offsets between clocks, to notice a stepped wall clock or a suspend. */
typedef struct {
	int64_t real_minus_mono0, real_minus_mono1;
	int64_t boot_minus_mono0, boot_minus_mono1;
	bool have_boot;
} weft_pl_clocks;

struct weft_pl_run {
	const weft_pipelines_spec *spec;
	weft_pipelines_load load;   /* with defaults filled in */
	size_t n_stages, ns_count;
	const weft_pl_stage_ops **ops;
	void **shared;
	weft_pl_worker *workers;
	size_t n_workers;
	/* the dispenser */
	pthread_mutex_t mu;
	uint64_t next, limit, min_handed;
	uint64_t t0_ns, soft_stop_ns, hard_stop_ns;
	uint64_t sched0_ns;
	double arrival_ns;
	uint64_t arrival_rng;
	uint64_t warmup;
	uint64_t dropped;           /* server: scheduled but never sent */
	/* progress and bookkeeping */
	atomic_uint_fast64_t done;
	atomic_size_t active;
	atomic_uint_fast64_t rows_used;
	atomic_bool rows_full;
	uint64_t max_rows;
	weft_pl_clocks clocks;
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

#endif
