/* baseline.c - comparing a run with a previous one (--baseline FILE).
 *
 * Design: a regression is a claim about distributions, not about one
 * number, and the noise of both runs must be accounted for. For each series
 * present in both runs (stages by name, and end-to-end), the two histograms
 * (bucket values and counts: 0.1% precision, bounded size, stored in every
 * JSON report) go through a one-sided Mann-Whitney U test, not against the
 * baseline itself but against the baseline slowed by the allowed regression
 * (values x (1 + max_regression)): a significant result means "slower by
 * more than the threshold", at the pipeline's confidence. Improvements are
 * the mirror test against the baseline sped up by the same fraction. Series
 * with fewer than 20 queries on a side are reported as too few to compare.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pipelines_int.h"

#define MIN_SAMPLES 20
/* More queries than any run could measure (a million a second for thirty
 * years): a bucket count, or a series' total, above this is refused, so a
 * hostile file cannot overflow the uint64 total or the rank sums. */
#define MAX_TOTAL 1e15

/* ---- where a value sits in the text (cJSON keeps no positions) ----------------
 * The text has already parsed, so these walk valid JSON. */

static const char *ws(const char *p)
{
	while (*p && (unsigned char)*p <= 32) /* as cJSON skips */
		p++;
	return p;
}

static const char *skip_string(const char *p)
{
	for (p++; *p && *p != '"'; p++)
		if (*p == '\\' && p[1])
			p++;
	return *p ? p + 1 : p;
}

static const char *skip_value(const char *p)
{
	p = ws(p);
	if (*p == '"')
		return skip_string(p);
	if (*p != '[' && *p != '{') {
		while (*p && (unsigned char)*p > 32 && !strchr(",]}", *p))
			p++;
		return p;
	}
	size_t depth = 0;
	do {
		if (*p == '"') {
			p = skip_string(p);
			continue;
		}
		if (*p == '[' || *p == '{')
			depth++;
		else if (*p == ']' || *p == '}')
			depth--;
		p++;
	} while (*p && depth);
	return p;
}

/* The value of the first member named key of the object at p, or NULL. */
static const char *member(const char *p, const char *key)
{
	if (!p || *(p = ws(p)) != '{')
		return NULL;
	size_t kl = strlen(key);
	for (p = ws(p + 1); *p == '"';) {
		const char *k = p + 1, *e = skip_string(p);
		const char *v = ws(ws(e) + 1); /* past ':' */
		if ((size_t)(e - 1 - k) == kl && !memcmp(k, key, kl))
			return v;
		p = ws(skip_value(v));
		if (*p != ',')
			return NULL;
		p = ws(p + 1);
	}
	return NULL;
}

/* Element i of the array at p, or NULL. */
static const char *element(const char *p, size_t i)
{
	if (!p || *(p = ws(p)) != '[')
		return NULL;
	p = ws(p + 1);
	if (*p == ']')
		return NULL;
	for (size_t k = 0; k < i; k++) {
		p = ws(skip_value(p));
		if (*p != ',')
			return NULL;
		p = ws(p + 1);
	}
	return p;
}

/* Line and column (1-based, bytes) of p in text. */
static void line_col(const char *text, const char *p, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (const char *q = text; q < p; q++) {
		if (*q == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

/* Where bucket k of series si sits (series[si].histogram.buckets[k]); the
 * series itself when k is SIZE_MAX, line 0 when it cannot be found. */
static void bucket_pos(const char *text, size_t si, size_t k, int *line, int *col)
{
	const char *root = strncmp(text, "\xef\xbb\xbf", 3) ? text : text + 3;
	const char *p = element(member(root, "series"), si);
	if (p && k != SIZE_MAX)
		p = element(member(member(p, "histogram"), "buckets"), k);
	if (p) {
		line_col(text, p, line, col);
	} else {
		*line = 0;
		*col = 0;
	}
}

static int bad(weft_diags *d, const char *name, const char *what)
{
	weft_diags_add(d, WEFT_SEV_ERROR, name, 0, 0, "pass a file written by weft bench run --format json",
		       "not a weft bench report: %s", what);
	return WEFT_EINVALID;
}

static double get_num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* Read a series' histogram buckets into weighted samples (ms). */
static int read_buckets(weft_pipelines_wsample **out, size_t *n, uint64_t *total, const cJSON *series,
			weft_diags *d, const char *name, const char *text, size_t si)
{
	int line, col;
	const cJSON *nm = cJSON_GetObjectItemCaseSensitive(series, "name");
	const char *sname = cJSON_IsString(nm) ? nm->valuestring : "?";
	*out = NULL;
	*n = 0;
	*total = 0;
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(series, "histogram");
	const cJSON *bk = cJSON_GetObjectItemCaseSensitive(h, "buckets");
	if (!cJSON_IsArray(bk)) {
		bucket_pos(text, si, SIZE_MAX, &line, &col);
		weft_diags_add(d, WEFT_SEV_ERROR, name, line, col,
			       "pass a file written by weft bench run --format json",
			       "not a weft bench report: series '%.64s' has no histogram.buckets array", sname);
		return WEFT_EINVALID;
	}
	int m = cJSON_GetArraySize(bk);
	weft_pipelines_wsample *w = calloc((size_t)m + 1, sizeof *w);
	if (!w)
		return WEFT_ENOMEM;
	const cJSON *pair;
	size_t k = 0;
	cJSON_ArrayForEach(pair, bk)
	{
		const cJSON *v = cJSON_GetArrayItem(pair, 0), *c = cJSON_GetArrayItem(pair, 1);
		if (!cJSON_IsArray(pair) || cJSON_GetArraySize(pair) != 2 || !cJSON_IsNumber(v) ||
		    !cJSON_IsNumber(c) || !(v->valuedouble >= 0) || !(c->valuedouble >= 0) ||
		    !isfinite(v->valuedouble)) {
			free(w);
			bucket_pos(text, si, k, &line, &col);
			weft_diags_add(d, WEFT_SEV_ERROR, name, line, col,
				       "pass a file written by weft bench run --format json",
				       "not a weft bench report: histogram bucket %zu of series '%.64s' is not "
				       "[value_ns, count] with both >= 0", k, sname);
			return WEFT_EINVALID;
		}
		if (c->valuedouble > MAX_TOTAL || (double)*total + c->valuedouble > MAX_TOTAL) {
			free(w);
			bucket_pos(text, si, k, &line, &col);
			weft_diags_add(d, WEFT_SEV_ERROR, name, line, col,
				       "pass a file written by weft bench run --format json",
				       "histogram bucket %zu brings the query count of series '%.64s' to %.0f, "
				       "more than the %.0f any run can measure", k, sname, (double)*total + c->valuedouble,
				       MAX_TOTAL);
			return WEFT_EINVALID;
		}
		w[k].value = v->valuedouble / 1e6;
		w[k].count = (uint64_t)c->valuedouble;
		*total += w[k].count;
		k++;
	}
	*out = w;
	*n = k;
	return WEFT_OK;
}

static double pctl_of(const cJSON *series, const char *label)
{
	const cJSON *ps = cJSON_GetObjectItemCaseSensitive(series, "percentiles"), *p;
	cJSON_ArrayForEach(p, ps)
	{
		const cJSON *l = cJSON_GetObjectItemCaseSensitive(p, "label");
		if (cJSON_IsString(l) && !strcmp(l->valuestring, label))
			return get_num(p, "value_ms");
	}
	return NAN;
}

int weft_pipelines_baseline_compare_json(weft_pipelines_result *r, const char *name,
					 const char *json, double max_regression, weft_diags *d)
{
	if (!(max_regression >= 0 && max_regression < 1))
		return weft_diags_error(d, NULL, 0, 0, "--max-regression must be between 0 and 1 (e.g. 0.05)");
	cJSON *root = cJSON_Parse(json);
	if (!root) {
		const char *at = cJSON_GetErrorPtr();
		int line = 0, col = 0;
		if (at && at >= json && at <= json + strlen(json))
			line_col(json, at, &line, &col);
		weft_diags_add(d, WEFT_SEV_ERROR, name, line, col, NULL, "not valid JSON (near byte %ld)",
			       at && at >= json ? (long)(at - json) : 0L);
		return WEFT_EINVALID;
	}
	int err = WEFT_OK;
	const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(root, "format");
	const cJSON *series = cJSON_GetObjectItemCaseSensitive(root, "series");
	if (!cJSON_IsString(fmt) || strcmp(fmt->valuestring, "weft-bench-report")) {
		err = bad(d, name, "no \"format\": \"weft-bench-report\"");
		goto out;
	}
	if (!cJSON_IsArray(series)) {
		err = bad(d, name, "no \"series\" array");
		goto out;
	}
	const cJSON *pl = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "pipeline"), "name");
	if (cJSON_IsString(pl) && r->pipeline && strcmp(pl->valuestring, r->pipeline))
		weft_diags_add(d, WEFT_SEV_WARNING, name, 0, 0, NULL,
			       "the baseline is from pipeline '%.64s', this run is '%s'", pl->valuestring,
			       r->pipeline);
	free(r->baseline_path);
	r->baseline_path = strdup(name ? name : "baseline");
	r->max_regression = max_regression;
	for (size_t i = 0; i < r->n_cmp; i++)
		free(r->cmp[i].name);
	free(r->cmp);
	r->cmp = calloc(r->n_series ? r->n_series : 1, sizeof *r->cmp);
	r->n_cmp = 0;
	r->n_regressions = r->n_improvements = 0;
	if (!r->cmp) {
		err = WEFT_ENOMEM;
		goto out;
	}
	double alpha = 1.0 - r->confidence;
	for (size_t i = 0; i < r->n_series && !err; i++) {
		const weft_pipelines_series *s = &r->series[i];
		const cJSON *bs = NULL, *it;
		size_t si = 0;
		cJSON_ArrayForEach(it, series)
		{
			const cJSON *nm = cJSON_GetObjectItemCaseSensitive(it, "name");
			if (cJSON_IsString(nm) && !strcmp(nm->valuestring, s->name)) {
				bs = it;
				break;
			}
			si++;
		}
		if (!bs)
			continue;
		weft_pipelines_wsample *base;
		size_t nb;
		uint64_t base_total;
		err = read_buckets(&base, &nb, &base_total, bs, d, name, json, si);
		if (err)
			break;
		weft_pipelines_comparison *c = &r->cmp[r->n_cmp++];
		c->name = strdup(s->name);
		c->base_count = base_total;
		c->base_p50_ms = pctl_of(bs, "p50");
		c->base_p99_ms = pctl_of(bs, "p99");
		c->p50_ms = s->pctl[0].value_ms;
		c->p99_ms = s->pctl[3].value_ms;
		c->change_p50 = c->base_p50_ms > 0 ? c->p50_ms / c->base_p50_ms - 1.0 : NAN;
		c->p_regression = c->p_improvement = NAN;
		if (base_total < MIN_SAMPLES || s->count < MIN_SAMPLES) {
			c->verdict = WEFT_CMP_TOO_FEW;
			free(base);
			continue;
		}
		/* this run's histogram as weighted samples */
		size_t cap = 0, it2 = 0, nc = 0;
		uint64_t v, cnt;
		while (weft_pipelines_hist_next(s->hist, &it2, &v, &cnt))
			cap++;
		weft_pipelines_wsample *cur = calloc(cap + 1, sizeof *cur);
		weft_pipelines_wsample *shifted = calloc(nb + 1, sizeof *shifted);
		if (!cur || !shifted) {
			free(cur);
			free(shifted);
			free(base);
			err = WEFT_ENOMEM;
			break;
		}
		it2 = 0;
		while (weft_pipelines_hist_next(s->hist, &it2, &v, &cnt))
			cur[nc++] = (weft_pipelines_wsample){ (double)v / 1e6, cnt };
		double pg, pl2;
		for (size_t k = 0; k < nb; k++)
			shifted[k] = (weft_pipelines_wsample){ base[k].value * (1.0 + max_regression), base[k].count };
		weft_pipelines_mann_whitney(&pg, &pl2, cur, nc, shifted, nb);
		c->p_regression = pg;
		for (size_t k = 0; k < nb; k++)
			shifted[k] = (weft_pipelines_wsample){ base[k].value * (1.0 - max_regression), base[k].count };
		weft_pipelines_mann_whitney(&pg, &pl2, cur, nc, shifted, nb);
		c->p_improvement = pl2;
		if (c->p_regression < alpha) {
			c->verdict = WEFT_CMP_REGRESSION;
			r->n_regressions++;
		} else if (c->p_improvement < alpha) {
			c->verdict = WEFT_CMP_IMPROVEMENT;
			r->n_improvements++;
		} else {
			c->verdict = WEFT_CMP_SAME;
		}
		free(cur);
		free(shifted);
		free(base);
	}
	if (!err && !r->n_cmp)
		weft_diags_add(d, WEFT_SEV_WARNING, name, 0, 0, NULL,
			       "no stage of this run appears in the baseline: nothing compared");
out:
	cJSON_Delete(root);
	return err;
}

int weft_pipelines_baseline_compare(weft_pipelines_result *r, const char *path, double max_regression,
				    weft_diags *d)
{
	char *text;
	int err = weft_file_read(&text, NULL, path, 256u << 20, d);
	if (err)
		return err;
	err = weft_pipelines_baseline_compare_json(r, path, text, max_regression, d);
	free(text);
	return err;
}
