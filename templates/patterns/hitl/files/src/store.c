/* store.c - the SQLite store of cases, feedback and events.
 *
 * Design: every state change is a single IMMEDIATE transaction: the write
 * lock is taken first, then the expected state is checked by the UPDATE's
 * WHERE clause, so concurrent reviewers in other threads or processes are
 * serialised by SQLite itself and no claim or decision can be lost or
 * doubled. Arrays (features, probabilities, contributions) are stored as
 * JSON text: readable with the sqlite3 shell, and exported to CSV for
 * retraining by export.c. WAL mode lets the HTTP server and the reviewer
 * CLI use the same file at once.
 */
#include "store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#define SCHEMA_VERSION 1

struct hitl_store {
	sqlite3 *db;
};

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS cases("
	" id INTEGER PRIMARY KEY,"
	" external_id TEXT NOT NULL UNIQUE,"
	" status TEXT NOT NULL CHECK (status IN ('auto','queued','claimed','decided')),"
	" route TEXT NOT NULL CHECK (route IN ('auto','review','audit','unusual')),"
	" created_at INTEGER NOT NULL,"
	" due_at INTEGER NOT NULL DEFAULT 0,"
	" weight REAL NOT NULL,"
	" features TEXT NOT NULL,"
	" probs TEXT NOT NULL,"
	" recommendation TEXT NOT NULL,"
	" rec_index INTEGER NOT NULL,"
	" confidence REAL NOT NULL,"
	" top_features TEXT NOT NULL,"
	" threshold REAL NOT NULL,"
	" model_version TEXT NOT NULL,"
	" model_digest TEXT NOT NULL,"
	" claimed_by TEXT, claimed_at INTEGER,"
	" first_judgment TEXT, first_judgment_at INTEGER,"
	" decision TEXT, decided_by TEXT, reason TEXT, decided_at INTEGER);"
	"CREATE INDEX IF NOT EXISTS cases_status_due ON cases(status, due_at, id);"
	"CREATE TABLE IF NOT EXISTS feedback("
	" case_id INTEGER PRIMARY KEY REFERENCES cases(id),"
	" label TEXT NOT NULL,"
	" first_judgment TEXT,"
	" recommendation TEXT NOT NULL,"
	" confidence REAL NOT NULL,"
	" probs TEXT NOT NULL,"
	" features TEXT NOT NULL,"
	" reviewer TEXT NOT NULL,"
	" reason TEXT NOT NULL,"
	" route TEXT NOT NULL,"
	" weight REAL NOT NULL,"
	" blind INTEGER NOT NULL,"
	" model_version TEXT NOT NULL,"
	" model_digest TEXT NOT NULL,"
	" decided_at INTEGER NOT NULL,"
	" review_seconds INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS events("
	" id INTEGER PRIMARY KEY,"
	" case_id INTEGER NOT NULL REFERENCES cases(id),"
	" at INTEGER NOT NULL,"
	" actor TEXT NOT NULL,"
	" kind TEXT NOT NULL,"
	" detail TEXT);"
	"CREATE INDEX IF NOT EXISTS events_case ON events(case_id);";

static int db_fail(hitl_store *s, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: %s", what, sqlite3_errmsg(s->db));
	return HITL_EDB;
}

int hitl_store_open(hitl_store **out, const char *path, char *err, size_t errlen)
{
	*out = NULL;
	hitl_store *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot open database: %s", path,
			 s->db ? sqlite3_errmsg(s->db) : "out of memory");
		hitl_store_close(s);
		return -1;
	}
	sqlite3_busy_timeout(s->db, 5000);
	sqlite3_stmt *st = NULL;
	int version = -1;
	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version < 0) {
		snprintf(err, errlen, "%s: not a database: %s", path, sqlite3_errmsg(s->db));
		hitl_store_close(s);
		return -1;
	}
	if (version > SCHEMA_VERSION) {
		snprintf(err, errlen, "%s: schema version %d is newer than this program's (%d)", path, version,
			 SCHEMA_VERSION);
		hitl_store_close(s);
		return -1;
	}
	char *msg = NULL;
	if (sqlite3_exec(s->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
			 NULL, NULL, &msg) != SQLITE_OK ||
	    sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, msg ? msg : "cannot configure the database");
		sqlite3_free(msg);
		hitl_store_close(s);
		return -1;
	}
	char pragma[64];
	snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", SCHEMA_VERSION);
	if (sqlite3_exec(s->db, schema, NULL, NULL, &msg) != SQLITE_OK ||
	    sqlite3_exec(s->db, pragma, NULL, NULL, &msg) != SQLITE_OK ||
	    sqlite3_exec(s->db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot create the schema: %s", path, msg ? msg : "?");
		sqlite3_free(msg);
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		hitl_store_close(s);
		return -1;
	}
	*out = s;
	return 0;
}

void hitl_store_close(hitl_store *s)
{
	if (!s)
		return;
	sqlite3_close(s->db);
	free(s);
}

/* ---- JSON columns ------------------------------------------------------- */

static char *json_doubles(const double *v, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; a && i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateNumber(v[i]));
	char *s = a ? cJSON_PrintUnformatted(a) : NULL;
	cJSON_Delete(a);
	return s;
}

static char *json_top(const hitl_prediction *p)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; a && i < p->n_top; i++) {
		cJSON *t = cJSON_CreateArray();
		cJSON_AddItemToArray(t, cJSON_CreateNumber((double)p->top[i].feature));
		cJSON_AddItemToArray(t, cJSON_CreateNumber(p->top[i].value));
		cJSON_AddItemToArray(t, cJSON_CreateNumber(p->top[i].contribution));
		cJSON_AddItemToArray(a, t);
	}
	char *s = a ? cJSON_PrintUnformatted(a) : NULL;
	cJSON_Delete(a);
	return s;
}

static size_t read_doubles(const unsigned char *text, double *v, size_t max)
{
	cJSON *a = cJSON_Parse(text ? (const char *)text : "[]");
	size_t n = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, a)
	{
		if (n == max)
			break;
		v[n++] = cJSON_IsNumber(it) ? it->valuedouble : NAN;
	}
	cJSON_Delete(a);
	return n;
}

static void read_top(const unsigned char *text, hitl_prediction *p)
{
	cJSON *a = cJSON_Parse(text ? (const char *)text : "[]");
	p->n_top = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, a)
	{
		if (p->n_top == HITL_MAX_TOP || cJSON_GetArraySize(it) != 3)
			break;
		hitl_contribution *c = &p->top[p->n_top++];
		c->feature = (size_t)cJSON_GetArrayItem(it, 0)->valuedouble;
		c->value = cJSON_GetArrayItem(it, 1)->valuedouble;
		c->contribution = cJSON_GetArrayItem(it, 2)->valuedouble;
	}
	cJSON_Delete(a);
}

static void copy_text(char *dst, size_t size, sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	snprintf(dst, size, "%s", t ? (const char *)t : "");
}

/* ---- cases -------------------------------------------------------------- */

#define CASE_COLUMNS                                                                                      \
	"id, external_id, status, route, created_at, due_at, weight, features, probs, recommendation,"    \
	" rec_index, confidence, top_features, threshold, model_version, model_digest, claimed_by,"      \
	" claimed_at, first_judgment, first_judgment_at, decision, decided_by, reason, decided_at"

static void read_case(sqlite3_stmt *st, hitl_case *c)
{
	memset(c, 0, sizeof *c);
	c->id = sqlite3_column_int64(st, 0);
	copy_text(c->external_id, sizeof c->external_id, st, 1);
	copy_text(c->status, sizeof c->status, st, 2);
	int r = hitl_route_parse((const char *)sqlite3_column_text(st, 3));
	c->route = r < 0 ? HITL_ROUTE_REVIEW : (hitl_route)r;
	c->created_at = sqlite3_column_int64(st, 4);
	c->due_at = sqlite3_column_int64(st, 5);
	c->weight = sqlite3_column_double(st, 6);
	c->n_features = read_doubles(sqlite3_column_text(st, 7), c->features, HITL_MAX_FEATURES);
	c->pred.n_classes = read_doubles(sqlite3_column_text(st, 8), c->pred.probs, HITL_MAX_LABELS);
	copy_text(c->recommendation, sizeof c->recommendation, st, 9);
	c->pred.recommendation = (size_t)sqlite3_column_int64(st, 10);
	c->pred.confidence = sqlite3_column_double(st, 11);
	read_top(sqlite3_column_text(st, 12), &c->pred);
	c->threshold = sqlite3_column_double(st, 13);
	copy_text(c->model_version, sizeof c->model_version, st, 14);
	copy_text(c->model_digest, sizeof c->model_digest, st, 15);
	copy_text(c->claimed_by, sizeof c->claimed_by, st, 16);
	c->claimed_at = sqlite3_column_int64(st, 17);
	copy_text(c->first_judgment, sizeof c->first_judgment, st, 18);
	c->first_judgment_at = sqlite3_column_int64(st, 19);
	copy_text(c->decision, sizeof c->decision, st, 20);
	copy_text(c->decided_by, sizeof c->decided_by, st, 21);
	copy_text(c->reason, sizeof c->reason, st, 22);
	c->decided_at = sqlite3_column_int64(st, 23);
}

static int get_where(hitl_store *s, const char *where, int64_t id, const char *text, hitl_case *c, char *err,
		     size_t errlen)
{
	char sql[1024];
	snprintf(sql, sizeof sql, "SELECT " CASE_COLUMNS " FROM cases WHERE %s", where);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, "get", err, errlen);
	if (text)
		sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		read_case(st, c);
		rc = HITL_OK;
	} else if (rc == SQLITE_DONE) {
		if (text)
			snprintf(err, errlen, "case '%.100s' not found", text);
		else
			snprintf(err, errlen, "case #%lld not found", (long long)id);
		rc = HITL_ENOTFOUND;
	} else {
		rc = db_fail(s, "get", err, errlen);
	}
	sqlite3_finalize(st);
	return rc;
}

int hitl_store_get(hitl_store *s, int64_t id, hitl_case *c, char *err, size_t errlen)
{
	return get_where(s, "id = ?1", id, NULL, c, err, errlen);
}

static int event(hitl_store *s, int64_t case_id, int64_t at, const char *actor, const char *kind,
		 const char *detail)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "INSERT INTO events(case_id, at, actor, kind, detail) VALUES (?,?,?,?,?)",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, case_id);
	sqlite3_bind_int64(st, 2, at);
	sqlite3_bind_text(st, 3, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, kind, -1, SQLITE_STATIC);
	if (detail)
		sqlite3_bind_text(st, 5, detail, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

static int begin(hitl_store *s, char *err, size_t errlen)
{
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(s, "begin", err, errlen);
	return 0;
}

/* Commit when rc is HITL_OK, roll back otherwise; returns the final status. */
static int finish(hitl_store *s, int rc, char *err, size_t errlen)
{
	if (rc == HITL_OK) {
		if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
			return HITL_OK;
		rc = db_fail(s, "commit", err, errlen);
	}
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int hitl_store_insert(hitl_store *s, hitl_case *c, bool *existed, char *err, size_t errlen)
{
	*existed = false;
	char *features = json_doubles(c->features, c->n_features);
	char *probs = json_doubles(c->pred.probs, c->pred.n_classes);
	char *top = json_top(&c->pred);
	int rc = HITL_EDB;
	sqlite3_stmt *st = NULL;
	if (!features || !probs || !top) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	if ((rc = begin(s, err, errlen)) != 0)
		goto done;
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO cases(external_id, status, route, created_at, due_at, weight, features,"
			       " probs, recommendation, rec_index, confidence, top_features, threshold,"
			       " model_version, model_digest, decision, decided_at)"
			       " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17)"
			       " ON CONFLICT(external_id) DO NOTHING",
			       -1, &st, NULL) != SQLITE_OK) {
		rc = finish(s, db_fail(s, "insert", err, errlen), err, errlen);
		goto done;
	}
	bool automatic = c->route == HITL_ROUTE_AUTO;
	sqlite3_bind_text(st, 1, c->external_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, automatic ? "auto" : "queued", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, hitl_route_name(c->route), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, c->created_at);
	sqlite3_bind_int64(st, 5, automatic ? 0 : c->due_at);
	sqlite3_bind_double(st, 6, c->weight);
	sqlite3_bind_text(st, 7, features, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, probs, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, c->recommendation, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 10, (sqlite3_int64)c->pred.recommendation);
	sqlite3_bind_double(st, 11, c->pred.confidence);
	sqlite3_bind_text(st, 12, top, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 13, c->threshold);
	sqlite3_bind_text(st, 14, c->model_version, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 15, c->model_digest, -1, SQLITE_STATIC);
	if (automatic) {
		sqlite3_bind_text(st, 16, c->recommendation, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 17, c->created_at);
	}
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = finish(s, db_fail(s, "insert", err, errlen), err, errlen);
		goto done;
	}
	if (sqlite3_changes(s->db) == 0) {
		*existed = true;
		char ext[HITL_ID_MAX];
		snprintf(ext, sizeof ext, "%s", c->external_id);
		rc = finish(s, get_where(s, "external_id = ?1", 0, ext, c, err, errlen), err, errlen);
		goto done;
	}
	c->id = sqlite3_last_insert_rowid(s->db);
	snprintf(c->status, sizeof c->status, "%s", automatic ? "auto" : "queued");
	if (automatic)
		snprintf(c->decision, sizeof c->decision, "%s", c->recommendation);
	rc = event(s, c->id, c->created_at, "router", hitl_route_name(c->route), NULL) ? db_fail(s, "event", err, errlen)
										    : HITL_OK;
	rc = finish(s, rc, err, errlen);
done:
	sqlite3_finalize(st);
	free(features);
	free(probs);
	free(top);
	return rc;
}

int hitl_store_list(hitl_store *s, const char *status, size_t limit, hitl_case **out, size_t *n, char *err,
		    size_t errlen)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st;
	const char *sql = "SELECT " CASE_COLUMNS " FROM cases WHERE (?1 IS NULL OR status = ?1)"
			  " ORDER BY CASE WHEN due_at = 0 THEN 1 ELSE 0 END, due_at, id LIMIT ?2";
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, "list", err, errlen);
	if (status)
		sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, limit > INT64_MAX ? INT64_MAX : (sqlite3_int64)limit);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			hitl_case *grown = realloc(*out, ncap * sizeof **out);
			if (!grown) {
				sqlite3_finalize(st);
				free(*out);
				*out = NULL;
				*n = 0;
				snprintf(err, errlen, "out of memory");
				return HITL_EDB;
			}
			*out = grown;
			cap = ncap;
		}
		read_case(st, &(*out)[(*n)++]);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(*out);
		*out = NULL;
		*n = 0;
		return db_fail(s, "list", err, errlen);
	}
	return HITL_OK;
}

/* Why a transition from state c is refused, for the holder `reviewer`. */
static int refuse(const hitl_case *c, const char *reviewer, const char *action, char *err, size_t errlen)
{
	if (!strcmp(c->status, "auto"))
		snprintf(err, errlen, "case #%lld was decided automatically; there is nothing to %s",
			 (long long)c->id, action);
	else if (!strcmp(c->status, "decided"))
		snprintf(err, errlen, "case #%lld is already decided by %s", (long long)c->id, c->decided_by);
	else if (!strcmp(c->status, "queued"))
		snprintf(err, errlen, "case #%lld is not claimed; claim it before you %s", (long long)c->id, action);
	else if (strcmp(c->claimed_by, reviewer))
		snprintf(err, errlen, "case #%lld is claimed by %s", (long long)c->id, c->claimed_by);
	else
		snprintf(err, errlen, "case #%lld: cannot %s it now", (long long)c->id, action);
	return HITL_ECONFLICT;
}

int hitl_store_claim(hitl_store *s, int64_t id, const char *reviewer, int64_t now, char *err, size_t errlen)
{
	int rc = begin(s, err, errlen);
	if (rc)
		return rc;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db,
			       "UPDATE cases SET status = 'claimed', claimed_by = ?1, claimed_at = ?2"
			       " WHERE id = ?3 AND status = 'queued'",
			       -1, &st, NULL) != SQLITE_OK)
		return finish(s, db_fail(s, "claim", err, errlen), err, errlen);
	sqlite3_bind_text(st, 1, reviewer, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, id);
	rc = sqlite3_step(st) == SQLITE_DONE ? HITL_OK : db_fail(s, "claim", err, errlen);
	sqlite3_finalize(st);
	if (rc == HITL_OK && sqlite3_changes(s->db) == 1) {
		if (event(s, id, now, reviewer, "claim", NULL))
			rc = db_fail(s, "event", err, errlen);
		return finish(s, rc, err, errlen);
	}
	if (rc == HITL_OK) {
		hitl_case c;
		rc = hitl_store_get(s, id, &c, err, errlen);
		if (rc == HITL_OK && !(!strcmp(c.status, "claimed") && !strcmp(c.claimed_by, reviewer)))
			rc = refuse(&c, reviewer, "claim", err, errlen);
	}
	/* nothing was written: ending the transaction either way is the same */
	finish(s, HITL_OK, err, errlen);
	return rc;
}

int hitl_store_release(hitl_store *s, int64_t id, const char *reviewer, bool force, int64_t now, char *err,
		       size_t errlen)
{
	int rc = begin(s, err, errlen);
	if (rc)
		return rc;
	hitl_case c;
	rc = hitl_store_get(s, id, &c, err, errlen);
	if (rc == HITL_OK && (strcmp(c.status, "claimed") || (!force && strcmp(c.claimed_by, reviewer))))
		rc = refuse(&c, reviewer, "release", err, errlen);
	if (rc == HITL_OK) {
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(s->db,
				       "UPDATE cases SET status = 'queued', claimed_by = NULL, claimed_at = NULL,"
				       " first_judgment = NULL, first_judgment_at = NULL"
				       " WHERE id = ?1 AND status = 'claimed'",
				       -1, &st, NULL) != SQLITE_OK)
			return finish(s, db_fail(s, "release", err, errlen), err, errlen);
		sqlite3_bind_int64(st, 1, id);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = db_fail(s, "release", err, errlen);
		sqlite3_finalize(st);
		char detail[128];
		snprintf(detail, sizeof detail, "held by %s%s", c.claimed_by, force ? " (forced)" : "");
		if (rc == HITL_OK && event(s, id, now, reviewer, "release", detail))
			rc = db_fail(s, "event", err, errlen);
	}
	return finish(s, rc, err, errlen);
}

int hitl_store_judge(hitl_store *s, int64_t id, const char *reviewer, const char *label, int64_t now, char *err,
		     size_t errlen)
{
	int rc = begin(s, err, errlen);
	if (rc)
		return rc;
	hitl_case c;
	rc = hitl_store_get(s, id, &c, err, errlen);
	if (rc == HITL_OK && (strcmp(c.status, "claimed") || strcmp(c.claimed_by, reviewer)))
		rc = refuse(&c, reviewer, "judge", err, errlen);
	if (rc == HITL_OK && c.first_judgment[0]) {
		snprintf(err, errlen, "case #%lld already has a first judgment (%s); it cannot be changed",
			 (long long)id, c.first_judgment);
		rc = HITL_ECONFLICT;
	}
	if (rc == HITL_OK) {
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(s->db,
				       "UPDATE cases SET first_judgment = ?1, first_judgment_at = ?2"
				       " WHERE id = ?3 AND status = 'claimed' AND first_judgment IS NULL",
				       -1, &st, NULL) != SQLITE_OK)
			return finish(s, db_fail(s, "judge", err, errlen), err, errlen);
		sqlite3_bind_text(st, 1, label, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, now);
		sqlite3_bind_int64(st, 3, id);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = db_fail(s, "judge", err, errlen);
		sqlite3_finalize(st);
		if (rc == HITL_OK && event(s, id, now, reviewer, "judgment", label))
			rc = db_fail(s, "event", err, errlen);
	}
	return finish(s, rc, err, errlen);
}

int hitl_store_decide(hitl_store *s, int64_t id, const char *reviewer, const char *label, const char *reason,
		      bool blind_first, int64_t now, char *err, size_t errlen)
{
	int rc = begin(s, err, errlen);
	if (rc)
		return rc;
	hitl_case c;
	rc = hitl_store_get(s, id, &c, err, errlen);
	if (rc == HITL_OK && (strcmp(c.status, "claimed") || strcmp(c.claimed_by, reviewer)))
		rc = refuse(&c, reviewer, "decide", err, errlen);
	if (rc == HITL_OK && blind_first && !c.first_judgment[0]) {
		snprintf(err, errlen,
			 "case #%lld: record your own judgment first (blind first): the model's recommendation "
			 "is shown after it",
			 (long long)id);
		rc = HITL_EJUDGMENT;
	}
	if (rc != HITL_OK)
		return finish(s, rc, err, errlen);

	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db,
			       "UPDATE cases SET status = 'decided', decision = ?1, decided_by = ?2, reason = ?3,"
			       " decided_at = ?4 WHERE id = ?5 AND status = 'claimed' AND claimed_by = ?2",
			       -1, &st, NULL) != SQLITE_OK)
		return finish(s, db_fail(s, "decide", err, errlen), err, errlen);
	sqlite3_bind_text(st, 1, label, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, reviewer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_int64(st, 5, id);
	if (sqlite3_step(st) != SQLITE_DONE || sqlite3_changes(s->db) != 1)
		rc = db_fail(s, "decide", err, errlen);
	sqlite3_finalize(st);
	if (rc != HITL_OK)
		return finish(s, rc, err, errlen);

	char *features = json_doubles(c.features, c.n_features);
	char *probs = json_doubles(c.pred.probs, c.pred.n_classes);
	if (!features || !probs ||
	    sqlite3_prepare_v2(s->db,
			       "INSERT INTO feedback(case_id, label, first_judgment, recommendation, confidence,"
			       " probs, features, reviewer, reason, route, weight, blind, model_version,"
			       " model_digest, decided_at, review_seconds)"
			       " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16)",
			       -1, &st, NULL) != SQLITE_OK) {
		free(features);
		free(probs);
		return finish(s, db_fail(s, "feedback", err, errlen), err, errlen);
	}
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, label, -1, SQLITE_STATIC);
	if (c.first_judgment[0])
		sqlite3_bind_text(st, 3, c.first_judgment, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, c.recommendation, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 5, c.pred.confidence);
	sqlite3_bind_text(st, 6, probs, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, features, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, reviewer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, hitl_route_name(c.route), -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 11, c.weight);
	sqlite3_bind_int(st, 12, blind_first && c.first_judgment[0]);
	sqlite3_bind_text(st, 13, c.model_version, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 14, c.model_digest, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 15, now);
	sqlite3_bind_int64(st, 16, now - c.created_at);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = db_fail(s, "feedback", err, errlen);
	sqlite3_finalize(st);
	free(features);
	free(probs);
	if (rc == HITL_OK && event(s, id, now, reviewer, "decision", label))
		rc = db_fail(s, "event", err, errlen);
	return finish(s, rc, err, errlen);
}

int hitl_store_feedback_each(hitl_store *s, int (*fn)(void *ctx, const hitl_feedback *f), void *ctx, char *err,
			     size_t errlen)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT f.case_id, c.external_id, f.features, f.label, f.first_judgment,"
			       " f.recommendation, f.confidence, f.probs, f.reviewer, f.reason, f.route, f.weight,"
			       " f.blind, f.model_version, f.model_digest, f.decided_at, f.review_seconds"
			       " FROM feedback f JOIN cases c ON c.id = f.case_id ORDER BY f.decided_at, f.case_id",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, "feedback", err, errlen);
	hitl_feedback *f = malloc(sizeof *f);
	if (!f) {
		sqlite3_finalize(st);
		snprintf(err, errlen, "out of memory");
		return HITL_EDB;
	}
	int rc, stop = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(f, 0, sizeof *f);
		f->case_id = sqlite3_column_int64(st, 0);
		copy_text(f->external_id, sizeof f->external_id, st, 1);
		f->n_features = read_doubles(sqlite3_column_text(st, 2), f->features, HITL_MAX_FEATURES);
		copy_text(f->label, sizeof f->label, st, 3);
		copy_text(f->first_judgment, sizeof f->first_judgment, st, 4);
		copy_text(f->recommendation, sizeof f->recommendation, st, 5);
		f->confidence = sqlite3_column_double(st, 6);
		f->n_classes = read_doubles(sqlite3_column_text(st, 7), f->probs, HITL_MAX_LABELS);
		copy_text(f->reviewer, sizeof f->reviewer, st, 8);
		copy_text(f->reason, sizeof f->reason, st, 9);
		int r = hitl_route_parse((const char *)sqlite3_column_text(st, 10));
		f->route = r < 0 ? HITL_ROUTE_REVIEW : (hitl_route)r;
		f->weight = sqlite3_column_double(st, 11);
		f->blind = sqlite3_column_int(st, 12) != 0;
		copy_text(f->model_version, sizeof f->model_version, st, 13);
		copy_text(f->model_digest, sizeof f->model_digest, st, 14);
		f->decided_at = sqlite3_column_int64(st, 15);
		f->review_seconds = sqlite3_column_int64(st, 16);
		if ((stop = fn(ctx, f)) != 0)
			break;
	}
	free(f);
	if (!stop && rc != SQLITE_DONE)
		stop = db_fail(s, "feedback", err, errlen);
	sqlite3_finalize(st);
	return stop;
}

int hitl_store_counts(hitl_store *s, int64_t now, hitl_counts *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT COUNT(*),"
			       " COALESCE(SUM(status = 'auto'), 0), COALESCE(SUM(status = 'queued'), 0),"
			       " COALESCE(SUM(status = 'claimed'), 0), COALESCE(SUM(status = 'decided'), 0),"
			       " COALESCE(SUM(route = 'audit'), 0),"
			       " COALESCE(SUM(status IN ('queued','claimed') AND due_at < ?1), 0) FROM cases",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, "counts", err, errlen);
	sqlite3_bind_int64(st, 1, now);
	int rc = HITL_OK;
	if (sqlite3_step(st) == SQLITE_ROW) {
		out->total = sqlite3_column_int64(st, 0);
		out->automated = sqlite3_column_int64(st, 1);
		out->queued = sqlite3_column_int64(st, 2);
		out->claimed = sqlite3_column_int64(st, 3);
		out->decided = sqlite3_column_int64(st, 4);
		out->audited = sqlite3_column_int64(st, 5);
		out->overdue = sqlite3_column_int64(st, 6);
	} else {
		rc = db_fail(s, "counts", err, errlen);
	}
	sqlite3_finalize(st);
	return rc;
}

int hitl_store_event_count(hitl_store *s, int64_t case_id, const char *kind, int64_t *out, char *err,
			   size_t errlen)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "SELECT COUNT(*) FROM events WHERE case_id = ?1 AND kind = ?2", -1, &st,
			       NULL) != SQLITE_OK)
		return db_fail(s, "events", err, errlen);
	sqlite3_bind_int64(st, 1, case_id);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st) == SQLITE_ROW ? HITL_OK : db_fail(s, "events", err, errlen);
	*out = rc == HITL_OK ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return rc;
}
