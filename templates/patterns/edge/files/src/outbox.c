/* outbox.c - SQLite store-and-forward outbox.
 *
 * Design: the sequence counter and the row are written in one transaction
 * (WAL, synchronous=FULL), so results survive power loss and a result id is
 * never issued twice; a row leaves the outbox only when the endpoint
 * acknowledged it, so delivery is at-least-once and the id makes it
 * exactly-once at a server that de-duplicates. Storage is bounded: above
 * max_rows the oldest result is dropped and counted (the device keeps
 * working through a long outage). */
#include "outbox.h"

#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct outbox {
	sqlite3 *db;
	long max_rows;
};

static const char *SCHEMA =
	"PRAGMA journal_mode=WAL;"
	"PRAGMA synchronous=FULL;"
	"CREATE TABLE IF NOT EXISTS outbox("
	" id TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE, body TEXT NOT NULL,"
	" attempts INTEGER NOT NULL DEFAULT 0, next_try_ms INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE IF NOT EXISTS state(key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
	"INSERT OR IGNORE INTO state VALUES('next_seq', 1), ('dropped', 0);";

int outbox_open(outbox **out, const char *path, long max_rows, char *err, size_t errlen)
{
	*out = NULL;
	outbox *o = calloc(1, sizeof *o);
	if (!o)
		return -1;
	o->max_rows = max_rows;
	char *msg = NULL;
	if (sqlite3_open(path, &o->db) != SQLITE_OK ||
	    sqlite3_busy_timeout(o->db, 5000) != SQLITE_OK ||
	    sqlite3_exec(o->db, SCHEMA, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, msg ? msg : sqlite3_errmsg(o->db));
		sqlite3_free(msg);
		outbox_close(o);
		return -1;
	}
	*out = o;
	return 0;
}

void outbox_close(outbox *o)
{
	if (!o)
		return;
	sqlite3_close(o->db);
	free(o);
}

static int exec(outbox *o, const char *sql)
{
	return sqlite3_exec(o->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static int64_t scalar(outbox *o, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;
	if (sqlite3_prepare_v2(o->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

int outbox_put(outbox *o, const char *device_id,
	       char *(*make_body)(void *ctx, const char *id, int64_t seq), void *ctx, char *id_out)
{
	if (exec(o, "BEGIN IMMEDIATE") != 0)
		return -1;
	int64_t seq = scalar(o, "SELECT value FROM state WHERE key='next_seq'");
	char id[128];
	snprintf(id, sizeof id, "%.100s-%012" PRId64, device_id, seq);
	char *body = seq > 0 ? make_body(ctx, id, seq) : NULL;
	sqlite3_stmt *st = NULL;
	int rc = -1;
	if (body && sqlite3_prepare_v2(o->db, "INSERT INTO outbox(id, seq, body) VALUES(?, ?, ?)", -1, &st,
				       NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, seq);
		sqlite3_bind_text(st, 3, body, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) == SQLITE_DONE)
			rc = 0;
	}
	sqlite3_finalize(st);
	free(body);
	if (rc == 0)
		rc = exec(o, "UPDATE state SET value = value + 1 WHERE key='next_seq'");
	if (rc == 0 && scalar(o, "SELECT count(*) FROM outbox") > o->max_rows) {
		char sql[256];
		int64_t over = scalar(o, "SELECT count(*) FROM outbox") - o->max_rows;
		snprintf(sql, sizeof sql,
			 "DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox ORDER BY seq LIMIT %" PRId64 ");"
			 "UPDATE state SET value = value + %" PRId64 " WHERE key='dropped';",
			 over, over);
		rc = exec(o, sql);
	}
	if (rc == 0 && exec(o, "COMMIT") == 0) {
		if (id_out)
			memcpy(id_out, id, strlen(id) + 1);
		return 0;
	}
	exec(o, "ROLLBACK");
	return -1;
}

int outbox_due(outbox *o, int64_t now_ms, outbox_row *rows, int max)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(o->db,
			       "SELECT id, seq, body, attempts FROM outbox WHERE next_try_ms <= ? ORDER BY seq LIMIT ?",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, now_ms);
	sqlite3_bind_int(st, 2, max);
	int n = 0;
	while (n < max && sqlite3_step(st) == SQLITE_ROW) {
		outbox_row *r = &rows[n];
		snprintf(r->id, sizeof r->id, "%s", (const char *)sqlite3_column_text(st, 0));
		r->seq = sqlite3_column_int64(st, 1);
		const char *b = (const char *)sqlite3_column_text(st, 2);
		r->body = malloc(strlen(b) + 1);
		if (!r->body)
			break;
		memcpy(r->body, b, strlen(b) + 1);
		r->attempts = (long)sqlite3_column_int64(st, 3);
		n++;
	}
	sqlite3_finalize(st);
	return n;
}

void outbox_rows_free(outbox_row *rows, int n)
{
	for (int i = 0; i < n; i++) {
		free(rows[i].body);
		rows[i].body = NULL;
	}
}

static int by_id(outbox *o, const char *sql, const char *id, int64_t v)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(o->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	if (sqlite3_bind_parameter_count(st) >= 2)
		sqlite3_bind_int64(st, 2, v);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

int outbox_ack(outbox *o, const char *id)
{
	return by_id(o, "DELETE FROM outbox WHERE id = ?1", id, 0);
}

int outbox_retry_at(outbox *o, const char *id, int64_t next_ms)
{
	return by_id(o, "UPDATE outbox SET attempts = attempts + 1, next_try_ms = ?2 WHERE id = ?1", id, next_ms);
}

long outbox_pending(outbox *o)
{
	return (long)scalar(o, "SELECT count(*) FROM outbox");
}

long outbox_dropped(outbox *o)
{
	return (long)scalar(o, "SELECT value FROM state WHERE key='dropped'");
}
