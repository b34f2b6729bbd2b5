/* baseline.c - comparing a run with a previous one (--baseline FILE), and
 * merging several runs into one baseline (weft bench baseline merge).
 *
 * Design: this file reads and writes; the statistics are in regress.c. A
 * baseline is a JSON report (one run) or a merged baseline (several runs):
 * per series a histogram and, per percentile, each run's value and
 * within-run error (se_log). A baseline is untrusted input: every number is
 * checked and an error names its line:col (cJSON keeps no positions, so
 * the text is walked again to find them); counts that could overflow a
 * total are refused, never wrapped. merge.c reads reports with the same
 * helpers (declared in load_int.h).
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "load_int.h"

#define MIN_SAMPLES 20
/* More queries than any run could measure (a million a second for thirty
 * years): a bucket count, or a series' total, above this is refused, so a
 * hostile file cannot overflow the uint64 total or the rank sums. */
#define MAX_TOTAL WEFT_PL_MAX_TOTAL

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

const char *weft_pl_json_member(const char *p, const char *key)
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

const char *weft_pl_json_element(const char *p, size_t i)
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

const char *weft_pl_json_next(const char *p)
{
	if (!p)
		return NULL;
	p = ws(skip_value(p));
	return *p == ',' ? ws(p + 1) : NULL;
}

const char *weft_pl_json_root(const char *text)
{
	return strncmp(text, "\xef\xbb\xbf", 3) ? text : text + 3;
}

void weft_pl_line_col(const char *text, const char *p, int *line, int *col)
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

/* Where bucket k of the series or phase at owner sits
 * (owner.histogram.buckets[k]); owner itself when k is SIZE_MAX, line 0
 * when it cannot be found. */
static void bucket_pos(const char *text, const char *owner, size_t k, int *line, int *col)
{
	const char *p = owner;
	if (p && k != SIZE_MAX)
		p = weft_pl_json_element(weft_pl_json_member(weft_pl_json_member(p, "histogram"), "buckets"), k);
	if (p) {
		weft_pl_line_col(text, p, line, col);
	} else {
		*line = 0;
		*col = 0;
	}
}

#define REPORT_HINT "pass a file written by weft bench run --format json"

int weft_pl_not_report(weft_diags *d, const char *name, const char *text, const char *at, const char *fmt, ...)
{
	int line = 0, col = 0;
	if (text && at)
		weft_pl_line_col(text, at, &line, &col);
	weft_buf b = WEFT_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	weft_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	weft_diags_add(d, WEFT_SEV_ERROR, name, line, col, REPORT_HINT, "not a weft bench report: %s",
		       b.ptr ? b.ptr : "");
	weft_buf_free(&b);
	return WEFT_EINVALID;
}

static int bad(weft_diags *d, const char *name, const char *what)
{
	return weft_pl_not_report(d, name, NULL, NULL, "%s", what);
}

static double get_num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

int weft_pl_read_buckets(weft_pipelines_wsample **out, size_t *n, uint64_t *total, const cJSON *owner,
			 double scale, const char *what, weft_diags *d, const char *name, const char *text,
			 const char *at)
{
	int line, col;
	*out = NULL;
	*n = 0;
	*total = 0;
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(owner, "histogram");
	const cJSON *bk = cJSON_GetObjectItemCaseSensitive(h, "buckets");
	if (!cJSON_IsArray(bk)) {
		bucket_pos(text, at, SIZE_MAX, &line, &col);
		weft_diags_add(d, WEFT_SEV_ERROR, name, line, col, REPORT_HINT,
			       "not a weft bench report: %s has no histogram.buckets array", what);
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
			bucket_pos(text, at, k, &line, &col);
			weft_diags_add(d, WEFT_SEV_ERROR, name, line, col, REPORT_HINT,
				       "not a weft bench report: histogram bucket %zu of %s is not "
				       "[value_ns, count] with both >= 0", k, what);
			return WEFT_EINVALID;
		}
		if (c->valuedouble > MAX_TOTAL || (double)*total + c->valuedouble > MAX_TOTAL) {
			free(w);
			bucket_pos(text, at, k, &line, &col);
			weft_diags_add(d, WEFT_SEV_ERROR, name, line, col, REPORT_HINT,
				       "histogram bucket %zu brings the query count of %s to %.0f, "
				       "more than the %.0f any run can measure", k, what, (double)*total + c->valuedouble,
				       MAX_TOTAL);
			return WEFT_EINVALID;
		}
		w[k].value = v->valuedouble * scale;
		w[k].count = (uint64_t)c->valuedouble;
		*total += w[k].count;
		k++;
	}
	*out = w;
	*n = k;
	return WEFT_OK;
}

/* Read series si's (of the report text) histogram buckets into weighted
 * samples (ms). */
static int read_buckets(weft_pipelines_wsample **out, size_t *n, uint64_t *total, const cJSON *series,
			weft_diags *d, const char *name, const char *text, size_t si)
{
	const cJSON *nm = cJSON_GetObjectItemCaseSensitive(series, "name");
	char what[80];
	snprintf(what, sizeof what, "series '%.64s'", cJSON_IsString(nm) ? nm->valuestring : "?");
	const char *at = weft_pl_json_element(weft_pl_json_member(weft_pl_json_root(text), "series"), si);
	return weft_pl_read_buckets(out, n, total, series, 1e-6, what, d, name, text, at);
}

/* ---- one percentile of a baseline series --------------------------------------- */

#define MAX_RUNS 256

typedef struct {
	double logs[MAX_RUNS]; /* each run's log(value_ms) */
	size_t n;
	double se;             /* root mean square of the runs' se_log; NAN when none kept */
} base_pctl;

static bool same_q(double a, double b)
{
	return fabs(a - b) < 1e-9;
}

/* Find q in the series' percentiles (a report's, or a merged baseline's
 * with runs_ms) or budgets (estimate_ms). */
static bool find_pctl(base_pctl *out, const cJSON *series, double q)
{
	static const char *const lists[] = { "percentiles", "budgets" };
	memset(out, 0, sizeof *out);
	out->se = NAN;
	for (size_t l = 0; l < 2; l++) {
		const cJSON *it;
		cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(series, lists[l]))
		{
			if (!same_q(get_num(it, "q"), q))
				continue;
			const cJSON *runs = cJSON_GetObjectItemCaseSensitive(it, "runs_ms"), *v;
			if (cJSON_IsArray(runs)) {
				cJSON_ArrayForEach(v, runs)
				{
					if (cJSON_IsNumber(v) && v->valuedouble > 0 && isfinite(v->valuedouble) &&
					    out->n < MAX_RUNS)
						out->logs[out->n++] = log(v->valuedouble);
				}
			} else {
				double x = get_num(it, l ? "estimate_ms" : "value_ms");
				if (x > 0 && isfinite(x))
					out->logs[out->n++] = log(x);
			}
			double se = get_num(it, "se_log");
			out->se = se >= 0 && isfinite(se) ? se : NAN;
			if (out->n)
				return true;
		}
	}
	return false;
}

/* This run's estimate of q in s: a reported percentile or a budget's. */
static const weft_pipelines_pctl *cur_pctl(const weft_pipelines_series *s, double q)
{
	for (size_t i = 0; i < WEFT_PIPELINES_N_PCTL; i++)
		if (same_q(s->pctl[i].q, q))
			return &s->pctl[i];
	for (size_t i = 0; i < s->n_checks; i++)
		if (same_q(s->checks[i].at.q, q))
			return &s->checks[i].at;
	return NULL;
}

/* The percentiles compared for s: p50 and each budgeted one (below the
 * maximum); p50 and p99 without budgets. Returns how many (<= cap). */
static size_t compared_qs(double *qs, bool *budgeted, size_t cap, const weft_pipelines_series *s)
{
	size_t n = 0;
	qs[n] = 0.5;
	budgeted[n++] = false;
	for (size_t i = 0; i < s->n_checks && n < cap; i++) {
		double q = s->checks[i].budget.q;
		if (!(q < 1.0))
			continue;
		size_t k = 0;
		while (k < n && !same_q(qs[k], q))
			k++;
		if (k == n)
			qs[n++] = q;
		budgeted[k] = true;
	}
	if (n == 1 && !s->n_checks) {
		qs[n] = 0.99;
		budgeted[n++] = false;
	}
	return n;
}

static int base_kind(const cJSON *root, uint64_t *runs)
{
	const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(root, "format");
	*runs = 1;
	if (cJSON_IsString(fmt) && !strcmp(fmt->valuestring, "weft-bench-report"))
		return 1;
	if (cJSON_IsString(fmt) && !strcmp(fmt->valuestring, "weft-bench-baseline")) {
		double n = get_num(root, "runs");
		*runs = n >= 1 && n <= MAX_RUNS ? (uint64_t)n : 1;
		return 2;
	}
	return 0;
}

cJSON *weft_pl_json_parse(const char *name, const char *json, weft_diags *d)
{
	cJSON *root = cJSON_Parse(json);
	if (!root) {
		const char *at = cJSON_GetErrorPtr();
		int line = 0, col = 0;
		if (at && at >= json && at <= json + strlen(json))
			weft_pl_line_col(json, at, &line, &col);
		weft_diags_add(d, WEFT_SEV_ERROR, name, line, col, NULL, "not valid JSON (near byte %ld)",
			       at && at >= json ? (long)(at - json) : 0L);
	}
	return root;
}

static void cmp_clear(weft_pipelines_result *r)
{
	for (size_t i = 0; i < r->n_cmp; i++) {
		free(r->cmp[i].name);
		free(r->cmp[i].pcts);
		free(r->cmp[i].base_buckets);
	}
	free(r->cmp);
	r->cmp = NULL;
	r->n_cmp = 0;
}

void weft_pl_baseline_clear(weft_pipelines_result *r)
{
	cmp_clear(r);
}

#define MAX_CMP_PCTS (WEFT_PIPELINES_MAX_BUDGETS + 2)

int weft_pipelines_baseline_compare_json(weft_pipelines_result *r, const char *name, const char *json,
					 double max_regression, double run_noise, weft_diags *d)
{
	if (!(max_regression >= 0 && max_regression < 1))
		return weft_diags_error(d, NULL, 0, 0, "--max-regression must be between 0 and 1 (e.g. 0.05)");
	if (run_noise < 0)
		run_noise = WEFT_PIPELINES_RUN_NOISE;
	if (!(run_noise < 1))
		return weft_diags_error(d, NULL, 0, 0, "--run-noise must be between 0 and 1 (e.g. 0.02)");
	cJSON *root = weft_pl_json_parse(name, json, d);
	if (!root)
		return WEFT_EINVALID;
	int err = WEFT_OK;
	uint64_t runs;
	const cJSON *series = cJSON_GetObjectItemCaseSensitive(root, "series");
	if (!base_kind(root, &runs)) {
		err = bad(d, name, "no \"format\": \"weft-bench-report\" (or \"weft-bench-baseline\")");
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
	r->run_noise = run_noise;
	r->base_runs = runs;
	cmp_clear(r);
	r->cmp = calloc(r->n_series ? r->n_series : 1, sizeof *r->cmp);
	r->n_regressions = r->n_improvements = 0;
	r->n_family = 0;
	if (!r->cmp || !r->baseline_path) {
		err = WEFT_ENOMEM;
		goto out;
	}
	/* first pass: read what both runs hold, and count the family */
	base_pctl *bp = calloc(r->n_series * MAX_CMP_PCTS + 1, sizeof *bp);
	if (!bp) {
		err = WEFT_ENOMEM;
		goto out;
	}
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
		weft_pipelines_comparison *c = &r->cmp[r->n_cmp];
		uint64_t base_total;
		err = read_buckets(&c->base_buckets, &c->n_base_buckets, &base_total, bs, d, name, json, si);
		if (err)
			break;
		r->n_cmp++;
		c->name = strdup(s->name);
		c->base_count = base_total;
		double qs[MAX_CMP_PCTS];
		bool budgeted[MAX_CMP_PCTS];
		size_t nq = compared_qs(qs, budgeted, MAX_CMP_PCTS, s);
		c->pcts = calloc(nq, sizeof *c->pcts);
		if (!c->name || !c->pcts) {
			err = WEFT_ENOMEM;
			break;
		}
		c->n_pcts = nq;
		c->verdict = WEFT_CMP_TOO_FEW;
		for (size_t k = 0; k < nq; k++) {
			weft_pipelines_pctl_cmp *pc = &c->pcts[k];
			base_pctl *b = &bp[i * MAX_CMP_PCTS + k];
			const weft_pipelines_pctl *cp = cur_pctl(s, qs[k]);
			pc->q = qs[k];
			pc->budgeted = budgeted[k];
			snprintf(pc->label, sizeof pc->label, "%s", cp ? cp->label : "?");
			for (size_t j = 0; !strcmp(pc->label, "?") && j < s->n_checks; j++)
				if (same_q(s->checks[j].budget.q, qs[k]))
					snprintf(pc->label, sizeof pc->label, "%s", s->checks[j].budget.label);
			pc->ms = cp ? cp->value_ms : NAN;
			pc->verdict = WEFT_CMP_TOO_FEW;
			pc->base_ms = pc->ratio = pc->ratio_lo = pc->ratio_hi = pc->se_log = NAN;
			pc->p_regression = pc->p_improvement = NAN;
			bool have = find_pctl(b, bs, qs[k]);
			if (have) {
				double m = 0;
				for (size_t j = 0; j < b->n; j++)
					m += b->logs[j];
				pc->base_ms = exp(m / (double)b->n);
			}
			if (!have || base_total < MIN_SAMPLES || s->count < MIN_SAMPLES || !cp ||
			    !isfinite(cp->se_log) || !(cp->value_ms > 0))
				continue;
			pc->verdict = WEFT_CMP_SAME; /* to be decided */
			r->n_family++;
		}
	}
	/* second pass: decide, each at its share of the family's error rate */
	double alpha = (1.0 - r->confidence) / (double)(r->n_family ? r->n_family : 1);
	for (size_t i = 0, ci = 0; i < r->n_series && !err && ci < r->n_cmp; i++) {
		weft_pipelines_comparison *c = &r->cmp[ci];
		if (strcmp(c->name, r->series[i].name))
			continue;
		ci++;
		c->p_regression = c->p_improvement = NAN;
		bool reg = false, imp = false, any = false;
		for (size_t k = 0; k < c->n_pcts; k++) {
			weft_pipelines_pctl_cmp *pc = &c->pcts[k];
			if (pc->verdict == WEFT_CMP_TOO_FEW)
				continue;
			const base_pctl *b = &bp[i * MAX_CMP_PCTS + k];
			const weft_pipelines_pctl *cp = cur_pctl(&r->series[i], pc->q);
			pc->base_se_assumed = !isfinite(b->se);
			weft_pl_cmp_in in = { log(cp->value_ms), cp->se_log, b->logs, b->n,
					      pc->base_se_assumed ? cp->se_log : b->se, run_noise, max_regression, alpha };
			weft_pl_cmp_out o;
			weft_pl_compare_pctl(&o, &in);
			pc->ratio = o.ratio;
			pc->ratio_lo = o.lo;
			pc->ratio_hi = o.hi;
			pc->se_log = o.se_log;
			pc->p_regression = o.p_regression;
			pc->p_improvement = o.p_improvement;
			pc->verdict = o.verdict;
			if (o.run_noise > r->run_noise)
				r->run_noise = o.run_noise;
			any = true;
			reg |= o.verdict == WEFT_CMP_REGRESSION;
			imp |= o.verdict == WEFT_CMP_IMPROVEMENT;
			r->n_regressions += o.verdict == WEFT_CMP_REGRESSION;
			r->n_improvements += o.verdict == WEFT_CMP_IMPROVEMENT;
			if (!(c->p_regression <= o.p_regression))
				c->p_regression = o.p_regression;
			if (!(c->p_improvement <= o.p_improvement))
				c->p_improvement = o.p_improvement;
		}
		c->verdict = reg ? WEFT_CMP_REGRESSION : imp ? WEFT_CMP_IMPROVEMENT : any ? WEFT_CMP_SAME : WEFT_CMP_TOO_FEW;
		/* the summary fields the reports lead with */
		const weft_pipelines_series *s = &r->series[i];
		c->p50_ms = s->pctl[0].value_ms;
		c->p99_ms = s->pctl[3].value_ms;
		c->base_p50_ms = c->pcts[0].base_ms;
		c->base_p99_ms = NAN;
		for (size_t k = 0; k < c->n_pcts; k++)
			if (same_q(c->pcts[k].q, 0.99))
				c->base_p99_ms = c->pcts[k].base_ms;
		c->change_p50 = c->base_p50_ms > 0 ? c->p50_ms / c->base_p50_ms - 1.0 : NAN;
	}
	free(bp);
	if (!err && !r->n_cmp)
		weft_diags_add(d, WEFT_SEV_WARNING, name, 0, 0, NULL,
			       "no stage of this run appears in the baseline: nothing compared");
out:
	cJSON_Delete(root);
	return err;
}

int weft_pipelines_baseline_compare(weft_pipelines_result *r, const char *path, double max_regression,
				    double run_noise, weft_diags *d)
{
	char *text;
	int err = weft_file_read(&text, NULL, path, 256u << 20, d);
	if (err)
		return err;
	err = weft_pipelines_baseline_compare_json(r, path, text, max_regression, run_noise, d);
	free(text);
	return err;
}

/* ---- merging runs into one baseline --------------------------------------------- */

typedef struct {
	double value, count;
} bucket;

static int cmp_bucket(const void *a, const void *b)
{
	double x = ((const bucket *)a)->value, y = ((const bucket *)b)->value;
	return x < y ? -1 : x > y;
}

/* The percentiles a series of one input offers (q values). */
static size_t series_qs(double *qs, size_t cap, const cJSON *series)
{
	static const char *const lists[] = { "percentiles", "budgets" };
	size_t n = 0;
	for (size_t l = 0; l < 2; l++) {
		const cJSON *it;
		cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(series, lists[l]))
		{
			double q = get_num(it, "q");
			if (!(q > 0 && q < 1))
				continue;
			size_t k = 0;
			while (k < n && !same_q(qs[k], q))
				k++;
			if (k == n && n < cap)
				qs[n++] = q;
		}
	}
	return n;
}

static const cJSON *series_named(const cJSON *root, const char *name)
{
	const cJSON *it;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(root, "series"))
	{
		const cJSON *nm = cJSON_GetObjectItemCaseSensitive(it, "name");
		if (cJSON_IsString(nm) && !strcmp(nm->valuestring, name))
			return it;
	}
	return NULL;
}

int weft_pipelines_baseline_merge(char **out, const char *const *paths, size_t n, weft_diags *d)
{
	*out = NULL;
	if (!n || n > MAX_RUNS)
		return weft_diags_error(d, NULL, 0, 0, "merge between 1 and %d reports", MAX_RUNS);
	cJSON **roots = calloc(n, sizeof *roots);
	char **texts = calloc(n, sizeof *texts);
	cJSON *res = NULL;
	int err = !roots || !texts ? WEFT_ENOMEM : WEFT_OK;
	uint64_t runs = 0;
	const char *pipeline = NULL;
	for (size_t i = 0; i < n && !err; i++) {
		err = weft_file_read(&texts[i], NULL, paths[i], 256u << 20, d);
		if (err)
			break;
		roots[i] = weft_pl_json_parse(paths[i], texts[i], d);
		if (!roots[i]) {
			err = WEFT_EINVALID;
			break;
		}
		uint64_t m;
		if (!base_kind(roots[i], &m) ||
		    !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(roots[i], "series"))) {
			err = bad(d, paths[i], "no \"format\": \"weft-bench-report\" and \"series\" array");
			break;
		}
		runs += m;
		const cJSON *pl = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(roots[i], "pipeline"),
								   "name");
		const char *name = cJSON_IsString(pl) ? pl->valuestring : "";
		if (!pipeline) {
			pipeline = name;
		} else if (strcmp(pipeline, name)) {
			weft_diags_add(d, WEFT_SEV_ERROR, paths[i], 0, 0, "merge runs of one pipeline only",
				       "this report is of pipeline '%.64s', %s is of '%.64s'", name, paths[0],
				       pipeline);
			err = WEFT_EINVALID;
		}
	}
	if (!err && runs > MAX_RUNS)
		err = weft_diags_error(d, NULL, 0, 0, "merge at most %d runs", MAX_RUNS);
	if (err)
		goto out;
	res = cJSON_CreateObject();
	cJSON_AddStringToObject(res, "format", "weft-bench-baseline");
	cJSON_AddNumberToObject(res, "format_version", 1);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(res, "pipeline"), "name", pipeline);
	cJSON_AddNumberToObject(res, "runs", (double)runs);
	cJSON *from = cJSON_AddArrayToObject(res, "merged_from");
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(from, cJSON_CreateString(paths[i]));
	cJSON *out_series = cJSON_AddArrayToObject(res, "series");
	/* the series of the first input that every input has */
	const cJSON *s0;
	cJSON_ArrayForEach(s0, cJSON_GetObjectItemCaseSensitive(roots[0], "series"))
	{
		const cJSON *nm = cJSON_GetObjectItemCaseSensitive(s0, "name");
		if (!cJSON_IsString(nm))
			continue;
		const cJSON **ss = calloc(n, sizeof *ss);
		if (!ss) {
			err = WEFT_ENOMEM;
			break;
		}
		size_t have = 0;
		for (size_t i = 0; i < n; i++)
			have += (ss[i] = series_named(roots[i], nm->valuestring)) != NULL;
		if (have < n) {
			free(ss);
			continue;
		}
		/* the summed histogram */
		bucket *all = NULL;
		size_t n_all = 0;
		uint64_t total = 0;
		for (size_t i = 0; i < n && !err; i++) {
			weft_pipelines_wsample *w;
			size_t nw;
			uint64_t t;
			size_t si = 0;
			const cJSON *it;
			cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(roots[i], "series"))
			{
				if (it == ss[i])
					break;
				si++;
			}
			err = read_buckets(&w, &nw, &t, ss[i], d, paths[i], texts[i], si);
			if (err)
				break;
			if ((double)total + (double)t > MAX_TOTAL) {
				free(w);
				err = weft_diags_error(d, paths[i], 0, 0, "series '%.64s' would hold more than %.0f queries",
						       nm->valuestring, MAX_TOTAL);
				break;
			}
			total += t;
			bucket *g = realloc(all, (n_all + nw + 1) * sizeof *g);
			if (!g) {
				free(w);
				err = WEFT_ENOMEM;
				break;
			}
			all = g;
			for (size_t k = 0; k < nw; k++)
				all[n_all++] = (bucket){ w[k].value * 1e6, (double)w[k].count };
			free(w);
		}
		if (err) {
			free(all);
			free(ss);
			break;
		}
		qsort(all, n_all, sizeof *all, cmp_bucket);
		cJSON *os = cJSON_CreateObject();
		cJSON_AddItemToArray(out_series, os);
		cJSON_AddStringToObject(os, "name", nm->valuestring);
		cJSON_AddNumberToObject(os, "count", (double)total);
		cJSON *bk = cJSON_AddArrayToObject(cJSON_AddObjectToObject(os, "histogram"), "buckets");
		for (size_t k = 0; k < n_all;) {
			size_t j = k;
			double c = 0;
			while (j < n_all && all[j].value == all[k].value)
				c += all[j++].count;
			cJSON *pair = cJSON_CreateArray();
			cJSON_AddItemToArray(pair, cJSON_CreateNumber(all[k].value));
			cJSON_AddItemToArray(pair, cJSON_CreateNumber(c));
			cJSON_AddItemToArray(bk, pair);
			k = j;
		}
		free(all);
		/* per percentile: every run's value, the runs' within-run error */
		double qs[64];
		size_t nq = series_qs(qs, 64, s0);
		cJSON *ps = cJSON_AddArrayToObject(os, "percentiles");
		for (size_t k = 0; k < nq; k++) {
			double logs[MAX_RUNS], se2 = 0;
			size_t nl = 0, nse = 0;
			bool all_have = true;
			for (size_t i = 0; i < n && all_have; i++) {
				base_pctl b;
				all_have = find_pctl(&b, ss[i], qs[k]);
				for (size_t j = 0; all_have && j < b.n && nl < MAX_RUNS; j++)
					logs[nl++] = b.logs[j];
				if (all_have && isfinite(b.se)) {
					se2 += b.se * b.se * (double)b.n;
					nse += b.n;
				}
			}
			if (!all_have || !nl)
				continue;
			double m = 0;
			for (size_t j = 0; j < nl; j++)
				m += logs[j];
			cJSON *p = cJSON_CreateObject();
			cJSON_AddNumberToObject(p, "q", qs[k]);
			cJSON_AddNumberToObject(p, "value_ms", exp(m / (double)nl));
			if (nse == nl)
				cJSON_AddNumberToObject(p, "se_log", sqrt(se2 / (double)nse));
			else
				cJSON_AddNullToObject(p, "se_log");
			cJSON *rm = cJSON_AddArrayToObject(p, "runs_ms");
			for (size_t j = 0; j < nl; j++)
				cJSON_AddItemToArray(rm, cJSON_CreateNumber(exp(logs[j])));
			cJSON_AddItemToArray(ps, p);
		}
		free(ss);
	}
	if (!err) {
		*out = cJSON_Print(res);
		if (!*out)
			err = WEFT_ENOMEM;
	}
out:
	cJSON_Delete(res);
	for (size_t i = 0; roots && texts && i < n; i++) {
		cJSON_Delete(roots[i]);
		free(texts[i]);
	}
	free(roots);
	free(texts);
	return err;
}
