/* answers.c - answers files: loading, checking against a model, editing,
 * and writing them back in the layout `weft assess init` produces.
 *
 * Design choice: an answers set owns copies of all its strings (unlike the
 * model, which points into its YAML document), because the interview edits
 * it and writes it back many times. Loading checks what the file can say on
 * its own (types, 1..5 or na, na with a reason, ISO dates); what needs the
 * model (ids, version, allow_na) is weft_assess_answers_check's, so
 * `validate` can report both kinds in one pass.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assess_int.h"

static char *dup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void answer_release(weft_assess_answer *a)
{
	free(a->question);
	free(a->reason);
	free(a->category);
	free(a->note);
	for (size_t i = 0; i < a->n_evidence; i++)
		free(a->evidence[i]);
	free(a->evidence);
}

void weft_assess_answers_free(weft_assess_answers *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n_answers; i++)
		answer_release(&a->answers[i]);
	free(a->answers);
	for (size_t i = 0; i < a->n_out_of_scope; i++) {
		free(a->out_of_scope[i].dim);
		free(a->out_of_scope[i].reason);
	}
	free(a->out_of_scope);
	for (size_t i = 0; i < a->n_notes; i++)
		free(a->notes[i]);
	free(a->notes);
	free(a->migrated_from);
	free(a->path);
	free(a->model);
	free(a->model_version);
	free(a->unit);
	free(a->respondent);
	free(a->date);
	free(a);
}

weft_assess_answer *assess_answers_append(weft_assess_answers *a)
{
	if (a->n_answers == a->cap_answers) {
		size_t cap = a->cap_answers ? a->cap_answers * 2 : 16;
		weft_assess_answer *n = realloc(a->answers, cap * sizeof *n);
		if (!n)
			return NULL;
		a->answers = n;
		a->cap_answers = cap;
	}
	weft_assess_answer *r = &a->answers[a->n_answers++];
	memset(r, 0, sizeof *r);
	return r;
}

int assess_answers_note(weft_assess_answers *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	weft_buf b = WEFT_BUF_INIT;
	weft_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	char **n = realloc(a->notes, (a->n_notes + 1) * sizeof *n);
	char *text = weft_buf_detach(&b);
	if (!n || !text) {
		free(text);
		if (n)
			a->notes = n;
		return WEFT_ENOMEM;
	}
	a->notes = n;
	a->notes[a->n_notes++] = text;
	return WEFT_OK;
}

static char *dup_or(bool *oom, const char *s)
{
	char *r = dup(s);
	if (s && !r)
		*oom = true;
	return r;
}

weft_assess_answers *assess_answers_dup(const weft_assess_answers *a)
{
	weft_assess_answers *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	bool oom = false;
	*c = (weft_assess_answers){ 0 };
	c->path = dup_or(&oom, a->path);
	c->model = dup_or(&oom, a->model);
	c->model_version = dup_or(&oom, a->model_version);
	c->unit = dup_or(&oom, a->unit);
	c->respondent = dup_or(&oom, a->respondent);
	c->date = dup_or(&oom, a->date);
	c->migrated_from = dup_or(&oom, a->migrated_from);
	memcpy(c->sha256, a->sha256, sizeof c->sha256);
	c->model_line = a->model_line;
	c->model_col = a->model_col;
	c->version_line = a->version_line;
	c->version_col = a->version_col;
	c->unit_line = a->unit_line;
	c->unit_col = a->unit_col;
	c->answers_line = a->answers_line;
	c->answers_col = a->answers_col;
	for (size_t i = 0; !oom && i < a->n_answers; i++) {
		const weft_assess_answer *r = &a->answers[i];
		weft_assess_answer *n = assess_answers_append(c);
		if (!n) {
			oom = true;
			break;
		}
		*n = *r;
		n->question = dup_or(&oom, r->question);
		n->reason = dup_or(&oom, r->reason);
		n->category = dup_or(&oom, r->category);
		n->note = dup_or(&oom, r->note);
		n->evidence = NULL;
		n->n_evidence = 0;
		if (r->n_evidence && !(n->evidence = calloc(r->n_evidence, sizeof *n->evidence)))
			oom = true;
		for (size_t k = 0; !oom && k < r->n_evidence; k++)
			if ((n->evidence[k] = dup_or(&oom, r->evidence[k])))
				n->n_evidence++;
	}
	if (!oom && a->n_out_of_scope &&
	    !(c->out_of_scope = calloc(a->n_out_of_scope, sizeof *c->out_of_scope)))
		oom = true;
	for (size_t i = 0; !oom && i < a->n_out_of_scope; i++) {
		weft_assess_scope *t = &c->out_of_scope[c->n_out_of_scope++];
		*t = a->out_of_scope[i];
		t->dim = dup_or(&oom, a->out_of_scope[i].dim);
		t->reason = dup_or(&oom, a->out_of_scope[i].reason);
	}
	for (size_t i = 0; !oom && i < a->n_notes; i++)
		if (assess_answers_note(c, "%s", a->notes[i]))
			oom = true;
	if (oom) {
		weft_assess_answers_free(c);
		return NULL;
	}
	return c;
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* YYYY-MM-DD naming a real day. */
static bool iso_date_ok(const char *s)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return false;
	int y = atoi(s), mo = atoi(s + 5), dd = atoi(s + 8);
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (y < 1 || mo < 1 || mo > 12 || dd < 1)
		return false;
	int max = days[mo - 1] + (mo == 2 && leap(y));
	return dd <= max;
}

typedef struct {
	const weft_yaml_doc *doc;
	weft_diags *d;
	const char *path;
	int errors;
	bool oom;
} ctx;

static void count(ctx *c, int err)
{
	if (err)
		c->errors++;
}

static void err_at(ctx *c, const weft_yaml_node *n, const char *hint, const char *fmt, ...)
	WEFT_PRINTF(4, 5);
static void err_at(ctx *c, const weft_yaml_node *n, const char *hint, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	weft_diags_vadd(c->d, WEFT_SEV_ERROR, c->path, n ? n->line : 0, n ? n->col : 0, hint, fmt, ap);
	va_end(ap);
	c->errors++;
}

static char *copy_str(ctx *c, const char *s)
{
	char *r = dup(s);
	if (s && !r)
		c->oom = true;
	return r;
}

static void read_evidence(ctx *c, weft_assess_answer *r, const weft_yaml_node *n)
{
	if (!n || weft_yaml_is_null(n))
		return;
	if (n->kind == WEFT_YAML_SCALAR) {
		/* a single link is a list of one */
		if (!(r->evidence = calloc(1, sizeof *r->evidence)) ||
		    !(r->evidence[0] = copy_str(c, n->scalar))) {
			c->oom = true;
			return;
		}
		r->n_evidence = 1;
		return;
	}
	if (n->kind != WEFT_YAML_SEQUENCE) {
		err_at(c, n, "write evidence as a list of links or ticket names",
		       "'evidence': expected a sequence of strings, got %s", weft_yaml_describe(n));
		return;
	}
	if (!(r->evidence = calloc(n->n ? n->n : 1, sizeof *r->evidence))) {
		c->oom = true;
		return;
	}
	for (size_t i = 0; i < n->n; i++) {
		const weft_yaml_node *it = n->items[i];
		if (it->kind != WEFT_YAML_SCALAR || it->len != strlen(it->scalar)) {
			err_at(c, it, NULL, "evidence: expected a string, got %s", weft_yaml_describe(it));
			continue;
		}
		if (!(r->evidence[r->n_evidence] = copy_str(c, it->scalar)))
			return;
		r->n_evidence++;
	}
}

static void read_answer(ctx *c, weft_assess_answers *a, const weft_yaml_node *key,
			const weft_yaml_node *val)
{
	static const char *const keys[] = { "level", "reason", "category", "note", "evidence", NULL };
	weft_assess_answer *r = assess_answers_append(a);
	if (!r) {
		c->oom = true;
		return;
	}
	r->line = key->line;
	r->col = key->col;
	r->level_line = key->line;
	r->level_col = key->col;
	if (key->len != strlen(key->scalar)) {
		err_at(c, key, NULL, "question id contains a NUL character");
		a->n_answers--;
		return;
	}
	if (!(r->question = copy_str(c, key->scalar))) {
		a->n_answers--;
		return;
	}
	if (!val || weft_yaml_is_null(val))
		return; /* listed but not answered yet */
	if (val->kind != WEFT_YAML_MAPPING) {
		err_at(c, val, "write the answer as a mapping, e.g. {level: 3} or {level: na, reason: ...}",
		       "answer to '%s': expected a mapping, got %s", assess_clean(r->question), weft_yaml_describe(val));
		return;
	}
	weft_yaml_check_keys(c->doc, val, keys, WEFT_SEV_WARNING, c->d);
	const char *reason = NULL, *note = NULL, *category = NULL;
	count(c, weft_yaml_str(&reason, c->doc, val, "reason", false, c->d));
	count(c, weft_yaml_str(&category, c->doc, val, "category", false, c->d));
	count(c, weft_yaml_str(&note, c->doc, val, "note", false, c->d));
	read_evidence(c, r, weft_yaml_get(val, "evidence"));
	r->note = copy_str(c, note);
	const weft_yaml_node *lv = weft_yaml_get(val, "level");
	if (lv) {
		r->level_line = lv->line;
		r->level_col = lv->col;
	}
	if (!lv || weft_yaml_is_null(lv))
		return;
	long long v;
	if (lv->kind == WEFT_YAML_SCALAR && !lv->quoted && weft_yaml_as_int(&v, lv) == WEFT_OK) {
		if (v < 1 || v > WEFT_ASSESS_LEVELS) {
			err_at(c, lv, "levels run from 1 (Foundational) to 5", "level %lld is out of range (1 to 5)",
			       v);
			return;
		}
		r->status = WEFT_ASSESS_ANSWERED;
		r->level = (int)v;
		if (reason && *reason)
			weft_diags_add(c->d, WEFT_SEV_WARNING, c->path, weft_yaml_get(val, "reason")->line,
				       weft_yaml_get(val, "reason")->col, "use 'note' for remarks on an answer",
				       "'reason' is only read for na answers");
		if (category && *category)
			weft_diags_add(c->d, WEFT_SEV_WARNING, c->path, weft_yaml_get(val, "category")->line,
				       weft_yaml_get(val, "category")->col, NULL,
				       "'category' is only read for na answers");
		return;
	}
	if (lv->kind == WEFT_YAML_SCALAR && strcmp(lv->scalar, "na") == 0 && lv->len == 2) {
		r->status = WEFT_ASSESS_NA;
		const char *p = reason ? reason : "";
		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p) {
			err_at(c, lv, "add reason: saying why the question does not apply to this unit",
			       "answer to '%s' is na without a reason", assess_clean(r->question));
			return;
		}
		r->reason = copy_str(c, reason);
		r->category = copy_str(c, category);
		return;
	}
	const char *hint = "answer 1, 2, 3, 4 or 5, or na where the thing asked about does not exist "
			   "in the unit (not yet is 1)";
	if (lv->kind == WEFT_YAML_SCALAR && lv->len == strlen(lv->scalar) && lv->len < 64)
		err_at(c, lv, hint, "level: expected 1 to 5 or na, got %s '%s'", weft_yaml_describe(lv),
		       assess_clean(lv->scalar));
	else
		err_at(c, lv, hint, "level: expected 1 to 5 or na, got %s", weft_yaml_describe(lv));
}

static void read_field(ctx *c, char **out, int *line, int *col, const weft_yaml_node *root,
		       const char *key, bool required)
{
	const char *s = NULL;
	int err = required ? assess_req_str(&s, c->doc, root, key, c->d)
			   : weft_yaml_str(&s, c->doc, root, key, false, c->d);
	count(c, err);
	const weft_yaml_node *n = weft_yaml_get(root, key);
	if (n && line) {
		*line = n->line;
		*col = n->col;
	}
	if (!err && s)
		*out = copy_str(c, s);
}

/* out_of_scope: {dimension-id: reason, ...}; which ids exist is the check's. */
static void read_scope(ctx *c, weft_assess_answers *a, const weft_yaml_node *n)
{
	if (!n || weft_yaml_is_null(n))
		return;
	if (n->kind != WEFT_YAML_MAPPING) {
		err_at(c, n, "map each dimension that does not apply to why: out_of_scope: {edge: no edge devices}",
		       "'out_of_scope': expected a mapping, got %s", weft_yaml_describe(n));
		return;
	}
	if (!(a->out_of_scope = calloc(n->n ? n->n : 1, sizeof *a->out_of_scope))) {
		c->oom = true;
		return;
	}
	for (size_t i = 0; i < n->n; i++) {
		const weft_yaml_node *k = n->keys[i], *v = n->items[i];
		if (k->len != strlen(k->scalar)) {
			err_at(c, k, NULL, "dimension id contains a NUL character");
			continue;
		}
		const char *p = v && v->kind == WEFT_YAML_SCALAR && !weft_yaml_is_null(v) ? v->scalar : "";
		while (*p && isspace((unsigned char)*p))
			p++;
		if (!v || v->kind != WEFT_YAML_SCALAR || !*p || v->len != strlen(v->scalar)) {
			err_at(c, v && !weft_yaml_is_null(v) ? v : k,
			       "say why the dimension does not apply: edge: no edge devices",
			       "out of scope '%s' without a reason", assess_clean(k->scalar));
			continue;
		}
		weft_assess_scope *t = &a->out_of_scope[a->n_out_of_scope];
		t->dim = copy_str(c, k->scalar);
		t->reason = copy_str(c, v->scalar);
		t->line = k->line;
		t->col = k->col;
		a->n_out_of_scope++;
	}
}

static int build(weft_assess_answers **out, weft_yaml_doc *doc, const char *sha256, weft_diags *d)
{
	static const char *const keys[] = { "model", "model_version", "unit",	 "respondent",
					    "date",  "out_of_scope",  "answers", NULL };
	ctx c = { doc, d, weft_yaml_doc_path(doc), 0, false };
	weft_assess_answers *a = calloc(1, sizeof *a);
	if (!a || !(a->path = strdup(c.path))) {
		free(a);
		weft_yaml_doc_free(doc);
		return WEFT_ENOMEM;
	}
	snprintf(a->sha256, sizeof a->sha256, "%s", sha256 ? sha256 : "");
	const weft_yaml_node *root = weft_yaml_doc_root(doc);
	int err = WEFT_OK;
	if (!root) {
		weft_diags_add(d, WEFT_SEV_ERROR, c.path, 1, 1,
			       "`weft assess init` writes a blank answers file to start from",
			       "the file is empty; expected an answers file");
		err = WEFT_EINVALID;
		goto done;
	}
	if (weft_yaml_expect(doc, root, WEFT_YAML_MAPPING, "answers file", d)) {
		err = WEFT_EINVALID;
		goto done;
	}
	weft_yaml_check_keys(doc, root, keys, WEFT_SEV_WARNING, d);
	read_field(&c, &a->model, &a->model_line, &a->model_col, root, "model", true);
	read_field(&c, &a->model_version, &a->version_line, &a->version_col, root, "model_version",
		   true);
	read_field(&c, &a->unit, &a->unit_line, &a->unit_col, root, "unit", true);
	read_field(&c, &a->respondent, NULL, NULL, root, "respondent", false);
	if (a->respondent && !a->respondent[strspn(a->respondent, " \t")]) {
		free(a->respondent); /* blank, as init writes it: not given */
		a->respondent = NULL;
	}
	read_field(&c, &a->date, NULL, NULL, root, "date", false);
	if (a->date && !iso_date_ok(a->date))
		err_at(&c, weft_yaml_get(root, "date"), "write the date as YYYY-MM-DD, e.g. 2026-03-02",
		       "'date': '%s' is not a date", assess_clean(a->date));
	read_scope(&c, a, weft_yaml_get(root, "out_of_scope"));
	const weft_yaml_node *ans = weft_yaml_get(root, "answers");
	if (!ans) {
		err_at(&c, root, "list the answers under answers: as question-id: {level: 1-5}",
		       "missing required field 'answers'");
	} else {
		a->answers_line = ans->line;
		a->answers_col = ans->col;
		if (!weft_yaml_is_null(ans)) {
			if (ans->kind != WEFT_YAML_MAPPING)
				err_at(&c, ans, "answers map question ids to answers: rt-fallback: {level: 3}",
				       "'answers': expected a mapping, got %s", weft_yaml_describe(ans));
			else
				for (size_t i = 0; i < ans->n && !c.oom; i++)
					read_answer(&c, a, ans->keys[i], ans->items[i]);
		}
	}
	if (c.oom)
		err = WEFT_ENOMEM;
	else if (c.errors)
		err = WEFT_EINVALID;
done:
	weft_yaml_doc_free(doc);
	if (err) {
		weft_assess_answers_free(a);
		return err;
	}
	*out = a;
	return WEFT_OK;
}

int weft_assess_answers_load(weft_assess_answers **out, const char *path, weft_diags *d)
{
	*out = NULL;
	weft_yaml_doc *doc = NULL;
	char sha[65];
	int err = assess_yaml_file(&doc, sha, path, d);
	if (err)
		return err;
	return build(out, doc, sha, d);
}

int weft_assess_answers_load_buffer(weft_assess_answers **out, const char *name, const char *buf,
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

int weft_assess_answers_check(const weft_assess_answers *a, const weft_assess_model *m,
			      bool warn_missing, weft_diags *d)
{
	int errors = 0;
	if (strcmp(a->model, m->id) != 0) {
		char hint[256];
		snprintf(hint, sizeof hint, "pass the model these answers are for with -m (the model given is '%.80s', %.80s)",
			 m->id, m->path);
		weft_diags_add(d, WEFT_SEV_ERROR, a->path, a->model_line, a->model_col, hint,
			       "answers are for model '%s', not '%s'", assess_clean(a->model), m->id);
		return WEFT_EINVALID; /* ids would not mean anything */
	}
	if (strcmp(a->model_version, m->version) != 0) {
		char hint[320];
		snprintf(hint, sizeof hint,
			 "the model has no migration from version %.60s: answer the current model "
			 "(weft assess init or interview) or pass version %.60s of the model with -m",
			 a->model_version, a->model_version);
		weft_diags_add(d, WEFT_SEV_ERROR, a->path, a->version_line, a->version_col, hint,
			       "answers are for version '%s' of model '%s', but the model is version '%s'",
			       assess_clean(a->model_version), m->id, assess_clean(m->version));
		errors++;
	}
	size_t hints = 0;
	bool *out = calloc(m->n_dims ? m->n_dims : 1, sizeof *out);
	if (!out) {
		weft_diags_add(d, WEFT_SEV_ERROR, a->path, 0, 0, NULL, "out of memory");
		return WEFT_ENOMEM;
	}
	for (size_t i = 0; i < a->n_out_of_scope; i++) {
		const weft_assess_scope *t = &a->out_of_scope[i];
		const weft_assess_dimension *dim = weft_assess_model_dimension(m, t->dim);
		if (!dim) {
			const char *sg = assess_model_suggest(m, t->dim, false);
			char hint[200];
			snprintf(hint, sizeof hint, "did you mean '%.100s'?", sg ? sg : "");
			weft_diags_add(d, WEFT_SEV_ERROR, a->path, t->line, t->col, sg ? hint : NULL,
				       "unknown dimension '%s' in out_of_scope (not in model '%s' %s)",
				       assess_clean(t->dim), m->id, assess_clean(m->version));
			errors++;
		} else if (!dim->optional) {
			weft_diags_add(d, WEFT_SEV_ERROR, a->path, t->line, t->col,
				       "every unit is assessed on it; answer its questions (1 where nothing "
				       "is in place yet)",
				       "dimension '%s' (%s) cannot be put out of scope", dim->id,
				       assess_clean(dim->title));
			errors++;
		} else {
			out[dim->index] = true;
		}
	}
	for (size_t i = 0; i < a->n_answers; i++) {
		const weft_assess_answer *r = &a->answers[i];
		const assess_id_entry *e = assess_model_lookup(m, r->question);
		if (!e || !e->q) {
			char hint[200];
			const char *s = NULL;
			if (e)
				snprintf(hint, sizeof hint, "answer its questions instead");
			else if (hints++ < 100 && (s = assess_model_suggest(m, r->question, true)))
				snprintf(hint, sizeof hint, "did you mean '%s'?", s);
			if (e)
				weft_diags_add(d, WEFT_SEV_ERROR, a->path, r->line, r->col, hint,
					       "'%s' is a dimension of model '%s', not a question", assess_clean(r->question),
					       m->id);
			else
				weft_diags_add(d, WEFT_SEV_ERROR, a->path, r->line, r->col, s ? hint : NULL,
					       "unknown question id '%s' (not in model '%s' %s)",
					       assess_clean(r->question), m->id, assess_clean(m->version));
			errors++;
			continue;
		}
		if (out[e->q->dim]) {
			if (r->status != WEFT_ASSESS_UNANSWERED)
				weft_diags_add(d, WEFT_SEV_WARNING, a->path, r->line, r->col,
					       "remove the answer, or the dimension from out_of_scope",
					       "'%s' is in dimension '%s', which these answers put out of "
					       "scope: the answer is left out",
					       assess_clean(r->question), m->dims[e->q->dim].id);
			continue;
		}
		if (r->status != WEFT_ASSESS_NA)
			continue;
		if (e->q->critical) {
			weft_diags_add(d, WEFT_SEV_ERROR, a->path, r->level_line, r->level_col,
				       "a critical question holds its dimension's level: answer 1 where nothing "
				       "is in place, or put the dimension out of scope",
				       "question '%s' is critical and cannot be na", assess_clean(r->question));
			errors++;
		} else if (!e->q->allow_na) {
			weft_diags_add(d, WEFT_SEV_ERROR, a->path, r->level_line, r->level_col,
				       "the model asks for a level 1-5 here; answer 1 where nothing is in place",
				       "question '%s' does not allow na", assess_clean(r->question));
			errors++;
		} else if (m->na_category && (!r->category || strcmp(r->category, m->na_category))) {
			char hint[256];
			snprintf(hint, sizeof hint,
				 "na is only for what does not exist in the unit: add category: %.60s; "
				 "something not in place yet is level 1",
				 m->na_category);
			if (r->category)
				weft_diags_add(d, WEFT_SEV_ERROR, a->path, r->level_line, r->level_col, hint,
					       "answer to '%s' is na with category '%s'; model '%s' accepts "
					       "only '%s'",
					       assess_clean(r->question), assess_clean(r->category), m->id,
					       m->na_category);
			else
				weft_diags_add(d, WEFT_SEV_ERROR, a->path, r->level_line, r->level_col, hint,
					       "answer to '%s' is na without a category", assess_clean(r->question));
			errors++;
		}
	}
	assess_aindex ix = { NULL, 0 };
	if (warn_missing && !errors && assess_aindex_build(&ix, a) == WEFT_OK) {
		size_t missing = 0, asked = 0;
		weft_buf list = WEFT_BUF_INIT;
		for (size_t i = 0; i < m->n_questions; i++) {
			if (out[m->questions[i]->dim])
				continue;
			asked++;
			const weft_assess_answer *r = assess_aindex_find(&ix, m->questions[i]->id);
			if (r && r->status != WEFT_ASSESS_UNANSWERED)
				continue;
			if (missing < 8)
				weft_buf_printf(&list, "%s%s", missing ? ", " : "", m->questions[i]->id);
			missing++;
		}
		if (missing) {
			if (missing > 8)
				weft_buf_printf(&list, " and %zu more", missing - 8);
			weft_diags_add(d, WEFT_SEV_WARNING, a->path, a->answers_line ? a->answers_line : 1,
				       a->answers_col ? a->answers_col : 1,
				       "an unanswered question counts as level 1, and a dimension with less "
				       "than its minimum coverage answered is not rated",
				       "%zu of %zu questions not answered: %s", missing, asked,
				       list.ptr ? list.ptr : "");
		}
		weft_buf_free(&list);
	}
	assess_aindex_free(&ix);
	free(out);
	return errors ? WEFT_EINVALID : WEFT_OK;
}

static int cmp_answer(const void *x, const void *y)
{
	const weft_assess_answer *a = *(const weft_assess_answer *const *)x;
	const weft_assess_answer *b = *(const weft_assess_answer *const *)y;
	return strcmp(a->question, b->question);
}

int assess_aindex_build(assess_aindex *ix, const weft_assess_answers *a)
{
	ix->n = a ? a->n_answers : 0;
	ix->v = malloc((ix->n ? ix->n : 1) * sizeof *ix->v);
	if (!ix->v)
		return WEFT_ENOMEM;
	for (size_t i = 0; i < ix->n; i++)
		ix->v[i] = &a->answers[i];
	qsort(ix->v, ix->n, sizeof *ix->v, cmp_answer);
	return WEFT_OK;
}

const weft_assess_answer *assess_aindex_find(const assess_aindex *ix, const char *id)
{
	weft_assess_answer key;
	key.question = (char *)id;
	const weft_assess_answer *kp = &key;
	const weft_assess_answer *const *hit = bsearch(&kp, ix->v, ix->n, sizeof *ix->v, cmp_answer);
	return hit ? *hit : NULL;
}

void assess_aindex_free(assess_aindex *ix)
{
	free(ix->v);
	ix->v = NULL;
	ix->n = 0;
}

const weft_assess_answer *weft_assess_answers_find(const weft_assess_answers *a, const char *id)
{
	/* answers files are small: a linear scan keeps the set editable */
	for (size_t i = 0; a && i < a->n_answers; i++)
		if (strcmp(a->answers[i].question, id) == 0)
			return &a->answers[i];
	return NULL;
}

int weft_assess_answers_new(weft_assess_answers **out, const weft_assess_model *m,
			    const char *unit, const char *respondent, const char *date)
{
	*out = NULL;
	if (date && !iso_date_ok(date))
		return WEFT_EINVALID;
	weft_assess_answers *a = calloc(1, sizeof *a);
	if (!a)
		return WEFT_ENOMEM;
	a->path = strdup("<new>");
	a->model = dup(m->id);
	a->model_version = dup(m->version);
	a->unit = dup(unit ? unit : "");
	a->respondent = dup(respondent);
	a->date = dup(date);
	if (!a->path || !a->model || !a->model_version || !a->unit || (respondent && !a->respondent) ||
	    (date && !a->date)) {
		weft_assess_answers_free(a);
		return WEFT_ENOMEM;
	}
	*out = a;
	return WEFT_OK;
}

int weft_assess_answers_set(weft_assess_answers *a, const char *id, weft_assess_status st,
			    int level, const char *reason, const char *category,
			    const char *note)
{
	if (st == WEFT_ASSESS_ANSWERED && (level < 1 || level > WEFT_ASSESS_LEVELS))
		return WEFT_EINVALID;
	if (st == WEFT_ASSESS_NA && (!reason || !*reason))
		return WEFT_EINVALID;
	weft_assess_answer *r = (weft_assess_answer *)weft_assess_answers_find(a, id);
	if (!r) {
		if (!(r = assess_answers_append(a)))
			return WEFT_ENOMEM;
		if (!(r->question = strdup(id))) {
			a->n_answers--;
			return WEFT_ENOMEM;
		}
	}
	char *nr = NULL, *nc = NULL, *nn = NULL;
	if ((st == WEFT_ASSESS_NA && !(nr = strdup(reason))) ||
	    (st == WEFT_ASSESS_NA && category && !(nc = strdup(category))) ||
	    (note && !(nn = strdup(note)))) {
		free(nr);
		free(nc);
		return WEFT_ENOMEM;
	}
	r->status = st;
	r->level = st == WEFT_ASSESS_ANSWERED ? level : 0;
	free(r->reason);
	r->reason = nr;
	free(r->category);
	r->category = nc;
	if (note) {
		free(r->note);
		r->note = nn;
	}
	return WEFT_OK;
}

int weft_assess_answers_set_field(weft_assess_answers *a, const char *field, const char *value)
{
	char **slot = !strcmp(field, "unit")	   ? &a->unit
		      : !strcmp(field, "respondent") ? &a->respondent
		      : !strcmp(field, "date")	   ? &a->date
						   : NULL;
	if (!slot || (slot == &a->date && value && !iso_date_ok(value)))
		return WEFT_EINVALID;
	char *v = dup(value);
	if (value && !v)
		return WEFT_ENOMEM;
	free(*slot);
	*slot = v;
	return WEFT_OK;
}

/* "# " + text wrapped to 100 columns, at the given indent; anything YAML
 * would read as a line break or refuse is made a space first. */
static void comment(weft_buf *b, const char *indent, const char *first, const char *rest,
		    const char *text)
{
	char f[200], r[64];
	snprintf(f, sizeof f, "%s# %s", indent, first);
	snprintf(r, sizeof r, "%s# %s", indent, rest);
	char *clean = assess_printable(text, true);
	if (!clean) {
		b->oom = true;
		return;
	}
	assess_wrap(b, clean, 100, f, r);
	free(clean);
}

int weft_assess_answers_render(weft_buf *out, const weft_assess_answers *a,
			       const weft_assess_model *m)
{
	weft_buf *b = out;
	char *title = assess_printable(m->title, false), *version = assess_printable(m->version, false);
	weft_buf_printf(b, "# Answers to \"%s\" (%s, version %s).\n", title ? title : "", m->id,
			version ? version : "");
	free(title);
	free(version);
	weft_buf_puts(b,
		      "# For each question set level: to 1-5 (the options are listed above it). Not in\n"
		      "# place yet is 1. na (with a reason:) only where the question says na allowed and\n"
		      "# the thing it asks about does not exist in the unit. A dimension marked optional\n"
		      "# that does not apply at all goes under out_of_scope: {id: reason}.\n"
		      "# Optional per question: note: \"...\" and evidence: [\"link or ticket\", ...].\n"
		      "# Check with `weft assess validate FILE`, score with `weft assess score FILE`.\n");
	weft_buf_puts(b, "model: ");
	assess_put_yaml_str(b, a->model ? a->model : m->id);
	weft_buf_puts(b, "\nmodel_version: ");
	assess_put_yaml_str(b, a->model_version ? a->model_version : m->version);
	weft_buf_puts(b, "\nunit: ");
	assess_put_yaml_str(b, a->unit ? a->unit : "");
	weft_buf_puts(b, "\nrespondent: ");
	assess_put_yaml_str(b, a->respondent ? a->respondent : "");
	weft_buf_puts(b, "\n");
	if (a->date) {
		weft_buf_puts(b, "date: ");
		assess_put_yaml_str(b, a->date);
		weft_buf_puts(b, "\n");
	}
	size_t n_optional = 0;
	for (size_t i = 0; i < m->n_dims; i++)
		n_optional += m->dims[i].optional;
	if (a->n_out_of_scope) {
		weft_buf_puts(b, "out_of_scope:\n");
		for (size_t i = 0; i < a->n_out_of_scope; i++) {
			weft_buf_printf(b, "  %s: ", a->out_of_scope[i].dim);
			assess_put_yaml_str(b, a->out_of_scope[i].reason);
			weft_buf_puts(b, "\n");
		}
	} else if (n_optional) {
		weft_buf_puts(b, "# out_of_scope:   # optional dimensions:");
		for (size_t i = 0; i < m->n_dims; i++)
			if (m->dims[i].optional)
				weft_buf_printf(b, " %s", m->dims[i].id);
		weft_buf_puts(b, "\n#   dimension-id: \"why it does not apply to this unit\"\n");
	}
	weft_buf_puts(b, "answers:\n");
	assess_aindex ix;
	if (assess_aindex_build(&ix, a))
		return WEFT_ENOMEM;
	for (size_t i = 0; i < m->n_dims; i++) {
		const weft_assess_dimension *dim = &m->dims[i];
		char *dt = assess_printable(dim->title, false);
		weft_buf_printf(b, "\n  # ==== %s (%s)%s ====\n", dt ? dt : "", dim->id,
				dim->optional ? ", optional" : "");
		free(dt);
		if (dim->description)
			comment(b, "  ", "", "", dim->description);
		for (size_t j = 0; j < dim->n_questions; j++) {
			const weft_assess_question *q = &dim->questions[j];
			weft_buf_puts(b, "\n");
			char first[160];
			snprintf(first, sizeof first, "%.120s: ", q->id);
			comment(b, "  ", first, "  ", q->text);
			if (q->help)
				comment(b, "  ", "  help: ", "        ", q->help);
			for (int L = 1; L <= WEFT_ASSESS_LEVELS; L++) {
				char lead[16];
				snprintf(lead, sizeof lead, "  %d: ", L);
				comment(b, "  ", lead, "     ", q->options[L - 1].text);
			}
			weft_buf_printf(b, "  #  %s%s%s%s%s%s\n", q->allow_na ? "na allowed" : "na not allowed",
					q->allow_na && m->na_category ? " (category: " : "",
					q->allow_na && m->na_category ? m->na_category : "",
					q->allow_na && m->na_category ? ")" : "",
					q->critical ? "; critical: caps its dimension's level" : "",
					q->weight != 1.0 ? "; weighted" : "");
			const weft_assess_answer *r = assess_aindex_find(&ix, q->id);
			weft_buf_printf(b, "  %s:\n", q->id);
			if (!r || r->status == WEFT_ASSESS_UNANSWERED)
				weft_buf_puts(b, "    level:\n");
			else if (r->status == WEFT_ASSESS_NA)
				weft_buf_puts(b, "    level: na\n");
			else
				weft_buf_printf(b, "    level: %d\n", r->level);
			if (r && r->status == WEFT_ASSESS_NA && r->reason) {
				weft_buf_puts(b, "    reason: ");
				assess_put_yaml_str(b, r->reason);
				weft_buf_puts(b, "\n");
			}
			if (r && r->status == WEFT_ASSESS_NA && r->category)
			{
				weft_buf_puts(b, "    category: ");
				assess_put_yaml_str(b, r->category);
				weft_buf_puts(b, "\n");
			}
			if (r && r->note) {
				weft_buf_puts(b, "    note: ");
				assess_put_yaml_str(b, r->note);
				weft_buf_puts(b, "\n");
			}
			if (r && r->n_evidence) {
				weft_buf_puts(b, "    evidence:\n");
				for (size_t k = 0; k < r->n_evidence; k++) {
					weft_buf_puts(b, "      - ");
					assess_put_yaml_str(b, r->evidence[k]);
					weft_buf_puts(b, "\n");
				}
			}
		}
	}
	assess_aindex_free(&ix);
	return b->oom ? WEFT_ENOMEM : WEFT_OK;
}
