/* cli.h - what the command files of the `weft` binary share.
 *
 * The CLI is glue: each command file (cmd_<name>.c) parses its arguments,
 * calls the libraries, prints results to stdout and diagnostics to stderr, and
 * returns an exit code (WEFT_EXIT_*). The command table lives in main.c.
 */
#ifndef WEFT_CLI_H
#define WEFT_CLI_H

#include <getopt.h>
#include <stdbool.h>

#include "weft_core.h"
#include "weft_pipelines.h"

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
/* `weft bench inspect` and `weft bench candidates` (cli/cmd_bench_model.c),
 * dispatched from weft_cmd_bench's subcommand table. */
int weft_cmd_bench_inspect(int argc, char **argv);
int weft_cmd_bench_candidates(int argc, char **argv);

/* A subcommand table, for commands with subcommands (assess score, ...). */
typedef struct {
	const char *name;
	weft_cmd_fn fn;
	const char *summary;
} weft_cli_sub;

/* Dispatch argv[1] among subs (n entries). `weft <cmd>` with no subcommand
 * or with --help/-h prints usage (exit 0 for help, 2 when missing); an
 * unknown one gets a did-you-mean and exit 2. The subcommand sees
 * argv[0] = its own name. usage is the command's one-paragraph help. */
int weft_cli_dispatch(const char *cmd, const char *usage, const weft_cli_sub *subs, size_t n,
		      int argc, char **argv);

/* Print "weft <cmd>: message" (and a did-you-mean for options) to stderr and
 * return WEFT_EXIT_USAGE. */
int weft_cli_usage_error(const char *cmd, const char *fmt, ...) WEFT_PRINTF(2, 3);

/* Run getopt_long over argv with the given options; on an unknown option or
 * a missing argument print a usage error with a did-you-mean among the long
 * options, and return '?'. Otherwise behaves like getopt_long (call in a
 * loop; resets optind on the first call for argv). */
int weft_cli_getopt(const char *cmd, int argc, char **argv, const char *shortopts,
		    const struct option *longopts);

/* Print every diagnostic to stderr (coloured on a terminal) and map err to
 * an exit code. Returns WEFT_EXIT_OK when err is 0. */
int weft_cli_finish(int err, const weft_diags *d);

/* Output format switch shared by commands: text, json, markdown, html. */
typedef enum { WEFT_FMT_TEXT, WEFT_FMT_JSON, WEFT_FMT_MARKDOWN, WEFT_FMT_HTML, WEFT_FMT_JUNIT } weft_cli_format;

/* Parse a --format value among those allowed (bitmask of 1u << format).
 * Prints a usage error and returns -1 when not allowed. */
int weft_cli_format_parse(weft_cli_format *out, const char *cmd, const char *value,
			  unsigned allowed);

/* Write a result to path (atomically; "-" or NULL = stdout). Honours force.
 * Prints the diagnostic on failure and returns an exit code. */
int weft_cli_write_output(const char *path, const char *data, size_t len, bool force);

/* ---- options shared by `weft bench run` and `weft bench candidates` (bench_opts.c) ---- */

/* Option codes (above any short option) and their long options, for the
 * longopts tables of both commands. */
enum {
	WEFT_OPT_SCENARIO = 0x100,
	WEFT_OPT_RATE,
	WEFT_OPT_CONCURRENCY,
	WEFT_OPT_DURATION,
	WEFT_OPT_MAX_DURATION,
	WEFT_OPT_MIN_QUERIES,
	WEFT_OPT_WARMUP,
	WEFT_OPT_SEED,
};
#define WEFT_CLI_LOAD_LONGOPTS                                                  \
	{ "scenario", required_argument, NULL, WEFT_OPT_SCENARIO },             \
	{ "rate", required_argument, NULL, WEFT_OPT_RATE },                     \
	{ "concurrency", required_argument, NULL, WEFT_OPT_CONCURRENCY },       \
	{ "duration", required_argument, NULL, WEFT_OPT_DURATION },             \
	{ "max-duration", required_argument, NULL, WEFT_OPT_MAX_DURATION },     \
	{ "min-queries", required_argument, NULL, WEFT_OPT_MIN_QUERIES },       \
	{ "warmup", required_argument, NULL, WEFT_OPT_WARMUP },                 \
	{ "seed", required_argument, NULL, WEFT_OPT_SEED }

/* Overrides of a pipeline's load section; zero = not given. */
typedef struct {
	bool has_scenario, has_min_queries, has_warmup, has_seed;
	weft_pipelines_scenario scenario;
	double rate, duration_ms, max_duration_ms;
	uint64_t concurrency, min_queries, warmup, seed;
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
/* The report outputs of both commands: --format, -o, --json, --junit,
 * --html, --force. */
enum { WEFT_OPT_JSON = 0x180, WEFT_OPT_JUNIT, WEFT_OPT_HTML, WEFT_OPT_FORCE };
#define WEFT_CLI_OUTPUT_LONGOPTS                                                \
	{ "format", required_argument, NULL, 'f' },                             \
	{ "output", required_argument, NULL, 'o' },                             \
	{ "json", required_argument, NULL, WEFT_OPT_JSON },                     \
	{ "junit", required_argument, NULL, WEFT_OPT_JUNIT },                   \
	{ "html", required_argument, NULL, WEFT_OPT_HTML },                     \
	{ "force", no_argument, NULL, WEFT_OPT_FORCE }

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
