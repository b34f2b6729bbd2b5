/* cli.h - what the command files of the `weft` binary share.
 *
 * The CLI is glue: each command file (cmd_<name>.c) parses its arguments,
 * calls the libraries, prints results to stdout and diagnostics to stderr, and
 * returns an exit code (WEFT_EXIT_*). The command table lives in main.c, the
 * tables of subcommands and options beside the code they describe.
 */
#ifndef WEFT_CLI_H
#define WEFT_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

#include "weft_core.h"
#include "weft_pipelines.h"
#include "weft_templates.h"

/* A command: argv[0] is the command's own name ("assess"). Returns an exit
 * code. Each is declared here and defined in cli/cmd_<name>.c. */
typedef int (*weft_cmd_fn)(int argc, char **argv);

int weft_cmd_help(int argc, char **argv);
int weft_cmd_doctor(int argc, char **argv);
int weft_cmd_version(int argc, char **argv);
int weft_cmd_assess(int argc, char **argv);
int weft_cmd_new(int argc, char **argv);
int weft_cmd_templates(int argc, char **argv);
int weft_cmd_bench(int argc, char **argv);
int weft_cmd_completion(int argc, char **argv);
int weft_cmd_update(int argc, char **argv);
/* The question loop of weft new and weft update (a weft_templates_ask_fn):
 * the question on stderr, a line from stdin, echo off for a secret. */
int weft_cli_templates_ask(void *ctx, const weft_templates_var *v, const char *def, const char *problem,
			   char **answer);
/* `weft bench inspect` and `weft bench candidates` (cli/cmd_bench_model.c),
 * dispatched from weft_cmd_bench's subcommand table. */
int weft_cmd_bench_inspect(int argc, char **argv);
int weft_cmd_bench_candidates(int argc, char **argv);

/* ---- the command table ------------------------------------------------------
 *
 * Every command, subcommand and option is data: main.c's weft_cli_root holds
 * the commands, each command its options and subcommands, each option what
 * its value is. The commands parse with these tables (weft_cli_getopt,
 * weft_cli_dispatch) and `weft completion` writes the shell scripts from
 * them, so what the shells offer is what the commands accept. */

/* What a positional argument or an option's value is, for completion. */
typedef enum {
	WEFT_HINT_NONE,     /* free text or a number: nothing to offer */
	WEFT_HINT_FILE,     /* a file (exts narrows the offer), or a folder on the way */
	WEFT_HINT_DIR,      /* a folder */
	WEFT_HINT_FORMAT,   /* a --format value: the formats the command parses with */
	WEFT_HINT_WORDS,    /* one of the words words() gives */
	WEFT_HINT_TEMPLATE, /* a shipped template name (asked of `weft templates list
			       --names` at completion time) or a template folder */
} weft_cli_hint_kind;

/* Fill out with at most max words; return how many. The words come from
 * where the command checks the value, so they cannot drift apart. */
typedef size_t (*weft_cli_words_fn)(const char **out, size_t max);

typedef struct {
	weft_cli_hint_kind kind;
	const char *exts;        /* FILE: extensions offered, "yaml yml"; NULL: any file */
	unsigned formats;        /* FORMAT: 1u << weft_cli_format, as weft_cli_format_parse takes */
	weft_cli_words_fn words; /* WORDS */
} weft_cli_hint;

#define WEFT_HINT_NOTHING { WEFT_HINT_NONE, NULL, 0, NULL }
#define WEFT_HINT_FILES(exts) { WEFT_HINT_FILE, (exts), 0, NULL }
#define WEFT_HINT_DIRS { WEFT_HINT_DIR, NULL, 0, NULL }
#define WEFT_HINT_FORMATS(mask) { WEFT_HINT_FORMAT, NULL, (mask), NULL }
#define WEFT_HINT_WORDS_OF(fn) { WEFT_HINT_WORDS, NULL, 0, (fn) }
#define WEFT_HINT_TEMPLATES { WEFT_HINT_TEMPLATE, NULL, 0, NULL }

/* Flags of an option. */
enum {
	WEFT_CLI_VALUE = 1u << 0, /* takes a value: --name VALUE or --name=VALUE */
	WEFT_CLI_SHORT = 1u << 1, /* val is also its one-letter form, -v */
	WEFT_CLI_MANY = 1u << 2,  /* may be given more than once, each counting (--set) */
};

/* One option of a command; a table of them ends with a NULL name. */
typedef struct {
	const char *name;    /* long name, without the dashes */
	int val;             /* what weft_cli_getopt returns for it */
	unsigned flags;      /* WEFT_CLI_* */
	weft_cli_hint value; /* what its value is (WEFT_CLI_VALUE) */
} weft_cli_option;

#define WEFT_CLI_MAX_OPTIONS 48 /* in one table */
#define WEFT_CLI_MAX_ARGS 2     /* positional argument kinds a command describes */

/* A command or a subcommand; a table of them ends with a NULL name. */
typedef struct weft_cli_command weft_cli_command;
struct weft_cli_command {
	const char *name;
	weft_cmd_fn fn;
	const char *summary;                   /* one line, for help and completion */
	const weft_cli_option *opts;           /* NULL: --help only (as for dispatchers) */
	weft_cli_hint args[WEFT_CLI_MAX_ARGS]; /* its positional arguments, in order */
	bool args_repeat;                      /* the last of args stands for every later one too */
	const weft_cli_command *subs;          /* its subcommands, or NULL */
};

/* weft itself (main.c): its options (--help, --version) and its commands.
 * The tables below are the subcommands and options of the commands, defined
 * beside the code that runs them. */
extern const weft_cli_command weft_cli_root;
extern const weft_cli_command weft_cli_commands[];
extern const weft_cli_command weft_cli_assess_subs[];
extern const weft_cli_command weft_cli_bench_subs[];
extern const weft_cli_command weft_cli_templates_subs[];
extern const weft_cli_option weft_cli_new_opts[];
extern const weft_cli_option weft_cli_update_opts[];
extern const weft_cli_option weft_cli_doctor_opts[];
extern const weft_cli_option weft_cli_completion_opts[];
extern const weft_cli_option weft_cli_bench_inspect_opts[];
extern const weft_cli_option weft_cli_bench_candidates_opts[];

/* `weft assess evidence` and `weft assess portfolio` (cli/cmd_assess_evidence.c,
 * cli/cmd_assess_portfolio.c), dispatched from weft_cmd_assess's table, and
 * what every `weft assess` subcommand shares (defined in cli/cmd_assess.c). */
int weft_cmd_assess_evidence(int argc, char **argv);
int weft_cmd_assess_portfolio(int argc, char **argv);
extern const weft_cli_option weft_cli_assess_evidence_opts[];
extern const weft_cli_option weft_cli_assess_portfolio_opts[];

struct weft_assess_model;
struct weft_assess_weights;

/* What the options' values are, for completion: maturity models, answers
 * and weights files are YAML. */
#define YAML_FILES WEFT_HINT_FILES("yaml yml")
#define LEVEL_MIN 1
#define LEVEL_MAX 5
#define GENERATOR_MAX 96 /* "weft VERSION" */

/* The levels --target and --fail-below take (LEVEL_MIN..LEVEL_MAX), for completion. */
size_t weft_cli_assess_level_words(const char **out, size_t max);
/* m, or the model weft ships when m is NULL. */
const char *weft_cli_assess_model_path(const char *m);
/* Load the model at path (NULL: the shipped one, with a hint when missing). */
int weft_cli_assess_load_model(struct weft_assess_model **m, const char *path, weft_diags *d);
/* The model and, when weights is not NULL, weights for it. */
int weft_cli_assess_load_model_weights(struct weft_assess_model **m, struct weft_assess_weights **w,
				       const char *model, const char *weights, weft_diags *d);
/* Print the diagnostics, then either return err's exit code or write b to
 * out (stdout for NULL or "-"; an existing file only with force). */
int weft_cli_assess_finish(int err, weft_diags *d, const char *out, const weft_buf *b, bool force);
/* A level argument LEVEL_MIN..LEVEL_MAX into *out; else a usage error and -1. */
int weft_cli_assess_parse_level(int *out, const char *cmd, const char *opt, const char *v);
/* --top N (1..1000) into *out; else a usage error and -1. */
int weft_cli_assess_parse_top(long *out, const char *cmd, const char *v);
/* When a report was made: SOURCE_DATE_EPOCH or now, UTC ISO 8601. */
void weft_cli_assess_generated_at(char out[32]);

/* The shells `weft completion` writes for (cmd_completion.c). */
size_t weft_cli_completion_shells(const char **out, size_t max);

/* Dispatch argv[1] among subs (a NULL-name terminated table). `weft <cmd>`
 * with no subcommand or with --help/-h prints usage (exit 0 for help, 2 when
 * missing); an unknown one gets a did-you-mean and exit 2. The subcommand
 * sees argv[0] = its own name. usage is the command's one-paragraph help. */
int weft_cli_dispatch(const char *cmd, const char *usage, const weft_cli_command *subs, int argc,
		      char **argv);

/* Print "weft <cmd>: message" (and a did-you-mean for options) to stderr and
 * return WEFT_EXIT_USAGE. */
int weft_cli_usage_error(const char *cmd, const char *fmt, ...) WEFT_PRINTF(2, 3);

/* Run getopt_long over argv with the options of the table (long ones, and
 * the one-letter forms of those flagged WEFT_CLI_SHORT); on an unknown
 * option or a missing argument print a usage error with a did-you-mean among
 * the long options, and return '?'. Otherwise behaves like getopt_long (call
 * in a loop; resets optind on the first call for argv). */
int weft_cli_getopt(const char *cmd, int argc, char **argv, const weft_cli_option *opts);

/* Print every diagnostic to stderr (coloured on a terminal) and map err to
 * an exit code. Returns WEFT_EXIT_OK when err is 0. */
int weft_cli_finish(int err, const weft_diags *d);

/* Output format switch shared by commands: text, json, markdown, html. */
typedef enum { WEFT_FMT_TEXT, WEFT_FMT_JSON, WEFT_FMT_MARKDOWN, WEFT_FMT_HTML, WEFT_FMT_JUNIT, WEFT_FMT_SARIF } weft_cli_format;

/* Masks of the formats commands take. */
#define WEFT_CLI_TEXT_JSON (1u << WEFT_FMT_TEXT | 1u << WEFT_FMT_JSON)
#define WEFT_CLI_REPORT_FORMATS                                                            \
	(1u << WEFT_FMT_TEXT | 1u << WEFT_FMT_JSON | 1u << WEFT_FMT_MARKDOWN | 1u << WEFT_FMT_HTML | \
	 1u << WEFT_FMT_JUNIT)
/* "text", "json", "markdown", "html", "junit", "sarif" ("md" is also parsed as markdown). */
const char *weft_cli_format_name(weft_cli_format f);

/* Parse a --format value among those allowed (bitmask of 1u << format).
 * Prints a usage error and returns -1 when not allowed. */
int weft_cli_format_parse(weft_cli_format *out, const char *cmd, const char *value,
			  unsigned allowed);

/* Write a result to path (atomically; "-" or NULL = stdout). Honours force.
 * Prints the diagnostic on failure and returns an exit code. */
int weft_cli_write_output(const char *path, const char *data, size_t len, bool force);

/* ---- options shared by `weft bench run` and `weft bench candidates` (bench_opts.c) ---- */

/* Option codes (above any short option) and their options, for the option
 * tables of both commands. */
enum {
	WEFT_OPT_SCENARIO = 0x100,
	WEFT_OPT_RATE,
	WEFT_OPT_CONCURRENCY,
	WEFT_OPT_THREADS,
	WEFT_OPT_DURATION,
	WEFT_OPT_MAX_DURATION,
	WEFT_OPT_MIN_QUERIES,
	WEFT_OPT_WARMUP,
	WEFT_OPT_SEED,
	WEFT_OPT_SAMPLES_PER_QUERY,
};
#define WEFT_CLI_LOAD_OPTIONS                                                                     \
	{ "scenario", WEFT_OPT_SCENARIO, WEFT_CLI_VALUE, WEFT_HINT_WORDS_OF(weft_cli_scenario_words) }, \
	{ "rate", WEFT_OPT_RATE, WEFT_CLI_VALUE, WEFT_HINT_NOTHING },                               \
	{ "concurrency", WEFT_OPT_CONCURRENCY, WEFT_CLI_VALUE, WEFT_HINT_NOTHING },                 \
	{ "threads", WEFT_OPT_THREADS, WEFT_CLI_VALUE, WEFT_HINT_NOTHING },                         \
	{ "duration", WEFT_OPT_DURATION, WEFT_CLI_VALUE, WEFT_HINT_NOTHING },                       \
	{ "max-duration", WEFT_OPT_MAX_DURATION, WEFT_CLI_VALUE, WEFT_HINT_NOTHING },               \
	{ "min-queries", WEFT_OPT_MIN_QUERIES, WEFT_CLI_VALUE, WEFT_HINT_NOTHING },                 \
	{ "warmup", WEFT_OPT_WARMUP, WEFT_CLI_VALUE, WEFT_HINT_NOTHING },                           \
	{ "seed", WEFT_OPT_SEED, WEFT_CLI_VALUE, WEFT_HINT_NOTHING },                               \
	{ "samples-per-query", WEFT_OPT_SAMPLES_PER_QUERY, WEFT_CLI_VALUE, WEFT_HINT_NOTHING }
/* The scenario names --scenario takes (those the pipelines library parses). */
size_t weft_cli_scenario_words(const char **out, size_t max);

/* Overrides of a pipeline's load section; zero = not given. */
typedef struct {
	bool has_scenario, has_min_queries, has_warmup, has_seed;
	weft_pipelines_scenario scenario;
	double rate, duration_ms, max_duration_ms;
	uint64_t concurrency, threads, min_queries, warmup, seed, samples_per_query;
} weft_cli_load;

/* Take one option of the getopt loop: 1 when it was a load option (parsed),
 * 0 when it is not one, -1 after printing a usage error. */
int weft_cli_load_option(weft_cli_load *l, const char *cmd, int opt, const char *value);
/* Write the given overrides into the spec's load section. */
void weft_cli_load_apply(weft_pipelines_spec *spec, const weft_cli_load *l);
/* True (after printing why) when path exists and --force was not given:
 * checked before a long run so it does not end in "file exists". Devices
 * and pipes are written into, so they never block. */
bool weft_cli_output_blocked(const char *path, bool force);
/* A pipeline file, by its name: .yaml or .yml. */
bool weft_cli_is_pipeline(const char *path);
/* The report outputs of both commands: --format, -o, --json, --junit,
 * --html, --force. */
enum { WEFT_OPT_JSON = 0x180, WEFT_OPT_JUNIT, WEFT_OPT_HTML, WEFT_OPT_FORCE };
#define WEFT_CLI_OUTPUT_OPTIONS                                                                 \
	{ "format", 'f', WEFT_CLI_VALUE | WEFT_CLI_SHORT, WEFT_HINT_FORMATS(WEFT_CLI_REPORT_FORMATS) }, \
	{ "output", 'o', WEFT_CLI_VALUE | WEFT_CLI_SHORT, WEFT_HINT_FILES(NULL) },                 \
	{ "json", WEFT_OPT_JSON, WEFT_CLI_VALUE, WEFT_HINT_FILES(NULL) },                           \
	{ "junit", WEFT_OPT_JUNIT, WEFT_CLI_VALUE, WEFT_HINT_FILES(NULL) },                         \
	{ "html", WEFT_OPT_HTML, WEFT_CLI_VALUE, WEFT_HINT_FILES(NULL) },                           \
	{ "force", WEFT_OPT_FORCE, 0, WEFT_HINT_NOTHING }

typedef struct {
	weft_pipelines_format format; /* of the main output, default text */
	const char *output;           /* main output, NULL = stdout */
	const char *json, *junit, *html; /* extra outputs, or NULL */
	bool force;
} weft_cli_outputs;

/* Take one option of the getopt loop, as weft_cli_load_option. */
int weft_cli_outputs_option(weft_cli_outputs *o, const char *cmd, int opt, const char *value);
/* Before the work: no output blocked (exists without --force), no two the
 * same file. Returns 0 or the exit code after printing why. */
int weft_cli_outputs_check(const char *cmd, const weft_cli_outputs *o);
/* Render one format into out (the main output is rendered for a terminal
 * when to_terminal); 0 or WEFT_ENOMEM. */
typedef int (*weft_cli_render_fn)(weft_buf *out, weft_pipelines_format f, bool to_terminal,
				  const void *ctx);
/* Write the main output, then each extra one (atomically). Returns 0 or
 * the exit code of the first failure (printed). */
int weft_cli_outputs_write(const weft_cli_outputs *o, weft_cli_render_fn render, const void *ctx);

/* A progress bar on stderr for weft_pipelines_run_opts.progress; a run
 * that changes its expected count (it extended itself) gets a fresh bar.
 * Free bar with weft_progress_free when done. */
typedef struct {
	weft_progress *bar;
	uint64_t total;
	bool quiet;
	const char *label;     /* default "bench" */
	char label_buf[64];    /* for a label made at run time */
} weft_cli_progress;
void weft_cli_progress_update(void *ctx, uint64_t done, uint64_t expected);

#endif
