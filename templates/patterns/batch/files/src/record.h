/* record.h - the completion record of one run (runs table and JSON line). */
#ifndef RECORD_H
#define RECORD_H

#include <stddef.h>

typedef struct run_record {
	long long run_id;          /* row in <table>_runs; 0 before it has one */
	char run_date[11];         /* YYYY-MM-DD */
	const char *status;        /* running ok stale_input missing_input bad_input
				      storage_failure model_failure interrupted busy usage */
	int exit_code;
	long long rows;            /* rows written (0 unless status is ok) */
	long long rows_read;       /* rows read before the run ended */
	long long chunks;
	double duration_ms;
	const char *input;
	int has_input_age;
	double input_age_s;        /* file age (mtime) or oldest timestamp's age */
	double max_input_age_s;    /* the limit; 0 = none */
	double window_s;           /* the batch window */
	int over_window;           /* the run took longer than the window */
	const char *model_version;
	const char *model_digest;
	const char *export_path;
	char started_at[32];       /* UTC, ISO 8601 */
	char finished_at[32];
	long pid;
	const char *message;       /* why it failed; NULL when ok */
} run_record;

/* The record as one line of JSON (no newline); malloc'ed, NULL on no memory. */
char *record_json(const run_record *r);
/* Append line + "\n" to path with one write(2) on an O_APPEND file, then
 * fsync, so concurrent appenders never interleave. 0 or -1 with err. */
int record_append(const char *path, const char *line, char *err, size_t errlen);

/* Format a time (seconds since the epoch, UTC) as 2024-05-01T02:00:00.123Z. */
void record_time_iso(char out[32], double epoch_s);

#endif
