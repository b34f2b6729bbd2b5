/* cmd_new.c - `weft new` and `weft templates list|show`.
 *
 * Glue only: options in, templates library calls, results out. The one
 * piece of UI that lives here is the question loop for interactive runs
 * (stdin a terminal): the library decides what to ask and validates the
 * answers; this file shows the question on stderr and reads a line.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "weft_templates.h"

static const char new_usage[] =
	"usage: weft new PATTERN|PATH|URL DEST [options]\n"
	"\n"
	"Create a project in DEST from a template: a shipped pattern (weft templates\n"
	"list), a template folder, or a git repository (URL or local path) at --ref.\n"
	"\n"
	"Options:\n"
	"  --set NAME=VALUE  a variable's value (repeatable; a list is a,b,c)\n"
	"  --answers FILE    values from an answers file, such as the .weft-answers.yaml\n"
	"                    of an earlier run (which also pins the template's commit\n"
	"                    and warns about what changed in the template since)\n"
	"  --ref REF         tag, branch or commit of a git template\n"
	"  --subdir DIR      the template is this folder of the repository or folder\n"
	"  --allow-dirty     use a local git template with uncommitted changes\n"
	"  --no-input        never ask; take defaults for what was not given\n"
	"  --no-git          do not create a git repository\n"
	"  --force           write into a non-empty DEST (only the template's files)\n"
	"  --dry-run         list the files that would be written; write nothing\n"
	"  --format FMT      text (default) or json\n"
	"  -h, --help        show this help\n"
	"\n"
	"Values come from --set, then --answers, then questions when stdin is a\n"
	"terminal, then the template's defaults. A required value that nothing gives\n"
	"is a usage error (exit 2); a broken template is exit 3; an existing DEST, an\n"
	"I/O or git failure is exit 4. On failure DEST is left as it was.\n";

static const char templates_usage[] =
	"usage: weft templates list [--format text|json | --names]\n"
	"       weft templates show NAME|PATH [--format text|json]\n"
	"\n"
	"The pattern templates weft ships, and one template's description and variables.";

static const char list_usage[] =
	"usage: weft templates list [--format text|json | --names]\n"
	"\n"
	"The pattern templates weft ships: name, version and summary of each, as a\n"
	"table or as JSON (with the template's folder). --names prints only the names,\n"
	"one a line, for scripts and shell completion.";

static const char show_usage[] =
	"usage: weft templates show NAME|PATH [--format text|json]\n"
	"\n"
	"One template's name, version, description, variables (type, default, help,\n"
	"choices, constraints; secret ones marked, their defaults hidden) and the rules\n"
	"checked across variables: a shipped pattern by NAME, or a template folder.";

/* ---- questions ---------------------------------------------------------------- */

/* A secret's answer is typed with the terminal's echo off. The settings it
 * had are kept here and put back on every way out: after the line is read,
 * at exit() (atexit), and on a signal (the handler puts them back, lets the
 * signal's own action run, and turns echo off again if the process goes on,
 * as after Ctrl-Z and fg). */
static struct termios tty_saved;
static volatile sig_atomic_t tty_hidden_fd = -1; /* >= 0 while echo is off */
static const int tty_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU };
static struct sigaction tty_old[sizeof tty_signals / sizeof tty_signals[0]];
static bool tty_installed[sizeof tty_signals / sizeof tty_signals[0]];

static void tty_echo_on_signal(int sig)
{
	int saved_errno = errno;
	size_t i = 0;
	while (i < sizeof tty_signals / sizeof tty_signals[0] && tty_signals[i] != sig)
		i++;
	int fd = tty_hidden_fd;
	if (fd >= 0)
		tcsetattr(fd, TCSANOW, &tty_saved);
	if (i < sizeof tty_signals / sizeof tty_signals[0]) {
		struct sigaction mine;
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, sig);
		sigaction(sig, &tty_old[i], &mine);
		raise(sig);
		sigprocmask(SIG_UNBLOCK, &set, NULL); /* the signal's own action, now */
		sigprocmask(SIG_BLOCK, &set, NULL);
		sigaction(sig, &mine, NULL);
		if (fd >= 0) { /* still running (continued, or a handler returned) */
			struct termios t = tty_saved;
			t.c_lflag &= (tcflag_t) ~(ECHO | ECHONL);
			tcsetattr(fd, TCSANOW, &t);
		}
	}
	errno = saved_errno;
}

static void tty_echo_restore(void)
{
	int fd = tty_hidden_fd;
	if (fd < 0)
		return;
	tcsetattr(fd, TCSANOW, &tty_saved);
	tty_hidden_fd = -1;
	for (size_t i = 0; i < sizeof tty_signals / sizeof tty_signals[0]; i++)
		if (tty_installed[i]) {
			sigaction(tty_signals[i], &tty_old[i], NULL);
			tty_installed[i] = false;
		}
}

/* Turn echo off on fd for a secret; 0, or -1 (errno) when fd's settings
 * cannot be changed. tty_echo_restore() undoes it. */
static int tty_echo_off(int fd)
{
	static bool at_exit;
	if (tcgetattr(fd, &tty_saved) != 0)
		return -1;
	if (!at_exit && atexit(tty_echo_restore) == 0)
		at_exit = true;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = tty_echo_on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof tty_signals / sizeof tty_signals[0]; i++)
		sigaddset(&sa.sa_mask, tty_signals[i]);
	for (size_t i = 0; i < sizeof tty_signals / sizeof tty_signals[0]; i++) {
		tty_installed[i] = false;
		if (sigaction(tty_signals[i], NULL, &tty_old[i]) == 0 && tty_old[i].sa_handler != SIG_IGN)
			tty_installed[i] = sigaction(tty_signals[i], &sa, NULL) == 0;
	}
	tty_hidden_fd = fd;
	struct termios t = tty_saved;
	t.c_lflag &= (tcflag_t) ~(ECHO | ECHONL);
	if (tcsetattr(fd, TCSANOW, &t) != 0) {
		int e = errno;
		tty_echo_restore();
		errno = e;
		return -1;
	}
	return 0;
}

int weft_cli_templates_ask(void *ctx, const weft_templates_var *v, const char *def, const char *problem,
			   char **answer)
{
	(void)ctx;
	bool colour = weft_term_colour(stderr);
	/* echo off before the question shows, so nothing typed after it is echoed */
	if (v->secret && tty_echo_off(STDIN_FILENO) != 0) {
		fprintf(stderr, "weft new: cannot turn off the terminal's echo to ask for '%s' (%s); "
				"pass it with --set %s=...\n", v->name, strerror(errno), v->name);
		return WEFT_EENV;
	}
	if (problem) {
		fprintf(stderr, "  %s%s%s\n", weft_term_sgr(colour, WEFT_SGR_RED), problem,
			weft_term_sgr(colour, WEFT_SGR_RESET));
	} else if (v->help) {
		fprintf(stderr, "%s%s%s\n", weft_term_sgr(colour, WEFT_SGR_DIM), v->help,
			weft_term_sgr(colour, WEFT_SGR_RESET));
	}
	fprintf(stderr, "%s%s%s", weft_term_sgr(colour, WEFT_SGR_BOLD), v->name,
		weft_term_sgr(colour, WEFT_SGR_RESET));
	switch (v->type) {
	case WEFT_TEMPLATES_BOOL:
		fprintf(stderr, " (y/n)");
		break;
	case WEFT_TEMPLATES_INT:
		if (v->has_min && v->has_max)
			fprintf(stderr, " (%lld..%lld)", v->min, v->max);
		else if (v->has_min)
			fprintf(stderr, " (>= %lld)", v->min);
		else if (v->has_max)
			fprintf(stderr, " (<= %lld)", v->max);
		break;
	case WEFT_TEMPLATES_CHOICE:
	case WEFT_TEMPLATES_LIST:
		fprintf(stderr, " (%s", v->type == WEFT_TEMPLATES_LIST ? "comma-separated" : "");
		for (size_t i = 0; i < v->n_choices; i++)
			fprintf(stderr, "%s%s", i ? "/" : (v->type == WEFT_TEMPLATES_LIST ? ": " : ""),
				v->choices[i]);
		fprintf(stderr, ")");
		break;
	case WEFT_TEMPLATES_STRING:
		break;
	}
	if (v->secret) /* a secret's default is never shown */
		fprintf(stderr, def ? " (hidden; Enter keeps the default)" : " (hidden)");
	else if (def)
		fprintf(stderr, " [%s]", def);
	fprintf(stderr, ": ");
	fflush(stderr);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, stdin);
	if (v->secret) {
		tty_echo_restore();
		fprintf(stderr, "\n"); /* the Enter that was not echoed */
	}
	if (n < 0) {
		free(line);
		if (!v->secret)
			fprintf(stderr, "\n");
		return WEFT_EUSAGE;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	*answer = line;
	return WEFT_OK;
}

/* ---- output ------------------------------------------------------------------- */

static weft_templates_format tformat(weft_cli_format f)
{
	return f == WEFT_FMT_JSON ? WEFT_TEMPLATES_FORMAT_JSON : WEFT_TEMPLATES_FORMAT_TEXT;
}

/* Write a report the templates library rendered (err: its result) to
 * stdout and free it; the exit code. */
static int put_report(int err, weft_buf *b)
{
	int rc = WEFT_EXIT_OK;
	if (err || b->oom) {
		fprintf(stderr, "weft: out of memory\n");
		rc = WEFT_EXIT_ENV;
	} else if (b->len) {
		fwrite(b->ptr, 1, b->len, stdout);
	}
	weft_buf_free(b);
	return rc;
}

/* ---- weft new -------------------------------------------------------------------- */

const weft_cli_option weft_cli_new_opts[] = {
	{ "set", 's', WEFT_CLI_VALUE | WEFT_CLI_MANY, WEFT_HINT_NOTHING },
	{ "answers", 'a', WEFT_CLI_VALUE, WEFT_HINT_FILES("yaml yml") },
	{ "ref", 'r', WEFT_CLI_VALUE, WEFT_HINT_NOTHING },
	{ "subdir", 'S', WEFT_CLI_VALUE, WEFT_HINT_NOTHING },
	{ "allow-dirty", 'D', 0, WEFT_HINT_NOTHING },
	{ "no-input", 'I', 0, WEFT_HINT_NOTHING },
	{ "no-git", 'G', 0, WEFT_HINT_NOTHING },
	{ "force", 'f', 0, WEFT_HINT_NOTHING },
	{ "dry-run", 'n', 0, WEFT_HINT_NOTHING },
	{ "format", 'F', WEFT_CLI_VALUE, WEFT_HINT_FORMATS(WEFT_CLI_TEXT_JSON) },
	{ "help", 'h', WEFT_CLI_SHORT, WEFT_HINT_NOTHING },
	{ NULL, 0, 0, WEFT_HINT_NOTHING },
};

int weft_cmd_new(int argc, char **argv)
{
	const char **sets = calloc((size_t)argc + 1, sizeof *sets);
	if (!sets)
		return WEFT_EXIT_ENV;
	size_t n_sets = 0;
	const char *answers_path = NULL, *ref = NULL, *subdir = NULL;
	bool no_input = false, git = true, force = false, dry_run = false, allow_dirty = false;
	weft_cli_format fmt = WEFT_FMT_TEXT;
	int c;
	while ((c = weft_cli_getopt("new", argc, argv, weft_cli_new_opts)) != -1) {
		switch (c) {
		case 's':
			if (!strchr(optarg, '=') || optarg[0] == '=') {
				free(sets);
				return weft_cli_usage_error("new", "--set takes NAME=VALUE, got '%s'", optarg);
			}
			sets[n_sets++] = optarg;
			break;
		case 'a': answers_path = optarg; break;
		case 'r': ref = optarg; break;
		case 'S': subdir = optarg; break;
		case 'D': allow_dirty = true; break;
		case 'I': no_input = true; break;
		case 'G': git = false; break;
		case 'f': force = true; break;
		case 'n': dry_run = true; break;
		case 'F':
			if (weft_cli_format_parse(&fmt, "new", optarg, WEFT_CLI_TEXT_JSON)) {
				free(sets);
				return WEFT_EXIT_USAGE;
			}
			break;
		case 'h':
			fputs(new_usage, stdout);
			free(sets);
			return WEFT_EXIT_OK;
		default:
			free(sets);
			return WEFT_EXIT_USAGE;
		}
	}
	if (argc - optind != 2) {
		free(sets);
		return weft_cli_usage_error("new", "%s",
					    argc - optind < 2 ? "needs a template and a destination folder"
							      : "too many arguments; expected TEMPLATE DEST");
	}
	const char *spec = argv[optind], *dest = argv[optind + 1];

	weft_diags *d = NULL;
	if (weft_diags_new(&d)) {
		free(sets);
		return WEFT_EXIT_ENV;
	}
	weft_templates_answers *answers = NULL;
	weft_templates_source *src = NULL;
	weft_templates_manifest *m = NULL;
	weft_templates_plan *plan = NULL;
	cJSON *values = NULL;
	int err = WEFT_OK;
	if (answers_path)
		err = weft_templates_answers_load(&answers, answers_path, d);
	if (!err) {
		weft_templates_source_opts so = {
			.spec = spec,
			.ref = ref,
			.pin = weft_templates_answers_field(answers, "commit"),
			.pin_ref = weft_templates_answers_field(answers, "ref"),
			.subdir = subdir ? subdir : weft_templates_answers_field(answers, "subdir"),
			.allow_dirty = allow_dirty,
		};
		err = weft_templates_source_open(&src, &so, d);
	}
	if (!err)
		err = weft_templates_manifest_load(&m, weft_templates_source_dir(src), d);
	if (!err && answers) {
		/* a replay: say what differs from the template the answers came from */
		char digest[72];
		if (!(err = weft_templates_digest(digest, m, d)))
			weft_templates_answers_compare(answers, m, digest, weft_templates_source_commit(src), d);
	}
	if (!err) {
		bool interactive = !no_input && isatty(STDIN_FILENO);
		weft_templates_values_opts vo = {
			.sets = sets,
			.n_sets = n_sets,
			.answers = answers,
			.ask = interactive ? weft_cli_templates_ask : NULL,
		};
		if (interactive) {
			weft_diags_print(d, stderr, weft_term_colour(stderr));
			weft_diags_clear(d);
		}
		err = weft_templates_values_resolve(&values, m, &vo, d);
	}
	if (!err)
		err = weft_templates_plan_new(&plan, m, src, values, d);
	weft_templates_write_result res = { 0 };
	if (!err && dry_run) {
		/* everything but the writes: the destination is checked as the real run does */
		weft_templates_write_opts wo = { .force = force, .git = git };
		err = weft_templates_plan_check_dest(plan, dest, &wo, d);
		/* with --force: which existing files it would replace */
		wo.dry_run = true;
		if (!err && force)
			err = weft_templates_plan_write(plan, dest, &wo, &res, d);
	}
	if (!err && !dry_run) {
		weft_templates_write_opts wo = { .force = force, .git = git };
		err = weft_templates_plan_write(plan, dest, &wo, &res, d);
		if (!err && res.identity_fallback)
			weft_diags_add(d, WEFT_SEV_NOTE, NULL, 0, 0,
				       "set one with: git config --global user.name 'Your Name'; "
				       "git config --global user.email you@example.com",
				       "no git identity configured; the first commit is by %s", res.author);
		if (!err && res.git_skipped)
			weft_diags_add(d, WEFT_SEV_NOTE, dest, 0, 0, NULL,
				       "already a git repository: files written, nothing committed");
	}
	int rc = weft_cli_finish(err, d);
	if (!err) {
		weft_templates_new_report r = {
			.dest = dest, .dry_run = dry_run, .m = m, .src = src,
			.values = values, .plan = plan, .res = &res,
		};
		weft_buf out = WEFT_BUF_INIT;
		rc = put_report(weft_templates_new_render(&out, &r, tformat(fmt)), &out);
	}
	weft_templates_write_result_free(&res);
	weft_templates_plan_free(plan);
	cJSON_Delete(values);
	weft_templates_manifest_free(m);
	weft_templates_source_free(src);
	weft_templates_answers_free(answers);
	weft_diags_free(d);
	free(sets);
	return rc;
}

/* ---- weft templates ------------------------------------------------------------ */

static const weft_cli_option list_opts[] = {
	{ "format", 'F', WEFT_CLI_VALUE, WEFT_HINT_FORMATS(WEFT_CLI_TEXT_JSON) },
	{ "names", 'N', 0, WEFT_HINT_NOTHING },
	{ "help", 'h', WEFT_CLI_SHORT, WEFT_HINT_NOTHING },
	{ NULL, 0, 0, WEFT_HINT_NOTHING },
};

static const weft_cli_option show_opts[] = {
	{ "format", 'F', WEFT_CLI_VALUE, WEFT_HINT_FORMATS(WEFT_CLI_TEXT_JSON) },
	{ "help", 'h', WEFT_CLI_SHORT, WEFT_HINT_NOTHING },
	{ NULL, 0, 0, WEFT_HINT_NOTHING },
};

/* The options of list and show: --format, --help and (list only) --names.
 * Returns -1 after printing the help, else 0 or the exit code. */
static int parse_list_show(const char *cmd, int argc, char **argv, const weft_cli_option *opts,
			   const char *usage, weft_cli_format *fmt, bool *names)
{
	int c;
	while ((c = weft_cli_getopt(cmd, argc, argv, opts)) != -1) {
		if (c == 'F') {
			if (weft_cli_format_parse(fmt, cmd, optarg, WEFT_CLI_TEXT_JSON))
				return WEFT_EXIT_USAGE;
		} else if (c == 'N' && names) {
			*names = true;
		} else if (c == 'h') {
			printf("%s\n", usage);
			return -1;
		} else {
			return WEFT_EXIT_USAGE;
		}
	}
	return WEFT_EXIT_OK;
}

static int cmd_list(int argc, char **argv)
{
	weft_cli_format fmt = WEFT_FMT_TEXT;
	bool only_names = false;
	int rc = parse_list_show("templates list", argc, argv, list_opts, list_usage, &fmt, &only_names);
	if (rc)
		return rc < 0 ? WEFT_EXIT_OK : rc;
	if (optind < argc)
		return weft_cli_usage_error("templates list", "takes no arguments");
	if (only_names && fmt != WEFT_FMT_TEXT)
		return weft_cli_usage_error("templates list", "--names prints plain names; it does not take --format");
	weft_diags *d = NULL;
	if (weft_diags_new(&d))
		return WEFT_EXIT_ENV;
	char **names = NULL;
	size_t n = 0;
	int err = weft_templates_shipped_list(&names, &n, NULL, d);
	int bad = WEFT_OK;
	weft_templates_manifest **ms = err ? NULL : calloc(n ? n : 1, sizeof *ms);
	if (!err && !ms)
		err = WEFT_ENOMEM;
	for (size_t i = 0; !err && i < n; i++) {
		weft_buf dir = WEFT_BUF_INIT;
		weft_buf_printf(&dir, "%s/templates/patterns/%s", weft_data_dir(), names[i]);
		if (weft_templates_manifest_load(&ms[i], dir.ptr, d))
			bad = WEFT_EINVALID;
		weft_buf_free(&dir);
	}
	if (!err && !n && fmt == WEFT_FMT_TEXT && !only_names)
		fprintf(stderr, "No pattern templates found in %s/templates/patterns.\n", weft_data_dir());
	weft_buf out = WEFT_BUF_INIT;
	int rerr = err ? err
		       : weft_templates_list_render(&out, (const char *const *)names,
						    (const weft_templates_manifest *const *)ms, n,
						    only_names ? WEFT_TEMPLATES_FORMAT_NAMES : tformat(fmt));
	rc = weft_cli_finish(err ? err : bad, d);
	if (!err) {
		int prc = put_report(rerr, &out);
		if (!rc)
			rc = prc;
	}
	weft_buf_free(&out);
	for (size_t i = 0; ms && i < n; i++)
		weft_templates_manifest_free(ms[i]);
	free(ms);
	weft_templates_names_free(names, n);
	weft_diags_free(d);
	return rc;
}

static int cmd_show(int argc, char **argv)
{
	weft_cli_format fmt = WEFT_FMT_TEXT;
	int rc = parse_list_show("templates show", argc, argv, show_opts, show_usage, &fmt, NULL);
	if (rc)
		return rc < 0 ? WEFT_EXIT_OK : rc;
	if (argc - optind != 1)
		return weft_cli_usage_error("templates show", "needs one template name or path");
	weft_diags *d = NULL;
	if (weft_diags_new(&d))
		return WEFT_EXIT_ENV;
	weft_templates_source *src = NULL;
	weft_templates_manifest *m = NULL;
	/* showing records nothing: a work tree being edited is fine */
	weft_templates_source_opts so = { .spec = argv[optind], .allow_dirty = true };
	int err = weft_templates_source_open(&src, &so, d);
	if (!err)
		err = weft_templates_manifest_load(&m, weft_templates_source_dir(src), d);
	rc = weft_cli_finish(err, d);
	if (!err) {
		weft_buf out = WEFT_BUF_INIT;
		rc = put_report(weft_templates_show_render(&out, m, src, tformat(fmt)), &out);
	}
	weft_templates_manifest_free(m);
	weft_templates_source_free(src);
	weft_diags_free(d);
	return rc;
}

const weft_cli_command weft_cli_templates_subs[] = {
	{ .name = "list", .fn = cmd_list, .opts = list_opts,
	  .summary = "the shipped pattern templates with their summary" },
	{ .name = "show", .fn = cmd_show, .opts = show_opts, .args = { WEFT_HINT_TEMPLATES },
	  .summary = "a template's description and variables" },
	{ .name = NULL },
};

int weft_cmd_templates(int argc, char **argv)
{
	return weft_cli_dispatch("templates", templates_usage, weft_cli_templates_subs, argc, argv);
}
