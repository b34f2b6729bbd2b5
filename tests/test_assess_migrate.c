/* test_assess_migrate.c - model migrations: reading the `migrations:` list
 * (every malformed entry an error at its exact line:col, counted by hand
 * from the documents below) and carrying answers written for an earlier
 * version of a model over to the current one: every kind of change with the
 * ids and levels worked out by hand, the notes that say what happened, a
 * version with no migration, and a round trip through
 * weft_assess_answers_check. */
#include "assess_test_util.h"

/* Version 2.0 of a small model: 25 lines, the last one "migrations:".
 * rt-contract-ci is critical; rt-fallback, em-cpu, em-ota and ed-fleet allow
 * na; rt-auth and em-board do not; embedded and edge are optional. */
#define BASE                                                                                        \
	"id: ai-integration\n"                   /* 1 */                                           \
	"version: \"2.0\"\n"                     /* 2 */                                           \
	"title: T\n"                             /* 3 */                                           \
	"na_category: does-not-apply\n"          /* 4 */                                           \
	"levels: [{level: 1, name: L1, description: d}, {level: 2, name: L2, description: d}, "   \
	"{level: 3, name: L3, description: d}, {level: 4, name: L4, description: d}, "            \
	"{level: 5, name: L5, description: d}]\n" /* 5 */                                          \
	"dimensions:\n"                          /* 6 */                                           \
	"  - id: rt\n"                           /* 7 */                                           \
	"    title: RT\n"                        /* 8 */                                           \
	"    questions:\n"                       /* 9 */                                           \
	"      - {id: rt-contract-ci, text: T, critical: true, options: &o [{level: 1, text: a, "  \
	"improve: b}, {level: 2, text: a, improve: b}, {level: 3, text: a, improve: b}, "         \
	"{level: 4, text: a, improve: b}, {level: 5, text: a}]}\n" /* 10 */                        \
	"      - {id: rt-auth, text: T, options: *o}\n"                  /* 11 */                  \
	"      - {id: rt-fallback, text: T, allow_na: true, options: *o}\n" /* 12 */               \
	"  - id: embedded\n"                     /* 13 */                                          \
	"    title: E\n"                         /* 14 */                                          \
	"    optional: true\n"                   /* 15 */                                          \
	"    questions:\n"                       /* 16 */                                          \
	"      - {id: em-board, text: T, options: *o}\n"                 /* 17 */                  \
	"      - {id: em-cpu, text: T, allow_na: true, options: *o}\n"   /* 18 */                  \
	"      - {id: em-ota, text: T, allow_na: true, options: *o}\n"   /* 19 */                  \
	"  - id: edge\n"                         /* 20 */                                          \
	"    title: Ed\n"                        /* 21 */                                          \
	"    optional: true\n"                   /* 22 */                                          \
	"    questions:\n"                       /* 23 */                                          \
	"      - {id: ed-fleet, text: T, allow_na: true, options: *o}\n" /* 24 */                  \
	"migrations:\n"                          /* 25 */

/* The migrations of the good model, from line 26. */
#define GOOD                                                                                        \
	"  - from: \"1.0\"\n"                                                         /* 26 */    \
	"    note: Real-time questions were regrouped.\n"                            /* 27 */    \
	"    questions:\n"                                                           /* 28 */    \
	"      rt-latency-test: {to: rt-contract-ci}\n"                              /* 29 */    \
	"      em-hardware: {to: [em-board, em-cpu]}\n"                              /* 30 */    \
	"      rt-auth-keys: {to: rt-auth}\n"                                        /* 31 */    \
	"      rt-auth-certs: {to: rt-auth}\n"                                       /* 32 */    \
	"      rt-fallback-old: {to: rt-fallback, levels: {1: 1, 2: 1, 3: 2, 4: 3, 5: 4}}\n"      \
	"      em-ota: {levels: {1: 2, 2: 3, 3: 4, 4: 5, 5: 5}}\n"                   /* 34 */    \
	"      rt-manual: {removed: \"replaced by the contract test\"}\n"            /* 35 */    \
	"      em-legacy: {to: em-cpu}\n"                                            /* 36 */    \
	"    dimensions:\n"                                                          /* 37 */    \
	"      embedded-edge: [embedded, edge]\n"                                    /* 38 */    \
	"  - from: \"0.9\"\n"                                                         /* 39 */    \
	"    questions:\n"                                                           /* 40 */    \
	"      rt-auth: {to: rt-fallback, levels: {1: 2, 2: 3, 3: 4, 4: 5, 5: 5}}\n"              \
	"      rt-fallback: {to: rt-auth, levels: {1: 2, 2: 3, 3: 4, 4: 5, 5: 5}}\n"

static int try_model(weft_assess_model **m, weft_diags **d, const char *migrations)
{
	weft_diags_new(d);
	size_t n = strlen(BASE) + strlen(migrations) + 1;
	char *text = malloc(n);
	snprintf(text, n, "%s%s", BASE, migrations);
	*m = NULL;
	int err = weft_assess_model_load_buffer(m, "m.yaml", text, strlen(text), *d);
	free(text);
	return err;
}

static weft_assess_model *good_model(void)
{
	weft_diags *d;
	weft_assess_model *m;
	int err = try_model(&m, &d, GOOD);
	if (err)
		weft_diags_print(d, stderr, false);
	cr_assert_eq(err, 0, "the good model did not load");
	cr_assert_eq(weft_diags_count(d), 0);
	weft_diags_free(d);
	return m;
}

/* A malformed migrations list: does not load, with an error at line:col. */
static weft_diags *bad_model(const char *migrations)
{
	weft_diags *d;
	weft_assess_model *m;
	cr_assert_eq(try_model(&m, &d, migrations), WEFT_EINVALID);
	cr_assert_null(m);
	return d;
}

#define ANS_HEAD(version)                                                                          \
	"model: ai-integration\n"          /* 1 */                                                 \
	"model_version: \"" version "\"\n" /* 2: the value at column 16 */                         \
	"unit: U\n"                        /* 3 */

static weft_assess_answers *migrate_ok(const weft_assess_model *m, const char *text)
{
	weft_assess_answers *a = buffer_answers("old.yaml", text);
	weft_diags *d;
	weft_diags_new(&d);
	weft_assess_answers *n = NULL;
	int err = weft_assess_answers_migrate(&n, a, m, d);
	if (err)
		weft_diags_print(d, stderr, false);
	cr_assert_eq(err, 0, "migrate failed");
	cr_assert_eq(weft_diags_count(d), 0);
	cr_assert_not_null(n);
	weft_diags_free(d);
	weft_assess_answers_free(a);
	return n;
}

static const char *find_note(const weft_assess_answers *a, const char *needle)
{
	for (size_t i = 0; i < a->n_notes; i++)
		if (strstr(a->notes[i], needle))
			return a->notes[i];
	return NULL;
}

#define assert_note(a, needle)                                                                     \
	do {                                                                                       \
		if (!find_note((a), (needle))) {                                                   \
			fprintf(stderr, "notes:\n");                                               \
			for (size_t i_ = 0; i_ < (a)->n_notes; i_++)                               \
				fprintf(stderr, "  %s\n", (a)->notes[i_]);                         \
			cr_assert_fail("no note containing \"%s\"", (needle));                     \
		}                                                                                  \
	} while (0)

static const weft_assess_answer *must_find(const weft_assess_answers *a, const char *id)
{
	const weft_assess_answer *r = weft_assess_answers_find(a, id);
	cr_assert_not_null(r, "no answer for %s", id);
	return r;
}

static void assert_level(const weft_assess_answers *a, const char *id, int level)
{
	const weft_assess_answer *r = must_find(a, id);
	cr_assert_eq(r->status, WEFT_ASSESS_ANSWERED, "%s is not answered", id);
	cr_assert_eq(r->level, level, "%s: level %d, expected %d", id, r->level, level);
}

/* ---- reading migrations ------------------------------------------------------- */

Test(assess_migrate, good_model_structs)
{
	weft_assess_model *m = good_model();
	cr_assert_eq(m->n_migrations, 2);
	const weft_assess_migration *g = &m->migrations[0];
	cr_assert_str_eq(g->from, "1.0");
	cr_assert_str_eq(g->note, "Real-time questions were regrouped.");
	cr_assert_eq(g->line, 26);
	cr_assert_eq(g->col, 5);
	cr_assert_eq(g->n_questions, 8);
	const weft_assess_qmigration *q = &g->questions[0];
	cr_assert_str_eq(q->from, "rt-latency-test");
	cr_assert_eq(q->n_to, 1);
	cr_assert_str_eq(q->to[0], "rt-contract-ci");
	cr_assert_not(q->remap);
	cr_assert_null(q->removed);
	cr_assert_eq(q->line, 29);
	cr_assert_eq(q->col, 7);
	q = &g->questions[1]; /* split */
	cr_assert_eq(q->n_to, 2);
	cr_assert_str_eq(q->to[0], "em-board");
	cr_assert_str_eq(q->to[1], "em-cpu");
	q = &g->questions[4]; /* rename + remap */
	cr_assert_str_eq(q->to[0], "rt-fallback");
	cr_assert(q->remap);
	int want[] = { 1, 1, 2, 3, 4 };
	for (int i = 0; i < 5; i++)
		cr_assert_eq(q->levels[i], want[i]);
	q = &g->questions[5]; /* same id */
	cr_assert_eq(q->n_to, 1);
	cr_assert_str_eq(q->to[0], "em-ota");
	cr_assert(q->remap);
	q = &g->questions[6];
	cr_assert_eq(q->n_to, 0);
	cr_assert_str_eq(q->removed, "replaced by the contract test");
	cr_assert_eq(g->n_dims, 1);
	cr_assert_str_eq(g->dims[0].from, "embedded-edge");
	cr_assert_eq(g->dims[0].n_to, 2);
	cr_assert_str_eq(g->dims[0].to[1], "edge");
	cr_assert_eq(g->dims[0].line, 38);
	cr_assert_eq(g->dims[0].col, 7);
	cr_assert_str_eq(m->migrations[1].from, "0.9");
	cr_assert_null(m->migrations[1].note);
	weft_assess_model_free(m);
}

Test(assess_migrate, from_missing_duplicate_or_own_version)
{
	/* "  - note: x": the entry's mapping starts at column 5 */
	weft_diags *d = bad_model("  - note: x\n");
	assert_error_at(d, "m.yaml", 26, 5, "migration: missing required field 'from'");
	weft_diags_free(d);
	/* the later of two: "  - from: \"1.0\"" value at column 11 */
	d = bad_model("  - from: \"1.0\"\n    note: a\n  - from: \"1.0\"\n");
	assert_error_at(d, "m.yaml", 28, 11, "migration from '1.0' is given twice");
	cr_assert_str_eq(diag_at(d, "m.yaml", 28, 11, "twice")->hint, "first given at line 26, column 11");
	cr_assert_eq(weft_diags_errors(d), 1);
	weft_diags_free(d);
	d = bad_model("  - from: \"2.0\"\n");
	assert_error_at(d, "m.yaml", 26, 11, "migration from '2.0': that is this model's own version");
	weft_diags_free(d);
	d = bad_model("  - from: \"\"\n");
	assert_error_at(d, "m.yaml", 26, 11, "field 'from' is empty");
	weft_diags_free(d);
	d = bad_model("  - from: [1]\n");
	assert_error_at(d, "m.yaml", 26, 11, "'from' expected a version string, got a sequence");
	weft_diags_free(d);
	/* not a mapping at all: "  - 1.0" at column 5 */
	d = bad_model("  - 1.0\n");
	assert_error_at(d, "m.yaml", 26, 5, "migration: expected a mapping, got a number");
	weft_diags_free(d);
	/* migrations: not a list (model.c checks that): the mapping at 26:3 */
	weft_assess_model *m;
	cr_assert_eq(try_model(&m, &d, "  {from: x}\n"), WEFT_EINVALID);
	assert_error_at(d, "m.yaml", 26, 3, "list of migrations: expected a sequence, got a mapping");
	weft_diags_free(d);
}

#define MIG_HEAD "  - from: \"1.0\"\n    questions:\n" /* 26, 27; entries from 28 */

Test(assess_migrate, to_must_be_a_question_of_this_model)
{
	/* "      old-a: {to: " : the id at column 19 */
	weft_diags *d = bad_model(MIG_HEAD "      old-a: {to: rt-contrac-ci}\n"
					   "      old-b: {to: edge}\n"
					   "      old-c: {to: [em-board, em-bord]}\n"
					   "      old-d: {to: [em-board, em-board]}\n"
					   "      old-e: {to: []}\n"
					   "      old-f: {to: {a: b}}\n");
	assert_error_at(d, "m.yaml", 28, 19,
			"migration of 'old-a': 'rt-contrac-ci' is not a question of model 'ai-integration' 2.0");
	cr_assert_str_eq(diag_at(d, "m.yaml", 28, 19, "old-a")->hint, "did you mean 'rt-contract-ci'?");
	assert_error_at(d, "m.yaml", 29, 19, "'edge' is a dimension of this model, not a question");
	/* "      old-c: {to: [em-board, " : the second id at column 30 */
	assert_error_at(d, "m.yaml", 30, 30, "'em-bord' is not a question");
	cr_assert_str_eq(diag_at(d, "m.yaml", 30, 30, "em-bord")->hint, "did you mean 'em-board'?");
	assert_error_at(d, "m.yaml", 31, 30, "migration of 'old-d': 'em-board' is listed twice");
	assert_error_at(d, "m.yaml", 32, 19, "migration of 'old-e': the list of new ids is empty");
	assert_error_at(d, "m.yaml", 33, 19, "expected a question id or a list of ids, got a mapping");
	cr_assert_eq(weft_diags_errors(d), 6, "every problem recorded");
	weft_diags_free(d);
}

Test(assess_migrate, removed_needs_a_reason_and_goes_nowhere)
{
	/* "      old-a: {removed: " : the value at column 24 */
	weft_diags *d = bad_model(MIG_HEAD "      old-a: {removed: \"\"}\n"
					   "      old-b: {removed: true}\n"
					   "      old-c: {removed: gone, to: rt-auth}\n"
					   "      old-d: {removed: gone, levels: {1: 1, 2: 2, 3: 3, 4: 4, 5: 5}}\n"
					   "      old-e: {removed: }\n");
	assert_error_at(d, "m.yaml", 28, 24, "migration of 'old-a': 'removed' needs a reason");
	assert_error_at(d, "m.yaml", 29, 24, "'removed' needs the reason the question was dropped, got a boolean");
	/* "      old-c: {removed: gone, " : the key 'to' at column 30 */
	assert_error_at(d, "m.yaml", 30, 30, "migration of 'old-c': 'to' cannot go with 'removed'");
	assert_error_at(d, "m.yaml", 31, 30, "migration of 'old-d': 'levels' cannot go with 'removed'");
	cr_assert_eq(weft_diags_errors(d), 5);
	weft_diags_free(d);
}

Test(assess_migrate, levels_must_map_1_to_5_onto_1_to_5)
{
	/* "      old-a: {to: rt-auth, levels: " : the mapping at column 36 */
	weft_diags *d = bad_model(MIG_HEAD
				  "      old-a: {to: rt-auth, levels: {1: 1, 2: 2, 3: 3, 4: 4}}\n"
				  "      old-b: {to: rt-auth, levels: {1: 1, 2: 2, 3: 3, 4: 4, 5: 6}}\n"
				  "      old-c: {to: rt-auth, levels: {0: 1, 1: 1, 2: 2, 3: 3, 4: 4, 5: 5}}\n"
				  "      old-d: {to: rt-auth, levels: {1: 1, 2: 2, 3: 3, 4: 4, 5: x}}\n"
				  "      old-e: {to: rt-auth, levels: [1, 2, 3, 4, 5]}\n"
				  "      old-f: {to: rt-auth, levels: {1: 1, 01: 2, 2: 2, 3: 3, 4: 4, 5: 5}}\n");
	assert_error_at(d, "m.yaml", 28, 36, "migration of 'old-a': old level 5 is not mapped");
	/* "{1: 1, 2: 2, 3: 3, 4: 4, 5: " : the 6 at column 36 + 28 = 64 */
	assert_error_at(d, "m.yaml", 29, 64, "old level 5 maps to '6', not a level (1 to 5)");
	/* "{" at 36, the key 0 at 37 */
	assert_error_at(d, "m.yaml", 30, 37, "migration of 'old-c': '0' is not a level (1 to 5)");
	assert_error_at(d, "m.yaml", 31, 64, "old level 5 maps to 'x'");
	assert_error_at(d, "m.yaml", 32, 36, "'levels' expected a mapping, got a sequence");
	/* "{1: 1, " : the key 01 at column 43 */
	assert_error_at(d, "m.yaml", 33, 43, "migration of 'old-f': old level 1 is mapped twice");
	cr_assert_eq(weft_diags_errors(d), 6);
	weft_diags_free(d);
}

Test(assess_migrate, entry_checks_and_duplicate_old_ids)
{
	/* an old id twice is a YAML duplicate key: at the second key, 29:7 */
	weft_diags *d = bad_model(MIG_HEAD "      old-a: {to: rt-auth}\n      old-a: {to: em-board}\n");
	assert_error_at(d, "m.yaml", 29, 7, "duplicate key 'old-a'");
	weft_diags_free(d);
	d = bad_model(MIG_HEAD "      old-a: {}\n"         /* 28: says nothing, at the { (col 14) */
			       "      old-b: new-b\n"      /* 29: not a mapping, value at col 14 */
			       "      old-c:\n"            /* 30: null, at the key (col 7) */
			       "      gone: {levels: {1: 1, 2: 2, 3: 3, 4: 4, 5: 5}}\n" /* 31: key col 7 */
			       "    dimensions:\n"         /* 32 */
			       "      embedded-edge: [embedded, edg]\n" /* 33: edg at col 33 */
			       "      rt-old: rt-auth\n"   /* 34: a question, at col 15 */
			       "    questions2: {}\n");    /* 35: unknown key: a warning */
	assert_error_at(d, "m.yaml", 28, 14, "migration of 'old-a' says nothing");
	assert_error_at(d, "m.yaml", 29, 14, "migration of 'old-b': expected a mapping, got a string");
	assert_error_at(d, "m.yaml", 30, 7, "migration of 'old-c': expected a mapping, got null");
	assert_error_at(d, "m.yaml", 31, 7, "'gone' is not a question of model 'ai-integration' 2.0");
	assert_error_at(d, "m.yaml", 33, 33, "'edg' is not a dimension of model 'ai-integration' 2.0");
	cr_assert_str_eq(diag_at(d, "m.yaml", 33, 33, "edg")->hint, "did you mean 'edge'?");
	assert_error_at(d, "m.yaml", 34, 15, "'rt-auth' is a question of this model, not a dimension");
	cr_assert_eq(weft_diags_errors(d), 6);
	bool warned = false;
	for (size_t i = 0; i < weft_diags_count(d); i++) {
		const weft_diag *g = weft_diags_get(d, i);
		if (g->severity == WEFT_SEV_WARNING && g->line == 35 && strstr(g->message, "questions2"))
			warned = true;
	}
	cr_assert(warned, "unknown key is a warning");
	weft_diags_free(d);
}

Test(assess_migrate, unknown_keys_warn_and_merges_are_allowed)
{
	/* a split target that is also a rename target from another old id is
	 * a merge, which loads */
	weft_diags *d;
	weft_assess_model *m;
	cr_assert_eq(try_model(&m, &d,
			       MIG_HEAD "      old-a: {to: [rt-auth, em-board], why: x}\n"
					"      old-b: {to: rt-auth}\n"
					"    extra: 1\n"),
		     0);
	cr_assert_eq(weft_diags_errors(d), 0);
	cr_assert_eq(weft_diags_count(d), 2); /* why (28:40), extra (30:5) */
	cr_assert_eq(weft_diags_get(d, 0)->severity, WEFT_SEV_WARNING);
	weft_assess_model_free(m);
	weft_diags_free(d);
}

/* ---- migrating answers ---------------------------------------------------------- */

#define OLD_ANSWERS                                                                                \
	ANS_HEAD("1.0")                                                                            \
	"respondent: Ann\n"                                               /* 4 */                  \
	"out_of_scope:\n"                                                 /* 5 */                  \
	"  embedded-edge: no devices\n"                                   /* 6 */                  \
	"answers:\n"                                                      /* 7 */                  \
	"  rt-latency-test: {level: 3, note: n1, evidence: [e1]}\n"       /* 8 */                  \
	"  em-hardware: {level: 4}\n"                                     /* 9 */                  \
	"  rt-auth-keys: {level: 4, note: keys, evidence: [k1]}\n"        /* 10 */                 \
	"  rt-auth-certs: {level: 2, note: certs, evidence: [c1, c2]}\n"  /* 11 */                 \
	"  rt-fallback-old: {level: 3}\n"                                 /* 12 */                 \
	"  em-ota: {level: 2}\n"                                          /* 13 */                 \
	"  rt-manual: {level: 5}\n"                                       /* 14 */                 \
	"  em-legacy: {level: na, reason: no legacy}\n"                   /* 15 */                 \
	"  ed-fleet: {level: na, reason: no fleet}\n"                     /* 16 */

Test(assess_migrate, every_change_kind)
{
	weft_assess_model *m = good_model();
	weft_assess_answers *a = migrate_ok(m, OLD_ANSWERS);
	cr_assert_str_eq(a->model_version, "2.0");
	cr_assert_str_eq(a->migrated_from, "1.0");
	cr_assert_str_eq(a->respondent, "Ann");
	cr_assert_eq(a->n_answers, 7);
	/* order: of the first old answer that went to each new id */
	const char *order[] = { "rt-contract-ci", "em-board", "em-cpu", "rt-auth",
				"rt-fallback",	  "em-ota",   "ed-fleet" };
	for (size_t i = 0; i < 7; i++)
		cr_assert_str_eq(a->answers[i].question, order[i]);
	/* renamed: level, note, evidence and position kept */
	const weft_assess_answer *r = must_find(a, "rt-contract-ci");
	assert_level(a, "rt-contract-ci", 3);
	cr_assert_str_eq(r->note, "n1");
	cr_assert_eq(r->n_evidence, 1);
	cr_assert_str_eq(r->evidence[0], "e1");
	cr_assert_eq(r->line, 8);
	cr_assert_eq(r->col, 3);
	cr_assert_eq(r->level_line, 8);
	cr_assert_eq(r->level_col, 28);
	assert_note(a, "rt-latency-test (1.0) is now rt-contract-ci");
	/* split: copied to each */
	assert_level(a, "em-board", 4);
	assert_note(a, "em-hardware (1.0) was split into em-board and em-cpu");
	/* split target merged with em-legacy (na): the level wins */
	assert_level(a, "em-cpu", 4);
	assert_note(a, "em-hardware and em-legacy (1.0) were merged into em-cpu: the lowest level, 4 "
		       "(from em-hardware), was kept; the na answers were dropped");
	/* merged: lowest wins, evidence concatenated, notes joined */
	r = must_find(a, "rt-auth");
	assert_level(a, "rt-auth", 2);
	cr_assert_str_eq(r->note, "keys / certs");
	cr_assert_eq(r->n_evidence, 3);
	cr_assert_str_eq(r->evidence[0], "k1");
	cr_assert_str_eq(r->evidence[1], "c1");
	cr_assert_str_eq(r->evidence[2], "c2");
	cr_assert_eq(r->line, 11); /* the position of the answer that decided it */
	assert_note(a, "rt-auth-keys and rt-auth-certs (1.0) were merged into rt-auth: the lowest "
		       "level, 2 (from rt-auth-certs), was kept");
	/* renamed and remapped: 3 -> 2 */
	assert_level(a, "rt-fallback", 2);
	assert_note(a, "rt-fallback-old (1.0) is now rt-fallback");
	assert_note(a, "level of rt-fallback (was rt-fallback-old in 1.0) mapped 3 -> 2 (its options "
		       "were rewritten)");
	/* same id, remapped once: 2 -> 3 (twice would be 4) */
	assert_level(a, "em-ota", 3);
	assert_note(a, "level of em-ota mapped 2 -> 3 (its options were rewritten)");
	/* removed */
	cr_assert_null(weft_assess_answers_find(a, "rt-manual"));
	assert_note(a, "rt-manual (1.0) was removed: replaced by the contract test");
	/* na kept, with the category the model asks for */
	r = must_find(a, "ed-fleet");
	cr_assert_eq(r->status, WEFT_ASSESS_NA);
	cr_assert_str_eq(r->reason, "no fleet");
	cr_assert_str_eq(r->category, "does-not-apply");
	assert_note(a, "ed-fleet is na: category 'does-not-apply' added");
	/* out of scope renamed through dimensions */
	cr_assert_eq(a->n_out_of_scope, 2);
	cr_assert_str_eq(a->out_of_scope[0].dim, "embedded");
	cr_assert_str_eq(a->out_of_scope[1].dim, "edge");
	cr_assert_str_eq(a->out_of_scope[1].reason, "no devices");
	cr_assert_eq(a->out_of_scope[1].line, 6);
	assert_note(a, "dimension embedded-edge (1.0) is now embedded and edge");
	/* the leading note */
	cr_assert_str_eq(a->notes[0], "answers written for ai-integration 1.0, carried over to 2.0: "
				      "Real-time questions were regrouped.");
	weft_assess_answers_free(a);
	weft_assess_model_free(m);
}

Test(assess_migrate, remap_is_never_applied_twice)
{
	/* 0.9 swaps rt-auth and rt-fallback, each remapped +1: old rt-auth 1 ->
	 * rt-fallback 2, old rt-fallback 2 -> rt-auth 3; a cascade would give
	 * 3 and 4 (or loop) */
	weft_assess_model *m = good_model();
	weft_assess_answers *a = migrate_ok(m, ANS_HEAD("0.9") "answers:\n"
							     "  rt-auth: {level: 1}\n"
							     "  rt-fallback: {level: 2}\n");
	cr_assert_eq(a->n_answers, 2);
	assert_level(a, "rt-fallback", 2);
	assert_level(a, "rt-auth", 3);
	cr_assert_str_eq(a->answers[0].question, "rt-fallback");
	cr_assert_eq(a->answers[0].line, 5); /* from old rt-auth, line 5 */
	assert_note(a, "rt-auth (0.9) is now rt-fallback");
	assert_note(a, "level of rt-fallback (was rt-auth in 0.9) mapped 1 -> 2");
	assert_note(a, "level of rt-auth (was rt-fallback in 0.9) mapped 2 -> 3");
	cr_assert_str_eq(a->notes[0], "answers written for ai-integration 0.9, carried over to 2.0");
	/* migrating the result again is a copy: nothing more is applied */
	weft_diags *d;
	weft_diags_new(&d);
	weft_assess_answers *b = NULL;
	cr_assert_eq(weft_assess_answers_migrate(&b, a, m, d), 0);
	assert_level(b, "rt-auth", 3);
	assert_level(b, "rt-fallback", 2);
	cr_assert_eq(b->n_notes, a->n_notes);
	cr_assert_str_eq(b->migrated_from, "0.9");
	weft_assess_answers_free(b);
	weft_diags_free(d);
	weft_assess_answers_free(a);
	weft_assess_model_free(m);
}

Test(assess_migrate, na_answers_in_the_old_file)
{
	weft_assess_model *m = good_model();
	weft_assess_answers *a = migrate_ok(
		m, ANS_HEAD("1.0") "answers:\n"                                            /* 4 */
				   "  rt-latency-test: {level: na, reason: no test rig}\n" /* 5 */
				   "  rt-auth-keys: {level: na, reason: no keys, note: k}\n"
				   "  rt-fallback-old: {level: na, reason: none, category: other}\n"
				   "  em-hardware: {level: na, reason: r1}\n"
				   "  em-legacy: {level: na, reason: r2, category: does-not-apply}\n"
				   "  em-ota:\n");
	/* critical now: must be answered */
	const weft_assess_answer *r = must_find(a, "rt-contract-ci");
	cr_assert_eq(r->status, WEFT_ASSESS_UNANSWERED);
	cr_assert_null(r->reason);
	cr_assert_eq(r->level_line, 5);
	cr_assert_eq(r->level_col, 28);
	assert_note(a, "rt-contract-ci was na in 1.0 (no test rig), but ai-integration 2.0 does not "
		       "allow na for it (it is critical now): it must be answered now");
	/* not allowed (not critical): unanswered too, note kept */
	r = must_find(a, "rt-auth");
	cr_assert_eq(r->status, WEFT_ASSESS_UNANSWERED);
	cr_assert_str_eq(r->note, "k");
	assert_note(a, "rt-auth was na in 1.0 (no keys), but ai-integration 2.0 does not allow na for "
		       "it: it must be answered now");
	/* a category already given is kept (the check judges it) */
	r = must_find(a, "rt-fallback");
	cr_assert_eq(r->status, WEFT_ASSESS_NA);
	cr_assert_str_eq(r->category, "other");
	/* split of an na, merged with another na: na, first reason and category */
	r = must_find(a, "em-cpu");
	cr_assert_eq(r->status, WEFT_ASSESS_NA);
	cr_assert_str_eq(r->reason, "r1");
	cr_assert_str_eq(r->category, "does-not-apply"); /* first had none: the model's added */
	assert_note(a, "em-hardware and em-legacy (1.0) were merged into em-cpu: every answer given "
		       "was na, so it is na");
	/* em-board does not allow na: the copy of em-hardware's na must be answered */
	cr_assert_eq(must_find(a, "em-board")->status, WEFT_ASSESS_UNANSWERED);
	/* listed but unanswered stays unanswered, no remap note */
	cr_assert_eq(must_find(a, "em-ota")->status, WEFT_ASSESS_UNANSWERED);
	cr_assert_null(find_note(a, "level of em-ota"));
	weft_assess_answers_free(a);
	weft_assess_model_free(m);
}

Test(assess_migrate, unknown_and_unchanged_ids_are_kept)
{
	weft_assess_model *m = good_model();
	weft_assess_answers *a = migrate_ok(m, ANS_HEAD("1.0") "answers:\n"
							     "  ed-fleet: {level: 2}\n"
							     "  rt-mystery: {level: 4}\n"
							     "  rt-auth: {level: 5}\n"
							     "  rt-auth-keys: {level: 3}\n");
	assert_level(a, "ed-fleet", 2);
	assert_level(a, "rt-mystery", 4);
	/* an unchanged id that is also a target takes part in the merge */
	assert_level(a, "rt-auth", 3);
	assert_note(a, "rt-auth and rt-auth-keys (1.0) were merged into rt-auth: the lowest level, 3");
	/* the check reports the unknown id at its place in the old file */
	weft_diags *d;
	weft_diags_new(&d);
	cr_assert_eq(weft_assess_answers_check(a, m, false, d), WEFT_EINVALID);
	assert_error_at(d, "old.yaml", 6, 3, "unknown question id 'rt-mystery'");
	cr_assert_eq(weft_diags_errors(d), 1);
	weft_diags_free(d);
	weft_assess_answers_free(a);
	weft_assess_model_free(m);
}

Test(assess_migrate, same_version_is_a_deep_copy)
{
	weft_assess_model *m = good_model();
	weft_assess_answers *old = buffer_answers("old.yaml", ANS_HEAD("2.0") "answers:\n"
									 "  rt-auth: {level: 2, evidence: [x]}\n");
	weft_diags *d;
	weft_diags_new(&d);
	weft_assess_answers *a = NULL;
	cr_assert_eq(weft_assess_answers_migrate(&a, old, m, d), 0);
	cr_assert_neq(a, old);
	cr_assert_null(a->migrated_from);
	cr_assert_eq(a->n_notes, 0);
	cr_assert_str_eq(a->sha256, old->sha256);
	cr_assert_neq(a->answers[0].evidence, old->answers[0].evidence);
	cr_assert_str_eq(a->answers[0].evidence[0], "x");
	weft_assess_answers_free(old);
	assert_level(a, "rt-auth", 2); /* still valid after the original is gone */
	weft_assess_answers_free(a);
	weft_diags_free(d);
	weft_assess_model_free(m);
}

Test(assess_migrate, version_without_migration_is_an_error_at_model_version)
{
	weft_assess_model *m = good_model();
	weft_assess_answers *old = buffer_answers("old.yaml", ANS_HEAD("1.2") "answers: {}\n");
	weft_diags *d;
	weft_diags_new(&d);
	weft_assess_answers *a = (weft_assess_answers *)1;
	cr_assert_eq(weft_assess_answers_migrate(&a, old, m, d), WEFT_EINVALID);
	cr_assert_eq(weft_exit_code(WEFT_EINVALID), 3);
	cr_assert_null(a);
	assert_error_at(d, "old.yaml", 2, 16,
			"answers are for version '1.2' of model 'ai-integration', which has no migration "
			"from it to version '2.0'");
	const weft_diag *g = diag_at(d, "old.yaml", 2, 16, "1.2");
	cr_assert(strstr(g->hint, "can carry over answers from versions 1.0, 0.9"), "hint: %s", g->hint);
	weft_diags_free(d);
	weft_assess_model_free(m);
	/* a model without migrations says so */
	weft_assess_model *m0;
	cr_assert_eq(try_model(&m0, &d, "  []\n"), 0); /* an empty list */
	weft_diags_free(d);
	weft_diags_new(&d);
	cr_assert_eq(weft_assess_answers_migrate(&a, old, m0, d), WEFT_EINVALID);
	cr_assert(strstr(diag_at(d, "old.yaml", 2, 16, "no migration")->hint, "has no migrations"));
	weft_diags_free(d);
	weft_assess_model_free(m0);
	weft_assess_answers_free(old);
}

Test(assess_migrate, other_model_is_left_to_the_check)
{
	weft_assess_model *m = good_model();
	weft_assess_answers *old = buffer_answers(
		"old.yaml", "model: other\nmodel_version: \"1.0\"\nunit: U\nanswers: {}\n");
	weft_diags *d;
	weft_diags_new(&d);
	weft_assess_answers *a = NULL;
	cr_assert_eq(weft_assess_answers_migrate(&a, old, m, d), 0);
	cr_assert_null(a->migrated_from);
	cr_assert_eq(weft_assess_answers_check(a, m, false, d), WEFT_EINVALID);
	assert_error_at(d, "old.yaml", 1, 8, "answers are for model 'other', not 'ai-integration'");
	weft_assess_answers_free(a);
	weft_assess_answers_free(old);
	weft_diags_free(d);
	weft_assess_model_free(m);
}

Test(assess_migrate, round_trip_passes_the_check)
{
	weft_assess_model *m = good_model();
	weft_assess_answers *a = migrate_ok(m, OLD_ANSWERS);
	weft_diags *d;
	weft_diags_new(&d);
	/* answers inside the out-of-scope dimensions are warnings, not errors */
	cr_assert_eq(weft_assess_answers_check(a, m, false, d), 0);
	cr_assert_eq(weft_diags_errors(d), 0);
	/* and the render of the migrated set reads back as valid for 2.0 */
	weft_buf b = WEFT_BUF_INIT;
	cr_assert_eq(weft_assess_answers_render(&b, a, m), 0);
	weft_assess_answers *back = NULL;
	cr_assert_eq(weft_assess_answers_load_buffer(&back, "back.yaml", b.ptr, b.len, d), 0);
	cr_assert_eq(weft_assess_answers_check(back, m, false, d), 0);
	cr_assert_str_eq(back->model_version, "2.0");
	assert_level(back, "rt-auth", 2);
	weft_assess_answers_free(back);
	weft_buf_free(&b);
	/* scoring accepts it */
	weft_assess_result *res = NULL;
	cr_assert_eq(weft_assess_score(&res, m, (const weft_assess_answers *const *)&a, 1, NULL, d), 0);
	weft_assess_result_free(res);
	weft_diags_free(d);
	weft_assess_answers_free(a);
	weft_assess_model_free(m);
}

Test(assess_migrate, fixture_files)
{
	weft_assess_model *m = fixture_model(FIX("migrate/model-2.0.yaml"));
	weft_diags *d;
	weft_diags_new(&d);
	weft_assess_answers *old = NULL;
	cr_assert_eq(weft_assess_answers_load(&old, FIX("migrate/answers-1.0.yaml"), d), 0);
	weft_assess_answers *a = NULL;
	cr_assert_eq(weft_assess_answers_migrate(&a, old, m, d), 0);
	cr_assert_str_eq(a->sha256, old->sha256); /* provenance of the file */
	cr_assert_eq(strlen(a->sha256), 64);
	cr_assert_str_eq(a->path, old->path);
	cr_assert_str_eq(a->migrated_from, "1.0");
	cr_assert_eq(weft_assess_answers_check(a, m, true, d), 0);
	cr_assert_eq(weft_diags_errors(d), 0);
	assert_level(a, "rt-contract-ci", 3);
	assert_level(a, "rt-auth", 2);
	assert_level(a, "em-board", 2);
	assert_level(a, "em-cpu", 2);
	assert_note(a, "rt-manual (1.0) was removed");
	weft_assess_answers_free(a);
	weft_assess_answers_free(old);
	weft_diags_free(d);
	weft_assess_model_free(m);
}
