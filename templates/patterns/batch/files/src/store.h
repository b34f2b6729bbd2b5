/* store.h - the SQLite destination: one partition per run date, and the
 * runs table that records every run. */
#ifndef STORE_H
#define STORE_H

#include <stddef.h>

#include "record.h"

typedef struct store store;

enum { STORE_OK = 0, STORE_ERR = -1, STORE_DUP = -2 };

/* Open (or create) the database at path and its runs table
 * `<table>_runs`. table must be a plain SQL name (config_is_identifier).
 * 0 or -1 with err. */
int store_open(store **out, const char *path, const char *table, char *err, size_t errlen);
/* Make sure the predictions table `table` exists as (run_date, <key_col>,
 * <outputs...>, model_version; primary key run_date + key), with the view
 * `<table>_latest` (the newest complete partition), and prepare the insert.
 * An existing table whose columns differ is an error, never altered. */
int store_prepare(store *s, const char *key_col, char *const *outputs, size_t n_outputs, char *err,
		  size_t errlen);
void store_close(store *s);

/* Runs left 'running' by a process that died (the caller holds the job
 * lock, so none is still alive) become 'interrupted'. *n gets how many. */
int store_mark_interrupted(store *s, long long *n, char *err, size_t errlen);
/* Insert r as a new run (status as set in r); sets r->run_id. */
int store_run_insert(store *s, run_record *r, char *err, size_t errlen);
/* Write r's fields over its row (inside the open partition transaction,
 * if any, so an 'ok' record commits together with the rows). */
int store_run_update(store *s, const run_record *r, char *err, size_t errlen);

/* BEGIN IMMEDIATE and delete run_date's partition. *deleted (may be NULL)
 * gets the number of rows that the new partition will replace. */
int store_begin(store *s, const char *run_date, long long *deleted, char *err, size_t errlen);
/* Insert one row of the open partition. STORE_DUP when key is already in
 * this partition. */
int store_put(store *s, const char *key, const float *y, const char *model_version, char *err,
	      size_t errlen);
int store_commit(store *s, char *err, size_t errlen);
/* Roll back the open transaction, if any. */
void store_rollback(store *s);

/* Rows in run_date's partition (-1 on error). */
long long store_partition_rows(store *s, const char *run_date);
/* The newest run recorded for run_date: status (buffer of 32), rows and
 * finished_at (buffer of 32). Returns 1 when found, 0 when none, -1. */
int store_last_run(store *s, const char *run_date, char *status, long long *rows, char *finished_at);

#endif
