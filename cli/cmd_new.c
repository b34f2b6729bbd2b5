/* cmd_new.c - `weft new` and `weft templates list|show`.
 *
 * Glue only: options in, templates library calls, results out. The one
 * piece of UI that lives here is the question loop for interactive runs
 * (stdin a terminal): the library decides what to ask and validates the
 * answers; this file shows the question on stderr and reads a line.
 */
#include <stdlib.h>
#include <string.h>
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
	"One template's name, version, description and variables (type, default, help,\n"
	"choices, constraints): a shipped pattern by NAME, or a template folder.";

/* ---- questions ---------------------------------------------------------------- */

static int ask_tty(void *ctx, const weft_templates_var *v, const char *def, const char *problem,
		   char **answer)
{
	(void)ctx;
	bool colour = weft_term_colour(stderr);
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
	if (def)
		fprintf(stderr, " [%s]", def);
	fprintf(stderr, ": ");
	fflush(stderr);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, stdin);
	if (n < 0) {
		free(line);
		fprintf(stderr, "\n");
		return WEFT_EUSAGE;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	*answer = line;
	return WEFT_OK;
}

/* ---- output helpers ------------------------------------------------------------- */

static const char *action_name(weft_templates_action a)
{
	switch (a) {
	case WEFT_TEMPLATES_RENDERED: return "rendered";
	case WEFT_TEMPLATES_COPIED: return "copied";
	case WEFT_TEMPLATES_SYMLINK: return "link";
	case WEFT_TEMPLATES_DIR: return "folder";
	}
	return "?";
}

static void add_str_or_null(cJSON *o, const char *k, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

static int print_json(cJSON *j)
{
	char *s = j ? cJSON_Print(j) : NULL;
	cJSON_Delete(j);
	if (!s) {
		fprintf(stderr, "weft: out of memory\n");
		return WEFT_EXIT_ENV;
	}
	printf("%s\n", s);
	free(s);
	return WEFT_EXIT_OK;
}

static cJSON *files_json(const weft_templates_plan *plan)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; arr && i < weft_templates_plan_count(plan); i++) {
		const weft_templates_file *f = weft_templates_plan_file(plan, i);
		if (f->action == WEFT_TEMPLATES_DIR)
			continue;
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "path", f->path);
		cJSON_AddStringToObject(o, "action", action_name(f->action));
		char mode[8];
		snprintf(mode, sizeof mode, "%04o", f->mode);
		cJSON_AddStringToObject(o, "mode", mode);
		cJSON_AddNumberToObject(o, "size", (double)f->size);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static size_t count_files(const weft_templates_plan *plan)
{
	size_t n = 0;
	for (size_t i = 0; i < weft_templates_plan_count(plan); i++)
		n += weft_templates_plan_file(plan, i)->action != WEFT_TEMPLATES_DIR;
	return n;
}

/* "replaced: a, b" (--force): the existing files of DEST the template's files replace. */
static void print_replaced(const char *what, const weft_templates_write_result *res)
{
	if (!res->n_replaced)
		return;
	printf("%s:", what);
	for (size_t i = 0; i < res->n_replaced; i++)
		printf("%s %s", i ? "," : "", res->replaced[i]);
	printf("\n");
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
			.ask = interactive ? ask_tty : NULL,
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
		const weft_templates_info *info = weft_templates_manifest_info(m);
		if (fmt == WEFT_FMT_JSON) {
			cJSON *j = cJSON_CreateObject();
			cJSON_AddStringToObject(j, "dest", dest);
			cJSON_AddBoolToObject(j, "dry_run", dry_run);
			cJSON *t = cJSON_AddObjectToObject(j, "template");
			cJSON_AddStringToObject(t, "name", info->name);
			cJSON_AddStringToObject(t, "version", info->version);
			cJSON_AddStringToObject(t, "source", weft_templates_source_origin(src));
			add_str_or_null(t, "ref", weft_templates_source_ref(src));
			add_str_or_null(t, "commit", weft_templates_source_commit(src));
			cJSON_AddItemToObject(j, "answers", cJSON_Duplicate(values, true));
			cJSON_AddItemToObject(j, "files", files_json(plan));
			/* existing files of DEST replaced (with --dry-run: that would be) */
			cJSON *rep = cJSON_AddArrayToObject(j, "replaced");
			for (size_t i = 0; rep && i < res.n_replaced; i++)
				cJSON_AddItemToArray(rep, cJSON_CreateString(res.replaced[i]));
			if (res.commit[0]) {
				cJSON *g = cJSON_AddObjectToObject(j, "git");
				cJSON_AddStringToObject(g, "commit", res.commit);
				cJSON_AddStringToObject(g, "author", res.author);
			} else {
				cJSON_AddNullToObject(j, "git");
			}
			rc = print_json(j);
		} else if (dry_run) {
			printf("Would create %s from %s %s (%zu files):\n", dest, info->name, info->version,
			       count_files(plan));
			for (size_t i = 0; i < weft_templates_plan_count(plan); i++) {
				const weft_templates_file *f = weft_templates_plan_file(plan, i);
				if (f->action != WEFT_TEMPLATES_DIR)
					printf("  %s  (%s, %04o)\n", f->path, action_name(f->action), f->mode);
			}
			print_replaced("would replace", &res);
		} else {
			printf("Created %s from %s %s (%zu files).\n", dest, info->name, info->version,
			       count_files(plan));
			if (res.commit[0])
				printf("git: first commit %.12s by %s\n", res.commit, res.author);
			print_replaced("replaced", &res);
		}
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
	cJSON *arr = cJSON_CreateArray();
	if (!err && fmt == WEFT_FMT_TEXT && n && !only_names)
		printf("%-16s %-10s %s\n", "NAME", "VERSION", "SUMMARY");
	for (size_t i = 0; !err && i < n; i++) {
		weft_buf dir = WEFT_BUF_INIT;
		weft_buf_printf(&dir, "%s/templates/patterns/%s", weft_data_dir(), names[i]);
		weft_templates_manifest *m = NULL;
		if (weft_templates_manifest_load(&m, dir.ptr, d)) {
			bad = WEFT_EINVALID;
			weft_buf_free(&dir);
			continue;
		}
		const weft_templates_info *info = weft_templates_manifest_info(m);
		if (fmt == WEFT_FMT_JSON) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "name", info->name);
			cJSON_AddStringToObject(o, "version", info->version);
			cJSON_AddStringToObject(o, "summary", info->summary);
			cJSON_AddStringToObject(o, "path", dir.ptr);
			cJSON_AddItemToArray(arr, o);
		} else if (only_names) {
			printf("%s\n", names[i]);
		} else {
			printf("%-16s %-10s %s\n", names[i], info->version, info->summary);
		}
		weft_templates_manifest_free(m);
		weft_buf_free(&dir);
	}
	if (!err && !n && fmt == WEFT_FMT_TEXT && !only_names)
		fprintf(stderr, "No pattern templates found in %s/templates/patterns.\n", weft_data_dir());
	weft_templates_names_free(names, n);
	rc = weft_cli_finish(err ? err : bad, d);
	if (!err && fmt == WEFT_FMT_JSON) {
		int prc = print_json(arr);
		arr = NULL;
		if (!rc)
			rc = prc;
	}
	cJSON_Delete(arr);
	weft_diags_free(d);
	return rc;
}

static cJSON *var_json(const weft_templates_var *v)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", v->name);
	cJSON_AddStringToObject(o, "type", weft_templates_type_name(v->type));
	add_str_or_null(o, "help", v->help);
	add_str_or_null(o, "default", v->default_text);
	cJSON_AddBoolToObject(o, "required", !v->derived && !v->default_text);
	cJSON_AddBoolToObject(o, "derived", v->derived);
	add_str_or_null(o, "when", v->when);
	add_str_or_null(o, "pattern", v->pattern);
	if (v->has_min)
		cJSON_AddNumberToObject(o, "min", (double)v->min);
	if (v->has_max)
		cJSON_AddNumberToObject(o, "max", (double)v->max);
	if (v->n_choices) {
		cJSON *c = cJSON_AddArrayToObject(o, "choices");
		for (size_t i = 0; i < v->n_choices; i++)
			cJSON_AddItemToArray(c, cJSON_CreateString(v->choices[i]));
	}
	return o;
}

static void var_text(const weft_templates_var *v)
{
	printf("  %-20s %-7s", v->name, weft_templates_type_name(v->type));
	if (v->derived)
		printf(" computed: %s", v->value ? v->value : v->expr);
	else if (v->default_text)
		printf(" default: %s", v->default_text);
	else
		printf(" required");
	printf("\n");
	if (v->help)
		printf("      %s\n", v->help);
	if (v->n_choices) {
		printf("      %s: ", v->type == WEFT_TEMPLATES_LIST ? "items from" : "one of");
		for (size_t i = 0; i < v->n_choices; i++)
			printf("%s%s", i ? ", " : "", v->choices[i]);
		printf("\n");
	}
	if (v->pattern)
		printf("      must match: %s\n", v->pattern);
	if (v->has_min || v->has_max) {
		printf("      range:");
		if (v->has_min)
			printf(" >= %lld", v->min);
		if (v->has_max)
			printf(" <= %lld", v->max);
		printf("\n");
	}
	if (v->when)
		printf("      asked when: %s\n", v->when);
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
		const weft_templates_info *info = weft_templates_manifest_info(m);
		size_t n = weft_templates_manifest_nvars(m);
		if (fmt == WEFT_FMT_JSON) {
			cJSON *j = cJSON_CreateObject();
			cJSON_AddStringToObject(j, "name", info->name);
			cJSON_AddStringToObject(j, "version", info->version);
			cJSON_AddStringToObject(j, "summary", info->summary);
			add_str_or_null(j, "description", info->description);
			cJSON_AddStringToObject(j, "source", weft_templates_source_origin(src));
			cJSON *vars = cJSON_AddArrayToObject(j, "variables");
			for (size_t i = 0; i < n; i++)
				cJSON_AddItemToArray(vars, var_json(weft_templates_manifest_var(m, i)));
			rc = print_json(j);
		} else {
			printf("%s %s - %s\n", info->name, info->version, info->summary);
			if (info->description) {
				size_t len = strlen(info->description);
				printf("\n%s%s", info->description,
				       len && info->description[len - 1] == '\n' ? "" : "\n");
			}
			printf("\nVariables (set with --set NAME=VALUE):\n");
			if (!n)
				printf("  (none)\n");
			for (size_t i = 0; i < n; i++)
				var_text(weft_templates_manifest_var(m, i));
		}
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
