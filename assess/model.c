/* model.c - loading and validating maturity models (YAML).
 *
 * Design choice: validation does not stop at the first problem. Every
 * field is checked and every error recorded at its own line and column, so
 * one `weft assess validate` run lists all that is wrong; the model is only
 * handed out when there were no errors. Strings point into the YAML
 * document, which the model keeps alive. Ids are indexed in a sorted array
 * (duplicates found in O(n log n), lookups by binary search), so a hostile
 * file with many questions cannot make loading quadratic.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "assess_int.h"

typedef struct {
	weft_yaml_doc *doc;
	assess_id_entry *ids; /* sorted by id */
	size_t n_ids;
	const char **qids; /* question ids, model order, for hints */
} model_priv;

static const char *const consideration_ids[] = {
	"api-availability", "api-latency-budget", "api-auth", "api-versioning",
	"batch-scheduling", "batch-freshness", "batch-storage",
	"embedded-updates", "embedded-hardware", "embedded-monitoring",
	"edge-fleet", "edge-hardware", "edge-security",
	"hitl-workflow", "hitl-threshold", "hitl-feedback",
	"erp-extension", "crm-consumption", "scm-mixed-patterns",
	"maturity-ladder", "design-time-integration", "cross-team-collaboration",
};
#define N_CONSIDERATIONS (sizeof consideration_ids / sizeof consideration_ids[0])

typedef struct {
	const weft_yaml_doc *doc;
	weft_diags *d;
	const char *path;
	int errors;
} ctx;

static int err_at(ctx *c, const weft_yaml_node *n, const char *hint, const char *fmt, ...)
	WEFT_PRINTF(4, 5);
static int err_at(ctx *c, const weft_yaml_node *n, const char *hint, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	weft_diags_vadd(c->d, WEFT_SEV_ERROR, c->path, n ? n->line : 0, n ? n->col : 0, hint, fmt, ap);
	va_end(ap);
	c->errors++;
	return WEFT_EINVALID;
}

static void count(ctx *c, int err)
{
	if (err)
		c->errors++;
}

/* An optional weight: default 1, a number > 0 and <= the maximum. */
static void read_weight(ctx *c, double *out, const weft_yaml_node *map)
{
	*out = 1.0;
	double w = 1.0;
	int err = weft_yaml_num(&w, c->doc, map, "weight", false, c->d);
	if (err) {
		count(c, err);
		return;
	}
	const weft_yaml_node *n = weft_yaml_get(map, "weight");
	if (n && !weft_yaml_is_null(n) && (!(w > 0) || w > WEFT_ASSESS_MAX_WEIGHT)) {
		err_at(c, n, "weights are relative importances: any number above 0 (1 is the default)",
		       "'weight' must be greater than 0 and at most %g, got %s", WEFT_ASSESS_MAX_WEIGHT,
		       assess_clean(n->scalar));
		return;
	}
	*out = w;
}

/* A level number 1..5 under key; 0 when missing or bad (recorded). */
static int read_level(ctx *c, const weft_yaml_node *map, const char *key)
{
	long long v = 0;
	int err = weft_yaml_int(&v, c->doc, map, key, true, c->d);
	if (err) {
		count(c, err);
		return 0;
	}
	if (v < 1 || v > WEFT_ASSESS_LEVELS) {
		err_at(c, weft_yaml_get(map, key), NULL, "level %lld is out of range (1 to 5)", v);
		return 0;
	}
	return (int)v;
}

static void read_str(ctx *c, const char **out, const weft_yaml_node *map, const char *key,
		     bool required)
{
	if (required)
		count(c, assess_req_str(out, c->doc, map, key, c->d));
	else
		count(c, weft_yaml_str(out, c->doc, map, key, false, c->d));
}

static bool expect(ctx *c, const weft_yaml_node *n, weft_yaml_kind k, const char *what)
{
	int err = weft_yaml_expect(c->doc, n, k, what, c->d);
	count(c, err);
	return err == 0;
}

/* A required sequence field with at least one item. */
static const weft_yaml_node *read_seq(ctx *c, const weft_yaml_node *map, const char *key,
				      const char *what)
{
	const weft_yaml_node *n = weft_yaml_get(map, key);
	if (!n || weft_yaml_is_null(n)) {
		err_at(c, n ? n : map, NULL, n ? "field '%s' is empty" : "missing required field '%s'",
		       key);
		return NULL;
	}
	char label[64];
	snprintf(label, sizeof label, "'%s'", key);
	if (!expect(c, n, WEFT_YAML_SEQUENCE, label))
		return NULL;
	if (n->n == 0) {
		err_at(c, n, NULL, "'%s' needs at least one %s", key, what);
		return NULL;
	}
	return n;
}

static void check_id(ctx *c, const char *id, const weft_yaml_node *map, bool model_id)
{
	if (!id || assess_id_ok(id, model_id))
		return;
	err_at(c, weft_yaml_get(map, "id"),
	       model_id ? "use lower-case letters, digits and '-', starting with a letter or digit"
			: "use lower-case letters, digits, '-', '_' and '.', starting with a letter or digit",
	       "invalid id '%s'", assess_clean(id));
}

/* A sequence under key with one mapping per level 1..5, each naming its
 * `level`: a level given twice or not at all is an error, worded with
 * subject (e.g. "question 'q1': ") and noun ("level", "option for level").
 * entry() checks the rest of each mapping (level 0: its level is missing or
 * wrong) and stores it when told to (the first of its level). */
typedef void (*level_entry_fn)(ctx *c, const weft_yaml_node *it, int level, bool store, void *arg);

static void read_by_level(ctx *c, const weft_yaml_node *parent, const char *key, const char *item,
			  const char *const *keys, const char *subject, const char *noun,
			  const char *missing_hint, level_entry_fn entry, void *arg)
{
	const weft_yaml_node *seq = read_seq(c, parent, key, item);
	if (!seq)
		return;
	const weft_yaml_node *seen[WEFT_ASSESS_LEVELS] = { 0 };
	for (size_t i = 0; i < seq->n; i++) {
		const weft_yaml_node *it = seq->items[i];
		if (!expect(c, it, WEFT_YAML_MAPPING, item))
			continue;
		weft_yaml_check_keys(c->doc, it, keys, WEFT_SEV_WARNING, c->d);
		int L = read_level(c, it, "level");
		bool first = L && !seen[L - 1];
		entry(c, it, L, first, arg);
		if (first) {
			seen[L - 1] = it;
		} else if (L) {
			char hint[64];
			snprintf(hint, sizeof hint, "first defined at line %d, column %d", seen[L - 1]->line,
				 seen[L - 1]->col);
			err_at(c, weft_yaml_get(it, "level"), hint, "%s%s %d is defined twice", subject, noun, L);
		}
	}
	for (int L = 1; L <= WEFT_ASSESS_LEVELS; L++)
		if (!seen[L - 1])
			err_at(c, seq, missing_hint, "%s%s %d is missing", subject, noun, L);
}

static void level_entry(ctx *c, const weft_yaml_node *it, int L, bool store, void *arg)
{
	weft_assess_model *m = arg;
	const char *name = NULL, *desc = NULL;
	read_str(c, &name, it, "name", true);
	read_str(c, &desc, it, "description", true);
	if (!store)
		return;
	m->levels[L - 1].name = name;
	m->levels[L - 1].description = desc;
}

static void read_levels(ctx *c, weft_assess_model *m, const weft_yaml_node *root)
{
	static const char *const keys[] = { "level", "name", "description", NULL };
	read_by_level(c, root, "levels", "level", keys, "", "level",
		      "a model defines each of the levels 1 to 5 once", level_entry, m);
}

static void option_entry(ctx *c, const weft_yaml_node *it, int L, bool store, void *arg)
{
	weft_assess_question *q = arg;
	const char *text = NULL, *improve = NULL;
	read_str(c, &text, it, "text", true);
	if (L && L < WEFT_ASSESS_LEVELS) {
		if (!weft_yaml_get(it, "improve") || weft_yaml_is_null(weft_yaml_get(it, "improve")))
			err_at(c, it, "say what to do to get from this option to the next level",
			       "option for level %d: missing required field 'improve'", L);
		else
			read_str(c, &improve, it, "improve", true);
	}
	if (!store)
		return;
	q->options[L - 1] = (weft_assess_option){ L, text, improve, it->line, it->col, NULL, 0 };
	c->errors += (int)assess_rules_read(q, L, c->doc, weft_yaml_get(it, "evidence"), c->d);
}

static void read_options(ctx *c, weft_assess_question *q, const weft_yaml_node *qmap)
{
	static const char *const keys[] = { "level", "text", "improve", "evidence", NULL };
	char subject[440]; /* assess_clean gives at most 323 bytes */
	snprintf(subject, sizeof subject, "question '%s': ", assess_clean(q->id ? q->id : "?"));
	read_by_level(c, qmap, "options", "option", keys, subject, "option for level",
		      "every question has one option per level, 1 to 5", option_entry, q);
}

static void read_considerations(ctx *c, weft_assess_question *q, const weft_yaml_node *qmap)
{
	const weft_yaml_node *seq = weft_yaml_get(qmap, "considerations");
	if (!seq || weft_yaml_is_null(seq))
		return;
	if (!expect(c, seq, WEFT_YAML_SEQUENCE, "'considerations'"))
		return;
	q->considerations = calloc(seq->n ? seq->n : 1, sizeof *q->considerations);
	if (!q->considerations) {
		err_at(c, seq, NULL, "out of memory");
		return;
	}
	for (size_t i = 0; i < seq->n; i++) {
		const weft_yaml_node *it = seq->items[i];
		if (!expect(c, it, WEFT_YAML_SCALAR, "consideration"))
			continue;
		bool known = false;
		for (size_t k = 0; k < N_CONSIDERATIONS && !known; k++)
			known = strcmp(it->scalar, consideration_ids[k]) == 0;
		if (!known) {
			const char *s = weft_suggest(it->scalar, consideration_ids, N_CONSIDERATIONS);
			char hint[96];
			if (s)
				snprintf(hint, sizeof hint, "did you mean '%s'?", s);
			weft_diags_add(c->d, WEFT_SEV_WARNING, c->path, it->line, it->col, s ? hint : NULL,
				       "unknown consideration id '%s'", assess_clean(it->scalar));
		}
		q->considerations[q->n_considerations++] = it->scalar;
	}
}

static void read_question(ctx *c, weft_assess_question *q, const weft_yaml_node *map)
{
	static const char *const keys[] = { "id", "text", "help", "weight", "critical",
					    "allow_na", "considerations", "options", NULL };
	const weft_yaml_node *idn = weft_yaml_get(map, "id");
	q->line = idn ? idn->line : map->line;
	q->col = idn ? idn->col : map->col;
	weft_yaml_check_keys(c->doc, map, keys, WEFT_SEV_WARNING, c->d);
	read_str(c, &q->id, map, "id", true);
	check_id(c, q->id, map, false);
	read_str(c, &q->text, map, "text", true);
	read_str(c, &q->help, map, "help", false);
	read_weight(c, &q->weight, map);
	count(c, weft_yaml_bool(&q->critical, c->doc, map, "critical", false, c->d));
	count(c, weft_yaml_bool(&q->allow_na, c->doc, map, "allow_na", false, c->d));
	if (q->critical && q->allow_na)
		err_at(c, weft_yaml_get(map, "allow_na"),
		       "a critical question holds its dimension's level, so every unit in scope must "
		       "answer it; put the whole dimension out of scope instead (dimension optional: true)",
		       "a critical question cannot allow na");
	read_considerations(c, q, map);
	read_options(c, q, map);
}

static void read_dimension(ctx *c, weft_assess_dimension *dim, const weft_yaml_node *map)
{
	static const char *const keys[] = { "id",	"title",     "description",
					    "weight", "optional", "questions", NULL };
	const weft_yaml_node *idn = weft_yaml_get(map, "id");
	dim->line = idn ? idn->line : map->line;
	dim->col = idn ? idn->col : map->col;
	weft_yaml_check_keys(c->doc, map, keys, WEFT_SEV_WARNING, c->d);
	read_str(c, &dim->id, map, "id", true);
	check_id(c, dim->id, map, false);
	read_str(c, &dim->title, map, "title", true);
	read_str(c, &dim->description, map, "description", false);
	read_weight(c, &dim->weight, map);
	count(c, weft_yaml_bool(&dim->optional, c->doc, map, "optional", false, c->d));
	const weft_yaml_node *seq = read_seq(c, map, "questions", "question");
	if (!seq)
		return;
	dim->questions = calloc(seq->n, sizeof *dim->questions);
	if (!dim->questions) {
		err_at(c, seq, NULL, "out of memory");
		return;
	}
	for (size_t i = 0; i < seq->n; i++) {
		if (!expect(c, seq->items[i], WEFT_YAML_MAPPING, "question"))
			continue;
		weft_assess_question *q = &dim->questions[dim->n_questions++];
		q->dim = dim->index;
		read_question(c, q, seq->items[i]);
	}
}

typedef struct {
	assess_id_entry e;
	int line, col;
} id_pos;

static int cmp_id_pos(const void *a, const void *b)
{
	const id_pos *x = a, *y = b;
	int r = strcmp(x->e.id, y->e.id);
	if (r)
		return r;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->col < y->col ? -1 : x->col > y->col;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const assess_id_entry *)a)->id, ((const assess_id_entry *)b)->id);
}

/* Index every id; duplicates are errors at the later definition. */
static void index_ids(ctx *c, weft_assess_model *m, model_priv *p)
{
	size_t n = m->n_dims + m->n_questions;
	id_pos *all = calloc(n ? n : 1, sizeof *all);
	p->ids = calloc(n ? n : 1, sizeof *p->ids);
	p->qids = calloc(m->n_questions ? m->n_questions : 1, sizeof *p->qids);
	m->questions = calloc(m->n_questions ? m->n_questions : 1, sizeof *m->questions);
	if (!all || !p->ids || !p->qids || !m->questions) {
		free(all);
		err_at(c, NULL, NULL, "out of memory");
		return;
	}
	size_t k = 0, qi = 0;
	for (size_t i = 0; i < m->n_dims; i++) {
		weft_assess_dimension *dim = &m->dims[i];
		if (dim->id)
			all[k++] = (id_pos){ { dim->id, NULL, dim }, dim->line, dim->col };
		for (size_t j = 0; j < dim->n_questions; j++) {
			weft_assess_question *q = &dim->questions[j];
			q->index = qi;
			m->questions[qi] = q;
			p->qids[qi++] = q->id;
			if (q->id)
				all[k++] = (id_pos){ { q->id, q, dim }, q->line, q->col };
		}
	}
	qsort(all, k, sizeof *all, cmp_id_pos);
	size_t out = 0, first = 0;
	for (size_t i = 0; i < k; i++) {
		if (out && strcmp(p->ids[out - 1].id, all[i].e.id) == 0) {
			/* equal ids sort by position: all[first] is the first definition */
			char hint[64];
			snprintf(hint, sizeof hint, "first defined at line %d, column %d", all[first].line,
				 all[first].col);
			weft_diags_add(c->d, WEFT_SEV_ERROR, c->path, all[i].line, all[i].col, hint,
				       "duplicate id '%s' (ids must be unique across dimensions and questions)",
				       assess_clean(all[i].e.id));
			c->errors++;
			continue;
		}
		first = i;
		p->ids[out++] = all[i].e;
	}
	p->n_ids = out;
	free(all);
}

void weft_assess_model_free(weft_assess_model *m)
{
	if (!m)
		return;
	model_priv *p = m->priv;
	assess_rules_free(m);
	for (size_t i = 0; i < m->n_dims; i++) {
		for (size_t j = 0; j < m->dims[i].n_questions; j++)
			free(m->dims[i].questions[j].considerations);
		free(m->dims[i].questions);
	}
	free(m->dims);
	free(m->questions);
	assess_migrations_free(m);
	if (p) {
		weft_yaml_doc_free(p->doc);
		free(p->ids);
		free(p->qids);
		free(p);
	}
	free(m);
}

/* min_coverage: a fraction 0 < x <= 1, default WEFT_ASSESS_DEFAULT_MIN_COVERAGE. */
static void read_min_coverage(ctx *c, weft_assess_model *m, const weft_yaml_node *root)
{
	m->min_coverage = WEFT_ASSESS_DEFAULT_MIN_COVERAGE;
	const weft_yaml_node *n = weft_yaml_get(root, "min_coverage");
	if (!n)
		return;
	double v = 0;
	if (weft_yaml_num(&v, c->doc, root, "min_coverage", false, c->d)) {
		c->errors++;
		return;
	}
	if (!(v > 0 && v <= 1)) {
		err_at(c, n, "the share of a dimension's applicable weight that must be answered, "
			     "0.8 for 80%",
		       "'min_coverage' must be above 0 and at most 1, got %s", n->scalar);
		return;
	}
	m->min_coverage = v;
}

static void read_na_category(ctx *c, weft_assess_model *m, const weft_yaml_node *root)
{
	read_str(c, &m->na_category, root, "na_category", false);
	if (m->na_category && !assess_id_ok(m->na_category, true))
		err_at(c, weft_yaml_get(root, "na_category"), "for example does-not-apply",
		       "'na_category' must be a lower-case word or words joined by '-'");
}

/* Validate doc into a model; takes ownership of doc. */
static int build(weft_assess_model **out, weft_yaml_doc *doc, const char *sha256, weft_diags *d)
{
	static const char *const keys[] = { "id",	   "version",	  "title",
					    "description", "min_coverage", "na_category",
					    "levels",	   "dimensions",   "migrations", NULL };
	weft_assess_model *m = calloc(1, sizeof *m);
	model_priv *p = calloc(1, sizeof *p);
	if (!m || !p) {
		free(m);
		free(p);
		weft_yaml_doc_free(doc);
		return WEFT_ENOMEM;
	}
	m->priv = p;
	p->doc = doc;
	snprintf(m->sha256, sizeof m->sha256, "%s", sha256);
	ctx c = { doc, d, weft_yaml_doc_path(doc), 0 };
	m->path = c.path;
	const weft_yaml_node *root = weft_yaml_doc_root(doc);
	if (!root) {
		weft_diags_add(d, WEFT_SEV_ERROR, c.path, 1, 1,
			       "a model has id, version, title, levels and dimensions; see "
			       "docs/formats/maturity-model.md",
			       "the file is empty; expected a maturity model");
		weft_assess_model_free(m);
		return WEFT_EINVALID;
	}
	if (!expect(&c, root, WEFT_YAML_MAPPING, "maturity model")) {
		weft_assess_model_free(m);
		return WEFT_EINVALID;
	}
	weft_yaml_check_keys(doc, root, keys, WEFT_SEV_WARNING, d);
	read_str(&c, &m->id, root, "id", true);
	check_id(&c, m->id, root, true);
	read_str(&c, &m->version, root, "version", true);
	read_str(&c, &m->title, root, "title", true);
	read_str(&c, &m->description, root, "description", false);
	read_min_coverage(&c, m, root);
	read_na_category(&c, m, root);
	read_levels(&c, m, root);
	const weft_yaml_node *dims = read_seq(&c, root, "dimensions", "dimension");
	if (dims) {
		m->dims = calloc(dims->n, sizeof *m->dims);
		if (!m->dims) {
			weft_assess_model_free(m);
			return WEFT_ENOMEM;
		}
		for (size_t i = 0; i < dims->n; i++) {
			if (!expect(&c, dims->items[i], WEFT_YAML_MAPPING, "dimension"))
				continue;
			weft_assess_dimension *dim = &m->dims[m->n_dims];
			dim->index = m->n_dims++;
			read_dimension(&c, dim, dims->items[i]);
			m->n_questions += dim->n_questions;
		}
	}
	index_ids(&c, m, p);
	const weft_yaml_node *mig = weft_yaml_get(root, "migrations");
	if (mig && !c.errors && expect(&c, mig, WEFT_YAML_SEQUENCE, "list of migrations"))
		c.errors += (int)assess_migrations_read(m, doc, mig, d);
	if (c.errors) {
		weft_assess_model_free(m);
		return WEFT_EINVALID;
	}
	*out = m;
	return WEFT_OK;
}

int weft_assess_model_load(weft_assess_model **out, const char *path, weft_diags *d)
{
	*out = NULL;
	weft_yaml_doc *doc = NULL;
	char sha[65];
	int err = assess_yaml_file(&doc, sha, path, d);
	if (err)
		return err;
	return build(out, doc, sha, d);
}

int weft_assess_model_load_buffer(weft_assess_model **out, const char *name, const char *buf,
				  size_t len, weft_diags *d)
{
	*out = NULL;
	weft_yaml_doc *doc = NULL;
	char sha[65];
	int err = assess_yaml_buffer(&doc, sha, name, buf, len, d);
	if (err)
		return err;
	return build(out, doc, sha, d);
}

const assess_id_entry *assess_model_lookup(const weft_assess_model *m, const char *id)
{
	if (!m || !id)
		return NULL;
	const model_priv *p = m->priv;
	assess_id_entry key = { id, NULL, NULL };
	return bsearch(&key, p->ids, p->n_ids, sizeof *p->ids, cmp_entry);
}

const char *assess_model_suggest(const weft_assess_model *m, const char *word, bool questions_only)
{
	const model_priv *p = m->priv;
	/* hints are a courtesy: skip them for huge models (quadratic distance) */
	if (m->n_questions > 2000 || strlen(word) > 128)
		return NULL;
	const char *s = weft_suggest(word, p->qids, m->n_questions);
	if (s || questions_only)
		return s;
	const char **dims = calloc(m->n_dims ? m->n_dims : 1, sizeof *dims);
	if (!dims)
		return NULL;
	for (size_t i = 0; i < m->n_dims; i++)
		dims[i] = m->dims[i].id;
	s = weft_suggest(word, dims, m->n_dims);
	free(dims);
	return s;
}

const weft_assess_question *weft_assess_model_question(const weft_assess_model *m, const char *id)
{
	const assess_id_entry *e = assess_model_lookup(m, id);
	return e ? e->q : NULL;
}

const weft_assess_dimension *weft_assess_model_dimension(const weft_assess_model *m,
							  const char *id)
{
	const assess_id_entry *e = assess_model_lookup(m, id);
	return e && !e->q ? e->dim : NULL;
}

const char *weft_assess_level_name(const weft_assess_model *m, int level)
{
	if (level < 1 || level > WEFT_ASSESS_LEVELS)
		return "not assessed";
	const char *n = m ? m->levels[level - 1].name : NULL;
	return n ? n : "";
}

const char *weft_assess_default_model_path(void)
{
	static char path[4096];
	snprintf(path, sizeof path, "%s/assess/questionnaires/ai-integration.yaml", weft_data_dir());
	return path;
}
