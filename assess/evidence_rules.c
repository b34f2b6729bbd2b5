/* evidence_rules.c - reading the evidence rules of a maturity model's
 * options (the `evidence:` list of an option; docs/formats/maturity-model.md).
 *
 * Design choice: a rule is a mapping whose keys decide its kind (ci, openapi,
 * test, key, contains, else file), so a model stays data a reader can follow
 * and a wrong combination is an error at its own line and column, never a
 * rule that silently matches nothing. Patterns are compiled here once to
 * prove they are valid POSIX extended regular expressions; the scanner
 * compiles them again (regex_t is not kept in the read-only model).
 */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "assess_int.h"

typedef struct {
	const weft_yaml_doc *doc;
	const char *path;
	const char *qid;
	int level;
	weft_diags *d;
	size_t errors;
} rctx;

static void rerr(rctx *c, const weft_yaml_node *n, const char *hint, const char *fmt, ...) WEFT_PRINTF(4, 5);
static void rerr(rctx *c, const weft_yaml_node *n, const char *hint, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	weft_diags_add(c->d, WEFT_SEV_ERROR, c->path, n ? n->line : 0, n ? n->col : 0, hint,
		       "question '%s', option %d: evidence: %s", assess_clean(c->qid), c->level, msg);
	c->errors++;
}

/* A string scalar under key, or NULL (absent); an empty or non-string value
 * is an error. */
static const char *rstr(rctx *c, const weft_yaml_node *map, const char *key)
{
	const weft_yaml_node *n = weft_yaml_get(map, key);
	if (!n)
		return NULL;
	if (n->kind != WEFT_YAML_SCALAR || weft_yaml_is_null(n) || !n->scalar[0] ||
	    strlen(n->scalar) != n->len) {
		rerr(c, n, NULL, "'%s' needs a non-empty string", key);
		return NULL;
	}
	return n->scalar;
}

static void check_regex(rctx *c, const weft_yaml_node *map, const char *key, const char *re)
{
	if (!re)
		return;
	regex_t rx;
	int rc = regcomp(&rx, re, REG_EXTENDED | REG_NOSUB);
	if (rc) {
		char why[160];
		regerror(rc, &rx, why, sizeof why);
		rerr(c, weft_yaml_get(map, key), "patterns are POSIX extended regular expressions",
		     "'%s' is not a valid pattern: %s", key, why);
		return;
	}
	regfree(&rx);
}

/* A glob is relative to the scanned folder: no leading '/', no '..'. */
static bool glob_ok(const char *g)
{
	if (!g[0] || g[0] == '/' || strlen(g) > 512)
		return false;
	for (const char *s = g; *s;) {
		const char *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		if (n == 0 || (n == 2 && s[0] == '.' && s[1] == '.'))
			return false;
		s += n + (e != NULL);
	}
	return true;
}

/* `file`: one glob or a list of them (any may match). */
static void read_globs(rctx *c, weft_assess_rule *r, const weft_yaml_node *map)
{
	const weft_yaml_node *n = weft_yaml_get(map, "file");
	if (!n)
		return;
	size_t cnt = n->kind == WEFT_YAML_SEQUENCE ? n->n : 1;
	if (n->kind == WEFT_YAML_MAPPING || cnt == 0) {
		rerr(c, n, "give a glob such as \"**/*.yaml\", or a list of them", "'file' needs a glob or a list of globs");
		return;
	}
	r->globs = calloc(cnt, sizeof *r->globs);
	if (!r->globs) {
		rerr(c, n, NULL, "out of memory");
		return;
	}
	for (size_t i = 0; i < cnt; i++) {
		const weft_yaml_node *g = n->kind == WEFT_YAML_SEQUENCE ? n->items[i] : n;
		if (g->kind != WEFT_YAML_SCALAR || weft_yaml_is_null(g) || strlen(g->scalar) != g->len ||
		    !glob_ok(g->scalar)) {
			rerr(c, g, "globs are relative to the scanned folder: no leading '/', no '..', no empty part",
			     "invalid glob '%s'", g->kind == WEFT_YAML_SCALAR ? assess_clean(g->scalar) : "?");
			continue;
		}
		r->globs[r->n_globs++] = g->scalar;
	}
}

/* Which kind the keys present make, or 0 (recorded) for a bad mix. */
static weft_assess_rule_kind rule_kind(rctx *c, const weft_yaml_node *map)
{
	bool ci = weft_yaml_get(map, "ci"), api = weft_yaml_get(map, "openapi"),
	     test = weft_yaml_get(map, "test"), key = weft_yaml_get(map, "key"),
	     has = weft_yaml_get(map, "contains"), file = weft_yaml_get(map, "file"),
	     value = weft_yaml_get(map, "value");
	int kinds = ci + api + test + key;
	if (kinds > 1) {
		rerr(c, map, "one of ci, openapi, test, key per rule; list several rules instead",
		     "a rule has more than one kind");
		return 0;
	}
	if (value && !key) {
		rerr(c, weft_yaml_get(map, "value"), NULL, "'value' only goes with 'key'");
		return 0;
	}
	if (has && (ci || api || key)) {
		rerr(c, weft_yaml_get(map, "contains"), NULL, "'contains' goes with 'file' or 'test' only");
		return 0;
	}
	if (ci && file) {
		rerr(c, weft_yaml_get(map, "file"), "a ci rule reads the CI files weft knows (docs/formats/maturity-model.md)",
		     "'file' does not go with 'ci'");
		return 0;
	}
	if ((key || (has && !test) || kinds == 0) && !file) {
		rerr(c, map, "say which files to look at with 'file: GLOB'",
		     kinds == 0 && !has ? "a rule needs one of file, contains, key, ci, openapi, test"
					: "this rule needs 'file'");
		return 0;
	}
	return ci ? WEFT_ASSESS_RULE_CI : api ? WEFT_ASSESS_RULE_OPENAPI : test ? WEFT_ASSESS_RULE_TEST
	     : key ? WEFT_ASSESS_RULE_KEY : has ? WEFT_ASSESS_RULE_CONTAINS : WEFT_ASSESS_RULE_FILE;
}

static void read_kind_fields(rctx *c, weft_assess_rule *r, const weft_yaml_node *map)
{
	switch (r->kind) {
	case WEFT_ASSESS_RULE_CI: r->pattern = rstr(c, map, "ci"); break;
	case WEFT_ASSESS_RULE_TEST:
		r->pattern = rstr(c, map, "test");
		r->contains = rstr(c, map, "contains");
		break;
	case WEFT_ASSESS_RULE_CONTAINS: r->pattern = rstr(c, map, "contains"); break;
	case WEFT_ASSESS_RULE_KEY:
		r->key = rstr(c, map, "key");
		r->pattern = rstr(c, map, "value");
		if (r->key && (r->key[0] == '.' || r->key[strlen(r->key) - 1] == '.' || strstr(r->key, "..")))
			rerr(c, weft_yaml_get(map, "key"), "write a dotted path such as stages.*.budget",
			     "'key' has an empty part");
		break;
	case WEFT_ASSESS_RULE_OPENAPI: {
		bool on = false;
		if (weft_yaml_as_bool(&on, weft_yaml_get(map, "openapi")) || !on)
			rerr(c, weft_yaml_get(map, "openapi"), "write openapi: true (and 'file' to narrow the search)",
			     "'openapi' must be true");
		break;
	}
	default: break;
	}
	check_regex(c, map, r->kind == WEFT_ASSESS_RULE_KEY ? "value" : r->kind == WEFT_ASSESS_RULE_CI ? "ci"
							: r->kind == WEFT_ASSESS_RULE_TEST ? "test" : "contains",
		    r->pattern);
	check_regex(c, map, "contains", r->contains);
}

static void read_rule(rctx *c, weft_assess_rule *r, const weft_yaml_node *map, const weft_assess_rule *prev,
		      size_t n_prev)
{
	static const char *const keys[] = { "id", "text", "file", "contains", "key", "value", "ci",
					    "openapi", "test", NULL };
	weft_yaml_check_keys(c->doc, map, keys, WEFT_SEV_WARNING, c->d);
	r->line = map->line;
	r->col = map->col;
	r->id = rstr(c, map, "id");
	r->text = rstr(c, map, "text");
	if (!weft_yaml_get(map, "id") || !weft_yaml_get(map, "text"))
		rerr(c, map, "every rule has an id and a text saying what it looks for",
		     "missing required field '%s'", weft_yaml_get(map, "id") ? "text" : "id");
	if (r->id && !assess_id_ok(r->id, false))
		rerr(c, weft_yaml_get(map, "id"), NULL, "invalid rule id '%s'", assess_clean(r->id));
	for (size_t i = 0; r->id && i < n_prev; i++)
		if (prev[i].id && !strcmp(prev[i].id, r->id))
			rerr(c, weft_yaml_get(map, "id"), "rule ids are unique within a question",
			     "rule '%s' is defined twice", assess_clean(r->id));
	r->kind = rule_kind(c, map);
	read_globs(c, r, map);
	if (r->kind)
		read_kind_fields(c, r, map);
}

size_t assess_rules_read(weft_assess_question *q, int level, const weft_yaml_doc *doc,
			 const weft_yaml_node *seq, weft_diags *d)
{
	rctx c = { doc, weft_yaml_doc_path(doc), q->id ? q->id : "?", level, d, 0 };
	weft_assess_option *o = &q->options[level - 1];
	if (!seq || weft_yaml_is_null(seq))
		return 0;
	if (seq->kind != WEFT_YAML_SEQUENCE || seq->n == 0) {
		rerr(&c, seq, NULL, "expected a list of rules");
		return c.errors;
	}
	if (level == 1) {
		rerr(&c, seq, "level 1 is what a unit has without evidence; put rules on levels 2 to 5",
		     "level 1 takes no evidence rules");
		return c.errors;
	}
	o->evidence = calloc(seq->n, sizeof *o->evidence);
	if (!o->evidence) {
		rerr(&c, seq, NULL, "out of memory");
		return c.errors;
	}
	for (size_t i = 0; i < seq->n; i++) {
		const weft_yaml_node *it = seq->items[i];
		if (it->kind != WEFT_YAML_MAPPING) {
			rerr(&c, it, NULL, "a rule is a mapping, got %s", weft_yaml_describe(it));
			continue;
		}
		weft_assess_rule *r = &o->evidence[o->n_evidence];
		read_rule(&c, r, it, o->evidence, o->n_evidence);
		/* rule ids are unique across the question's options */
		for (int L = 1; L <= WEFT_ASSESS_LEVELS; L++)
			for (size_t k = 0; L != level && r->id && k < q->options[L - 1].n_evidence; k++)
				if (q->options[L - 1].evidence[k].id && !strcmp(q->options[L - 1].evidence[k].id, r->id))
					rerr(&c, weft_yaml_get(it, "id"), "rule ids are unique within a question",
					     "rule '%s' is also defined for level %d", assess_clean(r->id), L);
		o->n_evidence++;
	}
	return c.errors;
}

void assess_rules_free(weft_assess_model *m)
{
	for (size_t i = 0; m && i < m->n_dims; i++)
		for (size_t j = 0; j < m->dims[i].n_questions; j++)
			for (int L = 0; L < WEFT_ASSESS_LEVELS; L++) {
				weft_assess_option *o = &m->dims[i].questions[j].options[L];
				for (size_t k = 0; k < o->n_evidence; k++)
					free(o->evidence[k].globs);
				free(o->evidence);
				o->evidence = NULL;
				o->n_evidence = 0;
			}
}
