/* hist.c - the log-linear latency histogram (HdrHistogram's layout, our code).
 *
 * Design: memory must stay bounded on runs of any length, and every value
 * read back must be within 0.1% of the one recorded. Values below 1024 ns get
 * one bucket each (exact, since we record integer nanoseconds). From 1024 ns
 * up, the power-of-two range [2^e, 2^(e+1)) is cut into 512 buckets of width
 * 2^(e-9); reading back the bucket's midpoint errs by at most half a width,
 * 2^(e-10) <= v / 1024. Exponents up to 42 are kept (values up to ~2.4 h);
 * larger values go to the top bucket and are counted as clamped. Exact
 * count, min, max and a Welford mean/variance ride along.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "weft_pipelines.h"

#define SUB_BITS 9                       /* 512 buckets per power of two */
#define SUB (1u << SUB_BITS)
#define LINEAR (2u * SUB)                /* values < 1024 are exact */
#define MAX_EXP 42                       /* last power-of-two range kept */
#define N_BUCKETS (LINEAR + (MAX_EXP - 10 + 1) * SUB)
#define TOP_VALUE ((UINT64_C(1) << (MAX_EXP + 1)) - 1)

struct weft_pipelines_hist {
	uint64_t counts[N_BUCKETS];
	uint64_t total, min, max, clamped;
	double mean, m2; /* Welford, in ns */
};

int weft_pipelines_hist_new(weft_pipelines_hist **out)
{
	*out = calloc(1, sizeof **out);
	return *out ? WEFT_OK : WEFT_ENOMEM;
}

void weft_pipelines_hist_free(weft_pipelines_hist *h)
{
	free(h);
}

static int floor_log2(uint64_t v)
{
	return 63 - __builtin_clzll(v);
}

static size_t bucket_of(uint64_t v)
{
	if (v < LINEAR)
		return (size_t)v;
	int e = floor_log2(v);
	unsigned shift = (unsigned)e - SUB_BITS;
	size_t sub = (size_t)(v >> shift) - SUB;
	return LINEAR + (size_t)(e - 10) * SUB + sub;
}

/* Lowest value of bucket i and its width. */
static void bucket_range(size_t i, uint64_t *lo, uint64_t *width)
{
	if (i < LINEAR) {
		*lo = i;
		*width = 1;
		return;
	}
	size_t k = i - LINEAR;
	unsigned e = (unsigned)(k / SUB) + 10;
	uint64_t sub = k % SUB;
	unsigned shift = e - SUB_BITS;
	*lo = (SUB + sub) << shift;
	*width = UINT64_C(1) << shift;
}

static uint64_t bucket_value(size_t i)
{
	uint64_t lo, w;
	bucket_range(i, &lo, &w);
	return lo + w / 2;
}

void weft_pipelines_hist_record_n(weft_pipelines_hist *h, uint64_t ns, uint64_t count)
{
	if (!count)
		return;
	if (ns > TOP_VALUE) {
		h->clamped += count;
		ns = TOP_VALUE;
	}
	h->counts[bucket_of(ns)] += count;
	if (!h->total || ns < h->min)
		h->min = ns;
	if (ns > h->max)
		h->max = ns;
	/* Welford update for count equal values at once */
	double x = (double)ns;
	uint64_t n0 = h->total;
	h->total += count;
	double delta = x - h->mean;
	h->mean += delta * (double)count / (double)h->total;
	h->m2 += delta * delta * (double)n0 * (double)count / (double)h->total;
}

void weft_pipelines_hist_record(weft_pipelines_hist *h, uint64_t ns)
{
	weft_pipelines_hist_record_n(h, ns, 1);
}

void weft_pipelines_hist_merge(weft_pipelines_hist *dst, const weft_pipelines_hist *src)
{
	if (!src->total)
		return;
	for (size_t i = 0; i < N_BUCKETS; i++)
		dst->counts[i] += src->counts[i];
	if (!dst->total || src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	/* Chan et al. parallel combination of mean and M2 */
	double na = (double)dst->total, nb = (double)src->total, n = na + nb;
	double delta = src->mean - dst->mean;
	dst->mean += delta * nb / n;
	dst->m2 += src->m2 + delta * delta * na * nb / n;
	dst->total += src->total;
	dst->clamped += src->clamped;
}

uint64_t weft_pipelines_hist_count(const weft_pipelines_hist *h)
{
	return h->total;
}

uint64_t weft_pipelines_hist_min(const weft_pipelines_hist *h)
{
	return h->total ? h->min : 0;
}

uint64_t weft_pipelines_hist_max(const weft_pipelines_hist *h)
{
	return h->max;
}

double weft_pipelines_hist_mean(const weft_pipelines_hist *h)
{
	return h->total ? h->mean : 0.0;
}

double weft_pipelines_hist_stddev(const weft_pipelines_hist *h)
{
	return h->total > 1 ? sqrt(h->m2 / (double)(h->total - 1)) : 0.0;
}

uint64_t weft_pipelines_hist_clamped(const weft_pipelines_hist *h)
{
	return h->clamped;
}

uint64_t weft_pipelines_hist_at_rank(const weft_pipelines_hist *h, uint64_t rank)
{
	if (!h->total)
		return 0;
	if (rank <= 1)
		return h->min;
	if (rank >= h->total)
		return h->max;
	uint64_t seen = 0;
	for (size_t i = 0; i < N_BUCKETS; i++) {
		seen += h->counts[i];
		if (seen >= rank) {
			uint64_t v = bucket_value(i);
			if (v < h->min)
				v = h->min;
			if (v > h->max)
				v = h->max;
			return v;
		}
	}
	return h->max;
}

uint64_t weft_pipelines_hist_count_le(const weft_pipelines_hist *h, uint64_t ns)
{
	uint64_t n = 0;
	for (size_t i = 0; i < N_BUCKETS; i++) {
		if (!h->counts[i])
			continue;
		if (bucket_value(i) > ns)
			break;
		n += h->counts[i];
	}
	return n;
}

bool weft_pipelines_hist_next(const weft_pipelines_hist *h, size_t *iter, uint64_t *value,
			      uint64_t *count)
{
	for (size_t i = *iter; i < N_BUCKETS; i++) {
		if (h->counts[i]) {
			uint64_t v = bucket_value(i);
			if (v < h->min)
				v = h->min;
			if (v > h->max)
				v = h->max;
			*value = v;
			*count = h->counts[i];
			*iter = i + 1;
			return true;
		}
	}
	*iter = N_BUCKETS;
	return false;
}
