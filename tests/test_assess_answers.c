/* test_assess_answers.c - answers files: what a good file loads into, the
 * bad inputs of the issue (unknown ids, levels out of range, na not allowed,
 * version mismatch, wrong types, empty and huge files, duplicate ids), each
 * at its exact line:col (counted by hand from the documents below), and
 * the init layout written by render reading back to the same answers. */
#include "assess_test_util.h"

static weft_assess_model *mini(void)
{
	return fixture_model(FIX("mini.yaml"));
}

/* Load and check text against the mini model; returns the first error. */
static int check(weft_diags **d, const char *text, bool warn_missing)
{
	weft_diags_new(d);
	weft_assess_answers *a = NULL;
	int err = weft_assess_answers_load_buffer(&a, "a.yaml", text, strlen(text), *d);
	if (!err) {
		weft_assess_model *m = mini();
		err = weft_assess_answers_check(a, m, warn_missing, *d);
		weft_assess_model_free(m);
	}
	weft_assess_answers_free(a);
	return err;
}

#define HEAD                                                                                       \
	"model: mini\n"            /* 1 */                                                         \
	"model_version: \"2.1\"\n" /* 2 */                                                         \
	"unit: U\n"                /* 3 */                                                         \
	"answers:\n"               /* 4 */

Test(assess_answers, good_file_fields)
{
	weft_diags *d;
	weft_diags_new(&d);
	weft_assess_answers *a = NULL;
	cr_assert_eq(weft_assess_answers_load(&a, FIX("mini-a.yaml"), d), 0);
	cr_assert_str_eq(a->model, "mini");
	cr_assert_str_eq(a->model_version, "2.1");
	cr_assert_str_eq(a->unit, "Unit A");
	cr_assert_str_eq(a->respondent, "Ann");
	cr_assert_str_eq(a->date, "2026-01-15");
	cr_assert_eq(a->n_answers, 6);
	const weft_assess_answer *r = weft_assess_answers_find(a, "a1");
	cr_assert_eq(r->status, WEFT_ASSESS_ANSWERED);
	cr_assert_eq(r->level, 4);
	cr_assert_str_eq(r->note, "a note");
	cr_assert_eq(r->n_evidence, 2);
	cr_assert_str_eq(r->evidence[0], "https://example.com/a1");
	cr_assert_str_eq(r->evidence[1], "ticket X-1");
	r = weft_assess_answers_find(a, "g1");
	cr_assert_eq(r->status, WEFT_ASSESS_NA);
	cr_assert_eq(r->level, 0);
	cr_assert_str_eq(r->reason, "no gamma here");
	weft_assess_model *m = mini();
	cr_assert_eq(weft_assess_answers_check(a, m, true, d), 0);
	cr_assert_eq(weft_diags_count(d), 0); /* all six answered or na: no warning */
	weft_assess_model_free(m);
	weft_assess_answers_free(a);
	weft_diags_free(d);
}

Test(assess_answers, empty_level_and_bare_key_are_unanswered_with_a_warning)
{
	weft_diags *d;
	cr_assert_eq(check(&d, HEAD "  a1:\n    level:\n  a2:\n  b1: {level: 2}\n", true), 0);
	cr_assert_eq(weft_diags_errors(d), 0);
	cr_assert_eq(weft_diags_count(d), 1);
	const weft_diag *g = weft_diags_get(d, 0);
	cr_assert_eq(g->severity, WEFT_SEV_WARNING);
	/* at the answers: key's value (the mapping under it starts at 5:3) */
	cr_assert_eq(g->line, 5);
	cr_assert_eq(g->col, 3);
	cr_assert_str_eq(g->message, "5 of 6 questions not answered: a1, a2, a3, b2, g1");
	weft_diags_free(d);
}

Test(assess_answers, unknown_question_id_with_suggestion)
{
	weft_diags *d;
	cr_assert_eq(check(&d, HEAD "  a1: {level: 3}\n  b9:\n    level: 2\n", false), WEFT_EINVALID);
	/* "  b9:" is line 6; the key starts at column 3 */
	assert_error_at(d, "a.yaml", 6, 3, "unknown question id 'b9'");
	cr_assert_str_eq(diag_at(d, "a.yaml", 6, 3, "b9")->hint, "did you mean 'b1'?");
	cr_assert_eq(weft_diags_errors(d), 1);
	weft_diags_free(d);
	/* a dimension id is not a question */
	cr_assert_eq(check(&d, HEAD "  alpha: {level: 3}\n", false), WEFT_EINVALID);
	assert_error_at(d, "a.yaml", 5, 3, "'alpha' is a dimension of model 'mini', not a question");
	weft_diags_free(d);
}

Test(assess_answers, level_out_of_range)
{
	weft_diags *d;
	/* "    level: 7": the value is at column 12 */
	cr_assert_eq(check(&d, HEAD "  a1:\n    level: 7\n", false), WEFT_EINVALID);
	assert_error_at(d, "a.yaml", 6, 12, "level 7 is out of range (1 to 5)");
	weft_diags_free(d);
	cr_assert_eq(check(&d, HEAD "  a1:\n    level: 0\n", false), WEFT_EINVALID);
	assert_error_at(d, "a.yaml", 6, 12, "level 0 is out of range");
	weft_diags_free(d);
	/* flow style: "  b1: {level: -1}" -> the value at column 15 */
	cr_assert_eq(check(&d, HEAD "  b1: {level: -1}\n", false), WEFT_EINVALID);
	assert_error_at(d, "a.yaml", 5, 15, "level -1 is out of range");
	weft_diags_free(d);
}

Test(assess_answers, na_where_not_allowed_and_na_without_reason)
{
	weft_diags *d;
	/* a2 is critical: never na, whatever the reason */
	cr_assert_eq(check(&d, HEAD "  a2:\n    level: na\n    reason: r\n", false), WEFT_EINVALID);
	assert_error_at(d, "a.yaml", 6, 12, "question 'a2' is critical and cannot be na");
	weft_diags_free(d);
	/* b1 has allow_na false */
	cr_assert_eq(check(&d, HEAD "  b1:\n    level: na\n    reason: r\n", false), WEFT_EINVALID);
	assert_error_at(d, "a.yaml", 6, 12, "question 'b1' does not allow na");
	weft_diags_free(d);
	/* na needs a reason: reported at the na */
	cr_assert_eq(check(&d, HEAD "  a1:\n    level: na\n", false), WEFT_EINVALID);
	assert_error_at(d, "a.yaml", 6, 12, "answer to 'a1' is na without a reason");
	weft_diags_free(d);
	cr_assert_eq(check(&d, HEAD "  a1:\n    level: na\n    reason: \"  \"\n", false), WEFT_EINVALID);
	assert_error_at(d, "a.yaml", 6, 12, "na without a reason");
	weft_diags_free(d);
}

Test(assess_answers, version_and_model_mismatch)
{
	weft_diags *d;
	/* model_version: "2.0" -> the quoted value starts at column 16 */
	cr_assert_eq(check(&d, "model: mini\nmodel_version: \"2.0\"\nunit: U\nanswers: {}\n", false),
		     WEFT_EINVALID);
	assert_error_at(d, "a.yaml", 2, 16,
			"answers are for version '2.0' of model 'mini', but the model is version '2.1'");
	weft_diags_free(d);
	/* model: other -> column 8 */
	cr_assert_eq(check(&d, "model: other\nmodel_version: \"2.1\"\nunit: U\nanswers: {}\n", false),
		     WEFT_EINVALID);
	assert_error_at(d, "a.yaml", 1, 8, "answers are for model 'other', not 'mini'");
	weft_diags_free(d);
}

Test(assess_answers, wrong_yaml_types)
{
	weft_diags *d;
	/* unit: a sequence (column 7); level: a sequence (column 12); level "3" quoted */
	const char *text = "model: mini\n"
			   "model_version: \"2.1\"\n"
			   "unit: [x]\n"          /* 3 */
			   "answers:\n"           /* 4 */
			   "  a1:\n"              /* 5 */
			   "    level: [3]\n"     /* 6 */
			   "  a3:\n"              /* 7 */
			   "    level: \"3\"\n"   /* 8 */
			   "  b1: 3\n"            /* 9: value at column 7 */
			   "  b2:\n"              /* 10 */
			   "    level: 2\n"       /* 11 */
			   "    evidence: {a: b}\n"; /* 12: value at column 15 */
	cr_assert_eq(check(&d, text, false), WEFT_EINVALID);
	assert_error_at(d, "a.yaml", 3, 7, "'unit': expected a string, got a sequence");
	assert_error_at(d, "a.yaml", 6, 12, "level: expected 1 to 5 or na, got a sequence");
	assert_error_at(d, "a.yaml", 8, 12, "level: expected 1 to 5 or na, got a string '3'");
	assert_error_at(d, "a.yaml", 9, 7, "answer to 'b1': expected a mapping, got a number");
	assert_error_at(d, "a.yaml", 12, 15, "'evidence': expected a sequence of strings, got a mapping");
	cr_assert_eq(weft_diags_errors(d), 5);
	weft_diags_free(d);
	/* answers: a list on the next line -> line 5, column 1 */
	cr_assert_eq(check(&d, HEAD "- a1\n", false), WEFT_EINVALID);
	assert_error_at(d, "a.yaml", 5, 1, "'answers': expected a mapping, got a sequence");
	weft_diags_free(d);
}

Test(assess_answers, missing_fields_bad_date_duplicate_ids)
{
	weft_diags *d;
	cr_assert_eq(check(&d, "model: mini\nanswers:\n  a1: {level: 2}\n", false), WEFT_EINVALID);
	assert_error_at(d, "a.yaml", 1, 1, "missing required field 'model_version'");
	assert_error_at(d, "a.yaml", 1, 1, "missing required field 'unit'");
	weft_diags_free(d);
	cr_assert_eq(check(&d, HEAD "  a1: {level: 2}\n", false), 0);
	weft_diags_free(d);
	/* 30 February: "date: 2026-02-30" value at column 7 of line 4 */
	cr_assert_eq(check(&d, "model: mini\nmodel_version: \"2.1\"\nunit: U\ndate: 2026-02-30\nanswers: {}\n",
			   false),
		     WEFT_EINVALID);
	assert_error_at(d, "a.yaml", 4, 7, "'date': '2026-02-30' is not a date");
	weft_diags_free(d);
	/* 29 February of a leap year is fine */
	cr_assert_eq(check(&d, "model: mini\nmodel_version: \"2.1\"\nunit: U\ndate: 2028-02-29\nanswers: {}\n",
			   false),
		     0);
	weft_diags_free(d);
	/* the same question twice: the second key, line 6 column 3 */
	cr_assert_eq(check(&d, HEAD "  a1: {level: 2}\n  a1: {level: 3}\n", false), WEFT_EINVALID);
	assert_error_at(d, "a.yaml", 6, 3, "duplicate key 'a1'");
	weft_diags_free(d);
	/* blank unit */
	cr_assert_eq(check(&d, "model: mini\nmodel_version: \"2.1\"\nunit: \"\"\nanswers: {}\n", false),
		     WEFT_EINVALID);
	assert_error_at(d, "a.yaml", 3, 7, "field 'unit' is empty");
	weft_diags_free(d);
}

Test(assess_answers, empty_and_huge_files)
{
	weft_diags *d;
	cr_assert_eq(check(&d, "", false), WEFT_EINVALID);
	assert_error_at(d, "a.yaml", 1, 1, "the file is empty; expected an answers file");
	weft_diags_free(d);
	char *text = huge_text(65600);
	cr_assert_eq(check(&d, text, false), WEFT_EINVALID);
	assert_error_at(d, "a.yaml", 65537, 1, "larger than the limit of 4194304 bytes");
	weft_diags_free(d);
	free(text);
}

Test(assess_answers, every_error_of_a_file_in_one_pass)
{
	weft_diags *d;
	/* structure errors stop before model checks, but all of them are listed */
	const char *text = HEAD "  a1: {level: 9}\n  a2: {level: na}\n  b1: {level: x}\n";
	cr_assert_eq(check(&d, text, false), WEFT_EINVALID);
	cr_assert_eq(weft_diags_errors(d), 3);
	assert_error_at(d, "a.yaml", 5, 15, "level 9");
	assert_error_at(d, "a.yaml", 6, 15, "na without a reason");
	assert_error_at(d, "a.yaml", 7, 15, "got a string 'x'");
	weft_diags_free(d);
}

Test(assess_answers, render_reads_back_the_same)
{
	weft_assess_model *m = mini();
	weft_diags *d;
	weft_diags_new(&d);
	weft_assess_answers *a = NULL;
	cr_assert_eq(weft_assess_answers_new(&a, m, "Unit \"Q\"", "Zoë: x #1", "2026-05-01"), 0);
	cr_assert_eq(weft_assess_answers_set(a, "a1", WEFT_ASSESS_ANSWERED, 3, NULL, NULL, "line one\nline \"two\""), 0);
	cr_assert_eq(weft_assess_answers_set(a, "g1", WEFT_ASSESS_NA, 0, "no: gamma # here", NULL, NULL), 0);
	cr_assert_eq(weft_assess_answers_set(a, "b2", WEFT_ASSESS_ANSWERED, 6, NULL, NULL, NULL), WEFT_EINVALID);
	cr_assert_eq(weft_assess_answers_set(a, "b2", WEFT_ASSESS_NA, 0, "", NULL, NULL), WEFT_EINVALID);
	weft_buf b = WEFT_BUF_INIT;
	cr_assert_eq(weft_assess_answers_render(&b, a, m), 0);
	/* every question is listed with its options as comments */
	cr_assert_not_null(strstr(b.ptr, "  # a2: Question a2?\n"));
	cr_assert_not_null(strstr(b.ptr, "  #   help: Look at a1.\n"));
	cr_assert_not_null(strstr(b.ptr, "  #   3: three\n"));
	cr_assert_not_null(strstr(b.ptr, "  #  na not allowed; critical: caps its dimension's level; weighted\n"));
	cr_assert_not_null(strstr(b.ptr, "  b1:\n    level:\n"));
	cr_assert_not_null(strstr(b.ptr, "  a1:\n    level: 3\n    note: \"line one\\nline \\\"two\\\"\"\n"));

	weft_assess_answers *back = NULL;
	int err = weft_assess_answers_load_buffer(&back, "r.yaml", b.ptr, b.len, d);
	cr_assert_eq(err, 0, "%s", b.ptr);
	cr_assert_eq(weft_assess_answers_check(back, m, false, d), 0);
	cr_assert_str_eq(back->unit, "Unit \"Q\"");
	cr_assert_str_eq(back->respondent, "Zoë: x #1");
	cr_assert_str_eq(back->date, "2026-05-01");
	const weft_assess_answer *r = weft_assess_answers_find(back, "a1");
	cr_assert_eq(r->level, 3);
	cr_assert_str_eq(r->note, "line one\nline \"two\"");
	r = weft_assess_answers_find(back, "g1");
	cr_assert_eq(r->status, WEFT_ASSESS_NA);
	cr_assert_str_eq(r->reason, "no: gamma # here");
	r = weft_assess_answers_find(back, "b1");
	cr_assert_eq(r->status, WEFT_ASSESS_UNANSWERED);
	weft_buf_free(&b);
	weft_assess_answers_free(back);
	weft_assess_answers_free(a);
	weft_assess_model_free(m);
	weft_diags_free(d);
}

Test(assess_answers, render_survives_hostile_model_text)
{
	/* model text with YAML line separators, controls and quotes must stay
	 * inside the comments and strings of the rendered file */
	const char *model =
		"id: h\nversion: \"1\\u2028x\"\ntitle: \"T\\nanswers: {}\"\n"
		"levels:\n"
		"  - {level: 1, name: a, description: d}\n  - {level: 2, name: b, description: d}\n"
		"  - {level: 3, name: c, description: d}\n  - {level: 4, name: d, description: d}\n"
		"  - {level: 5, name: e, description: d}\n"
		"dimensions:\n  - id: d\n    title: \"D\\u0085level: 5\"\n    questions:\n"
		"      - id: q\n        text: \"Q\\u2029  q: {level: 5}\\e[31m\"\n        options:\n"
		"          - {level: 1, text: \"o\\nq:\", improve: i}\n          - {level: 2, text: o, improve: i}\n"
		"          - {level: 3, text: o, improve: i}\n          - {level: 4, text: o, improve: i}\n"
		"          - {level: 5, text: o}\n";
	weft_diags *d;
	weft_diags_new(&d);
	weft_assess_model *m = NULL;
	cr_assert_eq(weft_assess_model_load_buffer(&m, "h.yaml", model, strlen(model), d), 0);
	weft_assess_answers *a = NULL;
	cr_assert_eq(weft_assess_answers_new(&a, m, "U", NULL, NULL), 0);
	weft_buf b = WEFT_BUF_INIT;
	cr_assert_eq(weft_assess_answers_render(&b, a, m), 0);
	weft_assess_answers *back = NULL;
	cr_assert_eq(weft_assess_answers_load_buffer(&back, "r.yaml", b.ptr, b.len, d), 0, "%s", b.ptr);
	cr_assert_eq(weft_assess_answers_check(back, m, false, d), 0);
	cr_assert_eq(back->n_answers, 1); /* only q, unanswered: nothing leaked out of a comment */
	cr_assert_eq(back->answers[0].status, WEFT_ASSESS_UNANSWERED);
	cr_assert_str_eq(back->model_version, "1\xe2\x80\xa8x");
	cr_assert_null(strchr(b.ptr, '\033'));
	weft_buf_free(&b);
	weft_assess_answers_free(back);
	weft_assess_answers_free(a);
	weft_assess_model_free(m);
	weft_diags_free(d);
}

Test(assess_answers, escapes_in_ids_do_not_reach_diagnostics)
{
	weft_diags *d;
	/* a quoted key with an escape sequence; line 5, column 3 */
	cr_assert_eq(check(&d, HEAD "  \"\\e[2Jx\": {level: 2}\n", false), WEFT_EINVALID);
	assert_error_at(d, "a.yaml", 5, 3, "unknown question id '?[2Jx'");
	weft_diags_free(d);
}

/* mini's dimensions are all required: out_of_scope is refused for them; the
 * structure of out_of_scope is checked when loading. */
Test(assess_answers, out_of_scope_structure_and_required_dimensions)
{
	weft_diags *d;
	const char *t = "model: mini\n"            /* 1 */
			"model_version: \"2.1\"\n" /* 2 */
			"unit: U\n"                /* 3 */
			"out_of_scope:\n"          /* 4 */
			"  gamma: no gamma here\n" /* 5: key at column 3 */
			"  gama: typo\n"           /* 6 */
			"answers: {}\n";
	cr_assert_eq(check(&d, t, false), WEFT_EINVALID);
	assert_error_at(d, "a.yaml", 5, 3, "dimension 'gamma' (Gamma) cannot be put out of scope");
	assert_error_at(d, "a.yaml", 6, 3, "unknown dimension 'gama' in out_of_scope");
	cr_assert_str_eq(diag_at(d, "a.yaml", 6, 3, "gama")->hint, "did you mean 'gamma'?");
	weft_diags_free(d);
	/* no reason, and not a mapping */
	cr_assert_eq(check(&d, "model: mini\nmodel_version: \"2.1\"\nunit: U\nout_of_scope:\n  gamma:\n"
			       "answers: {}\n",
			   false),
		     WEFT_EINVALID);
	assert_error_at(d, "a.yaml", 5, 3, "out of scope 'gamma' without a reason");
	weft_diags_free(d);
	cr_assert_eq(check(&d, "model: mini\nmodel_version: \"2.1\"\nunit: U\nout_of_scope: [gamma]\n"
			       "answers: {}\n",
			   false),
		     WEFT_EINVALID);
	assert_error_at(d, "a.yaml", 4, 15, "'out_of_scope': expected a mapping");
	weft_diags_free(d);
}

Test(assess_answers, na_category_is_kept_and_rendered)
{
	weft_diags *d;
	weft_diags_new(&d);
	weft_assess_answers *a = NULL;
	const char *t = HEAD "  a1: {level: na, reason: none here, category: does-not-apply}\n"
			     "  b1: {level: 3, category: x}\n"; /* 6: category on a level: warned */
	cr_assert_eq(weft_assess_answers_load_buffer(&a, "a.yaml", t, strlen(t), d), 0);
	cr_assert_str_eq(weft_assess_answers_find(a, "a1")->category, "does-not-apply");
	cr_assert_null(weft_assess_answers_find(a, "b1")->category);
	/* the warning points at the category's value: "  b1: {level: 3, category: x}" col 28 */
	bool warned = false;
	for (size_t i = 0; i < weft_diags_count(d); i++) {
		const weft_diag *g = weft_diags_get(d, i);
		warned |= g->severity == WEFT_SEV_WARNING && g->line == 6 && g->col == 28 &&
			  strstr(g->message, "'category' is only read for na answers");
	}
	cr_assert(warned);
	weft_assess_model *m = mini();
	weft_buf b = WEFT_BUF_INIT;
	cr_assert_eq(weft_assess_answers_render(&b, a, m), 0);
	cr_assert_not_null(strstr(b.ptr, "    category: \"does-not-apply\"\n"), "%s", b.ptr);
	/* setting a level drops the reason and category */
	cr_assert_eq(weft_assess_answers_set(a, "a1", WEFT_ASSESS_ANSWERED, 2, NULL, NULL, NULL), 0);
	cr_assert_null(weft_assess_answers_find(a, "a1")->category);
	cr_assert_null(weft_assess_answers_find(a, "a1")->reason);
	weft_buf_free(&b);
	weft_assess_model_free(m);
	weft_assess_answers_free(a);
	weft_diags_free(d);
}
