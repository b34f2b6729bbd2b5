/* cmd_update.c - `weft update`: a project made by weft new, brought to a
 * new version of its template. Glue only: the merge is the templates
 * library's (weft_templates_update_run); this file reads the options,
 * prints the report and maps clashes to exit 1. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "weft_templates.h"

static const char update_usage[] =
	"usage: weft update [DEST] [options]\n"
	"\n"
	"Bring the project in DEST (default: the current folder), made by weft new, to\n"
	"a new version of its template: the latest shipped pattern, or a git template\n"
	"at --ref. Each file is merged three ways, from the template version the project\n"
	"was made from (kept in refs/weft/base by weft new) to the new one, into your\n"
	"files: your changes and the template's both land; where both changed the same\n"
	"lines, the file gets conflict markers (or, with --conflict rej, keeps yours and\n"
	"the template's side goes in FILE.rej). Files you added are never touched;\n"
	"variables the template renamed and files it moved (its migrations) carry over.\n"
	"\n"
	"Options:\n"
	"  --ref REF         tag, branch or commit of a git template (default: its\n"
	"                    default branch, or a local repository's work tree)\n"
	"  --set NAME=VALUE  a new or changed value (repeatable)\n"
	"  --answers FILE    values from this file instead of DEST/.weft-answers.yaml\n"
	"  --no-input        never ask; new variables take their defaults\n"
	"  --dry-run         say what would happen to each file; write nothing\n"
	"  --conflict STYLE  inline (default: conflict markers) or rej\n"
	"  --force           run even though DEST has uncommitted changes\n"
	"  --format FMT      text (default) or json\n"
	"  -h, --help        show this help\n"
	"\n"
	"Exit codes: 0 updated (or nothing to do), 1 updated with conflicts to resolve\n"
	"(the files are named), 2 usage, 3 no answers file, no template base, or a\n"
	"broken template, 4 uncommitted changes (without --force), a file in the way,\n"
	"an I/O or git failure. On an error DEST is left as it was.\n";

static const char *const conflict_styles[] = { "inline", "rej", NULL };

static size_t conflict_words(const char **out, size_t max)
{
	size_t n = 0;
	while (conflict_styles[n] && n < max) {
		out[n] = conflict_styles[n];
		n++;
	}
	return n;
}

const weft_cli_option weft_cli_update_opts[] = {
	{ "ref", 'r', WEFT_CLI_VALUE, WEFT_HINT_NOTHING },
	{ "set", 's', WEFT_CLI_VALUE | WEFT_CLI_MANY, WEFT_HINT_NOTHING },
	{ "answers", 'a', WEFT_CLI_VALUE, WEFT_HINT_FILES("yaml yml") },
	{ "no-input", 'I', 0, WEFT_HINT_NOTHING },
	{ "dry-run", 'n', 0, WEFT_HINT_NOTHING },
	{ "conflict", 'C', WEFT_CLI_VALUE, WEFT_HINT_WORDS_OF(conflict_words) },
	{ "force", 'f', 0, WEFT_HINT_NOTHING },
	{ "format", 'F', WEFT_CLI_VALUE, WEFT_HINT_FORMATS(WEFT_CLI_TEXT_JSON) },
	{ "help", 'h', WEFT_CLI_SHORT, WEFT_HINT_NOTHING },
	{ NULL, 0, 0, WEFT_HINT_NOTHING },
};

int weft_cmd_update(int argc, char **argv)
{
	const char **sets = calloc((size_t)argc + 1, sizeof *sets);
	if (!sets)
		return WEFT_EXIT_ENV;
	weft_templates_update_opts o = { .sets = sets };
	size_t n_sets = 0;
	const char *answers_path = NULL;
	bool no_input = false;
	weft_cli_format fmt = WEFT_FMT_TEXT;
	int c, rc = WEFT_EXIT_OK;
	while (!rc && (c = weft_cli_getopt("update", argc, argv, weft_cli_update_opts)) != -1) {
		switch (c) {
		case 'r': o.ref = optarg; break;
		case 's':
			if (!strchr(optarg, '=') || optarg[0] == '=')
				rc = weft_cli_usage_error("update", "--set takes NAME=VALUE, got '%s'", optarg);
			else
				sets[n_sets++] = optarg;
			break;
		case 'a': answers_path = optarg; break;
		case 'I': no_input = true; break;
		case 'n': o.dry_run = true; break;
		case 'f': o.force = true; break;
		case 'C':
			if (!strcmp(optarg, "inline"))
				o.conflict = WEFT_TEMPLATES_CONFLICT_INLINE;
			else if (!strcmp(optarg, "rej"))
				o.conflict = WEFT_TEMPLATES_CONFLICT_REJ;
			else
				rc = weft_cli_usage_error("update", "--conflict takes inline or rej, got '%s'", optarg);
			break;
		case 'F':
			if (weft_cli_format_parse(&fmt, "update", optarg, WEFT_CLI_TEXT_JSON))
				rc = WEFT_EXIT_USAGE;
			break;
		case 'h':
			fputs(update_usage, stdout);
			free(sets);
			return WEFT_EXIT_OK;
		default:
			rc = WEFT_EXIT_USAGE;
		}
	}
	if (!rc && argc - optind > 1)
		rc = weft_cli_usage_error("update", "too many arguments; expected at most DEST");
	if (rc) {
		free(sets);
		return rc;
	}
	o.n_sets = n_sets;
	const char *dest = optind < argc ? argv[optind] : ".";
	weft_diags *d = NULL;
	if (weft_diags_new(&d)) {
		free(sets);
		return WEFT_EXIT_ENV;
	}
	weft_templates_answers *answers = NULL;
	weft_templates_update *u = NULL;
	int err = answers_path ? weft_templates_answers_load(&answers, answers_path, d) : WEFT_OK;
	o.answers = answers;
	if (!no_input && isatty(STDIN_FILENO))
		o.ask = weft_cli_templates_ask;
	if (!err)
		err = weft_templates_update_run(&u, dest, &o, d);
	rc = weft_cli_finish(err, d);
	if (!err) {
		weft_buf out = WEFT_BUF_INIT;
		if (weft_templates_update_render(&out, u, fmt == WEFT_FMT_JSON ? WEFT_TEMPLATES_FORMAT_JSON
									     : WEFT_TEMPLATES_FORMAT_TEXT) ||
		    out.oom) {
			fprintf(stderr, "weft: out of memory\n");
			rc = WEFT_EXIT_ENV;
		} else {
			fwrite(out.ptr, 1, out.len, stdout);
			if (weft_templates_update_conflicts(u)) {
				fprintf(stderr, "weft update: %zu file%s with conflicts:", weft_templates_update_conflicts(u),
					weft_templates_update_conflicts(u) == 1 ? "" : "s");
				for (size_t i = 0; i < weft_templates_update_count(u); i++) {
					weft_templates_update_file f;
					if (!weft_templates_update_file_at(&f, u, i) && f.status == WEFT_TEMPLATES_UPD_CONFLICT)
						fprintf(stderr, " %s", f.path);
				}
				fprintf(stderr, "\n");
				rc = WEFT_EXIT_GATE;
			}
		}
		weft_buf_free(&out);
	}
	weft_templates_update_free(u);
	weft_templates_answers_free(answers);
	weft_diags_free(d);
	free(sets);
	return rc;
}
