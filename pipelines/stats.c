/* stats.c - the statistics behind every verdict.
 *
 * Design: nothing here assumes a latency distribution. Percentile intervals
 * come from order statistics: the number of samples below the true
 * p-quantile is Binomial(n, p), so ranks chosen from the binomial tails bound
 * the quantile with known confidence whatever the shape. The binomial CDF is
 * the regularised incomplete beta function, evaluated by its continued
 * fraction (modified Lentz) in long double with the prefactor from log-gamma,
 * which stays accurate for n in the millions where summing the pmf would
 * not be affordable. Rank searches are bisections on that CDF. Error rates
 * get Clopper-Pearson intervals (beta quantiles by bisection; one-sided
 * upper bounds for the hitl threshold), and baseline
 * comparisons a Mann-Whitney U test with tie correction on weighted samples
 * (histogram buckets).
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "pipelines_int.h"

const char *weft_pipelines_verdict_name(weft_pipelines_verdict v)
{
	switch (v) {
	case WEFT_VERDICT_MET: return "met";
	case WEFT_VERDICT_BROKEN: return "broken";
	case WEFT_VERDICT_INCONCLUSIVE: return "inconclusive";
	}
	return "?";
}

double weft_pipelines_lgamma(double x)
{
	return (double)lgammal((long double)x);
}

/* The continued fraction of I_x(a, b), by the modified Lentz method; valid
 * (fast) for x < (a + 1) / (a + b + 2). */
static long double beta_cf(long double a, long double b, long double x)
{
	const long double tiny = 1e-300L, eps = 1e-17L;
	long double c = 1.0L, dd = 1.0L - (a + b) * x / (a + 1.0L);
	if (fabsl(dd) < tiny)
		dd = tiny;
	dd = 1.0L / dd;
	long double h = dd;
	/* the even and odd terms of the fraction alternate */
	for (long m = 1; m < 10000000L; m++) {
		long double fm = (long double)m;
		long double num = fm * (b - fm) * x / ((a + 2 * fm - 1.0L) * (a + 2 * fm));
		dd = 1.0L + num * dd;
		if (fabsl(dd) < tiny)
			dd = tiny;
		c = 1.0L + num / c;
		if (fabsl(c) < tiny)
			c = tiny;
		dd = 1.0L / dd;
		h *= dd * c;
		num = -(a + fm) * (a + b + fm) * x / ((a + 2 * fm) * (a + 2 * fm + 1.0L));
		dd = 1.0L + num * dd;
		if (fabsl(dd) < tiny)
			dd = tiny;
		c = 1.0L + num / c;
		if (fabsl(c) < tiny)
			c = tiny;
		dd = 1.0L / dd;
		long double step = dd * c;
		h *= step;
		if (fabsl(step - 1.0L) < eps)
			break;
	}
	return h;
}

static long double betainc_l(long double a, long double b, long double x)
{
	if (x <= 0.0L)
		return 0.0L;
	if (x >= 1.0L)
		return 1.0L;
	long double lfront = lgammal(a + b) - lgammal(a) - lgammal(b) + a * logl(x) + b * log1pl(-x);
	long double front = expl(lfront);
	if (x < (a + 1.0L) / (a + b + 2.0L))
		return front * beta_cf(a, b, x) / a;
	return 1.0L - front * beta_cf(b, a, 1.0L - x) / b;
}

double weft_pipelines_betainc(double a, double b, double x)
{
	if (!(a > 0) || !(b > 0) || isnan(x))
		return NAN;
	return (double)betainc_l(a, b, x);
}

/* P(X <= k), X ~ Binomial(n, p). */
static long double binom_cdf_l(int64_t k, uint64_t n, long double p)
{
	if (k < 0)
		return 0.0L;
	if ((uint64_t)k >= n)
		return 1.0L;
	if (p <= 0.0L)
		return 1.0L;
	if (p >= 1.0L)
		return 0.0L;
	/* P(X <= k) = I_{1-p}(n - k, k + 1) */
	return betainc_l((long double)(n - (uint64_t)k), (long double)k + 1.0L, 1.0L - p);
}

/* P(X >= j), computed from its own tail (no 1 - F cancellation). */
static long double binom_sf_l(int64_t j, uint64_t n, long double p)
{
	if (j <= 0)
		return 1.0L;
	if ((uint64_t)j > n)
		return 0.0L;
	if (p <= 0.0L)
		return 0.0L;
	if (p >= 1.0L)
		return 1.0L;
	/* P(X >= j) = I_p(j, n - j + 1) */
	return betainc_l((long double)j, (long double)(n - (uint64_t)j) + 1.0L, p);
}

double weft_pipelines_binom_cdf(int64_t k, uint64_t n, double p)
{
	return (double)binom_cdf_l(k, n, (long double)p);
}

uint64_t weft_pipelines_quantile_rank(uint64_t n, double p)
{
	if (!n)
		return 0;
	long double r = (long double)p * (long double)n;
	long double rr = roundl(r);
	if (fabsl(r - rr) < 1e-9L * (rr > 1 ? rr : 1))
		r = rr;
	long double c = ceill(r);
	if (c < 1)
		return 1;
	if (c > (long double)n)
		return n;
	return (uint64_t)c;
}

int weft_pipelines_quantile_ci(uint64_t *lo, uint64_t *hi, double *coverage, uint64_t n,
			       double p, double confidence)
{
	if (!(p > 0 && p < 1) || !(confidence > 0 && confidence < 1)) {
		*lo = 0;
		*hi = n + 1;
		return WEFT_EINVALID;
	}
	long double tail = (1.0L - (long double)confidence) / 2.0L;
	long double pl = (long double)p;
	/* lo - 1 = the largest k in [-1, n - 1] with F(k) <= tail */
	int64_t a = -1, b = (int64_t)n; /* F(a) <= tail holds, F(b) = 1 > tail */
	while (b - a > 1) {
		int64_t m = a + (b - a) / 2;
		if (binom_cdf_l(m, n, pl) <= tail)
			a = m;
		else
			b = m;
	}
	*lo = (uint64_t)(a + 1);
	/* hi = the smallest j in [1, n + 1] with P(B >= j) <= tail */
	int64_t c = 0, e = (int64_t)n + 1; /* sf(c) = 1 > tail, sf(e) = 0 <= tail */
	while (e - c > 1) {
		int64_t m = c + (e - c) / 2;
		if (binom_sf_l(m, n, pl) <= tail)
			e = m;
		else
			c = m;
	}
	*hi = (uint64_t)e;
	if (coverage) {
		/* P(lo <= B <= hi - 1) */
		long double cov = binom_cdf_l((int64_t)*hi - 1, n, pl) - binom_cdf_l((int64_t)*lo - 1, n, pl);
		*coverage = (double)cov;
	}
	return WEFT_OK;
}

/* Does n queries with `over` of them above the limit satisfy LoadGen's rule? */
static bool enough(uint64_t n, uint64_t over, long double p, long double alpha)
{
	return binom_cdf_l((int64_t)over, n, 1.0L - p) <= alpha;
}

uint64_t weft_pipelines_queries_needed(double p, double confidence, uint64_t over)
{
	if (!(p > 0 && p < 1) || !(confidence > 0 && confidence < 1))
		return UINT64_MAX;
	long double alpha = 1.0L - (long double)confidence;
	const uint64_t cap = UINT64_C(1000000000000);
	uint64_t lo = over, hi = over + 1; /* with n = over every query is over: never enough */
	while (!enough(hi, over, (long double)p, alpha)) {
		lo = hi;
		if (hi > cap / 2)
			return UINT64_MAX;
		hi *= 2;
	}
	while (hi - lo > 1) {
		uint64_t m = lo + (hi - lo) / 2;
		if (enough(m, over, (long double)p, alpha))
			hi = m;
		else
			lo = m;
	}
	return hi;
}

/* The x with I_x(a, b) = target, by bisection (I is increasing in x). */
static double beta_quantile(double a, double b, double target)
{
	long double lo = 0.0L, hi = 1.0L;
	for (int i = 0; i < 200 && hi - lo > 1e-18L; i++) {
		long double m = (lo + hi) / 2.0L;
		if (betainc_l(a, b, m) < target)
			lo = m;
		else
			hi = m;
	}
	return (double)((lo + hi) / 2.0L);
}

int weft_pipelines_proportion_ci(double *lo, double *hi, uint64_t errors, uint64_t n,
				 double confidence)
{
	if (!n || errors > n || !(confidence > 0 && confidence < 1)) {
		*lo = 0.0;
		*hi = 1.0;
		return WEFT_EINVALID;
	}
	double tail = (1.0 - confidence) / 2.0;
	double k = (double)errors, nn = (double)n;
	*lo = errors == 0 ? 0.0 : beta_quantile(k, nn - k + 1.0, tail);
	*hi = errors == n ? 1.0 : beta_quantile(k + 1.0, nn - k, 1.0 - tail);
	return WEFT_OK;
}

int weft_pipelines_proportion_upper(double *hi, uint64_t errors, uint64_t n, double confidence)
{
	*hi = 1.0;
	if (!n || errors > n || !(confidence > 0 && confidence < 1))
		return WEFT_EINVALID;
	/* P(X <= k | p) = 1 - I_p(k + 1, n - k) falls with p: the bound is
	 * where it reaches 1 - confidence */
	if (errors < n)
		*hi = beta_quantile((double)errors + 1.0, (double)(n - errors), confidence);
	return WEFT_OK;
}

weft_pipelines_verdict weft_pipelines_judge(bool has_lo, double lo, bool has_hi, double hi,
					    double limit)
{
	if (has_hi && hi <= limit)
		return WEFT_VERDICT_MET;
	if (has_lo && lo > limit)
		return WEFT_VERDICT_BROKEN;
	return WEFT_VERDICT_INCONCLUSIVE;
}

double weft_pipelines_normal_sf(double z)
{
	return 0.5 * erfc(z / sqrt(2.0));
}

double weft_pl_normal_quantile(double q)
{
	/* solve sf(z) = 1 - q by bisection; sf is decreasing */
	double lo = -40.0, hi = 40.0;
	for (int i = 0; i < 200; i++) {
		double m = (lo + hi) / 2.0;
		if (weft_pipelines_normal_sf(m) > 1.0 - q)
			lo = m;
		else
			hi = m;
	}
	return (lo + hi) / 2.0;
}

typedef struct {
	double value;
	uint64_t count;
	int group; /* 0 = a, 1 = b */
} tagged;

static int cmp_tagged(const void *x, const void *y)
{
	const tagged *a = x, *b = y;
	return (a->value > b->value) - (a->value < b->value);
}

int weft_pipelines_mann_whitney(double *p_greater, double *p_less, const weft_pipelines_wsample *a,
				size_t na, const weft_pipelines_wsample *b, size_t nb)
{
	*p_greater = *p_less = 1.0;
	size_t n = na + nb;
	tagged *all = malloc((n ? n : 1) * sizeof *all);
	if (!all)
		return WEFT_ENOMEM;
	long double ca = 0, cb = 0;
	size_t m = 0;
	for (size_t i = 0; i < na; i++)
		if (a[i].count) {
			all[m++] = (tagged){ a[i].value, a[i].count, 0 };
			ca += (long double)a[i].count;
		}
	for (size_t i = 0; i < nb; i++)
		if (b[i].count) {
			all[m++] = (tagged){ b[i].value, b[i].count, 1 };
			cb += (long double)b[i].count;
		}
	if (ca < 1 || cb < 1) {
		free(all);
		return WEFT_EINVALID;
	}
	qsort(all, m, sizeof *all, cmp_tagged);
	long double rank_sum_a = 0, ties = 0, below = 0;
	for (size_t i = 0; i < m;) {
		size_t j = i;
		long double t = 0, ta = 0;
		while (j < m && all[j].value == all[i].value) {
			t += (long double)all[j].count;
			if (all[j].group == 0)
				ta += (long double)all[j].count;
			j++;
		}
		long double avg = below + (t + 1.0L) / 2.0L;
		rank_sum_a += ta * avg;
		ties += t * t * t - t;
		below += t;
		i = j;
	}
	free(all);
	long double N = ca + cb;
	long double u = rank_sum_a - ca * (ca + 1.0L) / 2.0L;
	long double mean = ca * cb / 2.0L;
	long double var = ca * cb / 12.0L * ((N + 1.0L) - ties / (N * (N - 1.0L)));
	if (!(var > 0))
		return WEFT_OK;
	long double sd = sqrtl(var);
	*p_greater = weft_pipelines_normal_sf((double)((u - mean - 0.5L) / sd));
	*p_less = weft_pipelines_normal_sf((double)((mean - u - 0.5L) / sd));
	return WEFT_OK;
}
