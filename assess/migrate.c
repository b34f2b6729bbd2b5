/* migrate.c - model migrations: reading a model's `migrations:` list, and
 * carrying answers written for an earlier version of a model over to the
 * current one (docs/formats/maturity-model.md#migrations).
 *
 * Design choices:
 * - Reading checks every entry and records every problem at its own
 *   line:col (like the rest of the model), so one `validate` run lists all.
 *   The structs are malloc'd here and freed by assess_migrations_free; their
 *   strings point into the model's YAML document.
 * - Migrating builds a fresh answers set from the old one in one pass: every
 *   new answer is computed from the old answers only, so a level remap is
 *   applied exactly once and chains or swaps (a -> b, b -> c) never cascade.
 *   Old answers are grouped by the new id they go to (sorted, O(n log n)):
 *   a group of several is a merge. An old id with no entry is kept as it is
 *   (and, when it is also the target of an entry, takes part in the merge).
 * - Positions (line:col) of the old answers are kept, so diagnostics about
 *   migrated answers still point into the file the user wrote.
 */
#include <stdlib.h>
#include <string.h>

#include "assess_int.h"

/* ---- reading the model's migrations ---------------------------------------------- */

typedef struct {
	weft_assess_model *m;
	const weft_yaml_doc *doc;
	weft_diags *d;
	const char *path;
	size_t errors;
} rctx;

static void err_at(rctx *c, const weft_yaml_node *n, const char *hint, const char *fmt, ...)
	WEFT_PRINTF(4, 5);
static void err_at(rctx *c, const weft_yaml_node *n, const char *hint, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	weft_diags_vadd(c->d, WEFT_SEV_ERROR, c->path, n ? n->line : 0, n ? n->col : 0, hint, fmt, ap);
	va_end(ap);
	c->errors++;
}

static void count(rctx *c, int err)
{
	if (err)
		c->errors++;
}

/* The key node of key in map (for errors about the key itself), or NULL. */
static const weft_yaml_node *key_node(const weft_yaml_node *map, const char *key)
{
	if (!map || map->kind != WEFT_YAML_MAPPING)
		return NULL;
	size_t len = strlen(key);
	for (size_t i = 0; i < map->n; i++)
		if (map->keys[i]->len == len && memcmp(map->keys[i]->scalar, key, len) == 0)
			return map->keys[i];
	return NULL;
}

static bool has_nul(const weft_yaml_node *n)
{
	return n->kind == WEFT_YAML_SCALAR && n->len != strlen(n->scalar);
}

/* A scalar id or a non-empty sequence of them, into a malloc'd array.
 * what: "question" or "dimension"; checks each against the model. */
static void read_targets(rctx *c, const char ***out, size_t *n_out, const weft_yaml_node *v,
			 const char *from, bool questions)
{
	const char *what = questions ? "question" : "dimension";
	*out = NULL;
	*n_out = 0;
	if (!v || weft_yaml_is_null(v)) {
		err_at(c, v, questions ? "name the question it became: {to: new-id}"
				       : "name the dimension or dimensions it became: [new-a, new-b]",
		       "migration of '%s': 'to' is empty", assess_clean(from));
		return;
	}
	if (v->kind == WEFT_YAML_MAPPING) {
		err_at(c, v, "write one id or a list of ids", "migration of '%s': expected a %s id or a list of ids, got %s",
		       assess_clean(from), what, weft_yaml_describe(v));
		return;
	}
	const weft_yaml_node *const *items = v->kind == WEFT_YAML_SEQUENCE
						     ? (const weft_yaml_node *const *)v->items
						     : (const weft_yaml_node *const *)&v;
	size_t n = v->kind == WEFT_YAML_SEQUENCE ? v->n : 1;
	if (n == 0) {
		err_at(c, v, "name at least one id; a question that was dropped is {removed: \"why\"}",
		       "migration of '%s': the list of new ids is empty", assess_clean(from));
		return;
	}
	const char **to = calloc(n, sizeof *to);
	if (!to) {
		err_at(c, v, NULL, "out of memory");
		return;
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const weft_yaml_node *it = items[i];
		if (it->kind != WEFT_YAML_SCALAR || weft_yaml_is_null(it) || has_nul(it)) {
			err_at(c, it, NULL, "migration of '%s': expected a %s id, got %s", assess_clean(from),
			       what, weft_yaml_describe(it));
			continue;
		}
		const assess_id_entry *e = assess_model_lookup(c->m, it->scalar);
		bool ok = e && (questions ? e->q != NULL : e->q == NULL);
		if (!ok && e) {
			err_at(c, it, questions ? "migrations map question ids to question ids; dimensions go under 'dimensions'"
						: "migrations map dimension ids to dimension ids; questions go under 'questions'",
			       "migration of '%s': '%s' is a %s of this model, not a %s", assess_clean(from),
			       assess_clean(it->scalar), questions ? "dimension" : "question", what);
			continue;
		}
		if (!ok) {
			const char *s = NULL;
			if (questions) {
				s = assess_model_suggest(c->m, it->scalar, true);
			} else if (c->m->n_dims <= 2000 && it->len <= 128) {
				const char **ids = calloc(c->m->n_dims ? c->m->n_dims : 1, sizeof *ids);
				if (ids) {
					for (size_t j = 0; j < c->m->n_dims; j++)
						ids[j] = c->m->dims[j].id;
					s = weft_suggest(it->scalar, ids, c->m->n_dims);
					free(ids);
				}
			}
			char hint[200];
			if (s)
				snprintf(hint, sizeof hint, "did you mean '%.120s'?", s);
			err_at(c, it, s ? hint : NULL, "migration of '%s': '%s' is not a %s of model '%s' %s",
			       assess_clean(from), assess_clean(it->scalar), what, c->m->id,
			       assess_clean(c->m->version));
			continue;
		}
		bool twice = false;
		for (size_t j = 0; j < k && !twice; j++) /* lists are short; bounded below */
			twice = strcmp(to[j], it->scalar) == 0;
		if (twice) {
			err_at(c, it, NULL, "migration of '%s': '%s' is listed twice", assess_clean(from),
			       assess_clean(it->scalar));
			continue;
		}
		if (k >= 64) {
			err_at(c, it, "a question split into more than 64 is not a migration; answer the new model",
			       "migration of '%s': too many new ids", assess_clean(from));
			break;
		}
		to[k++] = it->scalar;
	}
	*out = to;
	*n_out = k;
}

/* levels: {1: a, 2: b, 3: c, 4: d, 5: e}, each old level 1..5 once, to 1..5. */
static void read_levels(rctx *c, weft_assess_qmigration *q, const weft_yaml_node *v)
{
	static const char hint[] = "map every old level 1 to 5 to a new level 1 to 5, e.g. "
				   "levels: {1: 1, 2: 1, 3: 2, 4: 3, 5: 4}";
	if (!v || v->kind != WEFT_YAML_MAPPING) {
		err_at(c, v, hint, "migration of '%s': 'levels' expected a mapping, got %s",
		       assess_clean(q->from), weft_yaml_describe(v));
		return;
	}
	const weft_yaml_node *seen[WEFT_ASSESS_LEVELS] = { 0 };
	bool bad = false;
	for (size_t i = 0; i < v->n; i++) {
		const weft_yaml_node *k = v->keys[i], *val = v->items[i];
		long long from = 0, to = 0;
		if (weft_yaml_as_int(&from, k) || from < 1 || from > WEFT_ASSESS_LEVELS) {
			err_at(c, k, hint, "migration of '%s': '%s' is not a level (1 to 5)",
			       assess_clean(q->from), assess_clean(k->scalar));
			bad = true;
			continue;
		}
		if (seen[from - 1]) {
			char h[64];
			snprintf(h, sizeof h, "first given at line %d, column %d", seen[from - 1]->line,
				 seen[from - 1]->col);
			err_at(c, k, h, "migration of '%s': old level %lld is mapped twice", assess_clean(q->from),
			       from);
			bad = true;
			continue;
		}
		seen[from - 1] = k;
		if (weft_yaml_as_int(&to, val) || to < 1 || to > WEFT_ASSESS_LEVELS) {
			if (val->kind == WEFT_YAML_SCALAR && !has_nul(val))
				err_at(c, val, hint, "migration of '%s': old level %lld maps to '%s', not a level (1 to 5)",
				       assess_clean(q->from), from, assess_clean(val->scalar));
			else
				err_at(c, val, hint, "migration of '%s': old level %lld maps to %s, not a level (1 to 5)",
				       assess_clean(q->from), from, weft_yaml_describe(val));
			bad = true;
			continue;
		}
		q->levels[from - 1] = (int)to;
	}
	for (int L = 1; L <= WEFT_ASSESS_LEVELS; L++)
		if (!seen[L - 1]) {
			err_at(c, v, hint, "migration of '%s': old level %d is not mapped", assess_clean(q->from), L);
			bad = true;
		}
	q->remap = !bad;
}

static void read_question(rctx *c, weft_assess_qmigration *q, const weft_yaml_node *key,
			  const weft_yaml_node *v)
{
	static const char *const keys[] = { "to", "levels", "removed", NULL };
	q->from = key->scalar;
	q->line = key->line;
	q->col = key->col;
	if (has_nul(key)) {
		err_at(c, key, NULL, "migration: question id contains a NUL character");
		return;
	}
	if (!v || v->kind != WEFT_YAML_MAPPING) {
		err_at(c, v && !weft_yaml_is_null(v) ? v : key,
		       "write {to: new-id}, {to: [new-a, new-b]}, {levels: {1: 1, ...}} or {removed: \"why\"}",
		       "migration of '%s': expected a mapping, got %s", assess_clean(q->from),
		       weft_yaml_describe(v));
		return;
	}
	weft_yaml_check_keys(c->doc, v, keys, WEFT_SEV_WARNING, c->d);
	const weft_yaml_node *to = weft_yaml_get(v, "to"), *lv = weft_yaml_get(v, "levels"),
			     *rm = weft_yaml_get(v, "removed");
	if (rm) {
		const char *why = NULL;
		bool b;
		if (!weft_yaml_is_null(rm) && weft_yaml_as_bool(&b, rm) == 0) {
			err_at(c, rm, "removed: \"why it was dropped\" (the reason goes into the reports)",
			       "migration of '%s': 'removed' needs the reason the question was dropped, got %s",
			       assess_clean(q->from), weft_yaml_describe(rm));
		} else {
			int err = weft_yaml_str(&why, c->doc, v, "removed", false, c->d);
			count(c, err);
			const char *p = why;
			while (p && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
				p++;
			if (!err && (!p || !*p))
				err_at(c, rm, "removed: \"why it was dropped\" (the reason goes into the reports)",
				       "migration of '%s': 'removed' needs a reason", assess_clean(q->from));
			else if (!err)
				q->removed = why;
		}
		if (to)
			err_at(c, key_node(v, "to"), "a question that was dropped goes nowhere: remove 'to', or 'removed'",
			       "migration of '%s': 'to' cannot go with 'removed'", assess_clean(q->from));
		if (lv)
			err_at(c, key_node(v, "levels"), "a question that was dropped has no levels: remove 'levels', or 'removed'",
			       "migration of '%s': 'levels' cannot go with 'removed'", assess_clean(q->from));
		return;
	}
	if (!to && !lv) {
		err_at(c, v, "give to: (renamed, split, merged), levels: (level meaning changed) or removed: \"why\"",
		       "migration of '%s' says nothing", assess_clean(q->from));
		return;
	}
	if (to) {
		read_targets(c, &q->to, &q->n_to, to, q->from, true);
	} else {
		/* same id, level meaning changed: the id must still be a question */
		const assess_id_entry *e = assess_model_lookup(c->m, q->from);
		if (!e || !e->q) {
			const char *s = e ? NULL : assess_model_suggest(c->m, q->from, true);
			char hint[240];
			snprintf(hint, sizeof hint,
				 "levels without 'to' keep the id; add to: with its new id%s%.120s%s",
				 s ? " (did you mean '" : "", s ? s : "", s ? "'?)" : "");
			err_at(c, key, hint, "migration of '%s': '%s' is not a question of model '%s' %s",
			       assess_clean(q->from), assess_clean(q->from), c->m->id, assess_clean(c->m->version));
		} else if ((q->to = calloc(1, sizeof *q->to))) {
			q->to[0] = e->q->id;
			q->n_to = 1;
		} else {
			err_at(c, key, NULL, "out of memory");
		}
	}
	if (lv)
		read_levels(c, q, lv);
}

static void read_dimension(rctx *c, weft_assess_dmigration *dm, const weft_yaml_node *key,
			   const weft_yaml_node *v)
{
	dm->from = key->scalar;
	dm->line = key->line;
	dm->col = key->col;
	if (has_nul(key)) {
		err_at(c, key, NULL, "migration: dimension id contains a NUL character");
		return;
	}
	read_targets(c, &dm->to, &dm->n_to, v, dm->from, false);
}

static void read_migration(rctx *c, weft_assess_migration *mg, const weft_yaml_node *map,
			   const weft_yaml_node **from_node)
{
	static const char *const keys[] = { "from", "note", "questions", "dimensions", NULL };
	mg->line = map->line;
	mg->col = map->col;
	weft_yaml_check_keys(c->doc, map, keys, WEFT_SEV_WARNING, c->d);
	const weft_yaml_node *fn = weft_yaml_get(map, "from");
	if (!fn) {
		err_at(c, map, "name the earlier version the migration starts from: from: \"1.0\"",
		       "migration: missing required field 'from'");
	} else if (weft_yaml_is_null(fn)) {
		err_at(c, fn, "name the earlier version the migration starts from: from: \"1.0\"",
		       "migration: 'from' is empty");
	} else if (fn->kind != WEFT_YAML_SCALAR) {
		err_at(c, fn, "name the earlier version the migration starts from: from: \"1.0\"",
		       "migration: 'from' expected a version string, got %s", weft_yaml_describe(fn));
	} else {
		const char *from = NULL;
		if (assess_req_str(&from, c->doc, map, "from", c->d) == 0) {
			if (strcmp(from, c->m->version) == 0)
				err_at(c, fn, "a migration carries answers from an earlier version to this one",
				       "migration from '%s': that is this model's own version", assess_clean(from));
			else
				mg->from = from;
			*from_node = fn;
		} else {
			c->errors++;
		}
	}
	count(c, weft_yaml_str(&mg->note, c->doc, map, "note", false, c->d));

	const weft_yaml_node *qs = weft_yaml_get(map, "questions");
	if (qs && !weft_yaml_is_null(qs)) {
		if (qs->kind != WEFT_YAML_MAPPING) {
			err_at(c, qs, "map each old question id to what became of it: old-id: {to: new-id}",
			       "migration: 'questions' expected a mapping, got %s", weft_yaml_describe(qs));
		} else if (qs->n && !(mg->questions = calloc(qs->n, sizeof *mg->questions))) {
			err_at(c, qs, NULL, "out of memory");
		} else {
			for (size_t i = 0; i < qs->n; i++)
				read_question(c, &mg->questions[mg->n_questions++], qs->keys[i], qs->items[i]);
		}
	}
	const weft_yaml_node *ds = weft_yaml_get(map, "dimensions");
	if (ds && !weft_yaml_is_null(ds)) {
		if (ds->kind != WEFT_YAML_MAPPING) {
			err_at(c, ds, "map each old dimension id to its new id or ids: embedded-edge: [embedded, edge]",
			       "migration: 'dimensions' expected a mapping, got %s", weft_yaml_describe(ds));
		} else if (ds->n && !(mg->dims = calloc(ds->n, sizeof *mg->dims))) {
			err_at(c, ds, NULL, "out of memory");
		} else {
			for (size_t i = 0; i < ds->n; i++)
				read_dimension(c, &mg->dims[mg->n_dims++], ds->keys[i], ds->items[i]);
		}
	}
}

static int cmp_from(const void *x, const void *y)
{
	const weft_assess_migration *a = *(const weft_assess_migration *const *)x;
	const weft_assess_migration *b = *(const weft_assess_migration *const *)y;
	int r = strcmp(a->from, b->from);
	if (r)
		return r;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	return a->col < b->col ? -1 : a->col > b->col;
}

size_t assess_migrations_read(weft_assess_model *m, const weft_yaml_doc *doc,
			      const weft_yaml_node *seq, weft_diags *d)
{
	rctx c = { m, doc, d, weft_yaml_doc_path(doc), 0 };
	if (!seq || seq->kind != WEFT_YAML_SEQUENCE || seq->n == 0)
		return 0;
	const weft_yaml_node **fnodes = calloc(seq->n, sizeof *fnodes);
	weft_assess_migration **by = calloc(seq->n, sizeof *by);
	if (!fnodes || !by || !(m->migrations = calloc(seq->n, sizeof *m->migrations))) {
		free(fnodes);
		free(by);
		err_at(&c, seq, NULL, "out of memory");
		return c.errors;
	}
	for (size_t i = 0; i < seq->n; i++) {
		const weft_yaml_node *it = seq->items[i];
		if (it->kind != WEFT_YAML_MAPPING) {
			err_at(&c, it, "each migration is a mapping: - from: \"1.0\"",
			       "migration: expected a mapping, got %s", weft_yaml_describe(it));
			continue;
		}
		read_migration(&c, &m->migrations[m->n_migrations], it, &fnodes[m->n_migrations]);
		m->n_migrations++;
	}
	/* from unique across entries: sorted, so equal versions sit together
	 * in file order and the later one is reported */
	size_t n = 0;
	for (size_t i = 0; i < m->n_migrations; i++)
		if (m->migrations[i].from)
			by[n++] = &m->migrations[i];
	qsort(by, n, sizeof *by, cmp_from);
	for (size_t i = 1, first = 0; i < n; i++) {
		if (strcmp(by[i]->from, by[first]->from) != 0) {
			first = i;
			continue;
		}
		const weft_yaml_node *fn = fnodes[by[i] - m->migrations];
		const weft_yaml_node *f0 = fnodes[by[first] - m->migrations];
		char hint[80];
		snprintf(hint, sizeof hint, "first given at line %d, column %d", f0->line, f0->col);
		err_at(&c, fn, hint, "migration from '%s' is given twice", assess_clean(by[i]->from));
	}
	free(fnodes);
	free(by);
	return c.errors;
}

void assess_migrations_free(weft_assess_model *m)
{
	if (!m || !m->migrations)
		return;
	for (size_t i = 0; i < m->n_migrations; i++) {
		weft_assess_migration *mg = &m->migrations[i];
		for (size_t j = 0; j < mg->n_questions; j++)
			free(mg->questions[j].to);
		free(mg->questions);
		for (size_t j = 0; j < mg->n_dims; j++)
			free(mg->dims[j].to);
		free(mg->dims);
	}
	free(m->migrations);
	m->migrations = NULL;
	m->n_migrations = 0;
}

/* ---- migrating answers ---------------------------------------------------------- */

/* One old answer going to one new id. */
typedef struct {
	const char *to;
	size_t seq;                        /* order of appearance: old answer, then target */
	const weft_assess_answer *src;
	const weft_assess_qmigration *e; /* NULL: kept as it is */
} contrib;

static int cmp_contrib(const void *x, const void *y)
{
	const contrib *a = x, *b = y;
	int r = strcmp(a->to, b->to);
	if (r)
		return r;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* A group of contributions to one new id, in order of its first one. */
typedef struct {
	size_t start, n, first_seq;
} group;

static int cmp_group(const void *x, const void *y)
{
	const group *a = x, *b = y;
	return a->first_seq < b->first_seq ? -1 : a->first_seq > b->first_seq;
}

static int cmp_qmig(const void *x, const void *y)
{
	return strcmp((*(const weft_assess_qmigration *const *)x)->from,
		      (*(const weft_assess_qmigration *const *)y)->from);
}

static int cmp_dmig(const void *x, const void *y)
{
	return strcmp((*(const weft_assess_dmigration *const *)x)->from,
		      (*(const weft_assess_dmigration *const *)y)->from);
}

typedef struct {
	weft_assess_answers *out;
	const weft_assess_model *m;
	const char *old; /* the old version */
	bool oom;
} mctx;

static void note(mctx *c, const char *fmt, ...) WEFT_PRINTF(2, 3);
static void note(mctx *c, const char *fmt, ...)
{
	if (c->oom)
		return;
	va_list ap;
	va_start(ap, fmt);
	weft_buf b = WEFT_BUF_INIT;
	weft_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (b.oom || assess_answers_note(c->out, "%s", b.ptr ? b.ptr : ""))
		c->oom = true;
	weft_buf_free(&b);
}

static char *sdup(mctx *c, const char *s)
{
	if (!s)
		return NULL;
	char *r = strdup(s);
	if (!r)
		c->oom = true;
	return r;
}

/* "a, b and c" of the `to` list of e. */
static void put_list(weft_buf *b, const char *const *ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		weft_buf_printf(b, "%s%s", i == 0 ? "" : i + 1 == n ? " and " : ", ", ids[i]);
}

/* The level an old answer gives after its entry's remap (0 when not answered). */
static int new_level(const contrib *k)
{
	if (k->src->status != WEFT_ASSESS_ANSWERED)
		return 0;
	return k->e && k->e->remap ? k->e->levels[k->src->level - 1] : k->src->level;
}

/* Per old answer: what happened to its id when it was split or removed
 * (renames and merges are noted per new id, by combine). */
static void note_source(mctx *c, const weft_assess_answer *r, const weft_assess_qmigration *e)
{
	if (!e || r->status == WEFT_ASSESS_UNANSWERED)
		return;
	if (e->removed) {
		note(c, "%s (%s) was removed: %s", r->question, c->old, e->removed);
		return;
	}
	if (e->n_to > 1) {
		weft_buf b = WEFT_BUF_INIT;
		put_list(&b, e->to, e->n_to);
		note(c, "%s (%s) was split into %s: its answer is copied to each", r->question, c->old,
		     b.ptr ? b.ptr : "");
		if (b.oom)
			c->oom = true;
		weft_buf_free(&b);
	}
}

/* Build the new answer for id `to` from its contributions k[0..n). */
static void combine(mctx *c, const char *to, const contrib *k, size_t n)
{
	const weft_assess_question *q = weft_assess_model_question(c->m, to);
	/* the deciding source: lowest answered level (first on ties), else the
	 * first na, else the first */
	size_t win = 0, n_answered = 0, n_na = 0;
	int best = 0;
	for (size_t i = 0; i < n; i++) {
		int L = new_level(&k[i]);
		if (L) {
			n_answered++;
			if (!best || L < best) {
				best = L;
				win = i;
			}
		} else if (k[i].src->status == WEFT_ASSESS_NA) {
			if (!n_answered && !n_na)
				win = i;
			n_na++;
		}
	}
	if (!n_answered && !n_na)
		win = 0;
	const weft_assess_answer *w = k[win].src;
	weft_assess_answer *r = assess_answers_append(c->out);
	if (!r) {
		c->oom = true;
		return;
	}
	r->question = sdup(c, to);
	r->line = w->line;
	r->col = w->col;
	r->level_line = w->level_line;
	r->level_col = w->level_col;
	if (n_answered) {
		r->status = WEFT_ASSESS_ANSWERED;
		r->level = best;
	} else if (n_na) {
		r->status = WEFT_ASSESS_NA;
		r->reason = sdup(c, w->reason);
		r->category = sdup(c, w->category);
	}
	/* notes joined, evidence concatenated (one source: copied) */
	weft_buf nb = WEFT_BUF_INIT;
	size_t n_ev = 0, n_notes = 0;
	for (size_t i = 0; i < n; i++) {
		n_ev += k[i].src->n_evidence;
		if (k[i].src->note) {
			weft_buf_printf(&nb, "%s%s", n_notes ? " / " : "", k[i].src->note);
			n_notes++;
		}
	}
	if (n_notes) {
		if (nb.oom)
			c->oom = true;
		else
			r->note = weft_buf_detach(&nb);
	}
	weft_buf_free(&nb);
	if (n_ev && (r->evidence = calloc(n_ev, sizeof *r->evidence))) {
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < k[i].src->n_evidence; j++)
				if ((r->evidence[r->n_evidence] = sdup(c, k[i].src->evidence[j])))
					r->n_evidence++;
	} else if (n_ev) {
		c->oom = true;
	}

	/* what the reader must know */
	if (n == 1 && k[0].e && k[0].e->n_to == 1 && w->status != WEFT_ASSESS_UNANSWERED &&
	    strcmp(w->question, to) != 0)
		note(c, "%s (%s) is now %s", w->question, c->old, to);
	for (size_t i = 0; i < n; i++) {
		const contrib *x = &k[i];
		if (!x->e || !x->e->remap || x->src->status != WEFT_ASSESS_ANSWERED)
			continue;
		int L = x->src->level, NL = x->e->levels[L - 1];
		char was[200] = "";
		if (strcmp(x->src->question, to) != 0)
			snprintf(was, sizeof was, " (was %.120s in %.40s)", x->src->question, c->old);
		if (NL != L)
			note(c, "level of %s%s mapped %d -> %d (its options were rewritten)", to, was, L, NL);
		else
			note(c, "level of %s%s stays %d (its options were rewritten)", to, was, L);
	}
	if (n > 1) {
		weft_buf b = WEFT_BUF_INIT;
		for (size_t i = 0; i < n; i++)
			weft_buf_printf(&b, "%s%s", i == 0 ? "" : i + 1 == n ? " and " : ", ",
					k[i].src->question);
		const char *list = b.ptr ? b.ptr : "";
		if (b.oom)
			c->oom = true;
		if (n_answered && n_na)
			note(c, "%s (%s) were merged into %s: the lowest level, %d (from %s), was kept; "
				"the na answers were dropped, since a level was given",
			     list, c->old, to, best, w->question);
		else if (n_answered > 1)
			note(c, "%s (%s) were merged into %s: the lowest level, %d (from %s), was kept", list,
			     c->old, to, best, w->question);
		else if (n_answered == 1)
			note(c, "%s (%s) were merged into %s: the one level given, %d (from %s), was kept",
			     list, c->old, to, best, w->question);
		else if (n_na)
			note(c, "%s (%s) were merged into %s: every answer given was na, so it is na", list,
			     c->old, to);
		weft_buf_free(&b);
	}
	if (r->status != WEFT_ASSESS_NA || !q)
		return;
	if (q->critical || !q->allow_na) {
		note(c, "%s was na in %s (%s), but %s %s does not allow na for it%s: it must be answered now",
		     to, c->old, r->reason ? r->reason : "no reason", c->m->id, c->m->version,
		     q->critical ? " (it is critical now)" : "");
		r->status = WEFT_ASSESS_UNANSWERED;
		free(r->reason);
		free(r->category);
		r->reason = r->category = NULL;
		return;
	}
	if (c->m->na_category && !r->category) {
		r->category = sdup(c, c->m->na_category);
		note(c, "%s is na: category '%s' added, which %s %s asks of na answers", to,
		     c->m->na_category, c->m->id, c->m->version);
	}
}

static void migrate_scope(mctx *c, const weft_assess_answers *a, const weft_assess_migration *mg)
{
	if (!a->n_out_of_scope)
		return;
	const weft_assess_dmigration **dix = calloc(mg->n_dims ? mg->n_dims : 1, sizeof *dix);
	size_t cap = 0;
	for (size_t i = 0; i < a->n_out_of_scope; i++)
		cap += 1;
	for (size_t i = 0; i < mg->n_dims; i++)
		cap += mg->dims[i].n_to;
	weft_assess_scope *s = calloc(cap ? cap : 1, sizeof *s);
	if (!dix || !s) {
		free(dix);
		free(s);
		c->oom = true;
		return;
	}
	for (size_t i = 0; i < mg->n_dims; i++)
		dix[i] = &mg->dims[i];
	qsort(dix, mg->n_dims, sizeof *dix, cmp_dmig);
	c->out->out_of_scope = s;
	for (size_t i = 0; i < a->n_out_of_scope && !c->oom; i++) {
		const weft_assess_scope *t = &a->out_of_scope[i];
		weft_assess_dmigration key = { t->dim, NULL, 0, 0, 0 };
		const weft_assess_dmigration *kp = &key;
		const weft_assess_dmigration *const *hit =
			bsearch(&kp, dix, mg->n_dims, sizeof *dix, cmp_dmig);
		const char *one = t->dim;
		const char *const *to = hit ? (*hit)->to : &one;
		size_t n = hit ? (*hit)->n_to : 1;
		for (size_t j = 0; j < n; j++) {
			bool dup = false;
			for (size_t k = 0; k < c->out->n_out_of_scope && !dup; k++)
				dup = strcmp(s[k].dim, to[j]) == 0;
			if (dup || c->out->n_out_of_scope >= cap)
				continue;
			weft_assess_scope *u = &s[c->out->n_out_of_scope];
			u->dim = sdup(c, to[j]);
			u->reason = sdup(c, t->reason);
			u->line = t->line;
			u->col = t->col;
			if (!u->dim || !u->reason) {
				free(u->dim);
				free(u->reason);
				break;
			}
			c->out->n_out_of_scope++;
		}
		if (hit && !(n == 1 && strcmp(to[0], t->dim) == 0)) {
			weft_buf b = WEFT_BUF_INIT;
			put_list(&b, to, n);
			note(c, "dimension %s (%s) is now %s: out of scope as before", t->dim, c->old,
			     b.ptr ? b.ptr : "");
			if (b.oom)
				c->oom = true;
			weft_buf_free(&b);
		}
	}
	free(dix);
}

/* Rewrite c->out (a copy of a, without its answers) through mg. */
static void migrate(mctx *c, const weft_assess_answers *a, const weft_assess_migration *mg)
{
	/* entries by old id */
	const weft_assess_qmigration **qix = calloc(mg->n_questions ? mg->n_questions : 1, sizeof *qix);
	size_t cap = 0;
	for (size_t i = 0; i < a->n_answers; i++)
		cap += 1;
	for (size_t i = 0; i < mg->n_questions; i++)
		cap += mg->questions[i].n_to;
	contrib *k = calloc(cap ? cap : 1, sizeof *k);
	group *g = calloc(cap ? cap : 1, sizeof *g);
	if (!qix || !k || !g) {
		c->oom = true;
		goto done;
	}
	for (size_t i = 0; i < mg->n_questions; i++)
		qix[i] = &mg->questions[i];
	qsort(qix, mg->n_questions, sizeof *qix, cmp_qmig);

	const char *mnote = mg->note;
	if (mnote && !mnote[strspn(mnote, " \t\r\n")])
		mnote = NULL;
	note(c, "answers written for %s %s, carried over to %s%s%s", a->model, c->old, c->m->version,
	     mnote ? ": " : "", mnote ? mnote : "");

	size_t nk = 0, seq = 0;
	for (size_t i = 0; i < a->n_answers; i++) {
		const weft_assess_answer *r = &a->answers[i];
		weft_assess_qmigration key = { 0 };
		key.from = r->question;
		const weft_assess_qmigration *kp = &key;
		const weft_assess_qmigration *const *hit =
			bsearch(&kp, qix, mg->n_questions, sizeof *qix, cmp_qmig);
		const weft_assess_qmigration *e = hit ? *hit : NULL;
		note_source(c, r, e);
		if (e && e->removed)
			continue;
		if (!e) {
			k[nk++] = (contrib){ r->question, seq++, r, NULL };
			continue;
		}
		/* an entry whose `to` failed to read has n_to 0 (the model would
		 * not have loaded); nothing then goes anywhere */
		for (size_t j = 0; j < e->n_to && nk < cap; j++)
			k[nk++] = (contrib){ e->to[j], seq++, r, e };
	}
	qsort(k, nk, sizeof *k, cmp_contrib);
	size_t ng = 0;
	for (size_t i = 0; i < nk;) {
		size_t j = i + 1;
		while (j < nk && strcmp(k[j].to, k[i].to) == 0)
			j++;
		g[ng++] = (group){ i, j - i, k[i].seq };
		i = j;
	}
	qsort(g, ng, sizeof *g, cmp_group);
	for (size_t i = 0; i < ng && !c->oom; i++)
		combine(c, k[g[i].start].to, &k[g[i].start], g[i].n);
	migrate_scope(c, a, mg);
done:
	free(qix);
	free(k);
	free(g);
}

int weft_assess_answers_migrate(weft_assess_answers **out, const weft_assess_answers *a,
				const weft_assess_model *m, weft_diags *d)
{
	*out = NULL;
	const weft_assess_migration *mg = NULL;
	bool same = !a->model || !a->model_version || !m->id || !m->version ||
		    strcmp(a->model, m->id) != 0 || strcmp(a->model_version, m->version) == 0;
	/* answers for another model are copied too: weft_assess_answers_check
	 * says what is wrong with them (migrations only make sense within a model) */
	if (!same) {
		for (size_t i = 0; i < m->n_migrations && !mg; i++)
			if (m->migrations[i].from && strcmp(m->migrations[i].from, a->model_version) == 0)
				mg = &m->migrations[i];
		if (!mg) {
			weft_buf h = WEFT_BUF_INIT;
			size_t listed = 0;
			for (size_t i = 0; i < m->n_migrations; i++) {
				if (!m->migrations[i].from)
					continue;
				if (listed == 10) {
					weft_buf_puts(&h, ", ...");
					break;
				}
				weft_buf_printf(&h, "%s%s", listed++ ? ", " : "", assess_clean(m->migrations[i].from));
			}
			weft_buf hint = WEFT_BUF_INIT;
			weft_buf_printf(&hint, "model %s %s ", m->id, assess_clean(m->version));
			if (listed)
				weft_buf_printf(&hint, "can carry over answers from version%s %s",
						listed > 1 ? "s" : "", h.ptr ? h.ptr : "");
			else
				weft_buf_puts(&hint, "has no migrations");
			weft_buf_printf(&hint,
					"; answer the current model (weft assess init or interview) or pass "
					"version %s of the model with -m",
					assess_clean(a->model_version));
			weft_buf_free(&h);
			weft_diags_add(d, WEFT_SEV_ERROR, a->path, a->version_line, a->version_col,
				       hint.oom ? NULL : hint.ptr,
				       "answers are for version '%s' of model '%s', which has no migration from "
				       "it to version '%s'",
				       assess_clean(a->model_version), m->id, assess_clean(m->version));
			weft_buf_free(&hint);
			return WEFT_EINVALID;
		}
	}
	weft_assess_answers *c = NULL;
	if (same) {
		c = assess_answers_dup(a);
	} else {
		/* a copy without the answers, out_of_scope and notes, rebuilt below */
		weft_assess_answers shell = *a;
		shell.n_answers = 0;
		shell.n_out_of_scope = 0;
		shell.n_notes = 0;
		shell.migrated_from = NULL;
		c = assess_answers_dup(&shell);
		if (c) {
			mctx mc = { c, m, a->model_version, false };
			free(c->model_version);
			c->model_version = strdup(m->version);
			c->migrated_from = strdup(a->model_version);
			if (!c->model_version || !c->migrated_from)
				mc.oom = true;
			/* notes of an earlier migration (a set copied around) stay first */
			for (size_t i = 0; i < a->n_notes && !mc.oom; i++)
				if (assess_answers_note(c, "%s", a->notes[i]))
					mc.oom = true;
			if (!mc.oom)
				migrate(&mc, a, mg);
			if (mc.oom) {
				weft_assess_answers_free(c);
				c = NULL;
			}
		}
	}
	if (!c) {
		weft_diags_add(d, WEFT_SEV_ERROR, a->path, 0, 0, NULL, "out of memory");
		return WEFT_ENOMEM;
	}
	*out = c;
	return WEFT_OK;
}
