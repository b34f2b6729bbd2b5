/* cmd_bench.c - `weft bench`: run and validate pipelines against latency budgets.
 *
 * Design choice: glue only. The pipelines library loads the spec, runs the
 * load, judges every budget and renders the reports; this file parses the
 * options (which override the file's load section), refuses to start a long
 * run whose outputs could not be written afterwards (existing file without
 * --force), draws the progress bar on a terminal, writes the outputs
 * atomically and maps the outcome to the exit code: 0 all budgets met, 1 a
 * budget or the error budget broken, a regression, or an inconclusive
 * verdict (unless --allow-inconclusive), 3 invalid pipeline, 4 environment.
 * `threshold` maps its verdict the same way: 0 a threshold recommended, 1
 * none within the error budget (or too little automation), 3 bad data.
 * `inspect` and `candidates` live in cmd_bench_model.c.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "weft_pipelines.h"

static const char bench_usage[] =
	"usage: weft bench <subcommand> [<args>]\n\n"
	"Check candidate models and endpoints against end-to-end latency budgets: every\n"
	"query runs through the pipeline's stages, each percentile gets a distribution-free\n"
	"confidence interval, and a budget passes only when the interval's upper bound is\n"
	"within it. See docs/bench.md.\n";

static const char run_usage[] =
	"usage: weft bench run PIPELINE [--scenario S] [--rate R] [--concurrency N]\n"
	"                      [--duration D] [--max-duration D] [--min-queries N]\n"
	"                      [--warmup N] [--seed N] [--threads N]\n"
	"                      [--samples-per-query N] [--shard I/N] [--start-at TIME]\n"
	"                      [--samples FILE] [--samples-format F] [--find-max-rate]\n"
	"                      [--baseline FILE]\n"
	"                      [--max-regression X] [--run-noise X] [--format F]\n"
	"                      [-o FILE]\n"
	"                      [--json FILE] [--junit FILE] [--html FILE]\n"
	"                      [--allow-inconclusive]\n"
	"                      [--force] [--quiet]\n\n"
	"Run the pipeline under its load section (options override it) and judge every\n"
	"budget at the pipeline's confidence. Exit 0 when all budgets are met, 1 when one\n"
	"is broken, a regression against --baseline is found, or a verdict is\n"
	"inconclusive (unless --allow-inconclusive), 3 for an invalid pipeline, 4 for an\n"
	"environment problem (a file exists, a model cannot be read).\n\n"
	"Options:\n"
	"  --scenario S        single-stream, server, offline, concurrency or\n"
	"                      multi-stream\n"
	"  --rate R            server: queries per second (Poisson arrivals); offline:\n"
	"                      the expected throughput (rate x duration queries)\n"
	"  --concurrency N     workers (concurrency, server, offline)\n"
	"  --duration D        how long to send queries, e.g. 30s\n"
	"  --max-duration D    extend up to this while a verdict is inconclusive\n"
	"  --min-queries N     at least this many measured queries (offline without a\n"
	"                      rate: the queries issued at once)\n"
	"  --warmup N          queries run first and left out of the statistics\n"
	"  --seed N            seed of arrivals and modelled delays\n"
	"  --threads N         http stages only: event loops (default: the CPUs)\n"
	"  --samples-per-query N  multi-stream: samples run at once per query\n"
	"                      (default 8)\n"
	"  --shard I/N         run part I (0 to N-1) of N disjoint parts of the load,\n"
	"                      for `weft bench merge` to combine\n"
	"  --start-at TIME     wait until TIME (UTC, 2026-12-04T18:00:00Z, or Unix\n"
	"                      seconds) before starting, so shards start together\n"
	"  --samples FILE      write every measured query to FILE as it runs (CSV, or\n"
	"                      JSON lines when FILE ends in .jsonl)\n"
	"  --samples-format F  csv or jsonl, whatever FILE's name\n"
	"  --find-max-rate     search for the highest Poisson rate at which every\n"
	"                      budget holds (from --rate or load.rate, else 10 q/s);\n"
	"                      reports max_rate, text, json or markdown; exit 1 when\n"
	"                      no rate holds\n"
	"  --baseline FILE     compare with a previous run's JSON report\n"
	"  --max-regression X  allowed slow-down, e.g. 5% or 0.05 (default 5%)\n"
	"  --run-noise X       run-to-run noise of a percentile assumed against a\n"
	"                      baseline, e.g. 2% (default 2%; see docs/statistics.md)\n"
	"  --format F          text (default), json, markdown, html or junit\n"
	"  -o, --output FILE   write the report there instead of stdout\n"
	"  --json FILE         also write the JSON report (a baseline for later runs)\n"
	"  --junit FILE        also write JUnit XML, one test case per budget\n"
	"  --html FILE         also write the HTML report\n"
	"  --allow-inconclusive  an inconclusive verdict does not fail the gate\n"
	"  --force             replace existing output files\n"
	"  -q, --quiet         no progress bar\n";

static const char validate_usage[] =
	"usage: weft bench validate PIPELINE...\n\n"
	"Check pipeline files without running them: every problem is printed as\n"
	"path:line:col. Files a stage needs must be what it needs: models and\n"
	"candidates load as dense networks, an evaluation set has as many features\n"
	"as each model has inputs, programs are executable. Exit 0 when all are\n"
	"valid, 3 otherwise.\n";

/* ---- helpers ------------------------------------------------------------------------ */

/* A fraction or a percentage into *out: at least 0, below 1 (up to 1 with
 * upto_one). */
static int parse_fraction_in(double *out, const char *cmd, const char *opt, const char *v, bool upto_one)
{
	char *end;
	errno = 0;
	double x = strtod(v, &end);
	bool pct = *end == '%' && end[1] == '\0';
	if (end == v || errno || (*end && !pct) || !isfinite(x))
		return weft_cli_usage_error(cmd, "%s needs a fraction or a percentage (0.05 or 5%%), got '%s'", opt,
					    v);
	if (pct)
		x /= 100.0;
	if (!(x >= 0 && (upto_one ? x <= 1 : x < 1)))
		return weft_cli_usage_error(cmd, "%s must be at least 0 and %s 100%%", opt, upto_one ? "at most" : "below");
	*out = x;
	return 0;
}

static int parse_fraction(double *out, const char *opt, const char *v)
{
	return parse_fraction_in(out, "bench run", opt, v, false);
}

typedef struct {
	const weft_pipelines_result *r;
	bool allow_inconclusive;
} run_report;

static int render_run(weft_buf *out, weft_pipelines_format f, bool to_terminal, const void *ctx)
{
	const run_report *rr = ctx;
	weft_pipelines_report_opts o = { to_terminal, rr->allow_inconclusive };
	return weft_pipelines_report(out, rr->r, f, &o);
}

/* Write res to every output and apply the gate (run and merge); frees res. */
static int emit_result(const weft_cli_outputs *out, weft_pipelines_result *res, bool allow)
{
	run_report rr = { res, allow };
	int rc = weft_cli_outputs_write(out, render_run, &rr);
	if (!rc && weft_pipelines_result_gate(res, allow))
		rc = WEFT_EXIT_GATE;
	weft_pipelines_result_free(res);
	return rc;
}

/* ---- run ------------------------------------------------------------------------------ */

/* Pipelines are YAML files. */
#define PIPELINE_FILES WEFT_HINT_FILES("yaml yml")

enum { OPT_SHARD = 0x1a0, OPT_START_AT, OPT_SAMPLES, OPT_SAMPLES_FORMAT, OPT_FIND_MAX_RATE };

static const char *const samples_formats[] = { "csv", "jsonl", NULL };
static size_t samples_format_words(const char **out, size_t max)
{
	size_t n = 0;
	for (; samples_formats[n] && n < max; n++)
		out[n] = samples_formats[n];
	return n;
}

/* --shard I/N: 0 <= I < N <= 10000. */
static int parse_shard(uint32_t *index, uint32_t *count, const char *v)
{
	char *end;
	errno = 0;
	unsigned long i = strtoul(v, &end, 10);
	bool ok = end != v && *end == '/' && v[0] != '-' && !errno;
	unsigned long n = ok ? strtoul(end + 1, &end, 10) : 0;
	ok = ok && !*end && !errno && n >= 1 && n <= 10000 && end[-1] != '/';
	if (!ok)
		return weft_cli_usage_error("bench run", "--shard needs I/N with 0 <= I < N <= 10000, got '%s'", v);
	if (i >= n)
		return weft_cli_usage_error("bench run", "--shard %lu/%lu: shards are numbered from 0 to %lu", i, n,
					    n - 1);
	*index = (uint32_t)i;
	*count = (uint32_t)n;
	return 0;
}

/* --start-at: Unix seconds, or YYYY-MM-DDTHH:MM:SSZ (UTC). */
static int parse_start_at(struct timespec *out, const char *v)
{
	char *end;
	errno = 0;
	double secs = strtod(v, &end);
	if (end != v && !*end && !errno && secs > 0 && secs < 1e11) {
		out->tv_sec = (time_t)secs;
		out->tv_nsec = (long)((secs - (double)out->tv_sec) * 1e9);
		return 0;
	}
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	int used = 0;
	if (sscanf(v, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
		   &tm.tm_sec, &used) == 6 &&
	    (!strcmp(v + used, "Z") || !strcmp(v + used, "+00:00")) && tm.tm_mon >= 1 && tm.tm_mon <= 12 &&
	    tm.tm_mday >= 1 && tm.tm_mday <= 31 && tm.tm_hour < 24 && tm.tm_min < 60 && tm.tm_sec <= 60) {
		tm.tm_year -= 1900;
		tm.tm_mon -= 1;
		out->tv_sec = timegm(&tm);
		out->tv_nsec = 0;
		return 0;
	}
	return weft_cli_usage_error("bench run", "--start-at needs a UTC time (2026-12-04T18:00:00Z) or Unix "
						 "seconds, got '%s'",
				    v);
}

/* Sleep until the wall-clock time t; say so when it has passed already. */
static void wait_until(const struct timespec *t)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	double late = (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
	if (late > 0.5) {
		fprintf(stderr, "weft bench run: warning: --start-at was %.1f s ago; starting now\n", late);
		return;
	}
	while (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, t, NULL) == EINTR)
		;
}

static int render_rate(weft_buf *out, weft_pipelines_format f, bool to_terminal, const void *ctx)
{
	weft_pipelines_report_opts o = { to_terminal, false };
	return weft_pipelines_rate_search_report(out, ctx, f, &o);
}

static void on_rate_step(void *ctx, size_t i, double rate)
{
	weft_cli_progress *pc = ctx;
	weft_progress_free(pc->bar);
	pc->bar = NULL;
	snprintf(pc->label_buf, sizeof pc->label_buf, "step %zu: %.4g q/s", i + 1, rate);
	pc->label = pc->label_buf;
}

/* bench run --find-max-rate: the search, its report and its gate. */
static int find_max_rate(weft_pipelines_spec *spec, const weft_cli_outputs *out, double start, bool quiet,
			 weft_diags *d)
{
	weft_cli_progress pc = { NULL, 0, quiet, NULL, "" };
	weft_pipelines_rate_opts o;
	memset(&o, 0, sizeof o);
	o.start = start;
	o.run.progress = weft_cli_progress_update;
	o.run.progress_ctx = &pc;
	o.on_step = on_rate_step;
	weft_pipelines_rate_search *s = NULL;
	int err = weft_pipelines_find_max_rate(&s, spec, &o, d);
	weft_progress_free(pc.bar);
	int rc = weft_cli_finish(err, d);
	if (err)
		return rc;
	rc = weft_cli_outputs_write(out, render_rate, s);
	if (!rc && weft_pipelines_rate_search_gate(s))
		rc = WEFT_EXIT_GATE;
	weft_pipelines_rate_search_free(s);
	return rc;
}

static const weft_cli_option run_opts[] = {
	WEFT_CLI_LOAD_OPTIONS,
	{ "shard", OPT_SHARD, WEFT_CLI_VALUE, WEFT_HINT_NOTHING },
	{ "start-at", OPT_START_AT, WEFT_CLI_VALUE, WEFT_HINT_NOTHING },
	{ "samples", OPT_SAMPLES, WEFT_CLI_VALUE, WEFT_HINT_FILES("csv jsonl") },
	{ "samples-format", OPT_SAMPLES_FORMAT, WEFT_CLI_VALUE, WEFT_HINT_WORDS_OF(samples_format_words) },
	{ "find-max-rate", OPT_FIND_MAX_RATE, 0, WEFT_HINT_NOTHING },
	{ "baseline", 'b', WEFT_CLI_VALUE, WEFT_HINT_FILES("json") },
	{ "max-regression", 'x', WEFT_CLI_VALUE, WEFT_HINT_NOTHING },
	{ "run-noise", 'n', WEFT_CLI_VALUE, WEFT_HINT_NOTHING },
	WEFT_CLI_OUTPUT_OPTIONS,
	{ "allow-inconclusive", 'a', 0, WEFT_HINT_NOTHING },
	{ "quiet", 'q', WEFT_CLI_SHORT, WEFT_HINT_NOTHING },
	{ "help", 'h', WEFT_CLI_SHORT, WEFT_HINT_NOTHING },
	{ NULL, 0, 0, WEFT_HINT_NOTHING },
};

static int bench_run(int argc, char **argv)
{
	const char *cmd = "bench run";
	const char *baseline = NULL;
	weft_cli_outputs out = { WEFT_REPORT_TEXT, NULL, NULL, NULL, NULL, false };
	double max_regression = 0.05, run_noise = -1;
	weft_cli_load lo;
	memset(&lo, 0, sizeof lo);
	bool allow = false, quiet = false;
	uint32_t shard_index = 0, shard_count = 0;
	bool has_start = false;
	struct timespec start_at = { 0, 0 };
	const char *samples = NULL, *samples_format = NULL;
	bool find_max = false;
	int c;
	while ((c = weft_cli_getopt(cmd, argc, argv, run_opts)) != -1) {
		int taken = weft_cli_load_option(&lo, cmd, c, optarg);
		if (!taken)
			taken = weft_cli_outputs_option(&out, cmd, c, optarg);
		if (taken < 0)
			return WEFT_EXIT_USAGE;
		if (taken)
			continue;
		switch (c) {
		case 'h':
			fputs(run_usage, stdout);
			return WEFT_EXIT_OK;
		case 'b':
			baseline = optarg;
			break;
		case 'x':
			if (parse_fraction(&max_regression, "--max-regression", optarg))
				return WEFT_EXIT_USAGE;
			break;
		case 'n':
			if (parse_fraction(&run_noise, "--run-noise", optarg))
				return WEFT_EXIT_USAGE;
			break;
		case 'a':
			allow = true;
			break;
		case 'q':
			quiet = true;
			break;
		case OPT_SHARD:
			if (parse_shard(&shard_index, &shard_count, optarg))
				return WEFT_EXIT_USAGE;
			break;
		case OPT_START_AT:
			if (parse_start_at(&start_at, optarg))
				return WEFT_EXIT_USAGE;
			has_start = true;
			break;
		case OPT_SAMPLES:
			samples = optarg;
			break;
		case OPT_FIND_MAX_RATE:
			find_max = true;
			break;
		case OPT_SAMPLES_FORMAT:
			if (strcmp(optarg, "csv") && strcmp(optarg, "jsonl"))
				return weft_cli_usage_error(cmd, "--samples-format is csv or jsonl, got '%s'", optarg);
			samples_format = optarg;
			break;
		default:
			return WEFT_EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return weft_cli_usage_error(cmd, "missing the pipeline file");
	if (optind + 1 < argc)
		return weft_cli_usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
	if (samples_format && !samples)
		return weft_cli_usage_error(cmd, "--samples-format needs --samples FILE");
	if (find_max && (samples || baseline || out.junit || out.html || shard_count > 1 ||
			 (out.format != WEFT_REPORT_TEXT && out.format != WEFT_REPORT_JSON &&
			  out.format != WEFT_REPORT_MARKDOWN)))
		return weft_cli_usage_error(cmd, "--find-max-rate reports in text, json or markdown, without "
						 "--samples, --baseline, --shard, --junit or --html");
	/* outputs that would be refused afterwards are refused now, before a long run */
	int orc = weft_cli_outputs_check(cmd, &out);
	if (orc)
		return orc;
	if (weft_cli_output_blocked(samples, out.force))
		return WEFT_EXIT_ENV;
	size_t sl = samples ? strlen(samples) : 0;
	bool jsonl = samples_format ? !strcmp(samples_format, "jsonl")
				    : sl > 6 && (!strcmp(samples + sl - 6, ".jsonl") || !strcmp(samples + sl - 7, ".ndjson"));

	weft_diags *d;
	if (weft_diags_new(&d))
		return WEFT_EXIT_ENV;
	weft_pipelines_spec *spec = NULL;
	int err = weft_pipelines_spec_load(&spec, argv[optind], d);
	if (err) {
		int rc = weft_cli_finish(err, d);
		weft_diags_free(d);
		return rc;
	}
	weft_cli_load_apply(spec, &lo);
	spec->load.shard_index = shard_index;
	spec->load.shard_count = shard_count;
	err = weft_pipelines_load_check(spec, d);
	if (err) {
		int rc = weft_cli_finish(err, d);
		weft_diags_free(d);
		weft_pipelines_spec_free(spec);
		return rc;
	}
	if (has_start)
		wait_until(&start_at);
	if (find_max) {
		int rc = find_max_rate(spec, &out, lo.rate, quiet, d);
		weft_diags_free(d);
		weft_pipelines_spec_free(spec);
		return rc;
	}

	weft_cli_progress pc = { NULL, 0, quiet, NULL, "" };
	weft_pipelines_run_opts ro = { weft_cli_progress_update, &pc, 0, samples, jsonl, out.force };
	weft_pipelines_result *res = NULL;
	err = weft_pipelines_run(&res, spec, &ro, d);
	weft_progress_free(pc.bar);
	if (!err && baseline)
		err = weft_pipelines_baseline_compare(res, baseline, max_regression, run_noise, d);
	int rc = weft_cli_finish(err, d);
	weft_diags_free(d);
	if (err) {
		weft_pipelines_result_free(res);
		weft_pipelines_spec_free(spec);
		return rc;
	}
	rc = emit_result(&out, res, allow);
	weft_pipelines_spec_free(spec);
	return rc;
}

/* ---- validate --------------------------------------------------------------------------- */

static const weft_cli_option validate_opts[] = {
	{ "help", 'h', WEFT_CLI_SHORT, WEFT_HINT_NOTHING },
	{ NULL, 0, 0, WEFT_HINT_NOTHING },
};

static int bench_validate(int argc, char **argv)
{
	int c;
	while ((c = weft_cli_getopt("bench validate", argc, argv, validate_opts)) != -1) {
		if (c == 'h') {
			fputs(validate_usage, stdout);
			return WEFT_EXIT_OK;
		}
		return WEFT_EXIT_USAGE;
	}
	if (optind >= argc)
		return weft_cli_usage_error("bench validate", "missing the pipeline file");
	int worst = WEFT_EXIT_OK;
	for (int i = optind; i < argc; i++) {
		weft_diags *d;
		if (weft_diags_new(&d))
			return WEFT_EXIT_ENV;
		weft_pipelines_spec *s = NULL;
		int err = weft_pipelines_spec_load(&s, argv[i], d);
		if (!err)
			err = weft_pipelines_spec_check_files(s, d);
		int rc = weft_cli_finish(err, d);
		if (!err) {
			char dur[32];
			printf("%s: ok: pipeline '%s', %zu stage%s, %s for %s\n", argv[i], s->name, s->n_stages,
			       s->n_stages == 1 ? "" : "s", weft_pipelines_scenario_name(s->load.scenario),
			       weft_pipelines_duration_format(dur, sizeof dur, s->load.duration_ms, false));
		}
		if (rc > worst)
			worst = rc;
		weft_pipelines_spec_free(s);
		weft_diags_free(d);
	}
	return worst;
}

/* ---- baseline merge ---------------------------------------------------------------------- */

static const char baseline_usage[] =
	"usage: weft bench baseline merge REPORT... -o FILE [--force]\n\n"
	"Merge the JSON reports of several runs of one pipeline (weft bench run --json)\n"
	"into one baseline for --baseline: with three runs or more, the spread between\n"
	"them measures the run-to-run noise instead of assuming it (docs/statistics.md).\n"
	"Exit 0 when written, 2 for a usage error, 3 when a report is not one, 4 when the\n"
	"output cannot be written (or exists, without --force).\n";

static const weft_cli_option merge_opts[] = {
	{ "output", 'o', WEFT_CLI_VALUE | WEFT_CLI_SHORT, WEFT_HINT_FILES("json") },
	{ "force", 'F', 0, WEFT_HINT_NOTHING },
	{ "help", 'h', WEFT_CLI_SHORT, WEFT_HINT_NOTHING },
	{ NULL, 0, 0, WEFT_HINT_NOTHING },
};

static int baseline_merge(int argc, char **argv)
{
	const char *cmd = "bench baseline merge", *output = NULL;
	bool force = false;
	int c;
	while ((c = weft_cli_getopt(cmd, argc, argv, merge_opts)) != -1) {
		switch (c) {
		case 'h':
			fputs(baseline_usage, stdout);
			return WEFT_EXIT_OK;
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
		return weft_cli_usage_error(cmd, "missing the reports to merge");
	if (!output)
		return weft_cli_usage_error(cmd, "missing -o FILE (where the baseline goes)");
	weft_diags *d;
	if (weft_diags_new(&d))
		return WEFT_EXIT_ENV;
	char *json = NULL;
	int err = weft_pipelines_baseline_merge(&json, (const char *const *)argv + optind, (size_t)(argc - optind), d);
	int rc = weft_cli_finish(err, d);
	weft_diags_free(d);
	if (!err)
		rc = weft_cli_write_output(output, json, strlen(json), force);
	free(json);
	return rc;
}

static const weft_cli_command baseline_subs[] = {
	{ .name = "merge", .fn = baseline_merge, .opts = merge_opts, .args = { WEFT_HINT_FILES("json") },
	  .args_repeat = true, .summary = "merge several runs' JSON reports into one baseline" },
	{ .name = NULL },
};

static int bench_baseline(int argc, char **argv)
{
	return weft_cli_dispatch("bench baseline", baseline_usage, baseline_subs, argc, argv);
}

/* ---- merge ------------------------------------------------------------------------------ */

static const char merge_usage[] =
	"usage: weft bench merge REPORT... [--format F] [-o FILE] [--json FILE]\n"
	"                        [--junit FILE] [--html FILE] [--allow-inconclusive]\n"
	"                        [--force]\n\n"
	"Combine the JSON reports of the shards of one split run (each machine runs\n"
	"`weft bench run` on its own shard and keeps the JSON) into one report, as if\n"
	"one run had made every query: counts add, each series' histogram is the sum\n"
	"of theirs, and percentiles, intervals and every budget are judged again from\n"
	"the sums. Shards missing, given twice or run with different settings are named\n"
	"in the notes.\n"
	"Outputs and exit codes are those of `weft bench run`: 0 every budget met, 1 one\n"
	"broken (or inconclusive, unless --allow-inconclusive), 2 usage, 3 a report\n"
	"that is not one (path:line:col) or reports of different pipelines or budgets,\n"
	"4 environment.\n\n"
	"Options:\n"
	"  --format F          text (default), json, markdown, html or junit\n"
	"  -o, --output FILE   write the report there instead of stdout\n"
	"  --json FILE         also write the JSON report\n"
	"  --junit FILE        also write JUnit XML, one test case per budget\n"
	"  --html FILE         also write the HTML report\n"
	"  --allow-inconclusive  an inconclusive verdict does not fail the gate\n"
	"  --force             replace existing output files\n";

static const weft_cli_option shard_merge_opts[] = {
	WEFT_CLI_OUTPUT_OPTIONS,
	{ "allow-inconclusive", 'a', 0, WEFT_HINT_NOTHING },
	{ "help", 'h', WEFT_CLI_SHORT, WEFT_HINT_NOTHING },
	{ NULL, 0, 0, WEFT_HINT_NOTHING },
};

static int bench_merge(int argc, char **argv)
{
	const char *cmd = "bench merge";
	weft_cli_outputs out = { WEFT_REPORT_TEXT, NULL, NULL, NULL, NULL, false };
	bool allow = false;
	int c;
	while ((c = weft_cli_getopt(cmd, argc, argv, shard_merge_opts)) != -1) {
		int taken = weft_cli_outputs_option(&out, cmd, c, optarg);
		if (taken < 0)
			return WEFT_EXIT_USAGE;
		if (taken)
			continue;
		switch (c) {
		case 'h':
			fputs(merge_usage, stdout);
			return WEFT_EXIT_OK;
		case 'a':
			allow = true;
			break;
		default:
			return WEFT_EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return weft_cli_usage_error(cmd, "missing the reports to merge");
	int orc = weft_cli_outputs_check(cmd, &out);
	if (orc)
		return orc;
	weft_diags *d;
	if (weft_diags_new(&d))
		return WEFT_EXIT_ENV;
	weft_pipelines_result *res = NULL;
	int err = weft_pipelines_result_merge(&res, (const char *const *)argv + optind, (size_t)(argc - optind), d);
	int rc = weft_cli_finish(err, d);
	weft_diags_free(d);
	if (err)
		return rc;
	return emit_result(&out, res, allow);
}

/* ---- threshold ---------------------------------------------------------------------------- */

static const char threshold_usage[] =
	"usage: weft bench threshold DATA [--max-error E] [--min-automation A]\n"
	"                            [--confidence C] [--cost-review X --cost-error Y]\n"
	"                            [--format F] [-o FILE] [--json FILE] [--html FILE]\n"
	"                            [--force]\n"
	"   or: weft bench threshold PIPELINE [--stage NAME] [--model FILE] [options]\n\n"
	"Where to put the confidence threshold above which a binary model decides alone\n"
	"and below which a person reviews (the hitl pattern's operating point). DATA is\n"
	"a CSV with the columns score (the model's probability of class 1), label (0 or\n"
	"1) and optionally reviewer (the reviewer's decision: 0, 1, or empty); with a\n"
	"PIPELINE, a model stage's evaluation set scored by its model (or --model).\n"
	"The model decides when max(p, 1 - p) is at or above the threshold. For every\n"
	"distinct confidence: the automation rate, the error rate of the automatic\n"
	"decisions with its one-sided Clopper-Pearson upper bound, the review load and,\n"
	"with costs, the expected cost per case. The recommendation is the lowest\n"
	"threshold whose bound is within --max-error. With reviewer decisions, the\n"
	"override rate and Cohen's kappa of model and reviewers above and below it.\n"
	"Exit 0 when a threshold is recommended and automates at least\n"
	"--min-automation, 1 when not (the report says by how much), 2 usage, 3 bad\n"
	"data (path:line:col), 4 environment.\n\n"
	"Options:\n"
	"  --max-error E       budget on the automatic error rate, 0.01 or 1%\n"
	"                      (default 5%)\n"
	"  --min-automation A  the least share of cases to automate (default 0)\n"
	"  --confidence C      of the upper bound (default 0.95)\n"
	"  --cost-review X     cost of one review, with --cost-error: the cost of one\n"
	"                      wrong automatic decision (any unit, both or neither)\n"
	"  --cost-error Y\n"
	"  --stage NAME        PIPELINE: the model stage (needed when there are several)\n"
	"  --model FILE        PIPELINE: score with this model instead of the stage's\n"
	"  --format F          text (default), json, markdown or html\n"
	"  -o, --output FILE   write the report there instead of stdout\n"
	"  --json FILE         also write the JSON report\n"
	"  --html FILE         also write the HTML report\n"
	"  --force             replace existing output files\n";

enum { OPT_MAX_ERROR = 0x1c0, OPT_MIN_AUTOMATION, OPT_CONFIDENCE, OPT_COST_REVIEW, OPT_COST_ERROR,
       OPT_T_STAGE, OPT_T_MODEL };

#define THRESHOLD_FORMATS (1u << WEFT_FMT_TEXT | 1u << WEFT_FMT_JSON | 1u << WEFT_FMT_MARKDOWN | 1u << WEFT_FMT_HTML)

static const weft_cli_option threshold_opts[] = {
	{ "max-error", OPT_MAX_ERROR, WEFT_CLI_VALUE, WEFT_HINT_NOTHING },
	{ "min-automation", OPT_MIN_AUTOMATION, WEFT_CLI_VALUE, WEFT_HINT_NOTHING },
	{ "confidence", OPT_CONFIDENCE, WEFT_CLI_VALUE, WEFT_HINT_NOTHING },
	{ "cost-review", OPT_COST_REVIEW, WEFT_CLI_VALUE, WEFT_HINT_NOTHING },
	{ "cost-error", OPT_COST_ERROR, WEFT_CLI_VALUE, WEFT_HINT_NOTHING },
	{ "stage", OPT_T_STAGE, WEFT_CLI_VALUE, WEFT_HINT_NOTHING },
	{ "model", OPT_T_MODEL, WEFT_CLI_VALUE, WEFT_HINT_FILES("safetensors") },
	{ "format", 'f', WEFT_CLI_VALUE | WEFT_CLI_SHORT, WEFT_HINT_FORMATS(THRESHOLD_FORMATS) },
	{ "output", 'o', WEFT_CLI_VALUE | WEFT_CLI_SHORT, WEFT_HINT_FILES(NULL) },
	{ "json", WEFT_OPT_JSON, WEFT_CLI_VALUE, WEFT_HINT_FILES(NULL) },
	{ "html", WEFT_OPT_HTML, WEFT_CLI_VALUE, WEFT_HINT_FILES(NULL) },
	{ "force", WEFT_OPT_FORCE, 0, WEFT_HINT_NOTHING },
	{ "help", 'h', WEFT_CLI_SHORT, WEFT_HINT_NOTHING },
	{ NULL, 0, 0, WEFT_HINT_NOTHING },
};

/* A cost: a finite number >= 0. */
static int parse_cost(double *out, const char *opt, const char *v)
{
	char *end;
	errno = 0;
	double x = strtod(v, &end);
	if (end == v || *end || errno || !isfinite(x) || x < 0)
		return weft_cli_usage_error("bench threshold", "%s needs a number at least 0, got '%s'", opt, v);
	*out = x;
	return 0;
}

static int render_threshold(weft_buf *out, weft_pipelines_format f, bool to_terminal, const void *ctx)
{
	(void)to_terminal;
	return weft_pipelines_threshold_report(out, ctx, f);
}

static int bench_threshold(int argc, char **argv)
{
	const char *cmd = "bench threshold", *stage = NULL, *model = NULL;
	weft_cli_outputs out = { WEFT_REPORT_TEXT, NULL, NULL, NULL, NULL, false };
	weft_pipelines_threshold_opts o;
	weft_pipelines_threshold_opts_init(&o);
	bool has_review = false, has_error = false;
	int c;
	while ((c = weft_cli_getopt(cmd, argc, argv, threshold_opts)) != -1) {
		int bad = 0;
		switch (c) {
		case 'h':
			fputs(threshold_usage, stdout);
			return WEFT_EXIT_OK;
		case 'f': {
			weft_cli_format f;
			bad = weft_cli_format_parse(&f, cmd, optarg, THRESHOLD_FORMATS);
			if (!bad)
				bad = weft_cli_outputs_option(&out, cmd, c, optarg) < 0;
			break;
		}
		case 'o':
		case WEFT_OPT_JSON:
		case WEFT_OPT_HTML:
		case WEFT_OPT_FORCE:
			bad = weft_cli_outputs_option(&out, cmd, c, optarg) < 0;
			break;
		case OPT_MAX_ERROR:
			bad = parse_fraction_in(&o.max_error, cmd, "--max-error", optarg, true);
			break;
		case OPT_MIN_AUTOMATION:
			bad = parse_fraction_in(&o.min_automation, cmd, "--min-automation", optarg, true);
			break;
		case OPT_CONFIDENCE:
			bad = parse_fraction_in(&o.confidence, cmd, "--confidence", optarg, false);
			if (!bad && !(o.confidence > 0))
				bad = weft_cli_usage_error(cmd, "--confidence must be above 0");
			break;
		case OPT_COST_REVIEW:
			bad = parse_cost(&o.cost_review, "--cost-review", optarg);
			has_review = true;
			break;
		case OPT_COST_ERROR:
			bad = parse_cost(&o.cost_error, "--cost-error", optarg);
			has_error = true;
			break;
		case OPT_T_STAGE:
			stage = optarg;
			break;
		case OPT_T_MODEL:
			model = optarg;
			break;
		default:
			return WEFT_EXIT_USAGE;
		}
		if (bad)
			return WEFT_EXIT_USAGE;
	}
	if (optind >= argc)
		return weft_cli_usage_error(cmd, "missing DATA (a CSV of score,label) or a PIPELINE");
	if (optind + 1 < argc)
		return weft_cli_usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
	if (has_review != has_error)
		return weft_cli_usage_error(cmd, "--cost-review and --cost-error go together");
	o.has_costs = has_review;
	bool pipe = weft_cli_is_pipeline(argv[optind]);
	if (!pipe && (stage || model))
		return weft_cli_usage_error(cmd, "--stage and --model need a PIPELINE (a .yaml file)");
	int orc = weft_cli_outputs_check(cmd, &out);
	if (orc)
		return orc;
	weft_diags *d;
	if (weft_diags_new(&d))
		return WEFT_EXIT_ENV;
	weft_pipelines_threshold_data *data = NULL;
	weft_pipelines_threshold_result *res = NULL;
	int err;
	if (pipe) {
		weft_pipelines_spec *spec = NULL;
		err = weft_pipelines_spec_load(&spec, argv[optind], d);
		if (!err)
			err = weft_pipelines_threshold_data_from_model(&data, spec, stage, model, d);
		weft_pipelines_spec_free(spec);
	} else {
		err = weft_pipelines_threshold_data_load(&data, argv[optind], d);
	}
	if (!err)
		err = weft_pipelines_threshold_analyse(&res, data, &o, d);
	weft_pipelines_threshold_data_free(data);
	int rc = weft_cli_finish(err, d);
	weft_diags_free(d);
	if (!err) {
		rc = weft_cli_outputs_write(&out, render_threshold, res);
		if (!rc && weft_pipelines_threshold_gate(res))
			rc = WEFT_EXIT_GATE;
	}
	weft_pipelines_threshold_result_free(res);
	return rc;
}

const weft_cli_command weft_cli_bench_subs[] = {
	{ .name = "run", .fn = bench_run, .opts = run_opts, .args = { PIPELINE_FILES },
	  .summary = "run a pipeline and judge its latency budgets" },
	{ .name = "validate", .fn = bench_validate, .opts = validate_opts, .args = { PIPELINE_FILES },
	  .args_repeat = true, .summary = "check pipeline files (path:line:col errors)" },
	{ .name = "inspect", .fn = weft_cmd_bench_inspect, .opts = weft_cli_bench_inspect_opts,
	  .args = { WEFT_HINT_FILES("safetensors") }, .summary = "show what a safetensors model file holds" },
	/* PIPELINE [MODEL...] or MODEL... */
	{ .name = "candidates", .fn = weft_cmd_bench_candidates, .opts = weft_cli_bench_candidates_opts,
	  .args = { WEFT_HINT_FILES("yaml yml safetensors"), WEFT_HINT_FILES("safetensors") }, .args_repeat = true,
	  .summary = "compare candidate models on accuracy and latency" },
	{ .name = "threshold", .fn = bench_threshold, .opts = threshold_opts,
	  .args = { WEFT_HINT_FILES("csv yaml yml") },
	  .summary = "choose the human-in-the-loop confidence threshold from scored, labelled data" },
	{ .name = "merge", .fn = bench_merge, .opts = shard_merge_opts, .args = { WEFT_HINT_FILES("json") },
	  .args_repeat = true, .summary = "combine the shards of a split run into one report" },
	{ .name = "baseline", .fn = bench_baseline, .subs = baseline_subs,
	  .summary = "merge runs into a baseline for --baseline" },
	{ .name = NULL },
};

int weft_cmd_bench(int argc, char **argv)
{
	return weft_cli_dispatch("bench", bench_usage, weft_cli_bench_subs, argc, argv);
}
