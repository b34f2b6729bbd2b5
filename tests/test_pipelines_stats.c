/* test_pipelines_stats.c - the statistics behind every verdict, checked
 * against values computed here independently: binomial tails by summing the
 * pmf term by term in long double (no incomplete beta), textbook ranks for
 * the median, closed forms for Clopper-Pearson at the edges, and the
 * LoadGen 459-query fact from 0.99^n directly. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "weft_pipelines.h"

/* pmf of Binomial(n, p) for k = 0..n by the ratio recurrence. */
static long double *pmf(uint64_t n, long double p)
{
	long double *v = calloc(n + 1, sizeof *v);
	cr_assert_not_null(v);
	/* start from the mode to stay clear of underflow, then walk both ways */
	uint64_t m = (uint64_t)floorl((long double)(n + 1) * p);
	if (m > n)
		m = n;
	long double logm = lgammal((long double)n + 1) - lgammal((long double)m + 1) -
			   lgammal((long double)(n - m) + 1) + (long double)m * logl(p) +
			   (long double)(n - m) * logl(1 - p);
	v[m] = expl(logm);
	for (uint64_t k = m; k < n; k++)
		v[k + 1] = v[k] * (long double)(n - k) / (long double)(k + 1) * p / (1 - p);
	for (uint64_t k = m; k > 0; k--)
		v[k - 1] = v[k] * (long double)k / (long double)(n - k + 1) * (1 - p) / p;
	return v;
}

/* The interval's ranks by the definition, from summed pmf terms. */
static void ranks_by_sum(uint64_t *lo, uint64_t *hi, uint64_t n, double p, double conf)
{
	long double *v = pmf(n, p), tail = (1.0L - conf) / 2.0L;
	long double below = 0; /* P(B <= j - 1) */
	*lo = 0;
	for (uint64_t j = 1; j <= n; j++) {
		below += v[j - 1];
		if (below <= tail)
			*lo = j;
	}
	long double above = 0; /* P(B >= j), summed from the top */
	*hi = n + 1;
	for (uint64_t j = n; j >= 1; j--) {
		above += v[j];
		if (above <= tail)
			*hi = j;
		else
			break;
	}
	free(v);
}

Test(stats, median_ranks_match_the_textbook)
{
	uint64_t lo, hi;
	double cov;
	cr_assert_eq(weft_pipelines_quantile_ci(&lo, &hi, &cov, 100, 0.5, 0.95), 0);
	cr_assert_eq(lo, 40);
	cr_assert_eq(hi, 61);
	/* coverage P(40 <= B <= 60) for Binomial(100, 1/2) */
	long double *v = pmf(100, 0.5L), c = 0;
	for (int k = 40; k <= 60; k++)
		c += v[k];
	free(v);
	cr_assert_float_eq(cov, (double)c, 1e-9);
	cr_assert_geq(cov, 0.95);
	cr_assert_eq(weft_pipelines_quantile_ci(&lo, &hi, NULL, 20, 0.5, 0.95), 0);
	cr_assert_eq(lo, 6);
	cr_assert_eq(hi, 15);
}

Test(stats, ranks_match_summed_binomial_tails)
{
	static const struct {
		uint64_t n;
		double p, conf;
	} cases[] = {
		{ 1, 0.5, 0.95 },     { 5, 0.5, 0.9 },     { 37, 0.9, 0.95 },   { 50, 0.99, 0.95 },
		{ 200, 0.95, 0.99 },  { 459, 0.99, 0.95 }, { 1000, 0.9, 0.95 }, { 1000, 0.999, 0.95 },
		{ 4000, 0.999, 0.99 }, { 5000, 0.5, 0.8 }, { 12345, 0.99, 0.95 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		uint64_t lo, hi, elo, ehi;
		cr_assert_eq(weft_pipelines_quantile_ci(&lo, &hi, NULL, cases[i].n, cases[i].p, cases[i].conf), 0);
		ranks_by_sum(&elo, &ehi, cases[i].n, cases[i].p, cases[i].conf);
		cr_assert_eq(lo, elo, "n=%llu p=%g: lo %llu, expected %llu", (unsigned long long)cases[i].n,
			     cases[i].p, (unsigned long long)lo, (unsigned long long)elo);
		cr_assert_eq(hi, ehi, "n=%llu p=%g: hi %llu, expected %llu", (unsigned long long)cases[i].n,
			     cases[i].p, (unsigned long long)hi, (unsigned long long)ehi);
	}
}

Test(stats, binomial_cdf_matches_summation)
{
	static const struct {
		uint64_t n;
		double p;
	} cases[] = { { 10, 0.3 }, { 100, 0.99 }, { 459, 0.01 }, { 2000, 0.5 }, { 5000, 0.3 } };
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		uint64_t n = cases[i].n;
		long double *v = pmf(n, cases[i].p), cum = 0;
		for (uint64_t k = 0; k <= n; k++) {
			cum += v[k];
			double got = weft_pipelines_binom_cdf((int64_t)k, n, cases[i].p);
			double want = (double)(cum > 1 ? 1 : cum);
			cr_assert(fabs(got - want) <= 1e-10 + 1e-9 * want, "n=%llu k=%llu: %.15g vs %.15g",
				  (unsigned long long)n, (unsigned long long)k, got, want);
		}
		free(v);
	}
	cr_assert_eq(weft_pipelines_binom_cdf(-1, 10, 0.5), 0.0);
	cr_assert_eq(weft_pipelines_binom_cdf(10, 10, 0.5), 1.0);
}

Test(stats, loadgen_459_queries_for_p99_at_99_percent)
{
	/* with none over the limit, the claim holds once 0.99^n <= 0.01 */
	cr_assert(powl(0.99L, 458) > 0.01L);
	cr_assert(powl(0.99L, 459) <= 0.01L);
	cr_assert_eq(weft_pipelines_queries_needed(0.99, 0.99, 0), 459);
	/* at 95% (one-sided): 0.99^n <= 0.05 from n = 299 */
	cr_assert(powl(0.99L, 298) > 0.05L && powl(0.99L, 299) <= 0.05L);
	cr_assert_eq(weft_pipelines_queries_needed(0.99, 0.95, 0), 299);
	/* with one query over: P(Bin(n, 0.01) <= 1) = 0.99^n + n 0.01 0.99^(n-1) */
	uint64_t n1 = 0;
	for (uint64_t n = 2;; n++) {
		long double t = powl(0.99L, n) + (long double)n * 0.01L * powl(0.99L, n - 1);
		if (t <= 0.01L) {
			n1 = n;
			break;
		}
	}
	cr_assert_eq(weft_pipelines_queries_needed(0.99, 0.99, 1), n1);
}

Test(stats, gate_on_a_two_sided_interval_needs_368_queries_for_p99_at_95)
{
	/* the gate uses the upper end of a two-sided 95% interval: 2.5% per tail */
	cr_assert(powl(0.99L, 367) > 0.025L && powl(0.99L, 368) <= 0.025L);
	uint64_t lo, hi;
	weft_pipelines_quantile_ci(&lo, &hi, NULL, 367, 0.99, 0.95);
	cr_assert_eq(hi, 368, "n=367: no upper bound yet");
	weft_pipelines_quantile_ci(&lo, &hi, NULL, 368, 0.99, 0.95);
	cr_assert_eq(hi, 368, "n=368: the maximum is the upper bound");
	/* the same as LoadGen's rule at the one-sided level 97.5% */
	cr_assert_eq(weft_pipelines_queries_needed(0.99, 0.975, 0), 368);
	/* and at 99% two-sided: 0.99^n <= 0.005 */
	uint64_t n99 = 0;
	for (uint64_t n = 1;; n++)
		if (powl(0.99L, n) <= 0.005L) {
			n99 = n;
			break;
		}
	weft_pipelines_quantile_ci(&lo, &hi, NULL, n99, 0.99, 0.99);
	cr_assert_eq(hi, n99);
	weft_pipelines_quantile_ci(&lo, &hi, NULL, n99 - 1, 0.99, 0.99);
	cr_assert_eq(hi, n99);
}

Test(stats, point_estimate_rank)
{
	cr_assert_eq(weft_pipelines_quantile_rank(100, 0.99), 99);
	cr_assert_eq(weft_pipelines_quantile_rank(100, 0.5), 50);
	cr_assert_eq(weft_pipelines_quantile_rank(101, 0.5), 51);
	cr_assert_eq(weft_pipelines_quantile_rank(1000, 0.999), 999);
	cr_assert_eq(weft_pipelines_quantile_rank(10, 0.999), 10);
	cr_assert_eq(weft_pipelines_quantile_rank(1, 0.01), 1);
}

Test(stats, verdict_rule)
{
	cr_assert_eq(weft_pipelines_judge(true, 1.0, true, 2.0, 2.0), WEFT_VERDICT_MET);
	cr_assert_eq(weft_pipelines_judge(true, 1.0, true, 2.01, 2.0), WEFT_VERDICT_INCONCLUSIVE);
	cr_assert_eq(weft_pipelines_judge(true, 2.01, true, 3.0, 2.0), WEFT_VERDICT_BROKEN);
	cr_assert_eq(weft_pipelines_judge(true, 2.0, true, 3.0, 2.0), WEFT_VERDICT_INCONCLUSIVE);
	cr_assert_eq(weft_pipelines_judge(true, 0.5, false, 0, 2.0), WEFT_VERDICT_INCONCLUSIVE);
	cr_assert_eq(weft_pipelines_judge(false, 0, true, 1.0, 2.0), WEFT_VERDICT_MET);
	cr_assert_eq(weft_pipelines_judge(true, 5.0, false, 0, 2.0), WEFT_VERDICT_BROKEN);
}

Test(stats, clopper_pearson)
{
	double lo, hi;
	/* 0 of n: upper = 1 - (a/2)^(1/n); n of n: lower = (a/2)^(1/n) */
	cr_assert_eq(weft_pipelines_proportion_ci(&lo, &hi, 0, 1000, 0.95), 0);
	cr_assert_eq(lo, 0.0);
	cr_assert_float_eq(hi, 1.0 - pow(0.025, 1.0 / 1000), 1e-9);
	cr_assert_eq(weft_pipelines_proportion_ci(&lo, &hi, 50, 50, 0.95), 0);
	cr_assert_eq(hi, 1.0);
	cr_assert_float_eq(lo, pow(0.025, 1.0 / 50), 1e-9);
	/* the middle: at the bounds the binomial tails equal a/2 (summed here) */
	uint64_t n = 200, k = 7;
	cr_assert_eq(weft_pipelines_proportion_ci(&lo, &hi, k, n, 0.95), 0);
	long double *v = pmf(n, hi), s = 0;
	for (uint64_t i = 0; i <= k; i++)
		s += v[i];
	free(v);
	cr_assert_float_eq((double)s, 0.025, 1e-7, "P(X <= 7 | p = hi) = %g", (double)s);
	v = pmf(n, lo);
	s = 0;
	for (uint64_t i = k; i <= n; i++)
		s += v[i];
	free(v);
	cr_assert_float_eq((double)s, 0.025, 1e-7, "P(X >= 7 | p = lo) = %g", (double)s);
	cr_assert_lt(lo, 7.0 / 200);
	cr_assert_gt(hi, 7.0 / 200);
}

Test(stats, incomplete_beta_known_values)
{
	/* I_x(1, 1) = x; I_x(a, 1) = x^a; I_x(1, b) = 1 - (1 - x)^b */
	cr_assert_float_eq(weft_pipelines_betainc(1, 1, 0.3), 0.3, 1e-14);
	cr_assert_float_eq(weft_pipelines_betainc(3, 1, 0.5), 0.125, 1e-14);
	cr_assert_float_eq(weft_pipelines_betainc(1, 4, 0.2), 1 - pow(0.8, 4), 1e-14);
	/* symmetry: I_x(a, b) = 1 - I_{1-x}(b, a) */
	cr_assert_float_eq(weft_pipelines_betainc(7.5, 2.25, 0.8), 1 - weft_pipelines_betainc(2.25, 7.5, 0.2),
			   1e-13);
	cr_assert_float_eq(weft_pipelines_lgamma(5.0), log(24.0), 1e-13);
}

Test(stats, mann_whitney_by_hand)
{
	/* a = {1, 2, 3}, b = {4, 5, 6}: U_a = 0, mean 4.5, var 3*3*7/12 */
	weft_pipelines_wsample a[] = { { 1, 1 }, { 2, 1 }, { 3, 1 } };
	weft_pipelines_wsample b[] = { { 4, 1 }, { 5, 1 }, { 6, 1 } };
	double pg, pl;
	cr_assert_eq(weft_pipelines_mann_whitney(&pg, &pl, a, 3, b, 3), 0);
	double sd = sqrt(9.0 * 7.0 / 12.0);
	cr_assert_float_eq(pl, 0.5 * erfc((4.5 - 0.5) / sd / sqrt(2.0)), 1e-12);
	cr_assert_float_eq(pg, 0.5 * erfc((-4.5 - 0.5) / sd / sqrt(2.0)), 1e-12);
	/* ties: a = {1, 1}, b = {1, 2}: ranks 2, 2, 2, 4; U_a = 4 - 3 = 1; mean 2;
	 * var = 4/12 (5 - (27 - 3)/12) = 1 */
	weft_pipelines_wsample c[] = { { 1, 2 } };
	weft_pipelines_wsample e[] = { { 1, 1 }, { 2, 1 } };
	cr_assert_eq(weft_pipelines_mann_whitney(&pg, &pl, c, 1, e, 2), 0);
	cr_assert_float_eq(pl, 0.5 * erfc((2.0 - 1.0 - 0.5) / 1.0 / sqrt(2.0)), 1e-12);
	/* the same sample on both sides: no evidence either way */
	cr_assert_eq(weft_pipelines_mann_whitney(&pg, &pl, a, 3, a, 3), 0);
	cr_assert_gt(pg, 0.4);
	cr_assert_gt(pl, 0.4);
}
