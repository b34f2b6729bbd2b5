/* cmd_assess.c - `weft assess`: init, interview, score, diff, validate.
 *
 * Glue only: parse options, call assess/, print results to stdout (or write
 * them atomically with -o) and diagnostics to stderr, return the exit code.
 * Every subcommand takes -m MODEL; without it the model weft ships
 * (<data dir>/assess/questionnaires/ai-integration.yaml) is used. A
 * --fail-below gate is checked after the report is written, so CI keeps the
 * report of a failing run.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "weft_assess.h"

static const char usage_assess[] =
	"usage: weft assess <subcommand> [<args>]\n\n"
	"Score how mature a business unit's AI integration architecture is (levels 1-5)\n"
	"from YAML answers to a maturity model, see what holds each area back, and\n"
	"track progress. The model defaults to the one weft ships\n"
	"(assess/questionnaires/ai-integration.yaml); -m takes any other.\n"
	"Guide: docs/assess.md; scoring rules: docs/scoring.md.\n";


#define SCORE_FORMATS (1u << WEFT_FMT_TEXT | 1u << WEFT_FMT_JSON | 1u << WEFT_FMT_MARKDOWN | 1u << WEFT_FMT_HTML)
#define DIFF_FORMATS WEFT_CLI_TEXT_JSON

/* The levels --target and --fail-below take: LEVEL_MIN..LEVEL_MAX. */
size_t weft_cli_assess_level_words(const char **out, size_t max)
{
	static const char *const digits[] = { "0", "1", "2", "3", "4", "5", "6", "7", "8", "9" };
	size_t n = 0;
	for (int l = LEVEL_MIN; l <= LEVEL_MAX && l < 10 && n < max; l++)
		out[n++] = digits[l];
	return n;
}

/* s with ASCII control characters shown as '?' (a file's own text must not
 * drive the terminal), cut to fit buf. */
static const char *safe(const char *s, char *buf, size_t n)
{
	size_t i = 0;
	for (; s && s[i] && i + 1 < n; i++)
		buf[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
	buf[i] = '\0';
	return buf;
}

const char *weft_cli_assess_model_path(const char *m)
{
	return m ? m : weft_assess_default_model_path();
}

int weft_cli_assess_load_model(weft_assess_model **m, const char *path, weft_diags *d)
{
	int err = weft_assess_model_load(m, weft_cli_assess_model_path(path), d);
	if (err == WEFT_EENV && !path)
		weft_diags_add(d, WEFT_SEV_NOTE, NULL, 0, 0,
			       "set WEFT_DATA_DIR to the folder holding assess/questionnaires, or pass -m",
			       "the default model was not found");
	return err;
}

/* The model (-m, else the default) and, when given, weights for it. */
int weft_cli_assess_load_model_weights(weft_assess_model **m, weft_assess_weights **w, const char *model,
			      const char *weights, weft_diags *d)
{
	int err = weft_cli_assess_load_model(m, model, d);
	if (!err && weights)
		err = weft_assess_weights_load(w, weights, *m, d);
	return err;
}

/* Print the diagnostics, then either exit with err's code or write b to
 * out (stdout for NULL or "-"; an existing file only with force). */
int weft_cli_assess_finish(int err, weft_diags *d, const char *out, const weft_buf *b, bool force)
{
	if (err)
		return weft_cli_finish(err, d);
	weft_cli_finish(0, d); /* warnings, if any */
	return weft_cli_write_output(out, b->ptr, b->len, force);
}

/* A level argument 1..5. Returns 0 or prints a usage error and returns -1. */
int weft_cli_assess_parse_level(int *out, const char *cmd, const char *opt, const char *v)
{
	char *end;
	errno = 0;
	long x = strtol(v, &end, 10);
	if (errno || *end || end == v || x < LEVEL_MIN || x > LEVEL_MAX) {
		weft_cli_usage_error(cmd, "%s needs a level from %d to %d, got '%s'", opt, LEVEL_MIN, LEVEL_MAX, v);
		return -1;
	}
	*out = (int)x;
	return 0;
}

int weft_cli_assess_parse_top(long *out, const char *cmd, const char *v)
{
	char *end;
	errno = 0;
	long x = strtol(v, &end, 10);
	if (errno || *end || end == v || x < 1 || x > 1000) {
		weft_cli_usage_error(cmd, "--top needs a number from 1 to 1000, got '%s'", v);
		return -1;
	}
	*out = x;
	return 0;
}

static int parse_score(double *out, const char *cmd, const char *opt, const char *v)
{
	char *end;
	errno = 0;
	double x = strtod(v, &end);
	if (errno || *end || end == v || !isfinite(x) || x < 0 || x > 5) {
		weft_cli_usage_error(cmd, "%s needs a score from 0 to 5, got '%s'", opt, v);
		return -1;
	}
	*out = x;
	return 0;
}

/* A share: 0.8 or 80% (0 < x <= 1 when zero_ok is false, 0 <= x <= 1 else). */
static int parse_share(double *out, const char *cmd, const char *opt, const char *v, bool zero_ok)
{
	char *end;
	errno = 0;
	double x = strtod(v, &end);
	bool pct = end != v && *end == '%' && !end[1];
	if (pct)
		x /= 100;
	if (errno || (*end && !pct) || end == v || !isfinite(x) || x < 0 || x > 1 ||
	    (!zero_ok && x == 0)) {
		weft_cli_usage_error(cmd, "%s needs a share %s 0 to 1 (or 0%% to 100%%), got '%s'", opt,
				     zero_ok ? "from" : "above", v);
		return -1;
	}
	*out = x;
	return 0;
}

/* When a report was made: SOURCE_DATE_EPOCH (reproducible builds and
 * tests) or now, as UTC ISO 8601. */
void weft_cli_assess_generated_at(char out[32])
{
	const char *e = getenv("SOURCE_DATE_EPOCH");
	char *end = NULL;
	long long v = e && *e ? strtoll(e, &end, 10) : -1;
	time_t t = (end && !*end && v >= 0) ? (time_t)v : time(NULL);
	struct tm tm;
	if (!gmtime_r(&t, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "1970-01-01T00:00:00Z");
}

static void today(char out[16])
{
	time_t t = time(NULL);
	struct tm tm;
	if (!localtime_r(&t, &tm) || !strftime(out, 16, "%Y-%m-%d", &tm))
		snprintf(out, 16, "1970-01-01");
}

/* ---- init ---------------------------------------------------------------------- */

static const char usage_init[] =
	"usage: weft assess init [-m MODEL] [-o FILE] [--unit NAME] [--respondent NAME]\n"
	"                        [--date YYYY-MM-DD] [--force]\n\n"
	"Write a blank answers file for the model: every question with its options and\n"
	"help as YAML comments, ready to fill in. To stdout unless -o; an existing file\n"
	"is replaced only with --force.\n";

static const weft_cli_option init_opts[] = {
	{ "model", 'm', WEFT_CLI_VALUE | WEFT_CLI_SHORT, YAML_FILES },
	{ "output", 'o', WEFT_CLI_VALUE | WEFT_CLI_SHORT, WEFT_HINT_FILES(NULL) },
	{ "unit", 'u', WEFT_CLI_VALUE, WEFT_HINT_NOTHING },
	{ "respondent", 'r', WEFT_CLI_VALUE, WEFT_HINT_NOTHING },
	{ "date", 'D', WEFT_CLI_VALUE, WEFT_HINT_NOTHING },
	{ "force", 'f', WEFT_CLI_SHORT, WEFT_HINT_NOTHING },
	{ "help", 'h', WEFT_CLI_SHORT, WEFT_HINT_NOTHING },
	{ NULL, 0, 0, WEFT_HINT_NOTHING },
};

static int cmd_init(int argc, char **argv)
{
	const char *model = NULL, *out = NULL, *unit = NULL, *resp = NULL, *date = NULL;
	bool force = false;
	int c;
	while ((c = weft_cli_getopt("assess init", argc, argv, init_opts)) != -1) {
		switch (c) {
		case 'm': model = optarg; break;
		case 'o': out = optarg; break;
		case 'u': unit = optarg; break;
		case 'r': resp = optarg; break;
		case 'D': date = optarg; break;
		case 'f': force = true; break;
		case 'h': fputs(usage_init, stdout); return WEFT_EXIT_OK;
		default: return WEFT_EXIT_USAGE;
		}
	}
	if (optind < argc)
		return weft_cli_usage_error("assess init", "unexpected argument '%s' (write the file with -o)",
					    argv[optind]);
	if (!out && isatty(STDOUT_FILENO))
		fputs("# (printing to the terminal; use -o FILE to write a file)\n", stderr);
	weft_diags *d = NULL;
	if (weft_diags_new(&d))
		return WEFT_EXIT_ENV;
	weft_assess_model *m = NULL;
	weft_assess_answers *a = NULL;
	weft_buf b = WEFT_BUF_INIT;
	char day[16];
	today(day);
	int err = weft_cli_assess_load_model(&m, model, d);
	if (!err && (err = weft_assess_answers_new(&a, m, unit, resp, date ? date : day)) == WEFT_EINVALID) {
		weft_buf_free(&b);
		weft_assess_model_free(m);
		weft_diags_free(d);
		return weft_cli_usage_error("assess init", "--date needs a real day as YYYY-MM-DD, got '%s'", date);
	}
	if (!err)
		err = weft_assess_answers_render(&b, a, m);
	int rc;
	if (err) {
		rc = weft_cli_finish(err, d);
	} else {
		weft_cli_finish(0, d); /* warnings */
		rc = weft_cli_write_output(out, b.ptr, b.len, force);
		if (rc == WEFT_EXIT_OK && out && strcmp(out, "-"))
			fprintf(stderr, "wrote %s: %zu questions to answer. Fill it in, then: weft assess score %s\n",
				out, m->n_questions, out);
	}
	weft_buf_free(&b);
	weft_assess_answers_free(a);
	weft_assess_model_free(m);
	weft_diags_free(d);
	return rc;
}

/* ---- interview ------------------------------------------------------------------ */

static const char usage_interview[] =
	"usage: weft assess interview [-m MODEL] [-o FILE | FILE] [--unit NAME] [--respondent NAME]\n\n"
	"Ask the model's questions one by one in the terminal and save the answers to\n"
	"FILE (default: assessment.yaml) after every answer. An existing FILE is\n"
	"resumed at its first unanswered question. Keys: 1-5 answer (text after the\n"
	"number becomes a note), na (asks why), ? help, b back, q quit, Enter keep/skip.\n"
	"Works with piped input too: one answer per line.\n";

static const weft_cli_option interview_opts[] = {
	{ "model", 'm', WEFT_CLI_VALUE | WEFT_CLI_SHORT, YAML_FILES },
	{ "output", 'o', WEFT_CLI_VALUE | WEFT_CLI_SHORT, YAML_FILES },
	{ "unit", 'u', WEFT_CLI_VALUE, WEFT_HINT_NOTHING },
	{ "respondent", 'r', WEFT_CLI_VALUE, WEFT_HINT_NOTHING },
	{ "help", 'h', WEFT_CLI_SHORT, WEFT_HINT_NOTHING },
	{ NULL, 0, 0, WEFT_HINT_NOTHING },
};

static int cmd_interview(int argc, char **argv)
{
	const char *model = NULL, *out = NULL, *unit = NULL, *resp = NULL;
	int c;
	while ((c = weft_cli_getopt("assess interview", argc, argv, interview_opts)) != -1) {
		switch (c) {
		case 'm': model = optarg; break;
		case 'o': out = optarg; break;
		case 'u': unit = optarg; break;
		case 'r': resp = optarg; break;
		case 'h': fputs(usage_interview, stdout); return WEFT_EXIT_OK;
		default: return WEFT_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		if (out || optind + 1 < argc)
			return weft_cli_usage_error("assess interview", "unexpected argument '%s'",
						    argv[out ? optind : optind + 1]);
		out = argv[optind];
	}
	if (!out)
		out = "assessment.yaml";
	if (!strcmp(out, "-"))
		return weft_cli_usage_error("assess interview", "the interview needs a file to save to, not stdout");
	weft_diags *d = NULL;
	if (weft_diags_new(&d))
		return WEFT_EXIT_ENV;
	weft_assess_model *m = NULL;
	int err = weft_cli_assess_load_model(&m, model, d);
	weft_assess_interview_stats st;
	if (!err) {
		weft_assess_interview_opts o = { m, out, stdin, stdout, weft_term_colour(stdout), unit, resp, NULL };
		err = weft_assess_interview(&st, &o, d);
	}
	int rc = weft_cli_finish(err, d);
	weft_assess_model_free(m);
	weft_diags_free(d);
	return rc;
}

/* ---- score ------------------------------------------------------------------------ */

static const char usage_score[] =
	"usage: weft assess score ANSWERS... [-m MODEL] [--target LEVEL] [--weights FILE]\n"
	"                         [--format text|json|markdown|html] [-o FILE] [--force]\n"
	"                         [--fail-below LEVEL] [--fail-below-score SCORE]\n"
	"                         [--fail-below-coverage SHARE] [--min-coverage SHARE]\n"
	"                         [--max-spread DAYS|off] [--top N] [--history]\n\n"
	"Score one unit's answers: per dimension a score, a level (1-5) and coverage;\n"
	"the overall level (the lowest dimension's) and score; the gaps to the target\n"
	"level (default: one above the overall level) with their improvement plans.\n"
	"An unanswered question counts as level 1; a dimension with less than the\n"
	"model's min_coverage of its weight answered (--min-coverage overrides, default\n"
	"0.8), or with a critical question unanswered, is not rated, and so is the\n"
	"overall level while any in-scope dimension is. Several files for the same unit\n"
	"are rolled up (median per question) and their disagreements listed; the same\n"
	"file twice is refused, dates more than --max-spread days apart (default 90)\n"
	"are a warning. --weights overrides the model's weights (the report lists each\n"
	"change). --history adds the trend over the git history of the answers file\n"
	"(one file only), scored at the report's target, as weft assess history does:\n"
	"a short table in text and Markdown, a \"history\" key in JSON, a chart in HTML.\n\n"
	"Exit codes: 0 ok; 1 a gate failed: the overall level is below --fail-below or\n"
	"not rated, the score below --fail-below-score, the coverage below\n"
	"--fail-below-coverage (the report is still written); 2 usage; 3 invalid input;\n"
	"4 I/O error or output file exists (without --force).\n";

static const weft_cli_option score_opts[] = {
	{ "model", 'm', WEFT_CLI_VALUE | WEFT_CLI_SHORT, YAML_FILES },
	{ "target", 't', WEFT_CLI_VALUE | WEFT_CLI_SHORT, WEFT_HINT_WORDS_OF(weft_cli_assess_level_words) },
	{ "weights", 'w', WEFT_CLI_VALUE | WEFT_CLI_SHORT, YAML_FILES },
	{ "format", 'F', WEFT_CLI_VALUE | WEFT_CLI_SHORT, WEFT_HINT_FORMATS(SCORE_FORMATS) },
	{ "output", 'o', WEFT_CLI_VALUE | WEFT_CLI_SHORT, WEFT_HINT_FILES(NULL) },
	{ "force", 'f', WEFT_CLI_SHORT, WEFT_HINT_NOTHING },
	{ "fail-below", 'L', WEFT_CLI_VALUE, WEFT_HINT_WORDS_OF(weft_cli_assess_level_words) },
	{ "fail-below-score", 'S', WEFT_CLI_VALUE, WEFT_HINT_NOTHING },
	{ "fail-below-coverage", 'C', WEFT_CLI_VALUE, WEFT_HINT_NOTHING },
	{ "min-coverage", 'M', WEFT_CLI_VALUE, WEFT_HINT_NOTHING },
	{ "max-spread", 'D', WEFT_CLI_VALUE, WEFT_HINT_NOTHING },
	{ "top", 'n', WEFT_CLI_VALUE, WEFT_HINT_NOTHING },
	{ "history", 'H', 0, WEFT_HINT_NOTHING },
	{ "help", 'h', WEFT_CLI_SHORT, WEFT_HINT_NOTHING },
	{ NULL, 0, 0, WEFT_HINT_NOTHING },
};

static int cmd_score(int argc, char **argv)
{
	const char *cmd = "assess score";
	const char *model = NULL, *weights = NULL, *out = NULL;
	weft_cli_format fmt = WEFT_FMT_TEXT;
	int target = 0, fail_level = 0, max_spread = 0;
	double fail_score = -1, fail_cov = -1, min_cov = 0;
	long top = 0;
	bool force = false, with_history = false;
	int c;
	while ((c = weft_cli_getopt(cmd, argc, argv, score_opts)) != -1) {
		switch (c) {
		case 'm': model = optarg; break;
		case 'H': with_history = true; break;
		case 'w': weights = optarg; break;
		case 'o': out = optarg; break;
		case 'f': force = true; break;
		case 't':
			if (weft_cli_assess_parse_level(&target, cmd, "--target", optarg))
				return WEFT_EXIT_USAGE;
			break;
		case 'L':
			if (weft_cli_assess_parse_level(&fail_level, cmd, "--fail-below", optarg))
				return WEFT_EXIT_USAGE;
			break;
		case 'S':
			if (parse_score(&fail_score, cmd, "--fail-below-score", optarg))
				return WEFT_EXIT_USAGE;
			break;
		case 'C':
			if (parse_share(&fail_cov, cmd, "--fail-below-coverage", optarg, true))
				return WEFT_EXIT_USAGE;
			break;
		case 'M':
			if (parse_share(&min_cov, cmd, "--min-coverage", optarg, false))
				return WEFT_EXIT_USAGE;
			break;
		case 'D': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (!strcmp(optarg, "off")) {
				max_spread = -1;
				break;
			}
			if (*end || end == optarg || v < 1 || v > 100000)
				return weft_cli_usage_error(cmd, "--max-spread needs a number of days from 1 "
								 "to 100000, or off, got '%s'",
							    optarg);
			max_spread = (int)v;
			break;
		}
		case 'F':
			if (weft_cli_format_parse(&fmt, cmd, optarg, SCORE_FORMATS))
				return WEFT_EXIT_USAGE;
			break;
		case 'n':
			if (weft_cli_assess_parse_top(&top, cmd, optarg))
				return WEFT_EXIT_USAGE;
			break;
		case 'h': fputs(usage_score, stdout); return WEFT_EXIT_OK;
		default: return WEFT_EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return weft_cli_usage_error(cmd, "no answers file given (weft assess init writes one)");
	size_t n = (size_t)(argc - optind);
	if (with_history && n != 1)
		return weft_cli_usage_error(cmd, "--history needs exactly one answers file (got %zu)", n);
	weft_diags *d = NULL;
	if (weft_diags_new(&d))
		return WEFT_EXIT_ENV;
	weft_assess_model *m = NULL;
	weft_assess_weights *w = NULL;
	weft_assess_answers **as = calloc(n, sizeof *as);
	weft_assess_result *r = NULL;
	weft_assess_history *hist = NULL;
	weft_buf b = WEFT_BUF_INIT;
	int err = as ? weft_cli_assess_load_model(&m, model, d) : WEFT_ENOMEM;
	if (!err && weights)
		err = weft_assess_weights_load(&w, weights, m, d);
	if (!err) {
		for (size_t i = 0; i < n; i++) {
			int e = weft_assess_answers_load(&as[i], argv[optind + (int)i], d);
			if (e && !err)
				err = e; /* keep going: report every file's problems */
		}
	}
	if (!err) {
		weft_assess_score_opts so = { target, w, min_cov, max_spread };
		err = weft_assess_score(&r, m, (const weft_assess_answers *const *)as, n, &so, d);
	}
	if (!err && with_history) {
		/* every version at the report's target */
		weft_assess_history_opts ho = { 0, true, { r->target, w, min_cov, max_spread } };
		err = weft_assess_history_load(&hist, argv[optind], m, &ho, d);
	}
	int rc = WEFT_EXIT_OK;
	if (!err) {
		char gen[GENERATOR_MAX], at[32];
		snprintf(gen, sizeof gen, "weft %s", weft_version());
		weft_cli_assess_generated_at(at);
		bool to_stdout = !out || !strcmp(out, "-");
		weft_assess_report_opts ro = { fmt == WEFT_FMT_TEXT && to_stdout && weft_term_colour(stdout),
					       (size_t)top, gen, at, hist };
		switch (fmt) {
		case WEFT_FMT_JSON: err = weft_assess_report_json(&b, r, &ro); break;
		case WEFT_FMT_MARKDOWN: err = weft_assess_report_markdown(&b, r, &ro); break;
		case WEFT_FMT_HTML: err = weft_assess_report_html(&b, r, &ro); break;
		default: err = weft_assess_report_text(&b, r, &ro); break;
		}
		if (err)
			weft_diags_add(d, WEFT_SEV_ERROR, NULL, 0, 0, NULL, "out of memory while writing the report");
	}
	if (err) {
		rc = weft_cli_finish(err, d);
	} else {
		weft_cli_finish(0, d); /* warnings, if any */
		rc = weft_cli_write_output(out, b.ptr, b.len, force);
		if (rc == WEFT_EXIT_OK && out && strcmp(out, "-")) {
			weft_buf e = WEFT_BUF_INIT;
			if (r->rated)
				weft_buf_printf(&e, "level %d, score %.2f", r->level, r->score);
			else
				weft_assess_explain(&e, r, NULL);
			fprintf(stderr, "wrote %s: overall %s\n", out, e.ptr ? e.ptr : "");
			weft_buf_free(&e);
		}
	}
	if (rc == WEFT_EXIT_OK) {
		weft_assess_gate g = { fail_level, fail_score, fail_cov };
		weft_buf why = WEFT_BUF_INIT;
		if (weft_assess_gate_check(r, &g, &why)) {
			/* one line per failed condition */
			for (char *line = why.ptr; line && *line;) {
				char *nl = strchr(line, '\n');
				fprintf(stderr, "weft assess score: gate failed: %.*s\n",
					(int)(nl ? nl - line : (long)strlen(line)), line);
				line = nl ? nl + 1 : NULL;
			}
			rc = WEFT_EXIT_GATE;
		}
		weft_buf_free(&why);
	}
	weft_buf_free(&b);
	weft_assess_history_free(hist);
	weft_assess_result_free(r);
	for (size_t i = 0; as && i < n; i++)
		weft_assess_answers_free(as[i]);
	free(as);
	weft_assess_weights_free(w);
	weft_assess_model_free(m);
	weft_diags_free(d);
	return rc;
}

/* ---- diff -------------------------------------------------------------------------- */

#define DIFF_OUT_FORMATS (1u << WEFT_FMT_TEXT | 1u << WEFT_FMT_JSON | 1u << WEFT_FMT_MARKDOWN)

static const char usage_diff[] =
	"usage: weft assess diff OLD NEW [-m MODEL] [--weights FILE] [--target LEVEL]\n"
	"                        [--format text|json|markdown] [-o FILE] [--force]\n\n"
	"Show what moved between two answers files of one unit (an earlier and a later\n"
	"assessment): the overall level and score, each dimension's level (or why it is\n"
	"not rated or out of scope), score and coverage, every question that went up,\n"
	"down, was newly answered or is no longer answered, and PercentToTarget of both\n"
	"at one target: --target LEVEL, else the new assessment's target, so a moved\n"
	"target does not move the delta. Warns (on stderr and in the output) when the\n"
	"units differ, NEW is dated before OLD, or the two were scored differently\n"
	"(model version or file, migrated answers, minimum coverage, weights).\n\n"
	"Exit codes: 0 ok (changes or none); 2 usage; 3 invalid input; 4 I/O error or\n"
	"output file exists (without --force).\n";

static const weft_cli_option diff_opts[] = {
	{ "model", 'm', WEFT_CLI_VALUE | WEFT_CLI_SHORT, YAML_FILES },
	{ "weights", 'w', WEFT_CLI_VALUE | WEFT_CLI_SHORT, YAML_FILES },
	{ "target", 't', WEFT_CLI_VALUE | WEFT_CLI_SHORT, WEFT_HINT_WORDS_OF(weft_cli_assess_level_words) },
	{ "format", 'F', WEFT_CLI_VALUE | WEFT_CLI_SHORT, WEFT_HINT_FORMATS(DIFF_OUT_FORMATS) },
	{ "output", 'o', WEFT_CLI_VALUE | WEFT_CLI_SHORT, WEFT_HINT_FILES(NULL) },
	{ "force", 'f', WEFT_CLI_SHORT, WEFT_HINT_NOTHING },
	{ "help", 'h', WEFT_CLI_SHORT, WEFT_HINT_NOTHING },
	{ NULL, 0, 0, WEFT_HINT_NOTHING },
};

static int cmd_diff(int argc, char **argv)
{
	const char *cmd = "assess diff";
	const char *model = NULL, *weights = NULL, *out = NULL;
	weft_cli_format fmt = WEFT_FMT_TEXT;
	int target = 0;
	bool force = false;
	int c;
	while ((c = weft_cli_getopt(cmd, argc, argv, diff_opts)) != -1) {
		switch (c) {
		case 'm': model = optarg; break;
		case 'w': weights = optarg; break;
		case 'o': out = optarg; break;
		case 'f': force = true; break;
		case 't':
			if (weft_cli_assess_parse_level(&target, cmd, "--target", optarg))
				return WEFT_EXIT_USAGE;
			break;
		case 'F':
			if (weft_cli_format_parse(&fmt, cmd, optarg, DIFF_OUT_FORMATS))
				return WEFT_EXIT_USAGE;
			break;
		case 'h': fputs(usage_diff, stdout); return WEFT_EXIT_OK;
		default: return WEFT_EXIT_USAGE;
		}
	}
	if (argc - optind != 2)
		return weft_cli_usage_error(cmd, "needs exactly two answers files, OLD and NEW (got %d)",
					    argc - optind);
	weft_diags *d = NULL;
	if (weft_diags_new(&d))
		return WEFT_EXIT_ENV;
	weft_assess_model *m = NULL;
	weft_assess_weights *w = NULL;
	weft_assess_answers *a[2] = { NULL, NULL };
	weft_assess_result *r[2] = { NULL, NULL };
	weft_buf b = WEFT_BUF_INIT;
	int err = weft_cli_assess_load_model_weights(&m, &w, model, weights, d);
	for (int i = 0; !err && i < 2; i++) {
		int e = weft_assess_answers_load(&a[i], argv[optind + i], d);
		if (!e) {
			/* the same target for both, so each result's own numbers agree */
			weft_assess_score_opts so = { target, w, 0, -1 };
			const weft_assess_answers *one[1] = { a[i] };
			e = weft_assess_score(&r[i], m, one, 1, &so, d);
		}
		if (e && i == 0) { /* still check the second file, to report both */
			weft_assess_answers *x = NULL;
			if (!weft_assess_answers_load(&x, argv[optind + 1], d))
				weft_assess_answers_check(x, m, false, d);
			weft_assess_answers_free(x);
		}
		err = e;
	}
	char gen[GENERATOR_MAX], at[32];
	snprintf(gen, sizeof gen, "weft %s", weft_version());
	weft_cli_assess_generated_at(at);
	weft_assess_diff_opts dop = { fmt == WEFT_FMT_TEXT && (!out || !strcmp(out, "-")) && weft_term_colour(stdout),
				      target, gen, at };
	if (!err) {
		weft_assess_diff_summary sum;
		err = weft_assess_diff_summarize(&sum, r[0], r[1], &dop);
		for (size_t i = 0; !err && i < sum.n_warnings; i++)
			weft_diags_add(d, WEFT_SEV_WARNING, NULL, 0, 0, NULL, "%s", sum.warnings[i].text);
		weft_assess_diff_summary_free(&sum);
	}
	if (!err) {
		switch (fmt) {
		case WEFT_FMT_JSON: err = weft_assess_diff_json(&b, r[0], r[1], &dop); break;
		case WEFT_FMT_MARKDOWN: err = weft_assess_diff_markdown(&b, r[0], r[1], &dop); break;
		default: err = weft_assess_diff_text(&b, r[0], r[1], &dop); break;
		}
	}
	if (err == WEFT_ENOMEM)
		weft_diags_add(d, WEFT_SEV_ERROR, NULL, 0, 0, NULL, "out of memory while writing the diff");
	int rc = weft_cli_assess_finish(err, d, out, &b, force);
	weft_buf_free(&b);
	for (int i = 0; i < 2; i++) {
		weft_assess_result_free(r[i]);
		weft_assess_answers_free(a[i]);
	}
	weft_assess_weights_free(w);
	weft_assess_model_free(m);
	weft_diags_free(d);
	return rc;
}

/* ---- history -------------------------------------------------------------------------- */

#define HISTORY_FORMATS SCORE_FORMATS

static const char usage_history[] =
	"usage: weft assess history FILE [-m MODEL] [--weights FILE] [--target LEVEL]\n"
	"                           [--since DATE] [--no-working-tree]\n"
	"                           [--format text|json|markdown|html] [-o FILE] [--force]\n\n"
	"Show how a unit's assessment moved over the git history of its answers file\n"
	"(read with libgit2; no git program needed): every commit on HEAD's first-parent\n"
	"line that changed FILE, following renames, oldest first, each scored against\n"
	"MODEL (answers for an older model version are migrated) at one target, with\n"
	"commit, date and author; then uncommitted changes as a last 'working' entry.\n"
	"A version that does not parse or score is listed with its error. Markdown\n"
	"gives the trend and per-dimension tables; HTML one self-contained page with a\n"
	"chart of every dimension's score and the overall score over the level bands.\n\n"
	"Options:\n"
	"  --target LEVEL     score every version at this target (default: one above\n"
	"                     the latest rated level)\n"
	"  --since DATE       only versions committed on or after DATE (YYYY-MM-DD, UTC)\n"
	"  --no-working-tree  leave out uncommitted changes\n\n"
	"Exit codes: 0 ok; 2 usage; 3 invalid input (not in a git repository, or FILE\n"
	"not tracked); 4 I/O error or output file exists (without --force).\n";

static const weft_cli_option history_opts[] = {
	{ "model", 'm', WEFT_CLI_VALUE | WEFT_CLI_SHORT, YAML_FILES },
	{ "weights", 'w', WEFT_CLI_VALUE | WEFT_CLI_SHORT, YAML_FILES },
	{ "target", 't', WEFT_CLI_VALUE | WEFT_CLI_SHORT, WEFT_HINT_WORDS_OF(weft_cli_assess_level_words) },
	{ "since", 's', WEFT_CLI_VALUE, WEFT_HINT_NOTHING },
	{ "no-working-tree", 'W', 0, WEFT_HINT_NOTHING },
	{ "format", 'F', WEFT_CLI_VALUE | WEFT_CLI_SHORT, WEFT_HINT_FORMATS(HISTORY_FORMATS) },
	{ "output", 'o', WEFT_CLI_VALUE | WEFT_CLI_SHORT, WEFT_HINT_FILES(NULL) },
	{ "force", 'f', WEFT_CLI_SHORT, WEFT_HINT_NOTHING },
	{ "help", 'h', WEFT_CLI_SHORT, WEFT_HINT_NOTHING },
	{ NULL, 0, 0, WEFT_HINT_NOTHING },
};

/* "YYYY-MM-DD" -> seconds since the epoch at 00:00 UTC; -1 when malformed. */
static int64_t parse_day(const char *s)
{
	int y, mo, da;
	char tail;
	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &mo, &da, &tail) != 3 || mo < 1 || mo > 12 ||
	    da < 1 || da > 31 || y < 1970)
		return -1;
	/* days from civil (proleptic Gregorian) */
	int yy = mo <= 2 ? y - 1 : y;
	int era = yy / 400, yoe = yy - era * 400;
	int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + da - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return ((int64_t)era * 146097 + doe - 719468) * 86400;
}

static int cmd_history(int argc, char **argv)
{
	const char *cmd = "assess history";
	const char *model = NULL, *weights = NULL, *out = NULL;
	weft_cli_format fmt = WEFT_FMT_TEXT;
	weft_assess_history_opts ho = { 0, true, { 0 } };
	bool force = false;
	int c;
	while ((c = weft_cli_getopt(cmd, argc, argv, history_opts)) != -1) {
		switch (c) {
		case 'm': model = optarg; break;
		case 'w': weights = optarg; break;
		case 'o': out = optarg; break;
		case 'f': force = true; break;
		case 'W': ho.working_tree = false; break;
		case 't':
			if (weft_cli_assess_parse_level(&ho.score.target, cmd, "--target", optarg))
				return WEFT_EXIT_USAGE;
			break;
		case 's':
			if ((ho.since = parse_day(optarg)) < 0)
				return weft_cli_usage_error(cmd, "--since needs a date as YYYY-MM-DD, got '%s'", optarg);
			break;
		case 'F':
			if (weft_cli_format_parse(&fmt, cmd, optarg, HISTORY_FORMATS))
				return WEFT_EXIT_USAGE;
			break;
		case 'h': fputs(usage_history, stdout); return WEFT_EXIT_OK;
		default: return WEFT_EXIT_USAGE;
		}
	}
	if (argc - optind != 1)
		return weft_cli_usage_error(cmd, "needs exactly one answers file (got %d)", argc - optind);
	weft_diags *d = NULL;
	if (weft_diags_new(&d))
		return WEFT_EXIT_ENV;
	weft_assess_model *m = NULL;
	weft_assess_weights *w = NULL;
	weft_assess_history *h = NULL;
	weft_buf b = WEFT_BUF_INIT;
	int err = weft_cli_assess_load_model_weights(&m, &w, model, weights, d);
	ho.score.weights = w;
	if (!err)
		err = weft_assess_history_load(&h, argv[optind], m, &ho, d);
	if (!err) {
		char gen[GENERATOR_MAX], at[32];
		snprintf(gen, sizeof gen, "weft %s", weft_version());
		weft_cli_assess_generated_at(at);
		weft_assess_report_opts ro = { false, 0, gen, at, NULL };
		switch (fmt) {
		case WEFT_FMT_JSON: err = weft_assess_history_json(&b, h, &ro); break;
		case WEFT_FMT_MARKDOWN: err = weft_assess_history_markdown(&b, h, &ro); break;
		case WEFT_FMT_HTML: err = weft_assess_history_html(&b, h, &ro); break;
		default: err = weft_assess_history_text(&b, h, &ro); break;
		}
		if (err)
			weft_diags_add(d, WEFT_SEV_ERROR, NULL, 0, 0, NULL, "out of memory while writing the history");
	}
	int rc = weft_cli_assess_finish(err, d, out, &b, force);
	weft_buf_free(&b);
	weft_assess_history_free(h);
	weft_assess_weights_free(w);
	weft_assess_model_free(m);
	weft_diags_free(d);
	return rc;
}

/* ---- validate ----------------------------------------------------------------------- */

static const char usage_validate[] =
	"usage: weft assess validate FILE... [-m MODEL]\n\n"
	"Check maturity models, answers files and weights files (told apart by their\n"
	"top-level keys) and report every problem as path:line:col. Answers and weights\n"
	"are checked against -m MODEL, else against a model named on the same command\n"
	"line with the same id, else against the default model; answers written for an\n"
	"earlier model version are checked as the model's migration carries them over.\n"
	"For each answers file it prints what keeps a dimension (and the overall level)\n"
	"from being rated. Exit 3 on any error; warnings (unanswered questions, unknown\n"
	"fields) do not fail.\n";

static const weft_cli_option validate_opts[] = {
	{ "model", 'm', WEFT_CLI_VALUE | WEFT_CLI_SHORT, YAML_FILES },
	{ "help", 'h', WEFT_CLI_SHORT, WEFT_HINT_NOTHING },
	{ NULL, 0, 0, WEFT_HINT_NOTHING },
};

/* What keeps each dimension of one answers file from being rated (and the
 * overall level), as the score command would say it. */
static void explain_dimensions(const weft_assess_answers *a, const weft_assess_model *m)
{
	weft_diags *scratch = NULL;
	weft_assess_result *r = NULL;
	weft_assess_score_opts so = { 0, NULL, 0, -1 };
	if (weft_diags_new(&scratch) || weft_assess_score(&r, m, &a, 1, &so, scratch)) {
		weft_diags_print(scratch, stderr, false);
		weft_diags_free(scratch);
		return;
	}
	weft_buf out = WEFT_BUF_INIT, line = WEFT_BUF_INIT;
	for (size_t i = 0; i <= r->n_dims; i++) {
		const weft_assess_dresult *dr = i < r->n_dims ? &r->dims[i] : NULL;
		if (dr && dr->rated)
			continue;
		weft_buf_printf(&line, "  %s: ", dr ? dr->dim->id : "overall");
		weft_assess_explain(&line, r, dr);
		/* reasons are the file's own text: printable only */
		weft_buf_put_printable(&out, line.ptr ? line.ptr : "", '?');
		weft_buf_putc(&out, '\n');
		weft_buf_free(&line);
	}
	fputs(out.ptr ? out.ptr : "", stdout);
	weft_buf_free(&out);
	weft_assess_result_free(r);
	weft_diags_free(scratch);
}

static int cmd_validate(int argc, char **argv)
{
	const char *model = NULL;
	int c;
	while ((c = weft_cli_getopt("assess validate", argc, argv, validate_opts)) != -1) {
		switch (c) {
		case 'm': model = optarg; break;
		case 'h': fputs(usage_validate, stdout); return WEFT_EXIT_OK;
		default: return WEFT_EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return weft_cli_usage_error("assess validate", "no file given");
	int n = argc - optind;
	weft_assess_file_kind *kinds = calloc((size_t)n, sizeof *kinds);
	weft_assess_model **models = calloc((size_t)n, sizeof *models);
	if (!kinds || !models) {
		free(kinds);
		free(models);
		return WEFT_EXIT_ENV;
	}
	int worst = WEFT_OK;
	bool colour = weft_term_colour(stderr);
	/* pass 1: detect, and validate models (answers may refer to them) */
	for (int i = 0; i < n; i++) {
		const char *path = argv[optind + i];
		weft_diags *d = NULL;
		if (weft_diags_new(&d))
			return WEFT_EXIT_ENV;
		int err = weft_assess_detect(&kinds[i], path, d);
		if (!err && kinds[i] == WEFT_ASSESS_FILE_MODEL) {
			err = weft_assess_model_load(&models[i], path, d);
			char v[64];
			if (!err)
				printf("ok: %s (maturity model %s %s: %zu dimensions, %zu questions)\n", path,
				       models[i]->id, safe(models[i]->version, v, sizeof v), models[i]->n_dims,
				       models[i]->n_questions);
		}
		weft_diags_print(d, stderr, colour);
		if (err && (worst == WEFT_OK || err == WEFT_EINVALID))
			worst = err;
		if (err)
			kinds[i] = WEFT_ASSESS_FILE_UNKNOWN;
		weft_diags_free(d);
	}
	/* pass 2: answers and weights */
	weft_assess_model *fallback = NULL;
	bool fallback_tried = false;
	for (int i = 0; i < n; i++) {
		if (kinds[i] != WEFT_ASSESS_FILE_ANSWERS && kinds[i] != WEFT_ASSESS_FILE_WEIGHTS)
			continue;
		const char *path = argv[optind + i];
		weft_diags *d = NULL;
		if (weft_diags_new(&d))
			return WEFT_EXIT_ENV;
		weft_assess_answers *a = NULL;
		weft_assess_weights *w = NULL;
		int err = WEFT_OK;
		if (kinds[i] == WEFT_ASSESS_FILE_ANSWERS)
			err = weft_assess_answers_load(&a, path, d);
		const weft_assess_model *m = NULL;
		if (!err && !model) {
			for (int k = 0; k < n && !m; k++)
				if (models[k] && (!a || !strcmp(models[k]->id, a->model)))
					m = models[k];
		}
		if (!err && !m) {
			if (!fallback_tried) {
				fallback_tried = true;
				err = weft_cli_assess_load_model(&fallback, model, d);
			}
			m = fallback;
			if (!m && !err)
				err = WEFT_EINVALID; /* the model's own errors were shown for an earlier file */
		}
		if (!err && a && strcmp(a->model_version, m->version) != 0 && !strcmp(a->model, m->id)) {
			/* written for an earlier version: check what the migration makes of it */
			weft_assess_answers *mig = NULL;
			err = weft_assess_answers_migrate(&mig, a, m, d);
			if (!err) {
				weft_assess_answers_free(a);
				a = mig;
			}
		}
		if (!err && a)
			err = weft_assess_answers_check(a, m, true, d);
		if (!err && kinds[i] == WEFT_ASSESS_FILE_WEIGHTS)
			err = weft_assess_weights_load(&w, path, m, d);
		if (!err) {
			if (a) {
				/* questions of dimensions put out of scope are not asked */
				size_t answered = 0, na = 0, asked = 0;
				for (size_t k = 0; k < m->n_questions; k++) {
					const weft_assess_question *q = m->questions[k];
					bool out = false;
					for (size_t j = 0; j < a->n_out_of_scope && !out; j++)
						out = !strcmp(a->out_of_scope[j].dim, m->dims[q->dim].id);
					if (out)
						continue;
					asked++;
					const weft_assess_answer *x = weft_assess_answers_find(a, q->id);
					answered += x && x->status == WEFT_ASSESS_ANSWERED;
					na += x && x->status == WEFT_ASSESS_NA;
				}
				char u[128], v[64], o[64];
				printf("ok: %s (answers for unit '%s' to %s %s: %zu answered, %zu na, %zu not answered",
				       path, safe(a->unit, u, sizeof u), m->id, safe(m->version, v, sizeof v), answered, na,
				       asked - answered - na);
				if (a->n_out_of_scope)
					printf("; %zu dimension%s out of scope", a->n_out_of_scope,
					       a->n_out_of_scope == 1 ? "" : "s");
				printf(")\n");
				if (a->migrated_from)
					printf("  migrated from version %s:\n", safe(a->migrated_from, o, sizeof o));
				for (size_t k = 0; k < a->n_notes; k++)
					printf("    %s\n", a->notes[k]);
				explain_dimensions(a, m);
			} else {
				char v[64];
				printf("ok: %s (weights for %s %s)\n", path, m->id, safe(m->version, v, sizeof v));
			}
		}
		weft_diags_print(d, stderr, colour);
		if (err && (worst == WEFT_OK || err == WEFT_EINVALID))
			worst = err;
		weft_assess_answers_free(a);
		weft_assess_weights_free(w);
		weft_diags_free(d);
	}
	weft_assess_model_free(fallback);
	for (int i = 0; i < n; i++)
		weft_assess_model_free(models[i]);
	free(models);
	free(kinds);
	return worst ? weft_exit_code(worst) : WEFT_EXIT_OK;
}

/* ---- dispatch ------------------------------------------------------------------------- */

const weft_cli_command weft_cli_assess_subs[] = {
	{ .name = "init", .fn = cmd_init, .opts = init_opts,
	  .summary = "write a blank answers file with every question, options as comments" },
	{ .name = "interview", .fn = cmd_interview, .opts = interview_opts, .args = { YAML_FILES },
	  .summary = "answer the questions one by one in the terminal" },
	{ .name = "score", .fn = cmd_score, .opts = score_opts, .args = { YAML_FILES }, .args_repeat = true,
	  .summary = "score answers: levels, gaps, plans (text, json, markdown, html)" },
	{ .name = "diff", .fn = cmd_diff, .opts = diff_opts, .args = { YAML_FILES, YAML_FILES },
	  .summary = "show what moved between two assessments" },
	{ .name = "history", .fn = cmd_history, .opts = history_opts, .args = { YAML_FILES },
	  .summary = "an assessment's trend over the git history of its answers file" },
	{ .name = "evidence", .fn = weft_cmd_assess_evidence, .opts = weft_cli_assess_evidence_opts,
	  .args = { WEFT_HINT_DIRS },
	  .summary = "what a repository's files show for each question, and conflicts with answers" },
	{ .name = "portfolio", .fn = weft_cmd_assess_portfolio, .opts = weft_cli_assess_portfolio_opts,
	  .args = { YAML_FILES }, .args_repeat = true,
	  .summary = "units x dimensions across a portfolio of assessments" },
	{ .name = "validate", .fn = cmd_validate, .opts = validate_opts, .args = { YAML_FILES }, .args_repeat = true,
	  .summary = "check models, answers and weights files (path:line:col)" },
	{ .name = NULL },
};

int weft_cmd_assess(int argc, char **argv)
{
	return weft_cli_dispatch("assess", usage_assess, weft_cli_assess_subs, argc, argv);
}
