/* test_assess_gaming.c - attempts to raise a level by answering less,
 * against the model weft ships: one answer out of all, blanking the low
 * answers, na on a critical question, leaving a critical question out,
 * scoping out, the same file twice, weights changed in silence.
 *
 * The verdicts asserted here follow from the rules, not from the program's
 * numbers: a level may never rise when answers are removed; a dimension
 * with a critical question unanswered or too little answered has no level;
 * the gate fails on a result without a level. Answers files are written
 * from the model's own question list, so the tests hold for any content
 * revision of the shipped model. */
#include <stdint.h>

#include "assess_test_util.h"
#include "cli_run.h"

static weft_assess_model *shipped(void)
{
	return fixture_model(weft_assess_default_model_path());
}

/* An answers file for m: level levels[q->index] per question (0: left
 * out, -1: na does-not-apply), out_of_scope for the dimensions in out. */
static char *answers_text(const weft_assess_model *m, const int *levels, const bool *out,
			  const char *respondent)
{
	weft_buf b = WEFT_BUF_INIT;
	weft_buf_printf(&b, "model: %s\nmodel_version: \"%s\"\nunit: Gaming\n", m->id, m->version);
	if (respondent)
		weft_buf_printf(&b, "respondent: %s\n", respondent);
	bool any = false;
	for (size_t i = 0; out && i < m->n_dims; i++)
		if (out[i]) {
			weft_buf_printf(&b, "%s  %s: does not exist in this unit\n",
					any ? "" : "out_of_scope:\n", m->dims[i].id);
			any = true;
		}
	weft_buf_puts(&b, "answers:\n");
	for (size_t q = 0; q < m->n_questions; q++) {
		if (!levels[q])
			continue;
		if (levels[q] < 0)
			weft_buf_printf(&b, "  %s: {level: na, category: %s, reason: not here}\n",
					m->questions[q]->id, m->na_category ? m->na_category : "does-not-apply");
		else
			weft_buf_printf(&b, "  %s: {level: %d}\n", m->questions[q]->id, levels[q]);
	}
	return weft_buf_detach(&b);
}

static weft_assess_result *score_text(const weft_assess_model *m, const char *text,
				      weft_assess_answers **keep)
{
	weft_diags *d;
	weft_diags_new(&d);
	*keep = buffer_answers("gaming.yaml", text);
	weft_assess_result *r = NULL;
	weft_assess_score_opts o = { 0, NULL, 0, 0 };
	const weft_assess_answers *one[1] = { *keep };
	int err = weft_assess_score(&r, m, one, 1, &o, d);
	if (err)
		weft_diags_print(d, stderr, false);
	cr_assert_eq(err, 0);
	weft_diags_free(d);
	return r;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static unsigned next(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* Removing answers never raises a level. Each trial answers every question
 * at random, then blanks a set of answers (every answer below a threshold,
 * or a random subset) and compares dimension by dimension. */
Test(assess_gaming, blanking_answers_never_raises_a_level)
{
	weft_assess_model *m = shipped();
	size_t nq = m->n_questions;
	int *full = calloc(nq, sizeof *full), *less = calloc(nq, sizeof *less);
	for (int trial = 0; trial < 300; trial++) {
		for (size_t q = 0; q < nq; q++)
			full[q] = 1 + (int)next(5);
		char *t0 = answers_text(m, full, NULL, NULL);
		weft_assess_answers *k0;
		weft_assess_result *r0 = score_text(m, t0, &k0);
		cr_assert(r0->rated, "a fully answered file is rated");
		int threshold = 2 + trial % 4; /* blank everything below 2..5 */
		for (size_t q = 0; q < nq; q++)
			less[q] = trial % 2 ? (full[q] < threshold ? 0 : full[q])
					    : (next(3) == 0 ? 0 : full[q]);
		char *t1 = answers_text(m, less, NULL, NULL);
		weft_assess_answers *k1;
		weft_assess_result *r1 = score_text(m, t1, &k1);
		for (size_t i = 0; i < m->n_dims; i++) {
			const weft_assess_dresult *a = &r0->dims[i], *b = &r1->dims[i];
			cr_assert_leq(b->score, a->score + 1e-9, "trial %d, %s: score rose %.4f -> %.4f",
				      trial, a->dim->id, a->score, b->score);
			if (b->rated)
				cr_assert_leq(b->level, a->level, "trial %d, %s: level rose %d -> %d", trial,
					      a->dim->id, a->level, b->level);
		}
		cr_assert_leq(r1->score, r0->score + 1e-9);
		if (r1->rated)
			cr_assert_leq(r1->level, r0->level, "trial %d: overall rose %d -> %d", trial,
				      r0->level, r1->level);
		weft_assess_result_free(r0);
		weft_assess_result_free(r1);
		weft_assess_answers_free(k0);
		weft_assess_answers_free(k1);
		free(t0);
		free(t1);
	}
	free(full);
	free(less);
	weft_assess_model_free(m);
}

/* The case: all answers of one dimension below 3 blanked. Its level
 * must not reach 3; here every blanked question counts as 1 and the
 * dimension has too little answered to be rated at all, or is rated lower. */
Test(assess_gaming, blanking_the_low_answers_of_a_dimension)
{
	weft_assess_model *m = shipped();
	int *lv = calloc(m->n_questions, sizeof *lv);
	const weft_assess_dimension *dim = &m->dims[0];
	/* the dimension: half at 2, half at 5, critical ones at 5; the rest 3 */
	for (size_t q = 0; q < m->n_questions; q++)
		lv[q] = 3;
	for (size_t j = 0; j < dim->n_questions; j++)
		lv[dim->questions[j].index] = dim->questions[j].critical || j % 2 ? 5 : 2;
	char *t0 = answers_text(m, lv, NULL, NULL);
	weft_assess_answers *k0;
	weft_assess_result *r0 = score_text(m, t0, &k0);
	int before = r0->dims[0].level;
	cr_assert(r0->dims[0].rated);
	for (size_t j = 0; j < dim->n_questions; j++)
		if (lv[dim->questions[j].index] == 2)
			lv[dim->questions[j].index] = 0;
	char *t1 = answers_text(m, lv, NULL, NULL);
	weft_assess_answers *k1;
	weft_assess_result *r1 = score_text(m, t1, &k1);
	const weft_assess_dresult *after = &r1->dims[0];
	cr_assert(!after->rated || after->level <= before, "%s: %d -> %d", dim->id, before, after->level);
	cr_assert_leq(after->score, r0->dims[0].score);
	weft_assess_result_free(r0);
	weft_assess_result_free(r1);
	weft_assess_answers_free(k0);
	weft_assess_answers_free(k1);
	free(t0);
	free(t1);
	free(lv);
	weft_assess_model_free(m);
}

/* A critical question left out: its dimension is not rated, so the overall
 * level is not either, even with every other answer at 5. */
Test(assess_gaming, unanswered_critical_question_means_not_rated)
{
	weft_assess_model *m = shipped();
	int *lv = calloc(m->n_questions, sizeof *lv);
	size_t tried = 0;
	for (size_t c = 0; c < m->n_questions; c++) {
		if (!m->questions[c]->critical)
			continue;
		for (size_t q = 0; q < m->n_questions; q++)
			lv[q] = q == c ? 0 : 5;
		char *t = answers_text(m, lv, NULL, NULL);
		weft_assess_answers *k;
		weft_assess_result *r = score_text(m, t, &k);
		const weft_assess_dresult *dr = &r->dims[m->questions[c]->dim];
		cr_assert_not(dr->rated, "%s unanswered, %s still rated", m->questions[c]->id, dr->dim->id);
		cr_assert(dr->why & WEFT_ASSESS_WHY_CRITICAL);
		cr_assert_eq(dr->critical_unanswered, m->questions[c]);
		cr_assert_eq(dr->level, 0);
		cr_assert_not(r->rated);
		cr_assert_eq(r->level, 0);
		weft_buf b = WEFT_BUF_INIT;
		weft_assess_explain(&b, r, dr);
		cr_assert(strstr(b.ptr, m->questions[c]->id), "%s", b.ptr);
		weft_buf_free(&b);
		weft_assess_result_free(r);
		weft_assess_answers_free(k);
		free(t);
		tried++;
	}
	cr_assert_geq(tried, 1, "the shipped model has critical questions");
	free(lv);
	weft_assess_model_free(m);
}

/* Every dimension of the shipped model has what it takes to be gamed-proof:
 * no critical question accepts na. */
Test(assess_gaming, shipped_model_has_no_critical_na)
{
	weft_assess_model *m = shipped();
	for (size_t q = 0; q < m->n_questions; q++)
		cr_assert_not(m->questions[q]->critical && m->questions[q]->allow_na, "%s",
			      m->questions[q]->id);
	weft_assess_model_free(m);
}

/* ---- through the binary ---------------------------------------------------------- */

static char *dir;
static void setup(void)
{
	dir = temp_dir();
}
static void teardown(void)
{
	rm_rf(dir);
}

static void put(const char *name, const char *text)
{
	char *p = path_in(dir, name);
	write_file(p, text);
	free(p);
}

Test(assess_gaming, one_answer_is_not_rated_and_fails_the_gate, .init = setup, .fini = teardown)
{
	weft_assess_model *m = shipped();
	int *lv = calloc(m->n_questions, sizeof *lv);
	lv[0] = 5;
	char *t = answers_text(m, lv, NULL, NULL);
	put("one.yaml", t);
	char *out, *err;
	/* --fail-below 1 is the lowest gate there is: a result without a level fails it */
	int rc = weft_test_run(&out, &err, dir, "assess score one.yaml --fail-below 1");
	cr_assert_eq(rc, 1, "%s%s", out, err);
	cr_assert(strstr(err, "gate failed: overall level not rated"), "%s", err);
	cr_assert_null(strstr(out, "Overall level 5"));
	free(out);
	free(err);
	rc = weft_test_run(&out, &err, dir, "assess score one.yaml --format json");
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert(strstr(out, "\"rated\":\tfalse"), "%s", out);
	cr_assert(strstr(out, "\"not_rated\":\t[\"dimensions_not_rated\"]"), "%s", out);
	free(out);
	free(err);
	/* the coverage gate: 1 of all answered is far below 50% */
	rc = weft_test_run(&out, &err, dir, "assess score one.yaml --fail-below-coverage 50%");
	cr_assert_eq(rc, 1);
	cr_assert(strstr(err, "coverage"), "%s", err);
	free(out);
	free(err);
	free(t);
	free(lv);
	weft_assess_model_free(m);
}

Test(assess_gaming, critical_na_is_refused_with_its_position, .init = setup, .fini = teardown)
{
	weft_assess_model *m = shipped();
	int *lv = calloc(m->n_questions, sizeof *lv);
	size_t c = 0;
	while (c < m->n_questions && !m->questions[c]->critical)
		c++;
	cr_assert_lt(c, m->n_questions);
	for (size_t q = 0; q < m->n_questions; q++)
		lv[q] = q == c ? -1 : 3;
	char *t = answers_text(m, lv, NULL, NULL);
	put("na.yaml", t);
	/* where the na is: its line, and the column of "na" after "{level: " */
	int line = 1;
	const char *at = strstr(t, m->questions[c]->id);
	for (const char *p = t; p < at; p++)
		line += *p == '\n';
	int col = 3 + (int)strlen(m->questions[c]->id) + 2 + (int)strlen("{level: ");
	char want[256];
	snprintf(want, sizeof want, "na.yaml:%d:%d: error: question '%s' is critical and cannot be na",
		 line, col, m->questions[c]->id);
	char *out, *err;
	int rc = weft_test_run(&out, &err, dir, "assess score na.yaml --fail-below 1");
	cr_assert_eq(rc, 3, "%s", err);
	cr_assert(strstr(err, want), "want %s in\n%s", want, err);
	free(out);
	free(err);
	rc = weft_test_run(&out, &err, dir, "assess validate na.yaml");
	cr_assert_eq(rc, 3);
	cr_assert(strstr(err, want), "%s", err);
	free(out);
	free(err);
	free(t);
	free(lv);
	weft_assess_model_free(m);
}

Test(assess_gaming, not_yet_is_not_na, .init = setup, .fini = teardown)
{
	weft_assess_model *m = shipped();
	size_t q = 0;
	while (q < m->n_questions && !m->questions[q]->allow_na)
		q++;
	if (q == m->n_questions || !m->na_category) {
		weft_assess_model_free(m);
		cr_skip_test("the shipped model has no optional question with an na category");
	}
	weft_buf b = WEFT_BUF_INIT;
	weft_buf_printf(&b, "model: %s\nmodel_version: \"%s\"\nunit: U\nanswers:\n"
			    "  %s: {level: na, category: not-yet, reason: no budget yet}\n",
			m->id, m->version, m->questions[q]->id);
	put("notyet.yaml", b.ptr);
	char *out, *err;
	int rc = weft_test_run(&out, &err, dir, "assess validate notyet.yaml");
	cr_assert_eq(rc, 3);
	cr_assert(strstr(err, "na with category 'not-yet'"), "%s", err);
	cr_assert(strstr(err, "level 1"), "the hint says not yet is level 1: %s", err);
	free(out);
	free(err);
	weft_buf_free(&b);
	weft_assess_model_free(m);
}

Test(assess_gaming, out_of_scope_leaves_the_overall_rated, .init = setup, .fini = teardown)
{
	weft_assess_model *m = shipped();
	int *lv = calloc(m->n_questions, sizeof *lv);
	bool *out_dims = calloc(m->n_dims, sizeof *out_dims);
	size_t o = 0;
	while (o < m->n_dims && !m->dims[o].optional)
		o++;
	cr_assert_lt(o, m->n_dims, "the shipped model has an optional dimension");
	out_dims[o] = true;
	for (size_t q = 0; q < m->n_questions; q++)
		lv[q] = m->questions[q]->dim == o ? 0 : 3;
	char *t = answers_text(m, lv, out_dims, NULL);
	put("scoped.yaml", t);
	weft_assess_answers *k;
	weft_assess_result *r = score_text(m, t, &k);
	/* every in-scope question at 3: every in-scope dimension at 3, overall 3 */
	cr_assert(r->rated);
	cr_assert_eq(r->level, 3);
	cr_assert_not(r->dims[o].in_scope);
	cr_assert_not(r->dims[o].rated);
	cr_assert_eq(r->n_in_scope, m->n_dims - 1);
	weft_assess_result_free(r);
	weft_assess_answers_free(k);
	char *sout, *err;
	int rc = weft_test_run(&sout, &err, dir, "assess score scoped.yaml --fail-below 3");
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert(strstr(sout, "out of scope"), "%s", sout);
	cr_assert(strstr(sout, "does not exist in this unit"), "%s", sout);
	free(sout);
	free(err);
	/* scoping out a dimension that is not optional is an error */
	size_t req = 0;
	while (req < m->n_dims && m->dims[req].optional)
		req++;
	if (req < m->n_dims) {
		bool *bad = calloc(m->n_dims, sizeof *bad);
		bad[req] = true;
		char *t2 = answers_text(m, lv, bad, NULL);
		put("bad.yaml", t2);
		rc = weft_test_run(&sout, &err, dir, "assess score bad.yaml");
		cr_assert_eq(rc, 3);
		cr_assert(strstr(err, "cannot be put out of scope"), "%s", err);
		free(sout);
		free(err);
		free(t2);
		free(bad);
	}
	free(t);
	free(lv);
	free(out_dims);
	weft_assess_model_free(m);
}

Test(assess_gaming, the_same_answers_twice_are_refused, .init = setup, .fini = teardown)
{
	weft_assess_model *m = shipped();
	int *lv = calloc(m->n_questions, sizeof *lv);
	for (size_t q = 0; q < m->n_questions; q++)
		lv[q] = 4;
	char *t = answers_text(m, lv, NULL, "Alice");
	put("a.yaml", t);
	/* the same content with a comment added and another file name */
	weft_buf b = WEFT_BUF_INIT;
	weft_buf_printf(&b, "# a copy\n%s", t);
	put("copy.yaml", b.ptr);
	char *out, *err;
	int rc = weft_test_run(&out, &err, dir, "assess score a.yaml a.yaml");
	cr_assert_eq(rc, 3);
	cr_assert(strstr(err, "the same file as"), "%s", err);
	free(out);
	free(err);
	rc = weft_test_run(&out, &err, dir, "assess score a.yaml copy.yaml");
	cr_assert_eq(rc, 3);
	cr_assert(strstr(err, "identical content"), "%s", err);
	free(out);
	free(err);
	weft_buf_free(&b);
	free(t);
	free(lv);
	weft_assess_model_free(m);
}

Test(assess_gaming, changed_weights_are_in_every_report, .init = setup, .fini = teardown)
{
	weft_assess_model *m = shipped();
	int *lv = calloc(m->n_questions, sizeof *lv);
	for (size_t q = 0; q < m->n_questions; q++)
		lv[q] = 1 + (int)(q % 5);
	char *t = answers_text(m, lv, NULL, NULL);
	put("a.yaml", t);
	weft_buf w = WEFT_BUF_INIT;
	weft_buf_printf(&w, "dimensions:\n  %s: %g\n", m->dims[0].id, m->dims[0].weight + 2);
	put("w.yaml", w.ptr);
	/* each format words the change its own way; all give the id, old and new */
	char want[3][160], want_json[160];
	snprintf(want[0], sizeof want[0], "%s %g -> %g", m->dims[0].id, m->dims[0].weight,
		 m->dims[0].weight + 2);
	snprintf(want[1], sizeof want[1], "dimension `%s`: %g -> %g", m->dims[0].id, m->dims[0].weight,
		 m->dims[0].weight + 2);
	snprintf(want[2], sizeof want[2], "dimension <code>%s</code>: %g -> %g", m->dims[0].id,
		 m->dims[0].weight, m->dims[0].weight + 2);
	snprintf(want_json, sizeof want_json, "\"id\":\t\"%s\",\n\t\t\t\t\"kind\":\t\"dimension\"",
		 m->dims[0].id);
	const char *fmts[] = { "text", "markdown", "html", "json" };
	for (size_t i = 0; i < 4; i++) {
		char args[128], *out, *err;
		snprintf(args, sizeof args, "assess score a.yaml --weights w.yaml --format %s", fmts[i]);
		int rc = weft_test_run(&out, &err, dir, args);
		cr_assert_eq(rc, 0, "%s", err);
		cr_assert(strstr(out, "w.yaml"), "%s: weights file named", fmts[i]);
		if (i == 3)
			cr_assert(strstr(out, want_json), "%s", out);
		else
			cr_assert(strstr(out, want[i]), "%s: want %s in %s", fmts[i], want[i], out);
		cr_assert_null(strstr(out, dir), "%s: no absolute path", fmts[i]);
		free(out);
		free(err);
	}
	weft_buf_free(&w);
	free(t);
	free(lv);
	weft_assess_model_free(m);
}
