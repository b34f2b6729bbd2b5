/* cmd_assess_portfolio.c - `weft assess portfolio`: one view across
 * business units.
 *
 * Glue only, in the style of the other `weft assess` subcommands: parse the
 * options, load the model (and weights), let assess/ find, group and score
 * the units (weft_assess_portfolio_load), write the chosen format to stdout
 * or atomically to -o, diagnostics to stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "weft_assess.h"

#define PORTFOLIO_FORMATS (1u << WEFT_FMT_TEXT | 1u << WEFT_FMT_JSON | 1u << WEFT_FMT_MARKDOWN | 1u << WEFT_FMT_HTML)

static const char usage_portfolio[] =
	"usage: weft assess portfolio FILES|DIR... [-m MODEL] [--weights FILE] [--target LEVEL]\n"
	"                             [--format text|json|markdown|html] [-o FILE] [--force]\n"
	"                             [--top N]\n\n"
	"One view across business units: a table of units x dimensions (level, score,\n"
	"coverage), each unit's overall level and score, the organisation's weakest\n"
	"dimensions (lowest median score) and the gaps most units share.\n\n"
	"Give answers files, or folders: every *.yaml and *.yml answers file in them\n"
	"(not recursive; models and weights files there are skipped with a note).\n"
	"Units are told apart by the answers' `unit`; each unit's latest date counts,\n"
	"and several files on that date (respondents) are rolled up as `weft assess\n"
	"score` rolls them up; earlier files are listed as left out. Answers for an\n"
	"older model version are migrated.\n\n"
	"Options:\n"
	"  --target LEVEL  score every unit at this target (default: one above the\n"
	"                  lowest rated overall level), so their progress compares\n"
	"  --top N         shared gaps listed in text, markdown and html (default 5)\n\n"
	"Exit codes: 0 ok; 2 usage; 3 invalid input (a file that does not parse,\n"
	"path:line:col; answers that do not fit the model; no answers files found);\n"
	"4 a file or folder that cannot be read, or the output file exists (without\n"
	"--force).\n";

const weft_cli_option weft_cli_assess_portfolio_opts[] = {
	{ "model", 'm', WEFT_CLI_VALUE | WEFT_CLI_SHORT, YAML_FILES },
	{ "weights", 'w', WEFT_CLI_VALUE | WEFT_CLI_SHORT, YAML_FILES },
	{ "target", 't', WEFT_CLI_VALUE | WEFT_CLI_SHORT, WEFT_HINT_WORDS_OF(weft_cli_assess_level_words) },
	{ "format", 'F', WEFT_CLI_VALUE | WEFT_CLI_SHORT, WEFT_HINT_FORMATS(PORTFOLIO_FORMATS) },
	{ "output", 'o', WEFT_CLI_VALUE | WEFT_CLI_SHORT, WEFT_HINT_FILES(NULL) },
	{ "force", 'f', WEFT_CLI_SHORT, WEFT_HINT_NOTHING },
	{ "top", 'n', WEFT_CLI_VALUE, WEFT_HINT_NOTHING },
	{ "help", 'h', WEFT_CLI_SHORT, WEFT_HINT_NOTHING },
	{ NULL, 0, 0, WEFT_HINT_NOTHING },
};

static int render(weft_buf *b, weft_cli_format fmt, const weft_assess_portfolio *p,
		  const weft_assess_report_opts *ro)
{
	switch (fmt) {
	case WEFT_FMT_JSON: return weft_assess_portfolio_json(b, p, ro);
	case WEFT_FMT_MARKDOWN: return weft_assess_portfolio_markdown(b, p, ro);
	case WEFT_FMT_HTML: return weft_assess_portfolio_html(b, p, ro);
	default: return weft_assess_portfolio_text(b, p, ro);
	}
}

int weft_cmd_assess_portfolio(int argc, char **argv)
{
	const char *cmd = "assess portfolio";
	const char *model = NULL, *weights = NULL, *out = NULL;
	weft_cli_format fmt = WEFT_FMT_TEXT;
	weft_assess_portfolio_opts po = { { 0, NULL, 0, 0 } };
	long top = 0;
	bool force = false;
	int c;
	while ((c = weft_cli_getopt(cmd, argc, argv, weft_cli_assess_portfolio_opts)) != -1) {
		switch (c) {
		case 'm': model = optarg; break;
		case 'w': weights = optarg; break;
		case 'o': out = optarg; break;
		case 'f': force = true; break;
		case 't':
			if (weft_cli_assess_parse_level(&po.score.target, cmd, "--target", optarg))
				return WEFT_EXIT_USAGE;
			break;
		case 'F':
			if (weft_cli_format_parse(&fmt, cmd, optarg, PORTFOLIO_FORMATS))
				return WEFT_EXIT_USAGE;
			break;
		case 'n':
			if (weft_cli_assess_parse_top(&top, cmd, optarg))
				return WEFT_EXIT_USAGE;
			break;
		case 'h': fputs(usage_portfolio, stdout); return WEFT_EXIT_OK;
		default: return WEFT_EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return weft_cli_usage_error(cmd, "no answers files or folders given (try: weft assess "
						 "portfolio assess/examples)");
	weft_diags *d = NULL;
	if (weft_diags_new(&d))
		return WEFT_EXIT_ENV;
	weft_assess_model *m = NULL;
	weft_assess_weights *w = NULL;
	weft_assess_portfolio *p = NULL;
	weft_buf b = WEFT_BUF_INIT;
	int err = weft_cli_assess_load_model_weights(&m, &w, model, weights, d);
	po.score.weights = w;
	if (!err)
		err = weft_assess_portfolio_load(&p, (const char *const *)argv + optind, (size_t)(argc - optind), m,
						 &po, d);
	if (!err) {
		char gen[GENERATOR_MAX], at[32];
		snprintf(gen, sizeof gen, "weft %s", weft_version());
		weft_cli_assess_generated_at(at);
		weft_assess_report_opts ro = { .top_gaps = (size_t)top, .generator = gen, .generated_at = at };
		if ((err = render(&b, fmt, p, &ro)))
			weft_diags_add(d, WEFT_SEV_ERROR, NULL, 0, 0, NULL, "out of memory while writing the portfolio");
	}
	int rc = weft_cli_assess_finish(err, d, out, &b, force);
	weft_buf_free(&b);
	weft_assess_portfolio_free(p);
	weft_assess_weights_free(w);
	weft_assess_model_free(m);
	weft_diags_free(d);
	return rc;
}
