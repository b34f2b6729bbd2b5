/* job.h - one batch run: read, check, score in chunks, write two
 * destinations, record the outcome. The exit codes are the job's contract
 * with its scheduler (README "Exit codes"). */
#ifndef JOB_H
#define JOB_H

#include <signal.h>
#include <stdio.h>

#include "config.h"
#include "record.h"

typedef enum job_exit {
	JOB_OK = 0,            /* the partition and the export are written */
	JOB_FAILED = 1,        /* anything else (out of memory, internal error) */
	JOB_USAGE = 2,         /* bad command line or configuration */
	JOB_BAD_INPUT = 3,     /* malformed CSV, missing column, bad value, duplicate key,
				  no rows: retrying the same input will not help */
	JOB_STALE_INPUT = 4,   /* input older than the freshness limit, or not there yet:
				  retry once upstream has delivered */
	JOB_STORAGE = 5,       /* SQLite or the CSV export could not be written */
	JOB_MODEL = 6,         /* the model file is missing, invalid or does not fit the input */
	JOB_BUSY = 7,          /* another run holds the lock (same database) */
	JOB_INTERRUPTED = 130, /* stopped by SIGINT/SIGTERM; nothing was committed (143 for SIGTERM) */
} job_exit;

/* A short name for an exit code ("ok", "stale_input", ...). */
const char *job_exit_name(int code);

typedef struct job_options {
	const char *run_date;        /* YYYY-MM-DD; required */
	const char *input;           /* overrides the config's input; or NULL */
	double max_input_age_hours;  /* overrides when >= 0 */
	long chunk_size;             /* overrides when > 0 */
	FILE *progress;              /* one line per chunk goes here; or NULL */
	volatile sig_atomic_t *stop; /* set by a signal handler: stop at the next
					chunk boundary (value = the signal); or NULL */
	/* Test hook: after this many chunks, create stall_marker and wait for
	 * a signal (from BATCH_TEST_STALL_AFTER_CHUNK / _MARKER). 0 = off. */
	long stall_after_chunk;
	const char *stall_marker;
} job_options;

typedef struct job_result {
	run_record rec;       /* the completion record (strings point into the result) */
	char message[1024];   /* why it failed; empty when ok */
	char *json;           /* the record as a JSON line (malloc'ed) */
	char input[4096];
	char export_path[4096];
	char model_version[128];
	char model_digest[65];
} job_result;

/* Run the job; returns a job_exit code. res is always filled (record and
 * JSON line), and the record is also written to the runs table (when the
 * database could be opened) and appended to the runs log. */
int job_run(const job_config *c, const job_options *o, job_result *res);
void job_result_clear(job_result *res);

#endif
