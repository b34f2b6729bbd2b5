/* timeseries.c - the run second by second: queries, errors, p50 and p99.
 *
 * Design: a query belongs to the second in which it completed, counted
 * from the run's start (t0) on the monotonic clock, so that the series
 * shows the rate the pipeline delivered, and shards started together
 * (--start-at) line up by second. Rounds of an extended run continue on
 * the same clock. Only measured queries count (not the warm-up); dropped
 * ones (never sent) belong to no second.
 *
 * The hot path is a worker's: it counts its current second alone (queries,
 * errors, and a dense histogram of uint32 counts, 2.5 KiB), no lock and no
 * allocation. When a query of another second comes, which is about once a
 * second, it adds that second into the run's under the run's lock and
 * starts afresh. The run keeps each second sparse, (bucket, count) pairs
 * of its non-empty buckets, so memory grows with the run's length times
 * the spread of its latencies, not with the workers: at most 640 pairs
 * (8 bytes each) a second, typically a few dozen to a few hundred.
 *
 * The histogram is a coarse cousin of hist.c's: values below 32 ns are
 * exact, each power of two above is cut into 16 buckets (midpoint within
 * 1/32, finer than the sampling noise of one second's p99), up to 2^43 ns.
 * p50 and p99 are the midpoints of the buckets that hold the order
 * statistics x(ceil(q n)); a merge recomputes them from the summed buckets
 * the same way.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "load_int.h"

#define SUB_BITS 4                          /* 16 buckets per power of two */
#define SUB (1u << SUB_BITS)
#define LINEAR (2u * SUB)                   /* values < 32 are exact */
#define MAX_EXP 42
#define TOP_VALUE ((UINT64_C(1) << (MAX_EXP + 1)) - 1)
/* A second past this (116 days) is not recorded: a clock gone wrong. */
#define MAX_SECONDS 10000000u

_Static_assert(LINEAR + (MAX_EXP - SUB_BITS) * SUB == WEFT_PL_TS_BUCKETS, "bucket count");

size_t weft_pl_ts_bucket(uint64_t ns)
{
	if (ns < LINEAR)
		return (size_t)ns;
	if (ns > TOP_VALUE)
		ns = TOP_VALUE;
	unsigned e = 63u - (unsigned)__builtin_clzll(ns);
	return LINEAR + (size_t)(e - SUB_BITS - 1) * SUB + (size_t)((ns >> (e - SUB_BITS)) - SUB);
}

uint64_t weft_pl_ts_value(size_t bucket)
{
	if (bucket < LINEAR)
		return bucket;
	size_t k = bucket - LINEAR;
	unsigned shift = (unsigned)(k / SUB) + 1;
	return ((SUB + k % SUB) << shift) + (UINT64_C(1) << (shift - 1));
}

typedef struct {
	uint32_t bucket, count;
} pair;

typedef struct {
	uint64_t queries, errors;
	pair *b;                    /* non-empty buckets, in increasing order */
	size_t n;
} second;

struct weft_pl_ts {
	pthread_mutex_t mu;
	second *sec;                /* every second from t0 to the last recorded */
	size_t n_sec, cap_sec;
	bool oom;
};

struct weft_pl_ts_cur {
	weft_pl_ts *ts;
	uint64_t sec;               /* the second being counted; UINT64_MAX: none */
	uint64_t queries, errors;
	size_t lo, hi;              /* the buckets touched (lo > hi: none) */
	uint32_t counts[WEFT_PL_TS_BUCKETS];
};

int weft_pl_ts_new(weft_pl_ts **out)
{
	*out = calloc(1, sizeof **out);
	if (!*out)
		return WEFT_ENOMEM;
	pthread_mutex_init(&(*out)->mu, NULL);
	return WEFT_OK;
}

void weft_pl_ts_free(weft_pl_ts *ts)
{
	if (!ts)
		return;
	for (size_t i = 0; i < ts->n_sec; i++)
		free(ts->sec[i].b);
	free(ts->sec);
	pthread_mutex_destroy(&ts->mu);
	free(ts);
}

static void cur_reset(weft_pl_ts_cur *c)
{
	c->sec = UINT64_MAX;
	c->queries = c->errors = 0;
	c->lo = WEFT_PL_TS_BUCKETS;
	c->hi = 0;
}

int weft_pl_ts_cur_new(weft_pl_ts_cur **out, weft_pl_ts *ts)
{
	*out = calloc(1, sizeof **out);
	if (!*out)
		return WEFT_ENOMEM;
	(*out)->ts = ts;
	cur_reset(*out);
	return WEFT_OK;
}

void weft_pl_ts_cur_free(weft_pl_ts_cur *c)
{
	free(c);
}

/* Second i of the run (created, with those before it, when new); NULL when
 * out of memory. Under ts->mu. */
static second *second_at(weft_pl_ts *ts, uint64_t i)
{
	if (i >= MAX_SECONDS)
		return NULL;
	if (i >= ts->n_sec) {
		if (i >= ts->cap_sec) {
			size_t cap = ts->cap_sec ? ts->cap_sec : 64;
			while (cap <= i)
				cap *= 2;
			second *s = realloc(ts->sec, cap * sizeof *s);
			if (!s)
				return NULL;
			ts->sec = s;
			ts->cap_sec = cap;
		}
		memset(&ts->sec[ts->n_sec], 0, (size_t)(i + 1 - ts->n_sec) * sizeof *ts->sec);
		ts->n_sec = (size_t)i + 1;
	}
	return &ts->sec[i];
}

/* Add c's buckets into s's sparse ones (both in increasing order). */
static bool add_buckets(second *s, const weft_pl_ts_cur *c)
{
	size_t nz = 0;
	for (size_t j = c->lo; j <= c->hi; j++)
		nz += c->counts[j] != 0;
	pair *m = malloc((s->n + nz) * sizeof *m);
	if (!m)
		return false;
	size_t i = 0, k = 0;
	for (size_t j = c->lo; j <= c->hi; j++) {
		if (!c->counts[j])
			continue;
		while (i < s->n && s->b[i].bucket < j)
			m[k++] = s->b[i++];
		if (i < s->n && s->b[i].bucket == j)
			m[k++] = (pair){ (uint32_t)j, s->b[i++].count + c->counts[j] };
		else
			m[k++] = (pair){ (uint32_t)j, c->counts[j] };
	}
	while (i < s->n)
		m[k++] = s->b[i++];
	free(s->b);
	s->b = m;
	s->n = k;
	return true;
}

/* Add c's second into the run's and start afresh. */
static void cur_flush(weft_pl_ts_cur *c)
{
	if (!c->queries)
		return;
	weft_pl_ts *ts = c->ts;
	pthread_mutex_lock(&ts->mu);
	second *s = second_at(ts, c->sec);
	if (s) {
		s->queries += c->queries;
		s->errors += c->errors;
	}
	if (!s || (c->lo <= c->hi && !add_buckets(s, c)))
		ts->oom = c->sec < MAX_SECONDS;
	pthread_mutex_unlock(&ts->mu);
	if (c->lo <= c->hi)
		memset(&c->counts[c->lo], 0, (c->hi - c->lo + 1) * sizeof c->counts[0]);
	cur_reset(c);
}

void weft_pl_ts_record(weft_pl_ts_cur *c, uint64_t at_ns, uint64_t ns, bool failed)
{
	uint64_t sec = at_ns / 1000000000u;
	if (sec != c->sec) {
		cur_flush(c);
		c->sec = sec;
	}
	c->queries++;
	if (failed) {
		c->errors++;
		return;
	}
	size_t b = weft_pl_ts_bucket(ns);
	c->counts[b]++;
	if (b < c->lo)
		c->lo = b;
	if (b > c->hi)
		c->hi = b;
}

/* ---- into the result --------------------------------------------------------- */

void weft_pl_seconds_clear(weft_pipelines_result *res)
{
	for (size_t i = 0; i < res->n_seconds; i++)
		free(res->seconds[i].buckets);
	free(res->seconds);
	res->seconds = NULL;
	res->n_seconds = 0;
}

/* The value of the rank-th smallest of s's successful queries (1-based). */
static double at_rank_ms(const weft_pipelines_second *s, uint64_t rank)
{
	uint64_t seen = 0;
	for (size_t i = 0; i < s->n_buckets; i++) {
		seen += s->buckets[i].count;
		if (seen >= rank)
			return (double)s->buckets[i].value_ns / 1e6;
	}
	return NAN;
}

void weft_pl_second_finish(weft_pipelines_second *s)
{
	uint64_t n = 0;
	for (size_t i = 0; i < s->n_buckets; i++)
		n += s->buckets[i].count;
	s->rate_qps = s->span_s > 0 ? (double)s->queries / s->span_s : NAN;
	s->p50_ms = n ? at_rank_ms(s, weft_pipelines_quantile_rank(n, 0.5)) : NAN;
	s->p99_ms = n ? at_rank_ms(s, weft_pipelines_quantile_rank(n, 0.99)) : NAN;
}

bool weft_pl_second_set(weft_pipelines_second *s, uint64_t *counts)
{
	size_t nz = 0;
	for (size_t i = 0; i < WEFT_PL_TS_BUCKETS; i++)
		nz += counts[i] != 0;
	weft_pipelines_tbucket *b = malloc((nz ? nz : 1) * sizeof *b);
	if (!b)
		return false;
	size_t k = 0;
	for (size_t i = 0; i < WEFT_PL_TS_BUCKETS; i++)
		if (counts[i]) {
			b[k++] = (weft_pipelines_tbucket){ weft_pl_ts_value(i), counts[i] };
			counts[i] = 0;
		}
	free(s->buckets);
	s->buckets = b;
	s->n_buckets = k;
	return true;
}

int weft_pl_ts_result(weft_pipelines_result *res, weft_pl_run *r)
{
	weft_pl_seconds_clear(res);
	weft_pl_ts *ts = r->ts;
	uint64_t last_end = 0;
	for (size_t i = 0; i < r->n_workers; i++) {
		cur_flush(r->workers[i].ts);
		if (r->workers[i].last_end > last_end)
			last_end = r->workers[i].last_end;
	}
	if (ts->oom)
		return WEFT_ENOMEM;
	size_t first = 0, end = ts->n_sec;
	while (first < end && !ts->sec[first].queries)
		first++;
	if (first == end)
		return WEFT_OK;
	res->seconds = calloc(end - first, sizeof *res->seconds);
	if (!res->seconds)
		return WEFT_ENOMEM;
	res->n_seconds = end - first;
	double end_s = last_end > r->t0_ns ? (double)(last_end - r->t0_ns) / 1e9 : 0;
	for (size_t i = first; i < end; i++) {
		const second *s = &ts->sec[i];
		weft_pipelines_second *o = &res->seconds[i - first];
		o->t_s = i;
		o->span_s = fmax(fmin(1.0, end_s - (double)i), 1e-6);
		o->queries = s->queries;
		o->errors = s->errors;
		o->buckets = malloc((s->n ? s->n : 1) * sizeof *o->buckets);
		if (!o->buckets)
			return WEFT_ENOMEM;
		for (size_t k = 0; k < s->n; k++)
			o->buckets[k] = (weft_pipelines_tbucket){ weft_pl_ts_value(s->b[k].bucket), s->b[k].count };
		o->n_buckets = s->n;
		weft_pl_second_finish(o);
	}
	return WEFT_OK;
}
