/* weights.c - the --weights override: a small YAML file that changes the
 * weight of dimensions and questions without editing the model.
 *
 * Design choice: the override is resolved against one model at load time
 * into two arrays indexed like the model (NaN = keep the model's weight), so
 * scoring looks weights up in O(1) and an id that the model does not have
 * is an error at its own line and column, with a did-you-mean.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assess_int.h"

struct weft_assess_weights {
	const weft_assess_model *model;
	char *name;      /* file name without its folder */
	char sha256[65]; /* of the file's bytes */
	double *dim; /* n_dims, NaN = model's */
	double *q;   /* n_questions */
};

void weft_assess_weights_free(weft_assess_weights *w)
{
	if (!w)
		return;
	free(w->dim);
	free(w->q);
	free(w->name);
	free(w);
}

static int read_section(weft_assess_weights *w, const weft_yaml_doc *doc,
			const weft_yaml_node *sec, bool questions, weft_diags *d)
{
	const char *path = weft_yaml_doc_path(doc);
	const weft_assess_model *m = w->model;
	int errors = 0;
	if (!sec || weft_yaml_is_null(sec))
		return 0;
	if (sec->kind != WEFT_YAML_MAPPING) {
		weft_diags_add(d, WEFT_SEV_ERROR, path, sec->line, sec->col,
			       questions ? "write questions: {question-id: weight, ...}"
					 : "write dimensions: {dimension-id: weight, ...}",
			       "'%s': expected a mapping, got %s", questions ? "questions" : "dimensions",
			       weft_yaml_describe(sec));
		return 1;
	}
	for (size_t i = 0; i < sec->n; i++) {
		const weft_yaml_node *k = sec->keys[i], *v = sec->items[i];
		const assess_id_entry *e = assess_model_lookup(m, k->scalar);
		bool right_kind = e && (questions ? e->q != NULL : e->q == NULL);
		if (!right_kind) {
			char hint[200];
			const char *s = NULL;
			if (e)
				snprintf(hint, sizeof hint, "'%s' is a %s; list it under %s:", assess_clean(k->scalar),
					 e->q ? "question" : "dimension", e->q ? "questions" : "dimensions");
			else if ((s = assess_model_suggest(m, k->scalar, questions)) != NULL)
				snprintf(hint, sizeof hint, "did you mean '%s'?", s);
			weft_diags_add(d, WEFT_SEV_ERROR, path, k->line, k->col, (e || s) ? hint : NULL,
				       "unknown %s id '%s' in model '%s'", questions ? "question" : "dimension",
				       assess_clean(k->scalar), m->id);
			errors++;
			continue;
		}
		double x;
		if (weft_yaml_as_num(&x, v) != WEFT_OK || !(x > 0) || x > WEFT_ASSESS_MAX_WEIGHT) {
			weft_diags_add(d, WEFT_SEV_ERROR, path, v->line, v->col,
				       "weights are relative importances: any number above 0",
				       "weight of '%s': expected a number greater than 0 and at most %g, got %s%s%s%s",
				       assess_clean(k->scalar), WEFT_ASSESS_MAX_WEIGHT, weft_yaml_describe(v),
				       v->kind == WEFT_YAML_SCALAR && v->len < 40 ? " '" : "",
				       v->kind == WEFT_YAML_SCALAR && v->len < 40 ? assess_clean(v->scalar) : "",
				       v->kind == WEFT_YAML_SCALAR && v->len < 40 ? "'" : "");
			errors++;
			continue;
		}
		if (questions)
			w->q[e->q->index] = x;
		else
			w->dim[e->dim->index] = x;
	}
	return errors;
}

static int build(weft_assess_weights **out, weft_yaml_doc *doc, const char *sha256,
		 const weft_assess_model *m, weft_diags *d)
{
	static const char *const keys[] = { "dimensions", "questions", NULL };
	*out = NULL;
	weft_assess_weights *w = calloc(1, sizeof *w);
	if (!w || !(w->dim = malloc((m->n_dims + 1) * sizeof *w->dim)) ||
	    !(w->q = malloc((m->n_questions + 1) * sizeof *w->q))) {
		weft_assess_weights_free(w);
		weft_yaml_doc_free(doc);
		return WEFT_ENOMEM;
	}
	w->model = m;
	snprintf(w->sha256, sizeof w->sha256, "%s", sha256);
	const char *full = weft_yaml_doc_path(doc), *slash = strrchr(full, '/');
	if (!(w->name = strdup(slash ? slash + 1 : full))) {
		weft_assess_weights_free(w);
		weft_yaml_doc_free(doc);
		return WEFT_ENOMEM;
	}
	for (size_t i = 0; i < m->n_dims; i++)
		w->dim[i] = NAN;
	for (size_t i = 0; i < m->n_questions; i++)
		w->q[i] = NAN;
	const char *path = weft_yaml_doc_path(doc);
	const weft_yaml_node *root = weft_yaml_doc_root(doc);
	int errors = 0;
	if (!root) {
		weft_diags_add(d, WEFT_SEV_ERROR, path, 1, 1,
			       "a weights file has dimensions: and/or questions: mappings of id to weight",
			       "the file is empty; expected weights");
		errors++;
	} else if (weft_yaml_expect(doc, root, WEFT_YAML_MAPPING, "weights file", d)) {
		errors++;
	} else {
		/* a stray top-level key is likely a misplaced id: an error, not a warning */
		errors += (int)weft_yaml_check_keys(doc, root, keys, WEFT_SEV_ERROR, d);
		errors += read_section(w, doc, weft_yaml_get(root, "dimensions"), false, d);
		errors += read_section(w, doc, weft_yaml_get(root, "questions"), true, d);
	}
	weft_yaml_doc_free(doc);
	if (errors) {
		weft_assess_weights_free(w);
		return WEFT_EINVALID;
	}
	*out = w;
	return WEFT_OK;
}

int weft_assess_weights_load(weft_assess_weights **out, const char *path,
			     const weft_assess_model *m, weft_diags *d)
{
	*out = NULL;
	weft_yaml_doc *doc = NULL;
	char sha[65];
	int err = assess_yaml_file(&doc, sha, path, d);
	return err ? err : build(out, doc, sha, m, d);
}

int weft_assess_weights_load_buffer(weft_assess_weights **out, const char *name, const char *buf,
				    size_t len, const weft_assess_model *m, weft_diags *d)
{
	*out = NULL;
	weft_yaml_doc *doc = NULL;
	char sha[65];
	int err = assess_yaml_buffer(&doc, sha, name, buf, len, d);
	return err ? err : build(out, doc, sha, m, d);
}

const weft_assess_model *assess_weights_model(const weft_assess_weights *w)
{
	return w ? w->model : NULL;
}

double assess_weights_dim(const weft_assess_weights *w, const weft_assess_model *m, size_t dim)
{
	if (w && w->model == m && !isnan(w->dim[dim]))
		return w->dim[dim];
	return m->dims[dim].weight;
}

double assess_weights_question(const weft_assess_weights *w, const weft_assess_model *m, size_t q)
{
	if (w && w->model == m && !isnan(w->q[q]))
		return w->q[q];
	return m->questions[q]->weight;
}

const char *weft_assess_weights_name(const weft_assess_weights *w)
{
	return w ? w->name : NULL;
}

const char *weft_assess_weights_sha256(const weft_assess_weights *w)
{
	return w ? w->sha256 : NULL;
}

int weft_assess_weights_changes(weft_assess_weight_change **out, size_t *n,
				const weft_assess_weights *w)
{
	*out = NULL;
	*n = 0;
	if (!w)
		return WEFT_OK;
	const weft_assess_model *m = w->model;
	size_t k = 0, cap = m->n_dims + m->n_questions;
	weft_assess_weight_change *v = calloc(cap ? cap : 1, sizeof *v);
	if (!v)
		return WEFT_ENOMEM;
	/* only real changes: a file that restates a model weight changed nothing */
	for (size_t i = 0; i < m->n_dims; i++)
		if (!isnan(w->dim[i]) && w->dim[i] != m->dims[i].weight)
			v[k++] = (weft_assess_weight_change){ m->dims[i].id, true, m->dims[i].weight,
							      w->dim[i] };
	for (size_t i = 0; i < m->n_questions; i++)
		if (!isnan(w->q[i]) && w->q[i] != m->questions[i]->weight)
			v[k++] = (weft_assess_weight_change){ m->questions[i]->id, false,
							      m->questions[i]->weight, w->q[i] };
	*out = v;
	*n = k;
	return WEFT_OK;
}
