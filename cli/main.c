/* main.c - the `weft` binary: one command table, one help printer.
 *
 * How to add a command:
 *   1. Write `int weft_cmd_<name>(int argc, char **argv)` in cli/cmd_<name>.c.
 *      argv[0] is the command's name; parse options with weft_cli_getopt,
 *      call the part's library, print results to stdout and diagnostics with
 *      weft_cli_finish, and return a WEFT_EXIT_* code. `<name> --help` must
 *      print the command's usage and return 0.
 *   2. Declare it in cli/cli.h.
 *   3. Add a line to `weft_cli_commands` below: name, function, one-line
 *      summary, its options (a weft_cli_option table, the one the command
 *      parses with), what its positional arguments are, and its subcommand
 *      table if it has one. Help, did-you-mean, `weft completion` and the CLI
 *      tests pick it up from there.
 *   4. Document it in docs/cli.md and docs/weft.1 (scripts/gen-man).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static size_t help_words(const char **out, size_t max);

const weft_cli_command weft_cli_commands[] = {
	{ .name = "assess", .fn = weft_cmd_assess, .subs = weft_cli_assess_subs,
	  .summary = "score AI-integration maturity from YAML questionnaires" },
	{ .name = "new", .fn = weft_cmd_new, .opts = weft_cli_new_opts, .args = { WEFT_HINT_TEMPLATES, WEFT_HINT_DIRS },
	  .summary = "scaffold an integration project from a pattern template" },
	{ .name = "update", .fn = weft_cmd_update, .opts = weft_cli_update_opts, .args = { WEFT_HINT_DIRS },
	  .summary = "bring a project to a new template version by 3-way merge" },
	{ .name = "templates", .fn = weft_cmd_templates, .subs = weft_cli_templates_subs,
	  .summary = "list and show the shipped pattern templates" },
	{ .name = "bench", .fn = weft_cmd_bench, .subs = weft_cli_bench_subs,
	  .summary = "check models and endpoints against latency budgets" },
	{ .name = "doctor", .fn = weft_cmd_doctor, .opts = weft_cli_doctor_opts,
	  .summary = "show what this build and machine offer (CUDA, libraries)" },
	{ .name = "completion", .fn = weft_cmd_completion, .opts = weft_cli_completion_opts,
	  .args = { WEFT_HINT_WORDS_OF(weft_cli_completion_shells) },
	  .summary = "print the bash, zsh or fish completion script" },
	{ .name = "version", .fn = weft_cmd_version, .summary = "print the version" },
	{ .name = "help", .fn = weft_cmd_help, .args = { WEFT_HINT_WORDS_OF(help_words) },
	  .summary = "show help for weft, a command, or a topic (exit-codes)" },
	{ .name = NULL },
};
#define N_COMMANDS (sizeof weft_cli_commands / sizeof weft_cli_commands[0] - 1)

/* weft's own options, parsed by main() below. */
static const weft_cli_option top_opts[] = {
	{ "help", 'h', WEFT_CLI_SHORT, WEFT_HINT_NOTHING },
	{ "version", 'V', WEFT_CLI_SHORT, WEFT_HINT_NOTHING },
	{ NULL, 0, 0, WEFT_HINT_NOTHING },
};

const weft_cli_command weft_cli_root = { .name = "weft", .opts = top_opts, .subs = weft_cli_commands,
					 .summary = "ties AI models to the systems where business decisions are made" };

/* The help topics: every command, and exit-codes. */
static const char *const topics[] = { "exit-codes" };

static size_t help_words(const char **out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < N_COMMANDS && n < max; i++)
		out[n++] = weft_cli_commands[i].name;
	for (size_t i = 0; i < sizeof topics / sizeof *topics && n < max; i++)
		out[n++] = topics[i];
	return n;
}

static const char exit_codes_text[] =
	"Exit codes of weft:\n"
	"  0  success\n"
	"  1  a gate failed: maturity below --fail-below, a latency or error budget broken\n"
	"  2  usage error: unknown command or option, missing or bad argument\n"
	"  3  invalid input: malformed YAML, unknown id, wrong type, bad model file\n"
	"  4  environment: I/O error, file exists (without --force), missing device when\n"
	"     one was demanded, out of memory\n";

static void print_usage(FILE *fp)
{
	fprintf(fp, "usage: weft <command> [<args>]\n"
		    "       weft <command> --help\n"
		    "       weft --version\n\n"
		    "weft ties AI models to the systems where business decisions are made.\n\n"
		    "Commands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(fp, "  %-11s %s\n", weft_cli_commands[i].name, weft_cli_commands[i].summary);
	fprintf(fp, "\nHelp topics: weft help exit-codes\n"
		    "Documentation: docs/cli.md, man weft\n");
}

static int find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(weft_cli_commands[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int unknown_command(const char *name)
{
	const char *names[N_COMMANDS];
	for (size_t i = 0; i < N_COMMANDS; i++)
		names[i] = weft_cli_commands[i].name;
	fprintf(stderr, "weft: '%s' is not a weft command. See 'weft help'.\n", name);
	const char *s = weft_suggest(name, names, N_COMMANDS);
	if (s)
		fprintf(stderr, "\nDid you mean this?\n\t%s\n", s);
	return WEFT_EXIT_USAGE;
}

int weft_cmd_help(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		print_usage(stdout);
		return WEFT_EXIT_OK;
	}
	if (!strcmp(argv[1], topics[0])) {
		fputs(exit_codes_text, stdout);
		return WEFT_EXIT_OK;
	}
	int i = find_command(argv[1]);
	if (i < 0)
		return unknown_command(argv[1]);
	char *help_argv[] = { (char *)weft_cli_commands[i].name, (char *)"--help", NULL };
	return weft_cli_commands[i].fn(2, help_argv);
}

int weft_cmd_version(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: weft version\n\nPrint weft's version and, for builds from a git "
		       "checkout, `git describe`.\n");
		return WEFT_EXIT_OK;
	}
	if (argc > 1)
		return weft_cli_usage_error("version", "unexpected argument '%s'", argv[1]);
	printf("weft %s\n", weft_version_long());
	return WEFT_EXIT_OK;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		print_usage(stderr);
		return WEFT_EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		print_usage(stdout);
		return WEFT_EXIT_OK;
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V"))
		return weft_cmd_version(1, argv + 1);
	if (cmd[0] == '-') {
		char spelled[4][16];
		const char *opts[4];
		size_t n = 0;
		for (; top_opts[n].name && n < 4; n++) {
			snprintf(spelled[n], sizeof spelled[n], "--%s", top_opts[n].name);
			opts[n] = spelled[n];
		}
		fprintf(stderr, "weft: unknown option '%s'\n", cmd);
		const char *s = weft_suggest(cmd, opts, n);
		if (s)
			fprintf(stderr, "\nDid you mean this?\n\t%s\n", s);
		return WEFT_EXIT_USAGE;
	}
	int i = find_command(cmd);
	if (i < 0)
		return unknown_command(cmd);
	return weft_cli_commands[i].fn(argc - 1, argv + 1);
}
