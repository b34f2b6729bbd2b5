/* cmd_bench_model.c - `weft bench inspect` (what a model file holds) and
 * `weft bench candidates` (accuracy and model-stage latency of several
 * candidate models, side by side, with a recommendation).
 *
 * Design choice: glue only. The kernels library reads, checks and runs the
 * models and scores them; the pipelines library supplies the statistics
 * (order-statistic confidence intervals, the met/broken/inconclusive rule)
 * so a candidate's verdict means what a `weft bench run` verdict means. This
 * file measures, formats and decides the exit code.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "weft_kernels.h"
#include "weft_pipelines.h"

/* ==== inspect ================================================================ */

static const char inspect_usage[] =
	"usage: weft bench inspect MODEL [--format text|json] [--prefix P]\n"
	"                          [--activations LIST [--softmax]]\n\n"
	"Show what a safetensors model file holds: size, SHA-256, metadata, every\n"
	"tensor (dtype, shape, bytes, offsets) and, when the file is a dense network,\n"
	"its layers, activations and parameter count. The file is validated strictly;\n"
	"a malformed file or one that is not a dense network exits 3 with the reason.\n\n"
	"Options:\n"
	"  --format F         text (default) or json\n"
	"  --prefix P         tensor name prefix of the layers (default: from the file)\n"
	"  --activations L    per-layer activations, e.g. relu,relu,sigmoid\n"
	"                     (default: __metadata__ weft.activations)\n"
	"  --softmax          softmax after the last layer (with --activations)\n";

static void json_shape(cJSON *arr, const weft_tensor *t)
{
	for (size_t k = 0; k < t->ndim; k++)
		cJSON_AddItemToArray(arr, cJSON_CreateNumber((double)t->shape[k]));
}

static void text_shape(weft_buf *b, const weft_tensor *t)
{
	weft_buf_putc(b, '[');
	for (size_t k = 0; k < t->ndim; k++)
		weft_buf_printf(b, "%s%llu", k ? ", " : "", (unsigned long long)t->shape[k]);
	weft_buf_putc(b, ']');
}

static void inspect_text(weft_buf *b, const weft_safetensors *st, const char *sha,
			 const weft_model *m)
{
	size_t len = 0;
	weft_safetensors_bytes(st, &len);
	weft_buf_printf(b, "file        %s\n", weft_safetensors_path(st));
	weft_buf_printf(b, "bytes       %zu (header %llu)\n", len,
			(unsigned long long)weft_safetensors_header_bytes(st));
	weft_buf_printf(b, "sha256      %s\n", sha);
	size_t nm = weft_safetensors_metadata_count(st);
	for (size_t i = 0; i < nm; i++) {
		const char *k, *v;
		weft_safetensors_metadata_at(st, i, &k, &v);
		weft_buf_printf(b, "%s %s = %s\n", i ? "           " : "metadata   ", k, v);
	}
	size_t n = weft_safetensors_count(st);
	weft_buf_printf(b, "tensors     %zu\n", n);
	size_t wname = 4;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(weft_safetensors_tensor(st, i)->name);
		if (l > wname)
			wname = l;
	}
	if (wname > 48)
		wname = 48;
	if (n)
		weft_buf_printf(b, "  %-*s  %-7s  %-16s  %10s  %s\n", (int)wname, "name", "dtype",
				"shape", "bytes", "data offsets");
	for (size_t i = 0; i < n; i++) {
		const weft_tensor *t = weft_safetensors_tensor(st, i);
		weft_buf shape = WEFT_BUF_INIT;
		text_shape(&shape, t);
		weft_buf_printf(b, "  %-*s  %-7s  %-16s  %10llu  %llu..%llu\n", (int)wname, t->name,
				weft_dtype_name(t->dtype), shape.ptr ? shape.ptr : "",
				(unsigned long long)(t->end - t->begin), (unsigned long long)t->begin,
				(unsigned long long)t->end);
		weft_buf_free(&shape);
	}
	if (!m) {
		weft_buf_puts(b, "network     not a usable dense network (see the error)\n");
		return;
	}
	size_t L = weft_model_layers(m);
	weft_buf_printf(b, "network     dense, %zu layer%s, prefix '%s'\n", L, L == 1 ? "" : "s",
			weft_model_prefix(m));
	weft_buf_printf(b, "  %-5s  %-5s  %8s  %8s  %-10s  %s\n", "layer", "index", "in", "out",
			"activation", "dtype");
	for (size_t i = 0; i < L; i++) {
		weft_layer_info li;
		weft_model_layer(&li, m, i);
		weft_buf_printf(b, "  %-5zu  %-5zu  %8zu  %8zu  %-10s  %s\n", i, li.index, li.in,
				li.out, weft_activation_name(li.act),
				weft_dtype_name(li.dtype));
	}
	weft_buf_printf(b, "softmax     %s\n", weft_model_softmax(m) ? "yes" : "no");
	weft_buf_printf(b, "inputs      %zu\n", weft_model_inputs(m));
	weft_buf_printf(b, "outputs     %zu\n", weft_model_outputs(m));
	weft_buf_printf(b, "parameters  %zu\n", weft_model_params(m));
}

static char *inspect_json(const weft_safetensors *st, const char *sha, const weft_model *m)
{
	size_t len = 0;
	weft_safetensors_bytes(st, &len);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "path", weft_safetensors_path(st));
	cJSON_AddNumberToObject(o, "bytes", (double)len);
	cJSON_AddNumberToObject(o, "header_bytes", (double)weft_safetensors_header_bytes(st));
	cJSON_AddStringToObject(o, "sha256", sha);
	cJSON *meta = cJSON_AddObjectToObject(o, "metadata");
	for (size_t i = 0; i < weft_safetensors_metadata_count(st); i++) {
		const char *k, *v;
		weft_safetensors_metadata_at(st, i, &k, &v);
		cJSON_AddStringToObject(meta, k, v);
	}
	cJSON *ts = cJSON_AddArrayToObject(o, "tensors");
	for (size_t i = 0; i < weft_safetensors_count(st); i++) {
		const weft_tensor *t = weft_safetensors_tensor(st, i);
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "name", t->name);
		cJSON_AddStringToObject(j, "dtype", weft_dtype_name(t->dtype));
		json_shape(cJSON_AddArrayToObject(j, "shape"), t);
		cJSON_AddNumberToObject(j, "bytes", (double)(t->end - t->begin));
		cJSON *offs = cJSON_AddArrayToObject(j, "data_offsets");
		cJSON_AddItemToArray(offs, cJSON_CreateNumber((double)t->begin));
		cJSON_AddItemToArray(offs, cJSON_CreateNumber((double)t->end));
		cJSON_AddItemToArray(ts, j);
	}
	if (m) {
		cJSON *net = cJSON_AddObjectToObject(o, "network");
		cJSON_AddStringToObject(net, "kind", "dense");
		cJSON_AddStringToObject(net, "prefix", weft_model_prefix(m));
		cJSON *ls = cJSON_AddArrayToObject(net, "layers");
		for (size_t i = 0; i < weft_model_layers(m); i++) {
			weft_layer_info li;
			weft_model_layer(&li, m, i);
			cJSON *j = cJSON_CreateObject();
			cJSON_AddNumberToObject(j, "index", (double)li.index);
			cJSON_AddNumberToObject(j, "in", (double)li.in);
			cJSON_AddNumberToObject(j, "out", (double)li.out);
			cJSON_AddStringToObject(j, "activation", weft_activation_name(li.act));
			cJSON_AddStringToObject(j, "dtype", weft_dtype_name(li.dtype));
			cJSON_AddItemToArray(ls, j);
		}
		cJSON_AddBoolToObject(net, "softmax", weft_model_softmax(m));
		cJSON_AddNumberToObject(net, "inputs", (double)weft_model_inputs(m));
		cJSON_AddNumberToObject(net, "outputs", (double)weft_model_outputs(m));
		cJSON_AddNumberToObject(net, "parameters", (double)weft_model_params(m));
	} else {
		cJSON_AddNullToObject(o, "network");
	}
	char *s = cJSON_Print(o);
	cJSON_Delete(o);
	return s;
}

int weft_cmd_bench_inspect(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "prefix", required_argument, NULL, 'p' },
		{ "activations", required_argument, NULL, 'a' },
		{ "softmax", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = "bench inspect";
	weft_cli_format fmt = WEFT_FMT_TEXT;
	weft_model_opts mo;
	weft_model_opts_init(&mo);
	mo.device = WEFT_DEVICE_CPU;
	mo.max_batch = 1;
	int c;
	while ((c = weft_cli_getopt(cmd, argc, argv, "f:h", longopts)) != -1) {
		switch (c) {
		case 'h':
			fputs(inspect_usage, stdout);
			return WEFT_EXIT_OK;
		case 'f':
			if (weft_cli_format_parse(&fmt, cmd, optarg,
						  1u << WEFT_FMT_TEXT | 1u << WEFT_FMT_JSON))
				return WEFT_EXIT_USAGE;
			break;
		case 'p':
			mo.prefix = optarg;
			break;
		case 'a':
			mo.activations = optarg;
			break;
		case 's':
			mo.softmax = true;
			break;
		default:
			return WEFT_EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return weft_cli_usage_error(cmd, "missing MODEL");
	if (optind + 1 < argc)
		return weft_cli_usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
	if (mo.softmax && !mo.activations)
		return weft_cli_usage_error(cmd, "--softmax needs --activations");

	weft_diags *d = NULL;
	if (weft_diags_new(&d))
		return WEFT_EXIT_ENV;
	weft_safetensors *st = NULL;
	weft_model *m = NULL;
	int err = weft_safetensors_load(&st, argv[optind], NULL, d);
	if (err) {
		int rc = weft_cli_finish(err, d);
		weft_diags_free(d);
		return rc;
	}
	size_t len = 0;
	const uint8_t *bytes = weft_safetensors_bytes(st, &len);
	char sha[65];
	weft_sha256_hex(sha, bytes, len);
	err = weft_model_from_safetensors(&m, st, &mo, d);

	int rc;
	if (fmt == WEFT_FMT_JSON) {
		char *s = inspect_json(st, sha, m);
		if (s) {
			fputs(s, stdout);
			fputc('\n', stdout);
		}
		free(s);
	} else {
		weft_buf b = WEFT_BUF_INIT;
		inspect_text(&b, st, sha, m);
		if (b.ptr)
			fputs(b.ptr, stdout);
		weft_buf_free(&b);
	}
	fflush(stdout);
	rc = weft_cli_finish(err, d);
	weft_model_free(m);
	weft_safetensors_free(st);
	weft_diags_free(d);
	return rc;
}

/* ==== candidates ================================================================ */

static const char candidates_usage[] =
	"usage: weft bench candidates MODEL... [--eval FILE] [--budget DURATION]\n"
	"                             [--device auto|cpu|gpu] [--precision P]\n"
	"                             [--batch N | --batch-sweep [--max-batch N]]\n"
	"                             [--iterations N] [--warmup N] [--no-graph]\n"
	"                             [--format text|json|markdown] [-o FILE] [--force]\n\n"
	"Compare candidate models (dense networks in safetensors files) for a model\n"
	"stage: accuracy and ROC AUC on an evaluation set, and latency of the model\n"
	"stage measured per query (host wall time, warm-up excluded; on a GPU also the\n"
	"H2D / compute / D2H split from CUDA events). p50 and p99 come with 95%\n"
	"distribution-free confidence intervals. With --budget, a candidate fits when\n"
	"the upper bound of its p99 at --batch is within the budget, does not when the\n"
	"lower bound is above it, and is inconclusive otherwise; the recommendation is\n"
	"the most accurate candidate that fits (exit 1 when none does).\n\n"
	"Options:\n"
	"  --eval FILE        evaluation set: CSV with a 'label' column, or safetensors\n"
	"                     with 'features' and 'labels'\n"
	"  --budget D         model-stage p99 budget, e.g. 2ms, 500us\n"
	"  --device D         auto (default: the GPU when present), cpu or gpu\n"
	"  --precision P      fp32 (default), tf32, fp16, bf16 (GPU only)\n"
	"  --batch N          rows per query (default 1)\n"
	"  --batch-sweep      time batch sizes 1, 2, 4, ... up to --max-batch\n"
	"  --max-batch N      largest batch of the sweep (default 64)\n"
	"  --iterations N     timed queries per batch size (default 1000; a p99 upper\n"
	"                     bound needs at least 367)\n"
	"  --warmup N         untimed queries first (default 20)\n"
	"  --no-graph         do not replay CUDA graphs\n"
	"  --prefix P, --activations L, --softmax   as for `weft bench inspect`\n"
	"  --format F         text (default), json or markdown\n"
	"  -o, --output FILE  write the report there (atomically; --force to replace)\n";

typedef struct {
	size_t batch, n;
	double p50, p50_lo, p50_hi, p99, p99_lo, p99_hi; /* ms; NAN bound = none */
	double rows_per_s;
	double h2d_ms, compute_ms, d2h_ms; /* means; 0 on the CPU */
} sweep_row;

typedef struct {
	const char *path;
	char *name;
	size_t params, bytes;
	bool on_gpu;
	weft_precision prec;
	bool evaluated;
	weft_model_eval eval;
	sweep_row *rows;
	size_t n_rows;
	const sweep_row *at_batch; /* the row the budget is judged on */
	bool judged;
	weft_pipelines_verdict verdict;
	bool failed;
} candidate;

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Point estimate and 95% interval of the p-quantile of sorted samples. */
static void quantile(double *v, double *lo, double *hi, const double *sorted, size_t n, double p)
{
	*v = sorted[weft_pipelines_quantile_rank(n, p) - 1];
	uint64_t rl = 0, rh = 0;
	*lo = *hi = NAN;
	if (weft_pipelines_quantile_ci(&rl, &rh, NULL, n, p, 0.95) == 0) {
		if (rl >= 1)
			*lo = sorted[rl - 1];
		if (rh <= n)
			*hi = sorted[rh - 1];
	}
}

static char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	s = s ? s + 1 : path;
	size_t n = strlen(s);
	if (n > 12 && strcmp(s + n - 12, ".safetensors") == 0)
		n -= 12;
	return strndup(s, n);
}

/* Time one batch size: warm-up, then `iters` timed forward passes. */
static int time_batch(sweep_row *row, weft_model *m, const float *in, size_t batch, size_t iters,
		      size_t warmup, float *out, weft_diags *d)
{
	double *t = malloc(iters * sizeof *t);
	if (!t)
		return WEFT_ENOMEM;
	int err = 0;
	weft_model_timing tm;
	for (size_t i = 0; i < warmup && !err; i++)
		err = weft_model_forward(m, out, in, batch, &tm, d);
	double h2d = 0, comp = 0, d2h = 0;
	for (size_t i = 0; i < iters && !err; i++) {
		err = weft_model_forward(m, out, in, batch, &tm, d);
		t[i] = tm.host_ms;
		h2d += tm.h2d_ms, comp += tm.compute_ms, d2h += tm.d2h_ms;
	}
	if (!err) {
		qsort(t, iters, sizeof *t, cmp_double);
		row->batch = batch;
		row->n = iters;
		quantile(&row->p50, &row->p50_lo, &row->p50_hi, t, iters, 0.50);
		quantile(&row->p99, &row->p99_lo, &row->p99_hi, t, iters, 0.99);
		row->rows_per_s = row->p50 > 0 ? (double)batch / (row->p50 / 1000.0) : 0;
		row->h2d_ms = h2d / (double)iters;
		row->compute_ms = comp / (double)iters;
		row->d2h_ms = d2h / (double)iters;
	}
	free(t);
	return err;
}

typedef struct {
	weft_model_opts mo;
	const char *eval_path;
	bool has_budget;
	double budget_ms;
	size_t batch, max_batch, iters, warmup;
	bool sweep;
} cand_opts;

static int run_candidate(candidate *c, const cand_opts *o, const weft_evalset *ev, weft_diags *d)
{
	weft_model *m = NULL;
	weft_model_opts mo = o->mo;
	mo.max_batch = o->sweep ? o->max_batch : o->batch;
	if (ev && ev->rows > mo.max_batch && mo.max_batch < 256)
		mo.max_batch = 256; /* evaluate in larger chunks */
	int err = weft_model_load(&m, c->path, &mo, d);
	if (err)
		return err;
	c->params = weft_model_params(m);
	c->bytes = weft_model_bytes(m);
	c->on_gpu = weft_model_on_gpu(m);
	c->prec = weft_model_precision(m);
	if (ev) {
		err = weft_model_evaluate(&c->eval, m, ev, d);
		c->evaluated = err == 0;
	}
	size_t top = o->sweep ? o->max_batch : o->batch;
	size_t in_n = weft_model_inputs(m), out_n = weft_model_outputs(m);
	float *in = err ? NULL : malloc(top * in_n * sizeof *in);
	float *out = err ? NULL : malloc(top * out_n * sizeof *out);
	c->rows = err ? NULL : calloc(66, sizeof *c->rows);
	if (!err && (!in || !out || !c->rows))
		err = WEFT_ENOMEM;
	if (!err) {
		/* timing input: evaluation rows when they fit, else a fixed pattern */
		uint64_t s = 0x9e3779b97f4a7c15ull;
		for (size_t i = 0; i < top * in_n; i++) {
			if (ev && ev->cols == in_n) {
				in[i] = ev->features[i % (ev->rows * ev->cols)];
			} else {
				s = s * 6364136223846793005ull + 1442695040888963407ull;
				in[i] = (float)((double)(s >> 11) / 9007199254740992.0 * 2.0 - 1.0);
			}
		}
	}
	if (!err) {
		if (o->sweep) {
			for (size_t b = 1; !err && c->n_rows < 64; b *= 2) {
				size_t bb = b < top ? b : top;
				err = time_batch(&c->rows[c->n_rows], m, in, bb, o->iters, o->warmup, out, d);
				if (!err && c->rows[c->n_rows].batch == o->batch)
					c->at_batch = &c->rows[c->n_rows];
				c->n_rows++;
				if (bb == top)
					break;
			}
		}
		/* the batch the budget is judged at, when the sweep missed it */
		if (!err && !c->at_batch) {
			sweep_row *r = &c->rows[c->n_rows++];
			err = time_batch(r, m, in, o->batch, o->iters, o->warmup, out, d);
			c->at_batch = r;
		}
	}
	if (!err && o->has_budget && c->at_batch) {
		const sweep_row *r = c->at_batch;
		c->judged = true;
		c->verdict = weft_pipelines_judge(!isnan(r->p99_lo), r->p99_lo, !isnan(r->p99_hi),
						  r->p99_hi, o->budget_ms);
	}
	free(in);
	free(out);
	weft_model_free(m);
	return err;
}

/* ---- formatting ------------------------------------------------------------------ */

static void fmt_ms(char *buf, size_t n, double ms)
{
	if (isnan(ms))
		snprintf(buf, n, "-");
	else
		weft_pipelines_duration_format(buf, n, ms, true);
}

static void fmt_ci(char *buf, size_t n, double v, double lo, double hi)
{
	char a[32], b[32], c[32];
	fmt_ms(a, sizeof a, v);
	fmt_ms(b, sizeof b, lo);
	fmt_ms(c, sizeof c, hi);
	snprintf(buf, n, "%s [%s, %s]", a, b, c);
}

static const char *fits_word(const candidate *c)
{
	if (!c->judged)
		return "-";
	return c->verdict == WEFT_VERDICT_MET ? "yes" : c->verdict == WEFT_VERDICT_BROKEN ? "no"
											   : "inconclusive";
}

static void fmt_metric(char *buf, size_t n, bool has, double v)
{
	if (has && !isnan(v))
		snprintf(buf, n, "%.4f", v);
	else
		snprintf(buf, n, "-");
}

static void report_table(weft_buf *b, const candidate *cs, size_t n, bool md, size_t batch)
{
	const char *hdr[] = { "candidate", "params", "bytes", "device", "p50 [95% CI]",
			      "p99 [95% CI]", "fits", "accuracy", "ROC AUC" };
	if (md) {
		weft_buf_printf(b, "| %s | %s | %s | %s | %s (batch %zu) | %s | %s | %s | %s |\n",
				hdr[0], hdr[1], hdr[2], hdr[3], hdr[4], batch, hdr[5], hdr[6], hdr[7],
				hdr[8]);
		weft_buf_puts(b, "|---|--:|--:|---|--:|--:|---|--:|--:|\n");
	} else {
		weft_buf_printf(b, "%-18s %8s %9s %-10s %-32s %-32s %-12s %8s %8s\n", hdr[0], hdr[1],
				hdr[2], hdr[3], hdr[4], hdr[5], hdr[6], hdr[7], hdr[8]);
	}
	for (size_t i = 0; i < n; i++) {
		const candidate *c = &cs[i];
		char p50[128] = "-", p99[128] = "-", acc[16], auc[16], dev[24];
		if (c->at_batch) {
			const sweep_row *r = c->at_batch;
			fmt_ci(p50, sizeof p50, r->p50, r->p50_lo, r->p50_hi);
			fmt_ci(p99, sizeof p99, r->p99, r->p99_lo, r->p99_hi);
		}
		fmt_metric(acc, sizeof acc, c->evaluated, c->eval.accuracy);
		fmt_metric(auc, sizeof auc, c->evaluated && c->eval.has_auc, c->eval.auc);
		snprintf(dev, sizeof dev, "%s %s", c->failed ? "failed" : c->on_gpu ? "gpu" : "cpu",
			 c->failed ? "" : weft_precision_name(c->prec));
		if (md)
			weft_buf_printf(b, "| %s | %zu | %zu | %s | %s | %s | %s | %s | %s |\n", c->name,
					c->params, c->bytes, dev, p50, p99, fits_word(c), acc, auc);
		else
			weft_buf_printf(b, "%-18s %8zu %9zu %-10s %-32s %-32s %-12s %8s %8s\n", c->name,
					c->params, c->bytes, dev, p50, p99, fits_word(c), acc, auc);
	}
}

static void report_sweeps(weft_buf *b, const candidate *cs, size_t n, bool md)
{
	for (size_t i = 0; i < n; i++) {
		const candidate *c = &cs[i];
		if (c->n_rows < 2)
			continue;
		weft_buf_printf(b, md ? "\n### %s: batch sweep (%s, %s)\n\n" : "\n%s: batch sweep (%s, %s)\n",
				c->name, c->on_gpu ? "gpu" : "cpu", weft_precision_name(c->prec));
		if (md)
			weft_buf_puts(b, "| batch | p50 | p99 | rows/s | H2D | compute | D2H |\n"
					 "|--:|--:|--:|--:|--:|--:|--:|\n");
		else
			weft_buf_printf(b, "  %6s %12s %12s %14s %12s %12s %12s\n", "batch", "p50", "p99",
					"rows/s", "H2D", "compute", "D2H");
		for (size_t k = 0; k < c->n_rows; k++) {
			const sweep_row *r = &c->rows[k];
			char a[32], p[32], h[32], cm[32], dd[32];
			fmt_ms(a, sizeof a, r->p50);
			fmt_ms(p, sizeof p, r->p99);
			fmt_ms(h, sizeof h, c->on_gpu ? r->h2d_ms : NAN);
			fmt_ms(cm, sizeof cm, c->on_gpu ? r->compute_ms : NAN);
			fmt_ms(dd, sizeof dd, c->on_gpu ? r->d2h_ms : NAN);
			if (md)
				weft_buf_printf(b, "| %zu | %s | %s | %.0f | %s | %s | %s |\n", r->batch, a,
						p, r->rows_per_s, h, cm, dd);
			else
				weft_buf_printf(b, "  %6zu %12s %12s %14.0f %12s %12s %12s\n", r->batch, a,
						p, r->rows_per_s, h, cm, dd);
		}
	}
}

static void json_num_or_null(cJSON *o, const char *k, double v)
{
	if (isnan(v))
		cJSON_AddNullToObject(o, k);
	else
		cJSON_AddNumberToObject(o, k, v);
}

static char *report_json(const candidate *cs, size_t n, const cand_opts *o, const candidate *rec,
			 const char *why)
{
	cJSON *root = cJSON_CreateObject();
	if (o->eval_path)
		cJSON_AddStringToObject(root, "eval", o->eval_path);
	else
		cJSON_AddNullToObject(root, "eval");
	json_num_or_null(root, "budget_ms", o->has_budget ? o->budget_ms : NAN);
	cJSON_AddNumberToObject(root, "batch", (double)o->batch);
	cJSON *arr = cJSON_AddArrayToObject(root, "candidates");
	for (size_t i = 0; i < n; i++) {
		const candidate *c = &cs[i];
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "name", c->name);
		cJSON_AddStringToObject(j, "path", c->path);
		cJSON_AddBoolToObject(j, "failed", c->failed);
		cJSON_AddNumberToObject(j, "parameters", (double)c->params);
		cJSON_AddNumberToObject(j, "bytes", (double)c->bytes);
		cJSON_AddStringToObject(j, "device", c->on_gpu ? "gpu" : "cpu");
		cJSON_AddStringToObject(j, "precision", weft_precision_name(c->prec));
		json_num_or_null(j, "accuracy", c->evaluated ? c->eval.accuracy : NAN);
		json_num_or_null(j, "roc_auc", c->evaluated && c->eval.has_auc ? c->eval.auc : NAN);
		if (c->judged)
			cJSON_AddStringToObject(j, "fits", fits_word(c));
		else
			cJSON_AddNullToObject(j, "fits");
		cJSON *sw = cJSON_AddArrayToObject(j, "latency");
		for (size_t k = 0; k < c->n_rows; k++) {
			const sweep_row *r = &c->rows[k];
			cJSON *x = cJSON_CreateObject();
			cJSON_AddNumberToObject(x, "batch", (double)r->batch);
			cJSON_AddNumberToObject(x, "samples", (double)r->n);
			json_num_or_null(x, "p50_ms", r->p50);
			json_num_or_null(x, "p50_lo_ms", r->p50_lo);
			json_num_or_null(x, "p50_hi_ms", r->p50_hi);
			json_num_or_null(x, "p99_ms", r->p99);
			json_num_or_null(x, "p99_lo_ms", r->p99_lo);
			json_num_or_null(x, "p99_hi_ms", r->p99_hi);
			cJSON_AddNumberToObject(x, "rows_per_s", r->rows_per_s);
			if (c->on_gpu) {
				cJSON_AddNumberToObject(x, "h2d_ms", r->h2d_ms);
				cJSON_AddNumberToObject(x, "compute_ms", r->compute_ms);
				cJSON_AddNumberToObject(x, "d2h_ms", r->d2h_ms);
			}
			cJSON_AddItemToArray(sw, x);
		}
		cJSON_AddItemToArray(arr, j);
	}
	if (rec)
		cJSON_AddStringToObject(root, "recommendation", rec->name);
	else
		cJSON_AddNullToObject(root, "recommendation");
	cJSON_AddStringToObject(root, "reason", why);
	char *s = cJSON_Print(root);
	cJSON_Delete(root);
	return s;
}

/* The most accurate candidate that fits (ties: fewer parameters). Without
 * an evaluation set, the fastest that fits; without a budget, every
 * candidate counts as fitting. */
static const candidate *recommend(const candidate *cs, size_t n, const cand_opts *o,
				  const char **why)
{
	const candidate *best = NULL;
	bool by_acc = o->eval_path != NULL;
	for (size_t i = 0; i < n; i++) {
		const candidate *c = &cs[i];
		if (c->failed || !c->at_batch || (o->has_budget && c->verdict != WEFT_VERDICT_MET))
			continue;
		if (by_acc && !c->evaluated)
			continue;
		if (!best) {
			best = c;
			continue;
		}
		if (by_acc) {
			if (c->eval.accuracy > best->eval.accuracy ||
			    (c->eval.accuracy == best->eval.accuracy && c->params < best->params))
				best = c;
		} else if (c->at_batch->p99 < best->at_batch->p99) {
			best = c;
		}
	}
	if (!best)
		*why = o->has_budget ? "no candidate fits the budget" : "no candidate could be measured";
	else if (by_acc)
		*why = o->has_budget ? "the most accurate candidate that fits the budget"
				     : "the most accurate candidate (no budget given)";
	else
		*why = o->has_budget ? "the fastest candidate that fits (no evaluation set)"
				     : "the fastest candidate (no budget, no evaluation set)";
	return best;
}

static int parse_size(size_t *out, const char *cmd, const char *opt, const char *v, size_t max)
{
	char *end;
	unsigned long long x = strtoull(v, &end, 10);
	if (!*v || *end || v[0] == '-' || x < 1 || x > max)
		return weft_cli_usage_error(cmd, "%s needs a whole number from 1 to %zu, got '%s'", opt,
					    max, v);
	*out = (size_t)x;
	return 0;
}

int weft_cmd_bench_candidates(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "eval", required_argument, NULL, 'e' },
		{ "budget", required_argument, NULL, 'B' },
		{ "device", required_argument, NULL, 'D' },
		{ "precision", required_argument, NULL, 'P' },
		{ "batch", required_argument, NULL, 'b' },
		{ "batch-sweep", no_argument, NULL, 'S' },
		{ "max-batch", required_argument, NULL, 'M' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "no-graph", no_argument, NULL, 'G' },
		{ "prefix", required_argument, NULL, 'p' },
		{ "activations", required_argument, NULL, 'a' },
		{ "softmax", no_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = "bench candidates";
	cand_opts o;
	memset(&o, 0, sizeof o);
	weft_model_opts_init(&o.mo);
	o.batch = 1;
	o.max_batch = 64;
	o.iters = 1000;
	o.warmup = 20;
	weft_cli_format fmt = WEFT_FMT_TEXT;
	const char *output = NULL;
	bool force = false, batch_given = false;
	int c;
	while ((c = weft_cli_getopt(cmd, argc, argv, "o:f:h", longopts)) != -1) {
		switch (c) {
		case 'h':
			fputs(candidates_usage, stdout);
			return WEFT_EXIT_OK;
		case 'e':
			o.eval_path = optarg;
			break;
		case 'B':
			if (weft_pipelines_duration_parse(&o.budget_ms, optarg) || !(o.budget_ms > 0))
				return weft_cli_usage_error(cmd, "--budget needs a duration with a unit, "
							    "e.g. 2ms or 500us; got '%s'", optarg);
			o.has_budget = true;
			break;
		case 'D':
			if (weft_device_parse(&o.mo.device, optarg))
				return weft_cli_usage_error(cmd, "--device is auto, cpu or gpu; got '%s'",
							    optarg);
			break;
		case 'P':
			if (weft_precision_parse(&o.mo.precision, optarg))
				return weft_cli_usage_error(cmd, "--precision is fp32, tf32, fp16 or bf16; "
							    "got '%s'", optarg);
			break;
		case 'b':
			if (parse_size(&o.batch, cmd, "--batch", optarg, 1u << 20))
				return WEFT_EXIT_USAGE;
			batch_given = true;
			break;
		case 'S':
			o.sweep = true;
			break;
		case 'M':
			if (parse_size(&o.max_batch, cmd, "--max-batch", optarg, 1u << 20))
				return WEFT_EXIT_USAGE;
			break;
		case 'n':
			if (parse_size(&o.iters, cmd, "--iterations", optarg, 10000000))
				return WEFT_EXIT_USAGE;
			break;
		case 'w':
			if (!strcmp(optarg, "0"))
				o.warmup = 0;
			else if (parse_size(&o.warmup, cmd, "--warmup", optarg, 10000000))
				return WEFT_EXIT_USAGE;
			break;
		case 'G':
			o.mo.use_graph = false;
			break;
		case 'p':
			o.mo.prefix = optarg;
			break;
		case 'a':
			o.mo.activations = optarg;
			break;
		case 's':
			o.mo.softmax = true;
			break;
		case 'f':
			if (weft_cli_format_parse(&fmt, cmd, optarg,
						  1u << WEFT_FMT_TEXT | 1u << WEFT_FMT_JSON |
							  1u << WEFT_FMT_MARKDOWN))
				return WEFT_EXIT_USAGE;
			break;
		case 'o':
			output = optarg;
			break;
		case 'F':
			force = true;
			break;
		default:
			return WEFT_EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return weft_cli_usage_error(cmd, "missing MODEL (one or more .safetensors files)");
	if (o.mo.softmax && !o.mo.activations)
		return weft_cli_usage_error(cmd, "--softmax needs --activations");
	if (o.sweep && batch_given && o.batch > o.max_batch)
		return weft_cli_usage_error(cmd, "--batch %zu is above --max-batch %zu", o.batch,
					    o.max_batch);
	for (int i = optind; i < argc; i++) {
		size_t l = strlen(argv[i]);
		if ((l > 5 && !strcmp(argv[i] + l - 5, ".yaml")) ||
		    (l > 4 && !strcmp(argv[i] + l - 4, ".yml")))
			return weft_cli_usage_error(cmd, "'%s' is a pipeline; running candidates "
						    "through a pipeline is not wired in yet: pass the "
						    "model files (and --eval)", argv[i]);
	}

	weft_diags *d = NULL;
	if (weft_diags_new(&d))
		return WEFT_EXIT_ENV;
	weft_evalset *ev = NULL;
	int err = 0;
	if (o.eval_path && (err = weft_evalset_load(&ev, o.eval_path, d))) {
		int rc = weft_cli_finish(err, d);
		weft_diags_free(d);
		return rc;
	}
	size_t n = (size_t)(argc - optind);
	candidate *cs = calloc(n, sizeof *cs);
	if (!cs) {
		weft_evalset_free(ev);
		weft_diags_free(d);
		return WEFT_EXIT_ENV;
	}
	int first_err = 0;
	for (size_t i = 0; i < n; i++) {
		candidate *cd = &cs[i];
		cd->path = argv[optind + (int)i];
		cd->name = base_name(cd->path);
		int e = run_candidate(cd, &o, ev, d);
		if (e) {
			cd->failed = true;
			if (!first_err)
				first_err = e;
		}
	}

	const char *why = "";
	const candidate *rec = recommend(cs, n, &o, &why);
	weft_buf b = WEFT_BUF_INIT;
	if (fmt == WEFT_FMT_JSON) {
		char *s = report_json(cs, n, &o, rec, why);
		if (s) {
			weft_buf_puts(&b, s);
			weft_buf_putc(&b, '\n');
		}
		free(s);
	} else {
		bool md = fmt == WEFT_FMT_MARKDOWN;
		if (md)
			weft_buf_puts(&b, "## Candidates\n\n");
		report_table(&b, cs, n, md, o.batch);
		if (o.sweep)
			report_sweeps(&b, cs, n, md);
		weft_buf_printf(&b, "\n%s%s (%s)\n", md ? "**Recommendation:** " : "recommendation: ",
				rec ? rec->name : "none", why);
		char bud[32];
		fmt_ms(bud, sizeof bud, o.has_budget ? o.budget_ms : NAN);
		weft_buf_printf(&b, "%smodel-stage p99 at batch %zu%s%s; %zu timed queries per batch "
				"size after %zu warm-up; host wall time per query\n",
				md ? "\n" : "", o.batch, o.has_budget ? " against a budget of " : "",
				o.has_budget ? bud : "", o.iters, o.warmup);
	}
	int rc;
	if (b.oom) {
		rc = WEFT_EXIT_ENV;
	} else {
		rc = weft_cli_write_output(output ? output : "-", b.ptr ? b.ptr : "", b.len, force);
	}
	weft_buf_free(&b);
	int drc = weft_cli_finish(first_err, d);
	if (rc == WEFT_EXIT_OK)
		rc = drc;
	if (rc == WEFT_EXIT_OK && o.has_budget && !rec)
		rc = WEFT_EXIT_GATE;
	for (size_t i = 0; i < n; i++) {
		free(cs[i].name);
		free(cs[i].rows);
	}
	free(cs);
	weft_evalset_free(ev);
	weft_diags_free(d);
	return rc;
}
