/* main.c - the `weft` binary: one command table, one help printer.
 *
 * How to add a command:
 *   1. Write `int weft_cmd_<name>(int argc, char **argv)` in cli/cmd_<name>.c.
 *      argv[0] is the command's name; parse options with weft_cli_getopt,
 *      call the part's library, print results to stdout and diagnostics with
 *      weft_cli_finish, and return a WEFT_EXIT_* code. `<name> --help` must
 *      print the command's usage and return 0.
 *   2. Declare it in cli/cli.h.
 *   3. Add a line to `commands` below (name, function, one-line summary);
 *      help, did-you-mean and the CLI tests pick it up from there.
 *   4. Document it in docs/cli.md and docs/weft.1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct {
	const char *name;
	weft_cmd_fn fn;
	const char *summary;
} commands[] = {
	{ "assess", weft_cmd_assess, "score AI-integration maturity from YAML questionnaires" },
	{ "new", weft_cmd_new, "scaffold an integration project from a pattern template" },
	{ "templates", weft_cmd_templates, "list and show the shipped pattern templates" },
	{ "bench", weft_cmd_bench, "check models and endpoints against latency budgets" },
	{ "doctor", weft_cmd_doctor, "show what this build and machine offer (CUDA, libraries)" },
	{ "version", weft_cmd_version, "print the version" },
	{ "help", weft_cmd_help, "show help for weft, a command, or a topic (exit-codes)" },
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

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
		fprintf(fp, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(fp, "\nHelp topics: weft help exit-codes\n"
		    "Documentation: docs/cli.md, man weft\n");
}

static int find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int unknown_command(const char *name)
{
	const char *names[N_COMMANDS];
	for (size_t i = 0; i < N_COMMANDS; i++)
		names[i] = commands[i].name;
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
	if (!strcmp(argv[1], "exit-codes")) {
		fputs(exit_codes_text, stdout);
		return WEFT_EXIT_OK;
	}
	int i = find_command(argv[1]);
	if (i < 0)
		return unknown_command(argv[1]);
	char *help_argv[] = { (char *)commands[i].name, (char *)"--help", NULL };
	return commands[i].fn(2, help_argv);
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
		static const char *const opts[] = { "--help", "--version" };
		fprintf(stderr, "weft: unknown option '%s'\n", cmd);
		const char *s = weft_suggest(cmd, opts, 2);
		if (s)
			fprintf(stderr, "\nDid you mean this?\n\t%s\n", s);
		return WEFT_EXIT_USAGE;
	}
	int i = find_command(cmd);
	if (i < 0)
		return unknown_command(cmd);
	return commands[i].fn(argc - 1, argv + 1);
}
