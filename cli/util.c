/* util.c - helpers every command file shares: option parsing with
 * did-you-mean, subcommand dispatch, output formats, writing results and
 * printing diagnostics. The only place besides main.c that decides exit codes.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int weft_cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "weft %s: ", cmd);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\nSee 'weft %s --help'.\n", cmd);
	va_end(ap);
	return WEFT_EXIT_USAGE;
}

static void suggest_option(const char *arg, const struct option *longopts)
{
	const char *names[64];
	char buf[64][40];
	size_t n = 0;
	for (; longopts && longopts->name && n < 64; longopts++, n++) {
		snprintf(buf[n], sizeof buf[n], "--%s", longopts->name);
		names[n] = buf[n];
	}
	char word[64];
	snprintf(word, sizeof word, "%s", arg);
	char *eq = strchr(word, '=');
	if (eq)
		*eq = '\0';
	const char *s = weft_suggest(word, names, n);
	if (s)
		fprintf(stderr, "\nDid you mean this?\n\t%s\n", s);
}

int weft_cli_getopt(const char *cmd, int argc, char **argv, const weft_cli_option *opts)
{
	static char **last_argv;
	/* the table as getopt_long takes it; ':' first makes a missing argument
	 * return ':' instead of '?' */
	static struct option longopts[WEFT_CLI_MAX_OPTIONS + 1];
	static char shortopts[2 * WEFT_CLI_MAX_OPTIONS + 2];
	size_t n = 0, k = 0;
	shortopts[k++] = ':';
	for (; opts && opts[n].name; n++) {
		if (n == WEFT_CLI_MAX_OPTIONS) {
			fprintf(stderr, "weft %s: internal error: more than %d options\n", cmd,
				WEFT_CLI_MAX_OPTIONS);
			return '?';
		}
		bool value = opts[n].flags & WEFT_CLI_VALUE;
		longopts[n] = (struct option){ opts[n].name, value ? required_argument : no_argument, NULL,
					       opts[n].val };
		if (opts[n].flags & WEFT_CLI_SHORT) {
			shortopts[k++] = (char)opts[n].val;
			if (value)
				shortopts[k++] = ':';
		}
	}
	longopts[n] = (struct option){ NULL, 0, NULL, 0 };
	shortopts[k] = '\0';
	if (argv != last_argv) {
		last_argv = argv;
		optind = 0; /* GNU: full re-initialisation */
	}
	opterr = 0;
	int c = getopt_long(argc, argv, shortopts, longopts, NULL);
	if (c == '?' || c == ':') {
		const char *bad = argv[optind - 1];
		if (c == ':')
			weft_cli_usage_error(cmd, "option '%s' needs a value", bad);
		else if (optopt && bad[0] == '-' && bad[1] != '-')
			weft_cli_usage_error(cmd, "unknown option '-%c'", optopt);
		else {
			fprintf(stderr, "weft %s: unknown option '%s'\n", cmd, bad);
			suggest_option(bad, longopts);
			fprintf(stderr, "See 'weft %s --help'.\n", cmd);
		}
		last_argv = NULL;
		return '?';
	}
	if (c == -1)
		last_argv = NULL;
	return c;
}

int weft_cli_dispatch(const char *cmd, const char *usage, const weft_cli_command *subs, int argc,
		      char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		FILE *fp = argc < 2 ? stderr : stdout;
		fprintf(fp, "%s\nSubcommands:\n", usage);
		for (size_t i = 0; subs[i].name; i++)
			fprintf(fp, "  %-12s %s\n", subs[i].name, subs[i].summary);
		fprintf(fp, "\nSee 'weft %s <subcommand> --help'.\n", cmd);
		return argc < 2 ? WEFT_EXIT_USAGE : WEFT_EXIT_OK;
	}
	for (size_t i = 0; subs[i].name; i++)
		if (!strcmp(subs[i].name, argv[1]))
			return subs[i].fn(argc - 1, argv + 1);
	const char *names[32];
	size_t k = 0;
	for (; subs[k].name && k < 32; k++)
		names[k] = subs[k].name;
	fprintf(stderr, "weft %s: '%s' is not a subcommand of 'weft %s'.\n", cmd, argv[1], cmd);
	const char *s = weft_suggest(argv[1], names, k);
	if (s)
		fprintf(stderr, "\nDid you mean this?\n\t%s\n", s);
	fprintf(stderr, "See 'weft %s --help'.\n", cmd);
	return WEFT_EXIT_USAGE;
}

int weft_cli_finish(int err, const weft_diags *d)
{
	weft_diags_print(d, stderr, weft_term_colour(stderr));
	return err ? weft_exit_code(err) : WEFT_EXIT_OK;
}

static const char *const format_names[] = { "text", "json", "markdown", "html", "junit", "sarif" };

const char *weft_cli_format_name(weft_cli_format f)
{
	return (unsigned)f < sizeof format_names / sizeof *format_names ? format_names[f] : NULL;
}

int weft_cli_format_parse(weft_cli_format *out, const char *cmd, const char *value,
			  unsigned allowed)
{
	const char *const *names = format_names;
	enum { N_FORMATS = sizeof format_names / sizeof *format_names };
	const char *offered[N_FORMATS];
	size_t n = 0;
	for (size_t i = 0; i < N_FORMATS; i++) {
		if (!(allowed & (1u << i)))
			continue;
		offered[n++] = names[i];
		if (!strcmp(value, names[i]) || (i == WEFT_FMT_MARKDOWN && !strcmp(value, "md"))) {
			*out = (weft_cli_format)i;
			return 0;
		}
	}
	weft_buf list = WEFT_BUF_INIT;
	for (size_t i = 0; i < n; i++)
		weft_buf_printf(&list, "%s%s", i ? ", " : "", offered[i]);
	const char *s = weft_suggest(value, offered, n);
	weft_cli_usage_error(cmd, "unknown format '%s' (one of: %s)%s%s%s", value,
			     list.ptr ? list.ptr : "", s ? "; did you mean '" : "", s ? s : "", s ? "'?" : "");
	weft_buf_free(&list);
	return -1;
}

int weft_cli_write_output(const char *path, const char *data, size_t len, bool force)
{
	weft_diags *d = NULL;
	if (weft_diags_new(&d))
		return WEFT_EXIT_ENV;
	int err = weft_file_write_atomic(path, data, len, force ? WEFT_WRITE_FORCE : 0, d);
	int rc = weft_cli_finish(err, d);
	weft_diags_free(d);
	return rc;
}
