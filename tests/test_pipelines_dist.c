/* test_pipelines_dist.c - delay distributions draw what they promise: a
 * lognormal given median and p99 has that median and p99 (in samples and in
 * its quantile function), ranges stay in range, empirical draws come from
 * the file, and a seed gives the same draws. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "weft_pipelines.h"

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

Test(dist, lognormal_from_median_and_p99)
{
	weft_pipelines_dist d;
	cr_assert_eq(weft_pipelines_dist_lognormal(&d, 40.0, 180.0), 0);
	cr_assert_float_eq(weft_pipelines_dist_quantile(&d, 0.5), 40.0, 1e-9);
	cr_assert_float_eq(weft_pipelines_dist_quantile(&d, 0.99), 180.0, 1e-6);
	enum { N = 200000 };
	double *v = malloc(N * sizeof *v);
	uint64_t rng = 12345;
	for (int i = 0; i < N; i++)
		v[i] = weft_pipelines_dist_sample(&d, &rng);
	qsort(v, N, sizeof *v, cmp);
	/* sampling error of the median and p99 at n = 200000 is well under 2% */
	cr_assert(fabs(v[N / 2] / 40.0 - 1) < 0.02, "median %g", v[N / 2]);
	cr_assert(fabs(v[(int)(0.99 * N)] / 180.0 - 1) < 0.03, "p99 %g", v[(int)(0.99 * N)]);
	free(v);
	cr_assert_eq(weft_pipelines_dist_lognormal(&d, 40.0, 39.0), WEFT_EINVALID);
	cr_assert_eq(weft_pipelines_dist_lognormal(&d, 0.0, 1.0), WEFT_EINVALID);
}

Test(dist, ranges_and_truncation)
{
	weft_pipelines_dist u = { .kind = WEFT_DIST_UNIFORM, .a = 2.0, .b = 4.0 };
	weft_pipelines_dist n = { .kind = WEFT_DIST_NORMAL, .a = 1.0, .b = 2.0 };
	uint64_t rng = 7;
	double sum = 0;
	for (int i = 0; i < 50000; i++) {
		double x = weft_pipelines_dist_sample(&u, &rng);
		cr_assert(x >= 2.0 && x <= 4.0);
		sum += x;
		cr_assert_geq(weft_pipelines_dist_sample(&n, &rng), 0.0, "a delay is never negative");
	}
	cr_assert_float_eq(sum / 50000, 3.0, 0.02);
	weft_pipelines_dist f = { .kind = WEFT_DIST_FIXED, .a = 5.0 };
	cr_assert_eq(weft_pipelines_dist_sample(&f, &rng), 5.0);
}

Test(dist, empirical_draws_from_the_file_and_seeds_repeat)
{
	weft_diags *dg;
	weft_diags_new(&dg);
	weft_pipelines_dist e;
	cr_assert_eq(weft_pipelines_dist_empirical(&e, WEFT_FIXTURES "/pipelines/samples.txt", 1.0, dg), 0);
	/* 12.5, 500us, 3, 7, 1.25ms */
	static const double want[] = { 0.5, 1.25, 3, 7, 12.5 };
	cr_assert_eq(e.n_samples, 5);
	for (int i = 0; i < 5; i++)
		cr_assert_float_eq(e.samples[i], want[i], 1e-12);
	uint64_t r1 = 99, r2 = 99;
	for (int i = 0; i < 1000; i++) {
		double x = weft_pipelines_dist_sample(&e, &r1);
		bool found = false;
		for (int k = 0; k < 5; k++)
			found |= x == want[k];
		cr_assert(found, "%g is not a sample", x);
		cr_assert_eq(x, weft_pipelines_dist_sample(&e, &r2), "same seed, same draws");
	}
	cr_assert_float_eq(weft_pipelines_dist_quantile(&e, 0.5), 3.0, 0);
	weft_pipelines_dist_clear(&e);
	weft_pipelines_dist_clear(NULL);
	weft_diags_free(dg);
}

/* Durations in text and Markdown: 3 significant digits, the unit picked
 * after rounding, whole nanoseconds, "µs", never an exponent. */
Test(dist, durations_format_at_unit_boundaries)
{
	static const struct {
		double ms;
		const char *want;
	} cases[] = {
		{ 0, "0 ns" },
		{ 999e-6, "999 ns" },
		{ 0.00009, "90 ns" },          /* was "0.09 µs" */
		{ 999.4e-6, "999 ns" },
		{ 999.6e-6, "1.00 \xc2\xb5s" },
		{ 1e-3, "1.00 \xc2\xb5s" },
		{ 0.0123, "12.3 \xc2\xb5s" },
		{ 0.850, "850 \xc2\xb5s" },
		{ 0.9994, "999 \xc2\xb5s" },
		{ 0.9995, "1.00 ms" },         /* 999.5 µs rounds up into ms */
		{ 1.0, "1.00 ms" },
		{ 12.345, "12.3 ms" },
		{ 999.4, "999 ms" },
		{ 999.6, "1.00 s" },
		{ 59.9e3, "59.9 s" },
		{ 599e3, "599 s" },
		{ 600e3, "10.0 min" },
		{ 7200e3, "2.00 h" },
		{ 1e12, "278000 h" },
		{ NAN, "-" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char buf[32];
		cr_assert_str_eq(weft_pipelines_duration_format(buf, sizeof buf, cases[i].ms, true), cases[i].want,
				 "%.17g ms", cases[i].ms);
		cr_assert_str_eq(weft_pipelines_duration_format(buf, sizeof buf, cases[i].ms, false), cases[i].want);
	}
}

/* Rates and counts: whole from 100 up, else 3 significant digits. */
Test(dist, numbers_never_use_an_exponent)
{
	static const struct {
		double v;
		const char *want;
	} cases[] = {
		{ 20120.4, "20120" },  /* was "2.012e+04" */
		{ 1e6, "1000000" },
		{ 1e15, "1000000000000000" },
		{ 100, "100" },
		{ 99.96, "100" },
		{ 99.94, "99.9" },
		{ 45.23, "45.2" },
		{ 1, "1.00" },
		{ 0.5, "0.500" },
		{ 0.0312, "0.0312" },
		{ 1e-5, "0.0000100" },
		{ 1e-12, "0" },
		{ 0, "0" },
		{ NAN, "-" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char buf[48];
		cr_assert_str_eq(weft_pipelines_number_format(buf, sizeof buf, cases[i].v), cases[i].want, "%.17g",
				 cases[i].v);
	}
}
