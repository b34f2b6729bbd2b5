/* threshold.c - the human-in-the-loop operating point: where to put the
 * confidence threshold above which a binary model decides alone.
 *
 * Design: the data are read once into three arrays (score, label, the
 * reviewer's decision), from a CSV or from a model stage's evaluation set
 * run through the model. The analysis sorts the cases by confidence,
 * descending, and sweeps: at each distinct confidence the running counts of
 * automated cases and of their errors give that threshold's automation and
 * error rates in O(1), so the curve costs O(n log n); ties stay together,
 * since cases of equal confidence are always routed alike. Each point's
 * error rate gets a one-sided Clopper-Pearson upper bound (stats.c): the
 * question a threshold answers is "how bad can the automatic decisions be",
 * never "how good", so the whole of 1 - confidence goes to that one side.
 * The recommendation is the lowest threshold whose bound is within the
 * budget. Each point is judged alone, as one would deploy it; choosing among
 * them from the same data is a multiple comparison the report names in
 * docs/statistics.md rather than corrects.
 *
 * The CSV is untrusted input: every field is checked (a number in [0, 1],
 * a label 0 or 1), every problem recorded as path:line:col, a bounded
 * number of them, and nothing is allocated from a size the file claims.
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "pipelines_int.h"
#include "weft_kernels.h"

struct weft_pipelines_threshold_data {
	char *source;
	size_t n, cap;
	double *score;
	int *label;
	int *reviewer; /* -1: not reviewed; NULL: no reviewer column */
};

#define MAX_CSV_ERRORS 20

void weft_pipelines_threshold_data_free(weft_pipelines_threshold_data *t)
{
	if (!t)
		return;
	free(t->source);
	free(t->score);
	free(t->label);
	free(t->reviewer);
	free(t);
}

size_t weft_pipelines_threshold_data_rows(const weft_pipelines_threshold_data *t)
{
	return t ? t->n : 0;
}

static int data_alloc(weft_pipelines_threshold_data **out, const char *source, bool reviewer)
{
	weft_pipelines_threshold_data *t = calloc(1, sizeof *t);
	*out = t;
	if (!t || !(t->source = strdup(source ? source : "-")))
		return WEFT_ENOMEM;
	t->reviewer = reviewer ? malloc(1) : NULL; /* grown with the others */
	return reviewer && !t->reviewer ? WEFT_ENOMEM : WEFT_OK;
}

static int data_push(weft_pipelines_threshold_data *t, double score, int label, int reviewer)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		double *s = realloc(t->score, cap * sizeof *s);
		if (s)
			t->score = s;
		int *l = s ? realloc(t->label, cap * sizeof *l) : NULL;
		if (l)
			t->label = l;
		int *r = l && t->reviewer ? realloc(t->reviewer, cap * sizeof *r) : NULL;
		if (r)
			t->reviewer = r;
		if (!s || !l || (t->reviewer && !r))
			return WEFT_ENOMEM;
		t->cap = cap;
	}
	t->score[t->n] = score;
	t->label[t->n] = label;
	if (t->reviewer)
		t->reviewer[t->n] = reviewer;
	t->n++;
	return WEFT_OK;
}

int weft_pipelines_threshold_data_new(weft_pipelines_threshold_data **out, const char *source,
				      const double *scores, const int *labels, const int *reviewer,
				      size_t n)
{
	weft_pipelines_threshold_data *t;
	int err = data_alloc(&t, source, reviewer != NULL);
	for (size_t i = 0; !err && i < n; i++) {
		if (!(scores[i] >= 0 && scores[i] <= 1) || (labels[i] != 0 && labels[i] != 1) ||
		    (reviewer && (reviewer[i] < -1 || reviewer[i] > 1)))
			err = WEFT_EINVALID;
		else
			err = data_push(t, scores[i], labels[i], reviewer ? reviewer[i] : -1);
	}
	if (err) {
		weft_pipelines_threshold_data_free(t);
		t = NULL;
	}
	*out = t;
	return err;
}

/* ---- the CSV ------------------------------------------------------------------ */

typedef struct {
	const char *name;
	weft_diags *d;
	size_t errors;
} csv_ctx;

static void csv_error(csv_ctx *c, int line, int col, const char *hint, const char *fmt, ...) WEFT_PRINTF(5, 6);
static void csv_error(csv_ctx *c, int line, int col, const char *hint, const char *fmt, ...)
{
	if (c->errors++ >= MAX_CSV_ERRORS)
		return;
	va_list ap;
	va_start(ap, fmt);
	weft_diags_vadd(c->d, WEFT_SEV_ERROR, c->name, line, col, hint, fmt, ap);
	va_end(ap);
}

/* One field of a line: its text (quotes removed, "" kept doubled: the
 * values we read never contain a quote) and where it starts. */
typedef struct {
	const char *s;
	size_t len;
	int col;
} csv_field;

/* The next field of [*p, end): returns 1 with *f, 0 at the end of the line,
 * -1 with a recorded error on a stray or unterminated quote. */
static int next_field(csv_ctx *c, int line, const char *start, const char **p, const char *end,
		      bool *more, csv_field *f)
{
	if (!*more)
		return 0;
	const char *q = *p;
	while (q < end && (*q == ' ' || *q == '\t'))
		q++;
	f->col = (int)(q - start) + 1;
	if (q < end && *q == '"') {
		const char *s = ++q;
		while (q < end && !(*q == '"' && (q + 1 >= end || q[1] != '"')))
			q += *q == '"' ? 2 : 1;
		if (q >= end) {
			csv_error(c, line, f->col, "a quoted field ends on its own line", "unterminated quote");
			return -1;
		}
		f->s = s;
		f->len = (size_t)(q - s);
		q++;
		while (q < end && (*q == ' ' || *q == '\t'))
			q++;
		if (q < end && *q != ',') {
			csv_error(c, line, (int)(q - start) + 1, NULL, "text after a closing quote");
			return -1;
		}
	} else {
		const char *s = q;
		while (q < end && *q != ',') {
			if (*q == '"') {
				csv_error(c, line, (int)(q - start) + 1, "quote the whole field", "stray quote");
				return -1;
			}
			q++;
		}
		const char *e = q;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		f->s = s;
		f->len = (size_t)(e - s);
	}
	*more = q < end;
	*p = q < end ? q + 1 : q;
	return 1;
}

static bool field_is(const csv_field *f, const char *word)
{
	return f->len == strlen(word) && !strncmp(f->s, word, f->len);
}

/* A score in [0, 1]; false (recorded) otherwise. */
static bool parse_score(csv_ctx *c, int line, const csv_field *f, double *out)
{
	char buf[64];
	if (f->len && f->len < sizeof buf) {
		memcpy(buf, f->s, f->len);
		buf[f->len] = '\0';
		char *e;
		double v = strtod(buf, &e);
		if (e == buf + f->len && isfinite(v)) {
			if (v >= 0 && v <= 1) {
				*out = v;
				return true;
			}
			csv_error(c, line, f->col, "score is the model's probability of class 1",
				  "score %.30s is outside [0, 1]", buf);
			return false;
		}
	}
	csv_error(c, line, f->col, NULL, "score '%.*s' is not a number", f->len > 30 ? 30 : (int)f->len, f->s);
	return false;
}

/* 0 or 1 (or, when empty_ok, an empty field: -1). */
static bool parse_class(csv_ctx *c, int line, const csv_field *f, const char *what, bool empty_ok, int *out)
{
	if (f->len == 1 && (f->s[0] == '0' || f->s[0] == '1')) {
		*out = f->s[0] - '0';
		return true;
	}
	if (empty_ok && f->len == 0) {
		*out = -1;
		return true;
	}
	csv_error(c, line, f->col, empty_ok ? "0, 1, or empty for a case nobody reviewed" : "a binary label: 0 or 1",
		  "%s '%.*s' is not 0 or 1", what, f->len > 30 ? 30 : (int)f->len, f->s);
	return false;
}

enum { COL_SCORE, COL_LABEL, COL_REVIEWER, N_COLS };
static const char *const col_names[N_COLS] = { "score", "label", "reviewer" };

/* The header: where each column is (-1: absent). False (recorded) when a
 * required one is missing or a name repeats. */
static bool read_header(csv_ctx *c, const char *s, const char *end, long *col, size_t *n_fields)
{
	for (int k = 0; k < N_COLS; k++)
		col[k] = -1;
	const char *p = s;
	bool more = true;
	csv_field f;
	size_t i = 0;
	int r;
	bool ok = true;
	while ((r = next_field(c, 1, s, &p, end, &more, &f)) > 0) {
		for (int k = 0; k < N_COLS; k++)
			if (field_is(&f, col_names[k])) {
				if (col[k] >= 0) {
					csv_error(c, 1, f.col, NULL, "column '%s' appears twice", col_names[k]);
					ok = false;
				}
				col[k] = (long)i;
			}
		i++;
	}
	*n_fields = i;
	if (r < 0)
		return false;
	for (int k = 0; k < COL_REVIEWER; k++)
		if (col[k] < 0) {
			csv_error(c, 1, 1, "the header names the columns: score,label[,reviewer]",
				  "no '%s' column in the header", col_names[k]);
			ok = false;
		}
	return ok;
}

/* One data row into t; false when it was refused (recorded). */
static bool read_row(csv_ctx *c, weft_pipelines_threshold_data *t, int line, const char *s, const char *end,
		     const long *col, size_t n_header)
{
	const char *p = s;
	bool more = true, ok = true;
	csv_field f, got[N_COLS];
	memset(got, 0, sizeof got); /* each is set below (the header placed every column); for the optimiser */
	bool have[N_COLS] = { false, false, false };
	size_t i = 0;
	int r;
	while ((r = next_field(c, line, s, &p, end, &more, &f)) > 0) {
		for (int k = 0; k < N_COLS; k++)
			if (col[k] == (long)i) {
				got[k] = f;
				have[k] = true;
			}
		i++;
	}
	if (r < 0)
		return false;
	if (i != n_header) {
		csv_error(c, line, (int)(end - s) + 1, NULL, "%zu field%s; the header has %zu", i, i == 1 ? "" : "s",
			  n_header);
		return false;
	}
	double score = 0;
	int label = 0, rev = -1;
	ok = parse_score(c, line, &got[COL_SCORE], &score) && ok;
	ok = parse_class(c, line, &got[COL_LABEL], "label", false, &label) && ok;
	if (have[COL_REVIEWER])
		ok = parse_class(c, line, &got[COL_REVIEWER], "reviewer", true, &rev) && ok;
	if (ok && data_push(t, score, label, rev)) {
		c->errors = SIZE_MAX / 2; /* out of memory: stop */
		return false;
	}
	return ok;
}

int weft_pipelines_threshold_data_parse(weft_pipelines_threshold_data **out, const char *name,
					const char *text, size_t len, weft_diags *d)
{
	*out = NULL;
	csv_ctx c = { name ? name : "-", d, 0 };
	const char *p = text, *end = text + len;
	int line = 0;
	long col[N_COLS] = { -1, -1, -1 }; /* read_header fills it before any row */
	size_t n_header = 0;
	bool header = false;
	weft_pipelines_threshold_data *t = NULL;
	int err = WEFT_OK;
	while (p < end && c.errors < SIZE_MAX / 2) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		if (e > p && e[-1] == '\r')
			e--;
		if (line == INT32_MAX - 1)
			break;
		line++;
		const char *s = p;
		p = nl ? nl + 1 : end;
		if (line == 1 && e - s >= 3 && !memcmp(s, "\xef\xbb\xbf", 3))
			s += 3; /* a UTF-8 byte order mark */
		const char *q = s;
		while (q < e && (*q == ' ' || *q == '\t'))
			q++;
		if (q == e && header)
			continue; /* a blank line */
		if (!header) {
			if (q == e && !nl)
				break; /* only blanks: empty */
			if (q == e)
				continue;
			header = true;
			if (!read_header(&c, s, e, col, &n_header))
				break;
			if ((err = data_alloc(&t, c.name, col[COL_REVIEWER] >= 0)))
				break;
			continue;
		}
		read_row(&c, t, line, s, e, col, n_header);
	}
	if (!err && c.errors >= SIZE_MAX / 2)
		err = WEFT_ENOMEM;
	if (!err && !header)
		csv_error(&c, 1, 1, "the first line names the columns: score,label[,reviewer]",
			  "empty file; expected a header");
	else if (!err && !c.errors && t && t->n == 0)
		csv_error(&c, line + 1, 1, "one row per case: the model's score and the true label",
			  "no cases after the header");
	if (!err && c.errors > MAX_CSV_ERRORS)
		weft_diags_add(d, WEFT_SEV_NOTE, c.name, 0, 0, NULL, "%zu more errors not shown",
			       c.errors - MAX_CSV_ERRORS);
	if (!err && c.errors)
		err = WEFT_EINVALID;
	if (err) {
		weft_pipelines_threshold_data_free(t);
		return err;
	}
	*out = t;
	return WEFT_OK;
}

int weft_pipelines_threshold_data_load(weft_pipelines_threshold_data **out, const char *path, weft_diags *d)
{
	*out = NULL;
	char *text = NULL;
	size_t len = 0;
	int err = weft_file_read(&text, &len, path, 0, d);
	if (!err)
		err = weft_pipelines_threshold_data_parse(out, path, text, len, d);
	free(text);
	return err;
}

/* ---- a model stage's evaluation set ----------------------------------------------- */

int weft_pipelines_threshold_data_from_model(weft_pipelines_threshold_data **out,
					     const weft_pipelines_spec *spec, const char *stage,
					     const char *model, weft_diags *d)
{
	*out = NULL;
	const weft_pipelines_stage *st = NULL;
	size_t n_model = 0;
	for (size_t i = 0; i < spec->n_stages; i++) {
		const weft_pipelines_stage *s = &spec->stages[i];
		if (stage ? !strcmp(s->name, stage) : s->kind == WEFT_STAGE_MODEL) {
			st = s;
			n_model++;
		}
	}
	if (!st || (!stage && n_model > 1))
		return weft_diags_error(d, spec->path, 0, 0, stage ? "no stage named '%s'" : "%s",
					stage ? stage : n_model ? "several model stages: choose one with --stage"
								: "no model stage");
	if (st->kind != WEFT_STAGE_MODEL)
		return weft_diags_error(d, spec->path, st->line, st->col, "stage '%s' is not a model stage",
					st->name);
	if (!st->model.eval)
		return weft_diags_error(d, spec->path, st->line, st->col, "stage '%s' has no eval: set to "
					"score", st->name);
	const char *file = model ? model : st->model.file;
	weft_evalset *ev = NULL;
	weft_model *m = NULL;
	double *scores = NULL;
	int err = weft_evalset_load(&ev, st->model.eval, d);
	if (!err) {
		weft_model_opts mo;
		weft_model_opts_init(&mo);
		mo.device = WEFT_DEVICE_CPU;
		mo.activations = st->model.activations;
		mo.softmax = st->model.softmax;
		mo.max_batch = 256;
		err = weft_model_load(&m, file, &mo, d);
	}
	if (!err)
		err = weft_model_scores(&scores, m, ev, d);
	if (!err) {
		weft_buf src = WEFT_BUF_INIT;
		weft_buf_printf(&src, "%s on %s (stage %s of %s)", file, st->model.eval, st->name, spec->path);
		err = src.oom ? WEFT_ENOMEM
			      : weft_pipelines_threshold_data_new(out, src.ptr, scores, ev->labels, NULL, ev->rows);
		weft_buf_free(&src);
	}
	free(scores);
	weft_model_free(m);
	weft_evalset_free(ev);
	return err;
}

/* ---- the analysis ------------------------------------------------------------------ */

void weft_pipelines_threshold_opts_init(weft_pipelines_threshold_opts *o)
{
	*o = (weft_pipelines_threshold_opts){ .max_error = 0.05, .min_automation = 0, .confidence = 0.95 };
}

void weft_pipelines_threshold_result_free(weft_pipelines_threshold_result *r)
{
	if (!r)
		return;
	free(r->source);
	free(r->points);
	free(r->verdict);
	free(r);
}

int weft_pipelines_threshold_gate(const weft_pipelines_threshold_result *r)
{
	return r->met ? WEFT_OK : WEFT_EGATE;
}

typedef struct {
	double conf;
	bool wrong;
} ranked;

static int by_conf_desc(const void *a, const void *b)
{
	double x = ((const ranked *)a)->conf, y = ((const ranked *)b)->conf;
	return (x < y) - (x > y);
}

static double confidence_of(double p)
{
	return p >= 0.5 ? p : 1.0 - p;
}

static int prediction_of(double p)
{
	return p >= 0.5;
}

/* Model against reviewers for the cases on one side of threshold t. */
static void agreement(weft_pipelines_threshold_agreement *a, const weft_pipelines_threshold_data *t,
		      double thr, bool above)
{
	uint64_t n = 0, agree = 0, pred1 = 0, rev1 = 0, rev_wrong = 0;
	for (size_t i = 0; i < t->n; i++) {
		int r = t->reviewer[i];
		if (r < 0 || (confidence_of(t->score[i]) >= thr) != above)
			continue;
		int m = prediction_of(t->score[i]);
		n++;
		agree += m == r;
		pred1 += m;
		rev1 += (uint64_t)r;
		rev_wrong += r != t->label[i];
	}
	a->reviewed = n;
	a->overrides = n - agree;
	a->reviewer_errors = rev_wrong;
	a->override_rate = n ? (double)(n - agree) / (double)n : NAN;
	a->kappa = NAN;
	if (n) {
		double po = (double)agree / (double)n, pm = (double)pred1 / (double)n, pr = (double)rev1 / (double)n;
		double pe = pm * pr + (1 - pm) * (1 - pr);
		if (pe < 1)
			a->kappa = (po - pe) / (1 - pe);
	}
}

static int check_opts(const weft_pipelines_threshold_opts *o, weft_diags *d)
{
	if (!(o->max_error >= 0 && o->max_error <= 1))
		return weft_diags_error(d, NULL, 0, 0, "the error budget must be from 0 to 1, got %g", o->max_error);
	if (!(o->min_automation >= 0 && o->min_automation <= 1))
		return weft_diags_error(d, NULL, 0, 0, "the minimum automation must be from 0 to 1, got %g",
					o->min_automation);
	if (!(o->confidence > 0 && o->confidence < 1))
		return weft_diags_error(d, NULL, 0, 0, "the confidence must be above 0 and below 1, got %g",
					o->confidence);
	if (o->has_costs && !(o->cost_review >= 0 && o->cost_error >= 0 && isfinite(o->cost_review) &&
			      isfinite(o->cost_error)))
		return weft_diags_error(d, NULL, 0, 0, "costs must be finite and not negative");
	return WEFT_OK;
}

char *weft_pl_threshold_text(char *buf, size_t size, const weft_pipelines_threshold_result *r, size_t i)
{
	/* the shortest decimal at or below the threshold, within 0.00005 of
	 * it and above the next lower confidence: written into a
	 * configuration, it routes exactly the cases this point counts */
	double t = r->points[i].threshold, prev = i ? r->points[i - 1].threshold : -1;
	for (int k = 1; k <= 17; k++) {
		snprintf(buf, size, "%.*f", k, t);
		double v = strtod(buf, NULL);
		if (v > t) {
			v -= pow(10, -k);
			snprintf(buf, size, "%.*f", k, v);
			v = strtod(buf, NULL);
		}
		if (v <= t && v > prev && t - v <= 5e-5)
			return buf;
	}
	snprintf(buf, size, "%.17g", t);
	return buf;
}

/* The verdict sentence. */
static void verdict(weft_buf *b, const weft_pipelines_threshold_result *r)
{
	const weft_pipelines_threshold_opts *o = &r->opts;
	if (r->recommended != SIZE_MAX) {
		const weft_pipelines_threshold_point *p = &r->points[r->recommended];
		char t[32];
		weft_buf_printf(b, "threshold %s automates %.1f%% of cases (%llu of %llu) with an error rate of "
				   "%.2f%%, at most %.2f%% at %g%% confidence (budget %g%%)",
				weft_pl_threshold_text(t, sizeof t, r, r->recommended), 100 * p->automation_rate,
				(unsigned long long)p->automated,
				(unsigned long long)r->cases, 100 * p->error_rate, 100 * p->error_upper,
				100 * o->confidence, 100 * o->max_error);
		if (!r->met)
			weft_buf_printf(b, "; that is %.1f points short of the minimum automation of %g%%",
					100 * (o->min_automation - p->automation_rate), 100 * o->min_automation);
		return;
	}
	/* none within: the closest, and what it would take */
	size_t best = 0;
	for (size_t i = 1; i < r->n_points; i++)
		if (r->points[i].error_upper < r->points[best].error_upper)
			best = i;
	const weft_pipelines_threshold_point *p = &r->points[best];
	char t[32];
	weft_buf_printf(b, "no threshold keeps the error bound within %g%% at %g%% confidence: the lowest bound, "
			   "%.2f%% at threshold %s (%llu automated, %llu wrong), is %.2f points over",
			100 * o->max_error, 100 * o->confidence, 100 * p->error_upper,
			weft_pl_threshold_text(t, sizeof t, r, best),
			(unsigned long long)p->automated, (unsigned long long)p->errors,
			100 * (p->error_upper - o->max_error));
	if (r->automated_needed != UINT64_MAX)
		weft_buf_printf(b, "; showing %g%% takes at least %llu automatic decisions without an error",
				100 * o->max_error, (unsigned long long)r->automated_needed);
}

int weft_pipelines_threshold_analyse(weft_pipelines_threshold_result **out,
				     const weft_pipelines_threshold_data *data,
				     const weft_pipelines_threshold_opts *opts, weft_diags *d)
{
	*out = NULL;
	weft_pipelines_threshold_opts dflt;
	weft_pipelines_threshold_opts_init(&dflt);
	const weft_pipelines_threshold_opts *o = opts ? opts : &dflt;
	int err = check_opts(o, d);
	if (err)
		return err;
	if (!data || !data->n)
		return weft_diags_error(d, data ? data->source : NULL, 0, 0, "no cases to choose a threshold from");
	weft_pipelines_threshold_result *r = calloc(1, sizeof *r);
	ranked *rk = malloc(data->n * sizeof *rk);
	if (!r || !rk || !(r->source = strdup(data->source)) ||
	    !(r->points = malloc(data->n * sizeof *r->points))) {
		free(rk);
		weft_pipelines_threshold_result_free(r);
		return WEFT_ENOMEM;
	}
	r->opts = *o;
	r->cases = data->n;
	uint64_t wrong = 0;
	for (size_t i = 0; i < data->n; i++) {
		rk[i].conf = confidence_of(data->score[i]);
		rk[i].wrong = prediction_of(data->score[i]) != data->label[i];
		wrong += rk[i].wrong;
		r->positives += (uint64_t)data->label[i];
	}
	r->model_error_rate = (double)wrong / (double)data->n;
	qsort(rk, data->n, sizeof *rk, by_conf_desc);
	/* from the highest confidence down; reversed below */
	uint64_t automated = 0, errors = 0;
	for (size_t i = 0; i < data->n;) {
		double c = rk[i].conf;
		for (; i < data->n && rk[i].conf == c; i++) {
			automated++;
			errors += rk[i].wrong;
		}
		weft_pipelines_threshold_point *p = &r->points[r->n_points++];
		p->threshold = c;
		p->automated = automated;
		p->errors = errors;
		p->automation_rate = (double)automated / (double)data->n;
		p->review_rate = 1.0 - p->automation_rate;
		p->error_rate = (double)errors / (double)automated;
		weft_pipelines_proportion_upper(&p->error_upper, errors, automated, o->confidence);
		p->cost = o->has_costs ? o->cost_review * p->review_rate + o->cost_error * (double)errors / (double)data->n
				       : NAN;
		p->within = p->error_upper <= o->max_error;
	}
	free(rk);
	for (size_t i = 0; i < r->n_points / 2; i++) {
		weft_pipelines_threshold_point tmp = r->points[i];
		r->points[i] = r->points[r->n_points - 1 - i];
		r->points[r->n_points - 1 - i] = tmp;
	}
	r->recommended = r->lowest_cost = SIZE_MAX;
	for (size_t i = 0; i < r->n_points; i++) {
		const weft_pipelines_threshold_point *p = &r->points[i];
		if (!p->within)
			continue;
		if (r->recommended == SIZE_MAX)
			r->recommended = i;
		if (o->has_costs && (r->lowest_cost == SIZE_MAX || p->cost < r->points[r->lowest_cost].cost))
			r->lowest_cost = i;
	}
	r->met = r->recommended != SIZE_MAX &&
		 r->points[r->recommended].automation_rate >= o->min_automation - 1e-12;
	r->automated_needed = o->max_error > 0 && o->max_error < 1
				      ? weft_pipelines_queries_needed(1.0 - o->max_error, o->confidence, 0)
				      : o->max_error >= 1 ? 1 : UINT64_MAX;
	r->has_reviewer = data->reviewer != NULL;
	if (r->has_reviewer) {
		double thr = r->recommended == SIZE_MAX ? INFINITY : r->points[r->recommended].threshold;
		agreement(&r->above, data, thr, true);
		agreement(&r->below, data, thr, false);
	}
	weft_buf v = WEFT_BUF_INIT;
	verdict(&v, r);
	if (v.oom || !(r->verdict = weft_buf_detach(&v))) {
		weft_buf_free(&v);
		weft_pipelines_threshold_result_free(r);
		return WEFT_ENOMEM;
	}
	*out = r;
	return WEFT_OK;
}
