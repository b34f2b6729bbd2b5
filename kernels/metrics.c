/* metrics.c - evaluation sets (CSV or safetensors) and the scores weft
 * reports for a candidate: accuracy and ROC AUC.
 *
 * Design choice: ROC AUC is computed exactly, as the Mann-Whitney U
 * statistic over average ranks, so tied scores count one half; no threshold
 * sweep, no trapezoids to get subtly wrong. The model's forward pass runs on
 * its device (the GPU when it has one); the scoring itself is a sort on the
 * host. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels_int.h"

#define MAX_EVAL_BYTES (512u << 20)
#define MAX_COLS 65536

/* ---- metrics ------------------------------------------------------------------- */

typedef struct {
	double score;
	int label;
} scored;

static int cmp_scored(const void *a, const void *b)
{
	double x = ((const scored *)a)->score, y = ((const scored *)b)->score;
	return x < y ? -1 : x > y;
}

int weft_metrics_roc_auc(double *out, const double *scores, const int *labels, size_t n)
{
	*out = NAN;
	size_t pos = 0, neg = 0;
	for (size_t i = 0; i < n; i++) {
		if ((labels[i] != 0 && labels[i] != 1) || isnan(scores[i]))
			return WEFT_EINVALID;
		if (labels[i])
			pos++;
		else
			neg++;
	}
	if (pos == 0 || neg == 0)
		return WEFT_EINVALID;
	scored *v = malloc(n * sizeof *v);
	if (!v)
		return WEFT_ENOMEM;
	for (size_t i = 0; i < n; i++)
		v[i] = (scored){ scores[i], labels[i] };
	qsort(v, n, sizeof *v, cmp_scored);
	/* ranks 1..n; a run of equal scores at positions [i, j) shares the
	 * average rank (i + 1 + j) / 2 */
	double rank_sum_pos = 0.0;
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && v[j].score == v[i].score)
			j++;
		double rank = ((double)(i + 1) + (double)j) / 2.0;
		for (size_t k = i; k < j; k++)
			if (v[k].label)
				rank_sum_pos += rank;
		i = j;
	}
	free(v);
	double np = (double)pos, nn = (double)neg;
	double u = rank_sum_pos - np * (np + 1.0) / 2.0;
	*out = u / (np * nn);
	return 0;
}

double weft_metrics_accuracy(const float *outputs, size_t rows, size_t k, const int *labels,
			     float threshold)
{
	if (rows == 0 || k == 0)
		return NAN;
	size_t right = 0;
	for (size_t r = 0; r < rows; r++) {
		const float *o = outputs + r * k;
		int pred = -1;
		if (k == 1) {
			if (!isnan(o[0]))
				pred = o[0] >= threshold;
		} else {
			size_t best = 0;
			bool ok = !isnan(o[0]);
			for (size_t c = 1; c < k && ok; c++) {
				if (isnan(o[c]))
					ok = false;
				else if (o[c] > o[best])
					best = c;
			}
			if (ok)
				pred = (int)best;
		}
		if (pred >= 0 && pred == labels[r])
			right++;
	}
	return (double)right / (double)rows;
}

/* Every row of e through m, in max_batch chunks: rows x outputs (malloc'd). */
static int forward_all(float **out, weft_model *m, const weft_evalset *e, weft_diags *d)
{
	size_t k = weft_model_outputs(m), in = weft_model_inputs(m);
	float *o = malloc(e->rows * k * sizeof *o);
	*out = NULL;
	if (!o)
		return WEFT_ENOMEM;
	size_t step = weft_model_max_batch(m);
	for (size_t r = 0; r < e->rows; r += step) {
		size_t b = e->rows - r < step ? e->rows - r : step;
		int err = weft_model_forward(m, o + r * k, e->features + r * in, b, NULL, d);
		if (err) {
			free(o);
			return err;
		}
	}
	*out = o;
	return 0;
}

int weft_model_scores(double **out, weft_model *m, const weft_evalset *e, weft_diags *d)
{
	*out = NULL;
	size_t k = weft_model_outputs(m);
	if (k > 2)
		return weft_diags_error(d, m->path, 0, 0, "the model has %zu outputs; a threshold needs a "
					"binary model (one output, or two)", k);
	if (e->cols != weft_model_inputs(m))
		return weft_diags_error(d, m->path, 0, 0, "the evaluation set has %zu features per row "
					"but the model takes %zu", e->cols, weft_model_inputs(m));
	if (e->rows == 0)
		return weft_diags_error(d, m->path, 0, 0, "the evaluation set has no rows");
	for (size_t r = 0; r < e->rows; r++)
		if (e->labels[r] > 1)
			return weft_diags_error(d, m->path, 0, 0, "evaluation row %zu has label %d; a "
						"threshold needs labels 0 and 1", r + 1, e->labels[r]);
	float *o;
	int err = forward_all(&o, m, e, d);
	if (err)
		return err;
	double *s = malloc(e->rows * sizeof *s);
	if (!s) {
		free(o);
		return WEFT_ENOMEM;
	}
	bool sigmoid = m->layers[m->n_layers - 1].act == WEFT_ACT_SIGMOID;
	for (size_t r = 0; r < e->rows; r++) {
		if (k == 1)
			s[r] = sigmoid ? (double)o[r] : 1.0 / (1.0 + exp(-(double)o[r]));
		else
			s[r] = m->softmax ? (double)o[r * 2 + 1]
					  : 1.0 / (1.0 + exp((double)o[r * 2] - (double)o[r * 2 + 1]));
	}
	free(o);
	*out = s;
	return 0;
}

int weft_model_evaluate(weft_model_eval *out, weft_model *m, const weft_evalset *e,
			weft_diags *d)
{
	memset(out, 0, sizeof *out);
	out->accuracy = NAN;
	out->auc = NAN;
	size_t k = weft_model_outputs(m), in = weft_model_inputs(m);
	if (e->cols != in)
		return weft_diags_error(d, m->path, 0, 0, "the evaluation set has %zu features per row "
					"but the model takes %zu", e->cols, in);
	if (e->rows == 0)
		return weft_diags_error(d, m->path, 0, 0, "the evaluation set has no rows");
	for (size_t r = 0; r < e->rows; r++) {
		if ((k == 1 && e->labels[r] > 1) || (k > 1 && (size_t)e->labels[r] >= k))
			return weft_diags_error(d, m->path, 0, 0, "evaluation row %zu has label %d but "
						"the model has %zu output%s", r + 1, e->labels[r], k,
						k == 1 ? " (binary: labels 0 and 1)" : "s");
	}
	float *o;
	int err = forward_all(&o, m, e, d);
	if (err)
		return err;
	/* one output: a probability after a sigmoid, else a logit (threshold 0) */
	const weft_dense_layer *last = &m->layers[m->n_layers - 1];
	float threshold = last->act == WEFT_ACT_SIGMOID ? 0.5f : 0.0f;
	out->rows = e->rows;
	out->accuracy = weft_metrics_accuracy(o, e->rows, k, e->labels, threshold);
	if (k <= 2 && e->classes <= 2) {
		double *s = malloc(e->rows * sizeof *s);
		if (!s) {
			free(o);
			return WEFT_ENOMEM;
		}
		/* two outputs: out1 - out0 orders rows as p(class 1) does, for
		 * logits and softmax probabilities alike */
		for (size_t r = 0; r < e->rows; r++)
			s[r] = k == 1 ? o[r] : (double)o[r * 2 + 1] - (double)o[r * 2];
		out->has_auc = weft_metrics_roc_auc(&out->auc, s, e->labels, e->rows) == 0;
		free(s);
	}
	free(o);
	return 0;
}

/* ---- evaluation sets ----------------------------------------------------------------- */

void weft_evalset_free(weft_evalset *e)
{
	if (!e)
		return;
	if (e->names)
		for (size_t i = 0; i < e->cols; i++)
			free(e->names[i]);
	free(e->names);
	free(e->features);
	free(e->labels);
	free(e);
}

/* A CSV field: [start, end) of the line, unquoted when "quoted". */
typedef struct {
	const char *s;
	size_t len;
	int col;
} field;

/* Split one line (without its newline) at commas. Fields may be wrapped in
 * double quotes (no commas or quotes inside; this is a table of numbers).
 * Returns the number of fields, or -1 (with *bad_col) on a stray quote. */
static long split_line(field *f, size_t max, const char *line, size_t len, int *bad_col)
{
	size_t n = 0, i = 0;
	for (;;) {
		size_t start = i;
		while (i < len && line[i] != ',')
			i++;
		size_t a = start, b = i;
		while (a < b && (line[a] == ' ' || line[a] == '\t'))
			a++;
		while (b > a && (line[b - 1] == ' ' || line[b - 1] == '\t'))
			b--;
		if (b - a >= 2 && line[a] == '"' && line[b - 1] == '"')
			a++, b--;
		for (size_t k = a; k < b; k++) {
			if (line[k] == '"') {
				*bad_col = (int)k + 1;
				return -1;
			}
		}
		if (n < max)
			f[n] = (field){ line + a, b - a, (int)a + 1 };
		n++;
		if (i >= len)
			break;
		i++; /* the comma */
	}
	return (long)n;
}

static int load_csv(weft_evalset *e, const char *path, const char *text, size_t len,
		    weft_diags *d)
{
	field *f = NULL;
	size_t fcap = 0;
	int err = 0, line_no = 0, bad_col = 0;
	long label_col = -1, ncols = 0;
	size_t cap = 0, pos = 0;
	while (pos < len) {
		size_t eol = pos;
		while (eol < len && text[eol] != '\n')
			eol++;
		size_t l = eol - pos;
		if (l && text[pos + l - 1] == '\r')
			l--;
		const char *line = text + pos;
		pos = eol + 1;
		line_no++;
		if (l == 0)
			continue; /* blank lines */
		long n = split_line(f, fcap, line, l, &bad_col);
		if (n < 0) {
			err = weft_diags_error(d, path, line_no, bad_col, "unexpected '\"' inside a field");
			break;
		}
		if (n > MAX_COLS) {
			err = weft_diags_error(d, path, line_no, 1, "%ld columns; at most %d", n, MAX_COLS);
			break;
		}
		if ((size_t)n > fcap) { /* room for this line's fields, then split again */
			field *nf = realloc(f, (size_t)n * sizeof *nf);
			if (!nf) {
				err = WEFT_ENOMEM;
				break;
			}
			f = nf;
			fcap = (size_t)n;
			split_line(f, fcap, line, l, &bad_col);
		}
		if (ncols == 0) { /* the header */
			ncols = n;
			for (long c = 0; c < n; c++) {
				if (f[c].len == 5 && memcmp(f[c].s, "label", 5) == 0) {
					if (label_col >= 0) {
						err = weft_diags_error(d, path, line_no, f[c].col,
								       "a second 'label' column");
						break;
					}
					label_col = c;
				}
			}
			if (err)
				break;
			if (label_col < 0) {
				weft_diags_add(d, WEFT_SEV_ERROR, path, line_no, 1,
					       "the first line names the columns; one must be 'label'",
					       "no column named 'label'");
				err = WEFT_EINVALID;
				break;
			}
			e->cols = (size_t)(ncols - 1);
			e->names = calloc(e->cols ? e->cols : 1, sizeof *e->names);
			if (!e->names) {
				err = WEFT_ENOMEM;
				break;
			}
			for (long c = 0, k = 0; c < n; c++)
				if (c != label_col && !(e->names[k++] = strndup(f[c].s, f[c].len)))
					err = WEFT_ENOMEM;
			if (err)
				break;
			continue;
		}
		if (n != ncols) {
			err = weft_diags_error(d, path, line_no, 1, "%ld fields; the header has %ld", n,
					       ncols);
			break;
		}
		if (e->rows == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			float *nf = realloc(e->features, ncap * (e->cols ? e->cols : 1) * sizeof *nf);
			if (nf)
				e->features = nf;
			int *nl = realloc(e->labels, ncap * sizeof *nl);
			if (nl)
				e->labels = nl;
			if (!nf || !nl) {
				err = WEFT_ENOMEM;
				break;
			}
			cap = ncap;
		}
		float *row = e->features + e->rows * e->cols;
		for (long c = 0, k = 0; c < n && !err; c++) {
			char tmp[64];
			if (f[c].len == 0 || f[c].len >= sizeof tmp) {
				err = weft_diags_error(d, path, line_no, f[c].col, "expected a number, got "
						       "'%.*s'", (int)(f[c].len > 20 ? 20 : f[c].len),
						       f[c].s);
				break;
			}
			memcpy(tmp, f[c].s, f[c].len);
			tmp[f[c].len] = '\0';
			char *end;
			errno = 0;
			double v = strtod(tmp, &end);
			if (*end || !isfinite(v) || fabs(v) > 3.4e38) {
				err = weft_diags_error(d, path, line_no, f[c].col, "expected a finite number, "
						       "got '%s'", tmp);
				break;
			}
			if (c == label_col) {
				if (v < 0 || v > 1e6 || v != floor(v)) {
					err = weft_diags_error(d, path, line_no, f[c].col, "label must be a "
							       "class number 0, 1, 2 ..., got '%s'", tmp);
					break;
				}
				e->labels[e->rows] = (int)v;
			} else {
				row[k++] = (float)v;
			}
		}
		if (err)
			break;
		e->rows++;
	}
	free(f);
	if (!err && ncols == 0)
		err = weft_diags_error(d, path, 0, 0, "empty evaluation set: no header line");
	else if (!err && e->rows == 0)
		err = weft_diags_error(d, path, 0, 0, "the evaluation set has a header but no rows");
	return err;
}

static int load_st(weft_evalset *e, const char *path, weft_diags *d)
{
	weft_safetensors *st = NULL;
	int err = weft_safetensors_load(&st, path, NULL, d);
	if (err)
		return err;
	const weft_tensor *x = weft_safetensors_find(st, "features");
	const weft_tensor *y = weft_safetensors_find(st, "labels");
	if (!x || !y) {
		err = weft_diags_error(d, path, 0, 0, "an evaluation set needs tensors 'features' "
				       "[rows, cols] and 'labels' [rows]");
	} else if (x->ndim != 2 || y->ndim != 1 || x->shape[0] != y->shape[0] || x->shape[0] == 0 ||
		   x->shape[1] == 0 || x->shape[1] > MAX_COLS) {
		err = weft_diags_error(d, path, 0, 0, "'features' must be [rows, cols] and 'labels' "
				       "[rows], rows and cols at least 1");
	} else if (x->dtype != WEFT_DTYPE_F32 && x->dtype != WEFT_DTYPE_F16 &&
		   x->dtype != WEFT_DTYPE_BF16) {
		err = weft_diags_error(d, path, 0, 0, "'features' has dtype %s; expected F32, F16 "
				       "or BF16", weft_dtype_name(x->dtype));
	}
	if (err)
		goto out;
	e->rows = (size_t)x->shape[0];
	e->cols = (size_t)x->shape[1];
	e->features = malloc(e->rows * e->cols * sizeof *e->features);
	e->labels = malloc(e->rows * sizeof *e->labels);
	if (!e->features || !e->labels) {
		err = WEFT_ENOMEM;
		goto out;
	}
	weft_tensor_to_f32(e->features, x);
	const uint8_t *p = y->data;
	size_t sz = weft_dtype_size(y->dtype);
	for (size_t r = 0; r < e->rows && !err; r++) {
		const uint8_t *q = p + r * sz;
		uint64_t u = 0;
		for (size_t b = 0; b < sz; b++)
			u |= (uint64_t)q[b] << (8 * b);
		double v;
		switch (y->dtype) {
		case WEFT_DTYPE_U8: case WEFT_DTYPE_U16: case WEFT_DTYPE_U32: case WEFT_DTYPE_U64:
		case WEFT_DTYPE_BOOL:
			v = (double)u;
			break;
		case WEFT_DTYPE_I8: v = (double)(int8_t)u; break;
		case WEFT_DTYPE_I16: v = (double)(int16_t)u; break;
		case WEFT_DTYPE_I32: v = (double)(int32_t)u; break;
		case WEFT_DTYPE_I64: v = (double)(int64_t)u; break;
		case WEFT_DTYPE_F32: {
			uint32_t w = (uint32_t)u;
			float f;
			memcpy(&f, &w, 4);
			v = f;
			break;
		}
		default:
			v = -1;
		}
		if (!(v >= 0 && v <= 1e6 && v == floor(v)))
			err = weft_diags_error(d, path, 0, 0, "labels[%zu] is not a class number 0, 1, "
					       "2 ... (dtype %s)", r, weft_dtype_name(y->dtype));
		else
			e->labels[r] = (int)v;
	}
	for (size_t i = 0; !err && i < e->rows * e->cols; i++)
		if (!isfinite(e->features[i]))
			err = weft_diags_error(d, path, 0, 0, "features[%zu][%zu] is not finite",
					       i / e->cols, i % e->cols);
out:
	weft_safetensors_free(st);
	return err;
}

static int finish_evalset(weft_evalset **out, weft_evalset *e, const char *path, int err,
			  weft_diags *d)
{
	if (!err) {
		for (size_t r = 0; r < e->rows; r++)
			if (e->labels[r] + 1 > e->classes)
				e->classes = e->labels[r] + 1;
	}
	if (err == WEFT_ENOMEM && !weft_diags_errors(d))
		weft_diags_error(d, path, 0, 0, "out of memory reading the evaluation set");
	if (err) {
		weft_evalset_free(e);
		return err;
	}
	*out = e;
	return 0;
}

int weft_evalset_load(weft_evalset **out, const char *path, weft_diags *d)
{
	*out = NULL;
	weft_evalset *e = calloc(1, sizeof *e);
	if (!e)
		return WEFT_ENOMEM;
	size_t plen = strlen(path);
	int err;
	if (plen > 12 && strcmp(path + plen - 12, ".safetensors") == 0) {
		err = load_st(e, path, d);
	} else {
		char *text = NULL;
		size_t len = 0;
		err = weft_file_read(&text, &len, path, MAX_EVAL_BYTES, d);
		if (!err)
			err = load_csv(e, path, text, len, d);
		free(text);
	}
	return finish_evalset(out, e, path, err, d);
}

int weft_evalset_parse_csv(weft_evalset **out, const char *name, const char *text, size_t len,
			   weft_diags *d)
{
	*out = NULL;
	weft_evalset *e = calloc(1, sizeof *e);
	if (!e)
		return WEFT_ENOMEM;
	return finish_evalset(out, e, name, load_csv(e, name, text, len, d), d);
}
