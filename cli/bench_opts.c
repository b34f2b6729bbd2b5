/* bench_opts.c - the command-line options `weft bench run` and `weft bench
 * candidates PIPELINE` share: overrides of a pipeline's load section and the
 * "would this output be refused?" check made before a long run.
 *
 * Design choice: one parser for the shared options, called from each
 * command's getopt loop (weft_cli_load_option says whether an option was
 * one of them), so both commands take the same spellings and give the same
 * errors.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static int parse_count(uint64_t *out, const char *cmd, const char *opt, const char *v, uint64_t min)
{
	char *end;
	errno = 0;
	unsigned long long x = strtoull(v, &end, 10);
	if (!*v || *end || v[0] == '-' || errno || x < min)
		return weft_cli_usage_error(cmd, "%s needs a whole number%s, got '%s'", opt,
					    min ? " of at least 1" : "", v);
	*out = x;
	return 0;
}

static int parse_duration(double *out, const char *cmd, const char *opt, const char *v)
{
	if (weft_pipelines_duration_parse(out, v) != WEFT_OK || !(*out > 0))
		return weft_cli_usage_error(cmd, "%s needs a duration with a unit (e.g. 30s, 500ms), got '%s'",
					    opt, v);
	return 0;
}

size_t weft_cli_scenario_words(const char **out, size_t max)
{
	size_t n = 0;
	weft_pipelines_scenario sc;
	for (int i = 0; n < max; i++) {
		const char *name = weft_pipelines_scenario_name((weft_pipelines_scenario)i);
		if (weft_pipelines_scenario_parse(&sc, name) || (int)sc != i)
			break;
		out[n++] = name;
	}
	return n;
}

int weft_cli_load_option(weft_cli_load *l, const char *cmd, int opt, const char *v)
{
	int bad = 0;
	switch (opt) {
	case WEFT_OPT_SCENARIO:
		if (weft_pipelines_scenario_parse(&l->scenario, v)) {
			const char *names[8];
			size_t n = weft_cli_scenario_words(names, 8);
			const char *s = weft_suggest(v, names, n);
			weft_cli_usage_error(cmd, "unknown scenario '%s' (single-stream, server, offline, "
						  "concurrency or multi-stream)%s%s%s",
					     v, s ? "; did you mean '" : "", s ? s : "", s ? "'?" : "");
			return -1;
		}
		l->has_scenario = true;
		return 1;
	case WEFT_OPT_RATE: {
		char *end;
		errno = 0;
		l->rate = strtod(v, &end);
		if (end == v || *end || errno || !(l->rate > 0 && l->rate <= 1e6)) {
			weft_cli_usage_error(cmd, "--rate needs queries per second (above 0, at most 1000000), "
						  "got '%s'", v);
			return -1;
		}
		return 1;
	}
	case WEFT_OPT_CONCURRENCY:
		bad = parse_count(&l->concurrency, cmd, "--concurrency", v, 1);
		if (!bad && l->concurrency > 4096)
			bad = weft_cli_usage_error(cmd, "--concurrency is at most 4096");
		break;
	case WEFT_OPT_THREADS:
		bad = parse_count(&l->threads, cmd, "--threads", v, 1);
		if (!bad && l->threads > 256)
			bad = weft_cli_usage_error(cmd, "--threads is at most 256");
		break;
	case WEFT_OPT_DURATION:
		bad = parse_duration(&l->duration_ms, cmd, "--duration", v);
		break;
	case WEFT_OPT_MAX_DURATION:
		bad = parse_duration(&l->max_duration_ms, cmd, "--max-duration", v);
		break;
	case WEFT_OPT_MIN_QUERIES:
		bad = parse_count(&l->min_queries, cmd, "--min-queries", v, 0);
		l->has_min_queries = !bad;
		break;
	case WEFT_OPT_WARMUP:
		bad = parse_count(&l->warmup, cmd, "--warmup", v, 0);
		l->has_warmup = !bad;
		break;
	case WEFT_OPT_SEED:
		bad = parse_count(&l->seed, cmd, "--seed", v, 0);
		l->has_seed = !bad;
		break;
	case WEFT_OPT_SAMPLES_PER_QUERY:
		bad = parse_count(&l->samples_per_query, cmd, "--samples-per-query", v, 1);
		if (!bad && l->samples_per_query > 4096)
			bad = weft_cli_usage_error(cmd, "--samples-per-query is at most 4096");
		break;
	default:
		return 0;
	}
	return bad ? -1 : 1;
}

void weft_cli_load_apply(weft_pipelines_spec *spec, const weft_cli_load *o)
{
	weft_pipelines_load *l = &spec->load;
	if (o->has_scenario)
		l->scenario = o->scenario;
	if (o->rate > 0)
		l->rate = o->rate;
	if (o->concurrency)
		l->concurrency = (size_t)o->concurrency;
	if (o->threads)
		l->threads = (size_t)o->threads;
	if (o->duration_ms > 0)
		l->duration_ms = o->duration_ms;
	if (o->max_duration_ms > 0)
		l->max_duration_ms = o->max_duration_ms;
	if (o->has_min_queries)
		l->min_queries = o->min_queries;
	if (o->has_warmup)
		l->warmup = o->warmup;
	if (o->has_seed)
		l->seed = o->seed;
	if (o->samples_per_query)
		l->samples_per_query = o->samples_per_query;
	/* several workers without a scenario: the closed-loop one; samples per
	 * query: multi-stream */
	if (l->scenario == WEFT_SCENARIO_SINGLE_STREAM && !o->has_scenario && o->concurrency > 1)
		l->scenario = WEFT_SCENARIO_CONCURRENCY;
	if (l->scenario == WEFT_SCENARIO_SINGLE_STREAM && !o->has_scenario && o->samples_per_query)
		l->scenario = WEFT_SCENARIO_MULTI_STREAM;
}

bool weft_cli_output_blocked(const char *path, bool force)
{
	struct stat st;
	if (!path || !strcmp(path, "-") || force)
		return false;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return false; /* a device or a pipe is written into, never replaced */
	if (weft_path_exists(path)) {
		fprintf(stderr, "%s: error: file exists; not overwriting it\n  hint: pass --force to replace it\n",
			path);
		return true;
	}
	return false;
}

void weft_cli_progress_update(void *ctx, uint64_t done, uint64_t expected)
{
	weft_cli_progress *p = ctx;
	if (p->quiet)
		return;
	if (!p->bar || p->total != expected) {
		weft_progress_free(p->bar);
		p->bar = NULL;
		p->total = expected;
		if (weft_progress_new(&p->bar, stderr, p->label ? p->label : "bench", expected))
			return;
	}
	weft_progress_update(p->bar, done);
}

int weft_cli_outputs_option(weft_cli_outputs *o, const char *cmd, int opt, const char *v)
{
	static const weft_pipelines_format map[] = { WEFT_REPORT_TEXT, WEFT_REPORT_JSON, WEFT_REPORT_MARKDOWN,
						     WEFT_REPORT_HTML, WEFT_REPORT_JUNIT };
	switch (opt) {
	case 'f': {
		weft_cli_format f;
		if (weft_cli_format_parse(&f, cmd, v, WEFT_CLI_REPORT_FORMATS))
			return -1;
		o->format = map[f];
		return 1;
	}
	case 'o':
		o->output = v;
		return 1;
	case WEFT_OPT_JSON:
		o->json = v;
		return 1;
	case WEFT_OPT_JUNIT:
		o->junit = v;
		return 1;
	case WEFT_OPT_HTML:
		o->html = v;
		return 1;
	case WEFT_OPT_FORCE:
		o->force = true;
		return 1;
	default:
		return 0;
	}
}

int weft_cli_outputs_check(const char *cmd, const weft_cli_outputs *o)
{
	const char *outs[] = { o->output, o->json, o->junit, o->html };
	size_t n = sizeof outs / sizeof *outs;
	for (size_t i = 0; i < n; i++)
		if (weft_cli_output_blocked(outs[i], o->force))
			return WEFT_EXIT_ENV;
	struct stat st;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++)
			if (outs[i] && outs[j] && strcmp(outs[i], "-") && !strcmp(outs[i], outs[j]) &&
			    !(stat(outs[i], &st) == 0 && S_ISCHR(st.st_mode))) /* /dev/null twice is fine */
				return weft_cli_usage_error(cmd, "two outputs go to '%s'", outs[i]);
	return WEFT_EXIT_OK;
}

static int write_one(const char *path, weft_pipelines_format f, bool force, weft_cli_render_fn render,
		     const void *ctx)
{
	weft_buf b = WEFT_BUF_INIT;
	bool tty = (!path || !strcmp(path, "-")) && weft_term_colour(stdout);
	if (render(&b, f, tty, ctx) || b.oom) {
		weft_buf_free(&b);
		fprintf(stderr, "weft: out of memory\n");
		return WEFT_EXIT_ENV;
	}
	/* core writes into devices and pipes rather than replacing them */
	int rc = weft_cli_write_output(path, b.ptr ? b.ptr : "", b.len, force);
	weft_buf_free(&b);
	return rc;
}

int weft_cli_outputs_write(const weft_cli_outputs *o, weft_cli_render_fn render, const void *ctx)
{
	int rc = write_one(o->output, o->format, o->force, render, ctx);
	if (!rc && o->json)
		rc = write_one(o->json, WEFT_REPORT_JSON, o->force, render, ctx);
	if (!rc && o->junit)
		rc = write_one(o->junit, WEFT_REPORT_JUNIT, o->force, render, ctx);
	if (!rc && o->html)
		rc = write_one(o->html, WEFT_REPORT_HTML, o->force, render, ctx);
	return rc;
}

bool weft_cli_is_pipeline(const char *path)
{
	size_t l = strlen(path);
	return (l > 5 && !strcmp(path + l - 5, ".yaml")) || (l > 4 && !strcmp(path + l - 4, ".yml"));
}
