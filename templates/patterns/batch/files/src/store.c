/* store.c - SQLite: partitioned predictions plus the runs table.
 *
 * Key choice: a run date's partition is replaced in ONE transaction
 * (BEGIN IMMEDIATE; DELETE the date; INSERT every row; UPDATE the run's
 * record to 'ok'; COMMIT), so a reader sees the old partition or the new
 * one, never a mix, and re-running a date is idempotent. A process killed
 * mid-run leaves only an uncommitted transaction, which SQLite discards on
 * the next open. WAL mode lets consumers read while the job writes;
 * synchronous=FULL makes a committed run survive a power cut.
 */
#include "store.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct store {
	sqlite3 *db;
	char *path;
	char *table;
	size_t n_outputs;
	sqlite3_stmt *ins;
	int in_tx;
};

static void errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void errf(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || !errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* A growing string for building SQL (names are checked identifiers). */
typedef struct {
	char *s;
	size_t len, cap;
	int oom;
} sbuf;

static void sb_add(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_add(sbuf *b, const char *fmt, ...)
{
	if (b->oom)
		return;
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = 1;
			return;
		}
		if (b->s && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = (b->cap ? b->cap : 256) * 2 + (size_t)n;
		char *s = realloc(b->s, cap);
		if (!s) {
			b->oom = 1;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
}

static int exec(store *s, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		errf(err, errlen, "database: %s", msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return STORE_ERR;
	}
	return STORE_OK;
}

/* Compare a table's columns (in order) with want[0..n). */
static int columns_match(store *s, const char *table, const char *const *want, size_t n, char *got,
			 size_t gotlen)
{
	char sql[160];
	snprintf(sql, sizeof sql, "PRAGMA table_info(\"%s\")", table);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	size_t i = 0, used = 0;
	int same = 1;
	got[0] = '\0';
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 1);
		if (!name)
			name = "";
		if (i >= n || strcmp(name, want[i]))
			same = 0;
		if (used < gotlen)
			used += (size_t)snprintf(got + used, gotlen - used, "%s%s", i ? ", " : "", name);
		i++;
	}
	sqlite3_finalize(st);
	if (i == 0)
		return 1; /* no such table yet */
	return same && i == n ? 1 : 0;
}

int store_open(store **out, const char *path, const char *table, char *err, size_t errlen)
{
	*out = NULL;
	store *s = calloc(1, sizeof *s);
	if (!s || !(s->table = strdup(table))) {
		free(s);
		errf(err, errlen, "out of memory");
		return STORE_ERR;
	}
	s->path = strdup(path);
	int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK || !s->path) {
		errf(err, errlen, "%s: cannot open the database: %s", path,
		     s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		store_close(s);
		return STORE_ERR;
	}
	sqlite3_busy_timeout(s->db, 10000);
	sqlite3_extended_result_codes(s->db, 1);
	sbuf b = { 0 };
	sb_add(&b, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
	sb_add(&b,
	       "CREATE TABLE IF NOT EXISTS \"%s_runs\" (run_id INTEGER PRIMARY KEY, run_date TEXT NOT NULL, "
	       "status TEXT NOT NULL, exit_code INTEGER, rows INTEGER NOT NULL DEFAULT 0, rows_read INTEGER "
	       "NOT NULL DEFAULT 0, chunks INTEGER NOT NULL DEFAULT 0, duration_ms REAL, input TEXT, "
	       "input_age_s REAL, max_input_age_s REAL, window_s REAL, over_window INTEGER NOT NULL DEFAULT 0, "
	       "model_version TEXT, model_digest TEXT, export TEXT, started_at TEXT NOT NULL, finished_at TEXT, "
	       "pid INTEGER, message TEXT);",
	       table);
	sb_add(&b, "CREATE INDEX IF NOT EXISTS \"%s_runs_date\" ON \"%s_runs\" (run_date, run_id);", table, table);
	char e2[512];
	int bad = b.oom ? (snprintf(e2, sizeof e2, "out of memory"), 1) : exec(s, b.s, e2, sizeof e2);
	free(b.s);
	if (bad) {
		errf(err, errlen, "%s: %s", path, e2);
		store_close(s);
		return STORE_ERR;
	}
	*out = s;
	return STORE_OK;
}

int store_prepare(store *s, const char *key_col, char *const *outputs, size_t n_outputs, char *err,
		  size_t errlen)
{
	const char *table = s->table;
	s->n_outputs = n_outputs;
	/* the expected columns of the predictions table */
	size_t ncol = n_outputs + 3;
	const char **want = calloc(ncol, sizeof *want);
	if (!want) {
		errf(err, errlen, "out of memory");
		return STORE_ERR;
	}
	want[0] = "run_date";
	want[1] = key_col;
	for (size_t i = 0; i < n_outputs; i++)
		want[2 + i] = outputs[i];
	want[ncol - 1] = "model_version";
	char got[1024];
	int m = columns_match(s, table, want, ncol, got, sizeof got);
	free(want);
	if (m <= 0) {
		if (m < 0)
			errf(err, errlen, "%s: cannot read the schema: %s", s->path, sqlite3_errmsg(s->db));
		else
			errf(err, errlen,
			     "%s: table %s exists with columns (%s), which do not match this configuration; "
			     "use another table name or migrate it",
			     s->path, table, got);
		return STORE_ERR;
	}

	sbuf b = { 0 };
	sb_add(&b, "CREATE TABLE IF NOT EXISTS \"%s\" (run_date TEXT NOT NULL, \"%s\" TEXT NOT NULL", table,
	       key_col);
	for (size_t i = 0; i < n_outputs; i++)
		sb_add(&b, ", \"%s\" REAL NOT NULL", outputs[i]);
	sb_add(&b, ", model_version TEXT NOT NULL, PRIMARY KEY (run_date, \"%s\")) WITHOUT ROWID;", key_col);
	sb_add(&b,
	       "CREATE VIEW IF NOT EXISTS \"%s_latest\" AS SELECT * FROM \"%s\" WHERE run_date = "
	       "(SELECT max(run_date) FROM \"%s_runs\" WHERE status = 'ok');",
	       table, table, table);
	sbuf ins = { 0 };
	sb_add(&ins, "INSERT INTO \"%s\" VALUES (?1, ?2", table);
	for (size_t i = 0; i < n_outputs; i++)
		sb_add(&ins, ", ?%zu", i + 3);
	sb_add(&ins, ", ?%zu)", n_outputs + 3);
	if (b.oom || ins.oom) {
		free(b.s);
		free(ins.s);
		errf(err, errlen, "out of memory");
		return STORE_ERR;
	}
	char e2[512];
	int bad = exec(s, b.s, e2, sizeof e2);
	free(b.s);
	sqlite3_finalize(s->ins);
	s->ins = NULL;
	if (!bad && sqlite3_prepare_v2(s->db, ins.s, -1, &s->ins, NULL) != SQLITE_OK) {
		snprintf(e2, sizeof e2, "database: %s", sqlite3_errmsg(s->db));
		bad = 1;
	}
	free(ins.s);
	if (bad) {
		errf(err, errlen, "%s: %s", s->path, e2);
		return STORE_ERR;
	}
	return STORE_OK;
}

void store_close(store *s)
{
	if (!s)
		return;
	if (s->in_tx)
		store_rollback(s);
	sqlite3_finalize(s->ins);
	sqlite3_close(s->db);
	free(s->path);
	free(s->table);
	free(s);
}

int store_mark_interrupted(store *s, long long *n, char *err, size_t errlen)
{
	char sql[256];
	snprintf(sql, sizeof sql,
		 "UPDATE \"%s_runs\" SET status = 'interrupted', message = 'the process ended without a "
		 "completion record (killed or crashed); nothing it wrote was committed' WHERE status = 'running'",
		 s->table);
	if (exec(s, sql, err, errlen))
		return STORE_ERR;
	if (n)
		*n = sqlite3_changes(s->db);
	return STORE_OK;
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* Bind r's fields to ?1..?19 in the order of the runs table (without run_id). */
static void bind_record(sqlite3_stmt *st, const run_record *r)
{
	sqlite3_bind_text(st, 1, r->run_date, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, r->status, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 3, r->exit_code);
	sqlite3_bind_int64(st, 4, r->rows);
	sqlite3_bind_int64(st, 5, r->rows_read);
	sqlite3_bind_int64(st, 6, r->chunks);
	sqlite3_bind_double(st, 7, r->duration_ms);
	bind_text_or_null(st, 8, r->input);
	if (r->has_input_age)
		sqlite3_bind_double(st, 9, r->input_age_s);
	else
		sqlite3_bind_null(st, 9);
	sqlite3_bind_double(st, 10, r->max_input_age_s);
	sqlite3_bind_double(st, 11, r->window_s);
	sqlite3_bind_int(st, 12, r->over_window);
	bind_text_or_null(st, 13, r->model_version);
	bind_text_or_null(st, 14, r->model_digest);
	bind_text_or_null(st, 15, r->export_path);
	sqlite3_bind_text(st, 16, r->started_at, -1, SQLITE_TRANSIENT);
	bind_text_or_null(st, 17, r->finished_at[0] ? r->finished_at : NULL);
	sqlite3_bind_int64(st, 18, r->pid);
	bind_text_or_null(st, 19, r->message);
}

static int run_stmt(store *s, const char *sql, const run_record *r, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		errf(err, errlen, "database: %s", sqlite3_errmsg(s->db));
		return STORE_ERR;
	}
	bind_record(st, r);
	if (r->run_id)
		sqlite3_bind_int64(st, 20, r->run_id);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		errf(err, errlen, "database: %s", sqlite3_errmsg(s->db));
		return STORE_ERR;
	}
	return STORE_OK;
}

int store_run_insert(store *s, run_record *r, char *err, size_t errlen)
{
	char sql[512];
	snprintf(sql, sizeof sql,
		 "INSERT INTO \"%s_runs\" (run_date, status, exit_code, rows, rows_read, chunks, duration_ms, "
		 "input, input_age_s, max_input_age_s, window_s, over_window, model_version, model_digest, export, "
		 "started_at, finished_at, pid, message) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
		 "?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
		 s->table);
	r->run_id = 0;
	if (run_stmt(s, sql, r, err, errlen))
		return STORE_ERR;
	r->run_id = sqlite3_last_insert_rowid(s->db);
	return STORE_OK;
}

int store_run_update(store *s, const run_record *r, char *err, size_t errlen)
{
	char sql[512];
	snprintf(sql, sizeof sql,
		 "UPDATE \"%s_runs\" SET run_date = ?1, status = ?2, exit_code = ?3, rows = ?4, rows_read = ?5, "
		 "chunks = ?6, duration_ms = ?7, input = ?8, input_age_s = ?9, max_input_age_s = ?10, "
		 "window_s = ?11, over_window = ?12, model_version = ?13, model_digest = ?14, export = ?15, "
		 "started_at = ?16, finished_at = ?17, pid = ?18, message = ?19 WHERE run_id = ?20",
		 s->table);
	if (!r->run_id) {
		errf(err, errlen, "database: the run has no record to update");
		return STORE_ERR;
	}
	return run_stmt(s, sql, r, err, errlen);
}

int store_begin(store *s, const char *run_date, long long *deleted, char *err, size_t errlen)
{
	if (!s->ins) {
		errf(err, errlen, "database: store_prepare was not called");
		return STORE_ERR;
	}
	if (exec(s, "BEGIN IMMEDIATE", err, errlen))
		return STORE_ERR;
	s->in_tx = 1;
	char sql[160];
	snprintf(sql, sizeof sql, "DELETE FROM \"%s\" WHERE run_date = ?1", s->table);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		errf(err, errlen, "database: %s", sqlite3_errmsg(s->db));
		store_rollback(s);
		return STORE_ERR;
	}
	sqlite3_bind_text(st, 1, run_date, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		errf(err, errlen, "database: %s", sqlite3_errmsg(s->db));
		store_rollback(s);
		return STORE_ERR;
	}
	if (deleted)
		*deleted = sqlite3_changes(s->db);
	if (sqlite3_bind_text(s->ins, 1, run_date, -1, SQLITE_TRANSIENT) != SQLITE_OK) {
		errf(err, errlen, "database: %s", sqlite3_errmsg(s->db));
		store_rollback(s);
		return STORE_ERR;
	}
	return STORE_OK;
}

int store_put(store *s, const char *key, const float *y, const char *model_version, char *err,
	      size_t errlen)
{
	sqlite3_stmt *st = s->ins;
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	for (size_t i = 0; i < s->n_outputs; i++)
		sqlite3_bind_double(st, (int)i + 3, (double)y[i]);
	sqlite3_bind_text(st, (int)s->n_outputs + 3, model_version, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return STORE_OK;
	if (rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
		errf(err, errlen, "key '%.200s' appears twice", key);
		return STORE_DUP;
	}
	errf(err, errlen, "database: %s", sqlite3_errmsg(s->db));
	return STORE_ERR;
}

int store_commit(store *s, char *err, size_t errlen)
{
	if (exec(s, "COMMIT", err, errlen)) {
		store_rollback(s);
		return STORE_ERR;
	}
	s->in_tx = 0;
	return STORE_OK;
}

void store_rollback(store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->in_tx = 0;
}

long long store_partition_rows(store *s, const char *run_date)
{
	char sql[160];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\" WHERE run_date = ?1", s->table);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, run_date, -1, SQLITE_TRANSIENT);
	long long n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	sqlite3_finalize(st);
	return n;
}

int store_last_run(store *s, const char *run_date, char *status, long long *rows, char *finished_at)
{
	char sql[200];
	snprintf(sql, sizeof sql,
		 "SELECT status, rows, coalesce(finished_at, '') FROM \"%s_runs\" WHERE run_date = ?1 "
		 "ORDER BY run_id DESC LIMIT 1",
		 s->table);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, run_date, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(st);
	int found = 0;
	if (rc == SQLITE_ROW) {
		snprintf(status, 32, "%s", (const char *)sqlite3_column_text(st, 0));
		*rows = sqlite3_column_int64(st, 1);
		snprintf(finished_at, 32, "%s", (const char *)sqlite3_column_text(st, 2));
		found = 1;
	} else if (rc != SQLITE_DONE) {
		found = -1;
	}
	sqlite3_finalize(st);
	return found;
}
