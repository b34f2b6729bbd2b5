/* cmd_assess_evidence.c - `weft assess evidence`: what a repository's files
 * show for each question, and where an answers file disagrees.
 *
 * Glue only: the rules live in the maturity model, the scan and the reports
 * in assess/evidence*.c. The report is written before --fail-on-conflict is
 * judged, so CI keeps it (SARIF for a code-scanning upload) when it fails.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "weft_assess.h"

#define EVIDENCE_FORMATS \
	(1u << WEFT_FMT_TEXT | 1u << WEFT_FMT_JSON | 1u << WEFT_FMT_MARKDOWN | 1u << WEFT_FMT_SARIF)

static const char usage_evidence[] =
	"usage: weft assess evidence [REPO] [-m MODEL] [--answers FILE]\n"
	"                            [--format text|json|markdown|sarif] [-o FILE] [--force]\n"
	"                            [--fail-on-conflict]\n\n"
	"Look in a repository (default: the current folder) for the evidence the\n"
	"maturity model's rules describe: files, lines, YAML/JSON keys, CI jobs that\n"
	"run a command (also through the scripts and make targets they call), OpenAPI\n"
	"documents and test files. For each question it lists every rule as found\n"
	"(path:line) or not found, and the highest level up to which every level has\n"
	"rules and all were found. Evidence supports an answer; it does not rate one.\n"
	"Symbolic links are not followed; in a git repository what git ignores is left\n"
	"out.\n\n"
	"Options:\n"
	"  --answers FILE      compare with an answers file: a conflict is an answer\n"
	"                      above a level whose evidence was not found (looked for\n"
	"                      only in dimensions where the repository shows some\n"
	"                      evidence), or evidence for a level above the answer,\n"
	"                      an na, or a dimension declared out of scope\n"
	"  --fail-on-conflict  exit 1 when there is a conflict (the report is still\n"
	"                      written)\n"
	"  --format sarif      SARIF 2.1.0 for code-scanning tools: evidence found as\n"
	"                      notes, conflicts as warnings\n\n"
	"Exit codes: 0 ok; 1 a conflict with --fail-on-conflict; 2 usage; 3 invalid\n"
	"input (model, answers, REPO not a folder); 4 I/O error or output file exists\n"
	"(without --force).\n";

const weft_cli_option weft_cli_assess_evidence_opts[] = {
	{ "model", 'm', WEFT_CLI_VALUE | WEFT_CLI_SHORT, YAML_FILES },
	{ "answers", 'a', WEFT_CLI_VALUE | WEFT_CLI_SHORT, YAML_FILES },
	{ "format", 'F', WEFT_CLI_VALUE | WEFT_CLI_SHORT, WEFT_HINT_FORMATS(EVIDENCE_FORMATS) },
	{ "output", 'o', WEFT_CLI_VALUE | WEFT_CLI_SHORT, WEFT_HINT_FILES(NULL) },
	{ "force", 'f', WEFT_CLI_SHORT, WEFT_HINT_NOTHING },
	{ "fail-on-conflict", 'C', 0, WEFT_HINT_NOTHING },
	{ "help", 'h', WEFT_CLI_SHORT, WEFT_HINT_NOTHING },
	{ NULL, 0, 0, WEFT_HINT_NOTHING },
};

static int write_report(weft_buf *b, weft_cli_format fmt, const weft_assess_evidence *e)
{
	char gen[GENERATOR_MAX], at[32];
	snprintf(gen, sizeof gen, "weft %s", weft_version());
	weft_cli_assess_generated_at(at);
	weft_assess_report_opts ro = { .generator = gen, .generated_at = at };
	switch (fmt) {
	case WEFT_FMT_JSON: return weft_assess_evidence_json(b, e, &ro);
	case WEFT_FMT_MARKDOWN: return weft_assess_evidence_markdown(b, e, &ro);
	case WEFT_FMT_SARIF: return weft_assess_evidence_sarif(b, e, &ro);
	default: return weft_assess_evidence_text(b, e, &ro);
	}
}

int weft_cmd_assess_evidence(int argc, char **argv)
{
	const char *cmd = "assess evidence";
	const char *model = NULL, *answers = NULL, *out = NULL;
	weft_cli_format fmt = WEFT_FMT_TEXT;
	bool force = false, fail_on_conflict = false;
	int c;
	while ((c = weft_cli_getopt(cmd, argc, argv, weft_cli_assess_evidence_opts)) != -1) {
		switch (c) {
		case 'm': model = optarg; break;
		case 'a': answers = optarg; break;
		case 'o': out = optarg; break;
		case 'f': force = true; break;
		case 'C': fail_on_conflict = true; break;
		case 'F':
			if (weft_cli_format_parse(&fmt, cmd, optarg, EVIDENCE_FORMATS))
				return WEFT_EXIT_USAGE;
			break;
		case 'h': fputs(usage_evidence, stdout); return WEFT_EXIT_OK;
		default: return WEFT_EXIT_USAGE;
		}
	}
	if (argc - optind > 1)
		return weft_cli_usage_error(cmd, "takes one repository folder (got %d)", argc - optind);
	if (fail_on_conflict && !answers)
		return weft_cli_usage_error(cmd, "--fail-on-conflict needs --answers FILE to compare with");
	const char *repo = optind < argc ? argv[optind] : ".";
	weft_diags *d = NULL;
	if (weft_diags_new(&d))
		return WEFT_EXIT_ENV;
	weft_assess_model *m = NULL;
	weft_assess_answers *a = NULL;
	weft_assess_evidence *e = NULL;
	weft_buf b = WEFT_BUF_INIT;
	int err = weft_cli_assess_load_model(&m, model, d);
	if (!err && answers)
		err = weft_assess_answers_load(&a, answers, d);
	if (!err) {
		weft_assess_evidence_opts eo = { a, 0 };
		err = weft_assess_evidence_scan(&e, repo, m, &eo, d);
	}
	if (!err && write_report(&b, fmt, e)) {
		weft_diags_add(d, WEFT_SEV_ERROR, NULL, 0, 0, NULL, "out of memory while writing the report");
		err = WEFT_ENOMEM;
	}
	int rc = weft_cli_assess_finish(err, d, out, &b, force);
	if (rc == WEFT_EXIT_OK && out && strcmp(out, "-")) {
		fprintf(stderr, "wrote %s: evidence for %zu of %zu questions with rules", out, e->n_found, e->n_qs);
		if (a)
			fprintf(stderr, ", %zu conflict%s", e->n_conflicts, e->n_conflicts == 1 ? "" : "s");
		fputc('\n', stderr);
	}
	if (rc == WEFT_EXIT_OK && fail_on_conflict && e->n_conflicts) {
		fprintf(stderr, "weft assess evidence: %zu conflict%s between the answers and the evidence\n",
			e->n_conflicts, e->n_conflicts == 1 ? "" : "s");
		rc = WEFT_EXIT_GATE;
	}
	weft_buf_free(&b);
	weft_assess_evidence_free(e);
	weft_assess_answers_free(a);
	weft_assess_model_free(m);
	weft_diags_free(d);
	return rc;
}
