/* regress.c - the statistics of "is this run slower than its baseline?".
 *
 * Design: compare percentiles, not distributions' locations, on the log
 * scale, and count every source of noise. The queries of one run are not
 * independent (a slow second slows every query in it), so a percentile's
 * error is the order-statistic interval's width widened by a variance
 * inflation factor that batch means measure over the send order: the run
 * is cut into contiguous blocks, and the spread of the fraction of each
 * block at or below the estimate, against what independent queries would
 * give, is the inflation (Heidelberger and Lewis's batch quantile method,
 * on the indicator). What one run cannot show at all is the run-to-run
 * noise (a different CPU frequency, placement, server state for the whole
 * run): it comes from an assumed floor, or from the spread of a baseline
 * made of several runs when that is larger. Both pure functions here are
 * what the simulation tests drive directly.
 */
#include <math.h>

#include "pipelines_int.h"

#define BLOCKS 30
#define MIN_PER_BLOCK 20
/* the histogram's precision: a log error never claimed below it */
#define SE_LOG_FLOOR 0.0005

double weft_pl_pctl_se_log(const uint64_t *order, size_t n, const weft_pipelines_pctl *p, double confidence,
			   double *vif)
{
	*vif = NAN;
	if (!(p->q < 1.0) || !p->has_lo || !p->has_hi || !(p->lo_ms > 0) || !(p->value_ms > 0))
		return NAN;
	double z = weft_pl_normal_quantile(1.0 - (1.0 - confidence) / 2.0);
	double se = (log(p->hi_ms) - log(p->lo_ms)) / (2.0 * z);
	if (se < SE_LOG_FLOOR)
		se = SE_LOG_FLOOR;
	if (!order || n < (size_t)BLOCKS * MIN_PER_BLOCK)
		return se; /* no send order, or too few for blocks: independent queries assumed */
	double x = p->value_ms * 1e6;
	double sum = 0, sum2 = 0;
	size_t below = 0;
	for (size_t b = 0; b < BLOCKS; b++) {
		size_t a = b * n / BLOCKS, e = (b + 1) * n / BLOCKS, k = 0;
		for (size_t i = a; i < e; i++)
			k += (double)order[i] <= x;
		below += k;
		double f = (double)k / (double)(e - a);
		sum += f;
		sum2 += f * f;
	}
	double pb = (double)below / (double)n;
	double var_bm = (sum2 - sum * sum / BLOCKS) / (BLOCKS - 1) / BLOCKS;
	double var_iid = pb * (1.0 - pb) / (double)n;
	double f = var_iid > 0 ? var_bm / var_iid : 1.0;
	*vif = f > 1.0 ? f : 1.0;
	return se * sqrt(*vif);
}

static double phi(double x)
{
	return 0.5 * erfc(-x / sqrt(2.0));
}

void weft_pl_compare_pctl(weft_pl_cmp_out *out, const weft_pl_cmp_in *in)
{
	double mb = 0;
	for (size_t i = 0; i < in->n_base; i++)
		mb += in->log_base[i];
	mb /= (double)in->n_base;
	double noise = in->run_noise;
	if (in->n_base >= 3) {
		double s2 = 0;
		for (size_t i = 0; i < in->n_base; i++)
			s2 += (in->log_base[i] - mb) * (in->log_base[i] - mb);
		s2 /= (double)(in->n_base - 1);
		double excess = s2 - in->se_base * in->se_base;
		if (excess > noise * noise)
			noise = sqrt(excess);
	}
	double n2 = noise * noise;
	double var = in->se_cur * in->se_cur + n2 + (in->se_base * in->se_base + n2) / (double)in->n_base;
	double se = sqrt(var);
	double d = in->log_cur - mb;
	double z = weft_pl_normal_quantile(1.0 - in->alpha);
	double up = log1p(in->max_regression), down = log1p(-in->max_regression);
	out->run_noise = noise;
	out->se_log = se;
	out->ratio = exp(d);
	out->lo = exp(d - z * se);
	out->hi = exp(d + z * se);
	out->p_regression = se > 0 ? 1.0 - phi((d - up) / se) : (d > up ? 0.0 : 1.0);
	out->p_improvement = se > 0 ? phi((d - down) / se) : (d < down ? 0.0 : 1.0);
	out->verdict = out->lo > 1.0 + in->max_regression	? WEFT_CMP_REGRESSION
		       : out->hi < 1.0 - in->max_regression ? WEFT_CMP_IMPROVEMENT
							    : WEFT_CMP_SAME;
}
