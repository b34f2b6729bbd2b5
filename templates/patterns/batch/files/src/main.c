/* main.c - the command line: run, status, sample, oncalendar.
 *
 * Key choice: this is the only file that prints or exits. Results (the
 * completion record, as one JSON line) go to stdout so a scheduler's log
 * captures them; diagnostics and progress go to stderr; the exit code is
 * the contract the schedulers act on (see job.h and the README).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "cron.h"
#include "export.h"
#include "job.h"
#include "model.h"
#include "store.h"
#include "timeutil.h"

#ifndef JOB_NAME
#define JOB_NAME "batch-job"
#endif
#ifndef JOB_VERSION
#define JOB_VERSION "0.1.0"
#endif

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s COMMAND [options]\n"
		"\n"
		"commands:\n"
		"  run        score the input for one run date into SQLite and the CSV export\n"
		"             --config FILE (job.conf) --date YYYY-MM-DD (today, local time)\n"
		"             --input FILE --max-age-hours H (0: no limit) --chunk-size N --quiet\n"
		"  status     the newest run recorded for a date; exit 0 when it completed\n"
		"             --config FILE --date YYYY-MM-DD\n"
		"  sample     write a synthetic input with the model's feature columns\n"
		"             --config FILE --rows N --out FILE [--seed S]\n"
		"  oncalendar 'CRON'  the cron schedule as systemd OnCalendar= lines\n"
		"\n"
		"exit codes of run:\n"
		"  0 ok   2 usage or configuration   3 bad input   4 stale or missing input\n"
		"  5 storage failure (SQLite or CSV export)   6 model failure   7 another run holds the lock\n"
		"  1 other failure   130/143 stopped by SIGINT/SIGTERM (nothing committed)\n",
		JOB_NAME);
}

static int load_config(job_config *c, const char *path)
{
	char err[1024];
	if (config_defaults(c)) {
		fprintf(stderr, "%s: out of memory\n", JOB_NAME);
		return JOB_FAILED;
	}
	if (config_load(c, path, err, sizeof err)) {
		fprintf(stderr, "%s: %s\n", JOB_NAME, err);
		return JOB_USAGE;
	}
	return JOB_OK;
}

static int parse_long_arg(const char *s, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = { { "config", required_argument, NULL, 'c' },
					      { "date", required_argument, NULL, 'd' },
					      { "input", required_argument, NULL, 'i' },
					      { "max-age-hours", required_argument, NULL, 'a' },
					      { "chunk-size", required_argument, NULL, 'n' },
					      { "quiet", no_argument, NULL, 'q' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	const char *config = "job.conf";
	char today[11];
	time_today_local(today);
	job_options o = { .run_date = today, .max_input_age_hours = -1, .progress = stderr, .stop = &stop_signal };
	int ch;
	while ((ch = getopt_long(argc, argv, "c:d:i:a:n:qh", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': config = optarg; break;
		case 'd': o.run_date = optarg; break;
		case 'i': o.input = optarg; break;
		case 'a': {
			char *end;
			errno = 0;
			o.max_input_age_hours = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(o.max_input_age_hours >= 0 && o.max_input_age_hours < 1e6)) {
				fprintf(stderr, "%s: --max-age-hours wants hours >= 0, not '%s'\n", JOB_NAME, optarg);
				return JOB_USAGE;
			}
			break;
		}
		case 'n':
			if (parse_long_arg(optarg, 1, CONFIG_CHUNK_MAX, &o.chunk_size)) {
				fprintf(stderr, "%s: --chunk-size wants 1..%ld, not '%s'\n", JOB_NAME, CONFIG_CHUNK_MAX,
					optarg);
				return JOB_USAGE;
			}
			break;
		case 'q': o.progress = NULL; break;
		case 'h': usage(stdout); return JOB_OK;
		default: usage(stderr); return JOB_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", JOB_NAME, argv[optind]);
		return JOB_USAGE;
	}
	/* test hook, documented in the README: stall after N chunks */
	const char *stall = getenv("BATCH_TEST_STALL_AFTER_CHUNK");
	if (stall && *stall) {
		if (parse_long_arg(stall, 1, 1000000000L, &o.stall_after_chunk)) {
			fprintf(stderr, "%s: BATCH_TEST_STALL_AFTER_CHUNK must be a positive integer\n", JOB_NAME);
			return JOB_USAGE;
		}
		o.stall_marker = getenv("BATCH_TEST_STALL_MARKER");
	}

	job_config c;
	int code = load_config(&c, config);
	if (code) {
		config_clear(&c);
		return code;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	job_result res;
	code = job_run(&c, &o, &res);
	if (res.json)
		printf("%s\n", res.json);
	fflush(stdout);
	if (res.message[0])
		fprintf(stderr, "%s: %s%s\n", JOB_NAME, code ? "" : "warning: ", res.message);
	job_result_clear(&res);
	config_clear(&c);
	return code;
}

static int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = { { "config", required_argument, NULL, 'c' },
					      { "date", required_argument, NULL, 'd' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	const char *config = "job.conf";
	char today[11];
	time_today_local(today);
	const char *date = today;
	int ch;
	while ((ch = getopt_long(argc, argv, "c:d:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': config = optarg; break;
		case 'd': date = optarg; break;
		case 'h': usage(stdout); return JOB_OK;
		default: usage(stderr); return JOB_USAGE;
		}
	}
	int y, m, d;
	if (time_parse_date(date, &y, &m, &d)) {
		fprintf(stderr, "%s: --date wants YYYY-MM-DD, not '%s'\n", JOB_NAME, date);
		return JOB_USAGE;
	}
	job_config c;
	int code = load_config(&c, config);
	if (code) {
		config_clear(&c);
		return code;
	}
	char *db = config_resolve(&c, c.db, date);
	char err[1024];
	store *st = NULL;
	if (!db || store_open(&st, db, c.table, err, sizeof err)) {
		fprintf(stderr, "%s: %s\n", JOB_NAME, db ? err : "out of memory");
		free(db);
		config_clear(&c);
		return JOB_STORAGE;
	}
	char status[32], finished[32];
	long long rows = 0;
	int found = store_last_run(st, date, status, &rows, finished);
	if (found < 0) {
		fprintf(stderr, "%s: %s: cannot read the runs table\n", JOB_NAME, db);
		code = JOB_STORAGE;
	} else if (!found) {
		printf("%s: no run recorded\n", date);
		code = JOB_FAILED;
	} else {
		printf("%s: %s, %lld rows%s%s\n", date, status, rows, finished[0] ? ", finished " : "", finished);
		code = strcmp(status, "ok") ? JOB_FAILED : JOB_OK;
	}
	store_close(st);
	free(db);
	config_clear(&c);
	return code;
}

/* xorshift64*: a small deterministic generator for sample data. */
static double next_uniform(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return (double)((*s * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static int cmd_sample(int argc, char **argv)
{
	static const struct option opts[] = { { "config", required_argument, NULL, 'c' },
					      { "rows", required_argument, NULL, 'r' },
					      { "out", required_argument, NULL, 'o' },
					      { "seed", required_argument, NULL, 's' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	const char *config = "job.conf", *out = NULL;
	long rows = 1000, seed = 1;
	int ch;
	while ((ch = getopt_long(argc, argv, "c:r:o:s:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': config = optarg; break;
		case 'o': out = optarg; break;
		case 'r':
			if (parse_long_arg(optarg, 1, 100000000L, &rows)) {
				fprintf(stderr, "%s: --rows wants 1..100000000\n", JOB_NAME);
				return JOB_USAGE;
			}
			break;
		case 's':
			if (parse_long_arg(optarg, 0, 2147483647L, &seed)) {
				fprintf(stderr, "%s: --seed wants a non-negative integer\n", JOB_NAME);
				return JOB_USAGE;
			}
			break;
		case 'h': usage(stdout); return JOB_OK;
		default: usage(stderr); return JOB_USAGE;
		}
	}
	if (!out) {
		fprintf(stderr, "%s: sample needs --out FILE\n", JOB_NAME);
		return JOB_USAGE;
	}
	job_config c;
	int code = load_config(&c, config);
	if (code) {
		config_clear(&c);
		return code;
	}
	char **features = c.features;
	size_t nf = c.n_features;
	char err[1024];
	model *m = NULL;
	char *mpath = config_resolve(&c, c.model, NULL);
	if (!nf) {
		if (!mpath || model_load(&m, mpath, err, sizeof err)) {
			fprintf(stderr, "%s: %s: %s\n", JOB_NAME, mpath ? mpath : "model", mpath ? err : "out of memory");
			free(mpath);
			config_clear(&c);
			return JOB_MODEL;
		}
		const char *meta = model_meta(m, "weft.features");
		if (!meta || config_split_names(&features, &nf, meta)) {
			fprintf(stderr, "%s: name the features in %s (features = a,b,c)\n", JOB_NAME, config);
			model_free(m);
			free(mpath);
			config_clear(&c);
			return JOB_MODEL;
		}
	}
	free(mpath);
	csv_export *e;
	if (export_open(&e, out, err, sizeof err)) {
		fprintf(stderr, "%s: %s\n", JOB_NAME, err);
		if (features != c.features)
			config_free_names(features, nf);
		model_free(m);
		config_clear(&c);
		return JOB_STORAGE;
	}
	uint64_t rng = 0x9E3779B97F4A7C15ULL ^ (uint64_t)seed;
	int with_ts = c.freshness == FRESH_COLUMN;
	char now[32];
	record_time_iso(now, time_now());
	int w = export_field(e, c.key_column);
	for (size_t k = 0; k < nf; k++)
		w |= export_field(e, features[k]);
	if (with_ts)
		w |= export_field(e, c.timestamp_column);
	w |= export_end_row(e);
	for (long r = 0; r < rows && !w; r++) {
		char key[32];
		snprintf(key, sizeof key, "item-%08ld", r + 1);
		w |= export_field(e, key);
		for (size_t k = 0; k < nf; k++)
			w |= export_number(e, next_uniform(&rng));
		if (with_ts)
			w |= export_field(e, now);
		w |= export_end_row(e);
	}
	if (w) {
		export_abort(e);
		fprintf(stderr, "%s: %s: write failed\n", JOB_NAME, out);
		code = JOB_STORAGE;
	} else if (export_commit(e, err, sizeof err)) {
		fprintf(stderr, "%s: %s\n", JOB_NAME, err);
		code = JOB_STORAGE;
	} else {
		fprintf(stderr, "%s: wrote %ld rows to %s\n", JOB_NAME, rows, out);
	}
	if (features != c.features)
		config_free_names(features, nf);
	model_free(m);
	config_clear(&c);
	return code;
}

static int cmd_oncalendar(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s oncalendar 'MIN HOUR DOM MON DOW'\n", JOB_NAME);
		return JOB_USAGE;
	}
	cron_expr e;
	char err[256], out[4096];
	if (cron_parse(&e, argv[1], err, sizeof err)) {
		fprintf(stderr, "%s: schedule '%s': %s\n", JOB_NAME, argv[1], err);
		return JOB_USAGE;
	}
	if (cron_to_oncalendar(&e, out, sizeof out)) {
		fprintf(stderr, "%s: schedule '%s' is too long for systemd\n", JOB_NAME, argv[1]);
		return JOB_USAGE;
	}
	printf("%s\n", out);
	return JOB_OK;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return JOB_USAGE;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		usage(stdout);
		return JOB_OK;
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
		printf("%s %s\n", JOB_NAME, JOB_VERSION);
		return JOB_OK;
	}
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(cmd, "status"))
		return cmd_status(argc - 1, argv + 1);
	if (!strcmp(cmd, "sample"))
		return cmd_sample(argc - 1, argv + 1);
	if (!strcmp(cmd, "oncalendar"))
		return cmd_oncalendar(argc - 1, argv + 1);
	fprintf(stderr, "%s: unknown command '%s'\n", JOB_NAME, cmd);
	usage(stderr);
	return JOB_USAGE;
}
