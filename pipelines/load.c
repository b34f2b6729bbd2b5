/* load.c - the load generator: scenarios, workers, and timing that does not lie.
 *
 * Design: every scenario is the same loop - a worker thread takes the next
 * query from a shared dispenser, runs every stage in order and records each
 * stage's latency and the query's - and differs only in what the dispenser
 * hands out:
 *   single-stream  one worker, next query when the previous one completes;
 *   multi-stream   samples_per_query workers, one per sample of a query
 *                  (LoadGen's MultiStream): a query is N samples at once, the
 *                  next issued when every sample of the previous completed;
 *                  its latency counts from its issue to its slowest sample;
 *   concurrency N  N workers, closed loop;
 *   offline        LoadGen's: after the warm-up, every query of the job is
 *                  issued at once (all scheduled at t0) to N workers
 *                  (default: the CPUs); a query's latency counts from t0, so
 *                  it is its time to completion, and the throughput is the
 *                  queries over the time the last one finished;
 *   server         queries carry a scheduled send time from a seeded Poisson
 *                  process, and latency counts from that time, not from when
 *                  a worker got round to sending it. A query that waited for
 *                  a free worker therefore carries its queueing delay, as a
 *                  real user's would (no coordinated omission), and the wait
 *                  itself is reported as a late send.
 * Each worker keeps its own histograms and sample rows (no locks on the hot
 * path but the dispenser's); the coordinator merges them after each round.
 * When a verdict is inconclusive and max_duration allows, the run extends
 * itself by the number of queries the statistics say are needed (not
 * offline: its job is sized up front, rate x duration or min_queries).
 *
 * A multi-stream sample is an ordinary query to the engines (its index
 * query x N + j, its own stage seeds); weft_pl_record gathers the samples
 * of the query in flight and, at the last, records the query: every
 * sample's stage latencies into the stage series, the slowest into the
 * end-to-end series, once.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "samples_int.h"

void weft_pl_sleep_until(uint64_t deadline_ns)
{
	const uint64_t spin_ns = WEFT_PL_SPIN_NS;
	uint64_t now = weft_now_ns();
	if (deadline_ns > now + spin_ns) {
		uint64_t wake = deadline_ns - spin_ns;
		struct timespec ts = { (time_t)(wake / 1000000000u), (long)(wake % 1000000000u) };
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
	}
	while (weft_now_ns() < deadline_ns)
		;
}

void weft_pl_fail(weft_pl_outcome *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	o->failed = true;
	vsnprintf(o->error, sizeof o->error, fmt, ap);
	va_end(ap);
}

static const weft_pl_stage_ops *ops_of(weft_pipelines_stage_kind k)
{
	switch (k) {
	case WEFT_STAGE_DELAY: return &weft_pl_stage_delay;
	case WEFT_STAGE_HTTP: return &weft_pl_stage_http;
	case WEFT_STAGE_COMMAND: return &weft_pl_stage_command;
	case WEFT_STAGE_MODEL: return &weft_pl_stage_model;
	}
	return &weft_pl_stage_delay;
}

/* ---- the dispenser -------------------------------------------------------------- */

/* The multi-stream collector: the samples of the query in flight as they
 * finish, row j for sample j. */
typedef struct {
	weft_pl_query q;
	char error[80];
} ms_sample;

struct weft_pl_ms {
	ms_sample *samples;
	uint64_t *ns;      /* samples x series */
	uint64_t *phases;  /* samples x stages x WEFT_PL_MAX_PHASES */
};

/* Multi-stream, under r->mu: the next sample of the query in flight, or
 * the first of the next query once that one is recorded (waiting for it). */
static bool ms_take(weft_pl_run *r, uint64_t *idx, uint64_t *sched)
{
	uint64_t n = r->load.samples_per_query;
	while (r->ms_handed == n && !r->ms_recorded)
		pthread_cond_wait(&r->ms_cv, &r->mu);
	if (r->ms_handed == n) {
		uint64_t now = weft_now_ns();
		if (r->next >= r->limit || now >= r->hard_stop_ns || (now >= r->soft_stop_ns && r->next >= r->min_handed))
			return false;
		r->ms_query = r->next++;
		r->ms_sched = now;
		r->ms_handed = r->ms_finished = 0;
		r->ms_recorded = false;
	}
	*idx = r->ms_query * n + r->ms_handed++;
	*sched = r->ms_sched;
	return true;
}

bool weft_pl_take_waits(weft_pl_run *r)
{
	if (!r->ms)
		return false;
	pthread_mutex_lock(&r->mu);
	bool waits = r->ms_handed == r->load.samples_per_query && !r->ms_recorded;
	pthread_mutex_unlock(&r->mu);
	return waits;
}

uint64_t weft_pl_origin(const weft_pl_run *r, const weft_pl_query *q)
{
	weft_pipelines_scenario sc = r->load.scenario;
	bool queued = q->server || sc == WEFT_SCENARIO_OFFLINE || sc == WEFT_SCENARIO_MULTI_STREAM;
	return queued && q->sched < q->start ? q->sched : q->start;
}

/* Hand out the next query: its index and scheduled start. false: stop. */
bool weft_pl_take(weft_pl_run *r, uint64_t *idx, uint64_t *sched, bool *is_server)
{
	bool ok = false;
	pthread_mutex_lock(&r->mu);
	uint64_t now = weft_now_ns();
	*is_server = r->load.scenario == WEFT_SCENARIO_SERVER;
	if (r->ms) {
		ok = ms_take(r, idx, sched);
		goto out;
	}
	if (r->next >= r->limit || now >= r->hard_stop_ns)
		goto out;
	if (r->load.scenario == WEFT_SCENARIO_OFFLINE) {
		*sched = r->sched0_ns; /* every query issued at the start */
	} else if (*is_server) {
		uint64_t s = r->sched0_ns + (uint64_t)r->arrival_ns;
		if (s >= r->hard_stop_ns)
			goto out;
		*sched = s;
		double u = weft_pipelines_rng_uniform(&r->arrival_rng);
		r->arrival_ns += -log1p(-u) / r->load.rate * 1e9;
	} else {
		/* closed loop: until the duration is over and enough were sent */
		if (now >= r->soft_stop_ns && r->next >= r->min_handed)
			goto out;
		*sched = now;
	}
	*idx = r->next++;
	ok = true;
out:
	pthread_mutex_unlock(&r->mu);
	return ok;
}

/* ---- recording ------------------------------------------------------------------ */

static void note_error(weft_pl_worker *w, size_t stage, const char *text)
{
	for (size_t i = 0; i < w->n_errs; i++)
		if (w->errs[i].stage == stage && !strcmp(w->errs[i].text, text)) {
			w->errs[i].count++;
			return;
		}
	if (w->n_errs == w->cap_errs) {
		size_t cap = w->cap_errs ? w->cap_errs * 2 : 8;
		weft_pl_err *e = realloc(w->errs, cap * sizeof *e);
		if (!e)
			return;
		w->errs = e;
		w->cap_errs = cap;
	}
	weft_pl_err *e = &w->errs[w->n_errs++];
	e->stage = stage;
	snprintf(e->text, sizeof e->text, "%s", text);
	e->count = 1;
}

/* Rows are claimed from the run's max_rows a chunk at a time: one atomic
 * add per chunk, not per query (a cache line every worker writes), and
 * each chunk is its own allocation, so no growing array is ever copied
 * (a stall of milliseconds at a million rows) and memory does not depend
 * on how the rows split between workers. */
static void keep_row(weft_pl_worker *w, uint64_t idx, const uint64_t *ns)
{
	weft_pl_run *r = w->run;
	const size_t C = WEFT_PL_ROW_CHUNK;
	size_t k = w->n_rows % C;
	if (k == 0) {
		/* a new chunk: as many rows as max_rows has left, up to C */
		uint64_t at = atomic_fetch_add(&r->rows_used, C);
		if (at >= r->max_rows) {
			atomic_store(&r->rows_full, true);
			return;
		}
		if (w->n_chunks == w->cap_chunks) {
			size_t cap = w->cap_chunks ? w->cap_chunks * 2 : 16;
			uint64_t **p = realloc(w->row_chunks, cap * sizeof *p);
			if (!p) {
				atomic_store(&r->rows_full, true);
				return;
			}
			w->row_chunks = p;
			w->cap_chunks = cap;
		}
		uint64_t *c = malloc(C * (1 + r->ns_count) * sizeof *c);
		if (!c) {
			atomic_store(&r->rows_full, true);
			return;
		}
		w->row_chunks[w->n_chunks++] = c;
		w->rows_left = (size_t)(r->max_rows - at < C ? r->max_rows - at : C);
	}
	if (!w->rows_left) {
		atomic_store(&r->rows_full, true);
		return;
	}
	uint64_t *c = w->row_chunks[w->n_chunks - 1];
	c[k] = idx;
	memcpy(c + C + k * r->ns_count, ns, r->ns_count * sizeof *ns);
	w->n_rows++;
	w->rows_left--;
}

weft_pl_late weft_pl_late_cause(uint64_t sched, uint64_t ready, uint64_t start, uint64_t late_ns,
				uint64_t *wake_ns)
{
	uint64_t from = ready > sched ? ready : sched;
	*wake_ns = start > from ? start - from : 0;
	if (start <= sched || start - sched <= late_ns)
		return WEFT_PL_ON_TIME;
	uint64_t busy = ready > sched ? ready - sched : 0;
	return busy >= *wake_ns ? WEFT_PL_LATE_BUSY : WEFT_PL_LATE_WAKEUP;
}

/* A successful query's latencies (ns[stages] its end-to-end): one row per
 * sample (multi-stream) or the query's own into the stage series and the
 * exact rows, its end-to-end latency once. */
static void record_ok(weft_pl_worker *w, const weft_pl_query *q, uint64_t *ns)
{
	weft_pl_run *r = w->run;
	size_t S = r->n_stages;
	size_t n = q->n_samples ? q->n_samples : 1;
	for (size_t j = 0; j < n; j++) {
		uint64_t *row = q->n_samples ? &q->sample_ns[j * r->ns_count] : ns;
		row[S] = ns[S];
		for (size_t s = 0; s < S; s++)
			weft_pipelines_hist_record(w->hist[s], row[s]);
		keep_row(w, q->n_samples ? q->idx * n + j : q->idx, row);
	}
	weft_pipelines_hist_record(w->hist[S], ns[S]);
	double svc = (double)(q->end - q->start);
	w->svc_sum += svc;
	w->svc_sq += svc * svc;
	w->svc_n++;
}

/* Multi-stream: the query whose samples m holds, every one finished: it
 * spans from its issue to its slowest sample, and fails with the first
 * sample that failed. ns gets each stage's mean over the samples (for the
 * warm-up's means). */
static bool ms_record_query(weft_pl_worker *w, struct weft_pl_ms *m, uint64_t *ns)
{
	weft_pl_run *r = w->run;
	size_t S = r->n_stages, n = r->load.samples_per_query;
	weft_pl_query qq = { .idx = r->ms_query, .sched = r->ms_sched, .start = UINT64_MAX,
			     .n_samples = n, .sample_ns = m->ns };
	memset(ns, 0, S * sizeof *ns);
	for (size_t j = 0; j < n; j++) {
		const weft_pl_query *sq = &m->samples[j].q;
		if (sq->start < qq.start)
			qq.start = sq->start;
		if (sq->end > qq.end)
			qq.end = sq->end;
		if (sq->failed && !qq.failed) {
			qq.failed = true;
			qq.failed_stage = sq->failed_stage;
			qq.error = sq->error;
		}
		for (size_t s = 0; s < S; s++)
			ns[s] += m->ns[j * r->ns_count + s] / n;
	}
	bool warm = weft_pl_record(w, &qq, ns);
	if (r->samples && !warm)
		for (size_t j = 0; j < n; j++) {
			uint64_t *row = &m->ns[j * r->ns_count];
			row[S] = ns[S];
			weft_pl_samples_row(r->samples, (size_t)(w - r->workers), &m->samples[j].q, row);
		}
	return warm;
}

/* Multi-stream: sample q (its stage latencies in ns) finished; the last of
 * its query records the query and lets the next one start. */
static bool ms_sample_done(weft_pl_worker *w, const weft_pl_query *q, uint64_t *ns)
{
	weft_pl_run *r = w->run;
	struct weft_pl_ms *m = r->ms;
	size_t S = r->n_stages, n = r->load.samples_per_query, j = q->idx % n;
	ms_sample *sm = &m->samples[j];
	sm->q = *q;
	snprintf(sm->error, sizeof sm->error, "%s", q->error ? q->error : "");
	sm->q.error = sm->error;
	memcpy(&m->ns[j * r->ns_count], ns, S * sizeof *ns);
	sm->q.phases = &m->phases[j * S * WEFT_PL_MAX_PHASES];
	if (q->phases)
		memcpy(sm->q.phases, q->phases, S * WEFT_PL_MAX_PHASES * sizeof *q->phases);
	pthread_mutex_lock(&r->mu);
	bool last = ++r->ms_finished == n;
	pthread_mutex_unlock(&r->mu);
	bool warm = q->idx / n < r->warmup;
	if (!last)
		return warm;
	ms_record_query(w, m, ns);
	pthread_mutex_lock(&r->mu);
	r->ms_recorded = true;
	pthread_cond_broadcast(&r->ms_cv);
	pthread_mutex_unlock(&r->mu);
	return warm;
}

/* One more query done, for the progress line: the worker's own counter
 * (a shared one would be a cache line every worker writes per query). */
static void count_done(weft_pl_worker *w)
{
	atomic_store_explicit(&w->done, atomic_load_explicit(&w->done, memory_order_relaxed) + 1,
			      memory_order_relaxed);
}

/* Queries done so far by every worker of r. */
static uint64_t queries_done(const weft_pl_run *r)
{
	uint64_t n = 0;
	for (size_t i = 0; i < r->n_workers; i++)
		n += atomic_load_explicit(&r->workers[i].done, memory_order_relaxed);
	return n;
}

bool weft_pl_record(weft_pl_worker *w, const weft_pl_query *q, uint64_t *ns)
{
	weft_pl_run *r = w->run;
	if (r->ms && !q->n_samples)
		return ms_sample_done(w, q, ns);
	size_t S = r->n_stages;
	ns[S] = q->end - weft_pl_origin(r, q);
	bool warm = q->idx < r->warmup;
	if (warm) {
		if (!q->failed) {
			w->warm_n++;
			for (size_t s = 0; s <= S; s++)
				w->warm_sum[s] += (double)ns[s];
		}
		count_done(w);
		return true;
	}
	w->measured++;
	if (!w->first_start || q->start < w->first_start)
		w->first_start = q->start;
	if (q->end > w->last_end)
		w->last_end = q->end;
	if (q->server) {
		if (q->start > q->sched) {
			double late_ms = (double)(q->start - q->sched) / 1e6;
			w->late_sum_ms += late_ms;
			if (late_ms > w->late_max_ms)
				w->late_max_ms = late_ms;
			if (late_ms > r->load.late_ms)
				w->late_count++;
		}
		uint64_t wake;
		weft_pl_late why = weft_pl_late_cause(q->sched, q->ready, q->start, (uint64_t)(r->load.late_ms * 1e6), &wake);
		w->late_busy += why == WEFT_PL_LATE_BUSY;
		w->late_wakeup += why == WEFT_PL_LATE_WAKEUP;
		double wake_ms = (double)wake / 1e6;
		w->wake_sum_ms += wake_ms;
		w->wake_n++;
		if (wake_ms > w->wake_max_ms)
			w->wake_max_ms = wake_ms;
	}
	if (q->failed) {
		w->errors++;
		note_error(w, q->failed_stage, q->error && q->error[0] ? q->error : "failed");
	} else {
		record_ok(w, q, ns);
	}
	weft_pl_ts_record(w->ts, q->end > r->t0_ns ? q->end - r->t0_ns : 0, ns[S], q->failed);
	if (r->samples && !q->n_samples)
		weft_pl_samples_row(r->samples, (size_t)(w - r->workers), q, ns);
	count_done(w);
	return false;
}

uint64_t weft_pl_stage_seed(const weft_pl_run *r, uint64_t idx, size_t stage)
{
	uint64_t seed = r->seed ^ (idx * UINT64_C(0x9e3779b97f4a7c15)) ^
			((uint64_t)(stage + 1) * UINT64_C(0xd1b54a32d192ed03));
	weft_pipelines_rng_next(&seed);
	return seed;
}

void weft_pl_record_phases(weft_pl_worker *w, weft_pl_query *q, size_t stage, const weft_pl_outcome *o)
{
	for (size_t p = 0; p < o->n_phases && p < WEFT_PL_MAX_PHASES; p++) {
		if (w->phase[stage][p])
			weft_pipelines_hist_record(w->phase[stage][p], o->phase_ns[p]);
		if (q->phases)
			q->phases[stage * WEFT_PL_MAX_PHASES + p] = o->phase_ns[p];
	}
}

static void run_query(weft_pl_worker *w, uint64_t idx, uint64_t sched, bool server, uint64_t q_begin)
{
	weft_pl_run *r = w->run;
	size_t S = r->n_stages;
	uint64_t *ns = w->scratch;
	uint64_t slept = 0;
	weft_pl_query q = { .idx = idx, .sched = sched, .server = server, .phases = w->scratch_phases };
	if (server) {
		q.ready = weft_now_ns();
		if (sched > q.ready) {
			weft_pl_sleep_until(sched);
			slept = weft_now_ns() - q.ready;
		}
	}
	q.start = weft_now_ns();
	uint64_t t = q.start;
	weft_pl_outcome o;
	for (size_t s = 0; s < S; s++) {
		memset(&o, 0, sizeof o);
		o.query = idx;
		r->ops[s]->run(w->stage_state[s], r->shared[s], &r->spec->stages[s], weft_pl_stage_seed(r, idx, s), &o);
		uint64_t t2 = weft_now_ns();
		ns[s] = o.ns ? o.ns : t2 - t;
		if (o.failed) {
			q.failed = true;
			q.failed_stage = s;
			q.error = o.error;
			break;
		}
		weft_pl_record_phases(w, &q, s, &o);
		t = t2;
	}
	q.end = weft_now_ns();
	bool warm = weft_pl_record(w, &q, ns);
	uint64_t q_end = weft_now_ns();
	/* the harness's own share: everything but stages and intended sleep */
	uint64_t busy = q_end - q_begin;
	uint64_t stages = q.end - q.start;
	uint64_t over = busy > stages + slept ? busy - stages - slept : 0;
	if (!warm)
		weft_pipelines_hist_record(w->overhead, over);
}

static void *worker_main(void *arg)
{
	weft_pl_worker *w = arg;
	weft_pl_run *r = w->run;
#ifdef PR_SET_TIMERSLACK
	/* wake from sleeps on time: the default 50 us slack would show in every delay */
	prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
#endif
	for (;;) {
		uint64_t q_begin = weft_now_ns();
		uint64_t idx, sched;
		bool server;
		if (!weft_pl_take(r, &idx, &sched, &server))
			break;
		if (r->ms && sched > q_begin)
			q_begin = sched; /* waiting for the previous query is not the harness's cost */
		run_query(w, idx, sched, server, q_begin);
	}
	atomic_fetch_sub(&r->active, 1);
	return NULL;
}

/* ---- setup and teardown -------------------------------------------------------- */

static void worker_free(weft_pl_run *r, weft_pl_worker *w)
{
	if (w->stage_state)
		for (size_t s = 0; s < r->n_stages; s++)
			if (w->stage_state[s])
				r->ops[s]->worker_free(w->stage_state[s]);
	free(w->stage_state);
	if (w->hist)
		for (size_t s = 0; s < r->ns_count; s++)
			weft_pipelines_hist_free(w->hist[s]);
	free(w->hist);
	if (w->phase) {
		for (size_t s = 0; s < r->n_stages; s++)
			for (size_t p = 0; p < WEFT_PL_MAX_PHASES; p++)
				weft_pipelines_hist_free(w->phase[s][p]);
		free(w->phase);
	}
	weft_pipelines_hist_free(w->overhead);
	free(w->warm_sum);
	free(w->scratch);
	free(w->scratch_phases);
	for (size_t i = 0; i < w->n_chunks; i++)
		free(w->row_chunks[i]);
	free(w->row_chunks);
	free(w->errs);
	weft_pl_ts_cur_free(w->ts);
	weft_pl_events_free(w);
}

/* Worker i of the run: its histograms and, with threads, its own stage
 * workers; an event loop gets its share of the slots instead. */
static int worker_init(weft_pl_run *r, weft_pl_worker *w, size_t i, weft_diags *d)
{
	w->run = r;
	size_t S = r->n_stages;
	if (!(w->stage_state = calloc(S, sizeof *w->stage_state)) ||
	    !(w->hist = calloc(r->ns_count, sizeof *w->hist)) ||
	    !(w->phase = calloc(S, sizeof *w->phase)) ||
	    !(w->warm_sum = calloc(r->ns_count, sizeof *w->warm_sum)) ||
	    !(w->scratch = calloc(r->ns_count, sizeof *w->scratch)) ||
	    !(w->scratch_phases = calloc(S * WEFT_PL_MAX_PHASES, sizeof *w->scratch_phases)) ||
	    weft_pipelines_hist_new(&w->overhead) || weft_pl_ts_cur_new(&w->ts, r->ts))
		return WEFT_ENOMEM;
	for (size_t s = 0; s < r->ns_count; s++)
		if (weft_pipelines_hist_new(&w->hist[s]))
			return WEFT_ENOMEM;
	for (size_t s = 0; s < S; s++) {
		const char *const *ph = r->ops[s]->phases;
		for (size_t p = 0; ph && ph[p] && p < WEFT_PL_MAX_PHASES; p++)
			if (weft_pipelines_hist_new(&w->phase[s][p]))
				return WEFT_ENOMEM;
		if (r->events)
			continue;
		int err = r->ops[s]->worker_new(&w->stage_state[s], r->shared[s], &r->spec->stages[s], d);
		if (err)
			return err;
	}
	if (r->events) {
		size_t share = r->slots / r->n_workers + (i < r->slots % r->n_workers);
		return weft_pl_events_init(w, share, d);
	}
	return WEFT_OK;
}

static void run_free(weft_pl_run *r)
{
	weft_pl_samples_abort(r->samples);
	r->samples = NULL;
	if (r->workers)
		for (size_t i = 0; i < r->n_workers; i++)
			worker_free(r, &r->workers[i]);
	free(r->workers);
	if (r->shared)
		for (size_t s = 0; s < r->n_stages; s++)
			if (r->shared[s])
				r->ops[s]->shared_free(r->shared[s]);
	free(r->shared);
	free(r->ops);
	if (r->ms) {
		free(r->ms->samples);
		free(r->ms->ns);
		free(r->ms->phases);
		free(r->ms);
	}
	pthread_cond_destroy(&r->ms_cv);
	weft_pl_ts_free(r->ts);
	pthread_mutex_destroy(&r->mu);
}

/* Multi-stream: the collector of the query in flight; none in flight yet. */
static int ms_new(weft_pl_run *r)
{
	size_t n = r->load.samples_per_query;
	if (!(r->ms = calloc(1, sizeof *r->ms)) || !(r->ms->samples = calloc(n, sizeof *r->ms->samples)) ||
	    !(r->ms->ns = calloc(n * r->ns_count, sizeof *r->ms->ns)) ||
	    !(r->ms->phases = calloc(n * r->n_stages * WEFT_PL_MAX_PHASES + 1, sizeof *r->ms->phases)))
		return WEFT_ENOMEM;
	r->ms_handed = n;
	r->ms_recorded = true;
	return WEFT_OK;
}

/* The queries a server run schedules, and an offline job issues at once:
 * the rate (offline: the expected throughput, LoadGen's rule) over the
 * duration, at least min_queries; min_queries without a rate. */
static uint64_t queries_by_rate(const weft_pipelines_load *l)
{
	double by_rate = l->rate > 0 ? ceil(l->rate * l->duration_ms / 1e3) : 0;
	if (by_rate > 1e12)
		by_rate = 1e12;
	return by_rate > (double)l->min_queries ? (uint64_t)by_rate : l->min_queries;
}

static size_t cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (size_t)n : 1;
}

/* Run one round: spawn the workers, report progress, join. */
static int run_round(weft_pl_run *r, const weft_pipelines_run_opts *o, uint64_t expected,
		     bool count_based, weft_diags *d)
{
	atomic_store(&r->active, r->n_workers);
	size_t started = 0;
	int err = WEFT_OK;
	for (; started < r->n_workers; started++) {
		if (pthread_create(&r->workers[started].thread, NULL, r->events ? weft_pl_events_main : worker_main,
				   &r->workers[started])) {
			weft_diags_add(d, WEFT_SEV_ERROR, NULL, 0, 0, "lower load.concurrency",
				       "cannot start worker thread %zu: %s", started + 1, strerror(errno));
			err = WEFT_EENV;
			/* stop the others: nothing more is handed out */
			pthread_mutex_lock(&r->mu);
			r->limit = 0;
			pthread_mutex_unlock(&r->mu);
			atomic_fetch_sub(&r->active, r->n_workers - started);
			break;
		}
	}
	uint64_t round_start = weft_now_ns();
	uint64_t done0 = queries_done(r);
	while (atomic_load(&r->active) > 0) {
		struct timespec ts = { 0, 50 * 1000000L };
		nanosleep(&ts, NULL);
		if (o && o->progress) {
			if (count_based)
				o->progress(o->progress_ctx, queries_done(r) - done0, expected);
			else
				o->progress(o->progress_ctx, (weft_now_ns() - round_start) / 1000000u, expected);
		}
	}
	for (size_t i = 0; i < started; i++)
		pthread_join(r->workers[i].thread, NULL);
	return err;
}

/* What carries the http stages' requests (weft_pipelines_result's
 * http_client). The threaded engine's are libcurl's. */
static const char *http_client(const weft_pl_run *r)
{
	bool own = false, curl = false;
	if (r->events) {
		weft_pl_events_clients(&r->workers[0], &own, &curl);
	} else {
		for (size_t s = 0; s < r->n_stages; s++)
			curl = curl || r->spec->stages[s].kind == WEFT_STAGE_HTTP;
	}
	return own && curl ? "weft and libcurl" : own ? "weft" : curl ? "libcurl" : NULL;
}

/* --shard i/N: this run's part of the whole. Arrivals are a Poisson
 * process thinned N ways (each part at rate / N with its own seed, derived
 * from load.seed, which the report keeps, so the parts together are a
 * Poisson process at the whole rate); workers, the queries asked for and an
 * offline job's rows are divided as evenly as they go. Returns the seed. */
static uint64_t split_shard(weft_pipelines_load *l)
{
	if (l->shard_count <= 1)
		return l->seed;
	uint64_t n = l->shard_count, i = l->shard_index;
	l->rate /= (double)n;
	size_t c = l->concurrency / (size_t)n + (i < l->concurrency % n);
	l->concurrency = c ? c : 1;
	l->min_queries = (l->min_queries + n - 1) / n;
	if (l->rows)
		l->rows = l->rows / n + (i < l->rows % n);
	uint64_t seed = l->seed ^ ((i + 1) * UINT64_C(0x9e3779b97f4a7c15));
	return weft_pipelines_rng_next(&seed);
}

int weft_pipelines_run(weft_pipelines_result **out, const weft_pipelines_spec *spec,
		       const weft_pipelines_run_opts *opts, weft_diags *d)
{
	*out = NULL;
	int err = weft_pipelines_load_check(spec, d);
	if (err)
		return err;
	weft_pl_run r;
	memset(&r, 0, sizeof r);
	pthread_mutex_init(&r.mu, NULL);
	pthread_cond_init(&r.ms_cv, NULL);
	r.spec = spec;
	r.load = spec->load;
	r.n_stages = spec->n_stages;
	r.ns_count = spec->n_stages + 1;
	r.warmup = r.load.warmup;
	r.max_rows = opts && opts->max_samples ? opts->max_samples : 1000000;
	switch (r.load.scenario) {
	case WEFT_SCENARIO_SINGLE_STREAM:
		r.load.concurrency = 1;
		break;
	case WEFT_SCENARIO_SERVER:
		if (!r.load.concurrency)
			r.load.concurrency = 16;
		break;
	case WEFT_SCENARIO_OFFLINE:
		if (!r.load.concurrency)
			r.load.concurrency = cpus();
		break;
	case WEFT_SCENARIO_CONCURRENCY:
		if (!r.load.concurrency)
			r.load.concurrency = 1;
		break;
	case WEFT_SCENARIO_MULTI_STREAM:
		if (!r.load.samples_per_query)
			r.load.samples_per_query = 8;
		r.load.concurrency = r.load.samples_per_query;
		break;
	}
	if (!r.load.rows_per_query) {
		r.load.rows_per_query = 1;
		for (size_t s = 0; s < spec->n_stages; s++)
			if (spec->stages[s].kind == WEFT_STAGE_MODEL && spec->stages[s].model.batch > r.load.rows_per_query)
				r.load.rows_per_query = spec->stages[s].model.batch;
	}
	if (!(r.ops = calloc(r.n_stages, sizeof *r.ops)) || !(r.shared = calloc(r.n_stages, sizeof *r.shared))) {
		run_free(&r);
		return WEFT_ENOMEM;
	}
	for (size_t s = 0; s < r.n_stages; s++)
		r.ops[s] = ops_of(spec->stages[s].kind);
	/* http only: a few event loops carry every query in flight */
	r.events = weft_pl_events_usable(&r);
	r.seed = split_shard(&r.load);
	r.n_workers = r.load.concurrency;
	if (r.events) {
		r.slots = r.load.concurrency;
		size_t loops = r.load.threads ? r.load.threads : cpus();
		r.n_workers = loops < r.slots ? loops : r.slots;
		if (r.load.scenario == WEFT_SCENARIO_MULTI_STREAM)
			r.n_workers = 1; /* one loop holds every sample of the query in flight */
	}
	if (r.load.scenario == WEFT_SCENARIO_MULTI_STREAM && ms_new(&r)) {
		run_free(&r);
		return WEFT_ENOMEM;
	}
	/* each worker on cache lines of its own: they write their counters per query */
	if (!(r.workers = aligned_alloc(WEFT_PL_CACHE_LINE, r.n_workers * sizeof *r.workers)) ||
	    (memset(r.workers, 0, r.n_workers * sizeof *r.workers), weft_pl_ts_new(&r.ts))) {
		run_free(&r);
		return WEFT_ENOMEM;
	}
	for (size_t s = 0; s < r.n_stages && !err; s++)
		err = r.ops[s]->shared_new(&r.shared[s], &spec->stages[s], spec, d);
	for (size_t i = 0; i < r.n_workers && !err; i++)
		err = worker_init(&r, &r.workers[i], i, d);
	if (!err)
		r.http_client = http_client(&r);
	if (!err && opts && opts->samples)
		err = weft_pl_samples_open(&r.samples, &r, opts->samples, opts->samples_jsonl, opts->samples_force, d);
	if (err) {
		run_free(&r);
		return err;
	}

	weft_pipelines_result *res = calloc(1, sizeof *res);
	if (!res) {
		run_free(&r);
		return WEFT_ENOMEM;
	}
	weft_pl_clocks_begin(&r.clocks);
	time_t wall = time(NULL);
	struct tm tm;
	gmtime_r(&wall, &tm);
	strftime(res->started_at, sizeof res->started_at, "%Y-%m-%dT%H:%M:%SZ", &tm);

	/* round 1 */
	uint64_t t0 = weft_now_ns();
	r.t0_ns = t0;
	r.arrival_rng = r.seed ^ UINT64_C(0x5851f42d4c957f2d);
	bool server = r.load.scenario == WEFT_SCENARIO_SERVER;
	bool offline = r.load.scenario == WEFT_SCENARIO_OFFLINE;
	uint64_t expected;
	if (offline) {
		/* the warm-up first, on its own; then the job, all at once at t0 */
		r.limit = r.warmup;
		r.sched0_ns = t0;
		r.hard_stop_ns = UINT64_MAX;
		if (r.warmup)
			err = run_round(&r, opts, r.warmup, true, d);
		t0 = weft_now_ns();
		r.t0_ns = r.sched0_ns = t0;
		r.limit = r.warmup + queries_by_rate(&r.load);
		expected = r.limit - r.warmup;
	} else if (server) {
		r.limit = r.warmup + queries_by_rate(&r.load);
		r.sched0_ns = t0;
		r.arrival_ns = 0;
		expected = r.limit;
	} else {
		r.limit = UINT64_MAX;
		r.min_handed = r.warmup + r.load.min_queries;
		r.soft_stop_ns = t0 + (uint64_t)(r.load.duration_ms * 1e6);
		expected = (uint64_t)r.load.duration_ms;
	}
	uint64_t hard_ms = r.load.max_duration_ms > 0 ? (uint64_t)r.load.max_duration_ms : 0;
	if (server && !hard_ms)
		hard_ms = (uint64_t)(r.load.duration_ms * 2 + 10000);
	r.hard_stop_ns = hard_ms ? t0 + hard_ms * 1000000u : UINT64_MAX;
	if (!server && hard_ms && r.soft_stop_ns > r.hard_stop_ns)
		r.soft_stop_ns = r.hard_stop_ns;
	if (!err)
		err = run_round(&r, opts, expected, server || offline, d);
	if (!err && (server || offline) && r.next < r.limit)
		r.dropped += r.limit - r.next;

	/* extend while undecided and time allows */
	for (unsigned round = 0; !err; round++) {
		err = weft_pl_build_result(res, &r);
		if (err || round >= 20 || !r.load.max_duration_ms || offline)
			break;
		uint64_t need = weft_pl_result_need_more(res);
		uint64_t now = weft_now_ns();
		if (!need || now + 1000000u >= r.hard_stop_ns)
			break;
		if (need == UINT64_MAX || need > UINT64_C(1000000000000))
			break;
		res->extensions++;
		/* ask for a little more than the estimate: it is "about" N */
		need += need / 10 + 1;
		pthread_mutex_lock(&r.mu);
		if (server) {
			r.limit = r.next + need;
			r.sched0_ns = now;
			r.arrival_ns = 0;
		} else {
			r.min_handed = r.next + need;
			r.soft_stop_ns = now; /* count-based from here */
		}
		pthread_mutex_unlock(&r.mu);
		uint64_t before = r.next;
		err = run_round(&r, opts, need, true, d);
		if (!err && server && r.next < r.limit)
			r.dropped += r.limit - r.next;
		if (r.next == before)
			break;
	}
	if (!err) {
		weft_pl_clocks_end(&r.clocks);
		weft_pl_finish_notes(res, &r);
	}
	if (r.samples) {
		if (!err)
			err = weft_pl_samples_commit(r.samples, d);
		else
			weft_pl_samples_abort(r.samples);
		r.samples = NULL;
	}
	run_free(&r);
	if (err) {
		weft_pipelines_result_free(res);
		return err;
	}
	*out = res;
	return WEFT_OK;
}
