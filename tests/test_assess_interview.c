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

/* ---- editing a hand-written file in place (assess_answers_patch) ---- */

#include "assess_int.h"

#define IVFIX(name) FIX("interview/" name)

/* text with the one occurrence of old replaced by new (asserts it is there once) */
static char *replace_once(char *text, const char *old, const char *new)
{
	char *at = strstr(text, old);
	cr_assert_not_null(at, "'%s' not in:\n%s", old, text);
	cr_assert_null(strstr(at + 1, old), "'%s' more than once", old);
	size_t n = strlen(text) - strlen(old) + strlen(new) + 1, pre = (size_t)(at - text);
	char *r = malloc(n);
	memcpy(r, text, pre);
	strcpy(r + pre, new);
	strcat(r, at + strlen(old));
	free(text);
	return r;
}

static bool same_s(const char *a, const char *b)
{
	if (a && !a[strspn(a, " \t")])
		a = NULL;
	if (b && !b[strspn(b, " \t")])
		b = NULL;
	return (!a || !b) ? a == b : !strcmp(a, b);
}

static bool same_answer(const weft_assess_answer *x, const weft_assess_answer *y)
{
	static const weft_assess_answer none = { 0 };
	x = x ? x : &none;
	y = y ? y : &none;
	if (x->status != y->status || x->level != y->level || !same_s(x->reason, y->reason) ||
	    !same_s(x->category, y->category) || !same_s(x->note, y->note) || x->n_evidence != y->n_evidence)
		return false;
	for (size_t i = 0; i < x->n_evidence; i++)
		if (strcmp(x->evidence[i], y->evidence[i]))
			return false;
	return true;
}

/* Every field an answers file holds, compared. */
static bool same_answers(const weft_assess_answers *x, const weft_assess_answers *y)
{
	if (!same_s(x->model, y->model) || !same_s(x->model_version, y->model_version) ||
	    !same_s(x->unit, y->unit) || !same_s(x->respondent, y->respondent) ||
	    !same_s(x->date, y->date) || x->n_out_of_scope != y->n_out_of_scope)
		return false;
	for (size_t i = 0; i < x->n_answers; i++)
		if (!same_answer(&x->answers[i], weft_assess_answers_find(y, x->answers[i].question)))
			return false;
	for (size_t i = 0; i < y->n_answers; i++)
		if (!same_answer(&y->answers[i], weft_assess_answers_find(x, y->answers[i].question)))
			return false;
	return true;
}

static char *copy_fixture(const char *dir, const char *fixture, char **text)
{
	char *path = path_in(dir, "ans.yaml");
	*text = read_file(fixture);
	cr_assert_not_null(*text, "%s", fixture);
	write_file(path, *text);
	return path;
}

Test(assess_interview, a_hand_written_file_keeps_comments_order_quoting_and_unknown_fields)
{
	weft_assess_model *m = fixture_model(FIX("mini.yaml"));
	char *dir = temp_dir();
	char *orig;
	char *path = copy_fixture(dir, IVFIX("handwritten.yaml"), &orig);
	weft_diags *d;
	weft_diags_new(&d);
	/* resumes at a3: back to a2 (kept), a3 = 5 (not in the file), b1 2 -> 4
	 * (its note kept), b2 = 3 (not in the file), g1 1 -> na with a reason */
	run_result r = run(m, path, "b\n\n5\n4\n3\nna\nno gamma\n", NULL, d);
	cr_assert_eq(r.err, 0);
	cr_assert_not_null(strstr(r.out, "Resuming"), "%s", r.out);
	cr_assert_null(strstr(r.out, "rewrote"), "%s", r.out);
	cr_assert_not(r.st.quit, "%s", r.out);
	free(r.out);

	char *want = strdup(orig);
	want = replace_once(want, "  b1: {level: 2, note: 'from the workshop'}   # revisit in March\n",
			    "  b1: {level: 4, note: 'from the workshop'}   # revisit in March\n");
	want = replace_once(want, "  g1: {level: 1}  # gamma is small here\n",
			    "  g1: {level: na, reason: \"no gamma\"}  # gamma is small here\n"
			    "  a3: {level: 5}\n"
			    "  b2: {level: 3}\n");
	char *now = read_file(path);
	cr_assert_str_eq(now, want);

	weft_assess_answers *a = load_saved(path, m); /* and it validates */
	cr_assert_eq(weft_assess_answers_find(a, "b1")->level, 4);
	cr_assert_str_eq(weft_assess_answers_find(a, "b1")->note, "from the workshop");
	cr_assert_eq(weft_assess_answers_find(a, "a1")->n_evidence, 2);
	cr_assert_eq(weft_assess_answers_find(a, "g1")->status, WEFT_ASSESS_NA);
	cr_assert_str_eq(a->unit, "Claims");
	weft_assess_answers_free(a);
	free(now);
	free(want);
	free(orig);
	weft_diags_free(d);
	free(path);
	rm_rf(dir);
	weft_assess_model_free(m);
}

Test(assess_interview, an_alias_in_the_answer_changed_falls_back_to_the_standard_layout)
{
	weft_assess_model *m = fixture_model(FIX("mini.yaml"));
	char *dir = temp_dir();
	char *orig;
	char *path = copy_fixture(dir, IVFIX("alias.yaml"), &orig);
	weft_diags *d;
	weft_diags_new(&d);
	run_result r = run(m, path, "b\n4\n", NULL, d); /* a2 (an alias of a1's answer) = 4 */
	cr_assert_eq(r.err, 0);
	char notice[600];
	snprintf(notice, sizeof notice,
		 "rewrote %s in the standard layout: it could not be edited in place\n", path);
	cr_assert_not_null(strstr(r.out, notice), "%s", r.out);
	free(r.out);
	weft_assess_answers *a = load_saved(path, m);
	cr_assert_eq(weft_assess_answers_find(a, "a1")->level, 2);
	cr_assert_eq(weft_assess_answers_find(a, "a2")->level, 4);
	weft_buf b = WEFT_BUF_INIT;
	cr_assert_eq(weft_assess_answers_render(&b, a, m), 0);
	char *now = read_file(path);
	cr_assert_str_eq(now, b.ptr, "the file is in the init layout");
	weft_buf_free(&b);
	free(now);
	weft_assess_answers_free(a);
	free(orig);
	weft_diags_free(d);
	free(path);
	rm_rf(dir);
	weft_assess_model_free(m);
}

static const char *const ivfixtures[] = { "handwritten.yaml", "alias.yaml", "block.yaml",
					  "empty.yaml" };

Test(assess_interview, nothing_changed_gives_the_original_bytes)
{
	weft_assess_model *m = fixture_model(IVFIX("mini-na.yaml"));
	for (size_t i = 0; i < sizeof ivfixtures / sizeof *ivfixtures; i++) {
		char path[512];
		snprintf(path, sizeof path, "%s", IVFIX(""));
		strcat(path, ivfixtures[i]);
		char *text = read_file(path);
		weft_assess_answers *a = buffer_answers(path, text);
		weft_assess_answers *c = assess_answers_dup(a);
		weft_buf out = WEFT_BUF_INIT;
		cr_assert_eq(assess_answers_patch(&out, text, strlen(text), a, a, m, NULL), 0, "%s", path);
		cr_assert_str_eq(out.ptr, text);
		weft_buf_free(&out);
		cr_assert_eq(assess_answers_patch(&out, text, strlen(text), a, c, m, NULL), 0, "%s", path);
		cr_assert_eq(out.len, strlen(text));
		cr_assert_str_eq(out.ptr, text);
		weft_buf_free(&out);
		weft_assess_answers_free(a);
		weft_assess_answers_free(c);
		free(text);
	}
	weft_assess_model_free(m);
}

Test(assess_interview, block_answers_edited_in_place_with_the_na_category)
{
	weft_assess_model *m = fixture_model(IVFIX("mini-na.yaml"));
	char *text = read_file(IVFIX("block.yaml"));
	weft_assess_answers *before = buffer_answers("block.yaml", text);
	weft_assess_answers *after = assess_answers_dup(before);
	cr_assert_eq(weft_assess_answers_set(after, "a1", WEFT_ASSESS_NA, 0, "gone", m->na_category, NULL), 0);
	cr_assert_eq(weft_assess_answers_set(after, "a3", WEFT_ASSESS_ANSWERED, 3, NULL, NULL, NULL), 0);
	cr_assert_eq(weft_assess_answers_set(after, "b1", WEFT_ASSESS_ANSWERED, 2, NULL, NULL, NULL), 0);
	cr_assert_eq(weft_assess_answers_set(after, "b2", WEFT_ASSESS_ANSWERED, 4, NULL, NULL, "ok \"really\""), 0);
	cr_assert_eq(weft_assess_answers_set(after, "g1", WEFT_ASSESS_ANSWERED, 1, NULL, NULL, NULL), 0);
	cr_assert_eq(weft_assess_answers_set_field(after, "unit", "Ops 2"), 0);
	cr_assert_eq(weft_assess_answers_set_field(after, "respondent", "Lee"), 0);
	weft_buf out = WEFT_BUF_INIT;
	cr_assert_eq(assess_answers_patch(&out, text, strlen(text), before, after, m, NULL), 0, "%s", out.ptr);
	char *want = strdup(text);
	want = replace_once(want, "model_version: \"2.1\"\nunit: \"Ops\"\n",
			    "model_version: \"2.1\"\nrespondent: \"Lee\"\nunit: \"Ops 2\"\n");
	want = replace_once(want, "    level: 2          # was 1 last year\n",
			    "    level: na          # was 1 last year\n"
			    "    reason: \"gone\"\n"
			    "    category: \"does-not-apply\"\n");
	want = replace_once(want, "    level: na\n    reason: 'no such thing'   # agreed with Sam\n"
				  "    category: does-not-apply\n",
			    "    level: 3\n");
	want = replace_once(want, "  b1:\n    level:\n", "  b1:\n    level: 2\n");
	want = replace_once(want, "    level: 4\n", "    level: 4\n    note: \"ok \\\"really\\\"\"\n");
	want = replace_once(want, "[ \"https://ci.example/b2\" ]\n",
			    "[ \"https://ci.example/b2\" ]\n  g1:\n    level: 1\n");
	cr_assert_str_eq(out.ptr, want);
	weft_diags *d;
	weft_diags_new(&d);
	weft_assess_answers *re = NULL;
	cr_assert_eq(weft_assess_answers_load_buffer(&re, "x", out.ptr, out.len, d), 0);
	cr_assert_eq(weft_assess_answers_check(re, m, false, d), 0);
	cr_assert(same_answers(re, after));
	weft_assess_answers_free(re);
	weft_diags_free(d);
	weft_buf_free(&out);
	free(want);

	/* an empty answers: becomes a block mapping */
	free(text);
	text = read_file(IVFIX("empty.yaml"));
	weft_assess_answers_free(before);
	weft_assess_answers_free(after);
	before = buffer_answers("empty.yaml", text);
	after = assess_answers_dup(before);
	cr_assert_eq(weft_assess_answers_set(after, "a1", WEFT_ASSESS_ANSWERED, 3, NULL, NULL, NULL), 0);
	cr_assert_eq(assess_answers_patch(&out, text, strlen(text), before, after, m, NULL), 0);
	want = strdup(text);
	want = replace_once(want, "answers:\n", "answers:\n  a1: {level: 3}\n");
	cr_assert_str_eq(out.ptr, want);
	free(want);
	weft_buf_free(&out);
	weft_assess_answers_free(before);
	weft_assess_answers_free(after);
	free(text);
	weft_assess_model_free(m);
}

/* A libFuzzer-style loop: random edits through assess_answers_patch, each
 * save's text the next one's original, as in the interview. Whatever it
 * does (edit in place or fall back), the text must load as the answers. */
static unsigned long rnd_state;
static unsigned rnd(unsigned n)
{
	rnd_state = rnd_state * 6364136223846793005ul + 1442695040888963407ul;
	return (unsigned)((rnd_state >> 33) % n);
}

Test(assess_interview, random_edits_patch_correctly_or_fall_back)
{
	static const char *const texts[] = { "plain", "it's \"quoted\"", "a: b # not a comment",
					     "two\nlines", "tab\there", "\xc3\xbcnicode \xe2\x80\xa8 sep",
					     "{flow, [like]}", "&anchor *alias", "- dash", "  padded  " };
	weft_assess_model *m = fixture_model(IVFIX("mini-na.yaml"));
	size_t in_place = 0, fallback = 0;
	size_t n_fix = sizeof ivfixtures / sizeof *ivfixtures;
	for (size_t f = 0; f < 3 * n_fix + 1; f++) {
		char *text;
		weft_assess_answers *before;
		if (f < 3 * n_fix) {
			char path[512];
			snprintf(path, sizeof path, "%s%s", IVFIX(""), ivfixtures[f % n_fix]);
			text = read_file(path);
			if (f / n_fix == 1) { /* CRLF line breaks */
				weft_buf b = WEFT_BUF_INIT;
				for (const char *c = text; *c; c++)
					weft_buf_puts(&b, *c == '\n' ? "\r\n" : (char[2]){ *c, 0 });
				free(text);
				text = weft_buf_detach(&b);
			} else if (f / n_fix == 2) { /* no line break at the end */
				text[strlen(text) - 1] = '\0';
			}
			before = buffer_answers(path, text);
		} else { /* the init layout */
			cr_assert_eq(weft_assess_answers_new(&before, m, "U", NULL, NULL), 0);
			weft_buf b = WEFT_BUF_INIT;
			cr_assert_eq(weft_assess_answers_render(&b, before, m), 0);
			text = weft_buf_detach(&b);
		}
		size_t len = strlen(text);
		rnd_state = 12345 + f;
		for (int it = 0; it < 200; it++) {
			weft_assess_answers *after = assess_answers_dup(before);
			int n_ops = 1 + (int)rnd(3);
			for (int k = 0; k < n_ops; k++) {
				const char *id = m->questions[rnd((unsigned)m->n_questions)]->id;
				const char *t = texts[rnd(sizeof texts / sizeof *texts)];
				switch (rnd(6)) {
				case 0:
				case 1:
					weft_assess_answers_set(after, id, WEFT_ASSESS_ANSWERED, 1 + (int)rnd(5), NULL,
								NULL, rnd(3) ? NULL : t);
					break;
				case 2:
					weft_assess_answers_set(after, id, WEFT_ASSESS_NA, 0, t,
								rnd(2) ? m->na_category : NULL, NULL);
					break;
				case 3:
					weft_assess_answers_set(after, id, WEFT_ASSESS_UNANSWERED, 0, NULL, NULL, NULL);
					break;
				case 4:
					weft_assess_answers_set_field(after, rnd(2) ? "unit" : "respondent", t);
					break;
				default:
					weft_assess_answers_set_field(after, "date", rnd(2) ? "2026-03-04" : NULL);
					break;
				}
			}
			weft_buf out = WEFT_BUF_INIT;
			int rc = assess_answers_patch(&out, text, len, before, after, m, NULL);
			cr_assert(rc == 0 || rc == 1, "rc %d", rc);
			if (rc == 0)
				in_place++;
			else
				fallback++;
			weft_diags *d;
			weft_diags_new(&d);
			weft_assess_answers *re = NULL;
			int err = weft_assess_answers_load_buffer(&re, "fuzz", out.ptr, out.len, d);
			if (err)
				weft_diags_print(d, stderr, false);
			cr_assert_eq(err, 0, "fixture %zu step %d (rc %d):\n%s", f, it, rc, out.ptr);
			cr_assert(same_answers(re, after), "fixture %zu step %d (rc %d):\n%s", f, it, rc, out.ptr);
			weft_assess_answers_free(re);
			weft_diags_free(d);
			free(text);
			len = out.len;
			text = weft_buf_detach(&out);
			weft_assess_answers_free(before);
			before = after;
		}
		weft_assess_answers_free(before);
		free(text);
	}
	if (getenv("WEFT_FUZZ_STATS"))
		fprintf(stderr, "in place %zu, fell back %zu\n", in_place, fallback);
	cr_assert_gt(in_place, fallback, "in place %zu, fell back %zu", in_place, fallback);
	weft_assess_model_free(m);
}
