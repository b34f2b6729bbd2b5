/* cmd_bench_model.c - `weft bench inspect` (what a model file holds) and
 * `weft bench candidates` (accuracy and model-stage latency of several
 * candidate models, side by side, with a recommendation).
 *
 * Design choice: glue only. The kernels library reads, checks and runs the
 * models and scores them; the pipelines library supplies the statistics
 * (order-statistic confidence intervals, the met/broken/inconclusive rule)
 * so a candidate's verdict means what a `weft bench run` verdict means; the
 * libraries also render (weft_safetensors_describe,
 * weft_pipelines_candidates_report). This file parses options, calls them
 * and decides the exit code.
 */
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

const weft_cli_option weft_cli_bench_inspect_opts[] = {
	{ "format", 'f', WEFT_CLI_VALUE | WEFT_CLI_SHORT, WEFT_HINT_FORMATS(WEFT_CLI_TEXT_JSON) },
	{ "prefix", 'p', WEFT_CLI_VALUE, WEFT_HINT_NOTHING },
	{ "activations", 'a', WEFT_CLI_VALUE, WEFT_HINT_NOTHING },
	{ "softmax", 's', 0, WEFT_HINT_NOTHING },
	{ "help", 'h', WEFT_CLI_SHORT, WEFT_HINT_NOTHING },
	{ NULL, 0, 0, WEFT_HINT_NOTHING },
};

int weft_cmd_bench_inspect(int argc, char **argv)
{
	const char *cmd = "bench inspect";
	weft_cli_format fmt = WEFT_FMT_TEXT;
	weft_model_opts mo;
	weft_model_opts_init(&mo);
	mo.device = WEFT_DEVICE_CPU;
	mo.max_batch = 1;
	int c;
	while ((c = weft_cli_getopt(cmd, argc, argv, weft_cli_bench_inspect_opts)) != -1) {
		switch (c) {
		case 'h':
			fputs(inspect_usage, stdout);
			return WEFT_EXIT_OK;
		case 'f':
			if (weft_cli_format_parse(&fmt, cmd, optarg, WEFT_CLI_TEXT_JSON))
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
	err = weft_model_from_safetensors(&m, st, &mo, d);

	int rc;
	weft_buf b = WEFT_BUF_INIT;
	if (weft_safetensors_describe(&b, st, m, fmt == WEFT_FMT_JSON) == 0)
		fputs(b.ptr, stdout);
	weft_buf_free(&b);
	fflush(stdout);
	rc = weft_cli_finish(err, d);
	weft_model_free(m);
	weft_safetensors_free(st);
	weft_diags_free(d);
	return rc;
}

/* ==== candidates ================================================================ */

static const char candidates_usage[] =
	"usage: weft bench candidates PIPELINE [MODEL...] [--stage NAME] [--eval FILE]\n"
	"                             [--device D] [--precision P] [load options]\n"
	"                             [--format F] [-o FILE] [--json FILE] [--junit FILE]\n"
	"                             [--html FILE] [--force] [--allow-inconclusive]\n"
	"                             [--hitl-max-error E] [--quiet]\n"
	"   or: weft bench candidates MODEL... [--eval FILE] [--budget D] [--device D]\n"
	"                             [--precision P] [--batch N | --batch-sweep [--max-batch N]]\n"
	"                             [--iterations N] [--warmup N] [--no-graph]\n"
	"                             [--format F] [-o FILE] [--force] [--allow-inconclusive]\n"
	"                             [--hitl-max-error E]\n\n"
	"Which candidate model (dense networks in safetensors files) to put in a model\n"
	"stage: each is scored on an evaluation set (accuracy, ROC AUC) and timed, and\n"
	"the most accurate candidate that fits the budget is recommended (exit 1 when\n"
	"none fits).\n\n"
	"With a PIPELINE, each candidate takes the model stage's place in turn and the\n"
	"whole pipeline runs under its load section, every budget judged as `weft bench\n"
	"run` judges it: a candidate fits when all are met. The candidates are the MODELs\n"
	"given, else the stage's file and its `candidates:`; the evaluation set is\n"
	"--eval, else the stage's `eval:`.\n\n"
	"With MODELs only, the forward pass is timed alone (host wall time per query,\n"
	"warm-up excluded; on a GPU also the H2D / compute / D2H split) and its p99 at\n"
	"--batch judged against --budget.\n\n"
	"Options:\n"
	"  --eval FILE        evaluation set: CSV with a 'label' column, or safetensors\n"
	"                     with 'features' and 'labels'\n"
	"  --device D         auto (default: the GPU when present), cpu or gpu\n"
	"  --precision P      fp32 (default), tf32, fp16, bf16 (GPU only)\n"
	"  --format F         text (default), json, markdown, html or junit\n"
	"  -o, --output FILE  write the report there (atomically; --force to replace)\n"
	"  --json FILE        also write the JSON report\n"
	"  --junit FILE       also write JUnit XML (a test case per candidate)\n"
	"  --html FILE        also write the HTML report\n"
	"  --warmup N         untimed queries first (default: the pipeline's, or 20)\n"
	"  --allow-inconclusive  a candidate none of whose budgets is broken may be\n"
	"                     recommended (exit 0) even where the data cannot yet say\n"
	"                     it fits; one that surely fits is preferred at equal rank\n"
	"  --hitl-max-error E error budget of a human-in-the-loop deployment, 2% or\n"
	"                     0.02 (default: the stage's hitl: max_error): each\n"
	"                     candidate's operating point (the threshold `weft bench\n"
	"                     threshold` recommends on the evaluation set, and the\n"
	"                     share it automates) is a column, and the candidate that\n"
	"                     fits and automates most is recommended\n"
	"With a pipeline:\n"
	"  --stage NAME       the model stage (needed when there are several)\n"
	"  --scenario, --rate, --concurrency, --threads, --duration,\n"
	"  --max-duration, --min-queries, --seed, --samples-per-query\n"
	"                     override the load section, as for `weft bench run`\n"
	"  -q, --quiet        no progress bar\n"
	"With models only:\n"
	"  --budget D         model-stage p99 budget, e.g. 2ms, 500us\n"
	"  --batch N          rows per query (default 1)\n"
	"  --batch-sweep      time batch sizes 1, 2, 4, ... up to --max-batch\n"
	"  --max-batch N      largest batch of the sweep (default 64)\n"
	"  --iterations N     timed queries per batch size (default 1000; a p99 upper\n"
	"                     bound needs at least 367)\n"
	"  --no-graph         do not replay CUDA graphs\n"
	"  --prefix P, --activations L, --softmax   as for `weft bench inspect`\n";

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

static int render_candidates(weft_buf *out, weft_pipelines_format f, bool to_terminal, const void *ctx)
{
	(void)to_terminal; /* the candidates table has no colour */
	return weft_pipelines_candidates_report(out, ctx, f, NULL);
}

/* A fresh progress bar per candidate, named after it. */
static void on_candidate(void *ctx, size_t i, size_t n, const char *name)
{
	weft_cli_progress *p = ctx;
	snprintf(p->label_buf, sizeof p->label_buf, "%zu/%zu %s", i + 1, n, name);
	p->label = p->label_buf;
	weft_progress_free(p->bar);
	p->bar = NULL;
}

/* The exit code of a finished comparison: a candidate that could not be
 * measured decides it (the worst of 3 invalid, 4 environment), else the gate. */
static int candidates_exit(const weft_pipelines_candidates *c, const weft_diags *d)
{
	int rc = weft_cli_finish(0, d);
	for (size_t i = 0; i < c->n; i++)
		if (c->items[i].err && weft_exit_code(c->items[i].err) > rc)
			rc = weft_exit_code(c->items[i].err);
	if (rc == WEFT_EXIT_OK && weft_pipelines_candidates_gate(c))
		rc = WEFT_EXIT_GATE;
	return rc;
}

enum {
	OPT_BUDGET = 0x200, OPT_BATCH, OPT_SWEEP, OPT_MAX_BATCH, OPT_ITERS, OPT_NO_GRAPH, OPT_PREFIX,
	OPT_ACT, OPT_SOFTMAX, OPT_STAGE, OPT_EVAL, OPT_DEVICE, OPT_PRECISION, OPT_ALLOW_INCONCLUSIVE,
	OPT_HITL_MAX_ERROR,
};

/* The devices and precisions the kernels library parses (its names, in
 * order, up to the first it does not take back). */
static size_t device_words(const char **out, size_t max)
{
	size_t n = 0;
	weft_device dv;
	for (int i = 0; n < max; i++) {
		const char *name = weft_device_name((weft_device)i);
		if (weft_device_parse(&dv, name) || (int)dv != i)
			break;
		out[n++] = name;
	}
	return n;
}

static size_t precision_words(const char **out, size_t max)
{
	size_t n = 0;
	weft_precision pr;
	for (int i = 0; n < max; i++) {
		const char *name = weft_precision_name((weft_precision)i);
		if (weft_precision_parse(&pr, name) || (int)pr != i)
			break;
		out[n++] = name;
	}
	return n;
}

const weft_cli_option weft_cli_bench_candidates_opts[] = {
	WEFT_CLI_LOAD_OPTIONS,
	{ "eval", OPT_EVAL, WEFT_CLI_VALUE, WEFT_HINT_FILES("csv safetensors") },
	{ "stage", OPT_STAGE, WEFT_CLI_VALUE, WEFT_HINT_NOTHING },
	{ "budget", OPT_BUDGET, WEFT_CLI_VALUE, WEFT_HINT_NOTHING },
	{ "device", OPT_DEVICE, WEFT_CLI_VALUE, WEFT_HINT_WORDS_OF(device_words) },
	{ "precision", OPT_PRECISION, WEFT_CLI_VALUE, WEFT_HINT_WORDS_OF(precision_words) },
	{ "batch", OPT_BATCH, WEFT_CLI_VALUE, WEFT_HINT_NOTHING },
	{ "batch-sweep", OPT_SWEEP, 0, WEFT_HINT_NOTHING },
	{ "max-batch", OPT_MAX_BATCH, WEFT_CLI_VALUE, WEFT_HINT_NOTHING },
	{ "iterations", OPT_ITERS, WEFT_CLI_VALUE, WEFT_HINT_NOTHING },
	{ "no-graph", OPT_NO_GRAPH, 0, WEFT_HINT_NOTHING },
	{ "prefix", OPT_PREFIX, WEFT_CLI_VALUE, WEFT_HINT_NOTHING },
	{ "activations", OPT_ACT, WEFT_CLI_VALUE, WEFT_HINT_NOTHING },
	{ "softmax", OPT_SOFTMAX, 0, WEFT_HINT_NOTHING },
	WEFT_CLI_OUTPUT_OPTIONS,
	{ "allow-inconclusive", OPT_ALLOW_INCONCLUSIVE, 0, WEFT_HINT_NOTHING },
	{ "hitl-max-error", OPT_HITL_MAX_ERROR, WEFT_CLI_VALUE, WEFT_HINT_NOTHING },
	{ "quiet", 'q', WEFT_CLI_SHORT, WEFT_HINT_NOTHING },
	{ "help", 'h', WEFT_CLI_SHORT, WEFT_HINT_NOTHING },
	{ NULL, 0, 0, WEFT_HINT_NOTHING },
};

int weft_cmd_bench_candidates(int argc, char **argv)
{
	const char *cmd = "bench candidates";
	weft_pipelines_candidates_opts o;
	weft_pipelines_candidates_opts_init(&o);
	weft_cli_load lo;
	memset(&lo, 0, sizeof lo);
	weft_cli_outputs out = { WEFT_REPORT_TEXT, NULL, NULL, NULL, NULL, false };
	const char *model_only = NULL; /* an option that needs the models-only form */
	bool quiet = false, batch_given = false;
	int c;
	while ((c = weft_cli_getopt(cmd, argc, argv, weft_cli_bench_candidates_opts)) != -1) {
		int taken = weft_cli_load_option(&lo, cmd, c, optarg);
		if (!taken)
			taken = weft_cli_outputs_option(&out, cmd, c, optarg);
		if (taken < 0)
			return WEFT_EXIT_USAGE;
		if (taken)
			continue;
		switch (c) {
		case 'h':
			fputs(candidates_usage, stdout);
			return WEFT_EXIT_OK;
		case OPT_EVAL:
			o.eval = optarg;
			break;
		case OPT_STAGE:
			o.stage = optarg;
			break;
		case OPT_BUDGET:
			if (weft_pipelines_duration_parse(&o.budget_ms, optarg) || !(o.budget_ms > 0))
				return weft_cli_usage_error(cmd, "--budget needs a duration with a unit, "
							    "e.g. 2ms or 500us; got '%s'", optarg);
			o.has_budget = true;
			model_only = "--budget";
			break;
		case OPT_DEVICE: {
			weft_device dv;
			if (weft_device_parse(&dv, optarg))
				return weft_cli_usage_error(cmd, "--device is auto, cpu or gpu; got '%s'",
							    optarg);
			o.device = optarg;
			break;
		}
		case OPT_PRECISION: {
			weft_precision pr;
			if (weft_precision_parse(&pr, optarg))
				return weft_cli_usage_error(cmd, "--precision is fp32, tf32, fp16 or bf16; "
							    "got '%s'", optarg);
			o.precision = optarg;
			break;
		}
		case OPT_BATCH:
			if (parse_size(&o.batch, cmd, "--batch", optarg, 1u << 20))
				return WEFT_EXIT_USAGE;
			batch_given = true;
			model_only = "--batch";
			break;
		case OPT_SWEEP:
			o.sweep = true;
			model_only = "--batch-sweep";
			break;
		case OPT_MAX_BATCH:
			if (parse_size(&o.max_batch, cmd, "--max-batch", optarg, 1u << 20))
				return WEFT_EXIT_USAGE;
			model_only = "--max-batch";
			break;
		case OPT_ITERS:
			if (parse_size(&o.iterations, cmd, "--iterations", optarg, 10000000))
				return WEFT_EXIT_USAGE;
			model_only = "--iterations";
			break;
		case OPT_NO_GRAPH:
			o.no_graph = true;
			model_only = "--no-graph";
			break;
		case OPT_PREFIX:
			o.prefix = optarg;
			model_only = "--prefix";
			break;
		case OPT_ACT:
			o.activations = optarg;
			model_only = "--activations";
			break;
		case OPT_SOFTMAX:
			o.softmax = true;
			model_only = "--softmax";
			break;
		case OPT_ALLOW_INCONCLUSIVE:
			o.allow_inconclusive = true;
			break;
		case OPT_HITL_MAX_ERROR: {
			char *end;
			double x = strtod(optarg, &end);
			bool pct = *end == '%' && !end[1];
			if (end == optarg || (*end && !pct) || !(x >= 0 && x <= (pct ? 100 : 1)))
				return weft_cli_usage_error(cmd, "--hitl-max-error needs a rate from 0 to 1 or a "
							    "percentage (0.02 or 2%%), got '%s'", optarg);
			o.hitl_max_error = pct ? x / 100 : x;
			o.has_hitl_max_error = true;
			break;
		}
		case 'q':
			quiet = true;
			break;
		default:
			return WEFT_EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return weft_cli_usage_error(cmd, "missing PIPELINE or MODEL (one or more .safetensors files)");
	bool pipe = weft_cli_is_pipeline(argv[optind]);
	for (int i = optind + 1; i < argc; i++)
		if (weft_cli_is_pipeline(argv[i]))
			return weft_cli_usage_error(cmd, "'%s': one pipeline, first, then models", argv[i]);
	if (pipe && model_only)
		return weft_cli_usage_error(cmd, "%s applies to models timed alone; with a pipeline, the "
					    "pipeline's model stage and budgets apply", model_only);
	bool load_given = lo.has_scenario || lo.rate > 0 || lo.concurrency || lo.threads || lo.duration_ms > 0 ||
			  lo.max_duration_ms > 0 || lo.has_min_queries || lo.has_seed || lo.samples_per_query;
	if (!pipe && (load_given || o.stage))
		return weft_cli_usage_error(cmd, "load options and --stage need a PIPELINE as the first "
					    "argument");
	if (o.softmax && !o.activations)
		return weft_cli_usage_error(cmd, "--softmax needs --activations");
	if (o.sweep && batch_given && o.batch > o.max_batch)
		return weft_cli_usage_error(cmd, "--batch %zu is above --max-batch %zu", o.batch, o.max_batch);
	if (!pipe && lo.has_warmup)
		o.warmup = (size_t)lo.warmup;
	int orc = weft_cli_outputs_check(cmd, &out);
	if (orc)
		return orc;
	o.models = (const char *const *)argv + optind + pipe;
	o.n_models = (size_t)(argc - optind - pipe);

	weft_diags *d = NULL;
	if (weft_diags_new(&d))
		return WEFT_EXIT_ENV;
	weft_pipelines_spec *spec = NULL;
	weft_pipelines_candidates *res = NULL;
	weft_cli_progress pc = { NULL, 0, quiet, "candidates", "" };
	int err;
	if (pipe) {
		err = weft_pipelines_spec_load(&spec, argv[optind], d);
		if (!err) {
			weft_cli_load_apply(spec, &lo);
			o.run.progress = weft_cli_progress_update;
			o.run.progress_ctx = &pc;
			o.on_candidate = on_candidate;
			err = weft_pipelines_candidates_pipeline(&res, spec, &o, d);
		}
	} else {
		err = weft_pipelines_candidates_models(&res, &o, d);
	}
	weft_progress_free(pc.bar);
	if (err) {
		int rc = weft_cli_finish(err, d);
		weft_pipelines_spec_free(spec);
		weft_diags_free(d);
		return rc;
	}
	int rc = weft_cli_outputs_write(&out, render_candidates, res);
	int crc = candidates_exit(res, d);
	if (!rc)
		rc = crc;
	weft_pipelines_candidates_free(res);
	weft_pipelines_spec_free(spec);
	weft_diags_free(d);
	return rc;
}
