/* portfolio.c - one view across business units: each unit's latest
 * assessment, scored at one target, with the dimensions and gaps the
 * organisation shares.
 *
 * Design choice: a unit is its answers' `unit` name and its assessment is
 * the set of its files with the latest date, handed to weft_assess_score
 * together, so a unit's cell in the portfolio says exactly what `weft
 * assess score` of those files says (migration, roll-up and all). Every
 * unit is scored at one target (the option, else one above the lowest
 * rated overall level), so PercentToTarget and "below target" compare
 * across units. Files are told apart with weft_assess_detect: a model or a
 * weights file in a folder is skipped with a note, never an error, while a
 * file that does not parse is an error at its line and column.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "assess_int.h"

typedef struct {
	char **v;
	size_t n, cap;
} strvec;

static int strvec_push(strvec *s, char *owned)
{
	if (!owned)
		return WEFT_ENOMEM;
	if (s->n == s->cap) {
		size_t nc = s->cap ? 2 * s->cap : 16;
		char **g = realloc(s->v, nc * sizeof *g);
		if (!g) {
			free(owned);
			return WEFT_ENOMEM;
		}
		s->v = g;
		s->cap = nc;
	}
	s->v[s->n++] = owned;
	return 0;
}

static void strvec_free(strvec *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

void weft_assess_portfolio_free(weft_assess_portfolio *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_units; i++) {
		weft_assess_portfolio_unit *u = &p->units[i];
		weft_assess_result_free(u->result);
		for (size_t k = 0; u->answers && k < u->n_files; k++)
			weft_assess_answers_free(u->answers[k]);
		free(u->answers);
		strv_free(u->files, u->n_files);
		strv_free(u->older, u->n_older);
		free(u->unit);
		free(u->date);
	}
	free(p->units);
	free(p->dims);
	for (size_t i = 0; i < p->n_gaps; i++)
		free(p->gaps[i].units);
	free(p->gaps);
	for (size_t i = 0; i < p->n_skipped; i++)
		free(p->skipped[i].path);
	free(p->skipped);
	free(p);
}

/* ---- finding the files ---- */

static bool yaml_name(const char *name)
{
	size_t n = strlen(name);
	if (name[0] == '.')
		return false;
	return (n > 5 && !strcmp(name + n - 5, ".yaml")) || (n > 4 && !strcmp(name + n - 4, ".yml"));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *join(const char *dir, const char *name)
{
	size_t dl = strlen(dir), nl = strlen(name);
	bool slash = dl && dir[dl - 1] == '/';
	char *p = malloc(dl + nl + 2);
	if (p)
		snprintf(p, dl + nl + 2, "%s%s%s", dir, slash ? "" : "/", name);
	return p;
}

/* The *.yaml / *.yml regular files of dir, sorted by name. */
static int list_dir(strvec *out, const char *dir, weft_diags *d)
{
	DIR *dp = opendir(dir);
	if (!dp) {
		weft_diags_add(d, WEFT_SEV_ERROR, dir, 0, 0, NULL, "cannot read the folder: %s", strerror(errno));
		return WEFT_EENV;
	}
	strvec names = { 0 };
	int err = 0;
	struct dirent *de;
	while (!err && (de = readdir(dp))) {
		if (!yaml_name(de->d_name))
			continue;
		char *p = join(dir, de->d_name);
		struct stat st;
		if (p && (stat(p, &st) || !S_ISREG(st.st_mode))) {
			free(p);
			continue;
		}
		err = strvec_push(&names, p);
	}
	closedir(dp);
	if (!err && names.n)
		qsort(names.v, names.n, sizeof *names.v, cmp_str);
	for (size_t i = 0; i < names.n; i++) {
		if (!err)
			err = strvec_push(out, names.v[i]);
		else
			free(names.v[i]);
	}
	free(names.v);
	return err;
}

/* Every candidate file: the files given, and the YAML files of the folders
 * given. (*explicit_out)[i]: out->v[i] was named by the caller. */
static int collect(strvec *out, bool **explicit_out, const char *const *paths, size_t n, weft_diags *d)
{
	int err = 0;
	bool *ex = NULL;
	for (size_t i = 0; i < n && err != WEFT_ENOMEM; i++) {
		struct stat st;
		if (stat(paths[i], &st)) {
			weft_diags_add(d, WEFT_SEV_ERROR, paths[i], 0, 0, NULL, "cannot read: %s", strerror(errno));
			err = err ? err : WEFT_EENV;
			continue;
		}
		size_t before = out->n;
		int e = S_ISDIR(st.st_mode) ? list_dir(out, paths[i], d) : strvec_push(out, strdup(paths[i]));
		err = err ? err : e;
		bool *g = realloc(ex, (out->n ? out->n : 1) * sizeof *g);
		if (!g) {
			err = WEFT_ENOMEM;
			break;
		}
		ex = g;
		for (size_t k = before; k < out->n; k++)
			ex[k] = !S_ISDIR(st.st_mode);
	}
	*explicit_out = ex;
	return err;
}

/* ---- loading ---- */

static int add_skip(weft_assess_portfolio *p, const char *path, weft_assess_file_kind kind)
{
	weft_assess_portfolio_skip *g = realloc(p->skipped, (p->n_skipped + 1) * sizeof *g);
	if (!g)
		return WEFT_ENOMEM;
	p->skipped = g;
	g[p->n_skipped].kind = kind;
	if (!(g[p->n_skipped].path = strdup(path)))
		return WEFT_ENOMEM;
	p->n_skipped++;
	return 0;
}

static const char *kind_phrase(weft_assess_file_kind k)
{
	switch (k) {
	case WEFT_ASSESS_FILE_MODEL: return "a maturity model";
	case WEFT_ASSESS_FILE_WEIGHTS: return "a weights file";
	default: return "YAML of another kind";
	}
}

/* Load path when it is an answers file (*a stays NULL otherwise: skipped
 * with a note, or a warning when the caller named it). A file that does not
 * parse as YAML is an error in d. */
static int load_one(weft_assess_answers **a, weft_assess_portfolio *p, const char *path, bool named,
		    weft_diags *d)
{
	*a = NULL;
	weft_diags *scratch = NULL;
	if (weft_diags_new(&scratch))
		return WEFT_ENOMEM;
	weft_assess_file_kind kind;
	int err = weft_assess_detect(&kind, path, scratch);
	weft_diags_free(scratch);
	if (kind == WEFT_ASSESS_FILE_ANSWERS)
		return weft_assess_answers_load(a, path, d);
	if (err) {
		/* unreadable or not YAML: those errors, with their positions */
		weft_yaml_doc *doc = NULL;
		int e = assess_yaml_file(&doc, NULL, path, d);
		weft_yaml_doc_free(doc);
		if (e)
			return e;
	}
	weft_diags_add(d, named ? WEFT_SEV_WARNING : WEFT_SEV_NOTE, path, 0, 0, NULL,
		       "skipped: %s, not an answers file", kind_phrase(kind));
	return add_skip(p, path, kind);
}

/* Drop candidates that name a file already listed (a folder and a file in
 * it, or the same file twice). */
static void dedupe(strvec *c, bool *ex)
{
	char **real = calloc(c->n ? c->n : 1, sizeof *real);
	size_t k = 0;
	for (size_t i = 0; i < c->n; i++) {
		char *r = real ? realpath(c->v[i], NULL) : NULL;
		bool dup = false;
		for (size_t j = 0; r && j < k && !dup; j++)
			dup = real[j] && !strcmp(real[j], r);
		if (dup) {
			free(r);
			free(c->v[i]);
			continue;
		}
		if (real)
			real[k] = r;
		ex[k] = ex[i];
		c->v[k++] = c->v[i];
	}
	for (size_t i = 0; real && i < k; i++)
		free(real[i]);
	free(real);
	c->n = k;
}

/* ---- grouping ---- */

static int date_cmp(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static weft_assess_portfolio_unit *unit_for(weft_assess_portfolio *p, const char *name, size_t *cap)
{
	for (size_t i = 0; i < p->n_units; i++)
		if (!strcmp(p->units[i].unit, name))
			return &p->units[i];
	if (p->n_units == *cap) {
		size_t nc = *cap ? 2 * *cap : 8;
		weft_assess_portfolio_unit *g = realloc(p->units, nc * sizeof *g);
		if (!g)
			return NULL;
		p->units = g;
		*cap = nc;
	}
	weft_assess_portfolio_unit *u = &p->units[p->n_units];
	memset(u, 0, sizeof *u);
	if (!(u->unit = strdup(name)))
		return NULL;
	p->n_units++;
	return u;
}

static int push_str(char ***v, size_t *n, const char *s)
{
	char **g = realloc(*v, (*n + 1) * sizeof *g);
	if (!g)
		return WEFT_ENOMEM;
	*v = g;
	if (!(g[*n] = strdup(s)))
		return WEFT_ENOMEM;
	(*n)++;
	return 0;
}

/* Add answers a (owned from here on) to its unit: it replaces the unit's
 * files when later, joins them on the same date, is left out when older. */
static int group_add(weft_assess_portfolio *p, size_t *cap, weft_assess_answers *a)
{
	weft_assess_portfolio_unit *u = unit_for(p, a->unit, cap);
	if (!u) {
		weft_assess_answers_free(a);
		return WEFT_ENOMEM;
	}
	int c = u->n_files ? date_cmp(a->date, u->date) : 1;
	int err = 0;
	if (c < 0) {
		err = push_str(&u->older, &u->n_older, a->path);
		weft_assess_answers_free(a);
		return err;
	}
	if (c > 0) {
		for (size_t k = 0; k < u->n_files; k++) {
			if (!err)
				err = push_str(&u->older, &u->n_older, u->files[k]);
			weft_assess_answers_free(u->answers[k]);
			free(u->files[k]);
		}
		u->n_files = 0;
		free(u->date);
		u->date = a->date ? strdup(a->date) : NULL;
		if (a->date && !u->date)
			err = WEFT_ENOMEM;
	}
	weft_assess_answers **g = err ? NULL : realloc(u->answers, (u->n_files + 1) * sizeof *g);
	if (!g) {
		weft_assess_answers_free(a);
		return WEFT_ENOMEM;
	}
	u->answers = g;
	g[u->n_files] = a;
	err = push_str(&u->files, &u->n_files, a->path);
	if (err)
		weft_assess_answers_free(a); /* files[] did not grow: not owned */
	return err;
}

static int cmp_unit(const void *a, const void *b)
{
	const weft_assess_portfolio_unit *x = a, *y = b;
	int c = strcasecmp(x->unit, y->unit);
	return c ? c : strcmp(x->unit, y->unit);
}

/* ---- scoring ---- */

static int score_all(weft_assess_portfolio *p, const weft_assess_score_opts *so, weft_diags *d)
{
	for (size_t i = 0; i < p->n_units; i++) {
		weft_assess_portfolio_unit *u = &p->units[i];
		weft_assess_result_free(u->result);
		u->result = NULL;
		int err = weft_assess_score(&u->result, p->model, (assess_alist)u->answers, u->n_files, so, d);
		if (err)
			return err;
	}
	return 0;
}

/* One above the lowest rated overall level; when no unit is rated, the
 * lowest of the targets the units got on their own. */
static int default_target(const weft_assess_portfolio *p)
{
	int lo = 0, own = WEFT_ASSESS_LEVELS;
	for (size_t i = 0; i < p->n_units; i++) {
		const weft_assess_result *r = p->units[i].result;
		if (r->rated && (!lo || r->level < lo))
			lo = r->level;
		own = r->target < own ? r->target : own;
	}
	if (!lo)
		return own;
	return lo + 1 > WEFT_ASSESS_LEVELS ? WEFT_ASSESS_LEVELS : lo + 1;
}

static int score_units(weft_assess_portfolio *p, const weft_assess_portfolio_opts *o, weft_diags *d)
{
	weft_assess_score_opts so = o ? o->score : (weft_assess_score_opts){ 0, NULL, 0, 0 };
	int err = score_all(p, &so, d);
	p->target_explicit = so.target != 0;
	if (err || so.target) {
		p->target = so.target;
		return err;
	}
	p->target = so.target = default_target(p);
	weft_diags *quiet = NULL; /* the first pass said it all */
	if (weft_diags_new(&quiet))
		return WEFT_ENOMEM;
	err = score_all(p, &so, quiet);
	weft_diags_free(quiet);
	return err;
}

/* ---- the organisation's view ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int dim_stats(weft_assess_portfolio *p)
{
	const weft_assess_model *m = p->model;
	p->dims = calloc(m->n_dims ? m->n_dims : 1, sizeof *p->dims);
	double *v = calloc(p->n_units ? p->n_units : 1, sizeof *v);
	if (!p->dims || !v) {
		free(v);
		return WEFT_ENOMEM;
	}
	p->n_dims = m->n_dims;
	for (size_t k = 0; k < m->n_dims; k++) {
		weft_assess_portfolio_dim *pd = &p->dims[k];
		pd->dim = &m->dims[k];
		for (size_t i = 0; i < p->n_units; i++) {
			const weft_assess_dresult *dr = &p->units[i].result->dims[k];
			if (!dr->in_scope)
				continue;
			pd->n_in_scope++;
			if (dr->scored)
				v[pd->n_scored++] = dr->score;
			if (!dr->rated)
				pd->n_not_rated++;
			else if (dr->level < p->target)
				pd->n_below++;
		}
		qsort(v, pd->n_scored, sizeof *v, cmp_double);
		size_t h = pd->n_scored / 2;
		if (pd->n_scored)
			pd->median = pd->n_scored % 2 ? v[h] : (v[h - 1] + v[h]) / 2;
	}
	free(v);
	return 0;
}

/* Weakest first: scored before unscored, lowest median, most units below
 * the target, model order. */
static int cmp_dim(const void *a, const void *b)
{
	const weft_assess_portfolio_dim *x = a, *y = b;
	if (!x->n_scored != !y->n_scored)
		return x->n_scored ? -1 : 1;
	if (x->median != y->median)
		return x->median < y->median ? -1 : 1;
	if (x->n_below != y->n_below)
		return x->n_below > y->n_below ? -1 : 1;
	return (x->dim->index > y->dim->index) - (x->dim->index < y->dim->index);
}

/* Questions answered below the target in at least one unit. */
static int shared_gaps(weft_assess_portfolio *p)
{
	const weft_assess_model *m = p->model;
	p->gaps = calloc(m->n_questions ? m->n_questions : 1, sizeof *p->gaps);
	if (!p->gaps)
		return WEFT_ENOMEM;
	for (size_t qi = 0; qi < m->n_questions; qi++) {
		const weft_assess_question *q = m->questions[qi];
		weft_assess_portfolio_gap *g = &p->gaps[p->n_gaps];
		for (size_t i = 0; i < p->n_units; i++) {
			const weft_assess_result *r = p->units[i].result;
			const weft_assess_dresult *dr = &r->dims[q->dim];
			const weft_assess_qresult *qr = NULL;
			for (size_t k = 0; k < dr->n_questions && !qr; k++)
				qr = dr->questions[k].q == q ? &dr->questions[k] : NULL;
			if (!dr->in_scope || !qr || qr->gap <= 0)
				continue;
			if (!g->units && !(g->units = calloc(p->n_units, sizeof *g->units)))
				return WEFT_ENOMEM;
			g->units[g->n_units++] = p->units[i].unit;
			g->weighted_gap += qr->weighted_gap;
		}
		if (g->n_units) {
			g->q = q;
			p->n_gaps++;
		}
	}
	return 0;
}

static int cmp_gap(const void *a, const void *b)
{
	const weft_assess_portfolio_gap *x = a, *y = b;
	if (x->n_units != y->n_units)
		return x->n_units > y->n_units ? -1 : 1;
	if (x->weighted_gap != y->weighted_gap)
		return x->weighted_gap > y->weighted_gap ? -1 : 1;
	return (x->q->index > y->q->index) - (x->q->index < y->q->index);
}

/* ---- the whole ---- */

/* The index of an earlier candidate with the same bytes as a, or n. */
static size_t same_bytes(char (*sha)[65], size_t n, const weft_assess_answers *a)
{
	for (size_t j = 0; *a->sha256 && j < n; j++)
		if (!strcmp(sha[j], a->sha256))
			return j;
	return n;
}

/* Load every candidate; keep going after a broken file so all are reported.
 * A copy of a file already loaded (same bytes) is counted once, with a note. */
static int load_all(weft_assess_portfolio *p, const strvec *c, const bool *ex, weft_diags *d)
{
	int err = 0;
	size_t cap = 0;
	char(*sha)[65] = calloc(c->n ? c->n : 1, sizeof *sha);
	if (!sha)
		return WEFT_ENOMEM;
	for (size_t i = 0; i < c->n && err != WEFT_ENOMEM; i++) {
		weft_assess_answers *a = NULL;
		int e = load_one(&a, p, c->v[i], ex[i], d);
		size_t j = a ? same_bytes(sha, i, a) : i;
		if (a && j < i) {
			weft_diags_add(d, WEFT_SEV_NOTE, c->v[i], 0, 0, NULL,
				       "skipped: the same bytes as %s, counted once", c->v[j]);
			weft_assess_answers_free(a);
			a = NULL;
		}
		if (a)
			memcpy(sha[i], a->sha256, sizeof sha[i]);
		if (!e && a)
			e = group_add(p, &cap, a);
		else
			weft_assess_answers_free(a);
		if (e && (!err || e == WEFT_ENOMEM))
			err = e;
	}
	free(sha);
	return err;
}

int weft_assess_portfolio_load(weft_assess_portfolio **out, const char *const *paths, size_t n,
			       const weft_assess_model *m, const weft_assess_portfolio_opts *opts,
			       weft_diags *d)
{
	*out = NULL;
	weft_assess_portfolio *p = calloc(1, sizeof *p);
	if (!p)
		return WEFT_ENOMEM;
	p->model = m;
	strvec c = { 0 };
	bool *ex = NULL;
	int err = collect(&c, &ex, paths, n, d);
	if (!err && c.n)
		dedupe(&c, ex);
	if (!err)
		err = load_all(p, &c, ex, d);
	if (!err && !p->n_units) {
		weft_diags_add(d, WEFT_SEV_ERROR, n == 1 ? paths[0] : NULL, 0, 0,
			       "give answers files or folders holding them (weft assess init writes one)",
			       "no answers files found");
		err = WEFT_EINVALID;
	}
	strvec_free(&c);
	free(ex);
	if (!err) {
		qsort(p->units, p->n_units, sizeof *p->units, cmp_unit);
		err = score_units(p, opts, d);
	}
	if (!err)
		err = dim_stats(p);
	if (!err)
		err = shared_gaps(p);
	if (err) {
		weft_assess_portfolio_free(p);
		return err;
	}
	qsort(p->dims, p->n_dims, sizeof *p->dims, cmp_dim);
	qsort(p->gaps, p->n_gaps, sizeof *p->gaps, cmp_gap);
	*out = p;
	return 0;
}
