/* test_cli_main.c - the weft binary end to end: help for every command in
 * the table, unknown commands and options with suggestions and exit 2,
 * doctor, version, and the exit-code help topic. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_run.h"
#include "weft_core.h"

static int run(char **out, char **err, const char *args)
{
	return weft_test_run(out, err, NULL, args);
}

Test(cli, help_lists_commands_and_each_help_exits_zero)
{
	char *out, *err;
	cr_assert_eq(run(&out, &err, "--help"), 0);
	const char *p = strstr(out, "Commands:\n");
	cr_assert_not_null(p);
	p += strlen("Commands:\n");
	int n = 0;
	static const char *const expected[] = { "assess", "new", "templates", "bench", "doctor", "help" };
	for (size_t i = 0; i < sizeof expected / sizeof *expected; i++)
		cr_assert(strstr(p, expected[i]), "weft --help lacks %s", expected[i]);
	/* every "  name  summary" line up to the blank line is a command */
	while (p[0] == ' ' && p[1] == ' ') {
		char name[32];
		cr_assert_eq(sscanf(p, " %31s", name), 1);
		char args[64], *o2, *e2;
		snprintf(args, sizeof args, "%s --help", name);
		cr_assert_eq(run(&o2, &e2, args), 0, "weft %s --help", name);
		cr_assert(strstr(o2, "usage"), "weft %s --help prints no usage: %s", name, o2);
		free(o2);
		free(e2);
		snprintf(args, sizeof args, "help %s", name);
		cr_assert_eq(run(&o2, &e2, args), 0, "weft help %s", name);
		free(o2);
		free(e2);
		n++;
		p = strchr(p, '\n') + 1;
	}
	cr_assert_geq(n, 7);
	free(out);
	free(err);
}

Test(cli, unknown_command_suggests_and_exits_2)
{
	char *out, *err;
	cr_assert_eq(run(&out, &err, "asess"), 2);
	cr_assert(strstr(err, "'asess' is not a weft command"));
	cr_assert(strstr(err, "Did you mean this?\n\tassess"));
	free(out);
	free(err);
	cr_assert_eq(run(&out, &err, "frobnicate"), 2);
	cr_assert_null(strstr(err, "Did you mean"));
	free(out);
	free(err);
}

Test(cli, unknown_option_exits_2)
{
	char *out, *err;
	cr_assert_eq(run(&out, &err, "--verison"), 2);
	cr_assert(strstr(err, "--version"));
	free(out);
	free(err);
	cr_assert_eq(run(&out, &err, "doctor --formt json"), 2);
	cr_assert(strstr(err, "unknown option '--formt'"), "%s", err);
	cr_assert(strstr(err, "--format"));
	free(out);
	free(err);
	cr_assert_eq(run(&out, &err, "doctor --format yaml"), 2);
	free(out);
	free(err);
	cr_assert_eq(run(&out, &err, ""), 2, "no command is a usage error");
	free(out);
	free(err);
}

Test(cli, doctor_reports_the_build)
{
	char *out, *err;
	cr_assert_eq(run(&out, &err, "doctor"), 0);
	cr_assert(strstr(out, "libyaml:"));
	cr_assert(strstr(out, "libgit2:"));
	cr_assert(strstr(out, "CUDA"));
#ifdef WEFT_HAVE_CUDA
	cr_assert(strstr(out, "CUDA compiled in"), "%s", out);
#else
	cr_assert(strstr(out, "CUDA not compiled in"), "%s", out);
#endif
	free(out);
	free(err);
	cr_assert_eq(run(&out, &err, "doctor --format json"), 0);
	cr_assert(strstr(out, "\"compiled\":"));
	cr_assert(strstr(out, "\"libcurl\":"));
	free(out);
	free(err);
}

Test(cli, version_and_exit_codes)
{
	char *out, *err;
	cr_assert_eq(run(&out, &err, "--version"), 0);
	cr_assert_eq(strncmp(out, "weft ", 5), 0);
	cr_assert(strstr(out, weft_version()));
	free(out);
	free(err);
	cr_assert_eq(run(&out, &err, "help exit-codes"), 0);
	for (int code = 0; code <= 4; code++) {
		char needle[8];
		snprintf(needle, sizeof needle, "  %d  ", code);
		cr_assert(strstr(out, needle), "exit code %d undocumented", code);
	}
	free(out);
	free(err);
}

/* docs/cli.md quotes each subcommand's --help under "#### weft <words>",
 * and docs/weft.1 carries the same texts: each must be exactly what the
 * binary prints today. */
Test(cli, docs_cli_md_quotes_the_help_as_printed)
{
	weft_diags *d;
	weft_diags_new(&d);
	char *doc;
	cr_assert_eq(weft_file_read(&doc, NULL, WEFT_SOURCE_DIR "/docs/cli.md", 0, d), 0);
	char *man;
	cr_assert_eq(weft_file_read(&man, NULL, WEFT_SOURCE_DIR "/docs/weft.1", 0, d), 0);
	weft_diags_free(d);
	int checked = 0;
	for (const char *p = doc; (p = strstr(p, "\n#### weft ")); p++) {
		const char *words = p + strlen("\n#### weft ");
		size_t wl = strcspn(words, "\n");
		const char *fence = words + wl;
		cr_assert(!strncmp(fence, "\n\n```\n", 6), "a fenced block follows '#### weft %.*s'", (int)wl, words);
		const char *body = fence + 6;
		const char *end = strstr(body, "```");
		cr_assert_not_null(end);
		char args[128];
		snprintf(args, sizeof args, "%.*s --help", (int)wl, words);
		char *out, *err;
		cr_assert_eq(run(&out, &err, args), 0, "weft %s", args);
		cr_assert(strlen(out) == (size_t)(end - body) && !strncmp(out, body, (size_t)(end - body)),
			  "docs/cli.md differs from `weft %s`:\n%s", args, out);
		/* the man page carries the same text, roff-escaped (scripts/gen-man) */
		weft_buf want = WEFT_BUF_INIT;
		weft_buf_printf(&want, ".SS \"weft %.*s\"\n.nf\n", (int)wl, words);
		for (const char *l = out; *l; l++) {
			if ((l == out || l[-1] == '\n') && (*l == '.' || *l == '\''))
				weft_buf_puts(&want, "\\&");
			if (*l == '\\')
				weft_buf_puts(&want, "\\e");
			else
				weft_buf_putc(&want, *l);
		}
		weft_buf_puts(&want, ".fi\n");
		cr_assert_not_null(strstr(man, want.ptr), "docs/weft.1 lacks the usage of `weft %.*s` as printed; "
			       "run scripts/gen-man", (int)wl, words);
		weft_buf_free(&want);
		free(out);
		free(err);
		checked++;
	}
	cr_assert_geq(checked, 11, "found %d quoted usages", checked);
	/* and every subcommand the binary lists has its block (or, for one with
	 * subcommands of its own, blocks for those) */
	static const char *const cmds[] = { "assess", "bench", "templates" };
	for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++) {
		char args[64], *out, *err;
		snprintf(args, sizeof args, "%s --help", cmds[i]);
		cr_assert_eq(run(&out, &err, args), 0, "weft %s", args);
		const char *list = strstr(out, "\nSubcommands:\n");
		cr_assert_not_null(list, "weft %s lists its subcommands", args);
		int n = 0;
		for (const char *l = list + strlen("\nSubcommands:\n"); !strncmp(l, "  ", 2); n++) {
			size_t len = strcspn(l + 2, " \n");
			char head[128];
			snprintf(head, sizeof head, "\n#### weft %s %.*s", cmds[i], (int)len, l + 2);
			const char *at = doc;
			while ((at = strstr(at, head)) && at[strlen(head)] != '\n' && at[strlen(head)] != ' ')
				at++;
			cr_assert_not_null(at, "docs/cli.md has no block for `weft %s %.*s`", cmds[i], (int)len, l + 2);
			l = strchr(l, '\n') + 1;
		}
		cr_assert_geq(n, 2, "weft %s lists %d subcommands", cmds[i], n);
		free(out);
		free(err);
	}
	free(doc);
	free(man);
}
