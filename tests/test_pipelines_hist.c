/* test_pipelines_hist.c - the log-linear histogram keeps every value it
 * reads back within 0.1% of the value recorded (checked rank by rank
 * against the sorted exact values), merges like one histogram, and keeps
 * exact counts, extremes and mean. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "weft_pipelines.h"

static uint64_t rng = 88172645463325252ULL;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

Test(hist, every_rank_within_a_tenth_of_a_percent)
{
	enum { N = 20000 };
	uint64_t *v = malloc(N * sizeof *v);
	weft_pipelines_hist *h;
	cr_assert_eq(weft_pipelines_hist_new(&h), 0);
	for (int i = 0; i < N; i++) {
		/* log-uniform from 1 ns to ~1000 s */
		double e = (double)(next() % 1000000) / 1000000.0 * 12.0;
		v[i] = (uint64_t)pow(10.0, e);
		weft_pipelines_hist_record(h, v[i]);
	}
	qsort(v, N, sizeof *v, cmp);
	cr_assert_eq(weft_pipelines_hist_count(h), N);
	cr_assert_eq(weft_pipelines_hist_min(h), v[0]);
	cr_assert_eq(weft_pipelines_hist_max(h), v[N - 1]);
	for (int r = 1; r <= N; r++) {
		uint64_t got = weft_pipelines_hist_at_rank(h, (uint64_t)r), want = v[r - 1];
		double rel = fabs((double)got - (double)want) / (double)want;
		cr_assert(rel <= 0.001, "rank %d: %llu vs %llu (%.5f%%)", r, (unsigned long long)got,
			  (unsigned long long)want, rel * 100);
		if (want < 1024)
			cr_assert_eq(got, want, "values below 1024 ns are exact");
	}
	weft_pipelines_hist_free(h);
	free(v);
}

Test(hist, documented_bound_is_tight_at_bucket_edges)
{
	/* the worst case: the lowest value of a wide bucket, read back as the midpoint */
	weft_pipelines_hist *h;
	weft_pipelines_hist_new(&h);
	uint64_t v = 1u << 20; /* bucket width 2^11 = 2048 */
	weft_pipelines_hist_record(h, v);
	weft_pipelines_hist_record(h, v + 2047);
	weft_pipelines_hist_record(h, v + 2047);
	uint64_t got = weft_pipelines_hist_at_rank(h, 2);
	cr_assert_eq(got, v + 1024, "midpoint of [2^20, 2^20 + 2048)");
	cr_assert_leq(fabs((double)got - (double)v) / (double)v, WEFT_PIPELINES_HIST_REL_ERROR);
	cr_assert_leq(WEFT_PIPELINES_HIST_REL_ERROR, 0.001);
	weft_pipelines_hist_free(h);
}

Test(hist, mean_stddev_and_merge)
{
	weft_pipelines_hist *a, *b, *all;
	weft_pipelines_hist_new(&a);
	weft_pipelines_hist_new(&b);
	weft_pipelines_hist_new(&all);
	double sum = 0, sum2 = 0;
	int n = 0;
	for (int i = 1; i <= 1000; i++) {
		uint64_t x = (uint64_t)i * 1000 + (next() % 977);
		weft_pipelines_hist_record(i % 3 ? a : b, x);
		weft_pipelines_hist_record(all, x);
		sum += (double)x;
		sum2 += (double)x * (double)x;
		n++;
	}
	weft_pipelines_hist_merge(a, b);
	double mean = sum / n, var = (sum2 - n * mean * mean) / (n - 1);
	cr_assert_eq(weft_pipelines_hist_count(a), 1000);
	cr_assert_float_eq(weft_pipelines_hist_mean(a), mean, 1e-6 * mean);
	cr_assert_float_eq(weft_pipelines_hist_stddev(a), sqrt(var), 1e-6 * sqrt(var));
	cr_assert_eq(weft_pipelines_hist_min(a), weft_pipelines_hist_min(all));
	cr_assert_eq(weft_pipelines_hist_max(a), weft_pipelines_hist_max(all));
	for (uint64_t r = 1; r <= 1000; r += 37)
		cr_assert_eq(weft_pipelines_hist_at_rank(a, r), weft_pipelines_hist_at_rank(all, r));
	/* walking the buckets sees every value once */
	size_t it = 0;
	uint64_t v, c, total = 0, last = 0;
	while (weft_pipelines_hist_next(a, &it, &v, &c)) {
		cr_assert_geq(v, last);
		last = v;
		total += c;
	}
	cr_assert_eq(total, 1000);
	weft_pipelines_hist_free(a);
	weft_pipelines_hist_free(b);
	weft_pipelines_hist_free(all);
}

Test(hist, count_le_and_clamping)
{
	weft_pipelines_hist *h;
	weft_pipelines_hist_new(&h);
	for (uint64_t i = 1; i <= 100; i++)
		weft_pipelines_hist_record(h, i * 100);
	cr_assert_eq(weft_pipelines_hist_count_le(h, 1000), 10);
	cr_assert_eq(weft_pipelines_hist_count_le(h, 999), 9);
	cr_assert_eq(weft_pipelines_hist_count_le(h, 0), 0);
	cr_assert_eq(weft_pipelines_hist_clamped(h), 0);
	weft_pipelines_hist_record(h, UINT64_MAX);
	cr_assert_eq(weft_pipelines_hist_clamped(h), 1);
	cr_assert_eq(weft_pipelines_hist_count(h), 101);
	weft_pipelines_hist_record_n(h, 5000, 10);
	cr_assert_eq(weft_pipelines_hist_count(h), 111);
	weft_pipelines_hist_free(h);
	weft_pipelines_hist_free(NULL);
}
