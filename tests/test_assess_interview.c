/* test_assess_interview.c - the interview driven by lines of input, as a
 * pipe would feed it: answers, a note after the number, na with a reason,
 * help, back, refusals of bad input, quitting, and resuming a saved file. */
#include "assess_test_util.h"

typedef struct {
	int err;
	weft_assess_interview_stats st;
	char *out;
} run_result;

static run_result run(const weft_assess_model *m, const char *path, const char *input,
		      const char *unit, weft_diags *d)
{
	run_result r = { 0 };
	FILE *in = fmemopen((void *)input, strlen(input), "r");
	size_t len;
	FILE *out = open_memstream(&r.out, &len);
	cr_assert(in && out);
	weft_assess_interview_opts o = { m, path, in, out, false, unit, NULL, "2026-02-03" };
	r.err = weft_assess_interview(&r.st, &o, d);
	fclose(in);
	fclose(out);
	return r;
}

static weft_assess_answers *load_saved(const char *path, const weft_assess_model *m)
{
	weft_diags *d;
	weft_diags_new(&d);
	weft_assess_answers *a = NULL;
	cr_assert_eq(weft_assess_answers_load(&a, path, d), 0);
	cr_assert_eq(weft_assess_answers_check(a, m, false, d), 0);
	weft_diags_free(d);
	return a;
}

Test(assess_interview, answers_help_back_na_and_quit_then_resume)
{
	weft_assess_model *m = fixture_model(FIX("mini.yaml"));
	char *dir = temp_dir();
	char *path = path_in(dir, "ans.yaml");
	weft_diags *d;
	weft_diags_new(&d);
	const char *input = "Claims\n"          /* unit */
			    "Dee\n"             /* respondent */
			    "?\n"               /* a1: help */
			    "4 looks good\n"    /* a1 = 4 with a note */
			    "na\n"              /* a2: na not allowed */
			    "x\n"               /* a2: not an answer */
			    "2\n"               /* a2 = 2 */
			    "na\n"              /* a3: na ... */
			    "\n"                /* ... an empty reason is refused */
			    "not used\n"        /* ... reason */
			    "b\n"               /* b1: back to a3 */
			    "\n"                /* a3: keep na */
			    "7\n"               /* b1: out of range */
			    "3\n"               /* b1 = 3 */
			    "q\n";              /* b2: quit */
	run_result r = run(m, path, input, NULL, d);
	cr_assert_eq(r.err, 0);
	cr_assert(r.st.quit);
	cr_assert_eq(r.st.answered, 3);
	cr_assert_eq(r.st.na, 1);
	cr_assert_eq(r.st.unanswered, 2);
	cr_assert_not_null(strstr(r.out, "Help: Look at a1."), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "This question does not allow na"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "A reason is needed for na"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "Please answer 1-5"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "[1/6] Alpha - a1\n"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "  3  three\n"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "Current answer: na\n"), "going back shows the answer given: %s", r.out);
	free(r.out);

	weft_assess_answers *a = load_saved(path, m);
	cr_assert_str_eq(a->unit, "Claims");
	cr_assert_str_eq(a->respondent, "Dee");
	cr_assert_str_eq(a->date, "2026-02-03");
	const weft_assess_answer *x = weft_assess_answers_find(a, "a1");
	cr_assert_eq(x->level, 4);
	cr_assert_str_eq(x->note, "looks good");
	cr_assert_eq(weft_assess_answers_find(a, "a2")->level, 2);
	x = weft_assess_answers_find(a, "a3");
	cr_assert_eq(x->status, WEFT_ASSESS_NA);
	cr_assert_str_eq(x->reason, "not used");
	cr_assert_eq(weft_assess_answers_find(a, "b1")->level, 3);
	cr_assert_eq(weft_assess_answers_find(a, "b2")->status, WEFT_ASSESS_UNANSWERED);
	weft_assess_answers_free(a);

	/* resume: starts at b2 (question 5), answer it, then end of input */
	r = run(m, path, "5\n", NULL, d);
	cr_assert_eq(r.err, 0);
	cr_assert(r.st.quit);
	cr_assert_not_null(strstr(r.out, "at question 5 of 6."), "%s", r.out);
	cr_assert_null(strstr(r.out, "Business unit"), "a resumed file is not asked for its unit");
	free(r.out);
	a = load_saved(path, m);
	cr_assert_eq(weft_assess_answers_find(a, "b2")->level, 5);
	cr_assert_eq(weft_assess_answers_find(a, "a1")->level, 4);
	cr_assert_str_eq(weft_assess_answers_find(a, "a1")->note, "looks good");
	weft_assess_answers_free(a);

	/* finish: g1 na with a reason; done */
	r = run(m, path, "na\nno gamma\n", NULL, d);
	cr_assert_eq(r.err, 0);
	cr_assert_not(r.st.quit);
	cr_assert_eq(r.st.unanswered, 0);
	cr_assert_not_null(strstr(r.out, "Done; saved"), "%s", r.out);
	free(r.out);

	weft_diags_free(d);
	free(path);
	rm_rf(dir);
	weft_assess_model_free(m);
}

Test(assess_interview, end_of_input_before_the_unit_writes_nothing)
{
	weft_assess_model *m = fixture_model(FIX("mini.yaml"));
	char *dir = temp_dir();
	char *path = path_in(dir, "ans.yaml");
	weft_diags *d;
	weft_diags_new(&d);
	run_result r = run(m, path, "", NULL, d);
	cr_assert_eq(r.err, 0);
	cr_assert(r.st.quit);
	cr_assert_not(weft_path_exists(path));
	free(r.out);
	/* with --unit given: no respondent (Enter), a1 skipped (Enter), a2 = 3 */
	r = run(m, path, "\n\n3\n", "Ops", d);
	cr_assert_eq(r.err, 0);
	free(r.out);
	weft_assess_answers *a = load_saved(path, m);
	cr_assert_str_eq(a->unit, "Ops");
	cr_assert_null(a->respondent);
	cr_assert_eq(weft_assess_answers_find(a, "a2")->level, 3); /* a1 skipped with Enter */
	cr_assert_eq(weft_assess_answers_find(a, "a1")->status, WEFT_ASSESS_UNANSWERED);
	weft_assess_answers_free(a);
	weft_diags_free(d);
	free(path);
	rm_rf(dir);
	weft_assess_model_free(m);
}

Test(assess_interview, an_invalid_existing_file_is_not_overwritten)
{
	weft_assess_model *m = fixture_model(FIX("mini.yaml"));
	char *dir = temp_dir();
	char *path = path_in(dir, "ans.yaml");
	const char *bad = "model: mini\nmodel_version: \"1.0\"\nunit: U\nanswers: {}\n";
	write_file(path, bad);
	weft_diags *d;
	weft_diags_new(&d);
	run_result r = run(m, path, "3\n", NULL, d);
	cr_assert_eq(r.err, WEFT_EINVALID);
	assert_error_at(d, path, 2, 16, "answers are for version '1.0'");
	char *now = read_file(path);
	cr_assert_str_eq(now, bad);
	free(now);
	free(r.out);
	weft_diags_free(d);
	free(path);
	rm_rf(dir);
	weft_assess_model_free(m);
}
