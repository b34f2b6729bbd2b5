/* dist.c - delay distributions, durations and the random numbers behind them.
 *
 * Design: a delay stage stands for something that cannot be measured here
 * (a WAN hop, the caller's own work), so its distribution is written the way
 * people know it: a fixed value, a range, mean and spread, or - the usual
 * shape of latencies - a lognormal given by its median and p99 (mu = ln
 * median, sigma = ln(p99/median) / z_0.99), or resampled from measured
 * samples. Random numbers come from splitmix64 seeded per query and stage,
 * so a run's delays do not depend on how threads interleave.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pipelines_int.h"

/* ---- durations ---------------------------------------------------------------- */

int weft_pipelines_duration_parse(double *out_ms, const char *s)
{
	if (!s)
		return WEFT_EINVALID;
	while (*s == ' ')
		s++;
	/* digits, sign, point and exponent only: no "inf", "nan" or hex */
	const char *p = s;
	if (*p == '+')
		p++;
	if (!isdigit((unsigned char)*p) && !(*p == '.' && isdigit((unsigned char)p[1])))
		return WEFT_EINVALID;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || !isfinite(v) || v < 0 || end == s)
		return WEFT_EINVALID;
	for (const char *q = s; q < end; q++)
		if (!strchr("0123456789+-.eE", *q))
			return WEFT_EINVALID;
	while (*end == ' ')
		end++;
	static const struct {
		const char *unit;
		double ms;
	} units[] = {
		{ "ns", 1e-6 }, { "us", 1e-3 }, { "\xc2\xb5s", 1e-3 }, { "ms", 1.0 }, { "s", 1e3 },
		{ "m", 60e3 },  { "min", 60e3 }, { "h", 3600e3 },
	};
	for (size_t i = 0; i < sizeof units / sizeof *units; i++) {
		if (strcmp(end, units[i].unit) == 0) {
			double ms = v * units[i].ms;
			if (!isfinite(ms))
				return WEFT_EINVALID;
			*out_ms = ms;
			return WEFT_OK;
		}
	}
	return WEFT_EINVALID;
}

/* v rounded to 3 significant digits (0 stays 0). */
static double round3(double v)
{
	if (v == 0 || !isfinite(v))
		return v;
	int e = (int)floor(log10(fabs(v)));
	double q = pow(10.0, e - 2);
	return round(v / q) * q;
}

/* Decimals that show 3 significant digits of a rounded v (none past the point
 * for 100 and up). */
static int decimals3(double v)
{
	double a = fabs(v);
	if (a == 0)
		return 0;
	int e = (int)floor(log10(a) + 1e-9);
	return e >= 2 ? 0 : 2 - e;
}

/* Units are picked after rounding, so 999.5 µs is "1.00 ms", never "1000 µs";
 * nanoseconds are whole (below the clock's resolution is noise); past ten
 * minutes "min", past two hours "h". Never an exponent. */
char *weft_pipelines_duration_format(char *buf, size_t size, double ms, bool ascii)
{
	(void)ascii; /* "µs" everywhere: the reports are UTF-8 */
	if (!isfinite(ms)) {
		snprintf(buf, size, "-");
		return buf;
	}
	double ns = ms * 1e6, a = fabs(ns);
	if (a < 999.5) {
		snprintf(buf, size, "%.0f ns", ns == 0 ? 0.0 : ns);
		return buf;
	}
	double r = round3(ns), ar = fabs(r);
	static const struct {
		double below, scale;
		const char *unit;
	} u[] = {
		{ 1e6, 1e3, "\xc2\xb5s" }, { 1e9, 1e6, "ms" }, { 600e9, 1e9, "s" }, { 7200e9, 60e9, "min" },
	};
	for (size_t i = 0; i < sizeof u / sizeof *u; i++) {
		if (ar < u[i].below) {
			double v = r / u[i].scale;
			snprintf(buf, size, "%.*f %s", decimals3(v), v, u[i].unit);
			return buf;
		}
	}
	double h = round3(ns / 3600e9);
	snprintf(buf, size, "%.*f h", decimals3(h), h);
	return buf;
}

/* A plain number: whole from 100 up ("20120"), else 3 significant digits
 * ("45.2", "0.00312"); never an exponent ("-" for NaN). */
char *weft_pipelines_number_format(char *buf, size_t size, double v)
{
	if (!isfinite(v)) {
		snprintf(buf, size, "-");
		return buf;
	}
	if (fabs(v) >= 99.95) {
		snprintf(buf, size, "%.0f", v);
		return buf;
	}
	double r = round3(v);
	int dg = decimals3(r);
	if (dg > 12) { /* below 1e-10: as good as nothing */
		snprintf(buf, size, "0");
		return buf;
	}
	snprintf(buf, size, "%.*f", dg, r);
	return buf;
}

/* ---- random numbers ---------------------------------------------------------- */

uint64_t weft_pipelines_rng_next(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

double weft_pipelines_rng_uniform(uint64_t *state)
{
	return (double)(weft_pipelines_rng_next(state) >> 11) * 0x1.0p-53;
}

static double std_normal(uint64_t *rng)
{
	/* Box-Muller; u1 in (0, 1] so the log is finite */
	double u1 = 1.0 - weft_pipelines_rng_uniform(rng);
	double u2 = weft_pipelines_rng_uniform(rng);
	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* ---- distributions ------------------------------------------------------------- */

int weft_pipelines_dist_lognormal(weft_pipelines_dist *out, double median_ms, double p99_ms)
{
	if (!(median_ms > 0) || !(p99_ms >= median_ms) || !isfinite(p99_ms))
		return WEFT_EINVALID;
	memset(out, 0, sizeof *out);
	out->kind = WEFT_DIST_LOGNORMAL;
	out->median_ms = median_ms;
	out->p99_ms = p99_ms;
	out->a = log(median_ms);
	out->b = log(p99_ms / median_ms) / weft_pl_normal_quantile(0.99);
	return WEFT_OK;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int weft_pipelines_dist_empirical(weft_pipelines_dist *out, const char *path, double unit_ms,
				  weft_diags *d)
{
	memset(out, 0, sizeof *out);
	char *text;
	size_t len;
	int err = weft_file_read(&text, &len, path, 0, d);
	if (err)
		return err;
	double *v = NULL;
	size_t n = 0, cap = 0;
	int line = 0;
	char *p = text;
	while (!err && p < text + len) {
		line++;
		char *eol = memchr(p, '\n', (size_t)(text + len - p));
		char *next = eol ? eol + 1 : text + len;
		if (eol)
			*eol = '\0';
		if (eol && eol > p && eol[-1] == '\r')
			eol[-1] = '\0';
		char *hash = strchr(p, '#');
		if (hash)
			*hash = '\0';
		char *s = p;
		while (*s == ' ' || *s == '\t')
			s++;
		char *e = s + strlen(s);
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		if (*s) {
			double ms;
			if (weft_pipelines_duration_parse(&ms, s) != WEFT_OK) {
				char *end;
				errno = 0;
				double x = strtod(s, &end);
				bool plain = *end == '\0' && end != s && !errno && isfinite(x) && x >= 0;
				for (const char *q = s; plain && *q; q++)
					plain = strchr("0123456789+-.eE", *q) != NULL;
				if (!plain) {
					weft_diags_add(d, WEFT_SEV_ERROR, path, line, (int)(s - p) + 1,
						       "one non-negative number per line (in ms unless a unit follows, e.g. 12.5 or 12.5ms)",
						       "not a latency sample: '%.40s'", s);
					err = WEFT_EINVALID;
					break;
				}
				ms = x * unit_ms;
			}
			if (n == cap) {
				cap = cap ? cap * 2 : 256;
				double *nv = realloc(v, cap * sizeof *nv);
				if (!nv) {
					err = WEFT_ENOMEM;
					break;
				}
				v = nv;
			}
			v[n++] = ms;
		}
		p = next;
	}
	free(text);
	if (!err && n == 0) {
		weft_diags_add(d, WEFT_SEV_ERROR, path, 0, 0, "write one latency per line",
			       "no samples in the file");
		err = WEFT_EINVALID;
	}
	if (err) {
		free(v);
		return err;
	}
	qsort(v, n, sizeof *v, cmp_double);
	out->kind = WEFT_DIST_EMPIRICAL;
	out->samples = v;
	out->n_samples = n;
	out->file = strdup(path);
	return WEFT_OK;
}

void weft_pipelines_dist_clear(weft_pipelines_dist *dist)
{
	if (!dist)
		return;
	free(dist->samples);
	free(dist->file);
	memset(dist, 0, sizeof *dist);
}

double weft_pipelines_dist_sample(const weft_pipelines_dist *dist, uint64_t *rng)
{
	double v = 0;
	switch (dist->kind) {
	case WEFT_DIST_FIXED:
		v = dist->a;
		break;
	case WEFT_DIST_UNIFORM:
		v = dist->a + (dist->b - dist->a) * weft_pipelines_rng_uniform(rng);
		break;
	case WEFT_DIST_NORMAL:
		/* truncated at zero: draw again, a few times, then give up at 0 */
		for (int i = 0; i < 64; i++) {
			v = dist->a + dist->b * std_normal(rng);
			if (v >= 0)
				break;
		}
		break;
	case WEFT_DIST_LOGNORMAL:
		v = exp(dist->a + dist->b * std_normal(rng));
		break;
	case WEFT_DIST_EMPIRICAL:
		if (dist->n_samples)
			v = dist->samples[weft_pipelines_rng_next(rng) % dist->n_samples];
		break;
	}
	return v > 0 && isfinite(v) ? v : 0.0;
}

double weft_pipelines_dist_quantile(const weft_pipelines_dist *dist, double q)
{
	switch (dist->kind) {
	case WEFT_DIST_FIXED:
		return dist->a;
	case WEFT_DIST_UNIFORM:
		return dist->a + (dist->b - dist->a) * q;
	case WEFT_DIST_NORMAL: {
		double v = dist->a + dist->b * weft_pl_normal_quantile(q);
		return v > 0 ? v : 0;
	}
	case WEFT_DIST_LOGNORMAL:
		return exp(dist->a + dist->b * weft_pl_normal_quantile(q));
	case WEFT_DIST_EMPIRICAL: {
		if (!dist->n_samples)
			return 0;
		uint64_t r = weft_pipelines_quantile_rank(dist->n_samples, q);
		return dist->samples[r - 1];
	}
	}
	return 0;
}
